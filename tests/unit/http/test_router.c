/* Router: Express matching rules, decoding, 404 vs wrong method, hostile paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "lib/http/router.h"

static void h_items(void) {}
static void h_item(void) {}
static void h_ping(void) {}
static void h_specs(void) {}

static const route_t routes[] = {
    {M(GET) | M(SEARCH) | M(POST) | M(PATCH) | M(DELETE), "/items/:collection", h_items},
    {M(GET) | M(PATCH) | M(DELETE), "/items/:collection/:pk", h_item},
    {M(GET), "/server/ping", h_ping},
    {M(GET), "/server/specs/graphql/:scope?", h_specs},
};
#define NROUTES (sizeof routes / sizeof routes[0])

static const struct {
    http_method_t method;
    const char *path;
    router_result_t want;
    void (*handler)(void);
    const char *param, *value;
} cases[] = {
    {HTTP_GET, "/server/ping", ROUTER_FOUND, h_ping, NULL, NULL},
    {HTTP_HEAD, "/server/ping", ROUTER_FOUND, h_ping, NULL, NULL},
    {HTTP_GET, "/server/ping/", ROUTER_FOUND, h_ping, NULL, NULL},
    {HTTP_GET, "/SERVER/Ping", ROUTER_FOUND, h_ping, NULL, NULL},
    {HTTP_GET, "/server/ping//", ROUTER_NO_PATH, NULL, NULL, NULL},
    {HTTP_GET, "/server//ping", ROUTER_NO_PATH, NULL, NULL, NULL},
    {HTTP_POST, "/server/ping", ROUTER_BAD_METHOD, NULL, NULL, NULL},
    {HTTP_GET, "/items/articles", ROUTER_FOUND, h_items, "collection", "articles"},
    {HTTP_SEARCH, "/items/articles", ROUTER_FOUND, h_items, "collection", "articles"},
    {HTTP_PUT, "/items/articles", ROUTER_BAD_METHOD, NULL, NULL, NULL},
    {HTTP_GET, "/items/articles/12", ROUTER_FOUND, h_item, "pk", "12"},
    {HTTP_GET, "/items/my%20coll/a%2Fb", ROUTER_FOUND, h_item, "pk", "a/b"},
    {HTTP_GET, "/items/articles/%zz", ROUTER_NO_PATH, NULL, NULL, NULL},
    {HTTP_GET, "/items/articles/%00", ROUTER_NO_PATH, NULL, NULL, NULL},
    {HTTP_GET, "/items/articles/1/2", ROUTER_NO_PATH, NULL, NULL, NULL},
    {HTTP_GET, "/items", ROUTER_NO_PATH, NULL, NULL, NULL},
    {HTTP_GET, "/server/specs/graphql", ROUTER_FOUND, h_specs, "scope", ""},
    {HTTP_GET, "/server/specs/graphql/system", ROUTER_FOUND, h_specs, "scope", "system"},
    {HTTP_GET, "", ROUTER_NO_PATH, NULL, NULL, NULL},
    {HTTP_GET, "/", ROUTER_NO_PATH, NULL, NULL, NULL},
    {HTTP_GET, "relative/path", ROUTER_NO_PATH, NULL, NULL, NULL},
};

static void test_table(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        route_match_t m;
        router_result_t r = router_match(a, routes, NROUTES, cases[i].method,
                                         str_c(cases[i].path), &m);
        if (r != cases[i].want)
            fail_msg("%s: result %d, want %d", cases[i].path, r, cases[i].want);
        if (r != ROUTER_FOUND)
            continue;
        assert_ptr_equal(m.route->handler, cases[i].handler);
        if (cases[i].param) {
            str_t v = router_param(&m, cases[i].param);
            assert_non_null(v.p);
            assert_int_equal(v.n, strlen(cases[i].value));
            assert_memory_equal(v.p, cases[i].value, v.n);
        }
    }
    arena_free(a);
}

static void test_bad_method_reports_allowed(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    route_match_t m;
    assert_int_equal(router_match(a, routes, NROUTES, HTTP_PUT, STR("/items/a/1"), &m),
                     ROUTER_BAD_METHOD);
    assert_int_equal(m.allowed, M(GET) | M(PATCH) | M(DELETE));
    arena_free(a);
}

static void test_hostile_paths(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    /* A 1 MB path, thousands of segments, and every byte value: no crash, no match. */
    size_t n = 1 << 20;
    char *p = arena_alloc(a, n);
    for (size_t i = 0; i < n; i++)
        p[i] = i % 2 ? '/' : 'a';
    route_match_t m;
    assert_int_equal(router_match(a, routes, NROUTES, HTTP_GET, (str_t){p, n}, &m),
                     ROUTER_NO_PATH);
    char all[257];
    all[0] = '/';
    for (int i = 1; i < 256; i++)
        all[i] = (char)i;
    assert_int_equal(router_match(a, routes, NROUTES, HTTP_GET, (str_t){all, 256}, &m),
                     ROUTER_NO_PATH);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_bad_method_reports_allowed),
        cmocka_unit_test(test_hostile_paths),
    };
    return cmocka_run_group_tests_name("http/router", tests, NULL, NULL);
}
