/* Environment → struct cal_config. */
#include "base/config.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/errors.h"

static char *env_dup(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return strdup(v && *v ? v : fallback);
}

static int env_unsigned(const char *name, unsigned long max, unsigned long *value)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return 0;
	char *end;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (errno || *end || n > max || v[0] == '-')
		return CAL_E_INVALID;
	*value = n;
	return 0;
}

#define ENV_LIMIT(field, name, max)                                     \
	do {                                                            \
		unsigned long v_ = cfg->limits.field;                   \
		if (env_unsigned("CALENDARD_LIMIT_" name, max, &v_) < 0) { \
			*ret_why = "CALENDARD_LIMIT_" name " is not a valid number"; \
			return CAL_E_INVALID;                           \
		}                                                       \
		cfg->limits.field = v_;                                 \
	} while (0)

static int parse_listen(struct cal_config *cfg, const char **ret_why)
{
	const char *v = getenv("CALENDARD_LISTEN");
	if (!v || !*v)
		v = "127.0.0.1:8080";
	const char *colon = strrchr(v, ':');
	char *end;
	long port = colon ? strtol(colon + 1, &end, 10) : -1;
	if (!colon || colon == v || *end || port < 1 || port > 65535) {
		*ret_why = "CALENDARD_LISTEN must be HOST:PORT";
		return CAL_E_INVALID;
	}
	cfg->listen_host = strndup(v, (size_t)(colon - v));
	cfg->listen_port = (uint16_t)port;
	return 0;
}

static int load_limits(struct cal_config *cfg, const char **ret_why)
{
	cfg->limits = (struct cal_limits)CAL_LIMITS_DEFAULT;
	ENV_LIMIT(body_max, "BODY_MAX", 64ul * 1024 * 1024);
	ENV_LIMIT(attendees_max, "ATTENDEES_MAX", 100000);
	ENV_LIMIT(alarms_max, "ALARMS_MAX", 1000);
	ENV_LIMIT(list_limit_max, "LIST_LIMIT_MAX", 100000);
	ENV_LIMIT(list_window_days, "LIST_WINDOW_DAYS", 3660);
	ENV_LIMIT(rrule_count_max, "RRULE_COUNT_MAX", 1000000);
	ENV_LIMIT(series_max, "SERIES_MAX", 1000000);
	ENV_LIMIT(streams_max, "STREAMS_MAX", 4000); /* under the server's 4096 connections */
	ENV_LIMIT(busy_cache_users, "BUSY_CACHE_USERS", 1000000);
	ENV_LIMIT(streams_per_user_max, "STREAMS_PER_USER_MAX", 4000);
	unsigned long rate = cfg->limits.public_rate_per_minute, burst = cfg->limits.public_rate_burst;
	if (env_unsigned("CALENDARD_PUBLIC_RATE_PER_MINUTE", 1000000, &rate) < 0 ||
	    env_unsigned("CALENDARD_PUBLIC_RATE_BURST", 1000000, &burst) < 0) {
		*ret_why = "CALENDARD_PUBLIC_RATE_PER_MINUTE and CALENDARD_PUBLIC_RATE_BURST must be 0..1000000 (0: no limit)";
		return CAL_E_INVALID;
	}
	cfg->limits.public_rate_per_minute = (unsigned)rate;
	cfg->limits.public_rate_burst = (unsigned)burst;
	return 0;
}

/* The key itself, or a file holding it. */
static char *read_pem(const char *value)
{
	if (strncmp(value, "-----BEGIN", 10) == 0)
		return strdup(value);
	FILE *f = fopen(value, "r");
	if (!f)
		return NULL;
	char buf[16384];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n > 0 && n < sizeof buf - 1 && strncmp(buf, "-----BEGIN", 10) == 0 ? strdup(buf) : NULL;
}

/* An optional variable: NULL when unset or empty. */
static char *env_opt(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? strdup(v) : NULL;
}

/* The host of a URL ("http://host:port/path" -> "host"), for defaults. */
static void url_host(const char *url, char *buf, size_t len)
{
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	size_t n = strcspn(p, ":/");
	snprintf(buf, len, "%.*s", (int)n, p);
}

