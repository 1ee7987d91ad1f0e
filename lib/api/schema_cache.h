/*
 * The worker's schema snapshot (lib/schema): loaded on first use, kept across requests, rebuilt
 * when its version hook reports a new generation. The cross-process "schema changed" signal
 * (Redis or the database) is a later piece; it plugs in with schema_cache_set_version_hook().
 */
#ifndef LIB_API_SCHEMA_CACHE_H
#define LIB_API_SCHEMA_CACHE_H

#include <stdint.h>

#include "lib/api/ctx.h"
#include "lib/schema/schema.h"

/* The snapshot for this request: borrowed, valid until the request ends (a rebuild only frees
 * the old snapshot at the start of a later request). NULL with ctx->err set when loading fails
 * (503 when the database is down). */
const schema_t *schema_cache_get(ctx_t *ctx);

/* Installs the generation check: hook(arg) is called once per schema_cache_get(); when its
 * value differs from the one the snapshot was built under, the snapshot is rebuilt. NULL hook:
 * never rebuilt (until schema_cache_invalidate). */
void schema_cache_set_version_hook(uint64_t (*hook)(void *), void *arg);

/* Drops the snapshot: the next schema_cache_get() loads a fresh one (after a schema change made
 * by this worker). */
void schema_cache_invalidate(void);

#endif
