/* /api/v1/calendar/events: parse → service → render. */
#include "api/events.h"

#include <stdlib.h>
#include <string.h>

#include "api/event_json.h"
#include "api/respond.h"
#include "base/uuid.h"
#include "service/series.h"

/* An event id (UUID) or an occurrence id (<seriesId>_<YYYYMMDDTHHMMSSZ>). */
static int path_id(struct request *req, const char **ret)
{
	cal_uuid id, series;
	int64_t start;
	if (cal_uuid_parse(req->params[0], &id))
		*ret = arena_strdup(req->arena, id.s);
	else if (occurrence_id_parse(req->params[0], &series, &start))
		*ret = occurrence_id_format(req->arena, series.s, start);
	else
		return cal_error_field(req->err, "id", "must be a UUID or an occurrence id <UUID>_<YYYYMMDDTHHMMSSZ>");
	return *ret ? 0 : CAL_E_NOMEM;
}

static int parse_scope(struct request *req, enum event_scope *ret)
{
	const char *s = req->query(req, "scope");
	if (!s || strcmp(s, "this") == 0)
		*ret = SCOPE_THIS;
	else if (strcmp(s, "following") == 0)
		*ret = SCOPE_FOLLOWING;
	else if (strcmp(s, "all") == 0)
		*ret = SCOPE_ALL;
	else
		return cal_error_field(req->err, "scope", "must be this, following or all");
	return 0;
}

enum { EVENT_JSON_MAX = 64 * 1024 * 1024 };

static int respond_event(struct request *req, struct response *res, int status,
			 const struct event_view *v)
{
	struct strbuf out = STRBUF_INIT(EVENT_JSON_MAX);
	struct jsonw w;
	jsonw_init(&w, &out);
	event_json_write(&w, v);
	res->etag = event_etag(req->arena, v);
	return api_respond_text(req, res, status, "application/json", &out, w.err);
}

/* ?notify=true|false (default true): whether attendees are mailed. */
static int parse_notify(struct request *req, bool *ret)
{
	const char *notify = req->query(req, "notify");
	if (notify && strcmp(notify, "true") != 0 && strcmp(notify, "false") != 0)
		return cal_error_field(req->err, "notify", "must be true or false");
	*ret = !notify || strcmp(notify, "true") == 0;
	return 0;
}

int api_events_create(struct request *req, struct response *res)
{
	struct cal_event_input in;
	bool notify = true;
	int r = parse_notify(req, &notify);
	if (r < 0 || (r = event_json_parse(req->body, req->arena, &req->app->config->limits, &in, req->err)) < 0)
		return r;
	struct event_view v;
	if ((r = events_create(req->app, req->arena, req->who, &in, notify, req->err, &v)) < 0)
		return r;
	res->location = arena_printf(req->arena, "/api/v1/calendar/events/%s", v.event->id.s);
	return respond_event(req, res, 201, &v);
}

int api_events_get(struct request *req, struct response *res)
{
	const char *id = NULL;
	struct event_view v;
	int r = path_id(req, &id);
	if (r < 0 || (r = events_get(req->app, req->arena, req->who, id, req->err, &v)) < 0)
		return r;
	return respond_event(req, res, 200, &v);
}

int api_events_update(struct request *req, struct response *res)
{
	const char *id = NULL;
	struct cal_event_input in;
	struct event_view v;
	enum event_scope scope = SCOPE_THIS;
	bool notify = true;
	int r = path_id(req, &id);
	if (r < 0 || (r = parse_scope(req, &scope)) < 0 || (r = parse_notify(req, &notify)) < 0)
		return r;
	if ((r = event_json_parse(req->body, req->arena, &req->app->config->limits, &in, req->err)) < 0)
		return r;
	r = events_update(req->app, req->arena, req->who, id, scope, &in, req->if_match, notify, req->err, &v);
	if (r < 0)
		return r;
	return respond_event(req, res, 200, &v);
}

int api_events_delete(struct request *req, struct response *res)
{
	const char *id = NULL;
	enum event_scope scope = SCOPE_THIS;
	bool send = true;
	int r = path_id(req, &id);
	if (r < 0 || (r = parse_scope(req, &scope)) < 0 || (r = parse_notify(req, &send)) < 0)
		return r;
	if ((r = events_delete(req->app, req->arena, req->who, id, scope, req->if_match, send, req->err)) < 0)
		return r;
	res->status = 204;
	return 0;
}

int api_events_respond(struct request *req, struct response *res)
{
	const char *id = NULL;
	int r = path_id(req, &id);
	if (r < 0)
		return r;
	json_t *answer = json_object_get(req->body, "response");
	if (json_object_size(req->body) != 1 || !answer) {
		const char *key = json_object_iter_key(json_object_iter(req->body));
		return cal_error_field(req->err, answer || !key ? "response" : key,
				       answer ? "is the only field allowed" : "is required");
	}
	int state = json_is_string(answer) ? cal_partstat_parse(json_string_value(answer)) : -1;
	if (state != CAL_PARTSTAT_ACCEPTED && state != CAL_PARTSTAT_DECLINED &&
	    state != CAL_PARTSTAT_TENTATIVE)
		return cal_error_field(req->err, "response", "must be accepted, declined or tentative");
	struct event_view v;
	r = events_respond(req->app, req->arena, req->who, id, (enum cal_partstat)state, req->err, &v);
	if (r < 0)
		return r;
	return respond_event(req, res, 200, &v);
}

/* "a,b,c" → array in the arena. */
static const char **split_ids(struct arena *a, const char *text, size_t *ret_n)
{
	size_t n = 1;
	for (const char *p = text; *p; p++)
		n += *p == ',';
	const char **ids = arena_calloc(a, n + 1, sizeof *ids);
	if (!ids)
		return NULL;
	size_t i = 0;
	for (const char *p = text;; i++) {
		const char *comma = strchr(p, ',');
		ids[i] = arena_strndup(a, p, comma ? (size_t)(comma - p) : strlen(p));
		if (!comma)
			break;
		p = comma + 1;
	}
	*ret_n = n;
	return ids;
}

int api_events_list(struct request *req, struct response *res)
{
	struct events_list_request lr = {
		.from = req->query(req, "from"),
		.to = req->query(req, "to"),
		.res_model = req->query(req, "resModel"),
		.res_id = req->query(req, "resId"),
		.cursor = req->query(req, "cursor"),
	};
	const char *users = req->query(req, "userIds");
	if (users && strlen(users) > 64 * 40)
		return cal_error_field(req->err, "userIds", "is too long");
	if (users && !(lr.user_ids = split_ids(req->arena, users, &lr.n_user_ids)))
		return CAL_E_NOMEM;
	int r = api_query_limit(req, req->app->config->limits.list_limit_max, &lr.limit);
	if (r < 0)
		return r;
	struct events_list_result out;
	if ((r = events_list(req->app, req->arena, req->who, &lr, req->err, &out)) < 0)
		return r;
	struct strbuf text = STRBUF_INIT(EVENT_JSON_MAX);
	struct jsonw w;
	jsonw_init(&w, &text);
	jsonw_object_begin(&w);
	jsonw_key(&w, "items");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < out.n; i++)
		event_json_write(&w, &out.items[i]);
	jsonw_array_end(&w);
	jsonw_kv_string(&w, "nextCursor", out.next_cursor);
	jsonw_object_end(&w);
	return api_respond_text(req, res, 200, "application/json", &text, w.err);
}
