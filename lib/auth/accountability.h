/*
 * Who is calling: the accountability Directus 11 builds for every request (its authenticate
 * middleware, getAccountabilityForToken, fetchRolesTree, fetchGlobalAccess and fetchPolicies),
 * computed once per request and read by every layer above (permissions, services, handlers).
 *
 * Sources, in Directus's order: no token → the public; a token that decodes as a JWT issued by
 * "directus" → an access token (HS256 with SECRET; its id, role, session and share claims are
 * trusted, its app_access / admin_access claims are not); anything else → a static token
 * (directus_users.token of an active user).
 */
#ifndef LIB_AUTH_ACCOUNTABILITY_H
#define LIB_AUTH_ACCOUNTABILITY_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/core/arena.h"
#include "lib/core/conf.h"
#include "lib/core/err.h"
#include "lib/core/str.h"
#include "lib/db/db.h"

/* How the caller authenticated. */
typedef enum {
    ACC_PUBLIC,       /* no token at all */
    ACC_JWT,          /* access token (Bearer, ?access_token or the session cookie) */
    ACC_STATIC_TOKEN, /* directus_users.token */
} acc_source_t;

/*
 * Every string is NUL-terminated and lives in the request arena (never keep a pointer past the
 * request). Arrays are NULL when empty. Filled by accountability_authenticate(); the layers
 * above only read it.
 */
typedef struct accountability {
    acc_source_t source;
    const char *user;   /* directus_users.id (uuid text); NULL for the public and share sessions */
    const char *role;   /* the user's role id (JWT `role` claim, or directus_users.role for static
                         * tokens); NULL for the public and users without a role */
    const char **roles; /* the role chain (fetchRolesTree): the root ancestor first, `role`
                         * last; what $CURRENT_ROLES means. nroles 0 when role is NULL */
    size_t nroles;
    const char **policies; /* directus_policies.id in priority order, as fetchPolicies lists
                            * them: policies of parent roles first, then of the role itself
                            * (each role's by directus_access.sort), the user's own last; a
                            * caller without a role gets the public policies (access rows with
                            * role and user null) instead of role policies, in directus_access
                            * .sort order with its own. Policies whose ip_access does not match
                            * `ip` (or any ip_access when ip is unknown) are left out. What
                            * $CURRENT_POLICIES means; lib/perm reads their directus_permissions
                            * rows. Valid once policies_loaded: see accountability_policies(). */
    size_t npolicies;
    bool policies_loaded; /* read-only: true for token callers after authentication; false for
                           * the public until accountability_policies() ran */
    bool admin;     /* some policy of the role chain or of the user has admin_access (IP-checked
                     * as fetchGlobalAccess does: an unknown IP does not exclude a policy here) */
    bool app;       /* admin, or some such policy has app_access */
    const char *ip; /* client IP (IP_TRUST_PROXY / IP_CUSTOM_HEADER applied) or NULL */
    const char *user_agent; /* User-Agent cut to 1024 UTF-16 units, NULL when absent */
    const char *origin;     /* Origin header, NULL when absent */
    const char *session;    /* `session` claim of a session-cookie JWT (the session row's
                             * token), NULL otherwise */
    const char *share;      /* `share` claim of a share session JWT, NULL otherwise */
} accountability_t;

/* The public accountability (createDefaultAccountability): no user, no role, no access, with
 * the request's ip, user agent and origin (any may be NULL; copied into a). */
void accountability_init(accountability_t *acc, arena_t *a, const char *ip, str_t user_agent,
                         str_t origin);

/*
 * getAccountabilityForToken plus fetchPolicies: resolves token (STR_NULL or empty: the public,
 * resolved without touching the database) into acc, which accountability_init() prepared. On
 * failure sets e: 401 TOKEN_EXPIRED for an expired access token, 403 INVALID_TOKEN for a bad
 * signature or missing claims, 401 INVALID_CREDENTIALS for a session JWT whose session row is gone
 * or an unknown static token, 500 for a role cycle, 503 for a lost database. acc->source tells
 * whether the token was taken for an access token or a static token, whatever the outcome.
 * What it reads is kept in the per-worker accountability cache (acccache.h): a repeat caller
 * costs no SQL; changes show at a generation bump or within GEN_MAX_AGE_MS.
 */
int accountability_authenticate(accountability_t *acc, arena_t *a, err_t *e, db_conn_t *db,
                                const conf_t *conf, str_t token);

/*
 * Makes sure acc->policies is filled (one query) and returns 0, or -1 with e set on a database
 * error. Authentication fills it for token callers; for the public it waits until a layer needs
 * it, because Directus's authenticate does not touch the database for a request without a token
 * (so /server/health still answers {"status":"error"} while the database is down).
 */
int accountability_policies(accountability_t *acc, arena_t *a, err_t *e, db_conn_t *db);

/*
 * fetchRolesTree: the chain from role up through directus_roles.parent, returned root first
 * (role NULL: none). A role that does not exist ends the chain where it is; a cycle is an
 * error (500, "Recursion encountered ..."). Strings and array in a.
 */
int accountability_roles(arena_t *a, err_t *e, db_conn_t *db, const char *role, const char ***roles,
                         size_t *nroles);

/*
 * Fills acc->admin, acc->app (fetchGlobalAccess) and acc->policies (fetchPolicies) from
 * acc->user, acc->roles and acc->ip with one query on directus_access joined to
 * directus_policies. Used by authentication and by login/refresh, which put the flags into
 * the tokens they sign.
 */
int accountability_load_access(accountability_t *acc, arena_t *a, err_t *e, db_conn_t *db);

#endif
