/* Events as JSON: the spec's camelCase DTO in, the event (or the busy
 * block a caller may see) out. */
#ifndef CAL_API_EVENT_JSON_H
#define CAL_API_EVENT_JSON_H

#include <jansson.h>

#include "base/arena.h"
#include "base/errors.h"
#include "base/jsonw.h"
#include "model/event.h"
#include "service/events.h"

/* Reads a create/update body. Strings stay borrowed from `body`. */
int event_json_parse(json_t *body, struct arena *a, const struct cal_limits *lim,
		     struct cal_event_input *ret, struct cal_error *err);
/* Writes only what the view allows: the full event, or the busy block. The
 * busy block is an allow-list, so a new field cannot leak by default. */
void event_json_write(struct jsonw *w, const struct event_view *v);
/* The ETag of an event version: "\"v<version>\"" in the arena. */
const char *event_etag(struct arena *a, const struct event_view *v);

#endif
