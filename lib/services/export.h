/*
 * The ?export= formats of Directus's respond middleware besides JSON: the `data` of a read
 * answer rendered byte for byte as the libraries Directus 11.3.5 uses render it —
 *  - csv:  json2csv 5.0.7 with its flatten transform ('.' separator): columns in order of first
 *          appearance, strings quoted, objects and arrays as quoted JSON, rows whose every cell
 *          is empty left out, an empty list as an empty body;
 *  - xml:  js2xmlparser 5.0.0 parse("data", data): 4-space pretty printing, arrays as repeated
 *          elements, its "@" (attributes), "#" (value) and "=" (rename) key conventions;
 *  - yaml: js-yaml 4.1.0 dump() with default options: its scalar style choice (plain, single
 *          quoted, double quoted, literal and folded blocks at 80 columns), counted in UTF-16
 *          code units as JavaScript counts them.
 * Pure functions of the JSON value: no database, no request.
 */
#ifndef LIB_SERVICES_EXPORT_H
#define LIB_SERVICES_EXPORT_H

#include "lib/core/arena.h"
#include "lib/core/buf.h"
#include "lib/core/err.h"

struct json_object;

typedef enum { EXPORT_CSV, EXPORT_XML, EXPORT_YAML } export_format_t;

/* Appends data rendered in format f to out (allocated in a). -1 with 500 INTERNAL_SERVER_ERROR
 * set in e where the library throws (a name XML cannot carry, a character XML forbids, CSV rows
 * that are not objects). */
int export_render(arena_t *a, err_t *e, export_format_t f, const struct json_object *data,
                  buf_t *out);

#endif
