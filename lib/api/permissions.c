/*
 * GET /permissions/me, GET /permissions/me/:collection/:pk? and GET /policies/me/globals: what
 * the caller's policies allow, as fetchAccountabilityCollectionAccess, getItemPermissions and
 * fetchAccountabilityPolicyGlobals compute it. The merging lives in lib/perm; this file only
 * shapes the answers (and asks the read engine whether a row passes an action's rule).
 */
#include "lib/api/permissions.h"

#include "lib/api/items.h"
#include "lib/api/respond.h"
#include "lib/api/schema_cache.h"
#include "lib/core/json.h"
#include "lib/core/jsonparse.h"
#include "lib/perm/perm.h"
#include "lib/services/items.h"

static perm_subject_t subject(const ctx_t *ctx)
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

/* Admins: every collection of the schema, every action full with ["*"]. */
static int admin_access(ctx_t *ctx, buf_t *b)
{
    static const char *const actions[] = {"read", "create", "update", "delete", "share"};
    const schema_t *s = schema_cache_get(ctx);
    if (!s)
        return -1;
    buf_putc(b, '{');
    size_t n = 0;
    for (size_t i = 0; i < schema_collection_count(s); i++) {
        const schema_collection_t *c = schema_collection_at(s, i);
        if (!schema_collection(s, str_c(c->name)))
            continue; /* folders and tables that are not queryable */
        if (n++)
            buf_putc(b, ',');
        json_write_str(b, str_c(c->name));
        buf_puts(b, ":{");
        for (size_t k = 0; k < 5; k++) {
            if (k)
                buf_putc(b, ',');
            json_write_str(b, str_c(actions[k]));
            buf_puts(b, ":{\"access\":\"full\",\"fields\":[\"*\"]}");
        }
        buf_putc(b, '}');
    }
    buf_putc(b, '}');
    return 0;
}

int permissions_me(ctx_t *ctx)
{
    if (!ctx->acc.user && !ctx->acc.role && !ctx->acc.share)
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    buf_t b;
    buf_init(&b, ctx->arena, 4096);
    buf_puts(&b, "{\"data\":");
    if (ctx->acc.admin) {
        if (admin_access(ctx, &b) < 0)
            return -1;
    } else {
        if (accountability_policies(&ctx->acc, ctx->arena, &ctx->err, ctx->db) < 0)
            return -1;
        perm_subject_t who = subject(ctx);
        query_env_t env = items_env(ctx);
        if (perm_collection_access(ctx->arena, &ctx->err, ctx->db, &who, &env.vars,
                                   items_perm_context, ctx, &b) < 0)
            return -1;
    }
    buf_putc(&b, '}');
    return respond_json_text(ctx, buf_slice(&b));
}

int policies_me_globals(ctx_t *ctx)
{
    if (!ctx->acc.user && !ctx->acc.role)
        return respond_json_text(ctx, STR("{\"data\":{\"app_access\":false}}"));
    if (accountability_policies(&ctx->acc, ctx->arena, &ctx->err, ctx->db) < 0)
        return -1;
    perm_subject_t who = subject(ctx);
    bool tfa;
    if (perm_enforce_tfa(ctx->arena, &ctx->err, ctx->db, &who, &tfa) < 0)
        return -1;
    buf_t b;
    buf_init(&b, ctx->arena, 96);
    buf_printf(&b, "{\"data\":{\"app_access\":%s,\"admin_access\":%s,\"enforce_tfa\":%s}}",
               ctx->acc.app ? "true" : "false", ctx->acc.admin ? "true" : "false",
               tfa ? "true" : "false");
    return respond_json_text(ctx, buf_slice(&b));
}

/* ---- GET /permissions/me/:collection/:pk? ----------------------------------------------------
 */

/* Reads c with only the pk column, as an admin or with the row rule of one action's rows (pc),
 * by key when key.p, else the first row: whether a row came back. Any failure counts as no row:
 * Directus swallows every error of these checks. */
static bool row_exists(ctx_t *ctx, const schema_t *s, const schema_collection_t *c,
                       const perm_coll_t *pc, str_t key)
{
    str_t pk = str_c(c->primary->name);
    query_t q = {.has_fields = true, .fields = {&pk, 1}, .has_limit = true, .limit = 1};
    plan_opts_t opts = {.limit_default = ctx->conf->query_limit_default};
    if (key.p) {
        opts.by_key = true;
        opts.key = key;
    }
    perm_rule_t rule = {0};
    perm_coll_t only = {0};
    perm_set_t set = {0};
    if (pc) {
        /* the action's rows as if they were read rows: their rule, every field */
        rule = (perm_rule_t){.rule = perm_row_rule(ctx->arena, pc), .all_fields = true};
        only = (perm_coll_t){.collection = c->name, .rules = &rule, .nrules = 1};
        set = (perm_set_t){.colls = &only, .ncolls = 1};
        opts.perm = &set;
    }
    err_t e = {0};
    plan_t *p = plan_read(ctx->arena, &e, s, c, &q, &opts);
    if (!p)
        return false;
    buf_t b;
    buf_init(&b, ctx->arena, 256);
    if (items_read(ctx->arena, &e, ctx->db, p, key.p ? ITEMS_ONE : ITEMS_LIST, &b) < 0)
        return false;
    struct json_object *all, *data;
    if (key.p)
        return true;
    return jsonparse(ctx->arena, b.p, b.n, 0, 64, &all, NULL) == 0 && all &&
           json_object_object_get_ex(all, "data", &data) &&
           json_object_get_type(data) == json_type_array && json_object_array_length(data) > 0;
}

