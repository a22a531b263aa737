/* Internal to the PostgreSQL backend: the connection struct, the statement
 * ids, and the helpers shared by pg.c (connections, transactions,
 * migrations, the statement table) and rows.c (directory and events).
 *
 * Every statement is prepared once per connection, on first use, and run
 * with text parameters and text results. Instants cross the wire as epoch
 * seconds (the SQL converts with to_timestamp / extract(epoch ...)) and
 * dates as day numbers, so C only ever sees int64 and int32.
 *
 * Functions are prefixed pgs_ ("PostgreSQL store"): libpq and its support
 * libraries own the pg_ namespace. */
#ifndef CAL_STORE_PG_PG_H
#define CAL_STORE_PG_PG_H

#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>

#include "store/backend.h"

enum pg_stmt {
	PG_PING,
	PG_MIGRATION_APPLIED,
	PG_MIGRATION_LOCK,
	PG_MIGRATION_RECORD,
	PG_COMPANY_INSERT,
	PG_COMPANY_BY_ID,
	PG_COMPANY_BY_SLUG,
	PG_USER_INSERT,
	PG_USER_BY_ID,
	PG_USER_BY_EMAIL,
	PG_PARTNER_INSERT,
	PG_PARTNER_BY_ID,
	PG_EVENT_INSERT,
	PG_EVENT_BY_ID,
	PG_EVENT_BY_UID,
	PG_EXCEPTIONS_OF,
	PG_RECURRENCE_UPSERT,
	PG_RECURRENCE_DELETE,
	PG_EVENT_UPDATE,
	PG_EVENT_DELETE,
	PG_EVENT_EXISTS,
	PG_EVENT_LOCK,
	PG_ATTENDEES_INSERT,
	PG_ATTENDEES_DELETE,
	PG_ALARMS_INSERT,
	PG_ALARMS_DELETE,
	PG_ATTENDEES_OF,
	PG_ALARMS_OF,
	PG_RANGE,
	PG_FEED_PUT,
	PG_FEED_USER,
	PG_FEED_DELETE,
	PG_OUTBOX_PUT,
	PG_OUTBOX_CLAIM,
	PG_OUTBOX_FINISH,
	PG_OUTBOX_NEXT,
	PG_OUTBOX_LIST,
	PG_NOTIFICATION_PUT,
	PG_NOTIFICATIONS_PAGE,
	PG_NOTIFICATIONS_SINCE,
	PG_NOTIFICATION_READ,
	PG_ALARMS_DUE,
	PG_ALARM_ADVANCE,
	PG_ALARMS_NEXT,
	PG_ACTIVITY_INSERT,
	PG_ACTIVITY_BY_ID,
	PG_ACTIVITY_UPDATE,
	PG_ACTIVITY_DELETE,
	PG_ACTIVITY_EXISTS,
	PG_ACTIVITY_LOCK,
	PG_ACTIVITIES_OF_USER,
	PG_ACTIVITIES_OF_RECORD,
	PG_ACTIVITIES_OF_EVENT,
	PG_APPT_TYPE_INSERT,
	PG_APPT_TYPE_BY_ID,
	PG_APPT_TYPE_UPDATE,
	PG_APPT_TYPE_EXISTS,
	PG_APPT_TYPES_OF_COMPANY,
	PG_APPT_USERS_OF,
	PG_APPT_USERS_DELETE,
	PG_APPT_USERS_INSERT,
	PG_BUSY,
	PG_BUSY_SKIPS,
	PG_USERS_LOCK,
	PG_BOOKINGS_OF,
	PG_BOOKING_INSERT,
	PG_BOOKING_BY_TOKEN,
	PG_BOOKING_BY_KEY,
	PG_BOOKING_BY_ID,
	PG_BOOKING_UPDATE,
	PG_LEAD_INSERT,
	PG__COUNT
};

struct pg_conn {
	struct store_conn base; /* first: the pool only sees this */
	PGconn *db;
	bool prepared[PG__COUNT]; /* server-side statements survive rollbacks */
	bool reading;             /* in a read "transaction": statements autocommit */
};

static inline struct pg_conn *PGC(struct store_conn *c)
{
	return (struct pg_conn *)c;
}
static inline void pgs_clearp(PGresult **r)
{
	PQclear(*r);
}

/* Runs statement `id` with `n` text parameters (NULL is SQL NULL). On
 * success `*ret` is a command or tuples result the caller PQclear()s. */
int pgs_run(struct pg_conn *pc, enum pg_stmt id, int n, const char *const *params, PGresult **ret);
/* A failed result (or NULL, for a lost connection) as a CAL_E_* code. */
int pgs_error(const PGresult *res);
/* Rows a command changed (UPDATE/DELETE/INSERT). */
long pgs_changed(const PGresult *res);
/* `ids` as a uuid[] literal ("{a,b}"); the caller checked every id. */
struct strbuf;
int pgs_uuid_array(struct strbuf *sb, const char *const *ids, size_t n);

/* Room for an int64 as decimal text. */
struct pg_num {
	char s[24];
};
static inline const char *pgs_i64(struct pg_num *buf, int64_t v)
{
	snprintf(buf->s, sizeof buf->s, "%" PRId64, v);
	return buf->s;
}
/* An unset uuid (empty string) travels as NULL. */
static inline const char *pgs_uuid(const cal_uuid *u)
{
	return u->s[0] ? u->s : NULL;
}
static inline const char *pgs_bool(bool v)
{
	return v ? "t" : "f";
}

