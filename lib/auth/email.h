/*
 * Email addresses as Joi 17's string().email() judges them (the check behind POST /auth/login's
 * `"email" must be a valid email`), i.e. @sideway/address 4.1.5 with its defaults: one '@', a
 * dot-atom local part of at most 64 bytes (UTF-8 letters allowed), a domain of at least two
 * labels whose last one is a known IANA top-level domain, 254 characters at most.
 */
#ifndef LIB_AUTH_EMAIL_H
#define LIB_AUTH_EMAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/core/arena.h"
#include "lib/core/str.h"

/*
 * Is s (the UTF-8 bytes of a JSON string, NULs included) a valid address? Internationalised
 * domains are punycode-encoded label by label before the checks, as WHATWG URL host parsing does;
 * unlike Node, the text is not NFC-normalised first and non-ASCII letters are not case-mapped
 * (UTS #46), which only matters for exotic addresses. a holds scratch memory.
 */
bool email_is_valid(arena_t *a, str_t s);

/* RFC 3492 punycode of one label's UTF-8 text, without the "xn--" prefix, into a. NULL when
 * the text is not valid UTF-8 or the result would be longer than 63 characters. */
char *email_punycode(arena_t *a, str_t label);

/* Length of s in UTF-16 code units, as JavaScript's .length counts (an invalid byte counts 1). */
size_t email_utf16_len(str_t s);

#endif
