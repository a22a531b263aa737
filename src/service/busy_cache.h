/* A process-wide cache of users' busy intervals, for the public slot
 * pages: a type's slots are asked for far more often than its assignees'
 * calendars change, and reading and expanding a calendar is most of a slot
 * request's cost.
 *
 * An entry is trusted only while the user's busy version (users.
 * busy_version, moved by the database on every change to the user's
 * attendee rows, whichever process made it) is the one it was read at,
 * and only for a window it covers. The caller reads the version first and
 * the calendar after, in one transaction, so an entry may hold newer data
 * than its version says, never older. Bookings never read from it: they
 * re-read the calendar under their locks. Thread-safe. */
#ifndef CAL_SERVICE_BUSY_CACHE_H
#define CAL_SERVICE_BUSY_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "model/appointment.h"

struct busy_cache;

/* At most `max_users` entries; 0 turns the cache off (NULL). */
struct busy_cache *busy_cache_new(size_t max_users);
void busy_cache_free(struct busy_cache *bc);

/* A copy, in `a`, of the user's busy intervals for [from, to) if an entry
 * at `version` covers it. Returns false on a miss (or with no cache). */
bool busy_cache_get(struct busy_cache *bc, const char *user_id, int64_t version, int64_t from,
		    int64_t to, struct arena *a, struct cal_busy **ret, size_t *ret_n);
/* Remembers the user's normalized intervals over [from, to) at `version`
 * (a copy is kept). Failing to allocate only loses the entry. */
void busy_cache_put(struct busy_cache *bc, const char *user_id, int64_t version, int64_t from,
		    int64_t to, const struct cal_busy *b, size_t n);

#endif
