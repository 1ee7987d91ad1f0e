/*
 * The collection-shaped system routes (/users, /roles, /policies, /permissions, /files, …):
 * one table maps each route prefix to its directus_* collection and to what its controller
 * does differently from /items on read; the reads themselves are the items engine's
 * (lib/api/items.c), with the caller's permissions, the app access minimal rows and the
 * conceal special (lib/services/items) as for any collection. The write routes are
 * lib/api/system_write's, appended to the same route table.
 *
 * Per-controller differences (Directus 11.3.5's controllers):
 *  - users, roles, revisions, shares, dashboards, panels, flows, operations, webhooks list with
 *    readByQuery only: SEARCH {keys} is validated, then ignored;
 *  - shares has no MetaService: ?meta is never answered;
 *  - permissions lists with limit -1 and PermissionsService appends the app access minimal rows
 *    (withAppMinimalPermissions) for app users — admins included — also under readOne, so a
 *    key without a row reads the first of them;
 *  - users, policies, permissions skip a key ending in "me" (`if (req.path.endsWith('me'))
 *    return next()`), shares routes only uuid keys: both fall through to the 404.
 */
#include "lib/api/system.h"

#include <string.h>

#include "lib/api/items.h"
#include "lib/api/respond.h"
#include "lib/api/schema_cache.h"
#include "lib/api/system_write.h"
#include "lib/core/json.h"
#include "lib/perm/perm.h"
#include "lib/query/jsval.h"
#include "lib/services/items.h"
#include "lib/sql/plan.h"

enum {
    SYS_BY_QUERY = 1u << 0,    /* SEARCH {keys} is ignored (readByQuery only) */
    SYS_NO_META = 1u << 1,     /* ?meta is never answered */
    SYS_NO_LIMIT = 1u << 2,    /* limit -1 whatever the query says */
    SYS_NOT_ME = 1u << 3,      /* a key ending in "me" is not routed */
    SYS_UUID_KEY = 1u << 4,    /* only uuid keys are routed */
    SYS_APP_MINIMAL = 1u << 5, /* the list appends the app access minimal rows */
};

typedef struct {
    const char *collection;
    unsigned flags;
} system_coll_t;

/* X(prefix, collection, flags), in Directus's app.ts order. */
#define SYSTEM_COLLECTIONS(X)                                                                      \
    X("/activity", "directus_activity", 0)                                                         \
    X("/access", "directus_access", 0)                                                             \
    X("/comments", "directus_comments", 0)                                                         \
    X("/dashboards", "directus_dashboards", SYS_BY_QUERY)                                          \
    X("/files", "directus_files", 0)                                                               \
    X("/flows", "directus_flows", SYS_BY_QUERY)                                                    \
    X("/folders", "directus_folders", 0)                                                           \
    X("/notifications", "directus_notifications", 0)                                               \
    X("/operations", "directus_operations", SYS_BY_QUERY)                                          \
    X("/panels", "directus_panels", SYS_BY_QUERY)                                                  \
    X("/permissions", "directus_permissions", SYS_NO_LIMIT | SYS_NOT_ME | SYS_APP_MINIMAL)         \
    X("/policies", "directus_policies", SYS_NOT_ME)                                                \
    X("/presets", "directus_presets", 0)                                                           \
    X("/translations", "directus_translations", 0)                                                 \
    X("/revisions", "directus_revisions", SYS_BY_QUERY)                                            \
    X("/roles", "directus_roles", SYS_BY_QUERY)                                                    \
    X("/shares", "directus_shares", SYS_BY_QUERY | SYS_NO_META | SYS_UUID_KEY)                     \
    X("/users", "directus_users", SYS_BY_QUERY | SYS_NOT_ME)                                       \
    X("/versions", "directus_versions", 0)                                                         \
    X("/webhooks", "directus_webhooks", SYS_BY_QUERY)

#define COLL_ENTRY(prefix, coll, flags) {coll, flags},
static const system_coll_t colls[] = {SYSTEM_COLLECTIONS(COLL_ENTRY)};
#define NCOLLS (sizeof colls / sizeof colls[0])

#define LIST_ROUTE(prefix, coll, flags)                                                            \
    {M(GET) | M(SEARCH), prefix, (void (*)(void))system_list},
#define ONE_ROUTE(prefix, coll, flags) {M(GET), prefix "/:pk", (void (*)(void))system_one},

/* The list routes, then the by-key routes, each in colls's order, then the write routes
 * (lib/api/system_write: entry_of is never asked about those). */
