/* JSON.stringify-compatible output for json-c values. */
#include "lib/core/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

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

void json_write_str(buf_t *b, str_t s)
{
    buf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < s.n; i++) {
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
