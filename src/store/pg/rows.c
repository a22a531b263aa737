/* The PostgreSQL backend's data functions: the directory and events with
 * their attendees and alarms. Statements, connections and error mapping are
 * in pg.c.
 *
 * Ids are checked in C before they reach a uuid parameter: a malformed id
 * would be a SQL error, which aborts a PostgreSQL transaction, where it is
 * only "no such row" to the caller. An event's attendees (or alarms) are
 * written with one statement taking array parameters, and a page's are read
 * with one query, whatever the number of events. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/strbuf.h"
#include "store/pg/pg.h"

/* Caps a built array parameter; far above what limits.h lets through. */
enum { ARRAY_MAX = 64 * 1024 * 1024, COLUMNS_MAX = 8 };

#include "store/pg/reader.h"

/* A single-row lookup: CAL_E_NOT_FOUND when there is no row. */
static int lookup(struct pg_conn *pc, enum pg_stmt id, const char *key, PGresult **ret)
{
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(pc, id, 1, (const char *const[]){key}, &res);
	if (r < 0)
		return r;
	if (PQntuples(res) == 0)
		return CAL_E_NOT_FOUND;
	*ret = TAKE_PTR(res);
	return 0;
}

/* An INSERT ... ON CONFLICT DO NOTHING: no row written means a unique key
 * (id, slug, e-mail) is taken. */
static int insert_one(struct pg_conn *pc, enum pg_stmt id, int n, const char *const *params)
{
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(pc, id, n, params, &res);
	if (r < 0)
		return r;
	return pgs_changed(res) == 1 ? 0 : CAL_E_EXISTS;
}

int pgs_company_insert(struct store_conn *c, const struct cal_company *co)
{
	struct pg_num at;
	const char *const p[] = {pgs_uuid(&co->id), co->name, co->slug,
				 pgs_i64(&at, co->created_at)};
	return insert_one(PGC(c), PG_COMPANY_INSERT, 4, p);
}

int pgs_company_get(struct store_conn *c, struct arena *a, const char *key, bool by_slug,
		    struct cal_company *ret)
{
	if (!by_slug && !cal_uuid_valid(key))
		return CAL_E_NOT_FOUND;
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = lookup(PGC(c), by_slug ? PG_COMPANY_BY_SLUG : PG_COMPANY_BY_ID, key, &res);
	if (r < 0)
		return r;
	struct reader rd = {.res = res, .a = a};
	struct cal_company co = {0};
	rd_uuid(&rd, 0, &co.id);
	co.name = rd_str(&rd, 1);
	co.slug = rd_str(&rd, 2);
	co.created_at = rd_i64(&rd, 3);
	if (rd.err)
		return rd.err;
	*ret = co;
	return 0;
}

static const char *role_name(enum cal_role_in_company role)
{
	return role == CAL_USER_ADMIN ? "admin" : "user";
}

static int role_parse(const char *s)
{
	if (strcmp(s, "admin") == 0)
		return CAL_USER_ADMIN;
	return strcmp(s, "user") == 0 ? CAL_USER_MEMBER : -1;
}

int pgs_user_insert(struct store_conn *c, const struct cal_user *u)
{
	struct pg_num at;
	const char *const p[] = {pgs_uuid(&u->id),
				 pgs_uuid(&u->company_id),
				 u->name,
				 u->email,
				 u->timezone,
				 u->lang,
				 u->password_hash,
				 role_name(u->role),
				 pgs_i64(&at, u->created_at),
				 u->phone};
	return insert_one(PGC(c), PG_USER_INSERT, 10, p);
}

int pgs_user_get(struct store_conn *c, struct arena *a, const char *key, bool by_email,
		 struct cal_user *ret)
{
	if (!by_email && !cal_uuid_valid(key))
		return CAL_E_NOT_FOUND;
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = lookup(PGC(c), by_email ? PG_USER_BY_EMAIL : PG_USER_BY_ID, key, &res);
	if (r < 0)
		return r;
	struct reader rd = {.res = res, .a = a};
	struct cal_user u = {0};
	rd_uuid(&rd, 0, &u.id);
	rd_uuid(&rd, 1, &u.company_id);
	u.name = rd_str(&rd, 2);
	u.email = rd_str(&rd, 3);
	u.timezone = rd_str(&rd, 4);
	u.lang = rd_str(&rd, 5);
	u.password_hash = rd_opt(&rd, 6);
	u.role = (enum cal_role_in_company)rd_enum(&rd, 7, role_parse);
	u.created_at = rd_i64(&rd, 8);
	u.phone = rd_opt(&rd, 9);
	if (rd.err)
		return rd.err;
	*ret = u;
	return 0;
}

