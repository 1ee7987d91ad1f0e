/*
 * lib/schema/type: catalog type → data_type per dialect (what Directus's inspectors report) and
 * data_type + specials → Directus field type (get-local-type), table-driven for PostgreSQL,
 * MySQL/MariaDB and SQLite, plus the order of the lookup table bsearch relies on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "lib/schema/type.c"

typedef struct {
    const char *raw;       /* catalog type */
    const char *data_type; /* what the inspector reports */
    bool precision, scale; /* numeric precision / scale present */
    schema_type_t type;    /* the Directus type without specials */
} case_t;

static void run(db_dialect_t d, const case_t *cases, size_t n)
{
    arena_t *a = arena_new();
    for (size_t i = 0; i < n; i++) {
        const case_t *c = &cases[i];
        const char *dt = schema_type_db_name(a, d, c->raw);
        if (strcmp(dt, c->data_type) != 0)
            fail_msg("%s: data_type %s, expected %s", c->raw, dt, c->data_type);
        schema_type_t t = schema_type_of_column(dt, c->precision, c->scale, 0, NULL);
        if (t != c->type)
            fail_msg("%s: type %s, expected %s", c->raw, schema_type_name(t),
                     schema_type_name(c->type));
    }
    arena_free(a);
}

#define RUN(d, cases) run(d, cases, sizeof cases / sizeof cases[0])

/* PostgreSQL: regtype text, unchanged; numeric is decimal only with precision and scale. */
static void test_pg(void **state)
{
    (void)state;
    static const case_t cases[] = {
        {"integer", "integer", true, true, SCHEMA_TYPE_INTEGER},
        {"smallint", "smallint", true, true, SCHEMA_TYPE_INTEGER},
        {"bigint", "bigint", true, true, SCHEMA_TYPE_BIG_INTEGER},
        {"character varying", "character varying", false, false, SCHEMA_TYPE_STRING},
        {"character", "character", false, false, SCHEMA_TYPE_STRING},
        {"text", "text", false, false, SCHEMA_TYPE_TEXT},
        {"boolean", "boolean", false, false, SCHEMA_TYPE_BOOLEAN},
        {"json", "json", false, false, SCHEMA_TYPE_JSON},
        {"jsonb", "jsonb", false, false, SCHEMA_TYPE_JSON},
        {"uuid", "uuid", false, false, SCHEMA_TYPE_UUID},
        {"date", "date", false, false, SCHEMA_TYPE_DATE},
        {"time without time zone", "time without time zone", false, false, SCHEMA_TYPE_TIME},
        {"time with time zone", "time with time zone", false, false, SCHEMA_TYPE_TIME},
        {"timestamp without time zone", "timestamp without time zone", false, false,
         SCHEMA_TYPE_DATETIME},
        {"timestamp with time zone", "timestamp with time zone", false, false,
         SCHEMA_TYPE_TIMESTAMP},
        {"real", "real", true, false, SCHEMA_TYPE_FLOAT},
        {"double precision", "double precision", true, false, SCHEMA_TYPE_FLOAT},
        {"numeric", "numeric", true, true, SCHEMA_TYPE_DECIMAL},
        {"numeric", "numeric", false, false, SCHEMA_TYPE_INTEGER},
        {"interval", "interval", false, false, SCHEMA_TYPE_STRING},
        {"citext", "citext", false, false, SCHEMA_TYPE_TEXT},
        {"point", "point", false, false, SCHEMA_TYPE_GEOMETRY_POINT},
        {"bytea", "bytea", false, false, SCHEMA_TYPE_UNKNOWN},
        {"inet", "inet", false, false, SCHEMA_TYPE_UNKNOWN},
        {"text[]", "text[]", false, false, SCHEMA_TYPE_UNKNOWN},
        {"tsvector", "tsvector", false, false, SCHEMA_TYPE_UNKNOWN},
        {"POINT", "POINT", false, false, SCHEMA_TYPE_GEOMETRY_POINT}, /* PostGIS spelling */
    };
    RUN(DB_PG, cases);
}

/* MySQL / MariaDB: COLUMN_TYPE without its first "(…)"; tinyint(1) is boolean; unsigned
 * bigint is integer (Directus's map), signed bigint bigInteger. */
