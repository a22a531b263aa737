/* The SQLite backend's appointment types, bookings and leads (store.h).
 * Instants are epoch seconds; the availability is the model's column form.
 * The statements are in sqlite.c's table. */
#include <sqlite3.h>
#include <string.h>

#include "base/errors.h"
#include "store/sqlite/sqlite_internal.h"

static void bind_opt_int(sqlite3_stmt *s, int i, int v)
{
	if (v > 0)
		sqlite3_bind_int(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

/* The 28 columns of APPT_TYPE_COLUMNS. */
static int bind_type(sqlite3_stmt *s, struct arena *a, const struct cal_appointment_type *t)
{
	char *availability = cal_availability_format(a, &t->availability);
	if (!availability)
		return CAL_E_NOMEM;
	sq_bind_uuid(s, 1, &t->id);
	sq_bind_uuid(s, 2, &t->company_id);
	sq_bind_text(s, 3, t->name);
	sq_bind_text(s, 4, t->description);
	sq_bind_text(s, 5, t->location);
	sq_bind_text(s, 6, t->slug);
	sq_bind_text(s, 7, t->timezone);
	sqlite3_bind_int(s, 8, t->duration_minutes);
	bind_opt_int(s, 9, t->slot_interval_minutes);
	sqlite3_bind_int(s, 10, t->buffer_before_minutes);
	sqlite3_bind_int(s, 11, t->buffer_after_minutes);
	sqlite3_bind_int(s, 12, t->schedule_range_days);
	sqlite3_bind_int(s, 13, t->min_booking_hours);
	sqlite3_bind_int(s, 14, t->cancel_hours_before);
	sqlite3_bind_int(s, 15, t->reminder_hours_before);
	bind_opt_int(s, 16, t->max_bookings_per_day);
	sqlite3_bind_text(s, 17, availability, -1, SQLITE_TRANSIENT);
	sq_bind_text(s, 18, cal_assignment_name(t->assignment));
	sqlite3_bind_int(s, 19, t->allow_reschedule);
	sqlite3_bind_int(s, 20, t->allow_cancel);
	sqlite3_bind_int(s, 21, t->confirmation_email);
	sqlite3_bind_int(s, 22, t->reminder_email);
	sqlite3_bind_int(s, 23, t->create_opportunity);
	sqlite3_bind_int(s, 24, t->is_published);
	sqlite3_bind_int(s, 25, t->active);
	sqlite3_bind_int64(s, 26, t->created_at);
	sqlite3_bind_int64(s, 27, t->updated_at);
	sqlite3_bind_int64(s, 28, t->version);
	return 0;
}

static int read_type(struct arena *a, sqlite3_stmt *s, struct cal_appointment_type *t)
{
	*t = (struct cal_appointment_type){ 0 };
	sq_col_uuid(s, 0, &t->id);
	sq_col_uuid(s, 1, &t->company_id);
	t->name = sq_col_text(a, s, 2);
	t->description = sq_col_text(a, s, 3);
	t->location = sq_col_text(a, s, 4);
	t->slug = sq_col_text(a, s, 5);
	t->timezone = sq_col_text(a, s, 6);
	t->duration_minutes = sqlite3_column_int(s, 7);
	t->slot_interval_minutes = sqlite3_column_int(s, 8);
	t->buffer_before_minutes = sqlite3_column_int(s, 9);
	t->buffer_after_minutes = sqlite3_column_int(s, 10);
	t->schedule_range_days = sqlite3_column_int(s, 11);
	t->min_booking_hours = sqlite3_column_int(s, 12);
	t->cancel_hours_before = sqlite3_column_int(s, 13);
	t->reminder_hours_before = sqlite3_column_int(s, 14);
	t->max_bookings_per_day = sqlite3_column_int(s, 15);
	int r = cal_availability_parse((const char *)sqlite3_column_text(s, 16), &t->availability);
	int mode = cal_assignment_parse((const char *)sqlite3_column_text(s, 17));
	t->assignment = mode < 0 ? CAL_ASSIGN_AUTO : (enum cal_assignment)mode;
	t->allow_reschedule = sqlite3_column_int(s, 18);
	t->allow_cancel = sqlite3_column_int(s, 19);
	t->confirmation_email = sqlite3_column_int(s, 20);
	t->reminder_email = sqlite3_column_int(s, 21);
	t->create_opportunity = sqlite3_column_int(s, 22);
	t->is_published = sqlite3_column_int(s, 23);
	t->active = sqlite3_column_int(s, 24);
	t->created_at = sqlite3_column_int64(s, 25);
	t->updated_at = sqlite3_column_int64(s, 26);
	t->version = sqlite3_column_int64(s, 27);
	if (!t->name || !t->timezone)
		return CAL_E_NOMEM;
	/* A row the model cannot read is a corrupt store, not bad input. */
	return r < 0 ? CAL_E_STORE : 0;
}

static int read_assignees(struct sqlite_conn *sc, struct arena *a, struct cal_appointment_type *t)
{
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_APPT_USERS_OF, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, t->id.s);
	size_t n = 0;
	cal_uuid *ids = arena_calloc(a, CAL_ASSIGNEES_MAX, sizeof *ids);
	const char **names = arena_calloc(a, CAL_ASSIGNEES_MAX, sizeof *names);
	int64_t *versions = arena_calloc(a, CAL_ASSIGNEES_MAX, sizeof *versions);
	int rc = SQLITE_DONE;
	while (ids && names && versions && n < CAL_ASSIGNEES_MAX && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		sq_col_uuid(s, 0, &ids[n]);
		names[n] = sq_col_text(a, s, 1);
		versions[n++] = sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	if (!ids || !names || !versions)
		return CAL_E_NOMEM;
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sq_map_rc(sc, rc);
	t->assignee_ids = ids;
	t->assignee_names = names;
	t->assignee_busy_versions = versions;
	t->n_assignees = n;
	return 0;
}

static int write_assignees(struct sqlite_conn *sc, const struct cal_appointment_type *t)
{
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_APPT_USERS_DELETE, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, t->id.s);
	if ((r = sq_step_done(sc, s)) < 0)
		return r;
	for (size_t i = 0; i < t->n_assignees; i++) {
		if ((r = sq_stmt(sc, ST_APPT_USER_INSERT, &s)) < 0)
			return r;
		sq_bind_text(s, 1, t->id.s);
		sq_bind_text(s, 2, t->assignee_ids[i].s);
		sqlite3_bind_int(s, 3, (int)i);
		if ((r = sq_step_done(sc, s)) < 0)
			return r;
	}
	return 0;
}

int sqlite_appointment_type_insert(struct store_conn *c, const struct cal_appointment_type *t)
{
	struct sqlite_conn *sc = SQC(c);
	struct arena *a = arena_new();
	sqlite3_stmt *s = NULL;
	int r = a ? sq_stmt(sc, ST_APPT_TYPE_INSERT, &s) : CAL_E_NOMEM;
	if (r == 0 && (r = bind_type(s, a, t)) < 0)
		sqlite3_reset(s);
	arena_free(a);
	if (r == 0)
		r = sq_step_done(sc, s);
	return r < 0 ? r : write_assignees(sc, t);
}

int sqlite_appointment_type_get(struct store_conn *c, struct arena *a, const char *id,
				struct cal_appointment_type *ret)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_APPT_TYPE_BY_ID, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? CAL_E_NOT_FOUND : sq_map_rc(sc, rc);
	}
	struct cal_appointment_type t;
	r = read_type(a, s, &t);
	sqlite3_reset(s);
	if (r == 0)
		r = read_assignees(sc, a, &t);
	if (r == 0)
		*ret = t;
	return r;
}

