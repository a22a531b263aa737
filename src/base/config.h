/* calendard's configuration: environment variables (README lists them),
 * read once at start-up into a struct that is read-only afterwards. */
#ifndef CAL_BASE_CONFIG_H
#define CAL_BASE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/crypto.h"
#include "base/limits.h"

struct cal_config {
	char *listen_host;   /* CALENDARD_LISTEN host part, default 127.0.0.1 */
	uint16_t listen_port; /* default 8080 */
	char *database_url;  /* CALENDARD_DATABASE_URL, default sqlite:./data/calendard.db */
	char *data_dir;      /* CALENDARD_DATA_DIR, default ./data */
	char *public_url;    /* CALENDARD_PUBLIC_URL, default http://LISTEN */
	char *default_timezone; /* CALENDARD_DEFAULT_TIMEZONE, default America/Mexico_City */
	char *zoneinfo_dir;  /* CALENDARD_ZONEINFO, default /usr/share/zoneinfo */
	unsigned threads;    /* CALENDARD_THREADS, default the number of cores */
	unsigned db_pool;    /* CALENDARD_DB_POOL, connections, default 2 per thread + 2 */
	int64_t clock_offset_ms; /* CALENDARD_CLOCK_OFFSET_SECONDS (tests only) */
	uint8_t secret_key[CAL_SECRET_KEY_BYTES];
	uint8_t jwt_secret[64]; /* CALENDARD_JWT_SECRET, or derived from the secret key */
	size_t jwt_secret_len;
	char *jwt_public_key; /* CALENDARD_JWT_PUBLIC_KEY: PEM text or a path; enables RS256 */
	unsigned token_ttl;   /* CALENDARD_TOKEN_TTL seconds for login tokens, default 12 h */
	unsigned sse_keepalive_s; /* CALENDARD_SSE_KEEPALIVE_SECONDS between stream comments, default 15 */
	struct cal_limits limits;
};

/* On failure writes a one-line reason to `ret_why` (static text). */
int cal_config_load(struct cal_config *ret, const char **ret_why);
void cal_config_release(struct cal_config *cfg);

#endif
