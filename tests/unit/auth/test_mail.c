/*
 * Mail rendering: headers as nodemailer writes them (plain or encoded display names), a
 * quoted-printable body whose lines stay within 76 characters, and addresses that could inject
 * headers refused. Delivery itself (SMTP through libcurl) is tested in tests/api/20_auth.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/auth/mail.h"

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

static void test_headers(void **state)
{
    (void)state;
    mail_t m = {"Directus", "no-reply@example.com", "a@example.com", "Password Reset Request",
                "<p>x</p>"};
    char *msg = mail_render(a, &m, 1700000000000LL);
    assert_non_null(msg);
    assert_non_null(strstr(msg, "From: Directus <no-reply@example.com>\r\n"));
    assert_non_null(strstr(msg, "To: a@example.com\r\n"));
    assert_non_null(strstr(msg, "Subject: Password Reset Request\r\n"));
    assert_non_null(strstr(msg, "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"));
    assert_non_null(strstr(msg, "Content-Transfer-Encoding: quoted-printable\r\n\r\n<p>x</p>\r\n"));
    m.from_name = "\xc3\x9cnicode";
    assert_non_null(strstr(mail_render(a, &m, 0), "From: =?UTF-8?B?w5xuaWNvZGU=?= <no-reply"));
    m.from_name = "A \"quoted\" name";
    assert_non_null(strstr(mail_render(a, &m, 0), "From: \"A \\\"quoted\\\" name\" <no-reply"));
}

static void test_injection_refused(void **state)
{
    (void)state;
    mail_t m = {"P", "no-reply@example.com", "a@example.com\r\nBcc: x@evil.com", "s", "b"};
    assert_null(mail_render(a, &m, 0));
    m.to = "<a@example.com>";
    assert_null(mail_render(a, &m, 0));
    m.to = "a@example.com";
    m.from = "x\ny@example.com";
    assert_null(mail_render(a, &m, 0));
}

static void test_quoted_printable(void **state)
{
    (void)state;
    char html[600];
    memset(html, 'x', sizeof html - 1);
    html[sizeof html - 1] = '\0';
    memcpy(html + 100, "a=b \xc3\xbc", 7);
    mail_t m = {"P", "n@example.com", "a@example.com", "s", html};
    char *msg = mail_render(a, &m, 0);
    char *body = strstr(msg, "\r\n\r\n") + 4;
    assert_non_null(strstr(body, "a=3Db =C3=BC")); /* '=' and UTF-8 escaped, space kept */
    for (char *line = body; *line;) {
        char *end = strstr(line, "\r\n");
        assert_non_null(end);
        assert_true(end - line <= 76);
        line = end + 2;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_injection_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quoted_printable, setup, teardown),
    };
    return cmocka_run_group_tests_name("auth/mail", tests, NULL, NULL);
}
