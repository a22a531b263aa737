/* libFuzzer: RFC 3339 and date parsing; what parses must format back to a
 * value that parses to the same instant. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	int64_t t, again;
	if (cal_instant_parse(text, &t) == 0) {
		char out[CAL_INSTANT_TEXT];
		cal_instant_format(t, out);
		if (cal_instant_parse(out, &again) != 0 || again != t)
			__builtin_trap();
	}
	int32_t d;
	if (cal_date_parse(text, &d) == 0) {
		char out[CAL_DATE_TEXT];
		cal_date_format(d, out);
		if (strcmp(out, text) != 0)
			__builtin_trap();
	}
	free(text);
	return 0;
}
