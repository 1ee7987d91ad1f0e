/* Redis addresses as ioredis reads REDIS / REDIS_*, REDIS_ENABLED's derivation, and the
 * connection's fail-fast and back-off against a port where nothing listens (loopback only). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/cache/redis.c"

static arena_t *a;

static int setup(void **state)
{
    (void)state;
    a = arena_new();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(a);
    return 0;
}

#define S(x) ((x) ? (x) : "(null)")

static void test_url_parsing(void **state)
{
    (void)state;
    static const struct {
        const char *url;
        const char *host;
        int port;
        const char *path, *user, *password;
        int db;
        bool tls;
    } cases[] = {
        {"redis://localhost:6379", "localhost", 6379, NULL, NULL, NULL, 0, false},
        {"redis://127.0.0.1", "127.0.0.1", 6379, NULL, NULL, NULL, 0, false},
        {"redis://:secret@10.0.0.1:6380/2", "10.0.0.1", 6380, NULL, NULL, "secret", 2, false},
        {"redis://app:p%40ss%3Aword@cache.example:7000/15", "cache.example", 7000, NULL, "app",
         "p@ss:word", 15, false},
        {"redis://user@h", "h", 6379, NULL, "user", NULL, 0, false},
        {"REDIS://Cache.Example:1/", "cache.example", 1, NULL, NULL, NULL, 0, false},
        {"redis://[::1]:7001/3", "::1", 7001, NULL, NULL, NULL, 3, false},
        {"redis://h?db=4&password=x%20y", "h", 6379, NULL, NULL, "x y", 4, false},
        {"redis://:a@h/1?db=4&password=b", "h", 6379, NULL, NULL, "a", 1, false},
        {"rediss://secure.example:6390", "secure.example", 6390, NULL, NULL, NULL, 0, true},
        {"127.0.0.1:6390", "127.0.0.1", 6390, NULL, NULL, NULL, 0, false},
        {"6390", "localhost", 6390, NULL, NULL, NULL, 0, false},
        {"/run/redis/redis.sock", NULL, 6379, "/run/redis/redis.sock", NULL, NULL, 0, false},
        {"unix:///run/redis.sock", NULL, 6379, "/run/redis.sock", NULL, NULL, 0, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        redis_addr_t ad;
        assert_int_equal(redis_addr_parse(a, cases[i].url, &ad), 0);
        assert_string_equal(S(ad.host), S(cases[i].host));
        assert_int_equal(ad.port, cases[i].port);
        assert_string_equal(S(ad.path), S(cases[i].path));
        assert_string_equal(S(ad.username), S(cases[i].user));
        assert_string_equal(S(ad.password), S(cases[i].password));
        assert_int_equal(ad.db, cases[i].db);
        assert_int_equal(ad.tls, cases[i].tls);
    }
    static const char *const bad[] = {"redis://h:abc", "redis://h/x", "redis://h:0",
                                      "redis://h:70000", "redis://[::1", "redis://h?db=x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        redis_addr_t ad;
        assert_int_equal(redis_addr_parse(a, bad[i], &ad), -1);
    }
}

static conf_t load(char **env)
{
    conf_t c;
    char err[256];
    if (conf_load_from(&c, a, env, "/dev/null", err, sizeof err) < 0)
        fail_msg("%s", err);
    return c;
}

static void test_address_from_conf(void **state)
{
    (void)state;
    char *sep[] = {"DB_FILENAME=/x", "REDIS_HOST=cache", "REDIS_PORT=6400",
                   "REDIS_USERNAME=u", "REDIS_PASSWORD=p", "REDIS_DB=5", NULL};
    conf_t c = load(sep);
    redis_addr_t ad;
    assert_int_equal(redis_addr_from_conf(a, &c, &ad), 0);
    assert_string_equal(ad.host, "cache");
    assert_int_equal(ad.port, 6400);
    assert_string_equal(ad.username, "u");
    assert_string_equal(ad.password, "p");
    assert_int_equal(ad.db, 5);
    /* REDIS wins over the separate keys, as `env.REDIS ?? getConfigFromEnv('REDIS')`. */
    char *url[] = {"DB_FILENAME=/x", "REDIS=redis://other:7000", "REDIS_HOST=cache",
                   "REDIS_PASSWORD=p", NULL};
    c = load(url);
    assert_int_equal(redis_addr_from_conf(a, &c, &ad), 0);
    assert_string_equal(ad.host, "other");
    assert_int_equal(ad.port, 7000);
    assert_null(ad.password);
    /* Nothing set: ioredis's localhost:6379. */
    char *none[] = {"DB_FILENAME=/x", NULL};
    c = load(none);
    assert_int_equal(redis_addr_from_conf(a, &c, &ad), 0);
    assert_string_equal(ad.host, "localhost");
    assert_int_equal(ad.port, 6379);
}

