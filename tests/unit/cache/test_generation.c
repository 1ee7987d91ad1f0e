/* Generation counters: a bump made by one forked worker is seen by its siblings, remote bumps do
 * not publish again, and entries age out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/cache/generation.c"

static void bump_in_child_is_seen_by_parent(void **state)
{
    (void)state;
    assert_int_equal(gen_shm_init(), 0);
    uint64_t before = gen_get(GEN_PERMISSIONS);
    uint64_t schema = gen_get(GEN_SCHEMA);
    pid_t pid = fork();
    if (pid == 0) {
        gen_bump(GEN_PERMISSIONS);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    assert_int_equal(gen_get(GEN_PERMISSIONS), before + 1);
    assert_int_equal(gen_get(GEN_SCHEMA), schema);
}

static int published;
static gen_kind_t published_kind;

static void count_publish(gen_kind_t k, void *arg)
{
    (void)arg;
    published++;
    published_kind = k;
}

static void only_local_bumps_publish(void **state)
{
    (void)state;
    gen_set_publisher(count_publish, NULL);
    gen_bump(GEN_USERS);
    gen_bump_remote(GEN_SCHEMA);
    gen_set_publisher(NULL, NULL);
    assert_int_equal(published, 1);
    assert_int_equal(published_kind, GEN_USERS);
}

static void entries_go_stale_on_bump_or_age(void **state)
{
    (void)state;
    uint64_t g = gen_get(GEN_USERS), now = gen_now_ms();
    assert_true(gen_fresh(GEN_USERS, g, now));
    assert_false(gen_fresh(GEN_USERS, g, now - GEN_MAX_AGE_MS - 1));
    gen_bump(GEN_USERS);
    assert_false(gen_fresh(GEN_USERS, g, now));
}

/* The "Redis lost" flag: only a recovery that saw the latest failure lowers it. */
static void redis_lost_is_lowered_only_after_the_last_failure(void **state)
{
    (void)state;
    assert_int_equal(gen_redis_lost_get(), 0);
    assert_true(gen_redis_recovered(0)); /* nothing to do */
    gen_redis_lost();
    uint64_t seen = gen_redis_lost_get();
    assert_true(seen != 0);
    gen_redis_lost(); /* a failure while the namespace was being emptied */
    assert_false(gen_redis_recovered(seen));
    assert_true(gen_redis_lost_get() != 0);
    assert_true(gen_redis_recovered(gen_redis_lost_get()));
    assert_int_equal(gen_redis_lost_get(), 0);
    /* The bus's flag is another one. */
    gen_bus_lost();
    assert_int_equal(gen_redis_lost_get(), 0);
    seen = gen_bus_lost_get();
    assert_true(seen != 0);
    assert_true(gen_bus_recovered(seen));
    assert_int_equal(gen_bus_lost_get(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bump_in_child_is_seen_by_parent),
        cmocka_unit_test(only_local_bumps_publish),
        cmocka_unit_test(entries_go_stale_on_bump_or_age),
        cmocka_unit_test(redis_lost_is_lowered_only_after_the_last_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
