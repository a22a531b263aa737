/* The manage page of a booking, for the customer who follows the link of
 * the confirmation e-mail in a browser: the booking, a cancel button and
 * the next free times to move it to. GET only shows; the buttons POST to
 * /appointments/manage/<token>/{cancel,reschedule}, so a mail scanner
 * that fetches the link changes nothing. Pages are in the customer's
 * language; errors are pages too. */
#include "api/appointment_page.h"

#include <string.h>

#include "api/appointment_json.h"
#include "api/html_page.h"
#include "model/time.h"

enum { PAGE_MAX = 256 * 1024, OFFER_DAYS = 14, OFFER_MAX = 40 };

struct words {
	const char *title, *with, *when, *status_confirmed, *status_cancelled, *cancel, *cancelled,
		*rescheduled, *move_to, *no_slots, *too_late, *invalid, *taken;
};

static const struct words es = {
	.title = "Su cita", .with = "Con", .when = "Cuándo",
	.status_confirmed = "Confirmada", .status_cancelled = "Cancelada",
	.cancel = "Cancelar la cita", .cancelled = "La cita quedó cancelada.",
	.rescheduled = "La cita quedó cambiada.", .move_to = "Cambiar a otro horario",
	.no_slots = "No hay otros horarios libres en los próximos días.",
	.too_late = "Ya no se puede cambiar ni cancelar esta cita en línea.",
	.invalid = "Este enlace no es válido.",
	.taken = "Ese horario ya no está libre: elija otro.",
};

static const struct words en = {
	.title = "Your appointment", .with = "With", .when = "When",
	.status_confirmed = "Confirmed", .status_cancelled = "Cancelled",
	.cancel = "Cancel the appointment", .cancelled = "The appointment is cancelled.",
	.rescheduled = "The appointment is moved.", .move_to = "Move it to another time",
	.no_slots = "There are no other free times in the coming days.",
	.too_late = "This appointment can no longer be changed or cancelled online.",
	.invalid = "This link is not valid.",
	.taken = "That time is no longer free: choose another one.",
};

static const struct words *words_of(const char *lang)
{
	return lang && strcmp(lang, "en") == 0 ? &en : &es;
}

/* The next free times of the booking's assignee, as buttons. */
static void put_offers(struct request *req, struct html_page *pb, const struct words *w,
		       const struct appointment_booking_view *v, const char *token)
{
	char from[CAL_INSTANT_TEXT], to[CAL_INSTANT_TEXT];
	int64_t now = cal_clock_now(&req->app->clock);
	cal_instant_format(now, from);
	cal_instant_format(now + (int64_t)OFFER_DAYS * 86400, to);
	struct appointment_slots_request q = { .type_id = v->type->id.s, .from = from, .to = to,
					       .timezone = v->zone, .assignee_id = v->booking->assignee_id.s };
	struct appointment_slots_result s;
	struct cal_error ignored = { 0 };
	html_put(pb, "<h2>");
	html_put_text(pb, w->move_to);
	html_put(pb, "</h2>");
	if (appointment_slots(req->app, req->arena, &q, &ignored, &s) < 0 || s.n == 0) {
		html_put(pb, "<p>");
		html_put_text(pb, w->no_slots);
		html_put(pb, "</p>");
		return;
	}
	for (size_t i = 0; i < s.n && i < OFFER_MAX; i++) {
		char start[CAL_INSTANT_TEXT];
		cal_instant_format(s.slots[i].start, start);
		/* The start goes in the action's query: the form has no body. */
		html_put(pb, "<form method=\"post\" style=\"display:inline\" action=\"/appointments/manage/");
		html_put_text(pb, token);
		html_put(pb, "/reschedule?start=");
		html_put_text(pb, start);
		html_put(pb, "\"><button type=\"submit\" style=\"margin:.2em\">");
		html_put_text(pb, appointment_when(req->app, req->arena, v->lang, v->zone, s.slots[i].start,
						 s.slots[i].end));
		html_put(pb, "</button></form>");
	}
}

