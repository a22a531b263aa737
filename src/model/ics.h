/*
 * iCalendar (RFC 5545) import and export of events, through neutral values.
 *
 * The service maps its events to and from the plain structs below; this
 * module knows nothing about the store or the API. Import reads the files
 * that Google Calendar, Outlook (Exchange, Outlook.com), Apple Calendar and
 * Thunderbird write; export writes text those programs read back.
 *
 * Import is all or nothing: a file with one broken line is refused with
 * CAL_E_INVALID and a detail that names the line and the property ("line 42:
 * DTSTART: invalid date-time"), and *ret is left alone. Unknown and X-
 * properties are ignored; VTODO, VJOURNAL, VFREEBUSY and other components
 * are skipped and listed in ret->skipped. Every time is resolved with
 * calendard's own tz engine (base/tz.h): a TZID that is an IANA name is
 * used as is; a Windows name ("Pacific Standard Time") is mapped with ICU's
 * CLDR table; any other TZID must be defined by a VTIMEZONE in the file,
 * which is mapped to the IANA zone whose offsets it reproduces (see
 * ics_zone.c). A TZID that none of this resolves is an error that names it.
 *
 * Why not libical's parser (3.0): it reports no line numbers (a truncated
 * file is just NULL), replaces a value it cannot read by an X-LIC-ERROR
 * property and carries on, accepts dates such as 20241345, and splits an
 * EXDATE list into separate properties. The grammar of RFC 5545 section 3.1
 * is small; this module lexes it strictly (ics_lex.c) and reads only the
 * properties it understands. libical stays in the tests, as an independent
 * reader of what export writes.
 *
 * Export writes CRLF lines folded at 75 octets (never inside a UTF-8
 * sequence), a VTIMEZONE for every zone used, generated from the tz engine,
 * and escapes every text value, so no value can start a line of its own.
 * The output is a function of the input alone (same bytes every time).
 *
 * RRULEs stay text here; import validates them with model/recurrence.h and
 * keeps its canonical form (cal_rule_format), export writes that form too.
 *
 * Limits: struct cal_ics_limits bounds the input size, the components, the
 * lists of one event and the distinct TZIDs; times must lie in years
 * 1..9999, alarms within 999,999,999 minutes of their event, and a
 * VTIMEZONE that has to be matched by its offsets is evaluated with capped
 * rules. A generated VTIMEZONE is exact for at most 200 years from the
 * first one an event touches, and follows the zone's last rule after that.
 *
 * Errors: 0 or a negative CAL_E_* code; CAL_E_INVALID comes with a detail in
 * struct cal_error allocated from the arena given (or static).
 *
 * Thread-safety: no global state; calls on different arenas and output
 * buffers may run concurrently (struct cal_tzdb is thread-safe). Nothing
 * here does I/O or logs, except that the tz engine reads zone files.
 */
#ifndef CAL_MODEL_ICS_H
#define CAL_MODEL_ICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/civil.h"
#include "base/errors.h"
#include "base/strbuf.h"
#include "base/tz.h"

enum cal_ics_time_kind {
	CAL_ICS_UTC,      /* 20240701T160000Z */
	CAL_ICS_ZONED,    /* TZID=America/Los_Angeles:20240701T090000 */
	CAL_ICS_FLOATING, /* 20240701T090000: the same wall clock everywhere */
	CAL_ICS_DATE,     /* VALUE=DATE:20240701 */
};

/* A DTSTART, DTEND, RECURRENCE-ID, EXDATE or RDATE value. */
struct cal_ics_time {
	enum cal_ics_time_kind kind;
	/* UTC and ZONED: the instant (ZONED resolved per RFC 5545 section
	 * 3.3.5: a time in a gap takes the offset before it, a repeated time
	 * is its first occurrence). FLOATING and DATE: the wall clock (midnight
	 * for a date) read as if it were UTC. */
	int64_t utc;
	/* The wall clock (or the date, time zero) as written; for UTC, utc's
	 * civil form. Export writes this for ZONED, FLOATING and DATE, and utc
	 * for UTC; a ZONED time whose utc is the second occurrence of a
	 * repeated local time (local cannot say which) is written in UTC. */
	struct cal_civil local;
	/* ZONED: the IANA name (borrowed from the tzdb or the arena); NULL
	 * otherwise. */
	const char *tzid;
};

struct cal_ics_attendee {
	const char *email;    /* without "mailto:"; NULL when the address is not mailto */
	const char *name;     /* CN, or NULL */
	const char *partstat; /* NEEDS-ACTION | ACCEPTED | DECLINED | TENTATIVE */
	const char *role;     /* CHAIR | REQ-PARTICIPANT | OPT-PARTICIPANT */
	bool rsvp;
};

