/* Unit tests for notify/template: the renderer (escaping, sections,
 * nesting, standalone lines, errors with their line), the template set
 * (override directory precedence, path traversal refused, language
 * fallback) and the shipped templates themselves: every one, in both
 * languages, renders with a full and with an empty set of variables. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* nftw, mkdtemp */
#endif

#include <criterion/criterion.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/errors.h"
#include "base/strbuf.h"
#include "notify/template.h"

static struct arena *A;

static void setup(void)
{
	A = arena_new();
	cr_assert(A);
}

static void teardown(void)
{
	arena_free(A);
}

TestSuite(template, .init = setup, .fini = teardown);

/* ---- helpers ---------------------------------------------------------------- */

static const char *render(const char *tpl, enum cal_tpl_mode mode, const struct cal_tpl_var *vars,
			  size_t n)
{
	struct strbuf sb = STRBUF_INIT(1 << 20);
	struct cal_error err = {0};
	int r = cal_tpl_render(tpl, strlen(tpl), mode, vars, n, &sb, A, &err);
	cr_assert_eq(r, 0, "render %s: %d %s", tpl, r, err.detail ? err.detail : "");
	const char *s = arena_strdup(A, strbuf_str(&sb));
	strbuf_release(&sb);
	return s;
}

static const char *text(const char *tpl, const struct cal_tpl_var *vars, size_t n)
{
	return render(tpl, CAL_TPL_TEXT, vars, n);
}

/* The error detail of a malformed template. */
static const char *fails(const char *tpl)
{
	struct strbuf sb = STRBUF_INIT(1 << 20);
	cr_assert_eq(strbuf_puts(&sb, "before"), 0);
	struct cal_error err = {0};
	int r = cal_tpl_render(tpl, strlen(tpl), CAL_TPL_TEXT, NULL, 0, &sb, A, &err);
	cr_assert_eq(r, CAL_E_INVALID, "%s rendered (%d)", tpl, r);
	cr_assert_eq(err.code, CAL_E_INVALID);
	cr_assert_str_eq(strbuf_str(&sb), "before", "output changed on failure");
	cr_assert_not_null(err.detail);
	strbuf_release(&sb);
	return err.detail;
}

#define N(v) (sizeof(v) / sizeof((v)[0]))

/* ---- the renderer ------------------------------------------------------------- */

Test(template, variables_and_escaping)
{
	const struct cal_tpl_var v[] = {
	    {"name", "Ana & <Luis> \"quoted\" 'single'"},
	    {"empty", ""},
	    {"null", NULL},
	};
	cr_assert_str_eq(render("Hola {{name}}!", CAL_TPL_HTML, v, N(v)),
			 "Hola Ana &amp; &lt;Luis&gt; &quot;quoted&quot; &#39;single&#39;!");
	cr_assert_str_eq(render("Hola {{name}}!", CAL_TPL_TEXT, v, N(v)),
			 "Hola Ana & <Luis> \"quoted\" 'single'!");
	cr_assert_str_eq(render("{{{name}}}", CAL_TPL_HTML, v, N(v)),
			 "Ana & <Luis> \"quoted\" 'single'");
	cr_assert_str_eq(render("[{{ name }}]", CAL_TPL_TEXT, v, N(v)),
			 "[Ana & <Luis> \"quoted\" 'single']");
	cr_assert_str_eq(text("[{{unknown}}][{{empty}}][{{null}}]", v, N(v)), "[][][]");
	cr_assert_str_eq(text("", v, N(v)), "");
	cr_assert_str_eq(text("no tags } { }} here", v, N(v)), "no tags } { }} here");
	cr_assert_str_eq(text("{{! a comment\n spanning lines }}x", v, N(v)), "x");
}

Test(template, values_are_not_parsed_again)
{
	const struct cal_tpl_var v[] = {{"a", "{{b}} {{#b}}"}, {"b", "B"}};
	cr_assert_str_eq(text("{{a}}", v, N(v)), "{{b}} {{#b}}");
}

