/* model/appointment: names, HH:MM, the weekly availability and its column
 * form, the type's field checks, the booking window, busy intervals, slot
 * generation (DST days, buffers, windows, steps, the daily cap, several
 * assignees) and the `auto` pick.
 *
 * Expected instants are written out in UTC (with the local time beside
 * them) from the zones' rules: New York changes on 2026-03-08 and
 * 2026-11-01, Madrid on 2026-03-29 and 2026-10-25, all Sundays. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/macro.h"
#include "model/appointment.h"
#include "model/recurrence.h"
#include "model/time.h"

enum { MON, TUE, WED, THU, FRI, SAT, SUN };

#define NY "America/New_York"
#define MAD "Europe/Madrid"

static struct cal_tzdb *db;
static struct arena *arena;

static void setup(void)
{
	cr_assert_eq(cal_tzdb_new(NULL, &db), 0);
	arena = arena_new();
	cr_assert_not_null(arena);
}

static void teardown(void)
{
	arena_free(arena);
	cal_tzdb_free(db);
}

TestSuite(slots, .init = setup, .fini = teardown);
TestSuite(window, .init = setup, .fini = teardown);
TestSuite(availability, .init = setup, .fini = teardown);

static const struct cal_tz *zone(const char *name)
{
	const struct cal_tz *tz;
	cr_assert_eq(cal_tzdb_get(db, name, &tz), 0, "zone %s", name);
	return tz;
}

static int64_t instant(const char *text)
{
	int64_t t;
	cr_assert_eq(cal_instant_parse(text, &t), 0, "%s", text);
	return t;
}

static int minutes(const char *hhmm)
{
	int m;
	cr_assert_eq(cal_hhmm_parse(hhmm, &m), 0, "%s", hhmm);
	return m;
}

static void add(struct cal_availability *av, int day, const char *from, const char *to)
{
	struct cal_error err = { 0 };
	cr_assert_eq(cal_availability_add(av, day, minutes(from), minutes(to), "test", &err), 0,
		     "%s %s-%s", cal_week_day_name(day), from, to);
}

static void every_day(struct cal_availability *av, const char *from, const char *to)
{
	for (int d = MON; d <= SUN; d++)
		add(av, d, from, to);
}

static bool av_equal(const struct cal_availability *a, const struct cal_availability *b)
{
	for (int d = 0; d < CAL_WEEK_DAYS; d++) {
		if (a->n[d] != b->n[d])
			return false;
		for (int i = 0; i < a->n[d]; i++)
			if (a->ranges[d][i].from != b->ranges[d][i].from ||
			    a->ranges[d][i].to != b->ranges[d][i].to)
				return false;
	}
	return true;
}

static bool names_field(const struct cal_error *err, const char *field)
{
	for (unsigned i = 0; i < err->n_fields; i++)
		if (strcmp(err->fields[i].field, field) == 0)
			return true;
	return false;
}

static const struct cal_slot_assignee nobody_busy;

/* A query with one assignee and no busy time; tests adjust the rest. */
static struct cal_slot_query query(const char *zone_name, const struct cal_availability *av,
				   int duration, const char *from, const char *to)
{
	return (struct cal_slot_query){
		.tz = zone(zone_name), .availability = av, .duration_minutes = duration,
		.step_minutes = duration, .from = instant(from), .to = instant(to),
		.assignees = &nobody_busy, .n_assignees = 1,
		.only_free = true,
	};
}

static size_t generate(const struct cal_slot_query *q, struct cal_slot **ret)
{
	size_t n = 0;
	int rc = cal_slots_generate(arena, q, ret, &n);
	cr_assert_eq(rc, 0, "cal_slots_generate: %d", rc);
	return n;
}

/* The slots' starts are exactly `want` (RFC 3339 text), each slot lasts
 * `duration` minutes, and starts strictly increase. */
static void expect_starts(const struct cal_slot *s, size_t n, int duration, const char *const *want,
			  size_t n_want)
{
	char got[CAL_INSTANT_TEXT];
	for (size_t i = 0; i < n && i < n_want; i++) {
		cal_instant_format(s[i].start, got);
		cr_expect_eq(s[i].start, instant(want[i]), "slot %zu: got %s, expected %s", i, got,
			     want[i]);
		cr_expect_eq(s[i].end - s[i].start, (int64_t)duration * 60, "slot %zu (%s) length",
			     i, got);
		if (i > 0)
			cr_expect_gt(s[i].start, s[i - 1].start, "slot %zu (%s) out of order", i,
				     got);
	}
	cr_assert_eq(n, n_want, "%zu slots, expected %zu", n, n_want);
}

static const struct cal_slot *slot_at(const struct cal_slot *s, size_t n, const char *start)
{
	int64_t t = instant(start);
	for (size_t i = 0; i < n; i++)
		if (s[i].start == t)
			return &s[i];
	cr_assert_fail("no slot at %s", start);
	return NULL;
}

/* ---- names and HH:MM ------------------------------------------------------ */

Test(names, week_days_and_assignment_modes)
{
	for (int d = MON; d <= SUN; d++)
		cr_assert_eq(cal_week_day_parse(cal_week_day_name(d)), d);
	cr_assert_str_eq(cal_week_day_name(MON), "monday");
	cr_assert_str_eq(cal_week_day_name(SUN), "sunday");
	cr_assert_str_eq(cal_week_day_name(7), "?");
	cr_assert_str_eq(cal_week_day_name(-1), "?");
	cr_assert_eq(cal_week_day_parse("Monday"), -1);
	cr_assert_eq(cal_week_day_parse("mon"), -1);
	cr_assert_eq(cal_week_day_parse(""), -1);
	cr_assert_eq(cal_week_day_parse(NULL), -1);
	cr_assert_str_eq(cal_assignment_name(CAL_ASSIGN_AUTO), "auto");
	cr_assert_str_eq(cal_assignment_name(CAL_ASSIGN_CHOICE), "choice");
	cr_assert_eq(cal_assignment_parse("auto"), CAL_ASSIGN_AUTO);
	cr_assert_eq(cal_assignment_parse("choice"), CAL_ASSIGN_CHOICE);
	cr_assert_eq(cal_assignment_parse("Auto"), -1);
	cr_assert_eq(cal_assignment_parse(NULL), -1);
}

Test(hhmm, parses_00_00_to_24_00)
{
	cr_assert_eq(minutes("00:00"), 0);
	cr_assert_eq(minutes("09:30"), 570);
	cr_assert_eq(minutes("23:59"), 1439);
	cr_assert_eq(minutes("24:00"), CAL_DAY_MINUTES);
	static const char *const bad[] = { "9:00",  "12:60", "24:01", "25:00",  "",      "09:00 ",
					   " 09:00", "09-00", "0900",  "09:0a", "-1:00", "09:000",
					   "24:30", "99:99" };
	for (size_t i = 0; i < CAL_ARRAY_SIZE(bad); i++) {
		int m = -7;
		cr_expect_eq(cal_hhmm_parse(bad[i], &m), CAL_E_INVALID, "\"%s\"", bad[i]);
		cr_expect_eq(m, -7, "\"%s\" set the output", bad[i]);
	}
	int m;
	cr_assert_eq(cal_hhmm_parse(NULL, &m), CAL_E_INVALID);
}

