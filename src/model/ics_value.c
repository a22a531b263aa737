/*
 * The value types of RFC 5545 section 3.3 that import reads: DATE,
 * DATE-TIME, DURATION, UTC-OFFSET, INTEGER and TEXT, plus UTF-8 checking and
 * the error helper. Strict where a lax reading would change meaning (a date
 * must exist, a DURATION must have its parts in order); the letters T, Z, P,
 * W, D, H, M, S are accepted in either case as ABNF literals are.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model/ics_internal.h"
#include "model/time.h"

int ics_fail(const struct ics_diag *d, unsigned line, const char *prop, const char *fmt, ...)
{
	if (!d->err)
		return CAL_E_INVALID;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *msg = n >= 0 ? arena_alloc(d->a, (size_t)n + 1) : NULL;
	if (!msg)
		return cal_error_set(d->err, CAL_E_INVALID, "the file is not valid iCalendar");
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	const char *detail = prop ? arena_printf(d->a, "line %u: %s: %s", line, prop, msg)
				  : arena_printf(d->a, "line %u: %s", line, msg);
	return cal_error_set(d->err, CAL_E_INVALID, detail ? detail : msg);
}

bool ics_name_eq(const char *a, const char *b)
{
	for (;; a++, b++) {
		char x = *a >= 'a' && *a <= 'z' ? (char)(*a - 32) : *a;
		char y = *b >= 'a' && *b <= 'z' ? (char)(*b - 32) : *b;
		if (x != y)
			return false;
		if (!x)
			return true;
	}
}

static const char *const class_names[] = { "PUBLIC", "PRIVATE", "CONFIDENTIAL" };
static const char *const transp_names[] = { "OPAQUE", "TRANSPARENT" };
static const char *const partstat_names[] = { "NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE" };
static const char *const role_names[] = { "CHAIR", "REQ-PARTICIPANT", "OPT-PARTICIPANT" };
static const char *const action_names[] = { "DISPLAY", "EMAIL", "AUDIO" };

const struct ics_vocab ics_classes = { class_names, CAL_ARRAY_SIZE(class_names) };
const struct ics_vocab ics_transps = { transp_names, CAL_ARRAY_SIZE(transp_names) };
const struct ics_vocab ics_partstats = { partstat_names, CAL_ARRAY_SIZE(partstat_names) };
const struct ics_vocab ics_roles = { role_names, CAL_ARRAY_SIZE(role_names) };
const struct ics_vocab ics_actions = { action_names, CAL_ARRAY_SIZE(action_names) };

const char *ics_vocab_find(const struct ics_vocab *v, const char *s)
{
	for (size_t i = 0; s && i < v->n; i++)
		if (ics_name_eq(s, v->names[i]))
			return v->names[i];
	return NULL;
}

static bool is_letter(char c, char upper)
{
	return c == upper || c == upper + 32;
}

bool ics_parse_datetime(const char *s, size_t n, struct cal_civil *ret, enum ics_dt *ret_kind)
{
	struct cal_civil c = { 0 };
	enum ics_dt kind;
	if (n != 8 && n != 15 && n != 16)
		return false;
	if (!cal_digits(s, 4, &c.year) || !cal_digits(s + 4, 2, &c.month) || !cal_digits(s + 6, 2, &c.day))
		return false;
	if (n == 8) {
		kind = ICS_DT_DATE;
	} else {
		if (!is_letter(s[8], 'T') || !cal_digits(s + 9, 2, &c.hour) ||
		    !cal_digits(s + 11, 2, &c.minute) || !cal_digits(s + 13, 2, &c.second))
			return false;
		if (n == 16 && !is_letter(s[15], 'Z'))
			return false;
		kind = n == 16 ? ICS_DT_UTC : ICS_DT_LOCAL;
	}
	if (!cal_civil_valid(&c))
		return false;
	*ret = c;
	*ret_kind = kind;
	return true;
}

/* Reads "<digits><unit>"; at most 9 digits so that no sum can overflow. */
static bool duration_part(const char **p, int64_t *ret_n, char *ret_unit)
{
	const char *s = *p;
	int64_t v = 0;
	int nd = 0;
	while (*s >= '0' && *s <= '9' && nd < 10) {
		v = v * 10 + (*s++ - '0');
		nd++;
	}
	if (nd == 0 || nd > 9 || !*s)
		return false;
	*ret_unit = *s >= 'a' && *s <= 'z' ? (char)(*s - 32) : *s;
	*ret_n = v;
	*p = s + 1;
	return true;
}

/* Units must come in the order W D (T) H M S, each at most once. "P1W2D"
 * is not RFC 5545 but some writers emit it, and it has one meaning. */
bool ics_parse_duration(const char *s, struct ics_duration *ret)
{
	static const char order[] = "WDHMS";
	int64_t sign = 1, days = 0, secs = 0;
	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if (!is_letter(*s++, 'P') || !*s)
		return false;
	int next = 0;
	bool in_time = false, any_time = false;
	while (*s) {
		if (is_letter(*s, 'T') && !in_time) {
			in_time = true;
			s++;
			if (!*s)
				return false;
			continue;
		}
		int64_t n;
		char unit;
		if (!duration_part(&s, &n, &unit))
			return false;
		const char *at = strchr(order + next, unit);
		if (!at || !unit || (at - order >= 2) != in_time)
			return false;
		next = (int)(at - order) + 1;
		switch (unit) {
		case 'W': days += n * 7; break;
		case 'D': days += n; break;
		case 'H': secs += n * 3600; break;
		case 'M': secs += n * 60; break;
		default: secs += n; break;
		}
		any_time |= in_time;
	}
	if (in_time && !any_time)
		return false;
	*ret = (struct ics_duration){ .days = sign * days, .seconds = sign * secs };
	return true;
}

bool ics_parse_utc_offset(const char *s, int32_t *ret_seconds)
{
	size_t n = strlen(s);
	int h, m, sec = 0;
	if ((n != 5 && n != 7) || (s[0] != '+' && s[0] != '-'))
		return false;
	if (!cal_digits(s + 1, 2, &h) || !cal_digits(s + 3, 2, &m) || (n == 7 && !cal_digits(s + 5, 2, &sec)))
		return false;
	if (h > 23 || m > 59 || sec > 59)
		return false;
	int32_t v = h * 3600 + m * 60 + sec;
	/* "-0000" is not allowed (section 3.3.14), but means UTC just the same. */
	*ret_seconds = s[0] == '-' ? -v : v;
	return true;
}

bool ics_parse_int(const char *s, int64_t min, int64_t max, int64_t *ret)
{
	int64_t sign = 1, v = 0;
	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (*s - '0');
	}
	v *= sign;
	if (v < min || v > max)
		return false;
	*ret = v;
	return true;
}

/* A backslash before anything else is dropped and the character kept:
 * Outlook and others write "\:" and the like. */
char *ics_unescape_text(struct arena *a, const char *s)
{
	size_t n = strlen(s);
	char *out = arena_alloc(a, n + 1);
	if (!out)
		return NULL;
	char *o = out;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 == n) {
			*o++ = s[i];
			continue;
		}
		char c = s[++i];
		*o++ = (c == 'n' || c == 'N') ? '\n' : c;
	}
	*o = '\0';
	return out;
}

size_t ics_utf8_len(const unsigned char *s, size_t n)
{
	if (n == 0)
		return 0;
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t len;
	uint32_t cp, min;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2, cp = c & 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3, cp = c & 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4, cp = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}
