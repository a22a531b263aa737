/* /api/v1/notifications: parse → service → render. The live stream is in
 * api/notification_stream.c. */
#include "api/notifications.h"
#include "api/respond.h"

#include <stdlib.h>
#include <string.h>

#include "base/uuid.h"
#include "model/time.h"
#include "service/notifications.h"

/* The service's page cap: a larger limit is refused, not clamped. */
enum { NOTIFICATIONS_LIMIT_MAX = 200, NOTIFICATIONS_JSON_MAX = 16 * 1024 * 1024 };

void notification_json_write(struct jsonw *w, const struct cal_notification *n)
{
	char created[CAL_INSTANT_TEXT];
	cal_instant_format(n->created_at, created);
	jsonw_object_begin(w);
	jsonw_kv_string(w, "id", n->id.s);
	jsonw_kv_string(w, "kind", n->kind ? n->kind : "");
	jsonw_kv_string(w, "title", n->title ? n->title : "");
	jsonw_kv_string(w, "body", n->body);
	jsonw_kv_string(w, "link", n->link);
	jsonw_kv_string(w, "eventId", n->event_id.s[0] ? n->event_id.s : NULL);
	jsonw_kv_bool(w, "read", n->read);
	jsonw_kv_string(w, "createdAt", created);
	jsonw_object_end(w);
}

static int parse_unread(struct request *req, bool *ret)
{
	const char *v = req->query(req, "unread");
	if (v && strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
		return cal_error_field(req->err, "unread", "must be true or false");
	*ret = v && strcmp(v, "true") == 0;
	return 0;
}

int api_notifications_list(struct request *req, struct response *res)
{
	bool unread = false;
	unsigned limit = 0;
	int r = parse_unread(req, &unread);
	if (r < 0 || (r = api_query_limit(req, NOTIFICATIONS_LIMIT_MAX, &limit)) < 0)
		return r;
	const char *cursor = req->query(req, "cursor");
	struct notifications_page page;
	r = notifications_list(req->app, req->arena, req->who, unread, cursor, limit, req->err, &page);
	if (r < 0)
		return r;
	struct strbuf text = STRBUF_INIT(NOTIFICATIONS_JSON_MAX);
	struct jsonw w;
	jsonw_init(&w, &text);
	jsonw_object_begin(&w);
	jsonw_key(&w, "items");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < page.n; i++)
		notification_json_write(&w, &page.items[i]);
	jsonw_array_end(&w);
	jsonw_kv_string(&w, "nextCursor", page.next_cursor);
	jsonw_object_end(&w);
	return api_respond_text(req, res, 200, "application/json", &text, w.err);
}

int api_notifications_read(struct request *req, struct response *res)
{
	cal_uuid id;
	const char *given = cal_uuid_parse(req->params[0], &id) ? id.s : req->params[0]; /* any case */
	int r = notifications_mark_read(req->app, req->who, given, req->err);
	if (r < 0)
		return r;
	res->status = 204;
	return 0;
}