Test(hhmm, formats_and_round_trips)
{
	char text[6];
	for (int m = 0; m <= CAL_DAY_MINUTES; m++) {
		cal_hhmm_format(m, text);
		cr_assert_eq(strlen(text), 5);
		cr_assert_eq(minutes(text), m, "%s", text);
	}
	cal_hhmm_format(570, text);
	cr_assert_str_eq(text, "09:30");
	cal_hhmm_format(CAL_DAY_MINUTES, text);
	cr_assert_str_eq(text, "24:00");
}

/* ---- the weekly availability --------------------------------------------- */

Test(availability, add_keeps_days_sorted_and_allows_touching)
{
	struct cal_availability av = { 0 };
	cr_assert(cal_availability_empty(&av));
	add(&av, MON, "14:00", "18:00");
	add(&av, MON, "09:00", "12:00");
	add(&av, MON, "12:00", "14:00"); /* touches both */
	add(&av, MON, "18:00", "24:00");
	add(&av, FRI, "00:00", "24:00");
	cr_assert_not(cal_availability_empty(&av));
	cr_assert_eq(av.n[MON], 4);
	int want[][2] = { { 540, 720 }, { 720, 840 }, { 840, 1080 }, { 1080, 1440 } };
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(av.ranges[MON][i].from, want[i][0]);
		cr_assert_eq(av.ranges[MON][i].to, want[i][1]);
	}
	cr_assert_eq(av.n[FRI], 1);
	cr_assert_eq(av.n[TUE], 0);
}

/* Each refusal names the field it was given and leaves the day as it was. */
static void expect_add_refused(struct cal_availability *av, int day, int from, int to,
			       const char *why)
{
	struct cal_availability before = *av;
	struct cal_error err = { 0 };
	cr_assert_eq(cal_availability_add(av, day, from, to, "availability.monday[1]", &err),
		     CAL_E_INVALID, "%s", why);
	cr_assert_eq(err.n_fields, 1, "%s", why);
	cr_assert_str_eq(err.fields[0].field, "availability.monday[1]", "%s", why);
	cr_assert_eq(memcmp(&before, av, sizeof before), 0, "%s changed the availability", why);
}

Test(availability, add_refuses_bad_ranges)
{
	struct cal_availability av = { 0 };
	add(&av, MON, "09:00", "12:00");
	add(&av, MON, "14:00", "18:00");
	expect_add_refused(&av, MON, 660, 780, "overlapping the end of one");
	expect_add_refused(&av, MON, 480, 570, "overlapping the start of one");
	expect_add_refused(&av, MON, 600, 660, "inside one");
	expect_add_refused(&av, MON, 480, 1200, "around two");
	expect_add_refused(&av, MON, 540, 720, "equal to one");
	expect_add_refused(&av, MON, 700, 900, "across the gap between two");
	expect_add_refused(&av, TUE, 600, 600, "from == to");
	expect_add_refused(&av, TUE, 720, 540, "from > to");
	expect_add_refused(&av, TUE, CAL_DAY_MINUTES, CAL_DAY_MINUTES, "24:00 as a start");
	expect_add_refused(&av, TUE, -30, 60, "negative start");
	expect_add_refused(&av, TUE, 1380, 1441, "past 24:00");
	expect_add_refused(&av, -1, 540, 600, "day -1");
	expect_add_refused(&av, 7, 540, 600, "day 7");
	/* A day holds CAL_AVAIL_RANGES_MAX ranges. */
	for (int i = 0; i < CAL_AVAIL_RANGES_MAX; i++) {
		struct cal_error err = { 0 };
		cr_assert_eq(cal_availability_add(&av, WED, i * 60, i * 60 + 30, "w", &err), 0);
	}
	expect_add_refused(&av, WED, 1400, 1440, "a 13th range");
}

Test(availability, format_is_the_column_form)
{
	struct cal_availability av = { 0 };
	cr_assert_str_eq(cal_availability_format(arena, &av), "{}");
	add(&av, FRI, "09:00", "12:00");
	add(&av, MON, "14:00", "18:00");
	add(&av, MON, "09:00", "12:00");
	add(&av, SUN, "23:00", "24:00");
	cr_assert_str_eq(cal_availability_format(arena, &av),
			 "{\"monday\":[{\"from\":\"09:00\",\"to\":\"12:00\"},"
			 "{\"from\":\"14:00\",\"to\":\"18:00\"}],"
			 "\"friday\":[{\"from\":\"09:00\",\"to\":\"12:00\"}],"
			 "\"sunday\":[{\"from\":\"23:00\",\"to\":\"24:00\"}]}");
}

Test(availability, parse_reads_what_jsonb_prints)
{
	/* jsonb orders keys by length, then bytes, and adds spaces. */
	const char *text =
		"{\"friday\": [{\"to\": \"12:00\", \"from\": \"09:00\"}], "
		"\"monday\": [{\"to\": \"18:00\", \"from\": \"14:00\"}, "
		"{\"to\": \"12:00\", \"from\": \"09:00\"}], "
		"\"tuesday\": [], \"wednesday\": [{\"to\": \"24:00\", \"from\": \"00:00\"}]}";
	struct cal_availability want = { 0 }, got;
	add(&want, MON, "09:00", "12:00");
	add(&want, MON, "14:00", "18:00");
	add(&want, WED, "00:00", "24:00");
	add(&want, FRI, "09:00", "12:00");
	cr_assert_eq(cal_availability_parse(text, &got), 0);
	cr_assert(av_equal(&got, &want));
	const char *spaced =
		" \n\t{ \"monday\" :\r\n [ { \"from\" : \"09:00\" , \"to\" : \"12:00\" } ] } \n";
	cr_assert_eq(cal_availability_parse(spaced, &got), 0);
	cr_assert_eq(got.n[MON], 1);
	cr_assert_eq(got.ranges[MON][0].to, 720);
	cr_assert_eq(cal_availability_parse("{}", &got), 0);
	cr_assert(cal_availability_empty(&got));
	cr_assert_eq(cal_availability_parse("{\"sunday\":[]}", &got), 0);
	cr_assert(cal_availability_empty(&got));
}

Test(availability, round_trips_a_full_week)
{
	struct cal_availability av = { 0 }, back;
	/* Every day full: 12 ranges, the last ending at 24:00. */
	for (int d = MON; d <= SUN; d++)
		for (int i = 0; i < CAL_AVAIL_RANGES_MAX; i++) {
			struct cal_error err = { 0 };
			int to = i == CAL_AVAIL_RANGES_MAX - 1 ? CAL_DAY_MINUTES : i * 120 + 60 + d;
			cr_assert_eq(cal_availability_add(&av, d, i * 120, to, "x", &err), 0);
		}
	char *text = cal_availability_format(arena, &av);
	cr_assert_not_null(text);
	cr_assert_eq(cal_availability_parse(text, &back), 0, "%s", text);
	cr_assert(av_equal(&av, &back));
	cr_assert_str_eq(cal_availability_format(arena, &back), text);
}

static void expect_parse_refused(const char *text)
{
	struct cal_availability av = { 0 }, sentinel;
	add(&av, TUE, "10:00", "11:00");
	sentinel = av;
	cr_expect_eq(cal_availability_parse(text, &av), CAL_E_INVALID, "accepted: %s", text);
	cr_expect_eq(memcmp(&av, &sentinel, sizeof av), 0, "changed the output: %s", text);
}

