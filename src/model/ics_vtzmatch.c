/*
 * Finding the IANA zone behind a VTIMEZONE that has no usable name, such as
 * Outlook's "Customized Time Zone" or "(UTC+01:00) Amsterdam, Berlin, Bern,
 * Rome, Stockholm, Vienna".
 *
 * The VTIMEZONE is evaluated itself: every onset of its STANDARD and
 * DAYLIGHT observances (DTSTART, RDATE, RRULE expanded with
 * model/recurrence.h as a floating series) between the year before and the
 * year after the one in use. An IANA zone matches when the tz engine gives
 * the same UTC offset at each onset, just before it, and on the 1st and 15th
 * of every month of those three years. Candidates are ICU's canonical zones
 * with the same standard offset (names only; offsets always come from our
 * tz engine), tried in this order: a zone whose city appears in the TZID,
 * then the zones Windows maps its own names to (Europe/Paris for "Romance
 * Standard Time"), then the rest in ICU's order. The first match wins, so
 * the answer is deterministic; any matching zone gives the same instants in
 * those years.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unicode/ucal.h>
#include <unicode/uenum.h>
#include <unicode/ustring.h>

#include "model/ics_internal.h"
#include "model/recurrence.h"

/* Yearly rules give a few onsets; this bounds an HOURLY rule. Real
 * VTIMEZONEs have a handful of observances, libical's full histories a few
 * dozen. */
enum { ONSETS_MAX = 1000, OBSERVANCES_MAX = 256 };

/* The rules of observances are yearly in practice; these keep a hostile one
 * from costing more than a few thousand steps. */
static const struct cal_rule_limits vtz_rule_limits = {
	.count_max = 1000, .interval_max = 100, .search_steps_max = 2000, .text_max = 512
};

struct onset {
	int64_t utc;
	int32_t from, to;
};

struct vtz {
	struct onset *v;
	size_t n;
	int64_t from, to; /* the window, UTC */
};

struct observance {
	unsigned line;
	int32_t from, to;
	struct cal_civil start;
};

static void add_onset(struct vtz *z, int64_t utc, const struct observance *o)
{
	if (z->n < ONSETS_MAX)
		z->v[z->n++] = (struct onset){ .utc = utc, .from = o->from, .to = o->to };
}

static int read_offset(const struct ics_comp *c, const char *name, const struct ics_diag *d,
		       int32_t *ret)
{
	const struct ics_prop *p = ics_prop_find(c, name);
	if (!p)
		return ics_fail(d, c->line, c->name, "%s is required", name);
	if (!ics_parse_utc_offset(p->value, ret))
		return ics_fail(d, p->line, name, "invalid UTC offset");
	return 0;
}

static int read_observance(const struct ics_comp *c, const struct ics_diag *d,
			   struct observance *ret)
{
	struct observance o = { .line = c->line };
	int rc = read_offset(c, "TZOFFSETFROM", d, &o.from);
	rc = rc < 0 ? rc : read_offset(c, "TZOFFSETTO", d, &o.to);
	if (rc < 0)
		return rc;
	const struct ics_prop *p = ics_prop_find(c, "DTSTART");
	enum ics_dt kind;
	if (!p)
		return ics_fail(d, c->line, c->name, "DTSTART is required");
	if (!ics_parse_datetime(p->value, strlen(p->value), &o.start, &kind) ||
	    kind != ICS_DT_LOCAL)
		return ics_fail(d, p->line, "DTSTART", "a local date-time is required");
	*ret = o;
	return 0;
}

static int64_t wall(const struct cal_civil *c)
{
	int64_t t = 0;
	(void)cal_civil_to_epoch_utc(c, &t);
	return t;
}

/* Each RDATE value (a period counts by its start). */
static void add_rdates(struct vtz *z, const struct ics_comp *c, const struct observance *o)
{
	for (const struct ics_prop *p = c->props; p; p = p->next) {
		if (strcmp(p->name, "RDATE") != 0)
			continue;
		for (const char *s = p->value; *s;) {
			size_t n = strcspn(s, ",/");
			struct cal_civil v;
			enum ics_dt kind;
			if (ics_parse_datetime(s, n, &v, &kind))
				add_onset(z, wall(&v) - (kind == ICS_DT_UTC ? 0 : o->from), o);
			s += n;
			s += strcspn(s, ",");
			s += *s == ',';
		}
	}
}

/* The rule without its UNTIL, which is applied to the onsets here: the
 * engine would compare a UTC UNTIL with wall clocks read as UTC. */
struct until {
	bool set;
	enum ics_dt kind;
	int64_t t; /* UTC, or wall clock read as UTC */
};

