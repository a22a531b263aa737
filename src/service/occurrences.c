/* One occurrence of a series: read it, change it or delete it, for this
 * occurrence only, this and the following ones, or all of them.
 *
 * "this" keeps an exception row (the occurrence as changed, pointing at its
 * series and original start) or an EXDATE; "following" ends the series
 * before the occurrence and starts a new one with the rest, taking the
 * exceptions and EXDATEs on that side along; "all" changes the series, and
 * exceptions that are no occurrence of it any more go. The If-Match of an
 * occurrence is its series' ETag. */
#include <stdlib.h>
#include <string.h>

#include "model/time.h"
#include "service/activities.h"
#include "service/events_internal.h"
#include "service/series.h"

bool occurrence_ref_parse(const char *id, struct occurrence_ref *ret)
{
	return occurrence_id_parse(id, &ret->series, &ret->original_start);
}

struct occurrence {
	struct cal_event master;
	struct cal_event *exception; /* NULL: the occurrence is as the series says */
	struct cal_instance inst;    /* its original times */
	bool has_inst;
};

static int first_instance(const struct cal_instance *inst, void *ctx)
{
	*(struct cal_instance *)ctx = *inst;
	return 1;
}

/* The instance of `series` that starts exactly at t. */
static int instance_at(struct app *app, const struct cal_event *series, int64_t t,
		       struct cal_instance *ret)
{
	struct cal_rule *rule;
	struct cal_series s;
	int r = series_load(app, series, &rule, &s);
	if (r < 0)
		return r;
	struct cal_instance inst;
	r = cal_series_expand_starts(&s, t, t + 1, first_instance, &inst);
	cal_rule_free(rule);
	if (r < 0)
		return r;
	if (r == 0 || inst.start != t)
		return CAL_E_NOT_FOUND;
	*ret = inst;
	return 0;
}

static int occurrence_load(struct store_conn *c, struct event_ctx *ctx,
			   const struct occurrence_ref *ref, bool for_change, struct occurrence *ret)
{
	struct occurrence o = { 0 };
	int r = for_change ? load_for_change(c, ctx, ref->series.s, &o.master)
			   : store_event_get(c, ctx->arena, ref->series.s, &o.master);
	if (r < 0)
		return r;
	if (!o.master.recurring || cal_acl_view(ctx->who, &o.master) == CAL_VIEW_NONE)
		return CAL_E_NOT_FOUND;
	struct store_event_page page;
	int64_t t = ref->original_start;
	if ((r = store_exceptions(c, ctx->arena, ref->series.s, t, t + 1, &page)) < 0)
		return r;
	o.exception = page.n ? &page.items[0] : NULL;
	r = instance_at(ctx->app, &o.master, t, &o.inst);
	if (r < 0 && (r != CAL_E_NOT_FOUND || !o.exception))
		return r;
	o.has_inst = r == 0;
	*ret = o;
	return 0;
}

/* The real instants of an all-day occurrence: local midnights in its zone. */
static void place_all_day(struct app *app, struct cal_event *e)
{
	const struct cal_tz *tz;
	if (!e->all_day || cal_tzdb_get(app->tzdb, e->timezone, &tz) < 0)
		return;
	(void)cal_date_start_in_zone(tz, e->start_date, &e->start);
	(void)cal_date_start_in_zone(tz, e->end_date, &e->end);
}

/* An occurrence's ETag is its series': If-Match on an occurrence is checked
 * against the series. */
static void set_occurrence_view(struct event_ctx *ctx, struct cal_event *e, const struct cal_event *series,
				int64_t original_start)
{
	*ctx->view = (struct event_view){
		.etag_version = series->version,
		.event = e,
		.view = view_of(ctx->who, e),
		.public_id = occurrence_id_format(ctx->arena, series->id.s, original_start),
		.series_id = arena_strdup(ctx->arena, series->id.s),
		.original_start = original_start,
	};
}

