/* The PostgreSQL backend's activities (store.h). As in rows.c, ids are
 * checked in C before they reach a uuid parameter, so a malformed one is
 * "no such row" instead of an error that aborts the transaction. The
 * statements are in pg.c's table. */
#include <string.h>

#include "base/errors.h"
#include "store/pg/pg.h"
#include "store/pg/reader.h"

static int type_parse(const char *s) { return cal_activity_type_parse(s); }

/* The 16 stored columns as $1..$16, and $17 for the expected version. */
struct activity_params {
	const char *v[17];
	struct pg_num due, done_at, created_at, updated_at, version, expected;
};

static void activity_params(struct activity_params *p, const struct cal_activity *act)
{
	const char *const v[16] = {
	    pgs_uuid(&act->id),
	    pgs_uuid(&act->company_id),
	    pgs_uuid(&act->user_id),
	    act->res_model,
	    act->res_id,
	    cal_activity_type_name(act->type),
	    act->summary,
	    act->note,
	    pgs_i64(&p->due, act->due_date),
	    act->done ? "done" : "planned",
	    act->done ? pgs_i64(&p->done_at, act->done_at) : NULL,
	    pgs_uuid(&act->event_id),
	    act->created_by,
	    pgs_i64(&p->created_at, act->created_at),
	    pgs_i64(&p->updated_at, act->updated_at),
	    pgs_i64(&p->version, act->version),
	};
	memcpy(p->v, v, sizeof v);
	p->v[16] = NULL;
}

static void read_activity(struct reader *rd, struct cal_activity *act)
{
	*act = (struct cal_activity){ 0 };
	rd_uuid(rd, 0, &act->id);
	rd_uuid(rd, 1, &act->company_id);
	rd_uuid(rd, 2, &act->user_id);
	act->res_model = rd_str(rd, 3);
	act->res_id = rd_str(rd, 4);
	act->type = (enum cal_activity_type)rd_enum(rd, 5, type_parse);
	act->summary = rd_str(rd, 6);
	act->note = rd_opt(rd, 7);
	act->due_date = (int32_t)rd_i64(rd, 8);
	act->done = strcmp(rd_raw(rd, 9), "done") == 0;
	act->done_at = rd_i64(rd, 10);
	rd_uuid(rd, 11, &act->event_id);
	act->created_by = rd_opt(rd, 12);
	act->created_at = rd_i64(rd, 13);
	act->updated_at = rd_i64(rd, 14);
	act->version = rd_i64(rd, 15);
	act->user_timezone = rd_str(rd, 16);
}

int pgs_activity_insert(struct store_conn *c, const struct cal_activity *act)
{
	struct activity_params p;
	activity_params(&p, act);
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(PGC(c), PG_ACTIVITY_INSERT, 16, p.v, &res);
	if (r < 0)
		return r;
	return pgs_changed(res) == 1 ? 0 : CAL_E_EXISTS;
}

int pgs_activity_get(struct store_conn *c, struct arena *a, const char *id,
		     struct cal_activity *ret)
{
	if (!cal_uuid_valid(id))
		return CAL_E_NOT_FOUND;
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(PGC(c), PG_ACTIVITY_BY_ID, 1, &id, &res);
	if (r < 0)
		return r;
	if (PQntuples(res) == 0)
		return CAL_E_NOT_FOUND;
	struct reader rd = { .res = res, .a = a };
	struct cal_activity act;
	read_activity(&rd, &act);
	if (rd.err)
		return rd.err;
	*ret = act;
	return 0;
}

/* A one-key statement that must find a row. */
static int expect_row(struct pg_conn *pc, enum pg_stmt stmt, const char *id)
{
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(pc, stmt, 1, &id, &res);
	return r < 0 ? r : PQntuples(res) ? 0 : CAL_E_NOT_FOUND;
}

