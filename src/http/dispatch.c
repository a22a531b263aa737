/* Route matching, the request pipeline and problem+json (RFC 9457). */
#include "http/dispatch.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/jwt.h"
#include "api/json_fields.h"
#include "base/clock.h"
#include "base/log.h"
#include "service/directory.h"

/* Compares one pattern against a path; ":name" segments capture. */
static bool path_matches(const char *pattern, const char *path, struct arena *a,
			 const char *params[ROUTE_MAX_PARAMS])
{
	int np = 0;
	while (*pattern && *path) {
		if (*pattern == ':') {
			const char *end = strchr(path, '/');
			size_t len = end ? (size_t)(end - path) : strlen(path);
			if (len == 0 || np == ROUTE_MAX_PARAMS)
				return false;
			params[np++] = arena_strndup(a, path, len);
			path += len;
			while (*pattern && *pattern != '/')
				pattern++;
			continue;
		}
		if (*pattern++ != *path++)
			return false;
	}
	return *pattern == '\0' && *path == '\0';
}

int dispatch_match(struct arena *a, const char *method, const char *path,
		   const char *params[ROUTE_MAX_PARAMS], const char **ret_allow)
{
	struct strbuf allow = STRBUF_INIT(256);
	int found = -1;
	for (size_t i = 0; i < api_routes_count && found < 0; i++) {
		const char *tmp[ROUTE_MAX_PARAMS] = { 0 };
		if (!path_matches(api_routes[i].path, path, a, tmp))
			continue;
		if (strcmp(api_routes[i].method, method) == 0) {
			memcpy(params, tmp, sizeof tmp);
			found = (int)i;
		} else {
			strbuf_printf(&allow, "%s%s", allow.len ? ", " : "", api_routes[i].method);
		}
	}
	if (found < 0 && allow.len) {
		*ret_allow = arena_strdup(a, strbuf_str(&allow));
		found = -2;
	}
	strbuf_release(&allow);
	return found;
}

static void reply_json(struct reply *out, int status, json_t *json)
{
	out->status = status;
	out->body = json_dumps(json, JSON_COMPACT | JSON_PRESERVE_ORDER);
	out->body_len = out->body ? strlen(out->body) : 0;
	out->body_owned = true;
	json_decref(json);
}

static void reply_problem(struct request *req, int code, struct reply *out)
{
	const struct cal_error *err = req->err;
	if (err->code)
		code = err->code;
	int status = cal_error_status(code);
	json_t *p = json_object();
	json_object_set_new(p, "type", json_sprintf("urn:calendard:problem:%s", cal_error_code(code)));
	json_object_set_new(p, "title", json_string(cal_error_title(code)));
	json_object_set_new(p, "status", json_integer(status));
	json_object_set_new(p, "detail", json_string(err->detail ? err->detail : cal_error_title(code)));
	json_object_set_new(p, "code", json_string(cal_error_code(code)));
	json_object_set_new(p, "requestId", json_string(req->rid));
	if (err->n_fields) {
		json_t *fields = json_array();
		for (unsigned i = 0; i < err->n_fields; i++)
			json_array_append_new(fields, json_pack("{s:s, s:s}", "field", err->fields[i].field,
								"detail", err->fields[i].detail));
		json_object_set_new(p, "errors", fields);
	}
	reply_json(out, status, p);
	out->content_type = "application/problem+json";
	if (status == 401)
		out->www_authenticate = "Bearer";
	if (status >= 500)
		log_error(req->rid, "request failed",
			  json_pack("{s:s, s:s}", "route", out->route_label ? out->route_label : "?",
				    "code", cal_error_code(code)));
}

static int authenticate(struct request *req, bool token_in_query, struct cal_principal *who)
{
	const char *h = req->header(req, "Authorization");
	/* The query's token only when no header was sent; never logged (the
	 * access log names the route pattern, not the URL). */
	const char *token = h && strncasecmp(h, "Bearer ", 7) == 0 ? h + 7
			  : !h && token_in_query ? req->query(req, "access_token") : NULL;
	if (!token)
		return cal_error_set(req->err, CAL_E_UNAUTHORIZED, "a Bearer token is required");
	const struct cal_config *cfg = req->app->config;
	struct cal_jwt_keys keys = { .hs_secret = cfg->jwt_secret, .hs_secret_len = cfg->jwt_secret_len,
				     .rs_public_pem = cfg->jwt_public_key };
	struct cal_jwt_claims claims;
	if (cal_jwt_verify(&keys, token, cal_clock_now(&req->app->clock), &claims) < 0)
		return cal_error_set(req->err, CAL_E_UNAUTHORIZED, "the token is invalid or expired");
	int r = directory_principal(req->app, req->arena, claims.sub.s,
				    claims.company.s[0] ? claims.company.s : NULL, who);
	if (r == CAL_E_UNAUTHORIZED)
		return cal_error_set(req->err, r, "the token's user does not exist");
	return r;
}

/* AUTH_USER routes always; AUTH_OPTIONAL ones when the caller sent
 * credentials, which must then be good: a caller who meant to be known
 * is told the token failed instead of being served as anonymous. */
