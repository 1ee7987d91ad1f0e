/*
 * lib/services/write against a copy of the SQLite fixture: the statement bound of bulk creates
 * (1,000 items cost what 10 do), a failed batch leaves nothing behind, nested writes link their
 * revisions to the parent's, specials and revision deltas as Directus writes them, and o2m
 * replacement detaches the children that are left out; dates parsed as date-fns parseISO does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "lib/core/json.h"
#include "lib/core/jsonparse.h"
#include "lib/services/write_payload.c"
#include "tests/unit/sql/fixture.h"

static fixture_t fx;
static arena_t *A;
static query_env_t env;
static const write_actor_t actor = {
    .user = "c0000000-0000-4000-8000-00000000a001", .ip = "127.0.0.1", .user_agent = "cmocka"};

static write_t writer(err_t *e)
{
    return (write_t){.a = A,
                     .e = e,
                     .db = fx.db,
                     .s = fx.schema,
                     .actor = &actor,
                     .env = &env,
                     .now_ms = 1764115200123}; /* 2025-11-26T00:00:00.123Z */
}

static struct json_object *js(const char *text)
{
    struct json_object *v;
    assert_int_equal(jsonparse(A, text, strlen(text), 0, 64, &v, NULL), 0);
    return v;
}

static const schema_collection_t *coll(const char *name)
{
    const schema_collection_t *c = schema_collection(fx.schema, str_c(name));
    assert_non_null(c);
    return c;
}

/* The first column of the first row of a query, as text ("" for none / NULL). */
static const char *scalar(const char *sql)
{
    err_t e = {0};
    db_result_t r;
    if (db_exec(fx.db, A, &e, sql, NULL, 0, &r) < 0)
        fail_msg("%s: %s", sql, e.message);
    const db_value_t *v = db_cell(&r, 0, 0);
    if (!v || v->type == DB_NULL)
        return "";
    if (v->type == DB_INT)
        return arena_printf(A, "%lld", (long long)v->i);
    return str_dup(A, v->s);
}

static uint64_t create_tags(const char *prefix, size_t n)
{
    buf_t b;
    buf_init(&b, A, 64 * n);
    buf_putc(&b, '[');
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s{\"name\":\"%s-%zu\"}", i ? "," : "", prefix, i);
    buf_putc(&b, ']');
    err_t e = {0};
    write_t w = writer(&e);
    write_keys_t keys;
    uint64_t before = db_statement_count(fx.db);
    assert_int_equal(db_begin(fx.db, A, &e), 0);
    if (write_create_many(&w, coll("tags"), js(b.p), NULL, &keys) < 0)
        fail_msg("create: %s", e.message);
    assert_int_equal(db_commit(fx.db, A, &e), 0);
    assert_int_equal(keys.n, n);
    return db_statement_count(fx.db) - before;
}

static void test_bulk_statements(void **state)
{
    (void)state;
    uint64_t ten = create_tags("ten", 10);
    uint64_t thousand = create_tags("bulk", 1000);
    assert_true(ten <= 5); /* BEGIN, rows, activity, revisions, COMMIT */
    assert_int_equal(thousand, ten);
    assert_string_equal(scalar("SELECT COUNT(*) FROM tags WHERE name LIKE 'bulk-%'"), "1000");
    assert_string_equal(scalar("SELECT COUNT(*) FROM directus_activity a JOIN tags t ON "
                               "a.item = CAST(t.id AS TEXT) AND a.collection = 'tags' WHERE "
                               "t.name LIKE 'bulk-%' AND a.action = 'create'"),
                        "1000");
    /* Each revision names its own item: the keys came back in VALUES order. */
    assert_string_equal(scalar("SELECT COUNT(*) FROM directus_revisions r JOIN tags t ON "
                               "r.item = CAST(t.id AS TEXT) AND r.collection = 'tags' WHERE "
                               "t.name LIKE 'bulk-%' AND r.data = '{\"name\":\"' || t.name || "
                               "'\"}'"),
                        "1000");
}

