/*
 * /users routes: GET and PATCH /users/me (Directus 11.3.5's controllers/users.ts), read through the
 * items read engine on directus_users with the caller's permissions.
 */
#ifndef LIB_API_USERS_H
#define LIB_API_USERS_H

#include "lib/api/ctx.h"

/* GET /users/me: the caller's own row shaped by the query; {"data":{"share":id}} for a share
 * session; {"data":{"id":uid}} when the caller may not read what it asked for; 401
 * INVALID_CREDENTIALS without a user. */
int users_me(ctx_t *ctx);

/* PATCH /users/me: UsersService.updateOne(caller, body) — the caller's update permissions on
 * directus_users, its email / password policy / tfa_secret / provider rules — then readOne with
 * the query (a ForbiddenError there is the answer). 401 INVALID_CREDENTIALS without a user. */
int users_me_update(ctx_t *ctx);

#endif
