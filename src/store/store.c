/* The generic half of the store: picks the backend from the URL, pools
 * connections, and forwards each call to the backend's table. */
#include "store/backend.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/errors.h"
#include "base/strbuf.h"
#include <inttypes.h>

enum { ACQUIRE_TIMEOUT_SECONDS = 10 };

struct store {
	const struct store_ops *ops;
	char *url;
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct store_conn *free_list;
	unsigned open, max;
};

static const struct store_ops *backend_for(const char *url)
{
	if (strncmp(url, "sqlite:", 7) == 0)
		return &store_sqlite_ops;
	if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
		return &store_pg_ops;
	return NULL;
}

int store_open(const char *url, unsigned pool_size, struct store **ret_store)
{
	const struct store_ops *ops = backend_for(url);
	if (!ops || pool_size == 0)
		return CAL_E_INVALID;
	struct store *s = calloc(1, sizeof *s);
	if (!s)
		return CAL_E_NOMEM;
	s->ops = ops;
	s->url = strdup(url);
	s->max = pool_size;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->freed, NULL);
	/* One connection now, so a wrong URL fails at start-up, not at the
	 * first request. */
	struct store_conn *c;
	int r = store_acquire(s, &c);
	if (r < 0) {
		store_close(s);
		return r;
	}
	store_release(c);
	*ret_store = s;
	return 0;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (struct store_conn *c = s->free_list, *next; c; c = next) {
		next = c->next_free;
		s->ops->disconnect(c);
	}
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->freed);
	free(s->url);
	free(s);
}

enum store_backend store_backend(const struct store *s) { return s->ops->backend; }

int store_acquire(struct store *s, struct store_conn **ret_conn)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += ACQUIRE_TIMEOUT_SECONDS;

	pthread_mutex_lock(&s->lock);
	while (!s->free_list && s->open >= s->max) {
		if (pthread_cond_timedwait(&s->freed, &s->lock, &deadline) == ETIMEDOUT) {
			pthread_mutex_unlock(&s->lock);
			return CAL_E_BUSY;
		}
	}
	struct store_conn *c = s->free_list;
	if (c) {
		s->free_list = c->next_free;
		pthread_mutex_unlock(&s->lock);
		*ret_conn = c;
		return 0;
	}
	s->open++; /* reserve the slot, connect outside the lock */
	pthread_mutex_unlock(&s->lock);

	int r = s->ops->connect(s->url, &c);
	if (r < 0) {
		pthread_mutex_lock(&s->lock);
		s->open--;
		pthread_cond_signal(&s->freed);
		pthread_mutex_unlock(&s->lock);
		return r;
	}
	c->ops = s->ops;
	c->owner = s;
	*ret_conn = c;
	return 0;
}

void store_release(struct store_conn *c)
{
	if (!c)
		return;
	struct store *s = c->owner;
	if (c->in_tx) {
		c->ops->rollback(c);
		c->in_tx = false;
	}
	bool drop = c->ops->broken(c);
	if (drop)
		c->ops->disconnect(c);
	pthread_mutex_lock(&s->lock);
	if (drop) {
		s->open--;
	} else {
		c->next_free = s->free_list;
		s->free_list = c;
	}
	pthread_cond_signal(&s->freed);
	pthread_mutex_unlock(&s->lock);
}

int store_migrate(struct store *s, const char **ret_failed)
{
	struct store_conn *c;
	int r = store_acquire(s, &c);
	if (r < 0)
		return r;
	if (s->ops->backend == STORE_SQLITE)
		r = s->ops->migrate(c, store_sqlite_migrations, store_sqlite_migrations_count, ret_failed);
	else
		r = s->ops->migrate(c, store_pg_migrations, store_pg_migrations_count, ret_failed);
	store_release(c);
	return r;
}

int store_ping(struct store_conn *c) { return c->ops->ping(c); }

int store_begin(struct store_conn *c, bool write)
{
	int r = c->ops->begin(c, write);
	if (r == 0) {
		c->in_tx = true;
		c->tx_notes = 0;
	}
	return r;
}

int store_commit(struct store_conn *c)
{
	int r = c->ops->commit(c);
	if (r < 0)
		c->ops->rollback(c);
	c->in_tx = false;
	return r;
}

void store_rollback(struct store_conn *c)
{
	if (c->in_tx)
		c->ops->rollback(c);
	c->in_tx = false;
}

int store_company_insert(struct store_conn *c, const struct cal_company *co)
{
	return c->ops->company_insert(c, co);
}

