/* JSON output must be byte-identical to JSON.stringify (values pinned from Node 20). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/core/err.h"
#include "lib/core/json.h"
#include "lib/core/jsonparse.h"

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
    /* the 15-digit shortcut and its limits (subnormals):
     * node -p 'JSON.stringify([4.3, 0.30000000000000004, 2.2250738585072014e-308, 1e-310, 5e-324])' */
    check_double(4.3, "4.3");
    check_double(0.30000000000000004, "0.30000000000000004");
    check_double(2.2250738585072014e-308, "2.2250738585072014e-308");
    check_double(1e-310, "1e-310");
    check_double(5e-324, "5e-324");
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

/* A byte to escape is found wherever it falls in a text (start, end, either side of every
 * 8-byte boundary, where a word-at-a-time scan would split), and a surrogate pair anywhere still
 * becomes one code point. */
static void test_escapes_at_every_offset(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    static const struct {
        char in;
        const char *out;
    } cases[] = {{'"', "\\\""}, {'\\', "\\\\"}, {'\n', "\\n"}, {'\x01', "\\u0001"}, {'\x1f', "\\u001f"}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (size_t len = 1; len <= 26; len++) {
            for (size_t at = 0; at < len; at++) {
                char in[32], want[64];
                memset(in, 'x', len);
                in[at] = cases[c].in;
                buf_t b, w;
                buf_init(&b, a, 8);
                buf_init(&w, a, 8);
                json_write_str(&b, (str_t){in, len});
                buf_putc(&w, '"');
                buf_append(&w, in, at);
                buf_puts(&w, cases[c].out);
                buf_append(&w, in + at + 1, len - at - 1);
                buf_putc(&w, '"');
                snprintf(want, sizeof want, "%s", w.p);
                assert_string_equal(b.p, want);
            }
        }
    }
    for (size_t at = 0; at < 20; at++) {
        char in[32];
        memset(in, 'y', sizeof in);
        memcpy(in + at, "\xed\xa0\xbd\xed\xb8\x80", 6); /* U+1F600 as a WTF-8 pair */
        buf_t b;
        buf_init(&b, a, 8);
        json_write_str(&b, (str_t){in, 26});
        assert_non_null(strstr(b.p, "\xf0\x9f\x98\x80"));
        assert_int_equal(b.n, 2 + 26 - 6 + 4);
    }
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

/* JSON.stringify(JSON.parse(text)) by the slow path: jsonparse, then json_write. */
static const char *restringify(arena_t *a, const char *text, size_t n)
{
    struct json_object *o;
    if (jsonparse(a, text, n, 0, 512, &o, NULL) < 0)
        return NULL;
    buf_t b;
    buf_init(&b, a, 64);
    json_write(&b, o);
    return b.p;
}

/* Whenever json_is_canonical() says yes, the slow path must give the same bytes back. */
static void check_canonical(arena_t *a, const char *text, size_t n, int want)
{
    bool got = json_is_canonical((str_t){text, n});
    if (want >= 0 && got != (bool)want)
        fail_msg("json_is_canonical(%.*s) = %d", (int)n, text, got);
    if (got) {
        const char *back = restringify(a, text, n);
        if (!back || strlen(back) != n || memcmp(back, text, n) != 0)
            fail_msg("%.*s is not what JSON.stringify prints: %s", (int)n, text, back);
    }
}

static unsigned rnd(unsigned *seed, unsigned n)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) % n;
}

