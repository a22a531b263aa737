/*
 * The alarm scheduler's tick (service/alarms.c alarms_fire_due) against the
 * number of alarms pending: does the cost of firing a fixed number of due
 * alarms stay flat when the table holds 1k, 100k or 1M future ones? The tick
 * claims its batch through the partial index on next_trigger_at, so it
 * should.
 *
 * The database gets N events with one alarm each, all in the future
 * (loaded with raw SQL in one statement per table: the store API would take
 * minutes for 1M), plus `--due` events created through the store API whose
 * alarm (61 minutes before an event starting in an hour) is due now. Each
 * round re-arms those alarms and empties the outbox (raw SQL, not timed),
 * then times:
 *   tick        alarms_fire_due firing the due alarms (one in-app reminder
 *               each, written to the outbox, alarm advanced), one transaction
 *   empty tick  alarms_fire_due right after, with nothing due
 *   next_due    store_alarms_next_due, the scheduler's "when next?" query
 *               (a mean over --next-calls calls in one read transaction)
 * and prints the median, min and max over the rounds of the wall time
 * (CLOCK_MONOTONIC; with PostgreSQL that includes the server's work, with
 * SQLite the commit's fsync), and the median CPU time of this process for
 * the tick (SQLite: all of the work but the disk's).
 *
 * Instructions: run under valgrind --tool=callgrind
 * --toggle-collect='bench_timed_*' and read the inclusive costs of the
 * bench_timed_* functions (bench/delivery/run does, for SQLite, where all
 * the work is in this process). The call counts are printed.
 *
 * Usage: bench_alarm_tick --db URL --pending N [--due 100] [--rounds 15]
 *                         [--next-calls 200] [--explain]
 *   URL: sqlite:PATH or postgres://... (a database this program may fill).
 *   An existing database loaded with the same N is reused (only the due
 *   events are made again), so a second run can go under callgrind.
 *   The usual CALENDARD_* environment applies (CALENDARD_DATA_DIR,
 *   CALENDARD_JWT_SECRET); CALENDARD_DATABASE_URL is set from --db.
 * Output: progress on stderr; one line "RESULT\t<key=value>..." on stdout.
 */
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/crypto.h"
#include "base/errors.h"
#include "base/tz.h"
#include "service/alarms.h"
#include "service/app.h"
#include "store/store.h"

enum { ALARM_BATCH = 200, MAX_ROUNDS = 1000 };

#define BENCH_SLUG "bench-alarms"
#define BENCH_EMAIL "organizer@bench-alarms.test"
#define DUE_PREFIX "bench due "

struct opts {
	const char *db;
	long pending, due, rounds, next_calls;
	bool explain;
};

/* A raw connection for what the store API does not offer: bulk loading,
 * re-arming, emptying the outbox. */
struct raw {
	bool pg;
	sqlite3 *lite;
	PGconn *conn;
};

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "bench_alarm_tick: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	exit(1);
}

/* ------------------------------------------------------------- raw SQL */

static void raw_open(struct raw *r, const char *url)
{
	r->pg = strncmp(url, "postgres", 8) == 0;
	if (r->pg) {
		r->conn = PQconnectdb(url);
		if (PQstatus(r->conn) != CONNECTION_OK)
			die("cannot connect", PQerrorMessage(r->conn));
		return;
	}
	if (strncmp(url, "sqlite:", 7) != 0)
		die("--db must be sqlite:PATH or postgres://...", url);
	if (sqlite3_open(url + 7, &r->lite) != SQLITE_OK)
		die("cannot open", sqlite3_errmsg(r->lite));
	sqlite3_busy_timeout(r->lite, 10000);
	sqlite3_exec(r->lite, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
}

static void raw_close(struct raw *r)
{
	if (r->conn)
		PQfinish(r->conn);
	if (r->lite)
		sqlite3_close(r->lite);
}

/* Runs one statement (PostgreSQL: $n, SQLite: ?n, text parameters). */
static void raw_exec(struct raw *r, const char *sql, int n, const char *const *params)
{
	if (r->pg) {
		PGresult *res = PQexecParams(r->conn, sql, n, NULL, params, NULL, NULL, 0);
		ExecStatusType st = PQresultStatus(res);
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
			die(sql, PQerrorMessage(r->conn));
		PQclear(res);
		return;
	}
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(r->lite, sql, -1, &s, NULL) != SQLITE_OK)
		die(sql, sqlite3_errmsg(r->lite));
	for (int i = 0; i < n; i++)
		sqlite3_bind_text(s, i + 1, params[i], -1, SQLITE_TRANSIENT);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE)
		die(sql, sqlite3_errmsg(r->lite));
	sqlite3_finalize(s);
}

