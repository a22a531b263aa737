/* JSON ⇄ event. The busy view is built from an allow-list, never by
 * deleting fields from the full one, so a new field cannot leak by default. */
#include "api/event_json.h"

#include <inttypes.h>
#include <string.h>

#include "api/activity_json.h"
#include "api/json_fields.h"
#include "model/time.h"

static const char *const event_fields[] = {
	"name", "description", "location", "startDatetime", "endDatetime", "allDay", "timezone",
	"privacy", "showAs", "attendees", "alarms", "resModel", "resId", "companyId", "recurring",
	"recurrenceConfig", "rrule", "exdates", NULL,
};
static const char *const config_fields[] = { "rruleType", "interval", "endType", "count", "until",
					     "weekdays", "monthBy", "dayOfMonth", "weekOfMonth", NULL };
static const char *const attendee_fields[] = { "userId", "partnerId", "email", "displayName",
					       "role", "state", NULL };
static const char *const alarm_fields[] = { "type", "intervalValue", "intervalUnit", NULL };

static int parse_attendee(json_t *item, size_t i, struct arena *a, struct cal_attendee_input *at,
			  struct cal_error *err)
{
	const char *prefix = arena_printf(a, "attendees[%zu]", i);
	if (!json_is_object(item))
		return cal_error_field(err, prefix, "must be an object");
	if (!json_only_fields(item, attendee_fields, prefix, a, err))
		return CAL_E_INVALID;
	bool p;
	at->role = at->state = -1;
	json_opt_string(item, "userId", arena_printf(a, "%s.userId", prefix), &p, &at->user_id, err);
	json_opt_string(item, "partnerId", arena_printf(a, "%s.partnerId", prefix), &p, &at->partner_id, err);
	json_opt_string(item, "email", arena_printf(a, "%s.email", prefix), &p, &at->email, err);
	json_opt_string(item, "displayName", arena_printf(a, "%s.displayName", prefix), &p, &at->display_name, err);
	json_opt_enum(item, "role", arena_printf(a, "%s.role", prefix), cal_role_parse,
		      "must be req_participant, opt_participant or chair", &p, &at->role, err);
	json_opt_enum(item, "state", arena_printf(a, "%s.state", prefix), cal_partstat_parse,
		      "must be needs_action, tentative, accepted or declined", &p, &at->state, err);
	if (!at->user_id && !at->partner_id && !at->email)
		return cal_error_field(err, prefix, "needs userId, partnerId or email");
	return 0;
}

static int parse_alarm(json_t *item, size_t i, struct arena *a, struct cal_alarm *al,
		       struct cal_error *err)
{
	const char *prefix = arena_printf(a, "alarms[%zu]", i);
	if (!json_is_object(item))
		return cal_error_field(err, prefix, "must be an object");
	if (!json_only_fields(item, alarm_fields, prefix, a, err))
		return CAL_E_INVALID;
	bool p;
	int type = CAL_ALARM_NOTIFICATION, unit = CAL_UNIT_MINUTES;
	long long value = 30;
	json_opt_enum(item, "type", arena_printf(a, "%s.type", prefix), cal_alarm_type_parse,
		      "must be notification, email or sms", &p, &type, err);
	json_opt_int(item, "intervalValue", arena_printf(a, "%s.intervalValue", prefix), 0, 1000000,
		     &p, &value, err);
	json_opt_enum(item, "intervalUnit", arena_printf(a, "%s.intervalUnit", prefix),
		      cal_interval_unit_parse, "must be minutes, hours, days or weeks", &p, &unit, err);
	al->type = (enum cal_alarm_type)type;
	al->interval_value = (int32_t)value;
	al->interval_unit = (enum cal_interval_unit)unit;
	return 0;
}

static void parse_lists(json_t *body, struct arena *a, const struct cal_limits *lim,
			struct cal_event_input *in, struct cal_error *err)
{
	json_t *list = json_object_get(body, "attendees");
	in->has_attendees = list != NULL;
	if (list && !json_is_array(list)) {
		cal_error_field(err, "attendees", "must be an array");
	} else if (list && json_array_size(list) > lim->attendees_max) {
		cal_error_field(err, "attendees", "too many attendees");
	} else if (list) {
		in->n_attendees = json_array_size(list);
		in->attendees = arena_calloc(a, in->n_attendees + 1, sizeof *in->attendees);
		for (size_t i = 0; in->attendees && i < in->n_attendees; i++)
			parse_attendee(json_array_get(list, i), i, a, &in->attendees[i], err);
	}
	list = json_object_get(body, "alarms");
	in->has_alarms = list != NULL;
	if (list && !json_is_array(list)) {
		cal_error_field(err, "alarms", "must be an array");
	} else if (list && json_array_size(list) > lim->alarms_max) {
		cal_error_field(err, "alarms", "too many alarms");
	} else if (list) {
		in->n_alarms = json_array_size(list);
		in->alarms = arena_calloc(a, in->n_alarms + 1, sizeof *in->alarms);
		for (size_t i = 0; in->alarms && i < in->n_alarms; i++)
			parse_alarm(json_array_get(list, i), i, a, &in->alarms[i], err);
	}
}

