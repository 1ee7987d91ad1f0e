/*
 * Private to lib/schema: the catalog as the per-dialect inspectors (inspect_pg.c,
 * inspect_mysql.c, inspect_sqlite.c) read it, before schema.c merges in Directus's own tables.
 * It is the shape of Directus's schema inspector (packages/schema): tables with their column
 * info, and foreign keys. Each inspector runs a fixed number of queries, whatever the number of
 * tables, and fills the column part of schema_field_t directly (type, specials and meta come
 * later).
 */
#ifndef LIB_SCHEMA_INSPECT_H
#define LIB_SCHEMA_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/core/arena.h"
#include "lib/core/conf.h"
#include "lib/core/err.h"
#include "lib/db/db.h"
#include "lib/schema/namemap.h"
#include "lib/schema/schema.h"

typedef struct {
    const char *name;
    struct json_object *info; /* the table part of GET /collections */
    const char *sql;          /* SQLite: sqlite_master.sql */
    schema_field_t *cols;     /* ncols columns in catalog order (column info only) */
    size_t ncols, cap;
    const char *primary; /* the single primary key column Directus's overview sees, or NULL */
    unsigned npk;        /* primary key columns seen (inspectors' scratch) */
} inspect_table_t;

/* One foreign key column, as Directus's inspector foreignKeys() lists it. */
typedef struct {
    const char *table, *column, *fk_table, *fk_column, *fk_schema;
    const char *constraint_name, *on_update, *on_delete;
} inspect_fk_t;

typedef struct {
    arena_t *a;   /* the schema's arena: every string that is kept */
    arena_t *tmp; /* query results, dropped after the load */
    db_conn_t *db;
    const conf_t *conf;
    err_t err; /* the first failure, in tmp */
    inspect_table_t **tables;
    size_t ntables, tcap;
    namemap_t table_map;  /* name → inspect_table_t */
    namemap_t column_map; /* (table, column) → schema_field_t, built by inspect_index_columns */
    inspect_fk_t *fks;
    size_t nfks, fcap;
    uint64_t hash; /* FNV-1a over every cell read: the schema version */
    unsigned nqueries;
} inspect_t;

/* Runs sql with n parameters into *r (cells in in->tmp) and folds every cell into in->hash.
 * -1 with in->err set on failure. */
int inspect_query(inspect_t *in, const char *sql, const db_value_t *params, size_t n,
                  db_result_t *r);

/* Cell helpers over a result row: a NUL-terminated copy in in->a (NULL for SQL NULL), an
 * integer (SCHEMA_NONE for NULL; text is parsed), a boolean (t/true/1/YES, PG and MySQL
 * spellings). */
const char *inspect_text(inspect_t *in, const db_result_t *r, size_t row, size_t col);
int64_t inspect_int(const db_result_t *r, size_t row, size_t col);
/* Whether the cell is the text exactly (no copy). */
bool inspect_cell_is(const db_result_t *r, size_t row, size_t col, const char *text);
bool inspect_bool(const db_result_t *r, size_t row, size_t col);

/* The table name, created (with no columns) when it is new. */
inspect_table_t *inspect_table(inspect_t *in, const char *name);
inspect_table_t *inspect_table_find(const inspect_t *in, const char *name);

/* The number of consecutive rows from row whose text cell col equals that of row (a run of one
 * table's columns), and room for n more columns in t: the inspectors size each column array
 * exactly, so the schema arena holds no outgrown copies. */
size_t inspect_run(const db_result_t *r, size_t row, size_t col);
void inspect_reserve(inspect_t *in, inspect_table_t *t, size_t n);

/* Appends a column named name to t (every property NULL / false / SCHEMA_NONE). */
schema_field_t *inspect_column(inspect_t *in, inspect_table_t *t, const char *name);

/* Indexes every column by (table, column) for inspect_column_find: call once all are added. */
void inspect_index_columns(inspect_t *in);
schema_field_t *inspect_column_find(const inspect_t *in, const char *table, const char *column);

/* Appends a foreign key row. */
inspect_fk_t *inspect_fk(inspect_t *in);

/* Directus's stripQuotes: value without one pair of enclosing '…' or "…" (after trimming),
 * else value unchanged. A copy in a when changed. */
const char *inspect_strip_quotes(arena_t *a, const char *value);

/* Directus's parseDefaultValue shared by MySQL and SQLite (and PG after its ::cast is cut): NULL
 * for no default or the text "null" (any case), else inspect_strip_quotes(value). */
const char *inspect_default(arena_t *a, const char *value);

/* JavaScript's Number(text): true with *out set when the n bytes of s are a number there
 * ("", " 12 ", "1e3", "0x1F", "-Infinity"), false for NaN. */
bool inspect_js_number(const char *s, size_t n, double *out);

/* The inspectors: tables, columns (with primary, unique, indexed, auto-increment and foreign key
 * flags) and foreign keys. 0, or -1 with in->err set. */
int inspect_pg(inspect_t *in);
int inspect_mysql(inspect_t *in);
int inspect_sqlite(inspect_t *in);

#endif
