/* The SQLite backend's data functions: directory and events. Connection
 * handling and the statement table are in sqlite.c. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <string.h>

#include "base/errors.h"
#include "model/time.h"
#include "base/strbuf.h"
#include "store/sqlite/sqlite_internal.h"

int sqlite_company_insert(struct store_conn *c, const struct cal_company *co)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_COMPANY_INSERT, &s);
	if (r < 0)
		return r;
	sq_bind_uuid(s, 1, &co->id);
	sq_bind_text(s, 2, co->name);
	sq_bind_text(s, 3, co->slug);
	sqlite3_bind_int64(s, 4, co->created_at);
	return sq_step_done(sc, s);
}

int sqlite_company_get(struct store_conn *c, struct arena *a, const char *key, bool by_slug,
		       struct cal_company *ret)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, by_slug ? ST_COMPANY_BY_SLUG : ST_COMPANY_BY_ID, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, key);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? CAL_E_NOT_FOUND : sq_map_rc(sc, rc);
	}
	struct cal_company co = { 0 };
	sq_col_uuid(s, 0, &co.id);
	co.name = sq_col_text(a, s, 1);
	co.slug = sq_col_text(a, s, 2);
	co.created_at = sqlite3_column_int64(s, 3);
	sqlite3_reset(s);
	*ret = co;
	return 0;
}

int sqlite_user_insert(struct store_conn *c, const struct cal_user *u)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_USER_INSERT, &s);
	if (r < 0)
		return r;
	sq_bind_uuid(s, 1, &u->id);
	sq_bind_uuid(s, 2, &u->company_id);
	sq_bind_text(s, 3, u->name);
	sq_bind_text(s, 4, u->email);
	sq_bind_text(s, 5, u->timezone);
	sq_bind_text(s, 6, u->lang);
	sq_bind_text(s, 7, u->password_hash);
	sq_bind_text(s, 8, u->role == CAL_USER_ADMIN ? "admin" : "user");
	sqlite3_bind_int64(s, 9, u->created_at);
	sq_bind_text(s, 10, u->phone);
	return sq_step_done(sc, s);
}

int sqlite_user_get(struct store_conn *c, struct arena *a, const char *key, bool by_email,
		    struct cal_user *ret)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, by_email ? ST_USER_BY_EMAIL : ST_USER_BY_ID, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, key);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? CAL_E_NOT_FOUND : sq_map_rc(sc, rc);
	}
	struct cal_user u = { 0 };
	sq_col_uuid(s, 0, &u.id);
	sq_col_uuid(s, 1, &u.company_id);
	u.name = sq_col_text(a, s, 2);
	u.email = sq_col_text(a, s, 3);
	u.timezone = sq_col_text(a, s, 4);
	u.lang = sq_col_text(a, s, 5);
	u.password_hash = sq_col_text(a, s, 6);
	const unsigned char *role = sqlite3_column_text(s, 7);
	u.role = role && strcmp((const char *)role, "admin") == 0 ? CAL_USER_ADMIN : CAL_USER_MEMBER;
	u.created_at = sqlite3_column_int64(s, 8);
	u.phone = sq_col_text(a, s, 9);
	sqlite3_reset(s);
	*ret = u;
	return 0;
}

int sqlite_partner_insert(struct store_conn *c, const struct cal_partner *p)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_PARTNER_INSERT, &s);
	if (r < 0)
		return r;
	sq_bind_uuid(s, 1, &p->id);
	sq_bind_uuid(s, 2, &p->company_id);
	sq_bind_text(s, 3, p->name);
	sq_bind_text(s, 4, p->email);
	sq_bind_text(s, 5, p->phone);
	sqlite3_bind_int64(s, 6, p->created_at);
	return sq_step_done(sc, s);
}

int sqlite_partner_get(struct store_conn *c, struct arena *a, const char *id, struct cal_partner *ret)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_PARTNER_BY_ID, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? CAL_E_NOT_FOUND : sq_map_rc(sc, rc);
	}
	struct cal_partner p = { 0 };
	sq_col_uuid(s, 0, &p.id);
	sq_col_uuid(s, 1, &p.company_id);
	p.name = sq_col_text(a, s, 2);
	p.email = sq_col_text(a, s, 3);
	p.phone = sq_col_text(a, s, 4);
	p.created_at = sqlite3_column_int64(s, 5);
	sqlite3_reset(s);
	*ret = p;
	return 0;
}

/* Binds the 29 event columns in the order of ST_EVENT_INSERT/UPDATE. */
static void bind_event(sqlite3_stmt *s, const struct cal_event *e)
{
	sq_bind_uuid(s, 1, &e->id);
	sq_bind_uuid(s, 2, &e->company_id);
	sq_bind_text(s, 3, e->name);
	sq_bind_text(s, 4, e->description);
	sq_bind_text(s, 5, e->location);
	sqlite3_bind_int64(s, 6, e->start);
	sqlite3_bind_int64(s, 7, e->end);
	sqlite3_bind_int(s, 8, e->all_day);
	sq_bind_date(s, 9, e->all_day, e->start_date);
	sq_bind_date(s, 10, e->all_day, e->end_date);
	sq_bind_text(s, 11, e->timezone);
	sq_bind_uuid(s, 12, &e->organizer_id);
	sq_bind_text(s, 13, e->organizer_email);
	sq_bind_text(s, 14, cal_privacy_name(e->privacy));
	sq_bind_text(s, 15, cal_show_as_name(e->show_as));
	sqlite3_bind_int(s, 16, e->recurring);
	sq_bind_text(s, 17, e->res_model);
	sq_bind_text(s, 18, e->res_id);
	sqlite3_bind_int64(s, 19, e->version);
	sqlite3_bind_int64(s, 20, e->created_at);
	sqlite3_bind_int64(s, 21, e->updated_at);
	sq_bind_text(s, 22, e->created_by);
	sq_bind_text(s, 23, e->updated_by);
	sq_bind_text(s, 24, e->recurring ? e->id.s : NULL);
	sq_bind_uuid(s, 25, &e->master_id);
	if (cal_event_is_exception(e))
		sqlite3_bind_int64(s, 26, e->original_start);
	else
		sqlite3_bind_null(s, 26);
	if (e->recurring)
		sqlite3_bind_int64(s, 27, e->series_end);
	else
		sqlite3_bind_null(s, 27);
	sq_bind_text(s, 28, e->ical_uid);
	sqlite3_bind_int64(s, 29, e->sequence);
}