struct cal_ics_alarm {
	const char *action;     /* DISPLAY | EMAIL | AUDIO */
	int64_t minutes_before; /* before the start; negative: after it */
};

struct cal_ics_event {
	const char *uid;
	int64_t sequence;
	const char *summary, *description, *location; /* unescaped; NULL when absent */
	/* end: DTEND, or DTSTART + DURATION, or the start itself (timed) or
	 * the next day (all-day) when both are absent. Same kind as start. */
	struct cal_ics_time start, end;
	const char *rrule; /* NULL or the canonical RRULE text */
	struct cal_ics_time *exdates;
	size_t n_exdates;
	struct cal_ics_time *rdates; /* RDATE values (dates and date-times, not periods) */
	size_t n_rdates;
	bool has_recurrence_id; /* this VEVENT overrides one instance of a series */
	struct cal_ics_time recurrence_id;
	bool cancelled;        /* STATUS:CANCELLED */
	const char *klass;     /* PUBLIC | PRIVATE | CONFIDENTIAL, or NULL */
	const char *transp;    /* OPAQUE | TRANSPARENT, or NULL */
	const char *organizer_email, *organizer_name;
	struct cal_ics_attendee *attendees;
	size_t n_attendees;
	struct cal_ics_alarm *alarms;
	size_t n_alarms;
	int64_t dtstamp, last_modified; /* UTC instants; 0 when absent */
};

/* A component that import did not turn into an event. */
struct cal_ics_skipped {
	unsigned line;         /* of its BEGIN */
	const char *component; /* "VTODO" */
	const char *reason;
};

struct cal_ics_calendar {
	const char *method;       /* METHOD (PUBLISH, REQUEST, CANCEL, ...) or NULL */
	const char *default_tzid; /* X-WR-TIMEZONE mapped to IANA, or NULL; a hint for floating times */
	struct cal_ics_event *events;
	size_t n_events;
	struct cal_ics_skipped *skipped;
	size_t n_skipped;
};

struct cal_ics_limits {
	size_t bytes_max;        /* size of the text */
	unsigned components_max; /* BEGIN lines, VALARM and VTIMEZONE parts included */
	unsigned attendees_max;  /* per event */
	unsigned alarms_max;     /* per event */
	unsigned exdates_max;    /* EXDATE (and RDATE) values per event */
	unsigned zones_max;      /* distinct TZIDs in one file */
};

#define CAL_ICS_LIMITS_DEFAULT                                                              \
	{                                                                                   \
		.bytes_max = 4 * 1024 * 1024, .components_max = 5000, .attendees_max = 500, \
		.alarms_max = 10, .exdates_max = 1000, .zones_max = 100                     \
	}

/* Parses text (len bytes; need not be NUL-terminated; a UTF-8 BOM is
 * skipped, CRLF or LF line ends). lim NULL means CAL_ICS_LIMITS_DEFAULT.
 * Everything in *ret is allocated from a. On failure *ret is untouched and
 * a may hold allocations that are only reclaimed with it. */
int cal_ics_parse(const char *text, size_t len, const struct cal_ics_limits *lim,
		  struct cal_tzdb *tzdb, struct arena *a, struct cal_ics_calendar *ret,
		  struct cal_error *err);

/* Appends the calendar as RFC 5545 text to out: PRODID, VERSION, METHOD
 * when set, one VTIMEZONE per zone used (sorted by name), then the events in
 * order. Zones are looked up in tzdb. On failure out is unchanged and err
 * (may be NULL; its strings are static) says which event is wrong:
 * CAL_E_INVALID for an event that cannot be written (no UID, an unknown
 * zone, an invalid RRULE, an end before its start, an unknown alarm action),
 * CAL_E_TOO_LARGE when out's cap is reached. */
int cal_ics_write(const struct cal_ics_calendar *cal, struct cal_tzdb *tzdb, struct strbuf *out,
		  struct cal_error *err);

/* Builds a time from an instant: UTC; ZONED in tz (local from the zone,
 * tzid = its name, borrowed from tz); FLOATING and DATE from the wall clock
 * read as UTC (a DATE must be a midnight). CAL_E_INVALID when the instant is
 * out of range, tz is missing for ZONED, or a DATE is not a midnight. */
int cal_ics_time_make(enum cal_ics_time_kind kind, int64_t utc, const struct cal_tz *tz,
		      struct cal_ics_time *ret);

#endif
