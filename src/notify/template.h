/* E-mail templates: a small "{{name}}" renderer and the set of message
 * templates (subject, plain text and HTML per message kind and language).
 *
 * Syntax (a subset of Mustache, without partials, lambdas or delimiters):
 *   {{name}}              the variable's value; HTML-escaped (& < > " ') in
 *                         CAL_TPL_HTML mode, as is in CAL_TPL_TEXT mode
 *   {{{name}}}            the value as is, even in HTML mode. Only for values
 *                         that are already safe HTML built by our own code,
 *                         never for text a user or a provider typed
 *   {{#name}}…{{/name}}   the inside only when name is set and non-empty
 *   {{^name}}…{{/name}}   the inside only when name is unset or empty
 *   {{! comment }}        nothing (may span lines)
 * Spaces around a name are allowed ("{{ name }}"); names are
 * [A-Za-z0-9_.-]. Sections nest up to CAL_TPL_DEPTH_MAX deep. A variable
 * that is not in the list (or is NULL) renders as empty. A line holding
 * only a section or comment tag (and blanks) disappears entirely with its
 * line end, as in Mustache, so conditional lines leave no blank lines in
 * the plain text part. There is no way to write a literal "{{".
 * Substituted values are never parsed again, so "{{" inside a value is
 * just text.
 *
 * Templates are files "<lang>/<name>.<part>" (part: subject, txt, html).
 * The defaults live in src/notify/templates/ and are compiled into the
 * binary; an operator overrides any of them by putting a file with the same
 * relative path under a directory of their own (CALENDARD_TEMPLATE_DIR).
 *
 * Thread-safety: everything here is reentrant; the default set is
 * read-only data. */
#ifndef CAL_NOTIFY_TEMPLATE_H
#define CAL_NOTIFY_TEMPLATE_H

#include <stddef.h>

#include "base/arena.h"
#include "base/errors.h"
#include "base/strbuf.h"

enum {
	CAL_TPL_DEPTH_MAX = 8,		      /* nested sections */
	CAL_TPL_NAME_MAX = 64,		      /* template and variable names */
	CAL_TPL_FILE_MAX = 256 * 1024,	      /* an override file */
	CAL_TPL_OUTPUT_MAX = 2 * 1024 * 1024, /* one rendered part in cal_tpl_message */
};

enum cal_tpl_mode { CAL_TPL_TEXT, CAL_TPL_HTML };

/* Both strings borrowed. value NULL is the same as an absent variable. When
 * a name appears twice, the first one counts. */
struct cal_tpl_var {
	const char *name, *value;
};

/* Renders tpl[0..len) and appends the result to out (whose cap applies).
 * A malformed template — an unclosed tag, a bad name, a section closed by
 * the wrong name or never closed, nesting past CAL_TPL_DEPTH_MAX — is
 * CAL_E_INVALID with err->detail naming the line ("line 3: {{/b}} does not
 * close {{#a}} (opened on line 1)"), allocated from `a` (with a == NULL the
 * detail is a fixed text without the line). The whole template is checked,
 * also the sections that render nothing, so an error never depends on the
 * data. CAL_E_TOO_LARGE at out's cap. On failure out is as before the call.
 * err may be NULL. */
int cal_tpl_render(const char *tpl, size_t len, enum cal_tpl_mode mode,
		   const struct cal_tpl_var *vars, size_t n_vars, struct strbuf *out,
		   struct arena *a, struct cal_error *err);

/* One compiled-in template file; path is "<lang>/<name>.<part>". The table
 * is generated at build time by cmake/embed.cmake (KIND templates), sorted
 * by path. */
struct cal_tpl_file {
	const char *path;
	const char *text;
	size_t len;
};
extern const struct cal_tpl_file cal_tpl_default_files[];
extern const size_t cal_tpl_default_files_count;

/* The text of one template part. lang is reduced by cal_notify_lang
 * (notify/format.h): "en"/"en-US" mean English, anything else Spanish. name
 * must be 1..CAL_TPL_NAME_MAX characters of [A-Za-z0-9_-] (so no "/", ".."
 * or other path tricks) and part one of "subject", "txt", "html"; otherwise
 * CAL_E_INVALID. override_dir/<lang>/<name>.<part> wins when it exists
 * (override_dir NULL or "": no overrides); otherwise the compiled-in file.
 * CAL_E_NOT_FOUND when neither exists, CAL_E_TOO_LARGE for an override
 * over CAL_TPL_FILE_MAX, CAL_E_INTERNAL when an override exists but cannot
 * be read (a broken override is reported rather than silently replaced by
 * the default). *ret_text is NUL-terminated and borrowed: static data or
 * allocated from a. */
int cal_tpl_load(const char *override_dir, const char *lang, const char *name, const char *part,
		 struct arena *a, const char **ret_text, size_t *ret_len);

/* A rendered message, all strings allocated from the arena given to
 * cal_tpl_message. */
struct cal_tpl_rendered {
	const char *subject; /* one line: no CR, LF or other control character */
	const char *text;    /* plain text part */
	const char *html;    /* HTML part; NULL when the template has no .html */
	size_t text_len, html_len;
};

/* Loads and renders the three parts of template `name`: the subject in TEXT
 * mode with every run of blanks and control characters (CR, LF, TAB, DEL,
 * C1) folded to one space and the ends trimmed, the .txt in TEXT mode and the .html in
 * HTML mode. The subject and .txt parts must exist; .html is optional.
 * Errors as cal_tpl_load and cal_tpl_render (each part capped at
 * CAL_TPL_OUTPUT_MAX); use cal_tpl_check to learn where an override is
 * malformed. *ret is set only on success. */
int cal_tpl_message(const char *override_dir, const char *lang, const char *name,
		    const struct cal_tpl_var *vars, size_t n, struct arena *a,
		    struct cal_tpl_rendered *ret);

/* Parses every template the program knows of (each compiled-in path, as
 * overridden by override_dir) and reports the first malformed or
 * unreadable one: CAL_E_INVALID etc. with err->detail like
 * "en/invitation.html: line 3: unclosed tag" (allocated from a). Meant for
 * startup, so that a bad override is found before the first e-mail. */
int cal_tpl_check(const char *override_dir, struct arena *a, struct cal_error *err);

#endif
