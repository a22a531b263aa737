#include "api/html_page.h"

void html_put(struct html_page *p, const char *s)
{
	if (!p->err && s)
		p->err = strbuf_puts(&p->sb, s);
}

void html_put_text(struct html_page *p, const char *s)
{
	for (; s && *s && !p->err; s++) {
		switch (*s) {
		case '&': html_put(p, "&amp;"); break;
		case '<': html_put(p, "&lt;"); break;
		case '>': html_put(p, "&gt;"); break;
		case '"': html_put(p, "&quot;"); break;
		case '\'': html_put(p, "&#39;"); break;
		default: p->err = strbuf_add(&p->sb, s, 1);
		}
	}
}

int html_page_finish(struct html_page *p, struct request *req, struct response *res, int status)
{
	if (p->err) {
		strbuf_release(&p->sb);
		return p->err;
	}
	res->text = arena_strndup(req->arena, strbuf_str(&p->sb), p->sb.len);
	res->text_len = p->sb.len;
	strbuf_release(&p->sb);
	res->content_type = "text/html; charset=utf-8";
	res->cache_control = "no-store";
	res->status = status;
	return res->text ? 0 : CAL_E_NOMEM;
}
