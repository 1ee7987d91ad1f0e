/*
 * lib/sql/sqlbuf: identifiers quoted per dialect with the quote doubled, placeholders numbered
 * in textual order ($n, ?, ?n), parameters in the same order even when buffers are spliced, the
 * sticky error, and the parameter cap per dialect.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "lib/sql/sqlbuf.h"

static arena_t *A;

static const char *render(const sqlbuf_t *b, db_dialect_t d, sqlbuf_out_t *o)
{
    assert_int_equal(sqlbuf_render(b, A, d, o, NULL), 0);
    return o->sql;
}

static void test_quoting(void **state)
{
    (void)state;
    sqlbuf_t *b = sqlbuf_new(A);
    sqlbuf_kw(b, "SELECT ");
    sqlbuf_ident(b, "we\"ird`name");
    sqlbuf_kw(b, " FROM ");
    sqlbuf_col(b, 't', 3, "x");
    sqlbuf_out_t o;
    assert_string_equal(render(b, DB_PG, &o), "SELECT \"we\"\"ird`name\" FROM \"t3\".\"x\"");
    assert_string_equal(render(b, DB_MYSQL, &o), "SELECT `we\"ird``name` FROM `t3`.`x`");
    assert_string_equal(render(b, DB_SQLITE, &o), "SELECT \"we\"\"ird`name\" FROM \"t3\".\"x\"");
}

static void test_placeholders(void **state)
{
    (void)state;
    sqlbuf_t *where = sqlbuf_new(A);
    sqlbuf_kw(where, " WHERE a = ");
    sqlbuf_param_text(where, STR("x"));
    sqlbuf_t *b = sqlbuf_new(A);
    sqlbuf_kw(b, "SELECT ");
    sqlbuf_param_int(b, 1);
    sqlbuf_append(b, where);
    sqlbuf_kw(b, " LIMIT ");
    sqlbuf_param_int(b, 5);
    sqlbuf_out_t o;
    assert_string_equal(render(b, DB_PG, &o), "SELECT $1 WHERE a = $2 LIMIT $3");
    assert_int_equal(o.nparams, 3);
    assert_int_equal(o.params[0].i, 1);
    assert_true(str_eq_c(o.params[1].s, "x"));
    assert_int_equal(o.params[2].i, 5);
    assert_string_equal(render(b, DB_MYSQL, &o), "SELECT ? WHERE a = ? LIMIT ?");
    assert_string_equal(render(b, DB_SQLITE, &o), "SELECT ?1 WHERE a = ?2 LIMIT ?3");
    /* deterministic */
    sqlbuf_out_t o2;
    render(b, DB_PG, &o);
    render(b, DB_PG, &o2);
    assert_string_equal(o.sql, o2.sql);
}

static void test_sticky_and_cap(void **state)
{
    (void)state;
    sqlbuf_t *b = sqlbuf_new(A);
    sqlbuf_kw(b, "SELECT ");
    sqlbuf_ident(b, "");
    sqlbuf_kw(b, "1");
    sqlbuf_out_t o;
    const char *why = NULL;
    assert_int_equal(sqlbuf_render(b, A, DB_PG, &o, &why), -1);
    assert_string_equal(why, "empty identifier");
    sqlbuf_t *c = sqlbuf_new(A);
    for (int i = 0; i < 40000; i++)
        sqlbuf_param_int(c, i);
    assert_int_equal(sqlbuf_render(c, A, DB_PG, &o, NULL), 0);
    assert_int_equal(sqlbuf_render(c, A, DB_SQLITE, &o, &why), -1);
    assert_string_equal(why, "too many parameters");
}

static int setup(void **state)
{
    (void)state;
    A = arena_new();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(A);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_placeholders),
        cmocka_unit_test(test_sticky_and_cap),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
