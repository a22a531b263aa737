/*
 * The period engine: which wall-clock times a rule produces, period by
 * period (see recurrence_internal.h).
 *
 * Days are day numbers (base/civil.h); a month's candidate days are a 64-bit
 * mask (bit d = day d), a year's a 384-bit one (bit n = day of year n), so
 * BYMONTH, BYWEEKNO, BYYEARDAY, BYMONTHDAY and BYDAY are intersections of
 * masks, which is RFC 5545's expand-then-limit table read as sets (the
 * reading python-dateutil uses too). Empty periods are skipped in jumps where
 * BYMONTH says no day of a month can match, so a DAILY or HOURLY rule
 * limited to February 29 costs a few steps a year rather than one a day or
 * an hour; everything else advances one period at a time, within the
 * search_steps_max budget.
 */
#include <stdlib.h>
#include <string.h>

#include "model/recurrence_internal.h"

/* Bits 0, 7, 14, 21, 28: one weekday's days in a month, from its first. */
#define EVERY_7TH UINT64_C(0x10204081)

static int64_t last_day(void)
{
	return cal_civil_days_from_date(CAL_CIVIL_YEAR_MAX, 12, 31);
}

static int64_t ceil_div_pos(int64_t a, int64_t b)
{
	return a <= 0 ? 0 : (a + b - 1) / b;
}

static int year_length(int64_t year)
{
	return cal_civil_is_leap_year(year) ? 366 : 365;
}

/* ---- set-up ---------------------------------------------------------------- */

static uint64_t bit_or(unsigned has_flag, unsigned has, uint64_t given, int dtstart_value)
{
	return (has & has_flag) ? given : UINT64_C(1) << dtstart_value;
}

/* The time-of-day list: BYHOUR x BYMINUTE x BYSECOND, DTSTART's values where
 * a part is absent; for HOURLY the hour comes from the period instead. */
static void pattern_times(struct pattern *p, const struct cal_civil *c)
{
	const struct cal_rule *r = p->r;
	bool hourly = r->freq == FREQ_HOURLY;
	uint64_t hours = hourly ? 1 : bit_or(HAS_HOUR, r->has, r->by_hour, c->hour);
	uint64_t minutes = bit_or(HAS_MINUTE, r->has, r->by_minute, c->minute);
	uint64_t seconds = bit_or(HAS_SECOND, r->has, r->by_second, c->second);
	p->hours = hourly ? ((r->has & HAS_HOUR) ? r->by_hour : 0xffffffu) : 0;
	p->ntod = 0;
	/* Set bits come out in ascending order, so the list is sorted. */
	for (uint64_t hb = hours; hb; hb &= hb - 1) {
		for (uint64_t mb = minutes; mb; mb &= mb - 1) {
			for (uint64_t sb = seconds; sb && p->ntod < CAL_RULE_TIMES_MAX; sb &= sb - 1)
				p->tod[p->ntod++] = __builtin_ctzll(hb) * 3600 +
						    __builtin_ctzll(mb) * 60 + __builtin_ctzll(sb);
		}
	}
}

/* DTSTART supplies what the rule leaves open (RFC 5545 3.3.10: "information,
 * not contained in the rule, necessary to determine the various recurrence
 * instance start time and dates are derived from the Start Time"). */
