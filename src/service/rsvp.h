/* Answering an invitation from the e-mail, without logging in. Each
 * invitation carries signed links bound to one attendee of one event, with
 * an expiry (the end of the event): the token is
 * base64url(event | attendee | expiry | HMAC-SHA256 truncated to 128 bits)
 * under a key derived from the server's secret key for this purpose only.
 * A forged, altered or other event's token is "not found"; an expired one
 * is "gone". GET shows what would be answered; only POST changes it (mail
 * scanners follow links). */
#ifndef CAL_SERVICE_RSVP_H
#define CAL_SERVICE_RSVP_H

#include "base/arena.h"
#include "base/errors.h"
#include "model/event.h"
#include "service/app.h"

/* The token for (event, attendee), valid until `expires` (epoch seconds). */
const char *rsvp_token(const struct app *app, struct arena *a, const cal_uuid *event_id,
		       const cal_uuid *attendee_id, int64_t expires);
/* When an invitation's links stop working. */
int64_t rsvp_expiry(const struct cal_event *e, int64_t now);

struct rsvp_view {
	const char *event_name, *when, *attendee_name, *attendee_email, *lang;
	enum cal_partstat state; /* the answer on record (after answering: the new one) */
	bool changed;            /* rsvp_answer: the answer differed from the one on record */
};

int rsvp_show(struct app *app, struct arena *a, const char *token, struct cal_error *err,
	      struct rsvp_view *ret);
int rsvp_answer(struct app *app, struct arena *a, const char *token, enum cal_partstat answer,
		struct cal_error *err, struct rsvp_view *ret);

#endif
