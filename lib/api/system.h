/*
 * The collection-shaped system routes: GET and SEARCH /users, /roles, /policies, /permissions,
 * /access, /activity, /revisions, /presets, /folders, /files, /comments, /shares,
 * /notifications, /dashboards, /panels, /flows, /operations, /versions, /translations,
 * /webhooks, and GET <prefix>/:pk — each over its directus_* collection with the items read
 * engine, as Directus 11.3.5's controllers for them answer. Plus GET /roles/me.
 */
#ifndef LIB_API_SYSTEM_H
#define LIB_API_SYSTEM_H

#include <stddef.h>

#include "lib/api/ctx.h"
#include "lib/http/router.h"
#include "lib/query/query.h"

/* The routes of the table, for the app's router after its own table (so /users/me and the
 * other fixed routes win): system_nroutes entries, handlers system_list and system_one. */
extern const route_t system_routes[];
extern const size_t system_nroutes;

/* GET / SEARCH <prefix>: the list, as the items controller with the route's differences. */
int system_list(ctx_t *ctx);

/* GET <prefix>/:pk: readOne; a missing or malformed key 403, a key the controller does not
 * route (…me, non-uuid share) 404. */
int system_one(ctx_t *ctx);

/* GET /roles/me: the caller's role chain records, [{id}, …] when they may not be read; 403
 * without a user and a role. */
int roles_me(ctx_t *ctx);

/* PermissionsService.readByQuery's tail for app users (admins too): the app access minimal rows
 * that pass q's filter appended to the list envelope `{"data":[…]}` in body. */
void system_app_rows_extra(ctx_t *ctx, const query_t *q, buf_t *body);

/* Express's UUID_REGEX route parameter (hex of either case, dashes at 8, 13, 18, 23). */
bool system_is_uuid(str_t k);

/* GET /settings: the settings singleton (defaults when the table is empty). */
int settings_get(ctx_t *ctx);

#endif
