/*
 * The two stores behind respcache.h. Memory: a direct-mapped table of malloc'd entries, each one
 * block (tag counters, tag names, body). Redis: values are "<expires epoch ms>\n<namespace
 * epoch>\n<etag>\n" followed by the body, so that one MGET (the entry and the current epoch)
 * answers the body, its remaining time and whether it is still current; the version check of a
 * put and the whole of a purge run as Lua scripts, atomically.
 */
#include "lib/cache/respcache.h"

#include <hiredis/hiredis.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/cache/generation.h"
#include "lib/core/buf.h"
#include "lib/core/log.h"

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool respcache_enabled(const conf_t *c)
{
    return c->cache_enabled && c->cache_store &&
           (!strcmp(c->cache_store, "memory") || !strcmp(c->cache_store, "redis"));
}

static bool use_redis(const conf_t *c)
{
    return !strcmp(c->cache_store, "redis");
}

static bool too_big(const conf_t *c, str_t body)
{
    return c->cache_value_max_size != CONF_UNLIMITED && (int64_t)body.n > c->cache_value_max_size;
}

/* ------------------------------------------------------------------ keys */

/* A part as a presence byte, its length and its bytes: no two part lists share an encoding. */
static void key_part(buf_t *b, const char *p, size_t n, bool present)
{
    buf_putc(b, present ? 1 : 0);
    buf_append(b, &n, sizeof n);
    buf_append(b, p, n);
}

static void key_cstr(buf_t *b, const char *s)
{
    key_part(b, s ? s : "", s ? strlen(s) : 0, s != NULL);
}

const char *respcache_key(arena_t *a, const respcache_key_parts_t *k)
{
    buf_t b;
    buf_init(&b, a, 256);
    buf_puts(&b, "celer response cache 1, directus 11.3.5");
    key_cstr(&b, k->user);
    key_cstr(&b, k->role);
    key_cstr(&b, k->share);
    buf_putc(&b, (char)(k->admin * 2 + k->app));
    buf_append(&b, &k->npolicies, sizeof k->npolicies);
    for (size_t i = 0; i < k->npolicies; i++)
        key_cstr(&b, k->policies[i]);
    key_part(&b, k->path.p, k->path.n, true);
    key_part(&b, k->query.p, k->query.n, k->query.p != NULL);
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_Digest(b.p, b.n, md, &mdlen, EVP_sha256(), NULL);
    char *hex = arena_alloc(a, RESPCACHE_KEY_HEX + 1);
    /* hex by hand: 32 snprintf calls were a sixth of a cache hit's instructions */
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[RESPCACHE_KEY_HEX] = '\0';
    return hex;
}

/* ------------------------------------------------------------------ memory store */

typedef struct {
    char key[RESPCACHE_KEY_HEX + 1];
    int64_t expires_ms;
    uint64_t gen_all, gen_schema, gen_perm;
    size_t ntags;
    uint64_t *tag_gens; /* in block */
    char **tags;        /* in block */
    char *block;        /* counters, name pointers, names, body; NULL: empty slot */
    const char *body;   /* in block */
    const char *etag;   /* in block, NUL-terminated */
    size_t body_n, size;
} mentry_t;

static mentry_t *slots;
static size_t mem_used, mem_entries;

static void mem_drop(mentry_t *e)
{
    if (!e->block)
        return;
    free(e->block);
    mem_used -= e->size;
    mem_entries--;
    memset(e, 0, sizeof *e);
}

void respcache_memory_reset(void)
{
    if (!slots)
        return;
    for (size_t i = 0; i < RESPCACHE_SLOTS; i++)
        mem_drop(&slots[i]);
}

size_t respcache_memory_size(void)
{
    return mem_entries;
}

static mentry_t *mem_slot(const char *key)
{
    if (!slots) {
        slots = calloc(RESPCACHE_SLOTS, sizeof *slots);
        if (!slots) {
            log_error("respcache: out of memory");
            abort();
        }
    }
    /* The key is a hex digest: its first characters are as good a hash as any. */
    unsigned long h = strtoul((char[9]){key[0], key[1], key[2], key[3], key[4], key[5], key[6],
                                        key[7], 0},
                              NULL, 16);
    return &slots[h % RESPCACHE_SLOTS];
}

