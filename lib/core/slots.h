/*
 * A bounded, direct-mapped table of per-worker cache entries, the part the verified-token cache
 * (lib/auth/tokencache) and the accountability cache (lib/auth/acccache) share.
 *
 * Each entry is one malloc'd block that starts with the key bytes (the owner lays out its value
 * after them) plus a few numbers the owner interprets (an expiry, a generation and its time,
 * flags). The slot is chosen by a 64-bit hash of the key (FNV-1a, str_hash); a newer entry evicts
 * whatever held its slot. A lookup compares the whole key, so a hash collision is a miss, never
 * a wrong entry. The slot array is allocated on first use: a worker that never caches pays
 * nothing.
 */
#ifndef LIB_CORE_SLOTS_H
#define LIB_CORE_SLOTS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t hash;
    size_t key_n;
    char *block;      /* key bytes, then the owner's value; NULL: empty slot */
    uint64_t meta[3]; /* the owner's */
} slot_t;

typedef struct {
    const char *name; /* for the out-of-memory message */
    size_t nslots;    /* a power of two */
    slot_t *slots;    /* NULL until first use */
    size_t used;
} slots_t;

#define SLOTS_INIT(name, nslots) {(name), (nslots), NULL, 0}

/* The entry whose key is these n bytes, or NULL. */
slot_t *slots_find(slots_t *t, const void *key, size_t n);

/* Stores block (malloc'd, its first key_n bytes the key; the table owns it from now on) with the
 * owner's numbers, evicting the slot's previous entry. Returns the slot. */
slot_t *slots_put(slots_t *t, char *block, size_t key_n, const uint64_t meta[3]);

/* Frees one entry (an expired or stale one the owner found). */
void slots_drop(slots_t *t, slot_t *s);

/* Frees every entry and the slot array. */
void slots_clear(slots_t *t);

#endif
