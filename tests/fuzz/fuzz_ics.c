/* libFuzzer: any bytes as an .ics file must be refused cleanly or read in
 * full; what is read must write, the written text must read back to the
 * same events (instants, UIDs, lists), and writing those must give the same
 * bytes again. */
#include <stdint.h>
#include <string.h>

#include "model/ics.h"

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_event(const struct cal_ics_event *a, const struct cal_ics_event *b)
{
	return same_str(a->uid, b->uid) && same_str(a->summary, b->summary) &&
	       same_str(a->description, b->description) && same_str(a->rrule, b->rrule) &&
	       a->start.utc == b->start.utc && a->end.utc == b->end.utc &&
	       a->start.kind == b->start.kind && a->n_exdates == b->n_exdates &&
	       a->n_rdates == b->n_rdates && a->n_attendees == b->n_attendees &&
	       a->n_alarms == b->n_alarms && a->has_recurrence_id == b->has_recurrence_id &&
	       a->sequence == b->sequence && a->cancelled == b->cancelled;
}

/* Writes cal into a fresh buffer; traps on failure: whatever parsed must
 * be writable. */
static struct strbuf write_or_trap(const struct cal_ics_calendar *cal, struct cal_tzdb *db)
{
	struct strbuf sb = STRBUF_INIT(64 * 1024 * 1024);
	struct cal_error err = { 0 };
	if (cal_ics_write(cal, db, &sb, &err) != 0)
		__builtin_trap();
	return sb;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cal_tzdb *db;
	if (!db && cal_tzdb_new(NULL, &db) < 0)
		return 0;
	struct arena *a = arena_new();
	struct cal_ics_limits lim = CAL_ICS_LIMITS_DEFAULT;
	struct cal_ics_calendar cal;
	struct cal_error err = { 0 };
	if (cal_ics_parse((const char *)data, size, &lim, db, a, &cal, &err) == 0) {
		struct strbuf one = write_or_trap(&cal, db);
		/* The export adds VTIMEZONEs: give the re-read room for them. */
		struct cal_ics_limits big = lim;
		big.bytes_max = one.max;
		big.components_max = 1000000;
		struct cal_ics_calendar back;
		if (cal_ics_parse(one.buf, one.len, &big, db, a, &back, &err) != 0 ||
		    back.n_events != cal.n_events)
			__builtin_trap();
		for (size_t i = 0; i < cal.n_events; i++)
			if (!same_event(&cal.events[i], &back.events[i]))
				__builtin_trap();
		struct strbuf two = write_or_trap(&back, db);
		if (one.len != two.len || memcmp(one.buf, two.buf, one.len) != 0)
			__builtin_trap();
		strbuf_release(&one);
		strbuf_release(&two);
	} else if (err.code != CAL_E_INVALID || !err.detail || strncmp(err.detail, "line ", 5) != 0) {
		__builtin_trap(); /* every refusal says where */
	}
	arena_free(a);
	return 0;
}
