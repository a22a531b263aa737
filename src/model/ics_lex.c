/*
 * The lexical layer of RFC 5545 (section 3.1): unfolding, content lines
 * (name, parameters, value) and the BEGIN/END tree, with the physical line
 * number of every line kept for error messages.
 *
 * Every line must be a content line, valid UTF-8 (checked after unfolding,
 * since some writers fold inside a character) without control characters
 * other than HTAB. Lines may end in CRLF, LF or CR. Parameters and values
 * are only taken apart for the properties import reads (known_props); any
 * other line just needs a name followed by ';' or ':', and is dropped, so
 * that an odd X- property cannot make a file unreadable.
 */
#include <string.h>

#include "model/ics_internal.h"

/* Deeper than VCALENDAR > VEVENT > VALARM is never needed; X- components
 * may nest a little. */
enum { ICS_DEPTH_MAX = 8 };

static const char *const known_props[] = {
	"VERSION",	"METHOD",      "X-WR-TIMEZONE", "TZID",	     "X-LIC-LOCATION",
	"TZOFFSETFROM", "TZOFFSETTO",  "DTSTART",	"RRULE",     "RDATE",
	"UID",		"SEQUENCE",    "DTSTAMP",	"DTEND",     "DURATION",
	"SUMMARY",	"DESCRIPTION", "LOCATION",	"EXDATE",    "RECURRENCE-ID",
	"STATUS",	"CLASS",       "TRANSP",	"ORGANIZER", "ATTENDEE",
	"LAST-MODIFIED", "ACTION",     "TRIGGER",
};

struct lexer {
	const char *p, *end;
	unsigned lineno; /* physical line number at p */
	struct arena *scratch;
	const struct ics_diag *d;
	const struct cal_ics_limits *lim;
	struct ics_comp *root, *cur;
	unsigned depth, n_components;
};

/* One content line after unfolding, NUL-terminated in the scratch arena. */
struct line {
	char *s;
	size_t n;
	unsigned no;
};

static const char *eol(const char *p, const char *end)
{
	while (p < end && *p != '\r' && *p != '\n')
		p++;
	return p;
}

static const char *skip_eol(const char *p, const char *end)
{
	if (p < end && *p == '\r')
		p++;
	if (p < end && *p == '\n')
		p++;
	return p;
}

static bool continues(const char *p, const char *end)
{
	return p < end && (*p == ' ' || *p == '\t');
}

/* Joins a physical line with the continuation lines that follow it (each
 * loses its first whitespace character). */
static int next_line(struct lexer *lx, struct line *ret)
{
	size_t total = 0;
	const char *q = lx->p;
	unsigned n_phys = 0;
	do {
		const char *s = n_phys ? q + 1 : q;
		const char *e = eol(s, lx->end);
		total += (size_t)(e - s);
		q = skip_eol(e, lx->end);
		n_phys++;
	} while (continues(q, lx->end));
	char *buf = arena_alloc(lx->scratch, total + 1);
	if (!buf)
		return CAL_E_NOMEM;
	size_t at = 0;
	q = lx->p;
	for (unsigned i = 0; i < n_phys; i++) {
		const char *s = i ? q + 1 : q;
		const char *e = eol(s, lx->end);
		memcpy(buf + at, s, (size_t)(e - s));
		at += (size_t)(e - s);
		q = skip_eol(e, lx->end);
	}
	buf[total] = '\0';
	*ret = (struct line){ .s = buf, .n = total, .no = lx->lineno };
	lx->p = q;
	lx->lineno += n_phys;
	return 0;
}

static int check_bytes(const struct lexer *lx, const struct line *l)
{
	const unsigned char *s = (const unsigned char *)l->s;
	for (size_t i = 0; i < l->n;) {
		if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7F)
			return ics_fail(lx->d, l->no, NULL, "control character 0x%02X", s[i]);
		size_t k = ics_utf8_len(s + i, l->n - i);
		if (k == 0)
			return ics_fail(lx->d, l->no, NULL, "invalid UTF-8");
		i += k;
	}
	return 0;
}

static bool name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-';
}

/* Length of the name at s, upper-cased in place. */
static size_t take_name(char *s)
{
	size_t i = 0;
	for (; name_char(s[i]); i++)
		if (s[i] >= 'a' && s[i] <= 'z')
			s[i] = (char)(s[i] - 32);
	return i;
}

