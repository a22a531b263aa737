/* Recurring events inside the service: turning a client's rule into a
 * stored series, naming occurrences, and expanding series into the
 * occurrences of a window. Occurrence ids are "<seriesId>_<YYYYMMDDTHHMMSSZ>"
 * of the ORIGINAL start, so an occurrence keeps its id when it is moved. */
#ifndef CAL_SERVICE_SERIES_H
#define CAL_SERVICE_SERIES_H

#include "base/arena.h"
#include "base/errors.h"
#include "model/event.h"
#include "model/recurrence.h"
#include "service/app.h"
#include "service/events.h"

enum { OCCURRENCE_ID_LEN = CAL_UUID_LEN + 1 + 16 };

/* Formats into the arena; NULL when out of memory. */
const char *occurrence_id_format(struct arena *a, const char *series_id, int64_t original_start);
/* "<uuid>_<YYYYMMDDTHHMMSSZ>" → parts; false for anything else. */
bool occurrence_id_parse(const char *text, cal_uuid *ret_series, int64_t *ret_original_start);

/* Applies the recurrence part of `in` (recurring, recurrenceConfig, rrule,
 * exdates) to `e`, whose times, zone and all-day flag are already final:
 * validates the rule against the start, stores the canonical RRULE, the
 * structured form when it can say it, the EXDATEs as original starts, and
 * the series end. A rule that does not recur any more makes `e` single. */
int series_apply(struct app *app, struct arena *a, struct cal_event *e,
		 const struct cal_event_input *in, bool creating, struct cal_error *err);
/* Recomputes the structured form and the series end after the start,
 * zone or rule of a stored series changed. */
int series_refresh(struct app *app, struct arena *a, struct cal_event *e, struct cal_error *err);

/* The expansion view of a stored series. `rule` must be freed with
 * cal_rule_free. */
int series_load(struct app *app, const struct cal_event *e, struct cal_rule **ret_rule,
		struct cal_series *ret);

/* An occurrence of `master` as an event of its own (borrowing the master's
 * strings; times replaced). */
struct cal_event *occurrence_event(struct arena *a, const struct cal_event *master,
				   const struct cal_instance *inst);

#endif
