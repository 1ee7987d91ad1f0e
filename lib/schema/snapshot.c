/*
 * GET /schema/snapshot from the schema. Directus builds it from CollectionsService.readByQuery,
 * FieldsService.readAll and RelationsService.readAll, drops rows whose meta says system: true,
 * sorts every object's keys (sortDeep), sorts the lists, removes meta.id and keeps only the
 * properties sanitize-schema.ts picks. The same steps here, on the schema's json-c values.
 */
#include "lib/schema/snapshot.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/json.h"

static int cmp_key(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* A copy of v with the keys of every object sorted (lodash sortBy over the key/value pairs),
 * leaving out the top-level key skip (NULL: none). Scalars are shared. A new reference. */
static json_object *sorted(json_object *v, const char *skip)
{
    if (json_object_is_type(v, json_type_array)) {
        size_t n = json_object_array_length(v);
        json_object *out = json_object_new_array_ext((int)n);
        for (size_t i = 0; i < n; i++)
            json_object_array_add(out, sorted(json_object_array_get_idx(v, i), NULL));
        return out;
    }
    if (!json_object_is_type(v, json_type_object))
        return json_object_get(v);
    size_t n = (size_t)json_object_object_length(v), k = 0;
    const char **keys = malloc((n ? n : 1) * sizeof *keys);
    json_object_object_foreach(v, key, val)
    {
        (void)val;
        if (!skip || strcmp(key, skip) != 0)
            keys[k++] = key;
    }
    qsort(keys, k, sizeof *keys, cmp_key);
    json_object *out = json_object_new_object();
    for (size_t i = 0; i < k; i++)
        json_object_object_add(out, keys[i], sorted(json_object_object_get(v, keys[i]), NULL));
    free(keys);
    return out;
}

static json_object *str_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static json_object *num_or_null(int64_t v)
{
    return v == SCHEMA_NONE ? NULL : json_object_new_int64(v);
}

const char *schema_snapshot_vendor(const schema_t *s)
{
    switch (schema_dialect(s)) {
    case DB_PG:
        return "postgres";
    case DB_MYSQL:
        return "mysql";
    case DB_SQLITE:
        break;
    }
    return "sqlite";
}

static json_object *collections(const schema_t *s)
{
    json_object *out = json_object_new_array();
    for (size_t i = 0; i < schema_collection_count(s); i++) {
        const schema_collection_t *c = schema_collection_at(s, i);
        if (c->meta_builtin)
            continue;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "collection", json_object_new_string(c->name));
        json_object_object_add(o, "meta", c->meta ? sorted(c->meta, NULL) : NULL);
        if (c->has_table) {
            json_object *t = json_object_new_object();
            json_object_object_add(t, "name", json_object_new_string(c->name));
            json_object_object_add(o, "schema", t);
        }
        json_object_array_add(out, o);
    }
    return out;
}

/* The column part FieldsService shows, reduced to sanitizeField's picks (keys in sorted order). */
static json_object *column_json(const schema_field_t *f)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "data_type", str_or_null(f->db_type));
    json_object_object_add(o, "default_value", json_object_get(f->default_value));
    json_object_object_add(o, "foreign_key_column", str_or_null(f->fk_column));
    json_object_object_add(o, "foreign_key_table", str_or_null(f->fk_table));
    json_object_object_add(o, "generation_expression", str_or_null(f->generation_expression));
    json_object_object_add(o, "has_auto_increment", json_object_new_boolean(f->auto_increment));
    json_object_object_add(o, "is_generated", json_object_new_boolean(f->generated));
    json_object_object_add(o, "is_indexed", json_object_new_boolean(f->indexed));
    json_object_object_add(o, "is_nullable", json_object_new_boolean(f->nullable));
    json_object_object_add(o, "is_primary_key", json_object_new_boolean(f->primary_key));
    json_object_object_add(o, "is_unique", json_object_new_boolean(f->unique));
    json_object_object_add(o, "max_length", num_or_null(f->max_length));
    json_object_object_add(o, "name", json_object_new_string(f->name));
    json_object_object_add(o, "numeric_precision", num_or_null(f->numeric_precision));
    json_object_object_add(o, "numeric_scale", num_or_null(f->numeric_scale));
    json_object_object_add(o, "table", json_object_new_string(f->collection->name));
    return o;
}

