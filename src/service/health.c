/* Readiness check through a pooled connection. */
#include "service/health.h"

int health_store_ready(struct app *app)
{
	struct store_conn *c;
	int r = store_acquire(app->store, &c);
	if (r < 0)
		return r;
	r = store_ping(c);
	store_release(c);
	return r;
}
