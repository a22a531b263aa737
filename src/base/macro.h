/* Small language helpers used everywhere: automatic cleanup and visible
 * ownership transfer (after systemd's _cleanup_ and TAKE_PTR). */
#ifndef CAL_BASE_MACRO_H
#define CAL_BASE_MACRO_H

#include <stdlib.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define CAL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define CAL_ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))

/* Hands the pointer over and leaves NULL behind, so cleanup does nothing. */
#define TAKE_PTR(p)                          \
	({                                   \
		__typeof__(p) take_ptr_ = (p); \
		(p) = NULL;                  \
		take_ptr_;                   \
	})

static inline void freep(void *p) { free(*(void **)p); }

#endif
