/* JSON.stringify-compatible output for json-c values. */
#include "lib/core/json.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char hexdig[] = "0123456789abcdef";

/* The surrogate code unit encoded at s[i] in WTF-8 (ED A0..BF 80..BF), or -1. jsonparse stores a
 * lone \ud83d that way, and raw request bytes can spell one too. */
static long wtf8_surrogate(str_t s, size_t i)
{
    const unsigned char *u = (const unsigned char *)s.p + i;
    if (i + 2 >= s.n)
        return -1;
    if (u[0] != 0xED || (u[1] & 0xE0) != 0xA0 || (u[2] & 0xC0) != 0x80)
        return -1;
    return 0xD000L | ((long)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
}

/* Writes the surrogate at s[i] as JavaScript would hold it: a high one followed by a low one is
 * one code point (printed as UTF-8), a lone one is escaped as JSON.stringify escapes it.
 * Returns the bytes consumed. */
static size_t write_surrogates(buf_t *b, str_t s, size_t i)
{
    long hi = wtf8_surrogate(s, i), lo = wtf8_surrogate(s, i + 3);
    if (hi < 0xDC00 && lo >= 0xDC00) {
        unsigned long cp = 0x10000UL + (((unsigned long)hi - 0xD800) << 10) + ((unsigned long)lo - 0xDC00);
        char u[4] = {(char)(0xF0 | (cp >> 18)), (char)(0x80 | ((cp >> 12) & 0x3F)),
                     (char)(0x80 | ((cp >> 6) & 0x3F)), (char)(0x80 | (cp & 0x3F))};
        buf_append(b, u, 4);
        return 6;
    }
    buf_printf(b, "\\u%04lx", (unsigned long)hi);
    return 3;
}

/* Bytes json_write_str() must look at: control characters, '"', '\\', and 0xED, the lead byte of
 * a WTF-8 surrogate. Everything else is copied as it is, in runs. */
static const unsigned char special[256] = {
    [0x00 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0xED] = 1,
};

/* Whether one of the 8 bytes of w is one of special[]. Bit tricks on the whole word: (x - 0x01..)
 * & ~x & 0x80.. is non-zero exactly when a byte of x is zero (applied to w xor '"', '\\', 0xED),
 * and with 0x20.. instead of 0x01.. when a byte of w is below 0x20. */
static bool word_has_special(const char *p)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t w, q, bs, ed;
    memcpy(&w, p, sizeof w);
    q = w ^ (ones * '"');
    bs = w ^ (ones * '\\');
    ed = w ^ (ones * 0xED);
    uint64_t control = (w - ones * 0x20) & ~w;
    uint64_t zero = ((q - ones) & ~q) | ((bs - ones) & ~bs) | ((ed - ones) & ~ed);
    return ((control | zero) & highs) != 0;
}

void json_write_str(buf_t *b, str_t s)
{
    buf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < s.n; i++) {
        /* text is mostly plain: skip it 8 bytes at a time */
        while (i + 8 <= s.n && !word_has_special(s.p + i))
            i += 8;
        if (i >= s.n)
            break;
        unsigned char c = (unsigned char)s.p[i];
        if (!special[c])
            continue;
        const char *esc = NULL;
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (wtf8_surrogate(s, i) >= 0) {
                buf_append(b, s.p + run, i - run);
                i += write_surrogates(b, s, i) - 1;
                run = i + 1;
                continue;
            }
            if (c >= 0x20)
                continue;
        }
        buf_append(b, s.p + run, i - run);
        run = i + 1;
        if (esc) {
            buf_puts(b, esc);
        } else {
            char u[6] = {'\\', 'u', '0', '0', hexdig[c >> 4], hexdig[c & 15]};
            buf_append(b, u, 6);
        }
    }
    buf_append(b, s.p + run, s.n - run);
    buf_putc(b, '"');
}

/* ---- canonical JSON text ------------------------------------------------------------------ */

#define CANON_MAX_DEPTH 64
#define CANON_MAX_KEYS 64

typedef struct {
    const unsigned char *p;
    size_t i, n;
    int depth;
} canon_t;

static bool canon_value(canon_t *c);

static bool is_digit(unsigned char ch)
{
    return ch >= '0' && ch <= '9';
}

/* Length of the well-formed UTF-8 sequence at p (lead byte >= 0x80, not 0xED), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t avail)
{
    unsigned char b = p[0];
    size_t len = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
    if (!len || len > avail)
        return 0;
    unsigned char lo = b == 0xE0 ? 0xA0 : b == 0xF0 ? 0x90 : 0x80;
    unsigned char hi = b == 0xF4 ? 0x8F : 0xBF;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++)
        if ((p[k] & 0xC0) != 0x80)
            return 0;
    return len;
}

/* A string without escapes; its content is p[*start .. *start + *len). */
static bool canon_string(canon_t *c, size_t *start, size_t *len)
{
    size_t s = ++c->i;
    while (c->i < c->n) {
        unsigned char ch = c->p[c->i];
        if (ch == '"') {
            *start = s;
            *len = c->i++ - s;
            return true;
        }
        if (ch < 0x20 || ch == '\\' || ch == 0xED)
            return false;
        if (ch < 0x80) {
            c->i++;
            continue;
        }
        size_t k = utf8_seq(c->p + c->i, c->n - c->i);
        if (!k)
            return false;
        c->i += k;
    }
    return false;
}

