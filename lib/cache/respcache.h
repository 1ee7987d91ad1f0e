/*
 * The response cache (spec §11, issue 8): JSON answers of GET requests kept for CACHE_TTL so
 * that a repeat is answered without the database. This module is the store; lib/api/cache.c
 * decides what is cacheable, builds the key from the request and writes the headers.
 *
 * Stores (CACHE_STORE): `memory`, one table per worker process, bounded in entries
 * (RESPCACHE_SLOTS, direct-mapped by key) and bytes (RESPCACHE_MEMORY_MAX); `redis`, shared by
 * every worker and pool on the same Redis, under `<CACHE_NAMESPACE>:resp:<key>`. Redis is an
 * optimisation: when it fails, a lookup is a miss and a store is dropped, never an error.
 *
 * Keys are SHA-256 digests of everything an answer depends on (respcache_key): the caller's
 * identity and permissions, the path and the query string. So no answer reaches a caller whose
 * key differs, and callers with equal keys are served the same bytes the database would give
 * them.
 *
 * Precise purge: every entry carries the collections its answer read ("tags"; "*" for answers
 * that may depend on anything). respcache_purge(collections) makes stale exactly the entries
 * tagged with one of them, or with "*". Memory store: through the pool-wide counters of
 * generation.h (gen_tag_*), so every worker sees a purge at once. Redis: one version counter
 * and one set of keys per tag (`<ns>:ver:<tag>`, `<ns>:tag:<tag>`); a purge increments the
 * version and deletes the set's members, in one script. Both stores read the counters after a
 * miss, before the answer is computed (respcache_prepare), and refuse (memory: treat as stale)
 * an answer stored after a purge that ran meanwhile — a read racing a write never leaves a
 * stale entry behind. A hit never needs the tags: they are only worked out on a miss.
 * The write path calls respcache_purge after its transaction committed; schema and permission
 * changes call respcache_clear() (memory entries also check GEN_SCHEMA and GEN_PERMISSIONS).
 *
 * Redis down, slow or refusing (issue 8.4): a write made meanwhile cannot purge Redis, so entries
 * stored there before may be stale once it is back. Every failure raises the pool's "Redis lost"
 * flag (generation.h; the master's bus subscriber raises it too the moment its connection
 * drops); while it is up the Redis store is neither read nor written, and the first process
 * that reaches Redis again moves the namespace's epoch (`<ns>:epoch:`) before the store is used
 * again — the pool's master tries every second, workers on their next lookup. Every entry
 * carries the epoch it was computed under and a lookup reads the current one with it, so that
 * one INCR retires everything stored before, however large the cache. So a pool never serves an
 * entry from before its own outage. A pool that kept talking to Redis while another pool could
 * not (a partition of that one pool alone) serves the entries the other could not purge until
 * that pool is back and moves the epoch (about a second), or CACHE_TTL ends.
 */
#ifndef LIB_CACHE_RESPCACHE_H
#define LIB_CACHE_RESPCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/cache/redis.h"
#include "lib/core/arena.h"
#include "lib/core/conf.h"
#include "lib/core/str.h"

#define RESPCACHE_SLOTS 1024
#define RESPCACHE_MEMORY_MAX (64u << 20) /* bytes of bodies one worker keeps at most */
#define RESPCACHE_KEY_HEX 64             /* a key as text: hex SHA-256 */
#define RESPCACHE_WILDCARD "*"           /* the tag of answers that may depend on anything */

/* What a key is made of; strings may be NULL (told apart from ""). */
typedef struct {
    const char *user, *role, *share;
    const char *const *policies; /* in the caller's order */
    size_t npolicies;
    bool admin, app;
    str_t path;  /* without the query string */
    str_t query; /* the raw query string */
} respcache_key_parts_t;

/* The key for parts, as hex text (RESPCACHE_KEY_HEX characters and a NUL) in a. */
const char *respcache_key(arena_t *a, const respcache_key_parts_t *parts);

/* Whether the configuration turns the cache on (CACHE_ENABLED with a known CACHE_STORE). */
bool respcache_enabled(const conf_t *c);

/* One request's dealings with the cache: the caller fills key (before respcache_get) and tags
 * (before respcache_prepare); respcache_prepare() the rest. Lives in the request arena. */
typedef struct {
    const char *key;
    const char *const *tags;
    size_t ntags;
    /* filled by respcache_prepare: the counters before the answer was computed */
    uint64_t gen_all, gen_schema, gen_perm, *tag_gens; /* memory */
    const char **versions;                             /* redis: ver counters, "" when unset */
    bool snapshot;                                     /* the counters above were read */
} respcache_lookup_t;

/* Looks l->key up. On a hit copies the body and its ETag into a, sets *ttl_left_ms to the time
 * the entry has left and returns true. */
bool respcache_get(const conf_t *c, redis_t *r, arena_t *a, respcache_lookup_t *l, str_t *body,
                   str_t *etag, int64_t *ttl_left_ms);

/* After a miss (or a lookup the client asked to skip), before the answer is computed: reads the
 * counters of l->tags, so that respcache_put() can tell whether a purge ran meanwhile. */
void respcache_prepare(const conf_t *c, redis_t *r, arena_t *a, respcache_lookup_t *l);

/* After the answer is computed, before respcache_put: keeps of l->tags only those in read (the
 * collections the answer's statements named), with their counters from respcache_prepare, so
 * that writes to the others leave the entry alone. Nothing changes when none is in read. */
void respcache_narrow(arena_t *a, respcache_lookup_t *l, const char *const *read, size_t nread);

/* Stores body and its ETag for CACHE_TTL under l (after respcache_prepare). Bodies over
 * CACHE_VALUE_MAX_SIZE, or whose tags were purged since the prepare, are not stored. */
void respcache_put(const conf_t *c, redis_t *r, arena_t *a, const respcache_lookup_t *l,
                   str_t body, str_t etag);

/* Makes stale every entry tagged with one of collections or with RESPCACHE_WILDCARD. */
void respcache_purge(const conf_t *c, redis_t *r, arena_t *a, const char *const *collections,
                     size_t n);

/* When the "Redis lost" flag is up (CACHE_STORE=redis): retires every entry (moves the epoch)
 * and lowers the flag. true when the Redis store may be used (the flag was down or is now). */
bool respcache_redis_recover(const conf_t *c, redis_t *r, arena_t *a);

/* Makes every entry stale (POST /utils/cache/clear). */
void respcache_clear(const conf_t *c, redis_t *r, arena_t *a);

/* Memory store: entries held by this process, and forgetting them all (tests). */
size_t respcache_memory_size(void);
void respcache_memory_reset(void);

#endif
