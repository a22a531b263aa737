/* The errors.def table turned into lookups. */
#include "base/errors.h"

struct error_row {
	int status;
	const char *code;
	const char *title;
};

static const struct error_row error_rows[] = {
#define CAL_ERROR(sym, status, code, title) [sym - CAL_E__FIRST - 1] = { status, code, title },
#include "base/errors.def"
#undef CAL_ERROR
};

static const struct error_row *error_row(int err)
{
	if (err <= CAL_E__FIRST || err >= CAL_E__LAST)
		err = CAL_E_INTERNAL;
	return &error_rows[err - CAL_E__FIRST - 1];
}

int cal_error_status(int err) { return error_row(err)->status; }
const char *cal_error_code(int err) { return error_row(err)->code; }
const char *cal_error_title(int err) { return error_row(err)->title; }

int cal_error_field(struct cal_error *err, const char *field, const char *detail)
{
	if (!err)
		return CAL_E_INVALID;
	if (err->code == 0)
		err->code = CAL_E_INVALID;
	if (err->n_fields < CAL_ERROR_MAX_FIELDS) {
		err->fields[err->n_fields].field = field;
		err->fields[err->n_fields].detail = detail;
		err->n_fields++;
	}
	return CAL_E_INVALID;
}

int cal_error_set(struct cal_error *err, int code, const char *detail)
{
	if (err && err->code == 0) {
		err->code = code;
		err->detail = detail;
	}
	return code;
}
