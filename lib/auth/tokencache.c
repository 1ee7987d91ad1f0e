/*
 * The per-worker table of verified tokens (lib/core/slots). An entry is one malloc'd block holding
 * the token and the claim strings back to back, so it is created and dropped with one call each.
 */
#include "lib/auth/tokencache.h"

#include <stdlib.h>
#include <string.h>

#include "lib/core/slots.h"

/* An entry's block: the token bytes, then id\0 role\0 session\0 share\0. Its numbers: the
 * expiry (epoch seconds), then which claims are present (bit 0 id, 1 role, 2 session, 3 share,
 * 4 has_session). */
enum { META_EXP, META_PRESENT };

static slots_t table = SLOTS_INIT("tokencache", TOKENCACHE_SLOTS);

bool tokencache_get(arena_t *a, str_t token, int64_t now_s, tokencache_claims_t *out)
{
    slot_t *e = slots_find(&table, token.p, token.n);
    if (!e)
        return false;
    if (now_s >= (int64_t)e->meta[META_EXP]) {
        slots_drop(&table, e);
        return false;
    }
    unsigned present = (unsigned)e->meta[META_PRESENT];
    const char *p = e->block + e->key_n;
    const char **fields[] = {&out->id, &out->role, &out->session, &out->share};
    for (int i = 0; i < 4; i++) {
        size_t n = strlen(p);
        *fields[i] = (present >> i & 1) ? arena_strndup(a, p, n) : NULL;
        p += n + 1;
    }
    out->has_session = present >> 4 & 1;
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
    slots_put(&table, block, token.n, (uint64_t[3]){(uint64_t)exp_s, present, 0});
}

void tokencache_clear(void)
{
    slots_clear(&table);
}

size_t tokencache_size(void)
{
    return table.used;
}
