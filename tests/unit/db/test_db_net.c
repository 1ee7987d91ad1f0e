/*
 * lib/db against real PostgreSQL and MariaDB/MySQL servers, when the environment says where:
 *   CELER_TEST_PG="host=127.0.0.1 port=55432 dbname=celer user=postgres password=..."
 *   CELER_TEST_MYSQL="mysql://user:pass@127.0.0.1:53306/celer"
 * and, for the restart test only, a shell command that restarts that server:
 *   CELER_TEST_PG_RESTART="runuser -u postgres -- pg_ctl -D ... -w restart"
 *   CELER_TEST_MYSQL_RESTART="..."
 * Without them every case is skipped with a message, so `make unit` stays service-free.
 * Covered per backend: every type in and out, NULLs, the statement cache, constraint errors in
 * Directus's exact shapes, rollback, a 10 MB value, quotes in values, and losing the server —
 * killed between statements (transparent reconnect), during one (503, then fine), inside a
 * transaction (503 until rollback, nothing half-written) and a full server restart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
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
    bool pg;
} fx_t;

static int setup_for(void **state, const char *client, const char *env)
{
    const char *url = getenv(env);
    if (!url || !*url) {
        *state = NULL;
        return 0;
    }
    fx_t *f = calloc(1, sizeof(*f));
    f->conf.db_client = client;
    f->conf.db_connection_string = url;
    f->pg = !strcmp(client, "pg");
    f->a = arena_new();
    f->c = db_new(&f->conf);
    *state = f;
    return 0;
}

static int setup_pg(void **state)
{
    return setup_for(state, "pg", "CELER_TEST_PG");
}

static int setup_mysql(void **state)
{
    return setup_for(state, "mysql", "CELER_TEST_MYSQL");
}

static int teardown(void **state)
{
    fx_t *f = *state;
    if (!f)
        return 0;
    db_free(f->c);
    arena_free(f->a);
    free(f);
    return 0;
}

#define NEED(f)                                                                                    \
    do {                                                                                           \
        if (!(f)) {                                                                                \
            print_message("skipped: set CELER_TEST_PG / CELER_TEST_MYSQL to run against a "        \
                          "server\n");                                                             \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

static db_value_t V_INT(int64_t i)
{
    return (db_value_t){.type = DB_INT, .i = i};
}
static db_value_t V_TEXT(const char *s)
{
    return (db_value_t){.type = DB_TEXT, .s = str_c(s)};
}
static const db_value_t V_NULL = {.type = DB_NULL};

/* PG numbers its placeholders, MySQL does not: write "$n" and let MySQL tests turn it into "?". */
static const char *q(fx_t *f, const char *sql)
{
    if (f->pg)
        return sql;
    char *out = arena_strdup(f->a, sql), *o = out;
    for (const char *p = sql; *p; p++) {
        if (*p == '$' && p[1] >= '1' && p[1] <= '9') {
            *o++ = '?';
            while (p[1] >= '0' && p[1] <= '9')
                p++;
        } else {
            *o++ = *p == '"' ? '`' : *p;
        }
    }
    *o = '\0';
    return out;
}

static db_result_t ok(fx_t *f, const char *sql, const db_value_t *p, size_t n)
{
    db_result_t r;
    memset(&f->e, 0, sizeof f->e);
    if (db_exec(f->c, f->a, &f->e, q(f, sql), p, n, &r))
        fail_msg("%s: %s", q(f, sql), f->e.message);
    return r;
}

/* Fails with code; returns the rendered envelope. */
static const char *fails(fx_t *f, const char *sql, const db_value_t *p, size_t n, err_code_t code)
{
    memset(&f->e, 0, sizeof f->e);
    assert_int_equal(db_exec(f->c, f->a, &f->e, q(f, sql), p, n, NULL), -1);
    if (f->e.code != code)
        fail_msg("%s: expected %s, got %s: %s", sql, err_name(code), err_name(f->e.code),
                 f->e.message);
    buf_t b;
    buf_init(&b, f->a, 256);
    err_render(&f->e, &b);
    memset(&f->e, 0, sizeof f->e);
    return b.p;
}

static void cell_text(const db_result_t *r, size_t col, const char *want)
{
    const db_value_t *v = db_cell(r, 0, col);
    if (v->type != DB_TEXT || !str_eq_c(v->s, want))
        fail_msg("column %s: type %d \"%.*s\" != \"%s\"", r->cols[col].name, v->type, (int)v->s.n,
                 v->s.p, want);
}

static void drop(fx_t *f, const char *table)
{
    ok(f, arena_printf(f->a, "DROP TABLE IF EXISTS \"%s\"%s", table, f->pg ? " CASCADE" : ""), NULL,
       0);
}

