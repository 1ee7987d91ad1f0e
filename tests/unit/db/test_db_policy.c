/*
 * The driver-independent rules of lib/db, with no server: a scripted fake driver stands in for
 * the backends to prove when db.c reconnects, retries, answers 503 and refuses to run the rest of
 * a transaction that died with its connection. The MySQL error parser is tested here too, on the
 * messages the server sends (this file includes mysql.c to reach its statics), along with the
 * shared helpers for quoting and masking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/db/mysql.c"

/* ---- a scripted driver ------------------------------------------------------------------- */

static struct {
    bool open_fails;
    db_drv_status_t script[8]; /* answers of exec/run, in order; OK once exhausted */
    int nscript, pos;
    int opens, closes, execs;
    const char *runs[8];
    int nruns;
} fake;

static int fake_open(db_conn_t *c)
{
    fake.opens++;
    if (fake.open_fails)
        return -1;
    c->h = &fake;
    return 0;
}

static void fake_close(db_conn_t *c)
{
    if (c->h)
        fake.closes++;
    c->h = NULL;
    db_cache_clear(c);
}

static db_drv_status_t next(arena_t *a, err_t *e)
{
    db_drv_status_t st = fake.pos < fake.nscript ? fake.script[fake.pos++] : DB_DRV_OK;
    if (st == DB_DRV_ERROR)
        err_set(e, a, ERR_RECORD_NOT_UNIQUE, NULL);
    return st;
}

static db_drv_status_t fake_exec(db_conn_t *c, arena_t *a, err_t *e, const char *sql,
                                 const db_value_t *params, size_t n, db_result_t *out)
{
    (void)c, (void)sql, (void)params, (void)n, (void)out;
    fake.execs++;
    return next(a, e);
}

static db_drv_status_t fake_run(db_conn_t *c, arena_t *a, err_t *e, const char *sql)
{
    (void)c;
    if (fake.nruns < 8)
        fake.runs[fake.nruns++] = sql;
    return next(a, e);
}

static void fake_stmt_free(db_conn_t *c, void *h)
{
    (void)c, (void)h;
}

static const db_driver_t fake_driver = {
    .name = "fake",
    .dialect = DB_PG,
    .begin_sql = "BEGIN",
    .open = fake_open,
    .close = fake_close,
    .exec = fake_exec,
    .run = fake_run,
    .stmt_free = fake_stmt_free,
};

typedef struct {
    conf_t conf;
    arena_t *a;
    db_conn_t *c;
    err_t e;
} fx_t;

