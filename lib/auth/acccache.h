/*
 * The per-worker accountability cache: what authentication reads from the database for a caller
 * that is not going to change from one request to the next, so that a repeat caller costs no
 * SQL at all (Directus reads it all again on every request).
 *
 * Two kinds of entry, each trusted while gen_fresh() holds for its generation counter (a bump
 * from a write through Celer, or GEN_MAX_AGE_MS for changes made behind Celer's back):
 *   - a static token → the active user it belongs to and that user's role (GEN_USERS): a
 *     suspended user or a removed token stops working within GEN_MAX_AGE_MS;
 *   - (user, role) → the role chain (fetchRolesTree) and the raw directus_access rows joined to
 *     their policies (GEN_PERMISSIONS). The rows keep their ip_access lists: admin/app and the
 *     policy list are derived from them per request against that request's IP, so an entry
 *     never carries one client's IP verdict to another.
 *   - a session JWT's session row (its token, for that user or share) that was there and not
 *     expired (GEN_USERS): logout and refresh bump the counter, so they end a session at once;
 *     a row deleted or expiring behind Celer's back is noticed within GEN_MAX_AGE_MS.
 * Only successes are kept (an unknown token or a role cycle is asked again each time). A put
 * takes the counter's value read (gen_get) *before* the query that produced the value, so a
 * bump that lands between the query and the put leaves the entry already stale. a is scratch
 * space for the key; the entry itself is copied into the cache's own memory.
 *
 * Bounded: ACCCACHE_SLOTS direct-mapped slots chosen by a 64-bit hash of the key; a newer entry
 * evicts an older one in its slot. The key is stored and compared whole, so a hash collision is
 * a miss, never a wrong identity. Each slot owns one malloc'd block (key, then the value).
 */
#ifndef LIB_AUTH_ACCCACHE_H
#define LIB_AUTH_ACCCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/core/arena.h"
#include "lib/core/str.h"

#define ACCCACHE_SLOTS 512
/* Longer static tokens are looked up every time. */
#define ACCCACHE_MAX_TOKEN 4096

/* One directus_access row with its policy's flags (policy never NULL: dangling rows are not
 * kept). */
typedef struct {
    const char *role, *user, *policy, *ip_access; /* NULL when the column is null */
    bool admin, app;
} acccache_row_t;

/* What authentication read for (user, role): the chain root first, the rows by
 * directus_access.sort. Arrays are NULL when empty. */
typedef struct {
    const char **roles;
    size_t nroles;
    acccache_row_t *rows;
    size_t nrows;
} acccache_access_t;

/* The user and role of an active user's static token; strings copied into a (role may be
 * NULL). */
bool acccache_token_get(arena_t *a, str_t token, const char **user, const char **role);
void acccache_token_put(arena_t *a, uint64_t gen, str_t token, const char *user,
                        const char *role);

/* Whether the session row `session` of owner (a user id, or a share id when share) was found
 * valid lately. */
bool acccache_session_get(arena_t *a, const char *session, const char *owner, bool share);
void acccache_session_put(arena_t *a, uint64_t gen, const char *session, const char *owner,
                          bool share);

/* The chain and access rows of (user, role), either NULL (the public is (NULL, NULL)). Strings
 * and arrays of the result are in a. */
bool acccache_access_get(arena_t *a, const char *user, const char *role, acccache_access_t *out);
void acccache_access_put(arena_t *a, uint64_t gen, const char *user, const char *role,
                         const acccache_access_t *v);

/* Forgets everything and releases the memory. */
void acccache_clear(void);

/* Entries held now (tests). */
size_t acccache_size(void);

#endif
