/*
 * Addresses become 16 bytes plus a "care" mask: a wildcard part, or the host bits of a subnet,
 * have care bits 0. A pattern is then either value/care (exact, wildcard, subnet, mask) or a
 * lo..hi range, and matching is a byte loop. Nothing is allocated.
 */
#include "lib/auth/ipmatch.h"

#include <arpa/inet.h>
#include <stdint.h>
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

/* `IP-IP`: both exact, same family, left <= right. */
static bool match_range(const addr_t *ip, str_t pattern, long dash)
{
    addr_t lo, hi;
    str_t l = {pattern.p, (size_t)dash}, r = {pattern.p + dash + 1, pattern.n - (size_t)dash - 1};
    if (str_index(r, '-') >= 0 || !parse_any(str_trim(l), &lo) || !parse_any(str_trim(r), &hi) ||
        !exact(&lo) || !exact(&hi) || lo.family != hi.family || memcmp(lo.v, hi.v, lo.len) > 0)
        return false;
    return ip->family == lo.family && in_range(ip, &lo, &hi);
}

/* `IP/bits` or `IP/mask`; like ip-matching, only the text up to a second '/' counts, and an
 * empty bit count is Number('') = 0. */
static bool match_subnet(const addr_t *ip, str_t pattern, long slash)
{
    addr_t base, mask;
    str_t l = {pattern.p, (size_t)slash},
          r = {pattern.p + slash + 1, pattern.n - (size_t)slash - 1};
    long more = str_index(r, '/');
    if (more >= 0)
        r.n = (size_t)more;
    r = str_trim(r);
    if (!parse_any(str_trim(l), &base) || !exact(&base))
        return false;
    bool digits = r.n <= 3;
    int bits = 0;
    for (size_t i = 0; i < r.n && digits; i++) {
        digits = r.p[i] >= '0' && r.p[i] <= '9';
        bits = bits * 10 + (r.p[i] - '0');
    }
    if (digits) {
        if (bits > (int)base.len * 8)
            return false;
        for (size_t i = 0; i < base.len; i++) {
            int b = bits - (int)i * 8;
            base.care[i] = b >= 8 ? 0xff : b <= 0 ? 0 : (unsigned char)(0xff << (8 - b));
        }
    } else {
        if (!parse_any(r, &mask) || !exact(&mask) || mask.family != base.family)
            return false;
        memcpy(base.care, mask.v, base.len);
    }
    return ip->family == base.family && masked_equal(ip, &base);
}

bool ipmatch_one(str_t ip, str_t pattern)
{
    addr_t a, p;
    pattern = str_trim(pattern);
    if (!parse_any(ip, &a) || !exact(&a))
        return false;
    if (parse_any(pattern, &p))
        return a.family == p.family && masked_equal(&a, &p);
    long dash = str_index(pattern, '-');
    if (dash >= 0)
        return match_range(&a, pattern, dash);
    long slash = str_index(pattern, '/');
    if (slash >= 0)
        return match_subnet(&a, pattern, slash);
    return false;
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
