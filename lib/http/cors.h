/*
 * CORS as Directus configures the `cors` package from CORS_* settings: nothing at all unless
 * CORS_ENABLED; CORS_ORIGIN true reflects the request's Origin, "*" allows any, one origin is
 * fixed, a comma list is an allow-list. Preflights (OPTIONS) are answered here with 204.
 */
#ifndef LIB_HTTP_CORS_H
#define LIB_HTTP_CORS_H

#include <stdbool.h>

#include "lib/core/conf.h"
#include "lib/http/request.h"
#include "lib/http/response.h"

/* Adds the CORS headers for req to res. Returns true when the request was a preflight that is
 * now fully answered (status 204, empty body), false when routing goes on. */
bool cors_apply(const conf_t *conf, const request_t *req, response_t *res);

#endif