/* ---- round trips ------------------------------------------------------------------------- */

static const char blob[] = {'a', '\0', 'b', (char)0xff, '\'', '\\'};

static void roundtrip_pg(fx_t *f)
{
    drop(f, "celer_types");
    ok(f,
       "CREATE TABLE celer_types (i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, b bool, "
       "n numeric(10,2), n2 numeric, s varchar(20), t text, j json, jb jsonb, d date, tm time, "
       "ts timestamp(3), tz timestamptz, u uuid, by bytea)",
       NULL, 0);
    db_value_t p[] = {
        V_INT(-32768),
        V_INT(2147483647),
        V_INT(INT64_MIN + 1),
        {.type = DB_FLOAT, .f = 1.1},
        {.type = DB_FLOAT, .f = 0.1},
        {.type = DB_BOOL, .i = 1},
        V_TEXT("12.5"),
        {.type = DB_FLOAT, .f = 0.1},
        V_TEXT("héllo 😀"),
        V_TEXT("x"),
        V_TEXT("{\"a\": [1, 2]}"),
        V_TEXT("{\"b\":true}"),
        V_TEXT("2024-01-31"),
        V_TEXT("13:45:00"),
        V_TEXT("2024-01-31 13:45:00.123"),
        V_TEXT("2024-01-31T13:45:00Z"),
        V_TEXT("8C3A1B52-1AD0-4AC2-8CF5-0E4BD6B1F8A0"),
        {.type = DB_BLOB, .s = {blob, sizeof blob}},
    };
    ok(f,
       "INSERT INTO celer_types VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,"
       "$17,$18)",
       p, 18);
    db_result_t r = ok(f, "SELECT *, $1 AS param_bool FROM celer_types", &p[5], 1);
    static const db_coltype_t want[] = {
        DB_COL_INT,       DB_COL_INT,     DB_COL_INT,     DB_COL_FLOAT, DB_COL_FLOAT,
        DB_COL_BOOL,      DB_COL_DECIMAL, DB_COL_DECIMAL, DB_COL_TEXT,  DB_COL_TEXT,
        DB_COL_JSON,      DB_COL_JSON,    DB_COL_DATE,    DB_COL_TIME,  DB_COL_DATETIME,
        DB_COL_TIMESTAMP, DB_COL_UUID,    DB_COL_BLOB,    DB_COL_BOOL,
    };
    assert_int_equal(r.ncols, 19);
    for (size_t i = 0; i < r.ncols; i++)
        assert_int_equal(r.cols[i].type, want[i]);
    assert_int_equal(db_cell(&r, 0, 0)->i, -32768);
    assert_int_equal(db_cell(&r, 0, 1)->i, 2147483647);
    assert_true(db_cell(&r, 0, 2)->i == INT64_MIN + 1);
    assert_true(db_cell(&r, 0, 3)->f == 1.1);
    assert_true(db_cell(&r, 0, 4)->f == 0.1);
    assert_int_equal(db_cell(&r, 0, 5)->type, DB_BOOL);
    assert_int_equal(db_cell(&r, 0, 5)->i, 1);
    cell_text(&r, 6, "12.50");
    cell_text(&r, 7, "0.1"); /* a double binds as its shortest text */
    cell_text(&r, 8, "héllo 😀");
    cell_text(&r, 10, "{\"a\": [1, 2]}");
    cell_text(&r, 11, "{\"b\": true}");
    cell_text(&r, 12, "2024-01-31");
    cell_text(&r, 13, "13:45:00");
    cell_text(&r, 14, "2024-01-31 13:45:00.123");
    assert_int_equal(db_cell(&r, 0, 15)->type, DB_TEXT);
    cell_text(&r, 16, "8c3a1b52-1ad0-4ac2-8cf5-0e4bd6b1f8a0");
    assert_int_equal(db_cell(&r, 0, 17)->type, DB_BLOB);
    assert_int_equal(db_cell(&r, 0, 17)->s.n, sizeof blob);
    assert_memory_equal(db_cell(&r, 0, 17)->s.p, blob, sizeof blob);
    assert_int_equal(db_cell(&r, 0, 18)->type, DB_BOOL);
}

