/*
 * lib/query: sanitizeQuery + validateQuery over qs-parsed query strings, table-driven against
 * the answers Directus 11.3.5 gives (messages byte for byte), then hostile input: deep nesting,
 * huge lists, NUL and unicode, SQL text in every parameter — always an envelope or a parsed
 * query, within bounded time and memory, never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/arena.h"
#include "lib/core/buf.h"
#include "lib/core/json.h"
#include "lib/http/qs.h"
#include "lib/query/jsval.h"
#include "lib/query/query.h"

static arena_t *A;

static query_env_t env(void)
{
    query_env_t e = {.limit_default = 100, .limit_max = CONF_UNLIMITED, .max_relational_depth = 10};
    e.vars.now_ms = 1764115200000; /* 2025-11-26T00:00:00Z */
    e.vars.user = "u-1";
    e.vars.role = "r-1";
    return e;
}

/* Parses s as a URL query; returns the error message or NULL. */
static const char *parse_env(const char *s, size_t n, const query_env_t *e, query_t *q)
{
    err_t err = {0};
    struct json_object *raw = json_own(A, qs_parse(s, n));
    if (query_parse(A, &err, e, raw, true, q) < 0)
        return err.message ? err.message : "?";
    return NULL;
}

static const char *parse(const char *s, query_t *q)
{
    query_env_t e = env();
    return parse_env(s, strlen(s), &e, q);
}

typedef struct {
    const char *query;
    const char *error; /* NULL: accepted */
} qcase_t;

/* Answers of Directus 11.3.5 (spec §6.11, validate-query.ts, parse-filter.ts). */
static const qcase_t cases[] = {
    {"limit=abc", "Invalid query. \"limit\" must be a number."},
    {"limit=2abc", "Invalid query. \"limit\" must be a number."},
    {"limit=1.5", "Invalid query. \"limit\" must be an integer."},
    {"limit=-2", "Invalid query. \"limit\" must be greater than or equal to -1."},
    {"limit=-1", NULL},
    {"limit=", NULL},
    {"limit=0x10", NULL},
    {"limit=1e1", NULL},
    {"limit=+3", NULL},
    {"limit=1000000000000", NULL},
    {"limit=1e20", "Invalid query. \"limit\" must be a safe number."},
    {"limit=Infinity", "Invalid query. \"limit\" cannot be infinity."},
    {"offset=-1", "Invalid query. \"offset\" must be greater than or equal to 0."},
    {"offset=x", "Invalid query. \"offset\" must be a number."},
    {"page=1.5", "Invalid query. \"page\" must be an integer."},
    {"page=-3", "Invalid query. \"page\" must be greater than or equal to 0."},
    {"meta=bogus", "Invalid query. \"meta[0]\" must be one of [total_count, filter_count]."},
    {"meta=total_count,bogus", "Invalid query. \"meta[1]\" must be one of [total_count, filter_count]."},
    {"meta=*", NULL},
    {"meta[]=filter_count", NULL},
    {"export=pdf", "Invalid query. \"export\" must be one of [csv, json, xml, yaml]."},
    {"export=csv", NULL},
    {"filter={\"status\":", "Invalid query. Invalid JSON for filter object."},
    {"filter=abc", "Invalid query. Invalid JSON for filter object."},
    {"filter=null", "Invalid query. \"filter\" must be of type object."},
    {"filter[_and][a]=1", "Invalid query. Invalid filter object."},
    {"filter[title][_eq]=", "Invalid query. You can't filter for an empty string in \"_eq\". Use "
                            "\"_empty\" or \"_nempty\" instead."},
    {"filter[title][_in]=", NULL},
    {"filter={\"id\":{\"_in\":[]}}", "Invalid query. \"_in\" has to be an array of values."},
    {"filter[title][_null]=1", "Invalid query. \"_null\" has to be a boolean."},
    {"filter[title][_null]=true", NULL},
    {"filter={\"id\":{\"_eq\":[1]}}",
     "Invalid query. The filter value for \"_eq\" has to be a string, number, or boolean."},
    {"filter={\"id\":{\"_eq\":9007199254740993}}",
     "Invalid query. The filter value for \"_eq\" is not a valid number."},
    {"filter={\"published\":{\"_lt\":\"$NOW(bogus)\"}}",
     "Invalid query. The filter value for \"_lt\" has to be a string, number, or boolean."},
    {"filter={\"r\":{\"_eq\":\"$CURRENT_ROLES\"}}", NULL}, /* no roles: null */
    {"filter[title][_foo]=x", NULL},                      /* refused once the type is known */
    {"alias=abc", "Invalid query. \"alias\" has to be an object."},
    {"alias[a.b]=title", "Invalid query. \"alias\" key/value can't contain a period character `.`."},
    {"alias[a]=x.y", "Invalid query. \"alias\" key/value can't contain a period character `.`."},
    {"alias[a]=title", NULL},
    {"fields=a.b.c.d.e.f.g.h.i.j.k", "Invalid query. Max relational depth exceeded."},
    {"fields=a.b.c.d.e.f.g.h.i.j", NULL},
    {"sort=a.b.c.d.e.f.g.h.i.j.k", "Invalid query. Max relational depth exceeded."},
    {"deep[a][b][c][d][e][f][g][h][i][j][k][_limit]=1", NULL}, /* qs stops at depth 10 */
    {"fields[0][a]=1", "Invalid query. \"fields[0]\" must be a string."},
    {"meta[a]=b", "Invalid query. \"meta\" must be an array."},
    /* sanitizeAggregate throws on a string (seen on real Directus: 500 with the TypeError) */
    {"aggregate=abc", "Cannot assign to read only property '0' of string 'abc'"},
    {"aggregate=5", "Invalid query. \"aggregate\" must be of type object."},
    {"aggregate[count]=*", NULL},
    {"deep[comments][_limit]=abc", NULL},
    {"deep[comments][_filter]=x", "Invalid query. Invalid JSON for filter object."},
    /* Joi's key order: limit's error before meta's, fields' before limit's. */
    {"meta=x&limit=abc", "Invalid query. \"limit\" must be a number."},
    {"limit=abc&fields[0][a]=1", "Invalid query. \"fields[0]\" must be a string."},
    /* validateFilter and alias run before Joi's error is thrown. */
    {"limit=abc&filter[a][_eq]=", "Invalid query. You can't filter for an empty string in "
                                  "\"_eq\". Use \"_empty\" or \"_nempty\" instead."},
    {"limit=abc&alias=x", "Invalid query. \"alias\" has to be an object."},
};

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        query_t q;
        const char *got = parse(cases[i].query, &q);
        if ((got == NULL) != (cases[i].error == NULL) ||
            (got && strcmp(got, cases[i].error) != 0))
            fail_msg("%s: got %s, want %s", cases[i].query, got ? got : "(ok)",
                     cases[i].error ? cases[i].error : "(ok)");
        arena_reset(A);
    }
}

