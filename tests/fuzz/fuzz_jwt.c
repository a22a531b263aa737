/* libFuzzer: bearer tokens come from anyone; none may verify without the
 * key, and none may crash the verifier. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/jwt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t secret[] = "fuzz-secret-fuzz-secret-fuzz-sec";
	char *token = malloc(size + 1);
	if (!token)
		return 0;
	memcpy(token, data, size);
	token[size] = '\0';
	struct cal_jwt_keys keys = { .hs_secret = secret, .hs_secret_len = 32 };
	struct cal_jwt_claims claims;
	if (cal_jwt_verify(&keys, token, 1, &claims) == 0)
		__builtin_trap(); /* forged without the key */
	free(token);
	return 0;
}
