/* The SQLite backend's delivery tables: the notification outbox, in-app
 * notifications and the alarms' next triggers. One writer at a time holds
 * the database, so a claim needs no row locks: the UPDATE ... RETURNING
 * that marks rows "sending" is the claim. */
#include <sqlite3.h>
#include <string.h>

#include "base/errors.h"
#include "store/sqlite/sqlite_internal.h"

/* The rows of a statement selecting OUTBOX_COLUMNS and the payload. */
static int read_msgs(struct sqlite_conn *sc, struct arena *a, sqlite3_stmt *s,
		     struct store_outbox_msg **ret, size_t *ret_n)
{
	struct store_outbox_msg *items = NULL;
	size_t n = 0, alloc = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!(items = arena_grow(a, items, n, &alloc, sizeof *items))) {
			rc = SQLITE_NOMEM;
			break;
		}
		struct store_outbox_msg *m = &items[n++];
		sq_col_uuid(s, 0, &m->id);
		sq_col_uuid(s, 1, &m->company_id);
		m->channel = (enum store_channel)store_channel_parse((const char *)sqlite3_column_text(s, 2));
		m->kind = sq_col_text(a, s, 3);
		m->recipient = sq_col_text(a, s, 4);
		m->idempotency_key = sq_col_text(a, s, 5);
		m->status = (enum store_outbox_status)store_outbox_status_parse((const char *)sqlite3_column_text(s, 6));
		m->attempts = sqlite3_column_int(s, 7);
		m->next_attempt_at = sqlite3_column_int64(s, 8);
		m->created_at = sqlite3_column_int64(s, 9);
		m->sent_at = sqlite3_column_int64(s, 10);
		m->last_error = sq_col_text(a, s, 11);
		m->payload = sq_col_text(a, s, 12);
		if (!m->recipient || !m->idempotency_key) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sq_map_rc(sc, rc);
	*ret = items;
	*ret_n = n;
	return 0;
}

int sqlite_outbox_put(struct store_conn *c, const struct store_outbox_msg *m, bool *ret_inserted)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_OUTBOX_PUT, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, m->id.s);
	sq_bind_text(s, 2, m->company_id.s[0] ? m->company_id.s : NULL);
	sq_bind_text(s, 3, store_channel_name(m->channel));
	sq_bind_text(s, 4, m->kind ? m->kind : "");
	sq_bind_text(s, 5, m->recipient);
	sq_bind_text(s, 6, m->payload);
	sqlite3_bind_int64(s, 7, m->next_attempt_at);
	sq_bind_text(s, 8, m->idempotency_key);
	sqlite3_bind_int64(s, 9, m->created_at);
	if ((r = sq_step_done(sc, s)) < 0)
		return r;
	*ret_inserted = sqlite3_changes(sc->db) > 0;
	return 0;
}

int sqlite_outbox_claim(struct store_conn *c, struct arena *a, int64_t now, int64_t lease_until,
			unsigned limit, struct store_outbox_msg **ret, size_t *ret_n)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_OUTBOX_CLAIM, &s);
	if (r < 0)
		return r;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, lease_until);
	sqlite3_bind_int64(s, 3, limit);
	/* RETURNING rows must all be stepped before the update is complete. */
	return read_msgs(sc, a, s, ret, ret_n);
}

int sqlite_outbox_finish(struct store_conn *c, const char *id, int attempts,
			 enum store_outbox_status status, int64_t at, const char *error)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_OUTBOX_FINISH, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, id);
	sqlite3_bind_int(s, 2, attempts);
	sq_bind_text(s, 3, store_outbox_status_name(status));
	sqlite3_bind_int64(s, 4, at);
	sq_bind_text(s, 5, error);
	if ((r = sq_step_done(sc, s)) < 0)
		return r;
	return sqlite3_changes(sc->db) > 0 ? 0 : CAL_E_NOT_FOUND;
}

/* SELECT min(...) of one statement: NULL (no rows) is "not found". */
static int min_of(struct sqlite_conn *sc, enum stmt_id id, int64_t *ret)
{
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, id, &s);
	if (r < 0)
		return r;
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return sq_map_rc(sc, rc == SQLITE_DONE ? SQLITE_ERROR : rc);
	}
	bool none = sqlite3_column_type(s, 0) == SQLITE_NULL;
	int64_t v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (none)
		return CAL_E_NOT_FOUND;
	*ret = v;
	return 0;
}

int sqlite_outbox_next_due(struct store_conn *c, int64_t *ret) { return min_of(SQC(c), ST_OUTBOX_NEXT, ret); }

