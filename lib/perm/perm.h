/*
 * Permissions as Directus 11.3.5 merges them. Reads (fetchPermissions, dedupeAccess, getCases,
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
 * Read rows with identical rules are merged first (their fields unioned), as dedupeAccess does;
 * rows of the write actions are kept one by one (their validation and presets differ), and
 * perm_process_payload applies them as processPayload does (see there).
 * Dynamic variables ($CURRENT_USER, $CURRENT_ROLE, $CURRENT_ROLES, $NOW) are resolved while the
 * rules are parsed, with the request's environment.
 *
 * The stored rows come through the per-worker cache (lib/perm/cache.h); rules are parsed per
 * request, so $CURRENT_USER, $NOW, … always hold the request's values.
 *
 * lib/perm sits below lib/sql: it takes plain facts about the caller, not the accountability
 * type of lib/auth, and hands lib/sql/plan parsed filters, not SQL. (It borrows lib/auth's
 * JavaScript regex matcher for _regex validation.)
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

typedef enum { PERM_READ, PERM_CREATE, PERM_UPDATE, PERM_DELETE, PERM_SHARE } perm_action_t;

/* "read", "create", … as directus_permissions.action spells it. */
const char *perm_action_name(perm_action_t action);

/* One permission row (for reads: the rows of one rule, deduplicated): its rule, the fields it
 * grants, and for write actions its validation and presets. */
typedef struct {
    const char *rule_text; /* the rule as stored (dedupe key); NULL: no condition */
    qfilter_t *rule;       /* parsed, variables resolved; NULL: every row */
    bool all_fields;       /* fields contains "*" */
    str_t *fields;         /* in the order the rows list them */
    size_t nfields;
    /* Write actions only (read rows leave them NULL): */
    qfilter_t *validation;               /* parsed `validation`, variables resolved; NULL: none */
    struct json_object *validation_json; /* the same as parseFilter's JSON (validatePayload's
                                            input); NULL: none */
    struct json_object *presets;         /* `presets`, dynamic variables resolved; NULL: none */
} perm_rule_t;

/* The rows of one collection. */
typedef struct {
    const char *collection;
    perm_rule_t *rules;
    size_t nrules;
    bool app_pending; /* the app access minimal rows are still to be added (perm_coll does) */
} perm_coll_t;

/* Everything the caller may do for one action. Built per request in its arena. */
typedef struct perm_set {
    perm_coll_t *colls;
    size_t ncolls;
    perm_action_t action;
    /* Where the pending app access minimal rows are parsed: most requests touch none of those
     * system collections, so their rules are parsed the first time perm_coll asks for one. */
    arena_t *app_arena;
    const qfilter_env_t *app_env;
} perm_set_t;

/*
 * Adds one permission row (collection, `fields` CSV or STR_NULL, `permissions` JSON text or
 * STR_NULL) to ps, merging it with a row of the same rule. Variables in the rule resolve through
 * env. Allocated in a. -1 with 500 set in e when the stored rule is not valid JSON.
 */
int perm_set_add(arena_t *a, err_t *e, perm_set_t *ps, const qfilter_env_t *env,
                 const char *collection, str_t fields, str_t rule_json);

/*
 * Adds one write-action row to ps as it is (no merging): rule, fields, `validation` (parsed as
 * parseFilter does, variables resolved) and `presets` (parsePreset) from their stored JSON text,
 * STR_NULL for SQL NULL. -1 with 500 set when stored JSON is not valid.
 */
int perm_set_add_row(arena_t *a, err_t *e, perm_set_t *ps, const qfilter_env_t *env,
                     const char *collection, str_t fields, str_t rule_json, str_t validation,
                     str_t presets);

/* One row of Directus's appAccessMinimalPermissions as packages/system-data states it: rule
 * (`permissions`) and validation as JSON text or NULL (none), fields as a CSV. */
typedef struct {
    const char *collection, *action, *rule, *validation, *fields;
} perm_app_row_t;

/* The app access minimal rows in Directus's order: i < perm_app_minimal_count(); static data,
 * NULL past the end. */
size_t perm_app_minimal_count(void);
const perm_app_row_t *perm_app_minimal_at(size_t i);

/* Directus's app access minimal rows of ps->action (system collections) added to ps: each
 * collection's rows when perm_coll first asks for it (env is copied into a). */
void perm_set_add_app_minimal(arena_t *a, perm_set_t *ps, const qfilter_env_t *env);

