/* Event use cases: create, read, change, delete, answer and list, each one
 * transaction, each applying the privacy rules of model/acl.h to what it
 * returns. Results live in the caller's arena. */
#ifndef CAL_SERVICE_EVENTS_H
#define CAL_SERVICE_EVENTS_H

#include "base/arena.h"
#include "base/errors.h"
#include "model/acl.h"
#include "model/event.h"
#include "service/app.h"

struct activity_view;

/* An event as one caller may see it: render only what `view` allows. An
 * occurrence of a series (virtual, or an exception row) has its own public
 * id "<seriesId>_<YYYYMMDDTHHMMSSZ>" and names its series. */
struct event_view {
	struct cal_event *event;
	enum cal_view view; /* never CAL_VIEW_NONE */
	const char *public_id; /* NULL: event->id */
	const char *series_id; /* occurrences only */
	int64_t original_start;
	int64_t etag_version;  /* 0: event->version */
	/* The activities linked to the event (service/activities.h), filled
	 * by a single read with the full view when there are any; NULL
	 * otherwise. */
	const struct activity_view *activities;
	size_t n_activities;
};

static inline const char *event_view_id(const struct event_view *v)
{
	return v->public_id ? v->public_id : v->event->id.s;
}

/* Which occurrences a change to an occurrence touches. */
enum event_scope { SCOPE_THIS, SCOPE_FOLLOWING, SCOPE_ALL };

/* A precondition from If-Match: the version the client last saw. */
struct if_match {
	bool present;
	int64_t version;
};

/* `notify`: write invitations, updates and cancellations to the outbox
 * (service/itip.h) in the same transaction. */
int events_create(struct app *app, struct arena *a, const struct cal_principal *who,
		  const struct cal_event_input *in, bool notify, struct cal_error *err,
		  struct event_view *ret);
int events_get(struct app *app, struct arena *a, const struct cal_principal *who, const char *id,
	       struct cal_error *err, struct event_view *ret);
/* `id` is an event's id or an occurrence's; `scope` matters for
 * occurrences only (the event id of a series means the whole series). */
int events_update(struct app *app, struct arena *a, const struct cal_principal *who, const char *id,
		  enum event_scope scope, const struct cal_event_input *in, struct if_match match,
		  bool notify, struct cal_error *err, struct event_view *ret);
int events_delete(struct app *app, struct arena *a, const struct cal_principal *who, const char *id,
		  enum event_scope scope, struct if_match match, bool notify, struct cal_error *err);
int events_respond(struct app *app, struct arena *a, const struct cal_principal *who,
		   const char *id, enum cal_partstat answer, struct cal_error *err,
		   struct event_view *ret);

struct events_list_request {
	const char *from, *to;    /* RFC 3339 instants, or dates in the caller's zone */
	const char **user_ids;    /* NULL: the caller's own calendar */
	size_t n_user_ids;
	const char *res_model, *res_id;
	const char *cursor;       /* opaque, from a previous page */
	unsigned limit;           /* 0: the default */
};

struct events_list_result {
	struct event_view *items;
	size_t n;
	const char *next_cursor; /* NULL on the last page */
};

int events_list(struct app *app, struct arena *a, const struct cal_principal *who,
		const struct events_list_request *req, struct cal_error *err,
		struct events_list_result *ret);

#endif
