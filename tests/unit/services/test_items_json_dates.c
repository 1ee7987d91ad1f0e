/* Date fields: the shortcut for PostgreSQL's plain date texts must print exactly what parsing the
 * text into an instant and printing that (processDates, toISOString) prints, and must step aside
 * for any text it would print differently (Feb 30 rolls over, offsets shift the instant). */
#include "lib/services/items_json.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* The long way: new Date(text), then processDates / toISOString. */
static void slow(buf_t *b, schema_type_t type, str_t s)
{
    double ms = jsval_date_parse(s);
    if (type == SCHEMA_TYPE_TIMESTAMP)
        iso_out(b, ms);
    else
        local_out(b, ms, type == SCHEMA_TYPE_DATETIME);
}

/* Whether the shortcut took text; when it did, its answer is the long way's. */
static bool same(arena_t *a, schema_type_t type, const char *text)
{
    buf_t fast, want;
    buf_init(&fast, a, 32);
    buf_init(&want, a, 32);
    bool took = plain_date_out(&fast, type, str_c(text));
    slow(&want, type, str_c(text));
    if (took && strcmp(fast.p, want.p) != 0)
        fail_msg("%s: shortcut %s, parsed %s", text, fast.p, want.p);
    return took;
}

static void test_plain_dates_print_as_parsed(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    char t[64];
    int took = 0;
    /* every day (and a few impossible ones) of a leap year, a common year and century years */
    const int years[] = {1000, 1900, 1970, 2000, 2023, 2024, 9999};
    for (size_t k = 0; k < sizeof years / sizeof *years; k++)
        for (int mo = 0; mo <= 13; mo++)
            for (int d = 0; d <= 32; d++) {
                snprintf(t, sizeof t, "%04d-%02d-%02d", years[k], mo, d);
                took += same(a, SCHEMA_TYPE_DATE, t);
                snprintf(t, sizeof t, "%04d-%02d-%02d %02d:%02d:%02d", years[k], mo, d, d % 25,
                         (d * 7) % 61, (d * 13) % 61);
                took += same(a, SCHEMA_TYPE_DATETIME, t);
                snprintf(t, sizeof t, "%04d-%02d-%02dT%02d:%02d:%02d+00", years[k], mo, d,
                         d % 25, (d * 7) % 61, (d * 13) % 61);
                took += same(a, SCHEMA_TYPE_TIMESTAMP, t);
                arena_reset(a);
            }
    assert_true(took > 3 * 7 * 300);
    /* texts the shortcut leaves to the parser */
    assert_false(same(a, SCHEMA_TYPE_DATE, "2023-02-29"));
    assert_false(same(a, SCHEMA_TYPE_DATETIME, "2024-01-15 24:00:00"));
    assert_false(same(a, SCHEMA_TYPE_DATETIME, "2024-01-15 10:30:00.5"));
    assert_false(same(a, SCHEMA_TYPE_DATETIME, "0999-01-15 10:30:00"));
    assert_false(same(a, SCHEMA_TYPE_DATETIME, "2024-01-15"));
    assert_false(same(a, SCHEMA_TYPE_DATE, "2024-01-15 10:30:00"));
    assert_false(same(a, SCHEMA_TYPE_TIMESTAMP, "2024-01-15 10:30:00+02"));
    assert_false(same(a, SCHEMA_TYPE_TIMESTAMP, "2024-01-15 10:30:00.123+00"));
    assert_false(same(a, SCHEMA_TYPE_TIMESTAMP, "2024-01-15 10:30:00"));
    assert_true(same(a, SCHEMA_TYPE_TIMESTAMP, "2024-02-29 23:59:59+00"));
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_dates_print_as_parsed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