int occurrence_get(struct store_conn *c, struct event_ctx *ctx, const struct occurrence_ref *ref)
{
	struct occurrence o;
	int r = occurrence_load(c, ctx, ref, false, &o);
	if (r < 0)
		return r;
	struct cal_event *e = o.exception;
	if (e && cal_acl_view(ctx->who, e) == CAL_VIEW_NONE)
		return CAL_E_NOT_FOUND;
	if (!e) {
		e = occurrence_event(ctx->arena, &o.master, &o.inst);
		if (!e)
			return CAL_E_NOMEM;
		place_all_day(ctx->app, e);
	}
	set_occurrence_view(ctx, e, &o.master, ref->original_start);
	return 0;
}

/* A copy of the series' row as a new event: new ids for it, its attendees
 * and alarms, and no series identity. */
static struct cal_event *clone_event(struct arena *a, const struct cal_event *src)
{
	struct cal_event *e = arena_alloc(a, sizeof *e);
	struct cal_attendee *at = arena_calloc(a, src->n_attendees + 1, sizeof *at);
	struct cal_alarm *al = arena_calloc(a, src->n_alarms + 1, sizeof *al);
	if (!e || !at || !al)
		return NULL;
	*e = *src;
	cal_uuid_new(&e->id);
	if (src->n_attendees)
		memcpy(at, src->attendees, src->n_attendees * sizeof *at);
	if (src->n_alarms)
		memcpy(al, src->alarms, src->n_alarms * sizeof *al);
	for (size_t i = 0; i < src->n_attendees; i++)
		cal_uuid_new(&at[i].id);
	for (size_t i = 0; i < src->n_alarms; i++)
		cal_uuid_new(&al[i].id);
	e->attendees = at;
	e->alarms = al;
	e->version = 1;
	return e;
}

static int create_exception(struct store_conn *c, struct event_ctx *ctx, struct occurrence *o)
{
	const struct cal_event_input *in = ctx->in;
	if (in->has_recurrence)
		return cal_error_field(ctx->err, "recurring", "one occurrence cannot become a series of its own");
	if (in->has_company_id && (!in->company_id || strcmp(in->company_id, o->master.company_id.s) != 0))
		return cal_error_field(ctx->err, "companyId", "cannot be changed");
	struct cal_event *e = clone_event(ctx->arena, occurrence_event(ctx->arena, &o->master, &o->inst));
	if (!e)
		return CAL_E_NOMEM;
	place_all_day(ctx->app, e);
	e->recurring = false;
	e->rrule = NULL;
	e->config = NULL;
	e->exdates = NULL;
	e->n_exdates = 0;
	e->ical_uid = NULL;
	e->master_id = o->master.id;
	e->original_start = o->inst.start;
	if (ctx->set_sequence)
		e->sequence = ctx->sequence;
	e->created_at = e->updated_at = cal_clock_now(&ctx->app->clock);
	e->updated_by = ctx->who->user_id.s;
	if (in->has_timezone)
		e->timezone = in->timezone;
	const struct cal_tz *tz = resolve_zone(ctx->app, e->timezone, ctx->err);
	if (!tz)
		return CAL_E_INVALID;
	/* Attendees keep the clone's new ids, not the series' rows. */
	const struct cal_event before = *e;
	int r = cal_event_apply(e, in, false, tz, &ctx->app->config->limits, ctx->err);
	if (r == 0 && in->has_alarms)
		new_alarm_ids(e);
	if (r == 0 && in->has_attendees)
		r = resolve_attendees(c, ctx, &before, e);
	if (r == 0)
		r = event_row_insert(c, ctx, e);
	if (r == 0)
		set_occurrence_view(ctx, e, &o->master, o->inst.start);
	return r;
}

/* Input times given for the occurrence, moved onto the series: the series
 * start shifts as much as the occurrence's did. */
