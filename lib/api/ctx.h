/*
 * The per-request context handed to every handler: the request and the response being built,
 * the request's arena and sticky error, and the worker's long-lived state (configuration,
 * database connection). Lives on the worker's stack for exactly one request.
 */
#ifndef LIB_API_CTX_H
#define LIB_API_CTX_H

#include <stdbool.h>

#include "lib/core/arena.h"
#include "lib/core/conf.h"
#include "lib/core/err.h"
#include "lib/db/db.h"
#include "lib/http/request.h"
#include "lib/http/response.h"
#include "lib/http/router.h"

struct json_object;

/* Who is calling, as Directus resolves it. Only the public caller exists until authentication
 * lands; handlers already branch on it so that nothing changes shape later. */
typedef struct {
    const char *user; /* user id, NULL for the public */
    const char *role;
    bool admin;
    bool app;
} accountability_t;

typedef struct ctx {
    arena_t *arena;
    const conf_t *conf;
    db_conn_t *db;
    request_t *req;
    response_t *res;
    err_t err;
    route_match_t route;
    struct json_object *query; /* the query string as qs parses it (never NULL) */
    struct json_object *body;  /* the JSON body; {} when there is none */
    accountability_t acc;
} ctx_t;

#endif