/* A number Number.prototype.toString prints the same: no exponent, no trailing fraction zero,
 * no -0, at most 15 significant digits (DBL_DIG: no shorter text reads back as the same double)
 * and at most 5 zeros after "0." (0.0000001 prints as 1e-7). */
static bool canon_number(canon_t *c)
{
    const unsigned char *p = c->p;
    size_t i = c->i, n = c->n;
    bool neg = p[i] == '-';
    if (neg)
        i++;
    if (i >= n || !is_digit(p[i]))
        return false;
    size_t int_start = i;
    bool int_zero = p[i] == '0';
    if (int_zero)
        i++;
    else
        while (i < n && is_digit(p[i]))
            i++;
    size_t int_len = i - int_start, frac_len = 0, zeros = 0;
    if (i < n && p[i] == '.') {
        size_t fs = ++i;
        while (i < n && is_digit(p[i]))
            i++;
        frac_len = i - fs;
        if (!frac_len || p[i - 1] == '0')
            return false;
        while (int_zero && p[fs + zeros] == '0')
            zeros++;
    }
    if (i < n && (p[i] == 'e' || p[i] == 'E'))
        return false;
    if (neg && int_zero && !frac_len)
        return false;
    size_t significant = int_zero ? frac_len - zeros : int_len + frac_len;
    if (significant > 15 || zeros > 5)
        return false;
    c->i = i;
    return true;
}

static bool canon_literal(canon_t *c, const char *lit)
{
    size_t k = strlen(lit);
    if (c->n - c->i < k || memcmp(c->p + c->i, lit, k) != 0)
        return false;
    c->i += k;
    return true;
}

/* Keys JavaScript would move to the front ("0", "42"): anything that looks like one. */
static bool index_like(const unsigned char *k, size_t n)
{
    if (!n || n > 10)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_digit(k[i]))
            return false;
    return true;
}

static bool canon_object(canon_t *c)
{
    size_t keys[CANON_MAX_KEYS][2], nkeys = 0;
    c->i++;
    if (c->i < c->n && c->p[c->i] == '}')
        return ++c->i, true;
    for (;;) {
        size_t ks, kn;
        if (c->i >= c->n || c->p[c->i] != '"' || !canon_string(c, &ks, &kn))
            return false;
        if (index_like(c->p + ks, kn) || nkeys == CANON_MAX_KEYS)
            return false;
        for (size_t k = 0; k < nkeys; k++)
            if (keys[k][1] == kn && memcmp(c->p + keys[k][0], c->p + ks, kn) == 0)
                return false;
        keys[nkeys][0] = ks;
        keys[nkeys++][1] = kn;
        if (c->i >= c->n || c->p[c->i++] != ':' || !canon_value(c) || c->i >= c->n)
            return false;
        unsigned char ch = c->p[c->i++];
        if (ch == '}')
            return true;
        if (ch != ',')
            return false;
    }
}

static bool canon_array(canon_t *c)
{
    c->i++;
    if (c->i < c->n && c->p[c->i] == ']')
        return ++c->i, true;
    for (;;) {
        if (!canon_value(c) || c->i >= c->n)
            return false;
        unsigned char ch = c->p[c->i++];
        if (ch == ']')
            return true;
        if (ch != ',')
            return false;
    }
}

static bool canon_value(canon_t *c)
{
    if (c->i >= c->n)
        return false;
    size_t s, n;
    switch (c->p[c->i]) {
    case '{':
    case '[': {
        if (++c->depth > CANON_MAX_DEPTH)
            return false;
        bool ok = c->p[c->i] == '{' ? canon_object(c) : canon_array(c);
        c->depth--;
        return ok;
    }
    case '"': return canon_string(c, &s, &n);
    case 't': return canon_literal(c, "true");
    case 'f': return canon_literal(c, "false");
    case 'n': return canon_literal(c, "null");
    default: return canon_number(c);
    }
}

bool json_is_canonical(str_t s)
{
    canon_t c = {(const unsigned char *)s.p, 0, s.n, 0};
    return s.p && canon_value(&c) && c.i == c.n;
}

/* The doubles a database mostly holds, an integer or a few decimals (4.7, 23.47), without the
 * printf search below. Their text is m / 10^k for the smallest k at which that quotient is
 * exactly d: IEEE division rounds correctly, as strtod does, so the text reads back as d. While
 * 10^k times the spacing of doubles near d stays at most 1/2, no other k-decimal text reads back
 * as d and rounding d * 10^k finds m, so the text is the shortest: what JavaScript prints.
 * Returns false, writing nothing, for any other d (never 0, NaN or infinite here). */
