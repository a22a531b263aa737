/*
 * Unit tests for model/recurrence: parsing and validation, the structured
 * recurrenceConfig, and expansion.
 *
 * The RFC 5545 section 3.8.5.3 examples are written out as the RFC prints
 * them ("September 2-30; October 1-25", America/New_York), in days() lists
 * that read like the RFC text. Zone cases give the expected UTC instants
 * explicitly, worked out by hand from the zones' rules and checked with
 * zdump(8). Two randomized tests compare the engine with libical's floating
 * iterator (the reference for the pattern) and with itself (a window
 * expanded from near its start against the full series); bench/EXPANSION.md
 * tells how the engine was also compared with python-dateutil.
 */
#include <criterion/criterion.h>

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/civil.h"
#include "base/macro.h"
#include "base/tz.h"
#include "model/recurrence.h"

#define ZONEINFO "/usr/share/zoneinfo"
#define NY "America/New_York"

/* ---- helpers --------------------------------------------------------------- */

static struct cal_tzdb *open_db(void)
{
	struct cal_tzdb *db;
	cr_assert_eq(cal_tzdb_new(ZONEINFO, &db), 0);
	return db;
}

static const struct cal_tz *zone(struct cal_tzdb *db, const char *name)
{
	const struct cal_tz *tz = NULL;
	if (name)
		cr_assert_eq(cal_tzdb_get(db, name, &tz), 0, "zone %s", name);
	return tz;
}

static struct cal_civil civil(int y, int mo, int d, int h, int mi, int s)
{
	return (struct cal_civil){
		.year = y, .month = mo, .day = d, .hour = h, .minute = mi, .second = s
	};
}

static int64_t wall_of(struct cal_civil c)
{
	int64_t t;
	cr_assert_eq(cal_civil_to_epoch_utc(&c, &t), 0);
	return t;
}

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
	return wall_of(civil(y, mo, d, h, mi, s));
}

/* "19970902T090000" */
static struct cal_civil parse_dt(const char *s)
{
	struct cal_civil c = { 0 };
	cr_assert_eq(strlen(s), 15, "bad test date %s", s);
	int n = sscanf(s, "%4d%2d%2dT%2d%2d%2d", &c.year, &c.month, &c.day, &c.hour, &c.minute,
		       &c.second);
	cr_assert_eq(n, 6);
	return c;
}

static struct cal_rule *rule(const char *text)
{
	struct cal_rule *r = NULL;
	struct cal_error err = { 0 };
	int rc = cal_rule_parse(text, NULL, &r, &err);
	cr_assert_eq(rc, 0, "%s: %s", text, err.n_fields ? err.fields[0].detail : "?");
	return r;
}

/* What the RFC lists: wall-clock times, in order. */
struct expect {
	int hour, minute;
	size_t n;
	int64_t wall[1200];
};

/* days(&e, 1997, 9, "2-30/2,5") adds September 2, 4, ..., 30 and 5 at e's
 * time of day, the way the RFC writes its lists. */
static void days(struct expect *e, int y, int m, const char *list)
{
	const char *p = list;
	while (*p) {
		int a = (int)strtol(p, (char **)&p, 10), b = a, step = 1;
		if (*p == '-')
			b = (int)strtol(p + 1, (char **)&p, 10);
		if (*p == '/')
			step = (int)strtol(p + 1, (char **)&p, 10);
		for (int d = a; d <= b; d += step) {
			cr_assert_lt(e->n, CAL_ARRAY_SIZE(e->wall));
			e->wall[e->n++] = utc(y, m, d, e->hour, e->minute, 0);
		}
		if (*p == ',')
			p++;
	}
}

struct got {
	size_t n, cap;
	int64_t start[1200];
	int64_t end[1200];
	struct cal_civil local[1200];
};

static int collect(const struct cal_instance *inst, void *ctx)
{
	struct got *g = ctx;
	g->start[g->n] = inst->start;
	g->end[g->n] = inst->end;
	g->local[g->n] = inst->local;
	g->n++;
	return g->n >= g->cap;
}

static struct got *got_new(size_t cap)
{
	struct got *g = calloc(1, sizeof(*g));
	cr_assert_not_null(g);
	g->cap = cap < CAL_ARRAY_SIZE(g->start) ? cap : CAL_ARRAY_SIZE(g->start);
	return g;
}

/* Expands the whole series (up to cap instances). */
static struct got *expand_all(const struct cal_series *s, size_t cap)
{
	struct got *g = got_new(cap);
	int rc = cal_series_expand_starts(s, INT64_MIN, INT64_MAX, collect, g);
	cr_assert(rc == 0 || rc == 1, "expansion failed: %d", rc);
	return g;
}

static char *fmt_wall(int64_t wall, char buf[32])
{
	struct cal_civil c;
	cal_epoch_to_civil_utc(wall, &c);
	snprintf(buf, 32, "%04d-%02d-%02d %02d:%02d:%02d", c.year, c.month, c.day, c.hour, c.minute,
		 c.second);
	return buf;
}

/* Checks a New York series against the RFC's list: wall clocks, and each
 * instant as base/tz reads that wall clock. finite: nothing may follow. */
static void check_ny(const char *rrule, const char *dtstart, const struct expect *e, bool finite,
		     const int64_t *exdates, size_t n_exdates)
{
	struct cal_tzdb *db = open_db();
	const struct cal_tz *tz = zone(db, NY);
	struct cal_rule *r = rule(rrule);
	struct cal_series s = { .rule = r,
				.start_local = parse_dt(dtstart),
				.tz = tz,
				.duration = 3600,
				.exdates = exdates,
				.n_exdates = n_exdates };
	struct cal_error err = { 0 };
	cr_assert_eq(cal_series_check(&s, &err), 0, "%s", rrule);
	struct got *g = expand_all(&s, e->n + (finite ? 1 : 0));
	char a[32], b[32];
	for (size_t i = 0; i < e->n && i < g->n; i++) {
		int64_t wall = wall_of(g->local[i]);
		cr_expect_eq(wall, e->wall[i], "%s #%zu: got %s, expected %s", rrule, i,
			     fmt_wall(wall, a), fmt_wall(e->wall[i], b));
		struct cal_civil lc;
		int64_t inst;
		cal_epoch_to_civil_utc(e->wall[i], &lc);
		cr_assert_eq(cal_tz_local_to_utc(tz, &lc, &inst), 0);
		cr_expect_eq(g->start[i], inst, "%s #%zu: instant", rrule, i);
		cr_expect_eq(g->end[i], g->start[i] + 3600);
	}
	cr_expect_eq(g->n, e->n, "%s: %zu instances, expected %zu", rrule, g->n, e->n);
	free(g);
	cal_rule_free(r);
	cal_tzdb_free(db);
}

/* Expands [from, to) of a series in `zone_name` (NULL: floating). */
static struct got *expand_window(const char *zone_name, const char *rrule, struct cal_civil start,
				 int64_t duration, int64_t from, int64_t to, size_t cap)
{
	struct cal_tzdb *db = open_db();
	struct cal_rule *r = rule(rrule);
	struct cal_series s = {
		.rule = r, .start_local = start, .tz = zone(db, zone_name), .duration = duration
	};
	struct got *g = got_new(cap);
	int rc = cal_series_expand(&s, from, to, collect, g);
	cr_assert(rc == 0 || rc == 1, "%s: expansion failed: %d", rrule, rc);
	cal_rule_free(r);
	cal_tzdb_free(db);
	return g;
}

static void expect_starts(const struct got *g, const int64_t *want, size_t n, const char *what)
{
	char a[32], b[32];
	cr_expect_eq(g->n, n, "%s: %zu instances, expected %zu", what, g->n, n);
	for (size_t i = 0; i < n && i < g->n; i++)
		cr_expect_eq(g->start[i], want[i], "%s #%zu: got %sZ, expected %sZ", what, i,
			     fmt_wall(g->start[i], a), fmt_wall(want[i], b));
}

/* ---- RFC 5545 section 3.8.5.3, every example ----------------------------------- */

Test(rfc5545, daily_for_10_occurrences)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "2-11");
	check_ny("FREQ=DAILY;COUNT=10", "19970902T090000", &e, true, NULL, 0);
}

Test(rfc5545, daily_until_december_24_1997)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "2-30");
	days(&e, 1997, 10, "1-25");  /* EDT */
	days(&e, 1997, 10, "26-31"); /* EST */
	days(&e, 1997, 11, "1-30");
	days(&e, 1997, 12, "1-23");
	check_ny("FREQ=DAILY;UNTIL=19971224T000000Z", "19970902T090000", &e, true, NULL, 0);
}

Test(rfc5545, daily_edt_and_est_instants)
{
	/* "(1997 9:00 AM EDT) ... October 1-25 (1997 9:00 AM EST) October 26-31" */
	struct got *g = expand_window(NY, "FREQ=DAILY", parse_dt("19970902T090000"), 0,
				      utc(1997, 10, 25, 0, 0, 0), utc(1997, 10, 27, 0, 0, 0), 10);
	int64_t want[] = { utc(1997, 10, 25, 13, 0, 0), utc(1997, 10, 26, 14, 0, 0) };
	expect_starts(g, want, 2, "EDT then EST");
	free(g);
}

Test(rfc5545, every_other_day_forever)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "2-30/2");
	days(&e, 1997, 10, "2-24/2");
	days(&e, 1997, 10, "26-30/2");
	days(&e, 1997, 11, "1-29/2");
	days(&e, 1997, 12, "1-31/2");
	check_ny("FREQ=DAILY;INTERVAL=2", "19970902T090000", &e, false, NULL, 0);
}

Test(rfc5545, every_10_days_5_occurrences)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "2,12,22");
	days(&e, 1997, 10, "2,12");
	check_ny("FREQ=DAILY;INTERVAL=10;COUNT=5", "19970902T090000", &e, true, NULL, 0);
}

Test(rfc5545, every_day_in_january_for_3_years)
{
	struct expect e = { .hour = 9 };
	days(&e, 1998, 1, "1-31");
	days(&e, 1999, 1, "1-31");
	days(&e, 2000, 1, "1-31");
	check_ny("FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
		 "19980101T090000", &e, true, NULL, 0);
	check_ny("FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1", "19980101T090000", &e, true, NULL,
		 0);
}

Test(rfc5545, weekly_for_10_occurrences)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "2,9,16,23,30");
	days(&e, 1997, 10, "7,14,21,28");
	days(&e, 1997, 11, "4");
	check_ny("FREQ=WEEKLY;COUNT=10", "19970902T090000", &e, true, NULL, 0);
}

