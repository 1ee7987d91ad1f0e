/*
 * /server: liveness, project info and health, shaped as Directus 11.3.5 answers them. Health
 * runs Directus's checks: database, local storage (a probe file), email (the transport's verify).
 */
#include "lib/api/server.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/api/respond.h"
#include "lib/api/schema_cache.h"
#include "lib/auth/mail.h"
#include "lib/auth/session.h"
#include "lib/cache/ratelimit.h"
#include "lib/cache/redis.h"
#include "lib/core/json.h"
#include "lib/services/settings.h"

/* The Directus release whose API Celer serves; reported as version and releaseId. */
#define DIRECTUS_VERSION "11.3.5"

int server_ping(ctx_t *ctx)
{
    response_set_header_c(ctx->res, "Content-Type", "text/html; charset=utf-8");
    buf_puts(&ctx->res->body, "pong");
    return 0;
}

/* {"points","duration"} of a limiter, or false when it is off. */
static struct json_object *limiter(bool enabled, int points, int duration)
{
    if (!enabled)
        return json_object_new_boolean(0);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "points", json_object_new_int(points));
    json_object_object_add(o, "duration", json_object_new_int(duration));
    return o;
}

static struct json_object *ws_endpoint(bool enabled, const char *auth, const char *path)
{
    if (!enabled)
        return json_object_new_boolean(0);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "authentication", json_object_new_string(auth));
    json_object_object_add(o, "path", json_object_new_string(path));
    return o;
}

/* Pino levels from the configured one upwards, as getAllowedLogLevels() lists them. */
static struct json_object *allowed_log_levels(const char *from)
{
    static const struct {
        const char *name;
        int value;
    } levels[] = {{"trace", 10}, {"debug", 20}, {"info", 30}, {"warn", 40}, {"error", 50},
                  {"fatal", 60}};
    struct json_object *o = json_object_new_object();
    bool on = false;
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        on = on || strcmp(levels[i].name, from) == 0;
        if (on)
            json_object_object_add(o, levels[i].name, json_object_new_int(levels[i].value));
    }
    return o;
}

static struct json_object *websocket_info(const conf_t *c, bool admin)
{
    if (!c->websockets_enabled)
        return json_object_new_boolean(0);
    struct json_object *ws = json_object_new_object();
    json_object_object_add(ws, "rest",
                           ws_endpoint(c->websockets_rest_enabled, c->websockets_rest_auth,
                                       c->websockets_rest_path));
    json_object_object_add(ws, "graphql",
                           ws_endpoint(c->websockets_graphql_enabled, c->websockets_graphql_auth,
                                       c->websockets_graphql_path));
    json_object_object_add(ws, "heartbeat",
                           c->websockets_heartbeat_enabled
                               ? json_object_new_int(c->websockets_heartbeat_period)
                               : json_object_new_boolean(0));
    struct json_object *logs = c->websockets_logs_enabled && admin
                                   ? json_object_new_object()
                                   : json_object_new_boolean(0);
    if (json_object_is_type(logs, json_type_object))
        json_object_object_add(logs, "allowedLogLevels",
                               allowed_log_levels(c->websockets_logs_level));
    json_object_object_add(ws, "logs", logs);
    return ws;
}

/* What only signed-in users see, in Directus's key order. */
static void add_user_info(const conf_t *c, bool admin, struct json_object *info)
{
    json_object_object_add(info, "rateLimit",
                           limiter(c->rate_limiter_enabled, c->rate_limiter_points,
                                   c->rate_limiter_duration));
    json_object_object_add(info, "rateLimitGlobal",
                           limiter(c->rate_limiter_global_enabled, c->rate_limiter_global_points,
                                   c->rate_limiter_global_duration));
    struct json_object *ext = json_object_new_object();
    json_object_object_add(ext, "limit", c->extensions_limit >= 0
                                             ? json_object_new_int(c->extensions_limit)
                                             : NULL);
    json_object_object_add(info, "extensions", ext);
    struct json_object *ql = json_object_new_object();
    json_object_object_add(ql, "default", json_object_new_int64(c->query_limit_default));
    json_object_object_add(ql, "max", json_object_new_int64(c->query_limit_max));
    json_object_object_add(info, "queryLimit", ql);
    json_object_object_add(info, "websocket", websocket_info(c, admin));
    json_object_object_add(info, "version", json_object_new_string(DIRECTUS_VERSION));
}