/* validateAccess for one action: a row for it and, with a key, that row passing its rule.
 * -1 only for a failure to load the permissions. */
static int action_access(ctx_t *ctx, const schema_t *s, const schema_collection_t *c,
                         perm_action_t action, str_t key, const perm_coll_t **pc_out)
{
    const perm_set_t *ps;
    *pc_out = NULL;
    if (items_perm_load(ctx, action, &ps) < 0)
        return -1;
    const perm_coll_t *pc = perm_coll(ps, str_c(c->name));
    if (!pc || !pc->nrules)
        return 0;
    *pc_out = pc;
    return !key.p || row_exists(ctx, s, c, pc, key);
}

/* The singleton's update entry gains the rows' merged fields and presets. */
static void singleton_extras(ctx_t *ctx, buf_t *b, const perm_coll_t *pc)
{
    bool star = false;
    str_t *fields = NULL;
    size_t n = 0;
    struct json_object *presets = json_own(ctx->arena, json_object_new_object());
    for (size_t i = 0; pc && i < pc->nrules; i++) {
        const perm_rule_t *r = &pc->rules[i];
        for (size_t k = 0; k < r->nfields && !star; k++) {
            star = str_eq_c(r->fields[k], "*");
            bool dup = false;
            for (size_t j = 0; j < n && !dup; j++)
                dup = str_eq(fields[j], r->fields[k]);
            if (dup || star)
                continue;
            fields =
                arena_realloc(ctx->arena, fields, n * sizeof *fields, (n + 1) * sizeof *fields);
            fields[n++] = r->fields[k];
        }
        if (r->presets) {
            json_object_object_foreach(r->presets, k, v)
            {
                json_object_object_add(presets, k, json_object_get(v));
            }
        }
    }
    buf_puts(b, ",\"fields\":[");
    if (star)
        buf_puts(b, "\"*\"");
    for (size_t i = 0; !star && i < n; i++) {
        if (i)
            buf_putc(b, ',');
        json_write_str(b, fields[i]);
    }
    buf_puts(b, "],\"presets\":");
    json_write(b, presets);
}

int permissions_me_item(ctx_t *ctx)
{
    if (!ctx->acc.user)
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    if (ctx->acc.admin)
        return respond_json_text(ctx, STR("{\"data\":{\"update\":{\"access\":true},"
                                          "\"delete\":{\"access\":true},"
                                          "\"share\":{\"access\":true}}}"));
    const schema_t *s = schema_cache_get(ctx);
    if (!s)
        return -1;
    const schema_collection_t *c = schema_collection(s, router_param(&ctx->route, "collection"));
    str_t key = router_param(&ctx->route, "pk");
    static const perm_action_t actions[] = {PERM_UPDATE, PERM_DELETE, PERM_SHARE};
    int access[3] = {0, 0, 0};
    const perm_coll_t *update_rows = NULL;
    perm_action_t update_action = PERM_UPDATE;
    if (c && c->singleton && !row_exists(ctx, s, c, NULL, STR_NULL))
        update_action = PERM_CREATE;
    for (size_t i = 0; c && i < 3; i++) {
        const perm_coll_t *pc;
        perm_action_t act = i == 0 ? update_action : actions[i];
        access[i] = action_access(ctx, s, c, act, key, &pc);
        if (access[i] < 0)
            return -1;
        if (i == 0)
            update_rows = pc;
    }
    buf_t b;
    buf_init(&b, ctx->arena, 256);
    buf_puts(&b, "{\"data\":{");
    for (size_t i = 0; i < 3; i++) {
        if (i)
            buf_putc(&b, ',');
        buf_printf(&b, "\"%s\":{\"access\":%s", perm_action_name(actions[i]),
                   access[i] ? "true" : "false");
        if (i == 0 && c && c->singleton && access[0])
            singleton_extras(ctx, &b, update_rows);
        buf_putc(&b, '}');
    }
    buf_puts(&b, "}}");
    return respond_json_text(ctx, buf_slice(&b));
}