Test(rfc5545, weekly_until_december_24_1997)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "2,9,16,23,30");
	days(&e, 1997, 10, "7,14,21,28");
	days(&e, 1997, 11, "4,11,18,25");
	days(&e, 1997, 12, "2,9,16,23");
	check_ny("FREQ=WEEKLY;UNTIL=19971224T000000Z", "19970902T090000", &e, true, NULL, 0);
}

Test(rfc5545, every_other_week_forever)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "2,16,30");
	days(&e, 1997, 10, "14,28");
	days(&e, 1997, 11, "11,25");
	days(&e, 1997, 12, "9,23");
	days(&e, 1998, 1, "6,20");
	days(&e, 1998, 2, "3,17");
	check_ny("FREQ=WEEKLY;INTERVAL=2;WKST=SU", "19970902T090000", &e, false, NULL, 0);
}

Test(rfc5545, weekly_on_tuesday_and_thursday_for_five_weeks)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "2,4,9,11,16,18,23,25,30");
	days(&e, 1997, 10, "2");
	check_ny("FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH", "19970902T090000", &e,
		 true, NULL, 0);
	check_ny("FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH", "19970902T090000", &e, true, NULL, 0);
}

Test(rfc5545, every_other_week_mo_we_fr_until_december_24)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "1,3,5,15,17,19,29");
	days(&e, 1997, 10, "1,3,13,15,17,27,29,31");
	days(&e, 1997, 11, "10,12,14,24,26,28");
	days(&e, 1997, 12, "8,10,12,22");
	check_ny("FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR",
		 "19970901T090000", &e, true, NULL, 0);
}

Test(rfc5545, every_other_week_tu_th_for_8_occurrences)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "2,4,16,18,30");
	days(&e, 1997, 10, "2,14,16");
	check_ny("FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH", "19970902T090000", &e, true,
		 NULL, 0);
}

Test(rfc5545, monthly_on_the_first_friday_for_10_occurrences)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "5");
	days(&e, 1997, 10, "3");
	days(&e, 1997, 11, "7");
	days(&e, 1997, 12, "5");
	days(&e, 1998, 1, "2");
	days(&e, 1998, 2, "6");
	days(&e, 1998, 3, "6");
	days(&e, 1998, 4, "3");
	days(&e, 1998, 5, "1");
	days(&e, 1998, 6, "5");
	check_ny("FREQ=MONTHLY;COUNT=10;BYDAY=1FR", "19970905T090000", &e, true, NULL, 0);
}

Test(rfc5545, monthly_on_the_first_friday_until_december_24)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "5");
	days(&e, 1997, 10, "3");
	days(&e, 1997, 11, "7");
	days(&e, 1997, 12, "5");
	check_ny("FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR", "19970905T090000", &e, true, NULL,
		 0);
}

Test(rfc5545, every_other_month_first_and_last_sunday)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "7,28");
	days(&e, 1997, 11, "2,30");
	days(&e, 1998, 1, "4,25");
	days(&e, 1998, 3, "1,29");
	days(&e, 1998, 5, "3,31");
	check_ny("FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU", "19970907T090000", &e, true,
		 NULL, 0);
}

Test(rfc5545, monthly_second_to_last_monday_for_6_months)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "22");
	days(&e, 1997, 10, "20");
	days(&e, 1997, 11, "17");
	days(&e, 1997, 12, "22");
	days(&e, 1998, 1, "19");
	days(&e, 1998, 2, "16");
	check_ny("FREQ=MONTHLY;COUNT=6;BYDAY=-2MO", "19970922T090000", &e, true, NULL, 0);
}

Test(rfc5545, monthly_third_to_the_last_day_forever)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "28");
	days(&e, 1997, 10, "29");
	days(&e, 1997, 11, "28");
	days(&e, 1997, 12, "29");
	days(&e, 1998, 1, "29");
	days(&e, 1998, 2, "26");
	check_ny("FREQ=MONTHLY;BYMONTHDAY=-3", "19970928T090000", &e, false, NULL, 0);
}

Test(rfc5545, monthly_on_the_2nd_and_15th_for_10_occurrences)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "2,15");
	days(&e, 1997, 10, "2,15");
	days(&e, 1997, 11, "2,15");
	days(&e, 1997, 12, "2,15");
	days(&e, 1998, 1, "2,15");
	check_ny("FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15", "19970902T090000", &e, true, NULL, 0);
}

Test(rfc5545, monthly_on_the_first_and_last_day_for_10_occurrences)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "30");
	days(&e, 1997, 10, "1,31");
	days(&e, 1997, 11, "1,30");
	days(&e, 1997, 12, "1,31");
	days(&e, 1998, 1, "1,31");
	days(&e, 1998, 2, "1");
	check_ny("FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1", "19970930T090000", &e, true, NULL, 0);
}

Test(rfc5545, every_18_months_10th_to_15th_for_10_occurrences)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "10-15");
	days(&e, 1999, 3, "10-13");
	check_ny("FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15",
		 "19970910T090000", &e, true, NULL, 0);
}

Test(rfc5545, every_tuesday_every_other_month)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "2,9,16,23,30");
	days(&e, 1997, 11, "4,11,18,25");
	days(&e, 1998, 1, "6,13,20,27");
	days(&e, 1998, 3, "3,10,17,24,31");
	check_ny("FREQ=MONTHLY;INTERVAL=2;BYDAY=TU", "19970902T090000", &e, false, NULL, 0);
}

Test(rfc5545, yearly_in_june_and_july_for_10_occurrences)
{
	struct expect e = { .hour = 9 };
	for (int y = 1997; y <= 2001; y++) {
		days(&e, y, 6, "10");
		days(&e, y, 7, "10");
	}
	check_ny("FREQ=YEARLY;COUNT=10;BYMONTH=6,7", "19970610T090000", &e, true, NULL, 0);
}

Test(rfc5545, every_other_year_january_february_march_for_10_occurrences)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 3, "10");
	for (int y = 1999; y <= 2003; y += 2) {
		days(&e, y, 1, "10");
		days(&e, y, 2, "10");
		days(&e, y, 3, "10");
	}
	check_ny("FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3", "19970310T090000", &e, true, NULL,
		 0);
}

Test(rfc5545, every_third_year_1st_100th_200th_day)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 1, "1");
	days(&e, 1997, 4, "10");
	days(&e, 1997, 7, "19");
	days(&e, 2000, 1, "1");
	days(&e, 2000, 4, "9");
	days(&e, 2000, 7, "18");
	days(&e, 2003, 1, "1");
	days(&e, 2003, 4, "10");
	days(&e, 2003, 7, "19");
	days(&e, 2006, 1, "1");
	check_ny("FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200", "19970101T090000", &e, true,
		 NULL, 0);
}

Test(rfc5545, every_20th_monday_of_the_year)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 5, "19");
	days(&e, 1998, 5, "18");
	days(&e, 1999, 5, "17");
	check_ny("FREQ=YEARLY;BYDAY=20MO", "19970519T090000", &e, false, NULL, 0);
}

Test(rfc5545, monday_of_week_number_20)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 5, "12");
	days(&e, 1998, 5, "11");
	days(&e, 1999, 5, "17");
	check_ny("FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", "19970512T090000", &e, false, NULL, 0);
}

Test(rfc5545, every_thursday_in_march)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 3, "13,20,27");
	days(&e, 1998, 3, "5,12,19,26");
	days(&e, 1999, 3, "4,11,18,25");
	check_ny("FREQ=YEARLY;BYMONTH=3;BYDAY=TH", "19970313T090000", &e, false, NULL, 0);
}

Test(rfc5545, every_thursday_in_june_july_august)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 6, "5,12,19,26");
	days(&e, 1997, 7, "3,10,17,24,31");
	days(&e, 1997, 8, "7,14,21,28");
	days(&e, 1998, 6, "4,11,18,25");
	days(&e, 1998, 7, "2,9,16,23,30");
	days(&e, 1998, 8, "6,13,20,27");
	days(&e, 1999, 6, "3,10,17,24");
	days(&e, 1999, 7, "1,8,15,22,29");
	days(&e, 1999, 8, "5,12,19,26");
	check_ny("FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8", "19970605T090000", &e, false, NULL, 0);
}

Test(rfc5545, every_friday_the_13th)
{
	struct expect e = { .hour = 9 };
	days(&e, 1998, 2, "13");
	days(&e, 1998, 3, "13");
	days(&e, 1998, 11, "13");
	days(&e, 1999, 8, "13");
	days(&e, 2000, 10, "13");
	/* The RFC's EXDATE;TZID=America/New_York:19970902T090000. */
	int64_t exdate = utc(1997, 9, 2, 13, 0, 0);
	check_ny("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", "19970902T090000", &e, false, &exdate, 1);
}

Test(rfc5545, first_saturday_after_the_first_sunday)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "13");
	days(&e, 1997, 10, "11");
	days(&e, 1997, 11, "8");
	days(&e, 1997, 12, "13");
	days(&e, 1998, 1, "10");
	days(&e, 1998, 2, "7");
	days(&e, 1998, 3, "7");
	days(&e, 1998, 4, "11");
	days(&e, 1998, 5, "9");
	days(&e, 1998, 6, "13");
	check_ny("FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13", "19970913T090000", &e, false,
		 NULL, 0);
}

Test(rfc5545, us_presidential_election_day)
{
	struct expect e = { .hour = 9 };
	days(&e, 1996, 11, "5");
	days(&e, 2000, 11, "7");
	days(&e, 2004, 11, "2");
	check_ny("FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
		 "19961105T090000", &e, false, NULL, 0);
}

Test(rfc5545, third_tuesday_wednesday_or_thursday_for_3_months)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "4");
	days(&e, 1997, 10, "7");
	days(&e, 1997, 11, "6");
	check_ny("FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3", "19970904T090000", &e, true,
		 NULL, 0);
}

Test(rfc5545, second_to_last_weekday_of_the_month)
{
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "29");
	days(&e, 1997, 10, "30");
	days(&e, 1997, 11, "27");
	days(&e, 1997, 12, "30");
	days(&e, 1998, 1, "29");
	days(&e, 1998, 2, "26");
	days(&e, 1998, 3, "30");
	check_ny("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2", "19970929T090000", &e, false,
		 NULL, 0);
}

Test(rfc5545, every_3_hours_from_9am_to_5pm)
{
	/* The RFC lists 09:00, 12:00 and 15:00, but 15:00 EDT is 19:00Z, after
	 * UNTIL=17:00Z; UNTIL is an instant, so 15:00 is out. */
	struct expect e = { .hour = 9 };
	days(&e, 1997, 9, "2");
	e.hour = 12;
	days(&e, 1997, 9, "2");
	check_ny("FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z", "19970902T090000", &e, true, NULL,
		 0);
}

