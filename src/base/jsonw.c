/* Streaming JSON. */
#include "base/jsonw.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/errors.h"

static void put(struct jsonw *w, const char *s, size_t n)
{
	if (w->err == 0)
		w->err = strbuf_add(w->out, s, n);
}

/* Before a value: a comma unless it is the first of its container or it
 * follows a key. */
static void value_start(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0 && w->need_comma[w->depth - 1])
		put(w, ",", 1);
	if (w->depth > 0)
		w->need_comma[w->depth - 1] = true;
}

static void container_open(struct jsonw *w, char c)
{
	value_start(w);
	put(w, &c, 1);
	if (w->depth == JSONW_DEPTH_MAX) {
		w->err = CAL_E_INTERNAL;
		return;
	}
	w->need_comma[w->depth++] = false;
}

static void container_close(struct jsonw *w, char c)
{
	if (w->depth > 0)
		w->depth--;
	put(w, &c, 1);
}

void jsonw_object_begin(struct jsonw *w) { container_open(w, '{'); }
void jsonw_object_end(struct jsonw *w) { container_close(w, '}'); }
void jsonw_array_begin(struct jsonw *w) { container_open(w, '['); }
void jsonw_array_end(struct jsonw *w) { container_close(w, ']'); }

static void put_escaped(struct jsonw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	put(w, "\"", 1);
	const char *run = s;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		put(w, run, (size_t)((const char *)p - run));
		char esc[7] = { '\\', 0 };
		size_t n = 2;
		switch (*p) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			n = 6;
		}
		put(w, esc, n);
		run = (const char *)p + 1;
	}
	put(w, run, strlen(run));
	put(w, "\"", 1);
}

void jsonw_key(struct jsonw *w, const char *key)
{
	value_start(w);
	put(w, "\"", 1);
	put(w, key, strlen(key));
	put(w, "\":", 2);
	w->after_key = true;
}

void jsonw_string(struct jsonw *w, const char *s)
{
	value_start(w);
	if (s)
		put_escaped(w, s);
	else
		put(w, "null", 4);
}

void jsonw_int(struct jsonw *w, int64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof buf, "%" PRId64, v);
	value_start(w);
	put(w, buf, (size_t)n);
}

void jsonw_bool(struct jsonw *w, bool v)
{
	value_start(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void jsonw_null(struct jsonw *w)
{
	value_start(w);
	put(w, "null", 4);
}
