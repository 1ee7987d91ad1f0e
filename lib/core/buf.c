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

/* Number of decimal digits of v (1 for 0), by comparison: no division. */
static int count_digits(unsigned long long v)
{
    int n = 1;
    for (unsigned long long t = 10; n < 20 && v >= t; t *= 10)
        n++;
    return n;
}

/* v in at least width digits, written straight into the buffer from its last digit: once v is
 * exhausted the remaining positions get its zero padding. */
static void put_digits(buf_t *b, unsigned long long v, int width)
{
    int n = count_digits(v);
    if (n < width)
        n = width;
    if (b->n + (size_t)n + 1 > b->cap)
        buf_reserve(b, (size_t)n);
    char *p = b->p + b->n;
    for (int i = n; i-- > 0; v /= 10)
        p[i] = (char)('0' + v % 10);
    b->n += (size_t)n;
    b->p[b->n] = '\0';
}

void buf_int(buf_t *b, long long v)
{
    /* The magnitude as unsigned, so LLONG_MIN needs no special case. */
    unsigned long long m = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    if (v < 0)
        buf_putc(b, '-');
    put_digits(b, m, 1);
}

void buf_uint_pad(buf_t *b, unsigned long long v, int width)
{
    put_digits(b, v, width);
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
