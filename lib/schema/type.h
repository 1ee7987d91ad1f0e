/*
 * Directus field types and field "special" flags, and the mapping from a database column type to
 * the Directus type, exactly as Directus 11.3.5 derives it: the schema inspector first turns the
 * catalog's type into a data_type (per dialect), then get-local-type looks that name up and lets
 * the field's specials override it. Pure functions over constant tables; no database here.
 */
#ifndef LIB_SCHEMA_TYPE_H
#define LIB_SCHEMA_TYPE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/core/arena.h"
#include "lib/core/str.h"
#include "lib/db/db.h"

/* Directus's field types (packages/types Type), plus alias (no column) and unknown. */
typedef enum {
    SCHEMA_TYPE_UNKNOWN = 0,
    SCHEMA_TYPE_ALIAS,
    SCHEMA_TYPE_BIG_INTEGER,
    SCHEMA_TYPE_BOOLEAN,
    SCHEMA_TYPE_DATE,
    SCHEMA_TYPE_DATETIME,
    SCHEMA_TYPE_DECIMAL,
    SCHEMA_TYPE_FLOAT,
    SCHEMA_TYPE_INTEGER,
    SCHEMA_TYPE_JSON,
    SCHEMA_TYPE_STRING,
    SCHEMA_TYPE_TEXT,
    SCHEMA_TYPE_TIME,
    SCHEMA_TYPE_TIMESTAMP,
    SCHEMA_TYPE_BINARY,
    SCHEMA_TYPE_UUID,
    SCHEMA_TYPE_HASH,
    SCHEMA_TYPE_CSV,
    SCHEMA_TYPE_GEOMETRY,
    SCHEMA_TYPE_GEOMETRY_POINT,
    SCHEMA_TYPE_GEOMETRY_LINESTRING,
    SCHEMA_TYPE_GEOMETRY_POLYGON,
    SCHEMA_TYPE_GEOMETRY_MULTIPOINT,
    SCHEMA_TYPE_GEOMETRY_MULTILINESTRING,
    SCHEMA_TYPE_GEOMETRY_MULTIPOLYGON,
} schema_type_t;

/* Field specials (directus_fields.special, a comma list) that change behaviour. A name not in
 * this list is kept as text by the schema but has no bit. */
#define SCHEMA_SPECIAL_MAP(X)                                                                      \
    X(UUID, "uuid")                                                                                \
    X(HASH, "hash")                                                                                \
    X(CONCEAL, "conceal")                                                                          \
    X(CAST_JSON, "cast-json")                                                                      \
    X(CAST_BOOLEAN, "cast-boolean")                                                                \
    X(CAST_CSV, "cast-csv")                                                                        \
    X(CAST_TIMESTAMP, "cast-timestamp")                                                            \
    X(CAST_DATETIME, "cast-datetime")                                                              \
    X(DATE_CREATED, "date-created")                                                                \
    X(DATE_UPDATED, "date-updated")                                                                \
    X(USER_CREATED, "user-created")                                                                \
    X(USER_UPDATED, "user-updated")                                                                \
    X(ROLE_CREATED, "role-created")                                                                \
    X(ROLE_UPDATED, "role-updated")                                                                \
    X(ALIAS, "alias")                                                                              \
    X(NO_DATA, "no-data")                                                                          \
    X(GROUP, "group")                                                                              \
    X(M2O, "m2o")                                                                                  \
    X(O2M, "o2m")                                                                                  \
    X(M2M, "m2m")                                                                                  \
    X(M2A, "m2a")                                                                                  \
    X(O2A, "o2a")                                                                                  \
    X(FILES, "files")                                                                              \
    X(FILE, "file")                                                                                \
    X(TRANSLATIONS, "translations")

enum {
#define X(name, text) SCHEMA_SPECIAL_BIT_##name,
    SCHEMA_SPECIAL_MAP(X)
#undef X
};

enum {
#define X(name, text) SCHEMA_SPECIAL_##name = 1u << SCHEMA_SPECIAL_BIT_##name,
    SCHEMA_SPECIAL_MAP(X)
#undef X
};

/* Specials that make a field an alias (a field without a column), Directus's ALIAS_TYPES. */
#define SCHEMA_SPECIAL_ALIAS_TYPES                                                                 \
    (SCHEMA_SPECIAL_ALIAS | SCHEMA_SPECIAL_O2M | SCHEMA_SPECIAL_M2M | SCHEMA_SPECIAL_M2A |         \
     SCHEMA_SPECIAL_O2A | SCHEMA_SPECIAL_FILES | SCHEMA_SPECIAL_TRANSLATIONS)

/* "bigInteger", "dateTime", "geometry.Point", "alias", "unknown", ... (a static string). */
const char *schema_type_name(schema_type_t t);

/* The type spelled name as Directus spells it, or SCHEMA_TYPE_UNKNOWN. */
schema_type_t schema_type_parse(str_t name);

/* The bit of one special name ("cast-json" → SCHEMA_SPECIAL_CAST_JSON), 0 when unknown. */
uint32_t schema_special_bit(str_t name);

/*
 * The data_type Directus's schema inspector reports for a column whose catalog type is raw:
 *  - DB_PG: raw is format_type/regtype text ("character varying", "timestamp with time zone"),
 *    returned unchanged;
 *  - DB_MYSQL: raw is COLUMN_TYPE; the first parenthesised part is removed ("int(10) unsigned" →
 *    "int unsigned", "decimal(10,2)" → "decimal") and tinyint(1)… is "boolean";
 *  - DB_SQLITE: raw is the declared type; everything but ASCII letters is removed and the rest
 *    lower-cased ("VARCHAR(255)" → "varchar", "double precision" → "doubleprecision").
 * Returns raw itself or a copy in a. raw must not be NULL.
 */
const char *schema_type_db_name(arena_t *a, db_dialect_t d, const char *raw);

/*
 * Directus's get-local-type: the field type of a column of data_type (as schema_type_db_name
 * returns it) with the given numeric precision and scale (has_* false for SQL NULL) and specials.
 * first_special is the first name of the special list (NULL when there is none): a geometry
 * column takes its subtype from it. Specials win in Directus's order: cast-json, hash, cast-csv,
 * uuid/file, cast-timestamp, cast-datetime. Postgres "numeric" with precision and scale is
 * decimal, without them integer; a name Directus does not know is unknown.
 */
schema_type_t schema_type_of_column(const char *data_type, bool has_precision, bool has_scale,
                                    uint32_t special, const char *first_special);

#endif
