/* The PostgreSQL backend: the store for several calendard instances sharing
 * one database. This file holds the connection (libpq, UTF-8, UTC session),
 * the table of statements, transactions, error mapping and migrations; the
 * data functions are in rows.c.
 *
 * Write transactions are READ COMMITTED (reads autocommit: pgs_begin): the
 * service locks the rows it will change (store_event_lock, FOR UPDATE) and
 * every guarded write re-checks its
 * version in its WHERE clause. Unlike SQLite, a failed statement aborts the
 * whole transaction; callers roll back on any error anyway, and the inserts
 * that can hit a unique key use ON CONFLICT DO NOTHING, so CAL_E_EXISTS
 * leaves the transaction usable as it does on SQLite. */
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/macro.h"
#include "store/pg/pg.h"

/* Seconds; a URL may set its own connect_timeout. */
#define CONNECT_TIMEOUT "10"

/* Several processes may migrate at once; they queue on this advisory lock
 * ("calendar" in ASCII). */
#define MIGRATION_LOCK_KEY "7161124065395368306"

/* The statements. SQL is laid out by hand: clang-format would split it
 * mid-clause. */
/* clang-format off */
#define EPOCH(x) "extract(epoch from " x ")::bigint"
#define DAYS(x) "(" x " - DATE '1970-01-01')"

#define EVENT_COLUMNS                                                                      \
	"e.id, e.company_id, e.name, e.description, e.location, "                          \
	EPOCH("e.start_datetime") ", " EPOCH("e.end_datetime") ", e.all_day, "             \
	DAYS("e.start_date") ", " DAYS("e.end_date") ", e.timezone, e.organizer_id, "      \
	"e.organizer_email, e.privacy, e.show_as, e.recurring, e.res_model, e.res_id, "    \
	"e.version, " EPOCH("e.created_at") ", " EPOCH("e.updated_at") ", "                \
	"e.created_by, e.updated_by, e.recurrence_master_id, " EPOCH("e.original_start")   \
	", " EPOCH("e.series_end") ", e.ical_uid, e.sequence, r.rrule, r.exdates::text"

/* Appointment types: the 28 stored columns, read and written in this
 * order (pg/appointments.c). */
#define APPT_TYPE_COLUMNS                                                                   \
	"id, company_id, name, description, location, slug, timezone, duration_minutes, "      \
	"slot_interval_minutes, buffer_before_minutes, buffer_after_minutes, "                \
	"schedule_range_days, min_booking_hours, cancel_hours_before, reminder_hours_before, " \
	"max_bookings_per_day, availability, assignment_mode, allow_reschedule, allow_cancel, " \
	"confirmation_email, reminder_email, create_opportunity, is_published, active, "      \
	"created_at, updated_at, version"
#define APPT_TYPE_READ                                                                      \
	"t.id, t.company_id, t.name, t.description, t.location, t.slug, t.timezone, "          \
	"t.duration_minutes, t.slot_interval_minutes, t.buffer_before_minutes, "              \
	"t.buffer_after_minutes, t.schedule_range_days, t.min_booking_hours, "                \
	"t.cancel_hours_before, t.reminder_hours_before, t.max_bookings_per_day, "            \
	"t.availability::text, t.assignment_mode, t.allow_reschedule, t.allow_cancel, "       \
	"t.confirmation_email, t.reminder_email, t.create_opportunity, t.is_published, "      \
	"t.active, " EPOCH("t.created_at") ", " EPOCH("t.updated_at") ", t.version"
#define APPT_TYPE_VALUES                                                                    \
	"$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::jsonb, "  \
	"$18, $19, $20, $21, $22, $23, $24, $25, to_timestamp($26), to_timestamp($27), $28"

/* A user's busy time: the two index ranges of RANGE_SQL for several
 * users, keeping what blocks a slot (not declined, not shown free). */
#define BUSY_SQL                                                                           \
	"WITH hits AS ("                                                                   \
	" SELECT a.user_id, a.event_id FROM calendar_attendees a"                          \
	"  WHERE a.user_id = ANY($1::uuid[]) AND a.event_start >= to_timestamp($4)"        \
	"    AND a.event_start < to_timestamp($3) AND a.event_end > to_timestamp($2)"      \
	"    AND a.state <> 'declined'"                                                     \
	" UNION"                                                                           \
	" SELECT a.user_id, a.event_id FROM calendar_attendees a"                          \
	"  WHERE a.user_id = ANY($1::uuid[]) AND a.long_span"                              \
	"    AND a.event_end > to_timestamp($2) AND a.event_start < to_timestamp($3)"      \
	"    AND a.state <> 'declined')"                                                    \
	" SELECT " EVENT_COLUMNS ", h.user_id"                                             \
	" FROM hits h JOIN calendar_events e ON e.id = h.event_id"                         \
	" LEFT JOIN calendar_recurrences r ON r.id = e.recurrence_id"                      \
	" WHERE e.company_id = $5 AND e.active AND e.show_as <> 'free'"