static bool mem_fresh(const mentry_t *e, int64_t now)
{
    if (now >= e->expires_ms || gen_get(GEN_RESPONSES) != e->gen_all ||
        gen_get(GEN_SCHEMA) != e->gen_schema || gen_get(GEN_PERMISSIONS) != e->gen_perm)
        return false;
    for (size_t i = 0; i < e->ntags; i++)
        if (gen_tag_get(e->tags[i]) != e->tag_gens[i])
            return false;
    return true;
}

static void mem_snapshot(arena_t *a, respcache_lookup_t *l)
{
    l->snapshot = true;
    l->gen_all = gen_get(GEN_RESPONSES);
    l->gen_schema = gen_get(GEN_SCHEMA);
    l->gen_perm = gen_get(GEN_PERMISSIONS);
    l->tag_gens = arena_alloc(a, (l->ntags ? l->ntags : 1) * sizeof *l->tag_gens);
    for (size_t i = 0; i < l->ntags; i++)
        l->tag_gens[i] = gen_tag_get(l->tags[i]);
}

static bool mem_get(arena_t *a, respcache_lookup_t *l, str_t *body, str_t *etag,
                    int64_t *ttl_left)
{
    mentry_t *e = mem_slot(l->key);
    if (!e->block || strcmp(e->key, l->key) != 0)
        return false;
    int64_t now = wall_ms();
    if (!mem_fresh(e, now)) {
        mem_drop(e);
        return false;
    }
    *body = (str_t){arena_strndup(a, e->body, e->body_n), e->body_n};
    *etag = str_c(arena_strdup(a, e->etag));
    *ttl_left = e->expires_ms - now;
    return true;
}

static void mem_put(const conf_t *c, const respcache_lookup_t *l, str_t body, str_t etag)
{
    /* One block: the counters and the name pointers first (aligned), then the names, the
     * ETag and the body. */
    size_t size = l->ntags * (sizeof(uint64_t) + sizeof(char *)) + etag.n + 1 + body.n;
    for (size_t i = 0; i < l->ntags; i++)
        size += strlen(l->tags[i]) + 1;
    if (size > RESPCACHE_MEMORY_MAX / 8)
        return;
    mentry_t *e = mem_slot(l->key);
    mem_drop(e);
    if (mem_used + size > RESPCACHE_MEMORY_MAX)
        respcache_memory_reset(); /* rare: the table is bounded, a full reset keeps it simple */
    char *block = malloc(size ? size : 1);
    if (!block)
        return; /* a cache may forget */
    uint64_t *gens = (uint64_t *)(void *)block;
    char **names = (char **)(void *)(block + l->ntags * sizeof(uint64_t));
    char *p = block + l->ntags * (sizeof(uint64_t) + sizeof(char *));
    for (size_t i = 0; i < l->ntags; i++) {
        gens[i] = l->tag_gens[i];
        size_t n = strlen(l->tags[i]) + 1;
        memcpy(p, l->tags[i], n);
        names[i] = p;
        p += n;
    }
    char *tag_text = p;
    memcpy(p, etag.p, etag.n);
    p[etag.n] = '\0';
    p += etag.n + 1;
    memcpy(p, body.p, body.n);
    *e = (mentry_t){.expires_ms = wall_ms() + c->cache_ttl_ms,
                    .gen_all = l->gen_all,
                    .gen_schema = l->gen_schema,
                    .gen_perm = l->gen_perm,
                    .ntags = l->ntags,
                    .tag_gens = gens,
                    .tags = names,
                    .block = block,
                    .body = p,
                    .etag = tag_text,
                    .body_n = body.n,
                    .size = size};
    memcpy(e->key, l->key, RESPCACHE_KEY_HEX + 1);
    mem_used += size;
    mem_entries++;
}

/* ------------------------------------------------------------------ redis store */

static const char *rkey(arena_t *a, const conf_t *c, const char *kind, const char *name)
{
    return arena_printf(a, "%s:%s:%s", c->cache_namespace ? c->cache_namespace : "", kind, name);
}

static redisReply *rcmd(redis_t *r, arena_t *a, int argc, const char **argv)
{
    size_t *len = arena_alloc(a, (size_t)argc * sizeof *len);
    for (int i = 0; i < argc; i++)
        len[i] = strlen(argv[i]);
    redisReply *rep = redis_command(r, a, argc, argv, len);
    if (rep && !redis_reply_ok(rep))
        gen_redis_lost(); /* a Redis that refuses this may have refused another's purge */
    return redis_reply_ok(rep) ? rep : NULL;
}

