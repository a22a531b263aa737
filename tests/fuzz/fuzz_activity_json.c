/* libFuzzer: any bytes as an activity body must be refused cleanly or
 * applied into an activity with its required fields — never crash, leak or
 * read out of bounds. */
#include <stddef.h>
#include <stdint.h>

#include "api/activity_json.h"
#include "api/json_fields.h"
#include "model/activity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(body) || json_depth(body) > 8) {
		json_decref(body);
		return 0;
	}
	struct arena *a = arena_new();
	struct cal_limits lim = CAL_LIMITS_DEFAULT;
	struct cal_activity_input in;
	struct cal_error err = { 0 };
	if (activity_json_parse(body, a, &in, &err) == 0) {
		struct cal_activity act = { 0 };
		if (cal_activity_apply(&act, &in, true, &lim, &err) == 0 &&
		    (!act.summary || !*act.summary || !act.res_model || !act.res_id))
			__builtin_trap();
		err = (struct cal_error){ 0 };
		(void)cal_activity_apply(&act, &in, false, &lim, &err);
	}
	arena_free(a);
	json_decref(body);
	return 0;
}
