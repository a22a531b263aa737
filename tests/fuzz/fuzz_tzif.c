/* libFuzzer: TZif files are untrusted input; a parsed zone must answer
 * every question without error or out-of-bounds reads. */
#include <stdint.h>

#include "base/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cal_tz *tz;
	if (cal_tz_parse_tzif("Fuzz/Zone", data, size, &tz) != 0)
		return 0;
	static const int64_t probes[] = { -5000000000LL, 0, 1700000000LL, 4102444800LL, 32503680000LL };
	for (unsigned i = 0; i < sizeof probes / sizeof probes[0]; i++) {
		int32_t off;
		bool dst;
		struct cal_civil c;
		int64_t back;
		if (cal_tz_offset_at(tz, probes[i], &off, &dst) == 0 &&
		    cal_tz_utc_to_local(tz, probes[i], &c) == 0)
			(void)cal_tz_local_to_utc(tz, &c, &back);
	}
	cal_tz_free(tz);
	return 0;
}
