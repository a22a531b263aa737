/* Transactions for use cases: acquire a connection, begin, run the body,
 * commit — and run the whole body again when the database reports a
 * conflict with a concurrent writer (SQLite busy, PostgreSQL serialization
 * failure). Only service/ uses this. */
#ifndef CAL_SERVICE_TX_H
#define CAL_SERVICE_TX_H

#include <stdbool.h>

#include "service/app.h"

typedef int (*tx_body_fn)(struct store_conn *c, void *ctx);

/* Returns the body's error, or a store error. The body must be safe to run
 * more than once (it must not keep state across attempts outside ctx
 * fields that it resets itself). */
int tx_run(struct app *app, bool write, tx_body_fn body, void *ctx);

#endif
