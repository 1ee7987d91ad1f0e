/*
 * JSON output with JSON.stringify's exact text: json-c objects in, bytes out. json-c's own
 * serializer differs from JavaScript (it escapes '/', prints 0.1 as 0.10000000000000001), and
 * every byte matters because clients and ETags compare them.
 */
#ifndef LIB_CORE_JSON_H
#define LIB_CORE_JSON_H

#include <json-c/json.h>
#include <stdbool.h>

#include "lib/core/arena.h"
#include "lib/core/buf.h"
#include "lib/core/str.h"

/* Appends o as JSON.stringify(o) would print it (NULL is null). Object keys keep insertion
 * order. Doubles use the shortest text that reads back as the same number; NaN and infinities
 * print as null, as in JavaScript. */
void json_write(buf_t *b, const struct json_object *o);

/* Appends d as JSON.stringify prints a number: shortest round-trip digits, "1e+21" style outside
 * [1e-7, 1e21), null for NaN and the infinities. */
void json_write_double(buf_t *b, double d);

/* Appends s as a JSON string literal, quotes included. */
void json_write_str(buf_t *b, str_t s);

/*
 * Whether JSON.stringify(JSON.parse(s)) is s itself, byte for byte, so that a stored JSON text can
 * be copied out instead of parsed and printed again. Conservative: false whenever unsure (any
 * whitespace between tokens, escapes, exponents, trailing zeros, more than 15 significant
 * digits, duplicate or array-index keys, surrogate or invalid UTF-8 bytes, nesting deeper than
 * 64); the caller then takes the slow path, which is always right.
 */
bool json_is_canonical(str_t s);

/* Ties a json-c root to the arena: json_object_put(o) runs at the next reset. Returns o. */
struct json_object *json_own(arena_t *a, struct json_object *o);

/* JavaScript truthiness of a parsed JSON value: false for null (NULL), false, 0, NaN and "";
 * true for everything else, empty objects and arrays included. */
bool json_truthy(const struct json_object *v);

/* A json-c string from a slice (embedded NULs kept). */
struct json_object *json_str(str_t s);

#endif