Test(availability, parse_refuses_anything_else)
{
	static const char *const bad[] = {
		"", "   ", "null", "[]", "{", "}", "{}x", "{} {}", "{,}",
		"{\"Monday\":[]}", "{\"funday\":[]}", "{\"mon\":[]}", "{\"\":[]}",
		"{\"monday\":[],}", "{\"monday\":[] \"friday\":[]}",
		"{\"monday\":[],\"monday\":[]}", "{\"monday\":{}}", "{\"monday\":null}",
		"{\"monday\":\"09:00-12:00\"}", "{\"monday\":[[]]}", "{\"monday\":[{}]}",
		"{\"monday\":[{\"from\":\"09:00\"}]}", "{\"monday\":[{\"to\":\"12:00\"}]}",
		"{\"monday\":[{\"from\":\"09:00\",\"to\":\"12:00\",\"x\":\"1\"}]}",
		"{\"monday\":[{\"from\":\"09:00\",\"to\":\"12:00\",}]}",
		"{\"monday\":[{\"from\":\"09:00\",\"from\":\"10:00\",\"to\":\"12:00\"}]}",
		"{\"monday\":[{\"from\":900,\"to\":\"12:00\"}]}",
		"{\"monday\":[{\"from\":\"09:00\",\"to\":null}]}",
		"{\"monday\":[{\"from\":\"09:00\",\"to\":true}]}",
		"{\"monday\":[{\"from\":\"9:00\",\"to\":\"12:00\"}]}",
		"{\"monday\":[{\"from\":\"09:00\",\"to\":\"12:60\"}]}",
		"{\"monday\":[{\"from\":\"24:00\",\"to\":\"24:00\"}]}",
		"{\"monday\":[{\"from\":\"12:00\",\"to\":\"09:00\"}]}",
		"{\"monday\":[{\"from\":\"09:00\",\"to\":\"09:00\"}]}",
		"{\"monday\":[{\"from\":\"09:00\",\"to\":\"12:00\"},"
		"{\"from\":\"11:00\",\"to\":\"13:00\"}]}",
		"{\"monday\":[{\"from\":\"09:00\",\"to\":\"12:00\"}],}",
		"{\"monday\":[{\"from\":\"09:00\",\"to\":\"12:00\"}]]}",
		"{\"mon\\u0064ay\":[]}",
		"{\"monday\":[{\"fr\\u006fm\":\"09:00\",\"to\":\"12:00\"}]}",
		"{\"monday\":[{\"from\":\"09:00\\u0000\",\"to\":\"12:00\"}]}",
		"{\"monday\":[{\"from\":\"09:00\",\"to\":\"12:00\"}]}\x01",
		"{'monday':[]}", "{\"monday\"[]}",
		"{\"monday\":[{\"from\":\"09:00\" \"to\":\"12:00\"}]}",
		"{\"monday\":[{\"from\":\"09:00\",\"to\":\"12:00\"} "
		"{\"from\":\"13:00\",\"to\":\"14:00\"}]}",
		"{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":[]}",
	};
	for (size_t i = 0; i < CAL_ARRAY_SIZE(bad); i++)
		expect_parse_refused(bad[i]);
	struct cal_availability av;
	cr_assert_eq(cal_availability_parse(NULL, &av), CAL_E_INVALID);

	/* A 13th range of a day. */
	char text[1024] = "{\"monday\":[";
	for (int i = 0; i <= CAL_AVAIL_RANGES_MAX; i++)
		snprintf(text + strlen(text), sizeof text - strlen(text),
			 "%s{\"from\":\"%02d:00\",\"to\":\"%02d:30\"}", i ? "," : "", i, i);
	strcat(text, "]}");
	expect_parse_refused(text);

	/* Every proper prefix of a good form is refused. */
	const char *good =
	    "{\"monday\": [{\"from\": \"09:00\", \"to\": \"12:00\"}], \"friday\": []}";
	struct cal_availability ok;
	cr_assert_eq(cal_availability_parse(good, &ok), 0);
	for (size_t n = 0; n < strlen(good); n++) {
		char prefix[128];
		memcpy(prefix, good, n);
		prefix[n] = '\0';
		expect_parse_refused(prefix);
	}
}

/* ---- the type's fields ---------------------------------------------------- */

static cal_uuid one_assignee[1];

static struct cal_appointment_type good(void)
{
	return (struct cal_appointment_type){
		.name = "Consulta", .timezone = "America/Mexico_City", .slug = "consulta",
		.duration_minutes = 30, .schedule_range_days = 30, .min_booking_hours = 24,
		.cancel_hours_before = 24, .reminder_hours_before = 24,
		.assignee_ids = one_assignee, .n_assignees = 1,
	};
}

static void refused(struct cal_appointment_type t, const char *field)
{
	struct cal_error err = { 0 };
	cr_assert_eq(cal_appointment_type_check(&t, &err), CAL_E_INVALID, "%s", field);
	cr_assert_eq(err.n_fields, 1, "%s: %u fields (first %s)", field, err.n_fields,
		     err.n_fields ? err.fields[0].field : "none");
	cr_assert_str_eq(err.fields[0].field, field);
}

static void expect_type_ok(struct cal_appointment_type t, const char *what)
{
	struct cal_error err = { 0 };
	cr_assert_eq(cal_appointment_type_check(&t, &err), 0, "%s: %s", what,
		     err.n_fields ? err.fields[0].field : "?");
}

Test(type, good_values_and_boundaries_pass)
{
	struct cal_appointment_type t = good();
	expect_type_ok(t, "defaults");
	cr_assert_eq(cal_appointment_step(&t), 30, "interval 0 steps by the duration");
	t.slot_interval_minutes = 15;
	cr_assert_eq(cal_appointment_step(&t), 15);

	char name[2 * 200 + 1] = "";
	for (int i = 0; i < 200; i++)
		strcat(name, "é"); /* 200 characters, 400 bytes */
	char description[5001], location[501];
	memset(description, 'd', 5000), description[5000] = '\0';
	memset(location, 'l', 500), location[500] = '\0';
	char slug[101];
	memset(slug, 'a', 100), slug[100] = '\0';
	t = (struct cal_appointment_type){
		.name = name, .description = description, .location = location, .slug = slug,
		.timezone = "America/Argentina/Buenos_Aires", .duration_minutes = 1440,
		.slot_interval_minutes = 1440, .buffer_before_minutes = 1440,
		.buffer_after_minutes = 1440,
		.schedule_range_days = 730, .min_booking_hours = 8760, .cancel_hours_before = 8760,
		.reminder_hours_before = 8760, .max_bookings_per_day = 1000,
		.assignment = CAL_ASSIGN_CHOICE,
		.assignee_ids = one_assignee, .n_assignees = 64,
	};
	expect_type_ok(t, "maxima");
	t = good();
	t.name = "x", t.description = NULL, t.location = NULL, t.slug = NULL,
	t.duration_minutes = 5;
	t.slot_interval_minutes = 5, t.schedule_range_days = 1, t.min_booking_hours = 0;
	t.cancel_hours_before = 0, t.reminder_hours_before = 0, t.max_bookings_per_day = 1;
	expect_type_ok(t, "minima");
	t.description = "two\nlines\tand a tab", t.slug = "a-0-z";
	expect_type_ok(t, "multiline description, dashed slug");
}

