/*
 * Series expansion: the period engine's wall-clock times turned into UTC
 * instances, cut by COUNT, UNTIL, EXDATE and a query window.
 *
 * Every public function here is one "walk": a cursor started at the period
 * that holds the first wall time of interest (at DTSTART when COUNT must be
 * counted), each wall time converted with base/tz.h (RFC 5545 3.3.5 for gaps
 * and overlaps), and a sink that decides what to do with the instance.
 *
 * Wall-clock order is UTC order but for one wrinkle: a wall time inside a
 * DST gap maps to an instant that the wall times of the next gap-length
 * after the gap also reach (New York 02:30 on the spring-forward day is 07:30Z,
 * and so is 03:30). Such gap instances wait in a small queue until a later
 * instance shows that nothing before them can still come; an exact duplicate
 * is dropped, since RFC 5545 counts an instance once.
 *
 * Instants are within OFFSET_BOUND of their wall time read as UTC, which is
 * how a UTC window or UNTIL becomes a range of wall times to look at.
 */
#include <stdlib.h>
#include <string.h>

#include "base/macro.h"
#include "model/recurrence_internal.h"

typedef int (*walk_sink)(const struct cal_instance *inst, void *ctx);

struct walk {
	const struct cal_series *s;
	const struct cal_rule *r;
	const struct cal_tz *tz; /* NULL: wall times are the instants */
	struct pattern pat;
	struct cursor cur;
	int64_t lb, stop;    /* walls below lb are skipped, walls from stop end the walk */
	int64_t until_wall;  /* no wall after this can be within UNTIL */
	int64_t seen;        /* instances the rule produced, for COUNT */
	bool raw;            /* every instance of the rule: no EXDATE, no dedup */
	bool exdates_sorted;
	struct cal_instance *pending;
	size_t npending, cap;
	walk_sink sink;
	void *ctx;
};

static int64_t sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

static int64_t sat_sub(int64_t a, int64_t b)
{
	return b == INT64_MIN ? sat_add(sat_add(a, INT64_MAX), 1) : sat_add(a, -b);
}

static bool series_zoned(const struct cal_series *s)
{
	return s->tz && !s->all_day;
}

static int64_t until_wall(const struct cal_rule *r, bool zoned)
{
	switch (r->until_kind) {
	case UNTIL_UTC:
		return zoned ? sat_add(r->until, OFFSET_BOUND) : r->until;
	case UNTIL_LOCAL:
		return r->until;
	case UNTIL_DATE:
		return (r->until + 1) * SECONDS_PER_DAY - 1;
	case UNTIL_NONE:
		break;
	}
	return INT64_MAX;
}

static bool sorted_ascending(const int64_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (v[i - 1] > v[i])
			return false;
	return true;
}

/* Prepares a walk over the walls in [lb, stop). CAL_E_INVALID for a series
 * that cannot be expanded. */
static int walk_init(struct walk *w, const struct cal_series *s, int64_t lb, int64_t stop,
		     walk_sink sink, void *ctx)
{
	if (!s || !s->rule || s->duration < 0 || s->duration > CAL_TZ_UTC_LIMIT ||
	    (s->n_exdates > 0 && !s->exdates))
		return CAL_E_INVALID;
	int rc = pattern_init(&w->pat, s->rule, &s->start_local, s->all_day);
	if (rc < 0)
		return rc;
	w->s = s;
	w->r = s->rule;
	w->tz = series_zoned(s) ? s->tz : NULL;
	w->lb = lb;
	w->stop = stop;
	w->until_wall = until_wall(s->rule, w->tz != NULL);
	w->seen = 0;
	w->raw = false;
	w->exdates_sorted = sorted_ascending(s->exdates, s->n_exdates);
	w->pending = NULL;
	w->npending = w->cap = 0;
	w->sink = sink;
	w->ctx = ctx;
	/* COUNT needs every instance from DTSTART; without it, start where the
	 * walls of interest begin. */
	cursor_init(&w->cur, &w->pat, s->rule->count > 0 ? 0 : pattern_period_of(&w->pat, lb));
	return 0;
}

static void walk_release(struct walk *w)
{
	free(w->pending);
	w->pending = NULL;
}

static bool excluded(const struct walk *w, int64_t start)
{
	const int64_t *v = w->s->exdates;
	size_t n = w->s->n_exdates;
	if (!w->exdates_sorted) {
		for (size_t i = 0; i < n; i++)
			if (v[i] == start)
				return true;
		return false;
	}
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo] == start;
}

/* The instance of a wall time; *ret_gap when the wall time does not exist
 * in the zone (its instant is read with the offset from before the gap). */
