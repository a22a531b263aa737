/* The MIME writer. Choices worth knowing:
 *
 * - Bodies: text/plain and text/html are quoted-printable, which keeps
 *   mostly-ASCII Spanish text readable in the raw message and lines at 76;
 *   the calendar parts are base64, because iCalendar must arrive octet for
 *   octet (its own CRLFs and folding spaces, lines that may end in blanks)
 *   and base64 carries any octets through any relay unchanged. Both
 *   encodings keep lines within RFC 5322's limits whatever the input.
 * - Boundaries are "=_cal_m_<hash>" and "=_cal_a_<hash>", the hash of the
 *   message id (FNV-1a, twice with different seeds: any fixed mixing will
 *   do, the value needs no secrecy). They cannot occur inside a part: in
 *   quoted-printable every "=" is followed by two hex digits or a line end,
 *   base64 has no "_" and "=" only as final padding, and the part headers
 *   are our own constant text. Neither boundary is a prefix of the other.
 * - Encoded-words are always "B": its length is predictable from the byte
 *   count, and every byte is safe in both unstructured text (Subject) and
 *   phrases (display names), where "Q" has extra restrictions. */
#include "notify/mime.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/civil.h"
#include "base/errors.h"
#include "base/macro.h"

enum {
	LINE_MAX_HDR = 78, /* RFC 5322 2.1.1 "SHOULD" */
	WORD_MAX = 75,	   /* RFC 2047 2: an encoded-word */
	QP_LINE = 76,	   /* RFC 2045 6.7 (5) */
	B64_LINE = 76,	   /* RFC 2045 6.8 */
	VALUE_MAX = 16384, /* a sanitized header value */
	ADDR_MAX = 254,
	LANG_TAG_MAX = 35,
};

#define EW_OPEN "=?UTF-8?B?"
#define EW_CLOSE "?="
enum { EW_OVERHEAD = sizeof(EW_OPEN) - 1 + sizeof(EW_CLOSE) - 1 };

/* ---- addresses ------------------------------------------------------------------ */

static bool atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

static bool dot_atom(const char *s, size_t n, bool (*ok)(unsigned char))
{
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return false;
		} else if (!ok((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

static bool label_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-';
}

bool cal_mail_addr_valid(const char *addr)
{
	if (!addr)
		return false;
	size_t n = strnlen(addr, ADDR_MAX + 1);
	const char *at = memchr(addr, '@', n);
	if (n > ADDR_MAX || !at || memchr(at + 1, '@', (size_t)(addr + n - at - 1)))
		return false;
	return dot_atom(addr, (size_t)(at - addr), atext) &&
	       dot_atom(at + 1, (size_t)(addr + n - at - 1), label_char);
}

static bool lang_tag_valid(const char *s)
{
	size_t n = 0;
	for (; s && s[n]; n++)
		if (n == LANG_TAG_MAX || !(label_char((unsigned char)s[n])))
			return false;
	return n > 0 && s[0] != '-' && s[n - 1] != '-';
}

/* ---- header values ---------------------------------------------------------------- */

/* Length of the UTF-8 sequence at s (1..4), or 0 when it is not valid
 * (overlong forms, surrogates and values past U+10FFFF included). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t k = c >= 0xc2 && c <= 0xdf   ? 2
		   : c >= 0xe0 && c <= 0xef ? 3
		   : c >= 0xf0 && c <= 0xf4 ? 4
					    : 0;
	if (k == 0 || k > n)
		return 0;
	for (size_t i = 1; i < k; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) ||
	    (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
		return 0;
	return k;
}

/* A header value made safe: every control character (C0, DEL, C1) is a
 * space, invalid UTF-8 is U+FFFD, and the ends are trimmed. */
static int sanitize(const char *in, struct strbuf *sb)
{
	const unsigned char *s = (const unsigned char *)(in ? in : "");
	size_t n = strlen((const char *)s);
	int r = 0;
	for (size_t i = 0; i < n && r == 0;) {
		size_t k = utf8_len(s + i, n - i);
		if (k == 0) {
			r = strbuf_puts(sb, "\xef\xbf\xbd");
			i++;
		} else if ((k == 1 && (s[i] < 0x20 || s[i] == 0x7f)) ||
			   (k == 2 && s[i] == 0xc2 && s[i + 1] <= 0x9f)) {
			r = strbuf_add(sb, " ", 1);
			i += k;
		} else {
			r = strbuf_add(sb, s + i, k);
			i += k;
		}
	}
	if (r < 0 || sb->len == 0)
		return r;
	size_t lead = 0;
	while (lead < sb->len && sb->buf[lead] == ' ')
		lead++;
	memmove(sb->buf, sb->buf + lead, sb->len - lead);
	sb->len -= lead;
	while (sb->len > 0 && sb->buf[sb->len - 1] == ' ')
		sb->len--;
	sb->buf[sb->len] = '\0';
	return 0;
}

static bool printable_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return !memmem(s, n, "=?", 2); /* would read as an encoded-word */
}

struct hdr {
	struct strbuf *out;
	size_t col; /* characters on the current line */
};

static int put(struct hdr *h, const char *s, size_t n)
{
	h->col += n;
	return strbuf_add(h->out, s, n);
}

static int puts_(struct hdr *h, const char *s)
{
	return put(h, s, strlen(s));
}

static int fold(struct hdr *h)
{
	h->col = 0;
	return strbuf_add(h->out, "\r\n", 2);
}

static int end_line(struct hdr *h)
{
	return fold(h);
}

static void base64(const unsigned char *in, size_t n, char *out)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		*out++ = b64[v >> 18 & 63];
		*out++ = b64[v >> 12 & 63];
		*out++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
		*out++ = i + 2 < n ? b64[v & 63] : '=';
	}
}

