/* model/event: applying input and the rules of a valid event. */
#include <criterion/criterion.h>
#include <string.h>

#include "model/event.h"
#include "model/time.h"

static struct cal_tzdb *db;
static const struct cal_tz *mx;
static const struct cal_limits lim = CAL_LIMITS_DEFAULT;

static void setup(void)
{
	cr_assert_eq(cal_tzdb_new(NULL, &db), 0);
	cr_assert_eq(cal_tzdb_get(db, "America/Mexico_City", &mx), 0);
}

static void teardown(void) { cal_tzdb_free(db); }

TestSuite(event, .init = setup, .fini = teardown);

static struct cal_event_input timed(const char *name, const char *start, const char *end)
{
	return (struct cal_event_input){ .has_name = true, .name = name, .has_start = true,
					 .start = start, .has_end = true, .end = end };
}

Test(event, create_needs_name_and_both_times)
{
	struct cal_event e = { 0 };
	struct cal_error err = { 0 };
	struct cal_event_input in = { 0 };
	cr_assert_eq(cal_event_apply(&e, &in, true, mx, &lim, &err), CAL_E_INVALID);
	cr_assert_eq(err.n_fields, 3);
	cr_assert_str_eq(err.fields[0].field, "name");
	cr_assert_str_eq(err.fields[1].field, "startDatetime");
	cr_assert_str_eq(err.fields[2].field, "endDatetime");
}

Test(event, end_before_start_names_end)
{
	struct cal_event e = { 0 };
	struct cal_error err = { 0 };
	struct cal_event_input in = timed("x", "2026-07-01T10:00:00Z", "2026-07-01T09:00:00Z");
	cr_assert_eq(cal_event_apply(&e, &in, true, mx, &lim, &err), CAL_E_INVALID);
	cr_assert_str_eq(err.fields[0].field, "endDatetime");
}

Test(event, zero_length_is_allowed_for_timed_events)
{
	struct cal_event e = { 0 };
	struct cal_error err = { 0 };
	struct cal_event_input in = timed("x", "2026-07-01T10:00:00Z", "2026-07-01T10:00:00Z");
	cr_assert_eq(cal_event_apply(&e, &in, true, mx, &lim, &err), 0);
	cr_assert_eq(e.start, e.end);
}

Test(event, all_day_takes_dates_with_exclusive_end)
{
	struct cal_event e = { 0 };
	struct cal_error err = { 0 };
	struct cal_event_input in = timed("Holiday", "2026-12-24", "2026-12-26");
	in.has_all_day = in.all_day = true;
	cr_assert_eq(cal_event_apply(&e, &in, true, mx, &lim, &err), 0);
	cr_assert(e.all_day);
	char s[CAL_INSTANT_TEXT];
	cal_instant_format(e.start, s);
	cr_assert_str_eq(s, "2026-12-24T06:00:00Z");
	cr_assert_eq(e.end_date - e.start_date, 2);

	struct cal_event same = { 0 };
	struct cal_error err2 = { 0 };
	struct cal_event_input empty = timed("x", "2026-12-24", "2026-12-24");
	empty.has_all_day = empty.all_day = true;
	cr_assert_eq(cal_event_apply(&same, &empty, true, mx, &lim, &err2), CAL_E_INVALID);
	cr_assert_str_eq(err2.fields[0].field, "endDatetime");
}

Test(event, all_day_rejects_instants_and_timed_rejects_dates)
{
	struct cal_event e = { 0 };
	struct cal_error err = { 0 };
	struct cal_event_input in = timed("x", "2026-12-24T00:00:00Z", "2026-12-25T00:00:00Z");
	in.has_all_day = in.all_day = true;
	cr_assert_eq(cal_event_apply(&e, &in, true, mx, &lim, &err), CAL_E_INVALID);
	struct cal_event t = { 0 };
	struct cal_error err2 = { 0 };
	struct cal_event_input in2 = timed("x", "2026-12-24", "2026-12-25");
	cr_assert_eq(cal_event_apply(&t, &in2, true, mx, &lim, &err2), CAL_E_INVALID);
	cr_assert_str_eq(err2.fields[0].field, "startDatetime");
}

Test(event, switching_to_all_day_needs_both_times)
{
	struct cal_event e = { 0 };
	struct cal_error err = { 0 };
	struct cal_event_input in = timed("x", "2026-07-01T10:00:00Z", "2026-07-01T11:00:00Z");
	cr_assert_eq(cal_event_apply(&e, &in, true, mx, &lim, &err), 0);
	struct cal_event_input patch = { .has_all_day = true, .all_day = true };
	struct cal_error err2 = { 0 };
	cr_assert_eq(cal_event_apply(&e, &patch, false, mx, &lim, &err2), CAL_E_INVALID);
	cr_assert_str_eq(err2.fields[0].field, "allDay");
}