static void random_json(buf_t *t, unsigned *seed, int depth)
{
    static const char *scalars[] = {
        "0", "7", "-3", "1.25", "-0.5", "0.000001", "123456789012345", "1.0", "1e3", "-0",
        "0.0000001", "1234567890123456", "0.30000000000000004", "true", "false", "null",
        "\"\"", "\"a b\"", "\"caf\xc3\xa9\"", "\"\\n\"", "\"\\u0041\"", "\"\xed\x95\x9c\"",
        "\"/\"", "9007199254740993", "100", "0.1", "2.50",
    };
    static const char *keys[] = {"\"a\"", "\"b\"", "\"kind\"", "\"1\"", "\"-1\"", "\"x y\"",
                                 "\"\xc3\xa9\"", "\"__proto__\""};
    unsigned pick = depth > 4 ? 2 : rnd(seed, 4);
    const char *sep = rnd(seed, 40) ? "," : ", ";
    if (pick == 0) {
        buf_putc(t, '{');
        for (unsigned i = 0, n = rnd(seed, 4); i < n; i++) {
            if (i)
                buf_puts(t, sep);
            buf_puts(t, keys[rnd(seed, sizeof keys / sizeof *keys)]);
            buf_puts(t, rnd(seed, 40) ? ":" : ": ");
            random_json(t, seed, depth + 1);
        }
        buf_putc(t, '}');
    } else if (pick == 1) {
        buf_putc(t, '[');
        for (unsigned i = 0, n = rnd(seed, 4); i < n; i++) {
            if (i)
                buf_puts(t, sep);
            random_json(t, seed, depth + 1);
        }
        buf_putc(t, ']');
    } else {
        buf_puts(t, scalars[rnd(seed, sizeof scalars / sizeof *scalars)]);
    }
}

static void test_canonical_json_text(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    static const char *yes[] = {
        "{}", "[]", "0", "-1", "1.5", "-0.5", "0.000001", "123456789012345", "0.123456789012345",
        "true", "null", "\"\"", "\"caf\xc3\xa9 \xf0\x9f\x98\x80 /\"",
        "{\"reading_time\":15,\"featured\":false,\"keywords\":[\"news\",\"backend\"],"
        "\"source\":{\"kind\":\"web\",\"page\":85}}",
        "{\"b\":1,\"a\":[{},[],{\"x\":null}],\"-1\":2,\"1.5\":3}",
        /* strings longer than the 8 bytes skipped at a time */
        "\"abcdefghijklmnop caf\xc3\xa9 abcdefghijklmnop\"", "[\"abcdefgh\",\"abcdefghijklmnopq\"]",
    };
    static const char *no[] = {
        "", " {}", "{} ", "{\"a\": 1}", "[1, 2]", "1.0", "1e3", "1E3", "-0", "0.0000001", "01",
        "1234567890123456", "0.1234567890123456", "12345678901234567890", "\"a\\nb\"",
        "\"\\u00e9\"", "{\"a\":1,\"a\":2}", "{\"1\":1}", "{\"01\":1}", "[1,]", "{\"a\"}",
        "{\"a\":}", "nul", "tru", "[", "\"abc", "\"\xed\x95\x9c\"", "\"\xc3\"", "\"\xc0\xaf\"",
        "\"\xf4\x90\x80\x80\"", "\"\x01\"", "+1", ".5", "1.", "[1]x",
        "\"abcdefghij\x01klm\"", "\"abcdefghijklmnop\\nq\"", "\"abcdefghijklmnop\xed\x95\x9c\"",
        "\"abcdefghijklmnop\xc3\"", "\"abcdefghijklmnopq", "\"abcdefgh\xc3(ijklmnopqrs\"", "\"abcdefghijklmnop\xc3(\"",
    };
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        check_canonical(a, yes[i], strlen(yes[i]), 1);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        check_canonical(a, no[i], strlen(no[i]), 0);
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    check_canonical(a, deep, 200, 0); /* deeper than the fast path goes */

    /* Random documents, mostly canonical, with now and then something JSON.stringify would
     * print differently: every one the fast path takes is checked against the slow path. */
    unsigned seed = 12345;
    size_t yes_count = 0;
    for (int round = 0; round < 20000; round++) {
        buf_t t;
        buf_init(&t, a, 256);
        random_json(&t, &seed, 0);
        yes_count += json_is_canonical(buf_slice(&t));
        check_canonical(a, t.p, t.n, -1);
        arena_reset(a);
    }
    print_message("%zu of 20000 random documents canonical\n", yes_count);
    assert_true(yes_count > 1000); /* the generator reaches the fast path */
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
        cmocka_unit_test(test_escapes_at_every_offset),
        cmocka_unit_test(test_integers_without_printf),
        cmocka_unit_test(test_canonical_json_text),
        cmocka_unit_test(test_error_envelope),
    };
    return cmocka_run_group_tests_name("core/json", tests, NULL, NULL);
}
