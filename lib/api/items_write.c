/*
 * Thin write handlers: the URL query (sanitizeQuery) first, then collectionExists, then the
 * batch body check (validateBatch), then the service in one transaction, then the read-back.
 * Errors come in Directus's order because the steps do.
 */
#include "lib/api/items_write.h"

#include <json-c/json.h>
#include <string.h>
#include <time.h>

#include "lib/api/cache.h"
#include "lib/api/items.h"
#include "lib/api/respond.h"
#include "lib/api/schema_cache.h"
#include "lib/cache/bus.h"
#include "lib/core/json.h"
#include "lib/query/jsval.h"
#include "lib/services/write.h"

typedef struct {
    items_writer_t iw;
    query_t q; /* the URL query, for the read-back */
    const schema_t *s;
    const schema_collection_t *c;
} wreq_t;

static int64_t clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* write_perm_fn: the caller's rows for an action, loaded once per request. */
static int load_perm(void *ud, perm_action_t action, const perm_set_t **out)
{
    items_writer_t *iw = ud;
    if (!iw->loaded[action]) {
        if (items_perm_load(iw->ctx, action, &iw->sets[action]) < 0)
            return -1;
        iw->loaded[action] = true;
    }
    *out = iw->sets[action];
    return 0;
}

void items_writer_init(items_writer_t *iw, ctx_t *ctx, const schema_t *s)
{
    *iw = (items_writer_t){.ctx = ctx, .env = items_env(ctx)};
    iw->actor = (write_actor_t){.user = ctx->acc.user,
                                .role = ctx->acc.role,
                                .ip = ctx->acc.ip,
                                .user_agent = ctx->acc.user_agent,
                                .origin = ctx->acc.origin};
    iw->hash = password_params(ctx->conf);
    int64_t max = ctx->conf->max_batch_mutation;
    iw->w = (write_t){.a = ctx->arena,
                      .e = &ctx->err,
                      .db = ctx->db,
                      .s = s,
                      .actor = &iw->actor,
                      .perm = ctx->acc.admin ? NULL : load_perm,
                      .perm_ud = iw,
                      .env = &iw->env,
                      .now_ms = clock_ms(),
                      .max_batch = max > 0 ? (size_t)max : 0,
                      .hash = &iw->hash};
}

/* A request on a collection the caller has already resolved (lib/api/files.c). */
static void prepare_in(ctx_t *ctx, wreq_t *r, const schema_t *s, const schema_collection_t *c)
{
    r->q = *ctx->sanitized;
    r->s = s;
    r->c = c;
    items_writer_init(&r->iw, ctx, s);
}

/* The URL query (the pipeline's sanitizeQuery parsed it), then collectionExists. */
static int prepare(ctx_t *ctx, wreq_t *r)
{
    const schema_t *s;
    const schema_collection_t *c = items_collection(ctx, &s);
    if (!c)
        return -1;
    prepare_in(ctx, r, s, c);
    return 0;
}

/* RouteNotFoundError with the items router's own path ("/site_settings"). */
static int route_not_found(ctx_t *ctx)
{
    str_t p = ctx->req->path;
    if (p.n >= 6 && !memcmp(p.p, "/items", 6))
        p = (str_t){p.p + 6, p.n - 6};
    err_set(&ctx->err, ctx->arena, ERR_ROUTE_NOT_FOUND, "Route %.*s doesn't exist.", (int)p.n, p.p);
    err_ext_str(&ctx->err, ctx->arena, "path", str_dup(ctx->arena, p));
    return -1;
}

static int begin(ctx_t *ctx)
{
    return db_begin(ctx->db, ctx->arena, &ctx->err);
}

/* What Directus's WebSocket hooks publish for each change, on the bus (websocket.event), for
 * the realtime worker and any Directus instance sharing the Redis. */
static void announce(items_writer_t *iw)
{
    ctx_t *ctx = iw->ctx;
    if (!ctx->conf->redis_enabled)
        return;
    for (size_t i = 0; i < iw->w.events.n; i++) {
        const write_event_t *ev = &iw->w.events.v[i];
        bus_publish_item_event(ctx->redis, ctx->arena, ev->action, ev->collection,
                               str_c(ev->keys_json));
    }
}