/* The first column of the first row as a number (-1: no row or NULL). */
static long long raw_value(struct raw *r, const char *sql)
{
	long long v = -1;
	if (r->pg) {
		PGresult *res = PQexec(r->conn, sql);
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
			die(sql, PQerrorMessage(r->conn));
		if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
			v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
		return v;
	}
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(r->lite, sql, -1, &s, NULL) != SQLITE_OK)
		die(sql, sqlite3_errmsg(r->lite));
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Prints the plan of the tick's due query. */
static void raw_explain(struct raw *r, int64_t now)
{
	char sql[512];
	if (r->pg) {
		snprintf(sql, sizeof sql,
			 "EXPLAIN SELECT event_id, id, alarm_type, interval_value, interval_unit, next_trigger_at"
			 " FROM calendar_alarms WHERE next_trigger_at <= to_timestamp(%lld)"
			 " ORDER BY next_trigger_at LIMIT %d FOR UPDATE SKIP LOCKED",
			 (long long)now, ALARM_BATCH);
		PGresult *res = PQexec(r->conn, sql);
		for (int i = 0; PQresultStatus(res) == PGRES_TUPLES_OK && i < PQntuples(res); i++)
			fprintf(stderr, "bench_alarm_tick: plan: %s\n", PQgetvalue(res, i, 0));
		PQclear(res);
		return;
	}
	snprintf(sql, sizeof sql,
		 "EXPLAIN QUERY PLAN SELECT event_id, id, alarm_type, interval_value, interval_unit, "
		 "next_trigger_at FROM calendar_alarms WHERE next_trigger_at <= %lld "
		 "ORDER BY next_trigger_at LIMIT %d",
		 (long long)now, ALARM_BATCH);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(r->lite, sql, -1, &s, NULL) != SQLITE_OK)
		die(sql, sqlite3_errmsg(r->lite));
	while (sqlite3_step(s) == SQLITE_ROW)
		fprintf(stderr, "bench_alarm_tick: plan: %s\n", (const char *)sqlite3_column_text(s, 3));
	sqlite3_finalize(s);
}

/* N events, each with one alarm, starting one a minute from tomorrow on:
 * all pending, none due for the length of any run. Ids are valid UUIDs
 * that random (version 4) ones never collide with in practice. */
