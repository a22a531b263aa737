/*
 * cal_ics_write: neutral events to RFC 5545 text.
 *
 * Everything is checked before anything is written, so the only failures
 * while writing are size and memory. Vocabulary values (CLASS, PARTSTAT,
 * ACTION, ...) are written in their canonical upper-case form; RRULEs are
 * parsed and written back by model/recurrence.h, which both validates them
 * and keeps a rule from smuggling text into the file. An attendee without
 * an e-mail address is written as "invalid:nomail", as Outlook does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/ics_internal.h"
#include "model/recurrence.h"

#define PRODID "-//ERP Core//calendard//ES"


/* The canonical spelling of s, "" when s is NULL (nothing to write), NULL
 * when s is not in v. */
static const char *canon(const char *s, const struct ics_vocab *v)
{
	return s ? ics_vocab_find(v, s) : "";
}

/* ---- checks --------------------------------------------------------------- */

static bool time_ok(const struct cal_ics_time *t, struct cal_tzdb *tzdb)
{
	struct cal_civil c;
	const struct cal_tz *tz;
	switch (t->kind) {
	case CAL_ICS_UTC:
		return cal_epoch_to_civil_utc(t->utc, &c) == 0;
	case CAL_ICS_ZONED:
		return t->tzid && cal_civil_valid(&t->local) && cal_tz_name_valid(t->tzid) &&
		       cal_tzdb_get(tzdb, t->tzid, &tz) == 0;
	case CAL_ICS_FLOATING:
	case CAL_ICS_DATE:
		return cal_civil_valid(&t->local);
	}
	return false;
}

static bool times_ok(const struct cal_ics_time *v, size_t n, struct cal_tzdb *tzdb)
{
	for (size_t i = 0; i < n; i++)
		if (!time_ok(&v[i], tzdb))
			return false;
	return true;
}

static int check_times(const struct cal_ics_event *ev, struct cal_tzdb *tzdb,
		       struct cal_error *err)
{
	if (!time_ok(&ev->start, tzdb))
		return cal_error_field(err, "start", "invalid time or unknown time zone");
	if (!time_ok(&ev->end, tzdb))
		return cal_error_field(err, "end", "invalid time or unknown time zone");
	if ((ev->end.kind == CAL_ICS_DATE) != (ev->start.kind == CAL_ICS_DATE) ||
	    ev->end.utc < ev->start.utc)
		return cal_error_field(err, "end", "must not be before the start, of the same type");
	if (ev->has_recurrence_id && !time_ok(&ev->recurrence_id, tzdb))
		return cal_error_field(err, "recurrenceId", "invalid time or unknown time zone");
	if (!times_ok(ev->exdates, ev->n_exdates, tzdb))
		return cal_error_field(err, "exdates", "invalid time or unknown time zone");
	if (!times_ok(ev->rdates, ev->n_rdates, tzdb))
		return cal_error_field(err, "rdates", "invalid time or unknown time zone");
	return 0;
}

static int check_people(const struct cal_ics_event *ev, struct cal_error *err)
{
	for (size_t i = 0; i < ev->n_attendees; i++) {
		const struct cal_ics_attendee *at = &ev->attendees[i];
		if (!canon(at->partstat, &ics_partstats) || !canon(at->role, &ics_roles))
			return cal_error_field(err, "attendees", "unknown PARTSTAT or ROLE");
	}
	for (size_t i = 0; i < ev->n_alarms; i++) {
		const struct cal_ics_alarm *al = &ev->alarms[i];
		if (!al->action || !canon(al->action, &ics_actions) ||
		    al->minutes_before > ICS_ALARM_MINUTES_MAX || al->minutes_before < -ICS_ALARM_MINUTES_MAX)
			return cal_error_field(err, "alarms", "unknown action or trigger out of range");
	}
	return 0;
}

static int check_event(const struct cal_ics_event *ev, struct cal_tzdb *tzdb,
		       struct cal_error *err)
{
	if (!ev->uid || !ev->uid[0])
		return cal_error_field(err, "uid", "is required");
	if (ev->sequence < 0 || ev->sequence > INT32_MAX)
		return cal_error_field(err, "sequence", "out of range");
	if (!canon(ev->klass, &ics_classes) || !canon(ev->transp, &ics_transps))
		return cal_error_field(err, "class", "unknown CLASS or TRANSP");
	if (ev->dtstamp < CAL_CIVIL_EPOCH_MIN || ev->dtstamp > CAL_CIVIL_EPOCH_MAX ||
	    ev->last_modified < CAL_CIVIL_EPOCH_MIN || ev->last_modified > CAL_CIVIL_EPOCH_MAX)
		return cal_error_field(err, "dtstamp", "out of range");
	int rc = check_times(ev, tzdb, err);
	return rc < 0 ? rc : check_people(ev, err);
}