static bool is_known(const char *name)
{
	for (size_t i = 0; i < CAL_ARRAY_SIZE(known_props); i++)
		if (strcmp(known_props[i], name) == 0)
			return true;
	return false;
}

/* RFC 6868: ^^ is ^, ^n is a newline, ^' is a double quote. */
static char *decode_param(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n + 1);
	if (!out)
		return NULL;
	char *o = out;
	for (size_t i = 0; i < n; i++) {
		char c = i + 1 < n && s[i] == '^' ? s[i + 1] : 0;
		if (c == '^' || c == 'n' || c == '\'') {
			*o++ = c == 'n' ? '\n' : c == '\'' ? '"' : '^';
			i++;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* One parameter value at *pp, quoted or not; advances past it. */
static int param_value(struct lexer *lx, const struct line *l, const char *prop, char **pp,
		       const char **ret)
{
	char *p = *pp, *q;
	if (*p == '"') {
		q = strchr(p + 1, '"');
		if (!q)
			return ics_fail(lx->d, l->no, prop, "unterminated quoted parameter value");
		*ret = decode_param(lx->scratch, p + 1, (size_t)(q - p - 1));
		*pp = q + 1;
	} else {
		for (q = p; *q && *q != ';' && *q != ':' && *q != ',' && *q != '"'; q++)
			;
		if (*q == '"')
			return ics_fail(lx->d, l->no, prop, "a quote inside a parameter value");
		*ret = decode_param(lx->scratch, p, (size_t)(q - p));
		*pp = q;
	}
	return *ret ? 0 : CAL_E_NOMEM;
}

/* ";NAME=value[,value...]"; only the first value is kept. */
static int lex_param(struct lexer *lx, const struct line *l, const char *prop, char **pp,
		     struct ics_param **ret)
{
	char *p = *pp + 1;
	size_t n = take_name(p);
	if (n == 0)
		return ics_fail(lx->d, l->no, prop, "parameter name expected");
	if (p[n] != '=')
		return ics_fail(lx->d, l->no, prop, "'=' expected after parameter %.*s", (int)n, p);
	struct ics_param *par = arena_alloc(lx->scratch, sizeof(*par));
	if (!par || !(par->name = arena_strndup(lx->scratch, p, n)))
		return CAL_E_NOMEM;
	p += n + 1;
	int rc = param_value(lx, l, prop, &p, &par->value);
	while (rc == 0 && *p == ',') {
		const char *ignored;
		p++;
		rc = param_value(lx, l, prop, &p, &ignored);
	}
	if (rc < 0)
		return rc;
	if (*p != ';' && *p != ':')
		return ics_fail(lx->d, l->no, prop, "';' or ':' expected after parameter %s",
				par->name);
	*pp = p;
	*ret = par;
	return 0;
}

static int lex_prop(struct lexer *lx, const struct line *l, char *name, char *p)
{
	struct ics_prop *prop = arena_alloc(lx->scratch, sizeof(*prop));
	if (!prop)
		return CAL_E_NOMEM;
	*prop = (struct ics_prop){ .line = l->no, .name = name };
	struct ics_param **tail = &prop->params;
	while (*p == ';') {
		int rc = lex_param(lx, l, name, &p, tail);
		if (rc < 0)
			return rc;
		tail = &(*tail)->next;
	}
	prop->value = p + 1;
	*lx->cur->props_tail = prop;
	lx->cur->props_tail = &prop->next;
	return 0;
}

static int lex_begin(struct lexer *lx, const struct line *l, const char *name)
{
	bool at_root = lx->cur == lx->root;
	if (at_root != (strcmp(name, "VCALENDAR") == 0))
		return ics_fail(lx->d, l->no, NULL,
				at_root ? "BEGIN:VCALENDAR expected, not BEGIN:%s"
					: "BEGIN:%s inside another component",
				name);
	if (lx->n_components >= lx->lim->components_max)
		return ics_fail(lx->d, l->no, NULL, "more than %u components",
				lx->lim->components_max);
	if (lx->depth >= ICS_DEPTH_MAX)
		return ics_fail(lx->d, l->no, NULL, "components nested too deeply");
	struct ics_comp *c = arena_alloc(lx->scratch, sizeof(*c));
	if (!c)
		return CAL_E_NOMEM;
	*c = (struct ics_comp){ .line = l->no, .name = name, .parent = lx->cur };
	c->props_tail = &c->props;
	c->children_tail = &c->children;
	*lx->cur->children_tail = c;
	lx->cur->children_tail = &c->next;
	lx->cur = c;
	lx->depth++;
	lx->n_components++;
	return 0;
}

static int lex_end(struct lexer *lx, const struct line *l, const char *name)
{
	if (lx->cur == lx->root)
		return ics_fail(lx->d, l->no, NULL, "END:%s without BEGIN", name);
	if (strcmp(name, lx->cur->name) != 0)
		return ics_fail(lx->d, l->no, NULL, "END:%s where END:%s (BEGIN at line %u) belongs",
				name, lx->cur->name, lx->cur->line);
	lx->cur = lx->cur->parent;
	lx->depth--;
	return 0;
}

/* "BEGIN:NAME" / "END:NAME": the value is a component name. */
static int lex_structure(struct lexer *lx, const struct line *l, const char *what, char *p)
{
	if (*p != ':')
		return ics_fail(lx->d, l->no, what, "':' expected");
	char *name = p + 1;
	size_t n = take_name(name);
	if (n == 0 || name[n] != '\0')
		return ics_fail(lx->d, l->no, what, "component name expected");
	return what[0] == 'B' ? lex_begin(lx, l, name) : lex_end(lx, l, name);
}

static int lex_line(struct lexer *lx, const struct line *l)
{
	int rc = check_bytes(lx, l);
	if (rc < 0)
		return rc;
	char *s = l->s;
	size_t n = take_name(s);
	if (n == 0 || (s[n] != ';' && s[n] != ':'))
		return ics_fail(lx->d, l->no, NULL, "not a content line (NAME:value expected)");
	char *rest = s + n;
	char *name = arena_strndup(lx->scratch, s, n);
	if (!name)
		return CAL_E_NOMEM;
	if (strcmp(name, "BEGIN") == 0 || strcmp(name, "END") == 0)
		return lex_structure(lx, l, name, rest);
	if (lx->cur == lx->root)
		return ics_fail(lx->d, l->no, name, "outside of BEGIN:VCALENDAR");
	return is_known(name) ? lex_prop(lx, l, name, rest) : 0;
}

/* Where the byte limit is crossed, for the message. */
static unsigned line_at(const char *text, size_t off)
{
	unsigned no = 1;
	for (const char *p = text; (p = memchr(p, '\n', (size_t)(text + off - p))); p++)
		no++;
	return no;
}

static int lex_all(struct lexer *lx)
{
	while (lx->p < lx->end) {
		struct line l;
		int rc = next_line(lx, &l);
		if (rc == 0 && l.n > 0)
			rc = lex_line(lx, &l);
		if (rc < 0)
			return rc;
	}
	if (lx->cur != lx->root)
		return ics_fail(lx->d, lx->cur->line, NULL,
				"BEGIN:%s is never closed (the file ends before END:%s)",
				lx->cur->name, lx->cur->name);
	if (!lx->root->children)
		return ics_fail(lx->d, 1, NULL, "not an iCalendar file (no BEGIN:VCALENDAR)");
	return 0;
}

int ics_lex(const char *text, size_t len, const struct cal_ics_limits *lim, struct arena *scratch,
	    const struct ics_diag *d, struct ics_comp **ret_root)
{
	if (len > lim->bytes_max)
		return ics_fail(d, line_at(text, lim->bytes_max), NULL,
				"the file is larger than %zu bytes", lim->bytes_max);
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
	}
	struct ics_comp *root = arena_alloc(scratch, sizeof(*root));
	if (!root)
		return CAL_E_NOMEM;
	*root = (struct ics_comp){ .name = "" };
	root->props_tail = &root->props;
	root->children_tail = &root->children;
	struct lexer lx = { .p = text, .end = text + len, .lineno = 1, .scratch = scratch,
			    .d = d, .lim = lim, .root = root, .cur = root };
	int rc = lex_all(&lx);
	if (rc < 0)
		return rc;
	*ret_root = root;
	return 0;
}

const char *ics_param(const struct ics_prop *p, const char *name)
{
	for (const struct ics_param *par = p->params; par; par = par->next)
		if (strcmp(par->name, name) == 0)
			return par->value;
	return NULL;
}

const struct ics_prop *ics_prop_find(const struct ics_comp *c, const char *name)
{
	for (const struct ics_prop *p = c->props; p; p = p->next)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}
