/*
 * The schema's own read routes, from the schema snapshot (lib/schema) rather than from SQL:
 * GET /collections, /fields and /relations (each whole, per collection, and one entry) and
 * GET /schema/snapshot. The shapes come from lib/schema/snapshot.c; this file adds what
 * Directus's CollectionsService, FieldsService and RelationsService decide per caller: which
 * entries a role sees, and which 403 (with which reason) it gets otherwise.
 */
#include "lib/api/schema_info.h"

#include <json-c/json.h>
#include <string.h>

#include "lib/api/items.h"
#include "lib/api/respond.h"
#include "lib/api/schema_cache.h"
#include "lib/core/json.h"
#include "lib/perm/perm.h"
#include "lib/schema/snapshot.h"
#include "lib/schema/sysdata.h"

/* What every handler starts with: the query checked (Directus's sanitizeQuery runs for every
 * route, so a bad one is a 400 here too, although nothing below reads it), the schema, and the
 * caller's read permissions (NULL for admins). */
static int prologue(ctx_t *ctx, const schema_t **s, const perm_set_t **ps)
{
    query_env_t env = items_env(ctx);
    query_t q;
    if (query_parse(ctx->arena, &ctx->err, &env, ctx->query, true, &q) < 0)
        return -1;
    if (!(*s = schema_cache_get(ctx)))
        return -1;
    return items_perm_for(ctx, ps);
}

/* ForbiddenError with a reason: the reason is the message too. */
static int forbidden(ctx_t *ctx, const char *reason)
{
    err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, "%s", reason);
    err_ext_str(&ctx->err, ctx->arena, "reason", reason);
    return -1;
}

/* validateAccess({action: 'read', collection}) without keys: some read row must exist. */
static int validate_access(ctx_t *ctx, const perm_set_t *ps, const char *collection)
{
    if (!ps || perm_coll(ps, str_c(collection)))
        return 0;
    return forbidden(ctx, arena_printf(ctx->arena,
                                       "You don't have permission to perform \"read\" for "
                                       "collection \"%s\" or it does not exist.",
                                       collection));
}

/* The collection-exists middleware of /fields/:collection and /relations/:collection: only
 * collections of the schema overview (queryable ones) pass. */
static const schema_collection_t *collection_param(ctx_t *ctx, const schema_t *s)
{
    str_t name = router_param(&ctx->route, "collection");
    if (!name.p || !name.n)
        return NULL;
    const schema_collection_t *c = schema_collection(s, name);
    if (!c)
        err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    return c;
}

static int respond_data(ctx_t *ctx, struct json_object *data)
{
    struct json_object *o = json_own(ctx->arena, json_object_new_object());
    json_object_object_add(o, "data", data);
    return respond_json(ctx, o);
}

/* ---- /collections ------------------------------------------------------------------------ */

typedef struct {
    const char **v;
    size_t n;
} names_t;

static bool names_has(const names_t *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], name) == 0)
            return true;
    return false;
}