static void roundtrip_mysql(fx_t *f)
{
    drop(f, "celer_types");
    ok(f,
       "CREATE TABLE celer_types (b tinyint(1), i int, i8 bigint, u8 bigint unsigned, f4 float, "
       "f8 double, n decimal(10,2), s varchar(20), t longtext, j json, d date, tm time, "
       "dt datetime(3), ts timestamp NULL, u char(36), bl blob, bits bit(10), y year) "
       "DEFAULT CHARSET = utf8mb4",
       NULL, 0);
    db_value_t p[] = {
        {.type = DB_BOOL, .i = 7},
        V_INT(-2147483648LL),
        V_INT(INT64_MIN + 1),
        V_TEXT("18446744073709551615"),
        {.type = DB_FLOAT, .f = 1.1},
        {.type = DB_FLOAT, .f = 0.1},
        V_TEXT("12.5"),
        V_TEXT("héllo 😀"),
        V_TEXT("x"),
        V_TEXT("{\"a\": [1, 2]}"),
        V_TEXT("2024-01-31"),
        V_TEXT("-25:30:00"),
        V_TEXT("2024-01-31 13:45:00.123"),
        V_TEXT("2024-01-31 13:45:00"),
        V_TEXT("8c3a1b52-1ad0-4ac2-8cf5-0e4bd6b1f8a0"),
        {.type = DB_BLOB, .s = {blob, sizeof blob}},
        V_INT(513),
        V_INT(2024),
    };
    ok(f,
       "INSERT INTO celer_types VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,"
       "$16,$17,$18)",
       p, 18);
    db_result_t r = ok(f, "SELECT * FROM celer_types", NULL, 0);
    static const db_coltype_t want[] = {
        DB_COL_BOOL,     DB_COL_INT,       DB_COL_INT,  DB_COL_INT,  DB_COL_FLOAT, DB_COL_FLOAT,
        DB_COL_DECIMAL,  DB_COL_TEXT,      DB_COL_TEXT, DB_COL_JSON, DB_COL_DATE,  DB_COL_TIME,
        DB_COL_DATETIME, DB_COL_TIMESTAMP, DB_COL_TEXT, DB_COL_BLOB, DB_COL_INT,   DB_COL_INT,
    };
    assert_int_equal(r.ncols, 18);
    for (size_t i = 0; i < r.ncols; i++)
        if (r.cols[i].type != want[i])
            fail_msg("column %s: type %d, want %d", r.cols[i].name, r.cols[i].type, want[i]);
    assert_int_equal(db_cell(&r, 0, 0)->type, DB_INT); /* tinyint(1): a bool column of ints */
    assert_int_equal(db_cell(&r, 0, 0)->i, 1);
    assert_int_equal(db_cell(&r, 0, 1)->i, -2147483648LL);
    assert_true(db_cell(&r, 0, 2)->i == INT64_MIN + 1);
    cell_text(&r, 3, "18446744073709551615");
    assert_true(db_cell(&r, 0, 4)->f == 1.1);
    assert_true(db_cell(&r, 0, 5)->f == 0.1);
    cell_text(&r, 6, "12.50");
    cell_text(&r, 7, "héllo 😀");
    cell_text(&r, 9, "{\"a\": [1, 2]}");
    cell_text(&r, 10, "2024-01-31");
    cell_text(&r, 11, "-25:30:00");
    cell_text(&r, 12, "2024-01-31 13:45:00.123");
    cell_text(&r, 13, "2024-01-31 13:45:00");
    cell_text(&r, 14, "8c3a1b52-1ad0-4ac2-8cf5-0e4bd6b1f8a0");
    assert_int_equal(db_cell(&r, 0, 15)->type, DB_BLOB);
    assert_int_equal(db_cell(&r, 0, 15)->s.n, sizeof blob);
    assert_memory_equal(db_cell(&r, 0, 15)->s.p, blob, sizeof blob);
    assert_int_equal(db_cell(&r, 0, 16)->i, 513);
    assert_int_equal(db_cell(&r, 0, 17)->i, 2024);
}

static void test_roundtrip(void **state)
{
    fx_t *f = *state;
    NEED(f);
    if (f->pg)
        roundtrip_pg(f);
    else
        roundtrip_mysql(f);
}

