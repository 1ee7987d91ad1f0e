/* Pair-of-names hash table (FNV-1a, linear probing, load factor at most one half). */
#include "lib/schema/namemap.h"

#include <string.h>

static uint32_t fnv(uint32_t h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 16777619u;
    }
    return h;
}

static uint32_t hash_of(const char *k1, str_t k2)
{
    uint32_t h = fnv(2166136261u, k1, strlen(k1));
    h = (h ^ 0xffu) * 16777619u; /* a separator byte: ("ab","c") is not ("a","bc") */
    return fnv(h, k2.p, k2.n);
}

void namemap_init(namemap_t *m, arena_t *a, size_t hint)
{
    size_t cap = 16;
    while (cap < hint * 2)
        cap <<= 1;
    m->arena = a;
    m->slots = arena_calloc(a, cap, sizeof *m->slots);
    m->mask = cap - 1;
    m->n = 0;
}

static namemap_slot_t *probe(const namemap_t *m, const char *k1, str_t k2, uint32_t h)
{
    for (size_t i = h & m->mask;; i = (i + 1) & m->mask) {
        namemap_slot_t *s = &m->slots[i];
        if (!s->value)
            return s;
        if (s->hash == h && s->n2 == k2.n && memcmp(s->k2, k2.p, k2.n) == 0 &&
            strcmp(s->k1, k1) == 0)
            return s;
    }
}

void *namemap_get(const namemap_t *m, const char *k1, str_t k2)
{
    if (!k1)
        k1 = "";
    if (!k2.p)
        k2 = STR("");
    return probe(m, k1, k2, hash_of(k1, k2))->value;
}

static void grow(namemap_t *m)
{
    namemap_slot_t *old = m->slots;
    size_t n = m->mask + 1;
    m->slots = arena_calloc(m->arena, n * 2, sizeof *m->slots);
    m->mask = n * 2 - 1;
    for (size_t i = 0; i < n; i++)
        if (old[i].value)
            *probe(m, old[i].k1, (str_t){old[i].k2, old[i].n2}, old[i].hash) = old[i];
}

void *namemap_put(namemap_t *m, const char *k1, const char *k2, void *value)
{
    if (!k1)
        k1 = "";
    str_t key = str_c(k2);
    uint32_t h = hash_of(k1, key);
    namemap_slot_t *s = probe(m, k1, key, h);
    if (s->value)
        return s->value;
    if ((m->n + 1) * 2 > m->mask + 1) {
        grow(m);
        s = probe(m, k1, key, h);
    }
    *s = (namemap_slot_t){k1, k2 ? k2 : "", key.n, h, value};
    m->n++;
    return value;
}
