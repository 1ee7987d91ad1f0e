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

typedef struct items_service items_service_t;

/* The write service set up for a request: its caller (activity, specials), its permission rows
 * (loaded per action on first use; none for admins), MAX_BATCH_MUTATION and one clock reading.
 * pre is the service's objection to the current call (opts.preMutationError, w.pre_mutation
 * points at it); checks the user integrity checks a service asked for (ITEMS_CHECK_*), run
 * once after the request's mutation, before COMMIT. */
typedef struct {
    ctx_t *ctx;
    const perm_set_t *sets[PERM_SHARE + 1];
    bool loaded[PERM_SHARE + 1];
    query_env_t env;
    write_actor_t actor;
    password_params_t hash; /* HASH_* for `hash` fields */
    write_t w;
    err_t pre;
    unsigned checks;
    const items_service_t *svc;
    /* An error a service raises after its own mutation, which Directus had committed in a
     * transaction of its own by then (CommentsService's mentions): the request's writes are
     * committed, then this is the answer. */
    err_t late;
} items_writer_t;

/* UserIntegrityCheckFlag.RemainingAdmins (the user limits are unlimited without a license). */
#define ITEMS_CHECK_REMAINING_ADMINS 1u

/* A service's overrides of ItemsService's mutations (Directus's `XService extends ItemsService`);
 * a NULL member is ItemsService's own. updateOne, updateBatch and updateByQuery go through
 * update_many, deleteOne and deleteByQuery through delete_many, as in Directus. create_many NULL
 * with create_one set creates one by one through create_one (ItemsService.createMany forks the
 * service). finish runs after the request's mutation, inside its transaction. */
struct items_service {
    int (*create_one)(items_writer_t *iw, const schema_collection_t *c, struct json_object *data,
                      struct json_object **key);
    int (*create_many)(items_writer_t *iw, const schema_collection_t *c,
                       struct json_object *items, write_keys_t *keys);
    int (*update_many)(items_writer_t *iw, const schema_collection_t *c, write_keys_t *keys,
                       struct json_object *data);
    int (*delete_many)(items_writer_t *iw, const schema_collection_t *c, const write_keys_t *keys);
    int (*finish)(items_writer_t *iw);
};

/* What a write route writes: a collection through a service (NULL: ItemsService). */
typedef struct {
    const schema_t *s;
    const schema_collection_t *c;
    const items_service_t *svc;
    bool no_delete_check; /* DELETE / without validateBatch('delete') (dashboards, flows, …) */
    /* The service's readMany adds to the list envelope `{"data":[…]}` in body (PermissionsService
     * appends the app access minimal rows); NULL: nothing. */
    void (*list_extra)(ctx_t *ctx, const query_t *q, buf_t *body);
} items_target_t;

void items_writer_init(items_writer_t *iw, ctx_t *ctx, const schema_t *s);

/* fn(arg) inside BEGIN … COMMIT; ROLLBACK when it fails (its error stays in ctx->err). After
 * COMMIT the pool caches iw's writes made stale are bumped. */
int items_transaction(items_writer_t *iw, int (*fn)(void *), void *arg);

/* The service calls (iw->svc's override or ItemsService's), for services that call others. */
int items_svc_update_many(items_writer_t *iw, const schema_collection_t *c, write_keys_t *keys,
                          struct json_object *data);
int items_svc_delete_many(items_writer_t *iw, const schema_collection_t *c,
                          const write_keys_t *keys);

/* A service's own statement on a list of keys (Directus's manual constraints, knex's
 * whereIn): head, written for lib/auth/authdb (`"` identifiers), then ` (?, …)` with the keys'
 * text bound. Nothing runs for no keys. -1 with ctx->err set on a database error. */
int items_exec_in(ctx_t *ctx, const char *head, const write_keys_t *keys);

/* The controller bodies, shared by /items and the system routes: create (POST /), update
 * (PATCH /: batch, keys or query), update_one (PATCH /:id with key from the URL), delete
 * (DELETE /: keys or query) and delete_one. The URL query is ctx->sanitized. */
int items_write_create(ctx_t *ctx, const items_target_t *t);

/* validateBatch('update' / 'delete') for a body that is not an array: 400 INVALID_PAYLOAD with
 * Joi's reason. */
int items_batch_body(ctx_t *ctx, bool update);

/* The read-back of a route that wrote t's keys itself (FilesService's uploads): readOne(key,
 * query) / readMany(keys, query) with the URL query; a ForbiddenError answers 204. */
int items_write_reread_one(ctx_t *ctx, const items_target_t *t, struct json_object *key);
int items_write_reread_many(ctx_t *ctx, const items_target_t *t, const write_keys_t *keys);

int items_write_update(ctx_t *ctx, const items_target_t *t);
int items_write_update_one(ctx_t *ctx, const items_target_t *t, str_t id);
int items_write_delete(ctx_t *ctx, const items_target_t *t);
int items_write_delete_one(ctx_t *ctx, const items_target_t *t, str_t id);

int items_create(ctx_t *ctx);     /* POST /items/:collection */
int items_update(ctx_t *ctx);     /* PATCH /items/:collection */
int items_update_one(ctx_t *ctx); /* PATCH /items/:collection/:id */
int items_delete(ctx_t *ctx);     /* DELETE /items/:collection */
int items_delete_one(ctx_t *ctx); /* DELETE /items/:collection/:id */

#endif
