/* Series in the service. The rule text is the truth that is stored; it is
 * parsed again whenever a series is expanded (microseconds), so nothing
 * derived from it can drift. */
#include "service/series.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/time.h"

const char *occurrence_id_format(struct arena *a, const char *series_id, int64_t original_start)
{
	struct cal_civil c = { 0 };
	if (cal_epoch_to_civil_utc(original_start, &c) < 0)
		return NULL;
	return arena_printf(a, "%s_%04d%02d%02dT%02d%02d%02dZ", series_id, c.year, c.month, c.day,
			    c.hour, c.minute, c.second);
}

bool occurrence_id_parse(const char *text, cal_uuid *ret_series, int64_t *ret_original_start)
{
	if (!text || strlen(text) != OCCURRENCE_ID_LEN || text[CAL_UUID_LEN] != '_')
		return false;
	char uuid[CAL_UUID_LEN + 1];
	memcpy(uuid, text, CAL_UUID_LEN);
	uuid[CAL_UUID_LEN] = '\0';
	cal_uuid series;
	if (!cal_uuid_parse(uuid, &series))
		return false;
	const char *p = text + CAL_UUID_LEN + 1;
	/* YYYYMMDDTHHMMSSZ → RFC 3339, then the strict parser decides. */
	char iso[CAL_INSTANT_TEXT];
	snprintf(iso, sizeof iso, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", p, p + 4, p + 6, p + 9, p + 11, p + 13);
	int64_t t;
	if (p[8] != 'T' || p[15] != 'Z' || cal_instant_parse(iso, &t) < 0)
		return false;
	*ret_series = series;
	*ret_original_start = t;
	return true;
}

static struct cal_rule_limits rule_limits(const struct app *app)
{
	struct cal_rule_limits lim = CAL_RULE_LIMITS_DEFAULT;
	lim.count_max = app->config->limits.rrule_count_max;
	return lim;
}

static int start_local(struct app *app, const struct cal_event *e, const struct cal_tz **ret_tz,
		       struct cal_civil *ret)
{
	if (cal_tzdb_get(app->tzdb, e->timezone, ret_tz) < 0)
		return CAL_E_INVALID;
	if (e->all_day)
		return cal_epoch_to_civil_utc((int64_t)e->start_date * 86400, ret) < 0 ? CAL_E_INVALID : 0;
	return cal_tz_utc_to_local(*ret_tz, e->start, ret) < 0 ? CAL_E_INVALID : 0;
}

int series_load(struct app *app, const struct cal_event *e, struct cal_rule **ret_rule,
		struct cal_series *ret)
{
	struct cal_rule_limits lim = rule_limits(app);
	struct cal_error err = { 0 };
	struct cal_series s = { .all_day = e->all_day, .exdates = e->exdates, .n_exdates = e->n_exdates };
	int r = start_local(app, e, &s.tz, &s.start_local);
	if (r < 0)
		return r;
	s.duration = e->all_day ? (int64_t)(e->end_date - e->start_date) * 86400 : e->end - e->start;
	struct cal_rule *rule;
	if ((r = cal_rule_parse(e->rrule, &lim, &rule, &err)) < 0)
		return r;
	s.rule = rule;
	*ret_rule = rule;
	*ret = s;
	return 0;
}

struct cal_event *occurrence_event(struct arena *a, const struct cal_event *master,
				   const struct cal_instance *inst)
{
	struct cal_event *o = arena_alloc(a, sizeof *o);
	if (!o)
		return NULL;
	*o = *master;
	o->start = inst->start;
	o->end = inst->end;
	if (master->all_day) {
		o->start_date = (int32_t)(inst->start / 86400);
		o->end_date = o->start_date + (master->end_date - master->start_date);
	}
	return o;
}

/* An EXDATE as the original start it cancels: an instant as given, or the
 * instance of the series on that local date. */
static int exdate_parse(const struct cal_event *e, const struct cal_tz *tz,
			const struct cal_civil *start, const char *text, int64_t *ret)
{
	if (cal_looks_like_date(text)) {
		int32_t days;
		if (cal_date_parse(text, &days) < 0)
			return CAL_E_INVALID;
		if (e->all_day) {
			*ret = (int64_t)days * 86400;
			return 0;
		}
		struct cal_civil c = { 0 };
		if (cal_epoch_to_civil_utc((int64_t)days * 86400, &c) < 0)
			return CAL_E_INVALID;
		c.hour = start->hour;
		c.minute = start->minute;
		c.second = start->second;
		return cal_tz_local_to_utc(tz, &c, ret) < 0 ? CAL_E_INVALID : 0;
	}
	if (e->all_day)
		return CAL_E_INVALID;
	return cal_instant_parse(text, ret);
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

static int apply_exdates(struct arena *a, struct cal_event *e, const struct cal_tz *tz,
			 const struct cal_civil *start, const struct cal_event_input *in,
			 unsigned max, struct cal_error *err)
{
	if (in->n_exdates > max)
		return cal_error_field(err, "exdates", "too many exdates");
	int64_t *list = arena_calloc(a, in->n_exdates + 1, sizeof *list);
	if (!list)
		return CAL_E_NOMEM;
	for (size_t i = 0; i < in->n_exdates; i++)
		if (exdate_parse(e, tz, start, in->exdates[i], &list[i]) < 0)
			return cal_error_field(err, arena_printf(a, "exdates[%zu]", i),
					       e->all_day ? "must be a date YYYY-MM-DD"
							  : "must be an RFC 3339 date-time or a date");
	qsort(list, in->n_exdates, sizeof *list, cmp_i64);
	size_t n = 0;
	for (size_t i = 0; i < in->n_exdates; i++)
		if (n == 0 || list[n - 1] != list[i])
			list[n++] = list[i];
	e->exdates = list;
	e->n_exdates = n;
	return 0;
}

static int config_from_input(const struct cal_event_input *in, struct cal_recurrence_config *ret,
			     struct cal_error *err)
{
	const struct cal_recurrence_config_input *ci = &in->config;
	struct cal_recurrence_config c = { .interval = 1 };
	if (ci->rrule_type < 0)
		return cal_error_field(err, "recurrenceConfig.rruleType", "is required: daily, weekly, monthly or yearly");
	c.rrule_type = (enum cal_rrule_type)ci->rrule_type;
	if (ci->has_interval)
		c.interval = (int)ci->interval;
	c.end_type = ci->end_type >= 0 ? (enum cal_end_type)ci->end_type : CAL_END_FOREVER;
	if (c.end_type == CAL_END_COUNT && !ci->has_count)
		return cal_error_field(err, "recurrenceConfig.count", "is required when endType is count");
	c.count = (int)ci->count;
	if (c.end_type == CAL_END_UNTIL && (!ci->until || cal_date_parse(ci->until, &c.until_date) < 0))
		return cal_error_field(err, "recurrenceConfig.until", "must be a date YYYY-MM-DD when endType is until");
	c.weekdays = ci->has_weekdays ? (unsigned)ci->weekdays : 0;
	c.month_by = ci->month_by >= 0 ? (enum cal_month_by)ci->month_by : CAL_MONTH_BY_DATE;
	c.day_of_month = ci->has_day_of_month ? (int)ci->day_of_month : 0;
	c.week_of_month = ci->has_week_of_month ? (int)ci->week_of_month : 0;
	*ret = c;
	return 0;
}

/* The rule the input asks for, or the stored one when the input only
 * changes EXDATEs. */
static int input_rule(struct app *app, const struct cal_event *e, const struct cal_event_input *in,
		      const struct cal_tz *tz, const struct cal_civil *start, struct cal_rule **ret,
		      struct cal_error *err)
{
	struct cal_rule_limits lim = rule_limits(app);
	if (in->rrule) {
		int r = cal_rule_parse(in->rrule, &lim, ret, err);
		if (r < 0 && !err->n_fields)
			cal_error_field(err, "rrule", err->detail ? err->detail : "is not a valid RRULE");
		return r;
	}
	if (in->has_config) {
		struct cal_recurrence_config cfg;
		int r = config_from_input(in, &cfg, err);
		if (r < 0)
			return r;
		return cal_rule_from_config(&cfg, start, tz, e->all_day, &lim, ret, err);
	}
	if (e->rrule)
		return cal_rule_parse(e->rrule, &lim, ret, err);
	return cal_error_field(err, "recurrenceConfig", "recurring events need recurrenceConfig or rrule");
}

/* Fills the derived fields of a series from its parsed rule. */
static int derive(struct arena *a, struct cal_event *e, struct cal_rule *rule,
		  const struct cal_tz *tz, const struct cal_civil *start, struct cal_error *err)
{
	struct cal_series s = { .rule = rule, .start_local = *start, .tz = tz, .all_day = e->all_day,
				.exdates = e->exdates, .n_exdates = e->n_exdates };
	s.duration = e->all_day ? (int64_t)(e->end_date - e->start_date) * 86400 : e->end - e->start;
	int r = cal_series_check(&s, err);
	if (r < 0 && !err->n_fields)
		cal_error_field(err, "rrule", err->detail ? err->detail : "never produces an instance");
	if (r < 0)
		return r;
	char *text = cal_rule_format(rule);
	e->rrule = arena_strdup(a, text);
	free(text);
	struct cal_recurrence_config *cfg = arena_alloc(a, sizeof *cfg);
	e->config = cfg && cal_rule_to_config(rule, start, tz, e->all_day, cfg) == 0 ? cfg : NULL;
	bool forever;
	int64_t last;
	if ((r = cal_series_last_end(&s, &last, &forever)) < 0)
		return r;
	/* The stored span is in real instants; an all-day series' last end is
	 * a date read as UTC: a day of slack covers every zone. */
	int64_t end = forever ? CAL_SERIES_FOREVER : e->all_day ? last + 86400 : last;
	if (end < e->end)
		end = e->end;
	e->series_end = end > CAL_SERIES_FOREVER ? CAL_SERIES_FOREVER : end;
	e->recurring = true;
	return e->rrule ? 0 : CAL_E_NOMEM;
}

int series_apply(struct app *app, struct arena *a, struct cal_event *e,
		 const struct cal_event_input *in, bool creating, struct cal_error *err)
{
	if (!in->has_recurrence)
		return !creating && e->recurring ? series_refresh(app, a, e, err) : 0;
	bool wants = in->recurring || in->rrule || in->has_config || (e->recurring && in->has_exdates);
	if (in->has_recurrence && !in->recurring && !in->rrule && !in->has_config && !in->has_exdates)
		wants = false;
	if (!wants) {
		e->recurring = false;
		e->rrule = NULL;
		e->config = NULL;
		e->exdates = NULL;
		e->n_exdates = 0;
		return 0;
	}
	const struct cal_tz *tz;
	struct cal_civil start;
	int r = start_local(app, e, &tz, &start);
	if (r < 0)
		return cal_error_field(err, "timezone", "is not a known IANA time zone");
	if (in->has_exdates &&
	    (r = apply_exdates(a, e, tz, &start, in, app->config->limits.rrule_count_max, err)) < 0)
		return r;
	_cleanup_(cal_rule_freep) struct cal_rule *rule = NULL;
	if ((r = input_rule(app, e, in, tz, &start, &rule, err)) < 0)
		return r;
	return derive(a, e, rule, tz, &start, err);
}

int series_refresh(struct app *app, struct arena *a, struct cal_event *e, struct cal_error *err)
{
	const struct cal_tz *tz;
	struct cal_civil start;
	struct cal_rule_limits lim = rule_limits(app);
	int r = start_local(app, e, &tz, &start);
	if (r < 0)
		return cal_error_field(err, "timezone", "is not a known IANA time zone");
	_cleanup_(cal_rule_freep) struct cal_rule *rule = NULL;
	if ((r = cal_rule_parse(e->rrule, &lim, &rule, err)) < 0)
		return r;
	return derive(a, e, rule, tz, &start, err);
}
