/* CORS: the `cors` package's headers for each CORS_ORIGIN form, preflights, and CORS off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/http/cors.h"

static arena_t *a;
static conf_t conf;

static int setup(void **state)
{
    (void)state;
    a = arena_new();
    memset(&conf, 0, sizeof conf);
    conf.cors_enabled = true;
    conf.cors_origin = "true";
    conf.cors_methods = "GET,POST,PATCH,DELETE";
    conf.cors_allowed_headers = "Content-Type,Authorization";
    conf.cors_exposed_headers = "Content-Range";
    conf.cors_credentials = true;
    conf.cors_max_age = 18000;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(a);
    return 0;
}

static bool run(http_method_t m, const char *origin, response_t *res)
{
    request_t req = {.arena = a, .method = m};
    if (origin)
        request_add_header(&req, STR("Origin"), str_c(origin));
    response_init(res, a);
    return cors_apply(&conf, &req, res);
}

static void assert_header(response_t *res, const char *name, const char *want)
{
    str_t v = response_header(res, name);
    if (!want) {
        assert_null(v.p);
        return;
    }
    assert_non_null(v.p);
    assert_int_equal(v.n, strlen(want));
    assert_memory_equal(v.p, want, v.n);
}

static void test_reflects_origin_when_true(void **state)
{
    (void)state;
    response_t res;
    assert_false(run(HTTP_GET, "https://app.example", &res));
    assert_header(&res, "Access-Control-Allow-Origin", "https://app.example");
    assert_header(&res, "Vary", "Origin");
    assert_header(&res, "Access-Control-Allow-Credentials", "true");
    assert_header(&res, "Access-Control-Expose-Headers", "Content-Range");
    assert_header(&res, "Access-Control-Allow-Methods", NULL);
}

static void test_allow_list(void **state)
{
    (void)state;
    conf.cors_origin = "https://a.example, https://b.example";
    response_t res;
    run(HTTP_GET, "https://b.example", &res);
    assert_header(&res, "Access-Control-Allow-Origin", "https://b.example");
    run(HTTP_GET, "https://evil.example", &res);
    assert_header(&res, "Access-Control-Allow-Origin", NULL);
    assert_header(&res, "Vary", "Origin");
}

static void test_fixed_and_star(void **state)
{
    (void)state;
    response_t res;
    conf.cors_origin = "https://only.example";
    run(HTTP_GET, "https://other.example", &res);
    assert_header(&res, "Access-Control-Allow-Origin", "https://only.example");
    conf.cors_origin = "*";
    run(HTTP_GET, NULL, &res);
    assert_header(&res, "Access-Control-Allow-Origin", "*");
    assert_header(&res, "Vary", NULL);
}

static void test_preflight_answered_with_204(void **state)
{
    (void)state;
    response_t res;
    assert_true(run(HTTP_OPTIONS, "https://app.example", &res));
    assert_int_equal(res.status, 204);
    assert_header(&res, "Access-Control-Allow-Methods", "GET,POST,PATCH,DELETE");
    assert_header(&res, "Access-Control-Allow-Headers", "Content-Type,Authorization");
    assert_header(&res, "Access-Control-Max-Age", "18000");
    assert_header(&res, "Content-Length", "0");
}

static void test_off_means_untouched(void **state)
{
    (void)state;
    response_t res;
    conf.cors_enabled = false;
    assert_false(run(HTTP_OPTIONS, "https://app.example", &res));
    assert_int_equal(res.nheaders, 0);
    conf.cors_enabled = true;
    conf.cors_origin = "false";
    assert_false(run(HTTP_GET, "https://app.example", &res));
    assert_int_equal(res.nheaders, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reflects_origin_when_true, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allow_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fixed_and_star, setup, teardown),
        cmocka_unit_test_setup_teardown(test_preflight_answered_with_204, setup, teardown),
        cmocka_unit_test_setup_teardown(test_off_means_untouched, setup, teardown),
    };
    return cmocka_run_group_tests_name("http/cors", tests, NULL, NULL);
}
