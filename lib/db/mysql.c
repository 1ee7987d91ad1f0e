/*
 * MySQL / MariaDB backend (MariaDB Connector/C). Statements are server-side prepared
 * (mysql_stmt_prepare) once per connection and kept in the LRU cache keyed by SQL text; values
 * are bound with MYSQL_BIND and rows come back in the binary protocol, read one at a time
 * (nothing is buffered twice). The connection speaks utf8mb4, reports matched rather than changed
 * rows for UPDATE (CLIENT_FOUND_ROWS, as mysql2 does under Directus) and never reconnects on its
 * own: db.c decides when that is safe.
 *
 * Memory: every result byte is copied into the request arena — column names, strings (through a
 * per-column scratch buffer, or fetched straight into an arena buffer of the right size when a
 * value is longer than the scratch) and formatted dates. Nothing points into libmariadb buffers.
 *
 * Types: integers (tinyint(1) columns are reported DB_COL_BOOL, values stay integers), doubles,
 * DECIMAL as its exact text, DATE/TIME/DATETIME/TIMESTAMP formatted as the server prints them,
 * JSON as text (DB_COL_JSON when the field metadata says json), binary strings as blobs.
 */
#include "lib/db/driver.h"

#include <errmsg.h>
#include <inttypes.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/core/log.h"

#define CONNECT_TIMEOUT 5 /* seconds */
#define SCRATCH_MAX 4096  /* per string column; longer values are fetched in a second step */
#define BINARY_CHARSET 63 /* charsetnr of binary strings (BLOB, VARBINARY) */

static MYSQL *handle(db_conn_t *c)
{
    return c->h;
}

/* ---- connection -------------------------------------------------------------------------- */

typedef struct {
    char *host, *user, *password, *database;
    unsigned port;
} target_t;

