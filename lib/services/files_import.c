#include "lib/services/files_import.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/core/buf.h"

/* ------------------------------------------------------------------ addresses */

typedef struct {
    int family; /* AF_INET or AF_INET6 */
    unsigned char b[16];
} ipaddr_t;

static bool parse_ip(const char *s, ipaddr_t *ip)
{
    memset(ip, 0, sizeof *ip);
    if (inet_pton(AF_INET, s, ip->b) == 1) {
        ip->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, s, ip->b) == 1) {
        ip->family = AF_INET6;
        /* An IPv4-mapped address is the IPv4 one. */
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (!memcmp(ip->b, mapped, 12)) {
            memmove(ip->b, ip->b + 12, 4);
            memset(ip->b + 4, 0, 12);
            ip->family = AF_INET;
        }
        return true;
    }
    return false;
}

static bool in_network(const ipaddr_t *ip, const ipaddr_t *net, int bits)
{
    if (ip->family != net->family)
        return false;
    for (int i = 0; bits > 0; i++, bits -= 8) {
        unsigned char mask = bits >= 8 ? 0xff : (unsigned char)(0xff << (8 - bits));
        if ((ip->b[i] & mask) != (net->b[i] & mask))
            return false;
    }
    return true;
}

/* One entry: "addr" or "addr/bits". -1 when it is neither. */
static int entry_matches(const ipaddr_t *ip, const char *entry)
{
    char buf[64];
    size_t n = strlen(entry);
    if (!n || n >= sizeof buf)
        return -1;
    memcpy(buf, entry, n + 1);
    char *slash = strchr(buf, '/');
    int bits = -1;
    if (slash) {
        *slash = 0;
        char *end;
        long b = strtol(slash + 1, &end, 10);
        if (*end || end == slash + 1 || b < 0)
            return -1;
        bits = (int)b;
    }
    ipaddr_t net;
    if (!parse_ip(buf, &net))
        return -1;
    int max = net.family == AF_INET ? 32 : 128;
    if (bits > max)
        return -1;
    return in_network(ip, &net, bits < 0 ? max : bits);
}