static bool rrule_ok(const char *text)
{
	_cleanup_(cal_rule_freep) struct cal_rule *rule = NULL;
	return cal_rule_parse(text, NULL, &rule, NULL) == 0;
}

static bool is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '-'))
			return false;
	return true;
}

/* ---- zones used ----------------------------------------------------------- */

struct zone_use {
	const char *name;
	const struct cal_tz *tz;
	int year_min, year_max;
};

struct zone_list {
	struct zone_use *v;
	size_t n, cap;
};

static void zone_list_release(struct zone_list *z)
{
	free(z->v);
}

static int zone_note(struct zone_list *z, struct cal_tzdb *tzdb, const struct cal_ics_time *t)
{
	if (t->kind != CAL_ICS_ZONED)
		return 0;
	int y = t->local.year;
	for (size_t i = 0; i < z->n; i++) {
		if (strcmp(z->v[i].name, t->tzid) == 0) {
			z->v[i].year_min = y < z->v[i].year_min ? y : z->v[i].year_min;
			z->v[i].year_max = y > z->v[i].year_max ? y : z->v[i].year_max;
			return 0;
		}
	}
	if (z->n == z->cap) {
		size_t cap = z->cap ? z->cap * 2 : 8;
		struct zone_use *v = realloc(z->v, cap * sizeof(*v));
		if (!v)
			return CAL_E_NOMEM;
		z->v = v;
		z->cap = cap;
	}
	const struct cal_tz *tz;
	if (cal_tzdb_get(tzdb, t->tzid, &tz) < 0)
		return CAL_E_INTERNAL; /* time_ok said it loads */
	z->v[z->n++] = (struct zone_use){ .name = t->tzid, .tz = tz, .year_min = y, .year_max = y };
	return 0;
}

static int zone_note_all(struct zone_list *z, struct cal_tzdb *tzdb, const struct cal_ics_event *ev)
{
	int rc = zone_note(z, tzdb, &ev->start);
	rc = rc < 0 ? rc : zone_note(z, tzdb, &ev->end);
	if (rc == 0 && ev->has_recurrence_id)
		rc = zone_note(z, tzdb, &ev->recurrence_id);
	for (size_t i = 0; rc == 0 && i < ev->n_exdates; i++)
		rc = zone_note(z, tzdb, &ev->exdates[i]);
	for (size_t i = 0; rc == 0 && i < ev->n_rdates; i++)
		rc = zone_note(z, tzdb, &ev->rdates[i]);
	return rc;
}

static int cmp_zone(const void *a, const void *b)
{
	return strcmp(((const struct zone_use *)a)->name, ((const struct zone_use *)b)->name);
}

/* ---- writing -------------------------------------------------------------- */

/* The second occurrence of a repeated wall-clock time (01:30 EST on the
 * night New York falls back) cannot be written as TZID + local time, which
 * reads as the first one (RFC 5545 section 3.3.5): such a time is written
 * in UTC. A utc that is no reading of local at all is ignored: local is
 * what a zoned time says. */
static bool needs_utc(const struct cal_ics_time *t, struct cal_tzdb *tzdb)
{
	const struct cal_tz *tz;
	struct cal_civil back;
	int64_t first;
	if (t->kind != CAL_ICS_ZONED || cal_tzdb_get(tzdb, t->tzid, &tz) < 0 ||
	    cal_tz_local_to_utc(tz, &t->local, &first) < 0 || first == t->utc)
		return false;
	return cal_tz_utc_to_local(tz, t->utc, &back) == 0 &&
	       memcmp(&back, &t->local, sizeof(back)) == 0;
}

static void put_time(struct ics_writer *w, struct cal_tzdb *tzdb, const char *name,
		     const struct cal_ics_time *t)
{
	struct cal_civil c = t->local;
	enum ics_dt kind = ICS_DT_LOCAL;
	ics_w_begin(w, name);
	if (t->kind == CAL_ICS_UTC || needs_utc(t, tzdb)) {
		(void)cal_epoch_to_civil_utc(t->utc, &c);
		kind = ICS_DT_UTC;
	} else if (t->kind == CAL_ICS_ZONED) {
		ics_w_param(w, "TZID", t->tzid);
	} else if (t->kind == CAL_ICS_DATE) {
		ics_w_param(w, "VALUE", "DATE");
		kind = ICS_DT_DATE;
	}
	ics_w_datetime(w, &c, kind);
	ics_w_end(w);
}

