/* The company directory calendard needs from ERP Core: companies, their
 * users and their partners (external contacts), in minimal form. */
#ifndef CAL_MODEL_DIRECTORY_H
#define CAL_MODEL_DIRECTORY_H

#include <stdint.h>

#include "base/uuid.h"
#include "model/acl.h"

struct cal_company {
	cal_uuid id;
	const char *name, *slug;
	int64_t created_at;
};

struct cal_user {
	cal_uuid id, company_id;
	const char *name, *email, *timezone, *lang; /* lang: "es" or "en" */
	const char *phone;                          /* E.164 for SMS reminders, or NULL */
	const char *password_hash;                  /* NULL: cannot log in */
	enum cal_role_in_company role;
	int64_t created_at;
};

/* The user acting: what the access rules and the event use cases need. */
static inline struct cal_principal cal_principal_of(const struct cal_user *u)
{
	return (struct cal_principal){ .user_id = u->id, .company_id = u->company_id, .role = u->role,
				       .email = u->email, .name = u->name, .timezone = u->timezone,
				       .lang = u->lang };
}

struct cal_partner {
	cal_uuid id, company_id;
	const char *name, *email, *phone;
	int64_t created_at;
};

/* Slugs: lowercase letters, digits and '-', 1–63 characters. */
bool cal_slug_ok(const char *s);

#endif
