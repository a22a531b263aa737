/* GET /api/v1/notifications/stream: the caller's new in-app notifications
 * as Server-Sent Events, produced through a response_stream
 * (api/handler.h): the transport calls stream_read when the client can
 * take more or when there may be news, and it never waits here.
 *
 * What was sent is a floor plus a set: every notification at or before
 * the floor (created_at, id) counts as sent, and so does every one in
 * `seen`. A look-up asks the service for what was created from the
 * floor's second on (notifications_since, oldest first) and sends what is
 * neither. A notification may be committed a little after its created_at
 * (by another process, say), so the floor trails the newest notification
 * seen by STREAM_LOOKBACK_S seconds; that also keeps `seen` small.
 *
 * An event's id is "<createdAt epoch seconds>.<uuid>". A client that comes
 * back with Last-Event-ID gets what follows it: the floor starts there.
 * Without one, the stream takes what exists as seen (the last
 * STREAM_LOOKBACK_S seconds) and sends only what arrives afterwards. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/notifications.h"
#include "base/log.h"
#include "base/uuid.h"
#include "service/notifications.h"

enum {
	STREAM_RETRY_MS = 3000,         /* the client's reconnection delay */
	STREAM_PAGE = 100,              /* notifications per look-up */
	STREAM_LOOKBACK_S = 60,
	STREAM_SEEN_MAX = 4096,
	STREAM_BATCH_BYTES = 64 * 1024, /* a catch-up stops looking up past this, sends, goes on */
	STREAM_OUT_MAX = 8 * 1024 * 1024,
};

struct sent {
	int64_t at;
	cal_uuid id;
};

struct notification_stream {
	struct app *app;
	cal_uuid user_id;
	char rid[33];
	bool started;  /* the retry line went out */
	bool primed;   /* what existed at the start is in `seen` (or Last-Event-ID said) */
	bool backlog;  /* the last look-up filled a page: more may follow */
	bool failing;  /* the last look-up failed (logged once) */
	int64_t floor_at;
	cal_uuid floor_id; /* empty: nothing at floor_at itself is covered by the floor */
	struct sent *seen;
	size_t n_seen, seen_alloc;
	struct strbuf out; /* the bytes to send, from out_off */
	size_t out_off;
};

static bool under_floor(const struct notification_stream *ns, int64_t at, const char *id)
{
	return at < ns->floor_at ||
	       (at == ns->floor_at && ns->floor_id.s[0] && strcmp(id, ns->floor_id.s) <= 0);
}

static bool was_sent(const struct notification_stream *ns, const struct cal_notification *n)
{
	if (under_floor(ns, n->created_at, n->id.s))
		return true;
	for (size_t i = 0; i < ns->n_seen; i++)
		if (ns->seen[i].at == n->created_at && strcmp(ns->seen[i].id.s, n->id.s) == 0)
			return true;
	return false;
}

/* Moves the floor up to (at, id) (id NULL: the start of that second) and
 * forgets what it now covers. */
static void floor_raise(struct notification_stream *ns, int64_t at, const char *id)
{
	ns->floor_at = at;
	ns->floor_id.s[0] = '\0';
	if (id)
		memcpy(ns->floor_id.s, id, sizeof ns->floor_id.s);
	size_t k = 0;
	for (size_t i = 0; i < ns->n_seen; i++)
		if (!under_floor(ns, ns->seen[i].at, ns->seen[i].id.s))
			ns->seen[k++] = ns->seen[i];
	ns->n_seen = k;
}

static int seen_add(struct notification_stream *ns, const struct cal_notification *n)
{
	/* Rows come oldest first (then by id): when the set is full, the floor
	 * can take over everything up to this one. */
	if (ns->n_seen == STREAM_SEEN_MAX) {
		floor_raise(ns, n->created_at, n->id.s);
		return 0;
	}
	if (ns->n_seen == ns->seen_alloc) {
		size_t alloc = ns->seen_alloc ? ns->seen_alloc * 2 : 16;
		struct sent *grown = realloc(ns->seen, alloc * sizeof *grown);
		if (!grown)
			return CAL_E_NOMEM;
		ns->seen = grown;
		ns->seen_alloc = alloc;
	}
	ns->seen[ns->n_seen++] = (struct sent){ .at = n->created_at, .id = n->id };
	return 0;
}

static void out_truncate(struct strbuf *out, size_t len)
{
	out->len = len;
	if (out->buf)
		out->buf[len] = '\0';
}

static int write_event(struct notification_stream *ns, const struct cal_notification *n)
{
	size_t mark = ns->out.len;
	int r = strbuf_printf(&ns->out, "id: %lld.%s\nevent: notification\ndata: ", (long long)n->created_at, n->id.s);
	struct jsonw w;
	jsonw_init(&w, &ns->out);
	if (r == 0) {
		notification_json_write(&w, n);
		r = w.err;
	}
	if (r == 0)
		r = strbuf_puts(&ns->out, "\n\n");
	if (r < 0)
		out_truncate(&ns->out, mark);
	return r;
}

