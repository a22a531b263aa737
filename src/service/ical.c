/* iCalendar use cases: events ⇄ the neutral structs of model/ics.h. */
#include "service/ical.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/crypto.h"
#include "model/ics.h"
#include "model/time.h"
#include "service/activities.h"
#include "service/directory.h"
#include "service/events_internal.h"
#include "service/series.h"
#include "service/tx.h"

enum { FEED_SECRET_BYTES = 24, FEED_PAST_DAYS = 60, FEED_FUTURE_DAYS = 400, EXPORT_PAGE = 500 };

/* ---------------------------------------------------------------- export */

static int ics_time_of(struct app *app, const struct cal_event *e, int64_t t, struct cal_ics_time *ret)
{
	if (e->all_day)
		return cal_ics_time_make(CAL_ICS_DATE, t, NULL, ret);
	const struct cal_tz *tz;
	if (cal_tzdb_get(app->tzdb, e->timezone, &tz) < 0)
		return cal_ics_time_make(CAL_ICS_UTC, t, NULL, ret);
	return cal_ics_time_make(CAL_ICS_ZONED, t, tz, ret);
}

static const char *const partstat_names[] = { "NEEDS-ACTION", "TENTATIVE", "ACCEPTED", "DECLINED" };
static const char *const role_names[] = { "REQ-PARTICIPANT", "OPT-PARTICIPANT", "CHAIR" };
static const char *const class_names[] = { "PUBLIC", "PRIVATE", "CONFIDENTIAL" };

static void people_to_ics(struct arena *a, const struct cal_event *e, struct cal_ics_event *x)
{
	x->organizer_email = e->organizer_email;
	x->attendees = arena_calloc(a, e->n_attendees + 1, sizeof *x->attendees);
	for (size_t i = 0; x->attendees && i < e->n_attendees; i++) {
		const struct cal_attendee *at = &e->attendees[i];
		if (at->role == CAL_ROLE_CHAIR && e->organizer_email && strcmp(at->email, e->organizer_email) == 0)
			x->organizer_name = at->display_name;
		x->attendees[x->n_attendees++] = (struct cal_ics_attendee){
			.email = at->email, .name = at->display_name, .partstat = partstat_names[at->state],
			.role = role_names[at->role],
			.rsvp = at->state == CAL_PARTSTAT_NEEDS_ACTION && at->role != CAL_ROLE_CHAIR };
	}
	x->alarms = arena_calloc(a, e->n_alarms + 1, sizeof *x->alarms);
	for (size_t i = 0; x->alarms && i < e->n_alarms; i++)
		x->alarms[x->n_alarms++] = (struct cal_ics_alarm){
			.action = e->alarms[i].type == CAL_ALARM_EMAIL ? "EMAIL" : "DISPLAY",
			.minutes_before = cal_alarm_minutes(&e->alarms[i]) };
}

/* The VEVENT of a row; `busy` keeps only what a busy block shows. */
static int event_to_ics(struct app *app, struct arena *a, const struct cal_event *e,
			const char *uid, bool busy, struct cal_ics_event *x)
{
	*x = (struct cal_ics_event){ .uid = uid, .sequence = e->sequence,
				     .klass = class_names[e->privacy],
				     .transp = e->show_as == CAL_SHOW_FREE ? "TRANSPARENT" : "OPAQUE",
				     .last_modified = e->updated_at, .dtstamp = e->updated_at };
	int64_t s = e->all_day ? (int64_t)e->start_date * 86400 : e->start;
	int64_t t = e->all_day ? (int64_t)e->end_date * 86400 : e->end;
	int r = ics_time_of(app, e, s, &x->start);
	if (r == 0)
		r = ics_time_of(app, e, t, &x->end);
	if (r == 0 && cal_event_is_exception(e)) {
		x->has_recurrence_id = true;
		r = ics_time_of(app, e, e->original_start, &x->recurrence_id);
	}
	if (r == 0 && e->recurring) {
		x->rrule = e->rrule;
		x->exdates = arena_calloc(a, e->n_exdates + 1, sizeof *x->exdates);
		for (size_t i = 0; r == 0 && x->exdates && i < e->n_exdates; i++)
			r = ics_time_of(app, e, e->exdates[i], &x->exdates[x->n_exdates++]);
	}
	if (busy) {
		x->summary = "Busy";
		return r;
	}
	x->summary = e->name;
	x->description = e->description;
	x->location = e->location;
	people_to_ics(a, e, x);
	return r;
}

