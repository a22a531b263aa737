/*
 * Recurring events: RFC 5545 recurrence rules (RRULE), the spec's structured
 * recurrenceConfig, and the expansion of a series into instances in UTC.
 *
 * A rule is parsed once into an immutable struct cal_rule. A series binds a
 * rule to a start (the wall clock of DTSTART in the event's IANA zone), a
 * duration and the excluded starts (EXDATE). Expansion works on wall-clock
 * values in the series' zone and converts each instance to UTC with the
 * system tz database (base/tz.h), so 09:00 stays 09:00 on both sides of a DST
 * change; a wall time that does not exist or exists twice is read as RFC 5545
 * section 3.3.5 says (a gap takes the offset from before it, an overlap is its
 * first occurrence).
 *
 * The rule engine is calendarD's own, over plain civil-day arithmetic: every
 * FREQ from HOURLY to YEARLY with every BYxxx part, BYSETPOS and WKST. It
 * does not use libical's iterator, which iterates zoned times through ICU's
 * stale zone data, resolves gaps and overlaps against section 3.3.5, and can
 * loop without bound inside one call on a rule that never matches; libical
 * stays the reference the unit tests compare the engine against.
 *
 * Semantics worth knowing:
 * - DTSTART is an instance only when the rule produces it (as in libical and
 *   python-dateutil): "FREQ=WEEKLY;BYDAY=MO" started on a Tuesday begins on
 *   the following Monday. COUNT counts the instances the rule produces.
 * - Where the rule leaves a part open, DTSTART fills it: the time of day, the
 *   weekday of WEEKLY, the day of MONTHLY, the month and day of YEARLY, the
 *   weekday of a YEARLY BYWEEKNO, and the month of a YEARLY BYMONTHDAY given
 *   without BYMONTH (as libical and ical4j read it).
 * - Invalid dates are skipped, never moved: BYMONTHDAY=31 skips 30-day
 *   months, a YEARLY rule from February 29 recurs in leap years only.
 * - BYWEEKNO numbers weeks as ISO 8601 does, but with WKST as the first day of
 *   the week; a YEARLY period holds the days of its calendar year.
 * - A UTC UNTIL is compared with the instances' UTC instants; a floating
 *   UNTIL with their wall clock; a DATE UNTIL includes its whole day.
 * - Instances come out in UTC order. Two wall times that land on the same
 *   instant (a time in a gap and the time one gap-length later) are one
 *   instance, as RFC 5545 counts duplicates once.
 * - All-day series expand on dates (no zone, no time of day); floating series
 *   (tz NULL) expand on wall-clock times. Both report their instants as the
 *   wall clock read as UTC, and windows for them are given the same way.
 * - Instances are produced up to the year 9999 at most.
 *
 * Limits: COUNT, INTERVAL and the rule text are capped (struct
 * cal_rule_limits); a rule may start at most CAL_RULE_TIMES_MAX times a day;
 * and no call examines more than search_steps_max consecutive periods (a
 * year, month, week, day or hour, whatever FREQ is) without finding an
 * instance. Together they bound the work of every call: no rule can make the
 * caller spin. cal_series_check tells a client up front when its rule never
 * produces an instance.
 *
 * Errors: 0 or a negative CAL_E_* code. Validation failures are CAL_E_INVALID
 * with a client-facing detail in struct cal_error (static strings).
 *
 * Thread-safety: a struct cal_rule is immutable and may be shared between
 * threads; every other function works on its arguments only. Nothing here
 * does I/O, logs or keeps global state.
 */
#ifndef CAL_MODEL_RECURRENCE_H
#define CAL_MODEL_RECURRENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/civil.h"
#include "base/errors.h"
#include "base/tz.h"

enum cal_rrule_type { CAL_RRULE_DAILY, CAL_RRULE_WEEKLY, CAL_RRULE_MONTHLY, CAL_RRULE_YEARLY };
enum cal_end_type { CAL_END_FOREVER, CAL_END_COUNT, CAL_END_UNTIL };
enum cal_month_by { CAL_MONTH_BY_DATE, CAL_MONTH_BY_DAY };

