/*
 * The spec's structured recurrenceConfig <-> struct cal_rule.
 *
 * The two are kept in step: a structured rule is stored with the RRULE built
 * here, and an RRULE the structured form can say is shown in that form too.
 * The mapping (weekdays bit 1 = MO .. 64 = SU; weekOfMonth 5 = last):
 *
 *   daily                   FREQ=DAILY;INTERVAL=n
 *   weekly                  FREQ=WEEKLY;BYDAY=MO,WE
 *   monthly by date         FREQ=MONTHLY;BYMONTHDAY=15
 *   monthly by day          FREQ=MONTHLY;BYDAY=2TU (5 -> -1TU); also read
 *                           from BYDAY=TU;BYSETPOS=2 as Outlook writes it
 *   yearly                  FREQ=YEARLY (the start's month and day)
 *   count / until / forever COUNT=n / UNTIL=end of the until day / neither
 */
#include <string.h>

#include "base/macro.h"
#include "model/recurrence_internal.h"

/* The spec's bit i (0 = Monday) is civil weekday (i + 1) % 7. */
static uint8_t weekdays_to_civil(unsigned spec)
{
	uint8_t out = 0;
	for (int i = 0; i < 7; i++)
		if ((spec >> i) & 1)
			out |= (uint8_t)(1u << ((i + 1) % 7));
	return out;
}

static unsigned weekdays_from_civil(uint8_t civil)
{
	unsigned out = 0;
	for (int wd = 0; wd < 7; wd++)
		if ((civil >> wd) & 1)
			out |= 1u << ((wd + 6) % 7);
	return out;
}

static int start_tod(const struct cal_civil *start, bool all_day)
{
	return all_day ? 0 : start->hour * 3600 + start->minute * 60 + start->second;
}

/* ---- config -> rule --------------------------------------------------------- */

static const char *config_problem(const struct cal_recurrence_config *cfg,
				  const struct cal_rule_limits *lim, const char **ret_field)
{
	*ret_field = "recurrenceConfig.rruleType";
	if ((unsigned)cfg->rrule_type > CAL_RRULE_YEARLY)
		return "must be daily, weekly, monthly or yearly";
	*ret_field = "recurrenceConfig.interval";
	if (cfg->interval < 1 || (unsigned)cfg->interval > lim->interval_max)
		return "must be at least 1 and within the server's limit";
	*ret_field = "recurrenceConfig.endType";
	if ((unsigned)cfg->end_type > CAL_END_UNTIL)
		return "must be forever, count or until";
	*ret_field = "recurrenceConfig.count";
	if (cfg->end_type == CAL_END_COUNT &&
	    (cfg->count < 1 || (unsigned)cfg->count > lim->count_max))
		return "must be at least 1 and within the server's limit";
	*ret_field = "recurrenceConfig.weekdays";
	if (cfg->weekdays > CAL_WEEKDAY_ALL)
		return "must be a set of weekday bits (1 = Monday .. 64 = Sunday)";
	*ret_field = "recurrenceConfig.monthBy";
	if ((unsigned)cfg->month_by > CAL_MONTH_BY_DAY)
		return "must be date or day";
	*ret_field = "recurrenceConfig.dayOfMonth";
	if (cfg->day_of_month < 0 || cfg->day_of_month > 31)
		return "must be 1..31";
	*ret_field = "recurrenceConfig.weekOfMonth";
	if (cfg->week_of_month < 0 || cfg->week_of_month > 5)
		return "must be 1..4, or 5 for the last";
	return NULL;
}

static void config_days(struct cal_rule *r, const struct cal_recurrence_config *cfg,
			const struct cal_civil *start)
{
	int wday = cal_civil_weekday(civil_day(start));
	uint8_t wdays = cfg->weekdays ? weekdays_to_civil(cfg->weekdays) : (uint8_t)(1u << wday);
	if (cfg->rrule_type == CAL_RRULE_WEEKLY) {
		r->by_wday = wdays;
		r->has |= HAS_DAY;
	} else if (cfg->rrule_type == CAL_RRULE_MONTHLY && cfg->month_by == CAL_MONTH_BY_DATE) {
		r->by_mday_pos = UINT32_C(1) << (cfg->day_of_month ? cfg->day_of_month : start->day);
		r->has |= HAS_MONTHDAY;
	} else if (cfg->rrule_type == CAL_RRULE_MONTHLY) {
		int week = cfg->week_of_month ? cfg->week_of_month : (start->day - 1) / 7 + 1;
		for (int wd = 0; wd < 7; wd++) {
			if (!((wdays >> wd) & 1))
				continue;
			if (week == 5)
				r->by_nth_neg[wd] = UINT64_C(1) << 1;
			else
				r->by_nth_pos[wd] = UINT64_C(1) << week;
		}
		r->by_nth_any = true;
		r->has |= HAS_DAY;
	}
}

