/*
 * /items routes (reads): GET and SEARCH /items/:collection, GET /items/:collection/:id, as
 * Directus 11.3.5's controllers/items.ts answers them — singletons as objects, SEARCH with a
 * body {query} replacing the URL query or {keys} reading by primary key, `directus_*`
 * collections and unknown collections 403, a missing or malformed key 403.
 */
#ifndef LIB_API_ITEMS_H
#define LIB_API_ITEMS_H

#include "lib/api/ctx.h"
#include "lib/perm/perm.h"
#include "lib/query/query.h"
#include "lib/services/items.h"
#include "lib/sql/plan.h"
#include "lib/schema/schema.h"

/* GET / SEARCH /items/:collection */
int items_list(ctx_t *ctx);

/* GET /items/:collection/:id */
int items_one(ctx_t *ctx);

/* The perm_context_fn lib/perm calls for $CURRENT_USER.<path>, $CURRENT_ROLE.<path>,
 * $CURRENT_ROLES.<path> and $CURRENT_POLICIES.<path>: reads the caller's records as an admin
 * would. ctx is the request's ctx_t. */
int items_perm_context(void *ctx, perm_ctx_kind_t kind, const char *const *keys, size_t nkeys,
                       const str_t *paths, size_t npaths, const struct json_object **out);

/* How a controller other than /items reads a list (lib/api/system.c's table): NULL is the
 * items controller. */
typedef struct {
    bool ignore_keys; /* SEARCH {keys} is validated but read by query (readByQuery only) */
    bool no_meta;     /* ?meta is never answered (the shares controller has no MetaService) */
    bool no_limit;    /* limit -1 whatever the query says (the permissions controller) */
} items_how_t;

/*
 * The list read of c as the items controller does it after the query is parsed into q: the
 * SEARCH body (validateBatch: {query} replaces q, {keys} reads by key), the caller's
 * permissions, then the envelope ({"meta"?,"data":[…]}, or the singleton object) into body
 * (initialised here, in the request arena). -1 with ctx->err set.
 */
int items_list_read(ctx_t *ctx, const query_env_t *env, const schema_t *s,
                    const schema_collection_t *c, const items_how_t *how, query_t *q,
                    buf_t *body);

/* readOne of key in c: {"data":{…}} into body; a malformed or missing key is 403. -1 with
 * ctx->err set. */
int items_one_read(ctx_t *ctx, const query_env_t *env, const schema_t *s,
                   const schema_collection_t *c, str_t key, const query_t *q, buf_t *body);

/* Answers body (an envelope of the read above): as JSON (the buffer becomes the response
 * body), or as the ?export=json attachment. */
int items_respond(ctx_t *ctx, const schema_collection_t *c, const query_t *q, buf_t *body);

/* validateBatch('read') for SEARCH: {keys?: (string|number)[], query?: object}, nothing else.
 * A truthy query replaces *q (parsed with env); keys go to *keys (in the request arena) with
 * *has_keys set. -1 with 400 INVALID_PAYLOAD (or the query's error) in ctx->err. */
int items_search_body(ctx_t *ctx, const query_env_t *env, query_t *q, qval_t **keys,
                      size_t *nkeys, bool *has_keys);

/* validateKeys: an integer primary key must read as an integer, a uuid as a uuid. */
bool items_key_valid(const schema_collection_t *c, str_t key);

/* The query environment of the request: settings, the caller for $CURRENT_*, the clock. */
query_env_t items_env(const ctx_t *ctx);

/* The caller's read permissions for the planner: *out NULL for admins, else a set loaded from
 * the database into the request arena (the public's policies are loaded here on demand).
 * -1 with ctx->err set on a database error. */
int items_perm_for(ctx_t *ctx, const perm_set_t **out);

/* The same for any action (create, update, delete: the rows with validation and presets). */
int items_perm_load(ctx_t *ctx, perm_action_t action, const perm_set_t **out);

/* collectionExists plus the system-collection check: the queryable, non-system collection the
 * route names, or NULL with the generic 403 FORBIDDEN set (also NULL when the schema could not
 * be loaded). *s receives the schema. */
const schema_collection_t *items_collection(ctx_t *ctx, const schema_t **s);

/* Plans q with opts (the caller's read permissions added) and reads the envelope into body. */
int items_read_body(ctx_t *ctx, const schema_t *s, const schema_collection_t *c, const query_t *q,
                    plan_opts_t *opts, items_shape_t shape, buf_t *body);

/* Plans q with opts (the caller's read permissions added) and answers with the items read. */
int items_read_respond(ctx_t *ctx, const schema_t *s, const schema_collection_t *c,
                       const query_t *q, plan_opts_t *opts, items_shape_t shape);

#endif