/* %XX in place. */
static void url_decode(char *s)
{
    char *o = s;
    for (; s && *s; s++) {
        unsigned v;
        if (*s == '%' && sscanf(s + 1, "%2x", &v) == 1 && s[1] && s[2]) {
            *o++ = (char)v;
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    if (o)
        *o = '\0';
}

/* mysql://user:pass@host:port/db?options, carved in place (u is a private copy). */
static int parse_url(char *u, target_t *t)
{
    char *p = strstr(u, "://");
    if (!p)
        return -1;
    p += 3;
    char *end = p + strcspn(p, "/?#");
    char *path = *end == '/' ? end + 1 : NULL;
    *end = '\0';
    char *at = strrchr(p, '@');
    if (at) {
        *at = '\0';
        char *colon = strchr(p, ':');
        if (colon) {
            *colon = '\0';
            t->password = colon + 1;
        }
        t->user = p;
        p = at + 1;
    }
    char *colon = NULL;
    if (*p == '[') { /* [::1]:3306 */
        char *close = strchr(p, ']');
        if (!close)
            return -1;
        *close = '\0';
        colon = close[1] == ':' ? close + 1 : NULL;
        p++;
    } else {
        colon = strrchr(p, ':');
    }
    if (colon) {
        *colon = '\0';
        t->port = (unsigned)strtoul(colon + 1, NULL, 10);
    }
    t->host = *p ? p : NULL;
    if (path) {
        path[strcspn(path, "?#")] = '\0';
        t->database = *path ? path : NULL;
    }
    url_decode(t->user);
    url_decode(t->password);
    url_decode(t->database);
    return 0;
}

static void set_options(MYSQL *m, const target_t *t)
{
    unsigned timeout = CONNECT_TIMEOUT;
    mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    my_bool off = 0;
    mysql_optionsv(m, MYSQL_OPT_RECONNECT, &off);
    unsigned no_infile = 0;
    mysql_optionsv(m, MYSQL_OPT_LOCAL_INFILE, &no_infile);
    if (t->host) {
        /* mysql2 always uses TCP; libmariadb would take "localhost" as the default socket. */
        unsigned tcp = MYSQL_PROTOCOL_TCP;
        mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &tcp);
    }
}

static int my_open(db_conn_t *c)
{
    const conf_t *f = c->conf;
    target_t t = {(char *)f->db_host, (char *)f->db_user, (char *)f->db_password,
                  (char *)f->db_database, (unsigned)f->db_port};
    char *url = NULL;
    if (f->db_connection_string) {
        url = strdup(f->db_connection_string);
        memset(&t, 0, sizeof t);
        if (!url || parse_url(url, &t)) {
            log_error("db mysql: DB_CONNECTION_STRING is not a mysql://user:pass@host:port/db URL");
            free(url);
            return -1;
        }
    }
    MYSQL *m = mysql_init(NULL);
    set_options(m, &t);
    MYSQL *ok = mysql_real_connect(m, t.host, t.user, t.password, t.database, t.port, NULL,
                                   CLIENT_FOUND_ROWS);
    free(url);
    if (!ok) {
        /* The server's reason names the user and host at most, never the password. */
        log_error("db mysql: cannot connect: %s", mysql_error(m));
        mysql_close(m);
        return -1;
    }
    c->h = m;
    return 0;
}

static void my_stmt_free(db_conn_t *c, void *h)
{
    (void)c;
    mysql_stmt_close(h);
}

/* mysql_close detaches the prepared statements first, so closing them afterwards only frees
 * memory instead of talking to a server that may be gone. */
static void my_close(db_conn_t *c)
{
    mysql_close(handle(c));
    c->h = NULL;
    db_cache_clear(c);
}

/* An idle connection receives nothing unless the server is closing it (restart, wait_timeout,
 * KILL): anything readable before a statement means it is dead. */
static bool alive(MYSQL *m)
{
    struct pollfd p = {.fd = (int)mysql_get_socket(m), .events = POLLIN};
    return p.fd >= 0 && poll(&p, 1, 0) == 0;
}

/* CR_SERVER_GONE_ERROR means the request could not be written; the others that the server went
 * away after it may have started. */
static db_drv_status_t lost_status(unsigned err)
{
    switch (err) {
    case CR_SERVER_GONE_ERROR:
        return DB_DRV_LOST_UNSENT;
    case CR_SERVER_LOST:
    case CR_SERVER_LOST_EXTENDED:
    case ER_CONNECTION_KILLED:
    case ER_SERVER_SHUTDOWN:
    case 4031: /* ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8) */
        return DB_DRV_LOST;
    default:
        return DB_DRV_OK;
    }
}

/* ---- errors ------------------------------------------------------------------------------ */

/* The last occurrence of needle in s (a duplicate value may itself contain the needle). */
static const char *last_of(const char *s, const char *needle)
{
    const char *found = NULL;
    for (const char *p = s; (p = strstr(p, needle)); p++)
        found = p;
    return found;
}

static bool starts_ends(const char *s, const char *head, size_t hn, const char *tail)
{
    size_t n = strlen(s), tn = strlen(tail);
    return n > hn + tn && !strncmp(s, head, hn) && s[hn] == '_' && !strcmp(s + n - tn, tail);
}

/* "Duplicate entry '<value>' for key '<index>'" (MySQL 8: '<table>.<index>'). Knex names unique
 * indexes <table>_<field>_unique, which is how Directus recovers the field. Where MariaDB omits
 * the table, Directus guesses it as the index name up to the first '_'; the table of the
 * statement is used instead when the index name starts with it, which gets tables with '_' in
 * their name right and agrees with Directus everywhere else. */
static void dup_entry(arena_t *a, const char *msg, const char *sql, db_constraint_t *k)
{
    const char *kp = last_of(msg, "for key '");
    const char *close = strrchr(msg, '\'');
    if (!kp || close < kp + 9)
        return;
    char *index = arena_strndup(a, kp + 9, (size_t)(close - kp - 9));
    char *dot = strchr(index, '.');
    const char *table = db_enclosed(a, sql, '`', '`', 0);
    if (dot) {
        *dot = '\0';
        k->collection = index;
        index = dot + 1;
    } else if (table && starts_ends(index, table, strlen(table), "")) {
        k->collection = table;
    } else if (strchr(index, '_')) {
        k->collection = arena_strndup(a, index, strcspn(index, "_"));
    }
    size_t cn = k->collection ? strlen(k->collection) : 0;
    if (k->collection && starts_ends(index, k->collection, cn, "_unique"))
        k->field = arena_strndup(a, index + cn + 1, strlen(index) - cn - 1 - 7);
    k->primary_key = !strcmp(index, "PRIMARY");
}

/* Errors whose message names only identifiers or SQL text; the others may quote a value, which
 * is masked before logging. */
static bool message_is_safe(unsigned err)
{
    static const unsigned safe[] = {1048, 1054, 1064, 1136, 1146, 1149, 1364, 1451, 1452, 4025};
    for (size_t i = 0; i < sizeof safe / sizeof safe[0]; i++)
        if (safe[i] == err)
            return true;
    return false;
}

static bool is_alter(const char *sql)
{
    sql += strspn(sql, " \t\r\n");
    return !strncasecmp(sql, "ALTER", 5);
}

/* Directus reads the column from the message and the table from the statement (its first
 * backquoted name), except for foreign keys whose message names both. */
static db_drv_status_t map_error(db_conn_t *c, arena_t *a, err_t *e, unsigned err, const char *msg,
                                 const char *sql)
{
    db_constraint_t k = {ERR_NONE, NULL, NULL, -1};
    switch (err) {
    case ER_DUP_ENTRY:
        k.code = ERR_RECORD_NOT_UNIQUE;
        dup_entry(a, msg, sql, &k);
        return db_fail_constraint(e, a, &k);
    case ER_NO_REFERENCED_ROW_2: /* (`db`.`table`, CONSTRAINT `name` FOREIGN KEY (`column`) ... */
        k.code = ERR_INVALID_FOREIGN_KEY;
        k.collection = db_enclosed(a, msg, '`', '`', 1);
        k.field = db_enclosed(a, msg, '`', '`', 3);
        return db_fail_constraint(e, a, &k);
    case ER_WARN_DATA_OUT_OF_RANGE:
    case ER_DATA_TOO_LONG:
    case ER_BAD_NULL_ERROR:
        k.code = err == ER_BAD_NULL_ERROR  ? ERR_NOT_NULL_VIOLATION
                 : err == ER_DATA_TOO_LONG ? ERR_VALUE_TOO_LONG
                                           : ERR_VALUE_OUT_OF_RANGE;
        k.collection = db_enclosed(a, sql, '`', '`', 0);
        k.field = db_enclosed(a, msg, '\'', '\'', 0);
        return db_fail_constraint(e, a, &k);
    case WARN_DATA_TRUNCATED: /* MariaDB's answer to NOT NULL on a column holding NULLs */
        if (!is_alter(sql))
            break;
        /* fall through */
    case ER_INVALID_USE_OF_NULL:
        k.code = ERR_CONTAINS_NULL_VALUES;
        k.collection = db_enclosed(a, sql, '`', '`', 0);
        k.field = db_enclosed(a, sql, '`', '`', 1);
        return db_fail_constraint(e, a, &k);
    }
    const char *code = arena_printf(a, "%u", err);
    return db_fail_internal(c, e, a, code,
                            message_is_safe(err) ? msg : db_mask_quoted(a, msg, '\''), sql);
}

static db_drv_status_t stmt_fail(db_conn_t *c, arena_t *a, err_t *e, MYSQL_STMT *st,
                                 const char *sql)
{
    unsigned err = mysql_stmt_errno(st);
    const char *msg = mysql_stmt_error(st);
    if (!err) {
        /* An error packet in the middle of a result set (INSERT ... RETURNING hitting a
         * constraint) lands on the connection, not on the statement. */
        err = mysql_errno(handle(c));
        msg = mysql_error(handle(c));
    }
    db_drv_status_t lost = lost_status(err);
    if (lost != DB_DRV_OK) {
        log_warn("db mysql: [%u] %s", err, msg);
        return lost;
    }
    return map_error(c, a, e, err, msg, sql);
}

/* ---- statements -------------------------------------------------------------------------- */

/* The cached statement for sql, prepared on a miss. Preparing runs nothing, so losing the server
 * here is always "unsent". */
static db_drv_status_t prepare(db_conn_t *c, arena_t *a, err_t *e, const char *sql, db_stmt_t **out)
{
    size_t len = strlen(sql);
    if ((*out = db_cache_get(c, sql, len)))
        return DB_DRV_OK;
    MYSQL_STMT *st = mysql_stmt_init(handle(c));
    if (!st)
        return db_fail_internal(c, e, a, NULL, "mysql_stmt_init failed", sql);
    if (mysql_stmt_prepare(st, sql, (unsigned long)len)) {
        db_drv_status_t r = stmt_fail(c, a, e, st, sql);
        mysql_stmt_close(st);
        return r == DB_DRV_LOST ? DB_DRV_LOST_UNSENT : r;
    }
    *out = db_cache_put(c, sql, len, st);
    return DB_DRV_OK;
}

static void bind_param(arena_t *a, const db_value_t *v, MYSQL_BIND *b)
{
    switch (v->type) {
    case DB_NULL:
        b->buffer_type = MYSQL_TYPE_NULL;
        break;
    case DB_INT:
        b->buffer_type = MYSQL_TYPE_LONGLONG;
        b->buffer = (void *)&v->i;
        break;
    case DB_BOOL: {
        int64_t *x = arena_alloc(a, sizeof(*x));
        *x = v->i ? 1 : 0;
        b->buffer_type = MYSQL_TYPE_LONGLONG;
        b->buffer = x;
        break;
    }
    case DB_FLOAT:
        b->buffer_type = MYSQL_TYPE_DOUBLE;
        b->buffer = (void *)&v->f;
        break;
    case DB_TEXT:
    case DB_BLOB:
        b->buffer_type = v->type == DB_TEXT ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
        b->buffer = (void *)(v->s.p ? v->s.p : "");
        b->buffer_length = (unsigned long)v->s.n;
        break;
    }
}

static db_drv_status_t bind_params(db_conn_t *c, arena_t *a, err_t *e, MYSQL_STMT *st,
                                   const db_value_t *params, size_t n, const char *sql)
{
    if (mysql_stmt_param_count(st) != n) {
        const char *m = arena_printf(a, "statement has %lu placeholders, %zu values given",
                                     mysql_stmt_param_count(st), n);
        return db_fail_internal(c, e, a, NULL, m, sql);
    }
    if (!n)
        return DB_DRV_OK;
    MYSQL_BIND *b = arena_calloc(a, n, sizeof(*b));
    for (size_t i = 0; i < n; i++)
        bind_param(a, &params[i], &b[i]);
    if (mysql_stmt_bind_param(st, b))
        return stmt_fail(c, a, e, st, sql);
    return DB_DRV_OK;
}

/* ---- results ----------------------------------------------------------------------------- */

typedef enum { K_NULL, K_INT, K_FLOAT, K_DOUBLE, K_TIME, K_BIT, K_BYTES } kind_t;

/* Per result column: how it is fetched and where the binary protocol writes it. */
typedef struct {
    kind_t kind;
    bool binary, is_unsigned;
    enum enum_field_types type;
    unsigned decimals;
    unsigned long length;
    my_bool is_null, error;
    union {
        int64_t i;
        float f4;
        double f8;
        MYSQL_TIME t;
    } u;
    char *scratch;
} slot_t;

static kind_t kind_of(const MYSQL_FIELD *f)
{
    switch (f->type) {
    case MYSQL_TYPE_NULL:
        return K_NULL;
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_YEAR:
        return K_INT;
    case MYSQL_TYPE_FLOAT:
        return K_FLOAT;
    case MYSQL_TYPE_DOUBLE:
        return K_DOUBLE;
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE:
    case MYSQL_TYPE_TIME:
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_TIMESTAMP:
        return K_TIME;
    case MYSQL_TYPE_BIT:
        return K_BIT;
    default:
        return K_BYTES;
    }
}

static bool attr_is(const MYSQL_FIELD *f, enum mariadb_field_attr_t which, const char *want)
{
    MARIADB_CONST_STRING s = {NULL, 0};
    if (mariadb_field_attr(&s, f, which) || !s.str)
        return false;
    return s.length == strlen(want) && !strncasecmp(s.str, want, s.length);
}

static db_coltype_t string_coltype(const MYSQL_FIELD *f)
{
    if (f->charsetnr == BINARY_CHARSET)
        return DB_COL_BLOB;
    /* MariaDB's JSON is LONGTEXT; extended metadata (10.5+) names the format. */
    if (attr_is(f, MARIADB_FIELD_ATTR_FORMAT_NAME, "json"))
        return DB_COL_JSON;
    if (attr_is(f, MARIADB_FIELD_ATTR_DATA_TYPE_NAME, "uuid"))
        return DB_COL_UUID;
    return DB_COL_TEXT;
}

static db_coltype_t coltype(const MYSQL_FIELD *f)
{
    switch (f->type) {
    case MYSQL_TYPE_TINY:
        return f->length == 1 ? DB_COL_BOOL : DB_COL_INT; /* tinyint(1), knex's boolean */
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_YEAR:
    case MYSQL_TYPE_BIT:
        return DB_COL_INT;
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE:
        return DB_COL_FLOAT;
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL:
        return DB_COL_DECIMAL;
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE:
        return DB_COL_DATE;
    case MYSQL_TYPE_TIME:
        return DB_COL_TIME;
    case MYSQL_TYPE_DATETIME:
        return DB_COL_DATETIME;
    case MYSQL_TYPE_TIMESTAMP:
        return DB_COL_TIMESTAMP; /* stored in UTC, shown in the session's zone */
    case MYSQL_TYPE_JSON:
        return DB_COL_JSON; /* MySQL 8 */
    case MYSQL_TYPE_NULL:
        return DB_COL_UNKNOWN;
    case MYSQL_TYPE_GEOMETRY:
        return DB_COL_BLOB;
    default:
        return string_coltype(f);
    }
}

/* Numbers and dates also carry the binary charset: only a blob-typed column yields DB_BLOB. */
static void bind_slot(arena_t *a, const MYSQL_FIELD *f, db_coltype_t type, slot_t *s, MYSQL_BIND *b)
{
    s->kind = kind_of(f);
    s->type = f->type;
    s->decimals = f->decimals;
    s->is_unsigned = (f->flags & UNSIGNED_FLAG) != 0;
    s->binary = type == DB_COL_BLOB;
    b->is_null = &s->is_null;
    b->length = &s->length;
    b->error = &s->error;
    b->is_unsigned = s->is_unsigned;
    switch (s->kind) {
    case K_NULL:
        b->buffer_type = MYSQL_TYPE_NULL;
        return;
    case K_INT:
        b->buffer_type = MYSQL_TYPE_LONGLONG;
        b->buffer = &s->u.i;
        return;
    case K_FLOAT:
        b->buffer_type = MYSQL_TYPE_FLOAT;
        b->buffer = &s->u.f4;
        return;
    case K_DOUBLE:
        b->buffer_type = MYSQL_TYPE_DOUBLE;
        b->buffer = &s->u.f8;
        return;
    case K_TIME:
        b->buffer_type = MYSQL_TYPE_DATETIME;
        b->buffer = &s->u.t;
        return;
    case K_BIT:
    case K_BYTES: {
        unsigned long cap = f->length < SCRATCH_MAX ? f->length : SCRATCH_MAX;
        cap = cap < 64 ? 64 : cap;
        s->scratch = arena_alloc(a, cap);
        b->buffer_type = MYSQL_TYPE_STRING;
        b->buffer = s->scratch;
        b->buffer_length = cap;
        return;
    }
    }
}

static MYSQL_BIND *describe(arena_t *a, MYSQL_STMT *st, MYSQL_RES *meta, db_result_t *out,
                            slot_t **slots)
{
    unsigned n = mysql_num_fields(meta);
    MYSQL_FIELD *f = mysql_fetch_fields(meta);
    db_column_t *cols = db_cols_new(a, out, n);
    MYSQL_BIND *b = arena_calloc(a, n ? n : 1, sizeof(*b));
    *slots = arena_calloc(a, n ? n : 1, sizeof(**slots));
    for (unsigned i = 0; i < n; i++) {
        cols[i].name = arena_strndup(a, f[i].name, f[i].name_length);
        cols[i].type = coltype(&f[i]);
        bind_slot(a, &f[i], cols[i].type, &(*slots)[i], &b[i]);
    }
    return mysql_stmt_bind_result(st, b) ? NULL : b;
}

/* The shortest decimal that reads back as the same float, so FLOAT 1.1 is 1.1 (as the server's
 * text protocol prints it) and not 1.100000023841858. */
static double float_value(float f)
{
    char buf[32];
    for (int prec = 1; prec <= 9; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, (double)f);
        if ((float)strtod(buf, NULL) == f)
            break;
    }
    return strtod(buf, NULL);
}

