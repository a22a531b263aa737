/* Listing a calendar window: parse the window and the cursor, check the
 * colleagues asked for, run the store's index-driven range query, and keep
 * what the caller may see. The cursor is the (start, id) of the last event
 * read — including hidden ones — so pages neither repeat nor skip. */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "model/time.h"
#include "service/events.h"
#include "service/tx.h"

enum { LIST_DEFAULT_LIMIT = 100, CURSOR_MAX = 128 };

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

static const char *cursor_encode(struct arena *a, int64_t start, const char *id)
{
	char raw[CURSOR_MAX];
	int n = snprintf(raw, sizeof raw, "%" PRId64 ":%s", start, id);
	char *out = arena_alloc(a, sodium_base64_ENCODED_LEN((size_t)n, sodium_base64_VARIANT_URLSAFE_NO_PADDING));
	if (!out)
		return NULL;
	return sodium_bin2base64(out, sodium_base64_ENCODED_LEN((size_t)n, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
				 (const unsigned char *)raw, (size_t)n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static int cursor_decode(struct arena *a, const char *text, struct store_event_query *q)
{
	unsigned char raw[CURSOR_MAX];
	size_t len = 0;
	if (strlen(text) > CURSOR_MAX ||
	    sodium_base642bin(raw, sizeof raw - 1, text, strlen(text), NULL, &len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return CAL_E_INVALID;
	raw[len] = '\0';
	char *colon = strchr((char *)raw, ':');
	if (!colon)
		return CAL_E_INVALID;
	*colon = '\0';
	char *end;
	long long start = strtoll((char *)raw, &end, 10);
	cal_uuid id;
	if (*end || end == (char *)raw || !cal_uuid_parse(colon + 1, &id))
		return CAL_E_INVALID;
	q->has_cursor = true;
	q->cursor_start = start;
	q->cursor_id = arena_strdup(a, id.s);
	return 0;
}

struct list_ctx {
	struct arena *arena;
	const struct cal_principal *who;
	struct store_event_query *query;
	struct cal_error *err;
	struct store_event_page page;
};

static int list_body(struct store_conn *c, void *ctx_)
{
	struct list_ctx *ctx = ctx_;
	struct store_event_query *q = ctx->query;
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
	return store_events_range(c, ctx->arena, q, &ctx->page);
}

static int parse_request(struct app *app, struct arena *a, const struct cal_principal *who,
			 const struct events_list_request *req, struct store_event_query *q,
			 struct cal_error *err)
{
	const struct cal_limits *lim = &app->config->limits;
	parse_bound(app, who, "from", req->from, &q->from, err);
	parse_bound(app, who, "to", req->to, &q->to, err);
	if (!err->n_fields && q->to <= q->from)
		cal_error_field(err, "to", "must be after from");
	else if (!err->n_fields && q->to - q->from > (int64_t)lim->list_window_days * 86400)
		cal_error_field(err, "to", "the window is too wide");
	q->limit = req->limit ? req->limit : LIST_DEFAULT_LIMIT;
	if (!req->res_model != !req->res_id)
		cal_error_field(err, req->res_model ? "resId" : "resModel", "resModel and resId go together");
	if (req->res_model && !cal_res_model_ok(req->res_model, lim->res_model_max))
		cal_error_field(err, "resModel", "must be a dotted lowercase model name like crm.lead");
	if (req->res_id && !cal_uuid_valid(req->res_id))
		cal_error_field(err, "resId", "must be a UUID");
	q->res_model = req->res_model;
	q->res_id = req->res_id;
	if (req->cursor && cursor_decode(a, req->cursor, q) < 0)
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
	int r = parse_request(app, a, who, req, &q, err);
	if (r < 0)
		return r;
	struct list_ctx ctx = { .arena = a, .who = who, .query = &q, .err = err };
	if ((r = tx_run(app, false, list_body, &ctx)) < 0)
		return r;
	struct event_view *items = arena_calloc(a, ctx.page.n + 1, sizeof *items);
	if (!items)
		return CAL_E_NOMEM;
	size_t n = 0;
	for (size_t i = 0; i < ctx.page.n; i++) {
		enum cal_view v = cal_acl_view(who, &ctx.page.items[i]);
		if (v != CAL_VIEW_NONE)
			items[n++] = (struct event_view){ &ctx.page.items[i], v };
	}
	const char *next = NULL;
	if (ctx.page.more && ctx.page.n > 0) {
		const struct cal_event *last = &ctx.page.items[ctx.page.n - 1];
		next = cursor_encode(a, last->start, last->id.s);
	}
	*ret = (struct events_list_result){ .items = items, .n = n, .next_cursor = next };
	return 0;
}