static void parse_config(json_t *cfg, struct arena *a, struct cal_event_input *in,
			 struct cal_error *err)
{
	struct cal_recurrence_config_input *c = &in->config;
	bool p;
	c->rrule_type = c->end_type = c->month_by = -1;
	if (!json_only_fields(cfg, config_fields, "recurrenceConfig", a, err))
		return;
	json_opt_enum(cfg, "rruleType", "recurrenceConfig.rruleType", cal_rrule_type_parse,
		      "must be daily, weekly, monthly or yearly", &p, &c->rrule_type, err);
	json_opt_enum(cfg, "endType", "recurrenceConfig.endType", cal_end_type_parse,
		      "must be forever, count or until", &p, &c->end_type, err);
	json_opt_enum(cfg, "monthBy", "recurrenceConfig.monthBy", cal_month_by_parse,
		      "must be date or day", &p, &c->month_by, err);
	json_opt_int(cfg, "interval", "recurrenceConfig.interval", 1, 1000, &c->has_interval, &c->interval, err);
	/* COUNT's limit is the rule engine's (configurable); here only the type. */
	json_opt_int(cfg, "count", "recurrenceConfig.count", 1, INT32_MAX, &c->has_count, &c->count, err);
	json_opt_int(cfg, "weekdays", "recurrenceConfig.weekdays", 0, 127, &c->has_weekdays, &c->weekdays, err);
	json_opt_int(cfg, "dayOfMonth", "recurrenceConfig.dayOfMonth", 1, 31, &c->has_day_of_month, &c->day_of_month, err);
	json_opt_int(cfg, "weekOfMonth", "recurrenceConfig.weekOfMonth", 1, 5, &c->has_week_of_month, &c->week_of_month, err);
	json_opt_string(cfg, "until", "recurrenceConfig.until", &p, &c->until, err);
}

/* recurring, recurrenceConfig, rrule, exdates. */
static void parse_recurrence(json_t *body, struct arena *a, const struct cal_limits *lim,
			     struct cal_event_input *in, struct cal_error *err)
{
	bool present;
	json_opt_bool(body, "recurring", &present, &in->recurring, err);
	in->has_recurrence = present;
	json_t *cfg = json_object_get(body, "recurrenceConfig");
	if (cfg && !json_is_null(cfg)) {
		in->has_recurrence = in->has_config = true;
		if (json_is_object(cfg))
			parse_config(cfg, a, in, err);
		else
			cal_error_field(err, "recurrenceConfig", "must be an object");
	}
	json_opt_string(body, "rrule", "rrule", &present, &in->rrule, err);
	in->has_recurrence |= in->rrule != NULL || present;
	json_t *list = json_object_get(body, "exdates");
	if (!list)
		return;
	in->has_recurrence = in->has_exdates = true;
	if (!json_is_array(list) || json_array_size(list) > lim->rrule_count_max) {
		cal_error_field(err, "exdates", "must be an array of date-times or dates");
		return;
	}
	in->n_exdates = json_array_size(list);
	in->exdates = arena_calloc(a, in->n_exdates + 1, sizeof *in->exdates);
	for (size_t i = 0; in->exdates && i < in->n_exdates; i++) {
		json_t *v = json_array_get(list, i);
		if (!json_is_string(v))
			cal_error_field(err, arena_printf(a, "exdates[%zu]", i), "must be a string");
		else
			in->exdates[i] = json_string_value(v);
	}
}

