/* The PostgreSQL backend's delivery tables: the notification outbox,
 * in-app notifications and the alarms' next triggers. Claims lock their
 * rows FOR UPDATE SKIP LOCKED, so several calendard processes on one
 * database each take different messages and alarms. */
#include <string.h>

#include "base/errors.h"
#include "base/macro.h"
#include "store/pg/pg.h"
#include "store/pg/reader.h"

/* Ids reach uuid parameters checked: a malformed one would abort the
 * transaction where it only means "no such row". */
static const char *uuid_or_null(const cal_uuid *u) { return u->s[0] ? u->s : NULL; }

/* The rows of a statement selecting OUTBOX_COLUMNS and the payload. */
static int read_msgs(const PGresult *res, struct arena *a, struct store_outbox_msg **ret, size_t *ret_n)
{
	int rows = PQntuples(res);
	struct store_outbox_msg *items = arena_calloc(a, (size_t)rows + 1, sizeof *items);
	if (!items)
		return CAL_E_NOMEM;
	for (int i = 0; i < rows; i++) {
		struct reader rd = {.res = res, .row = i, .a = a};
		struct store_outbox_msg *m = &items[i];
		rd_uuid(&rd, 0, &m->id);
		rd_uuid(&rd, 1, &m->company_id);
		m->channel = (enum store_channel)rd_enum(&rd, 2, store_channel_parse);
		m->kind = rd_str(&rd, 3);
		m->recipient = rd_str(&rd, 4);
		m->idempotency_key = rd_str(&rd, 5);
		m->status = (enum store_outbox_status)rd_enum(&rd, 6, store_outbox_status_parse);
		m->attempts = (int)rd_i64(&rd, 7);
		m->next_attempt_at = rd_i64(&rd, 8);
		m->created_at = rd_i64(&rd, 9);
		m->sent_at = rd_i64(&rd, 10);
		m->last_error = rd_str(&rd, 11);
		m->payload = rd_str(&rd, 12);
		if (rd.err)
			return rd.err;
	}
	*ret = items;
	*ret_n = (size_t)rows;
	return 0;
}

int pgs_outbox_put(struct store_conn *c, const struct store_outbox_msg *m, bool *ret_inserted)
{
	struct pg_num next, at;
	const char *const p[] = {
	    m->id.s, uuid_or_null(&m->company_id), store_channel_name(m->channel), m->kind ? m->kind : "",
	    m->recipient, m->payload, pgs_i64(&next, m->next_attempt_at), m->idempotency_key,
	    pgs_i64(&at, m->created_at),
	};
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(PGC(c), PG_OUTBOX_PUT, 9, p, &res);
	if (r < 0)
		return r;
	*ret_inserted = pgs_changed(res) > 0;
	return 0;
}

int pgs_outbox_claim(struct store_conn *c, struct arena *a, int64_t now, int64_t lease_until,
		     unsigned limit, struct store_outbox_msg **ret, size_t *ret_n)
{
	struct pg_num n_now, n_lease, n_limit;
	const char *const p[] = {pgs_i64(&n_now, now), pgs_i64(&n_lease, lease_until),
				 pgs_i64(&n_limit, limit)};
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(PGC(c), PG_OUTBOX_CLAIM, 3, p, &res);
	if (r < 0)
		return r;
	return read_msgs(res, a, ret, ret_n);
}

int pgs_outbox_finish(struct store_conn *c, const char *id, int attempts,
		      enum store_outbox_status status, int64_t at, const char *error)
{
	if (!cal_uuid_valid(id))
		return CAL_E_NOT_FOUND;
	struct pg_num n_attempts, n_at;
	const char *const p[] = {id, pgs_i64(&n_attempts, attempts), store_outbox_status_name(status),
				 pgs_i64(&n_at, at), error};
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(PGC(c), PG_OUTBOX_FINISH, 5, p, &res);
	if (r < 0)
		return r;
	return pgs_changed(res) > 0 ? 0 : CAL_E_NOT_FOUND;
}

static int min_of(struct pg_conn *pc, enum pg_stmt id, int64_t *ret)
{
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(pc, id, 0, NULL, &res);
	if (r < 0)
		return r;
	if (PQntuples(res) == 0 || PQgetisnull(res, 0, 0))
		return CAL_E_NOT_FOUND;
	struct reader rd = {.res = res};
	int64_t v = rd_i64(&rd, 0);
	if (rd.err)
		return rd.err;
	*ret = v;
	return 0;
}

int pgs_outbox_next_due(struct store_conn *c, int64_t *ret) { return min_of(PGC(c), PG_OUTBOX_NEXT, ret); }

int pgs_outbox_list(struct store_conn *c, struct arena *a, const struct store_outbox_query *q,
		    struct store_outbox_msg **ret, size_t *ret_n)
{
	if (!cal_uuid_valid(q->company_id)) {
		*ret = NULL;
		*ret_n = 0;
		return 0;
	}
	struct pg_num n_limit;
	const char *const p[] = {
	    q->company_id,
	    q->status >= 0 ? store_outbox_status_name((enum store_outbox_status)q->status) : NULL,
	    q->recipient, pgs_i64(&n_limit, q->limit)};
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(PGC(c), PG_OUTBOX_LIST, 4, p, &res);
	if (r < 0)
		return r;
	return read_msgs(res, a, ret, ret_n);
}

