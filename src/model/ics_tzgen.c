/*
 * VTIMEZONE generation from the tz engine, for export.
 *
 * base/tz.h answers "which offset at instant t" but does not list
 * transitions, so they are found by stepping two days at a time through the
 * years asked for (from the year before the first one, so the observance in
 * force at its start is there too) and bisecting each step whose offset or
 * DST flag changes, to the second. Two transitions within one step would be
 * missed: the closest pair in the tz database between 1800 and 2400 is
 * almost four days apart (Africa/Freetown, 1939; since 1945 about a week).
 *
 * Transitions are then grouped into yearly runs of the same kind: same
 * offsets, month, weekday, wall-clock time, and either the same week of the
 * month (2SU) or always the last one (-1SU). A run of two or more becomes a
 * STANDARD or DAYLIGHT with an RRULE, with a COUNT unless it lasts until
 * the end of the scan (the zone's current rule, which its TZif footer
 * continues for ever). Transitions that fit no run (Morocco's Ramadan
 * breaks, one-off changes) are grouped by kind and offsets into one
 * observance each with RDATEs. A zone without transitions in the range gets
 * a single STANDARD.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/ics_internal.h"

/* Bounds the scan: 200 years in steps of two days is 36,500 offset
 * look-ups. Later years follow the zone's last rule (open-ended RRULEs). */
enum { SCAN_YEARS_MAX = 200, SCAN_STEP = 2 * 86400 };

struct state {
	int32_t offset;
	bool dst;
};

struct transition {
	int64_t utc;
	int32_t from, to;
	bool dst;
	struct cal_civil local; /* the onset's wall clock, in the old offset */
	int run;                /* index into runs */
};

struct run {
	size_t first, last, count; /* indices into the transitions */
	int nth;                   /* common week of the month, 0 if none */
	bool last_week;            /* always the last week of the month */
	bool open;                 /* still in force at the end of the scan */
};

struct tzgen {
	struct ics_writer *w;
	const struct cal_tz *tz;
	struct transition *v;
	size_t n, cap;
	struct run *runs;
	size_t n_runs;
	int year_last;
};

static struct state state_at(const struct cal_tz *tz, int64_t t)
{
	struct state s = { 0 };
	(void)cal_tz_offset_at(tz, t, &s.offset, &s.dst);
	return s;
}

static bool same(struct state a, struct state b)
{
	return a.offset == b.offset && a.dst == b.dst;
}

static int push(struct tzgen *g, int64_t at, struct state before, struct state after)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 64;
		struct transition *v = realloc(g->v, cap * sizeof(*v));
		if (!v)
			return CAL_E_NOMEM;
		g->v = v;
		g->cap = cap;
	}
	struct transition *t = &g->v[g->n];
	*t = (struct transition){ .utc = at, .from = before.offset, .to = after.offset,
				  .dst = after.dst };
	if (cal_epoch_to_civil_utc(at + before.offset, &t->local) < 0)
		return 0; /* out of the writable years: leave it out */
	g->n++;
	return 0;
}

static int scan(struct tzgen *g, int year_first, int year_last)
{
	int64_t t = cal_civil_days_from_date(year_first, 1, 1) * 86400;
	int64_t end = cal_civil_days_from_date(year_last + 1, 1, 1) * 86400;
	struct state cur = state_at(g->tz, t);
	for (; t < end; t += SCAN_STEP) {
		struct state next = state_at(g->tz, t + SCAN_STEP);
		if (same(cur, next))
			continue;
		int64_t lo = t, hi = t + SCAN_STEP;
		while (hi - lo > 1) {
			int64_t mid = lo + (hi - lo) / 2;
			*(same(state_at(g->tz, mid), cur) ? &lo : &hi) = mid;
		}
		int rc = push(g, hi, cur, next);
		if (rc < 0)
			return rc;
		cur = next;
	}
	return 0;
}

/* ---- grouping ------------------------------------------------------------- */

static int week_of(const struct cal_civil *c)
{
	return (c->day - 1) / 7 + 1;
}

static bool in_last_week(const struct cal_civil *c)
{
	return c->day + 7 > cal_civil_days_in_month(c->year, c->month);
}

static int weekday(const struct cal_civil *c)
{
	return cal_civil_weekday(cal_civil_days_from_date(c->year, c->month, c->day));
}

/* Whether t can follow the run's last transition a year later. */
static bool extends(const struct tzgen *g, const struct run *r, const struct transition *t)
{
	const struct transition *p = &g->v[r->last];
	const struct cal_civil *a = &p->local, *b = &t->local;
	if (p->dst != t->dst || p->from != t->from || p->to != t->to)
		return false;
	if (b->year != a->year + 1 || b->month != a->month || weekday(a) != weekday(b))
		return false;
	if (a->hour != b->hour || a->minute != b->minute || a->second != b->second)
		return false;
	return (r->nth && r->nth == week_of(b)) || (r->last_week && in_last_week(b));
}

static void assign(struct tzgen *g, size_t i)
{
	struct transition *t = &g->v[i];
	for (size_t k = 0; k < g->n_runs; k++) {
		struct run *r = &g->runs[k];
		if (!extends(g, r, t))
			continue;
		r->nth = r->nth == week_of(&t->local) ? r->nth : 0;
		r->last_week = r->last_week && in_last_week(&t->local);
		r->last = i;
		r->count++;
		t->run = (int)k;
		return;
	}
	g->runs[g->n_runs] = (struct run){ .first = i, .last = i, .count = 1,
					   .nth = week_of(&t->local),
					   .last_week = in_last_week(&t->local) };
	t->run = (int)g->n_runs++;
}