int pgs_partner_insert(struct store_conn *c, const struct cal_partner *p)
{
	struct pg_num at;
	const char *created = pgs_i64(&at, p->created_at);
	const char *const v[] = {
	    pgs_uuid(&p->id), pgs_uuid(&p->company_id), p->name, p->email, p->phone, created,
	};
	return insert_one(PGC(c), PG_PARTNER_INSERT, 6, v);
}

int pgs_partner_get(struct store_conn *c, struct arena *a, const char *id, struct cal_partner *ret)
{
	if (!cal_uuid_valid(id))
		return CAL_E_NOT_FOUND;
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = lookup(PGC(c), PG_PARTNER_BY_ID, id, &res);
	if (r < 0)
		return r;
	struct reader rd = {.res = res, .a = a};
	struct cal_partner p = {0};
	rd_uuid(&rd, 0, &p.id);
	rd_uuid(&rd, 1, &p.company_id);
	p.name = rd_str(&rd, 2);
	p.email = rd_opt(&rd, 3);
	p.phone = rd_opt(&rd, 4);
	p.created_at = rd_i64(&rd, 5);
	if (rd.err)
		return rd.err;
	*ret = p;
	return 0;
}

/* The event's columns as statement parameters $1..$29 (EVENT_COLUMNS
 * order), and $30 for the update's expected version. */
struct event_params {
	const char *v[30];
	struct pg_num start, end, start_date, end_date, version, created_at, updated_at, expected,
		original_start, series_end, sequence;
};

static void event_params(struct event_params *p, const struct cal_event *e)
{
	const char *const v[29] = {
	    pgs_uuid(&e->id),
	    pgs_uuid(&e->company_id),
	    e->name,
	    e->description,
	    e->location,
	    pgs_i64(&p->start, e->start),
	    pgs_i64(&p->end, e->end),
	    pgs_bool(e->all_day),
	    e->all_day ? pgs_i64(&p->start_date, e->start_date) : NULL,
	    e->all_day ? pgs_i64(&p->end_date, e->end_date) : NULL,
	    e->timezone,
	    pgs_uuid(&e->organizer_id),
	    e->organizer_email,
	    cal_privacy_name(e->privacy),
	    cal_show_as_name(e->show_as),
	    pgs_bool(e->recurring),
	    e->res_model,
	    e->res_id,
	    pgs_i64(&p->version, e->version),
	    pgs_i64(&p->created_at, e->created_at),
	    pgs_i64(&p->updated_at, e->updated_at),
	    e->created_by,
	    e->updated_by,
	    e->recurring ? pgs_uuid(&e->id) : NULL,
	    cal_event_is_exception(e) ? e->master_id.s : NULL,
	    cal_event_is_exception(e) ? pgs_i64(&p->original_start, e->original_start) : NULL,
	    e->recurring ? pgs_i64(&p->series_end, e->series_end) : NULL,
	    e->ical_uid,
	    pgs_i64(&p->sequence, e->sequence),
	};
	memcpy(p->v, v, sizeof v);
	p->v[29] = NULL;
}

