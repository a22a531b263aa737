/* libFuzzer: any bytes as an event body must be refused cleanly or applied
 * into a valid event — never crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>

#include "api/event_json.h"
#include "api/json_fields.h"
#include "base/tz.h"
#include "model/event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cal_tzdb *db;
	static const struct cal_tz *tz;
	if (!db && (cal_tzdb_new(NULL, &db) < 0 || cal_tzdb_get(db, "America/Mexico_City", &tz) < 0))
		return 0;
	json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(body) || json_depth(body) > 8) {
		json_decref(body);
		return 0;
	}
	struct arena *a = arena_new();
	struct cal_limits lim = CAL_LIMITS_DEFAULT;
	struct cal_event_input in;
	struct cal_error err = { 0 };
	if (event_json_parse(body, a, &lim, &in, &err) == 0) {
		struct cal_event e = { 0 };
		e.timezone = "America/Mexico_City";
		if (cal_event_apply(&e, &in, true, tz, &lim, &err) == 0 && e.end < e.start)
			__builtin_trap();
	}
	arena_free(a);
	json_decref(body);
	return 0;
}
