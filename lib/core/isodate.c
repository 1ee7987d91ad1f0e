/*
 * date-fns parseISO (the part Directus's inputs reach), in a process running with TZ=UTC.
 */
#include "lib/core/isodate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

static int num(const char *p, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The calendar part: YYYY, YYYY-MM, YYYY-MM-DD, YYYYMMDD (week and ordinal dates: not taken). */
static bool iso_date(const char *p, size_t n, int64_t *days)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (n < 4 || !digits(p, 4))
        return false;
    int y = num(p, 4), m = 1, d = 1;
    const char *r = p + 4;
    size_t rn = n - 4;
    if (rn && *r == '-') {
        r++;
        rn--;
    }
    if (rn == 2 || rn == 4 || rn == 5) {
        if (!digits(r, 2))
            return false;
        m = num(r, 2);
        r += 2;
        rn -= 2;
        if (rn && *r == '-') {
            r++;
            rn--;
        }
        if (rn != 0 && (rn != 2 || !digits(r, 2)))
            return false;
        if (rn == 2)
            d = num(r, 2);
    } else if (rn) {
        return false;
    }
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap(y)))
        return false;
    *days = days_from_civil(y, m, d);
    return true;
}

/* One time unit: two digits, an optional fraction ("," or "."), read as parseFloat reads it:
 * the correctly rounded double (strtod). Summing digit * 0.1^k drifts by an ulp, which a
 * fraction of an hour turns into a millisecond off after floor(). */
static bool time_unit(const char **p, const char *end, double *out)
{
    if (end - *p < 2 || !digits(*p, 2))
        return false;
    char text[128];
    size_t n = 0;
    text[n++] = (*p)[0];
    text[n++] = (*p)[1];
    *p += 2;
    if (*p < end && (**p == '.' || **p == ',')) {
        text[n++] = '.';
        for ((*p)++; *p < end && **p >= '0' && **p <= '9'; (*p)++)
            if (n < sizeof text - 1)
                text[n++] = **p;
    }
    text[n] = '\0';
    *out = strtod(text, NULL);
    return true;
}

/* hh[:mm[:ss]] (colons optional) then Z, ±hh, ±hh:mm or ±hhmm. */
static bool iso_time(const char *p, size_t n, double *ms)
{
    const char *end = p + n, *tz = NULL;
    for (const char *q = p; q < end; q++)
        if (*q == 'Z' || *q == 'z' || *q == '+' || *q == '-') {
            tz = q;
            break;
        }
    const char *tend = tz ? tz : end;
    double h = 0, mi = 0, s = 0;
    const char *q = p;
    if (!time_unit(&q, tend, &h))
        return false;
    if (q < tend && *q == ':')
        q++;
    if (q < tend && !time_unit(&q, tend, &mi))
        return false;
    if (q < tend && *q == ':')
        q++;
    if (q < tend && !time_unit(&q, tend, &s))
        return false;
    if (q != tend)
        return false;
    if (h == 24 ? (mi != 0 || s != 0)
                : !(s >= 0 && s < 60 && mi >= 0 && mi < 60 && h >= 0 && h < 25))
        return false;
    double offset = 0;
    if (tz && *tz != 'Z' && *tz != 'z') {
        size_t tn = (size_t)(end - tz);
        if (tn < 3 || !digits(tz + 1, 2))
            return false;
        int oh = num(tz + 1, 2), om = 0;
        const char *r = tz + 3;
        if (r < end && *r == ':')
            r++;
        if (r < end) {
            if (end - r != 2 || !digits(r, 2))
                return false;
            om = num(r, 2);
        }
        if (om > 59)
            return false;
        offset = (*tz == '-' ? -1 : 1) * (oh * 3600000.0 + om * 60000.0);
    } else if (tz && end - tz != 1) {
        return false;
    }
    *ms = h * 3600000 + mi * 60000 + s * 1000 - offset;
    return true;
}

bool isodate_parse(str_t s, int64_t *ms)
{
    const char *p = s.p;
    size_t n = s.n, cut = n;
    for (size_t i = 0; i < n; i++)
        if (p[i] == 'T' || p[i] == ' ') {
            cut = i;
            break;
        }
    int64_t days;
    if (memchr(p, ':', cut) || !iso_date(p, cut, &days))
        return false;
    double t = 0;
    if (cut < n && !iso_time(p + cut + 1, n - cut - 1, &t))
        return false;
    *ms = days * 86400000 + (int64_t)floor(t);
    return true;
}
