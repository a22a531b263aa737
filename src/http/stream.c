/* The stream hub: a list of open streams under one lock, and a thread that
 * wakes them.
 *
 * Suspending and resuming follow one rule: `suspended` is set under the
 * hub's lock in the same critical section as MHD_suspend_connection, and
 * whoever clears it (the hub's thread, stop) is the one that calls
 * MHD_resume_connection, after dropping the lock. So a connection is never
 * resumed before it was suspended, nor resumed twice, and a suspended
 * connection cannot go away in between (libmicrohttpd does not touch it
 * until it is resumed). A wake-up that arrives while the reader is running
 * leaves its flags behind; the reader sees them when it would suspend and
 * resumes at once instead of sleeping through them. */
#include "http/stream.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/errors.h"

enum { STREAM_BLOCK_BYTES = 32 * 1024 };

struct stream {
	struct stream_hub *hub;
	struct MHD_Connection *conn;
	struct response_stream producer;
	char *owner;
	unsigned flags;   /* STREAM_* wake-ups not yet given to the producer */
	bool suspended;
	double last_sent; /* monotonic seconds */
	struct stream *prev, *next;
};

struct stream_hub {
	struct stream_hub_options o;
	pthread_mutex_t lock;
	struct stream *head; /* open streams */
	unsigned count;
	bool stopping;
	struct cal_bell own_bell; /* waited on when no bell was given */
	struct cal_bell *bell;
	pthread_t thread;
	bool thread_started;
	struct MHD_Connection **to_resume; /* max_total slots, used by one resumer at a time */
	pthread_mutex_t resume_lock;
};

static void unlink_stream(struct stream_hub *h, struct stream *st)
{
	if (st->prev)
		st->prev->next = st->next;
	else
		h->head = st->next;
	if (st->next)
		st->next->prev = st->prev;
	h->count--;
}

/* libmicrohttpd's free callback: the connection is done with the response. */
static void stream_release(void *cls)
{
	struct stream *st = cls;
	struct stream_hub *h = st->hub;
	pthread_mutex_lock(&h->lock);
	unlink_stream(h, st);
	pthread_mutex_unlock(&h->lock);
	st->producer.free(st->producer.state);
	free(st->owner);
	free(st);
}

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *st = cls;
	struct stream_hub *h = st->hub;
	pthread_mutex_lock(&h->lock);
	bool stopping = h->stopping;
	unsigned flags = st->flags;
	st->flags = 0;
	pthread_mutex_unlock(&h->lock);
	if (stopping)
		return MHD_CONTENT_READER_END_OF_STREAM;
	long n = st->producer.read(st->producer.state, buf, max, flags);
	if (n < 0 || (size_t)n > max)
		return MHD_CONTENT_READER_END_OF_STREAM;
	pthread_mutex_lock(&h->lock);
	if (n > 0) {
		st->last_sent = cal_monotonic_seconds();
	} else if (h->stopping) {
		n = MHD_CONTENT_READER_END_OF_STREAM;
	} else {
		/* Returning 0 without suspending would have the pool thread
		 * call us again and again. */
		st->suspended = true;
		MHD_suspend_connection(st->conn);
		if (st->flags) {
			st->suspended = false;
			MHD_resume_connection(st->conn);
		}
	}
	pthread_mutex_unlock(&h->lock);
	return n;
}

/* Gives the streams the flags `pick` chooses for them and resumes the
 * suspended ones among them; `stop` ends them all instead. */
static void wake(struct stream_hub *h, unsigned (*pick)(const struct stream_hub *, const struct stream *, double),
		 bool stop)
{
	pthread_mutex_lock(&h->resume_lock);
	size_t n = 0;
	double now = cal_monotonic_seconds();
	pthread_mutex_lock(&h->lock);
	if (stop)
		h->stopping = true;
	for (struct stream *st = h->head; st; st = st->next) {
		unsigned f = stop ? STREAM_CHECK : pick(h, st, now);
		if (!f)
			continue;
		st->flags |= f;
		if (st->suspended) {
			st->suspended = false;
			h->to_resume[n++] = st->conn;
		}
	}
	pthread_mutex_unlock(&h->lock);
	for (size_t i = 0; i < n; i++)
		MHD_resume_connection(h->to_resume[i]);
	pthread_mutex_unlock(&h->resume_lock);
}

static unsigned pick_checked(const struct stream_hub *h, const struct stream *st, double now)
{
	unsigned f = STREAM_CHECK;
	if (now - st->last_sent >= h->o.keepalive_ms / 1000.0)
		f |= STREAM_KEEPALIVE;
	return f;
}

static unsigned pick_quiet(const struct stream_hub *h, const struct stream *st, double now)
{
	return now - st->last_sent >= h->o.keepalive_ms / 1000.0 ? STREAM_KEEPALIVE : 0;
}

static bool hub_stopping(struct stream_hub *h)
{
	pthread_mutex_lock(&h->lock);
	bool v = h->stopping;
	pthread_mutex_unlock(&h->lock);
	return v;
}

