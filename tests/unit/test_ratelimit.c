/* http/ratelimit: the token bucket's arithmetic on a clock given by the
 * test, Retry-After, keys of IPv4 and IPv6 peers, eviction from the fixed
 * table, and the lock under contention. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "base/errors.h"
#include "http/ratelimit.h"

static struct ratelimit *limiter(unsigned per_minute, unsigned burst, size_t entries)
{
	struct ratelimit *rl = NULL;
	const struct ratelimit_options o = { .per_minute = per_minute, .burst = burst, .entries = entries };
	cr_assert_eq(ratelimit_new(&o, &rl), 0);
	return rl;
}

static struct ratelimit_key v4(const char *text)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(40000) };
	cr_assert_eq(inet_pton(AF_INET, text, &sa.sin_addr), 1, "%s", text);
	return ratelimit_key_of((const struct sockaddr *)&sa);
}

static struct ratelimit_key v6(const char *text)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(40000) };
	cr_assert_eq(inet_pton(AF_INET6, text, &sa.sin6_addr), 1, "%s", text);
	return ratelimit_key_of((const struct sockaddr *)&sa);
}

/* 0 when allowed, else the Retry-After seconds. */
static unsigned take(struct ratelimit *rl, struct ratelimit_key k, int64_t now_ms)
{
	unsigned retry = 0;
	int r = ratelimit_take(rl, &k, now_ms, &retry);
	if (r == 0)
		return 0;
	cr_assert_eq(r, CAL_E_TOO_MANY);
	cr_assert_geq(retry, 1u);
	return retry;
}

static unsigned allowed_in_a_row(struct ratelimit *rl, struct ratelimit_key k, int64_t now_ms)
{
	unsigned n = 0;
	while (n < 100000 && take(rl, k, now_ms) == 0)
		n++;
	return n;
}

Test(ratelimit, options_must_be_positive)
{
	struct ratelimit *rl = NULL;
	cr_assert_eq(ratelimit_new(&(struct ratelimit_options){ .per_minute = 0, .burst = 5, .entries = 8 }, &rl),
		     CAL_E_INVALID);
	cr_assert_eq(ratelimit_new(&(struct ratelimit_options){ .per_minute = 5, .burst = 0, .entries = 8 }, &rl),
		     CAL_E_INVALID);
	cr_assert_null(rl);
	ratelimit_free(NULL);
}

Test(ratelimit, a_new_address_has_the_whole_burst_and_no_more)
{
	struct ratelimit *rl = limiter(60, 5, 64);
	struct ratelimit_key a = v4("192.0.2.1");
	cr_assert_eq(allowed_in_a_row(rl, a, 1000), 5);
	cr_assert_eq(take(rl, a, 1000), 1, "60 a minute: the next token is a second away");
	/* A long idle time fills the bucket to the burst, never beyond. */
	cr_assert_eq(allowed_in_a_row(rl, a, 1000 + 3600 * 1000), 5);
	cr_assert_eq(allowed_in_a_row(rl, a, INT64_MAX / 2), 5, "years of idleness do not overflow");
	ratelimit_free(rl);
}

Test(ratelimit, refill_is_exact_to_the_millisecond)
{
	struct ratelimit *rl = limiter(60, 5, 64);
	struct ratelimit_key a = v4("192.0.2.2");
	cr_assert_eq(allowed_in_a_row(rl, a, 0), 5);
	cr_assert_eq(take(rl, a, 999), 1);
	cr_assert_eq(take(rl, a, 1000), 0, "one token a second");
	cr_assert_eq(take(rl, a, 1000), 1);
	/* Refused requests cost nothing: the token still comes on time. */
	for (int64_t t = 1001; t < 2000; t += 7)
		cr_assert_eq(take(rl, a, t), 1);
	cr_assert_eq(take(rl, a, 2000), 0);

	/* A request every 10 ms for a minute: the burst, then 60 a minute,
	 * nothing lost to rounding over 6000 small refills. */
	struct ratelimit_key b = v4("192.0.2.3");
	unsigned passed = 0;
	for (int64_t t = 0; t <= 60000; t += 10)
		passed += take(rl, b, t) == 0;
	cr_assert_eq(passed, 5 + 60);

	/* 7 a minute does not divide a minute in whole milliseconds; asked
	 * every millisecond for ten minutes, the bucket (never full again)
	 * gives exactly 70 more. */
	struct ratelimit *odd = limiter(7, 2, 8);
	unsigned n = 0;
	for (int64_t t = 0; t <= 600000; t += 1)
		n += take(odd, a, t) == 0;
	cr_assert_eq(n, 2 + 70);
	ratelimit_free(odd);
	ratelimit_free(rl);
}

