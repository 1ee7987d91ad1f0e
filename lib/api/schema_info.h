/*
 * The schema's read routes as Directus 11.3.5's collections, fields, relations and schema
 * controllers answer them: the entries come from the worker's schema snapshot, cut to what the
 * caller's read permissions show (admins see everything).
 */
#ifndef LIB_API_SCHEMA_INFO_H
#define LIB_API_SCHEMA_INFO_H

#include "lib/api/ctx.h"

/* GET / SEARCH /collections: every collection the caller may read, plus their groups; the
 * public (no read on directus_collections) 403. SEARCH {keys} lists just those. */
int collections_list(ctx_t *ctx);

/* GET /collections/:collection: one entry; 403 when unknown or not readable. */
int collections_one(ctx_t *ctx);

/* GET /fields and /fields/:collection: columns, then alias fields, limited to readable fields.
 * Needs read on directus_fields; an unknown or unreadable collection is 403. */
int fields_list(ctx_t *ctx);

/* GET /fields/:collection/:field (FieldsService.readOne's key order). */
int fields_one(ctx_t *ctx);

/* GET /relations and /relations/:collection: needs read on directus_relations; relations into
 * collections or fields the caller cannot read are left out. */
int relations_list(ctx_t *ctx);

/* GET /relations/:collection/:field. */
int relations_one(ctx_t *ctx);

/* GET /schema/snapshot: admins only (403 otherwise). */
int schema_snapshot_get(ctx_t *ctx);

#endif
