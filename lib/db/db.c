/*
 * The driver-independent half of lib/db: picks the backend for DB_CLIENT, opens the connection
 * lazily, retries a statement once when the server went away before it was sent, turns a lost
 * server into 503 SERVICE_UNAVAILABLE, tracks the transaction so that nothing is retried or
 * silently re-run outside it after a reconnect, and counts statements. It also holds what the
 * three backends share: the LRU statement cache, result building and the Directus error shapes.
 */
#include "lib/db/db.h"

#include <stdlib.h>
#include <string.h>

#include "lib/core/json.h"
#include "lib/core/log.h"
#include "lib/db/driver.h"

/* The reasons in `Service "database" is unavailable. <reason>.`; never host, user or password. */
#define REASON_LOST "Database connection lost"
#define REASON_CONNECT "Database connection failed"

static const db_driver_t *driver_for(const char *client)
{
    if (!client || !strcmp(client, "sqlite3") || !strcmp(client, "sqlite"))
        return &db_sqlite_driver;
    if (!strcmp(client, "pg") || !strcmp(client, "postgres") || !strcmp(client, "postgresql"))
        return &db_pg_driver;
    if (!strcmp(client, "mysql") || !strcmp(client, "mariadb"))
        return &db_mysql_driver;
    return NULL;
}

db_conn_t *db_new(const conf_t *conf)
{
    const db_driver_t *drv = driver_for(conf->db_client);
    if (!drv) {
        /* conf_load only lets the three clients through: anything else is a programming error. */
        log_error("db: unknown DB_CLIENT \"%s\"", conf->db_client);
        abort();
    }
    db_conn_t *c = calloc(1, sizeof(*c));
    if (!c) {
        log_error("db: out of memory");
        abort();
    }
    c->drv = drv;
    c->conf = conf;
    return c;
}

void db_free(db_conn_t *c)
{
    if (!c)
        return;
    c->drv->close(c);
    free(c);
}

db_dialect_t db_dialect(const db_conn_t *c)
{
    return c->drv->dialect;
}

const char *db_client_name(const db_conn_t *c)
{
    return c->drv->name;
}

uint64_t db_statement_count(const db_conn_t *c)
{
    return c->nstmt;
}

const db_value_t *db_cell(const db_result_t *r, size_t row, size_t col)
{
    if (row >= r->nrows || col >= r->ncols)
        return NULL;
    return &r->cells[row * r->ncols + col];
}

/* ---- connection and statement policy ---------------------------------------------------- */

int db_connect(db_conn_t *c, arena_t *a, err_t *e)
{
    if (c->h)
        return 0;
    if (c->drv->open(c) != 0)
        return err_service_unavailable(e, a, "database", REASON_CONNECT);
    c->nconnect++;
    return 0;
}

/* Forgets the connection and every statement prepared on it. A transaction that was open is
 * gone with it (the server rolled it back): remember that until the caller rolls back, so no
 * later statement of that transaction runs on a fresh connection in autocommit mode. */
static void drop_connection(db_conn_t *c)
{
    c->drv->close(c);
    if (c->txn == DB_TXN_OPEN)
        c->txn = DB_TXN_LOST;
}

static int lost(db_conn_t *c, arena_t *a, err_t *e)
{
    drop_connection(c);
    return err_service_unavailable(e, a, "database", REASON_LOST);
}

static int finish(db_conn_t *c, arena_t *a, err_t *e, db_drv_status_t st)
{
    switch (st) {
    case DB_DRV_OK:
        return 0;
    case DB_DRV_ERROR:
        return -1;
    case DB_DRV_LOST:
    case DB_DRV_LOST_UNSENT:
        log_warn("db %s: connection lost", c->drv->name);
        return lost(c, a, e);
    case DB_DRV_STALE:
        break;
    }
    /* Inside a transaction (PG has aborted it already), or stale again right after re-preparing. */
    log_error("db %s: prepared statement invalidated by a schema change", c->drv->name);
    return err_set(e, a, ERR_INTERNAL_SERVER_ERROR, NULL);
}

/* A statement that never reached the server, or whose cached form was stale, is run once more —
 * but only outside a transaction: inside one, the statements before it would be lost with the old
 * connection (or PG has aborted the transaction), so the caller must see the failure. */
