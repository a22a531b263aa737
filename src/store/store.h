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

#endif
