/* Activity use cases and the link between a meeting activity and its
 * calendar event. Each public function runs one transaction body that
 * loads, checks access, changes and stores; bodies may run more than once
 * (tx_run retries on a conflict), so they rebuild their results from the
 * ctx's inputs.
 *
 * The event side uses the event use cases' own steps (events_internal.h):
 * a meeting's event is prepared and stored as if its organizer, the
 * assignee, had created it, and is moved through update_row as if its
 * organizer had moved it, so whatever an event save does (attendee spans,
 * SEQUENCE, alarms) happens here too, and its guests get the updates and
 * cancellations the event routes would send (itip.h). The activity's
 * rights decide: whoever may change the activity may change its meeting
 * through it. */
#include "service/activities.h"

#include <string.h>

#include "model/time.h"
#include "service/activities_internal.h"
#include "service/events_internal.h"
#include "service/itip.h"
#include "service/tx.h"

enum { MEETING_HOUR = 9, MEETING_SECONDS = 3600, EVENT_ACTIVITIES_MAX = 100 };

struct activity_ctx {
	struct app *app;
	struct arena *arena;
	const struct cal_principal *who;
	const struct cal_activity_input *in;
	const char *feedback;
	struct cal_error *err;
	const char *id;
	struct if_match match;
	struct activity_view *view; /* the result */
};

static const struct cal_tz *zone_or_utc(struct app *app, const char *name)
{
	const struct cal_tz *tz = NULL;
	if (!name || cal_tzdb_get(app->tzdb, name, &tz) < 0)
		(void)cal_tzdb_get(app->tzdb, "UTC", &tz);
	return tz;
}

/* The date `t` falls on in `zone`; the UTC date if that cannot be told. */
static int32_t date_in(struct app *app, const char *zone, int64_t t)
{
	const struct cal_tz *tz = zone_or_utc(app, zone);
	int32_t days;
	if (!tz || cal_activity_date_at(tz, t, &days) < 0)
		days = (int32_t)(t / 86400);
	return days;
}

int32_t activity_today(struct app *app, const char *zone)
{
	return date_in(app, zone, cal_clock_now(&app->clock));
}

struct activity_view activity_view_of(struct app *app, struct cal_activity *act)
{
	return (struct activity_view){
		.activity = act,
		.state = cal_activity_state_on(act, activity_today(app, act->user_timezone)),
	};
}

/* The date an event starts on for someone in `zone`: an all-day event's
 * own start date, a timed one's start instant read in that zone. */
static int32_t event_date_for(struct app *app, const struct cal_event *e, const char *zone)
{
	return e->all_day ? e->start_date : date_in(app, zone, e->start);
}

/* A user of the caller's company, for `field`. */
static int company_user(struct store_conn *c, struct activity_ctx *ctx, const char *field,
			const char *id, struct cal_user *ret)
{
	struct cal_user u;
	int r = id && cal_uuid_valid(id) ? store_user_get(c, ctx->arena, id, &u) : CAL_E_NOT_FOUND;
	if (r == CAL_E_NOT_FOUND || (r == 0 && strcmp(u.company_id.s, ctx->who->company_id.s) != 0))
		return cal_error_field(ctx->err, field, "is not a user of this company");
	if (r == 0)
		*ret = u;
	return r;
}

/* Record ids are UUIDs, kept in their lowercase form so lists find them
 * however a client spelled them. */
static void canonical_res_id(struct arena *a, struct cal_activity *act)
{
	cal_uuid id;
	if (act->res_id && cal_uuid_parse(act->res_id, &id))
		act->res_id = arena_strdup(a, id.s);
}

/* The assignee, the creator, or an admin of the company. */
static bool can_change(const struct cal_principal *who, const struct cal_activity *act)
{
	return who->role == CAL_USER_ADMIN || strcmp(act->user_id.s, who->user_id.s) == 0 ||
	       (act->created_by && strcmp(act->created_by, who->user_id.s) == 0);
}

/* Locked, of the caller's company, changeable by the caller, at the
 * expected version. */
static int load_activity(struct store_conn *c, struct activity_ctx *ctx, struct cal_activity *ret)
{
	int r = store_activity_lock(c, ctx->id);
	struct cal_activity act;
	if (r < 0 || (r = store_activity_get(c, ctx->arena, ctx->id, &act)) < 0)
		return r;
	if (strcmp(act.company_id.s, ctx->who->company_id.s) != 0)
		return CAL_E_NOT_FOUND;
	if (!can_change(ctx->who, &act))
		return cal_error_set(ctx->err, CAL_E_FORBIDDEN,
				     "only the assignee, the creator or a company admin may change the activity");
	if (ctx->match.present && ctx->match.version != act.version)
		return cal_error_set(ctx->err, CAL_E_PRECONDITION, "the activity changed since you read it");
	*ret = act;
	return 0;
}

