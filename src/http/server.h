/* The HTTP server: libmicrohttpd with epoll and a thread pool sized to the
 * cores, request bodies capped at the configured limit, a request id on
 * every request, one access-log line per request (a stream's when it
 * starts), streamed responses (http/stream.h), and a graceful stop that ends
 * open streams and lets in-flight requests finish. */
#ifndef CAL_HTTP_SERVER_H
#define CAL_HTTP_SERVER_H

#include "service/app.h"

struct http_server;

int http_server_start(struct app *app, struct http_server **ret);
/* Stops accepting, waits up to `grace_seconds` for in-flight requests,
 * then stops. */
void http_server_stop(struct http_server *s, unsigned grace_seconds);

#endif
