/*
 * From a token to an accountability. The access rows of the caller are read once and serve two
 * Directus computations with slightly different rules, kept apart on purpose:
 *   - fetchGlobalAccess (admin/app flags): rows of the role chain plus the user's own rows; a
 *     policy with ip_access is skipped only when the IP is known and does not match;
 *   - fetchPolicies (the policy list): the same rows, or the public rows for a caller without a
 *     role; a policy with ip_access is dropped unless the IP is known and matches.
 * What the database said (static token → user, role chain, access rows) is kept in the
 * per-worker accountability cache (acccache.h); both computations run per request on it, since
 * they depend on the request's IP.
 */
#include "lib/auth/accountability.h"

#include <json-c/json.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/auth/acccache.h"
#include "lib/auth/authdb.h"
#include "lib/auth/ipmatch.h"
#include "lib/auth/jwt.h"
#include "lib/auth/tokencache.h"
#include "lib/cache/generation.h"
#include "lib/core/buf.h"
#include "lib/core/log.h"

/* Directus trims user agents with .substring(0, 1024): UTF-16 units, never a broken sequence
 * here (a surrogate pair cut in half becomes a lone surrogate in Node, dropped here). */
static const char *cut_user_agent(arena_t *a, str_t ua)
{
    size_t units = 0, i = 0;
    while (i < ua.n) {
        unsigned char c = (unsigned char)ua.p[i];
        size_t len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        size_t w = len == 4 ? 2 : 1;
        if (units + w > 1024 || i + len > ua.n)
            break;
        units += w;
        i += len;
    }
    return arena_strndup(a, ua.p, i);
}

void accountability_init(accountability_t *acc, arena_t *a, const char *ip, str_t user_agent,
                         str_t origin)
{
    memset(acc, 0, sizeof *acc);
    acc->source = ACC_PUBLIC;
    acc->ip = ip ? arena_strdup(a, ip) : NULL;
    acc->user_agent = user_agent.p && user_agent.n ? cut_user_agent(a, user_agent) : NULL;
    acc->origin = origin.p && origin.n ? str_dup(a, origin) : NULL;
}

/* ------------------------------------------------------------------ roles */

int accountability_roles(arena_t *a, err_t *e, db_conn_t *db, const char *role, const char ***roles,
                         size_t *nroles)
{
    *roles = NULL;
    *nroles = 0;
    size_t n = 0, cap = 4;
    const char **chain = arena_alloc(a, cap * sizeof *chain);
    for (const char *next = role; next;) {
        db_value_t p = authdb_cstr(next);
        db_result_t r;
        if (authdb_exec(a, e, db, "SELECT id, parent FROM directus_roles WHERE id = ?", &p, 1, &r) <
            0)
            return -1;
        if (r.nrows == 0)
            break;
        if (n == cap) {
            chain = arena_realloc(a, chain, cap * sizeof *chain, cap * 2 * sizeof *chain);
            cap *= 2;
        }
        chain[n++] = authdb_text(a, db_cell(&r, 0, 0));
        next = authdb_text(a, db_cell(&r, 0, 1));
        for (size_t i = 0; next && i < n; i++) {
            if (strcmp(chain[i], next) == 0) {
                log_error("directus_roles: role %s is its own ancestor", next);
                return err_set(e, a, ERR_INTERNAL_SERVER_ERROR,
                               "Recursion encountered: role \"%s\" already exists in tree path",
                               chain[n - 1]);
            }
        }
    }
    /* Walked child to root; Directus lists the root first. */
    for (size_t i = 0; i < n / 2; i++) {
        const char *t = chain[i];
        chain[i] = chain[n - 1 - i];
        chain[n - 1 - i] = t;
    }
    *roles = n ? chain : NULL;
    *nroles = n;
    return 0;
}

/* ------------------------------------------------------------------ access rows */

typedef struct {
    acccache_row_t r;
    size_t rank; /* position of r.role in the chain; nroles for rows without a role */
    size_t order;
} access_row_t;

static long chain_index(const accountability_t *acc, const char *role)
{
    for (size_t i = 0; role && i < acc->nroles; i++)
        if (strcmp(acc->roles[i], role) == 0)
            return (long)i;
    return -1;
}