static void test_mysql(void **state)
{
    (void)state;
    static const case_t cases[] = {
        {"int(10) unsigned", "int unsigned", true, true, SCHEMA_TYPE_INTEGER},
        {"int unsigned", "int unsigned", true, true, SCHEMA_TYPE_INTEGER},
        {"int(11)", "int", true, true, SCHEMA_TYPE_INTEGER},
        {"bigint(20)", "bigint", true, true, SCHEMA_TYPE_BIG_INTEGER},
        {"bigint(20) unsigned", "bigint unsigned", true, true, SCHEMA_TYPE_INTEGER},
        {"tinyint(1)", "boolean", true, true, SCHEMA_TYPE_BOOLEAN},
        {"tinyint(4)", "tinyint", true, true, SCHEMA_TYPE_INTEGER},
        {"smallint(5) unsigned", "smallint unsigned", true, true, SCHEMA_TYPE_INTEGER},
        {"varchar(255)", "varchar", false, false, SCHEMA_TYPE_STRING},
        {"char(36)", "char", false, false, SCHEMA_TYPE_STRING},
        {"text", "text", false, false, SCHEMA_TYPE_TEXT},
        {"longtext", "longtext", false, false, SCHEMA_TYPE_TEXT},
        {"json", "json", false, false, SCHEMA_TYPE_JSON},
        {"decimal(10,2)", "decimal", true, true, SCHEMA_TYPE_DECIMAL},
        {"float(10,5)", "float", true, true, SCHEMA_TYPE_FLOAT},
        {"double", "double", true, false, SCHEMA_TYPE_FLOAT},
        {"datetime", "datetime", false, false, SCHEMA_TYPE_DATETIME},
        {"timestamp", "timestamp", false, false, SCHEMA_TYPE_TIMESTAMP},
        {"date", "date", false, false, SCHEMA_TYPE_DATE},
        {"time", "time", false, false, SCHEMA_TYPE_TIME},
        {"year(4)", "year", false, false, SCHEMA_TYPE_INTEGER},
        {"blob", "blob", false, false, SCHEMA_TYPE_BINARY},
        {"binary(16)", "binary", false, false, SCHEMA_TYPE_BINARY},
        {"bit(1)", "bit", false, false, SCHEMA_TYPE_BOOLEAN},
        {"enum('a','b')", "enum", false, false, SCHEMA_TYPE_UNKNOWN},
        {"set('x','y')", "set", false, false, SCHEMA_TYPE_UNKNOWN},
        {"longblob", "longblob", false, false, SCHEMA_TYPE_UNKNOWN},
        {"decimal(10,2) unsigned", "decimal unsigned", true, true, SCHEMA_TYPE_UNKNOWN},
        {"point", "point", false, false, SCHEMA_TYPE_GEOMETRY_POINT},
    };
    RUN(DB_MYSQL, cases);
}

/* SQLite: the declared type's letters, lower-cased; no precision or scale ever. */
static void test_sqlite(void **state)
{
    (void)state;
    static const case_t cases[] = {
        {"INTEGER", "integer", false, false, SCHEMA_TYPE_INTEGER},
        {"integer", "integer", false, false, SCHEMA_TYPE_INTEGER},
        {"varchar(255)", "varchar", false, false, SCHEMA_TYPE_STRING},
        {"char(36)", "char", false, false, SCHEMA_TYPE_STRING},
        {"TEXT", "text", false, false, SCHEMA_TYPE_TEXT},
        {"boolean", "boolean", false, false, SCHEMA_TYPE_BOOLEAN},
        {"datetime", "datetime", false, false, SCHEMA_TYPE_DATETIME},
        {"timestamp", "timestamp", false, false, SCHEMA_TYPE_TIMESTAMP},
        {"date", "date", false, false, SCHEMA_TYPE_DATE},
        {"time", "time", false, false, SCHEMA_TYPE_TIME},
        {"float", "float", false, false, SCHEMA_TYPE_FLOAT},
        {"real", "real", false, false, SCHEMA_TYPE_FLOAT},
        {"json", "json", false, false, SCHEMA_TYPE_JSON},
        {"bigint", "bigint", false, false, SCHEMA_TYPE_BIG_INTEGER},
        {"numeric", "numeric", false, false, SCHEMA_TYPE_INTEGER},
        {"decimal(10, 2)", "decimal", false, false, SCHEMA_TYPE_DECIMAL},
        {"uuid", "uuid", false, false, SCHEMA_TYPE_UUID},
        {"blob", "blob", false, false, SCHEMA_TYPE_BINARY},
        {"double precision", "doubleprecision", false, false, SCHEMA_TYPE_UNKNOWN},
        {"unsigned big int", "unsignedbigint", false, false, SCHEMA_TYPE_UNKNOWN},
        {"", "", false, false, SCHEMA_TYPE_UNKNOWN},
        {"int8", "int", false, false, SCHEMA_TYPE_INTEGER}, /* digits dropped, as Directus does */
    };
    RUN(DB_SQLITE, cases);
}

