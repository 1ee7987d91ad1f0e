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

#include <stdbool.h>

#include "lib/api/ctx.h"
#include "lib/auth/password.h"
#include "lib/perm/perm.h"
#include "lib/query/query.h"
#include "lib/services/write.h"

/* The write service set up for a request: its caller (activity, specials), its permission rows
 * (loaded per action on first use; none for admins), MAX_BATCH_MUTATION and one clock reading. */
typedef struct {
    ctx_t *ctx;
    const perm_set_t *sets[PERM_SHARE + 1];
    bool loaded[PERM_SHARE + 1];
    query_env_t env;
    write_actor_t actor;
    password_params_t hash; /* HASH_* for `hash` fields */
    write_t w;
} items_writer_t;

void items_writer_init(items_writer_t *iw, ctx_t *ctx, const schema_t *s);

/* fn(arg) inside BEGIN … COMMIT; ROLLBACK when it fails (its error stays in ctx->err). After
 * COMMIT the pool caches iw's writes made stale are bumped. */
int items_transaction(items_writer_t *iw, int (*fn)(void *), void *arg);

int items_create(ctx_t *ctx); /* POST /items/:collection */

/* The same routes' work on a collection the caller resolved (a system controller that behaves
 * as the items one: lib/api/files.c). */
int items_create_in(ctx_t *ctx, const schema_t *s, const schema_collection_t *c);
int items_update_in(ctx_t *ctx, const schema_t *s, const schema_collection_t *c);
int items_update_one_in(ctx_t *ctx, const schema_t *s, const schema_collection_t *c);

/* validateBatch('update' / 'delete') of a body that is not an array. -1 with 400 set. */
int items_batch_body(ctx_t *ctx, bool update);

/* The read-back of a write with the URL query: readOne(key) / readMany(keys), 204 when that
 * read is forbidden. */
int items_reread_one(ctx_t *ctx, const schema_t *s, const schema_collection_t *c,
                     struct json_object *key);
int items_reread_many(ctx_t *ctx, const schema_t *s, const schema_collection_t *c,
                      const write_keys_t *keys);
int items_update(ctx_t *ctx);     /* PATCH /items/:collection */
int items_update_one(ctx_t *ctx); /* PATCH /items/:collection/:id */
int items_delete(ctx_t *ctx);     /* DELETE /items/:collection */
int items_delete_one(ctx_t *ctx); /* DELETE /items/:collection/:id */

#endif
