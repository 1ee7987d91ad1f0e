/* Directus's HitRateLimitError, from a refusal of lib/cache/ratelimit. */
#include "lib/api/limiter.h"

#include <json-c/json.h>
#include <math.h>
#include <time.h>

#include "lib/cache/ratelimit.h"

/* Date.prototype.toISOString of a Unix time in ms. */
static char *iso_date(arena_t *a, int64_t ms)
{
    time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    return arena_printf(a, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                        tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                        (int)(ms - (int64_t)secs * 1000));
}

static int64_t unix_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int limiter_check(ctx_t *ctx)
{
    ratelimit_hit_t hit;
    if (!ratelimit_is_on(ctx->ratelimit, RATELIMIT_IP))
        return 0;
    str_t ip = request_client_ip(ctx->req, ctx->conf->ip_trust_proxy, ctx->conf->ip_custom_header);
    if (ratelimit_consume(ctx->ratelimit, ctx->arena, ip, &hit))
        return 0;
    /* String(Math.round(msBeforeNext / 1000)): halves up, and -0 prints as 0. */
    long long retry = (long long)floor((double)hit.ms_before_next / 1000.0 + 0.5);
    response_set_header_c(ctx->res, "Retry-After", arena_printf(ctx->arena, "%lld", retry));
    char ms[32];
    err_set(&ctx->err, ctx->arena, ERR_REQUESTS_EXCEEDED, "Too many requests, retry after %s.",
            ratelimit_ms_format(ms, sizeof ms, hit.ms_before_next));
    err_ext_str(&ctx->err, ctx->arena, "limit", NULL);
    json_object_object_add(ctx->err.ext, "limit", json_object_new_int(hit.limit));
    err_ext_str(&ctx->err, ctx->arena, "reset",
                iso_date(ctx->arena, unix_ms() + hit.ms_before_next));
    return -1;
}
