/* The store contract (src/store/store.h), one suite for both backends: it
 * talks to whatever CALENDARD_TEST_STORE_URL names ("sqlite:/tmp/x/cal.db",
 * "postgres://calendard@127.0.0.1:PORT/db") through store.h alone, so SQLite
 * and PostgreSQL must give the same answers. Without the variable it makes
 * a throwaway SQLite file for this run.
 *
 * Criterion runs each test in its own process, several at once, against the
 * same database; so every test migrates (a no-op after the first, and safe
 * concurrently by contract) and works on its own company and users with
 * random slugs and e-mails, assuming nothing about other rows. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/errors.h"
#include "base/macro.h"
#include "base/uuid.h"
#include "store/store.h"

#define URL_VAR "CALENDARD_TEST_STORE_URL"
#define TMPDIR_VAR "CALENDARD_TEST_STORE_TMPDIR"

enum { POOL = 6, HOUR = 3600, DAY = 24 * 3600, T0 = 1900000000 /* 2030-03-17 */ };

/* No URL given: one SQLite file for the whole run, made before the tests
 * start (the test processes inherit the variable) and removed at the end. */
ReportHook(PRE_ALL)(struct criterion_test_set *tests)
{
	(void)tests;
	if (getenv(URL_VAR))
		return;
	char dir[] = "/tmp/calendard-contract-XXXXXX";
	if (!mkdtemp(dir))
		abort();
	char url[sizeof dir + 32];
	snprintf(url, sizeof url, "sqlite:%s/cal.db", dir);
	setenv(URL_VAR, url, 1);
	setenv(TMPDIR_VAR, dir, 1);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	(void)stats;
	const char *dir = getenv(TMPDIR_VAR);
	if (!dir)
		return;
	const char *const files[] = {"cal.db", "cal.db-wal", "cal.db-shm"};
	for (size_t i = 0; i < CAL_ARRAY_SIZE(files); i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

struct fixture {
	struct store *store;
	struct store_conn *conn;
	struct arena *arena;
};

static struct fixture fixture_open(void)
{
	const char *url = getenv(URL_VAR);
	cr_assert(url, URL_VAR " is not set");
	cr_assert(sodium_init() >= 0);
	struct fixture f = {.arena = arena_new()};
	cr_assert_eq(store_open(url, POOL, &f.store), 0, "store_open(%s)", url);
	const char *failed = NULL;
	int r = store_migrate(f.store, &failed);
	cr_assert_eq(r, 0, "migration %s failed: %s", failed ? failed : "?", cal_error_code(r));
	cr_assert_eq(store_acquire(f.store, &f.conn), 0);
	return f;
}

static void fixture_close(struct fixture *f)
{
	store_release(f->conn);
	store_close(f->store);
	arena_free(f->arena);
}

#define FIXTURE                                                                                    \
	_cleanup_(fixture_close) struct fixture fixture_ = fixture_open();                         \
	struct fixture *f = &fixture_

static void begin(struct fixture *f)
{
	cr_assert_eq(store_begin(f->conn, true), 0);
}
static void commit(struct fixture *f)
{
	cr_assert_eq(store_commit(f->conn), 0);
}

#define assert_err(expr, want)                                                                     \
	do {                                                                                       \
		int got_ = (expr);                                                                 \
		cr_assert_eq(got_, (want), "%s: got %s (%d), want %s", #expr,                      \
			     got_ ? cal_error_code(got_) : "ok", got_, cal_error_code(want));      \
	} while (0)

static char *random_tag(struct fixture *f, const char *prefix)
{
	cal_uuid u;
	cal_uuid_new(&u);
	return arena_printf(f->arena, "%s%.8s", prefix, u.s);
}

static void seed_company(struct fixture *f, struct cal_company *co)
{
	*co = (struct cal_company){.name = "Compañía Ñandú 東京", .created_at = T0 - DAY};
	cal_uuid_new(&co->id);
	co->slug = random_tag(f, "co-");
	begin(f);
	assert_err(store_company_insert(f->conn, co), 0);
	commit(f);
}

static void seed_user(struct fixture *f, const struct cal_company *co, struct cal_user *u)
{
	*u = (struct cal_user){.company_id = co->id,
			       .name = "Zoë Müller",
			       .timezone = "Europe/Madrid",
			       .lang = "en",
			       .role = CAL_USER_MEMBER,
			       .created_at = T0 - DAY + 1};
	cal_uuid_new(&u->id);
	u->email = arena_printf(f->arena, "%s@example.com", random_tag(f, "u-"));
	begin(f);
	assert_err(store_user_insert(f->conn, u), 0);
	commit(f);
}

static void add_attendee(struct fixture *f, struct cal_event *e, const struct cal_attendee *at)
{
	struct cal_attendee *list = arena_calloc(f->arena, e->n_attendees + 1, sizeof *list);
	cr_assert(list);
	if (e->n_attendees)
		memcpy(list, e->attendees, e->n_attendees * sizeof *list);
	list[e->n_attendees] = *at;
	e->attendees = list;
	e->n_attendees++;
}

static void attend(struct fixture *f, struct cal_event *e, const struct cal_user *u)
{
	struct cal_attendee at = {.user_id = u->id.s,
				  .email = u->email,
				  .display_name = u->name,
				  .role = CAL_ROLE_REQUIRED,
				  .state = CAL_PARTSTAT_ACCEPTED};
	cal_uuid_new(&at.id);
	add_attendee(f, e, &at);
}

/* A timed event organized (and attended) by `org`. */
static struct cal_event *new_event(struct fixture *f, const struct cal_user *org, int64_t start,
				   int64_t end)
{
	struct cal_event *e = arena_calloc(f->arena, 1, sizeof *e);
	cr_assert(e);
	cal_uuid_new(&e->id);
	e->company_id = org->company_id;
	e->organizer_id = org->id;
	e->organizer_email = org->email;
	e->name = "Sync";
	e->start = start;
	e->end = end;
	e->timezone = "America/Mexico_City";
	e->privacy = CAL_PRIVACY_PUBLIC;
	e->show_as = CAL_SHOW_BUSY;
	e->created_by = e->updated_by = org->id.s;
	e->created_at = e->updated_at = T0 - HOUR;
	e->version = 1;
	attend(f, e, org);
	return e;
}

static void put_event(struct fixture *f, const struct cal_event *e)
{
	begin(f);
	assert_err(store_event_insert(f->conn, e), 0);
	commit(f);
}

static struct cal_event get_event(struct fixture *f, const char *id)
{
	struct cal_event e;
	begin(f);
	assert_err(store_event_get(f->conn, f->arena, id, &e), 0);
	commit(f);
	return e;
}

static void assert_opt_str(const char *what, const char *got, const char *want)
{
	if (!got || !want)
		cr_assert(got == want, "%s: got %s, want %s", what, got ? got : "NULL",
			  want ? want : "NULL");
	else
		cr_assert(strcmp(got, want) == 0,
			  "%s: got \"%.80s\" (%zu bytes), want \"%.80s\" (%zu bytes)", what, got,
			  strlen(got), want, strlen(want));
}

static void assert_attendees_eq(const struct cal_event *got, const struct cal_event *want)
{
	cr_assert_eq(got->n_attendees, want->n_attendees, "attendee count");
	for (size_t i = 0; i < want->n_attendees; i++) {
		const struct cal_attendee *g = &got->attendees[i], *w = &want->attendees[i];
		cr_assert_str_eq(g->id.s, w->id.s, "attendee %zu out of order", i);
		assert_opt_str("attendee user_id", g->user_id, w->user_id);
		assert_opt_str("attendee partner_id", g->partner_id, w->partner_id);
		assert_opt_str("attendee email", g->email, w->email);
		assert_opt_str("attendee display_name", g->display_name, w->display_name);
		cr_assert_eq(g->role, w->role, "attendee %zu role", i);
		cr_assert_eq(g->state, w->state, "attendee %zu state", i);
	}
}

static void assert_alarms_eq(const struct cal_event *got, const struct cal_event *want)
{
	cr_assert_eq(got->n_alarms, want->n_alarms, "alarm count");
	for (size_t i = 0; i < want->n_alarms; i++) {
		const struct cal_alarm *g = &got->alarms[i], *w = &want->alarms[i];
		cr_assert_str_eq(g->id.s, w->id.s, "alarm %zu out of order", i);
		cr_assert_eq(g->type, w->type, "alarm %zu type", i);
		cr_assert_eq(g->interval_value, w->interval_value, "alarm %zu value", i);
		cr_assert_eq(g->interval_unit, w->interval_unit, "alarm %zu unit", i);
	}
}

static void assert_event_eq(const struct cal_event *got, const struct cal_event *want)
{
	cr_assert_str_eq(got->id.s, want->id.s);
	cr_assert_str_eq(got->company_id.s, want->company_id.s);
	cr_assert_str_eq(got->organizer_id.s, want->organizer_id.s);
	assert_opt_str("organizer_email", got->organizer_email, want->organizer_email);
	assert_opt_str("name", got->name, want->name);
	assert_opt_str("description", got->description, want->description);
	assert_opt_str("location", got->location, want->location);
	cr_assert_eq(got->start, want->start, "start");
	cr_assert_eq(got->end, want->end, "end");
	cr_assert_eq(got->all_day, want->all_day, "all_day");
	if (want->all_day) {
		cr_assert_eq(got->start_date, want->start_date, "start_date");
		cr_assert_eq(got->end_date, want->end_date, "end_date");
	}
	assert_opt_str("timezone", got->timezone, want->timezone);
	cr_assert_eq(got->privacy, want->privacy, "privacy");
	cr_assert_eq(got->show_as, want->show_as, "show_as");
	cr_assert_eq(got->recurring, want->recurring, "recurring");
	assert_opt_str("res_model", got->res_model, want->res_model);
	assert_opt_str("res_id", got->res_id, want->res_id);
	assert_opt_str("created_by", got->created_by, want->created_by);
	assert_opt_str("updated_by", got->updated_by, want->updated_by);
	cr_assert_eq(got->created_at, want->created_at, "created_at");
	cr_assert_eq(got->updated_at, want->updated_at, "updated_at");
	cr_assert_eq(got->version, want->version, "version");
	assert_attendees_eq(got, want);
	assert_alarms_eq(got, want);
}

struct range {
	const char *company;
	const char *users[4];
	size_t n_users;
	int64_t from, to;
	const char *res_model, *res_id;
	unsigned limit;
	bool series;
};

static struct store_event_page run_range(struct fixture *f, const struct range *rq)
{
	struct store_event_query q = {
	    .company_id = rq->company,
	    .user_ids = rq->users,
	    .n_user_ids = rq->n_users,
	    .from = rq->from,
	    .to = rq->to,
	    .res_model = rq->res_model,
	    .res_id = rq->res_id,
	    .limit = rq->limit ? rq->limit : 100,
	    .series = rq->series,
	};
	struct store_event_page page;
	begin(f);
	assert_err(store_events_range(f->conn, f->arena, &q, &page), 0);
	commit(f);
	return page;
}

static size_t count_in(const struct store_event_page *page, const struct cal_event *e)
{
	size_t n = 0;
	for (size_t i = 0; i < page->n; i++)
		n += strcmp(page->items[i].id.s, e->id.s) == 0;
	return n;
}

/* Whether a one-user window [from, to) finds `e`. */
static bool window_finds(struct fixture *f, const struct cal_user *u, const struct cal_event *e,
			 int64_t from, int64_t to)
{
	struct range rq = {.company = u->company_id.s, .users = {u->id.s}, .n_users = 1,
			   .from = from, .to = to, .series = e->recurring};
	struct store_event_page page = run_range(f, &rq);
	return count_in(&page, e) == 1;
}

Test(store, migrate_twice_is_a_noop)
{
	FIXTURE;
	struct cal_company co, got;
	seed_company(f, &co);
	const char *failed = NULL;
	assert_err(store_migrate(f->store, &failed), 0);
	struct store *again;
	cr_assert_eq(store_open(getenv(URL_VAR), 1, &again), 0);
	assert_err(store_migrate(again, &failed), 0);
	store_close(again);

	begin(f);
	assert_err(store_ping(f->conn), 0);
	assert_err(store_company_get(f->conn, f->arena, co.id.s, &got), 0);
	commit(f);
}

Test(store, companies)
{
	FIXTURE;
	struct cal_company co, got;
	seed_company(f, &co);
	begin(f);
	assert_err(store_company_get(f->conn, f->arena, co.id.s, &got), 0);
	cr_assert_str_eq(got.id.s, co.id.s);
	cr_assert_str_eq(got.name, co.name);
	cr_assert_str_eq(got.slug, co.slug);
	cr_assert_eq(got.created_at, co.created_at);
	got = (struct cal_company){0};
	assert_err(store_company_get_by_slug(f->conn, f->arena, co.slug, &got), 0);
	cr_assert_str_eq(got.id.s, co.id.s);

	cal_uuid unknown;
	cal_uuid_new(&unknown);
	assert_err(store_company_get(f->conn, f->arena, unknown.s, &got), CAL_E_NOT_FOUND);
	assert_err(store_company_get(f->conn, f->arena, "not-a-uuid", &got), CAL_E_NOT_FOUND);
	assert_err(store_company_get_by_slug(f->conn, f->arena, random_tag(f, "none-"), &got),
		   CAL_E_NOT_FOUND);
	commit(f);

	struct cal_company same_slug = co, same_id = co;
	cal_uuid_new(&same_slug.id);
	same_id.slug = random_tag(f, "co-");
	begin(f);
	assert_err(store_company_insert(f->conn, &same_slug), CAL_E_EXISTS);
	store_rollback(f->conn);
	begin(f);
	assert_err(store_company_insert(f->conn, &same_id), CAL_E_EXISTS);
	store_rollback(f->conn);
}

Test(store, users)
{
	FIXTURE;
	struct cal_company co;
	struct cal_user u, admin, got;
	seed_company(f, &co);
	seed_user(f, &co, &u);
	admin = (struct cal_user){.company_id = co.id,
				  .name = "Admin",
				  .timezone = "UTC",
				  .lang = "es",
				  .password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA",
				  .role = CAL_USER_ADMIN,
				  .created_at = T0};
	cal_uuid_new(&admin.id);
	admin.email = arena_printf(f->arena, "%s@example.org", random_tag(f, "admin-"));
	begin(f);
	assert_err(store_user_insert(f->conn, &admin), 0);
	commit(f);

	begin(f);
	assert_err(store_user_get(f->conn, f->arena, u.id.s, &got), 0);
	cr_assert_str_eq(got.id.s, u.id.s);
	cr_assert_str_eq(got.company_id.s, co.id.s);
	cr_assert_str_eq(got.name, u.name);
	cr_assert_str_eq(got.email, u.email);
	cr_assert_str_eq(got.timezone, u.timezone);
	cr_assert_str_eq(got.lang, u.lang);
	cr_assert_null(got.password_hash);
	cr_assert_eq(got.role, CAL_USER_MEMBER);
	cr_assert_eq(got.created_at, u.created_at);
	assert_err(store_user_get_by_email(f->conn, f->arena, admin.email, &got), 0);
	cr_assert_str_eq(got.id.s, admin.id.s);
	cr_assert_str_eq(got.password_hash, admin.password_hash);
	cr_assert_eq(got.role, CAL_USER_ADMIN);
	cr_assert_str_eq(got.lang, "es");
	assert_err(store_user_get_by_email(f->conn, f->arena, "nobody@example.com", &got),
		   CAL_E_NOT_FOUND);
	assert_err(store_user_get(f->conn, f->arena, "", &got), CAL_E_NOT_FOUND);
	commit(f);

	struct cal_user same_email = u, same_id = u;
	cal_uuid_new(&same_email.id);
	same_id.email = arena_printf(f->arena, "%s@example.com", random_tag(f, "other-"));
	begin(f);
	assert_err(store_user_insert(f->conn, &same_email), CAL_E_EXISTS);
	store_rollback(f->conn);
	begin(f);
	assert_err(store_user_insert(f->conn, &same_id), CAL_E_EXISTS);
	store_rollback(f->conn);
}

Test(store, partners)
{
	FIXTURE;
	struct cal_company co;
	seed_company(f, &co);
	struct cal_partner full = {.company_id = co.id,
				   .name = "Łukasz O'Neil",
				   .email = "l@example.net",
				   .phone = "+52 55 1234 5678",
				   .created_at = T0};
	struct cal_partner bare = {.company_id = co.id, .name = "Bare", .created_at = T0 + 1};
	cal_uuid_new(&full.id);
	cal_uuid_new(&bare.id);
	begin(f);
	assert_err(store_partner_insert(f->conn, &full), 0);
	assert_err(store_partner_insert(f->conn, &bare), 0);
	commit(f);

	struct cal_partner got;
	begin(f);
	assert_err(store_partner_get(f->conn, f->arena, full.id.s, &got), 0);
	cr_assert_str_eq(got.company_id.s, co.id.s);
	cr_assert_str_eq(got.name, full.name);
	cr_assert_str_eq(got.email, full.email);
	cr_assert_str_eq(got.phone, full.phone);
	cr_assert_eq(got.created_at, full.created_at);
	assert_err(store_partner_get(f->conn, f->arena, bare.id.s, &got), 0);
	cr_assert_str_eq(got.name, "Bare");
	cr_assert_null(got.email);
	cr_assert_null(got.phone);
	cal_uuid unknown;
	cal_uuid_new(&unknown);
	assert_err(store_partner_get(f->conn, f->arena, unknown.s, &got), CAL_E_NOT_FOUND);
	commit(f);

	begin(f);
	assert_err(store_partner_insert(f->conn, &bare), CAL_E_EXISTS);
	store_rollback(f->conn);
}

/* 64 KiB of multi-line text with multi-byte characters and the characters
 * that need quoting in SQL and array literals. */
static char *long_description(struct fixture *f)
{
	static const char piece[] = "Línea \"uno\" \\ 'dos' {x,y} — 日本語 ✓\n";
	enum { SIZE = 64 * 1024 };
	char *s = arena_alloc(f->arena, SIZE + 1);
	cr_assert(s);
	size_t len = 0;
	while (len + sizeof piece - 1 <= SIZE) {
		memcpy(s + len, piece, sizeof piece - 1);
		len += sizeof piece - 1;
	}
	memset(s + len, 'z', SIZE - len);
	s[SIZE] = '\0';
	return s;
}

/* The organizer, a partner with a name that needs escaping, a plain
 * address, and a second user, in an order that is not their ids' order. */
static void full_attendees(struct fixture *f, struct cal_event *e, const struct cal_user *other,
			   const struct cal_partner *p)
{
	attend(f, e, other);
	struct cal_attendee *list = arena_calloc(f->arena, 4, sizeof *list);
	cr_assert(list);
	list[0] = e->attendees[0];
	list[0].role = CAL_ROLE_CHAIR;
	list[1] = (struct cal_attendee){.partner_id = p->id.s,
					.email = p->email,
					.display_name = "Ana \"la jefa\" {O'Brien}, \\ NULL",
					.role = CAL_ROLE_OPTIONAL,
					.state = CAL_PARTSTAT_TENTATIVE};
	list[2] = (struct cal_attendee){.email = "outsider@example.org",
					.role = CAL_ROLE_REQUIRED,
					.state = CAL_PARTSTAT_NEEDS_ACTION};
	list[3] = e->attendees[1];
	list[3].state = CAL_PARTSTAT_DECLINED;
	cal_uuid_new(&list[1].id);
	cal_uuid_new(&list[2].id);
	e->attendees = list;
	e->n_attendees = 4;
}

static void set_alarms(struct fixture *f, struct cal_event *e, size_t n)
{
	static const struct cal_alarm kinds[] = {
	    {.type = CAL_ALARM_EMAIL, .interval_value = 1, .interval_unit = CAL_UNIT_DAYS},
	    {.type = CAL_ALARM_NOTIFICATION,
	     .interval_value = 15,
	     .interval_unit = CAL_UNIT_MINUTES},
	    {.type = CAL_ALARM_SMS, .interval_value = 2, .interval_unit = CAL_UNIT_HOURS},
	    {.type = CAL_ALARM_NOTIFICATION, .interval_value = 0, .interval_unit = CAL_UNIT_WEEKS},
	};
	cr_assert(n <= CAL_ARRAY_SIZE(kinds));
	e->alarms = arena_calloc(f->arena, n ? n : 1, sizeof *e->alarms);
	for (size_t i = 0; i < n; i++) {
		e->alarms[i] = kinds[i];
		cal_uuid_new(&e->alarms[i].id);
	}
	e->n_alarms = n;
}

struct people {
	struct cal_company co;
	struct cal_user a, b, c;
	struct cal_partner p;
};

static void seed_people(struct fixture *f, struct people *w)
{
	seed_company(f, &w->co);
	seed_user(f, &w->co, &w->a);
	seed_user(f, &w->co, &w->b);
	seed_user(f, &w->co, &w->c);
	w->p = (struct cal_partner){.company_id = w->co.id, .name = "Ana", .created_at = T0};
	cal_uuid_new(&w->p.id);
	w->p.email = arena_printf(f->arena, "%s@example.net", random_tag(f, "p-"));
	begin(f);
	assert_err(store_partner_insert(f->conn, &w->p), 0);
	commit(f);
}

Test(store, event_round_trip_of_every_field)
{
	FIXTURE;
	struct people w;
	seed_people(f, &w);
	struct cal_event *e = new_event(f, &w.a, T0, T0 + 90 * 60);
	e->name = "Reunión 🗓️ «trimestral» 東京";
	e->description = long_description(f);
	e->location = "Sala \"A\" — 3º piso";
	e->timezone = "Europe/Madrid";
	e->privacy = CAL_PRIVACY_CONFIDENTIAL;
	e->show_as = CAL_SHOW_TENTATIVE;
	e->res_model = "crm.lead";
	e->res_id = "4242";
	e->updated_by = w.b.id.s;
	e->created_at = T0 - 7 * DAY;
	e->updated_at = T0 - DAY;
	e->version = 3;
	full_attendees(f, e, &w.b, &w.p);
	set_alarms(f, e, 3);
	put_event(f, e);

	struct cal_event got = get_event(f, e->id.s);
	assert_event_eq(&got, e);

	begin(f);
	assert_err(store_event_insert(f->conn, e), CAL_E_EXISTS);
	store_rollback(f->conn);
}

Test(store, event_round_trip_all_day_and_absent_fields)
{
	FIXTURE;
	struct people w;
	seed_people(f, &w);
	/* 2030-03-31..2030-04-02 (exclusive), across Madrid's DST change. */
	struct cal_event *e = new_event(f, &w.a, 1901142000, 1901311200);
	e->timezone = "Europe/Madrid";
	e->all_day = true;
	e->start_date = 22004;
	e->end_date = 22006;
	e->organizer_email = NULL;
	e->recurring = true;
	put_event(f, e);
	assert_event_eq((struct cal_event[]){get_event(f, e->id.s)}, e);

	/* Before the epoch: negative day numbers and instants. */
	struct cal_event *old = new_event(f, &w.a, -DAY + 6 * HOUR, 6 * HOUR);
	old->all_day = true;
	old->start_date = -1;
	old->end_date = 0;
	put_event(f, old);
	assert_event_eq((struct cal_event[]){get_event(f, old->id.s)}, old);
}

Test(store, get_of_unknown_ids)
{
	FIXTURE;
	struct people w;
	seed_people(f, &w);
	struct cal_event *e = new_event(f, &w.a, T0, T0 + HOUR);
	put_event(f, e);
	cal_uuid unknown;
	cal_uuid_new(&unknown);
	struct cal_event got = {.name = "untouched"};
	begin(f);
	assert_err(store_event_get(f->conn, f->arena, unknown.s, &got), CAL_E_NOT_FOUND);
	assert_err(store_event_get(f->conn, f->arena, "1; DROP TABLE calendar_events", &got),
		   CAL_E_NOT_FOUND);
	cr_assert_str_eq(got.name, "untouched", "an output set on failure");
	assert_err(store_event_lock(f->conn, unknown.s), CAL_E_NOT_FOUND);
	/* Not finding something leaves the transaction usable. */
	assert_err(store_event_get(f->conn, f->arena, e->id.s, &got), 0);
	assert_err(store_event_lock(f->conn, e->id.s), 0);
	commit(f);
}

Test(store, update_checks_the_version_and_replaces_children)
{
	FIXTURE;
	struct people w;
	seed_people(f, &w);
	struct cal_event *e = new_event(f, &w.a, T0, T0 + HOUR);
	full_attendees(f, e, &w.b, &w.p);
	set_alarms(f, e, 2);
	put_event(f, e);

	/* Keep the plain address (same id), drop the rest, add c; move the
	 * event and make it all-day; one new alarm. */
	struct cal_event next = *e;
	next.attendees = NULL;
	next.n_attendees = 0;
	attend(f, &next, &w.c);
	struct cal_attendee kept = e->attendees[2];
	kept.state = CAL_PARTSTAT_ACCEPTED;
	add_attendee(f, &next, &kept);
	set_alarms(f, &next, 4);
	next.alarms = &next.alarms[3]; /* only the fourth kind */
	next.n_alarms = 1;
	next.name = "Moved";
	next.description = "now with a description";
	next.location = NULL;
	next.res_model = next.res_id = NULL;
	next.start = T0 + 10 * DAY;
	next.end = T0 + 11 * DAY;
	next.all_day = true;
	next.start_date = 21990;
	next.end_date = 21991;
	next.updated_by = w.c.id.s;
	next.updated_at = T0;
	next.version = 2;

	begin(f);
	assert_err(store_event_update(f->conn, &next, 1), 0);
	commit(f);
	assert_event_eq((struct cal_event[]){get_event(f, e->id.s)}, &next);

	struct cal_event stale = *e;
	stale.version = 3;
	stale.name = "Lost update";
	begin(f);
	assert_err(store_event_update(f->conn, &stale, 1), CAL_E_PRECONDITION);
	store_rollback(f->conn);
	assert_event_eq((struct cal_event[]){get_event(f, e->id.s)}, &next);

	struct cal_event ghost = next;
	cal_uuid_new(&ghost.id);
	begin(f);
	assert_err(store_event_update(f->conn, &ghost, 2), CAL_E_NOT_FOUND);
	store_rollback(f->conn);

	/* The attendee rows carry the new span: the old window no longer
	 * finds the event, the new one does; a dropped attendee loses it. */
	cr_assert(!window_finds(f, &w.c, e, T0, T0 + HOUR));
	cr_assert(window_finds(f, &w.c, e, T0 + 10 * DAY + HOUR, T0 + 10 * DAY + 2 * HOUR));
	cr_assert(!window_finds(f, &w.a, e, T0 + 10 * DAY, T0 + 11 * DAY));
}

Test(store, delete_checks_the_version)
{
	FIXTURE;
	struct people w;
	seed_people(f, &w);
	struct cal_event *e = new_event(f, &w.a, T0, T0 + HOUR);
	attend(f, e, &w.b);
	set_alarms(f, e, 2);
	put_event(f, e);

	begin(f);
	assert_err(store_event_delete(f->conn, e->id.s, 2), CAL_E_PRECONDITION);
	store_rollback(f->conn);
	begin(f);
	assert_err(store_event_lock(f->conn, e->id.s), 0);
	assert_err(store_event_delete(f->conn, e->id.s, 1), 0);
	commit(f);

	struct cal_event got;
	begin(f);
	assert_err(store_event_get(f->conn, f->arena, e->id.s, &got), CAL_E_NOT_FOUND);
	assert_err(store_event_lock(f->conn, e->id.s), CAL_E_NOT_FOUND);
	assert_err(store_event_delete(f->conn, e->id.s, 1), CAL_E_NOT_FOUND);
	commit(f);
	cr_assert(!window_finds(f, &w.b, e, T0, T0 + HOUR));

	/* The id is free again, attendee and alarm ids included. */
	put_event(f, e);
	assert_event_eq((struct cal_event[]){get_event(f, e->id.s)}, e);
}

Test(store, range_overlap_is_half_open)
{
	FIXTURE;
	struct people w;
	seed_people(f, &w);
	struct cal_event *e = new_event(f, &w.a, T0, T0 + HOUR);
	put_event(f, e);
	cr_assert(!window_finds(f, &w.a, e, T0 - HOUR, T0), "ends where the event starts");
	cr_assert(!window_finds(f, &w.a, e, T0 + HOUR, T0 + 2 * HOUR), "starts where it ends");
	cr_assert(window_finds(f, &w.a, e, T0 - HOUR, T0 + 1));
	cr_assert(window_finds(f, &w.a, e, T0 + HOUR - 1, T0 + 2 * HOUR));
	cr_assert(window_finds(f, &w.a, e, T0 + 600, T0 + 1200), "inside the event");
	cr_assert(window_finds(f, &w.a, e, T0 - DAY, T0 + DAY), "around the event");
	cr_assert(!window_finds(f, &w.b, e, T0 - DAY, T0 + DAY), "b does not attend");
}

/* Events around STORE_LONG_SPAN: the longest ordinary one and the shortest
 * long one are both found far from their start. */
Test(store, range_finds_long_events)
{
	FIXTURE;
	struct people w;
	seed_people(f, &w);
	struct cal_event *longest = new_event(f, &w.a, T0, T0 + STORE_LONG_SPAN);
	struct cal_event *shortest_long = new_event(f, &w.a, T0, T0 + STORE_LONG_SPAN + HOUR);
	struct cal_event *sixty = new_event(f, &w.a, T0 - 30 * DAY, T0 + 30 * DAY);
	struct cal_event *ended = new_event(f, &w.a, T0 - 40 * DAY, T0);
	/* A daily series whose first instance is an hour long: its span is
	 * the series', found through the long index from any later window. */
	struct cal_event *year = new_event(f, &w.a, T0 - 200 * DAY, T0 - 200 * DAY + HOUR);
	year->recurring = true;
	year->rrule = "FREQ=DAILY;COUNT=400";
	year->series_end = T0 + 200 * DAY;
	put_event(f, longest);
	put_event(f, shortest_long);
	put_event(f, sixty);
	put_event(f, ended);
	put_event(f, year);

	int64_t late = T0 + STORE_LONG_SPAN - 1;
	cr_assert(window_finds(f, &w.a, longest, late, late + HOUR));
	cr_assert(!window_finds(f, &w.a, longest, late + 1, late + HOUR));
	cr_assert(window_finds(f, &w.a, shortest_long, late + 2, late + HOUR),
		  "through the long index");
	cr_assert(window_finds(f, &w.a, sixty, T0, T0 + DAY), "60 days spanning the window");
	cr_assert(!window_finds(f, &w.a, ended, T0, T0 + DAY), "40 days ending at the window");
	cr_assert(window_finds(f, &w.a, ended, T0 - 1, T0 + DAY));
	cr_assert(window_finds(f, &w.a, year, T0 + 100 * DAY, T0 + 101 * DAY));
	cr_assert(!window_finds(f, &w.a, year, T0 + 200 * DAY, T0 + 201 * DAY));
}

Test(store, range_returns_a_shared_event_once)
{
	FIXTURE;
	struct people w;
	seed_people(f, &w);
	struct cal_event *both = new_event(f, &w.a, T0, T0 + HOUR);
	attend(f, both, &w.b);
	struct cal_event *b_only = new_event(f, &w.b, T0 + HOUR, T0 + 2 * HOUR);
	struct cal_event *c_only = new_event(f, &w.c, T0, T0 + HOUR);
	struct cal_event *a_later = new_event(f, &w.a, T0 + DAY, T0 + DAY + HOUR);
	struct cal_event *long_both = new_event(f, &w.b, T0 - 40 * DAY, T0 + 40 * DAY);
	attend(f, long_both, &w.a);
	put_event(f, both);
	put_event(f, b_only);
	put_event(f, c_only);
	put_event(f, a_later);
	put_event(f, long_both);

	struct range rq = {.company = w.co.id.s,
			   .users = {w.a.id.s, w.b.id.s, w.a.id.s},
			   .n_users = 3,
			   .from = T0 - HOUR,
			   .to = T0 + 3 * HOUR};
	struct store_event_page page = run_range(f, &rq);
	cr_assert_eq(page.n, 3);
	cr_assert(!page.more);
	cr_assert_str_eq(page.items[0].id.s, long_both->id.s, "sorted by start");
	cr_assert_eq(count_in(&page, both), 1);
	cr_assert_eq(count_in(&page, b_only), 1);
	cr_assert_eq(count_in(&page, long_both), 1);
	assert_event_eq(&page.items[1], both);
	assert_event_eq(&page.items[2], b_only);
}

Test(store, range_filters_by_company_and_record)
{
	FIXTURE;
	struct people w, other;
	seed_people(f, &w);
	seed_people(f, &other);
	/* Another company's event that w.a attends. */
	struct cal_event *foreign = new_event(f, &other.a, T0, T0 + HOUR);
	attend(f, foreign, &w.a);
	struct cal_event *lead = new_event(f, &w.a, T0, T0 + HOUR);
	lead->res_model = "crm.lead";
	lead->res_id = "7";
	struct cal_event *lead8 = new_event(f, &w.a, T0, T0 + HOUR);
	lead8->res_model = "crm.lead";
	lead8->res_id = "8";
	struct cal_event *order = new_event(f, &w.a, T0, T0 + HOUR);
	order->res_model = "sale.order";
	order->res_id = "7";
	struct cal_event *plain = new_event(f, &w.a, T0, T0 + HOUR);
	const struct cal_event *all[] = {foreign, lead, lead8, order, plain};
	for (size_t i = 0; i < CAL_ARRAY_SIZE(all); i++)
		put_event(f, all[i]);

	struct range rq = {
	    .company = w.co.id.s, .users = {w.a.id.s}, .n_users = 1, .from = T0, .to = T0 + HOUR};
	struct store_event_page page = run_range(f, &rq);
	cr_assert_eq(page.n, 4);
	cr_assert_eq(count_in(&page, foreign), 0);
	rq.company = other.co.id.s;
	page = run_range(f, &rq);
	cr_assert_eq(page.n, 1);
	cr_assert_eq(count_in(&page, foreign), 1);

	rq.company = w.co.id.s;
	rq.res_model = "crm.lead";
	rq.res_id = "7";
	page = run_range(f, &rq);
	cr_assert_eq(page.n, 1);
	cr_assert_str_eq(page.items[0].id.s, lead->id.s);
}

static int item_cmp(const struct cal_event *x, int64_t start, const char *id)
{
	if (x->start != start)
		return x->start < start ? -1 : 1;
	return strcmp(x->id.s, id);
}

/* Pages of `limit` from a cursor; returns how many events were seen and
 * checks order, page sizes and `more` along the way. */
static size_t page_through(struct fixture *f, const struct range *base, unsigned limit,
			   const struct cal_event *const *events, size_t n_events, unsigned *seen)
{
	struct store_event_query q = {.company_id = base->company,
				      .user_ids = base->users,
				      .n_user_ids = base->n_users,
				      .from = base->from,
				      .to = base->to,
				      .limit = limit};
	size_t total = 0;
	for (bool more = true; more;) {
		struct store_event_page page;
		begin(f);
		assert_err(store_events_range(f->conn, f->arena, &q, &page), 0);
		commit(f);
		cr_assert(page.n == limit || !page.more, "short page with more set");
		cr_assert(page.n > 0 || total == 0, "empty page after a cursor");
		for (size_t i = 0; i < page.n; i++) {
			const struct cal_event *it = &page.items[i];
			if (q.has_cursor)
				cr_assert(item_cmp(it, q.cursor_start, q.cursor_id) > 0,
					  "not in (start, id) order");
			size_t k = 0;
			while (k < n_events && strcmp(events[k]->id.s, it->id.s) != 0)
				k++;
			cr_assert(k < n_events, "unexpected event %s", it->id.s);
			seen[k]++;
			q.has_cursor = true;
			q.cursor_start = it->start;
			q.cursor_id = it->id.s;
		}
		total += page.n;
		more = page.more;
		cr_assert(total <= n_events, "paging does not end");
	}
	return total;
}

Test(store, range_pages_with_a_cursor)
{
	FIXTURE;
	struct people w;
	seed_people(f, &w);
	enum { N = 250 };
	const struct cal_event *events[N];
	/* Pairs of events share a start, so the id breaks ties; some are
	 * shared with b, some are long. Plus events outside the window. */
	for (size_t i = 0; i < N; i++) {
		int64_t start = T0 + (int64_t)(i % (N / 2)) * HOUR;
		struct cal_event *e =
		    new_event(f, i % 3 ? &w.a : &w.b, start, start + (i % 50 ? HOUR : 40 * DAY));
		if (i % 3 == 0)
			attend(f, e, &w.a);
		events[i] = e;
	}
	begin(f);
	for (size_t i = 0; i < N; i++)
		assert_err(store_event_insert(f->conn, events[i]), 0);
	for (int i = 1; i <= 5; i++) {
		assert_err(store_event_insert(f->conn,
					      new_event(f, &w.a, T0 - 50 * DAY + i, T0 - 49 * DAY)),
			   0);
		assert_err(
		    store_event_insert(f->conn, new_event(f, &w.a, T0 + 30 * DAY, T0 + 31 * DAY)),
		    0);
	}
	commit(f);

	struct range rq = {.company = w.co.id.s,
			   .users = {w.a.id.s, w.b.id.s},
			   .n_users = 2,
			   .from = T0,
			   .to = T0 + (N / 2) * HOUR};
	const unsigned limits[] = {7, 5, N, N - 1, N + 1};
	for (size_t l = 0; l < CAL_ARRAY_SIZE(limits); l++) {
		unsigned seen[N] = {0};
		size_t total = page_through(f, &rq, limits[l], events, N, seen);
		cr_assert_eq(total, N, "limit %u: %zu events", limits[l], total);
		for (size_t i = 0; i < N; i++)
			cr_assert_eq(seen[i], 1, "limit %u: event %zu seen %u times", limits[l], i,
				     seen[i]);
	}
}

Test(store, rollback_leaves_nothing)
{
	FIXTURE;
	struct cal_company co = {
	    .name = "Ghost", .slug = random_tag(f, "ghost-"), .created_at = T0};
	cal_uuid_new(&co.id);
	struct cal_user u = {.company_id = co.id,
			     .name = "G",
			     .email = "g@example.com",
			     .timezone = "UTC",
			     .lang = "en",
			     .created_at = T0};
	cal_uuid_new(&u.id);
	u.email = arena_printf(f->arena, "%s@example.com", random_tag(f, "g-"));
	struct cal_event *e = new_event(f, &u, T0, T0 + HOUR);
	begin(f);
	assert_err(store_company_insert(f->conn, &co), 0);
	assert_err(store_user_insert(f->conn, &u), 0);
	assert_err(store_event_insert(f->conn, e), 0);
	store_rollback(f->conn);

	struct cal_company gc;
	struct cal_user gu;
	struct cal_event ge;
	begin(f);
	assert_err(store_company_get(f->conn, f->arena, co.id.s, &gc), CAL_E_NOT_FOUND);
	assert_err(store_company_get_by_slug(f->conn, f->arena, co.slug, &gc), CAL_E_NOT_FOUND);
	assert_err(store_user_get_by_email(f->conn, f->arena, u.email, &gu), CAL_E_NOT_FOUND);
	assert_err(store_event_get(f->conn, f->arena, e->id.s, &ge), CAL_E_NOT_FOUND);
	commit(f);
	cr_assert(!window_finds(f, &u, e, T0, T0 + HOUR));

	/* A connection released inside a transaction is rolled back. */
	struct store_conn *c2;
	cr_assert_eq(store_acquire(f->store, &c2), 0);
	cr_assert_eq(store_begin(c2, true), 0);
	assert_err(store_company_insert(c2, &co), 0);
	store_release(c2);
	begin(f);
	assert_err(store_company_get(f->conn, f->arena, co.id.s, &gc), CAL_E_NOT_FOUND);
	commit(f);
}

struct writer {
	struct store *store;
	struct cal_event *const *events;
	size_t n;
	int err;
};

/* Criterion's asserts belong to the test's thread: a writer only records. */
static void *writer_run(void *arg)
{
	struct writer *w = arg;
	for (size_t i = 0; i < w->n && !w->err; i++) {
		struct store_conn *c = NULL;
		int r = store_acquire(w->store, &c);
		if (r == 0)
			r = store_begin(c, true);
		if (r == 0)
			r = store_event_insert(c, w->events[i]);
		if (r == 0)
			r = store_commit(c);
		store_release(c);
		w->err = r;
	}
	return NULL;
}

Test(store, pool_connections_work_concurrently)
{
	FIXTURE;
	struct people w;
	seed_people(f, &w);

	/* Two connections at once: uncommitted rows stay invisible. */
	struct store_conn *c2;
	cr_assert_eq(store_acquire(f->store, &c2), 0);
	struct cal_company co = {.name = "Late", .slug = random_tag(f, "late-"), .created_at = T0};
	cal_uuid_new(&co.id);
	struct cal_company got;
	begin(f);
	assert_err(store_company_insert(f->conn, &co), 0);
	cr_assert_eq(store_begin(c2, false), 0);
	assert_err(store_company_get(c2, f->arena, co.id.s, &got), CAL_E_NOT_FOUND);
	cr_assert_eq(store_commit(c2), 0);
	commit(f);
	cr_assert_eq(store_begin(c2, false), 0);
	assert_err(store_company_get(c2, f->arena, co.id.s, &got), 0);
	cr_assert_eq(store_commit(c2), 0);
	store_release(c2);

	enum { WRITERS = 4, EACH = 15 };
	struct writer writers[WRITERS];
	pthread_t threads[WRITERS];
	for (size_t t = 0; t < WRITERS; t++) {
		struct cal_event **list = arena_calloc(f->arena, EACH, sizeof *list);
		for (size_t i = 0; i < EACH; i++)
			list[i] = new_event(f, &w.a, T0 + (int64_t)(t * EACH + i) * HOUR,
					    T0 + (int64_t)(t * EACH + i + 1) * HOUR);
		writers[t] = (struct writer){.store = f->store, .events = list, .n = EACH};
		cr_assert_eq(pthread_create(&threads[t], NULL, writer_run, &writers[t]), 0);
	}
	for (size_t t = 0; t < WRITERS; t++) {
		pthread_join(threads[t], NULL);
		assert_err(writers[t].err, 0);
	}
	struct range rq = {.company = w.co.id.s,
			   .users = {w.a.id.s},
			   .n_users = 1,
			   .from = T0,
			   .to = T0 + WRITERS * EACH * HOUR,
			   .limit = 500};
	struct store_event_page page = run_range(f, &rq);
	cr_assert_eq(page.n, WRITERS * EACH);
}

/* A series stores its rule, structured form and EXDATEs; it is listed only
 * by the series query, its exceptions only by the single one; exceptions
 * are found by master and original start and go with their series. */
Test(store, series_and_exceptions)
{
	FIXTURE;
	struct people w;
	seed_people(f, &w);
	struct cal_event *series = new_event(f, &w.a, T0, T0 + HOUR);
	static int64_t exdates[] = { T0 + DAY, T0 + 3 * DAY };
	static const struct cal_recurrence_config cfg = {
		.rrule_type = CAL_RRULE_DAILY, .interval = 1, .end_type = CAL_END_COUNT, .count = 10 };
	series->recurring = true;
	series->rrule = "FREQ=DAILY;COUNT=10";
	series->config = &cfg;
	series->exdates = exdates;
	series->n_exdates = 2;
	series->series_end = T0 + 9 * DAY + HOUR;
	series->ical_uid = "series-1@example.test";
	series->sequence = 3;
	put_event(f, series);

	struct cal_event *moved = new_event(f, &w.a, T0 + 2 * DAY + 2 * HOUR, T0 + 2 * DAY + 3 * HOUR);
	moved->master_id = series->id;
	moved->original_start = T0 + 2 * DAY;
	put_event(f, moved);

	struct cal_event got = get_event(f, series->id.s);
	cr_assert(got.recurring);
	cr_assert_str_eq(got.rrule, "FREQ=DAILY;COUNT=10");
	cr_assert_eq(got.n_exdates, 2);
	cr_assert_eq(got.exdates[1], T0 + 3 * DAY);
	cr_assert_eq(got.series_end, T0 + 9 * DAY + HOUR);
	cr_assert_str_eq(got.ical_uid, "series-1@example.test");
	cr_assert_eq(got.sequence, 3);
	struct cal_event ex = get_event(f, moved->id.s);
	cr_assert_str_eq(ex.master_id.s, series->id.s);
	cr_assert_eq(ex.original_start, T0 + 2 * DAY);
	cr_assert(!ex.recurring);

	struct range rq = {.company = w.a.company_id.s, .users = {w.a.id.s}, .n_users = 1,
			   .from = T0 + 5 * DAY, .to = T0 + 6 * DAY, .series = true};
	struct store_event_page page = run_range(f, &rq);
	cr_assert_eq(count_in(&page, series), 1, "the series spans a late window");
	rq.series = false;
	page = run_range(f, &rq);
	cr_assert_eq(count_in(&page, series), 0, "a series is not a single event");
	rq.from = T0 + 2 * DAY;
	rq.to = T0 + 3 * DAY;
	page = run_range(f, &rq);
	cr_assert_eq(count_in(&page, moved), 1, "exceptions list like single events");

	begin(f);
	assert_err(store_exceptions(f->conn, f->arena, series->id.s, T0, T0 + 3 * DAY, &page), 0);
	cr_assert_eq(page.n, 1);
	cr_assert_str_eq(page.items[0].id.s, moved->id.s);
	cr_assert_eq(page.items[0].n_attendees, 1);
	assert_err(store_exceptions(f->conn, f->arena, series->id.s, T0 + 3 * DAY, T0 + 9 * DAY, &page), 0);
	cr_assert_eq(page.n, 0);
	/* "All of them": the bounds must not overflow the database's range
	 * (PostgreSQL refused to_timestamp(INT64_MAX)). */
	assert_err(store_exceptions(f->conn, f->arena, series->id.s, INT64_MIN, INT64_MAX, &page), 0);
	cr_assert_eq(page.n, 1);
	struct cal_event by_uid;
	assert_err(store_event_get_by_uid(f->conn, f->arena, w.a.company_id.s, "series-1@example.test", &by_uid), 0);
	cr_assert_str_eq(by_uid.id.s, series->id.s);
	assert_err(store_event_get_by_uid(f->conn, f->arena, "00000000-0000-4000-8000-000000000000",
					  "series-1@example.test", &by_uid), CAL_E_NOT_FOUND);
	commit(f);

	/* No longer recurring: the rule goes, the row stays. */
	got.recurring = false;
	got.rrule = NULL;
	got.version = 2;
	begin(f);
	assert_err(store_event_update(f->conn, &got, 1), 0);
	commit(f);
	struct cal_event plain = get_event(f, series->id.s);
	cr_assert(!plain.recurring);
	cr_assert_null(plain.rrule);

	/* Deleting the series deletes its exceptions. */
	begin(f);
	assert_err(store_event_delete(f->conn, series->id.s, 2), 0);
	struct cal_event gone;
	assert_err(store_event_get(f->conn, f->arena, moved->id.s, &gone), CAL_E_NOT_FOUND);
	commit(f);
}

/* Activities */

static struct cal_activity *new_activity(struct fixture *f, const struct cal_user *u, const char *res_id,
					 int32_t due)
{
	struct cal_activity *act = arena_calloc(f->arena, 1, sizeof *act);
	cr_assert(act);
	cal_uuid_new(&act->id);
	act->company_id = u->company_id;
	act->user_id = u->id;
	act->res_model = "crm.lead";
	act->res_id = res_id;
	act->type = CAL_ACTIVITY_CALL;
	act->summary = "Llamar a Zoë 東京";
	act->due_date = due;
	act->created_by = u->id.s;
	act->created_at = act->updated_at = T0 - HOUR;
	act->version = 1;
	return act;
}

static void put_activity(struct fixture *f, const struct cal_activity *act)
{
	begin(f);
	assert_err(store_activity_insert(f->conn, act), 0);
	commit(f);
}

static struct cal_activity get_activity(struct fixture *f, const char *id)
{
	struct cal_activity act;
	begin(f);
	assert_err(store_activity_get(f->conn, f->arena, id, &act), 0);
	commit(f);
	return act;
}

static void assert_activity_eq(const struct cal_activity *got, const struct cal_activity *want,
			       const char *want_zone)
{
	cr_assert_str_eq(got->id.s, want->id.s);
	cr_assert_str_eq(got->company_id.s, want->company_id.s);
	cr_assert_str_eq(got->user_id.s, want->user_id.s);
	cr_assert_str_eq(got->res_model, want->res_model);
	cr_assert_str_eq(got->res_id, want->res_id);
	cr_assert_eq(got->type, want->type);
	cr_assert_str_eq(got->summary, want->summary);
	assert_opt_str("note", got->note, want->note);
	cr_assert_eq(got->due_date, want->due_date);
	cr_assert_eq(got->done, want->done);
	if (want->done)
		cr_assert_eq(got->done_at, want->done_at);
	cr_assert_str_eq(got->event_id.s, want->event_id.s);
	assert_opt_str("created_by", got->created_by, want->created_by);
	cr_assert_eq(got->created_at, want->created_at);
	cr_assert_eq(got->updated_at, want->updated_at);
	cr_assert_eq(got->version, want->version);
	cr_assert_str_eq(got->user_timezone, want_zone, "the assignee's zone comes with the row");
}

Test(store, activity_round_trip)
{
	FIXTURE;
	struct people w;
	seed_people(f, &w);
	struct cal_event *e = new_event(f, &w.a, T0, T0 + HOUR);
	put_event(f, e);
	cal_uuid lead;
	cal_uuid_new(&lead);

	struct cal_activity *full = new_activity(f, &w.a, lead.s, 21990);
	full->type = CAL_ACTIVITY_MEETING;
	full->note = long_description(f);
	full->event_id = e->id;
	full->created_by = w.b.id.s;
	put_activity(f, full);
	assert_activity_eq((struct cal_activity[]){ get_activity(f, full->id.s) }, full, "Europe/Madrid");

	struct cal_activity *bare = new_activity(f, &w.b, lead.s, -3650); /* 1960: before the epoch */
	bare->type = CAL_ACTIVITY_TODO;
	bare->done = true;
	bare->done_at = T0;
	bare->created_by = NULL;
	put_activity(f, bare);
	assert_activity_eq((struct cal_activity[]){ get_activity(f, bare->id.s) }, bare, "Europe/Madrid");

	begin(f);
	assert_err(store_activity_insert(f->conn, bare), CAL_E_EXISTS);
	/* The transaction is still usable after EXISTS. */
	struct cal_activity got = { .summary = "untouched" };
	cal_uuid unknown;
	cal_uuid_new(&unknown);
	assert_err(store_activity_get(f->conn, f->arena, unknown.s, &got), CAL_E_NOT_FOUND);
	assert_err(store_activity_get(f->conn, f->arena, "1' OR '1'='1", &got), CAL_E_NOT_FOUND);
	assert_err(store_activity_lock(f->conn, unknown.s), CAL_E_NOT_FOUND);
	cr_assert_str_eq(got.summary, "untouched", "an output set on failure");
	assert_err(store_activity_lock(f->conn, full->id.s), 0);
	commit(f);

	/* An assignee who is nobody is the caller's input, not a store failure. */
	struct cal_activity *orphan = new_activity(f, &w.a, lead.s, 21990);
	cal_uuid_new(&orphan->user_id);
	begin(f);
	assert_err(store_activity_insert(f->conn, orphan), CAL_E_INVALID);
	store_rollback(f->conn);
}

Test(store, activity_writes_check_the_version)
{
	FIXTURE;
	struct people w;
	seed_people(f, &w);
	cal_uuid lead;
	cal_uuid_new(&lead);
	struct cal_activity *act = new_activity(f, &w.a, lead.s, 21990);
	put_activity(f, act);

	struct cal_activity next = *act;
	next.user_id = w.c.id;
	next.type = CAL_ACTIVITY_EMAIL;
	next.summary = "Send the offer";
	next.note = "with the discount";
	next.due_date = 21995;
	next.done = true;
	next.done_at = T0;
	next.updated_at = T0;
	next.version = 2;
	begin(f);
	assert_err(store_activity_lock(f->conn, act->id.s), 0);
	assert_err(store_activity_update(f->conn, &next, 1), 0);
	commit(f);
	assert_activity_eq((struct cal_activity[]){ get_activity(f, act->id.s) }, &next, "Europe/Madrid");

	struct cal_activity stale = *act;
	stale.version = 3;
	begin(f);
	assert_err(store_activity_update(f->conn, &stale, 1), CAL_E_PRECONDITION);
	store_rollback(f->conn);
	struct cal_activity ghost = next;
	cal_uuid_new(&ghost.id);
	begin(f);
	assert_err(store_activity_update(f->conn, &ghost, 2), CAL_E_NOT_FOUND);
	store_rollback(f->conn);

	begin(f);
	assert_err(store_activity_delete(f->conn, act->id.s, 1), CAL_E_PRECONDITION);
	store_rollback(f->conn);
	begin(f);
	assert_err(store_activity_delete(f->conn, act->id.s, 2), 0);
	struct cal_activity gone;
	assert_err(store_activity_get(f->conn, f->arena, act->id.s, &gone), CAL_E_NOT_FOUND);
	assert_err(store_activity_delete(f->conn, act->id.s, 2), CAL_E_NOT_FOUND);
	commit(f);
}

static struct store_activity_page run_activities(struct fixture *f, const struct store_activity_query *q)
{
	struct store_activity_page page;
	begin(f);
	assert_err(store_activities_list(f->conn, f->arena, q, &page), 0);
	commit(f);
	return page;
}

/* Ids of a page, in order, as one string for comparisons. */
static const char *page_ids(struct fixture *f, const struct store_activity_page *page)
{
	const char *out = "";
	for (size_t i = 0; i < page->n; i++)
		out = arena_printf(f->arena, "%s%s%s", out, i ? "," : "", page->items[i].id.s);
	return out;
}

static const char *ids_of(struct fixture *f, struct cal_activity *const *list, size_t n)
{
	const char *out = "";
	for (size_t i = 0; i < n; i++)
		out = arena_printf(f->arena, "%s%s%s", out, i ? "," : "", list[i]->id.s);
	return out;
}

Test(store, activities_list_by_user_record_and_event)
{
	FIXTURE;
	struct people w, other;
	seed_people(f, &w);
	seed_people(f, &other);
	cal_uuid lead, lead2;
	cal_uuid_new(&lead);
	cal_uuid_new(&lead2);
	struct cal_event *e = new_event(f, &w.a, T0, T0 + HOUR);
	put_event(f, e);

	/* a's: two on the 10th (ordered by id), one done on the 11th, one on
	 * another record on the 12th; b's on the same record; and another
	 * company's activity naming the same record id. */
	struct cal_activity *x = new_activity(f, &w.a, lead.s, 21990);
	struct cal_activity *y = new_activity(f, &w.a, lead.s, 21990);
	if (strcmp(x->id.s, y->id.s) > 0) {
		struct cal_activity *t = x;
		x = y;
		y = t;
	}
	struct cal_activity *done = new_activity(f, &w.a, lead.s, 21991);
	done->done = true;
	done->done_at = T0;
	struct cal_activity *elsewhere = new_activity(f, &w.a, lead2.s, 21992);
	elsewhere->type = CAL_ACTIVITY_MEETING;
	elsewhere->event_id = e->id;
	struct cal_activity *bobs = new_activity(f, &w.b, lead.s, 21989);
	struct cal_activity *foreign = new_activity(f, &other.a, lead.s, 21990);
	struct cal_activity *all[] = { x, y, done, elsewhere, bobs, foreign };
	for (size_t i = 0; i < CAL_ARRAY_SIZE(all); i++)
		put_activity(f, all[i]);

	struct store_activity_query q = { .company_id = w.co.id.s, .user_id = w.a.id.s, .limit = 50 };
	struct store_activity_page page = run_activities(f, &q);
	cr_assert_str_eq(page_ids(f, &page), ids_of(f, (struct cal_activity *[]){ x, y, done, elsewhere }, 4));
	cr_assert(!page.more);
	cr_assert_str_eq(page.items[0].user_timezone, "Europe/Madrid");

	q.done = STORE_DONE_NOT;
	page = run_activities(f, &q);
	cr_assert_str_eq(page_ids(f, &page), ids_of(f, (struct cal_activity *[]){ x, y, elsewhere }, 3));
	q.done = STORE_DONE_ONLY;
	page = run_activities(f, &q);
	cr_assert_str_eq(page_ids(f, &page), done->id.s);
	q.done = STORE_DONE_ANY;
	q.has_due_from = q.has_due_to = true;
	q.due_from = 21991;
	q.due_to = 21991;
	page = run_activities(f, &q);
	cr_assert_str_eq(page_ids(f, &page), done->id.s, "the due-date range is inclusive");
	q.has_due_from = false;
	page = run_activities(f, &q);
	cr_assert_str_eq(page_ids(f, &page), ids_of(f, (struct cal_activity *[]){ x, y, done }, 3));

	/* A record's, within the company only, paged two at a time. */
	q = (struct store_activity_query){ .company_id = w.co.id.s, .res_model = "crm.lead",
					   .res_id = lead.s, .limit = 2 };
	page = run_activities(f, &q);
	cr_assert_str_eq(page_ids(f, &page), ids_of(f, (struct cal_activity *[]){ bobs, x }, 2));
	cr_assert(page.more);
	q.has_cursor = true;
	q.cursor_due = page.items[1].due_date;
	q.cursor_id = page.items[1].id.s;
	page = run_activities(f, &q);
	cr_assert_str_eq(page_ids(f, &page), ids_of(f, (struct cal_activity *[]){ y, done }, 2));
	cr_assert(!page.more, "exactly the limit left: no more");
	q.res_model = "crm.opportunity";
	q.has_cursor = false;
	page = run_activities(f, &q);
	cr_assert_eq(page.n, 0, "the model is part of the key");
	q = (struct store_activity_query){ .company_id = other.co.id.s, .res_model = "crm.lead",
					   .res_id = lead.s, .limit = 50 };
	page = run_activities(f, &q);
	cr_assert_str_eq(page_ids(f, &page), foreign->id.s);

	/* An event's; malformed ids match nothing. */
	q = (struct store_activity_query){ .company_id = w.co.id.s, .event_id = e->id.s, .limit = 50 };
	page = run_activities(f, &q);
	cr_assert_str_eq(page_ids(f, &page), elsewhere->id.s);
	q.event_id = "not-a-uuid";
	page = run_activities(f, &q);
	cr_assert_eq(page.n, 0);

	/* Deleting the event unlinks its activities (the schema's SET NULL;
	 * the service deletes open meeting activities first). */
	begin(f);
	assert_err(store_event_delete(f->conn, e->id.s, 1), 0);
	commit(f);
	struct cal_activity unlinked = get_activity(f, elsewhere->id.s);
	cr_assert_str_eq(unlinked.event_id.s, "");
}

/* ------------------------------------------------- outbox, notifications, alarms
 * Claims and due alarms are global (not per company), so these tests use
 * instants long before any other test's (around 1970) and find only their
 * own rows. */

static struct store_outbox_msg outbox_msg(struct fixture *f, const struct cal_company *co, const char *key,
					  int64_t due)
{
	struct store_outbox_msg m = {.company_id = co->id, .channel = STORE_CHANNEL_EMAIL, .kind = "invitation",
				     .recipient = "ana@example.com", .payload = "Subject: x\r\n\r\nhola\r\n",
				     .idempotency_key = arena_printf(f->arena, "%s:%s", key, random_tag(f, "k")),
				     .next_attempt_at = due, .created_at = due};
	cal_uuid_new(&m.id);
	return m;
}

Test(store, outbox_dedupes_leases_and_fences_claims)
{
	FIXTURE;
	struct cal_company co;
	seed_company(f, &co);
	struct store_outbox_msg a = outbox_msg(f, &co, "a", 500);
	struct store_outbox_msg again = a;
	cal_uuid_new(&again.id);
	bool inserted = false;
	begin(f);
	assert_err(store_outbox_put(f->conn, &a, &inserted), 0);
	cr_assert(inserted);
	assert_err(store_outbox_put(f->conn, &again, &inserted), 0);
	cr_assert(!inserted, "the same idempotency key is written once");
	cr_assert(store_tx_notes(f->conn) & STORE_NOTE_OUTBOX);
	commit(f);

	struct store_outbox_msg *got;
	size_t n;
	begin(f);
	assert_err(store_outbox_claim(f->conn, f->arena, 500, 600, 10, &got, &n), 0);
	commit(f);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(got[0].id.s, a.id.s);
	cr_assert_eq(got[0].attempts, 1);
	cr_assert_str_eq(got[0].payload, a.payload);
	cr_assert_str_eq(got[0].idempotency_key, a.idempotency_key);
	cr_assert_eq(got[0].channel, STORE_CHANNEL_EMAIL);

	begin(f);
	assert_err(store_outbox_claim(f->conn, f->arena, 599, 700, 10, &got, &n), 0);
	cr_assert_eq(n, 0, "a leased message is not claimed again before its lease ends");
	int64_t next = 0;
	assert_err(store_outbox_next_due(f->conn, &next), 0);
	cr_assert_leq(next, 600);
	/* The lease ended: its worker died; another takes it over. */
	assert_err(store_outbox_claim(f->conn, f->arena, 600, 900, 10, &got, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(got[0].attempts, 2);
	assert_err(store_outbox_sent(f->conn, a.id.s, 1, 610), CAL_E_NOT_FOUND);
	assert_err(store_outbox_sent(f->conn, a.id.s, 2, 610), 0);
	assert_err(store_outbox_claim(f->conn, f->arena, 100000, 100100, 10, &got, &n), 0);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_neq(got[i].id.s, a.id.s, "a sent message is never claimed");
	commit(f);

	/* A failure: back to pending with its error, then failed for good. */
	struct store_outbox_msg b = outbox_msg(f, &co, "b", 700);
	begin(f);
	assert_err(store_outbox_put(f->conn, &b, &inserted), 0);
	assert_err(store_outbox_claim(f->conn, f->arena, 700, 800, 1, &got, &n), 0);
	cr_assert_eq(n, 1);
	assert_err(store_outbox_retry(f->conn, b.id.s, 1, 750, false, "smtp 451: try again"), 0);
	assert_err(store_outbox_claim(f->conn, f->arena, 749, 800, 10, &got, &n), 0);
	cr_assert_eq(n, 0, "not before its next attempt");
	assert_err(store_outbox_claim(f->conn, f->arena, 750, 800, 1, &got, &n), 0);
	cr_assert_eq(n, 1);
	assert_err(store_outbox_retry(f->conn, b.id.s, 2, 800, true, "smtp 550: no such user"), 0);
	struct store_outbox_query q = {.company_id = co.id.s, .status = STORE_OUTBOX_FAILED, .limit = 10};
	assert_err(store_outbox_list(f->conn, f->arena, &q, &got, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(got[0].id.s, b.id.s);
	cr_assert_eq(got[0].status, STORE_OUTBOX_FAILED);
	cr_assert_eq(got[0].attempts, 2);
	cr_assert_str_eq(got[0].last_error, "smtp 550: no such user");
	q.status = -1;
	assert_err(store_outbox_list(f->conn, f->arena, &q, &got, &n), 0);
	cr_assert_eq(n, 2);
	commit(f);
}

Test(store, notifications_page_read_and_since)
{
	FIXTURE;
	struct cal_company co;
	struct cal_user u, other;
	seed_company(f, &co);
	seed_user(f, &co, &u);
	seed_user(f, &co, &other);
	struct cal_notification n1 = {.user_id = u.id, .kind = "answer", .title = "Ana aceptó", .body = "mañana",
				      .created_at = T0}, n2 = n1;
	cal_uuid_new(&n1.id);
	cal_uuid_new(&n2.id);
	n2.title = "Recordatorio";
	n2.kind = "reminder";
	n2.link = "/calendar/events/x";
	n2.created_at = T0 + 60;
	begin(f);
	assert_err(store_notification_put(f->conn, &n1), 0);
	assert_err(store_notification_put(f->conn, &n2), 0);
	assert_err(store_notification_put(f->conn, &n1), 0); /* redelivery: no second row */
	commit(f);

	struct store_notification_query q = {.user_id = u.id.s, .limit = 1};
	struct cal_notification *got;
	size_t n;
	bool more;
	begin(f);
	assert_err(store_notifications_list(f->conn, f->arena, &q, &got, &n, &more), 0);
	cr_assert_eq(n, 1);
	cr_assert(more);
	cr_assert_str_eq(got[0].id.s, n2.id.s, "newest first");
	cr_assert_str_eq(got[0].link, n2.link);
	q.has_before = true;
	q.before_at = got[0].created_at;
	q.before_id = arena_strdup(f->arena, got[0].id.s);
	assert_err(store_notifications_list(f->conn, f->arena, &q, &got, &n, &more), 0);
	cr_assert_eq(n, 1);
	cr_assert(!more);
	cr_assert_str_eq(got[0].id.s, n1.id.s);
	cr_assert_str_eq(got[0].title, "Ana aceptó");
	cr_assert(!got[0].read);

	assert_err(store_notification_read(f->conn, other.id.s, n2.id.s), CAL_E_NOT_FOUND);
	assert_err(store_notification_read(f->conn, u.id.s, n2.id.s), 0);
	q = (struct store_notification_query){.user_id = u.id.s, .unread_only = true, .limit = 10};
	assert_err(store_notifications_list(f->conn, f->arena, &q, &got, &n, &more), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(got[0].id.s, n1.id.s);

	q = (struct store_notification_query){.user_id = u.id.s, .since = true, .since_at = T0 + 1, .limit = 10};
	assert_err(store_notifications_list(f->conn, f->arena, &q, &got, &n, &more), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(got[0].id.s, n2.id.s);
	cr_assert(got[0].read);
	commit(f);
}

Test(store, alarms_due_in_trigger_order_and_advance)
{
	FIXTURE;
	struct cal_company co;
	struct cal_user u;
	seed_company(f, &co);
	seed_user(f, &co, &u);
	struct cal_event *e = new_event(f, &u, T0, T0 + HOUR);
	struct cal_alarm *al = arena_calloc(f->arena, 3, sizeof *al);
	for (int i = 0; i < 3; i++) {
		cal_uuid_new(&al[i].id);
		al[i].type = CAL_ALARM_EMAIL;
		al[i].interval_value = 10 * (i + 1);
	}
	al[0].armed = true;
	al[0].next_trigger_at = 2000;
	al[1].armed = true;
	al[1].next_trigger_at = 1000;
	e->alarms = al;
	e->n_alarms = 3; /* the third is not armed: nothing left to fire */
	put_event(f, e);

	struct store_alarm_due *due;
	size_t n;
	begin(f);
	assert_err(store_alarms_due(f->conn, f->arena, 999, 10, &due, &n), 0);
	cr_assert_eq(n, 0);
	assert_err(store_alarms_due(f->conn, f->arena, 2000, 10, &due, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(due[0].alarm.id.s, al[1].id.s, "earliest trigger first");
	cr_assert_eq(due[0].alarm.next_trigger_at, 1000);
	cr_assert_eq(due[0].alarm.interval_value, 20);
	cr_assert_eq(due[0].alarm.type, CAL_ALARM_EMAIL);
	cr_assert_str_eq(due[0].event_id.s, e->id.s);
	int64_t next;
	assert_err(store_alarms_next_due(f->conn, &next), 0);
	cr_assert_eq(next, 1000);
	assert_err(store_alarm_advance(f->conn, al[1].id.s, true, 5000, 1500), 0);
	assert_err(store_alarm_advance(f->conn, al[0].id.s, false, 0, 1500), 0);
	assert_err(store_alarms_due(f->conn, f->arena, 4999, 10, &due, &n), 0);
	cr_assert_eq(n, 0);
	assert_err(store_alarms_next_due(f->conn, &next), 0);
	cr_assert_eq(next, 5000);
	/* Replacing the event's alarms replaces their triggers. */
	commit(f);
	e->version = 2;
	e->n_alarms = 1;
	al[0].armed = false;
	begin(f);
	assert_err(store_event_update(f->conn, e, 1), 0);
	assert_err(store_alarms_due(f->conn, f->arena, 100000, 10, &due, &n), 0);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_neq(due[i].event_id.s, e->id.s);
	commit(f);
}

/* ------------------------------------------------- appointments
 * Types, bookings, busy time and leads. Every test books its own users, so
 * the no-overlap rule (per assignee) never sees another test's rows. */

static void avail_add(struct cal_availability *av, int day, int from, int to)
{
	struct cal_error err = {0};
	cr_assert_eq(cal_availability_add(av, day, from, to, "availability", &err), 0);
}

/* A type of w's company with every field set, assigned to c, a, b in that
 * order (not the order of their ids nor of their insertion). */
static struct cal_appointment_type *new_type(struct fixture *f, const struct people *w,
					     const char *name)
{
	struct cal_appointment_type *t = arena_calloc(f->arena, 1, sizeof *t);
	cr_assert(t);
	cal_uuid_new(&t->id);
	t->company_id = w->co.id;
	t->name = name;
	t->description = "Primera visita: «diagnóstico» \"completo\" — 東京";
	t->location = "Sala 3, 2º piso";
	t->slug = random_tag(f, "consulta-");
	t->timezone = "Europe/Madrid";
	t->duration_minutes = 45;
	t->slot_interval_minutes = 15;
	t->buffer_before_minutes = 10;
	t->buffer_after_minutes = 5;
	t->schedule_range_days = 60;
	t->min_booking_hours = 12;
	t->cancel_hours_before = 48;
	t->reminder_hours_before = 2;
	t->max_bookings_per_day = 3;
	avail_add(&t->availability, 0, 14 * 60, 18 * 60);
	avail_add(&t->availability, 0, 9 * 60, 12 * 60);
	avail_add(&t->availability, 2, 0, CAL_DAY_MINUTES);
	avail_add(&t->availability, 6, 10 * 60 + 30, 11 * 60);
	t->assignment = CAL_ASSIGN_CHOICE;
	t->allow_reschedule = false;
	t->allow_cancel = true;
	t->confirmation_email = false;
	t->reminder_email = true;
	t->create_opportunity = true;
	t->is_published = true;
	t->active = true;
	t->assignee_ids = arena_calloc(f->arena, 3, sizeof *t->assignee_ids);
	cr_assert(t->assignee_ids);
	t->assignee_ids[0] = w->c.id;
	t->assignee_ids[1] = w->a.id;
	t->assignee_ids[2] = w->b.id;
	t->n_assignees = 3;
	t->created_at = T0 - 2 * DAY;
	t->updated_at = T0 - DAY;
	t->version = 1;
	return t;
}

static void put_type(struct fixture *f, const struct cal_appointment_type *t)
{
	begin(f);
	assert_err(store_appointment_type_insert(f->conn, t), 0);
	commit(f);
}

static struct cal_appointment_type get_type(struct fixture *f, const char *id)
{
	struct cal_appointment_type t;
	begin(f);
	assert_err(store_appointment_type_get(f->conn, f->arena, id, &t), 0);
	commit(f);
	return t;
}

static void assert_type_eq(const struct cal_appointment_type *got,
			   const struct cal_appointment_type *want)
{
	cr_assert_str_eq(got->id.s, want->id.s);
	cr_assert_str_eq(got->company_id.s, want->company_id.s);
	assert_opt_str("name", got->name, want->name);
	assert_opt_str("description", got->description, want->description);
	assert_opt_str("location", got->location, want->location);
	assert_opt_str("slug", got->slug, want->slug);
	assert_opt_str("timezone", got->timezone, want->timezone);
	cr_assert_eq(got->duration_minutes, want->duration_minutes, "duration");
	cr_assert_eq(got->slot_interval_minutes, want->slot_interval_minutes, "slot interval");
	cr_assert_eq(got->buffer_before_minutes, want->buffer_before_minutes, "buffer before");
	cr_assert_eq(got->buffer_after_minutes, want->buffer_after_minutes, "buffer after");
	cr_assert_eq(got->schedule_range_days, want->schedule_range_days, "schedule range");
	cr_assert_eq(got->min_booking_hours, want->min_booking_hours, "min booking hours");
	cr_assert_eq(got->cancel_hours_before, want->cancel_hours_before, "cancel hours");
	cr_assert_eq(got->reminder_hours_before, want->reminder_hours_before, "reminder hours");
	cr_assert_eq(got->max_bookings_per_day, want->max_bookings_per_day, "max per day");
	for (int d = 0; d < CAL_WEEK_DAYS; d++) {
		cr_assert_eq(got->availability.n[d], want->availability.n[d], "day %d: range count",
			     d);
		for (int i = 0; i < want->availability.n[d]; i++) {
			cr_assert_eq(got->availability.ranges[d][i].from,
				     want->availability.ranges[d][i].from, "day %d range %d from",
				     d, i);
			cr_assert_eq(got->availability.ranges[d][i].to,
				     want->availability.ranges[d][i].to, "day %d range %d to", d,
				     i);
		}
	}
	cr_assert_eq(got->assignment, want->assignment, "assignment");
	cr_assert_eq(got->allow_reschedule, want->allow_reschedule, "allow_reschedule");
	cr_assert_eq(got->allow_cancel, want->allow_cancel, "allow_cancel");
	cr_assert_eq(got->confirmation_email, want->confirmation_email, "confirmation_email");
	cr_assert_eq(got->reminder_email, want->reminder_email, "reminder_email");
	cr_assert_eq(got->create_opportunity, want->create_opportunity, "create_opportunity");
	cr_assert_eq(got->is_published, want->is_published, "is_published");
	cr_assert_eq(got->active, want->active, "active");
	cr_assert_eq(got->n_assignees, want->n_assignees, "assignee count");
	for (size_t i = 0; i < want->n_assignees; i++)
		cr_assert_str_eq(got->assignee_ids[i].s, want->assignee_ids[i].s,
				 "assignee %zu out of order", i);
	cr_assert_eq(got->created_at, want->created_at, "created_at");
	cr_assert_eq(got->updated_at, want->updated_at, "updated_at");
	cr_assert_eq(got->version, want->version, "version");
}

Test(store, appointment_type_round_trip)
{
	FIXTURE;
	struct people w;
	seed_people(f, &w);
	struct cal_appointment_type *full = new_type(f, &w, "Consulta «inicial» 東京");
	put_type(f, full);
	assert_type_eq((struct cal_appointment_type[]){get_type(f, full->id.s)}, full);

	/* The nullable fields absent, no availability, one assignee, the
	 * other booleans. */
	struct cal_appointment_type *bare = new_type(f, &w, "Bare");
	cal_uuid_new(&bare->id);
	bare->description = bare->location = bare->slug = NULL;
	bare->slot_interval_minutes = 0;
	bare->max_bookings_per_day = 0;
	bare->buffer_before_minutes = bare->buffer_after_minutes = 0;
	bare->min_booking_hours = bare->cancel_hours_before = bare->reminder_hours_before = 0;
	bare->availability = (struct cal_availability){0};
	bare->assignment = CAL_ASSIGN_AUTO;
	bare->allow_reschedule = true;
	bare->allow_cancel = false;
	bare->confirmation_email = true;
	bare->reminder_email = false;
	bare->create_opportunity = false;
	bare->is_published = false;
	bare->active = false;
	bare->assignee_ids = &full->assignee_ids[2];
	bare->n_assignees = 1;
	put_type(f, bare);
	assert_type_eq((struct cal_appointment_type[]){get_type(f, bare->id.s)}, bare);

	struct cal_appointment_type got = {.name = "untouched"};
	cal_uuid unknown;
	cal_uuid_new(&unknown);
	begin(f);
	assert_err(store_appointment_type_get(f->conn, f->arena, unknown.s, &got), CAL_E_NOT_FOUND);
	assert_err(store_appointment_type_get(f->conn, f->arena, "1' OR '1'='1", &got),
		   CAL_E_NOT_FOUND);
	cr_assert_str_eq(got.name, "untouched", "an output set on failure");
	assert_err(store_appointment_type_insert(f->conn, full), CAL_E_EXISTS);
	store_rollback(f->conn);
}

Test(store, appointment_type_update_checks_the_version)
{
	FIXTURE;
	struct people w;
	seed_people(f, &w);
	struct cal_appointment_type *t = new_type(f, &w, "Consulta");
	put_type(f, t);

	/* Every field changed; b first, c dropped, a kept. */
	struct cal_appointment_type next = *t;
	next.name = "Consulta de seguimiento";
	next.description = NULL;
	next.location = "En línea";
	next.slug = random_tag(f, "seguimiento-");
	next.timezone = "America/Mexico_City";
	next.duration_minutes = 60;
	next.slot_interval_minutes = 0;
	next.buffer_before_minutes = 0;
	next.buffer_after_minutes = 30;
	next.schedule_range_days = 7;
	next.min_booking_hours = 1;
	next.cancel_hours_before = 2;
	next.reminder_hours_before = 24;
	next.max_bookings_per_day = 0;
	next.availability = (struct cal_availability){0};
	avail_add(&next.availability, 4, 8 * 60, 9 * 60);
	next.assignment = CAL_ASSIGN_AUTO;
	next.allow_reschedule = true;
	next.allow_cancel = false;
	next.confirmation_email = true;
	next.reminder_email = false;
	next.create_opportunity = false;
	next.is_published = false;
	next.active = false;
	next.assignee_ids = arena_calloc(f->arena, 2, sizeof *next.assignee_ids);
	next.assignee_ids[0] = w.b.id;
	next.assignee_ids[1] = w.a.id;
	next.n_assignees = 2;
	next.updated_at = T0;
	next.version = 2;
	begin(f);
	assert_err(store_appointment_type_update(f->conn, &next, 1), 0);
	commit(f);
	assert_type_eq((struct cal_appointment_type[]){get_type(f, t->id.s)}, &next);

	struct cal_appointment_type stale = *t;
	stale.version = 3;
	stale.name = "Lost update";
	begin(f);
	assert_err(store_appointment_type_update(f->conn, &stale, 1), CAL_E_PRECONDITION);
	store_rollback(f->conn);
	assert_type_eq((struct cal_appointment_type[]){get_type(f, t->id.s)}, &next);

	struct cal_appointment_type ghost = next;
	cal_uuid_new(&ghost.id);
	begin(f);
	assert_err(store_appointment_type_update(f->conn, &ghost, 2), CAL_E_NOT_FOUND);
	store_rollback(f->conn);
}

Test(store, appointment_type_slug_is_unique_per_company)
{
	FIXTURE;
	struct people w, other;
	seed_people(f, &w);
	seed_people(f, &other);
	struct cal_appointment_type *t = new_type(f, &w, "Consulta");
	put_type(f, t);

	struct cal_appointment_type *same = new_type(f, &w, "Otra");
	same->slug = t->slug;
	begin(f);
	assert_err(store_appointment_type_insert(f->conn, same), CAL_E_EXISTS);
	store_rollback(f->conn);

	/* The same slug in another company; several types without one. */
	struct cal_appointment_type *foreign = new_type(f, &other, "Consulta");
	foreign->slug = t->slug;
	struct cal_appointment_type *u1 = new_type(f, &w, "Sin slug 1"),
				    *u2 = new_type(f, &w, "Sin slug 2");
	u1->slug = u2->slug = NULL;
	put_type(f, foreign);
	put_type(f, u1);
	put_type(f, u2);

	/* Taking the slug by an update. */
	struct cal_appointment_type next = *u1;
	next.slug = t->slug;
	next.version = 2;
	begin(f);
	assert_err(store_appointment_type_update(f->conn, &next, 1), CAL_E_EXISTS);
	store_rollback(f->conn);
	assert_type_eq((struct cal_appointment_type[]){get_type(f, u1->id.s)}, u1);
}

static const char *type_names(struct fixture *f, const struct cal_appointment_type *items, size_t n)
{
	const char *out = "";
	for (size_t i = 0; i < n; i++)
		out = arena_printf(f->arena, "%s%s%s", out, i ? "," : "", items[i].name);
	return out;
}

Test(store, appointment_types_list)
{
	FIXTURE;
	struct people w, other;
	seed_people(f, &w);
	seed_people(f, &other);
	struct cal_appointment_type *carla = new_type(f, &w, "Carla");
	struct cal_appointment_type *ana = new_type(f, &w, "Ana");
	struct cal_appointment_type *bruno = new_type(f, &w, "Bruno");
	bruno->is_published = false;
	bruno->n_assignees = 1;
	struct cal_appointment_type *gone = new_type(f, &w, "Abel");
	gone->active = false;
	struct cal_appointment_type *foreign = new_type(f, &other, "Aaron");
	const struct cal_appointment_type *all[] = {carla, ana, bruno, gone, foreign};
	for (size_t i = 0; i < CAL_ARRAY_SIZE(all); i++)
		put_type(f, all[i]);

	struct cal_appointment_type *items;
	size_t n;
	begin(f);
	assert_err(store_appointment_types_list(f->conn, f->arena, w.co.id.s, false, &items, &n),
		   0);
	cr_assert_str_eq(type_names(f, items, n), "Ana,Bruno,Carla");
	assert_type_eq(&items[0], ana);
	assert_type_eq(&items[1], bruno);
	assert_type_eq(&items[2], carla);
	assert_err(store_appointment_types_list(f->conn, f->arena, w.co.id.s, true, &items, &n), 0);
	cr_assert_str_eq(type_names(f, items, n), "Ana,Carla");
	assert_err(store_appointment_types_list(f->conn, f->arena, other.co.id.s, true, &items, &n),
		   0);
	cr_assert_str_eq(type_names(f, items, n), "Aaron");
	assert_err(store_appointment_types_list(f->conn, f->arena, "not-a-uuid", false, &items, &n),
		   0);
	cr_assert_eq(n, 0);
	commit(f);

	/* The inactive one is still read by id: its bookings name it. */
	assert_type_eq((struct cal_appointment_type[]){get_type(f, gone->id.s)}, gone);
}

/* A confirmed booking of `t` by `who` for [start, end). */
static struct cal_booking *new_booking(struct fixture *f, const struct cal_appointment_type *t,
				       const struct cal_user *who, int64_t start, int64_t end)
{
	struct cal_booking *b = arena_calloc(f->arena, 1, sizeof *b);
	cr_assert(b);
	cal_uuid_new(&b->id);
	b->type_id = t->id;
	b->company_id = t->company_id;
	b->assignee_id = who->id;
	b->start = start;
	b->end = end;
	b->customer_name = "Ana O'Neil";
	b->customer_email = "ana@example.com";
	b->customer_lang = "es";
	b->manage_token_hash = random_tag(f, "hash-");
	b->created_at = b->updated_at = T0 - DAY;
	return b;
}

static int try_booking_insert(struct fixture *f, const struct cal_booking *b)
{
	begin(f);
	int r = store_booking_insert(f->conn, b);
	if (r == 0)
		commit(f);
	else
		store_rollback(f->conn);
	return r;
}

static int try_booking_update(struct fixture *f, const struct cal_booking *b)
{
	begin(f);
	int r = store_booking_update(f->conn, b);
	if (r == 0)
		commit(f);
	else
		store_rollback(f->conn);
	return r;
}

static void assert_booking_eq(const struct cal_booking *got, const struct cal_booking *want)
{
	cr_assert_str_eq(got->id.s, want->id.s);
	cr_assert_str_eq(got->type_id.s, want->type_id.s);
	cr_assert_str_eq(got->company_id.s, want->company_id.s);
	cr_assert_str_eq(got->assignee_id.s, want->assignee_id.s);
	cr_assert_str_eq(got->event_id.s, want->event_id.s, "event_id");
	cr_assert_str_eq(got->lead_id.s, want->lead_id.s, "lead_id");
	cr_assert_eq(got->start, want->start, "start");
	cr_assert_eq(got->end, want->end, "end");
	assert_opt_str("customer_name", got->customer_name, want->customer_name);
	assert_opt_str("customer_email", got->customer_email, want->customer_email);
	assert_opt_str("customer_phone", got->customer_phone, want->customer_phone);
	assert_opt_str("notes", got->notes, want->notes);
	assert_opt_str("customer_lang", got->customer_lang, want->customer_lang);
	assert_opt_str("customer_timezone", got->customer_timezone, want->customer_timezone);
	cr_assert_eq(got->cancelled, want->cancelled, "cancelled");
	assert_opt_str("manage_token_hash", got->manage_token_hash, want->manage_token_hash);
	assert_opt_str("idempotency_key", got->idempotency_key, want->idempotency_key);
	assert_opt_str("request_hash", got->request_hash, want->request_hash);
	cr_assert_eq(got->created_at, want->created_at, "created_at");
	cr_assert_eq(got->updated_at, want->updated_at, "updated_at");
}

static struct cal_booking get_booking(struct fixture *f, enum store_booking_key by,
				      const struct cal_booking *b)
{
	struct cal_booking got;
	begin(f);
	if (by == STORE_BOOKING_BY_TOKEN)
		assert_err(store_booking_by_token(f->conn, f->arena, b->manage_token_hash, &got),
			   0);
	else if (by == STORE_BOOKING_BY_KEY)
		assert_err(
		    store_booking_by_key(f->conn, f->arena, b->type_id.s, b->idempotency_key, &got),
		    0);
	else
		assert_err(store_booking_by_id(f->conn, f->arena, b->id.s, &got), 0);
	commit(f);
	return got;
}

static struct cal_lead new_lead(const struct cal_company *co)
{
	struct cal_lead l = {.company_id = co->id,
			     .name = "Consulta — Ana O'Neil",
			     .source = "appointment",
			     .created_at = T0 - DAY};
	cal_uuid_new(&l.id);
	return l;
}

Test(store, leads)
{
	FIXTURE;
	struct people w;
	seed_people(f, &w);
	struct cal_event *e = new_event(f, &w.a, T0, T0 + HOUR);
	put_event(f, e);
	struct cal_lead full = new_lead(&w.co), bare = new_lead(&w.co);
	full.contact_name = "Ana O'Neil";
	full.email = "ana@example.com";
	full.phone = "+525512345678";
	full.event_id = e->id;
	begin(f);
	assert_err(store_lead_insert(f->conn, &full), 0);
	assert_err(store_lead_insert(f->conn, &bare), 0);
	commit(f);

	/* A booking names its lead; deleting the event leaves the lead. */
	struct cal_appointment_type *t = new_type(f, &w, "Consulta");
	put_type(f, t);
	struct cal_booking *b = new_booking(f, t, &w.a, T0, T0 + HOUR);
	b->lead_id = full.id;
	b->event_id = e->id;
	assert_err(try_booking_insert(f, b), 0);
	begin(f);
	assert_err(store_event_delete(f->conn, e->id.s, 1), 0);
	commit(f);
	struct cal_booking got = get_booking(f, STORE_BOOKING_BY_ID, b);
	cr_assert_str_eq(got.lead_id.s, full.id.s);
	cr_assert_str_eq(got.event_id.s, "", "the event is gone");

	begin(f);
	assert_err(store_lead_insert(f->conn, &bare), CAL_E_EXISTS);
	store_rollback(f->conn);
}

Test(store, booking_round_trip)
{
	FIXTURE;
	struct people w;
	seed_people(f, &w);
	struct cal_appointment_type *t = new_type(f, &w, "Consulta");
	put_type(f, t);
	struct cal_event *e = new_event(f, &w.a, T0, T0 + 45 * 60);
	put_event(f, e);
	struct cal_lead lead = new_lead(&w.co);
	begin(f);
	assert_err(store_lead_insert(f->conn, &lead), 0);
	commit(f);

	struct cal_booking *full = new_booking(f, t, &w.a, T0, T0 + 45 * 60);
	full->event_id = e->id;
	full->lead_id = lead.id;
	full->customer_name = "Zoë «la clienta» O'Neil 東京";
	full->customer_phone = "+525512345678";
	full->notes = long_description(f);
	full->customer_lang = "en";
	full->customer_timezone = "Asia/Tokyo";
	full->idempotency_key = "key \"1\" ✓";
	full->request_hash = "5d41402abc4b2a76b9719d911017c592";
	full->created_at = T0 - 3 * DAY;
	full->updated_at = T0 - 2 * DAY;
	assert_err(try_booking_insert(f, full), 0);
	assert_booking_eq((struct cal_booking[]){get_booking(f, STORE_BOOKING_BY_TOKEN, full)},
			  full);
	assert_booking_eq((struct cal_booking[]){get_booking(f, STORE_BOOKING_BY_KEY, full)}, full);
	assert_booking_eq((struct cal_booking[]){get_booking(f, STORE_BOOKING_BY_ID, full)}, full);

	struct cal_booking *bare = new_booking(f, t, &w.b, T0, T0 + 45 * 60);
	bare->cancelled = true;
	assert_err(try_booking_insert(f, bare), 0);
	assert_booking_eq((struct cal_booking[]){get_booking(f, STORE_BOOKING_BY_ID, bare)}, bare);
	assert_booking_eq((struct cal_booking[]){get_booking(f, STORE_BOOKING_BY_TOKEN, bare)},
			  bare);

	/* An update writes the assignee, times, event, status and updated_at,
	 * nothing else. */
	struct cal_booking next = *full;
	next.assignee_id = w.c.id;
	next.start = T0 + DAY;
	next.end = T0 + DAY + 45 * 60;
	next.event_id = (cal_uuid){0};
	next.cancelled = true;
	next.updated_at = T0;
	struct cal_booking ignored = next;
	ignored.customer_name = "Not written";
	ignored.notes = NULL;
	assert_err(try_booking_update(f, &ignored), 0);
	assert_booking_eq((struct cal_booking[]){get_booking(f, STORE_BOOKING_BY_TOKEN, full)},
			  &next);

	struct cal_booking got = {.customer_name = "untouched"};
	cal_uuid unknown;
	cal_uuid_new(&unknown);
	begin(f);
	assert_err(store_booking_by_token(f->conn, f->arena, "no-such-hash", &got),
		   CAL_E_NOT_FOUND);
	assert_err(store_booking_by_id(f->conn, f->arena, unknown.s, &got), CAL_E_NOT_FOUND);
	assert_err(store_booking_by_id(f->conn, f->arena, "1' OR '1'='1", &got), CAL_E_NOT_FOUND);
	assert_err(store_booking_by_key(f->conn, f->arena, t->id.s, "other key", &got),
		   CAL_E_NOT_FOUND);
	assert_err(store_booking_by_key(f->conn, f->arena, unknown.s, full->idempotency_key, &got),
		   CAL_E_NOT_FOUND);
	assert_err(store_booking_by_key(f->conn, f->arena, t->id.s, NULL, &got), CAL_E_NOT_FOUND);
	cr_assert_str_eq(got.customer_name, "untouched", "an output set on failure");
	commit(f);

	struct cal_booking ghost = next;
	cal_uuid_new(&ghost.id);
	assert_err(try_booking_update(f, &ghost), CAL_E_NOT_FOUND);
}

/* The database itself refuses a second confirmed booking of one assignee
 * at an overlapping time, whatever the service checked before. */
Test(store, booking_overlap_is_refused_by_the_database)
{
	FIXTURE;
	struct people w;
	seed_people(f, &w);
	struct cal_appointment_type *t = new_type(f, &w, "Consulta");
	struct cal_appointment_type *t2 = new_type(f, &w, "Otra");
	put_type(f, t);
	put_type(f, t2);
	enum { M = 60 };

	struct cal_booking *first = new_booking(f, t, &w.a, T0, T0 + HOUR);
	assert_err(try_booking_insert(f, first), 0);
	const int64_t overlapping[][2] = {
	    {T0 + 30 * M, T0 + 90 * M}, /* across the end */
	    {T0 - 30 * M, T0 + 1},	/* across the start */
	    {T0 + 10 * M, T0 + 20 * M}, /* inside */
	    {T0 - HOUR, T0 + 2 * HOUR}, /* around */
	    {T0, T0 + HOUR},		/* the same */
	};
	for (size_t i = 0; i < CAL_ARRAY_SIZE(overlapping); i++) {
		struct cal_booking *b =
		    new_booking(f, i % 2 ? t2 : t, &w.a, overlapping[i][0], overlapping[i][1]);
		cr_assert_eq(try_booking_insert(f, b), CAL_E_SLOT_TAKEN, "overlap %zu", i);
	}

	/* Touching, another assignee, a cancelled booking: no conflict. */
	struct cal_booking *after = new_booking(f, t, &w.a, T0 + HOUR, T0 + 2 * HOUR);
	struct cal_booking *before = new_booking(f, t2, &w.a, T0 - HOUR, T0);
	struct cal_booking *other = new_booking(f, t, &w.b, T0, T0 + HOUR);
	struct cal_booking *cancelled = new_booking(f, t, &w.a, T0 + 15 * M, T0 + 45 * M);
	cancelled->cancelled = true;
	assert_err(try_booking_insert(f, after), 0);
	assert_err(try_booking_insert(f, before), 0);
	assert_err(try_booking_insert(f, other), 0);
	assert_err(try_booking_insert(f, cancelled), 0);

	/* Updates: moving one onto another, changing assignee onto another's
	 * booking, confirming a cancelled one again are refused; moving over
	 * its own old time is not. */
	struct cal_booking moved = *after;
	moved.start = T0 + 30 * M;
	moved.end = T0 + 90 * M;
	assert_err(try_booking_update(f, &moved), CAL_E_SLOT_TAKEN);
	struct cal_booking reassigned = *other;
	reassigned.assignee_id = w.a.id;
	assert_err(try_booking_update(f, &reassigned), CAL_E_SLOT_TAKEN);
	struct cal_booking confirmed = *cancelled;
	confirmed.cancelled = false;
	assert_err(try_booking_update(f, &confirmed), CAL_E_SLOT_TAKEN);
	struct cal_booking later = *after;
	later.start = T0 + 90 * M;
	later.end = T0 + 150 * M;
	assert_err(try_booking_update(f, &later), 0);
	struct cal_booking same = *other;
	same.updated_at = T0;
	assert_err(try_booking_update(f, &same), 0);
	cr_assert_eq(get_booking(f, STORE_BOOKING_BY_ID, after).start, T0 + 90 * M,
		     "a refused update changed nothing, a good one did");

	/* Cancelling frees the time: for a new booking and for a move. */
	struct cal_booking freed = *first;
	freed.cancelled = true;
	assert_err(try_booking_update(f, &freed), 0);
	struct cal_booking *again = new_booking(f, t2, &w.a, T0 + 30 * M, T0 + 90 * M);
	assert_err(try_booking_insert(f, again), 0);
	struct cal_booking *late = new_booking(f, t, &w.a, T0 + 4 * HOUR, T0 + 5 * HOUR);
	assert_err(try_booking_insert(f, late), 0);
	struct cal_booking undone = *again;
	undone.cancelled = true;
	assert_err(try_booking_update(f, &undone), 0);
	struct cal_booking onto = *late;
	onto.start = T0;
	onto.end = T0 + HOUR;
	assert_err(try_booking_update(f, &onto), 0);
}

Test(store, booking_idempotency_key_is_unique_per_type)
{
	FIXTURE;
	struct people w;
	seed_people(f, &w);
	struct cal_appointment_type *t = new_type(f, &w, "Consulta");
	struct cal_appointment_type *t2 = new_type(f, &w, "Otra");
	put_type(f, t);
	put_type(f, t2);
	struct cal_booking *b = new_booking(f, t, &w.a, T0, T0 + HOUR);
	b->idempotency_key = "retry-me";
	assert_err(try_booking_insert(f, b), 0);

	/* Another time and assignee, or the very same request again: EXISTS,
	 * and the transaction stays usable. */
	struct cal_booking *elsewhere = new_booking(f, t, &w.b, T0 + DAY, T0 + DAY + HOUR);
	elsewhere->idempotency_key = b->idempotency_key;
	struct cal_booking *retry = new_booking(f, t, &w.a, T0, T0 + HOUR);
	retry->idempotency_key = b->idempotency_key;
	struct cal_booking got;
	begin(f);
	assert_err(store_booking_insert(f->conn, elsewhere), CAL_E_EXISTS);
	assert_err(store_booking_by_key(f->conn, f->arena, t->id.s, "retry-me", &got), 0);
	cr_assert_str_eq(got.id.s, b->id.s);
	commit(f);
	assert_err(try_booking_insert(f, retry), CAL_E_EXISTS);

	/* The key is per type; no key is no key. */
	struct cal_booking *other_type = new_booking(f, t2, &w.b, T0, T0 + HOUR);
	other_type->idempotency_key = b->idempotency_key;
	assert_err(try_booking_insert(f, other_type), 0);
	struct cal_booking *n1 = new_booking(f, t, &w.c, T0, T0 + HOUR);
	struct cal_booking *n2 = new_booking(f, t, &w.c, T0 + HOUR, T0 + 2 * HOUR);
	assert_err(try_booking_insert(f, n1), 0);
	assert_err(try_booking_insert(f, n2), 0);
	assert_booking_eq((struct cal_booking[]){get_booking(f, STORE_BOOKING_BY_KEY, other_type)},
			  other_type);
}

static size_t count_booked(const struct store_booked *items, size_t n, size_t user, int64_t start,
			   const struct cal_appointment_type *t)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += items[i].user == user && items[i].start == start &&
		     strcmp(items[i].type_id.s, t->id.s) == 0;
	return k;
}

Test(store, bookings_of_users_in_a_window)
{
	FIXTURE;
	struct people w;
	seed_people(f, &w);
	struct cal_appointment_type *t = new_type(f, &w, "Consulta");
	struct cal_appointment_type *t2 = new_type(f, &w, "Otra");
	put_type(f, t);
	put_type(f, t2);
	struct cal_booking *in_a = new_booking(f, t, &w.a, T0 + HOUR, T0 + 2 * HOUR);
	struct cal_booking *in_b = new_booking(f, t2, &w.b, T0, T0 + HOUR);
	struct cal_booking *cancelled = new_booking(f, t, &w.a, T0 + 3 * HOUR, T0 + 4 * HOUR);
	cancelled->cancelled = true;
	struct cal_booking *at_end = new_booking(f, t, &w.a, T0 + DAY, T0 + DAY + HOUR);
	struct cal_booking *ends_in = new_booking(f, t, &w.a, T0 - HOUR, T0 + 30 * 60);
	struct cal_booking *not_asked = new_booking(f, t, &w.c, T0, T0 + HOUR);
	struct cal_booking *all[] = {in_a, in_b, cancelled, at_end, ends_in, not_asked};
	for (size_t i = 0; i < CAL_ARRAY_SIZE(all); i++)
		assert_err(try_booking_insert(f, all[i]), 0);

	const char *users[] = {w.b.id.s, w.a.id.s};
	struct store_booked *items;
	size_t n;
	begin(f);
	assert_err(store_bookings_of(f->conn, f->arena, users, 2, T0, T0 + DAY, &items, &n), 0);
	commit(f);
	cr_assert_eq(n, 2, "confirmed bookings beginning in the window: %zu", n);
	cr_assert_eq(count_booked(items, n, 1, in_a->start, t), 1, "a's, user index 1");
	cr_assert_eq(count_booked(items, n, 0, in_b->start, t2), 1, "b's, user index 0");
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(items[i].end, items[i].start + HOUR);

	begin(f);
	assert_err(
	    store_bookings_of(f->conn, f->arena, users + 1, 1, T0 - DAY, T0 + 2 * DAY, &items, &n),
	    0);
	commit(f);
	cr_assert_eq(n, 3);
	cr_assert_eq(count_booked(items, n, 0, ends_in->start, t), 1);
	cr_assert_eq(count_booked(items, n, 0, at_end->start, t), 1);
	cr_assert_eq(count_booked(items, n, 0, in_a->start, t), 1);
}

static size_t count_spans(const struct store_busy *b, size_t user, const struct cal_event *e)
{
	size_t k = 0;
	for (size_t i = 0; i < b->n_spans; i++)
		k += b->spans[i].user == user && strcmp(b->spans[i].event_id.s, e->id.s) == 0;
	return k;
}

static size_t count_spans_of(const struct store_busy *b, const struct cal_event *e)
{
	size_t k = 0;
	for (size_t i = 0; i < b->n_spans; i++)
		k += strcmp(b->spans[i].event_id.s, e->id.s) == 0;
	return k;
}

Test(store, busy_of_users)
{
	FIXTURE;
	struct people w, other;
	seed_people(f, &w);
	seed_people(f, &other);
	/* a's own meeting, and one shared with b; b's meeting that a
	 * declined; a's free time; a's meeting outside the window; another
	 * company's meeting a attends. */
	struct cal_event *own = new_event(f, &w.a, T0, T0 + HOUR);
	struct cal_event *shared = new_event(f, &w.a, T0 + 2 * HOUR, T0 + 3 * HOUR);
	attend(f, shared, &w.b);
	shared->show_as = CAL_SHOW_TENTATIVE;
	struct cal_event *declined = new_event(f, &w.b, T0 + 4 * HOUR, T0 + 5 * HOUR);
	attend(f, declined, &w.a);
	declined->attendees[1].state = CAL_PARTSTAT_DECLINED;
	struct cal_event *free_time = new_event(f, &w.a, T0 + 6 * HOUR, T0 + 7 * HOUR);
	free_time->show_as = CAL_SHOW_FREE;
	struct cal_event *outside = new_event(f, &w.a, T0 + 20 * DAY, T0 + 20 * DAY + HOUR);
	struct cal_event *foreign = new_event(f, &other.a, T0, T0 + HOUR);
	attend(f, foreign, &w.a);

	/* a's daily series with one occurrence moved (its exception comes as
	 * a span, its original start as a skip) and one removed (EXDATE). */
	struct cal_event *series = new_event(f, &w.a, T0 + DAY, T0 + DAY + HOUR);
	static int64_t exdates[] = {T0 + 3 * DAY};
	static const struct cal_recurrence_config cfg = {
	    .rrule_type = CAL_RRULE_DAILY, .interval = 1, .end_type = CAL_END_COUNT, .count = 5};
	series->recurring = true;
	series->rrule = "FREQ=DAILY;COUNT=5";
	series->config = &cfg;
	series->exdates = exdates;
	series->n_exdates = 1;
	series->series_end = T0 + 5 * DAY + HOUR;
	struct cal_event *moved =
	    new_event(f, &w.a, T0 + 2 * DAY + 3 * HOUR, T0 + 2 * DAY + 4 * HOUR);
	moved->master_id = series->id;
	moved->original_start = T0 + 2 * DAY;
	struct cal_event *events[] = {own,     shared,	declined, free_time,
				      outside, foreign, series,	  moved};
	for (size_t i = 0; i < CAL_ARRAY_SIZE(events); i++)
		put_event(f, events[i]);

	const char *users[] = {w.b.id.s, w.a.id.s};
	struct store_busy_query q = {.company_id = w.co.id.s,
				     .user_ids = users,
				     .n_user_ids = 2,
				     .from = T0 - HOUR,
				     .to = T0 + 10 * DAY,
				     .series_limit = 10};
	struct store_busy b;
	begin(f);
	assert_err(store_busy(f->conn, f->arena, &q, &b), 0);
	commit(f);

	cr_assert_eq(count_spans(&b, 1, own), 1, "a's own event");
	for (size_t i = 0; i < b.n_spans; i++)
		if (strcmp(b.spans[i].event_id.s, own->id.s) == 0) {
			cr_assert_eq(b.spans[i].start, own->start);
			cr_assert_eq(b.spans[i].end, own->end);
		}
	cr_assert_eq(count_spans(&b, 0, shared), 1, "a shared event, once for b");
	cr_assert_eq(count_spans(&b, 1, shared), 1, "and once for a");
	cr_assert_eq(count_spans(&b, 0, declined), 1, "b organizes it");
	cr_assert_eq(count_spans(&b, 1, declined), 0, "a declined it");
	cr_assert_eq(count_spans_of(&b, free_time), 0, "shown free");
	cr_assert_eq(count_spans_of(&b, outside), 0, "outside the window");
	cr_assert_eq(count_spans_of(&b, foreign), 0, "another company's");
	cr_assert_eq(count_spans_of(&b, series), 0, "a series is not a span");
	cr_assert_eq(count_spans(&b, 1, moved), 1, "an exception is a span");
	cr_assert_eq(b.n_spans, 5, "spans: %zu", b.n_spans);

	cr_assert_eq(b.n_series, 1);
	cr_assert_eq(b.series[0].user, 1);
	cr_assert_str_eq(b.series[0].event.id.s, series->id.s);
	cr_assert(b.series[0].event.recurring);
	cr_assert_str_eq(b.series[0].event.rrule, "FREQ=DAILY;COUNT=5");
	cr_assert_eq(b.series[0].event.start, series->start);
	cr_assert_eq(b.series[0].event.n_exdates, 1);
	cr_assert_eq(b.series[0].event.exdates[0], T0 + 3 * DAY);
	cr_assert_eq(b.n_skips, 1);
	cr_assert_str_eq(b.skips[0].series_id.s, series->id.s);
	cr_assert_eq(b.skips[0].original_start, T0 + 2 * DAY);

	/* Only b: a's events are gone, b's index is 0. */
	q.user_ids = users;
	q.n_user_ids = 1;
	begin(f);
	assert_err(store_busy(f->conn, f->arena, &q, &b), 0);
	cr_assert_eq(b.n_spans, 2);
	cr_assert_eq(count_spans(&b, 0, shared) + count_spans(&b, 0, declined), 2);
	cr_assert_eq(b.n_series, 0);
	/* More series than the limit is the caller's mistake. */
	q.user_ids = users + 1;
	q.series_limit = 0;
	assert_err(store_busy(f->conn, f->arena, &q, &b), CAL_E_INVALID);
	store_rollback(f->conn);
}

Test(store, users_lock_in_a_write_transaction)
{
	FIXTURE;
	struct people w;
	seed_people(f, &w);
	const char *ids[] = {w.c.id.s, w.a.id.s, w.b.id.s, w.a.id.s};
	begin(f);
	assert_err(store_users_lock(f->conn, ids, CAL_ARRAY_SIZE(ids)), 0);
	assert_err(store_users_lock(f->conn, ids, 1), 0);
	/* The rows stay writable by the holder: events naming them. */
	struct cal_event *e = new_event(f, &w.a, T0, T0 + HOUR);
	attend(f, e, &w.c);
	assert_err(store_event_insert(f->conn, e), 0);
	commit(f);

	/* Another connection may take the locks once they are released. */
	struct store_conn *c2;
	cr_assert_eq(store_acquire(f->store, &c2), 0);
	cr_assert_eq(store_begin(c2, true), 0);
	assert_err(store_users_lock(c2, ids + 1, 2), 0);
	cr_assert_eq(store_commit(c2), 0);
	store_release(c2);
}