/* The default meeting: 09:00–10:00 on the due date in the assignee's
 * zone, so that the due date is the meeting's date for the assignee. */
static int default_times(struct activity_ctx *ctx, const struct cal_activity *act,
			 const struct cal_user *u, struct cal_event_input *ein)
{
	int64_t year;
	struct cal_civil local = { .hour = MEETING_HOUR };
	cal_civil_date_from_days(act->due_date, &year, &local.month, &local.day);
	local.year = (int)year;
	int64_t start;
	if (cal_tz_local_to_utc(zone_or_utc(ctx->app, u->timezone), &local, &start) < 0)
		return cal_error_field(ctx->err, "dueDate", "cannot be placed in the assignee's time zone");
	char *s = arena_alloc(ctx->arena, CAL_INSTANT_TEXT), *e = arena_alloc(ctx->arena, CAL_INSTANT_TEXT);
	if (!s || !e)
		return CAL_E_NOMEM;
	cal_instant_format(start, s);
	cal_instant_format(start + MEETING_SECONDS, e);
	ein->start = s;
	ein->end = e;
	return 0;
}

/* Creates the meeting's event, organized by the assignee, and links it:
 * the due date becomes the meeting's date for the assignee. */
static int create_meeting(struct store_conn *c, struct activity_ctx *ctx, struct cal_activity *act,
			  const struct cal_user *u)
{
	const struct cal_activity_input *in = ctx->in;
	struct cal_event_input ein = {
		.has_name = true, .name = act->summary,
		.has_description = act->note != NULL, .description = act->note,
		.has_start = true, .start = in->start, .has_end = true, .end = in->end,
		.has_timezone = true, .timezone = in->has_timezone ? in->timezone : u->timezone,
		.has_res_model = true, .res_model = act->res_model,
		.has_res_id = true, .res_id = act->res_id,
	};
	int r = in->has_start ? 0 : default_times(ctx, act, u, &ein);
	const struct cal_principal host = cal_principal_of(u);
	struct cal_event *e;
	if (r < 0 || (r = event_prepare(ctx->app, ctx->arena, &host, &ein, ctx->err, &e)) < 0)
		return r;
	e->created_by = e->updated_by = ctx->who->user_id.s;
	struct event_ctx ectx = { .app = ctx->app, .arena = ctx->arena, .who = &host, .in = &ein,
				  .err = ctx->err, .event = e };
	if ((r = create_row(c, &ectx, e)) < 0)
		return r;
	int32_t due = event_date_for(ctx->app, e, u->timezone);
	if (in->has_due_date && due != act->due_date)
		return cal_error_field(ctx->err, "dueDate",
				       "must be the meeting's start date in the assignee's time zone, or left out");
	act->due_date = due;
	act->event_id = e->id;
	return 0;
}

static int create_body(struct store_conn *c, void *ctx_)
{
	struct activity_ctx *ctx = ctx_;
	const struct cal_activity_input *in = ctx->in;
	struct cal_activity *act = arena_calloc(ctx->arena, 1, sizeof *act);
	if (!act)
		return CAL_E_NOMEM;
	int64_t now = cal_clock_now(&ctx->app->clock);
	cal_uuid_new(&act->id);
	act->company_id = ctx->who->company_id;
	act->created_by = ctx->who->user_id.s;
	act->created_at = act->updated_at = now;
	act->version = 1;
	int r = cal_activity_apply(act, in, true, &ctx->app->config->limits, ctx->err);
	struct cal_user u;
	int found = company_user(c, ctx, "userId", in->has_user_id ? in->user_id : ctx->who->user_id.s, &u);
	if (found < 0 && found != CAL_E_INVALID)
		return found;
	if (r < 0 || found < 0)
		return CAL_E_INVALID;
	act->user_id = u.id;
	act->user_timezone = u.timezone;
	canonical_res_id(ctx->arena, act);
	if (act->type == CAL_ACTIVITY_MEETING && (r = create_meeting(c, ctx, act, &u)) < 0)
		return r;
	if ((r = store_activity_insert(c, act)) < 0)
		return r;
	*ctx->view = activity_view_of(ctx->app, act);
	return 0;
}

