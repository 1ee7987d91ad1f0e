/*
 * A hash table from a pair of names (collection, field) — or one name, with an empty first key
 * — to a pointer, in an arena. The schema uses it for every lookup a request makes, and the
 * loader to stitch catalog rows together, so a load stays linear in the size of the schema.
 * Open addressing with linear probing; keys are not copied and must outlive the table.
 */
#ifndef LIB_SCHEMA_NAMEMAP_H
#define LIB_SCHEMA_NAMEMAP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/core/arena.h"
#include "lib/core/str.h"

typedef struct {
    const char *k1, *k2; /* k2 NUL-terminated, k1 too */
    size_t n2;
    uint32_t hash;
    void *value;
} namemap_slot_t;

typedef struct {
    arena_t *arena;        /* read-only */
    namemap_slot_t *slots; /* read-only: mask + 1 entries, value NULL when free */
    size_t mask, n;        /* read-only */
} namemap_t;

/* An empty table allocating from a, sized for about hint entries (it grows as needed). */
void namemap_init(namemap_t *m, arena_t *a, size_t hint);

/* The value stored under (k1, k2), or NULL. k1 NULL is the same as "". */
void *namemap_get(const namemap_t *m, const char *k1, str_t k2);

/* Stores value (not NULL) under (k1, k2) unless the pair is there already; returns the value the
 * table holds afterwards, so the first value put under a key wins. */
void *namemap_put(namemap_t *m, const char *k1, const char *k2, void *value);

#endif