static void read_event(struct reader *rd, struct cal_event *e)
{
	*e = (struct cal_event){0};
	rd_uuid(rd, 0, &e->id);
	rd_uuid(rd, 1, &e->company_id);
	e->name = rd_str(rd, 2);
	e->description = rd_opt(rd, 3);
	e->location = rd_opt(rd, 4);
	e->start = rd_i64(rd, 5);
	e->end = rd_i64(rd, 6);
	e->all_day = rd_bool(rd, 7);
	e->start_date = (int32_t)rd_i64(rd, 8);
	e->end_date = (int32_t)rd_i64(rd, 9);
	e->timezone = rd_str(rd, 10);
	rd_uuid(rd, 11, &e->organizer_id);
	e->organizer_email = rd_opt(rd, 12);
	e->privacy = (enum cal_privacy)rd_enum(rd, 13, cal_privacy_parse);
	e->show_as = (enum cal_show_as)rd_enum(rd, 14, cal_show_as_parse);
	e->recurring = rd_bool(rd, 15);
	e->res_model = rd_opt(rd, 16);
	e->res_id = rd_opt(rd, 17);
	e->version = rd_i64(rd, 18);
	e->created_at = rd_i64(rd, 19);
	e->updated_at = rd_i64(rd, 20);
	e->created_by = rd_str(rd, 21);
	e->updated_by = rd_str(rd, 22);
	if (!rd_null(rd, 23))
		rd_uuid(rd, 23, &e->master_id);
	e->original_start = rd_i64(rd, 24);
	e->series_end = rd_i64(rd, 25);
	e->ical_uid = rd_opt(rd, 26);
	e->sequence = rd_i64(rd, 27);
	e->rrule = rd_opt(rd, 28);
	if (store_exdates_parse(rd->a, rd_opt(rd, 29), &e->exdates, &e->n_exdates) < 0)
		rd_fail(rd, CAL_E_NOMEM);
}

/* A PostgreSQL array literal built element by element. Every element but
 * NULL is double-quoted with '"' and '\' escaped, so no value can end its
 * element, or the literal, early. The first error sticks. */
struct pg_array {
	struct strbuf sb;
	size_t n;
	int err;
};

static int add_quoted(struct strbuf *sb, const char *s)
{
	int r = strbuf_puts(sb, "\"");
	while (r == 0 && *s) {
		size_t plain = strcspn(s, "\"\\");
		r = strbuf_add(sb, s, plain);
		s += plain;
		if (r == 0 && *s) {
			const char esc[2] = {'\\', *s++};
			r = strbuf_add(sb, esc, sizeof esc);
		}
	}
	return r < 0 ? r : strbuf_puts(sb, "\"");
}

static void array_add(struct pg_array *arr, const char *s)
{
	if (arr->err)
		return;
	int r = strbuf_puts(&arr->sb, arr->n++ ? "," : "{");
	if (r == 0)
		r = s ? add_quoted(&arr->sb, s) : strbuf_puts(&arr->sb, "NULL");
	arr->err = r;
}

/* The finished literal; NULL after an error (arr->err says which). */
static const char *array_end(struct pg_array *arr)
{
	if (!arr->err && arr->n == 0)
		arr->err = strbuf_puts(&arr->sb, "{");
	if (!arr->err)
		arr->err = strbuf_puts(&arr->sb, "}");
	return arr->err ? NULL : strbuf_str(&arr->sb);
}

/* Parallel arrays, one per column of a child table. */
struct columns {
	struct pg_array col[COLUMNS_MAX];
};

static void columns_init(struct columns *c)
{
	for (size_t i = 0; i < COLUMNS_MAX; i++)
		c->col[i] = (struct pg_array){.sb = STRBUF_INIT(ARRAY_MAX)};
}

static void columns_release(struct columns *c)
{
	for (size_t i = 0; i < COLUMNS_MAX; i++)
		strbuf_release(&c->col[i].sb);
}

/* Finishes the first `n` arrays into `params`. */
static int columns_end(struct columns *c, size_t n, const char **params)
{
	for (size_t i = 0; i < n; i++)
		if (!(params[i] = array_end(&c->col[i])))
			return c->col[i].err;
	return 0;
}

/* Every attendee row carries its event's span (see the schema), and its
 * array position becomes `position`. */
static int insert_attendees(struct pg_conn *pc, const struct cal_event *e)
{
	enum { ID, USER, PARTNER, EMAIL, NAME, ROLE, STATE, N_COLS };
	if (e->n_attendees == 0)
		return 0;
	_cleanup_(columns_release) struct columns cols;
	columns_init(&cols);
	for (size_t i = 0; i < e->n_attendees; i++) {
		const struct cal_attendee *at = &e->attendees[i];
		array_add(&cols.col[ID], pgs_uuid(&at->id));
		array_add(&cols.col[USER], at->user_id);
		array_add(&cols.col[PARTNER], at->partner_id);
		array_add(&cols.col[EMAIL], at->email);
		array_add(&cols.col[NAME], at->display_name);
		array_add(&cols.col[ROLE], cal_role_name(at->role));
		array_add(&cols.col[STATE], cal_partstat_name(at->state));
	}
	struct pg_num start, end, at;
	const char *p[5 + N_COLS] = {e->id.s, pgs_i64(&start, e->start), pgs_i64(&end, store_span_end(e)),
				     pgs_bool(store_is_long_span(e)), pgs_i64(&at, e->updated_at)};
	int r = columns_end(&cols, N_COLS, p + 5);
	if (r < 0)
		return r;
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	return pgs_run(pc, PG_ATTENDEES_INSERT, 5 + N_COLS, p, &res);
}

