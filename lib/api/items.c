/*
 * Thin handlers: parse the query (sanitizeQuery + validateQuery), find the collection, plan,
 * ask lib/perm, run lib/services/items, respond. Every error is Directus's, in Directus's order:
 * query syntax (400) before the collection (403) before the SEARCH body (400) before fields
 * (403) before operators (400).
 */
#include "lib/api/items.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/api/respond.h"
#include "lib/api/schema_cache.h"
#include "lib/core/json.h"
#include "lib/core/jsonparse.h"
#include "lib/perm/perm.h"
#include "lib/query/jsval.h"
#include "lib/query/query.h"
#include "lib/services/export.h"
#include "lib/services/items.h"
#include "lib/services/write.h"
#include "lib/sql/plan.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

query_env_t items_env(const ctx_t *ctx)
{
    query_env_t env = query_env(ctx->conf);
    env.vars.user = ctx->acc.user;
    env.vars.role = ctx->acc.role;
    env.vars.roles = ctx->acc.role ? (const char *const *)ctx->acc.roles : NULL;
    env.vars.nroles = ctx->acc.nroles;
    env.vars.now_ms = now_ms();
    return env;
}

static perm_subject_t subject_of(const ctx_t *ctx)
{
    return (perm_subject_t){
        .admin = ctx->acc.admin,
        .app = ctx->acc.app,
        .user = ctx->acc.user,
        .role = ctx->acc.role,
        .policies = (const char *const *)ctx->acc.policies,
        .npolicies = ctx->acc.npolicies,
    };
}

/* collectionExists + the system collection check: both answer the generic 403. */
const schema_collection_t *items_collection(ctx_t *ctx, const schema_t **s)
{
    if (!(*s = schema_cache_get(ctx)))
        return NULL;
    const schema_collection_t *c = schema_collection(*s, router_param(&ctx->route, "collection"));
    if (!c || c->system) {
        err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
        return NULL;
    }
    return c;
}

bool items_key_valid(const schema_collection_t *c, str_t key)
{
    return write_key_text_valid(c, key);
}

/* JSON.stringify(v, null, '\t') */
static void pretty(buf_t *b, struct json_object *v, int depth)
{
    json_type t = json_object_get_type(v);
    if (t != json_type_object && t != json_type_array) {
        json_write(b, v);
        return;
    }
    bool obj = t == json_type_object;
    size_t n = obj ? (size_t)json_object_object_length(v) : json_object_array_length(v);
    if (!n) {
        buf_puts(b, obj ? "{}" : "[]");
        return;
    }
    buf_putc(b, obj ? '{' : '[');
    size_t i = 0;
    if (obj) {
        json_object_object_foreach(v, key, val)
        {
            buf_puts(b, i++ ? ",\n" : "\n");
            for (int k = 0; k <= depth; k++)
                buf_putc(b, '\t');
            json_write_str(b, str_c(key));
            buf_puts(b, ": ");
            pretty(b, val, depth + 1);
        }
    } else {
        for (; i < n; i++) {
            buf_puts(b, i ? ",\n" : "\n");
            for (int k = 0; k <= depth; k++)
                buf_putc(b, '\t');
            pretty(b, json_object_array_get_idx(v, i), depth + 1);
        }
    }
    buf_putc(b, '\n');
    for (int k = 0; k < depth; k++)
        buf_putc(b, '\t');
    buf_putc(b, obj ? '}' : ']');
}

/* ?export=: the data as an attachment named "<collection> <date>.<ext>" (Directus's respond
 * middleware): JSON tab-indented, the other formats through lib/services/export. */
static int respond_export(ctx_t *ctx, const schema_collection_t *c, query_export_t format,
                          str_t body)
{
    static const struct {
        const char *ext, *type;
    } kinds[] = {
        [QUERY_EXPORT_JSON] = {"json", "application/json; charset=utf-8"},
        [QUERY_EXPORT_CSV] = {"csv", "text/csv; charset=utf-8"},
        [QUERY_EXPORT_XML] = {"xml", "text/xml; charset=utf-8"},
        [QUERY_EXPORT_YAML] = {"yaml", "text/yaml; charset=utf-8"},
    };
    struct json_object *all, *data = NULL;
    if (jsonparse(ctx->arena, body.p, body.n, 0, 4096, &all, NULL) < 0)
        return respond_json_text(ctx, body);
    json_object_object_get_ex(all, "data", &data);
    buf_t out;
    buf_init(&out, ctx->arena, body.n * 2 + 16);
    if (format == QUERY_EXPORT_JSON)
        pretty(&out, data, 0);
    else if (export_render(ctx->arena, &ctx->err,
                           format == QUERY_EXPORT_CSV   ? EXPORT_CSV
                           : format == QUERY_EXPORT_XML ? EXPORT_XML
                                                        : EXPORT_YAML,
                           data, &out) < 0)
        return -1;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char disp[512];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s %04d%02d%02d-%d%d%d.%s\"", c->name,
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             kinds[format].ext);
    respond_json_text(ctx, buf_slice(&out));
    response_set_header_c(ctx->res, "Content-Type", kinds[format].type);
    response_set_header_c(ctx->res, "Content-Disposition", disp);
    return 0;
}

