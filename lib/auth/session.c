/*
 * The local provider's login, refresh and logout, statement by statement in Directus's order
 * (AuthenticationService, LocalAuthDriver). Directus runs these without a transaction, and so
 * does this: each statement stands alone, exactly as two Directus processes would interleave.
 */
#include "lib/auth/session.h"

#include <json-c/json.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "lib/auth/authdb.h"
#include "lib/cache/generation.h"
#include "lib/auth/jwt.h"
#include "lib/auth/password.h"
#include "lib/auth/totp.h"
#include "lib/core/json.h"
#include "lib/core/log.h"

/* The only provider Celer serves: Directus's DEFAULT_AUTH_PROVIDER. */
#define PROVIDER_DEFAULT "default"

/* directus_settings.auth_login_attempts when the settings row does not exist (the column's
 * default in Directus's migrations). */
#define LOGIN_ATTEMPTS_DEFAULT 25

/* nanoid's urlAlphabet. */
static const char nanoid_alphabet[] =
    "useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict";

int session_token_new(char out[SESSION_TOKEN_LEN + 1])
{
    unsigned char raw[SESSION_TOKEN_LEN];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return -1;
    for (int i = 0; i < SESSION_TOKEN_LEN; i++)
        out[i] = nanoid_alphabet[raw[i] & 63];
    out[SESSION_TOKEN_LEN] = '\0';
    return 0;
}

/* ------------------------------------------------------------------ shared steps */

static int64_t ttl_access(const conf_t *c, bool session_mode)
{
    return session_mode ? c->session_cookie_ttl_ms : c->access_token_ttl_ms;
}

/* {id, role, app_access, admin_access[, session]} signed for TTL. */
static const char *sign_access(arena_t *a, const conf_t *conf, const char *user, const char *role,
                               const accountability_t *access, const char *session,
                               const char *share, bool session_mode)
{
    struct json_object *claims = json_own(a, json_object_new_object());
    if (!share)
        json_object_object_add(claims, "id", json_object_new_string(user));
    json_object_object_add(claims, "role", role && !share ? json_object_new_string(role) : NULL);
    json_object_object_add(claims, "app_access", json_object_new_boolean(!share && access->app));
    json_object_object_add(claims, "admin_access",
                           json_object_new_boolean(!share && access->admin));
    /* An undefined session (the row vanished during a concurrent refresh) is left out, as
     * JSON.stringify leaves undefined out. */
    if (session_mode && session)
        json_object_object_add(claims, "session", json_object_new_string(session));
    if (share)
        json_object_object_add(claims, "share", json_object_new_string(share));
    return jwt_hs_sign(a, conf->secret, claims, authdb_now_ms(), ttl_access(conf, session_mode));
}

/* Roles and global access of a user, as the claims need them. */
static int user_access(arena_t *a, err_t *e, db_conn_t *db, const accountability_t *client,
                       const char *user, const char *role, accountability_t *acc)
{
    *acc = (accountability_t){.user = user, .role = role, .ip = client->ip};
    if (accountability_roles(a, e, db, role, &acc->roles, &acc->nroles) < 0)
        return -1;
    return accountability_load_access(acc, a, e, db);
}

static int touch_last_access(arena_t *a, err_t *e, db_conn_t *db, const char *user)
{
    db_value_t p[2] = {authdb_time(a, db, authdb_now_ms()), authdb_cstr(user)};
    return authdb_exec(a, e, db, "UPDATE directus_users SET last_access = ? WHERE id = ?", p, 2,
                       NULL);
}

/* ------------------------------------------------------------------ login */

typedef struct {
    const char *id, *password, *status, *role, *tfa_secret, *provider;
} login_user_t;