static void pattern_defaults(struct pattern *p)
{
	const unsigned days = HAS_DAY | HAS_MONTHDAY | HAS_YEARDAY | HAS_WEEKNO;
	switch (p->r->freq) {
	case FREQ_YEARLY:
		if (!(p->has & days)) {
			p->mday_pos = UINT32_C(1) << p->start_mday;
			p->has |= HAS_MONTHDAY;
		}
		/* A month day without a month is in DTSTART's month, as libical
		 * and ical4j read it (python-dateutil takes every month). */
		if ((p->has & (HAS_MONTHDAY | HAS_MONTH | HAS_YEARDAY | HAS_WEEKNO)) == HAS_MONTHDAY) {
			p->months = (uint16_t)(1u << (p->start_month - 1));
			p->has |= HAS_MONTH;
		}
		if ((p->has & days) == HAS_WEEKNO) {
			p->wdays = (uint8_t)(1u << p->start_wday);
			p->has |= HAS_DAY;
		}
		break;
	case FREQ_MONTHLY:
		if (!(p->has & (HAS_DAY | HAS_MONTHDAY))) {
			p->mday_pos = UINT32_C(1) << p->start_mday;
			p->has |= HAS_MONTHDAY;
		}
		break;
	case FREQ_WEEKLY:
		if (!(p->has & HAS_DAY)) {
			p->wdays = (uint8_t)(1u << p->start_wday);
			p->has |= HAS_DAY;
		}
		break;
	case FREQ_DAILY:
	case FREQ_HOURLY:
		break;
	}
}

static void pattern_base(struct pattern *p, int64_t day, int hour)
{
	int64_t interval = p->r->interval;
	p->step = interval;
	switch (p->r->freq) {
	case FREQ_YEARLY:
		p->base = p->start_year;
		break;
	case FREQ_MONTHLY:
		p->base = (int64_t)p->start_year * 12 + p->start_month - 1;
		break;
	case FREQ_WEEKLY:
		p->base = day - (p->start_wday - p->r->wkst + 7) % 7;
		p->step = 7 * interval;
		break;
	case FREQ_DAILY:
		p->base = day;
		break;
	case FREQ_HOURLY:
		p->base = day * 24 + hour;
		break;
	}
}

int pattern_init(struct pattern *p, const struct cal_rule *r, const struct cal_civil *start,
		 bool all_day)
{
	struct cal_civil c = *start;
	if (all_day) {
		c.hour = c.minute = c.second = 0;
		if (r->freq == FREQ_HOURLY || (r->has & HAS_TIME_PARTS))
			return CAL_E_INVALID;
	}
	if (!cal_civil_valid(&c) || c.second > 59)
		return CAL_E_INVALID;
	int64_t day = civil_day(&c);
	p->r = r;
	p->start_wall = day * SECONDS_PER_DAY + c.hour * 3600 + c.minute * 60 + c.second;
	p->start_year = c.year;
	p->start_month = c.month;
	p->start_mday = c.day;
	p->start_wday = cal_civil_weekday(day);
	p->has = r->has;
	p->months = r->by_month;
	p->wdays = r->by_wday;
	p->mday_pos = r->by_mday_pos;
	pattern_defaults(p);
	pattern_base(p, day, c.hour);
	pattern_times(p, &c);
	return 0;
}

int64_t pattern_period_of(const struct pattern *p, int64_t wall)
{
	if (wall <= p->start_wall)
		return 0;
	int64_t day = floor_div64(wall, SECONDS_PER_DAY), year, unit;
	int month, mday;
	cal_civil_date_from_days(day, &year, &month, &mday);
	switch (p->r->freq) {
	case FREQ_YEARLY:
		unit = year;
		break;
	case FREQ_MONTHLY:
		unit = year * 12 + month - 1;
		break;
	case FREQ_HOURLY:
		unit = floor_div64(wall, 3600);
		break;
	default:
		unit = day;
		break;
	}
	return floor_div64(unit - p->base, p->step);
}

/* ---- day masks -------------------------------------------------------------- */

static bool month_allowed(const struct pattern *p, int month)
{
	return !(p->has & HAS_MONTH) || ((p->months >> (month - 1)) & 1);
}


static uint64_t monthday_bits(const struct pattern *p, int dim)
{
	uint64_t m = p->mday_pos;
	for (uint32_t b = p->r->by_mday_neg; b; b &= b - 1) {
		int n = __builtin_ctz(b);
		if (n <= dim)
			m |= UINT64_C(1) << (dim + 1 - n);
	}
	return m;
}

/* Days 1..len of a month starting on weekday wd1 that BYDAY picks, numbered
 * BYDAY (2TU, -1SU) counted within the month. */