Test(event, text_limits_and_control_characters)
{
	char long_name[300];
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	cr_assert_not(cal_text_ok(long_name, 255, false));
	cr_assert(cal_text_ok("Café ☕ reunión", 14, false));
	cr_assert_not(cal_text_ok("Café ☕ reunión", 13, false));
	cr_assert_not(cal_text_ok("two\nlines", 255, false));
	cr_assert(cal_text_ok("two\nlines", 255, true));
	cr_assert_not(cal_text_ok("bell\a", 255, true));
	cr_assert_not(cal_text_ok("\xc3\x28", 255, true)); /* broken UTF-8 */
	cr_assert_not(cal_text_ok("\xc0\xaf", 255, true)); /* overlong */
	cr_assert(cal_text_ok("x'); DROP TABLE calendar_events;--", 255, false));
}

Test(event, email_and_res_model_checks)
{
	cr_assert(cal_email_ok("ana@acme.test", 254));
	cr_assert_not(cal_email_ok("ana", 254));
	cr_assert_not(cal_email_ok("ana@acme", 254));
	cr_assert_not(cal_email_ok("a b@acme.test", 254));
	cr_assert_not(cal_email_ok("a@b@acme.test", 254));
	cr_assert_not(cal_email_ok("ana@acme.test\r\nBcc: x@y.z", 254));
	cr_assert(cal_res_model_ok("crm.lead", 100));
	cr_assert_not(cal_res_model_ok("CRM.Lead", 100));
	cr_assert_not(cal_res_model_ok("crm.lead;--", 100));
	cr_assert_not(cal_res_model_ok(".crm", 100));
}

Test(event, res_model_and_res_id_go_together)
{
	struct cal_event e = { 0 };
	struct cal_error err = { 0 };
	struct cal_event_input in = timed("x", "2026-07-01T10:00:00Z", "2026-07-01T11:00:00Z");
	in.has_res_model = true;
	in.res_model = "crm.lead";
	cr_assert_eq(cal_event_apply(&e, &in, true, mx, &lim, &err), CAL_E_INVALID);
	cr_assert_str_eq(err.fields[0].field, "resId");
}

Test(event, alarms_are_bounded)
{
	struct cal_alarm alarms[2] = {
		{ .type = CAL_ALARM_EMAIL, .interval_value = 4, .interval_unit = CAL_UNIT_WEEKS },
		{ .type = CAL_ALARM_SMS, .interval_value = 29, .interval_unit = CAL_UNIT_DAYS },
	};
	cr_assert_eq(cal_alarm_minutes(&alarms[0]), 4 * 7 * 24 * 60);
	struct cal_event e = { 0 };
	struct cal_error err = { 0 };
	struct cal_event_input in = timed("x", "2026-07-01T10:00:00Z", "2026-07-01T11:00:00Z");
	in.has_alarms = true;
	in.alarms = alarms;
	in.n_alarms = 2;
	cr_assert_eq(cal_event_apply(&e, &in, true, mx, &lim, &err), CAL_E_INVALID);
	cr_assert_str_eq(err.fields[0].field, "alarms");
}

Test(event, enum_names_round_trip)
{
	cr_assert_eq(cal_privacy_parse(cal_privacy_name(CAL_PRIVACY_CONFIDENTIAL)), CAL_PRIVACY_CONFIDENTIAL);
	cr_assert_eq(cal_role_parse("required"), CAL_ROLE_REQUIRED);
	cr_assert_eq(cal_role_parse("optional"), CAL_ROLE_OPTIONAL);
	cr_assert_eq(cal_role_parse("opt_participant"), CAL_ROLE_OPTIONAL);
	cr_assert_eq(cal_role_parse("boss"), -1);
	cr_assert_eq(cal_partstat_parse("accepted"), CAL_PARTSTAT_ACCEPTED);
	cr_assert_eq(cal_show_as_parse(NULL), -1);
}

Test(event, dedupe_merges_by_email_keeping_the_strongest_role)
{
	struct cal_attendee list[4] = {
		{ .email = "ana@a.test", .role = CAL_ROLE_CHAIR, .user_id = "u1" },
		{ .email = "bob@a.test", .role = CAL_ROLE_OPTIONAL },
		{ .email = "ana@a.test", .role = CAL_ROLE_REQUIRED },
		{ .email = "bob@a.test", .role = CAL_ROLE_REQUIRED, .partner_id = "p1" },
	};
	size_t n = cal_attendees_dedupe(list, 4);
	cr_assert_eq(n, 2);
	cr_assert_eq(list[0].role, CAL_ROLE_CHAIR);
	cr_assert_eq(list[1].role, CAL_ROLE_REQUIRED);
	cr_assert_str_eq(list[1].partner_id, "p1");
}
