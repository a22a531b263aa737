/* /api/v1/calendar/events/:id/ics, /api/v1/calendar/events.ics,
 * /api/v1/calendar/import, /api/v1/calendar/feed and the public
 * /ical/<secret>.ics. */
#include "api/ical.h"
#include "api/respond.h"

#include <strings.h>
#include <string.h>

#include "base/strbuf.h"
#include "service/ical.h"
#include "service/series.h"

enum { ICS_OUT_MAX = 64 * 1024 * 1024 };

static int respond_ics(struct request *req, struct response *res, struct strbuf *out)
{
	return api_respond_text(req, res, 200, "text/calendar; charset=utf-8", out, 0);
}

int api_ical_event(struct request *req, struct response *res)
{
	cal_uuid id, series;
	int64_t start;
	if (!cal_uuid_parse(req->params[0], &id) && !occurrence_id_parse(req->params[0], &series, &start))
		return cal_error_field(req->err, "id", "must be a UUID or an occurrence id");
	struct strbuf out = STRBUF_INIT(ICS_OUT_MAX);
	int r = ical_export_event(req->app, req->arena, req->who, req->params[0], &out, req->err);
	if (r < 0) {
		strbuf_release(&out);
		return r;
	}
	return respond_ics(req, res, &out);
}

int api_ical_range(struct request *req, struct response *res)
{
	struct strbuf out = STRBUF_INIT(ICS_OUT_MAX);
	int r = ical_export_range(req->app, req->arena, req->who, req->query(req, "from"),
				  req->query(req, "to"), &out, req->err);
	if (r < 0) {
		strbuf_release(&out);
		return r;
	}
	return respond_ics(req, res, &out);
}

static json_t *items_json(const struct ical_import_item *items, size_t n)
{
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "uid", items[i].uid ? json_string(items[i].uid) : json_null());
		json_object_set_new(o, "id", items[i].id ? json_string(items[i].id) : json_null());
		if (items[i].reason)
			json_object_set_new(o, "reason", json_string(items[i].reason));
		json_array_append_new(list, o);
	}
	return list;
}

json_t *api_import_report_json(const struct ical_import_report *rep)
{
	json_t *body = json_object();
	json_object_set_new(body, "created", items_json(rep->created, rep->n_created));
	json_object_set_new(body, "updated", items_json(rep->updated, rep->n_updated));
	json_object_set_new(body, "skipped", items_json(rep->skipped, rep->n_skipped));
	return body;
}

int api_ical_import(struct request *req, struct response *res)
{
	const char *ct = req->header(req, "Content-Type");
	if (!ct || strncasecmp(ct, "text/calendar", 13) != 0)
		return cal_error_set(req->err, CAL_E_MEDIA_TYPE, "the body must be text/calendar");
	struct ical_import_report rep;
	int r = ical_import(req->app, req->arena, req->who, req->raw_body, req->raw_len, &rep, req->err);
	if (r < 0)
		return r;
	return respond_json(res, 200, api_import_report_json(&rep));
}

int api_ical_feed_create(struct request *req, struct response *res)
{
	const char *secret;
	int r = ical_feed_create(req->app, req->arena, req->who, &secret);
	if (r < 0)
		return r;
	const char *path = arena_printf(req->arena, "/ical/%s.ics", secret);
	json_t *body = json_object();
	json_object_set_new(body, "url", json_sprintf("%s%s", req->app->config->public_url, path));
	json_object_set_new(body, "webcal", json_sprintf("webcal://%s%s",
			    strstr(req->app->config->public_url, "://") ? strstr(req->app->config->public_url, "://") + 3
									 : req->app->config->public_url, path));
	res->cache_control = "no-store";
	return respond_json(res, 201, body);
}

int api_ical_feed_revoke(struct request *req, struct response *res)
{
	int r = ical_feed_revoke(req->app, req->who);
	if (r == 0)
		res->status = 204;
	return r;
}

int api_ical_feed(struct request *req, struct response *res)
{
	const char *p = req->params[0];
	size_t n = strlen(p);
	if (n < 5 || strcmp(p + n - 4, ".ics") != 0)
		return CAL_E_NOT_FOUND;
	char *secret = arena_strndup(req->arena, p, n - 4);
	struct strbuf out = STRBUF_INIT(ICS_OUT_MAX);
	int r = secret ? ical_feed_render(req->app, req->arena, secret, &out) : CAL_E_NOMEM;
	if (r < 0) {
		strbuf_release(&out);
		return r;
	}
	r = respond_ics(req, res, &out);
	res->cache_control = "private, max-age=300";
	return r;
}