static uint64_t weekday_bits(const struct pattern *p, int wd1, int len)
{
	uint64_t m = 0;
	for (int wd = 0; wd < 7; wd++) {
		int first = 1 + (wd - wd1 + 7) % 7;
		if ((p->wdays >> wd) & 1)
			m |= EVERY_7TH << first;
		int last = first + 7 * ((len - first) / 7);
		for (uint64_t b = p->r->by_nth_pos[wd]; b; b &= b - 1) {
			int d = first + 7 * (__builtin_ctzll(b) - 1);
			if (d <= len)
				m |= UINT64_C(1) << d;
		}
		for (uint64_t b = p->r->by_nth_neg[wd]; b; b &= b - 1) {
			int d = last - 7 * (__builtin_ctzll(b) - 1);
			if (d >= 1)
				m |= UINT64_C(1) << d;
		}
	}
	return m;
}

/* The days of a month that BYMONTHDAY and (when by_day) BYDAY pick. */
static uint64_t month_mask(const struct pattern *p, int64_t year, int month, int64_t first,
			   bool by_day)
{
	int dim = cal_civil_days_in_month(year, month);
	uint64_t all = (UINT64_C(2) << dim) - 2;
	uint64_t m = all;
	if (p->has & HAS_MONTHDAY)
		m &= monthday_bits(p, dim);
	if (by_day && (p->has & HAS_DAY))
		m &= weekday_bits(p, cal_civil_weekday(first), dim);
	return m;
}

static void bits384_fill(struct bits384 *b, int len)
{
	b->w[0] = ~UINT64_C(1);
	for (int i = 1; i < 5; i++)
		b->w[i] = ~UINT64_C(0);
	b->w[5] = (UINT64_C(1) << (len - 319)) - 1;
}

static void bits384_and(struct bits384 *a, const struct bits384 *b)
{
	for (int i = 0; i < 6; i++)
		a->w[i] &= b->w[i];
}

/* Year-long BYDAY: plain weekdays, and numbered ones counted in the year. */
static void year_weekdays(const struct pattern *p, int wd1, int len, struct bits384 *out)
{
	for (int wd = 0; wd < 7; wd++) {
		int first = 1 + (wd - wd1 + 7) % 7;
		if ((p->wdays >> wd) & 1) {
			for (int d = first; d <= len; d += 7)
				bits384_set(out, d);
		}
		int last = first + 7 * ((len - first) / 7);
		for (uint64_t b = p->r->by_nth_pos[wd]; b; b &= b - 1) {
			int d = first + 7 * (__builtin_ctzll(b) - 1);
			if (d <= len)
				bits384_set(out, d);
		}
		for (uint64_t b = p->r->by_nth_neg[wd]; b; b &= b - 1) {
			int d = last - 7 * (__builtin_ctzll(b) - 1);
			if (d >= 1)
				bits384_set(out, d);
		}
	}
}

/* Monday (or WKST) of week 1: the week holding January 4th, as in ISO 8601. */
static int64_t week1_start(int64_t year, int wkst)
{
	int64_t jan4 = cal_civil_days_from_date(year, 1, 4);
	return jan4 - (cal_civil_weekday(jan4) - wkst + 7) % 7;
}

/* BYWEEKNO: the days of this calendar year whose week, in their own
 * week-numbering year, is listed (week 1 of next year may start in late
 * December, the last week of last year may end in early January). */
static void year_weeknos(const struct pattern *p, int64_t year, int64_t jan1, int len,
			 struct bits384 *out)
{
	const struct cal_rule *r = p->r;
	for (int64_t wy = year - 1; wy <= year + 1; wy++) {
		int64_t w1 = week1_start(wy, r->wkst);
		int nweeks = (int)((week1_start(wy + 1, r->wkst) - w1) / 7);
		for (int n = 1; n <= nweeks; n++) {
			if (!((r->by_wno_pos >> n) & 1) && !((r->by_wno_neg >> (nweeks + 1 - n)) & 1))
				continue;
			for (int i = 0; i < 7; i++) {
				int64_t doy = w1 + 7 * (n - 1) + i - jan1 + 1;
				if (doy >= 1 && doy <= len)
					bits384_set(out, (int)doy);
			}
		}
	}
}

