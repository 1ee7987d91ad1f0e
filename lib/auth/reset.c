/*
 * Password reset: the request (find the user, check the link target, sign, mail), the reset
 * (verify, policy, store), and the two URL helpers Directus applies to links: isUrlAllowed (WHATWG
 * origin + pathname) and its Url class (which rebuilds a URL from parts). The URL handling
 * covers what these links are made of (http(s) URLs, PUBLIC_URL, relative paths); it is not a
 * general WHATWG parser.
 */
#include "lib/auth/reset.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/auth/authdb.h"
#include "lib/auth/jsregex.h"
#include "lib/auth/jwt.h"
#include "lib/auth/mail.h"
#include "lib/auth/password.h"
#include "lib/core/buf.h"
#include "lib/core/json.h"
#include "lib/core/log.h"
#include "lib/core/str.h"

#define RESET_TOKEN_TTL_MS (24LL * 3600 * 1000) /* expiresIn: '1d' */

/* ------------------------------------------------------------------ simple hash */

void reset_simple_hash(str_t s, char out[16])
{
    uint32_t h = 0;
    for (size_t i = 0; i < s.n;) {
        /* UTF-16 code units of the UTF-8 text (stored hashes are ASCII anyway). */
        unsigned char c = (unsigned char)s.p[i];
        uint32_t cp = c;
        size_t len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        if (len > 1 && i + len <= s.n) {
            cp = c & (0xff >> (len + 1));
            for (size_t k = 1; k < len; k++)
                cp = cp << 6 | ((unsigned char)s.p[i + k] & 0x3f);
        } else {
            len = 1;
        }
        i += len;
        if (cp >= 0x10000) {
            h = 31 * h + (0xd800 + ((cp - 0x10000) >> 10));
            h = 31 * h + (0xdc00 + ((cp - 0x10000) & 0x3ff));
        } else {
            h = 31 * h + cp;
        }
    }
    int32_t v = (int32_t)h;
    uint32_t mag = v < 0 ? (uint32_t)0 - (uint32_t)v : (uint32_t)v;
    snprintf(out, 16, "%x", mag);
}

/* ------------------------------------------------------------------ URLs */

typedef struct {
    str_t scheme; /* without ':'; empty for a relative reference */
    bool authority;
    str_t host, port, path, query, fragment;
    bool has_query, has_fragment;
} url_t;

