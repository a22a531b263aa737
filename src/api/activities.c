/* /api/v1/activities: parse → service → render. */
#include "api/activities.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/activity_json.h"
#include "api/respond.h"
#include "api/json_fields.h"
#include "base/strbuf.h"

enum { ACTIVITY_JSON_MAX = 64 * 1024 * 1024 };

static int path_id(struct request *req, const char **ret)
{
	cal_uuid id;
	if (!cal_uuid_parse(req->params[0], &id))
		return cal_error_field(req->err, "id", "must be a UUID");
	*ret = arena_strdup(req->arena, id.s);
	return *ret ? 0 : CAL_E_NOMEM;
}

static int respond_activity(struct request *req, struct response *res, int status,
			    const struct activity_view *v)
{
	struct strbuf out = STRBUF_INIT(ACTIVITY_JSON_MAX);
	struct jsonw w;
	jsonw_init(&w, &out);
	activity_json_write(&w, v);
	res->etag = activity_etag(req->arena, v);
	return api_respond_text(req, res, status, "application/json", &out, w.err);
}

int api_activities_create(struct request *req, struct response *res)
{
	struct cal_activity_input in;
	struct activity_view v;
	int r = activity_json_parse(req->body, req->arena, &in, req->err);
	if (r < 0 || (r = activities_create(req->app, req->arena, req->who, &in, req->err, &v)) < 0)
		return r;
	res->location = arena_printf(req->arena, "/api/v1/activities/%s", v.activity->id.s);
	return respond_activity(req, res, 201, &v);
}

int api_activities_get(struct request *req, struct response *res)
{
	const char *id = NULL;
	struct activity_view v;
	int r = path_id(req, &id);
	if (r < 0 || (r = activities_get(req->app, req->arena, req->who, id, req->err, &v)) < 0)
		return r;
	return respond_activity(req, res, 200, &v);
}

int api_activities_update(struct request *req, struct response *res)
{
	const char *id = NULL;
	struct cal_activity_input in;
	struct activity_view v;
	int r = path_id(req, &id);
	if (r < 0 || (r = activity_json_parse(req->body, req->arena, &in, req->err)) < 0)
		return r;
	r = activities_update(req->app, req->arena, req->who, id, &in, req->if_match, req->err, &v);
	return r < 0 ? r : respond_activity(req, res, 200, &v);
}

int api_activities_delete(struct request *req, struct response *res)
{
	const char *id = NULL;
	int r = path_id(req, &id);
	if (r < 0 || (r = activities_delete(req->app, req->arena, req->who, id, req->if_match, req->err)) < 0)
		return r;
	res->status = 204;
	return 0;
}

/* The optional body of /done: nothing, or {"feedback": "..."}. */
static int parse_feedback(struct request *req, const char **ret)
{
	*ret = NULL;
	if (req->raw_len == 0)
		return 0;
	const char *ct = req->header(req, "Content-Type");
	if (!ct || strncasecmp(ct, "application/json", 16) != 0 || (ct[16] && ct[16] != ';' && ct[16] != ' '))
		return cal_error_set(req->err, CAL_E_MEDIA_TYPE, "the body must be application/json");
	json_error_t jerr;
	json_t *body = json_loadb(req->raw_body, req->raw_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!body)
		return cal_error_set(req->err, CAL_E_BAD_JSON,
				     arena_printf(req->arena, "invalid JSON at line %d column %d: %s",
						  jerr.line, jerr.column, jerr.text));
	static const char *const fields[] = { "feedback", NULL };
	bool present;
	const char *fb = NULL;
	int r = 0;
	if (!json_is_object(body))
		r = cal_error_field(req->err, "body", "must be a JSON object");
	else if (!json_only_fields(body, fields, NULL, req->arena, req->err) ||
		 !json_opt_string(body, "feedback", "feedback", &present, &fb, req->err))
		r = CAL_E_INVALID;
	else if (fb && !(*ret = arena_strdup(req->arena, fb)))
		r = CAL_E_NOMEM;
	json_decref(body);
	return r;
}

int api_activities_done(struct request *req, struct response *res)
{
	const char *id = NULL, *feedback = NULL;
	struct activity_view v;
	int r = path_id(req, &id);
	if (r < 0 || (r = parse_feedback(req, &feedback)) < 0)
		return r;
	r = activities_done(req->app, req->arena, req->who, id, feedback, req->if_match, req->err, &v);
	return r < 0 ? r : respond_activity(req, res, 200, &v);
}

int api_activities_list(struct request *req, struct response *res)
{
	struct activities_list_request lr = {
		.res_model = req->query(req, "resModel"),
		.res_id = req->query(req, "resId"),
		.user_id = req->query(req, "userId"),
		.state = req->query(req, "state"),
		.cursor = req->query(req, "cursor"),
	};
	struct activities_list_result out;
	int r = api_query_limit(req, req->app->config->limits.list_limit_max, &lr.limit);
	if (r < 0 || (r = activities_list(req->app, req->arena, req->who, &lr, req->err, &out)) < 0)
		return r;
	struct strbuf text = STRBUF_INIT(ACTIVITY_JSON_MAX);
	struct jsonw w;
	jsonw_init(&w, &text);
	jsonw_object_begin(&w);
	jsonw_key(&w, "items");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < out.n; i++)
		activity_json_write(&w, &out.items[i]);
	jsonw_array_end(&w);
	jsonw_kv_string(&w, "nextCursor", out.next_cursor);
	jsonw_object_end(&w);
	return api_respond_text(req, res, 200, "application/json", &text, w.err);
}