int server_info(ctx_t *ctx)
{
    struct json_object *project;
    const schema_t *schema = schema_cache_get(ctx);
    if (!schema || settings_project(ctx->arena, &ctx->err, ctx->db, schema, &project) < 0)
        return -1;
    struct json_object *payload = json_own(ctx->arena, json_object_new_object());
    struct json_object *info = json_object_new_object();
    json_object_object_add(info, "project", json_object_get(project));
    if (ctx->acc.user)
        add_user_info(ctx->conf, ctx->acc.admin, info);
    json_object_object_add(payload, "data", info);
    return respond_json(ctx, payload);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static struct json_object *check(const char *status, const char *component)
{
    struct json_object *c = json_object_new_object();
    json_object_object_add(c, "status", json_object_new_string(status));
    json_object_object_add(c, "componentType", json_object_new_string(component));
    return c;
}

static void add_check(struct json_object *checks, const char *name, struct json_object *c)
{
    struct json_object *list = json_object_new_array();
    json_object_array_add(list, c);
    json_object_object_add(checks, name, list);
}

/* Round to 3 decimals as Directus's +x.toFixed(3). */
static double round3(double x)
{
    return (double)(long long)(x * 1000 + 0.5) / 1000;
}

/* The database checks: a round trip timed against the 150 ms threshold. Returns the status. */
static const char *database_checks(ctx_t *ctx, struct json_object *checks)
{
    const char *client = db_client_name(ctx->db);
    double t0 = now_ms();
    err_t e = {0};
    db_result_t r;
    bool ok = db_exec(ctx->db, ctx->arena, &e, "SELECT 1", NULL, 0, &r) == 0;
    double ms = round3(now_ms() - t0);
    const char *status = !ok ? "error" : ms > 150 ? "warn" : "ok";
    struct json_object *c = check(status, "datastore");
    json_object_object_add(c, "observedUnit", json_object_new_string("ms"));
    json_object_object_add(c, "observedValue", json_object_new_double(ms));
    json_object_object_add(c, "threshold", json_object_new_int(150));
    if (!ok)
        json_object_object_add(c, "output", json_object_new_string("Can't connect to the database."));
    add_check(checks, arena_printf(ctx->arena, "%s:responseTime", client), c);
    /* Each worker owns one connection, and it is busy serving this very request. */
    c = check("ok", "datastore");
    json_object_object_add(c, "observedValue", json_object_new_int(ctx->conf->workers - 1));
    add_check(checks, arena_printf(ctx->arena, "%s:connectionsAvailable", client), c);
    c = check("ok", "datastore");
    json_object_object_add(c, "observedValue", json_object_new_int(1));
    add_check(checks, arena_printf(ctx->arena, "%s:connectionsUsed", client), c);
    return status;
}

/* The local storage check: write, read back and delete a small file under STORAGE_LOCAL_ROOT,
 * timed against Directus's 750 ms threshold. Returns the status. */
static const char *storage_check(ctx_t *ctx, struct json_object *checks)
{
    char name[SESSION_TOKEN_LEN + 1];
    if (session_token_new(name) < 0)
        snprintf(name, sizeof name, "%ld", (long)getpid());
    const char *path = arena_printf(ctx->arena, "%s/health-%.5s", ctx->conf->storage_local_root,
                                    name);
    double t0 = now_ms();
    const char *failed = NULL;
    int err = 0;
    FILE *f = fopen(path, "w");
    if (!f || fputs("check", f) < 0 || fclose(f) != 0) {
        failed = "open", err = errno;
    } else {
        char buf[8] = {0};
        f = fopen(path, "r");
        if (!f || fread(buf, 1, sizeof buf - 1, f) != 5 || strcmp(buf, "check") != 0)
            failed = "read", err = errno;
        if (f)
            fclose(f);
        unlink(path);
    }
    double ms = round3(now_ms() - t0);
    const char *status = failed ? "error" : ms > 750 ? "warn" : "ok";
    struct json_object *c = check(status, "objectstore");
    json_object_object_add(c, "observedValue", json_object_new_double(ms));
    json_object_object_add(c, "observedUnit", json_object_new_string("ms"));
    json_object_object_add(c, "threshold", json_object_new_int(750));
    if (failed) {
        struct json_object *out = json_object_new_object();
        json_object_object_add(out, "code", json_object_new_string(strerrorname_np(err) ? strerrorname_np(err) : "EIO"));
        json_object_object_add(out, "syscall", json_object_new_string(failed));
        json_object_object_add(c, "output", out);
    }
    add_check(checks, "storage:local:responseTime", c);
    return status;
}

/* email:connection: nodemailer's verify() of the configured transport. */
static const char *email_check(ctx_t *ctx, struct json_object *checks)
{
    const char *why = NULL;
    bool ok = mail_verify(ctx->arena, ctx->conf, &why) == 0;
    struct json_object *c = check(ok ? "ok" : "error", "email");
    if (!ok) {
        struct json_object *out = json_object_new_object();
        json_object_object_add(out, "message", json_object_new_string(why ? why : "error"));
        json_object_object_add(c, "output", out);
    }
    add_check(checks, "email:connection", c);
    return ok ? "ok" : "error";
}

/* Whether STORAGE_LOCATIONS lists `local`, the one storage driver Celer has. */
static bool has_local_storage(const conf_t *c)
{
    str_t list = str_c(c->storage_locations);
    size_t start = 0;
    for (size_t i = 0; i <= list.n; i++) {
        if (i < list.n && list.p[i] != ',')
            continue;
        if (str_eq_c(str_trim((str_t){list.p + start, i - start}), "local"))
            return true;
        start = i + 1;
    }
    return false;
}

/* Directus's roll-up: the first warn makes the whole warn, the first error makes it error. */
static const char *worst(const char *a, const char *b)
{
    if (!strcmp(a, "error") || !strcmp(b, "error"))
        return "error";
    return !strcmp(a, "warn") || !strcmp(b, "warn") ? "warn" : "ok";
}

/* One timed check of a cache or rate limiter store, shaped as Directus's testCache and
 * testRateLimiter*: warn above threshold ms, error with the reason when the store failed. */
static const char *store_check(struct json_object *checks, const char *name,
                               const char *component, int threshold, double ms, const char *failed)
{
    ms = round3(ms);
    const char *status = failed ? "error" : ms > threshold ? "warn" : "ok";
    struct json_object *c = check(status, component);
    json_object_object_add(c, "observedValue", json_object_new_double(ms));
    json_object_object_add(c, "observedUnit", json_object_new_string("ms"));
    json_object_object_add(c, "threshold", json_object_new_int(threshold));
    /* Directus puts the error the store threw here; ioredis's errors (MaxRetriesPerRequestError
     * when Redis is down, ReplyError) have no enumerable own fields but the command, so the
     * output serializes as {}. Why it failed is in the log (lib/cache/redis.c). */
    if (failed)
        json_object_object_add(c, "output", json_object_new_object());
    add_check(checks, name, c);
    return status;
}

/* cache:responseTime: a key written and deleted again in Redis. The memory store cannot fail:
 * Directus's set and delete there take a few microseconds, and so does this check. */
static const char *cache_check(ctx_t *ctx, struct json_object *checks, const char *id)
{
    const char *key = arena_printf(ctx->arena, "%s:health-%s", ctx->conf->cache_namespace, id);
    const char *set[] = {"SET", key, "true", "PX", "5"};
    const char *del[] = {"DEL", key};
    double t0 = now_ms();
    bool ok = strcmp(ctx->conf->cache_store, "redis") != 0 ||
              (redis_reply_ok(redis_command(ctx->redis, ctx->arena, 5, set, NULL)) &&
               redis_reply_ok(redis_command(ctx->redis, ctx->arena, 2, del, NULL)));
    return store_check(checks, "cache:responseTime", "cache",
                       ctx->conf->cache_healthcheck_threshold, now_ms() - t0,
                       ok ? NULL : "Redis did not answer or refused the command");
}

/* rateLimiter:responseTime / rateLimiterGlobal:responseTime: a point consumed and the key
 * deleted again, on that limiter's store. */
static const char *limiter_check_health(ctx_t *ctx, struct json_object *checks, const char *id,
                                        ratelimit_which_t which)
{
    const char *why = NULL;
    double t0 = now_ms();
    ratelimit_probe(ctx->ratelimit, ctx->arena, which, arena_printf(ctx->arena, "health-%s", id),
                    &why);
    double ms = now_ms() - t0;
    if (which == RATELIMIT_GLOBAL)
        return store_check(checks, "rateLimiterGlobal:responseTime", "ratelimiter",
                           ctx->conf->rate_limiter_global_healthcheck_threshold, ms, why);
    return store_check(checks, "rateLimiter:responseTime", "ratelimiter",
                       ctx->conf->rate_limiter_healthcheck_threshold, ms, why);
}

/* The checks of lib/cache, in Directus's order (after the database, before storage). */
static const char *cache_checks(ctx_t *ctx, struct json_object *checks)
{
    char id[SESSION_TOKEN_LEN + 1];
    if (session_token_new(id) < 0)
        snprintf(id, sizeof id, "%ld", (long)getpid());
    id[5] = '\0'; /* nanoid(5) */
    const char *status = "ok";
    if (ctx->conf->cache_enabled)
        status = worst(status, cache_check(ctx, checks, id));
    if (ratelimit_is_on(ctx->ratelimit, RATELIMIT_IP))
        status = worst(status, limiter_check_health(ctx, checks, id, RATELIMIT_IP));
    if (ratelimit_is_on(ctx->ratelimit, RATELIMIT_GLOBAL))
        status = worst(status, limiter_check_health(ctx, checks, id, RATELIMIT_GLOBAL));
    return status;
}

int server_health(ctx_t *ctx)
{
    struct json_object *checks = json_own(ctx->arena, json_object_new_object());
    const char *status = database_checks(ctx, checks);
    status = worst(status, cache_checks(ctx, checks));
    if (has_local_storage(ctx->conf))
        status = worst(status, storage_check(ctx, checks));
    status = worst(status, email_check(ctx, checks));
    struct json_object *payload = json_own(ctx->arena, json_object_new_object());
    json_object_object_add(payload, "status", json_object_new_string(status));
    if (ctx->acc.admin) {
        json_object_object_add(payload, "releaseId", json_object_new_string(DIRECTUS_VERSION));
        json_object_object_add(payload, "serviceId", json_object_new_string(ctx->conf->public_url));
        json_object_object_add(payload, "checks", json_object_get(checks));
    }
    if (strcmp(status, "error") == 0)
        ctx->res->status = 503;
    respond_json(ctx, payload);
    response_set_header_c(ctx->res, "Content-Type", "application/health+json; charset=utf-8");
    return 0;
}