#define BOOKING_COLUMNS                                                                     \
	"id, appointment_type_id, company_id, event_id, assignee_id, start_datetime, "         \
	"end_datetime, customer_name, customer_email, customer_phone, notes, status, "         \
	"manage_token_hash, idempotency_key, request_hash, lead_id, customer_lang, "           \
	"customer_timezone, created_at, updated_at"
#define BOOKING_READ                                                                        \
	"id, appointment_type_id, company_id, event_id, assignee_id, "                         \
	EPOCH("start_datetime") ", " EPOCH("end_datetime") ", customer_name, customer_email, " \
	"customer_phone, notes, status, manage_token_hash, idempotency_key, request_hash, "    \
	"lead_id, customer_lang, customer_timezone, " EPOCH("created_at") ", "                 \
	EPOCH("updated_at")

/* An outbox row as pg/outbox.c reads it (then the payload, or NULL). */
#define OUTBOX_COLUMNS(t)                                                                   \
	t "id, " t "company_id, " t "channel, " t "kind, " t "recipient, " t "idempotency_key, " \
	t "status, " t "attempts, " EPOCH(t "next_attempt_at") ", " EPOCH(t "created_at") ", "    \
	EPOCH(t "sent_at") ", " t "last_error"

/* Every event read joins its rule (series only). */
#define EVENTS_FROM " FROM calendar_events e LEFT JOIN calendar_recurrences r ON r.id = e.recurrence_id"

/* The 29 event parameters of insert and update, in EVENT_COLUMNS order. */
#define EVENT_VALUES                                                                       \
	"$1, $2, $3, $4, $5, to_timestamp($6), to_timestamp($7), $8, "                     \
	"DATE '1970-01-01' + $9::integer, DATE '1970-01-01' + $10::integer, $11, $12, "    \
	"$13, $14, $15, $16, $17, $18, $19, to_timestamp($20), to_timestamp($21), $22, $23, "  \
	"$24, $25, to_timestamp($26), to_timestamp($27), $28, $29"

#define EVENT_SET_LIST                                                                     \
	"company_id = $2, name = $3, description = $4, location = $5, "                    \
	"start_datetime = to_timestamp($6), end_datetime = to_timestamp($7), "             \
	"all_day = $8, start_date = DATE '1970-01-01' + $9::integer, "                     \
	"end_date = DATE '1970-01-01' + $10::integer, timezone = $11, "                    \
	"organizer_id = $12, organizer_email = $13, privacy = $14, show_as = $15, "        \
	"recurring = $16, res_model = $17, res_id = $18, version = $19, "                  \
	"created_at = to_timestamp($20), updated_at = to_timestamp($21), "                 \
	"created_by = $22, updated_by = $23, recurrence_id = $24, "                        \
	"recurrence_master_id = $25, original_start = to_timestamp($26), "                 \
	"series_end = to_timestamp($27), ical_uid = $28, sequence = $29"

/* A user's window, read through the attendee rows: ordinary events start in
 * [from - LONG_SPAN, to) (index idx_calendar_attendees_user_span), long
 * spans end after `from` (the small partial index
 * idx_calendar_attendees_user_long); both are index-only scans. UNION makes
 * each event appear once however many of the users attend it. */
#define RANGE_SQL                                                                          \
	"WITH hits AS ("                                                                   \
	" SELECT a.event_id FROM calendar_attendees a"                                     \
	"  WHERE a.user_id = ANY($2::uuid[]) AND a.event_start >= to_timestamp($5)"        \
	"    AND a.event_start < to_timestamp($4) AND a.event_end > to_timestamp($3)"      \
	" UNION"                                                                           \
	" SELECT a.event_id FROM calendar_attendees a"                                     \
	"  WHERE a.user_id = ANY($2::uuid[]) AND a.long_span"                              \
	"    AND a.event_end > to_timestamp($3) AND a.event_start < to_timestamp($4))"     \
	" SELECT " EVENT_COLUMNS                                                           \
	" FROM hits h JOIN calendar_events e ON e.id = h.event_id"                         \
	" LEFT JOIN calendar_recurrences r ON r.id = e.recurrence_id"                      \
	" WHERE e.company_id = $1 AND e.recurring = $11::boolean"                          \
	"   AND ($6::text IS NULL OR (e.res_model = $6 AND e.res_id = $7::text))"          \
	"   AND ($8::bigint IS NULL"                                                       \
	"        OR (e.start_datetime, e.id) > (to_timestamp($8), $9::uuid))"              \
	" ORDER BY e.start_datetime, e.id LIMIT $10"

/* Activities, read with their assignee's zone (the state is computed in
 * it); due dates cross as day numbers like event dates. */
#define ACTIVITY_COLUMNS                                                                   \
	"a.id, a.company_id, a.user_id, a.res_model, a.res_id, a.activity_type, a.summary, "  \
	"a.note, " DAYS("a.due_date") ", a.state, " EPOCH("a.done_at") ", "                     \
	"a.calendar_event_id, a.created_by, " EPOCH("a.created_at") ", "                       \
	EPOCH("a.updated_at") ", a.version, u.timezone"
