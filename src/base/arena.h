/* A bump allocator for short-lived data: one per request or job run.
 * Everything allocated from it is freed at once by arena_free(); nothing is
 * freed one by one. Not thread-safe: an arena belongs to one thread. */
#ifndef CAL_BASE_ARENA_H
#define CAL_BASE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

#include "base/macro.h"

struct arena;

struct arena *arena_new(void);
void arena_free(struct arena *a);
static inline void arena_freep(struct arena **a) { arena_free(*a); }

/* Zeroed memory, aligned for any type; NULL only when memory is exhausted. */
void *arena_alloc(struct arena *a, size_t size);
void *arena_calloc(struct arena *a, size_t n, size_t size);
/* NULL in, NULL out. */
/* Room for item n of an arena array of *alloc items of `size` bytes:
 * `items` itself while n < *alloc, else a copy twice as large (at least 8;
 * the old array stays in the arena) and *alloc updated. NULL when out of
 * memory, with *alloc unchanged. */
void *arena_grow(struct arena *a, void *items, size_t n, size_t *alloc, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) CAL_PRINTF(2, 3);

#endif
