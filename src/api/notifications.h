/* /api/v1/notifications: the caller's in-app notifications, marking one
 * read, and their live stream (Server-Sent Events). */
#ifndef CAL_API_NOTIFICATIONS_H
#define CAL_API_NOTIFICATIONS_H

#include "api/handler.h"
#include "base/jsonw.h"
#include "store/store.h"

/* {"id","kind","title","body","link","eventId","read","createdAt"}: one
 * notification, the same in the list and in the stream. */
void notification_json_write(struct jsonw *w, const struct cal_notification *n);

int api_notifications_list(struct request *req, struct response *res);
int api_notifications_read(struct request *req, struct response *res);
/* A response_stream whose producer sends each new notification as an
 * event (see api/notifications.c for the resumption rules). */
int api_notifications_stream(struct request *req, struct response *res);

#endif
