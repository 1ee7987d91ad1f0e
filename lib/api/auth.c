/*
 * The HTTP half of authentication, after Directus's controllers/auth.ts, auth/drivers/local.ts
 * and middleware/{extract-token,authenticate}.ts: where a token comes from, which mode a
 * refresh runs in, the Joi messages of the login body, the cookies, and the response shapes.
 */
#include "lib/api/auth.h"

#include <json-c/json.h>
#include <string.h>

#include "lib/api/respond.h"
#include "lib/auth/authdb.h"
#include "lib/auth/cookie.h"
#include "lib/auth/email.h"
#include "lib/auth/jwt.h"
#include "lib/auth/reset.h"
#include "lib/auth/session.h"
#include "lib/core/json.h"

/* ------------------------------------------------------------------ helpers */

void auth_set_cookie(ctx_t *ctx, const char *value)
{
    const char **list = arena_alloc(ctx->arena, (ctx->nset_cookies + 1) * sizeof *list);
    if (ctx->nset_cookies)
        memcpy(list, ctx->set_cookies, ctx->nset_cookies * sizeof *list);
    list[ctx->nset_cookies++] = arena_strdup(ctx->arena, value);
    ctx->set_cookies = list;
}

static cookie_opts_t refresh_cookie(const conf_t *c)
{
    return (cookie_opts_t){c->refresh_token_ttl_ms, c->refresh_token_cookie_domain, true,
                           c->refresh_token_cookie_secure, c->refresh_token_cookie_same_site};
}

static cookie_opts_t session_cookie(const conf_t *c)
{
    return (cookie_opts_t){c->session_cookie_ttl_ms, c->session_cookie_domain, true,
                           c->session_cookie_secure, c->session_cookie_same_site};
}

/* A header value as the JavaScript string Node makes of it: every byte one character (latin1),
 * so bytes from 0x80 up become two-byte UTF-8. Without this a stray byte would reach the
 * database as invalid UTF-8 (PostgreSQL refuses it) where Directus compares or stores "ÿ". */
static str_t header_text(ctx_t *ctx, const char *name)
{
    str_t v = request_header(ctx->req, name);
    size_t high = 0;
    for (size_t i = 0; i < v.n; i++)
        high += (unsigned char)v.p[i] >= 0x80;
    if (!high)
        return v;
    char *d = arena_alloc(ctx->arena, v.n + high + 1);
    size_t o = 0;
    for (size_t i = 0; i < v.n; i++) {
        unsigned char c = (unsigned char)v.p[i];
        if (c < 0x80) {
            d[o++] = (char)c;
        } else {
            d[o++] = (char)(0xc0 | c >> 6);
            d[o++] = (char)(0x80 | (c & 0x3f));
        }
    }
    d[o] = '\0';
    return (str_t){d, o};
}

static str_t request_cookie(ctx_t *ctx, const char *name)
{
    return cookie_get(ctx->arena, header_text(ctx, "cookie"), name);
}

static struct json_object *body_get(ctx_t *ctx, const char *key)
{
    struct json_object *v = NULL;
    if (json_object_is_type(ctx->body, json_type_object))
        json_object_object_get_ex(ctx->body, key, &v);
    return v;
}

static str_t json_text(struct json_object *v)
{
    return (str_t){json_object_get_string(v), (size_t)json_object_get_string_len(v)};
}

static bool is_string(struct json_object *v)
{
    return v && json_object_is_type(v, json_type_string);
}

/* ------------------------------------------------------------------ middlewares */

int auth_extract_token(ctx_t *ctx)
{
    ctx->token = STR_NULL;
    struct json_object *q = NULL;
    bool have = false;
    if (json_object_object_get_ex(ctx->query, "access_token", &q) && json_truthy(q)) {
        have = true;
        if (is_string(q))
            ctx->token = json_text(q);
        else
            ctx->token_unusable = true;
    }
    str_t auth = header_text(ctx, "authorization");
    if (auth.p) {
        /* authorization.split(' '): exactly two parts, the first "bearer" in any case. */
        long sp = str_index(auth, ' ');
        str_t scheme = sp >= 0 ? (str_t){auth.p, (size_t)sp} : auth;
        str_t rest = sp >= 0 ? (str_t){auth.p + sp + 1, auth.n - (size_t)sp - 1} : STR_NULL;
        if (sp >= 0 && str_index(rest, ' ') < 0 && str_ieq_c(scheme, "bearer")) {
            if (have)
                return err_invalid_payload(
                    &ctx->err, ctx->arena,
                    "The request uses more than one method for including an access token");
            ctx->token = rest;
            ctx->token_unusable = false;
            have = true;
        }
    }
    str_t cookie = request_cookie(ctx, ctx->conf->session_cookie_name);
    if (!have && cookie.p && cookie.n)
        ctx->token = cookie;
    return 0;
}