/* fetchDynamicVariableContext's reads: the caller's user or role record (readOne), or the
 * records of its roles or policies (readMany), with just the paths the rules name, read as an
 * admin (Directus's services without accountability). A record that cannot be read, or paths
 * that do not exist, leave the variables null. */
static int fetch_context(void *ud, perm_ctx_kind_t kind, const char *const *keys, size_t nkeys,
                         const str_t *paths, size_t npaths, const struct json_object **out)
{
    static const char *const collections[] = {
        [PERM_CTX_USER] = "directus_users",
        [PERM_CTX_ROLE] = "directus_roles",
        [PERM_CTX_ROLES] = "directus_roles",
        [PERM_CTX_POLICIES] = "directus_policies",
    };
    ctx_t *ctx = ud;
    *out = NULL;
    const schema_t *s = schema_cache_get(ctx);
    if (!s)
        return -1;
    const schema_collection_t *c = schema_collection(s, str_c(collections[kind]));
    if (!c)
        return 0;
    bool one = kind == PERM_CTX_USER || kind == PERM_CTX_ROLE;
    query_t q = {.has_fields = true, .fields = {(str_t *)paths, npaths}};
    plan_opts_t opts = {.limit_default = ctx->conf->query_limit_default};
    if (one) {
        opts.by_key = true;
        opts.key = str_c(keys[0]);
    } else {
        qval_t *kv = arena_calloc(ctx->arena, nkeys, sizeof *kv);
        for (size_t i = 0; i < nkeys; i++)
            kv[i] = (qval_t){.kind = QV_STRING, .s = str_c(keys[i])};
        opts.keys = kv;
        opts.nkeys = nkeys;
    }
    err_t e = {0};
    plan_t *p = plan_read(ctx->arena, &e, s, c, &q, &opts);
    if (!p)
        return 0;
    buf_t b;
    buf_init(&b, ctx->arena, 512);
    if (items_read(ctx->arena, &e, ctx->db, p, one ? ITEMS_ONE : ITEMS_LIST, &b) < 0) {
        if (e.code == ERR_FORBIDDEN)
            return 0;
        ctx->err = e;
        return -1;
    }
    struct json_object *all, *data = NULL;
    if (jsonparse(ctx->arena, b.p, b.n, 0, 512, &all, NULL) == 0 && all &&
        json_object_object_get_ex(all, "data", &data))
        *out = data;
    return 0;
}

int items_perm_for(ctx_t *ctx, const perm_set_t **out)
{
    return items_perm_load(ctx, PERM_READ, out);
}

int items_perm_load(ctx_t *ctx, perm_action_t action, const perm_set_t **out)
{
    *out = NULL;
    if (ctx->acc.admin)
        return 0;
    if (accountability_policies(&ctx->acc, ctx->arena, &ctx->err, ctx->db) < 0)
        return -1;
    perm_subject_t who = subject_of(ctx);
    query_env_t env = items_env(ctx);
    perm_set_t *ps = arena_alloc(ctx->arena, sizeof *ps);
    if (perm_load(ctx->arena, &ctx->err, ctx->db, &who, &env.vars, action, fetch_context, ctx,
                  ps) < 0)
        return -1;
    *out = ps;
    return 0;
}

/* Plans and runs q on c with the caller's permissions, the envelope into body. */
int items_read_body(ctx_t *ctx, const schema_t *s, const schema_collection_t *c, const query_t *q,
                    plan_opts_t *opts, items_shape_t shape, buf_t *body)
{
    if (items_perm_for(ctx, &opts->perm) < 0)
        return -1;
    plan_t *p = plan_read(ctx->arena, &ctx->err, s, c, q, opts);
    if (!p)
        return -1;
    return items_read(ctx->arena, &ctx->err, ctx->db, p, shape, body);
}

int items_perm_context(void *ctx, perm_ctx_kind_t kind, const char *const *keys, size_t nkeys,
                       const str_t *paths, size_t npaths, const struct json_object **out)
{
    return fetch_context(ctx, kind, keys, nkeys, paths, npaths, out);
}

int items_respond(ctx_t *ctx, const schema_collection_t *c, const query_t *q, buf_t *body)
{
    if (q->export_format != QUERY_EXPORT_NONE)
        return respond_export(ctx, c, q->export_format, buf_slice(body));
    return respond_json_buf(ctx, body);
}