/* Dates and times as the server prints them: 2024-01-31, 13:45:00, 2024-01-31 13:45:00.123. */
static str_t format_time(arena_t *a, const slot_t *s)
{
    const MYSQL_TIME *t = &s->u.t;
    char buf[64];
    int n;
    if (s->type == MYSQL_TYPE_DATE || s->type == MYSQL_TYPE_NEWDATE)
        n = snprintf(buf, sizeof buf, "%04u-%02u-%02u", t->year, t->month, t->day);
    else if (s->type == MYSQL_TYPE_TIME) /* libmariadb folds the days into hour already */
        n = snprintf(buf, sizeof buf, "%s%02u:%02u:%02u", t->neg ? "-" : "", t->hour, t->minute,
                     t->second);
    else
        n = snprintf(buf, sizeof buf, "%04u-%02u-%02u %02u:%02u:%02u", t->year, t->month, t->day,
                     t->hour, t->minute, t->second);
    if (s->type != MYSQL_TYPE_DATE && s->decimals > 0 && s->decimals <= 6) {
        unsigned long frac = t->second_part;
        for (unsigned i = s->decimals; i < 6; i++)
            frac /= 10;
        n += snprintf(buf + n, sizeof buf - (size_t)n, ".%0*lu", (int)s->decimals, frac);
    }
    return (str_t){arena_strndup(a, buf, (size_t)n), (size_t)n};
}

