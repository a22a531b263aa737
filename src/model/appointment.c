/* Appointment types: the weekly availability and its column form, the
 * checks of a type's plain fields, the booking window, and the free slots
 * of a window with who is free for each.
 *
 * Slots are generated per local date so that wall-clock times hold across
 * DST changes; the tz conversion is monotone (a gap reads with the offset
 * before it, an overlap as its first occurrence), so ranges that do not
 * overlap on the wall clock give instants in order, except that two wall
 * times around a gap can land on the same instant. Generation notices that
 * case and only then sorts and drops the repeats. */
#include "model/appointment.h"

#include <stdlib.h>
#include <string.h>

#include "base/civil.h"
#include "base/macro.h"
#include "model/event.h"
#include "model/time.h"

static const char *const day_names[CAL_WEEK_DAYS] = { "monday", "tuesday",  "wednesday", "thursday",
						      "friday", "saturday", "sunday" };
static const char *const assignment_names[] = { "auto", "choice" };

static int lookup(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

const char *cal_week_day_name(int day)
{
	return (unsigned)day < CAL_WEEK_DAYS ? day_names[day] : "?";
}

int cal_week_day_parse(const char *name)
{
	return lookup(day_names, CAL_WEEK_DAYS, name);
}

const char *cal_assignment_name(enum cal_assignment v)
{
	return (unsigned)v < CAL_ARRAY_SIZE(assignment_names) ? assignment_names[v] : "?";
}

int cal_assignment_parse(const char *s)
{
	return lookup(assignment_names, CAL_ARRAY_SIZE(assignment_names), s);
}

/* ---- HH:MM and the weekly availability ---------------------------------- */

int cal_hhmm_parse(const char *text, int *ret_minutes)
{
	int h, m;
	if (!text || !cal_digits(text, 2, &h) || text[2] != ':' || !cal_digits(text + 3, 2, &m) ||
	    text[5] != '\0')
		return CAL_E_INVALID;
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return CAL_E_INVALID;
	*ret_minutes = h * 60 + m;
	return 0;
}

void cal_hhmm_format(int minutes, char ret_text[6])
{
	/* Clamped so that a corrupt value still prints five characters. */
	if (minutes < 0 || minutes > CAL_DAY_MINUTES)
		minutes = 0;
	int h = minutes / 60, m = minutes % 60;
	ret_text[0] = (char)('0' + h / 10);
	ret_text[1] = (char)('0' + h % 10);
	ret_text[2] = ':';
	ret_text[3] = (char)('0' + m / 10);
	ret_text[4] = (char)('0' + m % 10);
	ret_text[5] = '\0';
}

int cal_availability_add(struct cal_availability *av, int day, int from, int to,
			 const char *field, struct cal_error *err)
{
	if ((unsigned)day >= CAL_WEEK_DAYS)
		return cal_error_field(err, field, "is not a day of the week");
	if (from < 0 || to > CAL_DAY_MINUTES || from >= to)
		return cal_error_field(err, field, "from must be before to, within 00:00..24:00");
	int n = av->n[day];
	if (n >= CAL_AVAIL_RANGES_MAX)
		return cal_error_field(err, field, "a day holds at most 12 ranges");
	struct cal_avail_range *r = av->ranges[day];
	int at = 0;
	while (at < n && r[at].from < from)
		at++;
	if ((at > 0 && r[at - 1].to > from) || (at < n && r[at].from < to))
		return cal_error_field(err, field, "overlaps another range of the day");
	memmove(&r[at + 1], &r[at], (size_t)(n - at) * sizeof *r);
	r[at] = (struct cal_avail_range){ .from = from, .to = to };
	av->n[day] = n + 1;
	return 0;
}

bool cal_availability_empty(const struct cal_availability *av)
{
	for (int d = 0; d < CAL_WEEK_DAYS; d++)
		if (av->n[d] > 0)
			return false;
	return true;
}

/* The longest form: every day full. sizeof counts each NUL, which pays for
 * the separators. */
enum {
	FORMAT_RANGE_MAX = sizeof "{\"from\":\"00:00\",\"to\":\"00:00\"}",
	FORMAT_DAY_MAX = sizeof "\"wednesday\":[]" + CAL_AVAIL_RANGES_MAX * FORMAT_RANGE_MAX,
	FORMAT_MAX = sizeof "{}" + CAL_WEEK_DAYS * FORMAT_DAY_MAX,
};

static char *put(char *p, const char *s)
{
	size_t n = strlen(s);
	memcpy(p, s, n);
	return p + n;
}

static char *put_hhmm(char *p, int minutes)
{
	char text[6];
	cal_hhmm_format(minutes, text);
	return put(p, text);
}

char *cal_availability_format(struct arena *a, const struct cal_availability *av)
{
	char *out = arena_alloc(a, FORMAT_MAX);
	if (!out)
		return NULL;
	char *p = put(out, "{");
	bool first_day = true;
	for (int d = 0; d < CAL_WEEK_DAYS; d++) {
		/* Clamped: a corrupt count must not write past the bound. */
		int n = av->n[d] < 0 ? 0 : av->n[d];
		if (n > CAL_AVAIL_RANGES_MAX)
			n = CAL_AVAIL_RANGES_MAX;
		if (n == 0)
			continue;
		p = put(p, first_day ? "\"" : ",\"");
		p = put(p, day_names[d]);
		p = put(p, "\":[");
		for (int i = 0; i < n; i++) {
			p = put(p, i ? ",{\"from\":\"" : "{\"from\":\"");
			p = put_hhmm(p, av->ranges[d][i].from);
			p = put(p, "\",\"to\":\"");
			p = put_hhmm(p, av->ranges[d][i].to);
			p = put(p, "\"}");
		}
		p = put(p, "]");
		first_day = false;
	}
	p = put(p, "}");
	*p = '\0';
	return out;
}

/* A reader of the column form: a fixed grammar (an object of arrays of flat
 * objects of short strings), so no recursion and a single pass. */
static void skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
		(*p)++;
}