#define ACTIVITIES_FROM " FROM activities a JOIN users u ON u.id = a.user_id"
#define ACTIVITY_VALUES                                                                    \
	"$1, $2, $3, $4, $5, $6, $7, $8, DATE '1970-01-01' + $9::integer, $10, "               \
	"to_timestamp($11), $12, $13, to_timestamp($14), to_timestamp($15), $16"
#define ACTIVITY_SET_VALUES                                                                \
	"$2, $3, $4, $5, $6, $7, $8, DATE '1970-01-01' + $9::integer, $10, "                   \
	"to_timestamp($11), $12, $13, to_timestamp($14), to_timestamp($15), $16"
/* After the key ($1, and $9 for a record's res_id): company, stored state,
 * due-date range, cursor, limit. */
#define ACTIVITY_FILTERS                                                                   \
	" AND a.company_id = $2 AND ($3::text IS NULL OR a.state = $3)"                      \
	" AND ($4::integer IS NULL OR a.due_date >= DATE '1970-01-01' + $4::integer)"         \
	" AND ($5::integer IS NULL OR a.due_date <= DATE '1970-01-01' + $5::integer)"         \
	" AND ($6::integer IS NULL"                                                          \
	"      OR (a.due_date, a.id) > (DATE '1970-01-01' + $6::integer, $7::uuid))"           \
	" ORDER BY a.due_date, a.id LIMIT $8"

