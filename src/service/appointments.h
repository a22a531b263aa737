/* Appointment use cases (Odoo's appointment module): company admins
 * manage appointment types; anyone may list a company's published types,
 * see their free slots and book one; whoever holds a booking's manage
 * link may see, reschedule or cancel it. docs/internals/appointments.md is
 * the contract. Each call is one transaction; results live in the
 * caller's arena.
 *
 * Double booking is impossible by construction: a booking locks its
 * candidate assignees' rows (store_users_lock), re-reads their calendars
 * and inserts the event and the booking row in that one transaction, and
 * the database refuses two overlapping confirmed bookings of an assignee
 * on its own (CAL_E_SLOT_TAKEN). */
#ifndef CAL_SERVICE_APPOINTMENTS_H
#define CAL_SERVICE_APPOINTMENTS_H

#include "base/arena.h"
#include "base/errors.h"
#include "model/acl.h"
#include "model/appointment.h"
#include "service/app.h"
#include "service/events.h"

/* The fields of a type a client may send; `has` says which came. */
enum appt_field {
	AF_NAME, AF_DESCRIPTION, AF_LOCATION, AF_SLUG, AF_TIMEZONE, AF_DURATION, AF_INTERVAL,
	AF_BUFFER_BEFORE, AF_BUFFER_AFTER, AF_RANGE_DAYS, AF_MIN_HOURS, AF_CANCEL_HOURS,
	AF_REMINDER_HOURS, AF_MAX_PER_DAY, AF_AVAILABILITY, AF_ASSIGNMENT, AF_ALLOW_RESCHEDULE,
	AF_ALLOW_CANCEL, AF_CONFIRMATION_EMAIL, AF_REMINDER_EMAIL, AF_CREATE_OPPORTUNITY,
	AF_PUBLISHED, AF_ASSIGNEES, AF__COUNT
};

struct appointment_type_input {
	bool has[AF__COUNT];
	struct cal_appointment_type v;   /* the values of the fields that came */
	const char *const *assignee_ids; /* as sent; checked against the company */
	size_t n_assignee_ids;
};

int appointment_type_create(struct app *app, struct arena *a, const struct cal_principal *who,
			    const struct appointment_type_input *in, struct cal_error *err,
			    struct cal_appointment_type *ret);
int appointment_type_get(struct app *app, struct arena *a, const struct cal_principal *who,
			 const char *id, struct cal_error *err, struct cal_appointment_type *ret);
int appointment_type_update(struct app *app, struct arena *a, const struct cal_principal *who,
			    const char *id, const struct appointment_type_input *in,
			    struct if_match match, struct cal_error *err,
			    struct cal_appointment_type *ret);
/* Deactivates: bookings keep naming the type; it leaves every list and its
 * slots and booking answer CAL_E_NOT_FOUND. */
int appointment_type_delete(struct app *app, struct arena *a, const struct cal_principal *who,
			    const char *id, struct if_match match, struct cal_error *err);
/* The caller's company's active types (`who` set), or a company's
 * published ones by slug (`who` NULL; an unknown slug lists nothing). */
int appointment_types_list(struct app *app, struct arena *a, const struct cal_principal *who,
			   const char *company_slug, struct cal_error *err,
			   struct cal_appointment_type **ret, size_t *ret_n);
/* A published, active type for the public pages (CAL_E_NOT_FOUND
 * otherwise). */
int appointment_type_public(struct app *app, struct arena *a, const char *id,
			    struct cal_error *err, struct cal_appointment_type *ret);

struct appointment_slots_request {
	const char *type_id;
	const char *from, *to;   /* RFC 3339 instants or dates; NULL: the defaults */
	const char *timezone;    /* display zone; NULL: the type's */
	const char *assignee_id; /* NULL: any */
};

struct appointment_slots_result {
	struct cal_appointment_type type;
	const struct cal_tz *display_tz;
	int64_t from, to; /* the window searched */
	struct cal_slot *slots;
	size_t n;
};

int appointment_slots(struct app *app, struct arena *a, const struct appointment_slots_request *q,
		      struct cal_error *err, struct appointment_slots_result *ret);

struct appointment_book_request {
	const char *type_id, *start;
	const char *customer_name, *customer_email, *customer_phone, *notes;
	const char *assignee_id; /* choice mode */
	const char *timezone, *lang;
	const char *accept_language; /* the request's header, for lang */
	const char *idempotency_key;
};

/* A booking as its holder sees it. */
struct appointment_booking_view {
	struct cal_booking *booking;
	struct cal_appointment_type *type;
	const char *assignee_name;
	const char *manage_token; /* the secret of the manage link */
	bool can_reschedule, can_cancel;
	int64_t change_deadline;
	const char *lang, *zone; /* the customer's */
	const char *when;         /* the appointment's time in words, in lang and zone */
	bool replayed; /* an Idempotency-Key answered again */
};

int appointment_book(struct app *app, struct arena *a, const struct appointment_book_request *q,
		     struct cal_error *err, struct appointment_booking_view *ret);

/* [start, end) in words ("martes 1 de diciembre de 2026, 10:00–10:30
 * (Europe/Madrid)"); "" when it cannot be said. */
const char *appointment_when(struct app *app, struct arena *a, const char *lang, const char *zone,
			     int64_t start, int64_t end);

int appointment_booking_show(struct app *app, struct arena *a, const char *token,
			     struct cal_error *err, struct appointment_booking_view *ret);
int appointment_booking_reschedule(struct app *app, struct arena *a, const char *token,
				   const char *start, struct cal_error *err,
				   struct appointment_booking_view *ret);
int appointment_booking_cancel(struct app *app, struct arena *a, const char *token,
			       struct cal_error *err, struct appointment_booking_view *ret);

/* For service/events.c, inside its transactions: a booking's event was
 * deleted by its organizer (the booking is cancelled, its time free) or
 * moved (the booking follows; CAL_E_SLOT_TAKEN if that overlaps another
 * booking of the assignee). */
int appointments_event_deleted(struct store_conn *c, struct arena *a, const struct cal_event *e);
int appointments_event_moved(struct store_conn *c, struct app *app, struct arena *a,
			     const struct cal_event *e);

#endif
