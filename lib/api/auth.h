/*
 * Authentication over HTTP: Directus's extractToken and authenticate middlewares, and the
 * /auth routes (GET /auth, POST /auth/login, /auth/refresh, /auth/logout,
 * /auth/password/request, /auth/password/reset) with their modes (json, cookie, session),
 * cookies and validation messages. The logic lives in lib/auth; this file maps it to requests.
 */
#ifndef LIB_API_AUTH_H
#define LIB_API_AUTH_H

#include "lib/api/ctx.h"

/* extractToken: sets ctx->token from ?access_token, the Bearer header, or the session cookie
 * (in that order of precedence; the cookie only when neither of the others is there). Both a
 * query token and a Bearer header → 400 INVALID_PAYLOAD, -1. */
int auth_extract_token(ctx_t *ctx);

/* authenticate: turns ctx->token into ctx->acc (lib/auth/accountability.h). -1 with ctx->err set
 * (401 / 403) when the token is refused; when that token was the session cookie, the answer
 * also clears the cookie. */
int auth_authenticate(ctx_t *ctx);

/* Queues a Set-Cookie value (copied) for the response, whatever its status. */
void auth_set_cookie(ctx_t *ctx, const char *value);

/* GET /auth: the SSO providers (none in Celer) and AUTH_DISABLE_DEFAULT. */
int auth_providers(ctx_t *ctx);
/* POST /auth/login: local login, body {email, password, mode?, otp?}. */
int auth_login(ctx_t *ctx);
/* POST /auth/refresh: new tokens for a refresh token (body, cookie, or session cookie). */
int auth_refresh(ctx_t *ctx);
/* POST /auth/logout: ends the session; 204. */
int auth_logout(ctx_t *ctx);
/* POST /auth/password/request: mails a reset link; 204 whoever asks. */
int auth_password_request(ctx_t *ctx);
/* POST /auth/password/reset: sets the password of the link's user; 204. */
int auth_password_reset(ctx_t *ctx);

#endif
