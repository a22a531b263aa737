/* model/time: RFC 3339 and dates, strictly. */
#include <criterion/criterion.h>
#include <string.h>

#include "base/tz.h"
#include "model/time.h"

Test(time, instant_with_offset_converts_to_utc)
{
	int64_t t;
	cr_assert_eq(cal_instant_parse("2026-07-01T09:00:00-05:00", &t), 0);
	char text[CAL_INSTANT_TEXT];
	cal_instant_format(t, text);
	cr_assert_str_eq(text, "2026-07-01T14:00:00Z");
	cr_assert_eq(cal_instant_parse("2026-07-01T14:00:00Z", &t), 0);
	cal_instant_format(t, text);
	cr_assert_str_eq(text, "2026-07-01T14:00:00Z");
	cr_assert_eq(cal_instant_parse("2026-07-01T19:30:00+05:30", &t), 0);
	cal_instant_format(t, text);
	cr_assert_str_eq(text, "2026-07-01T14:00:00Z");
}

Test(time, fractions_are_dropped)
{
	int64_t a, b;
	cr_assert_eq(cal_instant_parse("2026-01-01T00:00:00.999Z", &a), 0);
	cr_assert_eq(cal_instant_parse("2026-01-01T00:00:00Z", &b), 0);
	cr_assert_eq(a, b);
}

Test(time, rejects_what_is_not_rfc3339_with_offset)
{
	static const char *const bad[] = {
		"2026-07-01T09:00:00",       /* no offset: ambiguous */
		"2026-02-30T10:00:00Z",      /* no such day */
		"2026-13-01T10:00:00Z",      "2026-07-01T24:00:00Z", "2026-07-01T09:60:00Z",
		"2026-07-01 09:00:00Z",      "2026-7-1T09:00:00Z",   "2026-07-01T09:00:00+5:00",
		"2026-07-01T09:00:00+24:00", "1899-12-31T00:00:00Z", "3000-01-01T00:00:00Z",
		"2026-07-01T09:00:00Zjunk",  "'; DROP TABLE x;--",    "",
		"2026-07-01T09:00:00.Z",     "2026-07-01",
		/* In range as written, out of range as an instant (found by fuzz_time). */
		"1900-01-01T00:00:01+05:00", "2999-12-31T23:00:00-02:00",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t t = 42;
		cr_assert_lt(cal_instant_parse(bad[i], &t), 0, "accepted %s", bad[i]);
		cr_assert_eq(t, 42, "clobbered the output for %s", bad[i]);
	}
	int64_t t;
	cr_assert_lt(cal_instant_parse(NULL, &t), 0);
}

Test(time, dates_round_trip_and_reject_impossible_days)
{
	int32_t d;
	cr_assert_eq(cal_date_parse("2024-02-29", &d), 0);
	char text[CAL_DATE_TEXT];
	cal_date_format(d, text);
	cr_assert_str_eq(text, "2024-02-29");
	cr_assert_eq(cal_date_parse("1970-01-01", &d), 0);
	cr_assert_eq(d, 0);
	cr_assert_lt(cal_date_parse("2025-02-29", &d), 0);
	cr_assert_lt(cal_date_parse("2025-02-2", &d), 0);
	cr_assert_lt(cal_date_parse("2025-02-28T00:00:00Z", &d), 0);
	cr_assert(cal_looks_like_date("2025-02-28"));
	cr_assert_not(cal_looks_like_date("2025-02-28T00:00:00Z"));
}

Test(time, date_start_in_zone_is_local_midnight)
{
	struct cal_tzdb *db;
	const struct cal_tz *mx, *ny;
	cr_assert_eq(cal_tzdb_new(NULL, &db), 0);
	cr_assert_eq(cal_tzdb_get(db, "America/Mexico_City", &mx), 0);
	cr_assert_eq(cal_tzdb_get(db, "America/New_York", &ny), 0);
	int32_t d;
	int64_t t;
	char text[CAL_INSTANT_TEXT];
	cal_date_parse("2026-07-01", &d);
	cr_assert_eq(cal_date_start_in_zone(mx, d, &t), 0);
	cal_instant_format(t, text);
	cr_assert_str_eq(text, "2026-07-01T06:00:00Z"); /* no DST in Mexico since 2022 */
	cr_assert_eq(cal_date_start_in_zone(ny, d, &t), 0);
	cal_instant_format(t, text);
	cr_assert_str_eq(text, "2026-07-01T04:00:00Z");
	cal_tzdb_free(db);
}
