/* Use cases of the company directory: adding companies, users and partners
 * (the CLI's job), logging in, and turning a verified token subject into
 * the caller's principal. */
#ifndef CAL_SERVICE_DIRECTORY_H
#define CAL_SERVICE_DIRECTORY_H

#include "base/arena.h"
#include "base/errors.h"
#include "model/acl.h"
#include "model/directory.h"
#include "service/app.h"

int directory_company_add(struct app *app, const char *name, const char *slug,
			  struct cal_error *err, cal_uuid *ret_id);

struct user_add_request {
	const char *company_slug, *email, *name, *password, *timezone, *lang;
	const char *phone; /* E.164 (+5215512345678), for SMS reminders; optional */
	bool admin;
};
int directory_user_add(struct app *app, const struct user_add_request *req, struct cal_error *err,
		       cal_uuid *ret_id);
int directory_partner_add(struct app *app, const char *company_slug, const char *name,
			  const char *email, const char *phone, struct cal_error *err,
			  cal_uuid *ret_id);

/* CAL_E_BAD_CREDENTIALS for an unknown e-mail or a wrong password, after the
 * same amount of work either way. */
int directory_login(struct app *app, struct arena *a, const char *email, const char *password,
		    struct cal_user *ret_user);
int directory_user_by_email(struct app *app, struct arena *a, const char *email,
			    struct cal_user *ret_user);
/* The principal for a token's subject; CAL_E_UNAUTHORIZED when the user is
 * gone or no longer in the token's company. */
int directory_principal(struct app *app, struct arena *a, const char *user_id,
			const char *company_id, struct cal_principal *ret);

/* Lowercases ASCII in place (e-mails are compared folded). */
void directory_fold_email(char *email);

#endif