static int walk_convert(const struct walk *w, int64_t wall, struct cal_instance *ret,
			bool *ret_gap)
{
	struct cal_civil c;
	if (cal_epoch_to_civil_utc(wall, &c) < 0)
		return CAL_E_INVALID;
	int64_t start = wall;
	bool gap = false;
	if (w->tz) {
		int32_t offset;
		if (cal_tz_local_to_utc(w->tz, &c, &start) < 0 ||
		    cal_tz_offset_at(w->tz, start, &offset, NULL) < 0)
			return CAL_E_INVALID;
		gap = wall - start != offset;
	}
	ret->start = start;
	ret->end = sat_add(start, w->s->duration);
	ret->local = c;
	*ret_gap = gap;
	return 0;
}

static int pending_insert(struct walk *w, const struct cal_instance *inst)
{
	if (w->npending == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 8;
		struct cal_instance *v = realloc(w->pending, cap * sizeof(*v));
		if (!v)
			return CAL_E_NOMEM;
		w->pending = v;
		w->cap = cap;
	}
	size_t i = w->npending;
	while (i > 0 && w->pending[i - 1].start > inst->start) {
		w->pending[i] = w->pending[i - 1];
		i--;
	}
	w->pending[i] = *inst;
	w->npending++;
	return 0;
}

static void pending_drop_front(struct walk *w, size_t n)
{
	if (n == 0)
		return;
	memmove(w->pending, w->pending + n, (w->npending - n) * sizeof(*w->pending));
	w->npending -= n;
}

/* Hands instances to the sink in UTC order, once each (see the top). A
 * gap instance only joins the queue: the wall times after the gap, which
 * may name the same instants, are still to come. */
static int walk_order(struct walk *w, const struct cal_instance *inst, bool gap)
{
	if (gap)
		return pending_insert(w, inst);
	size_t i = 0;
	int rc = 0;
	while (rc == 0 && i < w->npending && w->pending[i].start < inst->start)
		rc = w->sink(&w->pending[i++], w->ctx);
	pending_drop_front(w, i);
	if (rc != 0)
		return rc;
	/* The wall time after the gap names the instant as it is. */
	if (w->npending > 0 && w->pending[0].start == inst->start)
		pending_drop_front(w, 1);
	return w->sink(inst, w->ctx);
}

static int walk_step(struct walk *w, int64_t wall)
{
	struct cal_instance inst;
	bool gap;
	int rc = walk_convert(w, wall, &inst, &gap);
	if (rc < 0)
		return rc;
	if (w->r->until_kind == UNTIL_UTC && inst.start > w->r->until)
		return 0;
	if (w->raw)
		return w->sink(&inst, w->ctx);
	if (excluded(w, inst.start))
		return 0;
	return walk_order(w, &inst, gap);
}

static int walk_flush(struct walk *w)
{
	int rc = 0;
	size_t i = 0;
	while (rc == 0 && i < w->npending)
		rc = w->sink(&w->pending[i++], w->ctx);
	pending_drop_front(w, i);
	return rc;
}

/* Runs the walk to its end or until the sink returns non-zero. */
static int walk_run(struct walk *w)
{
	int64_t wall;
	int rc;
	while ((rc = cursor_next(&w->cur, &wall)) > 0) {
		if (w->r->count > 0 && ++w->seen > w->r->count)
			break;
		if (wall > w->until_wall || wall >= w->stop)
			break;
		if (wall < w->lb)
			continue;
		rc = walk_step(w, wall);
		if (rc != 0)
			return rc;
	}
	return rc < 0 ? rc : walk_flush(w);
}

/* walk_init + walk_run + walk_release. */
static int walk(const struct cal_series *s, int64_t lb, int64_t stop, bool raw, walk_sink sink,
		void *ctx)
{
	struct walk w;
	int rc = walk_init(&w, s, lb, stop, sink, ctx);
	if (rc < 0)
		return rc;
	w.raw = raw;
	rc = walk_run(&w);
	walk_release(&w);
	return rc;
}

/* ---- windows ---------------------------------------------------------------- */

struct window {
	int64_t from, to;
	bool starts_only;
	cal_instance_fn fn;
	void *ctx;
};

static int window_sink(const struct cal_instance *inst, void *ctx)
{
	const struct window *win = ctx;
	bool in = win->starts_only ? inst->start >= win->from && inst->start < win->to
				   : inst->start < win->to &&
					     (inst->end > win->from || inst->start >= win->from);
	return in ? win->fn(inst, win->ctx) : 0;
}