/* The namespace's epoch (moved by every clear) and the tags' version counters, read before the
 * answer is computed: versions[0] is the epoch, versions[1 + i] tag i's counter. */
static void redis_snapshot(const conf_t *c, redis_t *r, arena_t *a, respcache_lookup_t *l)
{
    size_t n = l->ntags + 1;
    const char **argv = arena_alloc(a, (n + 1) * sizeof *argv);
    argv[0] = "MGET";
    argv[1] = rkey(a, c, "epoch", "");
    for (size_t i = 0; i < l->ntags; i++)
        argv[i + 2] = rkey(a, c, "ver", l->tags[i]);
    redisReply *rep = rcmd(r, a, (int)n + 1, argv);
    if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != n)
        return; /* no snapshot: nothing will be stored */
    l->versions = arena_alloc(a, n * sizeof *l->versions);
    for (size_t i = 0; i < n; i++) {
        const redisReply *v = rep->element[i];
        l->versions[i] = v->type == REDIS_REPLY_STRING ? arena_strndup(a, v->str, v->len) : "";
    }
    l->snapshot = true;
}

/* The next '\n'-terminated field of [*p, end) (without the '\n'); false when there is none. */
static bool next_field(const char **p, const char *end, str_t *out)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl)
        return false;
    *out = (str_t){*p, (size_t)(nl - *p)};
    *p = nl + 1;
    return true;
}

/* The entry and the namespace's epoch in one round trip. An entry stored under another epoch
 * (before a clear, or before an outage: respcache.h) is not used. */
static bool redis_get(const conf_t *c, redis_t *r, arena_t *a, respcache_lookup_t *l,
                      str_t *body, str_t *etag, int64_t *ttl_left)
{
    const char *argv[] = {"MGET", rkey(a, c, "resp", l->key), rkey(a, c, "epoch", "")};
    redisReply *rep = rcmd(r, a, 3, argv);
    if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
        rep->element[0]->type != REDIS_REPLY_STRING)
        return false;
    const redisReply *v = rep->element[0], *now_epoch = rep->element[1];
    str_t epoch_now = now_epoch->type == REDIS_REPLY_STRING
                          ? (str_t){now_epoch->str, now_epoch->len}
                          : STR("");
    /* "<expires ms>\n<epoch>\n<etag>\n<body>" */
    const char *p = v->str, *end = v->str + v->len;
    str_t exp_text, epoch, tag;
    if (!next_field(&p, end, &exp_text) || !next_field(&p, end, &epoch) ||
        !next_field(&p, end, &tag) || !str_eq(epoch, epoch_now))
        return false;
    int64_t now = wall_ms();
    long long exp = strtoll(v->str, NULL, 10);
    if (exp <= now)
        return false;
    *etag = (str_t){arena_strndup(a, tag.p, tag.n), tag.n};
    *body = (str_t){arena_strndup(a, p, (size_t)(end - p)), (size_t)(end - p)};
    *ttl_left = exp - now;
    return true;
}

/* KEYS: the entry, the epoch, per tag its version counter, then per tag its key set. ARGV: the
 * value, the TTL in ms, then the epoch and versions read at lookup. Stores nothing when one of
 * them moved (a purge or a clear ran while the answer was computed). */
static const char put_script[] =
    "local n = (#KEYS - 2) / 2\n"
    "for i = 1, n + 1 do\n"
    "  local v = redis.call('GET', KEYS[1 + i]) or ''\n"
    "  if v ~= ARGV[2 + i] then return 0 end\n"
    "end\n"
    "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"
    "for i = 1, n do\n"
    "  local s = KEYS[2 + n + i]\n"
    "  redis.call('SADD', s, KEYS[1])\n"
    "  if redis.call('PTTL', s) < tonumber(ARGV[2]) then redis.call('PEXPIRE', s, ARGV[2]) end\n"
    "end\n"
    "return 1\n";

