/* RFC 3339 and date text. Strict: exact digit counts, real calendar dates,
 * hours 00–23 (no leap second 60: nothing here can represent it). */
#include "model/time.h"

#include <string.h>

#include "base/errors.h"

bool cal_digits(const char *s, int n, int *ret)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*ret = v;
	return true;
}

static bool parse_date_part(const char *s, struct cal_civil *c)
{
	if (!cal_digits(s, 4, &c->year) || s[4] != '-' || !cal_digits(s + 5, 2, &c->month) || s[7] != '-' ||
	    !cal_digits(s + 8, 2, &c->day))
		return false;
	if (c->year < CAL_YEAR_MIN || c->year > CAL_YEAR_MAX)
		return false;
	return cal_civil_valid(c);
}

int cal_date_parse(const char *text, int32_t *ret_days)
{
	struct cal_civil c = { 0 };
	if (!text || strlen(text) != 10 || !parse_date_part(text, &c))
		return CAL_E_INVALID;
	*ret_days = (int32_t)cal_civil_days_from_date(c.year, c.month, c.day);
	return 0;
}

int cal_instant_parse(const char *text, int64_t *ret_utc)
{
	struct cal_civil c = { 0 };
	size_t len = text ? strlen(text) : 0;
	if (len < 20 || len > 40 || !parse_date_part(text, &c))
		return CAL_E_INVALID;
	const char *p = text + 10;
	if ((*p != 'T' && *p != 't') || !cal_digits(p + 1, 2, &c.hour) || p[3] != ':' ||
	    !cal_digits(p + 4, 2, &c.minute) || p[6] != ':' || !cal_digits(p + 7, 2, &c.second))
		return CAL_E_INVALID;
	if (c.hour > 23 || c.minute > 59 || c.second > 59)
		return CAL_E_INVALID;
	p += 9;
	if (*p == '.') {
		p++;
		const char *start = p;
		while (*p >= '0' && *p <= '9' && p - start < 9)
			p++;
		if (p == start)
			return CAL_E_INVALID;
	}
	int offset = 0;
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		offset = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int oh, om;
		if (!cal_digits(p + 1, 2, &oh) || !cal_digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return CAL_E_INVALID;
		offset = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
	} else {
		return CAL_E_INVALID;
	}
	int64_t local;
	if (cal_civil_to_epoch_utc(&c, &local) < 0)
		return CAL_E_INVALID;
	/* The year range holds for the instant too, not only as written:
	 * 1900-01-01T00:00:01+05:00 is in 1899 and could not be written back. */
	struct cal_civil utc;
	if (cal_epoch_to_civil_utc(local - offset, &utc) < 0 || utc.year < CAL_YEAR_MIN || utc.year > CAL_YEAR_MAX)
		return CAL_E_INVALID;
	*ret_utc = local - offset;
	return 0;
}

/* Fixed-width decimal, no locale, no truncation warnings. */
static char *put_digits(char *p, int value, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + value % 10);
		value /= 10;
	}
	return p + width;
}

static char *put_date(char *p, const struct cal_civil *c)
{
	p = put_digits(p, c->year, 4);
	*p++ = '-';
	p = put_digits(p, c->month, 2);
	*p++ = '-';
	return put_digits(p, c->day, 2);
}

void cal_instant_format(int64_t utc, char ret_text[CAL_INSTANT_TEXT])
{
	struct cal_civil c = { 0 };
	(void)cal_epoch_to_civil_utc(utc, &c);
	char *p = put_date(ret_text, &c);
	*p++ = 'T';
	p = put_digits(p, c.hour, 2);
	*p++ = ':';
	p = put_digits(p, c.minute, 2);
	*p++ = ':';
	p = put_digits(p, c.second, 2);
	*p++ = 'Z';
	*p = '\0';
}

void cal_date_format(int32_t days, char ret_text[CAL_DATE_TEXT])
{
	struct cal_civil c = { 0 };
	(void)cal_epoch_to_civil_utc((int64_t)days * 86400, &c);
	*put_date(ret_text, &c) = '\0';
}

int cal_date_start_in_zone(const struct cal_tz *tz, int32_t days, int64_t *ret_utc)
{
	struct cal_civil c = { 0 };
	if (cal_epoch_to_civil_utc((int64_t)days * 86400, &c) < 0)
		return CAL_E_INVALID;
	return cal_tz_local_to_utc(tz, &c, ret_utc);
}
