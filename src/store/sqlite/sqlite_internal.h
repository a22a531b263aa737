/* Internal to the SQLite backend: the connection struct, the statement
 * table's ids and the binding helpers shared by sqlite.c and rows.c. */
#ifndef CAL_STORE_SQLITE_INTERNAL_H
#define CAL_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include "store/backend.h"

enum stmt_id {
	ST_BEGIN_READ, ST_BEGIN_WRITE, ST_COMMIT, ST_ROLLBACK, ST_PING,
	ST_COMPANY_INSERT, ST_COMPANY_BY_ID, ST_COMPANY_BY_SLUG,
	ST_USER_INSERT, ST_USER_BY_ID, ST_USER_BY_EMAIL,
	ST_PARTNER_INSERT, ST_PARTNER_BY_ID,
	ST_EVENT_INSERT, ST_EVENT_BY_ID, ST_EVENT_BY_UID, ST_EXCEPTIONS_OF, ST_RECURRENCE_UPSERT, ST_RECURRENCE_DELETE, ST_EVENT_UPDATE, ST_EVENT_DELETE, ST_EVENT_VERSION,
	ST_ATTENDEE_INSERT, ST_ATTENDEES_DELETE, ST_ALARM_INSERT, ST_ALARMS_DELETE,
	ST_ATTENDEES_OF, ST_ALARMS_OF, ST_RANGE, ST_RANGE_ONE, ST_FEED_PUT, ST_FEED_USER, ST_FEED_DELETE,
	ST_OUTBOX_PUT, ST_OUTBOX_CLAIM, ST_OUTBOX_FINISH, ST_OUTBOX_NEXT, ST_OUTBOX_LIST,
	ST_NOTIFICATION_PUT, ST_NOTIFICATIONS_PAGE, ST_NOTIFICATIONS_SINCE, ST_NOTIFICATION_READ,
	ST_ALARMS_DUE, ST_ALARM_ADVANCE, ST_ALARMS_NEXT,
	ST_ACTIVITY_INSERT, ST_ACTIVITY_BY_ID, ST_ACTIVITY_UPDATE, ST_ACTIVITY_DELETE, ST_ACTIVITY_VERSION,
	ST_ACTIVITIES_OF_USER, ST_ACTIVITIES_OF_RECORD, ST_ACTIVITIES_OF_EVENT,
	ST_APPT_TYPE_INSERT, ST_APPT_TYPE_BY_ID, ST_APPT_TYPE_UPDATE, ST_APPT_TYPE_VERSION,
	ST_APPT_TYPES_OF_COMPANY, ST_APPT_USERS_OF, ST_APPT_USERS_DELETE, ST_APPT_USER_INSERT,
	ST_BUSY_ONE, ST_BUSY_SKIPS, ST_BOOKINGS_OF_USER, ST_BOOKING_INSERT, ST_BOOKING_BY_TOKEN,
	ST_BOOKING_BY_KEY, ST_BOOKING_BY_ID, ST_BOOKING_UPDATE, ST_LEAD_INSERT,
	ST__COUNT
};

struct sqlite_conn {
	struct store_conn base;
	sqlite3 *db;
	sqlite3_stmt *stmts[ST__COUNT];
	bool broken;
};

static inline struct sqlite_conn *SQC(struct store_conn *c) { return (struct sqlite_conn *)c; }

/* The SQL of a statement, for plan checks in tests. */
const char *sq_stmt_text(enum stmt_id id);
int sq_map_rc(struct sqlite_conn *sc, int rc);
/* A reset, cleared statement ready for binding (prepared on first use). */
int sq_stmt(struct sqlite_conn *sc, enum stmt_id id, sqlite3_stmt **ret);
void sq_bind_text(sqlite3_stmt *s, int i, const char *v);
/* An id, or NULL when empty. */
static inline void sq_bind_uuid(sqlite3_stmt *s, int i, const cal_uuid *u)
{
	sq_bind_text(s, i, u->s[0] ? u->s : NULL);
}
/* Ids as the JSON array json_each() reads ("IN (SELECT value FROM
 * json_each(?N))"), copied into the statement. */
int sq_bind_id_list(sqlite3_stmt *s, int i, const char *const *ids, size_t n);
void sq_bind_date(sqlite3_stmt *s, int i, bool present, int32_t days);
const char *sq_col_text(struct arena *a, sqlite3_stmt *s, int i);
void sq_col_uuid(sqlite3_stmt *s, int i, cal_uuid *ret);
/* Runs a statement that returns no rows, then resets it. */
int sq_step_done(struct sqlite_conn *sc, sqlite3_stmt *s);
int sq_exec_simple(struct sqlite_conn *sc, enum stmt_id id);
/* A row's version through `id` ("SELECT version ... WHERE id = ?1");
 * CAL_E_NOT_FOUND when there is no such row. */
int sq_row_version(struct sqlite_conn *sc, enum stmt_id id, const char *key, int64_t *ret_version);
/* After a version-guarded write changed nothing: CAL_E_NOT_FOUND when the
 * row is gone, CAL_E_PRECONDITION when someone else's version is there. */
int sq_guard_failed(struct sqlite_conn *sc, enum stmt_id version_stmt, const char *key);

