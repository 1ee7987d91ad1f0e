/*
 * lib/api/system.c's own logic: the app access minimal rows GET /permissions appends (valid
 * JSON, Directus's key order, the 20 rows of packages/system-data) and filterItems, which
 * decides which of them pass the request's filter with generateJoi's rules (a key the row
 * lacks passes, _null ignores its operand, _eq also matches the number a string reads as).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/api/system.c"
#include "lib/core/jsonparse.h"

static arena_t *A;

static int setup(void **state)
{
    (void)state;
    A = arena_new();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(A);
    return 0;
}

static const qfilter_t *filter(const char *json)
{
    struct json_object *o;
    assert_int_equal(jsonparse(A, json, strlen(json), 0, 64, &o, NULL), 0);
    qfilter_env_t env = {.user = "u-1", .now_ms = 1764115200000};
    err_t e = {0};
    qfilter_t *f;
    assert_int_equal(qfilter_parse(A, &e, &env, o, 64, &f), 0);
    return f;
}

static size_t passing(const char *filter_json)
{
    ctx_t ctx = {.arena = A};
    query_t q = {.filter = filter_json ? (qfilter_t *)filter(filter_json) : NULL};
    size_t n = 0;
    for (size_t i = 0; i < perm_app_minimal_count(); i++)
        n += app_row_passes(&ctx, &q, app_row_text(&ctx, i));
    return n;
}

static void test_rows(void **state)
{
    (void)state;
    ctx_t ctx = {.arena = A};
    assert_int_equal(perm_app_minimal_count(), 20);
    for (size_t i = 0; i < 20; i++) {
        char *text = app_row_text(&ctx, i);
        struct json_object *o;
        assert_int_equal(jsonparse(A, text, strlen(text), 0, 64, &o, NULL), 0);
        assert_int_equal(json_object_object_length(o), 8);
        assert_true(strncmp(text, "{\"policy\":null,\"permissions\":", 29) == 0);
    }
    assert_string_equal(app_row_text(&ctx, 7),
                        "{\"policy\":null,\"permissions\":{\"user_created\":{\"_eq\":"
                        "\"$CURRENT_USER\"}},\"validation\":null,\"presets\":null,\"fields\":"
                        "[\"comment\"],\"system\":true,\"collection\":\"directus_comments\","
                        "\"action\":\"update\"}");
    assert_non_null(strstr(app_row_text(&ctx, 10), "\"validation\":{\"user\":{\"_eq\":"));
}

static void test_filter(void **state)
{
    (void)state;
    assert_int_equal(passing(NULL), 20);
    assert_int_equal(passing("{\"collection\":{\"_eq\":\"directus_users\"}}"), 1);
    assert_int_equal(passing("{\"collection\":{\"_in\":[\"directus_presets\",\"directus_roles\"]}}"),
                     5);
    assert_int_equal(passing("{\"action\":{\"_neq\":\"read\"}}"), 7);
    assert_int_equal(passing("{\"policy\":{\"_eq\":\"b0000000-0000-4000-8000-00000000e001\"}}"), 0);
    assert_int_equal(passing("{\"policy\":{\"_null\":false}}"), 20); /* valid(null) regardless */
    assert_int_equal(passing("{\"policy\":{\"_nnull\":true}}"), 0);
    assert_int_equal(passing("{\"id\":{\"_eq\":5}}"), 20); /* the rows have no id: Joi lets it by */
    assert_int_equal(passing("{\"_or\":[{\"action\":{\"_eq\":\"create\"}},"
                             "{\"collection\":{\"_contains\":\"settings\"}}]}"),
                     3);
    assert_int_equal(passing("{\"_and\":[{\"action\":{\"_eq\":\"read\"}},"
                             "{\"collection\":{\"_ncontains\":\"directus_\"}}]}"),
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filter, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