int auth_authenticate(ctx_t *ctx)
{
    request_t *req = ctx->req;
    str_t ip = request_client_ip(req, ctx->conf->ip_trust_proxy, ctx->conf->ip_custom_header);
    accountability_init(&ctx->acc, ctx->arena, ip.p && ip.n ? str_dup(ctx->arena, ip) : NULL,
                        header_text(ctx, "user-agent"), header_text(ctx, "origin"));
    int rc;
    if (ctx->token_unusable)
        rc = err_set(&ctx->err, ctx->arena, ERR_INVALID_CREDENTIALS, NULL);
    else
        rc = accountability_authenticate(&ctx->acc, ctx->arena, &ctx->err, ctx->db, ctx->conf,
                                         ctx->token);
    if (rc < 0 &&
        (ctx->err.code == ERR_INVALID_CREDENTIALS || ctx->err.code == ERR_INVALID_TOKEN)) {
        /* A session cookie that led nowhere is cleared, so the browser stops sending it. */
        str_t cookie = request_cookie(ctx, ctx->conf->session_cookie_name);
        if (cookie.p && ctx->token.p && str_eq(cookie, ctx->token)) {
            cookie_opts_t o = session_cookie(ctx->conf);
            auth_set_cookie(
                ctx, cookie_clear(ctx->arena, ctx->conf->session_cookie_name, &o, authdb_now_ms()));
        }
    }
    return rc;
}

/* ------------------------------------------------------------------ GET /auth */

int auth_providers(ctx_t *ctx)
{
    struct json_object *payload = json_own(ctx->arena, json_object_new_object());
    json_object_object_add(payload, "data", json_object_new_array());
    json_object_object_add(payload, "disableDefault",
                           json_object_new_boolean(ctx->conf->auth_disable_default));
    return respond_json(ctx, payload);
}

/* ------------------------------------------------------------------ responses */

static void add_str(struct json_object *o, const char *key, const char *v)
{
    json_object_object_add(o, key, v ? json_object_new_string(v) : NULL);
}

typedef enum { MODE_JSON, MODE_COOKIE, MODE_SESSION, MODE_OTHER } token_mode_t;

/* {expires[, refresh_token][, access_token]} and the mode's cookie. */
static int respond_tokens(ctx_t *ctx, token_mode_t mode, const session_tokens_t *t)
{
    struct json_object *payload = json_own(ctx->arena, json_object_new_object());
    struct json_object *data = json_object_new_object();
    json_object_object_add(data, "expires", json_object_new_int64(t->expires_ms));
    int64_t now = authdb_now_ms();
    if (mode == MODE_JSON) {
        add_str(data, "refresh_token", t->refresh_token);
        add_str(data, "access_token", t->access_token);
    } else if (mode == MODE_COOKIE) {
        cookie_opts_t o = refresh_cookie(ctx->conf);
        auth_set_cookie(ctx,
                        cookie_serialize(ctx->arena, ctx->conf->refresh_token_cookie_name,
                                         str_c(t->refresh_token ? t->refresh_token : ""), &o, now));
        add_str(data, "access_token", t->access_token);
    } else if (mode == MODE_SESSION) {
        cookie_opts_t o = session_cookie(ctx->conf);
        auth_set_cookie(ctx, cookie_serialize(ctx->arena, ctx->conf->session_cookie_name,
                                              str_c(t->access_token), &o, now));
    }
    json_object_object_add(payload, "data", data);
    return respond_json(ctx, payload);
}

/* ------------------------------------------------------------------ POST /auth/login */

