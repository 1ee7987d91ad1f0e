/* multipart/form-data as busboy 1.6 reads it: parts, fields and files, dispositions, the
 * preamble and epilogue, folded and malformed headers, truncated forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/http/multipart.h"

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

static void assert_str(str_t s, const char *want)
{
    assert_non_null(s.p);
    assert_int_equal(s.n, strlen(want));
    assert_memory_equal(s.p, want, s.n);
}

/* Parses body with boundary "XX": the parts in out (at most max), the last result in *rc. */
static size_t parse(const char *body, size_t n, mp_part_t *out, size_t max, int *rc,
                    const char **msg)
{
    mp_parser_t m;
    mp_init(&m, a, STR("XX"), body, n);
    size_t k = 0;
    while ((*rc = mp_next(&m, a, &out[k < max ? k : max - 1], msg)) == 1)
        k++;
    return k;
}

#define PARSE(s, out, rc, msg) parse(s, sizeof(s) - 1, out, sizeof out / sizeof out[0], rc, msg)

static void test_boundary(void **state)
{
    (void)state;
    str_t b;
    assert_int_equal(mp_boundary(a, STR("multipart/form-data; boundary=abc"), &b), 0);
    assert_str(b, "abc");
    assert_int_equal(mp_boundary(a, STR("multipart/form-data; BOUNDARY=\"a b\\\"c\""), &b), 0);
    assert_str(b, "a b\"c");
    assert_int_equal(mp_boundary(a, STR("multipart/form-data"), &b), -1);
    assert_int_equal(mp_boundary(a, STR("multipart/form-data; xboundary=abc"), &b), -1);
    assert_int_equal(mp_boundary(a, STR("multipart/form-data; boundary="), &b), -1);
    assert_true(mp_is_form_data(STR("Multipart/Form-Data ; boundary=x")));
    assert_false(mp_is_form_data(STR("multipart/mixed; boundary=x")));
    assert_false(mp_is_form_data(STR("application/json")));
}

static void test_fields_and_files(void **state)
{
    (void)state;
    mp_part_t p[4];
    int rc;
    const char *msg;
    size_t n =
        PARSE("preamble ignored\r\n--XX\r\n"
              "Content-Disposition: form-data; name=\"title\"\r\n\r\n"
              "Hello\r\n--XX\r\n"
              "content-disposition: form-data; name=file; filename=\"C:\\\\dir\\\\a b.txt\"\r\n"
              "Content-Type: TEXT/Plain; charset=utf-8\r\n\r\n"
              "line1\r\nline2\r\n--XX\r\n"
              "Content-Disposition: form-data; name=\"raw\"\r\n"
              "Content-Type: application/octet-stream\r\n\r\n"
              "\r\n--X not a boundary\r\n--XX--\r\nepilogue --XX\r\n",
              p, &rc, &msg);
    assert_int_equal(rc, 0);
    assert_int_equal(n, 3);
    assert_str(p[0].name, "title");
    assert_false(p[0].is_file);
    assert_str(p[0].type, "text/plain");
    assert_str(p[0].data, "Hello");
    assert_str(p[1].name, "file");
    assert_true(p[1].is_file);
    /* A quoted "\\" is one backslash; busboy's basename cuts at '\' as at '/'. */
    assert_str(p[1].filename, "a b.txt");
    assert_str(p[1].type, "text/plain");
    assert_str(p[1].data, "line1\r\nline2");
    /* application/octet-stream makes a file even without a filename. */
    assert_true(p[2].is_file);
    assert_false(p[2].has_filename);
    assert_str(p[2].data, "\r\n--X not a boundary");
}

static void test_dispositions(void **state)
{
    (void)state;
    mp_part_t p[4];
    int rc;
    const char *msg;
    size_t n =
        PARSE("--XX\r\nContent-Disposition: form-data; name=\"a\"; filename=\"\"\r\n\r\n1"
              "\r\n--XX\r\nContent-Disposition: form-data; name=\"b\"; "
              "filename*=UTF-8''%E6%97%A5.txt; filename=\"fallback.txt\"\r\n\r\n2"
              "\r\n--XX\r\nContent-Disposition: attachment; name=\"c\"\r\n\r\n3"
              "\r\n--XX\r\nX-Other: 1\r\n\r\n4"
              "\r\n--XX\r\nContent-Disposition: form-data; filename*=iso-8859-1''%E9.txt\r\n\r\n5"
              "\r\n--XX--",
              p, &rc, &msg);
    assert_int_equal(rc, 0);
    assert_int_equal(n, 3);
    /* An empty filename is no filename (busboy tests it for truthiness): a field. */
    assert_false(p[0].is_file);
    assert_str(p[0].data, "1");
    /* filename* wins and is decoded. */
    assert_true(p[1].is_file);
    assert_str(p[1].filename, "\xe6\x97\xa5.txt");
    /* Parts that are not form-data, or have no disposition, are skipped; no name is NULL. */
    assert_null(p[2].name.p);
    assert_str(p[2].filename, "\xc3\xa9.txt");
}

static void test_folded_header(void **state)
{
    (void)state;
    mp_part_t p[2];
    int rc;
    const char *msg;
    size_t n =
        PARSE("--XX\r\nContent-Disposition: form-data;\r\n name=\"folded\"\r\n\r\nv\r\n--XX--", p,
              &rc, &msg);
    assert_int_equal(rc, 0);
    assert_int_equal(n, 1);
    assert_str(p[0].name, "folded");
}

static void test_errors(void **state)
{
    (void)state;
    mp_part_t p[2];
    int rc;
    const char *msg;
    PARSE("--XX\r\nBad Header\r\n\r\nabc\r\n--XX--\r\n", p, &rc, &msg);
    assert_int_equal(rc, -1);
    assert_string_equal(msg, "Malformed part header");
    PARSE("--XX\r\n\r\nno headers at all\r\n--XX--", p, &rc, &msg);
    assert_int_equal(rc, -1);
    assert_string_equal(msg, "Malformed part header");
    PARSE("--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\nabc", p, &rc,
          &msg);
    assert_int_equal(rc, -1);
    assert_string_equal(msg, "Unexpected end of form");
    PARSE("--XX\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nabc\r\n--XX", p, &rc, &msg);
    assert_int_equal(rc, -1);
    assert_string_equal(msg, "Unexpected end of form");
    PARSE("no boundary anywhere", p, &rc, &msg);
    assert_int_equal(rc, -1);
    PARSE("", p, &rc, &msg);
    assert_int_equal(rc, -1);
    /* An empty form is complete. */
    size_t n = PARSE("--XX--", p, &rc, &msg);
    assert_int_equal(rc, 0);
    assert_int_equal(n, 0);
    /* 16 KB of header is too much. */
    size_t big = 17000;
    char *body = arena_alloc(a, big + 64);
    int k = snprintf(body, 64, "--XX\r\nX-Long: ");
    memset(body + k, 'a', big);
    memcpy(body + k + big, "\r\n\r\nv\r\n--XX--", 13);
    parse(body, (size_t)k + big + 13, p, 2, &rc, &msg);
    assert_int_equal(rc, -1);
    assert_string_equal(msg, "Malformed part header");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boundary),     cmocka_unit_test(test_fields_and_files),
        cmocka_unit_test(test_dispositions), cmocka_unit_test(test_folded_header),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests_name("http/multipart", tests, setup, teardown);
}
