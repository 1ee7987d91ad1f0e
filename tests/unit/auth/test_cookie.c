/*
 * Cookies: what cookie-parser 1.4.7 (cookie 0.7.2 + JSON cookies) reads as the session cookie
 * from odd Cookie headers, and the Set-Cookie text express 4.20's res.cookie() writes. The
 * expected values were printed by those packages from Directus 11.3.5's node_modules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/auth/cookie.h"

static arena_t *a;

static int setup(void **state)
{
    (void)state;
    a = arena_new();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(a);
    return 0;
}

static const struct {
    const char *header;
    const char *want; /* NULL: no such cookie; "<object>": a j: cookie holding JSON data */
} parse_cases[] = {
    {"a=b; directus_session_token=tok", "tok"},
    {"directus_session_token=first; directus_session_token=second", "first"},
    {" directus_session_token = spaced ;x=1", "spaced"},
    {"directus_session_token=\"quoted\"", "quoted"},
    {"directus_session_token=\"", ""},
    {"directus_session_token=a%20b", "a b"},
    {"directus_session_token=bad%zz", "bad%zz"},
    {"directus_session_token=%FF", "%FF"},
    {"directus_session_token=j:\"json\"", "json"},
    {"directus_session_token=j:{\"a\":1}", "j:{\"a\":1}"}, /* an object: never a token */
    {"noeq; directus_session_token=v", "v"},
    {"directus_session_token", NULL},
    {"x=1;directus_session_token=;y=2", ""},
    {";;=;x;directus_session_token", NULL},
    {"directus_session_token=a=b=c", "a=b=c"},
    {"a=1; b; directus_session_token=z", "z"},
    {"directus_session_token=\ttabbed\t", "tabbed"},
    {"x", NULL},
    {"", NULL},
    {"Directus_session_token=upper", NULL},
};

static void test_parse_like_cookie_parser(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
        str_t v = cookie_get(a, str_c(parse_cases[i].header), "directus_session_token");
        if (!parse_cases[i].want) {
            if (v.p)
                fail_msg("case %zu (%s): got \"%.*s\", want none", i, parse_cases[i].header,
                         (int)v.n, v.p);
            continue;
        }
        if (!v.p || !str_eq_c(v, parse_cases[i].want))
            fail_msg("case %zu (%s): got \"%.*s\", want \"%s\"", i, parse_cases[i].header,
                     v.p ? (int)v.n : 4, v.p ? v.p : "none", parse_cases[i].want);
    }
    /* No header at all. */
    assert_null(cookie_get(a, STR_NULL, "x").p);
}

static void test_garbage_headers_do_not_crash(void **state)
{
    (void)state;
    char buf[512];
    unsigned seed = 7;
    for (int round = 0; round < 2000; round++) {
        size_t n = (seed = seed * 1103515245 + 12345) % sizeof buf;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245 + 12345;
            buf[i] = "=; \t\"%j:abcz\xff\x00"[(seed >> 16) % 14];
        }
        cookie_get(a, (str_t){buf, n}, "a");
        cookie_get(a, (str_t){buf, n}, "j:");
    }
}

static void test_serialize_like_express(void **state)
{
    (void)state;
    const int64_t now = 1700000000000LL;
    cookie_opts_t refresh = {604800000, NULL, true, false, "lax"};
    assert_string_equal(cookie_serialize(a, "directus_refresh_token", STR("abc"), &refresh, now),
                        "directus_refresh_token=abc; Max-Age=604800; Path=/; "
                        "Expires=Tue, 21 Nov 2023 22:13:20 GMT; HttpOnly; SameSite=Lax");
    cookie_opts_t all = {86400000, "example.com", true, true, "STRICT"};
    assert_string_equal(cookie_serialize(a, "n", STR("a b;\xc3\xbc"), &all, now),
                        "n=a%20b%3B%C3%BC; Max-Age=86400; Domain=example.com; Path=/; "
                        "Expires=Wed, 15 Nov 2023 22:13:20 GMT; HttpOnly; Secure; SameSite=Strict");
    cookie_opts_t tiny = {1500, NULL, true, false, "none"};
    assert_string_equal(cookie_clear(a, "n", &tiny, now),
                        "n=; Max-Age=1; Path=/; Expires=Tue, 14 Nov 2023 22:13:21 GMT; HttpOnly; "
                        "SameSite=None");
    /* JWT characters need no escaping. */
    cookie_opts_t s = {86400000, NULL, true, false, "lax"};
    assert_non_null(
        strstr(cookie_serialize(a, "t", STR("eyJ.a-b_c.d"), &s, now), "t=eyJ.a-b_c.d;"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_parse_like_cookie_parser, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_headers_do_not_crash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_serialize_like_express, setup, teardown),
    };
    return cmocka_run_group_tests_name("auth/cookie", tests, NULL, NULL);
}
