/*
 * The table behind acccache.h. An entry is one malloc'd block: the key bytes, then the value
 * serialised (strings as a presence byte, the bytes and a NUL; counts as size_t), written in two
 * passes (measure, then copy) so that a put does a single allocation; the table is
 * lib/core/slots.
 */
#include "lib/auth/acccache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cache/generation.h"
#include "lib/core/slots.h"

/* An entry's numbers (lib/core/slots): the generation it was built at, when, and of which kind. */
enum { META_GEN, META_MS, META_KIND };

static slots_t table = SLOTS_INIT("acccache", ACCCACHE_SLOTS);

/* ------------------------------------------------------------------ serialisation */

/* Measures (p NULL) or writes. */
typedef struct {
    char *p;
    size_t n;
} writer_t;

static void w_bytes(writer_t *w, const void *s, size_t n)
{
    if (w->p)
        memcpy(w->p + w->n, s, n);
    w->n += n;
}

static void w_str(writer_t *w, const char *s)
{
    char present = s != NULL;
    w_bytes(w, &present, 1);
    if (s)
        w_bytes(w, s, strlen(s) + 1);
}

static void w_size(writer_t *w, size_t v)
{
    w_bytes(w, &v, sizeof v);
}

static void w_bool(writer_t *w, bool v)
{
    char c = v;
    w_bytes(w, &c, 1);
}

static const char *r_str(arena_t *a, const char **p)
{
    if (!*(*p)++)
        return NULL;
    size_t n = strlen(*p);
    const char *s = arena_strndup(a, *p, n);
    *p += n + 1;
    return s;
}

static size_t r_size(const char **p)
{
    size_t v;
    memcpy(&v, *p, sizeof v);
    *p += sizeof v;
    return v;
}

static bool r_bool(const char **p)
{
    return *(*p)++ != 0;
}

/* ------------------------------------------------------------------ table */

/* The value of a fresh entry for key, or NULL (a stale entry is dropped). */
static const char *lookup(const writer_t *key)
{
    slot_t *e = slots_find(&table, key->p, key->n);
    if (!e)
        return NULL;
    if (!gen_fresh((gen_kind_t)e->meta[META_KIND], e->meta[META_GEN], e->meta[META_MS])) {
        slots_drop(&table, e);
        return NULL;
    }
    return e->block + e->key_n;
}

/* Stores key → the value fill() writes (called twice: measure, then write), built at gen. */
static void store(const writer_t *key, gen_kind_t kind, uint64_t gen,
                  void (*fill)(writer_t *w, const void *v), const void *v)
{
    writer_t w = {NULL, key->n};
    fill(&w, v);
    char *block = malloc(w.n);
    if (!block)
        return; /* a cache may forget */
    memcpy(block, key->p, key->n);
    w = (writer_t){block, key->n};
    fill(&w, v);
    slots_put(&table, block, key->n, (uint64_t[3]){gen, gen_now_ms(), kind});
}

/* A key in a: a tag byte, then the parts as w_str writes them. */
static writer_t make_key(arena_t *a, char tag, const char *const *parts, size_t nparts)
{
    writer_t w = {NULL, 1};
    for (size_t i = 0; i < nparts; i++)
        w_str(&w, parts[i]);
    char *p = arena_alloc(a, w.n);
    p[0] = tag;
    w = (writer_t){p, 1};
    for (size_t i = 0; i < nparts; i++)
        w_str(&w, parts[i]);
    return w;
}

/* ------------------------------------------------------------------ static tokens */

typedef struct {
    const char *user, *role;
} token_value_t;

static void fill_token(writer_t *w, const void *v)
{
    const token_value_t *t = v;
    w_str(w, t->user);
    w_str(w, t->role);
}

