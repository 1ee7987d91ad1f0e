/*
 * GET /assets/:id and /assets/:id/:filename as Directus 11.3.5's controllers/assets.ts and
 * AssetsService answer them, with nginx sending the bytes: Celer checks the transformation
 * query, the caller's read access to the file (validateAccess on directus_files, skipped for the
 * project's public images), that the file is stored and the Range Directus would accept, then
 * answers with Directus's headers and an X-Accel-Redirect to the storage location's internal
 * nginx location (ASSETS_ACCEL_PREFIX/<location>/<filename_disk>), where nginx serves the
 * file with sendfile and answers the Range itself.
 *
 * Image transformations (width, height, fit, quality, format, key presets, transforms) are
 * validated as Directus validates them; one that Directus would carry out is answered with 503
 * SERVICE_UNAVAILABLE (service "assets"): Celer has no image library.
 */
#ifndef LIB_API_ASSETS_H
#define LIB_API_ASSETS_H

#include "lib/api/ctx.h"

/* GET /assets/:id, GET /assets/:id/:filename */
int assets_get(ctx_t *ctx);

/* contentDisposition(filename, {type}) of the content-disposition package, as bytes to send:
 * a Latin-1 name quoted (sent as Latin-1), any other with an ASCII fallback and filename*. */
const char *assets_content_disposition(arena_t *a, const char *type, str_t filename);

#endif
