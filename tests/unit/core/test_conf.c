/* Configuration: Directus names and defaults, dotenv parsing, file wins, bad values name the key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/core/conf.h"

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

static const char *write_file(const char *text)
{
    static char path[] = "/tmp/celer-conf-XXXXXX";
    strcpy(path, "/tmp/celer-conf-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_defaults_are_directus_defaults(void **state)
{
    (void)state;
    char *env[] = {"DB_FILENAME=/tmp/x.db", NULL};
    conf_t c;
    char err[256];
    assert_int_equal(conf_load_from(&c, a, env, "/nonexistent/.env", err, sizeof err), -1);
    const char *empty = write_file("");
    assert_int_equal(conf_load_from(&c, a, env, empty, err, sizeof err), 0);
    unlink(empty);
    assert_int_equal(c.port, 8055);
    assert_int_equal(c.max_payload_size, 1048576);
    assert_int_equal(c.query_limit_default, 100);
    assert_int_equal(c.query_limit_max, CONF_UNLIMITED);
    assert_int_equal(c.access_token_ttl_ms, 15 * 60 * 1000);
    assert_int_equal(c.refresh_token_ttl_ms, 7LL * 24 * 3600 * 1000);
    assert_string_equal(c.db_client, "sqlite3");
    assert_string_equal(c.cache_namespace, "system-cache");
    assert_string_equal(c.refresh_token_cookie_name, "directus_refresh_token");
    assert_false(c.cors_enabled);
    assert_true(c.secret_generated);
    assert_int_equal(strlen(c.secret), 64);
    assert_true(c.workers >= 1);
}

static void test_file_wins_and_dotenv_syntax(void **state)
{
    (void)state;
    const char *path = write_file("# comment\n"
                                  "export PORT=9000\n"
                                  "PUBLIC_URL = \"http://x.test\"  \n"
                                  "SECRET='s3 cr#t'\n"
                                  "DB_CLIENT=postgres # inline comment\n"
                                  "MAX_PAYLOAD_SIZE=2MB\n"
                                  "CACHE_TTL=30s\n"
                                  "ROBOTS_TXT=\"User-agent: *\\nAllow: /\"\n"
                                  "QUERY_LIMIT_MAX=number:500\n");
    char *env[] = {"PORT=1234", "SECRET=from-env", NULL};
    conf_t c;
    char err[256];
    assert_int_equal(conf_load_from(&c, a, env, path, err, sizeof err), 0);
    assert_int_equal(c.port, 9000);
    assert_string_equal(c.public_url, "http://x.test");
    assert_string_equal(c.secret, "s3 cr#t");
    assert_false(c.secret_generated);
    assert_string_equal(c.db_client, "pg");
    assert_int_equal(c.max_payload_size, 2 * 1048576);
    assert_int_equal(c.cache_ttl_ms, 30000);
    assert_string_equal(c.robots_txt, "User-agent: *\nAllow: /");
    assert_int_equal(c.query_limit_max, 500);
    unlink(path);
}

static void test_bad_values_name_the_key(void **state)
{
    (void)state;
    static const struct {
        const char *env, *key;
    } cases[] = {
        {"PORT=http", "PORT"},
        {"PORT=70000", "PORT"},
        {"MAX_PAYLOAD_SIZE=lots", "MAX_PAYLOAD_SIZE"},
        {"CACHE_ENABLED=yes", "CACHE_ENABLED"},
        {"CACHE_STORE=disk", "CACHE_STORE"},
        {"DB_CLIENT=oracle", "DB_CLIENT"},
        {"ACCESS_TOKEN_TTL=soon", "ACCESS_TOKEN_TTL"},
        {"LOG_LEVEL=loud", "LOG_LEVEL"},
        {"WORKERS=0", "WORKERS"},
        {"FCGI_LISTEN=nowhere", "FCGI_LISTEN"},
        {"QUERY_LIMIT_MAX=-5", "QUERY_LIMIT_MAX"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *env[] = {(char *)cases[i].env, "DB_FILENAME=/tmp/x.db", NULL};
        conf_t c;
        char err[256] = "";
        const char *path = write_file("");
        assert_int_equal(conf_load_from(&c, a, env, path, err, sizeof err), -1);
        assert_non_null(strstr(err, cases[i].key));
        unlink(path);
    }
}

static void test_sqlite_needs_a_filename(void **state)
{
    (void)state;
    char *env[] = {"DB_CLIENT=sqlite3", NULL};
    conf_t c;
    char err[256];
    const char *path = write_file("");
    assert_int_equal(conf_load_from(&c, a, env, path, err, sizeof err), -1);
    assert_non_null(strstr(err, "DB_FILENAME"));
    unlink(path);
}

static void test_file_indirection(void **state)
{
    (void)state;
    char secret_path[64];
    strcpy(secret_path, write_file("from-a-file\n"));
    char line[128];
    snprintf(line, sizeof line, "SECRET_FILE=%s", secret_path);
    char *env[] = {line, "DB_FILENAME=/tmp/x.db", NULL};
    conf_t c;
    char err[256];
    const char *path = write_file("");
    assert_int_equal(conf_load_from(&c, a, env, path, err, sizeof err), 0);
    assert_string_equal(c.secret, "from-a-file");
    unlink(path);
    unlink(secret_path);
}

static void test_units(void **state)
{
    (void)state;
    assert_int_equal(conf_parse_bytes("1mb"), 1048576);
    assert_int_equal(conf_parse_bytes("100kb"), 102400);
    assert_int_equal(conf_parse_bytes("512"), 512);
    assert_int_equal(conf_parse_bytes("1.5kb"), 1536);
    assert_int_equal(conf_parse_bytes("mb"), -1);
    assert_int_equal(conf_parse_ms("15m"), 900000);
    assert_int_equal(conf_parse_ms("7d"), 604800000);
    assert_int_equal(conf_parse_ms("500"), 500);
    assert_int_equal(conf_parse_ms("7500ms"), 7500);
    assert_int_equal(conf_parse_ms("1 hour"), 3600000);
    assert_int_equal(conf_parse_ms("later"), -1);
}

/* conf/celer.env documents the defaults: loading it must change nothing. */
static void test_sample_file_states_the_defaults(void **state)
{
    (void)state;
    char *env[] = {"DB_FILENAME=/tmp/x.db", "SECRET=s", NULL};
    conf_t d, s;
    char err[256];
    const char *empty = write_file("");
    assert_int_equal(conf_load_from(&d, a, env, empty, err, sizeof err), 0);
    unlink(empty);
    if (conf_load_from(&s, a, env, SOURCE_ROOT "/conf/celer.env", err, sizeof err) < 0)
        fail_msg("conf/celer.env: %s", err);
    /* Pointers differ, so compare every field through its printed value. */
#define SAME_INT(f) assert_int_equal(d.f, s.f)
#define SAME_STR(f) assert_string_equal(d.f ? d.f : "(null)", s.f ? s.f : "(null)")
    SAME_INT(port); SAME_INT(max_payload_size); SAME_INT(query_limit_default);
    SAME_INT(query_limit_max); SAME_INT(max_batch_mutation); SAME_INT(cors_enabled);
    SAME_INT(cors_max_age); SAME_INT(cache_ttl_ms); SAME_INT(cache_value_max_size);
    SAME_INT(rate_limiter_points); SAME_INT(access_token_ttl_ms); SAME_INT(refresh_token_ttl_ms);
    SAME_INT(session_cookie_ttl_ms); SAME_INT(login_stall_time); SAME_INT(log_level);
    SAME_INT(fcgi_socket_mode); SAME_INT(ip_trust_proxy); SAME_INT(websockets_heartbeat_period);
    SAME_INT(extensions_limit); SAME_INT(redis_port); SAME_INT(cache_control_s_maxage);
    SAME_STR(public_url); SAME_STR(fcgi_listen); SAME_STR(db_client); SAME_STR(cors_origin);
    SAME_STR(cors_methods); SAME_STR(cors_allowed_headers); SAME_STR(cache_namespace);
    SAME_STR(cache_auto_purge_ignore_list); SAME_STR(robots_txt); SAME_STR(root_redirect);
    SAME_STR(ip_custom_header); SAME_STR(refresh_token_cookie_name); SAME_STR(admin_email);
    SAME_STR(websockets_rest_path); SAME_STR(db_exclude_tables);
    SAME_INT(files_max_upload_size); SAME_STR(files_mime_type_allow_list);
    SAME_INT(assets_cache_ttl_ms); SAME_INT(assets_transform_max_operations);
    SAME_INT(assets_transform_image_max_dimension); SAME_STR(import_ip_deny_list);
    SAME_STR(assets_accel_prefix); SAME_INT(nstorage);
}