static int expand_window(const struct cal_series *s, struct window *win)
{
	if (!win->fn || win->from >= win->to)
		return s && s->rule ? 0 : CAL_E_INVALID;
	int64_t reach = win->starts_only ? 0 : (s ? s->duration : 0);
	int64_t lb = sat_sub(sat_sub(win->from, reach), OFFSET_BOUND);
	return walk(s, lb, sat_add(win->to, OFFSET_BOUND), false, window_sink, win);
}

int cal_series_expand(const struct cal_series *s, int64_t from, int64_t to, cal_instance_fn fn,
		      void *ctx)
{
	struct window win = { .from = from, .to = to, .fn = fn, .ctx = ctx };
	return expand_window(s, &win);
}

int cal_series_expand_starts(const struct cal_series *s, int64_t from, int64_t to,
			     cal_instance_fn fn, void *ctx)
{
	struct window win = { .from = from, .to = to, .starts_only = true, .fn = fn, .ctx = ctx };
	return expand_window(s, &win);
}

/* ---- single instances ----------------------------------------------------------- */

struct first {
	int64_t after; /* the first instance starting at or after this */
	bool found;
	struct cal_instance inst;
};

static int first_sink(const struct cal_instance *inst, void *ctx)
{
	struct first *f = ctx;
	if (inst->start < f->after)
		return 0;
	f->inst = *inst;
	f->found = true;
	return 1;
}

/* The first instance starting at or after t: 1 when found, 0 when none. */
static int find_first(const struct cal_series *s, int64_t t, bool raw, struct cal_instance *ret)
{
	struct first f = { .after = t };
	int rc = walk(s, sat_sub(t, OFFSET_BOUND), INT64_MAX, raw, first_sink, &f);
	if (rc < 0)
		return rc;
	if (f.found)
		*ret = f.inst;
	return f.found;
}

int cal_series_next(const struct cal_series *s, int64_t t, struct cal_instance *ret)
{
	struct cal_instance inst;
	int rc = find_first(s, t, false, &inst);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return CAL_E_NOT_FOUND;
	*ret = inst;
	return 0;
}

static const char *series_problem(const struct cal_series *s, const char **ret_field)
{
	*ret_field = "rrule";
	if (!s || !s->rule)
		return "a recurring event needs a rule";
	const struct cal_rule *r = s->rule;
	if (s->all_day && (r->freq == FREQ_HOURLY || (r->has & HAS_TIME_PARTS)))
		return "an all-day event cannot recur by the hour, minute or second";
	*ret_field = "startDatetime";
	struct cal_civil c = s->start_local;
	if (s->all_day)
		c.hour = c.minute = c.second = 0;
	if (!cal_civil_valid(&c) || c.second > 59)
		return "is not a valid start";
	*ret_field = "endDatetime";
	if (s->duration < 0 || s->duration > CAL_TZ_UTC_LIMIT)
		return "must not be before the start";
	*ret_field = "rrule";
	if (s->n_exdates > 0 && !s->exdates)
		return "the excluded dates are missing";
	return NULL;
}

int cal_series_check(const struct cal_series *s, struct cal_error *err)
{
	const char *field;
	const char *why = series_problem(s, &field);
	if (why)
		return cal_error_field(err, field, why);
	struct cal_instance inst;
	int rc = find_first(s, INT64_MIN, true, &inst);
	if (rc == CAL_E_NOMEM)
		return rc;
	if (rc > 0)
		return 0;
	if (rc == 0 && s->rule->until_kind != UNTIL_NONE)
		return cal_error_field(err, "rrule", "UNTIL comes before the first instance");
	return cal_error_field(err, "rrule", "the rule never produces an instance");
}

/* ---- the end of a series -------------------------------------------------------- */

struct latest {
	bool found;
	int64_t end;
};

static int latest_sink(const struct cal_instance *inst, void *ctx)
{
	struct latest *l = ctx;
	if (!l->found || inst->end > l->end)
		l->end = inst->end;
	l->found = true;
	return 0;
}

/* The first wall of period k that the rule can produce before UNTIL, or
 * INT64_MAX when there is none. */
static int64_t period_first_wall(const struct pattern *pat, const struct period *per,
				 int64_t bound)
{
	int64_t n = period_count(per);
	for (int64_t i = 0; i < n; i++) {
		int64_t wall = period_wall(pat, per, i);
		if (wall >= pat->start_wall)
			return wall <= bound ? wall : INT64_MAX;
	}
	return INT64_MAX;
}

/* UNTIL without COUNT: walk the periods back from UNTIL to the last one
 * that has an instance, then forward from a little before it to find the
 * latest end (EXDATE may have removed them all: then keep going back). */
