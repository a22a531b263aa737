/* The HTML manage page of a booking (api/appointment_page.c). */
#ifndef CAL_API_APPOINTMENT_PAGE_H
#define CAL_API_APPOINTMENT_PAGE_H

#include "api/handler.h"

/* A browser asked (Accept: text/html) rather than a program. */
bool appointment_page_wanted(const struct request *req);

int api_appointment_page(struct request *req, struct response *res);
int api_appointment_page_cancel(struct request *req, struct response *res);
int api_appointment_page_reschedule(struct request *req, struct response *res);

#endif
