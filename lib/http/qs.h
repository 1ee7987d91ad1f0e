/*
 * URL query strings with brackets, parsed exactly as Directus 11 sees them: express's "extended"
 * query parser, which is qs 6.13.1 called as qs.parse(s, { depth: 10 }).
 */
#ifndef LIB_HTTP_QS_H
#define LIB_HTTP_QS_H

#include <stddef.h>

#include <json-c/json.h>

/*
 * Parses the n bytes of s (the query string without its leading '?'; NUL bytes allowed) into
 * the value require('qs').parse(s, { depth: 10 }) returns, so that JSON.stringify of both prints
 * the same text. qs's defaults apply: 1000 parameters at most (the rest are ignored), array
 * indexes up to 20 (above that the index becomes an object key), 10 levels of brackets (the rest
 * of the key stays one literal key), '+' is a space, a part whose percent-escapes do not decode
 * as UTF-8 is kept undecoded, keys named like Object.prototype properties are dropped, duplicate
 * keys make arrays, and sparse arrays are compacted.
 *
 * Raw (unescaped) bytes of 0x80 and above are copied through as they are, valid UTF-8 or not.
 * Directus never sees them: Node's HTTP parser answers 400 to a request line that holds them.
 * json-c object keys are C strings, so a key containing a NUL byte (from %00) is cut at the NUL
 * in the result (qs keeps the whole key); values keep their NUL bytes.
 *
 * Returns a new json-c object, never NULL ({} for empty input). The caller owns it and releases
 * it with json_object_put() (or json_own() it to an arena). Hostile input cannot make it fail:
 * memory is linear in n and time is linear in n plus a bounded term from the 1000-parameter
 * limit (key lookups compare hashes).
 */
struct json_object *qs_parse(const char *s, size_t n);

#endif
