/*
 * The system write routes: each prefix's collection and service, the services' own rules
 * (Directus 11.3.5's RolesService, PoliciesService, AccessService, TranslationsService,
 * FlowsService; UsersService lives in lib/api/users.c), then /items's controller bodies.
 */
#include "lib/api/system_write.h"

#include <json-c/json.h>
#include <string.h>

#include "lib/api/items.h"
#include "lib/api/items_write.h"
#include "lib/api/respond.h"
#include "lib/api/schema_cache.h"
#include "lib/api/system.h"
#include "lib/auth/accountability.h"
#include "lib/auth/authdb.h"
#include "lib/auth/ipmatch.h"
#include "lib/core/json.h"
#include "lib/query/jsval.h"

/* ---- helpers ---------------------------------------------------------------------------------- */

/* getKeysByQuery of {filter: {field: {_in: keys}}} on the collection called name (default limit,
 * read as an admin, as Directus's cascades read). NULL c: the collection is not in the schema. */
static int keys_where_in(items_writer_t *iw, const char *name, const char *field,
                         const write_keys_t *keys, const schema_collection_t **c,
                         write_keys_t *out)
{
    ctx_t *ctx = iw->ctx;
    *out = (write_keys_t){0};
    /* an _in of nothing matches nothing (the query is the service's own: never sanitized) */
    if (!(*c = schema_collection(iw->w.s, str_c(name))) || !keys->n)
        return 0;
    struct json_object *in = json_object_new_array(), *q = json_object_new_object();
    for (size_t i = 0; i < keys->n; i++)
        json_object_array_add(in, json_object_get(keys->v[i]));
    struct json_object *op = json_object_new_object(), *f = json_object_new_object();
    json_object_object_add(op, "_in", in);
    json_object_object_add(f, field, op);
    json_object_object_add(q, "filter", f);
    json_own(ctx->arena, q);
    query_t query;
    if (query_parse(ctx->arena, &ctx->err, &iw->env, q, false, &query) < 0)
        return -1;
    return write_keys_by_query(&iw->w, *c, &query, out);
}

/* ---- RolesService ------------------------------------------------------------------------------ */

static int role_nesting_error(ctx_t *ctx, const char *reason)
{
    return err_invalid_payload(&ctx->err, ctx->arena, reason);
}

/* validateRoleNesting: not its own parent, nor a parent whose chain up holds one of the roles. */
static int validate_role_nesting(ctx_t *ctx, const write_keys_t *keys, struct json_object *parent)
{
    bool text = json_object_is_type(parent, json_type_string);
    for (size_t i = 0; text && i < keys->n; i++)
        if (!strcmp(write_key_text(ctx->arena, keys->v[i]), json_object_get_string(parent)))
            return role_nesting_error(ctx, "A role cannot be a parent of itself");
    if (!jsval_truthy(parent))
        return 0; /* fetchRolesTree(falsy) is [] */
    /* any other value is looked up as it is (PostgreSQL refuses a non-uuid: 500) */
    const char *p = text ? json_object_get_string(parent)
                         : json_object_to_json_string_ext(parent, JSON_C_TO_STRING_PLAIN);
    const char **tree;
    size_t n;
    if (accountability_roles(ctx->arena, &ctx->err, ctx->db, p, &tree, &n) < 0)
        return -1;
    for (size_t i = 0; i < keys->n; i++)
        for (size_t j = 0; j < n; j++)
            if (!strcmp(write_key_text(ctx->arena, keys->v[i]), tree[j]))
                return role_nesting_error(
                    ctx, "A role cannot have a parent that is already a descendant of itself");
    return 0;
}

static int roles_update_many(items_writer_t *iw, const schema_collection_t *c, write_keys_t *keys,
                             struct json_object *data)
{
    struct json_object *parent;
    if (json_object_is_type(data, json_type_object) &&
        json_object_object_get_ex(data, "parent", &parent)) {
        iw->checks |= ITEMS_CHECK_REMAINING_ADMINS;
        if (validate_role_nesting(iw->ctx, keys, parent) < 0)
            return -1;
    }
    return write_update_many(&iw->w, c, keys, data, NULL);
}