static bool take(const char **p, char c)
{
	skip_ws(p);
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

/* A string without escapes that fits in buf; every name and value of the
 * form is one, so anything longer or escaped is not the form. */
static bool read_string(const char **p, char *buf, size_t cap)
{
	if (!take(p, '"'))
		return false;
	size_t n = 0;
	for (const char *s = *p;; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"') {
			buf[n] = '\0';
			*p = s + 1;
			return true;
		}
		if (c < 0x20 || c == '\\' || n + 1 >= cap)
			return false;
		buf[n++] = (char)c;
	}
}

enum { TOKEN_MAX = 16 };

static bool read_range(const char **p, int *ret_from, int *ret_to)
{
	int from = -1, to = -1;
	if (!take(p, '{'))
		return false;
	do {
		char key[TOKEN_MAX], value[TOKEN_MAX];
		if (!read_string(p, key, sizeof key) || !take(p, ':') ||
		    !read_string(p, value, sizeof value))
			return false;
		int *slot = strcmp(key, "from") == 0 ? &from : strcmp(key, "to") == 0 ? &to : NULL;
		if (!slot || *slot >= 0 || cal_hhmm_parse(value, slot) < 0)
			return false;
	} while (take(p, ','));
	if (!take(p, '}') || from < 0 || to < 0)
		return false;
	*ret_from = from;
	*ret_to = to;
	return true;
}

static bool read_day(const char **p, struct cal_availability *av, int day)
{
	if (!take(p, '['))
		return false;
	if (take(p, ']'))
		return true;
	do {
		int from, to;
		if (!read_range(p, &from, &to) ||
		    cal_availability_add(av, day, from, to, NULL, NULL) < 0)
			return false;
	} while (take(p, ','));
	return take(p, ']');
}