static void test_failed_batch_writes_nothing(void **state)
{
    (void)state;
    err_t e = {0};
    write_t w = writer(&e);
    write_keys_t keys;
    assert_int_equal(db_begin(fx.db, A, &e), 0);
    int rc = write_create_many(&w, coll("tags"),
                               js("[{\"name\":\"rb-1\"},{\"name\":\"rb-2\"},{\"name\":\"news\"}]"),
                               NULL, &keys);
    assert_int_equal(rc, -1);
    assert_int_equal(e.code, ERR_RECORD_NOT_UNIQUE);
    err_t ignore = {0};
    db_rollback(fx.db, A, &ignore);
    assert_string_equal(scalar("SELECT COUNT(*) FROM tags WHERE name LIKE 'rb-%'"), "0");
}

static void test_nested_create(void **state)
{
    (void)state;
    err_t e = {0};
    write_t w = writer(&e);
    struct json_object *key;
    assert_int_equal(db_begin(fx.db, A, &e), 0);
    int rc = write_create_one(
        &w, coll("articles"),
        js("{\"title\":\"Nested\",\"published_date\":\"2024-03-10T23:30:00-05:00\","
           "\"category\":{\"title\":\"Nested cat\"},\"comments\":[{\"body\":\"c1\"}],"
           "\"tags\":[{\"tags_id\":{\"name\":\"nested-tag\"}}]}"),
        NULL, &key);
    if (rc < 0)
        fail_msg("%s", e.message);
    assert_int_equal(db_commit(fx.db, A, &e), 0);
    const char *id = write_key_text(A, key);
    /* Specials: the actor and the request's clock (SQLite keeps epoch milliseconds). */
    assert_string_equal(
        scalar(arena_printf(A, "SELECT user_created FROM articles WHERE id = %s", id)), actor.user);
    assert_string_equal(
        scalar(arena_printf(A, "SELECT date_created FROM articles WHERE id = %s", id)),
        "1764115200123");
    /* A dateTime with an offset is stored as the UTC instant. */
    assert_string_equal(
        scalar(arena_printf(A, "SELECT published_date FROM articles WHERE id = %s", id)),
        "1710131400000");
    /* The category, the comment and the junction row have the article's revision as parent; the
     * tag, created by the junction row's m2o, has the junction row's. */
    const char *parent = scalar(arena_printf(
        A, "SELECT id FROM directus_revisions WHERE collection = 'articles' AND item = '%s'", id));
    assert_string_equal(
        scalar(
            arena_printf(A, "SELECT COUNT(*) FROM directus_revisions WHERE parent = %s", parent)),
        "3");
    assert_string_equal(
        scalar(arena_printf(A,
                            "SELECT j.collection FROM directus_revisions t JOIN directus_revisions "
                            "j ON t.parent = j.id WHERE t.collection = 'tags' AND t.data = "
                            "'{\"name\":\"nested-tag\"}' AND j.parent = %s",
                            parent)),
        "articles_tags");
    /* The revision holds the payload as sent, dates as Directus reads them back. */
    assert_string_equal(
        scalar(arena_printf(A, "SELECT delta FROM directus_revisions WHERE id = %s", parent)),
        "{\"title\":\"Nested\",\"published_date\":\"2024-03-11T04:30:00\",\"category\":{"
        "\"title\":\"Nested cat\"},\"comments\":[{\"body\":\"c1\"}],\"tags\":[{\"tags_id\":{"
        "\"name\":\"nested-tag\"}}]}");
}

