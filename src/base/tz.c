/*
 * Time-zone engine over the system tz database; see tz.h for the contract.
 *
 * A zone is kept as the file gives it: an ascending array of UTC transition
 * instants, each naming the local time type (UTC offset, DST flag) that
 * starts there, plus the POSIX TZ rule from the footer that continues the
 * table after its last transition. Every lookup reduces to "which segment of
 * constant offset contains this instant": a binary search in the table, or
 * the rule's transitions for the few years around the instant.
 *
 * Local -> UTC walks those segments over a window wider than any possible
 * UTC offset around the wall-clock time, so it sees exactly the transitions
 * that could matter and picks the RFC 5545 answer for gaps and overlaps.
 *
 * The file layout and its constraints are from RFC 8536; the footer syntax
 * is POSIX TZ with the RFC 8536 extensions (rule times of -167..167 hours,
 * DST all year).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "base/tz.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define TZ_DEFAULT_DIR "/usr/share/zoneinfo"

enum {
	SECONDS_PER_DAY = 86400,
	TZIF_HEADER_LEN = 44,
	TZIF_TTINFO_LEN = 6,
	TZIF_TYPES_MAX = 256,  /* transition type indices are one byte */
	TZ_UTOFF_MIN = -89999, /* RFC 8536: offsets within (-25h, +26h) */
	TZ_UTOFF_MAX = 93599,
	/* local_to_utc looks at UTC instants within this distance of the wall
	 * time taken as UTC; it must exceed every |offset| allowed above. */
	TZ_LOCAL_WINDOW = 2 * SECONDS_PER_DAY,
	TZ_RULE_TIME_MAX_HOURS = 167,
	TZ_OFFSET_MAX_HOURS = 24,
	TZ_DEFAULT_RULE_TIME = 2 * 3600,
};

struct tz_type {
	int32_t utoff;
	bool is_dst;
};

/* One of the three POSIX ways to name a day of the year. */
enum tz_date_kind {
	TZ_DATE_JULIAN, /* Jn: 1..365, February 29 never counted */
	TZ_DATE_ZERO,   /* n: 0..365, February 29 counted */
	TZ_DATE_MONTH,  /* Mm.w.d: weekday d of week w (5 = last) of month m */
};

struct tz_date {
	enum tz_date_kind kind;
	int yday;
	int month;
	int week;
	int wday;
	int32_t time; /* seconds after local midnight, -167h..167h */
};

struct tz_rule {
	int32_t std_utoff;
	int32_t dst_utoff;
	bool has_dst;
	struct tz_date start; /* std -> dst, in local standard time */
	struct tz_date end;   /* dst -> std, in local daylight time */
};

struct cal_tz {
	char *name;
	int64_t *trans;      /* strictly ascending UTC instants */
	uint8_t *trans_type; /* index into types, for each transition */
	size_t ntrans;
	struct tz_type *types;
	size_t ntypes;
	bool has_rule;
	struct tz_rule rule;
};

/* A maximal interval [start, end) of UTC instants with one local time type;
 * INT64_MIN / INT64_MAX stand for unbounded ends. */
struct tz_seg {
	int64_t start;
	int64_t end;
	int32_t utoff;
	bool is_dst;
};

struct cal_tzdb {
	int dirfd;
	pthread_mutex_t lock;
	struct cal_tz **zones; /* sorted by name, guarded by lock */
	size_t nzones;
	size_t capacity;
};

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool cal_tz_name_valid(const char *name)
{
	if (!name)
		return false;
	size_t len = strnlen(name, CAL_TZ_NAME_MAX + 1);
	if (len == 0 || len > CAL_TZ_NAME_MAX || name[0] == '/' || name[len - 1] == '/')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (c == '/') {
			if (name[i + 1] == '/')
				return false;
		} else if (!is_alpha(c) && !is_digit(c) && c != '_' && c != '+' && c != '-') {
			return false;
		}
	}
	return true;
}

/* ---- POSIX TZ footer ---------------------------------------------------- */

struct tz_scanner {
	const char *p;
	const char *end;
};

static bool scan_char(struct tz_scanner *sc, char c)
{
	if (sc->p < sc->end && *sc->p == c) {
		sc->p++;
		return true;
	}
	return false;
}