/* The end of local day `day` as the UNTIL the series' form calls for. */
static int config_until(struct cal_rule *r, int32_t day, const struct cal_tz *tz, bool all_day)
{
	if (all_day) {
		r->until_kind = UNTIL_DATE;
		r->until = day;
		return 0;
	}
	int64_t next_midnight = ((int64_t)day + 1) * SECONDS_PER_DAY;
	r->until_kind = tz ? UNTIL_UTC : UNTIL_LOCAL;
	r->until = next_midnight - 1;
	if (!tz)
		return 0;
	struct cal_civil c;
	if (cal_epoch_to_civil_utc(next_midnight, &c) < 0 || cal_tz_local_to_utc(tz, &c, &r->until) < 0)
		return CAL_E_INVALID;
	r->until--;
	return 0;
}

static int config_build(const struct cal_recurrence_config *cfg, const struct cal_civil *start,
			const struct cal_tz *tz, bool all_day, struct cal_rule *r,
			struct cal_error *err)
{
	static const enum rule_freq freqs[] = { FREQ_DAILY, FREQ_WEEKLY, FREQ_MONTHLY, FREQ_YEARLY };
	r->freq = freqs[cfg->rrule_type];
	r->interval = cfg->interval;
	config_days(r, cfg, start);
	if (cfg->end_type == CAL_END_COUNT)
		r->count = cfg->count;
	if (cfg->end_type != CAL_END_UNTIL)
		return 0;
	if (cfg->until_date < civil_day(start))
		return cal_error_field(err, "recurrenceConfig.until", "must not be before the start");
	if (config_until(r, cfg->until_date, tz, all_day) < 0)
		return cal_error_field(err, "recurrenceConfig.until", "is out of range");
	return 0;
}

int cal_rule_from_config(const struct cal_recurrence_config *cfg, const struct cal_civil *start_local,
			 const struct cal_tz *tz, bool all_day, const struct cal_rule_limits *lim,
			 struct cal_rule **ret_rule, struct cal_error *err)
{
	static const struct cal_rule_limits defaults = CAL_RULE_LIMITS_DEFAULT;
	const struct cal_rule_limits *limits = lim ? lim : &defaults;
	if (!cfg || !start_local || !cal_civil_valid(start_local))
		return cal_error_field(err, "startDatetime", "is not a valid start");
	const char *field;
	const char *why = config_problem(cfg, limits, &field);
	if (why)
		return cal_error_field(err, field, why);
	_cleanup_(cal_rule_freep) struct cal_rule *r = rule_new(limits);
	if (!r)
		return CAL_E_NOMEM;
	int rc = config_build(cfg, start_local, tz, all_day, r, err);
	if (rc < 0)
		return rc;
	rc = rule_validate(r, "recurrenceConfig", err);
	if (rc < 0)
		return rc;
	struct cal_series s = { .rule = r, .start_local = *start_local, .tz = tz, .all_day = all_day };
	struct cal_error probe = { 0 };
	rc = cal_series_check(&s, &probe);
	if (rc < 0)
		return rc == CAL_E_INVALID && probe.n_fields > 0
			       ? cal_error_field(err, "recurrenceConfig", probe.fields[0].detail)
			       : rc;
	*ret_rule = TAKE_PTR(r);
	return 0;
}

/* ---- rule -> config --------------------------------------------------------- */