static bool retryable(const db_conn_t *c, db_drv_status_t st)
{
    return c->txn == DB_TXN_NONE && (st == DB_DRV_LOST_UNSENT || st == DB_DRV_STALE);
}

static int reopen(db_conn_t *c, arena_t *a, err_t *e, db_drv_status_t st)
{
    if (st != DB_DRV_LOST_UNSENT)
        return 0;
    log_info("db %s: connection lost before sending, reconnecting", c->drv->name);
    c->drv->close(c);
    return db_connect(c, a, e);
}

int db_exec(db_conn_t *c, arena_t *a, err_t *e, const char *sql, const db_value_t *params, size_t n,
            db_result_t *out)
{
    db_result_t scratch;
    if (!out)
        out = &scratch;
    memset(out, 0, sizeof(*out));
    if (c->txn == DB_TXN_LOST)
        return err_service_unavailable(e, a, "database", REASON_LOST);
    if (db_connect(c, a, e))
        return -1;
    c->nstmt++;
    db_drv_status_t st = c->drv->exec(c, a, e, sql, params, n, out);
    if (retryable(c, st)) {
        if (reopen(c, a, e, st))
            return -1;
        memset(out, 0, sizeof(*out));
        st = c->drv->exec(c, a, e, sql, params, n, out);
    }
    return finish(c, a, e, st);
}

bool db_pipelines(const db_conn_t *c)
{
    return c->drv->exec_many && c->txn == DB_TXN_NONE;
}

int db_exec_many(db_conn_t *c, arena_t *a, err_t *e, const db_query_t *q, size_t n,
                 db_result_t *outs)
{
    memset(outs, 0, n * sizeof *outs);
    if (!db_pipelines(c)) {
        for (size_t i = 0; i < n; i++)
            if (db_exec(c, a, e, q[i].sql, q[i].params, q[i].nparams, &outs[i]) < 0)
                return -1;
        return 0;
    }
    if (db_connect(c, a, e))
        return -1;
    c->nstmt += n;
    db_drv_status_t st = c->drv->exec_many(c, a, e, q, n, outs);
    if (retryable(c, st)) {
        if (reopen(c, a, e, st))
            return -1;
        memset(outs, 0, n * sizeof *outs);
        st = c->drv->exec_many(c, a, e, q, n, outs);
    }
    return finish(c, a, e, st);
}

/* BEGIN / COMMIT / ROLLBACK through the driver's plain path (not cached, never retried except a
 * BEGIN that did not reach the server). */
static db_drv_status_t run(db_conn_t *c, arena_t *a, err_t *e, const char *sql)
{
    c->nstmt++;
    db_drv_status_t st = c->drv->run(c, a, e, sql);
    if (st == DB_DRV_LOST_UNSENT && c->txn == DB_TXN_NONE && !reopen(c, a, e, st))
        st = c->drv->run(c, a, e, sql);
    return st;
}

int db_begin(db_conn_t *c, arena_t *a, err_t *e)
{
    if (c->txn != DB_TXN_NONE) {
        /* Nesting is a caller bug; refusing keeps the outer transaction intact. */
        log_error("db %s: db_begin inside a transaction", c->drv->name);
        return err_set(e, a, ERR_INTERNAL_SERVER_ERROR, NULL);
    }
    if (db_connect(c, a, e))
        return -1;
    if (finish(c, a, e, run(c, a, e, c->drv->begin_sql)))
        return -1;
    c->txn = DB_TXN_OPEN;
    return 0;
}

/* On failure the transaction is over either way: the server rolled it back (PG aborts on a failed
 * COMMIT, a lost connection takes it along), or we roll it back here so that the connection never
 * stays inside a half-finished transaction (SQLite keeps it open after SQLITE_BUSY). */
int db_commit(db_conn_t *c, arena_t *a, err_t *e)
{
    if (c->txn == DB_TXN_LOST) {
        c->txn = DB_TXN_NONE;
        return err_service_unavailable(e, a, "database", REASON_LOST);
    }
    if (c->txn == DB_TXN_NONE) {
        log_error("db %s: db_commit outside a transaction", c->drv->name);
        return err_set(e, a, ERR_INTERNAL_SERVER_ERROR, NULL);
    }
    db_drv_status_t st = run(c, a, e, "COMMIT");
    if (st == DB_DRV_ERROR) {
        err_t ignored = {0};
        c->nstmt++;
        c->drv->run(c, a, &ignored, "ROLLBACK");
    }
    c->txn = DB_TXN_NONE;
    return finish(c, a, e, st);
}

