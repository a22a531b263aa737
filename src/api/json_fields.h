/* Strict reading of JSON request bodies: every field is typed, unknown
 * fields are errors naming the field, and a failure leaves a field error in
 * the request's cal_error. Shared by every resource's parser. */
#ifndef CAL_API_JSON_FIELDS_H
#define CAL_API_JSON_FIELDS_H

#include <jansson.h>
#include <stdbool.h>

#include "base/arena.h"
#include "base/errors.h"

/* Checks that every key of `obj` is in `allowed` (NULL-terminated); the
 * first unknown key becomes a field error with `prefix` (may be NULL). */
bool json_only_fields(json_t *obj, const char *const *allowed, const char *prefix,
		      struct arena *a, struct cal_error *err);
/* A string or null field: *ret = NULL for null. Returns false (and records
 * an error) for other types. Absent: *present=false. */
bool json_opt_string(json_t *obj, const char *key, const char *field, bool *present,
		     const char **ret, struct cal_error *err);
bool json_opt_bool(json_t *obj, const char *key, bool *present, bool *ret, struct cal_error *err);
bool json_opt_int(json_t *obj, const char *key, const char *field, long long min, long long max,
		  bool *present, long long *ret, struct cal_error *err);
/* An enum by name via `parse` (returns <0 for unknown names). */
bool json_opt_enum(json_t *obj, const char *key, const char *field, int (*parse)(const char *),
		   const char *expected, bool *present, int *ret, struct cal_error *err);
/* Depth of nesting (1 for a flat object). */
unsigned json_depth(json_t *v);

#endif
