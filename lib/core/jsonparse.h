/*
 * JSON text to json-c values with the semantics and the error messages of Node 20's JSON.parse
 * (V8 11.3), optionally preceded by express.json()'s strict check (body-parser 1.20.3), so that
 * request bodies are accepted and refused exactly as Directus 11 does it.
 */
#ifndef LIB_CORE_JSONPARSE_H
#define LIB_CORE_JSONPARSE_H

#include <stddef.h>

#include <json-c/json.h>

#include "lib/core/arena.h"

/* express.json()'s strict mode: a UTF-8 BOM is skipped, an empty body parses as {}, and the
 * first non-whitespace character must be '{' or '[' (else body-parser's error message). */
#define JSONPARSE_STRICT_BODY 1u

/*
 * Parses the n bytes of s as JSON.parse would parse their UTF-8 decoding.
 *
 * On success returns 0 and sets *out to the value, owned by the arena a (json_own(): it is put at
 * the next arena_reset, so json_object_get() it to keep it longer). JSON null is *out == NULL,
 * as json-c represents it. Integral numbers within +/-2^53 are json-c int64, every other number
 * (fractions, -0, larger magnitudes, Infinity for overflow) a double, i.e. what JavaScript holds.
 * Strings are decoded to UTF-8; a \uXXXX escape that leaves a lone surrogate is encoded as its
 * 3-byte WTF-8 form. In an object the last of duplicate keys wins and keeps the first key's
 * position; keys that are array indexes ("0", "42") come first in ascending order, as JavaScript
 * orders them.
 *
 * On failure returns -1, sets *out to NULL and *errmsg (if errmsg is not NULL) to V8's message,
 * e.g. "Unexpected token 'x', \"xyz\" is not valid JSON" or "Expected ',' or '}' after property
 * value in JSON at position 7", positions counted in UTF-16 code units as in JavaScript. The
 * message is an arena string. Nesting deeper than max_depth arrays and objects fails with
 * "Maximum nesting depth exceeded at position N" (V8 has no such limit); the parser is iterative,
 * so no input can exhaust the C stack.
 *
 * Known differences from Node, where bytes cannot carry what a JS string does:
 *  - Invalid UTF-8 inside a string is kept as the raw bytes; Node decodes the body first and would
 *    hold U+FFFD there. Outside strings, messages use U+FFFD as Node does.
 *  - json-c object keys are C strings: a key with a NUL (from \u0000) is cut at the NUL.
 *  - The message is a C string: a NUL character that V8 would quote from the input ends it.
 */
int jsonparse(arena_t *a, const char *s, size_t n, unsigned flags, int max_depth,
              struct json_object **out, const char **errmsg);

#endif
