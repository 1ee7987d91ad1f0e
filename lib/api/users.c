/*
 * GET /users/me as Directus's users controller answers it: UsersService.readOne of the caller's
 * own id with the request's query, a ForbiddenError turned into {"data":{"id":…}}. Reading
 * directus_users is allowed here (never through /items), with the caller's permissions: for app
 * users that is Directus's app access minimal rule (own row, a fixed field list).
 */
#include "lib/api/users.h"

#include "lib/api/items.h"
#include "lib/api/respond.h"
#include "lib/api/schema_cache.h"
#include "lib/core/json.h"
#include "lib/services/items.h"
#include "lib/sql/plan.h"

/* readOne of the caller's row into body; -1 with e set (403 when it may not be read). */
static int read_self(ctx_t *ctx, err_t *e, const query_t *q, int64_t limit_default, buf_t *body)
{
    const schema_t *s = schema_cache_get(ctx);
    if (!s)
        return -1;
    const schema_collection_t *c = schema_collection(s, STR("directus_users"));
    if (!c)
        return err_set(e, ctx->arena, ERR_FORBIDDEN, NULL);
    plan_opts_t opts = {
        .limit_default = limit_default, .by_key = true, .key = str_c(ctx->acc.user)};
    if (items_perm_for(ctx, &opts.perm) < 0)
        return -1;
    plan_t *p = plan_read(ctx->arena, e, s, c, q, &opts);
    if (!p)
        return -1;
    return items_read(ctx->arena, e, ctx->db, p, ITEMS_ONE, body);
}

int users_me(ctx_t *ctx)
{
    buf_t body;
    buf_init(&body, ctx->arena, 1024);
    if (ctx->acc.share) {
        buf_puts(&body, "{\"data\":{\"share\":");
        json_write_str(&body, str_c(ctx->acc.share));
        buf_puts(&body, "}}");
        return respond_json_text(ctx, buf_slice(&body));
    }
    if (!ctx->acc.user)
        return err_set(&ctx->err, ctx->arena, ERR_INVALID_CREDENTIALS, NULL);
    err_t e = {0};
    if (read_self(ctx, &e, ctx->sanitized, ctx->conf->query_limit_default, &body) < 0) {
        if (e.code != ERR_FORBIDDEN) {
            if (e.code != ERR_NONE)
                ctx->err = e; /* else ctx->err holds it (schema or permission loading) */
            return -1;
        }
        buf_clear(&body);
        buf_puts(&body, "{\"data\":{\"id\":");
        json_write_str(&body, str_c(ctx->acc.user));
        buf_puts(&body, "}}");
    }
    return respond_json_text(ctx, buf_slice(&body));
}
