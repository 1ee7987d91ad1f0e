/* Rate limiter bookkeeping on the memory store: windows, per-IP and global buckets, the bounded
 * table, the table shared by forked workers, ms formatting, and the startup rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/cache/ratelimit.c"

static arena_t *a;
static int64_t fake_now;

static int64_t fake_clock(void)
{
    return fake_now;
}

static int setup(void **state)
{
    (void)state;
    a = arena_new();
    fake_now = 1000000;
    now_ms = fake_clock;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(a);
    now_ms = monotonic_ms;
    return 0;
}

/* A configuration with the limiter on; global_points 0 leaves the global limiter off. */
static conf_t limits(int points, int duration, int global_points, int global_duration)
{
    conf_t c;
    memset(&c, 0, sizeof c);
    c.rate_limiter_enabled = true;
    c.rate_limiter_store = "memory";
    c.rate_limiter_points = points;
    c.rate_limiter_duration = duration;
    c.rate_limiter_global_enabled = global_points > 0;
    c.rate_limiter_global_points = global_points;
    c.rate_limiter_global_duration = global_duration;
    return c;
}

static bool ok(ratelimit_t *rl, const char *ip, ratelimit_hit_t *hit)
{
    return ratelimit_consume(rl, a, str_c(ip), hit);
}

static void test_ms_format(void **state)
{
    (void)state;
    /* Expected values printed by the ms package (2.1.3, short format) under Node. */
    static const struct {
        int64_t ms;
        const char *want;
    } cases[] = {
        {0, "0ms"},          {873, "873ms"},     {999, "999ms"},       {1000, "1s"},
        {1499, "1s"},        {1500, "2s"},       {19990, "20s"},       {59999, "60s"},
        {60000, "1m"},       {89999, "1m"},      {90000, "2m"},        {3600000, "1h"},
        {5400000, "2h"},     {86400000, "1d"},   {129600000, "2d"},    {-1, "-1ms"},
        {-999, "-999ms"},    {-1500, "-1s"},     {-2500, "-2s"},
    };
    char buf[32];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(ratelimit_ms_format(buf, sizeof buf, cases[i].ms), cases[i].want);
}

static void test_disabled_keeps_only_the_login_counter(void **state)
{
    (void)state;
    conf_t c = limits(3, 20, 0, 0);
    c.rate_limiter_enabled = false;
    ratelimit_t *rl = ratelimit_new(&c, NULL);
    assert_non_null(rl);
    ratelimit_hit_t hit;
    for (int i = 0; i < 10; i++)
        assert_true(ratelimit_consume(rl, a, STR("1.2.3.4"), &hit));
    assert_false(ratelimit_is_on(rl, RATELIMIT_IP));
    assert_false(ratelimit_is_on(rl, RATELIMIT_GLOBAL));
    assert_true(ratelimit_is_on(rl, RATELIMIT_LOGIN));
    assert_true(ratelimit_consume(NULL, a, STR("1.2.3.4"), &hit));
    assert_false(ratelimit_is_on(NULL, RATELIMIT_IP));
    ratelimit_free(rl);
}

/* loginAttemptsLimiter: points attempts pass, the next one is over (and starts the count over);
 * a successful login forgets the count; users and IPs never share a counter. */
static void test_login_attempts(void **state)
{
    (void)state;
    conf_t c = limits(1, 20, 0, 0);
    ratelimit_t *rl = ratelimit_new(&c, NULL);
    const char *user = "a0000000-0000-4000-8000-000000000001";
    for (int i = 0; i < 3; i++)
        assert_int_equal(ratelimit_login_attempt(rl, a, user, 3), 0);
    fake_now += 365LL * 86400000; /* no window end: counts never expire */
    assert_int_equal(ratelimit_login_attempt(rl, a, user, 3), 1);
    assert_int_equal(ratelimit_login_attempt(rl, a, user, 3), 0); /* reset by the suspension */
    ratelimit_login_reset(rl, a, user);
    for (int i = 0; i < 3; i++)
        assert_int_equal(ratelimit_login_attempt(rl, a, user, 3), 0);
    ratelimit_hit_t hit;
    assert_true(ratelimit_consume(rl, a, str_c(user), &hit)); /* the IP limiter's own bucket */
    assert_int_equal(ratelimit_login_attempt(rl, a, "other", 0), 1);
    assert_int_equal(ratelimit_login_attempt(rl, a, "other", -5), 1);
    ratelimit_free(rl);
}

