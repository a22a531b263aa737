/* Localized dates, intervals and answers for notification text. The month
 * and weekday names are tables here rather than strftime's, because the
 * C library's names depend on the process locale (which a server never
 * sets to es_MX) and its times on TZ; these depend only on the arguments. */
#include "notify/format.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/errors.h"
#include "base/macro.h"

enum lang { LANG_ES, LANG_EN };

/* Long enough for two full dates, two times and the longest zone name. */
enum { WHEN_MAX = 320 };

static const char *const weekdays[2][7] = {
    {"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"},
    {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
};

static const char *const months[2][12] = {
    {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
     "octubre", "noviembre", "diciembre"},
    {"January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"},
};

const char *cal_notify_lang(const char *lang)
{
	if (lang && strncasecmp(lang, "en", 2) == 0 &&
	    (lang[2] == '\0' || lang[2] == '-' || lang[2] == '_'))
		return "en";
	return "es";
}

static enum lang lang_of(const char *lang)
{
	return strcmp(cal_notify_lang(lang), "en") == 0 ? LANG_EN : LANG_ES;
}

/* Copies a finished text into the caller's buffer, all or nothing. */
static int deliver(const char *text, int n, char *buf, size_t len)
{
	if (n < 0)
		return CAL_E_INTERNAL;
	if (!buf || (size_t)n >= len)
		return CAL_E_TOO_LARGE;
	memcpy(buf, text, (size_t)n + 1);
	return 0;
}

static bool civil_in_range(int64_t year)
{
	return year >= CAL_CIVIL_YEAR_MIN && year <= CAL_CIVIL_YEAR_MAX;
}

/* "martes 1 de diciembre de 2026" / "Tuesday, December 1, 2026". */
static int date_text(enum lang l, int64_t year, int month, int day, char *out, size_t n)
{
	int64_t days = cal_civil_days_from_date(year, month, day);
	const char *wd = weekdays[l][cal_civil_weekday(days)];
	const char *mo = months[l][month - 1];
	int k = l == LANG_ES ? snprintf(out, n, "%s %d de %s de %lld", wd, day, mo, (long long)year)
			     : snprintf(out, n, "%s, %s %d, %lld", wd, mo, day, (long long)year);
	return k < 0 || (size_t)k >= n ? CAL_E_TOO_LARGE : 0;
}

static int day_text(enum lang l, int32_t days, char *out, size_t n)
{
	int64_t y;
	int m, d;
	cal_civil_date_from_days(days, &y, &m, &d);
	if (!civil_in_range(y))
		return CAL_E_INVALID;
	return date_text(l, y, m, d, out, n);
}

static int all_day_text(enum lang l, int32_t start_date, int32_t end_date_exclusive, char *buf,
			size_t len)
{
	const char *tag = l == LANG_ES ? "todo el día" : "all day";
	char first[96], last[96], text[WHEN_MAX];
	int r = day_text(l, start_date, first, sizeof first);
	if (r < 0)
		return r;
	if ((int64_t)end_date_exclusive - start_date <= 1)
		return deliver(text, snprintf(text, sizeof text, "%s (%s)", first, tag), buf, len);
	if ((r = day_text(l, end_date_exclusive - 1, last, sizeof last)) < 0)
		return r;
	return deliver(text, snprintf(text, sizeof text, "%s – %s (%s)", first, last, tag), buf,
		       len);
}

static int local_time(const struct cal_tz *tz, int64_t t, struct cal_civil *ret)
{
	return cal_tz_utc_to_local(tz, t, ret) < 0 ? CAL_E_INVALID : 0;
}

int cal_format_when(const char *lang, int64_t start, int64_t end, bool all_day, int32_t start_date,
		    int32_t end_date_exclusive, const struct cal_tz *tz, char *buf, size_t len)
{
	enum lang l = lang_of(lang);
	if (all_day)
		return all_day_text(l, start_date, end_date_exclusive, buf, len);
	if (!tz)
		return CAL_E_INVALID;
	struct cal_civil s, e;
	int r = local_time(tz, start, &s);
	if (r < 0 || (end > start && (r = local_time(tz, end, &e)) < 0))
		return r;
	char sday[96], eday[96], text[WHEN_MAX];
	if ((r = date_text(l, s.year, s.month, s.day, sday, sizeof sday)) < 0)
		return r;
	const char *zone = cal_tz_name(tz);
	int n = -1;
	if (end <= start)
		n = snprintf(text, sizeof text, "%s, %02d:%02d (%s)", sday, s.hour, s.minute, zone);
	else if (s.year == e.year && s.month == e.month && s.day == e.day)
		n = snprintf(text, sizeof text, "%s, %02d:%02d–%02d:%02d (%s)", sday, s.hour,
			     s.minute, e.hour, e.minute, zone);
	else if ((r = date_text(l, e.year, e.month, e.day, eday, sizeof eday)) < 0)
		return r;
	else
		n = snprintf(text, sizeof text, "%s, %02d:%02d – %s, %02d:%02d (%s)", sday, s.hour,
			     s.minute, eday, e.hour, e.minute, zone);
	return deliver(text, n, buf, len);
}

int cal_format_interval(const char *lang, int64_t minutes, char *buf, size_t len)
{
	static const struct unit {
		int64_t minutes;
		const char *one[2], *many[2];
	} units[] = {
	    {7 * 24 * 60, {"semana", "week"}, {"semanas", "weeks"}},
	    {24 * 60, {"día", "day"}, {"días", "days"}},
	    {60, {"hora", "hour"}, {"horas", "hours"}},
	    {1, {"minuto", "minute"}, {"minutos", "minutes"}},
	};
	enum lang l = lang_of(lang);
	char text[64];
	if (minutes < 0)
		return CAL_E_INVALID;
	if (minutes == 0)
		return deliver(text,
			       snprintf(text, sizeof text, "%s", l == LANG_ES ? "ahora" : "now"),
			       buf, len);
	const struct unit *u = &units[CAL_ARRAY_SIZE(units) - 1];
	for (size_t i = 0; i < CAL_ARRAY_SIZE(units); i++)
		if (minutes % units[i].minutes == 0) {
			u = &units[i];
			break;
		}
	int64_t count = minutes / u->minutes;
	return deliver(text,
		       snprintf(text, sizeof text, "%s %lld %s", l == LANG_ES ? "en" : "in",
				(long long)count, count == 1 ? u->one[l] : u->many[l]),
		       buf, len);
}

const char *cal_format_answer(const char *lang, enum cal_partstat partstat)
{
	enum lang l = lang_of(lang);
	switch (partstat) {
	case CAL_PARTSTAT_ACCEPTED:
		return l == LANG_ES ? "aceptó" : "accepted";
	case CAL_PARTSTAT_DECLINED:
		return l == LANG_ES ? "rechazó" : "declined";
	case CAL_PARTSTAT_TENTATIVE:
		return l == LANG_ES ? "respondió «quizás»" : "tentatively accepted";
	case CAL_PARTSTAT_NEEDS_ACTION:
		return l == LANG_ES ? "aún no ha respondido" : "has not answered yet";
	}
	return NULL;
}
