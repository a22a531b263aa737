/* JSON ⇄ event. The busy view is built from an allow-list, never by
 * deleting fields from the full one, so a new field cannot leak by default. */
#include "api/event_json.h"

#include <inttypes.h>
#include <string.h>

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

/* COUNT's upper bound is the rule engine's; here only the type matters. */
static long long lim_count(const struct cal_event_input *in)
{
	(void)in;
	return 1000000;
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
	json_opt_int(cfg, "count", "recurrenceConfig.count", 1, lim_count(in), &c->has_count, &c->count, err);
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

static json_t *string_or_null(const char *s) { return s ? json_string(s) : json_null(); }

static json_t *instant_or_date(bool all_day, int64_t t)
{
	if (all_day) {
		char d[CAL_DATE_TEXT];
		cal_date_format((int32_t)(t / 86400), d);
		return json_string(d);
	}
	char s[CAL_INSTANT_TEXT];
	cal_instant_format(t, s);
	return json_string(s);
}

static json_t *render_config(const struct cal_recurrence_config *c)
{
	json_t *o = json_object();
	json_object_set_new(o, "rruleType", json_string(cal_rrule_type_name(c->rrule_type)));
	json_object_set_new(o, "interval", json_integer(c->interval));
	json_object_set_new(o, "endType", json_string(cal_end_type_name(c->end_type)));
	json_object_set_new(o, "count", c->end_type == CAL_END_COUNT ? json_integer(c->count) : json_null());
	json_object_set_new(o, "until", c->end_type == CAL_END_UNTIL ? instant_or_date(true, (int64_t)c->until_date * 86400) : json_null());
	json_object_set_new(o, "weekdays", json_integer(c->weekdays));
	json_object_set_new(o, "monthBy", json_string(cal_month_by_name(c->month_by)));
	json_object_set_new(o, "dayOfMonth", c->day_of_month ? json_integer(c->day_of_month) : json_null());
	json_object_set_new(o, "weekOfMonth", c->week_of_month ? json_integer(c->week_of_month) : json_null());
	return o;
}

/* The series part: the rule of a series; the series and original start of
 * an occurrence. */
static void render_recurrence(json_t *o, const struct event_view *v)
{
	const struct cal_event *e = v->event;
	bool occurrence = v->series_id != NULL;
	json_object_set_new(o, "recurring", json_boolean(occurrence || e->recurring));
	bool series = !occurrence && e->recurring;
	json_object_set_new(o, "rrule", series ? json_string(e->rrule) : json_null());
	json_object_set_new(o, "recurrenceConfig", series && e->config ? render_config(e->config) : json_null());
	json_t *ex = json_array();
	for (size_t i = 0; series && i < e->n_exdates; i++)
		json_array_append_new(ex, instant_or_date(e->all_day, e->exdates[i]));
	json_object_set_new(o, "exdates", ex);
	json_object_set_new(o, "seriesId", occurrence ? json_string(v->series_id) : json_null());
	json_object_set_new(o, "originalStartDatetime",
			    occurrence ? instant_or_date(e->all_day, v->original_start) : json_null());
}

static void render_times(json_t *o, const struct cal_event *e)
{
	if (e->all_day) {
		char s[CAL_DATE_TEXT], t[CAL_DATE_TEXT];
		cal_date_format(e->start_date, s);
		cal_date_format(e->end_date, t);
		json_object_set_new(o, "startDatetime", json_string(s));
		json_object_set_new(o, "endDatetime", json_string(t));
	} else {
		char s[CAL_INSTANT_TEXT], t[CAL_INSTANT_TEXT];
		cal_instant_format(e->start, s);
		cal_instant_format(e->end, t);
		json_object_set_new(o, "startDatetime", json_string(s));
		json_object_set_new(o, "endDatetime", json_string(t));
	}
	json_object_set_new(o, "allDay", json_boolean(e->all_day));
	json_object_set_new(o, "timezone", json_string(e->timezone));
}

static json_t *render_busy(const struct event_view *v)
{
	const struct cal_event *e = v->event;
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(event_view_id(v)));
	json_object_set_new(o, "companyId", json_string(e->company_id.s));
	render_times(o, e);
	json_object_set_new(o, "privacy", json_string(cal_privacy_name(e->privacy)));
	json_object_set_new(o, "showAs", json_string(cal_show_as_name(e->show_as)));
	json_object_set_new(o, "restricted", json_true());
	if (v->series_id)
		json_object_set_new(o, "seriesId", json_string(v->series_id));
	return o;
}

static json_t *render_attendees(const struct cal_event *e)
{
	json_t *list = json_array();
	for (size_t i = 0; i < e->n_attendees; i++) {
		const struct cal_attendee *at = &e->attendees[i];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(at->id.s));
		json_object_set_new(o, "userId", string_or_null(at->user_id));
		json_object_set_new(o, "partnerId", string_or_null(at->partner_id));
		json_object_set_new(o, "email", json_string(at->email));
		json_object_set_new(o, "displayName", string_or_null(at->display_name));
		json_object_set_new(o, "role", json_string(cal_role_name(at->role)));
		json_object_set_new(o, "state", json_string(cal_partstat_name(at->state)));
		json_array_append_new(list, o);
	}
	return list;
}

static json_t *render_alarms(const struct cal_event *e)
{
	json_t *list = json_array();
	for (size_t i = 0; i < e->n_alarms; i++) {
		const struct cal_alarm *al = &e->alarms[i];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(al->id.s));
		json_object_set_new(o, "type", json_string(cal_alarm_type_name(al->type)));
		json_object_set_new(o, "intervalValue", json_integer(al->interval_value));
		json_object_set_new(o, "intervalUnit", json_string(cal_interval_unit_name(al->interval_unit)));
		json_array_append_new(list, o);
	}
	return list;
}

json_t *event_json_render(struct arena *a, const struct event_view *v)
{
	(void)a;
	const struct cal_event *e = v->event;
	if (v->view != CAL_VIEW_FULL)
		return render_busy(v);
	char created[CAL_INSTANT_TEXT], updated[CAL_INSTANT_TEXT];
	cal_instant_format(e->created_at, created);
	cal_instant_format(e->updated_at, updated);
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(event_view_id(v)));
	json_object_set_new(o, "companyId", json_string(e->company_id.s));
	json_object_set_new(o, "name", json_string(e->name));
	json_object_set_new(o, "description", string_or_null(e->description));
	json_object_set_new(o, "location", string_or_null(e->location));
	render_times(o, e);
	json_object_set_new(o, "privacy", json_string(cal_privacy_name(e->privacy)));
	json_object_set_new(o, "showAs", json_string(cal_show_as_name(e->show_as)));
	json_object_set_new(o, "organizerId", json_string(e->organizer_id.s));
	json_object_set_new(o, "organizerEmail", string_or_null(e->organizer_email));
	render_recurrence(o, v);
	json_object_set_new(o, "resModel", string_or_null(e->res_model));
	json_object_set_new(o, "resId", string_or_null(e->res_id));
	json_object_set_new(o, "attendees", render_attendees(e));
	json_object_set_new(o, "alarms", render_alarms(e));
	json_object_set_new(o, "createdAt", json_string(created));
	json_object_set_new(o, "updatedAt", json_string(updated));
	return o;
}

const char *event_etag(struct arena *a, const struct cal_event *e)
{
	return arena_printf(a, "\"v%" PRId64 "\"", e->version);
}
