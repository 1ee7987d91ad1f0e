/* The response cache's part of the pipeline: see cache.h. */
#include "lib/api/cache.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "lib/api/respond.h"
#include "lib/api/schema_cache.h"
#include "lib/cache/respcache.h"
#include "lib/core/json.h"
#include "lib/schema/schema.h"
#include "lib/sql/sqlbuf.h"

static const char *const wildcard_tags[] = {RESPCACHE_WILDCARD};

/* Directus's getEndpoint: /items/<name>, or /<name without directus_> for system ones. */
static bool path_is_endpoint_of(str_t path, const char *collection)
{
    const char *sys = "directus_";
    bool system = strncmp(collection, sys, strlen(sys)) == 0;
    size_t n = strlen(collection);
    if (system) {
        const char *rest = collection + strlen(sys);
        size_t rn = n - strlen(sys);
        return path.n >= rn + 1 && path.p[0] == '/' && memcmp(path.p + 1, rest, rn) == 0;
    }
    return path.n >= 7 + n && memcmp(path.p, "/items/", 7) == 0 &&
           memcmp(path.p + 7, collection, n) == 0;
}

/* The next name of CACHE_AUTO_PURGE_IGNORE_LIST (Directus's toArray: split on commas, trimmed)
 * from *p into name; false at the end. Names too long for name are passed over. */
static bool next_ignored(const char **p, char *name, size_t cap)
{
    while (*p && **p) {
        const char *s = *p, *end = strchr(s, ',');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        *p = end ? end + 1 : s + n;
        while (n && *s == ' ')
            s++, n--;
        while (n && s[n - 1] == ' ')
            n--;
        if (n && n < cap) {
            memcpy(name, s, n);
            name[n] = '\0';
            return true;
        }
    }
    return false;
}

/* checkAutoPurge of shouldSkipCache: the Data Studio skips the cache unless auto-purge is on
 * and the path is not one of CACHE_AUTO_PURGE_IGNORE_LIST's endpoints. */
static bool studio_skips(const ctx_t *ctx)
{
    if (!ctx->conf->cache_auto_purge)
        return true;
    const char *list = ctx->conf->cache_auto_purge_ignore_list;
    char name[256];
    while (next_ignored(&list, name, sizeof name))
        if (path_is_endpoint_of(ctx->req->path, name))
            return true;
    return false;
}

/* shouldClearCache: a write to a collection of CACHE_AUTO_PURGE_IGNORE_LIST purges nothing. */
static bool purge_ignored(const conf_t *c, str_t collection)
{
    const char *list = c->cache_auto_purge_ignore_list;
    char name[256];
    while (next_ignored(&list, name, sizeof name))
        if (str_eq_c(collection, name))
            return true;
    return false;
}

/* The path part of a URL ("http://h:1/a/b?x" → "/a/b"); a root-relative URL is its own path. */
static str_t url_path(str_t url)
{
    const char *scheme = memmem(url.p, url.n, "://", 3);
    if (scheme) {
        const char *host = scheme + 3;
        const char *slash = memchr(host, '/', (size_t)(url.p + url.n - host));
        url = slash ? (str_t){slash, (size_t)(url.p + url.n - slash)} : STR("/");
    }
    long q = str_index(url, '?');
    return q >= 0 ? (str_t){url.p, (size_t)q} : url;
}

/* shouldSkipCache: true when the answer must be computed fresh (and is still stored). */
static bool skip_lookup(const ctx_t *ctx)
{
    str_t referer = request_header(ctx->req, "referer");
    const char *pub = ctx->conf->public_url;
    if (referer.p && pub) {
        size_t n = strlen(pub);
        while (n && pub[n - 1] == '/')
            n--;
        bool relative = pub[0] == '/';
        str_t base = relative ? url_path(referer) : referer;
        str_t pubs = relative ? url_path((str_t){pub, n}) : (str_t){pub, n};
        if (base.n >= pubs.n + 6 && memcmp(base.p, pubs.p, pubs.n) == 0 &&
            memcmp(base.p + pubs.n, "/admin", 6) == 0 && studio_skips(ctx))
            return true;
    }
    str_t cc = request_header(ctx->req, "cache-control");
    return ctx->conf->cache_skip_allowed && cc.p && memmem(cc.p, cc.n, "no-store", 8);
}