Test(type, each_bad_field_is_named)
{
	char long_name[202], long_description[5002], long_location[502], long_slug[102];
	memset(long_name, 'n', 201), long_name[201] = '\0';
	memset(long_description, 'd', 5001), long_description[5001] = '\0';
	memset(long_location, 'l', 501), long_location[501] = '\0';
	memset(long_slug, 's', 101), long_slug[101] = '\0';
	struct cal_appointment_type t;
	t = good(), t.name = NULL, refused(t, "name");
	t = good(), t.name = "", refused(t, "name");
	t = good(), t.name = "   ", refused(t, "name");
	t = good(), t.name = long_name, refused(t, "name");
	t = good(), t.name = "a\nb", refused(t, "name");
	t = good(), t.name = "\xff", refused(t, "name");
	t = good(), t.description = long_description, refused(t, "description");
	t = good(), t.description = "bell\a", refused(t, "description");
	t = good(), t.location = long_location, refused(t, "location");
	t = good(), t.location = "two\nlines", refused(t, "location");
	t = good(), t.slug = "", refused(t, "slug");
	t = good(), t.slug = "Consulta", refused(t, "slug");
	t = good(), t.slug = "con sulta", refused(t, "slug");
	t = good(), t.slug = "con_sulta", refused(t, "slug");
	t = good(), t.slug = long_slug, refused(t, "slug");
	t = good(), t.timezone = NULL, refused(t, "timezone");
	t = good(), t.timezone = "../../etc/passwd", refused(t, "timezone");
	t = good(), t.timezone = "", refused(t, "timezone");
	t = good(), t.duration_minutes = 4, refused(t, "durationMinutes");
	t = good(), t.duration_minutes = 1441, refused(t, "durationMinutes");
	t = good(), t.duration_minutes = 0, refused(t, "durationMinutes");
	t = good(), t.slot_interval_minutes = 4, refused(t, "slotIntervalMinutes");
	t = good(), t.slot_interval_minutes = -5, refused(t, "slotIntervalMinutes");
	t = good(), t.slot_interval_minutes = 1441, refused(t, "slotIntervalMinutes");
	t = good(), t.buffer_before_minutes = -1, refused(t, "bufferBeforeMinutes");
	t = good(), t.buffer_before_minutes = 1441, refused(t, "bufferBeforeMinutes");
	t = good(), t.buffer_after_minutes = 1441, refused(t, "bufferAfterMinutes");
	t = good(), t.schedule_range_days = 0, refused(t, "scheduleRangeDays");
	t = good(), t.schedule_range_days = 731, refused(t, "scheduleRangeDays");
	t = good(), t.min_booking_hours = -1, refused(t, "minBookingHours");
	t = good(), t.min_booking_hours = 8761, refused(t, "minBookingHours");
	t = good(), t.cancel_hours_before = 8761, refused(t, "cancelHoursBefore");
	t = good(), t.reminder_hours_before = -1, refused(t, "reminderHoursBefore");
	t = good(), t.max_bookings_per_day = -1, refused(t, "maxBookingsPerDay");
	t = good(), t.max_bookings_per_day = 1001, refused(t, "maxBookingsPerDay");
	t = good(), t.n_assignees = 0, refused(t, "assigneeIds");
	t = good(), t.n_assignees = 65, refused(t, "assigneeIds");
	t = good(), t.assignee_ids = NULL, refused(t, "assigneeIds");
	t = good(), t.assignment = (enum cal_assignment)2, refused(t, "assignmentMode");
}

Test(type, every_bad_field_is_reported_at_once)
{
	struct cal_appointment_type t = {
		.name = " ", .description = "\x01", .location = "\n", .slug = "A",
		.timezone = "a//b",
		.duration_minutes = 1, .slot_interval_minutes = 1, .buffer_before_minutes = -1,
		.buffer_after_minutes = -1, .schedule_range_days = 0, .min_booking_hours = -1,
		.cancel_hours_before = -1, .reminder_hours_before = -1, .max_bookings_per_day = -1,
		.assignment = (enum cal_assignment)9, .n_assignees = 0,
	};
	struct cal_error err = { 0 };
	cr_assert_eq(cal_appointment_type_check(&t, &err), CAL_E_INVALID);
	static const char *const want[] = {
		"name", "description", "location", "slug", "timezone", "durationMinutes",
		"slotIntervalMinutes", "bufferBeforeMinutes", "bufferAfterMinutes",
		"scheduleRangeDays",
		"minBookingHours", "cancelHoursBefore", "reminderHoursBefore", "maxBookingsPerDay",
		"assignmentMode", "assigneeIds",
	};
	cr_assert_eq(err.n_fields, CAL_ARRAY_SIZE(want));
	for (size_t i = 0; i < CAL_ARRAY_SIZE(want); i++)
		cr_assert(names_field(&err, want[i]), "%s not named", want[i]);
	cr_assert_eq(err.code, CAL_E_INVALID);
}

/* ---- the booking window --------------------------------------------------- */

Test(window, from_is_the_notice_and_to_ends_the_last_local_day)
{
	int64_t from, to;
	const struct cal_tz *mex = zone("America/Mexico_City");
	/* 21:00 on June 1 in Mexico City (UTC-6) is June 2 in UTC: today is
	 * June 1, so one day of range ends at June 3 00:00 local. */
	int64_t now = instant("2026-06-02T03:00:00Z");
	cr_assert_eq(cal_booking_window(mex, now, 24, 1, &from, &to), 0);
	cr_assert_eq(from, instant("2026-06-03T03:00:00Z"));
	cr_assert_eq(to, instant("2026-06-03T06:00:00Z"));
	cr_assert_eq(cal_booking_window(mex, now, 0, 30, &from, &to), 0);
	cr_assert_eq(from, now, "no notice: from now");
	cr_assert_eq(to, instant("2026-07-02T06:00:00Z"));
}

Test(window, across_a_dst_change)
{
	int64_t from, to;
	/* Friday 2026-03-27 12:00 CET; the last day, Monday 03-30, is in
	 * summer time: the window ends at 03-31 00:00 CEST = 03-30 22:00Z. */
	const struct cal_tz *mad = zone(MAD);
	int64_t now = instant("2026-03-27T11:00:00Z");
	cr_assert_eq(cal_booking_window(mad, now, 2, 3, &from, &to), 0);
	cr_assert_eq(from, instant("2026-03-27T13:00:00Z"));
	cr_assert_eq(to, instant("2026-03-30T22:00:00Z"));
	/* New York: today 10-30, two days on end at 11-02 00:00 EST. */
	const struct cal_tz *ny = zone(NY);
	cr_assert_eq(cal_booking_window(ny, instant("2026-10-30T12:00:00Z"), 48, 2, &from, &to), 0);
	cr_assert_eq(from, instant("2026-11-01T12:00:00Z"));
	cr_assert_eq(to, instant("2026-11-02T05:00:00Z"));
	/* Refusals leave the outputs alone. */
	from = to = 42;
	cr_assert_eq(cal_booking_window(ny, now, -1, 2, &from, &to), CAL_E_INVALID);
	cr_assert_eq(cal_booking_window(ny, now, 1, -2, &from, &to), CAL_E_INVALID);
	cr_assert_eq(from, 42);
	cr_assert_eq(to, 42);
}