static int load_delivery(struct cal_config *cfg, const char **ret_why)
{
	static const struct {
		const char *name;
		unsigned long max, fallback;
		size_t offset;
	} counts[] = {
		{ "CALENDARD_OUTBOX_WORKERS", 64, 2, offsetof(struct cal_config, outbox_workers) },
		{ "CALENDARD_OUTBOX_MAX_ATTEMPTS", 100, 8, offsetof(struct cal_config, outbox_max_attempts) },
		{ "CALENDARD_OUTBOX_RETRY_SECONDS", 86400, 30, offsetof(struct cal_config, outbox_retry_s) },
		{ "CALENDARD_OUTBOX_RETRY_MAX_SECONDS", 7 * 86400, 3600, offsetof(struct cal_config, outbox_retry_max_s) },
		{ "CALENDARD_OUTBOX_LEASE_SECONDS", 86400, 300, offsetof(struct cal_config, outbox_lease_s) },
		{ "CALENDARD_SEND_TIMEOUT_SECONDS", 3600, 30, offsetof(struct cal_config, send_timeout_s) },
	};
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		unsigned long v = counts[i].fallback;
		if (env_unsigned(counts[i].name, counts[i].max, &v) < 0 || v == 0) {
			*ret_why = "a CALENDARD_OUTBOX_* or CALENDARD_SEND_TIMEOUT_SECONDS value is not a positive integer in range";
			return CAL_E_INVALID;
		}
		*(unsigned *)((char *)cfg + counts[i].offset) = (unsigned)v;
	}
	/* A lease shorter than a send could let a second worker send the
	 * same message while the first is still talking to the server; the
	 * clock reads whole seconds, so keep a second more. */
	if (cfg->outbox_lease_s < cfg->send_timeout_s + 2) {
		*ret_why = "CALENDARD_OUTBOX_LEASE_SECONDS must be at least CALENDARD_SEND_TIMEOUT_SECONDS + 2";
		return CAL_E_INVALID;
	}
	const char *jobs = getenv("CALENDARD_JOBS");
	cfg->jobs = !jobs || !*jobs || strcmp(jobs, "0") != 0;
	cfg->template_dir = env_opt("CALENDARD_TEMPLATE_DIR");
	cfg->smtp_url = env_opt("SMTP_URL");
	if (cfg->smtp_url && strncmp(cfg->smtp_url, "smtp://", 7) != 0 && strncmp(cfg->smtp_url, "smtps://", 8) != 0) {
		*ret_why = "SMTP_URL must start with smtp:// or smtps://";
		return CAL_E_INVALID;
	}
	cfg->smtp_username = env_opt("SMTP_USERNAME");
	cfg->smtp_password = env_opt("SMTP_PASSWORD");
	const char *tls = getenv("SMTP_TLS");
	cfg->smtp_tls = 1;
	if (tls && *tls) {
		if (strcmp(tls, "off") == 0)
			cfg->smtp_tls = 0;
		else if (strcmp(tls, "required") == 0)
			cfg->smtp_tls = 2;
		else if (strcmp(tls, "try") != 0) {
			*ret_why = "SMTP_TLS must be off, try or required";
			return CAL_E_INVALID;
		}
	}
	char host[256];
	url_host(cfg->public_url, host, sizeof host);
	char fallback_from[300];
	snprintf(fallback_from, sizeof fallback_from, "calendar@%s", strchr(host, '.') ? host : "localhost.localdomain");
	cfg->mail_from = env_dup("MAIL_FROM", fallback_from);
	cfg->mail_from_name = env_dup("MAIL_FROM_NAME", "Calendario");
	cfg->sms_base_url = env_opt("SMS_BASE_URL");
	cfg->sms_account_sid = env_opt("SMS_ACCOUNT_SID");
	cfg->sms_auth_token = env_opt("SMS_AUTH_TOKEN");
	cfg->sms_from = env_opt("SMS_FROM");
	return 0;
}

