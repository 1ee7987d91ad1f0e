/*
 * SQLite backend. The database file (DB_FILENAME; ":memory:" in tests) is opened read-write and
 * created when missing, with foreign keys enforced as Directus does (PRAGMA foreign_keys = ON, per
 * connection) and a busy timeout so that workers writing the same file wait for each other instead
 * of failing at once. Statements are compiled once per connection and kept in the LRU cache keyed
 * by SQL text; values are bound by index (?n) and read back by storage class. Every result byte is
 * copied into the request arena, because sqlite3_column_* pointers die at the next step or reset.
 * An SQLite database never "goes away", so this driver never reports a lost connection.
 */
#include "lib/db/driver.h"

#include <ctype.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>
#include <strings.h>

#include "lib/core/log.h"

/* How long a writer waits for another worker's write lock before SQLITE_BUSY. */
#define BUSY_TIMEOUT_MS 5000

static sqlite3 *handle(db_conn_t *c)
{
    return c->h;
}

/* ---- sum(), avg(), total() as SQLite 3.43+ computes them ----------------------------------
 * SQLite 3.43 switched these aggregates to Kahan-Babuska-Neumaier summation; Directus's
 * node-sqlite3 bundles such a version, so float sums and averages differ in the last digits on
 * an older system library (Debian 12 ships 3.40). With an older library the same algorithm is
 * registered under the same names, which take precedence over the built-ins. */

typedef struct {
    double sum, err;
    sqlite3_int64 isum, cnt;
    int approx, overflow;
} kbn_t;

static void kbn_step_double(kbn_t *p, volatile double r)
{
    volatile double s = p->sum;
    volatile double t = s + r;
    if (fabs(s) > fabs(r))
        p->err += (s - t) + r;
    else
        p->err += (r - t) + s;
    p->sum = t;
}

static void kbn_step_int(kbn_t *p, sqlite3_int64 v)
{
    if (v <= -4503599627370496LL || v >= 4503599627370496LL) {
        sqlite3_int64 small = v % 16384;
        kbn_step_double(p, (double)(v - small));
        kbn_step_double(p, (double)small);
    } else {
        kbn_step_double(p, (double)v);
    }
}

static void kbn_init(kbn_t *p, sqlite3_int64 v)
{
    if (v <= -4503599627370496LL || v >= 4503599627370496LL) {
        sqlite3_int64 small = v % 16384;
        p->sum = (double)(v - small);
        p->err = (double)small;
    } else {
        p->sum = (double)v;
        p->err = 0.0;
    }
}

static void kbn_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    kbn_t *p = sqlite3_aggregate_context(ctx, sizeof *p);
    int type = sqlite3_value_numeric_type(argv[0]);
    if (!p || type == SQLITE_NULL)
        return;
    p->cnt++;
    if (!p->approx) {
        if (type != SQLITE_INTEGER) {
            kbn_init(p, p->isum);
            p->approx = 1;
            kbn_step_double(p, sqlite3_value_double(argv[0]));
        } else {
            sqlite3_int64 v = sqlite3_value_int64(argv[0]), x;
            if (!__builtin_add_overflow(p->isum, v, &x)) {
                p->isum = x;
            } else {
                p->overflow = 1;
                kbn_init(p, p->isum);
                p->approx = 1;
                kbn_step_int(p, v);
            }
        }
    } else if (type == SQLITE_INTEGER) {
        kbn_step_int(p, sqlite3_value_int64(argv[0]));
    } else {
        p->overflow = 0;
        kbn_step_double(p, sqlite3_value_double(argv[0]));
    }
}

static double kbn_value(const kbn_t *p)
{
    if (!p->approx)
        return (double)p->isum;
    return isinf(p->err) || isnan(p->err) ? p->sum : p->sum + p->err;
}

static void kbn_sum_final(sqlite3_context *ctx)
{
    kbn_t *p = sqlite3_aggregate_context(ctx, 0);
    if (!p || !p->cnt)
        return;
    if (p->approx && p->overflow)
        sqlite3_result_error(ctx, "integer overflow", -1);
    else if (p->approx)
        sqlite3_result_double(ctx, kbn_value(p));
    else
        sqlite3_result_int64(ctx, p->isum);
}