/* STORAGE_LOCATIONS: each location with its STORAGE_<NAME>_ROOT; only the local driver. */
static void test_storage_locations(void **state)
{
    (void)state;
    conf_t c;
    char err[256];
    char *env[] = {"DB_FILENAME=/tmp/x.db", "SECRET=s", "STORAGE_LOCATIONS=local, Extra ,",
                   "STORAGE_LOCAL_ROOT=/srv/up", "STORAGE_EXTRA_ROOT=/srv/extra", NULL};
    const char *empty = write_file("");
    assert_int_equal(conf_load_from(&c, a, env, empty, err, sizeof err), 0);
    assert_int_equal(c.nstorage, 2);
    assert_string_equal(c.storage[0].name, "local");
    assert_string_equal(c.storage[0].root, "/srv/up");
    assert_string_equal(c.storage[1].name, "Extra");
    assert_string_equal(c.storage[1].root, "/srv/extra");
    char *defaults[] = {"DB_FILENAME=/tmp/x.db", "SECRET=s", NULL};
    assert_int_equal(conf_load_from(&c, a, defaults, empty, err, sizeof err), 0);
    assert_int_equal(c.nstorage, 1);
    assert_string_equal(c.storage[0].root, "./uploads");
    char *s3[] = {"DB_FILENAME=/tmp/x.db", "SECRET=s", "STORAGE_LOCATIONS=s3",
                  "STORAGE_S3_DRIVER=s3", NULL};
    assert_int_equal(conf_load_from(&c, a, s3, empty, err, sizeof err), -1);
    assert_non_null(strstr(err, "STORAGE_S3_DRIVER"));
    unlink(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults_are_directus_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_wins_and_dotenv_syntax, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_values_name_the_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sqlite_needs_a_filename, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_indirection, setup, teardown),
        cmocka_unit_test(test_units),
        cmocka_unit_test_setup_teardown(test_sample_file_states_the_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storage_locations, setup, teardown),
    };
    return cmocka_run_group_tests_name("core/conf", tests, NULL, NULL);
}
