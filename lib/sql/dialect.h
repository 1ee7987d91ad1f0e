/*
 * What differs between PostgreSQL, MySQL/MariaDB and SQLite when lib/sql/compile renders a read,
 * as a table of functions (nginx's ngx_event_actions_t; Directus's database/helpers): date
 * parts of a column, the length of a JSON array, LIMIT/OFFSET, and the casts PostgreSQL needs
 * where the others convert silently. Everything else is the SQL the three share.
 */
#ifndef LIB_SQL_DIALECT_H
#define LIB_SQL_DIALECT_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/db/db.h"
#include "lib/schema/type.h"
#include "lib/sql/plan.h"
#include "lib/sql/sqlbuf.h"

typedef struct sql_dialect {
    db_dialect_t id;
    /* year(col) … second(col) of a column of the given field type; col is the rendered column. */
    void (*date_part)(sqlbuf_t *b, plan_fn_t fn, schema_type_t type, const sqlbuf_t *col);
    /* count(col) of a JSON column (db_type: the catalog type, PostgreSQL json or jsonb). */
    void (*json_length)(sqlbuf_t *b, const char *db_type, const sqlbuf_t *col);
    /* " LIMIT … OFFSET …" (limit -1: none; has_offset false: no offset). */
    void (*limit_offset)(sqlbuf_t *b, int64_t limit, bool has_offset, int64_t offset);
    /* A text parameter compared with a non-text column that the server would reject rather than
     * convert (PostgreSQL: an integer column against 1.5, a uuid column against "abc"): whether
     * to cast. */
    bool strict_types;
} sql_dialect_t;

/* The table for d. */
const sql_dialect_t *sql_dialect(db_dialect_t d);

#endif
