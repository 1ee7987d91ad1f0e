/*
 * Configuration loading. Every key is one row of `keys[]`: name, type, where it lands in conf_t,
 * its default as Directus 11.3.5 ships it, and bounds or choices. Values arrive as strings from
 * the environment or the dotenv file (file wins); Directus's cast prefixes (`number:`, `string:`,
 * `boolean:`) and `KEY_FILE=/path` indirection are honoured. A value that does not fit its type
 * stops startup with the key's name in the message.
 */
#include "lib/core/conf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/core/log.h"

extern char **environ;

typedef enum {
    T_STR,   /* string; "" and "false" give NULL where the default is NULL */
    T_INT,   /* integer within [min, max] */
    T_BOOL,  /* true/false (also 1/0) */
    T_BYTES, /* `bytes` syntax */
    T_MS,    /* `ms` syntax */
    T_LIMIT, /* integer, or Infinity / unset = CONF_UNLIMITED */
    T_LEVEL, /* log level name */
} conf_type_t;

struct key {
    const char *name;
    conf_type_t type;
    size_t off;
    const char *def; /* NULL: unset */
    long long min, max;
    const char *choices; /* "a|b|c" for strings with a closed set */
};

#define F(field) offsetof(conf_t, field)
#define NOLIM 0, 0

