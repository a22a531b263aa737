/* Event use cases. Each public function validates what it can before the
 * transaction, then runs one transaction body that loads, checks access,
 * changes and stores. Bodies may run more than once (tx_run retries on a
 * conflict), so they rebuild their results from the ctx's inputs. */
#include "service/events.h"

#include <string.h>

#include "model/time.h"
#include "service/activities.h"
#include "service/alarms.h"
#include "service/appointments.h"
#include "service/directory.h"
#include "service/events_internal.h"
#include "service/itip.h"
#include "service/series.h"
#include "service/tx.h"

const struct cal_tz *resolve_zone(struct app *app, const char *name, struct cal_error *err)
{
	const struct cal_tz *tz = NULL;
	if (!name || !cal_tz_name_valid(name) || cal_tzdb_get(app->tzdb, name, &tz) < 0) {
		cal_error_field(err, "timezone", "is not a known IANA time zone, e.g. America/Mexico_City");
		return NULL;
	}
	return tz;
}

static const char *item_field(struct arena *a, size_t i, const char *name)
{
	const char *f = arena_printf(a, "attendees[%zu].%s", i, name);
	return f ? f : "attendees";
}

static const struct cal_attendee *find_by_email(const struct cal_event *old, const char *email)
{
	for (size_t i = 0; old && i < old->n_attendees; i++)
		if (strcmp(old->attendees[i].email, email) == 0)
			return &old->attendees[i];
	return NULL;
}

/* Fills identity (user/partner/e-mail/name) of one attendee from its input;
 * returns false with a field error when it names nobody of this company. */
static bool resolve_identity(struct store_conn *c, struct event_ctx *ctx, size_t i,
			     const struct cal_attendee_input *in, struct cal_attendee *at)
{
	struct arena *a = ctx->arena;
	const char *company = ctx->who->company_id.s;
	if (in->user_id) {
		struct cal_user u;
		if (!cal_uuid_valid(in->user_id) || store_user_get(c, a, in->user_id, &u) < 0 ||
		    strcmp(u.company_id.s, company) != 0) {
			cal_error_field(ctx->err, item_field(a, i, "userId"), "is not a user of this company");
			return false;
		}
		at->user_id = arena_strdup(a, u.id.s);
		at->email = u.email;
		at->display_name = u.name;
		return true;
	}
	if (in->partner_id) {
		struct cal_partner p;
		if (!cal_uuid_valid(in->partner_id) || store_partner_get(c, a, in->partner_id, &p) < 0 ||
		    strcmp(p.company_id.s, company) != 0 || !p.email) {
			cal_error_field(ctx->err, item_field(a, i, "partnerId"),
					"is not a partner of this company with an e-mail address");
			return false;
		}
		at->partner_id = arena_strdup(a, p.id.s);
		at->email = p.email;
		at->display_name = p.name;
		return true;
	}
	char *email = arena_strdup(a, in->email ? in->email : "");
	directory_fold_email(email);
	if (!cal_email_ok(email, ctx->app->config->limits.email_max)) {
		cal_error_field(ctx->err, item_field(a, i, "email"), "is not a valid e-mail address");
		return false;
	}
	at->email = email;
	at->display_name = email;
	/* A colleague invited by address still sees it in their calendar. */
	struct cal_user u;
	if (store_user_get_by_email(c, a, email, &u) == 0 && strcmp(u.company_id.s, company) == 0) {
		at->user_id = arena_strdup(a, u.id.s);
		at->display_name = u.name;
	}
	return true;
}

/* The organizer first (chair, accepted unless they answered otherwise),
 * then the listed attendees; identities resolved, e-mails merged, ids and
 * answers kept for people who were already invited. */
