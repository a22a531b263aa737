/* Shared response helpers for handlers. */
#include "api/respond.h"

#include <stdlib.h>

int api_respond_text(struct request *req, struct response *res, int status,
		     const char *content_type, struct strbuf *out, int err)
{
	if (err == 0) {
		res->text = arena_strndup(req->arena, strbuf_str(out), out->len);
		res->text_len = out->len;
		res->content_type = content_type;
		res->status = status;
	}
	strbuf_release(out);
	return err < 0 ? err : res->text ? 0 : CAL_E_NOMEM;
}

int api_query_limit(struct request *req, unsigned max, unsigned *ret)
{
	const char *text = req->query(req, "limit");
	*ret = 0;
	if (!text)
		return 0;
	char *end;
	unsigned long n = strtoul(text, &end, 10);
	if (!*text || *end || n == 0 || n > max || text[0] == '-' || text[0] == '+')
		return cal_error_field(req->err, "limit",
				       arena_printf(req->arena, "must be a whole number from 1 to %u", max));
	*ret = (unsigned)n;
	return 0;
}
