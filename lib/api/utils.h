/*
 * /utils routes that are not about items: POST /utils/cache/clear (Directus's UtilsService
 * .clearCache).
 */
#ifndef LIB_API_UTILS_H
#define LIB_API_UTILS_H

#include "lib/api/ctx.h"

/* Admins only (403 otherwise). `?system` (present and empty, or truthy) also drops every
 * worker's schema, permission and accountability caches in this pool and, through the bus, in
 * every pool and Directus instance sharing the Redis; then the response cache is cleared
 * (respcache_clear: every worker's memory store through GEN_RESPONSES, the Redis store's keys).
 * 200 with an empty body. */
int utils_cache_clear(ctx_t *ctx);

#endif