int sqlite_appointment_type_update(struct store_conn *c, const struct cal_appointment_type *t,
				   int64_t expected_version)
{
	struct sqlite_conn *sc = SQC(c);
	struct arena *a = arena_new();
	sqlite3_stmt *s = NULL;
	int r = a ? sq_stmt(sc, ST_APPT_TYPE_UPDATE, &s) : CAL_E_NOMEM;
	if (r == 0 && (r = bind_type(s, a, t)) < 0)
		sqlite3_reset(s);
	arena_free(a);
	if (r < 0)
		return r;
	sqlite3_bind_int64(s, 29, expected_version);
	if ((r = sq_step_done(sc, s)) < 0)
		return r;
	if (sqlite3_changes(sc->db) == 0)
		return sq_guard_failed(sc, ST_APPT_TYPE_VERSION, t->id.s);
	return write_assignees(sc, t);
}

int sqlite_appointment_types_list(struct store_conn *c, struct arena *a, const char *company_id,
				  bool published_only, struct cal_appointment_type **ret,
				  size_t *ret_n)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_APPT_TYPES_OF_COMPANY, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, company_id);
	sqlite3_bind_int(s, 2, published_only);
	size_t n = 0, alloc = 4;
	struct cal_appointment_type *items = arena_calloc(a, alloc, sizeof *items);
	int rc = SQLITE_DONE;
	while (items && r == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((items = arena_grow(a, items, n, &alloc, sizeof *items)))
			r = read_type(a, s, &items[n++]);
	}
	sqlite3_reset(s);
	if (!items)
		return CAL_E_NOMEM;
	if (r == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		r = sq_map_rc(sc, rc);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = read_assignees(sc, a, &items[i]);
	if (r < 0)
		return r;
	*ret = items;
	*ret_n = n;
	return 0;
}

