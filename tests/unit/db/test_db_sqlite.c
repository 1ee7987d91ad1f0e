/*
 * lib/db against SQLite :memory: — values of every type in and out, NULLs, the statement cache,
 * constraint errors in Directus's shapes, transactions, a 10 MB value and hostile text that must
 * stay a value. Each test gets a fresh connection (a fresh in-memory database) and arena.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/core/arena.h"
#include "lib/core/buf.h"
#include "lib/core/err.h"
#include "lib/core/log.h"
#include "lib/db/db.h"
#include "lib/db/driver.h"

typedef struct {
    conf_t conf;
    arena_t *a;
    db_conn_t *c;
    err_t e;
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof(*f));
    f->conf.db_client = "sqlite3";
    f->conf.db_filename = ":memory:";
    f->a = arena_new();
    f->c = db_new(&f->conf);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    db_free(f->c);
    arena_free(f->a);
    free(f);
    return 0;
}

static db_value_t V_INT(int64_t i)
{
    return (db_value_t){.type = DB_INT, .i = i};
}
static db_value_t V_TEXT(const char *s)
{
    return (db_value_t){.type = DB_TEXT, .s = str_c(s)};
}

/* Runs sql and asserts success. */
static db_result_t ok(fx_t *f, const char *sql, const db_value_t *p, size_t n)
{
    db_result_t r;
    int rc = db_exec(f->c, f->a, &f->e, sql, p, n, &r);
    if (rc)
        fail_msg("%s: %s", sql, f->e.message);
    return r;
}

/* Runs sql, asserts it fails with code, returns the rendered envelope. */
static const char *fails(fx_t *f, const char *sql, const db_value_t *p, size_t n, err_code_t code)
{
    memset(&f->e, 0, sizeof f->e);
    assert_int_equal(db_exec(f->c, f->a, &f->e, sql, p, n, NULL), -1);
    assert_int_equal(f->e.code, code);
    buf_t b;
    buf_init(&b, f->a, 256);
    err_render(&f->e, &b);
    memset(&f->e, 0, sizeof f->e);
    return b.p;
}

static void test_names(void **state)
{
    fx_t *f = *state;
    assert_int_equal(db_dialect(f->c), DB_SQLITE);
    assert_string_equal(db_client_name(f->c), "sqlite3");
    assert_int_equal(db_connect(f->c, f->a, &f->e), 0);
    assert_int_equal(db_statement_count(f->c), 0);
}

