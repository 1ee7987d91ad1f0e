/*
 * lib/perm write permissions against a copy of the SQLite fixture: perm_load for the write
 * actions (rows kept one by one with validation and presets), perm_process_payload answering as
 * real Directus 11.3.5 did for the conformance cases named below (bodies from
 * ../shared/conformance/expected.json, and a few more seen on real Directus), dynamic variables in
 * validation and presets, and the per-worker cache (no SQL on a hit, a change seen after a
 * generation bump, bounded size).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "lib/cache/generation.h"
#include "lib/core/arena.h"
#include "lib/core/json.h"
#include "lib/core/jsonparse.h"
#include "lib/perm/cache.h"
#include "lib/perm/perm.h"
#include "tests/unit/sql/fixture.h"

#define EDITOR "b0000000-0000-4000-8000-00000000e001"
#define AUTHOR "b0000000-0000-4000-8000-00000000a001"
#define PUBLIC "abf8a154-5b1c-4a46-ac9c-7300570f4f17"

static fixture_t fx;
static arena_t *A;

static int setup(void **state)
{
    (void)state;
    if (fixture_open(&fx) < 0)
        return -1;
    A = arena_new();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(A);
    perm_cache_clear();
    fixture_close(&fx);
    return 0;
}

static qfilter_env_t env(void)
{
    return (qfilter_env_t){.user = "u-1", .role = "r-1", .now_ms = 1764115200000};
}

static perm_set_t *load(const char *policy, bool app, perm_action_t action)
{
    static const char *pol[1];
    pol[0] = policy;
    perm_subject_t who = {
        .app = app, .user = "u-1", .role = "r-1", .policies = pol, .npolicies = 1};
    qfilter_env_t v = env();
    perm_set_t *ps = arena_alloc(A, sizeof *ps);
    err_t e = {0};
    assert_int_equal(perm_load(A, &e, fx.db, &who, &v, action, NULL, NULL, ps), 0);
    return ps;
}

static struct json_object *parse(const char *s)
{
    struct json_object *o = NULL;
    assert_int_equal(jsonparse(A, s, strlen(s), 0, 64, &o, NULL), 0);
    return o;
}

/* processPayload's answer: the error envelope, or the payload it returns. */
static const char *process(const char *coll, const perm_set_t *ps, perm_action_t action,
                           const char *payload)
{
    const schema_collection_t *c = schema_collection(fx.schema, str_c(coll));
    assert_non_null(c);
    err_t e = {0};
    qfilter_env_t v = env();
    struct json_object *out = NULL;
    buf_t b;
    buf_init(&b, A, 256);
    if (perm_process_payload(A, &e, c, ps, action, &v, parse(payload), &out) < 0) {
        assert_null(out);
        buf_printf(&b, "%d ", err_http_status(&e));
        err_render(&e, &b);
    } else {
        json_write(&b, out);
    }
    return b.p;
}

/* write.error.required, write.error.status-validation: an admin still gets field validation. */
static void test_admin_field_validation(void **state)
{
    (void)state;
    assert_string_equal(
        process("articles", NULL, PERM_CREATE, "{\"slug\":\"x-no-title\"}"),
        "400 {\"errors\":[{\"message\":\"Validation failed for field \\\"title\\\". Value is "
        "required.\",\"extensions\":{\"field\":\"title\",\"type\":\"required\",\"code\":"
        "\"FAILED_VALIDATION\"}}]}");
    assert_string_equal(
        process("articles", NULL, PERM_CREATE, "{\"title\":\"Bad status\",\"status\":\"bogus\"}"),
        "400 {\"errors\":[{\"message\":\"Validation failed for field \\\"status\\\". Value has to "
        "be one of \\\"draft\\\", \\\"published\\\", \\\"archived\\\".\",\"extensions\":{"
        "\"field\":\"status\",\"type\":\"in\",\"valid\":[\"draft\",\"published\",\"archived\"],"
        "\"code\":\"FAILED_VALIDATION\"}}]}");
    /* several failures: one entry each, in field order (status comes before title) */
    assert_string_equal(
        process("articles", NULL, PERM_CREATE, "{\"status\":\"bogus\"}"),
        "400 {\"errors\":[{\"message\":\"Validation failed for field \\\"status\\\". Value has to "
        "be one of \\\"draft\\\", \\\"published\\\", \\\"archived\\\".\",\"extensions\":{"
        "\"field\":\"status\",\"type\":\"in\",\"valid\":[\"draft\",\"published\",\"archived\"],"
        "\"code\":\"FAILED_VALIDATION\"}},{\"message\":\"Validation failed for field "
        "\\\"title\\\". "
        "Value is required.\",\"extensions\":{\"field\":\"title\",\"type\":\"required\",\"code\":"
        "\"FAILED_VALIDATION\"}}]}");
    /* an update need not send title, but cannot null it */
    assert_string_equal(process("articles", NULL, PERM_UPDATE, "{\"slug\":\"s\"}"),
                        "{\"slug\":\"s\"}");
    assert_string_equal(
        process("articles", NULL, PERM_UPDATE, "{\"title\":null}"),
        "400 {\"errors\":[{\"message\":\"Validation failed for field \\\"title\\\". Value can't "
        "be null.\",\"extensions\":{\"field\":\"title\",\"type\":\"nnull\",\"code\":"
        "\"FAILED_VALIDATION\"}}]}");
    /* the primary key (auto-increment) and status (a default) are not required on create */
    assert_string_equal(process("articles", NULL, PERM_CREATE, "{\"title\":\"T\"}"),
                        "{\"title\":\"T\"}");
}

