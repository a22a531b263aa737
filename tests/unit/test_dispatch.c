/* http/dispatch: what the dispatcher does before a handler runs, on routes
 * of the test's own: AUTH_OPTIONAL (anonymous without credentials, the
 * caller with good ones, 401 with bad ones) and the per-client limit of
 * rate_limited routes (429 with Retry-After, the handler never called).
 * A SQLite store in a temp dir holds the one user tokens name. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/clock.h"
#include "base/jwt.h"
#include "http/dispatch.h"
#include "service/directory.h"

struct fixture {
	char dir[32];
	struct cal_config cfg;
	struct app app;
	cal_uuid company, user;
};

static void fixture_init(struct fixture *f)
{
	cr_assert_geq(sodium_init(), 0);
	memset(f, 0, sizeof *f);
	strcpy(f->dir, "/tmp/caldispXXXXXX");
	cr_assert_not_null(mkdtemp(f->dir));
	f->cfg.limits = (struct cal_limits)CAL_LIMITS_DEFAULT;
	f->cfg.default_timezone = "UTC";
	f->cfg.jwt_secret_len = 32;
	randombytes_buf(f->cfg.jwt_secret, f->cfg.jwt_secret_len);
	f->app.config = &f->cfg;
	cr_assert_eq(cal_tzdb_new(NULL, &f->app.tzdb), 0);
	char url[64];
	snprintf(url, sizeof url, "sqlite:%s/d.db", f->dir);
	cr_assert_eq(store_open(url, 1, &f->app.store), 0);
	const char *failed = NULL;
	cr_assert_eq(store_migrate(f->app.store, &failed), 0, "%s", failed ? failed : "");
	struct cal_error err = { 0 };
	cr_assert_eq(directory_company_add(&f->app, "Dispatch Co", "dispatch", &err, &f->company), 0);
	const struct user_add_request u = { .company_slug = "dispatch", .email = "ana@dispatch.test", .name = "Ana" };
	cr_assert_eq(directory_user_add(&f->app, &u, &err, &f->user), 0);
}

static void fixture_release(struct fixture *f)
{
	store_close(f->app.store);
	cal_tzdb_free(f->app.tzdb);
	char rm[64];
	snprintf(rm, sizeof rm, "rm -rf %s", f->dir);
	cr_assert_eq(system(rm), 0);
}

static char *mint(const struct fixture *f, int64_t exp_in)
{
	int64_t now = cal_clock_now(&f->app.clock);
	struct cal_jwt_claims c = { .sub = f->user, .company = f->company, .iat = now, .exp = now + exp_in };
	struct cal_jwt_keys keys = { .hs_secret = f->cfg.jwt_secret, .hs_secret_len = f->cfg.jwt_secret_len };
	char *token = NULL;
	cr_assert_eq(cal_jwt_mint(&keys, &c, &token), 0);
	return token;
}

/* The request's headers: one Authorization value, or none. */
struct transport {
	const char *authorization;
	const char *access_token;
};

static const char *header_of(const struct request *req, const char *name)
{
	const struct transport *t = req->transport;
	return strcasecmp(name, "Authorization") == 0 ? t->authorization : NULL;
}

static const char *query_of(const struct request *req, const char *name)
{
	const struct transport *t = req->transport;
	return strcmp(name, "access_token") == 0 ? t->access_token : NULL;
}

/* Answers who called: {"who": user id or null}. */
static int whoami(struct request *req, struct response *res)
{
	return respond_json(res, 200, json_pack("{s:s?}", "who", req->who ? req->who->user_id.s : NULL));
}

struct answer {
	int status;
	unsigned retry_after;
	char body[1024];
	char www_authenticate[16];
};

static struct answer run(struct fixture *f, const struct route *rt, const struct dispatch_client *client,
			 struct transport t)
{
	struct arena *a = arena_new();
	struct cal_error err = { 0 };
	struct request req = { .app = &f->app, .arena = a, .rid = "test", .method = rt->method,
			       .path = rt->path, .err = &err, .header = header_of, .query = query_of,
			       .transport = &t };
	struct reply out = { 0 };
	dispatch_route(&req, rt, 0, client, NULL, 0, false, &out);
	struct answer ans = { .status = out.status, .retry_after = out.retry_after };
	snprintf(ans.body, sizeof ans.body, "%.*s", (int)out.body_len, out.body ? out.body : "");
	snprintf(ans.www_authenticate, sizeof ans.www_authenticate, "%s",
		 out.www_authenticate ? out.www_authenticate : "");
	if (out.body_owned)
		free(out.body);
	arena_free(a);
	return ans;
}

static const struct route optional_route = { .method = "GET", .path = "/t/optional", .handler = whoami,
					     .auth = AUTH_OPTIONAL };

Test(dispatch, auth_optional_without_credentials_is_anonymous)
{
	struct fixture f;
	fixture_init(&f);
	struct answer a = run(&f, &optional_route, NULL, (struct transport){ 0 });
	cr_assert_eq(a.status, 200, "%s", a.body);
	cr_assert_str_eq(a.body, "{\"who\":null}");
	/* ?access_token= counts only on routes that take it. */
	a = run(&f, &optional_route, NULL, (struct transport){ .access_token = "not-a-token" });
	cr_assert_eq(a.status, 200, "%s", a.body);
	fixture_release(&f);
}

