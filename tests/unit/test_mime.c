/* Unit tests for notify/mime: the shape of an iMIP message, header
 * injection attempts, RFC 2047 folding of long Spanish and emoji text,
 * quoted-printable and base64 bodies, and determinism. Every message is
 * also read back by Python's email package (tests/unit/mime_check.py), so
 * "well-formed" means what an independent parser says, not what ours does. */
#include <criterion/criterion.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/civil.h"
#include "base/errors.h"
#include "base/strbuf.h"
#include "notify/mime.h"

/* ---- helpers ---------------------------------------------------------------- */

static const char *source_dir(void)
{
	const char *d = getenv("CALENDARD_SOURCE_DIR");
	return d && *d ? d : ".";
}

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct cal_civil c = {y, mo, d, h, mi, s};
	int64_t t;
	cr_assert_eq(cal_civil_to_epoch_utc(&c, &t), 0);
	return t;
}

static const char ICS[] =
    "BEGIN:VCALENDAR\r\n"
    "VERSION:2.0\r\n"
    "PRODID:-//calendard//EN\r\n"
    "METHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:1234@calendard\r\n"
    "DTSTAMP:20261101T120000Z\r\n"
    "DTSTART:20261201T160000Z\r\n"
    "DTEND:20261201T170000Z\r\n"
    "SUMMARY:Revisión trimestral \r\n"
    "DESCRIPTION:Una línea muy larga que el escritor de iCalendar ya dobló a\r\n"
    "  75 octetos\\, con espacios al final   \r\n"
    "ORGANIZER;CN=Ana:mailto:ana@example.com\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n";

static struct cal_mail base_mail(void)
{
	return (struct cal_mail){
	    .from_addr = "calendario@example.com",
	    .from_name = "Calendario",
	    .to_addr = "luis@example.org",
	    .to_name = "Luis Pérez",
	    .subject = "Invitación: Revisión trimestral",
	    .message_id = "0123abcd@example.com",
	    .lang = "es",
	    .text = "Hola, Luis:\n\nAna le invita a la revisión.\n",
	    .html = "<p>Hola, Luis:</p>\n<p>Ana le invita a la <b>revisión</b>.</p>\n",
	    .date = utc(2026, 11, 1, 12, 0, 0),
	};
}

static char *render_ok(const struct cal_mail *m)
{
	struct strbuf sb = STRBUF_INIT(4 * 1024 * 1024);
	int r = cal_mail_render(m, &sb);
	cr_assert_eq(r, 0, "cal_mail_render: %d", r);
	return strbuf_detach(&sb, NULL);
}

static int render_err(const struct cal_mail *m)
{
	struct strbuf sb = STRBUF_INIT(4 * 1024 * 1024);
	int r = cal_mail_render(m, &sb);
	cr_assert_eq(sb.len, 0, "output left behind after an error");
	strbuf_release(&sb);
	return r;
}

/* Runs mime_check.py on text and returns its JSON (decref it). */
static json_t *python_read(const char *text)
{
	char path[] = "/tmp/test_mime_XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/tests/unit/mime_check.py %s", source_dir(),
		 path);
	FILE *p = popen(cmd, "r");
	cr_assert(p, "cannot run %s", cmd);
	json_error_t jerr;
	json_t *j = json_loadf(p, 0, &jerr);
	int status = pclose(p);
	unlink(path);
	cr_assert(j, "mime_check.py printed no JSON (%s): %s", jerr.text, cmd);
	cr_assert_eq(status, 0, "mime_check.py failed");
	return j;
}

static const char *jstr(json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static json_int_t raw(json_t *j, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(j, "raw"), key));
}

/* Every message must pass these, whatever the test is about. */
static void assert_well_formed(json_t *j)
{
	json_t *defects = json_object_get(j, "defects");
	cr_assert_eq(json_array_size(defects), 0, "defects: %s",
		     json_dumps(defects, 0)); /* leaks only on failure */
	cr_assert_eq(raw(j, "bare_line_ends"), 0, "bare CR or LF");
	cr_assert_leq(raw(j, "max_header_line"), 78);
	cr_assert_leq(raw(j, "max_body_line"), 76);
	cr_assert_leq(raw(j, "max_encoded_word"), 75);
	cr_assert_eq(raw(j, "split_utf8_words"), 0, "an encoded-word splits a UTF-8 sequence");
	cr_assert_eq(raw(j, "whitespace_only_header_lines"), 0);
	cr_assert_eq(raw(j, "boundary_in_body"), 0);
}

