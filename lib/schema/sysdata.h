/*
 * What Directus 11.3.5 builds in rather than stores: the directus_collections rows of the system
 * collections, the specials of the system fields and the system relations (users.role → roles,
 * the directus_access junctions, ...). Real Directus never writes these to directus_collections,
 * directus_fields or directus_relations, so the schema merges them in at load. The tables are
 * generated from Directus's packages/system-data by gen_sysdata.py (see there).
 */
#ifndef LIB_SCHEMA_SYSDATA_H
#define LIB_SCHEMA_SYSDATA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *collection;
    const char *meta; /* the row as GET /collections shows it, JSON text, system:true */
    bool singleton;
    const char *accountability; /* "all", or NULL for no activity tracking */
    const char *sort_field;     /* or NULL */
} sysdata_collection_t;

typedef struct {
    const char *collection, *field;
    const char *special; /* comma list, or NULL */
    const char *meta;    /* the row as GET /fields shows it, JSON text, system:true */
} sysdata_field_t;

/* A directus_relations row; NULL for SQL NULL. one_allowed_collections is a comma list. */
typedef struct {
    const char *many_collection, *many_field, *one_collection, *one_field, *one_collection_field,
        *one_allowed_collections, *one_deselect_action, *junction_field, *sort_field;
} sysdata_relation_t;

extern const sysdata_collection_t sysdata_collections[];
extern const size_t sysdata_ncollections;
extern const sysdata_field_t sysdata_fields[];
extern const size_t sysdata_nfields;
extern const sysdata_relation_t sysdata_relations[];
extern const size_t sysdata_nrelations;

#endif
