/* json_write_double's shortcut for integers and short decimals must print exactly what the
 * printf search prints (the search itself is pinned against Node in test_json.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/core/json.c"

/* The shortcut, when it takes d, agrees with the search; returns whether it took d. */
static bool agrees(arena_t *a, double d)
{
    if (d == 0 || !isfinite(d))
        return false; /* json_write_double's own cases */
    buf_t fast, slow;
    buf_init(&fast, a, 32);
    buf_init(&slow, a, 32);
    bool took = write_short_decimal(&fast, d);
    write_double_searched(&slow, d);
    if (took && strcmp(fast.p, slow.p) != 0)
        fail_msg("%.17g: shortcut %s, search %s", d, fast.p, slow.p);
    return took;
}

static void test_short_decimals_match_search(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    size_t took = 0;
    /* prices, ratings, coordinates: every value with up to 6 decimals in a few ranges */
    for (long long i = -20000; i <= 20000; i++) {
        took += agrees(a, (double)i / 100);
        took += agrees(a, (double)i / 1e6);
        took += agrees(a, (double)i * 1.1);
        arena_reset(a);
    }
    /* values that are not short: the shortcut must step aside, not print a wrong text */
    assert_false(agrees(a, 1.0 / 3));
    assert_false(agrees(a, 0.30000000000000004));
    assert_false(agrees(a, 1e-7));
    assert_false(agrees(a, 1e21));
    assert_false(agrees(a, 24370.084249084249));
    /* near the limits: large integers, the last k the spacing allows */
    for (double d = -3; d <= 3; d += 0.5) {
        agrees(a, 0x1p49 + d);
        agrees(a, 0x1p50 + d);
        agrees(a, 0x1p50 / 1e6 + d / 1e6);
    }
    agrees(a, 123456789.123456);
    agrees(a, 9007199254740993.0);
    /* pseudo-random bit patterns in the range of ordinary numbers */
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double d;
        uint64_t bits = (x & 0x800FFFFFFFFFFFFFULL) | ((uint64_t)(1000 + x % 60) << 52);
        memcpy(&d, &bits, sizeof d);
        agrees(a, d);
        agrees(a, round(d * 1000) / 1000);
        arena_reset(a);
    }
    assert_true(took > 90000); /* the shortcut does take the common values */
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_decimals_match_search),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
