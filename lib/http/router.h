/*
 * Express-style routing over a static table: patterns like "/items/:collection/:id" and
 * "/specs/graphql/:scope?", matched case-insensitively with an optional trailing slash, HEAD
 * served by GET routes, path parameters percent-decoded.
 */
#ifndef LIB_HTTP_ROUTER_H
#define LIB_HTTP_ROUTER_H

#include <stddef.h>

#include "lib/core/arena.h"
#include "lib/http/request.h"

#define ROUTER_MAX_PARAMS 4
#define M(m) (1u << HTTP_##m)

typedef struct route {
    unsigned methods;    /* mask of M(GET) | M(POST) ... */
    const char *pattern; /* "/server/ping", "/items/:collection/:id?" */
    void (*handler)(void); /* opaque to the router: the caller casts it back */
} route_t;

typedef struct {
    const char *name; /* parameter name as in the pattern, without ':' and '?' */
    str_t value;      /* decoded; empty when an optional parameter is absent */
} route_param_t;

typedef enum {
    ROUTER_FOUND,
    ROUTER_NO_PATH,    /* no pattern matches the path */
    ROUTER_BAD_METHOD, /* a pattern matches but not for this method: match.allowed says which */
} router_result_t;

typedef struct {
    const route_t *route; /* set when ROUTER_FOUND */
    route_param_t params[ROUTER_MAX_PARAMS];
    size_t nparams;
    unsigned allowed; /* methods of the patterns that matched the path */
} route_match_t;

/* Finds the first route of the table for method and raw path. Parameter values are decoded
 * into a; a parameter that does not decode makes its pattern not match. */
router_result_t router_match(arena_t *a, const route_t *routes, size_t n, http_method_t method,
                             str_t path, route_match_t *out);

/* Value of a parameter of the match, or STR_NULL. */
str_t router_param(const route_match_t *m, const char *name);

#endif