static bool scheme_char(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (!first && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
}

static void url_parse(str_t s, url_t *u)
{
    memset(u, 0, sizeof *u);
    size_t i = 0;
    while (i < s.n && scheme_char(s.p[i], i == 0))
        i++;
    if (i > 0 && i < s.n && s.p[i] == ':') {
        u->scheme = (str_t){s.p, i};
        i++;
    } else {
        i = 0;
    }
    if (i + 1 < s.n && s.p[i] == '/' && s.p[i + 1] == '/') {
        u->authority = true;
        size_t start = i += 2;
        while (i < s.n && !strchr("/?#", s.p[i]))
            i++;
        str_t auth = {s.p + start, i - start};
        const char *at = memrchr(auth.p, '@', auth.n);
        if (at)
            auth = (str_t){at + 1, auth.n - (size_t)(at + 1 - auth.p)};
        const char *colon = auth.n && auth.p[0] == '[' ? memchr(auth.p, ']', auth.n) : auth.p;
        colon = colon ? memchr(colon, ':', auth.n - (size_t)(colon - auth.p)) : NULL;
        u->host = colon ? (str_t){auth.p, (size_t)(colon - auth.p)} : auth;
        u->port = colon ? (str_t){colon + 1, auth.n - (size_t)(colon + 1 - auth.p)} : STR("");
    }
    size_t start = i;
    while (i < s.n && s.p[i] != '?' && s.p[i] != '#')
        i++;
    u->path = (str_t){s.p + start, i - start};
    if (i < s.n && s.p[i] == '?') {
        start = ++i;
        while (i < s.n && s.p[i] != '#')
            i++;
        u->query = (str_t){s.p + start, i - start};
        u->has_query = true;
    }
    if (i < s.n && s.p[i] == '#') {
        u->fragment = (str_t){s.p + i + 1, s.n - i - 1};
        u->has_fragment = true;
    }
}

static const char *const special_schemes[][2] = {
    {"http", "80"}, {"https", "443"}, {"ws", "80"}, {"wss", "443"}, {"ftp", "21"}};

/* Default port of a special scheme, "" for file, NULL for a non-special scheme. */
static const char *special_port(str_t scheme)
{
    for (size_t i = 0; i < sizeof special_schemes / sizeof special_schemes[0]; i++)
        if (str_ieq_c(scheme, special_schemes[i][0]))
            return special_schemes[i][1];
    return str_ieq_c(scheme, "file") ? "" : NULL;
}

static char *lower_dup(arena_t *a, str_t s)
{
    char *d = str_dup(a, s);
    for (char *p = d; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return d;
}

/* The path with "." and ".." segments resolved, "/" when empty (special schemes). */
static char *normal_path(arena_t *a, str_t path)
{
    buf_t b;
    buf_init(&b, a, path.n + 2);
    size_t start = path.n && path.p[0] == '/' ? 1 : 0;
    for (size_t i = start; i <= path.n; i++) {
        if (i < path.n && path.p[i] != '/')
            continue;
        str_t seg = {path.p + start, i - start};
        if (str_eq_c(seg, "..")) {
            while (b.n && b.p[b.n - 1] != '/')
                b.n--;
            if (b.n)
                b.n--;
            b.p[b.n] = '\0';
            if (i == path.n)
                buf_putc(&b, '/');
        } else if (str_eq_c(seg, ".")) {
            if (i == path.n)
                buf_putc(&b, '/');
        } else {
            buf_putc(&b, '/');
            buf_str(&b, seg);
        }
        start = i + 1;
    }
    if (!b.n)
        buf_putc(&b, '/');
    return b.p;
}

/* origin + pathname of new URL(s), or NULL where new URL(s) throws. */
static char *origin_path(arena_t *a, str_t s)
{
    url_t u;
    url_parse(s, &u);
    if (!u.scheme.n)
        return NULL;
    const char *dport = special_port(u.scheme);
    char *scheme = lower_dup(a, u.scheme);
    if (!dport) /* non-special: origin "null", path as written */
        return arena_printf(a, "null%.*s", (int)u.path.n, u.path.p);
    if (!*dport) /* file: */
        return arena_printf(a, "null%s", normal_path(a, u.path));
    if (!u.authority || !u.host.n)
        return NULL;
    bool default_port = !u.port.n || str_eq_c(u.port, dport);
    return arena_printf(a, "%s://%s%s%.*s%s", scheme, lower_dup(a, u.host), default_port ? "" : ":",
                        default_port ? 0 : (int)u.port.n, u.port.p, normal_path(a, u.path));
}

bool reset_url_allowed(arena_t *a, str_t url, const char *allow_list)
{
    if (!allow_list)
        return false;
    str_t list = str_c(allow_list);
    char *target = origin_path(a, url);
    size_t start = 0;
    for (size_t i = 0; i <= list.n; i++) {
        if (i < list.n && list.p[i] != ',')
            continue;
        str_t entry = {list.p + start, i - start};
        start = i + 1;
        if (str_eq(entry, url))
            return true;
        char *allowed = origin_path(a, entry);
        if (allowed && target && strcmp(allowed, target) == 0)
            return true;
    }
    return false;
}

/* URLSearchParams serialisation of one name or value. */
static void form_encode(buf_t *b, str_t s)
{
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '*' || c == '-' || c == '.' || c == '_')
            buf_putc(b, (char)c);
        else if (c == ' ')
            buf_putc(b, '+');
        else
            buf_printf(b, "%%%02X", c);
    }
}


