/*
 * cal_ics_parse: lex the text (ics_lex.c), then read each VCALENDAR's
 * METHOD, VERSION and X-WR-TIMEZONE and each VEVENT (ics_import_event.c).
 * The tree and the zone cache live in a scratch arena freed on return;
 * what the caller gets is allocated from its arena and handed over only
 * once the whole file has been read.
 */
#include <string.h>

#include "model/ics_internal.h"

int ics_skip(struct ics_import *im, unsigned line, const char *component, const char *reason)
{
	struct ics_skip *s = arena_alloc(im->scratch, sizeof(*s));
	const char *name = arena_strdup(im->a, component);
	if (!s || !name)
		return CAL_E_NOMEM;
	s->s = (struct cal_ics_skipped){ .line = line, .component = name, .reason = reason };
	*im->skips_tail = s;
	im->skips_tail = &s->next;
	im->n_skips++;
	return 0;
}

static const char *skip_reason(const char *component)
{
	if (strcmp(component, "VTODO") == 0)
		return "to-dos are not imported";
	if (strcmp(component, "VJOURNAL") == 0)
		return "journal entries are not imported";
	if (strcmp(component, "VFREEBUSY") == 0)
		return "free/busy information is not imported";
	return "not an event";
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

static int read_method(struct ics_import *im, const struct ics_prop *p,
		       struct cal_ics_calendar *out)
{
	if (!is_token(p->value))
		return ics_fail(im->d, p->line, p->name, "invalid method \"%.40s\"", p->value);
	if (out->method)
		return 0;
	char *m = arena_strdup(im->a, p->value);
	if (!m)
		return CAL_E_NOMEM;
	for (char *c = m; *c; c++)
		*c = *c >= 'a' && *c <= 'z' ? (char)(*c - 32) : *c;
	out->method = m;
	return 0;
}

/* X-WR-TIMEZONE is a hint: a name that does not resolve is dropped. */
static int read_default_zone(struct ics_import *im, const struct ics_prop *p,
			     struct cal_ics_calendar *out)
{
	const struct cal_tz *tz = out->default_tzid ? NULL : ics_zone_by_name(im->tzdb, p->value);
	if (tz && !(out->default_tzid = arena_strdup(im->a, cal_tz_name(tz))))
		return CAL_E_NOMEM;
	return 0;
}

static int read_calendar_props(struct ics_import *im, const struct ics_comp *cal,
			       struct cal_ics_calendar *out)
{
	for (const struct ics_prop *p = cal->props; p; p = p->next) {
		int rc = 0;
		if (strcmp(p->name, "VERSION") == 0 && strcmp(p->value, "2.0") != 0)
			rc = ics_fail(im->d, p->line, p->name, "only iCalendar 2.0 is supported");
		else if (strcmp(p->name, "METHOD") == 0)
			rc = read_method(im, p, out);
		else if (strcmp(p->name, "X-WR-TIMEZONE") == 0)
			rc = read_default_zone(im, p, out);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int read_calendar(struct ics_import *im, const struct ics_comp *cal,
			 struct cal_ics_calendar *out)
{
	int rc = read_calendar_props(im, cal, out);
	for (const struct ics_comp *c = cal->children; c && rc == 0; c = c->next) {
		if (strcmp(c->name, "VEVENT") == 0)
			rc = ics_read_event(im, c, &out->events[out->n_events++]);
		else if (strcmp(c->name, "VTIMEZONE") != 0)
			rc = ics_skip(im, c->line, c->name, skip_reason(c->name));
	}
	return rc;
}

static size_t count_events(const struct ics_comp *root)
{
	size_t n = 0;
	for (const struct ics_comp *cal = root->children; cal; cal = cal->next)
		for (const struct ics_comp *c = cal->children; c; c = c->next)
			n += strcmp(c->name, "VEVENT") == 0;
	return n;
}

static int read_all(struct ics_import *im, const struct ics_comp *root,
		    struct cal_ics_calendar *out)
{
	size_t n = count_events(root);
	out->events = n ? arena_calloc(im->a, n, sizeof(*out->events)) : NULL;
	if (n && !out->events)
		return CAL_E_NOMEM;
	for (const struct ics_comp *cal = root->children; cal; cal = cal->next) {
		int rc = read_calendar(im, cal, out);
		if (rc < 0)
			return rc;
	}
	if (!im->n_skips)
		return 0;
	out->skipped = arena_calloc(im->a, im->n_skips, sizeof(*out->skipped));
	if (!out->skipped)
		return CAL_E_NOMEM;
	for (const struct ics_skip *s = im->skips; s; s = s->next)
		out->skipped[out->n_skipped++] = s->s;
	return 0;
}

int cal_ics_parse(const char *text, size_t len, const struct cal_ics_limits *lim,
		  struct cal_tzdb *tzdb, struct arena *a, struct cal_ics_calendar *ret,
		  struct cal_error *err)
{
	static const struct cal_ics_limits defaults = CAL_ICS_LIMITS_DEFAULT;
	if (!lim)
		lim = &defaults;
	_cleanup_(arena_freep) struct arena *scratch = arena_new();
	if (!scratch)
		return CAL_E_NOMEM;
	const struct ics_diag d = { .a = a, .err = err };
	struct ics_comp *root;
	int rc = ics_lex(text ? text : "", text ? len : 0, lim, scratch, &d, &root);
	if (rc < 0)
		return rc;
	struct ics_import im = { .a = a, .scratch = scratch, .tzdb = tzdb, .lim = lim, .d = &d };
	im.skips_tail = &im.skips;
	im.zones = ics_zones_new(scratch, tzdb, root, lim->zones_max);
	if (!im.zones)
		return CAL_E_NOMEM;
	struct cal_ics_calendar cal = { 0 };
	rc = read_all(&im, root, &cal);
	if (rc < 0)
		return rc;
	*ret = cal;
	return 0;
}