/* Wakes every stream on a ring and every poll interval, the quiet ones
 * for their keep-alive; checks at least once a second. */
static void *hub_main(void *arg)
{
	struct stream_hub *h = arg;
	uint64_t seen = 0;
	double next_poll = cal_monotonic_seconds() + h->o.poll_ms / 1000.0;
	while (!hub_stopping(h)) {
		double left = next_poll - cal_monotonic_seconds();
		int64_t wait_ms = left <= 0 ? 0 : left >= 1.0 ? 1000 : (int64_t)(left * 1000.0) + 1;
		uint64_t before = seen;
		if (!cal_bell_wait(h->bell, &seen, wait_ms) && h->bell != &h->own_bell) {
			/* The bell stopped for good (its owner is shutting down):
			 * polling alone from now on. */
			h->bell = &h->own_bell;
			seen = 0;
		}
		double now = cal_monotonic_seconds();
		bool check = seen != before || now >= next_poll;
		if (now >= next_poll)
			next_poll = now + h->o.poll_ms / 1000.0;
		wake(h, check ? pick_checked : pick_quiet, false);
	}
	return NULL;
}

int stream_hub_start(const struct stream_hub_options *o, struct stream_hub **ret)
{
	struct stream_hub *h = calloc(1, sizeof *h);
	if (!h)
		return CAL_E_NOMEM;
	h->o = *o;
	h->to_resume = calloc(o->max_total + 1, sizeof *h->to_resume);
	if (!h->to_resume) {
		free(h);
		return CAL_E_NOMEM;
	}
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_init(&h->resume_lock, NULL);
	cal_bell_init(&h->own_bell);
	h->bell = o->bell ? o->bell : &h->own_bell;
	if (pthread_create(&h->thread, NULL, hub_main, h) != 0) {
		stream_hub_free(h);
		return CAL_E_INTERNAL;
	}
	h->thread_started = true;
	*ret = h;
	return 0;
}

static unsigned owner_count(const struct stream_hub *h, const char *owner)
{
	unsigned n = 0;
	for (const struct stream *st = h->head; st; st = st->next)
		n += strcmp(st->owner, owner) == 0;
	return n;
}

int stream_hub_open(struct stream_hub *h, struct MHD_Connection *conn, const struct response_stream *producer,
		    struct MHD_Response **ret, const char **ret_why)
{
	struct stream *st = calloc(1, sizeof *st);
	char *owner = strdup(producer->owner ? producer->owner : "");
	if (!st || !owner) {
		free(st);
		free(owner);
		producer->free(producer->state);
		*ret_why = "out of memory";
		return CAL_E_NOMEM;
	}
	*st = (struct stream){ .hub = h, .conn = conn, .producer = *producer, .owner = owner,
			       .flags = STREAM_CHECK, .last_sent = cal_monotonic_seconds() };
	int r = 0;
	pthread_mutex_lock(&h->lock);
	if (h->stopping) {
		r = CAL_E_BUSY;
		*ret_why = "the server is shutting down";
	} else if (h->count >= h->o.max_total) {
		r = CAL_E_TOO_MANY;
		*ret_why = "the server has as many notification streams open as it allows";
	} else if (owner_count(h, owner) >= h->o.max_per_owner) {
		r = CAL_E_TOO_MANY;
		*ret_why = "you have as many notification streams open as allowed; close one";
	} else {
		st->next = h->head;
		if (h->head)
			h->head->prev = st;
		h->head = st;
		h->count++;
	}
	pthread_mutex_unlock(&h->lock);
	if (r < 0) {
		producer->free(producer->state);
		free(owner);
		free(st);
		return r;
	}
	struct MHD_Response *resp =
		MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK_BYTES, stream_reader, st, stream_release);
	if (!resp) {
		stream_release(st);
		*ret_why = "out of memory";
		return CAL_E_NOMEM;
	}
	*ret = resp;
	return 0;
}

void stream_hub_stop(struct stream_hub *h)
{
	if (!h)
		return;
	wake(h, NULL, true);
	/* A ring is "look again" to any waiter; here it ends our thread's
	 * wait, on whichever bell it waits. */
	cal_bell_ring(h->o.bell);
	cal_bell_ring(&h->own_bell);
	if (h->thread_started) {
		pthread_join(h->thread, NULL);
		h->thread_started = false;
	}
}

bool stream_hub_wait_idle(struct stream_hub *h, unsigned timeout_ms)
{
	for (unsigned waited = 0;; waited += 10) {
		pthread_mutex_lock(&h->lock);
		unsigned n = h->count;
		pthread_mutex_unlock(&h->lock);
		if (n == 0)
			return true;
		if (waited >= timeout_ms)
			return false;
		usleep(10 * 1000);
	}
}

void stream_hub_free(struct stream_hub *h)
{
	if (!h)
		return;
	stream_hub_stop(h);
	pthread_mutex_destroy(&h->resume_lock);
	pthread_mutex_destroy(&h->lock);
	cal_bell_release(&h->own_bell);
	free(h->to_resume);
	free(h);
}