static void test_shapes(void **state)
{
    (void)state;
    query_t q;
    assert_null(parse("fields[]=id,title&fields[]= slug &sort=-a, b&limit=5&page=2&offset=3", &q));
    assert_int_equal(q.fields.n, 3);
    assert_true(str_eq_c(q.fields.v[2], "slug"));
    assert_int_equal(q.sort.n, 2);
    assert_true(str_eq_c(q.sort.v[1], "b"));
    assert_true(q.has_limit && q.limit == 5 && q.page == 2 && q.offset == 3);

    assert_null(parse("", &q)); /* fields defaults to * on the URL */
    assert_true(q.has_fields && q.fields.n == 1 && str_eq_c(q.fields.v[0], "*"));
    assert_false(q.has_limit);

    assert_null(parse("meta=filter_count,total_count", &q));
    assert_int_equal(q.nmeta, 2);
    assert_int_equal(q.meta[0], QUERY_META_FILTER_COUNT);

    assert_null(parse("aggregate[count]=*&aggregate[sum]=a,b&aggregate[median]=x&groupBy=s", &q));
    assert_int_equal(q.naggregate, 3);
    assert_int_equal(q.aggregate[1].op, QUERY_AGG_SUM);
    assert_int_equal(q.aggregate[1].fields.n, 2);
    assert_int_equal(q.aggregate[2].op, QUERY_AGG_UNKNOWN);
    assert_true(q.has_group && q.group.n == 1);

    /* filter shorthand, several keys = _and, _or under a field hoisted */
    assert_null(parse("filter[status]=published&filter[a][_or][0][x][_eq]=1&filter[a][_or][1][y]"
                      "[_eq]=2",
                      &q));
    assert_non_null(q.filter);
    assert_int_equal(q.filter->kind, QF_AND);
    assert_int_equal(q.filter->nkids, 2);
    assert_int_equal(q.filter->kids[0]->kind, QF_FIELD);
    assert_int_equal(q.filter->kids[0]->child->op, QOP_EQ);
    assert_int_equal(q.filter->kids[1]->kind, QF_OR);

    /* values: true/false/null strings, lists from comma strings, $NOW offsets */
    assert_null(parse("filter[a][_in]=1,true,null&filter[b][_gte]=$NOW(-1 day)", &q));
    const qfilter_t *in = q.filter->kids[0]->child;
    assert_int_equal(in->val.kind, QV_LIST);
    assert_int_equal(in->val.n, 3);
    assert_int_equal(in->val.items[1].kind, QV_BOOL);
    assert_int_equal(in->val.items[2].kind, QV_NULL);
    const qfilter_t *now = q.filter->kids[1]->child;
    assert_int_equal(now->val.kind, QV_DATE);
    assert_int_equal(now->val.ms, 1764115200000 - 86400000);

    /* $CURRENT_USER / $CURRENT_ROLE, and .field forms are null in request filters (11.3.5) */
    assert_null(parse("filter[a][_eq]=$CURRENT_USER&filter[b][_eq]=$CURRENT_USER.id", &q));
    assert_int_equal(q.filter->kids[0]->child->val.kind, QV_STRING);
    assert_int_equal(q.filter->kids[1]->child->val.kind, QV_NULL);

    /* deep: "_" keys become the sub-query of their path */
    assert_null(parse("deep[comments][_limit]=2&deep[comments][_sort]=-id&deep[tags][tags_id]"
                      "[_filter][name][_eq]=x",
                      &q));
    const query_deep_t *c = query_deep_get(q.deep, STR("comments"));
    assert_non_null(c);
    assert_true(c->q->has_limit && c->q->limit == 2);
    const query_deep_t *t = query_deep_get(query_deep_get(q.deep, STR("tags")), STR("tags_id"));
    assert_non_null(t);
    assert_non_null(t->q->filter);
}

