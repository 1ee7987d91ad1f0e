/*
 * The schema snapshot: every collection, field and relation of the database, as Directus 11.3.5
 * sees it. It merges the catalog (tables, columns, keys, foreign keys) with directus_collections,
 * directus_fields and directus_relations and with what Directus builds in for its own system
 * collections, and answers the lookups the rest of the pipeline makes (lib/query, lib/perm and
 * lib/sql resolve Directus paths such as "author.name" or "tags.tags_id.name" against it).
 *
 * A schema_t is immutable and lives in its own arena, so a worker keeps one across requests and
 * a reload builds a new one and swaps the pointer (the old one is freed when nothing uses it).
 * Nothing in it points into a request arena or into the driver's results. Loading costs a fixed
 * number of queries per dialect (one per catalog aspect, never one per table).
 *
 * What it holds, like Directus's schema overview and its /collections, /fields and /relations:
 *  - collections: every base table (unless DB_EXCLUDE_TABLES names it) and every row of
 *    directus_collections (folders have no table), system ones included. Only tables with a
 *    single-column primary key and no space in their name are *queryable* and carry fields;
 *    Directus ignores the others, and so do the lookups;
 *  - fields: the columns of each queryable table in catalog order, then its alias fields (o2m,
 *    m2m, m2a, translations, groups: directus_fields rows with an alias special and no column);
 *  - relations: one per foreign key (with its directus_relations row when there is one, so a
 *    table created by hand still has m2o relations), then the directus_relations rows and the
 *    built-in system relations that have no foreign key.
 */
#ifndef LIB_SCHEMA_SCHEMA_H
#define LIB_SCHEMA_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/core/arena.h"
#include "lib/core/conf.h"
#include "lib/core/err.h"
#include "lib/core/str.h"
#include "lib/db/db.h"
#include "lib/schema/type.h"

struct json_object;

/* A numeric column property that is SQL NULL (max_length of an integer column, ...). */
#define SCHEMA_NONE INT64_MIN

typedef struct schema schema_t;
typedef struct schema_collection schema_collection_t;
typedef struct schema_field schema_field_t;
typedef struct schema_relation schema_relation_t;

/* directus_collections.accountability: what Directus records for writes. */
typedef enum {
    SCHEMA_ACCOUNTABILITY_ALL,      /* activity and revisions (also: no directus_collections row) */
    SCHEMA_ACCOUNTABILITY_ACTIVITY, /* activity only */
    SCHEMA_ACCOUNTABILITY_NONE,     /* NULL: nothing */
} schema_accountability_t;

/* How a field reaches other collections (Directus's getRelationInfo + getRelationType; m2m and
 * m2a are o2m fields whose junction's other side is an m2o or an a2o). */
typedef enum {
    SCHEMA_REL_NONE,
    SCHEMA_REL_M2O, /* the field holds the related key */
    SCHEMA_REL_A2O, /* many-to-any: the field holds a key, one_collection_field the collection */
    SCHEMA_REL_O2M, /* alias: rows of relation->collection whose relation->field points here */
    SCHEMA_REL_M2M, /* O2M to a junction whose relation->junction_field is an m2o */
    SCHEMA_REL_M2A, /* O2M to a junction whose relation->junction_field is an a2o */
} schema_rel_kind_t;

/* Everything here is read-only and lives as long as the schema_t. JSON values (meta,
 * default_value, ...) are json-c objects the schema owns: read them, json_object_get() them to
 * keep them in a response, never change them. */
struct schema_field {
    const char *name;
    const schema_collection_t *collection;
    unsigned index;              /* position in collection->fields */
    schema_type_t type;          /* as GET /fields reports it: column type, then specials */
    bool alias;                  /* no column (o2m, m2m, m2a, translations, presentation fields) */
    bool system;                 /* meta is Directus's built-in row (system collections) */
    uint32_t special;            /* SCHEMA_SPECIAL_* bits of the names below */
    const char *const *specials; /* the special list in order, unknown names included */
    size_t nspecials;

    /* The column; for alias fields NULL, false and SCHEMA_NONE. */
    const char *db_type;               /* data_type as Directus's inspector reports it */
    const char *raw_default;           /* the default's text with quotes and ::casts removed */
    struct json_object *default_value; /* raw_default cast to the field type; NULL: null */
    int64_t max_length, numeric_precision, numeric_scale;
    bool nullable, unique, indexed, primary_key, generated, auto_increment;
    const char *generation_expression, *comment;
    const char *fk_table, *fk_column, *fk_schema; /* the column's foreign key, or NULL */

    /* directus_fields: the row as the API shows it (special as an array, JSON columns parsed),
     * or for system fields Directus's built-in row (system: true); NULL when the field has no
     * row (hand-made columns). note and validation are taken from it. */
    struct json_object *meta;
    const char *note;
    struct json_object *validation;

    /* Resolved relation (NULL / SCHEMA_REL_NONE for plain fields). */
    schema_rel_kind_t rel_kind;
    const schema_relation_t *relation;
};