static const struct {
	const char *name, *sql;
} stmts[PG__COUNT] = {
	[PG_PING] = { "ping", "SELECT 1" },
	[PG_MIGRATION_APPLIED] = { "migration_applied",
		"SELECT 1 FROM schema_migrations WHERE version = $1" },
	[PG_MIGRATION_LOCK] = { "migration_lock",
		"SELECT pg_advisory_xact_lock(" MIGRATION_LOCK_KEY ")" },
	[PG_MIGRATION_RECORD] = { "migration_record",
		"INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())" },

	[PG_COMPANY_INSERT] = { "company_insert",
		"INSERT INTO companies (id, name, slug, created_at)"
		" VALUES ($1, $2, $3, to_timestamp($4)) ON CONFLICT DO NOTHING" },
	[PG_COMPANY_BY_ID] = { "company_by_id",
		"SELECT id, name, slug, " EPOCH("created_at") " FROM companies WHERE id = $1" },
	[PG_COMPANY_BY_SLUG] = { "company_by_slug",
		"SELECT id, name, slug, " EPOCH("created_at") " FROM companies WHERE slug = $1" },
	[PG_USER_INSERT] = { "user_insert",
		"INSERT INTO users (id, company_id, name, email, timezone, lang, password_hash,"
		" role, created_at, phone) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9), $10)"
		" ON CONFLICT DO NOTHING" },
	[PG_USER_BY_ID] = { "user_by_id",
		"SELECT id, company_id, name, email, timezone, lang, password_hash, role, "
		EPOCH("created_at") ", phone FROM users WHERE id = $1" },
	[PG_USER_BY_EMAIL] = { "user_by_email",
		"SELECT id, company_id, name, email, timezone, lang, password_hash, role, "
		EPOCH("created_at") ", phone FROM users WHERE email = $1" },
	[PG_PARTNER_INSERT] = { "partner_insert",
		"INSERT INTO partners (id, company_id, name, email, phone, created_at)"
		" VALUES ($1, $2, $3, $4, $5, to_timestamp($6)) ON CONFLICT DO NOTHING" },
	[PG_PARTNER_BY_ID] = { "partner_by_id",
		"SELECT id, company_id, name, email, phone, " EPOCH("created_at")
		" FROM partners WHERE id = $1" },

	[PG_EVENT_INSERT] = { "event_insert",
		"INSERT INTO calendar_events (id, company_id, name, description, location,"
		" start_datetime, end_datetime, all_day, start_date, end_date, timezone,"
		" organizer_id, organizer_email, privacy, show_as, recurring, res_model, res_id,"
		" version, created_at, updated_at, created_by, updated_by, recurrence_id,"
		" recurrence_master_id, original_start, series_end, ical_uid, sequence)"
		" VALUES (" EVENT_VALUES ") ON CONFLICT DO NOTHING" },
	[PG_EVENT_BY_ID] = { "event_by_id",
		"SELECT " EVENT_COLUMNS EVENTS_FROM " WHERE e.id = $1" },
	[PG_EVENT_BY_UID] = { "event_by_uid",
		"SELECT " EVENT_COLUMNS EVENTS_FROM " WHERE e.company_id = $1 AND e.ical_uid = $2"
		" AND e.recurrence_master_id IS NULL" },
	[PG_EXCEPTIONS_OF] = { "exceptions_of",
		"SELECT " EVENT_COLUMNS EVENTS_FROM " WHERE e.recurrence_master_id = $1"
		" AND e.original_start >= to_timestamp($2) AND e.original_start < to_timestamp($3)"
		" ORDER BY e.original_start" },
	[PG_RECURRENCE_UPSERT] = { "recurrence_upsert",
		"INSERT INTO calendar_recurrences (id, rrule_type, interval, end_type, count, until,"
		" weekdays, month_by, day_of_month, week_of_month, rrule, exdates, base_event_id,"
		" created_at) VALUES ($1, $2, $3, $4, $5, DATE '1970-01-01' + $6::integer, $7, $8, $9,"
		" $10, $11, $12::jsonb, $1, to_timestamp($13)) ON CONFLICT (id) DO UPDATE SET"
		" rrule_type = $2, interval = $3, end_type = $4, count = $5,"
		" until = DATE '1970-01-01' + $6::integer, weekdays = $7, month_by = $8,"
		" day_of_month = $9, week_of_month = $10, rrule = $11, exdates = $12::jsonb" },
	[PG_RECURRENCE_DELETE] = { "recurrence_delete",
		"DELETE FROM calendar_recurrences WHERE id = $1" },
	[PG_EVENT_UPDATE] = { "event_update",
		"UPDATE calendar_events SET " EVENT_SET_LIST " WHERE id = $1 AND version = $30" },
	[PG_EVENT_DELETE] = { "event_delete",
		"DELETE FROM calendar_events WHERE id = $1 AND version = $2" },
	[PG_EVENT_EXISTS] = { "event_exists", "SELECT 1 FROM calendar_events WHERE id = $1" },
	[PG_EVENT_LOCK] = { "event_lock",
		"SELECT 1 FROM calendar_events WHERE id = $1 FOR UPDATE" },

	/* One statement for all of an event's attendees: the lists arrive as
	 * array parameters, and the array position becomes `position`. */
	[PG_ATTENDEES_INSERT] = { "attendees_insert",
		"INSERT INTO calendar_attendees (id, event_id, user_id, partner_id, email,"
		" display_name, role, state, position, event_start, event_end, long_span,"
		" created_at)"
		" SELECT t.id, $1::uuid, t.user_id, t.partner_id, t.email, t.display_name, t.role,"
		" t.state, t.ord - 1, to_timestamp($2), to_timestamp($3), $4::boolean,"
		" to_timestamp($5)"
		" FROM unnest($6::uuid[], $7::uuid[], $8::uuid[], $9::text[], $10::text[],"
		" $11::text[], $12::text[]) WITH ORDINALITY"
		" AS t(id, user_id, partner_id, email, display_name, role, state, ord)" },
	[PG_ATTENDEES_DELETE] = { "attendees_delete",
		"DELETE FROM calendar_attendees WHERE event_id = $1" },
	[PG_ALARMS_INSERT] = { "alarms_insert",
		"INSERT INTO calendar_alarms (id, event_id, alarm_type, interval_value,"
		" interval_unit, position, created_at, next_trigger_at)"
		" SELECT t.id, $1::uuid, t.alarm_type, t.interval_value, t.interval_unit,"
		" t.ord - 1, to_timestamp($2), to_timestamp(t.next_at)"
		" FROM unnest($3::uuid[], $4::text[], $5::integer[], $6::text[], $7::bigint[])"
		" WITH ORDINALITY AS t(id, alarm_type, interval_value, interval_unit, next_at, ord)" },
	[PG_ALARMS_DELETE] = { "alarms_delete",
		"DELETE FROM calendar_alarms WHERE event_id = $1" },

	/* Children of a page of events, grouped by event and in `position`
	 * order. `= ANY` probes the index once with the sorted ids, which
	 * stays cheaper than one probe per event as the table grows. */
	[PG_ATTENDEES_OF] = { "attendees_of",
		"SELECT a.event_id, a.id, a.user_id, a.partner_id, a.email, a.display_name,"
		" a.role, a.state FROM calendar_attendees a WHERE a.event_id = ANY($1::uuid[])"
		" ORDER BY a.event_id, a.position" },
	[PG_ALARMS_OF] = { "alarms_of",
		"SELECT l.event_id, l.id, l.alarm_type, l.interval_value, l.interval_unit"
		" FROM calendar_alarms l WHERE l.event_id = ANY($1::uuid[])"
		" ORDER BY l.event_id, l.position" },
	[PG_RANGE] = { "events_range", RANGE_SQL },
	[PG_FEED_PUT] = { "feed_put",
		"INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2,"
		" to_timestamp($3)) ON CONFLICT (user_id) DO UPDATE SET token_hash = $2,"
		" created_at = to_timestamp($3)" },
	[PG_FEED_USER] = { "feed_user",
		"SELECT user_id FROM calendar_feeds WHERE token_hash = $1" },
	[PG_FEED_DELETE] = { "feed_delete",
		"DELETE FROM calendar_feeds WHERE user_id = $1" },

	[PG_ACTIVITY_INSERT] = { "activity_insert",
		"INSERT INTO activities (id, company_id, user_id, res_model, res_id, activity_type,"
		" summary, note, due_date, state, done_at, calendar_event_id, created_by, created_at,"
		" updated_at, version) VALUES (" ACTIVITY_VALUES ") ON CONFLICT DO NOTHING" },
	[PG_ACTIVITY_BY_ID] = { "activity_by_id",
		"SELECT " ACTIVITY_COLUMNS ACTIVITIES_FROM " WHERE a.id = $1" },
	[PG_ACTIVITY_UPDATE] = { "activity_update",
		"UPDATE activities SET (company_id, user_id, res_model, res_id, activity_type, summary,"
		" note, due_date, state, done_at, calendar_event_id, created_by, created_at, updated_at,"
		" version) = (" ACTIVITY_SET_VALUES ") WHERE id = $1 AND version = $17" },
	[PG_ACTIVITY_DELETE] = { "activity_delete",
		"DELETE FROM activities WHERE id = $1 AND version = $2" },
	[PG_ACTIVITY_EXISTS] = { "activity_exists", "SELECT 1 FROM activities WHERE id = $1" },
	[PG_ACTIVITY_LOCK] = { "activity_lock",
		"SELECT 1 FROM activities WHERE id = $1 FOR UPDATE" },
	[PG_ACTIVITIES_OF_USER] = { "activities_of_user",
		"SELECT " ACTIVITY_COLUMNS ACTIVITIES_FROM " WHERE a.user_id = $1" ACTIVITY_FILTERS },
	[PG_ACTIVITIES_OF_RECORD] = { "activities_of_record",
		"SELECT " ACTIVITY_COLUMNS ACTIVITIES_FROM
		" WHERE a.res_model = $1 AND a.res_id = $9" ACTIVITY_FILTERS },
	[PG_ACTIVITIES_OF_EVENT] = { "activities_of_event",
		"SELECT " ACTIVITY_COLUMNS ACTIVITIES_FROM
		" WHERE a.calendar_event_id = $1" ACTIVITY_FILTERS },

	[PG_OUTBOX_PUT] = { "outbox_put",
		"INSERT INTO notification_outbox (id, company_id, channel, kind, recipient, payload,"
		" status, attempts, next_attempt_at, idempotency_key, created_at)"
		" VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, to_timestamp($7), $8, to_timestamp($9))"
		" ON CONFLICT (idempotency_key) DO NOTHING" },
	/* Each process claims different rows: SKIP LOCKED passes over rows
	 * another claim holds until it commits. */
	[PG_OUTBOX_CLAIM] = { "outbox_claim",
		"UPDATE notification_outbox o SET status = 'sending', attempts = o.attempts + 1,"
		" next_attempt_at = to_timestamp($2), lease_until = to_timestamp($2)"
		" FROM (SELECT id FROM notification_outbox WHERE status IN ('pending','sending')"
		"  AND next_attempt_at <= to_timestamp($1) ORDER BY next_attempt_at LIMIT $3"
		"  FOR UPDATE SKIP LOCKED) d WHERE o.id = d.id"
		" RETURNING " OUTBOX_COLUMNS("o.") ", o.payload" },
	[PG_OUTBOX_FINISH] = { "outbox_finish",
		"UPDATE notification_outbox SET status = $3,"
		" next_attempt_at = CASE WHEN $3 = 'pending' THEN to_timestamp($4) ELSE next_attempt_at END,"
		" sent_at = CASE WHEN $3 = 'sent' THEN to_timestamp($4) ELSE sent_at END,"
		" lease_until = NULL, last_error = $5"
		" WHERE id = $1 AND attempts = $2 AND status = 'sending'" },
	[PG_OUTBOX_NEXT] = { "outbox_next",
		"SELECT " EPOCH("min(next_attempt_at)") " FROM notification_outbox"
		" WHERE status IN ('pending','sending')" },
	[PG_OUTBOX_LIST] = { "outbox_list",
		/* Metadata only: payloads are large and carry signed links. */
		"SELECT " OUTBOX_COLUMNS("") ", NULL FROM notification_outbox WHERE company_id = $1 AND ($2::text IS NULL OR status = $2)"
		" AND ($3::text IS NULL OR recipient = $3) ORDER BY created_at DESC, id LIMIT $4" },
	[PG_NOTIFICATION_PUT] = { "notification_put",
		"INSERT INTO notifications (id, user_id, kind, title, body, link, event_id, read, created_at)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, false, to_timestamp($8)) ON CONFLICT (id) DO NOTHING" },
	[PG_NOTIFICATIONS_PAGE] = { "notifications_page",
		"SELECT id, user_id, kind, title, body, link, event_id, read, " EPOCH("created_at")
		" FROM notifications WHERE user_id = $1 AND (NOT $2::boolean OR NOT read)"
		" AND ($3::bigint IS NULL OR (created_at, id) < (to_timestamp($3), $4::uuid))"
		" ORDER BY created_at DESC, id DESC LIMIT $5" },
	[PG_NOTIFICATIONS_SINCE] = { "notifications_since",
		"SELECT id, user_id, kind, title, body, link, event_id, read, " EPOCH("created_at")
		" FROM notifications WHERE user_id = $1 AND created_at >= to_timestamp($2)"
		" ORDER BY created_at, id LIMIT $3" },
	[PG_NOTIFICATION_READ] = { "notification_read",
		"UPDATE notifications SET read = true WHERE id = $1 AND user_id = $2" },
	[PG_ALARMS_DUE] = { "alarms_due",
		"SELECT event_id, id, alarm_type, interval_value, interval_unit, " EPOCH("next_trigger_at")
		" FROM calendar_alarms WHERE next_trigger_at <= to_timestamp($1)"
		" ORDER BY next_trigger_at LIMIT $2 FOR UPDATE SKIP LOCKED" },
	[PG_ALARM_ADVANCE] = { "alarm_advance",
		"UPDATE calendar_alarms SET next_trigger_at = to_timestamp($2), triggered = true,"
		" triggered_at = to_timestamp($3) WHERE id = $1" },
	[PG_ALARMS_NEXT] = { "alarms_next",
		"SELECT " EPOCH("min(next_trigger_at)") " FROM calendar_alarms"
		" WHERE next_trigger_at IS NOT NULL" },
	[PG_APPT_TYPE_INSERT] = { "appt_type_insert",
		"INSERT INTO appointment_types (" APPT_TYPE_COLUMNS ") VALUES (" APPT_TYPE_VALUES ")"
		" ON CONFLICT DO NOTHING" },
	[PG_APPT_TYPE_BY_ID] = { "appt_type_by_id",
		/* With its assignees, one row each (the public pages read a type
		 * on every request: one round trip, not two). */
		"SELECT " APPT_TYPE_READ ", a.user_id, u.name, u.busy_version FROM appointment_types t"
		" LEFT JOIN appointment_type_users a ON a.appointment_type_id = t.id"
		" LEFT JOIN users u ON u.id = a.user_id WHERE t.id = $1 ORDER BY a.position" },
	[PG_APPT_TYPE_UPDATE] = { "appt_type_update",
		"UPDATE appointment_types SET (" APPT_TYPE_COLUMNS ") = (" APPT_TYPE_VALUES ")"
		" WHERE id = $1 AND version = $29" },
	[PG_APPT_TYPE_EXISTS] = { "appt_type_exists",
		"SELECT 1 FROM appointment_types WHERE id = $1" },
	[PG_APPT_TYPES_OF_COMPANY] = { "appt_types_of_company",
		"SELECT " APPT_TYPE_READ " FROM appointment_types t WHERE t.company_id = $1 AND t.active"
		" AND (NOT $2::boolean OR is_published) ORDER BY name, id" },
	[PG_APPT_USERS_OF] = { "appt_users_of",
		"SELECT t.appointment_type_id, t.user_id, u.name, u.busy_version"
		" FROM appointment_type_users t JOIN users u ON u.id = t.user_id"
		" WHERE t.appointment_type_id = ANY($1::uuid[]) ORDER BY t.appointment_type_id, t.position" },
	[PG_APPT_USERS_DELETE] = { "appt_users_delete",
		"DELETE FROM appointment_type_users WHERE appointment_type_id = $1" },
	[PG_APPT_USERS_INSERT] = { "appt_users_insert",
		"INSERT INTO appointment_type_users (appointment_type_id, user_id, position)"
		" SELECT $1, u, o - 1 FROM unnest($2::uuid[]) WITH ORDINALITY AS t(u, o)" },
	[PG_BUSY] = { "busy", BUSY_SQL },
	[PG_BUSY_SKIPS] = { "busy_skips",
		"SELECT recurrence_master_id, " EPOCH("original_start") " FROM calendar_events"
		" WHERE recurrence_master_id = ANY($1::uuid[])"
		"   AND original_start >= to_timestamp($2) AND original_start < to_timestamp($3)" },
	[PG_USERS_LOCK] = { "users_lock",
		"SELECT id FROM users WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE" },
	[PG_BOOKINGS_OF] = { "bookings_of",
		"SELECT assignee_id, appointment_type_id, " EPOCH("start_datetime") ", "
		EPOCH("end_datetime") " FROM appointment_bookings"
		" WHERE assignee_id = ANY($1::uuid[]) AND status = 'confirmed'"
		"   AND start_datetime >= to_timestamp($2) AND start_datetime < to_timestamp($3)" },
	/* The conflict target names the idempotency index only: an overlap
	 * (the exclusion constraint) must still fail the statement. */
	[PG_BOOKING_INSERT] = { "booking_insert",
		"INSERT INTO appointment_bookings (" BOOKING_COLUMNS ") VALUES ($1, $2, $3, $4, $5,"
		" to_timestamp($6), to_timestamp($7), $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
		" $18, to_timestamp($19), to_timestamp($20))"
		" ON CONFLICT (appointment_type_id, idempotency_key) WHERE idempotency_key IS NOT NULL"
		" DO NOTHING" },
	[PG_BOOKING_BY_TOKEN] = { "booking_by_token",
		"SELECT " BOOKING_READ " FROM appointment_bookings WHERE manage_token_hash = $1" },
	[PG_BOOKING_BY_KEY] = { "booking_by_key",
		"SELECT " BOOKING_READ " FROM appointment_bookings"
		" WHERE appointment_type_id = $1 AND idempotency_key = $2" },
	[PG_BOOKING_BY_ID] = { "booking_by_id",
		"SELECT " BOOKING_READ " FROM appointment_bookings WHERE id = $1" },
	[PG_BOOKING_UPDATE] = { "booking_update",
		"UPDATE appointment_bookings SET assignee_id = $2, start_datetime = to_timestamp($3),"
		" end_datetime = to_timestamp($4), event_id = $5, status = $6,"
		" updated_at = to_timestamp($7) WHERE id = $1" },
	[PG_LEAD_INSERT] = { "lead_insert",
		"INSERT INTO crm_leads (id, company_id, name, contact_name, email, phone, source,"
		" calendar_event_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9))" },
};
/* clang-format on */