static int insert_alarms(struct pg_conn *pc, const struct cal_event *e)
{
	enum { ID, TYPE, VALUE, UNIT, NEXT, N_COLS };
	if (e->n_alarms == 0)
		return 0;
	_cleanup_(columns_release) struct columns cols;
	columns_init(&cols);
	for (size_t i = 0; i < e->n_alarms; i++) {
		const struct cal_alarm *al = &e->alarms[i];
		struct pg_num value, next;
		array_add(&cols.col[ID], pgs_uuid(&al->id));
		array_add(&cols.col[TYPE], cal_alarm_type_name(al->type));
		array_add(&cols.col[VALUE], pgs_i64(&value, al->interval_value));
		array_add(&cols.col[UNIT], cal_interval_unit_name(al->interval_unit));
		array_add(&cols.col[NEXT], al->armed ? pgs_i64(&next, al->next_trigger_at) : NULL);
	}
	struct pg_num at;
	const char *p[2 + N_COLS] = {e->id.s, pgs_i64(&at, e->updated_at)};
	int r = columns_end(&cols, N_COLS, p + 2);
	if (r < 0)
		return r;
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	return pgs_run(pc, PG_ALARMS_INSERT, 2 + N_COLS, p, &res);
}

static int insert_children(struct pg_conn *pc, const struct cal_event *e)
{
	int r = insert_attendees(pc, e);
	return r < 0 ? r : insert_alarms(pc, e);
}

/* The series' rule row (its id is the event's): structured fields when the
 * structured form can say the rule, the RRULE and EXDATEs always. */
static int upsert_recurrence(struct pg_conn *pc, const struct cal_event *e)
{
	const struct cal_recurrence_config *cfg = e->config;
	struct pg_num interval, count, until, weekdays, dom, wom, at;
	_cleanup_(freep) char *exdates = store_exdates_format(e);
	const char *const p[13] = {
	    e->id.s,
	    cfg ? cal_rrule_type_name(cfg->rrule_type) : NULL,
	    pgs_i64(&interval, cfg ? cfg->interval : 1),
	    cfg ? cal_end_type_name(cfg->end_type) : "forever",
	    cfg && cfg->end_type == CAL_END_COUNT ? pgs_i64(&count, cfg->count) : NULL,
	    cfg && cfg->end_type == CAL_END_UNTIL ? pgs_i64(&until, cfg->until_date) : NULL,
	    pgs_i64(&weekdays, cfg ? (int64_t)cfg->weekdays : 0),
	    cfg ? cal_month_by_name(cfg->month_by) : NULL,
	    cfg && cfg->day_of_month ? pgs_i64(&dom, cfg->day_of_month) : NULL,
	    cfg && cfg->week_of_month ? pgs_i64(&wom, cfg->week_of_month) : NULL,
	    e->rrule,
	    exdates,
	    pgs_i64(&at, e->updated_at),
	};
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	return pgs_run(pc, PG_RECURRENCE_UPSERT, 13, p, &res);
}

static int delete_recurrence(struct pg_conn *pc, const char *id)
{
	const char *const p[1] = {id};
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	return pgs_run(pc, PG_RECURRENCE_DELETE, 1, p, &res);
}

int pgs_event_insert(struct store_conn *c, const struct cal_event *e)
{
	struct pg_conn *pc = PGC(c);
	struct event_params p;
	event_params(&p, e);
	int r = e->recurring ? upsert_recurrence(pc, e) : 0;
	if (r == 0)
		r = insert_one(pc, PG_EVENT_INSERT, 29, p.v);
	return r < 0 ? r : insert_children(pc, e);
}

/* Child rows name their event by id (column 0); a page's ids sorted once
 * map each row back to its event without a quadratic scan. */
struct slot {
	const char *id;
	size_t index;
};

