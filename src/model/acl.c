/* Privacy rules: public to the company, private as a busy block to
 * non-participants, confidential invisible to them; another company's
 * events do not exist. */
#include "model/acl.h"

#include <string.h>

static bool same_id(const cal_uuid *a, const char *b)
{
	return b && strcmp(a->s, b) == 0;
}

bool cal_acl_is_participant(const struct cal_principal *who, const struct cal_event *e)
{
	if (same_id(&who->user_id, e->organizer_id.s))
		return true;
	for (size_t i = 0; i < e->n_attendees; i++)
		if (same_id(&who->user_id, e->attendees[i].user_id))
			return true;
	return false;
}

enum cal_view cal_acl_view(const struct cal_principal *who, const struct cal_event *e)
{
	if (!same_id(&who->company_id, e->company_id.s))
		return CAL_VIEW_NONE;
	if (cal_acl_is_participant(who, e))
		return CAL_VIEW_FULL;
	switch (e->privacy) {
	case CAL_PRIVACY_PUBLIC:
		return CAL_VIEW_FULL;
	case CAL_PRIVACY_PRIVATE:
		return CAL_VIEW_BUSY;
	case CAL_PRIVACY_CONFIDENTIAL:
		break;
	}
	return CAL_VIEW_NONE;
}

bool cal_acl_can_modify(const struct cal_principal *who, const struct cal_event *e)
{
	if (!same_id(&who->company_id, e->company_id.s))
		return false;
	return same_id(&who->user_id, e->organizer_id.s) || who->role == CAL_USER_ADMIN;
}