/* The rows of the role chain (or the public rows) and of the user, by directus_access.sort,
 * without the dangling ones (no policy to grant anything). */
static int query_access(const accountability_t *acc, arena_t *a, err_t *e, db_conn_t *db,
                        acccache_row_t **out, size_t *nout)
{
    buf_t sql;
    buf_init(&sql, a, 256);
    buf_puts(&sql, "SELECT a.role, a.\"user\", p.id, p.admin_access, p.app_access, p.ip_access "
                   "FROM directus_access a LEFT JOIN directus_policies p ON p.id = a.policy "
                   "WHERE ");
    db_value_t *params = arena_alloc(a, (acc->nroles + 1) * sizeof *params);
    size_t np = 0;
    if (acc->nroles) {
        buf_puts(&sql, "a.role IN (");
        for (size_t i = 0; i < acc->nroles; i++) {
            buf_puts(&sql, i ? ", ?" : "?");
            params[np++] = authdb_cstr(acc->roles[i]);
        }
        buf_putc(&sql, ')');
    } else {
        buf_puts(&sql, "(a.role IS NULL AND a.\"user\" IS NULL)");
    }
    if (acc->user) {
        buf_puts(&sql, " OR a.\"user\" = ?");
        params[np++] = authdb_cstr(acc->user);
    }
    buf_puts(&sql, " ORDER BY a.sort, a.id");
    db_result_t r;
    if (authdb_exec(a, e, db, sql.p, params, np, &r) < 0)
        return -1;
    acccache_row_t *rows = arena_calloc(a, r.nrows ? r.nrows : 1, sizeof *rows);
    size_t n = 0;
    for (size_t i = 0; i < r.nrows; i++) {
        acccache_row_t *row = &rows[n];
        row->policy = authdb_text(a, db_cell(&r, i, 2));
        if (!row->policy)
            continue;
        row->role = authdb_text(a, db_cell(&r, i, 0));
        row->user = authdb_text(a, db_cell(&r, i, 1));
        row->admin = authdb_bool(db_cell(&r, i, 3));
        row->app = authdb_bool(db_cell(&r, i, 4));
        row->ip_access = authdb_text(a, db_cell(&r, i, 5));
        n++;
    }
    *out = n ? rows : NULL;
    *nout = n;
    return 0;
}

/* The rows with their place in acc's role chain. */
static access_row_t *rank_rows(const accountability_t *acc, arena_t *a, const acccache_row_t *rows,
                               size_t n)
{
    access_row_t *out = arena_calloc(a, n ? n : 1, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        long idx = chain_index(acc, rows[i].role);
        out[i] = (access_row_t){rows[i], idx >= 0 ? (size_t)idx : acc->nroles, i};
    }
    return out;
}

static bool is_user_row(const accountability_t *acc, const access_row_t *row)
{
    return acc->user && row->r.user && strcmp(row->r.user, acc->user) == 0;
}

static str_t ip_list(const access_row_t *row)
{
    return row->r.ip_access ? str_c(row->r.ip_access) : STR_NULL;
}

/* fetchGlobalAccessForQuery over the role rows and the user rows. */
static void global_access(accountability_t *acc, const access_row_t *rows, size_t n)
{
    str_t ip = acc->ip ? str_c(acc->ip) : STR_NULL;
    for (size_t i = 0; i < n && !acc->admin; i++) {
        const access_row_t *row = &rows[i];
        bool role_row = row->rank < acc->nroles;
        if (!role_row && !is_user_row(acc, row))
            continue;
        if (ip.p && !ipmatch_list_is_empty(ip_list(row)) && !ipmatch_list(ip, ip_list(row)))
            continue;
        acc->admin = acc->admin || row->r.admin;
        acc->app = acc->app || acc->admin || row->r.app;
    }
}

