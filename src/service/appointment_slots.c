/* Free slots: the assignees' busy time read from their calendars (single
 * events, exceptions and expanded series), then the model's grid. */
#include <string.h>

#include "model/time.h"
#include "service/appointments_internal.h"
#include "service/busy_cache.h"
#include "service/events_internal.h"
#include "service/series.h"
#include "service/tx.h"

/* Busy intervals of one assignee, grown as they come. */
struct busy_list {
	struct cal_busy *items;
	size_t n, alloc;
};

static int busy_push(struct arena *a, struct busy_list *l, int64_t start, int64_t end)
{
	if (!l->items)
		l->alloc = 0;
	if (!(l->items = arena_grow(a, l->items, l->n, &l->alloc, sizeof *l->items)))
		return CAL_E_NOMEM;
	l->items[l->n++] = (struct cal_busy){ start, end };
	return 0;
}

struct expansion {
	struct app *app;
	struct arena *arena;
	const struct cal_event *series;
	const struct cal_tz *tz;
	const struct store_busy *busy;
	struct busy_list *list;
	int err;
};

static bool replaced(const struct store_busy *b, const cal_uuid *series, int64_t original_start)
{
	for (size_t i = 0; i < b->n_skips; i++)
		if (b->skips[i].original_start == original_start &&
		    strcmp(b->skips[i].series_id.s, series->s) == 0)
			return true;
	return false;
}

static int take_instance(const struct cal_instance *inst, void *arg)
{
	struct expansion *x = arg;
	if (replaced(x->busy, &x->series->id, inst->start))
		return 0;
	int64_t start = inst->start, end = inst->end;
	if (x->series->all_day) {
		/* The dates' midnights in the series' zone. */
		int32_t days = (int32_t)(inst->start / 86400);
		int32_t span = x->series->end_date - x->series->start_date;
		if (cal_date_start_in_zone(x->tz, days, &start) < 0 ||
		    cal_date_start_in_zone(x->tz, days + span, &end) < 0)
			return 0;
	}
	if ((x->err = busy_push(x->arena, x->list, start, end)) < 0)
		return 1;
	return 0;
}

static int expand_series(struct app *app, struct arena *a, const struct store_busy *b,
			 const struct cal_event *series, int64_t from, int64_t to,
			 struct busy_list *list)
{
	struct cal_rule *rule;
	struct cal_series s;
	int r = series_load(app, series, &rule, &s);
	/* A stored rule the engine cannot expand (any more) blocks nothing
	 * rather than every slot page of its assignees. */
	if (r == CAL_E_INVALID)
		return 0;
	if (r < 0)
		return r;
	if (series->all_day) {
		from -= 86400;
		to += 86400;
	}
	struct expansion x = { .app = app, .arena = a, .series = series, .tz = s.tz, .busy = b,
			       .list = list };
	r = cal_series_expand(&s, from, to, take_instance, &x);
	cal_rule_free(rule);
	if (x.err < 0)
		return x.err;
	return r < 0 && r != CAL_E_INVALID ? r : 0;
}

static bool is_event(const cal_uuid *id, const struct cal_booking *moving)
{
	return moving && moving->event_id.s[0] && strcmp(id->s, moving->event_id.s) == 0;
}

/* What a cache fill reads beyond the request: a slot page asks again for
 * nearby windows, and a fill costs one calendar read either way. */
enum { CACHE_FILL_DAYS = 70 };

/* The busy time of the assignees marked in `need` over [from, to), each
 * list normalized, from their calendars. */
static int read_busy(struct store_conn *c, struct app *app, struct arena *a,
		     const struct cal_appointment_type *t, const bool *need, int64_t from, int64_t to,
		     const struct cal_booking *moving, struct busy_list *lists)
{
	size_t n = t->n_assignees, m = 0;
	const char **ids = arena_calloc(a, n, sizeof *ids);
	size_t *back = arena_calloc(a, n, sizeof *back);
	if (!ids || !back)
		return CAL_E_NOMEM;
	for (size_t i = 0; i < n; i++)
		if (need[i]) {
			back[m] = i;
			ids[m++] = t->assignee_ids[i].s;
		}
	if (m == 0)
		return 0;
	struct store_busy b;
	int r = store_busy(c, a, &(struct store_busy_query){
		.company_id = t->company_id.s, .user_ids = ids, .n_user_ids = m,
		.from = from, .to = to, .series_limit = app->config->limits.series_max * 4 }, &b);
	if (r < 0)
		return r;
	for (size_t i = 0; i < b.n_spans; i++) {
		const struct store_busy_span *sp = &b.spans[i];
		if (!is_event(&sp->event_id, moving) &&
		    (r = busy_push(a, &lists[back[sp->user]], sp->start, sp->end)) < 0)
			return r;
	}
	for (size_t i = 0; i < b.n_series; i++) {
		const struct store_busy_series *se = &b.series[i];
		if (!is_event(&se->event.id, moving) &&
		    (r = expand_series(app, a, &b, &se->event, from, to, &lists[back[se->user]])) < 0)
			return r;
	}
	for (size_t i = 0; i < m; i++)
		lists[back[i]].n = cal_busy_normalize(lists[back[i]].items, lists[back[i]].n);
	return 0;
}

