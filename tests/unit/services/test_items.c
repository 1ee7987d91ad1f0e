/*
 * lib/services/items against a copy of the SQLite fixture: answers byte for byte as real
 * Directus 11.3.5 gave them on the same data (conformance corpus, SQLite copy), and the
 * statement bound: a read with k levels of to-many relations runs at most k+1 statements,
 * whatever the number of rows (db_statement_count before and after).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <sqlite3.h>

#include "lib/core/buf.h"
#include "lib/core/json.h"
#include "lib/http/qs.h"
#include "lib/query/query.h"
#include "lib/services/items.h"
#include "lib/sql/plan.h"
#include "tests/unit/sql/fixture.h"

static fixture_t fx;
static arena_t *A;

typedef struct {
    int status;
    const char *body;
    uint64_t statements;
} answer_t;

static answer_t read_as(const char *coll, const char *query, items_shape_t shape, const char *key)
{
    answer_t ans = {200, NULL, 0};
    err_t e = {0};
    query_env_t env = query_env(&fx.conf);
    env.vars.now_ms = 1764115200000;
    struct json_object *raw = json_own(A, qs_parse(query, strlen(query)));
    query_t q;
    buf_t out;
    buf_init(&out, A, 4096);
    const schema_collection_t *c = schema_collection(fx.schema, str_c(coll));
    assert_non_null(c);
    plan_opts_t opts = {.limit_default = 100, .singleton = shape == ITEMS_SINGLETON};
    if (key) {
        opts.by_key = true;
        opts.key = str_c(key);
    }
    uint64_t before = db_statement_count(fx.db);
    plan_t *p;
    if (query_parse(A, &e, &env, raw, true, &q) < 0 ||
        !(p = plan_read(A, &e, fx.schema, c, &q, &opts)) ||
        items_read(A, &e, fx.db, p, shape, &out) < 0) {
        ans.status = err_status(e.code);
        buf_clear(&out);
        err_render(&e, &out);
    }
    ans.statements = db_statement_count(fx.db) - before;
    ans.body = out.p;
    return ans;
}

static void expect(const char *coll, const char *query, items_shape_t shape, const char *key,
                   int status, const char *body)
{
    answer_t a = read_as(coll, query, shape, key);
    if (a.status != status || strcmp(a.body, body) != 0)
        fail_msg("%s?%s:\n got %d %s\nwant %d %s", coll, query, a.status, a.body, status, body);
}

static void test_answers(void **state)
{
    (void)state;
    expect("articles", "fields=id,title,author.name&limit=2", ITEMS_LIST, NULL, 200,
           "{\"data\":[{\"id\":1,\"title\":\"Quiet Deep Dive to JSON #1\",\"author\":{\"name\":"
           "\"Radia Perlman\"}},{\"id\":2,\"title\":\"Quick Story to Mountains #2\",\"author\":"
           "{\"name\":\"Linus Torvalds\"}}]}");
    expect("articles", "fields=id,comments.id,comments.body&deep[comments][_limit]=2&deep[comments]"
                       "[_sort]=-id&filter[id][_in]=1,3",
           ITEMS_LIST, NULL, 200,
           "{\"data\":[{\"id\":1,\"comments\":[{\"id\":4,\"body\":\"Please do a follow-up on this "
           "topic. Thanks, this helped a lot.\"},{\"id\":3,\"body\":\"This is exactly what I needed "
           "today. I tried this and it worked.\"}]},{\"id\":3,\"comments\":[{\"id\":8,\"body\":"
           "\"This is exactly what I needed today. First!\"},{\"id\":7,\"body\":\"I tried this "
           "and it worked. I tried this and it worked.\"}]}]}");
    expect("articles", "aggregate[count]=*&groupBy[]=status", ITEMS_LIST, NULL, 200,
           "{\"data\":[{\"status\":\"archived\",\"count\":63},{\"status\":\"draft\",\"count\":150},"
           "{\"status\":\"published\",\"count\":287}]}");
    expect("articles", "fields=id,published_date,year(published_date),count(comments)&limit=1",
           ITEMS_LIST, NULL, 200,
           "{\"data\":[{\"id\":1,\"published_date\":\"2022-12-13T18:44:37\","
           "\"published_date_year\":2022,\"comments_count\":4}]}");
    expect("articles", "meta=*&limit=1&fields=id&filter[status][_eq]=published", ITEMS_LIST, NULL,
           200, "{\"meta\":{\"total_count\":500,\"filter_count\":287},\"data\":[{\"id\":1}]}");
    expect("articles", "fields=id", ITEMS_ONE, "99999", 403,
           "{\"errors\":[{\"message\":\"You don't have permission to access this.\","
           "\"extensions\":{\"code\":\"FORBIDDEN\"}}]}");
    expect("articles", "fields=id,nope", ITEMS_LIST, NULL, 403,
           "{\"errors\":[{\"message\":\"You don't have permission to access field \\\"nope\\\" in "
           "collection \\\"articles\\\" or it does not exist. Queried in root.\",\"extensions\":"
           "{\"reason\":\"You don't have permission to access field \\\"nope\\\" in collection "
           "\\\"articles\\\" or it does not exist. Queried in root.\",\"code\":\"FORBIDDEN\"}}]}");
    expect("articles", "filter[views][_contains]=5", ITEMS_LIST, NULL, 400,
           "{\"errors\":[{\"message\":\"Invalid query. \\\"integer\\\" field type does not contain "
           "the \\\"_contains\\\" filter operator.\",\"extensions\":{\"reason\":\"\\\"integer\\\" "
           "field type does not contain the \\\"_contains\\\" filter operator\",\"code\":"
           "\"INVALID_QUERY\"}}]}");
    expect("site_settings", "fields=site_name", ITEMS_SINGLETON, NULL, 200,
           "{\"data\":{\"site_name\":\"Anchor Demo Site\"}}");
}

/* k levels of to-many relations: at most k + 1 statements, for one row or for all of them. */
static void test_statement_bound(void **state)
{
    (void)state;
    static const struct {
        const char *coll, *fields;
        uint64_t levels;
    } reads[] = {
        {"articles", "id,title", 0},
        {"articles", "id,author.name,category.title,category.parent.title", 0},
        {"articles", "*,author.name,category.title,category.parent.title", 1}, /* comments, tags */
        {"articles", "id,comments.id", 1},
        {"articles", "*,author.name,category.title,tags.tags_id.name", 1},
        {"articles", "id,comments.article.comments.id", 2},
        {"categories", "id,children.children.children.title", 3},
    };
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
        for (int all = 0; all < 2; all++) {
            char q[256];
            snprintf(q, sizeof q, "fields=%s&limit=%s", reads[i].fields, all ? "-1" : "1");
            answer_t a = read_as(reads[i].coll, q, ITEMS_LIST, NULL);
            assert_int_equal(a.status, 200);
            if (a.statements > reads[i].levels + 1)
                fail_msg("%s?%s: %llu statements for %llu levels", reads[i].coll, q,
                         (unsigned long long)a.statements, (unsigned long long)reads[i].levels);
            if (a.statements != items_last_statements())
                fail_msg("%s?%s: %llu statements, items counted %zu", reads[i].coll, q,
                         (unsigned long long)a.statements, items_last_statements());
        }
        arena_reset(A);
    }
}

static void test_singleton_defaults(void **state)
{
    (void)state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(fx.path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "DELETE FROM site_settings", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    expect("site_settings", "", ITEMS_SINGLETON, NULL, 200,
           "{\"data\":{\"id\":null,\"maintenance\":false}}");
    expect("site_settings", "fields=site_name", ITEMS_SINGLETON, NULL, 200, "{\"data\":{}}");
    expect("site_settings", "meta=*", ITEMS_SINGLETON, NULL, 200,
           "{\"meta\":{\"total_count\":0,\"filter_count\":0},\"data\":{\"id\":null,"
           "\"maintenance\":false}}");
}

static int setup(void **state)
{
    (void)state;
    A = arena_new();
    return fixture_open(&fx);
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
        cmocka_unit_test(test_answers),
        cmocka_unit_test(test_statement_bound),
        cmocka_unit_test(test_singleton_defaults),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