int resolve_attendees(struct store_conn *c, struct event_ctx *ctx,
			     const struct cal_event *old, struct cal_event *e)
{
	const struct cal_event_input *in = ctx->in;
	const struct cal_limits *lim = &ctx->app->config->limits;
	if (in->n_attendees + 1 > lim->attendees_max)
		return cal_error_field(ctx->err, "attendees", "too many attendees");
	struct cal_attendee *list = arena_calloc(ctx->arena, in->n_attendees + 1, sizeof *list);
	if (!list)
		return CAL_E_NOMEM;
	const struct cal_attendee *was = find_by_email(old, ctx->who->email);
	struct cal_attendee *org = &list[0];
	org->user_id = ctx->who->user_id.s;
	org->email = e->organizer_email;
	org->display_name = ctx->who->name;
	org->role = CAL_ROLE_CHAIR;
	org->state = was ? was->state : CAL_PARTSTAT_ACCEPTED;
	if (was)
		org->id = was->id;
	else
		cal_uuid_new(&org->id);
	if (old && strcmp(old->organizer_id.s, ctx->who->user_id.s) != 0) {
		/* An admin edits someone else's event: the organizer stays. */
		const struct cal_attendee *o = find_by_email(old, old->organizer_email);
		if (o)
			*org = *o;
	}

	size_t n = 1;
	for (size_t i = 0; i < in->n_attendees; i++) {
		const struct cal_attendee_input *ai = &in->attendees[i];
		struct cal_attendee *at = &list[n];
		if (!resolve_identity(c, ctx, i, ai, at))
			continue;
		if (ai->display_name) {
			if (!cal_text_ok(ai->display_name, lim->name_max, false)) {
				cal_error_field(ctx->err, item_field(ctx->arena, i, "displayName"), "is too long or not one line");
				continue;
			}
			at->display_name = ai->display_name;
		}
		const struct cal_attendee *prev = find_by_email(old, at->email);
		at->role = ai->role >= 0 ? (enum cal_role)ai->role : CAL_ROLE_REQUIRED;
		at->state = ai->state >= 0 ? (enum cal_partstat)ai->state
			  : prev	   ? prev->state
					   : CAL_PARTSTAT_NEEDS_ACTION;
		if (prev)
			at->id = prev->id;
		else
			cal_uuid_new(&at->id);
		n++;
	}
	if (ctx->err->n_fields)
		return CAL_E_INVALID;
	e->attendees = list;
	e->n_attendees = cal_attendees_dedupe(list, n);
	return 0;
}

void new_alarm_ids(struct cal_event *e)
{
	for (size_t i = 0; i < e->n_alarms; i++)
		cal_uuid_new(&e->alarms[i].id);
}

int event_row_insert(struct store_conn *c, struct event_ctx *ctx, struct cal_event *e)
{
	int r = alarms_arm(c, ctx->app, ctx->arena, e, cal_clock_now(&ctx->app->clock));
	return r < 0 ? r : store_event_insert(c, e);
}

int event_row_update(struct store_conn *c, struct event_ctx *ctx, struct cal_event *e,
		     int64_t expected_version)
{
	int r = alarms_arm(c, ctx->app, ctx->arena, e, cal_clock_now(&ctx->app->clock));
	return r < 0 ? r : store_event_update(c, e, expected_version);
}

int create_row(struct store_conn *c, struct event_ctx *ctx, struct cal_event *e)
{
	int r = resolve_attendees(c, ctx, NULL, e);
	return r < 0 ? r : event_row_insert(c, ctx, e);
}

static int create_body(struct store_conn *c, void *ctx_)
{
	struct event_ctx *ctx = ctx_;
	int r = create_row(c, ctx, ctx->event);
	if (r == 0 && ctx->notify)
		r = itip_after_change(c, ctx, NULL, ctx->event, true);
	return r;
}

int event_prepare(struct app *app, struct arena *a, const struct cal_principal *who,
		  const struct cal_event_input *in, struct cal_error *err, struct cal_event **ret)
{
	if (in->has_company_id && (!in->company_id || strcmp(in->company_id, who->company_id.s) != 0))
		cal_error_field(err, "companyId", "must be your own company");
	const struct cal_tz *tz = resolve_zone(app, in->has_timezone ? in->timezone : who->timezone, err);
	struct cal_event *e = arena_calloc(a, 1, sizeof *e);
	if (!e)
		return CAL_E_NOMEM;
	int64_t now = cal_clock_now(&app->clock);
	cal_uuid_new(&e->id);
	e->company_id = who->company_id;
	e->organizer_id = who->user_id;
	e->organizer_email = who->email;
	e->timezone = in->has_timezone ? in->timezone : who->timezone;
	e->privacy = CAL_PRIVACY_PUBLIC;
	e->show_as = CAL_SHOW_BUSY;
	e->created_by = e->updated_by = who->user_id.s;
	e->created_at = e->updated_at = now;
	e->version = 1;
	if (tz && cal_event_apply(e, in, true, tz, &app->config->limits, err) == 0)
		series_apply(app, a, e, in, true, err);
	if (err->n_fields)
		return CAL_E_INVALID;
	new_alarm_ids(e);
	e->ical_uid = arena_printf(a, "%s@calendard", e->id.s);
	*ret = e;
	return 0;
}

