/* Appointment types: admins' CRUD and the public listing. */
#include <string.h>

#include "service/appointments_internal.h"
#include "service/tx.h"

static bool is_admin(const struct cal_principal *who) { return who && who->role == CAL_USER_ADMIN; }

/* The defaults of docs/internals/appointments.md. */
static void type_defaults(struct cal_appointment_type *t, const struct cal_principal *who)
{
	t->timezone = who->timezone ? who->timezone : "America/Mexico_City";
	t->duration_minutes = 30;
	t->schedule_range_days = 30;
	t->min_booking_hours = 24;
	t->cancel_hours_before = 24;
	t->reminder_hours_before = 24;
	t->assignment = CAL_ASSIGN_AUTO;
	t->allow_reschedule = t->allow_cancel = true;
	t->confirmation_email = t->reminder_email = true;
	t->active = true;
}

/* Copies the fields that came onto `t`. */
static void type_apply(struct cal_appointment_type *t, const struct appointment_type_input *in)
{
	const struct cal_appointment_type *v = &in->v;
	const bool *has = in->has;
#define TAKE(f, field) \
	if (has[f])    \
	t->field = v->field
	TAKE(AF_NAME, name);
	TAKE(AF_DESCRIPTION, description);
	TAKE(AF_LOCATION, location);
	TAKE(AF_SLUG, slug);
	TAKE(AF_TIMEZONE, timezone);
	TAKE(AF_DURATION, duration_minutes);
	TAKE(AF_INTERVAL, slot_interval_minutes);
	TAKE(AF_BUFFER_BEFORE, buffer_before_minutes);
	TAKE(AF_BUFFER_AFTER, buffer_after_minutes);
	TAKE(AF_RANGE_DAYS, schedule_range_days);
	TAKE(AF_MIN_HOURS, min_booking_hours);
	TAKE(AF_CANCEL_HOURS, cancel_hours_before);
	TAKE(AF_REMINDER_HOURS, reminder_hours_before);
	TAKE(AF_MAX_PER_DAY, max_bookings_per_day);
	TAKE(AF_AVAILABILITY, availability);
	TAKE(AF_ASSIGNMENT, assignment);
	TAKE(AF_ALLOW_RESCHEDULE, allow_reschedule);
	TAKE(AF_ALLOW_CANCEL, allow_cancel);
	TAKE(AF_CONFIRMATION_EMAIL, confirmation_email);
	TAKE(AF_REMINDER_EMAIL, reminder_email);
	TAKE(AF_CREATE_OPPORTUNITY, create_opportunity);
	TAKE(AF_PUBLISHED, is_published);
#undef TAKE
}

/* The assignees as sent: users of the type's company, each once. */
static int resolve_assignees(struct store_conn *c, struct arena *a,
			     const struct appointment_type_input *in, struct cal_appointment_type *t,
			     struct cal_error *err)
{
	if (in->n_assignee_ids == 0 || in->n_assignee_ids > CAL_ASSIGNEES_MAX)
		return cal_error_field(err, "assigneeIds", "must list 1 to 64 users of the company");
	cal_uuid *ids = arena_calloc(a, in->n_assignee_ids, sizeof *ids);
	if (!ids)
		return CAL_E_NOMEM;
	for (size_t i = 0; i < in->n_assignee_ids; i++) {
		struct cal_user u;
		int r = cal_uuid_valid(in->assignee_ids[i])
				? store_user_get(c, a, in->assignee_ids[i], &u)
				: CAL_E_NOT_FOUND;
		if (r == CAL_E_NOT_FOUND || (r == 0 && strcmp(u.company_id.s, t->company_id.s) != 0))
			return cal_error_field(err, "assigneeIds", "names someone who is not a user of this company");
		if (r < 0)
			return r;
		for (size_t k = 0; k < i; k++)
			if (strcmp(ids[k].s, u.id.s) == 0)
				return cal_error_field(err, "assigneeIds", "names a user twice");
		ids[i] = u.id;
	}
	t->assignee_ids = ids;
	t->n_assignees = in->n_assignee_ids;
	t->assignee_names = NULL; /* read back after the write */
	t->assignee_busy_versions = NULL;
	return 0;
}