int items_search_body(ctx_t *ctx, const query_env_t *env, query_t *q, qval_t **keys,
                      size_t *nkeys, bool *has_keys)
{
    struct json_object *body = ctx->body, *v;
    *has_keys = false;
    if (json_object_get_type(body) != json_type_object)
        return err_invalid_payload(&ctx->err, ctx->arena, "\"value\" must be of type object");
    if (json_object_object_get_ex(body, "query", &v) && jsval_truthy(v) &&
        query_parse(ctx->arena, &ctx->err, env, v, false, q) < 0)
        return -1;
    if (json_object_object_get_ex(body, "keys", &v)) {
        if (json_object_get_type(v) != json_type_array)
            return err_invalid_payload(&ctx->err, ctx->arena, "\"keys\" must be an array");
        size_t n = json_object_array_length(v);
        *keys = arena_calloc(ctx->arena, n ? n : 1, sizeof **keys);
        for (size_t i = 0; i < n; i++) {
            struct json_object *k = json_object_array_get_idx(v, i);
            json_type t = json_object_get_type(k);
            if (t == json_type_string)
                (*keys)[i] = (qval_t){.kind = QV_STRING, .s = jsval_string(k)};
            else if (t == json_type_int || t == json_type_double)
                (*keys)[i] = (qval_t){.kind = QV_NUMBER, .num = jsval_number(ctx->arena, k)};
            else
                return err_invalid_payload(
                    &ctx->err, ctx->arena,
                    arena_printf(ctx->arena, "\"keys[%zu]\" must be one of [string, number]",
                                 i));
        }
        *nkeys = n;
        *has_keys = true;
    }
    if (json_object_object_get_ex(body, "query", &v) &&
        json_object_get_type(v) != json_type_object)
        return err_invalid_payload(&ctx->err, ctx->arena, "\"query\" must be of type object");
    json_object_object_foreach(body, key, val)
    {
        (void)val;
        if (strcmp(key, "keys") && strcmp(key, "query"))
            return err_invalid_payload(&ctx->err, ctx->arena,
                                       arena_printf(ctx->arena, "\"%s\" is not allowed", key));
    }
    return 0;
}

int items_list_read(ctx_t *ctx, const query_env_t *env, const schema_t *s,
                    const schema_collection_t *c, const items_how_t *how, query_t *q,
                    buf_t *body)
{
    plan_opts_t opts = {.limit_default = env->limit_default, .singleton = c->singleton};
    qval_t *keys = NULL;
    size_t nkeys = 0;
    bool has_keys = false;
    if (ctx->req->method == HTTP_SEARCH && items_search_body(ctx, env, q, &keys, &nkeys, &has_keys) < 0)
        return -1;
    if (how && how->no_meta)
        q->nmeta = 0;
    if (how && how->no_limit) {
        q->has_limit = true;
        q->limit = -1;
    }
    if (has_keys && !c->singleton && !(how && how->ignore_keys)) {
        for (size_t i = 0; i < nkeys; i++) {
            buf_t b;
            buf_init(&b, ctx->arena, 24);
            if (keys[i].kind == QV_NUMBER)
                jsval_number_str(&b, keys[i].num);
            if (!items_key_valid(c, keys[i].kind == QV_STRING ? keys[i].s : buf_slice(&b)))
                return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
        }
        opts.keys = keys;
        opts.nkeys = nkeys;
    }
    buf_init(body, ctx->arena, 8192);
    return items_read_body(ctx, s, c, q, &opts, c->singleton ? ITEMS_SINGLETON : ITEMS_LIST, body);
}

int items_one_read(ctx_t *ctx, const query_env_t *env, const schema_t *s,
                   const schema_collection_t *c, str_t key, const query_t *q, buf_t *body)
{
    if (!items_key_valid(c, key))
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    plan_opts_t opts = {.limit_default = env->limit_default, .by_key = true, .key = key};
    buf_init(body, ctx->arena, 8192);
    return items_read_body(ctx, s, c, q, &opts, ITEMS_ONE, body);
}

int items_read_respond(ctx_t *ctx, const schema_t *s, const schema_collection_t *c,
                       const query_t *q, plan_opts_t *opts, items_shape_t shape)
{
    buf_t body;
    buf_init(&body, ctx->arena, 8192);
    if (items_read_body(ctx, s, c, q, opts, shape, &body) < 0)
        return -1;
    return items_respond(ctx, c, q, &body);
}

int items_list(ctx_t *ctx)
{
    query_env_t env = items_env(ctx);
    query_t q = *ctx->sanitized; /* SEARCH may replace it with its body's query */
    const schema_t *s;
    const schema_collection_t *c = items_collection(ctx, &s);
    buf_t body;
    if (!c || items_list_read(ctx, &env, s, c, NULL, &q, &body) < 0)
        return -1;
    return items_respond(ctx, c, &q, &body);
}

int items_one(ctx_t *ctx)
{
    query_env_t env = items_env(ctx);
    const query_t *q = ctx->sanitized;
    const schema_t *s;
    const schema_collection_t *c = items_collection(ctx, &s);
    buf_t body;
    if (!c || items_one_read(ctx, &env, s, c, router_param(&ctx->route, "id"), q, &body) < 0)
        return -1;
    return items_respond(ctx, c, q, &body);
}
