/*
 * Directus's rate limiters (rate-limiter-flexible semantics): RATE_LIMITER_POINTS requests per
 * client IP per RATE_LIMITER_DURATION seconds, and optionally one global bucket
 * (RATE_LIMITER_GLOBAL_*). A key's window opens with its first request and lasts DURATION
 * seconds; every request in it consumes one point; past POINTS the request is refused until the
 * window ends (DURATION 0: the window never ends). Consumption past the limit still counts, as
 * in rate-limiter-flexible.
 *
 * Stores (RATE_LIMITER_STORE):
 * - redis: keys `rlflx:<ip>` and `rlflx:global-rate-limit` (rate-limiter-flexible's layout: an
 *   integer with a TTL), bumped with one Lua script per request — one round trip, atomic. Shared
 *   by every worker of every pool on that Redis. When Redis cannot be reached or answers with an
 *   error, the request is let through (fail open) and the failure is logged, throttled; counting
 *   resumes once the connection is back (lib/cache/redis.h). Directus differs here on purpose:
 *   its ioredis queues the command while offline and, after its retries, the error becomes a 500
 *   (rate-limiter-flexible without an insurance limiter); issue 8 wants no 500 from Redis. The
 *   login counter, which Directus answers 503 for, does the same here.
 * - memory: a fixed table in memory that the master maps (MAP_SHARED) before it forks, so every
 *   worker of one pool counts in the same buckets and the limit applies to the pool as a whole,
 *   as it does to Directus's single process. Each pool (celer-fcgi master) has its own table: two
 *   pools, or processes spawned one by one by a web server over stdin (no master), count
 *   separately; use the redis store to share one limit between them. The table holds 65,536 live
 *   keys: when a bucket of it is full, the key whose window ends first is forgotten, so under a
 *   flood of distinct IPs some IP may get a fresh window early (the limiter stays bounded in
 *   memory, never refuses a request because of it).
 */
#ifndef LIB_CACHE_RATELIMIT_H
#define LIB_CACHE_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/cache/redis.h"
#include "lib/core/arena.h"
#include "lib/core/conf.h"
#include "lib/core/str.h"

typedef struct ratelimit ratelimit_t;

typedef enum {
    RATELIMIT_GLOBAL, /* one bucket for every request (middleware rate-limiter-global) */
    RATELIMIT_IP,     /* one bucket per client IP (middleware rate-limiter-ip) */
    RATELIMIT_LOGIN,  /* failed-login counter per user id (AuthenticationService) */
} ratelimit_which_t;

/* Why a request was refused. Plain data. */
typedef struct {
    ratelimit_which_t which;
    int limit;              /* that limiter's points: extensions.limit */
    int64_t ms_before_next; /* until its window ends (-1: never): Retry-After, reset, message */
} ratelimit_hit_t;

/* Maps the pool's shared table for the memory store. Called once by the master before it forks
 * (workers inherit the mapping); the table lives until the process exits. Without it each
 * ratelimit_new() makes a table of its own. Returns -1 (logged) when the mapping fails, and the
 * workers then count each on its own. */
int ratelimit_shm_init(void);

/* The limiters of a configuration: the request limiters only when RATE_LIMITER_ENABLED, the login
 * attempt counter always (Directus creates it whatever that setting says). redis is the worker's
 * connection (borrowed: it must outlive the limiter), used when RATE_LIMITER_STORE is redis.
 * conf is not kept. NULL only when the memory table cannot be mapped (logged). Free with
 * ratelimit_free(). */
ratelimit_t *ratelimit_new(const conf_t *c, redis_t *redis);

/* NULL is a no-op. Does not free the redis connection nor the shared table. */
void ratelimit_free(ratelimit_t *rl);

/* Directus's two middlewares in their order: consumes one point of the global bucket (when
 * RATE_LIMITER_GLOBAL_ENABLED), then one of ip's bucket (when ip is not empty; Directus skips a
 * request whose IP it cannot tell). Returns true when the request may go on. Returns false when a
 * limiter is over its points, with *hit filled; the IP bucket is then not charged if the global
 * one refused. A store failure lets the request through. Replies live in a until its reset. */
bool ratelimit_consume(ratelimit_t *rl, arena_t *a, str_t ip, ratelimit_hit_t *hit);

/* Whether that limiter is on (the login counter always is). rl NULL: false. */
bool ratelimit_is_on(const ratelimit_t *rl, ratelimit_which_t which);

/*
 * Directus's loginAttemptsLimiter (createRateLimiter('RATE_LIMITER', {duration: 0})): one point of
 * user's counter, out of points (directus_settings.auth_login_attempts), in the configured store
 * — the pool's shared table, or Redis key `rlflx:<user id>` shared by every pool — with no window
 * end. Returns 1 when this attempt went past points (the caller suspends the user; the counter is
 * reset here, as Directus's set(id, 0, 0) does), 0 within them, -1 when the store failed
 * (Directus answers 503 "Rate limiter unreachable"). rl NULL: 0.
 */
int ratelimit_login_attempt(ratelimit_t *rl, arena_t *a, const char *user, int points);

/* Forgets user's failed attempts (after a successful login). rl NULL: nothing. */
void ratelimit_login_reset(ratelimit_t *rl, arena_t *a, const char *user);

/* /server/health's probe: consumes one point of key on that limiter and deletes the key again.
 * Returns 0 when the store answered, -1 when it failed, with *why a static message. */
int ratelimit_probe(ratelimit_t *rl, arena_t *a, ratelimit_which_t which, const char *key,
                    const char **why);

/* A duration as the `ms` package's short format prints it (Directus's 429 message): "873ms",
 * "20s", "1m", "2h", "3d", rounded half up in the largest unit that is at least 1. Writes at most
 * n bytes (NUL included) to buf and returns buf. */
char *ratelimit_ms_format(char *buf, size_t n, int64_t ms);

#endif
