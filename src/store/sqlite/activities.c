/* The SQLite backend's activities (store.h). Due dates are stored as
 * 'YYYY-MM-DD' text, which sorts as the dates do; instants as epoch
 * seconds. The statements are in sqlite.c's table. */
#include <sqlite3.h>
#include <string.h>

#include "base/errors.h"
#include "model/time.h"
#include "store/sqlite/sqlite_internal.h"

/* The 16 stored columns, in the order of ST_ACTIVITY_INSERT/UPDATE. */
static void bind_activity(sqlite3_stmt *s, const struct cal_activity *act)
{
	sq_bind_uuid(s, 1, &act->id);
	sq_bind_uuid(s, 2, &act->company_id);
	sq_bind_uuid(s, 3, &act->user_id);
	sq_bind_text(s, 4, act->res_model);
	sq_bind_text(s, 5, act->res_id);
	sq_bind_text(s, 6, cal_activity_type_name(act->type));
	sq_bind_text(s, 7, act->summary);
	sq_bind_text(s, 8, act->note);
	sq_bind_date(s, 9, true, act->due_date);
	sq_bind_text(s, 10, act->done ? "done" : "planned");
	if (act->done)
		sqlite3_bind_int64(s, 11, act->done_at);
	else
		sqlite3_bind_null(s, 11);
	sq_bind_uuid(s, 12, &act->event_id);
	sq_bind_text(s, 13, act->created_by);
	sqlite3_bind_int64(s, 14, act->created_at);
	sqlite3_bind_int64(s, 15, act->updated_at);
	sqlite3_bind_int64(s, 16, act->version);
}

static void read_activity(struct arena *a, sqlite3_stmt *s, struct cal_activity *act)
{
	*act = (struct cal_activity){ 0 };
	sq_col_uuid(s, 0, &act->id);
	sq_col_uuid(s, 1, &act->company_id);
	sq_col_uuid(s, 2, &act->user_id);
	act->res_model = sq_col_text(a, s, 3);
	act->res_id = sq_col_text(a, s, 4);
	int type = cal_activity_type_parse((const char *)sqlite3_column_text(s, 5));
	act->type = type < 0 ? CAL_ACTIVITY_TODO : (enum cal_activity_type)type;
	act->summary = sq_col_text(a, s, 6);
	act->note = sq_col_text(a, s, 7);
	const unsigned char *due = sqlite3_column_text(s, 8);
	if (due)
		(void)cal_date_parse((const char *)due, &act->due_date);
	const unsigned char *state = sqlite3_column_text(s, 9);
	act->done = state && strcmp((const char *)state, "done") == 0;
	act->done_at = sqlite3_column_int64(s, 10);
	if (sqlite3_column_type(s, 11) != SQLITE_NULL)
		sq_col_uuid(s, 11, &act->event_id);
	act->created_by = sq_col_text(a, s, 12);
	act->created_at = sqlite3_column_int64(s, 13);
	act->updated_at = sqlite3_column_int64(s, 14);
	act->version = sqlite3_column_int64(s, 15);
	act->user_timezone = sq_col_text(a, s, 16);
}

int sqlite_activity_insert(struct store_conn *c, const struct cal_activity *act)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_ACTIVITY_INSERT, &s);
	if (r < 0)
		return r;
	bind_activity(s, act);
	return sq_step_done(sc, s);
}

int sqlite_activity_get(struct store_conn *c, struct arena *a, const char *id,
			struct cal_activity *ret)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_ACTIVITY_BY_ID, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? CAL_E_NOT_FOUND : sq_map_rc(sc, rc);
	}
	struct cal_activity act;
	read_activity(a, s, &act);
	sqlite3_reset(s);
	*ret = act;
	return 0;
}

int sqlite_activity_lock(struct store_conn *c, const char *id)
{
	/* The write transaction (BEGIN IMMEDIATE) already excludes writers. */
	int64_t version;
	return sq_row_version(SQC(c), ST_ACTIVITY_VERSION, id, &version);
}

int sqlite_activity_update(struct store_conn *c, const struct cal_activity *act,
			   int64_t expected_version)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_ACTIVITY_UPDATE, &s);
	if (r < 0)
		return r;
	bind_activity(s, act);
	sqlite3_bind_int64(s, 17, expected_version);
	if ((r = sq_step_done(sc, s)) < 0)
		return r;
	return sqlite3_changes(sc->db) ? 0 : sq_guard_failed(sc, ST_ACTIVITY_VERSION, act->id.s);
}

int sqlite_activity_delete(struct store_conn *c, const char *id, int64_t expected_version)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_ACTIVITY_DELETE, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, expected_version);
	if ((r = sq_step_done(sc, s)) < 0)
		return r;
	return sqlite3_changes(sc->db) ? 0 : sq_guard_failed(sc, ST_ACTIVITY_VERSION, id);
}

static int bind_query(struct sqlite_conn *sc, const struct store_activity_query *q, sqlite3_stmt **ret)
{
	enum stmt_id id = q->user_id ? ST_ACTIVITIES_OF_USER
			  : q->event_id ? ST_ACTIVITIES_OF_EVENT
					: ST_ACTIVITIES_OF_RECORD;
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, id, &s);
	if (r < 0)
		return r;
	if (id == ST_ACTIVITIES_OF_RECORD) {
		sq_bind_text(s, 1, q->res_model);
		sq_bind_text(s, 9, q->res_id);
	} else {
		sq_bind_text(s, 1, q->user_id ? q->user_id : q->event_id);
	}
	sq_bind_text(s, 2, q->company_id);
	if (q->done != STORE_DONE_ANY)
		sq_bind_text(s, 3, q->done == STORE_DONE_ONLY ? "done" : "planned");
	sq_bind_date(s, 4, q->has_due_from, q->due_from);
	sq_bind_date(s, 5, q->has_due_to, q->due_to);
	if (q->has_cursor) {
		sq_bind_date(s, 6, true, q->cursor_due);
		sq_bind_text(s, 7, q->cursor_id);
	}
	sqlite3_bind_int64(s, 8, (sqlite3_int64)q->limit + 1);
	*ret = s;
	return 0;
}

int sqlite_activities_list(struct store_conn *c, struct arena *a,
			   const struct store_activity_query *q, struct store_activity_page *ret)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = bind_query(sc, q, &s);
	if (r < 0)
		return r;
	/* Grown as rows come: most records have a handful of activities. */
	size_t n = 0, alloc = 8;
	struct cal_activity *items = arena_calloc(a, alloc, sizeof *items);
	int rc = SQLITE_DONE;
	while (items && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!(items = arena_grow(a, items, n, &alloc, sizeof *items)))
			break;
		read_activity(a, s, &items[n++]);
	}
	sqlite3_reset(s);
	if (!items)
		return CAL_E_NOMEM;
	if (rc != SQLITE_DONE)
		return sq_map_rc(sc, rc);
	bool more = n > q->limit;
	*ret = (struct store_activity_page){ .items = items, .n = more ? q->limit : n, .more = more };
	return 0;
}
