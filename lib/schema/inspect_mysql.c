/*
 * MySQL / MariaDB catalog from information_schema, as Directus's MySQL inspector reads it: base
 * tables of the connection's database, COLUMNS (data_type is COLUMN_TYPE without its first
 * "(…)", tinyint(1) is boolean; primary / unique from COLUMN_KEY; auto increment and generated
 * columns from EXTRA), foreign keys from REFERENTIAL_CONSTRAINTS joined to KEY_COLUMN_USAGE, and
 * "indexed" from STATISTICS (the column leads a non-unique index). Four statements.
 */
#include "lib/schema/inspect.h"

#include <json-c/json.h>
#include <string.h>

#include "lib/core/json.h"
#include "lib/schema/type.h"

static const char tables_sql[] =
    "SELECT TABLE_NAME, TABLE_SCHEMA, TABLE_COMMENT, TABLE_COLLATION, ENGINE "
    "FROM information_schema.TABLES "
    "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME";

static const char columns_sql[] =
    "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_DEFAULT, COLUMN_TYPE, CHARACTER_MAXIMUM_LENGTH, "
    "IS_NULLABLE, COLUMN_KEY, EXTRA, COLUMN_COMMENT, NUMERIC_PRECISION, NUMERIC_SCALE, "
    "GENERATION_EXPRESSION FROM information_schema.COLUMNS "
    "WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION";

static const char fks_sql[] =
    "SELECT kcu.TABLE_NAME, kcu.COLUMN_NAME, kcu.REFERENCED_TABLE_NAME, "
    "kcu.REFERENCED_COLUMN_NAME, rc.CONSTRAINT_NAME, rc.UPDATE_RULE, rc.DELETE_RULE "
    "FROM information_schema.REFERENTIAL_CONSTRAINTS AS rc "
    "JOIN information_schema.KEY_COLUMN_USAGE AS kcu "
    "ON kcu.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA AND kcu.CONSTRAINT_NAME = rc.CONSTRAINT_NAME "
    "AND kcu.TABLE_NAME = rc.TABLE_NAME "
    "WHERE rc.CONSTRAINT_SCHEMA = DATABASE() "
    "ORDER BY kcu.TABLE_NAME, rc.CONSTRAINT_NAME, kcu.ORDINAL_POSITION";

static const char indexed_sql[] =
    "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.STATISTICS "
    "WHERE TABLE_SCHEMA = DATABASE() AND NON_UNIQUE = 1 AND SEQ_IN_INDEX = 1 "
    "ORDER BY TABLE_NAME, COLUMN_NAME";

static json_object *str_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static int tables(inspect_t *in)
{
    db_result_t r;
    if (inspect_query(in, tables_sql, NULL, 0, &r) < 0)
        return -1;
    for (size_t i = 0; i < r.nrows; i++) {
        inspect_table_t *t = inspect_table(in, inspect_text(in, &r, i, 0));
        json_object *info = json_own(in->a, json_object_new_object());
        json_object_object_add(info, "name", json_object_new_string(t->name));
        json_object_object_add(info, "schema", str_or_null(inspect_text(in, &r, i, 1)));
        json_object_object_add(info, "comment", str_or_null(inspect_text(in, &r, i, 2)));
        json_object_object_add(info, "collation", str_or_null(inspect_text(in, &r, i, 3)));
        json_object_object_add(info, "engine", str_or_null(inspect_text(in, &r, i, 4)));
        t->info = info;
    }
    return 0;
}

static bool ends_with(str_t s, str_t suffix)
{
    return s.n >= suffix.n && memcmp(s.p + s.n - suffix.n, suffix.p, suffix.n) == 0;
}

static void column(inspect_t *in, inspect_table_t *t, const db_result_t *r, size_t i)
{
    schema_field_t *c = inspect_column(in, t, inspect_text(in, r, i, 1));
    c->raw_default = inspect_default(in->a, inspect_text(in, r, i, 2));
    const char *type = inspect_text(in, r, i, 3);
    c->db_type = schema_type_db_name(in->a, DB_MYSQL, type ? type : "");
    c->max_length = inspect_int(r, i, 4);
    const db_value_t *extra = db_cell(r, i, 7);
    const char *gen = inspect_text(in, r, i, 11);
    c->nullable = inspect_cell_is(r, i, 5, "YES");
    c->unique = inspect_cell_is(r, i, 6, "UNI");
    c->primary_key = inspect_cell_is(r, i, 6, "PRI");
    c->auto_increment = inspect_cell_is(r, i, 7, "auto_increment");
    /* Directus tests the suffix, so MySQL 8's DEFAULT_GENERATED counts as generated too. */
    c->generated = extra->type == DB_TEXT && ends_with(extra->s, STR("GENERATED"));
    c->comment = inspect_text(in, r, i, 8);
    c->numeric_precision = inspect_int(r, i, 9);
    c->numeric_scale = inspect_int(r, i, 10);
    c->generation_expression = gen && *gen ? gen : NULL;
    if (c->primary_key) {
        t->npk++;
        t->primary = c->name;
    }
}

/* Columns of views are listed by information_schema too; only base tables are kept. */
static int columns(inspect_t *in)
{
    db_result_t r;
    if (inspect_query(in, columns_sql, NULL, 0, &r) < 0)
        return -1;
    inspect_table_t *t = NULL;
    for (size_t i = 0; i < r.nrows; i++) {
        const db_value_t *tn = db_cell(&r, i, 0);
        if (!t || !str_eq_c(tn->s, t->name)) {
            t = inspect_table_find(in, arena_strndup(in->tmp, tn->s.p, tn->s.n));
            if (t)
                inspect_reserve(in, t, inspect_run(&r, i, 0));
        }
        if (t)
            column(in, t, &r, i);
    }
    for (size_t i = 0; i < in->ntables; i++)
        if (in->tables[i]->npk != 1)
            in->tables[i]->primary = NULL;
    return 0;
}

static int foreign_keys(inspect_t *in)
{
    db_result_t r;
    if (inspect_query(in, fks_sql, NULL, 0, &r) < 0)
        return -1;
    for (size_t i = 0; i < r.nrows; i++) {
        inspect_fk_t *fk = inspect_fk(in);
        fk->table = inspect_text(in, &r, i, 0);
        fk->column = inspect_text(in, &r, i, 1);
        fk->fk_table = inspect_text(in, &r, i, 2);
        fk->fk_column = inspect_text(in, &r, i, 3);
        fk->constraint_name = inspect_text(in, &r, i, 4);
        fk->on_update = inspect_text(in, &r, i, 5);
        fk->on_delete = inspect_text(in, &r, i, 6);
        schema_field_t *c = inspect_column_find(in, fk->table, fk->column);
        if (c && !c->fk_table) {
            c->fk_table = fk->fk_table;
            c->fk_column = fk->fk_column;
        }
    }
    return 0;
}

static int indexed(inspect_t *in)
{
    db_result_t r;
    if (inspect_query(in, indexed_sql, NULL, 0, &r) < 0)
        return -1;
    for (size_t i = 0; i < r.nrows; i++) {
        schema_field_t *c =
            inspect_column_find(in, inspect_text(in, &r, i, 0), inspect_text(in, &r, i, 1));
        if (c)
            c->indexed = true;
    }
    return 0;
}

int inspect_mysql(inspect_t *in)
{
    if (tables(in) < 0 || columns(in) < 0)
        return -1;
    inspect_index_columns(in);
    return foreign_keys(in) < 0 || indexed(in) < 0 ? -1 : 0;
}
