/*
 * The writing /utils routes: POST /utils/sort/:collection (UtilsService.sort) and
 * POST /utils/revert/:revision (RevisionsService.revert), as Directus 11.3.5 answers them.
 */
#ifndef LIB_API_UTILS_WRITE_H
#define LIB_API_UTILS_WRITE_H

#include "lib/api/ctx.h"

int utils_sort(ctx_t *ctx);   /* POST /utils/sort/:collection: 200, empty */
int utils_revert(ctx_t *ctx); /* POST /utils/revert/:revision: 204 */

#endif
