/*
 * Proleptic Gregorian date arithmetic; see civil.h for the contract.
 *
 * The day <-> date conversions follow the structure of Howard Hinnant's
 * "chrono-compatible low-level date algorithms": shift the year to start on
 * March 1 so that the leap day is the last day of the year, then split the
 * timeline into 400-year eras of exactly 146097 days. Inside an era every
 * quantity is non-negative, so plain integer division is exact and the only
 * care needed is flooring the era itself for dates before year 0.
 */
#include "base/civil.h"

#include <errno.h>

enum { SECONDS_PER_DAY = 86400, DAYS_PER_ERA = 146097 };

/* Day 0 of the March-based era 0 (0000-03-01) is this many days before
 * 1970-01-01. */
enum { DAYS_0000_03_01_TO_EPOCH = 719468 };

bool cal_civil_is_leap_year(int64_t year)
{
	return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int cal_civil_days_in_month(int64_t year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && cal_civil_is_leap_year(year))
		return 29;
	return days[month - 1];
}

bool cal_civil_valid(const struct cal_civil *c)
{
	if (!c)
		return false;
	if (c->year < CAL_CIVIL_YEAR_MIN || c->year > CAL_CIVIL_YEAR_MAX)
		return false;
	if (c->month < 1 || c->month > 12)
		return false;
	if (c->day < 1 || c->day > cal_civil_days_in_month(c->year, c->month))
		return false;
	return c->hour >= 0 && c->hour <= 23 && c->minute >= 0 && c->minute <= 59 &&
	       c->second >= 0 && c->second <= 60;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t cal_civil_days_from_date(int64_t year, int month, int day)
{
	int64_t y = month <= 2 ? year - 1 : year;
	int64_t era = floor_div(y, 400);
	int64_t year_of_era = y - era * 400;                         /* [0, 399] */
	int64_t march_month = month > 2 ? month - 3 : month + 9;     /* Mar = 0 */
	int64_t day_of_year = (153 * march_month + 2) / 5 + day - 1; /* [0, 365] */
	int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
	return era * DAYS_PER_ERA + day_of_era - DAYS_0000_03_01_TO_EPOCH;
}

void cal_civil_date_from_days(int64_t days, int64_t *ret_year, int *ret_month, int *ret_day)
{
	int64_t z = days + DAYS_0000_03_01_TO_EPOCH;
	int64_t era = floor_div(z, DAYS_PER_ERA);
	int64_t day_of_era = z - era * DAYS_PER_ERA; /* [0, 146096] */
	/* The corrections undo the leap days of the 4-, 100- and 400-year cycles
	 * so that a plain division by 365 gives the year of the era. */
	int64_t year_of_era =
	    (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
	int64_t day_of_year =
	    day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	int64_t march_month = (5 * day_of_year + 2) / 153;
	int month = (int)(march_month < 10 ? march_month + 3 : march_month - 9);

	*ret_year = year_of_era + era * 400 + (month <= 2);
	*ret_month = month;
	*ret_day = (int)(day_of_year - (153 * march_month + 2) / 5 + 1);
}

int cal_civil_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday. */
	int64_t w = (days % 7 + 4 + 7) % 7;
	return (int)w;
}

int cal_civil_to_epoch_utc(const struct cal_civil *c, int64_t *ret_epoch)
{
	if (!cal_civil_valid(c))
		return -EINVAL;
	int64_t days = cal_civil_days_from_date(c->year, c->month, c->day);
	*ret_epoch = days * SECONDS_PER_DAY + c->hour * 3600 + c->minute * 60 + c->second;
	return 0;
}

int cal_epoch_to_civil_utc(int64_t epoch, struct cal_civil *ret_civil)
{
	if (epoch < CAL_CIVIL_EPOCH_MIN || epoch > CAL_CIVIL_EPOCH_MAX)
		return -ERANGE;
	int64_t days = floor_div(epoch, SECONDS_PER_DAY);
	int64_t secs = epoch - days * SECONDS_PER_DAY;
	int64_t year;
	int month, day;

	cal_civil_date_from_days(days, &year, &month, &day);
	*ret_civil = (struct cal_civil){
	    .year = (int)year,
	    .month = month,
	    .day = day,
	    .hour = (int)(secs / 3600),
	    .minute = (int)(secs / 60 % 60),
	    .second = (int)(secs % 60),
	};
	return 0;
}