static void put_stamp(struct ics_writer *w, const char *name, int64_t utc)
{
	put_time(w, NULL, name, &(struct cal_ics_time){ .kind = CAL_ICS_UTC, .utc = utc });
}

static void put_text(struct ics_writer *w, const char *name, const char *value)
{
	if (!value)
		return;
	ics_w_begin(w, name);
	ics_w_text(w, value);
	ics_w_end(w);
}

static void put_int(struct ics_writer *w, const char *name, int64_t v)
{
	char text[24];
	(void)snprintf(text, sizeof(text), "%lld", (long long)v);
	ics_w_line(w, name, text);
}

static void put_address(struct ics_writer *w, const char *email)
{
	if (!email) {
		ics_w_raw(w, "invalid:nomail");
		return;
	}
	ics_w_raw(w, "mailto:");
	ics_w_append(w, email);
}

static void put_organizer(struct ics_writer *w, const struct cal_ics_event *ev)
{
	if (!ev->organizer_email)
		return;
	ics_w_begin(w, "ORGANIZER");
	if (ev->organizer_name)
		ics_w_param_quoted(w, "CN", ev->organizer_name);
	put_address(w, ev->organizer_email);
	ics_w_end(w);
}

static void put_attendee(struct ics_writer *w, const struct cal_ics_attendee *at)
{
	ics_w_begin(w, "ATTENDEE");
	if (at->name)
		ics_w_param_quoted(w, "CN", at->name);
	if (at->role)
		ics_w_param(w, "ROLE", canon(at->role, &ics_roles));
	if (at->partstat)
		ics_w_param(w, "PARTSTAT", canon(at->partstat, &ics_partstats));
	if (at->rsvp)
		ics_w_param(w, "RSVP", "TRUE");
	put_address(w, at->email);
	ics_w_end(w);
}

/* TRIGGER relative to the start: "-PT15M" is 15 minutes before. */
static void put_alarm(struct ics_writer *w, const struct cal_ics_event *ev,
		      const struct cal_ics_alarm *al)
{
	const char *action = canon(al->action, &ics_actions);
	int64_t m = al->minutes_before;
	char trigger[32];
	if (m == 0)
		(void)snprintf(trigger, sizeof(trigger), "PT0S");
	else
		(void)snprintf(trigger, sizeof(trigger), "%sPT%lldM", m > 0 ? "-" : "",
			       (long long)(m > 0 ? m : -m));
	ics_w_line(w, "BEGIN", "VALARM");
	ics_w_line(w, "ACTION", action);
	ics_w_line(w, "TRIGGER", trigger);
	if (strcmp(action, "AUDIO") != 0)
		put_text(w, "DESCRIPTION", ev->summary ? ev->summary : "Reminder");
	if (strcmp(action, "EMAIL") == 0)
		put_text(w, "SUMMARY", ev->summary ? ev->summary : "Reminder");
	ics_w_line(w, "END", "VALARM");
}

static void put_rrule(struct ics_writer *w, const char *rrule)
{
	_cleanup_(cal_rule_freep) struct cal_rule *rule = NULL;
	if (cal_rule_parse(rrule, NULL, &rule, NULL) < 0) {
		ics_w_fail(w, CAL_E_INVALID);
		return;
	}
	_cleanup_(freep) char *text = cal_rule_format(rule);
	if (!text)
		ics_w_fail(w, CAL_E_NOMEM);
	else
		ics_w_line(w, "RRULE", text);
}

static void put_dates(struct ics_writer *w, struct cal_tzdb *tzdb,
		      const struct cal_ics_event *ev)
{
	put_time(w, tzdb, "DTSTART", &ev->start);
	if (ev->end.utc > ev->start.utc)
		put_time(w, tzdb, "DTEND", &ev->end);
	if (ev->has_recurrence_id)
		put_time(w, tzdb, "RECURRENCE-ID", &ev->recurrence_id);
	if (ev->rrule)
		put_rrule(w, ev->rrule);
	for (size_t i = 0; i < ev->n_rdates; i++)
		put_time(w, tzdb, "RDATE", &ev->rdates[i]);
	for (size_t i = 0; i < ev->n_exdates; i++)
		put_time(w, tzdb, "EXDATE", &ev->exdates[i]);
}