static int shift_to_series(struct event_ctx *ctx, const struct occurrence *o,
			   struct cal_event_input *in)
{
	if (!in->has_start && !in->has_end)
		return 0;
	const struct cal_event *m = &o->master;
	if ((in->has_all_day && in->all_day != m->all_day) || m->all_day)
		return cal_error_field(ctx->err, "startDatetime",
				       "move all-day series or change allDay on the series id itself");
	int64_t s = o->inst.start, t = o->inst.end;
	if ((in->has_start && cal_instant_parse(in->start, &s) < 0) ||
	    (in->has_end && cal_instant_parse(in->end, &t) < 0))
		return cal_error_field(ctx->err, in->has_start ? "startDatetime" : "endDatetime",
				       "must be an RFC 3339 date-time with an offset");
	int64_t start = m->start + (s - o->inst.start);
	int64_t end = start + (t - s);
	char *st = arena_alloc(ctx->arena, CAL_INSTANT_TEXT), *et = arena_alloc(ctx->arena, CAL_INSTANT_TEXT);
	if (!st || !et)
		return CAL_E_NOMEM;
	cal_instant_format(start, st);
	cal_instant_format(end, et);
	in->has_start = in->has_end = true;
	in->start = st;
	in->end = et;
	return 0;
}

/* Ends `series` before the occurrence at t; returns the rule of the rest
 * (NULL when t is its first occurrence: then nothing is split). */
static int split_rules(struct event_ctx *ctx, const struct cal_event *series, int64_t t,
		       char **ret_before, char **ret_after)
{
	struct cal_rule *rule, *before = NULL, *after = NULL;
	struct cal_series s;
	int r = series_load(ctx->app, series, &rule, &s);
	if (r < 0)
		return r;
	r = cal_series_split(&s, t, &before, &after);
	cal_rule_free(rule);
	*ret_before = before ? cal_rule_format(before) : NULL;
	*ret_after = after ? cal_rule_format(after) : NULL;
	cal_rule_free(before);
	cal_rule_free(after);
	return r;
}

/* EXDATEs before (or from) t. */
static void exdates_side(struct arena *a, const struct cal_event *src, int64_t t, bool after,
			 struct cal_event *dst)
{
	int64_t *list = arena_calloc(a, src->n_exdates + 1, sizeof *list);
	size_t n = 0;
	for (size_t i = 0; list && i < src->n_exdates; i++)
		if ((src->exdates[i] >= t) == after)
			list[n++] = src->exdates[i];
	dst->exdates = list;
	dst->n_exdates = list ? n : 0;
}

/* Stores the series with its rule cut before t. */
static int truncate_series(struct store_conn *c, struct event_ctx *ctx, struct cal_event *m,
			   const char *before_rule, int64_t t)
{
	struct cal_event *e = arena_alloc(ctx->arena, sizeof *e);
	if (!e)
		return CAL_E_NOMEM;
	*e = *m;
	e->rrule = arena_strdup(ctx->arena, before_rule);
	exdates_side(ctx->arena, m, t, false, e);
	int r = series_refresh(ctx->app, ctx->arena, e, ctx->err);
	if (r < 0)
		return r;
	e->version = m->version + 1;
	e->sequence = m->sequence + 1;
	e->updated_at = cal_clock_now(&ctx->app->clock);
	e->updated_by = ctx->who->user_id.s;
	return event_row_update(c, ctx, e, m->version);
}

static int move_exceptions(struct store_conn *c, struct event_ctx *ctx, const cal_uuid *from_series,
			   int64_t t, const struct cal_event *to_series)
{
	struct store_event_page page;
	int r = store_exceptions(c, ctx->arena, from_series->s, t, INT64_MAX, &page);
	for (size_t i = 0; r == 0 && i < page.n; i++) {
		struct cal_event *x = &page.items[i];
		if (!to_series) {
			r = store_event_delete(c, x->id.s, x->version);
			continue;
		}
		x->master_id = to_series->id;
		x->version++;
		r = event_row_update(c, ctx, x, x->version - 1);
	}
	return r;
}

