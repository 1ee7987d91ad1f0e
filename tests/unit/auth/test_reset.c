/*
 * Password reset helpers against Directus 11.3.5's own functions (run in node from its dist):
 * getSimpleHash (the token's `hash`), isUrlAllowed (PASSWORD_RESET_URL_ALLOW_LIST) and the Url
 * class that builds the mailed link.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/auth/reset.h"

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

static void test_simple_hash(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", "0"},
        {"null", "33c587"},
        {"$argon2id$v=19$m=65536,t=3,p=4$abc$def", "1022088c"},
        {"a", "61"},
        {"\xc3\xbc\xf0\x9f\x98\x80", "1ebf5f"}, /* ü and an emoji (a surrogate pair) */
        {"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "115e6b40"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char h[16];
        reset_simple_hash(str_c(cases[i].in), h);
        assert_string_equal(h, cases[i].out);
    }
}

static void test_url_allowed(void **state)
{
    (void)state;
    static const char list[] = "http://example.com/reset,https://app.example.com/r/,myapp://reset";
    static const struct {
        const char *url;
        bool want;
    } cases[] = {
        {"http://example.com/reset", true},
        {"http://example.com/reset?x=1", true},
        {"HTTP://EXAMPLE.COM:80/reset#f", true},
        {"http://example.com/reset/", false},
        {"http://example.com:8080/reset", false},
        {"https://app.example.com/r/", true},
        {"https://app.example.com/r", false},
        {"myapp://reset", true},
        {"myapp://reset?x", true},
        {"/reset", false},
        {"http://evil.com/reset", false},
        {"http://example.com/./reset", true},
        {"http://user:pw@example.com/reset", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (reset_url_allowed(a, str_c(cases[i].url), list) != cases[i].want)
            fail_msg("case %zu: %s", i, cases[i].url);
    assert_false(reset_url_allowed(a, STR("http://example.com/reset"), NULL));
}

static void test_link(void **state)
{
    (void)state;
    static const struct {
        const char *base, *add, *want;
    } cases[] = {
        {"http://127.0.0.1:8055", "admin/reset-password",
         "http://127.0.0.1:8055/admin/reset-password?token=T.k-n_"},
        {"/", "admin/reset-password", "/admin/reset-password?token=T.k-n_"},
        {"http://example.com/base/", "admin/reset-password",
         "http://example.com/base/admin/reset-password?token=T.k-n_"},
        {"https://example.com:443/x", NULL, "https://example.com/x?token=T.k-n_"},
        {"http://example.com/reset?a=b c&x=1#frag", NULL,
         "http://example.com/reset?a=b+c&x=1&token=T.k-n_#frag"},
        {"http://example.com/reset?token=old&b=%41&c=%2B+x", NULL,
         "http://example.com/reset?token=T.k-n_&b=A&c=%2B+x"},
        {"http://example.com/reset/", NULL, "http://example.com/reset/?token=T.k-n_"},
        {"//cdn.example.com/r", NULL, "//cdn.example.com/r?token=T.k-n_"},
        {"./rel/path", NULL, "/rel/path?token=T.k-n_"},
        {"http://Example.COM:8080/A/../B/./c?", NULL, "http://example.com:8080/B/c?token=T.k-n_"},
        {"http://example.com/reset?x=1&x=2&y", NULL,
         "http://example.com/reset?x=2&y=&token=T.k-n_"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(reset_link(a, str_c(cases[i].base), cases[i].add, "T.k-n_"),
                            cases[i].want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_simple_hash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_url_allowed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link, setup, teardown),
    };
    return cmocka_run_group_tests_name("auth/reset", tests, NULL, NULL);
}
