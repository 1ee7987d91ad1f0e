/*
 * Writes on the collection-shaped system routes, as Directus 11.3.5's controllers and services
 * do them: POST <prefix> (createOne / createMany), PATCH <prefix> (updateBatch, updateMany by
 * keys, updateByQuery), PATCH <prefix>/:pk, DELETE <prefix> (deleteMany, deleteByQuery) and
 * DELETE <prefix>/:pk on users, roles, policies, permissions, access, presets, folders,
 * dashboards, panels, flows, operations, translations, shares, comments, notifications and
 * webhooks (delete only). The controller bodies are /items's (lib/api/items_write); what differs
 * per route is the service (UsersService, RolesService, PoliciesService, AccessService,
 * TranslationsService, FlowsService, SharesService, CommentsService: their own checks and
 * cascades) and a few controller quirks (no validateBatch on DELETE for dashboards, panels, flows,
 * operations, shares and webhooks; shares route uuid keys only; PermissionsService's readMany
 * appending the app access minimal rows; webhooks' deprecation error; comments' updateOne and
 * deleteOne for users only).
 *
 * Not sent: the mails NotificationsService sends for a new notification (a comment's mentions
 * included); the rows are written as Directus writes them.
 * Read-only (no write route, 404 as before): activity and revisions (Directus has none either),
 * files (lib/api/files.c) and versions (VersionsService hashes the main item with object-hash).
 */
#ifndef LIB_API_SYSTEM_WRITE_H
#define LIB_API_SYSTEM_WRITE_H

#include "lib/api/ctx.h"
#include "lib/api/users.h"
#include "lib/http/router.h"

int system_create(ctx_t *ctx);     /* POST <prefix> */
int system_update(ctx_t *ctx);     /* PATCH <prefix> */
int system_update_one(ctx_t *ctx); /* PATCH <prefix>/:pk */
int system_delete(ctx_t *ctx);     /* DELETE <prefix> */
int system_delete_one(ctx_t *ctx); /* DELETE <prefix>/:pk */
int system_deprecated(ctx_t *ctx); /* POST / PATCH /webhooks: 500 as Directus answers */

#define SYSW_ROUTES_OF(prefix)                                                                     \
    {M(POST), prefix, (void (*)(void))system_create},                                             \
        {M(PATCH), prefix, (void (*)(void))system_update},                                         \
        {M(PATCH), prefix "/:pk", (void (*)(void))system_update_one},                              \
        {M(DELETE), prefix, (void (*)(void))system_delete},                                        \
        {M(DELETE), prefix "/:pk", (void (*)(void))system_delete_one},

/* The write routes, for lib/api/system.c's table. */
#define SYSTEM_WRITE_ROUTES                                                                        \
    {M(PATCH), "/users/me/track/page", (void (*)(void))users_track_page},                         \
        {M(POST), "/webhooks", (void (*)(void))system_deprecated},                                 \
        {M(PATCH), "/webhooks", (void (*)(void))system_deprecated},                                \
        {M(PATCH), "/webhooks/:pk", (void (*)(void))system_deprecated},                            \
        {M(DELETE), "/webhooks", (void (*)(void))system_delete},                                   \
        {M(DELETE), "/webhooks/:pk", (void (*)(void))system_delete_one},                           \
        SYSW_ROUTES_OF("/users") SYSW_ROUTES_OF("/roles") SYSW_ROUTES_OF("/policies")              \
            SYSW_ROUTES_OF("/permissions") SYSW_ROUTES_OF("/access") SYSW_ROUTES_OF("/presets")    \
                SYSW_ROUTES_OF("/folders") SYSW_ROUTES_OF("/dashboards")                           \
                    SYSW_ROUTES_OF("/panels") SYSW_ROUTES_OF("/flows")                             \
                        SYSW_ROUTES_OF("/operations") SYSW_ROUTES_OF("/translations")      \
                            SYSW_ROUTES_OF("/shares") SYSW_ROUTES_OF("/comments")          \
                                SYSW_ROUTES_OF("/notifications")

#endif
