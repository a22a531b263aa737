/* UUIDs as calendard handles them: canonical lowercase text, 36 chars. */
#ifndef CAL_BASE_UUID_H
#define CAL_BASE_UUID_H

#include <stdbool.h>

enum { CAL_UUID_LEN = 36 };
typedef struct {
	char s[CAL_UUID_LEN + 1];
} cal_uuid;

/* A random (version 4) UUID from libsodium's CSPRNG. */
void cal_uuid_new(cal_uuid *ret);
/* True for 8-4-4-4-12 hex; on success writes the lowercase form. */
bool cal_uuid_parse(const char *text, cal_uuid *ret);
static inline bool cal_uuid_valid(const char *text) { cal_uuid u; return cal_uuid_parse(text, &u); }

#endif
