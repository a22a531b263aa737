/* Alarms: arming at save time, firing in the scheduler.
 *
 * An occurrence is named by its instance start (model/recurrence.h: for an
 * all-day series the date read as UTC); the moment it begins is that
 * instant, or the date's midnight in the event's zone for all-day events.
 * The trigger is that moment minus the interval. A fired alarm checks
 * again that its occurrence still begins then (not moved, not cancelled),
 * and that it has not begun: after downtime, a reminder still useful is
 * sent once, late; one whose event already started is skipped. The outbox
 * key (alarm, occurrence, recipient) makes re-arming after an unrelated
 * edit harmless: the same reminder is never written twice. */
#include "service/alarms.h"

#include <stdio.h>
#include <string.h>

#include "base/errors.h"
#include "model/recurrence.h"
#include "model/time.h"
#include "notify/format.h"
#include "service/outbox.h"
#include "service/series.h"
#include "service/tx.h"

/* Occurrences looked at before giving up on finding the next one (a series
 * whose every instance for a long while is cancelled or moved). */
enum { NEXT_SEARCH_MAX = 1000 };

static int begins_at(struct app *app, const struct cal_event *e, int64_t original, int64_t *ret)
{
	if (!e->all_day) {
		*ret = original;
		return 0;
	}
	const struct cal_tz *tz;
	int r = cal_tzdb_get(app->tzdb, e->timezone, &tz);
	return r < 0 ? r : cal_date_start_in_zone(tz, (int32_t)(original / 86400), ret);
}

/* When the first occurrence of e that begins after `after` begins,
 * skipping cancelled ones (EXDATE) and moved ones (an exception row has its
 * own alarms). CAL_E_NOT_FOUND when there is none. */
static int next_occurrence(struct store_conn *c, struct app *app, struct arena *a,
			   const struct cal_event *e, int64_t after, int64_t *ret_begins)
{
	if (!e->recurring) {
		if (e->start <= after)
			return CAL_E_NOT_FOUND;
		*ret_begins = e->start;
		return 0;
	}
	struct cal_rule *rule;
	struct cal_series s;
	int r = series_load(app, e, &rule, &s);
	if (r < 0)
		return r;
	/* Instance starts of all-day series are dates read as UTC: begin the
	 * search a day early and let begins_at decide. */
	int64_t t = e->all_day ? after - 2 * 86400 : after + 1;
	bool found = false;
	for (int i = 0; i < NEXT_SEARCH_MAX && !found; i++) {
		struct cal_instance inst;
		if ((r = cal_series_next(&s, t, &inst)) < 0)
			break;
		t = inst.start + 1;
		int64_t begins;
		if ((r = begins_at(app, e, inst.start, &begins)) < 0)
			break;
		if (begins <= after)
			continue;
		struct store_event_page ex;
		if ((r = store_exceptions(c, a, e->id.s, inst.start, inst.start + 1, &ex)) < 0)
			break;
		if (ex.n)
			continue;
		*ret_begins = begins;
		found = true;
	}
	cal_rule_free(rule);
	return r < 0 ? r : found ? 0 : CAL_E_NOT_FOUND;
}

int alarms_arm(struct store_conn *c, struct app *app, struct arena *a, struct cal_event *e, int64_t now)
{
	if (e->n_alarms == 0)
		return 0;
	int64_t begins;
	int r = next_occurrence(c, app, a, e, now, &begins);
	if (r < 0 && r != CAL_E_NOT_FOUND)
		return r;
	for (size_t i = 0; i < e->n_alarms; i++) {
		struct cal_alarm *al = &e->alarms[i];
		al->armed = r == 0;
		al->next_trigger_at = r == 0 ? begins - cal_alarm_minutes(al) * 60 : 0;
	}
	return 0;
}

/* ------------------------------------------------------------------ firing */

struct fire_ctx {
	struct app *app;
	struct arena *a;
	int64_t now;
	unsigned batch;
	struct alarms_tick tick;
};

