/*
 * /server routes: ping, info and health.
 */
#ifndef LIB_API_SERVER_H
#define LIB_API_SERVER_H

#include "lib/api/ctx.h"

/* GET /server/ping: "pong" as text/html, before authentication. */
int server_ping(ctx_t *ctx);

/* GET /server/info: the project block for everyone; limits, websocket and version for users. */
int server_info(ctx_t *ctx);

/* GET /server/health: {"status"} for everyone, the checks for admins; 503 when in error. */
int server_health(ctx_t *ctx);

#endif
