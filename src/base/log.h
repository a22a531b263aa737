/* Structured logs: one JSON object per line on stderr, with a timestamp,
 * the level, the request or job id and the caller's fields. Log once, at
 * the edge (http/, jobs/, main.c); model/ and store/ do not log.
 * Never pass tokens, passwords or signed links as fields. */
#ifndef CAL_BASE_LOG_H
#define CAL_BASE_LOG_H

#include <jansson.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the threshold. Call once at start-up, before any thread exists:
 * it is the process's only mutable logging state. */
void log_set_level(enum log_level level);
int log_parse_level(const char *name, enum log_level *ret_level);
int log_enabled(enum log_level level);

/* `fields` is stolen (may be NULL). `rid` may be NULL. Thread-safe: each
 * line is written with a single write(2). */
void log_emit(enum log_level level, const char *rid, const char *msg, json_t *fields);

#define log_info(rid, msg, fields) log_emit(LOG_INFO, rid, msg, fields)
#define log_warn(rid, msg, fields) log_emit(LOG_WARN, rid, msg, fields)
#define log_error(rid, msg, fields) log_emit(LOG_ERROR, rid, msg, fields)

#endif
