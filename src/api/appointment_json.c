/* JSON ⇄ appointment types, slots and bookings. */
#include "api/appointment_json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api/json_fields.h"
#include "model/time.h"

static const char *const type_fields[] = {
	"name", "description", "location", "slug", "timezone", "durationMinutes",
	"slotIntervalMinutes", "bufferBeforeMinutes", "bufferAfterMinutes", "scheduleRangeDays",
	"minBookingHours", "cancelHoursBefore", "reminderHoursBefore", "maxBookingsPerDay",
	"availability", "assignmentMode", "allowReschedule", "allowCancel", "confirmationEmail",
	"reminderEmail", "createOpportunity", "isPublished", "assigneeIds", NULL,
};

/* The model checks the real ranges and names the field; this only keeps
 * the numbers inside an int. */
enum { INT_FIELD_MAX = 1000000 };

struct int_field {
	const char *key;
	enum appt_field f;
	size_t offset;
	bool nullable;
};

#define INT_FIELD(k, f, member, n) { k, f, offsetof(struct cal_appointment_type, member), n }
static const struct int_field int_fields[] = {
	INT_FIELD("durationMinutes", AF_DURATION, duration_minutes, false),
	INT_FIELD("slotIntervalMinutes", AF_INTERVAL, slot_interval_minutes, true),
	INT_FIELD("bufferBeforeMinutes", AF_BUFFER_BEFORE, buffer_before_minutes, false),
	INT_FIELD("bufferAfterMinutes", AF_BUFFER_AFTER, buffer_after_minutes, false),
	INT_FIELD("scheduleRangeDays", AF_RANGE_DAYS, schedule_range_days, false),
	INT_FIELD("minBookingHours", AF_MIN_HOURS, min_booking_hours, false),
	INT_FIELD("cancelHoursBefore", AF_CANCEL_HOURS, cancel_hours_before, false),
	INT_FIELD("reminderHoursBefore", AF_REMINDER_HOURS, reminder_hours_before, false),
	INT_FIELD("maxBookingsPerDay", AF_MAX_PER_DAY, max_bookings_per_day, true),
};

struct bool_field {
	const char *key;
	enum appt_field f;
	size_t offset;
};

#define BOOL_FIELD(k, f, member) { k, f, offsetof(struct cal_appointment_type, member) }
static const struct bool_field bool_fields[] = {
	BOOL_FIELD("allowReschedule", AF_ALLOW_RESCHEDULE, allow_reschedule),
	BOOL_FIELD("allowCancel", AF_ALLOW_CANCEL, allow_cancel),
	BOOL_FIELD("confirmationEmail", AF_CONFIRMATION_EMAIL, confirmation_email),
	BOOL_FIELD("reminderEmail", AF_REMINDER_EMAIL, reminder_email),
	BOOL_FIELD("createOpportunity", AF_CREATE_OPPORTUNITY, create_opportunity),
	BOOL_FIELD("isPublished", AF_PUBLISHED, is_published),
};

static const char *const range_fields[] = { "from", "to", NULL };

static int parse_availability(json_t *v, struct arena *a, struct cal_availability *ret,
			      struct cal_error *err)
{
	*ret = (struct cal_availability){ 0 };
	if (!json_is_object(v))
		return cal_error_field(err, "availability", "must be an object of days (monday … sunday)");
	const char *day_name;
	json_t *ranges;
	int r = 0;
	json_object_foreach(v, day_name, ranges) {
		int day = cal_week_day_parse(day_name);
		const char *field = arena_printf(a, "availability.%s", day_name);
		if (!field)
			return CAL_E_NOMEM;
		if (day < 0) {
			r = cal_error_field(err, field, "is not a day: monday … sunday");
			continue;
		}
		if (!json_is_array(ranges)) {
			r = cal_error_field(err, field, "must be a list of {\"from\": \"HH:MM\", \"to\": \"HH:MM\"}");
			continue;
		}
		size_t i;
		json_t *range;
		json_array_foreach(ranges, i, range) {
			const char *item = arena_printf(a, "%s[%zu]", field, i);
			if (!item)
				return CAL_E_NOMEM;
			json_t *from = json_object_get(range, "from"), *to = json_object_get(range, "to");
			int fm, tm;
			if (!json_is_object(range) || !json_only_fields(range, range_fields, item, a, err)) {
				r = cal_error_field(err, item, "must be {\"from\": \"HH:MM\", \"to\": \"HH:MM\"}");
				continue;
			}
			if (!json_is_string(from) || cal_hhmm_parse(json_string_value(from), &fm) < 0 || fm >= CAL_DAY_MINUTES ||
			    !json_is_string(to) || cal_hhmm_parse(json_string_value(to), &tm) < 0) {
				r = cal_error_field(err, item, "from and to must be times HH:MM (00:00 to 24:00)");
				continue;
			}
			if (cal_availability_add(ret, day, fm, tm, item, err) < 0)
				r = CAL_E_INVALID;
		}
	}
	return r;
}