static void raw_load_pending(struct raw *r, long n, const cal_uuid *company, const cal_uuid *user,
			     int64_t now)
{
	char s_n[32], s_base[32], s_now[32];
	snprintf(s_n, sizeof s_n, "%ld", n);
	snprintf(s_base, sizeof s_base, "%lld", (long long)(now + 86400));
	snprintf(s_now, sizeof s_now, "%lld", (long long)now);
	const char *const p[] = { s_n, company->s, s_base, user->s, BENCH_EMAIL, s_now };
	if (r->pg) {
		raw_exec(r,
			 "INSERT INTO calendar_events (id, company_id, name, start_datetime, end_datetime,"
			 " timezone, organizer_id, organizer_email, created_at, updated_at, created_by, updated_by)"
			 " SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, $2::uuid,"
			 " 'bench pending', to_timestamp($3::bigint + i * 60), to_timestamp($3::bigint + i * 60 + 1800),"
			 " 'America/Mexico_City', $4::uuid, $5, to_timestamp($6::bigint), to_timestamp($6::bigint),"
			 " $4::uuid, $4::uuid FROM generate_series(1, $1::bigint) AS i",
			 6, p);
		raw_exec(r,
			 "INSERT INTO calendar_alarms (id, event_id, alarm_type, interval_value, interval_unit,"
			 " position, next_trigger_at, created_at)"
			 " SELECT ('00000000-0000-4000-9000-' || lpad(to_hex(i), 12, '0'))::uuid,"
			 " ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'notification', 30,"
			 " 'minutes', 0, to_timestamp($3::bigint + i * 60 - 1800), to_timestamp($6::bigint)"
			 " FROM generate_series(1, $1::bigint) AS i WHERE $2::text IS NOT NULL"
			 " AND $4::text IS NOT NULL AND $5::text IS NOT NULL",
			 6, p);
		return;
	}
	raw_exec(r, "BEGIN IMMEDIATE", 0, NULL);
	raw_exec(r,
		 "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < CAST(?1 AS INTEGER))"
		 " INSERT INTO calendar_events (id, company_id, name, start_datetime, end_datetime, timezone,"
		 " organizer_id, organizer_email, created_at, updated_at, created_by, updated_by)"
		 " SELECT printf('00000000-0000-4000-8000-%012x', i), ?2, 'bench pending',"
		 " CAST(?3 AS INTEGER) + i * 60, CAST(?3 AS INTEGER) + i * 60 + 1800, 'America/Mexico_City',"
		 " ?4, ?5, CAST(?6 AS INTEGER), CAST(?6 AS INTEGER), ?4, ?4 FROM s",
		 6, p);
	raw_exec(r,
		 "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < CAST(?1 AS INTEGER))"
		 " INSERT INTO calendar_alarms (id, event_id, alarm_type, interval_value, interval_unit,"
		 " position, next_trigger_at, created_at)"
		 " SELECT printf('00000000-0000-4000-9000-%012x', i), printf('00000000-0000-4000-8000-%012x', i),"
		 " 'notification', 30, 'minutes', 0, CAST(?3 AS INTEGER) + i * 60 - 1800, CAST(?6 AS INTEGER)"
		 " FROM s WHERE ?2 IS NOT NULL AND ?4 IS NOT NULL AND ?5 IS NOT NULL",
		 6, p);
	raw_exec(r, "COMMIT", 0, NULL);
}

/* ------------------------------------------------------------ store API */

struct bench {
	struct app app;
	struct raw raw;
	struct arena *a;
	cal_uuid company_id, user_id;
	cal_uuid *due_ids;
	long n_due;
	int64_t due_trigger; /* next_trigger_at of every due alarm */
	char *due_list;      /* "'id','id',..." for the re-arm statement */
};

static struct store_conn *begin(struct bench *b, bool write)
{
	struct store_conn *c;
	if (store_acquire(b->app.store, &c) < 0 || store_begin(c, write) < 0)
		die("cannot begin a transaction", NULL);
	return c;
}

static void commit(struct store_conn *c)
{
	if (store_commit(c) < 0)
		die("commit failed", NULL);
	store_release(c);
}

/* The company and organizer: made on first use, found afterwards. Returns
 * true when they existed (the database was loaded before). */
static bool directory(struct bench *b)
{
	struct store_conn *c = begin(b, true);
	struct cal_company co;
	struct cal_user u;
	bool existed = store_company_get_by_slug(c, b->a, BENCH_SLUG, &co) == 0;
	if (existed) {
		if (store_user_get_by_email(c, b->a, BENCH_EMAIL, &u) < 0)
			die("the bench company exists without its organizer", NULL);
	} else {
		int64_t now = cal_clock_now(&b->app.clock);
		co = (struct cal_company){ .name = "Bench alarms", .slug = BENCH_SLUG, .created_at = now };
		cal_uuid_new(&co.id);
		u = (struct cal_user){ .company_id = co.id, .name = "Bench Organizer", .email = BENCH_EMAIL,
				       .timezone = "America/Mexico_City", .lang = "es", .role = CAL_USER_MEMBER,
				       .created_at = now };
		cal_uuid_new(&u.id);
		if (store_company_insert(c, &co) < 0 || store_user_insert(c, &u) < 0)
			die("cannot create the company and organizer", NULL);
	}
	commit(c);
	b->company_id = co.id;
	b->user_id = u.id;
	return existed;
}

