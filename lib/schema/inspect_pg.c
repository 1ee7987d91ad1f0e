/*
 * PostgreSQL catalog, read from pg_catalog the way Directus's Postgres inspector reads it (its
 * columnInfo() and foreignKeys() queries): base tables (relkind 'r') of the schemas in
 * DB_SEARCH_PATH, their columns with Directus's own max_length / precision / scale arithmetic on
 * atttypmod, and the single-column primary key, unique and foreign key constraints. Three
 * statements, four with PostGIS (its geometry_columns give geometry columns their subtype).
 */
#include "lib/schema/inspect.h"

#include <json-c/json.h>
#include <string.h>

#include "lib/core/json.h"
#include "lib/schema/type.h"

/* $1 is the comma-separated schema list. */
#define IN_SCHEMAS "nsp.nspname = ANY (string_to_array($1, ','))"

static const char tables_sql[] =
    "SELECT rel.relname, nsp.nspname, des.description, "
    "EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'postgis_version') "
    "FROM pg_class rel JOIN pg_namespace nsp ON nsp.oid = rel.relnamespace "
    "LEFT JOIN pg_description des ON des.objoid = rel.oid AND des.objsubid = 0 "
    "WHERE " IN_SCHEMAS " AND rel.relkind = 'r' ORDER BY rel.relname";

/* Directus's own column arithmetic: varchar/char length is atttypmod - 4 (so -5 when no length
 * was declared), bit lengths are atttypmod, integer precisions are bits, numeric precision and
 * scale come out of atttypmod. is_indexed: a non-unique index on this column alone. */
static const char columns_sql[] =
    "SELECT rel.relname, att.attname, att.atttypid::regtype::text, NOT att.attnotnull, "
    "CASE WHEN att.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END, "
    "CASE WHEN att.attgenerated = 's' THEN pg_get_expr(ad.adbin, ad.adrelid) END, "
    "att.attgenerated = 's', "
    "CASE WHEN att.atttypid IN (1042, 1043) THEN (att.atttypmod - 4)::int4 "
    "WHEN att.atttypid IN (1560, 1562) THEN att.atttypmod::int4 END, "
    "CASE att.atttypid WHEN 21 THEN 16 WHEN 23 THEN 32 WHEN 20 THEN 64 "
    "WHEN 1700 THEN CASE WHEN att.atttypmod = -1 THEN NULL "
    "ELSE (((att.atttypmod - 4) >> 16) & 65535)::int4 END "
    "WHEN 700 THEN 24 WHEN 701 THEN 53 END, "
    "CASE WHEN att.atttypid IN (21, 23, 20) THEN 0 "
    "WHEN att.atttypid = 1700 THEN CASE WHEN att.atttypmod = -1 THEN NULL "
    "ELSE ((att.atttypmod - 4) & 65535)::int4 END END, "
    "des.description, "
    "EXISTS (SELECT 1 FROM pg_index ix WHERE ix.indrelid = att.attrelid "
    "AND att.attnum = ALL (ix.indkey) AND NOT ix.indisunique) "
    "FROM pg_attribute att JOIN pg_class rel ON rel.oid = att.attrelid "
    "JOIN pg_namespace nsp ON nsp.oid = rel.relnamespace "
    "LEFT JOIN pg_attrdef ad ON ad.adrelid = att.attrelid AND ad.adnum = att.attnum "
    "LEFT JOIN pg_description des ON des.objoid = att.attrelid AND des.objsubid = att.attnum "
    "WHERE " IN_SCHEMAS " AND rel.relkind = 'r' AND att.attnum > 0 AND NOT att.attisdropped "
    "ORDER BY rel.relname, att.attnum";

/* Single-column primary key, unique and foreign key constraints (Directus ignores composite
 * ones). has_auto_increment: the primary key column owns a sequence (serial or identity). */
