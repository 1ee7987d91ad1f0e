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

/* sanitizeColumn / sanitizeRelation: the schema properties a snapshot keeps. */
static const char *const column_picks[] = {
    "name", "table", "data_type", "default_value", "max_length", "numeric_precision",
    "numeric_scale", "is_nullable", "is_unique", "is_indexed", "is_primary_key", "is_generated",
    "generation_expression", "has_auto_increment", "foreign_key_table", "foreign_key_column",
    NULL};
static const char *const fk_picks[] = {"table", "constraint_name", "column", "foreign_key_table",
                                       "foreign_key_column", "on_update", "on_delete", NULL};

/* lodash pick of keys (those present in o) then sortDeep; consumes o. A new reference. */
static json_object *picked(json_object *o, const char *const *keys)
{
    json_object *p = json_object_new_object(), *v;
    for (; *keys; keys++)
        if (json_object_object_get_ex(o, *keys, &v))
            json_object_object_add(p, *keys, json_object_get(v));
    json_object *out = sorted(p, NULL);
    json_object_put(p);
    json_object_put(o);
    return out;
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

/* A column property: "name" → value, in the order one dialect's inspector prints them. */
typedef enum {
    COL_NAME, COL_TABLE, COL_DATA_TYPE, COL_DEFAULT, COL_GEN_EXPR, COL_MAX_LENGTH, COL_PRECISION,
    COL_SCALE, COL_GENERATED, COL_NULLABLE, COL_UNIQUE, COL_INDEXED, COL_PRIMARY, COL_AUTO_INC,
    COL_FK_SCHEMA, COL_FK_TABLE, COL_FK_COLUMN, COL_COMMENT, COL_END
} col_key_t;

static const char *const col_names[] = {
    "name", "table", "data_type", "default_value", "generation_expression", "max_length",
    "numeric_precision", "numeric_scale", "is_generated", "is_nullable", "is_unique",
    "is_indexed", "is_primary_key", "has_auto_increment", "foreign_key_schema",
    "foreign_key_table", "foreign_key_column", "comment"};

/* @directus/schema's columnInfo key order per dialect (postgres.ts, mysql.ts rawColumnToColumn,
 * sqlite.ts); SQLite has no comment or foreign_key_schema, MySQL no foreign_key_schema. */
static const col_key_t col_order_pg[] = {
    COL_NAME, COL_TABLE, COL_DATA_TYPE, COL_DEFAULT, COL_GEN_EXPR, COL_MAX_LENGTH, COL_PRECISION,
    COL_SCALE, COL_GENERATED, COL_NULLABLE, COL_UNIQUE, COL_INDEXED, COL_PRIMARY, COL_AUTO_INC,
    COL_FK_SCHEMA, COL_FK_TABLE, COL_FK_COLUMN, COL_COMMENT, COL_END};
static const col_key_t col_order_mysql[] = {
    COL_NAME, COL_TABLE, COL_DATA_TYPE, COL_DEFAULT, COL_GEN_EXPR, COL_MAX_LENGTH, COL_PRECISION,
    COL_SCALE, COL_GENERATED, COL_NULLABLE, COL_UNIQUE, COL_INDEXED, COL_PRIMARY, COL_AUTO_INC,
    COL_FK_COLUMN, COL_FK_TABLE, COL_COMMENT, COL_END};
static const col_key_t col_order_sqlite[] = {
    COL_NAME, COL_TABLE, COL_DATA_TYPE, COL_DEFAULT, COL_MAX_LENGTH, COL_PRECISION, COL_SCALE,
    COL_GENERATED, COL_GEN_EXPR, COL_NULLABLE, COL_UNIQUE, COL_INDEXED, COL_PRIMARY, COL_AUTO_INC,
    COL_FK_COLUMN, COL_FK_TABLE, COL_END};

static json_object *col_value(const schema_field_t *f, col_key_t k)
{
    switch (k) {
    case COL_NAME:
        return json_object_new_string(f->name);
    case COL_TABLE:
        return json_object_new_string(f->collection->name);
    case COL_DATA_TYPE:
        return str_or_null(f->db_type);
    case COL_DEFAULT:
        return json_object_get(f->default_value);
    case COL_GEN_EXPR:
        return str_or_null(f->generation_expression);
    case COL_MAX_LENGTH:
        return num_or_null(f->max_length);
    case COL_PRECISION:
        return num_or_null(f->numeric_precision);
    case COL_SCALE:
        return num_or_null(f->numeric_scale);
    case COL_GENERATED:
        return json_object_new_boolean(f->generated);
    case COL_NULLABLE:
        return json_object_new_boolean(f->nullable);
    case COL_UNIQUE:
        return json_object_new_boolean(f->unique);
    case COL_INDEXED:
        return json_object_new_boolean(f->indexed);
    case COL_PRIMARY:
        return json_object_new_boolean(f->primary_key);
    case COL_AUTO_INC:
        return json_object_new_boolean(f->auto_increment);
    case COL_FK_SCHEMA:
        return str_or_null(f->fk_schema);
    case COL_FK_TABLE:
        return str_or_null(f->fk_table);
    case COL_FK_COLUMN:
        return str_or_null(f->fk_column);
    case COL_COMMENT:
    case COL_END:
        break;
    }
    return str_or_null(f->comment);
}

/* The column as FieldsService shows it (columnInfo with the default cast by getDefaultValue). */
static json_object *column_json(const schema_field_t *f)
{
    db_dialect_t d = schema_dialect(f->collection->schema);
    const col_key_t *order = d == DB_PG      ? col_order_pg
                             : d == DB_MYSQL ? col_order_mysql
                                             : col_order_sqlite;
    json_object *o = json_object_new_object();
    for (; *order != COL_END; order++)
        json_object_object_add(o, col_names[*order], col_value(f, *order));
    return o;
}

json_object *schema_field_info(const schema_field_t *f, bool one)
{
    json_object *o = json_object_new_object();
    json_object *meta = f->meta ? json_object_get(f->meta) : NULL;
    json_object *col = f->alias ? NULL : column_json(f);
    json_object_object_add(o, "collection", json_object_new_string(f->collection->name));
    json_object_object_add(o, "field", json_object_new_string(f->name));
    json_object_object_add(o, "type", json_object_new_string(schema_type_name(f->type)));
    json_object_object_add(o, one ? "meta" : "schema", one ? meta : col);
    json_object_object_add(o, one ? "schema" : "meta", one ? col : meta);
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
                json_object_object_add(o, "schema", picked(column_json(f), column_picks));
            json_object_object_add(o, "type", json_object_new_string(schema_type_name(f->type)));
            v[k] = entry(c->name, f->meta, k);
            v[k++].o = o;
        }
    }
    return sorted_array(v, k);
}