/* The due events: deleted (from an earlier run) and made again through the
 * store API, exactly as the events service stores them, each with the
 * organizer as its one attendee and one in-app alarm that is due now. */
static void make_due(struct bench *b, long n)
{
	raw_exec(&b->raw, "DELETE FROM calendar_events WHERE name LIKE 'bench due %'", 0, NULL);
	int64_t now = cal_clock_now(&b->app.clock);
	int64_t start = (now / 60 + 60) * 60; /* about an hour from now, on the minute */
	b->due_trigger = start - 61 * 60;     /* a minute ago */
	b->n_due = n;
	b->due_ids = arena_calloc(b->a, (size_t)n, sizeof *b->due_ids);
	struct store_conn *c = begin(b, true);
	for (long i = 0; i < n; i++) {
		struct cal_attendee *at = arena_calloc(b->a, 1, sizeof *at);
		struct cal_alarm *al = arena_calloc(b->a, 1, sizeof *al);
		struct cal_event e = {
			.company_id = b->company_id, .organizer_id = b->user_id, .organizer_email = BENCH_EMAIL,
			.name = arena_printf(b->a, DUE_PREFIX "%04ld", i), .start = start, .end = start + 1800,
			.timezone = "America/Mexico_City", .privacy = CAL_PRIVACY_PUBLIC, .show_as = CAL_SHOW_BUSY,
			.created_by = b->user_id.s, .updated_by = b->user_id.s, .created_at = now,
			.updated_at = now, .version = 1, .attendees = at, .n_attendees = 1, .alarms = al,
			.n_alarms = 1,
		};
		cal_uuid_new(&e.id);
		e.ical_uid = arena_printf(b->a, "%s@calendard", e.id.s);
		*at = (struct cal_attendee){ .user_id = b->user_id.s, .email = BENCH_EMAIL,
					     .display_name = "Bench Organizer", .role = CAL_ROLE_CHAIR,
					     .state = CAL_PARTSTAT_ACCEPTED };
		cal_uuid_new(&at->id);
		*al = (struct cal_alarm){ .type = CAL_ALARM_NOTIFICATION, .interval_value = 61,
					  .interval_unit = CAL_UNIT_MINUTES, .armed = true,
					  .next_trigger_at = b->due_trigger };
		cal_uuid_new(&al->id);
		if (store_event_insert(c, &e) < 0)
			die("cannot insert a due event", NULL);
		b->due_ids[i] = e.id;
	}
	commit(c);
	size_t len = (size_t)n * (CAL_UUID_LEN + 3) + 1;
	b->due_list = arena_alloc(b->a, len);
	char *p = b->due_list;
	for (long i = 0; i < n; i++)
		p += snprintf(p, len - (size_t)(p - b->due_list), "%s'%s'", i ? "," : "", b->due_ids[i].s);
}

/* Back to "due now", outbox emptied (the reminders' keys would otherwise
 * make the next round's inserts no-ops). Not timed. */
static void rearm(struct bench *b)
{
	char trig[32];
	snprintf(trig, sizeof trig, "%lld", (long long)b->due_trigger);
	struct arena *a = arena_new();
	const char *sql = b->raw.pg
		? arena_printf(a, "UPDATE calendar_alarms SET next_trigger_at = to_timestamp(%s), triggered = false "
				  "WHERE event_id IN (%s)", trig, b->due_list)
		: arena_printf(a, "UPDATE calendar_alarms SET next_trigger_at = %s, triggered = 0 "
				  "WHERE event_id IN (%s)", trig, b->due_list);
	raw_exec(&b->raw, sql, 0, NULL);
	raw_exec(&b->raw, "DELETE FROM notification_outbox", 0, NULL);
	/* What autovacuum does in service: without it PostgreSQL's due index
	 * collects the dead entries of every round. */
	if (b->raw.pg)
		raw_exec(&b->raw, "VACUUM calendar_alarms, notification_outbox", 0, NULL);
	arena_free(a);
}