int cal_availability_parse(const char *text, struct cal_availability *ret)
{
	if (!text)
		return CAL_E_INVALID;
	struct cal_availability av = { 0 };
	const char *p = text;
	unsigned seen = 0;
	if (!take(&p, '{'))
		return CAL_E_INVALID;
	if (!take(&p, '}')) {
		do {
			char name[TOKEN_MAX];
			if (!read_string(&p, name, sizeof name) || !take(&p, ':'))
				return CAL_E_INVALID;
			int day = cal_week_day_parse(name);
			if (day < 0 || (seen & (1u << day)) || !read_day(&p, &av, day))
				return CAL_E_INVALID;
			seen |= 1u << day;
		} while (take(&p, ','));
		if (!take(&p, '}'))
			return CAL_E_INVALID;
	}
	skip_ws(&p);
	if (*p != '\0')
		return CAL_E_INVALID;
	*ret = av;
	return 0;
}

/* ---- the type's fields --------------------------------------------------- */

static bool refuse(struct cal_error *err, const char *field, const char *detail)
{
	cal_error_field(err, field, detail);
	return true;
}

static bool blank(const char *s)
{
	while (*s == ' ')
		s++;
	return *s == '\0';
}

static bool slug_ok(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-");
	return n >= 1 && n <= 100 && s[n] == '\0';
}

static bool check_text(const struct cal_appointment_type *t, struct cal_error *err)
{
	bool bad = false;
	if (!t->name)
		bad |= refuse(err, "name", "is required");
	else if (!cal_text_ok(t->name, 200, false) || blank(t->name))
		bad |= refuse(err, "name", "must be one line of 1 to 200 characters, not blank");
	if (t->description && !cal_text_ok(t->description, 5000, true))
		bad |= refuse(err, "description", "must be valid UTF-8 of at most 5000 characters");
	if (t->location && !cal_text_ok(t->location, 500, false))
		bad |= refuse(err, "location", "must be one line of at most 500 characters");
	if (t->slug && !slug_ok(t->slug))
		bad |= refuse(err, "slug", "must be 1 to 100 of a-z, 0-9 and -");
	if (!t->timezone || !cal_tz_name_valid(t->timezone))
		bad |= refuse(err, "timezone", "must be an IANA time zone name");
	return bad;
}

struct int_rule {
	const char *field, *detail;
	int value, min, max;
	bool zero_ok; /* 0 means "none" or "the default" */
};

int cal_appointment_type_check(const struct cal_appointment_type *t, struct cal_error *err)
{
	const struct int_rule rules[] = {
		{ .field = "durationMinutes", .value = t->duration_minutes,
		  .min = 5, .max = 1440, .detail = "must be 5..1440" },
		{ .field = "slotIntervalMinutes", .value = t->slot_interval_minutes,
		  .min = 5, .max = 1440, .zero_ok = true,
		  .detail = "must be 5..1440 (or null: the duration)" },
		{ .field = "bufferBeforeMinutes", .value = t->buffer_before_minutes,
		  .min = 0, .max = 1440, .detail = "must be 0..1440" },
		{ .field = "bufferAfterMinutes", .value = t->buffer_after_minutes,
		  .min = 0, .max = 1440, .detail = "must be 0..1440" },
		{ .field = "scheduleRangeDays", .value = t->schedule_range_days,
		  .min = 1, .max = 730, .detail = "must be 1..730" },
		{ .field = "minBookingHours", .value = t->min_booking_hours,
		  .min = 0, .max = 8760, .detail = "must be 0..8760" },
		{ .field = "cancelHoursBefore", .value = t->cancel_hours_before,
		  .min = 0, .max = 8760, .detail = "must be 0..8760" },
		{ .field = "reminderHoursBefore", .value = t->reminder_hours_before,
		  .min = 0, .max = 8760, .detail = "must be 0..8760" },
		{ .field = "maxBookingsPerDay", .value = t->max_bookings_per_day,
		  .min = 1, .max = 1000, .zero_ok = true,
		  .detail = "must be 1..1000 (or null: no limit)" },
	};
	bool bad = check_text(t, err);
	for (size_t i = 0; i < CAL_ARRAY_SIZE(rules); i++) {
		const struct int_rule *r = &rules[i];
		if (!(r->zero_ok && r->value == 0) && (r->value < r->min || r->value > r->max))
			bad |= refuse(err, r->field, r->detail);
	}
	if ((unsigned)t->assignment > CAL_ASSIGN_CHOICE)
		bad |= refuse(err, "assignmentMode", "must be auto or choice");
	if (t->n_assignees < 1 || t->n_assignees > CAL_ASSIGNEES_MAX || !t->assignee_ids)
		bad |= refuse(err, "assigneeIds", "must list 1 to 64 users");
	return bad ? CAL_E_INVALID : 0;
}