Test(rfc5545, minutely_examples_are_refused_and_hourly_says_the_same)
{
	static const char *const minutely[] = {
		"FREQ=MINUTELY;INTERVAL=15;COUNT=6",
		"FREQ=MINUTELY;INTERVAL=90;COUNT=4",
		"FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16",
	};
	for (size_t i = 0; i < CAL_ARRAY_SIZE(minutely); i++) {
		struct cal_rule *r = NULL;
		struct cal_error err = { 0 };
		cr_expect_eq(cal_rule_parse(minutely[i], NULL, &r, &err), CAL_E_INVALID);
		cr_expect_null(r);
	}
	/* "Every 15 minutes for 6 occurrences", said without MINUTELY. */
	struct expect e = { .hour = 9 };
	for (int m = 0; m <= 75; m += 15) {
		e.hour = 9 + m / 60;
		e.minute = m % 60;
		days(&e, 1997, 9, "2");
	}
	check_ny("FREQ=HOURLY;BYMINUTE=0,15,30,45;COUNT=6", "19970902T090000", &e, true, NULL, 0);
}

Test(rfc5545, every_20_minutes_from_9_to_16_40_every_day)
{
	struct expect e = { 0 };
	for (int d = 2; d <= 3; d++) {
		for (int h = 9; h <= 16; h++) {
			for (int m = 0; m < 60; m += 20) {
				e.hour = h;
				e.minute = m;
				char day[4];
				snprintf(day, sizeof(day), "%d", d);
				days(&e, 1997, 9, day);
			}
		}
	}
	check_ny("FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40", "19970902T090000", &e,
		 false, NULL, 0);
}

Test(rfc5545, wkst_changes_the_days_generated)
{
	struct expect mo = { .hour = 9 }, su = { .hour = 9 };
	days(&mo, 1997, 8, "5,10,19,24");
	days(&su, 1997, 8, "5,17,19,31");
	check_ny("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", "19970805T090000", &mo, true,
		 NULL, 0);
	check_ny("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", "19970805T090000", &su, true,
		 NULL, 0);
}

Test(rfc5545, an_invalid_date_is_ignored)
{
	struct expect e = { .hour = 9 };
	days(&e, 2007, 1, "15,30");
	days(&e, 2007, 2, "15");
	days(&e, 2007, 3, "15,30");
	check_ny("FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5", "20070115T090000", &e, true, NULL, 0);
}

/* ---- DST gaps and overlaps ------------------------------------------------------ */

Test(dst, new_york_nine_stays_nine)
{
	struct got *g = expand_window(NY, "FREQ=DAILY", civil(2024, 1, 1, 9, 0, 0), 3600,
				      utc(2024, 3, 9, 0, 0, 0), utc(2024, 3, 12, 0, 0, 0), 10);
	int64_t spring[] = { utc(2024, 3, 9, 14, 0, 0), utc(2024, 3, 10, 13, 0, 0),
			     utc(2024, 3, 11, 13, 0, 0) };
	expect_starts(g, spring, 3, "spring");
	free(g);
	g = expand_window(NY, "FREQ=DAILY", civil(2024, 1, 1, 9, 0, 0), 3600,
			  utc(2024, 11, 2, 0, 0, 0), utc(2024, 11, 4, 0, 0, 0), 10);
	int64_t fall[] = { utc(2024, 11, 2, 13, 0, 0), utc(2024, 11, 3, 14, 0, 0) };
	expect_starts(g, fall, 2, "fall");
	free(g);
}

Test(dst, new_york_gap_takes_the_offset_before_it)
{
	/* 2024-03-10 02:30 does not exist: RFC 5545 reads it as EST, 07:30Z
	 * (03:30 EDT), not libical's 06:30Z. */
	struct got *g = expand_window(NY, "FREQ=DAILY;COUNT=4", civil(2024, 3, 8, 2, 30, 0), 0,
				      INT64_MIN, INT64_MAX, 10);
	int64_t want[] = { utc(2024, 3, 8, 7, 30, 0), utc(2024, 3, 9, 7, 30, 0),
			   utc(2024, 3, 10, 7, 30, 0), utc(2024, 3, 11, 6, 30, 0) };
	expect_starts(g, want, 4, "gap");
	/* The rule's own wall clock, which names the instance, stays 02:30. */
	cr_expect_eq(g->local[2].hour, 2);
	cr_expect_eq(g->local[2].minute, 30);
	free(g);
}

Test(dst, new_york_overlap_is_the_first_occurrence)
{
	struct got *g = expand_window(NY, "FREQ=DAILY;COUNT=3", civil(2024, 11, 2, 1, 30, 0), 0,
				      INT64_MIN, INT64_MAX, 10);
	int64_t want[] = { utc(2024, 11, 2, 5, 30, 0), utc(2024, 11, 3, 5, 30, 0),
			   utc(2024, 11, 4, 6, 30, 0) };
	expect_starts(g, want, 3, "overlap");
	free(g);
}

Test(dst, hourly_through_the_gap_counts_each_instant_once)
{
	/* 02:00 is in the gap and means 07:00Z, which is also 03:00 EDT. */
	struct got *g = expand_window(NY, "FREQ=HOURLY;COUNT=5", civil(2024, 3, 10, 0, 0, 0), 0,
				      INT64_MIN, INT64_MAX, 10);
	int64_t want[] = { utc(2024, 3, 10, 5, 0, 0), utc(2024, 3, 10, 6, 0, 0),
			   utc(2024, 3, 10, 7, 0, 0), utc(2024, 3, 10, 8, 0, 0) };
	expect_starts(g, want, 4, "hourly gap");
	free(g);
}

Test(dst, half_hours_through_the_gap_come_out_in_utc_order)
{
	/* Walls 02:00 and 02:30 (gap) are 07:00Z and 07:30Z, the same instants
	 * as 03:00 and 03:30: they wait for them, then count once. */
	struct got *g = expand_window(NY, "FREQ=HOURLY;BYMINUTE=0,30;COUNT=8",
				      civil(2024, 3, 10, 1, 0, 0), 0, INT64_MIN, INT64_MAX, 20);
	int64_t want[] = { utc(2024, 3, 10, 6, 0, 0), utc(2024, 3, 10, 6, 30, 0),
			   utc(2024, 3, 10, 7, 0, 0), utc(2024, 3, 10, 7, 30, 0),
			   utc(2024, 3, 10, 8, 0, 0), utc(2024, 3, 10, 8, 30, 0) };
	expect_starts(g, want, 6, "half hours");
	free(g);
}

Test(dst, hourly_through_the_overlap_follows_the_wall_clock)
{
	struct got *g = expand_window(NY, "FREQ=HOURLY;COUNT=4", civil(2024, 11, 3, 0, 0, 0), 0,
				      INT64_MIN, INT64_MAX, 10);
	int64_t want[] = { utc(2024, 11, 3, 4, 0, 0), utc(2024, 11, 3, 5, 0, 0),
			   utc(2024, 11, 3, 7, 0, 0), utc(2024, 11, 3, 8, 0, 0) };
	expect_starts(g, want, 4, "hourly overlap");
	free(g);
}

Test(dst, madrid)
{
	struct got *g = expand_window("Europe/Madrid", "FREQ=DAILY", civil(2024, 1, 1, 9, 0, 0), 0,
				      utc(2024, 3, 30, 0, 0, 0), utc(2024, 4, 1, 0, 0, 0), 10);
	int64_t spring[] = { utc(2024, 3, 30, 8, 0, 0), utc(2024, 3, 31, 7, 0, 0) };
	expect_starts(g, spring, 2, "madrid 09:00 in spring");
	free(g);
	g = expand_window("Europe/Madrid", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;COUNT=2",
			  civil(2024, 3, 31, 2, 30, 0), 0, INT64_MIN, INT64_MAX, 10);
	int64_t gap[] = { utc(2024, 3, 31, 1, 30, 0), utc(2025, 3, 30, 1, 30, 0) };
	expect_starts(g, gap, 2, "madrid gap");
	free(g);
	g = expand_window("Europe/Madrid", "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU;COUNT=1",
			  civil(2024, 10, 27, 2, 30, 0), 0, INT64_MIN, INT64_MAX, 10);
	int64_t overlap[] = { utc(2024, 10, 27, 0, 30, 0) };
	expect_starts(g, overlap, 1, "madrid overlap (CEST)");
	free(g);
}

Test(dst, sydney_southern_hemisphere)
{
	const char *z = "Australia/Sydney";
	struct got *g = expand_window(z, "FREQ=DAILY", civil(2024, 1, 1, 9, 0, 0), 0,
				      utc(2024, 10, 4, 12, 0, 0), utc(2024, 10, 6, 12, 0, 0), 10);
	int64_t october[] = { utc(2024, 10, 4, 23, 0, 0), utc(2024, 10, 5, 22, 0, 0) };
	expect_starts(g, october, 2, "sydney october");
	free(g);
	g = expand_window(z, "FREQ=DAILY", civil(2024, 1, 1, 9, 0, 0), 0, utc(2024, 4, 5, 12, 0, 0),
			  utc(2024, 4, 7, 12, 0, 0), 10);
	int64_t april[] = { utc(2024, 4, 5, 22, 0, 0), utc(2024, 4, 6, 23, 0, 0) };
	expect_starts(g, april, 2, "sydney april");
	free(g);
	g = expand_window(z, "FREQ=MONTHLY;BYDAY=1SU;COUNT=1", civil(2024, 10, 6, 2, 30, 0), 0,
			  INT64_MIN, INT64_MAX, 10);
	int64_t gap[] = { utc(2024, 10, 5, 16, 30, 0) };
	expect_starts(g, gap, 1, "sydney gap (AEST)");
	free(g);
	g = expand_window(z, "FREQ=MONTHLY;BYDAY=1SU;COUNT=1", civil(2024, 4, 7, 2, 30, 0), 0,
			  INT64_MIN, INT64_MAX, 10);
	int64_t overlap[] = { utc(2024, 4, 6, 15, 30, 0) };
	expect_starts(g, overlap, 1, "sydney overlap (AEDT)");
	free(g);
}

