/*
 * The table behind slots.h.
 */
#include "lib/core/slots.h"

#include <stdlib.h>
#include <string.h>

#include "lib/core/log.h"
#include "lib/core/str.h"

static slot_t *slot_for(slots_t *t, uint64_t h)
{
    if (!t->slots) {
        t->slots = calloc(t->nslots, sizeof *t->slots);
        if (!t->slots) {
            log_error("%s: out of memory", t->name);
            abort();
        }
    }
    return &t->slots[h & (t->nslots - 1)];
}

slot_t *slots_find(slots_t *t, const void *key, size_t n)
{
    uint64_t h = str_hash((str_t){key, n});
    slot_t *s = slot_for(t, h);
    if (!s->block || s->hash != h || s->key_n != n || memcmp(s->block, key, n) != 0)
        return NULL;
    return s;
}

slot_t *slots_put(slots_t *t, char *block, size_t key_n, const uint64_t meta[3])
{
    uint64_t h = str_hash((str_t){block, key_n});
    slot_t *s = slot_for(t, h);
    if (s->block)
        slots_drop(t, s);
    *s = (slot_t){h, key_n, block, {meta[0], meta[1], meta[2]}};
    t->used++;
    return s;
}

void slots_drop(slots_t *t, slot_t *s)
{
    free(s->block);
    memset(s, 0, sizeof *s);
    t->used--;
}

void slots_clear(slots_t *t)
{
    if (!t->slots)
        return;
    for (size_t i = 0; i < t->nslots; i++)
        free(t->slots[i].block);
    free(t->slots);
    t->slots = NULL;
    t->used = 0;
}
