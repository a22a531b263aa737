/* Internal to service/appointment_*.c: what the types, slots and booking
 * use cases share. */
#ifndef CAL_SERVICE_APPOINTMENTS_INTERNAL_H
#define CAL_SERVICE_APPOINTMENTS_INTERNAL_H

#include "service/appointments.h"
#include "store/store.h"

/* A published, active type (CAL_E_NOT_FOUND otherwise), with names. */
int appointment_load_public(struct store_conn *c, struct arena *a, const char *id,
			    struct cal_appointment_type *ret);

/* The type's grid in [from, to) (the caller clips it to the booking
 * window) with who is free for each slot, read from the assignees'
 * calendars inside the caller's transaction. `load` is, per assignee, the
 * number of confirmed bookings (of any type) on the local day (type zone)
 * of `from`: auto assignment's "fewest that day" when the window is one
 * slot. `moving` (may be NULL) is a booking being rescheduled: its own
 * event and row do not count against it. `cached`: the assignees' busy
 * time may come from app->busy_cache (the public slot pages; bookings read
 * the calendars themselves). */
struct appointment_scan {
	struct cal_slot *slots;
	size_t n;
	int load[CAL_ASSIGNEES_MAX];
};
int appointment_scan(struct store_conn *c, struct app *app, struct arena *a,
		     const struct cal_appointment_type *t, int64_t from, int64_t to, bool only_free,
		     const struct cal_booking *moving, bool cached, struct cal_error *err,
		     struct appointment_scan *ret);

#endif