bool api_cache_should_skip(const ctx_t *ctx)
{
    return skip_lookup(ctx);
}

/* Directus's cache middleware looks every GET up (the status header says MISS), whatever it is. */
static bool looked_up(const ctx_t *ctx)
{
    return respcache_enabled(ctx->conf) && ctx->req->method == HTTP_GET;
}

/* respond() stores only what is not under /auth, not an export, and not /server/health (which
 * sets res.locals.cache = false): those are never found either, so they are not looked up. */
static bool storable(const ctx_t *ctx)
{
    str_t path = ctx->req->path;
    if (str_starts_with(path, STR("/auth")) || str_eq_c(path, "/server/health"))
        return false;
    struct json_object *exp;
    return !(json_object_object_get_ex(ctx->query, "export", &exp) && json_truthy(exp));
}

/* ------------------------------------------------------------------ tags */

static bool tag_has(const char **tags, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(tags[i], name))
            return true;
    return false;
}

/* Every collection reachable from start through relations, start first (breadth first). */
static const char **closure(arena_t *a, const schema_t *s, const char *start, size_t *n)
{
    size_t cap = schema_collection_count(s) + 1, k = 0;
    const char **tags = arena_alloc(a, cap * sizeof *tags);
    tags[k++] = start;
    for (size_t head = 0; head < k; head++) {
        for (size_t i = 0; i < schema_relation_count(s); i++) {
            const schema_relation_t *r = schema_relation_at(s, i);
            const char *ends[2] = {r->collection, r->related_collection};
            bool touches = (ends[0] && !strcmp(ends[0], tags[head])) ||
                           (ends[1] && !strcmp(ends[1], tags[head]));
            for (size_t j = 0; touches && j < r->n_one_allowed; j++)
                if (k < cap && !tag_has(tags, k, r->one_allowed_collections[j]))
                    tags[k++] = r->one_allowed_collections[j];
            for (int j = 0; touches && j < 2; j++)
                if (ends[j] && k < cap && !tag_has(tags, k, ends[j]))
                    tags[k++] = ends[j];
            /* An a2o names its collections on the many side: reached from any of them. */
            for (size_t j = 0; !touches && j < r->n_one_allowed; j++)
                if (!strcmp(r->one_allowed_collections[j], tags[head]) && k < cap &&
                    !tag_has(tags, k, r->collection))
                    tags[k++] = r->collection;
        }
    }
    *n = k;
    return tags;
}

/* The collections an answer to this request may have read, or "*". */
static const char *const *request_tags(ctx_t *ctx, size_t *n)
{
    str_t path = ctx->req->path;
    *n = 1;
    if (!str_starts_with(path, STR("/items/")))
        return wildcard_tags;
    str_t rest = {path.p + 7, path.n - 7};
    long slash = str_index(rest, '/');
    str_t name = slash >= 0 ? (str_t){rest.p, (size_t)slash} : rest;
    /* A percent-encoded name would be decoded by the router: not worth matching here. */
    if (!name.n || str_index(name, '%') >= 0)
        return wildcard_tags;
    const schema_t *s = schema_cache_get(ctx);
    const schema_collection_t *c = s ? schema_collection(s, name) : NULL;
    if (!c) {
        ctx->err = (err_t){0}; /* the route reports it, if it matters */
        return wildcard_tags;
    }
    /* Copied: the route may reload the schema (and free this one) before the answer is stored. */
    const char **tags = closure(ctx->arena, s, c->name, n);
    for (size_t i = 0; i < *n; i++)
        tags[i] = arena_strndup(ctx->arena, tags[i], strlen(tags[i]));
    return tags;
}

/* ------------------------------------------------------------------ headers */