static const struct key keys[] = {
    {"HOST", T_STR, F(host), "0.0.0.0", NOLIM, NULL},
    {"PORT", T_INT, F(port), "8055", 1, 65535, NULL},
    {"PUBLIC_URL", T_STR, F(public_url), "/", NOLIM, NULL},
    {"SECRET", T_STR, F(secret), NULL, NOLIM, NULL},
    {"FCGI_LISTEN", T_STR, F(fcgi_listen), "unix:./var/celer.sock", NOLIM, NULL},
    {"FCGI_SOCKET_MODE", T_INT, F(fcgi_socket_mode), "0660", 0, 0777, NULL},
    {"WORKERS", T_INT, F(workers), NULL, 1, 1024, NULL},
    {"PID_FILE", T_STR, F(pid_file), NULL, NOLIM, NULL},
    {"LOG_LEVEL", T_LEVEL, F(log_level), "info", NOLIM, NULL},
    {"MAX_PAYLOAD_SIZE", T_BYTES, F(max_payload_size), "1mb", 1, 1LL << 40, NULL},
    {"MAX_RELATIONAL_DEPTH", T_INT, F(max_relational_depth), "10", 2, 100, NULL},
    {"QUERY_LIMIT_DEFAULT", T_LIMIT, F(query_limit_default), "100", 1, 1LL << 40, NULL},
    {"QUERY_LIMIT_MAX", T_LIMIT, F(query_limit_max), "Infinity", 1, 1LL << 40, NULL},
    {"MAX_BATCH_MUTATION", T_LIMIT, F(max_batch_mutation), "Infinity", 1, 1LL << 40, NULL},
    {"ROOT_REDIRECT", T_STR, F(root_redirect), "./admin", NOLIM, NULL},
    {"ROBOTS_TXT", T_STR, F(robots_txt), "User-agent: *\nDisallow: /", NOLIM, NULL},
    {"IP_TRUST_PROXY", T_BOOL, F(ip_trust_proxy), "true", NOLIM, NULL},
    {"IP_CUSTOM_HEADER", T_STR, F(ip_custom_header), NULL, NOLIM, NULL},
    {"DB_CLIENT", T_STR, F(db_client), "sqlite3", NOLIM,
     "pg|postgres|postgresql|mysql|mariadb|sqlite3|sqlite"},
    {"DB_HOST", T_STR, F(db_host), NULL, NOLIM, NULL},
    {"DB_PORT", T_INT, F(db_port), "0", 0, 65535, NULL},
    {"DB_DATABASE", T_STR, F(db_database), NULL, NOLIM, NULL},
    {"DB_USER", T_STR, F(db_user), NULL, NOLIM, NULL},
    {"DB_PASSWORD", T_STR, F(db_password), NULL, NOLIM, NULL},
    {"DB_FILENAME", T_STR, F(db_filename), NULL, NOLIM, NULL},
    {"DB_CONNECTION_STRING", T_STR, F(db_connection_string), NULL, NOLIM, NULL},
    {"DB_SEARCH_PATH", T_STR, F(db_search_path), NULL, NOLIM, NULL},
    {"DB_EXCLUDE_TABLES", T_STR, F(db_exclude_tables), "spatial_ref_sys,sysdiagrams", NOLIM, NULL},
    {"CORS_ENABLED", T_BOOL, F(cors_enabled), "false", NOLIM, NULL},
    {"CORS_ORIGIN", T_STR, F(cors_origin), "false", NOLIM, NULL},
    {"CORS_METHODS", T_STR, F(cors_methods), "GET,POST,PATCH,DELETE", NOLIM, NULL},
    {"CORS_ALLOWED_HEADERS", T_STR, F(cors_allowed_headers), "Content-Type,Authorization", NOLIM,
     NULL},
    {"CORS_EXPOSED_HEADERS", T_STR, F(cors_exposed_headers), "Content-Range", NOLIM, NULL},
    {"CORS_CREDENTIALS", T_BOOL, F(cors_credentials), "true", NOLIM, NULL},
    {"CORS_MAX_AGE", T_INT, F(cors_max_age), "18000", -1, 1 << 30, NULL},
    {"CACHE_ENABLED", T_BOOL, F(cache_enabled), "false", NOLIM, NULL},
    {"CACHE_STORE", T_STR, F(cache_store), "memory", NOLIM, "memory|redis"},
    {"CACHE_TTL", T_MS, F(cache_ttl_ms), "5m", NOLIM, NULL},
    {"CACHE_NAMESPACE", T_STR, F(cache_namespace), "system-cache", NOLIM, NULL},
    {"CACHE_AUTO_PURGE", T_BOOL, F(cache_auto_purge), "false", NOLIM, NULL},
    {"CACHE_AUTO_PURGE_IGNORE_LIST", T_STR, F(cache_auto_purge_ignore_list),
     "directus_activity,directus_presets", NOLIM, NULL},
    {"CACHE_SKIP_ALLOWED", T_BOOL, F(cache_skip_allowed), "false", NOLIM, NULL},
    /* Directus's default is the string '0', which it ignores: unset here means the same. */
    {"CACHE_CONTROL_S_MAXAGE", T_INT, F(cache_control_s_maxage), "-1", -1, 1 << 30, NULL},
    {"CACHE_VALUE_MAX_SIZE", T_BYTES, F(cache_value_max_size), "false", NOLIM, NULL},
    {"CACHE_SCHEMA", T_BOOL, F(cache_schema), "true", NOLIM, NULL},
    {"CACHE_STATUS_HEADER", T_STR, F(cache_status_header), NULL, NOLIM, NULL},
    {"CACHE_HEALTHCHECK_THRESHOLD", T_INT, F(cache_healthcheck_threshold), "150", 0, 1 << 30, NULL},
    {"REDIS", T_STR, F(redis), NULL, NOLIM, NULL},
    {"REDIS_HOST", T_STR, F(redis_host), NULL, NOLIM, NULL},
    {"REDIS_PORT", T_INT, F(redis_port), "6379", 1, 65535, NULL},
    {"REDIS_USERNAME", T_STR, F(redis_username), NULL, NOLIM, NULL},
    {"REDIS_PASSWORD", T_STR, F(redis_password), NULL, NOLIM, NULL},
    {"REDIS_DB", T_INT, F(redis_db), "0", 0, 1 << 20, NULL},
    /* Unset: derived in conf_load_from() from the presence of REDIS / REDIS_*. */
    {"REDIS_ENABLED", T_BOOL, F(redis_enabled), NULL, NOLIM, NULL},
    {"RATE_LIMITER_ENABLED", T_BOOL, F(rate_limiter_enabled), "false", NOLIM, NULL},
    {"RATE_LIMITER_STORE", T_STR, F(rate_limiter_store), "memory", NOLIM, "memory|redis"},
    {"RATE_LIMITER_POINTS", T_INT, F(rate_limiter_points), "50", 1, 1 << 30, NULL},
    {"RATE_LIMITER_DURATION", T_INT, F(rate_limiter_duration), "1", 0, 1 << 30, NULL},
    {"RATE_LIMITER_GLOBAL_ENABLED", T_BOOL, F(rate_limiter_global_enabled), "false", NOLIM, NULL},
    {"RATE_LIMITER_GLOBAL_POINTS", T_INT, F(rate_limiter_global_points), "1000", 1, 1 << 30, NULL},
    {"RATE_LIMITER_GLOBAL_DURATION", T_INT, F(rate_limiter_global_duration), "1", 0, 1 << 30,
     NULL},
    {"RATE_LIMITER_HEALTHCHECK_THRESHOLD", T_INT, F(rate_limiter_healthcheck_threshold), "150", 0,
     1 << 30, NULL},
    {"RATE_LIMITER_GLOBAL_HEALTHCHECK_THRESHOLD", T_INT,
     F(rate_limiter_global_healthcheck_threshold), "150", 0, 1 << 30, NULL},
    {"ACCESS_TOKEN_TTL", T_MS, F(access_token_ttl_ms), "15m", NOLIM, NULL},
    {"REFRESH_TOKEN_TTL", T_MS, F(refresh_token_ttl_ms), "7d", NOLIM, NULL},
    {"REFRESH_TOKEN_COOKIE_NAME", T_STR, F(refresh_token_cookie_name), "directus_refresh_token",
     NOLIM, NULL},
    {"REFRESH_TOKEN_COOKIE_SECURE", T_BOOL, F(refresh_token_cookie_secure), "false", NOLIM, NULL},
    {"REFRESH_TOKEN_COOKIE_SAME_SITE", T_STR, F(refresh_token_cookie_same_site), "lax", NOLIM,
     "lax|strict|none"},
    {"REFRESH_TOKEN_COOKIE_DOMAIN", T_STR, F(refresh_token_cookie_domain), NULL, NOLIM, NULL},
    {"SESSION_COOKIE_TTL", T_MS, F(session_cookie_ttl_ms), "1d", NOLIM, NULL},
    {"SESSION_COOKIE_NAME", T_STR, F(session_cookie_name), "directus_session_token", NOLIM, NULL},
    {"SESSION_COOKIE_SECURE", T_BOOL, F(session_cookie_secure), "false", NOLIM, NULL},
    {"SESSION_COOKIE_SAME_SITE", T_STR, F(session_cookie_same_site), "lax", NOLIM,
     "lax|strict|none"},
    {"SESSION_COOKIE_DOMAIN", T_STR, F(session_cookie_domain), NULL, NOLIM, NULL},
    {"SESSION_REFRESH_GRACE_PERIOD", T_MS, F(session_refresh_grace_period_ms), "10s", NOLIM, NULL},
    {"LOGIN_STALL_TIME", T_INT, F(login_stall_time), "500", 0, 60000, NULL},
    /* argon2 for every hash Celer writes; bounds are node argon2's minimums and the maximums
     * password_verify accepts (a hash it could not check again is refused at start-up). */
    {"HASH_MEMORY_COST", T_INT, F(hash_memory_cost), "65536", 1024, 1 << 20, NULL},
    {"HASH_TIME_COST", T_INT, F(hash_time_cost), "3", 2, 64, NULL},
    {"HASH_PARALLELISM", T_INT, F(hash_parallelism), "4", 1, 64, NULL},
    {"HASH_HASH_LENGTH", T_INT, F(hash_hash_length), "32", 4, 1024, NULL},
    {"HASH_TYPE", T_INT, F(hash_type), "2", 0, 2, NULL},
    {"HASH_ASSOCIATED_DATA", T_STR, F(hash_associated_data), NULL, NOLIM, NULL},
    {"ADMIN_EMAIL", T_STR, F(admin_email), "admin@example.com", NOLIM, NULL},
    {"ADMIN_PASSWORD", T_STR, F(admin_password), NULL, NOLIM, NULL},
    {"ADMIN_TOKEN", T_STR, F(admin_token), NULL, NOLIM, NULL},
    {"AUTH_DISABLE_DEFAULT", T_BOOL, F(auth_disable_default), "false", NOLIM, NULL},
    {"PASSWORD_RESET_URL_ALLOW_LIST", T_STR, F(password_reset_url_allow_list), NULL, NOLIM, NULL},
    {"EMAIL_FROM", T_STR, F(email_from), "no-reply@example.com", NOLIM, NULL},
    {"EMAIL_TRANSPORT", T_STR, F(email_transport), "sendmail", NOLIM, "sendmail|smtp"},
    {"EMAIL_SENDMAIL_PATH", T_STR, F(email_sendmail_path), "/usr/sbin/sendmail", NOLIM, NULL},
    {"EMAIL_SENDMAIL_NEW_LINE", T_STR, F(email_sendmail_new_line), "unix", NOLIM,
     "unix|windows"},
    {"EMAIL_SMTP_HOST", T_STR, F(email_smtp_host), NULL, NOLIM, NULL},
    {"EMAIL_SMTP_PORT", T_INT, F(email_smtp_port), "0", 0, 65535, NULL},
    {"EMAIL_SMTP_USER", T_STR, F(email_smtp_user), NULL, NOLIM, NULL},
    {"EMAIL_SMTP_PASSWORD", T_STR, F(email_smtp_password), NULL, NOLIM, NULL},
    {"EMAIL_SMTP_SECURE", T_BOOL, F(email_smtp_secure), "false", NOLIM, NULL},
    {"EMAIL_SMTP_IGNORE_TLS", T_BOOL, F(email_smtp_ignore_tls), "false", NOLIM, NULL},
    {"EMAIL_SMTP_NAME", T_STR, F(email_smtp_name), NULL, NOLIM, NULL},
    {"WEBSOCKETS_ENABLED", T_BOOL, F(websockets_enabled), "false", NOLIM, NULL},
    {"WEBSOCKETS_REST_ENABLED", T_BOOL, F(websockets_rest_enabled), "true", NOLIM, NULL},
    {"WEBSOCKETS_REST_PATH", T_STR, F(websockets_rest_path), "/websocket", NOLIM, NULL},
    {"WEBSOCKETS_REST_AUTH", T_STR, F(websockets_rest_auth), "handshake", NOLIM,
     "public|handshake|strict"},
    {"WEBSOCKETS_GRAPHQL_ENABLED", T_BOOL, F(websockets_graphql_enabled), "true", NOLIM, NULL},
    {"WEBSOCKETS_GRAPHQL_PATH", T_STR, F(websockets_graphql_path), "/graphql", NOLIM, NULL},
    {"WEBSOCKETS_GRAPHQL_AUTH", T_STR, F(websockets_graphql_auth), "handshake", NOLIM,
     "public|handshake|strict"},
    {"WEBSOCKETS_HEARTBEAT_ENABLED", T_BOOL, F(websockets_heartbeat_enabled), "true", NOLIM, NULL},
    {"WEBSOCKETS_HEARTBEAT_PERIOD", T_INT, F(websockets_heartbeat_period), "30", 1, 86400, NULL},
    {"WEBSOCKETS_LOGS_ENABLED", T_BOOL, F(websockets_logs_enabled), "true", NOLIM, NULL},
    {"WEBSOCKETS_LOGS_LEVEL", T_STR, F(websockets_logs_level), "info", NOLIM,
     "trace|debug|info|warn|error|fatal"},
    {"EXTENSIONS_LIMIT", T_INT, F(extensions_limit), "-1", -1, 1 << 30, NULL},
    {"STORAGE_LOCATIONS", T_STR, F(storage_locations), "local", NOLIM, NULL},
    {"STORAGE_LOCAL_ROOT", T_STR, F(storage_local_root), "./uploads", NOLIM, NULL},
    /* busboy's fileSize limit: unset or false is no limit. */
    {"FILES_MAX_UPLOAD_SIZE", T_BYTES, F(files_max_upload_size), "false", NOLIM, NULL},
    {"FILES_MIME_TYPE_ALLOW_LIST", T_STR, F(files_mime_type_allow_list), "*/*", NOLIM, NULL},
    {"ASSETS_CACHE_TTL", T_MS, F(assets_cache_ttl_ms), "30d", NOLIM, NULL},
    {"ASSETS_TRANSFORM_MAX_OPERATIONS", T_INT, F(assets_transform_max_operations), "5", 0,
     1 << 20, NULL},
    {"ASSETS_TRANSFORM_IMAGE_MAX_DIMENSION", T_INT, F(assets_transform_image_max_dimension),
     "6000", 0, 1 << 30, NULL},
    {"IMPORT_IP_DENY_LIST", T_STR, F(import_ip_deny_list), "0.0.0.0,169.254.169.254", NOLIM,
     NULL},
    /* The nginx location X-Accel-Redirect points at (nginx/celer-locations.conf.template). */
    {"ASSETS_ACCEL_PREFIX", T_STR, F(assets_accel_prefix), "/.celer-storage", NOLIM, NULL},
};