/* The timed units, each a function of its own so that callgrind
 * --toggle-collect can name it: GCC's noipa also keeps it from being cloned
 * or folded into another with the same body. */
#if defined(__GNUC__) && !defined(__clang__)
#define BENCH_UNIT __attribute__((noipa))
#else
#define BENCH_UNIT __attribute__((noinline))
#endif

BENCH_UNIT int bench_timed_tick(struct app *app, struct alarms_tick *ret)
{
	return alarms_fire_due(app, cal_clock_now(&app->clock), ALARM_BATCH, ret);
}

BENCH_UNIT int bench_timed_empty_tick(struct app *app, unsigned batch, struct alarms_tick *ret)
{
	return alarms_fire_due(app, cal_clock_now(&app->clock), batch, ret);
}

BENCH_UNIT int bench_timed_next_due(struct store_conn *c, long calls, int64_t *ret)
{
	int r = 0;
	for (long i = 0; r == 0 && i < calls; i++)
		r = store_alarms_next_due(c, ret);
	return r;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

/* Sorts v in place; median, min, max. */
static void stats(double *v, long n, double *med, double *lo, double *hi)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	*med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	*lo = v[0];
	*hi = v[n - 1];
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){ .pending = -1, .due = 100, .rounds = 15, .next_calls = 200 };
	for (int i = 1; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		long *num = strcmp(k, "--pending") == 0	     ? &o->pending
			    : strcmp(k, "--due") == 0	     ? &o->due
			    : strcmp(k, "--rounds") == 0     ? &o->rounds
			    : strcmp(k, "--next-calls") == 0 ? &o->next_calls
							     : NULL;
		if (strcmp(k, "--explain") == 0) {
			o->explain = true;
		} else if (strcmp(k, "--db") == 0 && v) {
			o->db = v;
			i++;
		} else if (num && v) {
			char *end;
			*num = strtol(v, &end, 10);
			if (*end || *num < 0)
				die("not a whole number", v);
			i++;
		} else {
			die("usage: bench_alarm_tick --db URL --pending N [--due 100] [--rounds 15] "
			    "[--next-calls 200] [--explain]",
			    NULL);
		}
	}
	if (!o->db || o->pending < 0 || o->due < 1 || o->due > ALARM_BATCH - 1 || o->rounds < 1 ||
	    o->rounds > MAX_ROUNDS || o->next_calls < 1)
		die("--db and --pending are required; --due 1..199, --rounds 1..1000, --next-calls >= 1", NULL);
}

