/* Appointment types and their free slots (Odoo's appointment module).
 *
 * A type's weekly availability is written in wall-clock time of the type's
 * own zone ("monday 09:00–12:00 in Europe/Madrid"). Slots are generated
 * per local date: each range is turned into UTC instants with that day's
 * offset, so a slot at 09:00 stays at 09:00 on both sides of a DST change,
 * and stepping inside a range is in elapsed time, so a range that spans
 * the change itself (a night shift) still yields slots of the real length.
 *
 * A slot is free for an assignee when [start − buffer before, end + buffer
 * after) overlaps none of the assignee's busy intervals: a true interval
 * overlap test (a.start < b.end && b.start < a.end), which also catches an
 * event lying strictly inside a slot — the spec's test does not.
 *
 * Pure values and rules, no I/O. Errors are CAL_E_* codes with `err`
 * naming the field. */
#ifndef CAL_MODEL_APPOINTMENT_H
#define CAL_MODEL_APPOINTMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/errors.h"
#include "base/tz.h"
#include "base/uuid.h"

/* Days are numbered from Monday (0) to Sunday (6), as the JSON names them. */
enum { CAL_WEEK_DAYS = 7, CAL_AVAIL_RANGES_MAX = 12, CAL_DAY_MINUTES = 1440 };
/* Assignees of one type: a slot's free set is a 64-bit mask. */
enum { CAL_ASSIGNEES_MAX = 64 };

/* "monday".."sunday"; parse returns -1 for anything else. */
const char *cal_week_day_name(int day);
int cal_week_day_parse(const char *name);

/* "HH:MM", 00:00..24:00 (24:00 only ends a day), as minutes after local
 * midnight. CAL_E_INVALID for anything else ("9:00", "12:60", "24:01"). */
int cal_hhmm_parse(const char *text, int *ret_minutes);
void cal_hhmm_format(int minutes, char ret_text[6]);

struct cal_avail_range {
	int from, to; /* minutes after local midnight, 0 <= from < to <= 1440 */
};

struct cal_availability {
	struct cal_avail_range ranges[CAL_WEEK_DAYS][CAL_AVAIL_RANGES_MAX];
	int n[CAL_WEEK_DAYS]; /* each day's ranges sorted by `from` */
};

/* Adds a range to a day, keeping the day sorted. Refuses from >= to, a
 * range overlapping one already there (touching is fine: 09:00–12:00 and
 * 12:00–13:00), and more than CAL_AVAIL_RANGES_MAX a day; `field` is the
 * name err gets ("availability.monday[1]"). */
int cal_availability_add(struct cal_availability *av, int day, int from, int to,
			 const char *field, struct cal_error *err);
bool cal_availability_empty(const struct cal_availability *av);

/* The column form (appointment_types.availability): the API's JSON,
 * {"monday":[{"from":"09:00","to":"12:00"}],...}, days in week order and
 * empty days left out. NULL on allocation failure. */
char *cal_availability_format(struct arena *a, const struct cal_availability *av);
/* Reads that form back whatever the key order and white space
 * (PostgreSQL's jsonb reorders keys and adds spaces), re-checking every
 * rule of cal_availability_add. CAL_E_INVALID for anything else. */
int cal_availability_parse(const char *text, struct cal_availability *ret);

enum cal_assignment { CAL_ASSIGN_AUTO, CAL_ASSIGN_CHOICE };
const char *cal_assignment_name(enum cal_assignment v); /* "auto", "choice" */
int cal_assignment_parse(const char *s);                /* -1: unknown */

struct cal_appointment_type {
	cal_uuid id, company_id;
	const char *name, *description, *location; /* description, location may be NULL */
	const char *slug;                          /* may be NULL */
	const char *timezone;                      /* IANA name: the availability's zone */
	int duration_minutes;
	int slot_interval_minutes;                 /* 0: the duration */
	int buffer_before_minutes, buffer_after_minutes;
	int schedule_range_days, min_booking_hours;
	int cancel_hours_before, reminder_hours_before;
	int max_bookings_per_day;                  /* per assignee per local day; 0: no limit */
	struct cal_availability availability;
	enum cal_assignment assignment;
	bool allow_reschedule, allow_cancel, confirmation_email, reminder_email;
	bool create_opportunity, is_published, active;
	cal_uuid *assignee_ids;                    /* in the order they were given */
	size_t n_assignees;
	/* Filled by reads from the assignees' rows, never written: their
	 * names and busy versions (a counter that moves with their calendar). */
	const char **assignee_names;
	int64_t *assignee_busy_versions;
	int64_t created_at, updated_at, version;
};

