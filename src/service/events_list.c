/* Listing a calendar window: parse the window and the cursor, check the
 * colleagues asked for, run the store's index-driven range query, and keep
 * what the caller may see. The cursor is the (start, id) of the last event
 * read — including hidden ones — so pages neither repeat nor skip. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/time.h"
#include "service/events.h"
#include "service/events_internal.h"
#include "service/series.h"
#include "service/cursor.h"
#include "service/tx.h"

enum { LIST_DEFAULT_LIMIT = 100 };

static int parse_bound(struct app *app, const struct cal_principal *who, const char *field,
		       const char *text, int64_t *ret, struct cal_error *err)
{
	if (!text || !*text)
		return cal_error_field(err, field, "is required (an RFC 3339 date-time or a date)");
	if (cal_looks_like_date(text)) {
		int32_t days;
		const struct cal_tz *tz;
		if (cal_date_parse(text, &days) < 0)
			return cal_error_field(err, field, "is not a valid date");
		if (cal_tzdb_get(app->tzdb, who->timezone, &tz) < 0 ||
		    cal_date_start_in_zone(tz, days, ret) < 0)
			return cal_error_field(err, field, "cannot be placed in your time zone");
		return 0;
	}
	if (cal_instant_parse(text, ret) < 0)
		return cal_error_field(err, field, "must be an RFC 3339 date-time with an offset, or a date");
	return 0;
}

int window_parse(struct app *app, const struct cal_principal *who, const char *from,
		 const char *to, int64_t *ret_from, int64_t *ret_to, struct cal_error *err)
{
	int64_t f = 0, t = 0;
	parse_bound(app, who, "from", from, &f, err);
	parse_bound(app, who, "to", to, &t, err);
	if (!err->n_fields && t <= f)
		cal_error_field(err, "to", "must be after from");
	else if (!err->n_fields && t - f > (int64_t)app->config->limits.list_window_days * 86400)
		cal_error_field(err, "to", "the window is too wide");
	if (err->n_fields)
		return CAL_E_INVALID;
	*ret_from = f;
	*ret_to = t;
	return 0;
}

/* The cursor's id is an event id or an occurrence id; the store sees the
 * UUID part, which orders the same way against single events. */
static int cursor_read(struct arena *a, const char *text, struct store_event_query *q,
		       const char **ret_full_id)
{
	int64_t start;
	const char *full;
	int r = cursor_decode(a, text, &start, &full);
	if (r < 0)
		return r;
	cal_uuid id, series;
	int64_t original;
	bool plain = cal_uuid_parse(full, &id);
	if (!plain && !occurrence_id_parse(full, &series, &original))
		return CAL_E_INVALID;
	q->has_cursor = true;
	q->cursor_start = start;
	q->cursor_id = arena_strdup(a, plain ? id.s : series.s);
	*ret_full_id = full;
	return q->cursor_id ? 0 : CAL_E_NOMEM;
}

/* The order of a window: by start, then by public id. */
static int key_cmp(int64_t a_start, const char *a_id, int64_t b_start, const char *b_id)
{
	if (a_start != b_start)
		return a_start < b_start ? -1 : 1;
	return strcmp(a_id, b_id);
}

/* Pages are ordered by (start, sort id): an exception row sorts by its row
 * id, as the store orders it, so the store's cursor and the page's agree;
 * an occurrence computed from its series sorts by its public id. */
static const char *sort_id(const struct event_view *v)
{
	return cal_event_is_exception(v->event) ? v->event->id.s : event_view_id(v);
}

static int view_cmp(const void *x, const void *y)
{
	const struct event_view *a = x, *b = y;
	return key_cmp(a->event->start, sort_id(a), b->event->start, sort_id(b));
}

struct view_list {
	struct event_view *items;
	size_t n, alloc;
};

static int view_push(struct arena *a, struct view_list *l, struct event_view v)
{
	struct event_view *items = arena_grow(a, l->items, l->n, &l->alloc, sizeof *items);
	if (!items)
		return CAL_E_NOMEM;
	l->items = items;
	l->items[l->n++] = v;
	return 0;
}

struct list_ctx {
	struct app *app;
	struct arena *arena;
	const struct cal_principal *who;
	struct store_event_query *query;
	const char *cursor_full_id; /* the cursor's public id */
	struct cal_error *err;
	struct store_event_page singles;
	struct view_list views;
	/* Only items up to this key belong to the page: single events after
	 * it were not read yet. */
	bool bounded;
	int64_t bound_start;
	const char *bound_id;
};

static bool after_cursor(const struct list_ctx *ctx, int64_t start, const char *id)
{
	const struct store_event_query *q = ctx->query;
	return !q->has_cursor || key_cmp(start, id, q->cursor_start, ctx->cursor_full_id) > 0;
}

