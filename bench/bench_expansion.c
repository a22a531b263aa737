/*
 * Expansion rate of the recurrence engine: instances per second, UTC
 * instants out, for the mix of bench/EXPANSION.md (daily, weekly
 * BYDAY=MO,WE,FR, monthly BYDAY=2TU, yearly BYMONTH=3;BYDAY=-1SU, each in
 * America/New_York, Europe/Madrid and Australia/Sydney), every series
 * starting 2024-01-01 09:00 local and expanded over [2024-01-01Z,
 * 2034-01-01Z). bench/expansion_dateutil.py does the same work with
 * python-dateutil and zoneinfo, so the two can be compared line by line.
 *
 * Also times the case the engine is built for: one week of a daily series
 * that started 30 years earlier.
 *
 * Usage: bench_expansion [seconds per case, default 1]
 *        bench_expansion --dump   prints every case's UTC starts, for
 *                                 expansion_dateutil.py --check
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/macro.h"
#include "base/tz.h"
#include "model/recurrence.h"

static const char *const rules[] = {
	"FREQ=DAILY",
	"FREQ=WEEKLY;BYDAY=MO,WE,FR",
	"FREQ=MONTHLY;BYDAY=2TU",
	"FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
};
static const char *const zones[] = { "America/New_York", "Europe/Madrid", "Australia/Sydney" };

/* 2024-01-01T00:00:00Z and 2034-01-01T00:00:00Z. */
#define WINDOW_FROM INT64_C(1704067200)
#define WINDOW_TO INT64_C(2019686400)

struct tally {
	long long n;
	int64_t sum; /* keeps the work observable */
};

static int count(const struct cal_instance *inst, void *ctx)
{
	struct tally *t = ctx;
	t->n++;
	t->sum += inst->start;
	return 0;
}

static int print_start(const struct cal_instance *inst, void *ctx)
{
	bool *first = ctx;
	printf("%s%lld", *first ? "" : ",", (long long)inst->start);
	*first = false;
	return 0;
}

/* One line per case: rule|zone|start,start,... */
static int dump(const struct cal_series *s, const char *text, const char *zone_name)
{
	bool first = true;
	printf("%s|%s|", text, zone_name);
	int rc = cal_series_expand(s, WINDOW_FROM, WINDOW_TO, print_start, &first);
	printf("\n");
	return rc;
}

/* CPU time of this process: the host may be shared, and time spent
 * descheduled is not the engine's. */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Expands s over [from, to) until `seconds` have passed; returns the
 * instances per second and the instances of one expansion. */
static double rate(const struct cal_series *s, int64_t from, int64_t to, double seconds,
		   long long *ret_per_call, double *ret_call_us)
{
	struct tally t = { 0 };
	long long calls = 0;
	double start = now(), elapsed;
	do {
		/* Batches: reading the CPU clock is a system call. */
		for (int i = 0; i < 64; i++) {
			if (cal_series_expand(s, from, to, count, &t) != 0) {
				fprintf(stderr, "expansion failed\n");
				exit(1);
			}
		}
		calls += 64;
		elapsed = now() - start;
	} while (elapsed < seconds);
	*ret_per_call = t.n / calls;
	*ret_call_us = elapsed / (double)calls * 1e6;
	return (double)t.n / elapsed;
}

struct cases {
	struct cal_rule *rules[CAL_ARRAY_SIZE(rules)];
	struct cal_series series[CAL_ARRAY_SIZE(rules) * CAL_ARRAY_SIZE(zones)];
};

static int cases_init(struct cases *c, struct cal_tzdb *db)
{
	size_t k = 0;
	for (size_t i = 0; i < CAL_ARRAY_SIZE(rules); i++) {
		struct cal_error err = { 0 };
		if (cal_rule_parse(rules[i], NULL, &c->rules[i], &err) < 0)
			return -1;
		for (size_t z = 0; z < CAL_ARRAY_SIZE(zones); z++) {
			const struct cal_tz *tz;
			if (cal_tzdb_get(db, zones[z], &tz) < 0)
				return -1;
			c->series[k++] =
			    (struct cal_series){ .rule = c->rules[i],
						 .start_local = { 2024, 1, 1, 9, 0, 0 },
						 .tz = tz,
						 .duration = 3600 };
		}
	}
	return 0;
}

/* Rounds of one expansion of every case, for `seconds`. */
static double mix_rate(const struct cases *c, double seconds, long long *ret_per_round)
{
	struct tally t = { 0 };
	long long rounds = 0;
	double start = now(), elapsed;
	do {
		for (size_t k = 0; k < CAL_ARRAY_SIZE(c->series); k++)
			cal_series_expand(&c->series[k], WINDOW_FROM, WINDOW_TO, count, &t);
		rounds++;
		elapsed = now() - start;
	} while (elapsed < seconds);
	*ret_per_round = t.n / rounds;
	return (double)t.n / elapsed;
}

/* A daily series from 1996, asked about one week of 2026. */
static int old_series(struct cal_tzdb *db, double seconds)
{
	struct cal_rule *r;
	struct cal_error err = { 0 };
	const struct cal_tz *tz;
	if (cal_rule_parse("FREQ=DAILY", NULL, &r, &err) < 0 ||
	    cal_tzdb_get(db, "America/New_York", &tz) < 0)
		return -1;
	struct cal_series s = {
		.rule = r, .start_local = { 1996, 1, 1, 9, 0, 0 }, .tz = tz, .duration = 3600
	};
	long long n;
	double us;
	rate(&s, INT64_C(1780272000), INT64_C(1780876800), seconds, &n, &us);
	printf("30-year-old daily series, one week: %lld instances in %.2f us per query\n", n, us);
	cal_rule_free(r);
	return 0;
}

int main(int argc, char **argv)
{
	bool dumping = argc > 1 && strcmp(argv[1], "--dump") == 0;
	double seconds = argc > 1 && !dumping ? atof(argv[1]) : 1.0;
	struct cal_tzdb *db;
	struct cases c;
	if (cal_tzdb_new(NULL, &db) < 0 || cases_init(&c, db) < 0) {
		fprintf(stderr, "cannot set up the cases\n");
		return 1;
	}
	if (!dumping)
		printf("%-34s %-18s %9s %14s\n", "rule", "zone", "instances", "instances/s");
	for (size_t k = 0; k < CAL_ARRAY_SIZE(c.series); k++) {
		const char *text = rules[k / CAL_ARRAY_SIZE(zones)];
		const char *zone_name = zones[k % CAL_ARRAY_SIZE(zones)];
		if (dumping) {
			if (dump(&c.series[k], text, zone_name) != 0)
				return 1;
			continue;
		}
		long long n;
		double us;
		double v = rate(&c.series[k], WINDOW_FROM, WINDOW_TO, seconds, &n, &us);
		printf("%-34s %-18s %9lld %14.0f\n", text, zone_name, n, v);
	}
	if (!dumping) {
		long long per_round;
		double v = mix_rate(&c, seconds * 3, &per_round);
		printf("%-34s %-18s %9lld %14.0f\n", "mix (rounds of all 12)", "", per_round, v);
		old_series(db, seconds);
	}
	for (size_t i = 0; i < CAL_ARRAY_SIZE(rules); i++)
		cal_rule_free(c.rules[i]);
	cal_tzdb_free(db);
	return 0;
}
