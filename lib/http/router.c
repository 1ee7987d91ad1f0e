/* Route matching: the path split once, then one walk per pattern, segment by segment. */
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

/* The next segment of a pattern at *p (which points at its '/'); false at the end. */
static bool next_pattern_segment(const char **p, str_t *seg)
{
    if (**p != '/' || !(*p)[1])
        return false; /* "/" alone has no segment */
    const char *start = *p + 1, *end = start;
    while (*end && *end != '/')
        end++;
    *seg = (str_t){start, (size_t)(end - start)};
    *p = end;
    return true;
}

/* Matches the path's ns segments against pattern, walking the pattern once: most patterns
 * fail on their first literal segment. */
static int match_one(arena_t *a, const char *pattern, const str_t *seg, int ns, route_match_t *out)
{
    out->nparams = 0;
    int i = 0;
    str_t ps;
    for (const char *p = pattern; next_pattern_segment(&p, &ps); i++) {
        bool param = ps.n && ps.p[0] == ':';
        bool optional = param && ps.p[ps.n - 1] == '?';
        if (i >= ns) {
            if (!optional)
                return 0;
        } else if (!param) {
            if (seg[i].n != ps.n || strncasecmp(seg[i].p, ps.p, ps.n) != 0)
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
        size_t nlen = ps.n - 1 - (optional ? 1 : 0);
        out->params[out->nparams++] = (route_param_t){arena_strndup(a, ps.p + 1, nlen), value};
    }
    return i >= ns;
}

router_result_t router_match(arena_t *a, const route_t *routes, size_t n, http_method_t method,
                             str_t path, route_match_t *out)
{
    unsigned want = 1u << method;
    if (method == HTTP_HEAD)
        want |= 1u << HTTP_GET;
    out->route = NULL;
    out->allowed = 0;
    /* A single trailing slash is allowed (Express's non-strict routing). */
    if (path.n > 1 && path.p[path.n - 1] == '/')
        path.n--;
    str_t seg[MAX_SEGMENTS];
    int ns = path.n && path.p[0] == '/' ? split(path, seg) : -1;
    if (ns < 0)
        return ROUTER_NO_PATH;
    for (size_t i = 0; i < n; i++) {
        route_match_t m;
        if (!match_one(a, routes[i].pattern, seg, ns, &m))
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
