/* The outbox as JSON: metadata only; payloads hold signed links. */
#include "api/outbox.h"
#include "api/respond.h"


#include "model/time.h"
#include "service/outbox.h"

enum { OUTBOX_LIST_MAX = 500 };

static json_t *instant_or_null(int64_t t)
{
	if (!t)
		return json_null();
	char text[CAL_INSTANT_TEXT];
	cal_instant_format(t, text);
	return json_string(text);
}

int api_outbox_list(struct request *req, struct response *res)
{
	unsigned limit;
	struct store_outbox_msg *items;
	size_t n;
	int r = api_query_limit(req, OUTBOX_LIST_MAX, &limit);
	if (r == 0)
		r = outbox_admin_list(req->app, req->arena, req->who, req->query(req, "status"),
				      req->query(req, "recipient"), limit, req->err, &items, &n);
	if (r < 0)
		return r;
	json_t *list = json_array();
	for (size_t i = 0; list && i < n; i++) {
		const struct store_outbox_msg *m = &items[i];
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:o, s:s?}",
			"id", m->id.s, "channel", store_channel_name(m->channel), "kind", m->kind ? m->kind : "",
			"recipient", m->recipient ? m->recipient : "", "status", store_outbox_status_name(m->status),
			"attempts", m->attempts, "createdAt", instant_or_null(m->created_at),
			"nextAttemptAt", instant_or_null(m->next_attempt_at), "sentAt", instant_or_null(m->sent_at),
			"lastError", m->last_error));
	}
	return respond_json(res, 200, json_pack("{s:o}", "items", list));
}