int activities_create(struct app *app, struct arena *a, const struct cal_principal *who,
		      const struct cal_activity_input *in, struct cal_error *err,
		      struct activity_view *ret)
{
	struct activity_view view;
	struct activity_ctx ctx = { .app = app, .arena = a, .who = who, .in = in, .err = err, .view = &view };
	int r = tx_run(app, true, create_body, &ctx);
	if (r == 0)
		*ret = view;
	return r;
}

static int get_body(struct store_conn *c, void *ctx_)
{
	struct activity_ctx *ctx = ctx_;
	struct cal_activity *act = arena_calloc(ctx->arena, 1, sizeof *act);
	if (!act)
		return CAL_E_NOMEM;
	int r = store_activity_get(c, ctx->arena, ctx->id, act);
	if (r < 0)
		return r;
	if (strcmp(act->company_id.s, ctx->who->company_id.s) != 0)
		return CAL_E_NOT_FOUND;
	*ctx->view = activity_view_of(ctx->app, act);
	return 0;
}

int activities_get(struct app *app, struct arena *a, const struct cal_principal *who, const char *id,
		   struct cal_error *err, struct activity_view *ret)
{
	struct activity_view view;
	struct activity_ctx ctx = { .app = app, .arena = a, .who = who, .err = err, .id = id, .view = &view };
	int r = tx_run(app, false, get_body, &ctx);
	if (r == 0)
		*ret = view;
	return r;
}

/* The event's start moved by `days` days of its own wall clock, as an
 * update input: dates for an all-day event, instants for a timed one. */
static int shifted_times(struct activity_ctx *ctx, const struct cal_event *e, int32_t days,
			 struct cal_event_input *ein)
{
	char *s = arena_alloc(ctx->arena, CAL_INSTANT_TEXT), *t = arena_alloc(ctx->arena, CAL_INSTANT_TEXT);
	if (!s || !t)
		return CAL_E_NOMEM;
	if (e->all_day) {
		cal_date_format(e->start_date + days, s);
		cal_date_format(e->end_date + days, t);
	} else {
		struct cal_civil local;
		int64_t year, start;
		const struct cal_tz *tz = zone_or_utc(ctx->app, e->timezone);
		if (cal_tz_utc_to_local(tz, e->start, &local) < 0)
			return cal_error_field(ctx->err, "dueDate", "is out of range");
		int64_t day = cal_civil_days_from_date(local.year, local.month, local.day) + days;
		cal_civil_date_from_days(day, &year, &local.month, &local.day);
		local.year = (int)year;
		if (cal_tz_local_to_utc(tz, &local, &start) < 0)
			return cal_error_field(ctx->err, "dueDate", "is out of range");
		cal_instant_format(start, s);
		cal_instant_format(start + (e->end - e->start), t);
	}
	ein->has_start = ein->has_end = true;
	ein->start = s;
	ein->end = t;
	return 0;
}

/* Brings an open meeting's event in step with a change of its activity:
 * a new due date moves the event by as many days, a new record relinks
 * it. The event is changed as its organizer would change it; its start
 * date for the (possibly new) assignee is the due date afterwards. */
static int sync_meeting(struct store_conn *c, struct activity_ctx *ctx, const struct cal_activity *old,
			struct cal_activity *act)
{
	if (!act->event_id.s[0] || act->done)
		return 0;
	struct cal_event e;
	int r = store_event_get(c, ctx->arena, act->event_id.s, &e);
	if (r == CAL_E_NOT_FOUND)
		return 0; /* gone (the schema unlinks): nothing to keep in step */
	if (r < 0)
		return r;
	struct cal_event_input ein = { 0 };
	if (act->due_date != old->due_date && (r = shifted_times(ctx, &e, act->due_date - old->due_date, &ein)) < 0)
		return r;
	if (strcmp(act->res_model, old->res_model) != 0 || strcmp(act->res_id, old->res_id) != 0) {
		ein.has_res_model = ein.has_res_id = true;
		ein.res_model = act->res_model;
		ein.res_id = act->res_id;
	}
	struct cal_event *moved = &e;
	if (ein.has_start || ein.has_res_model) {
		struct cal_user org;
		if ((r = store_user_get(c, ctx->arena, e.organizer_id.s, &org)) < 0)
			return r;
		const struct cal_principal host = cal_principal_of(&org);
		moved = arena_calloc(ctx->arena, 1, sizeof *moved);
		struct event_ctx ectx = { .app = ctx->app, .arena = ctx->arena, .who = &host, .in = &ein,
					  .err = ctx->err, .event = moved };
		if (!moved)
			return CAL_E_NOMEM;
		if ((r = update_row(c, &ectx, e.id.s, moved)) < 0 ||
		    (r = itip_after_change(c, &ectx, &e, moved, ein.has_start)) < 0)
			return r;
	}
	act->due_date = event_date_for(ctx->app, moved, act->user_timezone);
	return 0;
}

