/*
 * The verified-token cache: a hit returns the same claims, expiry ends an entry, only the exact
 * token bytes hit, colliding slots evict, and the table stays bounded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/auth/tokencache.h"

static arena_t *a;

static int setup(void **state)
{
    (void)state;
    a = arena_new();
    tokencache_clear();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tokencache_clear();
    arena_free(a);
    return 0;
}

static void test_hit_and_expiry(void **state)
{
    (void)state;
    tokencache_claims_t in = {"user-1", NULL, "sess", NULL, true}, out;
    tokencache_put(STR("token-a"), 1000, &in);
    assert_true(tokencache_get(a, STR("token-a"), 999, &out));
    assert_string_equal(out.id, "user-1");
    assert_null(out.role);
    assert_string_equal(out.session, "sess");
    assert_null(out.share);
    assert_true(out.has_session);
    assert_false(tokencache_get(a, STR("token-b"), 999, &out));
    assert_false(tokencache_get(a, STR("token-"), 999, &out));
    /* At exp the token is expired (jsonwebtoken: clock >= exp), and the entry is gone. */
    assert_false(tokencache_get(a, STR("token-a"), 1000, &out));
    assert_int_equal(tokencache_size(), 0);
}

static void test_bounded(void **state)
{
    (void)state;
    tokencache_claims_t in = {"u", "r", NULL, NULL, false}, out;
    char t[32];
    for (int i = 0; i < 5 * TOKENCACHE_SLOTS; i++) {
        snprintf(t, sizeof t, "tok-%d", i);
        tokencache_put(str_c(t), INT64_MAX, &in);
    }
    assert_true(tokencache_size() <= TOKENCACHE_SLOTS);
    /* The newest token is always there. */
    assert_true(tokencache_get(a, str_c(t), 0, &out));
    assert_string_equal(out.role, "r");
    /* Tokens too long to keep are simply not cached. */
    static char big[TOKENCACHE_MAX_TOKEN + 2];
    memset(big, 'x', sizeof big - 1);
    tokencache_put(str_c(big), INT64_MAX, &in);
    assert_false(tokencache_get(a, str_c(big), 0, &out));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hit_and_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bounded, setup, teardown),
    };
    return cmocka_run_group_tests_name("auth/tokencache", tests, NULL, NULL);
}
