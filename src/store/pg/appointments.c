/* The PostgreSQL backend's appointment types, bookings and leads
 * (store.h). As in rows.c, ids are checked in C before they reach a uuid
 * parameter. The statements are in pg.c's table. */
#include <string.h>

#include "base/macro.h"
#include "base/strbuf.h"
#include "store/pg/pg.h"
#include "store/pg/reader.h"

/* `ids` as a uuid[] literal ("{a,b}"). The caller checked every id. */
int pgs_uuid_array(struct strbuf *sb, const char *const *ids, size_t n)
{
	int r = strbuf_puts(sb, "{");
	for (size_t i = 0; r == 0 && i < n; i++)
		r = strbuf_printf(sb, "%s%s", i ? "," : "", ids[i]);
	return r == 0 ? strbuf_puts(sb, "}") : r;
}

static const char *opt_int(struct pg_num *buf, int v)
{
	return v > 0 ? pgs_i64(buf, v) : NULL;
}

/* The 28 columns of APPT_TYPE_COLUMNS as $1..$28. */
struct type_params {
	const char *v[29];
	struct pg_num n[16];
};

static int type_params(struct type_params *p, struct arena *a, const struct cal_appointment_type *t)
{
	const char *availability = cal_availability_format(a, &t->availability);
	if (!availability)
		return CAL_E_NOMEM;
	const char *const v[28] = {
		pgs_uuid(&t->id),
		pgs_uuid(&t->company_id),
		t->name,
		t->description,
		t->location,
		t->slug,
		t->timezone,
		pgs_i64(&p->n[0], t->duration_minutes),
		opt_int(&p->n[1], t->slot_interval_minutes),
		pgs_i64(&p->n[2], t->buffer_before_minutes),
		pgs_i64(&p->n[3], t->buffer_after_minutes),
		pgs_i64(&p->n[4], t->schedule_range_days),
		pgs_i64(&p->n[5], t->min_booking_hours),
		pgs_i64(&p->n[6], t->cancel_hours_before),
		pgs_i64(&p->n[7], t->reminder_hours_before),
		opt_int(&p->n[8], t->max_bookings_per_day),
		availability,
		cal_assignment_name(t->assignment),
		pgs_bool(t->allow_reschedule),
		pgs_bool(t->allow_cancel),
		pgs_bool(t->confirmation_email),
		pgs_bool(t->reminder_email),
		pgs_bool(t->create_opportunity),
		pgs_bool(t->is_published),
		pgs_bool(t->active),
		pgs_i64(&p->n[9], t->created_at),
		pgs_i64(&p->n[10], t->updated_at),
		pgs_i64(&p->n[11], t->version),
	};
	memcpy(p->v, v, sizeof v);
	p->v[28] = NULL;
	return 0;
}

static int assignment_parse(const char *s) { return cal_assignment_parse(s); }

static void read_type(struct reader *rd, struct cal_appointment_type *t)
{
	*t = (struct cal_appointment_type){ 0 };
	rd_uuid(rd, 0, &t->id);
	rd_uuid(rd, 1, &t->company_id);
	t->name = rd_str(rd, 2);
	t->description = rd_str(rd, 3);
	t->location = rd_str(rd, 4);
	t->slug = rd_str(rd, 5);
	t->timezone = rd_str(rd, 6);
	t->duration_minutes = (int)rd_i64(rd, 7);
	t->slot_interval_minutes = (int)rd_i64(rd, 8);
	t->buffer_before_minutes = (int)rd_i64(rd, 9);
	t->buffer_after_minutes = (int)rd_i64(rd, 10);
	t->schedule_range_days = (int)rd_i64(rd, 11);
	t->min_booking_hours = (int)rd_i64(rd, 12);
	t->cancel_hours_before = (int)rd_i64(rd, 13);
	t->reminder_hours_before = (int)rd_i64(rd, 14);
	t->max_bookings_per_day = (int)rd_i64(rd, 15);
	if (cal_availability_parse(rd_raw(rd, 16), &t->availability) < 0)
		rd_fail(rd, CAL_E_STORE);
	t->assignment = (enum cal_assignment)rd_enum(rd, 17, assignment_parse);
	t->allow_reschedule = rd_bool(rd, 18);
	t->allow_cancel = rd_bool(rd, 19);
	t->confirmation_email = rd_bool(rd, 20);
	t->reminder_email = rd_bool(rd, 21);
	t->create_opportunity = rd_bool(rd, 22);
	t->is_published = rd_bool(rd, 23);
	t->active = rd_bool(rd, 24);
	t->created_at = rd_i64(rd, 25);
	t->updated_at = rd_i64(rd, 26);
	t->version = rd_i64(rd, 27);
}

