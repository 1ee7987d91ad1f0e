/* The response cache's memory store: keys that tell callers apart, hits, TTL, precise purge (a
 * write to one collection leaves answers about others alone), the read/write race, clear, the
 * size limit and the bound on entries. The Redis store runs in tests/api/23_respcache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/cache/generation.h"
#include "lib/cache/respcache.h"

static arena_t *a;
static conf_t conf;

static int setup(void **state)
{
    (void)state;
    a = arena_new();
    conf = (conf_t){.cache_enabled = true,
                    .cache_store = "memory",
                    .cache_ttl_ms = 60000,
                    .cache_namespace = "test",
                    .cache_value_max_size = CONF_UNLIMITED};
    respcache_memory_reset();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    respcache_memory_reset();
    arena_free(a);
    return 0;
}

static const char *key_of(const char *user, const char *path, const char *query)
{
    respcache_key_parts_t k = {.user = user,
                               .path = str_c(path),
                               .query = query ? str_c(query) : STR_NULL};
    return respcache_key(a, &k);
}

/* A miss, then the answer stored, as the pipeline does it. */
static void fill(const char *key, const char *const *tags, size_t ntags, const char *body)
{
    respcache_lookup_t l = {.key = key, .tags = tags, .ntags = ntags};
    str_t got, etag;
    int64_t ttl;
    assert_false(respcache_get(&conf, NULL, a, &l, &got, &etag, &ttl));
    respcache_prepare(&conf, NULL, a, &l);
    respcache_put(&conf, NULL, a, &l, str_c(body), STR("W/\"e\""));
}

static bool hit(const char *key, const char *const *tags, size_t ntags, const char *want)
{
    respcache_lookup_t l = {.key = key, .tags = tags, .ntags = ntags};
    str_t got, etag;
    int64_t ttl = -1;
    if (!respcache_get(&conf, NULL, a, &l, &got, &etag, &ttl))
        return false;
    assert_true(str_eq_c(etag, "W/\"e\""));
    assert_true(ttl > 0 && ttl <= conf.cache_ttl_ms);
    assert_int_equal(got.n, strlen(want));
    assert_memory_equal(got.p, want, got.n);
    return true;
}

static void test_keys_tell_callers_apart(void **state)
{
    (void)state;
    const char *base = key_of("u1", "/items/articles", "limit=1");
    assert_int_equal(strlen(base), RESPCACHE_KEY_HEX);
    assert_string_equal(base, key_of("u1", "/items/articles", "limit=1"));
    assert_string_not_equal(base, key_of("u2", "/items/articles", "limit=1"));
    assert_string_not_equal(base, key_of(NULL, "/items/articles", "limit=1"));
    assert_string_not_equal(base, key_of("u1", "/items/articles", "limit=2"));
    assert_string_not_equal(base, key_of("u1", "/items/articlesl", "imit=1"));
    assert_string_not_equal(key_of("u1", "/x", NULL), key_of("u1", "/x", ""));
    /* The same user with other policies or flags (another IP, another role): another key. */
    const char *p1[] = {"pa"}, *p2[] = {"pa", "pb"};
    respcache_key_parts_t k = {.user = "u1", .path = STR("/p"), .policies = p1, .npolicies = 1};
    const char *one = respcache_key(a, &k);
    k.policies = p2;
    k.npolicies = 2;
    assert_string_not_equal(one, respcache_key(a, &k));
    k.admin = true;
    const char *admin = respcache_key(a, &k);
    k.admin = false;
    assert_string_not_equal(admin, respcache_key(a, &k));
}

static void test_hit_then_precise_purge(void **state)
{
    (void)state;
    const char *art[] = {"articles", "authors"}, *com[] = {"comments"}, *any[] = {"*"};
    const char *k1 = key_of(NULL, "/items/articles", NULL);
    const char *k2 = key_of(NULL, "/items/comments", NULL);
    const char *k3 = key_of(NULL, "/server/info", NULL);
    fill(k1, art, 2, "{\"data\":[1]}");
    fill(k2, com, 1, "{\"data\":[2]}");
    fill(k3, any, 1, "{\"data\":{}}");
    assert_true(hit(k1, art, 2, "{\"data\":[1]}"));
    assert_true(hit(k2, com, 1, "{\"data\":[2]}"));
    assert_true(hit(k3, any, 1, "{\"data\":{}}"));
    assert_int_equal(respcache_memory_size(), 3);

    /* A write to authors: the articles answer read authors, the comments answer did not. */
    const char *w[] = {"authors"};
    respcache_purge(&conf, NULL, a, w, 1);
    assert_false(hit(k1, art, 2, ""));
    assert_true(hit(k2, com, 1, "{\"data\":[2]}"));
    assert_false(hit(k3, any, 1, "")); /* "*" goes with every purge */

    /* Clear: everything. */
    fill(k1, art, 2, "{\"data\":[3]}");
    assert_true(hit(k1, art, 2, "{\"data\":[3]}"));
    respcache_clear(&conf, NULL, a);
    assert_false(hit(k1, art, 2, ""));
    assert_false(hit(k2, com, 1, ""));

    /* A schema or permission change: memory entries check those generations too. */
    fill(k2, com, 1, "{\"data\":[4]}");
    gen_bump(GEN_PERMISSIONS);
    assert_false(hit(k2, com, 1, ""));
}

