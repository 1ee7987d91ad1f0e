/*
 * Addresses become 16 bytes plus a "care" mask: a wildcard part, or the host bits of a subnet,
 * have care bits 0. A pattern is then either value/care (exact, wildcard, subnet, mask) or a
 * lo..hi range, and matching is a byte loop. Nothing is allocated.
 */
#include "lib/auth/ipmatch.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int family; /* 4 or 6 */
    unsigned char v[16], care[16];
    size_t len; /* 4 or 16 */
} addr_t;

/* IPv4 with optional `*` octets: /^(\d{1,3}\.|\*\.){3}(\d{1,3}|\*)$/, each number <= 255. */
static bool parse_v4(str_t s, addr_t *a)
{
    size_t part = 0, i = 0;
    memset(a, 0, sizeof *a);
    a->family = 4;
    a->len = 4;
    while (part < 4) {
        if (i < s.n && s.p[i] == '*') {
            i++;
        } else {
            size_t start = i;
            unsigned v = 0;
            while (i < s.n && i - start < 4 && s.p[i] >= '0' && s.p[i] <= '9')
                v = v * 10 + (unsigned)(s.p[i++] - '0');
            if (i == start || i - start > 3 || v > 255)
                return false;
            a->v[part] = (unsigned char)v;
            a->care[part] = 0xff;
        }
        part++;
        if (part < 4) {
            if (i >= s.n || s.p[i] != '.')
                return false;
            i++;
        }
    }
    return i == s.n;
}

/* One IPv6 group: 1-4 hex digits or `*`. */
static bool v6_group(str_t g, uint16_t *val, bool *wild)
{
    *wild = g.n == 1 && g.p[0] == '*';
    if (*wild) {
        *val = 0;
        return true;
    }
    if (g.n == 0 || g.n > 4)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < g.n; i++) {
        char c = g.p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return false;
        v = v << 4 | (unsigned)d;
    }
    *val = (uint16_t)v;
    return true;
}

/* Groups of one side of "::" into vals/wild; returns the count or -1. */
static int v6_side(str_t s, uint16_t *vals, bool *wild, int max)
{
    if (s.n == 0)
        return 0;
    int n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= s.n; i++) {
        if (i < s.n && s.p[i] != ':')
            continue;
        if (n == max || !v6_group((str_t){s.p + start, i - start}, &vals[n], &wild[n]))
            return -1;
        n++;
        start = i + 1;
    }
    return n;
}

/* IPv6 with optional `*` groups and one `::`. Exact addresses (mixed notation included) go
 * through inet_pton; wildcard ones through the group parser. */
static bool parse_v6(str_t s, addr_t *a)
{
    memset(a, 0, sizeof *a);
    a->family = 6;
    a->len = 16;
    if (s.n == 0 || s.n > 64)
        return false;
    if (!memchr(s.p, '*', s.n)) {
        char tmp[65];
        memcpy(tmp, s.p, s.n);
        tmp[s.n] = '\0';
        if (inet_pton(AF_INET6, tmp, a->v) != 1)
            return false;
        memset(a->care, 0xff, 16);
        return true;
    }
    uint16_t head[8], tail[8];
    bool hw[8], tw[8];
    const char *dbl = NULL;
    for (size_t i = 0; i + 1 < s.n; i++)
        if (s.p[i] == ':' && s.p[i + 1] == ':') {
            dbl = s.p + i;
            break;
        }
    int nh, nt = 0;
    if (dbl) {
        nh = v6_side((str_t){s.p, (size_t)(dbl - s.p)}, head, hw, 8);
        nt = v6_side((str_t){dbl + 2, s.n - (size_t)(dbl - s.p) - 2}, tail, tw, 8);
        if (nh < 0 || nt < 0 || nh + nt > 7)
            return false;
    } else if ((nh = v6_side(s, head, hw, 8)) != 8) {
        return false;
    }
    for (int g = 0; g < 8; g++) {
        uint16_t v = 0;
        bool w = false;
        if (g < nh)
            v = head[g], w = hw[g];
        else if (g >= 8 - nt)
            v = tail[g - (8 - nt)], w = tw[g - (8 - nt)];
        a->v[2 * g] = (unsigned char)(v >> 8);
        a->v[2 * g + 1] = (unsigned char)v;
        a->care[2 * g] = a->care[2 * g + 1] = w ? 0 : 0xff;
    }
    return true;
}

static bool parse_any(str_t s, addr_t *a)
{
    return parse_v4(s, a) || parse_v6(s, a);
}

static bool exact(const addr_t *a)
{
    for (size_t i = 0; i < a->len; i++)
        if (a->care[i] != 0xff)
            return false;
    return true;
}

static bool masked_equal(const addr_t *ip, const addr_t *p)
{
    for (size_t i = 0; i < ip->len; i++)
        if ((ip->v[i] & p->care[i]) != (p->v[i] & p->care[i]))
            return false;
    return true;
}