static char *split_until(struct arena *a, const char *rrule, struct until *ret)
{
	size_t n = strlen(rrule);
	char *out = arena_alloc(a, n + 1), *o = out;
	if (!out)
		return NULL;
	for (const char *s = rrule; *s;) {
		size_t k = strcspn(s, ";");
		struct cal_civil c;
		if (k > 6 && strncasecmp(s, "UNTIL=", 6) == 0 &&
		    ics_parse_datetime(s + 6, k - 6, &c, &ret->kind)) {
			ret->set = true;
			ret->t = wall(&c) + (ret->kind == ICS_DT_DATE ? 86399 : 0);
		} else {
			if (o != out)
				*o++ = ';';
			memcpy(o, s, k);
			o += k;
		}
		s += k + (s[k] == ';');
	}
	*o = '\0';
	return out;
}

struct expand_ctx {
	struct vtz *z;
	const struct observance *o;
	struct until until;
};

static int on_instance(const struct cal_instance *inst, void *ctx)
{
	struct expand_ctx *e = ctx;
	int64_t utc = inst->start - e->o->from;
	int64_t key = e->until.kind == ICS_DT_UTC ? utc : inst->start;
	if (e->until.set && key > e->until.t)
		return 1;
	add_onset(e->z, utc, e->o);
	return e->z->n >= ONSETS_MAX;
}

static int add_rrule(struct vtz *z, const struct ics_prop *p, const struct observance *o,
		     struct arena *scratch, const struct ics_diag *d)
{
	struct expand_ctx e = { .z = z, .o = o };
	char *text = split_until(scratch, p->value, &e.until);
	if (!text)
		return CAL_E_NOMEM;
	_cleanup_(cal_rule_freep) struct cal_rule *rule = NULL;
	struct cal_error err = { 0 };
	int rc = cal_rule_parse(text, &vtz_rule_limits, &rule, &err);
	if (rc < 0)
		return rc == CAL_E_INVALID
			   ? ics_fail(d, p->line, "RRULE", "%s",
				      err.n_fields ? err.fields[0].detail : "invalid rule")
			   : rc;
	struct cal_series s = { .rule = rule, .start_local = o->start };
	/* From a year early, so that the offset in force when the window opens
	 * comes from the rule, not from a DTSTART in 1601. */
	const int64_t day = 86400;
	rc = cal_series_expand_starts(&s, z->from + o->from - 366 * day, z->to + o->from + day,
				      on_instance, &e);
	/* A rule that never fires in the window adds nothing. */
	return rc == CAL_E_NOMEM ? rc : 0;
}

static int cmp_onset(const void *a, const void *b)
{
	const struct onset *x = a, *y = b;
	if (x->utc != y->utc)
		return (x->utc > y->utc) - (x->utc < y->utc);
	return (x->to > y->to) - (x->to < y->to);
}

static int collect(struct vtz *z, const struct ics_comp *vtz, struct arena *scratch,
		   const struct ics_diag *d)
{
	unsigned n = 0;
	for (const struct ics_comp *c = vtz->children; c; c = c->next) {
		if (strcmp(c->name, "STANDARD") != 0 && strcmp(c->name, "DAYLIGHT") != 0)
			continue;
		if (++n > OBSERVANCES_MAX)
			return ics_fail(d, c->line, c->name, "more than %d observances in a VTIMEZONE",
					OBSERVANCES_MAX);
		struct observance o;
		int rc = read_observance(c, d, &o);
		if (rc < 0)
			return rc;
		add_onset(z, wall(&o.start) - o.from, &o);
		add_rdates(z, c, &o);
		const struct ics_prop *rr = ics_prop_find(c, "RRULE");
		rc = rr ? add_rrule(z, rr, &o, scratch, d) : 0;
		if (rc < 0)
			return rc;
	}
	qsort(z->v, z->n, sizeof(*z->v), cmp_onset);
	return 0;
}

/* The offset the VTIMEZONE gives at t: that of the last onset at or
 * before it, or the offset before the first one. */
static int32_t vtz_offset(const struct vtz *z, int64_t t)
{
	size_t lo = 0, hi = z->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->v[mid].utc <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? z->v[lo - 1].to : z->v[0].from;
}

static bool offset_eq(const struct cal_tz *tz, const struct vtz *z, int64_t t)
{
	int32_t off;
	return cal_tz_offset_at(tz, t, &off, NULL) == 0 && off == vtz_offset(z, t);
}

static bool zone_matches(const struct cal_tz *tz, const struct vtz *z)
{
	for (size_t i = 0; i < z->n; i++) {
		int64_t t = z->v[i].utc;
		if (t >= z->from && t < z->to && (!offset_eq(tz, z, t) || !offset_eq(tz, z, t - 1)))
			return false;
	}
	for (int64_t day = z->from / 86400; day < z->to / 86400; day++) {
		int64_t y;
		int m, dd;
		cal_civil_date_from_days(day, &y, &m, &dd);
		if ((dd == 1 || dd == 15) && !offset_eq(tz, z, day * 86400 + 43200))
			return false;
	}
	return true;
}