/* This machine's addresses: loopback interfaces by network, the others exactly. */
static bool is_local(const ipaddr_t *ip)
{
    struct ifaddrs *ifs, *i;
    if (getifaddrs(&ifs) < 0)
        return false;
    bool hit = false;
    for (i = ifs; i && !hit; i = i->ifa_next) {
        if (!i->ifa_addr ||
            (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
            continue;
        ipaddr_t a = {.family = i->ifa_addr->sa_family}, m = {.family = a.family};
        bool v4 = a.family == AF_INET;
        memcpy(a.b,
               v4 ? (void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
                  : (void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr,
               v4 ? 4 : 16);
        int bits = v4 ? 32 : 128;
        if ((i->ifa_flags & IFF_LOOPBACK) && i->ifa_netmask) {
            memcpy(m.b,
                   v4 ? (void *)&((struct sockaddr_in *)i->ifa_netmask)->sin_addr
                      : (void *)&((struct sockaddr_in6 *)i->ifa_netmask)->sin6_addr,
                   v4 ? 4 : 16);
            bits = 0;
            for (int k = 0; k < (v4 ? 4 : 16); k++)
                bits += __builtin_popcount(m.b[k]);
        }
        hit = in_network(ip, &a, bits);
    }
    freeifaddrs(ifs);
    return hit;
}

bool files_ip_denied(const char *ip_text, const char *list)
{
    if (!list || !*list)
        return false;
    ipaddr_t ip;
    if (!parse_ip(ip_text, &ip))
        return true;
    bool any_local = false;
    for (const char *p = list; p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char entry[64];
        while (n && *p == ' ')
            p++, n--;
        while (n && p[n - 1] == ' ')
            n--;
        if (n >= sizeof entry)
            return true;
        memcpy(entry, p, n);
        entry[n] = 0;
        int m = entry_matches(&ip, entry);
        if (m != 0)
            return true; /* a match, or an entry that is no address: "invalid config" */
        any_local |= !strcmp(entry, "0.0.0.0");
        p = e ? e + 1 : NULL;
    }
    return any_local && is_local(&ip);
}

/* ------------------------------------------------------------------ URLs */

const char *files_encode_url(arena_t *a, const char *url)
{
    buf_t b;
    buf_init(&b, a, strlen(url) * 3 + 1);
    for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
        unsigned char c = *p;
        /* encodeurl 2.0.0's set: what may stand in a URL as it is. */
        bool keep = c == 0x21 || (c >= 0x23 && c <= 0x3b) || c == 0x3d ||
                    (c >= 0x3f && c <= 0x5f) || (c >= 0x61 && c <= 0x7a) || c == 0x7c || c == 0x7e;
        if (c == '%') {
            bool escape = isxdigit(p[1]) && isxdigit(p[2]);
            buf_puts(&b, escape ? "%" : "%25");
            continue;
        }
        if (keep)
            buf_putc(&b, (char)c);
        else
            buf_printf(&b, "%%%02X", c);
    }
    return b.p ? b.p : "";
}

static int hex(unsigned char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* decodeURI: escapes of reserved characters stay; a bad escape or bad UTF-8 throws. */
static const char *decode_uri(arena_t *a, str_t s)
{
    buf_t b;
    buf_init(&b, a, s.n + 1);
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] != '%') {
            buf_putc(&b, s.p[i]);
            continue;
        }
        int hi, lo;
        if (i + 2 >= s.n || (hi = hex((unsigned char)s.p[i + 1])) < 0 ||
            (lo = hex((unsigned char)s.p[i + 2])) < 0)
            return NULL;
        unsigned char c = (unsigned char)(hi << 4 | lo);
        if (c < 0x80) {
            if (strchr(";/?:@&=+$,#", c) && c)
                buf_append(&b, s.p + i, 3);
            else
                buf_putc(&b, (char)c);
            i += 2;
            continue;
        }
        /* A multi-byte character: every byte escaped, the whole valid UTF-8. */
        int len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
        if (!len)
            return NULL;
        unsigned char bytes[4] = {c};
        for (int k = 1; k < len; k++) {
            size_t j = i + 3 * (size_t)k;
            if (j + 2 >= s.n || s.p[j] != '%' || (hi = hex((unsigned char)s.p[j + 1])) < 0 ||
                (lo = hex((unsigned char)s.p[j + 2])) < 0)
                return NULL;
            bytes[k] = (unsigned char)(hi << 4 | lo);
            if ((bytes[k] & 0xc0) != 0x80)
                return NULL;
        }
        unsigned cp = len == 2 ? (c & 0x1fu) : len == 3 ? (c & 0x0fu) : (c & 0x07u);
        for (int k = 1; k < len; k++)
            cp = cp << 6 | (bytes[k] & 0x3fu);
        if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
            return NULL;
        buf_append(&b, (const char *)bytes, (size_t)len);
        i += 3 * (size_t)len - 1;
    }
    return b.p ? b.p : "";
}

const char *files_url_filename(arena_t *a, const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    p += strcspn(p, "/?#");
    size_t n = strcspn(p, "?#");
    str_t path = {p, n};
    /* path.basename: trailing slashes go, then what follows the last one. */
    while (path.n > 1 && path.p[path.n - 1] == '/')
        path.n--;
    for (size_t i = path.n; i > 0; i--)
        if (path.p[i - 1] == '/') {
            path = (str_t){path.p + i, path.n - i};
            break;
        }
    if (str_eq_c(path, "/"))
        path.n = 0;
    return decode_uri(a, path);
}

/* ------------------------------------------------------------------ the download */

typedef struct {
    FILE *f;
    const char *deny;
} dl_t;

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    dl_t *d = ud;
    return fwrite(p, size, n, d->f) * size;
}

/* The agent's check, at every connection after the name was resolved. */
static curl_socket_t on_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *addr)
{
    dl_t *d = ud;
    (void)purpose;
    char text[INET6_ADDRSTRLEN] = "";
    if (addr->family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&addr->addr)->sin_addr, text, sizeof text);
    else if (addr->family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&addr->addr)->sin6_addr, text, sizeof text);
    if (!*text || files_ip_denied(text, d->deny))
        return CURL_SOCKET_BAD;
    return socket(addr->family, addr->socktype, addr->protocol);
}

int files_download(arena_t *a, const char *url, const char *deny, files_download_t *out)
{
    const char *dir = getenv("TMPDIR");
    char *path = arena_printf(a, "%s/celer-import-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    dl_t d = {.f = fdopen(fd, "wb"), .deny = deny};
    CURL *c = d.f ? curl_easy_init() : NULL;
    if (!c) {
        if (d.f)
            fclose(d.f);
        else
            close(fd);
        unlink(path);
        return -1;
    }
    curl_easy_setopt(c, CURLOPT_URL, files_encode_url(a, url));
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_USERAGENT, "axios/1.7.7");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    /* Directus waits forever; a worker gives up on a peer that sends nothing for a minute. */
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &d);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_socket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &d);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    char *eff = NULL, *ct = NULL;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff);
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
    *out = (files_download_t){.path = path,
                              .effective_url = arena_strdup(a, eff ? eff : url),
                              .content_type = ct ? arena_strdup(a, ct) : NULL};
    curl_easy_cleanup(c);
    bool written = fclose(d.f) == 0;
    if (rc != CURLE_OK || status < 200 || status >= 300 || !written) {
        unlink(path);
        return -1;
    }
    return 0;
}