static bool within_bound(const struct list_ctx *ctx, int64_t start, const char *id)
{
	return !ctx->bounded || key_cmp(start, id, ctx->bound_start, ctx->bound_id) <= 0;
}

struct expansion {
	struct list_ctx *list;
	const struct cal_event *series;
	const struct cal_tz *tz;
	const int64_t *skip; /* original starts that have exception rows */
	size_t n_skip, taken;
	enum cal_view view;
	int err;
};

static int take_instance(const struct cal_instance *inst, void *arg)
{
	struct expansion *x = arg;
	struct list_ctx *ctx = x->list;
	for (size_t i = 0; i < x->n_skip; i++)
		if (x->skip[i] == inst->start)
			return 0;
	struct cal_event *e = occurrence_event(ctx->arena, x->series, inst);
	const char *id = occurrence_id_format(ctx->arena, x->series->id.s, inst->start);
	if (!e || !id) {
		x->err = CAL_E_NOMEM;
		return 1;
	}
	if (e->all_day && (cal_date_start_in_zone(x->tz, e->start_date, &e->start) < 0 ||
			   cal_date_start_in_zone(x->tz, e->end_date, &e->end) < 0))
		return 0;
	if (e->end <= ctx->query->from && e->start != ctx->query->from)
		return 0;
	if (e->start >= ctx->query->to || !after_cursor(ctx, e->start, id))
		return 0;
	if (!within_bound(ctx, e->start, id))
		return 1;
	struct event_view v = { .event = e, .view = x->view, .public_id = id,
				.series_id = x->series->id.s, .original_start = inst->start };
	if ((x->err = view_push(ctx->arena, &ctx->views, v)) < 0)
		return 1;
	/* One more than a page tells whether the series goes on. */
	return ++x->taken > ctx->query->limit;
}

/* Expands one series into the window, leaving out occurrences that have
 * exception rows (those are listed as single events). */
static int expand_series(struct store_conn *c, struct list_ctx *ctx, const struct cal_event *series)
{
	enum cal_view view = cal_acl_view(ctx->who, series);
	if (view == CAL_VIEW_NONE)
		return 0;
	struct cal_rule *rule;
	struct cal_series s;
	int r = series_load(ctx->app, series, &rule, &s);
	if (r < 0)
		return r;
	const struct store_event_query *q = ctx->query;
	int64_t from = q->from, to = q->to;
	if (q->has_cursor && q->cursor_start > from)
		from = q->cursor_start;
	if (series->all_day) {
		/* All-day series expand on dates: a day of slack each side,
		 * the real instants are checked per occurrence. */
		from -= 86400;
		to += 86400;
	}
	struct store_event_page ex;
	r = store_exceptions(c, ctx->arena, series->id.s, from - s.duration - 86400, to + 86400, &ex);
	int64_t *skip = arena_calloc(ctx->arena, ex.n + 1, sizeof *skip);
	for (size_t i = 0; r == 0 && skip && i < ex.n; i++)
		skip[i] = ex.items[i].original_start;
	struct expansion x = { .list = ctx, .series = series, .tz = s.tz, .skip = skip,
			       .n_skip = r == 0 ? ex.n : 0, .view = view };
	if (r == 0)
		r = skip ? cal_series_expand(&s, from, to, take_instance, &x) : CAL_E_NOMEM;
	cal_rule_free(rule);
	if (x.err < 0)
		return x.err;
	return r < 0 ? r : 0;
}