Test(window, slots_of_the_whole_last_day_and_after_the_notice)
{
	/* Every day 22:00–24:00 in Madrid, one-hour slots; seen on Friday
	 * 2026-03-27 at 12:00 CET with 2 hours' notice and 3 days of range:
	 * Friday to Monday 03-30 (CEST from Sunday), the 23:00 slot of the
	 * last day included, nothing on Tuesday. */
	struct cal_availability av = { 0 };
	every_day(&av, "22:00", "24:00");
	struct cal_slot_query q =
	    query(MAD, &av, 60, "2026-03-27T00:00:00Z", "2026-03-27T00:00:01Z");
	cr_assert_eq(
	    cal_booking_window(q.tz, instant("2026-03-27T11:00:00Z"), 2, 3, &q.from, &q.to), 0);
	struct cal_slot *s;
	size_t n = generate(&q, &s);
	static const char *const want[] = {
		"2026-03-27T21:00:00Z", "2026-03-27T22:00:00Z", /* Fri 22:00, 23:00 CET */
		"2026-03-28T21:00:00Z", "2026-03-28T22:00:00Z", /* Sat */
		"2026-03-29T20:00:00Z", "2026-03-29T21:00:00Z", /* Sun 22:00, 23:00 CEST */
		"2026-03-30T20:00:00Z", "2026-03-30T21:00:00Z", /* Mon, the last day */
	};
	expect_starts(s, n, 60, want, CAL_ARRAY_SIZE(want));

	/* Minimum notice: at 08:00 CEST on Monday 2026-06-01 with 2 hours'
	 * notice, the first of the 09:00–12:00 slots is 10:00. */
	struct cal_availability mornings = { 0 };
	add(&mornings, MON, "09:00", "12:00");
	q = query(MAD, &mornings, 30, "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z");
	cr_assert_eq(
	    cal_booking_window(q.tz, instant("2026-06-01T06:00:00Z"), 2, 1, &q.from, &q.to), 0);
	n = generate(&q, &s);
	static const char *const after_notice[] = {
		"2026-06-01T08:00:00Z", "2026-06-01T08:30:00Z",
		"2026-06-01T09:00:00Z", "2026-06-01T09:30:00Z",
	};
	expect_starts(s, n, 30, after_notice, CAL_ARRAY_SIZE(after_notice));
}

/* ---- busy intervals ------------------------------------------------------- */

Test(busy, normalize_sorts_and_merges_overlapping_and_touching)
{
	struct cal_busy b[] = {
		{ 50, 60 }, { 10, 20 }, { 15, 25 }, { 25, 30 }, /* overlapping, then touching */
		{ 40, 45 }, { 41, 42 },                           /* one inside another */
		{ 70, 70 }, { 90, 80 },                           /* empty, inverted: no time */
		{ 100, 110 }, { 100, 105 },
	};
	size_t n = cal_busy_normalize(b, CAL_ARRAY_SIZE(b));
	struct cal_busy want[] = { { 10, 30 }, { 40, 45 }, { 50, 60 }, { 100, 110 } };
	cr_assert_eq(n, CAL_ARRAY_SIZE(want));
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(b[i].start, want[i].start, "#%zu", i);
		cr_assert_eq(b[i].end, want[i].end, "#%zu", i);
	}
	cr_assert_eq(cal_busy_normalize(NULL, 0), 0);
}

Test(busy, overlaps_is_a_true_interval_test)
{
	struct cal_busy b[] = { { 100, 200 }, { 300, 400 }, { 500, 600 } };
	cr_assert(cal_busy_overlaps(b, 3, 120, 130), "inside");
	cr_assert(cal_busy_overlaps(b, 3, 250, 450), "around");
	cr_assert(cal_busy_overlaps(b, 3, 50, 101), "over the start");
	cr_assert(cal_busy_overlaps(b, 3, 599, 700), "over the end");
	cr_assert(cal_busy_overlaps(b, 3, 0, 1000), "around all");
	cr_assert_not(cal_busy_overlaps(b, 3, 200, 300), "touching both");
	cr_assert_not(cal_busy_overlaps(b, 3, 0, 100), "touching the first");
	cr_assert_not(cal_busy_overlaps(b, 3, 600, 700), "touching the last");
	cr_assert_not(cal_busy_overlaps(b, 3, 410, 490), "between");
	cr_assert_not(cal_busy_overlaps(b, 3, 150, 150), "empty");
	cr_assert_not(cal_busy_overlaps(NULL, 0, 0, 1000), "no busy time");
}

/* ---- slots on DST days ---------------------------------------------------- */

/* The slots of [from, to) with one free assignee are exactly `want`. */
static void expect_grid(const char *zone_name, const struct cal_availability *av, int duration,
			const char *from, const char *to, const char *const *want, size_t n_want)
{
	struct cal_slot_query q = query(zone_name, av, duration, from, to);
	struct cal_slot *s;
	size_t n = generate(&q, &s);
	expect_starts(s, n, duration, want, n_want);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(s[i].free, 1);
}

Test(slots, nine_stays_nine_in_new_york)
{
	struct cal_availability av = { 0 };
	every_day(&av, "09:00", "09:30");
	static const char *const spring[] = { "2026-03-07T14:00:00Z", /* 09:00 EST */
					      "2026-03-08T13:00:00Z", /* 09:00 EDT */
					      "2026-03-09T13:00:00Z" };
	expect_grid(NY, &av, 30, "2026-03-07T05:00:00Z", "2026-03-10T04:00:00Z", spring, 3);
	static const char *const fall[] = { "2026-10-31T13:00:00Z", /* 09:00 EDT */
					    "2026-11-01T14:00:00Z", /* 09:00 EST */
					    "2026-11-02T14:00:00Z" };
	expect_grid(NY, &av, 30, "2026-10-31T04:00:00Z", "2026-11-03T05:00:00Z", fall, 3);
}

Test(slots, nine_stays_nine_in_madrid)
{
	struct cal_availability av = { 0 };
	every_day(&av, "09:00", "09:30");
	static const char *const spring[] = { "2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z" };
	expect_grid(MAD, &av, 30, "2026-03-28T00:00:00Z", "2026-03-30T00:00:00Z", spring, 2);
	static const char *const fall[] = { "2026-10-24T07:00:00Z", "2026-10-25T08:00:00Z" };
	expect_grid(MAD, &av, 30, "2026-10-24T00:00:00Z", "2026-10-26T00:00:00Z", fall, 2);
}

Test(slots, a_night_range_across_the_change_has_real_length_slots)
{
	struct cal_availability av = { 0 };
	add(&av, SUN, "00:00", "04:00");
	/* New York spring: 00:00 EST .. 04:00 EDT is three real hours. */
	static const char *const ny_spring[] = { "2026-03-08T05:00:00Z", "2026-03-08T06:00:00Z",
						 "2026-03-08T07:00:00Z" /* 03:00 EDT */ };
	expect_grid(NY, &av, 60, "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z", ny_spring, 3);
	/* New York fall: 00:00 EDT .. 04:00 EST is five, 01:00 twice but as
	 * two instants. */
	static const char *const ny_fall[] = { "2026-11-01T04:00:00Z", "2026-11-01T05:00:00Z",
					       "2026-11-01T06:00:00Z", "2026-11-01T07:00:00Z",
					       "2026-11-01T08:00:00Z" };
	expect_grid(NY, &av, 60, "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z", ny_fall, 5);
	/* Madrid, the same with half-hour slots in spring. */
	static const char *const mad_spring[] = { "2026-03-28T23:00:00Z", "2026-03-28T23:30:00Z",
						  "2026-03-29T00:00:00Z", "2026-03-29T00:30:00Z",
						  "2026-03-29T01:00:00Z" /* 03:00 CEST */,
						  "2026-03-29T01:30:00Z" };
	expect_grid(MAD, &av, 30, "2026-03-28T12:00:00Z", "2026-03-29T12:00:00Z", mad_spring, 6);
	static const char *const mad_fall[] = {
		"2026-10-24T22:00:00Z", "2026-10-24T23:00:00Z",
		"2026-10-25T00:00:00Z" /* 02:00 CEST */, "2026-10-25T01:00:00Z" /* 02:00 CET */,
		"2026-10-25T02:00:00Z",
	};
	expect_grid(MAD, &av, 60, "2026-10-24T12:00:00Z", "2026-10-25T12:00:00Z", mad_fall, 5);
}