/* ---- candidates from ICU ------------------------------------------------ */

static bool alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool lower_eq(char a, char b)
{
	return (a | 0x20) == (b | 0x20);
}

/* Whether the city of a zone ("Europe/Amsterdam") is a word of the TZID;
 * '_' in the city matches a space. */
static bool city_in(const char *tzid, const char *zone)
{
	const char *city = strrchr(zone, '/');
	city = city ? city + 1 : zone;
	for (size_t i = 0; tzid[i]; i++) {
		if (i > 0 && alpha(tzid[i - 1]))
			continue;
		size_t k = 0;
		while (city[k] && tzid[i + k] &&
		       (lower_eq(city[k], tzid[i + k]) || (city[k] == '_' && tzid[i + k] == ' ')))
			k++;
		if (!city[k] && !alpha(tzid[i + k]))
			return true;
	}
	return false;
}

/* The zone Windows maps this zone's Windows name back to, or NULL. */
static const char *golden(const char *zone, char *buf, size_t size)
{
	UChar id[CAL_TZ_NAME_MAX + 1], win[128];
	UErrorCode st = U_ZERO_ERROR;
	u_uastrncpy(id, zone, CAL_TZ_NAME_MAX);
	id[CAL_TZ_NAME_MAX] = 0;
	int32_t n = ucal_getWindowsTimeZoneID(id, -1, win, 128, &st);
	if (U_FAILURE(st) || n <= 0 || n >= 128)
		return NULL;
	char name[128];
	u_austrncpy(name, win, n);
	name[n] = '\0';
	return ics_windows_zone(name, buf, size) ? buf : NULL;
}

static const struct cal_tz *try_zone(struct cal_tzdb *tzdb, const char *name, const struct vtz *z)
{
	const struct cal_tz *tz;
	if (!name || !cal_tz_name_valid(name) || cal_tzdb_get(tzdb, name, &tz) < 0)
		return NULL;
	return zone_matches(tz, z) ? tz : NULL;
}

static const struct cal_tz *search(UEnumeration *e, int pass, const char *tzid,
				   struct cal_tzdb *tzdb, const struct vtz *z)
{
	UErrorCode st = U_ZERO_ERROR;
	uenum_reset(e, &st);
	const char *id;
	while (U_SUCCESS(st) && (id = uenum_next(e, NULL, &st))) {
		char buf[CAL_TZ_NAME_MAX + 1];
		const char *name = pass == 0 ? (city_in(tzid, id) ? id : NULL)
				   : pass == 1 ? golden(id, buf, sizeof(buf))
					       : id;
		const struct cal_tz *tz = try_zone(tzdb, name, z);
		if (tz)
			return tz;
	}
	return NULL;
}

/* The standard offset, for ICU's filter: the smallest one in the window. */
static int32_t raw_offset(const struct vtz *z)
{
	int32_t raw = z->v[0].to;
	for (size_t i = 0; i < z->n; i++)
		if (z->v[i].utc >= z->from && z->v[i].utc < z->to && z->v[i].to < raw)
			raw = z->v[i].to;
	return raw;
}

int ics_vtimezone_match(const struct ics_comp *vtz, const char *tzid, int year,
			struct cal_tzdb *tzdb, struct arena *scratch, const struct ics_diag *d,
			const struct cal_tz **ret_tz)
{
	struct vtz z = { .v = arena_calloc(scratch, ONSETS_MAX, sizeof(struct onset)) };
	if (!z.v)
		return CAL_E_NOMEM;
	z.from = cal_civil_days_from_date(year - 1, 1, 1) * 86400;
	z.to = cal_civil_days_from_date(year + 2, 1, 1) * 86400;
	int rc = collect(&z, vtz, scratch, d);
	if (rc < 0)
		return rc;
	if (z.n == 0)
		return CAL_E_NOT_FOUND;
	int32_t raw = raw_offset(&z) * 1000;
	UErrorCode st = U_ZERO_ERROR;
	UEnumeration *e = ucal_openTimeZoneIDEnumeration(UCAL_ZONE_TYPE_CANONICAL_LOCATION, NULL,
							 &raw, &st);
	if (U_FAILURE(st))
		return CAL_E_NOT_FOUND;
	const struct cal_tz *tz = NULL;
	for (int pass = 0; pass < 3 && !tz; pass++)
		tz = search(e, pass, tzid, tzdb, &z);
	uenum_close(e);
	if (!tz)
		return CAL_E_NOT_FOUND;
	*ret_tz = tz;
	return 0;
}