static void test_roundtrip_types(void **state)
{
    fx_t *f = *state;
    ok(f,
       "CREATE TABLE t (i integer, fl float, b boolean, s varchar(255), bl blob, d decimal(10,2), "
       "dt datetime, dd date, tm time, ts timestamp, j json, u uuid, x)",
       NULL, 0);
    static const char bytes[] = {'a', '\0', 'b', (char)0xff};
    db_value_t p[] = {
        V_INT(-9007199254740993LL),
        {.type = DB_FLOAT, .f = 0.1},
        {.type = DB_BOOL, .i = 1},
        V_TEXT("héllo"),
        {.type = DB_BLOB, .s = {bytes, sizeof bytes}},
        V_TEXT("12.50"),
        V_TEXT("2024-01-31 13:45:00"),
        V_TEXT("2024-01-31"),
        V_TEXT("13:45:00"),
        V_TEXT("2024-01-31T13:45:00.000Z"),
        V_TEXT("{\"a\":[1,2]}"),
        V_TEXT("8c3a1b52-1ad0-4ac2-8cf5-0e4bd6b1f8a0"),
        {.type = DB_FLOAT, .f = 2.5},
    };
    db_result_t r =
        ok(f, "INSERT INTO t VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)", p, 13);
    assert_int_equal(r.affected, 1);
    assert_int_equal(r.last_insert_id, 1);
    r = ok(f, "SELECT i, fl, b, s, bl, d, dt, dd, tm, ts, j, u, x, 1 + 1 AS expr FROM t", NULL, 0);
    assert_int_equal(r.nrows, 1);
    assert_int_equal(r.ncols, 14);
    assert_int_equal(r.affected, 0);
    static const db_coltype_t want[] = {
        DB_COL_INT,     DB_COL_FLOAT,    DB_COL_BOOL,    DB_COL_TEXT,    DB_COL_BLOB,
        DB_COL_DECIMAL, DB_COL_DATETIME, DB_COL_DATE,    DB_COL_TIME,    DB_COL_TIMESTAMP,
        DB_COL_JSON,    DB_COL_UUID,     DB_COL_UNKNOWN, DB_COL_UNKNOWN,
    };
    for (size_t i = 0; i < 14; i++)
        assert_int_equal(r.cols[i].type, want[i]);
    assert_string_equal(r.cols[0].name, "i");
    assert_string_equal(r.cols[13].name, "expr");
    assert_int_equal(db_cell(&r, 0, 0)->type, DB_INT);
    assert_true(db_cell(&r, 0, 0)->i == -9007199254740993LL);
    assert_int_equal(db_cell(&r, 0, 1)->type, DB_FLOAT);
    assert_true(db_cell(&r, 0, 1)->f == 0.1);
    /* SQLite has no boolean storage class: the value comes back as the integer it was bound as. */
    assert_int_equal(db_cell(&r, 0, 2)->type, DB_INT);
    assert_int_equal(db_cell(&r, 0, 2)->i, 1);
    assert_int_equal(db_cell(&r, 0, 3)->type, DB_TEXT);
    assert_true(str_eq_c(db_cell(&r, 0, 3)->s, "héllo"));
    assert_int_equal(db_cell(&r, 0, 4)->type, DB_BLOB);
    assert_int_equal(db_cell(&r, 0, 4)->s.n, sizeof bytes);
    assert_memory_equal(db_cell(&r, 0, 4)->s.p, bytes, sizeof bytes);
    /* decimal affinity turns "12.50" into the real 12.5: values follow the storage class. */
    assert_int_equal(db_cell(&r, 0, 5)->type, DB_FLOAT);
    assert_true(str_eq_c(db_cell(&r, 0, 6)->s, "2024-01-31 13:45:00"));
    assert_true(str_eq_c(db_cell(&r, 0, 10)->s, "{\"a\":[1,2]}"));
    assert_int_equal(db_cell(&r, 0, 12)->type, DB_FLOAT);
    assert_int_equal(db_cell(&r, 0, 13)->i, 2);
    assert_null(db_cell(&r, 1, 0));
    assert_null(db_cell(&r, 0, 14));
}

static void test_null_params(void **state)
{
    fx_t *f = *state;
    ok(f, "CREATE TABLE t (a integer, b text, c blob)", NULL, 0);
    db_value_t p[] = {{.type = DB_NULL}, {.type = DB_NULL}, {.type = DB_NULL}};
    ok(f, "INSERT INTO t VALUES (?1, ?2, ?3)", p, 3);
    /* An empty text is not NULL, and an empty blob neither. */
    db_value_t q[] = {V_INT(0), V_TEXT(""), {.type = DB_BLOB, .s = {NULL, 0}}};
    ok(f, "INSERT INTO t VALUES (?1, ?2, ?3)", q, 3);
    db_result_t r = ok(f, "SELECT a, b, c, b IS NULL, c IS NULL FROM t ORDER BY rowid", NULL, 0);
    assert_int_equal(r.nrows, 2);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(db_cell(&r, 0, i)->type, DB_NULL);
    assert_int_equal(db_cell(&r, 1, 1)->type, DB_TEXT);
    assert_int_equal(db_cell(&r, 1, 1)->s.n, 0);
    assert_int_equal(db_cell(&r, 1, 3)->i, 0);
    assert_int_equal(db_cell(&r, 1, 4)->i, 0);
    /* NULL compared with = matches nothing; IS matches. */
    db_value_t n[] = {{.type = DB_NULL}};
    assert_int_equal(ok(f, "SELECT 1 FROM t WHERE a = ?1", n, 1).nrows, 0);
    assert_int_equal(ok(f, "SELECT 1 FROM t WHERE a IS ?1", n, 1).nrows, 1);
}

static void test_statement_cache_hit(void **state)
{
    fx_t *f = *state;
    ok(f, "CREATE TABLE t (a integer)", NULL, 0);
    uint64_t n0 = db_statement_count(f->c), miss0 = f->c->cache.misses;
    const char *sql = "INSERT INTO t VALUES (?1)";
    db_value_t p = V_INT(1);
    ok(f, sql, &p, 1);
    db_stmt_t *s = db_cache_get(f->c, sql, strlen(sql));
    assert_non_null(s);
    void *h = s->h;
    for (int i = 0; i < 5; i++)
        ok(f, sql, &p, 1);
    assert_int_equal(db_statement_count(f->c), n0 + 6);
    assert_int_equal(f->c->cache.misses, miss0 + 1); /* prepared once */
    assert_ptr_equal(db_cache_get(f->c, sql, strlen(sql))->h, h);
    assert_int_equal(ok(f, "SELECT count(*) FROM t", NULL, 0).cells[0].i, 6);
}