static void redis_put(const conf_t *c, redis_t *r, arena_t *a, const respcache_lookup_t *l,
                      str_t body, str_t etag)
{
    if (!l->snapshot)
        return;
    size_t n = l->ntags;
    int argc = (int)(3 + 2 + 2 * n + 2 + 1 + n);
    const char **argv = arena_alloc(a, (size_t)argc * sizeof *argv);
    size_t *len = arena_alloc(a, (size_t)argc * sizeof *len);
    int k = 0;
    argv[k++] = "EVAL";
    argv[k++] = put_script;
    argv[k++] = arena_printf(a, "%zu", 2 + 2 * n);
    argv[k++] = rkey(a, c, "resp", l->key);
    argv[k++] = rkey(a, c, "epoch", "");
    for (size_t i = 0; i < n; i++)
        argv[k++] = rkey(a, c, "ver", l->tags[i]);
    for (size_t i = 0; i < n; i++)
        argv[k++] = rkey(a, c, "tag", l->tags[i]);
    int64_t ttl = c->cache_ttl_ms > 0 ? c->cache_ttl_ms : 1;
    buf_t v;
    buf_init(&v, a, body.n + etag.n + 24);
    buf_int(&v, wall_ms() + ttl);
    buf_putc(&v, '\n');
    buf_puts(&v, l->versions[0]); /* the epoch the answer was computed under */
    buf_putc(&v, '\n');
    buf_str(&v, etag);
    buf_putc(&v, '\n');
    buf_str(&v, body);
    int value_at = k;
    argv[k++] = v.p;
    argv[k++] = arena_printf(a, "%lld", (long long)ttl);
    for (size_t i = 0; i < n + 1; i++)
        argv[k++] = l->versions[i];
    for (int i = 0; i < argc; i++)
        len[i] = i == value_at ? v.n : strlen(argv[i]);
    redis_command(r, a, argc, argv, len);
}

/* KEYS: a tag's version counter and its key set. Deletes the members and the set, then moves
 * the version. DEL is allowed when Redis is out of memory (maxmemory with noeviction) and INCR
 * is not, so the entries go even then; -1 says the version did not move (an answer computed
 * before the purge could still be stored: the caller raises the "Redis lost" flag). */
static const char purge_script[] = "local m = redis.call('SMEMBERS', KEYS[2])\n"
                                   "for i = 1, #m do redis.call('DEL', m[i]) end\n"
                                   "redis.call('DEL', KEYS[2])\n"
                                   "if not pcall(redis.call, 'INCR', KEYS[1]) then return -1 end\n"
                                   "return #m\n";

static void redis_purge_tag(const conf_t *c, redis_t *r, arena_t *a, const char *tag)
{
    const char *argv[] = {"EVAL", purge_script, "2", rkey(a, c, "ver", tag), rkey(a, c, "tag", tag)};
    /* A purge Redis did not carry out (down: redis.c raised the flag already; an error reply
     * such as BUSY or READONLY; the version left unmoved) may leave entries that must not be
     * served: the same flag. */
    redisReply *rep = rcmd(r, a, 5, argv);
    if (!rep || rep->type != REDIS_REPLY_INTEGER || rep->integer < 0)
        gen_redis_lost();
}

/* Every entry and key set of the namespace. The epoch moves first, so that an answer computed
 * before the clear is not stored after it; versions stay (they only ever move forward). false
 * when Redis did not carry it all out (then the "Redis lost" flag is up: nothing in Redis is
 * served until a clear succeeds). */
static bool redis_clear(const conf_t *c, redis_t *r, arena_t *a)
{
    const char *incr[] = {"INCR", rkey(a, c, "epoch", "")};
    bool ok = rcmd(r, a, 2, incr) != NULL;
    const char *patterns[] = {rkey(a, c, "resp", "*"), rkey(a, c, "tag", "*")};
    for (int p = 0; ok && p < 2; p++) {
        const char *cursor = "0";
        do {
            const char *argv[] = {"SCAN", cursor, "MATCH", patterns[p], "COUNT", "1000"};
            redisReply *rep = rcmd(r, a, 6, argv);
            if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
                rep->element[0]->type != REDIS_REPLY_STRING) {
                ok = false;
                break;
            }
            cursor = arena_strndup(a, rep->element[0]->str, rep->element[0]->len);
            const redisReply *keys = rep->element[1];
            if (keys->type != REDIS_REPLY_ARRAY || !keys->elements)
                continue;
            const char **del = arena_alloc(a, (keys->elements + 1) * sizeof *del);
            del[0] = "DEL";
            for (size_t i = 0; i < keys->elements; i++)
                del[i + 1] = arena_strndup(a, keys->element[i]->str, keys->element[i]->len);
            ok = rcmd(r, a, (int)keys->elements + 1, del) != NULL;
        } while (ok && strcmp(cursor, "0") != 0);
    }
    if (!ok)
        gen_redis_lost();
    return ok;
}

