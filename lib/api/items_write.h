/*
 * /items write routes, as Directus 11.3.5's controllers/items.ts answers them: POST (object →
 * createOne, array → createMany), PATCH /items/:c (array → updateBatch, {keys,data} →
 * updateMany, {query,data} → updateByQuery; singletons upsert), PATCH /items/:c/:id, DELETE
 * /items/:c (array or {keys} → deleteMany, {query} → deleteByQuery) and DELETE /items/:c/:id.
 * Each request is one transaction; the written items are read back with the request's query
 * (204 when that read is forbidden, as Directus answers).
 */
#ifndef LIB_API_ITEMS_WRITE_H
#define LIB_API_ITEMS_WRITE_H

#include "lib/api/ctx.h"

int items_create(ctx_t *ctx);     /* POST /items/:collection */
int items_update(ctx_t *ctx);     /* PATCH /items/:collection */
int items_update_one(ctx_t *ctx); /* PATCH /items/:collection/:id */
int items_delete(ctx_t *ctx);     /* DELETE /items/:collection */
int items_delete_one(ctx_t *ctx); /* DELETE /items/:collection/:id */

#endif
