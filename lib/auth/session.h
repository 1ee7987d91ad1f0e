/*
 * Logging in, refreshing and logging out with the local (email + password) provider, as
 * Directus 11.3.5's AuthenticationService does it: refresh tokens are rows of
 * directus_sessions (token = 64-character nanoid), access tokens are JWTs signed with SECRET
 * that carry the user's id, role and global access flags, and in session mode the JWT also
 * names its session row, which then has to exist for the JWT to be accepted.
 *
 * Nothing here knows about HTTP: modes, cookies and response bodies are lib/api/auth.c's.
 */
#ifndef LIB_AUTH_SESSION_H
#define LIB_AUTH_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/auth/accountability.h"
#include "lib/cache/ratelimit.h"
#include "lib/core/arena.h"
#include "lib/core/conf.h"
#include "lib/core/err.h"
#include "lib/core/str.h"
#include "lib/db/db.h"

/* Length of refresh / session tokens: nanoid(64). */
#define SESSION_TOKEN_LEN 64

/* What login and refresh hand back. Strings in the request arena. */
typedef struct {
    const char *access_token;  /* the signed JWT */
    const char *refresh_token; /* the session row's token */
    int64_t expires_ms;        /* lifetime of the access token (ACCESS_TOKEN_TTL, or
                                * SESSION_COOKIE_TTL in session mode), as `expires` */
    const char *user;          /* the user's id; NULL for a share session */
} session_tokens_t;

/* A fresh nanoid(64) (URL-safe alphabet) into out (65 bytes with the NUL). -1 when the kernel
 * gives no random bytes. */
int session_token_new(char out[SESSION_TOKEN_LEN + 1]);

/*
 * AuthenticationService.login('default', {email, password}, {otp, session}). client carries the
 * request's ip, user agent and origin (recorded in the session and activity rows; ip also
 * decides ip_access). otp STR_NULL when the body had none. start is the authdb_mono_ms() the
 * request began at: every outcome is stalled to LOGIN_STALL_TIME from there.
 *
 * Errors: 401 INVALID_CREDENTIALS (unknown email, user not active, another provider, wrong
 * password), 401 INVALID_OTP (two-factor secret set and otp missing or wrong), 500 for a
 * stored hash that is not argon2, database errors, 503 when the attempt counter's store (Redis)
 * fails. Past the user lookup every attempt counts against directus_settings.auth_login_attempts
 * in attempts (lib/cache/ratelimit: shared by the pool, or by every pool through Redis; NULL: not
 * counted); the attempt that exceeds it suspends the user, as Directus does.
 */
int session_login(arena_t *a, err_t *e, db_conn_t *db, const conf_t *conf,
                  ratelimit_t *attempts, const accountability_t *client, str_t email,
                  str_t password, str_t otp, bool session_mode, double start,
                  session_tokens_t *out);

/*
 * AuthenticationService.refresh(token, {session}). Non-session modes give the same row a new
 * token (its next_token when one is set) and REFRESH_TOKEN_TTL; session mode keeps the old row
 * for SESSION_REFRESH_GRACE_PERIOD pointing (next_token) at a new row that lives
 * SESSION_COOKIE_TTL, and concurrent refreshes inside the grace period get that same row.
 *
 * Errors: 401 INVALID_CREDENTIALS (no such unexpired session, or its share is out of date, or
 * the user is neither active nor suspended), 401 USER_SUSPENDED (the session row is deleted
 * first in both cases), 503 INVALID_PROVIDER_CONFIG for users of a provider Celer does not
 * serve, database errors.
 */
int session_refresh(arena_t *a, err_t *e, db_conn_t *db, const conf_t *conf,
                    const accountability_t *client, str_t token, bool session_mode,
                    session_tokens_t *out);

/* AuthenticationService.logout(token): deletes the session row when it belongs to a user
 * (share sessions are left alone); an unknown token is no error. */
int session_logout(arena_t *a, err_t *e, db_conn_t *db, const conf_t *conf, str_t token);

#endif
