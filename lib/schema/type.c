/*
 * Directus field types from database column types (Directus's get-local-type and the data_type
 * normalisation of its schema inspector, packages/schema). The name table is sorted for bsearch;
 * tests/unit/schema/test_type.c checks the order.
 */
#include "lib/schema/type.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const type_names[] = {
    [SCHEMA_TYPE_UNKNOWN] = "unknown",
    [SCHEMA_TYPE_ALIAS] = "alias",
    [SCHEMA_TYPE_BIG_INTEGER] = "bigInteger",
    [SCHEMA_TYPE_BOOLEAN] = "boolean",
    [SCHEMA_TYPE_DATE] = "date",
    [SCHEMA_TYPE_DATETIME] = "dateTime",
    [SCHEMA_TYPE_DECIMAL] = "decimal",
    [SCHEMA_TYPE_FLOAT] = "float",
    [SCHEMA_TYPE_INTEGER] = "integer",
    [SCHEMA_TYPE_JSON] = "json",
    [SCHEMA_TYPE_STRING] = "string",
    [SCHEMA_TYPE_TEXT] = "text",
    [SCHEMA_TYPE_TIME] = "time",
    [SCHEMA_TYPE_TIMESTAMP] = "timestamp",
    [SCHEMA_TYPE_BINARY] = "binary",
    [SCHEMA_TYPE_UUID] = "uuid",
    [SCHEMA_TYPE_HASH] = "hash",
    [SCHEMA_TYPE_CSV] = "csv",
    [SCHEMA_TYPE_GEOMETRY] = "geometry",
    [SCHEMA_TYPE_GEOMETRY_POINT] = "geometry.Point",
    [SCHEMA_TYPE_GEOMETRY_LINESTRING] = "geometry.LineString",
    [SCHEMA_TYPE_GEOMETRY_POLYGON] = "geometry.Polygon",
    [SCHEMA_TYPE_GEOMETRY_MULTIPOINT] = "geometry.MultiPoint",
    [SCHEMA_TYPE_GEOMETRY_MULTILINESTRING] = "geometry.MultiLineString",
    [SCHEMA_TYPE_GEOMETRY_MULTIPOLYGON] = "geometry.MultiPolygon",
};

#define NTYPES (sizeof type_names / sizeof type_names[0])

/* Database type name → Directus type: Directus's localTypeMap for every vendor it supports (a
 * name of another vendor is harmless: no catalog of ours reports it). Sorted by strcmp. */
typedef struct {
    const char *db;
    schema_type_t type;
} local_type_t;