static int group(struct tzgen *g)
{
	g->runs = calloc(g->n ? g->n : 1, sizeof(*g->runs));
	if (!g->runs)
		return CAL_E_NOMEM;
	for (size_t i = 0; i < g->n; i++)
		assign(g, i);
	for (size_t k = 0; k < g->n_runs; k++) {
		struct run *r = &g->runs[k];
		r->open = r->count > 1 && g->v[r->last].local.year >= g->year_last;
	}
	return 0;
}

/* ---- writing -------------------------------------------------------------- */

static void put_offset(struct ics_writer *w, const char *name, int32_t off)
{
	int32_t a = off < 0 ? -off : off;
	char text[8];
	int h = a / 3600, m = a / 60 % 60, s = a % 60;
	const char *sign = off < 0 ? "-" : "+";
	if (s)
		(void)snprintf(text, sizeof(text), "%s%02d%02d%02d", sign, h % 100, m, s);
	else
		(void)snprintf(text, sizeof(text), "%s%02d%02d", sign, h % 100, m);
	ics_w_line(w, name, text);
}

static void put_rrule(struct ics_writer *w, const struct tzgen *g, const struct run *r)
{
	static const char *const days[] = { "SU", "MO", "TU", "WE", "TH", "FR", "SA" };
	const struct cal_civil *c = &g->v[r->first].local;
	char text[96];
	int n = snprintf(text, sizeof(text), "FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", c->month,
			 r->last_week ? -1 : r->nth, days[weekday(c)]);
	/* COUNT rather than UNTIL: RFC 5545 wants a UTC UNTIL here, which some
	 * readers (python-icalendar with dateutil) cannot pair with a local
	 * DTSTART; a count says the same without the question. */
	if (!r->open)
		(void)snprintf(text + n, sizeof(text) - (size_t)n, ";COUNT=%zu", r->count);
	ics_w_line(w, "RRULE", text);
}

static void put_observance_head(struct ics_writer *w, const struct transition *t)
{
	ics_w_line(w, "BEGIN", t->dst ? "DAYLIGHT" : "STANDARD");
	put_offset(w, "TZOFFSETFROM", t->from);
	put_offset(w, "TZOFFSETTO", t->to);
	ics_w_begin(w, "DTSTART");
	ics_w_datetime(w, &t->local, ICS_DT_LOCAL);
	ics_w_end(w);
}

/* Single transitions of the same kind and offsets as v[i], after it. */
static bool same_single(const struct tzgen *g, size_t i, size_t j)
{
	const struct transition *a = &g->v[i], *b = &g->v[j];
	return b->run >= 0 && g->runs[b->run].count == 1 && a->dst == b->dst && a->from == b->from &&
	       a->to == b->to;
}

static void put_singles(struct ics_writer *w, struct tzgen *g, size_t i)
{
	put_observance_head(w, &g->v[i]);
	for (size_t j = i + 1; j < g->n; j++) {
		if (!same_single(g, i, j))
			continue;
		ics_w_begin(w, "RDATE");
		ics_w_datetime(w, &g->v[j].local, ICS_DT_LOCAL);
		ics_w_end(w);
		g->v[j].run = -1; /* written */
	}
	ics_w_line(w, "END", g->v[i].dst ? "DAYLIGHT" : "STANDARD");
}

static void put_observances(struct ics_writer *w, struct tzgen *g)
{
	for (size_t i = 0; i < g->n; i++) {
		const struct transition *t = &g->v[i];
		if (t->run < 0 || (g->runs[t->run].count > 1 && g->runs[t->run].first != i))
			continue;
		if (g->runs[t->run].count == 1) {
			put_singles(w, g, i);
			continue;
		}
		put_observance_head(w, t);
		put_rrule(w, g, &g->runs[t->run]);
		ics_w_line(w, "END", t->dst ? "DAYLIGHT" : "STANDARD");
	}
}

/* No transition in the range: one STANDARD with the offset in force. */
static void put_fixed(struct ics_writer *w, const struct cal_tz *tz, int year)
{
	struct state s = state_at(tz, cal_civil_days_from_date(year, 7, 1) * 86400);
	struct transition t = { .from = s.offset, .to = s.offset,
				.local = { .year = 1970, .month = 1, .day = 1 } };
	put_observance_head(w, &t);
	ics_w_line(w, "END", "STANDARD");
}

void ics_w_vtimezone(struct ics_writer *w, const struct cal_tz *tz, int year_min, int year_max)
{
	int first = year_min - 1 < CAL_CIVIL_YEAR_MIN ? CAL_CIVIL_YEAR_MIN : year_min - 1;
	int last = year_max + 1 > CAL_CIVIL_YEAR_MAX ? CAL_CIVIL_YEAR_MAX : year_max + 1;
	if (last - first >= SCAN_YEARS_MAX)
		last = first + SCAN_YEARS_MAX - 1;
	struct tzgen g = { .w = w, .tz = tz, .year_last = last };
	int rc = w->rc ? w->rc : scan(&g, first, last);
	rc = rc < 0 ? rc : group(&g);
	if (rc < 0) {
		ics_w_fail(w, rc);
	} else {
		ics_w_line(w, "BEGIN", "VTIMEZONE");
		ics_w_line(w, "TZID", cal_tz_name(tz));
		ics_w_line(w, "X-LIC-LOCATION", cal_tz_name(tz));
		if (g.n)
			put_observances(w, &g);
		else
			put_fixed(w, tz, year_min);
		ics_w_line(w, "END", "VTIMEZONE");
	}
	free(g.v);
	free(g.runs);
}
