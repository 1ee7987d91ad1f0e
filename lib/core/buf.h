/*
 * Growable byte buffer in an arena: response bodies, header values, rendered SQL. Appends never
 * fail (the arena aborts on OOM). The content is kept NUL-terminated for C APIs.
 */
#ifndef LIB_CORE_BUF_H
#define LIB_CORE_BUF_H

#include <stddef.h>
#include <string.h>

#include "lib/core/arena.h"
#include "lib/core/str.h"

typedef struct {
    arena_t *arena; /* read-only */
    char *p;        /* read-only: content, NUL-terminated */
    size_t n;       /* read-only: length without the NUL */
    size_t cap;     /* read-only */
} buf_t;

/* Empty buffer allocating from a, with room for cap bytes before it grows. */
void buf_init(buf_t *b, arena_t *a, size_t cap);
void buf_append(buf_t *b, const void *p, size_t n);
/* Inline so that the length of a literal ("null", "true") is known at compile time. */
static inline void buf_puts(buf_t *b, const char *s)
{
    buf_append(b, s, strlen(s));
}
/* Makes room for extra more bytes (and the NUL). */
void buf_reserve(buf_t *b, size_t extra);

/* One byte; inline because rendering calls it for every piece of JSON punctuation. */
static inline void buf_putc(buf_t *b, char c)
{
    if (b->n + 2 > b->cap)
        buf_reserve(b, 1);
    b->p[b->n++] = c;
    b->p[b->n] = '\0';
}
void buf_str(buf_t *b, str_t s);
void buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The decimal digits of v ("%lld" without printf: rendering and key hashing are hot paths). */
void buf_int(buf_t *b, long long v);
/* v in at least width digits, zero-padded ("%0*u", width <= 20). */
void buf_uint_pad(buf_t *b, unsigned long long v, int width);
/* Empties the buffer, keeping its storage. */
void buf_clear(buf_t *b);
/* The content as a slice. */
str_t buf_slice(const buf_t *b);

#endif
