/* One error type for the whole program: functions return 0 on success or a
 * negative CAL_E_* code from errors.def. The HTTP status, the stable machine
 * code and the title all come from that table, so api/ never invents them.
 * Field-level validation detail travels in struct cal_error (see below). */
#ifndef CAL_BASE_ERRORS_H
#define CAL_BASE_ERRORS_H

enum cal_errno {
	CAL_OK = 0,
	CAL_E__FIRST = -1000,
#define CAL_ERROR(sym, status, code, title) sym,
#include "base/errors.def"
#undef CAL_ERROR
	CAL_E__LAST
};

/* For a negative CAL_E_* value; anything else maps to CAL_E_INTERNAL. */
int cal_error_status(int err);
const char *cal_error_code(int err);
const char *cal_error_title(int err);

enum { CAL_ERROR_MAX_FIELDS = 16 };

/* What went wrong, for the client: a detail sentence and the offending
 * fields. Strings are owned by the request arena or static; an error value
 * never owns memory itself. */
struct cal_error {
	int code; /* CAL_E_*, 0 when unset */
	const char *detail;
	unsigned n_fields;
	struct {
		const char *field;
		const char *detail;
	} fields[CAL_ERROR_MAX_FIELDS];
};

/* Records one bad field; returns CAL_E_INVALID so callers can write
 * `return cal_error_field(err, "name", "is required");`. Extra fields past
 * the cap are dropped (the first ones are the useful ones). */
int cal_error_field(struct cal_error *err, const char *field, const char *detail);
/* Sets code and detail unless an earlier, more specific error is there. */
int cal_error_set(struct cal_error *err, int code, const char *detail);

#endif
