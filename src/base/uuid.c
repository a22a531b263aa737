/* UUID generation and validation. */
#include "base/uuid.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

void cal_uuid_new(cal_uuid *ret)
{
	unsigned char b[16];
	randombytes_buf(b, sizeof b);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(ret->s, sizeof ret->s,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
		 b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
		 b[15]);
}

bool cal_uuid_parse(const char *text, cal_uuid *ret)
{
	if (!text || strlen(text) != CAL_UUID_LEN)
		return false;
	cal_uuid u;
	for (int i = 0; i < CAL_UUID_LEN; i++) {
		char c = text[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return false;
		} else if (!isxdigit((unsigned char)c)) {
			return false;
		}
		u.s[i] = (char)tolower((unsigned char)c);
	}
	u.s[CAL_UUID_LEN] = '\0';
	*ret = u;
	return true;
}