/* Joi's first complaint about one string key of the login schema, or NULL. */
static const char *joi_string(ctx_t *ctx, const char *key, bool required, bool email)
{
    struct json_object *v = NULL;
    bool present = json_object_object_get_ex(ctx->body, key, &v);
    if (!present)
        return required ? arena_printf(ctx->arena, "\"%s\" is required", key) : NULL;
    if (!is_string(v))
        return arena_printf(ctx->arena, "\"%s\" must be a string", key);
    if (json_object_get_string_len(v) == 0)
        return arena_printf(ctx->arena, "\"%s\" is not allowed to be empty", key);
    if (email && !email_is_valid(ctx->arena, json_text(v)))
        return arena_printf(ctx->arena, "\"%s\" must be a valid email", key);
    return NULL;
}

/* userLoginSchema: {email: string.email.required, password: string.required, mode: valid
 * cookie|json|session, otp: string}, unknown keys allowed, first error only. */
static const char *login_body_error(ctx_t *ctx)
{
    if (!json_object_is_type(ctx->body, json_type_object))
        return "\"value\" must be of type object";
    const char *why;
    if ((why = joi_string(ctx, "email", true, true)) ||
        (why = joi_string(ctx, "password", true, false)))
        return why;
    struct json_object *mode;
    if (json_object_object_get_ex(ctx->body, "mode", &mode)) {
        const char *m = is_string(mode) ? json_object_get_string(mode) : NULL;
        if (!m || (strcmp(m, "cookie") && strcmp(m, "json") && strcmp(m, "session")))
            return "\"mode\" must be one of [cookie, json, session]";
    }
    return joi_string(ctx, "otp", false, false);
}

static token_mode_t mode_of(struct json_object *v)
{
    const char *m = is_string(v) ? json_object_get_string(v) : "";
    return !strcmp(m, "json")      ? MODE_JSON
           : !strcmp(m, "cookie")  ? MODE_COOKIE
           : !strcmp(m, "session") ? MODE_SESSION
                                   : MODE_OTHER;
}

int auth_login(ctx_t *ctx)
{
    double start = authdb_mono_ms();
    if (ctx->conf->auth_disable_default) {
        err_set(&ctx->err, ctx->arena, ERR_ROUTE_NOT_FOUND, "Route %.*s doesn't exist.",
                (int)ctx->req->path.n, ctx->req->path.p);
        err_ext_str(&ctx->err, ctx->arena, "path", str_dup(ctx->arena, ctx->req->path));
        return -1;
    }
    const char *why = login_body_error(ctx);
    if (why) {
        authdb_stall(start, ctx->conf->login_stall_time);
        return err_invalid_payload(&ctx->err, ctx->arena, why);
    }
    struct json_object *mode = body_get(ctx, "mode");
    token_mode_t m = mode ? mode_of(mode) : MODE_JSON;
    struct json_object *otp = body_get(ctx, "otp");
    session_tokens_t t;
    if (session_login(ctx->arena, &ctx->err, ctx->db, ctx->conf, ctx->ratelimit, &ctx->acc,
                      json_text(body_get(ctx, "email")), json_text(body_get(ctx, "password")),
                      otp ? json_text(otp) : STR_NULL, m == MODE_SESSION, start, &t) < 0)
        return -1;
    return respond_tokens(ctx, m, &t);
}

/* ------------------------------------------------------------------ refresh and logout */

/* getCurrentMode: body.mode when truthy, else json when body.refresh_token is truthy, else
 * cookie. */
static token_mode_t current_mode(ctx_t *ctx)
{
    struct json_object *mode = body_get(ctx, "mode");
    if (json_truthy(mode))
        return mode_of(mode);
    return json_truthy(body_get(ctx, "refresh_token")) ? MODE_JSON : MODE_COOKIE;
}

/* getCurrentRefreshToken. 0 with *token (STR_NULL: none), or -1 when the session cookie holds
 * a Directus JWT that does not verify (its error is the answer). */
