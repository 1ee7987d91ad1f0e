/*
 * The per-worker permission cache (issue 6 item 7): what lib/perm reads from the database for a
 * policy list — the directus_permissions rows of those policies (every action, in Directus's
 * order: the policy's position, then id) and the policy globals (enforce_tfa) — kept in process
 * memory across requests, keyed by the policy list.
 *
 * Only stored text is cached: rules are parsed and their dynamic variables ($CURRENT_USER, $NOW,
 * …) resolved per request from these rows, so one entry serves every user of the same policies.
 * An entry is trusted while gen_fresh(GEN_PERMISSIONS, …) holds (a bump by a write through
 * Celer, or at most GEN_MAX_AGE_MS for changes made behind Celer's back). At most
 * PERM_CACHE_ENTRIES entries, the least recently used evicted first.
 */
#ifndef LIB_PERM_CACHE_H
#define LIB_PERM_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/core/arena.h"
#include "lib/core/err.h"
#include "lib/db/db.h"

#define PERM_CACHE_ENTRIES 64

/* One directus_permissions row; NULL pointers are SQL NULL. */
typedef struct {
    const char *collection, *action, *fields, *permissions, *validation, *presets;
} perm_row_t;

/* What a policy list grants. */
typedef struct {
    const perm_row_t *rows;
    size_t nrows;
    bool enforce_tfa; /* one of the policies enforces two-factor authentication */
} perm_rows_t;

/*
 * The rows and globals of policies[0..n) (order matters: it orders the rows; a policy listed
 * twice counts once, at its first position), from the cache or, on a miss or when stale, from
 * db. *out is copied into a, so it stays valid for the request whatever later calls evict.
 * -1 with e set on a database error.
 */
int perm_cache_rows(arena_t *a, err_t *e, db_conn_t *db, const char *const *policies, size_t n,
                    perm_rows_t *out);

/* Drops every entry (tests; a worker never needs it: staleness is by generation). */
void perm_cache_clear(void);

/* Entries held now, and lookups answered without the database since the start (tests). */
size_t perm_cache_size(void);
unsigned long perm_cache_hits(void);

#endif
