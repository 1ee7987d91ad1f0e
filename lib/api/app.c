/*
 * Request pipeline in Directus's middleware order (spec §1): security headers, CORS, JSON body,
 * cookies and token extraction, `/` and robots.txt, rate limiters, /server/ping, authentication,
 * routes, 404, error handler. The order decides which error wins when a request has several
 * faults, so it is kept exactly.
 */
#include "lib/api/app.h"

#include <ctype.h>
#include <json-c/json.h>
#include <strings.h>

#include "lib/api/assets.h"
#include "lib/api/auth.h"
#include "lib/api/cache.h"
#include "lib/api/ctx.h"
#include "lib/api/files.h"
#include "lib/api/items.h"
#include "lib/api/items_write.h"
#include "lib/query/query.h"
#include "lib/api/limiter.h"
#include "lib/api/permissions.h"
#include "lib/api/respond.h"
#include "lib/api/schema_info.h"
#include "lib/api/server.h"
#include "lib/api/system.h"
#include "lib/api/users.h"
#include "lib/api/utils_write.h"
#include "lib/api/utils.h"
#include "lib/core/json.h"
#include "lib/core/jsonparse.h"
#include "lib/core/log.h"
#include "lib/http/cors.h"
#include "lib/http/qs.h"
#include "lib/http/router.h"

typedef int (*handler_fn)(ctx_t *ctx);

#define ROUTE(methods, pattern, fn) {methods, pattern, (void (*)(void))(fn)}

static const route_t routes[] = {
    ROUTE(M(GET), "/auth", auth_providers),
    ROUTE(M(POST), "/auth/login", auth_login),
    ROUTE(M(POST), "/auth/refresh", auth_refresh),
    ROUTE(M(POST), "/auth/logout", auth_logout),
    ROUTE(M(POST), "/auth/password/request", auth_password_request),
    ROUTE(M(POST), "/auth/password/reset", auth_password_reset),
    ROUTE(M(GET), "/server/info", server_info),
    ROUTE(M(GET), "/server/health", server_health),
    ROUTE(M(GET) | M(SEARCH), "/items/:collection", items_list),
    ROUTE(M(GET), "/items/:collection/:id", items_one),
    ROUTE(M(POST), "/items/:collection", items_create),
    ROUTE(M(PATCH), "/items/:collection", items_update),
    ROUTE(M(PATCH), "/items/:collection/:id", items_update_one),
    ROUTE(M(DELETE), "/items/:collection", items_delete),
    ROUTE(M(DELETE), "/items/:collection/:id", items_delete_one),
    ROUTE(M(POST), "/utils/sort/:collection", utils_sort),
    ROUTE(M(POST), "/utils/revert/:revision", utils_revert),
    ROUTE(M(GET), "/users/me", users_me),
    ROUTE(M(PATCH), "/users/me", users_me_update),
    ROUTE(M(GET), "/permissions/me", permissions_me),
    ROUTE(M(GET), "/permissions/me/:collection", permissions_me_item),
    ROUTE(M(GET), "/permissions/me/:collection/:pk", permissions_me_item),
    ROUTE(M(GET), "/policies/me/globals", policies_me_globals),
    ROUTE(M(POST), "/utils/cache/clear", utils_cache_clear),
    ROUTE(M(GET), "/roles/me", roles_me),
    ROUTE(M(GET), "/settings", settings_get),
    ROUTE(M(GET) | M(SEARCH), "/collections", collections_list),
    ROUTE(M(GET), "/collections/:collection", collections_one),
    ROUTE(M(GET), "/fields", fields_list),
    ROUTE(M(GET), "/fields/:collection", fields_list),
    ROUTE(M(GET), "/fields/:collection/:field", fields_one),
    ROUTE(M(GET), "/relations", relations_list),
    ROUTE(M(GET), "/relations/:collection", relations_list),
    ROUTE(M(GET), "/relations/:collection/:field", relations_one),
    ROUTE(M(GET), "/schema/snapshot", schema_snapshot_get),
    ROUTE(M(POST), "/files", files_create),
    ROUTE(M(POST), "/files/import", files_import),
    ROUTE(M(PATCH), "/files", files_update),
    ROUTE(M(PATCH), "/files/:id", files_update_one),
    ROUTE(M(DELETE), "/files", files_delete),
    ROUTE(M(DELETE), "/files/:id", files_delete_one),
    ROUTE(M(GET), "/assets/:id", assets_get),
    ROUTE(M(GET), "/assets/:id/:filename", assets_get),
    /* then the collection-shaped system routes: lib/api/system.c's table */
};

