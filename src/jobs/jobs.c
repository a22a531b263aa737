/* Starting and stopping the job threads. */
#include "jobs/jobs.h"

#include <pthread.h>
#include <stdlib.h>

#include "base/errors.h"

enum { THREADS_MAX = 65 };

struct jobs {
	struct app *app;
	struct cal_bell outbox, alarms, notifications;
	pthread_t threads[THREADS_MAX];
	size_t n_threads;
};

int jobs_start(struct app *app, struct jobs **ret)
{
	struct jobs *j = calloc(1, sizeof *j);
	if (!j)
		return CAL_E_NOMEM;
	j->app = app;
	cal_bell_init(&j->outbox);
	cal_bell_init(&j->alarms);
	cal_bell_init(&j->notifications);
	app->outbox_bell = &j->outbox;
	app->alarm_bell = &j->alarms;
	app->notification_bell = &j->notifications;
	int r = 0;
	if (pthread_create(&j->threads[j->n_threads], NULL, jobs_alarm_scheduler, app) == 0)
		j->n_threads++;
	else
		r = CAL_E_INTERNAL;
	for (unsigned i = 0; r == 0 && i < app->config->outbox_workers && j->n_threads < THREADS_MAX; i++) {
		if (pthread_create(&j->threads[j->n_threads], NULL, jobs_outbox_worker, app) == 0)
			j->n_threads++;
		else
			r = CAL_E_INTERNAL;
	}
	if (r < 0) {
		jobs_stop(j);
		return r;
	}
	*ret = j;
	return 0;
}

void jobs_stop(struct jobs *j)
{
	if (!j)
		return;
	cal_bell_stop(&j->outbox);
	cal_bell_stop(&j->alarms);
	cal_bell_stop(&j->notifications);
	for (size_t i = 0; i < j->n_threads; i++)
		pthread_join(j->threads[i], NULL);
	j->app->outbox_bell = j->app->alarm_bell = j->app->notification_bell = NULL;
	cal_bell_release(&j->outbox);
	cal_bell_release(&j->alarms);
	cal_bell_release(&j->notifications);
	free(j);
}
