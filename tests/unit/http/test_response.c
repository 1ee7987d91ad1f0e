/* Response finishing: Express's weak ETag, If-None-Match → 304, HEAD, 204, errors not fresh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/http/response.h"

static void test_etag_matches_express(void **state)
{
    (void)state;
    /* node: 'W/"' + len.toString(16) + '-' + sha1(body).base64.slice(0, 27) + '"' */
    char e[64];
    response_etag(STR("pong"), e);
    assert_string_equal(e, "W/\"4-DlFKBmK8tp3IY5U9HOJuPUDoGoc\"");
    response_etag(STR("{\"data\":1}"), e);
    assert_string_equal(e, "W/\"a-hTQxZ8cSunaBJ7UZagiCq5uKkGM\"");
}

static const struct {
    http_method_t method;
    int status;
    const char *inm, *cache_control;
    int want_status;
    bool want_body;
} cases[] = {
    {HTTP_GET, 200, NULL, NULL, 200, true},
    {HTTP_GET, 200, "W/\"4-DlFKBmK8tp3IY5U9HOJuPUDoGoc\"", NULL, 304, false},
    {HTTP_GET, 200, "\"4-DlFKBmK8tp3IY5U9HOJuPUDoGoc\"", NULL, 304, false}, /* weak compare */
    {HTTP_GET, 200, "\"x\", W/\"4-DlFKBmK8tp3IY5U9HOJuPUDoGoc\"", NULL, 304, false},
    {HTTP_GET, 200, "*", NULL, 304, false},
    {HTTP_GET, 200, "W/\"4-other\"", NULL, 200, true},
    {HTTP_GET, 200, "*", "no-cache", 200, true},
    {HTTP_HEAD, 200, NULL, NULL, 200, false},
    {HTTP_POST, 200, "*", NULL, 200, true},
    {HTTP_GET, 404, "*", NULL, 404, true},
};

static void test_finish_table(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        request_t req = {.arena = a, .method = cases[i].method};
        if (cases[i].inm)
            request_add_header(&req, STR("If-None-Match"), str_c(cases[i].inm));
        if (cases[i].cache_control)
            request_add_header(&req, STR("Cache-Control"), str_c(cases[i].cache_control));
        response_t res;
        response_init(&res, a);
        res.status = cases[i].status;
        response_set_header_c(&res, "Content-Type", "text/html; charset=utf-8");
        buf_puts(&res.body, "pong");
        response_finish(&res, &req);
        if (res.status != cases[i].want_status || res.send_body != cases[i].want_body)
            fail_msg("case %zu: status %d body %d", i, res.status, res.send_body);
        assert_non_null(response_header(&res, "ETag").p);
        if (res.status == 304)
            assert_null(response_header(&res, "Content-Type").p);
        else
            assert_non_null(response_header(&res, "Content-Length").p);
    }
    arena_free(a);
}

static void test_empty_body_has_no_etag(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    request_t req = {.arena = a, .method = HTTP_DELETE};
    response_t res;
    response_init(&res, a);
    res.status = 204;
    response_finish(&res, &req);
    assert_null(response_header(&res, "ETag").p);
    assert_false(res.send_body);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_etag_matches_express),
        cmocka_unit_test(test_finish_table),
        cmocka_unit_test(test_empty_body_has_no_etag),
    };
    return cmocka_run_group_tests_name("http/response", tests, NULL, NULL);
}
