/*
 * Fuzz target: the request-shaped parts of the write service that need no database: date
 * payloads through parse_iso (date-fns parseISO), the o2m alterations check, CSV joins and the
 * revision rendering of values (read_value). Invariants: no crash; a date parse_iso accepts
 * prints as an ISO string it accepts again with the same instant; an alterations object is
 * either refused with INVALID_PAYLOAD or accepted without an error set.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "lib/services/write_nested.c"
#include "lib/services/write_payload.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void dates(arena_t *a, const uint8_t *data, size_t size)
{
    int64_t ms, again;
    if (!isodate_parse((str_t){(const char *)data, size}, &ms))
        return;
    if (ms < -8640000000000000LL || ms > 8640000000000000LL)
        return; /* beyond JavaScript's Date range: never printed */
    const char *text = wr_iso(a, ms);
    if (ms >= 0 && ms < 253402300800000LL) { /* four-digit years print as parseISO reads */
        assert(isodate_parse(str_c(text), &again));
        assert(again == ms);
    }
}

static void payloads(arena_t *a, const uint8_t *data, size_t size)
{
    struct json_object *v;
    if (jsonparse(a, (const char *)data, size, 0, 64, &v, NULL) < 0)
        return;
    err_t e = {0};
    write_t w = {.a = a, .e = &e};
    int rc = wr_alter_shape(&w, v);
    assert(rc == 0 ? !err_is_set(&e) : e.code == ERR_INVALID_PAYLOAD);
    static const char *const specials[] = {"cast-csv", "conceal"};
    static const schema_field_t csv = {
        .name = "tags", .type = SCHEMA_TYPE_CSV, .specials = specials, .nspecials = 2};
    static const schema_field_t when = {.name = "at", .type = SCHEMA_TYPE_TIMESTAMP};
    buf_t b;
    buf_init(&b, a, 64);
    json_write(&b, wr_read_value(&w, &csv, v));
    json_write(&b, wr_read_value(&w, &when, v));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static arena_t *a;
    if (!a)
        a = arena_new();
    dates(a, data, size);
    payloads(a, data, size);
    arena_reset(a);
    return 0;
}
