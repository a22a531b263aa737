/* Reminders. Every save of an event arms its alarms: next_trigger_at is the
 * start of its next occurrence that has not begun, minus the alarm's
 * interval (an occurrence moved or cancelled is skipped). The scheduler
 * (jobs/alarms.c) fires what is due: one transaction claims a batch through
 * the next_trigger_at index, writes the reminders into the outbox and moves
 * each alarm to the following occurrence. */
#ifndef CAL_SERVICE_ALARMS_H
#define CAL_SERVICE_ALARMS_H

#include "base/arena.h"
#include "model/event.h"
#include "service/app.h"
#include "store/store.h"

/* Sets armed/next_trigger_at of e's alarms for the moment `now` (inside the
 * caller's transaction: it looks up the exceptions of a series). */
int alarms_arm(struct store_conn *c, struct app *app, struct arena *a, struct cal_event *e,
	       int64_t now);

struct alarms_tick {
	size_t fired;   /* alarms handled (sent, or skipped as stale) */
	size_t sent;    /* reminders written to the outbox */
	bool more;      /* the batch was full: call again at once */
	bool has_next;
	int64_t next_due; /* the earliest trigger left (when has_next) */
};

/* One scheduler step at `now`, at most `batch` alarms. */
int alarms_fire_due(struct app *app, int64_t now, unsigned batch, struct alarms_tick *ret);

#endif