/* The assignees of `types`, one query. */
static int read_assignees(struct pg_conn *pc, struct arena *a, struct cal_appointment_type *types,
			  size_t n)
{
	if (n == 0)
		return 0;
	const char **list = arena_calloc(a, n, sizeof *list);
	if (!list)
		return CAL_E_NOMEM;
	for (size_t i = 0; i < n; i++)
		list[i] = types[i].id.s;
	_cleanup_(strbuf_release) struct strbuf ids = STRBUF_INIT(1024 * 1024);
	int r = pgs_uuid_array(&ids, list, n);
	if (r < 0)
		return r;
	const char *const p[] = { strbuf_str(&ids) };
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	if ((r = pgs_run(pc, PG_APPT_USERS_OF, 1, p, &res)) < 0)
		return r;
	size_t rows = (size_t)PQntuples(res);
	cal_uuid *all = arena_calloc(a, rows ? rows : 1, sizeof *all);
	const char **names = arena_calloc(a, rows ? rows : 1, sizeof *names);
	int64_t *versions = arena_calloc(a, rows ? rows : 1, sizeof *versions);
	if (!all || !names || !versions)
		return CAL_E_NOMEM;
	/* Rows come grouped by type, each group in position order. */
	struct reader rd = { .res = res, .a = a };
	for (size_t row = 0; row < rows; row++) {
		rd.row = (int)row;
		cal_uuid type_id;
		rd_uuid(&rd, 0, &type_id);
		rd_uuid(&rd, 1, &all[row]);
		names[row] = rd_str(&rd, 2);
		versions[row] = rd_i64(&rd, 3);
		for (size_t i = 0; i < n; i++) {
			if (strcmp(types[i].id.s, type_id.s) != 0)
				continue;
			if (!types[i].assignee_ids) {
				types[i].assignee_ids = &all[row];
				types[i].assignee_names = &names[row];
				types[i].assignee_busy_versions = &versions[row];
			}
			types[i].n_assignees++;
			break;
		}
	}
	return rd.err;
}

static int write_assignees(struct pg_conn *pc, const struct cal_appointment_type *t)
{
	const char *id = t->id.s;
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(pc, PG_APPT_USERS_DELETE, 1, &id, &res);
	if (r < 0 || t->n_assignees == 0)
		return r;
	PQclear(TAKE_PTR(res));
	const char *list[CAL_ASSIGNEES_MAX];
	if (t->n_assignees > CAL_ASSIGNEES_MAX)
		return CAL_E_INVALID;
	for (size_t i = 0; i < t->n_assignees; i++)
		if (!cal_uuid_valid(list[i] = t->assignee_ids[i].s))
			return CAL_E_INVALID;
	_cleanup_(strbuf_release) struct strbuf users = STRBUF_INIT(1024 * 1024);
	if ((r = pgs_uuid_array(&users, list, t->n_assignees)) < 0)
		return r;
	const char *const p[] = { id, strbuf_str(&users) };
	return pgs_run(pc, PG_APPT_USERS_INSERT, 2, p, &res);
}

int pgs_appointment_type_insert(struct store_conn *c, const struct cal_appointment_type *t)
{
	struct pg_conn *pc = PGC(c);
	_cleanup_(arena_freep) struct arena *a = arena_new();
	struct type_params p;
	int r = a ? type_params(&p, a, t) : CAL_E_NOMEM;
	if (r < 0)
		return r;
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	if ((r = pgs_run(pc, PG_APPT_TYPE_INSERT, 28, p.v, &res)) < 0)
		return r;
	if (pgs_changed(res) == 0)
		return CAL_E_EXISTS; /* the slug */
	return write_assignees(pc, t);
}

int pgs_appointment_type_get(struct store_conn *c, struct arena *a, const char *id,
			     struct cal_appointment_type *ret)
{
	struct pg_conn *pc = PGC(c);
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(pc, PG_APPT_TYPE_BY_ID, 1, &id, &res);
	if (r < 0)
		return r;
	if (PQntuples(res) == 0)
		return CAL_E_NOT_FOUND;
	struct reader rd = { .res = res, .a = a };
	struct cal_appointment_type t;
	read_type(&rd, &t);
	size_t rows = (size_t)PQntuples(res);
	t.assignee_ids = arena_calloc(a, rows, sizeof *t.assignee_ids);
	t.assignee_names = arena_calloc(a, rows, sizeof *t.assignee_names);
	t.assignee_busy_versions = arena_calloc(a, rows, sizeof *t.assignee_busy_versions);
	if (!t.assignee_ids || !t.assignee_names || !t.assignee_busy_versions)
		return CAL_E_NOMEM;
	for (size_t i = 0; i < rows; i++) {
		rd.row = (int)i;
		if (rd_null(&rd, 28))
			break; /* no assignees: one row of NULLs */
		rd_uuid(&rd, 28, &t.assignee_ids[i]);
		t.assignee_names[i] = rd_str(&rd, 29);
		t.assignee_busy_versions[i] = rd_i64(&rd, 30);
		t.n_assignees++;
	}
	if (rd.err)
		return rd.err;
	*ret = t;
	return 0;
}

