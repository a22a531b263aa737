/* Handlers of /api/v1/calendar/appointments (docs/internals/appointments.md). */
#ifndef CAL_API_APPOINTMENTS_H
#define CAL_API_APPOINTMENTS_H

#include "api/handler.h"

int api_appointment_types_create(struct request *req, struct response *res);
int api_appointment_types_list(struct request *req, struct response *res);
int api_appointment_types_get(struct request *req, struct response *res);
int api_appointment_types_update(struct request *req, struct response *res);
int api_appointment_types_delete(struct request *req, struct response *res);
int api_appointment_slots(struct request *req, struct response *res);
int api_appointment_book(struct request *req, struct response *res);
int api_appointment_booking_show(struct request *req, struct response *res);
int api_appointment_booking_change(struct request *req, struct response *res);

#endif