/* An entry and its sort key: collection, then meta.id (lodash puts a missing id last). */
typedef struct {
    const char *collection;
    int64_t id;
    bool has_id;
    size_t seq; /* original position: the sort is stable */
    json_object *o;
} entry_t;

static int cmp_entry(const void *x, const void *y)
{
    const entry_t *a = x, *b = y;
    int c = strcmp(a->collection, b->collection);
    if (c)
        return c;
    if (a->has_id != b->has_id)
        return a->has_id ? -1 : 1;
    if (a->has_id && a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static entry_t entry(const char *collection, json_object *meta, size_t seq)
{
    json_object *id = meta ? json_object_object_get(meta, "id") : NULL;
    return (entry_t){collection, id ? json_object_get_int64(id) : 0,
                     json_object_is_type(id, json_type_int), seq, NULL};
}

static json_object *sorted_array(entry_t *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_entry);
    json_object *out = json_object_new_array_ext((int)n);
    for (size_t i = 0; i < n; i++)
        json_object_array_add(out, v[i].o);
    free(v);
    return out;
}

static json_object *fields(const schema_t *s)
{
    size_t n = 0, k = 0;
    for (size_t i = 0; i < schema_collection_count(s); i++)
        n += schema_collection_at(s, i)->nfields;
    entry_t *v = malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < schema_collection_count(s); i++) {
        const schema_collection_t *c = schema_collection_at(s, i);
        for (size_t j = 0; c->queryable && j < c->nfields; j++) {
            const schema_field_t *f = &c->fields[j];
            if (f->system)
                continue;
            json_object *o = json_object_new_object();
            json_object_object_add(o, "collection", json_object_new_string(c->name));
            json_object_object_add(o, "field", json_object_new_string(f->name));
            json_object_object_add(o, "meta", f->meta ? sorted(f->meta, "id") : NULL);
            if (!f->alias)
                json_object_object_add(o, "schema", column_json(f));
            json_object_object_add(o, "type", json_object_new_string(schema_type_name(f->type)));
            v[k] = entry(c->name, f->meta, k);
            v[k++].o = o;
        }
    }
    return sorted_array(v, k);
}

static json_object *fk_json(const schema_relation_t *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "column", json_object_new_string(r->field));
    json_object_object_add(o, "constraint_name", str_or_null(r->constraint_name));
    json_object_object_add(o, "foreign_key_column", str_or_null(r->fk_column));
    json_object_object_add(o, "foreign_key_table", str_or_null(r->fk_table));
    json_object_object_add(o, "on_delete", str_or_null(r->on_delete));
    json_object_object_add(o, "on_update", str_or_null(r->on_update));
    json_object_object_add(o, "table", json_object_new_string(r->collection));
    return o;
}

static json_object *relations(const schema_t *s)
{
    size_t n = schema_relation_count(s), k = 0;
    entry_t *v = malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        const schema_relation_t *r = schema_relation_at(s, i);
        if (r->system)
            continue;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "collection", str_or_null(r->collection));
        json_object_object_add(o, "field", str_or_null(r->field));
        json_object_object_add(o, "meta", r->meta ? sorted(r->meta, "id") : NULL);
        json_object_object_add(o, "related_collection", str_or_null(r->related_collection));
        if (r->has_fk)
            json_object_object_add(o, "schema", fk_json(r));
        v[k] = entry(r->collection ? r->collection : "", r->meta, k);
        v[k++].o = o;
    }
    return sorted_array(v, k);
}

json_object *schema_snapshot(arena_t *a, const schema_t *s)
{
    json_object *o = json_own(a, json_object_new_object());
    json_object_object_add(o, "version", json_object_new_int(1));
    json_object_object_add(o, "directus", json_object_new_string("11.3.5"));
    json_object_object_add(o, "vendor", json_object_new_string(schema_snapshot_vendor(s)));
    json_object_object_add(o, "collections", collections(s));
    json_object_object_add(o, "fields", fields(s));
    json_object_object_add(o, "relations", relations(s));
    return o;
}
