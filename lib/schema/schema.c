/*
 * Schema load: the dialect's inspector reads the catalog (inspect_*.c), then this file merges
 * directus_collections, directus_fields and directus_relations and Directus's built-in system
 * rows into it, the way Directus 11.3.5 does in get-schema.ts (the overview the query engine
 * uses) and in its CollectionsService / FieldsService / RelationsService (what the API lists).
 * Everything kept is copied into the schema's own arena; query results stay in a scratch arena
 * that is dropped before schema_load returns.
 */
#include "lib/schema/schema.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/core/json.h"
#include "lib/core/jsonparse.h"
#include "lib/core/log.h"
#include "lib/schema/inspect.h"
#include "lib/schema/namemap.h"
#include "lib/schema/sysdata.h"

#define JSON_DEPTH 64 /* nesting limit for JSON held in directus_* columns */

struct schema {
    arena_t *arena;
    db_dialect_t dialect;
    uint64_t version, usec;
    unsigned nqueries;
    const schema_collection_t **collections; /* every listed collection, by name */
    size_t ncollections;
    schema_relation_t *relations;
    size_t nrelations;
    namemap_t queryable; /* name → queryable collection */
    namemap_t fields;    /* (collection, field) → field, presentation-only fields left out */
    namemap_t many_side; /* (collection, field) → first relation on that many side */
};

/* A directus_relations row or a built-in one, before it is stitched to a foreign key. */
typedef struct {
    const char *many_collection, *many_field, *one_collection, *one_field, *one_collection_field,
        *one_allowed, *junction_field, *sort_field, *deselect;
    json_object *meta;
    bool system, used;
    size_t next; /* index + 1 of the next row with the same many side, 0 at the end */
    size_t tail; /* on the first row of a many side: index + 1 of its last row */
} relmeta_t;

/* A collection while it is built: the public part first, so the pointers convert. */
typedef struct {
    schema_collection_t pub;
    size_t fcap; /* room in pub.fields */
} coll_build_t;

/* Build state: the catalog, the directus_* rows and the indexes that stitch them together. */
typedef struct {
    schema_t *s;
    arena_t *a; /* s->arena */
    inspect_t *in;
    db_result_t colls, fields, rels; /* directus_* rows; nrows 0 when the table is missing */
    namemap_t all;                   /* every listed collection by name (scratch) */
    namemap_t sysfield;              /* (collection, field) → sysdata_field_t */
    namemap_t dbfield;               /* (collection, field) → directus_fields row + 1 */
    schema_collection_t **list;
    size_t n, cap;
    relmeta_t *meta;
    size_t nmeta;
} build_t;

/* ---- small helpers ------------------------------------------------------------------------ */

static void *grow(arena_t *a, void *p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return p;
    size_t c = *cap ? *cap * 2 : 16;
    p = arena_realloc(a, p, *cap * size, c * size);
    *cap = c;
    return p;
}