static void test_read_racing_a_write_is_not_kept(void **state)
{
    (void)state;
    const char *tags[] = {"articles"};
    const char *k = key_of("u", "/items/articles", "x=1");
    respcache_lookup_t l = {.key = k, .tags = tags, .ntags = 1};
    str_t got, etag;
    int64_t ttl;
    assert_false(respcache_get(&conf, NULL, a, &l, &got, &etag, &ttl));
    respcache_prepare(&conf, NULL, a, &l);
    /* The answer is computed from the old rows; meanwhile a write commits and purges. */
    respcache_purge(&conf, NULL, a, tags, 1);
    respcache_put(&conf, NULL, a, &l, STR("{\"data\":\"old\"}"), STR("W/\"e\""));
    assert_false(hit(k, tags, 1, ""));
}

static void test_ttl_size_limit_and_bound(void **state)
{
    (void)state;
    const char *tags[] = {"t"};
    conf.cache_ttl_ms = 50;
    const char *k = key_of(NULL, "/items/t", NULL);
    fill(k, tags, 1, "{}");
    assert_true(hit(k, tags, 1, "{}"));
    usleep(80 * 1000);
    assert_false(hit(k, tags, 1, ""));

    conf.cache_ttl_ms = 60000;
    conf.cache_value_max_size = 10;
    fill(k, tags, 1, "{\"data\":\"more than ten bytes\"}");
    assert_false(hit(k, tags, 1, ""));
    fill(k, tags, 1, "{\"a\":1}");
    assert_true(hit(k, tags, 1, "{\"a\":1}"));

    conf.cache_value_max_size = CONF_UNLIMITED;
    for (int i = 0; i < 10 * RESPCACHE_SLOTS; i++) {
        char q[32];
        snprintf(q, sizeof q, "page=%d", i);
        fill(key_of(NULL, "/items/t", q), tags, 1, "{\"data\":[]}");
        if (i % 512 == 0)
            arena_reset(a);
    }
    assert_true(respcache_memory_size() <= RESPCACHE_SLOTS);

    conf.cache_enabled = false;
    respcache_lookup_t l = {.key = k, .tags = tags, .ntags = 1};
    str_t got, etag;
    int64_t ttl;
    assert_false(respcache_get(&conf, NULL, a, &l, &got, &etag, &ttl)); /* off: never a hit */
}

/* CACHE_STORE=redis with a Redis that cannot be reached: lookups miss, nothing is kept, a purge
 * leaves the "Redis lost" flag up (a write could not reach Redis), and recovery cannot lower it
 * while Redis stays away. Never an error: the answer comes from the database. */
static void test_redis_unreachable_is_a_miss_and_raises_the_flag(void **state)
{
    (void)state;
    conf_t c = conf;
    c.cache_store = "redis";
    c.redis = "redis://127.0.0.1:1";
    redis_t *r = redis_new(&c);
    const char *tags[] = {"t"};
    respcache_lookup_t l = {.key = key_of(NULL, "/items/t", NULL), .tags = tags, .ntags = 1};
    str_t got, etag;
    int64_t ttl;
    assert_false(respcache_get(&c, r, a, &l, &got, &etag, &ttl));
    respcache_prepare(&c, r, a, &l);
    assert_false(l.snapshot);
    respcache_put(&c, r, a, &l, STR("{}"), STR("W/\"e\""));
    respcache_purge(&c, r, a, tags, 1);
    assert_true(gen_redis_lost_get() != 0);
    assert_false(respcache_redis_recover(&c, r, a));
    assert_true(gen_redis_lost_get() != 0);
    /* The memory store never looks at the flag. */
    assert_true(respcache_redis_recover(&conf, r, a));
    fill(key_of(NULL, "/items/u", NULL), tags, 1, "{}");
    assert_true(hit(key_of(NULL, "/items/u", NULL), tags, 1, "{}"));
    redis_free(r);
    gen_redis_recovered(gen_redis_lost_get());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keys_tell_callers_apart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hit_then_precise_purge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_racing_a_write_is_not_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ttl_size_limit_and_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redis_unreachable_is_a_miss_and_raises_the_flag, setup,
                                        teardown),
    };
    return cmocka_run_group_tests_name("cache/respcache", tests, NULL, NULL);
}