/* COMMIT after rc == 0, else ROLLBACK (the error that caused it stays). */
static int end(items_writer_t *iw, int rc)
{
    ctx_t *ctx = iw->ctx;
    if (rc == 0) {
        if (db_commit(ctx->db, ctx->arena, &ctx->err) < 0)
            return -1;
        for (int k = 0; k < GEN_COUNT; k++)
            if (iw->w.stale & (1u << k))
                gen_bump((gen_kind_t)k);
        api_cache_written(ctx, iw->w.stale & ((1u << GEN_SCHEMA) | (1u << GEN_PERMISSIONS)));
        announce(iw);
        return 0;
    }
    err_t keep = ctx->err;
    err_t ignore = {0};
    db_rollback(ctx->db, ctx->arena, &ignore);
    ctx->err = keep;
    return -1;
}

int items_transaction(items_writer_t *iw, int (*fn)(void *), void *arg)
{
    if (begin(iw->ctx) < 0)
        return -1;
    return end(iw, fn(arg));
}

/* A ForbiddenError from the read-back answers 204 instead. */
static int forbidden_is_204(ctx_t *ctx, int rc)
{
    if (rc == 0 || ctx->err.code != ERR_FORBIDDEN)
        return rc;
    ctx->err = (err_t){0};
    return respond_no_content(ctx);
}

static str_t key_str(ctx_t *ctx, struct json_object *key)
{
    return str_c(write_key_text(ctx->arena, key));
}

int items_reread_one(ctx_t *ctx, const schema_t *s, const schema_collection_t *c,
                     struct json_object *key)
{
    query_env_t env = items_env(ctx);
    plan_opts_t opts = {
        .limit_default = env.limit_default, .by_key = true, .key = key_str(ctx, key)};
    return forbidden_is_204(ctx, items_read_respond(ctx, s, c, ctx->sanitized, &opts, ITEMS_ONE));
}

int items_reread_many(ctx_t *ctx, const schema_t *s, const schema_collection_t *c,
                      const write_keys_t *keys)
{
    if (!keys->n)
        return respond_json_text(ctx, STR("{\"data\":[]}"));
    query_env_t env = items_env(ctx);
    qval_t *kv = write_keys_qvals(ctx->arena, keys);
    plan_opts_t opts = {.limit_default = env.limit_default, .keys = kv, .nkeys = keys->n};
    return forbidden_is_204(ctx, items_read_respond(ctx, s, c, ctx->sanitized, &opts, ITEMS_LIST));
}

/* readOne(key, query). */
static int reread_one(ctx_t *ctx, wreq_t *r, struct json_object *key)
{
    return items_reread_one(ctx, r->s, r->c, key);
}

/* readMany(keys, query). */
static int reread_many(ctx_t *ctx, wreq_t *r, const write_keys_t *keys)
{
    return items_reread_many(ctx, r->s, r->c, keys);
}

static int create(ctx_t *ctx, wreq_t *r);

int items_create(ctx_t *ctx)
{
    wreq_t r;
    if (prepare(ctx, &r) < 0)
        return -1;
    return create(ctx, &r);
}

int items_create_in(ctx_t *ctx, const schema_t *s, const schema_collection_t *c)
{
    wreq_t r;
    prepare_in(ctx, &r, s, c);
    return create(ctx, &r);
}

static int create(ctx_t *ctx, wreq_t *r)
{
    if (r->c->singleton)
        return route_not_found(ctx);
    if (begin(ctx) < 0)
        return -1;
    struct json_object *body = ctx->body;
    bool many = json_object_get_type(body) == json_type_array;
    write_keys_t keys = {0};
    struct json_object *key = NULL;
    int rc = many ? write_create_many(&r->iw.w, r->c, body, NULL, &keys)
                  : write_create_one(&r->iw.w, r->c, body, NULL, &key);
    if (end(&r->iw, rc) < 0)
        return -1;
    return many ? reread_many(ctx, r, &keys) : reread_one(ctx, r, key);
}