static bool scan_uint(struct tz_scanner *sc, int max_digits, int max_value, int *ret)
{
	int value = 0, digits = 0;

	while (sc->p < sc->end && is_digit(*sc->p) && digits < max_digits) {
		value = value * 10 + (*sc->p - '0');
		sc->p++;
		digits++;
	}
	if (digits == 0 || value > max_value)
		return false;
	*ret = value;
	return true;
}

/* The abbreviation is not kept: calendard reports offsets, and the footer's
 * names only have to be well-formed for the rest to parse. */
static bool scan_abbr(struct tz_scanner *sc)
{
	size_t n = 0;

	if (scan_char(sc, '<')) {
		while (sc->p < sc->end &&
		       (is_alpha(*sc->p) || is_digit(*sc->p) || *sc->p == '+' || *sc->p == '-')) {
			sc->p++;
			n++;
		}
		return n >= 3 && scan_char(sc, '>');
	}
	while (sc->p < sc->end && is_alpha(*sc->p)) {
		sc->p++;
		n++;
	}
	return n >= 3;
}

/* [+-]hh[:mm[:ss]] in seconds, with hh at most max_hours. */
static bool scan_hms(struct tz_scanner *sc, int max_hours, int32_t *ret)
{
	int sign = 1;
	if (scan_char(sc, '-'))
		sign = -1;
	else
		scan_char(sc, '+');
	int h, m = 0, s = 0;

	if (!scan_uint(sc, 3, max_hours, &h))
		return false;
	if (scan_char(sc, ':')) {
		if (!scan_uint(sc, 2, 59, &m))
			return false;
		if (scan_char(sc, ':') && !scan_uint(sc, 2, 59, &s))
			return false;
	}
	*ret = sign * (h * 3600 + m * 60 + s);
	return true;
}

static bool scan_rule_date(struct tz_scanner *sc, struct tz_date *ret)
{
	struct tz_date d = {.time = TZ_DEFAULT_RULE_TIME};

	if (scan_char(sc, 'J')) {
		d.kind = TZ_DATE_JULIAN;
		if (!scan_uint(sc, 3, 365, &d.yday) || d.yday < 1)
			return false;
	} else if (scan_char(sc, 'M')) {
		d.kind = TZ_DATE_MONTH;
		if (!scan_uint(sc, 2, 12, &d.month) || d.month < 1 || !scan_char(sc, '.') ||
		    !scan_uint(sc, 1, 5, &d.week) || d.week < 1 || !scan_char(sc, '.') ||
		    !scan_uint(sc, 1, 6, &d.wday))
			return false;
	} else {
		d.kind = TZ_DATE_ZERO;
		if (!scan_uint(sc, 3, 365, &d.yday))
			return false;
	}
	if (scan_char(sc, '/') && !scan_hms(sc, TZ_RULE_TIME_MAX_HOURS, &d.time))
		return false;
	*ret = d;
	return true;
}

/* POSIX offsets count hours west of Greenwich; ours count seconds east. */
static int tz_rule_parse(const char *s, size_t len, struct tz_rule *ret)
{
	struct tz_scanner sc = {.p = s, .end = s + len};
	struct tz_rule r = {0};
	int32_t posix_offset;

	if (!scan_abbr(&sc) || !scan_hms(&sc, TZ_OFFSET_MAX_HOURS, &posix_offset))
		return -EINVAL;
	r.std_utoff = -posix_offset;
	if (sc.p == sc.end) {
		*ret = r;
		return 0;
	}
	if (!scan_abbr(&sc))
		return -EINVAL;
	r.has_dst = true;
	r.dst_utoff = r.std_utoff + 3600;
	if (sc.p < sc.end && *sc.p != ',') {
		if (!scan_hms(&sc, TZ_OFFSET_MAX_HOURS, &posix_offset))
			return -EINVAL;
		r.dst_utoff = -posix_offset;
	}
	/* POSIX leaves a DST zone without rules implementation-defined; tzdata
	 * never writes one, so treat it as corrupt rather than guess. */
	if (!scan_char(&sc, ',') || !scan_rule_date(&sc, &r.start) || !scan_char(&sc, ',') ||
	    !scan_rule_date(&sc, &r.end) || sc.p != sc.end)
		return -EINVAL;
	*ret = r;
	return 0;
}

