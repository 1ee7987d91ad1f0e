/*
 * Cookie header parsing and Set-Cookie writing. Parsing walks the header once, exactly as
 * cookie 0.7.2's index arithmetic does (including its backtracking when a pair has no '='), so
 * that odd headers pick the same pair Directus picks.
 */
#include "lib/auth/cookie.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/core/buf.h"
#include "lib/core/json.h"
#include "lib/core/jsonparse.h"
#include "lib/core/str.h"

static long index_of(str_t s, char c, size_t from)
{
    for (size_t i = from; i < s.n; i++)
        if (s.p[i] == c)
            return (long)i;
    return -1;
}

static long last_index_of(str_t s, char c, long from)
{
    for (long i = from; i >= 0; i--)
        if (s.p[i] == c)
            return i;
    return -1;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

static str_t trimmed(str_t s, size_t from, size_t to)
{
    while (from < to && blank(s.p[from]))
        from++;
    while (to > from && blank(s.p[to - 1]))
        to--;
    return (str_t){s.p + from, to - from};
}


/* Length of the UTF-8 sequence at p (n bytes left) that decodeURIComponent accepts, else 0. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t len = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
    if (!len || len > 4 || n < len || (len == 4 && p[0] > 0xf4))
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if ((len == 3 && p[0] == 0xe0 && p[1] < 0xa0) || (len == 3 && p[0] == 0xed && p[1] >= 0xa0) ||
        (len == 4 && p[0] == 0xf0 && p[1] < 0x90) || (len == 4 && p[0] == 0xf4 && p[1] >= 0x90))
        return 0;
    return len;
}

/* decodeURIComponent; false (value kept as sent) when it would throw a URIError. */
static bool uri_decode(arena_t *a, str_t v, str_t *out)
{
    unsigned char *d = arena_alloc(a, v.n + 1);
    size_t o = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (v.p[i] != '%') {
            d[o++] = (unsigned char)v.p[i];
            continue;
        }
        int hi = i + 2 < v.n ? str_hexval(v.p[i + 1]) : -1, lo = hi >= 0 ? str_hexval(v.p[i + 2]) : -1;
        if (hi < 0 || lo < 0)
            return false;
        d[o++] = (unsigned char)(hi << 4 | lo);
        i += 2;
    }
    /* Escapes must spell out valid UTF-8; raw bytes were checked by nobody (Node decoded the
     * header as latin1 text), but checking them too only matters for invalid raw bytes. */
    for (size_t i = 0; i < o;) {
        size_t len = utf8_seq(d + i, o - i);
        if (!len)
            return false;
        i += len;
    }
    d[o] = '\0';
    *out = (str_t){(const char *)d, o};
    return true;
}

static str_t finish_value(arena_t *a, str_t v)
{
    str_t dec;
    if (memchr(v.p, '%', v.n) && uri_decode(a, v, &dec))
        v = dec;
    if (v.n >= 2 && v.p[0] == 'j' && v.p[1] == ':') {
        struct json_object *j;
        if (jsonparse(a, v.p + 2, v.n - 2, 0, 64, &j, NULL) == 0 && j &&
            json_object_is_type(j, json_type_string) && json_object_get_string_len(j) > 0)
            return (str_t){json_object_get_string(j), (size_t)json_object_get_string_len(j)};
    }
    return v;
}

str_t cookie_get(arena_t *a, str_t header, const char *name)
{
    if (!header.p || header.n < 2)
        return STR_NULL;
    size_t index = 0;
    str_t want = str_c(name);
    /* The first pair with the name wins (cookie.parse assigns each name once). */
    while (index < header.n) {
        long eq = index_of(header, '=', index);
        if (eq < 0)
            break;
        long end = index_of(header, ';', index);
        if (end < 0) {
            end = (long)header.n;
        } else if (eq > end) {
            index = (size_t)(last_index_of(header, ';', eq - 1) + 1);
            continue;
        }
        str_t key = trimmed(header, index, (size_t)eq);
        if (str_eq(key, want)) {
            str_t v = trimmed(header, (size_t)eq + 1, (size_t)end);
            if (v.n && v.p[0] == '"' && v.p[v.n - 1] == '"')
                v = v.n >= 2 ? (str_t){v.p + 1, v.n - 2} : (str_t){v.p, 0};
            return finish_value(a, v);
        }
        index = (size_t)end + 1;
    }
    return STR_NULL;
}

/* encodeURIComponent: everything but A-Z a-z 0-9 - _ . ! ~ * ' ( ) is %XX-escaped. */
static void uri_encode(buf_t *b, str_t v)
{
    static const char keep[] = "-_.!~*'()";
    for (size_t i = 0; i < v.n; i++) {
        unsigned char c = (unsigned char)v.p[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            (c && strchr(keep, c)))
            buf_putc(b, (char)c);
        else
            buf_printf(b, "%%%02X", c);
    }
}

char *cookie_serialize(arena_t *a, const char *name, str_t value, const cookie_opts_t *o,
                       int64_t now_ms)
{
    buf_t b;
    buf_init(&b, a, 128 + value.n);
    buf_puts(&b, name);
    buf_putc(&b, '=');
    uri_encode(&b, value);
    if (o->max_age_ms >= 0)
        buf_printf(&b, "; Max-Age=%lld", (long long)(o->max_age_ms / 1000));
    if (o->domain)
        buf_printf(&b, "; Domain=%s", o->domain);
    buf_puts(&b, "; Path=/");
    if (o->max_age_ms >= 0) {
        /* Date.prototype.toUTCString(): "Thu, 03 Dec 2026 03:59:40 GMT". */
        time_t t = (time_t)((now_ms + o->max_age_ms) / 1000);
        struct tm tm;
        gmtime_r(&t, &tm);
        static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
        static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        buf_printf(&b, "; Expires=%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday],
                   tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                   tm.tm_sec);
    }
    if (o->http_only)
        buf_puts(&b, "; HttpOnly");
    if (o->secure)
        buf_puts(&b, "; Secure");
    if (o->same_site) {
        const char *ss = !strcasecmp(o->same_site, "strict") ? "Strict"
                         : !strcasecmp(o->same_site, "none") ? "None"
                                                             : "Lax";
        buf_printf(&b, "; SameSite=%s", ss);
    }
    return b.p;
}

char *cookie_clear(arena_t *a, const char *name, const cookie_opts_t *o, int64_t now_ms)
{
    /* express merges {expires: new Date(1)} under the options, but maxAge (always among
     * Directus's options) makes res.cookie() recompute Expires from it. */
    return cookie_serialize(a, name, STR(""), o, now_ms);
}