static void test_now_offsets(void **state)
{
    (void)state;
    static const struct {
        const char *expr;
        int64_t delta; /* from 2025-11-26T00:00:00Z */
    } tests[] = {
        {"$NOW", 0},
        {"$NOW(-7)", -7 * 86400000LL},
        {"$NOW(%2B2 hours)", 2 * 3600000LL},
        {"$NOW(+2 hours)", 0}, /* "+" is a space in a URL: no offset, no date */
        {"$NOW(-1 year)", -365 * 86400000LL},
        {"$NOW(1 month)", 30 * 86400000LL},
        {"$NOW(-90 minutes)", -90 * 60000LL},
        {"$NOW(1.5h)", 90 * 60000LL},
        {"$NOW(-2w)", -14 * 86400000LL},
        {"$NOW(500ms)", 500},
    };
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        query_t q;
        char s[128];
        snprintf(s, sizeof s, "filter[d][_gt]=%s", tests[i].expr);
        const char *err = parse(s, &q);
        if (strcmp(tests[i].expr, "$NOW(+2 hours)") == 0) {
            assert_non_null(err); /* adjustDate fails: the value is undefined */
            arena_reset(A);
            continue;
        }
        assert_null(err);
        const qval_t *v = &q.filter->child->val;
        assert_int_equal(v->kind, QV_DATE);
        if (v->ms != 1764115200000 + tests[i].delta)
            fail_msg("%s: %lld", tests[i].expr, (long long)(v->ms - 1764115200000));
        arena_reset(A);
    }
}

static void test_limits_env(void **state)
{
    (void)state;
    query_env_t e = env();
    e.limit_max = 50;
    query_t q;
    assert_null(parse_env("", 0, &e, &q));
    assert_true(q.has_limit && q.limit == 50);
    assert_null(parse_env("limit=-1", 8, &e, &q));
    assert_true(q.limit == 50);
    assert_string_equal(parse_env("limit=51", 8, &e, &q),
                        "Invalid query. \"limit\" must be less than or equal to 50.");
}

/* ---- hostile input -------------------------------------------------------------------------- */

