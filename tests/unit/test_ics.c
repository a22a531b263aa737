/*
 * model/ics: iCalendar import and export.
 *
 * The fixtures in tests/fixtures/ics are shaped like the files Google
 * Calendar, Outlook (Exchange, with Windows zone names, its own VTIMEZONEs
 * and a "Customized Time Zone"), Apple Calendar and Thunderbird (folded
 * inside UTF-8 sequences, /mozilla.org/ TZIDs) write. Exports are checked
 * three ways: by our own parser (round trips), by libical (which evaluates
 * the generated VTIMEZONEs against the tz engine), and by python-icalendar
 * through tests/unit/ics_check.py.
 */
#include <criterion/criterion.h>

#include <jansson.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/ics.h"

static struct cal_tzdb *db;
static struct arena *A;

static void setup(void)
{
	cr_assert_eq(cal_tzdb_new(NULL, &db), 0);
	A = arena_new();
	cr_assert(A);
}

static void teardown(void)
{
	arena_free(A);
	cal_tzdb_free(db);
}

TestSuite(ics, .init = setup, .fini = teardown);

/* ---- helpers ---------------------------------------------------------------- */

static const char *source_dir(void)
{
	const char *d = getenv("CALENDARD_SOURCE_DIR");
	return d && *d ? d : ".";
}