static int slot_cmp(const void *x, const void *y)
{
	return strcmp(((const struct slot *)x)->id, ((const struct slot *)y)->id);
}

struct page_index {
	struct slot *slots;
	size_t n;
};

static int page_index_build(struct arena *a, const struct cal_event *events, size_t n,
			    struct page_index *ret)
{
	struct slot *slots = arena_calloc(a, n, sizeof *slots);
	if (!slots)
		return CAL_E_NOMEM;
	for (size_t i = 0; i < n; i++)
		slots[i] = (struct slot){events[i].id.s, i};
	qsort(slots, n, sizeof *slots, slot_cmp);
	*ret = (struct page_index){slots, n};
	return 0;
}

static int child_owner(const struct page_index *idx, struct reader *rd, size_t *ret)
{
	const struct slot key = {rd_raw(rd, 0), 0};
	const struct slot *hit = bsearch(&key, idx->slots, idx->n, sizeof key, slot_cmp);
	if (!hit)
		return CAL_E_STORE;
	*ret = hit->index;
	return 0;
}

/* Rows arrive grouped by event in position order, so each event's
 * attendees are a contiguous run of one array. */
static int load_attendees(struct pg_conn *pc, struct arena *a, const char *ids,
			  const struct page_index *idx, struct cal_event *events)
{
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(pc, PG_ATTENDEES_OF, 1, &ids, &res);
	if (r < 0)
		return r;
	int rows = PQntuples(res);
	struct cal_attendee *all = arena_calloc(a, rows ? (size_t)rows : 1, sizeof *all);
	if (!all)
		return CAL_E_NOMEM;
	for (int i = 0; i < rows; i++) {
		struct reader rd = {.res = res, .row = i, .a = a};
		size_t k;
		if ((r = child_owner(idx, &rd, &k)) < 0)
			return r;
		struct cal_attendee *at = &all[i];
		rd_uuid(&rd, 1, &at->id);
		at->user_id = rd_opt(&rd, 2);
		at->partner_id = rd_opt(&rd, 3);
		at->email = rd_str(&rd, 4);
		at->display_name = rd_opt(&rd, 5);
		at->role = (enum cal_role)rd_enum(&rd, 6, cal_role_parse);
		at->state = (enum cal_partstat)rd_enum(&rd, 7, cal_partstat_parse);
		if (rd.err)
			return rd.err;
		if (!events[k].attendees)
			events[k].attendees = at;
		events[k].n_attendees++;
	}
	return 0;
}

static int load_alarms(struct pg_conn *pc, struct arena *a, const char *ids,
		       const struct page_index *idx, struct cal_event *events)
{
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(pc, PG_ALARMS_OF, 1, &ids, &res);
	if (r < 0)
		return r;
	int rows = PQntuples(res);
	struct cal_alarm *all = arena_calloc(a, rows ? (size_t)rows : 1, sizeof *all);
	if (!all)
		return CAL_E_NOMEM;
	for (int i = 0; i < rows; i++) {
		struct reader rd = {.res = res, .row = i, .a = a};
		size_t k;
		if ((r = child_owner(idx, &rd, &k)) < 0)
			return r;
		struct cal_alarm *al = &all[i];
		rd_uuid(&rd, 1, &al->id);
		al->type = (enum cal_alarm_type)rd_enum(&rd, 2, cal_alarm_type_parse);
		al->interval_value = (int32_t)rd_i64(&rd, 3);
		al->interval_unit =
		    (enum cal_interval_unit)rd_enum(&rd, 4, cal_interval_unit_parse);
		if (rd.err)
			return rd.err;
		if (!events[k].alarms)
			events[k].alarms = al;
		events[k].n_alarms++;
	}
	return 0;
}

/* Attendees and alarms of `events`, one query each. */
static int load_children(struct pg_conn *pc, struct arena *a, struct cal_event *events, size_t n)
{
	if (n == 0)
		return 0;
	struct page_index idx;
	int r = page_index_build(a, events, n, &idx);
	if (r < 0)
		return r;
	_cleanup_(strbuf_release) struct strbuf ids = STRBUF_INIT(ARRAY_MAX);
	r = strbuf_puts(&ids, "{");
	for (size_t i = 0; r == 0 && i < n; i++)
		r = strbuf_printf(&ids, "%s%s", i ? "," : "", events[i].id.s);
	if (r == 0)
		r = strbuf_puts(&ids, "}");
	if (r == 0)
		r = load_attendees(pc, a, strbuf_str(&ids), &idx, events);
	if (r == 0)
		r = load_alarms(pc, a, strbuf_str(&ids), &idx, events);
	return r;
}

