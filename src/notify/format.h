/* Human text for notifications in the recipient's language: when an event
 * happens, how long until it starts, and what an attendee answered. The
 * service puts these strings into template variables (event_when,
 * reminder_when, answer), so the templates never format dates themselves.
 *
 * Languages are "es" (the default) and "en"; see cal_notify_lang. Local
 * times come from the project's tz engine (base/tz.h), never from the C
 * library's localtime, so the output depends only on the arguments and the
 * zone data. Everything here is pure and reentrant. */
#ifndef CAL_NOTIFY_FORMAT_H
#define CAL_NOTIFY_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/tz.h"
#include "model/event.h"

/* The language notifications are written in: "en" when lang is "en" or
 * starts with "en-" / "en_" (any case, e.g. "en-US"), otherwise "es" — also
 * for NULL, "" and languages we have no text for. Returns a static string. */
const char *cal_notify_lang(const char *lang);

/* When an event happens, e.g.
 *   es  "martes 1 de diciembre de 2026, 10:00–11:00 (America/Mexico_City)"
 *       "martes 1 de diciembre de 2026, 23:00 – miércoles 2 de diciembre de 2026, 01:00 (…)"
 *       "martes 1 de diciembre de 2026 (todo el día)"
 *       "martes 1 de diciembre de 2026 – jueves 3 de diciembre de 2026 (todo el día)"
 *   en  "Tuesday, December 1, 2026, 10:00–11:00 (America/Mexico_City)" …
 * Timed events (all_day false) use start/end (epoch seconds) shown in tz, with
 * tz's name in parentheses; an end at or before the start shows the start
 * only. All-day events use start_date/end_date_exclusive (days since
 * 1970-01-01, the end exclusive as in the event model) and ignore tz, which
 * may then be NULL; an empty range counts as one day. Times are 24-hour in
 * both languages.
 * Returns 0 and writes a NUL-terminated string to buf; CAL_E_INVALID when a
 * timed event has no tz or an instant or date is outside years 1..9999;
 * CAL_E_TOO_LARGE when buf is too small (256 bytes is always enough). buf is
 * left untouched on failure. */
int cal_format_when(const char *lang, int64_t start, int64_t end, bool all_day, int32_t start_date,
		    int32_t end_date_exclusive, const struct cal_tz *tz, char *buf, size_t len);

/* How long before the event a reminder fires, as the reminder_when text:
 * "en 30 minutos", "en 1 hora", "en 2 días", "en 1 semana" / "in 30
 * minutes", "in 1 hour", ...; 0 is "ahora" / "now". The largest of week,
 * day, hour, minute that divides `minutes` exactly is used, so 90 stays
 * "en 90 minutos" and 1440 becomes "en 1 día" (alarm units are exact
 * multiples of these). CAL_E_INVALID for a negative value; CAL_E_TOO_LARGE
 * when buf is too small (64 bytes is always enough); buf untouched then. */
int cal_format_interval(const char *lang, int64_t minutes, char *buf, size_t len);

/* What an attendee answered, to follow the attendee's name: "aceptó",
 * "rechazó", "respondió «quizás»", "aún no ha respondido" / "accepted",
 * "declined", "tentatively accepted", "has not answered yet". Static
 * string; NULL for a value outside enum cal_partstat. */
const char *cal_format_answer(const char *lang, enum cal_partstat partstat);

#endif
