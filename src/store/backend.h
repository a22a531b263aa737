/* What a backend provides: the functions behind store.h, one table per
 * backend. Internal to store/. A connection struct starts with struct
 * store_conn so the generic layer can pool it. */
#ifndef CAL_STORE_BACKEND_H
#define CAL_STORE_BACKEND_H

#include "store/store.h"

struct store_ops;

struct store_conn {
	const struct store_ops *ops;
	struct store *owner;
	bool in_tx;
	unsigned tx_notes; /* STORE_NOTE_*, cleared at begin */
	struct store_conn *next_free;
};

struct migration {
	const char *name; /* "0001_init" */
	const char *sql;
};

struct store_ops {
	enum store_backend backend;
	int (*connect)(const char *url, struct store_conn **ret);
	void (*disconnect)(struct store_conn *c);
	/* True when the connection cannot be used again (lost server). */
	bool (*broken)(struct store_conn *c);
	int (*migrate)(struct store_conn *c, const struct migration *list, size_t n,
		       const char **ret_failed);
	int (*ping)(struct store_conn *c);
	int (*begin)(struct store_conn *c, bool write);
	int (*commit)(struct store_conn *c);
	void (*rollback)(struct store_conn *c);

	int (*company_insert)(struct store_conn *c, const struct cal_company *co);
	int (*company_get)(struct store_conn *c, struct arena *a, const char *key, bool by_slug,
			   struct cal_company *ret);
	int (*user_insert)(struct store_conn *c, const struct cal_user *u);
	int (*user_get)(struct store_conn *c, struct arena *a, const char *key, bool by_email,
			struct cal_user *ret);
	int (*partner_insert)(struct store_conn *c, const struct cal_partner *p);
	int (*partner_get)(struct store_conn *c, struct arena *a, const char *id, struct cal_partner *ret);

	int (*event_insert)(struct store_conn *c, const struct cal_event *e);
	int (*event_get)(struct store_conn *c, struct arena *a, const char *id, struct cal_event *ret);
	int (*event_lock)(struct store_conn *c, const char *id);
	int (*event_update)(struct store_conn *c, const struct cal_event *e, int64_t expected_version);
	int (*event_delete)(struct store_conn *c, const char *id, int64_t expected_version);
	int (*events_range)(struct store_conn *c, struct arena *a, const struct store_event_query *q,
			    struct store_event_page *ret);
	int (*event_get_by_uid)(struct store_conn *c, struct arena *a, const char *company_id,
				const char *uid, struct cal_event *ret);
	int (*exceptions)(struct store_conn *c, struct arena *a, const char *master_id, int64_t from,
			  int64_t to, struct store_event_page *ret);
	int (*feed_put)(struct store_conn *c, const char *user_id, const char *token_hash, int64_t now);
	int (*feed_user)(struct store_conn *c, struct arena *a, const char *token_hash,
			 const char **ret_user_id);
	int (*feed_delete)(struct store_conn *c, const char *user_id);

	int (*activity_insert)(struct store_conn *c, const struct cal_activity *act);
	int (*activity_get)(struct store_conn *c, struct arena *a, const char *id,
			    struct cal_activity *ret);
	int (*activity_lock)(struct store_conn *c, const char *id);
	int (*activity_update)(struct store_conn *c, const struct cal_activity *act,
			       int64_t expected_version);
	int (*activity_delete)(struct store_conn *c, const char *id, int64_t expected_version);
	int (*activities_list)(struct store_conn *c, struct arena *a,
			       const struct store_activity_query *q, struct store_activity_page *ret);

	int (*appointment_type_insert)(struct store_conn *c, const struct cal_appointment_type *t);
	int (*appointment_type_get)(struct store_conn *c, struct arena *a, const char *id,
				    struct cal_appointment_type *ret);
	int (*appointment_type_update)(struct store_conn *c, const struct cal_appointment_type *t,
				       int64_t expected_version);
	int (*appointment_types_list)(struct store_conn *c, struct arena *a, const char *company_id,
				      bool published_only, struct cal_appointment_type **ret,
				      size_t *ret_n);
	int (*busy)(struct store_conn *c, struct arena *a, const struct store_busy_query *q,
		    struct store_busy *ret);
	int (*users_lock)(struct store_conn *c, const char *const *user_ids, size_t n);
	int (*bookings_of)(struct store_conn *c, struct arena *a, const char *const *user_ids,
			   size_t n, int64_t from, int64_t to, struct store_booked **ret,
			   size_t *ret_n);
	int (*booking_insert)(struct store_conn *c, const struct cal_booking *b);
	int (*booking_get)(struct store_conn *c, struct arena *a, enum store_booking_key by,
			   const char *key1, const char *key2, struct cal_booking *ret);
	int (*booking_update)(struct store_conn *c, const struct cal_booking *b);
	int (*lead_insert)(struct store_conn *c, const struct cal_lead *l);

	int (*outbox_put)(struct store_conn *c, const struct store_outbox_msg *m, bool *ret_inserted);
	int (*outbox_claim)(struct store_conn *c, struct arena *a, int64_t now, int64_t lease_until,
			    unsigned limit, struct store_outbox_msg **ret, size_t *ret_n);
	int (*outbox_finish)(struct store_conn *c, const char *id, int attempts,
			     enum store_outbox_status status, int64_t at, const char *error);
	int (*outbox_next_due)(struct store_conn *c, int64_t *ret);
	int (*outbox_list)(struct store_conn *c, struct arena *a, const struct store_outbox_query *q,
			   struct store_outbox_msg **ret, size_t *ret_n);
	int (*notification_put)(struct store_conn *c, const struct cal_notification *n);
	int (*notifications_list)(struct store_conn *c, struct arena *a,
				  const struct store_notification_query *q,
				  struct cal_notification **ret, size_t *ret_n, bool *ret_more);
	int (*notification_read)(struct store_conn *c, const char *user_id, const char *id);
	int (*alarms_due)(struct store_conn *c, struct arena *a, int64_t now, unsigned limit,
			  struct store_alarm_due **ret, size_t *ret_n);
	int (*alarm_advance)(struct store_conn *c, const char *id, bool has_next, int64_t next,
			     int64_t now);
	int (*alarms_next_due)(struct store_conn *c, int64_t *ret);
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

/* Generated at build time from migrations/{sqlite,pg}/NNNN_*.sql. */
extern const struct migration store_sqlite_migrations[];
extern const size_t store_sqlite_migrations_count;
extern const struct migration store_pg_migrations[];
extern const size_t store_pg_migrations_count;

/* The attendee-row span columns, shared by both backends so they agree. */
static inline bool store_is_long_span(const struct cal_event *e)
{
	return e->recurring || e->end - e->start > STORE_LONG_SPAN;
}

/* Where an event's span ends for the attendee index: a series lasts until
 * its last instance ends. */
static inline int64_t store_span_end(const struct cal_event *e)
{
	return e->recurring ? e->series_end : e->end;
}

/* EXDATE lists are stored as "[t1,t2,...]" (epoch seconds), readable as
 * JSON by either database. Returns a malloc'd string (NULL when none or out
 * of memory) / parses into the arena (0 and an empty list for NULL). */
char *store_exdates_format(const struct cal_event *e);
int store_exdates_parse(struct arena *a, const char *text, int64_t **ret, size_t *ret_n);

#endif
