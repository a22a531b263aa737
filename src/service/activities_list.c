/* Listing activities: a record's or an assignee's, by due date then id,
 * paged with an opaque cursor (the due date and id of the last activity
 * read), optionally of one state.
 *
 * The store knows only planned and done; "today", "overdue" and "planned"
 * depend on the date in each assignee's zone. The store is asked for the
 * due dates those states can have anywhere (UTC-12 to UTC+14: today is one
 * of at most three dates), and each row is checked against its assignee's
 * today. One assignee's list is exact in the store; a record's drops at
 * most the rows of those boundary dates, and reads on until the page is
 * full. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/time.h"
#include "service/activities_internal.h"
#include "service/cursor.h"
#include "service/tx.h"

enum {
	LIST_DEFAULT_LIMIT = 100,
	/* Store pages read for one answer before it is cut short (with a
	 * cursor): bounds the work a request can cause. */
	LIST_READS_MAX = 16,
	/* How far zones are from UTC, in hours, either way. */
	ZONE_WEST_MAX = 12, ZONE_EAST_MAX = 14,
};

/* The UTC date of an instant. */
static int32_t days_of(int64_t t)
{
	return (int32_t)(t >= 0 ? t / 86400 : (t - 86399) / 86400);
}

static int cursor_read(struct arena *a, const char *text, struct store_activity_query *q)
{
	int64_t due;
	const char *id;
	int r = cursor_decode(a, text, &due, &id);
	if (r < 0)
		return r;
	if (due < INT32_MIN || due > INT32_MAX || !cal_uuid_valid(id))
		return CAL_E_INVALID;
	q->has_cursor = true;
	q->cursor_due = (int32_t)due;
	q->cursor_id = id;
	return 0;
}

struct list_ctx {
	struct app *app;
	struct arena *arena;
	const struct cal_principal *who;
	const struct store_activity_query *query; /* as the request asks */
	int state; /* enum cal_activity_state, or -1 for all */
	struct cal_error *err;
	struct activity_view *items;
	size_t n;
	const char *next_cursor;
};

/* The due dates that can have `state` when today is somewhere in
 * [lo, hi]; planned and done are the store's own states. */
static void state_band(struct store_activity_query *q, int state, int32_t lo, int32_t hi)
{
	q->done = state == CAL_ACTIVITY_DONE ? STORE_DONE_ONLY : STORE_DONE_NOT;
	q->has_due_from = state == CAL_ACTIVITY_TODAY || state == CAL_ACTIVITY_PLANNED;
	q->has_due_to = state == CAL_ACTIVITY_TODAY || state == CAL_ACTIVITY_OVERDUE;
	q->due_from = state == CAL_ACTIVITY_TODAY ? lo : lo + 1;
	q->due_to = state == CAL_ACTIVITY_TODAY ? hi : hi - 1;
}

/* Checks the query's assignee and, for a state filter, sets its band of
 * due dates. */
static int prepare_query(struct store_conn *c, struct list_ctx *ctx, struct store_activity_query *q)
{
	int32_t lo, hi;
	if (q->user_id) {
		struct cal_user u;
		int r = cal_uuid_valid(q->user_id) ? store_user_get(c, ctx->arena, q->user_id, &u) : CAL_E_NOT_FOUND;
		if (r == CAL_E_NOT_FOUND || (r == 0 && strcmp(u.company_id.s, ctx->who->company_id.s) != 0))
			return cal_error_field(ctx->err, "userId", "is not a user of this company");
		if (r < 0)
			return r;
		q->user_id = arena_strdup(ctx->arena, u.id.s);
		lo = hi = activity_today(ctx->app, u.timezone);
	} else {
		int64_t now = cal_clock_now(&ctx->app->clock);
		lo = days_of(now - ZONE_WEST_MAX * 3600);
		hi = days_of(now + ZONE_EAST_MAX * 3600);
	}
	if (ctx->state >= 0)
		state_band(q, ctx->state, lo, hi);
	return 0;
}

