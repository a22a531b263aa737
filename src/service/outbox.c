/* Outbox writers. An e-mail is stored as the complete RFC 5322 message, so
 * delivery is a dumb pipe and a retry sends the same bytes (same
 * Message-ID, derived from the idempotency key, which lets a receiving
 * client drop the copy a crash between "250 OK" and our commit can cause). */
#include "service/outbox.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/macro.h"
#include "base/strbuf.h"
#include "notify/format.h"
#include "notify/mime.h"
#include "service/tx.h"

enum { MAIL_MAX = 2 * 1024 * 1024 };

void outbox_person_of(struct store_conn *c, struct arena *a, const struct cal_event *e,
		      const struct cal_attendee *at, struct outbox_person *ret)
{
	*ret = (struct outbox_person){ .email = at->email, .name = at->display_name, .lang = "es",
				       .zone = e->timezone };
	struct cal_user u;
	struct cal_partner pt;
	if (at->user_id && store_user_get(c, a, at->user_id, &u) == 0) {
		ret->lang = u.lang ? u.lang : "es";
		ret->zone = u.timezone ? u.timezone : e->timezone;
		ret->phone = u.phone;
		ret->user_id = u.id;
	} else if (at->partner_id && store_partner_get(c, a, at->partner_id, &pt) == 0) {
		ret->phone = pt.phone;
	}
}

const char *outbox_when(struct app *app, struct arena *a, const struct cal_event *e, int64_t begins,
			const char *lang, const char *zone)
{
	const struct cal_tz *tz;
	if (cal_tzdb_get(app->tzdb, zone, &tz) < 0 && cal_tzdb_get(app->tzdb, e->timezone, &tz) < 0)
		return "";
	/* An all-day occurrence keeps the event's length in days from the
	 * date it begins on. */
	int32_t start_date = e->start_date, days = e->end_date - e->start_date;
	struct cal_civil local;
	if (e->all_day && cal_tz_utc_to_local(tz, begins, &local) == 0)
		start_date = (int32_t)cal_civil_days_from_date(local.year, local.month, local.day);
	char buf[256];
	if (cal_format_when(lang, begins, begins + (e->end - e->start), e->all_day, start_date,
			    start_date + days, tz, buf, sizeof buf) < 0)
		return "";
	const char *text = arena_strdup(a, buf);
	return text ? text : "";
}

static void new_msg(struct app *app, struct store_outbox_msg *m, enum store_channel ch,
		    const char *kind, const char *key, const cal_uuid *company)
{
	*m = (struct store_outbox_msg){ .channel = ch, .kind = kind, .idempotency_key = key };
	cal_uuid_new(&m->id);
	if (company)
		m->company_id = *company;
	m->created_at = m->next_attempt_at = cal_clock_now(&app->clock);
}

/* "<sha256(key) in hex>@<the sender's domain>". */
static const char *message_id(struct arena *a, const char *key, const char *from)
{
	uint8_t digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(digest, (const unsigned char *)key, strlen(key));
	char hex[2 * 16 + 1];
	sodium_bin2hex(hex, sizeof hex, digest, 16);
	const char *at = strrchr(from, '@');
	return arena_printf(a, "%s@%s", hex, at ? at + 1 : "calendard");
}

int outbox_mail(struct store_conn *c, struct app *app, struct arena *a, const struct outbox_mail *m)
{
	const struct cal_config *cfg = app->config;
	struct cal_tpl_rendered t;
	const char *lang = m->lang ? m->lang : "es";
	int r = cal_tpl_message(cfg->template_dir, lang, m->kind, m->vars, m->n_vars, a, &t);
	if (r < 0)
		return r;
	struct cal_mail mail = {
		.from_addr = cfg->mail_from, .from_name = cfg->mail_from_name,
		.to_addr = m->to_addr, .to_name = m->to_name, .subject = t.subject,
		.message_id = message_id(a, m->key, cfg->mail_from), .lang = lang,
		.text = t.text, .html = t.html, .ics = m->ics, .ics_method = m->ics_method,
		.date = cal_clock_now(&app->clock),
	};
	_cleanup_(strbuf_release) struct strbuf out = STRBUF_INIT(MAIL_MAX);
	if ((r = cal_mail_render(&mail, &out)) < 0)
		return r;
	struct store_outbox_msg msg;
	new_msg(app, &msg, STORE_CHANNEL_EMAIL, m->kind, m->key, m->company_id);
	msg.recipient = m->to_addr;
	msg.payload = strbuf_str(&out);
	bool inserted;
	return store_outbox_put(c, &msg, &inserted);
}