static int32_t col_date(sqlite3_stmt *s, int i)
{
	int32_t days = 0;
	const unsigned char *t = sqlite3_column_text(s, i);
	if (t)
		(void)cal_date_parse((const char *)t, &days);
	return days;
}

static void read_event(struct arena *a, sqlite3_stmt *s, struct cal_event *e)
{
	memset(e, 0, sizeof *e);
	sq_col_uuid(s, 0, &e->id);
	sq_col_uuid(s, 1, &e->company_id);
	e->name = sq_col_text(a, s, 2);
	e->description = sq_col_text(a, s, 3);
	e->location = sq_col_text(a, s, 4);
	e->start = sqlite3_column_int64(s, 5);
	e->end = sqlite3_column_int64(s, 6);
	e->all_day = sqlite3_column_int(s, 7) != 0;
	e->start_date = col_date(s, 8);
	e->end_date = col_date(s, 9);
	e->timezone = sq_col_text(a, s, 10);
	sq_col_uuid(s, 11, &e->organizer_id);
	e->organizer_email = sq_col_text(a, s, 12);
	e->privacy = (enum cal_privacy)cal_privacy_parse((const char *)sqlite3_column_text(s, 13));
	e->show_as = (enum cal_show_as)cal_show_as_parse((const char *)sqlite3_column_text(s, 14));
	e->recurring = sqlite3_column_int(s, 15) != 0;
	e->res_model = sq_col_text(a, s, 16);
	e->res_id = sq_col_text(a, s, 17);
	e->version = sqlite3_column_int64(s, 18);
	e->created_at = sqlite3_column_int64(s, 19);
	e->updated_at = sqlite3_column_int64(s, 20);
	e->created_by = sq_col_text(a, s, 21);
	e->updated_by = sq_col_text(a, s, 22);
	if (sqlite3_column_type(s, 23) != SQLITE_NULL)
		sq_col_uuid(s, 23, &e->master_id);
	e->original_start = sqlite3_column_int64(s, 24);
	e->series_end = sqlite3_column_int64(s, 25);
	e->ical_uid = sq_col_text(a, s, 26);
	e->sequence = sqlite3_column_int64(s, 27);
	e->rrule = sq_col_text(a, s, 28);
	(void)store_exdates_parse(a, (const char *)sqlite3_column_text(s, 29), &e->exdates, &e->n_exdates);
}

