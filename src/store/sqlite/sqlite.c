/* The SQLite backend: the default store for one machine. WAL journal with
 * synchronous=FULL (a commit that returned is on disk), a busy timeout so
 * writers queue instead of failing, foreign keys on, and every statement
 * prepared once per connection. Write transactions start IMMEDIATE so that
 * two read-then-write transactions never deadlock on the lock upgrade. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/macro.h"
#include "base/strbuf.h"
#include "model/time.h"
#include "store/backend.h"
#include "store/sqlite/sqlite_internal.h"

enum { BUSY_TIMEOUT_MS = 10000 };

#define EVENT_COLUMNS                                                                         \
	"e.id, e.company_id, e.name, e.description, e.location, e.start_datetime, "           \
	"e.end_datetime, e.all_day, e.start_date, e.end_date, e.timezone, e.organizer_id, "    \
	"e.organizer_email, e.privacy, e.show_as, e.recurring, e.res_model, e.res_id, "        \
	"e.version, e.created_at, e.updated_at, e.created_by, e.updated_by, "                 \
	"e.recurrence_master_id, e.original_start, e.series_end, e.ical_uid, e.sequence, "     \
	"r.rrule, r.exdates"

/* The filters of a window after the index ranges (ST_RANGE_ONE). */
#define RANGE_ONE_FILTERS                                                                   \
	" AND +e.company_id = ?5 AND +e.recurring = ?11"                                    \
	" AND (?6 IS NULL OR (e.res_model = ?6 AND e.res_id = ?7))"                        \
	" AND (?8 IS NULL OR e.start_datetime > ?8 OR (e.start_datetime = ?8 AND e.id > ?9))"

/* Activities read with their assignee's zone (the state is computed in it). */
#define ACTIVITY_COLUMNS                                                                      \
	"a.id, a.company_id, a.user_id, a.res_model, a.res_id, a.activity_type, a.summary, "     \
	"a.note, a.due_date, a.state, a.done_at, a.calendar_event_id, a.created_by, "            \
	"a.created_at, a.updated_at, a.version, u.timezone"
#define ACTIVITIES_FROM " FROM activities a JOIN users u ON u.id = a.user_id"
/* After the key (?1, and ?9 for a record's res_id): company, stored
 * state, due-date range, cursor, limit. */
#define ACTIVITY_FILTERS                                                                      \
	" AND a.company_id = ?2 AND (?3 IS NULL OR a.state = ?3)"                               \
	" AND (?4 IS NULL OR a.due_date >= ?4) AND (?5 IS NULL OR a.due_date <= ?5)"             \
	" AND (?6 IS NULL OR a.due_date > ?6 OR (a.due_date = ?6 AND a.id > ?7))"              \
	" ORDER BY a.due_date, a.id LIMIT ?8"

/* An outbox row as sqlite/outbox.c reads it (then the payload, or NULL). */
#define OUTBOX_COLUMNS                                                                      \
	"id, company_id, channel, kind, recipient, idempotency_key, status, attempts, "      \
	"next_attempt_at, created_at, sent_at, last_error"

/* Every event read joins its rule (series only). */
#define EVENTS_FROM " FROM calendar_events e LEFT JOIN calendar_recurrences r ON r.id = e.recurrence_id"

/* Appointment types: the 28 stored columns, in the order of
 * ST_APPT_TYPE_INSERT's parameters. */
#define APPT_TYPE_COLUMNS                                                                     \
	"id, company_id, name, description, location, slug, timezone, duration_minutes, "        \
	"slot_interval_minutes, buffer_before_minutes, buffer_after_minutes, "                  \
	"schedule_range_days, min_booking_hours, cancel_hours_before, reminder_hours_before, "   \
	"max_bookings_per_day, availability, assignment_mode, allow_reschedule, allow_cancel, " \
	"confirmation_email, reminder_email, create_opportunity, is_published, active, "        \
	"created_at, updated_at, version"

/* A user's busy time: the two index ranges of ST_RANGE_ONE, keeping what
 * blocks a slot (not declined, not shown free). */
