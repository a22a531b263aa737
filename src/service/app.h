/* The application: what every use case needs, passed down explicitly
 * (no globals). main.c builds one and owns it. */
#ifndef CAL_SERVICE_APP_H
#define CAL_SERVICE_APP_H

#include "base/bell.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/metrics.h"
#include "base/tz.h"
#include "store/store.h"

struct app {
	const struct cal_config *config;
	struct store *store;
	struct cal_tzdb *tzdb;
	struct cal_clock clock;
	struct metrics *metrics; /* filled by http/, rendered by /metrics */
	/* Rung after a commit that gave the background jobs work (tx.c);
	 * NULL when no job runs (the CLI). */
	struct cal_bell *outbox_bell, *alarm_bell, *notification_bell;
	/* Users' busy time for the public slot pages (service/busy_cache.h);
	 * NULL: none. */
	struct busy_cache *busy_cache;
};

#endif
