/*
 * One schema_t per worker process (workers are forked, so a static is per worker). Rebuilding
 * loads the new snapshot first and swaps it in only when that worked, so a failed reload keeps
 * the worker serving with the snapshot it had.
 */
#include "lib/api/schema_cache.h"

#include "lib/cache/generation.h"

static schema_t *cached;
static uint64_t cached_gen;
static bool stale;
void schema_cache_invalidate(void)
{
    stale = true;
}

const schema_t *schema_cache_get(ctx_t *ctx)
{
    uint64_t gen = gen_get(GEN_SCHEMA);
    if (cached && !stale && gen == cached_gen)
        return cached;
    schema_t *fresh = schema_load(ctx->db, ctx->conf, ctx->arena, &ctx->err);
    if (!fresh)
        return NULL;
    schema_free(cached);
    cached = fresh;
    cached_gen = gen;
    stale = false;
    return cached;
}
