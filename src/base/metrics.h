/* Request counters and latency histograms per route and status class, in
 * Prometheus text format. Lock-free: relaxed atomic counters in a table
 * sized at start-up (one slot per route plus one for unmatched paths). */
#ifndef CAL_BASE_METRICS_H
#define CAL_BASE_METRICS_H

#include <stddef.h>

#include "base/strbuf.h"

struct metrics;

/* `labels[i]` is the label set of slot i, as Prometheus text without the
 * braces (`route="/x",method="GET"`); borrowed, must outlive the metrics. */
struct metrics *metrics_new(const char *const *labels, size_t n);
void metrics_free(struct metrics *m);
void metrics_observe(struct metrics *m, size_t slot, int status, double seconds);
/* A request refused by the per-client rate limit (also observed as its 429). */
void metrics_rate_limited(struct metrics *m, size_t slot);
int metrics_render(const struct metrics *m, struct strbuf *out);

#endif