static void names_add(arena_t *a, names_t *l, const char *name)
{
    l->v = arena_realloc(a, l->v, l->n * sizeof *l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = name;
}

static const char *meta_group(const schema_collection_t *c)
{
    struct json_object *g;
    if (!c || !c->meta || !json_object_object_get_ex(c->meta, "group", &g))
        return NULL;
    return json_object_get_type(g) == json_type_string ? json_object_get_string(g) : NULL;
}

static const schema_collection_t *any_collection(const schema_t *s, const char *name)
{
    for (size_t i = 0; i < schema_collection_count(s); i++)
        if (strcmp(schema_collection_at(s, i)->name, name) == 0)
            return schema_collection_at(s, i);
    return NULL;
}

/* CollectionsService.readByQuery's allow-list: the collections with a read row, then (growing
 * the list while walking it, as the for…of over the same array does) each one's group, each
 * group taken once. */
static names_t allowed_collections(ctx_t *ctx, const schema_t *s, const perm_set_t *ps)
{
    names_t l = {0}, done = {0};
    for (size_t i = 0; i < ps->ncolls; i++)
        if (!names_has(&l, ps->colls[i].collection))
            names_add(ctx->arena, &l, ps->colls[i].collection);
    for (size_t i = 0; i < l.n; i++) {
        const char *group = meta_group(any_collection(s, l.v[i]));
        if (group && !names_has(&done, l.v[i])) {
            names_add(ctx->arena, &done, l.v[i]);
            if (!names_has(&l, group))
                names_add(ctx->arena, &l, group);
        }
    }
    return l;
}

static void add_collection(struct json_object *out, const schema_collection_t *c,
                           const names_t *allowed)
{
    if (!allowed || names_has(allowed, c->name))
        json_object_array_add(out, schema_collection_info(c));
}

/* Directus's list: directus_collections rows, then the built-in rows of the system collections
 * (in Directus's order), then the tables nobody described. */
static int collections_array(ctx_t *ctx, const schema_t *s, const perm_set_t *ps,
                             struct json_object **out)
{
    if (ps && !perm_coll(ps, STR("directus_collections")))
        return forbidden(ctx, "You don't have permission to access collection "
                              "\"directus_collections\" or it does not exist. Queried in root.");
    names_t allowed = {0};
    if (ps)
        allowed = allowed_collections(ctx, s, ps);
    const names_t *filter = ps ? &allowed : NULL;
    *out = json_own(ctx->arena, json_object_new_array());
    size_t n = schema_collection_count(s);
    for (size_t i = 0; i < n; i++) {
        const schema_collection_t *c = schema_collection_at(s, i);
        if (c->meta && !c->meta_builtin)
            add_collection(*out, c, filter);
    }
    for (size_t k = 0; k < sysdata_ncollections; k++) {
        const schema_collection_t *c = any_collection(s, sysdata_collections[k].collection);
        if (c && c->meta_builtin)
            add_collection(*out, c, filter);
    }
    for (size_t i = 0; i < n; i++) {
        const schema_collection_t *c = schema_collection_at(s, i);
        if (!c->meta && c->has_table)
            add_collection(*out, c, filter);
    }
    return 0;
}

/* SEARCH /collections {keys}: readMany, the entries of all whose name is one of the keys. */
static struct json_object *only_keys(ctx_t *ctx, struct json_object *all,
                                     struct json_object *keys)
{
    struct json_object *out = json_own(ctx->arena, json_object_new_array());
    size_t n = json_object_array_length(keys);
    for (size_t i = 0; i < json_object_array_length(all); i++) {
        struct json_object *e = json_object_array_get_idx(all, i);
        const char *name = json_object_get_string(json_object_object_get(e, "collection"));
        for (size_t k = 0; k < n; k++) {
            const char *key = json_object_get_string(json_object_array_get_idx(keys, k));
            if (key && strcmp(key, name) == 0) {
                json_object_array_add(out, json_object_get(e));
                break;
            }
        }
    }
    return out;
}

/* The SEARCH body as validateBatch('read') checks it; its keys (strings or numbers), or NULL
 * when it has none. The body's query is checked and, as the collections controller does,
 * ignored. */
static int search_keys(ctx_t *ctx, struct json_object **keys)
{
    *keys = NULL;
    if (ctx->req->method != HTTP_SEARCH)
        return 0;
    query_env_t env = items_env(ctx);
    query_t q;
    qval_t *kv;
    size_t nkeys;
    bool has_keys;
    if (items_search_body(ctx, &env, &q, &kv, &nkeys, &has_keys) < 0)
        return -1;
    if (has_keys)
        json_object_object_get_ex(ctx->body, "keys", keys);
    return 0;
}

int collections_list(ctx_t *ctx)
{
    const schema_t *s;
    const perm_set_t *ps;
    struct json_object *keys, *all;
    if (prologue(ctx, &s, &ps) < 0 || search_keys(ctx, &keys) < 0)
        return -1;
    /* readMany validates access to each key before it reads. */
    for (size_t i = 0; keys && i < json_object_array_length(keys); i++) {
        const char *k = json_object_get_string(json_object_array_get_idx(keys, i));
        if (validate_access(ctx, ps, k) < 0)
            return -1;
    }
    if (collections_array(ctx, s, ps, &all) < 0)
        return -1;
    return respond_data(ctx, json_object_get(keys ? only_keys(ctx, all, keys) : all));
}

int collections_one(ctx_t *ctx)
{
    const schema_t *s;
    const perm_set_t *ps;
    if (prologue(ctx, &s, &ps) < 0)
        return -1;
    str_t name = router_param(&ctx->route, "collection");
    if (validate_access(ctx, ps, arena_strndup(ctx->arena, name.p, name.n)) < 0)
        return -1;
    struct json_object *all;
    if (collections_array(ctx, s, ps, &all) < 0)
        return -1;
    for (size_t i = 0; i < json_object_array_length(all); i++) {
        struct json_object *e = json_object_array_get_idx(all, i);
        if (str_eq_c(name, json_object_get_string(json_object_object_get(e, "collection"))))
            return respond_data(ctx, json_object_get(e));
    }
    return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
}

/* ---- /fields ------------------------------------------------------------------------------ */

/* A non-admin reads the field with a read row, or any field with "*". */
static bool readable(const perm_set_t *ps, const char *collection, const char *field)
{
    const perm_coll_t *pc = perm_coll(ps, str_c(collection));
    return pc && perm_can_read_field(pc, str_c(field));
}

static bool field_visible(const perm_set_t *ps, const schema_field_t *f)
{
    return !ps || readable(ps, f->collection->name, f->name);
}

/* FieldsService.readAll: the columns of every collection (or of one), then the alias fields,
 * with a non-admin's list cut to the fields some read row grants. */
static struct json_object *fields_array(const schema_t *s, const schema_collection_t *only,
                                        const perm_set_t *ps)
{
    struct json_object *out = json_object_new_array();
    for (int alias = 0; alias < 2; alias++) {
        for (size_t i = 0; i < schema_collection_count(s); i++) {
            const schema_collection_t *c = schema_collection_at(s, i);
            if (!c->queryable || (only && c != only))
                continue;
            for (size_t j = 0; j < c->nfields; j++) {
                const schema_field_t *f = &c->fields[j];
                if (f->alias == (alias == 1) && field_visible(ps, f))
                    json_object_array_add(out, schema_field_info(f, false));
            }
        }
    }
    return out;
}

int fields_list(ctx_t *ctx)
{
    const schema_t *s;
    const perm_set_t *ps;
    if (prologue(ctx, &s, &ps) < 0)
        return -1;
    const schema_collection_t *c = collection_param(ctx, s);
    if (err_is_set(&ctx->err) || validate_access(ctx, ps, "directus_fields") < 0)
        return -1;
    if (c && ps && !perm_coll(ps, str_c(c->name)))
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    return respond_data(ctx, fields_array(s, c, ps));
}

int fields_one(ctx_t *ctx)
{
    const schema_t *s;
    const perm_set_t *ps;
    if (prologue(ctx, &s, &ps) < 0)
        return -1;
    const schema_collection_t *c = collection_param(ctx, s);
    if (!c || validate_access(ctx, ps, c->name) < 0)
        return -1;
    str_t name = router_param(&ctx->route, "field");
    for (size_t j = 0; j < c->nfields; j++) {
        const schema_field_t *f = &c->fields[j];
        if (str_eq_c(name, f->name) && field_visible(ps, f))
            return respond_data(ctx, schema_field_info(f, true));
    }
    return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
}

/* ---- /relations --------------------------------------------------------------------------- */

/* String equality where a stored relation row may hold NULL. */
static bool same(const char *x, const char *y)
{
    return x && y && strcmp(x, y) == 0;
}

/* RelationsService.filterForbidden: both collections (and every allowed one of an a2o) and
 * the fields on both sides must be readable. */
static bool relation_visible(const perm_set_t *ps, const schema_relation_t *r)
{
    if (!ps)
        return true;
    if (!r->collection || !r->field || !perm_coll(ps, str_c(r->collection)))
        return false;
    if (r->related_collection && !perm_coll(ps, str_c(r->related_collection)))
        return false;
    for (size_t i = 0; i < r->n_one_allowed; i++)
        if (!perm_coll(ps, str_c(r->one_allowed_collections[i])))
            return false;
    if (!readable(ps, r->collection, r->field))
        return false;
    return !(r->related_collection && r->one_field &&
             !readable(ps, r->related_collection, r->one_field));
}

int relations_list(ctx_t *ctx)
{
    const schema_t *s;
    const perm_set_t *ps;
    if (prologue(ctx, &s, &ps) < 0)
        return -1;
    const schema_collection_t *c = collection_param(ctx, s);
    if (err_is_set(&ctx->err) || validate_access(ctx, ps, "directus_relations") < 0)
        return -1;
    struct json_object *out = json_object_new_array();
    for (size_t i = 0; i < schema_relation_count(s); i++) {
        const schema_relation_t *r = schema_relation_at(s, i);
        if ((c && !same(r->collection, c->name)) || !relation_visible(ps, r))
            continue;
        json_object_array_add(out, schema_relation_info(s, r));
    }
    return respond_data(ctx, out);
}

/* RelationsService.readOne reads only directus_relations rows, not the built-in ones: a system
 * relation shows its foreign key with meta null, and one without a key does not exist. */
int relations_one(ctx_t *ctx)
{
    const schema_t *s;
    const perm_set_t *ps;
    if (prologue(ctx, &s, &ps) < 0)
        return -1;
    const schema_collection_t *c = collection_param(ctx, s);
    if (!c || validate_access(ctx, ps, "directus_relations") < 0)
        return -1;
    str_t field = router_param(&ctx->route, "field");
    if (ps && !readable(ps, c->name, arena_strndup(ctx->arena, field.p, field.n)))
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    for (size_t i = 0; i < schema_relation_count(s); i++) {
        const schema_relation_t *r = schema_relation_at(s, i);
        if (!same(r->collection, c->name) || !r->field || !str_eq_c(field, r->field))
            continue;
        if (r->system && !r->has_fk)
            continue;
        if (!relation_visible(ps, r))
            break;
        struct json_object *o = schema_relation_info(s, r);
        if (r->system)
            json_object_object_add(o, "meta", NULL);
        return respond_data(ctx, o);
    }
    return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
}

/* ---- /schema/snapshot --------------------------------------------------------------------- */

int schema_snapshot_get(ctx_t *ctx)
{
    query_env_t env = items_env(ctx);
    query_t q;
    if (query_parse(ctx->arena, &ctx->err, &env, ctx->query, true, &q) < 0)
        return -1;
    if (!ctx->acc.admin)
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    const schema_t *s = schema_cache_get(ctx);
    if (!s)
        return -1;
    return respond_data(ctx, json_object_get(schema_snapshot(ctx->arena, s)));
}