/* Every rule of a complete type; CAL_E_INVALID with every bad field. */
static int type_check(struct app *app, const struct cal_appointment_type *t, struct cal_error *err)
{
	int r = cal_appointment_type_check(t, err);
	const struct cal_tz *tz;
	if (!t->timezone || !cal_tz_name_valid(t->timezone) || cal_tzdb_get(app->tzdb, t->timezone, &tz) < 0)
		r = cal_error_field(err, "timezone", "is not a known IANA time zone, e.g. America/Mexico_City");
	if (cal_availability_empty(&t->availability) && t->is_published)
		r = cal_error_field(err, "availability", "a published type needs some availability");
	return r;
}

struct type_ctx {
	struct app *app;
	struct arena *arena;
	const struct cal_principal *who;
	const struct appointment_type_input *in;
	const char *id;
	struct if_match match;
	struct cal_error *err;
	struct cal_appointment_type *view;
	bool deleting;
};

static int create_body(struct store_conn *c, void *ctx_)
{
	struct type_ctx *ctx = ctx_;
	struct cal_appointment_type *t = arena_calloc(ctx->arena, 1, sizeof *t);
	if (!t)
		return CAL_E_NOMEM;
	type_defaults(t, ctx->who);
	cal_uuid_new(&t->id);
	t->company_id = ctx->who->company_id;
	type_apply(t, ctx->in);
	t->created_at = t->updated_at = cal_clock_now(&ctx->app->clock);
	t->version = 1;
	int ra = ctx->in->has[AF_ASSIGNEES] ? resolve_assignees(c, ctx->arena, ctx->in, t, ctx->err)
					   : cal_error_field(ctx->err, "assigneeIds", "is required");
	if (ra < 0 && ra != CAL_E_INVALID)
		return ra;
	int r = ra < 0 ? 0 : type_check(ctx->app, t, ctx->err);
	if (!ctx->in->has[AF_NAME])
		r = cal_error_field(ctx->err, "name", "is required");
	if (!ctx->in->has[AF_AVAILABILITY])
		r = cal_error_field(ctx->err, "availability", "is required");
	if (r < 0 || ra < 0)
		return CAL_E_INVALID;
	r = store_appointment_type_insert(c, t);
	if (r == CAL_E_EXISTS)
		return cal_error_set(ctx->err, CAL_E_EXISTS, "another appointment type of the company has this slug");
	/* Read back: the assignees' names (and versions) come with the row. */
	return r < 0 ? r : store_appointment_type_get(c, ctx->arena, t->id.s, ctx->view);
}

int appointment_type_create(struct app *app, struct arena *a, const struct cal_principal *who,
			    const struct appointment_type_input *in, struct cal_error *err,
			    struct cal_appointment_type *ret)
{
	if (!is_admin(who))
		return cal_error_set(err, CAL_E_FORBIDDEN, "only company admins manage appointment types");
	struct type_ctx ctx = { .app = app, .arena = a, .who = who, .in = in, .err = err, .view = ret };
	return tx_run(app, true, create_body, &ctx);
}

/* An active type of the caller's company. */
static int load_type(struct store_conn *c, struct type_ctx *ctx, struct cal_appointment_type *ret)
{
	struct cal_appointment_type t;
	int r = store_appointment_type_get(c, ctx->arena, ctx->id, &t);
	if (r < 0)
		return r;
	if (!t.active || strcmp(t.company_id.s, ctx->who->company_id.s) != 0)
		return CAL_E_NOT_FOUND;
	if (ctx->match.present && ctx->match.version != t.version)
		return cal_error_set(ctx->err, CAL_E_PRECONDITION, "the appointment type changed since you read it");
	*ret = t;
	return 0;
}

static int get_body(struct store_conn *c, void *ctx_)
{
	struct type_ctx *ctx = ctx_;
	return load_type(c, ctx, ctx->view);
}

int appointment_type_get(struct app *app, struct arena *a, const struct cal_principal *who,
			 const char *id, struct cal_error *err, struct cal_appointment_type *ret)
{
	struct type_ctx ctx = { .app = app, .arena = a, .who = who, .id = id, .err = err, .view = ret };
	return tx_run(app, false, get_body, &ctx);
}