/* The foreign key as the dialect's foreignKeys() prints it (key order included). */
static json_object *fk_json(db_dialect_t d, const schema_relation_t *r)
{
    json_object *o = json_object_new_object();
    if (d != DB_SQLITE) {
        if (d == DB_PG)
            json_object_object_add(o, "constraint_name", str_or_null(r->constraint_name));
        json_object_object_add(o, "table", json_object_new_string(r->collection));
        json_object_object_add(o, "column", json_object_new_string(r->field));
        if (d == DB_PG)
            json_object_object_add(o, "foreign_key_schema", str_or_null(r->fk_schema));
        json_object_object_add(o, "foreign_key_table", str_or_null(r->fk_table));
        json_object_object_add(o, "foreign_key_column", str_or_null(r->fk_column));
        if (d == DB_MYSQL)
            json_object_object_add(o, "constraint_name", str_or_null(r->constraint_name));
        json_object_object_add(o, "on_update", str_or_null(r->on_update));
        json_object_object_add(o, "on_delete", str_or_null(r->on_delete));
        return o;
    }
    json_object_object_add(o, "table", json_object_new_string(r->collection));
    json_object_object_add(o, "column", json_object_new_string(r->field));
    json_object_object_add(o, "foreign_key_table", str_or_null(r->fk_table));
    json_object_object_add(o, "foreign_key_column", str_or_null(r->fk_column));
    json_object_object_add(o, "on_update", str_or_null(r->on_update));
    json_object_object_add(o, "on_delete", str_or_null(r->on_delete));
    json_object_object_add(o, "constraint_name", str_or_null(r->constraint_name));
    return o;
}

json_object *schema_relation_info(const schema_t *s, const schema_relation_t *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "collection", str_or_null(r->collection));
    json_object_object_add(o, "field", str_or_null(r->field));
    json_object_object_add(o, "related_collection", str_or_null(r->related_collection));
    json_object_object_add(o, "schema", r->has_fk ? fk_json(schema_dialect(s), r) : NULL);
    json_object_object_add(o, "meta", r->meta ? json_object_get(r->meta) : NULL);
    return o;
}

json_object *schema_collection_info(const schema_collection_t *c)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "collection", json_object_new_string(c->name));
    json_object_object_add(o, "meta", c->meta ? json_object_get(c->meta) : NULL);
    json_object_object_add(o, "schema", c->table ? json_object_get(c->table) : NULL);
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
            json_object_object_add(o, "schema", picked(fk_json(schema_dialect(s), r), fk_picks));
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
