/*
 * One VEVENT (with its VALARMs) into a struct cal_ics_event.
 *
 * Properties are dispatched through event_props; a property RFC 5545 allows
 * once per event is refused when it comes twice, since picking one would
 * be a guess. DTEND and DURATION wait until DTSTART is known, and alarms
 * until the end is. Values with a fixed vocabulary are normalised to the
 * names ics.h lists: an unknown CLASS reads as PRIVATE (RFC 5545 says to
 * treat it so), an unknown PARTSTAT as NEEDS-ACTION, a NON-PARTICIPANT as
 * OPT-PARTICIPANT. Alarms whose ACTION is not AUDIO, DISPLAY or EMAIL
 * (Apple's ACTION:NONE, PROCEDURE) are skipped and listed.
 */
#include <string.h>
#include <strings.h>

#include "model/ics_internal.h"
#include "model/recurrence.h"

struct event_build {
	struct cal_ics_event ev;
	const struct ics_comp *c;
	const struct ics_prop *dtstart, *dtend, *duration;
	uint32_t seen; /* one bit per event_props row */
};

typedef int (*prop_fn)(struct ics_import *im, const struct ics_prop *p, struct event_build *b);

/* ---- simple properties ---------------------------------------------------- */

/* s in v, or dflt when s is absent or unknown. */
static const char *pick(const char *s, const struct ics_vocab *v, const char *dflt)
{
	const char *name = ics_vocab_find(v, s);
	return name ? name : dflt;
}

static int p_uid(struct ics_import *im, const struct ics_prop *p, struct event_build *b)
{
	if (!p->value[0])
		return ics_fail(im->d, p->line, p->name, "empty UID");
	b->ev.uid = ics_unescape_text(im->a, p->value);
	return b->ev.uid ? 0 : CAL_E_NOMEM;
}

static int p_text(struct ics_import *im, const struct ics_prop *p, struct event_build *b)
{
	const char *v = ics_unescape_text(im->a, p->value);
	if (!v)
		return CAL_E_NOMEM;
	if (p->name[0] == 'S')
		b->ev.summary = v;
	else if (p->name[0] == 'D')
		b->ev.description = v;
	else
		b->ev.location = v;
	return 0;
}

static int p_sequence(struct ics_import *im, const struct ics_prop *p, struct event_build *b)
{
	if (!ics_parse_int(p->value, 0, INT32_MAX, &b->ev.sequence))
		return ics_fail(im->d, p->line, p->name, "not an integer from 0 to %d", INT32_MAX);
	return 0;
}

/* DTSTAMP and LAST-MODIFIED: meant to be UTC; anything else is read as
 * what it says. */
static int p_stamp(struct ics_import *im, const struct ics_prop *p, struct event_build *b)
{
	struct cal_ics_time t;
	int rc = ics_read_time(im, p, &t);
	if (rc < 0)
		return rc;
	if (t.kind == CAL_ICS_DATE)
		return ics_fail(im->d, p->line, p->name, "a date-time is required");
	*(p->name[0] == 'D' ? &b->ev.dtstamp : &b->ev.last_modified) = t.utc;
	return 0;
}

static int p_dtstart(struct ics_import *im, const struct ics_prop *p, struct event_build *b)
{
	b->dtstart = p;
	return ics_read_time(im, p, &b->ev.start);
}

static int p_later(struct ics_import *im, const struct ics_prop *p, struct event_build *b)
{
	*(p->name[1] == 'T' ? &b->dtend : &b->duration) = p;
	return 0;
}

static int p_recurrence_id(struct ics_import *im, const struct ics_prop *p, struct event_build *b)
{
	b->ev.has_recurrence_id = true;
	return ics_read_time(im, p, &b->ev.recurrence_id);
}

static int p_rrule(struct ics_import *im, const struct ics_prop *p, struct event_build *b)
{
	_cleanup_(cal_rule_freep) struct cal_rule *rule = NULL;
	struct cal_error e = { 0 };
	int rc = cal_rule_parse(p->value, NULL, &rule, &e);
	if (rc == CAL_E_INVALID)
		return ics_fail(im->d, p->line, p->name, "%s",
				e.n_fields ? e.fields[0].detail : "invalid rule");
	if (rc < 0)
		return rc;
	_cleanup_(freep) char *text = cal_rule_format(rule);
	b->ev.rrule = text ? arena_strdup(im->a, text) : NULL;
	return b->ev.rrule ? 0 : CAL_E_NOMEM;
}