Test(slots, ranges_in_the_overlap_do_not_repeat_an_instant)
{
	/* 01:00–01:30 is read as its first occurrence (EDT); 01:30–02:00
	 * runs from 01:30 EDT to 02:00 EST, through the second 01:00–01:30. */
	struct cal_availability av = { 0 };
	add(&av, SUN, "01:00", "01:30");
	add(&av, SUN, "01:30", "02:00");
	static const char *const want[] = { "2026-11-01T05:00:00Z", "2026-11-01T05:30:00Z",
					    "2026-11-01T06:00:00Z", "2026-11-01T06:30:00Z" };
	expect_grid(NY, &av, 30, "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z", want, 4);
}

Test(slots, ranges_around_the_gap_meeting_on_one_instant_count_once)
{
	/* 02:00–02:30 does not exist on 2026-03-08 in New York: it reads as
	 * EST, 07:00Z–07:30Z, which is also 03:00–03:30 EDT. */
	struct cal_availability av = { 0 };
	add(&av, SUN, "01:30", "02:30");
	add(&av, SUN, "03:00", "04:00");
	static const char *const want[] = { "2026-03-08T06:30:00Z", "2026-03-08T07:00:00Z",
					    "2026-03-08T07:30:00Z" };
	expect_grid(NY, &av, 30, "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z", want, 3);
	/* Out of order too: the second range's 07:00Z and 07:15Z come after
	 * the first range's 07:30Z. */
	struct cal_availability av2 = { 0 };
	add(&av2, SUN, "02:00", "02:45");
	add(&av2, SUN, "03:00", "03:30");
	static const char *const want2[] = { "2026-03-08T07:00:00Z", "2026-03-08T07:15:00Z",
					     "2026-03-08T07:30:00Z" };
	expect_grid(NY, &av2, 15, "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z", want2, 3);
}

/* ---- busy time and buffers ------------------------------------------------ */

/* Monday 2026-06-01 in Madrid (CEST, UTC+2), 09:00–12:00, 30-minute slots,
 * one assignee with `busy`; every slot, free or not. */
static size_t monday_slots(struct cal_busy *busy, size_t n_busy, int before, int after,
			   struct cal_slot **ret)
{
	struct cal_availability av = { 0 };
	add(&av, MON, "09:00", "12:00");
	n_busy = cal_busy_normalize(busy, n_busy);
	struct cal_slot_assignee who = { .busy = busy, .n_busy = n_busy };
	struct cal_slot_query q =
	    query(MAD, &av, 30, "2026-06-01T00:00:00Z", "2026-06-02T00:00:00Z");
	q.assignees = &who;
	q.buffer_before_minutes = before;
	q.buffer_after_minutes = after;
	q.only_free = false;
	size_t n = generate(&q, ret);
	cr_assert_eq(n, 6);
	return n;
}

/* The free bits of the six Monday slots, 09:00 first, as "101111". */
static void expect_free(const struct cal_slot *s, const char *want, const char *what)
{
	char got[7];
	for (int i = 0; i < 6; i++)
		got[i] = s[i].free ? '1' : '0';
	got[6] = '\0';
	cr_assert_str_eq(got, want, "%s", what);
}

static struct cal_busy local_busy(const char *from, const char *to)
{
	char a[32], b[32];
	snprintf(a, sizeof a, "2026-06-01T%s:00+02:00", from);
	snprintf(b, sizeof b, "2026-06-01T%s:00+02:00", to);
	return (struct cal_busy){ instant(a), instant(b) };
}

Test(slots, busy_inside_around_over_and_touching)
{
	struct cal_slot *s;
	struct cal_busy b[2];
	/*                                     09:00 .. 11:30 */
	b[0] = local_busy("10:10", "10:20");
	monday_slots(b, 1, 0, 0, &s), expect_free(s, "110111", "inside the 10:00 slot");
	b[0] = local_busy("09:50", "10:40");
	monday_slots(b, 1, 0, 0, &s), expect_free(s, "100011", "around it");
	b[0] = local_busy("09:50", "10:05");
	monday_slots(b, 1, 0, 0, &s), expect_free(s, "100111", "over its start");
	b[0] = local_busy("10:25", "10:35");
	monday_slots(b, 1, 0, 0, &s), expect_free(s, "110011", "over its end");
	b[0] = local_busy("09:30", "10:00");
	b[1] = local_busy("10:30", "11:00");
	monday_slots(b, 2, 0, 0, &s), expect_free(s, "101011", "touching does not block");
	b[0] = local_busy("08:00", "13:00");
	monday_slots(b, 1, 0, 0, &s), expect_free(s, "000000", "over the whole range");
	monday_slots(NULL, 0, 0, 0, &s), expect_free(s, "111111", "no busy time");
}

Test(slots, buffers_widen_the_slot)
{
	struct cal_slot *s;
	struct cal_busy b[1];
	/* An event 09:30–10:00: the 10:00 slot touches it, free without a
	 * buffer before; 15 minutes before reach back into it. */
	b[0] = local_busy("09:30", "10:00");
	monday_slots(b, 1, 0, 0, &s), expect_free(s, "101111", "no buffers");
	monday_slots(b, 1, 15, 0, &s), expect_free(s, "100111", "buffer before blocks 10:00");
	/* After: the 09:00 slot ends as the event begins; 15 minutes after
	 * reach into it. */
	monday_slots(b, 1, 0, 15, &s), expect_free(s, "001111", "buffer after blocks 09:00");
	monday_slots(b, 1, 15, 15, &s), expect_free(s, "000111", "both");
	/* A buffer that only touches the event does not block. */
	b[0] = local_busy("09:30", "09:45");
	monday_slots(b, 1, 15, 0, &s), expect_free(s, "101111", "10:00 - 15 touches 09:45");
	b[0] = local_busy("10:15", "10:30");
	monday_slots(b, 1, 0, 15, &s), expect_free(s, "110111", "09:30's end + 15 touches 10:15");
}

/* Expands a weekly series into busy intervals over [from, to). */
struct busy_list {
	struct cal_busy items[64];
	size_t n;
};

static int collect_busy(const struct cal_instance *inst, void *ctx)
{
	struct busy_list *l = ctx;
	cr_assert_lt(l->n, CAL_ARRAY_SIZE(l->items));
	l->items[l->n++] = (struct cal_busy){ inst->start, inst->end };
	return 0;
}

static size_t series_busy(const char *zone_name, const char *rrule, struct cal_civil start,
			  int64_t duration, const int64_t *exdates, size_t n_exdates, int64_t from,
			  int64_t to, struct busy_list *l)
{
	struct cal_rule *r = NULL;
	struct cal_error err = { 0 };
	cr_assert_eq(cal_rule_parse(rrule, NULL, &r, &err), 0, "%s", rrule);
	struct cal_series s = { .rule = r,
				.start_local = start,
				.tz = zone(zone_name),
				.duration = duration,
				.exdates = exdates,
				.n_exdates = n_exdates };
	l->n = 0;
	cr_assert_eq(cal_series_expand(&s, from, to, collect_busy, l), 0);
	cal_rule_free(r);
	return cal_busy_normalize(l->items, l->n);
}

/* The local hours (Madrid) of the blocked slots of each day, "d:h,h;". */
static void blocked_hours(const struct cal_slot *s, size_t n, char *out, size_t cap)
{
	const struct cal_tz *mad = zone(MAD);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (s[i].free)
			continue;
		struct cal_civil c;
		cr_assert_eq(cal_tz_utc_to_local(mad, s[i].start, &c), 0);
		snprintf(out + strlen(out), cap - strlen(out), "%02d-%02d %02d;", c.month, c.day,
			 c.hour);
	}
}

