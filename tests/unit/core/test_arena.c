/* Arena: alignment, growth, realloc in place, cleanups in LIFO order, reset reuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/core/arena.h"
#include "lib/core/buf.h"

static void test_alignment_and_zeroing(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    for (size_t n = 1; n < 200; n += 7) {
        void *p = arena_alloc(a, n);
        assert_int_equal((uintptr_t)p % 16, 0);
    }
    unsigned char *z = arena_calloc(a, 100, 3);
    for (int i = 0; i < 300; i++)
        assert_int_equal(z[i], 0);
    arena_free(a);
}

static void test_large_and_many_blocks(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    char *big = arena_alloc(a, 10 * 1024 * 1024);
    memset(big, 'x', 10 * 1024 * 1024);
    for (int i = 0; i < 10000; i++) {
        char *s = arena_printf(a, "item-%d", i);
        assert_string_equal(s, arena_printf(a, "item-%d", i));
    }
    assert_true(arena_used(a) > 10 * 1024 * 1024);
    arena_reset(a);
    assert_int_equal(arena_used(a), 0);
    arena_free(a);
}

static void test_realloc_keeps_content(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    char *p = arena_alloc(a, 8);
    memcpy(p, "abcdefg", 8);
    char *q = arena_realloc(a, p, 8, 100000);
    assert_string_equal(q, "abcdefg");
    arena_free(a);
}

static int order[4], norder;
static void record(void *p)
{
    order[norder++] = *(int *)p;
}

static void test_cleanups_run_lifo_on_reset(void **state)
{
    (void)state;
    static int one = 1, two = 2, three = 3;
    arena_t *a = arena_new();
    norder = 0;
    arena_defer(a, record, &one);
    arena_defer(a, record, &two);
    arena_defer(a, record, &three);
    arena_reset(a);
    assert_int_equal(norder, 3);
    assert_int_equal(order[0], 3);
    assert_int_equal(order[2], 1);
    arena_reset(a); /* nothing runs twice */
    assert_int_equal(norder, 3);
    arena_free(a);
}

static void test_buf_grows(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    buf_t b;
    buf_init(&b, a, 4);
    for (int i = 0; i < 1000; i++)
        buf_printf(&b, "%d,", i);
    assert_int_equal(b.n, strlen(b.p));
    assert_memory_equal(b.p, "0,1,2,3,", 8);
    assert_memory_equal(b.p + b.n - 4, "999,", 4);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alignment_and_zeroing),
        cmocka_unit_test(test_large_and_many_blocks),
        cmocka_unit_test(test_realloc_keeps_content),
        cmocka_unit_test(test_cleanups_run_lifo_on_reset),
        cmocka_unit_test(test_buf_grows),
    };
    return cmocka_run_group_tests_name("core/arena", tests, NULL, NULL);
}