static int p_status(struct ics_import *im, const struct ics_prop *p, struct event_build *b)
{
	b->ev.cancelled = ics_name_eq(p->value, "CANCELLED");
	return 0;
}

static int p_class(struct ics_import *im, const struct ics_prop *p, struct event_build *b)
{
	b->ev.klass = pick(p->value, &ics_classes, "PRIVATE");
	return 0;
}

static int p_transp(struct ics_import *im, const struct ics_prop *p, struct event_build *b)
{
	b->ev.transp = pick(p->value, &ics_transps, NULL);
	return 0;
}

/* ---- people --------------------------------------------------------------- */

/* The address of a mailto: URI, or NULL for any other URI. */
static const char *mailto(struct arena *a, const char *uri, bool *nomem)
{
	if (strncasecmp(uri, "mailto:", 7) != 0 || !uri[7])
		return NULL;
	const char *s = arena_strdup(a, uri + 7);
	*nomem = !s;
	return s;
}

static const char *cn(struct arena *a, const struct ics_prop *p, bool *nomem)
{
	const char *v = ics_param(p, "CN");
	if (!v || !v[0])
		return NULL;
	const char *s = arena_strdup(a, v);
	*nomem |= !s;
	return s;
}

static int p_organizer(struct ics_import *im, const struct ics_prop *p, struct event_build *b)
{
	bool nomem = false;
	b->ev.organizer_email = mailto(im->a, p->value, &nomem);
	b->ev.organizer_name = cn(im->a, p, &nomem);
	return nomem ? CAL_E_NOMEM : 0;
}

static int p_attendee(struct ics_import *im, const struct ics_prop *p, struct event_build *b)
{
	bool nomem = false;
	const char *role = ics_param(p, "ROLE");
	if (role && ics_name_eq(role, "NON-PARTICIPANT"))
		role = "OPT-PARTICIPANT";
	const char *rsvp = ics_param(p, "RSVP");
	b->ev.attendees[b->ev.n_attendees++] = (struct cal_ics_attendee){
		.email = mailto(im->a, p->value, &nomem),
		.name = cn(im->a, p, &nomem),
		.partstat = pick(ics_param(p, "PARTSTAT"), &ics_partstats, "NEEDS-ACTION"),
		.role = pick(role, &ics_roles, "REQ-PARTICIPANT"),
		.rsvp = rsvp && ics_name_eq(rsvp, "TRUE"),
	};
	return nomem ? CAL_E_NOMEM : 0;
}

/* ---- lists of times ------------------------------------------------------- */

static int read_list(struct ics_import *im, const struct ics_prop *p, struct cal_ics_time *v,
		     size_t *n)
{
	for (const char *s = p->value;;) {
		size_t k = strcspn(s, ",");
		int rc = ics_read_time_value(im, p, s, k, &v[(*n)]);
		if (rc < 0)
			return rc;
		(*n)++;
		if (!s[k])
			return 0;
		s += k + 1;
	}
}

static int p_exdate(struct ics_import *im, const struct ics_prop *p, struct event_build *b)
{
	return read_list(im, p, b->ev.exdates, &b->ev.n_exdates);
}

static int p_rdate(struct ics_import *im, const struct ics_prop *p, struct event_build *b)
{
	return read_list(im, p, b->ev.rdates, &b->ev.n_rdates);
}

static const struct {
	const char *name;
	prop_fn fn;
	bool once;
} event_props[] = {
	{ "UID", p_uid, true },
	{ "SEQUENCE", p_sequence, true },
	{ "DTSTAMP", p_stamp, true },
	{ "LAST-MODIFIED", p_stamp, true },
	{ "DTSTART", p_dtstart, true },
	{ "DTEND", p_later, true },
	{ "DURATION", p_later, true },
	{ "SUMMARY", p_text, true },
	{ "DESCRIPTION", p_text, true },
	{ "LOCATION", p_text, true },
	{ "RRULE", p_rrule, true },
	{ "EXDATE", p_exdate, false },
	{ "RDATE", p_rdate, false },
	{ "RECURRENCE-ID", p_recurrence_id, true },
	{ "STATUS", p_status, true },
	{ "CLASS", p_class, true },
	{ "TRANSP", p_transp, true },
	{ "ORGANIZER", p_organizer, true },
	{ "ATTENDEE", p_attendee, false },
};

