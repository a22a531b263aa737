/*
 * The inside of struct cal_rule, shared by the recurrence_*.c files and by
 * nobody else. A rule is a set of bitmasks, one per BYxxx part, so that
 * parsing deduplicates and sorts for free and the expansion engine tests
 * membership with a shift.
 */
#ifndef CAL_MODEL_RECURRENCE_INTERNAL_H
#define CAL_MODEL_RECURRENCE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "model/recurrence.h"

enum rule_freq { FREQ_HOURLY, FREQ_DAILY, FREQ_WEEKLY, FREQ_MONTHLY, FREQ_YEARLY };

enum until_kind {
	UNTIL_NONE,
	UNTIL_UTC,   /* until is a UTC instant */
	UNTIL_LOCAL, /* until is a floating wall clock, read as UTC */
	UNTIL_DATE,  /* until is a day number, inclusive */
};

/* Which BYxxx parts the rule gave. */
enum {
	HAS_SECOND = 1 << 0,
	HAS_MINUTE = 1 << 1,
	HAS_HOUR = 1 << 2,
	HAS_DAY = 1 << 3,
	HAS_MONTHDAY = 1 << 4,
	HAS_YEARDAY = 1 << 5,
	HAS_WEEKNO = 1 << 6,
	HAS_MONTH = 1 << 7,
	HAS_SETPOS = 1 << 8,
	HAS_TIME_PARTS = HAS_SECOND | HAS_MINUTE | HAS_HOUR,
};

/* Bit n for n = 0..383: BYYEARDAY and BYSETPOS values 1..366. */
struct bits384 {
	uint64_t w[6];
};

static inline bool bits384_has(const struct bits384 *b, int n)
{
	return (b->w[n >> 6] >> (n & 63)) & 1;
}

static inline void bits384_set(struct bits384 *b, int n)
{
	b->w[n >> 6] |= UINT64_C(1) << (n & 63);
}

static inline bool bits384_any(const struct bits384 *b)
{
	return (b->w[0] | b->w[1] | b->w[2] | b->w[3] | b->w[4] | b->w[5]) != 0;
}

/* Weekdays are numbered as base/civil.h does: 0 = Sunday .. 6 = Saturday.
 * Negative BYxxx values live in a separate mask as their absolute value. */
struct cal_rule {
	enum rule_freq freq;
	int interval;
	int count; /* 0: no COUNT */
	enum until_kind until_kind;
	int64_t until;
	int wkst;
	unsigned has;
	uint64_t by_second; /* bit s, 0..59 */
	uint64_t by_minute; /* bit m, 0..59 */
	uint32_t by_hour;   /* bit h, 0..23 */
	uint16_t by_month;  /* bit m - 1 */
	uint8_t by_wday;    /* BYDAY without a number: bit per weekday */
	uint64_t by_nth_pos[7], by_nth_neg[7]; /* BYDAY=2TU, -1SU: bit n per weekday */
	bool by_nth_any;
	uint32_t by_mday_pos, by_mday_neg; /* bit d, 1..31 */
	uint64_t by_wno_pos, by_wno_neg;   /* bit n, 1..53 */
	struct bits384 by_yday_pos, by_yday_neg;
	struct bits384 by_setpos_pos, by_setpos_neg;
	struct cal_rule_limits limits;
};

enum {
	SECONDS_PER_DAY = 86400,
	/* Any UTC offset is strictly within (-25 h, +26 h) (RFC 8536), so an
	 * instant lies within this distance of its wall clock read as UTC. */
	OFFSET_BOUND = 26 * 3600,
};

/* Allocates a zeroed rule with defaults (INTERVAL=1, WKST=MO). */
struct cal_rule *rule_new(const struct cal_rule_limits *lim);
/* Static checks shared by the parser and the config builder; err gets the
 * detail under `field`. */
int rule_validate(const struct cal_rule *r, const char *field, struct cal_error *err);
/* The day number (days since 1970-01-01) of a civil date. */
int64_t civil_day(const struct cal_civil *c);
/* Floor division for possibly negative numerators. */
static inline int64_t floor_div64(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ---- the period engine (recurrence_pattern.c) ------------------------------
 *
 * RFC 5545 defines a rule's instances period by period: FREQ and INTERVAL
 * pick the periods (every 2nd month, ...), the BYxxx parts pick the days and
 * times inside each, BYSETPOS picks among those, and DTSTART cuts off what
 * comes before it. Each period is computed from its index alone, with civil
 * day arithmetic, so expansion can start at any period: near a query window
 * instead of at DTSTART, or walking backwards from UNTIL. Values are wall
 * clock times read as UTC ("walls"); base/tz.h turns them into instants. */

enum {
	PERIOD_DAYS_MAX = 366,
	SETPOS_MAX = 2 * 366,
};

/* A rule bound to its DTSTART, with the parts DTSTART fills in. */
struct pattern {
	const struct cal_rule *r;
	int64_t start_wall; /* DTSTART */
	int start_year, start_month, start_mday, start_wday;
	int64_t base;  /* period 0: a year, a month index (year * 12 + month - 1),
			* the first day of a week, a day or an hour index */
	int64_t step;  /* INTERVAL in base units (weeks count 7 days) */
	unsigned has;  /* r->has plus the parts filled from DTSTART */
	uint16_t months;
	uint8_t wdays;
	uint32_t mday_pos;
	uint32_t hours; /* HOURLY: the hours allowed */
	int32_t tod[CAL_RULE_TIMES_MAX]; /* ascending offsets into a day (into
					  * an hour for HOURLY) */
	int ntod;
};

/* One period's candidates: days x tod in that order, optionally thinned out
 * by BYSETPOS to the positions in sel. */
struct period {
	int64_t k;
	int32_t days[PERIOD_DAYS_MAX];
	int nd;
	int32_t hour_offset; /* HOURLY: seconds from midnight to the period */
	int64_t n;	     /* candidates: nd * ntod */
	bool use_sel;
	int32_t sel[SETPOS_MAX];
	int nsel;
};

/* Walks the instances of a pattern forward, one period at a time. */
struct cursor {
	const struct pattern *p;
	struct period per;
	int64_t next;	/* index into the period's candidates (or sel) */
	int64_t k_load; /* the period to load when this one is used up */
	unsigned empty; /* periods in a row without an instance */
	bool done;
};

/* CAL_E_INVALID when *start is not a valid date (and time). For an all-day
 * pattern the time of day is ignored and the rule must have no time parts. */
int pattern_init(struct pattern *p, const struct cal_rule *r, const struct cal_civil *start,
		 bool all_day);
/* The index of the period that contains wall; 0 for walls before DTSTART. */
int64_t pattern_period_of(const struct pattern *p, int64_t wall);
/* Computes period k; false when it lies past the year 9999. */
bool pattern_period_load(const struct pattern *p, int64_t k, struct period *per);
/* The wall of candidate i (an index into sel when the period uses it). */
int64_t period_wall(const struct pattern *p, const struct period *per, int64_t i);
/* How many candidates the period yields (nsel or n). */
int64_t period_count(const struct period *per);

void cursor_init(struct cursor *c, const struct pattern *p, int64_t k);
/* 1 and *ret_wall for the next instance, 0 at the end (year 9999), or
 * CAL_E_INVALID when search_steps_max periods in a row were empty. */
int cursor_next(struct cursor *c, int64_t *ret_wall);

#endif