/* Keys Celer reads elsewhere or accepts on purpose without using (Directus options that have no
 * meaning here): not reported as unknown. Prefixes end with '_'. */
static const char *const known_extra[] = {
    "CONFIG_PATH", "KEY", "TELEMETRY", "TELEMETRY_", "STORAGE_", "EXTENSIONS_", "EMAIL_",
    "PRESSURE_LIMITER_", "LOG_STYLE", "DB_", "AUTH_", "ASSETS_", "FILES_", "TUS_", "FLOWS_",
    "MARKETPLACE_", "SERVE_APP", "GRAPHQL_", "RATE_LIMITER_", "CACHE_", "REDIS_", "WEBSOCKETS_",
    "PASSWORD_RESET_URL_ALLOW_LIST", "USER_", "USERS_", "HASH_SALT_LENGTH", "RETENTION_", "ACTIVITY_",
    "REVISIONS_", "PROJECT_", "NODE_", "TEMP_PATH", "MIGRATIONS_PATH", "PACKAGE_FILE_LOCATION",
    "RELATIONAL_BATCH_SIZE", "EXPORT_BATCH_SIZE", "SERVER_",
    "REGISTER_STALL_TIME", "EMAIL_VERIFICATION_TOKEN_TTL", "FILE_METADATA_ALLOW_LIST",
    "SESSION_", "REFRESH_TOKEN_", "ACCESS_TOKEN_TTL", "LOGGER_", "METRICS_", "QUERYSTRING_",
    "CONTENT_SECURITY_POLICY_", "HSTS_", "SYNCHRONIZATION_", "LOCK_",
};