static void year_yeardays(const struct cal_rule *r, int len, struct bits384 *out)
{
	*out = r->by_yday_pos;
	for (int i = 0; i < 6; i++) {
		for (uint64_t b = r->by_yday_neg.w[i]; b; b &= b - 1) {
			int n = i * 64 + __builtin_ctzll(b);
			if (n <= len)
				bits384_set(out, len + 1 - n);
		}
	}
}

/* BYMONTH and BYMONTHDAY, plus BYDAY counted within months when BYMONTH is
 * given (RFC 5545: "within the month" with BYMONTH, "within the year"
 * without). */
static void year_months(const struct pattern *p, int64_t year, int64_t jan1, struct bits384 *out)
{
	bool in_month = p->r->has & HAS_MONTH;
	for (int m = 1; m <= 12; m++) {
		if (!month_allowed(p, m))
			continue;
		int64_t first = cal_civil_days_from_date(year, m, 1);
		for (uint64_t b = month_mask(p, year, m, first, in_month); b; b &= b - 1)
			bits384_set(out, (int)(first - jan1) + __builtin_ctzll(b));
	}
}

static void year_days(const struct pattern *p, int64_t year, struct period *per)
{
	int64_t jan1 = cal_civil_days_from_date(year, 1, 1);
	int len = year_length(year);
	struct bits384 acc, part;
	bits384_fill(&acc, len);
	if (p->has & (HAS_MONTH | HAS_MONTHDAY)) {
		memset(&part, 0, sizeof(part));
		year_months(p, year, jan1, &part);
		bits384_and(&acc, &part);
	}
	if ((p->has & HAS_DAY) && !(p->r->has & HAS_MONTH)) {
		memset(&part, 0, sizeof(part));
		year_weekdays(p, cal_civil_weekday(jan1), len, &part);
		bits384_and(&acc, &part);
	}
	if (p->has & HAS_WEEKNO) {
		memset(&part, 0, sizeof(part));
		year_weeknos(p, year, jan1, len, &part);
		bits384_and(&acc, &part);
	}
	if (p->has & HAS_YEARDAY) {
		year_yeardays(p->r, len, &part);
		bits384_and(&acc, &part);
	}
	for (int i = 0; i < 6; i++)
		for (uint64_t b = acc.w[i]; b; b &= b - 1)
			per->days[per->nd++] = (int32_t)(jan1 - 1 + i * 64 + __builtin_ctzll(b));
}

/* ---- the other frequencies ---------------------------------------------------- */

static void month_days(const struct pattern *p, int64_t mi, struct period *per)
{
	int64_t year = floor_div64(mi, 12);
	int month = (int)(mi - year * 12) + 1;
	if (!month_allowed(p, month))
		return;
	int64_t first = cal_civil_days_from_date(year, month, 1);
	for (uint64_t b = month_mask(p, year, month, first, true); b; b &= b - 1)
		per->days[per->nd++] = (int32_t)(first - 1 + __builtin_ctzll(b));
}

static void week_days(const struct pattern *p, int64_t first, struct period *per)
{
	int64_t end = last_day();
	for (int i = 0; i < 7 && first + i <= end; i++) {
		if (!((p->wdays >> ((p->r->wkst + i) % 7)) & 1))
			continue;
		int64_t year;
		int month, mday;
		cal_civil_date_from_days(first + i, &year, &month, &mday);
		if (month_allowed(p, month))
			per->days[per->nd++] = (int32_t)(first + i);
	}
}

