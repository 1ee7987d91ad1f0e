/*
 * libFuzzer target: lib/perm/validate (Directus's validatePayload) on a filter and a payload the
 * fuzzer writes as two JSON texts, one per line. Invariants:
 *  - a failure to validate (-1) sets exactly one 500 entry; otherwise the count returned is the
 *    number of FAILED_VALIDATION entries in e, each with "field" and "type" extensions;
 *  - neither input is changed;
 *  - the same inputs give the same envelope twice.
 * Errors are fine; crashes, leaks and broken invariants are not.
 *
 *   make fuzz            (clang, -fsanitize=fuzzer,address,undefined; corpus/validate)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/core/buf.h"
#include "lib/core/jsonparse.h"
#include "lib/perm/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static arena_t *A;

static void check_entry(struct json_object *ext)
{
    if (!ext || !json_object_object_get_ex(ext, "field", NULL) ||
        !json_object_object_get_ex(ext, "type", NULL))
        abort();
}

/* Runs the validation; the rendered envelope ("" when it passes) in A. */
static const char *run(struct json_object *filter, struct json_object *payload)
{
    err_t e = {0};
    int n = perm_validate(A, &e, filter, payload);
    buf_t b;
    buf_init(&b, A, 256);
    if (n < 0) {
        if (e.code != ERR_INTERNAL_SERVER_ERROR || e.nmore)
            abort();
    } else if (n == 0) {
        if (e.code != ERR_NONE)
            abort();
        return "";
    } else {
        if ((size_t)n != e.nmore + 1 || e.code != ERR_FAILED_VALIDATION)
            abort();
        check_entry(e.ext);
        for (size_t i = 0; i < e.nmore; i++) {
            if (e.more[i].code != ERR_FAILED_VALIDATION)
                abort();
            check_entry(e.more[i].ext);
        }
    }
    err_render(&e, &b);
    return b.p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!A)
        A = arena_new();
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    if (!nl)
        return 0;
    struct json_object *filter, *payload;
    if (jsonparse(A, s, (size_t)(nl - s), 0, 64, &filter, NULL) < 0 ||
        jsonparse(A, nl + 1, size - (size_t)(nl - s) - 1, 0, 64, &payload, NULL) < 0 ||
        json_object_get_type(payload) != json_type_object) {
        arena_reset(A);
        return 0;
    }
    const char *f0 = strdup(json_object_to_json_string_ext(filter, JSON_C_TO_STRING_PLAIN));
    const char *p0 = strdup(json_object_to_json_string_ext(payload, JSON_C_TO_STRING_PLAIN));
    const char *first = run(filter, payload);
    const char *second = run(filter, payload);
    if (strcmp(first, second) != 0 ||
        strcmp(f0, json_object_to_json_string_ext(filter, JSON_C_TO_STRING_PLAIN)) != 0 ||
        strcmp(p0, json_object_to_json_string_ext(payload, JSON_C_TO_STRING_PLAIN)) != 0)
        abort();
    free((void *)f0);
    free((void *)p0);
    arena_reset(A);
    return 0;
}