/* application/x-www-form-urlencoded parsing of one component: '+' is a space, %XX decoded. */
static str_t form_decode(arena_t *a, str_t s)
{
    char *d = arena_alloc(a, s.n + 1);
    size_t o = 0;
    for (size_t i = 0; i < s.n; i++) {
        int hi, lo;
        if (s.p[i] == '+')
            d[o++] = ' ';
        else if (s.p[i] == '%' && i + 2 < s.n && (hi = str_hexval(s.p[i + 1])) >= 0 &&
                 (lo = str_hexval(s.p[i + 2])) >= 0) {
            d[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else
            d[o++] = s.p[i];
    }
    d[o] = '\0';
    return (str_t){d, o};
}

/* Object.fromEntries(searchParams) then setQuery('token', token): first position of a name,
 * last value, token last unless already present. */
static void query_with_token(arena_t *a, buf_t *b, str_t query, const char *token)
{
    enum { MAXQ = 64 };
    str_t names[MAXQ], values[MAXQ];
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= query.n; i++) {
        if (i < query.n && query.p[i] != '&')
            continue;
        str_t part = {query.p + start, i - start};
        start = i + 1;
        if (!part.n)
            continue;
        long eq = str_index(part, '=');
        str_t k = form_decode(a, eq >= 0 ? (str_t){part.p, (size_t)eq} : part);
        str_t v =
            eq >= 0 ? form_decode(a, (str_t){part.p + eq + 1, part.n - (size_t)eq - 1}) : STR("");
        size_t j = 0;
        while (j < n && !str_eq(names[j], k))
            j++;
        if (j == n && n == MAXQ)
            continue;
        names[j] = k;
        values[j] = v;
        n += j == n;
    }
    size_t j = 0;
    while (token && j < n && !str_eq_c(names[j], "token"))
        j++;
    if (token && j == n && n < MAXQ)
        names[n++] = STR("token");
    if (token)
        values[j < n ? j : n - 1] = str_c(token);
    for (size_t i = 0; i < n; i++) {
        buf_putc(b, i ? '&' : '?');
        form_encode(b, names[i]);
        buf_putc(b, '=');
        form_encode(b, values[i]);
    }
}

char *reset_link(arena_t *a, str_t base, const char *add, const char *token)
{
    url_t u;
    url_parse(base, &u);
    bool proto_rel = base.n >= 2 && base.p[0] == '/' && base.p[1] == '/';
    bool root_rel =
        (base.n == 1 && base.p[0] == '/') || (base.n >= 2 && base.p[0] == '/' && base.p[1] != '/');
    bool path_rel = base.n && base.p[0] == '.';
    buf_t b;
    buf_init(&b, a, base.n + 128 + (token ? strlen(token) : 0) + (add ? strlen(add) : 0));
    bool has_host = !root_rel && !path_rel;
    if (has_host) {
        if (!proto_rel)
            buf_printf(&b, "%s:", lower_dup(a, u.scheme.n ? u.scheme : STR("http")));
        buf_puts(&b, "//");
        buf_puts(&b, lower_dup(a, u.host));
    }
    const char *dport = u.scheme.n ? special_port(u.scheme) : "80";
    if (u.port.n && !(dport && str_eq_c(u.port, dport)))
        buf_printf(&b, ":%.*s", (int)u.port.n, u.port.p);
    /* Path segments, non-empty ones only, then the added ones. */
    char *path = normal_path(a, u.path);
    size_t plen = strlen(path);
    bool trailing = plen > 1 ? path[plen - 1] == '/' : (base.n && base.p[base.n - 1] == '/');
    char *save;
    for (char *seg = strtok_r(path, "/", &save); seg; seg = strtok_r(NULL, "/", &save))
        buf_printf(&b, "/%s", seg);
    if (add) {
        char *more = arena_strdup(a, add);
        for (char *seg = strtok_r(more, "/", &save); seg; seg = strtok_r(NULL, "/", &save))
            buf_printf(&b, "/%s", seg);
        trailing = add[strlen(add) - 1] == '/';
    }
    if (trailing)
        buf_putc(&b, '/');
    query_with_token(a, &b, u.has_query ? u.query : STR(""), token);
    if (u.has_fragment)
        buf_printf(&b, "#%.*s", (int)u.fragment.n, u.fragment.p);
    return b.p;
}

/* ------------------------------------------------------------------ request */

typedef struct {
    const char *id, *status, *password, *email;
} reset_user_t;

static int find_user(arena_t *a, err_t *e, db_conn_t *db, str_t email, reset_user_t *u)
{
    db_value_t p = authdb_str(email);
    db_result_t r;
    if (authdb_exec(a, e, db,
                    "SELECT id, status, password, email FROM directus_users "
                    "WHERE LOWER(email) = LOWER(?) LIMIT 1",
                    &p, 1, &r) < 0)
        return -1;
    if (!r.nrows)
        return 0;
    u->id = authdb_text(a, db_cell(&r, 0, 0));
    u->status = authdb_text(a, db_cell(&r, 0, 1));
    u->password = authdb_text(a, db_cell(&r, 0, 2));
    u->email = authdb_text(a, db_cell(&r, 0, 3));
    return 1;
}

/* `${url}` of the reset_url value, for the error message. */
static const char *js_string(arena_t *a, struct json_object *v)
{
    if (json_object_is_type(v, json_type_string))
        return json_object_get_string(v);
    if (json_object_is_type(v, json_type_object))
        return "[object Object]";
    if (json_object_is_type(v, json_type_array)) {
        buf_t b;
        buf_init(&b, a, 64);
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            struct json_object *el = json_object_array_get_idx(v, i);
            if (i)
                buf_putc(&b, ',');
            if (el)
                buf_puts(&b, js_string(a, el));
        }
        return b.p;
    }
    return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

static void html_escape(buf_t *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            buf_puts(b, "&amp;");
            break;
        case '<':
            buf_puts(b, "&lt;");
            break;
        case '>':
            buf_puts(b, "&gt;");
            break;
        case '"':
            buf_puts(b, "&quot;");
            break;
        default:
            buf_putc(b, *s);
        }
    }
}

