/* Paging cursors. */
#include "service/cursor.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"

/* A key, a colon and an occurrence id (the longest id a list pages by). */
enum { CURSOR_RAW_MAX = 96 };

const char *cursor_encode(struct arena *a, int64_t key, const char *id)
{
	char raw[CURSOR_RAW_MAX];
	int n = snprintf(raw, sizeof raw, "%" PRId64 ":%s", key, id);
	if (n < 0 || (size_t)n >= sizeof raw)
		return NULL;
	size_t len = sodium_base64_ENCODED_LEN((size_t)n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = arena_alloc(a, len);
	if (!out)
		return NULL;
	return sodium_bin2base64(out, len, (const unsigned char *)raw, (size_t)n,
				 sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int cursor_decode(struct arena *a, const char *text, int64_t *ret_key, const char **ret_id)
{
	unsigned char raw[CURSOR_RAW_MAX];
	size_t len = 0;
	if (strlen(text) > 2 * CURSOR_RAW_MAX ||
	    sodium_base642bin(raw, sizeof raw - 1, text, strlen(text), NULL, &len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return CAL_E_INVALID;
	raw[len] = '\0';
	char *colon = strchr((char *)raw, ':');
	if (!colon)
		return CAL_E_INVALID;
	*colon = '\0';
	char *end;
	long long key = strtoll((char *)raw, &end, 10);
	if (*end || end == (char *)raw)
		return CAL_E_INVALID;
	const char *id = arena_strdup(a, colon + 1);
	if (!id)
		return CAL_E_NOMEM;
	*ret_key = key;
	*ret_id = id;
	return 0;
}