static long col_index(const db_result_t *r, const char *name)
{
    for (size_t i = 0; i < r->ncols; i++)
        if (strcmp(r->cols[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* A column of a directus_* row as a string in the schema arena, NULL for NULL or no column. */
static const char *row_text(build_t *b, const db_result_t *r, size_t row, const char *col)
{
    long c = col_index(r, col);
    return c < 0 ? NULL : inspect_text(b->in, r, row, (size_t)c);
}

/* Splits a comma list as Directus's cast-csv reads it: NULL stays NULL, "" is an empty (but
 * non-NULL) list. */
static const char **split_csv(arena_t *a, const char *csv, size_t *n)
{
    *n = 0;
    if (!csv)
        return NULL;
    if (!*csv)
        return arena_alloc(a, sizeof(const char *));
    size_t k = 1;
    for (const char *p = csv; *p; p++)
        k += *p == ',';
    const char **out = arena_alloc(a, k * sizeof *out);
    const char *start = csv;
    for (const char *p = csv;; p++)
        if (*p == ',' || !*p) {
            out[(*n)++] = arena_strndup(a, start, (size_t)(p - start));
            if (!*p)
                break;
            start = p + 1;
        }
    return out;
}

static uint32_t special_bits(const char *const *names, size_t n)
{
    uint32_t bits = 0;
    for (size_t i = 0; i < n; i++)
        bits |= schema_special_bit(str_c(names[i]));
    return bits;
}

static json_object *csv_json(const char *csv)
{
    json_object *arr = json_object_new_array();
    if (!*csv)
        return arr;
    for (const char *start = csv, *p = csv;; p++)
        if (*p == ',' || !*p) {
            json_object_array_add(arr, json_object_new_string_len(start, (int)(p - start)));
            if (!*p)
                break;
            start = p + 1;
        }
    return arr;
}

/* Parsed JSON text with an extra reference for the caller's container, or NULL when it is not
 * JSON. */
static json_object *parse_json(build_t *b, const char *p, size_t n, bool *ok)
{
    json_object *v = NULL;
    *ok = jsonparse(b->a, p, n, 0, JSON_DEPTH, &v, NULL) == 0;
    return *ok ? json_object_get(v) : NULL;
}

/* ---- directus_* rows as the API shows them ------------------------------------------------ */

/* Directus's payload casts on read for a column of a system table (cast-json, cast-boolean,
 * cast-csv), else the value as the database driver hands it to Directus. */
static json_object *cell_json(build_t *b, const db_value_t *v, db_coltype_t coltype,
                              uint32_t special)
{
    bool ok;
    if (v->type == DB_NULL)
        return NULL;
    if (special & SCHEMA_SPECIAL_CAST_BOOLEAN) {
        if (v->type == DB_BOOL || v->type == DB_INT) {
            if (v->i == 0 || v->i == 1)
                return json_object_new_boolean(v->i != 0);
        } else if (v->type == DB_TEXT && (str_eq_c(v->s, "0") || str_eq_c(v->s, "1"))) {
            return json_object_new_boolean(v->s.p[0] == '1');
        } else if (v->type == DB_TEXT && v->s.n == 0) {
            return NULL;
        }
    }
    switch (v->type) {
    case DB_INT:
        return json_object_new_int64(v->i);
    case DB_BOOL:
        return json_object_new_boolean(v->i != 0);
    case DB_FLOAT:
        return json_object_new_double(v->f);
    default:
        break;
    }
    /* node-postgres and mysql2 parse JSON columns themselves; cast-json parses text. */
    if ((special & SCHEMA_SPECIAL_CAST_JSON) ||
        (coltype == DB_COL_JSON && b->s->dialect != DB_SQLITE)) {
        json_object *j = parse_json(b, v->s.p, v->s.n, &ok);
        if (ok)
            return j;
    }
    if (special & SCHEMA_SPECIAL_CAST_CSV) {
        char *csv = arena_strndup(b->in->tmp, v->s.p, v->s.n);
        return csv_json(csv);
    }
    return json_object_new_string_len(v->s.p, (int)v->s.n);
}

static uint32_t sysfield_bits(build_t *b, const char *collection, const char *field)
{
    const sysdata_field_t *sf = namemap_get(&b->sysfield, collection, str_c(field));
    if (!sf || !sf->special)
        return 0;
    size_t n;
    const char **names = split_csv(b->in->tmp, sf->special, &n);
    return special_bits(names, n);
}

/* One directus_* row as a JSON object owned by the schema. */
static json_object *row_json(build_t *b, const db_result_t *r, size_t row, const char *table)
{
    json_object *o = json_own(b->a, json_object_new_object());
    for (size_t c = 0; c < r->ncols; c++) {
        uint32_t special = sysfield_bits(b, table, r->cols[c].name);
        json_object_object_add(o, r->cols[c].name,
                               cell_json(b, db_cell(r, row, c), r->cols[c].type, special));
    }
    return o;
}

/* ---- collections -------------------------------------------------------------------------- */

static bool excluded(const conf_t *conf, const char *name)
{
    const char *list = conf->db_exclude_tables;
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        str_t item = str_trim((str_t){p, len});
        if (item.n == n && memcmp(item.p, name, n) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

static schema_collection_t *collection(build_t *b, const char *name)
{
    schema_collection_t *c = namemap_get(&b->all, NULL, str_c(name));
    if (c)
        return c;
    c = arena_calloc(b->a, 1, sizeof(coll_build_t));
    c->name = name;
    c->schema = b->s;
    b->list = grow(b->a, b->list, &b->cap, b->n, sizeof *b->list);
    b->list[b->n++] = c;
    namemap_put(&b->all, NULL, name, c);
    return c;
}

static schema_accountability_t accountability(const char *v)
{
    if (!v)
        return SCHEMA_ACCOUNTABILITY_NONE;
    return strcmp(v, "activity") == 0 ? SCHEMA_ACCOUNTABILITY_ACTIVITY : SCHEMA_ACCOUNTABILITY_ALL;
}

/* The overview's reading of a directus_collections row: the raw values, as knex returns them. */
static void collection_row(build_t *b, schema_collection_t *c, size_t row)
{
    const db_result_t *r = &b->colls;
    long si = col_index(r, "singleton");
    const db_value_t *v = si < 0 ? NULL : db_cell(r, row, (size_t)si);
    c->singleton = v && (((v->type == DB_BOOL || v->type == DB_INT) && v->i == 1) ||
                         (v->type == DB_TEXT && str_eq_c(v->s, "true")));
    const char *note = row_text(b, r, row, "note"), *sort = row_text(b, r, row, "sort_field");
    c->note = note && *note ? note : NULL;
    c->sort_field = sort && *sort ? sort : NULL;
    c->accountability = accountability(row_text(b, r, row, "accountability"));
    c->meta = row_json(b, r, row, "directus_collections");
}

static void collections(build_t *b)
{
    const conf_t *conf = b->in->conf;
    for (size_t i = 0; i < b->in->ntables; i++) {
        inspect_table_t *t = b->in->tables[i];
        if (excluded(conf, t->name))
            continue;
        schema_collection_t *c = collection(b, t->name);
        c->has_table = true;
        c->table = t->info;
        c->queryable = t->primary && !strchr(t->name, ' ');
    }
    for (size_t row = 0; row < b->colls.nrows; row++) {
        const char *name = row_text(b, &b->colls, row, "collection");
        if (!name || excluded(conf, name))
            continue;
        schema_collection_t *c = collection(b, name);
        if (!c->meta)
            collection_row(b, c, row);
    }
    for (size_t i = 0; i < sysdata_ncollections; i++) {
        const sysdata_collection_t *sc = &sysdata_collections[i];
        if (excluded(conf, sc->collection))
            continue;
        schema_collection_t *c = collection(b, sc->collection);
        c->system = true;
        if (c->meta)
            continue;
        c->meta = json_own(b->a, json_tokener_parse(sc->meta));
        c->meta_builtin = true;
        c->singleton = sc->singleton;
        c->sort_field = sc->sort_field;
        c->accountability = accountability(sc->accountability);
    }
    /* Collections without any directus_collections row are tracked in full. */
    for (size_t i = 0; i < b->n; i++)
        if (!b->list[i]->meta)
            b->list[i]->accountability = SCHEMA_ACCOUNTABILITY_ALL;
}

/* ---- fields ------------------------------------------------------------------------------- */

/* Directus's getDefaultValue: the default's text cast by the field's type. */
static json_object *default_json(build_t *b, const char *v, schema_type_t type)
{
    double d;
    if (!v || strcmp(v, "0000-00-00 00:00:00") == 0)
        return NULL;
    switch (type) {
    case SCHEMA_TYPE_BIG_INTEGER:
    case SCHEMA_TYPE_INTEGER:
    case SCHEMA_TYPE_DECIMAL:
    case SCHEMA_TYPE_FLOAT:
        if (!inspect_js_number(v, strlen(v), &d))
            break;
        /* Integral values within 2^53 print as integers, as JavaScript prints them. */
        if (d >= -9007199254740992.0 && d <= 9007199254740992.0 && d == (double)(int64_t)d)
            return json_own(b->a, json_object_new_int64((int64_t)d));
        return json_own(b->a, json_object_new_double(d));
    case SCHEMA_TYPE_BOOLEAN:
        if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
            return json_own(b->a, json_object_new_boolean(0));
        return json_own(b->a, json_object_new_boolean(*v != '\0'));
    case SCHEMA_TYPE_JSON: {
        bool ok;
        json_object *j = *v ? parse_json(b, v, strlen(v), &ok) : NULL;
        if (*v && ok)
            return j ? json_own(b->a, j) : NULL;
        break;
    }
    default:
        break;
    }
    return json_own(b->a, json_object_new_string(v));
}

/* Specials, meta, note and validation of f from its directus_fields row (or the built-in one).
 * FieldsService takes a directus_fields row before a built-in one. */
static void field_meta(build_t *b, const schema_collection_t *c, schema_field_t *f)
{
    size_t row = (size_t)(uintptr_t)namemap_get(&b->dbfield, c->name, str_c(f->name));
    const char *special = NULL;
    if (row) {
        special = row_text(b, &b->fields, row - 1, "special");
        f->meta = row_json(b, &b->fields, row - 1, "directus_fields");
        const char *note = row_text(b, &b->fields, row - 1, "note");
        f->note = note;
        json_object *val = json_object_object_get(f->meta, "validation");
        f->validation = json_object_is_type(val, json_type_object) ? val : NULL;
    } else {
        const sysdata_field_t *sf = namemap_get(&b->sysfield, c->name, str_c(f->name));
        f->system = sf != NULL;
        special = sf ? sf->special : NULL;
        if (sf) {
            /* get-schema takes note and validation from the built-in rows too. */
            f->meta = json_own(b->a, json_tokener_parse(sf->meta));
            json_object *v = json_object_object_get(f->meta, "note");
            f->note = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
            v = json_object_object_get(f->meta, "validation");
            f->validation = json_object_is_type(v, json_type_object) ? v : NULL;
        }
    }
    f->specials = split_csv(b->a, special, &f->nspecials);
    f->special = special_bits(f->specials, f->nspecials);
}

/* The first special name, "" for an empty list (which Directus still counts as a list), NULL
 * when the field has none. */
static const char *first_special(const schema_field_t *f)
{
    return !f->specials ? NULL : f->nspecials ? f->specials[0] : "";
}

/* The type GET /fields reports: get-local-type, then cast-timestamp / cast-datetime win. */
static schema_type_t field_type(const schema_field_t *f)
{
    schema_type_t t = SCHEMA_TYPE_ALIAS;
    if (!f->alias)
        t = schema_type_of_column(f->db_type, f->numeric_precision != SCHEMA_NONE,
                                  f->numeric_scale != SCHEMA_NONE, f->special, first_special(f));
    if (f->special & SCHEMA_SPECIAL_CAST_TIMESTAMP)
        return SCHEMA_TYPE_TIMESTAMP;
    if (f->special & SCHEMA_SPECIAL_CAST_DATETIME)
        return SCHEMA_TYPE_DATETIME;
    return t;
}

/* An alias field from a directus_fields row or a built-in row with an alias special, when the
 * collection is queryable and has no column of that name. */
static void alias_field(build_t *b, const char *coll, const char *name, const char *special)
{
    size_t n;
    const char **names = split_csv(b->in->tmp, special, &n);
    schema_collection_t *c = namemap_get(&b->all, NULL, str_c(coll));
    if (!name || !c || !c->queryable || !(special_bits(names, n) & SCHEMA_SPECIAL_ALIAS_TYPES))
        return;
    for (size_t i = 0; i < c->nfields; i++)
        if (strcmp(c->fields[i].name, name) == 0)
            return;
    coll_build_t *cb = (coll_build_t *)c;
    schema_field_t *fields = grow(b->a, (void *)c->fields, &cb->fcap, c->nfields, sizeof *fields);
    schema_field_t *f = memset(&fields[c->nfields], 0, sizeof *f);
    f->name = name;
    f->alias = true;
    f->nullable = true;
    f->max_length = f->numeric_precision = f->numeric_scale = SCHEMA_NONE;
    c->fields = fields;
    c->nfields++;
    field_meta(b, c, f);
    f->type = field_type(f);
}

static void columns_of(build_t *b, schema_collection_t *c, inspect_table_t *t)
{
    /* The inspector's array becomes the field array; alias_field() appends to it. */
    schema_field_t *fields = t->cols;
    c->fields = fields;
    c->nfields = t->ncols;
    ((coll_build_t *)c)->fcap = t->cap;
    for (size_t i = 0; i < t->ncols; i++) {
        schema_field_t *f = &fields[i];
        field_meta(b, c, f);
        /* getDefaultValue casts with getLocalType(column, field), before the cast-* override. */
        schema_type_t t0 =
            schema_type_of_column(f->db_type, f->numeric_precision != SCHEMA_NONE,
                                  f->numeric_scale != SCHEMA_NONE, f->special, first_special(f));
        f->default_value = default_json(b, f->raw_default, t0);
        f->type = field_type(f);
    }
}

static void fields(build_t *b)
{
    for (size_t row = 0; row < b->fields.nrows; row++) {
        const char *coll = row_text(b, &b->fields, row, "collection"),
                   *field = row_text(b, &b->fields, row, "field");
        if (coll && field)
            namemap_put(&b->dbfield, coll, field, (void *)(uintptr_t)(row + 1));
    }
    for (size_t i = 0; i < b->n; i++) {
        schema_collection_t *c = b->list[i];
        if (c->queryable)
            columns_of(b, c, inspect_table_find(b->in, c->name));
    }
    for (size_t row = 0; row < b->fields.nrows; row++)
        alias_field(b, row_text(b, &b->fields, row, "collection"),
                    row_text(b, &b->fields, row, "field"), row_text(b, &b->fields, row, "special"));
    for (size_t i = 0; i < sysdata_nfields; i++)
        alias_field(b, sysdata_fields[i].collection, sysdata_fields[i].field,
                    sysdata_fields[i].special);
}

/* ---- relations ---------------------------------------------------------------------------- */

static json_object *str_json(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

/* A built-in relation's meta, in the key order of Directus's {...defaults, ...row, system}. */
static json_object *sys_relation_json(build_t *b, const sysdata_relation_t *r)
{
    json_object *o = json_own(b->a, json_object_new_object());
    json_object_object_add(o, "many_collection", str_json(r->many_collection));
    json_object_object_add(o, "many_field", str_json(r->many_field));
    json_object_object_add(o, "one_collection", str_json(r->one_collection));
    json_object_object_add(o, "one_field", str_json(r->one_field));
    json_object_object_add(o, "one_allowed_collections",
                           r->one_allowed_collections ? csv_json(r->one_allowed_collections)
                                                      : NULL);
    json_object_object_add(o, "one_collection_field", str_json(r->one_collection_field));
    json_object_object_add(o, "one_deselect_action", str_json(r->one_deselect_action));
    json_object_object_add(o, "junction_field", str_json(r->junction_field));
    json_object_object_add(o, "sort_field", str_json(r->sort_field));
    json_object_object_add(o, "system", json_object_new_boolean(1));
    return o;
}

/* directus_relations rows, then the built-in ones: RelationsService's metaRows. */
static void relation_meta(build_t *b)
{
    size_t n = b->rels.nrows + sysdata_nrelations;
    b->meta = arena_calloc(b->in->tmp, n ? n : 1, sizeof *b->meta);
    for (size_t row = 0; row < b->rels.nrows; row++) {
        relmeta_t *m = &b->meta[b->nmeta++];
        const db_result_t *r = &b->rels;
        m->many_collection = row_text(b, r, row, "many_collection");
        m->many_field = row_text(b, r, row, "many_field");
        m->one_collection = row_text(b, r, row, "one_collection");
        m->one_field = row_text(b, r, row, "one_field");
        m->one_collection_field = row_text(b, r, row, "one_collection_field");
        m->one_allowed = row_text(b, r, row, "one_allowed_collections");
        m->junction_field = row_text(b, r, row, "junction_field");
        m->sort_field = row_text(b, r, row, "sort_field");
        m->deselect = row_text(b, r, row, "one_deselect_action");
        m->meta = row_json(b, r, row, "directus_relations");
    }
    for (size_t i = 0; i < sysdata_nrelations; i++) {
        const sysdata_relation_t *sr = &sysdata_relations[i];
        relmeta_t *m = &b->meta[b->nmeta++];
        *m = (relmeta_t){.many_collection = sr->many_collection,
                         .many_field = sr->many_field,
                         .one_collection = sr->one_collection,
                         .one_field = sr->one_field,
                         .one_collection_field = sr->one_collection_field,
                         .one_allowed = sr->one_allowed_collections,
                         .junction_field = sr->junction_field,
                         .sort_field = sr->sort_field,
                         .deselect = sr->one_deselect_action,
                         .meta = sys_relation_json(b, sr),
                         .system = true};
    }
}

static void apply_meta(build_t *b, schema_relation_t *r, relmeta_t *m)
{
    m->used = true;
    r->has_meta = true;
    r->system = m->system;
    r->one_field = m->one_field;
    r->one_collection_field = m->one_collection_field;
    r->one_allowed_collections = split_csv(b->a, m->one_allowed, &r->n_one_allowed);
    r->junction_field = m->junction_field;
    r->sort_field = m->sort_field;
    r->one_deselect_delete = m->deselect && strcmp(m->deselect, "delete") == 0;
    r->meta = m->meta;
}

/* RelationsService.stitchRelations: one relation per foreign key, with the first meta row of the
 * same many side whose one_collection (when set) is the key's table; then every meta row no
 * foreign key took. */
static void relations(build_t *b)
{
    relation_meta(b);
    namemap_t chains;
    namemap_init(&chains, b->in->tmp, b->nmeta);
    for (size_t i = 0; i < b->nmeta; i++) {
        relmeta_t *m = &b->meta[i];
        if (!m->many_collection || !m->many_field)
            continue;
        relmeta_t *head = namemap_put(&chains, m->many_collection, m->many_field, m);
        if (head != m)
            b->meta[head->tail - 1].next = i + 1;
        head->tail = i + 1;
    }
    schema_t *s = b->s;
    s->relations = arena_calloc(b->a, b->in->nfks + b->nmeta + 1, sizeof *s->relations);
    for (size_t i = 0; i < b->in->nfks; i++) {
        const inspect_fk_t *fk = &b->in->fks[i];
        schema_relation_t *r = &s->relations[s->nrelations++];
        r->collection = fk->table;
        r->field = fk->column;
        r->related_collection = fk->fk_table;
        r->has_fk = true;
        r->fk_table = fk->fk_table;
        r->fk_column = fk->fk_column;
        r->fk_schema = fk->fk_schema;
        r->constraint_name = fk->constraint_name;
        r->on_update = fk->on_update;
        r->on_delete = fk->on_delete;
        relmeta_t *m = namemap_get(&chains, fk->table, str_c(fk->column));
        for (; m; m = m->next ? &b->meta[m->next - 1] : NULL)
            if (!m->one_collection || (fk->fk_table && !strcmp(m->one_collection, fk->fk_table))) {
                apply_meta(b, r, m);
                break;
            }
    }
    for (size_t i = 0; i < b->nmeta; i++) {
        relmeta_t *m = &b->meta[i];
        if (m->used)
            continue;
        schema_relation_t *r = &s->relations[s->nrelations++];
        r->collection = m->many_collection;
        r->field = m->many_field;
        r->related_collection = m->one_collection;
        apply_meta(b, r, m);
    }
}

/* ---- relation of each field --------------------------------------------------------------- */

static bool is_a2o(const schema_relation_t *r)
{
    return r->one_collection_field && r->one_allowed_collections;
}

const schema_relation_t *schema_relation_junction(const schema_t *s, const schema_relation_t *r)
{
    if (!r || !r->junction_field || !r->collection)
        return NULL;
    return namemap_get(&s->many_side, r->collection, str_c(r->junction_field));
}

/* getRelationInfo: the first relation (in the relation list's order) that has the field on its
 * many side, or as its o2m alias; then getRelationType, and m2m / m2a through the junction. */
static void resolve_field(const schema_t *s, const namemap_t *one_side,
                          const schema_collection_t *c, schema_field_t *f)
{
    const schema_relation_t *m = namemap_get(&s->many_side, c->name, str_c(f->name));
    const schema_relation_t *o = namemap_get(one_side, c->name, str_c(f->name));
    const schema_relation_t *r = m && (!o || m < o) ? m : o;
    if (!r)
        return;
    f->relation = r;
    if (r->collection && !strcmp(r->collection, c->name) && !strcmp(r->field, f->name)) {
        f->rel_kind = is_a2o(r) ? SCHEMA_REL_A2O : SCHEMA_REL_M2O;
        return;
    }
    const schema_relation_t *j = schema_relation_junction(s, r);
    f->rel_kind = !j ? SCHEMA_REL_O2M : is_a2o(j) ? SCHEMA_REL_M2A : SCHEMA_REL_M2M;
}

static void resolve(build_t *b)
{
    schema_t *s = b->s;
    namemap_t one_side;
    namemap_init(&s->many_side, b->a, s->nrelations);
    namemap_init(&one_side, b->in->tmp, s->nrelations);
    for (size_t i = 0; i < s->nrelations; i++) {
        schema_relation_t *r = &s->relations[i];
        if (r->collection && r->field)
            namemap_put(&s->many_side, r->collection, r->field, r);
        if (r->related_collection && r->one_field)
            namemap_put(&one_side, r->related_collection, r->one_field, r);
    }
    for (size_t i = 0; i < b->n; i++) {
        schema_collection_t *c = b->list[i];
        for (size_t j = 0; c->queryable && j < c->nfields; j++)
            resolve_field(s, &one_side, c, (schema_field_t *)&c->fields[j]);
    }
}

/* ---- assembling --------------------------------------------------------------------------- */

static int by_name(const void *x, const void *y)
{
    return strcmp((*(schema_collection_t *const *)x)->name,
                  (*(schema_collection_t *const *)y)->name);
}

static void finish(build_t *b)
{
    schema_t *s = b->s;
    qsort(b->list, b->n, sizeof *b->list, by_name);
    s->collections = (const schema_collection_t **)b->list;
    s->ncollections = b->n;
    size_t nfields = 0;
    for (size_t i = 0; i < b->n; i++)
        nfields += b->list[i]->nfields;
    namemap_init(&s->queryable, b->a, b->n);
    namemap_init(&s->fields, b->a, nfields);
    for (size_t i = 0; i < b->n; i++) {
        schema_collection_t *c = b->list[i];
        if (!c->queryable)
            continue;
        namemap_put(&s->queryable, NULL, c->name, c);
        const char *pk = inspect_table_find(b->in, c->name)->primary;
        for (size_t j = 0; j < c->nfields; j++) {
            schema_field_t *f = (schema_field_t *)&c->fields[j];
            f->collection = c;
            f->index = (unsigned)j;
            if (!f->alias && !strcmp(f->name, pk))
                c->primary = f;
            if (!(f->special & SCHEMA_SPECIAL_NO_DATA))
                namemap_put(&s->fields, c->name, f->name, f);
        }
    }
}

static void build(build_t *b)
{
    namemap_init(&b->all, b->in->tmp, b->in->ntables + 64);
    namemap_init(&b->sysfield, b->in->tmp, sysdata_nfields);
    namemap_init(&b->dbfield, b->in->tmp, b->fields.nrows);
    for (size_t i = 0; i < sysdata_nfields; i++)
        namemap_put(&b->sysfield, sysdata_fields[i].collection, sysdata_fields[i].field,
                    (void *)&sysdata_fields[i]);
    collections(b);
    fields(b);
    relations(b);
    resolve(b);
    finish(b);
}

/* directus_collections, directus_fields and directus_relations, when the database has them.
 * Ordered, so that equal contents always give the same version. */
static int directus_rows(build_t *b)
{
    const struct {
        const char *table, *sql;
        db_result_t *out;
    } q[] = {
        {"directus_collections", "SELECT * FROM directus_collections ORDER BY collection",
         &b->colls},
        {"directus_fields", "SELECT * FROM directus_fields ORDER BY id", &b->fields},
        {"directus_relations", "SELECT * FROM directus_relations ORDER BY id", &b->rels},
    };
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
        if (inspect_table_find(b->in, q[i].table) &&
            inspect_query(b->in, q[i].sql, NULL, 0, q[i].out) < 0)
            return -1;
    return 0;
}

static int inspect(inspect_t *in)
{
    switch (db_dialect(in->db)) {
    case DB_PG:
        return inspect_pg(in);
    case DB_MYSQL:
        return inspect_mysql(in);
    case DB_SQLITE:
        break;
    }
    return inspect_sqlite(in);
}

static uint64_t now_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

schema_t *schema_load(db_conn_t *db, const conf_t *conf, arena_t *a, err_t *e)
{
    uint64_t t0 = now_usec();
    arena_t *sa = arena_new();
    schema_t *s = arena_calloc(sa, 1, sizeof *s);
    s->arena = sa;
    s->dialect = db_dialect(db);
    inspect_t in = {.a = sa, .tmp = arena_new(), .db = db, .conf = conf};
    /* The version covers the settings that shape the result, then every cell read. */
    in.hash = 14695981039346656037ull;
    for (const char *p = conf->db_exclude_tables; p && *p; p++)
        in.hash = (in.hash ^ (unsigned char)*p) * 1099511628211ull;
    namemap_init(&in.table_map, in.tmp, 64);
    build_t b = {.s = s, .a = sa, .in = &in};
    if (db_connect(db, in.tmp, &in.err) < 0 || inspect(&in) < 0 || directus_rows(&b) < 0) {
        log_error("schema: load failed: %s", in.err.message ? in.err.message : "?");
        err_set(e, a, in.err.code ? in.err.code : ERR_INTERNAL_SERVER_ERROR, "%s",
                in.err.message ? in.err.message : err_name(ERR_INTERNAL_SERVER_ERROR));
        /* The extensions too (a 503 names its service and reason), copied out of in.tmp. */
        if (in.err.ext) {
            json_object_object_foreach(in.err.ext, key, val)
                err_ext_str(e, a, key, json_object_get_string(val));
        }
        arena_free(in.tmp);
        arena_free(sa);
        return NULL;
    }
    build(&b);
    s->version = in.hash;
    s->nqueries = in.nqueries;
    arena_free(in.tmp);
    s->usec = now_usec() - t0;
    return s;
}

void schema_free(schema_t *s)
{
    if (s)
        arena_free(s->arena);
}

/* ---- lookups ------------------------------------------------------------------------------ */

uint64_t schema_version(const schema_t *s)
{
    return s->version;
}

db_dialect_t schema_dialect(const schema_t *s)
{
    return s->dialect;
}

unsigned schema_load_queries(const schema_t *s)
{
    return s->nqueries;
}

uint64_t schema_load_usec(const schema_t *s)
{
    return s->usec;
}

size_t schema_memory(const schema_t *s)
{
    return arena_used(s->arena);
}

const schema_collection_t *schema_collection(const schema_t *s, str_t name)
{
    return namemap_get(&s->queryable, NULL, name);
}

const schema_field_t *schema_field(const schema_collection_t *c, str_t name)
{
    return c ? namemap_get(&c->schema->fields, c->name, name) : NULL;
}

const schema_collection_t *schema_collection_or_fail(arena_t *a, err_t *e, const schema_t *s,
                                                     str_t name)
{
    const schema_collection_t *c = schema_collection(s, name);
    if (!c)
        err_set(e, a, ERR_FORBIDDEN, NULL);
    return c;
}

const schema_field_t *schema_field_or_fail(arena_t *a, err_t *e, const schema_collection_t *c,
                                           str_t name)
{
    const schema_field_t *f = schema_field(c, name);
    if (!f)
        err_set(e, a, ERR_FORBIDDEN, NULL);
    return f;
}

size_t schema_collection_count(const schema_t *s)
{
    return s->ncollections;
}

const schema_collection_t *schema_collection_at(const schema_t *s, size_t i)
{
    return i < s->ncollections ? s->collections[i] : NULL;
}

size_t schema_relation_count(const schema_t *s)
{
    return s->nrelations;
}

const schema_relation_t *schema_relation_at(const schema_t *s, size_t i)
{
    return i < s->nrelations ? &s->relations[i] : NULL;
}

bool schema_field_is_relational(const schema_field_t *f)
{
    return f->rel_kind != SCHEMA_REL_NONE;
}
