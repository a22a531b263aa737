/*
 * Time values for import: DATE / DATE-TIME properties turned into struct
 * cal_ics_time (zones resolved through ics_zone.c, local -> UTC by the tz
 * engine per RFC 5545 section 3.3.5), and DURATION arithmetic as section
 * 3.3.6 defines it: days and weeks are nominal (the same wall-clock time
 * so many days later, whatever DST does), hours, minutes and seconds exact.
 */
#include <string.h>

#include "model/ics_internal.h"

static int64_t wall(const struct cal_civil *c)
{
	int64_t t = 0;
	(void)cal_civil_to_epoch_utc(c, &t);
	return t;
}

static const char *kind_name(const char *value_type)
{
	return value_type && ics_name_eq(value_type, "DATE") ? "date" : "date-time";
}

/* The VALUE parameter against what the text looks like. */
static int check_value_type(const struct ics_import *im, const struct ics_prop *p,
			    enum ics_dt kind)
{
	const char *vt = ics_param(p, "VALUE");
	if (!vt)
		return 0;
	if (ics_name_eq(vt, "DATE") && kind != ICS_DT_DATE)
		return ics_fail(im->d, p->line, p->name, "VALUE=DATE but the value is a date-time");
	if (ics_name_eq(vt, "DATE-TIME") && kind == ICS_DT_DATE)
		return ics_fail(im->d, p->line, p->name, "VALUE=DATE-TIME but the value is a date");
	if (!ics_name_eq(vt, "DATE") && !ics_name_eq(vt, "DATE-TIME"))
		return ics_fail(im->d, p->line, p->name, "VALUE=%s is not supported here", vt);
	return 0;
}

static int zoned(struct ics_import *im, const struct ics_prop *p, const char *tzid,
		 struct cal_ics_time *t)
{
	const struct cal_tz *tz;
	int rc = ics_zones_resolve(im->zones, tzid, t->local.year, p->line, p->name, im->d, &tz);
	if (rc < 0)
		return rc;
	if (cal_tz_local_to_utc(tz, &t->local, &t->utc) < 0)
		return ics_fail(im->d, p->line, p->name, "time out of range");
	t->kind = CAL_ICS_ZONED;
	t->tzid = arena_strdup(im->a, cal_tz_name(tz));
	return t->tzid ? 0 : CAL_E_NOMEM;
}

int ics_read_time_value(struct ics_import *im, const struct ics_prop *p, const char *s, size_t n,
			struct cal_ics_time *ret)
{
	struct cal_ics_time t = { 0 };
	enum ics_dt kind;
	if (!ics_parse_datetime(s, n, &t.local, &kind))
		return ics_fail(im->d, p->line, p->name, "invalid %s \"%.*s\"",
				kind_name(ics_param(p, "VALUE")), n > 40 ? 40 : (int)n, s);
	int rc = check_value_type(im, p, kind);
	if (rc < 0)
		return rc;
	t.utc = wall(&t.local);
	const char *tzid = ics_param(p, "TZID");
	if (kind == ICS_DT_DATE)
		t.kind = CAL_ICS_DATE;
	else if (kind == ICS_DT_UTC)
		t.kind = CAL_ICS_UTC;
	else if (tzid)
		rc = zoned(im, p, tzid, &t);
	else
		t.kind = CAL_ICS_FLOATING;
	if (rc < 0)
		return rc;
	if (t.utc < CAL_CIVIL_EPOCH_MIN || t.utc > CAL_CIVIL_EPOCH_MAX)
		return ics_fail(im->d, p->line, p->name, "time out of range");
	/* A UTC leap second (:60) is the next second, as everywhere else. */
	if (t.kind == CAL_ICS_UTC)
		(void)cal_epoch_to_civil_utc(t.utc, &t.local);
	*ret = t;
	return 0;
}

int ics_read_time(struct ics_import *im, const struct ics_prop *p, struct cal_ics_time *ret)
{
	return ics_read_time_value(im, p, p->value, strlen(p->value), ret);
}

/* The wall clock `days` later (nominal days), still valid. */
static bool add_days(struct cal_civil *c, int64_t days)
{
	int64_t y;
	int m, d;
	cal_civil_date_from_days(cal_civil_days_from_date(c->year, c->month, c->day) + days, &y,
				 &m, &d);
	if (y < CAL_CIVIL_YEAR_MIN || y > CAL_CIVIL_YEAR_MAX)
		return false;
	c->year = (int)y;
	c->month = m;
	c->day = d;
	return true;
}

int ics_time_add(const struct ics_import *im, const struct cal_ics_time *t,
		 const struct ics_duration *dur, struct cal_ics_time *ret)
{
	struct cal_ics_time r = *t;
	const struct cal_tz *tz = NULL;
	if (t->kind == CAL_ICS_ZONED && cal_tzdb_get(im->tzdb, t->tzid, &tz) < 0)
		return CAL_E_INTERNAL;
	if (!add_days(&r.local, dur->days))
		return CAL_E_INVALID;
	if (tz && cal_tz_local_to_utc(tz, &r.local, &r.utc) < 0)
		return CAL_E_INVALID;
	if (!tz)
		r.utc = wall(&r.local);
	r.utc += dur->seconds;
	int rc = tz ? cal_tz_utc_to_local(tz, r.utc, &r.local) : cal_epoch_to_civil_utc(r.utc, &r.local);
	if (rc < 0)
		return CAL_E_INVALID;
	*ret = r;
	return 0;
}
