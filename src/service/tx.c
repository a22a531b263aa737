/* The one place that opens transactions. */
#include "service/tx.h"

#include "base/errors.h"

enum { TX_ATTEMPTS = 4 };

int tx_run(struct app *app, bool write, tx_body_fn body, void *ctx)
{
	struct store_conn *c;
	int r = store_acquire(app->store, &c);
	if (r < 0)
		return r;
	for (int attempt = 0; attempt < TX_ATTEMPTS; attempt++) {
		r = store_begin(c, write);
		if (r == 0) {
			r = body(c, ctx);
			if (r == 0)
				r = store_commit(c);
			else
				store_rollback(c);
		}
		if (r != CAL_E_CONFLICT)
			break;
	}
	if (r == 0) {
		unsigned notes = store_tx_notes(c);
		if (notes & STORE_NOTE_OUTBOX)
			cal_bell_ring(app->outbox_bell);
		if (notes & STORE_NOTE_ALARM)
			cal_bell_ring(app->alarm_bell);
		if (notes & STORE_NOTE_NOTIFICATION)
			cal_bell_ring(app->notification_bell);
	}
	store_release(c);
	return r;
}