/* Deeper JSON bodies are refused: nothing Directus accepts nests anywhere near this. */
#define BODY_MAX_DEPTH 512

static const char csp[] =
    "script-src 'self' 'unsafe-eval';worker-src 'self' blob:;child-src 'self' blob:;"
    "img-src 'self' data: blob: https://raw.githubusercontent.com "
    "https://avatars.githubusercontent.com;media-src 'self';"
    "connect-src 'self' https://* wss://*;default-src 'self';base-uri 'self';"
    "font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';object-src 'none';"
    "script-src-attr 'none';style-src 'self' https: 'unsafe-inline'";

/* type-is's match of Content-Type against express.json()'s "application/json". */
static bool is_json_type(str_t ct)
{
    long semi = str_index(ct, ';');
    str_t type = str_trim(semi >= 0 ? (str_t){ct.p, (size_t)semi} : ct);
    return str_ieq_c(type, "application/json");
}

/* The charset parameter of a Content-Type, or STR_NULL. */
static str_t content_charset(str_t ct)
{
    for (size_t i = 0; i + 8 <= ct.n; i++) {
        if (strncasecmp(ct.p + i, "charset=", 8) == 0) {
            str_t v = {ct.p + i + 8, ct.n - i - 8};
            long semi = str_index(v, ';');
            if (semi >= 0)
                v.n = (size_t)semi;
            v = str_trim(v);
            if (v.n >= 2 && v.p[0] == '"')
                v = (str_t){v.p + 1, v.n - 2};
            return v;
        }
    }
    return STR_NULL;
}

/* express.json(): only JSON content types are read; the rest leave the body as {}. */
static int parse_body(ctx_t *ctx)
{
    request_t *req = ctx->req;
    str_t ct = request_header(req, "content-type");
    ctx->body = json_own(ctx->arena, json_object_new_object());
    if (!ct.p || !is_json_type(ct))
        return 0;
    if (req->body_state == BODY_TOO_LARGE)
        return err_invalid_payload(&ctx->err, ctx->arena, "request entity too large");
    if (req->body_state == BODY_ABORTED)
        return err_invalid_payload(&ctx->err, ctx->arena, "request aborted");
    str_t cs = content_charset(ct);
    if (cs.p && !str_ieq_c(cs, "utf-8")) {
        /* body-parser names the charset upper-cased. */
        char *reason = arena_printf(ctx->arena, "unsupported charset \"%.*s\"", (int)cs.n, cs.p);
        for (char *p = reason + 21; *p && *p != '"'; p++)
            *p = (char)toupper((unsigned char)*p);
        return err_invalid_payload(&ctx->err, ctx->arena, reason);
    }
    if (req->body.n == 0)
        return 0;
    struct json_object *body;
    const char *msg;
    if (jsonparse(ctx->arena, req->body.p, req->body.n, JSONPARSE_STRICT_BODY, BODY_MAX_DEPTH,
                  &body, &msg) < 0)
        return err_invalid_payload(&ctx->err, ctx->arena, msg);
    ctx->body = body;
    return 0;
}

/* GET / → ROOT_REDIRECT as express's res.redirect() answers it. */
static void redirect_root(ctx_t *ctx)
{
    const char *to = ctx->conf->root_redirect;
    str_t accept = request_header(ctx->req, "accept");
    bool html = accept.p && memmem(accept.p, accept.n, "text/html", 9) &&
                !memmem(accept.p, accept.n, "text/plain", 10);
    ctx->res->status = 302;
    response_set_header_c(ctx->res, "Location", to);
    response_set_header_c(ctx->res, "Vary", "Accept");
    if (html) {
        response_set_header_c(ctx->res, "Content-Type", "text/html; charset=utf-8");
        buf_printf(&ctx->res->body, "<p>Found. Redirecting to <a href=\"%s\">%s</a></p>", to, to);
    } else {
        response_set_header_c(ctx->res, "Content-Type", "text/plain; charset=utf-8");
        buf_printf(&ctx->res->body, "Found. Redirecting to %s", to);
    }
}

