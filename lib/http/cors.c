/* The `cors` package's header logic (v2.8.5), driven by conf_t. */
#include "lib/http/cors.h"

#include <stdio.h>

/* Is origin one of the comma-separated entries of list? */
static bool in_list(const char *list, str_t origin)
{
    str_t l = str_c(list);
    size_t start = 0;
    for (size_t i = 0; i <= l.n; i++) {
        if (i == l.n || l.p[i] == ',') {
            if (str_eq(str_trim((str_t){l.p + start, i - start}), origin))
                return true;
            start = i + 1;
        }
    }
    return false;
}

static void add_vary_origin(response_t *res)
{
    str_t vary = response_header(res, "Vary");
    if (!vary.p) {
        response_set_header_c(res, "Vary", "Origin");
        return;
    }
    char *v = arena_printf(res->arena, "%.*s, Origin", (int)vary.n, vary.p);
    response_set_header_c(res, "Vary", v);
}

static void set_origin(const conf_t *conf, const request_t *req, response_t *res)
{
    const char *allowed = conf->cors_origin;
    str_t origin = request_header(req, "origin");
    if (strcmp(allowed, "*") == 0) {
        response_set_header_c(res, "Access-Control-Allow-Origin", "*");
    } else if (strcmp(allowed, "true") != 0 && !strchr(allowed, ',')) {
        response_set_header_c(res, "Access-Control-Allow-Origin", allowed);
        add_vary_origin(res);
    } else {
        bool ok = strcmp(allowed, "true") == 0 || (origin.p && in_list(allowed, origin));
        if (ok && origin.p && origin.n)
            response_set_header(res, "Access-Control-Allow-Origin", origin);
        add_vary_origin(res);
    }
}

bool cors_apply(const conf_t *conf, const request_t *req, response_t *res)
{
    /* origin false: the cors middleware calls next() without touching the response. */
    if (!conf->cors_enabled || !conf->cors_origin || strcmp(conf->cors_origin, "false") == 0)
        return false;
    set_origin(conf, req, res);
    if (conf->cors_credentials)
        response_set_header_c(res, "Access-Control-Allow-Credentials", "true");
    if (req->method != HTTP_OPTIONS) {
        if (conf->cors_exposed_headers && *conf->cors_exposed_headers)
            response_set_header_c(res, "Access-Control-Expose-Headers", conf->cors_exposed_headers);
        return false;
    }
    response_set_header_c(res, "Access-Control-Allow-Methods", conf->cors_methods);
    if (conf->cors_allowed_headers && *conf->cors_allowed_headers) {
        response_set_header_c(res, "Access-Control-Allow-Headers", conf->cors_allowed_headers);
    } else {
        str_t asked = request_header(req, "access-control-request-headers");
        if (asked.p) {
            response_set_header(res, "Access-Control-Allow-Headers", asked);
            str_t vary = response_header(res, "Vary");
            response_set_header_c(res, "Vary",
                                  vary.p ? arena_printf(res->arena, "%.*s, Access-Control-Request-Headers",
                                                        (int)vary.n, vary.p)
                                         : "Access-Control-Request-Headers");
        }
    }
    if (conf->cors_max_age >= 0) {
        char age[16];
        snprintf(age, sizeof age, "%d", conf->cors_max_age);
        response_set_header_c(res, "Access-Control-Max-Age", age);
    }
    if (conf->cors_exposed_headers && *conf->cors_exposed_headers)
        response_set_header_c(res, "Access-Control-Expose-Headers", conf->cors_exposed_headers);
    res->status = 204;
    response_set_header_c(res, "Content-Length", "0");
    return true;
}
