/* What every handler's answer shares: moving a rendered body into the
 * request's arena, and the `limit` query parameter of a list. */
#ifndef CAL_API_RESPOND_H
#define CAL_API_RESPOND_H

#include "api/handler.h"
#include "base/strbuf.h"

/* Sets `res` to `out`'s text (copied into the request's arena) with
 * `status` and `content_type`, unless `err` (the writer's error) is set;
 * releases `out` either way. Returns err, CAL_E_NOMEM, or 0. */
int api_respond_text(struct request *req, struct response *res, int status,
		     const char *content_type, struct strbuf *out, int err);

/* ?limit=: absent → *ret = 0 (the service's default); otherwise a whole
 * number from 1 to max, or a field error naming "limit". */
int api_query_limit(struct request *req, unsigned max, unsigned *ret);

#endif
