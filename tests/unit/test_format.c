/* Unit tests for notify/format: event times in both languages through the
 * project's tz engine — DST changes in America/Mexico_City's history (it
 * kept DST until 2022) and in Europe/Madrid, ranges across days and
 * all-day ranges — plus reminder intervals and RSVP answers. Zones come
 * from the system database; the offsets were checked against zdump(8). */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "base/civil.h"
#include "base/errors.h"
#include "base/tz.h"
#include "notify/format.h"

static struct cal_tzdb *db;

static void setup(void)
{
	cr_assert_eq(cal_tzdb_new("/usr/share/zoneinfo", &db), 0);
}

static void teardown(void)
{
	cal_tzdb_free(db);
}

TestSuite(format, .init = setup, .fini = teardown);

static const struct cal_tz *zone(const char *name)
{
	const struct cal_tz *tz;
	cr_assert_eq(cal_tzdb_get(db, name, &tz), 0, "zone %s", name);
	return tz;
}

static int64_t utc(int y, int mo, int d, int h, int mi)
{
	struct cal_civil c = {y, mo, d, h, mi, 0};
	int64_t t;
	cr_assert_eq(cal_civil_to_epoch_utc(&c, &t), 0);
	return t;
}

static int32_t day(int y, int mo, int d)
{
	return (int32_t)cal_civil_days_from_date(y, mo, d);
}

static void assert_when(const char *lang, int64_t s, int64_t e, const char *zone_name,
			const char *want)
{
	char buf[256];
	int r = cal_format_when(lang, s, e, false, 0, 0, zone(zone_name), buf, sizeof buf);
	cr_assert_eq(r, 0, "%d", r);
	cr_assert_str_eq(buf, want);
}

static void assert_all_day(const char *lang, int32_t s, int32_t e, const char *want)
{
	char buf[256];
	cr_assert_eq(cal_format_when(lang, 0, 0, true, s, e, NULL, buf, sizeof buf), 0);
	cr_assert_str_eq(buf, want);
}

#define MX "America/Mexico_City"

Test(format, timed_same_day_both_languages)
{
	/* 2026: Mexico City is UTC-6 all year (no DST since October 2022). */
	int64_t s = utc(2026, 12, 1, 16, 0), e = utc(2026, 12, 1, 17, 0);
	assert_when("es", s, e, MX,
		    "martes 1 de diciembre de 2026, 10:00–11:00 (America/Mexico_City)");
	assert_when("en", s, e, MX, "Tuesday, December 1, 2026, 10:00–11:00 (America/Mexico_City)");
	assert_when("es-MX", s, e, MX,
		    "martes 1 de diciembre de 2026, 10:00–11:00 (America/Mexico_City)");
	assert_when("en-US", s, e, MX,
		    "Tuesday, December 1, 2026, 10:00–11:00 (America/Mexico_City)");
	assert_when(NULL, s, e, MX,
		    "martes 1 de diciembre de 2026, 10:00–11:00 (America/Mexico_City)");
	assert_when("fr", s, e, MX,
		    "martes 1 de diciembre de 2026, 10:00–11:00 (America/Mexico_City)");
	/* No end, or an end before the start: the start only. */
	assert_when("es", s, s, MX, "martes 1 de diciembre de 2026, 10:00 (America/Mexico_City)");
	assert_when("en", s, s - 60, MX, "Tuesday, December 1, 2026, 10:00 (America/Mexico_City)");
	/* The same instant in UTC. */
	assert_when("es", s, e, "UTC", "martes 1 de diciembre de 2026, 16:00–17:00 (UTC)");
}

Test(format, across_days)
{
	int64_t s = utc(2026, 12, 2, 5, 0), e = utc(2026, 12, 2, 7, 0); /* 23:00–01:00 local */
	assert_when(
	    "es", s, e, MX,
	    "martes 1 de diciembre de 2026, 23:00 – miércoles 2 de diciembre de 2026, 01:00 "
	    "(America/Mexico_City)");
	assert_when("en", s, e, MX,
		    "Tuesday, December 1, 2026, 23:00 – Wednesday, December 2, 2026, 01:00 "
		    "(America/Mexico_City)");
	/* New Year's Eve into the next year. */
	assert_when("es", utc(2027, 1, 1, 4, 30), utc(2027, 1, 1, 7, 0), MX,
		    "jueves 31 de diciembre de 2026, 22:30 – viernes 1 de enero de 2027, 01:00 "
		    "(America/Mexico_City)");
}