static void test_update_and_o2m_replace(void **state)
{
    (void)state;
    err_t e = {0};
    write_t w = writer(&e);
    struct json_object *key;
    assert_int_equal(db_begin(fx.db, A, &e), 0);
    assert_int_equal(write_create_one(&w, coll("articles"),
                                      js("{\"title\":\"Replace\",\"comments\":[{\"body\":\"a\"},"
                                         "{\"body\":\"b\"}]}"),
                                      NULL, &key),
                     0);
    write_keys_t one = {.v = &key, .n = 1};
    if (write_update_many(&w, coll("articles"), &one,
                          js("{\"views\":9,\"comments\":[{\"body\":\"c\"}]}"), NULL) < 0)
        fail_msg("%s", e.message);
    assert_int_equal(db_commit(fx.db, A, &e), 0);
    const char *id = write_key_text(A, key);
    /* Left-out children are detached per one_deselect_action; only "c" stays linked. */
    assert_string_equal(
        scalar(arena_printf(A, "SELECT group_concat(body) FROM comments WHERE article = %s", id)),
        "c");
    const char *delta = scalar(arena_printf(
        A,
        "SELECT delta FROM directus_revisions WHERE collection = 'articles' AND item = '%s' "
        "ORDER BY id DESC LIMIT 1",
        id));
    /* The fixture's SQLite date_updated is a dateTime (no cast-timestamp): no zone, no ms. */
    assert_string_equal(delta, "{\"views\":9,\"date_updated\":\"2025-11-26T00:00:00\"}");
}

static void test_keys(void **state)
{
    (void)state;
    const schema_collection_t *c = coll("articles");
    assert_true(write_key_valid(c, js("12")));
    assert_true(write_key_valid(c, js("\"12\"")));
    assert_false(write_key_valid(c, js("\"abc\"")));
    assert_false(write_key_valid(c, js("1.5")));
    assert_string_equal(write_key_text(A, js("12")), "12");
    assert_string_equal(write_key_text(A, js("\"x\"")), "x");
}

static void test_max_batch_mutation(void **state)
{
    (void)state;
    err_t e = {0};
    write_t w = writer(&e);
    w.max_batch = 2;
    write_keys_t keys;
    assert_int_equal(db_begin(fx.db, A, &e), 0);
    int rc = write_create_many(&w, coll("tags"),
                               js("[{\"name\":\"mb-1\"},{\"name\":\"mb-2\"},{\"name\":\"mb-3\"}]"),
                               NULL, &keys);
    err_t ignore = {0};
    db_rollback(fx.db, A, &ignore);
    assert_int_equal(rc, -1);
    assert_int_equal(e.code, ERR_INVALID_PAYLOAD);
    assert_string_equal(e.message, "Invalid payload. Exceeded max batch mutation limit of 2.");
    assert_string_equal(scalar("SELECT COUNT(*) FROM tags WHERE name LIKE 'mb-%'"), "0");
}

/* directus_users.password is hash + conceal: argon2 in the row, masked in the revision, and the
 * uuid key generated. */
static void test_hash_conceal_uuid(void **state)
{
    (void)state;
    err_t e = {0};
    write_t w = writer(&e);
    struct json_object *key;
    assert_int_equal(db_begin(fx.db, A, &e), 0);
    if (write_create_one(&w, coll("directus_users"),
                         js("{\"email\":\"w70-hash@example.com\",\"password\":\"secret\"}"), NULL,
                         &key) < 0)
        fail_msg("%s", e.message);
    assert_int_equal(db_commit(fx.db, A, &e), 0);
    const char *id = write_key_text(A, key);
    assert_int_equal(strlen(id), 36);
    assert_int_equal(id[14], '4');
    const char *hash =
        scalar(arena_printf(A, "SELECT password FROM directus_users WHERE id = '%s'", id));
    assert_true(!strncmp(hash, "$argon2id$", 10));
    assert_int_equal(password_verify(str_c(hash), STR("secret")), 1);
    assert_string_equal(
        scalar(arena_printf(A,
                            "SELECT delta FROM directus_revisions WHERE collection = "
                            "'directus_users' AND item = '%s'",
                            id)),
        "{\"email\":\"w70-hash@example.com\",\"password\":\"**********\"}");
}

