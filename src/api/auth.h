/* Handlers of /api/v1/auth and /api/v1/me. */
#ifndef CAL_API_AUTH_H
#define CAL_API_AUTH_H

#include "api/handler.h"
#include "model/directory.h"

int api_auth_login(struct request *req, struct response *res);
int api_me(struct request *req, struct response *res);
json_t *api_user_json(const struct cal_user *u);

#endif