/* redisConfigAvailable(): REDIS_ENABLED when given, else any REDIS / REDIS_* key. */
static void test_redis_enabled(void **state)
{
    (void)state;
    char *none[] = {"DB_FILENAME=/x", NULL};
    assert_false(load(none).redis_enabled);
    char *url[] = {"DB_FILENAME=/x", "REDIS=redis://h", NULL};
    assert_true(load(url).redis_enabled);
    char *host[] = {"DB_FILENAME=/x", "REDIS_PORT=6379", NULL};
    assert_true(load(host).redis_enabled);
    char *off[] = {"DB_FILENAME=/x", "REDIS=redis://h", "REDIS_ENABLED=false", NULL};
    assert_false(load(off).redis_enabled);
    char *on[] = {"DB_FILENAME=/x", "REDIS_ENABLED=true", NULL};
    assert_true(load(on).redis_enabled);
    /* The sample configuration turns nothing on and states the other new defaults. */
    conf_t c, d = load(none);
    char err[256];
    if (conf_load_from(&c, a, none, SOURCE_ROOT "/conf/celer.env", err, sizeof err) < 0)
        fail_msg("conf/celer.env: %s", err);
    assert_false(c.redis_enabled);
    assert_int_equal(c.cache_healthcheck_threshold, d.cache_healthcheck_threshold);
    assert_int_equal(c.rate_limiter_healthcheck_threshold, 150);
    assert_int_equal(c.rate_limiter_global_healthcheck_threshold, 150);
    assert_int_equal(c.rate_limiter_duration, d.rate_limiter_duration);
    assert_int_equal(c.rate_limiter_global_points, d.rate_limiter_global_points);
    assert_int_equal(c.rate_limiter_global_duration, d.rate_limiter_global_duration);
    assert_string_equal(c.rate_limiter_store, d.rate_limiter_store);
    assert_int_equal(c.redis_db, d.redis_db);
    assert_null(c.redis);
    assert_null(c.redis_host);
}

/* Nothing listens on port 1: the command fails at once, and the next attempts wait for the
 * back-off, which doubles up to its cap. */
static void test_down_fails_fast_and_backs_off(void **state)
{
    (void)state;
    char *env[] = {"DB_FILENAME=/x", "REDIS=redis://127.0.0.1:1", NULL};
    conf_t c = load(env);
    redis_t *r = redis_new(&c);
    const char *argv[] = {"PING"};
    int64_t t0 = now_ms();
    uint64_t lost = gen_redis_lost_get();
    assert_null(redis_command(r, a, 1, argv, NULL));
    assert_true(now_ms() - t0 < REDIS_CONNECT_TIMEOUT_MS);
    assert_false(redis_is_up(r));
    assert_true(gen_redis_lost_get() > lost); /* the response cache must not trust Redis now */
    assert_true(r->retry_at >= t0 + REDIS_BACKOFF_MIN_MS);
    /* Within the back-off: no connect at all, so nothing changes. */
    int64_t retry_at = r->retry_at;
    for (int i = 0; i < 100; i++)
        assert_null(redis_command(r, a, 1, argv, NULL));
    assert_int_equal(r->retry_at, retry_at);
    assert_int_equal(r->backoff_ms, 2 * REDIS_BACKOFF_MIN_MS);
    /* Past it: one more attempt, and a longer wait. */
    r->retry_at = 0;
    assert_null(redis_command(r, a, 1, argv, NULL));
    assert_int_equal(r->backoff_ms, 4 * REDIS_BACKOFF_MIN_MS);
    for (int i = 0; i < 10; i++) {
        r->retry_at = 0;
        redis_command(r, a, 1, argv, NULL);
    }
    assert_int_equal(r->backoff_ms, REDIS_BACKOFF_MAX_MS);
    redis_free(r);
}

/* rediss:// cannot work with this hiredis: no connection is ever tried. */
static void test_tls_url_is_unusable(void **state)
{
    (void)state;
    char *env[] = {"DB_FILENAME=/x", "REDIS=rediss://127.0.0.1:1", NULL};
    conf_t c = load(env);
    redis_t *r = redis_new(&c);
    const char *argv[] = {"PING"};
    assert_null(redis_command(r, a, 1, argv, NULL));
    assert_int_equal(r->backoff_ms, REDIS_BACKOFF_MIN_MS);
    redis_free(r);
    redis_free(NULL);
    assert_null(redis_command(NULL, a, 1, argv, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_url_parsing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_address_from_conf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redis_enabled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_down_fails_fast_and_backs_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls_url_is_unusable, setup, teardown),
    };
    return cmocka_run_group_tests_name("cache/redis", tests, NULL, NULL);
}
