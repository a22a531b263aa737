/* The storage contract. Two backends implement it — SQLite (sqlite/) and
 * PostgreSQL (pg/) — chosen by the URL's scheme, and both pass the same
 * contract suite (tests/store/). Nothing above this layer sees SQL.
 *
 * Connections come from a pool owned by struct store: a thread acquires
 * one, uses it, releases it. A connection is used by one thread at a time.
 * Only service/ opens transactions (store_begin/commit/rollback); every
 * data function runs inside the caller's transaction.
 *
 * Results are written into caller-provided structs whose strings and arrays
 * are allocated from the caller's arena. Out-parameters are set only on
 * success. Errors: CAL_E_NOT_FOUND, CAL_E_EXISTS (a unique key), CAL_E_CONFLICT
 * (a concurrent writer: retry the transaction), CAL_E_PRECONDITION (version
 * mismatch), CAL_E_STORE (the database failed), CAL_E_BUSY (no connection
 * free in time). After any error but NOT_FOUND, EXISTS and PRECONDITION the
 * transaction may be unusable (PostgreSQL aborts it): roll back.
 * Optional strings may come back NULL or empty; callers treat both alike. */
#ifndef CAL_STORE_STORE_H
#define CAL_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "model/activity.h"
#include "model/appointment.h"
#include "model/directory.h"
#include "model/event.h"

/* Events longer than this are "long spans" (as is every recurring series):
 * they are found through their own small index, so a window query reads
 * only [from - STORE_LONG_SPAN, to) of the ordinary index. */
enum { STORE_LONG_SPAN = 31 * 24 * 3600 };

struct store;
struct store_conn;

enum store_backend { STORE_SQLITE, STORE_POSTGRES };

/* `url`: "sqlite:PATH" (or "sqlite::memory:" for tests) or "postgres://…" /
 * "postgresql://…". Opens no connection yet beyond checking the first one. */
int store_open(const char *url, unsigned pool_size, struct store **ret_store);
void store_close(struct store *s);
enum store_backend store_backend(const struct store *s);

/* Applies the numbered migrations not applied yet, each in its own
 * transaction. Safe to run from several processes at once. On failure
 * `ret_failed` names the migration that failed (static string). */
int store_migrate(struct store *s, const char **ret_failed);

/* Blocks up to a few seconds for a free connection (CAL_E_BUSY after). */
int store_acquire(struct store *s, struct store_conn **ret_conn);
/* Returns the connection; one that broke or is still inside a transaction
 * is rolled back or replaced. Accepts NULL. */
void store_release(struct store_conn *c);
static inline void store_releasep(struct store_conn **c) { store_release(*c); }

int store_ping(struct store_conn *c);
/* write=true takes the write lock up front (SQLite BEGIN IMMEDIATE), so a
 * read-then-write transaction cannot deadlock on upgrade. */
int store_begin(struct store_conn *c, bool write);
int store_commit(struct store_conn *c);
void store_rollback(struct store_conn *c);
/* What the current transaction wrote that a background job waits for
 * (outbox rows, notifications, armed alarms), so the caller can wake the
 * job after commit (tx.c does). */
enum { STORE_NOTE_OUTBOX = 1, STORE_NOTE_NOTIFICATION = 2, STORE_NOTE_ALARM = 4 };
unsigned store_tx_notes(const struct store_conn *c);

/* Directory */
int store_company_insert(struct store_conn *c, const struct cal_company *co);
int store_company_get(struct store_conn *c, struct arena *a, const char *id, struct cal_company *ret);
int store_company_get_by_slug(struct store_conn *c, struct arena *a, const char *slug,
			      struct cal_company *ret);
int store_user_insert(struct store_conn *c, const struct cal_user *u);
int store_user_get(struct store_conn *c, struct arena *a, const char *id, struct cal_user *ret);
/* `email` is compared as given: callers fold case first. */
int store_user_get_by_email(struct store_conn *c, struct arena *a, const char *email,
			    struct cal_user *ret);
int store_partner_insert(struct store_conn *c, const struct cal_partner *p);
int store_partner_get(struct store_conn *c, struct arena *a, const char *id, struct cal_partner *ret);

