/* Who may see and change an event: the privacy rules in one place, so every
 * route that carries an event applies the same ones. Pure functions. */
#ifndef CAL_MODEL_ACL_H
#define CAL_MODEL_ACL_H

#include <stdbool.h>

#include "base/uuid.h"
#include "model/event.h"

enum cal_role_in_company { CAL_USER_MEMBER, CAL_USER_ADMIN };

/* The authenticated caller. */
struct cal_principal {
	cal_uuid user_id, company_id;
	enum cal_role_in_company role;
	const char *email, *name, *timezone, *lang;
};

enum cal_view {
	CAL_VIEW_NONE, /* must look exactly like a missing event */
	CAL_VIEW_BUSY, /* times and show-as only */
	CAL_VIEW_FULL,
};

bool cal_acl_is_participant(const struct cal_principal *who, const struct cal_event *e);
enum cal_view cal_acl_view(const struct cal_principal *who, const struct cal_event *e);
/* Organizer, or an admin of the event's company. */
bool cal_acl_can_modify(const struct cal_principal *who, const struct cal_event *e);

#endif
