/* The "{{name}}" renderer and the template set. Rendering is one pass that
 * parses and emits together: a section whose condition is false is still
 * parsed (with output switched off), so a malformed template fails the same
 * way whatever the variables are, and no token list has to be allocated.
 * Override files are read with plain POSIX calls; the defaults come from
 * the table cmake/embed.cmake generates from src/notify/templates/. */
#include "notify/template.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/macro.h"
#include "notify/format.h"

enum tag_kind { TAG_VAR, TAG_RAW, TAG_OPEN, TAG_INVERTED, TAG_CLOSE, TAG_COMMENT };

struct section {
	const char *name;
	size_t name_len;
	unsigned line;
	bool was_emitting;
};

struct render {
	const char *tpl;
	size_t len, pos;
	unsigned line; /* of tpl[pos] */
	enum cal_tpl_mode mode;
	const struct cal_tpl_var *vars;
	size_t n_vars;
	struct strbuf *out;
	bool emitting;
	struct section stack[CAL_TPL_DEPTH_MAX];
	size_t depth;
	struct arena *a;
	struct cal_error *err;
};

struct tag {
	enum tag_kind kind;
	const char *name;
	size_t name_len;
	size_t start, end; /* tpl[start..end) is the tag itself */
	unsigned line;
};

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

static int fail(struct render *r, unsigned line, const char *what)
{
	const char *detail = r->a ? arena_printf(r->a, "line %u: %s", line, what) : NULL;
	cal_error_set(r->err, CAL_E_INVALID, detail ? detail : "malformed template");
	return CAL_E_INVALID;
}

static int fail_name(struct render *r, unsigned line, const char *fmt_before, const char *name,
		     size_t name_len, const char *after)
{
	const char *what =
	    r->a ? arena_printf(r->a, "%s%.*s%s", fmt_before, (int)name_len, name, after) : NULL;
	return fail(r, line, what ? what : "malformed section");
}

static unsigned count_lines(const char *s, size_t n)
{
	unsigned k = 0;
	for (const char *p = s, *end = s + n; (p = memchr(p, '\n', (size_t)(end - p))); p++)
		k++;
	return k;
}

static const char *lookup(const struct render *r, const char *name, size_t n)
{
	for (size_t i = 0; i < r->n_vars; i++) {
		const char *v = r->vars[i].name;
		if (v && strlen(v) == n && memcmp(v, name, n) == 0)
			return r->vars[i].value;
	}
	return NULL;
}

static int emit(struct render *r, const char *s, size_t n)
{
	return r->emitting && n ? strbuf_add(r->out, s, n) : 0;
}

static int emit_escaped(struct render *r, const char *s)
{
	const char *run = s;
	for (; *s; s++) {
		const char *ent;
		switch (*s) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			ent = "&#39;";
			break;
		default:
			continue;
		}
		int rc = strbuf_add(r->out, run, (size_t)(s - run));
		if (rc < 0 || (rc = strbuf_puts(r->out, ent)) < 0)
			return rc;
		run = s + 1;
	}
	return strbuf_add(r->out, run, (size_t)(s - run));
}

/* Reads the tag that starts at r->tpl[at] ("{{"); r->line is its line. */
static int parse_tag(struct render *r, size_t at, struct tag *ret)
{
	const char *t = r->tpl;
	size_t i = at + 2, n = r->len;
	struct tag tag = {.kind = TAG_VAR, .start = at, .line = r->line};
	if (i < n && t[i] == '{') {
		tag.kind = TAG_RAW;
		i++;
	} else if (i < n && strchr("#^/!", t[i])) {
		tag.kind = t[i] == '#'	 ? TAG_OPEN
			   : t[i] == '^' ? TAG_INVERTED
			   : t[i] == '/' ? TAG_CLOSE
					 : TAG_COMMENT;
		i++;
	}
	if (tag.kind == TAG_COMMENT) {
		const char *close = memmem(t + i, n - i, "}}", 2);
		if (!close)
			return fail(r, tag.line, "unclosed comment");
		tag.end = (size_t)(close - t) + 2;
		*ret = tag;
		return 0;
	}
	while (i < n && (t[i] == ' ' || t[i] == '\t'))
		i++;
	tag.name = t + i;
	while (i < n && name_char(t[i]))
		i++;
	tag.name_len = (size_t)(t + i - tag.name);
	while (i < n && (t[i] == ' ' || t[i] == '\t'))
		i++;
	const char *close = tag.kind == TAG_RAW ? "}}}" : "}}";
	size_t k = strlen(close);
	if (n - i < k || memcmp(t + i, close, k) != 0) {
		const char *eol = memchr(t + at, '\n', n - at);
		size_t rest = eol ? (size_t)(eol - (t + at)) : n - at;
		if (tag.kind != TAG_RAW && memmem(t + at + 2, rest - 2, "}}", 2))
			return fail(r, tag.line,
				    "a tag name may only hold letters, digits, '_', '.' and '-'");
		return fail(r, tag.line,
			    tag.kind == TAG_RAW ? "unclosed tag (expected \"}}}\")"
						: "unclosed tag");
	}
	if (tag.name_len == 0)
		return fail(r, tag.line, "empty tag name");
	tag.end = i + k;
	*ret = tag;
	return 0;
}

