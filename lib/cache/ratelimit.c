/*
 * Fixed windows per key, opened by the key's first request (rate-limiter-flexible's
 * RateLimiterMemory and RateLimiterRedis). The memory store is a table of buckets in a shared
 * mapping; each bucket has a tiny lock so that workers of one pool update it one at a time. The
 * lock holds for a scan of eight slots and never across a system call; a worker killed inside it
 * (kill -9 at exactly that moment) is detected by its pid and the lock taken over.
 */
#include "lib/cache/ratelimit.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "lib/core/log.h"

/* rate-limiter-flexible's default key prefix and the global limiter's key in Directus. */
#define KEY_PREFIX "rlflx:"
#define GLOBAL_KEY "global-rate-limit"

#define BUCKETS 8192
#define WAYS 8
#define KEY_MAX 50 /* an IPv6 address with an IPv4 tail is 45 bytes */
#define NEVER INT64_MAX
/* Spins on a bucket lock before looking whether its holder is still alive. */
#define SPINS 1024
/* Store failures (Redis error replies) are logged at most this often per worker. */
#define LOG_INTERVAL_MS 10000

struct slot {
    int64_t expires;   /* monotonic ms when the window ends; NEVER; 0: free */
    uint32_t consumed; /* points used in the window (saturates) */
    uint8_t tag;       /* which limiter: keys of the IP and the global limiter never mix */
    uint8_t len;
    char key[KEY_MAX];
};

struct bucket {
    _Atomic uint32_t lock; /* 0, or the pid of the worker inside */
    struct slot slot[WAYS];
};

struct table {
    uint64_t seed;        /* hash seed, random per pool */
    struct bucket global; /* the global key alone: never evicted by IP keys */
    struct bucket b[BUCKETS];
};

typedef struct {
    ratelimit_which_t which;
    int points;
    int64_t duration_ms;
} limiter_t;

struct ratelimit {
    limiter_t ip, global, login;
    bool on; /* RATE_LIMITER_ENABLED: the request limiters */
    bool global_on;
    redis_t *redis; /* borrowed; NULL: memory store */
    struct table *table;
    bool table_own; /* mapped by this limiter (no pool table) */
    uint32_t pid;   /* this worker's, for the bucket locks */
    int64_t logged_at;
};

static struct table *pool_table;

/* Tests replace the clock to walk through windows. */
static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
static int64_t (*now_ms)(void) = monotonic_ms;

/* ------------------------------------------------------------------ the memory table */

static struct table *table_map(int flags)
{
    void *p =
        mmap(NULL, sizeof(struct table), PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        log_error("rate limiter: cannot map its table: %s", strerror(errno));
        return NULL;
    }
    struct table *t = p;
    if (getrandom(&t->seed, sizeof t->seed, 0) != sizeof t->seed)
        t->seed = (uint64_t)monotonic_ms() * 0x9e3779b97f4a7c15u ^ (uint64_t)getpid();
    return t;
}

int ratelimit_shm_init(void)
{
    if (pool_table)
        return 0;
    pool_table = table_map(MAP_SHARED);
    return pool_table ? 0 : -1;
}

/* FNV-1a over tag and key, seeded, with a final mix so that near keys spread over buckets. */
static uint64_t hash(uint64_t seed, uint8_t tag, const char *k, size_t n)
{
    uint64_t h = seed ^ 0xcbf29ce484222325u;
    h = (h ^ tag) * 0x100000001b3u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 0x100000001b3u;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    return h;
}

static void bucket_lock(struct bucket *b, uint32_t me)
{
    for (unsigned spins = 0;; spins++) {
        uint32_t holder = 0;
        if (atomic_compare_exchange_weak_explicit(&b->lock, &holder, me, memory_order_acquire,
                                                  memory_order_relaxed))
            return;
        if (spins < SPINS)
            continue;
        spins = 0;
        /* Its holder may have died inside: the lock is then taken over. */
        if (holder && kill((pid_t)holder, 0) < 0 && errno == ESRCH &&
            atomic_compare_exchange_strong_explicit(&b->lock, &holder, me, memory_order_acquire,
                                                    memory_order_relaxed))
            return;
        sched_yield();
    }
}

static void bucket_unlock(struct bucket *b)
{
    atomic_store_explicit(&b->lock, 0, memory_order_release);
}

/* The slot for key: its live or expired slot, else a free one, else the one whose window ends
 * first (forgotten: the table is bounded). */
static struct slot *slot_find(struct bucket *b, uint8_t tag, const char *k, size_t n, int64_t now,
                              bool *fresh)
{
    struct slot *victim = NULL;
    for (int i = 0; i < WAYS; i++) {
        struct slot *s = &b->slot[i];
        if (s->expires && s->tag == tag && s->len == n && memcmp(s->key, k, n) == 0) {
            *fresh = s->expires <= now;
            return s;
        }
        /* Free slots have expires 0 and expired ones end before live ones: the smallest wins. */
        if (!victim || s->expires < victim->expires)
            victim = s;
    }
    *fresh = true;
    victim->tag = tag;
    victim->len = (uint8_t)n;
    memcpy(victim->key, k, n);
    return victim;
}