/* Rolling back a transaction whose connection is gone succeeds: the server already discarded it. */
int db_rollback(db_conn_t *c, arena_t *a, err_t *e)
{
    db_txn_t was = c->txn;
    c->txn = DB_TXN_NONE;
    if (was != DB_TXN_OPEN)
        return 0;
    c->nstmt++;
    db_drv_status_t st = c->drv->run(c, a, e, "ROLLBACK");
    if (st == DB_DRV_LOST || st == DB_DRV_LOST_UNSENT) {
        log_warn("db %s: connection lost during ROLLBACK", c->drv->name);
        drop_connection(c);
        return 0;
    }
    return finish(c, a, e, st);
}

/* ---- statement cache --------------------------------------------------------------------- */

/* FNV-1a over 8-byte words, then the bytes left: a key is a whole statement, kilobytes for a
 * relational read, hashed on every execution. A multiply only carries upwards, so each step
 * folds the high half back down: the bucket index (the low bits) depends on every byte. */
static uint64_t hash_key(const char *k, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, k + i, sizeof w);
        h = (h ^ w) * 1099511628211ULL;
        h ^= h >> 32;
    }
    for (; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 1099511628211ULL;
    return h;
}

static db_stmt_t **bucket(db_cache_t *k, uint64_t hash)
{
    return &k->buckets[hash & (DB_CACHE_BUCKETS - 1)];
}

static void list_unlink(db_cache_t *k, db_stmt_t *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        k->head = s->next;
    if (s->next)
        s->next->prev = s->prev;
    else
        k->tail = s->prev;
    s->prev = s->next = NULL;
}

static void list_push_front(db_cache_t *k, db_stmt_t *s)
{
    s->prev = NULL;
    s->next = k->head;
    if (k->head)
        k->head->prev = s;
    k->head = s;
    if (!k->tail)
        k->tail = s;
}

db_stmt_t *db_cache_get(db_conn_t *c, const char *key, size_t keylen)
{
    db_cache_t *k = &c->cache;
    uint64_t hash = hash_key(key, keylen);
    for (db_stmt_t *s = *bucket(k, hash); s; s = s->hnext) {
        if (s->hash == hash && s->keylen == keylen && !memcmp(s->key, key, keylen)) {
            list_unlink(k, s);
            list_push_front(k, s);
            k->hits++;
            return s;
        }
    }
    k->misses++;
    return NULL;
}

void db_cache_drop(db_conn_t *c, db_stmt_t *s)
{
    db_cache_t *k = &c->cache;
    db_stmt_t **pp = bucket(k, s->hash);
    while (*pp != s)
        pp = &(*pp)->hnext;
    *pp = s->hnext;
    list_unlink(k, s);
    k->n--;
    c->drv->stmt_free(c, s->h);
    free(s);
}

db_stmt_t *db_cache_put(db_conn_t *c, const char *key, size_t keylen, void *h)
{
    db_cache_t *k = &c->cache;
    if (k->n >= DB_CACHE_CAP)
        db_cache_drop(c, k->tail);
    db_stmt_t *s = malloc(sizeof(*s) + keylen + 1);
    if (!s) {
        log_error("db: out of memory");
        abort();
    }
    memset(s, 0, sizeof(*s));
    s->hash = hash_key(key, keylen);
    s->h = h;
    s->keylen = keylen;
    memcpy(s->key, key, keylen);
    s->key[keylen] = '\0';
    db_stmt_t **b = bucket(k, s->hash);
    s->hnext = *b;
    *b = s;
    list_push_front(k, s);
    k->n++;
    return s;
}

void db_cache_clear(db_conn_t *c)
{
    while (c->cache.head)
        db_cache_drop(c, c->cache.head);
}

/* ---- results ----------------------------------------------------------------------------- */