static int last_end_until(const struct cal_series *s, struct latest *l)
{
	struct walk w;
	int rc = walk_init(&w, s, INT64_MIN, INT64_MAX, latest_sink, l);
	if (rc < 0)
		return rc;
	walk_release(&w);
	int64_t stop = INT64_MAX;
	unsigned steps = 0;
	struct period per;
	for (int64_t k = pattern_period_of(&w.pat, w.until_wall); k >= 0 && !l->found; k--) {
		if (++steps > s->rule->limits.search_steps_max)
			return CAL_E_INVALID;
		if (!pattern_period_load(&w.pat, k, &per))
			continue;
		int64_t first = period_first_wall(&w.pat, &per, w.until_wall);
		if (first == INT64_MAX)
			continue;
		int64_t lb = sat_sub(first, 2 * OFFSET_BOUND);
		rc = walk(s, lb, stop, false, latest_sink, l);
		if (rc < 0)
			return rc;
		stop = lb;
		steps = 0;
	}
	return 0;
}

static int start_instant(const struct cal_series *s, int64_t *ret)
{
	struct walk w;
	int rc = walk_init(&w, s, INT64_MIN, INT64_MAX, latest_sink, NULL);
	if (rc < 0)
		return rc;
	walk_release(&w);
	struct cal_instance inst;
	bool gap;
	rc = walk_convert(&w, w.pat.start_wall, &inst, &gap);
	if (rc == 0)
		*ret = inst.start;
	return rc;
}

int cal_series_last_end(const struct cal_series *s, int64_t *ret_end, bool *ret_forever)
{
	if (!s || !s->rule)
		return CAL_E_INVALID;
	if (!cal_rule_is_finite(s->rule)) {
		*ret_end = INT64_MAX;
		*ret_forever = true;
		return 0;
	}
	struct latest l = { 0 };
	int rc = s->rule->count > 0 ? walk(s, INT64_MIN, INT64_MAX, false, latest_sink, &l)
				    : last_end_until(s, &l);
	if (rc == 0 && !l.found)
		rc = start_instant(s, &l.end);
	if (rc < 0)
		return rc;
	*ret_end = l.end;
	*ret_forever = false;
	return 0;
}

/* ---- splitting ------------------------------------------------------------------- */

struct tally {
	int64_t before; /* instances starting before this */
	int64_t n;
};

/* Counts rather than stops at the first later instance: raw walks are in
 * wall-clock order, which a DST gap may shuffle. */
static int tally_sink(const struct cal_instance *inst, void *ctx)
{
	struct tally *t = ctx;
	if (inst->start < t->before)
		t->n++;
	return 0;
}

static struct cal_rule *rule_copy(const struct cal_rule *r)
{
	struct cal_rule *c = malloc(sizeof(*c));
	if (c)
		*c = *r;
	return c;
}

/* The rule of the instances before `at`: COUNT cut to n_before, or an UNTIL
 * one second before `at` in the form the series' DTSTART calls for. */
static struct cal_rule *rule_before(const struct cal_series *s, int64_t at, int64_t n_before,
				    bool has_after)
{
	struct cal_rule *r = rule_copy(s->rule);
	if (!r || !has_after)
		return r;
	if (r->count > 0) {
		r->count = (int)n_before;
	} else if (s->all_day) {
		r->until_kind = UNTIL_DATE;
		r->until = floor_div64(at - 1, SECONDS_PER_DAY);
	} else {
		r->until_kind = s->tz ? UNTIL_UTC : UNTIL_LOCAL;
		r->until = at - 1;
	}
	return r;
}

int cal_series_split(const struct cal_series *s, int64_t at, struct cal_rule **ret_before,
		     struct cal_rule **ret_after)
{
	struct cal_instance first, next;
	int has_before = find_first(s, INT64_MIN, true, &first);
	if (has_before < 0)
		return has_before;
	has_before = has_before && first.start < at;
	int has_after = find_first(s, at, true, &next);
	if (has_after < 0)
		return has_after;
	struct tally t = { .before = at };
	if (s->rule->count > 0 && has_before) {
		int rc = walk(s, INT64_MIN, sat_add(at, OFFSET_BOUND), true, tally_sink, &t);
		if (rc < 0)
			return rc;
	}
	_cleanup_(cal_rule_freep) struct cal_rule *before =
		has_before ? rule_before(s, at, t.n, has_after) : NULL;
	_cleanup_(cal_rule_freep) struct cal_rule *after = has_after ? rule_copy(s->rule) : NULL;
	if ((has_before && !before) || (has_after && !after))
		return CAL_E_NOMEM;
	if (after && after->count > 0)
		after->count -= (int)t.n;
	*ret_before = TAKE_PTR(before);
	*ret_after = TAKE_PTR(after);
	return 0;
}