/* The bucket and key bytes for a limiter's key. Keys too long for a slot (not an IP: Directus
 * never limits on anything else) are replaced by their hash. */
static struct bucket *bucket_for(struct ratelimit *rl, const limiter_t *l, str_t *key, char *spill)
{
    uint64_t h = hash(rl->table->seed, (uint8_t)l->which, key->p, key->n);
    if (key->n > KEY_MAX) {
        int m = snprintf(spill, KEY_MAX, "#%016llx", (unsigned long long)h);
        *key = (str_t){spill, (size_t)m};
    }
    if (l->which == RATELIMIT_GLOBAL && str_eq_c(*key, GLOBAL_KEY))
        return &rl->table->global;
    return &rl->table->b[h % BUCKETS];
}

/* Consumes one point: the points used so far in the window and the ms until it ends. */
static void memory_consume(struct ratelimit *rl, const limiter_t *l, str_t key, uint32_t *used,
                           int64_t *ms_before_next)
{
    char spill[KEY_MAX];
    struct bucket *b = bucket_for(rl, l, &key, spill);
    int64_t now = now_ms();
    bucket_lock(b, rl->pid);
    bool fresh;
    struct slot *s = slot_find(b, (uint8_t)l->which, key.p, key.n, now, &fresh);
    if (fresh) {
        s->consumed = 0;
        s->expires = l->duration_ms > 0 ? now + l->duration_ms : NEVER;
    }
    if (s->consumed < UINT32_MAX)
        s->consumed++;
    *used = s->consumed;
    *ms_before_next = s->expires == NEVER ? -1 : s->expires - now;
    bucket_unlock(b);
}

static void memory_delete(struct ratelimit *rl, const limiter_t *l, str_t key)
{
    char spill[KEY_MAX];
    struct bucket *b = bucket_for(rl, l, &key, spill);
    bucket_lock(b, rl->pid);
    for (int i = 0; i < WAYS; i++) {
        struct slot *s = &b->slot[i];
        if (s->expires && s->tag == (uint8_t)l->which && s->len == key.n &&
            memcmp(s->key, key.p, key.n) == 0)
            memset(s, 0, sizeof *s);
    }
    bucket_unlock(b);
}

/* ------------------------------------------------------------------ the redis store */

/* The window opens with the key's first INCR: PEXPIRE only when the key has no TTL yet, so later
 * requests never extend it. Duration 0 leaves the key without one (the window never ends). */
static const char incr_script[] =
    "local n = redis.call('INCR', KEYS[1]) "
    "local ttl = redis.call('PTTL', KEYS[1]) "
    "local d = tonumber(ARGV[1]) "
    "if ttl == -1 and d > 0 then redis.call('PEXPIRE', KEYS[1], d) ttl = d end "
    "return {n, ttl}";

static void log_store_failure(struct ratelimit *rl, const char *what, const redisReply *rep)
{
    int64_t now = now_ms();
    if (rl->logged_at && now - rl->logged_at < LOG_INTERVAL_MS)
        return;
    rl->logged_at = now;
    if (rep && rep->type == REDIS_REPLY_ERROR)
        log_warn("rate limiter: Redis refused %s: %.*s; requests pass unlimited meanwhile", what,
                 (int)rep->len, rep->str);
    else if (rep)
        log_warn("rate limiter: unexpected Redis reply to %s; requests pass unlimited meanwhile",
                 what);
    /* No reply at all: lib/cache/redis.c has logged why. */
}

/* "rlflx:<key>" in the arena. */
static str_t redis_key(arena_t *a, str_t key)
{
    size_t pn = sizeof KEY_PREFIX - 1;
    char *k = arena_alloc(a, pn + key.n + 1);
    memcpy(k, KEY_PREFIX, pn);
    memcpy(k + pn, key.p, key.n);
    k[pn + key.n] = '\0';
    return (str_t){k, pn + key.n};
}

static int redis_consume(struct ratelimit *rl, arena_t *a, const limiter_t *l, str_t key,
                         uint32_t *used, int64_t *ms_before_next)
{
    str_t k = redis_key(a, key);
    char dur[24];
    int dn = snprintf(dur, sizeof dur, "%lld", (long long)l->duration_ms);
    const char *argv[] = {"EVAL", incr_script, "1", k.p, dur};
    const size_t len[] = {4, sizeof incr_script - 1, 1, k.n, (size_t)dn};
    redisReply *rep = redis_command(rl->redis, a, 5, argv, len);
    if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
        rep->element[0]->type != REDIS_REPLY_INTEGER ||
        rep->element[1]->type != REDIS_REPLY_INTEGER) {
        log_store_failure(rl, "the limiter script", rep);
        return -1;
    }
    long long n = rep->element[0]->integer;
    *used = n < 0 ? 0 : n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
    *ms_before_next = rep->element[1]->integer < 0 ? -1 : rep->element[1]->integer;
    return 0;
}