/* LocalAuthDriver.getUserID and the user select that follows. 1 found, 0 not, -1 error. */
static int find_user(arena_t *a, err_t *e, db_conn_t *db, str_t email, login_user_t *u)
{
    db_value_t p = authdb_str(email);
    db_result_t r;
    if (authdb_exec(a, e, db, "SELECT id FROM directus_users WHERE LOWER(email) = LOWER(?) LIMIT 1",
                    &p, 1, &r) < 0)
        return -1;
    if (r.nrows == 0)
        return 0;
    p = authdb_cstr(authdb_text(a, db_cell(&r, 0, 0)));
    if (authdb_exec(a, e, db,
                    "SELECT id, password, status, role, tfa_secret, provider "
                    "FROM directus_users WHERE id = ? LIMIT 1",
                    &p, 1, &r) < 0)
        return -1;
    if (r.nrows == 0)
        return 0;
    const char **f[] = {&u->id, &u->password, &u->status, &u->role, &u->tfa_secret, &u->provider};
    for (size_t i = 0; i < 6; i++)
        *f[i] = authdb_text(a, db_cell(&r, 0, i));
    return 1;
}

/* The attempt limiter: 0 to go on, -1 on a database or limiter store error. A user that exhausts
 * it is suspended (in the database; the login itself still goes on, as in Directus). */
static int count_attempt(arena_t *a, err_t *e, db_conn_t *db, ratelimit_t *attempts,
                         const char *user)
{
    db_result_t r;
    if (authdb_exec(a, e, db, "SELECT auth_login_attempts FROM directus_settings LIMIT 1", NULL, 0,
                    &r) < 0)
        return -1;
    const db_value_t *v = db_cell(&r, 0, 0);
    if (v && v->type == DB_NULL)
        return 0; /* null: no limit */
    int64_t allowed = r.nrows ? authdb_int_or(v, LOGIN_ATTEMPTS_DEFAULT) : LOGIN_ATTEMPTS_DEFAULT;
    int rc = ratelimit_login_attempt(attempts, a, user, allowed > INT32_MAX ? INT32_MAX : (int)allowed);
    if (rc < 0)
        return err_service_unavailable(e, a, "authentication", "Rate limiter unreachable");
    if (rc == 0)
        return 0;
    log_warn("login attempts exhausted: user %s suspended", user);
    db_value_t p[2] = {authdb_cstr("suspended"), authdb_cstr(user)};
    if (authdb_exec(a, e, db, "UPDATE directus_users SET status = ? WHERE id = ?", p, 2, NULL) < 0)
        return -1;
    gen_bump(GEN_USERS); /* its static token stops working now, in every worker */
    return 0;
}

/* provider.login + the two-factor check. 0 when the credentials hold, else e is set. */
static int check_credentials(arena_t *a, err_t *e, const login_user_t *u, str_t password, str_t otp)
{
    int ok = u->password ? password_verify(str_c(u->password), password) : 0;
    if (ok < 0) {
        log_error("login: directus_users.password of %s is not an argon2 hash", u->id);
        return err_set(e, a, ERR_INTERNAL_SERVER_ERROR, NULL);
    }
    if (ok == 0)
        return err_set(e, a, ERR_INVALID_CREDENTIALS, NULL);
    if (u->tfa_secret && *u->tfa_secret &&
        (!otp.p || !totp_check(str_c(u->tfa_secret), otp, authdb_now_ms())))
        return err_set(e, a, ERR_INVALID_OTP, NULL);
    return 0;
}