static bool in_range(const addr_t *ip, const addr_t *lo, const addr_t *hi)
{
    return memcmp(ip->v, lo->v, ip->len) >= 0 && memcmp(ip->v, hi->v, ip->len) <= 0;
}

/* A parsed pattern: a value/care address (address, subnet, mask) or the range a..b. */
typedef struct {
    ipmatch_kind_t kind;
    addr_t a, b;
} pattern_t;

/* `IP-IP`: both exact, same family, left <= right. */
static ipmatch_kind_t parse_range(str_t pattern, long dash, pattern_t *p)
{
    str_t l = {pattern.p, (size_t)dash}, r = {pattern.p + dash + 1, pattern.n - (size_t)dash - 1};
    if (str_index(r, '-') >= 0 || !parse_any(str_trim(l), &p->a) ||
        !parse_any(str_trim(r), &p->b) || !exact(&p->a) || !exact(&p->b) ||
        p->a.family != p->b.family || memcmp(p->a.v, p->b.v, p->a.len) > 0)
        return IPMATCH_INVALID;
    return IPMATCH_RANGE;
}

/* Number(s) when it is an integer (Number.isInteger): "" and blanks read 0, 0x… is
 * hexadecimal, "8.0" and "1e1" are integers too. */
static bool js_integer(str_t s, long *out)
{
    char tmp[32], *end;
    s = str_trim(s);
    if (s.n >= sizeof tmp)
        return false;
    memcpy(tmp, s.p, s.n);
    tmp[s.n] = '\0';
    if (!s.n)
        return (*out = 0), true;
    if (s.n > 2 && tmp[0] == '0' && (tmp[1] == 'x' || tmp[1] == 'X')) {
        *out = strtol(tmp + 2, &end, 16);
        return *end == '\0' && end != tmp + 2;
    }
    if (!strchr("0123456789+-.", tmp[0]) || strpbrk(tmp, "xXnN")) /* no Infinity, NaN */
        return false;
    double d = strtod(tmp, &end);
    if (*end || d != (double)(long)d)
        return false;
    *out = (long)d;
    return true;
}

/* `IP/bits` or `IP/mask`; like ip-matching, only the text up to a second '/' counts. */
static ipmatch_kind_t parse_subnet(str_t pattern, long slash, pattern_t *p)
{
    addr_t mask;
    str_t l = {pattern.p, (size_t)slash},
          r = {pattern.p + slash + 1, pattern.n - (size_t)slash - 1};
    long more = str_index(r, '/');
    if (more >= 0)
        r.n = (size_t)more;
    if (!parse_any(str_trim(l), &p->a) || !exact(&p->a))
        return IPMATCH_INVALID;
    long bits;
    if (js_integer(r, &bits)) {
        if (bits < 0 || bits > (long)p->a.len * 8)
            return IPMATCH_INVALID;
        for (size_t i = 0; i < p->a.len; i++) {
            long b = bits - (long)i * 8;
            p->a.care[i] = b >= 8 ? 0xff : b <= 0 ? 0 : (unsigned char)(0xff << (8 - b));
        }
        return IPMATCH_SUBNET;
    }
    if (!parse_any(str_trim(r), &mask) || !exact(&mask) || mask.family != p->a.family)
        return IPMATCH_INVALID;
    memcpy(p->a.care, mask.v, p->a.len);
    return IPMATCH_MASK;
}

/* getMatch: an address (wildcards allowed), else a range, else a subnet or mask. */
static ipmatch_kind_t parse_pattern(str_t pattern, pattern_t *p)
{
    pattern = str_trim(pattern);
    if (parse_any(pattern, &p->a))
        return p->kind = exact(&p->a) ? IPMATCH_ADDRESS : IPMATCH_WILDCARD;
    long dash = str_index(pattern, '-');
    if (dash >= 0)
        return p->kind = parse_range(pattern, dash, p);
    long slash = str_index(pattern, '/');
    if (slash >= 0)
        return p->kind = parse_subnet(pattern, slash, p);
    return p->kind = IPMATCH_INVALID;
}

ipmatch_kind_t ipmatch_kind(str_t pattern)
{
    pattern_t p;
    return parse_pattern(pattern, &p);
}

bool ipmatch_one(str_t ip, str_t pattern)
{
    addr_t a;
    pattern_t p;
    if (!parse_any(ip, &a) || !exact(&a) || parse_pattern(pattern, &p) == IPMATCH_INVALID ||
        a.family != p.a.family)
        return false;
    return p.kind == IPMATCH_RANGE ? in_range(&a, &p.a, &p.b) : masked_equal(&a, &p.a);
}

bool ipmatch_list(str_t ip, str_t list)
{
    size_t start = 0;
    for (size_t i = 0; i <= list.n; i++) {
        if (i < list.n && list.p[i] != ',')
            continue;
        if (ipmatch_one(ip, (str_t){list.p + start, i - start}))
            return true;
        start = i + 1;
    }
    return false;
}

bool ipmatch_list_is_empty(str_t list)
{
    return !list.p || list.n == 0;
}