/* ------------------------------------------------------------------ raw values */

struct kv {
    const char *key, *val;
    const char *file; /* where it was set; NULL for the environment */
    int line;
};

struct source {
    struct kv *v;
    size_t n, cap;
    arena_t *a;
};

static void source_set(struct source *s, const char *k, size_t kn, const char *v, size_t vn,
                       const char *file, int line)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strlen(s->v[i].key) == kn && memcmp(s->v[i].key, k, kn) == 0) {
            s->v[i] = (struct kv){s->v[i].key, arena_strndup(s->a, v, vn), file, line};
            return;
        }
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        s->v = arena_realloc(s->a, s->v, s->cap * sizeof(*s->v), cap * sizeof(*s->v));
        s->cap = cap;
    }
    s->v[s->n++] = (struct kv){arena_strndup(s->a, k, kn), arena_strndup(s->a, v, vn), file, line};
}

static const struct kv *source_get(const struct source *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].key, key) == 0)
            return &s->v[i];
    return NULL;
}

/* dotenv value: quotes removed ("…" expands \n), unquoted values end at " #". */
static size_t dotenv_value(char *v, size_t n)
{
    if (n >= 2 && (v[0] == '"' || v[0] == '\'' || v[0] == '`')) {
        char q = v[0];
        char *end = memchr(v + 1, q, n - 1);
        if (end) {
            size_t m = (size_t)(end - v - 1), o = 0;
            for (size_t i = 0; i < m; i++) {
                char c = v[1 + i];
                if (q == '"' && c == '\\' && i + 1 < m && (v[2 + i] == 'n' || v[2 + i] == 'r')) {
                    c = v[2 + i] == 'n' ? '\n' : '\r';
                    i++;
                }
                v[o++] = c;
            }
            return o;
        }
    }
    for (size_t i = 0; i + 1 < n; i++)
        if ((v[i] == ' ' || v[i] == '\t') && v[i + 1] == '#')
            n = i;
    while (n && isspace((unsigned char)v[n - 1]))
        n--;
    return n;
}

