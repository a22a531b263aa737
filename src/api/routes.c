/* The one table of routes. The dispatcher (http/dispatch.c) does auth, body
 * limits and parsing, ETag/If-Match and problem+json for every entry;
 * docs/openapi.json documents every entry (a test checks both ways). */
#include "api/auth.h"
#include "api/events.h"
#include "api/health.h"
#include "api/ical.h"
#include "api/handler.h"

const struct route api_routes[] = {
	{ .method = "GET", .path = "/livez", .handler = api_livez, .auth = AUTH_PUBLIC, .summary = "Liveness" },
	{ .method = "GET", .path = "/readyz", .handler = api_readyz, .auth = AUTH_PUBLIC, .summary = "Readiness (checks the store)" },
	{ .method = "GET", .path = "/healthz", .handler = api_healthz, .auth = AUTH_PUBLIC, .summary = "Health summary" },
	{ .method = "GET", .path = "/metrics", .handler = api_metrics, .auth = AUTH_PUBLIC, .summary = "Prometheus metrics" },
	{ .method = "GET", .path = "/openapi.json", .handler = api_openapi, .auth = AUTH_PUBLIC, .summary = "This API's OpenAPI document" },
	{ .method = "POST", .path = "/api/v1/auth/login", .handler = api_auth_login, .auth = AUTH_PUBLIC, .body = BODY_JSON, .summary = "Log in with e-mail and password" },
	{ .method = "GET", .path = "/api/v1/me", .handler = api_me, .auth = AUTH_USER, .summary = "The caller" },
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
	{ .method = "GET", .path = "/ical/:feed", .handler = api_ical_feed, .auth = AUTH_PUBLIC, .summary = "A private subscription feed (/ical/<secret>.ics)" },
};

const size_t api_routes_count = sizeof api_routes / sizeof api_routes[0];
