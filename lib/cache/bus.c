#include "lib/cache/bus.h"

#include <hiredis/hiredis.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "lib/cache/generation.h"
#include "lib/cache/respcache.h"
#include "lib/core/buf.h"
#include "lib/core/json.h"
#include "lib/core/log.h"

#define NAMESPACE "directus:bus:"
#define CH_SCHEMA "schemaChanged"
#define CH_INVALIDATE "celer.invalidate"
#define CH_ITEMS "websocket.event"
/* While the subscriber is disconnected, how often to try again. */
#define RETRY_MS 1000

static char origin[17];

static const char *const kind_names[GEN_COUNT] = {
    [GEN_SCHEMA] = "schema",
    [GEN_PERMISSIONS] = "permissions",
    [GEN_USERS] = "users",
    [GEN_RESPONSES] = "responses",
};

void bus_init(void)
{
    unsigned char r[8];
    if (getrandom(r, sizeof r, 0) != sizeof r) {
        uint64_t x = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15u ^ (uint64_t)getpid();
        memcpy(r, &x, sizeof r);
    }
    for (size_t i = 0; i < sizeof r; i++)
        snprintf(origin + 2 * i, 3, "%02x", r[i]);
}

static const char *origin_id(void)
{
    if (!origin[0])
        bus_init();
    return origin;
}

int bus_publish(redis_t *r, arena_t *a, const char *channel, str_t json)
{
    if (!r)
        return 0;
    const char *ch = arena_printf(a, NAMESPACE "%s", channel);
    const char *argv[] = {"PUBLISH", ch, json.p};
    const size_t len[] = {7, strlen(ch), json.n};
    if (redis_reply_ok(redis_command(r, a, 3, argv, len)))
        return 0;
    gen_bus_lost(); /* the master re-announces once Redis is back */
    return -1;
}

int bus_publish_item_event(redis_t *r, arena_t *a, const char *action, const char *collection,
                           str_t keys_json)
{
    if (!r)
        return 0;
    buf_t b;
    buf_init(&b, a, 64 + keys_json.n);
    buf_puts(&b, "{\"collection\":");
    json_write_str(&b, str_c(collection));
    buf_puts(&b, ",\"action\":");
    json_write_str(&b, str_c(action));
    buf_puts(&b, ",\"keys\":");
    buf_str(&b, keys_json);
    buf_puts(&b, ",\"payload\":{}}");
    return bus_publish(r, a, CH_ITEMS, buf_slice(&b));
}

/* gen_bump's publisher: celer.invalidate for every kind, schemaChanged for what Directus keeps
 * in its system cache (schema, permissions). */
static void publish_generation(gen_kind_t k, void *arg)
{
    redis_t *r = arg;
    arena_t *a = arena_new();
    const char *msg =
        arena_printf(a, "{\"kind\":\"%s\",\"origin\":\"%s\"}", kind_names[k], origin_id());
    bus_publish(r, a, CH_INVALIDATE, str_c(msg));
    if (k == GEN_SCHEMA || k == GEN_PERMISSIONS)
        bus_publish(r, a, CH_SCHEMA, str_c(arena_printf(a, "{\"origin\":\"%s\"}", origin_id())));
    arena_free(a);
}

void bus_install_publisher(const conf_t *c, redis_t *r)
{
    if (c->redis_enabled && r)
        gen_set_publisher(publish_generation, r);
}

/* ------------------------------------------------------------------ the subscriber */

struct bus_sub {
    redis_t *redis; /* the subscription */
    redis_t *cmd;   /* commands: retiring the response cache's entries after an outage */
    arena_t *life;
    conf_t cache; /* the response cache's settings, copied (the pool's conf may be reloaded) */
    bool subscribed;
    bool ever_subscribed;
};

bus_sub_t *bus_sub_new(const conf_t *c)
{
    if (!c->redis_enabled)
        return NULL;
    bus_sub_t *s = calloc(1, sizeof *s);
    if (!s) {
        log_error("out of memory");
        abort();
    }
    s->redis = redis_new(c);
    s->cmd = redis_new(c);
    s->life = arena_new();
    s->cache = (conf_t){
        .cache_enabled = c->cache_enabled,
        .cache_store = c->cache_store ? arena_strdup(s->life, c->cache_store) : NULL,
        .cache_namespace = c->cache_namespace ? arena_strdup(s->life, c->cache_namespace) : NULL,
    };
    return s;
}

void bus_sub_free(bus_sub_t *s)
{
    if (!s)
        return;
    redis_free(s->redis);
    redis_free(s->cmd);
    arena_free(s->life);
    free(s);
}

static void bump_all(void)
{
    for (int k = 0; k < GEN_COUNT; k++)
        gen_bump_remote((gen_kind_t)k);
}

