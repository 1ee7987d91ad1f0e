/*
 * The bus between pools, on Directus's own Redis channels (@directus/memory's Redis bus:
 * channel `directus:bus:<name>`, JSON messages), so Celer pools and Directus instances that
 * share a Redis hear each other:
 *  - `schemaChanged` ({}): Directus's clearSystemCache message. Celer sends it when its schema or
 *    permissions change and, hearing it, rebuilds its schema and permission caches;
 *  - `celer.invalidate` ({"kind":"schema|permissions|users","origin":id}): every generation bump
 *    of lib/cache/generation, for other Celer pools;
 *  - `websocket.event` ({"collection","action","keys"}): item changes, what Directus's
 *    WebSocket layer publishes and the realtime worker listens to.
 *
 * Workers publish on their own Redis connection; the pool's master listens (bus_sub_*), beside
 * its signals, and bumps the pool's shared generation counters. A pool ignores what it sent
 * itself (the origin id is made by the master before it forks). Messages lost while the
 * subscriber was disconnected cannot be replayed, so a reconnect bumps every counter once; and
 * after a publish Redis did not take, or a reconnect, the master tells the other pools to do the
 * same (celer.invalidate without a kind, and schemaChanged) once Redis answers again.
 * Without Redis configuration (REDIS, any REDIS_* key, or REDIS_ENABLED=true, as Directus's
 * redisConfigAvailable) there is no bus and nothing here does anything.
 */
#ifndef LIB_CACHE_BUS_H
#define LIB_CACHE_BUS_H

#include <stdbool.h>

#include "lib/cache/redis.h"
#include "lib/core/arena.h"
#include "lib/core/conf.h"
#include "lib/core/str.h"

/* Makes this pool's origin id. Called once by the master before it forks (the id then tells
 * the pool's own messages apart); a process that never calls it uses an id of its own. */
void bus_init(void);

/* Workers: makes gen_bump() publish on r (borrowed: it must outlive the publisher) when the
 * configuration has a bus. */
void bus_install_publisher(const conf_t *c, redis_t *r);

/* PUBLISH directus:bus:<channel> json on r. 0, or -1 when Redis did not take it (logged by
 * lib/cache/redis; the caller goes on: the bus is best effort). */
int bus_publish(redis_t *r, arena_t *a, const char *channel, str_t json);

/* websocket.event for a change of collection items: action "create", "update" or "delete",
 * keys a JSON array of the primary keys. r NULL: nothing. */
int bus_publish_item_event(redis_t *r, arena_t *a, const char *action, const char *collection,
                           str_t keys_json);

typedef struct bus_sub bus_sub_t;

/* The master's subscriber, or NULL when the configuration has no bus. */
bus_sub_t *bus_sub_new(const conf_t *c);
void bus_sub_free(bus_sub_t *s);

/* The descriptor to poll for input, or -1 while disconnected; *timeout_ms is set to how long
 * the caller may wait without input before calling bus_sub_fd() again (reconnects; retires the
 * response cache in Redis after an outage, respcache.h), -1: forever. Connects and subscribes
 * when due. */
int bus_sub_fd(bus_sub_t *s, int *timeout_ms);

/* Reads what arrived (poll said so) and applies it: generation bumps for the pool. A failed read
 * drops the connection (the next bus_sub_fd() reconnects). */
void bus_sub_service(bus_sub_t *s);

#endif