/* The spec's weekday bitmask. */
enum {
	CAL_WEEKDAY_MO = 1,
	CAL_WEEKDAY_TU = 2,
	CAL_WEEKDAY_WE = 4,
	CAL_WEEKDAY_TH = 8,
	CAL_WEEKDAY_FR = 16,
	CAL_WEEKDAY_SA = 32,
	CAL_WEEKDAY_SU = 64,
	CAL_WEEKDAY_ALL = 127,
};

/* Wire names ("daily", "forever", "date", ...); *_parse returns -1 for an
 * unknown name. */
const char *cal_rrule_type_name(enum cal_rrule_type v);
int cal_rrule_type_parse(const char *s);
const char *cal_end_type_name(enum cal_end_type v);
int cal_end_type_parse(const char *s);
const char *cal_month_by_name(enum cal_month_by v);
int cal_month_by_parse(const char *s);

/* The spec's structured rule. Fields that do not apply to rrule_type are
 * ignored; zero means "from the start" where noted. */
struct cal_recurrence_config {
	enum cal_rrule_type rrule_type;
	int interval; /* >= 1 */
	enum cal_end_type end_type;
	int count;          /* CAL_END_COUNT: 1..count_max */
	int32_t until_date; /* CAL_END_UNTIL: days since 1970-01-01, inclusive, in the event's zone */
	unsigned weekdays;  /* WEEKLY, MONTHLY by day: CAL_WEEKDAY_* bits; 0 = the start's weekday */
	enum cal_month_by month_by;
	int day_of_month;  /* MONTHLY by date: 1..31; 0 = the start's day */
	int week_of_month; /* MONTHLY by day: 1..4, 5 = last; 0 = the start's week */
};

/* A parsed, validated rule. Immutable; safe to share between threads. */
struct cal_rule;

/* At most this many start times a day (BYHOUR x BYMINUTE x BYSECOND): one a
 * minute. */
#define CAL_RULE_TIMES_MAX 1440

struct cal_rule_limits {
	unsigned count_max;        /* largest COUNT accepted */
	unsigned interval_max;     /* largest INTERVAL accepted */
	unsigned search_steps_max; /* periods examined in a row without an instance */
	unsigned text_max;         /* bytes of RRULE text */
};

#define CAL_RULE_LIMITS_DEFAULT                                                         \
	{                                                                               \
		.count_max = 5000, .interval_max = 1000, .search_steps_max = 100000,    \
		.text_max = 4096                                                        \
	}

/* Parses "FREQ=WEEKLY;BYDAY=MO,WE" (with or without a leading "RRULE:",
 * names and values in any case) strictly by RFC 5545 section 3.3.10 and
 * validates it: each part at most once, FREQ required and HOURLY..YEARLY,
 * INTERVAL 1..interval_max, COUNT 1..count_max and not with UNTIL, every
 * BYxxx value in range and allowed with its FREQ, BYSETPOS only with another
 * BYxxx part, BYMONTHDAY possible in the BYMONTH months. lim NULL means
 * CAL_RULE_LIMITS_DEFAULT; the rule keeps a copy of it. Free *ret_rule with
 * cal_rule_free. Whether the rule ever produces an instance depends on the
 * series' start: see cal_series_check. */
int cal_rule_parse(const char *text, const struct cal_rule_limits *lim, struct cal_rule **ret_rule,
		   struct cal_error *err);

/* Builds the rule of a structured config for a series starting at wall clock
 * *start_local in tz (NULL: floating) or on its date (all_day). The start
 * fills the defaults (see struct cal_recurrence_config); until_date becomes
 * an UNTIL at the end of that local day: a UTC instant for a zoned series, a
 * floating time for a floating one, a DATE for an all-day one. Also runs
 * cal_series_check's probe. Errors name "recurrenceConfig.<field>". */
int cal_rule_from_config(const struct cal_recurrence_config *cfg, const struct cal_civil *start_local,
			 const struct cal_tz *tz, bool all_day, const struct cal_rule_limits *lim,
			 struct cal_rule **ret_rule, struct cal_error *err);

/* The structured form of a rule for a series starting at *start_local in tz
 * (NULL: floating) or on its date (all_day), with every default filled in.
 * CAL_E_INVALID when the structured form cannot say what the rule says
 * (HOURLY, BYHOUR, BYSETPOS other than "2nd Tuesday", BYMONTHDAY=-1, ...). */
int cal_rule_to_config(const struct cal_rule *r, const struct cal_civil *start_local,
		       const struct cal_tz *tz, bool all_day, struct cal_recurrence_config *ret_cfg);