/* A meeting keeps its type, and nothing else becomes one: the event
 * belongs to the activity from its creation to its end. */
static int check_type_change(struct activity_ctx *ctx, const struct cal_activity *old)
{
	const struct cal_activity_input *in = ctx->in;
	if (in->has_type && (in->type == CAL_ACTIVITY_MEETING) != (old->type == CAL_ACTIVITY_MEETING))
		return cal_error_field(ctx->err, "activityType",
				       "cannot change to or from meeting: create a new activity instead");
	return 0;
}

static int update_body(struct store_conn *c, void *ctx_)
{
	struct activity_ctx *ctx = ctx_;
	const struct cal_activity_input *in = ctx->in;
	struct cal_activity old;
	int r = load_activity(c, ctx, &old);
	if (r < 0)
		return r;
	struct cal_activity *act = arena_alloc(ctx->arena, sizeof *act);
	if (!act)
		return CAL_E_NOMEM;
	*act = old;
	check_type_change(ctx, &old);
	cal_activity_apply(act, in, false, &ctx->app->config->limits, ctx->err);
	struct cal_user u;
	if (in->has_user_id && (r = company_user(c, ctx, "userId", in->user_id, &u)) == 0) {
		act->user_id = u.id;
		act->user_timezone = u.timezone;
	} else if (r < 0 && r != CAL_E_INVALID) {
		return r;
	}
	if (ctx->err->n_fields)
		return CAL_E_INVALID;
	canonical_res_id(ctx->arena, act);
	if ((r = sync_meeting(c, ctx, &old, act)) < 0)
		return r;
	/* Moving the event moved this activity too (activities_event_moved):
	 * write over that version. */
	struct cal_activity now;
	if ((r = store_activity_get(c, ctx->arena, old.id.s, &now)) < 0)
		return r;
	act->version = now.version + 1;
	act->updated_at = cal_clock_now(&ctx->app->clock);
	if ((r = store_activity_update(c, act, now.version)) < 0)
		return r;
	*ctx->view = activity_view_of(ctx->app, act);
	return 0;
}

int activities_update(struct app *app, struct arena *a, const struct cal_principal *who,
		      const char *id, const struct cal_activity_input *in, struct if_match match,
		      struct cal_error *err, struct activity_view *ret)
{
	struct activity_view view;
	struct activity_ctx ctx = { .app = app, .arena = a, .who = who, .in = in, .err = err, .id = id,
				    .match = match, .view = &view };
	int r = tx_run(app, true, update_body, &ctx);
	if (r == 0)
		*ret = view;
	return r;
}

static int done_body(struct store_conn *c, void *ctx_)
{
	struct activity_ctx *ctx = ctx_;
	struct cal_activity *act = arena_alloc(ctx->arena, sizeof *act);
	if (!act)
		return CAL_E_NOMEM;
	int r = load_activity(c, ctx, act);
	if (r < 0)
		return r;
	if (act->done) {
		*ctx->view = activity_view_of(ctx->app, act);
		return 0;
	}
	const char *fb = ctx->feedback;
	if (fb && *fb) {
		const char *note = act->note ? arena_printf(ctx->arena, "%s\n\n%s", act->note, fb) : fb;
		if (!note)
			return CAL_E_NOMEM;
		if (!cal_text_ok(note, ctx->app->config->limits.description_max, true))
			return cal_error_field(ctx->err, "feedback",
					       "must be valid UTF-8, and the note with it within the length limit");
		act->note = note;
	}
	int64_t was = act->version;
	act->done = true;
	act->done_at = act->updated_at = cal_clock_now(&ctx->app->clock);
	act->version = was + 1;
	if ((r = store_activity_update(c, act, was)) < 0)
		return r;
	*ctx->view = activity_view_of(ctx->app, act);
	return 0;
}

int activities_done(struct app *app, struct arena *a, const struct cal_principal *who,
		    const char *id, const char *feedback, struct if_match match,
		    struct cal_error *err, struct activity_view *ret)
{
	struct activity_view view;
	struct activity_ctx ctx = { .app = app, .arena = a, .who = who, .feedback = feedback, .err = err,
				    .id = id, .match = match, .view = &view };
	int r = tx_run(app, true, done_body, &ctx);
	if (r == 0)
		*ret = view;
	return r;
}

