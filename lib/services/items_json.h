/*
 * Item values as Directus 11.3.5 puts them in JSON, per database (spec §7 and §17): what the
 * Node driver hands over (node-pg: int8 and numeric as strings, json parsed, dates as Date;
 * mysql2: DECIMAL as string, BIGINT as a lossy number, dates as Date; sqlite3: stored values as
 * they are), then PayloadService.processValues('read') (cast-json, cast-boolean, cast-csv,
 * conceal, and dateTime / date / timestamp formatting under TZ=UTC), then JSON.stringify.
 */
#ifndef LIB_SERVICES_ITEMS_JSON_H
#define LIB_SERVICES_ITEMS_JSON_H

#include "lib/core/arena.h"
#include "lib/core/buf.h"
#include "lib/db/db.h"
#include "lib/sql/plan.h"

/* Appends the JSON of cell v, selected as col, read from a column described by meta. */
void items_json_cell(buf_t *b, arena_t *a, db_dialect_t d, const plan_col_t *col,
                     const db_column_t *meta, const db_value_t *v);

/* Directus's in-memory re-sort of nested o2m rows (mergeWithParentItems): -1, 0 or 1 comparing
 * the values as JavaScript would hold them after processValues, nulls last in both directions. */
int items_json_compare(db_dialect_t d, const plan_col_t *col, const db_value_t *x,
                       const db_value_t *y, bool desc);

/* The default value of a field as Directus's readSingleton synthesizes it (the schema's
 * default_value), as JSON. */
void items_json_default(buf_t *b, const schema_field_t *f);

#endif
