/* /rsvp/:token/:answer — the signed links of an invitation e-mail. */
#ifndef CAL_API_RSVP_H
#define CAL_API_RSVP_H

#include "api/handler.h"

int api_rsvp_show(struct request *req, struct response *res);
int api_rsvp_answer(struct request *req, struct response *res);

#endif