static int redis_delete(struct ratelimit *rl, arena_t *a, str_t key)
{
    str_t k = redis_key(a, key);
    const char *argv[] = {"DEL", k.p};
    const size_t len[] = {3, k.n};
    redisReply *rep = redis_command(rl->redis, a, 2, argv, len);
    if (!rep || rep->type != REDIS_REPLY_INTEGER) {
        log_store_failure(rl, "DEL", rep);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ limiters */

/* One point of key on l. 1: over the limit (*hit filled); 0: within it; -1: the store failed. */
static int consume(struct ratelimit *rl, arena_t *a, const limiter_t *l, str_t key,
                   ratelimit_hit_t *hit)
{
    uint32_t used;
    int64_t ms;
    if (rl->redis) {
        if (redis_consume(rl, a, l, key, &used, &ms) < 0)
            return -1;
    } else {
        memory_consume(rl, l, key, &used, &ms);
    }
    if (used <= (uint32_t)l->points)
        return 0;
    *hit = (ratelimit_hit_t){.which = l->which, .limit = l->points, .ms_before_next = ms};
    return 1;
}

ratelimit_t *ratelimit_new(const conf_t *c, redis_t *redis)
{
    struct ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl) {
        log_error("out of memory");
        abort();
    }
    rl->ip =
        (limiter_t){RATELIMIT_IP, c->rate_limiter_points, (int64_t)c->rate_limiter_duration * 1000};
    rl->global = (limiter_t){RATELIMIT_GLOBAL, c->rate_limiter_global_points,
                             (int64_t)c->rate_limiter_global_duration * 1000};
    rl->login = (limiter_t){RATELIMIT_LOGIN, 0, 0};
    rl->on = c->rate_limiter_enabled;
    rl->global_on = c->rate_limiter_global_enabled;
    rl->redis =
        c->rate_limiter_store && strcmp(c->rate_limiter_store, "redis") == 0 ? redis : NULL;
    rl->pid = (uint32_t)getpid();
    rl->table = pool_table;
    if (!rl->redis && !rl->table) {
        rl->table = table_map(MAP_PRIVATE);
        rl->table_own = rl->table != NULL;
        if (!rl->table) {
            free(rl);
            return NULL;
        }
    }
    return rl;
}

void ratelimit_free(ratelimit_t *rl)
{
    if (!rl)
        return;
    if (rl->table_own)
        munmap(rl->table, sizeof(struct table));
    free(rl);
}

bool ratelimit_is_on(const ratelimit_t *rl, ratelimit_which_t which)
{
    if (!rl)
        return false;
    return which == RATELIMIT_LOGIN || (rl->on && (which == RATELIMIT_IP || rl->global_on));
}

bool ratelimit_consume(ratelimit_t *rl, arena_t *a, str_t ip, ratelimit_hit_t *hit)
{
    if (!rl || !rl->on)
        return true;
    if (rl->global_on && consume(rl, a, &rl->global, STR(GLOBAL_KEY), hit) == 1)
        return false;
    if (ip.n && consume(rl, a, &rl->ip, ip, hit) == 1)
        return false;
    return true;
}

int ratelimit_login_attempt(ratelimit_t *rl, arena_t *a, const char *user, int points)
{
    if (!rl)
        return 0;
    limiter_t l = rl->login;
    l.points = points < 0 ? 0 : points; /* past any negative limit at the first attempt */
    ratelimit_hit_t hit;
    int rc = consume(rl, a, &l, str_c(user), &hit);
    if (rc == 1)
        ratelimit_login_reset(rl, a, user);
    return rc;
}

void ratelimit_login_reset(ratelimit_t *rl, arena_t *a, const char *user)
{
    if (!rl)
        return;
    if (rl->redis)
        redis_delete(rl, a, str_c(user));
    else
        memory_delete(rl, &rl->login, str_c(user));
}

int ratelimit_probe(ratelimit_t *rl, arena_t *a, ratelimit_which_t which, const char *key,
                    const char **why)
{
    const limiter_t *l = which == RATELIMIT_GLOBAL ? &rl->global : &rl->ip;
    ratelimit_hit_t hit;
    str_t k = str_c(key);
    if (!rl->redis) {
        consume(rl, a, l, k, &hit);
        memory_delete(rl, l, k);
        return 0;
    }
    if (consume(rl, a, l, k, &hit) < 0 || redis_delete(rl, a, k) < 0) {
        *why = "Redis did not answer";
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ ms */

char *ratelimit_ms_format(char *buf, size_t n, int64_t ms)
{
    static const struct {
        int64_t unit;
        char suffix;
    } units[] = {{86400000, 'd'}, {3600000, 'h'}, {60000, 'm'}, {1000, 's'}};
    int64_t abs = ms < 0 ? -ms : ms;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (abs >= units[i].unit) {
            /* Math.round: halves go up (towards +Infinity), also for negative values. */
            double v = floor((double)ms / (double)units[i].unit + 0.5);
            snprintf(buf, n, "%.0f%c", v, units[i].suffix);
            return buf;
        }
    }
    snprintf(buf, n, "%lldms", (long long)ms);
    return buf;
}
