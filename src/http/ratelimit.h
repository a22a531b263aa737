/* Per-client request limits for the public routes (struct route's
 * rate_limited): a token bucket per client address, refilled at a steady
 * rate up to a burst.
 *
 * The buckets live in one table allocated at start: sets of a few ways,
 * chosen by a keyed hash of the address (random key per process, so no one
 * can aim addresses at another client's set). A new address takes a free
 * way of its set or evicts the one seen least recently, so memory is the
 * same however many addresses call; an evicted client simply starts again
 * with a full bucket. Nothing is allocated per request. Thread-safe: one
 * mutex per set. Internal to http/. */
#ifndef CAL_HTTP_RATELIMIT_H
#define CAL_HTTP_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum { RATELIMIT_ENTRIES = 8192 };

/* Who a bucket belongs to: an IPv4 address, or the /64 network of an
 * IPv6 address (one host or one subscriber's LAN: a host may take any
 * address of its /64). IPv4-mapped IPv6 addresses count as IPv4. */
struct ratelimit_key {
	uint8_t family; /* 4, 6, or 0 for another family (all of them share one bucket) */
	uint8_t addr[8]; /* IPv4: the 4 bytes, then zeros; IPv6: the first 8 */
};

struct ratelimit_options {
	unsigned per_minute; /* tokens added per minute, > 0 */
	unsigned burst;      /* a bucket's capacity, > 0 */
	size_t entries;      /* buckets kept; rounded up to a whole number of sets */
};

struct ratelimit;

int ratelimit_new(const struct ratelimit_options *o, struct ratelimit **ret);
/* Accepts NULL. */
void ratelimit_free(struct ratelimit *rl);

/* The key of a peer address as libmicrohttpd gives it (may be NULL). */
struct ratelimit_key ratelimit_key_of(const struct sockaddr *sa);

/* Takes one token from `key`'s bucket at `now_ms` (milliseconds of a clock
 * that does not go back; an earlier time than the last one counts as no
 * time passed). Returns 0, or CAL_E_TOO_MANY with `ret_retry_after` set to
 * the whole seconds until a token will be there (at least 1). */
int ratelimit_take(struct ratelimit *rl, const struct ratelimit_key *key, int64_t now_ms,
		   unsigned *ret_retry_after);

/* Buckets in use, at most the table's size (for tests). */
size_t ratelimit_used(struct ratelimit *rl);

#endif