static int64_t tz_date_day(const struct tz_date *d, int64_t year)
{
	int64_t jan1 = cal_civil_days_from_date(year, 1, 1);

	switch (d->kind) {
	case TZ_DATE_JULIAN:
		return jan1 + d->yday - 1 + (cal_civil_is_leap_year(year) && d->yday >= 60);
	case TZ_DATE_ZERO:
		return jan1 + d->yday;
	case TZ_DATE_MONTH:
		break;
	}
	int64_t first = cal_civil_days_from_date(year, d->month, 1);
	int64_t day = first + (d->wday - cal_civil_weekday(first) + 7) % 7 + (d->week - 1) * 7;
	if (day >= first + cal_civil_days_in_month(year, d->month))
		day -= 7; /* week 5 means the last such weekday, which may be the 4th */
	return day;
}

/* The segment of the rule's timeline that contains u. |u| is bounded by the
 * callers (CAL_TZ_UTC_LIMIT plus a window), so nothing here overflows. */
static struct tz_seg tz_rule_segment(const struct tz_rule *r, int64_t u)
{
	if (!r->has_dst)
		return (struct tz_seg){.start = INT64_MIN, .end = INT64_MAX, .utoff = r->std_utoff};

	int64_t year;
	int month, day;
	cal_civil_date_from_days(floor_div(u + r->std_utoff, SECONDS_PER_DAY), &year, &month, &day);

	/* A rule time can be up to a week outside its nominal date, so two
	 * years either side always hold both the transition before u and the
	 * one after it. */
	struct tz_seg seg = {.start = INT64_MIN, .end = INT64_MAX, .utoff = r->std_utoff};
	for (int64_t y = year - 2; y <= year + 2; y++) {
		int64_t at[2] = {
		    tz_date_day(&r->end, y) * SECONDS_PER_DAY + r->end.time - r->dst_utoff,
		    tz_date_day(&r->start, y) * SECONDS_PER_DAY + r->start.time - r->std_utoff,
		};
		/* "end" is visited before "start" and ">=" lets the later visit win a
		 * tie: a DST-all-year rule (RFC 8536 3.3.1) ends DST at the very
		 * instant it restarts it, and must stay in DST. */
		for (int k = 0; k < 2; k++) {
			bool to_dst = k == 1;
			if (at[k] <= u && at[k] >= seg.start) {
				seg.start = at[k];
				seg.utoff = to_dst ? r->dst_utoff : r->std_utoff;
				seg.is_dst = to_dst;
			} else if (at[k] > u && at[k] < seg.end) {
				seg.end = at[k];
			}
		}
	}
	return seg;
}

/* ---- TZif parsing ------------------------------------------------------- */

struct tzif_counts {
	uint32_t isutcnt;
	uint32_t isstdcnt;
	uint32_t leapcnt;
	uint32_t timecnt;
	uint32_t typecnt;
	uint32_t charcnt;
};

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Two's complement decoding without implementation-defined conversions. */
static int64_t get_be32_signed(const uint8_t *p)
{
	uint32_t v = get_be32(p);
	return v <= INT32_MAX ? (int64_t)v : -(int64_t)(~v) - 1;
}