int outbox_in_app(struct store_conn *c, struct app *app, const struct outbox_note *n)
{
	/* Absent, not null: the reader (note_parse) takes strings only. */
	json_t *j = json_pack("{s:s, s:s, s:s*, s:s*, s:s*}", "kind", n->kind, "title", n->title,
			      "body", n->body, "link", n->link, "eventId",
			      n->event_id && n->event_id->s[0] ? n->event_id->s : NULL);
	char *payload = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!payload)
		return CAL_E_NOMEM;
	struct store_outbox_msg msg;
	new_msg(app, &msg, STORE_CHANNEL_IN_APP, n->kind, n->key, n->company_id);
	msg.recipient = n->user_id->s;
	msg.payload = payload;
	bool inserted;
	int r = store_outbox_put(c, &msg, &inserted);
	free(payload);
	return r;
}

int outbox_sms(struct store_conn *c, struct app *app, const char *kind, const char *key,
	       const cal_uuid *company_id, const char *phone, const char *text)
{
	struct store_outbox_msg msg;
	new_msg(app, &msg, STORE_CHANNEL_SMS, kind, key, company_id);
	msg.recipient = phone;
	msg.payload = text;
	bool inserted;
	return store_outbox_put(c, &msg, &inserted);
}

/* The in-app payload written by outbox_in_app. */
static int note_parse(struct arena *a, const char *payload, struct cal_notification *ret)
{
	json_t *j = json_loads(payload, 0, NULL);
	const char *kind = NULL, *title = NULL, *body = NULL, *link = NULL, *event = NULL;
	if (!j || json_unpack(j, "{s:s, s:s, s?s, s?s, s?s}", "kind", &kind, "title", &title, "body",
			      &body, "link", &link, "eventId", &event) < 0) {
		json_decref(j);
		return CAL_E_INVALID;
	}
	struct cal_notification n = { .kind = arena_strdup(a, kind), .title = arena_strdup(a, title),
				      .body = body ? arena_strdup(a, body) : NULL,
				      .link = link ? arena_strdup(a, link) : NULL };
	if (event)
		cal_uuid_parse(event, &n.event_id);
	json_decref(j);
	*ret = n;
	return 0;
}

struct list_ctx {
	struct arena *a;
	struct store_outbox_query q;
	struct store_outbox_msg *items;
	size_t n;
};

static int list_body(struct store_conn *c, void *ctx_)
{
	struct list_ctx *ctx = ctx_;
	return store_outbox_list(c, ctx->a, &ctx->q, &ctx->items, &ctx->n);
}

int outbox_admin_list(struct app *app, struct arena *a, const struct cal_principal *who,
		      const char *status, const char *recipient, unsigned limit,
		      struct cal_error *err, struct store_outbox_msg **ret, size_t *ret_n)
{
	if (who->role != CAL_USER_ADMIN)
		return cal_error_set(err, CAL_E_FORBIDDEN, "only a company admin may read the outbox");
	struct list_ctx ctx = { .a = a };
	ctx.q = (struct store_outbox_query){ .company_id = who->company_id.s, .status = -1,
					     .recipient = recipient, .limit = limit ? limit : 100 };
	if (status) {
		ctx.q.status = store_outbox_status_parse(status);
		if (ctx.q.status < 0)
			return cal_error_field(err, "status", "must be pending, sending, sent or failed");
	}
	int r = tx_run(app, false, list_body, &ctx);
	if (r < 0)
		return r;
	*ret = ctx.items;
	*ret_n = ctx.n;
	return 0;
}