static int read_dotenv(struct source *s, const char *path, char *err, size_t errlen, int explicit)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (!explicit && errno == ENOENT)
            return 0;
        snprintf(err, errlen, "CONFIG_PATH: cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0;
    const char *file = arena_strdup(s->a, path);
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        char *p = line;
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '#' || *p == '\0')
            continue;
        if (strncmp(p, "export ", 7) == 0)
            p += 7;
        char *eq = strchr(p, '=');
        if (!eq) {
            log_warn("%s:%d: ignoring line without '='", path, lineno);
            continue;
        }
        char *k_end = eq;
        while (k_end > p && isspace((unsigned char)k_end[-1]))
            k_end--;
        char *v = eq + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        size_t vn = strlen(v);
        while (vn && (v[vn - 1] == '\n' || v[vn - 1] == '\r'))
            vn--;
        vn = dotenv_value(v, vn);
        source_set(s, p, (size_t)(k_end - p), v, vn, file, lineno);
    }
    free(line);
    fclose(f);
    return 0;
}

/* ------------------------------------------------------------------ typed parsing */

int64_t conf_parse_bytes(const char *s)
{
    static const struct {
        const char *unit;
        double mul;
    } units[] = {{"b", 1}, {"kb", 1024}, {"mb", 1048576}, {"gb", 1073741824.0},
                 {"tb", 1099511627776.0}, {"pb", 1125899906842624.0}, {"", 1}};
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || v < 0)
        return -1;
    while (*end == ' ')
        end++;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcasecmp(end, units[i].unit) == 0)
            return (int64_t)(v * units[i].mul);
    return -1;
}

