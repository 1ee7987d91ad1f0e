/*
 * /files writes as Directus 11.3.5's controllers/files.ts and FilesService answer them:
 * POST /files (multipart uploads, each file with the form fields sent before it; or a JSON
 * item, which must name its "type"), PATCH /files/:id (multipart replaces the content, JSON
 * updates the item), PATCH /files (batch, as /items), DELETE /files/:id and DELETE /files (the
 * rows, then the stored files and their thumbnails), POST /files/import (a URL's content
 * uploaded: lib/services/files_import). GET /files stays lib/api/system.c's.
 *
 * One transaction per request: the rows (created with the caller's permissions, then
 * completed as Directus's sudo update does: filesize, dimensions, uploaded_on) and the stored
 * bytes go together. A failed request removes what it wrote; a replaced or deleted file leaves
 * the disk only after COMMIT. The multipart body is read where nginx spooled it (mapped, never
 * copied), so an upload's size does not reach the worker's heap.
 */
#ifndef LIB_API_FILES_H
#define LIB_API_FILES_H

#include "lib/api/ctx.h"

int files_create(ctx_t *ctx);     /* POST /files */
int files_import(ctx_t *ctx);     /* POST /files/import */
int files_update(ctx_t *ctx);     /* PATCH /files */
int files_update_one(ctx_t *ctx); /* PATCH /files/:id */
int files_delete(ctx_t *ctx);     /* DELETE /files */
int files_delete_one(ctx_t *ctx); /* DELETE /files/:id */

#endif
