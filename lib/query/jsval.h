/*
 * JavaScript's value conversions, for query parameters: Directus runs `Number(x)`, `String(x)`,
 * truthiness tests and `.split(',')` over what qs or JSON.parse produced, and the answers (which
 * limits are numbers, which search terms are numeric, which parameters count as given) follow
 * from those exact rules. Inputs are json-c values as lib/http/qs.c and lib/core/jsonparse.c
 * build them: strings, arrays, objects, and from JSON bodies numbers, booleans and null (NULL).
 */
#ifndef LIB_QUERY_JSVAL_H
#define LIB_QUERY_JSVAL_H

#include <stdbool.h>

#include <json-c/json.h>

#include "lib/core/arena.h"
#include "lib/core/buf.h"
#include "lib/core/str.h"

/* JavaScript's StringToNumber (what `Number("…")` does): surrounding white space ignored, ""
 * is 0, decimal literals with exponent, Infinity, and 0x / 0o / 0b integers; anything else NaN. */
double jsval_str_number(str_t s);

/* `s.trim()`: JavaScript white space and line terminators removed at both ends. */
str_t jsval_trim(str_t s);

/* `Number(v)` for a json-c value: strings as above, numbers as they are, true 1, false and null
 * 0, arrays through their String() form (built in a), objects NaN. */
double jsval_number(arena_t *a, const struct json_object *v);

/* `String(n)` of a number: like JSON.stringify, except NaN, Infinity and -Infinity by name. */
void jsval_number_str(buf_t *b, double d);

/* `String(v)` of a primitive or an array (elements joined by ","; null inside an array gives
 * ""), into a. Objects give "[object Object]". */
str_t jsval_str(arena_t *a, const struct json_object *v);

/* `new Date(s).getTime()` for the ISO 8601 forms (and a space instead of the T, which V8 reads
 * too): date-only forms are UTC, date-times without an offset local time, i.e. UTC (Celer behaves
 * as Directus under TZ=UTC). NaN for anything else. */
double jsval_date_parse(str_t s);

/* `s.toLowerCase()` for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic; other characters
 * are kept. In a. */
str_t jsval_lower(arena_t *a, str_t s);

/* JavaScript truthiness: "" , 0, NaN, false and null are false; arrays and objects true. */
bool jsval_truthy(const struct json_object *v);

/* True for a json-c string. */
bool jsval_is_string(const struct json_object *v);

/* The string content of a json-c string (embedded NULs kept); STR_NULL for anything else. */
str_t jsval_string(const struct json_object *v);

/* `Number.isInteger(d)`, and whether |d| <= 2^53 - 1 (Number.isSafeInteger's range). */
bool jsval_is_integer(double d);
bool jsval_is_safe(double d);

#endif