static int joi_error(ctx_t *ctx, const char *reason)
{
    return err_invalid_payload(&ctx->err, ctx->arena, reason);
}

/* validateBatch('update' / 'delete') for a body that is not an array. */
int items_batch_body(ctx_t *ctx, bool update)
{
    struct json_object *body = ctx->body, *v;
    if (json_object_get_type(body) != json_type_object)
        return joi_error(ctx, "\"value\" must be of type object");
    if (json_object_object_get_ex(body, "keys", &v)) {
        if (json_object_get_type(v) != json_type_array)
            return joi_error(ctx, "\"keys\" must be an array");
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            json_type t = json_object_get_type(json_object_array_get_idx(v, i));
            if (t != json_type_string && t != json_type_int && t != json_type_double)
                return joi_error(
                    ctx,
                    arena_printf(ctx->arena, "\"keys[%zu]\" must be one of [string, number]", i));
        }
    }
    if (json_object_object_get_ex(body, "query", &v) && json_object_get_type(v) != json_type_object)
        return joi_error(ctx, "\"query\" must be of type object");
    if (update) {
        if (!json_object_object_get_ex(body, "data", &v))
            return joi_error(ctx, "\"data\" is required");
        if (json_object_get_type(v) != json_type_object)
            return joi_error(ctx, "\"data\" must be of type object");
    }
    json_object_object_foreach(body, key, val)
    {
        (void)val;
        if (strcmp(key, "keys") && strcmp(key, "query") && (!update || strcmp(key, "data")))
            return joi_error(ctx, arena_printf(ctx->arena, "\"%s\" is not allowed", key));
    }
    bool k = json_object_object_get_ex(body, "keys", NULL);
    bool q = json_object_object_get_ex(body, "query", NULL);
    if (!k && !q)
        return joi_error(ctx, "\"value\" must contain at least one of [query, keys]");
    if (k && q)
        return joi_error(ctx,
                         "\"value\" contains a conflict between exclusive peers [query, keys]");
    return 0;
}

/* sanitizeQuery of a body's `query`. */
static int body_query(ctx_t *ctx, wreq_t *r, struct json_object *raw, query_t *q)
{
    return query_parse(ctx->arena, &ctx->err, &r->iw.env, raw, false, q);
}

static int update(ctx_t *ctx, wreq_t *r);

int items_update(ctx_t *ctx)
{
    wreq_t r;
    if (prepare(ctx, &r) < 0)
        return -1;
    return update(ctx, &r);
}

int items_update_in(ctx_t *ctx, const schema_t *s, const schema_collection_t *c)
{
    wreq_t r;
    prepare_in(ctx, &r, s, c);
    return update(ctx, &r);
}

static int update(ctx_t *ctx, wreq_t *r)
{
    struct json_object *body = ctx->body, *v;
    bool array = json_object_get_type(body) == json_type_array;
    if (!r->c->singleton && !array && items_batch_body(ctx, true) < 0)
        return -1;
    if (r->c->singleton) {
        if (begin(ctx) < 0 || end(&r->iw, write_upsert_singleton(&r->iw.w, r->c, body)) < 0)
            return -1;
        plan_opts_t opts = {.limit_default = r->iw.env.limit_default, .singleton = true};
        return items_read_respond(ctx, r->s, r->c, &r->q, &opts, ITEMS_SINGLETON);
    }
    write_keys_t keys = {0};
    query_t bq;
    if (!array && !json_object_object_get_ex(body, "keys", NULL) &&
        body_query(ctx, r, (json_object_object_get_ex(body, "query", &v), v), &bq) < 0)
        return -1;
    if (begin(ctx) < 0)
        return -1;
    int rc;
    if (array) {
        rc = write_update_batch(&r->iw.w, r->c, body, &keys);
    } else if (json_object_object_get_ex(body, "keys", &v)) {
        keys = write_keys_of(ctx->arena, v);
        rc = write_update_many(&r->iw.w, r->c, &keys, json_object_object_get(body, "data"), NULL);
    } else {
        rc =
            write_update_by_query(&r->iw.w, r->c, &bq, json_object_object_get(body, "data"), &keys);
    }
    if (end(&r->iw, rc) < 0)
        return -1;
    return reread_many(ctx, r, &keys);
}