static const local_type_t local_types[] = {
    {"_varchar", SCHEMA_TYPE_STRING},
    {"bigint", SCHEMA_TYPE_BIG_INTEGER},
    {"bigint unsigned", SCHEMA_TYPE_INTEGER},
    {"bigserial", SCHEMA_TYPE_BIG_INTEGER},
    {"binary", SCHEMA_TYPE_BINARY},
    {"bit", SCHEMA_TYPE_BOOLEAN},
    {"blob", SCHEMA_TYPE_BINARY},
    {"bool", SCHEMA_TYPE_BOOLEAN},
    {"boolean", SCHEMA_TYPE_BOOLEAN},
    {"bpchar", SCHEMA_TYPE_STRING},
    {"char", SCHEMA_TYPE_STRING},
    {"character", SCHEMA_TYPE_STRING},
    {"character varying", SCHEMA_TYPE_STRING},
    {"citext", SCHEMA_TYPE_TEXT},
    {"clob", SCHEMA_TYPE_TEXT},
    {"date", SCHEMA_TYPE_DATE},
    {"datetime", SCHEMA_TYPE_DATETIME},
    {"datetime2", SCHEMA_TYPE_DATETIME},
    {"datetimeoffset", SCHEMA_TYPE_TIMESTAMP},
    {"decimal", SCHEMA_TYPE_DECIMAL},
    {"double", SCHEMA_TYPE_FLOAT},
    {"double precision", SCHEMA_TYPE_FLOAT},
    {"float", SCHEMA_TYPE_FLOAT},
    {"float4", SCHEMA_TYPE_FLOAT},
    {"float8", SCHEMA_TYPE_FLOAT},
    {"geometry", SCHEMA_TYPE_GEOMETRY},
    {"image", SCHEMA_TYPE_BINARY},
    {"int", SCHEMA_TYPE_INTEGER},
    {"int unsigned", SCHEMA_TYPE_INTEGER},
    {"int2", SCHEMA_TYPE_INTEGER},
    {"int4", SCHEMA_TYPE_INTEGER},
    {"int8", SCHEMA_TYPE_INTEGER},
    {"integer", SCHEMA_TYPE_INTEGER},
    {"integerfirst", SCHEMA_TYPE_INTEGER},
    {"interval", SCHEMA_TYPE_STRING},
    {"json", SCHEMA_TYPE_JSON},
    {"jsonb", SCHEMA_TYPE_JSON},
    {"linestring", SCHEMA_TYPE_GEOMETRY_LINESTRING},
    {"longtext", SCHEMA_TYPE_TEXT},
    {"longvarchar", SCHEMA_TYPE_STRING},
    {"mediumblob", SCHEMA_TYPE_BINARY},
    {"mediumint", SCHEMA_TYPE_INTEGER},
    {"mediumint unsigned", SCHEMA_TYPE_INTEGER},
    {"mediumtext", SCHEMA_TYPE_TEXT},
    {"money", SCHEMA_TYPE_FLOAT},
    {"multilinestring", SCHEMA_TYPE_GEOMETRY_MULTILINESTRING},
    {"multipoint", SCHEMA_TYPE_GEOMETRY_MULTIPOINT},
    {"multipolygon", SCHEMA_TYPE_GEOMETRY_MULTIPOLYGON},
    {"nchar", SCHEMA_TYPE_TEXT},
    {"ntext", SCHEMA_TYPE_TEXT},
    {"number", SCHEMA_TYPE_INTEGER},
    {"numeric", SCHEMA_TYPE_INTEGER},
    {"nvarchar", SCHEMA_TYPE_STRING},
    {"point", SCHEMA_TYPE_GEOMETRY_POINT},
    {"polygon", SCHEMA_TYPE_GEOMETRY_POLYGON},
    {"real", SCHEMA_TYPE_FLOAT},
    {"sdo_geometry", SCHEMA_TYPE_GEOMETRY},
    {"serial", SCHEMA_TYPE_INTEGER},
    {"serial4", SCHEMA_TYPE_INTEGER},
    {"serial8", SCHEMA_TYPE_INTEGER},
    {"smalldatetime", SCHEMA_TYPE_DATETIME},
    {"smallint", SCHEMA_TYPE_INTEGER},
    {"smallint unsigned", SCHEMA_TYPE_INTEGER},
    {"smallmoney", SCHEMA_TYPE_FLOAT},
    {"string", SCHEMA_TYPE_TEXT},
    {"text", SCHEMA_TYPE_TEXT},
    {"time", SCHEMA_TYPE_TIME},
    {"time with time zone", SCHEMA_TYPE_TIME},
    {"time without time zone", SCHEMA_TYPE_TIME},
    {"timestamp", SCHEMA_TYPE_TIMESTAMP},
    {"timestamp with local time zone", SCHEMA_TYPE_TIMESTAMP},
    {"timestamp with time zone", SCHEMA_TYPE_TIMESTAMP},
    {"timestamp without local time zone", SCHEMA_TYPE_DATETIME},
    {"timestamp without time zone", SCHEMA_TYPE_DATETIME},
    {"timestamptz", SCHEMA_TYPE_TIMESTAMP},
    {"timetz", SCHEMA_TYPE_TIME},
    {"tinyint", SCHEMA_TYPE_INTEGER},
    {"tinyint unsigned", SCHEMA_TYPE_INTEGER},
    {"tinytext", SCHEMA_TYPE_TEXT},
    {"uniqueidentifier", SCHEMA_TYPE_UUID},
    {"uuid", SCHEMA_TYPE_UUID},
    {"varbinary", SCHEMA_TYPE_BINARY},
    {"varchar", SCHEMA_TYPE_STRING},
    {"varchar2", SCHEMA_TYPE_STRING},
    {"year", SCHEMA_TYPE_INTEGER},
};

static const char *const special_names[] = {
#define X(name, text) text,
    SCHEMA_SPECIAL_MAP(X)
#undef X
};

const char *schema_type_name(schema_type_t t)
{
    return (size_t)t < NTYPES ? type_names[t] : "unknown";
}

