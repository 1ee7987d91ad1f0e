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
#include "lib/auth/authdb.h"
#include "lib/cache/bus.h"
#include "lib/core/json.h"
#include "lib/query/jsval.h"
#include "lib/services/write.h"

typedef struct {
    items_writer_t iw;
    const items_target_t *t;
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
                      .hash = &iw->hash,
                      .pre_mutation = &iw->pre};
}

/* The request over a target: the URL query (the pipeline's sanitizeQuery parsed it). */
static void prepare_target(ctx_t *ctx, wreq_t *r, const items_target_t *t)
{
    r->q = *ctx->sanitized;
    r->t = t;
    r->s = t->s;
    r->c = t->c;
    items_writer_init(&r->iw, ctx, t->s);
    r->iw.svc = t->svc;
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

/* COMMIT after rc == 0 (and the service's finish), else ROLLBACK (the error that caused it
 * stays). */
static int end(items_writer_t *iw, int rc)
{
    ctx_t *ctx = iw->ctx;
    if (rc == 0 && iw->svc && iw->svc->finish)
        rc = iw->svc->finish(iw);
    if (rc == 0) {
        if (db_commit(ctx->db, ctx->arena, &ctx->err) < 0)
            return -1;
        for (int k = 0; k < GEN_COUNT; k++)
            if (iw->w.stale & (1u << k))
                gen_bump((gen_kind_t)k);
        api_cache_written(ctx, iw->w.stale & ((1u << GEN_SCHEMA) | (1u << GEN_PERMISSIONS)),
                          iw->w.written, iw->w.nwritten);
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

/* ---- the service calls ---------------------------------------------------------------------- */

static int svc_create_one(items_writer_t *iw, const schema_collection_t *c,
                          struct json_object *data, struct json_object **key)
{
    if (iw->svc && iw->svc->create_one)
        return iw->svc->create_one(iw, c, data, key);
    return write_create_one(&iw->w, c, data, NULL, key);
}

static int svc_create_many(items_writer_t *iw, const schema_collection_t *c,
                           struct json_object *items, write_keys_t *keys)
{
    if (iw->svc && iw->svc->create_many)
        return iw->svc->create_many(iw, c, items, keys);
    if (!iw->svc || !iw->svc->create_one)
        return write_create_many(&iw->w, c, items, NULL, keys);
    size_t n = json_object_array_length(items);
    *keys = (write_keys_t){.v = arena_calloc(iw->ctx->arena, n ? n : 1, sizeof *keys->v), .n = n};
    for (size_t i = 0; i < n; i++) {
        if (iw->svc->create_one(iw, c, json_object_array_get_idx(items, i), &keys->v[i]) < 0)
            return -1;
        /* inside createMany's transaction nothing was committed on its own */
        if (err_is_set(&iw->late)) {
            iw->ctx->err = iw->late;
            iw->late = (err_t){0};
            return -1;
        }
    }
    return 0;
}

int items_svc_update_many(items_writer_t *iw, const schema_collection_t *c, write_keys_t *keys,
                          struct json_object *data)
{
    if (iw->svc && iw->svc->update_many)
        return iw->svc->update_many(iw, c, keys, data);
    return write_update_many(&iw->w, c, keys, data, NULL);
}

int items_svc_delete_many(items_writer_t *iw, const schema_collection_t *c,
                          const write_keys_t *keys)
{
    if (iw->svc && iw->svc->delete_many)
        return iw->svc->delete_many(iw, c, keys);
    return write_delete_many(&iw->w, c, keys);
}

int items_exec_in(ctx_t *ctx, const char *head, const write_keys_t *keys)
{
    if (!keys->n)
        return 0;
    db_value_t *p = arena_calloc(ctx->arena, keys->n, sizeof *p);
    buf_t sql;
    buf_init(&sql, ctx->arena, 128);
    buf_puts(&sql, head);
    for (size_t i = 0; i < keys->n; i++) {
        buf_puts(&sql, i ? ", ?" : " (?");
        p[i] = authdb_cstr(write_key_text(ctx->arena, keys->v[i]));
    }
    buf_putc(&sql, ')');
    return authdb_exec(ctx->arena, &ctx->err, ctx->db, sql.p, p, keys->n, NULL);
}

/* write_update_fn: updateBatch's updateOne through the service. */
static int batch_update_one(void *ud, const schema_collection_t *c, write_keys_t *keys,
                            struct json_object *data)
{
    return items_svc_update_many(ud, c, keys, data);
}

/* ---- the controller bodies ------------------------------------------------------------------- */

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

/* readOne(key, query). */
static int reread_one(ctx_t *ctx, wreq_t *r, struct json_object *key)
{
    plan_opts_t opts = {
        .limit_default = r->iw.env.limit_default, .by_key = true, .key = key_str(ctx, key)};
    return forbidden_is_204(ctx, items_read_respond(ctx, r->s, r->c, &r->q, &opts, ITEMS_ONE));
}

/* readMany(keys, query). */
static int reread_many(ctx_t *ctx, wreq_t *r, const write_keys_t *keys)
{
    if (!keys->n && !r->t->list_extra)
        return respond_json_text(ctx, STR("{\"data\":[]}"));
    buf_t body;
    buf_init(&body, ctx->arena, 8192);
    if (!keys->n) {
        buf_puts(&body, "{\"data\":[]}");
        r->t->list_extra(ctx, &r->q, &body);
        return respond_json_text(ctx, buf_slice(&body));
    }
    qval_t *kv = write_keys_qvals(ctx->arena, keys);
    plan_opts_t opts = {.limit_default = r->iw.env.limit_default, .keys = kv, .nkeys = keys->n};
    if (items_read_body(ctx, r->s, r->c, &r->q, &opts, ITEMS_LIST, &body) < 0)
        return forbidden_is_204(ctx, -1);
    if (r->t->list_extra)
        r->t->list_extra(ctx, &r->q, &body);
    return items_respond(ctx, r->c, &r->q, &body);
}

int items_write_reread_one(ctx_t *ctx, const items_target_t *t, struct json_object *key)
{
    wreq_t r;
    prepare_target(ctx, &r, t);
    return reread_one(ctx, &r, key);
}

int items_write_reread_many(ctx_t *ctx, const items_target_t *t, const write_keys_t *keys)
{
    wreq_t r;
    prepare_target(ctx, &r, t);
    return reread_many(ctx, &r, keys);
}

int items_write_create(ctx_t *ctx, const items_target_t *t)
{
    wreq_t r;
    prepare_target(ctx, &r, t);
    if (begin(ctx) < 0)
        return -1;
    struct json_object *body = ctx->body;
    bool many = json_object_get_type(body) == json_type_array;
    write_keys_t keys = {0};
    struct json_object *key = NULL;
    int rc = many ? svc_create_many(&r.iw, r.c, body, &keys)
                  : svc_create_one(&r.iw, r.c, body, &key);
    if (end(&r.iw, rc) < 0)
        return -1;
    if (err_is_set(&r.iw.late)) {
        ctx->err = r.iw.late;
        return -1;
    }
    return many ? reread_many(ctx, &r, &keys) : reread_one(ctx, &r, key);
}

static int joi_error(ctx_t *ctx, const char *reason)
{
    return err_invalid_payload(&ctx->err, ctx->arena, reason);
}

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

int items_write_update(ctx_t *ctx, const items_target_t *t)
{
    wreq_t r;
    prepare_target(ctx, &r, t);
    struct json_object *body = ctx->body, *v;
    bool array = json_object_get_type(body) == json_type_array;
    if (!array && items_batch_body(ctx, true) < 0)
        return -1;
    write_keys_t keys = {0};
    query_t bq;
    if (!array && !json_object_object_get_ex(body, "keys", NULL) &&
        body_query(ctx, &r, (json_object_object_get_ex(body, "query", &v), v), &bq) < 0)
        return -1;
    if (begin(ctx) < 0)
        return -1;
    int rc;
    struct json_object *data = array ? NULL : json_object_object_get(body, "data");
    if (array) {
        rc = write_update_batch(&r.iw.w, r.c, body, &keys, batch_update_one, &r.iw);
    } else if (json_object_object_get_ex(body, "keys", &v)) {
        keys = write_keys_of(ctx->arena, v);
        rc = items_svc_update_many(&r.iw, r.c, &keys, data);
    } else {
        rc = write_keys_by_query(&r.iw.w, r.c, &bq, &keys);
        if (rc == 0 && keys.n)
            rc = items_svc_update_many(&r.iw, r.c, &keys, data);
    }
    if (end(&r.iw, rc) < 0)
        return -1;
    return reread_many(ctx, &r, &keys);
}

/* The URL's :id as a key (validateKeys: malformed → 403), then BEGIN. */
static struct json_object *url_key_begin(ctx_t *ctx, wreq_t *r, str_t id)
{
    struct json_object *key = json_own(ctx->arena, json_str(id));
    if (!write_key_valid(r->c, key)) {
        err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
        return NULL;
    }
    return begin(ctx) < 0 ? NULL : key;
}

int items_write_update_one(ctx_t *ctx, const items_target_t *t, str_t id)
{
    wreq_t r;
    prepare_target(ctx, &r, t);
    struct json_object *key = url_key_begin(ctx, &r, id);
    if (!key)
        return -1;
    write_keys_t one = {.v = &key, .n = 1};
    if (end(&r.iw, items_svc_update_many(&r.iw, r.c, &one, ctx->body)) < 0)
        return -1;
    return reread_one(ctx, &r, key);
}

/* Without keys or query (singletons, or routes without validateBatch), Directus's
 * sanitizeQuery(undefined) throws a TypeError (500; admins see its text). */
static int undefined_query_quirk(ctx_t *ctx)
{
    return err_js(&ctx->err, ctx->arena, "Cannot read properties of undefined (reading 'limit')");
}

int items_write_delete(ctx_t *ctx, const items_target_t *t)
{
    wreq_t r;
    prepare_target(ctx, &r, t);
    struct json_object *body = ctx->body, *v = NULL;
    bool array = json_object_get_type(body) == json_type_array;
    if (!t->no_delete_check && !array && items_batch_body(ctx, false) < 0)
        return -1;
    write_keys_t keys = {0};
    query_t bq;
    bool by_keys = false;
    if (array) {
        keys = write_keys_of(ctx->arena, body);
        by_keys = true;
    } else if (json_object_object_get_ex(body, "keys", &v) && jsval_truthy(v)) {
        if (json_object_get_type(v) != json_type_array)
            return undefined_query_quirk(ctx);
        keys = write_keys_of(ctx->arena, v);
        by_keys = true;
    } else {
        if (!json_object_object_get_ex(body, "query", &v) ||
            json_object_get_type(v) != json_type_object)
            return undefined_query_quirk(ctx);
        if (body_query(ctx, &r, v, &bq) < 0)
            return -1;
    }
    if (begin(ctx) < 0)
        return -1;
    int rc = by_keys ? 0 : write_keys_by_query(&r.iw.w, r.c, &bq, &keys);
    if (rc == 0 && (by_keys || keys.n))
        rc = items_svc_delete_many(&r.iw, r.c, &keys);
    if (end(&r.iw, rc) < 0)
        return -1;
    return respond_no_content(ctx);
}

int items_write_delete_one(ctx_t *ctx, const items_target_t *t, str_t id)
{
    wreq_t r;
    prepare_target(ctx, &r, t);
    struct json_object *key = url_key_begin(ctx, &r, id);
    if (!key)
        return -1;
    write_keys_t one = {.v = &key, .n = 1};
    if (end(&r.iw, items_svc_delete_many(&r.iw, r.c, &one)) < 0)
        return -1;
    return respond_no_content(ctx);
}

/* ---- /items ------------------------------------------------------------------------------- */

/* collectionExists (the URL query was parsed by the pipeline's sanitizeQuery). */
static int items_target(ctx_t *ctx, items_target_t *t)
{
    *t = (items_target_t){0};
    if (!(t->c = items_collection(ctx, &t->s)))
        return -1;
    t->no_delete_check = t->c->singleton;
    return 0;
}

int items_create(ctx_t *ctx)
{
    items_target_t t;
    if (items_target(ctx, &t) < 0)
        return -1;
    if (t.c->singleton)
        return route_not_found(ctx);
    return items_write_create(ctx, &t);
}

/* A singleton's PATCH: upsertSingleton, then readSingleton. */
static int update_singleton(ctx_t *ctx, const items_target_t *t)
{
    wreq_t r;
    prepare_target(ctx, &r, t);
    if (begin(ctx) < 0 || end(&r.iw, write_upsert_singleton(&r.iw.w, r.c, ctx->body)) < 0)
        return -1;
    plan_opts_t opts = {.limit_default = r.iw.env.limit_default, .singleton = true};
    return items_read_respond(ctx, r.s, r.c, &r.q, &opts, ITEMS_SINGLETON);
}

int items_update(ctx_t *ctx)
{
    items_target_t t;
    if (items_target(ctx, &t) < 0)
        return -1;
    return t.c->singleton ? update_singleton(ctx, &t) : items_write_update(ctx, &t);
}

int items_update_one(ctx_t *ctx)
{
    items_target_t t;
    if (items_target(ctx, &t) < 0)
        return -1;
    if (t.c->singleton)
        return route_not_found(ctx);
    return items_write_update_one(ctx, &t, router_param(&ctx->route, "id"));
}

int items_delete(ctx_t *ctx)
{
    items_target_t t;
    if (items_target(ctx, &t) < 0)
        return -1;
    return items_write_delete(ctx, &t);
}

int items_delete_one(ctx_t *ctx)
{
    items_target_t t;
    if (items_target(ctx, &t) < 0)
        return -1;
    return items_write_delete_one(ctx, &t, router_param(&ctx->route, "id"));
}