/* Directus's observed case: 3 points per 20 s; the window opens with the first request. */
static void test_window(void **state)
{
    (void)state;
    conf_t c = limits(3, 20, 0, 0);
    ratelimit_t *rl = ratelimit_new(&c, NULL);
    ratelimit_hit_t hit;
    for (int i = 0; i < 3; i++) {
        assert_true(ok(rl, "10.0.0.1", &hit));
        fake_now += 100;
    }
    assert_false(ok(rl, "10.0.0.1", &hit));
    assert_int_equal(hit.which, RATELIMIT_IP);
    assert_int_equal(hit.limit, 3);
    assert_int_equal(hit.ms_before_next, 20000 - 300);
    /* Refused requests still count, and never move the window. */
    fake_now += 5000;
    assert_false(ok(rl, "10.0.0.1", &hit));
    assert_int_equal(hit.ms_before_next, 20000 - 5300);
    /* The window ends exactly DURATION after its first request. */
    fake_now = 1000000 + 19999;
    assert_false(ok(rl, "10.0.0.1", &hit));
    assert_int_equal(hit.ms_before_next, 1);
    fake_now = 1000000 + 20000;
    for (int i = 0; i < 3; i++)
        assert_true(ok(rl, "10.0.0.1", &hit));
    assert_false(ok(rl, "10.0.0.1", &hit));
    assert_int_equal(hit.ms_before_next, 20000);
    ratelimit_free(rl);
}

static void test_ips_have_their_own_buckets(void **state)
{
    (void)state;
    conf_t c = limits(2, 10, 0, 0);
    ratelimit_t *rl = ratelimit_new(&c, NULL);
    ratelimit_hit_t hit;
    assert_true(ok(rl, "10.0.0.1", &hit));
    assert_true(ok(rl, "10.0.0.1", &hit));
    assert_false(ok(rl, "10.0.0.1", &hit));
    assert_true(ok(rl, "10.0.0.2", &hit));
    assert_true(ok(rl, "2001:db8::1", &hit));
    assert_true(ok(rl, "2001:db8::1", &hit));
    assert_false(ok(rl, "2001:db8::1", &hit));
    assert_true(ok(rl, "10.0.0.2", &hit));
    assert_false(ok(rl, "10.0.0.2", &hit));
    /* No IP: Directus skips the IP limiter. */
    for (int i = 0; i < 10; i++)
        assert_true(ratelimit_consume(rl, a, STR_NULL, &hit));
    ratelimit_free(rl);
}

/* The global bucket is checked first; a request it refuses is not charged to the IP. */
static void test_global_then_ip(void **state)
{
    (void)state;
    conf_t c = limits(3, 20, 5, 20);
    ratelimit_t *rl = ratelimit_new(&c, NULL);
    assert_true(ratelimit_is_on(rl, RATELIMIT_GLOBAL));
    ratelimit_hit_t hit;
    assert_true(ok(rl, "10.0.0.1", &hit));
    assert_true(ok(rl, "10.0.0.1", &hit));
    assert_true(ok(rl, "10.0.0.1", &hit));
    assert_false(ok(rl, "10.0.0.1", &hit)); /* global 4 of 5, IP over */
    assert_int_equal(hit.which, RATELIMIT_IP);
    assert_int_equal(hit.limit, 3);
    assert_true(ok(rl, "10.0.0.2", &hit)); /* global 5 of 5 */
    fake_now += 1000;
    assert_false(ok(rl, "10.0.0.3", &hit));
    assert_int_equal(hit.which, RATELIMIT_GLOBAL);
    assert_int_equal(hit.limit, 5);
    assert_int_equal(hit.ms_before_next, 19000);
    /* 10.0.0.3 was refused by the global limiter: its own bucket is untouched. */
    fake_now += 19000;
    for (int i = 0; i < 3; i++)
        assert_true(ok(rl, "10.0.0.3", &hit));
    assert_false(ok(rl, "10.0.0.3", &hit));
    assert_int_equal(hit.which, RATELIMIT_IP);
    ratelimit_free(rl);
}

/* DURATION 0: the window never ends (rate-limiter-flexible: msBeforeNext -1). */
static void test_duration_zero(void **state)
{
    (void)state;
    conf_t c = limits(1, 0, 0, 0);
    ratelimit_t *rl = ratelimit_new(&c, NULL);
    ratelimit_hit_t hit;
    assert_true(ok(rl, "10.0.0.1", &hit));
    fake_now += 365LL * 86400000;
    assert_false(ok(rl, "10.0.0.1", &hit));
    assert_int_equal(hit.ms_before_next, -1);
    ratelimit_free(rl);
}