Test(template, first_of_duplicate_names_wins)
{
	const struct cal_tpl_var v[] = {{"a", "1"}, {"a", "2"}};
	cr_assert_str_eq(text("{{a}}", v, N(v)), "1");
}

Test(template, sections_and_inverted_sections)
{
	const struct cal_tpl_var v[] = {{"yes", "y"}, {"empty", ""}};
	cr_assert_str_eq(text("<{{#yes}}shown {{yes}}{{/yes}}>", v, N(v)), "<shown y>");
	cr_assert_str_eq(text("<{{#empty}}hidden{{/empty}}>", v, N(v)), "<>");
	cr_assert_str_eq(text("<{{#missing}}hidden{{/missing}}>", v, N(v)), "<>");
	cr_assert_str_eq(text("<{{^yes}}hidden{{/yes}}>", v, N(v)), "<>");
	cr_assert_str_eq(text("<{{^empty}}shown{{/empty}}>", v, N(v)), "<shown>");
	cr_assert_str_eq(text("<{{^missing}}shown{{/missing}}>", v, N(v)), "<shown>");
}

Test(template, nesting)
{
	const struct cal_tpl_var v[] = {{"a", "A"}, {"b", "B"}};
	const char *tpl = "{{#a}}a{{#b}}b{{^c}}!c{{/c}}{{/b}}{{^b}}nob{{/b}}{{/a}}"
			  "{{^a}}noa{{#b}}never{{/b}}{{/a}}";
	cr_assert_str_eq(text(tpl, v, N(v)), "ab!c");
	cr_assert_str_eq(text(tpl, v, 1), "anob");
	cr_assert_str_eq(text(tpl, NULL, 0), "noa");
	/* The same name nested in itself. */
	cr_assert_str_eq(text("{{#a}}1{{#a}}2{{/a}}3{{/a}}", v, N(v)), "123");
	/* CAL_TPL_DEPTH_MAX deep is fine. */
	char deep[512] = "", tail[512] = "";
	for (int i = 0; i < CAL_TPL_DEPTH_MAX; i++) {
		strcat(deep, "{{#a}}");
		strcat(tail, "{{/a}}");
	}
	strcat(deep, "x");
	strcat(deep, tail);
	cr_assert_str_eq(text(deep, v, N(v)), "x");
}

Test(template, standalone_section_lines_leave_no_blank_lines)
{
	const struct cal_tpl_var v[] = {{"loc", "Sala 3"}};
	const char *tpl = "Cuándo: hoy\n"
			  "{{#loc}}\n"
			  "Dónde: {{loc}}\n"
			  "{{/loc}}\n"
			  "  {{^loc}}  \n"
			  "Sin lugar\n"
			  "\t{{/loc}}\r\n"
			  "{{! comment line }}\n"
			  "Fin\n";
	cr_assert_str_eq(text(tpl, v, N(v)), "Cuándo: hoy\nDónde: Sala 3\nFin\n");
	cr_assert_str_eq(text(tpl, NULL, 0), "Cuándo: hoy\nSin lugar\nFin\n");
	/* Not alone on the line: kept inline. */
	cr_assert_str_eq(text("a {{#loc}}b{{/loc}}\nc", v, N(v)), "a b\nc");
	cr_assert_str_eq(text("{{#loc}}b{{/loc}} x\n", NULL, 0), " x\n");
	/* Standalone tags on the last line, without a newline. */
	cr_assert_str_eq(text("a\n{{#loc}}\nb\n{{/loc}}", NULL, 0), "a\n");
	cr_assert_str_eq(text("a\n{{! c }}", NULL, 0), "a\n");
}