/* Events, with their attendees and alarms. */
int store_event_insert(struct store_conn *c, const struct cal_event *e);
int store_event_get(struct store_conn *c, struct arena *a, const char *id, struct cal_event *ret);
/* Holds the event's row until the transaction ends (PostgreSQL FOR UPDATE;
 * SQLite's write transaction already excludes other writers).
 * CAL_E_NOT_FOUND when there is no such event. */
int store_event_lock(struct store_conn *c, const char *id);
/* Writes every field of `e` and replaces its attendees and alarms, but only
 * if the stored version is `expected_version` (CAL_E_PRECONDITION if not).
 * `e->version` is the new version. */
int store_event_update(struct store_conn *c, const struct cal_event *e, int64_t expected_version);
int store_event_delete(struct store_conn *c, const char *id, int64_t expected_version);

struct store_event_query {
	const char *company_id;
	/* Events where any of them has an attendee row. The service always
	 * gives the organizer one (role chair), so this is "organizer or
	 * attendee" without a third index. */
	const char *const *user_ids;
	size_t n_user_ids;
	int64_t from, to; /* overlap with [from, to) */
	const char *res_model, *res_id; /* optional filter, both or neither */
	/* false: single events and exceptions, paged by the cursor; true:
	 * series whose span overlaps the window (the caller expands them; no
	 * cursor, at most `limit`). */
	bool series;
	bool has_cursor;                /* resume after (cursor_start, cursor_id) */
	int64_t cursor_start;
	const char *cursor_id;
	unsigned limit;
};

struct store_event_page {
	struct cal_event *items; /* sorted by (start, id), each event once */
	size_t n;
	bool more; /* there are events after the last one */
};

int store_events_range(struct store_conn *c, struct arena *a, const struct store_event_query *q,
		       struct store_event_page *ret);

/* A series or single event by its iCalendar UID within a company. */
int store_event_get_by_uid(struct store_conn *c, struct arena *a, const char *company_id,
			   const char *uid, struct cal_event *ret);
/* The exceptions of a series whose original start is in [from, to), by
 * original start (all of them: from = INT64_MIN, to = INT64_MAX). */
int store_exceptions(struct store_conn *c, struct arena *a, const char *master_id, int64_t from,
		     int64_t to, struct store_event_page *ret);

/* Subscription feeds: the hash of a user's secret (hex SHA-256). Putting
 * replaces the user's previous secret. */
int store_feed_put(struct store_conn *c, const char *user_id, const char *token_hash, int64_t now);
int store_feed_user(struct store_conn *c, struct arena *a, const char *token_hash,
		    const char **ret_user_id);
int store_feed_delete(struct store_conn *c, const char *user_id);

/* Activities (model/activity.h). Reads also fill user_timezone from the
 * assignee's row. Versions guard writes as they do for events. */
int store_activity_insert(struct store_conn *c, const struct cal_activity *act);
int store_activity_get(struct store_conn *c, struct arena *a, const char *id,
		       struct cal_activity *ret);
/* Holds the activity's row until the transaction ends, like
 * store_event_lock. CAL_E_NOT_FOUND when there is no such activity. */
int store_activity_lock(struct store_conn *c, const char *id);
/* Writes every stored field of `act` if the stored version is
 * `expected_version` (CAL_E_PRECONDITION if not); `act->version` is the new
 * one. */
int store_activity_update(struct store_conn *c, const struct cal_activity *act,
			  int64_t expected_version);
int store_activity_delete(struct store_conn *c, const char *id, int64_t expected_version);

enum store_done_filter { STORE_DONE_ANY, STORE_DONE_NOT, STORE_DONE_ONLY };

struct store_activity_query {
	const char *company_id;
	/* Exactly one of: the assignee's activities, a record's (both
	 * fields), or those linked to a calendar event. */
	const char *user_id;
	const char *res_model, *res_id;
	const char *event_id;
	enum store_done_filter done;
	bool has_due_from, has_due_to; /* an inclusive range of due dates */
	int32_t due_from, due_to;
	bool has_cursor; /* resume after (cursor_due, cursor_id) */
	int32_t cursor_due;
	const char *cursor_id;
	unsigned limit;
};

struct store_activity_page {
	struct cal_activity *items; /* sorted by (due_date, id) */
	size_t n;
	bool more; /* there are activities after the last one */
};

int store_activities_list(struct store_conn *c, struct arena *a,
			  const struct store_activity_query *q, struct store_activity_page *ret);