static int64_t get_be64_signed(const uint8_t *p)
{
	uint64_t v = (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
	return v <= INT64_MAX ? (int64_t)v : -(int64_t)(~v) - 1;
}

/* Reads a header's version and counts; only checks what is needed to find
 * the end of its data block. */
static int tzif_header_parse(const uint8_t *p, size_t len, int *ret_version,
			     struct tzif_counts *ret_counts)
{
	if (len < TZIF_HEADER_LEN || memcmp(p, "TZif", 4) != 0)
		return -EINVAL;
	int version;
	if (p[4] == 0)
		version = 1;
	else if (p[4] >= '2' && p[4] <= '9')
		version = p[4] - '0'; /* later versions only add footer extensions */
	else
		return -EINVAL;
	*ret_version = version;
	*ret_counts = (struct tzif_counts){
	    .isutcnt = get_be32(p + 20),
	    .isstdcnt = get_be32(p + 24),
	    .leapcnt = get_be32(p + 28),
	    .timecnt = get_be32(p + 32),
	    .typecnt = get_be32(p + 36),
	    .charcnt = get_be32(p + 40),
	};
	return 0;
}

/* Checks on the counts of the block we actually use (RFC 8536 3.1). */
static bool tzif_counts_valid(const struct tzif_counts *c)
{
	return c->typecnt != 0 && c->typecnt <= TZIF_TYPES_MAX && c->charcnt != 0 &&
	       (c->isutcnt == 0 || c->isutcnt == c->typecnt) &&
	       (c->isstdcnt == 0 || c->isstdcnt == c->typecnt);
}

/* Cannot overflow: six 32-bit counts times at most 12 fit in 64 bits. */
static uint64_t tzif_block_len(const struct tzif_counts *c, unsigned timesize)
{
	return (uint64_t)c->timecnt * (timesize + 1) + (uint64_t)c->typecnt * TZIF_TTINFO_LEN +
	       c->charcnt + (uint64_t)c->leapcnt * (timesize + 4) + c->isstdcnt + c->isutcnt;
}

static int tzif_transitions_parse(const uint8_t *p, const struct tzif_counts *c, unsigned timesize,
				  struct cal_tz *tz)
{
	const uint8_t *indices = p + (size_t)c->timecnt * timesize;

	if (c->timecnt == 0)
		return 0;
	tz->trans = malloc(c->timecnt * sizeof(*tz->trans));
	tz->trans_type = malloc(c->timecnt);
	if (!tz->trans || !tz->trans_type)
		return -ENOMEM;
	for (size_t i = 0; i < c->timecnt; i++) {
		const uint8_t *t = p + i * timesize;
		int64_t at = timesize == 8 ? get_be64_signed(t) : get_be32_signed(t);
		if ((i > 0 && at <= tz->trans[i - 1]) || indices[i] >= c->typecnt)
			return -EINVAL;
		tz->trans[i] = at;
		tz->trans_type[i] = indices[i];
	}
	tz->ntrans = c->timecnt;
	return 0;
}

static int tzif_types_parse(const uint8_t *p, const struct tzif_counts *c, struct cal_tz *tz)
{
	const uint8_t *chars = p + (size_t)c->typecnt * TZIF_TTINFO_LEN;

	tz->types = malloc(c->typecnt * sizeof(*tz->types));
	if (!tz->types)
		return -ENOMEM;
	for (size_t i = 0; i < c->typecnt; i++) {
		const uint8_t *tt = p + i * TZIF_TTINFO_LEN;
		int64_t utoff = get_be32_signed(tt);
		uint8_t isdst = tt[4], desigidx = tt[5];
		/* The abbreviation must be a NUL-terminated string inside chars. */
		if (utoff < TZ_UTOFF_MIN || utoff > TZ_UTOFF_MAX || isdst > 1 ||
		    desigidx >= c->charcnt || !memchr(chars + desigidx, 0, c->charcnt - desigidx))
			return -EINVAL;
		tz->types[i] = (struct tz_type){.utoff = (int32_t)utoff, .is_dst = isdst};
	}
	tz->ntypes = c->typecnt;
	return 0;
}

/* Parses the data block at p, whose length the caller has checked. */
static int tzif_block_parse(const uint8_t *p, const struct tzif_counts *c, unsigned timesize,
			    struct cal_tz *tz)
{
	/* Leap-second zones count TAI-like seconds; our clock is POSIX time. */
	if (c->leapcnt != 0)
		return -EINVAL;
	int r = tzif_transitions_parse(p, c, timesize, tz);
	if (r < 0)
		return r;
	const uint8_t *ttinfo = p + (size_t)c->timecnt * (timesize + 1);
	r = tzif_types_parse(ttinfo, c, tz);
	if (r < 0)
		return r;
	const uint8_t *flags = ttinfo + (size_t)c->typecnt * TZIF_TTINFO_LEN + c->charcnt;
	for (size_t i = 0; i < (size_t)c->isstdcnt + c->isutcnt; i++)
		if (flags[i] > 1)
			return -EINVAL;
	return 0;
}

/* The footer is "\n<POSIX TZ>\n"; an empty string means "no rule". It is
 * mandatory in v2+, so a missing one means a truncated file. */
static int tzif_footer_parse(const uint8_t *p, size_t len, struct cal_tz *tz)
{
	if (len == 0 || p[0] != '\n')
		return -EINVAL;
	const uint8_t *nl = memchr(p + 1, '\n', len - 1);
	if (!nl)
		return -EINVAL;
	size_t tzlen = (size_t)(nl - (p + 1));
	if (tzlen == 0)
		return 0;
	int r = tz_rule_parse((const char *)p + 1, tzlen, &tz->rule);
	if (r < 0)
		return r;
	tz->has_rule = true;
	return 0;
}

static int tzif_parse(const uint8_t *p, size_t len, struct cal_tz *tz)
{
	struct tzif_counts c;
	int version;
	int r = tzif_header_parse(p, len, &version, &c);
	if (r < 0)
		return r;
	uint64_t v1_len = tzif_block_len(&c, 4);
	if (v1_len > len - TZIF_HEADER_LEN)
		return -EINVAL;
	if (version == 1) {
		if (!tzif_counts_valid(&c))
			return -EINVAL;
		return tzif_block_parse(p + TZIF_HEADER_LEN, &c, 4, tz);
	}

	/* v2+: skip the 32-bit block; the 64-bit one repeats it in full. */
	size_t off = TZIF_HEADER_LEN + (size_t)v1_len;
	r = tzif_header_parse(p + off, len - off, &version, &c);
	if (r < 0)
		return r;
	off += TZIF_HEADER_LEN;
	uint64_t v2_len = tzif_block_len(&c, 8);
	if (!tzif_counts_valid(&c) || v2_len > len - off)
		return -EINVAL;
	r = tzif_block_parse(p + off, &c, 8, tz);
	if (r < 0)
		return r;
	off += (size_t)v2_len;
	return tzif_footer_parse(p + off, len - off, tz);
}

void cal_tz_free(struct cal_tz *tz)
{
	if (!tz)
		return;
	free(tz->name);
	free(tz->trans);
	free(tz->trans_type);
	free(tz->types);
	free(tz);
}

int cal_tz_parse_tzif(const char *name, const void *data, size_t len, struct cal_tz **ret_tz)
{
	if (!name || !data || !ret_tz)
		return -EINVAL;
	struct cal_tz *tz = calloc(1, sizeof(*tz));
	if (!tz)
		return -ENOMEM;
	int r = -ENOMEM;
	tz->name = strdup(name);
	if (!tz->name)
		goto fail;
	r = tzif_parse(data, len, tz);
	if (r < 0)
		goto fail;
	*ret_tz = tz;
	return 0;
fail:
	cal_tz_free(tz);
	return r;
}

/* For systems whose zoneinfo lacks UTC: calendard must always have it. */
static int tz_new_utc(const char *name, struct cal_tz **ret_tz)
{
	struct cal_tz *tz = calloc(1, sizeof(*tz));
	if (!tz)
		return -ENOMEM;
	tz->name = strdup(name);
	tz->types = calloc(1, sizeof(*tz->types));
	if (!tz->name || !tz->types) {
		cal_tz_free(tz);
		return -ENOMEM;
	}
	tz->ntypes = 1;
	*ret_tz = tz;
	return 0;
}

/* ---- lookups ------------------------------------------------------------ */

/* The segment containing u; type 0 governs before the first transition and
 * the footer rule (or else the last type) after the last one (RFC 8536 3.2). */
static struct tz_seg tz_segment_at(const struct cal_tz *tz, int64_t u)
{
	size_t n = tz->ntrans;

	if (n == 0 || u >= tz->trans[n - 1]) {
		int64_t last = n ? tz->trans[n - 1] : INT64_MIN;
		if (tz->has_rule) {
			struct tz_seg seg = tz_rule_segment(&tz->rule, u);
			if (seg.start < last)
				seg.start = last;
			return seg;
		}
		struct tz_type t = tz->types[n ? tz->trans_type[n - 1] : 0];
		return (struct tz_seg){
		    .start = last, .end = INT64_MAX, .utoff = t.utoff, .is_dst = t.is_dst};
	}
	if (u < tz->trans[0])
		return (struct tz_seg){.start = INT64_MIN,
				       .end = tz->trans[0],
				       .utoff = tz->types[0].utoff,
				       .is_dst = tz->types[0].is_dst};

	size_t lo = 0, hi = n - 1; /* trans[lo] <= u < trans[hi] */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (tz->trans[mid] <= u)
			lo = mid;
		else
			hi = mid;
	}
	struct tz_type t = tz->types[tz->trans_type[lo]];
	return (struct tz_seg){
	    .start = tz->trans[lo], .end = tz->trans[hi], .utoff = t.utoff, .is_dst = t.is_dst};
}

