/*
 * Configuration under Directus's own variable names, read once from the process environment and
 * an optional dotenv file (CONFIG_PATH, default ./.env; file values win, as in Directus) into an
 * immutable conf_t. One declarative table lists every key with its type, default and bounds
 * (Redis config.c); conf/celer.env documents the same keys for operators.
 */
#ifndef LIB_CORE_CONF_H
#define LIB_CORE_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/core/arena.h"

/* Integer settings that Directus allows to be Infinity (QUERY_LIMIT_MAX, MAX_BATCH_MUTATION). */
#define CONF_UNLIMITED INT64_C(-1)

/* One storage location (STORAGE_LOCATIONS): its name and local folder. */
typedef struct {
    const char *name;
    const char *root;
} conf_storage_t;

typedef struct conf {
    /* Server and pool. */
    const char *host;
    int port;
    const char *public_url;
    const char *secret;
    bool secret_generated; /* SECRET was unset: a random one was made (per master) */
    const char *fcgi_listen;
    int fcgi_socket_mode;
    int workers;
    const char *pid_file;
    int log_level;
    const char *config_path;
    /* Requests. */
    int64_t max_payload_size;
    int max_relational_depth;
    int64_t query_limit_default;
    int64_t query_limit_max; /* CONF_UNLIMITED when unset */
    int64_t max_batch_mutation;
    const char *root_redirect;
    const char *robots_txt;
    bool ip_trust_proxy;
    const char *ip_custom_header; /* NULL when false */
    /* Database. */
    const char *db_client; /* normalised: "pg", "mysql" or "sqlite3" */
    const char *db_host;
    int db_port;
    const char *db_database;
    const char *db_user;
    const char *db_password;
    const char *db_filename;
    const char *db_connection_string;
    const char *db_search_path;
    const char *db_exclude_tables;
    /* CORS. */
    bool cors_enabled;
    const char *cors_origin;
    const char *cors_methods;
    const char *cors_allowed_headers;
    const char *cors_exposed_headers;
    bool cors_credentials;
    int cors_max_age;
    /* Cache and Redis. */
    bool cache_enabled;
    const char *cache_store;
    int64_t cache_ttl_ms;
    const char *cache_namespace;
    bool cache_auto_purge;
    const char *cache_auto_purge_ignore_list;
    bool cache_skip_allowed;
    int cache_control_s_maxage; /* -1 = not set (Directus's inert '0' default) */
    int64_t cache_value_max_size; /* CONF_UNLIMITED = false */
    bool cache_schema;
    const char *cache_status_header;
    int cache_healthcheck_threshold; /* ms above which /server/health's cache check warns */
    const char *redis;
    const char *redis_host;
    int redis_port;
    const char *redis_username;
    const char *redis_password;
    int redis_db;
    /* REDIS_ENABLED (Directus's redisConfigAvailable()): when unset, true as soon as REDIS or
     * any REDIS_* key is set. Gates what needs Redis without a store setting of its own (the
     * cross-process bus); CACHE_STORE / RATE_LIMITER_STORE=redis connect regardless. */
    bool redis_enabled;
    /* Rate limiting. */
    bool rate_limiter_enabled;
    const char *rate_limiter_store;
    int rate_limiter_points;
    int rate_limiter_duration;
    bool rate_limiter_global_enabled;
    int rate_limiter_global_points;
    int rate_limiter_global_duration;
    int rate_limiter_healthcheck_threshold;        /* ms, /server/health */
    int rate_limiter_global_healthcheck_threshold; /* ms, /server/health */
    /* Authentication. */
    int64_t access_token_ttl_ms;
    int64_t refresh_token_ttl_ms;
    const char *refresh_token_cookie_name;
    bool refresh_token_cookie_secure;
    const char *refresh_token_cookie_same_site;
    const char *refresh_token_cookie_domain;
    int64_t session_cookie_ttl_ms;
    const char *session_cookie_name;
    bool session_cookie_secure;
    const char *session_cookie_same_site;
    const char *session_cookie_domain;
    int64_t session_refresh_grace_period_ms;
    int login_stall_time;
    int hash_memory_cost, hash_time_cost, hash_parallelism, hash_hash_length;
    int hash_type;                      /* 0 argon2d, 1 argon2i, 2 argon2id */
    const char *hash_associated_data;   /* NULL: none */
    const char *admin_email;
    const char *admin_password;
    const char *admin_token;
    bool auth_disable_default;          /* AUTH_DISABLE_DEFAULT: no /auth/login for local users */
    const char *password_reset_url_allow_list; /* comma list of reset_url values allowed */
    /* Email (password reset mails; /server/health's email:connection check). */
    const char *email_from;
    const char *email_transport;          /* "sendmail" or "smtp" */
    const char *email_sendmail_path;
    const char *email_sendmail_new_line; /* "unix" (LF) or "windows" (CRLF) */
    const char *email_smtp_host;         /* NULL: localhost, as nodemailer */
    int email_smtp_port;                 /* 0: 465 when secure, else 587, as nodemailer */
    const char *email_smtp_user;
    const char *email_smtp_password;
    bool email_smtp_secure;              /* TLS from the first byte (smtps) */
    bool email_smtp_ignore_tls;          /* never STARTTLS */
    const char *email_smtp_name;         /* EHLO name; NULL: the host name */
    /* Server info. */
    bool websockets_enabled;
    bool websockets_rest_enabled;
    const char *websockets_rest_path;
    const char *websockets_rest_auth;
    bool websockets_graphql_enabled;
    const char *websockets_graphql_path;
    const char *websockets_graphql_auth;
    bool websockets_heartbeat_enabled;
    int websockets_heartbeat_period;
    bool websockets_logs_enabled;
    const char *websockets_logs_level;
    int extensions_limit; /* -1 = unset (null in /server/info) */
    const char *storage_locations;
    const char *storage_local_root; /* the `local` location's folder (health check, files) */
    /* Files and assets. */
    conf_storage_t *storage; /* STORAGE_LOCATIONS in order, each with its root folder */
    size_t nstorage;
    int64_t files_max_upload_size;          /* CONF_UNLIMITED when unset */
    const char *files_mime_type_allow_list; /* comma list of minimatch patterns */
    int64_t assets_cache_ttl_ms;
    int assets_transform_max_operations;
    int assets_transform_image_max_dimension;
    const char *import_ip_deny_list; /* POST /files/import: addresses never fetched from */
    const char *assets_accel_prefix; /* the internal nginx location over the storage roots */
} conf_t;

/* Reads the environment and the file named by CONFIG_PATH (default ./.env) into c, allocating
 * strings from a, which must live as long as c. On a bad value returns -1 and writes a message
 * naming the key into err (errlen bytes). Keys of the file that Celer does not use are logged
 * with file:line. */
int conf_load(conf_t *c, arena_t *a, char *err, size_t errlen);

/* Same, from an explicit environment (NULL-terminated "KEY=VALUE" strings) and file path (NULL:
 * CONFIG_PATH from env, else ./.env). For tests and reloads. */
int conf_load_from(conf_t *c, arena_t *a, char *const *env, const char *path, char *err,
                   size_t errlen);

/* Directus `bytes` syntax ("1mb", "100kb", "512"): bytes, or -1 when malformed. */
int64_t conf_parse_bytes(const char *s);

/* Directus `ms` syntax ("15m", "7d", "500ms", "10s", "1500"): milliseconds, or -1 when malformed. */
int64_t conf_parse_ms(const char *s);

#endif
