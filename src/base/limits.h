/* Every user-controllable quantity has a limit, and they all live here.
 * The defaults can be overridden by configuration (config.c reads
 * CALENDARD_LIMIT_<NAME> for the ones marked "configurable"). */
#ifndef CAL_BASE_LIMITS_H
#define CAL_BASE_LIMITS_H

#include <stddef.h>
#include <stdint.h>

struct cal_limits {
	size_t body_max;              /* configurable: request body bytes */
	unsigned attendees_max;       /* configurable: attendees per event */
	unsigned alarms_max;          /* configurable: alarms per event */
	unsigned list_limit_max;      /* configurable: page size cap */
	unsigned list_window_days;    /* configurable: widest GET events window */
	unsigned user_ids_max;        /* colleagues in one userIds= */
	unsigned json_depth_max;      /* nesting allowed in a body */
	unsigned name_max;            /* characters */
	unsigned location_max;
	unsigned description_max;
	unsigned email_max;
	unsigned res_model_max;
	unsigned alarm_minutes_max;   /* how far before an event a reminder may be */
	unsigned token_ttl_max;       /* seconds a minted JWT may live */
	unsigned rrule_count_max;     /* configurable: COUNT of a rule, and EXDATEs of a series */
	unsigned series_max;          /* configurable: series expanded or exported for one window */
	unsigned streams_max;         /* configurable: open notification streams, all users */
	unsigned streams_per_user_max; /* configurable: open notification streams of one user */
	/* Requests to public rate_limited routes per client address: a bucket of
	 * public_rate_burst refilled at public_rate_per_minute; either 0 turns
	 * the limit off. Configurable as CALENDARD_PUBLIC_RATE_{PER_MINUTE,BURST}. */
	unsigned public_rate_per_minute;
	unsigned public_rate_burst;
	/* configurable: users whose busy time the slot pages keep in memory
	 * (service/busy_cache.h); 0 turns the cache off. */
	unsigned busy_cache_users;
};

#define CAL_LIMITS_DEFAULT                                                                    \
	{                                                                                     \
		.body_max = 1024 * 1024, .attendees_max = 500, .alarms_max = 10,              \
		.list_limit_max = 500, .list_window_days = 366, .user_ids_max = 50,           \
		.json_depth_max = 8, .name_max = 255, .location_max = 500,                    \
		.description_max = 65536, .email_max = 254, .res_model_max = 100,             \
		.alarm_minutes_max = 4 * 7 * 24 * 60, .token_ttl_max = 366 * 24 * 3600,       \
		.rrule_count_max = 5000, .series_max = 2000, .streams_max = 1024,             \
		.streams_per_user_max = 8, .public_rate_per_minute = 120,                     \
		.public_rate_burst = 60, .busy_cache_users = 4096                             \
	}

#endif