int store_company_get(struct store_conn *c, struct arena *a, const char *id, struct cal_company *ret)
{
	return c->ops->company_get(c, a, id, false, ret);
}

int store_company_get_by_slug(struct store_conn *c, struct arena *a, const char *slug,
			      struct cal_company *ret)
{
	return c->ops->company_get(c, a, slug, true, ret);
}

int store_user_insert(struct store_conn *c, const struct cal_user *u) { return c->ops->user_insert(c, u); }

int store_user_get(struct store_conn *c, struct arena *a, const char *id, struct cal_user *ret)
{
	return c->ops->user_get(c, a, id, false, ret);
}

int store_user_get_by_email(struct store_conn *c, struct arena *a, const char *email,
			    struct cal_user *ret)
{
	return c->ops->user_get(c, a, email, true, ret);
}

int store_partner_insert(struct store_conn *c, const struct cal_partner *p)
{
	return c->ops->partner_insert(c, p);
}

int store_partner_get(struct store_conn *c, struct arena *a, const char *id, struct cal_partner *ret)
{
	return c->ops->partner_get(c, a, id, ret);
}

/* A save that arms an alarm wakes the scheduler after commit: the new
 * trigger may come before the one it sleeps until. */
static void note_alarms(struct store_conn *c, const struct cal_event *e)
{
	for (size_t i = 0; i < e->n_alarms; i++)
		if (e->alarms[i].armed)
			c->tx_notes |= STORE_NOTE_ALARM;
}

int store_event_insert(struct store_conn *c, const struct cal_event *e)
{
	int r = c->ops->event_insert(c, e);
	if (r == 0)
		note_alarms(c, e);
	return r;
}

int store_event_get(struct store_conn *c, struct arena *a, const char *id, struct cal_event *ret)
{
	return c->ops->event_get(c, a, id, ret);
}

int store_event_lock(struct store_conn *c, const char *id) { return c->ops->event_lock(c, id); }

int store_event_update(struct store_conn *c, const struct cal_event *e, int64_t expected_version)
{
	int r = c->ops->event_update(c, e, expected_version);
	if (r == 0)
		note_alarms(c, e);
	return r;
}

int store_event_delete(struct store_conn *c, const char *id, int64_t expected_version)
{
	return c->ops->event_delete(c, id, expected_version);
}

int store_events_range(struct store_conn *c, struct arena *a, const struct store_event_query *q,
		       struct store_event_page *ret)
{
	if (q->n_user_ids == 0 || q->limit == 0) {
		*ret = (struct store_event_page){ 0 };
		return 0;
	}
	return c->ops->events_range(c, a, q, ret);
}

int store_event_get_by_uid(struct store_conn *c, struct arena *a, const char *company_id,
			   const char *uid, struct cal_event *ret)
{
	return c->ops->event_get_by_uid(c, a, company_id, uid, ret);
}

int store_exceptions(struct store_conn *c, struct arena *a, const char *master_id, int64_t from,
		     int64_t to, struct store_event_page *ret)
{
	return c->ops->exceptions(c, a, master_id, from, to, ret);
}