static int current_refresh_token(ctx_t *ctx, token_mode_t mode, str_t *token)
{
    *token = STR_NULL;
    if (mode == MODE_JSON) {
        struct json_object *v = body_get(ctx, "refresh_token");
        if (json_truthy(v))
            *token = is_string(v) ? json_text(v) : STR(" "); /* never a session token */
    } else if (mode == MODE_COOKIE) {
        str_t c = request_cookie(ctx, ctx->conf->refresh_token_cookie_name);
        if (c.p && c.n)
            *token = c;
    } else if (mode == MODE_SESSION) {
        str_t c = request_cookie(ctx, ctx->conf->session_cookie_name);
        if (!c.p || !c.n || !jwt_is_directus(ctx->arena, c))
            return 0;
        struct json_object *payload, *s;
        jwt_status_t st =
            jwt_hs_verify(ctx->arena, c, ctx->conf->secret, authdb_now_ms(), &payload, NULL);
        if (st == JWT_EXPIRED)
            return err_set(&ctx->err, ctx->arena, ERR_TOKEN_EXPIRED, NULL);
        if (st != JWT_OK || !json_object_is_type(payload, json_type_object) ||
            !json_object_object_get_ex(payload, "role", NULL) ||
            !json_object_object_get_ex(payload, "app_access", NULL) ||
            !json_object_object_get_ex(payload, "admin_access", NULL))
            return err_set(&ctx->err, ctx->arena, ERR_INVALID_TOKEN, NULL);
        if (json_object_object_get_ex(payload, "session", &s) && json_truthy(s))
            *token = is_string(s) ? json_text(s) : STR(" ");
    }
    return 0;
}

static int refresh_token_or_fail(ctx_t *ctx, token_mode_t mode, str_t *token)
{
    if (current_refresh_token(ctx, mode, token) < 0)
        return -1;
    if (!token->p)
        return err_invalid_payload(&ctx->err, ctx->arena,
                                   "The refresh token is required in either the payload or cookie");
    return 0;
}

int auth_refresh(ctx_t *ctx)
{
    token_mode_t mode = current_mode(ctx);
    str_t token;
    if (refresh_token_or_fail(ctx, mode, &token) < 0)
        return -1;
    session_tokens_t t;
    if (session_refresh(ctx->arena, &ctx->err, ctx->db, ctx->conf, &ctx->acc, token,
                        mode == MODE_SESSION, &t) < 0)
        return -1;
    return respond_tokens(ctx, mode, &t);
}

int auth_logout(ctx_t *ctx)
{
    token_mode_t mode = current_mode(ctx);
    str_t token;
    if (refresh_token_or_fail(ctx, mode, &token) < 0)
        return -1;
    if (session_logout(ctx->arena, &ctx->err, ctx->db, ctx->conf, token) < 0)
        return -1;
    int64_t now = authdb_now_ms();
    str_t rc = request_cookie(ctx, ctx->conf->refresh_token_cookie_name);
    if (rc.p && rc.n) {
        cookie_opts_t o = refresh_cookie(ctx->conf);
        auth_set_cookie(ctx,
                        cookie_clear(ctx->arena, ctx->conf->refresh_token_cookie_name, &o, now));
    }
    str_t sc = request_cookie(ctx, ctx->conf->session_cookie_name);
    if (sc.p && sc.n) {
        cookie_opts_t o = session_cookie(ctx->conf);
        auth_set_cookie(ctx, cookie_clear(ctx->arena, ctx->conf->session_cookie_name, &o, now));
    }
    return respond_no_content(ctx);
}

/* ------------------------------------------------------------------ password reset */

int auth_password_request(ctx_t *ctx)
{
    struct json_object *email = body_get(ctx, "email");
    if (!is_string(email))
        return err_invalid_payload(&ctx->err, ctx->arena, "\"email\" field is required");
    struct json_object *url = body_get(ctx, "reset_url");
    if (reset_request(ctx->arena, &ctx->err, ctx->db, ctx->conf, json_text(email),
                      json_truthy(url) ? url : NULL) < 0)
        return -1;
    return respond_no_content(ctx);
}

int auth_password_reset(ctx_t *ctx)
{
    struct json_object *token = body_get(ctx, "token"), *password = body_get(ctx, "password");
    if (!is_string(token))
        return err_invalid_payload(&ctx->err, ctx->arena, "\"token\" field is required");
    if (!is_string(password))
        return err_invalid_payload(&ctx->err, ctx->arena, "\"password\" field is required");
    if (reset_password(ctx->arena, &ctx->err, ctx->db, ctx->conf, &ctx->acc, json_text(token),
                       json_text(password)) < 0)
        return -1;
    return respond_no_content(ctx);
}