static int page(struct request *req, struct response *res, int status,
		const struct appointment_booking_view *v, const char *token, const char *message)
{
	const struct words *w = words_of(v ? v->lang : NULL);
	struct html_page pb = html_page_init(PAGE_MAX);
	html_put(&pb, "<!doctype html><html lang=\"");
	html_put(&pb, w == &en ? "en" : "es");
	html_put(&pb, "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">"
		 "<meta name=\"robots\" content=\"noindex\"><meta name=\"referrer\" content=\"no-referrer\"><title>");
	html_put_text(&pb, w->title);
	html_put(&pb, "</title></head><body style=\"font-family:sans-serif;max-width:36em;margin:2em auto\"><h1>");
	html_put_text(&pb, v ? v->type->name : w->title);
	html_put(&pb, "</h1>");
	if (message) {
		html_put(&pb, "<p id=\"message\"><strong>");
		html_put_text(&pb, message);
		html_put(&pb, "</strong></p>");
	}
	if (v) {
		html_put(&pb, "<p id=\"status\">");
		html_put_text(&pb, v->booking->cancelled ? w->status_cancelled : w->status_confirmed);
		html_put(&pb, "</p><p>");
		html_put_text(&pb, w->when);
		html_put(&pb, ": <span id=\"when\">");
		html_put_text(&pb, v->when);
		html_put(&pb, "</span><br>");
		html_put_text(&pb, w->with);
		html_put(&pb, ": ");
		html_put_text(&pb, v->assignee_name);
		if (v->type->location) {
			html_put(&pb, "<br>");
			html_put_text(&pb, v->type->location);
		}
		html_put(&pb, "</p>");
		if (!v->booking->cancelled && !v->can_cancel && !v->can_reschedule) {
			html_put(&pb, "<p>");
			html_put_text(&pb, w->too_late);
			html_put(&pb, "</p>");
		}
		if (v->can_cancel) {
			html_put(&pb, "<form method=\"post\" action=\"/appointments/manage/");
			html_put_text(&pb, token);
			html_put(&pb, "/cancel\"><button type=\"submit\">");
			html_put_text(&pb, w->cancel);
			html_put(&pb, "</button></form>");
		}
		if (v->can_reschedule)
			put_offers(req, &pb, w, v, token);
	}
	html_put(&pb, "</body></html>\n");
	return html_page_finish(&pb, req, res, status);
}

bool appointment_page_wanted(const struct request *req)
{
	const char *accept = req->header(req, "Accept");
	return accept && strstr(accept, "text/html");
}

/* The booking after an action that succeeded, with `message` on top; or,
 * when it was refused, the booking as it is with the reason. */
static int outcome(struct request *req, struct response *res, int r,
		   const struct appointment_booking_view *v, const char *message)
{
	const char *token = req->params[0];
	if (r == 0)
		return page(req, res, 200, v, token, message);
	if (r == CAL_E_NOT_FOUND)
		return page(req, res, 404, NULL, token, es.invalid);
	if (cal_error_status(r) >= 500)
		return r;
	struct appointment_booking_view now;
	struct cal_error ignored = { 0 };
	int shown = appointment_booking_show(req->app, req->arena, token, &ignored, &now);
	if (shown < 0)
		return shown == CAL_E_NOT_FOUND ? page(req, res, 404, NULL, token, es.invalid) : shown;
	if (r == CAL_E_SLOT_TAKEN)
		return page(req, res, 409, &now, token, words_of(now.lang)->taken);
	/* A bad start names the field; the page says it in words. */
	const char *why = req->err->n_fields ? req->err->fields[0].detail : req->err->detail;
	return page(req, res, cal_error_status(r), &now, token, why);
}

int api_appointment_page(struct request *req, struct response *res)
{
	struct appointment_booking_view v;
	int r = appointment_booking_show(req->app, req->arena, req->params[0], req->err, &v);
	return outcome(req, res, r, &v, NULL);
}

int api_appointment_page_cancel(struct request *req, struct response *res)
{
	struct appointment_booking_view v;
	int r = appointment_booking_cancel(req->app, req->arena, req->params[0], req->err, &v);
	return outcome(req, res, r, &v, r == 0 ? words_of(v.lang)->cancelled : NULL);
}

int api_appointment_page_reschedule(struct request *req, struct response *res)
{
	struct appointment_booking_view v;
	int r = appointment_booking_reschedule(req->app, req->arena, req->params[0],
					       req->query(req, "start"), req->err, &v);
	return outcome(req, res, r, &v, r == 0 ? words_of(v.lang)->rescheduled : NULL);
}
