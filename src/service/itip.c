/* iTIP messages of the event use cases. Each recipient gets one message in
 * their language (a user's own; Spanish for everyone else), with the time
 * in their zone, the iCalendar part Gmail and Outlook read to show their
 * own buttons, and our signed links for everyone else. */
#include "service/itip.h"

#include <string.h>

#include "notify/format.h"
#include "service/ical.h"
#include "service/outbox.h"
#include "service/rsvp.h"

static const struct cal_attendee *organizer_of(const struct cal_event *e)
{
	for (size_t i = 0; i < e->n_attendees; i++)
		if (e->organizer_email && strcmp(e->attendees[i].email, e->organizer_email) == 0)
			return &e->attendees[i];
	return NULL;
}

static bool is_organizer(const struct cal_event *e, const struct cal_attendee *at)
{
	return e->organizer_email && strcmp(at->email, e->organizer_email) == 0;
}

static const struct cal_attendee *find(const struct cal_event *e, const char *email)
{
	for (size_t i = 0; e && i < e->n_attendees; i++)
		if (strcmp(e->attendees[i].email, email) == 0)
			return &e->attendees[i];
	return NULL;
}

struct itip_msg {
	const char *kind, *method, *ics, *nonce;
};

static int mail_one(struct store_conn *c, struct app *app, struct arena *a, const struct cal_event *e,
		    const struct cal_attendee *at, const struct itip_msg *m)
{
	struct outbox_person r;
	outbox_person_of(c, a, e, at, &r);
	const struct cal_attendee *org = organizer_of(e);
	const char *base = app->config->public_url;
	const char *accept = NULL, *decline = NULL, *tentative = NULL;
	if (strcmp(m->method, "REQUEST") == 0) {
		const char *token = rsvp_token(app, a, &e->id, &at->id,
					       rsvp_expiry(e, cal_clock_now(&app->clock)));
		if (!token)
			return CAL_E_NOMEM;
		accept = arena_printf(a, "%s/rsvp/%s/accept", base, token);
		decline = arena_printf(a, "%s/rsvp/%s/decline", base, token);
		tentative = arena_printf(a, "%s/rsvp/%s/tentative", base, token);
	}
	const struct cal_tpl_var vars[] = {
		{ "recipient_name", r.name },
		{ "organizer_name", org ? org->display_name : e->organizer_email },
		{ "organizer_email", e->organizer_email },
		{ "event_name", e->name },
		{ "event_when", outbox_when(app, a, e, e->start, r.lang, r.zone) },
		{ "event_timezone", r.zone },
		{ "event_location", e->location },
		{ "event_description", e->description },
		{ "event_url", r.user_id.s[0] ? arena_printf(a, "%s/calendar/events/%s", base, e->id.s) : NULL },
		{ "accept_url", accept },
		{ "decline_url", decline },
		{ "tentative_url", tentative },
	};
	const char *key = arena_printf(a, "%s:%s:%s:%s", m->kind, e->id.s, m->nonce, at->email);
	if (!key)
		return CAL_E_NOMEM;
	return outbox_mail(c, app, a, &(struct outbox_mail){
		.kind = m->kind, .key = key, .company_id = &e->company_id, .to_addr = at->email,
		.to_name = at->display_name, .lang = r.lang, .vars = vars,
		.n_vars = sizeof vars / sizeof vars[0], .ics = m->ics, .ics_method = m->method });
}

int itip_after_change(struct store_conn *c, struct event_ctx *ctx, const struct cal_event *old,
		      const struct cal_event *now_, bool significant)
{
	struct app *app = ctx->app;
	struct arena *a = ctx->arena;
	cal_uuid nonce;
	cal_uuid_new(&nonce);
	const char *request = NULL, *cancel = NULL;
	int r = 0;
	/* Cancellations: the whole event, or the attendees no longer in it. */
	for (size_t i = 0; r == 0 && old && i < old->n_attendees; i++) {
		const struct cal_attendee *at = &old->attendees[i];
		if (is_organizer(old, at) || (now_ && find(now_, at->email)))
			continue;
		if (!cancel && (r = ical_itip(c, app, a, old, "CANCEL", &cancel)) < 0)
			break;
		r = mail_one(c, app, a, old, at, &(struct itip_msg){ "cancellation", "CANCEL", cancel, nonce.s });
	}
	for (size_t i = 0; r == 0 && now_ && i < now_->n_attendees; i++) {
		const struct cal_attendee *at = &now_->attendees[i];
		bool invited_before = old && find(old, at->email);
		if (is_organizer(now_, at) || (invited_before && !significant))
			continue;
		if (!request && (r = ical_itip(c, app, a, now_, "REQUEST", &request)) < 0)
			break;
		r = mail_one(c, app, a, now_, at,
			     &(struct itip_msg){ invited_before ? "update" : "invitation", "REQUEST", request, nonce.s });
	}
	return r;
}

int itip_answered(struct store_conn *c, struct app *app, struct arena *a, const struct cal_event *e,
		  const struct cal_attendee *at)
{
	const struct cal_attendee *org = organizer_of(e);
	if (!org || is_organizer(e, at))
		return 0;
	struct outbox_person r;
	outbox_person_of(c, a, e, org, &r);
	const char *answer = cal_format_answer(r.lang, at->state);
	const char *key = arena_printf(a, "answer:%s:%s:%lld", e->id.s, at->id.s, (long long)e->version);
	const char *who = at->display_name ? at->display_name : at->email;
	const char *link = arena_printf(a, "%s/calendar/events/%s", app->config->public_url, e->id.s);
	const char *when = outbox_when(app, a, e, e->start, r.lang, r.zone);
	if (!key || !link)
		return CAL_E_NOMEM;
	int rc = 0;
	if (r.user_id.s[0]) {
		rc = outbox_in_app(c, app, &(struct outbox_note){
			.kind = "answer", .key = arena_printf(a, "%s:in_app", key), .company_id = &e->company_id,
			.user_id = &r.user_id, .event_id = &e->id,
			.title = arena_printf(a, "%s %s: %s", who, answer, e->name), .body = when, .link = link });
		if (rc < 0)
			return rc;
	}
	const struct cal_tpl_var vars[] = {
		/* No name but the address: the template shows the address once. */
		{ "recipient_name", r.name },
		{ "attendee_name", at->display_name && strcmp(at->display_name, at->email) != 0 ? at->display_name : NULL },
		{ "attendee_email", at->email },
		{ "answer", answer }, { "event_name", e->name }, { "event_when", when },
		{ "event_timezone", r.zone }, { "event_location", e->location }, { "event_url", link },
	};
	return outbox_mail(c, app, a, &(struct outbox_mail){
		.kind = "answer", .key = key, .company_id = &e->company_id, .to_addr = org->email,
		.to_name = org->display_name, .lang = r.lang, .vars = vars,
		.n_vars = sizeof vars / sizeof vars[0] });
}