Test(dst, lord_howe_half_hour_shift)
{
	const char *z = "Australia/Lord_Howe";
	/* +10:30 in winter, +11 in summer; the clocks move half an hour. */
	struct got *g = expand_window(z, "FREQ=DAILY", civil(2024, 1, 1, 9, 0, 0), 0,
				      utc(2024, 10, 4, 12, 0, 0), utc(2024, 10, 6, 12, 0, 0), 10);
	int64_t daily[] = { utc(2024, 10, 4, 22, 30, 0), utc(2024, 10, 5, 22, 0, 0) };
	expect_starts(g, daily, 2, "lord howe 09:00");
	free(g);
	g = expand_window(z, "FREQ=DAILY;COUNT=1", civil(2024, 10, 6, 2, 15, 0), 0, INT64_MIN,
			  INT64_MAX, 10);
	int64_t gap[] = { utc(2024, 10, 5, 15, 45, 0) };
	expect_starts(g, gap, 1, "lord howe gap 02:00-02:30");
	free(g);
	g = expand_window(z, "FREQ=DAILY;COUNT=1", civil(2024, 4, 7, 1, 45, 0), 0, INT64_MIN,
			  INT64_MAX, 10);
	int64_t overlap[] = { utc(2024, 4, 6, 14, 45, 0) };
	expect_starts(g, overlap, 1, "lord howe overlap 01:30-02:00");
	free(g);
}

Test(dst, mexico_city_after_it_dropped_dst)
{
	/* Mexico abolished DST: the last change was 2022-10-30, and ICU's 2022e
	 * data would still move the clocks in April 2023. */
	const char *z = "America/Mexico_City";
	struct got *g = expand_window(z, "FREQ=DAILY", civil(2022, 10, 1, 9, 0, 0), 0,
				      utc(2022, 10, 29, 0, 0, 0), utc(2022, 10, 31, 0, 0, 0), 10);
	int64_t change[] = { utc(2022, 10, 29, 14, 0, 0), utc(2022, 10, 30, 15, 0, 0) };
	expect_starts(g, change, 2, "mexico 2022-10-30");
	free(g);
	g = expand_window(z, "FREQ=DAILY", civil(2022, 10, 1, 9, 0, 0), 0, utc(2023, 4, 1, 0, 0, 0),
			  utc(2023, 4, 4, 0, 0, 0), 10);
	int64_t april[] = { utc(2023, 4, 1, 15, 0, 0), utc(2023, 4, 2, 15, 0, 0),
			    utc(2023, 4, 3, 15, 0, 0) };
	expect_starts(g, april, 3, "mexico april 2023");
	free(g);
	g = expand_window(z, "FREQ=DAILY", civil(2022, 10, 1, 9, 0, 0), 0, utc(2023, 7, 1, 0, 0, 0),
			  utc(2023, 7, 2, 0, 0, 0), 10);
	int64_t july[] = { utc(2023, 7, 1, 15, 0, 0) };
	expect_starts(g, july, 1, "mexico july 2023");
	free(g);
}

/* ---- calendar corners ---------------------------------------------------------- */

Test(corners, leap_day_yearly)
{
	struct got *g = expand_window(NULL, "FREQ=YEARLY;COUNT=4", civil(2024, 2, 29, 9, 0, 0), 0,
				      INT64_MIN, INT64_MAX, 10);
	int64_t want[] = { utc(2024, 2, 29, 9, 0, 0), utc(2028, 2, 29, 9, 0, 0),
			   utc(2032, 2, 29, 9, 0, 0), utc(2036, 2, 29, 9, 0, 0) };
	expect_starts(g, want, 4, "feb 29");
	free(g);
	/* 2100 is not a leap year. */
	g = expand_window(NULL, "FREQ=YEARLY", civil(2024, 2, 29, 9, 0, 0), 0,
			  utc(2095, 1, 1, 0, 0, 0), utc(2105, 1, 1, 0, 0, 0), 10);
	int64_t century[] = { utc(2096, 2, 29, 9, 0, 0), utc(2104, 2, 29, 9, 0, 0) };
	expect_starts(g, century, 2, "across 2100");
	free(g);
	g = expand_window(NULL, "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1;COUNT=2",
			  civil(2023, 1, 1, 9, 0, 0), 0, INT64_MIN, INT64_MAX, 10);
	int64_t last[] = { utc(2023, 2, 28, 9, 0, 0), utc(2024, 2, 29, 9, 0, 0) };
	expect_starts(g, last, 2, "last day of february");
	free(g);
}

Test(corners, bymonthday_31_skips_short_months)
{
	int64_t want[] = { utc(2024, 1, 31, 9, 0, 0), utc(2024, 3, 31, 9, 0, 0),
			   utc(2024, 5, 31, 9, 0, 0), utc(2024, 7, 31, 9, 0, 0),
			   utc(2024, 8, 31, 9, 0, 0), utc(2024, 10, 31, 9, 0, 0),
			   utc(2024, 12, 31, 9, 0, 0) };
	struct got *g = expand_window(NULL, "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=7",
				      civil(2024, 1, 31, 9, 0, 0), 0, INT64_MIN, INT64_MAX, 10);
	expect_starts(g, want, 7, "BYMONTHDAY=31");
	free(g);
	/* The same from DTSTART's day, and never moved to the 30th. */
	g = expand_window(NULL, "FREQ=MONTHLY;COUNT=7", civil(2024, 1, 31, 9, 0, 0), 0, INT64_MIN,
			  INT64_MAX, 10);
	expect_starts(g, want, 7, "MONTHLY from the 31st");
	free(g);
}

Test(corners, bymonthday_minus_one_is_the_last_day)
{
	struct got *g = expand_window(NULL, "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=4",
				      civil(2024, 1, 31, 9, 0, 0), 0, INT64_MIN, INT64_MAX, 10);
	int64_t want[] = { utc(2024, 1, 31, 9, 0, 0), utc(2024, 2, 29, 9, 0, 0),
			   utc(2024, 3, 31, 9, 0, 0), utc(2024, 4, 30, 9, 0, 0) };
	expect_starts(g, want, 4, "BYMONTHDAY=-1");
	free(g);
}

Test(corners, bysetpos_last_workday_and_first_weekend_day)
{
	struct got *g = expand_window(NULL, "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3",
				      civil(2024, 1, 1, 9, 0, 0), 0, INT64_MIN, INT64_MAX, 10);
	int64_t last[] = { utc(2024, 1, 31, 9, 0, 0), utc(2024, 2, 29, 9, 0, 0),
			   utc(2024, 3, 29, 9, 0, 0) };
	expect_starts(g, last, 3, "last workday");
	free(g);
	/* BYSETPOS picks among days x times: the second of four slots a week. */
	g = expand_window(NULL, "FREQ=WEEKLY;BYDAY=SA,SU;BYHOUR=10,16;BYSETPOS=2;COUNT=2",
			  civil(2024, 1, 1, 9, 0, 0), 0, INT64_MIN, INT64_MAX, 10);
	int64_t slot[] = { utc(2024, 1, 6, 16, 0, 0), utc(2024, 1, 13, 16, 0, 0) };
	expect_starts(g, slot, 2, "BYSETPOS over times");
	free(g);
}

Test(corners, weekno_53_and_wkst)
{
	/* 2020 has an ISO week 53 (Dec 28 - Jan 3); 2021 does not. */
	struct got *g = expand_window(NULL, "FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO;COUNT=2",
				      civil(2020, 1, 1, 9, 0, 0), 0, INT64_MIN, INT64_MAX, 10);
	int64_t want[] = { utc(2020, 12, 28, 9, 0, 0), utc(2026, 12, 28, 9, 0, 0) };
	expect_starts(g, want, 2, "week 53");
	free(g);
	/* Week 1 of 2025 starts on Monday 2024-12-30, inside calendar 2024. */
	g = expand_window(NULL, "FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO;COUNT=2",
			  civil(2024, 1, 1, 9, 0, 0), 0, INT64_MIN, INT64_MAX, 10);
	int64_t first[] = { utc(2024, 1, 1, 9, 0, 0), utc(2024, 12, 30, 9, 0, 0) };
	expect_starts(g, first, 2, "week 1 in december");
	free(g);
}

/* ---- COUNT and UNTIL ------------------------------------------------------------ */

Test(ending, utc_until_is_compared_as_an_instant)
{
	/* 09:00 EST on Nov 4 is 14:00Z: the bound is inclusive to the second. */
	struct got *g = expand_window(NY, "FREQ=DAILY;UNTIL=20241104T140000Z",
				      civil(2024, 10, 30, 9, 0, 0), 0, INT64_MIN, INT64_MAX, 20);
	cr_expect_eq(g->n, 6);
	cr_expect_eq(g->start[5], utc(2024, 11, 4, 14, 0, 0));
	free(g);
	g = expand_window(NY, "FREQ=DAILY;UNTIL=20241104T135959Z", civil(2024, 10, 30, 9, 0, 0), 0,
			  INT64_MIN, INT64_MAX, 20);
	cr_expect_eq(g->n, 5);
	free(g);
	/* Sydney 09:00 on Jan 10 is Jan 9 22:00Z, before UNTIL=Jan 10 00:00Z,
	 * though its fields (Jan 10 09:00) are "after" it. */
	g = expand_window("Australia/Sydney", "FREQ=DAILY;UNTIL=20240110T000000Z",
			  civil(2024, 1, 8, 9, 0, 0), 0, INT64_MIN, INT64_MAX, 20);
	cr_expect_eq(g->n, 3);
	free(g);
}

Test(ending, date_and_floating_until)
{
	struct got *g = expand_window(NY, "FREQ=DAILY;UNTIL=20240103", civil(2024, 1, 1, 9, 0, 0),
				      0, INT64_MIN, INT64_MAX, 20);
	cr_expect_eq(g->n, 3, "a DATE UNTIL includes its day");
	free(g);
	g = expand_window(NULL, "FREQ=DAILY;UNTIL=20240103T090000", civil(2024, 1, 1, 9, 0, 0), 0,
			  INT64_MIN, INT64_MAX, 20);
	cr_expect_eq(g->n, 3);
	free(g);
	g = expand_window(NULL, "FREQ=DAILY;UNTIL=20240103T085959", civil(2024, 1, 1, 9, 0, 0), 0,
			  INT64_MIN, INT64_MAX, 20);
	cr_expect_eq(g->n, 2);
	free(g);
}

Test(ending, count_counts_what_the_rule_produces)
{
	/* COUNT=3 from a Tuesday with BYDAY=MO: DTSTART itself is no instance. */
	struct got *g = expand_window(NULL, "FREQ=WEEKLY;BYDAY=MO;COUNT=3",
				      civil(2024, 1, 2, 9, 0, 0), 0, INT64_MIN, INT64_MAX, 20);
	int64_t want[] = { utc(2024, 1, 8, 9, 0, 0), utc(2024, 1, 15, 9, 0, 0),
			   utc(2024, 1, 22, 9, 0, 0) };
	expect_starts(g, want, 3, "count");
	free(g);
}

