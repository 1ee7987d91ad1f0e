/*
 * Permissions for reads — TODAY A STUB THAT FAILS CLOSED.
 *
 * Every read of items goes through perm_read_check() after the query is planned and before any
 * SQL runs, so that the permissions issue can fill in Directus's policy evaluation (row filters
 * as cases, field allow-lists, presets) in one place. What it does today, and nothing more:
 *  - an admin (some policy with admin_access) may read everything;
 *  - anyone else — the public, app users, every role — gets 403 FORBIDDEN "You don't have
 *    permission to access this." for every collection, so no row can leak before the real
 *    rules exist. It does not look at directus_permissions at all.
 *
 * lib/perm sits below lib/sql and lib/auth: it takes plain facts about the caller, not the
 * accountability type of lib/auth, and the parsed query, not the SQL plan.
 */
#ifndef LIB_PERM_PERM_H
#define LIB_PERM_PERM_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/core/arena.h"
#include "lib/core/err.h"
#include "lib/query/query.h"
#include "lib/schema/schema.h"

/* The caller, as lib/api copies it out of the request's accountability. */
typedef struct {
    bool admin;
    bool app;
    const char *user;            /* NULL for the public */
    const char *role;            /* NULL without a role */
    const char *const *policies; /* directus_policies ids, priority order */
    size_t npolicies;
} perm_subject_t;

/* May who read coll with query q? 0 when allowed; -1 with 403 FORBIDDEN set in e otherwise.
 * Today: allowed for admins only (see above). */
int perm_read_check(arena_t *a, err_t *e, const perm_subject_t *who,
                    const schema_collection_t *coll, const query_t *q);

#endif