/* ---- windows and busy time ----------------------------------------------- */

/* The local date (days since 1970-01-01) instant `utc` falls on in tz. */
static int local_day(const struct cal_tz *tz, int64_t utc, int64_t *ret_day)
{
	struct cal_civil c;
	if (cal_tz_utc_to_local(tz, utc, &c) < 0)
		return CAL_E_INVALID;
	*ret_day = cal_civil_days_from_date(c.year, c.month, c.day);
	return 0;
}

int cal_booking_window(const struct cal_tz *tz, int64_t now, int min_booking_hours,
		       int schedule_range_days, int64_t *ret_from, int64_t *ret_to)
{
	int64_t today, end;
	if (min_booking_hours < 0 || schedule_range_days < 0 || local_day(tz, now, &today) < 0)
		return CAL_E_INVALID;
	int64_t after_last = today + schedule_range_days + 1;
	if (after_last > INT32_MAX || cal_date_start_in_zone(tz, (int32_t)after_last, &end) < 0)
		return CAL_E_INVALID;
	*ret_from = now + (int64_t)min_booking_hours * 3600;
	*ret_to = end;
	return 0;
}

static int busy_cmp(const void *x, const void *y)
{
	const struct cal_busy *a = x, *b = y;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return (a->end > b->end) - (a->end < b->end);
}

/* Empty and inverted intervals occupy no time and are dropped, which keeps
 * the list strictly increasing for the binary search. */
size_t cal_busy_normalize(struct cal_busy *b, size_t n)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (b[i].end > b[i].start)
			b[m++] = b[i];
	if (m > 1)
		qsort(b, m, sizeof *b, busy_cmp);
	size_t out = 0;
	for (size_t i = 0; i < m; i++) {
		if (out > 0 && b[i].start <= b[out - 1].end) {
			if (b[i].end > b[out - 1].end)
				b[out - 1].end = b[i].end;
		} else {
			b[out++] = b[i];
		}
	}
	return out;
}