/* The URL's :id as a key (validateKeys: malformed → 403), then BEGIN. */
static struct json_object *url_key_begin(ctx_t *ctx, wreq_t *r)
{
    struct json_object *key = json_own(ctx->arena, json_str(router_param(&ctx->route, "id")));
    if (!write_key_valid(r->c, key)) {
        err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
        return NULL;
    }
    return begin(ctx) < 0 ? NULL : key;
}

static int update_one(ctx_t *ctx, wreq_t *r);

int items_update_one(ctx_t *ctx)
{
    wreq_t r;
    if (prepare(ctx, &r) < 0)
        return -1;
    return update_one(ctx, &r);
}

int items_update_one_in(ctx_t *ctx, const schema_t *s, const schema_collection_t *c)
{
    wreq_t r;
    prepare_in(ctx, &r, s, c);
    return update_one(ctx, &r);
}

static int update_one(ctx_t *ctx, wreq_t *r)
{
    if (r->c->singleton)
        return route_not_found(ctx);
    struct json_object *key = url_key_begin(ctx, r);
    if (!key)
        return -1;
    write_keys_t one = {.v = &key, .n = 1};
    if (end(&r->iw, write_update_many(&r->iw.w, r->c, &one, ctx->body, NULL)) < 0)
        return -1;
    return reread_one(ctx, r, key);
}

/* The singleton quirk: without keys or query, Directus's sanitizeQuery(undefined) throws a
 * TypeError (500; admins see its text). */
static int singleton_delete_quirk(ctx_t *ctx)
{
    if (ctx->acc.admin)
        return err_set(&ctx->err, ctx->arena, ERR_INTERNAL_SERVER_ERROR,
                       "Cannot read properties of undefined (reading 'limit')");
    return err_set(&ctx->err, ctx->arena, ERR_INTERNAL_SERVER_ERROR, NULL);
}

int items_delete(ctx_t *ctx)
{
    wreq_t r;
    if (prepare(ctx, &r) < 0)
        return -1;
    struct json_object *body = ctx->body, *v = NULL;
    bool array = json_object_get_type(body) == json_type_array;
    if (!r.c->singleton && !array && items_batch_body(ctx, false) < 0)
        return -1;
    write_keys_t keys = {0};
    query_t bq;
    bool by_keys = false;
    if (array) {
        keys = write_keys_of(ctx->arena, body);
        by_keys = true;
    } else if (json_object_object_get_ex(body, "keys", &v) && jsval_truthy(v)) {
        if (json_object_get_type(v) != json_type_array)
            return singleton_delete_quirk(ctx);
        keys = write_keys_of(ctx->arena, v);
        by_keys = true;
    } else {
        if (!json_object_object_get_ex(body, "query", &v) ||
            json_object_get_type(v) != json_type_object)
            return singleton_delete_quirk(ctx);
        if (body_query(ctx, &r, v, &bq) < 0)
            return -1;
    }
    if (begin(ctx) < 0)
        return -1;
    int rc =
        by_keys ? write_delete_many(&r.iw.w, r.c, &keys) : write_delete_by_query(&r.iw.w, r.c, &bq);
    if (end(&r.iw, rc) < 0)
        return -1;
    return respond_no_content(ctx);
}

int items_delete_one(ctx_t *ctx)
{
    wreq_t r;
    if (prepare(ctx, &r) < 0)
        return -1;
    struct json_object *key = url_key_begin(ctx, &r);
    if (!key)
        return -1;
    write_keys_t one = {.v = &key, .n = 1};
    if (end(&r.iw, write_delete_many(&r.iw.w, r.c, &one)) < 0)
        return -1;
    return respond_no_content(ctx);
}
