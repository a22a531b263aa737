/* libFuzzer: RRULE text is untrusted; parsing, checking and expanding any
 * rule must stay bounded and never crash, and what parses must format to
 * text that parses back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/recurrence.h"

static int count_instance(const struct cal_instance *inst, void *ctx)
{
	(void)inst;
	return ++*(int *)ctx >= 200;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cal_tzdb *db;
	static const struct cal_tz *tz;
	if (!db && (cal_tzdb_new(NULL, &db) < 0 || cal_tzdb_get(db, "America/New_York", &tz) < 0))
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct cal_rule *rule = NULL;
	struct cal_error err = { 0 };
	struct cal_rule_limits lim = CAL_RULE_LIMITS_DEFAULT;
	lim.search_steps_max = 2000; /* keep each input fast */
	if (cal_rule_parse(text, &lim, &rule, &err) == 0) {
		char *again = cal_rule_format(rule);
		struct cal_rule *back = NULL;
		struct cal_error err2 = { 0 };
		if (!again || cal_rule_parse(again, &lim, &back, &err2) != 0)
			__builtin_trap();
		struct cal_series s = { .rule = rule, .start_local = { 2024, 3, 10, 2, 30, 0 }, .tz = tz,
					.duration = 3600 };
		struct cal_error err3 = { 0 };
		if (cal_series_check(&s, &err3) == 0) {
			int n = 0;
			(void)cal_series_expand(&s, 1700000000, 1900000000, count_instance, &n);
		}
		cal_rule_free(back);
		free(again);
	}
	cal_rule_free(rule);
	free(text);
	return 0;
}