int sqlite_company_insert(struct store_conn *c, const struct cal_company *co);
int sqlite_company_get(struct store_conn *c, struct arena *a, const char *key, bool by_slug,
		       struct cal_company *ret);
int sqlite_user_insert(struct store_conn *c, const struct cal_user *u);
int sqlite_user_get(struct store_conn *c, struct arena *a, const char *key, bool by_email,
		    struct cal_user *ret);
int sqlite_partner_insert(struct store_conn *c, const struct cal_partner *p);
int sqlite_partner_get(struct store_conn *c, struct arena *a, const char *id, struct cal_partner *ret);
int sqlite_event_insert(struct store_conn *c, const struct cal_event *e);
int sqlite_event_get(struct store_conn *c, struct arena *a, const char *id, struct cal_event *ret);
int sqlite_event_lock(struct store_conn *c, const char *id);
int sqlite_event_update(struct store_conn *c, const struct cal_event *e, int64_t expected_version);
int sqlite_event_delete(struct store_conn *c, const char *id, int64_t expected_version);
int sqlite_events_range(struct store_conn *c, struct arena *a, const struct store_event_query *q,
			struct store_event_page *ret);

int sqlite_event_get_by_uid(struct store_conn *c, struct arena *a, const char *company_id,
			    const char *uid, struct cal_event *ret);
int sqlite_exceptions(struct store_conn *c, struct arena *a, const char *master_id, int64_t from,
		      int64_t to, struct store_event_page *ret);

int sqlite_feed_put(struct store_conn *c, const char *user_id, const char *token_hash, int64_t now);
int sqlite_feed_user(struct store_conn *c, struct arena *a, const char *token_hash,
		     const char **ret_user_id);
int sqlite_feed_delete(struct store_conn *c, const char *user_id);

int sqlite_activity_insert(struct store_conn *c, const struct cal_activity *act);
int sqlite_activity_get(struct store_conn *c, struct arena *a, const char *id,
			struct cal_activity *ret);
int sqlite_activity_lock(struct store_conn *c, const char *id);
int sqlite_activity_update(struct store_conn *c, const struct cal_activity *act,
			   int64_t expected_version);
int sqlite_activity_delete(struct store_conn *c, const char *id, int64_t expected_version);
int sqlite_activities_list(struct store_conn *c, struct arena *a,
			   const struct store_activity_query *q, struct store_activity_page *ret);

int sqlite_appointment_type_insert(struct store_conn *c, const struct cal_appointment_type *t);
int sqlite_appointment_type_get(struct store_conn *c, struct arena *a, const char *id,
				struct cal_appointment_type *ret);
int sqlite_appointment_type_update(struct store_conn *c, const struct cal_appointment_type *t,
				   int64_t expected_version);
int sqlite_appointment_types_list(struct store_conn *c, struct arena *a, const char *company_id,
				  bool published_only, struct cal_appointment_type **ret,
				  size_t *ret_n);
int sqlite_busy(struct store_conn *c, struct arena *a, const struct store_busy_query *q,
		struct store_busy *ret);
int sqlite_users_lock(struct store_conn *c, const char *const *user_ids, size_t n);
int sqlite_bookings_of(struct store_conn *c, struct arena *a, const char *const *user_ids,
		       size_t n, int64_t from, int64_t to, struct store_booked **ret, size_t *ret_n);
int sqlite_booking_insert(struct store_conn *c, const struct cal_booking *b);
int sqlite_booking_get(struct store_conn *c, struct arena *a, enum store_booking_key by,
		       const char *key1, const char *key2, struct cal_booking *ret);
int sqlite_booking_update(struct store_conn *c, const struct cal_booking *b);
int sqlite_lead_insert(struct store_conn *c, const struct cal_lead *l);
int sqlite_outbox_put(struct store_conn *c, const struct store_outbox_msg *m, bool *ret_inserted);
int sqlite_outbox_claim(struct store_conn *c, struct arena *a, int64_t now, int64_t lease_until,
			unsigned limit, struct store_outbox_msg **ret, size_t *ret_n);
int sqlite_outbox_finish(struct store_conn *c, const char *id, int attempts,
			 enum store_outbox_status status, int64_t at, const char *error);
int sqlite_outbox_next_due(struct store_conn *c, int64_t *ret);
int sqlite_outbox_list(struct store_conn *c, struct arena *a, const struct store_outbox_query *q,
		       struct store_outbox_msg **ret, size_t *ret_n);
int sqlite_notification_put(struct store_conn *c, const struct cal_notification *n);
int sqlite_notifications_list(struct store_conn *c, struct arena *a,
			      const struct store_notification_query *q, struct cal_notification **ret,
			      size_t *ret_n, bool *ret_more);
int sqlite_notification_read(struct store_conn *c, const char *user_id, const char *id);
int sqlite_alarms_due(struct store_conn *c, struct arena *a, int64_t now, unsigned limit,
		      struct store_alarm_due **ret, size_t *ret_n);
int sqlite_alarm_advance(struct store_conn *c, const char *id, bool has_next, int64_t next, int64_t now);
int sqlite_alarms_next_due(struct store_conn *c, int64_t *ret);

#endif
