/*
 * The items read service: runs a plan (lib/sql/plan) and writes the answer Directus's
 * ItemsService + MetaService give for it. Statements: one for the root, one per to-many node
 * with the keys of its parents in an IN list (never one per row), then the meta counts asked for.
 * Nested o2m rows are grouped per parent, sliced per parent (deep _limit/_offset/_page, default
 * QUERY_LIMIT_DEFAULT) and re-sorted by the first sort key, as mergeWithParentItems does.
 */
#ifndef LIB_SERVICES_ITEMS_H
#define LIB_SERVICES_ITEMS_H

#include "lib/core/arena.h"
#include "lib/core/buf.h"
#include "lib/core/err.h"
#include "lib/db/db.h"
#include "lib/sql/plan.h"

typedef enum {
    ITEMS_LIST,      /* readByQuery / readMany: {"meta"?,"data":[…]} */
    ITEMS_ONE,       /* readOne: {"data":{…}}; no row → 403 FORBIDDEN */
    ITEMS_SINGLETON, /* readSingleton: {"meta"?,"data":{…}}, defaults when the table is empty */
} items_shape_t;

/*
 * Runs p on db and appends the JSON envelope to out. Everything is allocated in a. Returns 0,
 * or -1 with e set: 403 FORBIDDEN for a missing item (ITEMS_ONE), 400 INVALID_QUERY when a value
 * cannot be bound, the database's errors as lib/db maps them (503 when it is down).
 */
int items_read(arena_t *a, err_t *e, db_conn_t *db, const plan_t *p, items_shape_t shape,
               buf_t *out);

/* The statements items_read ran for the data (meta counts excluded) in the last call; for tests
 * of the statement bound. */
size_t items_last_statements(void);

#endif