int pgs_company_insert(struct store_conn *c, const struct cal_company *co);
int pgs_company_get(struct store_conn *c, struct arena *a, const char *key, bool by_slug,
		    struct cal_company *ret);
int pgs_user_insert(struct store_conn *c, const struct cal_user *u);
int pgs_user_get(struct store_conn *c, struct arena *a, const char *key, bool by_email,
		 struct cal_user *ret);
int pgs_partner_insert(struct store_conn *c, const struct cal_partner *p);
int pgs_partner_get(struct store_conn *c, struct arena *a, const char *id, struct cal_partner *ret);
int pgs_event_insert(struct store_conn *c, const struct cal_event *e);
int pgs_event_get(struct store_conn *c, struct arena *a, const char *id, struct cal_event *ret);
int pgs_event_lock(struct store_conn *c, const char *id);
int pgs_event_update(struct store_conn *c, const struct cal_event *e, int64_t expected_version);
int pgs_event_delete(struct store_conn *c, const char *id, int64_t expected_version);
int pgs_events_range(struct store_conn *c, struct arena *a, const struct store_event_query *q,
		     struct store_event_page *ret);

int pgs_event_get_by_uid(struct store_conn *c, struct arena *a, const char *company_id,
			 const char *uid, struct cal_event *ret);
int pgs_exceptions(struct store_conn *c, struct arena *a, const char *master_id, int64_t from,
		   int64_t to, struct store_event_page *ret);

int pgs_feed_put(struct store_conn *c, const char *user_id, const char *token_hash, int64_t now);
int pgs_feed_user(struct store_conn *c, struct arena *a, const char *token_hash,
		  const char **ret_user_id);
int pgs_feed_delete(struct store_conn *c, const char *user_id);

int pgs_activity_insert(struct store_conn *c, const struct cal_activity *act);
int pgs_activity_get(struct store_conn *c, struct arena *a, const char *id,
		     struct cal_activity *ret);
int pgs_activity_lock(struct store_conn *c, const char *id);
int pgs_activity_update(struct store_conn *c, const struct cal_activity *act,
			int64_t expected_version);
int pgs_activity_delete(struct store_conn *c, const char *id, int64_t expected_version);
int pgs_activities_list(struct store_conn *c, struct arena *a,
			const struct store_activity_query *q, struct store_activity_page *ret);

int pgs_appointment_type_insert(struct store_conn *c, const struct cal_appointment_type *t);
int pgs_appointment_type_get(struct store_conn *c, struct arena *a, const char *id,
			     struct cal_appointment_type *ret);
int pgs_appointment_type_update(struct store_conn *c, const struct cal_appointment_type *t,
				int64_t expected_version);
int pgs_appointment_types_list(struct store_conn *c, struct arena *a, const char *company_id,
			       bool published_only, struct cal_appointment_type **ret, size_t *ret_n);
int pgs_busy(struct store_conn *c, struct arena *a, const struct store_busy_query *q,
	     struct store_busy *ret);
int pgs_users_lock(struct store_conn *c, const char *const *user_ids, size_t n);
int pgs_bookings_of(struct store_conn *c, struct arena *a, const char *const *user_ids, size_t n,
		    int64_t from, int64_t to, struct store_booked **ret, size_t *ret_n);
int pgs_booking_insert(struct store_conn *c, const struct cal_booking *b);
int pgs_booking_get(struct store_conn *c, struct arena *a, enum store_booking_key by,
		    const char *key1, const char *key2, struct cal_booking *ret);
int pgs_booking_update(struct store_conn *c, const struct cal_booking *b);
int pgs_lead_insert(struct store_conn *c, const struct cal_lead *l);
int pgs_outbox_put(struct store_conn *c, const struct store_outbox_msg *m, bool *ret_inserted);
int pgs_outbox_claim(struct store_conn *c, struct arena *a, int64_t now, int64_t lease_until,
		     unsigned limit, struct store_outbox_msg **ret, size_t *ret_n);
int pgs_outbox_finish(struct store_conn *c, const char *id, int attempts,
		      enum store_outbox_status status, int64_t at, const char *error);
int pgs_outbox_next_due(struct store_conn *c, int64_t *ret);
int pgs_outbox_list(struct store_conn *c, struct arena *a, const struct store_outbox_query *q,
		    struct store_outbox_msg **ret, size_t *ret_n);
int pgs_notification_put(struct store_conn *c, const struct cal_notification *n);
int pgs_notifications_list(struct store_conn *c, struct arena *a,
			   const struct store_notification_query *q, struct cal_notification **ret,
			   size_t *ret_n, bool *ret_more);
int pgs_notification_read(struct store_conn *c, const char *user_id, const char *id);
int pgs_alarms_due(struct store_conn *c, struct arena *a, int64_t now, unsigned limit,
		   struct store_alarm_due **ret, size_t *ret_n);
int pgs_alarm_advance(struct store_conn *c, const char *id, bool has_next, int64_t next, int64_t now);
int pgs_alarms_next_due(struct store_conn *c, int64_t *ret);

#endif