static const char *uid_of(struct arena *a, const struct cal_event *e)
{
	return e->ical_uid ? e->ical_uid : arena_printf(a, "%s@calendard", e->id.s);
}

struct ics_list {
	struct cal_ics_event *items;
	size_t n, alloc;
};

static struct cal_ics_event *ics_push(struct arena *a, struct ics_list *l)
{
	struct cal_ics_event *items = arena_grow(a, l->items, l->n, &l->alloc, sizeof *items);
	if (!items)
		return NULL;
	l->items = items;
	return &l->items[l->n++];
}

/* A single event, or a series followed by all its exceptions. */
static int add_event(struct store_conn *c, struct app *app, struct arena *a,
		     const struct cal_principal *who, const struct cal_event *e, struct ics_list *out)
{
	enum cal_view view = cal_acl_view(who, e);
	if (view == CAL_VIEW_NONE)
		return 0;
	const char *uid = uid_of(a, e);
	struct cal_ics_event *x = ics_push(a, out);
	int r = x ? event_to_ics(app, a, e, uid, view != CAL_VIEW_FULL, x) : CAL_E_NOMEM;
	if (r < 0 || !e->recurring)
		return r;
	struct store_event_page ex;
	if ((r = store_exceptions(c, a, e->id.s, INT64_MIN, INT64_MAX, &ex)) < 0)
		return r;
	for (size_t i = 0; r == 0 && i < ex.n; i++) {
		x = ics_push(a, out);
		r = x ? event_to_ics(app, a, &ex.items[i], uid, view != CAL_VIEW_FULL, x) : CAL_E_NOMEM;
	}
	return r;
}

static int write_calendar(struct app *app, const struct ics_list *l, struct strbuf *out,
			  struct cal_error *err)
{
	struct cal_ics_calendar cal = { .method = "PUBLISH", .events = l->items, .n_events = l->n };
	return cal_ics_write(&cal, app->tzdb, out, err);
}

int ical_itip(struct store_conn *c, struct app *app, struct arena *a, const struct cal_event *e,
	      const char *method, const char **ret_text)
{
	struct ics_list list = { 0 };
	bool cancel = strcmp(method, "CANCEL") == 0;
	const char *uid = uid_of(a, e);
	struct cal_ics_event *x = ics_push(a, &list);
	int r = x ? event_to_ics(app, a, e, uid, false, x) : CAL_E_NOMEM;
	if (r < 0)
		return r;
	/* An organizer's copy carries no alarms: those are each reader's own. */
	x->n_alarms = 0;
	if (cancel) {
		x->cancelled = true;
		x->sequence = e->sequence + 1;
	} else if (e->recurring) {
		struct store_event_page ex;
		if ((r = store_exceptions(c, a, e->id.s, INT64_MIN, INT64_MAX, &ex)) < 0)
			return r;
		for (size_t i = 0; r == 0 && i < ex.n; i++) {
			struct cal_ics_event *y = ics_push(a, &list);
			r = y ? event_to_ics(app, a, &ex.items[i], uid, false, y) : CAL_E_NOMEM;
			if (y)
				y->n_alarms = 0;
		}
		if (r < 0)
			return r;
	}
	for (size_t k = 0; k < list.n; k++)
		for (size_t i = 0; i < list.items[k].n_attendees; i++) {
			struct cal_ics_attendee *at = &list.items[k].attendees[i];
			at->rsvp = !cancel && strcmp(at->role, "CHAIR") != 0;
		}
	struct cal_ics_calendar cal = { .method = method, .events = list.items, .n_events = list.n };
	struct strbuf out = STRBUF_INIT(4 * 1024 * 1024);
	struct cal_error err = { 0 };
	if ((r = cal_ics_write(&cal, app->tzdb, &out, &err)) < 0) {
		strbuf_release(&out);
		return r;
	}
	const char *text = arena_strdup(a, strbuf_str(&out));
	strbuf_release(&out);
	if (!text)
		return CAL_E_NOMEM;
	*ret_text = text;
	return 0;
}

