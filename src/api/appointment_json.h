/* JSON ⇄ appointment types, slots and bookings
 * (docs/internals/appointments.md). */
#ifndef CAL_API_APPOINTMENT_JSON_H
#define CAL_API_APPOINTMENT_JSON_H

#include <jansson.h>

#include "base/jsonw.h"
#include "service/appointments.h"

int appointment_type_json_parse(json_t *body, struct arena *a, struct appointment_type_input *ret,
				struct cal_error *err);
/* The admin's view (`full`) or the public page's: no company, no
 * settings the visitor has no use for, assignees by name only. */
void appointment_type_json_write(struct jsonw *w, const struct cal_appointment_type *t, bool full);
const char *appointment_type_etag(struct arena *a, const struct cal_appointment_type *t);

void appointment_slots_json_write(struct jsonw *w, const struct appointment_slots_result *s);

int appointment_book_json_parse(json_t *body, struct arena *a, struct appointment_book_request *ret,
				struct cal_error *err);
void appointment_booking_json_write(struct jsonw *w, const struct appointment_booking_view *v,
				    const char *public_url);

/* An instant as RFC 3339 with the zone's offset ("2026-12-01T16:00:00+01:00"). */
void appointment_local_format(const struct cal_tz *tz, int64_t t, char ret[32]);

#endif
