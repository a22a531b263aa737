/* Readiness: can the store answer a trivial query right now? */
#ifndef CAL_SERVICE_HEALTH_H
#define CAL_SERVICE_HEALTH_H

#include "service/app.h"

int health_store_ready(struct app *app);

#endif