static int insert_children(struct sqlite_conn *sc, const struct cal_event *e)
{
	sqlite3_stmt *s = NULL;
	int r;
	for (size_t i = 0; i < e->n_attendees; i++) {
		const struct cal_attendee *at = &e->attendees[i];
		if ((r = sq_stmt(sc, ST_ATTENDEE_INSERT, &s)) < 0)
			return r;
		sq_bind_uuid(s, 1, &at->id);
		sq_bind_uuid(s, 2, &e->id);
		sq_bind_text(s, 3, at->partner_id);
		sq_bind_text(s, 4, at->user_id);
		sq_bind_text(s, 5, at->email);
		sq_bind_text(s, 6, at->display_name);
		sq_bind_text(s, 7, cal_partstat_name(at->state));
		sq_bind_text(s, 8, cal_role_name(at->role));
		sqlite3_bind_int64(s, 9, (sqlite3_int64)i);
		sqlite3_bind_int64(s, 10, e->start);
		sqlite3_bind_int64(s, 11, store_span_end(e));
		sqlite3_bind_int(s, 12, store_is_long_span(e));
		sqlite3_bind_int64(s, 13, e->updated_at);
		if ((r = sq_step_done(sc, s)) < 0)
			return r;
	}
	for (size_t i = 0; i < e->n_alarms; i++) {
		const struct cal_alarm *al = &e->alarms[i];
		if ((r = sq_stmt(sc, ST_ALARM_INSERT, &s)) < 0)
			return r;
		sq_bind_uuid(s, 1, &al->id);
		sq_bind_uuid(s, 2, &e->id);
		sq_bind_text(s, 3, cal_alarm_type_name(al->type));
		sqlite3_bind_int(s, 4, al->interval_value);
		sq_bind_text(s, 5, cal_interval_unit_name(al->interval_unit));
		sqlite3_bind_int64(s, 6, (sqlite3_int64)i);
		sqlite3_bind_int64(s, 7, e->updated_at);
		if (al->armed)
			sqlite3_bind_int64(s, 8, al->next_trigger_at);
		if ((r = sq_step_done(sc, s)) < 0)
			return r;
	}
	return 0;
}

/* The series' rule row (its id is the event's): structured fields when the
 * structured form can say the rule, the RRULE and EXDATEs always. */
static int upsert_recurrence(struct sqlite_conn *sc, const struct cal_event *e)
{
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_RECURRENCE_UPSERT, &s);
	if (r < 0)
		return r;
	const struct cal_recurrence_config *cfg = e->config;
	sq_bind_text(s, 1, e->id.s);
	if (cfg) {
		sq_bind_text(s, 2, cal_rrule_type_name(cfg->rrule_type));
		sqlite3_bind_int(s, 3, cfg->interval);
		sq_bind_text(s, 4, cal_end_type_name(cfg->end_type));
		if (cfg->end_type == CAL_END_COUNT)
			sqlite3_bind_int(s, 5, cfg->count);
		sq_bind_date(s, 6, cfg->end_type == CAL_END_UNTIL, cfg->until_date);
		sqlite3_bind_int(s, 7, (int)cfg->weekdays);
		sq_bind_text(s, 8, cal_month_by_name(cfg->month_by));
		if (cfg->day_of_month)
			sqlite3_bind_int(s, 9, cfg->day_of_month);
		if (cfg->week_of_month)
			sqlite3_bind_int(s, 10, cfg->week_of_month);
	} else {
		sqlite3_bind_int(s, 3, 1);
		sq_bind_text(s, 4, "forever");
		sqlite3_bind_int(s, 7, 0);
	}
	sq_bind_text(s, 11, e->rrule);
	char *exdates = store_exdates_format(e);
	if (exdates)
		sqlite3_bind_text(s, 12, exdates, -1, free);
	sqlite3_bind_int64(s, 13, e->updated_at);
	return sq_step_done(sc, s);
}

static int delete_recurrence(struct sqlite_conn *sc, const char *id)
{
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_RECURRENCE_DELETE, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, id);
	return sq_step_done(sc, s);
}

int sqlite_event_insert(struct store_conn *c, const struct cal_event *e)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = e->recurring ? upsert_recurrence(sc, e) : 0;
	if (r == 0)
		r = sq_stmt(sc, ST_EVENT_INSERT, &s);
	if (r < 0)
		return r;
	bind_event(s, e);
	if ((r = sq_step_done(sc, s)) < 0)
		return r;
	return insert_children(sc, e);
}