Test(ratelimit, retry_after_is_whole_seconds_until_a_token_rounded_up)
{
	/* One request at 0 spends the only token; another at `at_ms` waits. */
	static const struct {
		unsigned per_minute;
		int64_t at_ms;
		unsigned want;
	} cases[] = {
		{ 1, 0, 60 },      { 1, 59001, 1 }, /* 999 ms left */
		{ 6, 2500, 8 },    /* a token every 10 s: 7.5 s left */
		{ 6, 9000, 1 },    { 7, 0, 9 },     /* 8571.4 ms */
		{ 120, 0, 1 },     { 60, 400, 1 },  /* 500 ms, 600 ms */
		{ 100000, 0, 1 },  /* 0.6 ms: still 1 s, never 0 */
	};
	struct ratelimit_key a = v4("198.51.100.1");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ratelimit *rl = limiter(cases[i].per_minute, 1, 8);
		cr_assert_eq(take(rl, a, 0), 0);
		unsigned got = take(rl, a, cases[i].at_ms);
		cr_assert_eq(got, cases[i].want, "%u a minute, at %lld ms: %u", cases[i].per_minute,
			     (long long)cases[i].at_ms, got);
		ratelimit_free(rl);
	}

	struct ratelimit *slow = limiter(1, 1, 8);
	cr_assert_eq(take(slow, a, 59001), 0);
	cr_assert_eq(take(slow, a, 59000), 60, "time going back counts as none passed");
	cr_assert_eq(take(slow, a, 119000), 1);
	cr_assert_eq(take(slow, a, 119001), 0);
	ratelimit_free(slow);
}

Test(ratelimit, keys_of_ipv4_and_ipv6_peers)
{
	struct ratelimit_key k4 = v4("1.2.3.4");
	cr_assert_eq(k4.family, 4);
	struct ratelimit_key same_bytes = v6("102:304::");
	cr_assert_eq(same_bytes.family, 6);
	cr_assert_neq(memcmp(&k4, &same_bytes, sizeof k4), 0, "IPv6 0102:0304:: is not IPv4 1.2.3.4");
	struct ratelimit_key mapped = v6("::ffff:1.2.3.4");
	cr_assert_eq(memcmp(&k4, &mapped, sizeof k4), 0, "an IPv4-mapped IPv6 peer is the IPv4 client");
	struct ratelimit_key host1 = v6("2001:db8:1:2::1"), host2 = v6("2001:db8:1:2:aaaa:bbbb:cccc:dddd");
	cr_assert_eq(memcmp(&host1, &host2, sizeof host1), 0, "one /64, one client");
	struct ratelimit_key other = v6("2001:db8:1:3::1");
	cr_assert_neq(memcmp(&host1, &other, sizeof host1), 0);

	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct ratelimit_key none = ratelimit_key_of(NULL), local = ratelimit_key_of((const struct sockaddr *)&un);
	cr_assert_eq(none.family, 0);
	cr_assert_eq(memcmp(&none, &local, sizeof none), 0, "other families share one bucket");

	struct ratelimit *rl = limiter(60, 2, 64);
	cr_assert_eq(allowed_in_a_row(rl, k4, 0), 2);
	cr_assert_eq(allowed_in_a_row(rl, mapped, 0), 0);
	cr_assert_eq(allowed_in_a_row(rl, same_bytes, 0), 2);
	cr_assert_eq(allowed_in_a_row(rl, host2, 0), 2);
	cr_assert_eq(allowed_in_a_row(rl, host1, 0), 0);
	cr_assert_eq(allowed_in_a_row(rl, other, 0), 2);
	cr_assert_eq(allowed_in_a_row(rl, v4("1.2.3.5"), 0), 2);
	ratelimit_free(rl);
}