int64_t conf_parse_ms(const char *s)
{
    static const struct {
        const char *unit;
        double mul;
    } units[] = {{"", 1},           {"ms", 1},          {"msec", 1},         {"msecs", 1},
                 {"millisecond", 1}, {"milliseconds", 1}, {"s", 1000},       {"sec", 1000},
                 {"secs", 1000},    {"second", 1000},   {"seconds", 1000},   {"m", 60000},
                 {"min", 60000},    {"mins", 60000},    {"minute", 60000},   {"minutes", 60000},
                 {"h", 3600000},    {"hr", 3600000},    {"hrs", 3600000},    {"hour", 3600000},
                 {"hours", 3600000}, {"d", 86400000},   {"day", 86400000},   {"days", 86400000},
                 {"w", 604800000},  {"week", 604800000}, {"weeks", 604800000}, {"y", 31557600000.0},
                 {"yr", 31557600000.0}, {"yrs", 31557600000.0}, {"year", 31557600000.0},
                 {"years", 31557600000.0}};
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno)
        return -1;
    while (*end == ' ')
        end++;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcasecmp(end, units[i].unit) == 0)
            return (int64_t)(v * units[i].mul);
    return -1;
}

/* Directus's explicit cast prefixes; the typed table decides the rest. */
static const char *strip_cast(const char *v)
{
    static const char *const prefixes[] = {"string:", "number:", "boolean:", "json:"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(v, prefixes[i], strlen(prefixes[i])) == 0)
            return v + strlen(prefixes[i]);
    return v;
}

static bool in_choices(const char *choices, const char *v)
{
    size_t n = strlen(v);
    for (const char *p = choices; *p;) {
        const char *bar = strchr(p, '|');
        size_t m = bar ? (size_t)(bar - p) : strlen(p);
        if (m == n && strncmp(p, v, n) == 0)
            return true;
        p += m + (bar ? 1 : 0);
    }
    return false;
}

static int parse_int(const char *v, long long *out)
{
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, v[0] == '0' && v[1] ? 8 : 10);
    if (end == v || *end || errno)
        return -1;
    *out = x;
    return 0;
}

static int bad(char *err, size_t errlen, const struct key *k, const char *v, const char *want)
{
    snprintf(err, errlen, "%s: \"%s\" is not %s", k->name, v, want);
    return -1;
}

static int set_value(conf_t *c, arena_t *a, const struct key *k, const char *v, char *err,
                     size_t errlen)
{
    void *dst = (char *)c + k->off;
    long long x;
    switch (k->type) {
    case T_STR:
        if (k->choices && !in_choices(k->choices, v)) {
            char want[256];
            snprintf(want, sizeof want, "one of %s", k->choices);
            return bad(err, errlen, k, v, want);
        }
        /* Directus treats "false" as unset for optional strings (IP_CUSTOM_HEADER=false). */
        *(const char **)dst = (!k->def && (!*v || strcmp(v, "false") == 0)) ? NULL
                                                                           : arena_strdup(a, v);
        return 0;
    case T_BOOL:
        if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
            *(bool *)dst = true;
        else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
            *(bool *)dst = false;
        else
            return bad(err, errlen, k, v, "true or false");
        return 0;
    case T_INT:
        if (parse_int(v, &x) < 0 || ((k->min || k->max) && (x < k->min || x > k->max))) {
            char want[96];
            snprintf(want, sizeof want, "an integer in [%lld, %lld]", k->min, k->max);
            return bad(err, errlen, k, v, want);
        }
        *(int *)dst = (int)x;
        return 0;
    case T_LIMIT:
        if (!*v || strcmp(v, "Infinity") == 0 || strcmp(v, "-1") == 0) {
            *(int64_t *)dst = CONF_UNLIMITED;
            return 0;
        }
        if (parse_int(v, &x) < 0 || x < k->min || x > k->max)
            return bad(err, errlen, k, v, "a positive integer or Infinity");
        *(int64_t *)dst = x;
        return 0;
    case T_BYTES:
        if (strcmp(v, "false") == 0) {
            *(int64_t *)dst = CONF_UNLIMITED;
            return 0;
        }
        if ((x = conf_parse_bytes(v)) < 0 || ((k->min || k->max) && (x < k->min || x > k->max)))
            return bad(err, errlen, k, v, "a size such as 1mb or 512kb");
        *(int64_t *)dst = x;
        return 0;
    case T_MS:
        if ((x = conf_parse_ms(v)) < 0)
            return bad(err, errlen, k, v, "a duration such as 15m, 7d or 500ms");
        *(int64_t *)dst = x;
        return 0;
    case T_LEVEL:
        if ((x = log_level_parse(v)) < 0)
            return bad(err, errlen, k, v, "a log level (trace, debug, info, warn, error, fatal)");
        *(int *)dst = (int)x;
        return 0;
    }
    return 0;
}

