/* Booking, rescheduling and cancelling appointments, and the messages that
 * tell the customer and the assignee.
 *
 * Every booking transaction locks the candidate assignees' user rows
 * first. Bookings of one assignee therefore run one after the other on
 * every server, and each re-reads the calendar after the previous one
 * committed (PostgreSQL is READ COMMITTED; SQLite write transactions are
 * serial). The database's own no-overlap rule on bookings
 * (CAL_E_SLOT_TAKEN) stands behind that. */
#include <ctype.h>
#include <sodium.h>
#include <string.h>

#include "base/crypto.h"
#include "model/time.h"
#include "notify/format.h"
#include "service/activities.h"
#include "service/appointments_internal.h"
#include "service/events_internal.h"
#include "service/ical.h"
#include "service/outbox.h"
#include "service/tx.h"

enum { TOKEN_MAC_BYTES = 32, CUSTOMER_NAME_MAX = 200, NOTES_MAX = 2000, KEY_MAX = 200,
       PHONE_DIGITS_MIN = 6, PHONE_DIGITS_MAX = 20 };

#define BOOKING_RES_MODEL "appointment.booking"

/* The manage link's secret: an HMAC of the booking id, so a replayed
 * Idempotency-Key can hand out the same link again while the database
 * keeps only its hash. */