static void test_statement_cache_lru(void **state)
{
    fx_t *f = *state;
    char sql[64];
    for (int i = 0; i < DB_CACHE_CAP + 44; i++) {
        snprintf(sql, sizeof sql, "SELECT %d", i);
        ok(f, sql, NULL, 0);
        if (i == 0)
            continue;
        /* Keep the very first statement warm: LRU must evict the others first. */
        ok(f, "SELECT 0", NULL, 0);
    }
    assert_int_equal(f->c->cache.n, DB_CACHE_CAP);
    assert_non_null(db_cache_get(f->c, "SELECT 0", 8));
    assert_null(db_cache_get(f->c, "SELECT 1", 8));
    snprintf(sql, sizeof sql, "SELECT %d", DB_CACHE_CAP + 43);
    assert_non_null(db_cache_get(f->c, sql, strlen(sql)));
    /* An evicted statement is simply prepared again. */
    assert_int_equal(ok(f, "SELECT 1", NULL, 0).cells[0].i, 1);
}

static void setup_schema(fx_t *f)
{
    ok(f, "CREATE TABLE authors (id integer PRIMARY KEY, name varchar(10) NOT NULL UNIQUE)", NULL,
       0);
    ok(f,
       "CREATE TABLE books (id integer PRIMARY KEY, author integer REFERENCES authors (id), "
       "pages integer CHECK (pages > 0))",
       NULL, 0);
    db_value_t p[] = {V_INT(1), V_TEXT("ann")};
    ok(f, "INSERT INTO authors (id, name) VALUES (?1, ?2)", p, 2);
}

static void test_unique(void **state)
{
    fx_t *f = *state;
    setup_schema(f);
    db_value_t p[] = {V_INT(2), V_TEXT("ann")};
    const char *env =
        fails(f, "INSERT INTO authors (id, name) VALUES (?1, ?2)", p, 2, ERR_RECORD_NOT_UNIQUE);
    assert_string_equal(env,
                        "{\"errors\":[{\"message\":\"Value for field \\\"name\\\" in collection "
                        "\\\"authors\\\" has to be unique.\",\"extensions\":{\"collection\":"
                        "\"authors\",\"field\":\"name\",\"code\":\"RECORD_NOT_UNIQUE\"}}]}");
    db_value_t q[] = {V_INT(1), V_TEXT("bob")};
    env = fails(f, "INSERT INTO authors (id, name) VALUES (?1, ?2)", q, 2, ERR_RECORD_NOT_UNIQUE);
    assert_non_null(strstr(env, "Value for field \\\"id\\\" in collection \\\"authors\\\""));
}

static void test_not_null(void **state)
{
    fx_t *f = *state;
    setup_schema(f);
    db_value_t p[] = {V_INT(2), {.type = DB_NULL}};
    const char *env =
        fails(f, "INSERT INTO authors (id, name) VALUES (?1, ?2)", p, 2, ERR_NOT_NULL_VIOLATION);
    assert_string_equal(env,
                        "{\"errors\":[{\"message\":\"Value for field \\\"name\\\" in collection "
                        "\\\"authors\\\" can't be null.\",\"extensions\":{\"collection\":"
                        "\"authors\",\"field\":\"name\",\"code\":\"NOT_NULL_VIOLATION\"}}]}");
}

static void test_foreign_key(void **state)
{
    fx_t *f = *state;
    setup_schema(f);
    db_value_t p[] = {V_INT(1), V_INT(99)};
    /* PRAGMA foreign_keys = ON is in effect, and SQLite does not name the key. */
    const char *env =
        fails(f, "INSERT INTO books (id, author) VALUES (?1, ?2)", p, 2, ERR_INVALID_FOREIGN_KEY);
    assert_string_equal(env,
                        "{\"errors\":[{\"message\":\"Invalid foreign key.\",\"extensions\":{"
                        "\"collection\":null,\"field\":null,\"code\":\"INVALID_FOREIGN_KEY\"}}]}");
    db_value_t q[] = {V_INT(1), V_INT(1)};
    ok(f, "INSERT INTO books (id, author) VALUES (?1, ?2)", q, 2);
    fails(f, "DELETE FROM authors", NULL, 0, ERR_INVALID_FOREIGN_KEY);
}