/* getCacheControlHeader(req, ttl, true, true). */
static void cache_headers(ctx_t *ctx, int64_t ttl_ms, bool skipped)
{
    const char *cc;
    if (skipped)
        cc = "no-store";
    else if (ttl_ms < 0 || ctx->conf->cache_auto_purge)
        cc = "no-cache";
    else {
        buf_t b;
        buf_init(&b, ctx->arena, 64);
        buf_puts(&b, ctx->acc.role ? "private, max-age=" : "public, max-age=");
        buf_int(&b, (ttl_ms + 500) / 1000); /* Math.round */
        if (ctx->conf->cache_control_s_maxage >= 0) {
            buf_puts(&b, ", s-maxage=");
            buf_int(&b, ctx->conf->cache_control_s_maxage);
        }
        cc = b.p;
    }
    response_set_header_c(ctx->res, "Cache-Control", cc);
    response_set_header_c(ctx->res, "Vary", "Origin, Cache-Control");
}

static void status_header(ctx_t *ctx, const char *value)
{
    const char *name = ctx->conf->cache_status_header;
    if (name && *name)
        response_set_header_c(ctx->res, name, value);
}

/* ------------------------------------------------------------------ pipeline */

typedef struct api_cache_state {
    respcache_lookup_t lookup;
    bool skipped;
    bool storable;
    bool narrow; /* the tags may shrink to the tables the answer's statements named */
} api_cache_state_t;

static respcache_key_parts_t key_parts(const ctx_t *ctx)
{
    const accountability_t *acc = &ctx->acc;
    return (respcache_key_parts_t){.user = acc->user,
                                   .role = acc->role,
                                   .share = acc->share,
                                   .policies = acc->policies,
                                   .npolicies = acc->npolicies,
                                   .admin = acc->admin,
                                   .app = acc->app,
                                   .path = ctx->req->path,
                                   .query = ctx->req->query};
}

bool api_cache_lookup(ctx_t *ctx)
{
    ctx->cache = NULL;
    if (!looked_up(ctx))
        return false;
    if (!storable(ctx)) {
        ctx->cache = arena_calloc(ctx->arena, 1, sizeof(api_cache_state_t)); /* MISS, no more */
        return false;
    }
    /* The policies are part of the key: the public's are loaded here (cached, no SQL). */
    if (accountability_policies(&ctx->acc, ctx->arena, &ctx->err, ctx->db) < 0) {
        ctx->err = (err_t){0}; /* no cache then; the route meets the database error itself */
        return false;
    }
    api_cache_state_t *st = arena_calloc(ctx->arena, 1, sizeof *st);
    st->storable = true;
    respcache_key_parts_t parts = key_parts(ctx);
    st->lookup.key = respcache_key(ctx->arena, &parts);
    st->skipped = skip_lookup(ctx);
    ctx->cache = st;
    str_t body, etag;
    int64_t ttl_left;
    if (!st->skipped &&
        respcache_get(ctx->conf, ctx->redis, ctx->arena, &st->lookup, &body, &etag, &ttl_left)) {
        respond_json_text(ctx, body);
        cache_headers(ctx, ttl_left, false); /* over the responder's no-cache */
        response_set_header(ctx->res, "ETag", etag);
        status_header(ctx, "HIT");
        ctx->cache = NULL;
        return true;
    }
    /* A miss: what the answer will read, and the purge counters before it is computed. The
     * status header goes on at the end (api_cache_finish), error or not, as Directus's stays. */
    st->lookup.tags = request_tags(ctx, &st->lookup.ntags);
    respcache_prepare(ctx->conf, ctx->redis, ctx->arena, &st->lookup);
    st->narrow = st->lookup.tags != wildcard_tags;
    if (st->narrow)
        sqlbuf_tables_start();
    return false;
}

void api_cache_finish(ctx_t *ctx)
{
    /* A query Directus's sanitizeQuery refuses never reaches its cache middleware. */
    if (ctx->cache && ctx->err.code != ERR_INVALID_QUERY)
        status_header(ctx, "MISS");
}

