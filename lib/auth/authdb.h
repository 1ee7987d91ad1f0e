/*
 * The few SQL statements authentication runs on Directus's system tables (directus_users,
 * directus_sessions, directus_roles, directus_access, directus_policies, directus_activity),
 * written once and rendered for the connection's dialect. Identifiers are fixed in the
 * statement text, every value is bound. Until lib/sql exists this is the whole of the glue:
 * placeholder style, identifier quotes, and how each database stores a timestamp (PostgreSQL a
 * timestamptz, MySQL a DATETIME/TIMESTAMP in UTC, SQLite the epoch milliseconds Directus writes).
 */
#ifndef LIB_AUTH_AUTHDB_H
#define LIB_AUTH_AUTHDB_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/core/arena.h"
#include "lib/core/err.h"
#include "lib/core/str.h"
#include "lib/db/db.h"

/* Renders tmpl, written with `?` placeholders and "double-quoted" identifiers, for db's dialect:
 * `$n` (PostgreSQL), `?n` (SQLite) or `?` with backtick quotes (MySQL). tmpl holds no string
 * literals (values are bound), so every `?` and `"` in it is syntax. The text is in a. */
const char *authdb_sql(arena_t *a, const db_conn_t *db, const char *tmpl);

/* db_exec of authdb_sql(tmpl): connects first when needed. Rows (if out) live in a. -1 with e
 * set as db_exec sets it. */
int authdb_exec(arena_t *a, err_t *e, db_conn_t *db, const char *tmpl, const db_value_t *params,
                size_t n, db_result_t *out);

/* Bound values: text from a slice / C string (NULL gives SQL NULL), an integer, and a point in
 * time (epoch ms) in the form db stores timestamps in. Text is not copied. */
db_value_t authdb_str(str_t s);
db_value_t authdb_cstr(const char *s);
db_value_t authdb_int(int64_t i);
db_value_t authdb_time(arena_t *a, const db_conn_t *db, int64_t ms);

/* Wall-clock time in epoch milliseconds, and a monotonic clock in milliseconds (for stalls). */
int64_t authdb_now_ms(void);
double authdb_mono_ms(void);

/* Directus's stall(): sleeps until stall_ms have passed since start (an authdb_mono_ms() value),
 * so that every path of a login or reset request takes the same time. Blocks the worker. */
void authdb_stall(double start, int stall_ms);

/* A cell read as a boolean the way Directus's toBoolean reads a policy flag: true, 1, "1",
 * "true" (PostgreSQL boolean, MySQL tinyint, SQLite integer or text). NULL cell: false. */
bool authdb_bool(const db_value_t *v);

/* A cell as a NUL-terminated string in a (integers printed); NULL for SQL NULL or no cell. */
const char *authdb_text(arena_t *a, const db_value_t *v);

/* Integer value of a cell; dflt for NULL or no cell. */
int64_t authdb_int_or(const db_value_t *v, int64_t dflt);

#endif