int pgs_appointment_type_update(struct store_conn *c, const struct cal_appointment_type *t,
				int64_t expected_version)
{
	if (!cal_uuid_valid(t->id.s))
		return CAL_E_NOT_FOUND;
	struct pg_conn *pc = PGC(c);
	_cleanup_(arena_freep) struct arena *a = arena_new();
	struct type_params p;
	int r = a ? type_params(&p, a, t) : CAL_E_NOMEM;
	if (r < 0)
		return r;
	p.v[28] = pgs_i64(&p.n[12], expected_version);
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	if ((r = pgs_run(pc, PG_APPT_TYPE_UPDATE, 29, p.v, &res)) < 0)
		return r;
	if (pgs_changed(res) == 0) {
		PQclear(TAKE_PTR(res));
		const char *id = t->id.s;
		if ((r = pgs_run(pc, PG_APPT_TYPE_EXISTS, 1, &id, &res)) < 0)
			return r;
		return PQntuples(res) ? CAL_E_PRECONDITION : CAL_E_NOT_FOUND;
	}
	return write_assignees(pc, t);
}

int pgs_appointment_types_list(struct store_conn *c, struct arena *a, const char *company_id,
			       bool published_only, struct cal_appointment_type **ret, size_t *ret_n)
{
	struct pg_conn *pc = PGC(c);
	const char *const p[] = { company_id, pgs_bool(published_only) };
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(pc, PG_APPT_TYPES_OF_COMPANY, 2, p, &res);
	if (r < 0)
		return r;
	size_t n = (size_t)PQntuples(res);
	struct cal_appointment_type *items = arena_calloc(a, n ? n : 1, sizeof *items);
	if (!items)
		return CAL_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		struct reader rd = { .res = res, .row = (int)i, .a = a };
		read_type(&rd, &items[i]);
		if (rd.err)
			return rd.err;
	}
	if ((r = read_assignees(pc, a, items, n)) < 0)
		return r;
	*ret = items;
	*ret_n = n;
	return 0;
}

int pgs_users_lock(struct store_conn *c, const char *const *user_ids, size_t n)
{
	_cleanup_(strbuf_release) struct strbuf users = STRBUF_INIT(1024 * 1024);
	int r = pgs_uuid_array(&users, user_ids, n);
	if (r < 0)
		return r;
	const char *const p[] = { strbuf_str(&users) };
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	return pgs_run(PGC(c), PG_USERS_LOCK, 1, p, &res);
}

/* Which of `ids` a uuid column holds. */
static size_t user_index(struct reader *rd, int col, const char *const *ids, size_t n)
{
	const char *v = rd_raw(rd, col);
	for (size_t i = 0; i < n; i++)
		if (strcmp(ids[i], v) == 0)
			return i;
	rd_fail(rd, CAL_E_STORE);
	return 0;
}

int pgs_bookings_of(struct store_conn *c, struct arena *a, const char *const *user_ids, size_t n,
		    int64_t from, int64_t to, struct store_booked **ret, size_t *ret_n)
{
	_cleanup_(strbuf_release) struct strbuf users = STRBUF_INIT(1024 * 1024);
	int r = pgs_uuid_array(&users, user_ids, n);
	if (r < 0)
		return r;
	struct pg_num f, t;
	const char *const p[] = { strbuf_str(&users), pgs_i64(&f, from), pgs_i64(&t, to) };
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	if ((r = pgs_run(PGC(c), PG_BOOKINGS_OF, 3, p, &res)) < 0)
		return r;
	size_t rows = (size_t)PQntuples(res);
	struct store_booked *items = arena_calloc(a, rows ? rows : 1, sizeof *items);
	if (!items)
		return CAL_E_NOMEM;
	struct reader rd = { .res = res, .a = a };
	for (size_t i = 0; i < rows; i++) {
		rd.row = (int)i;
		items[i].user = user_index(&rd, 0, user_ids, n);
		rd_uuid(&rd, 1, &items[i].type_id);
		items[i].start = rd_i64(&rd, 2);
		items[i].end = rd_i64(&rd, 3);
	}
	if (rd.err)
		return rd.err;
	*ret = items;
	*ret_n = rows;
	return 0;
}