int appointment_scan(struct store_conn *c, struct app *app, struct arena *a,
		     const struct cal_appointment_type *t, int64_t from, int64_t to, bool only_free,
		     const struct cal_booking *moving, bool cached, struct cal_error *err,
		     struct appointment_scan *ret)
{
	*ret = (struct appointment_scan){ 0 };
	const struct cal_tz *tz;
	if (cal_tzdb_get(app->tzdb, t->timezone, &tz) < 0)
		return CAL_E_STORE;
	size_t n = t->n_assignees;
	if (n == 0 || from >= to)
		return 0;
	const char **ids = arena_calloc(a, n, sizeof *ids);
	struct busy_list *lists = arena_calloc(a, n, sizeof *lists);
	struct cal_slot_assignee *who = arena_calloc(a, n, sizeof *who);
	if (!ids || !lists || !who)
		return CAL_E_NOMEM;
	for (size_t i = 0; i < n; i++)
		ids[i] = t->assignee_ids[i].s;

	/* A slot beginning in [from, to) with its buffers reaches this far. */
	int64_t reach_from = from - (int64_t)t->buffer_before_minutes * 60;
	int64_t reach_to = to + (int64_t)(t->duration_minutes + t->buffer_after_minutes) * 60;
	bool *need = arena_calloc(a, n, sizeof *need);
	if (!need)
		return CAL_E_NOMEM;
	cached = cached && app->busy_cache && t->assignee_busy_versions;
	size_t misses = 0;
	for (size_t i = 0; i < n; i++) {
		need[i] = !cached || !busy_cache_get(app->busy_cache, ids[i], t->assignee_busy_versions[i],
						     reach_from, reach_to, a, &lists[i].items, &lists[i].n);
		misses += need[i];
	}
	int64_t fill_to = reach_to;
	if (cached && reach_from + (int64_t)CACHE_FILL_DAYS * 86400 > fill_to)
		fill_to = reach_from + (int64_t)CACHE_FILL_DAYS * 86400;
	int r = misses ? read_busy(c, app, a, t, need, reach_from, fill_to, moving, lists) : 0;
	if (r == CAL_E_INVALID) /* store_busy's series_limit */
		return cal_error_set(err, r, "the assignees' calendars hold more recurring series than one "
					     "slot search reads (CALENDARD_LIMIT_SERIES_MAX)");
	if (r < 0)
		return r;
	for (size_t i = 0; cached && i < n; i++)
		if (need[i])
			busy_cache_put(app->busy_cache, ids[i], t->assignee_busy_versions[i], reach_from,
				       fill_to, lists[i].items, lists[i].n);

	/* Bookings for the daily cap and the day's load (a booking's auto
	 * pick, the only caller with !only_free): whole local days. */
	struct store_booked *booked = NULL;
	size_t n_booked = 0;
	if ((t->max_bookings_per_day > 0 || !only_free) &&
	    (r = store_bookings_of(c, a, ids, n, from - 2 * 86400, to + 2 * 86400, &booked, &n_booked)) < 0)
		return r;
	int32_t day0 = 0;
	struct cal_civil local;
	if (cal_tz_utc_to_local(tz, from, &local) == 0)
		day0 = (int32_t)cal_civil_days_from_date(local.year, local.month, local.day);
	int64_t **starts = arena_calloc(a, n, sizeof *starts);
	size_t *n_starts = arena_calloc(a, n, sizeof *n_starts);
	if (!starts || !n_starts)
		return CAL_E_NOMEM;
	for (size_t u = 0; u < n; u++)
		if (!(starts[u] = arena_calloc(a, n_booked + 1, sizeof **starts)))
			return CAL_E_NOMEM;
	for (size_t i = 0; i < n_booked; i++) {
		const struct store_booked *bk = &booked[i];
		if (moving && strcmp(t->assignee_ids[bk->user].s, moving->assignee_id.s) == 0 &&
		    bk->start == moving->start && bk->end == moving->end)
			continue;
		if (strcmp(bk->type_id.s, t->id.s) == 0)
			starts[bk->user][n_starts[bk->user]++] = bk->start;
		if (cal_tz_utc_to_local(tz, bk->start, &local) == 0 &&
		    cal_civil_days_from_date(local.year, local.month, local.day) == day0)
			ret->load[bk->user]++;
	}
	for (size_t u = 0; u < n; u++) {
		who[u] = (struct cal_slot_assignee){ .busy = lists[u].items, .n_busy = lists[u].n,
						     .booked = starts[u], .n_booked = n_starts[u] };
	}
	struct cal_slot_query q = {
		.tz = tz, .availability = &t->availability, .duration_minutes = t->duration_minutes,
		.step_minutes = cal_appointment_step(t), .buffer_before_minutes = t->buffer_before_minutes,
		.buffer_after_minutes = t->buffer_after_minutes, .max_per_day = t->max_bookings_per_day,
		.from = from, .to = to, .assignees = who, .n_assignees = n, .only_free = only_free,
	};
	return cal_slots_generate(a, &q, &ret->slots, &ret->n);
}