int sqlite_users_lock(struct store_conn *c, const char *const *user_ids, size_t n)
{
	/* The write transaction (BEGIN IMMEDIATE) already holds every writer
	 * off, on every process sharing the file. */
	(void)c;
	(void)user_ids;
	(void)n;
	return 0;
}

int sqlite_bookings_of(struct store_conn *c, struct arena *a, const char *const *user_ids,
		       size_t n_users, int64_t from, int64_t to, struct store_booked **ret,
		       size_t *ret_n)
{
	struct sqlite_conn *sc = SQC(c);
	size_t n = 0, alloc = 8;
	struct store_booked *items = arena_calloc(a, alloc, sizeof *items);
	int r = items ? 0 : CAL_E_NOMEM;
	for (size_t u = 0; r == 0 && u < n_users; u++) {
		sqlite3_stmt *s = NULL;
		if ((r = sq_stmt(sc, ST_BOOKINGS_OF_USER, &s)) < 0)
			break;
		sq_bind_text(s, 1, user_ids[u]);
		sqlite3_bind_int64(s, 2, from);
		sqlite3_bind_int64(s, 3, to);
		int rc;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			if (!(items = arena_grow(a, items, n, &alloc, sizeof *items)))
				break;
			struct store_booked *b = &items[n++];
			b->user = u;
			sq_col_uuid(s, 0, &b->type_id);
			b->start = sqlite3_column_int64(s, 1);
			b->end = sqlite3_column_int64(s, 2);
		}
		sqlite3_reset(s);
		if (!items)
			r = CAL_E_NOMEM;
		else if (rc != SQLITE_DONE)
			r = sq_map_rc(sc, rc);
	}
	if (r < 0)
		return r;
	*ret = items;
	*ret_n = n;
	return 0;
}

/* Steps a booking write, telling the no-overlap triggers' refusal apart
 * from other constraints. */
static int booking_step(struct sqlite_conn *sc, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	bool overlap = rc == SQLITE_CONSTRAINT_TRIGGER &&
		       strstr(sqlite3_errmsg(sc->db), "appointment_bookings_no_overlap");
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	return overlap ? CAL_E_SLOT_TAKEN : sq_map_rc(sc, rc);
}

/* Whether a booking of b's type already has b's idempotency key. */
static bool key_taken(struct sqlite_conn *sc, const struct cal_booking *b)
{
	sqlite3_stmt *s = NULL;
	if (!b->idempotency_key || sq_stmt(sc, ST_BOOKING_BY_KEY, &s) < 0)
		return false;
	sq_bind_text(s, 1, b->type_id.s);
	sq_bind_text(s, 2, b->idempotency_key);
	bool taken = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	return taken;
}

int sqlite_booking_insert(struct store_conn *c, const struct cal_booking *b)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_BOOKING_INSERT, &s);
	if (r < 0)
		return r;
	sq_bind_uuid(s, 1, &b->id);
	sq_bind_uuid(s, 2, &b->type_id);
	sq_bind_uuid(s, 3, &b->company_id);
	sq_bind_uuid(s, 4, &b->event_id);
	sq_bind_uuid(s, 5, &b->assignee_id);
	sqlite3_bind_int64(s, 6, b->start);
	sqlite3_bind_int64(s, 7, b->end);
	sq_bind_text(s, 8, b->customer_name);
	sq_bind_text(s, 9, b->customer_email);
	sq_bind_text(s, 10, b->customer_phone);
	sq_bind_text(s, 11, b->notes);
	sq_bind_text(s, 12, b->cancelled ? "cancelled" : "confirmed");
	sq_bind_text(s, 13, b->manage_token_hash);
	sq_bind_text(s, 14, b->idempotency_key);
	sq_bind_text(s, 15, b->request_hash);
	sq_bind_uuid(s, 16, &b->lead_id);
	sq_bind_text(s, 17, b->customer_lang);
	sq_bind_text(s, 18, b->customer_timezone);
	sqlite3_bind_int64(s, 19, b->created_at);
	sqlite3_bind_int64(s, 20, b->updated_at);
	r = booking_step(sc, s);
	/* The no-overlap trigger runs before the idempotency index is
	 * checked, and a request sent again overlaps its own first booking:
	 * the key answers first, as on PostgreSQL (ON CONFLICT). */
	return r == CAL_E_SLOT_TAKEN && key_taken(sc, b) ? CAL_E_EXISTS : r;
}