/* s as encoded-words, each with whole UTF-8 characters, separated by a
 * space or a fold, no line past LINE_MAX_HDR. `sep` says whether a space
 * goes before the first word. s is sanitized (valid UTF-8). */
static int encoded_words(struct hdr *h, const char *s, size_t n, bool sep)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		size_t room = LINE_MAX_HDR - h->col - (sep ? 1 : 0);
		if (h->col + (sep ? 1 : 0) + EW_OVERHEAD + 8 > LINE_MAX_HDR) {
			int r = fold(h);
			if (r < 0)
				return r;
			sep = true;
			room = LINE_MAX_HDR - 1;
		}
		if (room > WORD_MAX)
			room = WORD_MAX;
		size_t max_bytes = (room - EW_OVERHEAD) / 4 * 3, take = 0, before_blank = 0;
		while (i + take < n) {
			size_t k = utf8_len(u + i + take, n - i - take);
			if (k == 0)
				k = 1; /* cannot happen after sanitize; never loop forever */
			if (take + k > max_bytes) {
				/* Break before a blank when there is one, so that a
				 * decoder that wrongly keeps the space between two
				 * encoded-words adds a space between words, never
				 * one inside a word. */
				if (before_blank > 0)
					take = before_blank;
				break;
			}
			if (u[i + take] == ' ' && take > 0)
				before_blank = take;
			take += k;
		}
		char word[WORD_MAX + 1];
		size_t b64_len = (take + 2) / 3 * 4;
		base64(u + i, take, word);
		int r = sep ? put(h, " ", 1) : 0;
		if (r < 0 || (r = puts_(h, EW_OPEN)) < 0 || (r = put(h, word, b64_len)) < 0 ||
		    (r = puts_(h, EW_CLOSE)) < 0)
			return r;
		i += take;
		sep = true;
	}
	return 0;
}

/* Plain ASCII text folded before blanks: each line holds a run of blanks
 * and one word, so unfolding gives back the text exactly and no line is
 * blank. False (and nothing written) when some word cannot fit a line. */
static bool foldable(size_t col, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && s[j] == ' ')
			j++;
		while (j < n && s[j] != ' ')
			j++;
		if (col + (j - i) > LINE_MAX_HDR)
			return false;
		col = 0;
		i = j;
	}
	return true;
}

static int plain_folded(struct hdr *h, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && s[j] == ' ')
			j++;
		while (j < n && s[j] != ' ')
			j++;
		int r = h->col + (j - i) > LINE_MAX_HDR ? fold(h) : 0;
		if (r < 0 || (r = put(h, s + i, j - i)) < 0)
			return r;
		i = j;
	}
	return 0;
}

