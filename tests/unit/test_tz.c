/*
 * Unit tests for base/civil and base/tz.
 *
 * Real zones come from the system database (/usr/share/zoneinfo); footer
 * forms and corrupt files use small TZif images built here, so that those
 * cases do not depend on how the local tzdata package was compiled. The
 * expected instants for real zones were checked against zdump(8).
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* nftw, mkdtemp */
#endif

#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/civil.h"
#include "base/tz.h"

#define SYSTEM_ZONEINFO "/usr/share/zoneinfo"

/* ---- helpers ------------------------------------------------------------ */

static struct cal_civil civil(int y, int mo, int d, int h, int mi, int s)
{
	return (struct cal_civil){
	    .year = y, .month = mo, .day = d, .hour = h, .minute = mi, .second = s};
}

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct cal_civil c = civil(y, mo, d, h, mi, s);
	int64_t t;
	cr_assert_eq(cal_civil_to_epoch_utc(&c, &t), 0, "bad test date %d-%d-%d", y, mo, d);
	return t;
}

static struct cal_tzdb *system_db(void)
{
	struct cal_tzdb *db;
	cr_assert_eq(cal_tzdb_new(SYSTEM_ZONEINFO, &db), 0, "cannot open %s", SYSTEM_ZONEINFO);
	return db;
}

static const struct cal_tz *zone(struct cal_tzdb *db, const char *name)
{
	const struct cal_tz *tz;
	int r = cal_tzdb_get(db, name, &tz);
	cr_assert_eq(r, 0, "loading %s: %s", name, strerror(-r));
	return tz;
}

static int32_t offset_at(const struct cal_tz *tz, int64_t t, bool *ret_is_dst)
{
	int32_t off;
	cr_assert_eq(cal_tz_offset_at(tz, t, &off, ret_is_dst), 0);
	return off;
}

static void expect_local_to_utc(const struct cal_tz *tz, struct cal_civil local, int64_t expected)
{
	int64_t got;
	cr_assert_eq(cal_tz_local_to_utc(tz, &local, &got), 0);
	cr_expect_eq(got, expected, "%s %04d-%02d-%02d %02d:%02d:%02d: got %lld, expected %lld",
		     cal_tz_name(tz), local.year, local.month, local.day, local.hour, local.minute,
		     local.second, (long long)got, (long long)expected);
}

static void expect_civil_eq(struct cal_civil a, struct cal_civil b)
{
	cr_expect(memcmp(&a, &b, sizeof(a)) == 0,
		  "%04d-%02d-%02d %02d:%02d:%02d != %04d-%02d-%02d %02d:%02d:%02d", a.year, a.month,
		  a.day, a.hour, a.minute, a.second, b.year, b.month, b.day, b.hour, b.minute,
		  b.second);
}

static uint64_t rng_next(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

static void *slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f, "cannot open %s", path);
	static const size_t cap = 1 << 20;
	unsigned char *buf = malloc(cap);
	cr_assert(buf);
	size_t len = fread(buf, 1, cap, f);
	fclose(f);
	*ret_len = len;
	return buf;
}

/* A temporary zoneinfo tree, removed by tmpdir_remove. The template has no
 * '.', so paths inside it are syntactically valid zone names but for the
 * leading '/'. */