static int parse_assignees(json_t *v, struct arena *a, struct appointment_type_input *in,
			   struct cal_error *err)
{
	if (!json_is_array(v) || json_array_size(v) > CAL_ASSIGNEES_MAX)
		return cal_error_field(err, "assigneeIds", "must be a list of 1 to 64 user ids");
	size_t n = json_array_size(v);
	const char **ids = arena_calloc(a, n + 1, sizeof *ids);
	if (!ids)
		return CAL_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *id = json_array_get(v, i);
		if (!json_is_string(id))
			return cal_error_field(err, "assigneeIds", "must be a list of user ids");
		ids[i] = json_string_value(id);
	}
	in->assignee_ids = ids;
	in->n_assignee_ids = n;
	return 0;
}

int appointment_type_json_parse(json_t *body, struct arena *a, struct appointment_type_input *ret,
				struct cal_error *err)
{
	struct appointment_type_input in = { 0 };
	struct cal_appointment_type *v = &in.v;
	if (!json_only_fields(body, type_fields, NULL, a, err))
		return CAL_E_INVALID;
	json_opt_string(body, "name", "name", &in.has[AF_NAME], &v->name, err);
	json_opt_string(body, "description", "description", &in.has[AF_DESCRIPTION], &v->description, err);
	json_opt_string(body, "location", "location", &in.has[AF_LOCATION], &v->location, err);
	json_opt_string(body, "slug", "slug", &in.has[AF_SLUG], &v->slug, err);
	json_opt_string(body, "timezone", "timezone", &in.has[AF_TIMEZONE], &v->timezone, err);
	if (in.has[AF_NAME] && !v->name)
		cal_error_field(err, "name", "must not be null");
	if (in.has[AF_TIMEZONE] && !v->timezone)
		cal_error_field(err, "timezone", "must not be null");
	for (size_t i = 0; i < sizeof int_fields / sizeof int_fields[0]; i++) {
		const struct int_field *f = &int_fields[i];
		json_t *j = json_object_get(body, f->key);
		long long n = 0;
		if (j && json_is_null(j) && f->nullable)
			in.has[f->f] = true;
		else if (!json_opt_int(body, f->key, f->key, 0, INT_FIELD_MAX, &in.has[f->f], &n, err))
			continue;
		/* 0 is how the model says "unset"; a client says it with null. */
		else if (in.has[f->f] && f->nullable && n == 0)
			cal_error_field(err, f->key, "must be a positive number, or null for the default");
		*(int *)((char *)v + f->offset) = (int)n;
	}
	for (size_t i = 0; i < sizeof bool_fields / sizeof bool_fields[0]; i++) {
		const struct bool_field *f = &bool_fields[i];
		bool b = false;
		if (json_opt_bool(body, f->key, &in.has[f->f], &b, err))
			*(bool *)((char *)v + f->offset) = b;
	}
	int mode = 0;
	if (json_opt_enum(body, "assignmentMode", "assignmentMode", cal_assignment_parse,
			  "must be auto or choice", &in.has[AF_ASSIGNMENT], &mode, err))
		v->assignment = (enum cal_assignment)mode;
	json_t *avail = json_object_get(body, "availability");
	if (avail) {
		in.has[AF_AVAILABILITY] = true;
		int r = parse_availability(avail, a, &v->availability, err);
		if (r == CAL_E_NOMEM)
			return r;
	}
	json_t *assignees = json_object_get(body, "assigneeIds");
	if (assignees) {
		in.has[AF_ASSIGNEES] = true;
		if (parse_assignees(assignees, a, &in, err) == CAL_E_NOMEM)
			return CAL_E_NOMEM;
	}
	if (err->n_fields)
		return CAL_E_INVALID;
	*ret = in;
	return 0;
}

static void write_instant(struct jsonw *w, const char *key, int64_t t)
{
	char text[CAL_INSTANT_TEXT];
	cal_instant_format(t, text);
	jsonw_kv_string(w, key, text);
}

static void write_opt_int(struct jsonw *w, const char *key, int v)
{
	if (v > 0)
		jsonw_kv_int(w, key, v);
	else
		jsonw_kv_null(w, key);
}

