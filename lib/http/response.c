/* Response building and Express's finishing touches (etag, fresh, HEAD). */
#include "lib/http/response.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <strings.h>

void response_init(response_t *r, arena_t *a)
{
    memset(r, 0, sizeof(*r));
    r->arena = a;
    r->status = 200;
    buf_init(&r->body, a, 1024);
    r->send_body = true;
}

static long find(const response_t *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (str_ieq_c(r->headers[i].name, name))
            return (long)i;
    return -1;
}

static void append(response_t *r, const char *name, str_t v)
{
    if (r->nheaders == r->headers_cap) {
        size_t cap = r->headers_cap ? r->headers_cap * 2 : 16;
        http_header_t *h = arena_alloc(r->arena, cap * sizeof(*h));
        if (r->nheaders)
            memcpy(h, r->headers, r->nheaders * sizeof(*h));
        r->headers = h;
        r->headers_cap = cap;
    }
    r->headers[r->nheaders++] = (http_header_t){str_c(arena_strdup(r->arena, name)), v};
}

void response_set_header(response_t *r, const char *name, str_t value)
{
    str_t v = {str_dup(r->arena, value), value.n};
    long i = find(r, name);
    if (i >= 0) {
        r->headers[i].value = v;
        return;
    }
    append(r, name, v);
}

void response_add_header(response_t *r, const char *name, str_t value)
{
    append(r, name, (str_t){str_dup(r->arena, value), value.n});
}

void response_set_header_c(response_t *r, const char *name, const char *value)
{
    response_set_header(r, name, str_c(value));
}

void response_remove_header(response_t *r, const char *name)
{
    long i = find(r, name);
    if (i < 0)
        return;
    memmove(&r->headers[i], &r->headers[i + 1], (r->nheaders - (size_t)i - 1) * sizeof(*r->headers));
    r->nheaders--;
}

str_t response_header(const response_t *r, const char *name)
{
    long i = find(r, name);
    return i >= 0 ? r->headers[i].value : STR_NULL;
}

void response_etag(str_t body, char out[64])
{
    unsigned char md[20];
    unsigned int mdlen = 0;
    EVP_Digest(body.p, body.n, md, &mdlen, EVP_sha1(), NULL);
    char b64[32];
    EVP_EncodeBlock((unsigned char *)b64, md, (int)mdlen);
    snprintf(out, 64, "W/\"%zx-%.27s\"", body.n, b64);
}

/* One entity tag of an If-None-Match list against ours, weak comparison (RFC 7232 §2.3.2). */
static bool tag_matches(str_t tag, str_t etag)
{
    str_t w = STR("W/");
    if (str_starts_with(tag, w))
        tag = (str_t){tag.p + 2, tag.n - 2};
    if (str_starts_with(etag, w))
        etag = (str_t){etag.p + 2, etag.n - 2};
    return str_eq(tag, etag);
}

/* Express's req.fresh (the `fresh` package) for If-None-Match. */
static bool request_is_fresh(const request_t *req, str_t etag)
{
    str_t inm = request_header(req, "if-none-match");
    if (!inm.p || !etag.p)
        return false;
    str_t cc = request_header(req, "cache-control");
    for (size_t i = 0; cc.p && i + 8 <= cc.n; i++)
        if (strncasecmp(cc.p + i, "no-cache", 8) == 0)
            return false;
    inm = str_trim(inm);
    if (str_eq_c(inm, "*"))
        return true;
    size_t start = 0;
    for (size_t i = 0; i <= inm.n; i++) {
        if (i == inm.n || inm.p[i] == ',') {
            if (tag_matches(str_trim((str_t){inm.p + start, i - start}), etag))
                return true;
            start = i + 1;
        }
    }
    return false;
}

void response_finish(response_t *r, const request_t *req)
{
    bool head = req->method == HTTP_HEAD;
    if (r->body.n) {
        char etag[64];
        if (!response_header(r, "ETag").p) {
            response_etag(buf_slice(&r->body), etag);
            response_set_header_c(r, "ETag", etag);
        }
        char len[32];
        snprintf(len, sizeof len, "%zu", r->body.n);
        response_set_header_c(r, "Content-Length", len);
    }
    bool cacheable_status = (r->status >= 200 && r->status < 300) || r->status == 304;
    if ((req->method == HTTP_GET || head) && cacheable_status &&
        request_is_fresh(req, response_header(r, "ETag"))) {
        r->status = 304;
        response_remove_header(r, "Content-Type");
        response_remove_header(r, "Content-Length");
        r->send_body = false;
        return;
    }
    if (head || r->status == 204 || r->status == 304)
        r->send_body = false;
}