int event_json_parse(json_t *body, struct arena *a, const struct cal_limits *lim,
		     struct cal_event_input *ret, struct cal_error *err)
{
	struct cal_event_input in = { 0 };
	if (!json_only_fields(body, event_fields, NULL, a, err))
		return CAL_E_INVALID;
	json_opt_string(body, "name", "name", &in.has_name, &in.name, err);
	json_opt_string(body, "description", "description", &in.has_description, &in.description, err);
	json_opt_string(body, "location", "location", &in.has_location, &in.location, err);
	json_opt_string(body, "startDatetime", "startDatetime", &in.has_start, &in.start, err);
	json_opt_string(body, "endDatetime", "endDatetime", &in.has_end, &in.end, err);
	json_opt_string(body, "timezone", "timezone", &in.has_timezone, &in.timezone, err);
	json_opt_string(body, "resModel", "resModel", &in.has_res_model, &in.res_model, err);
	json_opt_string(body, "resId", "resId", &in.has_res_id, &in.res_id, err);
	json_opt_string(body, "companyId", "companyId", &in.has_company_id, &in.company_id, err);
	json_opt_bool(body, "allDay", &in.has_all_day, &in.all_day, err);
	json_opt_enum(body, "privacy", "privacy", cal_privacy_parse,
		      "must be public, private or confidential", &in.has_privacy, &in.privacy, err);
	json_opt_enum(body, "showAs", "showAs", cal_show_as_parse, "must be free, busy or tentative",
		      &in.has_show_as, &in.show_as, err);
	if ((in.has_start && !in.start) || (in.has_end && !in.end))
		cal_error_field(err, in.has_start && !in.start ? "startDatetime" : "endDatetime", "must not be null");
	if (in.has_timezone && !in.timezone)
		cal_error_field(err, "timezone", "must not be null");
	parse_recurrence(body, a, lim, &in, err);
	parse_lists(body, a, lim, &in, err);
	if (err->n_fields)
		return CAL_E_INVALID;
	*ret = in;
	return 0;
}

static void write_instant_or_date(struct jsonw *w, bool all_day, int64_t t)
{
	if (all_day) {
		char d[CAL_DATE_TEXT];
		cal_date_format((int32_t)(t / 86400), d);
		jsonw_string(w, d);
		return;
	}
	char s[CAL_INSTANT_TEXT];
	cal_instant_format(t, s);
	jsonw_string(w, s);
}

static void write_config(struct jsonw *w, const struct cal_recurrence_config *c)
{
	jsonw_object_begin(w);
	jsonw_kv_string(w, "rruleType", cal_rrule_type_name(c->rrule_type));
	jsonw_kv_int(w, "interval", c->interval);
	jsonw_kv_string(w, "endType", cal_end_type_name(c->end_type));
	jsonw_key(w, "count");
	if (c->end_type == CAL_END_COUNT)
		jsonw_int(w, c->count);
	else
		jsonw_null(w);
	jsonw_key(w, "until");
	if (c->end_type == CAL_END_UNTIL)
		write_instant_or_date(w, true, (int64_t)c->until_date * 86400);
	else
		jsonw_null(w);
	jsonw_kv_int(w, "weekdays", c->weekdays);
	jsonw_kv_string(w, "monthBy", cal_month_by_name(c->month_by));
	jsonw_key(w, "dayOfMonth");
	if (c->day_of_month)
		jsonw_int(w, c->day_of_month);
	else
		jsonw_null(w);
	jsonw_key(w, "weekOfMonth");
	if (c->week_of_month)
		jsonw_int(w, c->week_of_month);
	else
		jsonw_null(w);
	jsonw_object_end(w);
}

/* The series part: the rule of a series; the series and original start of
 * an occurrence. */
static void write_recurrence(struct jsonw *w, const struct event_view *v)
{
	const struct cal_event *e = v->event;
	bool occurrence = v->series_id != NULL;
	bool series = !occurrence && e->recurring;
	jsonw_kv_bool(w, "recurring", occurrence || e->recurring);
	jsonw_kv_string(w, "rrule", series ? e->rrule : NULL);
	jsonw_key(w, "recurrenceConfig");
	if (series && e->config)
		write_config(w, e->config);
	else
		jsonw_null(w);
	jsonw_key(w, "exdates");
	jsonw_array_begin(w);
	for (size_t i = 0; series && i < e->n_exdates; i++)
		write_instant_or_date(w, e->all_day, e->exdates[i]);
	jsonw_array_end(w);
	jsonw_kv_string(w, "seriesId", occurrence ? v->series_id : NULL);
	jsonw_key(w, "originalStartDatetime");
	if (occurrence)
		write_instant_or_date(w, e->all_day, v->original_start);
	else
		jsonw_null(w);
}

