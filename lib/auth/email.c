/*
 * @sideway/address's email check, in its order: structure, lengths, local part, then the domain
 * (control characters, punycode, label count, top-level domain, label syntax). Each step that
 * fails makes Joi report "must be a valid email"; which step failed is never shown, so only the
 * verdict has to match.
 */
#include "lib/auth/email.h"

#include <stdint.h>
#include <string.h>

#include "lib/auth/tlds.h"
#include "lib/core/buf.h"

/* Decodes one UTF-8 sequence at s[*i]; returns the code point or -1 (invalid). */
static long utf8_next(str_t s, size_t *i)
{
    const unsigned char *p = (const unsigned char *)s.p + *i;
    size_t left = s.n - *i;
    unsigned c = p[0];
    long cp;
    size_t len;
    if (c < 0x80)
        cp = c, len = 1;
    else if (c >= 0xc2 && c < 0xe0)
        cp = c & 0x1f, len = 2;
    else if (c >= 0xe0 && c < 0xf0)
        cp = c & 0x0f, len = 3;
    else if (c >= 0xf0 && c < 0xf5)
        cp = c & 0x07, len = 4;
    else
        return -1;
    if (left < len)
        return -1;
    for (size_t k = 1; k < len; k++) {
        if ((p[k] & 0xc0) != 0x80)
            return -1;
        cp = cp << 6 | (p[k] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return -1;
    *i += len;
    return cp;
}

size_t email_utf16_len(str_t s)
{
    size_t n = 0;
    for (size_t i = 0; i < s.n;) {
        long cp = utf8_next(s, &i);
        if (cp < 0) {
            i++;
            n++;
        } else {
            n += cp >= 0x10000 ? 2 : 1;
        }
    }
    return n;
}

/* ------------------------------------------------------------------ punycode (RFC 3492) */

enum { PC_BASE = 36, PC_TMIN = 1, PC_TMAX = 26, PC_SKEW = 38, PC_DAMP = 700 };

static unsigned long adapt(unsigned long delta, unsigned long points, bool first)
{
    delta = first ? delta / PC_DAMP : delta / 2;
    delta += delta / points;
    unsigned long k = 0;
    while (delta > ((PC_BASE - PC_TMIN) * PC_TMAX) / 2) {
        delta /= PC_BASE - PC_TMIN;
        k += PC_BASE;
    }
    return k + (PC_BASE - PC_TMIN + 1) * delta / (delta + PC_SKEW);
}

static char pc_digit(unsigned long d)
{
    return (char)(d < 26 ? 'a' + d : '0' + (d - 26));
}

char *email_punycode(arena_t *a, str_t label)
{
    long cps[64];
    size_t n = 0;
    for (size_t i = 0; i < label.n;) {
        long cp = utf8_next(label, &i);
        if (cp < 0 || n == 64)
            return NULL;
        cps[n++] = cp;
    }
    buf_t b;
    buf_init(&b, a, 80);
    size_t basic = 0;
    for (size_t i = 0; i < n; i++)
        if (cps[i] < 0x80) {
            buf_putc(&b, (char)cps[i]);
            basic++;
        }
    if (basic)
        buf_putc(&b, '-');
    unsigned long next = 0x80, delta = 0, bias = 72;
    for (size_t h = basic; h < n;) {
        unsigned long m = ~0UL;
        for (size_t i = 0; i < n; i++)
            if ((unsigned long)cps[i] >= next && (unsigned long)cps[i] < m)
                m = (unsigned long)cps[i];
        delta += (m - next) * (h + 1);
        next = m;
        for (size_t i = 0; i < n; i++) {
            if ((unsigned long)cps[i] < next)
                delta++;
            if ((unsigned long)cps[i] != next)
                continue;
            unsigned long q = delta;
            for (unsigned long k = PC_BASE;; k += PC_BASE) {
                unsigned long t = k <= bias ? PC_TMIN : k >= bias + PC_TMAX ? PC_TMAX : k - bias;
                if (q < t)
                    break;
                buf_putc(&b, pc_digit(t + (q - t) % (PC_BASE - t)));
                q = (q - t) / (PC_BASE - t);
            }
            buf_putc(&b, pc_digit(q));
            bias = adapt(delta, h + 1, h == basic);
            delta = 0;
            h++;
        }
        delta++;
        next++;
    }
    return b.n + 4 > 63 ? NULL : b.p;
}

/* ------------------------------------------------------------------ the checks */

static bool is_ascii(str_t s)
{
    for (size_t i = 0; i < s.n; i++)
        if ((unsigned char)s.p[i] >= 0x80)
            return false;
    return true;
}

static bool alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* RFC 5321 atext: ALPHA / DIGIT / "!#$%&'*+-/=?^_`{|}~". */
static bool atext(char c)
{
    return alnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static bool local_ok(str_t local, bool ascii)
{
    size_t start = 0;
    for (size_t i = 0; i <= local.n; i++) {
        if (i < local.n && local.p[i] != '.')
            continue;
        str_t seg = {local.p + start, i - start};
        if (seg.n == 0)
            return false;
        for (size_t k = 0; k < seg.n;) {
            if (atext(seg.p[k])) {
                k++;
                continue;
            }
            /* Non-ASCII characters must be well-formed UTF-8 (RFC 6531 UTF8-non-ascii). */
            if (ascii || (unsigned char)seg.p[k] < 0x80 || utf8_next(seg, &k) < 0)
                return false;
        }
        start = i + 1;
    }
    return true;
}

/* Characters the domain may not hold at all: controls, space and URL separators. */
static bool domain_control(char c)
{
    return (unsigned char)c <= 0x20 || strchr("@:/\\#!$&'()*+,;=?", c);
}

/* The part of UTS #46 mapping that changes a verdict in practice: default-ignorable characters
 * vanish, ideographic and fullwidth full stops separate labels, fullwidth ASCII becomes ASCII.
 * Returns the mapped code point, '.' for a separator, or -1 to drop it. */
static long uts46_map(long cp)
{
    if (cp == 0xad || cp == 0x34f || cp == 0x200b || cp == 0x2060 || cp == 0xfeff ||
        (cp >= 0x180b && cp <= 0x180d) || (cp >= 0xfe00 && cp <= 0xfe0f) ||
        (cp >= 0x1bca0 && cp <= 0x1bca3))
        return -1;
    if (cp == 0x3002 || cp == 0xff0e || cp == 0xff61)
        return '.';
    if (cp >= 0xff01 && cp <= 0xff5e)
        cp -= 0xfee0;
    return cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp;
}

static void put_utf8(buf_t *b, long cp)
{
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        buf_putc(b, (char)(0xc0 | cp >> 6));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        buf_putc(b, (char)(0xe0 | cp >> 12));
        buf_putc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    } else {
        buf_putc(b, (char)(0xf0 | cp >> 18));
        buf_putc(b, (char)(0x80 | (cp >> 12 & 0x3f)));
        buf_putc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    }
}

/* WHATWG URL host of an internationalised domain, reduced to what matters here: the mapping
 * above, then labels with non-ASCII characters punycoded. STR_NULL when the text is not UTF-8
 * or a label cannot be encoded (URL parsing throws; Directus then keeps the raw text, which
 * fails the label syntax anyway). */
static str_t idna(arena_t *a, str_t d)
{
    buf_t mapped;
    buf_init(&mapped, a, d.n + 1);
    for (size_t i = 0; i < d.n;) {
        long cp = utf8_next(d, &i);
        if (cp < 0)
            return STR_NULL;
        if ((cp = uts46_map(cp)) >= 0)
            put_utf8(&mapped, cp);
    }
    d = buf_slice(&mapped);
    buf_t b;
    buf_init(&b, a, d.n + 16);
    size_t start = 0;
    for (size_t i = 0; i <= d.n; i++) {
        if (i < d.n && d.p[i] != '.')
            continue;
        str_t label = {d.p + start, i - start};
        if (is_ascii(label)) {
            buf_str(&b, label);
        } else {
            char *pc = email_punycode(a, label);
            if (!pc)
                return STR_NULL;
            buf_puts(&b, "xn--");
            buf_puts(&b, pc);
        }
        if (i < d.n)
            buf_putc(&b, '.');
        start = i + 1;
    }
    return buf_slice(&b);
}

/* ^[a-zA-Z0-9](?:[a-zA-Z0-9\-]*[a-zA-Z0-9])?$, or with a letter first for the last label. */
static bool label_ok(str_t s, bool tld)
{
    if (s.n == 0 || s.n > 63 || !alnum(s.p[0]) || !alnum(s.p[s.n - 1]))
        return false;
    if (tld && s.p[0] >= '0' && s.p[0] <= '9')
        return false;
    for (size_t i = 0; i < s.n; i++)
        if (!alnum(s.p[i]) && s.p[i] != '-')
            return false;
    return true;
}

static bool domain_ok(arena_t *a, str_t d)
{
    if (d.n == 0 || email_utf16_len(d) > 256)
        return false;
    for (size_t i = 0; i < d.n; i++)
        if (domain_control(d.p[i]))
            return false;
    if (!is_ascii(d) && !(d = idna(a, d)).p)
        return false;
    size_t labels = 1;
    for (size_t i = 0; i < d.n; i++)
        labels += d.p[i] == '.';
    if (labels < 2)
        return false;
    const char *dot = memrchr(d.p, '.', d.n);
    str_t tld = {dot + 1, d.n - (size_t)(dot + 1 - d.p)};
    if (!tlds_is_known(tld))
        return false;
    size_t start = 0;
    for (size_t i = 0; i <= d.n; i++) {
        if (i < d.n && d.p[i] != '.')
            continue;
        if (!label_ok((str_t){d.p + start, i - start}, i == d.n))
            return false;
        start = i + 1;
    }
    return true;
}

bool email_is_valid(arena_t *a, str_t s)
{
    if (s.n == 0)
        return false;
    const char *at = memchr(s.p, '@', s.n);
    if (!at || memchr(at + 1, '@', s.n - (size_t)(at + 1 - s.p)))
        return false;
    str_t local = {s.p, (size_t)(at - s.p)};
    str_t domain = {at + 1, s.n - local.n - 1};
    if (local.n == 0 || email_utf16_len(s) > 254 || local.n > 64)
        return false;
    return local_ok(local, is_ascii(s)) && domain_ok(a, domain);
}