static void test_check_is_unexpected(void **state)
{
    fx_t *f = *state;
    setup_schema(f);
    db_value_t p[] = {V_INT(1), V_INT(-5)};
    /* Directus maps no CHECK failure: the client sees the generic 500. */
    const char *env =
        fails(f, "INSERT INTO books (id, pages) VALUES (?1, ?2)", p, 2, ERR_INTERNAL_SERVER_ERROR);
    assert_string_equal(env, "{\"errors\":[{\"message\":\"An unexpected error occurred.\","
                             "\"extensions\":{\"code\":\"INTERNAL_SERVER_ERROR\"}}]}");
}

static void test_bad_sql(void **state)
{
    fx_t *f = *state;
    fails(f, "SELEC 1", NULL, 0, ERR_INTERNAL_SERVER_ERROR);
    fails(f, "SELECT 1; SELECT 2", NULL, 0, ERR_INTERNAL_SERVER_ERROR);
    fails(f, "   ", NULL, 0, ERR_INTERNAL_SERVER_ERROR);
    db_value_t p = V_INT(1);
    fails(f, "SELECT ?1, ?2", &p, 1, ERR_INTERNAL_SERVER_ERROR);
    fails(f, "SELECT 1", &p, 1, ERR_INTERNAL_SERVER_ERROR);
    /* A trailing semicolon is one statement. */
    assert_int_equal(ok(f, "SELECT 7;", NULL, 0).cells[0].i, 7);
    /* The connection is still usable after errors. */
    assert_int_equal(ok(f, "SELECT ?1", &p, 1).cells[0].i, 1);
}

static int64_t count(fx_t *f, const char *table_sql)
{
    return ok(f, table_sql, NULL, 0).cells[0].i;
}