static void test_nulls_and_affected(void **state)
{
    fx_t *f = *state;
    NEED(f);
    drop(f, "celer_n");
    ok(f,
       f->pg ? "CREATE TABLE celer_n (id serial PRIMARY KEY, a int, b text, c bytea)"
             : "CREATE TABLE celer_n (id int AUTO_INCREMENT PRIMARY KEY, a int, b text, c blob)",
       NULL, 0);
    db_value_t p[] = {V_NULL, V_NULL, V_NULL};
    db_result_t r = ok(f, "INSERT INTO celer_n (a, b, c) VALUES ($1, $2, $3)", p, 3);
    assert_int_equal(r.affected, 1);
    if (!f->pg)
        assert_int_equal(r.last_insert_id, 1);
    db_value_t e[] = {V_INT(1), V_TEXT(""), {.type = DB_BLOB, .s = {NULL, 0}}};
    ok(f, "INSERT INTO celer_n (a, b, c) VALUES ($1, $2, $3)", e, 3);
    r = ok(f, "SELECT a, b, c FROM celer_n ORDER BY id", NULL, 0);
    assert_int_equal(r.nrows, 2);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(db_cell(&r, 0, i)->type, DB_NULL);
    assert_int_equal(db_cell(&r, 1, 1)->type, DB_TEXT);
    assert_int_equal(db_cell(&r, 1, 1)->s.n, 0);
    assert_int_equal(db_cell(&r, 1, 2)->type, DB_BLOB);
    /* Found rows, not changed rows: both match even though one already has the value. */
    db_value_t one = V_INT(1);
    r = ok(f, "UPDATE celer_n SET a = $1", &one, 1);
    assert_int_equal(r.affected, 2);
    r = ok(f, "SELECT * FROM celer_n", NULL, 0);
    assert_int_equal(r.affected, 0);
}

static void test_statement_cache(void **state)
{
    fx_t *f = *state;
    NEED(f);
    ok(f, "SELECT 1", NULL, 0);
    uint64_t n0 = db_statement_count(f->c), miss0 = f->c->cache.misses;
    db_value_t p = V_INT(41);
    for (int i = 0; i < 5; i++)
        assert_int_equal(ok(f, "SELECT $1 + 1", &p, 1).cells[0].i, 42);
    assert_int_equal(db_statement_count(f->c), n0 + 5);
    assert_int_equal(f->c->cache.misses, miss0 + 1);
    if (f->pg) {
        /* A boolean is a typed parameter: the same text is a second prepared statement. */
        db_value_t b = {.type = DB_BOOL, .i = 0};
        assert_int_equal(ok(f, "SELECT $1", &b, 1).cells[0].type, DB_BOOL);
        db_value_t t = V_TEXT("t");
        assert_int_equal(ok(f, "SELECT $1", &t, 1).cells[0].type, DB_TEXT);
    }
}

/* Evicted statements are released on the server too (PG DEALLOCATE, COM_STMT_CLOSE). */
static void test_cache_eviction(void **state)
{
    fx_t *f = *state;
    NEED(f);
    for (int i = 0; i < DB_CACHE_CAP + 50; i++)
        ok(f, arena_printf(f->a, "SELECT %d AS n", i), NULL, 0);
    assert_int_equal(f->c->cache.n, DB_CACHE_CAP);
    int64_t on_server;
    if (f->pg) {
        on_server = ok(f, "SELECT count(*) FROM pg_prepared_statements", NULL, 0).cells[0].i;
    } else {
        db_result_t r = ok(f, "SHOW SESSION STATUS LIKE 'Com_stmt_close'", NULL, 0);
        on_server = DB_CACHE_CAP + 52 - strtoll(db_cell(&r, 0, 1)->s.p, NULL, 10);
    }
    assert_true(on_server <= DB_CACHE_CAP + 2);
}

/* A cached SELECT * whose table changed: PG refuses the old plan, which is re-prepared once and
 * run again; MariaDB re-prepares on its own. Inside a transaction PG cannot retry. */
static void test_schema_change(void **state)
{
    fx_t *f = *state;
    NEED(f);
    drop(f, "celer_alter");
    ok(f, "CREATE TABLE celer_alter (a integer)", NULL, 0);
    db_value_t one = V_INT(1);
    ok(f, "INSERT INTO celer_alter VALUES ($1)", &one, 1);
    assert_int_equal(ok(f, "SELECT * FROM celer_alter", NULL, 0).ncols, 1);
    ok(f, "ALTER TABLE celer_alter ADD COLUMN b integer", NULL, 0);
    db_result_t r = ok(f, "SELECT * FROM celer_alter", NULL, 0);
    assert_int_equal(r.ncols, 2);
    assert_string_equal(r.cols[1].name, "b");
    assert_int_equal(db_cell(&r, 0, 1)->type, DB_NULL);
    ok(f, "ALTER TABLE celer_alter ADD COLUMN c integer", NULL, 0);
    assert_int_equal(db_begin(f->c, f->a, &f->e), 0);
    if (f->pg) {
        fails(f, "SELECT * FROM celer_alter", NULL, 0, ERR_INTERNAL_SERVER_ERROR);
    } else {
        assert_int_equal(ok(f, "SELECT * FROM celer_alter", NULL, 0).ncols, 3);
    }
    assert_int_equal(db_rollback(f->c, f->a, &f->e), 0);
    assert_int_equal(ok(f, "SELECT * FROM celer_alter", NULL, 0).ncols, 3);
}