/* ---- windows ---------------------------------------------------------------------- */

Test(windows, one_week_of_a_30_year_daily_series)
{
	/* Starts at the period holding the window: no walk through 11,000
	 * earlier days (bench_expansion times it at about 1 us). */
	struct got *g = expand_window(NY, "FREQ=DAILY", civil(1996, 1, 1, 9, 0, 0), 3600,
				      utc(2026, 6, 1, 0, 0, 0), utc(2026, 6, 8, 0, 0, 0), 100);
	cr_assert_eq(g->n, 7);
	for (int i = 0; i < 7; i++)
		cr_expect_eq(g->start[i], utc(2026, 6, 1 + i, 13, 0, 0));
	free(g);
}

Test(windows, instances_that_started_before_the_window_overlap_it)
{
	/* Three-day instances: those of May 29-31 reach into June 1. */
	struct got *g = expand_window(NY, "FREQ=DAILY", civil(1996, 1, 1, 9, 0, 0), 3 * 86400,
				      utc(2026, 6, 1, 0, 0, 0), utc(2026, 6, 8, 0, 0, 0), 100);
	cr_expect_eq(g->n, 10);
	cr_expect_eq(g->start[0], utc(2026, 5, 29, 13, 0, 0));
	free(g);
	/* A zero-length instance at the window's start is in it. */
	g = expand_window(NULL, "FREQ=DAILY", civil(2024, 1, 1, 9, 0, 0), 0,
			  utc(2024, 1, 5, 9, 0, 0), utc(2024, 1, 6, 9, 0, 0), 10);
	cr_expect_eq(g->n, 1);
	free(g);
}

Test(windows, count_series_window_at_the_end)
{
	struct got *g = expand_window(NY, "FREQ=DAILY;COUNT=5000", civil(2000, 1, 1, 9, 0, 0), 0,
				      utc(2013, 9, 1, 0, 0, 0), utc(2014, 1, 1, 0, 0, 0), 200);
	/* Instance 5000 is 2013-09-08 (day 4999 after 2000-01-01). */
	cr_expect_eq(g->n, 8);
	cr_expect_eq(g->start[g->n - 1], utc(2013, 9, 8, 13, 0, 0));
	free(g);
}

Test(windows, expand_starts_resumes_a_page)
{
	struct got *g = expand_window(NULL, "FREQ=DAILY", civil(2024, 1, 1, 9, 0, 0), 3 * 86400,
				      utc(2024, 2, 1, 0, 0, 0), utc(2024, 3, 1, 0, 0, 0), 5);
	cr_assert_eq(g->n, 5);
	int64_t last = g->start[4];
	struct cal_rule *r = rule("FREQ=DAILY");
	struct cal_series s = { .rule = r,
				.start_local = civil(2024, 1, 1, 9, 0, 0),
				.duration = 3 * 86400 };
	struct got *next = got_new(100);
	cr_assert_eq(
	    cal_series_expand_starts(&s, last + 1, utc(2024, 3, 1, 0, 0, 0), collect, next), 0);
	cr_expect_eq(next->start[0], last + 86400);
	cr_expect_eq(g->n + next->n, 32, "29 starting in February, plus 3 that began in January");
	free(next);
	free(g);
	cal_rule_free(r);
}

/* ---- all-day, floating, exdates ---------------------------------------------------- */

Test(series, all_day_is_dates_in_every_zone)
{
	struct cal_tzdb *db = open_db();
	struct cal_rule *r = rule("FREQ=DAILY;COUNT=3");
	struct cal_series s = { .rule = r,
				.start_local = civil(2024, 3, 9, 0, 0, 0),
				.tz = zone(db, NY),
				.all_day = true,
				.duration = 86400 };
	struct got *g = expand_all(&s, 10);
	int64_t want[] = { utc(2024, 3, 9, 0, 0, 0), utc(2024, 3, 10, 0, 0, 0),
			   utc(2024, 3, 11, 0, 0, 0) };
	expect_starts(g, want, 3, "all-day across DST");
	cr_expect_eq(g->end[1], utc(2024, 3, 11, 0, 0, 0), "exclusive end");
	free(g);
	cal_rule_free(r);
	r = rule("FREQ=DAILY;BYHOUR=9");
	s.rule = r;
	struct cal_error err = { 0 };
	cr_expect_eq(cal_series_check(&s, &err), CAL_E_INVALID);
	cr_expect_str_eq(err.fields[0].detail,
			 "an all-day event cannot recur by the hour, minute or second");
	cal_rule_free(r);
	cal_tzdb_free(db);
}

Test(series, floating_stays_floating)
{
	struct got *g = expand_window(NULL, "FREQ=DAILY;COUNT=2", civil(2024, 3, 10, 2, 30, 0), 0,
				      INT64_MIN, INT64_MAX, 10);
	int64_t want[] = { utc(2024, 3, 10, 2, 30, 0), utc(2024, 3, 11, 2, 30, 0) };
	expect_starts(g, want, 2, "floating");
	free(g);
}

Test(series, exdates_remove_instances_but_not_count)
{
	struct cal_tzdb *db = open_db();
	struct cal_rule *r = rule("FREQ=DAILY;COUNT=5");
	int64_t ex[] = { utc(2024, 1, 4, 14, 0, 0), utc(2024, 1, 2, 14, 0, 0) }; /* unsorted */
	struct cal_series s = { .rule = r,
				.start_local = civil(2024, 1, 1, 9, 0, 0),
				.tz = zone(db, NY),
				.exdates = ex,
				.n_exdates = 2 };
	struct got *g = expand_all(&s, 10);
	int64_t want[] = { utc(2024, 1, 1, 14, 0, 0), utc(2024, 1, 3, 14, 0, 0),
			   utc(2024, 1, 5, 14, 0, 0) };
	expect_starts(g, want, 3, "exdates");
	free(g);
	cal_rule_free(r);
	cal_tzdb_free(db);
}

Test(series, next_and_last_end)
{
	struct cal_tzdb *db = open_db();
	struct cal_rule *r = rule("FREQ=DAILY;COUNT=10");
	struct cal_series s = { .rule = r,
				.start_local = parse_dt("19970902T090000"),
				.tz = zone(db, NY),
				.duration = 1800 };
	struct cal_instance inst;
	cr_assert_eq(cal_series_next(&s, utc(1997, 9, 5, 13, 0, 1), &inst), 0);
	cr_expect_eq(inst.start, utc(1997, 9, 6, 13, 0, 0));
	cr_expect_eq(cal_series_next(&s, utc(1997, 9, 12, 0, 0, 0), &inst), CAL_E_NOT_FOUND);
	int64_t end;
	bool forever;
	cr_assert_eq(cal_series_last_end(&s, &end, &forever), 0);
	cr_expect(!forever);
	cr_expect_eq(end, utc(1997, 9, 11, 13, 30, 0));
	cal_rule_free(r);

	r = rule("FREQ=WEEKLY;BYDAY=MO,FR;UNTIL=99991231T235959Z");
	s.rule = r;
	cr_assert_eq(cal_series_last_end(&s, &end, &forever), 0);
	cr_expect_eq(end, utc(9999, 12, 31, 14, 30, 0), "Friday 9999-12-31, found from UNTIL back");
	int64_t ex = utc(9999, 12, 31, 14, 0, 0);
	s.exdates = &ex;
	s.n_exdates = 1;
	cr_assert_eq(cal_series_last_end(&s, &end, &forever), 0);
	cr_expect_eq(end, utc(9999, 12, 27, 14, 30, 0), "the Monday before, once Friday is out");
	cal_rule_free(r);

	r = rule("FREQ=DAILY");
	s.rule = r;
	cr_assert_eq(cal_series_last_end(&s, &end, &forever), 0);
	cr_expect(forever);
	cal_rule_free(r);
	cal_tzdb_free(db);
}

static char *format_of(const struct cal_rule *r)
{
	char *text = cal_rule_format(r);
	cr_assert_not_null(text);
	return text;
}

Test(series, split_this_and_following)
{
	struct cal_tzdb *db = open_db();
	struct cal_rule *r = rule("FREQ=DAILY;COUNT=10");
	struct cal_series s = { .rule = r,
				.start_local = civil(2024, 1, 1, 9, 0, 0),
				.tz = zone(db, NY) };
	struct cal_rule *before, *after;
	cr_assert_eq(cal_series_split(&s, utc(2024, 1, 4, 14, 0, 0), &before, &after), 0);
	char *a = format_of(before), *b = format_of(after);
	cr_expect_str_eq(a, "FREQ=DAILY;COUNT=3");
	cr_expect_str_eq(b, "FREQ=DAILY;COUNT=7");
	free(a);
	free(b);
	cal_rule_free(before);
	cal_rule_free(after);
	cal_rule_free(r);

	r = rule("FREQ=WEEKLY;BYDAY=MO");
	s.rule = r;
	cr_assert_eq(cal_series_split(&s, utc(2024, 1, 15, 14, 0, 0), &before, &after), 0);
	a = format_of(before);
	cr_expect_str_eq(a, "FREQ=WEEKLY;UNTIL=20240115T135959Z;BYDAY=MO");
	free(a);
	cal_rule_free(before);
	cal_rule_free(after);
	/* Splitting at the first instance leaves nothing before it. */
	cr_assert_eq(cal_series_split(&s, utc(2024, 1, 1, 14, 0, 0), &before, &after), 0);
	cr_expect_null(before);
	cr_expect_not_null(after);
	cal_rule_free(after);
	/* All-day series end with a DATE. */
	s.all_day = true;
	cr_assert_eq(cal_series_split(&s, utc(2024, 1, 15, 0, 0, 0), &before, &after), 0);
	a = format_of(before);
	cr_expect_str_eq(a, "FREQ=WEEKLY;UNTIL=20240114;BYDAY=MO");
	free(a);
	cal_rule_free(before);
	cal_rule_free(after);
	cal_rule_free(r);
	cal_tzdb_free(db);
}

/* ---- parsing and validation ------------------------------------------------------- */