static void kbn_avg_final(sqlite3_context *ctx)
{
    kbn_t *p = sqlite3_aggregate_context(ctx, 0);
    if (p && p->cnt)
        sqlite3_result_double(ctx, kbn_value(p) / (double)p->cnt);
}

static void kbn_total_final(sqlite3_context *ctx)
{
    kbn_t *p = sqlite3_aggregate_context(ctx, 0);
    sqlite3_result_double(ctx, p ? kbn_value(p) : 0.0);
}

static void register_kbn(sqlite3 *db)
{
    if (sqlite3_libversion_number() >= 3043000)
        return;
    int f = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    sqlite3_create_function_v2(db, "sum", 1, f, NULL, NULL, kbn_step, kbn_sum_final, NULL);
    sqlite3_create_function_v2(db, "avg", 1, f, NULL, NULL, kbn_step, kbn_avg_final, NULL);
    sqlite3_create_function_v2(db, "total", 1, f, NULL, NULL, kbn_step, kbn_total_final, NULL);
}

static int sqlite_open(db_conn_t *c)
{
    const char *file = c->conf->db_filename ? c->conf->db_filename : c->conf->db_connection_string;
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(file ? file : "", &db, flags, NULL);
    if (rc != SQLITE_OK) {
        log_error("db sqlite3: cannot open the database: %s",
                  db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close_v2(db);
        return -1;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    if (sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK) {
        log_error("db sqlite3: cannot enable foreign keys: %s", sqlite3_errmsg(db));
        sqlite3_close_v2(db);
        return -1;
    }
    register_kbn(db);
    c->h = db;
    return 0;
}

static void sqlite_stmt_free(db_conn_t *c, void *h)
{
    (void)c;
    sqlite3_finalize(h);
}

static void sqlite_close(db_conn_t *c)
{
    db_cache_clear(c);
    sqlite3_close_v2(handle(c));
    c->h = NULL;
}

/* ---- errors ------------------------------------------------------------------------------ */

/* "UNIQUE constraint failed: t.a, t.b": Directus takes the last "table.column" of the message. */
static bool split_target(arena_t *a, const char *msg, const char **table, const char **column)
{
    const char *last = strrchr(msg, ' ');
    last = last ? last + 1 : msg;
    const char *dot = strchr(last, '.');
    if (!dot || dot == last || !dot[1])
        return false;
    const char *end = strchr(dot + 1, '.');
    *table = arena_strndup(a, last, (size_t)(dot - last));
    *column = arena_strndup(a, dot + 1, end ? (size_t)(end - dot - 1) : strlen(dot + 1));
    return true;
}

/* SQLite has no length or range limits, so only three constraint kinds map; CHECK failures and
 * everything else are unexpected errors, as in Directus. */
static db_drv_status_t map_error(db_conn_t *c, arena_t *a, err_t *e, const char *sql)
{
    sqlite3 *db = handle(c);
    int code = sqlite3_extended_errcode(db);
    const char *msg = sqlite3_errmsg(db);
    db_constraint_t k = {ERR_NONE, NULL, NULL, -1};
    switch (code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        k.code = ERR_RECORD_NOT_UNIQUE;
        break;
    case SQLITE_CONSTRAINT_NOTNULL:
        k.code = ERR_NOT_NULL_VIOLATION;
        break;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        /* SQLite does not say which key failed. */
        k.code = ERR_INVALID_FOREIGN_KEY;
        return db_fail_constraint(e, a, &k);
    default:
        return db_fail_internal(c, e, a, sqlite3_errstr(code), msg, sql);
    }
    if (!split_target(a, msg, &k.collection, &k.field))
        return db_fail_internal(c, e, a, sqlite3_errstr(code), msg, sql);
    /* Table rebuilds (knex's ALTER emulation) copy rows into _knex_temp_alter*: a NULL there means
     * existing rows break a new NOT NULL, which Directus reports as CONTAINS_NULL_VALUES. */
    if (k.code == ERR_NOT_NULL_VIOLATION && !strncmp(k.collection, "_knex_temp_alter", 16))
        k.code = ERR_CONTAINS_NULL_VALUES;
    return db_fail_constraint(e, a, &k);
}

/* ---- statements -------------------------------------------------------------------------- */

static bool blank(const char *s)
{
    while (*s && (isspace((unsigned char)*s) || *s == ';'))
        s++;
    return *s == '\0';
}

/* The cached statement for sql, compiled on a miss. One statement per call: a second statement
 * in the text would be silently ignored by SQLite, so it is refused. */
static sqlite3_stmt *prepare(db_conn_t *c, arena_t *a, err_t *e, const char *sql)
{
    size_t len = strlen(sql);
    db_stmt_t *s = db_cache_get(c, sql, len);
    if (s)
        return s->h;
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    if (sqlite3_prepare_v3(handle(c), sql, (int)len, SQLITE_PREPARE_PERSISTENT, &st, &tail)) {
        map_error(c, a, e, sql);
        return NULL;
    }
    if (!st || !blank(tail)) {
        sqlite3_finalize(st);
        db_fail_internal(c, e, a, NULL, "expected exactly one SQL statement", sql);
        return NULL;
    }
    db_cache_put(c, sql, len, st);
    return st;
}

static int bind_one(sqlite3_stmt *st, int i, const db_value_t *v)
{
    /* SQLITE_STATIC: the values outlive the statement's use, which ends with the reset in exec.
     * A NULL pointer would bind SQL NULL, so empty values point at "". */
    const char *p = v->s.p ? v->s.p : "";
    switch (v->type) {
    case DB_NULL:
        return sqlite3_bind_null(st, i);
    case DB_INT:
        return sqlite3_bind_int64(st, i, v->i);
    case DB_BOOL:
        return sqlite3_bind_int64(st, i, v->i ? 1 : 0);
    case DB_FLOAT:
        return sqlite3_bind_double(st, i, v->f);
    case DB_TEXT:
        return sqlite3_bind_text64(st, i, p, v->s.n, SQLITE_STATIC, SQLITE_UTF8);
    case DB_BLOB:
        return sqlite3_bind_blob64(st, i, p, v->s.n, SQLITE_STATIC);
    }
    return SQLITE_MISUSE;
}

static db_drv_status_t bind_all(db_conn_t *c, arena_t *a, err_t *e, sqlite3_stmt *st,
                                const db_value_t *params, size_t n, const char *sql)
{
    if ((size_t)sqlite3_bind_parameter_count(st) != n) {
        const char *m = arena_printf(a, "statement has %d placeholders, %zu values given",
                                     sqlite3_bind_parameter_count(st), n);
        return db_fail_internal(c, e, a, NULL, m, sql);
    }
    for (size_t i = 0; i < n; i++)
        if (bind_one(st, (int)i + 1, &params[i]) != SQLITE_OK)
            return map_error(c, a, e, sql);
    return DB_DRV_OK;
}

/* ---- results ----------------------------------------------------------------------------- */

/* Declared column type → Directus-relevant kind, in the spirit of SQLite's affinity rules
 * (substring matches, most specific first). Expressions have no declared type. */
static db_coltype_t coltype(const char *decl)
{
    static const struct {
        const char *needle;
        db_coltype_t type;
    } rules[] = {
        {"BOOL", DB_COL_BOOL},       {"DATETIME", DB_COL_DATETIME}, {"TIMESTAMP", DB_COL_TIMESTAMP},
        {"DATE", DB_COL_DATE},       {"TIME", DB_COL_TIME},         {"JSON", DB_COL_JSON},
        {"UUID", DB_COL_UUID},       {"INT", DB_COL_INT},           {"DEC", DB_COL_DECIMAL},
        {"NUMERIC", DB_COL_DECIMAL}, {"REAL", DB_COL_FLOAT},        {"FLOA", DB_COL_FLOAT},
        {"DOUB", DB_COL_FLOAT},      {"CHAR", DB_COL_TEXT},         {"CLOB", DB_COL_TEXT},
        {"TEXT", DB_COL_TEXT},       {"BLOB", DB_COL_BLOB},
    };
    if (!decl)
        return DB_COL_UNKNOWN;
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (strcasestr(decl, rules[i].needle))
            return rules[i].type;
    return DB_COL_UNKNOWN;
}

static void describe(arena_t *a, sqlite3_stmt *st, db_result_t *out)
{
    int n = sqlite3_column_count(st);
    db_column_t *cols = db_cols_new(a, out, (size_t)n);
    for (int i = 0; i < n; i++) {
        const char *name = sqlite3_column_name(st, i);
        cols[i].name = arena_strdup(a, name ? name : "");
        cols[i].type = coltype(sqlite3_column_decltype(st, i));
    }
}

static str_t copy_bytes(arena_t *a, const void *p, int n)
{
    char *d = arena_alloc(a, (size_t)n + 1);
    if (n > 0)
        memcpy(d, p, (size_t)n);
    d[n > 0 ? n : 0] = '\0';
    return (str_t){d, n > 0 ? (size_t)n : 0};
}

static void read_cell(arena_t *a, sqlite3_stmt *st, int i, db_value_t *v)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
        v->type = DB_INT;
        v->i = sqlite3_column_int64(st, i);
        break;
    case SQLITE_FLOAT:
        v->type = DB_FLOAT;
        v->f = sqlite3_column_double(st, i);
        break;
    case SQLITE_TEXT:
        v->type = DB_TEXT;
        v->s = copy_bytes(a, sqlite3_column_text(st, i), sqlite3_column_bytes(st, i));
        break;
    case SQLITE_BLOB:
        v->type = DB_BLOB;
        v->s = copy_bytes(a, sqlite3_column_blob(st, i), sqlite3_column_bytes(st, i));
        break;
    default:
        v->type = DB_NULL;
    }
}