int pgs_event_get(struct store_conn *c, struct arena *a, const char *id, struct cal_event *ret)
{
	if (!cal_uuid_valid(id))
		return CAL_E_NOT_FOUND;
	struct pg_conn *pc = PGC(c);
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = lookup(pc, PG_EVENT_BY_ID, id, &res);
	if (r < 0)
		return r;
	struct reader rd = {.res = res, .a = a};
	struct cal_event e;
	read_event(&rd, &e);
	if (rd.err)
		return rd.err;
	if ((r = load_children(pc, a, &e, 1)) < 0)
		return r;
	*ret = e;
	return 0;
}

int pgs_event_lock(struct store_conn *c, const char *id)
{
	if (!cal_uuid_valid(id))
		return CAL_E_NOT_FOUND;
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	return lookup(PGC(c), PG_EVENT_LOCK, id, &res);
}

/* After a version-guarded write changed nothing: missing, or changed by
 * someone else. */
static int guard_failed(struct pg_conn *pc, const char *id)
{
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = lookup(pc, PG_EVENT_EXISTS, id, &res);
	return r < 0 ? r : CAL_E_PRECONDITION;
}

static int delete_children(struct pg_conn *pc, const char *id)
{
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(pc, PG_ATTENDEES_DELETE, 1, &id, &res);
	if (r < 0)
		return r;
	PQclear(TAKE_PTR(res));
	return pgs_run(pc, PG_ALARMS_DELETE, 1, &id, &res);
}

int pgs_event_update(struct store_conn *c, const struct cal_event *e, int64_t expected_version)
{
	if (!cal_uuid_valid(e->id.s))
		return CAL_E_NOT_FOUND;
	struct pg_conn *pc = PGC(c);
	struct event_params p;
	event_params(&p, e);
	p.v[29] = pgs_i64(&p.expected, expected_version);
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = e->recurring ? upsert_recurrence(pc, e) : 0;
	if (r == 0)
		r = pgs_run(pc, PG_EVENT_UPDATE, 30, p.v, &res);
	if (r < 0)
		return r;
	if (pgs_changed(res) == 0)
		return guard_failed(pc, e->id.s);
	if (!e->recurring && (r = delete_recurrence(pc, e->id.s)) < 0)
		return r;
	if ((r = delete_children(pc, e->id.s)) < 0)
		return r;
	return insert_children(pc, e);
}

int pgs_event_delete(struct store_conn *c, const char *id, int64_t expected_version)
{
	if (!cal_uuid_valid(id))
		return CAL_E_NOT_FOUND;
	struct pg_conn *pc = PGC(c);
	struct pg_num version;
	const char *const p[] = {id, pgs_i64(&version, expected_version)};
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(pc, PG_EVENT_DELETE, 2, p, &res);
	if (r < 0)
		return r;
	if (pgs_changed(res) == 0)
		return guard_failed(pc, id);
	/* Exceptions went with their series (ON DELETE CASCADE); the rule row
	 * is referenced by nothing now. */
	return delete_recurrence(pc, id);
}

/* The query's users as a uuid[] literal. Ids that are not uuids cannot
 * match anyone and are left out; `ret_n` counts the rest. */
static int user_array(const struct store_event_query *q, struct strbuf *sb, size_t *ret_n)
{
	size_t n = 0;
	int r = strbuf_puts(sb, "{");
	for (size_t i = 0; r == 0 && i < q->n_user_ids; i++)
		if (cal_uuid_valid(q->user_ids[i]))
			r = strbuf_printf(sb, "%s%s", n++ ? "," : "", q->user_ids[i]);
	if (r == 0)
		r = strbuf_puts(sb, "}");
	if (r == 0)
		*ret_n = n;
	return r;
}

