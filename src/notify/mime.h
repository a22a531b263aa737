/* One e-mail as RFC 5322 text (CRLF line ends, MIME 1.0), ready for SMTP:
 * the outbox stores exactly these bytes and the worker sends them as they
 * are, so rendering is a pure function of struct cal_mail — the same input
 * gives the same bytes, and a retried delivery is the same message.
 *
 * Shape, with an iMIP calendar object (RFC 6047):
 *   multipart/mixed
 *     multipart/alternative
 *       text/plain; charset=UTF-8
 *       text/html; charset=UTF-8                 (when html is set)
 *       text/calendar; charset=UTF-8; method=M    <- what Gmail and Outlook
 *     application/ics; name="invite.ics"            read for their RSVP buttons
 *                                                  (attachment, for the rest)
 * which is also the shape Google Calendar sends. Without ics:
 * multipart/alternative(text/plain, text/html), or a single text/plain part
 * when html is NULL.
 *
 * Header safety: every free-text header value (subject, display names) has
 * CR, LF and every other control character (C0, DEL, C1) turned into a
 * space and invalid UTF-8 replaced by U+FFFD, so no value can start a
 * header of its own; non-ASCII text becomes RFC 2047 encoded-words
 * (UTF-8, "B"), folded so that header lines stay within 78 characters and
 * no UTF-8 sequence is split across encoded-words. Addresses are not
 * repaired but checked (see cal_mail_addr_valid). */
#ifndef CAL_NOTIFY_MIME_H
#define CAL_NOTIFY_MIME_H

#include <stdbool.h>
#include <stdint.h>

#include "base/strbuf.h"

/* All strings borrowed; NULL means absent. */
struct cal_mail {
	const char *from_addr, *from_name; /* from_addr required */
	const char *to_addr, *to_name;	   /* to_addr required */
	const char *reply_to;		   /* an address */
	const char *subject;		   /* NULL: empty subject */
	const char *message_id;		   /* required, without <>, e.g. "key@calendard" */
	const char *in_reply_to;	   /* a message id without <>; also sent as References */
	const char *lang;		   /* Content-Language, e.g. "es" or "es-MX" */
	const char *text;		   /* required: the plain text body (LF or CRLF) */
	const char *html;		   /* the HTML alternative */
	const char *ics;		   /* an iCalendar object with METHOD, or NULL */
	const char *ics_method;		   /* REQUEST, CANCEL or REPLY; required with ics */
	int64_t date;			   /* epoch seconds, shown in UTC ("+0000") */
};

/* Appends the whole message to out (whose cap applies: CAL_E_TOO_LARGE).
 * CAL_E_INVALID when a required field is missing, an address or message
 * id is not valid, ics_method is not one of the three or differs from the
 * METHOD property of ics (RFC 6047 section 2.4 wants them equal), or the
 * date is outside years 1..9999. CAL_E_TOO_LARGE also for a subject or
 * display name over 16 KiB. A lang that is not a language tag
 * ([A-Za-z0-9-], at most 35) is left out rather than failing the message.
 * On failure out is as it was before the call. */
int cal_mail_render(const struct cal_mail *m, struct strbuf *out);

/* An address we put in a header: local@domain, one "@", at most 254
 * characters, the local part an RFC 5322 dot-atom (letters, digits,
 * !#$%&'*+/=?^_`{|}~- and single inner dots) and the domain dot-separated
 * labels of letters, digits and '-'. So no spaces, controls, quotes,
 * commas, angle brackets or non-ASCII (we do not speak SMTPUTF8). The same
 * rule checks message ids. */
bool cal_mail_addr_valid(const char *addr);

#endif
