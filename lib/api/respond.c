/* Success and error responses with Directus's headers. */
#include "lib/api/respond.h"

#include <strings.h>

#include "lib/core/json.h"

static const char *const json_content_type = "application/json; charset=utf-8";

static void responder_headers(ctx_t *ctx)
{
    response_set_header_c(ctx->res, "Cache-Control", "no-cache");
    response_set_header_c(ctx->res, "Vary", "Origin, Cache-Control");
}

int respond_json_text(ctx_t *ctx, str_t json)
{
    responder_headers(ctx);
    response_set_header_c(ctx->res, "Content-Type", json_content_type);
    buf_clear(&ctx->res->body);
    buf_str(&ctx->res->body, json);
    return 0;
}

int respond_json_buf(ctx_t *ctx, buf_t *json)
{
    responder_headers(ctx);
    response_set_header_c(ctx->res, "Content-Type", json_content_type);
    ctx->res->body = *json;
    return 0;
}

int respond_json(ctx_t *ctx, const struct json_object *payload)
{
    responder_headers(ctx);
    response_set_header_c(ctx->res, "Content-Type", json_content_type);
    buf_clear(&ctx->res->body);
    json_write(&ctx->res->body, payload);
    return 0;
}

int respond_no_content(ctx_t *ctx)
{
    responder_headers(ctx);
    ctx->res->status = 204;
    buf_clear(&ctx->res->body);
    return 0;
}

/* Headers that survive into an error response: set before routing, by CSP, X-Powered-By and
 * CORS. Anything a handler added (Cache-Control, Content-Type, ...) goes. */
static bool survives_error(str_t name)
{
    return str_ieq_c(name, "Content-Security-Policy") || str_ieq_c(name, "X-Powered-By") ||
           (name.n >= 15 && strncasecmp(name.p, "Access-Control-", 15) == 0) ||
           str_ieq_c(name, "Vary") || str_ieq_c(name, "Allow") || str_ieq_c(name, "Retry-After");
}

void respond_error(ctx_t *ctx)
{
    response_t *res = ctx->res;
    size_t kept = 0;
    for (size_t i = 0; i < res->nheaders; i++)
        if (survives_error(res->headers[i].name))
            res->headers[kept++] = res->headers[i];
    res->nheaders = kept;
    /* The responder's Vary is not kept: only a Vary written by CORS ("Origin") is. */
    str_t vary = response_header(res, "Vary");
    if (vary.p && str_eq_c(vary, "Origin, Cache-Control"))
        response_remove_header(res, "Vary");
    if (!err_is_set(&ctx->err))
        err_set(&ctx->err, ctx->arena, ERR_INTERNAL_SERVER_ERROR, NULL);
    if (!ctx->acc.admin)
        err_hide_js_message(&ctx->err);
    res->status = err_http_status(&ctx->err);
    response_set_header_c(res, "Content-Type", json_content_type);
    buf_clear(&res->body);
    err_render(&ctx->err, &res->body);
}

int respond_not_found(ctx_t *ctx)
{
    str_t path = ctx->req->path;
    err_set(&ctx->err, ctx->arena, ERR_ROUTE_NOT_FOUND, "Route %.*s doesn't exist.", (int)path.n,
            path.p);
    err_ext_str(&ctx->err, ctx->arena, "path", str_dup(ctx->arena, path));
    return -1;
}
