/* Activity rules: enum names, the state a reader sees, field checks. */
#include "model/activity.h"

#include <string.h>

#include "base/macro.h"
#include "model/event.h"
#include "model/time.h"

static const char *const type_names[] = { "call", "meeting", "email", "todo" };
static const char *const state_names[] = { "planned", "today", "overdue", "done" };

static int lookup(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

const char *cal_activity_type_name(enum cal_activity_type v)
{
	return (unsigned)v < CAL_ARRAY_SIZE(type_names) ? type_names[v] : "?";
}

int cal_activity_type_parse(const char *s) { return lookup(type_names, CAL_ARRAY_SIZE(type_names), s); }

const char *cal_activity_state_name(enum cal_activity_state v)
{
	return (unsigned)v < CAL_ARRAY_SIZE(state_names) ? state_names[v] : "?";
}

int cal_activity_state_parse(const char *s) { return lookup(state_names, CAL_ARRAY_SIZE(state_names), s); }

enum cal_activity_state cal_activity_state_on(const struct cal_activity *act, int32_t today)
{
	if (act->done)
		return CAL_ACTIVITY_DONE;
	if (act->due_date < today)
		return CAL_ACTIVITY_OVERDUE;
	return act->due_date == today ? CAL_ACTIVITY_TODAY : CAL_ACTIVITY_PLANNED;
}

int cal_activity_date_at(const struct cal_tz *tz, int64_t utc, int32_t *ret_days)
{
	struct cal_civil local;
	int r = cal_tz_utc_to_local(tz, utc, &local);
	if (r < 0)
		return r;
	*ret_days = (int32_t)cal_civil_days_from_date(local.year, local.month, local.day);
	return 0;
}

/* A text field: required ones may be neither null nor empty; an empty
 * optional one is stored as none. */
static void apply_text(struct cal_error *err, const char *field, const char *value, unsigned max,
		       bool multiline, bool required, const char **slot)
{
	if (!value || (required && !*value)) {
		if (required)
			cal_error_field(err, field, value ? "must not be empty" : "is required");
		else
			*slot = NULL;
		return;
	}
	if (!cal_text_ok(value, max, multiline)) {
		cal_error_field(err, field, multiline ? "must be valid UTF-8 within the length limit"
						      : "must be one line of valid UTF-8 within the length limit");
		return;
	}
	*slot = *value ? value : NULL;
}

static void apply_record(struct cal_activity *act, const struct cal_activity_input *in,
			 const struct cal_limits *lim, struct cal_error *err)
{
	if (in->has_res_model) {
		if (!in->res_model || !cal_res_model_ok(in->res_model, lim->res_model_max))
			cal_error_field(err, "resModel", "must be a dotted lowercase model name like crm.lead");
		else
			act->res_model = in->res_model;
	} else if (!act->res_model) {
		cal_error_field(err, "resModel", "is required (the ERP model of the record, e.g. crm.lead)");
	}
	if (in->has_res_id) {
		cal_uuid id;
		if (!in->res_id || !cal_uuid_parse(in->res_id, &id))
			cal_error_field(err, "resId", "must be a UUID");
		else
			act->res_id = in->res_id;
	} else if (!act->res_id) {
		cal_error_field(err, "resId", "is required (the id of the record, a UUID)");
	}
}

int cal_activity_apply(struct cal_activity *act, const struct cal_activity_input *in, bool creating,
		       const struct cal_limits *lim, struct cal_error *err)
{
	if (in->has_type)
		act->type = (enum cal_activity_type)in->type;
	else if (creating)
		cal_error_field(err, "activityType", "is required (call, meeting, email or todo)");
	if (in->has_summary)
		apply_text(err, "summary", in->summary, lim->name_max, false, true, &act->summary);
	else if (creating)
		cal_error_field(err, "summary", "is required");
	if (in->has_note)
		apply_text(err, "note", in->note, lim->description_max, true, false, &act->note);
	if (in->has_due_date) {
		if (!in->due_date || cal_date_parse(in->due_date, &act->due_date) < 0)
			cal_error_field(err, "dueDate", "must be a date YYYY-MM-DD");
	} else if (creating && !(in->has_type && in->type == CAL_ACTIVITY_MEETING && in->has_start)) {
		cal_error_field(err, "dueDate", "is required (a date YYYY-MM-DD)");
	}
	apply_record(act, in, lim, err);
	if (!creating && (in->has_start || in->has_end || in->has_timezone))
		cal_error_field(err, in->has_start ? "startDatetime" : in->has_end ? "endDatetime" : "timezone",
				"is only taken when a meeting is created: move its calendar event instead");
	else if ((in->has_start || in->has_end || in->has_timezone) &&
		 !(in->has_type && in->type == CAL_ACTIVITY_MEETING))
		cal_error_field(err, in->has_start ? "startDatetime" : in->has_end ? "endDatetime" : "timezone",
				"is only for meeting activities");
	else if (in->has_start != in->has_end)
		cal_error_field(err, in->has_start ? "endDatetime" : "startDatetime",
				"startDatetime and endDatetime go together");
	return err->n_fields ? CAL_E_INVALID : 0;
}
