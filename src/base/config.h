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

	/* Delivery (notify/, jobs/). Unset SMTP_URL or SMS_BASE_URL: that
	 * channel's messages wait, failing their attempts, until it is set. */
	bool jobs;            /* CALENDARD_JOBS (default 1): run the scheduler and workers */
	char *template_dir;   /* CALENDARD_TEMPLATE_DIR: operator overrides of templates/ */
	char *smtp_url;       /* SMTP_URL smtp://host:port or smtps://host:port */
	char *smtp_username, *smtp_password; /* SMTP_USERNAME, SMTP_PASSWORD */
	int smtp_tls;         /* SMTP_TLS: 0 off, 1 when offered (default), 2 required */
	char *mail_from;      /* MAIL_FROM address, default calendar@<public host> */
	char *mail_from_name; /* MAIL_FROM_NAME, default "Calendario" */
	char *sms_base_url;   /* SMS_BASE_URL, e.g. https://api.twilio.com */
	char *sms_account_sid, *sms_auth_token, *sms_from; /* SMS_ACCOUNT_SID, SMS_AUTH_TOKEN, SMS_FROM */
	unsigned outbox_workers;      /* CALENDARD_OUTBOX_WORKERS, default 2 */
	unsigned outbox_max_attempts; /* CALENDARD_OUTBOX_MAX_ATTEMPTS, default 8 */
	unsigned outbox_retry_s;      /* CALENDARD_OUTBOX_RETRY_SECONDS: first backoff, default 30 */
	unsigned outbox_retry_max_s;  /* CALENDARD_OUTBOX_RETRY_MAX_SECONDS, default 3600 */
	unsigned outbox_lease_s;      /* CALENDARD_OUTBOX_LEASE_SECONDS, default 300 */
	unsigned send_timeout_s;      /* CALENDARD_SEND_TIMEOUT_SECONDS per message, default 30 */
	struct cal_limits limits;
};

/* On failure writes a one-line reason to `ret_why` (static text). */
int cal_config_load(struct cal_config *ret, const char **ret_why);
void cal_config_release(struct cal_config *cfg);

#endif
