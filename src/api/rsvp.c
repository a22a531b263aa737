/* The RSVP pages. A person follows a link from an e-mail in a browser, so
 * these answer small HTML pages (errors too), in the attendee's language.
 * GET only shows a button; the POST of that button records the answer, so
 * a mail scanner that fetches every link answers nothing. */
#include "api/rsvp.h"

#include <string.h>

#include "api/html_page.h"
#include "service/rsvp.h"

enum { PAGE_MAX = 16 * 1024 };

struct words {
	const char *title, *question, *button, *done, *same, *invalid, *gone;
	const char *answer[4]; /* by enum cal_partstat */
};

static const struct words es = {
	.title = "Respuesta a la invitación",
	.question = "¿Confirma su respuesta?",
	.button = "Confirmar",
	.done = "Su respuesta quedó registrada. Gracias.",
	.same = "Esa ya era su respuesta.",
	.invalid = "Este enlace no es válido.",
	.gone = "Este enlace ya no está disponible.",
	.answer = { "Sin responder", "Quizás", "Asistiré", "No asistiré" },
};

static const struct words en = {
	.title = "Your answer to the invitation",
	.question = "Confirm your answer?",
	.button = "Confirm",
	.done = "Your answer has been recorded. Thank you.",
	.same = "That already was your answer.",
	.invalid = "This link is not valid.",
	.gone = "This link is no longer available.",
	.answer = { "No answer", "Maybe", "Going", "Not going" },
};

static int answer_parse(const char *s)
{
	if (strcmp(s, "accept") == 0)
		return CAL_PARTSTAT_ACCEPTED;
	if (strcmp(s, "decline") == 0)
		return CAL_PARTSTAT_DECLINED;
	return strcmp(s, "tentative") == 0 ? CAL_PARTSTAT_TENTATIVE : -1;
}

/* One page: a heading, the event, a message, and optionally the button. */
static int page(struct request *req, struct response *res, int status, const char *lang,
		const struct rsvp_view *v, const char *message, const char *button_answer)
{
	const struct words *w = lang && strcmp(lang, "en") == 0 ? &en : &es;
	struct html_page pb = html_page_init(PAGE_MAX);
	html_put(&pb, "<!doctype html><html lang=\"");
	html_put(&pb, w == &en ? "en" : "es");
	html_put(&pb, "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">"
			 "<meta name=\"robots\" content=\"noindex\"><title>");
	html_put_text(&pb, w->title);
	html_put(&pb, "</title></head><body style=\"font-family:sans-serif;max-width:32em;margin:2em auto\"><h1>");
	html_put_text(&pb, w->title);
	html_put(&pb, "</h1>");
	if (v) {
		html_put(&pb, "<p><strong>");
		html_put_text(&pb, v->event_name);
		html_put(&pb, "</strong><br>");
		html_put_text(&pb, v->when);
		html_put(&pb, "</p><p>");
		html_put_text(&pb, v->attendee_name ? v->attendee_name : v->attendee_email);
		html_put(&pb, ": <strong id=\"state\">");
		html_put_text(&pb, w->answer[v->state]);
		html_put(&pb, "</strong></p>");
	}
	html_put(&pb, "<p id=\"message\">");
	html_put_text(&pb, message ? message : w->question);
	html_put(&pb, "</p>");
	if (button_answer) {
		/* A relative action: the page was reached at this very path. */
		html_put(&pb, "<form method=\"post\"><button type=\"submit\" style=\"font-size:1.2em\">");
		html_put_text(&pb, w->button);
		html_put(&pb, ": ");
		html_put_text(&pb, w->answer[answer_parse(button_answer)]);
		html_put(&pb, "</button></form>");
	}
	html_put(&pb, "</body></html>\n");
	return html_page_finish(&pb, req, res, status);
}

/* Link errors as pages too; anything else goes to the dispatcher. */
static int error_page(struct request *req, struct response *res, int r)
{
	if (r == CAL_E_NOT_FOUND)
		return page(req, res, 404, NULL, NULL, es.invalid, NULL);
	if (r == CAL_E_GONE)
		return page(req, res, 410, NULL, NULL, req->err->detail ? req->err->detail : es.gone, NULL);
	return r;
}

int api_rsvp_show(struct request *req, struct response *res)
{
	int answer = answer_parse(req->params[1]);
	if (answer < 0)
		return page(req, res, 404, NULL, NULL, es.invalid, NULL);
	struct rsvp_view v;
	int r = rsvp_show(req->app, req->arena, req->params[0], req->err, &v);
	if (r < 0)
		return error_page(req, res, r);
	res->cache_control = "no-store";
	return page(req, res, 200, v.lang, &v, NULL, req->params[1]);
}

int api_rsvp_answer(struct request *req, struct response *res)
{
	int answer = answer_parse(req->params[1]);
	if (answer < 0)
		return page(req, res, 404, NULL, NULL, es.invalid, NULL);
	struct rsvp_view v;
	int r = rsvp_answer(req->app, req->arena, req->params[0], (enum cal_partstat)answer, req->err, &v);
	if (r < 0)
		return error_page(req, res, r);
	const struct words *w = v.lang && strcmp(v.lang, "en") == 0 ? &en : &es;
	return page(req, res, 200, v.lang, &v, v.changed ? w->done : w->same, NULL);
}
