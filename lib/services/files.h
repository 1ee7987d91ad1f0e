/*
 * The local storage driver (@directus/storage-driver-local) as FilesService and AssetsService
 * use it: each STORAGE_LOCATIONS entry is a folder (STORAGE_<NAME>_ROOT), files are written
 * whole, listed by a case-insensitive name prefix (a file and its generated thumbnails),
 * renamed and removed. Names are single path segments: Celer refuses a filename_disk that would
 * leave the location's folder, which the Node driver would follow.
 */
#ifndef LIB_SERVICES_FILES_H
#define LIB_SERVICES_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/core/arena.h"
#include "lib/core/conf.h"

/* The folder of a location name, or NULL when STORAGE_LOCATIONS has no such location. */
const char *files_location_root(const conf_t *conf, const char *name);

/* A name that stays inside its folder: not empty, no '/', no NUL, not "." or "..". */
bool files_name_safe(const char *name);

/* Writes data (n bytes) to root/name, creating the folder, replacing any file there. -1 with
 * errno on failure (a partly written file is removed). */
int files_write(arena_t *a, const char *root, const char *name, const void *data, size_t n);

/* rename(root/from, root/to). -1 with errno. */
int files_move(arena_t *a, const char *root, const char *from, const char *to);

/* Removes root/name; a missing file is not an error. */
void files_remove(arena_t *a, const char *root, const char *name);

/* Removes every file of root whose name starts with prefix (ASCII case ignored), as
 * disk.list(prefix) + disk.delete do for a file and its thumbnails. */
void files_remove_prefix(arena_t *a, const char *root, const char *prefix);

/* The size of root/name; false when it is not a readable regular file. */
bool files_stat(arena_t *a, const char *root, const char *name, int64_t *size);

/* root/name in a. */
const char *files_path(arena_t *a, const char *root, const char *name);

#endif