int sqlite_outbox_list(struct store_conn *c, struct arena *a, const struct store_outbox_query *q,
		       struct store_outbox_msg **ret, size_t *ret_n)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_OUTBOX_LIST, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, q->company_id);
	sq_bind_text(s, 2, q->status >= 0 ? store_outbox_status_name((enum store_outbox_status)q->status) : NULL);
	sq_bind_text(s, 3, q->recipient);
	sqlite3_bind_int64(s, 4, q->limit);
	return read_msgs(sc, a, s, ret, ret_n);
}

int sqlite_notification_put(struct store_conn *c, const struct cal_notification *n)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_NOTIFICATION_PUT, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, n->id.s);
	sq_bind_text(s, 2, n->user_id.s);
	sq_bind_text(s, 3, n->kind ? n->kind : "");
	sq_bind_text(s, 4, n->title);
	sq_bind_text(s, 5, n->body);
	sq_bind_text(s, 6, n->link);
	sq_bind_text(s, 7, n->event_id.s[0] ? n->event_id.s : NULL);
	sqlite3_bind_int64(s, 8, n->created_at);
	return sq_step_done(sc, s);
}

int sqlite_notifications_list(struct store_conn *c, struct arena *a,
			      const struct store_notification_query *q, struct cal_notification **ret,
			      size_t *ret_n, bool *ret_more)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, q->since ? ST_NOTIFICATIONS_SINCE : ST_NOTIFICATIONS_PAGE, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, q->user_id);
	if (q->since) {
		sqlite3_bind_int64(s, 2, q->since_at);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)q->limit + 1);
	} else {
		sqlite3_bind_int(s, 2, q->unread_only);
		if (q->has_before) {
			sqlite3_bind_int64(s, 3, q->before_at);
			sq_bind_text(s, 4, q->before_id);
		}
		sqlite3_bind_int64(s, 5, (sqlite3_int64)q->limit + 1);
	}
	struct cal_notification *items = NULL;
	size_t n = 0, alloc = 0;
	bool more = false;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == q->limit) {
			more = true;
			continue;
		}
		if (!(items = arena_grow(a, items, n, &alloc, sizeof *items))) {
			sqlite3_reset(s);
			return CAL_E_NOMEM;
		}
		struct cal_notification *x = &items[n++];
		sq_col_uuid(s, 0, &x->id);
		sq_col_uuid(s, 1, &x->user_id);
		x->kind = sq_col_text(a, s, 2);
		x->title = sq_col_text(a, s, 3);
		x->body = sq_col_text(a, s, 4);
		x->link = sq_col_text(a, s, 5);
		sq_col_uuid(s, 6, &x->event_id);
		x->read = sqlite3_column_int(s, 7) != 0;
		x->created_at = sqlite3_column_int64(s, 8);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sq_map_rc(sc, rc);
	*ret = items;
	*ret_n = n;
	*ret_more = more;
	return 0;
}

int sqlite_notification_read(struct store_conn *c, const char *user_id, const char *id)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_NOTIFICATION_READ, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, id);
	sq_bind_text(s, 2, user_id);
	if ((r = sq_step_done(sc, s)) < 0)
		return r;
	return sqlite3_changes(sc->db) > 0 ? 0 : CAL_E_NOT_FOUND;
}

int sqlite_alarms_due(struct store_conn *c, struct arena *a, int64_t now, unsigned limit,
		      struct store_alarm_due **ret, size_t *ret_n)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_ALARMS_DUE, &s);
	if (r < 0)
		return r;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, limit);
	struct store_alarm_due *items = NULL;
	size_t n = 0, alloc = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!(items = arena_grow(a, items, n, &alloc, sizeof *items))) {
			sqlite3_reset(s);
			return CAL_E_NOMEM;
		}
		struct store_alarm_due *d = &items[n++];
		sq_col_uuid(s, 0, &d->event_id);
		sq_col_uuid(s, 1, &d->alarm.id);
		d->alarm.type = (enum cal_alarm_type)cal_alarm_type_parse((const char *)sqlite3_column_text(s, 2));
		d->alarm.interval_value = sqlite3_column_int(s, 3);
		d->alarm.interval_unit =
			(enum cal_interval_unit)cal_interval_unit_parse((const char *)sqlite3_column_text(s, 4));
		d->alarm.armed = true;
		d->alarm.next_trigger_at = sqlite3_column_int64(s, 5);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sq_map_rc(sc, rc);
	*ret = items;
	*ret_n = n;
	return 0;
}

int sqlite_alarm_advance(struct store_conn *c, const char *id, bool has_next, int64_t next, int64_t now)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_ALARM_ADVANCE, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, id);
	if (has_next)
		sqlite3_bind_int64(s, 2, next);
	sqlite3_bind_int64(s, 3, now);
	return sq_step_done(sc, s);
}

int sqlite_alarms_next_due(struct store_conn *c, int64_t *ret) { return min_of(SQC(c), ST_ALARMS_NEXT, ret); }
