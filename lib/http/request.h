/*
 * The HTTP request as Celer's handlers see it: no FastCGI types, every string a slice into
 * memory owned by the request arena. fcgi-app fills it from the FastCGI params and stdin; tests
 * and the realtime worker can build one by hand.
 */
#ifndef LIB_HTTP_REQUEST_H
#define LIB_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/core/arena.h"
#include "lib/core/str.h"

typedef enum {
    HTTP_GET,
    HTTP_HEAD,
    HTTP_POST,
    HTTP_PATCH,
    HTTP_DELETE,
    HTTP_PUT,
    HTTP_SEARCH,
    HTTP_OPTIONS,
    HTTP_OTHER,
} http_method_t;

typedef struct {
    str_t name; /* lower case, '-' separated, as in HTTP/2 */
    str_t value;
} http_header_t;

typedef enum {
    BODY_OK,        /* body holds all of it (possibly empty) */
    BODY_TOO_LARGE, /* longer than MAX_PAYLOAD_SIZE: not kept */
    BODY_ABORTED,   /* the client went away before sending all of it */
} body_state_t;

typedef struct request {
    arena_t *arena;
    unsigned long id;       /* per worker, for log lines */
    http_method_t method;
    str_t method_name;      /* as sent, upper case */
    str_t path;             /* raw (still percent-encoded) path without the query string */
    str_t query;            /* raw query string without '?' */
    http_header_t *headers; /* request headers, content-type and content-length included */
    size_t nheaders;
    size_t headers_cap;
    str_t body;
    body_state_t body_state;
    /* The file nginx spooled the body to (client_body_in_file_only, the /files locations), or
     * NULL. A multipart body stays there (lib/http/multipart reads it mapped); any other is
     * also read into body as usual. */
    const char *body_file;
    str_t remote_addr; /* the client address nginx passed (after realip) */
    bool https;
} request_t;

/* Method enum for a method name (exact, upper case as HTTP requires). */
http_method_t request_method_parse(str_t name);

/* First header with this lower-case name, or STR_NULL (p == NULL) when absent. */
str_t request_header(const request_t *r, const char *name);

/* Adds a header; name is stored lower case with '_' turned into '-' (CGI style names accepted). */
void request_add_header(request_t *r, str_t name, str_t value);

/* Percent-decodes s into the arena ('+' is kept: only query strings treat it as a space). Returns
 * -1 for a malformed escape or a decoded NUL, which Express's router refuses as well. */
int request_url_decode(arena_t *a, str_t s, str_t *out);

/* The client IP as Directus computes it: X-Forwarded-For's first entry when IP_TRUST_PROXY,
 * IP_CUSTOM_HEADER when set and valid, else the socket peer; "::ffff:" prefix removed. */
str_t request_client_ip(const request_t *r, bool trust_proxy, const char *custom_header);

#endif
