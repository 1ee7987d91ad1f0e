/*
 * One driver interface over PostgreSQL (libpq), MySQL/MariaDB (libmariadb) and SQLite. The
 * caller hands over rendered SQL text (placeholders already in the dialect's form: $n, ?, ?n)
 * and bound values; nothing from a request is ever spliced into the text. A worker owns one
 * connection for its whole life: it is opened lazily, kept, and re-opened after the server went
 * away, so a database restart costs 503s while it is down and nothing after.
 */
#ifndef LIB_DB_DB_H
#define LIB_DB_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/core/arena.h"
#include "lib/core/conf.h"
#include "lib/core/err.h"
#include "lib/core/str.h"

typedef enum { DB_PG, DB_MYSQL, DB_SQLITE } db_dialect_t;

/* Type of a bound parameter or of a result cell. */
typedef enum {
    DB_NULL,
    DB_INT,    /* 64-bit integer */
    DB_FLOAT,  /* double */
    DB_BOOL,   /* bound as the dialect's boolean (PG boolean, 1/0 elsewhere) */
    DB_TEXT,   /* text, also numeric/decimal/date/time/uuid/json values as the server prints them */
    DB_BLOB,
} db_type_t;

typedef struct {
    db_type_t type;
    int64_t i;   /* DB_INT, DB_BOOL (0/1) */
    double f;    /* DB_FLOAT */
    str_t s;     /* DB_TEXT, DB_BLOB */
} db_value_t;

/* What the server says a result column is, for serialising values as Directus does. */
typedef enum {
    DB_COL_UNKNOWN,
    DB_COL_INT,     /* smallint, integer, bigint, tinyint... (MySQL tinyint(1) too) */
    DB_COL_FLOAT,   /* real, double */
    DB_COL_DECIMAL, /* numeric/decimal: exact, kept as text */
    DB_COL_BOOL,
    DB_COL_TEXT,
    DB_COL_JSON,
    DB_COL_DATE,
    DB_COL_TIME,
    DB_COL_DATETIME,  /* without time zone */
    DB_COL_TIMESTAMP, /* with time zone */
    DB_COL_UUID,
    DB_COL_BLOB,
} db_coltype_t;

typedef struct {
    const char *name;     /* read-only */
    db_coltype_t type;    /* read-only */
} db_column_t;

/* A fully read result, every byte in the request arena. */
typedef struct {
    size_t ncols, nrows;        /* read-only */
    const db_column_t *cols;    /* read-only: ncols entries */
    const db_value_t *cells;    /* read-only: row-major, nrows * ncols */
    int64_t affected;           /* read-only: rows changed by INSERT/UPDATE/DELETE */
    int64_t last_insert_id;     /* read-only: MySQL/SQLite auto-increment key, else 0 */
} db_result_t;

typedef struct db_conn db_conn_t;

/* A connection handle for the configured DB_CLIENT; nothing is opened yet (db_connect opens).
 * Owned by the caller until db_free. Never NULL. */
db_conn_t *db_new(const conf_t *conf);
void db_free(db_conn_t *c);

db_dialect_t db_dialect(const db_conn_t *c);
/* "pg", "mysql" or "sqlite3": Directus's DB_CLIENT names, used in health check keys. */
const char *db_client_name(const db_conn_t *c);

/* Opens the connection when it is not open (or was lost). On failure sets 503
 * SERVICE_UNAVAILABLE ("database") in e, logs the driver's reason (never credentials), -1. */
int db_connect(db_conn_t *c, arena_t *a, err_t *e);

/* Runs one statement with n bound parameters; *out (may be NULL when the caller needs no rows)
 * receives the rows, allocated in a. Prepared statements are cached per connection by SQL text.
 * Reconnects once when the connection was lost before the statement was sent (never inside a
 * transaction). Errors: constraint violations map to Directus codes (RECORD_NOT_UNIQUE,
 * NOT_NULL_VIOLATION, VALUE_TOO_LONG, VALUE_OUT_OF_RANGE, INVALID_FOREIGN_KEY) with collection
 * and field where the driver tells; a lost server gives 503 SERVICE_UNAVAILABLE; anything else
 * INTERNAL_SERVER_ERROR. */
int db_exec(db_conn_t *c, arena_t *a, err_t *e, const char *sql, const db_value_t *params,
            size_t n, db_result_t *out);

/* One statement of db_exec_many. */
typedef struct {
    const char *sql;
    const db_value_t *params;
    size_t nparams;
} db_query_t;

/* Runs n statements that do not depend on each other's rows: on PostgreSQL in one round trip
 * (libpq's pipeline mode), elsewhere and inside a transaction one after another through
 * db_exec. outs[i] receives statement i's rows. Errors, the retry of an unsent or stale batch and
 * statement counting as db_exec; -1 at the first statement that failed. */
int db_exec_many(db_conn_t *c, arena_t *a, err_t *e, const db_query_t *q, size_t n,
                 db_result_t *outs);

/* Whether db_exec_many saves round trips here (PostgreSQL outside a transaction): callers that
 * would send a statement on a guess do it only then. */
bool db_pipelines(const db_conn_t *c);

/* Transactions: BEGIN / COMMIT / ROLLBACK on the connection (not nestable; use these, not
 * db_exec, so the connection knows). When the connection is lost inside a transaction, every
 * statement and the COMMIT answer 503 until db_rollback, which then succeeds: nothing of the
 * transaction runs on a fresh connection. A failed COMMIT leaves no transaction open. */
int db_begin(db_conn_t *c, arena_t *a, err_t *e);
int db_commit(db_conn_t *c, arena_t *a, err_t *e);
int db_rollback(db_conn_t *c, arena_t *a, err_t *e);

/* Statements run since db_new, BEGIN/COMMIT/ROLLBACK included, a transparent retry counted once
 * (tests prove bounded round trips with it). */
uint64_t db_statement_count(const db_conn_t *c);

/* Whether INSERT ... RETURNING works on the open connection: PostgreSQL, SQLite 3.35+, MariaDB
 * 10.5+ (not MySQL). Multi-row inserts use it to learn every new key in one statement. False
 * while the connection is not open. */
bool db_insert_returning(db_conn_t *c);

/* The cell at (row, col) of r, or NULL when out of range. */
const db_value_t *db_cell(const db_result_t *r, size_t row, size_t col);

#endif