Test(parse, canonical_text)
{
	static const char *const cases[][2] = {
		{ "rrule:freq=weekly;byday=fr,mo;interval=1;wkst=mo", "FREQ=WEEKLY;BYDAY=MO,FR" },
		{ "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;", "FREQ=WEEKLY;BYDAY=MO" },
		{ "FREQ=MONTHLY;BYMONTHDAY=-1,15,1,15", "FREQ=MONTHLY;BYMONTHDAY=1,15,-1" },
		{ "FREQ=MONTHLY;BYDAY=-1SU,+1SU,2TU", "FREQ=MONTHLY;BYDAY=2TU,1SU,-1SU" },
		{ "BYMONTH=3;BYDAY=-1SU;FREQ=YEARLY", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" },
		{ "FREQ=DAILY;COUNT=05;INTERVAL=02", "FREQ=DAILY;COUNT=5;INTERVAL=2" },
		{ "FREQ=DAILY;UNTIL=20240310T035959z", "FREQ=DAILY;UNTIL=20240310T035959Z" },
		{ "FREQ=DAILY;UNTIL=20240310", "FREQ=DAILY;UNTIL=20240310" },
		{ "FREQ=WEEKLY;WKST=SU;INTERVAL=2", "FREQ=WEEKLY;INTERVAL=2;WKST=SU" },
		{ "FREQ=HOURLY;BYMINUTE=30,0;BYSECOND=0", "FREQ=HOURLY;BYSECOND=0;BYMINUTE=0,30" },
	};
	for (size_t i = 0; i < CAL_ARRAY_SIZE(cases); i++) {
		struct cal_rule *r = rule(cases[i][0]);
		char *text = format_of(r);
		cr_expect_str_eq(text, cases[i][1], "%s", cases[i][0]);
		/* The canonical text parses back to itself, and libical reads it. */
		struct cal_rule *again = rule(text);
		char *text2 = format_of(again);
		cr_expect_str_eq(text2, text);
		struct icalrecurrencetype rt = icalrecurrencetype_from_string(text);
		cr_expect_neq(rt.freq, ICAL_NO_RECURRENCE, "libical refuses %s", text);
		free(text2);
		cal_rule_free(again);
		free(text);
		cal_rule_free(r);
	}
}

Test(parse, refusals_say_why)
{
	static const char *const cases[][2] = {
		{ "", "the rule is empty" },
		{ "RRULE:", "the rule is empty" },
		{ "BYDAY=MO", "FREQ is required" },
		{ "FREQ=DAILY;INTERVAL=0", "INTERVAL must be a whole number of at least 1" },
		{ "FREQ=DAILY;INTERVAL=65537", "INTERVAL is larger than the server allows" },
		{ "FREQ=MINUTELY",
		  "SECONDLY and MINUTELY rules are not supported for calendar events" },
		{ "FREQ=SECONDLY;COUNT=1",
		  "SECONDLY and MINUTELY rules are not supported for calendar events" },
		{ "FREQ=FORTNIGHTLY", "FREQ must be HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY" },
		{ "FREQ=DAILY;COUNT=5001", "COUNT is larger than the server allows" },
		{ "FREQ=DAILY;COUNT=0", "COUNT must be a whole number of at least 1" },
		{ "FREQ=DAILY;COUNT=5x", "COUNT must be a whole number of at least 1" },
		{ "FREQ=DAILY;COUNT=2;UNTIL=20240101", "COUNT and UNTIL cannot both be given" },
		{ "FREQ=DAILY;FREQ=WEEKLY", "a rule part appears twice" },
		{ "FREQ=DAILY;;COUNT=2", "each rule part must be NAME=VALUE" },
		{ "FREQ=DAILY;;", "each rule part must be NAME=VALUE" },
		{ "FREQ=DAILY;FOO=1", "the rule has a part RFC 5545 does not define" },
		{ "FREQ=DAILY;RSCALE=HEBREW", "RSCALE and SKIP (RFC 7529) are not supported" },
		{ "FREQ=DAILY;UNTIL=2024", "UNTIL must be a date (YYYYMMDD) or a date-time "
					   "(YYYYMMDDTHHMMSS, with Z for UTC)" },
		{ "FREQ=DAILY;UNTIL=20240230", "UNTIL must be a date (YYYYMMDD) or a date-time "
					       "(YYYYMMDDTHHMMSS, with Z for UTC)" },
		{ "FREQ=DAILY;BYHOUR=24", "BYHOUR values must be 0..23" },
		{ "FREQ=DAILY;BYHOUR=", "BYHOUR values must be 0..23" },
		{ "FREQ=DAILY;BYHOUR=1,", "BYHOUR values must be 0..23" },
		{ "FREQ=DAILY;BYSECOND=60",
		  "BYSECOND values must be 0..59 (leap seconds are not supported)" },
		{ "FREQ=MONTHLY;BYDAY=300MO", "BYDAY values must be weekdays (MO..SU), optionally "
					      "numbered 1..53 or -53..-1" },
		{ "FREQ=WEEKLY;BYDAY=MO,,TU", "BYDAY values must be weekdays (MO..SU), optionally "
					      "numbered 1..53 or -53..-1" },
		{ "FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY values must be 1..31 or -31..-1" },
		{ "FREQ=YEARLY;BYYEARDAY=367", "BYYEARDAY values must be 1..366 or -366..-1" },
		{ "FREQ=YEARLY;BYWEEKNO=54", "BYWEEKNO values must be 1..53 or -53..-1" },
		{ "FREQ=YEARLY;BYMONTH=-1", "BYMONTH values must be 1..12" },
		{ "FREQ=MONTHLY;BYSETPOS=0;BYDAY=MO",
		  "BYSETPOS values must be 1..366 or -366..-1" },
		{ "FREQ=WEEKLY;WKST=XX", "WKST must be a weekday (MO..SU)" },
		{ "FREQ=WEEKLY;BYDAY=2MO",
		  "a numbered BYDAY (like 2TU) needs FREQ=MONTHLY or YEARLY" },
		{ "FREQ=YEARLY;BYWEEKNO=1;BYDAY=1MO",
		  "a numbered BYDAY cannot be combined with BYWEEKNO" },
		{ "FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY cannot be used with FREQ=WEEKLY" },
		{ "FREQ=DAILY;BYYEARDAY=1",
		  "BYYEARDAY cannot be used with FREQ=DAILY, WEEKLY or MONTHLY" },
		{ "FREQ=MONTHLY;BYWEEKNO=1", "BYWEEKNO needs FREQ=YEARLY" },
		{ "FREQ=DAILY;BYSETPOS=1", "BYSETPOS needs another BYxxx part" },
		{ "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30,31",
		  "BYMONTHDAY falls in none of the BYMONTH months" },
		{ "FREQ=DAILY;BYMINUTE=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,"
		  "23,24,"
		  "25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,"
		  "51,52,"
		  "53,54,55,56,57,58,59;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,"
		  "20,21,"
		  "22,23;BYSECOND=0,30",
		  "the rule starts more than 1440 times a day" },
	};
	for (size_t i = 0; i < CAL_ARRAY_SIZE(cases); i++) {
		struct cal_rule *r = NULL;
		struct cal_error err = { 0 };
		cr_expect_eq(cal_rule_parse(cases[i][0], NULL, &r, &err), CAL_E_INVALID, "%s",
			     cases[i][0]);
		cr_expect_null(r);
		cr_assert_eq(err.n_fields, 1, "%s", cases[i][0]);
		cr_expect_str_eq(err.fields[0].field, "rrule");
		cr_expect_str_eq(err.fields[0].detail, cases[i][1], "%s", cases[i][0]);
	}
}

Test(parse, text_limit)
{
	struct cal_rule_limits lim = CAL_RULE_LIMITS_DEFAULT;
	lim.text_max = 10;
	struct cal_rule *r = NULL;
	struct cal_error err = { 0 };
	cr_expect_eq(cal_rule_parse("FREQ=DAILY;COUNT=2", &lim, &r, &err), CAL_E_INVALID);
	cr_expect_str_eq(err.fields[0].detail, "the rule is too long");
	lim.count_max = 3;
	lim.text_max = 100;
	err = (struct cal_error){ 0 };
	cr_expect_eq(cal_rule_parse("FREQ=DAILY;COUNT=4", &lim, &r, &err), CAL_E_INVALID);
	cr_expect_eq(cal_rule_parse("FREQ=DAILY;COUNT=3", &lim, &r, &err), 0);
	cal_rule_free(r);
}

static void expect_check_fails(const char *text, struct cal_civil start, const char *detail)
{
	struct cal_rule *r = rule(text);
	struct cal_series s = { .rule = r, .start_local = start };
	struct cal_error err = { 0 };
	cr_expect_eq(cal_series_check(&s, &err), CAL_E_INVALID, "%s", text);
	cr_expect_str_eq(err.n_fields ? err.fields[0].detail : "", detail, "%s", text);
	/* Expansion refuses or finds nothing, but always returns. */
	struct got *g = got_new(10);
	int rc = cal_series_expand(&s, INT64_MIN, INT64_MAX, collect, g);
	cr_expect(rc == 0 || rc == CAL_E_INVALID, "%s: %d", text, rc);
	cr_expect_eq(g->n, 0);
	free(g);
	cal_rule_free(r);
}

Test(check, rules_that_never_produce_an_instance)
{
	expect_check_fails("FREQ=MONTHLY;BYMONTH=4,6", civil(2024, 1, 31, 9, 0, 0),
			   "the rule never produces an instance");
	expect_check_fails("FREQ=DAILY;BYHOUR=9,10;BYSETPOS=3", civil(2024, 1, 1, 9, 0, 0),
			   "the rule never produces an instance");
	expect_check_fails("FREQ=HOURLY;INTERVAL=3;BYHOUR=4", civil(2024, 1, 1, 2, 0, 0),
			   "the rule never produces an instance");
	expect_check_fails("FREQ=MONTHLY;BYDAY=6MO", civil(2024, 1, 1, 9, 0, 0),
			   "the rule never produces an instance");
	expect_check_fails("FREQ=DAILY;UNTIL=20231231T000000Z", civil(2024, 1, 1, 9, 0, 0),
			   "UNTIL comes before the first instance");
	/* Rare but real: February 29 on a Monday, from 2000 (first in 2016). */
	struct cal_rule *r = rule("FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;BYHOUR=9");
	struct cal_series s = { .rule = r, .start_local = civil(2000, 1, 1, 9, 0, 0) };
	struct cal_error err = { 0 };
	cr_expect_eq(cal_series_check(&s, &err), 0);
	struct got *g = expand_all(&s, 3);
	int64_t want[] = { utc(2016, 2, 29, 9, 0, 0), utc(2044, 2, 29, 9, 0, 0),
			   utc(2072, 2, 29, 9, 0, 0) };
	expect_starts(g, want, 3, "feb 29 mondays");
	free(g);
	cal_rule_free(r);
}

Test(check, bad_series)
{
	struct cal_rule *r = rule("FREQ=DAILY");
	struct cal_series s = { .rule = r, .start_local = civil(2024, 2, 30, 9, 0, 0) };
	struct cal_error err = { 0 };
	cr_expect_eq(cal_series_check(&s, &err), CAL_E_INVALID);
	cr_expect_str_eq(err.fields[0].field, "startDatetime");
	s.start_local = civil(2024, 2, 1, 9, 0, 0);
	s.duration = -1;
	err = (struct cal_error){ 0 };
	cr_expect_eq(cal_series_check(&s, &err), CAL_E_INVALID);
	cr_expect_str_eq(err.fields[0].field, "endDatetime");
	struct got *g = got_new(10);
	cr_expect_eq(cal_series_expand(&s, 0, 1, collect, g), CAL_E_INVALID);
	free(g);
	cal_rule_free(r);
}

/* ---- the structured form ------------------------------------------------------------ */

struct config_case {
	struct cal_recurrence_config cfg;
	struct cal_civil start;
	const char *zone;
	bool all_day;
	const char *rrule;
	struct cal_recurrence_config back; /* with the defaults filled in */
};

Test(config, to_rrule_and_back)
{
	const struct config_case cases[] = {
		{ { .rrule_type = CAL_RRULE_DAILY, .interval = 1 },
		  civil(2024, 1, 2, 9, 0, 0),
		  NY,
		  false,
		  "FREQ=DAILY",
		  { .rrule_type = CAL_RRULE_DAILY, .interval = 1 } },
		{ { .rrule_type = CAL_RRULE_WEEKLY, .interval = 1 },
		  civil(2024, 1, 2, 9, 0, 0),
		  NY,
		  false,
		  "FREQ=WEEKLY;BYDAY=TU",
		  { .rrule_type = CAL_RRULE_WEEKLY, .interval = 1, .weekdays = CAL_WEEKDAY_TU } },
		{ { .rrule_type = CAL_RRULE_WEEKLY,
		    .interval = 2,
		    .end_type = CAL_END_COUNT,
		    .count = 10,
		    .weekdays = CAL_WEEKDAY_MO | CAL_WEEKDAY_WE | CAL_WEEKDAY_FR },
		  civil(2024, 1, 1, 9, 0, 0),
		  NY,
		  false,
		  "FREQ=WEEKLY;COUNT=10;INTERVAL=2;BYDAY=MO,WE,FR",
		  { .rrule_type = CAL_RRULE_WEEKLY,
		    .interval = 2,
		    .end_type = CAL_END_COUNT,
		    .count = 10,
		    .weekdays = CAL_WEEKDAY_MO | CAL_WEEKDAY_WE | CAL_WEEKDAY_FR } },
		{ { .rrule_type = CAL_RRULE_MONTHLY, .interval = 1 },
		  civil(2024, 1, 15, 9, 0, 0),
		  NY,
		  false,
		  "FREQ=MONTHLY;BYMONTHDAY=15",
		  { .rrule_type = CAL_RRULE_MONTHLY, .interval = 1, .day_of_month = 15 } },
		{ { .rrule_type = CAL_RRULE_MONTHLY,
		    .interval = 1,
		    .month_by = CAL_MONTH_BY_DAY,
		    .weekdays = CAL_WEEKDAY_TU,
		    .week_of_month = 2 },
		  civil(2024, 1, 9, 9, 0, 0),
		  NY,
		  false,
		  "FREQ=MONTHLY;BYDAY=2TU",
		  { .rrule_type = CAL_RRULE_MONTHLY,
		    .interval = 1,
		    .month_by = CAL_MONTH_BY_DAY,
		    .weekdays = CAL_WEEKDAY_TU,
		    .week_of_month = 2 } },
		{ { .rrule_type = CAL_RRULE_MONTHLY, .interval = 3, .month_by = CAL_MONTH_BY_DAY },
		  civil(2024, 1, 30, 9, 0, 0),
		  NY,
		  false,
		  "FREQ=MONTHLY;INTERVAL=3;BYDAY=-1TU",
		  { .rrule_type = CAL_RRULE_MONTHLY,
		    .interval = 3,
		    .month_by = CAL_MONTH_BY_DAY,
		    .weekdays = CAL_WEEKDAY_TU,
		    .week_of_month = 5 } },
		{ { .rrule_type = CAL_RRULE_YEARLY, .interval = 1 },
		  civil(2024, 3, 15, 9, 0, 0),
		  NY,
		  false,
		  "FREQ=YEARLY",
		  { .rrule_type = CAL_RRULE_YEARLY, .interval = 1 } },
		/* until: the end of the local day, as an instant (EDT from Mar 10). */
		{ { .rrule_type = CAL_RRULE_DAILY,
		    .interval = 1,
		    .end_type = CAL_END_UNTIL,
		    .until_date = 19792 /* 2024-03-10 */ },
		  civil(2024, 3, 1, 9, 0, 0),
		  NY,
		  false,
		  "FREQ=DAILY;UNTIL=20240311T035959Z",
		  { .rrule_type = CAL_RRULE_DAILY,
		    .interval = 1,
		    .end_type = CAL_END_UNTIL,
		    .until_date = 19792 } },
		{ { .rrule_type = CAL_RRULE_DAILY,
		    .interval = 1,
		    .end_type = CAL_END_UNTIL,
		    .until_date = 19792 },
		  civil(2024, 3, 1, 0, 0, 0),
		  NY,
		  true,
		  "FREQ=DAILY;UNTIL=20240310",
		  { .rrule_type = CAL_RRULE_DAILY,
		    .interval = 1,
		    .end_type = CAL_END_UNTIL,
		    .until_date = 19792 } },
		{ { .rrule_type = CAL_RRULE_DAILY,
		    .interval = 1,
		    .end_type = CAL_END_UNTIL,
		    .until_date = 19792 },
		  civil(2024, 3, 1, 9, 0, 0),
		  NULL,
		  false,
		  "FREQ=DAILY;UNTIL=20240310T235959",
		  { .rrule_type = CAL_RRULE_DAILY,
		    .interval = 1,
		    .end_type = CAL_END_UNTIL,
		    .until_date = 19792 } },
	};
	struct cal_tzdb *db = open_db();
	for (size_t i = 0; i < CAL_ARRAY_SIZE(cases); i++) {
		const struct config_case *c = &cases[i];
		const struct cal_tz *tz = zone(db, c->zone);
		struct cal_rule *r = NULL;
		struct cal_error err = { 0 };
		cr_assert_eq(
		    cal_rule_from_config(&c->cfg, &c->start, tz, c->all_day, NULL, &r, &err), 0,
		    "case %zu: %s", i, err.n_fields ? err.fields[0].detail : "");
		char *text = format_of(r);
		cr_expect_str_eq(text, c->rrule, "case %zu", i);
		struct cal_rule *parsed = rule(text);
		struct cal_recurrence_config back;
		cr_assert_eq(cal_rule_to_config(parsed, &c->start, tz, c->all_day, &back), 0,
			     "case %zu", i);
		cr_expect(memcmp(&back, &c->back, sizeof(back)) == 0, "case %zu: %s round trip", i,
			  text);
		free(text);
		cal_rule_free(parsed);
		cal_rule_free(r);
	}
	cal_tzdb_free(db);
}

Test(config, from_rrules_clients_send)
{
	struct cal_recurrence_config c;
	struct cal_civil start = civil(2024, 3, 15, 9, 0, 0);
	struct cal_rule *r = rule("FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1");
	cr_assert_eq(cal_rule_to_config(r, &start, NULL, false, &c), 0);
	cr_expect_eq(c.month_by, CAL_MONTH_BY_DAY);
	cr_expect_eq(c.weekdays, CAL_WEEKDAY_FR);
	cr_expect_eq(c.week_of_month, 5);
	cal_rule_free(r);
	r = rule("FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=15");
	cr_expect_eq(cal_rule_to_config(r, &start, NULL, false, &c), 0);
	cr_expect_eq(c.rrule_type, CAL_RRULE_YEARLY);
	cal_rule_free(r);
	/* An UNTIL earlier in its day than the series' 09:00 ends the day before. */
	struct cal_tzdb *db = open_db();
	r = rule("FREQ=DAILY;UNTIL=20240310T120000Z"); /* 08:00 EDT */
	cr_assert_eq(cal_rule_to_config(r, &start, zone(db, NY), false, &c), 0);
	cr_expect_eq(c.until_date, 19791, "2024-03-09");
	cal_rule_free(r);
	cal_tzdb_free(db);
}

Test(config, what_the_structured_form_cannot_say)
{
	static const char *const cases[] = {
		"FREQ=HOURLY",
		"FREQ=DAILY;BYHOUR=9,17",
		"FREQ=DAILY;BYDAY=MO",
		"FREQ=MONTHLY;BYMONTHDAY=-1",
		"FREQ=MONTHLY;BYMONTHDAY=1,15",
		"FREQ=MONTHLY;BYDAY=5MO",
		"FREQ=MONTHLY;BYDAY=1MO,2TU",
		"FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=1",
		"FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,SU;WKST=SU",
		"FREQ=YEARLY;BYMONTH=4",
		"FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO",
	};
	struct cal_civil start = civil(2024, 3, 15, 9, 0, 0);
	for (size_t i = 0; i < CAL_ARRAY_SIZE(cases); i++) {
		struct cal_rule *r = rule(cases[i]);
		struct cal_recurrence_config c;
		cr_expect_eq(cal_rule_to_config(r, &start, NULL, false, &c), CAL_E_INVALID, "%s",
			     cases[i]);
		cal_rule_free(r);
	}
	/* WKST does not matter every week, so this one is fine. */
	struct cal_rule *r = rule("FREQ=WEEKLY;BYDAY=MO,SU;WKST=SU");
	struct cal_recurrence_config c;
	cr_expect_eq(cal_rule_to_config(r, &start, NULL, false, &c), 0);
	cal_rule_free(r);
}

Test(config, refusals_name_the_field)
{
	static const struct {
		struct cal_recurrence_config cfg;
		const char *field;
	} cases[] = {
		{ { .rrule_type = CAL_RRULE_DAILY, .interval = 0 }, "recurrenceConfig.interval" },
		{ { .rrule_type = 9, .interval = 1 }, "recurrenceConfig.rruleType" },
		{ { .rrule_type = CAL_RRULE_DAILY, .interval = 1, .end_type = CAL_END_COUNT },
		  "recurrenceConfig.count" },
		{ { .rrule_type = CAL_RRULE_DAILY,
		    .interval = 1,
		    .end_type = CAL_END_COUNT,
		    .count = 6000 },
		  "recurrenceConfig.count" },
		{ { .rrule_type = CAL_RRULE_WEEKLY, .interval = 1, .weekdays = 200 },
		  "recurrenceConfig.weekdays" },
		{ { .rrule_type = CAL_RRULE_MONTHLY, .interval = 1, .day_of_month = 32 },
		  "recurrenceConfig.dayOfMonth" },
		{ { .rrule_type = CAL_RRULE_MONTHLY,
		    .interval = 1,
		    .month_by = CAL_MONTH_BY_DAY,
		    .week_of_month = 6 },
		  "recurrenceConfig.weekOfMonth" },
		{ { .rrule_type = CAL_RRULE_DAILY,
		    .interval = 1,
		    .end_type = CAL_END_UNTIL,
		    .until_date = 19000 },
		  "recurrenceConfig.until" },
	};
	struct cal_civil start = civil(2024, 3, 15, 9, 0, 0);
	for (size_t i = 0; i < CAL_ARRAY_SIZE(cases); i++) {
		struct cal_rule *r = NULL;
		struct cal_error err = { 0 };
		cr_expect_eq(
		    cal_rule_from_config(&cases[i].cfg, &start, NULL, false, NULL, &r, &err),
		    CAL_E_INVALID, "case %zu", i);
		cr_expect_null(r);
		cr_assert_eq(err.n_fields, 1, "case %zu", i);
		cr_expect_str_eq(err.fields[0].field, cases[i].field, "case %zu", i);
	}
	cr_expect_str_eq(cal_rrule_type_name(CAL_RRULE_MONTHLY), "monthly");
	cr_expect_eq(cal_rrule_type_parse("yearly"), CAL_RRULE_YEARLY);
	cr_expect_eq(cal_end_type_parse("until"), CAL_END_UNTIL);
	cr_expect_eq(cal_month_by_parse("day"), CAL_MONTH_BY_DAY);
	cr_expect_eq(cal_month_by_parse("week"), -1);
}

/* ---- randomized comparisons ------------------------------------------------------- */

struct rng {
	uint64_t s;
};

static unsigned rnd(struct rng *g, unsigned n)
{
	g->s ^= g->s << 13;
	g->s ^= g->s >> 7;
	g->s ^= g->s << 17;
	return (unsigned)(g->s % n);
}

static const char *const weekday_codes[] = { "SU", "MO", "TU", "WE", "TH", "FR", "SA" };

/* A random rule of the shapes where libical 3.0.16 is right. It is not
 * for: negative BYMONTHDAY as a DAILY/HOURLY filter (never matches), a
 * WEEKLY INTERVAL>1 whose BYDAY has a day before DTSTART's in the week
 * (wrong phase), a repeated BYDAY day (duplicates), HOURLY with BYHOUR
 * (treated as an expansion), BYSETPOS in WEEKLY or DAILY or together with
 * times (ignored, or the times ignored), BYSETPOS when two BYMONTHDAY values
 * name one day (counted twice); and it stops in 2582. The engine agrees with python-dateutil on
 * all of these (bench/EXPANSION.md). */
static void random_rule(struct rng *g, char *buf, size_t size)
{
	static const char *const freqs[] = { "DAILY", "WEEKLY", "MONTHLY", "YEARLY" };
	int f = (int)rnd(g, 4);
	bool by_period = f >= 2;
	size_t n = (size_t)snprintf(buf, size, "FREQ=%s", freqs[f]);
	if (rnd(g, 2) && f != 1)
		n += (size_t)snprintf(buf + n, size - n, ";INTERVAL=%u", 1 + rnd(g, 3));
	if (rnd(g, 2))
		n += (size_t)snprintf(buf + n, size - n, ";COUNT=%u", 1 + rnd(g, 40));
	if (rnd(g, 3) == 0)
		n += (size_t)snprintf(buf + n, size - n, ";BYMONTH=%u,%u", 1 + rnd(g, 6),
				      7 + rnd(g, 6));
	if (f == 0 && rnd(g, 3) == 0)
		n += (size_t)snprintf(buf + n, size - n, ";BYMONTHDAY=%u", 1 + rnd(g, 31));
	if (by_period && rnd(g, 2)) {
		int d = (int)(1 + rnd(g, 31));
		n += (size_t)snprintf(buf + n, size - n, ";BYMONTHDAY=%d,%u", rnd(g, 2) ? d : -d,
				      1 + rnd(g, 28));
	}
	if (rnd(g, 2)) {
		int first = (int)rnd(g, 4), count = 1 + (int)rnd(g, 3);
		n += (size_t)snprintf(buf + n, size - n, ";BYDAY=");
		for (int i = 0; i < count; i++) {
			int ord = by_period && rnd(g, 2) ? (int)(1 + rnd(g, f == 2 ? 5 : 20)) : 0;
			if (ord && rnd(g, 2))
				ord = -ord;
			const char *wd = weekday_codes[(first + 2 * i) % 7];
			if (ord)
				n += (size_t)snprintf(buf + n, size - n, "%s%d%s", i ? "," : "",
						      ord, wd);
			else
				n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? "," : "", wd);
		}
	}
	if (rnd(g, 4) == 0)
		n += (size_t)snprintf(buf + n, size - n, ";BYHOUR=%u,%u", rnd(g, 12),
				      12 + rnd(g, 12));
	else if (by_period && strstr(buf, "BY") && !strstr(buf, "BYMONTHDAY") && rnd(g, 3) == 0)
		n += (size_t)snprintf(buf + n, size - n, ";BYSETPOS=%d", rnd(g, 2) ? 1 : -1);
	if (rnd(g, 3) == 0)
		snprintf(buf + n, size - n, ";WKST=%s", weekday_codes[rnd(g, 7)]);
}

