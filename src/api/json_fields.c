/* Strict JSON field readers. */
#include "api/json_fields.h"

#include <string.h>

bool json_only_fields(json_t *obj, const char *const *allowed, const char *prefix,
		      struct arena *a, struct cal_error *err)
{
	const char *key;
	json_t *value;
	json_object_foreach(obj, key, value)
	{
		bool ok = false;
		for (const char *const *k = allowed; *k && !ok; k++)
			ok = strcmp(*k, key) == 0;
		if (!ok) {
			const char *name = prefix ? arena_printf(a, "%s.%s", prefix, key) : arena_strdup(a, key);
			cal_error_field(err, name ? name : "body", "is not a known field");
			return false;
		}
	}
	return true;
}

bool json_opt_string(json_t *obj, const char *key, const char *field, bool *present,
		     const char **ret, struct cal_error *err)
{
	json_t *v = json_object_get(obj, key);
	*present = v != NULL;
	if (!v)
		return true;
	if (json_is_null(v)) {
		*ret = NULL;
		return true;
	}
	if (!json_is_string(v)) {
		cal_error_field(err, field, "must be a string");
		return false;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		cal_error_field(err, field, "must not contain NUL characters");
		return false;
	}
	*ret = json_string_value(v);
	return true;
}

bool json_opt_bool(json_t *obj, const char *key, bool *present, bool *ret, struct cal_error *err)
{
	json_t *v = json_object_get(obj, key);
	*present = v != NULL;
	if (!v)
		return true;
	if (!json_is_boolean(v)) {
		cal_error_field(err, key, "must be true or false");
		return false;
	}
	*ret = json_is_true(v);
	return true;
}

bool json_opt_int(json_t *obj, const char *key, const char *field, long long min, long long max,
		  bool *present, long long *ret, struct cal_error *err)
{
	json_t *v = json_object_get(obj, key);
	*present = v != NULL;
	if (!v)
		return true;
	/* Bodies are decoded with integers as reals, so a number too big for
	 * an integer is still a number here and gets a field error. */
	double d = json_number_value(v);
	if (!json_is_number(v) || d != (double)(long long)d || d < (double)min || d > (double)max) {
		cal_error_field(err, field, "must be an integer in range");
		return false;
	}
	*ret = (long long)d;
	return true;
}

bool json_opt_enum(json_t *obj, const char *key, const char *field, int (*parse)(const char *),
		   const char *expected, bool *present, int *ret, struct cal_error *err)
{
	json_t *v = json_object_get(obj, key);
	*present = v != NULL;
	if (!v)
		return true;
	int value = json_is_string(v) ? parse(json_string_value(v)) : -1;
	if (value < 0) {
		cal_error_field(err, field, expected);
		return false;
	}
	*ret = value;
	return true;
}

unsigned json_depth(json_t *v)
{
	unsigned deepest = 0;
	if (json_is_object(v)) {
		const char *key;
		json_t *child;
		json_object_foreach(v, key, child)
		{
			unsigned d = json_depth(child);
			if (d > deepest)
				deepest = d;
		}
		return deepest + 1;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *child;
		json_array_foreach(v, i, child)
		{
			unsigned d = json_depth(child);
			if (d > deepest)
				deepest = d;
		}
		return deepest + 1;
	}
	return 0;
}
