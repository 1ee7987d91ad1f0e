/*
 * PayloadService's nested relational writes, in its order: processM2O and processA2O before
 * the parent row is written (related objects created or updated, their keys put in the
 * payload), processO2M after it (the array form replaces the children, the {create, update,
 * delete} form alters them; deselected children are nulled or deleted per
 * one_deselect_action). Every nested write goes through the service again, permissions and
 * activity included.
 */
#include <json-c/json.h>
#include <string.h>

#include "lib/core/json.h"
#include "lib/query/jsval.h"
#include "lib/services/write_int.h"

/* ---- nested relations (PayloadService) ---------------------------------------------------- */

static const schema_collection_t *coll_named(write_t *w, const char *name)
{
    return name ? schema_collection(w->s, str_c(name)) : NULL;
}

/* A related record of an m2o / a2o: update it when its key exists, else create it; the key
 * replaces the object in the payload. */
static int nested_to_one(write_t *w, const schema_collection_t *rc, struct json_object *payload,
                         const char *field, write_revs_t *revs)
{
    struct json_object *rec = wr_get(payload, field);
    if (!rc || !rc->primary || !wr_is_object(rec))
        return 0;
    const char *rpk = rc->primary->name;
    struct json_object *key = wr_get(rec, rpk);
    bool exists = false;
    if (wr_has(rec, rpk) && wr_row_exists(w, rc, key, &exists) < 0)
        return -1;
    if (exists) {
        struct json_object *rest = wr_copy(w, rec);
        json_object_object_del(rest, rpk);
        if (json_object_object_length(rest) > 0) {
            write_keys_t one = {.v = &key, .n = 1};
            if (!write_key_valid(rc, key))
                return err_set(w->e, w->a, ERR_FORBIDDEN, NULL);
            if (write_update_many(w, rc, &one, rest, revs) < 0)
                return -1;
        }
    } else if (write_create_one(w, rc, rec, revs, &key) < 0) {
        return -1;
    }
    wr_put(payload, field, key);
    return 0;
}

/* processM2O: every m2o field of c holding an object (or array). */
int wr_process_m2o(write_t *w, const schema_collection_t *c, struct json_object *payload,
                   write_revs_t *revs)
{
    size_t n = schema_relation_count(w->s);
    for (size_t i = 0; i < n; i++) {
        const schema_relation_t *r = schema_relation_at(w->s, i);
        if (strcmp(r->collection, c->name) || !r->related_collection)
            continue;
        json_type t = json_object_get_type(wr_get(payload, r->field));
        if (t != json_type_object)
            continue;
        if (nested_to_one(w, coll_named(w, r->related_collection), payload, r->field, revs) < 0)
            return -1;
    }
    return 0;
}

/* processA2O: the a2o field's object goes to the collection its sibling field names. */
int wr_process_a2o(write_t *w, const schema_collection_t *c, struct json_object *payload,
                   write_revs_t *revs)
{
    size_t n = schema_relation_count(w->s);
    for (size_t i = 0; i < n; i++) {
        const schema_relation_t *r = schema_relation_at(w->s, i);
        if (strcmp(r->collection, c->name) || !wr_is_object(wr_get(payload, r->field)))
            continue;
        if (!r->one_collection_field || !r->n_one_allowed)
            continue;
        struct json_object *rcname = wr_get(payload, r->one_collection_field);
        if (!jsval_truthy(rcname))
            return err_invalid_payload(
                w->e, w->a,
                arena_printf(w->a,
                             "Can't update nested record \"%s.%s\" without field \"%s.%s\" "
                             "being set",
                             r->collection, r->field, r->collection, r->one_collection_field));
        const char *name = jsval_is_string(rcname) ? json_object_get_string(rcname) : NULL;
        bool allowed = false;
        for (size_t k = 0; name && k < r->n_one_allowed; k++)
            allowed |= !strcmp(r->one_allowed_collections[k], name);
        if (!allowed)
            return err_invalid_payload(
                w->e, w->a,
                arena_printf(w->a, "\"%s.%s\" can't be linked to collection \"%s\"", r->collection,
                             r->field, write_key_text(w->a, rcname)));
        const schema_collection_t *rc = coll_named(w, name);
        if (!rc)
            return err_set(w->e, w->a, ERR_FORBIDDEN, NULL);
        if (nested_to_one(w, rc, payload, r->field, revs) < 0)
            return -1;
    }
    return 0;
}

