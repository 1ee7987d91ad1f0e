/*
 * Permission introspection routes (Directus 11.3.5's controllers/permissions.ts and
 * policies.ts): GET /permissions/me, GET /permissions/me/:collection/:pk? and
 * GET /policies/me/globals.
 */
#ifndef LIB_API_PERMISSIONS_H
#define LIB_API_PERMISSIONS_H

#include "lib/api/ctx.h"

/* GET /permissions/me: {"data":{collection:{read|create|update|delete|share:{access,fields?,
 * presets?}}}}; admins get full access with ["*"] on every collection; 403 without a user, a
 * role or a share. */
int permissions_me(ctx_t *ctx);

/* GET /permissions/me/:collection and /permissions/me/:collection/:pk (getItemPermissions):
 * {"data":{"update":{"access":bool},"delete":{…},"share":{…}}} — an action is allowed when the
 * caller has a row for it and, with a key, the item passes the rows' rule; a singleton without
 * its row checks "create" for update, and its allowed update entry lists the rows' fields and
 * presets. 403 without a user; admins get true everywhere. */
int permissions_me_item(ctx_t *ctx);

/* GET /policies/me/globals: {"data":{"app_access","admin_access","enforce_tfa"}};
 * {"data":{"app_access":false}} without a user or role. */
int policies_me_globals(ctx_t *ctx);

#endif