static struct json_object *object_of(ctx_t *ctx, const char *json)
{
    return json_own(ctx->arena, json_tokener_parse(json));
}

/* One cascade step of a role delete: keys of name where field is in keys, through the service
 * (update with data, or delete when data is NULL). bypass: not counted by the mutation tracker
 * (bypassLimits). */
static int role_cascade(items_writer_t *iw, const items_service_t *svc, const char *name,
                        const char *field, const write_keys_t *keys, const char *data,
                        bool bypass)
{
    const schema_collection_t *c;
    write_keys_t found;
    size_t mutations = iw->w.mutations;
    if (keys_where_in(iw, name, field, keys, &c, &found) < 0)
        return -1;
    if (!c || !found.n)
        return 0;
    const items_service_t *keep = iw->svc;
    iw->svc = svc;
    int rc = data ? items_svc_update_many(iw, c, &found, object_of(iw->ctx, data))
                  : items_svc_delete_many(iw, c, &found);
    iw->svc = keep;
    if (bypass)
        iw->w.mutations = mutations;
    return rc;
}

static const items_service_t access_service;
static const items_service_t roles_service;

/* deleteMany: the roles' access rows and presets go, their users are suspended without a role,
 * their children lose their parent, then the roles. */
static int roles_delete_many(items_writer_t *iw, const schema_collection_t *c,
                             const write_keys_t *keys)
{
    iw->checks |= ITEMS_CHECK_REMAINING_ADMINS;
    if (role_cascade(iw, &access_service, "directus_access", "role", keys, NULL, true) < 0 ||
        role_cascade(iw, NULL, "directus_presets", "role", keys, NULL, true) < 0 ||
        role_cascade(iw, &users_service, "directus_users", "role", keys,
                     "{\"status\":\"suspended\",\"role\":null}", true) < 0 ||
        role_cascade(iw, &roles_service, "directus_roles", "parent", keys, "{\"parent\":null}",
                     false) < 0)
        return -1;
    return write_delete_many(&iw->w, c, keys);
}

static const items_service_t roles_service = {
    .update_many = roles_update_many,
    .delete_many = roles_delete_many,
    .finish = users_integrity_finish,
};

/* ---- PoliciesService --------------------------------------------------------------------------- */

/* getMatch(ip) as PoliciesService accepts it: no wildcard, not a mask, not a throw. */
static bool ip_entry_valid(const char *s)
{
    ipmatch_kind_t k = ipmatch_kind(str_c(s));
    return !strchr(s, '*') && k != IPMATCH_INVALID && k != IPMATCH_MASK;
}

/* isIpAccessValid: null or an array of valid entries; a string is iterated by character (so
 * only "" passes). Anything else is not iterable: *thrown. */
static bool ip_access_valid(struct json_object *v, bool *thrown)
{
    *thrown = false;
    if (!v)
        return true;
    if (json_object_is_type(v, json_type_string))
        return json_object_get_string_len(v) == 0;
    if (!json_object_is_type(v, json_type_array))
        return !(*thrown = true);
    for (size_t i = 0; i < json_object_array_length(v); i++) {
        struct json_object *e = json_object_array_get_idx(v, i);
        if (!json_object_is_type(e, json_type_string) || !ip_entry_valid(json_object_get_string(e)))
            return false;
    }
    return true;
}

static int assert_valid_ip_access(ctx_t *ctx, struct json_object *data)
{
    struct json_object *v;
    bool thrown;
    if (!json_object_is_type(data, json_type_object) ||
        !json_object_object_get_ex(data, "ip_access", &v) || ip_access_valid(v, &thrown))
        return 0;
    if (thrown)
        return err_js(&ctx->err, ctx->arena, "value is not iterable");
    return err_invalid_payload(&ctx->err, ctx->arena,
                               "IP Access contains an incorrect value. Valid values are: IP "
                               "addresses, IP ranges and CIDR blocks");
}

static int policies_create_one(items_writer_t *iw, const schema_collection_t *c,
                               struct json_object *data, struct json_object **key)
{
    if (assert_valid_ip_access(iw->ctx, data) < 0)
        return -1;
    return write_create_one(&iw->w, c, data, NULL, key);
}