/* The decoded value of the only header called name (asserting it is the
 * only one), or NULL when absent. */
static const char *header(json_t *j, const char *name)
{
	const char *found = NULL;
	size_t i;
	json_t *h;
	json_array_foreach(json_object_get(j, "headers"), i, h)
	{
		if (strcasecmp(json_string_value(json_array_get(h, 0)), name) == 0) {
			cr_assert_null(found, "two %s headers", name);
			found = json_string_value(json_array_get(h, 1));
		}
	}
	return found;
}

static json_t *part(json_t *j, size_t i)
{
	json_t *p = json_array_get(json_object_get(j, "parts"), i);
	cr_assert_not_null(p, "no part %zu", i);
	return p;
}

/* text with every LF made CRLF (what a text part decodes to). */
static char *crlf(const char *text)
{
	struct strbuf sb = STRBUF_INIT(1 << 24);
	for (const char *p = text; *p; p++) {
		if (*p == '\n' && (p == text || p[-1] != '\r'))
			cr_assert_eq(strbuf_add(&sb, "\r", 1), 0);
		cr_assert_eq(strbuf_add(&sb, p, 1), 0);
	}
	/* Not strbuf_detach: on a never-grown strbuf it returns an
	 * unterminated buffer (base/strbuf.c). */
	char *s = strdup(strbuf_str(&sb));
	strbuf_release(&sb);
	return s;
}