db_column_t *db_cols_new(arena_t *a, db_result_t *r, size_t ncols)
{
    db_column_t *cols = arena_calloc(a, ncols ? ncols : 1, sizeof(*cols));
    r->ncols = ncols;
    r->cols = cols;
    return cols;
}

db_value_t *db_rows_grow(arena_t *a, db_result_t *r, size_t *cap)
{
    size_t row = sizeof(db_value_t) * r->ncols;
    if (r->nrows == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        r->cells = arena_realloc(a, (void *)r->cells, *cap * row, ncap * row);
        *cap = ncap;
    }
    db_value_t *cells = (db_value_t *)r->cells + r->nrows * r->ncols;
    memset(cells, 0, row);
    r->nrows++;
    return cells;
}

/* ---- errors ------------------------------------------------------------------------------ */

/* Directus builds these messages from optional parts (packages/errors): head, then
 * ` for field "f"` and ` in collection "c"` when known, then the tail. */
static const struct {
    err_code_t code;
    const char *head, *tail;
} shapes[] = {
    {ERR_RECORD_NOT_UNIQUE, "Value", " has to be unique."},
    {ERR_NOT_NULL_VIOLATION, "Value", " can't be null."},
    {ERR_VALUE_TOO_LONG, "Value", " is too long."},
    {ERR_VALUE_OUT_OF_RANGE, "Numeric value", " is out of range."},
    {ERR_INVALID_FOREIGN_KEY, "Invalid foreign key", "."},
};

static const char *constraint_message(arena_t *a, const db_constraint_t *k)
{
    if (k->code == ERR_CONTAINS_NULL_VALUES)
        return arena_printf(a, "Field \"%s\" in collection \"%s\" contains null values.",
                            k->field ? k->field : "", k->collection ? k->collection : "");
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        if (shapes[i].code != k->code)
            continue;
        buf_t b;
        buf_init(&b, a, 96);
        buf_puts(&b, shapes[i].head);
        if (k->field)
            buf_printf(&b, " for field \"%s\"", k->field);
        if (k->collection)
            buf_printf(&b, " in collection \"%s\"", k->collection);
        buf_puts(&b, shapes[i].tail);
        return b.p;
    }
    return NULL;
}

db_drv_status_t db_fail_constraint(err_t *e, arena_t *a, const db_constraint_t *k)
{
    if (err_is_set(e))
        return DB_DRV_ERROR;
    err_set(e, a, k->code, "%s", constraint_message(a, k));
    err_ext_str(e, a, "collection", k->collection);
    err_ext_str(e, a, "field", k->field);
    if (k->primary_key >= 0)
        json_object_object_add(e->ext, "primaryKey", json_object_new_boolean(k->primary_key));
    return DB_DRV_ERROR;
}

db_drv_status_t db_fail_internal(const db_conn_t *c, err_t *e, arena_t *a, const char *code,
                                 const char *msg, const char *sql)
{
    log_error("db %s: [%s] %s; statement: %.400s", c->drv->name, code ? code : "-",
              msg ? msg : "(no message)", sql ? sql : "-");
    err_set(e, a, ERR_INTERNAL_SERVER_ERROR, NULL);
    return DB_DRV_ERROR;
}

const char *db_mask_quoted(arena_t *a, const char *msg, char q)
{
    size_t n = strlen(msg);
    char *out = arena_alloc(a, 2 * n + 1); /* an opening quote becomes two bytes */
    size_t j = 0;
    bool inside = false;
    for (size_t i = 0; i < n; i++) {
        if (msg[i] == q) {
            out[j++] = q;
            if (!inside)
                out[j++] = '?';
            inside = !inside;
        } else if (!inside) {
            out[j++] = msg[i];
        }
    }
    out[j] = '\0';
    return out;
}

const char *db_enclosed(arena_t *a, const char *s, char open, char close, int n)
{
    for (int i = 0; s && (s = strchr(s, open)); i++) {
        const char *end = strchr(s + 1, close);
        if (!end)
            return NULL;
        if (i == n)
            return arena_strndup(a, s + 1, (size_t)(end - s - 1));
        s = end + 1;
    }
    return NULL;
}

bool db_insert_returning(db_conn_t *c)
{
    if (!c->h)
        return false;
    return !c->drv->returning || c->drv->returning(c);
}