static void read_attendee(struct arena *a, sqlite3_stmt *s, struct cal_attendee *at)
{
	sq_col_uuid(s, 1, &at->id);
	at->user_id = sq_col_text(a, s, 2);
	at->partner_id = sq_col_text(a, s, 3);
	at->email = sq_col_text(a, s, 4);
	at->display_name = sq_col_text(a, s, 5);
	at->role = (enum cal_role)cal_role_parse((const char *)sqlite3_column_text(s, 6));
	at->state = (enum cal_partstat)cal_partstat_parse((const char *)sqlite3_column_text(s, 7));
}

static void read_alarm(sqlite3_stmt *s, struct cal_alarm *al)
{
	sq_col_uuid(s, 1, &al->id);
	al->type = (enum cal_alarm_type)cal_alarm_type_parse((const char *)sqlite3_column_text(s, 2));
	al->interval_value = sqlite3_column_int(s, 3);
	al->interval_unit = (enum cal_interval_unit)cal_interval_unit_parse((const char *)sqlite3_column_text(s, 4));
}

/* Reads the rows of one child statement into an array grown in the arena. */
static int read_children(struct sqlite_conn *sc, struct arena *a, enum stmt_id id, const char *event_id,
			 size_t elem, void **ret, size_t *ret_n)
{
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, id, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, event_id);
	size_t n = 0, alloc = 4;
	unsigned char *items = arena_calloc(a, alloc, elem);
	int rc = SQLITE_DONE;
	while (items && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!(items = arena_grow(a, items, n, &alloc, elem)))
			break;
		if (id == ST_ATTENDEES_OF)
			read_attendee(a, s, (struct cal_attendee *)(items + n * elem));
		else
			read_alarm(s, (struct cal_alarm *)(items + n * elem));
		n++;
	}
	sqlite3_reset(s);
	if (!items)
		return CAL_E_NOMEM;
	if (rc != SQLITE_DONE)
		return sq_map_rc(sc, rc);
	*ret = items;
	*ret_n = n;
	return 0;
}

/* Loads the attendees and alarms of each event. */
static int load_children(struct sqlite_conn *sc, struct arena *a, struct cal_event *events, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct cal_event *e = &events[i];
		void *list;
		int r = read_children(sc, a, ST_ATTENDEES_OF, e->id.s, sizeof *e->attendees, &list,
				      &e->n_attendees);
		if (r < 0)
			return r;
		e->attendees = list;
		if ((r = read_children(sc, a, ST_ALARMS_OF, e->id.s, sizeof *e->alarms, &list, &e->n_alarms)) < 0)
			return r;
		e->alarms = list;
	}
	return 0;
}

int sqlite_event_get(struct store_conn *c, struct arena *a, const char *id, struct cal_event *ret)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_EVENT_BY_ID, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? CAL_E_NOT_FOUND : sq_map_rc(sc, rc);
	}
	struct cal_event e;
	read_event(a, s, &e);
	sqlite3_reset(s);
	if ((r = load_children(sc, a, &e, 1)) < 0)
		return r;
	*ret = e;
	return 0;
}

int sqlite_event_lock(struct store_conn *c, const char *id)
{
	/* The write transaction (BEGIN IMMEDIATE) already excludes writers;
	 * this only reports whether the event exists. */
	int64_t version;
	return sq_row_version(SQC(c), ST_EVENT_VERSION, id, &version);
}

int sqlite_event_update(struct store_conn *c, const struct cal_event *e, int64_t expected_version)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_EVENT_UPDATE, &s);
	if (r < 0)
		return r;
	bind_event(s, e);
	sqlite3_bind_int64(s, 30, expected_version);
	if (e->recurring && (r = upsert_recurrence(sc, e)) < 0)
		return r;
	if ((r = sq_step_done(sc, s)) < 0)
		return r;
	if (sqlite3_changes(sc->db) == 0)
		return sq_guard_failed(sc, ST_EVENT_VERSION, e->id.s);
	if (!e->recurring && (r = delete_recurrence(sc, e->id.s)) < 0)
		return r;
	if ((r = sq_stmt(sc, ST_ATTENDEES_DELETE, &s)) < 0)
		return r;
	sq_bind_text(s, 1, e->id.s);
	if ((r = sq_step_done(sc, s)) < 0)
		return r;
	if ((r = sq_stmt(sc, ST_ALARMS_DELETE, &s)) < 0)
		return r;
	sq_bind_text(s, 1, e->id.s);
	if ((r = sq_step_done(sc, s)) < 0)
		return r;
	return insert_children(sc, e);
}

