/* Signed RSVP links and the answers they carry. */
#include "service/rsvp.h"

#include <sodium.h>
#include <string.h>

#include "base/crypto.h"
#include "service/events_internal.h"
#include "service/outbox.h"
#include "service/tx.h"

enum { ID_BYTES = 16, MAC_BYTES = 16, TOKEN_BYTES = 2 * ID_BYTES + 8 + MAC_BYTES,
       LINK_DAYS_FOREVER = 400 };

static bool uuid_bytes(const char *text, uint8_t out[ID_BYTES])
{
	size_t n = 0;
	return sodium_hex2bin(out, ID_BYTES, text, strlen(text), "-", &n, NULL) == 0 && n == ID_BYTES;
}

static void uuid_text(const uint8_t in[ID_BYTES], cal_uuid *ret)
{
	char hex[2 * ID_BYTES + 1];
	sodium_bin2hex(hex, sizeof hex, in, ID_BYTES);
	snprintf(ret->s, sizeof ret->s, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
		 hex + 20);
}

static void mac_of(const struct app *app, const uint8_t *msg, size_t len, uint8_t out[MAC_BYTES])
{
	uint8_t key[crypto_auth_hmacsha256_KEYBYTES], full[crypto_auth_hmacsha256_BYTES];
	cal_key_derive(app->config->secret_key, 3, "rsvp", key, sizeof key);
	crypto_auth_hmacsha256(full, msg, len, key);
	memcpy(out, full, MAC_BYTES);
	sodium_memzero(key, sizeof key);
}

const char *rsvp_token(const struct app *app, struct arena *a, const cal_uuid *event_id,
		       const cal_uuid *attendee_id, int64_t expires)
{
	uint8_t raw[TOKEN_BYTES];
	if (!uuid_bytes(event_id->s, raw) || !uuid_bytes(attendee_id->s, raw + ID_BYTES))
		return NULL;
	for (int i = 0; i < 8; i++)
		raw[2 * ID_BYTES + i] = (uint8_t)((uint64_t)expires >> (56 - 8 * i));
	mac_of(app, raw, TOKEN_BYTES - MAC_BYTES, raw + TOKEN_BYTES - MAC_BYTES);
	char *text = arena_alloc(a, sodium_base64_ENCODED_LEN(TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING));
	if (!text)
		return NULL;
	return sodium_bin2base64(text, sodium_base64_ENCODED_LEN(TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
				 raw, TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int64_t rsvp_expiry(const struct cal_event *e, int64_t now)
{
	if (!e->recurring)
		return e->end;
	if (e->series_end == CAL_SERIES_FOREVER) {
		int64_t later = now + (int64_t)LINK_DAYS_FOREVER * 86400;
		return later > e->end ? later : e->end;
	}
	return e->series_end;
}

struct link {
	cal_uuid event_id, attendee_id;
	int64_t expires;
};

/* CAL_E_NOT_FOUND for anything we did not sign; CAL_E_GONE once expired. */
static int token_check(const struct app *app, const char *token, int64_t now, struct link *ret)
{
	uint8_t raw[TOKEN_BYTES];
	size_t n = 0;
	if (!token || strlen(token) > 2 * TOKEN_BYTES ||
	    sodium_base642bin(raw, sizeof raw, token, strlen(token), NULL, &n, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || n != TOKEN_BYTES)
		return CAL_E_NOT_FOUND;
	uint8_t mac[MAC_BYTES];
	mac_of(app, raw, TOKEN_BYTES - MAC_BYTES, mac);
	if (sodium_memcmp(mac, raw + TOKEN_BYTES - MAC_BYTES, MAC_BYTES) != 0)
		return CAL_E_NOT_FOUND;
	struct link l;
	uuid_text(raw, &l.event_id);
	uuid_text(raw + ID_BYTES, &l.attendee_id);
	uint64_t exp = 0;
	for (int i = 0; i < 8; i++)
		exp = exp << 8 | raw[2 * ID_BYTES + i];
	l.expires = (int64_t)exp;
	if (now >= l.expires)
		return CAL_E_GONE;
	*ret = l;
	return 0;
}

struct rsvp_ctx {
	struct app *app;
	struct arena *a;
	struct link link;
	bool answering;
	enum cal_partstat answer;
	struct cal_error *err;
	struct rsvp_view view;
};

static int rsvp_body(struct store_conn *c, void *ctx_)
{
	struct rsvp_ctx *ctx = ctx_;
	struct cal_event e;
	int r = ctx->answering ? store_event_lock(c, ctx->link.event_id.s) : 0;
	if (r == 0)
		r = store_event_get(c, ctx->a, ctx->link.event_id.s, &e);
	if (r == CAL_E_NOT_FOUND)
		return cal_error_set(ctx->err, CAL_E_GONE, "this event was cancelled");
	if (r < 0)
		return r;
	struct cal_attendee *at = NULL;
	for (size_t i = 0; i < e.n_attendees && !at; i++)
		if (strcmp(e.attendees[i].id.s, ctx->link.attendee_id.s) == 0)
			at = &e.attendees[i];
	if (!at)
		return cal_error_set(ctx->err, CAL_E_GONE, "you are no longer invited to this event");
	struct outbox_person p;
	outbox_person_of(c, ctx->a, &e, at, &p);
	ctx->view = (struct rsvp_view){ .event_name = e.name,
					.when = outbox_when(ctx->app, ctx->a, &e, e.start, p.lang, p.zone),
					.attendee_name = at->display_name, .attendee_email = at->email,
					.lang = p.lang, .state = at->state };
	if (!ctx->answering || at->state == ctx->answer)
		return 0;
	struct event_ctx ectx = { .app = ctx->app, .arena = ctx->a, .err = ctx->err };
	if ((r = answer_row(c, &ectx, &e, at, ctx->answer)) < 0)
		return r;
	ctx->view.state = ctx->answer;
	ctx->view.changed = true;
	return 0;
}

static int run(struct app *app, struct arena *a, const char *token, bool answering,
	       enum cal_partstat answer, struct cal_error *err, struct rsvp_view *ret)
{
	struct rsvp_ctx ctx = { .app = app, .a = a, .answering = answering, .answer = answer, .err = err };
	int r = token_check(app, token, cal_clock_now(&app->clock), &ctx.link);
	if (r == CAL_E_NOT_FOUND)
		return cal_error_set(err, r, "this link is not valid");
	if (r == CAL_E_GONE)
		return cal_error_set(err, r, "this link has expired: the event is over");
	if ((r = tx_run(app, answering, rsvp_body, &ctx)) < 0)
		return r;
	*ret = ctx.view;
	return 0;
}

int rsvp_show(struct app *app, struct arena *a, const char *token, struct cal_error *err,
	      struct rsvp_view *ret)
{
	return run(app, a, token, false, CAL_PARTSTAT_NEEDS_ACTION, err, ret);
}

int rsvp_answer(struct app *app, struct arena *a, const char *token, enum cal_partstat answer,
		struct cal_error *err, struct rsvp_view *ret)
{
	return run(app, a, token, true, answer, err, ret);
}