/* NULL for the few random rules that are refused (BYMONTHDAY=31 in
 * BYMONTH=2,9, ...). */
static struct cal_rule *try_rule(const char *text)
{
	struct cal_rule *r = NULL;
	struct cal_error err = { 0 };
	return cal_rule_parse(text, NULL, &r, &err) == 0 ? r : NULL;
}

/* 2582-03-01: libical's iterator stops in 2582. */
#define LIBICAL_END INT64_C(19319385600)

Test(differential, engine_matches_libical_floating_iteration, .timeout = 120)
{
	struct rng g = { 0x9e3779b97f4a7c15u };
	for (int t = 0; t < 2000; t++) {
		char text[256];
		random_rule(&g, text, sizeof(text));
		struct cal_civil start =
		    civil(1990 + (int)rnd(&g, 40), 1 + (int)rnd(&g, 12), 1 + (int)rnd(&g, 28),
			  (int)rnd(&g, 24), (int)rnd(&g, 60), 0);
		struct cal_rule *r = try_rule(text);
		if (!r)
			continue;
		struct cal_series s = { .rule = r, .start_local = start };
		struct got *mine = got_new(50);
		int rc = cal_series_expand_starts(&s, INT64_MIN, LIBICAL_END, collect, mine);
		cr_assert(rc >= 0, "%s: %d", text, rc);
		if (mine->n == 0) {
			/* libical would scan to the year 20000 to agree; the
			 * check tests cover rules without instances. */
			free(mine);
			cal_rule_free(r);
			continue;
		}

		char dt[16];
		snprintf(dt, sizeof(dt), "%04d%02d%02dT%02d%02d00", start.year, start.month,
			 start.day, start.hour, start.minute);
		struct icalrecurrencetype rt = icalrecurrencetype_from_string(text);
		icalrecur_iterator *it = icalrecur_iterator_new(rt, icaltime_from_string(dt));
		int64_t ref[50];
		size_t nref = 0;
		struct icaltimetype x;
		while (it && nref < 50 && !icaltime_is_null_time(x = icalrecur_iterator_next(it))) {
			int64_t v =
			    wall_of(civil(x.year, x.month, x.day, x.hour, x.minute, x.second));
			if (v >= LIBICAL_END)
				break;
			ref[nref++] = v;
		}
		if (it)
			icalrecur_iterator_free(it);

		cr_expect_eq(mine->n, nref, "%s from %s: %zu instances, libical %zu", text, dt,
			     mine->n, nref);
		for (size_t i = 0; i < mine->n && i < nref; i++)
			cr_assert_eq(mine->start[i], ref[i], "%s from %s: #%zu differs", text, dt,
				     i);
		free(mine);
		cal_rule_free(r);
	}
}

