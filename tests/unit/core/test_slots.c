/*
 * The shared slot table: an entry is found only by its exact key, a newer entry evicts the one
 * in its slot, and drop/clear free entries and keep the count right.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/core/slots.h"

static char *block_of(const char *key, const char *value)
{
    size_t k = strlen(key), v = strlen(value) + 1;
    char *b = malloc(k + v);
    memcpy(b, key, k);
    memcpy(b + k, value, v);
    return b;
}

static slot_t *put(slots_t *t, const char *key, const char *value, uint64_t m0)
{
    return slots_put(t, block_of(key, value), strlen(key), (uint64_t[3]){m0, 0, 0});
}

static void test_exact_key_finds_its_value(void **state)
{
    (void)state;
    slots_t t = SLOTS_INIT("test", 64);
    put(&t, "alpha", "one", 7);
    slot_t *s = slots_find(&t, "alpha", 5);
    assert_non_null(s);
    assert_string_equal(s->block + s->key_n, "one");
    assert_int_equal(s->meta[0], 7);
    assert_null(slots_find(&t, "alph", 4));
    assert_null(slots_find(&t, "alphb", 5));
    assert_int_equal(t.used, 1);
    slots_clear(&t);
    assert_int_equal(t.used, 0);
    assert_null(t.slots);
}

static void test_same_slot_evicts_and_collision_is_a_miss(void **state)
{
    (void)state;
    slots_t t = SLOTS_INIT("test", 1); /* every key shares the one slot */
    put(&t, "first", "1", 0);
    put(&t, "second", "2", 0);
    assert_int_equal(t.used, 1);
    assert_null(slots_find(&t, "first", 5));
    slot_t *s = slots_find(&t, "second", 6);
    assert_non_null(s);
    slots_drop(&t, s);
    assert_int_equal(t.used, 0);
    assert_null(slots_find(&t, "second", 6));
    slots_clear(&t);
}

static void test_keys_may_hold_nul_bytes(void **state)
{
    (void)state;
    slots_t t = SLOTS_INIT("test", 8);
    char *b = malloc(4);
    memcpy(b, "a\0b", 4);
    slots_put(&t, b, 3, (uint64_t[3]){0, 0, 0});
    assert_non_null(slots_find(&t, "a\0b", 3));
    assert_null(slots_find(&t, "a\0c", 3));
    slots_clear(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_key_finds_its_value),
        cmocka_unit_test(test_same_slot_evicts_and_collision_is_a_miss),
        cmocka_unit_test(test_keys_may_hold_nul_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