Test(template, errors_name_the_line)
{
	cr_assert_str_eq(fails("one\ntwo\nthree {{name\nfour"), "line 3: unclosed tag");
	cr_assert_str_eq(fails("{{name"), "line 1: unclosed tag");
	cr_assert_str_eq(fails("a\n{{{raw}}\n"), "line 2: unclosed tag (expected \"}}}\")");
	cr_assert_str_eq(fails("a\n\n{{! never closed"), "line 3: unclosed comment");
	cr_assert_str_eq(fails("x {{na me}}"),
			 "line 1: a tag name may only hold letters, digits, '_', '.' and '-'");
	cr_assert_str_eq(fails("x\n{{}}"), "line 2: empty tag name");
	cr_assert_str_eq(fails("x\n{{#}}"), "line 2: empty tag name");
	cr_assert_str_eq(fails("{{#a}}\n{{#b}}\nx\n{{/a}}\n{{/b}}"),
			 "line 4: {{/a}} does not close {{#b}} (opened on line 2)");
	cr_assert_str_eq(fails("text\n{{/a}}"), "line 2: {{/a}} closes no section");
	cr_assert_str_eq(fails("1\n2\n{{#outer}}\n{{^inner}}\n{{/inner}}\n"),
			 "line 3: section {{#outer}} is never closed");
	char deep[512] = "";
	for (int i = 0; i <= CAL_TPL_DEPTH_MAX; i++)
		strcat(deep, "{{#a}}\n");
	cr_assert_str_eq(fails(deep), "line 9: sections nested too deep");
	/* Errors inside sections that render nothing are still errors, and
	 * the standalone lines before them are counted. */
	cr_assert_str_eq(fails("{{#missing}}\n\n{{bad tag}}\n{{/missing}}"),
			 "line 3: a tag name may only hold letters, digits, '_', '.' and '-'");
}

Test(template, errors_without_arena_or_error)
{
	struct strbuf sb = STRBUF_INIT(100);
	struct cal_error err = {0};
	cr_assert_eq(cal_tpl_render("{{a", 3, CAL_TPL_TEXT, NULL, 0, &sb, NULL, &err),
		     CAL_E_INVALID);
	cr_assert_str_eq(err.detail, "malformed template");
	cr_assert_eq(cal_tpl_render("{{a", 3, CAL_TPL_TEXT, NULL, 0, &sb, A, NULL), CAL_E_INVALID);
	cr_assert_eq(sb.len, 0);
	strbuf_release(&sb);
}

Test(template, output_cap)
{
	const struct cal_tpl_var v[] = {{"x", "0123456789"}};
	struct strbuf sb = STRBUF_INIT(15);
	cr_assert_eq(strbuf_puts(&sb, "ab"), 0);
	struct cal_error err = {0};
	cr_assert_eq(cal_tpl_render("{{x}}{{x}}", 10, CAL_TPL_TEXT, v, 1, &sb, A, &err),
		     CAL_E_TOO_LARGE);
	cr_assert_eq(err.code, CAL_E_TOO_LARGE);
	cr_assert_str_eq(strbuf_str(&sb), "ab");
	cr_assert_eq(cal_tpl_render("{{x}}", 5, CAL_TPL_TEXT, v, 1, &sb, A, &err), 0);
	cr_assert_str_eq(strbuf_str(&sb), "ab0123456789");
	strbuf_release(&sb);
}

Test(template, length_is_respected)
{
	const struct cal_tpl_var v[] = {{"a", "A"}};
	struct strbuf sb = STRBUF_INIT(100);
	/* Only "x{{a}}" of the buffer is the template. */
	cr_assert_eq(cal_tpl_render("x{{a}}{{#broken", 6, CAL_TPL_TEXT, v, 1, &sb, A, NULL), 0);
	cr_assert_str_eq(strbuf_str(&sb), "xA");
	cr_assert_eq(cal_tpl_render("x{{a}", 5, CAL_TPL_TEXT, v, 1, &sb, A, NULL), CAL_E_INVALID);
	strbuf_release(&sb);
}

/* ---- the template set ----------------------------------------------------------- */

