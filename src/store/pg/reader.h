/* Internal to the PostgreSQL backend: reading text-format result columns
 * into C values, shared by the row files (rows.c, outbox.c). */
#ifndef CAL_STORE_PG_READER_H
#define CAL_STORE_PG_READER_H

#include <errno.h>
#include <stdlib.h>

#include "base/errors.h"
#include "store/pg/pg.h"

/* Reads the columns of one result row. The first problem sticks, so a
 * caller reads every column and checks `err` once. */
struct reader {
	const PGresult *res;
	int row;
	struct arena *a;
	int err;
};

static inline void rd_fail(struct reader *r, int err)
{
	if (!r->err)
		r->err = err;
}

static inline bool rd_null(const struct reader *r, int col)
{
	return PQgetisnull(r->res, r->row, col);
}
static inline const char *rd_raw(const struct reader *r, int col)
{
	return PQgetvalue(r->res, r->row, col);
}

static inline const char *rd_str(struct reader *r, int col)
{
	if (rd_null(r, col))
		return NULL;
	char *s = arena_strndup(r->a, rd_raw(r, col), (size_t)PQgetlength(r->res, r->row, col));
	if (!s)
		rd_fail(r, CAL_E_NOMEM);
	return s;
}

/* Optional strings: empty means absent. */
static inline const char *rd_opt(struct reader *r, int col)
{
	return PQgetlength(r->res, r->row, col) == 0 ? NULL : rd_str(r, col);
}

static inline int64_t rd_i64(struct reader *r, int col)
{
	if (rd_null(r, col))
		return 0;
	const char *text = rd_raw(r, col);
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno || end == text || *end) {
		rd_fail(r, CAL_E_STORE);
		return 0;
	}
	return v;
}

static inline bool rd_bool(struct reader *r, int col)
{
	return !rd_null(r, col) && rd_raw(r, col)[0] == 't';
}

static inline void rd_uuid(struct reader *r, int col, cal_uuid *ret)
{
	if (rd_null(r, col))
		*ret = (cal_uuid){0};
	else if (!cal_uuid_parse(rd_raw(r, col), ret))
		rd_fail(r, CAL_E_STORE);
}

/* An enum column through its wire-name parser; the schema's CHECKs make a
 * miss a corrupt row. */
static inline int rd_enum(struct reader *r, int col, int (*parse)(const char *))
{
	int v = parse(rd_raw(r, col));
	if (v < 0) {
		rd_fail(r, CAL_E_STORE);
		return 0;
	}
	return v;
}

#endif