static int update_following(struct store_conn *c, struct event_ctx *ctx, struct occurrence *o)
{
	int64_t t = o->inst.start;
	_cleanup_(freep) char *before = NULL;
	_cleanup_(freep) char *after = NULL;
	int r = split_rules(ctx, &o->master, t, &before, &after);
	if (r < 0)
		return r;
	if (!before || !after)
		return CAL_E_NOT_FOUND; /* the caller falls back to "all" */
	struct cal_event *next = clone_event(ctx->arena, occurrence_event(ctx->arena, &o->master, &o->inst));
	if (!next)
		return CAL_E_NOMEM;
	place_all_day(ctx->app, next);
	next->rrule = arena_strdup(ctx->arena, after);
	next->ical_uid = arena_printf(ctx->arena, "%s@calendard", next->id.s);
	next->sequence = 0;
	next->created_at = next->updated_at = cal_clock_now(&ctx->app->clock);
	exdates_side(ctx->arena, &o->master, t, true, next);
	if ((r = truncate_series(c, ctx, &o->master, before, t)) < 0)
		return r;
	const struct cal_event_input *in = ctx->in;
	const struct cal_event unchanged = *next;
	const struct cal_tz *tz = resolve_zone(ctx->app, in->has_timezone ? in->timezone : next->timezone, ctx->err);
	if (!tz)
		return CAL_E_INVALID;
	if (in->has_timezone)
		next->timezone = in->timezone;
	if ((r = cal_event_apply(next, in, false, tz, &ctx->app->config->limits, ctx->err)) < 0 ||
	    (r = series_apply(ctx->app, ctx->arena, next, in, false, ctx->err)) < 0)
		return r;
	if (!in->has_recurrence && (r = series_refresh(ctx->app, ctx->arena, next, ctx->err)) < 0)
		return r;
	if (in->has_alarms)
		new_alarm_ids(next);
	if (in->has_attendees && (r = resolve_attendees(c, ctx, &unchanged, next)) < 0)
		return r;
	if ((r = event_row_insert(c, ctx, next)) < 0)
		return r;
	if ((r = move_exceptions(c, ctx, &o->master.id, t, next)) < 0)
		return r;
	*ctx->view = (struct event_view){ .event = next, .view = view_of(ctx->who, next) };
	return 0;
}

static int update_all(struct store_conn *c, struct event_ctx *ctx, struct occurrence *o)
{
	struct cal_event_input shifted = *ctx->in;
	int r = shift_to_series(ctx, o, &shifted);
	if (r < 0)
		return r;
	const struct cal_event_input *was = ctx->in;
	ctx->in = &shifted;
	ctx->match.present = false; /* checked when the occurrence was loaded */
	r = update_row(c, ctx, o->master.id.s, ctx->event);
	ctx->in = was;
	if (r == 0)
		*ctx->view = (struct event_view){ .event = ctx->event, .view = view_of(ctx->who, ctx->event) };
	return r;
}

int occurrence_update(struct store_conn *c, struct event_ctx *ctx, const struct occurrence_ref *ref)
{
	struct occurrence o;
	int r = occurrence_load(c, ctx, ref, true, &o);
	if (r < 0 || (r = require_modify(ctx, &o.master)) < 0)
		return r;
	o.inst.start = o.has_inst ? o.inst.start : ref->original_start;
	switch (ctx->scope) {
	case SCOPE_THIS:
		if (!o.exception)
			return create_exception(c, ctx, &o);
		ctx->allow_exception_rows = true;
		ctx->match.present = false;
		if ((r = update_row(c, ctx, o.exception->id.s, ctx->event)) == 0)
			set_occurrence_view(ctx, ctx->event, &o.master, ref->original_start);
		return r;
	case SCOPE_FOLLOWING:
		if (!o.has_inst)
			return cal_error_field(ctx->err, "scope", "this occurrence is no longer part of its series");
		r = update_following(c, ctx, &o);
		return r == CAL_E_NOT_FOUND ? update_all(c, ctx, &o) : r;
	case SCOPE_ALL:
		break;
	}
	return update_all(c, ctx, &o);
}

