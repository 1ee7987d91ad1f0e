/*
 * The response cache in the request pipeline (spec §11): after authentication a cacheable GET
 * is answered from lib/cache/respcache when it can be, else routed, and a successful JSON answer
 * is stored on the way out with Directus's Cache-Control and Vary headers. (POST
 * /utils/cache/clear is lib/api/utils.c: respcache_clear.)
 *
 * What may be cached, as Directus decides it: GET requests whose path does not start with /auth,
 * without `export`, not /server/health, whose answer is a JSON payload of at most
 * CACHE_VALUE_MAX_SIZE bytes. The lookup is skipped (the answer is still stored) when
 * CACHE_SKIP_ALLOWED is on and the request's Cache-Control says no-store, or for the Data
 * Studio (Referer under PUBLIC_URL/admin) unless auto-purge covers the path.
 *
 * Tags: an answer of /items/<collection> read that collection and, at most, every collection
 * its relations reach (filters, fields and permission rules only go through relations), so it
 * is tagged with that closure; anything else is tagged "*" (purged by every write).
 */
#ifndef LIB_API_CACHE_H
#define LIB_API_CACHE_H

#include "lib/api/ctx.h"

/* Before routing: true when the answer came from the cache (ctx->res is complete). */
bool api_cache_lookup(ctx_t *ctx);

/* After the route answered without error: stores the answer when it may be cached, and sets
 * Cache-Control and Vary as Directus's respond middleware does. */
void api_cache_store(ctx_t *ctx);

/* After a write's COMMIT: purges the answers it may have made stale — those that read one of
 * the written collections (the route's, if it names one), or a collection whose rows point at
 * one of them (foreign keys the database may have cascaded or nulled). A clear when nothing
 * names what was written, or when system_changed: the write reached the schema or the
 * permissions. */
void api_cache_written(ctx_t *ctx, bool system_changed, const char *const *written,
                       size_t nwritten);

/* Directus's shouldSkipCache: the Data Studio's Referer (unless auto-purge covers the path) or
 * a Cache-Control: no-store the configuration allows. Also decides `no-store` answers
 * (getCacheControlHeader) of routes outside the cache, such as /assets. */
bool api_cache_should_skip(const ctx_t *ctx);

/* At the very end, after the error handler: the CACHE_STATUS_HEADER of a miss (also on an
 * error, as Directus's header stays, except for a refused query: Directus refuses it before its
 * cache middleware). */
void api_cache_finish(ctx_t *ctx);

#endif
