/* Handlers of the iCalendar routes: export, import and the feed. */
#ifndef CAL_API_ICAL_H
#define CAL_API_ICAL_H

#include "api/handler.h"
#include "service/ical.h"

int api_ical_event(struct request *req, struct response *res);
int api_ical_range(struct request *req, struct response *res);
int api_ical_import(struct request *req, struct response *res);
int api_ical_feed_create(struct request *req, struct response *res);
int api_ical_feed_revoke(struct request *req, struct response *res);
int api_ical_feed(struct request *req, struct response *res);
/* The import report as the API and `calendard import` print it. */
json_t *api_import_report_json(const struct ical_import_report *rep);

#endif
