/* model/acl: the privacy rules, exhaustively over (viewer, privacy). */
#include <criterion/criterion.h>
#include <string.h>

#include "model/acl.h"

static struct cal_principal person(const char *user, const char *company, bool admin)
{
	struct cal_principal p = { .role = admin ? CAL_USER_ADMIN : CAL_USER_MEMBER };
	cal_uuid_parse(user, &p.user_id);
	cal_uuid_parse(company, &p.company_id);
	return p;
}

#define CO_A "aaaaaaaa-0000-4000-8000-000000000000"
#define CO_B "bbbbbbbb-0000-4000-8000-000000000000"
#define ORG "00000000-0000-4000-8000-000000000001"
#define ATT "00000000-0000-4000-8000-000000000002"
#define COL "00000000-0000-4000-8000-000000000003"
#define ADM "00000000-0000-4000-8000-000000000004"
#define OUT "00000000-0000-4000-8000-000000000005"

static struct cal_attendee attendees[2] = {
	{ .user_id = ORG, .email = "org@a.test", .role = CAL_ROLE_CHAIR },
	{ .user_id = ATT, .email = "att@a.test" },
};

static struct cal_event event_with(enum cal_privacy privacy)
{
	struct cal_event e = { .privacy = privacy, .attendees = attendees, .n_attendees = 2 };
	cal_uuid_parse(CO_A, &e.company_id);
	cal_uuid_parse(ORG, &e.organizer_id);
	return e;
}

Test(acl, matrix)
{
	struct {
		struct cal_principal who;
		enum cal_view expect[3]; /* public, private, confidential */
		bool modify;
	} rows[] = {
		{ person(ORG, CO_A, false), { CAL_VIEW_FULL, CAL_VIEW_FULL, CAL_VIEW_FULL }, true },
		{ person(ATT, CO_A, false), { CAL_VIEW_FULL, CAL_VIEW_FULL, CAL_VIEW_FULL }, false },
		{ person(COL, CO_A, false), { CAL_VIEW_FULL, CAL_VIEW_BUSY, CAL_VIEW_NONE }, false },
		{ person(ADM, CO_A, true), { CAL_VIEW_FULL, CAL_VIEW_BUSY, CAL_VIEW_NONE }, true },
		{ person(OUT, CO_B, false), { CAL_VIEW_NONE, CAL_VIEW_NONE, CAL_VIEW_NONE }, false },
		/* An admin of another company is nobody here. */
		{ person(OUT, CO_B, true), { CAL_VIEW_NONE, CAL_VIEW_NONE, CAL_VIEW_NONE }, false },
	};
	for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++)
		for (int p = 0; p < 3; p++) {
			struct cal_event e = event_with((enum cal_privacy)p);
			cr_assert_eq(cal_acl_view(&rows[r].who, &e), rows[r].expect[p], "row %zu privacy %d", r, p);
			cr_assert_eq(cal_acl_can_modify(&rows[r].who, &e), rows[r].modify, "row %zu", r);
		}
}

Test(acl, an_email_only_attendee_is_not_a_user)
{
	struct cal_attendee only_email[1] = { { .email = "col@a.test" } };
	struct cal_event e = event_with(CAL_PRIVACY_CONFIDENTIAL);
	e.attendees = only_email;
	e.n_attendees = 1;
	struct cal_principal col = person(COL, CO_A, false);
	cr_assert_eq(cal_acl_view(&col, &e), CAL_VIEW_NONE);
}