/* INSERT and REPLACE are the statements whose rowid the caller may want. */
static bool inserts(const char *sql)
{
    while (isspace((unsigned char)*sql) || *sql == '(')
        sql++;
    return !strncasecmp(sql, "INSERT", 6) || !strncasecmp(sql, "REPLACE", 7);
}

static db_drv_status_t step_all(db_conn_t *c, arena_t *a, err_t *e, sqlite3_stmt *st,
                                const char *sql, db_result_t *out)
{
    sqlite3 *db = handle(c);
    sqlite3_int64 before = sqlite3_total_changes64(db);
    /* Columns are read after the first step: a schema change re-prepares the statement there. */
    int rc = sqlite3_step(st);
    describe(a, st, out);
    size_t cap = 0;
    while (rc == SQLITE_ROW) {
        db_value_t *row = db_rows_grow(a, out, &cap);
        for (size_t i = 0; i < out->ncols; i++)
            read_cell(a, st, (int)i, &row[i]);
        rc = sqlite3_step(st);
    }
    if (rc != SQLITE_DONE)
        return map_error(c, a, e, sql);
    /* sqlite3_changes() keeps the count of the last DML statement; only trust it when this
     * statement changed something. */
    if (sqlite3_total_changes64(db) != before)
        out->affected = sqlite3_changes64(db);
    if (out->affected > 0 && inserts(sql))
        out->last_insert_id = sqlite3_last_insert_rowid(db);
    return DB_DRV_OK;
}

