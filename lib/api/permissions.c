/*
 * GET /permissions/me and GET /policies/me/globals: what the caller's policies allow, as
 * fetchAccountabilityCollectionAccess and fetchAccountabilityPolicyGlobals compute it. The
 * merging lives in lib/perm; this file only shapes the answers.
 */
#include "lib/api/permissions.h"

#include "lib/api/respond.h"
#include "lib/api/schema_cache.h"
#include "lib/core/json.h"
#include "lib/perm/perm.h"

static perm_subject_t subject(const ctx_t *ctx)
{
    return (perm_subject_t){
        .admin = ctx->acc.admin,
        .app = ctx->acc.app,
        .user = ctx->acc.user,
        .role = ctx->acc.role,
        .policies = (const char *const *)ctx->acc.policies,
        .npolicies = ctx->acc.npolicies,
    };
}

/* Admins: every collection of the schema, every action full with ["*"]. */
static int admin_access(ctx_t *ctx, buf_t *b)
{
    static const char *const actions[] = {"read", "create", "update", "delete", "share"};
    const schema_t *s = schema_cache_get(ctx);
    if (!s)
        return -1;
    buf_putc(b, '{');
    size_t n = 0;
    for (size_t i = 0; i < schema_collection_count(s); i++) {
        const schema_collection_t *c = schema_collection_at(s, i);
        if (!schema_collection(s, str_c(c->name)))
            continue; /* folders and tables that are not queryable */
        if (n++)
            buf_putc(b, ',');
        json_write_str(b, str_c(c->name));
        buf_puts(b, ":{");
        for (size_t k = 0; k < 5; k++) {
            if (k)
                buf_putc(b, ',');
            json_write_str(b, str_c(actions[k]));
            buf_puts(b, ":{\"access\":\"full\",\"fields\":[\"*\"]}");
        }
        buf_putc(b, '}');
    }
    buf_putc(b, '}');
    return 0;
}

int permissions_me(ctx_t *ctx)
{
    if (!ctx->acc.user && !ctx->acc.role && !ctx->acc.share)
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    buf_t b;
    buf_init(&b, ctx->arena, 4096);
    buf_puts(&b, "{\"data\":");
    if (ctx->acc.admin) {
        if (admin_access(ctx, &b) < 0)
            return -1;
    } else {
        if (accountability_policies(&ctx->acc, ctx->arena, &ctx->err, ctx->db) < 0)
            return -1;
        perm_subject_t who = subject(ctx);
        if (perm_collection_access(ctx->arena, &ctx->err, ctx->db, &who, &b) < 0)
            return -1;
    }
    buf_putc(&b, '}');
    return respond_json_text(ctx, buf_slice(&b));
}

int policies_me_globals(ctx_t *ctx)
{
    if (!ctx->acc.user && !ctx->acc.role)
        return respond_json_text(ctx, STR("{\"data\":{\"app_access\":false}}"));
    if (accountability_policies(&ctx->acc, ctx->arena, &ctx->err, ctx->db) < 0)
        return -1;
    perm_subject_t who = subject(ctx);
    bool tfa;
    if (perm_enforce_tfa(ctx->arena, &ctx->err, ctx->db, &who, &tfa) < 0)
        return -1;
    buf_t b;
    buf_init(&b, ctx->arena, 96);
    buf_printf(&b, "{\"data\":{\"app_access\":%s,\"admin_access\":%s,\"enforce_tfa\":%s}}",
               ctx->acc.app ? "true" : "false", ctx->acc.admin ? "true" : "false",
               tfa ? "true" : "false");
    return respond_json_text(ctx, buf_slice(&b));
}