/* Subject and the like: "Name: value" with value sanitized, plain when it
 * is printable ASCII that folds, encoded-words otherwise. */
static int unstructured(struct strbuf *out, const char *name, const char *value)
{
	_cleanup_(strbuf_release) struct strbuf v = STRBUF_INIT(VALUE_MAX);
	struct hdr h = {.out = out};
	int r = sanitize(value, &v);
	if (r < 0 || (r = puts_(&h, name)) < 0 || (r = puts_(&h, ":")) < 0)
		return r;
	const char *s = strbuf_str(&v);
	if (v.len > 0 && printable_ascii(s, v.len) && foldable(h.col + 1, s, v.len)) {
		if ((r = put(&h, " ", 1)) < 0 || (r = plain_folded(&h, s, v.len)) < 0)
			return r;
	} else if (v.len > 0 && (r = encoded_words(&h, s, v.len, true)) < 0) {
		return r;
	}
	return end_line(&h);
}

static bool phrase_atoms(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && !atext((unsigned char)s[i]))
			return false;
	return true;
}

/* "Name: display name <addr>" or "Name: addr". The display name is kept
 * as atoms, quoted when it holds specials, or encoded when it is not ASCII
 * or would not fit the line. */
static int address(struct strbuf *out, const char *name, const char *addr, const char *display)
{
	if (!cal_mail_addr_valid(addr))
		return CAL_E_INVALID;
	_cleanup_(strbuf_release) struct strbuf v = STRBUF_INIT(VALUE_MAX);
	_cleanup_(strbuf_release) struct strbuf q = STRBUF_INIT(VALUE_MAX * 2 + 2);
	struct hdr h = {.out = out};
	int r = sanitize(display, &v);
	if (r < 0 || (r = puts_(&h, name)) < 0 || (r = puts_(&h, ":")) < 0)
		return r;
	if (v.len == 0) {
		if ((r = put(&h, " ", 1)) < 0 || (r = puts_(&h, addr)) < 0)
			return r;
		return end_line(&h);
	}
	const char *s = strbuf_str(&v);
	if (printable_ascii(s, v.len)) {
		if (phrase_atoms(s, v.len)) {
			r = strbuf_add(&q, s, v.len);
		} else {
			r = strbuf_add(&q, "\"", 1);
			for (size_t i = 0; r == 0 && i < v.len; i++)
				r = s[i] == '"' || s[i] == '\\' ? strbuf_printf(&q, "\\%c", s[i])
								: strbuf_add(&q, s + i, 1);
			if (r == 0)
				r = strbuf_add(&q, "\"", 1);
		}
		if (r < 0)
			return r;
	}
	if (q.len > 0 && h.col + 1 + q.len <= LINE_MAX_HDR) {
		if ((r = put(&h, " ", 1)) < 0 || (r = put(&h, q.buf, q.len)) < 0)
			return r;
	} else if ((r = encoded_words(&h, s, v.len, true)) < 0) {
		return r;
	}
	if (h.col + 2 + strlen(addr) + 1 > LINE_MAX_HDR && (r = fold(&h)) < 0)
		return r;
	if ((r = puts_(&h, " <")) < 0 || (r = puts_(&h, addr)) < 0 || (r = puts_(&h, ">")) < 0)
		return r;
	return end_line(&h);
}

static int msg_id_header(struct strbuf *out, const char *name, const char *id)
{
	if (!cal_mail_addr_valid(id))
		return CAL_E_INVALID;
	return strbuf_printf(out, "%s: <%s>\r\n", name, id);
}

static int date_header(struct strbuf *out, int64_t t)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct cal_civil c;
	if (cal_epoch_to_civil_utc(t, &c) < 0)
		return CAL_E_INVALID;
	int wd = cal_civil_weekday(cal_civil_days_from_date(c.year, c.month, c.day));
	return strbuf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[wd],
			     c.day, months[c.month - 1], c.year, c.hour, c.minute, c.second);
}

/* ---- bodies --------------------------------------------------------------------- */