static int setup(void **state)
{
    memset(&fake, 0, sizeof fake);
    fx_t *f = calloc(1, sizeof(*f));
    f->conf.db_client = "sqlite3";
    f->a = arena_new();
    f->c = db_new(&f->conf);
    f->c->drv = &fake_driver;
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

static void script(int n, ...)
{
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        fake.script[i] = va_arg(ap, db_drv_status_t);
    va_end(ap);
    fake.nscript = n;
    fake.pos = 0;
}

static int exec(fx_t *f)
{
    memset(&f->e, 0, sizeof f->e);
    return db_exec(f->c, f->a, &f->e, "SELECT 1", NULL, 0, NULL);
}

static void assert_503(fx_t *f, const char *reason)
{
    assert_int_equal(f->e.code, ERR_SERVICE_UNAVAILABLE);
    char want[128];
    snprintf(want, sizeof want, "Service \"database\" is unavailable. %s.", reason);
    assert_string_equal(f->e.message, want);
    memset(&f->e, 0, sizeof f->e);
}

/* ---- policy ------------------------------------------------------------------------------ */

static void test_lazy_connect_and_count(void **state)
{
    fx_t *f = *state;
    assert_int_equal(fake.opens, 0);
    assert_int_equal(exec(f), 0);
    assert_int_equal(exec(f), 0);
    assert_int_equal(fake.opens, 1);
    assert_int_equal(db_statement_count(f->c), 2);
}

static void test_unsent_is_retried_once(void **state)
{
    fx_t *f = *state;
    script(1, DB_DRV_LOST_UNSENT);
    assert_int_equal(exec(f), 0);
    assert_int_equal(fake.execs, 2);
    assert_int_equal(fake.opens, 2);
    assert_int_equal(fake.closes, 1);
    assert_int_equal(db_statement_count(f->c), 1);
    /* Twice in a row: the second loss is reported, not retried again. */
    script(2, DB_DRV_LOST_UNSENT, DB_DRV_LOST_UNSENT);
    assert_int_equal(exec(f), -1);
    assert_503(f, "Database connection lost");
    assert_int_equal(fake.execs, 4);
    assert_null(f->c->h);
}

static void test_lost_after_send_is_not_retried(void **state)
{
    fx_t *f = *state;
    script(1, DB_DRV_LOST);
    assert_int_equal(exec(f), -1);
    assert_503(f, "Database connection lost");
    assert_int_equal(fake.execs, 1);
    assert_null(f->c->h);
    /* The next statement reconnects on the same handle. */
    assert_int_equal(exec(f), 0);
    assert_int_equal(fake.opens, 2);
}

static void test_connect_failure(void **state)
{
    fx_t *f = *state;
    fake.open_fails = true;
    assert_int_equal(exec(f), -1);
    assert_503(f, "Database connection failed");
    assert_int_equal(db_begin(f->c, f->a, &f->e), -1);
    assert_503(f, "Database connection failed");
    fake.open_fails = false;
    assert_int_equal(exec(f), 0);
    assert_int_equal(fake.opens, 3);
    assert_int_equal(fake.execs, 1);
}

static void test_lost_inside_transaction(void **state)
{
    fx_t *f = *state;
    assert_int_equal(db_begin(f->c, f->a, &f->e), 0);
    assert_int_equal(exec(f), 0);
    script(1, DB_DRV_LOST_UNSENT);
    assert_int_equal(exec(f), -1);
    assert_503(f, "Database connection lost");
    assert_int_equal(fake.execs, 2); /* never retried inside a transaction */
    /* The rest of the transaction must not run on a new connection in autocommit mode. */
    assert_int_equal(exec(f), -1);
    assert_503(f, "Database connection lost");
    assert_int_equal(fake.execs, 2);
    assert_int_equal(fake.opens, 1);
    assert_int_equal(db_commit(f->c, f->a, &f->e), -1);
    assert_503(f, "Database connection lost");
    /* Afterwards everything works again. */
    assert_int_equal(exec(f), 0);
    assert_int_equal(fake.opens, 2);
}

static void test_rollback_after_loss(void **state)
{
    fx_t *f = *state;
    assert_int_equal(db_begin(f->c, f->a, &f->e), 0);
    script(1, DB_DRV_LOST);
    assert_int_equal(exec(f), -1);
    assert_503(f, "Database connection lost");
    int runs = fake.nruns;
    assert_int_equal(db_rollback(f->c, f->a, &f->e), 0); /* the server discarded it already */
    assert_int_equal(fake.nruns, runs);
    assert_int_equal(exec(f), 0);
    /* A ROLLBACK that loses the connection succeeds too. */
    assert_int_equal(db_begin(f->c, f->a, &f->e), 0);
    script(1, DB_DRV_LOST);
    assert_int_equal(db_rollback(f->c, f->a, &f->e), 0);
    assert_null(f->c->h);
}

static void test_failed_commit_rolls_back(void **state)
{
    fx_t *f = *state;
    assert_int_equal(db_begin(f->c, f->a, &f->e), 0);
    script(1, DB_DRV_ERROR);
    assert_int_equal(db_commit(f->c, f->a, &f->e), -1);
    assert_int_equal(f->e.code, ERR_RECORD_NOT_UNIQUE);
    assert_int_equal(fake.nruns, 3);
    assert_string_equal(fake.runs[0], "BEGIN");
    assert_string_equal(fake.runs[1], "COMMIT");
    assert_string_equal(fake.runs[2], "ROLLBACK");
    assert_int_equal(f->c->txn, DB_TXN_NONE);
}

static void test_begin_retried_when_unsent(void **state)
{
    fx_t *f = *state;
    assert_int_equal(exec(f), 0);
    script(1, DB_DRV_LOST_UNSENT);
    assert_int_equal(db_begin(f->c, f->a, &f->e), 0);
    assert_int_equal(fake.nruns, 2);
    assert_int_equal(fake.opens, 2);
    assert_int_equal(f->c->txn, DB_TXN_OPEN);
}

static void test_stale_is_retried_outside_transaction(void **state)
{
    fx_t *f = *state;
    script(1, DB_DRV_STALE);
    assert_int_equal(exec(f), 0);
    assert_int_equal(fake.execs, 2);
    assert_int_equal(fake.opens, 1); /* same connection */
    assert_int_equal(db_begin(f->c, f->a, &f->e), 0);
    script(1, DB_DRV_STALE);
    assert_int_equal(exec(f), -1);
    assert_int_equal(f->e.code, ERR_INTERNAL_SERVER_ERROR);
}

static void test_driver_error_passes_through(void **state)
{
    fx_t *f = *state;
    script(1, DB_DRV_ERROR);
    assert_int_equal(exec(f), -1);
    assert_int_equal(f->e.code, ERR_RECORD_NOT_UNIQUE);
    assert_int_equal(fake.execs, 1);
    assert_non_null(f->c->h);
}

/* ---- shared helpers ---------------------------------------------------------------------- */

static void test_helpers(void **state)
{
    fx_t *f = *state;
    arena_t *a = f->a;
    assert_string_equal(db_mask_quoted(a, "Incorrect integer value: 'abc' for column `x`", '\''),
                        "Incorrect integer value: '?' for column `x`");
    assert_string_equal(db_mask_quoted(a, "a 'b' 'c", '\''), "a '?' '?");
    assert_string_equal(db_mask_quoted(a, "''", '\''), "'?'");
    assert_string_equal(db_enclosed(a, "Key (email)=(x) already exists.", '(', ')', 0), "email");
    assert_string_equal(db_enclosed(a, "`a`.`b`, `c`", '`', '`', 2), "c");
    assert_null(db_enclosed(a, "`a`", '`', '`', 1));
    assert_null(db_enclosed(a, NULL, '(', ')', 0));
    assert_null(db_enclosed(a, "(open", '(', ')', 0));
    const db_result_t empty = {0};
    assert_null(db_cell(&empty, 0, 0));
}

static void test_constraint_messages(void **state)
{
    fx_t *f = *state;
    static const struct {
        db_constraint_t k;
        const char *message;
    } cases[] = {
        {{ERR_RECORD_NOT_UNIQUE, "c", "f", -1},
         "Value for field \"f\" in collection \"c\" has to be unique."},
        {{ERR_RECORD_NOT_UNIQUE, NULL, NULL, 1}, "Value has to be unique."},
        {{ERR_NOT_NULL_VIOLATION, "c", "f", -1},
         "Value for field \"f\" in collection \"c\" can't be null."},
        {{ERR_VALUE_TOO_LONG, "c", NULL, -1}, "Value in collection \"c\" is too long."},
        {{ERR_VALUE_TOO_LONG, NULL, NULL, -1}, "Value is too long."},
        {{ERR_VALUE_OUT_OF_RANGE, "c", "f", -1},
         "Numeric value for field \"f\" in collection \"c\" is out of range."},
        {{ERR_INVALID_FOREIGN_KEY, "c", "f", -1},
         "Invalid foreign key for field \"f\" in collection \"c\"."},
        {{ERR_INVALID_FOREIGN_KEY, NULL, NULL, -1}, "Invalid foreign key."},
        {{ERR_CONTAINS_NULL_VALUES, "c", "f", -1},
         "Field \"f\" in collection \"c\" contains null values."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err_t e = {0};
        assert_int_equal(db_fail_constraint(&e, f->a, &cases[i].k), DB_DRV_ERROR);
        assert_int_equal(e.code, cases[i].k.code);
        assert_string_equal(e.message, cases[i].message);
    }
    /* The first error sticks. */
    err_t e = {0};
    err_set(&e, f->a, ERR_FORBIDDEN, NULL);
    db_fail_constraint(&e, f->a, &cases[0].k);
    assert_int_equal(e.code, ERR_FORBIDDEN);
    assert_null(e.ext);
}

/* ---- MySQL messages ---------------------------------------------------------------------- */

static const char *mysql_env(fx_t *f, unsigned err, const char *msg, const char *sql)
{
    err_t e = {0};
    assert_int_equal(map_error(f->c, f->a, &e, err, msg, sql), DB_DRV_ERROR);
    buf_t b;
    buf_init(&b, f->a, 256);
    err_render(&e, &b);
    return b.p;
}

static void test_mysql_messages(void **state)
{
    fx_t *f = *state;
    static const struct {
        unsigned err;
        const char *msg, *sql, *env;
    } cases[] = {
        /* MariaDB: the index name only; knex's <table>_<field>_unique gives the field. */
        {1062, "Duplicate entry 'a' for key 'tags_name_unique'", "INSERT INTO `tags` (`name`)",
         "\"Value for field \\\"name\\\" in collection \\\"tags\\\" has to be unique.\","
         "\"extensions\":{\"collection\":\"tags\",\"field\":\"name\",\"primaryKey\":false,"},
        {1062, "Duplicate entry '1' for key 'PRIMARY'", "INSERT INTO `tags` (`id`)",
         "\"Value has to be unique.\",\"extensions\":{\"collection\":null,\"field\":null,"
         "\"primaryKey\":true,"},
        /* MySQL 8 prefixes the table. */
        {1062, "Duplicate entry 'a' for key 'tags.tags_name_unique'", "INSERT INTO `tags`",
         "\"Value for field \\\"name\\\" in collection \\\"tags\\\" has to be unique.\""},
        {1062, "Duplicate entry '1' for key 'tags.PRIMARY'", "INSERT INTO `tags`",
         "\"Value in collection \\\"tags\\\" has to be unique.\",\"extensions\":{\"collection\":"
         "\"tags\",\"field\":null,\"primaryKey\":true,"},
        /* A table with '_' in its name, which Directus would cut at the first '_'. */
        {1062, "Duplicate entry 'a' for key 'article_tags_name_unique'",
         "UPDATE `article_tags` SET `name` = ?",
         "\"Value for field \\\"name\\\" in collection \\\"article_tags\\\" has to be unique.\""},
        /* A value that looks like the key clause. */
        {1062, "Duplicate entry 'x' for key 'y'' for key 'tags_name_unique'", "INSERT INTO `tags`",
         "\"Value for field \\\"name\\\" in collection \\\"tags\\\" has to be unique.\""},
        /* An index not named by knex: Directus's guess, kept. */
        {1062, "Duplicate entry 'a' for key 'uniq_email'", "INSERT INTO `users`",
         "\"Value in collection \\\"uniq\\\" has to be unique.\""},
        {1452,
         "Cannot add or update a child row: a foreign key constraint fails (`db`.`articles`, "
         "CONSTRAINT `articles_author_foreign` FOREIGN KEY (`author`) REFERENCES `users` (`id`))",
         "INSERT INTO `articles` (`author`) VALUES (?)",
         "\"Invalid foreign key for field \\\"author\\\" in collection \\\"articles\\\".\""},
        {1048, "Column 'title' cannot be null", "INSERT INTO `articles` (`title`) VALUES (?)",
         "\"Value for field \\\"title\\\" in collection \\\"articles\\\" can't be null.\""},
        {1406, "Data too long for column 'title' at row 1", "UPDATE `articles` SET `title` = ?",
         "\"Value for field \\\"title\\\" in collection \\\"articles\\\" is too long.\""},
        {1264, "Out of range value for column 'n' at row 1", "INSERT INTO `t` (`n`) VALUES (?)",
         "\"Numeric value for field \\\"n\\\" in collection \\\"t\\\" is out of range.\""},
        {1265, "Data truncated for column 'n' at row 1", "ALTER TABLE `t` MODIFY `n` int NOT NULL",
         "\"Field \\\"n\\\" in collection \\\"t\\\" contains null values.\""},
        {1265, "Data truncated for column 'kind' at row 1", "INSERT INTO `t` (`kind`) VALUES (?)",
         "\"An unexpected error occurred.\""},
        {1366, "Incorrect integer value: 'secret' for column `db`.`t`.`n` at row 1",
         "INSERT INTO `t` (`n`) VALUES (?)", "\"An unexpected error occurred.\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *env = mysql_env(f, cases[i].err, cases[i].msg, cases[i].sql);
        const char *want = arena_printf(f->a, "{\"errors\":[{\"message\":%s", cases[i].env);
        if (strncmp(env, want, strlen(want)))
            fail_msg("case %zu\n got  %s\n want %s", i, env, want);
    }
}

static void test_mysql_url(void **state)
{
    (void)state;
    char u1[] = "mysql://us%40er:p%3Ass@db.example:3307/my%20db?ssl=true";
    target_t t = {0};
    assert_int_equal(parse_url(u1, &t), 0);
    assert_string_equal(t.user, "us@er");
    assert_string_equal(t.password, "p:ss");
    assert_string_equal(t.host, "db.example");
    assert_int_equal(t.port, 3307);
    assert_string_equal(t.database, "my db");
    char u2[] = "mariadb://[::1]:3306/x";
    memset(&t, 0, sizeof t);
    assert_int_equal(parse_url(u2, &t), 0);
    assert_string_equal(t.host, "::1");
    assert_int_equal(t.port, 3306);
    assert_null(t.user);
    char u3[] = "mysql://root@localhost";
    memset(&t, 0, sizeof t);
    assert_int_equal(parse_url(u3, &t), 0);
    assert_string_equal(t.user, "root");
    assert_null(t.password);
    assert_string_equal(t.host, "localhost");
    assert_int_equal(t.port, 0);
    assert_null(t.database);
    char u4[] = "localhost:3306";
    assert_int_equal(parse_url(u4, &t), -1);
}

#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
    log_threshold = getenv("CELER_TEST_LOG") ? LOG_DEBUG : LOG_FATAL; /* failures log by design */
    const struct CMUnitTest tests[] = {
        T(test_lazy_connect_and_count),
        T(test_unsent_is_retried_once),
        T(test_lost_after_send_is_not_retried),
        T(test_connect_failure),
        T(test_lost_inside_transaction),
        T(test_rollback_after_loss),
        T(test_failed_commit_rolls_back),
        T(test_begin_retried_when_unsent),
        T(test_stale_is_retried_outside_transaction),
        T(test_driver_error_passes_through),
        T(test_helpers),
        T(test_constraint_messages),
        T(test_mysql_messages),
        T(test_mysql_url),
    };
    return cmocka_run_group_tests_name("db_policy", tests, NULL, NULL);
}