/* A section or comment tag alone on its line (blanks aside) takes the
 * whole line with it. Returns where the text before the tag ends and moves
 * tag->end past the line end, or leaves both alone. */
static size_t standalone(const struct render *r, struct tag *tag)
{
	if (tag->kind == TAG_VAR || tag->kind == TAG_RAW)
		return tag->start;
	const char *t = r->tpl;
	size_t b = tag->start;
	while (b > 0 && (t[b - 1] == ' ' || t[b - 1] == '\t'))
		b--;
	if (b > 0 && t[b - 1] != '\n')
		return tag->start;
	size_t e = tag->end;
	while (e < r->len && (t[e] == ' ' || t[e] == '\t'))
		e++;
	if (e < r->len && t[e] == '\n')
		e++;
	else if (e + 1 < r->len && t[e] == '\r' && t[e + 1] == '\n')
		e += 2;
	else if (e < r->len)
		return tag->start;
	tag->end = e;
	return b;
}

static int do_tag(struct render *r, const struct tag *tag)
{
	switch (tag->kind) {
	case TAG_VAR:
	case TAG_RAW: {
		const char *v = r->emitting ? lookup(r, tag->name, tag->name_len) : NULL;
		if (!v)
			return 0;
		if (tag->kind == TAG_VAR && r->mode == CAL_TPL_HTML)
			return emit_escaped(r, v);
		return strbuf_puts(r->out, v);
	}
	case TAG_OPEN:
	case TAG_INVERTED: {
		if (r->depth == CAL_TPL_DEPTH_MAX)
			return fail(r, tag->line, "sections nested too deep");
		const char *v = lookup(r, tag->name, tag->name_len);
		bool set = v && *v;
		r->stack[r->depth++] = (struct section){.name = tag->name,
							.name_len = tag->name_len,
							.line = tag->line,
							.was_emitting = r->emitting};
		r->emitting = r->emitting && (tag->kind == TAG_OPEN ? set : !set);
		return 0;
	}
	case TAG_CLOSE: {
		if (r->depth == 0)
			return fail_name(r, tag->line, "{{/", tag->name, tag->name_len,
					 "}} closes no section");
		const struct section *s = &r->stack[r->depth - 1];
		if (s->name_len != tag->name_len || memcmp(s->name, tag->name, s->name_len) != 0) {
			const char *opened =
			    r->a ? arena_printf(r->a,
						"}} does not close {{#%.*s}} (opened on line %u)",
						(int)s->name_len, s->name, s->line)
				 : NULL;
			return fail_name(r, tag->line, "{{/", tag->name, tag->name_len,
					 opened ? opened : "}} closes another section");
		}
		r->emitting = s->was_emitting;
		r->depth--;
		return 0;
	}
	case TAG_COMMENT:
		return 0;
	}
	return CAL_E_INTERNAL;
}