struct export_ctx {
	struct app *app;
	struct arena *arena;
	const struct cal_principal *who;
	const char *id;
	int64_t from, to;
	struct cal_error *err;
	struct ics_list list;
};

static int export_event_body(struct store_conn *c, void *ctx_)
{
	struct export_ctx *ctx = ctx_;
	ctx->list = (struct ics_list){ 0 };
	struct occurrence_ref ref;
	const char *id = occurrence_ref_parse(ctx->id, &ref) ? ref.series.s : ctx->id;
	struct cal_event e;
	int r = store_event_get(c, ctx->arena, id, &e);
	if (r < 0)
		return r;
	if (cal_acl_view(ctx->who, &e) == CAL_VIEW_NONE || cal_event_is_exception(&e))
		return CAL_E_NOT_FOUND;
	return add_event(c, ctx->app, ctx->arena, ctx->who, &e, &ctx->list);
}

int ical_export_event(struct app *app, struct arena *a, const struct cal_principal *who,
		      const char *id, struct strbuf *out, struct cal_error *err)
{
	struct export_ctx ctx = { .app = app, .arena = a, .who = who, .id = id, .err = err };
	int r = tx_run(app, false, export_event_body, &ctx);
	return r < 0 ? r : write_calendar(app, &ctx.list, out, err);
}

static bool seen_before(const char **ids, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(ids[i], id) == 0)
			return true;
	return false;
}

/* Every single event and series of the caller in the window; an exception
 * found on its own brings its series. */
static int export_range_body(struct store_conn *c, void *ctx_)
{
	struct export_ctx *ctx = ctx_;
	ctx->list = (struct ics_list){ 0 };
	const char *users[1] = { ctx->who->user_id.s };
	struct store_event_query q = { .company_id = ctx->who->company_id.s, .user_ids = users,
				       .n_user_ids = 1, .from = ctx->from, .to = ctx->to,
				       .limit = EXPORT_PAGE };
	const char **series = NULL;
	size_t n_series = 0, cap = 0;
	for (int pass = 0; pass < 2; pass++) {
		q.series = pass == 1;
		q.has_cursor = false;
		/* Series have no cursor: all of them at once, or an error, never
		 * a silently shorter calendar. */
		q.limit = q.series ? ctx->app->config->limits.series_max : EXPORT_PAGE;
		struct store_event_page page;
		do {
			int r = store_events_range(c, ctx->arena, &q, &page);
			if (r < 0)
				return r;
			for (size_t i = 0; i < page.n; i++) {
				struct cal_event *e = &page.items[i];
				/* A copy: *e is replaced by its series below. */
				const char *sid = arena_strdup(ctx->arena, cal_event_is_exception(e) ? e->master_id.s : e->id.s);
				if (!sid)
					return CAL_E_NOMEM;
				if (cal_event_is_exception(e) || e->recurring) {
					if (seen_before(series, n_series, sid))
						continue;
					if (n_series == cap) {
						cap = cap ? 2 * cap : 16;
						const char **bigger = arena_calloc(ctx->arena, cap, sizeof *bigger);
						if (!bigger)
							return CAL_E_NOMEM;
						if (n_series)
							memcpy(bigger, series, n_series * sizeof *bigger);
						series = bigger;
					}
					series[n_series++] = sid;
					if (cal_event_is_exception(e) && (r = store_event_get(c, ctx->arena, sid, e)) < 0)
						return r;
				}
				if ((r = add_event(c, ctx->app, ctx->arena, ctx->who, e, &ctx->list)) < 0)
					return r;
			}
			if (page.n) {
				q.has_cursor = true;
				q.cursor_start = page.items[page.n - 1].start;
				q.cursor_id = page.items[page.n - 1].id.s;
			}
			if (page.more && q.series)
				return cal_error_set(ctx->err, CAL_E_INVALID,
						     "too many recurring series in this window: narrow it");
		} while (page.more);
	}
	return 0;
}

