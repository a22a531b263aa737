/* libmicrohttpd glue. The access handler only collects the body (capped)
 * and hands a complete request to the dispatcher; everything about routes,
 * auth and errors happens there. */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "http/dispatch.h"
#include "http/ratelimit.h"
#include "http/stream.h"

struct http_server {
	struct app *app;
	struct MHD_Daemon *daemon;
	atomic_int in_flight;
	const char **metric_labels;
	struct stream_hub *streams;
	struct ratelimit *limiter; /* NULL: public routes are not limited */
};

/* How often open streams look for news written by other processes. */
enum { STREAM_POLL_MS = 2000 };

/* Per-request state between libmicrohttpd's calls. */
struct exchange {
	struct http_server *server;
	struct arena *arena;
	char rid[33];
	double started;
	struct strbuf body;
	bool too_large;
	bool streaming; /* a stream: no longer counted in in_flight */
	struct MHD_Response *stream_response;
};

static void new_request_id(char rid[33])
{
	uint8_t raw[16];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(rid, 33, raw, sizeof raw);
}

/* A client's X-Request-Id is kept when it is short and plain. */
static void pick_request_id(struct MHD_Connection *conn, char rid[33])
{
	const char *given = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
	size_t n = given ? strlen(given) : 0;
	bool ok = n >= 8 && n <= 32;
	for (size_t i = 0; ok && i < n; i++)
		ok = (given[i] >= 'a' && given[i] <= 'z') || (given[i] >= 'A' && given[i] <= 'Z') ||
		     (given[i] >= '0' && given[i] <= '9') || given[i] == '-' || given[i] == '_';
	if (ok)
		memcpy(rid, given, n + 1);
	else
		new_request_id(rid);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static const char *header_lookup(const struct request *req, const char *name)
{
	return MHD_lookup_connection_value(req->transport, MHD_HEADER_KIND, name);
}

static const char *query_lookup(const struct request *req, const char *name)
{
	return MHD_lookup_connection_value(req->transport, MHD_GET_ARGUMENT_KIND, name);
}

/* Percent-decoding that keeps "%00" as it is: a NUL would cut paths and
 * values short where C sees them, turning a bad id into another route. */
static size_t unescape_keeping_nul(void *cls, struct MHD_Connection *conn, char *s)
{
	char *out = s;
	for (const char *in = s; *in; in++) {
		int hi, lo;
		if (in[0] == '%' && (hi = hex_value(in[1])) >= 0 && (lo = hex_value(in[2])) >= 0 &&
		    (hi | lo) != 0) {
			*out++ = (char)(hi * 16 + lo);
			in += 2;
		} else {
			*out++ = *in;
		}
	}
	*out = '\0';
	return (size_t)(out - s);
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct exchange *x, struct reply *out)
{
	struct MHD_Response *resp = x->stream_response;
	x->stream_response = NULL;
	if (resp)
		/* nginx would otherwise hold the events in its buffer. */
		MHD_add_response_header(resp, "X-Accel-Buffering", "no");
	else
		resp = MHD_create_response_from_buffer(out->body_len, out->body ? out->body : (char *)"",
						       out->body_owned ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
	if (out->body_owned)
		free(out->body);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "X-Request-Id", x->rid);
	if (out->content_type && out->status != 204)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, out->content_type);
	if (out->etag)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, out->etag);
	if (out->location)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, out->location);
	if (out->replayed)
		MHD_add_response_header(resp, "Idempotent-Replayed", "true");
	if (out->allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, out->allow);
	if (out->www_authenticate)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, out->www_authenticate);
	if (out->retry_after) {
		char seconds[16];
		snprintf(seconds, sizeof seconds, "%u", out->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, seconds);
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, out->cache_control ? out->cache_control : "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	enum MHD_Result ok = MHD_queue_response(conn, (unsigned)out->status, resp);
	MHD_destroy_response(resp);
	return ok;
}

static void log_access(struct exchange *x, const char *method, const struct reply *out, double seconds)
{
	/* The route pattern, never the raw path: paths can carry secrets
	 * (feed URLs, signed links). */
	if (!log_enabled(LOG_INFO))
		return;
	log_info(x->rid, "request",
		 json_pack("{s:s, s:s, s:i, s:f}", "method", method, "route", out->route_label,
			   "status", out->status, "ms", seconds * 1000.0));
}

/* A streamed reply goes to the hub, which may refuse it (429, or 503 while
 * stopping). Once open it no longer counts as in flight: streams are ended
 * at shutdown and must not hold the grace period. */
