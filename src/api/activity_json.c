/* JSON ⇄ activity. */
#include "api/activity_json.h"

#include <inttypes.h>

#include "api/json_fields.h"
#include "model/time.h"

static const char *const activity_fields[] = {
	"activityType", "summary", "note", "dueDate", "userId", "resModel", "resId",
	"startDatetime", "endDatetime", "timezone", NULL,
};

int activity_json_parse(json_t *body, struct arena *a, struct cal_activity_input *ret,
			struct cal_error *err)
{
	struct cal_activity_input in = { 0 };
	if (!json_only_fields(body, activity_fields, NULL, a, err))
		return CAL_E_INVALID;
	json_opt_enum(body, "activityType", "activityType", cal_activity_type_parse,
		      "must be call, meeting, email or todo", &in.has_type, &in.type, err);
	json_opt_string(body, "summary", "summary", &in.has_summary, &in.summary, err);
	json_opt_string(body, "note", "note", &in.has_note, &in.note, err);
	json_opt_string(body, "dueDate", "dueDate", &in.has_due_date, &in.due_date, err);
	json_opt_string(body, "userId", "userId", &in.has_user_id, &in.user_id, err);
	json_opt_string(body, "resModel", "resModel", &in.has_res_model, &in.res_model, err);
	json_opt_string(body, "resId", "resId", &in.has_res_id, &in.res_id, err);
	json_opt_string(body, "startDatetime", "startDatetime", &in.has_start, &in.start, err);
	json_opt_string(body, "endDatetime", "endDatetime", &in.has_end, &in.end, err);
	json_opt_string(body, "timezone", "timezone", &in.has_timezone, &in.timezone, err);
	if (in.has_user_id && !in.user_id)
		cal_error_field(err, "userId", "must be the id of a user of this company");
	if ((in.has_start && !in.start) || (in.has_end && !in.end) || (in.has_timezone && !in.timezone))
		cal_error_field(err, in.has_start && !in.start ? "startDatetime"
				     : in.has_end && !in.end   ? "endDatetime"
							       : "timezone",
				"must not be null");
	if (err->n_fields)
		return CAL_E_INVALID;
	*ret = in;
	return 0;
}

static void write_instant(struct jsonw *w, const char *key, bool present, int64_t t)
{
	char text[CAL_INSTANT_TEXT];
	jsonw_key(w, key);
	if (!present) {
		jsonw_null(w);
		return;
	}
	cal_instant_format(t, text);
	jsonw_string(w, text);
}

static void write_due_date(struct jsonw *w, const struct cal_activity *act)
{
	char due[CAL_DATE_TEXT];
	cal_date_format(act->due_date, due);
	jsonw_kv_string(w, "dueDate", due);
}

void activity_json_write(struct jsonw *w, const struct activity_view *v)
{
	const struct cal_activity *act = v->activity;
	jsonw_object_begin(w);
	jsonw_kv_string(w, "id", act->id.s);
	jsonw_kv_string(w, "companyId", act->company_id.s);
	jsonw_kv_string(w, "activityType", cal_activity_type_name(act->type));
	jsonw_kv_string(w, "summary", act->summary);
	jsonw_kv_string(w, "note", act->note);
	write_due_date(w, act);
	jsonw_kv_string(w, "state", cal_activity_state_name(v->state));
	jsonw_kv_string(w, "userId", act->user_id.s);
	jsonw_kv_string(w, "resModel", act->res_model);
	jsonw_kv_string(w, "resId", act->res_id);
	jsonw_kv_string(w, "calendarEventId", act->event_id.s[0] ? act->event_id.s : NULL);
	write_instant(w, "doneAt", act->done, act->done_at);
	jsonw_kv_string(w, "createdBy", act->created_by);
	write_instant(w, "createdAt", true, act->created_at);
	write_instant(w, "updatedAt", true, act->updated_at);
	jsonw_object_end(w);
}

void activity_json_write_brief(struct jsonw *w, const struct activity_view *v)
{
	const struct cal_activity *act = v->activity;
	jsonw_object_begin(w);
	jsonw_kv_string(w, "id", act->id.s);
	jsonw_kv_string(w, "activityType", cal_activity_type_name(act->type));
	jsonw_kv_string(w, "summary", act->summary);
	jsonw_kv_string(w, "state", cal_activity_state_name(v->state));
	write_due_date(w, act);
	jsonw_object_end(w);
}

const char *activity_etag(struct arena *a, const struct activity_view *v)
{
	return arena_printf(a, "\"v%" PRId64 "\"", v->activity->version);
}