/* DB_SEARCH_PATH is applied on every (re)connect, each entry quoted as an identifier. */
static void test_search_path(void **state)
{
    fx_t *f = *state;
    NEED(f);
    if (!f->pg)
        skip(); /* PostgreSQL only */
    ok(f, "DROP SCHEMA IF EXISTS \"celer s1\" CASCADE", NULL, 0);
    ok(f, "CREATE SCHEMA \"celer s1\"", NULL, 0);
    ok(f, "CREATE TABLE \"celer s1\".only_here (a integer)", NULL, 0);
    conf_t conf = f->conf;
    conf.db_search_path = " celer s1 ,public";
    db_conn_t *c = db_new(&conf);
    db_result_t r;
    assert_int_equal(db_exec(c, f->a, &f->e, "SHOW search_path", NULL, 0, &r), 0);
    cell_text(&r, 0, "\"celer s1\",\"public\"");
    assert_int_equal(db_exec(c, f->a, &f->e, "SELECT count(*) FROM only_here", NULL, 0, &r), 0);
    db_free(c);
    ok(f, "DROP SCHEMA \"celer s1\" CASCADE", NULL, 0);
}

/* ---- constraint errors ------------------------------------------------------------------- */

static void constraint_schema(fx_t *f)
{
    drop(f, "celer_articles");
    drop(f, "celer_tags");
    ok(f,
       "CREATE TABLE celer_tags (id integer PRIMARY KEY, name varchar(5) NOT NULL, n smallint, "
       "CONSTRAINT celer_tags_name_unique UNIQUE (name))",
       NULL, 0);
    ok(f,
       "CREATE TABLE celer_articles (id integer PRIMARY KEY, tag integer, CONSTRAINT "
       "celer_articles_tag_foreign FOREIGN KEY (tag) REFERENCES celer_tags (id))",
       NULL, 0);
    db_value_t p[] = {V_INT(1), V_TEXT("a")};
    ok(f, "INSERT INTO celer_tags (id, name) VALUES ($1, $2)", p, 2);
}

static void expect(const char *env, const char *message, const char *ext)
{
    char want[512];
    snprintf(want, sizeof want, "{\"errors\":[{\"message\":\"%s\",\"extensions\":{%s", message,
             ext);
    if (strncmp(env, want, strlen(want)))
        fail_msg("got  %s\nwant %s...", env, want);
}

static void test_constraints(void **state)
{
    fx_t *f = *state;
    NEED(f);
    constraint_schema(f);
    const char *ins = "INSERT INTO \"celer_tags\" (id, name, n) VALUES ($1, $2, $3)";
    db_value_t dup[] = {V_INT(2), V_TEXT("a"), V_NULL};
    const char *env = fails(f, ins, dup, 3, ERR_RECORD_NOT_UNIQUE);
    expect(env, "Value for field \\\"name\\\" in collection \\\"celer_tags\\\" has to be unique.",
           f->pg ? "\"collection\":\"celer_tags\",\"field\":\"name\",\"code\""
                 : "\"collection\":\"celer_tags\",\"field\":\"name\",\"primaryKey\":false,");
    db_value_t pk[] = {V_INT(1), V_TEXT("b"), V_NULL};
    env = fails(f, ins, pk, 3, ERR_RECORD_NOT_UNIQUE);
    if (f->pg)
        expect(env, "Value for field \\\"id\\\" in collection \\\"celer_tags\\\" has to be unique.",
               "\"collection\":\"celer_tags\",\"field\":\"id\"");
    else /* MariaDB names the index PRIMARY only; Directus cannot tell the table either */
        expect(env, "Value has to be unique.",
               "\"collection\":null,\"field\":null,\"primaryKey\":true");
    db_value_t nul[] = {V_INT(3), V_NULL, V_NULL};
    env = fails(f, ins, nul, 3, ERR_NOT_NULL_VIOLATION);
    expect(env, "Value for field \\\"name\\\" in collection \\\"celer_tags\\\" can't be null.",
           "\"collection\":\"celer_tags\",\"field\":\"name\"");
    db_value_t lng[] = {V_INT(4), V_TEXT("toolong"), V_NULL};
    env = fails(f, ins, lng, 3, ERR_VALUE_TOO_LONG);
    if (f->pg) /* PostgreSQL names no column: the table comes from the statement, as Directus
                * reads it from knex's message */
        expect(env, "Value in collection \\\"celer_tags\\\" is too long.",
               "\"collection\":\"celer_tags\",\"field\":null");
    else
        expect(env, "Value for field \\\"name\\\" in collection \\\"celer_tags\\\" is too long.",
               "\"collection\":\"celer_tags\",\"field\":\"name\"");
    db_value_t big[] = {V_INT(5), V_TEXT("c"), V_INT(99999)};
    env = fails(f, ins, big, 3, ERR_VALUE_OUT_OF_RANGE);
    if (f->pg)
        expect(env, "Numeric value in collection \\\"celer_tags\\\" is out of range.",
               "\"collection\":\"celer_tags\",\"field\":null");
    else
        expect(
            env,
            "Numeric value for field \\\"n\\\" in collection \\\"celer_tags\\\" is out of range.",
            "\"collection\":\"celer_tags\",\"field\":\"n\"");
    db_value_t fk[] = {V_INT(1), V_INT(99)};
    env = fails(f, "INSERT INTO \"celer_articles\" (id, tag) VALUES ($1, $2)", fk, 2,
                ERR_INVALID_FOREIGN_KEY);
    expect(env, "Invalid foreign key for field \\\"tag\\\" in collection \\\"celer_articles\\\".",
           "\"collection\":\"celer_articles\",\"field\":\"tag\"");
    /* Errors leave the connection usable, and nothing was written. */
    assert_int_equal(ok(f, "SELECT count(*) FROM celer_tags", NULL, 0).cells[0].i, 1);
    fails(f, "SELECT * FROM celer_no_such_table", NULL, 0, ERR_INTERNAL_SERVER_ERROR);
}

