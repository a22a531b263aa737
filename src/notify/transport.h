/* Sending one rendered message: SMTP through libcurl, and SMS through an
 * HTTP provider shaped like Twilio's Messages API. Called by the outbox
 * worker only, never inside a request. A sender reuses its connection
 * between messages (one struct notify_sender per worker thread).
 *
 * Each send returns 0, or CAL_E_DELIVERY with `why` filled (no secret
 * in it) and *ret_permanent telling whether retrying can help (an SMTP 5xx
 * or an HTTP 4xx other than 429: no). */
#ifndef CAL_NOTIFY_TRANSPORT_H
#define CAL_NOTIFY_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/config.h"

struct notify_sender;

int notify_sender_new(const struct cal_config *cfg, struct notify_sender **ret);
void notify_sender_free(struct notify_sender *s);

/* `message` is a whole RFC 5322 message with CRLF line ends. */
int notify_smtp_send(struct notify_sender *s, const char *to, const char *message, size_t len,
		     char *why, size_t why_len, bool *ret_permanent);
/* `idempotency_token` goes out as I-Twilio-Idempotency-Token, so a retry
 * after a lost answer is not a second text message. */
int notify_sms_send(struct notify_sender *s, const char *to, const char *text,
		    const char *idempotency_token, char *why, size_t why_len, bool *ret_permanent);

#endif