/* The step between two slot starts. */
static inline int cal_appointment_step(const struct cal_appointment_type *t)
{
	return t->slot_interval_minutes > 0 ? t->slot_interval_minutes : t->duration_minutes;
}

/* Checks every plain field's range (durations, hours, days, slug, name).
 * The zone's existence and the assignees need look-ups: the service's. */
int cal_appointment_type_check(const struct cal_appointment_type *t, struct cal_error *err);

/* Where a slot of the type may begin, seen at `now`: from now + the
 * minimum notice to the end of the last bookable day, the local date
 * `schedule_range_days` after today's in the type's zone (that whole day
 * is bookable). */
int cal_booking_window(const struct cal_tz *tz, int64_t now, int min_booking_hours,
		       int schedule_range_days, int64_t *ret_from, int64_t *ret_to);

/* A half-open busy interval [start, end), in UTC seconds. */
struct cal_busy {
	int64_t start, end;
};

/* Sorts a list of busy intervals and merges those that overlap or touch,
 * in place; returns the new count. */
size_t cal_busy_normalize(struct cal_busy *b, size_t n);
/* True when [start, end) overlaps an interval of a normalized list
 * (binary search). */
bool cal_busy_overlaps(const struct cal_busy *b, size_t n, int64_t start, int64_t end);

struct cal_slot_assignee {
	const struct cal_busy *busy; /* normalized (cal_busy_normalize) */
	size_t n_busy;
	/* The starts of the assignee's bookings of this type, for the daily
	 * cap; any order. */
	const int64_t *booked;
	size_t n_booked;
};

struct cal_slot_query {
	const struct cal_tz *tz; /* the type's zone */
	const struct cal_availability *availability;
	int duration_minutes, step_minutes, buffer_before_minutes, buffer_after_minutes;
	int max_per_day; /* 0: no limit */
	int64_t from, to; /* slots that begin in [from, to) */
	const struct cal_slot_assignee *assignees;
	size_t n_assignees; /* <= CAL_ASSIGNEES_MAX */
	/* false: every slot of the grid, free or not (free mask may be 0) —
	 * the booking checks a start is on the grid before asking if free. */
	bool only_free;
};

struct cal_slot {
	int64_t start, end;
	uint64_t free; /* bit i: assignees[i] is free */
};

/* The slots of the grid beginning in [from, to), in time order, with who
 * is free for each. Cost: linear in days × slots per day × assignees,
 * plus a binary search per check. */
int cal_slots_generate(struct arena *a, const struct cal_slot_query *q, struct cal_slot **ret,
		       size_t *ret_n);

/* `auto` assignment: of the assignees in `free`, one with the fewest
 * bookings that day (`load[i]`); among equals, the (seed mod k)-th, so a
 * random seed spreads ties evenly instead of always picking the first.
 * -1 when `free` is empty. */
int cal_assign_pick(uint64_t free, const int *load, size_t n, uint64_t seed);

/* A booking made on the public page. The manage token itself is never
 * stored: the row keeps its hash, the only way to find the booking from a
 * link. */
struct cal_booking {
	cal_uuid id, type_id, company_id, assignee_id;
	cal_uuid event_id, lead_id;        /* empty: none (lead) or gone (event) */
	int64_t start, end;
	const char *customer_name, *customer_email;
	const char *customer_phone, *notes; /* may be NULL */
	const char *customer_lang;          /* "es" or "en" */
	const char *customer_timezone;      /* may be NULL: the type's */
	bool cancelled;
	const char *manage_token_hash;
	const char *idempotency_key, *request_hash; /* may be NULL */
	int64_t created_at, updated_at;
};

/* The minimal CRM lead of a type with createOpportunity. */
struct cal_lead {
	cal_uuid id, company_id, event_id;
	const char *name, *contact_name, *email, *phone, *source;
	int64_t created_at;
};

#endif