/* Whether entries in Redis may be used. After the pool lost contact with Redis (generation.h),
 * a purge may have missed Redis, so every entry stored before is retired first — the epoch
 * moves, one command however large the cache (the entries then expire with their TTL); until
 * that worked, the cache in Redis is neither read nor written (answers come from the database). */
static bool redis_trusted(const conf_t *c, redis_t *r, arena_t *a)
{
    if (!respcache_enabled(c) || !use_redis(c))
        return true;
    uint64_t lost = gen_redis_lost_get();
    if (!lost)
        return true;
    const char *incr[] = {"INCR", rkey(a, c, "epoch", "")};
    if (!rcmd(r, a, 2, incr) || !gen_redis_recovered(lost))
        return false;
    log_info("response cache: Redis is back; entries of namespace \"%s\" from before retired in "
             "case a purge was missed meanwhile",
             c->cache_namespace ? c->cache_namespace : "");
    return true;
}

/* ------------------------------------------------------------------ both */

bool respcache_get(const conf_t *c, redis_t *r, arena_t *a, respcache_lookup_t *l, str_t *body,
                   str_t *etag, int64_t *ttl_left_ms)
{
    if (!respcache_enabled(c))
        return false;
    if (use_redis(c))
        return redis_trusted(c, r, a) && redis_get(c, r, a, l, body, etag, ttl_left_ms);
    return mem_get(a, l, body, etag, ttl_left_ms);
}

void respcache_prepare(const conf_t *c, redis_t *r, arena_t *a, respcache_lookup_t *l)
{
    if (!respcache_enabled(c))
        return;
    if (use_redis(c)) {
        if (redis_trusted(c, r, a))
            redis_snapshot(c, r, a, l);
    } else {
        mem_snapshot(a, l);
    }
}

void respcache_put(const conf_t *c, redis_t *r, arena_t *a, const respcache_lookup_t *l,
                   str_t body, str_t etag)
{
    if (!respcache_enabled(c) || !l->snapshot || too_big(c, body) || c->cache_ttl_ms <= 0 ||
        memchr(etag.p, '\n', etag.n))
        return;
    if (use_redis(c)) {
        if (!gen_redis_lost_get()) /* contact lost since the snapshot: keep nothing */
            redis_put(c, r, a, l, body, etag);
    } else {
        mem_put(c, l, body, etag);
    }
}

void respcache_narrow(arena_t *a, respcache_lookup_t *l, const char *const *read, size_t nread)
{
    if (!l->snapshot || !l->ntags)
        return;
    const char **tags = arena_alloc(a, l->ntags * sizeof *tags);
    size_t k = 0;
    for (size_t i = 0; i < l->ntags; i++) {
        bool kept = false;
        for (size_t j = 0; j < nread && !kept; j++)
            kept = !strcmp(l->tags[i], read[j]);
        if (!kept)
            continue;
        /* the counters are parallel to the tags: memory tag_gens[i], Redis versions[1 + i] */
        if (l->tag_gens)
            l->tag_gens[k] = l->tag_gens[i];
        if (l->versions)
            l->versions[1 + k] = l->versions[1 + i];
        tags[k++] = l->tags[i];
    }
    if (!k)
        return; /* none was read (nothing was overwritten either): keep them all */
    l->tags = tags;
    l->ntags = k;
}

void respcache_purge(const conf_t *c, redis_t *r, arena_t *a, const char *const *collections,
                     size_t n)
{
    /* The memory counters move even when the cache is off or in Redis: cheap, and a worker
     * whose configuration changes never trusts an entry from before. */
    for (size_t i = 0; i < n; i++)
        gen_tag_bump(collections[i]);
    gen_tag_bump(RESPCACHE_WILDCARD);
    if (!respcache_enabled(c) || !use_redis(c))
        return;
    redis_retry_now(r); /* a worker still backing off may find Redis back: try the purge */
    for (size_t i = 0; i < n; i++)
        redis_purge_tag(c, r, a, collections[i]);
    redis_purge_tag(c, r, a, RESPCACHE_WILDCARD);
}

bool respcache_redis_recover(const conf_t *c, redis_t *r, arena_t *a)
{
    return redis_trusted(c, r, a);
}

void respcache_clear(const conf_t *c, redis_t *r, arena_t *a)
{
    gen_bump(GEN_RESPONSES);
    if (respcache_enabled(c) && use_redis(c))
        redis_clear(c, r, a);
}
