/* Long-lived streamed responses (Server-Sent Events) on libmicrohttpd's
 * thread pool without a thread, or a blocked pool thread, per stream.
 *
 * A stream's content reader runs its producer (api/handler.h, struct
 * response_stream); when the producer has nothing to send, the reader
 * suspends the connection and returns 0. The hub's one thread resumes
 * suspended streams when there may be news (the bell rang, or the poll
 * interval passed: another process may have written) and when a stream
 * has been quiet for the keep-alive interval. Stopping the hub ends every
 * stream and resumes the parked ones, so that no connection is suspended
 * when the daemon stops. Thread-safe. Internal to http/. */
#ifndef CAL_HTTP_STREAM_H
#define CAL_HTTP_STREAM_H

#include <microhttpd.h>
#include <stdbool.h>

#include "api/handler.h"
#include "base/bell.h"

struct stream_hub;

struct stream_hub_options {
	struct cal_bell *bell;  /* rung when news may exist; NULL: polling only. Borrowed:
				 * must outlive stream_hub_stop */
	unsigned poll_ms;       /* STREAM_CHECK at least this often */
	unsigned keepalive_ms;  /* STREAM_KEEPALIVE after this long without a byte sent */
	unsigned max_total;     /* open streams, all owners */
	unsigned max_per_owner; /* open streams of one owner */
};

int stream_hub_start(const struct stream_hub_options *o, struct stream_hub **ret);

/* Registers a stream for `conn` and makes its response (to queue, then
 * destroy: the connection keeps it). Takes ownership of the producer's
 * state in every case: on failure it is freed here. CAL_E_TOO_MANY over a
 * cap, CAL_E_BUSY once the hub is stopping; `ret_why` says which (static). */
int stream_hub_open(struct stream_hub *h, struct MHD_Connection *conn, const struct response_stream *producer,
		    struct MHD_Response **ret, const char **ret_why);

/* Ends every stream: from now on readers end their body instead of
 * suspending, the suspended ones are resumed to do so, and new streams
 * are refused. Joins the hub's thread. Call before MHD_stop_daemon. */
void stream_hub_stop(struct stream_hub *h);

/* Waits up to `timeout_ms` until every stream was released; true if so. */
bool stream_hub_wait_idle(struct stream_hub *h, unsigned timeout_ms);

/* After MHD_stop_daemon (which releases the streams still open). Accepts NULL. */
void stream_hub_free(struct stream_hub *h);

#endif
