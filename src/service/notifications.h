/* In-app notifications: the caller's list, marking one read, and what is
 * new since a moment (the live stream polls this). Written only by the
 * outbox worker delivering in_app messages (jobs/outbox.c). */
#ifndef CAL_SERVICE_NOTIFICATIONS_H
#define CAL_SERVICE_NOTIFICATIONS_H

#include "base/arena.h"
#include "base/errors.h"
#include "model/acl.h"
#include "service/app.h"
#include "store/store.h"

struct notifications_page {
	struct cal_notification *items;
	size_t n;
	const char *next_cursor; /* NULL on the last page */
};

/* Newest first. `cursor` is opaque, from a previous page (NULL: the first);
 * a malformed one is a field error on "cursor". limit 0: the default. */
int notifications_list(struct app *app, struct arena *a, const struct cal_principal *who,
		       bool unread_only, const char *cursor, unsigned limit, struct cal_error *err,
		       struct notifications_page *ret);
/* CAL_E_NOT_FOUND unless the notification is the caller's. */
int notifications_mark_read(struct app *app, const struct cal_principal *who, const char *id,
			    struct cal_error *err);
/* Oldest first, created at or after `since` (epoch seconds), at most
 * `limit`; the caller drops the ones it already has (same-second rows). */
int notifications_since(struct app *app, struct arena *a, const char *user_id, int64_t since,
			unsigned limit, struct cal_notification **ret, size_t *ret_n);

#endif