/* A string cell: copied from the scratch buffer, or fetched again into an arena buffer of the
 * right size when the scratch was too small. */
static int read_bytes(arena_t *a, MYSQL_STMT *st, MYSQL_BIND *b, unsigned col, slot_t *s, str_t *v)
{
    char *d = arena_alloc(a, s->length + 1);
    if (s->length <= b->buffer_length) {
        memcpy(d, s->scratch, s->length);
    } else {
        MYSQL_BIND big = *b;
        big.buffer = d;
        big.buffer_length = s->length;
        if (mysql_stmt_fetch_column(st, &big, col, 0))
            return -1;
    }
    d[s->length] = '\0';
    *v = (str_t){d, s->length};
    return 0;
}

static int read_cell(arena_t *a, MYSQL_STMT *st, MYSQL_BIND *b, unsigned col, slot_t *s,
                     db_value_t *v)
{
    if (s->is_null || s->kind == K_NULL) {
        v->type = DB_NULL;
        return 0;
    }
    switch (s->kind) {
    case K_INT:
        if (s->is_unsigned && (uint64_t)s->u.i > INT64_MAX) {
            v->type = DB_TEXT; /* BIGINT UNSIGNED beyond int64: exact text */
            v->s = str_c(arena_printf(a, "%" PRIu64, (uint64_t)s->u.i));
            return 0;
        }
        v->type = DB_INT;
        v->i = s->u.i;
        return 0;
    case K_FLOAT:
        v->type = DB_FLOAT;
        v->f = float_value(s->u.f4);
        return 0;
    case K_DOUBLE:
        v->type = DB_FLOAT;
        v->f = s->u.f8;
        return 0;
    case K_TIME:
        v->type = DB_TEXT;
        v->s = format_time(a, s);
        return 0;
    case K_BIT:
        v->type = DB_INT; /* big-endian bytes */
        v->i = 0;
        for (unsigned long i = 0; i < s->length && i < 8; i++)
            v->i = v->i << 8 | (unsigned char)s->scratch[i];
        return 0;
    default:
        v->type = s->binary ? DB_BLOB : DB_TEXT;
        return read_bytes(a, st, b, col, s, &v->s);
    }
}