Test(ratelimit, a_full_set_evicts_the_address_seen_least_recently)
{
	/* Eight buckets: one set, so which address lands where is known. */
	struct ratelimit *rl = limiter(60, 1, 8);
	struct ratelimit_key a = v4("203.0.113.1");
	cr_assert_eq(take(rl, a, 0), 0);
	char ip[32];
	for (int i = 0; i < 7; i++) {
		snprintf(ip, sizeof ip, "203.0.113.%d", 10 + i);
		cr_assert_eq(take(rl, v4(ip), 10 + i), 0);
	}
	cr_assert_eq(ratelimit_used(rl), 8);
	cr_assert_eq(take(rl, a, 100), 1, "still remembered: the set had room");
	/* a was just seen; the next newcomer replaces 203.0.113.10. */
	cr_assert_eq(take(rl, v4("203.0.113.99"), 200), 0);
	cr_assert_eq(take(rl, a, 300), 1, "the most recently seen address stays");
	cr_assert_eq(take(rl, v4("203.0.113.11"), 300), 1);
	cr_assert_eq(take(rl, v4("203.0.113.10"), 300), 0, "evicted: it starts again with a full bucket");
	cr_assert_eq(ratelimit_used(rl), 8);
	ratelimit_free(rl);
}

Test(ratelimit, the_table_stays_its_size_whatever_the_number_of_addresses)
{
	struct ratelimit *rl = limiter(1, 1, RATELIMIT_ENTRIES);
	struct ratelimit_key busy = v4("192.0.2.200");
	cr_assert_eq(take(rl, busy, 0), 0);
	for (uint32_t i = 0; i < 200000; i++) {
		int64_t now = 1 + i / 10;
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x0a000000u + i) };
		take(rl, ratelimit_key_of((const struct sockaddr *)&sa), now);
		/* An address that keeps calling is never the stalest of its set,
		 * so the flood does not hand it a fresh bucket. */
		if (i % 256 == 0)
			cr_assert_neq(take(rl, busy, now), 0, "after %u addresses", i);
	}
	size_t used = ratelimit_used(rl);
	cr_assert_leq(used, RATELIMIT_ENTRIES);
	cr_assert_geq(used, RATELIMIT_ENTRIES * 99 / 100, "the keyed hash spreads addresses over every set: %zu", used);
	ratelimit_free(rl);
}

struct hammer {
	struct ratelimit *rl;
	struct ratelimit_key key;
	unsigned passed;
};

static void *hammer_run(void *arg)
{
	struct hammer *h = arg;
	for (int i = 0; i < 20000; i++) {
		unsigned retry;
		if (ratelimit_take(h->rl, &h->key, 5000, &retry) == 0)
			h->passed++;
	}
	return NULL;
}

Test(ratelimit, threads_share_one_bucket_without_losing_count)
{
	struct ratelimit *rl = limiter(60, 1000, RATELIMIT_ENTRIES);
	enum { N = 8 };
	struct hammer h[N];
	pthread_t t[N];
	for (int i = 0; i < N; i++) {
		h[i] = (struct hammer){ .rl = rl, .key = v4("192.0.2.77") };
		cr_assert_eq(pthread_create(&t[i], NULL, hammer_run, &h[i]), 0);
	}
	unsigned total = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		total += h[i].passed;
	}
	cr_assert_eq(total, 1000, "exactly the burst passes at one instant");
	ratelimit_free(rl);
}