static char *fixture(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/tests/fixtures/ics/%s", source_dir(), name);
	FILE *f = fopen(path, "rb");
	cr_assert(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = arena_alloc(A, (size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct cal_civil c = { y, mo, d, h, mi, s };
	int64_t t;
	cr_assert_eq(cal_civil_to_epoch_utc(&c, &t), 0);
	return t;
}

static struct cal_ics_calendar parse_text(const char *text, size_t len)
{
	struct cal_ics_calendar cal;
	struct cal_error err = { 0 };
	int rc = cal_ics_parse(text, len, NULL, db, A, &cal, &err);
	cr_assert_eq(rc, 0, "parse failed (%d): %s", rc, err.detail ? err.detail : "-");
	return cal;
}

static struct cal_ics_calendar parse_str(const char *text)
{
	return parse_text(text, strlen(text));
}

static struct cal_ics_calendar parse_fixture(const char *name)
{
	size_t len;
	char *text = fixture(name, &len);
	return parse_text(text, len);
}

static char *write_ok(const struct cal_ics_calendar *cal)
{
	struct strbuf sb = STRBUF_INIT(16 * 1024 * 1024);
	struct cal_error err = { 0 };
	int rc = cal_ics_write(cal, db, &sb, &err);
	cr_assert_eq(rc, 0, "write failed (%d): %s %s", rc, err.n_fields ? err.fields[0].field : "",
		     err.n_fields ? err.fields[0].detail : "");
	char *text = arena_strdup(A, strbuf_str(&sb));
	strbuf_release(&sb);
	return text;
}

/* The parse must fail with CAL_E_INVALID, a detail containing `needle`,
 * and leave *ret alone. */
static void expect_fail_lim(const char *text, const struct cal_ics_limits *lim, const char *needle)
{
	struct cal_ics_calendar cal, before;
	memset(&cal, 0xA5, sizeof(cal));
	before = cal;
	struct cal_error err = { 0 };
	int rc = cal_ics_parse(text, strlen(text), lim, db, A, &cal, &err);
	cr_assert_eq(rc, CAL_E_INVALID, "expected failure with \"%s\", got %d", needle, rc);
	cr_assert(err.detail, "no detail for \"%s\"", needle);
	cr_assert(strstr(err.detail, needle), "detail \"%s\" lacks \"%s\"", err.detail, needle);
	cr_assert(memcmp(&cal, &before, sizeof(cal)) == 0, "output touched on failure");
}

static void expect_fail(const char *text, const char *needle)
{
	expect_fail_lim(text, NULL, needle);
}

static const struct cal_ics_event *event_n(const struct cal_ics_calendar *cal, size_t i)
{
	cr_assert_lt(i, cal->n_events);
	return &cal->events[i];
}

#define HEAD "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//test//EN\r\n"
#define TAIL "END:VCALENDAR\r\n"
#define EVENT(body) "BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20240101T000000Z\r\n" body "END:VEVENT\r\n"

/* ---- deep comparison -------------------------------------------------------- */

static void same_str(const char *a, const char *b, const char *what)
{
	if (!a || !b)
		cr_assert(a == b, "%s: %s vs %s", what, a ? a : "NULL", b ? b : "NULL");
	else
		cr_assert_str_eq(a, b, "%s", what);
}

static void same_time(const struct cal_ics_time *a, const struct cal_ics_time *b, const char *what)
{
	cr_assert_eq(a->kind, b->kind, "%s kind", what);
	cr_assert_eq(a->utc, b->utc, "%s utc", what);
	cr_assert(memcmp(&a->local, &b->local, sizeof(a->local)) == 0, "%s local", what);
	same_str(a->tzid, b->tzid, what);
}

static void same_times(const struct cal_ics_time *a, size_t na, const struct cal_ics_time *b,
		       size_t nb, const char *what)
{
	cr_assert_eq(na, nb, "%s count", what);
	for (size_t i = 0; i < na; i++)
		same_time(&a[i], &b[i], what);
}

static void same_people(const struct cal_ics_event *a, const struct cal_ics_event *b)
{
	same_str(a->organizer_email, b->organizer_email, "organizer email");
	same_str(a->organizer_name, b->organizer_name, "organizer name");
	cr_assert_eq(a->n_attendees, b->n_attendees, "attendees");
	for (size_t i = 0; i < a->n_attendees; i++) {
		const struct cal_ics_attendee *x = &a->attendees[i], *y = &b->attendees[i];
		same_str(x->email, y->email, "attendee email");
		same_str(x->name, y->name, "attendee name");
		same_str(x->partstat, y->partstat, "partstat");
		same_str(x->role, y->role, "role");
		cr_assert_eq(x->rsvp, y->rsvp, "rsvp");
	}
	cr_assert_eq(a->n_alarms, b->n_alarms, "alarms");
	for (size_t i = 0; i < a->n_alarms; i++) {
		same_str(a->alarms[i].action, b->alarms[i].action, "alarm action");
		cr_assert_eq(a->alarms[i].minutes_before, b->alarms[i].minutes_before, "alarm minutes");
	}
}

static void same_event(const struct cal_ics_event *a, const struct cal_ics_event *b)
{
	same_str(a->uid, b->uid, "uid");
	cr_assert_eq(a->sequence, b->sequence, "sequence");
	same_str(a->summary, b->summary, "summary");
	same_str(a->description, b->description, "description");
	same_str(a->location, b->location, "location");
	same_time(&a->start, &b->start, "start");
	same_time(&a->end, &b->end, "end");
	same_str(a->rrule, b->rrule, "rrule");
	same_times(a->exdates, a->n_exdates, b->exdates, b->n_exdates, "exdates");
	same_times(a->rdates, a->n_rdates, b->rdates, b->n_rdates, "rdates");
	cr_assert_eq(a->has_recurrence_id, b->has_recurrence_id, "has recurrence id");
	if (a->has_recurrence_id)
		same_time(&a->recurrence_id, &b->recurrence_id, "recurrence id");
	cr_assert_eq(a->cancelled, b->cancelled, "cancelled");
	same_str(a->klass, b->klass, "class");
	same_str(a->transp, b->transp, "transp");
	cr_assert_eq(a->dtstamp, b->dtstamp, "dtstamp");
	cr_assert_eq(a->last_modified, b->last_modified, "last modified");
	same_people(a, b);
}

static void same_events(const struct cal_ics_calendar *a, const struct cal_ics_calendar *b)
{
	same_str(a->method, b->method, "method");
	cr_assert_eq(a->n_events, b->n_events, "events");
	for (size_t i = 0; i < a->n_events; i++)
		same_event(&a->events[i], &b->events[i]);
}

/* ---- the independent python reader ----------------------------------------- */

static json_t *time_json(const struct cal_ics_time *t)
{
	if (t->kind == CAL_ICS_DATE) {
		char d[16];
		snprintf(d, sizeof(d), "%04d-%02d-%02d", t->local.year, t->local.month,
			 t->local.day);
		return json_pack("{s:s}", "date", d);
	}
	return json_pack("{s:I}", t->kind == CAL_ICS_FLOATING ? "floating" : "utc",
			 (json_int_t)t->utc);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *event_json(const struct cal_ics_event *e)
{
	json_t *ex = json_array(), *att = json_array();
	for (size_t i = 0; i < e->n_exdates; i++)
		json_array_append_new(ex, time_json(&e->exdates[i]));
	for (size_t i = 0; i < e->n_attendees; i++)
		json_array_append_new(att, json_pack("{s:o,s:o}", "email",
						     str_or_null(e->attendees[i].email), "cn",
						     str_or_null(e->attendees[i].name)));
	return json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I}", "uid", e->uid, "summary",
			 str_or_null(e->summary), "description", str_or_null(e->description),
			 "location", str_or_null(e->location), "start", time_json(&e->start),
			 "end", time_json(&e->end), "recurrence_id",
			 e->has_recurrence_id ? time_json(&e->recurrence_id) : json_null(),
			 "exdates", ex, "rrule", str_or_null(e->rrule), "attendees", att,
			 "alarms", (json_int_t)e->n_alarms);
}

static size_t count_lines(const char *text, const char *prefix)
{
	size_t n = 0, k = strlen(prefix);
	for (const char *p = text; p; p = strstr(p, "\r\n")) {
		p += p == text ? 0 : 2;
		n += strncmp(p, prefix, k) == 0;
	}
	return n;
}

/* Runs ics_check.py on text; the expectation is what our parser reads back
 * from the same text. */
static void python_check(const char *text)
{
	struct cal_ics_calendar back = parse_str(text);
	json_t *events = json_array();
	for (size_t i = 0; i < back.n_events; i++)
		json_array_append_new(events, event_json(&back.events[i]));
	json_t *want = json_pack("{s:I,s:I,s:o}", "vevents", (json_int_t)back.n_events,
				 "vtimezones", (json_int_t)count_lines(text, "BEGIN:VTIMEZONE"),
				 "events", events);
	char ics[] = "/tmp/test_ics_XXXXXX", js[] = "/tmp/test_ics_json_XXXXXX";
	int fd = mkstemp(ics), fj = mkstemp(js);
	cr_assert(fd >= 0 && fj >= 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	close(fj);
	cr_assert_eq(json_dump_file(want, js, 0), 0);
	json_decref(want);
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s/tests/unit/ics_check.py %s %s",
		 source_dir(), ics, js);
	int status = system(cmd);
	unlink(ics);
	unlink(js);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "ics_check.py failed: %s", cmd);
}

/* ---- fixtures: Google ------------------------------------------------------- */

Test(ics, google_series_with_exdates_and_override)
{
	struct cal_ics_calendar cal = parse_fixture("google.ics");
	cr_assert_eq(cal.n_events, 4);
	cr_assert_eq(cal.n_skipped, 0);
	cr_assert_str_eq(cal.method, "PUBLISH");
	cr_assert_str_eq(cal.default_tzid, "Europe/Madrid");

	const struct cal_ics_event *e = event_n(&cal, 0);
	cr_assert_str_eq(e->uid, "7kukuqrfedlm2f8rqpqd1bk2k4@google.com");
	cr_assert_str_eq(e->summary, "Stand-up");
	cr_assert_str_eq(e->location, "Sala Madrid, planta 2");
	cr_assert_eq(e->sequence, 2);
	cr_assert_eq(e->start.kind, CAL_ICS_ZONED);
	cr_assert_str_eq(e->start.tzid, "Europe/Madrid");
	cr_assert_eq(e->start.utc, utc(2024, 1, 8, 8, 30, 0));
	cr_assert_eq(e->start.local.hour, 9);
	cr_assert_eq(e->end.utc, utc(2024, 1, 8, 9, 0, 0));
	cr_assert_str_eq(e->rrule, "FREQ=WEEKLY;BYDAY=MO,WE,FR");
	cr_assert_eq(e->n_exdates, 2);
	cr_assert_eq(e->exdates[0].utc, utc(2024, 1, 10, 8, 30, 0));
	cr_assert_eq(e->exdates[1].utc, utc(2024, 1, 15, 8, 30, 0));
	cr_assert_str_eq(e->exdates[1].tzid, "Europe/Madrid");
	cr_assert_not(e->has_recurrence_id);
	cr_assert_str_eq(e->organizer_email, "lucia@example.com");
	cr_assert_str_eq(e->organizer_name, "Lucía Fernández");
	cr_assert_eq(e->n_attendees, 2);
	cr_assert_str_eq(e->attendees[0].name, "Lucía Fernández");
	cr_assert_str_eq(e->attendees[0].partstat, "ACCEPTED");
	cr_assert_not(e->attendees[0].rsvp);
	cr_assert_str_eq(e->attendees[1].email, "bob@example.org");
	cr_assert_str_eq(e->attendees[1].partstat, "NEEDS-ACTION");
	cr_assert_str_eq(e->attendees[1].role, "REQ-PARTICIPANT");
	cr_assert(e->attendees[1].rsvp);
	cr_assert_eq(e->n_alarms, 1);
	cr_assert_str_eq(e->alarms[0].action, "DISPLAY");
	cr_assert_eq(e->alarms[0].minutes_before, 10);
	cr_assert_eq(e->dtstamp, utc(2024, 3, 1, 10, 15, 0));
	cr_assert_eq(e->last_modified, utc(2024, 3, 1, 10, 14, 0));
	/* Unescaped, and whole across folds (one fold splits the "\n" escape). */
	const char *head = "Reunión diaria.\nAgenda: bloqueos, planes; preguntas.\n\n";
	cr_assert(strncmp(e->description, head, strlen(head)) == 0);
	cr_assert(strstr(e->description, "\nMás opciones para unirse: "
					 "https://tel.meet/abc-defg-hij?pin=1234567890\n"));
	cr_assert_null(strchr(e->description, '\r'));

	const struct cal_ics_event *o = event_n(&cal, 1);
	cr_assert_str_eq(o->uid, e->uid);
	cr_assert(o->has_recurrence_id);
	cr_assert_eq(o->recurrence_id.utc, utc(2024, 1, 12, 8, 30, 0));
	cr_assert_eq(o->start.utc, utc(2024, 1, 12, 10, 0, 0));
	cr_assert_str_eq(o->summary, "Stand-up (movido)");
	cr_assert_str_eq(o->attendees[1].partstat, "DECLINED");
	cr_assert_null(o->rrule);
}

Test(ics, google_all_day_and_utc_cancelled)
{
	struct cal_ics_calendar cal = parse_fixture("google.ics");
	const struct cal_ics_event *d = event_n(&cal, 2);
	cr_assert_eq(d->start.kind, CAL_ICS_DATE);
	cr_assert_eq(d->start.local.year, 2024);
	cr_assert_eq(d->start.local.month, 5);
	cr_assert_eq(d->start.local.day, 6);
	cr_assert_eq(d->start.utc, utc(2024, 5, 6, 0, 0, 0));
	cr_assert_eq(d->end.kind, CAL_ICS_DATE);
	cr_assert_eq(d->end.utc, utc(2024, 5, 8, 0, 0, 0));
	cr_assert_null(d->start.tzid);
	cr_assert_str_eq(d->transp, "TRANSPARENT");
	cr_assert_str_eq(d->description, "");

	const struct cal_ics_event *u = event_n(&cal, 3);
	cr_assert_eq(u->start.kind, CAL_ICS_UTC);
	cr_assert_eq(u->start.utc, utc(2024, 7, 15, 14, 0, 0));
	cr_assert(u->cancelled);
	cr_assert_str_eq(u->klass, "PRIVATE");
	cr_assert_str_eq(u->summary, "Médico");
	cr_assert_eq(u->n_alarms, 2);
	cr_assert_str_eq(u->alarms[0].action, "EMAIL");
	cr_assert_eq(u->alarms[0].minutes_before, 24 * 60);
	cr_assert_eq(u->alarms[1].minutes_before, 30);
}

/* ---- fixtures: Outlook ------------------------------------------------------ */

Test(ics, outlook_windows_zone_names)
{
	struct cal_ics_calendar cal = parse_fixture("outlook.ics");
	cr_assert_eq(cal.n_events, 6);
	cr_assert_str_eq(cal.method, "REQUEST");

	/* "Pacific Standard Time" 09:00 in July is 16:00Z (PDT). */
	const struct cal_ics_event *e = event_n(&cal, 0);
	cr_assert_str_eq(e->start.tzid, "America/Los_Angeles");
	cr_assert_eq(e->start.utc, utc(2024, 7, 16, 16, 0, 0));
	cr_assert_eq(e->end.utc, utc(2024, 7, 16, 17, 0, 0));
	cr_assert_str_eq(e->summary, "Q3 planning");
	cr_assert_str_eq(e->klass, "PUBLIC");
	cr_assert(strstr(e->description, "Join on your computer, mobile app or room device\n"));
	cr_assert_null(strstr(e->description, "<html>"), "X-ALT-DESC must be ignored");
	cr_assert_eq(e->n_attendees, 3);
	cr_assert_str_eq(e->attendees[1].name, "O'Brien, Sean");
	cr_assert_str_eq(e->attendees[1].role, "OPT-PARTICIPANT");
	cr_assert_str_eq(e->attendees[1].partstat, "TENTATIVE");
	cr_assert_str_eq(e->attendees[2].role, "OPT-PARTICIPANT", "NON-PARTICIPANT reads as optional");
	cr_assert_eq(e->alarms[0].minutes_before, 15);

	/* "Romance Standard Time": a weekly series, an EXDATE list, an override. */
	const struct cal_ics_event *s = event_n(&cal, 1);
	cr_assert_str_eq(s->start.tzid, "Europe/Paris");
	cr_assert_eq(s->start.utc, utc(2024, 8, 6, 7, 0, 0));
	cr_assert_str_eq(s->rrule, "FREQ=WEEKLY;UNTIL=20241231T080000Z;BYDAY=TU;WKST=SU");
	cr_assert_eq(s->n_exdates, 2);
	cr_assert_eq(s->exdates[0].utc, utc(2024, 8, 20, 7, 0, 0));
	cr_assert_eq(s->exdates[1].utc, utc(2024, 8, 27, 7, 0, 0));
	const struct cal_ics_event *o = event_n(&cal, 2);
	cr_assert_str_eq(o->uid, s->uid);
	cr_assert(o->has_recurrence_id);
	cr_assert_eq(o->recurrence_id.utc, utc(2024, 9, 10, 7, 0, 0));
	cr_assert_eq(o->start.utc, utc(2024, 9, 10, 8, 0, 0));
	cr_assert_str_eq(o->summary, "Point hebdo (décalé)");
}

Test(ics, outlook_all_day_and_custom_vtimezones)
{
	struct cal_ics_calendar cal = parse_fixture("outlook.ics");
	const struct cal_ics_event *d = event_n(&cal, 3);
	cr_assert_eq(d->start.kind, CAL_ICS_DATE);
	cr_assert_eq(d->start.utc, utc(2024, 12, 25, 0, 0, 0));
	cr_assert_eq(d->end.utc, utc(2024, 12, 26, 0, 0, 0));
	cr_assert_str_eq(d->summary, "Christmas Day");

	/* "Customized Time Zone": found by its offsets; ICU lists Africa/Ceuta
	 * first among +01:00 zones, whose Windows zone maps back to Paris. */
	const struct cal_ics_event *c = event_n(&cal, 4);
	cr_assert_eq(c->start.kind, CAL_ICS_ZONED);
	cr_assert_str_eq(c->start.tzid, "Europe/Paris");
	cr_assert_eq(c->start.utc, utc(2024, 11, 5, 13, 0, 0));

	/* An Outlook display name: a city in it that matches wins. */
	const struct cal_ics_event *a = event_n(&cal, 5);
	cr_assert_str_eq(a->start.tzid, "Europe/Amsterdam");
	cr_assert_eq(a->start.utc, utc(2024, 3, 20, 7, 30, 0));
}

/* ---- fixtures: Apple -------------------------------------------------------- */

Test(ics, apple_calendar)
{
	struct cal_ics_calendar cal = parse_fixture("apple.ics");
	cr_assert_eq(cal.n_events, 3);
	cr_assert_str_eq(cal.default_tzid, "America/New_York");
	cr_assert_eq(cal.n_skipped, 2);
	cr_assert_str_eq(cal.skipped[0].component, "VALARM", "ACTION:NONE is skipped");
	cr_assert_str_eq(cal.skipped[1].component, "VTODO");
	cr_assert_eq(cal.skipped[1].line, 96);

	const struct cal_ics_event *e = event_n(&cal, 0);
	cr_assert_eq(e->start.utc, utc(2024, 3, 20, 14, 0, 0)); /* EDT since March 10 */
	cr_assert_str_eq(e->rrule, "FREQ=MONTHLY;COUNT=6;BYDAY=3WE");
	cr_assert_str_eq(e->location, "1 Infinite Loop\nCupertino, CA 95014\nUnited States");
	cr_assert_str_eq(e->organizer_name, "Tim Cook");
	cr_assert_str_eq(e->attendees[0].role, "CHAIR");
	cr_assert_eq(e->n_alarms, 1);
	cr_assert_str_eq(e->alarms[0].action, "AUDIO");
	cr_assert_eq(e->alarms[0].minutes_before, 30);

	const struct cal_ics_event *b = event_n(&cal, 1);
	cr_assert_eq(b->start.kind, CAL_ICS_DATE);
	cr_assert_eq(b->start.local.year, 1985);
	cr_assert_str_eq(b->rrule, "FREQ=YEARLY");
	cr_assert_str_eq(b->summary, "Mom's birthday");
	cr_assert_eq(b->alarms[0].minutes_before, 15 * 60);

	/* Floating time with a DURATION. */
	const struct cal_ics_event *f = event_n(&cal, 2);
	cr_assert_eq(f->start.kind, CAL_ICS_FLOATING);
	cr_assert_null(f->start.tzid);
	cr_assert_eq(f->start.utc, utc(2024, 3, 22, 7, 30, 0));
	cr_assert_eq(f->end.kind, CAL_ICS_FLOATING);
	cr_assert_eq(f->end.utc, utc(2024, 3, 22, 8, 45, 0));
}

/* ---- fixtures: Thunderbird -------------------------------------------------- */

Test(ics, thunderbird)
{
	struct cal_ics_calendar cal = parse_fixture("thunderbird.ics");
	cr_assert_eq(cal.n_events, 2);
	cr_assert_null(cal.method);
	cr_assert_eq(cal.n_skipped, 2);
	cr_assert_str_eq(cal.skipped[0].component, "VTODO");
	cr_assert_str_eq(cal.skipped[1].component, "VJOURNAL");

	const struct cal_ics_event *e = event_n(&cal, 0);
	/* This line is folded in the middle of a UTF-8 sequence. */
	cr_assert_str_eq(e->summary, "Ümlaut-Tëst: Grüße aus Köln! — 会議の準備とレビューです — "
				     "ça marche déjà très bien");
	cr_assert_str_eq(e->description,
			 "Zeile eins\nZeile zwei mit Backslash \\ und Semikolon ; und Komma , Ende.");
	cr_assert_str_eq(e->klass, "CONFIDENTIAL");
	cr_assert_str_eq(e->rrule, "FREQ=DAILY;COUNT=10");
	cr_assert_eq(e->start.utc, utc(2024, 4, 1, 7, 0, 0));
	cr_assert_eq(e->n_exdates, 1);
	cr_assert_eq(e->exdates[0].kind, CAL_ICS_UTC);
	cr_assert_eq(e->exdates[0].utc, utc(2024, 4, 5, 7, 0, 0));
	cr_assert_eq(e->n_attendees, 3);
	cr_assert_null(e->attendees[1].name);
	cr_assert_str_eq(e->attendees[1].partstat, "DECLINED");
	cr_assert_str_eq(e->attendees[2].role, "OPT-PARTICIPANT");
	cr_assert_eq(e->n_alarms, 2);
	cr_assert_str_eq(e->alarms[0].action, "EMAIL");
	cr_assert_eq(e->alarms[0].minutes_before, 60);
	/* RELATED=END:PT5M on a 30-minute event: 35 minutes after the start. */
	cr_assert_eq(e->alarms[1].minutes_before, -35);

	const struct cal_ics_event *t = event_n(&cal, 1);
	cr_assert_str_eq(t->start.tzid, "Asia/Tokyo");
	cr_assert_eq(t->start.utc, utc(2024, 4, 2, 8, 0, 0));
}

Test(ics, lf_line_ends_read_like_crlf)
{
	size_t len;
	char *text = fixture("google.ics", &len);
	char *lf = arena_alloc(A, len + 1);
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (text[i] != '\r')
			lf[n++] = text[i];
	struct cal_ics_calendar a = parse_text(text, len), b = parse_text(lf, n);
	same_events(&a, &b);
}

/* ---- round trips ------------------------------------------------------------ */

static void round_trip(const char *name)
{
	struct cal_ics_calendar first = parse_fixture(name);
	char *text = write_ok(&first);
	struct cal_ics_calendar second = parse_str(text);
	same_events(&first, &second);
	char *again = write_ok(&second);
	cr_assert_str_eq(text, again, "write -> parse -> write is not byte-identical for %s", name);
	python_check(text);
}

Test(ics, round_trip_google) { round_trip("google.ics"); }
Test(ics, round_trip_outlook) { round_trip("outlook.ics"); }
Test(ics, round_trip_apple) { round_trip("apple.ics"); }
Test(ics, round_trip_thunderbird) { round_trip("thunderbird.ics"); }

Test(ics, export_shape)
{
	struct cal_ics_calendar cal = parse_fixture("outlook.ics");
	char *text = write_ok(&cal);
	cr_assert(strncmp(text, "BEGIN:VCALENDAR\r\nPRODID:-//ERP Core//calendard//ES\r\nVERSION:2.0\r\n",
			  64) == 0);
	cr_assert(strstr(text, "\r\nMETHOD:REQUEST\r\n"));
	/* One VTIMEZONE per zone, sorted by name. */
	const char *la = strstr(text, "TZID:America/Los_Angeles\r\n");
	const char *am = strstr(text, "TZID:Europe/Amsterdam\r\n");
	const char *pa = strstr(text, "TZID:Europe/Paris\r\n");
	cr_assert(la && am && pa && la < am && am < pa);
	cr_assert_eq(count_lines(text, "BEGIN:VTIMEZONE"), 3);
	cr_assert(strstr(text, "\r\nDTSTART;TZID=America/Los_Angeles:20240716T090000\r\n"));
	cr_assert(strstr(text, "\r\nDTSTART;VALUE=DATE:20241225\r\n"));
	cr_assert(strstr(text, "\r\nEXDATE;TZID=Europe/Paris:20240820T090000\r\n"));
	cr_assert(strstr(text, "\r\nATTENDEE;CN=\"O'Brien, Sean\";ROLE=OPT-PARTICIPANT;"));
	cr_assert(strstr(text, "\r\nTRIGGER:-PT15M\r\n"));
	for (const char *p = text; *p; p++)
		if (*p == '\n')
			cr_assert_eq(p[-1], '\r', "bare LF at %ld", (long)(p - text));
}

/* ---- injection -------------------------------------------------------------- */

Test(ics, text_cannot_break_out_of_its_property)
{
	const char *evil = "Lunch\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT1M\r\nEND:VALARM";
	const char *tricky = "a;b,c\\d\\n\\,e \"q\" ^ end";
	const char *cn = "Evil \"Boss\"; ROLE=CHAIR:mailto:x@y\nATTENDEE:mailto:z@w ^caret";
	struct cal_ics_attendee att = { .email = "victim@example.com\r\nATTENDEE:mailto:evil@example.com",
					.name = cn, .partstat = "ACCEPTED", .role = "CHAIR" };
	struct cal_ics_event ev = {
		.uid = "uid\r\nX-INJECTED:1",
		.summary = evil,
		.description = tricky,
		.location = "Room\nBEGIN:VEVENT\x01\x7f",
		.organizer_email = "boss@example.com\nX:1",
		.organizer_name = cn,
		.attendees = &att,
		.n_attendees = 1,
	};
	cr_assert_eq(cal_ics_time_make(CAL_ICS_UTC, utc(2024, 6, 1, 12, 0, 0), NULL, &ev.start), 0);
	ev.end = ev.start;
	struct cal_ics_calendar cal = { .events = &ev, .n_events = 1 };
	char *text = write_ok(&cal);
	cr_assert_eq(count_lines(text, "BEGIN:"), 2, "%s", text);
	cr_assert_eq(count_lines(text, "ATTENDEE"), 1);
	cr_assert_eq(count_lines(text, "X-INJECTED"), 0);
	cr_assert_eq(count_lines(text, "X:"), 0);

	struct cal_ics_calendar back = parse_str(text);
	cr_assert_eq(back.n_events, 1);
	const struct cal_ics_event *b = &back.events[0];
	cr_assert_str_eq(b->uid, "uid\nX-INJECTED:1");
	cr_assert_str_eq(b->summary, "Lunch\nBEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT1M\nEND:VALARM");
	cr_assert_str_eq(b->description, tricky);
	cr_assert_str_eq(b->location, "Room\nBEGIN:VEVENT", "other control characters are dropped");
	cr_assert_eq(b->n_alarms, 0);
	cr_assert_eq(b->n_attendees, 1);
	cr_assert_str_eq(b->attendees[0].name, cn);
	cr_assert_str_eq(b->organizer_name, cn);
	cr_assert_str_eq(b->attendees[0].email, "victim@example.comATTENDEE:mailto:evil@example.com");
	cr_assert_str_eq(b->organizer_email, "boss@example.comX:1");
	cr_assert_str_eq(b->attendees[0].role, "CHAIR");
	python_check(text);
}

Test(ics, folding_keeps_utf8_sequences_whole)
{
	char summary[1200] = "";
	for (int i = 0; i < 60; i++)
		strcat(summary, i % 3 ? "é会" : "x€");
	strcat(summary, "\n😀;end");
	struct cal_ics_event ev = { .uid = "fold@test", .summary = summary, .description = summary };
	cr_assert_eq(cal_ics_time_make(CAL_ICS_DATE, utc(2024, 2, 29, 0, 0, 0), NULL, &ev.start), 0);
	cr_assert_eq(cal_ics_time_make(CAL_ICS_DATE, utc(2024, 3, 1, 0, 0, 0), NULL, &ev.end), 0);
	struct cal_ics_calendar cal = { .events = &ev, .n_events = 1 };
	char *text = write_ok(&cal);
	for (const char *p = text; *p;) {
		const char *e = strstr(p, "\r\n");
		cr_assert(e);
		cr_assert_leq(e - p, 75, "line of %ld octets", (long)(e - p));
		if (*p == ' ')
			cr_assert_neq((unsigned char)p[1] & 0xC0, 0x80, "fold inside UTF-8");
		p = e + 2;
	}
	struct cal_ics_calendar back = parse_str(text);
	cr_assert_str_eq(back.events[0].summary, summary);
	cr_assert_str_eq(back.events[0].description, summary);
	python_check(text);
}

Test(ics, invalid_utf8_on_export_becomes_replacement_characters)
{
	struct cal_ics_event ev = { .uid = "u", .summary = "bad \xC3\x28 \xFF end" };
	cr_assert_eq(cal_ics_time_make(CAL_ICS_FLOATING, utc(2024, 2, 1, 9, 0, 0), NULL, &ev.start), 0);
	ev.end = ev.start;
	struct cal_ics_calendar cal = { .events = &ev, .n_events = 1 };
	struct cal_ics_calendar back = parse_str(write_ok(&cal));
	cr_assert_str_eq(back.events[0].summary, "bad \xEF\xBF\xBD( \xEF\xBF\xBD end");
}

/* ---- broken files ----------------------------------------------------------- */

Test(ics, truncated_file)
{
	size_t len;
	char *text = fixture("google.ics", &len);
	char *cut = strstr(text, "SUMMARY:Stand-up (movido)");
	cr_assert(cut);
	*cut = '\0';
	expect_fail(text, "BEGIN:VEVENT is never closed");
	expect_fail(text, "line 60:");
}

Test(ics, missing_end_vevent)
{
	expect_fail(HEAD "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20240101T090000Z\r\n" TAIL,
		    "line 7: END:VCALENDAR where END:VEVENT (BEGIN at line 4) belongs");
	expect_fail(HEAD EVENT("DTSTART:20240101T090000Z\r\n") "END:VEVENT\r\n" TAIL,
		    "line 9: END:VEVENT where END:VCALENDAR");
	expect_fail(HEAD EVENT("DTSTART:20240101T090000Z\r\n") TAIL "END:VCALENDAR\r\n",
		    "line 10: END:VCALENDAR without BEGIN");
}

Test(ics, bad_dates)
{
	expect_fail(HEAD EVENT("DTSTART:20240230T090000Z\r\n") TAIL,
		    "line 7: DTSTART: invalid date-time \"20240230T090000Z\"");
	expect_fail(HEAD EVENT("DTSTART:2024-01-01T09:00:00\r\n") TAIL, "line 7: DTSTART: invalid");
	expect_fail(HEAD EVENT("DTSTART;VALUE=DATE:20240101T090000\r\n") TAIL,
		    "line 7: DTSTART: VALUE=DATE but the value is a date-time");
	expect_fail(HEAD EVENT("DTSTART:20240101T250000\r\n") TAIL, "line 7: DTSTART: invalid");
	expect_fail(HEAD EVENT("DTSTART:20240101T090000Z\r\nDTEND:20240101T080000Z\r\n") TAIL,
		    "line 8: DTEND: before DTSTART");
	expect_fail(HEAD EVENT("DTSTART;VALUE=DATE:20240101\r\nDTEND:20240102T080000Z\r\n") TAIL,
		    "line 8: DTEND: must be a date like DTSTART");
	expect_fail(HEAD EVENT("DTSTART:20240101T090000Z\r\nDURATION:P1H\r\n") TAIL,
		    "line 8: DURATION: invalid duration");
	expect_fail(HEAD EVENT("DTSTART:20240101T090000Z\r\nEXDATE:20240108T090000Z,2024\r\n") TAIL,
		    "line 8: EXDATE: invalid date-time \"2024\"");
	expect_fail(HEAD EVENT("DTSTAMP:20240101T090000Z\r\nDTSTART:20240101T090000Z\r\n") TAIL,
		    "line 7: DTSTAMP: appears more than once");
	expect_fail(HEAD EVENT("DTSTART:20240101T090000Z\r\nRRULE:FREQ=SOMETIMES\r\n") TAIL,
		    "line 8: RRULE: ");
}

Test(ics, unknown_time_zone)
{
	expect_fail(HEAD EVENT("DTSTART;TZID=Mars/Olympus_Mons:20240101T090000\r\n") TAIL,
		    "line 7: DTSTART: unknown time zone \"Mars/Olympus_Mons\"");
	expect_fail(HEAD EVENT("DTSTART;TZID=\"Nowhere Standard Time\":20240101T090000\r\n") TAIL,
		    "unknown time zone \"Nowhere Standard Time\"");
	/* Defined by a VTIMEZONE, but no real zone has +05:37. */
	expect_fail(HEAD "BEGIN:VTIMEZONE\r\nTZID:Odd\r\nBEGIN:STANDARD\r\n"
			 "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0537\r\nTZOFFSETTO:+0537\r\n"
			 "END:STANDARD\r\nEND:VTIMEZONE\r\n" EVENT("DTSTART;TZID=Odd:20240101T090000\r\n") TAIL,
		    "line 15: DTSTART: unknown time zone \"Odd\"");
}

Test(ics, structure_and_bytes)
{
	expect_fail("", "line 1: not an iCalendar file");
	expect_fail("hello world\r\n", "line 1: not a content line");
	expect_fail("BEGIN:VEVENT\r\nEND:VEVENT\r\n", "line 1: BEGIN:VCALENDAR expected");
	expect_fail(HEAD EVENT("DTSTART:20240101T090000Z\r\n") TAIL "X-TRAILER:1\r\n",
		    "line 10: X-TRAILER: outside of BEGIN:VCALENDAR");
	expect_fail(HEAD EVENT("SUMMARY:caf\xC3\r\nDTSTART:20240101T090000Z\r\n") TAIL,
		    "line 7: invalid UTF-8");
	expect_fail(HEAD EVENT("SUMMARY:a\x01z\r\nDTSTART:20240101T090000Z\r\n") TAIL,
		    "line 7: control character 0x01");
	expect_fail(HEAD EVENT("ATTENDEE;CN=\"open:mailto:a@b\r\nDTSTART:20240101T090000Z\r\n") TAIL,
		    "line 7: ATTENDEE: unterminated quoted parameter value");
	expect_fail(HEAD "BEGIN:VEVENT\r\nDTSTART:20240101T090000Z\r\nEND:VEVENT\r\n" TAIL,
		    "line 4: VEVENT: UID is required");
	expect_fail(HEAD EVENT("SUMMARY:x\r\n") TAIL, "line 4: VEVENT: DTSTART is required");
	expect_fail("BEGIN:VCALENDAR\r\nVERSION:1.0\r\n" TAIL, "line 2: VERSION: only iCalendar 2.0");
}

Test(ics, limits)
{
	const char *two = HEAD EVENT("DTSTART:20240101T090000Z\r\n") EVENT("DTSTART:20240102T090000Z\r\n") TAIL;
	struct cal_ics_limits lim = CAL_ICS_LIMITS_DEFAULT;
	lim.components_max = 2;
	expect_fail_lim(two, &lim, "line 9: more than 2 components");
	lim = (struct cal_ics_limits)CAL_ICS_LIMITS_DEFAULT;
	lim.bytes_max = 100;
	expect_fail_lim(two, &lim, "line 6: the file is larger than 100 bytes");
	lim = (struct cal_ics_limits)CAL_ICS_LIMITS_DEFAULT;
	lim.attendees_max = 1;
	expect_fail_lim(HEAD EVENT("DTSTART:20240101T090000Z\r\nATTENDEE:mailto:a@x\r\n"
				   "ATTENDEE:mailto:b@x\r\n") TAIL,
			&lim, "line 9: ATTENDEE: more than 1 attendees");
	lim = (struct cal_ics_limits)CAL_ICS_LIMITS_DEFAULT;
	lim.exdates_max = 2;
	expect_fail_lim(HEAD EVENT("DTSTART:20240101T090000Z\r\nEXDATE:20240102T090000Z,"
				   "20240103T090000Z,20240104T090000Z\r\n") TAIL,
			&lim, "line 8: EXDATE: more than 2 dates");
	lim = (struct cal_ics_limits)CAL_ICS_LIMITS_DEFAULT;
	lim.alarms_max = 0;
	expect_fail_lim(HEAD EVENT("DTSTART:20240101T090000Z\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\n"
				   "TRIGGER:-PT5M\r\nEND:VALARM\r\n") TAIL,
			&lim, "line 8: VALARM: more than 0 alarms");
	lim = (struct cal_ics_limits)CAL_ICS_LIMITS_DEFAULT;
	lim.zones_max = 1;
	expect_fail_lim(HEAD EVENT("DTSTART;TZID=Europe/Madrid:20240101T090000\r\n"
				   "DTEND;TZID=Europe/Lisbon:20240101T100000\r\n") TAIL,
			&lim, "line 8: DTEND: more than 1 time zones");
}

/* ---- time semantics --------------------------------------------------------- */

Test(ics, local_times_follow_rfc5545_3_3_5)
{
	/* New York 02:30 on 2024-03-10 does not exist: the offset before the
	 * gap applies (07:30Z); 01:30 on 2024-11-03 happens twice: the first. */
	struct cal_ics_calendar cal = parse_str(
	    HEAD EVENT("DTSTART;TZID=America/New_York:20240310T023000\r\n"
		       "DURATION:P1D\r\n") TAIL);
	const struct cal_ics_event *e = &cal.events[0];
	cr_assert_eq(e->start.utc, utc(2024, 3, 10, 7, 30, 0));
	cr_assert_eq(e->start.local.hour, 2, "the wall clock stays as written");
	/* P1D is nominal: 02:30 the next day, now EDT. */
	cr_assert_eq(e->end.utc, utc(2024, 3, 11, 6, 30, 0));
	cal = parse_str(HEAD EVENT("DTSTART;TZID=America/New_York:20241103T013000\r\n"
				   "DURATION:PT1H\r\n") TAIL);
	cr_assert_eq(cal.events[0].start.utc, utc(2024, 11, 3, 5, 30, 0));
	cr_assert_eq(cal.events[0].end.utc, utc(2024, 11, 3, 6, 30, 0), "PT1H is exact");
	cr_assert_eq(cal.events[0].end.local.hour, 1, "01:30 EST");
}

Test(ics, second_occurrence_of_a_repeated_hour_is_written_in_utc)
{
	/* 00:30 EDT + 2 h is 01:30 EST, which "TZID=America/New_York:...T013000"
	 * would read as 01:30 EDT: the end goes out in UTC. */
	struct cal_ics_calendar cal = parse_str(
	    HEAD EVENT("DTSTART;TZID=America/New_York:20241103T003000\r\nDURATION:PT2H\r\n") TAIL);
	const struct cal_ics_event *e = &cal.events[0];
	cr_assert_eq(e->end.utc, utc(2024, 11, 3, 6, 30, 0));
	cr_assert_eq(e->end.local.hour, 1);
	char *text = write_ok(&cal);
	cr_assert(strstr(text, "\r\nDTEND:20241103T063000Z\r\n"), "%s", text);
	struct cal_ics_calendar back = parse_str(text);
	cr_assert_eq(back.events[0].end.utc, e->end.utc);
	cr_assert_str_eq(write_ok(&back), text);
}

Test(ics, odd_values_that_still_round_trip)
{
	struct cal_ics_calendar cal = parse_str(
	    HEAD EVENT("DTSTART:20161231T235960Z\r\nBEGIN:VALARM\r\nACTION:display\r\n"
		       "TRIGGER;VALUE=DATE-TIME:20161231T230000Z\r\nEND:VALARM\r\n"
		       "BEGIN:VALARM\r\nACTION:AUDIO\r\nTRIGGER:PT90S\r\nEND:VALARM\r\n") TAIL);
	const struct cal_ics_event *e = &cal.events[0];
	/* A UTC leap second is the next second. */
	cr_assert_eq(e->start.utc, utc(2017, 1, 1, 0, 0, 0));
	cr_assert_eq(e->start.local.year, 2017);
	cr_assert_str_eq(e->alarms[0].action, "DISPLAY");
	cr_assert_eq(e->alarms[0].minutes_before, 60);
	cr_assert_eq(e->alarms[1].minutes_before, -1, "90 s after: whole minutes");
	struct cal_ics_calendar back = parse_str(write_ok(&cal));
	same_events(&cal, &back);
	expect_fail(HEAD EVENT("DTSTART:20240101T090000Z\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\n"
			       "TRIGGER:-P999999999W\r\nEND:VALARM\r\n") TAIL,
		    "line 10: TRIGGER: too far from the event");
	expect_fail(HEAD EVENT("DTSTART;VALUE=DATE:99991231\r\n") TAIL,
		    "line 7: DTSTART: the end is out of range");
}

Test(ics, windows_names_without_vtimezone)
{
	struct cal_ics_calendar cal = parse_str(
	    HEAD EVENT("DTSTART;TZID=\"W. Europe Standard Time\":20240115T090000\r\n"
		       "DTEND;TZID=Tokyo Standard Time:20240115T180000\r\n") TAIL);
	cr_assert_str_eq(cal.events[0].start.tzid, "Europe/Berlin");
	cr_assert_eq(cal.events[0].start.utc, utc(2024, 1, 15, 8, 0, 0));
	cr_assert_str_eq(cal.events[0].end.tzid, "Asia/Tokyo");
	cr_assert_eq(cal.events[0].end.utc, utc(2024, 1, 15, 9, 0, 0));
}

Test(ics, defaults_for_missing_end)
{
	struct cal_ics_calendar cal = parse_str(
	    HEAD EVENT("DTSTART;VALUE=DATE:20240229\r\n")
		EVENT("DTSTART:20240229T120000Z\r\n") EVENT("DTSTART;VALUE=DATE:20240229\r\n"
								"DTEND;VALUE=DATE:20240229\r\n") TAIL);
	cr_assert_eq(cal.events[0].end.utc, utc(2024, 3, 1, 0, 0, 0));
	cr_assert_eq(cal.events[1].end.utc, cal.events[1].start.utc);
	cr_assert_eq(cal.events[2].end.utc, utc(2024, 3, 1, 0, 0, 0), "DTEND = DTSTART: one day");
}

Test(ics, time_make)
{
	const struct cal_tz *tz;
	cr_assert_eq(cal_tzdb_get(db, "Europe/Madrid", &tz), 0);
	struct cal_ics_time t;
	cr_assert_eq(cal_ics_time_make(CAL_ICS_ZONED, utc(2024, 7, 1, 7, 0, 0), tz, &t), 0);
	cr_assert_eq(t.local.hour, 9);
	cr_assert_str_eq(t.tzid, "Europe/Madrid");
	cr_assert_eq(cal_ics_time_make(CAL_ICS_ZONED, 0, NULL, &t), CAL_E_INVALID);
	cr_assert_eq(cal_ics_time_make(CAL_ICS_DATE, 3600, NULL, &t), CAL_E_INVALID);
}

/* ---- export errors ---------------------------------------------------------- */

static void expect_write_fail(const struct cal_ics_event *ev, const char *field)
{
	struct cal_ics_calendar cal = { .events = (struct cal_ics_event *)ev, .n_events = 1 };
	struct strbuf sb = STRBUF_INIT(1 << 20);
	strbuf_puts(&sb, "keep");
	struct cal_error err = { 0 };
	cr_assert_eq(cal_ics_write(&cal, db, &sb, &err), CAL_E_INVALID);
	cr_assert_str_eq(err.fields[0].field, field);
	cr_assert_str_eq(strbuf_str(&sb), "keep", "output touched on failure");
	strbuf_release(&sb);
}

Test(ics, export_refuses_what_it_cannot_write)
{
	struct cal_ics_event ev = { .uid = "u" };
	cr_assert_eq(cal_ics_time_make(CAL_ICS_UTC, utc(2024, 1, 1, 9, 0, 0), NULL, &ev.start), 0);
	ev.end = ev.start;
	struct cal_ics_event bad = ev;
	bad.uid = NULL;
	expect_write_fail(&bad, "uid");
	bad = ev;
	bad.rrule = "FREQ=WEEKLY\r\nBEGIN:VALARM";
	expect_write_fail(&bad, "rrule");
	bad = ev;
	bad.start = (struct cal_ics_time){ .kind = CAL_ICS_ZONED, .tzid = "Mars/Base",
					   .local = { 2024, 1, 1, 9, 0, 0 } };
	expect_write_fail(&bad, "start");
	bad = ev;
	bad.end.utc -= 60;
	expect_write_fail(&bad, "end");
	struct cal_ics_alarm al = { .action = "PROCEDURE", .minutes_before = 5 };
	bad = ev;
	bad.alarms = &al;
	bad.n_alarms = 1;
	expect_write_fail(&bad, "alarms");
	bad = ev;
	bad.klass = "SECRET";
	expect_write_fail(&bad, "class");

	struct cal_ics_calendar cal = { .events = &ev, .n_events = 1 };
	struct strbuf small = STRBUF_INIT(100);
	cr_assert_eq(cal_ics_write(&cal, db, &small, NULL), CAL_E_TOO_LARGE);
	cr_assert_eq(small.len, 0);
	strbuf_release(&small);
}

/* ---- generated VTIMEZONEs --------------------------------------------------- */

struct zone_case {
	const char *zone;
	int year_first, year_last;
};

/* Zones with the shapes that matter: northern and southern DST, a 30-minute
 * DST (Lord Howe), negative DST (Dublin), none (Kolkata), DST abolished
 * (Sao Paulo 2019, Moscow 2011), Ramadan breaks (Casablanca), fixed dates
 * (Tehran until 2022), a Friday rule (Jerusalem). */
static const struct zone_case zone_cases[] = {
	{ "America/New_York", 2024, 2025 },   { "Australia/Sydney", 2024, 2024 },
	{ "Australia/Lord_Howe", 2023, 2024 }, { "Europe/Dublin", 2024, 2024 },
	{ "Asia/Kolkata", 2024, 2024 },        { "America/Sao_Paulo", 2016, 2021 },
	{ "Europe/Moscow", 2009, 2015 },       { "Africa/Casablanca", 2023, 2025 },
	{ "Asia/Tehran", 2019, 2023 },         { "Asia/Jerusalem", 2022, 2024 },
};

/* One event a month at 09:30 local in the zone over the years. */
static struct cal_ics_calendar zone_calendar(const struct zone_case *zc)
{
	const struct cal_tz *tz;
	cr_assert_eq(cal_tzdb_get(db, zc->zone, &tz), 0);
	size_t n = (size_t)(zc->year_last - zc->year_first + 1) * 12;
	struct cal_ics_event *ev = arena_calloc(A, n, sizeof(*ev));
	for (size_t i = 0; i < n; i++) {
		struct cal_civil c = { zc->year_first + (int)(i / 12), (int)(i % 12) + 1, 15, 9, 30, 0 };
		int64_t t;
		cr_assert_eq(cal_tz_local_to_utc(tz, &c, &t), 0);
		ev[i].uid = arena_printf(A, "%s-%zu", zc->zone, i);
		cr_assert_eq(cal_ics_time_make(CAL_ICS_ZONED, t, tz, &ev[i].start), 0);
		cr_assert_eq(cal_ics_time_make(CAL_ICS_ZONED, t + 3600, tz, &ev[i].end), 0);
	}
	return (struct cal_ics_calendar){ .events = ev, .n_events = n };
}

/* libical evaluates our VTIMEZONE; it must give the tz engine's offset
 * every 7 hours across the years. */
static void libical_agrees(const char *text, const struct zone_case *zc)
{
	icalcomponent *root = icalparser_parse_string(text);
	cr_assert(root);
	icalcomponent *vtz = icalcomponent_get_first_component(root, ICAL_VTIMEZONE_COMPONENT);
	cr_assert(vtz);
	icaltimezone *z = icaltimezone_new();
	cr_assert(icaltimezone_set_component(z, icalcomponent_new_clone(vtz)));
	const struct cal_tz *tz;
	cr_assert_eq(cal_tzdb_get(db, zc->zone, &tz), 0);
	int64_t from = utc(zc->year_first, 1, 1, 0, 0, 0), to = utc(zc->year_last + 1, 1, 1, 0, 0, 0);
	for (int64_t t = from; t < to; t += 7 * 3600) {
		int32_t want;
		cr_assert_eq(cal_tz_offset_at(tz, t, &want, NULL), 0);
		struct icaltimetype tt = icaltime_from_timet_with_zone((time_t)t, 0,
								       icaltimezone_get_utc_timezone());
		int got = icaltimezone_get_utc_offset_of_utc_time(z, &tt, NULL);
		cr_assert_eq(got, want, "%s at %lld: libical %d, tz engine %d", zc->zone,
			     (long long)t, got, want);
	}
	icaltimezone_free(z, 1);
	icalcomponent_free(root);
}

/* Our own matcher reads the VTIMEZONE back under a name nobody knows. */
static void matcher_agrees(const char *text, const struct cal_ics_calendar *cal,
			   const struct zone_case *zc)
{
	struct strbuf sb = STRBUF_INIT(1 << 24);
	char tzid_line[128], param[128];
	snprintf(tzid_line, sizeof(tzid_line), "TZID:%s\r\n", zc->zone);
	snprintf(param, sizeof(param), "TZID=%s:", zc->zone);
	for (const char *p = text; *p;) {
		const char *e = strstr(p, "\r\n") + 2;
		if (strncmp(p, "X-LIC-LOCATION:", 15) == 0) {
			/* dropped: it names the zone */
		} else if (strncmp(p, tzid_line, strlen(tzid_line)) == 0) {
			strbuf_puts(&sb, "TZID:Custom\r\n");
		} else {
			const char *q = strstr(p, param);
			if (q && q < e) {
				strbuf_add(&sb, p, (size_t)(q - p));
				strbuf_puts(&sb, "TZID=Custom:");
				strbuf_add(&sb, q + strlen(param), (size_t)(e - q - strlen(param)));
			} else {
				strbuf_add(&sb, p, (size_t)(e - p));
			}
		}
		p = e;
	}
	struct cal_ics_calendar back = parse_str(strbuf_str(&sb));
	strbuf_release(&sb);
	cr_assert_eq(back.n_events, cal->n_events);
	for (size_t i = 0; i < cal->n_events; i++) {
		cr_assert_eq(back.events[i].start.utc, cal->events[i].start.utc, "%s event %zu",
			     zc->zone, i);
		cr_assert_eq(back.events[i].end.utc, cal->events[i].end.utc);
	}
}

Test(ics, generated_vtimezones_are_right)
{
	for (size_t i = 0; i < CAL_ARRAY_SIZE(zone_cases); i++) {
		struct cal_ics_calendar cal = zone_calendar(&zone_cases[i]);
		char *text = write_ok(&cal);
		cr_assert_eq(count_lines(text, "BEGIN:VTIMEZONE"), 1);
		libical_agrees(text, &zone_cases[i]);
		matcher_agrees(text, &cal, &zone_cases[i]);
		python_check(text);
	}
}

/* Every zone of zone1970.tab, over the years around now, in libical's
 * reading. */
Test(ics, generated_vtimezones_for_every_zone, .timeout = 120)
{
	FILE *f = fopen("/usr/share/zoneinfo/zone1970.tab", "r");
	cr_assert(f);
	char line[512];
	int n = 0;
	while (fgets(line, sizeof(line), f)) {
		/* codes <TAB> coordinates <TAB> zone [<TAB> comment] */
		char *zone = strchr(line, '\t');
		zone = zone ? strchr(zone + 1, '\t') : NULL;
		if (line[0] == '#' || !zone++)
			continue;
		zone[strcspn(zone, "\t\n")] = '\0';
		const struct cal_tz *tz;
		if (cal_tzdb_get(db, zone, &tz) < 0)
			continue;
		struct zone_case zc = { zone, 2023, 2026 };
		struct cal_ics_calendar cal = zone_calendar(&zc);
		libical_agrees(write_ok(&cal), &zc);
		n++;
	}
	fclose(f);
	cr_assert_gt(n, 250);
}

Test(ics, vtimezone_shapes)
{
	struct cal_ics_calendar cal = zone_calendar(&zone_cases[4]); /* Kolkata */
	char *text = write_ok(&cal);
	cr_assert(strstr(text, "BEGIN:VTIMEZONE\r\nTZID:Asia/Kolkata\r\nX-LIC-LOCATION:Asia/Kolkata\r\n"
			       "BEGIN:STANDARD\r\nTZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\n"
			       "DTSTART:19700101T000000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"));
	cal = zone_calendar(&zone_cases[5]); /* Sao Paulo: DST ended in 2019 */
	text = write_ok(&cal);
	cr_assert(strstr(text, ";COUNT="), "%s", text);
	cal = zone_calendar(&zone_cases[7]); /* Casablanca: Ramadan breaks */
	text = write_ok(&cal);
	cr_assert(strstr(text, "\r\nRDATE:"), "%s", text);
	cal = zone_calendar(&zone_cases[0]);
	text = write_ok(&cal);
	cr_assert(strstr(text, "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n"));
	cr_assert(strstr(text, "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\n"));
}
