/*
 * /users routes: GET and PATCH /users/me, PATCH /users/me/track/page (Directus 11.3.5's
 * controllers/users.ts), read through the items read engine on directus_users with the caller's
 * permissions, and UsersService's rules for every write to directus_users.
 */
#ifndef LIB_API_USERS_H
#define LIB_API_USERS_H

#include "lib/api/ctx.h"
#include "lib/api/items_write.h"

/* GET /users/me: the caller's own row shaped by the query; {"data":{"share":id}} for a share
 * session; {"data":{"id":uid}} when the caller may not read what it asked for; 401
 * INVALID_CREDENTIALS without a user. */
int users_me(ctx_t *ctx);

/* PATCH /users/me: UsersService.updateOne(caller, body) — the caller's update permissions on
 * directus_users, its email / password policy / tfa_secret / provider rules — then readOne with
 * the query (a ForbiddenError there is the answer). 401 INVALID_CREDENTIALS without a user. */
int users_me_update(ctx_t *ctx);

/* PATCH /users/me/track/page: last_page set without accountability; 204. 400 without a truthy
 * last_page, 401 without a user. */
int users_track_page(ctx_t *ctx);

/* UsersService: email format and case-insensitive uniqueness, the password policy, tfa_secret /
 * provider / external_identifier rules, the remaining-admin check on role or status changes and
 * before deletes, the manual constraints of a delete. */
extern const items_service_t users_service;

/* validateRemainingAdminUsers: no active admin left once exclude's users (NULL: none) are
 * discounted sets 422 UNPROCESSABLE_CONTENT in out. -1 only for a database error (ctx->err). */
int users_remaining_admins(ctx_t *ctx, const write_keys_t *exclude, err_t *out);

/* A service's finish: the remaining-admin check when iw->checks asks for it (ctx->err, -1). */
int users_integrity_finish(items_writer_t *iw);

#endif