static int render_all(struct render *r)
{
	int rc;
	while (r->pos < r->len) {
		const char *t = r->tpl + r->pos;
		const char *open = memmem(t, r->len - r->pos, "{{", 2);
		if (!open) {
			if ((rc = emit(r, t, r->len - r->pos)) < 0)
				return rc;
			break;
		}
		size_t at = (size_t)(open - r->tpl);
		r->line += count_lines(t, at - r->pos);
		struct tag tag = { 0 };
		if ((rc = parse_tag(r, at, &tag)) < 0)
			return rc;
		size_t text_end = standalone(r, &tag);
		if ((rc = emit(r, t, text_end - r->pos)) < 0 || (rc = do_tag(r, &tag)) < 0)
			return rc;
		r->line += count_lines(r->tpl + at, tag.end - at);
		r->pos = tag.end;
	}
	if (r->depth > 0) {
		const struct section *s = &r->stack[r->depth - 1];
		return fail_name(r, s->line, "section {{#", s->name, s->name_len,
				 "}} is never closed");
	}
	return 0;
}

int cal_tpl_render(const char *tpl, size_t len, enum cal_tpl_mode mode,
		   const struct cal_tpl_var *vars, size_t n_vars, struct strbuf *out,
		   struct arena *a, struct cal_error *err)
{
	struct render r = {.tpl = tpl,
			   .len = len,
			   .line = 1,
			   .mode = mode,
			   .vars = vars,
			   .n_vars = n_vars,
			   .out = out,
			   .emitting = true,
			   .a = a,
			   .err = err};
	size_t before = out->len;
	int rc = tpl ? render_all(&r) : CAL_E_INVALID;
	if (rc == CAL_E_TOO_LARGE || rc == CAL_E_NOMEM)
		cal_error_set(err, rc,
			      rc == CAL_E_NOMEM ? "out of memory"
						: "the rendered template is too large");
	if (rc < 0 && out->buf) {
		out->len = before;
		out->buf[before] = '\0';
	}
	return rc;
}

/* ---- the template set ------------------------------------------------------------- */

static bool valid_name(const char *name)
{
	size_t n = 0;
	for (; name && name[n]; n++)
		if (n == CAL_TPL_NAME_MAX || !name_char(name[n]) || name[n] == '.')
			return false;
	return n > 0;
}

static bool valid_part(const char *part)
{
	return part && (strcmp(part, "subject") == 0 || strcmp(part, "txt") == 0 ||
			strcmp(part, "html") == 0);
}

static const struct cal_tpl_file *default_file(const char *path)
{
	for (size_t i = 0; i < cal_tpl_default_files_count; i++)
		if (strcmp(cal_tpl_default_files[i].path, path) == 0)
			return &cal_tpl_default_files[i];
	return NULL;
}

/* 0 with the file's text, 1 when there is no such file (fall back to the
 * default), or an error for a file that exists but cannot be used. */
static int read_override(const char *path, struct arena *a, const char **ret_text, size_t *ret_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 1 : CAL_E_INTERNAL;
	struct stat st;
	int rc = 0;
	char *buf = NULL;
	size_t got = 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		rc = CAL_E_INTERNAL;
	else if (st.st_size > CAL_TPL_FILE_MAX)
		rc = CAL_E_TOO_LARGE;
	else if (!(buf = arena_alloc(a, (size_t)st.st_size + 1)))
		rc = CAL_E_NOMEM;
	/* Reads at most the size fstat saw, so a file growing meanwhile
	 * cannot overrun the buffer. */
	while (rc == 0 && got < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + got, (size_t)st.st_size - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			rc = CAL_E_INTERNAL;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	if (rc < 0)
		return rc;
	buf[got] = '\0';
	*ret_text = buf;
	*ret_len = got;
	return 0;
}

int cal_tpl_load(const char *override_dir, const char *lang, const char *name, const char *part,
		 struct arena *a, const char **ret_text, size_t *ret_len)
{
	if (!valid_name(name) || !valid_part(part))
		return CAL_E_INVALID;
	char rel[2 + 1 + CAL_TPL_NAME_MAX + 1 + 7 + 1];
	snprintf(rel, sizeof rel, "%s/%s.%s", cal_notify_lang(lang), name, part);
	if (override_dir && *override_dir) {
		const char *path = arena_printf(a, "%s/%s", override_dir, rel);
		if (!path)
			return CAL_E_NOMEM;
		int rc = read_override(path, a, ret_text, ret_len);
		if (rc <= 0)
			return rc;
	}
	const struct cal_tpl_file *f = default_file(rel);
	if (!f)
		return CAL_E_NOT_FOUND;
	*ret_text = f->text;
	*ret_len = f->len;
	return 0;
}

/* Control characters (C0, DEL and the UTF-8 encoded C1 range) in a row
 * become one space; leading and trailing blanks go. */
static char *one_line(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n + 1);
	if (!out)
		return NULL;
	size_t k = 0;
	bool gap = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool ctl = c < 0x20 || c == 0x7f || c == ' ';
		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f) {
			ctl = true;
			i++;
		}
		if (ctl) {
			gap = k > 0;
			continue;
		}
		if (gap)
			out[k++] = ' ';
		gap = false;
		out[k++] = (char)c;
	}
	out[k] = '\0';
	return out;
}