static int by_rank(const void *x, const void *y)
{
    const access_row_t *a = x, *b = y;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* fetchPolicies: eligible rows, IP filter, then parents' policies first and the user's last. */
static void policy_list(accountability_t *acc, arena_t *a, access_row_t *rows, size_t n)
{
    access_row_t *keep = arena_alloc(a, (n ? n : 1) * sizeof *keep);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        access_row_t *row = &rows[i];
        bool public_row = !row->r.role && !row->r.user;
        bool eligible =
            row->rank < acc->nroles || is_user_row(acc, row) || (acc->nroles == 0 && public_row);
        if (!eligible)
            continue;
        if (!ipmatch_list_is_empty(ip_list(row)) &&
            (!acc->ip || !ipmatch_list(str_c(acc->ip), ip_list(row))))
            continue;
        keep[k++] = *row;
    }
    qsort(keep, k, sizeof *keep, by_rank);
    acc->policies = k ? arena_alloc(a, k * sizeof *acc->policies) : NULL;
    for (size_t i = 0; i < k; i++)
        acc->policies[i] = keep[i].r.policy;
    acc->npolicies = k;
}

/* Both computations over the rows read for acc (acc->roles set), against acc->ip. */
static void derive_access(accountability_t *acc, arena_t *a, const acccache_row_t *rows, size_t n)
{
    access_row_t *ranked = rank_rows(acc, a, rows, n);
    acc->admin = acc->app = false;
    global_access(acc, ranked, n);
    policy_list(acc, a, ranked, n);
    acc->policies_loaded = true;
}

int accountability_load_access(accountability_t *acc, arena_t *a, err_t *e, db_conn_t *db)
{
    acccache_row_t *rows;
    size_t n;
    if (query_access(acc, a, e, db, &rows, &n) < 0)
        return -1;
    derive_access(acc, a, rows, n);
    return 0;
}

/*
 * acc->roles, admin, app and policies for acc->user and acc->role: from the accountability
 * cache when it holds them, else two queries (the chain, then the access rows) whose result is
 * cached. The IP is applied after the cache, per request.
 */
static int resolve_access(accountability_t *acc, arena_t *a, err_t *e, db_conn_t *db)
{
    uint64_t gen = gen_get(GEN_PERMISSIONS); /* before the queries: see acccache.h */
    acccache_access_t v;
    if (acccache_access_get(a, acc->user, acc->role, &v)) {
        acc->roles = v.roles;
        acc->nroles = v.nroles;
    } else {
        if (accountability_roles(a, e, db, acc->role, &acc->roles, &acc->nroles) < 0)
            return -1;
        v.roles = acc->roles;
        v.nroles = acc->nroles;
        if (query_access(acc, a, e, db, &v.rows, &v.nrows) < 0)
            return -1;
        acccache_access_put(a, gen, acc->user, acc->role, &v);
    }
    derive_access(acc, a, v.rows, v.nrows);
    return 0;
}

int accountability_policies(accountability_t *acc, arena_t *a, err_t *e, db_conn_t *db)
{
    if (acc->policies_loaded)
        return 0;
    /* The public's flags stay false whatever the public policy says, as in Directus (its
     * global access is only computed for tokens); only the list is read here. */
    bool admin = acc->admin, app = acc->app;
    if (resolve_access(acc, a, e, db) < 0)
        return -1;
    acc->admin = admin;
    acc->app = app;
    return 0;
}

/* ------------------------------------------------------------------ tokens */

static const char *claim_string(arena_t *a, struct json_object *o, const char *key)
{
    struct json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string) ||
        json_object_get_string_len(v) == 0)
        return NULL;
    return arena_strndup(a, json_object_get_string(v), (size_t)json_object_get_string_len(v));
}

/* verifyAccessJWT: the signature and registered claims, then role/app_access/admin_access must
 * be present. The claims that matter are cached until the token expires. */