static void test_deep_nesting(void **state)
{
    (void)state;
    query_t q;
    /* 100-level nested fields: refused by the relational depth, not by recursion. */
    buf_t b;
    buf_init(&b, A, 1024);
    buf_puts(&b, "fields=");
    for (int i = 0; i < 100; i++)
        buf_puts(&b, i ? ".a" : "a");
    assert_string_equal(parse(b.p, &q), "Invalid query. Max relational depth exceeded.");
    /* 100-level nested filter objects in JSON. */
    buf_clear(&b);
    buf_puts(&b, "filter=");
    for (int i = 0; i < 100; i++)
        buf_puts(&b, "{\"a\":");
    buf_puts(&b, "1");
    for (int i = 0; i < 100; i++)
        buf_putc(&b, '}');
    assert_string_equal(parse(b.p, &q), "Invalid query. Max relational depth exceeded.");
    /* 5000 nested _and: refused, no stack exhaustion. */
    buf_clear(&b);
    buf_puts(&b, "filter=");
    for (int i = 0; i < 5000; i++)
        buf_puts(&b, "{\"_and\":[");
    buf_puts(&b, "{}");
    for (int i = 0; i < 5000; i++)
        buf_puts(&b, "]}");
    assert_non_null(parse(b.p, &q));
}

static void test_huge_lists(void **state)
{
    (void)state;
    query_t q;
    buf_t b;
    buf_init(&b, A, 1 << 20);
    buf_puts(&b, "filter[id][_in]=");
    for (int i = 0; i < 100000; i++)
        buf_printf(&b, i ? ",%d" : "%d", i);
    assert_null(parse(b.p, &q));
    assert_int_equal(q.filter->child->val.n, 100000);
    buf_clear(&b);
    buf_puts(&b, "sort=");
    for (int i = 0; i < 500; i++)
        buf_printf(&b, i ? ",-f%d" : "f%d", i);
    assert_null(parse(b.p, &q));
    assert_int_equal(q.sort.n, 500);
}

static void test_nul_unicode_sql(void **state)
{
    (void)state;
    query_t q;
    const char nul[] = "filter[title][_eq]=a%00b&search=%F0%9F%98%80%00";
    query_env_t e = env();
    assert_null(parse_env(nul, sizeof nul - 1, &e, &q));
    assert_int_equal(q.filter->child->val.s.n, 3);
    assert_int_equal(q.search.n, 5);
    static const char *const sql[] = {
        "fields=id;DROP TABLE x",        "sort=id);--",
        "filter[title][_eq]=' OR 1=1 --", "filter[\"x\"][_eq]=1",
        "limit=1;SELECT 1",              "search='); DELETE FROM articles; --",
        "aggregate[count]=*) FROM x;--", "groupBy=a`b",
        "deep[c][_sort]=x\"y",           "alias[a]=b'c",
    };
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        parse(sql[i], &q); /* either way: the text is data, never SQL (see the golden tests) */
        arena_reset(A);
    }
}

static void test_jsval(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        double v;
    } nums[] = {{"", 0},       {" 12 ", 12},  {"0x10", 16}, {"0b101", 5}, {"0o17", 15},
                {"1e3", 1000}, {".5", 0.5},   {"5.", 5},    {"-0", -0.0}, {"+3", 3},
                {"\t7\n", 7}, {"Infinity", INFINITY}};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        if (jsval_str_number(str_c(nums[i].s)) != nums[i].v)
            fail_msg("Number(%s)", nums[i].s);
    static const char *const nans[] = {"abc", "1_000", "-0x10", "0x", "1e", "nan", "inf", "1 2"};
    for (size_t i = 0; i < sizeof nans / sizeof nans[0]; i++)
        assert_true(isnan(jsval_str_number(str_c(nans[i]))));
    assert_true(jsval_date_parse(STR("2024-03-10")) == 1710028800000.0);
    assert_true(jsval_date_parse(STR("2024-03-10T01:02:03.5+01:00")) == 1710028923500.0);
    assert_true(isnan(jsval_date_parse(STR("2024-3-1"))));
    str_t low = jsval_lower(A, STR("ÀÉÎ ΣΑ Жx"));
    assert_true(str_eq_c(low, "àéî σα жx"));
}

static int setup(void **state)
{
    (void)state;
    A = arena_new();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(A);
    return 0;
}