static bool write_short_decimal(buf_t *b, double d)
{
    static const double pow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
    double mag = fabs(d);
    double spacing = nextafter(mag, INFINITY) - mag;
    for (int k = 0; k < (int)(sizeof pow10 / sizeof *pow10); k++) {
        double scaled = mag * pow10[k];
        if (scaled >= 0x1p50 || spacing * pow10[k] > 0.5)
            return false;
        double m = nearbyint(scaled);
        if (m / pow10[k] != mag)
            continue;
        unsigned long long whole = (unsigned long long)m, unit = (unsigned long long)pow10[k];
        if (d < 0)
            buf_putc(b, '-');
        buf_uint_pad(b, whole / unit, 1);
        if (k) {
            buf_putc(b, '.');
            buf_uint_pad(b, whole % unit, k); /* never ends in 0: k is the smallest */
        }
        return true;
    }
    return false;
}

static void write_double_searched(buf_t *b, double d);

/* JavaScript's Number.prototype.toString for finite doubles: shortest round-trip digits, plain
 * notation for exponents in [-7, 21), else "1e+21" style. */
void json_write_double(buf_t *b, double d)
{
    if (!isfinite(d)) {
        buf_puts(b, "null");
        return;
    }
    if (d == 0) {
        buf_putc(b, '0');
        return;
    }
    if (!write_short_decimal(b, d))
        write_double_searched(b, d);
}

/* Number.prototype.toString by search: the fewest digits printf rounds to that read back as d. */
static void write_double_searched(buf_t *b, double d)
{
    char digits[32];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(digits, sizeof digits, "%.*e", prec - 1, d);
        if (strtod(digits, NULL) == d)
            break;
    }
    /* digits is "-d.ddde±XX": split mantissa digits and exponent. */
    const char *p = digits;
    int neg = *p == '-';
    if (neg)
        p++;
    char mant[20];
    int nm = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            mant[nm++] = *p;
    int exp = atoi(p + 1); /* value = 0.mant * 10^(exp+1) */
    if (neg)
        buf_putc(b, '-');
    int point = exp + 1; /* digits before the decimal point */
    if (point > 21 || point < -5) {
        buf_putc(b, mant[0]);
        if (nm > 1) {
            buf_putc(b, '.');
            buf_append(b, mant + 1, (size_t)nm - 1);
        }
        buf_printf(b, "e%c%d", exp < 0 ? '-' : '+', abs(exp));
    } else if (point <= 0) {
        buf_puts(b, "0.");
        for (int i = 0; i < -point; i++)
            buf_putc(b, '0');
        buf_append(b, mant, (size_t)nm);
    } else if (point >= nm) {
        buf_append(b, mant, (size_t)nm);
        for (int i = nm; i < point; i++)
            buf_putc(b, '0');
    } else {
        buf_append(b, mant, (size_t)point);
        buf_putc(b, '.');
        buf_append(b, mant + point, (size_t)(nm - point));
    }
}

void json_write(buf_t *b, const struct json_object *o)
{
    struct json_object *obj = (struct json_object *)o;
    switch (json_object_get_type(obj)) {
    case json_type_null:
        buf_puts(b, "null");
        break;
    case json_type_boolean:
        buf_puts(b, json_object_get_boolean(obj) ? "true" : "false");
        break;
    case json_type_int:
        buf_printf(b, "%lld", (long long)json_object_get_int64(obj));
        break;
    case json_type_double:
        json_write_double(b, json_object_get_double(obj));
        break;
    case json_type_string:
        json_write_str(b, (str_t){json_object_get_string(obj),
                                  (size_t)json_object_get_string_len(obj)});
        break;
    case json_type_array: {
        size_t n = json_object_array_length(obj);
        buf_putc(b, '[');
        for (size_t i = 0; i < n; i++) {
            if (i)
                buf_putc(b, ',');
            json_write(b, json_object_array_get_idx(obj, i));
        }
        buf_putc(b, ']');
        break;
    }
    case json_type_object: {
        int first = 1;
        buf_putc(b, '{');
        json_object_object_foreach(obj, key, val)
        {
            if (!first)
                buf_putc(b, ',');
            first = 0;
            json_write_str(b, str_c(key));
            buf_putc(b, ':');
            json_write(b, val);
        }
        buf_putc(b, '}');
        break;
    }
    }
}

static void put_json(void *p)
{
    json_object_put(p);
}

struct json_object *json_own(arena_t *a, struct json_object *o)
{
    if (o)
        arena_defer(a, put_json, o);
    return o;
}

struct json_object *json_str(str_t s)
{
    return json_object_new_string_len(s.p ? s.p : "", (int)s.n);
}

bool json_truthy(const struct json_object *v)
{
    struct json_object *o = (struct json_object *)v;
    if (!o)
        return false;
    switch (json_object_get_type(o)) {
    case json_type_boolean:
        return json_object_get_boolean(o);
    case json_type_int:
        return json_object_get_int64(o) != 0;
    case json_type_double:
        return json_object_get_double(o) != 0 && !isnan(json_object_get_double(o));
    case json_type_string:
        return json_object_get_string_len(o) > 0;
    default:
        return true;
    }
}
