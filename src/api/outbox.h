/* /api/v1/admin/outbox: what calendard sent or will send, for admins. */
#ifndef CAL_API_OUTBOX_H
#define CAL_API_OUTBOX_H

#include "api/handler.h"

int api_outbox_list(struct request *req, struct response *res);

#endif
