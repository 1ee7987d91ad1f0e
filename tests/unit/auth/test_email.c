/*
 * Email validation: verdicts of Joi 17.13's string().email() (Directus's login schema), recorded
 * from node for each address below, plus punycode (RFC 3492 sample) and UTF-16 lengths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/auth/email.h"
#include "lib/auth/tlds.h"

static const struct {
    const char *email;
    size_t n; /* bytes (some hold NUL) */
    bool valid;
} cases[] = {
    {"a@example.com", 13, true},
    {"A@EXAMPLE.COM", 13, true},
    {"a@b.c", 5, false},
    {"a@example.test", 14, false},
    {"a@example.invalid", 17, false},
    {"x", 1, false},
    {"@example.com", 12, false},
    {"a@", 2, false},
    {"a@@example.com", 14, false},
    {"a.b@example.com", 15, true},
    {"a..b@example.com", 16, false},
    {".a@example.com", 14, false},
    {"a.@example.com", 14, false},
    {"a+tag@example.com", 17, true},
    {"a_b@example.com", 15, true},
    {"!#$%&*+-/=?^_`{|}~@example.com", 30, true},
    {"a b@example.com", 15, false},
    {"a\"b@example.com", 15, false},
    {"a(b)@example.com", 16, false},
    {"\xc3\xa4@b\xc3\xbc"
     "cher.de",
     13, true},
    {"\xc3\xbc.\xc3\xb6@example.com", 17, true},
    {"user@\xe4\xbe\x8b\xe3\x81\x88.jp", 14, true},
    {"user@example.\xd1\x80\xd1\x84", 17, true},
    {"user@example.com.", 17, false},
    {"user@-example.com", 17, false},
    {"user@example-.com", 17, false},
    {"user@ex--ample.com", 18, true},
    {"user@example.123", 16, false},
    {"user@123.com", 12, true},
    {"user@EXAMPLE.COM", 16, true},
    {"user@localhost", 14, false},
    {"user@[127.0.0.1]", 16, false},
    {"user@exa_mple.com", 17, false},
    {"user@exa%mple.com", 17, false},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com", 76, true},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com", 77, false},
    {"a@bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.com", 69, true},
    {"a@bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.com", 70, false},
    {"a@bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb."
     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb."
     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb."
     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.com",
     249, true},
    {"a@xn--bcher-kva.de", 18, true},
    {"a@xn--p1ai", 10, false},
    {"a@example.xn--p1ai", 18, true},
    {"a@exa\x00mple.com", 14, false},
    {"a\x00@example.com", 14, false},
    {"\xf0\x9f\x98\x80@example.com", 16, true},
    {"a@\xf0\x9f\x98\x80.com", 10, true},
    {"a@ex ample.com", 14, false},
    {"a@example.co\xe2\x80\x8bm", 16, true},
    {"a@example.c0m", 13, false},
    {"a@example.c-m", 13, false},
    {"a@example.-com", 14, false},
    {"a@e.co", 6, true},
    {"a@example\xe3\x80\x82"
     "com",
     15, true},
    {"a@\xef\xbc\xa5\xef\xbc\xb8\xef\xbc\xa1\xef\xbc\xad\xef\xbc\xb0\xef\xbc\xac\xef\xbc\xa5.com",
     27, true},
    {"a@exam\xc2\xadple.com", 15, true},
    {"a@example.com\xe2\x80\x8b", 16, true},
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

static void test_joi_verdicts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (email_is_valid(a, (str_t){cases[i].email, cases[i].n}) != cases[i].valid)
            fail_msg("case %zu: \"%s\" want %s", i, cases[i].email,
                     cases[i].valid ? "valid" : "invalid");
}

static void test_punycode(void **state)
{
    (void)state;
    assert_string_equal(email_punycode(a, STR("b\xc3\xbc"
                                              "cher")),
                        "bcher-kva");
    assert_string_equal(email_punycode(a, STR("\xd1\x80\xd1\x84")), "p1ai");
    assert_string_equal(email_punycode(a, STR("\xe4\xbe\x8b\xe3\x81\x88")), "r8jz45g");
    assert_null(email_punycode(a, STR("\xff")));
}

static void test_lengths_and_tlds(void **state)
{
    (void)state;
    assert_int_equal(email_utf16_len(STR("abc")), 3);
    assert_int_equal(email_utf16_len(STR("\xc3\xbc")), 1);
    assert_int_equal(email_utf16_len(STR("\xf0\x9f\x98\x80")), 2);
    assert_int_equal(email_utf16_len(STR("\xff")), 1);
    assert_true(tlds_is_known(STR("com")));
    assert_true(tlds_is_known(STR("COM")));
    assert_true(tlds_is_known(STR("xn--p1ai")));
    assert_false(tlds_is_known(STR("test")));
    assert_false(tlds_is_known(STR("")));
    assert_true(tlds_count() > 1400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_joi_verdicts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_punycode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lengths_and_tlds, setup, teardown),
    };
    return cmocka_run_group_tests_name("auth/email", tests, NULL, NULL);
}