static int read_page(struct pg_conn *pc, struct arena *a, const PGresult *res, unsigned limit,
		     struct store_event_page *ret)
{
	size_t rows = (size_t)PQntuples(res);
	size_t n = rows > limit ? limit : rows;
	struct cal_event *items = arena_calloc(a, n ? n : 1, sizeof *items);
	if (!items)
		return CAL_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		struct reader rd = {.res = res, .row = (int)i, .a = a};
		read_event(&rd, &items[i]);
		if (rd.err)
			return rd.err;
	}
	int r = load_children(pc, a, items, n);
	if (r < 0)
		return r;
	*ret = (struct store_event_page){.items = items, .n = n, .more = rows > n};
	return 0;
}

int pgs_events_range(struct store_conn *c, struct arena *a, const struct store_event_query *q,
		     struct store_event_page *ret)
{
	if (q->has_cursor && !cal_uuid_valid(q->cursor_id))
		return CAL_E_INVALID;
	_cleanup_(strbuf_release) struct strbuf users = STRBUF_INIT(ARRAY_MAX);
	size_t n_users = 0;
	int r = user_array(q, &users, &n_users);
	if (r < 0)
		return r;
	if (n_users == 0 || q->limit == 0 || !cal_uuid_valid(q->company_id)) {
		*ret = (struct store_event_page){0};
		return 0;
	}
	int64_t from_long =
	    q->from < INT64_MIN + STORE_LONG_SPAN ? INT64_MIN : q->from - STORE_LONG_SPAN;
	struct pg_num from, to, reach, cursor, limit;
	const char *const p[] = {
	    q->company_id,
	    strbuf_str(&users),
	    pgs_i64(&from, q->from),
	    pgs_i64(&to, q->to),
	    pgs_i64(&reach, from_long),
	    q->res_model,
	    q->res_id,
	    q->has_cursor && !q->series ? pgs_i64(&cursor, q->cursor_start) : NULL,
	    q->has_cursor && !q->series ? q->cursor_id : NULL,
	    pgs_i64(&limit, (int64_t)q->limit + 1),
	    pgs_bool(q->series),
	};
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	if ((r = pgs_run(PGC(c), PG_RANGE, 11, p, &res)) < 0)
		return r;
	return read_page(PGC(c), a, res, q->limit, ret);
}

int pgs_event_get_by_uid(struct store_conn *c, struct arena *a, const char *company_id,
			 const char *uid, struct cal_event *ret)
{
	if (!cal_uuid_valid(company_id))
		return CAL_E_NOT_FOUND;
	const char *const p[] = {company_id, uid};
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	struct store_event_page page;
	int r = pgs_run(PGC(c), PG_EVENT_BY_UID, 2, p, &res);
	if (r < 0 || (r = read_page(PGC(c), a, res, 1, &page)) < 0)
		return r;
	if (page.n == 0)
		return CAL_E_NOT_FOUND;
	*ret = page.items[0];
	return 0;
}

int pgs_exceptions(struct store_conn *c, struct arena *a, const char *master_id, int64_t from,
		   int64_t to, struct store_event_page *ret)
{
	if (!cal_uuid_valid(master_id)) {
		*ret = (struct store_event_page){0};
		return 0;
	}
	/* Years 1..9999 hold every instant calendard stores, and to_timestamp
	 * takes them. */
	int64_t lo = from < CAL_CIVIL_EPOCH_MIN ? CAL_CIVIL_EPOCH_MIN : from;
	int64_t hi = to > CAL_CIVIL_EPOCH_MAX + 1 ? CAL_CIVIL_EPOCH_MAX + 1 : to;
	struct pg_num f, t;
	const char *const p[] = {master_id, pgs_i64(&f, lo), pgs_i64(&t, hi)};
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(PGC(c), PG_EXCEPTIONS_OF, 3, p, &res);
	return r < 0 ? r : read_page(PGC(c), a, res, UINT_MAX, ret);
}

int pgs_feed_put(struct store_conn *c, const char *user_id, const char *token_hash, int64_t now)
{
	if (!cal_uuid_valid(user_id))
		return CAL_E_NOT_FOUND;
	struct pg_num at;
	const char *const p[] = {user_id, token_hash, pgs_i64(&at, now)};
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	return pgs_run(PGC(c), PG_FEED_PUT, 3, p, &res);
}