int ical_export_range(struct app *app, struct arena *a, const struct cal_principal *who,
		      const char *from, const char *to, struct strbuf *out, struct cal_error *err)
{
	struct export_ctx ctx = { .app = app, .arena = a, .who = who, .err = err };
	int r = window_parse(app, who, from, to, &ctx.from, &ctx.to, err);
	if (r == 0)
		r = tx_run(app, false, export_range_body, &ctx);
	return r < 0 ? r : write_calendar(app, &ctx.list, out, err);
}

/* ---------------------------------------------------------------- import */

struct report_list {
	struct ical_import_item *items;
	size_t n, alloc;
};

struct import_ctx {
	struct app *app;
	struct arena *arena;
	const struct cal_principal *who;
	const struct cal_ics_calendar *cal;
	struct report_list created, updated, skipped;
};

static void report(struct import_ctx *ctx, struct report_list *l, const char *uid, const char *id,
		   const char *reason)
{
	struct ical_import_item *items = arena_grow(ctx->arena, l->items, l->n, &l->alloc, sizeof *items);
	if (!items)
		return;
	l->items = items;
	l->items[l->n++] = (struct ical_import_item){ uid, id ? arena_strdup(ctx->arena, id) : NULL, reason };
}

static const char *time_text(struct arena *a, const struct cal_ics_time *t)
{
	char *text = arena_alloc(a, CAL_INSTANT_TEXT);
	if (!text)
		return NULL;
	if (t->kind == CAL_ICS_DATE)
		cal_date_format((int32_t)(t->utc / 86400), text);
	else
		cal_instant_format(t->utc, text);
	return text;
}

static int partstat_of(const char *s)
{
	for (int i = 0; s && i < 4; i++)
		if (strcmp(s, partstat_names[i]) == 0)
			return i;
	return -1;
}

static int role_of(const char *s)
{
	for (int i = 0; s && i < 3; i++)
		if (strcmp(s, role_names[i]) == 0)
			return i;
	return -1;
}

/* Minutes before → the largest unit that says it exactly. */
static struct cal_alarm alarm_of(const struct cal_ics_alarm *x)
{
	struct cal_alarm al = { .type = x->action && strcmp(x->action, "EMAIL") == 0 ? CAL_ALARM_EMAIL
										    : CAL_ALARM_NOTIFICATION };
	int64_t m = x->minutes_before;
	static const int64_t per[] = { 7 * 24 * 60, 24 * 60, 60, 1 };
	static const enum cal_interval_unit units[] = { CAL_UNIT_WEEKS, CAL_UNIT_DAYS, CAL_UNIT_HOURS, CAL_UNIT_MINUTES };
	for (int i = 0; i < 4; i++)
		if (m % per[i] == 0) {
			al.interval_value = (int32_t)(m / per[i]);
			al.interval_unit = units[i];
			break;
		}
	cal_uuid_new(&al.id);
	return al;
}

/* Calendars put line breaks in titles and places; here they are one line. */
static const char *one_line(struct arena *a, const char *s)
{
	if (!s || !strpbrk(s, "\r\n"))
		return s;
	char *out = arena_strdup(a, s);
	for (char *p = out; p && *p; p++)
		if (*p == '\r' || *p == '\n')
			*p = p[1] == '\n' || p[1] == '\0' ? ' ' : ',';
	return out;
}

