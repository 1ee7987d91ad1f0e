/* String slices. */
#include "lib/core/str.h"

#include <strings.h>

str_t str_c(const char *s)
{
    return s ? (str_t){s, strlen(s)} : (str_t){"", 0};
}

bool str_eq(str_t a, str_t b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

bool str_eq_c(str_t a, const char *b)
{
    return str_eq(a, str_c(b));
}

bool str_ieq_c(str_t a, const char *b)
{
    size_t n = strlen(b);
    return a.n == n && (n == 0 || strncasecmp(a.p, b, n) == 0);
}

uint64_t str_hash(str_t s)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < s.n; i++)
        h = (h ^ (unsigned char)s.p[i]) * 1099511628211ULL;
    return h;
}

bool str_starts_with(str_t s, str_t prefix)
{
    return s.n >= prefix.n && (prefix.n == 0 || memcmp(s.p, prefix.p, prefix.n) == 0);
}

long str_index(str_t s, char c)
{
    const char *q = s.n ? memchr(s.p, c, s.n) : NULL;
    return q ? q - s.p : -1;
}

str_t str_trim(str_t s)
{
    while (s.n && (s.p[0] == ' ' || s.p[0] == '\t')) {
        s.p++;
        s.n--;
    }
    while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t'))
        s.n--;
    return s;
}

char *str_dup(arena_t *a, str_t s)
{
    return arena_strndup(a, s.p ? s.p : "", s.n);
}

bool str_is_uuid(str_t s)
{
    if (s.n != 36)
        return false;
    for (size_t i = 0; i < 36; i++) {
        char ch = s.p[i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? ch != '-'
                 : !((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
                     (ch >= 'A' && ch <= 'F')))
            return false;
    }
    return true;
}
