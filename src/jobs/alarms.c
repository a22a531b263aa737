/* The alarm scheduler: sleeps until the earliest trigger (or until a commit
 * that armed an alarm rings the bell), fires what is due in batches, and
 * sleeps again. Other processes may arm alarms without ringing this bell,
 * so it never sleeps longer than ALARM_POLL_MS. */
#include <jansson.h>
#include <stdint.h>

#include "base/errors.h"
#include "base/log.h"
#include "jobs/jobs.h"
#include "service/alarms.h"

enum { ALARM_BATCH = 200, ALARM_POLL_MS = 10000, ALARM_RETRY_MS = 2000 };

void *jobs_alarm_scheduler(void *arg)
{
	struct app *app = arg;
	uint64_t seen = 0;
	for (;;) {
		int64_t now = cal_clock_now(&app->clock);
		struct alarms_tick tick;
		int r = alarms_fire_due(app, now, ALARM_BATCH, &tick);
		int64_t sleep_ms = ALARM_POLL_MS;
		if (r < 0) {
			log_warn(NULL, "alarm tick failed", json_pack("{s:s}", "error", cal_error_code(r)));
			sleep_ms = ALARM_RETRY_MS;
		} else {
			if (tick.fired)
				log_info(NULL, "alarms fired",
					 json_pack("{s:I, s:I}", "alarms", (json_int_t)tick.fired, "reminders",
						   (json_int_t)tick.sent));
			if (tick.more)
				sleep_ms = 0;
			else if (tick.has_next && (tick.next_due - now) * 1000 < sleep_ms)
				sleep_ms = tick.next_due > now ? (tick.next_due - now) * 1000 : 0;
			/* Due but not claimed: another process holds it right now. */
			if (sleep_ms == 0 && !tick.more)
				sleep_ms = 100;
		}
		if (sleep_ms > 0 && !cal_bell_wait(app->alarm_bell, &seen, sleep_ms))
			break;
		if (sleep_ms == 0 && cal_bell_stopping(app->alarm_bell))
			break;
	}
	return NULL;
}
