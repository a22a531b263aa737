/* libFuzzer: the availability column form. Anything must be refused
 * cleanly or read into a valid availability; what is read must format to
 * text that reads back to the same availability and formats the same.
 * Parsing fills a zeroed value, unused slots stay zero, so memcmp is
 * equality. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "model/appointment.h"

/* What cal_availability_add promises: sorted, in range, no overlaps. */
static bool valid(const struct cal_availability *av)
{
	for (int d = 0; d < CAL_WEEK_DAYS; d++) {
		if (av->n[d] < 0 || av->n[d] > CAL_AVAIL_RANGES_MAX)
			return false;
		for (int i = 0; i < av->n[d]; i++) {
			const struct cal_avail_range *r = &av->ranges[d][i];
			if (r->from < 0 || r->from >= r->to || r->to > CAL_DAY_MINUTES ||
			    (i > 0 && av->ranges[d][i - 1].to > r->from))
				return false;
		}
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct cal_availability av, again;
	if (cal_availability_parse(text, &av) == 0) {
		if (!valid(&av))
			__builtin_trap();
		struct arena *a = arena_new();
		char *out = a ? cal_availability_format(a, &av) : NULL;
		if (out) {
			if (cal_availability_parse(out, &again) != 0 ||
			    memcmp(&av, &again, sizeof av) != 0)
				__builtin_trap();
			char *out2 = cal_availability_format(a, &again);
			if (out2 && strcmp(out, out2) != 0)
				__builtin_trap();
		}
		arena_free(a);
	}
	free(text);
	return 0;
}
