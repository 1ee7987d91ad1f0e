/*
 * Read permissions as Directus 11.3.5 merges them (fetchPermissions, dedupeAccess, getCases,
 * validatePathPermissions, fetchAllowedFields): the directus_permissions rows of the caller's
 * policies for action "read", plus — for app users — Directus's built-in "app access minimal"
 * rows for system collections, grouped per collection.
 *
 * What a collection's entry answers:
 *  - readable: at least one row exists (else 403 "…access collection \"c\"…");
 *  - field allow-list: the union of the rows' `fields` (`*` = all);
 *  - row rule: the OR of the rows' `permissions` filters, or no condition when one row has none;
 *  - per-row field rule: the OR of the rules of the rows granting a field, or none when a row
 *    without condition grants it (Directus's CASE WHEN cases).
 * Rows with identical rules are merged first (their fields unioned), as dedupeAccess does.
 * Dynamic variables ($CURRENT_USER, $CURRENT_ROLE, $CURRENT_ROLES, $NOW) are resolved while the
 * rules are parsed, with the request's environment.
 *
 * lib/perm sits below lib/sql and lib/auth: it takes plain facts about the caller, not the
 * accountability type of lib/auth, and hands lib/sql/plan parsed filters, not SQL.
 */
#ifndef LIB_PERM_PERM_H
#define LIB_PERM_PERM_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/core/arena.h"
#include "lib/core/buf.h"
#include "lib/core/err.h"
#include "lib/core/str.h"
#include "lib/db/db.h"
#include "lib/query/qfilter.h"

/* The caller, as lib/api copies it out of the request's accountability. */
typedef struct {
    bool admin;
    bool app;
    const char *user;            /* NULL for the public */
    const char *role;            /* NULL without a role */
    const char *const *policies; /* directus_policies ids, priority order */
    size_t npolicies;
} perm_subject_t;

/* One deduplicated permission row: its rule and the fields it grants. */
typedef struct {
    const char *rule_text; /* the rule as stored (dedupe key); NULL: no condition */
    qfilter_t *rule;       /* parsed, variables resolved; NULL: every row */
    bool all_fields;       /* fields contains "*" */
    str_t *fields;         /* in the order the rows list them */
    size_t nfields;
} perm_rule_t;

/* The read rows of one collection. */
typedef struct {
    const char *collection;
    perm_rule_t *rules;
    size_t nrules;
} perm_coll_t;

/* Everything the caller may read. Built per request in its arena. */
typedef struct perm_set {
    perm_coll_t *colls;
    size_t ncolls;
} perm_set_t;

/*
 * Adds one permission row (collection, `fields` CSV or STR_NULL, `permissions` JSON text or
 * STR_NULL) to ps, merging it with a row of the same rule. Variables in the rule resolve through
 * env. Allocated in a. -1 with 500 set in e when the stored rule is not valid JSON.
 */
int perm_set_add(arena_t *a, err_t *e, perm_set_t *ps, const qfilter_env_t *env,
                 const char *collection, str_t fields, str_t rule_json);

/* One row of Directus's appAccessMinimalPermissions as packages/system-data states it: rule
 * (`permissions`) and validation as JSON text or NULL (none), fields as a CSV. */
typedef struct {
    const char *collection, *action, *rule, *validation, *fields;
} perm_app_row_t;

/* The app access minimal rows in Directus's order: i < perm_app_minimal_count(); static data,
 * NULL past the end. */
size_t perm_app_minimal_count(void);
const perm_app_row_t *perm_app_minimal_at(size_t i);

/* Directus's app access minimal read rows (system collections) added to ps. */
int perm_set_add_app_minimal(arena_t *a, err_t *e, perm_set_t *ps, const qfilter_env_t *env);

/*
 * Reads the record $CURRENT_USER.<path> (role false) or $CURRENT_ROLE.<path> (role true) refer
 * to, with just those paths as fields (relations nested), as an admin would: *out a JSON object
 * in the request arena, or NULL. -1 with the error in the caller's context.
 */
typedef int (*perm_context_fn)(void *ud, bool role, const str_t *paths, size_t npaths,
                               const struct json_object **out);

/*
 * Loads who's read permissions from db into *out (allocated in a): the rows of who->policies,
 * plus the app minimal rows when who->app. Not for admins (they bypass: callers pass no set).
 * Variables in the rules resolve through env plus $CURRENT_POLICIES (who's policies) and, when
 * fetch is given, $CURRENT_USER.<path> / $CURRENT_ROLE.<path> from the records fetch reads (the
 * layer above owns the read engine). -1 with e set on a database error.
 */
int perm_load_read(arena_t *a, err_t *e, db_conn_t *db, const perm_subject_t *who,
                   const qfilter_env_t *env, perm_context_fn fetch, void *ud, perm_set_t *out);

/*
 * fetchAccountabilityCollectionAccess for a caller that is not an admin: appends
 * {"<collection>":{"read":{"access":"none|full|partial","fields":[…],"presets":{…}},"create":…,
 * "update":…,"delete":…,"share":…},…} for every collection with a permission row of who's
 * policies (plus the app minimal rows for app users), in the order the rows come. -1 with e set
 * on a database error.
 */
int perm_collection_access(arena_t *a, err_t *e, db_conn_t *db, const perm_subject_t *who,
                           buf_t *out);

/* fetchAccountabilityPolicyGlobals's enforce_tfa: whether one of who's policies enforces TFA.
 * -1 with e set on a database error. */
int perm_enforce_tfa(arena_t *a, err_t *e, db_conn_t *db, const perm_subject_t *who, bool *out);

/* The collection's entry, or NULL when the caller may not read it at all. Borrowed from ps. */
const perm_coll_t *perm_coll(const perm_set_t *ps, str_t collection);

/* Whether some row grants field (or "*"). */
bool perm_can_read_field(const perm_coll_t *pc, str_t field);

/* Whether some row grants "*". */
bool perm_all_fields(const perm_coll_t *pc);

/* The union of the granted fields in row order, duplicates removed ("*" left out). In a. */
size_t perm_fields(arena_t *a, const perm_coll_t *pc, str_t **out);

/* The row rule: OR of the rules, or NULL when some row has no condition. In a. */
qfilter_t *perm_row_rule(arena_t *a, const perm_coll_t *pc);

/*
 * The per-row rule of field: NULL when it needs no masking (a row without condition grants it,
 * or every row does, so the row rule already implies it), otherwise the OR of the rules of the
 * rows granting it (or "*"); *denied is set when no row grants it. In a.
 */
qfilter_t *perm_field_rule(arena_t *a, const perm_coll_t *pc, str_t field, bool *denied);

/* `(a) AND (b)` as a filter tree, either side may be NULL. In a. */
qfilter_t *perm_and(arena_t *a, qfilter_t *x, qfilter_t *y);

#endif