static int render_part(const char *dir, const char *lang, const char *name, const char *part,
		       enum cal_tpl_mode mode, const struct cal_tpl_var *vars, size_t n,
		       struct arena *a, struct cal_error *err, const char **ret, size_t *ret_len)
{
	const char *tpl;
	size_t len;
	int rc = cal_tpl_load(dir, lang, name, part, a, &tpl, &len);
	if (rc < 0)
		return rc;
	_cleanup_(strbuf_release) struct strbuf sb = STRBUF_INIT(CAL_TPL_OUTPUT_MAX);
	if ((rc = cal_tpl_render(tpl, len, mode, vars, n, &sb, a, err)) < 0)
		return rc;
	const char *text = strcmp(part, "subject") == 0 ? one_line(a, strbuf_str(&sb), sb.len)
							: arena_strndup(a, strbuf_str(&sb), sb.len);
	if (!text)
		return CAL_E_NOMEM;
	*ret = text;
	*ret_len = strcmp(part, "subject") == 0 ? strlen(text) : sb.len;
	return 0;
}

int cal_tpl_message(const char *override_dir, const char *lang, const char *name,
		    const struct cal_tpl_var *vars, size_t n, struct arena *a,
		    struct cal_tpl_rendered *ret)
{
	struct cal_tpl_rendered m = {0};
	size_t subject_len;
	int rc = render_part(override_dir, lang, name, "subject", CAL_TPL_TEXT, vars, n, a, NULL,
			     &m.subject, &subject_len);
	if (rc < 0 || (rc = render_part(override_dir, lang, name, "txt", CAL_TPL_TEXT, vars, n, a,
					NULL, &m.text, &m.text_len)) < 0)
		return rc;
	rc = render_part(override_dir, lang, name, "html", CAL_TPL_HTML, vars, n, a, NULL, &m.html,
			 &m.html_len);
	if (rc < 0 && rc != CAL_E_NOT_FOUND)
		return rc;
	*ret = m;
	return 0;
}

int cal_tpl_check(const char *override_dir, struct arena *a, struct cal_error *err)
{
	for (size_t i = 0; i < cal_tpl_default_files_count; i++) {
		const char *path = cal_tpl_default_files[i].path;
		const char *slash = strchr(path, '/'), *dot = strrchr(path, '.');
		if (!slash || !dot || dot < slash)
			continue;
		char lang[8], name[CAL_TPL_NAME_MAX + 1];
		snprintf(lang, sizeof lang, "%.*s", (int)(slash - path), path);
		snprintf(name, sizeof name, "%.*s", (int)(dot - slash - 1), slash + 1);
		const char *tpl;
		size_t len;
		struct cal_error e = {0};
		int rc = cal_tpl_load(override_dir, lang, name, dot + 1, a, &tpl, &len);
		if (rc == 0) {
			struct strbuf sink = STRBUF_INIT(CAL_TPL_OUTPUT_MAX);
			rc = cal_tpl_render(tpl, len, CAL_TPL_TEXT, NULL, 0, &sink, a, &e);
			strbuf_release(&sink);
		}
		if (rc < 0) {
			const char *detail = arena_printf(
			    a, "%s: %s", path, e.detail ? e.detail : cal_error_title(rc));
			return cal_error_set(err, rc, detail ? detail : path);
		}
	}
	return 0;
}
