/*
 * Fuzz target: uploaded bytes through the image-header reader and the EXIF reader
 * (lib/services/files_meta), as an upload of an image type reaches them. Invariants: no crash,
 * positive dimensions when an image is recognised, an EXIF block inside the input, and a JSON
 * object (possibly empty) for any EXIF block.
 */
#include <assert.h>
#include <json-c/json.h>
#include <stdint.h>

#include "lib/services/files_meta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    image_info_t ii;
    if (image_info(data, size, &ii)) {
        assert(ii.width > 0 && ii.height > 0);
        if (ii.exif)
            assert(ii.exif >= data && ii.exif + ii.exif_n <= data + size);
    }
    /* Any bytes may also be an EXIF block of a container. */
    struct json_object *m = exif_metadata(data, size);
    assert(json_object_get_type(m) == json_type_object);
    json_object_put(m);
    return 0;
}