static const char constraints_sql[] =
    "SELECT con.contype, rel.relname, att.attname, fnsp.nspname, frel.relname, fatt.attname, "
    "con.conname, con.confupdtype, con.confdeltype, "
    "CASE WHEN con.contype = 'p' "
    "THEN pg_get_serial_sequence(att.attrelid::regclass::text, att.attname) != '' END "
    "FROM pg_constraint con JOIN pg_namespace nsp ON nsp.oid = con.connamespace "
    "LEFT JOIN pg_class rel ON rel.oid = con.conrelid "
    "LEFT JOIN pg_class frel ON frel.oid = con.confrelid "
    "LEFT JOIN pg_namespace fnsp ON fnsp.oid = frel.relnamespace "
    "LEFT JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = con.conkey[1] "
    "LEFT JOIN pg_attribute fatt ON fatt.attrelid = con.confrelid "
    "AND fatt.attnum = con.confkey[1] "
    "WHERE " IN_SCHEMAS " AND con.contype IN ('p', 'u', 'f') "
    "AND array_length(con.conkey, 1) <= 1 "
    "AND (con.confkey IS NULL OR array_length(con.confkey, 1) = 1) "
    "ORDER BY rel.relname, con.conname";

static const char geometry_sql[] =
    "SELECT f_table_name, f_geometry_column, type FROM geometry_columns "
    "WHERE f_table_schema = ANY (string_to_array($1, ',')) UNION "
    "SELECT f_table_name, f_geography_column, type FROM geography_columns "
    "WHERE f_table_schema = ANY (string_to_array($1, ','))";

/* DB_SEARCH_PATH as "a,b" without spaces; "public" when unset. */
static db_value_t schemas_param(inspect_t *in)
{
    const char *sp =
        in->conf->db_search_path && *in->conf->db_search_path ? in->conf->db_search_path : "public";
    char *out = arena_alloc(in->tmp, strlen(sp) + 1), *o = out;
    for (const char *p = sp; *p; p++)
        if (*p != ' ' && *p != '\t')
            *o++ = *p;
    *o = '\0';
    return (db_value_t){.type = DB_TEXT, .s = str_c(out)};
}

static int tables(inspect_t *in, const db_value_t *schemas, bool *postgis)
{
    db_result_t r;
    if (inspect_query(in, tables_sql, schemas, 1, &r) < 0)
        return -1;
    for (size_t i = 0; i < r.nrows; i++) {
        inspect_table_t *t = inspect_table(in, inspect_text(in, &r, i, 0));
        const char *comment = inspect_text(in, &r, i, 2);
        json_object *info = json_own(in->a, json_object_new_object());
        json_object_object_add(info, "schema", json_object_new_string(inspect_text(in, &r, i, 1)));
        json_object_object_add(info, "name", json_object_new_string(t->name));
        json_object_object_add(info, "comment", comment ? json_object_new_string(comment) : NULL);
        t->info = info;
        *postgis = inspect_bool(&r, i, 3);
    }
    return 0;
}

/* Directus's Postgres parseDefaultValue: nextval(...) is kept whole, else the text before the
 * first "::" cast, null for "null", quotes stripped. */
static const char *pg_default(inspect_t *in, const char *v)
{
    if (!v || strncmp(v, "nextval(", 8) == 0)
        return v;
    const char *cast = strstr(v, "::");
    if (cast)
        v = arena_strndup(in->a, v, (size_t)(cast - v));
    return inspect_default(in->a, v);
}

static int columns(inspect_t *in, const db_value_t *schemas)
{
    db_result_t r;
    if (inspect_query(in, columns_sql, schemas, 1, &r) < 0)
        return -1;
    inspect_table_t *t = NULL;
    for (size_t i = 0; i < r.nrows; i++) {
        const db_value_t *tn = db_cell(&r, i, 0);
        if (!t || !str_eq_c(tn->s, t->name)) {
            t = inspect_table(in, inspect_text(in, &r, i, 0));
            inspect_reserve(in, t, inspect_run(&r, i, 0));
        }
        schema_field_t *c = inspect_column(in, t, inspect_text(in, &r, i, 1));
        c->db_type = inspect_text(in, &r, i, 2);
        c->nullable = inspect_bool(&r, i, 3);
        c->raw_default = pg_default(in, inspect_text(in, &r, i, 4));
        c->generation_expression = inspect_text(in, &r, i, 5);
        c->generated = inspect_bool(&r, i, 6);
        c->max_length = inspect_int(&r, i, 7);
        c->numeric_precision = inspect_int(&r, i, 8);
        c->numeric_scale = inspect_int(&r, i, 9);
        c->comment = inspect_text(in, &r, i, 10);
        c->indexed = inspect_bool(&r, i, 11);
    }
    return 0;
}