#define BUSY_FILTERS                                                                          \
	" AND a.state <> 'declined' AND +e.company_id = ?5 AND e.show_as <> 'free' AND e.active = 1"

#define BOOKING_COLUMNS                                                                       \
	"id, appointment_type_id, company_id, event_id, assignee_id, start_datetime, "           \
	"end_datetime, customer_name, customer_email, customer_phone, notes, status, "           \
	"manage_token_hash, idempotency_key, request_hash, lead_id, customer_lang, "             \
	"customer_timezone, created_at, updated_at"

static const char *const stmt_sql[ST__COUNT] = {
	[ST_BEGIN_READ] = "BEGIN DEFERRED",
	[ST_BEGIN_WRITE] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_PING] = "SELECT 1",
	[ST_FEED_PUT] = "INSERT INTO calendar_feeds(user_id, token_hash, created_at) VALUES (?1, ?2, ?3) "
			"ON CONFLICT(user_id) DO UPDATE SET token_hash = ?2, created_at = ?3",
	[ST_FEED_USER] = "SELECT user_id FROM calendar_feeds WHERE token_hash = ?1",
	[ST_FEED_DELETE] = "DELETE FROM calendar_feeds WHERE user_id = ?1",
	[ST_ACTIVITY_INSERT] =
		"INSERT INTO activities(id, company_id, user_id, res_model, res_id, activity_type, summary, "
		"note, due_date, state, done_at, calendar_event_id, created_by, created_at, updated_at, "
		"version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
	[ST_ACTIVITY_BY_ID] = "SELECT " ACTIVITY_COLUMNS ACTIVITIES_FROM " WHERE a.id = ?1",
	[ST_ACTIVITY_UPDATE] =
		"UPDATE activities SET company_id = ?2, user_id = ?3, res_model = ?4, res_id = ?5, "
		"activity_type = ?6, summary = ?7, note = ?8, due_date = ?9, state = ?10, done_at = ?11, "
		"calendar_event_id = ?12, created_by = ?13, created_at = ?14, updated_at = ?15, "
		"version = ?16 WHERE id = ?1 AND version = ?17",
	[ST_ACTIVITY_DELETE] = "DELETE FROM activities WHERE id = ?1 AND version = ?2",
	[ST_ACTIVITY_VERSION] = "SELECT version FROM activities WHERE id = ?1",
	[ST_ACTIVITIES_OF_USER] = "SELECT " ACTIVITY_COLUMNS ACTIVITIES_FROM
				  " WHERE a.user_id = ?1" ACTIVITY_FILTERS,
	[ST_ACTIVITIES_OF_RECORD] = "SELECT " ACTIVITY_COLUMNS ACTIVITIES_FROM
				    " WHERE a.res_model = ?1 AND a.res_id = ?9" ACTIVITY_FILTERS,
	[ST_ACTIVITIES_OF_EVENT] = "SELECT " ACTIVITY_COLUMNS ACTIVITIES_FROM
				   " WHERE a.calendar_event_id = ?1" ACTIVITY_FILTERS,
	[ST_OUTBOX_PUT] = "INSERT INTO notification_outbox(id, company_id, channel, kind, recipient, payload, "
			  "status, attempts, next_attempt_at, idempotency_key, created_at) "
			  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', 0, ?7, ?8, ?9) "
			  "ON CONFLICT (idempotency_key) DO NOTHING",
	/* The due rows come from the partial index idx_notification_outbox_due;
	 * a claimed row is due again when its lease ends. */
	[ST_OUTBOX_CLAIM] = "UPDATE notification_outbox SET status = 'sending', attempts = attempts + 1, "
			    "next_attempt_at = ?2, lease_until = ?2 WHERE id IN ("
			    " SELECT id FROM notification_outbox WHERE status IN ('pending','sending')"
			    " AND next_attempt_at <= ?1 ORDER BY next_attempt_at LIMIT ?3) "
			    "RETURNING " OUTBOX_COLUMNS ", payload",
	[ST_OUTBOX_FINISH] = "UPDATE notification_outbox SET status = ?3, "
			     "next_attempt_at = CASE WHEN ?3 = 'pending' THEN ?4 ELSE next_attempt_at END, "
			     "sent_at = CASE WHEN ?3 = 'sent' THEN ?4 ELSE sent_at END, "
			     "lease_until = NULL, last_error = ?5 "
			     "WHERE id = ?1 AND attempts = ?2 AND status = 'sending'",
	[ST_OUTBOX_NEXT] = "SELECT min(next_attempt_at) FROM notification_outbox "
			   "WHERE status IN ('pending','sending')",
	/* Metadata only: payloads are large and carry signed links. */
	[ST_OUTBOX_LIST] = "SELECT " OUTBOX_COLUMNS ", NULL FROM notification_outbox "
			   "WHERE company_id = ?1 AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR recipient = ?3) "
			   "ORDER BY created_at DESC, id LIMIT ?4",
	[ST_NOTIFICATION_PUT] = "INSERT INTO notifications(id, user_id, kind, title, body, link, event_id, read, "
				"created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8) ON CONFLICT (id) DO NOTHING",
	[ST_NOTIFICATIONS_PAGE] = "SELECT id, user_id, kind, title, body, link, event_id, read, created_at "
				  "FROM notifications WHERE user_id = ?1 AND (?2 = 0 OR read = 0) "
				  "AND (?3 IS NULL OR created_at < ?3 OR (created_at = ?3 AND id < ?4)) "
				  "ORDER BY created_at DESC, id DESC LIMIT ?5",
	[ST_NOTIFICATIONS_SINCE] = "SELECT id, user_id, kind, title, body, link, event_id, read, created_at "
				   "FROM notifications WHERE user_id = ?1 AND created_at >= ?2 "
				   "ORDER BY created_at, id LIMIT ?3",
	[ST_NOTIFICATION_READ] = "UPDATE notifications SET read = 1 WHERE id = ?1 AND user_id = ?2",
	[ST_ALARMS_DUE] = "SELECT event_id, id, alarm_type, interval_value, interval_unit, next_trigger_at "
			  "FROM calendar_alarms WHERE next_trigger_at <= ?1 ORDER BY next_trigger_at LIMIT ?2",
	[ST_ALARM_ADVANCE] = "UPDATE calendar_alarms SET next_trigger_at = ?2, triggered = 1, triggered_at = ?3 "
			     "WHERE id = ?1",
	[ST_ALARMS_NEXT] = "SELECT min(next_trigger_at) FROM calendar_alarms WHERE next_trigger_at IS NOT NULL",
	[ST_COMPANY_INSERT] = "INSERT INTO companies(id, name, slug, created_at) VALUES (?1, ?2, ?3, ?4)",
	[ST_COMPANY_BY_ID] = "SELECT id, name, slug, created_at FROM companies WHERE id = ?1",
	[ST_COMPANY_BY_SLUG] = "SELECT id, name, slug, created_at FROM companies WHERE slug = ?1",
	[ST_USER_INSERT] = "INSERT INTO users(id, company_id, name, email, timezone, lang, password_hash, role, created_at, phone) "
			   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[ST_USER_BY_ID] = "SELECT id, company_id, name, email, timezone, lang, password_hash, role, created_at, phone "
			  "FROM users WHERE id = ?1",
	[ST_USER_BY_EMAIL] = "SELECT id, company_id, name, email, timezone, lang, password_hash, role, created_at, phone "
			     "FROM users WHERE email = ?1",
	[ST_PARTNER_INSERT] = "INSERT INTO partners(id, company_id, name, email, phone, created_at) "
			      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_PARTNER_BY_ID] = "SELECT id, company_id, name, email, phone, created_at FROM partners WHERE id = ?1",
	[ST_EVENT_INSERT] =
		"INSERT INTO calendar_events(id, company_id, name, description, location, start_datetime, "
		"end_datetime, all_day, start_date, end_date, timezone, organizer_id, organizer_email, "
		"privacy, show_as, recurring, res_model, res_id, version, created_at, updated_at, "
		"created_by, updated_by, recurrence_id, recurrence_master_id, original_start, series_end, "
		"ical_uid, sequence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
		"?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)",
	[ST_EVENT_BY_ID] = "SELECT " EVENT_COLUMNS EVENTS_FROM " WHERE e.id = ?1",
	[ST_EVENT_BY_UID] = "SELECT " EVENT_COLUMNS EVENTS_FROM
			    " WHERE e.company_id = ?1 AND e.ical_uid = ?2 AND e.recurrence_master_id IS NULL",
	[ST_EXCEPTIONS_OF] = "SELECT " EVENT_COLUMNS EVENTS_FROM
			     " WHERE e.recurrence_master_id = ?1 AND e.original_start >= ?2 AND e.original_start < ?3"
			     " ORDER BY e.original_start",
	[ST_RECURRENCE_UPSERT] =
		"INSERT INTO calendar_recurrences(id, rrule_type, interval, end_type, count, until, weekdays, "
		"month_by, day_of_month, week_of_month, rrule, exdates, base_event_id, created_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?1, ?13) ON CONFLICT(id) DO UPDATE SET "
		"rrule_type = ?2, interval = ?3, end_type = ?4, count = ?5, until = ?6, weekdays = ?7, "
		"month_by = ?8, day_of_month = ?9, week_of_month = ?10, rrule = ?11, exdates = ?12",
	[ST_RECURRENCE_DELETE] = "DELETE FROM calendar_recurrences WHERE id = ?1",
	[ST_EVENT_UPDATE] =
		"UPDATE calendar_events SET company_id = ?2, name = ?3, description = ?4, location = ?5, "
		"start_datetime = ?6, end_datetime = ?7, all_day = ?8, start_date = ?9, end_date = ?10, "
		"timezone = ?11, organizer_id = ?12, organizer_email = ?13, privacy = ?14, show_as = ?15, "
		"recurring = ?16, res_model = ?17, res_id = ?18, version = ?19, created_at = ?20, "
		"updated_at = ?21, created_by = ?22, updated_by = ?23, recurrence_id = ?24, "
		"recurrence_master_id = ?25, original_start = ?26, series_end = ?27, ical_uid = ?28, "
		"sequence = ?29 WHERE id = ?1 AND version = ?30",
	[ST_EVENT_DELETE] = "DELETE FROM calendar_events WHERE id = ?1 AND version = ?2",
	[ST_EVENT_VERSION] = "SELECT version FROM calendar_events WHERE id = ?1",
	[ST_ATTENDEE_INSERT] =
		"INSERT INTO calendar_attendees(id, event_id, partner_id, user_id, email, display_name, "
		"state, role, position, event_start, event_end, long_span, created_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	[ST_ATTENDEES_DELETE] = "DELETE FROM calendar_attendees WHERE event_id = ?1",
	[ST_ALARM_INSERT] = "INSERT INTO calendar_alarms(id, event_id, alarm_type, interval_value, "
			    "interval_unit, position, created_at, next_trigger_at) "
			    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_ALARMS_DELETE] = "DELETE FROM calendar_alarms WHERE event_id = ?1",
	/* One event at a time: in-process, a prepared probe of the
	 * (event_id, position) index costs less than materializing an id list. */
	[ST_ATTENDEES_OF] = "SELECT event_id, id, user_id, partner_id, email, display_name, role, state "
			    "FROM calendar_attendees WHERE event_id = ?1 ORDER BY position",
	[ST_ALARMS_OF] = "SELECT event_id, id, alarm_type, interval_value, interval_unit "
			 "FROM calendar_alarms WHERE event_id = ?1 ORDER BY position",
	/* Two index ranges per user: ordinary events that start in
	 * [from - LONG_SPAN, to), and the few long spans that end after from. */
	/* The unary + keeps the planner from driving the query by company
	 * (a scan of the company's history) instead of by the id list. */
	[ST_RANGE] =
		"SELECT " EVENT_COLUMNS EVENTS_FROM " WHERE e.id IN ("
		" SELECT a.event_id FROM calendar_attendees a"
		"  WHERE a.user_id IN (SELECT value FROM json_each(?1))"
		"    AND a.event_start >= ?2 AND a.event_start < ?3 AND a.event_end > ?4"
		" UNION"
		" SELECT a.event_id FROM calendar_attendees a"
		"  WHERE a.user_id IN (SELECT value FROM json_each(?1))"
		"    AND a.long_span = 1 AND a.event_end > ?4 AND a.event_start < ?3)"
		" AND +e.company_id = ?5 AND +e.recurring = ?11"
		" AND (?6 IS NULL OR (e.res_model = ?6 AND e.res_id = ?7))"
		" AND (?8 IS NULL OR e.start_datetime > ?8 OR (e.start_datetime = ?8 AND e.id > ?9))"
		" ORDER BY e.start_datetime, e.id LIMIT ?10",
	/* One user (the common case): the same two index ranges joined
	 * directly, with no id list or UNION to materialize. The branches are
	 * disjoint (long_span), so UNION ALL lists each event once. */
	[ST_APPT_TYPE_INSERT] = "INSERT INTO appointment_types(" APPT_TYPE_COLUMNS ") VALUES (?1, ?2, ?3, "
				"?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
				"?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)",
	[ST_APPT_TYPE_BY_ID] = "SELECT " APPT_TYPE_COLUMNS " FROM appointment_types WHERE id = ?1",
	[ST_APPT_TYPE_UPDATE] = "UPDATE appointment_types SET (" APPT_TYPE_COLUMNS ") = (?1, ?2, ?3, ?4, "
				"?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, "
				"?22, ?23, ?24, ?25, ?26, ?27, ?28) WHERE id = ?1 AND version = ?29",
	[ST_APPT_TYPE_VERSION] = "SELECT version FROM appointment_types WHERE id = ?1",
	[ST_APPT_TYPES_OF_COMPANY] = "SELECT " APPT_TYPE_COLUMNS " FROM appointment_types"
				     " WHERE company_id = ?1 AND active = 1 AND (?2 = 0 OR is_published = 1)"
				     " ORDER BY name, id",
	[ST_APPT_USERS_OF] = "SELECT t.user_id, u.name, u.busy_version FROM appointment_type_users t"
			     " JOIN users u ON u.id = t.user_id WHERE t.appointment_type_id = ?1"
			     " ORDER BY t.position",
	[ST_APPT_USERS_DELETE] = "DELETE FROM appointment_type_users WHERE appointment_type_id = ?1",
	[ST_APPT_USER_INSERT] = "INSERT INTO appointment_type_users(appointment_type_id, user_id, position)"
				" VALUES (?1, ?2, ?3)",
	[ST_BUSY_ONE] =
		"SELECT " EVENT_COLUMNS " FROM calendar_attendees a JOIN calendar_events e ON e.id = a.event_id"
		" LEFT JOIN calendar_recurrences r ON r.id = e.recurrence_id"
		" WHERE a.user_id = ?1 AND a.event_start >= ?2 AND a.event_start < ?3 AND a.event_end > ?4"
		"   AND a.long_span = 0" BUSY_FILTERS
		" UNION ALL"
		" SELECT " EVENT_COLUMNS " FROM calendar_attendees a JOIN calendar_events e ON e.id = a.event_id"
		" LEFT JOIN calendar_recurrences r ON r.id = e.recurrence_id"
		" WHERE a.user_id = ?1 AND a.long_span = 1 AND a.event_end > ?4 AND a.event_start < ?3"
		BUSY_FILTERS,
	[ST_BUSY_SKIPS] = "SELECT recurrence_master_id, original_start FROM calendar_events"
			  " WHERE recurrence_master_id IN (SELECT value FROM json_each(?1))"
			  "   AND original_start >= ?2 AND original_start < ?3",
	[ST_BOOKINGS_OF_USER] = "SELECT appointment_type_id, start_datetime, end_datetime"
				" FROM appointment_bookings WHERE assignee_id = ?1 AND status = 'confirmed'"
				" AND start_datetime >= ?2 AND start_datetime < ?3",
	[ST_BOOKING_INSERT] = "INSERT INTO appointment_bookings(" BOOKING_COLUMNS ") VALUES (?1, ?2, ?3, ?4,"
			      " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
	[ST_BOOKING_BY_TOKEN] = "SELECT " BOOKING_COLUMNS " FROM appointment_bookings"
				" WHERE manage_token_hash = ?1",
	[ST_BOOKING_BY_KEY] = "SELECT " BOOKING_COLUMNS " FROM appointment_bookings"
			      " WHERE appointment_type_id = ?1 AND idempotency_key = ?2",
	[ST_BOOKING_BY_ID] = "SELECT " BOOKING_COLUMNS " FROM appointment_bookings WHERE id = ?1",
	[ST_BOOKING_UPDATE] = "UPDATE appointment_bookings SET assignee_id = ?2, start_datetime = ?3,"
			      " end_datetime = ?4, event_id = ?5, status = ?6, updated_at = ?7 WHERE id = ?1",
	[ST_LEAD_INSERT] = "INSERT INTO crm_leads(id, company_id, name, contact_name, email, phone, source,"
			   " calendar_event_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_RANGE_ONE] =
		"SELECT " EVENT_COLUMNS " FROM calendar_attendees a JOIN calendar_events e ON e.id = a.event_id"
		" LEFT JOIN calendar_recurrences r ON r.id = e.recurrence_id"
		" WHERE a.user_id = ?1 AND a.event_start >= ?2 AND a.event_start < ?3 AND a.event_end > ?4"
		"   AND a.long_span = 0" RANGE_ONE_FILTERS
		" UNION ALL"
		" SELECT " EVENT_COLUMNS " FROM calendar_attendees a JOIN calendar_events e ON e.id = a.event_id"
		" LEFT JOIN calendar_recurrences r ON r.id = e.recurrence_id"
		" WHERE a.user_id = ?1 AND a.long_span = 1 AND a.event_end > ?4 AND a.event_start < ?3"
		RANGE_ONE_FILTERS
		" ORDER BY 6, 1 LIMIT ?10",
};



