/* POST /files/import's helpers: encodeurl 2.0.0, decodeURI(path.basename(pathname)) (expected
 * values from Node 20 and the package on the same inputs) and IMPORT_IP_DENY_LIST matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/services/files_import.h"

static void test_encode_url(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"http://a.b/x y/\xc3\xa9.png?q=1 2#f", "http://a.b/x%20y/%C3%A9.png?q=1%202#f"},
        {"http://a.b/100%/%41%zz", "http://a.b/100%25/%41%25zz"},
        {"http://h/<>\"{}|\\^`$#", "http://h/%3C%3E%22%7B%7D|\\^%60$#"},
    };
    arena_t *a = arena_new();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(files_encode_url(a, cases[i][0]), cases[i][1]);
    arena_free(a);
}

static void test_url_filename(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"http://a.b/dir/red%20image.png?x=1", "red image.png"},
        {"http://a.b/", ""},
        {"http://a.b", ""},
        {"http://a.b/a%2Fb%3Fc.txt", "a%2Fb%3Fc.txt"},
        {"http://a.b/%E6%97%A5.txt", "\xe6\x97\xa5.txt"},
        {"http://a.b/%E6%97.txt", NULL},
        {"http://a.b/%zz", NULL},
        {"http://a.b/dir/", "dir"},
    };
    arena_t *a = arena_new();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = files_url_filename(a, cases[i][0]);
        if (cases[i][1])
            assert_string_equal(got, cases[i][1]);
        else
            assert_null(got);
    }
    arena_free(a);
}

static void test_deny_list(void **state)
{
    (void)state;
    const char *dflt = "0.0.0.0,169.254.169.254";
    assert_true(files_ip_denied("169.254.169.254", dflt));
    assert_true(files_ip_denied("127.0.0.1", dflt)); /* loopback network of this machine */
    assert_true(files_ip_denied("127.5.6.7", dflt));
    assert_true(files_ip_denied("::1", dflt));
    assert_true(files_ip_denied("::ffff:127.0.0.1", dflt));
    assert_false(files_ip_denied("192.0.2.10", dflt));
    assert_true(files_ip_denied("10.1.2.3", "10.0.0.0/8"));
    assert_false(files_ip_denied("11.1.2.3", "10.0.0.0/8"));
    assert_true(files_ip_denied("2001:db8::1", "192.0.2.1, 2001:db8::/32"));
    assert_false(files_ip_denied("127.0.0.1", "192.0.2.1"));
    assert_false(files_ip_denied("127.0.0.1", ""));
    /* An entry that is no address: Directus denies everything ("invalid config"). */
    assert_true(files_ip_denied("192.0.2.10", "not-an-ip"));
    assert_true(files_ip_denied("192.0.2.10", "10.0.0.0/99"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_url),
        cmocka_unit_test(test_url_filename),
        cmocka_unit_test(test_deny_list),
    };
    return cmocka_run_group_tests_name("services/files_import", tests, NULL, NULL);
}