static const char *action(const char *code)
{
    switch (code ? code[0] : 0) {
    case 'r':
        return "RESTRICT";
    case 'c':
        return "CASCADE";
    case 'n':
        return "SET NULL";
    case 'd':
        return "SET DEFAULT";
    case 'a':
        return "NO ACTION";
    default:
        return NULL;
    }
}

static void constraint(inspect_t *in, const db_result_t *r, size_t i)
{
    const char *type = inspect_text(in, r, i, 0), *table = inspect_text(in, r, i, 1),
               *column = inspect_text(in, r, i, 2);
    schema_field_t *c = table && column ? inspect_column_find(in, table, column) : NULL;
    if (type[0] == 'f') {
        inspect_fk_t *fk = inspect_fk(in);
        fk->table = table;
        fk->column = column;
        fk->fk_schema = inspect_text(in, r, i, 3);
        fk->fk_table = inspect_text(in, r, i, 4);
        fk->fk_column = inspect_text(in, r, i, 5);
        fk->constraint_name = inspect_text(in, r, i, 6);
        fk->on_update = action(inspect_text(in, r, i, 7));
        fk->on_delete = action(inspect_text(in, r, i, 8));
        if (c && !c->fk_table) {
            c->fk_table = fk->fk_table;
            c->fk_column = fk->fk_column;
            c->fk_schema = fk->fk_schema;
        }
        return;
    }
    if (!c)
        return;
    c->unique = true; /* 'p' or 'u' */
    if (type[0] == 'p') {
        c->primary_key = true;
        c->auto_increment = c->auto_increment || inspect_bool(r, i, 9);
        inspect_table_find(in, table)->primary = c->name;
    }
}

static int constraints(inspect_t *in, const db_value_t *schemas)
{
    db_result_t r;
    if (inspect_query(in, constraints_sql, schemas, 1, &r) < 0)
        return -1;
    for (size_t i = 0; i < r.nrows; i++)
        constraint(in, &r, i);
    return 0;
}

/* With PostGIS, Directus first calls point/polygon columns "unknown" (they are PostgreSQL's own
 * geometric types then), and gives PostGIS columns the type of geometry_columns ("POINT"). */
static int geometries(inspect_t *in, const db_value_t *schemas)
{
    for (size_t i = 0; i < in->ntables; i++)
        for (size_t j = 0; j < in->tables[i]->ncols; j++) {
            schema_field_t *c = &in->tables[i]->cols[j];
            if (strcmp(c->db_type, "point") == 0 || strcmp(c->db_type, "polygon") == 0)
                c->db_type = "unknown";
        }
    db_result_t r;
    if (inspect_query(in, geometry_sql, schemas, 1, &r) < 0)
        return -1;
    for (size_t i = 0; i < r.nrows; i++) {
        schema_field_t *c =
            inspect_column_find(in, inspect_text(in, &r, i, 0), inspect_text(in, &r, i, 1));
        const char *type = inspect_text(in, &r, i, 2);
        if (c && type)
            c->db_type = type;
    }
    return 0;
}

int inspect_pg(inspect_t *in)
{
    db_value_t schemas = schemas_param(in);
    bool postgis = false;
    if (tables(in, &schemas, &postgis) < 0 || columns(in, &schemas) < 0)
        return -1;
    inspect_index_columns(in);
    if (constraints(in, &schemas) < 0)
        return -1;
    return postgis ? geometries(in, &schemas) : 0;
}