static void read_booking(struct arena *a, sqlite3_stmt *s, struct cal_booking *b)
{
	*b = (struct cal_booking){ 0 };
	sq_col_uuid(s, 0, &b->id);
	sq_col_uuid(s, 1, &b->type_id);
	if (sqlite3_column_type(s, 2) != SQLITE_NULL)
		sq_col_uuid(s, 2, &b->company_id);
	if (sqlite3_column_type(s, 3) != SQLITE_NULL)
		sq_col_uuid(s, 3, &b->event_id);
	sq_col_uuid(s, 4, &b->assignee_id);
	b->start = sqlite3_column_int64(s, 5);
	b->end = sqlite3_column_int64(s, 6);
	b->customer_name = sq_col_text(a, s, 7);
	b->customer_email = sq_col_text(a, s, 8);
	b->customer_phone = sq_col_text(a, s, 9);
	b->notes = sq_col_text(a, s, 10);
	const unsigned char *status = sqlite3_column_text(s, 11);
	b->cancelled = status && strcmp((const char *)status, "cancelled") == 0;
	b->manage_token_hash = sq_col_text(a, s, 12);
	b->idempotency_key = sq_col_text(a, s, 13);
	b->request_hash = sq_col_text(a, s, 14);
	if (sqlite3_column_type(s, 15) != SQLITE_NULL)
		sq_col_uuid(s, 15, &b->lead_id);
	b->customer_lang = sq_col_text(a, s, 16);
	b->customer_timezone = sq_col_text(a, s, 17);
	b->created_at = sqlite3_column_int64(s, 18);
	b->updated_at = sqlite3_column_int64(s, 19);
}

int sqlite_booking_get(struct store_conn *c, struct arena *a, enum store_booking_key by,
		       const char *key1, const char *key2, struct cal_booking *ret)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, by == STORE_BOOKING_BY_KEY ? ST_BOOKING_BY_KEY
			    : by == STORE_BOOKING_BY_ID ? ST_BOOKING_BY_ID : ST_BOOKING_BY_TOKEN, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, key1);
	if (key2)
		sq_bind_text(s, 2, key2);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? CAL_E_NOT_FOUND : sq_map_rc(sc, rc);
	}
	struct cal_booking b;
	read_booking(a, s, &b);
	sqlite3_reset(s);
	if (!b.customer_name || !b.customer_email || !b.manage_token_hash)
		return CAL_E_NOMEM;
	*ret = b;
	return 0;
}

int sqlite_booking_update(struct store_conn *c, const struct cal_booking *b)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_BOOKING_UPDATE, &s);
	if (r < 0)
		return r;
	sq_bind_uuid(s, 1, &b->id);
	sq_bind_uuid(s, 2, &b->assignee_id);
	sqlite3_bind_int64(s, 3, b->start);
	sqlite3_bind_int64(s, 4, b->end);
	sq_bind_uuid(s, 5, &b->event_id);
	sq_bind_text(s, 6, b->cancelled ? "cancelled" : "confirmed");
	sqlite3_bind_int64(s, 7, b->updated_at);
	if ((r = booking_step(sc, s)) < 0)
		return r;
	return sqlite3_changes(sc->db) ? 0 : CAL_E_NOT_FOUND;
}

int sqlite_lead_insert(struct store_conn *c, const struct cal_lead *l)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_LEAD_INSERT, &s);
	if (r < 0)
		return r;
	sq_bind_uuid(s, 1, &l->id);
	sq_bind_uuid(s, 2, &l->company_id);
	sq_bind_text(s, 3, l->name);
	sq_bind_text(s, 4, l->contact_name);
	sq_bind_text(s, 5, l->email);
	sq_bind_text(s, 6, l->phone);
	sq_bind_text(s, 7, l->source);
	sq_bind_uuid(s, 8, &l->event_id);
	sqlite3_bind_int64(s, 9, l->created_at);
	return sq_step_done(sc, s);
}