/* The canonical RRULE text (no "RRULE:" prefix; parts in a fixed order,
 * values sorted, defaults omitted), malloc'd; NULL when out of memory.
 * cal_rule_parse of the text gives back an equal rule. */
char *cal_rule_format(const struct cal_rule *r);

/* True when the rule ends by COUNT or UNTIL. */
bool cal_rule_is_finite(const struct cal_rule *r);

/* Accepts NULL. */
void cal_rule_free(struct cal_rule *r);
static inline void cal_rule_freep(struct cal_rule **r)
{
	cal_rule_free(*r);
}

/* A series to expand. Everything is borrowed for the duration of a call. */
struct cal_series {
	const struct cal_rule *rule;
	/* DTSTART's wall clock in tz; for all-day series only the date counts. */
	struct cal_civil start_local;
	const struct cal_tz *tz; /* NULL: floating; ignored for all-day series */
	bool all_day;
	int64_t duration; /* seconds, >= 0; all-day: days * 86400 */
	/* Original starts to leave out (EXDATE), compared with
	 * cal_instance.start; for an all-day series the date's midnight read as
	 * UTC. Any order; sorted ascending is faster. */
	const int64_t *exdates;
	size_t n_exdates;
};

/* One instance. start is its original start as a UTC instant (floating and
 * all-day: the wall clock read as UTC) and names the instance; end = start +
 * duration. local is the wall clock the rule produced: in a DST gap that is a
 * time that does not exist (02:30), whose instant start is 03:30 EDT. */
struct cal_instance {
	int64_t start, end;
	struct cal_civil local;
};

/* Called for each instance; a non-zero return stops the expansion, and the
 * expansion returns that value. */
typedef int (*cal_instance_fn)(const struct cal_instance *inst, void *ctx);

/* Checks that the series can be expanded and that its rule produces at least
 * one instance (within search_steps_max periods of the start): a bad
 * duration or start, time-of-day parts (BYHOUR, HOURLY, ...) on an all-day
 * series, an UNTIL before the start and rules that never match ("BYMONTH=2;
 * BYMONTHDAY=30", "FREQ=MONTHLY" from the 31st with "BYMONTH=4,6") are
 * CAL_E_INVALID with a detail for the field "rrule". */
int cal_series_check(const struct cal_series *s, struct cal_error *err);

/* Calls fn, in order of start, for every instance that overlaps [from, to):
 * start < to and (end > from, or start >= from for a zero-length one).
 * Without COUNT the walk starts at the period containing the window, however
 * old the series; with COUNT it counts from DTSTART (at most count_max
 * instances) but converts only instances near the window. Returns 0 when
 * done, fn's value when fn stopped it, CAL_E_INVALID for a series that
 * cal_series_check would refuse or when the search budget runs out. */
int cal_series_expand(const struct cal_series *s, int64_t from, int64_t to, cal_instance_fn fn,
		      void *ctx);

/* Like cal_series_expand but for the instances that start in [from, to):
 * resume a page that ended with an instance starting at t with from = t + 1. */
int cal_series_expand_starts(const struct cal_series *s, int64_t from, int64_t to,
			     cal_instance_fn fn, void *ctx);

/* The end of the last instance (for the store's series_end column), or
 * *ret_forever = true (and *ret_end = INT64_MAX) when the rule has neither
 * COUNT nor UNTIL. A series with no instance left reports the start instant
 * of DTSTART: nothing ends after it. */
int cal_series_last_end(const struct cal_series *s, int64_t *ret_end, bool *ret_forever);

/* The first instance starting at or after t (alarms). CAL_E_NOT_FOUND when
 * there is none. */
int cal_series_next(const struct cal_series *s, int64_t t, struct cal_instance *ret);

/* Splits a series at the instance that starts at `at` ("this and following"):
 * *ret_before is the rule for the instances before it (NULL when there are
 * none), *ret_after the rule for a new series whose DTSTART is that
 * instance's cal_instance.local (NULL when no instance starts at or after
 * at). COUNT is shared out between the two; otherwise the first gets an UNTIL
 * just before `at` in the series' own form (UTC, floating or DATE). */
int cal_series_split(const struct cal_series *s, int64_t at, struct cal_rule **ret_before,
		     struct cal_rule **ret_after);

#endif