/* The VEVENT as a client's input: the same rules as the API apply. */
static int input_of(struct import_ctx *ctx, const struct cal_ics_event *x, struct cal_event_input *in)
{
	struct arena *a = ctx->arena;
	*in = (struct cal_event_input){ .has_name = true, .has_description = true, .has_location = true,
					.has_start = true, .has_end = true, .has_all_day = true,
					.has_timezone = true, .has_privacy = true, .has_show_as = true,
					.has_attendees = true, .has_alarms = true };
	in->name = x->summary && *x->summary ? one_line(a, x->summary) : "(sin título)";
	in->description = x->description;
	in->location = one_line(a, x->location);
	in->all_day = x->start.kind == CAL_ICS_DATE;
	in->start = time_text(a, &x->start);
	in->end = time_text(a, &x->end);
	in->timezone = x->start.tzid ? x->start.tzid
		       : x->start.kind == CAL_ICS_UTC ? "UTC"
		       : ctx->cal->default_tzid ? ctx->cal->default_tzid
						: ctx->who->timezone;
	int privacy = x->klass && strcmp(x->klass, "PRIVATE") == 0	    ? CAL_PRIVACY_PRIVATE
		      : x->klass && strcmp(x->klass, "CONFIDENTIAL") == 0 ? CAL_PRIVACY_CONFIDENTIAL
									  : CAL_PRIVACY_PUBLIC;
	in->privacy = privacy;
	in->show_as = x->transp && strcmp(x->transp, "TRANSPARENT") == 0 ? CAL_SHOW_FREE : CAL_SHOW_BUSY;
	in->attendees = arena_calloc(a, x->n_attendees + 2, sizeof *in->attendees);
	in->alarms = arena_calloc(a, x->n_alarms + 1, sizeof *in->alarms);
	if (!in->attendees || !in->alarms || !in->start || !in->end)
		return CAL_E_NOMEM;
	for (size_t i = 0; i < x->n_attendees; i++) {
		const struct cal_ics_attendee *at = &x->attendees[i];
		if (!at->email)
			continue;
		in->attendees[in->n_attendees++] = (struct cal_attendee_input){
			.email = at->email, .display_name = at->name, .role = role_of(at->role),
			.state = partstat_of(at->partstat) };
	}
	/* An organizer from elsewhere stays among the people invited. */
	if (x->organizer_email && strcasecmp(x->organizer_email, ctx->who->email) != 0)
		in->attendees[in->n_attendees++] = (struct cal_attendee_input){
			.email = x->organizer_email, .display_name = x->organizer_name,
			.role = CAL_ROLE_REQUIRED, .state = CAL_PARTSTAT_ACCEPTED };
	for (size_t i = 0; i < x->n_alarms; i++)
		if (x->alarms[i].minutes_before >= 0)
			in->alarms[in->n_alarms++] = alarm_of(&x->alarms[i]);
	if (x->rrule) {
		in->has_recurrence = in->recurring = true;
		in->rrule = x->rrule;
		in->has_exdates = true;
		in->exdates = arena_calloc(a, x->n_exdates + 1, sizeof *in->exdates);
		for (size_t i = 0; in->exdates && i < x->n_exdates; i++)
			in->exdates[in->n_exdates++] = time_text(a, &x->exdates[i]);
	}
	return 0;
}

static const char *why(struct import_ctx *ctx, const struct cal_error *err, int r)
{
	if (err->n_fields)
		return arena_printf(ctx->arena, "%s %s", err->fields[0].field, err->fields[0].detail);
	return err->detail ? err->detail : cal_error_title(r);
}

/* Client errors skip one VEVENT; store errors abort the whole import. */
static bool fatal(int r)
{
	return r == CAL_E_STORE || r == CAL_E_NOMEM || r == CAL_E_BUSY || r == CAL_E_CONFLICT ||
	       r == CAL_E_INTERNAL;
}

static int import_master(struct store_conn *c, struct import_ctx *ctx, const struct cal_ics_event *x)
{
	struct cal_event_input in;
	struct cal_error err = { 0 };
	struct cal_event old, *e = arena_calloc(ctx->arena, 1, sizeof *e);
	int r = e ? input_of(ctx, x, &in) : CAL_E_NOMEM;
	if (r < 0)
		return r;
	struct event_ctx ectx = { .app = ctx->app, .arena = ctx->arena, .who = ctx->who, .in = &in,
				  .err = &err, .event = e, .set_sequence = true, .sequence = x->sequence };
	r = store_event_get_by_uid(c, ctx->arena, ctx->who->company_id.s, x->uid, &old);
	if (r == CAL_E_NOT_FOUND) {
		if (x->cancelled) {
			report(ctx, &ctx->skipped, x->uid, NULL, "cancelled, and not in this calendar");
			return 0;
		}
		struct cal_event *fresh;
		r = event_prepare(ctx->app, ctx->arena, ctx->who, &in, &err, &fresh);
		if (r == 0) {
			fresh->ical_uid = x->uid;
			fresh->sequence = x->sequence;
			r = create_row(c, &ectx, fresh);
		}
		if (r == 0)
			report(ctx, &ctx->created, x->uid, fresh->id.s, NULL);
	} else if (r == 0) {
		if (!cal_acl_can_modify(ctx->who, &old) || cal_acl_view(ctx->who, &old) == CAL_VIEW_NONE) {
			report(ctx, &ctx->skipped, x->uid, NULL, "an event with this UID belongs to another organizer");
			return 0;
		}
		if (x->sequence <= old.sequence && !x->cancelled) {
			report(ctx, &ctx->skipped, x->uid, old.id.s,
			       arena_printf(ctx->arena, "unchanged: SEQUENCE %lld is not newer", (long long)x->sequence));
			return 0;
		}
		r = x->cancelled ? activities_event_deleted(c, ctx->arena, &old) : 0;
		if (r == 0)
			r = x->cancelled ? store_event_delete(c, old.id.s, old.version) : update_row(c, &ectx, old.id.s, e);
		if (r == 0)
			report(ctx, &ctx->updated, x->uid, old.id.s, x->cancelled ? "cancelled: deleted" : NULL);
	}
	if (r < 0 && !fatal(r)) {
		report(ctx, &ctx->skipped, x->uid, NULL, why(ctx, &err, r));
		return 0;
	}
	return r;
}

