/*
 * Private to lib/db: the small vtable each backend (pg.c, mysql.c, sqlite.c) fills in, the
 * connection object they share, and the helpers db.c offers them (statement cache, result
 * building, Directus error shapes). Nothing outside lib/db and its tests includes this header.
 *
 * Division of work: db.c owns the policy (lazy connect, one transparent retry, 503 on a lost
 * server, transaction state, statement counting); a driver only talks to its library and reports
 * what happened through a db_drv_status_t.
 */
#ifndef LIB_DB_DRIVER_H
#define LIB_DB_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/db/db.h"

/* How a driver call ended. Only DB_DRV_ERROR has set the err_t. */
typedef enum {
    DB_DRV_OK = 0,
    DB_DRV_ERROR = -1,       /* e is set (constraint, syntax, ...); the connection is fine */
    DB_DRV_LOST = -2,        /* the server went away; the statement may have run */
    DB_DRV_LOST_UNSENT = -3, /* the server went away before the statement reached it */
    DB_DRV_STALE = -4,       /* a cached statement was invalid (dropped); nothing ran */
} db_drv_status_t;

/*
 * Prepared statement cache entry, keyed by SQL text (PG appends a parameter-type signature).
 * Entries sit in a hash table for lookup and in a list ordered by last use for eviction.
 */
typedef struct db_stmt {
    struct db_stmt *hnext;       /* hash chain */
    struct db_stmt *prev, *next; /* use order: head is the most recent */
    uint64_t hash;
    void *h; /* the driver's handle: PG statement name, MYSQL_STMT, sqlite3_stmt */
    size_t keylen;
    char key[]; /* keylen bytes, then a NUL */
} db_stmt_t;

/* The cap keeps server-side memory bounded (PG plans, MySQL max_prepared_stmt_count is shared by
 * every worker) while still holding every statement a Directus workload repeats. */
#define DB_CACHE_CAP 256
#define DB_CACHE_BUCKETS 512 /* power of two, about twice the cap */

typedef struct {
    db_stmt_t *buckets[DB_CACHE_BUCKETS];
    db_stmt_t *head, *tail;
    size_t n;
    uint64_t hits, misses; /* for tests and statistics */
} db_cache_t;

typedef enum { DB_TXN_NONE, DB_TXN_OPEN, DB_TXN_LOST } db_txn_t;

typedef struct db_driver db_driver_t;

struct db_conn {
    const db_driver_t *drv;
    const conf_t *conf;
    void *h;           /* PGconn *, MYSQL *, sqlite3 *; NULL while closed */
    uint64_t seq;      /* driver counter (PG statement names) */
    uint64_t nstmt;    /* statements sent since db_new */
    uint64_t nconnect; /* successful opens since db_new (tests observe reconnects) */
    db_txn_t txn;
    db_cache_t cache;
};

struct db_driver {
    const char *name; /* DB_CLIENT name */
    db_dialect_t dialect;
    const char *begin_sql;
    /* Opens c->h from c->conf. 0, or -1 after logging why (never credentials). */
    int (*open)(db_conn_t *c);
    /* Drops every cached statement and closes c->h (NULL afterwards). Safe when closed. */
    void (*close)(db_conn_t *c);
    /* Runs one statement with bound values; fills *out (never NULL here). */
    db_drv_status_t (*exec)(db_conn_t *c, arena_t *a, err_t *e, const char *sql,
                            const db_value_t *params, size_t n, db_result_t *out);
    /* Runs n statements in one round trip (NULL: the driver cannot; db.c loops over exec).
     * Stops reporting at the first statement that failed: its status, e set for an error. */
    db_drv_status_t (*exec_many)(db_conn_t *c, arena_t *a, err_t *e, const db_query_t *q,
                                 size_t n, db_result_t *outs);
    /* Runs a parameterless statement that returns no rows (BEGIN, COMMIT, ROLLBACK). */
    db_drv_status_t (*run)(db_conn_t *c, arena_t *a, err_t *e, const char *sql);
    /* Releases one cached statement handle (eviction, or close with c->h still set). */
    void (*stmt_free)(db_conn_t *c, void *h);
    /* Whether the open server takes INSERT ... RETURNING (NULL: always). */
    bool (*returning)(db_conn_t *c);
};

extern const db_driver_t db_pg_driver;
extern const db_driver_t db_mysql_driver;
extern const db_driver_t db_sqlite_driver;

/* Statement cache. get: the entry for key (moved to the front) or NULL, counting hits and misses.
 * put: stores h under key, evicting the least recently used entry through drv->stmt_free when the
 * cache is full; the entry is heap memory owned by the cache. drop: frees one entry (its handle
 * through stmt_free). clear: drops them all. */
db_stmt_t *db_cache_get(db_conn_t *c, const char *key, size_t keylen);
db_stmt_t *db_cache_put(db_conn_t *c, const char *key, size_t keylen, void *h);
void db_cache_drop(db_conn_t *c, db_stmt_t *s);
void db_cache_clear(db_conn_t *c);

/* Result building in the request arena. rows_grow makes room for one more row and returns its
 * cells (ncols entries, zeroed); *cap tracks the capacity in rows. */
db_column_t *db_cols_new(arena_t *a, db_result_t *r, size_t ncols);
db_value_t *db_rows_grow(arena_t *a, db_result_t *r, size_t *cap);

/* The Directus constraint errors (RECORD_NOT_UNIQUE, NOT_NULL_VIOLATION, VALUE_TOO_LONG,
 * VALUE_OUT_OF_RANGE, INVALID_FOREIGN_KEY, CONTAINS_NULL_VALUES) with their exact messages and the
 * "collection" and "field" extensions; either may be NULL (JSON null, left out of the message).
 * primary_key >= 0 adds the boolean "primaryKey" extension (MySQL's RECORD_NOT_UNIQUE), -1 leaves
 * it out. Returns DB_DRV_ERROR. */
typedef struct {
    err_code_t code;
    const char *collection, *field;
    int primary_key;
} db_constraint_t;
db_drv_status_t db_fail_constraint(err_t *e, arena_t *a, const db_constraint_t *k);

/* INTERNAL_SERVER_ERROR "An unexpected error occurred." plus one log line naming the driver, its
 * error code, its message (callers pass it through db_mask_quoted when it may echo values) and
 * the SQL text, which only ever holds placeholders. Returns DB_DRV_ERROR. */
db_drv_status_t db_fail_internal(const db_conn_t *c, err_t *e, arena_t *a, const char *code,
                                 const char *msg, const char *sql);

/* Copy of msg with the contents of every q-quoted run replaced by '?', for logging driver messages
 * that may quote a bound value. In a. */
const char *db_mask_quoted(arena_t *a, const char *msg, char q);

/* The n-th (0-based) run of s enclosed in open...close, copied into a; NULL when there is none. */
const char *db_enclosed(arena_t *a, const char *s, char open, char close, int n);

#endif
