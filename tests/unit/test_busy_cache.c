/* The slot pages' busy-interval cache: hits only at the same version and
 * inside the window filled, copies out, bounded by evicting the least
 * recently used user. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "service/busy_cache.h"

static const char *uid(int i)
{
	static char buf[8][40];
	static int k;
	char *s = buf[k++ % 8];
	snprintf(s, 40, "00000000-0000-4000-8000-%012d", i);
	return s;
}

static const struct cal_busy TWO[] = { { 100, 200 }, { 300, 400 } };

Test(busy_cache, hits_at_the_same_version_inside_the_window_only)
{
	struct busy_cache *bc = busy_cache_new(8);
	struct arena *a = arena_new();
	struct cal_busy *got;
	size_t n;
	cr_assert(!busy_cache_get(bc, uid(1), 1, 0, 1000, a, &got, &n), "empty cache");
	busy_cache_put(bc, uid(1), 1, 0, 1000, TWO, 2);
	cr_assert(busy_cache_get(bc, uid(1), 1, 0, 1000, a, &got, &n));
	cr_assert_eq(n, 2);
	cr_assert_eq(got[1].start, 300);
	cr_assert(busy_cache_get(bc, uid(1), 1, 50, 900, a, &got, &n), "a window inside");
	cr_assert(!busy_cache_get(bc, uid(1), 2, 0, 1000, a, &got, &n), "another version");
	cr_assert(!busy_cache_get(bc, uid(1), 1, -1, 1000, a, &got, &n), "starts before the fill");
	cr_assert(!busy_cache_get(bc, uid(1), 1, 0, 1001, a, &got, &n), "ends after the fill");
	cr_assert(!busy_cache_get(bc, uid(2), 1, 0, 1000, a, &got, &n), "another user");
	/* A copy: changing it does not change the cache. */
	cr_assert(busy_cache_get(bc, uid(1), 1, 0, 1000, a, &got, &n));
	got[0].start = 7;
	cr_assert(busy_cache_get(bc, uid(1), 1, 0, 1000, a, &got, &n));
	cr_assert_eq(got[0].start, 100);
	/* A new version replaces the entry; an empty list is a valid entry. */
	busy_cache_put(bc, uid(1), 2, 0, 1000, NULL, 0);
	cr_assert(busy_cache_get(bc, uid(1), 2, 0, 1000, a, &got, &n));
	cr_assert_eq(n, 0);
	cr_assert(!busy_cache_get(bc, uid(1), 1, 0, 1000, a, &got, &n));
	arena_free(a);
	busy_cache_free(bc);
}

Test(busy_cache, full_it_evicts_the_least_recently_used)
{
	enum { MAX = 16 };
	struct busy_cache *bc = busy_cache_new(MAX);
	struct arena *a = arena_new();
	struct cal_busy *got;
	size_t n;
	for (int i = 0; i < MAX; i++)
		busy_cache_put(bc, uid(i), 1, 0, 1000, TWO, 2);
	cr_assert(busy_cache_get(bc, uid(0), 1, 0, 1000, a, &got, &n)); /* 0 is now the freshest */
	busy_cache_put(bc, uid(MAX), 1, 0, 1000, TWO, 2);                /* evicts 1 */
	cr_assert(!busy_cache_get(bc, uid(1), 1, 0, 1000, a, &got, &n));
	cr_assert(busy_cache_get(bc, uid(0), 1, 0, 1000, a, &got, &n));
	cr_assert(busy_cache_get(bc, uid(MAX), 1, 0, 1000, a, &got, &n));
	/* Many more users than room: every one still findable right after
	 * its put, and the table never holds more than MAX. */
	for (int i = 100; i < 2000; i++) {
		busy_cache_put(bc, uid(i), 1, 0, 1000, TWO, 2);
		cr_assert(busy_cache_get(bc, uid(i), 1, 0, 1000, a, &got, &n), "user %d", i);
	}
	int held = 0;
	for (int i = 0; i < 2000; i++)
		held += busy_cache_get(bc, uid(i), 1, 0, 1000, a, &got, &n);
	cr_assert_eq(held, MAX);
	arena_free(a);
	busy_cache_free(bc);
}

Test(busy_cache, none_is_a_cache_that_never_hits)
{
	struct arena *a = arena_new();
	struct cal_busy *got;
	size_t n;
	cr_assert_null(busy_cache_new(0));
	busy_cache_put(NULL, uid(1), 1, 0, 10, TWO, 2);
	cr_assert(!busy_cache_get(NULL, uid(1), 1, 0, 10, a, &got, &n));
	busy_cache_free(NULL);
	arena_free(a);
}
