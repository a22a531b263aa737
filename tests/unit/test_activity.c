/* model/activity: names, the state a reader sees, dates in a zone, and
 * applying a client's input. */
#include <criterion/criterion.h>
#include <string.h>

#include "model/activity.h"
#include "model/time.h"

static const struct cal_limits lim = CAL_LIMITS_DEFAULT;

static int32_t day(const char *text)
{
	int32_t d;
	cr_assert_eq(cal_date_parse(text, &d), 0, "%s", text);
	return d;
}

static int64_t instant(const char *text)
{
	int64_t t;
	cr_assert_eq(cal_instant_parse(text, &t), 0, "%s", text);
	return t;
}

Test(activity, names_round_trip)
{
	for (int t = CAL_ACTIVITY_CALL; t <= CAL_ACTIVITY_TODO; t++)
		cr_assert_eq(cal_activity_type_parse(cal_activity_type_name((enum cal_activity_type)t)), t);
	for (int s = CAL_ACTIVITY_PLANNED; s <= CAL_ACTIVITY_DONE; s++)
		cr_assert_eq(cal_activity_state_parse(cal_activity_state_name((enum cal_activity_state)s)), s);
	cr_assert_str_eq(cal_activity_type_name(CAL_ACTIVITY_TODO), "todo");
	cr_assert_eq(cal_activity_type_parse("Meeting"), -1);
	cr_assert_eq(cal_activity_type_parse(NULL), -1);
	cr_assert_eq(cal_activity_state_parse("late"), -1);
}

Test(activity, state_compares_the_due_date_with_today)
{
	struct cal_activity act = { .due_date = day("2030-06-15") };
	cr_assert_eq(cal_activity_state_on(&act, day("2030-06-14")), CAL_ACTIVITY_PLANNED);
	cr_assert_eq(cal_activity_state_on(&act, day("2030-06-15")), CAL_ACTIVITY_TODAY);
	cr_assert_eq(cal_activity_state_on(&act, day("2030-06-16")), CAL_ACTIVITY_OVERDUE);
	act.done = true;
	cr_assert_eq(cal_activity_state_on(&act, day("2030-06-16")), CAL_ACTIVITY_DONE);
	cr_assert_eq(cal_activity_state_on(&act, day("2030-06-14")), CAL_ACTIVITY_DONE);
}

Test(activity, today_depends_on_the_zone)
{
	struct cal_tzdb *db;
	const struct cal_tz *akl, *mex, *utc;
	cr_assert_eq(cal_tzdb_new(NULL, &db), 0);
	cr_assert_eq(cal_tzdb_get(db, "Pacific/Auckland", &akl), 0);
	cr_assert_eq(cal_tzdb_get(db, "America/Mexico_City", &mex), 0);
	cr_assert_eq(cal_tzdb_get(db, "UTC", &utc), 0);
	int64_t now = instant("2030-06-15T14:00:00Z");
	int32_t d;
	cr_assert_eq(cal_activity_date_at(akl, now, &d), 0);
	cr_assert_eq(d, day("2030-06-16"));
	cr_assert_eq(cal_activity_date_at(mex, now, &d), 0);
	cr_assert_eq(d, day("2030-06-15"));
	cr_assert_eq(cal_activity_date_at(utc, instant("1969-12-31T23:59:59Z"), &d), 0);
	cr_assert_eq(d, -1, "before the epoch, days count down");
	/* One due date, three readers' states. */
	struct cal_activity act = { .due_date = day("2030-06-15") };
	cr_assert_eq(cal_activity_date_at(akl, now, &d), 0);
	cr_assert_eq(cal_activity_state_on(&act, d), CAL_ACTIVITY_OVERDUE);
	cr_assert_eq(cal_activity_date_at(mex, now, &d), 0);
	cr_assert_eq(cal_activity_state_on(&act, d), CAL_ACTIVITY_TODAY);
	cal_tzdb_free(db);
}

static struct cal_activity_input full_input(void)
{
	return (struct cal_activity_input){
		.has_type = true, .type = CAL_ACTIVITY_CALL,
		.has_summary = true, .summary = "Call Zoë",
		.has_note = true, .note = "line one\nline two",
		.has_due_date = true, .due_date = "2030-06-15",
		.has_res_model = true, .res_model = "crm.lead",
		.has_res_id = true, .res_id = "7F0C2A64-58D4-4F4E-9D0A-5B1DE1F0C001",
	};
}

