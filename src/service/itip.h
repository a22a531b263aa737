/* Invitations, updates, cancellations and answers as outbox messages
 * (iMIP: RFC 6047 mail with an RFC 5546 text/calendar part), written in the
 * transaction of the change. Called by the event use cases when the caller
 * asked to notify (the API's default; imports never do). */
#ifndef CAL_SERVICE_ITIP_H
#define CAL_SERVICE_ITIP_H

#include "service/events_internal.h"

/* `old` is the event (or series) before the change, NULL when it was
 * created; `now_` after it, NULL when it was deleted. `significant`: its
 * time, place or rule changed, so every attendee gets an update; added
 * attendees are invited and removed ones get a cancellation either way. */
int itip_after_change(struct store_conn *c, struct event_ctx *ctx, const struct cal_event *old,
		      const struct cal_event *now_, bool significant);
/* Tells the organizer (in-app and e-mail) that `at` answered. */
int itip_answered(struct store_conn *c, struct app *app, struct arena *a, const struct cal_event *e,
		  const struct cal_attendee *at);

#endif