static bool is_known(const char *key);

/* KEY_FILE=/path gives KEY the file's content (trailing newline removed). */
static int resolve_file_keys(struct source *s, char *err, size_t errlen)
{
    size_t n = s->n;
    for (size_t i = 0; i < n; i++) {
        const char *k = s->v[i].key;
        size_t kn = strlen(k);
        if (kn <= 5 || strcmp(k + kn - 5, "_FILE") != 0)
            continue;
        /* Only Celer's own keys: the environment holds other programs' *_FILE variables. */
        char base[128];
        if (kn - 5 >= sizeof base)
            continue;
        memcpy(base, k, kn - 5);
        base[kn - 5] = '\0';
        if (!is_known(base))
            continue;
        FILE *f = fopen(s->v[i].val, "r");
        if (!f) {
            snprintf(err, errlen, "%s: cannot read \"%s\": %s", k, s->v[i].val, strerror(errno));
            return -1;
        }
        char buf[65536];
        size_t m = fread(buf, 1, sizeof buf, f);
        fclose(f);
        while (m && (buf[m - 1] == '\n' || buf[m - 1] == '\r'))
            m--;
        source_set(s, k, kn - 5, buf, m, s->v[i].file, s->v[i].line);
    }
    return 0;
}

static bool is_known(const char *key)
{
    size_t kn = strlen(key);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(keys[i].name, key) == 0)
            return true;
    if (kn > 5 && strcmp(key + kn - 5, "_FILE") == 0)
        return true;
    for (size_t i = 0; i < sizeof known_extra / sizeof known_extra[0]; i++) {
        size_t pn = strlen(known_extra[i]);
        if (known_extra[i][pn - 1] == '_' ? strncmp(key, known_extra[i], pn) == 0
                                          : strcmp(key, known_extra[i]) == 0)
            return true;
    }
    return false;
}

static const char *normalise_client(const char *v)
{
    if (strcmp(v, "postgres") == 0 || strcmp(v, "postgresql") == 0)
        return "pg";
    if (strcmp(v, "mariadb") == 0)
        return "mysql";
    if (strcmp(v, "sqlite") == 0)
        return "sqlite3";
    return v;
}

static void random_secret(arena_t *a, conf_t *c)
{
    unsigned char raw[32];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, raw, sizeof raw) : -1;
    if (fd >= 0)
        close(fd);
    if (got != (ssize_t)sizeof raw) {
        log_error("cannot read /dev/urandom for a SECRET");
        abort();
    }
    char *hex = arena_alloc(a, 65);
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    c->secret = hex;
    c->secret_generated = true;
}

/* A limiter's rate as Directus compares them: a duration under 1 s counts as 1 s. */
static double per_second(int points, int duration)
{
    return (double)points / (duration > 1 ? duration : 1);
}

/* STORAGE_LOCATIONS (a comma list, as Directus's toArray) and each location's
 * STORAGE_<NAME>_ROOT / _DRIVER: only the local driver is served. */
