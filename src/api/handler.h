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
	const struct cal_principal *who;       /* AUTH_USER routes; AUTH_OPTIONAL ones: NULL without credentials */
	struct if_match if_match;
	struct cal_error *err;
	/* Transport look-ups; NULL when absent. */
	const char *(*header)(const struct request *req, const char *name);
	const char *(*query)(const struct request *req, const char *name);
	void *transport;
};

/* A body produced over time (Server-Sent Events), for a response that
 * stays open. The transport calls `read` on one of its threads whenever
 * the client can take more, with STREAM_* flags saying why it woke the
 * stream. `read` must never wait for data: it copies up to `max` bytes
 * that are ready and returns their count, returns 0 when it has nothing
 * (the transport parks the connection until the next wake-up), or
 * STREAM_END to finish the body. The transport owns `state` once the
 * handler returned 0 and releases it with `free`, whether or not the
 * stream ever started (a stream refused by the transport's limits). */
enum { STREAM_CHECK = 1, STREAM_KEEPALIVE = 2 }; /* news may have arrived; quiet for the keep-alive interval */
enum { STREAM_END = -1 };
struct response_stream {
	long (*read)(void *state, char *buf, size_t max, unsigned flags); /* NULL: no stream */
	void (*free)(void *state);
	void *state;
	const char *owner; /* who the per-owner cap counts it against (a user id); copied */
};

struct response {
	int status;
	json_t *json;             /* owned: rendered and released by the dispatcher */
	const char *text;         /* or a raw body (arena or static) */
	size_t text_len;
	const char *content_type; /* for text and streams; JSON sets its own */
	const char *etag, *location, *cache_control;
	bool replayed; /* an Idempotency-Key's first answer, given again */
	struct response_stream stream; /* or a body that follows over time */
};

typedef int (*route_handler)(struct request *req, struct response *res);

/* AUTH_OPTIONAL: public, but a valid Bearer token (or cookie) makes
 * req->who the caller; an invalid one is 401 as on AUTH_USER routes. */
enum route_auth { AUTH_PUBLIC, AUTH_USER, AUTH_OPTIONAL };
/* BODY_RAW: the handler checks the Content-Type and reads raw_body. */
enum route_body { BODY_NONE, BODY_JSON, BODY_RAW };

struct route {
	const char *method;
	const char *path; /* "/api/v1/calendar/events/:id" */
	route_handler handler;
	enum route_auth auth;
	enum route_body body;
	const char *summary;
	/* AUTH_USER routes that browsers open with EventSource, which cannot
	 * set headers: the token may also come as ?access_token=. */
	bool token_in_query;
	/* Public routes open to anyone on the Internet: limited per client
	 * address (CALENDARD_PUBLIC_RATE_*), 429 beyond. */
	bool rate_limited;
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