/* Keys of child rows linked to parent (and, when only is given, among those keys; when except
 * is given, not among them), as getKeysByQuery reads them: primary key order, the default
 * limit. */
static int linked_keys(write_t *w, const schema_collection_t *cc, const char *fk,
                       struct json_object *parent, const write_keys_t *only,
                       const write_keys_t *except, write_keys_t *out)
{
    *out = (write_keys_t){0};
    if (only && !only->n)
        return 0;
    sqlbuf_t *b = sqlbuf_new(w->a);
    sqlbuf_kw(b, "SELECT ");
    sqlbuf_ident(b, cc->primary->name);
    sqlbuf_kw(b, " FROM ");
    sqlbuf_ident(b, cc->name);
    sqlbuf_kw(b, " WHERE ");
    sqlbuf_ident(b, fk);
    sqlbuf_kw(b, " = ");
    sqlbuf_param(b, wr_key_value(parent));
    if (only) {
        sqlbuf_kw(b, " AND ");
        sqlbuf_ident(b, cc->primary->name);
        sqlbuf_kw(b, " IN ");
        wr_in_list(b, only);
    }
    if (except && except->n) {
        sqlbuf_kw(b, " AND ");
        sqlbuf_ident(b, cc->primary->name);
        sqlbuf_kw(b, " NOT IN ");
        wr_in_list(b, except);
    }
    sqlbuf_kw(b, " ORDER BY ");
    sqlbuf_ident(b, cc->primary->name);
    int64_t limit = wr_limit_default(w);
    if (limit >= 0) {
        sqlbuf_kw(b, " LIMIT ");
        sqlbuf_param_int(b, limit);
    }
    db_result_t r;
    if (wr_run(w, b, &r) < 0)
        return -1;
    size_t cap = 0;
    for (size_t i = 0; i < r.nrows; i++) {
        struct json_object *k = wr_cell_key(w, db_cell(&r, i, 0));
        if (jsval_truthy(k))
            wr_keys_push(w, out, &cap, k);
    }
    return 0;
}

/* Deselected children: deleted or their foreign key nulled (one_deselect_action). */
static int deselect(write_t *w, const schema_relation_t *r, const schema_collection_t *cc,
                    write_keys_t *keys, write_revs_t *revs)
{
    if (!keys->n)
        return 0;
    if (r->one_deselect_delete)
        return write_delete_many(w, cc, keys);
    struct json_object *data = wr_own(w, json_object_new_object());
    json_object_object_add(data, r->field, NULL);
    return write_update_many(w, cc, keys, data, revs);
}

/* upsertOne of a child record. */
static int upsert_one(write_t *w, const schema_collection_t *cc, struct json_object *rec,
                      write_revs_t *revs, struct json_object **key)
{
    const char *pk = cc->primary->name;
    *key = wr_get(rec, pk);
    bool exists = false;
    if (jsval_truthy(*key)) {
        if (!write_key_valid(cc, *key))
            return err_set(w->e, w->a, ERR_FORBIDDEN, NULL);
        if (wr_row_exists(w, cc, *key, &exists) < 0)
            return -1;
    }
    if (!exists)
        return write_create_one(w, cc, rec, revs, key);
    struct json_object *rest = wr_copy(w, rec);
    json_object_object_del(rest, pk);
    write_keys_t one = {.v = key, .n = 1};
    return write_update_many(w, cc, &one, rest, revs);
}

static bool loose_eq(write_t *w, const db_value_t *cell, struct json_object *key)
{
    if (!key || cell->type == DB_NULL)
        return false;
    struct json_object *ck = wr_cell_key(w, cell);
    return !strcmp(write_key_text(w->a, ck), write_key_text(w->a, key));
}

