/* A streaming JSON writer into a capped strbuf: for the hot responses
 * (event lists) where building a jansson tree, dumping it and freeing it
 * cost three times what the database does. Commas and nesting are tracked
 * here; strings are escaped per RFC 8259 and assumed to be valid UTF-8
 * (everything stored was checked on the way in). The first error sticks
 * and later calls do nothing. */
#ifndef CAL_BASE_JSONW_H
#define CAL_BASE_JSONW_H

#include <stdbool.h>
#include <stdint.h>

#include "base/strbuf.h"

enum { JSONW_DEPTH_MAX = 32 };

struct jsonw {
	struct strbuf *out; /* borrowed */
	int depth;
	bool need_comma[JSONW_DEPTH_MAX];
	bool after_key;
	int err;
};

static inline void jsonw_init(struct jsonw *w, struct strbuf *out) { *w = (struct jsonw){ .out = out }; }

void jsonw_object_begin(struct jsonw *w);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w);
void jsonw_array_end(struct jsonw *w);
void jsonw_key(struct jsonw *w, const char *key); /* key is written as is: ASCII names only */
void jsonw_string(struct jsonw *w, const char *s); /* NULL writes null */
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);

static inline void jsonw_kv_string(struct jsonw *w, const char *k, const char *v) { jsonw_key(w, k); jsonw_string(w, v); }
static inline void jsonw_kv_int(struct jsonw *w, const char *k, int64_t v) { jsonw_key(w, k); jsonw_int(w, v); }
static inline void jsonw_kv_bool(struct jsonw *w, const char *k, bool v) { jsonw_key(w, k); jsonw_bool(w, v); }
static inline void jsonw_kv_null(struct jsonw *w, const char *k) { jsonw_key(w, k); jsonw_null(w); }

#endif
