/*
 * directus_activity and directus_revisions rows as Directus 11.3.5's ActivityService and
 * RevisionsService write them for item mutations (no accountability of their own: plain
 * inserts), inside the caller's transaction.
 */
#ifndef LIB_SERVICES_ACTIVITY_H
#define LIB_SERVICES_ACTIVITY_H

#include <stddef.h>
#include <stdint.h>

#include "lib/core/arena.h"
#include "lib/core/err.h"
#include "lib/db/db.h"
#include "lib/services/write.h"

/* One activity row (action "create", "update", "delete", ...) for item of collection, by
 * actor; the database stamps `timestamp`. *id: the new row's id. */
int activity_add(arena_t *a, err_t *e, db_conn_t *db, const write_actor_t *actor,
                 const char *action, const char *collection, const char *item, int64_t *id);

/* One revision row; data and delta are JSON text or NULL. *id: the new row's id. */
int activity_revision_add(arena_t *a, err_t *e, db_conn_t *db, int64_t activity,
                          const char *collection, const char *item, const char *data,
                          const char *delta, int64_t *id);

/* Sets `parent` of the revisions ids (nested writes) to parent. */
int activity_revisions_parent(arena_t *a, err_t *e, db_conn_t *db, int64_t parent,
                              const int64_t *ids, size_t n);

#endif