const route_t system_routes[] = {SYSTEM_COLLECTIONS(LIST_ROUTE) SYSTEM_COLLECTIONS(ONE_ROUTE)
                                     SYSTEM_WRITE_ROUTES};
const size_t system_nroutes = sizeof system_routes / sizeof system_routes[0];

/* The table entry of the matched route. */
static const system_coll_t *entry_of(const ctx_t *ctx)
{
    size_t i = (size_t)(ctx->route.route - system_routes);
    return &colls[i % NCOLLS];
}

static const schema_collection_t *collection_or_fail(ctx_t *ctx, const system_coll_t *sc,
                                                     const schema_t **s)
{
    if (!(*s = schema_cache_get(ctx)))
        return NULL;
    const schema_collection_t *c = schema_collection(*s, str_c(sc->collection));
    if (!c)
        err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    return c;
}

/* ---- the app access minimal rows of GET /permissions ------------------------------------- */

static bool qval_matches(const qval_t *v, const struct json_object *x)
{
    json_type t = json_object_get_type(x);
    switch (v->kind) {
    case QV_NULL:
        return t == json_type_null;
    case QV_BOOL:
        return t == json_type_boolean && json_object_get_boolean(x) == v->b;
    case QV_NUMBER:
        return (t == json_type_int || t == json_type_double) &&
               json_object_get_double(x) == v->num;
    case QV_STRING: /* equal(value, Number(value)) when the operand reads as a number */
        if (t == json_type_int || t == json_type_double)
            return v->s.n && json_object_get_double(x) == jsval_str_number(v->s);
        return t == json_type_string && str_eq(jsval_string(x), v->s);
    default:
        return false;
    }
}

static bool qval_in(const qval_t *v, const struct json_object *x)
{
    if (v->kind != QV_LIST)
        return qval_matches(v, x);
    for (size_t i = 0; i < v->n; i++)
        if (qval_matches(&v->items[i], x))
            return true;
    return false;
}

/* One operator on a present value, as generateJoi's schema would validate it. Operators the
 * rows' plain values never meet in practice (ranges, dates, geometry) do not exclude. */
static bool op_passes(const qfilter_t *f, const struct json_object *x)
{
    str_t s = jsval_string(x);
    switch (f->op) {
    case QOP_EQ:
        return qval_matches(&f->val, x);
    case QOP_NEQ:
        return !qval_matches(&f->val, x);
    case QOP_IN:
        return qval_in(&f->val, x);
    case QOP_NIN:
        return !qval_in(&f->val, x);
    case QOP_NULL: /* valid(null) / invalid(null), whatever the operand says */
        return json_object_get_type(x) == json_type_null;
    case QOP_NNULL:
        return json_object_get_type(x) != json_type_null;
    case QOP_CONTAINS:
        return s.p && f->val.kind == QV_STRING && memmem(s.p, s.n, f->val.s.p, f->val.s.n);
    case QOP_NCONTAINS:
        return !(s.p && f->val.kind == QV_STRING && memmem(s.p, s.n, f->val.s.p, f->val.s.n));
    default:
        return true;
    }
}

/* filterItems: the filter against one row. A key the row lacks passes (Joi keys are
 * optional); a nested path passes only into an object. generateJoi looks at the first key of an
 * object only; the parsed filter no longer tells an object's keys from an _and, so all count. */
static bool row_passes(arena_t *a, const qfilter_t *f, const struct json_object *row)
{
    if (!f)
        return true;
    switch (f->kind) {
    case QF_AND:
        for (size_t i = 0; i < f->nkids; i++)
            if (!row_passes(a, f->kids[i], row))
                return false;
        return true;
    case QF_OR:
        for (size_t i = 0; i < f->nkids; i++)
            if (row_passes(a, f->kids[i], row))
                return true;
        return f->nkids == 0;
    case QF_FIELD: {
        struct json_object *x;
        if (!json_object_object_get_ex(row, arena_strndup(a, f->key.p, f->key.n), &x) ||
            !f->child)
            return true;
        if (f->child->kind == QF_OP)
            return op_passes(f->child, x);
        return json_object_get_type(x) == json_type_object && row_passes(a, f->child, x);
    }
    case QF_OP:
    case QF_SOME:
    case QF_NONE:
        break;
    }
    return true;
}

