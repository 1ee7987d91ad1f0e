/*
 * celer-fcgi bootstrap: what `directus bootstrap` does to an empty database, so that the result
 * opens in Directus 11.3.5 as if Directus had made it. It creates the system tables
 * (sql/<dialect>/schema.sql), records every migration and adds the public policy
 * (sql/<dialect>/data.sql), then inserts the rows Directus makes with fresh random ids: the
 * access row of the public policy and the first administrator (role, policy, access, user).
 *
 * A database that already has Directus's tables is left alone. PostgreSQL and SQLite get all of
 * it in one transaction. MySQL commits every DDL statement on its own, so there the run is made
 * restartable instead: tables are created IF NOT EXISTS, the rows go in one transaction guarded
 * by "no migrations recorded yet", and directus_collections, the table Directus tests to decide
 * that a database is installed, is created last. An interrupted run never looks installed and the
 * next one finishes it.
 */
#include "fcgi-app/cmd_bootstrap.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "lib/auth/password.h"
#include "lib/core/arena.h"
#include "lib/core/buf.h"
#include "lib/core/err.h"
#include "lib/core/log.h"
#include "lib/core/str.h"
#include "lib/db/db.h"

/* Directus's defaults for the first administrator (api/src/cli/utils/defaults.ts). */
#define ADMIN_NAME "Administrator"
#define ADMIN_ICON "verified"
#define ADMIN_DESCRIPTION "$t:admin_description"
#define PUBLIC_POLICY_ID "abf8a154-5b1c-4a46-ac9c-7300570f4f17"
/* Directus makes a missing ADMIN_PASSWORD with nanoid(12). */
#define RANDOM_PASSWORD_LENGTH 12
/* Directus's waitForDatabase(): 5 tries, 5 s apart. */
#define CONNECT_TRIES 5
#define CONNECT_PAUSE 5
/* The SQL files are small; anything bigger is not ours. */
#define MAX_SQL_FILE (4u << 20)

typedef struct {
    const conf_t *conf;
    arena_t *a;
    db_conn_t *db;
    db_dialect_t dialect;
    err_t e;
} boot_t;

static int usage(FILE *f)
{
    fputs("usage: celer-fcgi bootstrap [--sql-dir DIR]\n"
          "\n"
          "Creates Directus 11.3.5's system tables and a first administrator in an empty\n"
          "database, as `directus bootstrap` does, so that Directus 11.3.5 and Celer both open\n"
          "it. A database that already has Directus's tables is left as it is.\n"
          "\n"
          "Settings (environment, or the CONFIG_PATH file; Directus's names):\n"
          "  DB_CLIENT, DB_*   the database (sqlite3: DB_FILENAME)\n"
          "  ADMIN_EMAIL       the administrator's email (default admin@example.com)\n"
          "  ADMIN_PASSWORD    their password (default: a random one, printed at the end)\n"
          "  ADMIN_TOKEN       their static token (default: none)\n"
          "  PROJECT_NAME      the project name in directus_settings (environment only)\n"
          "\n"
          "Options:\n"
          "  --sql-dir DIR     the folder holding <dialect>/schema.sql and data.sql (default:\n"
          "                    ../sql or ../share/celer/sql beside the binary, then\n"
          "                    /usr/local/share/celer/sql, /usr/share/celer/sql, ./sql)\n"
          "  -h, --help        this text\n",
          f);
    return f == stdout ? 0 : 2;
}

/* ------------------------------------------------------------------ the SQL files */

static const char *dialect_dir(db_dialect_t d)
{
    return d == DB_PG ? "pg" : d == DB_MYSQL ? "mysql" : "sqlite";
}

static bool is_sql_dir(arena_t *a, const char *dir, db_dialect_t d)
{
    return access(arena_printf(a, "%s/%s/schema.sql", dir, dialect_dir(d)), R_OK) == 0;
}

/* The folder of the running binary, or NULL. */
static const char *exe_dir(arena_t *a)
{
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0)
        return NULL;
    path[n] = '\0';
    char *slash = strrchr(path, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    return arena_strdup(a, path);
}

/* Where sql/ is: the option, else beside the binary as built (build/celer-fcgi next to sql/) or
 * installed (bin/ next to share/celer/sql), else the system locations the packages use, else
 * ./sql. */
