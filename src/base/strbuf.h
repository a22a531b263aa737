/* A growable string with its length and a hard cap (after curl's dynbuf):
 * appending past the cap fails with CAL_E_TOO_LARGE instead of growing
 * without bound, which is how request bodies and rendered output stay
 * within limits.h. The buffer is always NUL-terminated. */
#ifndef CAL_BASE_STRBUF_H
#define CAL_BASE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "base/macro.h"

struct strbuf {
	char *buf; /* owned; NULL until the first append */
	size_t len, alloc, max;
};

#define STRBUF_INIT(maxlen) { .buf = NULL, .len = 0, .alloc = 0, .max = (maxlen) }

void strbuf_release(struct strbuf *sb);
static inline void strbuf_releasep(struct strbuf *sb) { strbuf_release(sb); }
int strbuf_add(struct strbuf *sb, const void *data, size_t len);
int strbuf_puts(struct strbuf *sb, const char *s);
int strbuf_printf(struct strbuf *sb, const char *fmt, ...) CAL_PRINTF(2, 3);
/* Hands the buffer to the caller (free() it) and resets sb. */
char *strbuf_detach(struct strbuf *sb, size_t *ret_len);
static inline const char *strbuf_str(const struct strbuf *sb) { return sb->buf ? sb->buf : ""; }

#endif
