/*
 * lib/sql/compile's PostgreSQL key array: the parent keys of a to-many fetch bound as one array
 * parameter. Its text must read back as exactly those keys whatever they hold (quotes,
 * backslashes, commas, braces, the word NULL), and key types without an array form keep the IN
 * list. (The golden cases show the statements; they only have integer keys.)
 */
/* first: cmocka defines a fail() macro, and compile.c has a fail() of its own */
#include "lib/sql/compile.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static arena_t *A;

static const char *literal(const db_value_t *keys, size_t n)
{
    str_t s;
    if (!pg_array_literal(A, keys, n, &s))
        return NULL;
    return arena_strndup(A, s.p, s.n);
}

static db_value_t text(const char *s)
{
    return (db_value_t){.type = DB_TEXT, .s = str_c(s)};
}

static void test_integer_keys(void **state)
{
    (void)state;
    db_value_t k[] = {{.type = DB_INT, .i = 1}, {.type = DB_INT, .i = -7},
                      {.type = DB_INT, .i = INT64_MIN}};
    assert_string_equal(literal(k, 3), "{1,-7,-9223372036854775808}");
    assert_string_equal(literal(k, 0), "{}");
}

static void test_text_keys_quoted(void **state)
{
    (void)state;
    db_value_t k[] = {text("a"), text("NULL"), text("x,\"y\"\\z"), text("{}"), text("")};
    assert_string_equal(literal(k, 5), "{\"a\",\"NULL\",\"x,\\\"y\\\"\\\\z\",\"{}\",\"\"}");
}

static void test_other_keys_refused(void **state)
{
    (void)state;
    db_value_t k[] = {{.type = DB_INT, .i = 1}, {.type = DB_FLOAT, .f = 1.5}};
    assert_null(literal(k, 2));
    db_value_t nul[] = {{.type = DB_NULL}};
    assert_null(literal(nul, 1));
}

static void test_array_types(void **state)
{
    (void)state;
    schema_field_t f = {0};
    f.db_type = "integer";
    assert_int_equal(pg_key_array_type(&f), PG_ARR_INT4);
    f.db_type = "uuid";
    assert_int_equal(pg_key_array_type(&f), PG_ARR_UUID);
    f.db_type = "character varying";
    assert_int_equal(pg_key_array_type(&f), PG_ARR_TEXT);
    f.db_type = "character"; /* bpchar compares padded: keep the IN list */
    assert_int_equal(pg_key_array_type(&f), PG_ARR_NONE);
    f.db_type = NULL;
    assert_int_equal(pg_key_array_type(&f), PG_ARR_NONE);
    assert_int_equal(pg_key_array_type(NULL), PG_ARR_NONE);
}

int main(void)
{
    A = arena_new();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integer_keys),
        cmocka_unit_test(test_text_keys_quoted),
        cmocka_unit_test(test_other_keys_refused),
        cmocka_unit_test(test_array_types),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    arena_free(A);
    return rc;
}