static void test_transaction_rollback(void **state)
{
    fx_t *f = *state;
    ok(f, "CREATE TABLE t (a integer NOT NULL)", NULL, 0);
    assert_int_equal(db_begin(f->c, f->a, &f->e), 0);
    for (int i = 0; i < 3; i++) {
        db_value_t p = V_INT(i);
        ok(f, "INSERT INTO t VALUES (?1)", &p, 1);
    }
    db_value_t bad = {.type = DB_NULL};
    fails(f, "INSERT INTO t VALUES (?1)", &bad, 1, ERR_NOT_NULL_VIOLATION);
    assert_int_equal(db_rollback(f->c, f->a, &f->e), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM t"), 0);
    /* Rolling back twice, or with nothing open, is harmless. */
    assert_int_equal(db_rollback(f->c, f->a, &f->e), 0);
}

static void test_transaction_commit(void **state)
{
    fx_t *f = *state;
    ok(f, "CREATE TABLE t (a integer)", NULL, 0);
    uint64_t n0 = db_statement_count(f->c);
    assert_int_equal(db_begin(f->c, f->a, &f->e), 0);
    db_value_t p = V_INT(1);
    ok(f, "INSERT INTO t VALUES (?1)", &p, 1);
    assert_int_equal(db_commit(f->c, f->a, &f->e), 0);
    assert_int_equal(db_statement_count(f->c), n0 + 3);
    assert_int_equal(count(f, "SELECT count(*) FROM t"), 1);
    /* Nested begin and commit without begin are caller bugs, reported as 500. */
    assert_int_equal(db_begin(f->c, f->a, &f->e), 0);
    assert_int_equal(db_begin(f->c, f->a, &f->e), -1);
    assert_int_equal(f->e.code, ERR_INTERNAL_SERVER_ERROR);
    memset(&f->e, 0, sizeof f->e);
    assert_int_equal(db_rollback(f->c, f->a, &f->e), 0);
    assert_int_equal(db_commit(f->c, f->a, &f->e), -1);
    assert_int_equal(f->e.code, ERR_INTERNAL_SERVER_ERROR);
}

static void test_huge_text(void **state)
{
    fx_t *f = *state;
    size_t n = 10u * 1024 * 1024;
    char *big = arena_alloc(f->a, n);
    for (size_t i = 0; i < n; i++)
        big[i] = (char)('a' + i % 26);
    ok(f, "CREATE TABLE t (s text)", NULL, 0);
    db_value_t p = {.type = DB_TEXT, .s = {big, n}};
    ok(f, "INSERT INTO t VALUES (?1)", &p, 1);
    db_result_t r = ok(f, "SELECT s, length(s) FROM t", NULL, 0);
    assert_int_equal(db_cell(&r, 0, 0)->s.n, n);
    assert_memory_equal(db_cell(&r, 0, 0)->s.p, big, n);
    assert_int_equal(db_cell(&r, 0, 1)->i, (int64_t)n);
}

static void test_quotes_stay_values(void **state)
{
    fx_t *f = *state;
    ok(f, "CREATE TABLE t (s text)", NULL, 0);
    const char *evil = "O'Brien \"x\" ?1 '); DROP TABLE t; --";
    db_value_t p = V_TEXT(evil);
    ok(f, "INSERT INTO t VALUES (?1)", &p, 1);
    db_result_t r = ok(f, "SELECT s FROM t WHERE s = ?1", &p, 1);
    assert_int_equal(r.nrows, 1);
    assert_true(str_eq_c(db_cell(&r, 0, 0)->s, evil));
    assert_int_equal(count(f, "SELECT count(*) FROM t"), 1);
}

static void test_affected(void **state)
{
    fx_t *f = *state;
    ok(f, "CREATE TABLE t (id integer PRIMARY KEY, a integer)", NULL, 0);
    for (int i = 0; i < 4; i++) {
        db_value_t p = V_INT(i % 2);
        db_result_t r = ok(f, "INSERT INTO t (a) VALUES (?1)", &p, 1);
        assert_int_equal(r.last_insert_id, i + 1);
    }
    db_value_t p = V_INT(1);
    db_result_t r = ok(f, "UPDATE t SET a = 5 WHERE a = ?1", &p, 1);
    assert_int_equal(r.affected, 2);
    assert_int_equal(r.last_insert_id, 0);
    r = ok(f, "UPDATE t SET a = 5 WHERE a = 42", NULL, 0);
    assert_int_equal(r.affected, 0);
    r = ok(f, "CREATE TABLE u (a integer)", NULL, 0);
    assert_int_equal(r.affected, 0);
    r = ok(f, "DELETE FROM t RETURNING id", NULL, 0);
    assert_int_equal(r.affected, 4);
    assert_int_equal(r.nrows, 4);
}

static void test_connect_failure(void **state)
{
    fx_t *f = *state;
    conf_t conf = {.db_client = "sqlite3", .db_filename = "/nonexistent-dir/celer/x.db"};
    db_conn_t *c = db_new(&conf);
    assert_int_equal(db_exec(c, f->a, &f->e, "SELECT 1", NULL, 0, NULL), -1);
    assert_int_equal(f->e.code, ERR_SERVICE_UNAVAILABLE);
    assert_string_equal(f->e.message,
                        "Service \"database\" is unavailable. Database connection failed.");
    db_free(c);
}

/* A file that does not exist yet is created, and what was written is there after reopening. */
static void test_file_created(void **state)
{
    fx_t *f = *state;
    char dir[] = "/tmp/celer-db-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    const char *path = arena_printf(f->a, "%s/new.db", dir);
    conf_t conf = {.db_client = "sqlite3", .db_filename = path};
    db_conn_t *c = db_new(&conf);
    db_value_t p = V_TEXT("kept");
    assert_int_equal(db_exec(c, f->a, &f->e, "CREATE TABLE t (s text)", NULL, 0, NULL), 0);
    assert_int_equal(db_exec(c, f->a, &f->e, "INSERT INTO t VALUES (?1)", &p, 1, NULL), 0);
    db_free(c);
    c = db_new(&conf);
    db_result_t r;
    assert_int_equal(db_exec(c, f->a, &f->e, "SELECT s FROM t", NULL, 0, &r), 0);
    assert_true(str_eq_c(db_cell(&r, 0, 0)->s, "kept"));
    assert_int_equal(db_exec(c, f->a, &f->e, "PRAGMA foreign_keys", NULL, 0, &r), 0);
    assert_int_equal(db_cell(&r, 0, 0)->i, 1);
    db_free(c);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    log_threshold = getenv("CELER_TEST_LOG") ? LOG_DEBUG : LOG_FATAL;
    /* failures log by design */ /* expected failures log errors; keep the output readable */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roundtrip_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statement_cache_hit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statement_cache_lru, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unique, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_is_unexpected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_sql, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transaction_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transaction_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_huge_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quotes_stay_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_affected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connect_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_created, setup, teardown),
    };
    return cmocka_run_group_tests_name("db_sqlite", tests, NULL, NULL);
}
