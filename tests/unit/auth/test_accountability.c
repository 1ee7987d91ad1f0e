/*
 * Accountability and sessions against a copy of the shared SQLite fixture (a database real
 * Directus 11.3.5 made): public, static tokens, access JWTs (expired, forged, missing claims,
 * session claim), role chains with parents and cycles, user-attached and public policies, IP
 * allow-lists; then login, refresh rotation, the session-mode grace period and logout.
 * Skipped when ../shared/fixture is not there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "lib/auth/acccache.h"
#include "lib/auth/accountability.h"
#include "lib/auth/authdb.h"
#include "lib/auth/jwt.h"
#include "lib/auth/session.h"
#include "lib/auth/tokencache.h"
#include "lib/cache/generation.h"
#include "lib/core/json.h"

#define FIXTURE SOURCE_ROOT "/../shared/fixture/directus-11.3.5-sqlite.db"
#define SECRET "accountability-test-secret"
#define PUBLIC_POLICY "abf8a154-5b1c-4a46-ac9c-7300570f4f17"
#define EDITOR_ROLE "a0000000-0000-4000-8000-00000000e001"
#define EDITOR_POLICY "b0000000-0000-4000-8000-00000000e001"
#define EDITOR_USER "c0000000-0000-4000-8000-00000000e001"
#define AUTHOR2_USER "c0000000-0000-4000-8000-00000000a002"
#define ADMIN_POLICY "bd891739-0b86-4d8c-9a76-b4417d56c4c3"

typedef struct {
    conf_t conf;
    arena_t *a;
    db_conn_t *db;
    ratelimit_t *attempts; /* the login attempt counter, a table of this test's own */
    err_t e;
    char path[64];
} fx_t;

