/* Request model helpers: header lookup, percent-decoding, client IP. */
#include "lib/http/request.h"

#include <arpa/inet.h>
#include <ctype.h>

#include "lib/core/str.h"

http_method_t request_method_parse(str_t m)
{
    static const struct {
        const char *name;
        http_method_t method;
    } methods[] = {{"GET", HTTP_GET},       {"HEAD", HTTP_HEAD},       {"POST", HTTP_POST},
                   {"PATCH", HTTP_PATCH},   {"DELETE", HTTP_DELETE},   {"PUT", HTTP_PUT},
                   {"SEARCH", HTTP_SEARCH}, {"OPTIONS", HTTP_OPTIONS}};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (str_eq_c(m, methods[i].name))
            return methods[i].method;
    return HTTP_OTHER;
}

str_t request_header(const request_t *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (str_eq_c(r->headers[i].name, name))
            return r->headers[i].value;
    return STR_NULL;
}

void request_add_header(request_t *r, str_t name, str_t value)
{
    if (r->nheaders == r->headers_cap) {
        size_t cap = r->headers_cap ? r->headers_cap * 2 : 16;
        http_header_t *h = arena_alloc(r->arena, cap * sizeof(*h));
        if (r->nheaders)
            memcpy(h, r->headers, r->nheaders * sizeof(*h));
        r->headers = h;
        r->headers_cap = cap;
    }
    char *n = arena_alloc(r->arena, name.n + 1);
    for (size_t i = 0; i < name.n; i++) {
        char c = (char)tolower((unsigned char)name.p[i]);
        n[i] = c == '_' ? '-' : c;
    }
    n[name.n] = '\0';
    r->headers[r->nheaders++] = (http_header_t){{n, name.n}, value};
}


int request_url_decode(arena_t *a, str_t s, str_t *out)
{
    char *d = arena_alloc(a, s.n + 1);
    size_t o = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] != '%') {
            d[o++] = s.p[i];
            continue;
        }
        int hi = i + 2 < s.n ? str_hexval(s.p[i + 1]) : -1, lo = hi >= 0 ? str_hexval(s.p[i + 2]) : -1;
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            return -1;
        d[o++] = (char)(hi * 16 + lo);
        i += 2;
    }
    d[o] = '\0';
    *out = (str_t){d, o};
    return 0;
}

static bool is_ip(str_t s)
{
    char tmp[INET6_ADDRSTRLEN + 1];
    unsigned char addr[sizeof(struct in6_addr)];
    if (s.n == 0 || s.n >= sizeof tmp)
        return false;
    memcpy(tmp, s.p, s.n);
    tmp[s.n] = '\0';
    return inet_pton(AF_INET, tmp, addr) == 1 || inet_pton(AF_INET6, tmp, addr) == 1;
}

static str_t strip_mapped(str_t ip)
{
    str_t prefix = STR("::ffff:");
    if (str_starts_with(ip, prefix) && str_index(ip, '.') >= 0)
        return (str_t){ip.p + prefix.n, ip.n - prefix.n};
    return ip;
}

str_t request_client_ip(const request_t *r, bool trust_proxy, const char *custom_header)
{
    if (custom_header) {
        char lower[128];
        size_t n = strlen(custom_header);
        if (n < sizeof lower) {
            for (size_t i = 0; i <= n; i++)
                lower[i] = (char)tolower((unsigned char)custom_header[i]);
            str_t v = str_trim(request_header(r, lower));
            if (v.p && is_ip(strip_mapped(v)))
                return strip_mapped(v);
        }
    }
    if (trust_proxy) {
        str_t xff = request_header(r, "x-forwarded-for");
        if (xff.p) {
            long comma = str_index(xff, ',');
            str_t first = str_trim(comma >= 0 ? (str_t){xff.p, (size_t)comma} : xff);
            if (is_ip(strip_mapped(first)))
                return strip_mapped(first);
        }
    }
    return strip_mapped(r->remote_addr);
}