/* The array form: the list is the full new set of children. */
static int o2m_replace(write_t *w, const schema_relation_t *r, const schema_collection_t *cc,
                       struct json_object *payload, struct json_object *parent,
                       struct json_object *list, write_revs_t *revs)
{
    const char *cpk = cc->primary->name;
    const schema_collection_t *pc = coll_named(w, r->related_collection);
    struct json_object *own_pk = pc && pc->primary ? wr_get(payload, pc->primary->name) : NULL;
    write_keys_t saved = {0};
    size_t saved_cap = 0;
    size_t n = json_object_get_type(list) == json_type_array ? json_object_array_length(list) : 0;
    struct json_object **recs = arena_calloc(w->a, n ? n : 1, sizeof *recs);
    size_t nrecs = 0;
    for (size_t i = 0; i < n; i++) {
        struct json_object *item = json_object_array_get_idx(list, i);
        json_type t = json_object_get_type(item);
        struct json_object *rec;
        if (t == json_type_string || t == json_type_int || t == json_type_double) {
            const char *cols[] = {cpk, r->field};
            db_result_t res;
            if (wr_select_by_key(w, cc, cols, 2, item, &res) < 0)
                return -1;
            if (!res.nrows)
                return err_set(w->e, w->a, ERR_FORBIDDEN, NULL);
            const db_value_t *fkv = db_cell(&res, 0, 1);
            if (loose_eq(w, fkv, parent) || loose_eq(w, fkv, own_pk)) {
                wr_keys_push(w, &saved, &saved_cap, wr_cell_key(w, db_cell(&res, 0, 0)));
                continue;
            }
            rec = wr_own(w, json_object_new_object());
            wr_put(rec, cpk, item);
        } else {
            rec = wr_copy(w, item);
        }
        wr_put(rec, r->field, parent);
        recs[nrecs++] = rec;
    }
    for (size_t i = 0; i < nrecs; i++) {
        struct json_object *key;
        if (upsert_one(w, cc, recs[i], revs, &key) < 0)
            return -1;
        wr_keys_push(w, &saved, &saved_cap, key);
    }
    write_keys_t stale;
    if (linked_keys(w, cc, r->field, parent, NULL, &saved, &stale) < 0)
        return -1;
    return deselect(w, r, cc, &stale, revs);
}

static int alter_shape_error(write_t *w, const char *msg)
{
    return err_invalid_payload(w->e, w->a,
                               arena_printf(w->a, "Invalid one-to-many update structure: %s", msg));
}

/* The nestedUpdateSchema Joi check of {create, update, delete}. */
static int wr_alter_shape(write_t *w, struct json_object *alt)
{
    if (!wr_is_object(alt))
        return alter_shape_error(w, "\"value\" must be of type object");
    static const char *const names[] = {"create", "update", "delete"};
    for (size_t k = 0; k < 3; k++) {
        struct json_object *v;
        if (!json_object_object_get_ex(alt, names[k], &v))
            continue;
        if (json_object_get_type(v) != json_type_array)
            return alter_shape_error(w, arena_printf(w->a, "\"%s\" must be an array", names[k]));
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            json_type t = json_object_get_type(json_object_array_get_idx(v, i));
            if (k < 2 && t != json_type_object)
                return alter_shape_error(
                    w, arena_printf(w->a, "\"%s[%zu]\" must be of type object", names[k], i));
            if (k == 2 && t != json_type_string && t != json_type_int && t != json_type_double)
                return alter_shape_error(
                    w, arena_printf(w->a, "\"delete[%zu]\" must be one of [string, number]", i));
        }
    }
    json_object_object_foreach(alt, key, val)
    {
        (void)val;
        if (strcmp(key, "create") && strcmp(key, "update") && strcmp(key, "delete"))
            return alter_shape_error(w, arena_printf(w->a, "\"%s\" is not allowed", key));
    }
    return 0;
}

