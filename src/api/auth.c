/* /api/v1/auth/login and /api/v1/me. */
#include "api/auth.h"

#include <string.h>

#include "api/json_fields.h"
#include "base/jwt.h"
#include "model/time.h"
#include "service/directory.h"

json_t *api_user_json(const struct cal_user *u)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(u->id.s));
	json_object_set_new(o, "companyId", json_string(u->company_id.s));
	json_object_set_new(o, "name", json_string(u->name));
	json_object_set_new(o, "email", json_string(u->email));
	json_object_set_new(o, "role", json_string(u->role == CAL_USER_ADMIN ? "admin" : "user"));
	json_object_set_new(o, "timezone", json_string(u->timezone));
	json_object_set_new(o, "lang", json_string(u->lang));
	return o;
}

int api_auth_login(struct request *req, struct response *res)
{
	static const char *const fields[] = { "email", "password", NULL };
	const char *email = NULL, *password = NULL;
	bool p1, p2;
	if (!json_only_fields(req->body, fields, NULL, req->arena, req->err))
		return CAL_E_INVALID;
	json_opt_string(req->body, "email", "email", &p1, &email, req->err);
	json_opt_string(req->body, "password", "password", &p2, &password, req->err);
	if (!email)
		cal_error_field(req->err, "email", "is required");
	if (!password)
		cal_error_field(req->err, "password", "is required");
	if (req->err->n_fields)
		return CAL_E_INVALID;
	if (strlen(email) > 254 || strlen(password) > 1024)
		return CAL_E_BAD_CREDENTIALS;

	if (req->app->config->jwt_public_key)
		return cal_error_set(req->err, CAL_E_UNIMPLEMENTED,
				     "tokens come from the identity provider (RS256); password login is off");
	struct cal_user u;
	int r = directory_login(req->app, req->arena, email, password, &u);
	if (r < 0)
		return r;
	const struct cal_config *cfg = req->app->config;
	int64_t now = cal_clock_now(&req->app->clock);
	struct cal_jwt_claims claims = { .sub = u.id, .company = u.company_id,
					 .admin = u.role == CAL_USER_ADMIN, .iat = now,
					 .exp = now + cfg->token_ttl };
	struct cal_jwt_keys keys = { .hs_secret = cfg->jwt_secret, .hs_secret_len = cfg->jwt_secret_len };
	char *token;
	if ((r = cal_jwt_mint(&keys, &claims, &token)) < 0)
		return r;
	char expires[CAL_INSTANT_TEXT];
	cal_instant_format(claims.exp, expires);
	json_t *body = json_object();
	json_object_set_new(body, "token", json_string(token));
	json_object_set_new(body, "expiresAt", json_string(expires));
	json_object_set_new(body, "user", api_user_json(&u));
	free(token);
	res->cache_control = "no-store";
	return respond_json(res, 200, body);
}

int api_me(struct request *req, struct response *res)
{
	const struct cal_principal *who = req->who;
	struct cal_user u = { .id = who->user_id, .company_id = who->company_id, .name = who->name,
			      .email = who->email, .timezone = who->timezone, .lang = who->lang,
			      .role = who->role };
	return respond_json(res, 200, api_user_json(&u));
}