const char *cal_tz_name(const struct cal_tz *tz)
{
	return tz->name;
}

int cal_tz_offset_at(const struct cal_tz *tz, int64_t utc, int32_t *ret_offset_seconds,
		     bool *ret_is_dst)
{
	if (!tz || !ret_offset_seconds)
		return -EINVAL;
	if (utc < -CAL_TZ_UTC_LIMIT || utc > CAL_TZ_UTC_LIMIT)
		return -ERANGE;
	struct tz_seg seg = tz_segment_at(tz, utc);
	*ret_offset_seconds = seg.utoff;
	if (ret_is_dst)
		*ret_is_dst = seg.is_dst;
	return 0;
}

int cal_tz_local_to_utc(const struct cal_tz *tz, const struct cal_civil *local, int64_t *ret_utc)
{
	int64_t wall;

	if (!tz || !ret_utc || cal_civil_to_epoch_utc(local, &wall) < 0)
		return -EINVAL;

	/* Visit, in UTC order, every segment that could map onto the wall time.
	 * The first segment containing wall - offset is the first occurrence; if
	 * none does, the wall time fell into the gap after some segment, and
	 * RFC 5545 reads it with that segment's offset. */
	int64_t limit = wall + TZ_LOCAL_WINDOW;
	struct tz_seg seg = tz_segment_at(tz, wall - TZ_LOCAL_WINDOW);
	bool in_gap = false;
	int64_t gap_utc = 0;
	for (;;) {
		int64_t candidate = wall - seg.utoff;
		if (candidate >= seg.start && candidate < seg.end) {
			*ret_utc = candidate;
			return 0;
		}
		if (seg.end > limit)
			break;
		struct tz_seg next = tz_segment_at(tz, seg.end);
		if (!in_gap && wall >= seg.end + seg.utoff && wall < seg.end + next.utoff) {
			in_gap = true;
			gap_utc = candidate;
		}
		seg = next;
	}
	/* Offsets are bounded by TZ_UTOFF_MIN/MAX, so the segments visited cover
	 * the wall time one way or the other; this is only a safety net. */
	if (!in_gap)
		return -EINVAL;
	*ret_utc = gap_utc;
	return 0;
}