static int storage_locations(conf_t *c, arena_t *a, const struct source *s, char *err,
                             size_t errlen)
{
    const char *list = c->storage_locations ? c->storage_locations : "local";
    size_t cap = 1;
    for (const char *p = list; *p; p++)
        cap += *p == ',';
    c->storage = arena_calloc(a, cap, sizeof *c->storage);
    for (const char *p = list; p;) {
        const char *e = strchr(p, ',');
        const char *b = p, *end = e ? e : p + strlen(p);
        p = e ? e + 1 : NULL;
        while (b < end && isspace((unsigned char)*b))
            b++;
        while (end > b && isspace((unsigned char)end[-1]))
            end--;
        size_t n = (size_t)(end - b);
        if (!n || n >= 64)
            continue;
        char key[96], up[64];
        for (size_t i = 0; i < n; i++)
            up[i] = (char)toupper((unsigned char)b[i]);
        up[n] = 0;
        conf_storage_t *st = &c->storage[c->nstorage++];
        st->name = arena_strndup(a, b, n);
        snprintf(key, sizeof key, "STORAGE_%s_DRIVER", up);
        const struct kv *d = source_get(s, key);
        if (d && strcmp(d->val, "local") != 0) {
            snprintf(err, errlen, "%s: only the local driver is supported, not \"%s\"", key,
                     d->val);
            return -1;
        }
        snprintf(key, sizeof key, "STORAGE_%s_ROOT", up);
        const struct kv *r = source_get(s, key);
        st->root = r ? arena_strdup(a, r->val)
                     : (!strcmp(up, "LOCAL") ? c->storage_local_root : "./uploads");
    }
    return 0;
}

/* Cross-key rules that no single row can express. */
static int check_combinations(conf_t *c, char *err, size_t errlen)
{
    c->db_client = normalise_client(c->db_client);
    if (strcmp(c->db_client, "sqlite3") == 0 && !c->db_filename && !c->db_connection_string) {
        snprintf(err, errlen, "DB_FILENAME: required when DB_CLIENT is sqlite3");
        return -1;
    }
    if (c->rate_limiter_global_enabled && !c->rate_limiter_enabled) {
        snprintf(err, errlen, "RATE_LIMITER_GLOBAL_ENABLED: requires RATE_LIMITER_ENABLED=true");
        return -1;
    }
    if (c->rate_limiter_global_enabled &&
        per_second(c->rate_limiter_global_points, c->rate_limiter_global_duration) <=
            per_second(c->rate_limiter_points, c->rate_limiter_duration)) {
        snprintf(err, errlen, "RATE_LIMITER_GLOBAL_POINTS: the global rate limiter must allow "
                              "more requests per second than the IP based one");
        return -1;
    }
    if (c->query_limit_max != CONF_UNLIMITED && c->query_limit_default > c->query_limit_max) {
        snprintf(err, errlen, "QUERY_LIMIT_DEFAULT: larger than QUERY_LIMIT_MAX");
        return -1;
    }
    if (strncmp(c->fcgi_listen, "unix:", 5) != 0 && !strchr(c->fcgi_listen, ':')) {
        snprintf(err, errlen, "FCGI_LISTEN: \"%s\" is not unix:/path or host:port", c->fcgi_listen);
        return -1;
    }
    if (c->workers <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        c->workers = n > 0 ? (int)n : 1;
    }
    return 0;
}

int conf_load_from(conf_t *c, arena_t *a, char *const *env, const char *path, char *err,
                   size_t errlen)
{
    struct source s = {.a = a};
    memset(c, 0, sizeof(*c));
    for (char *const *e = env; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (eq)
            source_set(&s, *e, (size_t)(eq - *e), eq + 1, strlen(eq + 1), NULL, 0);
    }
    const struct kv *cp = source_get(&s, "CONFIG_PATH");
    int explicit = path || cp;
    if (!path)
        path = cp ? cp->val : "./.env";
    if (read_dotenv(&s, path, err, errlen, explicit) < 0 || resolve_file_keys(&s, err, errlen) < 0)
        return -1;
    c->config_path = arena_strdup(a, path);

    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const struct key *k = &keys[i];
        const struct kv *kv = source_get(&s, k->name);
        const char *v = kv ? strip_cast(kv->val) : k->def;
        if (!v)
            continue;
        if (set_value(c, a, k, v, err, errlen) < 0)
            return -1;
    }
    if (!source_get(&s, "REDIS_ENABLED"))
        for (size_t i = 0; i < s.n && !c->redis_enabled; i++)
            c->redis_enabled = !strcmp(s.v[i].key, "REDIS") || !strncmp(s.v[i].key, "REDIS_", 6);
    for (size_t i = 0; i < s.n; i++)
        if (s.v[i].file && !is_known(s.v[i].key))
            log_warn("%s:%d: %s is not a setting Celer knows; ignored", s.v[i].file, s.v[i].line,
                     s.v[i].key);
    if (!c->secret)
        random_secret(a, c);
    if (storage_locations(c, a, &s, err, errlen) < 0)
        return -1;
    return check_combinations(c, err, errlen);
}

int conf_load(conf_t *c, arena_t *a, char *err, size_t errlen)
{
    return conf_load_from(c, a, environ, NULL, err, errlen);
}