static void assert_text_part(json_t *p, const char *type, const char *text)
{
	cr_assert_str_eq(jstr(p, "type"), type);
	cr_assert_eq(strcasecmp(jstr(json_object_get(p, "params"), "charset"), "utf-8"), 0);
	cr_assert_str_eq(jstr(p, "cte"), "quoted-printable");
	char *want = crlf(text);
	const char *got = jstr(p, "content");
	/* Python's parser may hand text back with LF or CRLF line ends. */
	char *got_crlf = crlf(got);
	cr_assert_str_eq(got_crlf, want);
	free(want);
	free(got_crlf);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* s with every run of blanks made one blank. */
static char *collapse(const char *s)
{
	char *out = strdup(s), *w = out;
	for (const char *p = s; *p; p++)
		if (*p != ' ' || w == out || w[-1] != ' ')
			*w++ = *p;
	*w = '\0';
	return out;
}

/* The one address of header `field` ("from", "to") has this display name
 * and address. CPython's modern parser keeps the blank between two
 * adjacent encoded-words of a display name, which RFC 2047 6.2 says to
 * drop, so its reading is compared with blanks collapsed; the exact text
 * is checked with the legacy decoder, which follows the RFC. */
static void assert_mailbox(json_t *j, const char *field, const char *name, const char *addr)
{
	json_t *list = json_object_get(j, field);
	cr_assert_eq(json_array_size(list), 1, "%s: %zu addresses", field, json_array_size(list));
	json_t *a = json_array_get(list, 0);
	cr_assert_str_eq(jstr(a, "addr"), addr);
	char *got = collapse(jstr(a, "name")), *want = collapse(name);
	cr_assert_str_eq(got, want);
	free(got);
	free(want);
	char full[2048];
	snprintf(full, sizeof full, "%s <%s>", name, addr);
	cr_assert_str_eq(jstr(a, "rfc2047"), full);
}

/* The header section (up to the first empty line), for raw checks. */
static char *header_section(const char *msg)
{
	const char *end = strstr(msg, "\r\n\r\n");
	cr_assert_not_null(end);
	return strndup(msg, (size_t)(end - msg) + 2);
}

/* ---- structure ---------------------------------------------------------------- */

Test(mime, imip_structure_as_gmail_and_outlook_expect)
{
	struct cal_mail m = base_mail();
	m.ics = ICS;
	m.ics_method = "REQUEST";
	m.reply_to = "ana@example.com";
	m.in_reply_to = "prev@example.com";
	char *msg = render_ok(&m);
	json_t *j = python_read(msg);
	assert_well_formed(j);
	cr_assert_str_eq(jstr(j, "tree"),
			 "multipart/mixed(multipart/alternative(text/plain,text/html,"
			 "text/calendar),application/ics)");
	assert_text_part(part(j, 0), "text/plain", m.text);
	assert_text_part(part(j, 1), "text/html", m.html);

	json_t *cal = part(j, 2);
	cr_assert_str_eq(jstr(cal, "type"), "text/calendar");
	cr_assert_str_eq(jstr(json_object_get(cal, "params"), "method"), "REQUEST");
	cr_assert_eq(strcasecmp(jstr(json_object_get(cal, "params"), "charset"), "utf-8"), 0);
	cr_assert_str_eq(jstr(cal, "cte"), "base64");
	cr_assert_null(jstr(cal, "disposition"));
	cr_assert_str_eq(jstr(cal, "content"), ICS, "the calendar must arrive octet for octet");

	json_t *att = part(j, 3);
	cr_assert_str_eq(jstr(att, "type"), "application/ics");
	cr_assert_str_eq(jstr(att, "disposition"), "attachment");
	cr_assert_str_eq(jstr(att, "filename"), "invite.ics");
	cr_assert_str_eq(jstr(json_object_get(att, "params"), "name"), "invite.ics");
	cr_assert_str_eq(jstr(att, "content"), ICS);

	cr_assert_str_eq(header(j, "Date"), "Sun, 01 Nov 2026 12:00:00 +0000");
	cr_assert_str_eq(header(j, "Subject"), "Invitación: Revisión trimestral");
	cr_assert_str_eq(header(j, "Message-ID"), "<0123abcd@example.com>");
	cr_assert_str_eq(header(j, "In-Reply-To"), "<prev@example.com>");
	cr_assert_str_eq(header(j, "References"), "<prev@example.com>");
	cr_assert_str_eq(header(j, "MIME-Version"), "1.0");
	cr_assert_str_eq(header(j, "Content-Language"), "es");
	cr_assert_str_eq(header(j, "Auto-Submitted"), "auto-generated");
	json_t *from = json_array_get(json_object_get(j, "from"), 0);
	cr_assert_str_eq(jstr(from, "name"), "Calendario");
	cr_assert_str_eq(jstr(from, "addr"), "calendario@example.com");
	assert_mailbox(j, "to", "Luis Pérez", "luis@example.org");
	cr_assert_str_eq(jstr(json_array_get(json_object_get(j, "reply_to"), 0), "addr"),
			 "ana@example.com");
	cr_assert(strstr(msg, "\r\nDate: ") == NULL && strncmp(msg, "Date: ", 6) == 0);
	json_decref(j);
	free(msg);
}

Test(mime, without_ics_is_alternative_and_without_html_plain)
{
	struct cal_mail m = base_mail();
	m.reply_to = NULL;
	char *msg = render_ok(&m);
	json_t *j = python_read(msg);
	assert_well_formed(j);
	cr_assert_str_eq(jstr(j, "tree"), "multipart/alternative(text/plain,text/html)");
	assert_text_part(part(j, 0), "text/plain", m.text);
	assert_text_part(part(j, 1), "text/html", m.html);
	cr_assert_null(header(j, "Reply-To"));
	cr_assert_null(header(j, "In-Reply-To"));
	cr_assert_null(strstr(msg, "text/calendar"));
	json_decref(j);
	free(msg);

	m.html = NULL;
	static const char *const texts[] = {"Hola, Luis:\n\nAna le invita.\n", "sin salto final",
					    "", "\n", "termina en blanco "};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		m.text = texts[i];
		msg = render_ok(&m);
		j = python_read(msg);
		assert_well_formed(j);
		cr_assert_str_eq(jstr(j, "tree"), "text/plain");
		assert_text_part(part(j, 0), "text/plain", m.text);
		size_t n = strlen(msg);
		cr_assert(n > 2 && strcmp(msg + n - 2, "\r\n") == 0);
		json_decref(j);
		free(msg);
	}
	m.text = base_mail().text;

	m.ics = ICS;
	m.ics_method = "REQUEST";
	msg = render_ok(&m);
	j = python_read(msg);
	assert_well_formed(j);
	cr_assert_str_eq(
	    jstr(j, "tree"),
	    "multipart/mixed(multipart/alternative(text/plain,text/calendar),application/ics)");
	json_decref(j);
	free(msg);
}