/* The i-th app access minimal row (lib/perm) as the list shows it, {...defaults, ...row}: the
 * default keys first, permissions {} when the row has none, $CURRENT_* unresolved. JSON text
 * in the request arena. */
static char *app_row_text(ctx_t *ctx, size_t i)
{
    const perm_app_row_t *r = perm_app_minimal_at(i);
    buf_t b;
    buf_init(&b, ctx->arena, 512);
    buf_printf(&b, "{\"policy\":null,\"permissions\":%s,\"validation\":%s,\"presets\":null,"
                   "\"fields\":[",
               r->rule ? r->rule : "{}", r->validation ? r->validation : "null");
    str_t csv = str_c(r->fields);
    for (size_t start = 0, k = 0; k <= csv.n; k++) {
        if (k < csv.n && csv.p[k] != ',')
            continue;
        if (start)
            buf_putc(&b, ',');
        json_write_str(&b, (str_t){csv.p + start, k - start});
        start = k + 1;
    }
    buf_puts(&b, "],\"system\":true,\"collection\":");
    json_write_str(&b, str_c(r->collection));
    buf_puts(&b, ",\"action\":");
    json_write_str(&b, str_c(r->action));
    buf_putc(&b, '}');
    return b.p;
}

static bool app_row_passes(ctx_t *ctx, const query_t *q, const char *text)
{
    struct json_object *row = json_own(ctx->arena, json_tokener_parse(text));
    return row_passes(ctx->arena, q->filter, row);
}

/* Appends the app access minimal rows that pass the query's filter to the "data" array that
 * ends the list envelope in body (`…]}`). */
static void append_app_rows(ctx_t *ctx, const query_t *q, buf_t *body)
{
    if (body->n < 2 || body->p[body->n - 1] != '}' || body->p[body->n - 2] != ']')
        return;
    body->n -= 2;
    bool empty = body->p[body->n - 1] == '[';
    for (size_t i = 0; i < perm_app_minimal_count(); i++) {
        char *text = app_row_text(ctx, i);
        if (!app_row_passes(ctx, q, text))
            continue;
        if (!empty)
            buf_putc(body, ',');
        buf_puts(body, text);
        empty = false;
    }
    buf_puts(body, "]}");
}

/* PermissionsService.readOne runs the overridden readByQuery, so a key with no row answers the
 * first app access minimal row that passes the filter (the rows have no id, which Joi lets
 * pass): {"data":{…}} into body, or false when none passes. */
static bool first_app_row(ctx_t *ctx, const query_t *q, buf_t *body)
{
    for (size_t i = 0; i < perm_app_minimal_count(); i++) {
        char *text = app_row_text(ctx, i);
        if (app_row_passes(ctx, q, text)) {
            buf_clear(body);
            buf_printf(body, "{\"data\":%s}", text);
            return true;
        }
    }
    return false;
}

/* Whether the caller gets the app access minimal rows (accountability.app is true for admins
 * too). */
static bool gets_app_rows(const ctx_t *ctx, const system_coll_t *sc)
{
    return (sc->flags & SYS_APP_MINIMAL) && (ctx->acc.app || ctx->acc.admin);
}

void system_app_rows_extra(ctx_t *ctx, const query_t *q, buf_t *body)
{
    if (ctx->acc.app || ctx->acc.admin)
        append_app_rows(ctx, q, body);
}

/* ---- handlers ----------------------------------------------------------------------------- */

int system_list(ctx_t *ctx)
{
    const system_coll_t *sc = entry_of(ctx);
    query_env_t env = items_env(ctx);
    query_t q;
    if (query_parse(ctx->arena, &ctx->err, &env, ctx->query, true, &q) < 0)
        return -1;
    const schema_t *s;
    const schema_collection_t *c = collection_or_fail(ctx, sc, &s);
    items_how_t how = {.ignore_keys = sc->flags & SYS_BY_QUERY,
                       .no_meta = sc->flags & SYS_NO_META,
                       .no_limit = sc->flags & SYS_NO_LIMIT};
    buf_t body;
    if (!c || items_list_read(ctx, &env, s, c, &how, &q, &body) < 0)
        return -1;
    if (gets_app_rows(ctx, sc))
        append_app_rows(ctx, &q, &body);
    return items_respond(ctx, c, &q, &body);
}

bool system_is_uuid(str_t k)
{
    static const char hex[] = "0123456789abcdefABCDEF";
    if (k.n != 36)
        return false;
    for (size_t i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? k.p[i] != '-' : !memchr(hex, k.p[i], sizeof hex - 1))
            return false;
    }
    return true;
}