static db_drv_status_t read_rows(db_conn_t *c, arena_t *a, err_t *e, MYSQL_STMT *st,
                                 MYSQL_RES *meta, const char *sql, db_result_t *out)
{
    slot_t *slots;
    MYSQL_BIND *b = describe(a, st, meta, out, &slots);
    if (!b)
        return stmt_fail(c, a, e, st, sql);
    size_t cap = 0;
    int rc;
    while ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
        db_value_t *row = db_rows_grow(a, out, &cap);
        for (unsigned i = 0; i < out->ncols; i++)
            if (read_cell(a, st, &b[i], i, &slots[i], &row[i]))
                return stmt_fail(c, a, e, st, sql);
    }
    return rc == MYSQL_NO_DATA ? DB_DRV_OK : stmt_fail(c, a, e, st, sql);
}

static void free_meta(void *meta)
{
    mysql_free_result(meta);
}

/* A table changed its column count under a cached statement: libmariadb refuses the result
 * (CR_NEW_STMT_METADATA) of a statement the server has already run. */
static db_drv_status_t run_stmt(db_conn_t *c, arena_t *a, err_t *e, MYSQL_STMT *st, const char *sql,
                                db_result_t *out)
{
    if (mysql_stmt_execute(st))
        return mysql_stmt_errno(st) == CR_NEW_STMT_METADATA ? DB_DRV_STALE
                                                            : stmt_fail(c, a, e, st, sql);
    MYSQL_RES *meta = mysql_stmt_result_metadata(st);
    if (!meta) {
        out->affected = (int64_t)mysql_stmt_affected_rows(st);
        out->last_insert_id = (int64_t)mysql_stmt_insert_id(st);
        db_cols_new(a, out, 0);
        return DB_DRV_OK;
    }
    arena_defer(a, free_meta, meta);
    return read_rows(c, a, e, st, meta, sql, out);
}