static char tmpdir[64];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void write_file(const char *rel, const char *content)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	mkdir(path, 0700);
	*slash = '/';
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "cannot write %s", path);
	fputs(content, f);
	fclose(f);
}

static void make_override_dir(void)
{
	strcpy(tmpdir, "/tmp/test_template_XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_override_dir(void)
{
	nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static const char *load(const char *dir, const char *lang, const char *name, const char *part)
{
	const char *t;
	size_t n;
	int r = cal_tpl_load(dir, lang, name, part, A, &t, &n);
	cr_assert_eq(r, 0, "load %s/%s.%s: %d", lang, name, part, r);
	cr_assert_eq(strlen(t), n);
	return t;
}

Test(template, override_dir_wins_per_file)
{
	make_override_dir();
	write_file("es/invitation.subject", "Propia: {{event_name}}\n");
	write_file("en/custom.txt", "custom {{x}}");
	const char *def = load(NULL, "es", "invitation", "subject");
	cr_assert_str_eq(load(tmpdir, "es", "invitation", "subject"), "Propia: {{event_name}}\n");
	cr_assert_str_eq(load(tmpdir, "es", "invitation", "txt"),
			 load(NULL, "es", "invitation", "txt"));
	cr_assert_str_eq(load(tmpdir, "en", "invitation", "subject"),
			 load(NULL, "en", "invitation", "subject"));
	cr_assert_str_neq(def, "Propia: {{event_name}}\n");
	cr_assert_str_eq(load("", "es", "invitation", "subject"), def);
	cr_assert_str_eq(load(tmpdir, "en", "custom", "txt"), "custom {{x}}");
	const char *t;
	size_t n;
	cr_assert_eq(cal_tpl_load(NULL, "en", "custom", "txt", A, &t, &n), CAL_E_NOT_FOUND);
	cr_assert_eq(cal_tpl_load(tmpdir, "en", "custom", "html", A, &t, &n), CAL_E_NOT_FOUND);
	/* A nonexistent override directory is no override. */
	cr_assert_str_eq(load("/nonexistent/dir", "es", "invitation", "subject"), def);

	struct cal_tpl_rendered m;
	const struct cal_tpl_var v[] = {{"event_name", "Junta"}, {"x", "X"}};
	cr_assert_eq(cal_tpl_message(tmpdir, "es", "invitation", v, N(v), A, &m), 0);
	cr_assert_str_eq(m.subject, "Propia: Junta");
	/* A template without .html renders without one. */
	write_file("en/custom.subject", "Custom");
	cr_assert_eq(cal_tpl_message(tmpdir, "en", "custom", v, N(v), A, &m), 0);
	cr_assert_str_eq(m.subject, "Custom");
	cr_assert_str_eq(m.text, "custom X");
	cr_assert_null(m.html);
	remove_override_dir();
}

Test(template, broken_overrides_are_reported)
{
	make_override_dir();
	write_file("en/invitation.html", "<p>\n{{#event_name}}\n</p>\n");
	struct cal_tpl_rendered m = {.subject = "untouched"};
	const struct cal_tpl_var v[] = {{"event_name", "Junta"}};
	cr_assert_eq(cal_tpl_message(tmpdir, "en", "invitation", v, N(v), A, &m), CAL_E_INVALID);
	cr_assert_str_eq(m.subject, "untouched");
	struct cal_error err = {0};
	cr_assert_eq(cal_tpl_check(tmpdir, A, &err), CAL_E_INVALID);
	cr_assert_str_eq(err.detail,
			 "en/invitation.html: line 2: section {{#event_name}} is never closed");
	cr_assert_eq(cal_tpl_check(NULL, A, &err), 0);
	/* A directory where a file should be is an error, not a fallback. */
	write_file("es/other.txt", "");
	char path[512];
	snprintf(path, sizeof path, "%s/es/update.txt", tmpdir);
	mkdir(path, 0700);
	const char *t;
	size_t n;
	cr_assert_eq(cal_tpl_load(tmpdir, "es", "update", "txt", A, &t, &n), CAL_E_INTERNAL);
	remove_override_dir();
}

Test(template, traversal_and_bad_names_are_refused)
{
	make_override_dir();
	write_file("es/secret.txt", "secret");
	static const char *const bad[] = {"../es/secret", "..",	 "a/b",
					  "/etc/passwd",  "",	 "invitation.txt",
					  "inv\\itation", "a b", NULL};
	const char *t = "untouched";
	size_t n = 7;
	for (size_t i = 0; i < N(bad); i++) {
		cr_assert_eq(cal_tpl_load(tmpdir, "es", bad[i], "txt", A, &t, &n), CAL_E_INVALID,
			     "name %s", bad[i] ? bad[i] : "NULL");
		struct cal_tpl_rendered m;
		cr_assert_eq(cal_tpl_message(tmpdir, "es", bad[i], NULL, 0, A, &m), CAL_E_INVALID);
	}
	static const char *const bad_parts[] = {"../txt", "subject/..", "eml", "", NULL};
	for (size_t i = 0; i < N(bad_parts); i++)
		cr_assert_eq(cal_tpl_load(tmpdir, "es", "invitation", bad_parts[i], A, &t, &n),
			     CAL_E_INVALID);
	/* A language that is not es or en cannot pick a directory either. */
	cr_assert_str_eq(load(tmpdir, "../es", "invitation", "subject"),
			 load(NULL, "es", "invitation", "subject"));
	char longname[CAL_TPL_NAME_MAX + 2];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	cr_assert_eq(cal_tpl_load(NULL, "es", longname, "txt", A, &t, &n), CAL_E_INVALID);
	cr_assert_str_eq(t, "untouched");
	cr_assert_eq(n, 7);
	remove_override_dir();
}

Test(template, language_fallback)
{
	const char *es = load(NULL, "es", "invitation", "subject");
	const char *en = load(NULL, "en", "invitation", "subject");
	cr_assert_str_neq(es, en);
	cr_assert_str_eq(load(NULL, NULL, "invitation", "subject"), es);
	cr_assert_str_eq(load(NULL, "fr", "invitation", "subject"), es);
	cr_assert_str_eq(load(NULL, "es-MX", "invitation", "subject"), es);
	cr_assert_str_eq(load(NULL, "en-US", "invitation", "subject"), en);
	cr_assert_str_eq(load(NULL, "EN", "invitation", "subject"), en);
	cr_assert_str_eq(load(NULL, "eng", "invitation", "subject"), es);
}

Test(template, subject_is_one_line)
{
	make_override_dir();
	write_file("es/x.subject", "\n  Hola\t{{name}}  \r\n\n");
	write_file("es/x.txt", "t");
	const struct cal_tpl_var v[] = {{"name", "Ana\r\nBcc: evil@x.com\x01\x7f\xc2\x85!"}};
	struct cal_tpl_rendered m;
	cr_assert_eq(cal_tpl_message(tmpdir, "es", "x", v, N(v), A, &m), 0);
	cr_assert_str_eq(m.subject, "Hola Ana Bcc: evil@x.com !");
	remove_override_dir();
}

/* ---- the shipped templates --------------------------------------------------------- */

static const char *const NAMES[] = {"invitation", "update",   "cancellation",
				    "answer",	  "reminder", "booking_confirmation",
				    "booking_notice"};

static const struct cal_tpl_var FULL[] = {
    {"recipient_name", "Luis Pérez"},
    {"organizer_name", "Ana <García> & Cía"},
    {"organizer_email", "ana@example.com"},
    {"event_name", "Revisión <b>trimestral</b> & \"plan\""},
    {"event_when", "martes 1 de diciembre de 2026, 10:00–11:00 (America/Mexico_City)"},
    {"event_timezone", "America/Mexico_City"},
    {"event_location", "Sala 'Azul', piso 3"},
    {"event_description", "Agenda:\n1. Números\n2. <script>alert(1)</script>"},
    {"event_url", "https://cal.example.com/calendar/events/1?a=1&b=2"},
    {"accept_url", "https://cal.example.com/rsvp/accept?t=abc&x=1"},
    {"decline_url", "https://cal.example.com/rsvp/decline?t=abc"},
    {"tentative_url", "https://cal.example.com/rsvp/tentative?t=abc"},
    {"attendee_name", "Marta Ruiz"},
    {"attendee_email", "marta@example.org"},
    {"answer", "aceptó"},
    {"reminder_when", "en 30 minutos"},
    {"appointment_type", "Consulta inicial"},
    {"customer_name", "Jorge Díaz"},
    {"customer_email", "jorge@example.org"},
    {"customer_phone", "+525512345678"},
    {"notice", "Nueva cita"},
    {"manage_url", "https://cal.example.com/book/manage/xyz"},
    {"cancel_url", "https://cal.example.com/book/cancel/xyz"},
    {"company_name", "Ejemplo S.A. de C.V."},
    {"scope_note", "Solo se canceló la sesión del 1 de diciembre; las demás siguen en pie."},
};

static void assert_clean(const char *what, const char *s)
{
	cr_assert_not_null(s, "%s is NULL", what);
	cr_assert_null(strstr(s, "{{"), "%s has a leftover tag:\n%s", what, s);
	cr_assert_null(strstr(s, "}}"), "%s has a leftover tag:\n%s", what, s);
}

Test(template, every_shipped_template_renders_in_both_languages)
{
	static const char *const langs[] = {"es", "en"};
	for (size_t l = 0; l < N(langs); l++) {
		for (size_t i = 0; i < N(NAMES); i++) {
			for (int full = 0; full < 2; full++) {
				struct cal_tpl_rendered m;
				int r =
				    cal_tpl_message(NULL, langs[l], NAMES[i], full ? FULL : NULL,
						    full ? N(FULL) : 0, A, &m);
				cr_assert_eq(r, 0, "%s/%s: %d", langs[l], NAMES[i], r);
				assert_clean("subject", m.subject);
				assert_clean("text", m.text);
				assert_clean("html", m.html);
				cr_assert_eq(strlen(m.text), m.text_len);
				cr_assert_eq(strlen(m.html), m.html_len);
				for (const char *p = m.subject; *p; p++)
					cr_assert((unsigned char)*p >= 0x20 && *p != 0x7f);
				cr_assert_gt(strlen(m.subject), 0);
				cr_assert_gt(m.text_len, 0);
				cr_assert_not_null(strstr(m.html, "<html lang=\""));
				cr_assert_not_null(strstr(m.html, langs[l]));
				/* Nothing that loads from elsewhere. */
				cr_assert_null(strstr(m.html, "<img"));
				cr_assert_null(strstr(m.html, "<link"));
				cr_assert_null(strstr(m.html, "<script"));
				cr_assert_null(strstr(m.html, "src="));
				if (!full)
					continue;
				cr_assert_null(strstr(m.text, "\n\n\n"), "%s/%s: blank lines:\n%s",
					       langs[l], NAMES[i], m.text);
				/* The user's text is escaped in HTML and verbatim in text. */
				cr_assert_null(strstr(m.html, "<b>trimestral"));
				cr_assert_null(strstr(m.html, "<script>"));
				if (strstr(m.text, "<script>")) /* the description is shown */
					cr_assert_not_null(
					    strstr(m.html, "&lt;script&gt;alert(1)"));
				if (strncmp(NAMES[i], "booking_", 8) != 0) {
					cr_assert_not_null(
					    strstr(m.html, "Revisión &lt;b&gt;trimestral&lt;/b&gt; "
							   "&amp; &quot;plan&quot;"),
					    "%s/%s:\n%s", langs[l], NAMES[i], m.html);
					cr_assert_not_null(strstr(
					    m.text, "Revisión <b>trimestral</b> & \"plan\""));
					cr_assert_not_null(
					    strstr(m.subject, "Revisión <b>trimestral</b>"));
				} else {
					/* The appointment type names a booking. */
					cr_assert_not_null(strstr(m.subject, "Consulta inicial"));
					cr_assert_not_null(strstr(m.html, "Consulta inicial"));
					cr_assert_not_null(strstr(m.text, "Consulta inicial"));
				}
				cr_assert_not_null(
				    strstr(m.text, "martes 1 de diciembre de 2026, 10:00–11:00"));
			}
		}
	}
}

Test(template, rsvp_links_only_when_present)
{
	for (int lang = 0; lang < 2; lang++) {
		struct cal_tpl_rendered m;
		const char *lg = lang ? "en" : "es";
		cr_assert_eq(cal_tpl_message(NULL, lg, "invitation", FULL, N(FULL), A, &m), 0);
		cr_assert_not_null(
		    strstr(m.html, "href=\"https://cal.example.com/rsvp/accept?t=abc&amp;x=1\""));
		cr_assert_not_null(
		    strstr(m.html, "href=\"https://cal.example.com/rsvp/decline?t=abc\""));
		cr_assert_not_null(
		    strstr(m.html, "href=\"https://cal.example.com/rsvp/tentative?t=abc\""));
		cr_assert_not_null(strstr(m.text, "https://cal.example.com/rsvp/accept?t=abc&x=1"));
		const struct cal_tpl_var few[] = {{"event_name", "Junta"}, {"event_when", "hoy"}};
		cr_assert_eq(cal_tpl_message(NULL, lg, "invitation", few, N(few), A, &m), 0);
		cr_assert_null(strstr(m.html, "href"));
		cr_assert_null(strstr(m.text, "http"));
		cr_assert_null(strstr(m.text, lang ? "Will you attend" : "¿Asistirá?"));
	}
}

Test(template, cancellation_scope_note_and_answer_fallbacks)
{
	const struct cal_tpl_var v[] = {
	    {"event_name", "Junta"}, {"event_when", "hoy"}, {"scope_note", "Solo esta sesión."}};
	struct cal_tpl_rendered m;
	cr_assert_eq(cal_tpl_message(NULL, "es", "cancellation", v, N(v), A, &m), 0);
	cr_assert_not_null(strstr(m.text, "Solo esta sesión."));
	cr_assert_not_null(strstr(m.html, "Solo esta sesión."));
	cr_assert_eq(cal_tpl_message(NULL, "es", "cancellation", v, 2, A, &m), 0);
	cr_assert_null(strstr(m.text, "Solo esta"));

	const struct cal_tpl_var a[] = {{"event_name", "Junta"},
					{"attendee_email", "marta@example.org"},
					{"answer", "respondió «quizás»"}};
	cr_assert_eq(cal_tpl_message(NULL, "es", "answer", a, N(a), A, &m), 0);
	cr_assert_str_eq(m.subject, "marta@example.org respondió «quizás»: Junta");
	cr_assert_not_null(strstr(m.text, "marta@example.org respondió «quizás»."));
	const struct cal_tpl_var a_en[] = {
	    {"event_name", "Sync"}, {"attendee_name", "Marta"}, {"answer", "tentatively accepted"}};
	cr_assert_eq(cal_tpl_message(NULL, "en", "answer", a_en, N(a_en), A, &m), 0);
	cr_assert_str_eq(m.subject, "Marta tentatively accepted: Sync");
}

Test(template, default_table_is_complete)
{
	cr_assert_eq(cal_tpl_default_files_count, 2 * N(NAMES) * 3);
	for (size_t i = 1; i < cal_tpl_default_files_count; i++)
		cr_assert_lt(
		    strcmp(cal_tpl_default_files[i - 1].path, cal_tpl_default_files[i].path), 0);
	for (size_t i = 0; i < cal_tpl_default_files_count; i++)
		cr_assert_eq(strlen(cal_tpl_default_files[i].text), cal_tpl_default_files[i].len);
}
