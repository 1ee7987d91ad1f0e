/*
 * directus_settings reads shared by routes: the project block of /server/info, and the plain
 * columns other services read (the default upload folder, the asset presets).
 */
#ifndef LIB_SERVICES_SETTINGS_H
#define LIB_SERVICES_SETTINGS_H

#include "lib/core/arena.h"
#include "lib/core/err.h"
#include "lib/db/db.h"
#include "lib/schema/schema.h"

struct json_object;

/* The `project` object of GET /server/info, as Directus's readSingleton answers it: the
 * settings row's project fields (public_background expanded to {id, type}), or, when the table
 * has no row, only the fields whose column has a non-null default in schema, with that default.
 * *out is owned by a. -1 with e set on a database error. */
int settings_project(arena_t *a, err_t *e, db_conn_t *db, const schema_t *schema,
                     struct json_object **out);

/* knex's select(cols).from('directus_settings').first(): the first row's columns (none when
 * the table is empty) into *out. -1 with e set on a database error. */
int settings_columns(arena_t *a, err_t *e, db_conn_t *db, const char *const *cols, size_t ncols,
                     db_result_t *out);

#endif