/* Deletes an open meeting's event as its organizer would: any other open
 * activity of it goes too, and its guests get a cancellation. */
static int delete_meeting(struct store_conn *c, struct activity_ctx *ctx, const char *event_id)
{
	struct cal_event e;
	int r = store_event_lock(c, event_id);
	if (r == 0)
		r = store_event_get(c, ctx->arena, event_id, &e);
	if (r == CAL_E_NOT_FOUND)
		return 0;
	if (r == 0)
		r = activities_event_deleted(c, ctx->arena, &e);
	if (r == 0)
		r = store_event_delete(c, e.id.s, e.version);
	struct event_ctx ectx = { .app = ctx->app, .arena = ctx->arena, .who = ctx->who, .err = ctx->err };
	return r < 0 ? r : itip_after_change(c, &ectx, &e, NULL, true);
}

static int delete_body(struct store_conn *c, void *ctx_)
{
	struct activity_ctx *ctx = ctx_;
	struct cal_activity act;
	int r = load_activity(c, ctx, &act);
	if (r < 0 || (r = store_activity_delete(c, act.id.s, act.version)) < 0)
		return r;
	return act.done || !act.event_id.s[0] ? 0 : delete_meeting(c, ctx, act.event_id.s);
}

int activities_delete(struct app *app, struct arena *a, const struct cal_principal *who,
		      const char *id, struct if_match match, struct cal_error *err)
{
	struct activity_ctx ctx = { .app = app, .arena = a, .who = who, .err = err, .id = id, .match = match };
	return tx_run(app, true, delete_body, &ctx);
}

/* The open activities linked to event `e`. */
static int open_of_event(struct store_conn *c, struct arena *a, const struct cal_event *e,
			 struct store_activity_page *ret)
{
	const struct store_activity_query q = { .company_id = e->company_id.s, .event_id = e->id.s,
						.done = STORE_DONE_NOT, .limit = EVENT_ACTIVITIES_MAX };
	return store_activities_list(c, a, &q, ret);
}

/* Locks activity `id` and reads it again: still open and linked to `e`? */
static int lock_linked(struct store_conn *c, struct arena *a, const char *id, const struct cal_event *e,
		       struct cal_activity *ret)
{
	int r = store_activity_lock(c, id);
	if (r == 0)
		r = store_activity_get(c, a, id, ret);
	if (r == 0 && (ret->done || strcmp(ret->event_id.s, e->id.s) != 0))
		r = CAL_E_NOT_FOUND;
	return r;
}

int activities_event_moved(struct store_conn *c, struct arena *a, struct app *app,
			   const struct cal_event *e)
{
	struct store_activity_page page;
	int r = open_of_event(c, a, e, &page);
	for (size_t i = 0; r == 0 && i < page.n; i++) {
		struct cal_activity act;
		r = lock_linked(c, a, page.items[i].id.s, e, &act);
		if (r == CAL_E_NOT_FOUND) {
			r = 0;
			continue;
		}
		int32_t due = event_date_for(app, e, act.user_timezone);
		if (r < 0 || due == act.due_date)
			continue;
		int64_t was = act.version;
		act.due_date = due;
		act.version = was + 1;
		act.updated_at = cal_clock_now(&app->clock);
		r = store_activity_update(c, &act, was);
	}
	return r;
}

int activities_event_deleted(struct store_conn *c, struct arena *a, const struct cal_event *e)
{
	struct store_activity_page page;
	int r = open_of_event(c, a, e, &page);
	for (size_t i = 0; r == 0 && i < page.n; i++) {
		struct cal_activity act;
		r = lock_linked(c, a, page.items[i].id.s, e, &act);
		if (r == 0)
			r = store_activity_delete(c, act.id.s, act.version);
		else if (r == CAL_E_NOT_FOUND)
			r = 0;
	}
	return r;
}

int activities_of_event(struct store_conn *c, struct arena *a, struct app *app,
			struct event_view *v)
{
	const struct cal_event *e = v->event;
	const struct store_activity_query q = { .company_id = e->company_id.s, .event_id = e->id.s,
						.limit = EVENT_ACTIVITIES_MAX };
	struct store_activity_page page;
	int r = store_activities_list(c, a, &q, &page);
	if (r < 0 || page.n == 0)
		return r;
	struct activity_view *list = arena_calloc(a, page.n, sizeof *list);
	if (!list)
		return CAL_E_NOMEM;
	for (size_t i = 0; i < page.n; i++)
		list[i] = activity_view_of(app, &page.items[i]);
	v->activities = list;
	v->n_activities = page.n;
	return 0;
}