/* A RECURRENCE-ID VEVENT: one occurrence of a series imported before. */
static int import_override(struct store_conn *c, struct import_ctx *ctx, const struct cal_ics_event *x)
{
	struct cal_event master;
	int r = store_event_get_by_uid(c, ctx->arena, ctx->who->company_id.s, x->uid, &master);
	if (r == CAL_E_NOT_FOUND || (r == 0 && !master.recurring)) {
		report(ctx, &ctx->skipped, x->uid, NULL, "RECURRENCE-ID without a series of that UID");
		return 0;
	}
	if (r < 0)
		return r;
	struct occurrence_ref ref = { .series = master.id, .original_start = x->recurrence_id.utc };
	struct store_event_page ex;
	if ((r = store_exceptions(c, ctx->arena, master.id.s, ref.original_start, ref.original_start + 1, &ex)) < 0)
		return r;
	const char *id = occurrence_id_format(ctx->arena, master.id.s, ref.original_start);
	if (ex.n && x->sequence <= ex.items[0].sequence && !x->cancelled) {
		report(ctx, &ctx->skipped, x->uid, id, "unchanged occurrence: SEQUENCE is not newer");
		return 0;
	}
	struct cal_event_input in;
	struct cal_error err = { 0 };
	struct event_view view;
	struct cal_event *e = arena_calloc(ctx->arena, 1, sizeof *e);
	if (!e || (r = input_of(ctx, x, &in)) < 0)
		return CAL_E_NOMEM;
	in.has_recurrence = false;
	struct event_ctx ectx = { .app = ctx->app, .arena = ctx->arena, .who = ctx->who, .in = &in,
				  .err = &err, .scope = SCOPE_THIS, .event = e, .view = &view,
				  .set_sequence = true, .sequence = x->sequence };
	r = x->cancelled ? occurrence_delete(c, &ectx, &ref) : occurrence_update(c, &ectx, &ref);
	if (r == 0)
		report(ctx, ex.n ? &ctx->updated : &ctx->created, x->uid, id, x->cancelled ? "occurrence cancelled" : NULL);
	else if (!fatal(r))
		report(ctx, &ctx->skipped, x->uid, id,
		       r == CAL_E_NOT_FOUND ? "RECURRENCE-ID is not an occurrence of the series" : why(ctx, &err, r));
	return fatal(r) ? r : 0;
}

static int import_body(struct store_conn *c, void *ctx_)
{
	struct import_ctx *ctx = ctx_;
	ctx->created = ctx->updated = ctx->skipped = (struct report_list){ 0 };
	int r = 0;
	/* Series before their overrides, whatever the file's order. */
	for (size_t i = 0; r == 0 && i < ctx->cal->n_events; i++)
		if (!ctx->cal->events[i].has_recurrence_id)
			r = import_master(c, ctx, &ctx->cal->events[i]);
	for (size_t i = 0; r == 0 && i < ctx->cal->n_events; i++)
		if (ctx->cal->events[i].has_recurrence_id)
			r = import_override(c, ctx, &ctx->cal->events[i]);
	return r;
}

