/*
 * The HTTP response a handler builds: status, headers in the order they were set, body bytes.
 * response_finish() applies what Express does on the way out (weak ETag, 304 for a matching
 * If-None-Match, no body on HEAD) so that every route gets it the same way.
 */
#ifndef LIB_HTTP_RESPONSE_H
#define LIB_HTTP_RESPONSE_H

#include <stdbool.h>

#include "lib/core/arena.h"
#include "lib/core/buf.h"
#include "lib/http/request.h"

typedef struct response {
    arena_t *arena;         /* read-only */
    int status;
    http_header_t *headers; /* read-only: names as sent ("Content-Type") */
    size_t nheaders;        /* read-only */
    size_t headers_cap;     /* read-only */
    buf_t body;
    bool send_body; /* read-only: false for HEAD and 304 (set by response_finish) */
} response_t;

/* An empty 200 response allocating from a. */
void response_init(response_t *r, arena_t *a);

/* Sets a header, replacing one of the same name (case-insensitive). Value is copied. */
void response_set_header(response_t *r, const char *name, str_t value);
void response_set_header_c(response_t *r, const char *name, const char *value);
/* Adds a header even when one of the same name exists (Set-Cookie: one line per cookie). */
void response_add_header(response_t *r, const char *name, str_t value);
void response_remove_header(response_t *r, const char *name);
/* Value of a header, or STR_NULL. */
str_t response_header(const response_t *r, const char *name);

/* Express's weak ETag of a body: W/"<len hex>-<base64(sha1)[0:27]>", NUL-terminated in buf. */
void response_etag(str_t body, char out[64]);

/* Completes the response for the request: Content-Length, ETag on a non-empty body, 304 when
 * the request's If-None-Match matches (GET/HEAD, 2xx, no `Cache-Control: no-cache`), and no body
 * for HEAD. Call once, after the handler and the headers are done. */
void response_finish(response_t *r, const request_t *req);

#endif