static void stream_start(struct http_server *s, struct MHD_Connection *conn, struct exchange *x,
			 struct request *req, struct reply *out)
{
	const char *why = NULL;
	int r = stream_hub_open(s->streams, conn, &out->stream, &x->stream_response, &why);
	out->stream = (struct response_stream){ 0 };
	if (r < 0) {
		cal_error_set(req->err, r, why);
		dispatch_problem(req, r, out);
		return;
	}
	x->streaming = true;
	atomic_fetch_sub(&s->in_flight, 1);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_size, void **con_cls)
{
	struct http_server *s = cls;
	struct exchange *x = *con_cls;
	if (!x) {
		x = calloc(1, sizeof *x);
		if (!x)
			return MHD_NO;
		x->server = s;
		x->arena = arena_new();
		x->started = cal_monotonic_seconds();
		x->body = (struct strbuf)STRBUF_INIT(s->app->config->limits.body_max);
		pick_request_id(conn, x->rid);
		atomic_fetch_add(&s->in_flight, 1);
		*con_cls = x;
		return x->arena ? MHD_YES : MHD_NO;
	}
	if (*upload_size) {
		/* Past the cap the rest is read and dropped, so the client gets
		 * a 413 instead of a reset connection. */
		if (!x->too_large && strbuf_add(&x->body, upload_data, *upload_size) < 0)
			x->too_large = true;
		*upload_size = 0;
		return MHD_YES;
	}
	struct cal_error err = { 0 };
	struct request req = { .app = s->app, .arena = x->arena, .rid = x->rid, .method = method,
			       .path = url, .err = &err, .header = header_lookup,
			       .query = query_lookup, .transport = conn };
	/* The TCP peer: X-Forwarded-For is whatever the client wants it to be. */
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct dispatch_client client = { .limiter = s->limiter,
					  .key = ratelimit_key_of(ci ? ci->client_addr : NULL) };
	struct reply out = { 0 };
	dispatch_run(&req, &client, x->body.buf, x->body.len, x->too_large, &out);
	if (out.stream.read)
		stream_start(s, conn, x, &req, &out);
	double seconds = cal_monotonic_seconds() - x->started;
	metrics_observe(s->app->metrics, out.metrics_slot, out.status, seconds);
	log_access(x, method, &out, seconds);
	return send_reply(conn, x, &out);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct exchange *x = *con_cls;
	if (!x)
		return;
	strbuf_release(&x->body);
	arena_free(x->arena);
	bool streaming = x->streaming;
	free(x);
	*con_cls = NULL;
	if (!streaming)
		atomic_fetch_sub(&s->in_flight, 1);
}

__attribute__((format(printf, 2, 0))) static void on_mhd_error(void *cls, const char *fmt, va_list ap)
{
	char text[512];
	vsnprintf(text, sizeof text, fmt, ap);
	text[strcspn(text, "\n")] = '\0';
	log_warn(NULL, "http", json_pack("{s:s}", "detail", text));
}

int http_server_start(struct app *app, struct http_server **ret)
{
	struct http_server *s = calloc(1, sizeof *s);
	if (!s)
		return CAL_E_NOMEM;
	s->app = app;
	s->metric_labels = calloc(api_routes_count + 1, sizeof *s->metric_labels);
	/* Label sets "route=...,method=...": routes share paths across methods. */
	for (size_t i = 0; s->metric_labels && i < api_routes_count; i++) {
		char *label = NULL;
		if (asprintf(&label, "route=\"%s\",method=\"%s\"", api_routes[i].path, api_routes[i].method) < 0)
			label = strdup("route=\"?\"");
		s->metric_labels[i] = label ? label : "";
	}
	if (s->metric_labels)
		s->metric_labels[api_routes_count] = "route=\"unmatched\"";
	app->metrics = metrics_new(s->metric_labels, api_routes_count + 1);

	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(app->config->listen_port) };
	if (inet_pton(AF_INET, app->config->listen_host, &addr.sin_addr) != 1) {
		free(s->metric_labels);
		free(s);
		return CAL_E_INVALID;
	}
	const struct stream_hub_options so = {
		.bell = app->notification_bell, .poll_ms = STREAM_POLL_MS,
		.keepalive_ms = app->config->sse_keepalive_s * 1000u, .max_total = app->config->limits.streams_max,
		.max_per_owner = app->config->limits.streams_per_user_max,
	};
	if (stream_hub_start(&so, &s->streams) < 0)
		s->streams = NULL;
	const struct ratelimit_options ro = { .per_minute = app->config->limits.public_rate_per_minute,
					      .burst = app->config->limits.public_rate_burst,
					      .entries = RATELIMIT_ENTRIES };
	bool ready = s->streams && (ro.per_minute == 0 || ro.burst == 0 || ratelimit_new(&ro, &s->limiter) == 0);
	/* Suspend/resume: streams park their connection while they wait. */
	s->daemon = !ready ? NULL : MHD_start_daemon(
		MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0, NULL, NULL,
		on_request, s, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned)app->config->threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_error, s,
		MHD_OPTION_UNESCAPE_CALLBACK, unescape_keeping_nul, NULL,
		MHD_OPTION_END);
	if (!s->daemon) {
		ratelimit_free(s->limiter);
		stream_hub_free(s->streams);
		metrics_free(app->metrics);
		app->metrics = NULL;
		free(s->metric_labels);
		free(s);
		return CAL_E_INTERNAL;
	}
	*ret = s;
	return 0;
}

void http_server_stop(struct http_server *s, unsigned grace_seconds)
{
	if (!s)
		return;
	MHD_quiesce_daemon(s->daemon);
	/* Streams end first: their readers finish the body instead of
	 * suspending, and none may be suspended when the daemon stops. */
	stream_hub_stop(s->streams);
	for (unsigned i = 0; i < grace_seconds * 20 && atomic_load(&s->in_flight) > 0; i++)
		usleep(50 * 1000);
	stream_hub_wait_idle(s->streams, 1000);
	MHD_stop_daemon(s->daemon);
	stream_hub_free(s->streams);
	ratelimit_free(s->limiter);
	metrics_free(s->app->metrics);
	s->app->metrics = NULL;
	for (size_t i = 0; i < api_routes_count; i++)
		if (*s->metric_labels[i])
			free((char *)s->metric_labels[i]);
	free(s->metric_labels);
	free(s);
}