Test(slots, recurring_busy_events_block_their_occurrences)
{
	/* Weekdays 09:00–12:00 in Madrid, one-hour slots, from Monday 03-02
	 * to Tuesday 03-31, through both DST changes (New York 03-08, Madrid
	 * 03-29). */
	struct cal_availability av = { 0 };
	for (int d = MON; d <= FRI; d++)
		add(&av, d, "09:00", "12:00");
	int64_t from = instant("2026-03-01T23:00:00Z"), to = instant("2026-03-31T22:00:00Z");
	struct busy_list l;
	struct cal_slot *s;
	char got[512];

	/* A Madrid series, Monday and Wednesday 10:00–11:00: blocks 10:00
	 * local on both sides of Madrid's change. */
	struct cal_civil start = { .year = 2026, .month = 3, .day = 2, .hour = 10 };
	size_t nb = series_busy(MAD, "FREQ=WEEKLY;BYDAY=MO,WE", start, 3600, NULL, 0, from, to, &l);
	cr_assert_eq(nb, 9);
	struct cal_slot_assignee who = { .busy = l.items, .n_busy = nb };
	struct cal_slot_query q =
	    query(MAD, &av, 60, "2026-03-01T23:00:00Z", "2026-03-31T22:00:00Z");
	q.assignees = &who;
	q.only_free = false;
	size_t n = generate(&q, &s);
	cr_assert_eq(n, 22 * 3);
	blocked_hours(s, n, got, sizeof got);
	cr_assert_str_eq(got, "03-02 10;03-04 10;03-09 10;03-11 10;03-16 10;03-18 10;"
			      "03-23 10;03-25 10;03-30 10;");

	/* A New York series, Mondays 05:00–06:00 EST/EDT, one occurrence
	 * excluded: while New York is on summer time and Madrid not yet
	 * (03-09..03-28) it lands on Madrid's 10:00, else on 11:00. */
	start = (struct cal_civil){ .year = 2026, .month = 3, .day = 2, .hour = 5 };
	int64_t exdate = instant("2026-03-16T09:00:00Z");
	nb = series_busy(NY, "FREQ=WEEKLY", start, 3600, &exdate, 1, from, to, &l);
	cr_assert_eq(nb, 4);
	who = (struct cal_slot_assignee){ .busy = l.items, .n_busy = nb };
	n = generate(&q, &s);
	blocked_hours(s, n, got, sizeof got);
	cr_assert_str_eq(got, "03-02 11;03-09 10;03-23 10;03-30 11;");
}

/* ---- windows, steps and the daily cap ------------------------------------ */

Test(slots, from_and_to_clip_the_starts)
{
	struct cal_availability av = { 0 };
	add(&av, MON, "09:00", "12:00");
	struct cal_slot *s;
	/* Starts in [10:15, 11:30): 10:30 and 11:00; 11:30 is the end. */
	struct cal_slot_query q =
	    query(MAD, &av, 30, "2026-06-01T10:15:00+02:00", "2026-06-01T11:30:00+02:00");
	size_t n = generate(&q, &s);
	static const char *const want[] = { "2026-06-01T08:30:00Z", "2026-06-01T09:00:00Z" };
	expect_starts(s, n, 30, want, 2);
	/* A from on a start includes it; a slot may end after `to`. */
	q.from = instant("2026-06-01T10:00:00+02:00");
	q.to = instant("2026-06-01T10:00:01+02:00");
	n = generate(&q, &s);
	static const char *const one[] = { "2026-06-01T08:00:00Z" };
	expect_starts(s, n, 30, one, 1);
	/* Empty and inverted windows: no slots. */
	q.to = q.from;
	cr_assert_eq(generate(&q, &s), 0);
	q.to = q.from - 3600;
	cr_assert_eq(generate(&q, &s), 0);
	/* A window over weeks holds only the Mondays. */
	q = query(MAD, &av, 60, "2026-06-01T00:00:00Z", "2026-06-22T00:00:00Z");
	n = generate(&q, &s);
	cr_assert_eq(n, 9);
	cr_assert_eq(s[3].start, instant("2026-06-08T07:00:00Z"));
	cr_assert_eq(s[8].start, instant("2026-06-15T09:00:00Z"));
}

Test(slots, intervals)
{
	struct cal_availability av = { 0 };
	add(&av, MON, "09:00", "10:00");
	add(&av, MON, "11:00", "12:20"); /* not a multiple of the step */
	struct cal_slot *s;
	struct cal_slot_query q =
	    query(MAD, &av, 30, "2026-06-01T00:00:00Z", "2026-06-02T00:00:00Z");
	q.step_minutes = 15;
	size_t n = generate(&q, &s);
	static const char *const step15[] = {
		/* 09:45 would end at 10:15 */
		"2026-06-01T07:00:00Z", "2026-06-01T07:15:00Z", "2026-06-01T07:30:00Z",
		"2026-06-01T09:00:00Z", "2026-06-01T09:15:00Z", "2026-06-01T09:30:00Z",
		"2026-06-01T09:45:00Z", /* 12:00 would end 12:30 */
	};
	expect_starts(s, n, 30, step15, CAL_ARRAY_SIZE(step15));
	q.step_minutes = 30;
	n = generate(&q, &s);
	static const char *const step30[] = { "2026-06-01T07:00:00Z", "2026-06-01T07:30:00Z",
					      "2026-06-01T09:00:00Z", "2026-06-01T09:30:00Z" };
	expect_starts(s, n, 30, step30, CAL_ARRAY_SIZE(step30));
	/* A step longer than the duration leaves gaps. */
	q.step_minutes = 45;
	n = generate(&q, &s);
	static const char *const step45[] = { "2026-06-01T07:00:00Z", "2026-06-01T09:00:00Z",
					      "2026-06-01T09:45:00Z" };
	expect_starts(s, n, 30, step45, CAL_ARRAY_SIZE(step45));
	/* The window's from is aligned on the grid, not a new grid. */
	q.step_minutes = 15;
	q.from = instant("2026-06-01T09:05:00+02:00");
	n = generate(&q, &s);
	cr_assert_eq(n, 6);
	cr_assert_eq(s[0].start, instant("2026-06-01T09:15:00+02:00"));
}

Test(slots, daily_cap_counts_bookings_by_local_date)
{
	/* Monday and Tuesday 09:00–10:00 in Madrid. A is booked Monday 10:00
	 * and Tuesday 00:30 local, which is still Monday in UTC: one a day
	 * locally, so a cap of 2 leaves A free on both days. */
	struct cal_availability av = { 0 };
	add(&av, MON, "09:00", "10:00");
	add(&av, TUE, "09:00", "10:00");
	int64_t booked[] = { instant("2026-06-01T10:00:00+02:00"),
			     instant("2026-06-02T00:30:00+02:00"),
			     instant("2026-06-02T17:00:00+02:00") };
	struct cal_slot_assignee who[2] = { { .booked = booked, .n_booked = 2 }, { 0 } };
	struct cal_slot_query q =
	    query(MAD, &av, 30, "2026-06-01T00:00:00Z", "2026-06-03T00:00:00Z");
	q.assignees = who;
	q.n_assignees = 2;
	q.max_per_day = 2;
	struct cal_slot *s;
	size_t n = generate(&q, &s);
	cr_assert_eq(n, 4);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(s[i].free, 3, "slot %zu", i);
	/* A second Tuesday booking reaches the cap on Tuesday only. */
	who[0].n_booked = 3;
	n = generate(&q, &s);
	cr_assert_eq(n, 4);
	cr_assert_eq(s[0].free, 3);
	cr_assert_eq(s[1].free, 3);
	cr_assert_eq(s[2].free, 2, "A is capped on Tuesday");
	cr_assert_eq(s[3].free, 2);
	/* A cap of 1 closes both days for A; no cap opens them. */
	q.max_per_day = 1;
	n = generate(&q, &s);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(s[i].free, 2, "slot %zu", i);
	q.max_per_day = 0;
	n = generate(&q, &s);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(s[i].free, 3, "slot %zu", i);
	/* Capped and alone: only_free drops the day. */
	q.max_per_day = 1;
	q.n_assignees = 1;
	q.only_free = true;
	cr_assert_eq(generate(&q, &s), 0);
}

