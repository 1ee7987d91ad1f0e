/*
 * The per-request context handed to every handler: the request and the response being built,
 * the request's arena and sticky error, the worker's long-lived state (configuration,
 * database connection), and who is calling. Lives on the worker's stack for exactly one request.
 */
#ifndef LIB_API_CTX_H
#define LIB_API_CTX_H

#include <stdbool.h>

#include "lib/auth/accountability.h"
#include "lib/core/arena.h"
#include "lib/core/conf.h"
#include "lib/core/err.h"
#include "lib/db/db.h"
#include "lib/http/request.h"
#include "lib/http/response.h"
#include "lib/http/router.h"

struct json_object;
struct query;

typedef struct ctx {
    arena_t *arena;
    const conf_t *conf;
    db_conn_t *db;
    struct redis *redis;         /* the worker's Redis connection (lib/cache/redis.h) */
    struct ratelimit *ratelimit; /* the rate limiters, NULL when off (lib/cache/ratelimit.h) */
    request_t *req;
    response_t *res;
    err_t err;
    route_match_t route;
    struct json_object *query; /* the query string as qs parses it (never NULL) */
    struct json_object *body;  /* the JSON body; {} when there is none */
    /* The URL query as sanitizeQuery + validateQuery made it: every route after
     * authentication gets it (a bad query is a 400 wherever it is sent, as in Directus). */
    const struct query *sanitized;
    /* Who is calling (lib/auth/accountability.h): resolved by the authenticate step before
     * any route runs; the public accountability when there was no token. */
    accountability_t acc;
    /* The access token as Directus's extractToken found it: ?access_token, else the Bearer
     * header, else the session cookie. STR_NULL: none (the public). */
    str_t token;
    bool token_unusable;  /* ?access_token was an array or object: no user can match it */
    /* Set-Cookie values to send: they go out with the answer, success or error alike (a
     * failed session cookie is cleared on a 401, as Directus does). */
    const char **set_cookies;
    size_t nset_cookies;
    /* The response cache's state for this request (lib/api/cache.c), NULL when not cacheable. */
    struct api_cache_state *cache;
} ctx_t;

#endif
