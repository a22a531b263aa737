/* Internal to service/: what activities.c and activities_list.c share. */
#ifndef CAL_SERVICE_ACTIVITIES_INTERNAL_H
#define CAL_SERVICE_ACTIVITIES_INTERNAL_H

#include "service/activities.h"

/* Today's date in zone `name` by the app's clock (UTC when the name is no
 * zone: a stored user always has a valid one). */
int32_t activity_today(struct app *app, const char *zone);
/* The activity with the state its assignee's today gives it. */
struct activity_view activity_view_of(struct app *app, struct cal_activity *act);

#endif