static int policies_update_many(items_writer_t *iw, const schema_collection_t *c,
                                write_keys_t *keys, struct json_object *data)
{
    if (assert_valid_ip_access(iw->ctx, data) < 0)
        return -1;
    if (json_object_is_type(data, json_type_object) &&
        json_object_object_get_ex(data, "admin_access", NULL))
        iw->checks |= ITEMS_CHECK_REMAINING_ADMINS;
    return write_update_many(&iw->w, c, keys, data, NULL);
}

/* deleteMany: the access rows go with the policies (their foreign key cascades), then the
 * remaining-admin check. */
static int admin_checked_delete(items_writer_t *iw, const schema_collection_t *c,
                                const write_keys_t *keys)
{
    iw->checks |= ITEMS_CHECK_REMAINING_ADMINS;
    return write_delete_many(&iw->w, c, keys);
}

static const items_service_t policies_service = {
    .create_one = policies_create_one,
    .update_many = policies_update_many,
    .delete_many = admin_checked_delete,
    .finish = users_integrity_finish,
};

/* ---- AccessService ------------------------------------------------------------------------------ */

static int access_update_many(items_writer_t *iw, const schema_collection_t *c, write_keys_t *keys,
                              struct json_object *data)
{
    iw->checks |= ITEMS_CHECK_REMAINING_ADMINS;
    return write_update_many(&iw->w, c, keys, data, NULL);
}

/* createOne asks for the user limits only (unlimited here). */
static const items_service_t access_service = {
    .update_many = access_update_many,
    .delete_many = admin_checked_delete,
    .finish = users_integrity_finish,
};

/* ---- TranslationsService ------------------------------------------------------------------------ */

static int duplicate_translation(ctx_t *ctx)
{
    return err_invalid_payload(&ctx->err, ctx->arena, "Duplicate key and language combination");
}

/* translationKeyExists: a row with this key and language (undefined / null match nothing). */
static int translation_exists(ctx_t *ctx, struct json_object *key, struct json_object *lang,
                              bool *exists)
{
    *exists = false;
    if (!key || !lang || json_object_is_type(key, json_type_null) ||
        json_object_is_type(lang, json_type_null))
        return 0;
    db_value_t p[2] = {authdb_cstr(json_object_get_string(key)),
                       authdb_cstr(json_object_get_string(lang))};
    db_result_t r;
    if (authdb_exec(ctx->arena, &ctx->err, ctx->db,
                    "SELECT id FROM directus_translations WHERE \"key\" = ? AND language = ?", p,
                    2, &r) < 0)
        return -1;
    *exists = r.nrows > 0;
    return 0;
}

static struct json_object *field_of(struct json_object *data, const char *name)
{
    struct json_object *v = NULL;
    if (json_object_is_type(data, json_type_object))
        json_object_object_get_ex(data, name, &v);
    return v;
}

static int translations_create_one(items_writer_t *iw, const schema_collection_t *c,
                                   struct json_object *data, struct json_object **key)
{
    bool exists;
    if (translation_exists(iw->ctx, field_of(data, "key"), field_of(data, "language"), &exists) <
        0)
        return -1;
    if (exists)
        return duplicate_translation(iw->ctx);
    return write_create_one(&iw->w, c, data, NULL, key);
}

/* updateMany: key and language together are refused outright; one of them is checked against
 * every row it would change (read as stored). */