static void put_event(struct ics_writer *w, struct cal_tzdb *tzdb, const struct cal_ics_event *ev)
{
	ics_w_line(w, "BEGIN", "VEVENT");
	put_text(w, "UID", ev->uid);
	put_int(w, "SEQUENCE", ev->sequence);
	put_stamp(w, "DTSTAMP", ev->dtstamp);
	put_dates(w, tzdb, ev);
	put_text(w, "SUMMARY", ev->summary);
	put_text(w, "DESCRIPTION", ev->description);
	put_text(w, "LOCATION", ev->location);
	if (ev->klass)
		ics_w_line(w, "CLASS", canon(ev->klass, &ics_classes));
	if (ev->transp)
		ics_w_line(w, "TRANSP", canon(ev->transp, &ics_transps));
	if (ev->cancelled)
		ics_w_line(w, "STATUS", "CANCELLED");
	if (ev->last_modified)
		put_stamp(w, "LAST-MODIFIED", ev->last_modified);
	put_organizer(w, ev);
	for (size_t i = 0; i < ev->n_attendees; i++)
		put_attendee(w, &ev->attendees[i]);
	for (size_t i = 0; i < ev->n_alarms; i++)
		put_alarm(w, ev, &ev->alarms[i]);
	ics_w_line(w, "END", "VEVENT");
}

static void put_calendar(struct ics_writer *w, struct cal_tzdb *tzdb,
			 const struct cal_ics_calendar *cal, const struct zone_list *zones)
{
	ics_w_line(w, "BEGIN", "VCALENDAR");
	ics_w_line(w, "PRODID", PRODID);
	ics_w_line(w, "VERSION", "2.0");
	ics_w_line(w, "CALSCALE", "GREGORIAN");
	if (cal->method)
		ics_w_line(w, "METHOD", cal->method);
	for (size_t i = 0; i < zones->n; i++)
		ics_w_vtimezone(w, zones->v[i].tz, zones->v[i].year_min, zones->v[i].year_max);
	for (size_t i = 0; i < cal->n_events; i++)
		put_event(w, tzdb, &cal->events[i]);
	ics_w_line(w, "END", "VCALENDAR");
}

static int check_all(const struct cal_ics_calendar *cal, struct cal_tzdb *tzdb,
		     struct zone_list *zones, struct cal_error *err)
{
	if (cal->method && !is_token(cal->method))
		return cal_error_field(err, "method", "must be a token such as PUBLISH");
	for (size_t i = 0; i < cal->n_events; i++) {
		const struct cal_ics_event *ev = &cal->events[i];
		int rc = check_event(ev, tzdb, err);
		if (rc == 0 && ev->rrule && !rrule_ok(ev->rrule))
			rc = cal_error_field(err, "rrule", "is not a valid RRULE");
		rc = rc < 0 ? rc : zone_note_all(zones, tzdb, ev);
		if (rc < 0)
			return rc;
	}
	if (zones->n > 1)
		qsort(zones->v, zones->n, sizeof(*zones->v), cmp_zone);
	return 0;
}

int cal_ics_write(const struct cal_ics_calendar *cal, struct cal_tzdb *tzdb, struct strbuf *out,
		  struct cal_error *err)
{
	_cleanup_(zone_list_release) struct zone_list zones = { 0 };
	int rc = check_all(cal, tzdb, &zones, err);
	if (rc < 0)
		return rc;
	_cleanup_(ics_w_release) struct ics_writer w;
	ics_w_init(&w, out->max - out->len);
	put_calendar(&w, tzdb, cal, &zones);
	if (w.rc < 0)
		return w.rc == CAL_E_TOO_LARGE ? cal_error_set(err, w.rc, "the calendar is too large")
					       : w.rc;
	return strbuf_add(out, w.out.buf, w.out.len);
}

int cal_ics_time_make(enum cal_ics_time_kind kind, int64_t utc, const struct cal_tz *tz,
		      struct cal_ics_time *ret)
{
	struct cal_ics_time t = { .kind = kind, .utc = utc };
	int rc = CAL_E_INVALID;
	if (kind == CAL_ICS_ZONED && tz) {
		rc = cal_tz_utc_to_local(tz, utc, &t.local);
		t.tzid = cal_tz_name(tz);
	} else if (kind == CAL_ICS_UTC || kind == CAL_ICS_FLOATING ||
		   (kind == CAL_ICS_DATE && utc % 86400 == 0)) {
		rc = cal_epoch_to_civil_utc(utc, &t.local);
	}
	if (rc < 0)
		return CAL_E_INVALID;
	*ret = t;
	return 0;
}