int cal_tz_utc_to_local(const struct cal_tz *tz, int64_t utc, struct cal_civil *ret_local)
{
	int32_t offset;

	if (!ret_local)
		return -EINVAL;
	int r = cal_tz_offset_at(tz, utc, &offset, NULL);
	if (r < 0)
		return r;
	return cal_epoch_to_civil_utc(utc + offset, ret_local);
}

/* ---- the database ------------------------------------------------------- */

/* Reads the whole zone file. O_NONBLOCK keeps a FIFO planted in the
 * directory from hanging the caller; only regular files are zones. */
static int tz_file_read(int dirfd, const char *name, uint8_t **ret_buf, size_t *ret_len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOTDIR ? -ENOENT : -errno;

	uint8_t *buf = NULL;
	size_t len = 0;
	struct stat st;
	int r = 0;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -ENOENT;
		goto out;
	}
	if (st.st_size > CAL_TZ_FILE_MAX) {
		r = -EINVAL;
		goto out;
	}
	/* One spare byte tells a file that grew since fstat from one that fits. */
	size_t capacity = (size_t)st.st_size + 1;
	buf = malloc(capacity);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	while (len < capacity) {
		ssize_t k = read(fd, buf + len, capacity - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = -errno;
			goto out;
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	if (len == capacity) {
		r = -EINVAL;
		goto out;
	}
	*ret_buf = buf;
	*ret_len = len;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return r;
}

static int tz_load(int dirfd, const char *name, struct cal_tz **ret_tz)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int r = tz_file_read(dirfd, name, &buf, &len);
	if (r == -ENOENT && (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0))
		return tz_new_utc(name, ret_tz);
	if (r < 0)
		return r;
	r = cal_tz_parse_tzif(name, buf, len, ret_tz);
	free(buf);
	return r;
}

