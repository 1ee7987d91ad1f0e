/*
 * The schema as Directus's GET /schema/snapshot (utils/get-snapshot.ts) prints it: the user
 * collections, fields and relations (system ones left out), each with every object's keys in
 * sorted order, the picks of sanitize-schema.ts and no meta.id. Used by `celer-fcgi schema
 * snapshot` and by the /schema routes. The same entries unsanitized, in the dialect's key order,
 * are what GET /collections, /fields and /relations list.
 */
#ifndef LIB_SCHEMA_SNAPSHOT_H
#define LIB_SCHEMA_SNAPSHOT_H

#include <stdbool.h>

#include "lib/core/arena.h"
#include "lib/schema/schema.h"

struct json_object;

/* {"version":1,"directus":"11.3.5","vendor":"postgres"|"mysql"|"sqlite","collections":[…],
 * "fields":[…],"relations":[…]}: the value of the response's "data". Collections are sorted by
 * name, fields and relations by collection then meta.id (rows without meta last), as Directus
 * sorts them: the entries above with sanitize-schema.ts's picks. The object is owned by a (put at its next reset) and shares nothing mutable with
 * s. Never fails. */
struct json_object *schema_snapshot(arena_t *a, const schema_t *s);

/* The entries of GET /collections, /fields and /relations (CollectionsService, FieldsService,
 * RelationsService): {"collection","meta","schema"} with the table info of the dialect;
 * {"collection","field","type","schema","meta"} (one: FieldsService.readOne's order, meta before
 * schema) with the column as the dialect's inspector prints it, schema null for alias fields;
 * {"collection","field","related_collection","schema","meta"} with the foreign key or null.
 * Each returns a new json-c reference the caller puts; the schema's own values inside are shared
 * (read-only). Never fail. */
struct json_object *schema_collection_info(const schema_collection_t *c);
struct json_object *schema_field_info(const schema_field_t *f, bool one);
struct json_object *schema_relation_info(const schema_t *s, const schema_relation_t *r);

/* "postgres", "mysql" or "sqlite": Directus's name for the database client in snapshots. */
const char *schema_snapshot_vendor(const schema_t *s);

#endif
