/*
 * Civil (calendar) time arithmetic in the proleptic Gregorian calendar,
 * independent of any time zone.
 *
 * Everything here is pure: no allocation, no locale, no libc time functions
 * (gmtime/timegm depend on the C library's time_t range and on TZ). Epoch
 * values are POSIX seconds since 1970-01-01T00:00:00Z without leap seconds.
 * Days are counted from the same epoch (1970-01-01 is day 0, earlier dates
 * are negative). The day <-> date conversions use Howard Hinnant's
 * era-based algorithms and are exact for every int64_t day we can produce
 * from a civil date; the struct-based functions are limited to years 1..9999,
 * the range iCalendar can express.
 *
 * Thread-safety: all functions are reentrant.
 */
#ifndef CAL_BASE_CIVIL_H
#define CAL_BASE_CIVIL_H

#include <stdbool.h>
#include <stdint.h>

/* A wall-clock date and time. month 1..12, day 1..31, hour 0..23,
 * minute 0..59, second 0..60 (60 is a leap second as RFC 5545 allows it;
 * since POSIX time has no leap seconds it converts like the next second). */
struct cal_civil {
	int year;
	int month;
	int day;
	int hour;
	int minute;
	int second;
};

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
#define CAL_CIVIL_EPOCH_MIN INT64_C(-62135596800)
#define CAL_CIVIL_EPOCH_MAX INT64_C(253402300799)

#define CAL_CIVIL_YEAR_MIN 1
#define CAL_CIVIL_YEAR_MAX 9999

bool cal_civil_is_leap_year(int64_t year);

/* Days in the month, or 0 when month is not 1..12. */
int cal_civil_days_in_month(int64_t year, int month);

/* True when every field is in range, the day exists in that month and the
 * year is CAL_CIVIL_YEAR_MIN..CAL_CIVIL_YEAR_MAX. NULL is not valid. */
bool cal_civil_valid(const struct cal_civil *c);

/* Days since 1970-01-01 of year-month-day. The caller guarantees month is
 * 1..12 and day 1..31; a day past the end of the month simply counts on into
 * the next one. Any year whose result fits in int64_t is fine. */
int64_t cal_civil_days_from_date(int64_t year, int month, int day);

/* Inverse of cal_civil_days_from_date for any int64_t day within
 * +-(INT64_MAX / 2); never fails. */
void cal_civil_date_from_days(int64_t days, int64_t *ret_year, int *ret_month, int *ret_day);

/* Day of the week of a day count: 0 = Sunday .. 6 = Saturday, the numbering
 * of struct tm and of POSIX TZ "Mm.w.d" rules. */
int cal_civil_weekday(int64_t days);

/* -EINVAL when !cal_civil_valid(c). */
int cal_civil_to_epoch_utc(const struct cal_civil *c, int64_t *ret_epoch);

/* -ERANGE when epoch is outside CAL_CIVIL_EPOCH_MIN..CAL_CIVIL_EPOCH_MAX. */
int cal_epoch_to_civil_utc(int64_t epoch, struct cal_civil *ret_civil);

#endif