int cal_tzdb_new(const char *zoneinfo_dir, struct cal_tzdb **ret_db)
{
	if (!ret_db)
		return -EINVAL;
	const char *dir = zoneinfo_dir;
	if (!dir) {
		dir = getenv("TZDIR");
		if (!dir || !*dir)
			dir = TZ_DEFAULT_DIR;
	}
	struct cal_tzdb *db = calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	db->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (db->dirfd < 0) {
		int r = -errno;
		free(db);
		return r;
	}
	int r = pthread_mutex_init(&db->lock, NULL);
	if (r != 0) {
		close(db->dirfd);
		free(db);
		return -r;
	}
	*ret_db = db;
	return 0;
}

void cal_tzdb_free(struct cal_tzdb *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->nzones; i++)
		cal_tz_free(db->zones[i]);
	free(db->zones);
	pthread_mutex_destroy(&db->lock);
	close(db->dirfd);
	free(db);
}

/* Index of name in the sorted cache, or of where it would go. Caller holds
 * the lock. */
static size_t tzdb_position(const struct cal_tzdb *db, const char *name, bool *ret_found)
{
	size_t lo = 0, hi = db->nzones;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(db->zones[mid]->name, name);
		if (cmp == 0) {
			*ret_found = true;
			return mid;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*ret_found = false;
	return lo;
}

static const struct cal_tz *tzdb_lookup(struct cal_tzdb *db, const char *name)
{
	bool found;
	pthread_mutex_lock(&db->lock);
	size_t i = tzdb_position(db, name, &found);
	const struct cal_tz *tz = found ? db->zones[i] : NULL;
	pthread_mutex_unlock(&db->lock);
	return tz;
}

/* Takes ownership of tz. If another thread cached the same name while we
 * were loading, ours is dropped and theirs returned, so every caller of a
 * name sees one pointer. */
static int tzdb_insert(struct cal_tzdb *db, struct cal_tz *tz, const struct cal_tz **ret_tz)
{
	bool found;
	int r = 0;
	pthread_mutex_lock(&db->lock);
	size_t i = tzdb_position(db, tz->name, &found);
	if (found) {
		cal_tz_free(tz);
		*ret_tz = db->zones[i];
		goto out;
	}
	if (db->nzones == db->capacity) {
		size_t capacity = db->capacity ? db->capacity * 2 : 64;
		struct cal_tz **zones = realloc(db->zones, capacity * sizeof(*zones));
		if (!zones) {
			cal_tz_free(tz);
			r = -ENOMEM;
			goto out;
		}
		db->zones = zones;
		db->capacity = capacity;
	}
	memmove(db->zones + i + 1, db->zones + i, (db->nzones - i) * sizeof(*db->zones));
	db->zones[i] = tz;
	db->nzones++;
	*ret_tz = tz;
out:
	pthread_mutex_unlock(&db->lock);
	return r;
}

int cal_tzdb_get(struct cal_tzdb *db, const char *name, const struct cal_tz **ret_tz)
{
	if (!db || !ret_tz || !cal_tz_name_valid(name))
		return -EINVAL;
	const struct cal_tz *tz = tzdb_lookup(db, name);
	if (!tz) {
		/* Load without the lock: file I/O must not stall other lookups. */
		struct cal_tz *loaded;
		int r = tz_load(db->dirfd, name, &loaded);
		if (r < 0)
			return r;
		r = tzdb_insert(db, loaded, &tz);
		if (r < 0)
			return r;
	}
	*ret_tz = tz;
	return 0;
}