static db_drv_status_t sqlite_exec(db_conn_t *c, arena_t *a, err_t *e, const char *sql,
                                   const db_value_t *params, size_t n, db_result_t *out)
{
    sqlite3_stmt *st = prepare(c, a, e, sql);
    if (!st)
        return DB_DRV_ERROR;
    db_drv_status_t r = bind_all(c, a, e, st, params, n, sql);
    if (r == DB_DRV_OK)
        r = step_all(c, a, e, st, sql, out);
    /* Ready for the next use, and no pointer into the caller's params is kept. */
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return r;
}

static db_drv_status_t sqlite_run(db_conn_t *c, arena_t *a, err_t *e, const char *sql)
{
    if (sqlite3_exec(handle(c), sql, NULL, NULL, NULL) != SQLITE_OK)
        return map_error(c, a, e, sql);
    return DB_DRV_OK;
}

static bool sqlite_returning(db_conn_t *c)
{
    (void)c;
    return sqlite3_libversion_number() >= 3035000;
}

/* Transactions start with BEGIN IMMEDIATE: db_begin is used for writes, and a deferred
 * transaction that reads first and writes later must upgrade its lock, which fails at once with
 * SQLITE_BUSY (the busy handler cannot help, it would deadlock) whenever another worker wrote in
 * between. Taking the write lock at BEGIN makes the busy timeout apply there instead. */
const db_driver_t db_sqlite_driver = {
    .name = "sqlite3",
    .dialect = DB_SQLITE,
    .begin_sql = "BEGIN IMMEDIATE",
    .open = sqlite_open,
    .close = sqlite_close,
    .exec = sqlite_exec,
    .run = sqlite_run,
    .stmt_free = sqlite_stmt_free,
    .returning = sqlite_returning,
};
