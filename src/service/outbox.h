/* Writing notifications into the outbox, inside the caller's transaction:
 * the message is rendered now (template, MIME, iCalendar) and delivered
 * later by jobs/outbox.c. Nothing here sends anything. */
#ifndef CAL_SERVICE_OUTBOX_H
#define CAL_SERVICE_OUTBOX_H

#include "base/arena.h"
#include "model/acl.h"
#include "notify/template.h"
#include "service/app.h"
#include "store/store.h"

struct outbox_mail {
	const char *kind;       /* also the template's name: "invitation", "reminder", ... */
	const char *key;        /* idempotency key: the same key is written once */
	const cal_uuid *company_id;
	const char *to_addr, *to_name;
	const char *lang;       /* "es" or "en"; NULL: "es" */
	const struct cal_tpl_var *vars;
	size_t n_vars;
	const char *ics, *ics_method; /* an iMIP part, or NULL */
};

int outbox_mail(struct store_conn *c, struct app *app, struct arena *a, const struct outbox_mail *m);

struct outbox_note {
	const char *kind, *key;
	const cal_uuid *company_id, *user_id, *event_id; /* event_id may be NULL */
	const char *title, *body, *link;                 /* body, link may be NULL */
};

int outbox_in_app(struct store_conn *c, struct app *app, const struct outbox_note *n);

int outbox_sms(struct store_conn *c, struct app *app, const char *kind, const char *key,
	       const cal_uuid *company_id, const char *phone, const char *text);

/* The caller's company's messages, newest first, for an admin (others:
 * CAL_E_FORBIDDEN). `status` is a status name or NULL. */
int outbox_admin_list(struct app *app, struct arena *a, const struct cal_principal *who,
		      const char *status, const char *recipient, unsigned limit,
		      struct cal_error *err, struct store_outbox_msg **ret, size_t *ret_n);

/* The in-app payload, read back by the worker. */
int outbox_note_parse(struct arena *a, const char *payload, struct cal_notification *ret);

#endif