Test(slots, each_assignee_has_a_bit)
{
	struct cal_availability av = { 0 };
	add(&av, MON, "09:00", "12:00");
	struct cal_busy a[] = { local_busy("09:00", "10:00") };
	struct cal_busy b[] = { local_busy("10:00", "11:00") };
	struct cal_busy all[] = { local_busy("11:00", "11:30") };
	struct cal_slot_assignee who[3] = {
		{ .busy = a, .n_busy = 1 },
		{ .busy = b, .n_busy = 1 },
		{ .busy = all, .n_busy = 1 },
	};
	struct cal_slot_query q =
	    query(MAD, &av, 30, "2026-06-01T00:00:00Z", "2026-06-02T00:00:00Z");
	q.assignees = who;
	q.n_assignees = 3;
	q.only_free = false;
	struct cal_slot *s;
	size_t n = generate(&q, &s);
	uint64_t want[] = { 6, 6, 5, 5, 3, 7 };
	cr_assert_eq(n, 6);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(s[i].free, want[i], "slot %zu: %llx", i,
			     (unsigned long long)s[i].free);
	/* Everyone busy at 11:00: only_free drops that slot alone. */
	struct cal_busy c2[] = { local_busy("11:00", "11:30") };
	who[0] = (struct cal_slot_assignee){ .busy = c2, .n_busy = 1 };
	who[1] = who[0];
	q.only_free = true;
	n = generate(&q, &s);
	cr_assert_eq(n, 5);
	cr_assert_eq(slot_at(s, n, "2026-06-01T07:30:00Z")->free, 7);

	/* Sixty-four assignees: the last bit is the 64th. */
	struct cal_slot_assignee many[CAL_ASSIGNEES_MAX];
	struct cal_busy whole[] = { local_busy("00:00", "23:00") };
	for (int i = 0; i < CAL_ASSIGNEES_MAX; i++)
		many[i] = (struct cal_slot_assignee){ .busy = whole, .n_busy = i == 63 ? 0 : 1 };
	q.assignees = many;
	q.n_assignees = CAL_ASSIGNEES_MAX;
	n = generate(&q, &s);
	cr_assert_eq(n, 6);
	cr_assert_eq(s[0].free, UINT64_C(1) << 63);
}

Test(slots, bad_queries_are_refused)
{
	struct cal_availability av = { 0 };
	add(&av, MON, "09:00", "12:00");
	struct cal_slot sentinel, *s = &sentinel;
	size_t n = 99;
	struct cal_slot_query good =
	    query(MAD, &av, 30, "2026-06-01T00:00:00Z", "2026-06-02T00:00:00Z");
	struct cal_slot_query q;
	q = good, q.duration_minutes = 0;
	cr_assert_eq(cal_slots_generate(arena, &q, &s, &n), CAL_E_INVALID);
	q = good, q.step_minutes = 0;
	cr_assert_eq(cal_slots_generate(arena, &q, &s, &n), CAL_E_INVALID);
	q = good, q.buffer_before_minutes = -1;
	cr_assert_eq(cal_slots_generate(arena, &q, &s, &n), CAL_E_INVALID);
	q = good, q.max_per_day = -1;
	cr_assert_eq(cal_slots_generate(arena, &q, &s, &n), CAL_E_INVALID);
	q = good, q.n_assignees = CAL_ASSIGNEES_MAX + 1;
	cr_assert_eq(cal_slots_generate(arena, &q, &s, &n), CAL_E_INVALID);
	q = good, q.tz = NULL;
	cr_assert_eq(cal_slots_generate(arena, &q, &s, &n), CAL_E_INVALID);
	struct cal_availability corrupt = av;
	corrupt.n[MON] = CAL_AVAIL_RANGES_MAX + 1;
	q = good, q.availability = &corrupt;
	cr_assert_eq(cal_slots_generate(arena, &q, &s, &n), CAL_E_INVALID);
	cr_assert_eq(n, 99, "outputs untouched");
	cr_assert_eq(s, &sentinel);
	/* No assignees: the grid alone. */
	q = good, q.n_assignees = 0, q.only_free = false;
	cr_assert_eq(cal_slots_generate(arena, &q, &s, &n), 0);
	cr_assert_eq(n, 6);
	cr_assert_eq(s[0].free, 0);
}

/* ---- the auto pick -------------------------------------------------------- */

Test(assign, fewest_bookings_win)
{
	int load[] = { 3, 1, 2, 0 };
	for (uint64_t seed = 0; seed < 10; seed++) {
		cr_assert_eq(cal_assign_pick(0x7, load, 4, seed), 1, "seed %llu",
			     (unsigned long long)seed);
		cr_assert_eq(cal_assign_pick(0xf, load, 4, seed), 3);
		cr_assert_eq(cal_assign_pick(0x5, load, 4, seed), 2);
	}
	cr_assert_eq(cal_assign_pick(0, load, 4, 0), -1);
	cr_assert_eq(cal_assign_pick(0x10, load, 4, 0), -1, "a bit past n is nobody");
	cr_assert_eq(cal_assign_pick(0x1, load, 0, 0), -1);
}

Test(assign, ties_spread_over_every_tied_assignee)
{
	/* Free: 0, 1, 3, 4, 5; fewest (0): 1, 3, 5; 2 is not free. */
	int load[] = { 4, 0, 0, 0, 2, 0 };
	uint64_t free = 0x3b;
	int want[] = { 1, 3, 5 };
	for (uint64_t seed = 0; seed < 3; seed++)
		cr_assert_eq(cal_assign_pick(free, load, 6, seed), want[seed], "seed %llu",
			     (unsigned long long)seed);
	int hits[6] = { 0 };
	for (uint64_t seed = 0; seed < 300; seed++)
		hits[cal_assign_pick(free, load, 6, seed)]++;
	cr_assert_eq(hits[1], 100);
	cr_assert_eq(hits[3], 100);
	cr_assert_eq(hits[5], 100);
	cr_assert_eq(cal_assign_pick(free, load, 6, UINT64_MAX), want[UINT64_MAX % 3]);
	/* Sixty-four, all tied: seed k picks k. */
	int zero[CAL_ASSIGNEES_MAX] = { 0 };
	for (uint64_t seed = 0; seed < CAL_ASSIGNEES_MAX; seed++)
		cr_assert_eq(cal_assign_pick(UINT64_MAX, zero, CAL_ASSIGNEES_MAX, seed), (int)seed);
	cr_assert_eq(cal_assign_pick(UINT64_C(1) << 63, zero, CAL_ASSIGNEES_MAX, 12345), 63);
}
