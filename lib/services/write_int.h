/*
 * Private to lib/services/write*.c: what the parts of the write service share. write.c holds
 * the service (create, update, delete, permissions, statements), write_payload.c Directus's
 * PayloadService value processing (specials, dates, JSON, revision deltas), write_nested.c its
 * nested relational writes (m2o, a2o, o2m), write_sort.c UtilsService.sort. Nothing outside
 * these files and their tests includes this header.
 */
#ifndef LIB_SERVICES_WRITE_INT_H
#define LIB_SERVICES_WRITE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/db/db.h"
#include "lib/schema/schema.h"
#include "lib/services/write.h"
#include "lib/sql/sqlbuf.h"

struct json_object;

/* ---- JSON and keys (write.c) ---- */

/* o tied to the request arena (json_own); NULL stays NULL. */
struct json_object *wr_own(write_t *w, struct json_object *o);
/* o[key] or NULL; whether o has key; obj[key] = v (v shared, not moved). */
struct json_object *wr_get(struct json_object *o, const char *key);
bool wr_has(struct json_object *o, const char *key);
void wr_put(struct json_object *obj, const char *key, struct json_object *v);
bool wr_is_object(const struct json_object *v);
/* A shallow copy of an object (lodash clone / spread); {} for anything else. */
struct json_object *wr_copy(write_t *w, struct json_object *src);
/* A key as a bound value, and a result cell as a key (numbers stay numbers). */
db_value_t wr_key_value(const struct json_object *key);
struct json_object *wr_cell_key(write_t *w, const db_value_t *v);
void wr_keys_push(write_t *w, write_keys_t *k, size_t *cap, struct json_object *key);
/* validateKeys over a list: 403 FORBIDDEN on the first malformed key. */
int wr_keys_valid(write_t *w, const schema_collection_t *c, const write_keys_t *keys);
/* QUERY_LIMIT_DEFAULT as getKeysByQuery reads with it. */
int64_t wr_limit_default(const write_t *w);

/* ---- statements (write.c) ---- */

/* Renders b for the connection's dialect and runs it; out may be NULL. */
int wr_run(write_t *w, const sqlbuf_t *b, db_result_t *out);

/* A statement about to change c's rows: c joins w->written, and the pool caches a system
 * collection feeds are marked stale. */
void wr_note_write(write_t *w, const schema_collection_t *c);
/* "(?, ?, ...)" with keys bound. */
void wr_in_list(sqlbuf_t *b, const write_keys_t *keys);
/* SELECT cols FROM c WHERE pk = key LIMIT 1 */
int wr_select_by_key(write_t *w, const schema_collection_t *c, const char *const *cols,
                     size_t ncols, struct json_object *key, db_result_t *r);
/* Whether the row with key exists. */
int wr_row_exists(write_t *w, const schema_collection_t *c, struct json_object *key, bool *out);

/* ---- column payloads (write_payload.c) ---- */

typedef enum { WR_CREATE, WR_UPDATE } wr_act_t;

typedef struct {
    const schema_field_t *f;
    struct json_object *v; /* when !date */
    bool date;             /* a Date: ms */
    int64_t ms;
} wr_col_t;

typedef struct {
    wr_col_t *v;
    size_t n, cap;
} wr_cols_t;

/* pick(payload, fields without aliases [and the pk on update]) then processValues for act:
 * specials, dates (400 INVALID_PAYLOAD for a bad date), in field order. */
int wr_build_cols(write_t *w, const schema_collection_t *c, struct json_object *payload,
                  wr_act_t act, wr_cols_t *cols);
wr_col_t *wr_cols_find(wr_cols_t *cols, const schema_field_t *f);
/* qsort comparator: columns by name (knex lists insert columns sorted). */
int wr_cmp_cols(const void *x, const void *y);
/* A column's value as the driver binds it (Dates per dialect, objects as JSON text). */
db_value_t wr_col_bind(write_t *w, const wr_col_t *col);
/* prepareDelta of a request payload (create) or of processed columns (update): JSON text, or
 * NULL when there is nothing in it. */
const char *wr_delta_payload(write_t *w, const schema_collection_t *c, struct json_object *payload);
const char *wr_delta_cols(write_t *w, const wr_cols_t *cols);

/* ---- nested relations (write_nested.c) ---- */

/* processM2O / processA2O: related objects written, their keys put in payload (in place). */
int wr_process_m2o(write_t *w, const schema_collection_t *c, struct json_object *payload,
                   write_revs_t *revs);
int wr_process_a2o(write_t *w, const schema_collection_t *c, struct json_object *payload,
                   write_revs_t *revs);
/* processO2M for the item with key parent. */
int wr_process_o2m(write_t *w, const schema_collection_t *c, struct json_object *payload,
                   struct json_object *parent, write_revs_t *revs);

#endif
