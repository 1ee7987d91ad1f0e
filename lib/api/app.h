/*
 * The application: Directus's middleware order and route table over one request. A worker
 * creates one app_t for its life and calls app_handle() per request.
 */
#ifndef LIB_API_APP_H
#define LIB_API_APP_H

#include "lib/core/arena.h"
#include "lib/core/conf.h"
#include "lib/db/db.h"
#include "lib/http/request.h"
#include "lib/http/response.h"

typedef struct app {
    const conf_t *conf;
    db_conn_t *db;
    struct redis *redis;         /* connects on first use; never NULL in a worker */
    struct ratelimit *ratelimit; /* NULL when RATE_LIMITER_ENABLED is false */
} app_t;

/* Serves req into res (initialised by the caller), allocating only from a. Never fails: every
 * error becomes a Directus error envelope. res is complete (ETag, Content-Length, HEAD/304
 * handling) when it returns. */
void app_handle(app_t *app, arena_t *a, request_t *req, response_t *res);

#endif
