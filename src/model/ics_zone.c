/*
 * TZID -> IANA zone, for import. In order:
 *   1. an IANA name the tz database has ("Europe/Madrid");
 *   2. a Windows name ("Romance Standard Time"), through ICU's copy of
 *      CLDR's windowsZones table (ICU's zone *data* is never used: only the
 *      name mapping);
 *   3. a TZID defined by a VTIMEZONE in the file: its X-LIC-LOCATION
 *      (libical, Thunderbird), an IANA name at the end of a prefixed TZID
 *      ("/mozilla.org/20050126_1/America/New_York"), then the IANA zone whose
 *      offsets match the VTIMEZONE's around the year of use (ics_vtzmatch.c)
 *      for Outlook's "Customized Time Zone" and display names.
 * Anything else is an error that names the TZID. Results are cached per
 * file, and a file may use at most zones_max distinct TZIDs, because step 3
 * is the expensive one.
 */
#include <string.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>

#include "model/ics_internal.h"

struct zone_entry {
	const char *tzid;
	const struct cal_tz *tz;
};

struct ics_zones {
	struct arena *scratch;
	struct cal_tzdb *tzdb;
	const struct ics_comp *root;
	unsigned max, n;
	struct zone_entry *entries;
};

struct ics_zones *ics_zones_new(struct arena *scratch, struct cal_tzdb *tzdb,
				const struct ics_comp *root, unsigned zones_max)
{
	struct ics_zones *z = arena_alloc(scratch, sizeof(*z));
	if (!z)
		return NULL;
	*z = (struct ics_zones){ .scratch = scratch, .tzdb = tzdb, .root = root, .max = zones_max };
	z->entries = arena_calloc(scratch, zones_max ? zones_max : 1, sizeof(*z->entries));
	return z->entries ? z : NULL;
}

static const struct cal_tz *iana(struct cal_tzdb *tzdb, const char *name)
{
	const struct cal_tz *tz;
	if (!cal_tz_name_valid(name) || cal_tzdb_get(tzdb, name, &tz) < 0)
		return NULL;
	return tz;
}

bool ics_windows_zone(const char *name, char *buf, size_t size)
{
	UChar win[ICS_TZID_MAX + 1], id[CAL_TZ_NAME_MAX + 1];
	UErrorCode st = U_ZERO_ERROR;
	int32_t n;
	u_strFromUTF8(win, ICS_TZID_MAX + 1, &n, name, -1, &st);
	if (U_FAILURE(st) || n > ICS_TZID_MAX)
		return false;
	n = ucal_getTimeZoneIDForWindowsID(win, n, NULL, id, CAL_TZ_NAME_MAX + 1, &st);
	if (U_FAILURE(st) || n <= 0 || n > CAL_TZ_NAME_MAX)
		return false;
	u_strToUTF8(buf, (int32_t)size, NULL, id, n, &st);
	return U_SUCCESS(st) && st != U_STRING_NOT_TERMINATED_WARNING;
}

/* Steps 1 and 2 for a name. */
const struct cal_tz *ics_zone_by_name(struct cal_tzdb *tzdb, const char *name)
{
	const struct cal_tz *tz = iana(tzdb, name);
	char mapped[CAL_TZ_NAME_MAX + 1];
	if (!tz && ics_windows_zone(name, mapped, sizeof(mapped)))
		tz = iana(tzdb, mapped);
	return tz;
}

/* The longest IANA name after a '/' of a prefixed TZID. */
static const struct cal_tz *by_suffix(struct cal_tzdb *tzdb, const char *tzid)
{
	for (const char *p = strchr(tzid, '/'); p; p = strchr(p + 1, '/')) {
		const struct cal_tz *tz = iana(tzdb, p + 1);
		if (tz)
			return tz;
	}
	return NULL;
}

static const struct ics_comp *find_vtimezone(const struct ics_zones *z, const char *tzid)
{
	for (const struct ics_comp *cal = z->root->children; cal; cal = cal->next) {
		for (const struct ics_comp *c = cal->children; c; c = c->next) {
			if (strcmp(c->name, "VTIMEZONE") != 0)
				continue;
			const struct ics_prop *p = ics_prop_find(c, "TZID");
			char *name = p ? ics_unescape_text(z->scratch, p->value) : NULL;
			if (name && strcmp(name, tzid) == 0)
				return c;
		}
	}
	return NULL;
}

/* Step 3. */
static int by_vtimezone(struct ics_zones *z, const struct ics_comp *vtz, const char *tzid,
			int year, const struct ics_diag *d, const struct cal_tz **ret_tz)
{
	const struct ics_prop *loc = ics_prop_find(vtz, "X-LIC-LOCATION");
	const struct cal_tz *tz = loc ? ics_zone_by_name(z->tzdb, loc->value) : NULL;
	if (!tz)
		tz = by_suffix(z->tzdb, tzid);
	if (tz) {
		*ret_tz = tz;
		return 0;
	}
	return ics_vtimezone_match(vtz, tzid, year, z->tzdb, z->scratch, d, ret_tz);
}

static int resolve(struct ics_zones *z, const char *tzid, int year, unsigned line,
		   const char *prop, const struct ics_diag *d, const struct cal_tz **ret_tz)
{
	if (strlen(tzid) > ICS_TZID_MAX)
		return ics_fail(d, line, prop, "TZID longer than %d characters", ICS_TZID_MAX);
	const struct cal_tz *tz = ics_zone_by_name(z->tzdb, tzid);
	if (tz) {
		*ret_tz = tz;
		return 0;
	}
	const struct ics_comp *vtz = find_vtimezone(z, tzid);
	int rc = vtz ? by_vtimezone(z, vtz, tzid, year, d, ret_tz) : CAL_E_NOT_FOUND;
	if (rc == CAL_E_NOT_FOUND)
		return ics_fail(d, line, prop, "unknown time zone \"%s\"", tzid);
	return rc;
}

int ics_zones_resolve(struct ics_zones *z, const char *tzid, int year, unsigned line,
		      const char *prop, const struct ics_diag *d, const struct cal_tz **ret_tz)
{
	for (unsigned i = 0; i < z->n; i++) {
		if (strcmp(z->entries[i].tzid, tzid) == 0) {
			*ret_tz = z->entries[i].tz;
			return 0;
		}
	}
	if (z->n >= z->max)
		return ics_fail(d, line, prop, "more than %u time zones in one file", z->max);
	const struct cal_tz *tz;
	int rc = resolve(z, tzid, year, line, prop, d, &tz);
	if (rc < 0)
		return rc;
	z->entries[z->n] = (struct zone_entry){ .tzid = tzid, .tz = tz };
	z->n++;
	*ret_tz = tz;
	return 0;
}