/* perm.write.public.create, perm.write.editor.create-author-forbidden,
 * perm.write.author.create-with-status. */
static void test_forbidden(void **state)
{
    (void)state;
    assert_string_equal(
        process("articles", load(PUBLIC, false, PERM_CREATE), PERM_CREATE,
                "{\"title\":\"anonymous\"}"),
        "403 {\"errors\":[{\"message\":\"You don't have permission to \\\"create\\\" from "
        "collection \\\"articles\\\" or it does not exist.\",\"extensions\":{\"reason\":\"You "
        "don't have permission to \\\"create\\\" from collection \\\"articles\\\" or it does not "
        "exist.\",\"code\":\"FORBIDDEN\"}}]}");
    assert_string_equal(
        process("authors", load(EDITOR, true, PERM_CREATE), PERM_CREATE,
                "{\"name\":\"Not allowed\"}"),
        "403 {\"errors\":[{\"message\":\"You don't have permission to \\\"create\\\" from "
        "collection \\\"authors\\\" or it does not exist.\",\"extensions\":{\"reason\":\"You "
        "don't have permission to \\\"create\\\" from collection \\\"authors\\\" or it does not "
        "exist.\",\"code\":\"FORBIDDEN\"}}]}");
    perm_set_t *author = load(AUTHOR, true, PERM_CREATE);
    assert_string_equal(
        process("articles", author, PERM_CREATE,
                "{\"title\":\"Author tries to publish\",\"status\":\"published\"}"),
        "403 {\"errors\":[{\"message\":\"You don't have permission to access field \\\"status\\\" "
        "in collection \\\"articles\\\" or it does not exist.\",\"extensions\":{\"reason\":\"You "
        "don't have permission to access field \\\"status\\\" in collection \\\"articles\\\" or "
        "it does not exist.\",\"code\":\"FORBIDDEN\"}}]}");
    /* two fields: the plural form, in payload order */
    assert_string_equal(
        process("articles", author, PERM_CREATE,
                "{\"user_created\":\"x\",\"title\":\"Fine\",\"status\":\"published\"}"),
        "403 {\"errors\":[{\"message\":\"You don't have permission to access fields "
        "\\\"user_created\\\", \\\"status\\\" in collection \\\"articles\\\" or they do not "
        "exist.\",\"extensions\":{\"reason\":\"You don't have permission to access fields "
        "\\\"user_created\\\", \\\"status\\\" in collection \\\"articles\\\" or they do not "
        "exist.\",\"code\":\"FORBIDDEN\"}}]}");
}