static db_drv_status_t attempt(db_conn_t *c, arena_t *a, err_t *e, const char *sql,
                               const db_value_t *params, size_t n, db_result_t *out,
                               db_stmt_t **entry)
{
    db_drv_status_t r = prepare(c, a, e, sql, entry);
    if (r != DB_DRV_OK)
        return r;
    MYSQL_STMT *st = (*entry)->h;
    r = bind_params(c, a, e, st, params, n, sql);
    if (r == DB_DRV_OK)
        r = run_stmt(c, a, e, st, sql, out);
    /* Leave the statement ready for its next execution (a stale one is closed by the caller). */
    if (r == DB_DRV_OK || r == DB_DRV_ERROR)
        mysql_stmt_free_result(st);
    return r;
}

/* Statements that change nothing, so running them twice is harmless. */
static bool reads_only(const char *sql)
{
    sql += strspn(sql, " \t\r\n(");
    return !strncasecmp(sql, "SELECT", 6) || !strncasecmp(sql, "SHOW", 4) ||
           !strncasecmp(sql, "WITH", 4);
}

/* A stale statement is re-prepared here rather than in db.c: MariaDB keeps the transaction going
 * after it, so a read can be repeated even inside one. A write has already happened and cannot. */
static db_drv_status_t my_exec(db_conn_t *c, arena_t *a, err_t *e, const char *sql,
                               const db_value_t *params, size_t n, db_result_t *out)
{
    if (!alive(handle(c)))
        return DB_DRV_LOST_UNSENT;
    db_stmt_t *s = NULL;
    db_drv_status_t r = attempt(c, a, e, sql, params, n, out, &s);
    if (r != DB_DRV_STALE)
        return r;
    db_cache_drop(c, s);
    if (reads_only(sql)) {
        memset(out, 0, sizeof(*out));
        r = attempt(c, a, e, sql, params, n, out, &s);
        if (r != DB_DRV_STALE)
            return r;
        db_cache_drop(c, s);
    }
    return db_fail_internal(c, e, a, "2057", "result columns changed under a cached statement",
                            sql);
}