static bool line_break_at(const char *s, size_t n, size_t i, size_t *ret_len)
{
	if (s[i] == '\n') {
		*ret_len = 1;
		return true;
	}
	if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
		*ret_len = 2;
		return true;
	}
	return false;
}

/* RFC 2045 6.7, with LF or CRLF in the text as hard line breaks. Also
 * escaped: a "." or the "F" of "From " starting a line, which some relays
 * and mbox files would otherwise touch. The output ends with a line end
 * that is not part of the text: in a multipart, the CRLF that belongs to
 * the next boundary; in a single part (last_part), a soft line break,
 * unless the text ended with a line break of its own. */
static int quoted_printable(struct strbuf *out, const char *s, bool last_part)
{
	size_t n = strlen(s), col = 0, brk;
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		if (line_break_at(s, n, i, &brk)) {
			r = strbuf_add(out, "\r\n", 2);
			col = 0;
			i += brk - 1;
			continue;
		}
		unsigned char c = (unsigned char)s[i];
		size_t next_brk;
		bool at_end = i + 1 == n || line_break_at(s, n, i + 1, &next_brk);
		bool literal =
		    (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_end);
		if (col == 0 && (c == '.' || (c == 'F' && strncmp(s + i, "From ", 5) == 0)))
			literal = false;
		char tok[4];
		size_t k = 1;
		if (literal)
			tok[0] = (char)c;
		else
			k = (size_t)snprintf(tok, sizeof tok, "=%02X", c);
		if (col + k > QP_LINE - 1) {
			r = strbuf_add(out, "=\r\n", 3);
			col = 0;
			if (r < 0)
				break;
			if (literal && (c == '.' || (c == 'F' && strncmp(s + i, "From ", 5) == 0)))
				k = (size_t)snprintf(tok, sizeof tok, "=%02X", c);
		}
		r = strbuf_add(out, tok, k);
		col += k;
	}
	if (r < 0)
		return r;
	if (!last_part)
		return strbuf_add(out, "\r\n", 2);
	return col == 0 && n > 0 ? 0 : strbuf_add(out, "=\r\n", 3);
}