/* The records dynamic variables with a path read from (fetchDynamicVariableContext). */
typedef enum {
    PERM_CTX_USER,    /* $CURRENT_USER.<path>: the user's record */
    PERM_CTX_ROLE,    /* $CURRENT_ROLE.<path>: the role's record */
    PERM_CTX_ROLES,   /* $CURRENT_ROLES.<path>: the records of every role of the caller */
    PERM_CTX_POLICIES /* $CURRENT_POLICIES.<path>: the records of the caller's policies */
} perm_ctx_kind_t;

/*
 * Reads the records of keys in the collection kind names, with just paths as fields (relations
 * nested), as an admin would: *out a JSON object (USER, ROLE: one key) or array (ROLES,
 * POLICIES) in the request arena, or NULL when it cannot be read. -1 with the error in the
 * caller's context.
 */
typedef int (*perm_context_fn)(void *ud, perm_ctx_kind_t kind, const char *const *keys,
                               size_t nkeys, const str_t *paths, size_t npaths,
                               const struct json_object **out);

/*
 * Loads who's permissions for action into *out (allocated in a): the rows of who->policies for
 * that action (through the per-worker cache), plus Directus's app minimal rows of that action
 * when who->app. Not for admins (they bypass: callers pass no set). Variables in the rules,
 * validations and presets resolve through env plus $CURRENT_POLICIES (who's policies) and, when
 * fetch is given, $CURRENT_USER.<path>, $CURRENT_ROLE.<path>, $CURRENT_ROLES.<path> and
 * $CURRENT_POLICIES.<path> from the records fetch reads (the layer above owns the read engine;
 * called only when such a path occurs). -1 with e set on a database error.
 */
int perm_load(arena_t *a, err_t *e, db_conn_t *db, const perm_subject_t *who,
              const qfilter_env_t *env, perm_action_t action, perm_context_fn fetch, void *ud,
              perm_set_t *out);

/* perm_load for PERM_READ. */
int perm_load_read(arena_t *a, err_t *e, db_conn_t *db, const perm_subject_t *who,
                   const qfilter_env_t *env, perm_context_fn fetch, void *ud, perm_set_t *out);

/*
 * Directus 11.3.5 processPayload (api/src/permissions/modules/process-payload) for one item's
 * payload (a JSON object, nested relational values still in it) of collection c, action
 * PERM_CREATE or PERM_UPDATE, with ps from perm_load for that action (NULL: admin — no
 * permission part, but field validation and the required/not-null checks still run):
 *  - no row for (c, action) → 403 FORBIDDEN, reason `You don't have permission to "<action>"
 *    from collection "<c>" or it does not exist.`;
 *  - payload keys outside the union of the rows' fields (no "*") → 403 FORBIDDEN naming them;
 *  - validation: for each field of c in order, {f:{_submitted:true}} (create, not nullable, no
 *    default) and {f:{_nnull:true}} (not nullable) and directus_fields.validation; then every
 *    row's validation; AND-ed and evaluated by perm_validate over the payload with presets →
 *    400 FAILED_VALIDATION, one entry per failure, in that order;
 *  - *out: a new object, the rows' presets (in row order) with the payload's keys over them.
 * A payload that is not an object is the caller's to refuse first (as Directus's services do);
 * here it gets 400 INVALID_PAYLOAD "Payload has to be an object".
 * env is unused today (presets were resolved by perm_load) and kept for callers' symmetry.
 * -1 with e set on failure.
 */
int perm_process_payload(arena_t *a, err_t *e, const schema_collection_t *c, const perm_set_t *ps,
                         perm_action_t action, const qfilter_env_t *env,
                         struct json_object *payload, struct json_object **out);

/*
 * fetchAccountabilityCollectionAccess for a caller that is not an admin: appends
 * {"<collection>":{"read":{"access":"none|full|partial","fields":[…],"presets":{…}},"create":…,
 * "update":…,"delete":…,"share":…},…} for every collection with a permission row of who's
 * policies (plus the app minimal rows for app users), in the order the rows come. Presets have
 * their dynamic variables resolved as perm_load resolves them (env, fetch, ud likewise). -1 with
 * e set on a database error.
 */
int perm_collection_access(arena_t *a, err_t *e, db_conn_t *db, const perm_subject_t *who,
                           const qfilter_env_t *env, perm_context_fn fetch, void *ud, buf_t *out);

/* fetchAccountabilityPolicyGlobals's enforce_tfa: whether one of who's policies enforces TFA.
 * -1 with e set on a database error. */
int perm_enforce_tfa(arena_t *a, err_t *e, db_conn_t *db, const perm_subject_t *who, bool *out);

/* The collection's entry, or NULL when the caller may not read it at all. Borrowed from ps. */
const perm_coll_t *perm_coll(const perm_set_t *ps, str_t collection);

/* Whether some row grants field (or "*"). (For every action: the rows' `fields`.) */
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