/* The mail: Celer's own short template with the link, from "<project name>" <EMAIL_FROM>. */
static void send_link(arena_t *a, db_conn_t *db, const conf_t *conf, const char *to,
                      const char *link)
{
    err_t e = {0};
    db_result_t r;
    const char *project = NULL;
    if (authdb_exec(a, &e, db, "SELECT project_name FROM directus_settings LIMIT 1", NULL, 0, &r) ==
        0)
        project = authdb_text(a, db_cell(&r, 0, 0));
    if (!project || !*project)
        project = "Directus";
    buf_t html;
    buf_init(&html, a, 1024);
    buf_puts(&html, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<title>");
    html_escape(&html, project);
    buf_puts(&html, "</title>\n</head>\n<body>\n<h1>Reset your ");
    html_escape(&html, project);
    buf_puts(&html, " password</h1>\n<p>Someone asked to reset the password of your <i>");
    html_escape(&html, project);
    buf_puts(&html, "</i> account. If that was not you, tell one of your administrators.\n"
                    "Otherwise open the link below and choose a new password.</p>\n<p><a href=\"");
    html_escape(&html, link);
    buf_puts(&html, "\">Reset Your Password</a></p>\n<p>The link is valid for 24 hours.</p>\n"
                    "</body>\n</html>\n");
    mail_t m = {project, conf->email_from, to, "Password Reset Request", html.p};
    mail_send_detached(a, conf, &m);
}

static int request_steps(arena_t *a, err_t *e, db_conn_t *db, const conf_t *conf, str_t email,
                         struct json_object *reset_url)
{
    reset_user_t u;
    int found = find_user(a, e, db, email, &u);
    if (found < 0)
        return -1;
    if (!found || !u.status || strcmp(u.status, "active") != 0)
        return err_set(e, a, ERR_FORBIDDEN, NULL);
    const char *url = reset_url ? js_string(a, reset_url) : NULL;
    bool url_string = reset_url && json_object_is_type(reset_url, json_type_string);
    if (url &&
        (!url_string || !reset_url_allowed(a, str_c(url), conf->password_reset_url_allow_list))) {
        char *reason = arena_printf(a, "URL \"%s\" can't be used to reset passwords", url);
        return err_invalid_payload(e, a, reason);
    }
    char hash[16];
    reset_simple_hash(str_c(u.password ? u.password : "null"), hash);
    struct json_object *claims = json_own(a, json_object_new_object());
    json_object_object_add(claims, "email", u.email ? json_object_new_string(u.email) : NULL);
    json_object_object_add(claims, "scope", json_object_new_string("password-reset"));
    json_object_object_add(claims, "hash", json_object_new_string(hash));
    char *token = jwt_hs_sign(a, conf->secret, claims, authdb_now_ms(), RESET_TOKEN_TTL_MS);
    char *link = url ? reset_link(a, str_c(url), NULL, token)
                     : reset_link(a, str_c(conf->public_url), "admin/reset-password", token);
    if (u.email)
        send_link(a, db, conf, u.email, link);
    return 0;
}

int reset_request(arena_t *a, err_t *e, db_conn_t *db, const conf_t *conf, str_t email,
                  struct json_object *reset_url)
{
    double start = authdb_mono_ms();
    err_t inner = {0};
    int rc = request_steps(a, &inner, db, conf, email, reset_url);
    if (rc < 0 && inner.code == ERR_INVALID_PAYLOAD) {
        *e = inner;
        return -1;
    }
    if (rc < 0 && inner.code != ERR_FORBIDDEN)
        log_warn("[email] password reset request failed: %s", inner.message);
    authdb_stall(start, RESET_STALL_MS);
    return 0;
}

/* ------------------------------------------------------------------ reset */

int reset_password_policy(arena_t *a, err_t *e, db_conn_t *db, str_t password, err_t *policy_err)
{
    db_result_t r;
    if (authdb_exec(a, e, db, "SELECT auth_password_policy FROM directus_settings LIMIT 1", NULL, 0,
                    &r) < 0)
        return -1;
    const char *policy = authdb_text(a, db_cell(&r, 0, 0));
    if (!policy || !*policy)
        return 0;
    size_t n = strlen(policy);
    str_t src = n >= 2 && policy[0] == '/' && policy[n - 1] == '/' ? (str_t){policy + 1, n - 2}
                                                                   : str_c(policy);
    int m = jsregex_test(a, src, password);
    if (m == 1)
        return 0;
    if (m < 0)
        log_error("directus_settings.auth_password_policy: the pattern cannot be evaluated; "
                  "refusing the password");
    err_set(policy_err, a, ERR_FAILED_VALIDATION,
            "Validation failed for field \"password\". Value doesn't have the correct format.");
    err_ext_str(policy_err, a, "field", "password");
    err_ext_str(policy_err, a, "type", "regex");
    json_object_object_add(policy_err->ext, "invalid", json_str(password));
    return 0;
}

static int store_password(arena_t *a, err_t *e, db_conn_t *db, const conf_t *conf,
                          const accountability_t *client, const char *user, str_t password)
{
    password_params_t params = password_params(conf);
    char *hash = password_hash(a, password, &params);
    if (!hash)
        return err_set(e, a, ERR_INTERNAL_SERVER_ERROR, NULL);
    db_value_t p[3] = {authdb_cstr(hash), authdb_cstr("active"), authdb_cstr(user)};
    if (authdb_exec(a, e, db, "UPDATE directus_users SET password = ?, status = ? WHERE id = ?", p,
                    3, NULL) < 0)
        return -1;
    db_value_t act[8] = {authdb_cstr("update"),       authdb_cstr(NULL),
                         authdb_cstr(client->ip),     authdb_cstr(client->user_agent),
                         authdb_cstr(client->origin), authdb_cstr("directus_users"),
                         authdb_cstr(user),           authdb_time(a, db, authdb_now_ms())};
    return authdb_exec(a, e, db,
                       "INSERT INTO directus_activity (action, \"user\", ip, user_agent, origin, "
                       "collection, item, \"timestamp\") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       act, 8, NULL);
}

int reset_password(arena_t *a, err_t *e, db_conn_t *db, const conf_t *conf,
                   const accountability_t *client, str_t token, str_t password)
{
    struct json_object *payload;
    const char *msg = NULL;
    if (jwt_hs_verify(a, token, conf->secret, authdb_now_ms(), &payload, &msg) != JWT_OK) {
        /* jsonwebtoken's error is not a Directus error: a 500 whose text only admins see. */
        if (client->admin)
            return err_set(e, a, ERR_INTERNAL_SERVER_ERROR, "%s", msg);
        return err_set(e, a, ERR_INTERNAL_SERVER_ERROR, NULL);
    }
    const char *scope = NULL, *hash = NULL, *email = NULL;
    struct json_object *v;
    if (json_object_is_type(payload, json_type_object)) {
        if (json_object_object_get_ex(payload, "scope", &v) &&
            json_object_is_type(v, json_type_string))
            scope = json_object_get_string(v);
        if (json_object_object_get_ex(payload, "hash", &v) &&
            json_object_is_type(v, json_type_string))
            hash = json_object_get_string(v);
        if (json_object_object_get_ex(payload, "email", &v) &&
            json_object_is_type(v, json_type_string))
            email = json_object_get_string(v);
    }
    if (!scope || strcmp(scope, "password-reset") != 0 || !hash || !*hash)
        return err_set(e, a, ERR_FORBIDDEN, NULL);
    err_t policy_err = {0};
    if (reset_password_policy(a, e, db, password, &policy_err) < 0)
        return -1;
    if (!email)
        return err_set(e, a, ERR_INTERNAL_SERVER_ERROR, NULL); /* email.toLowerCase() throws */
    reset_user_t u;
    int found = find_user(a, e, db, str_c(email), &u);
    if (found < 0)
        return -1;
    char current[16];
    reset_simple_hash(str_c(found && u.password ? u.password : "null"), current);
    if (!found || !u.status || strcmp(u.status, "active") != 0 || strcmp(hash, current) != 0)
        return err_set(e, a, ERR_FORBIDDEN, NULL);
    if (err_is_set(&policy_err)) {
        *e = policy_err;
        return -1;
    }
    return store_password(a, e, db, conf, client, u.id, password);
}
