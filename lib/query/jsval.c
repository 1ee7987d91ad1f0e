/*
 * JavaScript conversions over json-c values. The grammar of StringToNumber is checked here
 * before strtod() sees the text, because strtod() accepts more than JavaScript does ("nan",
 * "0x1p3", "inf", leading signs before hex) and less (binary and octal prefixes).
 */
#include "lib/query/jsval.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/json.h"

/* Length of the JavaScript white space or line terminator at p (UTF-8), or 0. */
static size_t js_space(const unsigned char *p, size_t n)
{
    if (n >= 1 && (p[0] == ' ' || (p[0] >= 0x09 && p[0] <= 0x0D)))
        return 1;
    if (n >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
        return 2; /* U+00A0 */
    if (n < 3)
        return 0;
    unsigned cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    if ((p[0] & 0xF0) != 0xE0 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
        return 0;
    if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
        cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF)
        return 3;
    return 0;
}

str_t jsval_trim(str_t s)
{
    size_t k;
    while (s.n && (k = js_space((const unsigned char *)s.p, s.n))) {
        s.p += k;
        s.n -= k;
    }
    for (;;) {
        size_t cut = 0;
        for (size_t back = 1; back <= 3 && back <= s.n; back++) {
            if (js_space((const unsigned char *)s.p + s.n - back, back) == back) {
                cut = back;
                break;
            }
        }
        if (!cut)
            break;
        s.n -= cut;
    }
    return s;
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

/* 0x / 0o / 0b literal (no sign allowed). */
static double radix_literal(str_t s, int radix)
{
    if (s.n == 0)
        return NAN;
    double v = 0;
    for (size_t i = 0; i < s.n; i++) {
        int d = digit_value(s.p[i]);
        if (d >= radix)
            return NAN;
        v = v * radix + d;
    }
    return v;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* StrDecimalLiteral: sign? (Infinity | digits [. digits?] | . digits) exponent? */
static bool decimal_literal(str_t s)
{
    size_t i = 0;
    if (i < s.n && (s.p[i] == '+' || s.p[i] == '-'))
        i++;
    if (s.n - i == 8 && memcmp(s.p + i, "Infinity", 8) == 0)
        return true;
    size_t digits = 0;
    while (i < s.n && is_digit(s.p[i]))
        i++, digits++;
    if (i < s.n && s.p[i] == '.') {
        i++;
        while (i < s.n && is_digit(s.p[i]))
            i++, digits++;
    }
    if (!digits)
        return false;
    if (i < s.n && (s.p[i] == 'e' || s.p[i] == 'E')) {
        i++;
        if (i < s.n && (s.p[i] == '+' || s.p[i] == '-'))
            i++;
        size_t exp = 0;
        while (i < s.n && is_digit(s.p[i]))
            i++, exp++;
        if (!exp)
            return false;
    }
    return i == s.n;
}

double jsval_str_number(str_t s)
{
    s = jsval_trim(s);
    if (s.n == 0)
        return 0;
    if (s.n > 2 && s.p[0] == '0') {
        char k = s.p[1];
        str_t rest = {s.p + 2, s.n - 2};
        if (k == 'x' || k == 'X')
            return radix_literal(rest, 16);
        if (k == 'o' || k == 'O')
            return radix_literal(rest, 8);
        if (k == 'b' || k == 'B')
            return radix_literal(rest, 2);
    }
    if (!decimal_literal(s))
        return NAN;
    size_t sign = (s.p[0] == '+' || s.p[0] == '-') ? 1 : 0;
    if (s.n - sign == 8 && memcmp(s.p + sign, "Infinity", 8) == 0)
        return s.p[0] == '-' ? -INFINITY : INFINITY;
    char small[64];
    char *txt = s.n < sizeof small ? small : malloc(s.n + 1);
    if (!txt)
        return NAN;
    memcpy(txt, s.p, s.n);
    txt[s.n] = '\0';
    double d = strtod(txt, NULL);
    if (txt != small)
        free(txt);
    return d;
}

static void append_str(buf_t *b, const struct json_object *v, int depth);

static void append_array(buf_t *b, const struct json_object *v, int depth)
{
    size_t n = json_object_array_length(v);
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(b, ',');
        const struct json_object *e = json_object_array_get_idx(v, i);
        if (e)
            append_str(b, e, depth + 1);
    }
}

static void append_str(buf_t *b, const struct json_object *v, int depth)
{
    struct json_object *o = (struct json_object *)v;
    switch (json_object_get_type(o)) {
    case json_type_null:
        buf_puts(b, "null");
        break;
    case json_type_boolean:
        buf_puts(b, json_object_get_boolean(o) ? "true" : "false");
        break;
    case json_type_int:
        buf_printf(b, "%lld", (long long)json_object_get_int64(o));
        break;
    case json_type_double:
        jsval_number_str(b, json_object_get_double(o));
        break;
    case json_type_string:
        buf_str(b, jsval_string(o));
        break;
    case json_type_array:
        /* Array.prototype.join guards against cycles; json-c values have none, but depth is
         * bounded anyway so hostile nesting cannot exhaust the stack. */
        if (depth < 64)
            append_array(b, o, depth);
        break;
    case json_type_object:
        buf_puts(b, "[object Object]");
        break;
    }
}

str_t jsval_str(arena_t *a, const struct json_object *v)
{
    if (json_object_get_type((struct json_object *)v) == json_type_string)
        return jsval_string(v);
    buf_t b;
    buf_init(&b, a, 32);
    append_str(&b, v, 0);
    return buf_slice(&b);
}

double jsval_number(arena_t *a, const struct json_object *v)
{
    struct json_object *o = (struct json_object *)v;
    switch (json_object_get_type(o)) {
    case json_type_null:
        return 0;
    case json_type_boolean:
        return json_object_get_boolean(o) ? 1 : 0;
    case json_type_int:
        return (double)json_object_get_int64(o);
    case json_type_double:
        return json_object_get_double(o);
    case json_type_string:
        return jsval_str_number(jsval_string(o));
    case json_type_array:
        return jsval_str_number(jsval_str(a, v));
    case json_type_object:
        return NAN;
    }
    return NAN;
}

void jsval_number_str(buf_t *b, double d)
{
    if (isnan(d))
        buf_puts(b, "NaN");
    else if (isinf(d))
        buf_puts(b, d < 0 ? "-Infinity" : "Infinity");
    else
        json_write_double(b, d);
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool digits(str_t s, size_t at, size_t n, int *out)
{
    if (at + n > s.n)
        return false;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s.p[at + i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
}

double jsval_date_parse(str_t s)
{
    int y, mo = 1, d = 1, h = 0, mi = 0, sec = 0, ms = 0;
    if (!digits(s, 0, 4, &y))
        return NAN;
    size_t i = 4;
    if (i < s.n && s.p[i] == '-') {
        if (!digits(s, i + 1, 2, &mo))
            return NAN;
        i += 3;
        if (i < s.n && s.p[i] == '-') {
            if (!digits(s, i + 1, 2, &d))
                return NAN;
            i += 3;
        }
    }
    int64_t off = 0;
    if (i < s.n && (s.p[i] == 'T' || s.p[i] == 't' || s.p[i] == ' ')) {
        if (!digits(s, i + 1, 2, &h) || i + 3 >= s.n || s.p[i + 3] != ':' ||
            !digits(s, i + 4, 2, &mi))
            return NAN;
        i += 6;
        if (i < s.n && s.p[i] == ':') {
            if (!digits(s, i + 1, 2, &sec))
                return NAN;
            i += 3;
            if (i < s.n && (s.p[i] == '.' || s.p[i] == ',')) {
                i++;
                int scale = 100;
                size_t start = i;
                while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9') {
                    ms += (s.p[i] - '0') * scale;
                    scale /= 10;
                    i++;
                }
                if (i == start)
                    return NAN;
            }
        }
        if (i < s.n && (s.p[i] == 'Z' || s.p[i] == 'z')) {
            i++;
        } else if (i < s.n && (s.p[i] == '+' || s.p[i] == '-')) {
            int oh, om = 0;
            bool neg = s.p[i] == '-';
            if (!digits(s, i + 1, 2, &oh))
                return NAN;
            i += 3;
            if (i < s.n && s.p[i] == ':')
                i++;
            if (i < s.n && !digits(s, i, 2, &om))
                return NAN;
            if (i < s.n)
                i += 2;
            off = (int64_t)(oh * 60 + om) * 60000 * (neg ? -1 : 1);
        }
    }
    if (i != s.n || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || sec > 59 ||
        (h == 24 && (mi || sec || ms)))
        return NAN;
    int64_t t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400000 +
                ((int64_t)h * 3600 + mi * 60 + sec) * 1000 + ms;
    return (double)(t - off);
}


/* One code point's lower case for the scripts Directus data mostly holds (ASCII, Latin-1,
 * Latin Extended-A, Greek, Cyrillic); anything else is left as it is. */
static unsigned lower_cp(unsigned c)
{
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if (c < 0xC0)
        return c;
    if (c <= 0xDE && c != 0xD7)
        return c + 32;
    if (c >= 0x100 && c <= 0x137)
        return c % 2 ? c : c + 1;
    if (c >= 0x139 && c <= 0x148)
        return c % 2 ? c + 1 : c;
    if (c >= 0x14A && c <= 0x177)
        return c % 2 ? c : c + 1;
    if (c == 0x178)
        return 0xFF;
    if (c >= 0x179 && c <= 0x17E)
        return c % 2 ? c + 1 : c;
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2)
        return c + 32;
    if (c == 0x386)
        return 0x3AC;
    if (c >= 0x388 && c <= 0x38A)
        return c + 37;
    if (c == 0x38C)
        return 0x3CC;
    if (c == 0x38E || c == 0x38F)
        return c + 63;
    if (c >= 0x410 && c <= 0x42F)
        return c + 32;
    if (c >= 0x400 && c <= 0x40F)
        return c + 80;
    return c;
}

str_t jsval_lower(arena_t *a, str_t s)
{
    char *out = arena_alloc(a, s.n + 1);
    size_t n = 0;
    for (size_t i = 0; i < s.n;) {
        unsigned char c = (unsigned char)s.p[i];
        if (c < 0x80) {
            out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            i++;
            continue;
        }
        if ((c & 0xE0) == 0xC0 && i + 1 < s.n && ((unsigned char)s.p[i + 1] & 0xC0) == 0x80) {
            unsigned cp = ((c & 0x1Fu) << 6) | ((unsigned char)s.p[i + 1] & 0x3Fu);
            unsigned lc = lower_cp(cp);
            if (lc >= 0x80 && lc < 0x800) {
                out[n++] = (char)(0xC0 | (lc >> 6));
                out[n++] = (char)(0x80 | (lc & 0x3F));
            } else {
                out[n++] = (char)s.p[i];
                out[n++] = (char)s.p[i + 1];
            }
            i += 2;
            continue;
        }
        out[n++] = (char)c;
        i++;
    }
    out[n] = '\0';
    return (str_t){out, n};
}

bool jsval_truthy(const struct json_object *v)
{
    struct json_object *o = (struct json_object *)v;
    switch (json_object_get_type(o)) {
    case json_type_null:
        return false;
    case json_type_boolean:
        return json_object_get_boolean(o);
    case json_type_int:
        return json_object_get_int64(o) != 0;
    case json_type_double: {
        double d = json_object_get_double(o);
        return d != 0 && !isnan(d);
    }
    case json_type_string:
        return json_object_get_string_len(o) > 0;
    case json_type_array:
    case json_type_object:
        return true;
    }
    return false;
}

bool jsval_is_string(const struct json_object *v)
{
    return v && json_object_get_type((struct json_object *)v) == json_type_string;
}

str_t jsval_string(const struct json_object *v)
{
    if (!jsval_is_string(v))
        return STR_NULL;
    struct json_object *o = (struct json_object *)v;
    return (str_t){json_object_get_string(o), (size_t)json_object_get_string_len(o)};
}

bool jsval_is_integer(double d)
{
    return isfinite(d) && floor(d) == d;
}

bool jsval_is_safe(double d)
{
    return fabs(d) <= 9007199254740991.0;
}