static const char *find_sql_dir(arena_t *a, const char *opt, db_dialect_t d)
{
    if (opt)
        return is_sql_dir(a, opt, d) ? opt : NULL;
    const char *exe = exe_dir(a);
    const char *candidates[] = {
        exe ? arena_printf(a, "%s/../sql", exe) : NULL,
        exe ? arena_printf(a, "%s/../share/celer/sql", exe) : NULL,
        "/usr/local/share/celer/sql",
        "/usr/share/celer/sql",
        "sql", /* a build elsewhere, run from the source tree */
    };
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
        if (candidates[i] && is_sql_dir(a, candidates[i], d))
            return candidates[i];
    return NULL;
}

/* The whole file in the arena, NUL-terminated; NULL after printing why. */
static char *read_sql(arena_t *a, const char *dir, db_dialect_t d, const char *name)
{
    const char *path = arena_printf(a, "%s/%s/%s", dir, dialect_dir(d), name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "celer-fcgi bootstrap: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    buf_t b;
    buf_init(&b, a, 64 * 1024);
    char chunk[16384];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.n <= MAX_SQL_FILE)
        buf_append(&b, chunk, n);
    bool bad = ferror(f) || b.n > MAX_SQL_FILE || memchr(b.p, '\0', b.n);
    fclose(f);
    if (bad) {
        fprintf(stderr, "celer-fcgi bootstrap: cannot read %s\n", path);
        return NULL;
    }
    return b.p;
}

/* Skips blanks and comments: "--" to the end of the line, and C-style block comments. */
static const char *skip_blank(const char *p)
{
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (p[0] == '-' && p[1] == '-') {
            p += strcspn(p, "\n");
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            p = end ? end + 2 : p + strlen(p);
        } else {
            return p;
        }
    }
}

/* The next statement of a script: the text up to a ';' that is outside quotes ('', "", ``) and
 * comments, without the ';' and without leading blanks and comments; empty statements are
 * skipped. *pos moves past it. Returns false at the end of the script. The files under sql/ hold
 * plain DDL and INSERTs, no procedure bodies, so this is all the splitting they need. */
static bool next_statement(arena_t *a, const char **pos, const char **stmt)
{
    const char *start = skip_blank(*pos), *p;
    while (*start == ';') /* an empty statement */
        start = skip_blank(start + 1);
    if (!*start)
        return false;
    p = start;
    while (*p && *p != ';') {
        if (*p == '\'' || *p == '"' || *p == '`') {
            const char *close = strchr(p + 1, *p); /* '' inside a literal is two literals */
            p = close ? close + 1 : p + strlen(p);
        } else if ((p[0] == '-' && p[1] == '-') || (p[0] == '/' && p[1] == '*')) {
            p = skip_blank(p);
        } else {
            p++;
        }
    }
    size_t n = (size_t)(p - start);
    while (n > 0 && (start[n - 1] == ' ' || start[n - 1] == '\n' || start[n - 1] == '\r'))
        n--;
    *stmt = arena_strndup(a, start, n);
    *pos = *p ? p + 1 : p;
    return true;
}

/* Does the statement create directus_collections (in any of the three quotings)? */
static bool creates_collections(const char *stmt)
{
    static const char *const heads[] = {
        "CREATE TABLE IF NOT EXISTS `directus_collections`",
        "CREATE TABLE `directus_collections`",
        "CREATE TABLE \"directus_collections\"",
        "CREATE TABLE directus_collections",
    };
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++)
        if (!strncmp(stmt, heads[i], strlen(heads[i])))
            return true;
    return false;
}

enum { RUN_ALL, RUN_BUT_COLLECTIONS, RUN_ONLY_COLLECTIONS };

/* Runs the statements of a script, all of them or with/without the one creating
 * directus_collections. 0, or -1 with b->e set (the driver has logged the statement). */
