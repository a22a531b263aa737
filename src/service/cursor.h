/* The opaque paging cursor of every list: a sort key (an instant, a day
 * number) and an id, as base64url("<key>:<id>"). Clients pass it back
 * unchanged; its content is not a contract. */
#ifndef CAL_SERVICE_CURSOR_H
#define CAL_SERVICE_CURSOR_H

#include <stdint.h>

#include "base/arena.h"

/* NULL when out of memory. */
const char *cursor_encode(struct arena *a, int64_t key, const char *id);
/* CAL_E_INVALID for text that no cursor_encode made (the id is returned
 * as found, unchecked; callers parse it). *ret_id lives in the arena. */
int cursor_decode(struct arena *a, const char *text, int64_t *ret_key, const char **ret_id);

#endif