int pgs_notification_put(struct store_conn *c, const struct cal_notification *n)
{
	struct pg_num at;
	const char *const p[] = {
	    n->id.s, n->user_id.s, n->kind ? n->kind : "", n->title, n->body, n->link,
	    uuid_or_null(&n->event_id), pgs_i64(&at, n->created_at),
	};
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	return pgs_run(PGC(c), PG_NOTIFICATION_PUT, 8, p, &res);
}

int pgs_notifications_list(struct store_conn *c, struct arena *a,
			   const struct store_notification_query *q, struct cal_notification **ret,
			   size_t *ret_n, bool *ret_more)
{
	*ret = NULL;
	*ret_n = 0;
	*ret_more = false;
	if (!cal_uuid_valid(q->user_id) || (q->has_before && !cal_uuid_valid(q->before_id)))
		return 0;
	struct pg_num n_at, n_limit;
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r;
	if (q->since) {
		const char *const p[] = {q->user_id, pgs_i64(&n_at, q->since_at),
					 pgs_i64(&n_limit, (int64_t)q->limit + 1)};
		r = pgs_run(PGC(c), PG_NOTIFICATIONS_SINCE, 3, p, &res);
	} else {
		const char *const p[] = {q->user_id, pgs_bool(q->unread_only),
					 q->has_before ? pgs_i64(&n_at, q->before_at) : NULL,
					 q->has_before ? q->before_id : NULL,
					 pgs_i64(&n_limit, (int64_t)q->limit + 1)};
		r = pgs_run(PGC(c), PG_NOTIFICATIONS_PAGE, 5, p, &res);
	}
	if (r < 0)
		return r;
	int rows = PQntuples(res);
	bool more = (unsigned)rows > q->limit;
	if (more)
		rows = (int)q->limit;
	struct cal_notification *items = arena_calloc(a, (size_t)rows + 1, sizeof *items);
	if (!items)
		return CAL_E_NOMEM;
	for (int i = 0; i < rows; i++) {
		struct reader rd = {.res = res, .row = i, .a = a};
		struct cal_notification *x = &items[i];
		rd_uuid(&rd, 0, &x->id);
		rd_uuid(&rd, 1, &x->user_id);
		x->kind = rd_str(&rd, 2);
		x->title = rd_str(&rd, 3);
		x->body = rd_opt(&rd, 4);
		x->link = rd_opt(&rd, 5);
		rd_uuid(&rd, 6, &x->event_id);
		x->read = rd_bool(&rd, 7);
		x->created_at = rd_i64(&rd, 8);
		if (rd.err)
			return rd.err;
	}
	*ret = items;
	*ret_n = (size_t)rows;
	*ret_more = more;
	return 0;
}

int pgs_notification_read(struct store_conn *c, const char *user_id, const char *id)
{
	if (!cal_uuid_valid(user_id) || !cal_uuid_valid(id))
		return CAL_E_NOT_FOUND;
	const char *const p[] = {id, user_id};
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(PGC(c), PG_NOTIFICATION_READ, 2, p, &res);
	if (r < 0)
		return r;
	return pgs_changed(res) > 0 ? 0 : CAL_E_NOT_FOUND;
}

int pgs_alarms_due(struct store_conn *c, struct arena *a, int64_t now, unsigned limit,
		   struct store_alarm_due **ret, size_t *ret_n)
{
	struct pg_num n_now, n_limit;
	const char *const p[] = {pgs_i64(&n_now, now), pgs_i64(&n_limit, limit)};
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(PGC(c), PG_ALARMS_DUE, 2, p, &res);
	if (r < 0)
		return r;
	int rows = PQntuples(res);
	struct store_alarm_due *items = arena_calloc(a, (size_t)rows + 1, sizeof *items);
	if (!items)
		return CAL_E_NOMEM;
	for (int i = 0; i < rows; i++) {
		struct reader rd = {.res = res, .row = i, .a = a};
		struct store_alarm_due *d = &items[i];
		rd_uuid(&rd, 0, &d->event_id);
		rd_uuid(&rd, 1, &d->alarm.id);
		d->alarm.type = (enum cal_alarm_type)rd_enum(&rd, 2, cal_alarm_type_parse);
		d->alarm.interval_value = (int32_t)rd_i64(&rd, 3);
		d->alarm.interval_unit = (enum cal_interval_unit)rd_enum(&rd, 4, cal_interval_unit_parse);
		d->alarm.armed = true;
		d->alarm.next_trigger_at = rd_i64(&rd, 5);
		if (rd.err)
			return rd.err;
	}
	*ret = items;
	*ret_n = (size_t)rows;
	return 0;
}

int pgs_alarm_advance(struct store_conn *c, const char *id, bool has_next, int64_t next, int64_t now)
{
	if (!cal_uuid_valid(id))
		return CAL_E_NOT_FOUND;
	struct pg_num n_next, n_now;
	const char *const p[] = {id, has_next ? pgs_i64(&n_next, next) : NULL, pgs_i64(&n_now, now)};
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	return pgs_run(PGC(c), PG_ALARM_ADVANCE, 3, p, &res);
}

int pgs_alarms_next_due(struct store_conn *c, int64_t *ret) { return min_of(PGC(c), PG_ALARMS_NEXT, ret); }
