/* The textual forms of time on calendard's API: RFC 3339 instants (an
 * offset is mandatory on input; output is always UTC "Z") and plain
 * YYYY-MM-DD dates for all-day events. Pure functions, no zone data:
 * zone-aware conversion is base/tz.h's job. */
#ifndef CAL_MODEL_TIME_H
#define CAL_MODEL_TIME_H

#include <stdbool.h>
#include <stdint.h>

#include "base/civil.h"
#include "base/tz.h"

/* Years outside this range are refused: nothing on a calendar needs them,
 * and every later computation (recurrence, zones) stays bounded. */
enum { CAL_YEAR_MIN = 1900, CAL_YEAR_MAX = 2999 };

enum { CAL_INSTANT_TEXT = 21, CAL_DATE_TEXT = 11 };

/* Exactly n ASCII digits at s, as a number (RFC 3339 and iCalendar forms). */
bool cal_digits(const char *s, int n, int *ret);

/* "2026-12-01T09:00:00-06:00", "…Z", optional fraction (dropped). A missing
 * offset is an error: a bare local time is ambiguous. */
int cal_instant_parse(const char *text, int64_t *ret_utc);
void cal_instant_format(int64_t utc, char ret_text[CAL_INSTANT_TEXT]);

/* "2026-12-01" → days since 1970-01-01. */
int cal_date_parse(const char *text, int32_t *ret_days);
void cal_date_format(int32_t days, char ret_text[CAL_DATE_TEXT]);
static inline bool cal_looks_like_date(const char *text)
{
	return text && text[0] && text[4] == '-' && text[7] == '-' && text[10] == '\0';
}

/* Local midnight of `days` in zone `tz` as a UTC instant (RFC 5545 §3.3.5
 * for a midnight that falls in a gap). */
int cal_date_start_in_zone(const struct cal_tz *tz, int32_t days, int64_t *ret_utc);

#endif