int sqlite_event_delete(struct store_conn *c, const char *id, int64_t expected_version)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_EVENT_DELETE, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, expected_version);
	if ((r = sq_step_done(sc, s)) < 0)
		return r;
	if (sqlite3_changes(sc->db) == 0)
		return sq_guard_failed(sc, ST_EVENT_VERSION, id);
	/* Exceptions went with their series (ON DELETE CASCADE); the rule row
	 * is referenced by nothing now. */
	return delete_recurrence(sc, id);
}

/* Reads rows of `s` (already bound) into a page with children. */
static int read_events(struct sqlite_conn *sc, struct arena *a, sqlite3_stmt *s, size_t cap,
		       struct store_event_page *ret)
{
	size_t n = 0, alloc = 8;
	struct cal_event *items = arena_calloc(a, alloc, sizeof *items);
	int rc = SQLITE_DONE;
	while (items && n < cap && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!(items = arena_grow(a, items, n, &alloc, sizeof *items))) {
			sqlite3_reset(s);
			return CAL_E_NOMEM;
		}
		read_event(a, s, &items[n++]);
	}
	sqlite3_reset(s);
	if (!items)
		return CAL_E_NOMEM;
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sq_map_rc(sc, rc);
	int r = load_children(sc, a, items, n);
	if (r < 0)
		return r;
	*ret = (struct store_event_page){ .items = items, .n = n };
	return 0;
}

int sqlite_events_range(struct store_conn *c, struct arena *a, const struct store_event_query *q,
			struct store_event_page *ret)
{
	struct sqlite_conn *sc = SQC(c);
	bool one = q->n_user_ids == 1;
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, one ? ST_RANGE_ONE : ST_RANGE, &s);
	if (r < 0)
		return r;
	if (one) {
		sq_bind_text(s, 1, q->user_ids[0]);
	} else if ((r = sq_bind_id_list(s, 1, q->user_ids, q->n_user_ids)) < 0) {
		sqlite3_reset(s);
		return r;
	}
	sqlite3_bind_int64(s, 2, q->from - STORE_LONG_SPAN);
	sqlite3_bind_int64(s, 3, q->to);
	sqlite3_bind_int64(s, 4, q->from);
	sq_bind_text(s, 5, q->company_id);
	sq_bind_text(s, 6, q->res_model);
	sq_bind_text(s, 7, q->res_id);
	if (q->has_cursor && !q->series) {
		sqlite3_bind_int64(s, 8, q->cursor_start);
		sq_bind_text(s, 9, q->cursor_id);
	}
	sqlite3_bind_int(s, 11, q->series);
	sqlite3_bind_int64(s, 10, (sqlite3_int64)q->limit + 1);

	/* Grown as rows come: a page is usually far below its limit. */
	struct store_event_page page;
	if ((r = read_events(sc, a, s, (size_t)q->limit + 1, &page)) < 0)
		return r;
	page.more = page.n > q->limit;
	if (page.more)
		page.n = q->limit;
	*ret = page;
	return 0;
}

int sqlite_event_get_by_uid(struct store_conn *c, struct arena *a, const char *company_id,
			    const char *uid, struct cal_event *ret)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_EVENT_BY_UID, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, company_id);
	sq_bind_text(s, 2, uid);
	struct store_event_page page;
	if ((r = read_events(sc, a, s, 1, &page)) < 0)
		return r;
	if (page.n == 0)
		return CAL_E_NOT_FOUND;
	*ret = page.items[0];
	return 0;
}

int sqlite_exceptions(struct store_conn *c, struct arena *a, const char *master_id, int64_t from,
		      int64_t to, struct store_event_page *ret)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_EXCEPTIONS_OF, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, master_id);
	sqlite3_bind_int64(s, 2, from);
	sqlite3_bind_int64(s, 3, to);
	return read_events(sc, a, s, SIZE_MAX, ret);
}

int sqlite_feed_put(struct store_conn *c, const char *user_id, const char *token_hash, int64_t now)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_FEED_PUT, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, user_id);
	sq_bind_text(s, 2, token_hash);
	sqlite3_bind_int64(s, 3, now);
	return sq_step_done(sc, s);
}

