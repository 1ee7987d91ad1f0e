/*
 * Password reset by email, as Directus 11.3.5's UsersService does it. The link carries a JWT
 * {email, scope: "password-reset", hash} signed with SECRET for one day, where hash is
 * getSimpleHash('' + the stored password hash): once the password changes, the old link is
 * dead. Unknown and inactive users get the same 204 after the same 500 ms as everyone else.
 */
#ifndef LIB_AUTH_RESET_H
#define LIB_AUTH_RESET_H

#include <stdbool.h>

#include "lib/auth/accountability.h"
#include "lib/core/arena.h"
#include "lib/core/conf.h"
#include "lib/core/err.h"
#include "lib/core/str.h"
#include "lib/db/db.h"

struct json_object;

/* UsersService.checkPasswordPolicy: directus_settings.auth_password_policy, a JavaScript regex,
 * optionally written as /.../. A password it refuses sets FAILED_VALIDATION (field "password",
 * type "regex") in policy_err; e and -1 only for a database error. */
int reset_password_policy(arena_t *a, err_t *e, db_conn_t *db, str_t password, err_t *policy_err);

/* Directus's fixed stall for password reset requests, in ms (not LOGIN_STALL_TIME). */
#define RESET_STALL_MS 500

/*
 * UsersService.requestPasswordReset(email, reset_url) as the controller calls it. reset_url is
 * the body's value (NULL when absent or falsy). Mails the link in the background and returns 0;
 * the only error that reaches the caller is 400 INVALID_PAYLOAD `URL "<url>" can't be used to
 * reset passwords` (for an active user and a URL outside PASSWORD_RESET_URL_ALLOW_LIST).
 * Everything else (unknown or inactive user, database or mail trouble) is logged and answered
 * like a success, as Directus answers it.
 */
int reset_request(arena_t *a, err_t *e, db_conn_t *db, const conf_t *conf, str_t email,
                  struct json_object *reset_url);

/*
 * UsersService.resetPassword(token, password): verifies the token, checks the password policy
 * (directus_settings.auth_password_policy), stores the new argon2 hash and status "active".
 * Errors: a token jsonwebtoken refuses → 500 whose message (for admins only, admin true) is
 * jsonwebtoken's; another scope, no hash, unknown or inactive user, or a stale hash → 403
 * FORBIDDEN; a password the policy refuses → 400 FAILED_VALIDATION (field "password", type
 * "regex").
 */
int reset_password(arena_t *a, err_t *e, db_conn_t *db, const conf_t *conf,
                   const accountability_t *client, str_t token, str_t password);

/* getSimpleHash(s) of @directus/utils: a 31-multiplier int32 hash printed as Math.abs in hex,
 * over the UTF-16 code units of s. Into out (at least 9 bytes). */
void reset_simple_hash(str_t s, char out[16]);

/* isUrlAllowed(url, PASSWORD_RESET_URL_ALLOW_LIST): an exact entry, or the same origin and path
 * as an entry (query and fragment ignored). An unset list allows nothing. */
bool reset_url_allowed(arena_t *a, str_t url, const char *allow_list);

/* The link of the mail: new Url(base).addPath(...add).setQuery('token', token).toString() of
 * Directus's Url helper (add may be NULL; token NULL: no setQuery). In a. */
char *reset_link(arena_t *a, str_t base, const char *add, const char *token);

#endif