const char *sq_stmt_text(enum stmt_id id) { return stmt_sql[id]; }

int sq_map_rc(struct sqlite_conn *sc, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_CONSTRAINT:
		return (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			       ? CAL_E_EXISTS
			       : CAL_E_INVALID;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return CAL_E_CONFLICT;
	case SQLITE_NOMEM:
		return CAL_E_NOMEM;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_IOERR:
		sc->broken = true;
		return CAL_E_STORE;
	default:
		return CAL_E_STORE;
	}
}

/* A reset, cleared statement ready for binding. */
int sq_stmt(struct sqlite_conn *sc, enum stmt_id id, sqlite3_stmt **ret)
{
	if (!sc->stmts[id]) {
		int rc = sqlite3_prepare_v3(sc->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
					    &sc->stmts[id], NULL);
		if (rc != SQLITE_OK)
			return sq_map_rc(sc, rc) ? sq_map_rc(sc, rc) : CAL_E_STORE;
	}
	sqlite3_reset(sc->stmts[id]);
	sqlite3_clear_bindings(sc->stmts[id]);
	*ret = sc->stmts[id];
	return 0;
}

int sq_bind_id_list(sqlite3_stmt *s, int i, const char *const *ids, size_t n)
{
	struct strbuf sb = STRBUF_INIT(1024 * 1024);
	int r = strbuf_puts(&sb, "[");
	for (size_t k = 0; r == 0 && k < n; k++)
		r = strbuf_printf(&sb, "%s\"%s\"", k ? "," : "", ids[k]);
	if (r == 0)
		r = strbuf_puts(&sb, "]");
	if (r == 0)
		sqlite3_bind_text(s, i, strbuf_str(&sb), -1, SQLITE_TRANSIENT);
	strbuf_release(&sb);
	return r < 0 ? CAL_E_NOMEM : 0;
}