/* One page from the floor on: sends what is new, then moves the floor. */
static int look_up(struct notification_stream *ns)
{
	_cleanup_(arena_freep) struct arena *a = arena_new();
	if (!a)
		return CAL_E_NOMEM;
	struct cal_notification *rows;
	size_t n;
	int r = notifications_since(ns->app, a, ns->user_id.s, ns->floor_at, STREAM_PAGE, &rows, &n);
	if (r < 0)
		return r;
	int64_t newest = ns->floor_at;
	for (size_t i = 0; i < n; i++) {
		const struct cal_notification *x = &rows[i];
		newest = x->created_at > newest ? x->created_at : newest;
		if (was_sent(ns, x))
			continue;
		if (ns->primed && write_event(ns, x) < 0 && ns->out.len > 0) {
			/* Full: send what is there, this one comes next time.
			 * (One that does not fit alone is skipped.) */
			ns->backlog = true;
			return 0;
		}
		if ((r = seen_add(ns, x)) < 0)
			return r;
	}
	if (n == STREAM_PAGE) {
		/* Page on from the last one's second; a full page within one
		 * second leaves the rest of that second out. */
		int64_t last = rows[n - 1].created_at;
		floor_raise(ns, last > ns->floor_at ? last : ns->floor_at + 1, NULL);
		ns->backlog = true;
		return 0;
	}
	ns->backlog = false;
	ns->primed = true;
	if (newest - STREAM_LOOKBACK_S > ns->floor_at)
		floor_raise(ns, newest - STREAM_LOOKBACK_S, NULL);
	return 0;
}

/* Looks up until caught up or a batch is ready. A failure (the store is
 * away) keeps the stream open: the next wake-up tries again. */
static void fill(struct notification_stream *ns)
{
	int r;
	do
		r = look_up(ns);
	while (r == 0 && ns->backlog && ns->out.len < STREAM_BATCH_BYTES);
	if (r < 0 && !ns->failing)
		log_warn(ns->rid, "notification stream look-up failed", json_pack("{s:s}", "code", cal_error_code(r)));
	ns->failing = r < 0;
}

static long stream_read(void *state, char *buf, size_t max, unsigned flags)
{
	struct notification_stream *ns = state;
	if (ns->out_off == ns->out.len) {
		out_truncate(&ns->out, 0);
		ns->out_off = 0;
		if (!ns->started) {
			ns->started = true;
			flags |= STREAM_CHECK;
			if (strbuf_printf(&ns->out, "retry: %d\n\n", STREAM_RETRY_MS) < 0)
				return STREAM_END;
		}
		if ((flags & STREAM_CHECK) || ns->backlog)
			fill(ns);
		if (ns->out.len == 0 && (flags & STREAM_KEEPALIVE) && strbuf_puts(&ns->out, ": keepalive\n\n") < 0)
			return STREAM_END;
	}
	size_t n = ns->out.len - ns->out_off;
	if (n > max)
		n = max;
	if (n)
		memcpy(buf, ns->out.buf + ns->out_off, n);
	ns->out_off += n;
	return (long)n;
}

static void stream_free(void *state)
{
	struct notification_stream *ns = state;
	if (!ns)
		return;
	strbuf_release(&ns->out);
	free(ns->seen);
	free(ns);
}

/* "<epoch seconds>.<uuid>", as the stream writes them. */
static bool event_id_parse(const char *text, int64_t *ret_at, cal_uuid *ret_id)
{
	if (text[0] < '0' || text[0] > '9')
		return false;
	char *end;
	errno = 0;
	long long at = strtoll(text, &end, 10);
	cal_uuid id;
	if (errno || *end != '.' || !cal_uuid_parse(end + 1, &id))
		return false;
	*ret_at = at;
	*ret_id = id;
	return true;
}

int api_notifications_stream(struct request *req, struct response *res)
{
	const char *last = req->header(req, "Last-Event-ID");
	int64_t last_at = 0;
	cal_uuid last_id;
	if (last && *last && !event_id_parse(last, &last_at, &last_id))
		return cal_error_field(req->err, "Last-Event-ID", "must be the id of an event of this stream");
	struct notification_stream *ns = calloc(1, sizeof *ns);
	if (!ns)
		return CAL_E_NOMEM;
	ns->app = req->app;
	ns->user_id = req->who->user_id;
	snprintf(ns->rid, sizeof ns->rid, "%s", req->rid);
	ns->out = (struct strbuf)STRBUF_INIT(STREAM_OUT_MAX);
	if (last && *last) {
		ns->primed = true;
		ns->floor_at = last_at;
		ns->floor_id = last_id;
	} else {
		ns->floor_at = cal_clock_now(&req->app->clock) - STREAM_LOOKBACK_S;
	}
	res->status = 200;
	res->content_type = "text/event-stream";
	res->cache_control = "no-store";
	res->stream = (struct response_stream){ .read = stream_read, .free = stream_free, .state = ns,
						.owner = ns->user_id.s };
	return 0;
}