static void tmpdir_make(char path[static 32])
{
	strcpy(path, "/tmp/test_tz_XXXXXX");
	cr_assert(mkdtemp(path), "mkdtemp: %s", strerror(errno));
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void tmpdir_remove(const char *path)
{
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	for (char *slash = strchr(path + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0700);
		*slash = '/';
	}
	FILE *f = fopen(path, "wb");
	cr_assert(f, "cannot create %s", path);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* ---- a TZif writer for synthetic zones ---------------------------------- */

struct tzif_spec {
	int version; /* 1..4 */
	size_t ntypes;
	int32_t utoff[4];
	uint8_t isdst[4];
	size_t ntrans;
	int64_t trans[8];
	uint8_t idx[8];
	const char *footer; /* without the surrounding newlines; NULL omits it */
};

struct tzif_buf {
	uint8_t data[4096];
	size_t len;
};

static void put(struct tzif_buf *b, const void *p, size_t n)
{
	cr_assert(b->len + n <= sizeof(b->data));
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put_be(struct tzif_buf *b, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--) {
		uint8_t byte = (uint8_t)(v >> (8 * i));
		put(b, &byte, 1);
	}
}

static void put_block(struct tzif_buf *b, const struct tzif_spec *s, int timesize)
{
	uint8_t version = s->version == 1 ? 0 : (uint8_t)('0' + s->version);
	uint8_t zeros[15] = {0};
	put(b, "TZif", 4);
	put(b, &version, 1);
	put(b, zeros, sizeof(zeros));
	put_be(b, 0, 4);         /* isutcnt */
	put_be(b, 0, 4);         /* isstdcnt */
	put_be(b, 0, 4);         /* leapcnt */
	put_be(b, s->ntrans, 4); /* timecnt */
	put_be(b, s->ntypes, 4); /* typecnt */
	put_be(b, 4, 4);         /* charcnt */
	for (size_t i = 0; i < s->ntrans; i++)
		put_be(b, (uint64_t)s->trans[i], timesize);
	put(b, s->idx, s->ntrans);
	for (size_t i = 0; i < s->ntypes; i++) {
		put_be(b, (uint32_t)s->utoff[i], 4);
		uint8_t tt[2] = {s->isdst[i], 0};
		put(b, tt, 2);
	}
	put(b, "ABC", 4);
}

static void tzif_build(const struct tzif_spec *s, struct tzif_buf *b)
{
	b->len = 0;
	put_block(b, s, 4);
	if (s->version == 1)
		return;
	put_block(b, s, 8);
	if (s->footer) {
		put(b, "\n", 1);
		put(b, s->footer, strlen(s->footer));
		put(b, "\n", 1);
	}
}

/* Where the 64-bit header starts, for patching it. */
static size_t tzif_v2_header_at(const struct tzif_spec *s)
{
	return 44 + s->ntrans * 5 + s->ntypes * 6 + 4;
}

static int parse_spec(const struct tzif_spec *s, struct cal_tz **ret_tz)
{
	struct tzif_buf b;
	tzif_build(s, &b);
	return cal_tz_parse_tzif("Test/Zone", b.data, b.len, ret_tz);
}

/* A zone with no transitions, governed entirely by the footer. */
static struct cal_tz *footer_zone(const char *footer)
{
	struct tzif_spec s = {.version = 3, .ntypes = 1, .footer = footer};
	struct cal_tz *tz;
	int r = parse_spec(&s, &tz);
	cr_assert_eq(r, 0, "footer \"%s\": %s", footer, strerror(-r));
	return tz;
}

static void expect_offset(const struct cal_tz *tz, int64_t t, int32_t offset, bool is_dst)
{
	bool dst;
	int32_t got = offset_at(tz, t, &dst);
	cr_expect(got == offset && dst == is_dst, "%s at %lld: got %d/%d, expected %d/%d",
		  cal_tz_name(tz), (long long)t, got, dst, offset, is_dst);
}

/* ---- civil time --------------------------------------------------------- */

Test(civil, known_days)
{
	cr_expect_eq(cal_civil_days_from_date(1970, 1, 1), 0);
	cr_expect_eq(cal_civil_days_from_date(2000, 3, 1), 11017);
	cr_expect_eq(cal_civil_days_from_date(1969, 12, 31), -1);
	cr_expect_eq(cal_civil_days_from_date(1, 1, 1), -719162);
	cr_expect_eq(cal_civil_days_from_date(9999, 12, 31), 2932896);
	cr_expect_eq(cal_civil_days_from_date(0, 3, 1), -719468);
}

Test(civil, weekday)
{
	cr_expect_eq(cal_civil_weekday(0), 4); /* 1970-01-01, Thursday */
	cr_expect_eq(cal_civil_weekday(cal_civil_days_from_date(2024, 3, 10)), 0);
	cr_expect_eq(cal_civil_weekday(cal_civil_days_from_date(1, 1, 1)), 1);
	cr_expect_eq(cal_civil_weekday(cal_civil_days_from_date(1969, 12, 27)), 6);
	cr_expect_eq(cal_civil_weekday(cal_civil_days_from_date(9999, 12, 31)), 5);
}

Test(civil, days_in_month_and_leap_years)
{
	cr_expect_eq(cal_civil_days_in_month(1900, 2), 28);
	cr_expect_eq(cal_civil_days_in_month(2000, 2), 29);
	cr_expect_eq(cal_civil_days_in_month(2023, 2), 28);
	cr_expect_eq(cal_civil_days_in_month(2024, 2), 29);
	cr_expect_eq(cal_civil_days_in_month(2024, 4), 30);
	cr_expect_eq(cal_civil_days_in_month(2024, 12), 31);
	cr_expect_eq(cal_civil_days_in_month(2024, 0), 0);
	cr_expect_eq(cal_civil_days_in_month(2024, 13), 0);
	cr_expect(cal_civil_is_leap_year(0));
	cr_expect(cal_civil_is_leap_year(-4));
	cr_expect(!cal_civil_is_leap_year(-100));
}

Test(civil, validity)
{
	struct cal_civil ok[] = {
	    civil(1, 1, 1, 0, 0, 0),
	    civil(9999, 12, 31, 23, 59, 59),
	    civil(2024, 2, 29, 12, 0, 0),
	    civil(2016, 12, 31, 23, 59, 60),
	};
	struct cal_civil bad[] = {
	    civil(0, 12, 31, 0, 0, 0),   civil(10000, 1, 1, 0, 0, 0), civil(2023, 2, 29, 0, 0, 0),
	    civil(2024, 13, 1, 0, 0, 0), civil(2024, 0, 1, 0, 0, 0),  civil(2024, 4, 31, 0, 0, 0),
	    civil(2024, 1, 0, 0, 0, 0),  civil(2024, 1, 1, 24, 0, 0), civil(2024, 1, 1, 0, 60, 0),
	    civil(2024, 1, 1, 0, 0, 61), civil(2024, 1, 1, -1, 0, 0),
	};
	int64_t t = 42;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		cr_expect(cal_civil_valid(&ok[i]), "ok[%zu]", i);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect(!cal_civil_valid(&bad[i]), "bad[%zu]", i);
		cr_expect_eq(cal_civil_to_epoch_utc(&bad[i], &t), -EINVAL);
	}
	cr_expect(!cal_civil_valid(NULL));
	cr_expect_eq(t, 42, "output must not be touched on failure");
}

Test(civil, epoch_limits)
{
	struct cal_civil c;

	cr_expect_eq(utc(1, 1, 1, 0, 0, 0), CAL_CIVIL_EPOCH_MIN);
	cr_expect_eq(utc(9999, 12, 31, 23, 59, 59), CAL_CIVIL_EPOCH_MAX);
	cr_expect_eq(utc(2016, 12, 31, 23, 59, 60), utc(2017, 1, 1, 0, 0, 0));
	cr_assert_eq(cal_epoch_to_civil_utc(CAL_CIVIL_EPOCH_MIN, &c), 0);
	expect_civil_eq(c, civil(1, 1, 1, 0, 0, 0));
	cr_assert_eq(cal_epoch_to_civil_utc(-1, &c), 0);
	expect_civil_eq(c, civil(1969, 12, 31, 23, 59, 59));
	cr_expect_eq(cal_epoch_to_civil_utc(CAL_CIVIL_EPOCH_MIN - 1, &c), -ERANGE);
	cr_expect_eq(cal_epoch_to_civil_utc(CAL_CIVIL_EPOCH_MAX + 1, &c), -ERANGE);
}

/* Every day of years 1..9999 follows the previous one. */
Test(civil, consecutive_days)
{
	int64_t year;
	int month, day;
	int64_t first = cal_civil_days_from_date(1, 1, 1),
		last = cal_civil_days_from_date(9999, 12, 31);
	cal_civil_date_from_days(first, &year, &month, &day);
	for (int64_t d = first + 1; d <= last; d++) {
		int64_t y2;
		int m2, d2;
		cal_civil_date_from_days(d, &y2, &m2, &d2);
		bool next_day = y2 == year && m2 == month && d2 == day + 1;
		bool next_month = y2 == year && m2 == month + 1 && d2 == 1 &&
				  day == cal_civil_days_in_month(year, month);
		bool next_year = y2 == year + 1 && m2 == 1 && d2 == 1 && month == 12 && day == 31;
		if (!(next_day || next_month || next_year))
			cr_assert_fail("day %lld: %lld-%d-%d after %lld-%d-%d", (long long)d,
				       (long long)y2, m2, d2, (long long)year, month, day);
		if (cal_civil_days_from_date(y2, m2, d2) != d)
			cr_assert_fail("day %lld does not round trip", (long long)d);
		year = y2, month = m2, day = d2;
	}
}

/* Against glibc's gmtime_r, which has a 64-bit time_t here. */
Test(civil, random_epochs_round_trip)
{
	uint64_t rng = 0x9e3779b97f4a7c15u;
	for (int i = 0; i < 200000; i++) {
		int64_t t = (int64_t)(rng_next(&rng) % (uint64_t)220000000000) - 20000000000;
		struct cal_civil c;
		cr_assert_eq(cal_epoch_to_civil_utc(t, &c), 0);
		int64_t back;
		cr_assert_eq(cal_civil_to_epoch_utc(&c, &back), 0);
		if (back != t)
			cr_assert_fail("%lld -> %lld", (long long)t, (long long)back);
		time_t tt = (time_t)t;
		struct tm tm;
		cr_assert(gmtime_r(&tt, &tm));
		if (tm.tm_year + 1900 != c.year || tm.tm_mon + 1 != c.month ||
		    tm.tm_mday != c.day || tm.tm_hour != c.hour || tm.tm_min != c.minute ||
		    tm.tm_sec != c.second ||
		    tm.tm_wday !=
			cal_civil_weekday(cal_civil_days_from_date(c.year, c.month, c.day)))
			cr_assert_fail("%lld disagrees with gmtime_r", (long long)t);
	}
}

/* ---- zone names --------------------------------------------------------- */

Test(tz_name, valid_names)
{
	const char *ok[] = {"UTC",
			    "Etc/UTC",
			    "America/New_York",
			    "Etc/GMT+5",
			    "Etc/GMT-14",
			    "America/Argentina/Buenos_Aires",
			    "America/Port-au-Prince",
			    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		cr_expect(cal_tz_name_valid(ok[i]), "%s", ok[i]);
}

Test(tz_name, invalid_names)
{
	const char *bad[] = {"",
			     "../etc/passwd",
			     "/etc/passwd",
			     "America/../../etc/passwd",
			     "America/./New_York",
			     "America//New_York",
			     "America/",
			     "zone.tab",
			     "Europe/Madrid ",
			     "UTC\n",
			     "Europe\\Madrid",
			     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect(!cal_tz_name_valid(bad[i]), "\"%s\"", bad[i]);
	cr_expect(!cal_tz_name_valid(NULL));
}

/* Each bad name points at a loadable zone file, so only the syntactic
 * check can be what rejects it. */
Test(tz_name, rejected_before_filesystem)
{
	char root[32], zones[64], outside[64];
	tmpdir_make(root);
	snprintf(zones, sizeof(zones), "%s/zones", root);
	snprintf(outside, sizeof(outside), "%s/Outside", root);
	size_t len;
	void *utc_file = slurp(SYSTEM_ZONEINFO "/Etc/UTC", &len);
	const char *long_name =
	    "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	write_file(root, "Outside", utc_file, len);
	write_file(zones, "Etc/UTC", utc_file, len);
	write_file(zones, long_name, utc_file, len);

	struct cal_tzdb *db;
	cr_assert_eq(cal_tzdb_new(zones, &db), 0);
	const char *bad[] = {"../Outside", outside, "Etc//UTC", "Etc/./UTC", long_name, ""};
	const struct cal_tz *tz = (const struct cal_tz *)&len;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(cal_tzdb_get(db, bad[i], &tz), -EINVAL, "\"%s\"", bad[i]);
	cr_expect_eq(cal_tzdb_get(db, NULL, &tz), -EINVAL);
	cr_expect(tz == (const struct cal_tz *)&len, "output must not be touched on failure");
	cr_expect_eq(cal_tzdb_get(db, "Etc/UTC", &tz), 0, "control: the real name loads");

	cal_tzdb_free(db);
	free(utc_file);
	tmpdir_remove(root);
}

/* ---- the database ------------------------------------------------------- */

Test(tzdb, unknown_zone)
{
	struct cal_tzdb *db = system_db();
	const struct cal_tz *tz;
	cr_expect_eq(cal_tzdb_get(db, "Mars/Olympus_Mons", &tz), -ENOENT);
	cr_expect_eq(cal_tzdb_get(db, "America", &tz), -ENOENT, "a directory is not a zone");
	cr_expect_eq(cal_tzdb_get(db, "UTC/Nowhere", &tz), -ENOENT);
	cal_tzdb_free(db);
}

Test(tzdb, missing_directory)
{
	struct cal_tzdb *db = NULL;
	cr_expect_eq(cal_tzdb_new("/nonexistent/zoneinfo", &db), -ENOENT);
	cr_expect_null(db);
}

Test(tzdb, tzdir_environment)
{
	char root[32];
	tmpdir_make(root);
	size_t len;
	void *data = slurp(SYSTEM_ZONEINFO "/Asia/Kolkata", &len);
	write_file(root, "Custom/Zone", data, len);
	setenv("TZDIR", root, 1); /* Criterion runs each test in its own process */

	struct cal_tzdb *db;
	cr_assert_eq(cal_tzdb_new(NULL, &db), 0);
	const struct cal_tz *tz = zone(db, "Custom/Zone");
	cr_expect_str_eq(cal_tz_name(tz), "Custom/Zone");
	expect_offset(tz, utc(2024, 1, 1, 0, 0, 0), 19800, false);

	cal_tzdb_free(db);
	free(data);
	tmpdir_remove(root);
	unsetenv("TZDIR");
}

Test(tzdb, cache_returns_one_pointer)
{
	struct cal_tzdb *db = system_db();
	const struct cal_tz *a = zone(db, "Europe/Madrid");
	zone(db, "America/New_York");
	zone(db, "Asia/Kolkata");
	cr_expect_eq(zone(db, "Europe/Madrid"), a);
	cr_expect_str_eq(cal_tz_name(a), "Europe/Madrid");
	cal_tzdb_free(db);
	cal_tzdb_free(NULL);
	cal_tz_free(NULL);
}

Test(tzdb, utc_even_without_data)
{
	char root[32];
	tmpdir_make(root);
	struct cal_tzdb *db;
	cr_assert_eq(cal_tzdb_new(root, &db), 0);
	const struct cal_tz *tz;
	cr_expect_eq(cal_tzdb_get(db, "GMT", &tz), -ENOENT);
	expect_offset(zone(db, "UTC"), utc(2024, 6, 1, 0, 0, 0), 0, false);
	expect_offset(zone(db, "Etc/UTC"), utc(1800, 6, 1, 0, 0, 0), 0, false);
	cal_tzdb_free(db);
	tmpdir_remove(root);
}

Test(tzdb, leap_second_zones_rejected)
{
	struct stat st;
	if (stat(SYSTEM_ZONEINFO "/right/UTC", &st) != 0)
		cr_skip_test("no right/ zones installed");
	struct cal_tzdb *db = system_db();
	const struct cal_tz *tz;
	cr_expect_eq(cal_tzdb_get(db, "right/UTC", &tz), -EINVAL);
	cal_tzdb_free(db);
}

struct hammer {
	struct cal_tzdb *db;
	pthread_barrier_t *start;
	const struct cal_tz *seen[6];
	int failures;
};

static const char *const hammer_names[6] = {
    "America/New_York", "Europe/Madrid",       "UTC",
    "Asia/Kolkata",     "Australia/Lord_Howe", "Europe/Dublin"};

static void *hammer_run(void *arg)
{
	struct hammer *h = arg;
	pthread_barrier_wait(h->start); /* so that the first loads race */
	for (int i = 0; i < 3000; i++) {
		size_t k = (size_t)i % 6;
		const struct cal_tz *tz;
		if (cal_tzdb_get(h->db, hammer_names[k], &tz) != 0) {
			h->failures++;
			continue;
		}
		if (h->seen[k] && h->seen[k] != tz)
			h->failures++;
		h->seen[k] = tz;
		int32_t off;
		if (cal_tz_offset_at(tz, 1700000000 + i * 3600, &off, NULL) != 0)
			h->failures++;
		if (i % 100 == 0 && cal_tzdb_get(h->db, "No/Such_Zone", &tz) != -ENOENT)
			h->failures++;
	}
	return NULL;
}

Test(tzdb, concurrent_get)
{
	struct cal_tzdb *db = system_db();
	enum { NTHREADS = 8 };
	struct hammer h[NTHREADS];
	pthread_t threads[NTHREADS];
	pthread_barrier_t start;
	cr_assert_eq(pthread_barrier_init(&start, NULL, NTHREADS), 0);
	for (int i = 0; i < NTHREADS; i++) {
		h[i] = (struct hammer){.db = db, .start = &start};
		cr_assert_eq(pthread_create(&threads[i], NULL, hammer_run, &h[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&start);
	for (int i = 0; i < NTHREADS; i++) {
		cr_expect_eq(h[i].failures, 0, "thread %d", i);
		for (int k = 0; k < 6; k++)
			cr_expect_eq(h[i].seen[k], h[0].seen[k], "thread %d saw another %s", i,
				     hammer_names[k]);
	}
	cal_tzdb_free(db);
}

/* ---- real zones --------------------------------------------------------- */

Test(tz, new_york_gap_and_overlap)
{
	struct cal_tzdb *db = system_db();
	const struct cal_tz *ny = zone(db, "America/New_York");

	expect_local_to_utc(ny, civil(2024, 3, 10, 2, 30, 0), utc(2024, 3, 10, 7, 30, 0));
	expect_local_to_utc(ny, civil(2024, 3, 10, 1, 59, 59), utc(2024, 3, 10, 6, 59, 59));
	expect_local_to_utc(ny, civil(2024, 3, 10, 3, 0, 0), utc(2024, 3, 10, 7, 0, 0));
	expect_local_to_utc(ny, civil(2024, 11, 3, 1, 30, 0), utc(2024, 11, 3, 5, 30, 0));
	expect_local_to_utc(ny, civil(2024, 11, 3, 0, 59, 59), utc(2024, 11, 3, 4, 59, 59));
	expect_local_to_utc(ny, civil(2024, 11, 3, 2, 0, 0), utc(2024, 11, 3, 7, 0, 0));
	expect_local_to_utc(ny, civil(2024, 7, 1, 12, 0, 0), utc(2024, 7, 1, 16, 0, 0));

	/* The second 01:30 still reads back as 01:30, now EST. */
	struct cal_civil local;
	cr_assert_eq(cal_tz_utc_to_local(ny, utc(2024, 11, 3, 6, 30, 0), &local), 0);
	expect_civil_eq(local, civil(2024, 11, 3, 1, 30, 0));
	expect_offset(ny, utc(2024, 11, 3, 5, 59, 59), -14400, true);
	expect_offset(ny, utc(2024, 11, 3, 6, 0, 0), -18000, false);
	cal_tzdb_free(db);
}

Test(tz, madrid_gap_and_overlap)
{
	struct cal_tzdb *db = system_db();
	const struct cal_tz *madrid = zone(db, "Europe/Madrid");

	expect_local_to_utc(madrid, civil(2024, 3, 31, 2, 30, 0), utc(2024, 3, 31, 1, 30, 0));
	expect_local_to_utc(madrid, civil(2024, 10, 27, 2, 30, 0), utc(2024, 10, 27, 0, 30, 0));
	expect_local_to_utc(madrid, civil(2024, 1, 15, 9, 0, 0), utc(2024, 1, 15, 8, 0, 0));

	struct cal_civil local;
	cr_assert_eq(cal_tz_utc_to_local(madrid, utc(2024, 3, 31, 1, 30, 0), &local), 0);
	expect_civil_eq(local, civil(2024, 3, 31, 3, 30, 0));
	cal_tzdb_free(db);
}

Test(tz, mexico_city_abolished_dst)
{
	struct cal_tzdb *db = system_db();
	const struct cal_tz *mx = zone(db, "America/Mexico_City");

	expect_local_to_utc(mx, civil(2022, 7, 1, 12, 0, 0), utc(2022, 7, 1, 17, 0, 0));
	expect_local_to_utc(mx, civil(2022, 10, 30, 1, 30, 0), utc(2022, 10, 30, 6, 30, 0));
	expect_local_to_utc(mx, civil(2023, 7, 1, 12, 0, 0), utc(2023, 7, 1, 18, 0, 0));
	expect_local_to_utc(mx, civil(2026, 7, 1, 12, 0, 0), utc(2026, 7, 1, 18, 0, 0));
	expect_offset(mx, utc(2022, 10, 30, 6, 59, 59), -18000, true);
	expect_offset(mx, utc(2022, 10, 30, 7, 0, 0), -21600, false);
	expect_offset(mx, utc(2100, 7, 1, 0, 0, 0), -21600, false);
	cal_tzdb_free(db);
}

Test(tz, lord_howe_half_hour_dst)
{
	struct cal_tzdb *db = system_db();
	const struct cal_tz *lh = zone(db, "Australia/Lord_Howe");

	expect_offset(lh, utc(2024, 7, 1, 0, 0, 0), 37800, false);
	expect_offset(lh, utc(2025, 1, 1, 0, 0, 0), 39600, true);
	expect_offset(lh, utc(2060, 7, 1, 0, 0, 0), 37800, false);
	expect_offset(lh, utc(2060, 1, 1, 0, 0, 0), 39600, true);
	/* 02:00 -> 02:30 on 2024-10-06, 02:00 -> 01:30 on 2024-04-07. */
	expect_local_to_utc(lh, civil(2024, 10, 6, 2, 15, 0), utc(2024, 10, 5, 15, 45, 0));
	expect_local_to_utc(lh, civil(2024, 10, 6, 2, 30, 0), utc(2024, 10, 5, 15, 30, 0));
	expect_local_to_utc(lh, civil(2024, 4, 7, 1, 45, 0), utc(2024, 4, 6, 14, 45, 0));
	expect_local_to_utc(lh, civil(2024, 4, 7, 1, 29, 59), utc(2024, 4, 6, 14, 29, 59));
	cal_tzdb_free(db);
}

/* The system files list transitions up to 2037 at most; later ones come
 * from the footer. */
Test(tz, far_future_from_footer)
{
	struct cal_tzdb *db = system_db();
	const struct cal_tz *ny = zone(db, "America/New_York");

	expect_offset(ny, utc(2100, 7, 1, 12, 0, 0), -14400, true);
	expect_offset(ny, utc(2100, 1, 15, 12, 0, 0), -18000, false);
	expect_offset(ny, utc(9999, 12, 31, 0, 0, 0), -18000, false);
	expect_local_to_utc(ny, civil(2100, 7, 1, 12, 0, 0), utc(2100, 7, 1, 16, 0, 0));
	expect_local_to_utc(ny, civil(2040, 3, 11, 2, 30, 0), utc(2040, 3, 11, 7, 30, 0));
	expect_local_to_utc(ny, civil(2040, 11, 4, 1, 30, 0), utc(2040, 11, 4, 5, 30, 0));
	expect_local_to_utc(ny, civil(9999, 12, 31, 23, 59, 59),
			    utc(9999, 12, 31, 23, 59, 59) + 18000);

	struct cal_civil local;
	cr_assert_eq(cal_tz_utc_to_local(ny, utc(2100, 7, 1, 16, 0, 0), &local), 0);
	expect_civil_eq(local, civil(2100, 7, 1, 12, 0, 0));
	cr_expect_eq(cal_tz_utc_to_local(ny, CAL_CIVIL_EPOCH_MAX, &local), 0);
	cr_expect_eq(cal_tz_utc_to_local(ny, CAL_CIVIL_EPOCH_MIN, &local), -ERANGE);
	cal_tzdb_free(db);
}

Test(tz, before_first_transition)
{
	struct cal_tzdb *db = system_db();
	const struct cal_tz *ny = zone(db, "America/New_York");

	/* Local mean time until 1883-11-18 12:03:58, -4:56:02. */
	expect_offset(ny, utc(1800, 1, 1, 0, 0, 0), -17762, false);
	expect_offset(ny, utc(1883, 11, 18, 16, 59, 59), -17762, false);
	expect_offset(ny, utc(1883, 11, 18, 17, 0, 0), -18000, false);
	expect_local_to_utc(ny, civil(1, 1, 1, 0, 0, 0), CAL_CIVIL_EPOCH_MIN + 17762);
	cal_tzdb_free(db);
}

Test(tz, dublin_negative_dst)
{
	struct cal_tzdb *db = system_db();
	const struct cal_tz *dublin = zone(db, "Europe/Dublin");

	/* Irish Standard Time is the summer time; winter GMT is the "DST". Only
	 * offsets here: is_dst depends on whether the distribution compiled
	 * the data in "rearguard" form (footer.negative_dst checks the flag). */
	cr_expect_eq(offset_at(dublin, utc(2024, 1, 15, 12, 0, 0), NULL), 0);
	cr_expect_eq(offset_at(dublin, utc(2024, 7, 15, 12, 0, 0), NULL), 3600);
	cr_expect_eq(offset_at(dublin, utc(2100, 1, 15, 12, 0, 0), NULL), 0);
	cr_expect_eq(offset_at(dublin, utc(2100, 7, 15, 12, 0, 0), NULL), 3600);
	expect_local_to_utc(dublin, civil(2024, 3, 31, 1, 30, 0), utc(2024, 3, 31, 1, 30, 0));
	expect_local_to_utc(dublin, civil(2024, 10, 27, 1, 30, 0), utc(2024, 10, 27, 0, 30, 0));
	expect_local_to_utc(dublin, civil(2090, 10, 29, 1, 30, 0), utc(2090, 10, 29, 0, 30, 0));
	cal_tzdb_free(db);
}

Test(tz, fixed_and_odd_zones)
{
	struct cal_tzdb *db = system_db();

	expect_offset(zone(db, "UTC"), utc(2024, 6, 1, 0, 0, 0), 0, false);
	expect_offset(zone(db, "Etc/UTC"), utc(1900, 6, 1, 0, 0, 0), 0, false);
	expect_offset(zone(db, "Asia/Kolkata"), utc(2024, 6, 1, 0, 0, 0), 19800, false);
	expect_offset(zone(db, "Asia/Kolkata"), utc(2200, 1, 1, 0, 0, 0), 19800, false);

	/* Samoa skipped 2011-12-30 entirely, going from -10 (DST) to +14. */
	const struct cal_tz *apia = zone(db, "Pacific/Apia");
	expect_offset(apia, utc(2011, 12, 30, 9, 59, 59), -36000, true);
	expect_offset(apia, utc(2011, 12, 30, 10, 0, 0), 50400, true);
	expect_local_to_utc(apia, civil(2011, 12, 30, 12, 0, 0), utc(2011, 12, 30, 22, 0, 0));
	expect_local_to_utc(apia, civil(2011, 12, 31, 0, 0, 0), utc(2011, 12, 30, 10, 0, 0));
	expect_offset(apia, utc(2026, 1, 1, 0, 0, 0), 46800, false);
	cal_tzdb_free(db);
}

Test(tz, offset_range)
{
	struct cal_tzdb *db = system_db();
	const struct cal_tz *ny = zone(db, "America/New_York");
	int32_t off = 7;
	cr_expect_eq(cal_tz_offset_at(ny, CAL_TZ_UTC_LIMIT, &off, NULL), 0);
	cr_expect_eq(cal_tz_offset_at(ny, -CAL_TZ_UTC_LIMIT, &off, NULL), 0);
	off = 7;
	cr_expect_eq(cal_tz_offset_at(ny, CAL_TZ_UTC_LIMIT + 1, &off, NULL), -ERANGE);
	cr_expect_eq(cal_tz_offset_at(ny, INT64_MIN, &off, NULL), -ERANGE);
	cr_expect_eq(off, 7);
	struct cal_civil bad = civil(2024, 2, 30, 0, 0, 0);
	int64_t t = 7;
	cr_expect_eq(cal_tz_local_to_utc(ny, &bad, &t), -EINVAL);
	cr_expect_eq(t, 7);
	cal_tzdb_free(db);
}

/* ---- footer forms ------------------------------------------------------- */

Test(footer, fixed_quoted_name)
{
	struct cal_tz *tz = footer_zone("<-03>3");
	expect_offset(tz, utc(1900, 1, 1, 0, 0, 0), -10800, false);
	expect_offset(tz, utc(2300, 1, 1, 0, 0, 0), -10800, false);
	cal_tz_free(tz);
	tz = footer_zone("<+0545>-5:45");
	expect_offset(tz, utc(2024, 1, 1, 0, 0, 0), 20700, false);
	cal_tz_free(tz);
}

Test(footer, us_rule)
{
	struct cal_tz *tz = footer_zone("EST5EDT,M3.2.0,M11.1.0");
	expect_offset(tz, utc(2100, 3, 14, 6, 59, 59), -18000, false);
	expect_offset(tz, utc(2100, 3, 14, 7, 0, 0), -14400, true);
	expect_offset(tz, utc(2100, 11, 7, 5, 59, 59), -14400, true);
	expect_offset(tz, utc(2100, 11, 7, 6, 0, 0), -18000, false);
	expect_local_to_utc(tz, civil(2100, 3, 14, 2, 30, 0), utc(2100, 3, 14, 7, 30, 0));
	expect_local_to_utc(tz, civil(2100, 11, 7, 1, 30, 0), utc(2100, 11, 7, 5, 30, 0));
	cal_tz_free(tz);
}

Test(footer, southern_hemisphere)
{
	/* Sydney: DST from the first Sunday of October to the first Sunday of
	 * April at 03:00 daylight time, i.e. 16:00Z the day before. */
	struct cal_tz *tz = footer_zone("AEST-10AEDT,M10.1.0,M4.1.0/3");
	expect_offset(tz, utc(2024, 1, 15, 0, 0, 0), 39600, true);
	expect_offset(tz, utc(2024, 7, 15, 0, 0, 0), 36000, false);
	expect_offset(tz, utc(2024, 4, 6, 15, 59, 59), 39600, true);
	expect_offset(tz, utc(2024, 4, 6, 16, 0, 0), 36000, false);
	expect_offset(tz, utc(2024, 10, 5, 15, 59, 59), 36000, false);
	expect_offset(tz, utc(2024, 10, 5, 16, 0, 0), 39600, true);
	expect_offset(tz, utc(2023, 12, 31, 23, 0, 0), 39600, true);
	cal_tz_free(tz);
}

Test(footer, negative_dst)
{
	struct cal_tz *tz = footer_zone("IST-1GMT0,M10.5.0,M3.5.0/1");
	expect_offset(tz, utc(2024, 1, 15, 0, 0, 0), 0, true);
	expect_offset(tz, utc(2024, 7, 15, 0, 0, 0), 3600, false);
	expect_offset(tz, utc(2024, 3, 31, 0, 59, 59), 0, true);
	expect_offset(tz, utc(2024, 3, 31, 1, 0, 0), 3600, false);
	expect_offset(tz, utc(2024, 10, 27, 0, 59, 59), 3600, false);
	expect_offset(tz, utc(2024, 10, 27, 1, 0, 0), 0, true);
	cal_tz_free(tz);
}

Test(footer, julian_day_skips_february_29)
{
	struct cal_tz *tz = footer_zone("AAA0BBB,J60/0,J305/0");
	expect_offset(tz, utc(2024, 2, 29, 23, 59, 59), 0, false);
	expect_offset(tz, utc(2024, 3, 1, 0, 0, 0), 3600, true);
	expect_offset(tz, utc(2023, 3, 1, 0, 0, 0), 3600, true);
	expect_offset(tz, utc(2024, 10, 31, 22, 59, 59), 3600, true); /* J305 = Nov 1 */
	expect_offset(tz, utc(2024, 10, 31, 23, 0, 0), 0, false);
	cal_tz_free(tz);
}

Test(footer, zero_based_day_counts_february_29)
{
	struct cal_tz *tz = footer_zone("AAA0BBB,59/0,304/0");
	expect_offset(tz, utc(2024, 2, 28, 23, 59, 59), 0, false);
	expect_offset(tz, utc(2024, 2, 29, 0, 0, 0), 3600, true);
	expect_offset(tz, utc(2023, 2, 28, 23, 59, 59), 0, false);
	expect_offset(tz, utc(2023, 3, 1, 0, 0, 0), 3600, true);
	cal_tz_free(tz);
}

Test(footer, negative_and_long_rule_times)
{
	/* Nuuk since 2023: changes at -01:00 local (Saturday 23:00). */
	struct cal_tz *tz = footer_zone("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
	expect_offset(tz, utc(2024, 3, 31, 0, 59, 59), -7200, false);
	expect_offset(tz, utc(2024, 3, 31, 1, 0, 0), -3600, true);
	expect_offset(tz, utc(2024, 10, 27, 0, 59, 59), -3600, true);
	expect_offset(tz, utc(2024, 10, 27, 1, 0, 0), -7200, false);
	cal_tz_free(tz);

	/* Gaza's form: 50 hours after the fourth Thursday is Saturday 02:00. */
	tz = footer_zone("EET-2EEST,M3.4.4/50,M10.4.4/50");
	expect_offset(tz, utc(2030, 3, 29, 23, 59, 59), 7200, false);
	expect_offset(tz, utc(2030, 3, 30, 0, 0, 0), 10800, true);
	expect_local_to_utc(tz, civil(2030, 3, 30, 2, 30, 0), utc(2030, 3, 30, 0, 30, 0));
	cal_tz_free(tz);
}

Test(footer, dst_all_year)
{
	struct cal_tz *tz = footer_zone("EST5EDT4,0/0,J365/25");
	for (int y = 2020; y <= 2030; y++) {
		expect_offset(tz, utc(y, 1, 1, 4, 0, 0), -14400, true);
		expect_offset(tz, utc(y, 1, 1, 5, 0, 0), -14400, true);
		expect_offset(tz, utc(y, 7, 1, 0, 0, 0), -14400, true);
		expect_offset(tz, utc(y, 12, 31, 23, 0, 0), -14400, true);
	}
	cal_tz_free(tz);
}

Test(footer, week_five_is_last)
{
	/* February 2026 has four Sundays (1st..22nd), so M2.5.0 is the 22nd;
	 * March has five, the last on the 29th. */
	struct cal_tz *tz = footer_zone("AAA0BBB,M2.5.0/0,M3.5.0/0");
	expect_offset(tz, utc(2026, 2, 21, 23, 59, 59), 0, false);
	expect_offset(tz, utc(2026, 2, 22, 0, 0, 0), 3600, true);
	expect_offset(tz, utc(2026, 3, 28, 22, 59, 59), 3600, true);
	expect_offset(tz, utc(2026, 3, 28, 23, 0, 0), 0, false);
	cal_tz_free(tz);
}

Test(footer, malformed)
{
	const char *bad[] = {"EST5EDT",
			     "ES5",
			     "EST",
			     "EST25",
			     "<E>5",
			     "<EST5",
			     "EST5EDT,M13.1.0,M11.1.0",
			     "EST5EDT,M3.6.0,M11.1.0",
			     "EST5EDT,M3.2.7,M11.1.0",
			     "EST5EDT,M3.2.0/168,M11.1.0",
			     "EST5EDT,J0,J100",
			     "EST5EDT,366,100",
			     "EST5EDT,M3.2.0,M11.1.0x",
			     "EST5EDT,M3.2.0",
			     "EST5:60",
			     "EST5EDT,M3.2.0/2:00:60,M11.1.0"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tzif_spec s = {.version = 2, .ntypes = 1, .footer = bad[i]};
		struct cal_tz *tz = NULL;
		cr_expect_eq(parse_spec(&s, &tz), -EINVAL, "\"%s\"", bad[i]);
		cr_expect_null(tz);
	}
}

/* ---- file structure ----------------------------------------------------- */

/* New York as a "slim" file: transitions only until 2007, footer after. */
static const struct tzif_spec slim_new_york = {
    .version = 2,
    .ntypes = 3,
    .utoff = {-17762, -18000, -14400},
    .isdst = {0, 0, 1},
    .ntrans = 3,
    .trans = {-2717650800, 1173596400, 1194156000}, /* 1883-11-18, 2007-03-11, 2007-11-04 */
    .idx = {1, 2, 1},
    .footer = "EST5EDT,M3.2.0,M11.1.0",
};

Test(tzif, slim_file)
{
	struct cal_tz *tz;
	cr_assert_eq(parse_spec(&slim_new_york, &tz), 0);
	expect_offset(tz, utc(1800, 1, 1, 0, 0, 0), -17762, false);
	expect_offset(tz, utc(2007, 7, 1, 0, 0, 0), -14400, true);
	expect_offset(tz, utc(2024, 1, 1, 0, 0, 0), -18000, false);
	expect_offset(tz, utc(2024, 7, 1, 0, 0, 0), -14400, true);
	expect_local_to_utc(tz, civil(2024, 3, 10, 2, 30, 0), utc(2024, 3, 10, 7, 30, 0));
	expect_local_to_utc(tz, civil(2024, 11, 3, 1, 30, 0), utc(2024, 11, 3, 5, 30, 0));
	/* The footer never overrides the table before its last transition. */
	expect_offset(tz, utc(2007, 11, 4, 5, 59, 59), -14400, true);
	expect_offset(tz, utc(2007, 11, 4, 6, 0, 0), -18000, false);
	cal_tz_free(tz);
}

/* The last table transition falls mid-season (EST -> EDT on June 1), where
 * the footer rule alone would say EDT began in March: the rule must not
 * reach back before the table ends. */
Test(tzif, footer_starts_at_last_transition)
{
	struct tzif_spec s = {
	    .version = 2,
	    .ntypes = 2,
	    .utoff = {-18000, -14400},
	    .isdst = {0, 1},
	    .ntrans = 1,
	    .idx = {1},
	    .footer = "EST5EDT,M3.2.0,M11.1.0",
	};
	s.trans[0] = utc(2024, 6, 1, 0, 0, 0);
	struct cal_tz *tz;
	cr_assert_eq(parse_spec(&s, &tz), 0);
	expect_offset(tz, utc(2024, 5, 31, 23, 59, 59), -18000, false);
	expect_offset(tz, utc(2024, 6, 1, 0, 0, 0), -14400, true);
	expect_offset(tz, utc(2024, 11, 3, 6, 0, 0), -18000, false);
	/* Local 19:00..20:00 on May 31 is skipped. */
	expect_local_to_utc(tz, civil(2024, 5, 31, 19, 30, 0), utc(2024, 6, 1, 0, 30, 0));
	expect_local_to_utc(tz, civil(2024, 5, 31, 18, 30, 0), utc(2024, 5, 31, 23, 30, 0));
	cal_tz_free(tz);
}

Test(tzif, version_1_and_4)
{
	struct tzif_spec s = slim_new_york;
	s.version = 1;
	s.trans[0] = -2147483647; /* fits 32 bits; otherwise the same zone */
	struct cal_tz *tz;
	cr_assert_eq(parse_spec(&s, &tz), 0);
	expect_offset(tz, utc(2007, 7, 1, 0, 0, 0), -14400, true);
	expect_offset(tz, utc(2100, 7, 1, 0, 0, 0), -18000, false); /* no footer in v1 */
	cal_tz_free(tz);

	s = slim_new_york;
	s.version = 4;
	cr_assert_eq(parse_spec(&s, &tz), 0);
	expect_offset(tz, utc(2100, 7, 1, 0, 0, 0), -14400, true);
	cal_tz_free(tz);
}

Test(tzif, empty_footer_keeps_last_type)
{
	struct tzif_spec s = slim_new_york;
	s.footer = "";
	struct cal_tz *tz;
	cr_assert_eq(parse_spec(&s, &tz), 0);
	expect_offset(tz, utc(2100, 7, 1, 0, 0, 0), -18000, false);
	cal_tz_free(tz);
}

Test(tzif, bad_structure)
{
	struct tzif_spec bad_index = slim_new_york;
	bad_index.idx[1] = 3;
	struct tzif_spec unsorted = slim_new_york;
	unsorted.trans[2] = unsorted.trans[1];
	struct tzif_spec huge_offset = slim_new_york;
	huge_offset.utoff[2] = 93600;
	struct tzif_spec bad_dst_flag = slim_new_york;
	bad_dst_flag.isdst[0] = 2;
	struct tzif_spec no_footer = slim_new_york;
	no_footer.footer = NULL;
	const struct tzif_spec *specs[] = {&bad_index, &unsorted, &huge_offset, &bad_dst_flag,
					   &no_footer};
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct cal_tz *tz = NULL;
		cr_expect_eq(parse_spec(specs[i], &tz), -EINVAL, "spec %zu", i);
		cr_expect_null(tz);
	}
}

/* Patches one byte or count of the 64-bit block of a minimal file. */
Test(tzif, bad_header_fields)
{
	struct tzif_spec s = {.version = 2, .ntypes = 1, .footer = "UTC0"};
	size_t h = tzif_v2_header_at(&s);
	struct {
		size_t at;
		uint8_t value;
	} patches[] = {
	    {0, 'X'},              /* magic */
	    {4, '1'},              /* version */
	    {h + 4, 'x'},          /* version of the second header */
	    {h + 31, 1},           /* leapcnt = 1 */
	    {h + 32, 0xff},        /* timecnt = 0xff000000 */
	    {h + 39, 0},           /* typecnt = 0 */
	    {h + 38, 1},           /* typecnt = 257 */
	    {h + 43, 0},           /* charcnt = 0 */
	    {h + 40, 0x7f},        /* charcnt far past the end */
	    {h + 23, 2},           /* isutcnt = 2 != typecnt */
	    {h + 27, 1},           /* isstdcnt = 1: its flag would be the footer's '\n' */
	    {h + 44 + 5, 4},       /* designation index = charcnt */
	    {h + 44 + 6 + 3, 'D'}, /* designation without its NUL */
	    {h + 44 + 6 + 4, 'x'}, /* footer without its leading newline */
	};
	struct tzif_buf b;
	tzif_build(&s, &b);
	struct cal_tz *tz;
	cr_assert_eq(cal_tz_parse_tzif("Test/Zone", b.data, b.len, &tz), 0, "control");
	cal_tz_free(tz);
	for (size_t i = 0; i < sizeof(patches) / sizeof(patches[0]); i++) {
		struct tzif_buf p = b;
		p.data[patches[i].at] = patches[i].value;
		tz = NULL;
		cr_expect_eq(cal_tz_parse_tzif("Test/Zone", p.data, p.len, &tz), -EINVAL,
			     "patch %zu", i);
		cr_expect_null(tz);
	}
}

Test(tzif, every_truncation_of_a_real_file)
{
	size_t len;
	uint8_t *data = slurp(SYSTEM_ZONEINFO "/America/New_York", &len);
	for (size_t n = 0; n < len; n++) {
		/* A fresh allocation of exactly n bytes, so ASan sees any overread. */
		uint8_t *copy = malloc(n ? n : 1);
		memcpy(copy, data, n);
		struct cal_tz *tz = NULL;
		int r = cal_tz_parse_tzif("America/New_York", copy, n, &tz);
		free(copy);
		if (r != -EINVAL)
			cr_assert_fail("truncated to %zu bytes: %d", n, r);
	}
	struct cal_tz *tz;
	cr_expect_eq(cal_tz_parse_tzif("America/New_York", data, len, &tz), 0);
	cal_tz_free(tz);
	free(data);
}

/* Random byte corruption must never crash; what parses must still answer. */
Test(tzif, random_corruption)
{
	size_t len;
	uint8_t *data = slurp(SYSTEM_ZONEINFO "/Europe/Dublin", &len);
	uint64_t rng = 12345;
	for (int i = 0; i < 5000; i++) {
		uint8_t *copy = malloc(len);
		memcpy(copy, data, len);
		int flips = 1 + (int)(rng_next(&rng) % 4);
		for (int k = 0; k < flips; k++)
			copy[rng_next(&rng) % len] = (uint8_t)rng_next(&rng);
		struct cal_tz *tz = NULL;
		int r = cal_tz_parse_tzif("Europe/Dublin", copy, len, &tz);
		free(copy);
		if (r != 0 && r != -EINVAL)
			cr_assert_fail("unexpected error %d", r);
		if (r == 0) {
			int32_t off;
			int64_t t;
			struct cal_civil c = civil(2024, 3, 31, 1, 30, 0), local;
			cr_assert_eq(
			    cal_tz_offset_at(tz, (int64_t)rng_next(&rng) % 10000000000, &off, NULL),
			    0);
			cr_assert_eq(cal_tz_local_to_utc(tz, &c, &t), 0);
			cr_assert_eq(cal_tz_utc_to_local(tz, t, &local), 0);
			cal_tz_free(tz);
		}
	}
	free(data);
}

Test(tzif, corrupt_files_on_disk)
{
	char root[32];
	tmpdir_make(root);
	size_t len;
	void *data = slurp(SYSTEM_ZONEINFO "/America/New_York", &len);
	write_file(root, "Bad/Garbage", "this is not a zone file at all, just text\n", 42);
	write_file(root, "Bad/Empty", "", 0);
	write_file(root, "Bad/Header_Only", data, 44);
	write_file(root, "Bad/Half", data, len / 2);
	write_file(root, "Bad/Almost", data, len - 1);
	write_file(root, "Good/New_York", data, len);

	/* Bigger than CAL_TZ_FILE_MAX, with a valid start. */
	char big_path[96];
	snprintf(big_path, sizeof(big_path), "%s/Bad/Huge", root);
	int fd = open(big_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	cr_assert_eq(ftruncate(fd, CAL_TZ_FILE_MAX + 1), 0);
	close(fd);

	struct cal_tzdb *db;
	cr_assert_eq(cal_tzdb_new(root, &db), 0);
	const char *bad[] = {"Bad/Garbage", "Bad/Empty",  "Bad/Header_Only",
			     "Bad/Half",    "Bad/Almost", "Bad/Huge"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct cal_tz *tz = NULL;
		cr_expect_eq(cal_tzdb_get(db, bad[i], &tz), -EINVAL, "%s", bad[i]);
		cr_expect_null(tz);
		cr_expect_eq(cal_tzdb_get(db, bad[i], &tz), -EINVAL, "%s, second try", bad[i]);
	}
	expect_offset(zone(db, "Good/New_York"), utc(2024, 7, 1, 0, 0, 0), -14400, true);

	cal_tzdb_free(db);
	free(data);
	tmpdir_remove(root);
}
