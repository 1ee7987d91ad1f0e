/*
 * The per-worker table of verified tokens. Each slot owns one malloc'd block holding the token
 * and the claim strings back to back, so an entry is created and dropped with one call each.
 * The table itself is allocated on first use: a worker that never sees a token pays nothing.
 */
#include "lib/auth/tokencache.h"

#include <stdlib.h>
#include <string.h>

#include "lib/core/log.h"

typedef struct {
    uint64_t hash;
    int64_t exp_s;
    size_t token_n;
    char *block;           /* token bytes, then id\0 role\0 session\0 share\0 ; NULL: empty slot */
    unsigned char present; /* bit 0 id, 1 role, 2 session, 3 share, 4 has_session */
} entry_t;

static entry_t *slots;
static size_t used;

static void drop(entry_t *e)
{
    free(e->block);
    memset(e, 0, sizeof *e);
    used--;
}

static entry_t *slot_for(uint64_t h)
{
    if (!slots) {
        slots = calloc(TOKENCACHE_SLOTS, sizeof *slots);
        if (!slots) {
            log_error("tokencache: out of memory");
            abort();
        }
    }
    return &slots[h & (TOKENCACHE_SLOTS - 1)];
}

bool tokencache_get(arena_t *a, str_t token, int64_t now_s, tokencache_claims_t *out)
{
    uint64_t h = str_hash(token);
    entry_t *e = slot_for(h);
    if (!e->block || e->hash != h || e->token_n != token.n ||
        memcmp(e->block, token.p, token.n) != 0)
        return false;
    if (now_s >= e->exp_s) {
        drop(e);
        return false;
    }
    const char *p = e->block + e->token_n;
    const char **fields[] = {&out->id, &out->role, &out->session, &out->share};
    for (int i = 0; i < 4; i++) {
        size_t n = strlen(p);
        *fields[i] = (e->present >> i & 1) ? arena_strndup(a, p, n) : NULL;
        p += n + 1;
    }
    out->has_session = e->present >> 4 & 1;
    return true;
}

void tokencache_put(str_t token, int64_t exp_s, const tokencache_claims_t *c)
{
    if (token.n > TOKENCACHE_MAX_TOKEN)
        return;
    const char *fields[] = {c->id, c->role, c->session, c->share};
    size_t size = token.n;
    unsigned char present = c->has_session ? 1u << 4 : 0;
    for (int i = 0; i < 4; i++) {
        size += (fields[i] ? strlen(fields[i]) : 0) + 1;
        present |= fields[i] ? (unsigned char)(1u << i) : 0;
    }
    char *block = malloc(size);
    if (!block)
        return; /* a cache may forget */
    memcpy(block, token.p, token.n);
    char *p = block + token.n;
    for (int i = 0; i < 4; i++) {
        size_t n = fields[i] ? strlen(fields[i]) : 0;
        memcpy(p, fields[i] ? fields[i] : "", n + 1);
        p += n + 1;
    }
    uint64_t h = str_hash(token);
    entry_t *e = slot_for(h);
    if (e->block)
        drop(e);
    *e = (entry_t){h, exp_s, token.n, block, present};
    used++;
}

void tokencache_clear(void)
{
    if (!slots)
        return;
    for (size_t i = 0; i < TOKENCACHE_SLOTS; i++)
        free(slots[i].block);
    free(slots);
    slots = NULL;
    used = 0;
}

size_t tokencache_size(void)
{
    return used;
}
