/* Activity use cases (Odoo's mail.activity): create, read, change, mark
 * done, delete and list the activities of ERP records, each one
 * transaction. Any user of the company may read them; only the assignee,
 * the creator or a company admin may change them. Another company's
 * activities do not exist (CAL_E_NOT_FOUND).
 *
 * A meeting activity owns a calendar event created in the same
 * transaction (organizer: the assignee; record: the activity's). The two
 * stay in step: moving the event moves the due date, deleting the event
 * deletes the open activity, deleting the open activity deletes the
 * event, and the event's single read lists its activities. The event side
 * of that is the activities_event_* functions below, which service/events.c
 * calls inside its own transactions. Results live in the caller's arena. */
#ifndef CAL_SERVICE_ACTIVITIES_H
#define CAL_SERVICE_ACTIVITIES_H

#include "base/arena.h"
#include "base/errors.h"
#include "model/acl.h"
#include "model/activity.h"
#include "service/app.h"
#include "service/events.h"
#include "store/store.h"

/* An activity with the state its assignee's today gives it. */
struct activity_view {
	struct cal_activity *activity;
	enum cal_activity_state state;
};

int activities_create(struct app *app, struct arena *a, const struct cal_principal *who,
		      const struct cal_activity_input *in, struct cal_error *err,
		      struct activity_view *ret);
int activities_get(struct app *app, struct arena *a, const struct cal_principal *who, const char *id,
		   struct cal_error *err, struct activity_view *ret);
/* A meeting's new due date moves its open event by as many days; `match`
 * is checked against the activity's version. */
int activities_update(struct app *app, struct arena *a, const struct cal_principal *who,
		      const char *id, const struct cal_activity_input *in, struct if_match match,
		      struct cal_error *err, struct activity_view *ret);
/* Done now, with `feedback` (may be NULL) appended to the note. Marking a
 * done activity done again changes nothing, so a retried request cannot
 * append its feedback twice. The meeting's event stays. */
int activities_done(struct app *app, struct arena *a, const struct cal_principal *who,
		    const char *id, const char *feedback, struct if_match match,
		    struct cal_error *err, struct activity_view *ret);
/* An open meeting activity takes its event along; a done one leaves it. */
int activities_delete(struct app *app, struct arena *a, const struct cal_principal *who,
		      const char *id, struct if_match match, struct cal_error *err);

struct activities_list_request {
	const char *res_model, *res_id; /* a record's activities, or */
	const char *user_id;            /* an assignee's (NULL and no record: the caller's) */
	const char *state;              /* optional: planned, today, overdue or done */
	const char *cursor;             /* opaque, from a previous page */
	unsigned limit;                 /* 0: the default */
};

struct activities_list_result {
	struct activity_view *items; /* by due date, then id */
	size_t n;
	const char *next_cursor;     /* NULL on the last page */
};

int activities_list(struct app *app, struct arena *a, const struct cal_principal *who,
		    const struct activities_list_request *req, struct cal_error *err,
		    struct activities_list_result *ret);

/* For service/events.c, inside its write transaction, after event `e` was
 * stored with a new start: its open activities take the event's start date
 * in their assignee's zone as due date. */
int activities_event_moved(struct store_conn *c, struct arena *a, struct app *app,
			   const struct cal_event *e);
/* Likewise, before event `e` is deleted: its open activities go with it
 * (done ones stay, unlinked by the schema). */
int activities_event_deleted(struct store_conn *c, struct arena *a, const struct cal_event *e);
/* For an event's single read, with the full view: fills v->activities with
 * the activities linked to the event, or leaves it NULL when there are
 * none. */
int activities_of_event(struct store_conn *c, struct arena *a, struct app *app,
			struct event_view *v);

#endif