/* The highest sort value of parent's children (sort_field of the relation), or 0. */
static int max_sort(write_t *w, const schema_relation_t *r, const schema_collection_t *cc,
                    struct json_object *parent, double *out)
{
    *out = 0;
    sqlbuf_t *b = sqlbuf_new(w->a);
    sqlbuf_kw(b, "SELECT MAX(");
    sqlbuf_ident(b, r->sort_field);
    sqlbuf_kw(b, ") FROM ");
    sqlbuf_ident(b, cc->name);
    sqlbuf_kw(b, " WHERE ");
    sqlbuf_ident(b, r->field);
    sqlbuf_kw(b, " = ");
    sqlbuf_param(b, wr_key_value(parent));
    sqlbuf_kw(b, " AND ");
    sqlbuf_ident(b, r->sort_field);
    sqlbuf_kw(b, " IS NOT NULL");
    db_result_t res;
    if (wr_run(w, b, &res) < 0)
        return -1;
    const db_value_t *v = db_cell(&res, 0, 0);
    if (v && v->type == DB_INT)
        *out = (double)v->i;
    else if (v && v->type == DB_FLOAT)
        *out = v->f;
    else if (v && v->type == DB_TEXT)
        *out = jsval_str_number(v->s);
    return 0;
}

/* A sort number as JavaScript holds it: integral values print without a fraction. */
static struct json_object *sort_value(double v)
{
    return v == (double)(int64_t)v ? json_object_new_int64((int64_t)v) : json_object_new_double(v);
}

/* The alterations form {create, update, delete}. */
static int o2m_alter(write_t *w, const schema_relation_t *r, const schema_collection_t *cc,
                     struct json_object *parent, struct json_object *alt, write_revs_t *revs)
{
    if (wr_alter_shape(w, alt) < 0)
        return -1;
    struct json_object *list;
    if ((list = wr_get(alt, "create"))) {
        double top = 0;
        if (r->sort_field && max_sort(w, r, cc, parent, &top) < 0)
            return -1;
        for (size_t i = 0; i < json_object_array_length(list); i++) {
            struct json_object *rec = wr_copy(w, json_object_array_get_idx(list, i));
            if (r->sort_field && !wr_has(rec, r->sort_field))
                json_object_object_add(rec, r->sort_field,
                                       sort_value(top ? top + (double)i + 1 : (double)i + 1));
            wr_put(rec, r->field, parent);
            struct json_object *key;
            if (write_create_one(w, cc, rec, revs, &key) < 0)
                return -1;
        }
    }
    if ((list = wr_get(alt, "update"))) {
        for (size_t i = 0; i < json_object_array_length(list); i++) {
            struct json_object *rec = wr_copy(w, json_object_array_get_idx(list, i));
            struct json_object *key = wr_get(rec, cc->primary->name);
            if (!wr_has(rec, cc->primary->name)) /* Number(undefined): validateKeys refuses */
                return err_set(w->e, w->a, ERR_FORBIDDEN, NULL);
            json_object_object_del(rec, cc->primary->name);
            wr_put(rec, r->field, parent);
            write_keys_t one = {.v = &key, .n = 1};
            if (wr_keys_valid(w, cc, &one) < 0 || write_update_many(w, cc, &one, rec, revs) < 0)
                return -1;
        }
    }
    if ((list = wr_get(alt, "delete"))) {
        write_keys_t only = write_keys_of(w->a, list), hit;
        if (linked_keys(w, cc, r->field, parent, &only, NULL, &hit) < 0 ||
            deselect(w, r, cc, &hit, revs) < 0)
            return -1;
    }
    return 0;
}

/* processO2M: every o2m alias of c in the payload, for the item with key parent. */
int wr_process_o2m(write_t *w, const schema_collection_t *c, struct json_object *payload,
                   struct json_object *parent, write_revs_t *revs)
{
    size_t n = schema_relation_count(w->s);
    for (size_t i = 0; i < n; i++) {
        const schema_relation_t *r = schema_relation_at(w->s, i);
        if (!r->related_collection || strcmp(r->related_collection, c->name) || !r->one_field ||
            !wr_has(payload, r->one_field))
            continue;
        const schema_collection_t *cc = coll_named(w, r->collection);
        if (!cc || !cc->primary)
            continue;
        struct json_object *v = wr_get(payload, r->one_field);
        int rc = !jsval_truthy(v) || json_object_get_type(v) == json_type_array
                     ? o2m_replace(w, r, cc, payload, parent, v, revs)
                     : o2m_alter(w, r, cc, parent, v, revs);
        if (rc < 0)
            return -1;
    }
    return 0;
}
