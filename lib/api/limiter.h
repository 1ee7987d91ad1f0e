/*
 * The rate limiters' step of the pipeline (Directus's rate-limiter-global and rate-limiter-ip
 * middlewares): after `/` and robots.txt, before /server/ping and authentication, so every other
 * route counts. The bookkeeping is lib/cache/ratelimit.h; this turns a refusal into Directus's
 * 429 answer.
 */
#ifndef LIB_API_LIMITER_H
#define LIB_API_LIMITER_H

#include "lib/api/ctx.h"

/* Charges the request to the limiters (nothing when they are off). Over a limit: sets
 * `Retry-After: <round(ms / 1000)>` and the REQUESTS_EXCEEDED error (message `Too many requests,
 * retry after <ms>.`, extensions limit and reset) and returns -1; else 0. Never fails because of
 * the store: a Redis that is down lets the request through. */
int limiter_check(ctx_t *ctx);

#endif