/* Keys of one bucket, found through the table's own hash. */
static void same_bucket_keys(ratelimit_t *rl, char keys[][32], int n)
{
    uint64_t want = hash(rl->table->seed, RATELIMIT_IP, "k0", 2) % BUCKETS;
    int found = 0;
    for (int i = 0; found < n; i++) {
        char k[32];
        int kn = snprintf(k, sizeof k, "k%d", i);
        if (hash(rl->table->seed, RATELIMIT_IP, k, (size_t)kn) % BUCKETS == want)
            memcpy(keys[found++], k, sizeof k);
    }
}

/* A full bucket forgets the key whose window ends first; memory stays bounded. */
static void test_full_bucket_forgets_the_oldest(void **state)
{
    (void)state;
    conf_t c = limits(1, 10, 0, 0);
    ratelimit_t *rl = ratelimit_new(&c, NULL);
    ratelimit_hit_t hit;
    char keys[WAYS + 2][32];
    same_bucket_keys(rl, keys, WAYS + 2);
    for (int i = 0; i < WAYS; i++) {
        assert_true(ok(rl, keys[i], &hit));
        fake_now += 10;
    }
    /* Every slot is live; the ninth key takes the slot of keys[0], the oldest window. */
    assert_true(ok(rl, keys[WAYS], &hit));
    assert_false(ok(rl, keys[1], &hit));
    assert_false(ok(rl, keys[WAYS], &hit));
    assert_true(ok(rl, keys[0], &hit)); /* forgotten: a fresh window (now evicting keys[1]) */
    /* keys[2] and keys[3] have expired, keys[4..7] are live: a new key takes an expired slot
     * and every live key is still remembered. */
    fake_now += 10000 - 5 * 10;
    assert_true(ok(rl, keys[WAYS + 1], &hit));
    for (int i = 4; i < WAYS; i++)
        assert_false(ok(rl, keys[i], &hit));
    /* A flood of distinct keys fills the table without growing it. */
    for (int i = 0; i < 200000; i++) {
        char k[32];
        snprintf(k, sizeof k, "flood-%d", i);
        ok(rl, k, &hit);
    }
    assert_false(ok(rl, "flood-199999", &hit));
    ratelimit_free(rl);
}

/* Keys longer than a slot (never an IP) are kept by their hash. */
static void test_long_keys(void **state)
{
    (void)state;
    conf_t c = limits(1, 10, 0, 0);
    ratelimit_t *rl = ratelimit_new(&c, NULL);
    ratelimit_hit_t hit;
    char k1[200], k2[200];
    memset(k1, 'a', sizeof k1 - 1), k1[sizeof k1 - 1] = '\0';
    memcpy(k2, k1, sizeof k1), k2[150] = 'b';
    assert_true(ok(rl, k1, &hit));
    assert_false(ok(rl, k1, &hit));
    assert_true(ok(rl, k2, &hit));
    ratelimit_free(rl);
}

static void test_probe_leaves_nothing(void **state)
{
    (void)state;
    conf_t c = limits(1, 10, 2, 1);
    ratelimit_t *rl = ratelimit_new(&c, NULL);
    const char *why = NULL;
    assert_int_equal(ratelimit_probe(rl, a, RATELIMIT_IP, "health-abcde", &why), 0);
    assert_int_equal(ratelimit_probe(rl, a, RATELIMIT_GLOBAL, "health-abcde", &why), 0);
    ratelimit_hit_t hit;
    /* The probe's point was given back: the key is fresh. */
    assert_true(ok(rl, "health-abcde", &hit));
    assert_null(why);
    ratelimit_free(rl);
}

/* Failed logins spread over the pool's workers add up: three workers, one attempt each, with
 * two allowed — the third is the one over the limit. */
static void test_login_attempts_are_shared_by_the_pool(void **state)
{
    (void)state;
    assert_int_equal(ratelimit_shm_init(), 0);
    conf_t c = limits(1, 20, 0, 0);
    const char *user = "b0000000-0000-4000-8000-000000000002";
    for (int w = 0; w < 3; w++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            ratelimit_t *rl = ratelimit_new(&c, NULL);
            _exit(ratelimit_login_attempt(rl, arena_new(), user, 2));
        }
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_int_equal(WEXITSTATUS(st), w == 2 ? 1 : 0);
    }
}