int system_one(ctx_t *ctx)
{
    const system_coll_t *sc = entry_of(ctx);
    str_t key = router_param(&ctx->route, "pk");
    bool me = key.n >= 2 && key.p[key.n - 2] == 'm' && key.p[key.n - 1] == 'e';
    if (((sc->flags & SYS_NOT_ME) && me) || ((sc->flags & SYS_UUID_KEY) && !system_is_uuid(key)))
        return respond_not_found(ctx);
    query_env_t env = items_env(ctx);
    query_t q;
    if (query_parse(ctx->arena, &ctx->err, &env, ctx->query, true, &q) < 0)
        return -1;
    const schema_t *s;
    const schema_collection_t *c = collection_or_fail(ctx, sc, &s);
    buf_t body;
    if (!c)
        return -1;
    buf_init(&body, ctx->arena, 512);
    if (items_one_read(ctx, &env, s, c, key, &q, &body) < 0) {
        /* A missing row is the only 403 without a reason once the key is well-formed. */
        bool missing = ctx->err.code == ERR_FORBIDDEN && !ctx->err.ext && items_key_valid(c, key);
        if (!missing || !gets_app_rows(ctx, sc) || !first_app_row(ctx, &q, &body))
            return -1;
        ctx->err = (err_t){0};
    }
    return items_respond(ctx, c, &q, &body);
}

/* GET /roles/me: readMany of the caller's roles with limit -1; a ForbiddenError becomes
 * [{id}, …]. No user and no role: 403. */
int roles_me(ctx_t *ctx)
{
    if (!ctx->acc.user && !ctx->acc.role)
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    query_env_t env = items_env(ctx);
    query_t q;
    if (query_parse(ctx->arena, &ctx->err, &env, ctx->query, true, &q) < 0)
        return -1;
    q.has_limit = true;
    q.limit = -1;
    q.nmeta = 0;
    const schema_t *s = schema_cache_get(ctx);
    if (!s)
        return -1;
    const schema_collection_t *c = schema_collection(s, STR("directus_roles"));
    if (!c)
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    qval_t *keys = arena_calloc(ctx->arena, ctx->acc.nroles + 1, sizeof *keys);
    for (size_t i = 0; i < ctx->acc.nroles; i++)
        keys[i] = (qval_t){.kind = QV_STRING, .s = str_c(ctx->acc.roles[i])};
    plan_opts_t opts = {
        .limit_default = env.limit_default, .keys = keys, .nkeys = ctx->acc.nroles};
    if (!ctx->acc.nroles)
        return respond_json_text(ctx, STR("{\"data\":[]}")); /* id _in [] matches nothing */
    if (items_perm_for(ctx, &opts.perm) < 0)
        return -1;
    buf_t body;
    buf_init(&body, ctx->arena, 1024);
    err_t e = {0};
    plan_t *p = plan_read(ctx->arena, &e, s, c, &q, &opts);
    if (!p || items_read(ctx->arena, &e, ctx->db, p, ITEMS_LIST, &body) < 0) {
        if (e.code != ERR_FORBIDDEN) {
            if (e.code != ERR_NONE)
                ctx->err = e;
            return -1;
        }
        buf_clear(&body);
        buf_puts(&body, "{\"data\":[");
        for (size_t i = 0; i < ctx->acc.nroles; i++) {
            buf_puts(&body, i ? ",{\"id\":" : "{\"id\":");
            json_write_str(&body, str_c(ctx->acc.roles[i]));
            buf_putc(&body, '}');
        }
        buf_puts(&body, "]}");
    }
    return respond_json_text(ctx, buf_slice(&body));
}

/* GET /settings: readSingleton of directus_settings, {"data":{…}} and never meta (the settings
 * controller has no MetaService). */
int settings_get(ctx_t *ctx)
{
    static const system_coll_t settings = {"directus_settings", SYS_NO_META};
    query_env_t env = items_env(ctx);
    query_t q;
    if (query_parse(ctx->arena, &ctx->err, &env, ctx->query, true, &q) < 0)
        return -1;
    const schema_t *s;
    const schema_collection_t *c = collection_or_fail(ctx, &settings, &s);
    items_how_t how = {.no_meta = true};
    buf_t body;
    if (!c || items_list_read(ctx, &env, s, c, &how, &q, &body) < 0)
        return -1;
    return items_respond(ctx, c, &q, &body);
}