/* perm.write.author.create-short-title, perm.write.author.update-own-short; presets merged. */
static void test_author_validation_and_presets(void **state)
{
    (void)state;
    perm_set_t *create = load(AUTHOR, true, PERM_CREATE);
    const perm_coll_t *pc = perm_coll(create, STR("articles"));
    assert_non_null(pc);
    assert_int_equal(pc->nrules, 1);
    assert_non_null(pc->rules[0].validation);
    assert_non_null(pc->rules[0].presets);
    const char *short_title =
        "400 {\"errors\":[{\"message\":\"Validation failed for field \\\"title\\\". Value doesn't "
        "have the correct format.\",\"extensions\":{\"field\":\"title\",\"type\":\"regex\","
        "\"invalid\":\"%s\",\"code\":\"FAILED_VALIDATION\"}}]}";
    char want[512];
    snprintf(want, sizeof want, short_title, "ab");
    assert_string_equal(process("articles", create, PERM_CREATE, "{\"title\":\"ab\"}"), want);
    snprintf(want, sizeof want, short_title, "no");
    assert_string_equal(
        process("articles", load(AUTHOR, true, PERM_UPDATE), PERM_UPDATE, "{\"title\":\"no\"}"),
        want);
    /* null title: the not-null rule, then the permission's regex (null is no string) */
    assert_string_equal(
        process("articles", create, PERM_CREATE, "{\"title\":null}"),
        "400 {\"errors\":[{\"message\":\"Validation failed for field \\\"title\\\". Value can't "
        "be null.\",\"extensions\":{\"field\":\"title\",\"type\":\"nnull\",\"code\":"
        "\"FAILED_VALIDATION\"}},{\"message\":\"Validation failed for field \\\"title\\\". Value "
        "is "
        "required.\",\"extensions\":{\"field\":\"title\",\"type\":\"required\",\"code\":"
        "\"FAILED_VALIDATION\"}}]}");
    /* the preset comes first, the payload over it */
    assert_string_equal(process("articles", create, PERM_CREATE, "{\"title\":\"Long enough\"}"),
                        "{\"status\":\"draft\",\"title\":\"Long enough\"}");
    /* read rows of the same policy carry no validation */
    const perm_coll_t *read = perm_coll(load(AUTHOR, true, PERM_READ), STR("articles"));
    assert_null(read->rules[0].validation_json);
    assert_null(read->rules[0].presets);
}

/* Rows of write actions are not merged, validations are AND-ed, presets applied in row order,
 * and variables resolved in both. */
static void test_rows_variables_and_order(void **state)
{
    (void)state;
    perm_set_t ps = {.action = PERM_CREATE};
    err_t e = {0};
    qfilter_env_t v = env();
    assert_int_equal(perm_set_add_row(A, &e, &ps, &v, "tags", STR("*"), STR_NULL,
                                      STR("{\"name\":{\"_eq\":\"$CURRENT_USER\"}}"),
                                      STR("{\"name\":\"$CURRENT_USER\",\"n\":\"true\","
                                          "\"when\":\"$NOW\",\"deep\":[\"$CURRENT_ROLE\"]}")),
                     0);
    assert_int_equal(perm_set_add_row(A, &e, &ps, &v, "tags", STR("*"), STR_NULL,
                                      STR("{\"name\":{\"_nnull\":true,\"_neq\":\"x\"}}"),
                                      STR("{\"n\":2}")),
                     0);
    assert_int_equal(perm_coll(&ps, STR("tags"))->nrules, 2);
    assert_string_equal(process("tags", &ps, PERM_CREATE, "{}"),
                        "{\"name\":\"u-1\",\"n\":2,\"when\":\"2025-11-26T00:00:00.000Z\","
                        "\"deep\":[\"r-1\"]}");
    /* both validations fail: first row's _eq, then the second's _neq (_nnull passes) */
    assert_string_equal(
        process("tags", &ps, PERM_CREATE, "{\"name\":\"x\"}"),
        "400 {\"errors\":[{\"message\":\"Validation failed for field \\\"name\\\". Value has to "
        "be \\\"u-1\\\".\",\"extensions\":{\"field\":\"name\",\"type\":\"eq\",\"valid\":\"u-1\","
        "\"code\":\"FAILED_VALIDATION\"}},{\"message\":\"Validation failed for field \\\"name\\\"."
        " Value can't be \\\"x\\\".\",\"extensions\":{\"field\":\"name\",\"type\":\"neq\","
        "\"invalid\":\"x\",\"code\":\"FAILED_VALIDATION\"}}]}");
}

/* The app minimal rows carry their validation (directus_comments create: comment not null). */
static void test_app_minimal_write_rows(void **state)
{
    (void)state;
    perm_set_t *ps = load(PUBLIC, true, PERM_CREATE);
    assert_non_null(perm_coll(ps, STR("directus_presets")));
    assert_null(perm_coll(ps, STR("directus_users")));
    const char *got = process("directus_comments", ps, PERM_CREATE, "{\"comment\":null}");
    assert_non_null(strstr(got, "\"field\":\"comment\",\"type\":\"nnull\""));
    assert_null(perm_coll(load(PUBLIC, false, PERM_CREATE), STR("directus_comments")));
    /* directus_presets create: user must be $CURRENT_USER (as real Directus answered for the
     * author creating a preset for the editor) */
    assert_string_equal(
        process("directus_presets", ps, PERM_CREATE,
                "{\"user\":\"c0000000-0000-4000-8000-00000000e001\",\"collection\":\"articles\"}"),
        "400 {\"errors\":[{\"message\":\"Validation failed for field \\\"user\\\". Value has to "
        "be \\\"u-1\\\".\",\"extensions\":{\"field\":\"user\",\"type\":\"eq\",\"valid\":\"u-1\","
        "\"code\":\"FAILED_VALIDATION\"}}]}");
    assert_string_equal(
        process("directus_presets", ps, PERM_CREATE, "{\"collection\":\"articles\"}"),
        "{\"collection\":\"articles\"}");
}

