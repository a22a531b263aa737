/*
 * RRULE text <-> struct cal_rule: a strict parser for RFC 5545 section 3.3.10,
 * the checks that make a rule acceptable, and the canonical text.
 *
 * The parser is our own rather than libical's icalrecurrencetype_from_string
 * because libical 3.0 is lenient where a server must not be: it reads COUNT
 * and INTERVAL with atoi ("COUNT=5x" is 5) into a short ("INTERVAL=65537" is
 * 1), wraps BYDAY ordinals through a signed char ("300MO" is 44MO), takes an
 * empty BYHOUR as 0, and reports errors through a process-wide errno. The unit
 * tests check that what we accept, libical reads the same way.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/macro.h"
#include "base/strbuf.h"
#include "model/recurrence_internal.h"

static const char *const weekday_codes[7] = { "SU", "MO", "TU", "WE", "TH", "FR", "SA" };

/* ---- wire names of the structured form ------------------------------------ */

static const char *const rrule_type_names[] = { "daily", "weekly", "monthly", "yearly" };
static const char *const end_type_names[] = { "forever", "count", "until" };
static const char *const month_by_names[] = { "date", "day" };

static int name_index(const char *const *names, int n, const char *s)
{
	for (int i = 0; s && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static const char *name_of(const char *const *names, int n, int v)
{
	return v >= 0 && v < n ? names[v] : "";
}

const char *cal_rrule_type_name(enum cal_rrule_type v)
{
	return name_of(rrule_type_names, (int)CAL_ARRAY_SIZE(rrule_type_names), (int)v);
}

int cal_rrule_type_parse(const char *s)
{
	return name_index(rrule_type_names, (int)CAL_ARRAY_SIZE(rrule_type_names), s);
}

const char *cal_end_type_name(enum cal_end_type v)
{
	return name_of(end_type_names, (int)CAL_ARRAY_SIZE(end_type_names), (int)v);
}

int cal_end_type_parse(const char *s)
{
	return name_index(end_type_names, (int)CAL_ARRAY_SIZE(end_type_names), s);
}

const char *cal_month_by_name(enum cal_month_by v)
{
	return name_of(month_by_names, (int)CAL_ARRAY_SIZE(month_by_names), (int)v);
}

int cal_month_by_parse(const char *s)
{
	return name_index(month_by_names, (int)CAL_ARRAY_SIZE(month_by_names), s);
}

/* ---- lifecycle ------------------------------------------------------------ */

struct cal_rule *rule_new(const struct cal_rule_limits *lim)
{
	static const struct cal_rule_limits defaults = CAL_RULE_LIMITS_DEFAULT;
	struct cal_rule *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->interval = 1;
	r->wkst = 1; /* Monday, RFC 5545's default */
	r->limits = lim ? *lim : defaults;
	return r;
}

void cal_rule_free(struct cal_rule *r)
{
	free(r);
}

bool cal_rule_is_finite(const struct cal_rule *r)
{
	return r->count > 0 || r->until_kind != UNTIL_NONE;
}

int64_t civil_day(const struct cal_civil *c)
{
	return cal_civil_days_from_date(c->year, c->month, c->day);
}

/* ---- lexical helpers ------------------------------------------------------ */

/* A slice of the rule text. */
struct token {
	const char *p;
	size_t n;
};

static bool token_is(struct token t, const char *lit)
{
	return strlen(lit) == t.n && strncasecmp(t.p, lit, t.n) == 0;
}

/* Splits off the text up to `sep` (or the end) from *rest. */
static struct token token_next(struct token *rest, char sep)
{
	const char *end = memchr(rest->p, sep, rest->n);
	size_t n = end ? (size_t)(end - rest->p) : rest->n;
	struct token t = { rest->p, n };
	rest->p += end ? n + 1 : n;
	rest->n -= end ? n + 1 : n;
	return t;
}

/* An unsigned decimal of 1..max_digits digits, the whole token. */
static bool parse_uint(struct token t, size_t max_digits, int *ret)
{
	if (t.n == 0 || t.n > max_digits)
		return false;
	int v = 0;
	for (size_t i = 0; i < t.n; i++) {
		if (t.p[i] < '0' || t.p[i] > '9')
			return false;
		v = v * 10 + (t.p[i] - '0');
	}
	*ret = v;
	return true;
}

/* [+/-]digits; *ret_neg tells the sign, *ret the magnitude. */
static bool parse_signed(struct token t, size_t max_digits, int *ret, bool *ret_neg)
{
	bool neg = t.n > 0 && t.p[0] == '-';
	if (t.n > 0 && (t.p[0] == '-' || t.p[0] == '+')) {
		t.p++;
		t.n--;
	}
	int v;
	if (!parse_uint(t, max_digits, &v))
		return false;
	*ret = v;
	*ret_neg = neg;
	return true;
}

static int weekday_parse(struct token t)
{
	for (int i = 0; i < 7; i++)
		if (token_is(t, weekday_codes[i]))
			return i;
	return -1;
}

/* ---- one parser per rule part --------------------------------------------- */

typedef const char *(*part_parser)(struct cal_rule *r, struct token v);

static const char *parse_freq(struct cal_rule *r, struct token v)
{
	static const char *const names[] = { "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY" };
	for (size_t i = 0; i < CAL_ARRAY_SIZE(names); i++) {
		if (token_is(v, names[i])) {
			r->freq = (enum rule_freq)i;
			return NULL;
		}
	}
	if (token_is(v, "SECONDLY") || token_is(v, "MINUTELY"))
		return "SECONDLY and MINUTELY rules are not supported for calendar events";
	return "FREQ must be HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY";
}

static const char *parse_interval(struct cal_rule *r, struct token v)
{
	if (!parse_uint(v, 9, &r->interval) || r->interval < 1)
		return "INTERVAL must be a whole number of at least 1";
	return NULL;
}

static const char *parse_count(struct cal_rule *r, struct token v)
{
	if (!parse_uint(v, 9, &r->count) || r->count < 1)
		return "COUNT must be a whole number of at least 1";
	return NULL;
}

static bool parse_date8(struct token t, struct cal_civil *c)
{
	return parse_uint((struct token){ t.p, 4 }, 4, &c->year) &&
	       parse_uint((struct token){ t.p + 4, 2 }, 2, &c->month) &&
	       parse_uint((struct token){ t.p + 6, 2 }, 2, &c->day);
}

static bool parse_time6(struct token t, struct cal_civil *c)
{
	return parse_uint((struct token){ t.p, 2 }, 2, &c->hour) &&
	       parse_uint((struct token){ t.p + 2, 2 }, 2, &c->minute) &&
	       parse_uint((struct token){ t.p + 4, 2 }, 2, &c->second) && c->second < 60;
}

/* YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ. */
static const char *parse_until(struct cal_rule *r, struct token v)
{
	static const char *const bad = "UNTIL must be a date (YYYYMMDD) or a date-time "
				       "(YYYYMMDDTHHMMSS, with Z for UTC)";
	struct cal_civil c = { 0 };
	bool utc = v.n == 16 && (v.p[15] == 'Z' || v.p[15] == 'z');
	if (v.n != 8 && v.n != 15 && !utc)
		return bad;
	if (!parse_date8(v, &c))
		return bad;
	if (v.n > 8 && ((v.p[8] != 'T' && v.p[8] != 't') ||
			!parse_time6((struct token){ v.p + 9, 6 }, &c)))
		return bad;
	int64_t epoch;
	if (cal_civil_to_epoch_utc(&c, &epoch) < 0)
		return bad;
	r->until_kind = v.n == 8 ? UNTIL_DATE : utc ? UNTIL_UTC : UNTIL_LOCAL;
	r->until = v.n == 8 ? civil_day(&c) : epoch;
	return NULL;
}

/* A comma-separated list of [+/-]n with lo <= |n| <= hi, each handed to
 * `add`; an empty list or item is an error. */
static bool parse_list(struct token v, int lo, int hi, bool signed_ok, size_t digits,
		       void (*add)(struct cal_rule *, int, bool), struct cal_rule *r)
{
	if (v.n == 0 || v.p[v.n - 1] == ',')
		return false;
	while (v.n > 0) {
		struct token item = token_next(&v, ',');
		int n;
		bool neg;
		if (!parse_signed(item, digits, &n, &neg) || n < lo || n > hi ||
		    (!signed_ok && (neg || item.p[0] == '+')))
			return false;
		add(r, n, neg);
	}
	return true;
}

static void add_second(struct cal_rule *r, int n, bool neg)
{
	(void)neg;
	r->by_second |= UINT64_C(1) << n;
}

static void add_minute(struct cal_rule *r, int n, bool neg)
{
	(void)neg;
	r->by_minute |= UINT64_C(1) << n;
}

static void add_hour(struct cal_rule *r, int n, bool neg)
{
	(void)neg;
	r->by_hour |= UINT32_C(1) << n;
}

static void add_mday(struct cal_rule *r, int n, bool neg)
{
	*(neg ? &r->by_mday_neg : &r->by_mday_pos) |= UINT32_C(1) << n;
}

static void add_yday(struct cal_rule *r, int n, bool neg)
{
	bits384_set(neg ? &r->by_yday_neg : &r->by_yday_pos, n);
}

static void add_wno(struct cal_rule *r, int n, bool neg)
{
	*(neg ? &r->by_wno_neg : &r->by_wno_pos) |= UINT64_C(1) << n;
}

static void add_month(struct cal_rule *r, int n, bool neg)
{
	(void)neg;
	r->by_month |= (uint16_t)(1u << (n - 1));
}

static void add_setpos(struct cal_rule *r, int n, bool neg)
{
	bits384_set(neg ? &r->by_setpos_neg : &r->by_setpos_pos, n);
}

static const char *parse_bysecond(struct cal_rule *r, struct token v)
{
	r->has |= HAS_SECOND;
	return parse_list(v, 0, 59, false, 2, add_second, r)
		       ? NULL
		       : "BYSECOND values must be 0..59 (leap seconds are not supported)";
}

static const char *parse_byminute(struct cal_rule *r, struct token v)
{
	r->has |= HAS_MINUTE;
	return parse_list(v, 0, 59, false, 2, add_minute, r) ? NULL
							     : "BYMINUTE values must be 0..59";
}

static const char *parse_byhour(struct cal_rule *r, struct token v)
{
	r->has |= HAS_HOUR;
	return parse_list(v, 0, 23, false, 2, add_hour, r) ? NULL : "BYHOUR values must be 0..23";
}

static const char *parse_bymonthday(struct cal_rule *r, struct token v)
{
	r->has |= HAS_MONTHDAY;
	return parse_list(v, 1, 31, true, 2, add_mday, r)
		       ? NULL
		       : "BYMONTHDAY values must be 1..31 or -31..-1";
}

static const char *parse_byyearday(struct cal_rule *r, struct token v)
{
	r->has |= HAS_YEARDAY;
	return parse_list(v, 1, 366, true, 3, add_yday, r)
		       ? NULL
		       : "BYYEARDAY values must be 1..366 or -366..-1";
}

static const char *parse_byweekno(struct cal_rule *r, struct token v)
{
	r->has |= HAS_WEEKNO;
	return parse_list(v, 1, 53, true, 2, add_wno, r) ? NULL
							 : "BYWEEKNO values must be 1..53 or -53..-1";
}

static const char *parse_bymonth(struct cal_rule *r, struct token v)
{
	r->has |= HAS_MONTH;
	return parse_list(v, 1, 12, false, 2, add_month, r) ? NULL : "BYMONTH values must be 1..12";
}

static const char *parse_bysetpos(struct cal_rule *r, struct token v)
{
	r->has |= HAS_SETPOS;
	return parse_list(v, 1, 366, true, 3, add_setpos, r)
		       ? NULL
		       : "BYSETPOS values must be 1..366 or -366..-1";
}

/* One BYDAY item: [[+/-]1..53]weekday. */
static bool parse_weekdaynum(struct cal_rule *r, struct token item)
{
	if (item.n < 2)
		return false;
	int wd = weekday_parse((struct token){ item.p + item.n - 2, 2 });
	if (wd < 0)
		return false;
	if (item.n == 2) {
		r->by_wday |= (uint8_t)(1u << wd);
		return true;
	}
	int n;
	bool neg;
	if (!parse_signed((struct token){ item.p, item.n - 2 }, 2, &n, &neg) || n < 1 || n > 53)
		return false;
	uint64_t *nth = neg ? r->by_nth_neg : r->by_nth_pos;
	nth[wd] |= UINT64_C(1) << n;
	r->by_nth_any = true;
	return true;
}

static const char *parse_byday(struct cal_rule *r, struct token v)
{
	static const char *const bad =
		"BYDAY values must be weekdays (MO..SU), optionally numbered 1..53 or -53..-1";
	r->has |= HAS_DAY;
	if (v.n == 0 || v.p[v.n - 1] == ',')
		return bad;
	while (v.n > 0) {
		if (!parse_weekdaynum(r, token_next(&v, ',')))
			return bad;
	}
	return NULL;
}

static const char *parse_wkst(struct cal_rule *r, struct token v)
{
	r->wkst = weekday_parse(v);
	return r->wkst < 0 ? "WKST must be a weekday (MO..SU)" : NULL;
}

static const struct {
	const char *name;
	part_parser parse;
} parts[] = {
	{ "FREQ", parse_freq },		    { "UNTIL", parse_until },
	{ "COUNT", parse_count },	    { "INTERVAL", parse_interval },
	{ "BYSECOND", parse_bysecond },	    { "BYMINUTE", parse_byminute },
	{ "BYHOUR", parse_byhour },	    { "BYDAY", parse_byday },
	{ "BYMONTHDAY", parse_bymonthday }, { "BYYEARDAY", parse_byyearday },
	{ "BYWEEKNO", parse_byweekno },	    { "BYMONTH", parse_bymonth },
	{ "BYSETPOS", parse_bysetpos },	    { "WKST", parse_wkst },
};

/* Parses NAME=VALUE into r; *seen records the parts met so far. */
static const char *parse_part(struct cal_rule *r, struct token part, unsigned *seen)
{
	struct token value = part;
	struct token name = token_next(&value, '=');
	if (name.n == part.n)
		return "each rule part must be NAME=VALUE";
	for (size_t i = 0; i < CAL_ARRAY_SIZE(parts); i++) {
		if (!token_is(name, parts[i].name))
			continue;
		if (*seen & (1u << i))
			return "a rule part appears twice";
		*seen |= 1u << i;
		return parts[i].parse(r, value);
	}
	if (token_is(name, "RSCALE") || token_is(name, "SKIP"))
		return "RSCALE and SKIP (RFC 7529) are not supported";
	return "the rule has a part RFC 5545 does not define";
}

/* ---- validation ----------------------------------------------------------- */

static unsigned popcount64(uint64_t v)
{
	return (unsigned)__builtin_popcountll(v);
}

static bool bymonthday_possible(const struct cal_rule *r)
{
	if (!(r->has & HAS_MONTHDAY) || !(r->has & HAS_MONTH))
		return true;
	for (int m = 1; m <= 12; m++) {
		if (!(r->by_month & (1u << (m - 1))))
			continue;
		uint32_t fits = (UINT32_C(2) << cal_civil_days_in_month(2000, m)) - 2;
		if ((r->by_mday_pos | r->by_mday_neg) & fits)
			return true;
	}
	return false;
}

/* How many start times a day the rule can have at most. */
static unsigned times_per_day(const struct cal_rule *r)
{
	unsigned s = r->has & HAS_SECOND ? popcount64(r->by_second) : 1;
	unsigned m = r->has & HAS_MINUTE ? popcount64(r->by_minute) : 1;
	unsigned h = r->has & HAS_HOUR ? popcount64(r->by_hour) : 1;
	return r->freq == FREQ_HOURLY ? s * m * 24 : s * m * h;
}

/* RFC 5545 3.3.10: which BYxxx parts each FREQ allows. */
static const char *freq_part_conflict(const struct cal_rule *r)
{
	if (r->by_nth_any && r->freq != FREQ_MONTHLY && r->freq != FREQ_YEARLY)
		return "a numbered BYDAY (like 2TU) needs FREQ=MONTHLY or YEARLY";
	if (r->by_nth_any && (r->has & HAS_WEEKNO))
		return "a numbered BYDAY cannot be combined with BYWEEKNO";
	if ((r->has & HAS_MONTHDAY) && r->freq == FREQ_WEEKLY)
		return "BYMONTHDAY cannot be used with FREQ=WEEKLY";
	if ((r->has & HAS_YEARDAY) && r->freq != FREQ_YEARLY && r->freq != FREQ_HOURLY)
		return "BYYEARDAY cannot be used with FREQ=DAILY, WEEKLY or MONTHLY";
	if ((r->has & HAS_WEEKNO) && r->freq != FREQ_YEARLY)
		return "BYWEEKNO needs FREQ=YEARLY";
	if ((r->has & HAS_SETPOS) && !(r->has & ~(unsigned)HAS_SETPOS))
		return "BYSETPOS needs another BYxxx part";
	return NULL;
}

int rule_validate(const struct cal_rule *r, const char *field, struct cal_error *err)
{
	const char *why = freq_part_conflict(r);
	if (!why && r->count > 0 && r->until_kind != UNTIL_NONE)
		why = "COUNT and UNTIL cannot both be given";
	if (!why && (unsigned)r->count > r->limits.count_max)
		why = "COUNT is larger than the server allows";
	if (!why && (unsigned)r->interval > r->limits.interval_max)
		why = "INTERVAL is larger than the server allows";
	if (!why && times_per_day(r) > CAL_RULE_TIMES_MAX)
		why = "the rule starts more than 1440 times a day";
	if (!why && !bymonthday_possible(r))
		why = "BYMONTHDAY falls in none of the BYMONTH months";
	return why ? cal_error_field(err, field, why) : 0;
}

/* ---- parsing -------------------------------------------------------------- */

static const char *parse_text(struct cal_rule *r, struct token rest)
{
	if (rest.n >= 6 && strncasecmp(rest.p, "RRULE:", 6) == 0) {
		rest.p += 6;
		rest.n -= 6;
	}
	/* "FREQ=WEEKLY;BYDAY=MO;" is common in the wild: one trailing ';' is fine. */
	if (rest.n > 0 && rest.p[rest.n - 1] == ';')
		rest.n--;
	if (rest.n == 0)
		return "the rule is empty";
	if (rest.p[rest.n - 1] == ';')
		return "each rule part must be NAME=VALUE";
	unsigned seen = 0;
	while (rest.n > 0) {
		const char *why = parse_part(r, token_next(&rest, ';'), &seen);
		if (why)
			return why;
	}
	return (seen & 1u) ? NULL : "FREQ is required";
}

int cal_rule_parse(const char *text, const struct cal_rule_limits *lim, struct cal_rule **ret_rule,
		   struct cal_error *err)
{
	_cleanup_(cal_rule_freep) struct cal_rule *r = rule_new(lim);
	if (!r)
		return CAL_E_NOMEM;
	if (!text)
		return cal_error_field(err, "rrule", "the rule is empty");
	size_t len = strnlen(text, (size_t)r->limits.text_max + 1);
	if (len > r->limits.text_max)
		return cal_error_field(err, "rrule", "the rule is too long");
	const char *why = parse_text(r, (struct token){ text, len });
	if (why)
		return cal_error_field(err, "rrule", why);
	int rc = rule_validate(r, "rrule", err);
	if (rc < 0)
		return rc;
	*ret_rule = TAKE_PTR(r);
	return 0;
}

/* ---- canonical text ------------------------------------------------------- */

static int put_int(struct strbuf *sb, int64_t v)
{
	char digits[24];
	size_t n = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		digits[sizeof(digits) - ++n] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		digits[sizeof(digits) - ++n] = '-';
	return strbuf_add(sb, digits + sizeof(digits) - n, n);
}

static int put_padded(struct strbuf *sb, int v, int width)
{
	char digits[8];
	for (int i = width - 1; i >= 0; i--, v /= 10)
		digits[i] = (char)('0' + v % 10);
	return strbuf_add(sb, digits, (size_t)width);
}

static int put_until(struct strbuf *sb, const struct cal_rule *r)
{
	struct cal_civil c = { 0 };
	int64_t epoch = r->until_kind == UNTIL_DATE ? r->until * SECONDS_PER_DAY : r->until;
	int rc = cal_epoch_to_civil_utc(epoch, &c);
	rc = rc < 0 ? rc : strbuf_puts(sb, ";UNTIL=");
	rc = rc < 0 ? rc : put_padded(sb, c.year, 4);
	rc = rc < 0 ? rc : put_padded(sb, c.month, 2);
	rc = rc < 0 ? rc : put_padded(sb, c.day, 2);
	if (r->until_kind == UNTIL_DATE || rc < 0)
		return rc;
	rc = strbuf_puts(sb, "T");
	rc = rc < 0 ? rc : put_padded(sb, c.hour, 2);
	rc = rc < 0 ? rc : put_padded(sb, c.minute, 2);
	rc = rc < 0 ? rc : put_padded(sb, c.second, 2);
	return rc < 0 || r->until_kind == UNTIL_LOCAL ? rc : strbuf_puts(sb, "Z");
}

/* Writes ";NAME=" before the first value and "," before the others. */
static int put_sep(struct strbuf *sb, const char *name, bool *first)
{
	int rc = *first ? strbuf_puts(sb, ";") : strbuf_puts(sb, ",");
	if (rc == 0 && *first)
		rc = strbuf_puts(sb, name);
	*first = false;
	return rc;
}

/* Positive values ascending, then negative ones by growing magnitude. */
static int put_signed_set(struct strbuf *sb, const char *name, bool (*has)(const void *, int),
			  const void *pos, const void *neg, int max)
{
	bool first = true;
	int rc = 0;
	for (int sign = 1; sign >= -1 && rc == 0; sign -= 2) {
		for (int n = 1; n <= max && rc == 0; n++) {
			if (!has(sign > 0 ? pos : neg, n))
				continue;
			rc = put_sep(sb, name, &first);
			rc = rc < 0 ? rc : put_int(sb, sign * n);
		}
	}
	return rc;
}

static bool has64(const void *mask, int n)
{
	return (*(const uint64_t *)mask >> n) & 1;
}

static bool has32(const void *mask, int n)
{
	return (*(const uint32_t *)mask >> n) & 1;
}

static bool has384(const void *mask, int n)
{
	return bits384_has(mask, n);
}

static int put_unsigned_set(struct strbuf *sb, const char *name, uint64_t mask, int offset)
{
	bool first = true;
	int rc = 0;
	for (int n = 0; n < 64 && rc == 0; n++) {
		if (!((mask >> n) & 1))
			continue;
		rc = put_sep(sb, name, &first);
		rc = rc < 0 ? rc : put_int(sb, n + offset);
	}
	return rc;
}

/* Weekdays from Monday; for each, the plain day, then numbered ones. */
static int put_byday(struct strbuf *sb, const struct cal_rule *r)
{
	bool first = true;
	int rc = 0;
	for (int i = 1; i <= 7 && rc == 0; i++) {
		int wd = i % 7;
		if ((r->by_wday >> wd) & 1) {
			rc = put_sep(sb, "BYDAY=", &first);
			rc = rc < 0 ? rc : strbuf_puts(sb, weekday_codes[wd]);
		}
		for (int sign = 1; sign >= -1 && rc == 0; sign -= 2) {
			uint64_t mask = sign > 0 ? r->by_nth_pos[wd] : r->by_nth_neg[wd];
			for (int n = 1; n <= 53 && rc == 0; n++) {
				if (!((mask >> n) & 1))
					continue;
				rc = put_sep(sb, "BYDAY=", &first);
				rc = rc < 0 ? rc : put_int(sb, sign * n);
				rc = rc < 0 ? rc : strbuf_puts(sb, weekday_codes[wd]);
			}
		}
	}
	return rc;
}

static int put_head(struct strbuf *sb, const struct cal_rule *r)
{
	static const char *const names[] = { "FREQ=HOURLY", "FREQ=DAILY", "FREQ=WEEKLY",
					     "FREQ=MONTHLY", "FREQ=YEARLY" };
	int rc = strbuf_puts(sb, names[r->freq]);
	if (rc == 0 && r->until_kind != UNTIL_NONE)
		rc = put_until(sb, r);
	if (rc == 0 && r->count > 0) {
		rc = strbuf_puts(sb, ";COUNT=");
		rc = rc < 0 ? rc : put_int(sb, r->count);
	}
	if (rc == 0 && r->interval != 1) {
		rc = strbuf_puts(sb, ";INTERVAL=");
		rc = rc < 0 ? rc : put_int(sb, r->interval);
	}
	return rc;
}

static int put_parts(struct strbuf *sb, const struct cal_rule *r)
{
	int rc = put_head(sb, r);
	rc = rc < 0 ? rc : put_unsigned_set(sb, "BYSECOND=", r->by_second, 0);
	rc = rc < 0 ? rc : put_unsigned_set(sb, "BYMINUTE=", r->by_minute, 0);
	rc = rc < 0 ? rc : put_unsigned_set(sb, "BYHOUR=", r->by_hour, 0);
	rc = rc < 0 ? rc : put_byday(sb, r);
	rc = rc < 0 ? rc
		    : put_signed_set(sb, "BYMONTHDAY=", has32, &r->by_mday_pos, &r->by_mday_neg, 31);
	rc = rc < 0 ? rc
		    : put_signed_set(sb, "BYYEARDAY=", has384, &r->by_yday_pos, &r->by_yday_neg,
				     366);
	rc = rc < 0 ? rc
		    : put_signed_set(sb, "BYWEEKNO=", has64, &r->by_wno_pos, &r->by_wno_neg, 53);
	rc = rc < 0 ? rc : put_unsigned_set(sb, "BYMONTH=", r->by_month, 1);
	rc = rc < 0 ? rc
		    : put_signed_set(sb, "BYSETPOS=", has384, &r->by_setpos_pos,
				     &r->by_setpos_neg, 366);
	if (rc == 0 && r->wkst != 1) {
		rc = strbuf_puts(sb, ";WKST=");
		rc = rc < 0 ? rc : strbuf_puts(sb, weekday_codes[r->wkst]);
	}
	return rc;
}

char *cal_rule_format(const struct cal_rule *r)
{
	/* Every value is at most 5 characters plus a comma, and no set has more
	 * than 366 positive and 366 negative values. */
	_cleanup_(strbuf_releasep) struct strbuf sb = STRBUF_INIT(64 * 1024);
	if (put_parts(&sb, r) < 0)
		return NULL;
	return strbuf_detach(&sb, NULL);
}