int events_create(struct app *app, struct arena *a, const struct cal_principal *who,
		  const struct cal_event_input *in, bool notify, struct cal_error *err,
		  struct event_view *ret)
{
	struct cal_event *e;
	int r = event_prepare(app, a, who, in, err, &e);
	if (r < 0)
		return r;
	struct event_ctx ctx = { .app = app, .arena = a, .who = who, .in = in, .err = err, .event = e,
				 .notify = notify };
	if ((r = tx_run(app, true, create_body, &ctx)) < 0)
		return r;
	*ret = (struct event_view){ .event = e, .view = CAL_VIEW_FULL };
	return 0;
}

int load_for_change(struct store_conn *c, struct event_ctx *ctx, const char *id,
		    struct cal_event *ret)
{
	int r = store_event_lock(c, id);
	if (r < 0)
		return r;
	struct cal_event e;
	if ((r = store_event_get(c, ctx->arena, id, &e)) < 0)
		return r;
	/* Exception rows are reached through their occurrence id only. */
	if (cal_acl_view(ctx->who, &e) == CAL_VIEW_NONE ||
	    (cal_event_is_exception(&e) && !ctx->allow_exception_rows))
		return CAL_E_NOT_FOUND;
	if (ctx->match.present && ctx->match.version != e.version)
		return cal_error_set(ctx->err, CAL_E_PRECONDITION, "the event changed since you read it");
	*ret = e;
	return 0;
}

int require_modify(struct event_ctx *ctx, const struct cal_event *e)
{
	if (cal_acl_can_modify(ctx->who, e))
		return 0;
	return cal_error_set(ctx->err, CAL_E_FORBIDDEN,
			     cal_acl_is_participant(ctx->who, e)
				     ? "attendees may only answer; only the organizer or a company admin may change the event"
				     : "only the organizer or a company admin may change the event");
}

/* Whether a change moves or reshapes the event for the people invited: the
 * iCalendar SEQUENCE counts those. */
static bool significant_change(const struct cal_event *old, const struct cal_event *e)
{
	return old->start != e->start || old->end != e->end || old->all_day != e->all_day ||
	       strcmp(old->timezone, e->timezone) != 0 || !old->location != !e->location ||
	       (old->location && strcmp(old->location, e->location) != 0) ||
	       !old->rrule != !e->rrule || (old->rrule && strcmp(old->rrule, e->rrule) != 0) ||
	       old->n_exdates != e->n_exdates;
}

int update_row(struct store_conn *c, struct event_ctx *ctx, const char *id, struct cal_event *ret)
{
	const struct cal_event_input *in = ctx->in;
	struct cal_event old;
	int r = load_for_change(c, ctx, id, &old);
	if (r < 0 || (r = require_modify(ctx, &old)) < 0)
		return r;
	if (in->has_company_id && (!in->company_id || strcmp(in->company_id, old.company_id.s) != 0))
		return cal_error_field(ctx->err, "companyId", "cannot be changed");
	if (in->has_recurrence && cal_event_is_exception(&old))
		return cal_error_field(ctx->err, "recurring", "one occurrence cannot become a series of its own");
	const char *zone = in->has_timezone ? in->timezone : old.timezone;
	const struct cal_tz *tz = resolve_zone(ctx->app, zone, ctx->err);
	if (!tz)
		return CAL_E_INVALID;
	struct cal_event *e = ret;
	*e = old;
	e->timezone = zone;
	if ((r = cal_event_apply(e, in, false, tz, &ctx->app->config->limits, ctx->err)) < 0)
		return r;
	if ((r = series_apply(ctx->app, ctx->arena, e, in, false, ctx->err)) < 0)
		return r;
	if (in->has_alarms)
		new_alarm_ids(e);
	if (in->has_attendees && (r = resolve_attendees(c, ctx, &old, e)) < 0)
		return r;
	e->version = old.version + 1;
	e->updated_at = cal_clock_now(&ctx->app->clock);
	e->updated_by = ctx->who->user_id.s;
	if (ctx->set_sequence)
		e->sequence = ctx->sequence;
	else if (significant_change(&old, e))
		e->sequence = old.sequence + 1;
	if ((r = event_row_update(c, ctx, e, old.version)) < 0)
		return r;
	if (old.start != e->start && (r = activities_event_moved(c, ctx->arena, ctx->app, e)) < 0)
		return r;
	if ((old.start != e->start || old.end != e->end) &&
	    (r = appointments_event_moved(c, ctx->app, ctx->arena, e)) < 0)
		return r == CAL_E_SLOT_TAKEN
			       ? cal_error_set(ctx->err, r, "this appointment would overlap another booking of its assignee")
			       : r;
	if (old.recurring && (!e->recurring || old.start != e->start || strcmp(old.rrule, e->rrule) != 0 ||
			      strcmp(old.timezone, e->timezone) != 0 || old.all_day != e->all_day))
		r = series_drop_orphans(c, ctx, e);
	return r;
}