static bool yearday_ok(const struct cal_rule *r, int64_t year, int64_t day)
{
	int len = year_length(year);
	int doy = (int)(day - cal_civil_days_from_date(year, 1, 1)) + 1;
	return bits384_has(&r->by_yday_pos, doy) || bits384_has(&r->by_yday_neg, len + 1 - doy);
}

/* DAILY and HOURLY: BYMONTH, BYMONTHDAY, BYDAY and BYYEARDAY limit. */
static bool day_ok(const struct pattern *p, int64_t day)
{
	unsigned has = p->has;
	if ((has & HAS_DAY) && !((p->wdays >> cal_civil_weekday(day)) & 1))
		return false;
	if (!(has & (HAS_MONTH | HAS_MONTHDAY | HAS_YEARDAY)))
		return true;
	int64_t year;
	int month, mday;
	cal_civil_date_from_days(day, &year, &month, &mday);
	if (!month_allowed(p, month))
		return false;
	if ((has & HAS_MONTHDAY) &&
	    !((monthday_bits(p, cal_civil_days_in_month(year, month)) >> mday) & 1))
		return false;
	return !(has & HAS_YEARDAY) || yearday_ok(p->r, year, day);
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

/* BYSETPOS: positions within the period's candidates, 1-based from the
 * start or from the end; sorted, duplicates dropped. */
static void period_select(const struct cal_rule *r, struct period *per)
{
	per->use_sel = true;
	per->nsel = 0;
	for (int i = 0; i < 6; i++) {
		for (uint64_t b = r->by_setpos_pos.w[i]; b; b &= b - 1) {
			int v = i * 64 + __builtin_ctzll(b);
			if (v <= per->n)
				per->sel[per->nsel++] = v - 1;
		}
		for (uint64_t b = r->by_setpos_neg.w[i]; b; b &= b - 1) {
			int v = i * 64 + __builtin_ctzll(b);
			if (v <= per->n)
				per->sel[per->nsel++] = (int32_t)(per->n - v);
		}
	}
	qsort(per->sel, (size_t)per->nsel, sizeof(per->sel[0]), cmp_i32);
	int out = 0;
	for (int i = 0; i < per->nsel; i++)
		if (out == 0 || per->sel[i] != per->sel[out - 1])
			per->sel[out++] = per->sel[i];
	per->nsel = out;
}

static bool load_days(const struct pattern *p, int64_t unit, struct period *per)
{
	int64_t end = last_day();
	switch (p->r->freq) {
	case FREQ_YEARLY:
		if (unit > CAL_CIVIL_YEAR_MAX)
			return false;
		year_days(p, unit, per);
		return true;
	case FREQ_MONTHLY:
		if (unit > (int64_t)CAL_CIVIL_YEAR_MAX * 12 + 11)
			return false;
		month_days(p, unit, per);
		return true;
	case FREQ_WEEKLY:
		if (unit > end)
			return false;
		week_days(p, unit, per);
		return true;
	case FREQ_DAILY:
		if (unit > end)
			return false;
		if (day_ok(p, unit))
			per->days[per->nd++] = (int32_t)unit;
		return true;
	case FREQ_HOURLY:
		break;
	}
	int64_t day = floor_div64(unit, 24);
	int hour = (int)(unit - day * 24);
	if (day > end)
		return false;
	if (((p->hours >> hour) & 1) && day_ok(p, day)) {
		per->days[per->nd++] = (int32_t)day;
		per->hour_offset = hour * 3600;
	}
	return true;
}

bool pattern_period_load(const struct pattern *p, int64_t k, struct period *per)
{
	per->k = k;
	per->nd = 0;
	per->hour_offset = 0;
	per->use_sel = false;
	per->nsel = 0;
	per->n = 0;
	if (!load_days(p, p->base + k * p->step, per))
		return false;
	per->n = (int64_t)per->nd * p->ntod;
	if (p->has & HAS_SETPOS)
		period_select(p->r, per);
	return true;
}

int64_t period_count(const struct period *per)
{
	return per->use_sel ? per->nsel : per->n;
}

int64_t period_wall(const struct pattern *p, const struct period *per, int64_t i)
{
	int64_t q = per->use_sel ? per->sel[i] : i;
	int64_t di = p->ntod == 1 ? q : q / p->ntod;
	int64_t ti = p->ntod == 1 ? 0 : q % p->ntod;
	return (int64_t)per->days[di] * SECONDS_PER_DAY + per->hour_offset + p->tod[ti];
}

/* ---- skipping empty periods --------------------------------------------------- */

/* The first day of the first BYMONTH month after the month of `day`. */
static int64_t next_month_start(const struct pattern *p, int64_t day)
{
	int64_t year;
	int month, mday;
	cal_civil_date_from_days(day, &year, &month, &mday);
	for (int i = 1; i <= 12; i++) {
		int m = (month - 1 + i) % 12 + 1;
		if (month_allowed(p, m))
			return cal_civil_days_from_date(year + (month - 1 + i) / 12, m, 1);
	}
	return day + 1;
}

static bool day_month_allowed(const struct pattern *p, int64_t day)
{
	int64_t year;
	int month, mday;
	cal_civil_date_from_days(day, &year, &month, &mday);
	return month_allowed(p, month);
}

/* After period k came out empty: the next period that could match. */
static int64_t pattern_skip(const struct pattern *p, int64_t k)
{
	int64_t unit = p->base + k * p->step, target;
	bool by_month = p->has & HAS_MONTH;
	switch (p->r->freq) {
	case FREQ_DAILY:
		if (!by_month || day_month_allowed(p, unit))
			return k + 1;
		target = next_month_start(p, unit);
		break;
	case FREQ_HOURLY: {
		int64_t day = floor_div64(unit, 24);
		if (day_ok(p, day))
			return k + 1;
		bool month_ok = !by_month || day_month_allowed(p, day);
		target = (month_ok ? day + 1 : next_month_start(p, day)) * 24;
		break;
	}
	case FREQ_WEEKLY:
		if (!by_month || day_month_allowed(p, unit) || day_month_allowed(p, unit + 6))
			return k + 1;
		target = next_month_start(p, unit + 6) - 6;
		break;
	case FREQ_MONTHLY: {
		int month = (int)(unit - floor_div64(unit, 12) * 12) + 1;
		if (month_allowed(p, month))
			return k + 1;
		int i = 1;
		while (i < 12 && !month_allowed(p, (month - 1 + i) % 12 + 1))
			i++;
		target = unit + i;
		break;
	}
	default:
		return k + 1;
	}
	int64_t next = ceil_div_pos(target - p->base, p->step);
	return next > k ? next : k + 1;
}

/* ---- the cursor ------------------------------------------------------------- */

void cursor_init(struct cursor *c, const struct pattern *p, int64_t k)
{
	c->p = p;
	c->per.k = k - 1;
	c->per.nd = 0;
	c->per.n = 0;
	c->per.use_sel = false;
	c->per.nsel = 0;
	c->next = 0;
	c->empty = 0;
	c->done = false;
	c->k_load = k;
}

static int cursor_advance(struct cursor *c)
{
	int64_t k = c->k_load;
	if (!pattern_period_load(c->p, k, &c->per)) {
		c->done = true;
		return 0;
	}
	c->next = 0;
	c->k_load = period_count(&c->per) > 0 ? k + 1 : pattern_skip(c->p, k);
	if (++c->empty > c->p->r->limits.search_steps_max)
		return CAL_E_INVALID;
	return 1;
}

int cursor_next(struct cursor *c, int64_t *ret_wall)
{
	for (;;) {
		while (c->next < period_count(&c->per)) {
			int64_t wall = period_wall(c->p, &c->per, c->next++);
			if (wall < c->p->start_wall)
				continue;
			c->empty = 0;
			*ret_wall = wall;
			return 1;
		}
		if (c->done)
			return 0;
		int rc = cursor_advance(c);
		if (rc <= 0)
			return rc;
	}
}
