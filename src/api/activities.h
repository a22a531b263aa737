/* Handlers of /api/v1/activities. */
#ifndef CAL_API_ACTIVITIES_H
#define CAL_API_ACTIVITIES_H

#include "api/handler.h"

int api_activities_create(struct request *req, struct response *res);
int api_activities_list(struct request *req, struct response *res);
int api_activities_get(struct request *req, struct response *res);
int api_activities_update(struct request *req, struct response *res);
int api_activities_delete(struct request *req, struct response *res);
int api_activities_done(struct request *req, struct response *res);

#endif
