/*
 * The worker's one Redis connection (hiredis, blocking), for the response cache, the rate
 * limiter and the cross-process bus. Where Redis is, comes from REDIS (a redis:// URL, as ioredis
 * reads it) or else REDIS_HOST / REDIS_PORT / REDIS_USERNAME / REDIS_PASSWORD / REDIS_DB.
 *
 * Redis is an optimisation, never a dependency of an answer: the connection is opened on first
 * use, every command has a short timeout, and when Redis is down or restarts a command fails
 * fast (NULL) so that its caller degrades — serves from the database, lets the request through —
 * instead of answering 500. The connection comes back by itself on a later command; after a
 * failed connect the next attempt waits a little (a back-off that doubles up to a cap), so a
 * dead Redis costs at most one refused connect per back-off period, not one per request.
 * Every failure also raises the pool's "Redis lost" flag (gen_redis_lost(), generation.h), by
 * which the response cache knows that Redis may hold entries a purge could not reach.
 *
 * Commands go through redis_command() only: every value is a separate argv element with its
 * length (hiredis redisCommandArgv), so user data is never parsed as a format string.
 */
#ifndef LIB_CACHE_REDIS_H
#define LIB_CACHE_REDIS_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/core/arena.h"
#include "lib/core/conf.h"

struct redisReply;

typedef struct redis redis_t;

/* Where and how to connect, as ioredis understands REDIS / REDIS_*. Plain data. */
typedef struct {
    const char *host; /* NULL when path is set */
    int port;
    const char *path;     /* unix socket, or NULL */
    const char *username; /* NULL: none (AUTH with the password alone, Redis < 6 style) */
    const char *password; /* NULL: no AUTH */
    int db;               /* SELECTed after connecting when not 0 */
    bool tls;             /* rediss://: this build's hiredis has no TLS, so it cannot connect */
} redis_addr_t;

/* Parses a REDIS value as ioredis does: `redis://[user[:password]@]host[:port][/db]` (user and
 * password percent-decoded, `?db=`, `?password=` and `?username=` fill what the URL left out),
 * `rediss://…` (TLS), `host:port`, a bare port, or a unix socket path (`/run/redis.sock`,
 * `unix:///run/redis.sock`). ioredis accepts anything and falls back to localhost:6379; so does
 * this, except that a port or db that is not a number returns -1. Strings are allocated from a. */
int redis_addr_parse(arena_t *a, const char *url, redis_addr_t *out);

/* The address the configuration names: REDIS when set (the REDIS_* keys are then ignored, as in
 * Directus), else REDIS_HOST (default localhost), REDIS_PORT, REDIS_USERNAME, REDIS_PASSWORD,
 * REDIS_DB. -1 when REDIS does not parse. */
int redis_addr_from_conf(arena_t *a, const conf_t *c, redis_addr_t *out);

/* A handle for the configured Redis. Does not connect: the first redis_command() does. Never
 * NULL (aborts on OOM like the arena); a REDIS that cannot be used (bad URL, rediss://) is
 * logged here and makes every command fail. Free with redis_free(). conf is not kept. */
redis_t *redis_new(const conf_t *c);

/* Closes the connection and frees the handle. NULL is a no-op. */
void redis_free(redis_t *r);

/* Sends one command (argc arguments; argvlen[i] bytes of argv[i], so values may hold any byte)
 * and waits for its reply, connecting first when needed.
 *
 * Returns the reply, owned by the arena a: it is freed (freeReplyObject, through arena_defer) at
 * the arena's next reset, so copy what must outlive the request. Error replies (type
 * REDIS_REPLY_ERROR: WRONGTYPE, NOSCRIPT, …) are returned like any other reply; the connection
 * stays usable.
 *
 * A connection that Redis closed since its last use (a restart) is reopened and the command
 * sent once more, so a restart costs no request anything. Returns NULL when Redis could not be
 * reached or did not answer within the timeout: the connection is dropped (the next call
 * reconnects, subject to the back-off) and the failure is logged at most once per
 * REDIS_LOG_INTERVAL_MS (redis.c). r NULL also returns NULL. */
struct redisReply *redis_command(redis_t *r, arena_t *a, int argc, const char **argv,
                                 const size_t *argvlen);

/* Whether rep is a reply that is not an error reply. NULL: false. */
bool redis_reply_ok(const struct redisReply *rep);

/* Ends the current back-off: the next command tries to connect at once. For what must not be
 * skipped while Redis may already be back (a response-cache purge: a stale answer served by
 * another pool is worse than one short timeout). */
void redis_retry_now(redis_t *r);

/* For a subscriber (lib/cache/bus): the connected hiredis context, connecting first when due
 * (subject to the back-off), or NULL. After SUBSCRIBE the connection only receives pushes: use
 * it with hiredis's reader directly, and redis_drop() it when a read fails. */
struct redisContext *redis_context(redis_t *r);

/* Closes the connection after a failure seen by the caller; the next redis_context() or
 * redis_command() reconnects, subject to the back-off. */
void redis_drop(redis_t *r);

/* Whether the last attempt to talk to Redis worked (false before the first one). For logs and
 * tests; callers decide by redis_command()'s result. */
bool redis_is_up(const redis_t *r);

#endif