/* The token is not NUL-terminated and may hold NULs: its key is the tag then the raw bytes. */
static writer_t token_key(arena_t *a, str_t token)
{
    char *p = arena_alloc(a, token.n + 1);
    p[0] = 'T';
    memcpy(p + 1, token.p, token.n);
    return (writer_t){p, token.n + 1};
}

bool acccache_token_get(arena_t *a, str_t token, const char **user, const char **role)
{
    if (token.n > ACCCACHE_MAX_TOKEN)
        return false;
    writer_t key = token_key(a, token);
    const char *p = lookup(&key);
    if (!p)
        return false;
    *user = r_str(a, &p);
    *role = r_str(a, &p);
    return true;
}

void acccache_token_put(arena_t *a, uint64_t gen, str_t token, const char *user,
                        const char *role)
{
    if (token.n > ACCCACHE_MAX_TOKEN)
        return;
    writer_t key = token_key(a, token);
    token_value_t v = {user, role};
    store(&key, GEN_USERS, gen, fill_token, &v);
}

/* ------------------------------------------------------------------ sessions */

static void fill_nothing(writer_t *w, const void *v)
{
    (void)w;
    (void)v;
}

static writer_t session_key(arena_t *a, const char *session, const char *owner, bool share)
{
    const char *parts[3] = {session, owner, share ? "share" : "user"};
    return make_key(a, 'S', parts, 3);
}

bool acccache_session_get(arena_t *a, const char *session, const char *owner, bool share)
{
    writer_t key = session_key(a, session, owner, share);
    return lookup(&key) != NULL;
}

void acccache_session_put(arena_t *a, uint64_t gen, const char *session, const char *owner,
                          bool share)
{
    writer_t key = session_key(a, session, owner, share);
    store(&key, GEN_USERS, gen, fill_nothing, NULL);
}

/* ------------------------------------------------------------------ access */

static void fill_access(writer_t *w, const void *v)
{
    const acccache_access_t *x = v;
    w_size(w, x->nroles);
    for (size_t i = 0; i < x->nroles; i++)
        w_str(w, x->roles[i]);
    w_size(w, x->nrows);
    for (size_t i = 0; i < x->nrows; i++) {
        const acccache_row_t *r = &x->rows[i];
        w_str(w, r->role);
        w_str(w, r->user);
        w_str(w, r->policy);
        w_str(w, r->ip_access);
        w_bool(w, r->admin);
        w_bool(w, r->app);
    }
}

bool acccache_access_get(arena_t *a, const char *user, const char *role, acccache_access_t *out)
{
    const char *parts[2] = {user, role};
    writer_t key = make_key(a, 'A', parts, 2);
    const char *p = lookup(&key);
    if (!p)
        return false;
    memset(out, 0, sizeof *out);
    out->nroles = r_size(&p);
    if (out->nroles) {
        out->roles = arena_alloc(a, out->nroles * sizeof *out->roles);
        for (size_t i = 0; i < out->nroles; i++)
            out->roles[i] = r_str(a, &p);
    }
    out->nrows = r_size(&p);
    if (out->nrows)
        out->rows = arena_calloc(a, out->nrows, sizeof *out->rows);
    for (size_t i = 0; i < out->nrows; i++) {
        acccache_row_t *r = &out->rows[i];
        r->role = r_str(a, &p);
        r->user = r_str(a, &p);
        r->policy = r_str(a, &p);
        r->ip_access = r_str(a, &p);
        r->admin = r_bool(&p);
        r->app = r_bool(&p);
    }
    return true;
}

void acccache_access_put(arena_t *a, uint64_t gen, const char *user, const char *role,
                         const acccache_access_t *v)
{
    const char *parts[2] = {user, role};
    writer_t key = make_key(a, 'A', parts, 2);
    store(&key, GEN_PERMISSIONS, gen, fill_access, v);
}

/* ------------------------------------------------------------------ housekeeping */

void acccache_clear(void)
{
    slots_clear(&table);
}

size_t acccache_size(void)
{
    return table.used;
}