static void write_times(struct jsonw *w, const struct cal_event *e)
{
	jsonw_key(w, "startDatetime");
	write_instant_or_date(w, e->all_day, e->all_day ? (int64_t)e->start_date * 86400 : e->start);
	jsonw_key(w, "endDatetime");
	write_instant_or_date(w, e->all_day, e->all_day ? (int64_t)e->end_date * 86400 : e->end);
	jsonw_kv_bool(w, "allDay", e->all_day);
	jsonw_kv_string(w, "timezone", e->timezone);
}

static void write_busy(struct jsonw *w, const struct event_view *v)
{
	const struct cal_event *e = v->event;
	jsonw_object_begin(w);
	jsonw_kv_string(w, "id", event_view_id(v));
	jsonw_kv_string(w, "companyId", e->company_id.s);
	write_times(w, e);
	jsonw_kv_string(w, "privacy", cal_privacy_name(e->privacy));
	jsonw_kv_string(w, "showAs", cal_show_as_name(e->show_as));
	jsonw_kv_bool(w, "restricted", true);
	if (v->series_id)
		jsonw_kv_string(w, "seriesId", v->series_id);
	jsonw_object_end(w);
}

static void write_attendees(struct jsonw *w, const struct cal_event *e)
{
	jsonw_array_begin(w);
	for (size_t i = 0; i < e->n_attendees; i++) {
		const struct cal_attendee *at = &e->attendees[i];
		jsonw_object_begin(w);
		jsonw_kv_string(w, "id", at->id.s);
		jsonw_kv_string(w, "userId", at->user_id);
		jsonw_kv_string(w, "partnerId", at->partner_id);
		jsonw_kv_string(w, "email", at->email);
		jsonw_kv_string(w, "displayName", at->display_name);
		jsonw_kv_string(w, "role", cal_role_name(at->role));
		jsonw_kv_string(w, "state", cal_partstat_name(at->state));
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

static void write_alarms(struct jsonw *w, const struct cal_event *e)
{
	jsonw_array_begin(w);
	for (size_t i = 0; i < e->n_alarms; i++) {
		const struct cal_alarm *al = &e->alarms[i];
		jsonw_object_begin(w);
		jsonw_kv_string(w, "id", al->id.s);
		jsonw_kv_string(w, "type", cal_alarm_type_name(al->type));
		jsonw_kv_int(w, "intervalValue", al->interval_value);
		jsonw_kv_string(w, "intervalUnit", cal_interval_unit_name(al->interval_unit));
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

void event_json_write(struct jsonw *w, const struct event_view *v)
{
	const struct cal_event *e = v->event;
	if (v->view != CAL_VIEW_FULL) {
		write_busy(w, v);
		return;
	}
	char created[CAL_INSTANT_TEXT], updated[CAL_INSTANT_TEXT];
	cal_instant_format(e->created_at, created);
	cal_instant_format(e->updated_at, updated);
	jsonw_object_begin(w);
	jsonw_kv_string(w, "id", event_view_id(v));
	jsonw_kv_string(w, "companyId", e->company_id.s);
	jsonw_kv_string(w, "name", e->name);
	jsonw_kv_string(w, "description", e->description);
	jsonw_kv_string(w, "location", e->location);
	write_times(w, e);
	jsonw_kv_string(w, "privacy", cal_privacy_name(e->privacy));
	jsonw_kv_string(w, "showAs", cal_show_as_name(e->show_as));
	jsonw_kv_string(w, "organizerId", e->organizer_id.s);
	jsonw_kv_string(w, "organizerEmail", e->organizer_email);
	write_recurrence(w, v);
	jsonw_kv_string(w, "resModel", e->res_model);
	jsonw_kv_string(w, "resId", e->res_id);
	jsonw_key(w, "attendees");
	write_attendees(w, e);
	jsonw_key(w, "alarms");
	write_alarms(w, e);
	if (v->activities) {
		jsonw_key(w, "activities");
		jsonw_array_begin(w);
		for (size_t i = 0; i < v->n_activities; i++)
			activity_json_write_brief(w, &v->activities[i]);
		jsonw_array_end(w);
	}
	jsonw_kv_string(w, "createdAt", created);
	jsonw_kv_string(w, "updatedAt", updated);
	jsonw_object_end(w);
}

const char *event_etag(struct arena *a, const struct event_view *v)
{
	return arena_printf(a, "\"v%" PRId64 "\"", v->etag_version ? v->etag_version : v->event->version);
}
