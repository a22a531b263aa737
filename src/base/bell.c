/* Mutex, condition variable and a ring counter; waits use the monotonic
 * clock so a change of the wall clock does not oversleep. */
#include "base/bell.h"

#include <time.h>

void cal_bell_init(struct cal_bell *b)
{
	pthread_mutex_init(&b->lock, NULL);
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&b->cond, &attr);
	pthread_condattr_destroy(&attr);
	b->rings = 0;
	b->stopping = false;
}

void cal_bell_release(struct cal_bell *b)
{
	pthread_cond_destroy(&b->cond);
	pthread_mutex_destroy(&b->lock);
}

void cal_bell_ring(struct cal_bell *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->lock);
	b->rings++;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

void cal_bell_stop(struct cal_bell *b)
{
	pthread_mutex_lock(&b->lock);
	b->stopping = true;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

bool cal_bell_stopping(struct cal_bell *b)
{
	pthread_mutex_lock(&b->lock);
	bool v = b->stopping;
	pthread_mutex_unlock(&b->lock);
	return v;
}

bool cal_bell_wait(struct cal_bell *b, uint64_t *seen, int64_t timeout_ms)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	if (timeout_ms < 0)
		timeout_ms = 0;
	until.tv_sec += (time_t)(timeout_ms / 1000);
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&b->lock);
	while (!b->stopping && b->rings == *seen)
		if (pthread_cond_timedwait(&b->cond, &b->lock, &until) != 0)
			break;
	*seen = b->rings;
	bool go_on = !b->stopping;
	pthread_mutex_unlock(&b->lock);
	return go_on;
}