Test(format, mexico_city_dst_history)
{
	/* 2022-04-03 02:00 CST became 03:00 CDT: 07:30Z is 01:30 CST, 08:30Z
	 * is 03:30 CDT — one hour that reads as two. */
	assert_when("es", utc(2022, 4, 3, 7, 30), utc(2022, 4, 3, 8, 30), MX,
		    "domingo 3 de abril de 2022, 01:30–03:30 (America/Mexico_City)");
	/* 2022-10-30 02:00 CDT became 01:00 CST, the last change: 05:30Z is
	 * 00:30 CDT, 07:30Z is 01:30 CST — two hours that read as one. */
	assert_when("en", utc(2022, 10, 30, 5, 30), utc(2022, 10, 30, 7, 30), MX,
		    "Sunday, October 30, 2022, 00:30–01:30 (America/Mexico_City)");
	/* Summer 2021 was UTC-5, summer 2023 UTC-6. */
	assert_when("es", utc(2021, 7, 15, 15, 0), utc(2021, 7, 15, 16, 0), MX,
		    "jueves 15 de julio de 2021, 10:00–11:00 (America/Mexico_City)");
	assert_when("es", utc(2023, 7, 15, 16, 0), utc(2023, 7, 15, 17, 0), MX,
		    "sábado 15 de julio de 2023, 10:00–11:00 (America/Mexico_City)");
}

Test(format, europe_madrid_dst)
{
	/* 2026-03-29 02:00 CET became 03:00 CEST at 01:00Z. */
	assert_when("es", utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 30), "Europe/Madrid",
		    "domingo 29 de marzo de 2026, 01:30–03:30 (Europe/Madrid)");
	assert_when("en", utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 30), "Europe/Madrid",
		    "Sunday, March 29, 2026, 01:30–03:30 (Europe/Madrid)");
	/* 2026-10-25 03:00 CEST became 02:00 CET at 01:00Z. */
	assert_when("es", utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30), "Europe/Madrid",
		    "domingo 25 de octubre de 2026, 02:30–02:30 (Europe/Madrid)");
	assert_when("en", utc(2026, 8, 1, 7, 0), utc(2026, 8, 1, 8, 15), "Europe/Madrid",
		    "Saturday, August 1, 2026, 09:00–10:15 (Europe/Madrid)");
}

Test(format, all_day_single_and_ranges)
{
	assert_all_day("es", day(2026, 12, 1), day(2026, 12, 2),
		       "martes 1 de diciembre de 2026 (todo el día)");
	assert_all_day("en", day(2026, 12, 1), day(2026, 12, 2),
		       "Tuesday, December 1, 2026 (all day)");
	/* An empty range counts as one day. */
	assert_all_day("es", day(2026, 12, 1), day(2026, 12, 1),
		       "martes 1 de diciembre de 2026 (todo el día)");
	assert_all_day(
	    "es", day(2026, 12, 1), day(2026, 12, 4),
	    "martes 1 de diciembre de 2026 – jueves 3 de diciembre de 2026 (todo el día)");
	assert_all_day("en", day(2026, 12, 1), day(2026, 12, 4),
		       "Tuesday, December 1, 2026 – Thursday, December 3, 2026 (all day)");
	assert_all_day("es", day(2026, 12, 31), day(2027, 1, 2),
		       "jueves 31 de diciembre de 2026 – viernes 1 de enero de 2027 (todo el día)");
	assert_all_day("en", day(2028, 2, 28), day(2028, 3, 1),
		       "Monday, February 28, 2028 – Tuesday, February 29, 2028 (all day)");
	/* Every month and weekday name, through a year of Mondays... */
	static const char *const es_months[] = {"enero",      "febrero", "marzo",     "abril",
						"mayo",	      "junio",	 "julio",     "agosto",
						"septiembre", "octubre", "noviembre", "diciembre"};
	for (int m = 1; m <= 12; m++) {
		char buf[256], want[64];
		cr_assert_eq(cal_format_when("es", 0, 0, true, day(2026, m, 1), day(2026, m, 2),
					     NULL, buf, sizeof buf),
			     0);
		snprintf(want, sizeof want, " 1 de %s de 2026 (todo el día)", es_months[m - 1]);
		cr_assert_not_null(strstr(buf, want), "%s", buf);
	}
	/* ...and one week of days (2026-11-29 is a Sunday). */
	static const char *const en_days[] = {"Sunday",	  "Monday", "Tuesday", "Wednesday",
					      "Thursday", "Friday", "Saturday"};
	for (int d = 0; d < 7; d++) {
		char buf[256];
		cr_assert_eq(cal_format_when("en", 0, 0, true, day(2026, 11, 29) + d,
					     day(2026, 11, 29) + d + 1, NULL, buf, sizeof buf),
			     0);
		cr_assert_eq(strncmp(buf, en_days[d], strlen(en_days[d])), 0, "%s", buf);
	}
}

