/* Operations routes: liveness, readiness, metrics and the OpenAPI document. */
#ifndef CAL_API_HEALTH_H
#define CAL_API_HEALTH_H

#include "api/handler.h"

int api_livez(struct request *req, struct response *res);
int api_readyz(struct request *req, struct response *res);
int api_healthz(struct request *req, struct response *res);
int api_metrics(struct request *req, struct response *res);
int api_openapi(struct request *req, struct response *res);

#endif
