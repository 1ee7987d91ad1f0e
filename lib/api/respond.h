/*
 * Writing answers the way Directus's `respond` middleware and error handler do: the JSON
 * envelopes, Cache-Control / Vary on success only, and the error body for a set err_t.
 */
#ifndef LIB_API_RESPOND_H
#define LIB_API_RESPOND_H

#include "lib/api/ctx.h"

struct json_object;

/* 200 (or the status already set) with payload as JSON, plus `Cache-Control: no-cache` and
 * `Vary: Origin, Cache-Control`. payload stays owned by the caller. Returns 0. */
int respond_json(ctx_t *ctx, const struct json_object *payload);

/* Same with a body that is already JSON text. */
int respond_json_text(ctx_t *ctx, str_t json);

/* Same with JSON text in a buffer of the request arena, which becomes the response body (an
 * items list is tens of kilobytes: handed over, not copied). */
int respond_json_buf(ctx_t *ctx, buf_t *json);

/* 204 No Content through the responder (Cache-Control and Vary set, no body). Returns 0. */
int respond_no_content(ctx_t *ctx);

/* Sets 404 ROUTE_NOT_FOUND "Route <path> doesn't exist." with extensions.path, as Directus's
 * fallback answers a request no route takes. Returns -1. */
int respond_not_found(ctx_t *ctx);

/* Replaces whatever the response holds with the error envelope of ctx->err (500
 * INTERNAL_SERVER_ERROR when no error was set), keeping only the headers every response
 * carries (CSP, X-Powered-By, CORS). */
void respond_error(ctx_t *ctx);

#endif
