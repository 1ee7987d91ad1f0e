/*
 * Fuzz target: multipart/form-data bodies through lib/http/multipart. The input's first line is
 * the Content-Type (its boundary parameter, "XX" when it has none), the rest the body.
 * Invariants: no crash, every part's slices lie inside the body, the parser always ends (each
 * part moves forward), and an error comes with one of busboy's messages.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "lib/core/arena.h"
#include "lib/http/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool inside(str_t s, const char *body, size_t n)
{
    return !s.n || (s.p >= body && s.p + s.n <= body + n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static arena_t *a;
    if (!a)
        a = arena_new();
    const char *p = (const char *)data;
    const char *nl = memchr(p, '\n', size);
    str_t ct = nl ? (str_t){p, (size_t)(nl - p)} : (str_t){p, 0};
    const char *body = nl ? nl + 1 : p;
    size_t n = size - (size_t)(body - p);
    str_t boundary;
    if (mp_boundary(a, ct, &boundary) < 0 || !boundary.n)
        boundary = STR("XX");
    (void)mp_is_form_data(ct);
    mp_parser_t m;
    mp_init(&m, a, boundary, body, n);
    mp_part_t part;
    const char *msg = NULL;
    size_t last = 0;
    int rc;
    while ((rc = mp_next(&m, a, &part, &msg)) == 1) {
        assert(inside(part.data, body, n));
        assert(m.pos > last && m.pos <= n);
        last = m.pos;
        assert(part.type.n > 0);
        assert(part.is_file || !part.has_filename);
    }
    if (rc < 0)
        assert(!strcmp(msg, "Unexpected end of form") || !strcmp(msg, "Malformed part header"));
    arena_reset(a);
    return 0;
}