/* Specials win over the column type in Directus's order; geometry takes the first special. */
static void test_specials(void **state)
{
    (void)state;
    static const struct {
        const char *data_type;
        uint32_t special;
        const char *first;
        schema_type_t type;
    } cases[] = {
        {"text", SCHEMA_SPECIAL_CAST_JSON, "cast-json", SCHEMA_TYPE_JSON},
        {"character varying", SCHEMA_SPECIAL_HASH | SCHEMA_SPECIAL_CONCEAL, "hash",
         SCHEMA_TYPE_HASH},
        {"text", SCHEMA_SPECIAL_CAST_CSV, "cast-csv", SCHEMA_TYPE_CSV},
        {"char", SCHEMA_SPECIAL_UUID, "uuid", SCHEMA_TYPE_UUID},
        {"char", SCHEMA_SPECIAL_FILE, "file", SCHEMA_TYPE_UUID},
        {"datetime", SCHEMA_SPECIAL_CAST_TIMESTAMP, "cast-timestamp", SCHEMA_TYPE_TIMESTAMP},
        {"timestamp", SCHEMA_SPECIAL_CAST_DATETIME, "cast-datetime", SCHEMA_TYPE_DATETIME},
        {"text", SCHEMA_SPECIAL_CAST_JSON | SCHEMA_SPECIAL_CAST_CSV, "cast-csv", SCHEMA_TYPE_JSON},
        {"boolean", SCHEMA_SPECIAL_CAST_BOOLEAN, "cast-boolean", SCHEMA_TYPE_BOOLEAN},
        {"integer", SCHEMA_SPECIAL_M2O, "m2o", SCHEMA_TYPE_INTEGER},
        {"geometry", 0, "geometry.Polygon", SCHEMA_TYPE_GEOMETRY_POLYGON},
        {"point", 0, "", SCHEMA_TYPE_GEOMETRY},
        {"point", 0, NULL, SCHEMA_TYPE_GEOMETRY_POINT},
        {"mystery", SCHEMA_SPECIAL_M2O, "m2o", SCHEMA_TYPE_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        schema_type_t t = schema_type_of_column(cases[i].data_type, false, false, cases[i].special,
                                                cases[i].first);
        if (t != cases[i].type)
            fail_msg("case %zu: %s", i, schema_type_name(t));
    }
}

static void test_names(void **state)
{
    (void)state;
    for (size_t i = 1; i < sizeof local_types / sizeof local_types[0]; i++)
        if (strcmp(local_types[i - 1].db, local_types[i].db) >= 0)
            fail_msg("local_types out of order at %s", local_types[i].db);
    for (size_t i = 0; i < NTYPES; i++)
        assert_int_equal(schema_type_parse(str_c(schema_type_name((schema_type_t)i))), i);
    assert_string_equal(schema_type_name(SCHEMA_TYPE_BIG_INTEGER), "bigInteger");
    assert_string_equal(schema_type_name(SCHEMA_TYPE_GEOMETRY_MULTIPOLYGON),
                        "geometry.MultiPolygon");
    assert_int_equal(schema_special_bit(STR("cast-json")), SCHEMA_SPECIAL_CAST_JSON);
    assert_int_equal(schema_special_bit(STR("translations")), SCHEMA_SPECIAL_TRANSLATIONS);
    assert_int_equal(schema_special_bit(STR("cast-json ")), 0);
    assert_int_equal(schema_special_bit(STR("nope")), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pg),     cmocka_unit_test(test_mysql),
        cmocka_unit_test(test_sqlite), cmocka_unit_test(test_specials),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
