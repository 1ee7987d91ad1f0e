/*
 * /items routes (reads): GET and SEARCH /items/:collection, GET /items/:collection/:id, as
 * Directus 11.3.5's controllers/items.ts answers them — singletons as objects, SEARCH with a
 * body {query} replacing the URL query or {keys} reading by primary key, `directus_*`
 * collections and unknown collections 403, a missing or malformed key 403.
 */
#ifndef LIB_API_ITEMS_H
#define LIB_API_ITEMS_H

#include "lib/api/ctx.h"

/* GET / SEARCH /items/:collection */
int items_list(ctx_t *ctx);

/* GET /items/:collection/:id */
int items_one(ctx_t *ctx);

#endif
