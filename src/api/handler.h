/* The contract between the HTTP transport (http/) and the handlers (api/):
 * a request already routed, authenticated and parsed, and a response to
 * fill. No libmicrohttpd types cross this line, so handlers are plain
 * functions of (request → response) that tests could call directly.
 *
 * A handler returns 0 with `res` filled, or a negative CAL_E_* code with
 * `req->err` saying why; the dispatcher renders problem+json. */
#ifndef CAL_API_HANDLER_H
#define CAL_API_HANDLER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/errors.h"
#include "model/acl.h"
#include "service/app.h"
#include "service/events.h"

enum { ROUTE_MAX_PARAMS = 2 };

struct request {
	struct app *app;
	struct arena *arena;
	const char *rid;
	const char *method, *path;
	const char *params[ROUTE_MAX_PARAMS]; /* ":name" segments, in order */
	json_t *body;                          /* the parsed object (BODY_JSON routes); borrowed */
	const char *raw_body;                  /* BODY_RAW routes: the bytes as sent */
	size_t raw_len;
	const struct cal_principal *who;       /* AUTH_USER routes */
	struct if_match if_match;
	struct cal_error *err;
	/* Transport look-ups; NULL when absent. */
	const char *(*header)(const struct request *req, const char *name);
	const char *(*query)(const struct request *req, const char *name);
	void *transport;
};

struct response {
	int status;
	json_t *json;             /* owned: rendered and released by the dispatcher */
	const char *text;         /* or a raw body (arena or static) */
	size_t text_len;
	const char *content_type; /* for text; JSON sets its own */
	const char *etag, *location, *cache_control;
};

typedef int (*route_handler)(struct request *req, struct response *res);

enum route_auth { AUTH_PUBLIC, AUTH_USER };
/* BODY_RAW: the handler checks the Content-Type and reads raw_body. */
enum route_body { BODY_NONE, BODY_JSON, BODY_RAW };

struct route {
	const char *method;
	const char *path; /* "/api/v1/calendar/events/:id" */
	route_handler handler;
	enum route_auth auth;
	enum route_body body;
	const char *summary;
};

/* The one table of routes (api/routes.c). */
extern const struct route api_routes[];
extern const size_t api_routes_count;

/* Sets a JSON response. Steals `json`. */
static inline int respond_json(struct response *res, int status, json_t *json)
{
	res->status = status;
	res->json = json;
	return json ? 0 : CAL_E_NOMEM;
}

#endif