int main(int argc, char **argv)
{
	struct opts o;
	parse_args(argc, argv, &o);
	setenv("CALENDARD_DATABASE_URL", o.db, 1);
	setenv("CALENDARD_JOBS", "0", 1);
	if (cal_crypto_init() < 0)
		die("libsodium failed to start", NULL);
	struct cal_config cfg;
	const char *why = NULL;
	if (cal_config_load(&cfg, &why) < 0)
		die("bad configuration", why);
	struct bench b = { .app = { .config = &cfg } };
	if (cal_tzdb_new(cfg.zoneinfo_dir, &b.app.tzdb) < 0)
		die("no time-zone database", cfg.zoneinfo_dir);
	const char *failed = NULL;
	if (store_open(o.db, 4, &b.app.store) < 0 || store_migrate(b.app.store, &failed) < 0)
		die("cannot open or migrate the database", failed);
	b.a = arena_new();
	raw_open(&b.raw, o.db);

	int64_t now = cal_clock_now(&b.app.clock);
	bool loaded = directory(&b);
	long long have = raw_value(&b.raw, "SELECT count(*) FROM calendar_alarms WHERE event_id IN "
					   "(SELECT id FROM calendar_events WHERE name = 'bench pending')");
	double load_s = 0;
	if (!loaded || have != o.pending) {
		if (loaded && have > 0)
			die("this database holds another --pending; use a fresh one", NULL);
		fprintf(stderr, "bench_alarm_tick: loading %ld pending alarms\n", o.pending);
		double t0 = mono();
		raw_load_pending(&b.raw, o.pending, &b.company_id, &b.user_id, now);
		if (b.raw.pg)
			raw_exec(&b.raw, "VACUUM ANALYZE", 0, NULL);
		load_s = mono() - t0;
	}
	make_due(&b, o.due);
	if (o.explain)
		raw_explain(&b.raw, cal_clock_now(&b.app.clock));

	/* One round not measured: warms the page cache and the prepared statements. */
	struct alarms_tick tick;
	rearm(&b);
	if (bench_timed_tick(&b.app, &tick) < 0 || (long)tick.fired != o.due)
		die("the warm-up tick did not fire the due alarms", NULL);

	double *t_tick = calloc((size_t)o.rounds, sizeof(double));
	double *t_empty = calloc((size_t)o.rounds, sizeof(double));
	double *t_next = calloc((size_t)o.rounds, sizeof(double));
	double *c_tick = calloc((size_t)o.rounds, sizeof(double));
	for (long r = 0; r < o.rounds; r++) {
		rearm(&b);
		double t0 = mono(), c0 = cpu();
		int rc = bench_timed_tick(&b.app, &tick);
		t_tick[r] = mono() - t0;
		c_tick[r] = cpu() - c0;
		if (rc < 0 || (long)tick.fired != o.due || (long)tick.sent != o.due || tick.more)
			die("a tick did not fire exactly the due alarms", cal_error_code(rc));
		t0 = mono();
		rc = bench_timed_empty_tick(&b.app, ALARM_BATCH, &tick);
		t_empty[r] = mono() - t0;
		if (rc < 0 || tick.fired != 0 || !tick.has_next)
			die("the empty tick fired something", cal_error_code(rc));
		long long in_outbox = raw_value(&b.raw, "SELECT count(*) FROM notification_outbox");
		if (in_outbox != o.due)
			die("the outbox does not hold one reminder per due alarm", NULL);
		struct store_conn *c = begin(&b, false);
		int64_t next = 0;
		t0 = mono();
		rc = bench_timed_next_due(c, o.next_calls, &next);
		t_next[r] = (mono() - t0) / (double)o.next_calls;
		commit(c);
		if (rc < 0 || next <= now)
			die("store_alarms_next_due did not find the next pending alarm", cal_error_code(rc));
	}
	double tm, tl, th, em, el, eh, nm, nl, nh, cm, cl, ch;
	stats(t_tick, o.rounds, &tm, &tl, &th);
	stats(c_tick, o.rounds, &cm, &cl, &ch);
	stats(t_empty, o.rounds, &em, &el, &eh);
	stats(t_next, o.rounds, &nm, &nl, &nh);
	printf("RESULT\tstore=%s\tpending=%ld\tdue=%ld\trounds=%ld\tload_s=%.1f\t"
	       "tick_ms=%.3f\ttick_min_ms=%.3f\ttick_max_ms=%.3f\ttick_cpu_ms=%.3f\t"
	       "empty_tick_ms=%.3f\tempty_tick_min_ms=%.3f\tempty_tick_max_ms=%.3f\t"
	       "next_due_us=%.2f\tnext_due_min_us=%.2f\tnext_due_max_us=%.2f\t"
	       "calls_tick=%ld\tcalls_empty_tick=%ld\tcalls_next_due=%ld\tnext_due_loop=%ld\n",
	       b.raw.pg ? "postgres" : "sqlite", o.pending, o.due, o.rounds, load_s, tm * 1e3, tl * 1e3,
	       th * 1e3, cm * 1e3, em * 1e3, el * 1e3, eh * 1e3, nm * 1e6, nl * 1e6, nh * 1e6, o.rounds + 1, o.rounds,
	       o.rounds, o.next_calls);
	free(t_tick);
	free(t_empty);
	free(t_next);
	free(c_tick);
	raw_close(&b.raw);
	arena_free(b.a);
	store_close(b.app.store);
	cal_tzdb_free(b.app.tzdb);
	cal_config_release(&cfg);
	return 0;
}
