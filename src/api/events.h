/* Handlers of /api/v1/calendar/events. */
#ifndef CAL_API_EVENTS_H
#define CAL_API_EVENTS_H

#include "api/handler.h"

int api_events_create(struct request *req, struct response *res);
int api_events_list(struct request *req, struct response *res);
int api_events_get(struct request *req, struct response *res);
int api_events_update(struct request *req, struct response *res);
int api_events_delete(struct request *req, struct response *res);
int api_events_respond(struct request *req, struct response *res);

#endif
