/*
 * JavaScript regexes for the password policy: verdicts of new RegExp(p).test(s) from node 20 for
 * the patterns below (Directus's two stock policies first), syntax errors where V8 throws, and
 * the work bound on a catastrophic pattern and a 1 MB password.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/auth/jsregex.h"

static const struct {
    const char *pattern, *subject;
    size_t n;
    int want;
} cases[] = {
    {"^.{8,}$", "short", 5, JSREGEX_NO_MATCH},
    {"^.{8,}$", "longenough", 10, JSREGEX_MATCH},
    {"^.{8,}$", "12345678", 8, JSREGEX_MATCH},
    {"^.{8,}$",
     "1234567\x0a"
     "8",
     9, JSREGEX_NO_MATCH},
    {"(?=^.{8,}$)(?=.*\\d)(?=.*[a-z])(?=.*[A-Z])(?=.*[!@#$%^&*()_+}{';'?>.<,])(?!.*\\s).*$",
     "Str0ng!Pass", 11, JSREGEX_MATCH},
    {"(?=^.{8,}$)(?=.*\\d)(?=.*[a-z])(?=.*[A-Z])(?=.*[!@#$%^&*()_+}{';'?>.<,])(?!.*\\s).*$", "weak",
     4, JSREGEX_NO_MATCH},
    {"(?=^.{8,}$)(?=.*\\d)(?=.*[a-z])(?=.*[A-Z])(?=.*[!@#$%^&*()_+}{';'?>.<,])(?!.*\\s).*$",
     "NoDigits!!", 10, JSREGEX_NO_MATCH},
    {"(?=^.{8,}$)(?=.*\\d)(?=.*[a-z])(?=.*[A-Z])(?=.*[!@#$%^&*()_+}{';'?>.<,])(?!.*\\s).*$",
     "n0upper!!x", 10, JSREGEX_NO_MATCH},
    {"(?=^.{8,}$)(?=.*\\d)(?=.*[a-z])(?=.*[A-Z])(?=.*[!@#$%^&*()_+}{';'?>.<,])(?!.*\\s).*$",
     "Has Space0!A", 12, JSREGEX_NO_MATCH},
    {"(?=^.{8,}$)(?=.*\\d)(?=.*[a-z])(?=.*[A-Z])(?=.*[!@#$%^&*()_+}{';'?>.<,])(?!.*\\s).*$",
     "Ab1!Ab1!", 8, JSREGEX_MATCH},
    {"a|b", "xxbx", 4, JSREGEX_MATCH},
    {"a|b", "c", 1, JSREGEX_NO_MATCH},
    {"^(a+)+$", "aaaa", 4, JSREGEX_MATCH},
    {"^(a+)+$", "aaab", 4, JSREGEX_NO_MATCH},
    {"(\\d{3})-\\1", "123-123", 7, JSREGEX_MATCH},
    {"(\\d{3})-\\1", "123-124", 7, JSREGEX_NO_MATCH},
    {"colou?r", "color", 5, JSREGEX_MATCH},
    {"colou?r", "colour", 6, JSREGEX_MATCH},
    {"colou?r", "colr", 4, JSREGEX_NO_MATCH},
    {"[^a-z]", "abc", 3, JSREGEX_NO_MATCH},
    {"[^a-z]", "abC", 3, JSREGEX_MATCH},
    {"\\bfoo\\b", "a foo b", 7, JSREGEX_MATCH},
    {"\\bfoo\\b", "afoob", 5, JSREGEX_NO_MATCH},
    {"x{2,3}?y", "xxy", 3, JSREGEX_MATCH},
    {"x{2,3}?y", "xy", 2, JSREGEX_NO_MATCH},
    {"x{2,3}?y", "xxxxy", 5, JSREGEX_MATCH},
    {"[\\w-]+@[\\w.]+", "a-b@c.d", 7, JSREGEX_MATCH},
    {"[\\w-]+@[\\w.]+", "@", 1, JSREGEX_NO_MATCH},
    {"a{,2}", "a{,2}", 5, JSREGEX_MATCH},
    {"a{,2}", "aa", 2, JSREGEX_NO_MATCH},
    {"(?:ab)*c", "ababc", 5, JSREGEX_MATCH},
    {"(?:ab)*c", "abac", 4, JSREGEX_MATCH},
    {"\\u00fc", "\xc3\xbc", 2, JSREGEX_MATCH},
    {"\\u00fc", "u", 1, JSREGEX_NO_MATCH},
    {"^.$", "\xf0\x9f\x98\x80", 4, JSREGEX_NO_MATCH},
    {"^.$", "\xc3\xbc", 2, JSREGEX_MATCH},
    {"^..$", "\xf0\x9f\x98\x80", 4, JSREGEX_MATCH},
    {"[\\s\\S]{3}", "ab", 2, JSREGEX_NO_MATCH},
    {"[\\s\\S]{3}", "abc", 3, JSREGEX_MATCH},
    {"(a)|b\\1", "b", 1, JSREGEX_MATCH},
    {"(a)|b\\1", "ab", 2, JSREGEX_MATCH},
    {"(?<n>x)\\k<n>", "xx", 2, JSREGEX_MATCH},
    {"(?<=a)b", "ab", 2, JSREGEX_LIMIT},
    {"*", "", 0, JSREGEX_SYNTAX},
    {"(a", "", 0, JSREGEX_SYNTAX},
    {"[b-a]", "", 0, JSREGEX_SYNTAX},
    {"a{3,2}", "", 0, JSREGEX_SYNTAX},
    {"\\", "", 0, JSREGEX_SYNTAX},
    {"a)", "", 0, JSREGEX_SYNTAX},
    {"[", "", 0, JSREGEX_SYNTAX},
    {"]", "]", 1, JSREGEX_MATCH},
    {"{", "{", 1, JSREGEX_MATCH},
    {"a{1}", "a", 1, JSREGEX_MATCH},
    {"(?=a)*b", "b", 1, JSREGEX_MATCH},
    {"^(?!.*password).*$", "mypassword1", 11, JSREGEX_NO_MATCH},
    {"^(?!.*password).*$", "secret", 6, JSREGEX_MATCH},
    {"\\x41\\cA", "A\x01", 2, JSREGEX_MATCH},
    {"[\\d-z]", "-", 1, JSREGEX_MATCH},
    {"[\\d-z]", "5", 1, JSREGEX_MATCH},
    {"[\\d-z]", "y", 1, JSREGEX_NO_MATCH},
    {"\\0", "\x00", 1, JSREGEX_MATCH},
    {"(a*)*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaac", 30, JSREGEX_LIMIT},
};

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

static void test_node_verdicts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = jsregex_test(a, str_c(cases[i].pattern), (str_t){cases[i].subject, cases[i].n});
        if (got != cases[i].want)
            fail_msg("case %zu: /%s/.test(\"%s\") = %d, want %d", i, cases[i].pattern,
                     cases[i].subject, got, cases[i].want);
        arena_reset(a);
    }
}

/* The stock policies over a 1 MB password finish within the step bound. */
static void test_long_subject(void **state)
{
    (void)state;
    size_t n = 1 << 20;
    char *s = malloc(n);
    memset(s, 'a', n);
    memcpy(s + n - 4, "B1!x", 4);
    assert_int_equal(jsregex_test(a, STR("^.{8,}$"), (str_t){s, n}), JSREGEX_MATCH);
    assert_int_equal(jsregex_test(a,
                                  STR("(?=^.{8,}$)(?=.*\\d)(?=.*[a-z])(?=.*[A-Z])"
                                      "(?=.*[!@#$%^&*()_+}{';'?>.<,])(?!.*\\s).*$"),
                                  (str_t){s, n}),
                     JSREGEX_MATCH);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_node_verdicts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_subject, setup, teardown),
    };
    return cmocka_run_group_tests_name("auth/jsregex", tests, NULL, NULL);
}