int pgs_activity_lock(struct store_conn *c, const char *id)
{
	if (!cal_uuid_valid(id))
		return CAL_E_NOT_FOUND;
	return expect_row(PGC(c), PG_ACTIVITY_LOCK, id);
}

/* After a version-guarded write changed nothing: missing, or changed by
 * someone else. */
static int guard_failed(struct pg_conn *pc, const char *id)
{
	int r = expect_row(pc, PG_ACTIVITY_EXISTS, id);
	return r < 0 ? r : CAL_E_PRECONDITION;
}

int pgs_activity_update(struct store_conn *c, const struct cal_activity *act,
			int64_t expected_version)
{
	if (!cal_uuid_valid(act->id.s))
		return CAL_E_NOT_FOUND;
	struct pg_conn *pc = PGC(c);
	struct activity_params p;
	activity_params(&p, act);
	p.v[16] = pgs_i64(&p.expected, expected_version);
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(pc, PG_ACTIVITY_UPDATE, 17, p.v, &res);
	if (r < 0)
		return r;
	return pgs_changed(res) ? 0 : guard_failed(pc, act->id.s);
}

int pgs_activity_delete(struct store_conn *c, const char *id, int64_t expected_version)
{
	if (!cal_uuid_valid(id))
		return CAL_E_NOT_FOUND;
	struct pg_conn *pc = PGC(c);
	struct pg_num version;
	const char *const p[] = { id, pgs_i64(&version, expected_version) };
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(pc, PG_ACTIVITY_DELETE, 2, p, &res);
	if (r < 0)
		return r;
	return pgs_changed(res) ? 0 : guard_failed(pc, id);
}

/* Whether every id that reaches a uuid parameter is one; a query naming
 * a malformed id can match nothing. */
static bool query_ids_valid(const struct store_activity_query *q)
{
	return cal_uuid_valid(q->company_id) && (!q->user_id || cal_uuid_valid(q->user_id)) &&
	       (!q->event_id || cal_uuid_valid(q->event_id)) &&
	       (!q->has_cursor || cal_uuid_valid(q->cursor_id));
}

int pgs_activities_list(struct store_conn *c, struct arena *a,
			const struct store_activity_query *q, struct store_activity_page *ret)
{
	if (!query_ids_valid(q)) {
		*ret = (struct store_activity_page){ 0 };
		return 0;
	}
	enum pg_stmt stmt = q->user_id ? PG_ACTIVITIES_OF_USER
			    : q->event_id ? PG_ACTIVITIES_OF_EVENT
					  : PG_ACTIVITIES_OF_RECORD;
	struct pg_num from, to, cursor, limit;
	const char *const p[] = {
	    q->user_id ? q->user_id : q->event_id ? q->event_id : q->res_model,
	    q->company_id,
	    q->done == STORE_DONE_ANY ? NULL : q->done == STORE_DONE_ONLY ? "done" : "planned",
	    q->has_due_from ? pgs_i64(&from, q->due_from) : NULL,
	    q->has_due_to ? pgs_i64(&to, q->due_to) : NULL,
	    q->has_cursor ? pgs_i64(&cursor, q->cursor_due) : NULL,
	    q->has_cursor ? q->cursor_id : NULL,
	    pgs_i64(&limit, (int64_t)q->limit + 1),
	    q->res_id,
	};
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(PGC(c), stmt, stmt == PG_ACTIVITIES_OF_RECORD ? 9 : 8, p, &res);
	if (r < 0)
		return r;
	size_t rows = (size_t)PQntuples(res);
	size_t n = rows > q->limit ? q->limit : rows;
	struct cal_activity *items = arena_calloc(a, n ? n : 1, sizeof *items);
	if (!items)
		return CAL_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		struct reader rd = { .res = res, .row = (int)i, .a = a };
		read_activity(&rd, &items[i]);
		if (rd.err)
			return rd.err;
	}
	*ret = (struct store_activity_page){ .items = items, .n = n, .more = rows > n };
	return 0;
}
