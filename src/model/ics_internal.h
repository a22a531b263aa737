/*
 * Internals shared by the ics_*.c files (never included outside model/):
 * the content-line tree the lexer builds, value parsers, the TZID resolver,
 * and the line writer that export and VTIMEZONE generation share.
 *
 * The tree lives in a scratch arena that import frees at the end; it holds
 * only BEGIN/END structure and the properties import reads (ics_lex.c has
 * the list), with names upper-cased and parameter values unquoted and
 * RFC 6868-decoded.
 */
#ifndef CAL_MODEL_ICS_INTERNAL_H
#define CAL_MODEL_ICS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/civil.h"
#include "base/errors.h"
#include "base/macro.h"
#include "base/strbuf.h"
#include "base/tz.h"
#include "model/ics.h"

/* Longest TZID accepted (Outlook's display names reach about 80). */
#define ICS_TZID_MAX 256
/* An alarm at most this many minutes from its event (about 1900 years):
 * the TRIGGER written for it stays within what import reads back. */
#define ICS_ALARM_MINUTES_MAX INT64_C(999999999)

/* ---- errors (ics_value.c) --------------------------------------------------- */

/* Where client-facing error details go: allocated from a, set in err. */
struct ics_diag {
	struct arena *a;
	struct cal_error *err; /* may be NULL */
};

/* Sets "line N: PROP: <message>" (PROP omitted when NULL) and returns
 * CAL_E_INVALID. */
int ics_fail(const struct ics_diag *d, unsigned line, const char *prop, const char *fmt, ...)
    CAL_PRINTF(4, 5);

/* ---- the content-line tree (ics_lex.c) ------------------------------------- */

struct ics_param {
	const char *name;  /* upper-cased */
	const char *value; /* the first value, unquoted, RFC 6868-decoded */
	struct ics_param *next;
};

struct ics_prop {
	unsigned line; /* of the first physical line */
	const char *name;
	const char *value; /* raw: still escaped */
	struct ics_param *params;
	struct ics_prop *next;
};

struct ics_comp {
	unsigned line; /* of BEGIN */
	const char *name;
	struct ics_prop *props;
	struct ics_comp *children;
	struct ics_comp *next;
	/* lexer bookkeeping */
	struct ics_comp *parent;
	struct ics_prop **props_tail;
	struct ics_comp **children_tail;
};

/* Lexes the whole text into *ret_root, a nameless component whose children
 * are the VCALENDARs. Checks the byte limit, UTF-8, control characters,
 * content-line syntax, BEGIN/END nesting and the component limit. */
int ics_lex(const char *text, size_t len, const struct cal_ics_limits *lim, struct arena *scratch,
	    const struct ics_diag *d, struct ics_comp **ret_root);

/* The value of a parameter, or NULL. */
const char *ics_param(const struct ics_prop *p, const char *name);
/* The first property with this name, or NULL. */
const struct ics_prop *ics_prop_find(const struct ics_comp *c, const char *name);

/* ---- values (ics_value.c) -------------------------------------------------- */

enum ics_dt { ICS_DT_DATE, ICS_DT_LOCAL, ICS_DT_UTC };

/* "YYYYMMDD", "YYYYMMDDTHHMMSS" or the same with "Z"; a real calendar
 * date, hours 00-23, seconds up to 60. */
bool ics_parse_datetime(const char *s, size_t n, struct cal_civil *ret, enum ics_dt *ret_kind);

/* A DURATION: nominal days (weeks included) and exact seconds, both with the
 * sign of the whole value. */
struct ics_duration {
	int64_t days;
	int64_t seconds;
};
bool ics_parse_duration(const char *s, struct ics_duration *ret);

/* "+0100", "-0530", "+013045". */
bool ics_parse_utc_offset(const char *s, int32_t *ret_seconds);

/* Decimal in [min, max], optional sign. */
bool ics_parse_int(const char *s, int64_t min, int64_t max, int64_t *ret);

/* TEXT unescaping (\n \N \, \; \\); NULL when out of memory. */
char *ics_unescape_text(struct arena *a, const char *s);

/* Length (1-4) of the valid UTF-8 sequence at s (n bytes available), or 0
 * when s does not start one (overlong forms, surrogates, > U+10FFFF). */
size_t ics_utf8_len(const unsigned char *s, size_t n);

bool ics_name_eq(const char *a, const char *b); /* ASCII case-insensitive */

/* The values ics.h promises for CLASS, TRANSP, PARTSTAT, ROLE and ACTION. */
struct ics_vocab {
	const char *const *names;
	size_t n;
};
extern const struct ics_vocab ics_classes, ics_transps, ics_partstats, ics_roles, ics_actions;

/* The canonical spelling of s (any case) in v, or NULL. */
const char *ics_vocab_find(const struct ics_vocab *v, const char *s);