Test(dispatch, auth_optional_with_a_good_token_knows_the_caller)
{
	struct fixture f;
	fixture_init(&f);
	char *token = mint(&f, 600);
	char header[4200];
	snprintf(header, sizeof header, "Bearer %s", token);
	struct answer a = run(&f, &optional_route, NULL, (struct transport){ .authorization = header });
	cr_assert_eq(a.status, 200, "%s", a.body);
	char want[128];
	snprintf(want, sizeof want, "{\"who\":\"%s\"}", f.user.s);
	cr_assert_str_eq(a.body, want);

	const struct route in_query = { .method = "GET", .path = "/t/q", .handler = whoami,
					.auth = AUTH_OPTIONAL, .token_in_query = true };
	a = run(&f, &in_query, NULL, (struct transport){ .access_token = token });
	cr_assert_str_eq(a.body, want);
	free(token);
	fixture_release(&f);
}

Test(dispatch, auth_optional_with_bad_credentials_is_401_as_on_auth_user)
{
	struct fixture f;
	fixture_init(&f);
	const struct route user_route = { .method = "GET", .path = "/t/user", .handler = whoami, .auth = AUTH_USER };
	char *expired = mint(&f, -120);
	char expired_header[4200];
	snprintf(expired_header, sizeof expired_header, "Bearer %s", expired);
	const char *bad[] = { "Bearer not.a.token", expired_header, "Basic YW5hOnNlY3JldA==", "" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct answer opt = run(&f, &optional_route, NULL, (struct transport){ .authorization = bad[i] });
		struct answer usr = run(&f, &user_route, NULL, (struct transport){ .authorization = bad[i] });
		cr_assert_eq(opt.status, 401, "%s: %s", bad[i], opt.body);
		cr_assert_str_eq(opt.www_authenticate, "Bearer");
		json_t *po = json_loads(opt.body, 0, NULL), *pu = json_loads(usr.body, 0, NULL);
		cr_assert_not_null(po);
		cr_assert_str_eq(json_string_value(json_object_get(po, "code")), "unauthorized");
		cr_assert_str_eq(json_string_value(json_object_get(po, "detail")),
				 json_string_value(json_object_get(pu, "detail")), "the same problem as AUTH_USER");
		json_decref(po);
		json_decref(pu);
	}
	/* A user deleted since the token was minted: the same 401. */
	cal_uuid ghost;
	cal_uuid_new(&ghost);
	f.user = ghost;
	char *orphan = mint(&f, 600);
	char header[4200];
	snprintf(header, sizeof header, "Bearer %s", orphan);
	cr_assert_eq(run(&f, &optional_route, NULL, (struct transport){ .authorization = header }).status, 401);
	free(orphan);
	free(expired);
	fixture_release(&f);
}

Test(dispatch, auth_public_ignores_credentials)
{
	struct fixture f;
	fixture_init(&f);
	const struct route pub = { .method = "GET", .path = "/t/public", .handler = whoami, .auth = AUTH_PUBLIC };
	struct answer a = run(&f, &pub, NULL, (struct transport){ .authorization = "Bearer not.a.token" });
	cr_assert_eq(a.status, 200, "%s", a.body);
	cr_assert_str_eq(a.body, "{\"who\":null}");
	fixture_release(&f);
}

Test(dispatch, rate_limited_routes_answer_429_before_anything_else)
{
	struct fixture f;
	fixture_init(&f);
	struct dispatch_client client = { .key = { .family = 4, .addr = { 192, 0, 2, 1 } } };
	const struct ratelimit_options o = { .per_minute = 1, .burst = 2, .entries = 64 };
	cr_assert_eq(ratelimit_new(&o, &client.limiter), 0);
	const struct route limited = { .method = "GET", .path = "/t/limited", .handler = whoami,
				       .auth = AUTH_OPTIONAL, .rate_limited = true };
	const struct route unlimited = { .method = "GET", .path = "/t/unlimited", .handler = whoami,
					 .auth = AUTH_PUBLIC };
	cr_assert_eq(run(&f, &limited, &client, (struct transport){ 0 }).status, 200);
	cr_assert_eq(run(&f, &limited, &client, (struct transport){ 0 }).status, 200);
	/* Even a bad token is not looked at: the limit comes first. */
	struct answer a = run(&f, &limited, &client, (struct transport){ .authorization = "Bearer x" });
	cr_assert_eq(a.status, 429, "%s", a.body);
	cr_assert_geq(a.retry_after, 59, "1 a minute: about a minute to wait, got %u", a.retry_after);
	cr_assert_leq(a.retry_after, 60);
	json_t *p = json_loads(a.body, 0, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(p, "code")), "too_many_requests");
	json_decref(p);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(run(&f, &unlimited, &client, (struct transport){ 0 }).status, 200);
	struct dispatch_client other = { .limiter = client.limiter, .key = { .family = 4, .addr = { 192, 0, 2, 2 } } };
	cr_assert_eq(run(&f, &limited, &other, (struct transport){ 0 }).status, 200, "another address");
	cr_assert_eq(run(&f, &limited, NULL, (struct transport){ 0 }).status, 200, "no limiter, no limit");
	ratelimit_free(client.limiter);
	fixture_release(&f);
}