Test(mime, cancel_and_reply_methods)
{
	static const char *const methods[] = {"CANCEL", "REPLY"};
	for (size_t i = 0; i < 2; i++) {
		char ics[sizeof ICS + 16];
		const char *at = strstr(ICS, "METHOD:REQUEST");
		snprintf(ics, sizeof ics, "%.*sMETHOD:%s%s", (int)(at - ICS), ICS, methods[i],
			 at + strlen("METHOD:REQUEST"));
		struct cal_mail m = base_mail();
		m.ics = ics;
		m.ics_method = methods[i];
		char *msg = render_ok(&m);
		json_t *j = python_read(msg);
		assert_well_formed(j);
		cr_assert_str_eq(jstr(json_object_get(part(j, 2), "params"), "method"), methods[i]);
		cr_assert_str_eq(jstr(part(j, 2), "content"), ics);
		json_decref(j);
		free(msg);
	}
}

Test(mime, ics_method_must_be_known_and_match_the_object)
{
	struct cal_mail m = base_mail();
	m.ics = ICS;
	m.ics_method = NULL;
	cr_assert_eq(render_err(&m), CAL_E_INVALID);
	m.ics_method = "CANCEL"; /* the object says REQUEST */
	cr_assert_eq(render_err(&m), CAL_E_INVALID);
	m.ics_method = "request";
	cr_assert_eq(render_err(&m), CAL_E_INVALID);
	m.ics_method = "REQUEST\r\nBcc: evil@x.com";
	cr_assert_eq(render_err(&m), CAL_E_INVALID);
	m.ics_method = "PUBLISH";
	cr_assert_eq(render_err(&m), CAL_E_INVALID);
	m.ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
	m.ics_method = "REQUEST";
	cr_assert_eq(render_err(&m), CAL_E_INVALID, "no METHOD in the object");
}

Test(mime, required_fields)
{
	struct cal_mail m = base_mail();
	m.text = NULL;
	cr_assert_eq(render_err(&m), CAL_E_INVALID);
	m = base_mail();
	m.message_id = NULL;
	cr_assert_eq(render_err(&m), CAL_E_INVALID);
	m = base_mail();
	m.from_addr = NULL;
	cr_assert_eq(render_err(&m), CAL_E_INVALID);
	m = base_mail();
	m.to_addr = NULL;
	cr_assert_eq(render_err(&m), CAL_E_INVALID);
	m = base_mail();
	m.date = utc(9999, 12, 31, 23, 59, 59) + 1;
	cr_assert_eq(render_err(&m), CAL_E_INVALID);
	m = base_mail();
	m.subject = NULL;
	char *msg = render_ok(&m);
	json_t *j = python_read(msg);
	assert_well_formed(j);
	cr_assert_str_eq(header(j, "Subject"), "");
	json_decref(j);
	free(msg);
}

/* ---- header injection --------------------------------------------------------- */

Test(mime, subject_with_crlf_stays_on_the_subject_line)
{
	struct cal_mail m = base_mail();
	m.subject = "Hola\r\nBcc: evil@x.com";
	char *msg = render_ok(&m);
	char *hs = header_section(msg);
	cr_assert_null(strstr(hs, "\r\nBcc:"), "%s", hs);
	cr_assert_null(strstr(hs, "\nBcc:"));
	json_t *j = python_read(msg);
	assert_well_formed(j);
	cr_assert_null(header(j, "Bcc"));
	cr_assert_str_eq(header(j, "Subject"), "Hola  Bcc: evil@x.com");
	json_decref(j);
	free(hs);
	free(msg);

	/* Lone LF, lone CR, NUL-free controls, DEL, C1 (U+0085 NEL), and a
	 * body break that would end the header section. */
	m.subject = "a\nTo: x@y.com\rCc: z@y.com\t\x01\x7f\xc2\x85"
		    "b\r\n\r\nbody";
	msg = render_ok(&m);
	hs = header_section(msg);
	j = python_read(msg);
	assert_well_formed(j);
	cr_assert_str_eq(header(j, "Subject"), "a To: x@y.com Cc: z@y.com    b    body");
	cr_assert_eq(json_array_size(json_object_get(j, "to")), 1);
	cr_assert_null(header(j, "Cc"));
	json_decref(j);
	free(hs);
	free(msg);
}