enum cal_view view_of(const struct cal_principal *who, const struct cal_event *e)
{
	enum cal_view v = cal_acl_view(who, e);
	return v == CAL_VIEW_NONE ? CAL_VIEW_BUSY : v;
}

/* The result of a body: the event and, for occurrences, its public id. */
static void view_set(struct event_ctx *ctx, struct cal_event *e)
{
	*ctx->view = (struct event_view){ .event = e, .view = view_of(ctx->who, e) };
}

/* The event or series a change to `id` belongs to, as it is now (before
 * the change, for notify_after). CAL_E_NOT_FOUND is left to the change
 * itself to report. */
static int root_before(struct store_conn *c, struct event_ctx *ctx, struct cal_event **ret)
{
	*ret = NULL;
	if (!ctx->notify)
		return 0;
	struct occurrence_ref ref;
	const char *root = occurrence_ref_parse(ctx->id, &ref) ? ref.series.s : ctx->id;
	struct cal_event *e = arena_calloc(ctx->arena, 1, sizeof *e);
	if (!e)
		return CAL_E_NOMEM;
	int r = store_event_get(c, ctx->arena, root, e);
	if (r == 0 && !cal_event_is_exception(e))
		*ret = e;
	return r == CAL_E_NOT_FOUND ? 0 : r;
}

/* Whether an occurrence edit moves or reshapes it for the people invited. */
static bool significant_input(const struct cal_event_input *in)
{
	return in && (in->has_start || in->has_end || in->has_all_day || in->has_timezone ||
		      in->has_location || in->has_recurrence);
}

/* Invitations, updates and cancellations for a change already made. */
static int notify_after(struct store_conn *c, struct event_ctx *ctx, const struct cal_event *before,
			bool occurrence)
{
	if (!before)
		return 0;
	struct cal_event after;
	int r = store_event_get(c, ctx->arena, before->id.s, &after);
	if (r == CAL_E_NOT_FOUND)
		return itip_after_change(c, ctx, before, NULL, true);
	if (r < 0)
		return r;
	bool significant = after.sequence != before->sequence || after.n_exdates != before->n_exdates ||
			   (occurrence && significant_input(ctx->in)) || (occurrence && !ctx->in);
	return itip_after_change(c, ctx, before, &after, significant);
}

static int update_body_view(struct store_conn *c, void *ctx_)
{
	struct event_ctx *ctx = ctx_;
	struct cal_event *before;
	int r = root_before(c, ctx, &before);
	if (r < 0)
		return r;
	struct occurrence_ref ref;
	bool occurrence = occurrence_ref_parse(ctx->id, &ref);
	if (occurrence) {
		r = occurrence_update(c, ctx, &ref);
	} else if ((r = update_row(c, ctx, ctx->id, ctx->event)) == 0) {
		view_set(ctx, ctx->event);
	}
	return r < 0 ? r : notify_after(c, ctx, before, occurrence);
}

int events_update(struct app *app, struct arena *a, const struct cal_principal *who, const char *id,
		  enum event_scope scope, const struct cal_event_input *in, struct if_match match,
		  bool notify, struct cal_error *err, struct event_view *ret)
{
	struct cal_event *e = arena_calloc(a, 1, sizeof *e);
	struct event_view view;
	if (!e)
		return CAL_E_NOMEM;
	struct event_ctx ctx = { .app = app, .arena = a, .who = who, .in = in, .err = err, .id = id,
				 .scope = scope, .match = match, .event = e, .view = &view, .notify = notify };
	int r = tx_run(app, true, update_body_view, &ctx);
	if (r < 0)
		return r;
	*ret = view;
	return 0;
}