/* A bound given as an instant, or a date read in `tz` (a `to` date
 * includes that whole day). */
static int bound_parse(const struct cal_tz *tz, const char *text, bool is_to, const char *field,
		       int64_t *ret, struct cal_error *err)
{
	if (cal_looks_like_date(text)) {
		int32_t days;
		if (cal_date_parse(text, &days) < 0 ||
		    cal_date_start_in_zone(tz, days + (is_to ? 1 : 0), ret) < 0)
			return cal_error_field(err, field, "must be a date (YYYY-MM-DD) or an RFC 3339 instant");
		return 0;
	}
	if (cal_instant_parse(text, ret) < 0)
		return cal_error_field(err, field, "must be a date (YYYY-MM-DD) or an RFC 3339 instant");
	return 0;
}

enum { SLOTS_WINDOW_DAYS_MAX = 62 };

struct slots_ctx {
	struct app *app;
	struct arena *arena;
	const struct appointment_slots_request *q;
	struct cal_error *err;
	struct appointment_slots_result *res;
};

static int slots_body(struct store_conn *c, void *ctx_)
{
	struct slots_ctx *ctx = ctx_;
	const struct appointment_slots_request *q = ctx->q;
	struct appointment_slots_result *res = ctx->res;
	int r = appointment_load_public(c, ctx->arena, q->type_id, &res->type);
	if (r < 0)
		return r;
	const struct cal_appointment_type *t = &res->type;
	const struct cal_tz *type_tz;
	if (cal_tzdb_get(ctx->app->tzdb, t->timezone, &type_tz) < 0)
		return CAL_E_STORE;
	res->display_tz = type_tz;
	if (q->timezone && !(res->display_tz = resolve_zone(ctx->app, q->timezone, ctx->err)))
		return CAL_E_INVALID;
	int64_t now = cal_clock_now(&ctx->app->clock), wf, wt;
	if ((r = cal_booking_window(type_tz, now, t->min_booking_hours, t->schedule_range_days, &wf, &wt)) < 0)
		return r;
	int64_t from = wf, to = wt;
	int rf = q->from ? bound_parse(res->display_tz, q->from, false, "from", &from, ctx->err) : 0;
	int rt = q->to ? bound_parse(res->display_tz, q->to, true, "to", &to, ctx->err) : 0;
	if (rf < 0 || rt < 0)
		return CAL_E_INVALID;
	if (from >= to)
		return cal_error_field(ctx->err, "to", "must be after from");
	if (to - from > (int64_t)SLOTS_WINDOW_DAYS_MAX * 86400)
		return cal_error_field(ctx->err, "to", "the window may span at most 62 days");
	int pick = -1;
	if (q->assignee_id) {
		for (size_t i = 0; i < t->n_assignees; i++)
			if (strcmp(t->assignee_ids[i].s, q->assignee_id) == 0)
				pick = (int)i;
		if (pick < 0)
			return cal_error_field(ctx->err, "assigneeId", "is not an assignee of this type");
	}
	res->from = from > wf ? from : wf;
	res->to = to < wt ? to : wt;
	struct appointment_scan scan;
	if ((r = appointment_scan(c, ctx->app, ctx->arena, t, res->from, res->to, true, NULL, true, ctx->err,
				  &scan)) < 0)
		return r;
	res->slots = scan.slots;
	res->n = scan.n;
	if (pick >= 0) {
		size_t k = 0;
		for (size_t i = 0; i < scan.n; i++)
			if (scan.slots[i].free & ((uint64_t)1 << pick))
				res->slots[k++] = scan.slots[i];
		res->n = k;
	}
	return 0;
}

int appointment_slots(struct app *app, struct arena *a, const struct appointment_slots_request *q,
		      struct cal_error *err, struct appointment_slots_result *ret)
{
	*ret = (struct appointment_slots_result){ 0 };
	struct slots_ctx ctx = { .app = app, .arena = a, .q = q, .err = err, .res = ret };
	return tx_run(app, false, slots_body, &ctx);
}