/* Appointment types (model/appointment.h) with their assignees, in the
 * order given. Versions guard updates as they do for events; a slug taken
 * in the company is CAL_E_EXISTS. Reads return inactive types too (their
 * bookings still name them); lists leave them out. */
int store_appointment_type_insert(struct store_conn *c, const struct cal_appointment_type *t);
int store_appointment_type_get(struct store_conn *c, struct arena *a, const char *id,
			       struct cal_appointment_type *ret);
int store_appointment_type_update(struct store_conn *c, const struct cal_appointment_type *t,
				  int64_t expected_version);
/* The company's active types by name; only the published ones when
 * `published_only`. */
int store_appointment_types_list(struct store_conn *c, struct arena *a, const char *company_id,
				 bool published_only, struct cal_appointment_type **ret,
				 size_t *ret_n);

/* What keeps users busy in [from, to): for each of `user_ids`, the events
 * where the user is organizer or an attendee who has not declined, shown
 * busy or tentative. Single events and exceptions come as spans; series
 * come whole (with their rule, no children) for the caller to expand,
 * with the original starts of their exceptions in the window (give or
 * take the series' length and a day), which replace occurrences. */
struct store_busy_query {
	const char *company_id;
	const char *const *user_ids;
	size_t n_user_ids;
	int64_t from, to;
	unsigned series_limit; /* more series than this: CAL_E_INVALID */
};

struct store_busy_span {
	size_t user; /* index into user_ids */
	int64_t start, end;
	cal_uuid event_id;
};

struct store_busy_series {
	size_t user;
	struct cal_event event;
};

struct store_busy_skip {
	cal_uuid series_id;
	int64_t original_start;
};

struct store_busy {
	struct store_busy_span *spans;
	size_t n_spans;
	struct store_busy_series *series;
	size_t n_series;
	struct store_busy_skip *skips;
	size_t n_skips;
};

int store_busy(struct store_conn *c, struct arena *a, const struct store_busy_query *q,
	       struct store_busy *ret);

/* Holds the users' rows until the transaction ends, so that bookings of
 * one assignee happen one after the other on every server (PostgreSQL:
 * FOR NO KEY UPDATE, which event inserts naming the user do not wait
 * for; SQLite: the write transaction already excludes writers). Locks in
 * id order, whatever the order given. */
int store_users_lock(struct store_conn *c, const char *const *user_ids, size_t n);

/* Confirmed bookings of any of `user_ids` that begin in [from, to). */
struct store_booked {
	size_t user; /* index into user_ids */
	cal_uuid type_id;
	int64_t start, end;
};
int store_bookings_of(struct store_conn *c, struct arena *a, const char *const *user_ids,
		      size_t n, int64_t from, int64_t to, struct store_booked **ret,
		      size_t *ret_n);

/* A confirmed booking overlapping another confirmed booking of the same
 * assignee is refused by the database itself: CAL_E_SLOT_TAKEN (PostgreSQL:
 * an exclusion constraint; SQLite: triggers), on insert and on update.
 * A second booking with the same type and idempotency key is CAL_E_EXISTS. */
int store_booking_insert(struct store_conn *c, const struct cal_booking *b);
int store_booking_by_token(struct store_conn *c, struct arena *a, const char *token_hash,
			   struct cal_booking *ret);
int store_booking_by_key(struct store_conn *c, struct arena *a, const char *type_id,
			 const char *idempotency_key, struct cal_booking *ret);
int store_booking_by_id(struct store_conn *c, struct arena *a, const char *id,
			struct cal_booking *ret);

/* How booking_get finds its row (backend.h). */
enum store_booking_key { STORE_BOOKING_BY_TOKEN, STORE_BOOKING_BY_KEY, STORE_BOOKING_BY_ID };
/* Writes the assignee, times, event, status and updated_at. */
int store_booking_update(struct store_conn *c, const struct cal_booking *b);

int store_lead_insert(struct store_conn *c, const struct cal_lead *l);

/* The notification outbox. A message is written in the transaction of the
 * change it tells about and delivered later by a worker (jobs/outbox.c);
 * the idempotency key makes writing it twice write it once. */
enum store_channel { STORE_CHANNEL_EMAIL, STORE_CHANNEL_SMS, STORE_CHANNEL_IN_APP };
enum store_outbox_status { STORE_OUTBOX_PENDING, STORE_OUTBOX_SENDING, STORE_OUTBOX_SENT, STORE_OUTBOX_FAILED };
const char *store_channel_name(enum store_channel v);
const char *store_outbox_status_name(enum store_outbox_status v);
/* -1 for an unknown name. */
int store_channel_parse(const char *s);
int store_outbox_status_parse(const char *s);