static bool names_field(const struct cal_error *err, const char *field)
{
	for (unsigned i = 0; i < err->n_fields; i++)
		if (strcmp(err->fields[i].field, field) == 0)
			return true;
	return false;
}

Test(activity, apply_fills_a_new_activity)
{
	struct cal_activity act = { 0 };
	struct cal_error err = { 0 };
	struct cal_activity_input in = full_input();
	cr_assert_eq(cal_activity_apply(&act, &in, true, &lim, &err), 0);
	cr_assert_eq(act.type, CAL_ACTIVITY_CALL);
	cr_assert_str_eq(act.summary, "Call Zoë");
	cr_assert_str_eq(act.note, "line one\nline two");
	cr_assert_eq(act.due_date, day("2030-06-15"));
	cr_assert_str_eq(act.res_model, "crm.lead");

	in.note = "";
	cr_assert_eq(cal_activity_apply(&act, &in, false, &lim, &err), 0);
	cr_assert_null(act.note, "an empty note is no note");
}

Test(activity, create_needs_type_summary_date_and_record)
{
	struct cal_activity act = { 0 };
	struct cal_error err = { 0 };
	struct cal_activity_input in = { 0 };
	cr_assert_eq(cal_activity_apply(&act, &in, true, &lim, &err), CAL_E_INVALID);
	static const char *const want[] = { "activityType", "summary", "dueDate", "resModel", "resId" };
	cr_assert_eq(err.n_fields, 5);
	for (size_t i = 0; i < 5; i++)
		cr_assert_str_eq(err.fields[i].field, want[i]);

	/* A meeting given its start may leave the due date out. */
	err = (struct cal_error){ 0 };
	in = full_input();
	in.type = CAL_ACTIVITY_MEETING;
	in.has_due_date = false;
	in.has_start = in.has_end = true;
	in.start = "2030-06-15T09:00:00Z";
	in.end = "2030-06-15T10:00:00Z";
	cr_assert_eq(cal_activity_apply(&act, &in, true, &lim, &err), 0);
}

/* One bad field at a time, on an otherwise good creation. */
static void expect_refused(struct cal_activity_input in, bool creating, const char *field)
{
	struct cal_activity act = { 0 };
	struct cal_error err = { 0 };
	cr_assert_eq(cal_activity_apply(&act, &in, creating, &lim, &err), CAL_E_INVALID, "%s", field);
	cr_assert(names_field(&err, field), "%s not named (first: %s)", field,
		  err.n_fields ? err.fields[0].field : "none");
}

Test(activity, apply_refuses_bad_fields)
{
	char long_summary[300];
	memset(long_summary, 'x', sizeof long_summary - 1);
	long_summary[sizeof long_summary - 1] = '\0';
	struct cal_activity_input in;

	in = full_input(), in.summary = "";
	expect_refused(in, true, "summary");
	in = full_input(), in.summary = NULL;
	expect_refused(in, true, "summary");
	in = full_input(), in.summary = "two\nlines";
	expect_refused(in, true, "summary");
	in = full_input(), in.summary = long_summary;
	expect_refused(in, true, "summary");
	in = full_input(), in.note = "\x01";
	expect_refused(in, true, "note");
	in = full_input(), in.due_date = "2030-02-30";
	expect_refused(in, true, "dueDate");
	in = full_input(), in.due_date = NULL;
	expect_refused(in, true, "dueDate");
	in = full_input(), in.res_model = "CRM.Lead";
	expect_refused(in, true, "resModel");
	in = full_input(), in.res_model = NULL;
	expect_refused(in, true, "resModel");
	in = full_input(), in.res_id = "42";
	expect_refused(in, true, "resId");
	/* Meeting times: for meetings, together, and only on creation. */
	in = full_input(), in.has_start = in.has_end = true, in.start = in.end = "2030-06-15T09:00:00Z";
	expect_refused(in, true, "startDatetime");
	in = full_input(), in.type = CAL_ACTIVITY_MEETING, in.has_start = true, in.start = "2030-06-15T09:00:00Z";
	expect_refused(in, true, "endDatetime");
	in = (struct cal_activity_input){ .has_timezone = true, .timezone = "Europe/Madrid" };
	expect_refused(in, false, "timezone");
}