Test(mime, display_names_cannot_add_recipients)
{
	struct cal_mail m = base_mail();
	m.to_name = "Luis\r\nBcc: evil@x.com";
	m.from_name = "Eve <eve@x.com>, \"Mallory\" <m@x.com>";
	char *msg = render_ok(&m);
	json_t *j = python_read(msg);
	assert_well_formed(j);
	cr_assert_null(header(j, "Bcc"));
	json_t *to = json_object_get(j, "to");
	cr_assert_eq(json_array_size(to), 1);
	cr_assert_str_eq(jstr(json_array_get(to, 0), "name"), "Luis  Bcc: evil@x.com");
	cr_assert_str_eq(jstr(json_array_get(to, 0), "addr"), "luis@example.org");
	json_t *from = json_object_get(j, "from");
	cr_assert_eq(json_array_size(from), 1);
	cr_assert_str_eq(jstr(json_array_get(from, 0), "name"),
			 "Eve <eve@x.com>, \"Mallory\" <m@x.com>");
	cr_assert_str_eq(jstr(json_array_get(from, 0), "addr"), "calendario@example.com");
	json_decref(j);
	free(msg);

	/* A name that looks like an encoded-word stays literal. */
	m = base_mail();
	m.to_name = "=?UTF-8?B?RXZpbA==?= \\ Ana";
	msg = render_ok(&m);
	j = python_read(msg);
	assert_well_formed(j);
	cr_assert_str_eq(jstr(json_array_get(json_object_get(j, "to"), 0), "name"),
			 "=?UTF-8?B?RXZpbA==?= \\ Ana");
	json_decref(j);
	free(msg);
}