struct store_outbox_msg {
	cal_uuid id, company_id;
	enum store_channel channel;
	const char *kind;      /* "invitation", "reminder", ... */
	const char *recipient; /* an e-mail address, an E.164 number or a user id */
	const char *payload;   /* rendered: a whole RFC 5322 message, an SMS text, or in-app JSON */
	const char *idempotency_key;
	enum store_outbox_status status;
	int attempts;
	int64_t next_attempt_at, created_at, sent_at; /* sent_at 0: not sent */
	const char *last_error;
};

/* Inserts `m` (status pending) unless a message with its idempotency key
 * exists; *ret_inserted says which. */
int store_outbox_put(struct store_conn *c, const struct store_outbox_msg *m, bool *ret_inserted);
/* Claims up to `limit` messages due at `now` (pending, or sending with an
 * expired lease: their worker died): each becomes "sending" until
 * `lease_until`, which is also when it is due again, and its attempts grow
 * by one. PostgreSQL skips rows another worker holds, so several processes
 * each claim different messages. */
int store_outbox_claim(struct store_conn *c, struct arena *a, int64_t now, int64_t lease_until,
		       unsigned limit, struct store_outbox_msg **ret, size_t *ret_n);
/* Ends a claim: sent, or back to pending due at `next_at`, or failed for
 * good. Only the claim that is still current (same attempts, still
 * sending) counts: CAL_E_NOT_FOUND when another worker took it over. */
int store_outbox_sent(struct store_conn *c, const char *id, int attempts, int64_t now);
int store_outbox_retry(struct store_conn *c, const char *id, int attempts, int64_t next_at,
		       bool give_up, const char *error);
/* The earliest next_attempt_at of undelivered messages; CAL_E_NOT_FOUND
 * when there are none. */
int store_outbox_next_due(struct store_conn *c, int64_t *ret);

struct store_outbox_query {
	const char *company_id;
	int status; /* enum store_outbox_status, or -1 for all */
	const char *recipient; /* optional */
	unsigned limit;
};
/* Newest first (payloads left out). */
int store_outbox_list(struct store_conn *c, struct arena *a, const struct store_outbox_query *q,
		      struct store_outbox_msg **ret, size_t *ret_n);

/* In-app notifications. */
struct cal_notification {
	cal_uuid id, user_id;
	const char *kind, *title, *body, *link; /* body, link may be NULL */
	cal_uuid event_id;                      /* empty: none */
	bool read;
	int64_t created_at;
};
/* Writes it unless its id exists (a redelivered outbox message). */
int store_notification_put(struct store_conn *c, const struct cal_notification *n);
struct store_notification_query {
	const char *user_id;
	bool unread_only;
	/* Newest first, resuming before (before_at, before_id) when has_before;
	 * or, with since, oldest first from created_at >= since_at. */
	bool has_before, since;
	int64_t before_at, since_at;
	const char *before_id;
	unsigned limit;
};
int store_notifications_list(struct store_conn *c, struct arena *a,
			     const struct store_notification_query *q, struct cal_notification **ret,
			     size_t *ret_n, bool *ret_more);
/* CAL_E_NOT_FOUND unless `id` is one of the user's. */
int store_notification_read(struct store_conn *c, const char *user_id, const char *id);

/* Alarms due: ordered by next_trigger_at, at most `limit`, read through the
 * next_trigger_at index so the cost does not grow with the alarms pending.
 * PostgreSQL locks the rows it returns and skips those another scheduler
 * holds. */
struct store_alarm_due {
	struct cal_alarm alarm; /* armed, with next_trigger_at */
	cal_uuid event_id;
};
int store_alarms_due(struct store_conn *c, struct arena *a, int64_t now, unsigned limit,
		     struct store_alarm_due **ret, size_t *ret_n);
/* Moves an alarm to its next trigger (has_next false: none left). */
int store_alarm_advance(struct store_conn *c, const char *id, bool has_next, int64_t next,
			int64_t now);
/* The earliest armed trigger; CAL_E_NOT_FOUND when none. */
int store_alarms_next_due(struct store_conn *c, int64_t *ret);

#endif