static int run_script(boot_t *b, const char *script, int which)
{
    const char *pos = script, *stmt;
    while (next_statement(b->a, &pos, &stmt)) {
        bool marker = creates_collections(stmt);
        if ((which == RUN_BUT_COLLECTIONS && marker) || (which == RUN_ONLY_COLLECTIONS && !marker))
            continue;
        if (db_exec(b->db, b->a, &b->e, stmt, NULL, 0, NULL))
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ statements with values */

/* The statements below are written once with '?' placeholders and "quoted" identifiers; this
 * gives the dialect's form: $n (PG), ?n (SQLite), ? and `quoted` (MySQL). They hold no string
 * literals, so every '?' and '"' is syntax. Values are always bound. */
static const char *sql_for(boot_t *b, const char *generic)
{
    buf_t out;
    buf_init(&out, b->a, strlen(generic) + 32);
    int n = 0;
    for (const char *p = generic; *p; p++) {
        if (*p == '?' && b->dialect != DB_MYSQL)
            buf_printf(&out, b->dialect == DB_PG ? "$%d" : "?%d", ++n);
        else if (*p == '"' && b->dialect == DB_MYSQL)
            buf_putc(&out, '`');
        else
            buf_putc(&out, *p);
    }
    return out.p;
}

static int exec_values(boot_t *b, const char *generic, const db_value_t *v, size_t n,
                       db_result_t *out)
{
    return db_exec(b->db, b->a, &b->e, sql_for(b, generic), v, n, out);
}

static db_value_t text(const char *s)
{
    return s ? (db_value_t){.type = DB_TEXT, .s = str_c(s)} : (db_value_t){.type = DB_NULL};
}

static db_value_t boolean(bool v)
{
    return (db_value_t){.type = DB_BOOL, .i = v};
}

/* A random (version 4) UUID in lower case, as node's crypto.randomUUID() makes Directus's ids. */
static const char *uuid_v4(boot_t *b)
{
    unsigned char r[16];
    size_t got = 0;
    while (got < sizeof r) {
        ssize_t n = getrandom(r + got, sizeof r - got, 0);
        if (n < 0 && errno != EINTR) {
            log_error("getrandom failed: %s", strerror(errno));
            abort(); /* the kernel's CSPRNG does not fail on Linux >= 3.17 */
        }
        got += n > 0 ? (size_t)n : 0;
    }
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    return arena_printf(
        b->a, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0], r[1],
        r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
}

/* ------------------------------------------------------------------ what is already there */

typedef struct {
    bool collections, migrations; /* the tables exist */
    int64_t recorded;             /* rows in directus_migrations (when it exists) */
} found_t;

static int probe(boot_t *b, found_t *f)
{
    const char *q =
        b->dialect == DB_SQLITE ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN "
                                  "('directus_collections', 'directus_migrations')"
        : b->dialect == DB_PG
            ? "SELECT table_name FROM information_schema.tables WHERE table_schema = "
              "current_schema() AND table_name IN ('directus_collections', 'directus_migrations')"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
              "AND table_name IN ('directus_collections', 'directus_migrations')";
    db_result_t r;
    if (db_exec(b->db, b->a, &b->e, q, NULL, 0, &r))
        return -1;
    for (size_t i = 0; i < r.nrows; i++) {
        const db_value_t *v = db_cell(&r, i, 0);
        f->collections |= v->type == DB_TEXT && str_eq_c(v->s, "directus_collections");
        f->migrations |= v->type == DB_TEXT && str_eq_c(v->s, "directus_migrations");
    }
    f->recorded = 0;
    if (!f->migrations)
        return 0;
    if (db_exec(b->db, b->a, &b->e, "SELECT COUNT(*) FROM directus_migrations", NULL, 0, &r))
        return -1;
    const db_value_t *v = db_cell(&r, 0, 0);
    f->recorded = v && v->type == DB_INT ? v->i : v && v->type == DB_TEXT ? atoll(v->s.p) : 0;
    return 0;
}

/* ------------------------------------------------------------------ the rows */

typedef struct {
    const char *email, *password, *token, *project_name;
    bool password_generated;
} admin_t;

/* The access row that makes the public policy public: Directus's migration 20240806A inserts it
 * with a random id, role and user NULL, sort 1. */
static int insert_public_access(boot_t *b)
{
    db_value_t v[] = {text(uuid_v4(b)), text(PUBLIC_POLICY_ID)};
    return exec_values(b,
                       "INSERT INTO directus_access (id, role, \"user\", policy, sort) "
                       "VALUES (?, NULL, NULL, ?, 1)",
                       v, 2, NULL);
}

/* Role, policy, access and user, in the order and with the values of Directus's
 * createDefaultAdmin(); every other column keeps its default (provider 'default',
 * email_notifications true, enforce_tfa false, access sort NULL). */
static int insert_admin(boot_t *b, const admin_t *adm, const char *hash)
{
    const char *role = uuid_v4(b), *policy = uuid_v4(b);
    db_value_t r[] = {text(role), text(ADMIN_NAME), text(ADMIN_ICON), text(ADMIN_DESCRIPTION)};
    db_value_t p[] = {text(policy),  text(ADMIN_NAME), text(ADMIN_ICON), text(ADMIN_DESCRIPTION),
                      boolean(true), boolean(true)};
    db_value_t a[] = {text(uuid_v4(b)), text(role), text(policy)};
    db_value_t u[] = {text(uuid_v4(b)), text("Admin"),  text("User"), text(adm->email),
                      text(hash),       text("active"), text(role),   text(adm->token)};
    if (exec_values(b,
                    "INSERT INTO directus_roles (id, name, icon, description) VALUES (?, ?, ?, ?)",
                    r, 4, NULL) ||
        exec_values(b,
                    "INSERT INTO directus_policies (id, name, icon, description, admin_access, "
                    "app_access) VALUES (?, ?, ?, ?, ?, ?)",
                    p, 6, NULL) ||
        exec_values(b, "INSERT INTO directus_access (id, role, policy) VALUES (?, ?, ?)", a, 3,
                    NULL))
        return -1;
    return exec_values(b,
                       "INSERT INTO directus_users (id, first_name, last_name, email, password, "
                       "status, role, token) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       u, 8, NULL);
}

/* The rows of data.sql and the ones above, then PROJECT_NAME as Directus's upsertSingleton()
 * stores it into the still empty settings. */
static int insert_rows(boot_t *b, const char *data, const admin_t *adm, const char *hash)
{
    if (run_script(b, data, RUN_ALL) || insert_public_access(b) || insert_admin(b, adm, hash))
        return -1;
    if (!adm->project_name)
        return 0;
    db_value_t v[] = {text(adm->project_name)};
    return exec_values(b, "INSERT INTO directus_settings (project_name) VALUES (?)", v, 1, NULL);
}

/* ------------------------------------------------------------------ the two ways to install */

/* PostgreSQL and SQLite: everything or nothing. */
static int install_atomic(boot_t *b, const char *schema, const char *data, const admin_t *adm,
                          const char *hash)
{
    if (db_begin(b->db, b->a, &b->e))
        return -1;
    if (run_script(b, schema, RUN_ALL) || insert_rows(b, data, adm, hash)) {
        err_t ignored = {0};
        db_rollback(b->db, b->a, &ignored);
        return -1;
    }
    return db_commit(b->db, b->a, &b->e);
}

/* MySQL: DDL commits as it goes, so each step can be repeated (see the top of the file).
 * *rows_added tells whether this run inserted the rows or found them from an earlier one. */
static int install_restartable(boot_t *b, const char *schema, const char *data, const admin_t *adm,
                               const char *hash, bool *rows_added)
{
    if (run_script(b, schema, RUN_BUT_COLLECTIONS))
        return -1;
    found_t f = {0};
    if (probe(b, &f))
        return -1;
    *rows_added = f.recorded == 0;
    if (*rows_added) {
        if (db_begin(b->db, b->a, &b->e))
            return -1;
        if (insert_rows(b, data, adm, hash)) {
            err_t ignored = {0};
            db_rollback(b->db, b->a, &ignored);
            return -1;
        }
        if (db_commit(b->db, b->a, &b->e))
            return -1;
    }
    return run_script(b, schema, RUN_ONLY_COLLECTIONS);
}

/* ------------------------------------------------------------------ the administrator */

/* A DNS label: letters, digits and inner hyphens, at most 63 bytes. */
static bool label_ok(const char *s, size_t n)
{
    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = (char)(s[i] | 0x20);
        if (s[i] != '-' && !(s[i] >= '0' && s[i] <= '9') && !(c >= 'a' && c <= 'z'))
            return false;
    }
    return true;
}

/* The shape Directus's Joi.string().email() insists on, short of its list of top-level domains:
 * one '@', a local part without blanks or specials, a domain of at least two DNS labels. Directus
 * refuses the rest (admin@localhost included) with FAILED_VALIDATION; so does this. */
static bool email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@') || strlen(s) > 254 || at - s > 64)
        return false;
    for (const char *p = s; p < at; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p == 0x7f || strchr("()<>[]:;,\\\"", *p))
            return false;
    const char *label = at + 1, *dot;
    if (!strchr(label, '.'))
        return false;
    while ((dot = strchr(label, '.'))) {
        if (!label_ok(label, (size_t)(dot - label)))
            return false;
        label = dot + 1;
    }
    return label_ok(label, strlen(label));
}

static int admin_from_conf(boot_t *b, admin_t *adm)
{
    const conf_t *c = b->conf;
    adm->email = c->admin_email && *c->admin_email ? c->admin_email : "admin@example.com";
    if (!email_ok(adm->email)) {
        fprintf(stderr, "celer-fcgi bootstrap: ADMIN_EMAIL \"%s\" is not a valid email address\n",
                adm->email);
        return -1;
    }
    adm->password = c->admin_password && *c->admin_password ? c->admin_password : NULL;
    if (!adm->password) {
        adm->password = password_random(b->a, RANDOM_PASSWORD_LENGTH);
        adm->password_generated = true;
        if (!adm->password)
            return -1;
    }
    adm->token = c->admin_token && *c->admin_token ? c->admin_token : NULL;
    /* PROJECT_NAME is not in conf_t (yet): only the environment can carry it here. */
    const char *pn = getenv("PROJECT_NAME");
    adm->project_name = pn && *pn ? pn : NULL;
    return 0;
}

static void report_done(const boot_t *b, const admin_t *adm, bool rows_added)
{
    printf("celer-fcgi bootstrap: Directus 11.3.5 system tables created (%s)\n",
           db_client_name(b->db));
    if (!rows_added) {
        printf("celer-fcgi bootstrap: finished an interrupted bootstrap; the administrator was "
               "created by the earlier run\n");
        return;
    }
    if (adm->project_name)
        printf("  project name:   %s\n", adm->project_name);
    printf("  admin email:    %s\n", adm->email);
    printf("  admin password: %s%s\n", adm->password,
           adm->password_generated ? "   (generated: ADMIN_PASSWORD was not set)" : "");
    if (adm->token)
        printf("  admin token:    set from ADMIN_TOKEN\n");
}

/* ------------------------------------------------------------------ the command */

/* Like Directus's bootstrap, gives a database that is still starting (docker compose) five
 * tries, five seconds apart. */
static int wait_for_database(boot_t *b)
{
    for (int i = 1; i < CONNECT_TRIES; i++) {
        err_t e = {0};
        if (db_connect(b->db, b->a, &e) == 0)
            return 0;
        fprintf(stderr, "celer-fcgi bootstrap: no database yet (try %d of %d), retrying in %d s\n",
                i, CONNECT_TRIES, CONNECT_PAUSE);
        sleep(CONNECT_PAUSE);
    }
    return db_connect(b->db, b->a, &b->e);
}

static int run(boot_t *b, const char *sql_opt)
{
    found_t f = {0};
    if (wait_for_database(b) || probe(b, &f))
        return -1;
    bool resume = b->dialect == DB_MYSQL && !f.collections && f.migrations;
    if ((f.collections || f.migrations) && !resume) {
        printf("celer-fcgi bootstrap: the database already has Directus's system tables (%s); "
               "nothing to do\n",
               f.collections ? "directus_collections" : "directus_migrations");
        return 0;
    }
    const char *dir = find_sql_dir(b->a, sql_opt, b->dialect);
    if (!dir) {
        fprintf(stderr, "celer-fcgi bootstrap: cannot find %s/schema.sql (use --sql-dir)\n",
                dialect_dir(b->dialect));
        return 1;
    }
    const char *schema = read_sql(b->a, dir, b->dialect, "schema.sql");
    const char *data = schema ? read_sql(b->a, dir, b->dialect, "data.sql") : NULL;
    admin_t adm = {0};
    if (!data || admin_from_conf(b, &adm))
        return 1;
    if (resume)
        printf("celer-fcgi bootstrap: finishing an interrupted bootstrap\n");
    /* Hashing takes a moment and 64 MiB: done before any lock is taken. */
    password_params_t params = password_params(b->conf);
    const char *hash = password_hash(b->a, str_c(adm.password), &params);
    if (!hash)
        return 1;
    bool rows_added = true;
    int rc = b->dialect == DB_MYSQL ? install_restartable(b, schema, data, &adm, hash, &rows_added)
                                    : install_atomic(b, schema, data, &adm, hash);
    if (rc)
        return -1;
    report_done(b, &adm, rows_added);
    return 0;
}

int cmd_bootstrap(const conf_t *conf, int argc, char **argv)
{
    const char *sql_dir = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return usage(stdout);
        if (!strcmp(argv[i], "--sql-dir") && i + 1 < argc)
            sql_dir = argv[++i];
        else if (!strncmp(argv[i], "--sql-dir=", 10))
            sql_dir = argv[i] + 10;
        else
            return usage(stderr);
    }
    if (!conf)
        return usage(stderr);
    boot_t b = {.conf = conf, .a = arena_new()};
    b.db = db_new(conf);
    b.dialect = db_dialect(b.db);
    int rc = run(&b, sql_dir);
    if (rc < 0)
        fprintf(stderr, "celer-fcgi bootstrap: failed: %s\n",
                b.e.message ? b.e.message : "see the log above");
    db_free(b.db);
    arena_free(b.a);
    return rc < 0 ? 1 : rc;
}
