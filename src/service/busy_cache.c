/* The busy-interval cache: open addressing on the user id, a fixed number
 * of slots, and when the table is full the least recently used entry
 * makes room. One mutex: a lookup is a hash, a compare and a copy. */
#include "service/busy_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/uuid.h"

struct entry {
	cal_uuid user;
	int64_t version, from, to;
	struct cal_busy *busy; /* malloc'd */
	size_t n;
	uint64_t used; /* tick of the last get or put */
};

struct busy_cache {
	pthread_mutex_t lock;
	struct entry *slots;
	size_t cap; /* a power of two, twice max_users */
	size_t max_users, count;
	uint64_t tick;
};

static uint64_t hash_id(const char *s)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

struct busy_cache *busy_cache_new(size_t max_users)
{
	if (max_users == 0)
		return NULL;
	struct busy_cache *bc = calloc(1, sizeof *bc);
	size_t cap = 16;
	while (cap < 2 * max_users)
		cap *= 2;
	if (!bc || !(bc->slots = calloc(cap, sizeof *bc->slots))) {
		free(bc);
		return NULL;
	}
	pthread_mutex_init(&bc->lock, NULL);
	bc->cap = cap;
	bc->max_users = max_users;
	return bc;
}

void busy_cache_free(struct busy_cache *bc)
{
	if (!bc)
		return;
	for (size_t i = 0; i < bc->cap; i++)
		free(bc->slots[i].busy);
	free(bc->slots);
	pthread_mutex_destroy(&bc->lock);
	free(bc);
}

/* The slot holding `user`, or the empty slot where it would go. */
static struct entry *find(struct busy_cache *bc, const char *user)
{
	size_t i = (size_t)hash_id(user) & (bc->cap - 1);
	while (bc->slots[i].user.s[0] && strcmp(bc->slots[i].user.s, user) != 0)
		i = (i + 1) & (bc->cap - 1);
	return &bc->slots[i];
}

bool busy_cache_get(struct busy_cache *bc, const char *user_id, int64_t version, int64_t from,
		    int64_t to, struct arena *a, struct cal_busy **ret, size_t *ret_n)
{
	if (!bc)
		return false;
	bool hit = false;
	pthread_mutex_lock(&bc->lock);
	struct entry *e = find(bc, user_id);
	if (e->user.s[0] && e->version == version && e->from <= from && to <= e->to) {
		struct cal_busy *copy = arena_alloc(a, (e->n ? e->n : 1) * sizeof *copy);
		if (copy) {
			if (e->n)
				memcpy(copy, e->busy, e->n * sizeof *copy);
			*ret = copy;
			*ret_n = e->n;
			e->used = ++bc->tick;
			hit = true;
		}
	}
	pthread_mutex_unlock(&bc->lock);
	return hit;
}

/* Removes the entry at `victim`, re-placing the run after it (linear
 * probing has no tombstones). */
static void evict(struct busy_cache *bc, struct entry *victim)
{
	free(victim->busy);
	*victim = (struct entry){ 0 };
	bc->count--;
	size_t i = (size_t)(victim - bc->slots);
	for (size_t j = (i + 1) & (bc->cap - 1); bc->slots[j].user.s[0]; j = (j + 1) & (bc->cap - 1)) {
		struct entry moved = bc->slots[j];
		bc->slots[j] = (struct entry){ 0 };
		*find(bc, moved.user.s) = moved;
	}
}

void busy_cache_put(struct busy_cache *bc, const char *user_id, int64_t version, int64_t from,
		    int64_t to, const struct cal_busy *b, size_t n)
{
	if (!bc || !cal_uuid_valid(user_id))
		return;
	struct cal_busy *copy = malloc((n ? n : 1) * sizeof *copy);
	if (!copy)
		return;
	if (n)
		memcpy(copy, b, n * sizeof *copy);
	pthread_mutex_lock(&bc->lock);
	struct entry *e = find(bc, user_id);
	if (!e->user.s[0] && bc->count >= bc->max_users) {
		struct entry *oldest = NULL;
		for (size_t i = 0; i < bc->cap; i++)
			if (bc->slots[i].user.s[0] && (!oldest || bc->slots[i].used < oldest->used))
				oldest = &bc->slots[i];
		evict(bc, oldest);
		e = find(bc, user_id);
	}
	if (!e->user.s[0]) {
		snprintf(e->user.s, sizeof e->user.s, "%s", user_id);
		bc->count++;
	}
	free(e->busy);
	e->busy = copy;
	e->n = n;
	e->version = version;
	e->from = from;
	e->to = to;
	e->used = ++bc->tick;
	pthread_mutex_unlock(&bc->lock);
}