static int verify_access_token(arena_t *a, err_t *e, const conf_t *conf, str_t token,
                               tokencache_claims_t *c)
{
    int64_t now = authdb_now_ms();
    if (tokencache_get(a, token, now / 1000, c))
        return 0;
    struct json_object *payload;
    jwt_status_t st = jwt_hs_verify(a, token, conf->secret, now, &payload, NULL);
    if (st == JWT_EXPIRED)
        return err_set(e, a, ERR_TOKEN_EXPIRED, NULL);
    if (st != JWT_OK || !json_object_is_type(payload, json_type_object) ||
        !json_object_object_get_ex(payload, "role", NULL) ||
        !json_object_object_get_ex(payload, "app_access", NULL) ||
        !json_object_object_get_ex(payload, "admin_access", NULL))
        return err_set(e, a, ERR_INVALID_TOKEN, NULL);
    memset(c, 0, sizeof *c);
    c->id = claim_string(a, payload, "id");
    c->role = claim_string(a, payload, "role");
    c->share = claim_string(a, payload, "share");
    c->session = claim_string(a, payload, "session");
    c->has_session = json_object_object_get_ex(payload, "session", NULL);
    struct json_object *exp;
    int64_t exp_s = INT64_MAX;
    if (json_object_object_get_ex(payload, "exp", &exp))
        exp_s = (int64_t)ceil(json_object_get_double(exp));
    tokencache_put(token, exp_s, c);
    return 0;
}

/* verifySessionJWT: the session row must still exist for this user (or share) and not be
 * expired, so that a logout ends the session cookie's JWT at once (logout bumps GEN_USERS, which
 * the accountability cache's session entries follow). */
static int check_session(arena_t *a, err_t *e, db_conn_t *db, const tokencache_claims_t *c)
{
    if (!c->session)
        return err_set(e, a, ERR_INVALID_CREDENTIALS, NULL);
    const char *owner = c->id ? c->id : c->share;
    uint64_t gen = gen_get(GEN_USERS); /* before the query: see acccache.h */
    if (owner && acccache_session_get(a, c->session, owner, !c->id))
        return 0;
    db_value_t p[3] = {authdb_cstr(c->session), authdb_cstr(c->id ? c->id : c->share),
                       authdb_time(a, db, authdb_now_ms())};
    const char *sql = c->id ? "SELECT 1 FROM directus_sessions WHERE token = ? AND \"user\" = ? "
                              "AND share IS NULL AND expires >= ?"
                      : c->share ? "SELECT 1 FROM directus_sessions WHERE token = ? AND share = ? "
                                   "AND \"user\" IS NULL AND expires >= ?"
                                 : NULL;
    if (!sql)
        return err_set(e, a, ERR_INVALID_CREDENTIALS, NULL);
    db_result_t r;
    if (authdb_exec(a, e, db, sql, p, 3, &r) < 0)
        return -1;
    if (!r.nrows)
        return err_set(e, a, ERR_INVALID_CREDENTIALS, NULL);
    acccache_session_put(a, gen, c->session, owner, !c->id);
    return 0;
}

/* The active user owning a static token, through the accountability cache. */
static int static_token(accountability_t *acc, arena_t *a, err_t *e, db_conn_t *db, str_t token)
{
    uint64_t gen = gen_get(GEN_USERS); /* before the query: see acccache.h */
    if (acccache_token_get(a, token, &acc->user, &acc->role))
        return 0;
    db_value_t p[2] = {authdb_str(token), authdb_cstr("active")};
    db_result_t r;
    if (authdb_exec(a, e, db, "SELECT id, role FROM directus_users WHERE token = ? AND status = ?",
                    p, 2, &r) < 0)
        return -1;
    if (r.nrows == 0)
        return err_set(e, a, ERR_INVALID_CREDENTIALS, NULL);
    acc->user = authdb_text(a, db_cell(&r, 0, 0));
    acc->role = authdb_text(a, db_cell(&r, 0, 1));
    acccache_token_put(a, gen, token, acc->user, acc->role);
    return 0;
}

int accountability_authenticate(accountability_t *acc, arena_t *a, err_t *e, db_conn_t *db,
                                const conf_t *conf, str_t token)
{
    if (!token.p || !token.n)
        return 0; /* the public: policies on demand (accountability_policies) */
    if (jwt_is_directus(a, token)) {
        acc->source = ACC_JWT;
        tokencache_claims_t c;
        if (verify_access_token(a, e, conf, token, &c) < 0)
            return -1;
        if (c.has_session && check_session(a, e, db, &c) < 0)
            return -1;
        acc->session = c.session;
        acc->share = c.share;
        acc->user = c.id;
        acc->role = c.role;
    } else {
        acc->source = ACC_STATIC_TOKEN;
        if (static_token(acc, a, e, db, token) < 0)
            return -1;
    }
    return resolve_access(acc, a, e, db);
}