char *store_exdates_format(const struct cal_event *e)
{
	if (!e->recurring || e->n_exdates == 0)
		return NULL;
	struct strbuf sb = STRBUF_INIT(64u * 1024 * 1024);
	int r = strbuf_puts(&sb, "[");
	for (size_t i = 0; r == 0 && i < e->n_exdates; i++)
		r = strbuf_printf(&sb, "%s%" PRId64, i ? "," : "", e->exdates[i]);
	if (r == 0)
		r = strbuf_puts(&sb, "]");
	if (r < 0) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

int store_exdates_parse(struct arena *a, const char *text, int64_t **ret, size_t *ret_n)
{
	*ret = NULL;
	*ret_n = 0;
	if (!text)
		return 0;
	size_t n = 0;
	for (const char *p = text; *p; p++)
		n += *p == ',';
	int64_t *list = arena_calloc(a, n + 1, sizeof *list);
	if (!list)
		return CAL_E_NOMEM;
	size_t k = 0;
	for (const char *p = text; *p && k <= n;) {
		while (*p && (*p < '0' || *p > '9') && *p != '-')
			p++;
		if (!*p)
			break;
		char *end;
		list[k++] = strtoll(p, &end, 10);
		p = end;
	}
	*ret = list;
	*ret_n = k;
	return 0;
}

int store_feed_put(struct store_conn *c, const char *user_id, const char *token_hash, int64_t now)
{
	return c->ops->feed_put(c, user_id, token_hash, now);
}

int store_feed_user(struct store_conn *c, struct arena *a, const char *token_hash,
		    const char **ret_user_id)
{
	return c->ops->feed_user(c, a, token_hash, ret_user_id);
}

int store_feed_delete(struct store_conn *c, const char *user_id)
{
	return c->ops->feed_delete(c, user_id);
}

int store_activity_insert(struct store_conn *c, const struct cal_activity *act)
{
	return c->ops->activity_insert(c, act);
}

int store_activity_get(struct store_conn *c, struct arena *a, const char *id,
		       struct cal_activity *ret)
{
	return c->ops->activity_get(c, a, id, ret);
}

int store_activity_lock(struct store_conn *c, const char *id) { return c->ops->activity_lock(c, id); }

int store_activity_update(struct store_conn *c, const struct cal_activity *act,
			  int64_t expected_version)
{
	return c->ops->activity_update(c, act, expected_version);
}

int store_activity_delete(struct store_conn *c, const char *id, int64_t expected_version)
{
	return c->ops->activity_delete(c, id, expected_version);
}

int store_activities_list(struct store_conn *c, struct arena *a,
			  const struct store_activity_query *q, struct store_activity_page *ret)
{
	if (q->limit == 0) {
		*ret = (struct store_activity_page){ 0 };
		return 0;
	}
	return c->ops->activities_list(c, a, q, ret);
}

int store_appointment_type_insert(struct store_conn *c, const struct cal_appointment_type *t)
{
	return c->ops->appointment_type_insert(c, t);
}

int store_appointment_type_get(struct store_conn *c, struct arena *a, const char *id,
			       struct cal_appointment_type *ret)
{
	if (!cal_uuid_valid(id))
		return CAL_E_NOT_FOUND;
	return c->ops->appointment_type_get(c, a, id, ret);
}

int store_appointment_type_update(struct store_conn *c, const struct cal_appointment_type *t,
				  int64_t expected_version)
{
	return c->ops->appointment_type_update(c, t, expected_version);
}

int store_appointment_types_list(struct store_conn *c, struct arena *a, const char *company_id,
				 bool published_only, struct cal_appointment_type **ret,
				 size_t *ret_n)
{
	if (!cal_uuid_valid(company_id)) {
		*ret = NULL;
		*ret_n = 0;
		return 0;
	}
	return c->ops->appointment_types_list(c, a, company_id, published_only, ret, ret_n);
}

int store_busy(struct store_conn *c, struct arena *a, const struct store_busy_query *q,
	       struct store_busy *ret)
{
	for (size_t i = 0; i < q->n_user_ids; i++)
		if (!cal_uuid_valid(q->user_ids[i]))
			return CAL_E_INVALID;
	if (q->n_user_ids == 0 || q->from >= q->to || !cal_uuid_valid(q->company_id)) {
		*ret = (struct store_busy){ 0 };
		return 0;
	}
	return c->ops->busy(c, a, q, ret);
}

int store_users_lock(struct store_conn *c, const char *const *user_ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!cal_uuid_valid(user_ids[i]))
			return CAL_E_NOT_FOUND;
	return n ? c->ops->users_lock(c, user_ids, n) : 0;
}

int store_bookings_of(struct store_conn *c, struct arena *a, const char *const *user_ids,
		      size_t n, int64_t from, int64_t to, struct store_booked **ret,
		      size_t *ret_n)
{
	for (size_t i = 0; i < n; i++)
		if (!cal_uuid_valid(user_ids[i]))
			return CAL_E_INVALID;
	if (n == 0 || from >= to) {
		*ret = NULL;
		*ret_n = 0;
		return 0;
	}
	return c->ops->bookings_of(c, a, user_ids, n, from, to, ret, ret_n);
}

int store_booking_insert(struct store_conn *c, const struct cal_booking *b)
{
	return c->ops->booking_insert(c, b);
}

int store_booking_by_token(struct store_conn *c, struct arena *a, const char *token_hash,
			   struct cal_booking *ret)
{
	return c->ops->booking_get(c, a, STORE_BOOKING_BY_TOKEN, token_hash, NULL, ret);
}

int store_booking_by_id(struct store_conn *c, struct arena *a, const char *id,
			struct cal_booking *ret)
{
	if (!cal_uuid_valid(id))
		return CAL_E_NOT_FOUND;
	return c->ops->booking_get(c, a, STORE_BOOKING_BY_ID, id, NULL, ret);
}