/* The value of the only operator of filter text parsed in e (a permission rule's context). */
static qval_t rule_value(const char *filter, const qfilter_env_t *e)
{
    err_t err = {0};
    qfilter_t *f = NULL;
    assert_int_equal(qfilter_parse(A, &err, e, json_own(A, json_tokener_parse(filter)), 64, &f), 0);
    while (f->kind != QF_OP)
        f = f->kind == QF_AND ? f->kids[0] : f->child;
    return f->val;
}

/* $CURRENT_*.<path> in permission rules read the fetched records as @directus/utils get does:
 * through arrays it picks the key out of every entry, keeps the truthy values and flattens one
 * level; a "key:collection" segment reads key; a path that leads nowhere is null. */
static void test_context_paths(void **state)
{
    (void)state;
    static const char *const policies[] = {"p-1", "p-2"};
    qfilter_env_t e = {.user = "u-1", .role = "r-1", .policies = policies, .npolicies = 2};
    e.user_ctx = json_own(A, json_tokener_parse(
        "{\"email\":\"a@b.c\",\"role\":{\"name\":\"Editor\",\"users\":[{\"id\":1},{\"id\":0},{\"id\":3}]},"
        "\"items\":[{\"item\":{\"tags\":[\"x\",\"y\"]}},{\"item\":{\"tags\":[\"z\"]}}]}"));
    e.roles_ctx = json_own(A, json_tokener_parse(
        "[{\"name\":\"Editor\",\"parent\":null},{\"name\":\"\",\"parent\":{\"name\":\"Root\"}}]"));
    e.policies_ctx = json_own(A, json_tokener_parse("[{\"id\":\"p-1\",\"name\":\"A\"},{\"id\":\"p-2\"}]"));

    qval_t v = rule_value("{\"a\":{\"_eq\":\"$CURRENT_USER.role.name\"}}", &e);
    assert_int_equal(v.kind, QV_STRING);
    assert_true(str_eq_c(v.s, "Editor"));
    v = rule_value("{\"a\":{\"_in\":\"$CURRENT_USER.role.users.id\"}}", &e);
    assert_int_equal(v.kind, QV_LIST); /* 0 is falsy: dropped */
    assert_int_equal(v.n, 2);
    assert_true(v.items[0].num == 1 && v.items[1].num == 3);
    v = rule_value("{\"a\":{\"_in\":\"$CURRENT_USER.items.item:articles.tags\"}}", &e);
    assert_int_equal(v.n, 3); /* arrays of arrays flatten one level */
    assert_true(str_eq_c(v.items[2].s, "z"));
    v = rule_value("{\"a\":{\"_eq\":\"$CURRENT_USER.role.users.0.id\"}}", &e);
    assert_int_equal(v.kind, QV_NULL); /* no index access through arrays */

    v = rule_value("{\"a\":{\"_in\":\"$CURRENT_ROLES.name\"}}", &e);
    assert_int_equal(v.kind, QV_LIST);
    assert_int_equal(v.n, 1); /* "" is falsy */
    v = rule_value("{\"a\":{\"_in\":\"$CURRENT_ROLES.parent.name\"}}", &e);
    assert_int_equal(v.n, 1);
    assert_true(str_eq_c(v.items[0].s, "Root"));
    v = rule_value("{\"a\":{\"_in\":\"$CURRENT_POLICIES.name\"}}", &e);
    assert_int_equal(v.n, 1);
    v = rule_value("{\"a\":{\"_in\":\"$CURRENT_POLICIES\"}}", &e);
    assert_int_equal(v.n, 2);
    v = rule_value("{\"a\":{\"_eq\":\"$CURRENT_ROLES.nothing\"}}", &e);
    assert_int_equal(v.kind, QV_NULL);
    e.policies_ctx = NULL; /* not fetched: the .path forms are null */
    v = rule_value("{\"a\":{\"_eq\":\"$CURRENT_POLICIES.name\"}}", &e);
    assert_int_equal(v.kind, QV_NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),          cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_now_offsets),    cmocka_unit_test(test_limits_env),
        cmocka_unit_test(test_deep_nesting),   cmocka_unit_test(test_huge_lists),
        cmocka_unit_test(test_nul_unicode_sql), cmocka_unit_test(test_jsval),
        cmocka_unit_test(test_context_paths),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
