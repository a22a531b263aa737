/* /api/v1/calendar/appointments: parse → service → render. The public
 * routes answer the public view of a type and never a company's private
 * data; a booking's manage link is its only key. */
#include "api/appointments.h"

#include <string.h>

#include "api/appointment_json.h"
#include "api/appointment_page.h"
#include "api/respond.h"
#include "api/json_fields.h"
#include "base/strbuf.h"

enum { APPOINTMENT_JSON_MAX = 16 * 1024 * 1024 };

static int path_id(struct request *req, const char **ret)
{
	cal_uuid id;
	if (!cal_uuid_parse(req->params[0], &id))
		return cal_error_set(req->err, CAL_E_NOT_FOUND, "no such appointment type");
	*ret = arena_strdup(req->arena, id.s);
	return *ret ? 0 : CAL_E_NOMEM;
}

static int respond_type(struct request *req, struct response *res, int status,
			const struct cal_appointment_type *v, bool full)
{
	struct strbuf out = STRBUF_INIT(APPOINTMENT_JSON_MAX);
	struct jsonw w;
	jsonw_init(&w, &out);
	appointment_type_json_write(&w, v, full);
	if (full)
		res->etag = appointment_type_etag(req->arena, v);
	return api_respond_text(req, res, status, "application/json", &out, w.err);
}

int api_appointment_types_create(struct request *req, struct response *res)
{
	struct appointment_type_input in;
	struct cal_appointment_type v;
	int r = appointment_type_json_parse(req->body, req->arena, &in, req->err);
	if (r < 0 || (r = appointment_type_create(req->app, req->arena, req->who, &in, req->err, &v)) < 0)
		return r;
	res->location = arena_printf(req->arena, "/api/v1/calendar/appointments/types/%s", v.id.s);
	return respond_type(req, res, 201, &v, true);
}

int api_appointment_types_list(struct request *req, struct response *res)
{
	struct cal_appointment_type *items;
	size_t n;
	int r = appointment_types_list(req->app, req->arena, req->who, req->query(req, "companySlug"),
				       req->err, &items, &n);
	if (r < 0)
		return r;
	struct strbuf out = STRBUF_INIT(APPOINTMENT_JSON_MAX);
	struct jsonw w;
	jsonw_init(&w, &out);
	jsonw_object_begin(&w);
	jsonw_key(&w, "items");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < n; i++)
		appointment_type_json_write(&w, &items[i], req->who != NULL);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	return api_respond_text(req, res, 200, "application/json", &out, w.err);
}

int api_appointment_types_get(struct request *req, struct response *res)
{
	const char *id = NULL;
	struct cal_appointment_type v;
	int r = path_id(req, &id);
	if (r < 0)
		return r;
	r = req->who ? appointment_type_get(req->app, req->arena, req->who, id, req->err, &v)
		     : appointment_type_public(req->app, req->arena, id, req->err, &v);
	return r < 0 ? r : respond_type(req, res, 200, &v, req->who != NULL);
}

int api_appointment_types_update(struct request *req, struct response *res)
{
	const char *id = NULL;
	struct appointment_type_input in;
	struct cal_appointment_type v;
	int r = path_id(req, &id);
	if (r < 0 || (r = appointment_type_json_parse(req->body, req->arena, &in, req->err)) < 0)
		return r;
	r = appointment_type_update(req->app, req->arena, req->who, id, &in, req->if_match, req->err, &v);
	return r < 0 ? r : respond_type(req, res, 200, &v, true);
}

int api_appointment_types_delete(struct request *req, struct response *res)
{
	const char *id = NULL;
	int r = path_id(req, &id);
	if (r < 0 || (r = appointment_type_delete(req->app, req->arena, req->who, id, req->if_match, req->err)) < 0)
		return r;
	res->status = 204;
	return 0;
}

int api_appointment_slots(struct request *req, struct response *res)
{
	const char *id = NULL;
	int r = path_id(req, &id);
	if (r < 0)
		return r;
	struct appointment_slots_request q = {
		.type_id = id, .from = req->query(req, "from"), .to = req->query(req, "to"),
		.timezone = req->query(req, "timezone"), .assignee_id = req->query(req, "assigneeId"),
	};
	struct appointment_slots_result s;
	if ((r = appointment_slots(req->app, req->arena, &q, req->err, &s)) < 0)
		return r;
	struct strbuf out = STRBUF_INIT(APPOINTMENT_JSON_MAX);
	struct jsonw w;
	jsonw_init(&w, &out);
	appointment_slots_json_write(&w, &s);
	/* Free time changes with every booking: nobody may keep a copy. */
	res->cache_control = "no-store";
	return api_respond_text(req, res, 200, "application/json", &out, w.err);
}

static int respond_booking(struct request *req, struct response *res, int status,
			   const struct appointment_booking_view *v)
{
	struct strbuf out = STRBUF_INIT(APPOINTMENT_JSON_MAX);
	struct jsonw w;
	jsonw_init(&w, &out);
	appointment_booking_json_write(&w, v, req->app->config->public_url);
	/* The body holds the manage link, a secret. */
	res->cache_control = "no-store";
	return api_respond_text(req, res, status, "application/json", &out, w.err);
}

int api_appointment_book(struct request *req, struct response *res)
{
	struct appointment_book_request q = {
		.accept_language = req->header(req, "Accept-Language"),
		.idempotency_key = req->header(req, "Idempotency-Key"),
	};
	struct appointment_booking_view v;
	int r = appointment_book_json_parse(req->body, req->arena, &q, req->err);
	if (r < 0 || (r = appointment_book(req->app, req->arena, &q, req->err, &v)) < 0)
		return r;
	res->location = arena_printf(req->arena, "/api/v1/calendar/appointments/bookings/%s", v.manage_token);
	res->replayed = v.replayed;
	return respond_booking(req, res, 201, &v);
}

int api_appointment_booking_show(struct request *req, struct response *res)
{
	if (appointment_page_wanted(req))
		return api_appointment_page(req, res);
	struct appointment_booking_view v;
	int r = appointment_booking_show(req->app, req->arena, req->params[0], req->err, &v);
	return r < 0 ? r : respond_booking(req, res, 200, &v);
}

static const char *const change_fields[] = { "action", "startDatetime", NULL };

int api_appointment_booking_change(struct request *req, struct response *res)
{
	const char *action = NULL, *start = NULL;
	bool has_action, has_start;
	if (!json_only_fields(req->body, change_fields, NULL, req->arena, req->err))
		return CAL_E_INVALID;
	json_opt_string(req->body, "action", "action", &has_action, &action, req->err);
	json_opt_string(req->body, "startDatetime", "startDatetime", &has_start, &start, req->err);
	if (req->err->n_fields)
		return CAL_E_INVALID;
	struct appointment_booking_view v;
	int r;
	if (action && strcmp(action, "cancel") == 0)
		r = appointment_booking_cancel(req->app, req->arena, req->params[0], req->err, &v);
	else if (action && strcmp(action, "reschedule") == 0)
		r = appointment_booking_reschedule(req->app, req->arena, req->params[0], start, req->err, &v);
	else
		r = cal_error_field(req->err, "action", "must be reschedule or cancel");
	return r < 0 ? r : respond_booking(req, res, 200, &v);
}
