/* JWT minting and verification. */
#include "base/jwt.h"

#include <jansson.h>
#include <errno.h>
#include <jwt.h>
#include <sodium.h>
#include <string.h>

#include "base/errors.h"

int cal_jwt_mint(const struct cal_jwt_keys *keys, const struct cal_jwt_claims *claims, char **ret_token)
{
	jwt_t *jwt = NULL;
	if (jwt_new(&jwt) != 0)
		return CAL_E_NOMEM;
	int r = CAL_E_INTERNAL;
	if (jwt_set_alg(jwt, JWT_ALG_HS256, keys->hs_secret, (int)keys->hs_secret_len) == 0 &&
	    jwt_add_grant(jwt, "sub", claims->sub.s) == 0 &&
	    jwt_add_grant(jwt, "company", claims->company.s) == 0 &&
	    jwt_add_grant(jwt, "role", claims->admin ? "admin" : "user") == 0 &&
	    jwt_add_grant_int(jwt, "iat", claims->iat) == 0 &&
	    jwt_add_grant_int(jwt, "exp", claims->exp) == 0) {
		char *token = jwt_encode_str(jwt);
		if (token) {
			*ret_token = token;
			r = 0;
		}
	}
	jwt_free(jwt);
	return r;
}

/* The header's "alg", read before libjwt sees the token. */
static int header_alg(const char *token, char *ret_alg, size_t cap)
{
	const char *dot = strchr(token, '.');
	if (!dot || dot == token || (size_t)(dot - token) > 512)
		return CAL_E_UNAUTHORIZED;
	unsigned char raw[512];
	size_t len = 0;
	if (sodium_base642bin(raw, sizeof raw - 1, token, (size_t)(dot - token), NULL, &len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return CAL_E_UNAUTHORIZED;
	json_t *header = json_loadb((const char *)raw, len, JSON_REJECT_DUPLICATES, NULL);
	const char *alg = json_string_value(json_object_get(header, "alg"));
	int r = alg && strlen(alg) < cap ? 0 : CAL_E_UNAUTHORIZED;
	if (r == 0)
		memcpy(ret_alg, alg, strlen(alg) + 1);
	json_decref(header);
	return r;
}

static int read_claims(jwt_t *jwt, int64_t now, struct cal_jwt_claims *ret)
{
	struct cal_jwt_claims c = { 0 };
	const char *role = jwt_get_grant(jwt, "role");
	errno = 0;
	c.exp = jwt_get_grant_int(jwt, "exp");
	if (errno || c.exp <= now)
		return CAL_E_UNAUTHORIZED;
	errno = 0;
	c.iat = jwt_get_grant_int(jwt, "iat");
	if (errno)
		c.iat = 0;
	if (!cal_uuid_parse(jwt_get_grant(jwt, "sub"), &c.sub))
		return CAL_E_UNAUTHORIZED;
	const char *company = jwt_get_grant(jwt, "company");
	if (company && !cal_uuid_parse(company, &c.company))
		return CAL_E_UNAUTHORIZED;
	c.admin = role && strcmp(role, "admin") == 0;
	*ret = c;
	return 0;
}

int cal_jwt_verify(const struct cal_jwt_keys *keys, const char *token, int64_t now,
		   struct cal_jwt_claims *ret)
{
	if (!token || strlen(token) > CAL_JWT_MAX)
		return CAL_E_UNAUTHORIZED;
	const char *expected = keys->rs_public_pem ? "RS256" : "HS256";
	char alg[16];
	if (header_alg(token, alg, sizeof alg) < 0 || strcmp(alg, expected) != 0)
		return CAL_E_UNAUTHORIZED;
	const unsigned char *key = keys->rs_public_pem ? (const unsigned char *)keys->rs_public_pem
						       : keys->hs_secret;
	int key_len = keys->rs_public_pem ? (int)strlen(keys->rs_public_pem) : (int)keys->hs_secret_len;
	jwt_t *jwt = NULL;
	if (jwt_decode(&jwt, token, key, key_len) != 0 || !jwt)
		return CAL_E_UNAUTHORIZED;
	jwt_alg_t want = keys->rs_public_pem ? JWT_ALG_RS256 : JWT_ALG_HS256;
	int r = jwt_get_alg(jwt) == want ? read_claims(jwt, now, ret) : CAL_E_UNAUTHORIZED;
	jwt_free(jwt);
	return r;
}