static int delete_body(struct store_conn *c, void *ctx_)
{
	struct event_ctx *ctx = ctx_;
	struct cal_event *before;
	int r = root_before(c, ctx, &before);
	if (r < 0)
		return r;
	struct occurrence_ref ref;
	bool occurrence = occurrence_ref_parse(ctx->id, &ref);
	if (occurrence) {
		r = occurrence_delete(c, ctx, &ref);
	} else {
		struct cal_event old;
		r = load_for_change(c, ctx, ctx->id, &old);
		if (r == 0)
			r = require_modify(ctx, &old);
		if (r == 0)
			r = activities_event_deleted(c, ctx->arena, &old);
		if (r == 0)
			r = appointments_event_deleted(c, ctx->arena, &old);
		if (r == 0)
			r = store_event_delete(c, ctx->id, old.version);
	}
	return r < 0 ? r : notify_after(c, ctx, before, occurrence);
}

int events_delete(struct app *app, struct arena *a, const struct cal_principal *who, const char *id,
		  enum event_scope scope, struct if_match match, bool notify, struct cal_error *err)
{
	struct event_ctx ctx = { .app = app, .arena = a, .who = who, .err = err, .id = id,
				 .scope = scope, .match = match, .notify = notify };
	return tx_run(app, true, delete_body, &ctx);
}

/* An answer to a series, or to the series an occurrence belongs to. */
int answer_row(struct store_conn *c, struct event_ctx *ctx, struct cal_event *e,
	       struct cal_attendee *at, enum cal_partstat answer)
{
	int64_t was = e->version;
	at->state = answer;
	e->version = was + 1;
	e->updated_at = cal_clock_now(&ctx->app->clock);
	int r = event_row_update(c, ctx, e, was);
	return r < 0 ? r : itip_answered(c, ctx->app, ctx->arena, e, at);
}

static int respond_body(struct store_conn *c, void *ctx_)
{
	struct event_ctx *ctx = ctx_;
	struct cal_event *e = ctx->event;
	struct occurrence_ref ref;
	const char *id = occurrence_ref_parse(ctx->id, &ref) ? ref.series.s : ctx->id;
	int r = load_for_change(c, ctx, id, e);
	if (r < 0)
		return r;
	struct cal_attendee *mine = NULL;
	for (size_t i = 0; i < e->n_attendees && !mine; i++)
		if (e->attendees[i].user_id && strcmp(e->attendees[i].user_id, ctx->who->user_id.s) == 0)
			mine = &e->attendees[i];
	if (!mine)
		return cal_error_set(ctx->err, CAL_E_FORBIDDEN, "you are not an attendee of this event");
	return answer_row(c, ctx, e, mine, ctx->answer);
}

int events_respond(struct app *app, struct arena *a, const struct cal_principal *who,
		   const char *id, enum cal_partstat answer, struct cal_error *err,
		   struct event_view *ret)
{
	struct cal_event *e = arena_calloc(a, 1, sizeof *e);
	if (!e)
		return CAL_E_NOMEM;
	struct event_ctx ctx = { .app = app, .arena = a, .who = who, .err = err, .id = id,
				 .answer = answer, .event = e };
	int r = tx_run(app, true, respond_body, &ctx);
	if (r < 0)
		return r;
	*ret = (struct event_view){ .event = e, .view = CAL_VIEW_FULL };
	return 0;
}

static int get_body(struct store_conn *c, void *ctx_)
{
	struct event_ctx *ctx = ctx_;
	struct occurrence_ref ref;
	if (occurrence_ref_parse(ctx->id, &ref))
		return occurrence_get(c, ctx, &ref);
	int r = store_event_get(c, ctx->arena, ctx->id, ctx->event);
	if (r < 0)
		return r;
	if (cal_acl_view(ctx->who, ctx->event) == CAL_VIEW_NONE || cal_event_is_exception(ctx->event))
		return CAL_E_NOT_FOUND;
	*ctx->view = (struct event_view){ .event = ctx->event, .view = cal_acl_view(ctx->who, ctx->event) };
	return ctx->view->view == CAL_VIEW_FULL ? activities_of_event(c, ctx->arena, ctx->app, ctx->view) : 0;
}

int events_get(struct app *app, struct arena *a, const struct cal_principal *who, const char *id,
	       struct cal_error *err, struct event_view *ret)
{
	struct cal_event *e = arena_calloc(a, 1, sizeof *e);
	struct event_view view;
	if (!e)
		return CAL_E_NOMEM;
	struct event_ctx ctx = { .app = app, .arena = a, .who = who, .err = err, .id = id, .event = e,
				 .view = &view };
	int r = tx_run(app, false, get_body, &ctx);
	if (r < 0)
		return r;
	*ret = view;
	return 0;
}
