/*
 * One blocking hiredis connection per worker, opened lazily, with short timeouts and a back-off
 * after failures. The address parser follows ioredis's parseURL() over Node's legacy url.parse(),
 * which is what Directus hands REDIS to.
 */
#include "lib/cache/redis.h"

#include <ctype.h>
#include <errno.h>
#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/cache/generation.h"
#include "lib/core/log.h"
#include "lib/core/str.h"

/* Directus has no knob for these (ioredis waits 10 s to connect and forever for a reply, queueing
 * commands while offline). A worker serves one request at a time, so a Redis that is slow must
 * cost a request a fraction of a second at most, never hang it: loopback or LAN round trips are
 * well under a millisecond, and 200 ms is far beyond any healthy answer. */
#define REDIS_CONNECT_TIMEOUT_MS 200
#define REDIS_COMMAND_TIMEOUT_MS 200
/* After a failed connect or a timed-out command, Redis is left alone for this long, doubling on
 * each further failure up to the cap. A Redis that restarts is found again within the cap. */
#define REDIS_BACKOFF_MIN_MS 100
#define REDIS_BACKOFF_MAX_MS 2000
/* While Redis stays down, each worker logs the failure at most this often. */
#define REDIS_LOG_INTERVAL_MS 10000

struct redis {
    arena_t *life; /* the address strings */
    redis_addr_t addr;
    const char *where; /* host:port or socket path, for log lines (never the password) */
    bool unusable;     /* configuration that can never connect: every command fails */
    redisContext *c;   /* NULL while disconnected */
    bool up;
    bool was_down; /* a failure was logged: log the recovery too */
    int backoff_ms;
    int64_t retry_at;             /* monotonic ms: no connect attempt before this */
    int64_t logged_at;            /* monotonic ms of the last failure line; 0 = none yet */
    unsigned long quiet_failures; /* failures not logged since logged_at */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct timeval tv_ms(int ms)
{
    return (struct timeval){.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
}

/* ------------------------------------------------------------------ address parsing */


/* decodeURIComponent, leaving a malformed escape as it is (url.parse does not throw either). */
static char *pct_decode(arena_t *a, const char *s, size_t n)
{
    char *out = arena_alloc(a, n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n && (hi = str_hexval((unsigned char)s[i + 1])) >= 0 &&
            (lo = str_hexval((unsigned char)s[i + 2])) >= 0) {
            *o++ = (char)(hi << 4 | lo);
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

/* A non-negative decimal integer of n bytes no larger than max, or -1. */
static long parse_uint(const char *s, size_t n, long max)
{
    if (n == 0 || n > 10)
        return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v <= max ? v : -1;
}

/* Length of "scheme:" at the start of url (RFC 3986 scheme), 0 when there is none. */
static size_t scheme_len(const char *url)
{
    if (!isalpha((unsigned char)url[0]))
        return 0;
    size_t i = 1;
    while (isalnum((unsigned char)url[i]) || url[i] == '+' || url[i] == '-' || url[i] == '.')
        i++;
    return url[i] == ':' ? i + 1 : 0;
}

/* [user[:password]@]host[:port] */
static int parse_authority(arena_t *a, const char *p, size_t n, redis_addr_t *out)
{
    const char *at = NULL;
    for (size_t i = 0; i < n; i++)
        if (p[i] == '@')
            at = p + i;
    if (at) {
        size_t un = (size_t)(at - p);
        const char *colon = memchr(p, ':', un);
        size_t namelen = colon ? (size_t)(colon - p) : un;
        if (namelen)
            out->username = pct_decode(a, p, namelen);
        if (colon && at - colon > 1)
            out->password = pct_decode(a, colon + 1, (size_t)(at - colon - 1));
        n -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    const char *host = p, *port = NULL;
    size_t hn = n;
    if (n && p[0] == '[') {
        const char *close = memchr(p, ']', n);
        if (!close)
            return -1;
        host = p + 1;
        hn = (size_t)(close - p - 1);
        if (close + 1 < p + n) {
            if (close[1] != ':')
                return -1;
            port = close + 2;
        }
    } else {
        const char *colon = memrchr(p, ':', n);
        if (colon) {
            hn = (size_t)(colon - p);
            port = colon + 1;
        }
    }
    if (port && port < p + n) {
        long v = parse_uint(port, (size_t)(p + n - port), 65535);
        if (v <= 0)
            return -1;
        out->port = (int)v;
    }
    if (hn) {
        char *h = arena_strndup(a, host, hn);
        for (char *q = h; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        out->host = h;
    }
    return 0;
}

/* ?db=&password=&username= fill in only what the URL itself left out (lodash defaults()). */
static int parse_query(arena_t *a, const char *q, size_t n, redis_addr_t *out, bool *have_db)
{
    while (n) {
        const char *amp = memchr(q, '&', n);
        size_t len = amp ? (size_t)(amp - q) : n;
        const char *eq = memchr(q, '=', len);
        if (eq) {
            size_t kn = (size_t)(eq - q), vn = len - kn - 1;
            const char *v = eq + 1;
            if (kn == 2 && !memcmp(q, "db", 2) && !*have_db) {
                long db = parse_uint(v, vn, 1L << 20);
                if (db < 0)
                    return -1;
                out->db = (int)db;
                *have_db = true;
            } else if (kn == 8 && !memcmp(q, "password", 8) && !out->password) {
                out->password = pct_decode(a, v, vn);
            } else if (kn == 8 && !memcmp(q, "username", 8) && !out->username) {
                out->username = pct_decode(a, v, vn);
            }
        }
        q += len + (amp ? 1 : 0);
        n -= len + (amp ? 1 : 0);
    }
    return 0;
}

int redis_addr_parse(arena_t *a, const char *url, redis_addr_t *out)
{
    *out = (redis_addr_t){.host = "localhost", .port = 6379};
    size_t n = strlen(url);
    long port = parse_uint(url, n, 65535);
    if (port > 0) {
        out->port = (int)port;
        return 0;
    }
    size_t sl = scheme_len(url);
    const char *p = url;
    bool authority = true;
    if (sl && strncmp(url + sl, "//", 2) == 0)
        p = url + sl + 2;
    else if (url[0] == '/')
        sl = 0, authority = false; /* a bare socket path */
    else
        sl = 0; /* no "//": ioredis parses "//" + url again, so it is all authority */
    bool redis_scheme = (sl == 6 && strncasecmp(url, "redis:", 6) == 0) ||
                        (sl == 7 && strncasecmp(url, "rediss:", 7) == 0);
    out->tls = sl == 7 && redis_scheme;
    size_t alen = authority ? strcspn(p, "/?#") : 0;
    if (authority && parse_authority(a, p, alen, out) < 0)
        return -1;
    p += alen;
    size_t plen = strcspn(p, "?#");
    bool have_db = false;
    if (redis_scheme && plen > 1) {
        long db = parse_uint(p + 1, plen - 1, 1L << 20);
        if (db < 0)
            return -1;
        out->db = (int)db;
        have_db = true;
    } else if (!redis_scheme && plen > 0) {
        out->path = arena_strndup(a, p, plen);
        out->host = NULL;
    }
    p += plen;
    if (*p == '?')
        return parse_query(a, p + 1, strcspn(p + 1, "#"), out, &have_db);
    return 0;
}

int redis_addr_from_conf(arena_t *a, const conf_t *c, redis_addr_t *out)
{
    if (c->redis)
        return redis_addr_parse(a, c->redis, out);
    *out = (redis_addr_t){
        .host = c->redis_host ? arena_strdup(a, c->redis_host) : "localhost",
        .port = c->redis_port,
        .username = c->redis_username ? arena_strdup(a, c->redis_username) : NULL,
        .password = c->redis_password ? arena_strdup(a, c->redis_password) : NULL,
        .db = c->redis_db,
    };
    return 0;
}

/* ------------------------------------------------------------------ connection */

redis_t *redis_new(const conf_t *c)
{
    redis_t *r = calloc(1, sizeof *r);
    if (!r) {
        log_error("out of memory");
        abort();
    }
    r->life = arena_new();
    r->backoff_ms = REDIS_BACKOFF_MIN_MS;
    if (redis_addr_from_conf(r->life, c, &r->addr) < 0) {
        /* The URL may hold a password: name the key, not the value. */
        log_error("REDIS: not a redis:// URL with a numeric port and db; Redis stays unused");
        r->unusable = true;
        r->where = "(REDIS)";
        return r;
    }
    r->where =
        r->addr.path ? r->addr.path : arena_printf(r->life, "%s:%d", r->addr.host, r->addr.port);
    if (r->addr.tls) {
        log_error("REDIS: rediss:// needs TLS, which this build's hiredis lacks; Redis stays "
                  "unused (use stunnel or a local redis:// endpoint)");
        r->unusable = true;
    }
    return r;
}

void redis_free(redis_t *r)
{
    if (!r)
        return;
    if (r->c)
        redisFree(r->c);
    arena_free(r->life);
    free(r);
}

bool redis_reply_ok(const struct redisReply *rep)
{
    return rep && rep->type != REDIS_REPLY_ERROR;
}

bool redis_is_up(const redis_t *r)
{
    return r && r->up;
}

/* A failure line, at most one per REDIS_LOG_INTERVAL_MS per worker, counting the quiet ones. */
static void log_failure(redis_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_failure(redis_t *r, const char *fmt, ...)
{
    r->up = false;
    gen_redis_lost(); /* whatever this process wrote meanwhile may have left Redis stale */
    int64_t now = now_ms();
    if (r->logged_at && now - r->logged_at < REDIS_LOG_INTERVAL_MS) {
        r->quiet_failures++;
        return;
    }
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->quiet_failures)
        log_warn("redis %s: %s (%lu more failures since the last report)", r->where, msg,
                 r->quiet_failures);
    else
        log_warn("redis %s: %s", r->where, msg);
    r->logged_at = now;
    r->quiet_failures = 0;
    r->was_down = true;
}

/* Leaves Redis alone for the current back-off period, then doubles it. */
static void back_off(redis_t *r)
{
    r->retry_at = now_ms() + r->backoff_ms;
    r->backoff_ms =
        r->backoff_ms * 2 > REDIS_BACKOFF_MAX_MS ? REDIS_BACKOFF_MAX_MS : r->backoff_ms * 2;
}

void redis_retry_now(redis_t *r)
{
    if (r && !r->c)
        r->retry_at = 0;
}

/* A command on a fresh connection during the handshake; -1 with the failure logged. */
static int handshake_cmd(redis_t *r, redisContext *c, int argc, const char **argv, const char *what)
{
    redisReply *rep = redisCommandArgv(c, argc, argv, NULL);
    if (!rep) {
        log_failure(r, "%s: %s", what, c->errstr);
        return -1;
    }
    int rc = 0;
    if (rep->type == REDIS_REPLY_ERROR) {
        log_failure(r, "%s refused: %.*s", what, (int)rep->len, rep->str);
        rc = -1;
    }
    freeReplyObject(rep);
    return rc;
}

/* AUTH and SELECT, as ioredis sends them on connect. */
static int handshake(redis_t *r, redisContext *c)
{
    const redis_addr_t *ad = &r->addr;
    if (ad->password && *ad->password) {
        const char *argv[3] = {"AUTH", ad->username ? ad->username : ad->password, ad->password};
        if (handshake_cmd(r, c, ad->username ? 3 : 2, argv, "AUTH") < 0)
            return -1;
    }
    if (ad->db) {
        char db[16];
        snprintf(db, sizeof db, "%d", ad->db);
        const char *argv[2] = {"SELECT", db};
        if (handshake_cmd(r, c, 2, argv, "SELECT") < 0)
            return -1;
    }
    return 0;
}

/* Opens the connection unless the back-off says not yet. true when connected. */
static bool reconnect(redis_t *r)
{
    if (r->unusable || now_ms() < r->retry_at)
        return false;
    struct timeval tv = tv_ms(REDIS_CONNECT_TIMEOUT_MS);
    redisContext *c = r->addr.path ? redisConnectUnixWithTimeout(r->addr.path, tv)
                                   : redisConnectWithTimeout(r->addr.host, r->addr.port, tv);
    if (!c || c->err) {
        log_failure(r, "cannot connect: %s", c ? c->errstr : "out of memory");
        if (c)
            redisFree(c);
        back_off(r);
        return false;
    }
    if (redisSetTimeout(c, tv_ms(REDIS_COMMAND_TIMEOUT_MS)) != REDIS_OK || handshake(r, c) < 0) {
        if (c->err)
            log_failure(r, "cannot set up the connection: %s", c->errstr);
        redisFree(c);
        back_off(r);
        return false;
    }
    if (!r->addr.path)
        redisEnableKeepAlive(c);
    r->c = c;
    return true;
}

struct redisContext *redis_context(redis_t *r)
{
    if (!r)
        return NULL;
    if (!r->c && !reconnect(r))
        return NULL;
    return r->c;
}

void redis_drop(redis_t *r)
{
    if (!r || !r->c)
        return;
    redisFree(r->c);
    r->c = NULL;
    r->up = false;
    gen_redis_lost();
    back_off(r);
}

/* A reply arrived. Only now is Redis back: a frozen Redis still accepts connections (the
 * kernel's backlog), so a connect alone proves nothing and must not reset the back-off. */
static void answered(redis_t *r)
{
    r->up = true;
    r->backoff_ms = REDIS_BACKOFF_MIN_MS;
    if (!r->was_down)
        return;
    log_info("redis %s: answering again", r->where);
    r->was_down = false;
    r->logged_at = 0;
    r->quiet_failures = 0;
}

/* The connection broke or timed out mid-command: drop it. A closed connection may be reopened at
 * once; a timeout means Redis is slow, so it gets the back-off. */
static void command_failed(redis_t *r, bool closed, int e)
{
    if (r->c->err == REDIS_ERR_IO && (e == EAGAIN || e == EWOULDBLOCK))
        log_failure(r, "no answer within %d ms", REDIS_COMMAND_TIMEOUT_MS);
    else
        log_failure(r, "%s", r->c->errstr[0] ? r->c->errstr : "command failed");
    redisFree(r->c);
    r->c = NULL;
    if (closed)
        r->retry_at = 0;
    else
        back_off(r);
}

/* Whether a failed command found the connection closed by Redis (a restart, an idle timeout)
 * rather than Redis slow or unreachable. e is errno right after the failure. */
static bool peer_closed(const redisContext *c, int e)
{
    return c->err == REDIS_ERR_EOF || (c->err == REDIS_ERR_IO && (e == EPIPE || e == ECONNRESET));
}

struct redisReply *redis_command(redis_t *r, arena_t *a, int argc, const char **argv,
                                 const size_t *argvlen)
{
    if (!r)
        return NULL;
    bool reused = r->c != NULL;
    if (!reused && !reconnect(r))
        return NULL;
    redisReply *rep = redisCommandArgv(r->c, argc, argv, argvlen);
    int e = errno;
    bool closed = !rep && peer_closed(r->c, e);
    if (!rep && closed && reused) {
        /* Redis closed this connection since its last command (most often it restarted), so
         * the command almost surely never ran: one new connection and one more try make a
         * restart invisible to the request. Commands here are idempotent or counters, where a
         * rare double run costs one point. */
        log_info("redis %s: connection closed by the server; reconnecting", r->where);
        redisFree(r->c);
        r->c = NULL;
        r->retry_at = 0;
        if (!reconnect(r))
            return NULL;
        rep = redisCommandArgv(r->c, argc, argv, argvlen);
        e = errno;
        closed = !rep && peer_closed(r->c, e);
    }
    if (!rep) {
        command_failed(r, closed, e);
        return NULL;
    }
    answered(r);
    arena_defer(a, freeReplyObject, rep);
    return rep;
}