static int translations_update_many(items_writer_t *iw, const schema_collection_t *c,
                                    write_keys_t *keys, struct json_object *data)
{
    ctx_t *ctx = iw->ctx;
    struct json_object *k = field_of(data, "key"), *l = field_of(data, "language");
    bool has_k = json_object_is_type(data, json_type_object) &&
                 json_object_object_get_ex(data, "key", NULL);
    bool has_l = json_object_is_type(data, json_type_object) &&
                 json_object_object_get_ex(data, "language", NULL);
    if (keys->n && has_k && has_l)
        return duplicate_translation(ctx);
    for (size_t i = 0; (has_k || has_l) && i < keys->n; i++) {
        db_value_t p = authdb_cstr(write_key_text(ctx->arena, keys->v[i]));
        db_result_t r;
        if (authdb_exec(ctx->arena, &ctx->err, ctx->db,
                        "SELECT \"key\", language FROM directus_translations WHERE id = ?", &p, 1,
                        &r) < 0)
            return -1;
        if (!r.nrows)
            continue;
        const db_value_t *rk = db_cell(&r, 0, 0), *rl = db_cell(&r, 0, 1);
        struct json_object *sk = has_k ? k : json_own(ctx->arena, json_str(rk->s));
        struct json_object *sl = has_l ? l : json_own(ctx->arena, json_str(rl->s));
        bool exists;
        if (translation_exists(ctx, sk, sl, &exists) < 0)
            return -1;
        if (exists)
            return duplicate_translation(ctx);
    }
    return write_update_many(&iw->w, c, keys, data, NULL);
}

static const items_service_t translations_service = {
    .create_one = translations_create_one,
    .update_many = translations_update_many,
};

/* ---- FlowsService ------------------------------------------------------------------------------- */

/* deleteMany: the flows' operations lose their resolve / reject first, so the cascade of the
 * operations does not trip over their foreign keys. */
static int flows_delete_many(items_writer_t *iw, const schema_collection_t *c,
                             const write_keys_t *keys)
{
    if (items_exec_in(iw->ctx,
                      "UPDATE directus_operations SET resolve = NULL, reject = NULL WHERE flow IN",
                      keys) < 0)
        return -1;
    return write_delete_many(&iw->w, c, keys);
}

static const items_service_t flows_service = {.delete_many = flows_delete_many};

/* ---- SharesService ------------------------------------------------------------------------------ */

/* createOne: validateAccess('share', data.collection, [data.item]) first: the collection must
 * exist (for admins too), and the caller's share rules must reach the item. */
static int shares_create_one(items_writer_t *iw, const schema_collection_t *c,
                             struct json_object *data, struct json_object **key)
{
    ctx_t *ctx = iw->ctx;
    struct json_object *coll = NULL, *item = NULL;
    bool has_coll = json_object_is_type(data, json_type_object) &&
                    json_object_object_get_ex(data, "collection", &coll);
    if (json_object_is_type(data, json_type_object))
        json_object_object_get_ex(data, "item", &item);
    const schema_collection_t *target =
        json_object_is_type(coll, json_type_string)
            ? schema_collection(iw->w.s, str_c(json_object_get_string(coll)))
            : NULL;
    if (!target) {
        str_t name = has_coll ? jsval_str(ctx->arena, coll) : STR("undefined");
        const char *reason = arena_printf(
            ctx->arena,
            "You don't have permission to \"share\" from collection \"%.*s\" or it does not "
            "exist.",
            (int)name.n, name.p);
        err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, "%s", reason);
        err_ext_str(&ctx->err, ctx->arena, "reason", reason);
        return -1;
    }
    if (!item)
        item = json_own(ctx->arena, json_object_new_null());
    write_keys_t one = {.v = &item, .n = 1};
    if (write_validate_access(&iw->w, target, PERM_SHARE, &one) < 0)
        return -1;
    return write_create_one(&iw->w, c, data, NULL, key);
}

/* updateMany / deleteMany clear the permissions cache (share sessions read through it). */
static int shares_update_many(items_writer_t *iw, const schema_collection_t *c, write_keys_t *keys,
                              struct json_object *data)
{
    iw->w.stale |= 1u << GEN_PERMISSIONS;
    return write_update_many(&iw->w, c, keys, data, NULL);
}

static int shares_delete_many(items_writer_t *iw, const schema_collection_t *c,
                              const write_keys_t *keys)
{
    iw->w.stale |= 1u << GEN_PERMISSIONS;
    return write_delete_many(&iw->w, c, keys);
}

static const items_service_t shares_service = {
    .create_one = shares_create_one,
    .update_many = shares_update_many,
    .delete_many = shares_delete_many,
};