/* ------------------------------------------------------------------ delivery */

enum { OUTBOX_BATCH_MAX = 16 };

static unsigned batch_size(const struct cal_config *cfg)
{
	unsigned n = (cfg->outbox_lease_s - 1) / cfg->send_timeout_s;
	return n < 1 ? 1 : n > OUTBOX_BATCH_MAX ? OUTBOX_BATCH_MAX : n;
}

struct claim_ctx {
	struct app *app;
	struct arena *a;
	struct outbox_batch batch;
};

static int claim_body(struct store_conn *c, void *ctx_)
{
	struct claim_ctx *ctx = ctx_;
	const struct cal_config *cfg = ctx->app->config;
	struct outbox_batch *b = &ctx->batch;
	int64_t now = cal_clock_now(&ctx->app->clock);
	unsigned limit = batch_size(cfg);
	*b = (struct outbox_batch){ 0 };
	int r = store_outbox_claim(c, ctx->a, now, now + cfg->outbox_lease_s, limit, &b->msgs, &b->n);
	if (r < 0)
		return r;
	b->full = b->n == limit;
	if (b->full)
		return 0;
	r = store_outbox_next_due(c, &b->next_due);
	b->has_next = r == 0;
	return r == CAL_E_NOT_FOUND ? 0 : r;
}

int outbox_claim(struct app *app, struct arena *a, struct outbox_batch *ret)
{
	struct claim_ctx ctx = { .app = app, .a = a };
	int r = tx_run(app, true, claim_body, &ctx);
	if (r == 0)
		*ret = ctx.batch;
	return r;
}

static int64_t backoff(const struct cal_config *cfg, int attempts)
{
	int64_t d = cfg->outbox_retry_s;
	for (int i = 1; i < attempts && d < cfg->outbox_retry_max_s; i++)
		d *= 2;
	if (d > cfg->outbox_retry_max_s)
		d = cfg->outbox_retry_max_s;
	/* ±20%, so messages that failed together do not retry together. */
	int64_t spread = d / 5;
	return d - spread + (spread ? (int64_t)randombytes_uniform((uint32_t)(2 * spread + 1)) : 0);
}

struct record_ctx {
	struct arena *a;
	const struct store_outbox_msg *m;
	bool sent, give_up;
	int64_t at;
	const char *error;
};

static int record_body(struct store_conn *c, void *ctx_)
{
	struct record_ctx *ctx = ctx_;
	const struct store_outbox_msg *m = ctx->m;
	if (!ctx->sent)
		return store_outbox_retry(c, m->id.s, m->attempts, ctx->at, ctx->give_up, ctx->error);
	if (m->channel == STORE_CHANNEL_IN_APP) {
		struct cal_notification n;
		int r = note_parse(ctx->a, m->payload, &n);
		if (r == 0) {
			n.id = m->id;
			cal_uuid_parse(m->recipient, &n.user_id);
			n.created_at = ctx->at;
			r = store_notification_put(c, &n);
		}
		if (r < 0)
			return r;
	}
	return store_outbox_sent(c, m->id.s, m->attempts, ctx->at);
}

int outbox_record(struct app *app, struct arena *a, const struct store_outbox_msg *m, bool sent,
		  bool permanent, const char *error, bool *ret_gave_up)
{
	const struct cal_config *cfg = app->config;
	int64_t now = cal_clock_now(&app->clock);
	struct record_ctx ctx = { .a = a, .m = m, .sent = sent, .at = now, .error = error };
	if (!sent) {
		ctx.give_up = permanent || m->attempts >= (int)cfg->outbox_max_attempts;
		ctx.at = now + backoff(cfg, m->attempts);
	}
	int r = tx_run(app, true, record_body, &ctx);
	if (r == 0)
		*ret_gave_up = ctx.give_up;
	return r;
}
