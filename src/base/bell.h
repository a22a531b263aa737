/* A bell a background thread sleeps on: rung by whoever made work for it
 * (a commit that wrote an outbox row, an earlier alarm), or by shutdown.
 * Rings are counted, so a ring between two waits is never lost. */
#ifndef CAL_BASE_BELL_H
#define CAL_BASE_BELL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct cal_bell {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t rings;
	bool stopping;
};

void cal_bell_init(struct cal_bell *b);
void cal_bell_release(struct cal_bell *b);
/* Accepts NULL (nothing listens). */
void cal_bell_ring(struct cal_bell *b);
/* Wakes every waiter for good: cal_bell_wait returns false from now on. */
void cal_bell_stop(struct cal_bell *b);
bool cal_bell_stopping(struct cal_bell *b);
/* Sleeps until a ring newer than *seen, a stop, or `timeout_ms` (>= 0)
 * passes. Updates *seen; returns false once the bell is stopping. */
bool cal_bell_wait(struct cal_bell *b, uint64_t *seen, int64_t timeout_ms);

#endif