static bool single_bit(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* One weekday's numbers as weekOfMonth: 1..4 for 1TU..4TU, 5 for -1TU, 0
 * for anything else. */
static int week_of(uint64_t pos, uint64_t neg)
{
	if (!neg && single_bit(pos) && pos <= (UINT64_C(1) << 4))
		return __builtin_ctzll(pos);
	if (!pos && neg == (UINT64_C(1) << 1))
		return 5;
	return 0;
}

/* BYDAY=2TU,2TH (one shared number, 1..4 or -1): *ret_week 1..5. */
static bool nth_weekdays(const struct cal_rule *r, unsigned *ret_days, int *ret_week)
{
	int week = 0;
	unsigned days = 0;
	for (int wd = 0; wd < 7; wd++) {
		if (!r->by_nth_pos[wd] && !r->by_nth_neg[wd])
			continue;
		int w = week_of(r->by_nth_pos[wd], r->by_nth_neg[wd]);
		if (w == 0 || (week && w != week))
			return false;
		week = w;
		days |= 1u << wd;
	}
	*ret_days = days;
	*ret_week = week;
	return week != 0;
}

/* BYDAY=TU;BYSETPOS=2 (or -1): Outlook's way to say 2TU. */
static bool setpos_weekday(const struct cal_rule *r, unsigned *ret_days, int *ret_week)
{
	const struct bits384 *pos = &r->by_setpos_pos, *neg = &r->by_setpos_neg;
	if (r->by_nth_any || !single_bit(r->by_wday))
		return false;
	bool pos_low = !pos->w[1] && !pos->w[2] && !pos->w[3] && !pos->w[4] && !pos->w[5];
	bool neg_low = !neg->w[1] && !neg->w[2] && !neg->w[3] && !neg->w[4] && !neg->w[5];
	int week = pos_low && neg_low ? week_of(pos->w[0], neg->w[0]) : 0;
	*ret_days = r->by_wday;
	*ret_week = week;
	return week != 0;
}

static int monthly_config(const struct cal_rule *r, const struct cal_civil *start,
			  struct cal_recurrence_config *c)
{
	unsigned days;
	int week;
	c->month_by = CAL_MONTH_BY_DATE;
	if (r->has == 0) {
		c->day_of_month = start->day;
	} else if (r->has == HAS_MONTHDAY && !r->by_mday_neg && single_bit(r->by_mday_pos)) {
		c->day_of_month = __builtin_ctz(r->by_mday_pos);
	} else if ((r->has == HAS_DAY && !r->by_wday && nth_weekdays(r, &days, &week)) ||
		   (r->has == (HAS_DAY | HAS_SETPOS) && setpos_weekday(r, &days, &week))) {
		c->month_by = CAL_MONTH_BY_DAY;
		c->weekdays = weekdays_from_civil((uint8_t)days);
		c->week_of_month = week;
	} else {
		return CAL_E_INVALID;
	}
	return 0;
}

static int weekly_config(const struct cal_rule *r, const struct cal_civil *start,
			 struct cal_recurrence_config *c)
{
	uint8_t start_wd = (uint8_t)(1u << cal_civil_weekday(civil_day(start)));
	uint8_t days = (r->has & HAS_DAY) ? r->by_wday : start_wd;
	if ((r->has & ~(unsigned)HAS_DAY) || r->by_nth_any)
		return CAL_E_INVALID;
	/* WKST decides which days share a week only when weeks are skipped. */
	if (r->interval > 1 && r->wkst != 1 && days != start_wd)
		return CAL_E_INVALID;
	c->weekdays = weekdays_from_civil(days);
	return 0;
}

static int yearly_config(const struct cal_rule *r, const struct cal_civil *start)
{
	uint16_t month = (uint16_t)(1u << (start->month - 1));
	if (r->has == 0 || (r->has == HAS_MONTH && r->by_month == month))
		return 0;
	if (r->has == (HAS_MONTH | HAS_MONTHDAY) && r->by_month == month && !r->by_mday_neg &&
	    r->by_mday_pos == UINT32_C(1) << start->day)
		return 0;
	return CAL_E_INVALID;
}

/* The local day whose end the UNTIL stands for: the day of UNTIL's wall
 * clock, or the day before when UNTIL falls earlier in its day than the
 * series' time of day (then that day's instance is already excluded). */
static int until_day(const struct cal_rule *r, const struct cal_civil *start,
		     const struct cal_tz *tz, bool all_day, int32_t *ret_day)
{
	if (r->until_kind == UNTIL_DATE) {
		*ret_day = (int32_t)r->until;
		return 0;
	}
	int64_t wall = r->until;
	if (r->until_kind == UNTIL_UTC && tz && !all_day) {
		struct cal_civil c;
		if (cal_tz_utc_to_local(tz, r->until, &c) < 0 || cal_civil_to_epoch_utc(&c, &wall) < 0)
			return CAL_E_INVALID;
	}
	int64_t day = floor_div64(wall, SECONDS_PER_DAY);
	if (wall - day * SECONDS_PER_DAY < start_tod(start, all_day))
		day--;
	*ret_day = (int32_t)day;
	return 0;
}

static int freq_config(const struct cal_rule *r, const struct cal_civil *start,
		       struct cal_recurrence_config *c)
{
	if (r->has & (HAS_TIME_PARTS | HAS_YEARDAY | HAS_WEEKNO))
		return CAL_E_INVALID;
	switch (r->freq) {
	case FREQ_DAILY:
		c->rrule_type = CAL_RRULE_DAILY;
		return r->has ? CAL_E_INVALID : 0;
	case FREQ_WEEKLY:
		c->rrule_type = CAL_RRULE_WEEKLY;
		return weekly_config(r, start, c);
	case FREQ_MONTHLY:
		c->rrule_type = CAL_RRULE_MONTHLY;
		return monthly_config(r, start, c);
	case FREQ_YEARLY:
		c->rrule_type = CAL_RRULE_YEARLY;
		return yearly_config(r, start);
	case FREQ_HOURLY:
		break;
	}
	return CAL_E_INVALID;
}

int cal_rule_to_config(const struct cal_rule *r, const struct cal_civil *start_local,
		       const struct cal_tz *tz, bool all_day, struct cal_recurrence_config *ret_cfg)
{
	if (!r || !start_local || !cal_civil_valid(start_local))
		return CAL_E_INVALID;
	struct cal_recurrence_config c = { .interval = r->interval };
	int rc = freq_config(r, start_local, &c);
	if (rc < 0)
		return rc;
	if (r->count > 0) {
		c.end_type = CAL_END_COUNT;
		c.count = r->count;
	} else if (r->until_kind != UNTIL_NONE) {
		c.end_type = CAL_END_UNTIL;
		rc = until_day(r, start_local, tz, all_day, &c.until_date);
		if (rc < 0)
			return rc;
	}
	*ret_cfg = c;
	return 0;
}
