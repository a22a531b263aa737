/* JSON-lines logging to stderr. */
#include "base/log.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum log_level log_min = LOG_INFO;

void log_set_level(enum log_level level) { log_min = level; }
int log_enabled(enum log_level level) { return level >= log_min; }

int log_parse_level(const char *name, enum log_level *ret_level)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	for (int i = 0; i < 4; i++)
		if (strcmp(name, names[i]) == 0) {
			*ret_level = (enum log_level)i;
			return 0;
		}
	return -1;
}

void log_emit(enum log_level level, const char *rid, const char *msg, json_t *fields)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	if (level < log_min) {
		json_decref(fields);
		return;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char stamp[64];
	snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)(ts.tv_nsec / 1000000) % 1000);

	json_t *line = json_object();
	json_object_set_new(line, "ts", json_string(stamp));
	json_object_set_new(line, "level", json_string(names[level]));
	if (rid)
		json_object_set_new(line, "rid", json_string(rid));
	json_object_set_new(line, "msg", json_string(msg));
	if (fields) {
		json_object_update(line, fields);
		json_decref(fields);
	}
	char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(line);
	if (!text)
		return;
	size_t n = strlen(text);
	text[n] = '\n'; /* replaces the NUL: one write per line */
	ssize_t w = write(STDERR_FILENO, text, n + 1);
	(void)w;
	free(text);
}