void api_cache_store(ctx_t *ctx)
{
    api_cache_state_t *st = ctx->cache;
    response_t *res = ctx->res;
    if (!st || !st->storable || res->status != 200 || !res->body.n)
        return;
    str_t ct = response_header(res, "Content-Type");
    if (!ct.p || !str_starts_with(ct, STR("application/json")))
        return;
    str_t body = buf_slice(&res->body);
    int64_t max = ctx->conf->cache_value_max_size;
    if (max != CONF_UNLIMITED && (int64_t)body.n > max)
        return; /* served, not cached: the responder's no-cache stays */
    /* The ETag response_finish() would compute, kept with the entry so a hit need not. */
    char etag[64];
    response_etag(body, etag);
    response_set_header_c(res, "ETag", etag);
    /* The route's related closure was snapshotted before the answer was computed (a purge of
     * any of it meanwhile keeps the answer out); the entry keeps only the tables its reads
     * named, so that a write elsewhere in the closure leaves it alone. */
    const char *const *read;
    size_t nread;
    if (st->narrow && sqlbuf_tables(&read, &nread))
        respcache_narrow(ctx->arena, &st->lookup, read, nread);
    sqlbuf_tables_stop();
    respcache_put(ctx->conf, ctx->redis, ctx->arena, &st->lookup, body, str_c(etag));
    cache_headers(ctx, ctx->conf->cache_ttl_ms, st->skipped);
}

/* names plus every collection whose rows point at one of them, transitively (m2o and a2o
 * foreign keys: what an ON DELETE CASCADE / SET NULL may have changed along with them). */
static const char **with_dependents(arena_t *a, const schema_t *s, const char **names, size_t *n)
{
    size_t cap = schema_collection_count(s) + *n + 1;
    const char **v = arena_alloc(a, cap * sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < *n; i++)
        if (!tag_has(v, k, names[i]))
            v[k++] = names[i];
    for (size_t head = 0; head < k; head++) {
        for (size_t i = 0; i < schema_relation_count(s); i++) {
            const schema_relation_t *r = schema_relation_at(s, i);
            bool points = r->related_collection && !strcmp(r->related_collection, v[head]);
            for (size_t j = 0; !points && j < r->n_one_allowed; j++)
                points = !strcmp(r->one_allowed_collections[j], v[head]);
            if (points && r->collection && k < cap && !tag_has(v, k, r->collection))
                v[k++] = r->collection;
        }
    }
    *n = k;
    return v;
}

void api_cache_written(ctx_t *ctx, bool system_changed, const char *const *written,
                       size_t nwritten)
{
    /* Every answer is tagged with the tables its statements named (api_cache_store), so a
     * write purges the collections it wrote and those whose rows point at them. A write that
     * changed the schema or permissions (which no tag follows in a shared Redis store), or that
     * says nothing about what it wrote, clears everything. Celer purges whatever
     * CACHE_AUTO_PURGE says (it is precise, and a stale answer is worse than a miss), but a
     * collection the operator listed in CACHE_AUTO_PURGE_IGNORE_LIST is left alone as in
     * Directus: its readers get cached answers until CACHE_TTL. */
    str_t name = router_param(&ctx->route, "collection");
    if (name.p && name.n && !system_changed && purge_ignored(ctx->conf, name))
        return; /* what Directus's shouldClearCache says for CACHE_AUTO_PURGE_IGNORE_LIST */
    const schema_t *s = NULL;
    if (!system_changed && !(s = schema_cache_get(ctx)))
        ctx->err = (err_t){0}; /* the write is committed: a clear then, not an error */
    size_t n = nwritten;
    const char **names = arena_alloc(ctx->arena, (n + 1) * sizeof *names);
    for (size_t i = 0; i < nwritten; i++)
        names[i] = written[i];
    if (name.p && name.n)
        names[n++] = str_dup(ctx->arena, name);
    if (!s || !n) {
        respcache_clear(ctx->conf, ctx->redis, ctx->arena);
        return;
    }
    names = with_dependents(ctx->arena, s, names, &n);
    respcache_purge(ctx->conf, ctx->redis, ctx->arena, names, n);
}