void sq_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

void sq_bind_date(sqlite3_stmt *s, int i, bool present, int32_t days)
{
	if (!present) {
		sqlite3_bind_null(s, i);
		return;
	}
	char text[CAL_DATE_TEXT];
	cal_date_format(days, text);
	sqlite3_bind_text(s, i, text, -1, SQLITE_TRANSIENT);
}

const char *sq_col_text(struct arena *a, sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NULL;
	const unsigned char *t = sqlite3_column_text(s, i);
	return arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(s, i));
}

void sq_col_uuid(sqlite3_stmt *s, int i, cal_uuid *ret)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	snprintf(ret->s, sizeof ret->s, "%s", t ? (const char *)t : "");
}

/* Runs a statement that returns no rows. */
int sq_step_done(struct sqlite_conn *sc, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	int r = rc == SQLITE_DONE ? 0 : sq_map_rc(sc, rc == SQLITE_ROW ? SQLITE_ERROR : rc);
	sqlite3_reset(s);
	return r;
}

int sq_row_version(struct sqlite_conn *sc, enum stmt_id id, const char *key, int64_t *ret_version)
{
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, id, &s);
	if (r < 0)
		return r;
	sq_bind_text(s, 1, key);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*ret_version = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? CAL_E_NOT_FOUND : sq_map_rc(sc, rc);
}