static void write_availability(struct jsonw *w, const struct cal_availability *av)
{
	jsonw_key(w, "availability");
	jsonw_object_begin(w);
	for (int d = 0; d < CAL_WEEK_DAYS; d++) {
		jsonw_key(w, cal_week_day_name(d));
		jsonw_array_begin(w);
		for (int i = 0; i < av->n[d]; i++) {
			char from[6], to[6];
			cal_hhmm_format(av->ranges[d][i].from, from);
			cal_hhmm_format(av->ranges[d][i].to, to);
			jsonw_object_begin(w);
			jsonw_kv_string(w, "from", from);
			jsonw_kv_string(w, "to", to);
			jsonw_object_end(w);
		}
		jsonw_array_end(w);
	}
	jsonw_object_end(w);
}

void appointment_type_json_write(struct jsonw *w, const struct cal_appointment_type *t, bool full)
{
	jsonw_object_begin(w);
	jsonw_kv_string(w, "id", t->id.s);
	if (full)
		jsonw_kv_string(w, "companyId", t->company_id.s);
	jsonw_kv_string(w, "name", t->name);
	jsonw_kv_string(w, "description", t->description);
	jsonw_kv_string(w, "location", t->location);
	jsonw_kv_string(w, "slug", t->slug);
	jsonw_kv_int(w, "durationMinutes", t->duration_minutes);
	jsonw_kv_string(w, "timezone", t->timezone);
	jsonw_kv_string(w, "assignmentMode", cal_assignment_name(t->assignment));
	jsonw_kv_int(w, "scheduleRangeDays", t->schedule_range_days);
	jsonw_kv_int(w, "minBookingHours", t->min_booking_hours);
	jsonw_kv_bool(w, "allowReschedule", t->allow_reschedule);
	jsonw_kv_bool(w, "allowCancel", t->allow_cancel);
	jsonw_kv_int(w, "cancelHoursBefore", t->cancel_hours_before);
	if (full) {
		jsonw_kv_int(w, "slotIntervalMinutes", cal_appointment_step(t));
		jsonw_kv_int(w, "bufferBeforeMinutes", t->buffer_before_minutes);
		jsonw_kv_int(w, "bufferAfterMinutes", t->buffer_after_minutes);
		write_availability(w, &t->availability);
		jsonw_key(w, "assigneeIds");
		jsonw_array_begin(w);
		for (size_t i = 0; i < t->n_assignees; i++)
			jsonw_string(w, t->assignee_ids[i].s);
		jsonw_array_end(w);
		write_opt_int(w, "maxBookingsPerDay", t->max_bookings_per_day);
		jsonw_kv_bool(w, "confirmationEmail", t->confirmation_email);
		jsonw_kv_bool(w, "reminderEmail", t->reminder_email);
		jsonw_kv_int(w, "reminderHoursBefore", t->reminder_hours_before);
		jsonw_kv_bool(w, "createOpportunity", t->create_opportunity);
		jsonw_kv_bool(w, "isPublished", t->is_published);
		write_instant(w, "createdAt", t->created_at);
		write_instant(w, "updatedAt", t->updated_at);
	}
	jsonw_key(w, "assignees");
	jsonw_array_begin(w);
	for (size_t i = 0; i < t->n_assignees; i++) {
		jsonw_object_begin(w);
		jsonw_kv_string(w, "id", t->assignee_ids[i].s);
		jsonw_kv_string(w, "name", t->assignee_names ? t->assignee_names[i] : NULL);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_object_end(w);
}

const char *appointment_type_etag(struct arena *a, const struct cal_appointment_type *t)
{
	return arena_printf(a, "\"v%" PRId64 "\"", t->version);
}

void appointment_local_format(const struct cal_tz *tz, int64_t t, char ret[32])
{
	int32_t off = 0;
	struct cal_civil c;
	if (cal_tz_offset_at(tz, t, &off, NULL) < 0 || cal_epoch_to_civil_utc(t + off, &c) < 0) {
		cal_instant_format(t, ret);
		return;
	}
	int a = off < 0 ? -off : off;
	snprintf(ret, 32, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", c.year, c.month, c.day, c.hour,
		 c.minute, c.second, off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

void appointment_slots_json_write(struct jsonw *w, const struct appointment_slots_result *s)
{
	const struct cal_appointment_type *t = &s->type;
	jsonw_object_begin(w);
	jsonw_kv_string(w, "appointmentTypeId", t->id.s);
	jsonw_kv_string(w, "timezone", cal_tz_name(s->display_tz));
	jsonw_kv_string(w, "typeTimezone", t->timezone);
	write_instant(w, "from", s->from);
	write_instant(w, "to", s->to);
	jsonw_key(w, "slots");
	jsonw_array_begin(w);
	for (size_t i = 0; i < s->n; i++) {
		const struct cal_slot *sl = &s->slots[i];
		char local[32];
		jsonw_object_begin(w);
		write_instant(w, "start", sl->start);
		write_instant(w, "end", sl->end);
		appointment_local_format(s->display_tz, sl->start, local);
		jsonw_kv_string(w, "localStart", local);
		appointment_local_format(s->display_tz, sl->end, local);
		jsonw_kv_string(w, "localEnd", local);
		jsonw_key(w, "assigneeIds");
		jsonw_array_begin(w);
		for (size_t k = 0; k < t->n_assignees; k++)
			if (sl->free & ((uint64_t)1 << k))
				jsonw_string(w, t->assignee_ids[k].s);
		jsonw_array_end(w);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_object_end(w);
}

static const char *const book_fields[] = {
	"appointmentTypeId", "startDatetime", "customerName", "customerEmail", "customerPhone",
	"notes", "assigneeId", "timezone", "lang", NULL,
};

int appointment_book_json_parse(json_t *body, struct arena *a, struct appointment_book_request *ret,
				struct cal_error *err)
{
	struct appointment_book_request q = *ret;
	bool has;
	if (!json_only_fields(body, book_fields, NULL, a, err))
		return CAL_E_INVALID;
	json_opt_string(body, "appointmentTypeId", "appointmentTypeId", &has, &q.type_id, err);
	json_opt_string(body, "startDatetime", "startDatetime", &has, &q.start, err);
	json_opt_string(body, "customerName", "customerName", &has, &q.customer_name, err);
	json_opt_string(body, "customerEmail", "customerEmail", &has, &q.customer_email, err);
	json_opt_string(body, "customerPhone", "customerPhone", &has, &q.customer_phone, err);
	json_opt_string(body, "notes", "notes", &has, &q.notes, err);
	json_opt_string(body, "assigneeId", "assigneeId", &has, &q.assignee_id, err);
	json_opt_string(body, "timezone", "timezone", &has, &q.timezone, err);
	json_opt_string(body, "lang", "lang", &has, &q.lang, err);
	if (err->n_fields)
		return CAL_E_INVALID;
	*ret = q;
	return 0;
}

void appointment_booking_json_write(struct jsonw *w, const struct appointment_booking_view *v,
				    const char *public_url)
{
	const struct cal_booking *b = v->booking;
	const struct cal_appointment_type *t = v->type;
	jsonw_object_begin(w);
	jsonw_kv_string(w, "id", b->id.s);
	jsonw_kv_string(w, "status", b->cancelled ? "cancelled" : "confirmed");
	jsonw_key(w, "appointmentType");
	jsonw_object_begin(w);
	jsonw_kv_string(w, "id", t->id.s);
	jsonw_kv_string(w, "name", t->name);
	jsonw_kv_int(w, "durationMinutes", t->duration_minutes);
	jsonw_kv_string(w, "timezone", t->timezone);
	jsonw_kv_string(w, "location", t->location);
	jsonw_object_end(w);
	jsonw_key(w, "assignee");
	jsonw_object_begin(w);
	jsonw_kv_string(w, "id", b->assignee_id.s);
	jsonw_kv_string(w, "name", v->assignee_name);
	jsonw_object_end(w);
	jsonw_kv_string(w, "eventId", b->event_id.s[0] ? b->event_id.s : NULL);
	jsonw_kv_string(w, "leadId", b->lead_id.s[0] ? b->lead_id.s : NULL);
	write_instant(w, "startDatetime", b->start);
	write_instant(w, "endDatetime", b->end);
	jsonw_kv_string(w, "customerName", b->customer_name);
	jsonw_kv_string(w, "customerEmail", b->customer_email);
	jsonw_kv_string(w, "customerPhone", b->customer_phone);
	jsonw_kv_string(w, "notes", b->notes);
	jsonw_kv_bool(w, "canReschedule", v->can_reschedule);
	jsonw_kv_bool(w, "canCancel", v->can_cancel);
	write_instant(w, "changeDeadline", v->change_deadline);
	struct strbuf url = STRBUF_INIT(4096);
	if (v->manage_token)
		strbuf_printf(&url, "%s/api/v1/calendar/appointments/bookings/%s", public_url, v->manage_token);
	jsonw_kv_string(w, "manageUrl", v->manage_token ? strbuf_str(&url) : NULL);
	strbuf_release(&url);
	jsonw_object_end(w);
}
