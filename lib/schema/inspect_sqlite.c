/*
 * SQLite catalog, read as Directus's SQLite inspector reads it (PRAGMA table_xinfo, index_list,
 * index_info, foreign_key_list) but with one statement per aspect: the pragmas are joined to
 * sqlite_master as table-valued functions, so the number of statements does not grow with the
 * number of tables. Rows come in sqlite_master order, then each pragma's own order, which is
 * the order Directus sees them in (it matters: the first index naming a column decides whether
 * that column counts as unique and indexed).
 */
#include "lib/schema/inspect.h"

#include <json-c/json.h>
#include <string.h>
#include <strings.h>

#include "lib/core/json.h"
#include "lib/schema/type.h"

/* Directus's filter, _ wildcard included (a table named "sqliteXfoo" is hidden too). */
#define USER_TABLES "m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"

static int tables(inspect_t *in)
{
    db_result_t r;
    if (inspect_query(in, "SELECT m.name, m.sql FROM sqlite_master AS m WHERE " USER_TABLES, NULL,
                      0, &r) < 0)
        return -1;
    for (size_t i = 0; i < r.nrows; i++) {
        inspect_table_t *t = inspect_table(in, inspect_text(in, &r, i, 0));
        t->sql = inspect_text(in, &r, i, 1);
        json_object *info = json_own(in->a, json_object_new_object());
        json_object_object_add(info, "name", json_object_new_string(t->name));
        json_object_object_add(info, "sql", t->sql ? json_object_new_string(t->sql) : NULL);
        t->info = info;
    }
    return 0;
}

/* Directus's extractMaxLength: Number() of the first "(…)" of the declared type. */
static int64_t max_length(const char *type)
{
    const char *open = type ? strchr(type, '(') : NULL;
    const char *close = open ? strchr(open + 1, ')') : NULL;
    double d;
    if (!close || close == open + 1 || !inspect_js_number(open + 1, (size_t)(close - open - 1), &d))
        return SCHEMA_NONE;
    /* NaN ("10,2") and out-of-range values print as null. */
    return d > -9e18 && d < 9e18 ? (int64_t)d : SCHEMA_NONE;
}

static int columns(inspect_t *in)
{
    db_result_t r;
    if (inspect_query(
            in,
            "SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, p.hidden "
            "FROM sqlite_master AS m JOIN pragma_table_xinfo(m.name) AS p WHERE " USER_TABLES,
            NULL, 0, &r) < 0)
        return -1;
    inspect_table_t *t = NULL;
    for (size_t i = 0; i < r.nrows; i++) {
        const db_value_t *tn = db_cell(&r, i, 0);
        if (!t || !str_eq_c(tn->s, t->name)) {
            t = inspect_table(in, inspect_text(in, &r, i, 0));
            inspect_reserve(in, t, inspect_run(&r, i, 0));
        }
        schema_field_t *c = inspect_column(in, t, inspect_text(in, &r, i, 1));
        const char *type = inspect_text(in, &r, i, 2);
        c->db_type = schema_type_db_name(in->a, DB_SQLITE, type ? type : "");
        c->max_length = max_length(type);
        c->nullable = !inspect_bool(&r, i, 3);
        c->raw_default = inspect_default(in->a, inspect_text(in, &r, i, 4));
        int64_t pk = inspect_int(&r, i, 5);
        c->primary_key = pk == 1;
        c->generated = inspect_int(&r, i, 6) != 0;
        /* The overview's primary key: the only column with pk != 0. */
        if (pk != 0) {
            t->npk++;
            t->primary = c->name;
        }
    }
    /* AUTOINCREMENT applies to the first primary key column; a composite key has no overview
     * primary. sqlite_master.sql LIKE '%AUTOINCREMENT%' is case-insensitive. */
    for (size_t i = 0; i < in->ntables; i++) {
        t = in->tables[i];
        if (t->npk != 1)
            t->primary = NULL;
        bool autoinc = t->sql && strcasestr(t->sql, "AUTOINCREMENT");
        for (size_t j = 0; j < t->ncols; j++)
            t->cols[j].auto_increment = autoinc && t->cols[j].primary_key;
    }
    return 0;
}

static int foreign_keys(inspect_t *in)
{
    db_result_t r;
    if (inspect_query(
            in,
            "SELECT m.name, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete "
            "FROM sqlite_master AS m JOIN pragma_foreign_key_list(m.name) AS f WHERE " USER_TABLES,
            NULL, 0, &r) < 0)
        return -1;
    for (size_t i = 0; i < r.nrows; i++) {
        inspect_fk_t *fk = inspect_fk(in);
        fk->table = inspect_text(in, &r, i, 0);
        fk->fk_table = inspect_text(in, &r, i, 1);
        fk->column = inspect_text(in, &r, i, 2);
        fk->fk_column = inspect_text(in, &r, i, 3);
        fk->on_update = inspect_text(in, &r, i, 4);
        fk->on_delete = inspect_text(in, &r, i, 5);
        /* The column info takes the first foreign key of the column ("to" may be NULL when the
         * key references the parent's primary key implicitly: Directus reports null then). */
        schema_field_t *c = inspect_column_find(in, fk->table, fk->column);
        if (c && !c->fk_table) {
            c->fk_table = fk->fk_table;
            c->fk_column = fk->fk_column;
        }
    }
    return 0;
}

/* unique / indexed come from the first index (in index_list order) that contains the column:
 * unique when that index is unique and has one column, indexed when it has one column. */
static int indexes(inspect_t *in)
{
    db_result_t r;
    if (inspect_query(in,
                      "SELECT m.name, ii.name, il.\"unique\", "
                      "(SELECT count(*) FROM pragma_index_info(il.name)) "
                      "FROM sqlite_master AS m JOIN pragma_index_list(m.name) AS il "
                      "JOIN pragma_index_info(il.name) AS ii WHERE " USER_TABLES,
                      NULL, 0, &r) < 0)
        return -1;
    namemap_t seen;
    namemap_init(&seen, in->tmp, r.nrows);
    for (size_t i = 0; i < r.nrows; i++) {
        const char *table = inspect_text(in, &r, i, 0), *col = inspect_text(in, &r, i, 1);
        schema_field_t *c = col ? inspect_column_find(in, table, col) : NULL;
        if (!c || namemap_get(&seen, table, str_c(col)))
            continue;
        namemap_put(&seen, table, col, c);
        bool single = inspect_int(&r, i, 3) == 1;
        c->unique = inspect_bool(&r, i, 2) && single;
        c->indexed = single;
    }
    return 0;
}

int inspect_sqlite(inspect_t *in)
{
    if (tables(in) < 0 || columns(in) < 0)
        return -1;
    inspect_index_columns(in);
    return foreign_keys(in) < 0 || indexes(in) < 0 ? -1 : 0;
}
