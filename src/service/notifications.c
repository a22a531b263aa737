/* In-app notification use cases. A page's cursor holds the created_at and
 * id of its last item, which the store resumes after. */
#include "service/notifications.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/cursor.h"
#include "service/tx.h"

enum { NOTIFICATIONS_PAGE_DEFAULT = 50, NOTIFICATIONS_PAGE_MAX = 200 };

struct list_ctx {
	struct arena *a;
	struct store_notification_query q;
	struct cal_notification *items;
	size_t n;
	bool more;
};

static int list_body(struct store_conn *c, void *ctx_)
{
	struct list_ctx *ctx = ctx_;
	return store_notifications_list(c, ctx->a, &ctx->q, &ctx->items, &ctx->n, &ctx->more);
}

int notifications_list(struct app *app, struct arena *a, const struct cal_principal *who,
		       bool unread_only, const char *cursor, unsigned limit, struct cal_error *err,
		       struct notifications_page *ret)
{
	struct list_ctx ctx = { .a = a };
	ctx.q.user_id = who->user_id.s;
	ctx.q.unread_only = unread_only;
	ctx.q.limit = limit ? (limit > NOTIFICATIONS_PAGE_MAX ? NOTIFICATIONS_PAGE_MAX : limit)
			    : NOTIFICATIONS_PAGE_DEFAULT;
	if (cursor) {
		if (cursor_decode(a, cursor, &ctx.q.before_at, &ctx.q.before_id) < 0 ||
		    !cal_uuid_valid(ctx.q.before_id))
			return cal_error_field(err, "cursor", "is not a cursor from a previous page");
		ctx.q.has_before = true;
	}
	int r = tx_run(app, false, list_body, &ctx);
	if (r < 0)
		return r;
	*ret = (struct notifications_page){ .items = ctx.items, .n = ctx.n };
	if (ctx.more && ctx.n) {
		const struct cal_notification *last = &ctx.items[ctx.n - 1];
		ret->next_cursor = cursor_encode(a, last->created_at, last->id.s);
	}
	return 0;
}

struct read_ctx {
	const char *user_id, *id;
};

static int read_body(struct store_conn *c, void *ctx_)
{
	struct read_ctx *ctx = ctx_;
	return store_notification_read(c, ctx->user_id, ctx->id);
}

int notifications_mark_read(struct app *app, const struct cal_principal *who, const char *id,
			    struct cal_error *err)
{
	if (!cal_uuid_valid(id))
		return cal_error_set(err, CAL_E_NOT_FOUND, "no such notification");
	struct read_ctx ctx = { .user_id = who->user_id.s, .id = id };
	int r = tx_run(app, true, read_body, &ctx);
	if (r == CAL_E_NOT_FOUND)
		return cal_error_set(err, CAL_E_NOT_FOUND, "no such notification");
	return r;
}

int notifications_since(struct app *app, struct arena *a, const char *user_id, int64_t since,
			unsigned limit, struct cal_notification **ret, size_t *ret_n)
{
	struct list_ctx ctx = { .a = a };
	ctx.q.user_id = user_id;
	ctx.q.since = true;
	ctx.q.since_at = since;
	ctx.q.limit = limit;
	int r = tx_run(app, false, list_body, &ctx);
	if (r < 0)
		return r;
	*ret = ctx.items;
	*ret_n = ctx.n;
	return 0;
}