static int dispatch(struct ics_import *im, const struct ics_prop *p, struct event_build *b)
{
	for (size_t i = 0; i < CAL_ARRAY_SIZE(event_props); i++) {
		if (strcmp(event_props[i].name, p->name) != 0)
			continue;
		if (event_props[i].once && (b->seen & (1u << i)))
			return ics_fail(im->d, p->line, p->name, "appears more than once in a VEVENT");
		b->seen |= 1u << i;
		return event_props[i].fn(im, p, b);
	}
	return 0;
}

/* ---- sizing the lists ----------------------------------------------------- */

static size_t n_values(const char *s)
{
	size_t n = 1;
	for (; *s; s++)
		n += *s == ',';
	return n;
}

struct list_count {
	size_t att, ex, rd, al;
};

static int count_props(struct ics_import *im, const struct ics_comp *c, struct list_count *n)
{
	const struct cal_ics_limits *lim = im->lim;
	for (const struct ics_prop *p = c->props; p; p = p->next) {
		bool att = strcmp(p->name, "ATTENDEE") == 0;
		bool ex = strcmp(p->name, "EXDATE") == 0, rd = strcmp(p->name, "RDATE") == 0;
		n->att += att;
		n->ex += ex ? n_values(p->value) : 0;
		n->rd += rd ? n_values(p->value) : 0;
		if (att && n->att > lim->attendees_max)
			return ics_fail(im->d, p->line, p->name, "more than %u attendees",
					lim->attendees_max);
		if ((ex || rd) && (ex ? n->ex : n->rd) > lim->exdates_max)
			return ics_fail(im->d, p->line, p->name, "more than %u dates",
					lim->exdates_max);
	}
	for (const struct ics_comp *k = c->children; k; k = k->next) {
		n->al += strcmp(k->name, "VALARM") == 0;
		if (n->al > lim->alarms_max)
			return ics_fail(im->d, k->line, k->name, "more than %u alarms",
					lim->alarms_max);
	}
	return 0;
}

static int size_lists(struct ics_import *im, struct event_build *b)
{
	struct list_count n = { 0 };
	int rc = count_props(im, b->c, &n);
	if (rc < 0)
		return rc;
	struct cal_ics_event *ev = &b->ev;
	ev->attendees = n.att ? arena_calloc(im->a, n.att, sizeof(*ev->attendees)) : NULL;
	ev->exdates = n.ex ? arena_calloc(im->a, n.ex, sizeof(*ev->exdates)) : NULL;
	ev->rdates = n.rd ? arena_calloc(im->a, n.rd, sizeof(*ev->rdates)) : NULL;
	ev->alarms = n.al ? arena_calloc(im->a, n.al, sizeof(*ev->alarms)) : NULL;
	if ((n.att && !ev->attendees) || (n.ex && !ev->exdates) || (n.rd && !ev->rdates) ||
	    (n.al && !ev->alarms))
		return CAL_E_NOMEM;
	return 0;
}

/* ---- end and alarms ------------------------------------------------------- */

static int end_from_dtend(struct ics_import *im, struct event_build *b)
{
	struct cal_ics_event *ev = &b->ev;
	const struct ics_prop *p = b->dtend;
	int rc = ics_read_time(im, p, &ev->end);
	if (rc < 0)
		return rc;
	if ((ev->end.kind == CAL_ICS_DATE) != (ev->start.kind == CAL_ICS_DATE))
		return ics_fail(im->d, p->line, p->name, "must be a %s like DTSTART",
				ev->start.kind == CAL_ICS_DATE ? "date" : "date-time");
	if (ev->end.utc < ev->start.utc)
		return ics_fail(im->d, p->line, p->name, "before DTSTART");
	/* Some writers give a one-day event DTEND = DTSTART. */
	if (ev->end.kind == CAL_ICS_DATE && ev->end.utc == ev->start.utc &&
	    ics_time_add(im, &ev->start, &(struct ics_duration){ .days = 1 }, &ev->end) < 0)
		return ics_fail(im->d, p->line, p->name, "the end is out of range");
	return 0;
}

