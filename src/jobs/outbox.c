/* An outbox delivery worker. It claims a batch of due messages (a short
 * transaction), sends each outside any transaction, and records the result
 * (another short one). A claim is a lease: a worker that dies leaves its
 * messages "sending" until the lease ends, then any worker takes them.
 *
 * Delivery guarantee, per channel:
 * - in_app: exactly once. The notification row takes the outbox message's
 *   id and is written in the same transaction that marks it sent.
 * - sms: exactly once with a provider that honours the idempotency token
 *   (Twilio's I-Twilio-Idempotency-Token, our fake): a retry carries the
 *   same token.
 * - email: at least once, and at most one extra copy per crash: a copy is
 *   sent twice only when the process dies after the SMTP server accepted
 *   it and before the "sent" commit. Both copies carry the same
 *   Message-ID, which mail clients use to drop the duplicate.
 * A retry backs off exponentially (with jitter) from
 * CALENDARD_OUTBOX_RETRY_SECONDS up to ..._RETRY_MAX_SECONDS; after
 * CALENDARD_OUTBOX_MAX_ATTEMPTS, or at once on a permanent refusal (SMTP
 * 5xx, HTTP 4xx), the message is "failed" and keeps its last error. */
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "jobs/jobs.h"
#include "notify/transport.h"
#include "service/outbox.h"
#include "service/tx.h"

enum { OUTBOX_BATCH = 16, OUTBOX_POLL_MS = 5000, OUTBOX_RETRY_MS = 2000 };

struct claim_ctx {
	struct arena *a;
	int64_t now, lease_until;
	unsigned limit;
	struct store_outbox_msg *msgs;
	size_t n;
	bool has_next;
	int64_t next_due;
};

static int claim_body(struct store_conn *c, void *ctx_)
{
	struct claim_ctx *ctx = ctx_;
	int r = store_outbox_claim(c, ctx->a, ctx->now, ctx->lease_until, ctx->limit, &ctx->msgs, &ctx->n);
	return r;
}

static int next_body(struct store_conn *c, void *ctx_)
{
	struct claim_ctx *ctx = ctx_;
	int r = store_outbox_next_due(c, &ctx->next_due);
	ctx->has_next = r == 0;
	return r == CAL_E_NOT_FOUND ? 0 : r;
}

struct finish_ctx {
	struct arena *a;
	const struct store_outbox_msg *m;
	bool ok, give_up;
	int64_t at;
	const char *error;
};

static int finish_body(struct store_conn *c, void *ctx_)
{
	struct finish_ctx *ctx = ctx_;
	const struct store_outbox_msg *m = ctx->m;
	if (ctx->ok && m->channel == STORE_CHANNEL_IN_APP) {
		struct cal_notification n;
		int r = outbox_note_parse(ctx->a, m->payload, &n);
		if (r == 0) {
			n.id = m->id;
			cal_uuid_parse(m->recipient, &n.user_id);
			n.created_at = ctx->at;
			r = store_notification_put(c, &n);
		}
		if (r < 0)
			return r;
	}
	if (ctx->ok)
		return store_outbox_sent(c, m->id.s, m->attempts, ctx->at);
	return store_outbox_retry(c, m->id.s, m->attempts, ctx->at, ctx->give_up, ctx->error);
}

/* One lease covers a whole claimed batch, sent one message after the other:
 * the batch holds only as many sends as fit in the lease, or a message's
 * lease could end while it waits its turn, and another worker would send it
 * too (config.c guarantees lease > send timeout, so at least one fits). */
static unsigned batch_size(const struct cal_config *cfg)
{
	unsigned n = (cfg->outbox_lease_s - 1) / cfg->send_timeout_s;
	return n < 1 ? 1 : n > OUTBOX_BATCH ? OUTBOX_BATCH : n;
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

static void deliver(struct app *app, struct notify_sender *sender, struct arena *a,
		    const struct store_outbox_msg *m)
{
	char why[512] = "";
	bool permanent = false;
	int r = 0;
	switch (m->channel) {
	case STORE_CHANNEL_EMAIL:
		r = notify_smtp_send(sender, m->recipient, m->payload, strlen(m->payload), why, sizeof why,
				     &permanent);
		break;
	case STORE_CHANNEL_SMS:
		r = notify_sms_send(sender, m->recipient, m->payload, m->id.s, why, sizeof why, &permanent);
		break;
	case STORE_CHANNEL_IN_APP:
		break; /* written by finish_body, in the transaction that marks it sent */
	}
	const struct cal_config *cfg = app->config;
	int64_t now = cal_clock_now(&app->clock);
	struct finish_ctx f = { .a = a, .m = m, .ok = r == 0, .at = now, .error = r ? why : NULL };
	if (r < 0) {
		f.give_up = permanent || m->attempts >= (int)cfg->outbox_max_attempts;
		f.at = now + backoff(cfg, m->attempts);
	}
	int fr = tx_run(app, true, finish_body, &f);
	/* Never the recipient or the payload: they are personal data, and the
	 * payload carries signed links. */
	if (r == 0 && fr == 0)
		log_info(NULL, "message sent",
			 json_pack("{s:s, s:s, s:s, s:i}", "outbox_id", m->id.s, "channel",
				   store_channel_name(m->channel), "kind", m->kind ? m->kind : "", "attempt",
				   m->attempts));
	else
		log_warn(NULL, r ? (f.give_up ? "message failed for good" : "message will be retried")
				 : "message sent but not recorded",
			 json_pack("{s:s, s:s, s:s, s:i, s:s}", "outbox_id", m->id.s, "channel",
				   store_channel_name(m->channel), "kind", m->kind ? m->kind : "", "attempt",
				   m->attempts, "error", r ? why : cal_error_code(fr)));
}

void *jobs_outbox_worker(void *arg)
{
	struct app *app = arg;
	struct notify_sender *sender;
	if (notify_sender_new(app->config, &sender) < 0) {
		log_error(NULL, "outbox worker cannot start", NULL);
		return NULL;
	}
	uint64_t seen = 0;
	unsigned batch = batch_size(app->config);
	for (;;) {
		struct arena *a = arena_new();
		if (!a)
			break;
		int64_t now = cal_clock_now(&app->clock);
		struct claim_ctx claim = { .a = a, .now = now, .lease_until = now + app->config->outbox_lease_s,
					     .limit = batch };
		int r = tx_run(app, true, claim_body, &claim);
		for (size_t i = 0; r == 0 && i < claim.n; i++)
			deliver(app, sender, a, &claim.msgs[i]);
		int64_t sleep_ms = OUTBOX_POLL_MS;
		if (r < 0) {
			log_warn(NULL, "outbox claim failed", json_pack("{s:s}", "error", cal_error_code(r)));
			sleep_ms = OUTBOX_RETRY_MS;
		} else if (claim.n == batch) {
			sleep_ms = 0;
		} else if (tx_run(app, false, next_body, &claim) == 0 && claim.has_next) {
			int64_t wait = (claim.next_due - cal_clock_now(&app->clock)) * 1000;
			/* Due but not claimed: another worker holds it right now. */
			if (wait <= 0 && claim.n == 0)
				wait = 100;
			if (wait < sleep_ms)
				sleep_ms = wait > 0 ? wait : 0;
		}
		arena_free(a);
		if (sleep_ms > 0 ? !cal_bell_wait(app->outbox_bell, &seen, sleep_ms)
				 : cal_bell_stopping(app->outbox_bell))
			break;
	}
	notify_sender_free(sender);
	return NULL;
}