static db_drv_status_t my_run(db_conn_t *c, arena_t *a, err_t *e, const char *sql)
{
    MYSQL *m = handle(c);
    if (!alive(m))
        return DB_DRV_LOST_UNSENT;
    if (!mysql_real_query(m, sql, (unsigned long)strlen(sql)))
        return DB_DRV_OK;
    db_drv_status_t lost = lost_status(mysql_errno(m));
    if (lost != DB_DRV_OK) {
        log_warn("db mysql: [%u] %s", mysql_errno(m), mysql_error(m));
        return lost;
    }
    return map_error(c, a, e, mysql_errno(m), mysql_error(m), sql);
}

/* MariaDB 10.5 added INSERT ... RETURNING; MySQL has none. */
static bool my_returning(db_conn_t *c)
{
    const char *v = mysql_get_server_info(c->h);
    if (!v || !strstr(v, "MariaDB"))
        return false;
    unsigned long n = mysql_get_server_version(c->h); /* major*10000 + minor*100 + patch */
    return n >= 100500;
}

const db_driver_t db_mysql_driver = {
    .name = "mysql",
    .dialect = DB_MYSQL,
    .begin_sql = "START TRANSACTION",
    .open = my_open,
    .close = my_close,
    .exec = my_exec,
    .run = my_run,
    .stmt_free = my_stmt_free,
    .returning = my_returning,
};