/* Writes one alarm's reminders for the occurrence beginning at `begins`. */
static int send_reminders(struct store_conn *c, struct fire_ctx *ctx, const struct cal_event *e,
			  const struct store_alarm_due *d, int64_t begins)
{
	const struct cal_alarm *al = &d->alarm;
	int64_t minutes = cal_alarm_minutes(al);
	for (size_t i = 0; i < e->n_attendees; i++) {
		const struct cal_attendee *at = &e->attendees[i];
		if (at->state == CAL_PARTSTAT_DECLINED)
			continue;
		struct outbox_person p;
		outbox_person_of(c, ctx->a, e, at, &p);
		const char *key = arena_printf(ctx->a, "reminder:%s:%s:%lld:%lld:%s", d->event_id.s,
					       cal_alarm_type_name(al->type), (long long)minutes,
					       (long long)begins, at->email);
		const char *when = outbox_when(ctx->app, ctx->a, e, begins, p.lang, p.zone);
		char in_text[64];
		cal_format_interval(p.lang, minutes, in_text, sizeof in_text);
		const char *link = arena_printf(ctx->a, "%s/calendar/events/%s", ctx->app->config->public_url,
						e->id.s);
		int r = 0;
		if (!key || !when || !link)
			return CAL_E_NOMEM;
		switch (al->type) {
		case CAL_ALARM_NOTIFICATION:
			if (!p.user_id.s[0])
				continue;
			r = outbox_in_app(c, ctx->app, &(struct outbox_note){
				.kind = "reminder", .key = key, .company_id = &e->company_id, .user_id = &p.user_id,
				.event_id = &e->id, .title = e->name,
				.body = arena_printf(ctx->a, "%s · %s", in_text, when), .link = link });
			break;
		case CAL_ALARM_EMAIL: {
			const struct cal_tpl_var vars[] = {
				{ "recipient_name", p.name }, { "event_name", e->name }, { "event_when", when },
				{ "event_location", e->location }, { "event_description", e->description },
				{ "event_timezone", e->timezone }, { "reminder_when", in_text }, { "event_url", link },
			};
			r = outbox_mail(c, ctx->app, ctx->a, &(struct outbox_mail){
				.kind = "reminder", .key = key, .company_id = &e->company_id, .to_addr = p.email,
				.to_name = p.name, .lang = p.lang, .vars = vars, .n_vars = sizeof vars / sizeof vars[0] });
			break;
		}
		case CAL_ALARM_SMS:
			if (!p.phone)
				continue;
			r = outbox_sms(c, ctx->app, "reminder", key, &e->company_id, p.phone,
				       arena_printf(ctx->a, "%.120s — %s (%s)", e->name, when, in_text));
			break;
		}
		if (r < 0)
			return r;
		ctx->tick.sent++;
	}
	return 0;
}

static int fire_one(struct store_conn *c, struct fire_ctx *ctx, const struct store_alarm_due *d)
{
	struct cal_event e;
	int r = store_event_get(c, ctx->a, d->event_id.s, &e);
	if (r == CAL_E_NOT_FOUND) /* deleted while we looked: its alarms went with it */
		return 0;
	if (r < 0)
		return r;
	int64_t minutes = cal_alarm_minutes(&d->alarm);
	int64_t begins = d->alarm.next_trigger_at + minutes * 60;
	int64_t next;
	r = next_occurrence(c, ctx->app, ctx->a, &e, begins - 1, &next);
	if (r < 0 && r != CAL_E_NOT_FOUND)
		return r;
	/* Still that occurrence, at that time, and not begun yet. */
	if (r == 0 && next == begins && begins > ctx->now && (r = send_reminders(c, ctx, &e, d, begins)) < 0)
		return r;
	r = next_occurrence(c, ctx->app, ctx->a, &e, begins > ctx->now ? begins : ctx->now, &next);
	if (r < 0 && r != CAL_E_NOT_FOUND)
		return r;
	return store_alarm_advance(c, d->alarm.id.s, r == 0, r == 0 ? next - minutes * 60 : 0, ctx->now);
}

static int fire_body(struct store_conn *c, void *ctx_)
{
	struct fire_ctx *ctx = ctx_;
	ctx->tick = (struct alarms_tick){ 0 };
	struct store_alarm_due *due;
	size_t n;
	int r = store_alarms_due(c, ctx->a, ctx->now, ctx->batch, &due, &n);
	for (size_t i = 0; r == 0 && i < n; i++) {
		r = fire_one(c, ctx, &due[i]);
		/* An alarm whose event cannot be read as a series any more (a
		 * rule past today's limits) is disarmed rather than left to
		 * block every other reminder; database errors still roll back. */
		if (r == CAL_E_INVALID)
			r = store_alarm_advance(c, due[i].alarm.id.s, false, 0, ctx->now);
	}
	if (r < 0)
		return r;
	ctx->tick.fired = n;
	ctx->tick.more = n == ctx->batch;
	int64_t next;
	if ((r = store_alarms_next_due(c, &next)) == 0) {
		ctx->tick.has_next = true;
		ctx->tick.next_due = next;
	}
	return r == CAL_E_NOT_FOUND ? 0 : r;
}

int alarms_fire_due(struct app *app, int64_t now, unsigned batch, struct alarms_tick *ret)
{
	struct arena *a = arena_new();
	if (!a)
		return CAL_E_NOMEM;
	struct fire_ctx ctx = { .app = app, .a = a, .now = now, .batch = batch };
	int r = tx_run(app, true, fire_body, &ctx);
	arena_free(a);
	if (r == 0)
		*ret = ctx.tick;
	return r;
}
