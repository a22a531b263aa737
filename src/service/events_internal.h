/* Internal to service/: the state one event transaction works on, and the
 * steps that events.c (whole events) and occurrences.c (one occurrence of a
 * series) share. */
#ifndef CAL_SERVICE_EVENTS_INTERNAL_H
#define CAL_SERVICE_EVENTS_INTERNAL_H

#include "service/events.h"
#include "store/store.h"

struct event_ctx {
	struct app *app;
	struct arena *arena;
	const struct cal_principal *who;
	const struct cal_event_input *in;
	struct cal_error *err;
	const char *id;
	enum event_scope scope;
	struct if_match match;
	enum cal_partstat answer;
	bool allow_exception_rows; /* occurrences.c works on exception rows by id */
	bool set_sequence;         /* imports carry their own SEQUENCE */
	bool notify;               /* write invitations/updates/cancellations (itip.c) */
	int64_t sequence;
	struct cal_event *event;   /* the result */
	struct event_view *view;   /* the result as the caller sees it */
};

/* An occurrence id taken apart. */
struct occurrence_ref {
	cal_uuid series;
	int64_t original_start;
};

bool occurrence_ref_parse(const char *id, struct occurrence_ref *ret);

const struct cal_tz *resolve_zone(struct app *app, const char *name, struct cal_error *err);
int resolve_attendees(struct store_conn *c, struct event_ctx *ctx, const struct cal_event *old,
		      struct cal_event *e);
void new_alarm_ids(struct cal_event *e);
/* store_event_insert/update with the event's alarms armed first: every
 * save of an event goes through these. */
int event_row_insert(struct store_conn *c, struct event_ctx *ctx, struct cal_event *e);
int event_row_update(struct store_conn *c, struct event_ctx *ctx, struct cal_event *e,
		     int64_t expected_version);
/* Records `answer` for `at` (one of e's attendees), saves e at its next
 * version and tells the organizer (service/itip.h). */
int answer_row(struct store_conn *c, struct event_ctx *ctx, struct cal_event *e,
	       struct cal_attendee *at, enum cal_partstat answer);
/* A new event from a client's input, checked, not stored yet. */
int event_prepare(struct app *app, struct arena *a, const struct cal_principal *who,
		  const struct cal_event_input *in, struct cal_error *err, struct cal_event **ret);
/* Resolves its attendees and stores a prepared event. */
int create_row(struct store_conn *c, struct event_ctx *ctx, struct cal_event *e);
enum cal_view view_of(const struct cal_principal *who, const struct cal_event *e);
/* Locked, visible, at the expected version; hidden events are "not found". */
int load_for_change(struct store_conn *c, struct event_ctx *ctx, const char *id,
		    struct cal_event *ret);
int require_modify(struct event_ctx *ctx, const struct cal_event *e);
/* Applies ctx->in to the stored row `id` (a single event, a series, or —
 * with allow_exception_rows — an exception) and stores it in *ret. */
int update_row(struct store_conn *c, struct event_ctx *ctx, const char *id, struct cal_event *ret);
/* Deletes the exceptions of a changed series that are no instance of it
 * any more, and forgets EXDATEs likewise. */
int series_drop_orphans(struct store_conn *c, struct event_ctx *ctx, struct cal_event *series);

/* A listing window: RFC 3339 instants, or dates at midnight in the caller's
 * zone; `to` after `from` and at most list_window_days wide. Field errors
 * name "from" and "to". */
int window_parse(struct app *app, const struct cal_principal *who, const char *from,
		 const char *to, int64_t *ret_from, int64_t *ret_to, struct cal_error *err);

int occurrence_get(struct store_conn *c, struct event_ctx *ctx, const struct occurrence_ref *ref);
int occurrence_update(struct store_conn *c, struct event_ctx *ctx, const struct occurrence_ref *ref);
int occurrence_delete(struct store_conn *c, struct event_ctx *ctx, const struct occurrence_ref *ref);

#endif