/* Workers forked after ratelimit_shm_init() count in one table, under the bucket locks. */
static void test_pool_table_is_shared(void **state)
{
    (void)state;
    now_ms = monotonic_ms;
    assert_int_equal(ratelimit_shm_init(), 0);
    conf_t c = limits(1 << 30, 60, 0, 0);
    enum { WORKERS = 4, EACH = 20000 };
    pid_t pids[WORKERS];
    for (int w = 0; w < WORKERS; w++) {
        pids[w] = fork();
        assert_true(pids[w] >= 0);
        if (pids[w] == 0) {
            ratelimit_t *rl = ratelimit_new(&c, NULL);
            arena_t *ca = arena_new();
            ratelimit_hit_t hit;
            for (int i = 0; i < EACH; i++)
                ratelimit_consume(rl, ca, STR("10.9.9.9"), &hit);
            _exit(0);
        }
    }
    for (int w = 0; w < WORKERS; w++) {
        int st;
        assert_int_equal(waitpid(pids[w], &st, 0), pids[w]);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    ratelimit_t *rl = ratelimit_new(&c, NULL);
    assert_ptr_equal(rl->table, pool_table);
    uint32_t used;
    int64_t ms;
    memory_consume(rl, &rl->ip, STR("10.9.9.9"), &used, &ms);
    assert_int_equal(used, WORKERS * EACH + 1);
    ratelimit_free(rl);
    now_ms = fake_clock;
}

/* A worker killed while it held a bucket lock does not wedge the others. */
static void test_dead_holder_lock_is_taken_over(void **state)
{
    (void)state;
    struct bucket b;
    memset(&b, 0, sizeof b);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0)
        _exit(0);
    waitpid(child, NULL, 0);
    atomic_store(&b.lock, (uint32_t)child);
    bucket_lock(&b, (uint32_t)getpid());
    assert_int_equal(atomic_load(&b.lock), (uint32_t)getpid());
    bucket_unlock(&b);
}

/* Directus's startup rules for the global limiter. */
static void test_global_needs_ip_limiter_and_a_higher_rate(void **state)
{
    (void)state;
    static const struct {
        const char *env[6];
        int rc;
    } cases[] = {
        {{"RATE_LIMITER_GLOBAL_ENABLED=true"}, -1},
        {{"RATE_LIMITER_ENABLED=true", "RATE_LIMITER_GLOBAL_ENABLED=true"}, 0}, /* 1000 > 50 */
        {{"RATE_LIMITER_ENABLED=true", "RATE_LIMITER_GLOBAL_ENABLED=true",
          "RATE_LIMITER_GLOBAL_POINTS=50"},
         -1}, /* equal is not enough */
        {{"RATE_LIMITER_ENABLED=true", "RATE_LIMITER_GLOBAL_ENABLED=true",
          "RATE_LIMITER_POINTS=3", "RATE_LIMITER_DURATION=20", "RATE_LIMITER_GLOBAL_POINTS=4"},
         0}, /* 4/s > 0.15/s */
        {{"RATE_LIMITER_ENABLED=true", "RATE_LIMITER_GLOBAL_ENABLED=true",
          "RATE_LIMITER_GLOBAL_POINTS=100", "RATE_LIMITER_GLOBAL_DURATION=0",
          "RATE_LIMITER_POINTS=100"},
         -1}, /* a duration of 0 counts as 1 s */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *env[8] = {"DB_FILENAME=/tmp/x.db", "SECRET=s"};
        for (int j = 0; cases[i].env[j]; j++)
            env[2 + j] = (char *)cases[i].env[j];
        conf_t c;
        char err[256] = "";
        assert_int_equal(conf_load_from(&c, a, env, "/dev/null", err, sizeof err), cases[i].rc);
        if (cases[i].rc < 0)
            assert_non_null(strstr(err, "RATE_LIMITER_GLOBAL"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ms_format),
        cmocka_unit_test_setup_teardown(test_disabled_keeps_only_the_login_counter, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_login_attempts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ips_have_their_own_buckets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_global_then_ip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duration_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_bucket_forgets_the_oldest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probe_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pool_table_is_shared, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_attempts_are_shared_by_the_pool, setup,
                                        teardown),
        cmocka_unit_test(test_dead_holder_lock_is_taken_over),
        cmocka_unit_test_setup_teardown(test_global_needs_ip_limiter_and_a_higher_rate, setup,
                                        teardown),
    };
    return cmocka_run_group_tests_name("cache/ratelimit", tests, NULL, NULL);
}
