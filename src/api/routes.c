/* The one table of routes. The dispatcher (http/dispatch.c) does auth, body
 * limits and parsing, ETag/If-Match and problem+json for every entry;
 * docs/openapi.json documents every entry (a test checks both ways). */
#include "api/activities.h"
#include "api/appointment_page.h"
#include "api/appointments.h"
#include "api/auth.h"
#include "api/events.h"
#include "api/health.h"
#include "api/ical.h"
#include "api/handler.h"
#include "api/notifications.h"
#include "api/outbox.h"
#include "api/rsvp.h"

const struct route api_routes[] = {
	{ .method = "GET", .path = "/livez", .handler = api_livez, .auth = AUTH_PUBLIC, .summary = "Liveness" },
	{ .method = "GET", .path = "/readyz", .handler = api_readyz, .auth = AUTH_PUBLIC, .summary = "Readiness (checks the store)" },
	{ .method = "GET", .path = "/healthz", .handler = api_healthz, .auth = AUTH_PUBLIC, .summary = "Health summary" },
	{ .method = "GET", .path = "/metrics", .handler = api_metrics, .auth = AUTH_PUBLIC, .summary = "Prometheus metrics" },
	{ .method = "GET", .path = "/openapi.json", .handler = api_openapi, .auth = AUTH_PUBLIC, .summary = "This API's OpenAPI document" },
	{ .method = "POST", .path = "/api/v1/auth/login", .handler = api_auth_login, .auth = AUTH_PUBLIC, .body = BODY_JSON, .summary = "Log in with e-mail and password" },
	{ .method = "GET", .path = "/api/v1/me", .handler = api_me, .auth = AUTH_USER, .summary = "The caller" },
	{ .method = "GET", .path = "/api/v1/notifications", .handler = api_notifications_list, .auth = AUTH_USER, .summary = "The caller's in-app notifications, newest first" },
	{ .method = "GET", .path = "/api/v1/notifications/stream", .handler = api_notifications_stream, .auth = AUTH_USER, .token_in_query = true, .summary = "The caller's new in-app notifications as Server-Sent Events" },
	{ .method = "POST", .path = "/api/v1/notifications/:id/read", .handler = api_notifications_read, .auth = AUTH_USER, .summary = "Mark one of the caller's notifications read" },
	{ .method = "POST", .path = "/api/v1/calendar/events", .handler = api_events_create, .auth = AUTH_USER, .body = BODY_JSON, .summary = "Create an event" },
	{ .method = "GET", .path = "/api/v1/calendar/events", .handler = api_events_list, .auth = AUTH_USER, .summary = "List events in a window" },
	{ .method = "GET", .path = "/api/v1/calendar/events/:id", .handler = api_events_get, .auth = AUTH_USER, .summary = "Read an event" },
	{ .method = "PATCH", .path = "/api/v1/calendar/events/:id", .handler = api_events_update, .auth = AUTH_USER, .body = BODY_JSON, .summary = "Change an event" },
	{ .method = "DELETE", .path = "/api/v1/calendar/events/:id", .handler = api_events_delete, .auth = AUTH_USER, .summary = "Delete an event" },
	{ .method = "POST", .path = "/api/v1/calendar/events/:id/respond", .handler = api_events_respond, .auth = AUTH_USER, .body = BODY_JSON, .summary = "Answer an invitation" },
	{ .method = "GET", .path = "/api/v1/calendar/events/:id/ics", .handler = api_ical_event, .auth = AUTH_USER, .summary = "An event (a series with its exceptions) as iCalendar" },
	{ .method = "GET", .path = "/api/v1/calendar/events.ics", .handler = api_ical_range, .auth = AUTH_USER, .summary = "The caller's events in a window as iCalendar" },
	{ .method = "POST", .path = "/api/v1/calendar/import", .handler = api_ical_import, .auth = AUTH_USER, .body = BODY_RAW, .summary = "Import an iCalendar file" },
	{ .method = "POST", .path = "/api/v1/calendar/feed", .handler = api_ical_feed_create, .auth = AUTH_USER, .summary = "Create (or replace) the caller's private subscription feed" },
	{ .method = "DELETE", .path = "/api/v1/calendar/feed", .handler = api_ical_feed_revoke, .auth = AUTH_USER, .summary = "Revoke the caller's subscription feed" },
	{ .method = "GET", .path = "/rsvp/:token/:answer", .handler = api_rsvp_show, .auth = AUTH_PUBLIC, .rate_limited = true, .summary = "An invitation's signed answer link: a page to confirm the answer" },
	{ .method = "POST", .path = "/rsvp/:token/:answer", .handler = api_rsvp_answer, .auth = AUTH_PUBLIC, .rate_limited = true, .summary = "Record the answer of a signed invitation link" },
	{ .method = "GET", .path = "/api/v1/admin/outbox", .handler = api_outbox_list, .auth = AUTH_USER, .summary = "The company's outgoing messages and their delivery state (admins)" },
	{ .method = "GET", .path = "/ical/:feed", .handler = api_ical_feed, .auth = AUTH_PUBLIC, .rate_limited = true, .summary = "A private subscription feed (/ical/<secret>.ics)" },
	{ .method = "POST", .path = "/api/v1/activities", .handler = api_activities_create, .auth = AUTH_USER, .body = BODY_JSON, .summary = "Create an activity (a meeting creates its calendar event)" },
	{ .method = "GET", .path = "/api/v1/activities", .handler = api_activities_list, .auth = AUTH_USER, .summary = "List a record's or a user's activities" },
	{ .method = "GET", .path = "/api/v1/activities/:id", .handler = api_activities_get, .auth = AUTH_USER, .summary = "Read an activity" },
	{ .method = "PATCH", .path = "/api/v1/activities/:id", .handler = api_activities_update, .auth = AUTH_USER, .body = BODY_JSON, .summary = "Change an activity" },
	{ .method = "DELETE", .path = "/api/v1/activities/:id", .handler = api_activities_delete, .auth = AUTH_USER, .summary = "Delete an activity (an open meeting's event too)" },
	{ .method = "POST", .path = "/api/v1/activities/:id/done", .handler = api_activities_done, .auth = AUTH_USER, .body = BODY_RAW, .summary = "Mark an activity done, with optional feedback" },
	{ .method = "POST", .path = "/api/v1/calendar/appointments/types", .handler = api_appointment_types_create, .auth = AUTH_USER, .body = BODY_JSON, .summary = "Create an appointment type (company admins)" },
	{ .method = "GET", .path = "/api/v1/calendar/appointments/types", .handler = api_appointment_types_list, .auth = AUTH_OPTIONAL, .rate_limited = true, .summary = "The caller's company's appointment types, or (no login, ?companySlug=) a company's published ones" },
	{ .method = "GET", .path = "/api/v1/calendar/appointments/types/:id", .handler = api_appointment_types_get, .auth = AUTH_OPTIONAL, .rate_limited = true, .summary = "An appointment type (public view without a login)" },
	{ .method = "PATCH", .path = "/api/v1/calendar/appointments/types/:id", .handler = api_appointment_types_update, .auth = AUTH_USER, .body = BODY_JSON, .summary = "Change an appointment type (company admins)" },
	{ .method = "DELETE", .path = "/api/v1/calendar/appointments/types/:id", .handler = api_appointment_types_delete, .auth = AUTH_USER, .summary = "Deactivate an appointment type (company admins)" },
	{ .method = "GET", .path = "/api/v1/calendar/appointments/types/:id/slots", .handler = api_appointment_slots, .auth = AUTH_PUBLIC, .rate_limited = true, .summary = "Free slots of a published appointment type" },
	{ .method = "POST", .path = "/api/v1/calendar/appointments/book", .handler = api_appointment_book, .auth = AUTH_PUBLIC, .body = BODY_JSON, .rate_limited = true, .summary = "Book a slot (honours Idempotency-Key; never double-books)" },
	{ .method = "GET", .path = "/api/v1/calendar/appointments/bookings/:token", .handler = api_appointment_booking_show, .auth = AUTH_PUBLIC, .rate_limited = true, .summary = "A booking, by the secret of its manage link" },
	{ .method = "POST", .path = "/api/v1/calendar/appointments/bookings/:token", .handler = api_appointment_booking_change, .auth = AUTH_PUBLIC, .body = BODY_JSON, .rate_limited = true, .summary = "Reschedule or cancel a booking, by the secret of its manage link" },
	{ .method = "POST", .path = "/appointments/manage/:token/cancel", .handler = api_appointment_page_cancel, .auth = AUTH_PUBLIC, .rate_limited = true, .summary = "The manage page's cancel button (HTML)" },
	{ .method = "POST", .path = "/appointments/manage/:token/reschedule", .handler = api_appointment_page_reschedule, .auth = AUTH_PUBLIC, .rate_limited = true, .summary = "The manage page's reschedule buttons, ?start=<instant> (HTML)" },
};

const size_t api_routes_count = sizeof api_routes / sizeof api_routes[0];
