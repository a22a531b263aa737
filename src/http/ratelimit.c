/* Token buckets per client address in a fixed, set-associative table.
 *
 * A bucket counts in units of 1/60000 token, so that a rate of N tokens a
 * minute adds exactly N units each millisecond: integer arithmetic with
 * nothing lost to rounding, however often a client calls. */
#include "http/ratelimit.h"

#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"

enum { WAYS = 8 };
static const uint64_t UNITS_PER_TOKEN = 60000; /* milliseconds in a minute */

struct bucket {
	bool used;
	struct ratelimit_key key;
	int64_t last_ms; /* when `units` was last brought up to date */
	uint64_t units;
};

struct set {
	pthread_mutex_t lock;
	struct bucket ways[WAYS];
};

struct ratelimit {
	uint64_t rate;     /* units added per millisecond: the tokens per minute */
	uint64_t capacity; /* units */
	size_t n_sets;     /* a power of two */
	uint8_t hash_key[crypto_shorthash_KEYBYTES];
	struct set sets[];
};

int ratelimit_new(const struct ratelimit_options *o, struct ratelimit **ret)
{
	if (o->per_minute == 0 || o->burst == 0 || sodium_init() < 0)
		return CAL_E_INVALID;
	size_t n_sets = 1;
	while (n_sets * WAYS < o->entries)
		n_sets *= 2;
	struct ratelimit *rl = calloc(1, sizeof *rl + n_sets * sizeof(struct set));
	if (!rl)
		return CAL_E_NOMEM;
	rl->rate = o->per_minute;
	rl->capacity = (uint64_t)o->burst * UNITS_PER_TOKEN;
	rl->n_sets = n_sets;
	crypto_shorthash_keygen(rl->hash_key);
	for (size_t i = 0; i < n_sets; i++)
		pthread_mutex_init(&rl->sets[i].lock, NULL);
	*ret = rl;
	return 0;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	for (size_t i = 0; i < rl->n_sets; i++)
		pthread_mutex_destroy(&rl->sets[i].lock);
	free(rl);
}

struct ratelimit_key ratelimit_key_of(const struct sockaddr *sa)
{
	static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	struct ratelimit_key k = { 0 };
	if (sa && sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		k.family = 4;
		memcpy(k.addr, &in->sin_addr, 4);
	} else if (sa && sa->sa_family == AF_INET6) {
		const uint8_t *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		if (memcmp(a, v4_mapped, sizeof v4_mapped) == 0) {
			k.family = 4;
			memcpy(k.addr, a + 12, 4);
		} else {
			k.family = 6;
			memcpy(k.addr, a, 8);
		}
	}
	return k;
}

static bool key_equal(const struct ratelimit_key *a, const struct ratelimit_key *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, sizeof a->addr) == 0;
}

static struct set *set_of(struct ratelimit *rl, const struct ratelimit_key *key)
{
	uint8_t packed[1 + sizeof key->addr];
	packed[0] = key->family;
	memcpy(packed + 1, key->addr, sizeof key->addr);
	uint64_t h;
	crypto_shorthash((unsigned char *)&h, packed, sizeof packed, rl->hash_key);
	return &rl->sets[h & (rl->n_sets - 1)];
}

/* The key's bucket, or a new full one in a free way or in place of the
 * bucket seen least recently. Under the set's lock. */
static struct bucket *bucket_find(struct set *s, const struct ratelimit_key *key, int64_t now_ms,
				  uint64_t capacity)
{
	struct bucket *victim = &s->ways[0];
	for (struct bucket *b = s->ways; b < s->ways + WAYS; b++) {
		if (b->used && key_equal(&b->key, key))
			return b;
		if (victim->used && (!b->used || b->last_ms < victim->last_ms))
			victim = b;
	}
	*victim = (struct bucket){ .used = true, .key = *key, .last_ms = now_ms, .units = capacity };
	return victim;
}

static void bucket_refill(struct bucket *b, int64_t now_ms, uint64_t rate, uint64_t capacity)
{
	if (now_ms <= b->last_ms)
		return;
	uint64_t elapsed = (uint64_t)(now_ms - b->last_ms);
	uint64_t missing = capacity - b->units;
	/* Compared before multiplying: a bucket idle for years cannot overflow. */
	b->units = elapsed >= (missing + rate - 1) / rate ? capacity : b->units + elapsed * rate;
	b->last_ms = now_ms;
}

int ratelimit_take(struct ratelimit *rl, const struct ratelimit_key *key, int64_t now_ms,
		   unsigned *ret_retry_after)
{
	struct set *s = set_of(rl, key);
	pthread_mutex_lock(&s->lock);
	struct bucket *b = bucket_find(s, key, now_ms, rl->capacity);
	bucket_refill(b, now_ms, rl->rate, rl->capacity);
	uint64_t units = b->units;
	if (units >= UNITS_PER_TOKEN)
		b->units -= UNITS_PER_TOKEN;
	pthread_mutex_unlock(&s->lock);
	if (units >= UNITS_PER_TOKEN)
		return 0;
	uint64_t wait_ms = (UNITS_PER_TOKEN - units + rl->rate - 1) / rl->rate;
	uint64_t seconds = (wait_ms + 999) / 1000;
	*ret_retry_after = seconds > 0 ? (unsigned)seconds : 1;
	return CAL_E_TOO_MANY;
}

size_t ratelimit_used(struct ratelimit *rl)
{
	size_t n = 0;
	for (size_t i = 0; i < rl->n_sets; i++) {
		pthread_mutex_lock(&rl->sets[i].lock);
		for (size_t w = 0; w < WAYS; w++)
			n += rl->sets[i].ways[w].used;
		pthread_mutex_unlock(&rl->sets[i].lock);
	}
	return n;
}