int sq_guard_failed(struct sqlite_conn *sc, enum stmt_id version_stmt, const char *key)
{
	int64_t version;
	int r = sq_row_version(sc, version_stmt, key, &version);
	return r < 0 ? r : CAL_E_PRECONDITION;
}

int sq_exec_simple(struct sqlite_conn *sc, enum stmt_id id)
{
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, id, &s);
	return r < 0 ? r : sq_step_done(sc, s);
}


static int sqlite_connect(const char *url, struct store_conn **ret)
{
	const char *path = url + strlen("sqlite:");
	struct sqlite_conn *sc = calloc(1, sizeof *sc);
	if (!sc)
		return CAL_E_NOMEM;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
	if (sqlite3_open_v2(path, &sc->db, flags, NULL) != SQLITE_OK) {
		sqlite3_close(sc->db);
		free(sc);
		return CAL_E_STORE;
	}
	sqlite3_busy_timeout(sc->db, BUSY_TIMEOUT_MS);
	/* Unique violations must be told from other constraint failures. */
	sqlite3_extended_result_codes(sc->db, 1);
	const char *pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
			      "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;";
	if (sqlite3_exec(sc->db, pragmas, NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(sc->db);
		free(sc);
		return CAL_E_STORE;
	}
	*ret = &sc->base;
	return 0;
}

static void sqlite_disconnect(struct store_conn *c)
{
	struct sqlite_conn *sc = SQC(c);
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(sc->stmts[i]);
	sqlite3_close(sc->db);
	free(sc);
}

static bool sqlite_broken(struct store_conn *c) { return SQC(c)->broken; }

static int sqlite_migrate(struct store_conn *c, const struct migration *list, size_t n,
			  const char **ret_failed)
{
	struct sqlite_conn *sc = SQC(c);
	if (sqlite3_exec(sc->db,
			 "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, "
			 "applied_at INTEGER NOT NULL)",
			 NULL, NULL, NULL) != SQLITE_OK)
		return CAL_E_STORE;
	for (size_t i = 0; i < n; i++) {
		/* IMMEDIATE: a second process migrating at the same time waits
		 * here, then sees the version applied and skips it. */
		if (sqlite3_exec(sc->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			goto fail;
		sqlite3_stmt *q = NULL;
		if (sqlite3_prepare_v2(sc->db, "SELECT 1 FROM schema_migrations WHERE version = ?1", -1, &q,
				       NULL) != SQLITE_OK)
			goto fail_tx;
		sqlite3_bind_text(q, 1, list[i].name, -1, SQLITE_STATIC);
		bool applied = sqlite3_step(q) == SQLITE_ROW;
		sqlite3_finalize(q);
		if (!applied) {
			if (sqlite3_exec(sc->db, list[i].sql, NULL, NULL, NULL) != SQLITE_OK)
				goto fail_tx;
			if (sqlite3_prepare_v2(sc->db,
					       "INSERT INTO schema_migrations(version, applied_at) "
					       "VALUES (?1, strftime('%s','now'))",
					       -1, &q, NULL) != SQLITE_OK)
				goto fail_tx;
			sqlite3_bind_text(q, 1, list[i].name, -1, SQLITE_STATIC);
			int rc = sqlite3_step(q);
			sqlite3_finalize(q);
			if (rc != SQLITE_DONE)
				goto fail_tx;
		}
		if (sqlite3_exec(sc->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			goto fail_tx;
		continue;
	fail_tx:
		sqlite3_exec(sc->db, "ROLLBACK", NULL, NULL, NULL);
	fail:
		*ret_failed = list[i].name;
		return CAL_E_STORE;
	}
	return 0;
}

static int sqlite_ping(struct store_conn *c)
{
	struct sqlite_conn *sc = SQC(c);
	sqlite3_stmt *s = NULL;
	int r = sq_stmt(sc, ST_PING, &s);
	if (r < 0)
		return r;
	r = sqlite3_step(s) == SQLITE_ROW ? 0 : CAL_E_STORE;
	sqlite3_reset(s);
	return r;
}

static int sqlite_begin(struct store_conn *c, bool write)
{
	return sq_exec_simple(SQC(c), write ? ST_BEGIN_WRITE : ST_BEGIN_READ);
}

static int sqlite_commit(struct store_conn *c) { return sq_exec_simple(SQC(c), ST_COMMIT); }

static void sqlite_rollback(struct store_conn *c)
{
	/* Also resets any statement left mid-step, so ROLLBACK can run. */
	struct sqlite_conn *sc = SQC(c);
	for (int i = 0; i < ST__COUNT; i++)
		if (sc->stmts[i])
			sqlite3_reset(sc->stmts[i]);
	if (sqlite3_get_autocommit(sc->db) == 0)
		(void)sq_exec_simple(sc, ST_ROLLBACK);
}


const struct store_ops store_sqlite_ops = {
	.backend = STORE_SQLITE,
	.connect = sqlite_connect,
	.disconnect = sqlite_disconnect,
	.broken = sqlite_broken,
	.migrate = sqlite_migrate,
	.ping = sqlite_ping,
	.begin = sqlite_begin,
	.commit = sqlite_commit,
	.rollback = sqlite_rollback,
	.company_insert = sqlite_company_insert,
	.company_get = sqlite_company_get,
	.user_insert = sqlite_user_insert,
	.user_get = sqlite_user_get,
	.partner_insert = sqlite_partner_insert,
	.partner_get = sqlite_partner_get,
	.event_insert = sqlite_event_insert,
	.event_get = sqlite_event_get,
	.event_lock = sqlite_event_lock,
	.event_update = sqlite_event_update,
	.event_delete = sqlite_event_delete,
	.events_range = sqlite_events_range,
	.event_get_by_uid = sqlite_event_get_by_uid,
	.exceptions = sqlite_exceptions,
	.feed_put = sqlite_feed_put,
	.feed_user = sqlite_feed_user,
	.feed_delete = sqlite_feed_delete,
	.activity_insert = sqlite_activity_insert,
	.activity_get = sqlite_activity_get,
	.activity_lock = sqlite_activity_lock,
	.activity_update = sqlite_activity_update,
	.activity_delete = sqlite_activity_delete,
	.activities_list = sqlite_activities_list,
	.appointment_type_insert = sqlite_appointment_type_insert,
	.appointment_type_get = sqlite_appointment_type_get,
	.appointment_type_update = sqlite_appointment_type_update,
	.appointment_types_list = sqlite_appointment_types_list,
	.busy = sqlite_busy,
	.users_lock = sqlite_users_lock,
	.bookings_of = sqlite_bookings_of,
	.booking_insert = sqlite_booking_insert,
	.booking_get = sqlite_booking_get,
	.booking_update = sqlite_booking_update,
	.lead_insert = sqlite_lead_insert,
	.outbox_put = sqlite_outbox_put,
	.outbox_claim = sqlite_outbox_claim,
	.outbox_finish = sqlite_outbox_finish,
	.outbox_next_due = sqlite_outbox_next_due,
	.outbox_list = sqlite_outbox_list,
	.notification_put = sqlite_notification_put,
	.notifications_list = sqlite_notifications_list,
	.notification_read = sqlite_notification_read,
	.alarms_due = sqlite_alarms_due,
	.alarm_advance = sqlite_alarm_advance,
	.alarms_next_due = sqlite_alarms_next_due,
};
