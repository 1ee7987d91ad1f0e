/*
 * What Directus 11.3.5 derives from an upload besides its bytes: the image's dimensions (sharp's
 * metadata(), read here from the PNG, JPEG, GIF and WebP headers, EXIF orientation 5-8 swapping
 * them as Directus does), the EXIF tags it keeps (exif-reader's reading, FILE_METADATA_ALLOW_LIST's
 * default), the title @directus/format-title makes of the file name, and Node's path.extname /
 * path.parse(...).name of a name. Not read: TIFF and AVIF images, and the sections outside the
 * default allow list (ICC, XMP, GPS, ...). IPTC changes nothing in 11.3.5: getMetadata looks for
 * "Caption", "Headline" and "Keywords" where parseIptc writes them lower-case.
 */
#ifndef LIB_SERVICES_FILES_META_H
#define LIB_SERVICES_FILES_META_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/core/arena.h"
#include "lib/core/str.h"

typedef struct {
    long width, height;        /* after the orientation swap */
    int orientation;           /* EXIF orientation, 0 when none */
    bool has_exif;             /* an EXIF block is present */
    const unsigned char *exif; /* the block as sharp hands it over (JPEG APP1, PNG eXIf, WebP
                                * EXIF), inside the bytes given; NULL when none was found */
    size_t exif_n;
} image_info_t;

/* The dimensions of a PNG, JPEG, GIF or WebP image from its first bytes (p, n: as much of the
 * file as is at hand). false when the bytes are none of these or too short to tell. */
bool image_info(const unsigned char *p, size_t n, image_info_t *out);

struct json_object;

/* The metadata object Directus stores for an EXIF block: exif-reader 2.0.1's reading of it,
 * picked by FILE_METADATA_ALLOW_LIST's default (ifd0.Make, ifd0.Model, exif.FNumber,
 * exif.ExposureTime, exif.FocalLength, exif.ISOSpeedRatings), strings trimmed. An unreadable
 * block gives {} as exif-reader's throw does. A new json-c object (the caller owns it). */
struct json_object *exif_metadata(const unsigned char *p, size_t n);

/* formatTitle(s): camelCase split, words on spaces, '-' and '_', capitalised, with the
 * package's acronyms, special cases and lower-case small words. ASCII case rules only. */
char *format_title(arena_t *a, str_t s);

/* path.extname(name): from the basename's last '.', "" when there is none or it leads. */
str_t path_extname(str_t name);

/* path.parse(name).name: the basename without its extension. */
str_t path_stem(str_t name);

#endif
