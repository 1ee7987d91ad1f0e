/*
 * lib/perm: merging read permission rows as Directus 11.3.5 does — rows with the same rule
 * deduplicated, field lists unioned, the row rule an OR of the rules (none when one row has no
 * condition), and the per-row field rule (Directus's CASE WHEN cases) for two overlapping
 * policies; dynamic variables resolved in the rules; the app access minimal rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "lib/core/arena.h"
#include "lib/perm/perm.h"

static arena_t *A;

static qfilter_env_t env(void)
{
    static const char *const roles[] = {"r-parent", "r-1"};
    return (qfilter_env_t){
        .user = "u-1", .role = "r-1", .roles = roles, .nroles = 2, .now_ms = 1764115200000};
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

static void add(perm_set_t *ps, const char *coll, const char *fields, const char *rule)
{
    err_t e = {0};
    qfilter_env_t v = env();
    assert_int_equal(perm_set_add(A, &e, ps, &v, coll, fields ? str_c(fields) : STR_NULL,
                                  rule ? str_c(rule) : STR_NULL),
                     0);
}

/* The value a FIELD → _eq leaf compares with. */
static const qval_t *eq_value(const qfilter_t *f, const char *field)
{
    while (f && f->kind == QF_AND && f->nkids == 1)
        f = f->kids[0];
    assert_non_null(f);
    assert_int_equal(f->kind, QF_FIELD);
    assert_true(str_eq_c(f->key, field));
    const qfilter_t *op = f->child;
    while (op && op->kind == QF_AND && op->nkids == 1)
        op = op->kids[0];
    assert_non_null(op);
    assert_int_equal(op->kind, QF_OP);
    return &op->val;
}

#define PUBLISHED "{\"status\":{\"_eq\":\"published\"}}"
#define OWN "{\"user_created\":{\"_eq\":\"$CURRENT_USER\"}}"

/* Policy A: published articles, fields id,title,status. Policy B: own articles, id,body.
 * On a row both cover, every field shows; on a published row of someone else, body is null; on
 * an own draft, title and status are null (see 50_perms for the same over HTTP).
 * A third row repeats A's rule with slug: merged into A's. */
static void test_two_overlapping_policies(void **state)
{
    (void)state;
    perm_set_t ps = {0};
    add(&ps, "articles", "id,title,status", PUBLISHED);
    add(&ps, "articles", "id,body", OWN);
    add(&ps, "articles", "slug, title", PUBLISHED);
    const perm_coll_t *pc = perm_coll(&ps, STR("articles"));
    assert_non_null(pc);
    assert_null(perm_coll(&ps, STR("comments")));
    assert_int_equal(pc->nrules, 2);
    assert_int_equal(pc->rules[0].nfields, 4); /* id,title,status,slug */

    /* allow-list: the union */
    assert_true(perm_can_read_field(pc, STR("body")));
    assert_true(perm_can_read_field(pc, STR("slug")));
    assert_false(perm_can_read_field(pc, STR("views")));
    assert_false(perm_all_fields(pc));
    str_t *fields;
    assert_int_equal(perm_fields(A, pc, &fields), 5);
    assert_true(str_eq_c(fields[4], "body"));

    /* rows: published OR own */
    qfilter_t *rows = perm_row_rule(A, pc);
    assert_non_null(rows);
    assert_int_equal(rows->kind, QF_OR);
    assert_int_equal(rows->nkids, 2);

    /* per-row field rule: title only where published, body only where own, id on both */
    bool denied;
    assert_ptr_equal(perm_field_rule(A, pc, STR("title"), &denied), pc->rules[0].rule);
    assert_false(denied);
    assert_ptr_equal(perm_field_rule(A, pc, STR("body"), &denied), pc->rules[1].rule);
    /* id is granted by both rows: the row rule already implies it, no mask */
    assert_null(perm_field_rule(A, pc, STR("id"), &denied));
    assert_false(denied);
    assert_null(perm_field_rule(A, pc, STR("views"), &denied));
    assert_true(denied);

    /* $CURRENT_USER resolved into the rule */
    const qval_t *v = eq_value(pc->rules[1].rule, "user_created");
    assert_int_equal(v->kind, QV_STRING);
    assert_true(str_eq_c(v->s, "u-1"));
}

/* A row without a condition makes every row visible and its fields never masked; the other
 * fields stay per row. `{}` counts as no condition. */
static void test_unconditional_row(void **state)
{
    (void)state;
    perm_set_t ps = {0};
    add(&ps, "articles", "id,title", PUBLISHED);
    add(&ps, "articles", "title", "{}");
    add(&ps, "articles", "views", NULL);
    const perm_coll_t *pc = perm_coll(&ps, STR("articles"));
    assert_int_equal(pc->nrules, 2); /* {} and null merged */
    assert_null(perm_row_rule(A, pc));
    bool denied;
    assert_null(perm_field_rule(A, pc, STR("title"), &denied));
    assert_false(denied);
    assert_ptr_equal(perm_field_rule(A, pc, STR("id"), &denied), pc->rules[0].rule);
    assert_null(perm_field_rule(A, pc, STR("views"), &denied));
    assert_false(denied);
}

static void test_star_and_variables(void **state)
{
    (void)state;
    perm_set_t ps = {0};
    add(&ps, "tags", "*", NULL);
    add(&ps, "roles_like", "*", "{\"id\":{\"_in\":\"$CURRENT_ROLES\"}}");
    const perm_coll_t *tags = perm_coll(&ps, STR("tags"));
    assert_true(perm_all_fields(tags));
    assert_true(perm_can_read_field(tags, STR("anything")));
    const qval_t *v = eq_value(perm_coll(&ps, STR("roles_like"))->rules[0].rule, "id");
    assert_int_equal(v->kind, QV_LIST);
    assert_int_equal(v->n, 2);
    assert_true(str_eq_c(v->items[1].s, "r-1"));
}

static void test_app_minimal(void **state)
{
    (void)state;
    perm_set_t ps = {0};
    qfilter_env_t v = env();
    perm_set_add_app_minimal(A, &ps, &v);
    const perm_coll_t *users = perm_coll(&ps, STR("directus_users"));
    assert_non_null(users);
    assert_true(perm_can_read_field(users, STR("password")));
    assert_true(perm_can_read_field(users, STR("role")));
    assert_false(perm_can_read_field(users, STR("token")));
    assert_true(str_eq_c(eq_value(perm_row_rule(A, users), "id")->s, "u-1"));
    assert_true(perm_all_fields(perm_coll(&ps, STR("directus_fields"))));
    assert_null(perm_row_rule(A, perm_coll(&ps, STR("directus_collections"))));
    assert_null(perm_coll(&ps, STR("directus_access")));
}

static void test_bad_rule(void **state)
{
    (void)state;
    perm_set_t ps = {0};
    err_t e = {0};
    qfilter_env_t v = env();
    assert_int_equal(perm_set_add(A, &e, &ps, &v, "x", STR("*"), STR("{not json")), -1);
    assert_int_equal(e.code, ERR_INTERNAL_SERVER_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_two_overlapping_policies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unconditional_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_star_and_variables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_app_minimal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_rule, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
