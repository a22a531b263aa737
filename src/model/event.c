/* Event rules: enum names, field checks and applying a client's input. */
#include "model/event.h"

#include <string.h>

#include "model/time.h"

#define NAME_TABLE(type, prefix, ...)                                              \
	static const char *const prefix##_names[] = { __VA_ARGS__ };                \
	const char *cal_##prefix##_name(enum type v)                                \
	{                                                                           \
		return (unsigned)v < CAL_ARRAY_SIZE(prefix##_names) ? prefix##_names[v] : "?"; \
	}                                                                           \
	static int prefix##_lookup(const char *s)                                   \
	{                                                                           \
		for (size_t i = 0; s && i < CAL_ARRAY_SIZE(prefix##_names); i++)    \
			if (strcmp(s, prefix##_names[i]) == 0)                      \
				return (int)i;                                      \
		return -1;                                                          \
	}

NAME_TABLE(cal_privacy, privacy, "public", "private", "confidential")
NAME_TABLE(cal_show_as, show_as, "free", "busy", "tentative")
NAME_TABLE(cal_role, role, "req_participant", "opt_participant", "chair")
NAME_TABLE(cal_partstat, partstat, "needs_action", "tentative", "accepted", "declined")
NAME_TABLE(cal_alarm_type, alarm_type, "notification", "email", "sms")
NAME_TABLE(cal_interval_unit, interval_unit, "minutes", "hours", "days", "weeks")

int cal_privacy_parse(const char *s) { return privacy_lookup(s); }
int cal_show_as_parse(const char *s) { return show_as_lookup(s); }
int cal_partstat_parse(const char *s) { return partstat_lookup(s); }
int cal_alarm_type_parse(const char *s) { return alarm_type_lookup(s); }
int cal_interval_unit_parse(const char *s) { return interval_unit_lookup(s); }

int cal_role_parse(const char *s)
{
	if (s && strcmp(s, "required") == 0)
		return CAL_ROLE_REQUIRED;
	if (s && strcmp(s, "optional") == 0)
		return CAL_ROLE_OPTIONAL;
	return role_lookup(s);
}

/* Counts code points of valid UTF-8; -1 for invalid sequences. */
static long utf8_chars(const char *s, bool multiline)
{
	const unsigned char *p = (const unsigned char *)s;
	long n = 0;
	while (*p) {
		unsigned c = *p;
		int extra = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : -1;
		if (extra < 0 || (extra == 1 && c < 0xc2) || (extra == 3 && c > 0xf4))
			return -1;
		if (c < 0x20 && !(multiline && (c == '\n' || c == '\t' || c == '\r')))
			return -1;
		if (c == 0x7f)
			return -1;
		for (int i = 1; i <= extra; i++)
			if ((p[i] & 0xc0) != 0x80)
				return -1;
		p += extra + 1;
		n++;
	}
	return n;
}

bool cal_text_ok(const char *s, unsigned max_chars, bool multiline)
{
	long n = utf8_chars(s, multiline);
	return n >= 0 && (unsigned long)n <= max_chars;
}

bool cal_email_ok(const char *s, unsigned max)
{
	size_t len = strlen(s);
	const char *at = strchr(s, '@');
	if (len == 0 || len > max || !at || at == s || strchr(at + 1, '@'))
		return false;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' || c == ',' || c == ';' ||
		    c == '\\' || c == '(' || c == ')' || c == '[' || c == ']' || c == ':')
			return false;
	}
	const char *dot = strrchr(at + 1, '.');
	return dot && dot > at + 1 && dot[1] != '\0' && !strstr(at + 1, "..");
}

bool cal_res_model_ok(const char *s, unsigned max)
{
	size_t len = strlen(s);
	if (len == 0 || len > max || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.'))
			return false;
	return true;
}

int64_t cal_alarm_minutes(const struct cal_alarm *a)
{
	static const int64_t per[] = { 1, 60, 24 * 60, 7 * 24 * 60 };
	return (int64_t)a->interval_value * per[a->interval_unit];
}

static void apply_text(struct cal_error *err, const char *field, const char *value,
		       unsigned max, bool multiline, bool required, const char **slot)
{
	if (!value) {
		if (required)
			cal_error_field(err, field, "is required");
		else
			*slot = NULL;
		return;
	}
	if (required && !*value) {
		cal_error_field(err, field, "must not be empty");
		return;
	}
	if (!cal_text_ok(value, max, multiline)) {
		cal_error_field(err, field, multiline ? "must be valid UTF-8 within the length limit"
						      : "must be one line of valid UTF-8 within the length limit");
		return;
	}
	*slot = *value ? value : NULL;
	if (required)
		*slot = value;
}

static void apply_times(struct cal_event *e, const struct cal_event_input *in,
			const struct cal_tz *tz, struct cal_error *err)
{
	if (e->all_day) {
		int32_t sd = e->start_date, ed = e->end_date;
		if (in->has_start && cal_date_parse(in->start, &sd) < 0)
			cal_error_field(err, "startDatetime", "must be a date YYYY-MM-DD for an all-day event");
		if (in->has_end && cal_date_parse(in->end, &ed) < 0)
			cal_error_field(err, "endDatetime", "must be a date YYYY-MM-DD (exclusive) for an all-day event");
		if (err->n_fields)
			return;
		if (ed <= sd) {
			cal_error_field(err, "endDatetime", "must be after startDatetime (the end date is exclusive)");
			return;
		}
		e->start_date = sd;
		e->end_date = ed;
		if (cal_date_start_in_zone(tz, sd, &e->start) < 0 ||
		    cal_date_start_in_zone(tz, ed, &e->end) < 0)
			cal_error_field(err, "timezone", "cannot place these dates in the time zone");
		return;
	}
	int64_t s = e->start, t = e->end;
	if (in->has_start && cal_instant_parse(in->start, &s) < 0)
		cal_error_field(err, "startDatetime", "must be an RFC 3339 date-time with an offset, e.g. 2026-12-01T09:00:00-06:00");
	if (in->has_end && cal_instant_parse(in->end, &t) < 0)
		cal_error_field(err, "endDatetime", "must be an RFC 3339 date-time with an offset, e.g. 2026-12-01T10:00:00-06:00");
	if (err->n_fields)
		return;
	if (t < s) {
		cal_error_field(err, "endDatetime", "must not be before startDatetime");
		return;
	}
	e->start = s;
	e->end = t;
	e->start_date = e->end_date = 0;
}

int cal_event_apply(struct cal_event *e, const struct cal_event_input *in, bool creating,
		    const struct cal_tz *tz, const struct cal_limits *lim, struct cal_error *err)
{
	if (in->has_name)
		apply_text(err, "name", in->name, lim->name_max, false, true, &e->name);
	else if (!e->name)
		cal_error_field(err, "name", "is required");
	if (in->has_description)
		apply_text(err, "description", in->description, lim->description_max, true, false, &e->description);
	if (in->has_location)
		apply_text(err, "location", in->location, lim->location_max, false, false, &e->location);
	if (in->has_privacy)
		e->privacy = (enum cal_privacy)in->privacy;
	if (in->has_show_as)
		e->show_as = (enum cal_show_as)in->show_as;

	bool all_day_changed = in->has_all_day && in->all_day != e->all_day;
	if (in->has_all_day)
		e->all_day = in->all_day;
	if (creating && !in->has_start)
		cal_error_field(err, "startDatetime", "is required");
	if (creating && !in->has_end)
		cal_error_field(err, "endDatetime", "is required");
	/* Switching between timed and all-day changes the form of both times,
	 * so both must come with the switch. */
	if (!creating && all_day_changed && !(in->has_start && in->has_end))
		cal_error_field(err, "allDay", "changing allDay needs startDatetime and endDatetime too");
	if (!err->n_fields)
		apply_times(e, in, tz, err);

	if (in->has_res_model) {
		if (in->res_model && !cal_res_model_ok(in->res_model, lim->res_model_max))
			cal_error_field(err, "resModel", "must be a dotted lowercase model name like crm.lead");
		else
			e->res_model = in->res_model;
	}
	if (in->has_res_id) {
		if (in->res_id && !cal_uuid_valid(in->res_id))
			cal_error_field(err, "resId", "must be a UUID");
		else
			e->res_id = in->res_id;
	}
	if (!e->res_model != !e->res_id)
		cal_error_field(err, e->res_model ? "resId" : "resModel", "resModel and resId go together");

	if (in->has_alarms) {
		if (in->n_alarms > lim->alarms_max)
			cal_error_field(err, "alarms", "too many alarms");
		for (size_t i = 0; i < in->n_alarms; i++)
			if (in->alarms[i].interval_value < 0 ||
			    cal_alarm_minutes(&in->alarms[i]) > (int64_t)lim->alarm_minutes_max)
				cal_error_field(err, "alarms", "intervalValue must be between 0 and four weeks");
		e->alarms = in->alarms;
		e->n_alarms = in->n_alarms;
	}
	return err->n_fields ? CAL_E_INVALID : 0;
}

size_t cal_attendees_dedupe(struct cal_attendee *list, size_t n)
{
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (j < out && strcmp(list[j].email, list[i].email) != 0)
			j++;
		if (j == out) {
			list[out++] = list[i];
			continue;
		}
		/* chair > required > optional */
		if (list[i].role == CAL_ROLE_CHAIR ||
		    (list[i].role == CAL_ROLE_REQUIRED && list[j].role == CAL_ROLE_OPTIONAL))
			list[j].role = list[i].role;
		if (!list[j].user_id)
			list[j].user_id = list[i].user_id;
		if (!list[j].partner_id)
			list[j].partner_id = list[i].partner_id;
	}
	return out;
}
