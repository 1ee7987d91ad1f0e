/*
 * One schema_t per worker process (workers are forked, so a static is per worker). Rebuilding
 * loads the new snapshot first and swaps it in only when that worked, so a failed reload keeps
 * the worker serving with the snapshot it had.
 */
#include "lib/api/schema_cache.h"

#include "lib/cache/generation.h"
#include "lib/core/log.h"

static schema_t *cached;
static uint64_t cached_gen;
static unsigned long cached_request; /* the request it was loaded for (CACHE_SCHEMA=false) */
static bool stale;
void schema_cache_invalidate(void)
{
    stale = true;
}

const schema_t *schema_cache_get(ctx_t *ctx)
{
    uint64_t gen = gen_get(GEN_SCHEMA);
    unsigned long request = log_request_id();
    /* CACHE_SCHEMA=false: Directus reads the schema afresh for every request; so does this, once
     * per request (a request without an id, outside a worker, reloads on every call). */
    bool this_request = ctx->conf->cache_schema || (request && request == cached_request);
    if (cached && !stale && gen == cached_gen && this_request)
        return cached;
    schema_t *fresh = schema_load(ctx->db, ctx->conf, ctx->arena, &ctx->err);
    if (!fresh)
        return NULL;
    schema_free(cached);
    cached = fresh;
    cached_gen = gen;
    cached_request = request;
    stale = false;
    return cached;
}
