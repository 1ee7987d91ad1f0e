#include "lib/api/utils.h"

#include <json-c/json.h>

#include "lib/cache/generation.h"
#include "lib/cache/respcache.h"
#include "lib/core/json.h"

/* 'system' in req.query && (req.query.system === '' || Boolean(req.query.system)) */
static bool system_flag(const ctx_t *ctx)
{
    struct json_object *v;
    if (!json_object_object_get_ex(ctx->query, "system", &v))
        return false;
    if (json_object_is_type(v, json_type_string) && json_object_get_string_len(v) == 0)
        return true;
    return json_truthy(v);
}

int utils_cache_clear(ctx_t *ctx)
{
    if (!ctx->acc.admin)
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    if (system_flag(ctx)) {
        gen_bump(GEN_SCHEMA);
        gen_bump(GEN_PERMISSIONS);
        gen_bump(GEN_USERS);
    }
    respcache_clear(ctx->conf, ctx->redis, ctx->arena);
    ctx->res->status = 200;
    return 0;
}