Test(mime, addresses_are_validated)
{
	static const char *const bad[] = {
	    "",
	    "luis",
	    "@example.org",
	    "luis@",
	    "luis@@example.org",
	    "a@b@example.org",
	    "luis pérez@example.org",
	    "luis@example.org\r\nBcc: evil@x.com",
	    "luis@example.org>",
	    "<luis@example.org>",
	    "a,b@example.org",
	    "luis@example.org, evil@x.com",
	    "\"luis\"@example.org",
	    "luis@exa mple.org",
	    ".luis@example.org",
	    "lu..is@example.org",
	    "luis@example..org",
	    "luis@example.org.",
	    "luis@[127.0.0.1]",
	    "josé@example.org",
	    "luis@example.org\x01",
	    "luis;x@example.org",
	    "luis@exam_ple.org",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_assert_not(cal_mail_addr_valid(bad[i]), "accepted %s", bad[i]);
		struct cal_mail m = base_mail();
		m.to_addr = bad[i];
		cr_assert_eq(render_err(&m), CAL_E_INVALID, "to %s", bad[i]);
		m = base_mail();
		m.from_addr = bad[i];
		cr_assert_eq(render_err(&m), CAL_E_INVALID, "from %s", bad[i]);
		m = base_mail();
		m.reply_to = bad[i];
		cr_assert_eq(render_err(&m), CAL_E_INVALID, "reply-to %s", bad[i]);
		m = base_mail();
		m.message_id = bad[i];
		cr_assert_eq(render_err(&m), CAL_E_INVALID, "message-id %s", bad[i]);
		m = base_mail();
		m.in_reply_to = bad[i];
		cr_assert_eq(render_err(&m), CAL_E_INVALID, "in-reply-to %s", bad[i]);
	}
	static const char *const good[] = {"luis@example.org", "l.p+tag@sub.example.co.mx",
					   "o'brien@example.ie", "x@localhost",
					   "a!#$%&'*+/=?^_`{|}~-z@example.org"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		cr_assert(cal_mail_addr_valid(good[i]), "refused %s", good[i]);
	char longest[300];
	memset(longest, 'a', sizeof longest);
	memcpy(longest + 250, "@x.mx", 6); /* 255 characters */
	cr_assert_not(cal_mail_addr_valid(longest));
	memcpy(longest + 249, "@x.mx", 6); /* 254 */
	cr_assert(cal_mail_addr_valid(longest));
}

Test(mime, language_tag_is_checked_not_fatal)
{
	struct cal_mail m = base_mail();
	m.lang = "es\r\nBcc: evil@x.com";
	char *msg = render_ok(&m);
	json_t *j = python_read(msg);
	assert_well_formed(j);
	cr_assert_null(header(j, "Content-Language"));
	cr_assert_null(header(j, "Bcc"));
	json_decref(j);
	free(msg);
	m.lang = "es-MX";
	msg = render_ok(&m);
	cr_assert_not_null(strstr(msg, "\r\nContent-Language: es-MX\r\n"));
	free(msg);
}

/* ---- RFC 2047 ----------------------------------------------------------------- */

Test(mime, long_spanish_and_emoji_text_is_folded_encoded_words)
{
	struct cal_mail m = base_mail();
	m.subject = "Invitación: Reunión de planeación estratégica del año fiscal 2027 — "
		    "revisión de presupuestos, señalización y logística 🎉🎉🎉 con el equipo "
		    "de ingeniería de León, Guanajuato 👩🏽‍💻 ¿Podrá asistir? "
		    "ñÑáéíóúü";
	m.to_name = "María José Ñúñez de la Peña y Fernández-Guadalupe 🌮🌮🌮🌮🌮 "
		    "Hernández Ibáñez";
	m.from_name = "Calendario de la Compañía «Ejemplo» S.A. de C.V. (México) — avisos";
	char *msg = render_ok(&m);
	json_t *j = python_read(msg);
	assert_well_formed(j);
	cr_assert_gt(raw(j, "encoded_words"), 6);
	cr_assert_str_eq(header(j, "Subject"), m.subject);
	assert_mailbox(j, "to", m.to_name, m.to_addr);
	assert_mailbox(j, "from", m.from_name, m.from_addr);
	json_decref(j);
	free(msg);

	/* Four-byte characters only: every chunk boundary falls between two. */
	char emoji[4 * 60 + 1] = "";
	for (int i = 0; i < 60; i++)
		strcat(emoji, "😀");
	m.subject = emoji;
	m.to_name = emoji + 4;
	msg = render_ok(&m);
	j = python_read(msg);
	assert_well_formed(j);
	cr_assert_str_eq(header(j, "Subject"), emoji);
	/* No blanks to break at: the modern parser's reading has spaces. */
	cr_assert_str_eq(jstr(json_array_get(json_object_get(j, "to"), 0), "rfc2047"),
			 "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀"
			 "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀 <luis@example.org>");
	json_decref(j);
	free(msg);
}

Test(mime, ascii_subjects_fold_plain_and_round_trip)
{
	struct cal_mail m = base_mail();
	m.subject = "Weekly planning meeting for the platform team with   several    spaces "
		    "and quite a lot of words so that it must be folded over several lines "
		    "of at most seventy-eight characters each";
	m.to_name = "Luis Perez";
	char *msg = render_ok(&m);
	char *hs = header_section(msg);
	cr_assert_null(strstr(hs, "=?UTF-8?"), "plain ASCII needs no encoding:\n%s", hs);
	cr_assert_gt(count(strstr(hs, "Subject:"), "\r\n "), 1);
	json_t *j = python_read(msg);
	assert_well_formed(j);
	cr_assert_str_eq(header(j, "Subject"), m.subject);
	json_decref(j);
	free(hs);
	free(msg);

	/* Unfoldable: a word longer than a line; and text that reads like an
	 * encoded-word. Both go out encoded and come back literally. */
	static const char *const odd[] = {
	    ("https://calendar.example.com/appointments/manage/"
	     "0123456789abcdef0123456789abcdef0123456789"),
	    "=?UTF-8?B?SGFja2Vk?= subject",
	    "  leading and trailing blanks  ",
	};
	static const char *const want[] = {NULL, NULL, "leading and trailing blanks"};
	for (size_t i = 0; i < 3; i++) {
		m.subject = odd[i];
		msg = render_ok(&m);
		j = python_read(msg);
		assert_well_formed(j);
		cr_assert_str_eq(header(j, "Subject"), want[i] ? want[i] : odd[i]);
		json_decref(j);
		free(msg);
	}
}

Test(mime, display_names_quoted_or_atoms)
{
	struct cal_mail m = base_mail();
	m.to_name = "Luis Perez";
	char *msg = render_ok(&m);
	cr_assert_not_null(strstr(msg, "\r\nTo: Luis Perez <luis@example.org>\r\n"));
	free(msg);
	m.to_name = "Perez, Luis \"El Jefe\" (TI)";
	msg = render_ok(&m);
	cr_assert_not_null(
	    strstr(msg, "\r\nTo: \"Perez, Luis \\\"El Jefe\\\" (TI)\" <luis@example.org>\r\n"),
	    "%s", msg);
	json_t *j = python_read(msg);
	assert_well_formed(j);
	cr_assert_str_eq(jstr(json_array_get(json_object_get(j, "to"), 0), "name"), m.to_name);
	json_decref(j);
	free(msg);
	m.to_name = NULL;
	msg = render_ok(&m);
	cr_assert_not_null(strstr(msg, "\r\nTo: luis@example.org\r\n"));
	free(msg);
	m.to_name = " \r\n ";
	msg = render_ok(&m);
	cr_assert_not_null(strstr(msg, "\r\nTo: luis@example.org\r\n"));
	free(msg);
}

/* ---- bodies ------------------------------------------------------------------- */

Test(mime, quoted_printable_edge_cases_round_trip)
{
	struct cal_mail m = base_mail();
	m.text =
	    "trailing space \nTrailing tab\t\n.dot at the start\nFrom the start\n"
	    "= equals =3D and ==\n"
	    "a very long line without any break at all that goes on and on past seventy-six "
	    "characters with ñ and emoji 🎉 in the middle and then some more text to wrap twice "
	    "and a space at the wrap point                                            x\n"
	    "crlf line\r\nlone\rcr\n\n\nlast line without newline";
	m.html = "<p>café</p>";
	char *msg = render_ok(&m);
	json_t *j = python_read(msg);
	assert_well_formed(j);
	assert_text_part(part(j, 0), "text/plain", m.text);
	assert_text_part(part(j, 1), "text/html", m.html);
	json_decref(j);
	free(msg);
}

Test(mime, a_part_holding_the_boundary_text_does_not_break_the_structure)
{
	struct cal_mail m = base_mail();
	m.ics = ICS;
	m.ics_method = "REQUEST";
	char *first = render_ok(&m);
	const char *b = strstr(first, "boundary=\"");
	cr_assert_not_null(b);
	b += strlen("boundary=\"");
	char boundary[128];
	snprintf(boundary, sizeof boundary, "%.*s", (int)(strchr(b, '"') - b), b);
	char text[512];
	snprintf(text, sizeof text, "--%s\nContent-Type: text/html\n\n<script>\n--%s--\n", boundary,
		 boundary);
	m.text = text;
	m.html = text;
	char *msg = render_ok(&m);
	cr_assert_not_null(strstr(msg, boundary), "same message id, same boundary");
	json_t *j = python_read(msg);
	assert_well_formed(j);
	cr_assert_eq(json_array_size(json_object_get(j, "parts")), 4);
	assert_text_part(part(j, 0), "text/plain", text);
	assert_text_part(part(j, 1), "text/html", text);
	json_decref(j);
	free(msg);
	free(first);
}

Test(mime, deterministic_and_boundaries_follow_the_message_id)
{
	struct cal_mail m = base_mail();
	m.ics = ICS;
	m.ics_method = "REQUEST";
	char *a = render_ok(&m);
	char *b = render_ok(&m);
	cr_assert_str_eq(a, b);
	m.message_id = "other@example.com";
	char *c = render_ok(&m);
	const char *ba = strstr(a, "boundary=\""), *bc = strstr(c, "boundary=\"");
	cr_assert(ba && bc);
	cr_assert_neq(strncmp(ba, bc, 40), 0, "boundaries should differ with the message id");
	free(a);
	free(b);
	free(c);
}

Test(mime, cap_is_enforced_and_output_kept)
{
	struct cal_mail m = base_mail();
	m.ics = ICS;
	m.ics_method = "REQUEST";
	struct strbuf sb = STRBUF_INIT(600);
	cr_assert_eq(strbuf_puts(&sb, "keep"), 0);
	cr_assert_eq(cal_mail_render(&m, &sb), CAL_E_TOO_LARGE);
	cr_assert_str_eq(strbuf_str(&sb), "keep");
	cr_assert_eq(sb.len, 4);
	strbuf_release(&sb);
}

Test(mime, crlf_everywhere)
{
	struct cal_mail m = base_mail();
	m.text = "uno\ndos\r\ntres";
	m.ics = ICS;
	m.ics_method = "REQUEST";
	char *msg = render_ok(&m);
	for (const char *p = msg; *p; p++) {
		if (*p == '\n')
			cr_assert(p > msg && p[-1] == '\r', "bare LF at %td", p - msg);
		if (*p == '\r')
			cr_assert_eq(p[1], '\n', "bare CR at %td", p - msg);
	}
	size_t n = strlen(msg);
	cr_assert(n > 2 && strcmp(msg + n - 2, "\r\n") == 0);
	free(msg);
}