static bool subscribe(bus_sub_t *s, redisContext *c)
{
    /* What this pool changed while it was not listening may not have reached the others either
     * (when Redis was unreachable from here alone): bus_sub_fd() re-announces. */
    if (s->ever_subscribed)
        gen_bus_lost();
    redisReply *rep =
        redisCommand(c, "SUBSCRIBE %s %s", NAMESPACE CH_SCHEMA, NAMESPACE CH_INVALIDATE);
    if (!rep)
        return false;
    freeReplyObject(rep); /* the first confirmation; the second arrives as a push */
    if (s->ever_subscribed) {
        log_info("bus: listening again on %s*; caches rebuilt in case a message was missed",
                 NAMESPACE);
        bump_all();
    } else {
        log_info("bus: listening on %s%s and %s%s", NAMESPACE, CH_SCHEMA, NAMESPACE, CH_INVALIDATE);
    }
    s->ever_subscribed = true;
    return true;
}

/* After an outage, the entries of the response cache in Redis are retired as soon as Redis
 * answers again, not only when a worker next needs the cache (respcache.h). */
static void recover_cache(bus_sub_t *s)
{
    if (!respcache_enabled(&s->cache) || strcmp(s->cache.cache_store, "redis") != 0 ||
        !gen_redis_lost_get())
        return;
    arena_t *a = arena_new();
    respcache_redis_recover(&s->cache, s->cmd, a);
    arena_free(a);
}

/* After a publish was lost (or this pool stopped listening for a while), the other pools may
 * have missed a change: they are told to rebuild everything once — celer.invalidate without a
 * kind, and Directus's schemaChanged. */
static void announce_return(bus_sub_t *s)
{
    uint64_t lost = gen_bus_lost_get();
    if (!lost)
        return;
    arena_t *a = arena_new();
    str_t msg = str_c(arena_printf(a, "{\"origin\":\"%s\"}", origin_id()));
    redis_t *r = s->cmd;
    /* Not bus_publish(): a failure here must not raise the flag again before it is lowered. */
    const char *argv[] = {"PUBLISH", NAMESPACE CH_INVALIDATE, msg.p};
    const size_t len[] = {7, strlen(argv[1]), msg.n};
    bool ok = redis_reply_ok(redis_command(r, a, 3, argv, len));
    argv[1] = NAMESPACE CH_SCHEMA;
    const size_t len2[] = {7, strlen(argv[1]), msg.n};
    ok = ok && redis_reply_ok(redis_command(r, a, 3, argv, len2));
    if (ok && gen_bus_recovered(lost))
        log_info("bus: Redis is back; told the other pools to rebuild their caches in case a "
                 "message was lost");
    arena_free(a);
}

int bus_sub_fd(bus_sub_t *s, int *timeout_ms)
{
    *timeout_ms = RETRY_MS;
    recover_cache(s);
    announce_return(s);
    redisContext *c = redis_context(s->redis);
    if (!c)
        return -1;
    if (!s->subscribed) {
        if (!subscribe(s, c)) {
            redis_drop(s->redis);
            return -1;
        }
        s->subscribed = true;
    }
    /* A worker may raise a "lost" flag at any time: look every RETRY_MS. */
    *timeout_ms = RETRY_MS;
    return c->fd;
}

static str_t field_of(arena_t *a, str_t json, const char *key)
{
    struct json_object *o = json_tokener_parse(str_dup(a, json)), *v;
    str_t out = STR_NULL;
    if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
        out = str_c(arena_strdup(a, json_object_get_string(v)));
    json_object_put(o);
    return out;
}

/* One push: ["message", channel, payload]. */
static void apply(arena_t *a, const redisReply *rep)
{
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 3 ||
        rep->element[0]->type != REDIS_REPLY_STRING || strcmp(rep->element[0]->str, "message"))
        return;
    str_t channel = {rep->element[1]->str, rep->element[1]->len};
    str_t payload = {rep->element[2]->str, rep->element[2]->len};
    /* Directus compresses large messages; whatever cannot be read still means "changed". */
    if (str_eq_c(field_of(a, payload, "origin"), origin_id()))
        return;
    if (str_eq(channel, STR(NAMESPACE CH_SCHEMA))) {
        gen_bump_remote(GEN_SCHEMA);
        gen_bump_remote(GEN_PERMISSIONS);
        return;
    }
    str_t kind = field_of(a, payload, "kind");
    for (int k = 0; k < GEN_COUNT; k++)
        if (!kind.p || str_eq_c(kind, kind_names[k]))
            gen_bump_remote((gen_kind_t)k);
}

void bus_sub_service(bus_sub_t *s)
{
    redisContext *c = redis_context(s->redis);
    if (!c)
        return;
    if (redisBufferRead(c) != REDIS_OK) {
        log_warn("bus: lost the subscription (%s); reconnecting", c->errstr);
        redis_drop(s->redis);
        s->subscribed = false;
        return;
    }
    arena_t *a = arena_new();
    void *rep;
    while (redisGetReplyFromReader(c, &rep) == REDIS_OK && rep) {
        apply(a, rep);
        freeReplyObject(rep);
    }
    arena_free(a);
}
