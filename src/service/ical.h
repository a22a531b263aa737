/* iCalendar interop: export an event or a window as RFC 5545 text, import
 * a .ics file (idempotent by UID, updated by a higher SEQUENCE, with a
 * report), and the private subscription feed per user. Importing never
 * notifies anyone. */
#ifndef CAL_SERVICE_ICAL_H
#define CAL_SERVICE_ICAL_H

#include "base/arena.h"
#include "base/errors.h"
#include "base/strbuf.h"
#include "model/acl.h"
#include "service/app.h"
#include "store/store.h"

/* One event (a series with its exceptions), or every event of the caller
 * overlapping [from, to) (RFC 3339 instants or dates). */
int ical_export_event(struct app *app, struct arena *a, const struct cal_principal *who,
		      const char *id, struct strbuf *out, struct cal_error *err);
int ical_export_range(struct app *app, struct arena *a, const struct cal_principal *who,
		      const char *from, const char *to, struct strbuf *out, struct cal_error *err);

struct ical_import_item {
	const char *uid, *id, *reason; /* reason: skipped only */
};

struct ical_import_report {
	struct ical_import_item *created, *updated, *skipped;
	size_t n_created, n_updated, n_skipped;
};

int ical_import(struct app *app, struct arena *a, const struct cal_principal *who,
		const char *text, size_t len, struct ical_import_report *ret, struct cal_error *err);

/* The iTIP body of an e-mail (RFC 5546 over RFC 6047): `method` REQUEST
 * (the event, a series with its exceptions) or CANCEL (STATUS:CANCELLED,
 * SEQUENCE one past the event's). Inside the caller's transaction. */
int ical_itip(struct store_conn *c, struct app *app, struct arena *a, const struct cal_event *e,
	      const char *method, const char **ret_text);

/* A new feed secret for the caller (any previous one stops working); the
 * URL path is "/ical/<secret>.ics". */
int ical_feed_create(struct app *app, struct arena *a, const struct cal_principal *who,
		     const char **ret_secret);
int ical_feed_revoke(struct app *app, const struct cal_principal *who);
/* The feed of the user holding `secret`: 60 days back, 400 days ahead.
 * CAL_E_NOT_FOUND for an unknown or revoked secret. */
int ical_feed_render(struct app *app, struct arena *a, const char *secret, struct strbuf *out);

#endif
