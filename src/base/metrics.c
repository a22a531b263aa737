/* Prometheus metrics. */
#include "base/metrics.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

static const double bucket_bounds[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
					0.05,   0.1,   0.25,   0.5,   1,    2.5 };
enum { N_BUCKETS = sizeof bucket_bounds / sizeof bucket_bounds[0], N_CLASSES = 5 };

struct slot {
	atomic_uint_fast64_t requests[N_CLASSES]; /* 1xx..5xx */
	atomic_uint_fast64_t buckets[N_BUCKETS];  /* non-cumulative; summed on render */
	atomic_uint_fast64_t count;
	atomic_uint_fast64_t sum_us;
	atomic_uint_fast64_t rate_limited;
};

struct metrics {
	const char *const *labels;
	size_t n;
	struct slot slots[];
};

struct metrics *metrics_new(const char *const *labels, size_t n)
{
	struct metrics *m = calloc(1, sizeof *m + n * sizeof(struct slot));
	if (!m)
		return NULL;
	m->labels = labels;
	m->n = n;
	return m;
}

void metrics_free(struct metrics *m) { free(m); }

void metrics_observe(struct metrics *m, size_t slot, int status, double seconds)
{
	if (!m || slot >= m->n)
		return;
	struct slot *s = &m->slots[slot];
	int cls = status / 100 - 1;
	if (cls >= 0 && cls < N_CLASSES)
		atomic_fetch_add_explicit(&s->requests[cls], 1, memory_order_relaxed);
	size_t b = 0;
	while (b < N_BUCKETS && seconds > bucket_bounds[b])
		b++;
	if (b < N_BUCKETS)
		atomic_fetch_add_explicit(&s->buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->sum_us, (uint_fast64_t)(seconds * 1e6), memory_order_relaxed);
}

void metrics_rate_limited(struct metrics *m, size_t slot)
{
	if (m && slot < m->n)
		atomic_fetch_add_explicit(&m->slots[slot].rate_limited, 1, memory_order_relaxed);
}

int metrics_render(const struct metrics *m, struct strbuf *out)
{
	int r = strbuf_puts(out, "# HELP calendard_http_requests_total HTTP requests by route and status class.\n"
				 "# TYPE calendard_http_requests_total counter\n");
	for (size_t i = 0; r == 0 && i < m->n; i++)
		for (int c = 0; r == 0 && c < N_CLASSES; c++) {
			uint_fast64_t v = atomic_load_explicit(&m->slots[i].requests[c], memory_order_relaxed);
			if (v)
				r = strbuf_printf(out, "calendard_http_requests_total{%s,status=\"%dxx\"} %llu\n",
						  m->labels[i], c + 1, (unsigned long long)v);
		}
	if (r == 0)
		r = strbuf_puts(out, "# HELP calendard_http_request_duration_seconds Request latency by route.\n"
				     "# TYPE calendard_http_request_duration_seconds histogram\n");
	for (size_t i = 0; r == 0 && i < m->n; i++) {
		const struct slot *s = &m->slots[i];
		uint_fast64_t count = atomic_load_explicit(&s->count, memory_order_relaxed);
		if (!count)
			continue;
		uint_fast64_t cumulative = 0;
		for (int b = 0; r == 0 && b < N_BUCKETS; b++) {
			cumulative += atomic_load_explicit(&s->buckets[b], memory_order_relaxed);
			r = strbuf_printf(out, "calendard_http_request_duration_seconds_bucket{%s,le=\"%g\"} %llu\n",
					  m->labels[i], bucket_bounds[b], (unsigned long long)cumulative);
		}
		if (r == 0)
			r = strbuf_printf(out,
					  "calendard_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %llu\n"
					  "calendard_http_request_duration_seconds_sum{%s} %.6f\n"
					  "calendard_http_request_duration_seconds_count{%s} %llu\n",
					  m->labels[i], (unsigned long long)count, m->labels[i],
					  (double)atomic_load_explicit(&s->sum_us, memory_order_relaxed) / 1e6,
					  m->labels[i], (unsigned long long)count);
	}
	if (r == 0)
		r = strbuf_puts(out, "# HELP calendard_http_rate_limited_total Requests refused by the per-client rate limit.\n"
				     "# TYPE calendard_http_rate_limited_total counter\n");
	for (size_t i = 0; r == 0 && i < m->n; i++) {
		uint_fast64_t v = atomic_load_explicit(&m->slots[i].rate_limited, memory_order_relaxed);
		if (v)
			r = strbuf_printf(out, "calendard_http_rate_limited_total{%s} %llu\n", m->labels[i],
					  (unsigned long long)v);
	}
	return r;
}