int ical_import(struct app *app, struct arena *a, const struct cal_principal *who,
		const char *text, size_t len, struct ical_import_report *ret, struct cal_error *err)
{
	struct cal_ics_limits lim = CAL_ICS_LIMITS_DEFAULT;
	lim.attendees_max = app->config->limits.attendees_max;
	lim.alarms_max = app->config->limits.alarms_max;
	struct cal_ics_calendar cal;
	int r = cal_ics_parse(text, len, &lim, app->tzdb, a, &cal, err);
	if (r < 0)
		return r;
	struct import_ctx ctx = { .app = app, .arena = a, .who = who, .cal = &cal };
	if ((r = tx_run(app, true, import_body, &ctx)) < 0)
		return r;
	for (size_t i = 0; i < cal.n_skipped; i++)
		report(&ctx, &ctx.skipped, NULL, NULL,
		       arena_printf(a, "line %u: %s: %s", cal.skipped[i].line, cal.skipped[i].component,
				    cal.skipped[i].reason));
	*ret = (struct ical_import_report){ ctx.created.items, ctx.updated.items, ctx.skipped.items,
					    ctx.created.n, ctx.updated.n, ctx.skipped.n };
	return 0;
}

/* ------------------------------------------------------------------ feed */

struct feed_ctx {
	struct app *app;
	struct arena *arena;
	const struct cal_principal *who;
	const char *hash;
	const char *user_id;
	bool revoke;
};

static int feed_body(struct store_conn *c, void *ctx_)
{
	struct feed_ctx *ctx = ctx_;
	if (ctx->revoke)
		return store_feed_delete(c, ctx->who->user_id.s);
	if (ctx->hash && ctx->who)
		return store_feed_put(c, ctx->who->user_id.s, ctx->hash, cal_clock_now(&ctx->app->clock));
	return store_feed_user(c, ctx->arena, ctx->hash, &ctx->user_id);
}

int ical_feed_create(struct app *app, struct arena *a, const struct cal_principal *who,
		     const char **ret_secret)
{
	unsigned char raw[FEED_SECRET_BYTES];
	randombytes_buf(raw, sizeof raw);
	char *secret = arena_alloc(a, sizeof raw * 2 + 1);
	if (!secret)
		return CAL_E_NOMEM;
	sodium_bin2hex(secret, sizeof raw * 2 + 1, raw, sizeof raw);
	char hash[CAL_SHA256_HEX];
	cal_sha256_hex(secret, hash);
	struct feed_ctx ctx = { .app = app, .arena = a, .who = who, .hash = hash };
	int r = tx_run(app, true, feed_body, &ctx);
	if (r == 0)
		*ret_secret = secret;
	return r;
}

int ical_feed_revoke(struct app *app, const struct cal_principal *who)
{
	struct feed_ctx ctx = { .app = app, .who = who, .revoke = true };
	return tx_run(app, true, feed_body, &ctx);
}

int ical_feed_render(struct app *app, struct arena *a, const char *secret, struct strbuf *out)
{
	if (!secret || strlen(secret) != FEED_SECRET_BYTES * 2)
		return CAL_E_NOT_FOUND;
	char hash[CAL_SHA256_HEX];
	cal_sha256_hex(secret, hash);
	struct feed_ctx ctx = { .app = app, .arena = a, .hash = hash };
	int r = tx_run(app, false, feed_body, &ctx);
	if (r < 0)
		return r;
	struct cal_principal who;
	if ((r = directory_principal(app, a, ctx.user_id, NULL, &who)) < 0)
		return r == CAL_E_UNAUTHORIZED ? CAL_E_NOT_FOUND : r;
	int64_t now = cal_clock_now(&app->clock);
	struct cal_error err = { 0 };
	struct export_ctx ex = { .app = app, .arena = a, .who = &who, .err = &err,
				 .from = now - (int64_t)FEED_PAST_DAYS * 86400,
				 .to = now + (int64_t)FEED_FUTURE_DAYS * 86400 };
	if ((r = tx_run(app, false, export_range_body, &ex)) < 0)
		return r;
	return write_calendar(app, &ex.list, out, &err);
}