/* ---- transactions, sizes, quoting -------------------------------------------------------- */

static void test_rollback(void **state)
{
    fx_t *f = *state;
    NEED(f);
    drop(f, "celer_tx");
    ok(f, "CREATE TABLE celer_tx (a integer NOT NULL)", NULL, 0);
    assert_int_equal(db_begin(f->c, f->a, &f->e), 0);
    db_value_t one = V_INT(1);
    ok(f, "INSERT INTO celer_tx VALUES ($1)", &one, 1);
    ok(f, "INSERT INTO celer_tx VALUES ($1)", &one, 1);
    fails(f, "INSERT INTO celer_tx VALUES ($1)", &V_NULL, 1, ERR_NOT_NULL_VIOLATION);
    assert_int_equal(db_rollback(f->c, f->a, &f->e), 0);
    assert_int_equal(ok(f, "SELECT count(*) FROM celer_tx", NULL, 0).cells[0].i, 0);
    assert_int_equal(db_begin(f->c, f->a, &f->e), 0);
    ok(f, "INSERT INTO celer_tx VALUES ($1)", &one, 1);
    assert_int_equal(db_commit(f->c, f->a, &f->e), 0);
    assert_int_equal(ok(f, "SELECT count(*) FROM celer_tx", NULL, 0).cells[0].i, 1);
}

static void test_huge_and_quotes(void **state)
{
    fx_t *f = *state;
    NEED(f);
    drop(f, "celer_big");
    ok(f, f->pg ? "CREATE TABLE celer_big (s text)" : "CREATE TABLE celer_big (s longtext)", NULL,
       0);
    size_t n = 10u * 1024 * 1024;
    char *big = arena_alloc(f->a, n);
    for (size_t i = 0; i < n; i++)
        big[i] = (char)('a' + i % 26);
    big[n / 2] = '\'';
    db_value_t p = {.type = DB_TEXT, .s = {big, n}};
    ok(f, "INSERT INTO celer_big VALUES ($1)", &p, 1);
    db_result_t r = ok(f, "SELECT s, length(s) FROM celer_big", NULL, 0);
    assert_int_equal(db_cell(&r, 0, 0)->s.n, n);
    assert_memory_equal(db_cell(&r, 0, 0)->s.p, big, n);
    assert_int_equal(db_cell(&r, 0, 1)->i, (int64_t)n);
    const char *evil = "O'Brien \"x\" \\' $1 ? '); DROP TABLE celer_big; --";
    db_value_t e = V_TEXT(evil);
    r = ok(f, "SELECT $1 AS v", &e, 1);
    cell_text(&r, 0, evil);
    assert_int_equal(ok(f, "SELECT count(*) FROM celer_big", NULL, 0).cells[0].i, 1);
}

/* ---- losing the server ------------------------------------------------------------------- */

static int64_t backend_id(fx_t *f)
{
    return ok(f, f->pg ? "SELECT pg_backend_pid()" : "SELECT CONNECTION_ID()", NULL, 0).cells[0].i;
}