int pgs_booking_insert(struct store_conn *c, const struct cal_booking *b)
{
	struct pg_num start, end, created, updated;
	const char *const p[] = {
		pgs_uuid(&b->id),
		pgs_uuid(&b->type_id),
		pgs_uuid(&b->company_id),
		pgs_uuid(&b->event_id),
		pgs_uuid(&b->assignee_id),
		pgs_i64(&start, b->start),
		pgs_i64(&end, b->end),
		b->customer_name,
		b->customer_email,
		b->customer_phone,
		b->notes,
		b->cancelled ? "cancelled" : "confirmed",
		b->manage_token_hash,
		b->idempotency_key,
		b->request_hash,
		pgs_uuid(&b->lead_id),
		b->customer_lang,
		b->customer_timezone,
		pgs_i64(&created, b->created_at),
		pgs_i64(&updated, b->updated_at),
	};
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(PGC(c), PG_BOOKING_INSERT, 20, p, &res);
	if (r < 0)
		return r;
	return pgs_changed(res) ? 0 : CAL_E_EXISTS; /* the idempotency key */
}

static void read_booking(struct reader *rd, struct cal_booking *b)
{
	*b = (struct cal_booking){ 0 };
	rd_uuid(rd, 0, &b->id);
	rd_uuid(rd, 1, &b->type_id);
	rd_uuid(rd, 2, &b->company_id);
	rd_uuid(rd, 3, &b->event_id);
	rd_uuid(rd, 4, &b->assignee_id);
	b->start = rd_i64(rd, 5);
	b->end = rd_i64(rd, 6);
	b->customer_name = rd_str(rd, 7);
	b->customer_email = rd_str(rd, 8);
	b->customer_phone = rd_str(rd, 9);
	b->notes = rd_str(rd, 10);
	b->cancelled = strcmp(rd_raw(rd, 11), "cancelled") == 0;
	b->manage_token_hash = rd_str(rd, 12);
	b->idempotency_key = rd_str(rd, 13);
	b->request_hash = rd_str(rd, 14);
	rd_uuid(rd, 15, &b->lead_id);
	b->customer_lang = rd_str(rd, 16);
	b->customer_timezone = rd_str(rd, 17);
	b->created_at = rd_i64(rd, 18);
	b->updated_at = rd_i64(rd, 19);
}

int pgs_booking_get(struct store_conn *c, struct arena *a, enum store_booking_key by,
		    const char *key1, const char *key2, struct cal_booking *ret)
{
	const char *const p[] = { key1, key2 };
	enum pg_stmt stmt = by == STORE_BOOKING_BY_KEY  ? PG_BOOKING_BY_KEY
			    : by == STORE_BOOKING_BY_ID ? PG_BOOKING_BY_ID
							: PG_BOOKING_BY_TOKEN;
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(PGC(c), stmt, by == STORE_BOOKING_BY_KEY ? 2 : 1, p, &res);
	if (r < 0)
		return r;
	if (PQntuples(res) == 0)
		return CAL_E_NOT_FOUND;
	struct reader rd = { .res = res, .a = a };
	struct cal_booking b;
	read_booking(&rd, &b);
	if (rd.err)
		return rd.err;
	*ret = b;
	return 0;
}

int pgs_booking_update(struct store_conn *c, const struct cal_booking *b)
{
	struct pg_num start, end, updated;
	const char *const p[] = {
		pgs_uuid(&b->id),
		pgs_uuid(&b->assignee_id),
		pgs_i64(&start, b->start),
		pgs_i64(&end, b->end),
		pgs_uuid(&b->event_id),
		b->cancelled ? "cancelled" : "confirmed",
		pgs_i64(&updated, b->updated_at),
	};
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(PGC(c), PG_BOOKING_UPDATE, 7, p, &res);
	if (r < 0)
		return r;
	return pgs_changed(res) ? 0 : CAL_E_NOT_FOUND;
}

int pgs_lead_insert(struct store_conn *c, const struct cal_lead *l)
{
	struct pg_num created;
	const char *const p[] = {
		pgs_uuid(&l->id),
		pgs_uuid(&l->company_id),
		l->name,
		l->contact_name,
		l->email,
		l->phone,
		l->source,
		pgs_uuid(&l->event_id),
		pgs_i64(&created, l->created_at),
	};
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	return pgs_run(PGC(c), PG_LEAD_INSERT, 9, p, &res);
}