static bool wants_auth(const struct request *req, const struct route *rt)
{
	if (rt->auth == AUTH_USER)
		return true;
	return rt->auth == AUTH_OPTIONAL &&
	       (req->header(req, "Authorization") || (rt->token_in_query && req->query(req, "access_token")));
}

/* One token from the client's bucket, before anything else is spent on
 * the request. */
static int rate_limit(struct request *req, const struct dispatch_client *client, size_t slot,
		      struct reply *out)
{
	unsigned retry_after;
	int64_t now_ms = (int64_t)(cal_monotonic_seconds() * 1000.0);
	if (ratelimit_take(client->limiter, &client->key, now_ms, &retry_after) == 0)
		return 0;
	metrics_rate_limited(req->app->metrics, slot);
	out->retry_after = retry_after;
	return cal_error_set(req->err, CAL_E_TOO_MANY,
			     arena_printf(req->arena, "too many requests from this address; retry in %u s",
					  retry_after));
}

static int parse_body(struct request *req, const char *body, size_t len)
{
	const char *ct = req->header(req, "Content-Type");
	if (!ct || strncasecmp(ct, "application/json", 16) != 0 || (ct[16] && ct[16] != ';' && ct[16] != ' '))
		return cal_error_set(req->err, CAL_E_MEDIA_TYPE, "the body must be application/json");
	json_error_t jerr;
	json_t *v = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &jerr);
	if (!v) {
		req->err->detail = arena_printf(req->arena, "invalid JSON at line %d column %d: %s",
						jerr.line, jerr.column, jerr.text);
		return cal_error_set(req->err, CAL_E_BAD_JSON, req->err->detail);
	}
	if (!json_is_object(v)) {
		json_decref(v);
		return cal_error_field(req->err, "body", "must be a JSON object");
	}
	if (json_depth(v) > req->app->config->limits.json_depth_max) {
		json_decref(v);
		return cal_error_field(req->err, "body", "is nested too deeply");
	}
	req->body = v;
	return 0;
}

/* If-Match: "*" or absent means no precondition; an ETag we never issued
 * can only be stale. */
static void parse_if_match(struct request *req)
{
	const char *h = req->header(req, "If-Match");
	if (!h || strcmp(h, "*") == 0)
		return;
	req->if_match.present = true;
	req->if_match.version = -1;
	long long v;
	char tail;
	const char *p = strncmp(h, "W/", 2) == 0 ? h + 2 : h;
	if (sscanf(p, "\"v%lld\"%c", &v, &tail) == 1 && v > 0)
		req->if_match.version = v;
}

void dispatch_run(struct request *req, const struct dispatch_client *client, const char *body,
		  size_t body_len, bool body_too_large, struct reply *out)
{
	const char *allow = NULL;
	int idx = dispatch_match(req->arena, req->method, req->path, req->params, &allow);
	if (idx < 0) {
		out->metrics_slot = api_routes_count;
		out->route_label = "unmatched";
		out->allow = allow;
		reply_problem(req, idx == -2 ? CAL_E_METHOD : CAL_E_NO_ROUTE, out);
		return;
	}
	dispatch_route(req, &api_routes[idx], (size_t)idx, client, body, body_len, body_too_large, out);
}

void dispatch_route(struct request *req, const struct route *rt, size_t slot,
		    const struct dispatch_client *client, const char *body, size_t body_len,
		    bool body_too_large, struct reply *out)
{
	out->metrics_slot = slot;
	out->route_label = rt->path;
	struct cal_principal who;
	int r = 0;
	if (rt->rate_limited && client && client->limiter)
		r = rate_limit(req, client, slot, out);
	if (r == 0 && body_too_large)
		r = cal_error_set(req->err, CAL_E_TOO_LARGE, "the body is over the size limit");
	if (r == 0 && wants_auth(req, rt) && (r = authenticate(req, rt->token_in_query, &who)) == 0)
		req->who = &who;
	if (r == 0 && rt->body == BODY_JSON)
		r = parse_body(req, body, body_len);
	if (rt->body == BODY_RAW) {
		req->raw_body = body ? body : "";
		req->raw_len = body_len;
	}
	parse_if_match(req);
	struct response res = { 0 };
	if (r == 0)
		r = rt->handler(req, &res);
	json_decref(req->body);
	req->body = NULL;
	if (r < 0) {
		json_decref(res.json);
		if (res.stream.free)
			res.stream.free(res.stream.state);
		reply_problem(req, r, out);
		return;
	}
	out->stream = res.stream;
	out->etag = res.etag;
	out->location = res.location;
	out->replayed = res.replayed;
	out->cache_control = res.cache_control ? res.cache_control : "no-store";
	if (res.json) {
		reply_json(out, res.status, res.json);
		out->content_type = "application/json";
	} else {
		out->status = res.status;
		out->body = (char *)res.text;
		out->body_len = res.text_len;
		out->content_type = res.content_type;
	}
}

void dispatch_problem(struct request *req, int code, struct reply *out)
{
	if (out->body_owned)
		free(out->body);
	out->body = NULL;
	out->body_owned = false;
	out->stream = (struct response_stream){ 0 };
	out->etag = out->location = NULL;
	out->cache_control = "no-store";
	out->retry_after = 0;
	reply_problem(req, code, out);
}
