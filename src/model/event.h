/* The calendar event as the domain sees it: plain values, the enums of the
 * spec with their wire names, and the rules an event must satisfy whatever
 * route or job produced it. No I/O. Strings in these structs are borrowed
 * from an arena (the request's or the job's); the structs own nothing. */
#ifndef CAL_MODEL_EVENT_H
#define CAL_MODEL_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/errors.h"
#include "base/limits.h"
#include "base/tz.h"
#include "base/uuid.h"
#include "model/recurrence.h"

enum cal_privacy { CAL_PRIVACY_PUBLIC, CAL_PRIVACY_PRIVATE, CAL_PRIVACY_CONFIDENTIAL };
enum cal_show_as { CAL_SHOW_FREE, CAL_SHOW_BUSY, CAL_SHOW_TENTATIVE };
enum cal_role { CAL_ROLE_REQUIRED, CAL_ROLE_OPTIONAL, CAL_ROLE_CHAIR };
enum cal_partstat { CAL_PARTSTAT_NEEDS_ACTION, CAL_PARTSTAT_TENTATIVE, CAL_PARTSTAT_ACCEPTED,
		    CAL_PARTSTAT_DECLINED };
enum cal_alarm_type { CAL_ALARM_NOTIFICATION, CAL_ALARM_EMAIL, CAL_ALARM_SMS };
enum cal_interval_unit { CAL_UNIT_MINUTES, CAL_UNIT_HOURS, CAL_UNIT_DAYS, CAL_UNIT_WEEKS };

/* Wire names ("public", "req_participant", ...). *_parse returns -1 for an
 * unknown name; the role parser also takes "required"/"optional". */
const char *cal_privacy_name(enum cal_privacy v);
int cal_privacy_parse(const char *s);
const char *cal_show_as_name(enum cal_show_as v);
int cal_show_as_parse(const char *s);
const char *cal_role_name(enum cal_role v);
int cal_role_parse(const char *s);
const char *cal_partstat_name(enum cal_partstat v);
int cal_partstat_parse(const char *s);
const char *cal_alarm_type_name(enum cal_alarm_type v);
int cal_alarm_type_parse(const char *s);
const char *cal_interval_unit_name(enum cal_interval_unit v);
int cal_interval_unit_parse(const char *s);

struct cal_attendee {
	cal_uuid id;
	const char *user_id;    /* NULL when not a user of the company */
	const char *partner_id; /* NULL when not a partner */
	const char *email;      /* lowercase, always set */
	const char *display_name;
	enum cal_role role;
	enum cal_partstat state;
};

struct cal_alarm {
	cal_uuid id;
	enum cal_alarm_type type;
	int32_t interval_value;
	enum cal_interval_unit interval_unit;
	/* When it next fires (the service arms it on every save; the
	 * scheduler advances it). Not part of what a client sees. */
	bool armed;
	int64_t next_trigger_at;
};

struct cal_event {
	cal_uuid id, company_id, organizer_id;
	const char *organizer_email;
	const char *name, *description, *location; /* description/location may be NULL */
	/* Timed events: the instants. All-day events: local midnights of
	 * start_date/end_date in `timezone`, kept for range queries; the dates
	 * are the truth. */
	int64_t start, end;
	bool all_day;
	int32_t start_date, end_date; /* days since 1970-01-01, exclusive end */
	const char *timezone;
	enum cal_privacy privacy;
	enum cal_show_as show_as;
	bool recurring;
	const char *res_model, *res_id; /* both or neither */
	const char *created_by, *updated_by;
	int64_t created_at, updated_at;
	int64_t version; /* bumped on every change; the ETag */
	struct cal_attendee *attendees;
	size_t n_attendees;
	struct cal_alarm *alarms;
	size_t n_alarms;

	/* A series (recurring = true): its canonical RRULE, the original starts
	 * it skips (EXDATE, sorted), and the end of its last instance
	 * (CAL_SERIES_FOREVER when it never ends). The structured form is
	 * derived from the rule when it can say it. */
	const char *rrule;
	const struct cal_recurrence_config *config; /* NULL when only the RRULE can say it */
	int64_t *exdates;
	size_t n_exdates;
	int64_t series_end;
	/* An exception: one instance of master_id, the one that originally
	 * started at original_start, changed or moved. Empty master_id: none. */
	cal_uuid master_id;
	int64_t original_start;
	/* iCalendar identity: UID (NULL: the id) and SEQUENCE. */
	const char *ical_uid;
	int64_t sequence;
};

/* series_end of a series without COUNT or UNTIL: 9999-12-31T23:59:59Z,
 * representable in every store. */
#define CAL_SERIES_FOREVER INT64_C(253402300799)

static inline bool cal_event_is_exception(const struct cal_event *e) { return e->master_id.s[0] != '\0'; }

/* What a client sent for an event, before it is applied. A field is
 * present when its has_ flag is set; a present NULL string clears the
 * field. Times stay text until apply time because their form depends on
 * allDay, which may come from the stored event. */
struct cal_attendee_input {
	const char *user_id, *partner_id, *email, *display_name;
	int role;  /* -1 when absent */
	int state; /* -1 when absent */
};

struct cal_event_input {
	bool has_recurrence; /* recurring, recurrenceConfig, rrule or exdates given */
	bool recurring;
	bool has_config;
	struct cal_recurrence_config_input {
		int rrule_type, end_type, month_by; /* -1 when absent */
		long long interval, count, day_of_month, week_of_month, weekdays;
		bool has_interval, has_count, has_day_of_month, has_week_of_month, has_weekdays;
		const char *until; /* a date, inclusive */
	} config;
	const char *rrule;   /* NULL when absent */
	bool has_exdates;
	const char **exdates; /* instants or dates, as text */
	size_t n_exdates;
	bool has_name, has_description, has_location, has_start, has_end, has_all_day,
		has_timezone, has_privacy, has_show_as, has_attendees, has_alarms, has_res_model,
		has_res_id, has_company_id;
	const char *name, *description, *location, *start, *end, *timezone, *res_model, *res_id,
		*company_id;
	bool all_day;
	int privacy, show_as;
	struct cal_attendee_input *attendees;
	size_t n_attendees;
	struct cal_alarm *alarms;
	size_t n_alarms;
};

/* Applies the scalar fields of `in` to `e` (times parsed in `tz`, the zone
 * the event will have) and checks every rule of a complete event; when
 * `creating`, the required fields must be present. Attendees are the
 * service's job (they need look-ups). On failure `e` may be partially
 * changed and `err` names the fields. */
int cal_event_apply(struct cal_event *e, const struct cal_event_input *in, bool creating,
		    const struct cal_tz *tz, const struct cal_limits *lim, struct cal_error *err);

/* Checks a string field's length in characters (UTF-8 code points) and
 * that it holds no control characters (tabs and newlines allowed only when
 * multiline). */
bool cal_text_ok(const char *s, unsigned max_chars, bool multiline);
/* A pragmatic e-mail check: one '@', a non-empty local part, a dotted
 * domain, no spaces or control characters, at most `max` bytes. */
bool cal_email_ok(const char *s, unsigned max);
/* res_model: lowercase dotted identifier like "crm.lead". */
bool cal_res_model_ok(const char *s, unsigned max);

int64_t cal_alarm_minutes(const struct cal_alarm *a);

/* Merges attendees with the same e-mail, keeping the first one's identity and
 * the strongest role; returns the new count. Case of e-mails must already be
 * folded. */
size_t cal_attendees_dedupe(struct cal_attendee *list, size_t n);

#endif