static int add_exdate(struct store_conn *c, struct event_ctx *ctx, struct cal_event *m, int64_t t)
{
	struct cal_event *e = arena_alloc(ctx->arena, sizeof *e);
	int64_t *list = arena_calloc(ctx->arena, m->n_exdates + 2, sizeof *list);
	if (!e || !list)
		return CAL_E_NOMEM;
	*e = *m;
	size_t n = 0;
	for (size_t i = 0; i < m->n_exdates && m->exdates[i] < t; i++)
		list[n++] = m->exdates[i];
	size_t at = n;
	list[n++] = t;
	for (size_t i = at; i < m->n_exdates; i++)
		if (m->exdates[i] != t)
			list[n++] = m->exdates[i];
	e->exdates = list;
	e->n_exdates = n;
	e->version = m->version + 1;
	e->sequence = m->sequence + 1;
	e->updated_at = cal_clock_now(&ctx->app->clock);
	e->updated_by = ctx->who->user_id.s;
	int r = series_refresh(ctx->app, ctx->arena, e, ctx->err);
	/* The last occurrence cancelled: the series still exists, empty. */
	if (r == CAL_E_INVALID && ctx->err->n_fields) {
		*ctx->err = (struct cal_error){ 0 };
		e->series_end = m->start;
		r = 0;
	}
	return r < 0 ? r : event_row_update(c, ctx, e, m->version);
}

/* The whole series goes, and the open activities of its meeting with it. */
static int delete_series(struct store_conn *c, struct event_ctx *ctx, const struct cal_event *m)
{
	int r = activities_event_deleted(c, ctx->arena, m);
	return r < 0 ? r : store_event_delete(c, m->id.s, m->version);
}

int occurrence_delete(struct store_conn *c, struct event_ctx *ctx, const struct occurrence_ref *ref)
{
	struct occurrence o;
	int r = occurrence_load(c, ctx, ref, true, &o);
	if (r < 0 || (r = require_modify(ctx, &o.master)) < 0)
		return r;
	int64_t t = ref->original_start;
	if (ctx->scope == SCOPE_ALL)
		return delete_series(c, ctx, &o.master);
	if (ctx->scope == SCOPE_FOLLOWING) {
		_cleanup_(freep) char *before = NULL;
		_cleanup_(freep) char *after = NULL;
		if ((r = split_rules(ctx, &o.master, t, &before, &after)) < 0)
			return r;
		if (!before)
			return delete_series(c, ctx, &o.master);
		if ((r = move_exceptions(c, ctx, &o.master.id, t, NULL)) < 0)
			return r;
		return truncate_series(c, ctx, &o.master, before, t);
	}
	if (o.exception && (r = store_event_delete(c, o.exception->id.s, o.exception->version)) < 0)
		return r;
	return o.has_inst ? add_exdate(c, ctx, &o.master, t) : 0;
}

int series_drop_orphans(struct store_conn *c, struct event_ctx *ctx, struct cal_event *series)
{
	struct store_event_page page;
	int r = store_exceptions(c, ctx->arena, series->id.s, INT64_MIN, INT64_MAX, &page);
	for (size_t i = 0; r == 0 && i < page.n; i++) {
		struct cal_instance inst;
		const struct cal_event *x = &page.items[i];
		int found = series->recurring ? instance_at(ctx->app, series, x->original_start, &inst)
					      : CAL_E_NOT_FOUND;
		if (found == CAL_E_NOT_FOUND)
			r = store_event_delete(c, x->id.s, x->version);
		else if (found < 0)
			r = found;
	}
	return r;
}
