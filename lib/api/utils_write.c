/*
 * Sort and revert: the body check, the permission checks Directus makes for them, then the write
 * service in one transaction.
 */
#include "lib/api/utils_write.h"

#include <json-c/json.h>
#include <string.h>
#include <time.h>

#include "lib/api/items.h"
#include "lib/api/items_write.h"
#include "lib/api/respond.h"
#include "lib/api/schema_cache.h"
#include "lib/core/json.h"
#include "lib/core/jsonparse.h"
#include "lib/query/jsval.h"
#include "lib/services/write.h"

/* A 500 whose text only admins see (Directus hides unexpected errors from everyone else). */
static int hide_internal(ctx_t *ctx)
{
    if (ctx->err.code == ERR_INTERNAL_SERVER_ERROR && !ctx->acc.admin)
        ctx->err.message = "An unexpected error occurred.";
    return -1;
}

/* SortSchema: {item, to}, each a string or a number, both required, nothing else. */
static int sort_body(ctx_t *ctx, struct json_object **item, struct json_object **to)
{
    struct json_object *body = ctx->body;
    if (json_object_get_type(body) != json_type_object)
        return err_invalid_payload(&ctx->err, ctx->arena, "\"value\" must be of type object");
    static const char *const keys[] = {"item", "to"};
    struct json_object **outs[] = {item, to};
    for (size_t i = 0; i < 2; i++) {
        if (!json_object_object_get_ex(body, keys[i], outs[i]))
            return err_invalid_payload(&ctx->err, ctx->arena,
                                       arena_printf(ctx->arena, "\"%s\" is required", keys[i]));
        json_type t = json_object_get_type(*outs[i]);
        if (t != json_type_string && t != json_type_int && t != json_type_double)
            return err_invalid_payload(
                &ctx->err, ctx->arena,
                arena_printf(ctx->arena, "\"%s\" must be one of [string, number]", keys[i]));
    }
    json_object_object_foreach(body, k, v)
    {
        (void)v;
        if (strcmp(k, "item") && strcmp(k, "to"))
            return err_invalid_payload(&ctx->err, ctx->arena,
                                       arena_printf(ctx->arena, "\"%s\" is not allowed", k));
    }
    return 0;
}

/* validateAccess(update, collection) and the sort field among the allowed update fields. */
static int sort_allowed(ctx_t *ctx, const schema_collection_t *c, const char *sort)
{
    if (ctx->acc.admin)
        return 0;
    const perm_set_t *ps;
    if (items_perm_load(ctx, PERM_UPDATE, &ps) < 0)
        return -1;
    const perm_coll_t *pc = ps ? perm_coll(ps, str_c(c->name)) : NULL;
    if (!pc) {
        const char *reason = arena_printf(ctx->arena,
                                          "You don't have permission to perform \"update\" for "
                                          "collection \"%s\" or it does not exist.",
                                          c->name);
        err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, "%s", reason);
        err_ext_str(&ctx->err, ctx->arena, "reason", reason);
        return -1;
    }
    if (!perm_can_read_field(pc, str_c(sort)))
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    return 0;
}

typedef struct {
    items_writer_t *u;
    const schema_collection_t *c;
    const char *sort;
    struct json_object *item, *to, *data;
} job_t;

static int run_sort(void *arg)
{
    job_t *j = arg;
    return write_sort(&j->u->w, j->c, j->sort, j->item, j->to);
}

int utils_sort(ctx_t *ctx)
{
    const schema_t *s = schema_cache_get(ctx);
    if (!s)
        return -1;
    const schema_collection_t *c = schema_collection(s, router_param(&ctx->route, "collection"));
    if (!c)
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    job_t j = {.c = c, .sort = c->sort_field};
    if (sort_body(ctx, &j.item, &j.to) < 0)
        return -1;
    if (!j.sort || !schema_field(c, str_c(j.sort)))
        return err_invalid_payload(
            &ctx->err, ctx->arena,
            arena_printf(ctx->arena, "Collection \"%s\" doesn't have a sort field", c->name));
    if (sort_allowed(ctx, c, j.sort) < 0)
        return -1;
    items_writer_t u;
    items_writer_init(&u, ctx, s);
    j.u = &u;
    if (items_transaction(&u, run_sort, &j) < 0)
        return hide_internal(ctx);
    ctx->res->status = 200;
    buf_clear(&ctx->res->body);
    return 0;
}

static int run_revert(void *arg)
{
    job_t *j = arg;
    write_keys_t one = {.v = &j->item, .n = 1};
    if (!write_key_valid(j->c, j->item))
        return err_set(j->u->w.e, j->u->w.a, ERR_FORBIDDEN, NULL);
    return write_update_many(&j->u->w, j->c, &one, j->data, NULL);
}

int utils_revert(ctx_t *ctx)
{
    const schema_t *s = schema_cache_get(ctx);
    if (!s)
        return -1;
    const schema_collection_t *rc = schema_collection(s, STR("directus_revisions"));
    if (!rc)
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    /* readOne(pk) as the caller: every readable field, 403 when the row is not readable. */
    str_t star = STR("*");
    query_t q = {.has_fields = true, .fields = {&star, 1}};
    str_t key = router_param(&ctx->route, "revision");
    struct json_object *jkey = json_own(ctx->arena, json_str(key));
    if (!write_key_valid(rc, jkey))
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    plan_opts_t opts = {
        .limit_default = ctx->conf->query_limit_default, .by_key = true, .key = key};
    if (items_perm_for(ctx, &opts.perm) < 0)
        return -1;
    plan_t *p = plan_read(ctx->arena, &ctx->err, s, rc, &q, &opts);
    if (!p)
        return -1;
    buf_t b;
    buf_init(&b, ctx->arena, 1024);
    if (items_read(ctx->arena, &ctx->err, ctx->db, p, ITEMS_ONE, &b) < 0)
        return -1;
    struct json_object *all, *rev = NULL, *data = NULL, *coll = NULL, *item = NULL;
    if (jsonparse(ctx->arena, b.p, b.n, 0, 4096, &all, NULL) < 0 ||
        !json_object_object_get_ex(all, "data", &rev))
        return err_set(&ctx->err, ctx->arena, ERR_INTERNAL_SERVER_ERROR, NULL);
    json_object_object_get_ex(rev, "data", &data);
    json_object_object_get_ex(rev, "collection", &coll);
    json_object_object_get_ex(rev, "item", &item);
    if (!jsval_truthy(data))
        return err_invalid_payload(&ctx->err, ctx->arena,
                                   "Revision doesn't contain data to revert to");
    if (json_object_get_type(data) == json_type_string) {
        str_t text = jsval_string(data); /* a text column on SQLite / MySQL */
        if (jsonparse(ctx->arena, text.p, text.n, 0, 4096, &data, NULL) < 0)
            return err_set(&ctx->err, ctx->arena, ERR_INTERNAL_SERVER_ERROR, NULL);
    }
    const schema_collection_t *c =
        jsval_is_string(coll) ? schema_collection(s, jsval_string(coll)) : NULL;
    if (!c)
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    items_writer_t u;
    items_writer_init(&u, ctx, s);
    job_t j = {.u = &u, .c = c, .item = item, .data = data};
    if (items_transaction(&u, run_revert, &j) < 0)
        return hide_internal(ctx);
    return respond_no_content(ctx);
}
