/* JSON output must be byte-identical to JSON.stringify (values pinned from Node 20). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "lib/core/err.h"
#include "lib/core/json.h"

static void check_double(double d, const char *want)
{
    arena_t *a = arena_new();
    buf_t b;
    buf_init(&b, a, 16);
    struct json_object *o = json_object_new_double(d);
    json_write(&b, o);
    json_object_put(o);
    assert_string_equal(b.p, want);
    arena_free(a);
}

static void test_doubles_like_javascript(void **state)
{
    (void)state;
    /* node -p 'JSON.stringify([0.1, 1e21, 1e-7, 123.456, -0.000001, 2.5e-8, 1/3, 100, 1e20, 24370.084249084249])' */
    check_double(0.1, "0.1");
    check_double(1e21, "1e+21");
    check_double(1e-7, "1e-7");
    check_double(123.456, "123.456");
    check_double(-0.000001, "-0.000001");
    check_double(2.5e-8, "2.5e-8");
    check_double(1.0 / 3, "0.3333333333333333");
    check_double(100, "100");
    check_double(1e20, "100000000000000000000");
    check_double(24370.084249084249, "24370.084249084248");
}

static void test_strings_escaped_like_javascript(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    buf_t b;
    buf_init(&b, a, 16);
    /* node -p 'JSON.stringify("a\"b\\c/\n\t\u0001é")' */
    json_write_str(&b, (str_t){"a\"b\\c/\n\t\x01\xc3\xa9", 11});
    assert_string_equal(b.p, "\"a\\\"b\\\\c/\\n\\t\\u0001\xc3\xa9\"");
    /* node -p 'JSON.stringify("x\ud83dy")': a lone surrogate (WTF-8 ED A0 BD) is escaped. */
    buf_clear(&b);
    json_write_str(&b, (str_t){"x\xed\xa0\xbdy", 5});
    assert_string_equal(b.p, "\"x\\ud83dy\"");
    /* A pair (ED A0 BD, ED B8 80) is one code point, 😀 as UTF-8; ED 95 9C is Hangul 한, not a
     * surrogate, and is copied; DEL and bytes above 0x7f are never escaped. node -p
     * 'JSON.stringify("\ud83d\ude00한\x7f\x1f")' */
    buf_clear(&b);
    json_write_str(&b, (str_t){"\xed\xa0\xbd\xed\xb8\x80\xed\x95\x9c\x7f\x1f", 11});
    assert_string_equal(b.p, "\"\xf0\x9f\x98\x80\xed\x95\x9c\x7f\\u001f\"");
    /* A surrogate cut short at the end of the string is copied as it is. */
    buf_clear(&b);
    json_write_str(&b, (str_t){"ab\xed\xa0", 4});
    assert_string_equal(b.p, "\"ab\xed\xa0\"");
    arena_free(a);
}

static void test_integers_without_printf(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    buf_t b;
    buf_init(&b, a, 4);
    const long long v[] = {0, 7, -7, 10, 9007199254740993LL, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        char want[32];
        snprintf(want, sizeof want, "%lld", v[i]);
        buf_clear(&b);
        buf_int(&b, v[i]);
        assert_string_equal(b.p, want);
    }
    buf_clear(&b);
    buf_uint_pad(&b, 5, 2);
    buf_uint_pad(&b, 12, 2);
    buf_uint_pad(&b, 123, 2);
    buf_uint_pad(&b, 7, 4);
    buf_uint_pad(&b, 0, 3);
    assert_string_equal(b.p, "05121230007000");
    arena_free(a);
}

static void test_error_envelope(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    err_t e = {0};
    buf_t b;
    buf_init(&b, a, 16);
    err_set(&e, a, ERR_ROUTE_NOT_FOUND, "Route %s doesn't exist.", "/x");
    err_ext_str(&e, a, "path", "/x");
    err_set(&e, a, ERR_FORBIDDEN, NULL); /* the first error sticks */
    err_render(&e, &b);
    assert_string_equal(b.p, "{\"errors\":[{\"message\":\"Route /x doesn't exist.\",\"extensions\":"
                             "{\"path\":\"/x\",\"code\":\"ROUTE_NOT_FOUND\"}}]}");
    assert_int_equal(err_status(e.code), 404);
    arena_reset(a);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doubles_like_javascript),
        cmocka_unit_test(test_strings_escaped_like_javascript),
        cmocka_unit_test(test_integers_without_printf),
        cmocka_unit_test(test_error_envelope),
    };
    return cmocka_run_group_tests_name("core/json", tests, NULL, NULL);
}
