/*
 * Cookies the way Directus's express stack reads and writes them: the Cookie header through
 * cookie-parser 1.4.7 (cookie 0.7.2's parse, then its "j:" JSON cookies), and Set-Cookie through
 * express 4.20's res.cookie() / res.clearCookie() (cookie 0.6.0's serialize).
 */
#ifndef LIB_AUTH_COOKIE_H
#define LIB_AUTH_COOKIE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/core/arena.h"
#include "lib/core/str.h"

/*
 * The value of the cookie `name` in a Cookie header value, or STR_NULL (p == NULL) when there is
 * none. As cookie.parse: pairs split at ';', the first pair with a name wins, spaces and tabs
 * around names and values are trimmed, one pair of double quotes is removed, and a value with
 * '%' is percent-decoded unless that fails (then it stays as sent). A "j:" value that parses
 * as a JSON string becomes that string (cookie-parser's JSON cookies). The result points into
 * header or into a.
 */
str_t cookie_get(arena_t *a, str_t header, const char *name);

typedef struct {
    int64_t max_age_ms; /* < 0: neither Max-Age nor Expires */
    const char *domain; /* NULL: no Domain */
    bool http_only;
    bool secure;
    const char *same_site; /* "lax", "strict", "none" (any case) or NULL */
} cookie_opts_t;

/*
 * The Set-Cookie value res.cookie(name, value, opts) makes at now_ms:
 * `name=<encodeURIComponent(value)>; Max-Age=<s>; Domain=..; Path=/; Expires=<date>; HttpOnly;
 * Secure; SameSite=Lax`. In a.
 */
char *cookie_serialize(arena_t *a, const char *name, str_t value, const cookie_opts_t *o,
                       int64_t now_ms);

/*
 * res.clearCookie(name, opts) of express 4.20. Directus passes its cookie options, maxAge
 * included, and res.cookie() then recomputes Expires from maxAge: the "cleared" cookie is an
 * empty value that lives for Max-Age (Directus 11.3.5 really sends that). In a.
 */
char *cookie_clear(arena_t *a, const char *name, const cookie_opts_t *o, int64_t now_ms);

#endif