static void robots_txt(ctx_t *ctx)
{
    response_set_header_c(ctx->res, "Content-Type", "text/plain; charset=utf-8");
    buf_puts(&ctx->res->body, ctx->conf->robots_txt);
}

/* Routes answered before authentication and query parsing, with the rate limiters between
 * robots.txt and /server/ping as in Directus. Returns true when answered (a refusal of the
 * limiters sets ctx->err: the error handler answers). */
static bool early_routes(ctx_t *ctx)
{
    request_t *req = ctx->req;
    bool get = req->method == HTTP_GET || req->method == HTTP_HEAD;
    if (get && str_eq_c(req->path, "/") && ctx->conf->root_redirect) {
        redirect_root(ctx);
        return true;
    }
    if (get && str_eq_c(req->path, "/robots.txt")) {
        robots_txt(ctx);
        return true;
    }
    if (limiter_check(ctx) < 0)
        return true;
    route_match_t m;
    static const route_t ping[] = {ROUTE(M(GET), "/server/ping", server_ping)};
    if (router_match(ctx->arena, ping, 1, req->method, req->path, &m) == ROUTER_FOUND) {
        server_ping(ctx);
        return true;
    }
    return false;
}

static int route(ctx_t *ctx)
{
    router_result_t r = router_match(ctx->arena, routes, sizeof routes / sizeof routes[0],
                                     ctx->req->method, ctx->req->path, &ctx->route);
    if (r != ROUTER_FOUND)
        r = router_match(ctx->arena, system_routes, system_nroutes, ctx->req->method,
                         ctx->req->path, &ctx->route);
    /* Directus answers an unrouted method on a known path with the same 404. */
    if (r != ROUTER_FOUND)
        return respond_not_found(ctx);
    return ((handler_fn)ctx->route.route->handler)(ctx);
}

/* Directus's sanitizeQuery middleware: after authentication (dynamic variables need the
 * caller), before any route, so a malformed query answers 400 even on a path that is a 404. */
static int sanitize_query(ctx_t *ctx)
{
    query_env_t env = items_env(ctx);
    query_t *q = arena_alloc(ctx->arena, sizeof *q);
    if (query_parse(ctx->arena, &ctx->err, &env, ctx->query, true, q) < 0)
        return -1;
    ctx->sanitized = q;
    return 0;
}

static int pipeline(ctx_t *ctx)
{
    response_set_header_c(ctx->res, "Content-Security-Policy", csp);
    response_set_header_c(ctx->res, "X-Powered-By", "Directus");
    if (cors_apply(ctx->conf, ctx->req, ctx->res))
        return 0;
    if (parse_body(ctx) < 0)
        return -1;
    /* Express parses the query string before any middleware; extractToken reads it. */
    ctx->query = json_own(ctx->arena, qs_parse(ctx->req->query.p, ctx->req->query.n));
    if (auth_extract_token(ctx) < 0)
        return -1;
    if (early_routes(ctx))
        return 0;
    if (auth_authenticate(ctx) < 0 || sanitize_query(ctx) < 0)
        return -1;
    if (api_cache_lookup(ctx))
        return 0;
    if (route(ctx) < 0 || err_is_set(&ctx->err))
        return -1;
    api_cache_store(ctx);
    return 0;
}

void app_handle(app_t *app, arena_t *a, request_t *req, response_t *res)
{
    ctx_t ctx = {
        .arena = a,
        .conf = app->conf,
        .db = app->db,
        .redis = app->redis,
        .ratelimit = app->ratelimit,
        .req = req,
        .res = res,
    };
    if (pipeline(&ctx) < 0 || err_is_set(&ctx.err))
        respond_error(&ctx);
    api_cache_finish(&ctx);
    /* Cookies set on the way (login, logout, a refused session cookie) survive an error. */
    for (size_t i = 0; i < ctx.nset_cookies; i++)
        response_add_header(res, "Set-Cookie", str_c(ctx.set_cookies[i]));
    response_finish(res, req);
}
