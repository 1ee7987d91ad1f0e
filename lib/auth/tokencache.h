/*
 * Verified access tokens, remembered per worker so that a token presented again costs a hash
 * and a compare instead of a JSON parse and an HMAC (Directus re-verifies every request).
 *
 * Bounded and direct-mapped: TOKENCACHE_SLOTS slots chosen by a 64-bit hash of the token text
 * (FNV-1a: no cryptography on the hit path), a newer token evicts an older one in its slot. An
 * entry keeps the whole token and is only a hit for the same bytes, so a hash collision is a
 * miss, never a wrong identity. An entry lives until the token's own `exp`. Only successful
 * verifications are stored; tokens that fail are verified again each time (they are cheap to
 * reject, and caching failures would let anyone fill the table).
 *
 * What is cached is what the signature vouches for (the claims). What can change while a token
 * lives (the session row, roles, policies) is kept apart, in the accountability cache
 * (acccache.h), which follows the generation counters.
 */
#ifndef LIB_AUTH_TOKENCACHE_H
#define LIB_AUTH_TOKENCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/core/arena.h"
#include "lib/core/str.h"

#define TOKENCACHE_SLOTS 1024
/* Longer tokens are verified every time: nothing Directus issues comes near. */
#define TOKENCACHE_MAX_TOKEN 4096

/* The claims of a verified access token that authentication uses. */
typedef struct {
    const char *id;      /* `id` claim, NULL when absent, falsy or not a string */
    const char *role;    /* `role` claim, NULL for null */
    const char *session; /* `session` claim, NULL when absent or not a string */
    const char *share;   /* `share` claim, NULL when absent */
    bool has_session;    /* the payload has a `session` key (whatever its value) */
} tokencache_claims_t;

/* Looks token up at now_s (epoch seconds). On a hit copies the claims' strings into a and
 * returns true. An expired entry is dropped and is a miss. */
bool tokencache_get(arena_t *a, str_t token, int64_t now_s, tokencache_claims_t *out);

/* Remembers the claims of a token that verified, until exp_s (INT64_MAX: no exp claim). The
 * strings are copied into the cache's own memory. Tokens longer than TOKENCACHE_MAX_TOKEN are
 * not kept. */
void tokencache_put(str_t token, int64_t exp_s, const tokencache_claims_t *c);

/* Forgets everything and releases the memory (tests, and a worker that reloads its SECRET). */
void tokencache_clear(void);

/* Entries held now (tests). */
size_t tokencache_size(void);

#endif
