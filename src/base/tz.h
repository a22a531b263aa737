/*
 * Time zones from the system tz database (TZif files, RFC 8536).
 *
 * calendard converts between UTC and wall-clock time itself instead of using
 * libical's or ICU's bundled zone data: ICU's copy goes stale between
 * releases, and libical resolves local times in DST gaps and overlaps
 * differently from RFC 5545. The data comes from TZif v1..v4 files under
 * /usr/share/zoneinfo (or $TZDIR, or a directory given to cal_tzdb_new);
 * instants after a file's last transition follow its POSIX TZ footer, so
 * slim files and dates far in the future work.
 *
 * Zone files are untrusted input: every count, index and offset is checked,
 * and a corrupt or truncated file is rejected with -EINVAL. Files with leap
 * second records (the "right/" zones) are rejected too, because calendard's
 * clock is POSIX time, which has no leap seconds.
 *
 * Errors are 0 or a negative errno value: -ENOENT (no such zone), -EINVAL
 * (bad name, bad argument or corrupt data), -ERANGE (instant outside the
 * supported range), -ENOMEM, or whatever open(2)/read(2) reported. Nothing
 * here logs.
 *
 * Thread-safety: a struct cal_tz is immutable once loaded and may be used
 * from any number of threads. A struct cal_tzdb is a cache guarded by its
 * own mutex; cal_tzdb_get may be called concurrently.
 */
#ifndef CAL_BASE_TZ_H
#define CAL_BASE_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/civil.h"

/* Longest zone name accepted (the longest IANA name is 32 characters). */
#define CAL_TZ_NAME_MAX 64
/* Largest zone file read; real ones are under 4 KiB. */
#define CAL_TZ_FILE_MAX (256 * 1024)
/* cal_tz_offset_at accepts instants within +-CAL_TZ_UTC_LIMIT seconds
 * (about 317,000 years) so that rule arithmetic cannot overflow. */
#define CAL_TZ_UTC_LIMIT INT64_C(10000000000000)

struct cal_tz;
struct cal_tzdb;

/* Opens the zone directory (NULL means $TZDIR when set and non-empty,
 * else "/usr/share/zoneinfo"); zones are read from it lazily, by name.
 * Fails with the open(2) error if the directory cannot be opened. Reads the
 * environment, so call it at startup, not concurrently with setenv.
 * Free with cal_tzdb_free. */
int cal_tzdb_new(const char *zoneinfo_dir, struct cal_tzdb **ret_db);

/* Frees the cache and every zone it handed out. Accepts NULL. No other
 * thread may be using db or any of its zones. */
void cal_tzdb_free(struct cal_tzdb *db);

/* Looks name up in the cache, loading and caching it on first use. The zone
 * is borrowed: it stays valid until cal_tzdb_free(db). Names that fail
 * cal_tz_name_valid are rejected with -EINVAL before the filesystem is
 * touched; a missing file (or a directory) is -ENOENT. "UTC" and "Etc/UTC"
 * resolve even when the directory lacks them. Failures are not cached. */
int cal_tzdb_get(struct cal_tzdb *db, const char *name, const struct cal_tz **ret_tz);

/* Syntactic check of an IANA-style zone name: 1..CAL_TZ_NAME_MAX characters
 * from [A-Za-z0-9_+-/], no leading, trailing or doubled '/'. Dots are not
 * allowed, so no "..". Does not say whether the zone exists. */
bool cal_tz_name_valid(const char *name);

/* Parses a TZif image (for tests, fuzzing, or zones not on disk). data is
 * only read during the call. The caller owns *ret_tz and frees it with
 * cal_tz_free. */
int cal_tz_parse_tzif(const char *name, const void *data, size_t len, struct cal_tz **ret_tz);

/* Frees a zone from cal_tz_parse_tzif (never one from cal_tzdb_get).
 * Accepts NULL. */
void cal_tz_free(struct cal_tz *tz);

/* The name the zone was loaded under; borrowed, lives as long as tz. */
const char *cal_tz_name(const struct cal_tz *tz);

/* UTC offset (seconds east of Greenwich, local = utc + offset) and DST flag
 * in force at instant utc. ret_is_dst may be NULL. Note that is_dst follows
 * the data: Europe/Dublin's winter time (GMT) is its DST, with a negative
 * save. -ERANGE when |utc| > CAL_TZ_UTC_LIMIT. O(log transitions). */
int cal_tz_offset_at(const struct cal_tz *tz, int64_t utc, int32_t *ret_offset_seconds,
		     bool *ret_is_dst);

/* Wall-clock time in the zone -> UTC, per RFC 5545 section 3.3.5:
 * a time skipped by a forward shift (a "gap") is read with the offset in
 * force before the gap (New York 2024-03-10 02:30 -> 07:30Z, i.e. 03:30 EDT);
 * a time that occurs twice is the first occurrence (New York 2024-11-03
 * 01:30 -> 05:30Z, EDT). -EINVAL when !cal_civil_valid(local). Looks only at
 * the transitions within two days of the given time, found by binary search. */
int cal_tz_local_to_utc(const struct cal_tz *tz, const struct cal_civil *local, int64_t *ret_utc);

/* UTC -> wall-clock time in the zone. -ERANGE when the local time falls
 * outside years 1..9999. */
int cal_tz_utc_to_local(const struct cal_tz *tz, int64_t utc, struct cal_civil *ret_local);

#endif