schema_type_t schema_type_parse(str_t name)
{
    for (size_t i = 0; i < NTYPES; i++)
        if (str_eq_c(name, type_names[i]))
            return (schema_type_t)i;
    return SCHEMA_TYPE_UNKNOWN;
}

uint32_t schema_special_bit(str_t name)
{
    for (size_t i = 0; i < sizeof special_names / sizeof special_names[0]; i++)
        if (str_eq_c(name, special_names[i]))
            return 1u << i;
    return 0;
}

/* MySQL: COLUMN_TYPE minus its first "(…)", as the inspector's /\(.*?\)/ replace does. */
static const char *mysql_name(arena_t *a, const char *raw)
{
    if (strncmp(raw, "tinyint(1)", 10) == 0)
        return "boolean";
    const char *open = strchr(raw, '(');
    const char *close = open ? strchr(open, ')') : NULL;
    if (!close)
        return raw;
    size_t head = (size_t)(open - raw), tail = strlen(close + 1);
    char *out = arena_alloc(a, head + tail + 1);
    memcpy(out, raw, head);
    memcpy(out + head, close + 1, tail + 1);
    return out;
}

/* SQLite: the ASCII letters of the declared type, lower-cased. */
static const char *sqlite_name(arena_t *a, const char *raw)
{
    size_t n = strlen(raw), k = 0;
    char *out = arena_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++)
        if (isalpha((unsigned char)raw[i]) && !((unsigned char)raw[i] & 0x80))
            out[k++] = (char)tolower((unsigned char)raw[i]);
    out[k] = '\0';
    return out;
}

const char *schema_type_db_name(arena_t *a, db_dialect_t d, const char *raw)
{
    switch (d) {
    case DB_MYSQL:
        return mysql_name(a, raw);
    case DB_SQLITE:
        return sqlite_name(a, raw);
    case DB_PG:
        break;
    }
    return raw;
}

static int cmp_local(const void *key, const void *elem)
{
    return strcmp(key, ((const local_type_t *)elem)->db);
}

/* The table's type for the lower-cased name up to its first '('. */
static schema_type_t lookup(const char *data_type)
{
    char key[64];
    size_t n = 0;
    for (; data_type[n] && data_type[n] != '(' && n < sizeof key - 1; n++)
        key[n] = (char)tolower((unsigned char)data_type[n]);
    if (data_type[n] && data_type[n] != '(')
        return SCHEMA_TYPE_UNKNOWN; /* longer than any name in the table */
    key[n] = '\0';
    const local_type_t *hit = bsearch(key, local_types, sizeof local_types / sizeof local_types[0],
                                      sizeof local_types[0], cmp_local);
    return hit ? hit->type : SCHEMA_TYPE_UNKNOWN;
}

static bool is_geometry(schema_type_t t)
{
    return t >= SCHEMA_TYPE_GEOMETRY && t <= SCHEMA_TYPE_GEOMETRY_MULTIPOLYGON;
}

schema_type_t schema_type_of_column(const char *data_type, bool has_precision, bool has_scale,
                                    uint32_t special, const char *first_special)
{
    schema_type_t t = lookup(data_type);
    if (special || first_special) {
        if (special & SCHEMA_SPECIAL_CAST_JSON)
            return SCHEMA_TYPE_JSON;
        if (special & SCHEMA_SPECIAL_HASH)
            return SCHEMA_TYPE_HASH;
        if (special & SCHEMA_SPECIAL_CAST_CSV)
            return SCHEMA_TYPE_CSV;
        if (special & (SCHEMA_SPECIAL_UUID | SCHEMA_SPECIAL_FILE))
            return SCHEMA_TYPE_UUID;
        if (special & SCHEMA_SPECIAL_CAST_TIMESTAMP)
            return SCHEMA_TYPE_TIMESTAMP;
        if (special & SCHEMA_SPECIAL_CAST_DATETIME)
            return SCHEMA_TYPE_DATETIME;
        if (is_geometry(t)) {
            schema_type_t g = first_special && *first_special
                                  ? schema_type_parse(str_c(first_special))
                                  : SCHEMA_TYPE_GEOMETRY;
            return is_geometry(g) ? g : SCHEMA_TYPE_GEOMETRY;
        }
    }
    /* Postgres numeric with a declared precision and scale; plain numeric stays integer. */
    if (has_precision && has_scale && strcasecmp(data_type, "numeric") == 0)
        return SCHEMA_TYPE_DECIMAL;
    return t;
}
