/* ERP activities (Odoo's mail.activity): something to do about any ERP
 * record (`res_model`, `res_id`) by a due date, assigned to a user of the
 * company. A meeting activity is linked to the calendar event it created.
 *
 * Only "planned" and "done" are stored; a reader sees "today" or "overdue"
 * instead of "planned" by comparing the due date with today's date in the
 * ASSIGNEE's time zone (an activity due on the 15th is overdue in Auckland
 * while it is still "today" in Mexico City). Pure values and rules, no I/O;
 * strings are borrowed from an arena like those of model/event.h. */
#ifndef CAL_MODEL_ACTIVITY_H
#define CAL_MODEL_ACTIVITY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/errors.h"
#include "base/limits.h"
#include "base/tz.h"
#include "base/uuid.h"

enum cal_activity_type { CAL_ACTIVITY_CALL, CAL_ACTIVITY_MEETING, CAL_ACTIVITY_EMAIL, CAL_ACTIVITY_TODO };
enum cal_activity_state { CAL_ACTIVITY_PLANNED, CAL_ACTIVITY_TODAY, CAL_ACTIVITY_OVERDUE, CAL_ACTIVITY_DONE };

/* Wire names ("call", "meeting", "email", "todo"; "planned", "today",
 * "overdue", "done"); *_parse returns -1 for an unknown name. */
const char *cal_activity_type_name(enum cal_activity_type v);
int cal_activity_type_parse(const char *s);
const char *cal_activity_state_name(enum cal_activity_state v);
int cal_activity_state_parse(const char *s);

struct cal_activity {
	cal_uuid id, company_id;
	cal_uuid user_id;               /* the assignee */
	const char *res_model, *res_id; /* always both */
	enum cal_activity_type type;
	const char *summary;
	const char *note;               /* NULL when none */
	int32_t due_date;               /* days since 1970-01-01 */
	bool done;
	int64_t done_at;                /* when done */
	cal_uuid event_id;              /* the meeting's calendar event; empty: none */
	const char *created_by;         /* a user id; NULL on rows older than the column */
	int64_t created_at, updated_at;
	int64_t version;                /* bumped on every change; the ETag */
	/* Filled by reads from the assignee's row, never written: the zone
	 * the state is computed in. */
	const char *user_timezone;
};

/* The state a reader sees when the assignee's date is `today`. */
enum cal_activity_state cal_activity_state_on(const struct cal_activity *act, int32_t today);

/* The calendar date (days since 1970-01-01) that instant `utc` falls on in
 * zone `tz`. -ERANGE outside years 1..9999. */
int cal_activity_date_at(const struct cal_tz *tz, int64_t utc, int32_t *ret_days);

/* What a client sent; a field is present when its has_ flag is set, and a
 * present NULL string clears an optional field (note) or is an error for a
 * required one. */
struct cal_activity_input {
	bool has_type, has_summary, has_note, has_due_date, has_user_id, has_res_model, has_res_id;
	int type; /* enum cal_activity_type */
	const char *summary, *note, *due_date, *user_id, *res_model, *res_id;
	/* Meetings, on creation only: the event's times and zone. */
	bool has_start, has_end, has_timezone;
	const char *start, *end, *timezone;
};

/* Applies the plain fields of `in` to `act` (type, summary, note, due date,
 * record) and checks them; when `creating`, the required ones must be
 * there (dueDate is not required of a meeting given a start: it follows
 * from the meeting). The assignee and the meeting's times need look-ups
 * and are the service's. On failure `err` names the fields and `act` may
 * be partially changed. */
int cal_activity_apply(struct cal_activity *act, const struct cal_activity_input *in, bool creating,
		       const struct cal_limits *lim, struct cal_error *err);

#endif
