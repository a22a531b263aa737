/* Directory use cases. */
#include "service/directory.h"

#include <ctype.h>
#include <string.h>

#include "base/crypto.h"
#include "model/event.h"
#include "service/tx.h"

void directory_fold_email(char *email)
{
	for (char *p = email; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

struct company_add_ctx {
	const struct cal_company *company;
};

static int company_add_body(struct store_conn *c, void *ctx)
{
	return store_company_insert(c, ((struct company_add_ctx *)ctx)->company);
}

int directory_company_add(struct app *app, const char *name, const char *slug,
			  struct cal_error *err, cal_uuid *ret_id)
{
	if (!name || !cal_text_ok(name, 255, false) || !*name)
		return cal_error_field(err, "name", "must be 1 to 255 characters on one line");
	if (!slug || !cal_slug_ok(slug))
		return cal_error_field(err, "slug", "must be lowercase letters, digits and '-'");
	struct cal_company co = { .name = name, .slug = slug, .created_at = cal_clock_now(&app->clock) };
	cal_uuid_new(&co.id);
	int r = tx_run(app, true, company_add_body, &(struct company_add_ctx){ &co });
	if (r == CAL_E_EXISTS)
		return cal_error_set(err, r, "a company with that slug exists");
	if (r == 0)
		*ret_id = co.id;
	return r;
}

struct user_add_ctx {
	struct arena *arena;
	const char *company_slug;
	struct cal_user *user;
};

static int user_add_body(struct store_conn *c, void *ctx_)
{
	struct user_add_ctx *ctx = ctx_;
	struct cal_company co;
	int r = store_company_get_by_slug(c, ctx->arena, ctx->company_slug, &co);
	if (r < 0)
		return r;
	ctx->user->company_id = co.id;
	return store_user_insert(c, ctx->user);
}

/* E.164: "+", a leading digit 1-9, 8 to 15 digits in all. */
static bool phone_ok(const char *s)
{
	if (s[0] != '+' || s[1] < '1' || s[1] > '9')
		return false;
	size_t n = 0;
	for (const char *p = s + 1; *p; p++, n++)
		if (*p < '0' || *p > '9')
			return false;
	return n >= 8 && n <= 15;
}

int directory_user_add(struct app *app, const struct user_add_request *req, struct cal_error *err,
		       cal_uuid *ret_id)
{
	_cleanup_(arena_freep) struct arena *a = arena_new();
	if (!a)
		return CAL_E_NOMEM;
	char *email = arena_strdup(a, req->email ? req->email : "");
	directory_fold_email(email);
	const char *tz = req->timezone ? req->timezone : app->config->default_timezone;
	const char *lang = req->lang ? req->lang : "es";
	const struct cal_tz *zone;
	if (!cal_email_ok(email, app->config->limits.email_max))
		cal_error_field(err, "email", "is not a valid e-mail address");
	if (!req->name || !*req->name || !cal_text_ok(req->name, 255, false))
		cal_error_field(err, "name", "must be 1 to 255 characters on one line");
	if (cal_tzdb_get(app->tzdb, tz, &zone) < 0)
		cal_error_field(err, "timezone", "is not a known IANA time zone");
	if (strcmp(lang, "es") != 0 && strcmp(lang, "en") != 0)
		cal_error_field(err, "lang", "must be es or en");
	if (req->phone && !phone_ok(req->phone))
		cal_error_field(err, "phone", "must be an E.164 number such as +5215512345678");
	if (err->n_fields)
		return CAL_E_INVALID;

	struct cal_user u = { .name = req->name, .email = email, .timezone = tz, .lang = lang,
			      .phone = req->phone,
			      .role = req->admin ? CAL_USER_ADMIN : CAL_USER_MEMBER,
			      .created_at = cal_clock_now(&app->clock) };
	char hash[CAL_PASSWORD_HASH_MAX];
	if (req->password) {
		if (strlen(req->password) < 8 || strlen(req->password) > 1024)
			return cal_error_field(err, "password", "must be 8 to 1024 characters");
		int r = cal_password_hash(req->password, hash);
		if (r < 0)
			return r;
		u.password_hash = hash;
	}
	cal_uuid_new(&u.id);
	struct user_add_ctx ctx = { .arena = a, .company_slug = req->company_slug, .user = &u };
	int r = tx_run(app, true, user_add_body, &ctx);
	if (r == CAL_E_NOT_FOUND)
		return cal_error_field(err, "company", "no company has that slug");
	if (r == CAL_E_EXISTS)
		return cal_error_set(err, r, "a user with that e-mail exists");
	if (r == 0)
		*ret_id = u.id;
	return r;
}

struct partner_add_ctx {
	struct arena *arena;
	const char *company_slug;
	struct cal_partner *partner;
};

static int partner_add_body(struct store_conn *c, void *ctx_)
{
	struct partner_add_ctx *ctx = ctx_;
	struct cal_company co;
	int r = store_company_get_by_slug(c, ctx->arena, ctx->company_slug, &co);
	if (r < 0)
		return r;
	ctx->partner->company_id = co.id;
	return store_partner_insert(c, ctx->partner);
}

int directory_partner_add(struct app *app, const char *company_slug, const char *name,
			  const char *email, const char *phone, struct cal_error *err,
			  cal_uuid *ret_id)
{
	_cleanup_(arena_freep) struct arena *a = arena_new();
	if (!a)
		return CAL_E_NOMEM;
	char *folded = email ? arena_strdup(a, email) : NULL;
	if (folded)
		directory_fold_email(folded);
	if (!name || !*name || !cal_text_ok(name, 255, false))
		cal_error_field(err, "name", "must be 1 to 255 characters on one line");
	if (folded && !cal_email_ok(folded, app->config->limits.email_max))
		cal_error_field(err, "email", "is not a valid e-mail address");
	if (phone && !cal_text_ok(phone, 32, false))
		cal_error_field(err, "phone", "is too long");
	if (err->n_fields)
		return CAL_E_INVALID;
	struct cal_partner p = { .name = name, .email = folded, .phone = phone,
				 .created_at = cal_clock_now(&app->clock) };
	cal_uuid_new(&p.id);
	struct partner_add_ctx ctx = { .arena = a, .company_slug = company_slug, .partner = &p };
	int r = tx_run(app, true, partner_add_body, &ctx);
	if (r == CAL_E_NOT_FOUND)
		return cal_error_field(err, "company", "no company has that slug");
	if (r == 0)
		*ret_id = p.id;
	return r;
}

struct user_get_ctx {
	struct arena *arena;
	const char *key;
	bool by_email;
	struct cal_user *user;
};

static int user_get_body(struct store_conn *c, void *ctx_)
{
	struct user_get_ctx *ctx = ctx_;
	return ctx->by_email ? store_user_get_by_email(c, ctx->arena, ctx->key, ctx->user)
			     : store_user_get(c, ctx->arena, ctx->key, ctx->user);
}

static int user_get(struct app *app, struct arena *a, const char *key, bool by_email,
		    struct cal_user *ret)
{
	struct cal_user u;
	struct user_get_ctx ctx = { a, key, by_email, &u };
	int r = tx_run(app, false, user_get_body, &ctx);
	if (r == 0)
		*ret = u;
	return r;
}

int directory_user_by_email(struct app *app, struct arena *a, const char *email,
			    struct cal_user *ret_user)
{
	char *folded = arena_strdup(a, email);
	if (!folded)
		return CAL_E_NOMEM;
	directory_fold_email(folded);
	return user_get(app, a, folded, true, ret_user);
}

int directory_login(struct app *app, struct arena *a, const char *email, const char *password,
		    struct cal_user *ret_user)
{
	struct cal_user u;
	int r = directory_user_by_email(app, a, email, &u);
	if (r < 0 && r != CAL_E_NOT_FOUND)
		return r;
	bool ok = cal_password_verify(r == 0 ? u.password_hash : NULL, password);
	if (!ok)
		return CAL_E_BAD_CREDENTIALS;
	*ret_user = u;
	return 0;
}

int directory_principal(struct app *app, struct arena *a, const char *user_id,
			const char *company_id, struct cal_principal *ret)
{
	struct cal_user u;
	int r = user_get(app, a, user_id, false, &u);
	if (r == CAL_E_NOT_FOUND)
		return CAL_E_UNAUTHORIZED;
	if (r < 0)
		return r;
	if (company_id && strcmp(company_id, u.company_id.s) != 0)
		return CAL_E_UNAUTHORIZED;
	*ret = cal_principal_of(&u);
	return 0;
}
