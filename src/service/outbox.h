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

/* A recipient as messages about an event need them: a user's own
 * language, zone and phone; for anyone else Spanish, the event's zone and
 * a partner's phone. */
struct outbox_person {
	const char *email, *name, *lang, *zone, *phone; /* phone may be NULL */
	cal_uuid user_id;                               /* empty: not a user */
};
void outbox_person_of(struct store_conn *c, struct arena *a, const struct cal_event *e,
		      const struct cal_attendee *at, struct outbox_person *ret);
/* When the occurrence of `e` that begins at `begins` happens, in words, in
 * `zone` (or the event's); "" when it cannot be said. */
const char *outbox_when(struct app *app, struct arena *a, const struct cal_event *e, int64_t begins,
			const char *lang, const char *zone);

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

/* Delivery, for jobs/outbox.c; each call is one transaction.
 *
 * outbox_claim leases a batch of due messages to the caller: as many as
 * can be sent one after the other within the lease (lease / send
 * timeout, at most 16), or a message waiting its turn could outlive its
 * lease and be sent by a second worker too. With fewer than that, it also
 * says when the next message is due. */
struct outbox_batch {
	struct store_outbox_msg *msgs;
	size_t n;
	bool full;      /* as many as a batch holds: claim again at once */
	bool has_next;  /* !full: the next due time is known */
	int64_t next_due;
};
int outbox_claim(struct app *app, struct arena *a, struct outbox_batch *ret);
/* Records one attempt at `m`: delivered (an in-app message becomes its
 * notification row here, in the transaction that marks it sent, so it
 * exists exactly once), or failed: due again after an exponential backoff
 * with jitter, or failed for good when `permanent` or out of attempts
 * (*ret_gave_up). */
int outbox_record(struct app *app, struct arena *a, const struct store_outbox_msg *m, bool sent,
		  bool permanent, const char *error, bool *ret_gave_up);

#endif
