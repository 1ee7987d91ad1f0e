/*
 * JWT: byte-exact signing against tokens made by node's jsonwebtoken 9.0.2 (the library Directus
 * signs with), verification outcomes and messages as jsonwebtoken.verify() gives them, the
 * isDirectusJWT() shape test, and base64url.
 *
 * The pinned tokens were made once with:
 *   jwt.sign({...claims, iat: 1700000000}, 'celer-unit-test-secret', {expiresIn, issuer})
 * and checked with jwt.verify(t, secret, {issuer: 'directus', clockTimestamp: 1700000100}).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "lib/auth/jwt.h"
#include "lib/core/json.h"

#define SECRET "celer-unit-test-secret"
#define NOW_MS 1700000100000LL /* clockTimestamp 1700000100 */

/* {id:'u1', role:null, app_access:false, admin_access:true, session:'S'x64}, 1d. */
static const char tok_session[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJpZCI6InUxIiwicm9sZSI6bnVsbCwiYXBwX2FjY2VzcyI6ZmFsc2UsImFkbWluX2FjY2VzcyI6dHJ1ZSwic2Vz"
    "c2lvbiI6IlNTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1"
    "NTU1MiLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDA4NjQwMCwiaXNzIjoiZGlyZWN0dXMifQ."
    "wtvqef93Hbdd4wmTUC2Vp4_XwtKE8zXZjUobOAPhT6U";
/* The editor's access token claims, 15m. */
static const char tok_editor[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJpZCI6ImMwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwZTAwMSIsInJvbGUiOiJhMDAwMDAwMC0wMDAw"
    "LTQwMDAtODAwMC0wMDAwMDAwMGUwMDEiLCJhcHBfYWNjZXNzIjp0cnVlLCJhZG1pbl9hY2Nlc3MiOmZhbHNlLCJp"
    "YXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMDkwMCwiaXNzIjoiZGlyZWN0dXMifQ."
    "8Ri2tsodzQX5C1pf2zkdyAIhGi21MY4JEzSB0zoO8UY";
/* HS512, 1h. */
static const char tok_hs512[] =
    "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9."
    "eyJpZCI6InUyIiwicm9sZSI6bnVsbCwiYXBwX2FjY2VzcyI6ZmFsc2UsImFkbWluX2FjY2VzcyI6ZmFsc2UsImlh"
    "dCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAzNjAwLCJpc3MiOiJkaXJlY3R1cyJ9."
    "mnXGmNwaQczoNHVgFrvaK485-64sx6Vd-1GytHPW7FifrhCBbj3dCiR0xzYfSyEc832UGSGS-2yqs8K7N7Pm9g";
/* A password-reset token, 1d. */
static const char tok_reset[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJlbWFpbCI6ImFAZXhhbXBsZS5jb20iLCJzY29wZSI6InBhc3N3b3JkLXJlc2V0IiwiaGFzaCI6IjU5ODRjZmQ1"
    "IiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwODY0MDAsImlzcyI6ImRpcmVjdHVzIn0."
    "IRsCei1h5_8I9sRt0Tbh9wdcfDtXH4weWoqMl9DdPU0";
/* issuer "other". */
static const char tok_other_iss[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJpZCI6IngiLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMCwiaXNzIjoib3RoZXIifQ."
    "SRTNWh-KVThI6ex_Uxg9iG3BE4Kwfx4oPfaTUjLtCb4";
/* notBefore 60 s (nbf 1700000060). */
static const char tok_nbf[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJpZCI6IngiLCJyb2xlIjpudWxsLCJhcHBfYWNjZXNzIjpmYWxzZSwiYWRtaW5fYWNjZXNzIjpmYWxzZSwiaWF0"
    "IjoxNzAwMDAwMDAwLCJuYmYiOjE3MDAwMDAwNjAsImV4cCI6MTcwMDAwMzYwMCwiaXNzIjoiZGlyZWN0dXMifQ."
    "rHuFbk0vSw7yb4NNkAcngpXeYqYDB1bKPGU2QvcaiQk";

static arena_t *a;

static int setup(void **state)
{
    (void)state;
    a = arena_new();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(a);
    return 0;
}

static void test_sign_matches_jsonwebtoken(void **state)
{
    (void)state;
    struct json_object *c = json_own(a, json_object_new_object());
    json_object_object_add(c, "id", json_object_new_string("u1"));
    json_object_object_add(c, "role", NULL);
    json_object_object_add(c, "app_access", json_object_new_boolean(0));
    json_object_object_add(c, "admin_access", json_object_new_boolean(1));
    char s[65];
    memset(s, 'S', 64);
    s[64] = '\0';
    json_object_object_add(c, "session", json_object_new_string(s));
    assert_string_equal(jwt_hs_sign(a, SECRET, c, 1700000000123LL, 86400000), tok_session);

    c = json_own(a, json_object_new_object());
    json_object_object_add(c, "id", json_object_new_string("c0000000-0000-4000-8000-00000000e001"));
    json_object_object_add(c, "role",
                           json_object_new_string("a0000000-0000-4000-8000-00000000e001"));
    json_object_object_add(c, "app_access", json_object_new_boolean(1));
    json_object_object_add(c, "admin_access", json_object_new_boolean(0));
    assert_string_equal(jwt_hs_sign(a, SECRET, c, 1700000000999LL, 15 * 60000), tok_editor);

    c = json_own(a, json_object_new_object());
    json_object_object_add(c, "email", json_object_new_string("a@example.com"));
    json_object_object_add(c, "scope", json_object_new_string("password-reset"));
    json_object_object_add(c, "hash", json_object_new_string("5984cfd5"));
    assert_string_equal(jwt_hs_sign(a, SECRET, c, 1700000000000LL, 86400000), tok_reset);
}

static void test_sign_then_verify(void **state)
{
    (void)state;
    struct json_object *c = json_own(a, json_object_new_object());
    json_object_object_add(c, "id", json_object_new_string("ü-\"quoted\"/x"));
    char *t = jwt_hs_sign(a, "another secret", c, NOW_MS, 1500); /* exp = floor(iat + 1.5) */
    struct json_object *p;
    assert_int_equal(jwt_hs_verify(a, str_c(t), "another secret", NOW_MS, &p, NULL), JWT_OK);
    struct json_object *exp;
    assert_true(json_object_object_get_ex(p, "exp", &exp));
    assert_int_equal(json_object_get_int64(exp), 1700000101);
    assert_int_equal(jwt_hs_verify(a, str_c(t), "another secret", NOW_MS + 1000, &p, NULL),
                     JWT_EXPIRED);
    assert_int_equal(jwt_hs_verify(a, str_c(t), SECRET, NOW_MS, &p, NULL), JWT_INVALID);
}

static const struct {
    const char *token;
    jwt_status_t want;
    const char *msg;
} verify_cases[] = {
    {tok_session, JWT_OK, NULL},
    {tok_editor, JWT_OK, NULL},
    {tok_hs512, JWT_OK, NULL},
    {tok_reset, JWT_OK, NULL},
    {tok_nbf, JWT_OK, NULL},
    {tok_other_iss, JWT_INVALID, "jwt issuer invalid. expected: directus"},
    {"", JWT_INVALID, "jwt must be provided"},
    {"x", JWT_INVALID, "jwt malformed"},
    {"a.b", JWT_INVALID, "jwt malformed"},
    {"a.b.c.d", JWT_INVALID, "jwt malformed"},
    {"a.b.c", JWT_INVALID, "invalid token"},
    {"MA.eyJpc3MiOiJkaXJlY3R1cyJ9.x", JWT_INVALID, "invalid token"}, /* header 0 */
    {"eyJhbGciOiJub25lIn0.eyJpc3MiOiJkaXJlY3R1cyJ9.", JWT_INVALID,   /* alg none */
     "jwt signature is required"},
    {"eyJhbGciOiJub25lIn0.eyJpc3MiOiJkaXJlY3R1cyJ9.eA", JWT_INVALID, "invalid algorithm"},
    {"eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJkaXJlY3R1cyJ9.x", JWT_INVALID, "invalid algorithm"},
    {"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOiJ4In0.x", JWT_INVALID, "invalid signature"},
    {"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.bm90IGpzb24.x", JWT_INVALID,
     "Unexpected token 'o', \"not json\" is not valid JSON"},
    {"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.@@@", JWT_INVALID, "invalid token"},
};

static void test_verify_like_jsonwebtoken(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof verify_cases / sizeof verify_cases[0]; i++) {
        struct json_object *p;
        const char *msg = NULL;
        jwt_status_t st = jwt_hs_verify(a, str_c(verify_cases[i].token), SECRET, NOW_MS, &p, &msg);
        if (st != verify_cases[i].want)
            fail_msg("case %zu (%s): status %d, want %d (%s)", i, verify_cases[i].token, st,
                     verify_cases[i].want, msg ? msg : "-");
        if (verify_cases[i].msg)
            assert_string_equal(msg, verify_cases[i].msg);
    }
}

static void test_expiry_and_not_before(void **state)
{
    (void)state;
    struct json_object *p;
    const char *msg;
    /* exp 1700000900: valid at 899 s, expired at 900 s (clock >= exp). */
    assert_int_equal(jwt_hs_verify(a, str_c(tok_editor), SECRET, 1700000899999LL, &p, &msg),
                     JWT_OK);
    assert_int_equal(jwt_hs_verify(a, str_c(tok_editor), SECRET, 1700000900000LL, &p, &msg),
                     JWT_EXPIRED);
    assert_string_equal(msg, "jwt expired");
    /* nbf 1700000060: not active before it. */
    assert_int_equal(jwt_hs_verify(a, str_c(tok_nbf), SECRET, 1700000059000LL, &p, &msg),
                     JWT_INVALID);
    assert_string_equal(msg, "jwt not active");
}

/* Any change to the signature, even to bits base64url does not carry, is a bad signature
 * (jwa compares the encoded text). */
static void test_forged_and_truncated(void **state)
{
    (void)state;
    char t[sizeof tok_session];
    struct json_object *p;
    const char *msg;
    memcpy(t, tok_session, sizeof t);
    t[sizeof t - 2] = 'V'; /* U→V: same bytes once decoded */
    assert_int_equal(jwt_hs_verify(a, str_c(t), SECRET, NOW_MS, &p, &msg), JWT_INVALID);
    assert_string_equal(msg, "invalid signature");
    for (size_t cut = 1; cut < sizeof tok_session - 1; cut += 7) {
        str_t s = {tok_session, sizeof tok_session - 1 - cut};
        assert_int_not_equal(jwt_hs_verify(a, s, SECRET, NOW_MS, &p, &msg), JWT_OK);
    }
    /* A payload changed under a valid signature. */
    memcpy(t, tok_session, sizeof t);
    t[40] = t[40] == 'A' ? 'B' : 'A';
    assert_int_equal(jwt_hs_verify(a, str_c(t), SECRET, NOW_MS, &p, &msg), JWT_INVALID);
}

static const struct {
    const char *token;
    bool want;
} directus_cases[] = {
    {tok_session, true},
    {tok_other_iss, false},
    {"not-a-real-token", false},
    {"editor-static-token", false},
    {"a.b.c", false},
    {"eyJhbGciOiJub25lIn0.eyJpc3MiOiJkaXJlY3R1cyJ9.", true}, /* shape only, alg none */
    {"MA.eyJpc3MiOiJkaXJlY3R1cyJ9.", false},                 /* header 0 is falsy */
    {"bnVsbA.eyJpc3MiOiJkaXJlY3R1cyJ9.", false},             /* header null */
    {"eyJhIjoxfQ.eyJpc3MiOiJkaXJlY3R1cyJ9.", true},          /* header {"a":1} */
    {"eyJhIjoxfQ.eyJpc3MiOjF9.", false},                     /* iss 1 */
    {"eyJhIjoxfQ.eyJpc3MiOiJkaXJlY3R1cyJ9", false},          /* two parts */
    {"eyJhIjoxfQ.eyJpc3MiOiJkaXJlY3R1cyJ9.a.b", false},
    {"eyJhIjoxfQ..x", false},
    {"eyJhIjoxfQ.eyJpc3MiOiJkaXJlY3R1cyJ9.a=", false},
    {"eyJhIjoxfQ.eyJpc3MiOiJkaXJlY3R1cyJ9.a+", false},
};

static void test_is_directus(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof directus_cases / sizeof directus_cases[0]; i++)
        if (jwt_is_directus(a, str_c(directus_cases[i].token)) != directus_cases[i].want)
            fail_msg("case %zu (%s)", i, directus_cases[i].token);
}

static void test_base64url(void **state)
{
    (void)state;
    assert_string_equal(jwt_b64url_encode(a, "", 0), "");
    assert_string_equal(jwt_b64url_encode(a, "f", 1), "Zg");
    assert_string_equal(jwt_b64url_encode(a, "fo", 2), "Zm8");
    assert_string_equal(jwt_b64url_encode(a, "foo", 3), "Zm9v");
    assert_string_equal(jwt_b64url_encode(a, "\xfb\xff", 2), "-_8");
    size_t n;
    unsigned char *d = jwt_b64url_decode(a, STR("-_8"), &n);
    assert_int_equal(n, 2);
    assert_memory_equal(d, "\xfb\xff", 2);
    d = jwt_b64url_decode(a, STR("+/8="), &n); /* the standard alphabet too */
    assert_int_equal(n, 2);
    assert_memory_equal(d, "\xfb\xff", 2);
    d = jwt_b64url_decode(a, STR("Zm9vY"), &n); /* a lone trailing character makes no byte */
    assert_int_equal(n, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sign_matches_jsonwebtoken, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sign_then_verify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_like_jsonwebtoken, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expiry_and_not_before, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forged_and_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_is_directus, setup, teardown),
        cmocka_unit_test_setup_teardown(test_base64url, setup, teardown),
    };
    return cmocka_run_group_tests_name("auth/jwt", tests, NULL, NULL);
}
