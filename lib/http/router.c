/* Route matching: one pass per pattern, segment by segment; patterns are short and few. */
#include "lib/http/router.h"

#include <strings.h>

#define MAX_SEGMENTS 16

/* Splits "/a/b/c" into its segments; "/" has none. -1 when there are too many. */
static int split(str_t s, str_t *segs)
{
    int n = 0;
    size_t i = 1;
    if (s.n <= 1)
        return 0;
    while (i <= s.n) {
        size_t start = i;
        while (i < s.n && s.p[i] != '/')
            i++;
        if (n == MAX_SEGMENTS)
            return -1;
        segs[n++] = (str_t){s.p + start, i - start};
        i++;
    }
    return n;
}

static int match_one(arena_t *a, const char *pattern, str_t path, route_match_t *out)
{
    str_t pseg[MAX_SEGMENTS], seg[MAX_SEGMENTS];
    /* A single trailing slash is allowed (Express's non-strict routing). */
    if (path.n > 1 && path.p[path.n - 1] == '/')
        path.n--;
    if (!path.n || path.p[0] != '/')
        return 0;
    int np = split(str_c(pattern), pseg), ns = split(path, seg);
    if (ns < 0 || ns > np)
        return 0;
    out->nparams = 0;
    for (int i = 0; i < np; i++) {
        bool param = pseg[i].n && pseg[i].p[0] == ':';
        bool optional = param && pseg[i].p[pseg[i].n - 1] == '?';
        if (i >= ns) {
            if (!optional)
                return 0;
        } else if (!param) {
            if (seg[i].n != pseg[i].n || strncasecmp(seg[i].p, pseg[i].p, seg[i].n) != 0)
                return 0;
            continue;
        } else if (!seg[i].n) {
            return 0;
        }
        str_t value = {"", 0};
        if (i < ns && request_url_decode(a, seg[i], &value) < 0)
            return 0;
        if (out->nparams == ROUTER_MAX_PARAMS)
            return 0;
        size_t nlen = pseg[i].n - 1 - (optional ? 1 : 0);
        out->params[out->nparams++] = (route_param_t){arena_strndup(a, pseg[i].p + 1, nlen), value};
    }
    return 1;
}

router_result_t router_match(arena_t *a, const route_t *routes, size_t n, http_method_t method,
                             str_t path, route_match_t *out)
{
    unsigned want = 1u << method;
    if (method == HTTP_HEAD)
        want |= 1u << HTTP_GET;
    out->route = NULL;
    out->allowed = 0;
    for (size_t i = 0; i < n; i++) {
        route_match_t m = {0};
        if (!match_one(a, routes[i].pattern, path, &m))
            continue;
        out->allowed |= routes[i].methods;
        if (!(routes[i].methods & want) || out->route)
            continue;
        unsigned allowed = out->allowed;
        *out = m;
        out->route = &routes[i];
        out->allowed = allowed;
    }
    if (out->route)
        return ROUTER_FOUND;
    return out->allowed ? ROUTER_BAD_METHOD : ROUTER_NO_PATH;
}

str_t router_param(const route_match_t *m, const char *name)
{
    for (size_t i = 0; i < m->nparams; i++)
        if (strcmp(m->params[i].name, name) == 0)
            return m->params[i].value;
    return STR_NULL;
}
