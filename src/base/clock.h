/* The injectable clock: every "now" in calendard goes through one of these,
 * so tokens, alarms and windows can be tested without sleeping. */
#ifndef CAL_BASE_CLOCK_H
#define CAL_BASE_CLOCK_H

#include <stdint.h>

struct cal_clock {
	/* NULL means the real clock. */
	int64_t (*now_ms)(const struct cal_clock *clock);
	int64_t offset_ms; /* added to the real clock; CALENDARD_CLOCK_OFFSET in tests */
};

int64_t cal_clock_now_ms(const struct cal_clock *clock);
static inline int64_t cal_clock_now(const struct cal_clock *clock) { return cal_clock_now_ms(clock) / 1000; }
/* Monotonic, for durations only. */
double cal_monotonic_seconds(void);

#endif