int pgs_error(const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (log_enabled(LOG_DEBUG))
		log_emit(LOG_DEBUG, NULL, "store error",
			 json_pack("{s:s?, s:s?}", "sqlstate", state, "detail",
				   res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL));
	if (!state)
		return CAL_E_STORE; /* no server answer: the connection failed */
	if (strcmp(state, "23505") == 0)
		return CAL_E_EXISTS;
	/* The only exclusion constraint: two bookings of one assignee. */
	if (strcmp(state, "23P01") == 0)
		return CAL_E_SLOT_TAKEN;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		return CAL_E_CONFLICT;
	/* Bad values (22: a malformed uuid, an out-of-range date) and broken
	 * constraints (23: NOT NULL, CHECK, foreign key) are the caller's
	 * input, as the SQLite backend reports them. */
	if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0)
		return CAL_E_INVALID;
	return CAL_E_STORE;
}

long pgs_changed(const PGresult *res)
{
	return strtol(PQcmdTuples((PGresult *)res), NULL, 10);
}

int pgs_run(struct pg_conn *pc, enum pg_stmt id, int n, const char *const *params, PGresult **ret)
{
	if (!pc->prepared[id]) {
		_cleanup_(pgs_clearp) PGresult *p =
		    PQprepare(pc->db, stmts[id].name, stmts[id].sql, 0, NULL);
		if (PQresultStatus(p) != PGRES_COMMAND_OK)
			return pgs_error(p);
		pc->prepared[id] = true;
	}
	_cleanup_(pgs_clearp) PGresult *res =
	    PQexecPrepared(pc->db, stmts[id].name, n, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		return pgs_error(res);
	*ret = TAKE_PTR(res);
	return 0;
}

/* A parameterless command (BEGIN, COMMIT, a migration's script). */
static int pgs_command(struct pg_conn *pc, const char *sql)
{
	_cleanup_(pgs_clearp) PGresult *res = PQexec(pc->db, sql);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		return pgs_error(res);
	return 0;
}

/* Server notices ("table exists, skipping") are not ours to print: the
 * store does not log. */
static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static int pgs_connect(const char *url, struct store_conn **ret)
{
	/* Keywords after dbname override what the URL says; the timeout comes
	 * first so a URL may choose its own. */
	const char *const keys[] = {"connect_timeout", "dbname", "application_name",
				    "client_encoding", NULL};
	const char *const values[] = {CONNECT_TIMEOUT, url, "calendard", "UTF8", NULL};
	PGconn *db = PQconnectdbParams(keys, values, 1);
	if (!db)
		return CAL_E_NOMEM;
	if (PQstatus(db) != CONNECTION_OK) {
		PQfinish(db);
		return CAL_E_STORE;
	}
	PQsetNoticeProcessor(db, ignore_notice, NULL);
	struct pg_conn *pc = calloc(1, sizeof *pc);
	if (!pc) {
		PQfinish(db);
		return CAL_E_NOMEM;
	}
	pc->base.ops = &store_pg_ops;
	pc->db = db;
	/* Instants are converted in SQL; a UTC session keeps any text form of
	 * them (logs, EXPLAIN, psql on the same role) unambiguous. */
	int r = pgs_command(pc, "SET TimeZone = 'UTC'");
	if (r < 0) {
		PQfinish(db);
		free(pc);
		return r;
	}
	*ret = &pc->base;
	return 0;
}

static void pgs_disconnect(struct store_conn *c)
{
	if (!c)
		return;
	PQfinish(PGC(c)->db);
	free(PGC(c));
}

static bool pgs_broken(struct store_conn *c)
{
	return PQstatus(PGC(c)->db) != CONNECTION_OK;
}

static int migration_applied(struct pg_conn *pc, const char *name, bool *ret_applied)
{
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	int r = pgs_run(pc, PG_MIGRATION_APPLIED, 1, (const char *const[]){name}, &res);
	if (r < 0)
		return r;
	*ret_applied = PQntuples(res) > 0;
	return 0;
}

/* One migration in one transaction, under the advisory lock: whoever waited
 * for the lock finds the version recorded and does nothing. */
static int migration_apply(struct pg_conn *pc, const struct migration *m)
{
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	bool applied = false;
	int r = pgs_command(pc, "BEGIN");
	if (r == 0)
		r = pgs_run(pc, PG_MIGRATION_LOCK, 0, NULL, &res);
	if (r == 0)
		r = migration_applied(pc, m->name, &applied);
	if (r == 0 && !applied) {
		r = pgs_command(pc, m->sql);
		if (r == 0) {
			PQclear(TAKE_PTR(res));
			r = pgs_run(pc, PG_MIGRATION_RECORD, 1, (const char *const[]){m->name},
				    &res);
		}
	}
	if (r == 0)
		r = pgs_command(pc, "COMMIT");
	if (r < 0)
		(void)pgs_command(pc, "ROLLBACK");
	return r;
}

static int pgs_migrate(struct store_conn *c, const struct migration *list, size_t n,
		       const char **ret_failed)
{
	struct pg_conn *pc = PGC(c);
	/* Under the lock too: concurrent CREATE TABLE IF NOT EXISTS can still
	 * collide in the catalog. */
	int r =
	    pgs_command(pc, "BEGIN; SELECT pg_advisory_xact_lock(" MIGRATION_LOCK_KEY "); "
			    "CREATE TABLE IF NOT EXISTS schema_migrations ("
			    "version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL); COMMIT");
	if (r < 0) {
		(void)pgs_command(pc, "ROLLBACK");
		*ret_failed = "schema_migrations";
		return r;
	}
	for (size_t i = 0; i < n; i++) {
		bool applied = false;
		r = migration_applied(pc, list[i].name, &applied);
		if (r == 0 && !applied)
			r = migration_apply(pc, &list[i]);
		if (r < 0) {
			*ret_failed = list[i].name;
			return r;
		}
	}
	return 0;
}

static int pgs_ping(struct store_conn *c)
{
	_cleanup_(pgs_clearp) PGresult *res = NULL;
	return pgs_run(PGC(c), PG_PING, 0, NULL, &res);
}

/* READ COMMITTED whatever `write` says: writers serialize on the rows they
 * lock, not on a database-wide lock as in SQLite. */
/* A read runs its statements one by one, without BEGIN and COMMIT: under
 * READ COMMITTED every statement takes its own snapshot anyway and reads
 * hold no locks, so the pair would only cost two round trips a request. */
static int pgs_begin(struct store_conn *c, bool write)
{
	if (!write) {
		PGC(c)->reading = true;
		return 0;
	}
	return pgs_command(PGC(c), "BEGIN");
}

static int pgs_commit(struct store_conn *c)
{
	if (PGC(c)->reading) {
		PGC(c)->reading = false;
		return 0;
	}
	_cleanup_(pgs_clearp) PGresult *res = PQexec(PGC(c)->db, "COMMIT");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return pgs_error(res);
	/* COMMIT of a transaction an earlier error aborted "succeeds" with
	 * the tag ROLLBACK: nothing was written. */
	if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
		return CAL_E_STORE;
	return 0;
}

static void pgs_rollback(struct store_conn *c)
{
	PGC(c)->reading = false;
	/* Only inside a transaction, so a commit that failed (the generic
	 * layer rolls back after it) does not draw a warning. */
	if (PQtransactionStatus(PGC(c)->db) != PQTRANS_IDLE)
		(void)pgs_command(PGC(c), "ROLLBACK");
}

const struct store_ops store_pg_ops = {
    .backend = STORE_POSTGRES,
    .connect = pgs_connect,
    .disconnect = pgs_disconnect,
    .broken = pgs_broken,
    .migrate = pgs_migrate,
    .ping = pgs_ping,
    .begin = pgs_begin,
    .commit = pgs_commit,
    .rollback = pgs_rollback,
    .company_insert = pgs_company_insert,
    .company_get = pgs_company_get,
    .user_insert = pgs_user_insert,
    .user_get = pgs_user_get,
    .partner_insert = pgs_partner_insert,
    .partner_get = pgs_partner_get,
    .event_insert = pgs_event_insert,
    .event_get = pgs_event_get,
    .event_lock = pgs_event_lock,
    .event_update = pgs_event_update,
    .event_delete = pgs_event_delete,
    .events_range = pgs_events_range,
    .event_get_by_uid = pgs_event_get_by_uid,
    .exceptions = pgs_exceptions,
    .feed_put = pgs_feed_put,
    .feed_user = pgs_feed_user,
    .feed_delete = pgs_feed_delete,
    .activity_insert = pgs_activity_insert,
    .activity_get = pgs_activity_get,
    .activity_lock = pgs_activity_lock,
    .activity_update = pgs_activity_update,
    .activity_delete = pgs_activity_delete,
    .activities_list = pgs_activities_list,
    .appointment_type_insert = pgs_appointment_type_insert,
    .appointment_type_get = pgs_appointment_type_get,
    .appointment_type_update = pgs_appointment_type_update,
    .appointment_types_list = pgs_appointment_types_list,
    .busy = pgs_busy,
    .users_lock = pgs_users_lock,
    .bookings_of = pgs_bookings_of,
    .booking_insert = pgs_booking_insert,
    .booking_get = pgs_booking_get,
    .booking_update = pgs_booking_update,
    .lead_insert = pgs_lead_insert,
    .outbox_put = pgs_outbox_put,
    .outbox_claim = pgs_outbox_claim,
    .outbox_finish = pgs_outbox_finish,
    .outbox_next_due = pgs_outbox_next_due,
    .outbox_list = pgs_outbox_list,
    .notification_put = pgs_notification_put,
    .notifications_list = pgs_notifications_list,
    .notification_read = pgs_notification_read,
    .alarms_due = pgs_alarms_due,
    .alarm_advance = pgs_alarm_advance,
    .alarms_next_due = pgs_alarms_next_due,
};
