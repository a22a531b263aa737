/* The calendar window query must be driven by the per-user span index and
 * fetch events by id — never walk a company's history. A plan regression
 * here once made the week query scan every event of the company. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/sqlite/sqlite_internal.h"

static void plan_of(struct store_conn *c, enum stmt_id id, char *plan, size_t cap)
{
	char plan_sql[8192];
	snprintf(plan_sql, sizeof plan_sql, "EXPLAIN QUERY PLAN %s", sq_stmt_text(id));
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(SQC(c)->db, plan_sql, -1, &st, NULL), SQLITE_OK);
	plan[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW) {
		strncat(plan, (const char *)sqlite3_column_text(st, 3), cap - strlen(plan) - 2);
		strcat(plan, "\n");
	}
	sqlite3_finalize(st);
}

Test(sqlite_plan, window_query_is_index_driven)
{
	char dir[] = "/tmp/calplanXXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char url[128];
	snprintf(url, sizeof url, "sqlite:%s/p.db", dir);
	struct store *s;
	cr_assert_eq(store_open(url, 1, &s), 0);
	const char *failed = NULL;
	cr_assert_eq(store_migrate(s, &failed), 0);
	struct store_conn *c;
	cr_assert_eq(store_acquire(s, &c), 0);

	char plan[8192];
	plan_of(c, ST_RANGE, plan, sizeof plan);
	cr_assert_not_null(strstr(plan, "idx_calendar_attendees_user_span"), "%s", plan);
	cr_assert_not_null(strstr(plan, "idx_calendar_attendees_user_long"), "%s", plan);
	cr_assert_not_null(strstr(plan, "SEARCH e USING INDEX sqlite_autoindex_calendar_events_1 (id=?)"), "%s", plan);
	cr_assert_null(strstr(plan, "idx_calendar_events_dates"), "%s", plan);
	cr_assert_null(strstr(plan, "SCAN e"), "%s", plan);
	cr_assert_null(strstr(plan, "SCAN a"), "%s", plan);

	/* One user: both ranges straight from the span indexes, events by id. */
	plan_of(c, ST_RANGE_ONE, plan, sizeof plan);
	cr_assert_not_null(strstr(plan, "idx_calendar_attendees_user_span (user_id=? AND event_start>? AND event_start<?)"), "%s", plan);
	cr_assert_not_null(strstr(plan, "idx_calendar_attendees_user_long (user_id=? AND event_end>?)"), "%s", plan);
	cr_assert_null(strstr(plan, "idx_calendar_events_dates"), "%s", plan);
	cr_assert_null(strstr(plan, "SCAN e"), "%s", plan);
	cr_assert_null(strstr(plan, "SCAN a"), "%s", plan);
	store_release(c);
	store_close(s);
	char rm[160];
	snprintf(rm, sizeof rm, "rm -rf %s", dir);
	cr_assert_eq(system(rm), 0);
}
