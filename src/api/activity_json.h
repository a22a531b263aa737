/* Activities as JSON: the camelCase body in, the activity with its state
 * out, and the short form an event's single read lists. */
#ifndef CAL_API_ACTIVITY_JSON_H
#define CAL_API_ACTIVITY_JSON_H

#include <jansson.h>

#include "base/arena.h"
#include "base/errors.h"
#include "base/jsonw.h"
#include "service/activities.h"

/* Reads a create/update body. Strings stay borrowed from `body`. */
int activity_json_parse(json_t *body, struct arena *a, struct cal_activity_input *ret,
			struct cal_error *err);
void activity_json_write(struct jsonw *w, const struct activity_view *v);
/* {"id", "activityType", "summary", "state", "dueDate"}. */
void activity_json_write_brief(struct jsonw *w, const struct activity_view *v);
/* The ETag of an activity version: "\"v<version>\"" in the arena, the form
 * the dispatcher's If-Match reads. */
const char *activity_etag(struct arena *a, const struct activity_view *v);

#endif