struct schema_collection {
    const char *name;
    const schema_t *schema;
    bool system;    /* one of Directus's directus_* collections */
    bool has_table; /* a base table exists (false for folders) */
    bool queryable; /* in Directus's schema overview: single-column primary key, no space */
    bool singleton;
    schema_accountability_t accountability;
    const char *note, *sort_field; /* from directus_collections, or NULL */
    const schema_field_t *primary; /* NULL unless queryable */
    const schema_field_t *fields;  /* nfields entries: columns, then alias fields */
    size_t nfields;
    /* The directus_collections row as GET /collections shows it (for system collections the
     * built-in row, which has "system": true), or NULL. */
    struct json_object *meta;
    bool meta_builtin; /* meta is the built-in row, not a directus_collections row */
    /* The table part of GET /collections (PG {schema,name,comment}, MySQL {name,schema,comment,
     * collation,engine}, SQLite {name,sql}), NULL without a table. */
    struct json_object *table;
};

struct schema_relation {
    const char *collection;         /* the many side (many_collection) */
    const char *field;              /* its field (many_field) */
    const char *related_collection; /* the one side; NULL for an a2o relation */

    /* directus_relations (or built-in) row; everything NULL/false for a bare foreign key. */
    bool has_meta, system;
    const char *one_field;                      /* o2m alias on related_collection, or NULL */
    const char *one_collection_field;           /* a2o: the field holding the collection name */
    const char *const *one_allowed_collections; /* a2o: n_one_allowed names */
    size_t n_one_allowed;
    const char *junction_field; /* m2m/m2a: the junction's other field */
    const char *sort_field;
    bool one_deselect_delete; /* one_deselect_action is "delete" (else "nullify") */
    struct json_object *meta; /* the row as GET /relations shows it, or NULL */

    /* The foreign key, when there is one (NULL/false otherwise). */
    bool has_fk;
    const char *fk_table, *fk_column, *fk_schema, *constraint_name, *on_update, *on_delete;
};

/*
 * Reads the schema through db (connecting if needed) with one query per catalog aspect, plus
 * one each for directus_collections, directus_fields and directus_relations (skipped when the
 * table does not exist: an empty database gives a schema of its bare tables). conf gives
 * DB_EXCLUDE_TABLES and, on PostgreSQL, DB_SEARCH_PATH (default "public").
 *
 * Returns a new schema_t owned by the caller (schema_free); it does not reference db, conf or
 * a. On failure returns NULL with e set (in a): 503 SERVICE_UNAVAILABLE when the database is
 * unreachable, INTERNAL_SERVER_ERROR for anything else (the detail is logged).
 */
schema_t *schema_load(db_conn_t *db, const conf_t *conf, arena_t *a, err_t *e);

/* Frees s and everything in it. NULL is fine. */
void schema_free(schema_t *s);

/* A 64-bit fingerprint of everything the load read: equal catalogs give equal versions, so a
 * worker can tell whether a reload changed anything. (The cross-process "schema changed" counter
 * lives in lib/cache; a worker keeps the counter value next to the schema it built.) */
uint64_t schema_version(const schema_t *s);

db_dialect_t schema_dialect(const schema_t *s);

/* Statements the load ran, the wall time it took in microseconds, and the bytes the schema holds
 * in its arena (json-c values not counted): statistics for tests and `schema snapshot --time`. */
unsigned schema_load_queries(const schema_t *s);
uint64_t schema_load_usec(const schema_t *s);
size_t schema_memory(const schema_t *s);

/* The queryable collection name, or NULL (unknown, excluded, or not queryable). */
const schema_collection_t *schema_collection(const schema_t *s, str_t name);

/* The field name of c, or NULL. Presentation-only fields (special "no-data") are not found: they
 * hold no data and Directus's schema overview leaves them out. */
const schema_field_t *schema_field(const schema_collection_t *c, str_t name);

/* The same lookups for request input: NULL with FORBIDDEN set in e (in a), as Directus answers
 * for a collection or field that does not exist, so its existence does not leak. */
const schema_collection_t *schema_collection_or_fail(arena_t *a, err_t *e, const schema_t *s,
                                                     str_t name);
const schema_field_t *schema_field_or_fail(arena_t *a, err_t *e, const schema_collection_t *c,
                                           str_t name);

/* Every collection GET /collections would list (queryable or not, folders, system ones), in
 * name order: i < schema_collection_count(s). */
size_t schema_collection_count(const schema_t *s);
const schema_collection_t *schema_collection_at(const schema_t *s, size_t i);

/* Every relation, in Directus's order (foreign keys first): i < schema_relation_count(s). */
size_t schema_relation_count(const schema_t *s);
const schema_relation_t *schema_relation_at(const schema_t *s, size_t i);

/* For an o2m relation through a junction (m2m, m2a): the junction's other relation, the one on
 * (r->collection, r->junction_field). NULL when r has no junction or it is missing. */
const schema_relation_t *schema_relation_junction(const schema_t *s, const schema_relation_t *r);

/* Whether f is a foreign key to, or an alias that loads rows of, another collection. */
bool schema_field_is_relational(const schema_field_t *f);

#endif