/* The rows a successful login writes: session, expired sessions gone, activity, last_access. */
static int record_login(arena_t *a, err_t *e, db_conn_t *db, const conf_t *conf,
                        const accountability_t *client, const char *user, const char *token)
{
    int64_t now = authdb_now_ms();
    db_value_t s[6] = {authdb_cstr(token),
                       authdb_cstr(user),
                       authdb_time(a, db, now + conf->refresh_token_ttl_ms),
                       authdb_cstr(client->ip),
                       authdb_cstr(client->user_agent),
                       authdb_cstr(client->origin)};
    if (authdb_exec(a, e, db,
                    "INSERT INTO directus_sessions (token, \"user\", expires, ip, user_agent, "
                    "origin) VALUES (?, ?, ?, ?, ?, ?)",
                    s, 6, NULL) < 0)
        return -1;
    db_value_t t = authdb_time(a, db, authdb_now_ms());
    if (authdb_exec(a, e, db, "DELETE FROM directus_sessions WHERE expires < ?", &t, 1, NULL) < 0)
        return -1;
    db_value_t act[8] = {authdb_cstr("login"),        authdb_cstr(user),
                         authdb_cstr(client->ip),     authdb_cstr(client->user_agent),
                         authdb_cstr(client->origin), authdb_cstr("directus_users"),
                         authdb_cstr(user),           authdb_time(a, db, authdb_now_ms())};
    if (authdb_exec(a, e, db,
                    "INSERT INTO directus_activity (action, \"user\", ip, user_agent, origin, "
                    "collection, item, \"timestamp\") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    act, 8, NULL) < 0)
        return -1;
    return touch_last_access(a, e, db, user);
}

static int login_steps(arena_t *a, err_t *e, db_conn_t *db, const conf_t *conf,
                       ratelimit_t *attempts, const accountability_t *client, str_t email,
                       str_t password, str_t otp, bool session_mode, session_tokens_t *out)
{
    login_user_t u;
    int found = find_user(a, e, db, email, &u);
    if (found <= 0)
        return found < 0 ? -1 : err_set(e, a, ERR_INVALID_CREDENTIALS, NULL);
    if (!u.status || strcmp(u.status, "active") != 0 || conf->auth_disable_default || !u.provider ||
        strcmp(u.provider, PROVIDER_DEFAULT) != 0)
        return err_set(e, a, ERR_INVALID_CREDENTIALS, NULL);
    if (count_attempt(a, e, db, attempts, u.id) < 0 ||
        check_credentials(a, e, &u, password, otp) < 0)
        return -1;
    accountability_t acc;
    if (user_access(a, e, db, client, u.id, u.role, &acc) < 0)
        return -1;
    char token[SESSION_TOKEN_LEN + 1];
    if (session_token_new(token) < 0)
        return err_set(e, a, ERR_INTERNAL_SERVER_ERROR, NULL);
    out->access_token = sign_access(a, conf, u.id, u.role, &acc, token, NULL, session_mode);
    out->refresh_token = arena_strdup(a, token);
    out->expires_ms = ttl_access(conf, session_mode);
    out->user = u.id;
    if (record_login(a, e, db, conf, client, u.id, token) < 0)
        return -1;
    ratelimit_login_reset(attempts, a, u.id);
    return 0;
}

int session_login(arena_t *a, err_t *e, db_conn_t *db, const conf_t *conf,
                  ratelimit_t *attempts, const accountability_t *client, str_t email,
                  str_t password, str_t otp, bool session_mode, double start,
                  session_tokens_t *out)
{
    int rc =
        login_steps(a, e, db, conf, attempts, client, email, password, otp, session_mode, out);
    authdb_stall(start, conf->login_stall_time);
    return rc;
}

/* ------------------------------------------------------------------ refresh */

typedef struct {
    const char *next_token, *user, *status, *provider, *role, *share;
} refresh_row_t;

static int find_session(arena_t *a, err_t *e, db_conn_t *db, str_t token, refresh_row_t *s)
{
    db_value_t now = authdb_time(a, db, authdb_now_ms());
    db_value_t p[4] = {authdb_str(token), now, now, now};
    db_result_t r;
    if (authdb_exec(a, e, db,
                    "SELECT s.next_token, u.id, u.status, u.provider, u.role, d.id "
                    "FROM directus_sessions s "
                    "LEFT JOIN directus_users u ON s.\"user\" = u.id "
                    "LEFT JOIN directus_shares d ON s.share = d.id "
                    "WHERE s.token = ? AND s.expires >= ? "
                    "AND (d.date_end IS NULL OR d.date_end >= ?) "
                    "AND (d.date_start IS NULL OR d.date_start <= ?) LIMIT 1",
                    p, 4, &r) < 0)
        return -1;
    if (r.nrows == 0)
        return 0;
    const char **f[] = {&s->next_token, &s->user, &s->status, &s->provider, &s->role, &s->share};
    for (size_t i = 0; i < 6; i++)
        *f[i] = authdb_text(a, db_cell(&r, 0, i));
    return s->user || s->share ? 1 : 0;
}

/* updateStatefulSession: the session-mode rotation with its grace period. Returns the token
 * the new JWT names (NULL when the row vanished meanwhile). */
static int rotate_stateful(arena_t *a, err_t *e, db_conn_t *db, const conf_t *conf,
                           const accountability_t *client, const refresh_row_t *s, str_t old,
                           const char *fresh, int64_t expires, const char **out)
{
    if (s->next_token) {
        db_value_t p[2] = {authdb_time(a, db, expires), authdb_cstr(s->next_token)};
        *out = s->next_token;
        return authdb_exec(a, e, db, "UPDATE directus_sessions SET expires = ? WHERE token = ?", p,
                           2, NULL);
    }
    int64_t grace = authdb_now_ms() + conf->session_refresh_grace_period_ms;
    db_value_t p[3] = {authdb_cstr(fresh), authdb_time(a, db, grace), authdb_str(old)};
    db_result_t r;
    if (authdb_exec(a, e, db,
                    "UPDATE directus_sessions SET next_token = ?, expires = ? "
                    "WHERE token = ? AND next_token IS NULL",
                    p, 3, &r) < 0)
        return -1;
    if (r.affected == 0) {
        /* Another refresh of the same token won the race: use the row it made. */
        db_value_t q = authdb_str(old);
        if (authdb_exec(a, e, db, "SELECT next_token FROM directus_sessions WHERE token = ?", &q, 1,
                        &r) < 0)
            return -1;
        *out = authdb_text(a, db_cell(&r, 0, 0));
        return 0;
    }
    db_value_t ins[7] = {authdb_cstr(fresh),         authdb_cstr(s->user),
                         authdb_cstr(s->share),      authdb_time(a, db, expires),
                         authdb_cstr(client->ip),    authdb_cstr(client->user_agent),
                         authdb_cstr(client->origin)};
    *out = fresh;
    return authdb_exec(a, e, db,
                       "INSERT INTO directus_sessions (token, \"user\", share, expires, ip, "
                       "user_agent, origin) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       ins, 7, NULL);
}

/* A session whose user may not log in any more: the row goes, then the error (stalled). */
static int refuse_inactive(arena_t *a, err_t *e, db_conn_t *db, const conf_t *conf, str_t token,
                           const char *status)
{
    double start = authdb_mono_ms();
    db_value_t p = authdb_str(token);
    if (authdb_exec(a, e, db, "DELETE FROM directus_sessions WHERE token = ?", &p, 1, NULL) < 0)
        return -1;
    gen_bump(GEN_USERS); /* cached session checks end now, in every worker */
    authdb_stall(start, conf->login_stall_time);
    return err_set(e, a,
                   status && strcmp(status, "suspended") == 0 ? ERR_USER_SUSPENDED
                                                              : ERR_INVALID_CREDENTIALS,
                   NULL);
}

static int provider_ok(arena_t *a, err_t *e, const conf_t *conf, const char *provider)
{
    if (!conf->auth_disable_default && provider && strcmp(provider, PROVIDER_DEFAULT) == 0)
        return 0;
    log_error("auth provider \"%s\" is not configured", provider ? provider : "");
    err_set(e, a, ERR_INVALID_PROVIDER_CONFIG, NULL);
    err_ext_str(e, a, "provider", provider ? provider : "");
    return -1;
}

/* The rows a refresh writes after the new tokens exist. */
static int finish_refresh(arena_t *a, err_t *e, db_conn_t *db, const refresh_row_t *s)
{
    if (s->user && touch_last_access(a, e, db, s->user) < 0)
        return -1;
    db_value_t p[2] = {authdb_cstr(s->user ? s->user : s->share),
                       authdb_time(a, db, authdb_now_ms())};
    return authdb_exec(a, e, db,
                       s->user ? "DELETE FROM directus_sessions WHERE \"user\" = ? "
                                 "AND share IS NULL AND expires < ?"
                               : "DELETE FROM directus_sessions WHERE share = ? "
                                 "AND \"user\" IS NULL AND expires < ?",
                       p, 2, NULL);
}

int session_refresh(arena_t *a, err_t *e, db_conn_t *db, const conf_t *conf,
                    const accountability_t *client, str_t token, bool session_mode,
                    session_tokens_t *out)
{
    refresh_row_t s;
    int found = token.n ? find_session(a, e, db, token, &s) : 0;
    if (found <= 0)
        return found < 0 ? -1 : err_set(e, a, ERR_INVALID_CREDENTIALS, NULL);
    if (s.user && (!s.status || strcmp(s.status, "active") != 0))
        return refuse_inactive(a, e, db, conf, token, s.status);
    accountability_t acc;
    if (user_access(a, e, db, client, s.user, s.role, &acc) < 0)
        return -1;
    if (s.user && provider_ok(a, e, conf, s.provider) < 0)
        return -1;
    char fresh[SESSION_TOKEN_LEN + 1];
    if (session_token_new(fresh) < 0)
        return err_set(e, a, ERR_INTERNAL_SERVER_ERROR, NULL);
    const char *next = s.next_token ? s.next_token : fresh;
    int64_t expires =
        authdb_now_ms() + (session_mode ? conf->session_cookie_ttl_ms : conf->refresh_token_ttl_ms);
    if (session_mode) {
        if (rotate_stateful(a, e, db, conf, client, &s, token, fresh, expires, &next) < 0)
            return -1;
    } else {
        db_value_t p[3] = {authdb_cstr(next), authdb_time(a, db, expires), authdb_str(token)};
        if (authdb_exec(a, e, db,
                        "UPDATE directus_sessions SET token = ?, expires = ? WHERE token = ?", p, 3,
                        NULL) < 0)
            return -1;
    }
    out->access_token = sign_access(a, conf, s.user, s.role, &acc, next, s.share, session_mode);
    out->refresh_token = next ? arena_strdup(a, next) : NULL;
    out->expires_ms = ttl_access(conf, session_mode);
    out->user = s.user;
    if (finish_refresh(a, e, db, &s) < 0)
        return -1;
    gen_bump(GEN_USERS); /* the old session token's expiry moved: cached checks go */
    return 0;
}

/* ------------------------------------------------------------------ logout */

int session_logout(arena_t *a, err_t *e, db_conn_t *db, const conf_t *conf, str_t token)
{
    db_value_t p = authdb_str(token);
    db_result_t r;
    if (authdb_exec(a, e, db,
                    "SELECT u.id, u.provider FROM directus_sessions s "
                    "INNER JOIN directus_users u ON s.\"user\" = u.id WHERE s.token = ? LIMIT 1",
                    &p, 1, &r) < 0)
        return -1;
    if (r.nrows == 0)
        return 0;
    if (provider_ok(a, e, conf, authdb_text(a, db_cell(&r, 0, 1))) < 0)
        return -1;
    if (authdb_exec(a, e, db, "DELETE FROM directus_sessions WHERE token = ?", &p, 1, NULL) < 0)
        return -1;
    gen_bump(GEN_USERS); /* the session cookie's JWT ends now, in every worker */
    return 0;
}