/* A hit runs no SQL; a change in the database is seen once the generation moves; entries are
 * capped. */
static void test_cache(void **state)
{
    (void)state;
    perm_cache_clear();
    const char *pol[] = {AUTHOR, EDITOR, AUTHOR};
    perm_rows_t r1, r2;
    err_t e = {0};
    assert_int_equal(perm_cache_rows(A, &e, fx.db, pol, 3, &r1), 0);
    uint64_t before = db_statement_count(fx.db);
    unsigned long hits = perm_cache_hits();
    assert_int_equal(perm_cache_rows(A, &e, fx.db, pol, 3, &r2), 0);
    assert_int_equal(db_statement_count(fx.db), before);
    assert_int_equal(perm_cache_hits(), hits + 1);
    assert_int_equal(r1.nrows, r2.nrows);
    assert_true(r1.nrows > 0);
    /* author's rows first (its position), the repeat ignored */
    assert_string_equal(r1.rows[0].action, "read");
    assert_non_null(strstr(r1.rows[0].permissions, "$CURRENT_USER"));
    assert_string_equal(r1.rows[r1.nrows - 1].collection, "categories");

    /* a whole perm_load on a warm cache: no statement either */
    before = db_statement_count(fx.db);
    perm_set_t *ps = load(AUTHOR, false, PERM_UPDATE);
    (void)ps;
    load(AUTHOR, false, PERM_UPDATE);
    uint64_t after_first = db_statement_count(fx.db);
    load(AUTHOR, false, PERM_READ);
    assert_int_equal(db_statement_count(fx.db), after_first);

    /* a change made in the database, then the bump a write through Celer makes */
    db_result_t res;
    assert_int_equal(
        db_exec(fx.db, A, &e,
                "UPDATE directus_permissions SET fields = 'title' WHERE policy = '" AUTHOR
                "' AND action = 'update'",
                NULL, 0, &res),
        0);
    const perm_coll_t *pc = perm_coll(load(AUTHOR, false, PERM_UPDATE), STR("articles"));
    assert_true(perm_can_read_field(pc, STR("slug"))); /* still the cached rows */
    gen_bump(GEN_PERMISSIONS);
    pc = perm_coll(load(AUTHOR, false, PERM_UPDATE), STR("articles"));
    assert_false(perm_can_read_field(pc, STR("slug")));
    assert_true(perm_can_read_field(pc, STR("title")));

    /* bounded: distinct policy lists beyond the cap evict the least recently used */
    for (int i = 0; i < PERM_CACHE_ENTRIES + 5; i++) {
        const char *p[] = {arena_printf(A, "no-such-policy-%d", i)};
        assert_int_equal(perm_cache_rows(A, &e, fx.db, p, 1, &r1), 0);
        assert_int_equal(r1.nrows, 0);
    }
    assert_int_equal(perm_cache_size(), PERM_CACHE_ENTRIES);
}

static void test_enforce_tfa_cached(void **state)
{
    (void)state;
    const char *pol[] = {EDITOR};
    perm_subject_t who = {.policies = pol, .npolicies = 1};
    err_t e = {0};
    bool tfa = true;
    assert_int_equal(perm_enforce_tfa(A, &e, fx.db, &who, &tfa), 0);
    assert_false(tfa);
    db_result_t res;
    assert_int_equal(db_exec(fx.db, A, &e,
                             "UPDATE directus_policies SET enforce_tfa = 1 WHERE id = '" EDITOR "'",
                             NULL, 0, &res),
                     0);
    gen_bump(GEN_PERMISSIONS);
    assert_int_equal(perm_enforce_tfa(A, &e, fx.db, &who, &tfa), 0);
    assert_true(tfa);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admin_field_validation),
        cmocka_unit_test(test_forbidden),
        cmocka_unit_test(test_author_validation_and_presets),
        cmocka_unit_test(test_rows_variables_and_order),
        cmocka_unit_test(test_app_minimal_write_rows),
        cmocka_unit_test(test_cache),
        cmocka_unit_test(test_enforce_tfa_cached),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
