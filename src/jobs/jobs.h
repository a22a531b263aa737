/* The background jobs of `calendard serve`: the alarm scheduler and the
 * outbox delivery workers, as threads. jobs_start gives the app its bells
 * (service/app.h) so commits wake the right job; jobs_stop rings them for
 * good and joins the threads, letting a message being sent finish. */
#ifndef CAL_JOBS_JOBS_H
#define CAL_JOBS_JOBS_H

#include "service/app.h"

struct jobs;

int jobs_start(struct app *app, struct jobs **ret);
void jobs_stop(struct jobs *j);

/* Internal to jobs/: one thread body per job. */
void *jobs_outbox_worker(void *app);
void *jobs_alarm_scheduler(void *app);

#endif