static int update_body(struct store_conn *c, void *ctx_)
{
	struct type_ctx *ctx = ctx_;
	struct cal_appointment_type *t = arena_alloc(ctx->arena, sizeof *t);
	if (!t)
		return CAL_E_NOMEM;
	int r = load_type(c, ctx, t);
	if (r < 0)
		return r;
	int64_t expected = t->version;
	if (ctx->deleting) {
		t->active = false;
	} else {
		type_apply(t, ctx->in);
		int ra = ctx->in->has[AF_ASSIGNEES] ? resolve_assignees(c, ctx->arena, ctx->in, t, ctx->err) : 0;
		if (ra < 0 && ra != CAL_E_INVALID)
			return ra;
		r = ra < 0 ? 0 : type_check(ctx->app, t, ctx->err);
		if (r < 0 || ra < 0)
			return CAL_E_INVALID;
	}
	t->version = expected + 1;
	t->updated_at = cal_clock_now(&ctx->app->clock);
	r = store_appointment_type_update(c, t, expected);
	if (r == CAL_E_EXISTS)
		return cal_error_set(ctx->err, CAL_E_EXISTS, "another appointment type of the company has this slug");
	if (r == CAL_E_PRECONDITION)
		return cal_error_set(ctx->err, r, "the appointment type changed since you read it");
	if (r < 0 || ctx->deleting)
		return r;
	return store_appointment_type_get(c, ctx->arena, t->id.s, ctx->view);
}

int appointment_type_update(struct app *app, struct arena *a, const struct cal_principal *who,
			    const char *id, const struct appointment_type_input *in,
			    struct if_match match, struct cal_error *err,
			    struct cal_appointment_type *ret)
{
	if (!is_admin(who))
		return cal_error_set(err, CAL_E_FORBIDDEN, "only company admins manage appointment types");
	struct type_ctx ctx = { .app = app, .arena = a, .who = who, .in = in, .id = id,
				.match = match, .err = err, .view = ret };
	return tx_run(app, true, update_body, &ctx);
}

int appointment_type_delete(struct app *app, struct arena *a, const struct cal_principal *who,
			    const char *id, struct if_match match, struct cal_error *err)
{
	if (!is_admin(who))
		return cal_error_set(err, CAL_E_FORBIDDEN, "only company admins manage appointment types");
	struct type_ctx ctx = { .app = app, .arena = a, .who = who, .id = id, .match = match,
				.err = err, .deleting = true };
	return tx_run(app, true, update_body, &ctx);
}

struct list_ctx {
	struct arena *arena;
	const struct cal_principal *who;
	const char *slug;
	struct cal_appointment_type *items;
	size_t n;
};

static int list_body(struct store_conn *c, void *ctx_)
{
	struct list_ctx *ctx = ctx_;
	const char *company_id = ctx->who ? ctx->who->company_id.s : NULL;
	struct cal_company co;
	if (!ctx->who) {
		int r = store_company_get_by_slug(c, ctx->arena, ctx->slug, &co);
		if (r == CAL_E_NOT_FOUND) {
			ctx->n = 0;
			return 0;
		}
		if (r < 0)
			return r;
		company_id = co.id.s;
	}
	return store_appointment_types_list(c, ctx->arena, company_id, !ctx->who, &ctx->items, &ctx->n);
}

int appointment_types_list(struct app *app, struct arena *a, const struct cal_principal *who,
			   const char *company_slug, struct cal_error *err,
			   struct cal_appointment_type **ret, size_t *ret_n)
{
	if (!who && (!company_slug || !*company_slug))
		return cal_error_field(err, "companySlug", "is required without a login");
	struct list_ctx ctx = { .arena = a, .who = who, .slug = company_slug };
	int r = tx_run(app, false, list_body, &ctx);
	if (r < 0)
		return r;
	*ret = ctx.items;
	*ret_n = ctx.n;
	return 0;
}

int appointment_load_public(struct store_conn *c, struct arena *a, const char *id,
			    struct cal_appointment_type *ret)
{
	int r = store_appointment_type_get(c, a, id, ret);
	if (r == 0 && (!ret->active || !ret->is_published))
		return CAL_E_NOT_FOUND;
	return r;
}

struct public_ctx {
	struct arena *arena;
	const char *id;
	struct cal_appointment_type *view;
};

static int public_body(struct store_conn *c, void *ctx_)
{
	struct public_ctx *ctx = ctx_;
	return appointment_load_public(c, ctx->arena, ctx->id, ctx->view);
}

int appointment_type_public(struct app *app, struct arena *a, const char *id,
			    struct cal_error *err, struct cal_appointment_type *ret)
{
	(void)err;
	struct public_ctx ctx = { .arena = a, .id = id, .view = ret };
	return tx_run(app, false, public_body, &ctx);
}