/* directus_collections.accountability: "activity" keeps the activity row only, null neither.
 * (A copy of the tags collection with the setting changed: the fixture has every collection on
 * "all".) */
static void test_accountability_setting(void **state)
{
    (void)state;
    static const struct {
        schema_accountability_t acc;
        const char *activity, *revisions;
    } cases[] = {
        {SCHEMA_ACCOUNTABILITY_ACTIVITY, "1", "0"},
        {SCHEMA_ACCOUNTABILITY_NONE, "0", "0"},
    };
    for (size_t i = 0; i < 2; i++) {
        schema_collection_t copy = *coll("tags");
        copy.accountability = cases[i].acc;
        err_t e = {0};
        write_t w = writer(&e);
        struct json_object *key;
        assert_int_equal(db_begin(fx.db, A, &e), 0);
        assert_int_equal(write_create_one(&w, &copy,
                                          js(arena_printf(A, "{\"name\":\"acc-%zu\"}", i)), NULL,
                                          &key),
                         0);
        assert_int_equal(db_commit(fx.db, A, &e), 0);
        const char *id = write_key_text(A, key);
        assert_string_equal(scalar(arena_printf(A,
                                                "SELECT COUNT(*) FROM directus_activity WHERE "
                                                "collection = 'tags' AND item = '%s'",
                                                id)),
                            cases[i].activity);
        assert_string_equal(scalar(arena_printf(A,
                                                "SELECT COUNT(*) FROM directus_revisions WHERE "
                                                "collection = 'tags' AND item = '%s'",
                                                id)),
                            cases[i].revisions);
    }
}

static const char *iso_of(const char *s)
{
    int64_t ms;
    if (!isodate_parse(str_c(s), &ms))
        return "invalid";
    return wr_iso(A, ms);
}

static void test_parse_iso(void **state)
{
    (void)state;
    assert_string_equal(iso_of("2024-03-10T12:34:56+02:00"), "2024-03-10T10:34:56.000Z");
    assert_string_equal(iso_of("2024-03-10T12:34:56.999Z"), "2024-03-10T12:34:56.999Z");
    assert_string_equal(iso_of("2024-03-10T23:30:00-05:00"), "2024-03-11T04:30:00.000Z");
    assert_string_equal(iso_of("2024-03-10T12:34:56"), "2024-03-10T12:34:56.000Z");
    assert_string_equal(iso_of("20240310"), "2024-03-10T00:00:00.000Z");
    assert_string_equal(iso_of("2024-03-10 12:00"), "2024-03-10T12:00:00.000Z");
    assert_string_equal(iso_of("2024-03"), "2024-03-01T00:00:00.000Z");
    assert_string_equal(iso_of("2024-02-29"), "2024-02-29T00:00:00.000Z");
    assert_string_equal(iso_of("2024-03-10T1234+0130"), "2024-03-10T11:04:00.000Z");
    assert_string_equal(iso_of("2024-3-1"), "invalid");
    assert_string_equal(iso_of("2024-02-30"), "invalid");
    assert_string_equal(iso_of("2023-02-29"), "invalid");
    assert_string_equal(iso_of("2024-03-10T25:00"), "invalid");
    assert_string_equal(iso_of("2024-03-10T12:60"), "invalid");
    assert_string_equal(iso_of("yesterday"), "invalid");
    assert_string_equal(iso_of("12:00"), "invalid");
}

static int setup(void **state)
{
    (void)state;
    A = arena_new();
    if (fixture_open(&fx) < 0)
        return -1;
    env = query_env(&fx.conf);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fixture_close(&fx);
    arena_free(A);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bulk_statements),
        cmocka_unit_test(test_failed_batch_writes_nothing),
        cmocka_unit_test(test_nested_create),
        cmocka_unit_test(test_update_and_o2m_replace),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_parse_iso),
        cmocka_unit_test(test_max_batch_mutation),
        cmocka_unit_test(test_hash_conceal_uuid),
        cmocka_unit_test(test_accountability_setting),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