/* ---- the routes ----------------------------------------------------------------------------------- */

typedef struct {
    const char *prefix, *collection;
    const items_service_t *svc;
    bool no_delete_check;
    void (*list_extra)(ctx_t *ctx, const query_t *q, buf_t *body);
} sysw_coll_t;

static const sysw_coll_t colls[] = {
    {"/users", "directus_users", &users_service, false, NULL},
    {"/roles", "directus_roles", &roles_service, false, NULL},
    {"/policies", "directus_policies", &policies_service, false, NULL},
    {"/permissions", "directus_permissions", NULL, false, system_app_rows_extra},
    {"/access", "directus_access", &access_service, false, NULL},
    {"/presets", "directus_presets", NULL, false, NULL},
    {"/folders", "directus_folders", NULL, false, NULL},
    {"/dashboards", "directus_dashboards", NULL, true, NULL},
    {"/panels", "directus_panels", NULL, true, NULL},
    {"/flows", "directus_flows", &flows_service, true, NULL},
    {"/operations", "directus_operations", NULL, true, NULL},
    {"/translations", "directus_translations", &translations_service, false, NULL},
    {"/webhooks", "directus_webhooks", NULL, true, NULL},
    {"/shares", "directus_shares", &shares_service, true, NULL},
};

/* The matched route's collection and service (the route's pattern starts with its prefix). */
static int target_of(ctx_t *ctx, items_target_t *t)
{
    const char *pattern = ctx->route.route->pattern;
    *t = (items_target_t){0};
    for (size_t i = 0; i < sizeof colls / sizeof colls[0]; i++) {
        size_t n = strlen(colls[i].prefix);
        if (strncmp(pattern, colls[i].prefix, n) || (pattern[n] && pattern[n] != '/'))
            continue;
        if (!(t->s = schema_cache_get(ctx)))
            return -1;
        if (!(t->c = schema_collection(t->s, str_c(colls[i].collection))))
            return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
        t->svc = colls[i].svc;
        t->no_delete_check = colls[i].no_delete_check;
        t->list_extra = colls[i].list_extra;
        return 0;
    }
    return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
}

int system_create(ctx_t *ctx)
{
    items_target_t t;
    return target_of(ctx, &t) < 0 ? -1 : items_write_create(ctx, &t);
}

int system_update(ctx_t *ctx)
{
    items_target_t t;
    return target_of(ctx, &t) < 0 ? -1 : items_write_update(ctx, &t);
}

/* The shares controller routes only uuid keys (`/:pk(${UUID_REGEX})`): others are a 404. */
static bool routed_key(ctx_t *ctx)
{
    return strncmp(ctx->route.route->pattern, "/shares/", 8) ||
           system_is_uuid(router_param(&ctx->route, "pk"));
}

int system_update_one(ctx_t *ctx)
{
    items_target_t t;
    if (!routed_key(ctx))
        return respond_not_found(ctx);
    if (target_of(ctx, &t) < 0)
        return -1;
    return items_write_update_one(ctx, &t, router_param(&ctx->route, "pk"));
}

int system_delete(ctx_t *ctx)
{
    items_target_t t;
    return target_of(ctx, &t) < 0 ? -1 : items_write_delete(ctx, &t);
}

int system_delete_one(ctx_t *ctx)
{
    items_target_t t;
    if (!routed_key(ctx))
        return respond_not_found(ctx);
    if (target_of(ctx, &t) < 0)
        return -1;
    return items_write_delete_one(ctx, &t, router_param(&ctx->route, "pk"));
}

/* WebhooksService's deprecation error is a 405 error class Directus's handler does not know: it
 * answers as an unexpected error, whatever the caller. PATCH / validates its batch first. */
int system_deprecated(ctx_t *ctx)
{
    bool batch = ctx->req->method == HTTP_PATCH && !strchr(ctx->route.route->pattern + 1, '/');
    if (batch && !json_object_is_type(ctx->body, json_type_array) &&
        items_batch_body(ctx, true) < 0)
        return -1;
    return err_set(&ctx->err, ctx->arena, ERR_INTERNAL_SERVER_ERROR, NULL);
}
