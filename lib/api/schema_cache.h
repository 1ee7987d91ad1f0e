/*
 * The worker's schema snapshot (lib/schema): loaded on first use, kept across requests, rebuilt
 * when the pool's GEN_SCHEMA counter (lib/cache/generation.h) moves: a worker that changes the
 * schema bumps it and every worker of the pool reloads on its next request. With
 * CACHE_SCHEMA=false (as in Directus) it is loaded afresh for every request instead.
 */
#ifndef LIB_API_SCHEMA_CACHE_H
#define LIB_API_SCHEMA_CACHE_H

#include "lib/api/ctx.h"
#include "lib/schema/schema.h"

/* The snapshot for this request: borrowed, valid until the request ends (a rebuild only frees
 * the old snapshot at the start of a later request). NULL with ctx->err set when loading fails
 * (503 when the database is down). */
const schema_t *schema_cache_get(ctx_t *ctx);

/* Drops the snapshot: the next schema_cache_get() loads a fresh one (after a schema change made
 * by this worker). */
void schema_cache_invalidate(void);

#endif