bool cal_busy_overlaps(const struct cal_busy *b, size_t n, int64_t start, int64_t end)
{
	if (start >= end)
		return false;
	/* The first interval ending after `start`; it overlaps when it begins
	 * before `end`, and no later one can if it does not. */
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (b[mid].end <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && b[lo].start < end;
}

/* ---- slots --------------------------------------------------------------- */

/* Wall clock `minutes` after the start of local date `day`, as UTC; 1440 is
 * the next date's midnight. */
static int local_instant(const struct cal_tz *tz, int64_t day, int minutes, int64_t *ret_utc)
{
	if (minutes == CAL_DAY_MINUTES) {
		day++;
		minutes = 0;
	}
	int64_t year;
	struct cal_civil c = { .hour = minutes / 60, .minute = minutes % 60 };
	cal_civil_date_from_days(day, &year, &c.month, &c.day);
	if (year < CAL_CIVIL_YEAR_MIN || year > CAL_CIVIL_YEAR_MAX)
		return CAL_E_INVALID;
	c.year = (int)year;
	return cal_tz_local_to_utc(tz, &c, ret_utc) < 0 ? CAL_E_INVALID : 0;
}

static bool query_ok(const struct cal_slot_query *q)
{
	if (!q->tz || !q->availability || q->duration_minutes <= 0 || q->step_minutes <= 0 ||
	    q->buffer_before_minutes < 0 || q->buffer_after_minutes < 0 || q->max_per_day < 0 ||
	    q->n_assignees > CAL_ASSIGNEES_MAX || (q->n_assignees && !q->assignees))
		return false;
	for (size_t i = 0; i < q->n_assignees; i++)
		if ((q->assignees[i].n_busy && !q->assignees[i].busy) ||
		    (q->assignees[i].n_booked && !q->assignees[i].booked))
			return false;
	const struct cal_availability *av = q->availability;
	for (int d = 0; d < CAL_WEEK_DAYS; d++) {
		if (av->n[d] < 0 || av->n[d] > CAL_AVAIL_RANGES_MAX)
			return false;
		for (int i = 0; i < av->n[d]; i++)
			if (av->ranges[d][i].from < 0 || av->ranges[d][i].to > CAL_DAY_MINUTES ||
			    av->ranges[d][i].from >= av->ranges[d][i].to)
				return false;
	}
	return true;
}

/* One assignee's booked local dates, sorted, and how far the walk over the
 * window's dates has got. */
struct booked_days {
	int64_t *days;
	size_t n, at;
};

static int day_cmp(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

/* Done once per assignee, so the cap costs a walk, not a count per slot. */
static int booked_days_init(struct arena *a, const struct cal_slot_query *q,
			    struct booked_days *ret)
{
	for (size_t i = 0; i < q->n_assignees; i++) {
		const struct cal_slot_assignee *as = &q->assignees[i];
		ret[i] = (struct booked_days){ 0 };
		if (q->max_per_day == 0 || as->n_booked == 0)
			continue;
		ret[i].days = arena_calloc(a, as->n_booked, sizeof *ret[i].days);
		if (!ret[i].days)
			return CAL_E_NOMEM;
		for (size_t k = 0; k < as->n_booked; k++)
			if (local_day(q->tz, as->booked[k], &ret[i].days[ret[i].n]) == 0)
				ret[i].n++;
		qsort(ret[i].days, ret[i].n, sizeof *ret[i].days, day_cmp);
	}
	return 0;
}

/* Who has reached the daily cap on local date `day`; days must be asked
 * in increasing order. */
static uint64_t capped_on(const struct cal_slot_query *q, struct booked_days *bd, int64_t day)
{
	uint64_t capped = 0;
	for (size_t i = 0; i < q->n_assignees; i++) {
		struct booked_days *b = &bd[i];
		while (b->at < b->n && b->days[b->at] < day)
			b->at++;
		size_t end = b->at;
		while (end < b->n && b->days[end] == day)
			end++;
		if (q->max_per_day > 0 && end - b->at >= (size_t)q->max_per_day)
			capped |= UINT64_C(1) << i;
	}
	return capped;
}

static uint64_t free_at(const struct cal_slot_query *q, int64_t start, uint64_t capped)
{
	int64_t from = start - (int64_t)q->buffer_before_minutes * 60;
	int64_t to = start + ((int64_t)q->duration_minutes + q->buffer_after_minutes) * 60;
	uint64_t free = 0;
	for (size_t i = 0; i < q->n_assignees; i++)
		if (!(capped & (UINT64_C(1) << i)) &&
		    !cal_busy_overlaps(q->assignees[i].busy, q->assignees[i].n_busy, from, to))
			free |= UINT64_C(1) << i;
	return free;
}

struct slot_list {
	struct cal_slot *items;
	size_t n, alloc;
	bool unordered; /* a start at or before the previous one was added */
};

static int slot_add(struct arena *a, struct slot_list *l, int64_t start, int64_t end, uint64_t free)
{
	struct cal_slot *items = arena_grow(a, l->items, l->n, &l->alloc, sizeof *items);
	if (!items)
		return CAL_E_NOMEM;
	if (l->n > 0 && start <= items[l->n - 1].start)
		l->unordered = true;
	items[l->n++] = (struct cal_slot){ .start = start, .end = end, .free = free };
	l->items = items;
	return 0;
}

static int slot_cmp(const void *x, const void *y)
{
	const struct cal_slot *a = x, *b = y;
	return (a->start > b->start) - (a->start < b->start);
}

/* Two wall times around a gap can be one instant (a range 02:00–02:30 and
 * one from 03:00 in New York both begin at 07:00Z): sort, keep one of
 * each. Repeats share the instant, hence the date and the free mask. */
static void slot_list_settle(struct slot_list *l)
{
	if (!l->unordered)
		return;
	qsort(l->items, l->n, sizeof *l->items, slot_cmp);
	size_t out = 0;
	for (size_t i = 0; i < l->n; i++)
		if (out == 0 || l->items[i].start != l->items[out - 1].start)
			l->items[out++] = l->items[i];
	l->n = out;
}

/* The slots of one availability range on local date `day`, stepped in
 * elapsed time so a range across a DST change has slots of the real
 * length. */
static int range_slots(struct arena *a, const struct cal_slot_query *q, int64_t day,
		       const struct cal_avail_range *r, uint64_t capped, struct slot_list *l)
{
	int64_t ps, pe;
	if (local_instant(q->tz, day, r->from, &ps) < 0 ||
	    local_instant(q->tz, day, r->to, &pe) < 0)
		return CAL_E_INVALID;
	int64_t step = (int64_t)q->step_minutes * 60, dur = (int64_t)q->duration_minutes * 60;
	int64_t t = ps;
	if (t < q->from)
		t += (q->from - ps + step - 1) / step * step;
	for (; t < q->to && t + dur <= pe; t += step) {
		uint64_t free = free_at(q, t, capped);
		if (q->only_free && !free)
			continue;
		int rc = slot_add(a, l, t, t + dur, free);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int cal_slots_generate(struct arena *a, const struct cal_slot_query *q, struct cal_slot **ret,
		       size_t *ret_n)
{
	if (!query_ok(q))
		return CAL_E_INVALID;
	struct slot_list l = { 0 };
	if (q->from < q->to) {
		int64_t first, last;
		if (local_day(q->tz, q->from, &first) < 0 || local_day(q->tz, q->to, &last) < 0)
			return CAL_E_INVALID;
		struct booked_days bd[CAL_ASSIGNEES_MAX];
		int rc = booked_days_init(a, q, bd);
		if (rc < 0)
			return rc;
		/* A day on either side: a gap or overlap can move an instant
		 * across a date line. */
		for (int64_t day = first - 1; day <= last + 1; day++) {
			/* cal_civil_weekday counts from Sunday, the week here from Monday. */
			int wd = (cal_civil_weekday(day) + 6) % 7;
			uint64_t capped = capped_on(q, bd, day);
			const struct cal_avail_range *r = q->availability->ranges[wd];
			for (int i = 0; i < q->availability->n[wd]; i++) {
				rc = range_slots(a, q, day, &r[i], capped, &l);
				if (rc < 0)
					return rc;
			}
		}
		slot_list_settle(&l);
	}
	*ret = l.items;
	*ret_n = l.n;
	return 0;
}

int cal_assign_pick(uint64_t free, const int *load, size_t n, uint64_t seed)
{
	if (n > CAL_ASSIGNEES_MAX)
		n = CAL_ASSIGNEES_MAX;
	int min = 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!(free & (UINT64_C(1) << i)))
			continue;
		if (k == 0 || load[i] < min) {
			min = load[i];
			k = 1;
		} else if (load[i] == min) {
			k++;
		}
	}
	if (k == 0)
		return -1;
	uint64_t want = seed % k;
	for (size_t i = 0; i < n; i++)
		if ((free & (UINT64_C(1) << i)) && load[i] == min && want-- == 0)
			return (int)i;
	return -1;
}