int pgs_feed_user(struct store_conn *c, struct arena *a, const char *token_hash,
		  const char **ret_user_id)
{
	const char *const p[] = {token_hash};
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(PGC(c), PG_FEED_USER, 1, p, &res);
	if (r < 0)
		return r;
	if (PQntuples(res) == 0)
		return CAL_E_NOT_FOUND;
	const char *id = arena_strdup(a, PQgetvalue(res, 0, 0));
	if (!id)
		return CAL_E_NOMEM;
	*ret_user_id = id;
	return 0;
}

int pgs_feed_delete(struct store_conn *c, const char *user_id)
{
	if (!cal_uuid_valid(user_id))
		return 0;
	const char *const p[] = {user_id};
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	return pgs_run(PGC(c), PG_FEED_DELETE, 1, p, &res);
}

/* Busy time: every user's two index ranges in one statement, then the
 * exceptions of the series found in another. */
int pgs_busy(struct store_conn *c, struct arena *a, const struct store_busy_query *q,
	     struct store_busy *ret)
{
	struct pg_conn *pc = PGC(c);
	_cleanup_(strbuf_release) struct strbuf users = STRBUF_INIT(ARRAY_MAX);
	int r = pgs_uuid_array(&users, q->user_ids, q->n_user_ids);
	if (r < 0)
		return r;
	int64_t from_long = q->from - STORE_LONG_SPAN;
	struct pg_num from, to, reach;
	const char *const p[] = { strbuf_str(&users), pgs_i64(&from, q->from), pgs_i64(&to, q->to),
				  pgs_i64(&reach, from_long), q->company_id };
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	if ((r = pgs_run(pc, PG_BUSY, 5, p, &res)) < 0)
		return r;
	size_t rows = (size_t)PQntuples(res);
	struct store_busy b = { 0 };
	b.spans = arena_calloc(a, rows ? rows : 1, sizeof *b.spans);
	b.series = arena_calloc(a, rows ? rows : 1, sizeof *b.series);
	if (!b.spans || !b.series)
		return CAL_E_NOMEM;
	int64_t longest = 0;
	for (size_t i = 0; i < rows; i++) {
		struct reader rd = { .res = res, .row = (int)i, .a = a };
		struct cal_event e;
		read_event(&rd, &e);
		size_t user = q->n_user_ids;
		for (size_t u = 0; u < q->n_user_ids; u++)
			if (strcmp(q->user_ids[u], rd_raw(&rd, 30)) == 0)
				user = u;
		if (rd.err)
			return rd.err;
		if (user == q->n_user_ids)
			return CAL_E_STORE;
		if (!e.recurring) {
			b.spans[b.n_spans++] = (struct store_busy_span){ user, e.start, e.end, e.id };
			continue;
		}
		if (b.n_series >= q->series_limit)
			return CAL_E_INVALID;
		b.series[b.n_series++] = (struct store_busy_series){ user, e };
		if (e.end - e.start > longest)
			longest = e.end - e.start;
	}
	if (b.n_series == 0) {
		*ret = b;
		return 0;
	}
	const char **list = arena_calloc(a, b.n_series, sizeof *list);
	if (!list)
		return CAL_E_NOMEM;
	for (size_t i = 0; i < b.n_series; i++)
		list[i] = b.series[i].event.id.s;
	_cleanup_(strbuf_release) struct strbuf ids = STRBUF_INIT(ARRAY_MAX);
	if ((r = pgs_uuid_array(&ids, list, b.n_series)) < 0)
		return r;
	struct pg_num lo, hi;
	const char *const sp[] = { strbuf_str(&ids), pgs_i64(&lo, q->from - longest - 86400),
				   pgs_i64(&hi, q->to + 86400) };
	PQclear(TAKE_PTR(res));
	if ((r = pgs_run(pc, PG_BUSY_SKIPS, 3, sp, &res)) < 0)
		return r;
	rows = (size_t)PQntuples(res);
	b.skips = arena_calloc(a, rows ? rows : 1, sizeof *b.skips);
	if (!b.skips)
		return CAL_E_NOMEM;
	struct reader rd = { .res = res, .a = a };
	for (size_t i = 0; i < rows; i++) {
		rd.row = (int)i;
		rd_uuid(&rd, 0, &b.skips[i].series_id);
		b.skips[i].original_start = rd_i64(&rd, 1);
	}
	if (rd.err)
		return rd.err;
	b.n_skips = rows;
	*ret = b;
	return 0;
}