/* Kills f's server session from a second connection, waiting until it is gone. */
static void kill_session(fx_t *f, int64_t id)
{
    db_conn_t *other = db_new(&f->conf);
    err_t e = {0};
    db_value_t p = V_INT(id);
    const char *sql = f->pg ? "SELECT pg_terminate_backend($1::int, 5000)" : "KILL ?";
    if (db_exec(other, f->a, &e, sql, &p, 1, NULL))
        fail_msg("kill: %s", e.message);
    db_free(other);
    if (!f->pg)
        usleep(200 * 1000); /* KILL returns before the session has closed its socket */
}

static void test_killed_between_statements(void **state)
{
    fx_t *f = *state;
    NEED(f);
    int64_t id = backend_id(f);
    uint64_t connects = f->c->nconnect;
    kill_session(f, id);
    /* The goodbye is noticed before sending, so this reconnects and succeeds transparently. */
    assert_int_equal(ok(f, "SELECT 1", NULL, 0).cells[0].i, 1);
    assert_int_equal(f->c->nconnect, connects + 1);
    assert_true(backend_id(f) != id);
}

static void test_killed_during_statement(void **state)
{
    fx_t *f = *state;
    NEED(f);
    /* The session ends while answering: the statement was sent, so no retry, a 503. */
    const char *sql =
        f->pg ? "SELECT pg_terminate_backend(pg_backend_pid())" : "KILL CONNECTION_ID()";
    const char *env = fails(f, sql, NULL, 0, ERR_SERVICE_UNAVAILABLE);
    expect(env, "Service \\\"database\\\" is unavailable. Database connection lost.",
           "\"service\":\"database\",\"reason\":\"Database connection lost\"");
    assert_int_equal(ok(f, "SELECT 2", NULL, 0).cells[0].i, 2);
}

static void test_killed_inside_transaction(void **state)
{
    fx_t *f = *state;
    NEED(f);
    drop(f, "celer_lost");
    ok(f, "CREATE TABLE celer_lost (a integer)", NULL, 0);
    assert_int_equal(db_begin(f->c, f->a, &f->e), 0);
    db_value_t one = V_INT(1);
    ok(f, "INSERT INTO celer_lost VALUES ($1)", &one, 1);
    kill_session(f, backend_id(f));
    /* Never retried inside a transaction, and nothing of it runs on a new connection. */
    fails(f, "INSERT INTO celer_lost VALUES ($1)", &one, 1, ERR_SERVICE_UNAVAILABLE);
    fails(f, "INSERT INTO celer_lost VALUES ($1)", &one, 1, ERR_SERVICE_UNAVAILABLE);
    assert_int_equal(db_commit(f->c, f->a, &f->e), -1);
    assert_int_equal(f->e.code, ERR_SERVICE_UNAVAILABLE);
    memset(&f->e, 0, sizeof f->e);
    assert_int_equal(db_rollback(f->c, f->a, &f->e), 0);
    assert_int_equal(ok(f, "SELECT count(*) FROM celer_lost", NULL, 0).cells[0].i, 0);
}

static void test_server_restart(void **state)
{
    fx_t *f = *state;
    NEED(f);
    const char *cmd = getenv(f->pg ? "CELER_TEST_PG_RESTART" : "CELER_TEST_MYSQL_RESTART");
    if (!cmd || !*cmd) {
        print_message("skipped: set CELER_TEST_%s_RESTART to a restart command\n",
                      f->pg ? "PG" : "MYSQL");
        skip();
    }
    db_conn_t *same = f->c;
    ok(f, "SELECT 1", NULL, 0);
    assert_int_equal(system(cmd), 0);
    /* The first statement may answer 503; one of the next ones must succeed on the same handle. */
    int good = -1;
    for (int i = 0; i < 30 && good < 0; i++) {
        memset(&f->e, 0, sizeof f->e);
        if (!db_exec(f->c, f->a, &f->e, "SELECT 1", NULL, 0, NULL)) {
            good = i;
            break;
        }
        assert_int_equal(f->e.code, ERR_SERVICE_UNAVAILABLE);
        sleep(1);
    }
    print_message("restart: first success after %d failed statement(s)\n", good);
    assert_true(good >= 0);
    assert_ptr_equal(f->c, same);
}

/* Two statements at once: on PostgreSQL one round trip (pipeline), on MySQL one after the
 * other; the same rows either way, and a failure anywhere leaves a connection that works. */
static int many(fx_t *f, const char *sql1, const char *sql2, db_result_t *r)
{
    db_value_t p = V_INT(20);
    db_query_t qs[2] = {{q(f, sql1), &p, 1}, {q(f, sql2), &p, 1}};
    memset(&f->e, 0, sizeof f->e);
    return db_exec_many(f->c, f->a, &f->e, qs, 2, r);
}

