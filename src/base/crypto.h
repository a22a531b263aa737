/* The project's cryptography, all libsodium: randomness, argon2id password
 * hashes, HMAC-SHA256, key derivation from the server's secret key, and
 * loading or creating that key. */
#ifndef CAL_BASE_CRYPTO_H
#define CAL_BASE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { CAL_SECRET_KEY_BYTES = 32, CAL_PASSWORD_HASH_MAX = 128 };

/* Call once before threads start. */
int cal_crypto_init(void);

/* argon2id, interactive cost. `ret_hash` receives a NUL-terminated string. */
int cal_password_hash(const char *password, char ret_hash[CAL_PASSWORD_HASH_MAX]);
/* Constant-time for a given hash; pass hash=NULL to spend the same time on
 * an unknown account (so login timing does not reveal which e-mails exist). */
bool cal_password_verify(const char *hash, const char *password);

/* The 32-byte master key: from `hex_or_null` (64 hex chars, e.g.
 * CALENDARD_SECRET_KEY) or from DIR/secret.key, created with mode 0600 on
 * first use. */
int cal_secret_key_load(const char *hex_or_null, const char *data_dir,
			uint8_t ret_key[CAL_SECRET_KEY_BYTES]);

/* SHA-256 of a string as lowercase hex: how the database keeps secrets it
 * must find again (feed secrets, manage-link tokens) without holding them. */
enum { CAL_SHA256_HEX = 65 };
void cal_sha256_hex(const char *text, char ret[CAL_SHA256_HEX]);

/* A purpose-bound subkey, so the JWT key, the vault key and the link-signing
 * key never coincide. `purpose` is at most 8 characters. */
void cal_key_derive(const uint8_t master[CAL_SECRET_KEY_BYTES], uint64_t id, const char *purpose,
		    uint8_t *ret_key, size_t len);

#endif
