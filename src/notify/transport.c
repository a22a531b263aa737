/* libcurl senders. One easy handle per worker keeps the SMTP connection
 * (and the provider's HTTPS connection) open between messages: curl's
 * connection cache lives in the handle, and curl_easy_reset keeps it.
 * libcurl escapes a line that starts with "." in an SMTP upload, so the
 * message goes out as rendered. */
#include "notify/transport.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"

struct notify_sender {
	const struct cal_config *cfg;
	CURL *smtp, *http;
};

struct upload {
	const char *data;
	size_t len, pos;
};

static size_t read_upload(char *buf, size_t size, size_t n, void *ctx)
{
	struct upload *u = ctx;
	size_t room = size * n, left = u->len - u->pos;
	size_t k = left < room ? left : room;
	memcpy(buf, u->data + u->pos, k);
	u->pos += k;
	return k;
}

struct sink {
	char text[512];
	size_t len;
};

/* Keeps the start of a provider's answer, for the error message. */
static size_t keep_head(char *buf, size_t size, size_t n, void *ctx)
{
	struct sink *s = ctx;
	size_t k = size * n;
	size_t room = sizeof s->text - 1 - s->len;
	size_t take = k < room ? k : room;
	memcpy(s->text + s->len, buf, take);
	s->len += take;
	s->text[s->len] = '\0';
	return k;
}

int notify_sender_new(const struct cal_config *cfg, struct notify_sender **ret)
{
	struct notify_sender *s = calloc(1, sizeof *s);
	if (!s)
		return CAL_E_NOMEM;
	s->cfg = cfg;
	s->smtp = curl_easy_init();
	s->http = curl_easy_init();
	if (!s->smtp || !s->http) {
		notify_sender_free(s);
		return CAL_E_NOMEM;
	}
	*ret = s;
	return 0;
}

void notify_sender_free(struct notify_sender *s)
{
	if (!s)
		return;
	if (s->smtp)
		curl_easy_cleanup(s->smtp);
	if (s->http)
		curl_easy_cleanup(s->http);
	free(s);
}

static void angle(char *buf, size_t len, const char *addr) { snprintf(buf, len, "<%s>", addr); }

int notify_smtp_send(struct notify_sender *s, const char *to, const char *message, size_t len,
		     char *why, size_t why_len, bool *ret_permanent)
{
	const struct cal_config *cfg = s->cfg;
	*ret_permanent = false;
	if (!cfg->smtp_url) {
		snprintf(why, why_len, "SMTP_URL is not set");
		return CAL_E_DELIVERY;
	}
	CURL *h = s->smtp;
	curl_easy_reset(h);
	char from[320], rcpt[320], errbuf[CURL_ERROR_SIZE] = "";
	angle(from, sizeof from, cfg->mail_from);
	angle(rcpt, sizeof rcpt, to);
	struct curl_slist *rcpts = curl_slist_append(NULL, rcpt);
	if (!rcpts)
		return CAL_E_NOMEM;
	struct upload up = { .data = message, .len = len };
	curl_easy_setopt(h, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_upload);
	curl_easy_setopt(h, CURLOPT_READDATA, &up);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)cfg->send_timeout_s);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	if (strncmp(cfg->smtp_url, "smtp://", 7) == 0)
		curl_easy_setopt(h, CURLOPT_USE_SSL,
				 cfg->smtp_tls == 2 ? (long)CURLUSESSL_ALL
				 : cfg->smtp_tls == 1 ? (long)CURLUSESSL_TRY
						      : (long)CURLUSESSL_NONE);
	if (cfg->smtp_username) {
		curl_easy_setopt(h, CURLOPT_USERNAME, cfg->smtp_username);
		curl_easy_setopt(h, CURLOPT_PASSWORD, cfg->smtp_password ? cfg->smtp_password : "");
	}
	CURLcode rc = curl_easy_perform(h);
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(rcpts);
	if (rc == CURLE_OK)
		return 0;
	/* A 5xx reply is the server refusing this message for good (unknown
	 * mailbox, policy); anything else (4xx, network) may pass later. */
	*ret_permanent = code >= 500 && code < 600;
	snprintf(why, why_len, "smtp %ld: %s", code, errbuf[0] ? errbuf : curl_easy_strerror(rc));
	return CAL_E_DELIVERY;
}

int notify_sms_send(struct notify_sender *s, const char *to, const char *text,
		    const char *idempotency_token, char *why, size_t why_len, bool *ret_permanent)
{
	const struct cal_config *cfg = s->cfg;
	*ret_permanent = false;
	if (!cfg->sms_base_url || !cfg->sms_account_sid || !cfg->sms_auth_token || !cfg->sms_from) {
		snprintf(why, why_len, "SMS_BASE_URL, SMS_ACCOUNT_SID, SMS_AUTH_TOKEN and SMS_FROM must be set");
		return CAL_E_DELIVERY;
	}
	CURL *h = s->http;
	curl_easy_reset(h);
	char *e_to = curl_easy_escape(h, to, 0), *e_from = curl_easy_escape(h, cfg->sms_from, 0),
	     *e_body = curl_easy_escape(h, text, 0), *e_sid = curl_easy_escape(h, cfg->sms_account_sid, 0);
	char *url = NULL, *form = NULL, *token_header = NULL;
	int r = CAL_E_NOMEM;
	struct curl_slist *headers = NULL;
	if (!e_to || !e_from || !e_body || !e_sid ||
	    asprintf(&url, "%s/2010-04-01/Accounts/%s/Messages.json", cfg->sms_base_url, e_sid) < 0 ||
	    asprintf(&form, "To=%s&From=%s&Body=%s", e_to, e_from, e_body) < 0 ||
	    asprintf(&token_header, "I-Twilio-Idempotency-Token: %s", idempotency_token) < 0) {
		url = form = token_header = NULL;
		goto out;
	}
	headers = curl_slist_append(NULL, token_header);
	struct sink answer = { .len = 0 };
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(h, CURLOPT_USERNAME, cfg->sms_account_sid);
	curl_easy_setopt(h, CURLOPT_PASSWORD, cfg->sms_auth_token);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_head);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)cfg->send_timeout_s);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	CURLcode rc = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (rc == CURLE_OK && status >= 200 && status < 300) {
		r = 0;
	} else {
		r = CAL_E_DELIVERY;
		*ret_permanent = rc == CURLE_OK && status >= 400 && status < 500 && status != 429;
		/* The provider's answer names the problem (its error code), and
		 * holds no credentials. */
		for (char *p = answer.text; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		snprintf(why, why_len, "sms %ld: %.300s", status,
			 rc == CURLE_OK ? answer.text : (errbuf[0] ? errbuf : curl_easy_strerror(rc)));
	}
out:
	curl_slist_free_all(headers);
	free(url);
	free(form);
	free(token_header);
	curl_free(e_to);
	curl_free(e_from);
	curl_free(e_body);
	curl_free(e_sid);
	return r;
}
