/*
 * Writing content lines: escaping, folding, CRLF.
 *
 * A line is built whole in w->line and folded when it ends, so folding
 * sees the escaped text and can keep every UTF-8 sequence on one line.
 * Every value goes through one of three filters, which is what keeps a
 * value from starting a line of its own:
 *   TEXT  (section 3.3.11): \ ; , escaped, CR, LF and CRLF as \n;
 *   PARAM (quoted, RFC 6868): ^ as ^^, CR/LF as ^n, " as ^';
 *   RAW   (URIs, tokens): written as they are.
 * In all three, other control characters are dropped and bytes that are
 * not UTF-8 become U+FFFD.
 */
#include <string.h>

#include "model/ics_internal.h"

enum filter { F_TEXT, F_PARAM, F_RAW };

/* RFC 5545 section 3.1: lines of at most 75 octets, CRLF excluded. */
enum { FOLD_AT = 75 };

void ics_w_init(struct ics_writer *w, size_t max)
{
	*w = (struct ics_writer){ .out = STRBUF_INIT(max), .line = STRBUF_INIT(max) };
}

void ics_w_release(struct ics_writer *w)
{
	strbuf_release(&w->out);
	strbuf_release(&w->line);
}

void ics_w_fail(struct ics_writer *w, int rc)
{
	if (w->rc == 0)
		w->rc = rc;
}

static void put(struct ics_writer *w, const char *s, size_t n)
{
	if (w->rc == 0)
		w->rc = strbuf_add(&w->line, s, n);
}

static void puts_(struct ics_writer *w, const char *s)
{
	put(w, s, strlen(s));
}

void ics_w_begin(struct ics_writer *w, const char *name)
{
	w->line.len = 0;
	puts_(w, name);
}

static bool dropped(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7F;
}

static void put_ascii(struct ics_writer *w, char c, enum filter f)
{
	bool newline = c == '\n' || c == '\r';
	if (f == F_TEXT && newline)
		puts_(w, "\\n");
	else if (f == F_TEXT && (c == '\\' || c == ';' || c == ','))
		put(w, (const char[]){ '\\', c }, 2);
	else if (f == F_PARAM && newline)
		puts_(w, "^n");
	else if (f == F_PARAM && c == '^')
		puts_(w, "^^");
	else if (f == F_PARAM && c == '"')
		puts_(w, "^'");
	else if (!dropped((unsigned char)c))
		put(w, &c, 1);
}

static void put_filtered(struct ics_writer *w, const char *s, enum filter f)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	for (size_t i = 0; i < n && w->rc == 0;) {
		if (p[i] < 0x80) {
			/* CRLF is one line break. */
			if (!(p[i] == '\r' && i + 1 < n && p[i + 1] == '\n'))
				put_ascii(w, (char)p[i], f);
			i++;
			continue;
		}
		size_t k = ics_utf8_len(p + i, n - i);
		put(w, k ? s + i : "\xEF\xBF\xBD", k ? k : 3);
		i += k ? k : 1;
	}
}

void ics_w_param(struct ics_writer *w, const char *name, const char *value)
{
	puts_(w, ";");
	puts_(w, name);
	puts_(w, "=");
	put_filtered(w, value, F_RAW);
}

void ics_w_param_quoted(struct ics_writer *w, const char *name, const char *value)
{
	puts_(w, ";");
	puts_(w, name);
	puts_(w, "=\"");
	put_filtered(w, value, F_PARAM);
	puts_(w, "\"");
}

void ics_w_text(struct ics_writer *w, const char *value)
{
	puts_(w, ":");
	put_filtered(w, value, F_TEXT);
}

void ics_w_raw(struct ics_writer *w, const char *value)
{
	puts_(w, ":");
	put_filtered(w, value, F_RAW);
}

void ics_w_append(struct ics_writer *w, const char *value)
{
	put_filtered(w, value, F_RAW);
}

static void put_digits(struct ics_writer *w, int v, int width)
{
	char d[4];
	for (int i = width - 1; i >= 0; i--, v /= 10)
		d[i] = (char)('0' + v % 10);
	put(w, d, (size_t)width);
}

void ics_w_datetime(struct ics_writer *w, const struct cal_civil *c, enum ics_dt kind)
{
	puts_(w, ":");
	put_digits(w, c->year, 4);
	put_digits(w, c->month, 2);
	put_digits(w, c->day, 2);
	if (kind == ICS_DT_DATE)
		return;
	puts_(w, "T");
	put_digits(w, c->hour, 2);
	put_digits(w, c->minute, 2);
	put_digits(w, c->second, 2);
	if (kind == ICS_DT_UTC)
		puts_(w, "Z");
}

static void emit(struct ics_writer *w, const char *s, size_t n)
{
	if (w->rc == 0)
		w->rc = strbuf_add(&w->out, s, n);
}

/* Continuation lines start with a space, so they carry one octet less; a
 * cut never falls before a UTF-8 continuation byte. */
void ics_w_end(struct ics_writer *w)
{
	const char *s = strbuf_str(&w->line);
	size_t n = w->line.len, pos = 0;
	do {
		size_t room = pos ? FOLD_AT - 1 : FOLD_AT;
		size_t take = n - pos <= room ? n - pos : room;
		while (pos + take < n && take > 0 && ((unsigned char)s[pos + take] & 0xC0) == 0x80)
			take--;
		if (pos)
			emit(w, " ", 1);
		emit(w, s + pos, take);
		emit(w, "\r\n", 2);
		pos += take;
	} while (pos < n && w->rc == 0);
	w->line.len = 0;
}

void ics_w_line(struct ics_writer *w, const char *name, const char *value)
{
	ics_w_begin(w, name);
	ics_w_raw(w, value);
	ics_w_end(w);
}
