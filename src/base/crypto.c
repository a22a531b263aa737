/* libsodium wrappers. */
#include "base/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/errors.h"

/* A hash of a random password, made once at start-up: verifying against it
 * costs what a real verification costs and never succeeds. Written before
 * any thread starts, read-only afterwards. */
static char dummy_hash[CAL_PASSWORD_HASH_MAX];

int cal_crypto_init(void)
{
	if (sodium_init() < 0)
		return CAL_E_INTERNAL;
	char pw[33];
	uint8_t raw[16];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(pw, sizeof pw, raw, sizeof raw);
	return cal_password_hash(pw, dummy_hash);
}

int cal_password_hash(const char *password, char ret_hash[CAL_PASSWORD_HASH_MAX])
{
	_Static_assert(crypto_pwhash_STRBYTES <= CAL_PASSWORD_HASH_MAX, "hash buffer");
	if (crypto_pwhash_str_alg(ret_hash, password, strlen(password),
				  crypto_pwhash_OPSLIMIT_INTERACTIVE,
				  crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return CAL_E_NOMEM;
	return 0;
}

bool cal_password_verify(const char *hash, const char *password)
{
	if (!hash || !*hash) {
		int ignored = crypto_pwhash_str_verify(dummy_hash, password, strlen(password));
		(void)ignored;
		return false;
	}
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

static int key_from_hex(const char *hex, uint8_t key[CAL_SECRET_KEY_BYTES])
{
	size_t bin_len = 0;
	if (strlen(hex) != 2 * CAL_SECRET_KEY_BYTES ||
	    sodium_hex2bin(key, CAL_SECRET_KEY_BYTES, hex, strlen(hex), NULL, &bin_len, NULL) != 0 ||
	    bin_len != CAL_SECRET_KEY_BYTES)
		return CAL_E_INVALID;
	return 0;
}

int cal_secret_key_load(const char *hex_or_null, const char *data_dir,
			uint8_t ret_key[CAL_SECRET_KEY_BYTES])
{
	if (hex_or_null && *hex_or_null)
		return key_from_hex(hex_or_null, ret_key);

	char path[4096];
	if (snprintf(path, sizeof path, "%s/secret.key", data_dir) >= (int)sizeof path)
		return CAL_E_INVALID;
	mkdir(data_dir, 0700);
	char hex[2 * CAL_SECRET_KEY_BYTES + 2] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		uint8_t fresh[CAL_SECRET_KEY_BYTES];
		randombytes_buf(fresh, sizeof fresh);
		sodium_bin2hex(hex, sizeof hex, fresh, sizeof fresh);
		sodium_memzero(fresh, sizeof fresh);
		/* O_EXCL: when two processes race on first run, one writes and the
		 * other reads what it wrote. */
		int wfd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (wfd >= 0) {
			size_t n = strlen(hex);
			bool ok = write(wfd, hex, n) == (ssize_t)n && fsync(wfd) == 0;
			close(wfd);
			if (!ok)
				return CAL_E_INTERNAL;
		}
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return CAL_E_INTERNAL;
	memset(hex, 0, sizeof hex);
	ssize_t n = read(fd, hex, sizeof hex - 1);
	close(fd);
	if (n < 2 * CAL_SECRET_KEY_BYTES)
		return CAL_E_INVALID;
	hex[2 * CAL_SECRET_KEY_BYTES] = '\0';
	int r = key_from_hex(hex, ret_key);
	sodium_memzero(hex, sizeof hex);
	return r;
}

void cal_sha256_hex(const char *text, char ret[CAL_SHA256_HEX])
{
	uint8_t h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const uint8_t *)text, strlen(text));
	sodium_bin2hex(ret, CAL_SHA256_HEX, h, sizeof h);
}

void cal_key_derive(const uint8_t master[CAL_SECRET_KEY_BYTES], uint64_t id, const char *purpose,
		    uint8_t *ret_key, size_t len)
{
	char ctx[crypto_kdf_CONTEXTBYTES] = { 0 };
	memcpy(ctx, purpose, strnlen(purpose, sizeof ctx));
	crypto_kdf_derive_from_key(ret_key, len, id, ctx, master);
}