int cal_config_load(struct cal_config *cfg, const char **ret_why)
{
	memset(cfg, 0, sizeof *cfg);
	*ret_why = NULL;
	int r = parse_listen(cfg, ret_why);
	if (r < 0)
		return r;
	cfg->data_dir = env_dup("CALENDARD_DATA_DIR", "./data");
	char fallback_db[4200];
	snprintf(fallback_db, sizeof fallback_db, "sqlite:%s/calendard.db", cfg->data_dir);
	cfg->database_url = env_dup("CALENDARD_DATABASE_URL", fallback_db);
	char fallback_url[300];
	snprintf(fallback_url, sizeof fallback_url, "http://%s:%u", cfg->listen_host, cfg->listen_port);
	cfg->public_url = env_dup("CALENDARD_PUBLIC_URL", fallback_url);
	cfg->default_timezone = env_dup("CALENDARD_DEFAULT_TIMEZONE", "America/Mexico_City");
	cfg->zoneinfo_dir = env_dup("CALENDARD_ZONEINFO", getenv("TZDIR") ? getenv("TZDIR") : "/usr/share/zoneinfo");

	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long threads = cores > 0 ? (unsigned long)cores : 2;
	if (env_unsigned("CALENDARD_THREADS", 256, &threads) < 0 || threads == 0) {
		*ret_why = "CALENDARD_THREADS must be 1..256";
		return CAL_E_INVALID;
	}
	cfg->threads = (unsigned)threads;
	unsigned long pool = 2 * threads + 2;
	if (env_unsigned("CALENDARD_DB_POOL", 1024, &pool) < 0 || pool == 0) {
		*ret_why = "CALENDARD_DB_POOL must be 1..1024";
		return CAL_E_INVALID;
	}
	cfg->db_pool = (unsigned)pool;
	unsigned long ttl = 12 * 3600;
	if (env_unsigned("CALENDARD_TOKEN_TTL", 366ul * 24 * 3600, &ttl) < 0 || ttl == 0) {
		*ret_why = "CALENDARD_TOKEN_TTL must be 1..31622400 seconds";
		return CAL_E_INVALID;
	}
	cfg->token_ttl = (unsigned)ttl;
	unsigned long keepalive = 15;
	if (env_unsigned("CALENDARD_SSE_KEEPALIVE_SECONDS", 25, &keepalive) < 0 || keepalive == 0) {
		*ret_why = "CALENDARD_SSE_KEEPALIVE_SECONDS must be 1..25 (under the 30 s idle timeout)";
		return CAL_E_INVALID;
	}
	cfg->sse_keepalive_s = (unsigned)keepalive;
	const char *off = getenv("CALENDARD_CLOCK_OFFSET_SECONDS");
	if (off && *off) {
		char *end;
		long long s = strtoll(off, &end, 10);
		if (*end) {
			*ret_why = "CALENDARD_CLOCK_OFFSET_SECONDS must be an integer";
			return CAL_E_INVALID;
		}
		cfg->clock_offset_ms = s * 1000;
	}
	r = load_limits(cfg, ret_why);
	if (r < 0)
		return r;
	if ((r = load_delivery(cfg, ret_why)) < 0)
		return r;

	if (cal_secret_key_load(getenv("CALENDARD_SECRET_KEY"), cfg->data_dir, cfg->secret_key) < 0) {
		*ret_why = "cannot read or create the secret key (CALENDARD_SECRET_KEY must be 64 hex characters; otherwise CALENDARD_DATA_DIR must be writable)";
		return CAL_E_INVALID;
	}
	const char *jwt = getenv("CALENDARD_JWT_SECRET");
	if (jwt && *jwt) {
		size_t n = strlen(jwt);
		if (n < 32 || n > sizeof cfg->jwt_secret) {
			*ret_why = "CALENDARD_JWT_SECRET must be 32 to 64 characters";
			return CAL_E_INVALID;
		}
		memcpy(cfg->jwt_secret, jwt, n);
		cfg->jwt_secret_len = n;
	} else {
		cal_key_derive(cfg->secret_key, 1, "jwt-hs", cfg->jwt_secret, 32);
		cfg->jwt_secret_len = 32;
	}
	const char *pub = getenv("CALENDARD_JWT_PUBLIC_KEY");
	if (pub && *pub && (cfg->jwt_public_key = read_pem(pub)) == NULL) {
		*ret_why = "CALENDARD_JWT_PUBLIC_KEY must be a PEM public key or the path of one";
		return CAL_E_INVALID;
	}
	return 0;
}

void cal_config_release(struct cal_config *cfg)
{
	free(cfg->template_dir);
	free(cfg->smtp_url);
	free(cfg->smtp_username);
	if (cfg->smtp_password)
		sodium_memzero(cfg->smtp_password, strlen(cfg->smtp_password));
	free(cfg->smtp_password);
	free(cfg->mail_from);
	free(cfg->mail_from_name);
	free(cfg->sms_base_url);
	free(cfg->sms_account_sid);
	if (cfg->sms_auth_token)
		sodium_memzero(cfg->sms_auth_token, strlen(cfg->sms_auth_token));
	free(cfg->sms_auth_token);
	free(cfg->sms_from);
	free(cfg->listen_host);
	free(cfg->database_url);
	free(cfg->data_dir);
	free(cfg->public_url);
	free(cfg->default_timezone);
	free(cfg->zoneinfo_dir);
	free(cfg->jwt_public_key);
	sodium_memzero(cfg->secret_key, sizeof cfg->secret_key);
	sodium_memzero(cfg->jwt_secret, sizeof cfg->jwt_secret);
}
