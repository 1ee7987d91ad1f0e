/*
 * The schema as Directus's GET /schema/snapshot (utils/get-snapshot.ts) prints it: the user
 * collections, fields and relations (system ones left out), each with every object's keys in
 * sorted order, the picks of sanitize-schema.ts and no meta.id. Used by `celer-fcgi schema
 * snapshot` and by the /schema routes.
 */
#ifndef LIB_SCHEMA_SNAPSHOT_H
#define LIB_SCHEMA_SNAPSHOT_H

#include "lib/core/arena.h"
#include "lib/schema/schema.h"

struct json_object;

/* {"version":1,"directus":"11.3.5","vendor":"postgres"|"mysql"|"sqlite","collections":[…],
 * "fields":[…],"relations":[…]}: the value of the response's "data". Collections are sorted by
 * name, fields and relations by collection then meta.id (rows without meta last), as Directus
 * sorts them. The object is owned by a (put at its next reset) and shares nothing mutable with
 * s. Never fails. */
struct json_object *schema_snapshot(arena_t *a, const schema_t *s);

/* "postgres", "mysql" or "sqlite": Directus's name for the database client in snapshots. */
const char *schema_snapshot_vendor(const schema_t *s);

#endif