static int list_body(struct store_conn *c, void *ctx_)
{
	struct list_ctx *ctx = ctx_;
	struct store_event_query *q = ctx->query;
	ctx->views = (struct view_list){ 0 };
	/* Colleagues must be of the caller's company; a stranger's id gets
	 * the same answer as an id that does not exist. */
	for (size_t i = 0; i < q->n_user_ids; i++) {
		struct cal_user u;
		if (strcmp(q->user_ids[i], ctx->who->user_id.s) == 0)
			continue;
		int r = store_user_get(c, ctx->arena, q->user_ids[i], &u);
		if (r == CAL_E_NOT_FOUND || (r == 0 && strcmp(u.company_id.s, ctx->who->company_id.s) != 0))
			return cal_error_field(ctx->err, "userIds", "names someone who is not a user of this company");
		if (r < 0)
			return r;
	}
	int r = store_events_range(c, ctx->arena, q, &ctx->singles);
	if (r < 0)
		return r;
	ctx->bounded = ctx->singles.more && ctx->singles.n > 0;
	if (ctx->bounded) {
		const struct cal_event *last = &ctx->singles.items[ctx->singles.n - 1];
		ctx->bound_start = last->start;
		ctx->bound_id = last->id.s;
	}
	for (size_t i = 0; i < ctx->singles.n; i++) {
		struct cal_event *e = &ctx->singles.items[i];
		enum cal_view v = cal_acl_view(ctx->who, e);
		if (v == CAL_VIEW_NONE)
			continue;
		struct event_view view = { .event = e, .view = v };
		if (cal_event_is_exception(e)) {
			view.public_id = occurrence_id_format(ctx->arena, e->master_id.s, e->original_start);
			view.series_id = e->master_id.s;
			view.original_start = e->original_start;
		}
		if ((r = view_push(ctx->arena, &ctx->views, view)) < 0)
			return r;
	}
	struct store_event_query sq = *q;
	struct store_event_page series;
	sq.series = true;
	sq.has_cursor = false;
	sq.limit = ctx->app->config->limits.series_max;
	if ((r = store_events_range(c, ctx->arena, &sq, &series)) < 0)
		return r;
	if (series.more)
		return cal_error_set(ctx->err, CAL_E_INVALID, "too many recurring series in this window: narrow it or ask for fewer users");
	for (size_t i = 0; r == 0 && i < series.n; i++)
		r = expand_series(c, ctx, &series.items[i]);
	return r;
}

static int parse_request(struct app *app, struct arena *a, const struct cal_principal *who,
			 const struct events_list_request *req, struct store_event_query *q,
			 const char **ret_cursor_id, struct cal_error *err)
{
	const struct cal_limits *lim = &app->config->limits;
	window_parse(app, who, req->from, req->to, &q->from, &q->to, err);
	q->limit = req->limit ? req->limit : LIST_DEFAULT_LIMIT;
	if (!req->res_model != !req->res_id)
		cal_error_field(err, req->res_model ? "resId" : "resModel", "resModel and resId go together");
	if (req->res_model && !cal_res_model_ok(req->res_model, lim->res_model_max))
		cal_error_field(err, "resModel", "must be a dotted lowercase model name like crm.lead");
	if (req->res_id && !cal_uuid_valid(req->res_id))
		cal_error_field(err, "resId", "must be a UUID");
	q->res_model = req->res_model;
	q->res_id = req->res_id;
	if (req->cursor && cursor_read(a, req->cursor, q, ret_cursor_id) < 0)
		cal_error_field(err, "cursor", "is not a cursor this server gave out");
	if (req->user_ids) {
		if (req->n_user_ids == 0 || req->n_user_ids > lim->user_ids_max)
			cal_error_field(err, "userIds", arena_printf(a, "must list 1 to %u user ids", lim->user_ids_max));
		const char **ids = arena_calloc(a, req->n_user_ids + 1, sizeof *ids);
		for (size_t i = 0; ids && i < req->n_user_ids; i++) {
			cal_uuid u;
			if (!cal_uuid_parse(req->user_ids[i], &u)) {
				cal_error_field(err, "userIds", "must be a comma-separated list of UUIDs");
				break;
			}
			ids[i] = arena_strdup(a, u.s);
		}
		q->user_ids = ids;
		q->n_user_ids = req->n_user_ids;
	} else {
		const char **ids = arena_calloc(a, 1, sizeof *ids);
		if (ids)
			ids[0] = who->user_id.s;
		q->user_ids = ids;
		q->n_user_ids = 1;
	}
	q->company_id = who->company_id.s;
	return err->n_fields ? CAL_E_INVALID : 0;
}

int events_list(struct app *app, struct arena *a, const struct cal_principal *who,
		const struct events_list_request *req, struct cal_error *err,
		struct events_list_result *ret)
{
	struct store_event_query q = { 0 };
	const char *cursor_id = NULL;
	int r = parse_request(app, a, who, req, &q, &cursor_id, err);
	if (r < 0)
		return r;
	struct list_ctx ctx = { .app = app, .arena = a, .who = who, .query = &q,
				.cursor_full_id = cursor_id, .err = err };
	if ((r = tx_run(app, false, list_body, &ctx)) < 0)
		return r;
	struct view_list *v = &ctx.views;
	if (v->n)
		qsort(v->items, v->n, sizeof *v->items, view_cmp);
	const char *next = NULL;
	size_t n = v->n;
	if (n > q.limit) {
		n = q.limit;
		const struct event_view *last = &v->items[n - 1];
		next = cursor_encode(a, last->event->start, sort_id(last));
	} else if (ctx.bounded) {
		next = cursor_encode(a, ctx.bound_start, ctx.bound_id);
	}
	*ret = (struct events_list_result){ .items = v->items, .n = n, .next_cursor = next };
	return 0;
}