static int base64_lines(struct strbuf *out, const char *s)
{
	size_t n = strlen(s);
	enum { IN = B64_LINE / 4 * 3 };
	char line[B64_LINE + 2];
	for (size_t i = 0; i < n; i += IN) {
		size_t take = n - i < IN ? n - i : IN;
		size_t k = (take + 2) / 3 * 4;
		base64((const unsigned char *)s + i, take, line);
		line[k] = '\r';
		line[k + 1] = '\n';
		int r = strbuf_add(out, line, k + 2);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- the message ---------------------------------------------------------------- */

static uint64_t fnv1a(const char *s, uint64_t h)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

struct parts {
	char mixed[48], alt[48];
};

static void boundaries(const char *message_id, struct parts *ret)
{
	uint64_t a = fnv1a(message_id, UINT64_C(0xcbf29ce484222325));
	uint64_t b = fnv1a(message_id, UINT64_C(0x84222325cbf29ce4));
	snprintf(ret->mixed, sizeof ret->mixed, "=_cal_m_%016llx%016llx", (unsigned long long)a,
		 (unsigned long long)b);
	snprintf(ret->alt, sizeof ret->alt, "=_cal_a_%016llx%016llx", (unsigned long long)a,
		 (unsigned long long)b);
}

static int text_part(struct strbuf *out, const char *boundary, const char *subtype,
		     const char *body)
{
	int r = 0;
	if (boundary)
		r = strbuf_printf(out, "--%s\r\n", boundary);
	if (r < 0 || (r = strbuf_printf(out,
					"Content-Type: text/%s; charset=UTF-8\r\n"
					"Content-Transfer-Encoding: quoted-printable\r\n\r\n",
					subtype)) < 0)
		return r;
	return quoted_printable(out, body, boundary == NULL);
}

static int calendar_part(struct strbuf *out, const char *boundary, const struct cal_mail *m)
{
	int r = strbuf_printf(out,
			      "--%s\r\n"
			      "Content-Type: text/calendar; charset=UTF-8; method=%s\r\n"
			      "Content-Transfer-Encoding: base64\r\n\r\n",
			      boundary, m->ics_method);
	return r < 0 ? r : base64_lines(out, m->ics);
}

static int attachment_part(struct strbuf *out, const char *boundary, const struct cal_mail *m)
{
	int r = strbuf_printf(out,
			      "--%s\r\n"
			      "Content-Type: application/ics; name=\"invite.ics\"\r\n"
			      "Content-Disposition: attachment; filename=\"invite.ics\"\r\n"
			      "Content-Transfer-Encoding: base64\r\n\r\n",
			      boundary);
	return r < 0 ? r : base64_lines(out, m->ics);
}

/* multipart/alternative, its Content-Type line included. */
static int alternative(struct strbuf *out, const struct parts *p, const struct cal_mail *m)
{
	int r = strbuf_printf(
	    out, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n", p->alt);
	if (r < 0 || (r = text_part(out, p->alt, "plain", m->text)) < 0)
		return r;
	if (m->html && (r = text_part(out, p->alt, "html", m->html)) < 0)
		return r;
	if (m->ics && (r = calendar_part(out, p->alt, m)) < 0)
		return r;
	return strbuf_printf(out, "--%s--\r\n", p->alt);
}

static int body(struct strbuf *out, const struct cal_mail *m)
{
	struct parts p;
	boundaries(m->message_id, &p);
	int r;
	if (!m->ics && !m->html)
		return text_part(out, NULL, "plain", m->text);
	if (!m->ics)
		return alternative(out, &p, m);
	r = strbuf_printf(out, "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n\r\n--%s\r\n",
			  p.mixed, p.mixed);
	if (r < 0 || (r = alternative(out, &p, m)) < 0 ||
	    (r = attachment_part(out, p.mixed, m)) < 0)
		return r;
	return strbuf_printf(out, "--%s--\r\n", p.mixed);
}

/* RFC 6047 2.4: the method parameter equals the object's METHOD. */
static bool ics_method_ok(const char *ics, const char *method)
{
	static const char *const methods[] = {"REQUEST", "CANCEL", "REPLY"};
	bool known = false;
	for (size_t i = 0; method && i < CAL_ARRAY_SIZE(methods); i++)
		known = known || strcmp(method, methods[i]) == 0;
	if (!known)
		return false;
	size_t k = strlen(method);
	for (const char *p = ics; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncasecmp(p, "METHOD:", 7) == 0)
			return strncmp(p + 7, method, k) == 0 &&
			       (p[7 + k] == '\r' || p[7 + k] == '\n');
		if (strncasecmp(p, "BEGIN:VEVENT", 12) == 0)
			break;
	}
	return false;
}

static int headers(struct strbuf *out, const struct cal_mail *m)
{
	int r = date_header(out, m->date);
	if (r < 0 || (r = address(out, "From", m->from_addr, m->from_name)) < 0 ||
	    (r = address(out, "To", m->to_addr, m->to_name)) < 0)
		return r;
	if (m->reply_to && (r = address(out, "Reply-To", m->reply_to, NULL)) < 0)
		return r;
	if ((r = unstructured(out, "Subject", m->subject)) < 0 ||
	    (r = msg_id_header(out, "Message-ID", m->message_id)) < 0)
		return r;
	if (m->in_reply_to && ((r = msg_id_header(out, "In-Reply-To", m->in_reply_to)) < 0 ||
			       (r = msg_id_header(out, "References", m->in_reply_to)) < 0))
		return r;
	if ((r = strbuf_puts(out, "MIME-Version: 1.0\r\n")) < 0)
		return r;
	if (lang_tag_valid(m->lang) &&
	    (r = strbuf_printf(out, "Content-Language: %s\r\n", m->lang)) < 0)
		return r;
	return strbuf_puts(out, "Auto-Submitted: auto-generated\r\n");
}

int cal_mail_render(const struct cal_mail *m, struct strbuf *out)
{
	if (!m || !m->text || !m->message_id || (m->ics && !ics_method_ok(m->ics, m->ics_method)))
		return CAL_E_INVALID;
	size_t before = out->len;
	int r = headers(out, m);
	if (r == 0)
		r = body(out, m);
	if (r < 0 && out->buf) {
		out->len = before;
		out->buf[before] = '\0';
	}
	return r;
}