static void test_exec_many(void **state)
{
    fx_t *f = *state;
    NEED(f);
    ok(f, "SELECT 1", NULL, 0);
    assert_int_equal(db_pipelines(f->c), f->pg);
    uint64_t n0 = db_statement_count(f->c);
    db_result_t r[2];
    assert_int_equal(many(f, "SELECT $1 + 1 AS a", "SELECT $1 * 2 AS b, 'x' AS c", r), 0);
    assert_int_equal(db_statement_count(f->c), n0 + 2);
    assert_int_equal(r[0].cells[0].i, 21);
    assert_int_equal(r[1].ncols, 2);
    assert_int_equal(r[1].cells[0].i, 40);
    assert_string_equal(r[1].cols[1].name, "c");

    /* The first fails (the second is skipped), then the second fails: an error each time, and
     * the connection goes on (out of pipeline mode, no result left unread). */
    const char *bad = f->pg ? "SELECT 1 / ($1 - 20)" : "SELECT CAST($1 AS UNSIGNED) FROM no_such";
    assert_int_equal(many(f, bad, "SELECT $1 AS a", r), -1);
    assert_int_equal(f->e.code, ERR_INTERNAL_SERVER_ERROR);
    assert_int_equal(many(f, "SELECT $1 AS a", bad, r), -1);
    assert_int_equal(ok(f, "SELECT 2", NULL, 0).cells[0].i, 2);
    assert_int_equal(many(f, "SELECT $1 AS a", "SELECT $1 - 1 AS b", r), 0);
    assert_int_equal(r[1].cells[0].i, 19);

    /* A cached statement gone stale under a schema change is prepared again, batch and all. */
    drop(f, "celer_many");
    ok(f, "CREATE TABLE celer_many (a integer)", NULL, 0);
    ok(f, "INSERT INTO celer_many VALUES (7)", NULL, 0);
    assert_int_equal(many(f, "SELECT $1 AS n", "SELECT * FROM celer_many WHERE a < $1", r), 0);
    ok(f, "ALTER TABLE celer_many ADD COLUMN b integer", NULL, 0);
    assert_int_equal(many(f, "SELECT $1 AS n", "SELECT * FROM celer_many WHERE a < $1", r), 0);
    assert_int_equal(r[1].ncols, 2);
    if (f->pg) { /* the stale statement was released on the server too, after the pipeline */
        const char *sql = "SELECT count(*) FROM pg_prepared_statements";
        ok(f, sql, NULL, 0);
        assert_int_equal(ok(f, sql, NULL, 0).cells[0].i, (int64_t)f->c->cache.n);
    }

    /* Killed between requests: reconnected before sending, as db_exec. */
    kill_session(f, backend_id(f));
    assert_int_equal(many(f, "SELECT $1 AS a", "SELECT $1 AS b", r), 0);

    /* Inside a transaction: one after the other, in the transaction. */
    assert_int_equal(db_begin(f->c, f->a, &f->e), 0);
    assert_false(db_pipelines(f->c));
    ok(f, "INSERT INTO celer_many (a) VALUES (8)", NULL, 0);
    assert_int_equal(many(f, "SELECT count(*) FROM celer_many WHERE a < $1", "SELECT $1", r), 0);
    assert_int_equal(r[0].cells[0].i, 2);
    assert_int_equal(db_rollback(f->c, f->a, &f->e), 0);
    drop(f, "celer_many");
}

#define PG(t) cmocka_unit_test_setup_teardown(t, setup_pg, teardown)
#define MY(t) cmocka_unit_test_setup_teardown(t, setup_mysql, teardown)
#define BOTH(X)                                                                                    \
    X(test_roundtrip), X(test_nulls_and_affected), X(test_statement_cache),                        \
        X(test_cache_eviction), X(test_schema_change), X(test_search_path), X(test_constraints),   \
        X(test_rollback), X(test_huge_and_quotes), X(test_killed_between_statements),              \
        X(test_killed_during_statement), X(test_killed_inside_transaction), X(test_exec_many),     \
        X(test_server_restart)

int main(void)
{
    log_threshold = getenv("CELER_TEST_LOG") ? LOG_DEBUG : LOG_FATAL; /* failures log by design */
    const struct CMUnitTest pg[] = {BOTH(PG)};
    const struct CMUnitTest my[] = {BOTH(MY)};
    int failed = cmocka_run_group_tests_name("db_net_pg", pg, NULL, NULL);
    failed += cmocka_run_group_tests_name("db_net_mysql", my, NULL, NULL);
    return failed;
}