Test(format, errors_leave_the_buffer_alone)
{
	char buf[256] = "untouched";
	int64_t s = utc(2026, 12, 1, 16, 0);
	cr_assert_eq(cal_format_when("es", s, s + 3600, false, 0, 0, NULL, buf, sizeof buf),
		     CAL_E_INVALID);
	cr_assert_eq(cal_format_when("es", CAL_CIVIL_EPOCH_MAX + 86400 * 2,
				     CAL_CIVIL_EPOCH_MAX + 86400 * 3, false, 0, 0, zone(MX), buf,
				     sizeof buf),
		     CAL_E_INVALID);
	cr_assert_eq(
	    cal_format_when("es", 0, 0, true, INT32_MAX - 1, INT32_MAX, NULL, buf, sizeof buf),
	    CAL_E_INVALID);
	char small[20] = "untouched";
	cr_assert_eq(cal_format_when("es", s, s + 3600, false, 0, 0, zone(MX), small, sizeof small),
		     CAL_E_TOO_LARGE);
	cr_assert_str_eq(small, "untouched");
	cr_assert_eq(cal_format_when("es", 0, 0, true, day(2026, 12, 1), day(2026, 12, 2), NULL,
				     small, sizeof small),
		     CAL_E_TOO_LARGE);
	cr_assert_str_eq(small, "untouched");
	cr_assert_str_eq(buf, "untouched");
	/* Exactly enough room. */
	const char *want = "martes 1 de diciembre de 2026 (todo el día)";
	char exact[64];
	cr_assert_eq(cal_format_when("es", 0, 0, true, day(2026, 12, 1), day(2026, 12, 2), NULL,
				     exact, strlen(want) + 1),
		     0);
	cr_assert_str_eq(exact, want);
	cr_assert_eq(cal_format_when("es", 0, 0, true, day(2026, 12, 1), day(2026, 12, 2), NULL,
				     exact, strlen(want)),
		     CAL_E_TOO_LARGE);
}

static void assert_interval(const char *lang, int64_t minutes, const char *want)
{
	char buf[64];
	cr_assert_eq(cal_format_interval(lang, minutes, buf, sizeof buf), 0);
	cr_assert_str_eq(buf, want);
}

Test(format, intervals)
{
	assert_interval("es", 0, "ahora");
	assert_interval("es", 1, "en 1 minuto");
	assert_interval("es", 30, "en 30 minutos");
	assert_interval("es", 60, "en 1 hora");
	assert_interval("es", 90, "en 90 minutos");
	assert_interval("es", 120, "en 2 horas");
	assert_interval("es", 1440, "en 1 día");
	assert_interval("es", 1500, "en 25 horas");
	assert_interval("es", 2880, "en 2 días");
	assert_interval("es", 10080, "en 1 semana");
	assert_interval("es", 20160, "en 2 semanas");
	assert_interval("es", 8640, "en 6 días");
	assert_interval("en", 0, "now");
	assert_interval("en", 1, "in 1 minute");
	assert_interval("en", 30, "in 30 minutes");
	assert_interval("en", 60, "in 1 hour");
	assert_interval("en", 180, "in 3 hours");
	assert_interval("en", 1440, "in 1 day");
	assert_interval("en", 4320, "in 3 days");
	assert_interval("en", 10080, "in 1 week");
	assert_interval("en", 40320, "in 4 weeks");
	char buf[8] = "x";
	cr_assert_eq(cal_format_interval("es", -5, buf, sizeof buf), CAL_E_INVALID);
	cr_assert_eq(cal_format_interval("es", 30, buf, sizeof buf), CAL_E_TOO_LARGE);
	cr_assert_str_eq(buf, "x");
	char big[64];
	cr_assert_eq(cal_format_interval("es", INT64_MAX, big, sizeof big), 0);
}

Test(format, answers)
{
	cr_assert_str_eq(cal_format_answer("es", CAL_PARTSTAT_ACCEPTED), "aceptó");
	cr_assert_str_eq(cal_format_answer("es", CAL_PARTSTAT_DECLINED), "rechazó");
	cr_assert_str_eq(cal_format_answer("es", CAL_PARTSTAT_TENTATIVE), "respondió «quizás»");
	cr_assert_str_eq(cal_format_answer("es", CAL_PARTSTAT_NEEDS_ACTION),
			 "aún no ha respondido");
	cr_assert_str_eq(cal_format_answer("en", CAL_PARTSTAT_ACCEPTED), "accepted");
	cr_assert_str_eq(cal_format_answer("en", CAL_PARTSTAT_DECLINED), "declined");
	cr_assert_str_eq(cal_format_answer("en", CAL_PARTSTAT_TENTATIVE), "tentatively accepted");
	cr_assert_str_eq(cal_format_answer("en", CAL_PARTSTAT_NEEDS_ACTION),
			 "has not answered yet");
	cr_assert_str_eq(cal_format_answer(NULL, CAL_PARTSTAT_ACCEPTED), "aceptó");
	cr_assert_null(cal_format_answer("es", (enum cal_partstat)42));
}

Test(format, language_choice)
{
	cr_assert_str_eq(cal_notify_lang(NULL), "es");
	cr_assert_str_eq(cal_notify_lang(""), "es");
	cr_assert_str_eq(cal_notify_lang("es"), "es");
	cr_assert_str_eq(cal_notify_lang("pt-BR"), "es");
	cr_assert_str_eq(cal_notify_lang("en"), "en");
	cr_assert_str_eq(cal_notify_lang("EN-gb"), "en");
	cr_assert_str_eq(cal_notify_lang("en_US"), "en");
	cr_assert_str_eq(cal_notify_lang("eng"), "es");
}