static const char *manage_token(const struct app *app, struct arena *a, const cal_uuid *booking_id)
{
	uint8_t key[crypto_auth_hmacsha256_KEYBYTES], mac[TOKEN_MAC_BYTES];
	cal_key_derive(app->config->secret_key, 5, "booking", key, sizeof key);
	crypto_auth_hmacsha256(mac, (const uint8_t *)booking_id->s, strlen(booking_id->s), key);
	sodium_memzero(key, sizeof key);
	size_t len = sodium_base64_ENCODED_LEN(TOKEN_MAC_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *text = arena_alloc(a, len);
	return text ? sodium_bin2base64(text, len, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING)
		    : NULL;
}

static const char *sha256_hex(struct arena *a, const char *text)
{
	char *hex = arena_alloc(a, CAL_SHA256_HEX);
	if (hex)
		cal_sha256_hex(text, hex);
	return hex;
}

static const char *manage_url(const struct app *app, struct arena *a, const char *token)
{
	return arena_printf(a, "%s/api/v1/calendar/appointments/bookings/%s", app->config->public_url, token);
}

/* "+52 (55) 1234-5678" → "+525512345678"; NULL when it is not a phone. */
static const char *phone_normalize(struct arena *a, const char *s)
{
	size_t len = strlen(s), digits = 0;
	char *out = arena_alloc(a, len + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (ch == '+' && o == out && digits == 0)
			*o++ = ch;
		else if (ch >= '0' && ch <= '9')
			*o++ = ch, digits++;
		else if (!strchr(" -.()", ch))
			return NULL;
	}
	*o = '\0';
	return digits >= PHONE_DIGITS_MIN && digits <= PHONE_DIGITS_MAX ? out : NULL;
}

/* The first of "es"/"en" an Accept-Language header names, else "es". */
static const char *lang_from_header(const char *h)
{
	for (const char *p = h; p && *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		if ((p[0] == 'e' || p[0] == 'E') && (p[1] == 'n' || p[1] == 'N') && !isalpha((unsigned char)p[2]))
			return "en";
		if ((p[0] == 'e' || p[0] == 'E') && (p[1] == 's' || p[1] == 'S') && !isalpha((unsigned char)p[2]))
			return "es";
		p = strchr(p, ',');
	}
	return "es";
}

/* An event name of at most `max` characters, cut on a character boundary. */
static const char *clip_chars(struct arena *a, const char *s, unsigned max)
{
	size_t i = 0;
	unsigned chars = 0;
	while (s[i] && chars < max) {
		i++;
		while ((s[i] & 0xC0) == 0x80)
			i++;
		chars++;
	}
	return s[i] ? arena_strndup(a, s, i) : s;
}

static bool key_ok(const char *k)
{
	size_t n = strlen(k);
	if (n == 0 || n > KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (k[i] < 0x21 || k[i] > 0x7e)
			return false;
	return true;
}

/* The request's own fields, checked before any transaction. */
struct book_input {
	int64_t start;
	const char *phone, *lang;
	const struct cal_tz *customer_tz;
	const char *request_hash;
};

static int book_check(struct app *app, struct arena *a, const struct appointment_book_request *q,
		      struct book_input *in, struct cal_error *err)
{
	int r = 0;
	if (!q->type_id)
		r = cal_error_field(err, "appointmentTypeId", "is required");
	if (!q->start)
		r = cal_error_field(err, "startDatetime", "is required");
	else if (cal_instant_parse(q->start, &in->start) < 0)
		r = cal_error_field(err, "startDatetime", "must be an RFC 3339 instant with an offset");
	if (!q->customer_name || !*q->customer_name || !cal_text_ok(q->customer_name, CUSTOMER_NAME_MAX, false))
		r = cal_error_field(err, "customerName", "is required: 1 to 200 characters, no control characters");
	if (!q->customer_email || !cal_email_ok(q->customer_email, app->config->limits.email_max))
		r = cal_error_field(err, "customerEmail", "must be an e-mail address");
	in->phone = NULL;
	if (q->customer_phone && *q->customer_phone && !(in->phone = phone_normalize(a, q->customer_phone)))
		r = cal_error_field(err, "customerPhone", "must be a phone number: an optional + and 6 to 20 digits");
	if (q->notes && !cal_text_ok(q->notes, NOTES_MAX, true))
		r = cal_error_field(err, "notes", "at most 2000 characters, no control characters but line breaks");
	in->lang = q->lang ? q->lang : lang_from_header(q->accept_language);
	if (strcmp(in->lang, "es") != 0 && strcmp(in->lang, "en") != 0)
		r = cal_error_field(err, "lang", "must be es or en");
	in->customer_tz = NULL;
	if (q->timezone && !(in->customer_tz = resolve_zone(app, q->timezone, err)))
		r = CAL_E_INVALID;
	if (q->idempotency_key && !key_ok(q->idempotency_key))
		r = cal_error_field(err, "Idempotency-Key", "must be 1 to 200 printable ASCII characters");
	if (r < 0)
		return CAL_E_INVALID;
	/* What the key promises to repeat: the same request. */
	const char *fp = arena_printf(a, "%s|%lld|%s|%s|%s|%s|%s|%s|%s", q->type_id, (long long)in->start,
				      q->customer_name, q->customer_email, in->phone ? in->phone : "",
				      q->notes ? q->notes : "", q->assignee_id ? q->assignee_id : "",
				      q->timezone ? q->timezone : "", in->lang);
	in->request_hash = fp ? sha256_hex(a, fp) : NULL;
	return in->request_hash ? 0 : CAL_E_NOMEM;
}

struct book_ctx {
	struct app *app;
	struct arena *arena;
	const struct appointment_book_request *q;
	struct book_input in;
	const char *token; /* reschedule, cancel */
	struct cal_error *err;
	struct appointment_booking_view *view;
};

const char *appointment_when(struct app *app, struct arena *a, const char *lang, const char *zone,
			     int64_t start, int64_t end)
{
	const struct cal_tz *tz;
	char buf[256];
	if (cal_tzdb_get(app->tzdb, zone, &tz) < 0 ||
	    cal_format_when(lang, start, end, false, 0, 0, tz, buf, sizeof buf) < 0)
		return "";
	const char *s = arena_strdup(a, buf);
	return s ? s : "";
}

static int view_fill(struct book_ctx *ctx, struct cal_booking *b, struct cal_appointment_type *t,
		     const char *assignee_name)
{
	int64_t deadline = b->start - (int64_t)t->cancel_hours_before * 3600;
	bool open = !b->cancelled && cal_clock_now(&ctx->app->clock) < deadline;
	const char *zone = b->customer_timezone ? b->customer_timezone : t->timezone;
	*ctx->view = (struct appointment_booking_view){
		.booking = b, .type = t, .assignee_name = assignee_name,
		.manage_token = manage_token(ctx->app, ctx->arena, &b->id),
		.can_reschedule = open && t->allow_reschedule, .can_cancel = open && t->allow_cancel,
		.change_deadline = deadline, .lang = b->customer_lang, .zone = zone,
		.when = appointment_when(ctx->app, ctx->arena, b->customer_lang, zone, b->start, b->end),
	};
	return ctx->view->manage_token ? 0 : CAL_E_NOMEM;
}

/* The window and the grid: CAL_E_INVALID naming startDatetime when the
 * instant is no slot of the type now; else the slot with who is free. */
static int slot_at(struct store_conn *c, struct book_ctx *ctx, const struct cal_appointment_type *t,
		   int64_t start, const struct cal_booking *moving, struct cal_slot *ret_slot,
		   struct appointment_scan *ret_scan)
{
	const struct cal_tz *tz;
	if (cal_tzdb_get(ctx->app->tzdb, t->timezone, &tz) < 0)
		return CAL_E_STORE;
	int64_t now = cal_clock_now(&ctx->app->clock), wf, wt;
	int r = cal_booking_window(tz, now, t->min_booking_hours, t->schedule_range_days, &wf, &wt);
	if (r < 0)
		return r;
	if (start < now)
		return cal_error_field(ctx->err, "startDatetime", "is in the past");
	if (start < wf)
		return cal_error_field(ctx->err, "startDatetime", "is sooner than the type's minimum notice");
	if (start >= wt)
		return cal_error_field(ctx->err, "startDatetime", "is past the type's booking window");
	if ((r = appointment_scan(c, ctx->app, ctx->arena, t, start, start + 1, false, moving, false, ctx->err,
				  ret_scan)) < 0)
		return r;
	for (size_t i = 0; i < ret_scan->n; i++) {
		if (ret_scan->slots[i].start == start) {
			*ret_slot = ret_scan->slots[i];
			return 0;
		}
	}
	return cal_error_field(ctx->err, "startDatetime",
			       "is not a slot of this type (outside its availability or off its grid)");
}

static int slot_taken(struct book_ctx *ctx)
{
	return cal_error_set(ctx->err, CAL_E_SLOT_TAKEN, "this time is no longer free: choose another slot");
}

/* --- Messages ---------------------------------------------------------- */

struct booking_msg {
	const struct cal_booking *b;
	const struct cal_appointment_type *t;
	const struct cal_event *e;
	const struct cal_user *assignee;
	const char *nonce;
};

static const char *company_name(struct store_conn *c, struct arena *a, const cal_uuid *id)
{
	struct cal_company co;
	return store_company_get(c, a, id->s, &co) == 0 ? co.name : NULL;
}

/* The customer's confirmation (REQUEST: the event as it is now) or
 * cancellation (CANCEL), in the customer's language and zone. */
static int mail_customer(struct store_conn *c, struct book_ctx *ctx, const struct booking_msg *m,
			 bool cancelled)
{
	struct app *app = ctx->app;
	struct arena *a = ctx->arena;
	const struct cal_booking *b = m->b;
	const char *method = cancelled ? "CANCEL" : "REQUEST";
	const char *ics;
	int r = ical_itip(c, app, a, m->e, method, &ics);
	if (r < 0)
		return r;
	const char *zone = b->customer_timezone ? b->customer_timezone : m->t->timezone;
	const char *token = manage_token(app, a, &b->id);
	const char *when = outbox_when(app, a, m->e, m->e->start, b->customer_lang, zone);
	const char *company = company_name(c, a, &m->t->company_id);
	const struct cal_tpl_var confirm[] = {
		{ "appointment_type", m->t->name }, { "customer_name", b->customer_name },
		{ "recipient_name", b->customer_name }, { "company_name", company },
		{ "event_name", m->e->name }, { "event_when", when }, { "event_timezone", zone },
		{ "event_location", m->e->location }, { "organizer_name", m->assignee->name },
		{ "event_description", b->notes },
		{ "manage_url", token ? manage_url(app, a, token) : NULL },
	};
	const struct cal_tpl_var cancel[] = {
		{ "recipient_name", b->customer_name }, { "company_name", company },
		{ "organizer_name", m->assignee->name }, { "organizer_email", m->assignee->email },
		{ "event_name", m->e->name }, { "event_when", when }, { "event_timezone", zone },
		{ "event_location", m->e->location },
	};
	const char *kind = cancelled ? "cancellation" : "booking_confirmation";
	const char *key = arena_printf(a, "booking:%s:%s:%s", b->id.s, m->nonce, kind);
	if (!key || !token)
		return CAL_E_NOMEM;
	return outbox_mail(c, app, a, &(struct outbox_mail){
		.kind = kind, .key = key, .company_id = &m->t->company_id, .to_addr = b->customer_email,
		.to_name = b->customer_name, .lang = b->customer_lang,
		.vars = cancelled ? cancel : confirm,
		.n_vars = cancelled ? sizeof cancel / sizeof cancel[0] : sizeof confirm / sizeof confirm[0],
		.ics = ics, .ics_method = method });
}

enum notice { NOTICE_BOOKED, NOTICE_RESCHEDULED, NOTICE_CANCELLED };

static const char *notice_text(const char *lang, enum notice n)
{
	static const char *const es[] = { "Nueva cita", "Cita cambiada", "Cita cancelada" };
	static const char *const en[] = { "New appointment", "Appointment rescheduled", "Appointment cancelled" };
	return strcmp(lang, "en") == 0 ? en[n] : es[n];
}

/* The assignee hears of it in-app and by e-mail, in their own language. */
static int tell_assignee(struct store_conn *c, struct book_ctx *ctx, const struct booking_msg *m,
			 enum notice n)
{
	struct app *app = ctx->app;
	struct arena *a = ctx->arena;
	const struct cal_user *u = m->assignee;
	const char *lang = cal_notify_lang(u->lang);
	const char *when = outbox_when(app, a, m->e, m->b->start, lang, u->timezone);
	const char *link = n == NOTICE_CANCELLED ? NULL
			   : arena_printf(a, "%s/calendar/events/%s", app->config->public_url, m->e->id.s);
	const char *notice = notice_text(lang, n);
	const char *key = arena_printf(a, "booking:%s:%s:notice", m->b->id.s, m->nonce);
	const char *title = arena_printf(a, "%s: %s — %s", notice, m->t->name, m->b->customer_name);
	if (!key || !title)
		return CAL_E_NOMEM;
	int r = outbox_in_app(c, app, &(struct outbox_note){
		.kind = "booking", .key = arena_printf(a, "%s:in_app", key), .company_id = &m->t->company_id,
		.user_id = &u->id, .event_id = n == NOTICE_CANCELLED ? NULL : &m->e->id, .title = title,
		.body = when, .link = link });
	if (r < 0)
		return r;
	const struct cal_tpl_var vars[] = {
		{ "notice", notice }, { "recipient_name", u->name }, { "appointment_type", m->t->name },
		{ "customer_name", m->b->customer_name }, { "customer_email", m->b->customer_email },
		{ "customer_phone", m->b->customer_phone }, { "event_when", when },
		{ "event_description", m->b->notes }, { "event_url", link },
		{ "company_name", company_name(c, a, &m->t->company_id) },
	};
	return outbox_mail(c, app, a, &(struct outbox_mail){
		.kind = "booking_notice", .key = key, .company_id = &m->t->company_id, .to_addr = u->email,
		.to_name = u->name, .lang = lang, .vars = vars, .n_vars = sizeof vars / sizeof vars[0] });
}

static int tell_everyone(struct store_conn *c, struct book_ctx *ctx, const struct booking_msg *m,
			 enum notice n)
{
	int r = 0;
	if (n == NOTICE_CANCELLED || m->t->confirmation_email)
		r = mail_customer(c, ctx, m, n == NOTICE_CANCELLED);
	return r < 0 ? r : tell_assignee(c, ctx, m, n);
}

/* --- Booking ----------------------------------------------------------- */

/* The event of a booking: organized by the assignee, the customer its
 * guest, the type's reminder as an e-mail alarm when it is still ahead. */
static int create_event(struct store_conn *c, struct book_ctx *ctx, const struct cal_appointment_type *t,
			const struct cal_user *u, struct cal_booking *b, struct cal_event **ret)
{
	struct arena *a = ctx->arena;
	char *start = arena_alloc(a, CAL_INSTANT_TEXT), *end = arena_alloc(a, CAL_INSTANT_TEXT);
	const char *name = arena_printf(a, "%s — %s", t->name, b->customer_name);
	struct cal_attendee_input *guest = arena_calloc(a, 1, sizeof *guest);
	struct cal_alarm *alarm = arena_calloc(a, 1, sizeof *alarm);
	if (!start || !end || !name || !guest || !alarm)
		return CAL_E_NOMEM;
	cal_instant_format(b->start, start);
	cal_instant_format(b->end, end);
	*guest = (struct cal_attendee_input){ .email = b->customer_email, .display_name = b->customer_name,
					      .role = CAL_ROLE_REQUIRED, .state = CAL_PARTSTAT_ACCEPTED };
	int64_t remind_at = b->start - (int64_t)t->reminder_hours_before * 3600;
	bool remind = t->reminder_email && t->reminder_hours_before > 0 &&
		      remind_at > cal_clock_now(&ctx->app->clock);
	*alarm = (struct cal_alarm){ .type = CAL_ALARM_EMAIL, .interval_value = t->reminder_hours_before,
				     .interval_unit = CAL_UNIT_HOURS };
	struct cal_event_input ein = {
		.has_name = true, .name = clip_chars(a, name, ctx->app->config->limits.name_max),
		.has_description = b->notes != NULL, .description = b->notes,
		.has_location = t->location != NULL, .location = t->location,
		.has_start = true, .start = start, .has_end = true, .end = end,
		.has_timezone = true, .timezone = t->timezone,
		.has_attendees = true, .attendees = guest, .n_attendees = 1,
		.has_alarms = remind, .alarms = remind ? alarm : NULL, .n_alarms = remind ? 1 : 0,
		.has_res_model = true, .res_model = BOOKING_RES_MODEL,
		.has_res_id = true, .res_id = b->id.s,
		.privacy = -1, .show_as = -1,
	};
	const struct cal_principal host = cal_principal_of(u);
	struct cal_event *e;
	int r = event_prepare(ctx->app, a, &host, &ein, ctx->err, &e);
	if (r < 0)
		return r;
	struct event_ctx ectx = { .app = ctx->app, .arena = a, .who = &host, .in = &ein, .err = ctx->err,
				  .event = e };
	if ((r = create_row(c, &ectx, e)) < 0)
		return r;
	*ret = e;
	return 0;
}

static int book_body(struct store_conn *c, void *ctx_)
{
	struct book_ctx *ctx = ctx_;
	const struct appointment_book_request *q = ctx->q;
	struct arena *a = ctx->arena;
	struct cal_appointment_type *t = arena_alloc(a, sizeof *t);
	if (!t)
		return CAL_E_NOMEM;
	int r = appointment_load_public(c, a, q->type_id, t);
	if (r < 0)
		return r;
	int chosen = -1;
	if (t->assignment == CAL_ASSIGN_CHOICE) {
		for (size_t i = 0; q->assignee_id && i < t->n_assignees; i++)
			if (strcmp(t->assignee_ids[i].s, q->assignee_id) == 0)
				chosen = (int)i;
		if (chosen < 0)
			return cal_error_field(ctx->err, "assigneeId",
					       q->assignee_id ? "is not an assignee of this type" : "is required: choose who you book with");
	} else if (q->assignee_id) {
		return cal_error_field(ctx->err, "assigneeId", "this type assigns someone itself: leave it out");
	}
	/* One booking of these assignees at a time, on every server. */
	const char **ids = arena_calloc(a, t->n_assignees, sizeof *ids);
	if (!ids)
		return CAL_E_NOMEM;
	size_t n_ids = 0;
	for (size_t i = 0; i < t->n_assignees; i++)
		if (chosen < 0 || (int)i == chosen)
			ids[n_ids++] = t->assignee_ids[i].s;
	if ((r = store_users_lock(c, ids, n_ids)) < 0)
		return r;
	if (q->idempotency_key) {
		struct cal_booking *old = arena_alloc(a, sizeof *old);
		if (!old)
			return CAL_E_NOMEM;
		r = store_booking_by_key(c, a, t->id.s, q->idempotency_key, old);
		if (r == 0) {
			if (!old->request_hash || strcmp(old->request_hash, ctx->in.request_hash) != 0)
				return cal_error_set(ctx->err, CAL_E_CONFLICT,
						     "this Idempotency-Key was used with a different request");
			struct cal_user u;
			if ((r = store_user_get(c, a, old->assignee_id.s, &u)) < 0)
				return r;
			r = view_fill(ctx, old, t, u.name);
			ctx->view->replayed = true;
			return r;
		}
		if (r != CAL_E_NOT_FOUND)
			return r;
	}
	struct cal_slot slot;
	struct appointment_scan scan;
	if ((r = slot_at(c, ctx, t, ctx->in.start, NULL, &slot, &scan)) < 0)
		return r;
	int pick = chosen >= 0 ? ((slot.free >> chosen) & 1 ? chosen : -1)
			       : cal_assign_pick(slot.free, scan.load, t->n_assignees, randombytes_random());
	if (pick < 0)
		return slot_taken(ctx);

	struct cal_user u;
	if ((r = store_user_get(c, a, t->assignee_ids[pick].s, &u)) < 0)
		return r;
	struct cal_booking *b = arena_calloc(a, 1, sizeof *b);
	if (!b)
		return CAL_E_NOMEM;
	int64_t now = cal_clock_now(&ctx->app->clock);
	cal_uuid_new(&b->id);
	b->type_id = t->id;
	b->company_id = t->company_id;
	b->assignee_id = u.id;
	b->start = slot.start;
	b->end = slot.end;
	b->customer_name = q->customer_name;
	b->customer_email = q->customer_email;
	b->customer_phone = ctx->in.phone;
	b->notes = q->notes && *q->notes ? q->notes : NULL;
	b->customer_lang = ctx->in.lang;
	b->customer_timezone = ctx->in.customer_tz ? q->timezone : NULL;
	b->idempotency_key = q->idempotency_key;
	b->request_hash = ctx->in.request_hash;
	b->created_at = b->updated_at = now;
	const char *token = manage_token(ctx->app, a, &b->id);
	if (!token || !(b->manage_token_hash = sha256_hex(a, token)))
		return CAL_E_NOMEM;
	struct cal_event *e;
	if ((r = create_event(c, ctx, t, &u, b, &e)) < 0)
		return r;
	b->event_id = e->id;
	if (t->create_opportunity) {
		struct cal_lead lead = { .company_id = t->company_id, .event_id = e->id,
					 .name = arena_printf(a, "%s: %s", t->name, b->customer_name),
					 .contact_name = b->customer_name, .email = b->customer_email,
					 .phone = b->customer_phone, .source = "appointment", .created_at = now };
		cal_uuid_new(&lead.id);
		if (!lead.name)
			return CAL_E_NOMEM;
		if ((r = store_lead_insert(c, &lead)) < 0)
			return r;
		b->lead_id = lead.id;
	}
	if ((r = store_booking_insert(c, b)) == CAL_E_SLOT_TAKEN)
		return slot_taken(ctx);
	if (r < 0)
		return r;
	cal_uuid nonce;
	cal_uuid_new(&nonce);
	struct booking_msg m = { .b = b, .t = t, .e = e, .assignee = &u, .nonce = nonce.s };
	if ((r = tell_everyone(c, ctx, &m, NOTICE_BOOKED)) < 0)
		return r;
	return view_fill(ctx, b, t, u.name);
}

int appointment_book(struct app *app, struct arena *a, const struct appointment_book_request *q,
		     struct cal_error *err, struct appointment_booking_view *ret)
{
	struct book_ctx ctx = { .app = app, .arena = a, .q = q, .err = err, .view = ret };
	int r = book_check(app, a, q, &ctx.in, err);
	if (r < 0)
		return r;
	r = tx_run(app, true, book_body, &ctx);
	if (r == CAL_E_EXISTS && q->idempotency_key) {
		/* The same key raced us on another server: answer its booking. */
		*err = (struct cal_error){ 0 };
		r = tx_run(app, true, book_body, &ctx);
	}
	return r;
}

/* --- The manage link --------------------------------------------------- */

struct managed {
	struct cal_booking *b;
	struct cal_appointment_type *t;
	struct cal_user assignee;
};

/* The booking of the token. `locked`: with its assignee's row held, so
 * changes of one booking (and bookings of its assignee) happen one after
 * the other, each reading the row as the previous one left it. */
static int load_managed(struct store_conn *c, struct book_ctx *ctx, bool locked, struct managed *ret)
{
	struct arena *a = ctx->arena;
	const char *hash = ctx->token ? sha256_hex(a, ctx->token) : NULL;
	ret->b = arena_alloc(a, sizeof *ret->b);
	ret->t = arena_alloc(a, sizeof *ret->t);
	if (!hash || !ret->b || !ret->t)
		return CAL_E_NOMEM;
	int r = store_booking_by_token(c, a, hash, ret->b);
	if (r == 0 && locked) {
		const char *ids[] = { ret->b->assignee_id.s };
		r = store_users_lock(c, ids, 1);
		if (r == 0)
			r = store_booking_by_token(c, a, hash, ret->b);
	}
	if (r == 0)
		r = store_appointment_type_get(c, a, ret->b->type_id.s, ret->t);
	if (r == 0)
		r = store_user_get(c, a, ret->b->assignee_id.s, &ret->assignee);
	return r == CAL_E_NOT_FOUND ? cal_error_set(ctx->err, r, "no such booking") : r;
}

static int show_body(struct store_conn *c, void *ctx_)
{
	struct book_ctx *ctx = ctx_;
	struct managed m;
	int r = load_managed(c, ctx, false, &m);
	return r < 0 ? r : view_fill(ctx, m.b, m.t, m.assignee.name);
}

int appointment_booking_show(struct app *app, struct arena *a, const char *token,
			     struct cal_error *err, struct appointment_booking_view *ret)
{
	struct book_ctx ctx = { .app = app, .arena = a, .token = token, .err = err, .view = ret };
	return tx_run(app, false, show_body, &ctx);
}

/* A change the type allows, before its deadline, of a live booking. */
static int may_change(struct book_ctx *ctx, const struct managed *m, bool allowed, const char *what)
{
	if (m->b->cancelled)
		return cal_error_set(ctx->err, CAL_E_GONE, "this booking was cancelled");
	if (!allowed)
		return cal_error_set(ctx->err, CAL_E_FORBIDDEN,
				     arena_printf(ctx->arena, "this type of appointment cannot be %s online", what));
	int64_t deadline = m->b->start - (int64_t)m->t->cancel_hours_before * 3600;
	if (cal_clock_now(&ctx->app->clock) >= deadline)
		return cal_error_set(ctx->err, CAL_E_CONFLICT,
				     arena_printf(ctx->arena, "it is too late to have this appointment %s", what));
	return 0;
}

static int reschedule_body(struct store_conn *c, void *ctx_)
{
	struct book_ctx *ctx = ctx_;
	struct arena *a = ctx->arena;
	struct managed m;
	int r = load_managed(c, ctx, true, &m);
	if (r < 0 || (r = may_change(ctx, &m, m.t->allow_reschedule, "rescheduled")) < 0)
		return r;
	/* The type's assignees as they are now; the booking keeps its own. */
	struct cal_appointment_type t = *m.t;
	t.assignee_ids = &m.b->assignee_id;
	t.n_assignees = 1;
	struct cal_slot slot;
	struct appointment_scan scan;
	if ((r = slot_at(c, ctx, &t, ctx->in.start, m.b, &slot, &scan)) < 0)
		return r;
	if (!(slot.free & 1))
		return slot_taken(ctx);
	/* The event moves (same UID, next SEQUENCE, alarms re-armed). */
	char *start = arena_alloc(a, CAL_INSTANT_TEXT), *end = arena_alloc(a, CAL_INSTANT_TEXT);
	if (!start || !end)
		return CAL_E_NOMEM;
	cal_instant_format(slot.start, start);
	cal_instant_format(slot.end, end);
	struct cal_event_input ein = { .has_start = true, .start = start, .has_end = true, .end = end,
				       .privacy = -1, .show_as = -1 };
	const struct cal_principal host = cal_principal_of(&m.assignee);
	struct event_ctx ectx = { .app = ctx->app, .arena = a, .who = &host, .in = &ein, .err = ctx->err };
	struct cal_event *e = arena_alloc(a, sizeof *e);
	if (!e)
		return CAL_E_NOMEM;
	m.b->start = slot.start;
	m.b->end = slot.end;
	m.b->updated_at = cal_clock_now(&ctx->app->clock);
	/* The booking row first: the event's own hook finds it in step. */
	if ((r = store_booking_update(c, m.b)) == CAL_E_SLOT_TAKEN)
		return slot_taken(ctx);
	if (r < 0)
		return r;
	r = m.b->event_id.s[0] ? update_row(c, &ectx, m.b->event_id.s, e) : CAL_E_NOT_FOUND;
	if (r == CAL_E_NOT_FOUND)
		return cal_error_set(ctx->err, CAL_E_GONE, "this booking's event was removed from the calendar");
	if (r < 0)
		return r;
	cal_uuid nonce;
	cal_uuid_new(&nonce);
	struct booking_msg msg = { .b = m.b, .t = m.t, .e = e, .assignee = &m.assignee, .nonce = nonce.s };
	if ((r = tell_everyone(c, ctx, &msg, NOTICE_RESCHEDULED)) < 0)
		return r;
	return view_fill(ctx, m.b, m.t, m.assignee.name);
}

int appointment_booking_reschedule(struct app *app, struct arena *a, const char *token,
				   const char *start, struct cal_error *err,
				   struct appointment_booking_view *ret)
{
	struct book_ctx ctx = { .app = app, .arena = a, .token = token, .err = err, .view = ret };
	if (!start)
		return cal_error_field(err, "startDatetime", "is required");
	if (cal_instant_parse(start, &ctx.in.start) < 0)
		return cal_error_field(err, "startDatetime", "must be an RFC 3339 instant with an offset");
	return tx_run(app, true, reschedule_body, &ctx);
}

static int cancel_body(struct store_conn *c, void *ctx_)
{
	struct book_ctx *ctx = ctx_;
	struct arena *a = ctx->arena;
	struct managed m;
	int r = load_managed(c, ctx, true, &m);
	if (r < 0 || (r = may_change(ctx, &m, m.t->allow_cancel, "cancelled")) < 0)
		return r;
	struct cal_event e;
	bool has_event = false;
	if (m.b->event_id.s[0]) {
		r = store_event_lock(c, m.b->event_id.s);
		if (r == 0)
			r = store_event_get(c, a, m.b->event_id.s, &e);
		if (r < 0 && r != CAL_E_NOT_FOUND)
			return r;
		has_event = r == 0;
	}
	/* Its organizer may have deleted it meanwhile (the row is gone). */
	if (!has_event)
		m.b->event_id = (cal_uuid){ 0 };
	m.b->cancelled = true;
	m.b->updated_at = cal_clock_now(&ctx->app->clock);
	if ((r = store_booking_update(c, m.b)) < 0)
		return r;
	if (has_event) {
		cal_uuid nonce;
		cal_uuid_new(&nonce);
		struct booking_msg msg = { .b = m.b, .t = m.t, .e = &e, .assignee = &m.assignee, .nonce = nonce.s };
		/* The messages need the event as it was: written before it goes. */
		if ((r = tell_everyone(c, ctx, &msg, NOTICE_CANCELLED)) < 0)
			return r;
		if ((r = activities_event_deleted(c, a, &e)) < 0 ||
		    (r = store_event_delete(c, e.id.s, e.version)) < 0)
			return r;
	}
	return view_fill(ctx, m.b, m.t, m.assignee.name);
}

int appointment_booking_cancel(struct app *app, struct arena *a, const char *token,
			       struct cal_error *err, struct appointment_booking_view *ret)
{
	struct book_ctx ctx = { .app = app, .arena = a, .token = token, .err = err, .view = ret };
	return tx_run(app, true, cancel_body, &ctx);
}

/* --- The calendar side ------------------------------------------------- */

static bool is_booking_event(const struct cal_event *e)
{
	return e->res_model && strcmp(e->res_model, BOOKING_RES_MODEL) == 0 && e->res_id && !e->recurring;
}

/* The live booking whose event `e` is; CAL_E_NOT_FOUND for any other
 * event. */
static int booking_of_event(struct store_conn *c, struct arena *a, const struct cal_event *e,
			    struct cal_booking *ret)
{
	if (!is_booking_event(e))
		return CAL_E_NOT_FOUND;
	int r = store_booking_by_id(c, a, e->res_id, ret);
	if (r == 0 && (ret->cancelled || strcmp(ret->event_id.s, e->id.s) != 0))
		return CAL_E_NOT_FOUND;
	return r;
}

int appointments_event_deleted(struct store_conn *c, struct arena *a, const struct cal_event *e)
{
	struct cal_booking b;
	int r = booking_of_event(c, a, e, &b);
	if (r < 0)
		return r == CAL_E_NOT_FOUND ? 0 : r;
	b.cancelled = true;
	b.updated_at = e->updated_at > b.updated_at ? e->updated_at : b.updated_at;
	return store_booking_update(c, &b);
}

int appointments_event_moved(struct store_conn *c, struct app *app, struct arena *a,
			     const struct cal_event *e)
{
	struct cal_booking b;
	int r = booking_of_event(c, a, e, &b);
	if (r < 0)
		return r == CAL_E_NOT_FOUND ? 0 : r;
	if (b.start == e->start && b.end == e->end)
		return 0;
	b.start = e->start;
	b.end = e->end;
	b.updated_at = cal_clock_now(&app->clock);
	return store_booking_update(c, &b);
}