int store_booking_by_key(struct store_conn *c, struct arena *a, const char *type_id,
			 const char *idempotency_key, struct cal_booking *ret)
{
	if (!cal_uuid_valid(type_id) || !idempotency_key)
		return CAL_E_NOT_FOUND;
	return c->ops->booking_get(c, a, STORE_BOOKING_BY_KEY, type_id, idempotency_key, ret);
}

int store_booking_update(struct store_conn *c, const struct cal_booking *b)
{
	return c->ops->booking_update(c, b);
}

int store_lead_insert(struct store_conn *c, const struct cal_lead *l)
{
	return c->ops->lead_insert(c, l);
}

const char *store_channel_name(enum store_channel v)
{
	static const char *const names[] = { "email", "sms", "in_app" };
	return (unsigned)v < 3 ? names[v] : "email";
}

const char *store_outbox_status_name(enum store_outbox_status v)
{
	static const char *const names[] = { "pending", "sending", "sent", "failed" };
	return (unsigned)v < 4 ? names[v] : "pending";
}

int store_channel_parse(const char *s)
{
	for (int v = STORE_CHANNEL_EMAIL; s && v <= STORE_CHANNEL_IN_APP; v++)
		if (strcmp(s, store_channel_name((enum store_channel)v)) == 0)
			return v;
	return -1;
}

int store_outbox_status_parse(const char *s)
{
	for (int v = STORE_OUTBOX_PENDING; s && v <= STORE_OUTBOX_FAILED; v++)
		if (strcmp(s, store_outbox_status_name((enum store_outbox_status)v)) == 0)
			return v;
	return -1;
}

int store_outbox_put(struct store_conn *c, const struct store_outbox_msg *m, bool *ret_inserted)
{
	bool inserted = false;
	int r = c->ops->outbox_put(c, m, &inserted);
	if (r < 0)
		return r;
	if (inserted)
		c->tx_notes |= STORE_NOTE_OUTBOX;
	*ret_inserted = inserted;
	return 0;
}

int store_outbox_claim(struct store_conn *c, struct arena *a, int64_t now, int64_t lease_until,
		       unsigned limit, struct store_outbox_msg **ret, size_t *ret_n)
{
	return c->ops->outbox_claim(c, a, now, lease_until, limit, ret, ret_n);
}

int store_outbox_sent(struct store_conn *c, const char *id, int attempts, int64_t now)
{
	return c->ops->outbox_finish(c, id, attempts, STORE_OUTBOX_SENT, now, NULL);
}

int store_outbox_retry(struct store_conn *c, const char *id, int attempts, int64_t next_at,
		       bool give_up, const char *error)
{
	return c->ops->outbox_finish(c, id, attempts, give_up ? STORE_OUTBOX_FAILED : STORE_OUTBOX_PENDING,
				     next_at, error);
}

int store_outbox_next_due(struct store_conn *c, int64_t *ret) { return c->ops->outbox_next_due(c, ret); }

int store_outbox_list(struct store_conn *c, struct arena *a, const struct store_outbox_query *q,
		      struct store_outbox_msg **ret, size_t *ret_n)
{
	return c->ops->outbox_list(c, a, q, ret, ret_n);
}

int store_notification_put(struct store_conn *c, const struct cal_notification *n)
{
	int r = c->ops->notification_put(c, n);
	if (r == 0)
		c->tx_notes |= STORE_NOTE_NOTIFICATION;
	return r;
}

int store_notifications_list(struct store_conn *c, struct arena *a,
			     const struct store_notification_query *q, struct cal_notification **ret,
			     size_t *ret_n, bool *ret_more)
{
	return c->ops->notifications_list(c, a, q, ret, ret_n, ret_more);
}

int store_notification_read(struct store_conn *c, const char *user_id, const char *id)
{
	return c->ops->notification_read(c, user_id, id);
}

int store_alarms_due(struct store_conn *c, struct arena *a, int64_t now, unsigned limit,
		     struct store_alarm_due **ret, size_t *ret_n)
{
	return c->ops->alarms_due(c, a, now, limit, ret, ret_n);
}

int store_alarm_advance(struct store_conn *c, const char *id, bool has_next, int64_t next, int64_t now)
{
	return c->ops->alarm_advance(c, id, has_next, next, now);
}

int store_alarms_next_due(struct store_conn *c, int64_t *ret) { return c->ops->alarms_next_due(c, ret); }

unsigned store_tx_notes(const struct store_conn *c) { return c->tx_notes; }
