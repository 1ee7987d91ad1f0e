/*
 * Fuzz target: query strings through qs_parse. Invariants: it never fails or crashes, always
 * gives an object, and what it gives serialises to JSON that jsonparse reads back to the same
 * text (so every string it produced is representable).
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "lib/core/arena.h"
#include "lib/core/json.h"
#include "lib/core/jsonparse.h"
#include "lib/http/qs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static arena_t *a;
    if (!a)
        a = arena_new();
    struct json_object *o = json_own(a, qs_parse((const char *)data, size));
    assert(json_object_is_type(o, json_type_object));
    buf_t out, again;
    buf_init(&out, a, 256);
    json_write(&out, o);
    struct json_object *back;
    const char *msg;
    /* Objects nest at most 11 deep (qs depth 10), far below the limit given here. */
    int rc = jsonparse(a, out.p, out.n, 0, 64, &back, &msg);
    assert(rc == 0);
    buf_init(&again, a, out.n + 1);
    json_write(&again, back);
    /* json-c cuts keys at a NUL (a key "1\0x" becomes the integer-like "1", which JavaScript
     * orders first): compare only inputs that cannot spell one. */
    if (!memchr(data, '\0', size) && !memmem(data, size, "%00", 3))
        assert(again.n == out.n && memcmp(again.p, out.p, out.n) == 0);
    arena_reset(a);
    return 0;
}