static int setup(void **state)
{
    if (access(FIXTURE, R_OK) != 0) {
        print_message("no fixture at %s: skipped\n", FIXTURE);
        *state = NULL;
        return 0;
    }
    fx_t *f = calloc(1, sizeof *f);
    snprintf(f->path, sizeof f->path, "/tmp/celer-acc-%d.db", (int)getpid());
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", FIXTURE, f->path);
    assert_int_equal(system(cmd), 0);
    f->conf.db_client = "sqlite3";
    f->conf.db_filename = f->path;
    f->conf.secret = SECRET;
    f->conf.access_token_ttl_ms = 15 * 60000;
    f->conf.refresh_token_ttl_ms = 7LL * 86400000;
    f->conf.session_cookie_ttl_ms = 86400000;
    f->conf.session_refresh_grace_period_ms = 10000;
    f->conf.login_stall_time = 0;
    f->a = arena_new();
    f->db = db_new(&f->conf);
    tokencache_clear();
    acccache_clear();
    f->attempts = ratelimit_new(&f->conf, NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    if (!f)
        return 0;
    db_free(f->db);
    ratelimit_free(f->attempts);
    arena_free(f->a);
    unlink(f->path);
    free(f);
    tokencache_clear();
    acccache_clear();
    return 0;
}

/* A change in SQL behind the cache's back: the accountability cache keeps what it holds
 * (up to GEN_MAX_AGE_MS). */
static void sql_behind(fx_t *f, const char *q)
{
    err_t e = {0};
    if (authdb_exec(f->a, &e, f->db, q, NULL, 0, NULL) < 0)
        fail_msg("%s: %s", q, e.message);
}

/* A change as a write through Celer makes it: committed, then the generations bumped. */
static void sql(fx_t *f, const char *q)
{
    sql_behind(f, q);
    gen_bump(GEN_USERS);
    gen_bump(GEN_PERMISSIONS);
}

static int authenticate(fx_t *f, accountability_t *acc, const char *token, const char *ip)
{
    memset(&f->e, 0, sizeof f->e);
    accountability_init(acc, f->a, ip, STR("agent"), STR_NULL);
    return accountability_authenticate(acc, f->a, &f->e, f->db, &f->conf,
                                       token ? str_c(token) : STR_NULL);
}

static char *sign(fx_t *f, const char *id, const char *role, const char *session, int64_t ttl)
{
    struct json_object *c = json_own(f->a, json_object_new_object());
    if (id)
        json_object_object_add(c, "id", json_object_new_string(id));
    json_object_object_add(c, "role", role ? json_object_new_string(role) : NULL);
    json_object_object_add(c, "app_access", json_object_new_boolean(0));
    json_object_object_add(c, "admin_access", json_object_new_boolean(1)); /* never trusted */
    if (session)
        json_object_object_add(c, "session", json_object_new_string(session));
    return jwt_hs_sign(f->a, SECRET, c, authdb_now_ms(), ttl);
}

#define SKIP_WITHOUT_FIXTURE(f)                                                                    \
    do {                                                                                           \
        if (!(f))                                                                                  \
            skip();                                                                                \
    } while (0)

static void test_public_and_static_tokens(void **state)
{
    fx_t *f = *state;
    SKIP_WITHOUT_FIXTURE(f);
    accountability_t acc;
    assert_int_equal(authenticate(f, &acc, NULL, "127.0.0.1"), 0);
    assert_int_equal(acc.source, ACC_PUBLIC);
    assert_null(acc.user);
    assert_false(acc.policies_loaded); /* the public needs no query until policies are asked */
    assert_int_equal(accountability_policies(&acc, f->a, &f->e, f->db), 0);
    assert_true(acc.policies_loaded);
    assert_int_equal(acc.npolicies, 1);
    assert_string_equal(acc.policies[0], PUBLIC_POLICY);
    assert_false(acc.admin);
    assert_false(acc.app);

    assert_int_equal(authenticate(f, &acc, "editor-static-token", "127.0.0.1"), 0);
    assert_int_equal(acc.source, ACC_STATIC_TOKEN);
    assert_true(acc.policies_loaded);
    assert_string_equal(acc.user, EDITOR_USER);
    assert_string_equal(acc.role, EDITOR_ROLE);
    assert_int_equal(acc.nroles, 1);
    assert_string_equal(acc.roles[0], EDITOR_ROLE);
    assert_int_equal(acc.npolicies, 1);
    assert_string_equal(acc.policies[0], EDITOR_POLICY);
    assert_true(acc.app);
    assert_false(acc.admin);
    assert_string_equal(acc.user_agent, "agent");

    assert_int_equal(authenticate(f, &acc, "admin-static-token", NULL), 0);
    assert_true(acc.admin && acc.app);

    assert_int_equal(authenticate(f, &acc, "no-such-token", NULL), -1);
    assert_int_equal(f->e.code, ERR_INVALID_CREDENTIALS);
    sql(f, "UPDATE directus_users SET status = 'suspended' WHERE token = 'editor-static-token'");
    assert_int_equal(authenticate(f, &acc, "editor-static-token", NULL), -1);
    assert_int_equal(f->e.code, ERR_INVALID_CREDENTIALS);
}

static void test_access_tokens(void **state)
{
    fx_t *f = *state;
    SKIP_WITHOUT_FIXTURE(f);
    accountability_t acc;
    char *t = sign(f, EDITOR_USER, EDITOR_ROLE, NULL, 60000);
    assert_int_equal(authenticate(f, &acc, t, NULL), 0);
    assert_int_equal(acc.source, ACC_JWT);
    assert_string_equal(acc.user, EDITOR_USER);
    assert_false(acc.admin); /* the claim said admin: flags come from policies */
    assert_true(acc.app);
    /* Again: served from the token cache, same answer. */
    assert_int_equal(authenticate(f, &acc, t, NULL), 0);
    assert_string_equal(acc.role, EDITOR_ROLE);

    assert_int_equal(authenticate(f, &acc, sign(f, EDITOR_USER, EDITOR_ROLE, NULL, -1000), NULL),
                     -1);
    assert_int_equal(f->e.code, ERR_TOKEN_EXPIRED);
    char *forged = arena_strdup(f->a, t);
    /* Another base64url character (a flipped bit could leave the alphabet, and a token that is
     * no JWS at all is tried as a static token instead, as Directus does). */
    char *c3 = &forged[strlen(forged) - 3];
    *c3 = *c3 == 'A' ? 'B' : 'A';
    assert_int_equal(authenticate(f, &acc, forged, NULL), -1);
    assert_int_equal(f->e.code, ERR_INVALID_TOKEN);

    /* Signed, but without the claims Directus requires. */
    struct json_object *c = json_own(f->a, json_object_new_object());
    json_object_object_add(c, "id", json_object_new_string(EDITOR_USER));
    assert_int_equal(
        authenticate(f, &acc, jwt_hs_sign(f->a, SECRET, c, authdb_now_ms(), 60000), NULL), -1);
    assert_int_equal(f->e.code, ERR_INVALID_TOKEN);
    /* A JWT of another issuer is tried as a static token. */
    assert_int_equal(
        authenticate(f, &acc, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJvdGhlciJ9.x", NULL),
        -1);
    assert_int_equal(f->e.code, ERR_INVALID_CREDENTIALS);
    assert_int_equal(acc.source, ACC_STATIC_TOKEN);
}

static void test_session_claim(void **state)
{
    fx_t *f = *state;
    SKIP_WITHOUT_FIXTURE(f);
    accountability_t acc;
    char *t = sign(f, EDITOR_USER, EDITOR_ROLE, "the-session", 60000);
    assert_int_equal(authenticate(f, &acc, t, NULL), -1);
    assert_int_equal(f->e.code, ERR_INVALID_CREDENTIALS);
    sql(f, "INSERT INTO directus_sessions (token, user, expires) VALUES ('the-session', "
           "'" EDITOR_USER "', 99999999999999)");
    assert_int_equal(authenticate(f, &acc, t, NULL), 0);
    assert_string_equal(acc.session, "the-session");
    /* A repeat runs no SQL at all: the JWT, the session row and the access are cached. */
    uint64_t n0 = db_statement_count(f->db);
    assert_int_equal(authenticate(f, &acc, t, NULL), 0);
    assert_int_equal(db_statement_count(f->db), n0);
    /* Deleted behind Celer's back: noticed once the entry ages out. */
    sql_behind(f, "DELETE FROM directus_sessions WHERE token = 'the-session'");
    assert_int_equal(authenticate(f, &acc, t, NULL), 0);
    usleep((GEN_MAX_AGE_MS + 50) * 1000);
    assert_int_equal(authenticate(f, &acc, t, NULL), -1);
    assert_int_equal(f->e.code, ERR_INVALID_CREDENTIALS);
    /* A logout through Celer ends it at once, cache or not. */
    sql(f, "INSERT INTO directus_sessions (token, user, expires) VALUES ('the-session', "
           "'" EDITOR_USER "', 99999999999999)");
    assert_int_equal(authenticate(f, &acc, t, NULL), 0);
    memset(&f->e, 0, sizeof f->e);
    f->conf.auth_disable_default = false;
    assert_int_equal(session_logout(f->a, &f->e, f->db, &f->conf, STR("the-session")), 0);
    assert_int_equal(authenticate(f, &acc, t, NULL), -1); /* cached JWT, session checked anyway */
    assert_int_equal(f->e.code, ERR_INVALID_CREDENTIALS);
}

static void test_roles_and_policies(void **state)
{
    fx_t *f = *state;
    SKIP_WITHOUT_FIXTURE(f);
    accountability_t acc;
    /* Editor gets a parent role with its own policy: parents' policies come first. */
    sql(f, "INSERT INTO directus_policies (id, name, icon, app_access, admin_access, enforce_tfa) "
           "VALUES ('p0000000-0000-4000-8000-000000000001', 'Parent', 'x', 0, 0, 0)");
    sql(f, "INSERT INTO directus_roles (id, name, icon) VALUES "
           "('r0000000-0000-4000-8000-000000000001', 'Parent', 'x')");
    sql(f, "UPDATE directus_roles SET parent = 'r0000000-0000-4000-8000-000000000001' "
           "WHERE id = '" EDITOR_ROLE "'");
    sql(f, "INSERT INTO directus_access (id, role, policy, sort) VALUES "
           "('x0000000-0000-4000-8000-000000000001', 'r0000000-0000-4000-8000-000000000001', "
           "'p0000000-0000-4000-8000-000000000001', 1)");
    assert_int_equal(authenticate(f, &acc, "editor-static-token", NULL), 0);
    assert_int_equal(acc.nroles, 2);
    assert_string_equal(acc.roles[0], "r0000000-0000-4000-8000-000000000001");
    assert_string_equal(acc.roles[1], EDITOR_ROLE);
    assert_int_equal(acc.npolicies, 2);
    assert_string_equal(acc.policies[0], "p0000000-0000-4000-8000-000000000001");
    assert_string_equal(acc.policies[1], EDITOR_POLICY);

    /* A policy attached to the user comes last; admin through it counts. */
    sql(f, "INSERT INTO directus_access (id, user, policy) VALUES "
           "('x0000000-0000-4000-8000-000000000002', '" EDITOR_USER "', '" ADMIN_POLICY "')");
    assert_int_equal(authenticate(f, &acc, "editor-static-token", "10.0.0.1"), 0);
    assert_int_equal(acc.npolicies, 3);
    assert_string_equal(acc.policies[2], ADMIN_POLICY);
    assert_true(acc.admin);

    /* IP allow-list: outside it the policy is gone and grants nothing. */
    sql(f,
        "UPDATE directus_policies SET ip_access = '192.168.0.0/16' WHERE id = '" ADMIN_POLICY "'");
    assert_int_equal(authenticate(f, &acc, "editor-static-token", "10.0.0.1"), 0);
    assert_int_equal(acc.npolicies, 2);
    assert_false(acc.admin);
    assert_int_equal(authenticate(f, &acc, "editor-static-token", "192.168.3.4"), 0);
    assert_int_equal(acc.npolicies, 3);
    assert_true(acc.admin);
    /* Unknown IP: left out of the policies, but fetchGlobalAccess does not skip it. */
    assert_int_equal(authenticate(f, &acc, "editor-static-token", NULL), 0);
    assert_int_equal(acc.npolicies, 2);
    assert_true(acc.admin);

    /* A cycle in the role tree is a server error. */
    sql(f, "UPDATE directus_roles SET parent = '" EDITOR_ROLE "' "
           "WHERE id = 'r0000000-0000-4000-8000-000000000001'");
    assert_int_equal(authenticate(f, &acc, "editor-static-token", NULL), -1);
    assert_int_equal(f->e.code, ERR_INTERNAL_SERVER_ERROR);
}

static void test_roleless_user_gets_public_policies(void **state)
{
    fx_t *f = *state;
    SKIP_WITHOUT_FIXTURE(f);
    accountability_t acc;
    sql(f, "UPDATE directus_users SET role = NULL, token = 'a2' WHERE id = '" AUTHOR2_USER "'");
    sql(f, "INSERT INTO directus_access (id, user, policy) VALUES "
           "('x0000000-0000-4000-8000-000000000003', '" AUTHOR2_USER "', '" EDITOR_POLICY "')");
    assert_int_equal(authenticate(f, &acc, "a2", NULL), 0);
    assert_null(acc.role);
    assert_int_equal(acc.nroles, 0);
    /* Both rows have no role, so they keep directus_access.sort order, where the database puts
     * NULL (SQLite first, as Directus on SQLite lists them too). */
    assert_int_equal(acc.npolicies, 2);
    assert_string_equal(acc.policies[0], EDITOR_POLICY);
    assert_string_equal(acc.policies[1], PUBLIC_POLICY);
    assert_true(acc.app); /* from the user's own policy */
}

static void test_login_refresh_logout(void **state)
{
    fx_t *f = *state;
    SKIP_WITHOUT_FIXTURE(f);
    accountability_t client;
    accountability_init(&client, f->a, "127.0.0.1", STR("ua"), STR("http://o"));
    session_tokens_t t, t2, t3;
    err_t e = {0};
    assert_int_equal(session_login(f->a, &e, f->db, &f->conf, f->attempts, &client, STR("EDITOR@example.com"),
                                   STR("editor-password"), STR_NULL, false, authdb_mono_ms(), &t),
                     0);
    assert_int_equal(strlen(t.refresh_token), SESSION_TOKEN_LEN);
    assert_int_equal(t.expires_ms, 900000);
    assert_string_equal(t.user, EDITOR_USER);
    /* Rotation: the old token is dead, the new one works. */
    assert_int_equal(
        session_refresh(f->a, &e, f->db, &f->conf, &client, str_c(t.refresh_token), false, &t2), 0);
    assert_string_not_equal(t2.refresh_token, t.refresh_token);
    assert_int_equal(
        session_refresh(f->a, &e, f->db, &f->conf, &client, str_c(t.refresh_token), false, &t3),
        -1);
    assert_int_equal(e.code, ERR_INVALID_CREDENTIALS);
    e = (err_t){0};
    /* Session mode: within the grace period both refreshes get the same next token. */
    assert_int_equal(
        session_refresh(f->a, &e, f->db, &f->conf, &client, str_c(t2.refresh_token), true, &t3), 0);
    session_tokens_t t4;
    assert_int_equal(
        session_refresh(f->a, &e, f->db, &f->conf, &client, str_c(t2.refresh_token), true, &t4), 0);
    assert_string_equal(t3.refresh_token, t4.refresh_token);
    assert_int_equal(t3.expires_ms, 86400000);
    /* Logout ends it for good. */
    assert_int_equal(session_logout(f->a, &e, f->db, &f->conf, str_c(t3.refresh_token)), 0);
    assert_int_equal(
        session_refresh(f->a, &e, f->db, &f->conf, &client, str_c(t3.refresh_token), false, &t4),
        -1);
    assert_int_equal(e.code, ERR_INVALID_CREDENTIALS);
    e = (err_t){0};
    assert_int_equal(session_login(f->a, &e, f->db, &f->conf, f->attempts, &client, STR("editor@example.com"),
                                   STR("wrong"), STR_NULL, false, authdb_mono_ms(), &t),
                     -1);
    assert_int_equal(e.code, ERR_INVALID_CREDENTIALS);
}

static void test_login_attempts_suspend(void **state)
{
    fx_t *f = *state;
    SKIP_WITHOUT_FIXTURE(f);
    accountability_t client;
    accountability_init(&client, f->a, "127.0.0.1", STR_NULL, STR_NULL);
    sql(f, "INSERT INTO directus_settings (id, auth_login_attempts) VALUES (1, 3)");
    session_tokens_t t;
    for (int i = 0; i < 3; i++) {
        err_t e = {0};
        assert_int_equal(session_login(f->a, &e, f->db, &f->conf, f->attempts, &client,
                                       STR("author@example.com"), STR("wrong"), STR_NULL, false,
                                       authdb_mono_ms(), &t),
                         -1);
    }
    accountability_t acc;
    assert_int_equal(authenticate(f, &acc, NULL, NULL), 0); /* still fine: 3 of 3 used */
    err_t e = {0};
    /* The fourth attempt exceeds the limit: the user is suspended. */
    session_login(f->a, &e, f->db, &f->conf, f->attempts, &client, STR("author@example.com"), STR("wrong"),
                  STR_NULL, false, authdb_mono_ms(), &t);
    db_result_t r;
    assert_int_equal(
        authdb_exec(f->a, &e, f->db,
                    "SELECT status FROM directus_users WHERE email = 'author@example.com'", NULL, 0,
                    &r),
        0);
    assert_string_equal(authdb_text(f->a, db_cell(&r, 0, 0)), "suspended");
}

/* A repeat caller is served from the accountability cache without one statement; the IP is
 * judged per request on the cached rows; changes made behind the cache's back show within
 * GEN_MAX_AGE_MS, and a bump shows them at once. */
static void test_cache_hits_run_no_sql(void **state)
{
    fx_t *f = *state;
    SKIP_WITHOUT_FIXTURE(f);
    accountability_t acc;
    sql(f, "INSERT INTO directus_access (id, user, policy) VALUES "
           "('x0000000-0000-4000-8000-000000000004', '" EDITOR_USER "', '" ADMIN_POLICY "')");
    sql(f,
        "UPDATE directus_policies SET ip_access = '192.168.0.0/16' WHERE id = '" ADMIN_POLICY "'");
    assert_int_equal(authenticate(f, &acc, "editor-static-token", "10.0.0.1"), 0);
    assert_false(acc.admin);
    assert_int_equal(acc.npolicies, 1);
    uint64_t n0 = db_statement_count(f->db);
    assert_int_equal(authenticate(f, &acc, "editor-static-token", "192.168.1.1"), 0);
    assert_true(acc.admin); /* the same cached rows, another IP, another verdict */
    assert_int_equal(acc.npolicies, 2);
    assert_int_equal(authenticate(f, &acc, "editor-static-token", "10.0.0.1"), 0);
    assert_false(acc.admin);
    assert_string_equal(acc.user, EDITOR_USER);
    assert_string_equal(acc.roles[0], EDITOR_ROLE);
    assert_int_equal(db_statement_count(f->db), n0);

    /* The public: one miss, then hits. */
    assert_int_equal(authenticate(f, &acc, NULL, "10.0.0.1"), 0);
    assert_int_equal(accountability_policies(&acc, f->a, &f->e, f->db), 0);
    n0 = db_statement_count(f->db);
    assert_int_equal(authenticate(f, &acc, NULL, "10.0.0.1"), 0);
    assert_int_equal(accountability_policies(&acc, f->a, &f->e, f->db), 0);
    assert_string_equal(acc.policies[0], PUBLIC_POLICY);
    assert_int_equal(db_statement_count(f->db), n0);

    /* A JWT user shares the (user, role) entry a static token filled. */
    char *jwt = sign(f, EDITOR_USER, EDITOR_ROLE, NULL, 60000);
    assert_int_equal(authenticate(f, &acc, jwt, "10.0.0.1"), 0);
    assert_int_equal(acc.npolicies, 1);
    assert_int_equal(db_statement_count(f->db), n0);

    /* Suspended in SQL: still cached, until the entry ages out. */
    sql_behind(f, "UPDATE directus_users SET status = 'suspended' "
                  "WHERE token = 'editor-static-token'");
    assert_int_equal(authenticate(f, &acc, "editor-static-token", NULL), 0);
    usleep((GEN_MAX_AGE_MS + 50) * 1000);
    assert_int_equal(authenticate(f, &acc, "editor-static-token", NULL), -1);
    assert_int_equal(f->e.code, ERR_INVALID_CREDENTIALS);

    /* A bump is seen at once: the admin token loses its policy. */
    assert_int_equal(authenticate(f, &acc, "admin-static-token", NULL), 0);
    assert_true(acc.admin);
    sql(f, "DELETE FROM directus_access WHERE policy = '" ADMIN_POLICY "'");
    assert_int_equal(authenticate(f, &acc, "admin-static-token", NULL), 0);
    assert_false(acc.admin);
    assert_int_equal(acc.npolicies, 0);
}

static void test_cache_is_bounded(void **state)
{
    fx_t *f = *state;
    SKIP_WITHOUT_FIXTURE(f);
    acccache_access_t v = {0};
    for (int i = 0; i < ACCCACHE_SLOTS * 4; i++) {
        char user[32];
        snprintf(user, sizeof user, "u%d", i);
        acccache_access_put(f->a, gen_get(GEN_PERMISSIONS), user, NULL, &v);
        acccache_token_put(f->a, gen_get(GEN_USERS), str_c(user), user, NULL);
    }
    assert_true(acccache_size() <= ACCCACHE_SLOTS);
    /* The key is compared whole: a token with a NUL is not another token's prefix. */
    acccache_token_put(f->a, gen_get(GEN_USERS), (str_t){"ab\0c", 4}, "x", "r");
    const char *user, *role;
    assert_false(acccache_token_get(f->a, (str_t){"ab", 2}, &user, &role));
    assert_true(acccache_token_get(f->a, (str_t){"ab\0c", 4}, &user, &role));
    assert_string_equal(user, "x");
    assert_string_equal(role, "r");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_public_and_static_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_access_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_claim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roles_and_policies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roleless_user_gets_public_policies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_refresh_logout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_attempts_suspend, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_hits_run_no_sql, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_is_bounded, setup, teardown),
    };
    return cmocka_run_group_tests_name("auth/accountability", tests, NULL, NULL);
}