int sqlite_feed_user(struct store_conn *c, struct arena *a, const char *token_hash,
		     const char **ret_user_id)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_FEED_USER, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, token_hash);
	int rc = sqlite3_step(s);
	const char *id = rc == SQLITE_ROW ? sq_col_text(a, s, 0) : NULL;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? CAL_E_NOT_FOUND : sq_map_rc(sc, rc);
	*ret_user_id = id;
	return id ? 0 : CAL_E_NOMEM;
}

int sqlite_feed_delete(struct store_conn *c, const char *user_id)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_FEED_DELETE, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, user_id);
	return sq_step_done(sc, s);
}

/* Busy time: one user at a time through ST_RANGE_ONE's two index ranges,
 * then the exceptions of the series found, in one statement. */
int sqlite_busy(struct store_conn *c, struct arena *a, const struct store_busy_query *q,
		struct store_busy *ret)
{
	struct sqlite_conn *sc = SQC(c);
	struct store_busy b = { 0 };
	size_t spans_alloc = 64, series_alloc = 8;
	b.spans = arena_calloc(a, spans_alloc, sizeof *b.spans);
	b.series = arena_calloc(a, series_alloc, sizeof *b.series);
	if (!b.spans || !b.series)
		return CAL_E_NOMEM;
	int64_t longest = 0;
	for (size_t u = 0; u < q->n_user_ids; u++) {
		sqlite3_stmt *s = NULL;
		int r = sq_stmt(sc, ST_BUSY_ONE, &s);
		if (r < 0)
			return r;
		sq_bind_text(s, 1, q->user_ids[u]);
		sqlite3_bind_int64(s, 2, q->from - STORE_LONG_SPAN);
		sqlite3_bind_int64(s, 3, q->to);
		sqlite3_bind_int64(s, 4, q->from);
		sq_bind_text(s, 5, q->company_id);
		int rc;
		while (r == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
			struct cal_event e;
			read_event(a, s, &e);
			if (!e.recurring) {
				if (!(b.spans = arena_grow(a, b.spans, b.n_spans, &spans_alloc, sizeof *b.spans)))
					r = CAL_E_NOMEM;
				else
					b.spans[b.n_spans++] = (struct store_busy_span){ u, e.start, e.end, e.id };
			} else if (b.n_series >= q->series_limit) {
				r = CAL_E_INVALID;
			} else if (!(b.series = arena_grow(a, b.series, b.n_series, &series_alloc,
							   sizeof *b.series))) {
				r = CAL_E_NOMEM;
			} else {
				b.series[b.n_series++] = (struct store_busy_series){ u, e };
				if (e.end - e.start > longest)
					longest = e.end - e.start;
			}
		}
		sqlite3_reset(s);
		if (r < 0)
			return r;
		if (rc != SQLITE_DONE)
			return sq_map_rc(sc, rc);
	}
	if (b.n_series > 0) {
		const char **ids = arena_calloc(a, b.n_series, sizeof *ids);
		if (!ids)
			return CAL_E_NOMEM;
		for (size_t i = 0; i < b.n_series; i++)
			ids[i] = b.series[i].event.id.s;
		sqlite3_stmt *s = NULL;
		int r = sq_stmt(sc, ST_BUSY_SKIPS, &s);
		if (r == 0 && (r = sq_bind_id_list(s, 1, ids, b.n_series)) < 0)
			sqlite3_reset(s);
		if (r < 0)
			return r;
		sqlite3_bind_int64(s, 2, q->from - longest - 86400);
		sqlite3_bind_int64(s, 3, q->to + 86400);
		size_t alloc = 8;
		b.skips = arena_calloc(a, alloc, sizeof *b.skips);
		int rc = SQLITE_DONE;
		while (b.skips && (rc = sqlite3_step(s)) == SQLITE_ROW) {
			if ((b.skips = arena_grow(a, b.skips, b.n_skips, &alloc, sizeof *b.skips))) {
				sq_col_uuid(s, 0, &b.skips[b.n_skips].series_id);
				b.skips[b.n_skips++].original_start = sqlite3_column_int64(s, 1);
			}
		}
		sqlite3_reset(s);
		if (!b.skips)
			return CAL_E_NOMEM;
		if (rc != SQLITE_DONE)
			return sq_map_rc(sc, rc);
	}
	*ret = b;
	return 0;
}