static int list_body(struct store_conn *c, void *ctx_)
{
	struct list_ctx *ctx = ctx_;
	struct store_activity_query q = *ctx->query;
	ctx->n = 0;
	ctx->next_cursor = NULL;
	int r = prepare_query(c, ctx, &q);
	if (r < 0)
		return r;
	unsigned limit = q.limit;
	ctx->items = arena_calloc(ctx->arena, limit, sizeof *ctx->items);
	if (!ctx->items)
		return CAL_E_NOMEM;
	for (int reads = 0; reads < LIST_READS_MAX; reads++) {
		struct store_activity_page page;
		q.limit = limit - (unsigned)ctx->n;
		if ((r = store_activities_list(c, ctx->arena, &q, &page)) < 0)
			return r;
		for (size_t i = 0; i < page.n; i++) {
			struct activity_view v = activity_view_of(ctx->app, &page.items[i]);
			if (ctx->state < 0 || (int)v.state == ctx->state)
				ctx->items[ctx->n++] = v;
		}
		if (!page.more)
			return 0;
		const struct cal_activity *last = &page.items[page.n - 1];
		q.has_cursor = true;
		q.cursor_due = last->due_date;
		q.cursor_id = last->id.s;
		if (ctx->n == limit)
			break;
	}
	/* A full page, or the reads ran out: go on after the last row read. */
	ctx->next_cursor = cursor_encode(ctx->arena, q.cursor_due, q.cursor_id);
	return ctx->next_cursor ? 0 : CAL_E_NOMEM;
}

static int parse_request(struct app *app, struct arena *a, const struct cal_principal *who,
			 const struct activities_list_request *req, struct store_activity_query *q,
			 int *ret_state, struct cal_error *err)
{
	const struct cal_limits *lim = &app->config->limits;
	cal_uuid id;
	if (req->res_model || req->res_id) {
		if (!req->res_model != !req->res_id)
			cal_error_field(err, req->res_model ? "resId" : "resModel", "resModel and resId go together");
		if (req->res_model && !cal_res_model_ok(req->res_model, lim->res_model_max))
			cal_error_field(err, "resModel", "must be a dotted lowercase model name like crm.lead");
		if (req->res_id && !cal_uuid_parse(req->res_id, &id))
			cal_error_field(err, "resId", "must be a UUID");
		else if (req->res_id)
			q->res_id = arena_strdup(a, id.s);
		if (req->user_id)
			cal_error_field(err, "userId", "list either a record's activities (resModel, resId) or a user's");
		q->res_model = req->res_model;
	} else {
		q->user_id = req->user_id ? req->user_id : who->user_id.s;
	}
	*ret_state = -1;
	if (req->state && (*ret_state = cal_activity_state_parse(req->state)) < 0)
		cal_error_field(err, "state", "must be planned, today, overdue or done");
	if (req->cursor && cursor_read(a, req->cursor, q) < 0)
		cal_error_field(err, "cursor", "is not a cursor this server gave out");
	q->company_id = who->company_id.s;
	q->limit = req->limit ? req->limit : LIST_DEFAULT_LIMIT;
	return err->n_fields ? CAL_E_INVALID : 0;
}

int activities_list(struct app *app, struct arena *a, const struct cal_principal *who,
		    const struct activities_list_request *req, struct cal_error *err,
		    struct activities_list_result *ret)
{
	struct store_activity_query q = { 0 };
	struct list_ctx ctx = { .app = app, .arena = a, .who = who, .query = &q, .err = err };
	int r = parse_request(app, a, who, req, &q, &ctx.state, err);
	if (r < 0 || (r = tx_run(app, false, list_body, &ctx)) < 0)
		return r;
	*ret = (struct activities_list_result){ .items = ctx.items, .n = ctx.n, .next_cursor = ctx.next_cursor };
	return 0;
}
