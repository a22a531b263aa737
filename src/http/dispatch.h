/* The dispatcher: one function that takes a routed request through the
 * per-client limit, auth, body parsing, If-Match, the handler and error
 * rendering, the same way for every route. server.c calls it with what
 * libmicrohttpd gave. */
#ifndef CAL_HTTP_DISPATCH_H
#define CAL_HTTP_DISPATCH_H

#include <stddef.h>

#include "api/handler.h"
#include "http/ratelimit.h"

/* What the dispatcher produced, ready to send. `body` is malloc'd or
 * points into the arena/static data (see body_owned). */
struct reply {
	int status;
	char *body;
	size_t body_len;
	bool body_owned;
	const char *content_type;
	const char *etag, *location, *cache_control, *allow, *www_authenticate;
	unsigned retry_after; /* seconds, for a Retry-After header; 0: none */
	bool replayed;        /* Idempotent-Replayed: true */
	size_t metrics_slot; /* route index, or api_routes_count for unmatched */
	const char *route_label;
	struct response_stream stream; /* a streamed body instead (read != NULL); the transport owns it */
};

/* Matches method and path; fills params. Returns the route index, -1 when
 * no path matches (404), -2 when the path matches another method (405,
 * `ret_allow` lists the methods, in the arena). */
int dispatch_match(struct arena *a, const char *method, const char *path,
		   const char *params[ROUTE_MAX_PARAMS], const char **ret_allow);

/* Who sent the request, for the per-client limit of rate_limited routes. */
struct dispatch_client {
	struct ratelimit *limiter; /* NULL: no limit; borrowed */
	struct ratelimit_key key;
};

/* Runs the request. `client` may be NULL (no limit); `body` is the raw
 * body (may be NULL), `body_too_large` set when the transport stopped
 * reading it at the limit. */
void dispatch_run(struct request *req, const struct dispatch_client *client, const char *body,
		  size_t body_len, bool body_too_large, struct reply *out);

/* What dispatch_run does once it found route `rt` (metrics slot `slot`):
 * the limit, auth, body, If-Match, the handler and the reply. Separate so
 * that tests can run a route of their own. */
void dispatch_route(struct request *req, const struct route *rt, size_t slot,
		    const struct dispatch_client *client, const char *body, size_t body_len,
		    bool body_too_large, struct reply *out);

/* Replaces a successful `out` by the problem+json of `code`, for what the
 * transport refuses after the handler ran (a stream over its limits).
 * req->err may carry the detail. */
void dispatch_problem(struct request *req, int code, struct reply *out);

#endif
