/*
 * Arena: a chain of blocks carved linearly. A request in the steady state fits the first block,
 * which survives resets, so serving it performs no malloc. Large allocations get a block of their
 * own. With -DARENA_DEBUG every allocation is its own malloc so that ASan sees each object.
 */
#include "lib/core/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARENA_BLOCK_SIZE (64 * 1024)
#define ARENA_ALIGN 16

struct block {
    struct block *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

struct cleanup {
    struct cleanup *next;
    void (*fn)(void *);
    void *p;
};

struct arena {
    struct block *head; /* newest block; the long-lived first block is last in the chain */
    struct cleanup *cleanups;
    size_t used;
    void *last; /* most recent allocation, grown in place by arena_realloc() */
    size_t last_n;
};

static void oom(size_t n)
{
    fprintf(stderr, "celer[%d]: out of memory allocating %zu bytes, aborting\n", (int)getpid(), n);
    abort();
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        oom(n);
    return p;
}

static struct block *block_new(size_t size)
{
    struct block *b = xmalloc(sizeof(*b) + size);
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

arena_t *arena_new(void)
{
    arena_t *a = xmalloc(sizeof(*a));
    memset(a, 0, sizeof(*a));
#ifndef ARENA_DEBUG
    a->head = block_new(ARENA_BLOCK_SIZE);
#endif
    return a;
}

static void run_cleanups(arena_t *a)
{
    while (a->cleanups) {
        struct cleanup *c = a->cleanups;
        a->cleanups = c->next;
        c->fn(c->p);
    }
}

/* Frees every block except the last one in the chain (the first ever allocated). */
static void drop_blocks(arena_t *a, int keep_first)
{
    struct block *b = a->head;
    while (b && (b->next || !keep_first)) {
        struct block *next = b->next;
        free(b);
        b = next;
    }
    a->head = b;
    if (b)
        b->used = 0;
}

void arena_reset(arena_t *a)
{
    run_cleanups(a);
    drop_blocks(a, 1);
    a->used = 0;
    a->last = NULL;
    a->last_n = 0;
}

void arena_free(arena_t *a)
{
    if (!a)
        return;
    run_cleanups(a);
    drop_blocks(a, 0);
    free(a);
}

#ifndef ARENA_DEBUG
static size_t align_up(size_t n)
{
    return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}
#endif

void *arena_alloc(arena_t *a, size_t n)
{
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX / 2)
        oom(n);
#ifdef ARENA_DEBUG
    /* One block per object: ASan reports an overflow at the exact allocation. */
    struct block *b = block_new(n);
    b->used = n;
    b->next = a->head;
    a->head = b;
#else
    struct block *b = a->head;
    size_t need = align_up(n);
    if (b->size - b->used < need) {
        size_t size = need > ARENA_BLOCK_SIZE / 4 ? need : ARENA_BLOCK_SIZE;
        struct block *nb = block_new(size);
        if (size == need && b->size - b->used > ARENA_BLOCK_SIZE / 8) {
            /* A big object must not waste the room left in the current block: chain it behind. */
            nb->next = b->next;
            b->next = nb;
            nb->used = need;
            a->used += n;
            a->last = NULL;
            return nb->data;
        }
        nb->next = b;
        a->head = b = nb;
    }
    b->used += need;
#endif
    a->used += n;
#ifdef ARENA_DEBUG
    a->last = b->data;
#else
    a->last = b->data + b->used - align_up(n);
#endif
    a->last_n = n;
    return a->last;
}

void *arena_calloc(arena_t *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        oom(SIZE_MAX);
    void *p = arena_alloc(a, count * size);
    memset(p, 0, count * size);
    return p;
}

void *arena_realloc(arena_t *a, void *p, size_t old_n, size_t new_n)
{
    if (!p)
        return arena_alloc(a, new_n);
    if (new_n <= old_n)
        return p;
#ifndef ARENA_DEBUG
    struct block *b = a->head;
    if (p == a->last && align_up(old_n) + (b->size - b->used) >= align_up(new_n) &&
        (unsigned char *)p + align_up(old_n) == b->data + b->used) {
        b->used += align_up(new_n) - align_up(old_n);
        a->used += new_n - old_n;
        a->last_n = new_n;
        return p;
    }
#endif
    void *q = arena_alloc(a, new_n);
    memcpy(q, p, old_n);
    return q;
}

char *arena_strndup(arena_t *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *arena_strdup(arena_t *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_printf(arena_t *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *d = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}

void arena_defer(arena_t *a, void (*fn)(void *), void *p)
{
    struct cleanup *c = arena_alloc(a, sizeof(*c));
    c->fn = fn;
    c->p = p;
    c->next = a->cleanups;
    a->cleanups = c;
    /* The cleanup record itself must not be grown by a later realloc of the "last" object. */
    a->last = NULL;
}

size_t arena_used(const arena_t *a)
{
    return a->used;
}
