/*
 * lib/core/err: the Directus error envelope with one entry (err_set: the first error sticks) and
 * with several (err_add, as Directus renders an array of FailedValidationErrors), extensions on
 * the last entry, and the status of a mixed answer (Directus's errorHandler falls back to 500).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <string.h>

#include "lib/core/arena.h"
#include "lib/core/err.h"

static const char *render(arena_t *a, const err_t *e)
{
    buf_t b;
    buf_init(&b, a, 128);
    err_render(e, &b);
    return b.p;
}

static void test_single_error_sticks(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    err_t e = {0};
    assert_int_equal(err_set(&e, a, ERR_FORBIDDEN, NULL), -1);
    err_set(&e, a, ERR_INVALID_QUERY, "ignored");
    err_ext_str(&e, a, "reason", "r");
    err_ext_str(&e, a, "reason", "second ignored");
    assert_string_equal(render(a, &e), "{\"errors\":[{\"message\":\"You don't have permission to "
                                       "access this.\",\"extensions\":{\"reason\":\"r\",\"code\":"
                                       "\"FORBIDDEN\"}}]}");
    assert_int_equal(err_http_status(&e), 403);
    arena_free(a);
}

static void test_several_entries(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    err_t e = {0};
    err_add(&e, a, ERR_FAILED_VALIDATION, "first %d", 1);
    err_ext_str(&e, a, "field", "a");
    err_add(&e, a, ERR_FAILED_VALIDATION, "second");
    err_ext_str(&e, a, "field", "b");
    err_ext_json(&e, a, "valid", json_object_new_int(5));
    /* err_set does not replace an answer that is already there */
    err_set(&e, a, ERR_FORBIDDEN, NULL);
    assert_string_equal(render(a, &e),
                        "{\"errors\":[{\"message\":\"first 1\",\"extensions\":{\"field\":\"a\","
                        "\"code\":\"FAILED_VALIDATION\"}},{\"message\":\"second\",\"extensions\":{"
                        "\"field\":\"b\",\"valid\":5,\"code\":\"FAILED_VALIDATION\"}}]}");
    assert_int_equal(err_http_status(&e), 400);
    /* entries of different statuses: 500 */
    err_add(&e, a, ERR_FORBIDDEN, NULL);
    assert_int_equal(err_http_status(&e), 500);
    assert_non_null(strstr(render(a, &e), "\"code\":\"FORBIDDEN\"}}]}"));
    arena_free(a);
}

static void test_no_error_renders_500(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    err_t e = {0};
    assert_int_equal(err_http_status(&e), 500);
    assert_string_equal(render(a, &e), "{\"errors\":[{\"message\":\"An unexpected error "
                                       "occurred.\",\"extensions\":{\"code\":"
                                       "\"INTERNAL_SERVER_ERROR\"}}]}");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_error_sticks),
        cmocka_unit_test(test_several_entries),
        cmocka_unit_test(test_no_error_renders_500),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
