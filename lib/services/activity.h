/*
 * directus_activity and directus_revisions rows as Directus 11.3.5's ActivityService and
 * RevisionsService write them for item mutations (no accountability of their own: plain
 * inserts), inside the caller's transaction. Many rows go in one multi-row INSERT where the
 * server returns the new ids (INSERT ... RETURNING), else one INSERT per row.
 */
#ifndef LIB_SERVICES_ACTIVITY_H
#define LIB_SERVICES_ACTIVITY_H

#include <stddef.h>
#include <stdint.h>

#include "lib/core/arena.h"
#include "lib/core/err.h"
#include "lib/db/db.h"
#include "lib/services/write.h"

/* n activity rows (action "create", "update", "delete", ...) for items[i] of collection, by
 * actor; the database stamps `timestamp`. ids[i]: the new rows' ids. */
int activity_add(arena_t *a, err_t *e, db_conn_t *db, const write_actor_t *actor,
                 const char *action, const char *collection, const char *const *items, size_t n,
                 int64_t *ids);

/* One revision row per i: activity[i], items[i], data[i] and delta[i] (JSON text or NULL).
 * ids[i]: the new rows' ids. */
typedef struct {
    int64_t activity;
    const char *item, *data, *delta;
} activity_revision_t;
int activity_revisions_add(arena_t *a, err_t *e, db_conn_t *db, const char *collection,
                           const activity_revision_t *revs, size_t n, int64_t *ids);

/* Sets `parent` of the revisions ids (nested writes) to parent. */
int activity_revisions_parent(arena_t *a, err_t *e, db_conn_t *db, int64_t parent,
                              const int64_t *ids, size_t n);

#endif