/* ---- TZID resolution (ics_zone.c) ------------------------------------------ */

struct ics_zones;

/* root is the lexed tree (its VTIMEZONEs are looked up by TZID); everything
 * is allocated from scratch. */
struct ics_zones *ics_zones_new(struct arena *scratch, struct cal_tzdb *tzdb,
				const struct ics_comp *root, unsigned zones_max);

/* Resolves a TZID used at `line` by `prop` for a time in year `year`
 * (VTIMEZONE matching looks at the years around it). Results are cached. */
int ics_zones_resolve(struct ics_zones *z, const char *tzid, int year, unsigned line,
		      const char *prop, const struct ics_diag *d, const struct cal_tz **ret_tz);

/* An IANA or Windows name (no VTIMEZONE involved), or NULL. */
const struct cal_tz *ics_zone_by_name(struct cal_tzdb *tzdb, const char *name);

/* Maps a Windows zone name to an IANA one with ICU (into buf); false when
 * ICU does not know it. */
bool ics_windows_zone(const char *name, char *buf, size_t size);

/* The IANA zone whose offsets reproduce a VTIMEZONE's around `year`
 * (ics_vtzmatch.c); CAL_E_NOT_FOUND when none does, CAL_E_INVALID (with a
 * detail) when the VTIMEZONE itself is broken. */
int ics_vtimezone_match(const struct ics_comp *vtz, const char *tzid, int year,
			struct cal_tzdb *tzdb, struct arena *scratch, const struct ics_diag *d,
			const struct cal_tz **ret_tz);

/* ---- import (ics_import.c, ics_import_time.c) ----------------------------- */

struct ics_skip {
	struct cal_ics_skipped s;
	struct ics_skip *next;
};

struct ics_import {
	struct arena *a; /* the caller's: everything returned */
	struct arena *scratch;
	struct cal_tzdb *tzdb;
	const struct cal_ics_limits *lim;
	const struct ics_diag *d;
	struct ics_zones *zones;
	struct ics_skip *skips, **skips_tail;
	size_t n_skips;
};

/* A DATE or DATE-TIME value of p (s, n bytes: one value of a list). */
int ics_read_time_value(struct ics_import *im, const struct ics_prop *p, const char *s, size_t n,
			struct cal_ics_time *ret);
int ics_read_time(struct ics_import *im, const struct ics_prop *p, struct cal_ics_time *ret);
/* t + dur (nominal days, exact seconds); CAL_E_INVALID out of range. */
int ics_time_add(const struct ics_import *im, const struct cal_ics_time *t,
		 const struct ics_duration *dur, struct cal_ics_time *ret);

/* Lists a component import leaves out; 0 or CAL_E_NOMEM. */
int ics_skip(struct ics_import *im, unsigned line, const char *component, const char *reason);
int ics_read_event(struct ics_import *im, const struct ics_comp *c, struct cal_ics_event *ret);

/* ---- writing (ics_writer.c) ------------------------------------------------ */

/* A line writer with a sticky error: after the first failure every call is
 * a no-op and rc keeps the error. */
struct ics_writer {
	struct strbuf out;
	struct strbuf line;
	int rc;
};

void ics_w_init(struct ics_writer *w, size_t max);
void ics_w_release(struct ics_writer *w);
/* Starts a content line "NAME". */
void ics_w_begin(struct ics_writer *w, const char *name);
/* ";NAME=value", value written as is (the caller knows it is safe). */
void ics_w_param(struct ics_writer *w, const char *name, const char *value);
/* ";NAME="value"", RFC 6868-encoded; control characters dropped. */
void ics_w_param_quoted(struct ics_writer *w, const char *name, const char *value);
/* ":value" with TEXT escaping (section 3.3.11). */
void ics_w_text(struct ics_writer *w, const char *value);
/* ":value" with control characters dropped (URIs, tokens). */
void ics_w_raw(struct ics_writer *w, const char *value);
/* More of a RAW value, after ics_w_raw. */
void ics_w_append(struct ics_writer *w, const char *value);
/* ":YYYYMMDD[THHMMSS[Z]]" */
void ics_w_datetime(struct ics_writer *w, const struct cal_civil *c, enum ics_dt kind);
/* Folds the line at 75 octets, appends it with CRLF. */
void ics_w_end(struct ics_writer *w);
/* A whole "NAME:value" line, the value written as is. */
void ics_w_line(struct ics_writer *w, const char *name, const char *value);
void ics_w_fail(struct ics_writer *w, int rc);

/* ---- VTIMEZONE generation (ics_tzgen.c) ----------------------------------- */

/* Writes a VTIMEZONE for tz whose observances are right for every instant of
 * the years year_min..year_max and continue with the zone's rule after. */
void ics_w_vtimezone(struct ics_writer *w, const struct cal_tz *tz, int year_min, int year_max);

#endif