static int end_from_duration(struct ics_import *im, struct event_build *b)
{
	const struct ics_prop *p = b->duration;
	struct ics_duration dur;
	if (!ics_parse_duration(p->value, &dur))
		return ics_fail(im->d, p->line, p->name, "invalid duration \"%.40s\"", p->value);
	if (dur.days < 0 || dur.seconds < 0)
		return ics_fail(im->d, p->line, p->name, "negative duration");
	if (b->ev.start.kind == CAL_ICS_DATE && dur.seconds)
		return ics_fail(im->d, p->line, p->name, "an all-day event lasts whole days");
	if (ics_time_add(im, &b->ev.start, &dur, &b->ev.end) < 0)
		return ics_fail(im->d, p->line, p->name, "the end is out of range");
	return 0;
}

static int event_end(struct ics_import *im, struct event_build *b)
{
	if (b->dtend && b->duration)
		return ics_fail(im->d, b->duration->line, "DURATION", "not allowed with DTEND");
	if (b->dtend)
		return end_from_dtend(im, b);
	if (b->duration)
		return end_from_duration(im, b);
	struct ics_duration none = { .days = b->ev.start.kind == CAL_ICS_DATE };
	if (ics_time_add(im, &b->ev.start, &none, &b->ev.end) < 0)
		return ics_fail(im->d, b->dtstart->line, "DTSTART", "the end is out of range");
	return 0;
}

static int trigger_seconds(struct ics_import *im, const struct ics_prop *p,
			   const struct cal_ics_event *ev, int64_t *ret)
{
	const char *vt = ics_param(p, "VALUE");
	if (vt && ics_name_eq(vt, "DATE-TIME")) {
		struct cal_ics_time t;
		int rc = ics_read_time(im, p, &t);
		if (rc == 0)
			*ret = t.utc - ev->start.utc;
		return rc;
	}
	struct ics_duration dur;
	if ((vt && !ics_name_eq(vt, "DURATION")) || !ics_parse_duration(p->value, &dur))
		return ics_fail(im->d, p->line, p->name, "invalid trigger \"%.40s\"", p->value);
	const char *related = ics_param(p, "RELATED");
	*ret = dur.days * 86400 + dur.seconds +
	       (related && ics_name_eq(related, "END") ? ev->end.utc - ev->start.utc : 0);
	return 0;
}

static int read_alarm(struct ics_import *im, const struct ics_comp *c, struct cal_ics_event *ev)
{
	const struct ics_prop *action = ics_prop_find(c, "ACTION");
	const struct ics_prop *trigger = ics_prop_find(c, "TRIGGER");
	if (!action || !trigger)
		return ics_fail(im->d, c->line, c->name, "ACTION and TRIGGER are required");
	const char *name = pick(action->value, &ics_actions, NULL);
	if (!name)
		return ics_skip(im, c->line, c->name, "alarm action not imported");
	int64_t secs = 0;
	int rc = trigger_seconds(im, trigger, ev, &secs);
	if (rc < 0)
		return rc;
	if (secs / 60 > ICS_ALARM_MINUTES_MAX || secs / 60 < -ICS_ALARM_MINUTES_MAX)
		return ics_fail(im->d, trigger->line, trigger->name, "too far from the event");
	ev->alarms[ev->n_alarms++] = (struct cal_ics_alarm){ .action = name,
							     .minutes_before = -secs / 60 };
	return 0;
}

int ics_read_event(struct ics_import *im, const struct ics_comp *c, struct cal_ics_event *ret)
{
	struct event_build b = { .c = c };
	int rc = size_lists(im, &b);
	for (const struct ics_prop *p = c->props; p && rc == 0; p = p->next)
		rc = dispatch(im, p, &b);
	if (rc < 0)
		return rc;
	if (!b.ev.uid || !b.dtstart)
		return ics_fail(im->d, c->line, c->name, "%s is required",
				b.ev.uid ? "DTSTART" : "UID");
	rc = event_end(im, &b);
	for (const struct ics_comp *k = c->children; k && rc == 0; k = k->next)
		rc = strcmp(k->name, "VALARM") == 0 ? read_alarm(im, k, &b.ev) : 0;
	if (rc < 0)
		return rc;
	*ret = b.ev;
	return 0;
}
