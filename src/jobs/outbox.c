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
#include <stdint.h>
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "jobs/jobs.h"
#include "notify/transport.h"
#include "service/outbox.h"

enum { OUTBOX_POLL_MS = 5000, OUTBOX_RETRY_MS = 2000 };

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
		break; /* outbox_record writes it, in the transaction that marks it sent */
	}
	bool gave_up = false;
	int fr = outbox_record(app, a, m, r == 0, permanent, r ? why : NULL, &gave_up);
	/* Never the recipient or the payload: they are personal data, and the
	 * payload carries signed links. */
	if (r == 0 && fr == 0)
		log_info(NULL, "message sent",
			 json_pack("{s:s, s:s, s:s, s:i}", "outbox_id", m->id.s, "channel",
				   store_channel_name(m->channel), "kind", m->kind ? m->kind : "", "attempt",
				   m->attempts));
	else
		log_warn(NULL, r ? (gave_up ? "message failed for good" : "message will be retried")
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
	for (;;) {
		struct arena *a = arena_new();
		if (!a)
			break;
		struct outbox_batch batch;
		int r = outbox_claim(app, a, &batch);
		for (size_t i = 0; r == 0 && i < batch.n; i++)
			deliver(app, sender, a, &batch.msgs[i]);
		int64_t sleep_ms = OUTBOX_POLL_MS;
		if (r < 0) {
			log_warn(NULL, "outbox claim failed", json_pack("{s:s}", "error", cal_error_code(r)));
			sleep_ms = OUTBOX_RETRY_MS;
		} else if (batch.full) {
			sleep_ms = 0;
		} else if (batch.has_next) {
			int64_t wait = (batch.next_due - cal_clock_now(&app->clock)) * 1000;
			/* Due but not claimed: another worker holds it right now. */
			if (wait <= 0 && batch.n == 0)
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