/* A window expanded from near its start is exactly the full series' part
 * that overlaps it, in every zone and for instances of any length. */
Test(differential, window_equals_filtered_full_series, .timeout = 120)
{
	static const char *const zones[] = { NY,
					     "Europe/Madrid",
					     "Australia/Sydney",
					     "Australia/Lord_Howe",
					     "America/Mexico_City",
					     NULL };
	struct cal_tzdb *db = open_db();
	struct rng g = { 0x2545f4914f6cdd1du };
	for (int t = 0; t < 600; t++) {
		char text[256];
		random_rule(&g, text, sizeof(text));
		struct cal_rule *r = try_rule(text);
		if (!r)
			continue;
		struct cal_series s = {
			.rule = r,
			.start_local = civil(2000 + (int)rnd(&g, 20), 1 + (int)rnd(&g, 12),
					     1 + (int)rnd(&g, 28), (int)rnd(&g, 24), 30, 0),
			.tz = zone(db, zones[rnd(&g, CAL_ARRAY_SIZE(zones))]),
			.duration = (int64_t)rnd(&g, 4) * 86400 + (int64_t)rnd(&g, 3) * 3600,
		};
		int64_t base = utc(2000, 1, 1, 0, 0, 0);
		int64_t from = base + (int64_t)rnd(&g, 25 * 365) * 86400 + (int64_t)rnd(&g, 86400);
		int64_t to = from + (int64_t)(1 + rnd(&g, 400)) * 86400;
		struct got *window = got_new(1200);
		cr_assert(cal_series_expand(&s, from, to, collect, window) >= 0, "%s", text);
		struct got *all = got_new(1200);
		cr_assert(cal_series_expand_starts(&s, INT64_MIN, to, collect, all) >= 0, "%s",
			  text);
		if (all->n == all->cap) {
			free(window);
			free(all);
			cal_rule_free(r);
			continue; /* too many to compare in full */
		}
		size_t k = 0;
		for (size_t i = 0; i < all->n; i++) {
			bool in =
			    all->start[i] < to && (all->end[i] > from || all->start[i] >= from);
			if (!in)
				continue;
			cr_assert_lt(k, window->n, "%s: window lacks instance %zu", text, i);
			cr_assert_eq(window->start[k], all->start[i], "%s: #%zu differs", text, k);
			k++;
		}
		cr_expect_eq(k, window->n, "%s: window has extra instances", text);
		free(window);
		free(all);
		cal_rule_free(r);
	}
	cal_tzdb_free(db);
}
