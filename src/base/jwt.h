/* Bearer tokens: HS256 JWTs minted and verified with libjwt, or RS256 ones
 * from an external identity provider verified with its public key. The
 * verifier fixes the algorithm before looking at the signature, so "none"
 * and algorithm confusion (an RS256 public key used as an HS256 secret)
 * are refused whatever the token's header says. */
#ifndef CAL_BASE_JWT_H
#define CAL_BASE_JWT_H

#include <stddef.h>
#include <stdint.h>

#include "base/uuid.h"

enum { CAL_JWT_MAX = 4096 };

struct cal_jwt_keys {
	const uint8_t *hs_secret; /* HS256 */
	size_t hs_secret_len;
	const char *rs_public_pem; /* RS256 when set: only RS256 tokens are accepted */
};

struct cal_jwt_claims {
	cal_uuid sub, company;
	int admin; /* role claim == "admin" */
	int64_t iat, exp;
};

/* A malloc'd token (free() it). HS256 only: calendard never holds a
 * private RSA key. */
int cal_jwt_mint(const struct cal_jwt_keys *keys, const struct cal_jwt_claims *claims, char **ret_token);
/* CAL_E_UNAUTHORIZED for anything wrong: format, algorithm, signature,
 * missing or malformed claims, expiry (against `now`). */
int cal_jwt_verify(const struct cal_jwt_keys *keys, const char *token, int64_t now,
		   struct cal_jwt_claims *ret);

#endif
