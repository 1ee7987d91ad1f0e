/* Growable arena buffers: doubling, grown in place when the buffer is the arena's newest object. */
#include "lib/core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void buf_init(buf_t *b, arena_t *a, size_t cap)
{
    b->arena = a;
    b->cap = cap < 16 ? 16 : cap;
    b->p = arena_alloc(a, b->cap);
    b->p[0] = '\0';
    b->n = 0;
}

void buf_reserve(buf_t *b, size_t extra)
{
    if (b->n + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap * 2;
    while (cap < b->n + extra + 1)
        cap *= 2;
    b->p = arena_realloc(b->arena, b->p, b->n + 1, cap);
    b->cap = cap;
}

void buf_append(buf_t *b, const void *p, size_t n)
{
    if (!n)
        return;
    buf_reserve(b, n);
    memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void buf_puts(buf_t *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_str(buf_t *b, str_t s)
{
    buf_append(b, s.p, s.n);
}

void buf_printf(buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= b->cap - b->n) {
        buf_reserve(b, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
    }
    b->n += (size_t)n;
}

/* The digits of v, right-aligned in d[0..24); returns where they start. */
static size_t digits(char d[24], unsigned long long v, int width)
{
    size_t i = 24;
    do {
        d[--i] = (char)('0' + v % 10);
        v /= 10;
        width--;
    } while (v);
    while (width-- > 0 && i > 0)
        d[--i] = '0';
    return i;
}

void buf_int(buf_t *b, long long v)
{
    char d[24];
    /* The magnitude as unsigned, so LLONG_MIN needs no special case. */
    unsigned long long m = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    size_t i = digits(d, m, 1);
    if (v < 0)
        d[--i] = '-';
    buf_append(b, d + i, 24 - i);
}

void buf_uint_pad(buf_t *b, unsigned long long v, int width)
{
    char d[24];
    size_t i = digits(d, v, width);
    buf_append(b, d + i, 24 - i);
}

void buf_clear(buf_t *b)
{
    b->n = 0;
    b->p[0] = '\0';
}

str_t buf_slice(const buf_t *b)
{
    return (str_t){b->p, b->n};
}
