/* Small HTML pages written by hand (the RSVP links, a booking's manage
 * page): a buffer whose first error sticks, text escaped on the way in. */
#ifndef CAL_API_HTML_PAGE_H
#define CAL_API_HTML_PAGE_H

#include "api/handler.h"
#include "base/strbuf.h"

struct html_page {
	struct strbuf sb;
	int err;
};

static inline struct html_page html_page_init(size_t max)
{
	return (struct html_page){ .sb = STRBUF_INIT(max) };
}

/* Markup, as is. NULL writes nothing. */
void html_put(struct html_page *p, const char *s);
/* Text, escaped for element content and quoted attributes. */
void html_put_text(struct html_page *p, const char *s);
/* Hands the page to `res` (text/html, no-store) and releases the buffer. */
int html_page_finish(struct html_page *p, struct request *req, struct response *res, int status);

#endif
