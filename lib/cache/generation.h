/*
 * Pool-wide generation counters: "what a worker cached may be stale". Every worker keeps
 * per-process caches (schema snapshot, permission rows, accountabilities); a worker that changes
 * what one of them was built from bumps the matching counter, and every worker of the pool sees
 * the new value on its next lookup and rebuilds. The counters live in one shared page the master
 * maps before it forks (gen_shm_init); without it (a single process, unit tests) they are
 * process-local and still work for that process.
 *
 * A second pool on the same database learns of changes through Redis (gen_bump publishes when a
 * publisher is installed); caches also age out (GEN_MAX_AGE_MS) so a change made behind Celer's
 * back, straight in SQL, is picked up within that time.
 */
#ifndef LIB_CACHE_GENERATION_H
#define LIB_CACHE_GENERATION_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    GEN_SCHEMA,      /* collections, fields, relations */
    GEN_PERMISSIONS, /* directus_permissions, directus_policies, directus_access, directus_roles */
    GEN_USERS,       /* directus_users (status, role, token): cached accountabilities */
    GEN_RESPONSES,   /* the response cache as a whole (POST /utils/cache/clear) */
    GEN_COUNT
} gen_kind_t;

/* How long a per-worker cache entry may be trusted without a bump, in milliseconds. */
#define GEN_MAX_AGE_MS 1000

/* Maps the shared page. Called once by the master before it forks; 0, or -1 (then counters are
 * process-local). */
int gen_shm_init(void);

/* The counter's current value (relaxed atomic load: cheap enough for every request). */
uint64_t gen_get(gen_kind_t k);

/* Advances the counter (after the transaction that changed the data committed) and, when a
 * publisher is installed, tells other pools. */
void gen_bump(gen_kind_t k);

/* Installs fn, called by gen_bump with the kind bumped (a Redis PUBLISH, issue 8). NULL: none. */
void gen_set_publisher(void (*fn)(gen_kind_t k, void *arg), void *arg);

/* Applies a bump received from another pool: advances the local counter without publishing. */
void gen_bump_remote(gen_kind_t k);

/*
 * Per-collection counters for the response cache's precise purge: a response remembers the
 * counters of the collections it read, a write to one of them bumps its counter, and every worker
 * of the pool then sees the response as stale. Names share GEN_TAG_SLOTS counters by hash, so a
 * write may also make unrelated responses stale (a needless miss, never a stale hit).
 */
#define GEN_TAG_SLOTS 256
uint64_t gen_tag_get(const char *collection);
void gen_tag_bump(const char *collection);

/*
 * Contact with Redis lost (issue 8.4). A write made while Redis cannot be reached cannot purge the
 * shared response cache there, nor tell other pools, so once any process of the pool has failed
 * to talk to Redis (a worker's command, the master's bus subscription) nothing cached in Redis
 * before may be trusted: lib/cache/redis.c calls gen_redis_lost() on every failure, and the
 * response cache's Redis store neither reads nor writes entries while gen_redis_lost_get() is
 * not 0. Once Redis answers again the first process that needs it retires every entry there
 * (respcache.h) and calls gen_redis_recovered() with the value it saw before; a failure in
 * between changes the value, so the flag stays until a retirement has followed the last failure.
 */
void gen_redis_lost(void);
uint64_t gen_redis_lost_get(void);
/* Clears the flag if it still holds seen (compare and swap). true when it did. */
bool gen_redis_recovered(uint64_t seen);

/* The same for the bus: a publish that Redis did not take (bus.h) raises it, and the pool's
 * master, once Redis answers again, tells the other pools to rebuild everything and lowers it. */
void gen_bus_lost(void);
uint64_t gen_bus_lost_get(void);
bool gen_bus_recovered(uint64_t seen);

/* Milliseconds on a monotonic clock, for cache entry ages. */
uint64_t gen_now_ms(void);

/* Whether an entry built at (built_gen, built_ms) for kind k may still be used. */
bool gen_fresh(gen_kind_t k, uint64_t built_gen, uint64_t built_ms);

#endif
