/* Real and injected clocks. */
#include "base/clock.h"

#include <time.h>

int64_t cal_clock_now_ms(const struct cal_clock *clock)
{
	if (clock && clock->now_ms)
		return clock->now_ms(clock);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	return ms + (clock ? clock->offset_ms : 0);
}

double cal_monotonic_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
