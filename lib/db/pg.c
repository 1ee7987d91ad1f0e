/*
 * PostgreSQL backend (libpq). Each SQL text is prepared once per connection (PQprepare, named
 * celer_<n>) and run with PQexecPrepared; the statement cache maps the text plus a parameter-type
 * signature to the name. Values travel in text format with no declared type, as node-postgres
 * sends them under Directus, so the server infers each one from its context — except booleans
 * (declared boolean) and blobs (declared bytea, binary format). Results come back as text and are
 * converted per column type OID.
 *
 * Memory: every PGresult is registered with arena_defer(PQclear) when it is received, and text
 * cells and column names point straight into it, so results cost no copy and live exactly as long
 * as the request arena. Numbers, booleans and bytea are decoded into db_value_t / arena bytes.
 *
 * A server that went away shows up as CONNECTION_BAD, SQLSTATE class 08 or 57P0x; an idle
 * connection is checked with a zero-timeout poll before each statement, so a restart between
 * requests is noticed before anything is sent and db.c reconnects transparently.
 */
#include "lib/db/driver.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/buf.h"
#include "lib/core/log.h"
#include "lib/core/str.h"

/* Type OIDs are fixed in the catalog (pg_type.dat); the server headers are not needed for these. */
enum {
    OID_BOOL = 16,
    OID_BYTEA = 17,
    OID_NAME = 19,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_TEXT = 25,
    OID_OID = 26,
    OID_JSON = 114,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
    OID_BPCHAR = 1042,
    OID_VARCHAR = 1043,
    OID_DATE = 1082,
    OID_TIME = 1083,
    OID_TIMESTAMP = 1114,
    OID_TIMESTAMPTZ = 1184,
    OID_TIMETZ = 1266,
    OID_NUMERIC = 1700,
    OID_UUID = 2950,
    OID_JSONB = 3802,
};

#define CONNECT_TIMEOUT "5" /* seconds */
#define MAX_PARAMS 65535    /* the protocol's limit */

static PGconn *handle(db_conn_t *c)
{
    return c->h;
}

static void clear_result(void *r)
{
    PQclear(r);
}

/* Ties a result to the request arena (PQclear at reset), so every exit path frees it. */
static PGresult *own(arena_t *a, PGresult *r)
{
    if (r)
        arena_defer(a, clear_result, r);
    return r;
}

/* libpq messages may span lines ("...failed: Connection refused\n\tIs the server running...");
 * a log line is one line, so they are flattened into buf. */
static const char *oneline(char *buf, size_t size, const char *m)
{
    size_t n = 0;
    for (; m && *m && n + 1 < size; m++)
        buf[n++] = (*m == '\n' || *m == '\t') ? ' ' : *m;
    while (n && buf[n - 1] == ' ')
        n--;
    buf[n] = '\0';
    return buf;
}

/* Server notices (and a server's goodbye read while idle) go to the debug log, not stderr. */
static void on_notice(void *arg, const char *msg)
{
    (void)arg;
    char buf[512];
    log_debug("db pg: %s", oneline(buf, sizeof buf, msg));
}

/* ---- connection -------------------------------------------------------------------------- */

/* DB_SEARCH_PATH "a, b" → "a","b": each entry quoted as an identifier (knex does the same). */
static char *search_path_value(const char *list)
{
    size_t n = strlen(list);
    char *v = malloc(3 * n + 3), *o = v;
    if (!v)
        return NULL;
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        if (o != v)
            *o++ = ',';
        *o++ = '"';
        for (; *p && *p != ','; p++) {
            if (*p == '"')
                *o++ = '"';
            *o++ = *p;
        }
        while (o[-1] == ' ')
            o--;
        *o++ = '"';
    }
    *o = '\0';
    return v;
}

/* The search path is set with a bound value (set_config), not spliced into SET. */
static int set_search_path(PGconn *pg, const char *list)
{
    char *v = search_path_value(list);
    const char *params[1] = {v};
    PGresult *r = PQexecParams(pg, "SELECT pg_catalog.set_config('search_path', $1, false)", 1,
                               NULL, params, NULL, NULL, 0);
    int ok = v && PQresultStatus(r) == PGRES_TUPLES_OK;
    char buf[512];
    if (!ok)
        log_error("db pg: cannot set DB_SEARCH_PATH: %s",
                  oneline(buf, sizeof buf, PQerrorMessage(pg)));
    PQclear(r);
    free(v);
    return ok ? 0 : -1;
}

typedef struct {
    const char *kw[10], *val[10];
    int n;
} conninfo_t;

/* Adds a keyword; NULL values are left out so libpq falls back to its defaults. */
static void kv(conninfo_t *ci, const char *k, const char *v)
{
    if (v) {
        ci->kw[ci->n] = k;
        ci->val[ci->n++] = v;
    }
}

/* DB_CONNECTION_STRING (conninfo or URI) wins over the separate settings, as in Directus. Our
 * defaults come first in the arrays, so the connection string can override them. */
static PGconn *connect_db(const conf_t *f)
{
    conninfo_t ci = {.n = 0};
    char port[16];
    kv(&ci, "connect_timeout", CONNECT_TIMEOUT);
    kv(&ci, "application_name", "celer");
    kv(&ci, "client_encoding", "UTF8");
    if (f->db_connection_string) {
        kv(&ci, "dbname", f->db_connection_string);
    } else {
        snprintf(port, sizeof port, "%d", f->db_port);
        kv(&ci, "host", f->db_host);
        kv(&ci, "port", f->db_port > 0 ? port : NULL);
        kv(&ci, "dbname", f->db_database);
        kv(&ci, "user", f->db_user);
        kv(&ci, "password", f->db_password);
    }
    ci.kw[ci.n] = ci.val[ci.n] = NULL;
    return PQconnectdbParams(ci.kw, ci.val, f->db_connection_string != NULL);
}

static int pg_open(db_conn_t *c)
{
    PGconn *pg = connect_db(c->conf);
    if (PQstatus(pg) != CONNECTION_OK) {
        /* libpq names host and user at most, never the password. */
        char buf[512];
        log_error("db pg: cannot connect: %s",
                  oneline(buf, sizeof buf, pg ? PQerrorMessage(pg) : "out of memory"));
        PQfinish(pg);
        return -1;
    }
    PQsetNoticeProcessor(pg, on_notice, NULL);
    if (c->conf->db_search_path && set_search_path(pg, c->conf->db_search_path)) {
        PQfinish(pg);
        return -1;
    }
    c->h = pg;
    return 0;
}

/* The statement name is ours (celer_<n>), so DEALLOCATE is built without outside text. Once the
 * connection is closed the server has forgotten the statements already. */
static void pg_stmt_free(db_conn_t *c, void *name)
{
    if (c->h && PQstatus(handle(c)) == CONNECTION_OK) {
        char sql[64];
        snprintf(sql, sizeof sql, "DEALLOCATE %s", (const char *)name);
        PQclear(PQexec(handle(c), sql));
    }
    free(name);
}

static void pg_close(db_conn_t *c)
{
    PQfinish(handle(c));
    c->h = NULL;
    db_cache_clear(c);
}

static bool readable(PGconn *pg)
{
    struct pollfd p = {.fd = PQsocket(pg), .events = POLLIN};
    return poll(&p, 1, 0) > 0;
}

/* True when the connection can take a statement. Idle, the server only writes for NOTIFY,
 * parameter changes or a goodbye before it closes (restart, idle timeout). Read until nothing is
 * pending: a goodbye is a FATAL message and then end-of-file, which may take two reads. */
static bool alive(PGconn *pg)
{
    for (int i = 0; i < 8 && PQstatus(pg) == CONNECTION_OK && readable(pg); i++) {
        if (!PQconsumeInput(pg))
            return false;
        PGnotify *note;
        while ((note = PQnotifies(pg)))
            PQfreemem(note);
    }
    return PQstatus(pg) == CONNECTION_OK;
}

static bool state_is(const char *state, const char *want)
{
    return state && !strcmp(state, want);
}

/* Connection exceptions (class 08) and shutdown notices (57P01..57P03) mean the server is gone.
 * libpq's reason ("server closed the connection unexpectedly") holds no value or credential. */
static bool gone(PGconn *pg, const PGresult *r)
{
    const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    bool shutdown = s && (!strncmp(s, "08", 2) || !strncmp(s, "57P0", 4));
    if (r && PQstatus(pg) == CONNECTION_OK && !shutdown)
        return false;
    char buf[512];
    log_warn("db pg: %s", oneline(buf, sizeof buf, PQerrorMessage(pg)));
    return true;
}

/* ---- errors ------------------------------------------------------------------------------ */

/* Messages of data (22) and integrity (23) errors may quote values; PG quotes with '"'. */
static const char *loggable(arena_t *a, const char *state, const char *msg)
{
    if (state && (!strncmp(state, "22", 2) || !strncmp(state, "23", 2)))
        return db_mask_quoted(a, msg, '"');
    return msg;
}

/* PG names the table and column in dedicated fields; unique and foreign-key violations name the
 * key columns only in DETAIL ("Key (email)=(...) already exists."): the first parenthesised
 * part, never the value. Length and range errors carry neither: field stays null, as in Directus.
 */
static db_drv_status_t map_error(db_conn_t *c, arena_t *a, err_t *e, const PGresult *r,
                                 const char *sql)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    db_constraint_t k = {ERR_NONE, NULL, NULL, -1};
    if (r) {
        k.collection = PQresultErrorField(r, PG_DIAG_TABLE_NAME);
        k.field = PQresultErrorField(r, PG_DIAG_COLUMN_NAME);
    }
    if (state_is(state, "23505") || state_is(state, "23503")) {
        k.code = state[4] == '5' ? ERR_RECORD_NOT_UNIQUE : ERR_INVALID_FOREIGN_KEY;
        k.field = db_enclosed(a, PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL), '(', ')', 0);
    } else if (state_is(state, "23502") && k.field) {
        size_t n = msg ? strlen(msg) : 0;
        bool alter = n >= 20 && !strcmp(msg + n - 20, "contains null values");
        k.code = alter ? ERR_CONTAINS_NULL_VALUES : ERR_NOT_NULL_VIOLATION;
    } else if (state_is(state, "22001") || state_is(state, "22003")) {
        /* Directus takes the collection from the first double-quoted name of knex's message,
         * which starts with the statement: the table of the INSERT or UPDATE that failed. */
        k.collection = db_enclosed(a, sql, '"', '"', 0);
        if (k.collection)
            k.code = state[4] == '1' ? ERR_VALUE_TOO_LONG : ERR_VALUE_OUT_OF_RANGE;
    }
    if (k.code != ERR_NONE)
        return db_fail_constraint(e, a, &k);
    if (!msg)
        msg = PQerrorMessage(handle(c));
    return db_fail_internal(c, e, a, state, loggable(a, state, msg), sql);
}

/* ---- parameters -------------------------------------------------------------------------- */

typedef struct {
    const char **values;
    int *lengths, *formats;
    Oid *types;
    char *key; /* SQL text, NUL, one signature byte per parameter */
    char *sig; /* the signature part of key */
    size_t keylen;
} pg_params_t;

/* The shortest text that reads back as the same double (0.1, not 0.10000000000000001), as
 * JavaScript prints numbers for node-postgres; numeric columns keep exactly what was meant. */
static const char *format_double(arena_t *a, double d)
{
    if (isnan(d))
        return "NaN";
    if (isinf(d))
        return d > 0 ? "Infinity" : "-Infinity";
    char buf[32];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    return arena_strdup(a, buf);
}

/* One parameter; its signature byte records the declared type ('-' unknown, 'b', 'x'), since a
 * statement is prepared with fixed types. */
static int encode_one(arena_t *a, const db_value_t *v, pg_params_t *p, size_t i)
{
    char *sig = &p->sig[i];
    p->types[i] = 0;
    p->formats[i] = 0;
    p->lengths[i] = 0;
    *sig = '-';
    switch (v->type) {
    case DB_NULL:
        p->values[i] = NULL;
        return 0;
    case DB_INT: {
        buf_t t; /* buf_int, not printf: ids and limits are bound on every read */
        buf_init(&t, a, 24);
        buf_int(&t, v->i);
        p->values[i] = t.p;
        return 0;
    }
    case DB_FLOAT:
        p->values[i] = format_double(a, v->f);
        return 0;
    case DB_BOOL:
        p->values[i] = v->i ? "true" : "false";
        p->types[i] = OID_BOOL;
        *sig = 'b';
        return 0;
    case DB_TEXT:
        /* Text format wants a C string; PG text can hold no NUL, so refuse instead of cutting. */
        if (v->s.n && memchr(v->s.p, '\0', v->s.n))
            return -1;
        p->values[i] = arena_strndup(a, v->s.p ? v->s.p : "", v->s.n);
        return 0;
    case DB_BLOB:
        p->values[i] = v->s.p ? v->s.p : "";
        p->lengths[i] = (int)v->s.n;
        p->formats[i] = 1;
        p->types[i] = OID_BYTEA;
        *sig = 'x';
        return 0;
    }
    return -1;
}

static db_drv_status_t encode(db_conn_t *c, arena_t *a, err_t *e, const char *sql,
                              const db_value_t *params, size_t n, pg_params_t *p)
{
    if (n > MAX_PARAMS)
        return db_fail_internal(c, e, a, NULL, "too many parameters", sql);
    size_t len = strlen(sql);
    p->values = arena_alloc(a, sizeof(*p->values) * (n ? n : 1));
    p->lengths = arena_alloc(a, sizeof(int) * (n ? n : 1));
    p->formats = arena_alloc(a, sizeof(int) * (n ? n : 1));
    p->types = arena_alloc(a, sizeof(Oid) * (n ? n : 1));
    p->keylen = len + 1 + n;
    p->key = arena_alloc(a, p->keylen);
    memcpy(p->key, sql, len + 1);
    p->sig = p->key + len + 1;
    for (size_t i = 0; i < n; i++) {
        if (encode_one(a, &params[i], p, i))
            return db_fail_internal(c, e, a, NULL, "text parameter contains a NUL byte", sql);
        if (params[i].type == DB_BLOB && params[i].s.n > INT32_MAX)
            return db_fail_internal(c, e, a, NULL, "blob parameter too large", sql);
    }
    return DB_DRV_OK;
}

/* The cached statement for this text and signature, prepared on a miss. Preparing has no side
 * effect, so losing the server here is "unsent". */
static db_drv_status_t prepare(db_conn_t *c, arena_t *a, err_t *e, const char *sql,
                               const pg_params_t *p, int n, db_stmt_t **out)
{
    if ((*out = db_cache_get(c, p->key, p->keylen)))
        return DB_DRV_OK;
    char name[32];
    snprintf(name, sizeof name, "celer_%" PRIu64, ++c->seq);
    PGresult *r = own(a, PQprepare(handle(c), name, sql, n, p->types));
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
        return gone(handle(c), r) ? DB_DRV_LOST_UNSENT : map_error(c, a, e, r, sql);
    char *h = strdup(name);
    if (!h) {
        log_error("db: out of memory");
        abort();
    }
    *out = db_cache_put(c, p->key, p->keylen, h);
    return DB_DRV_OK;
}

/* ---- results ----------------------------------------------------------------------------- */

static db_coltype_t coltype(Oid oid)
{
    switch (oid) {
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
    case OID_OID:
        return DB_COL_INT;
    case OID_FLOAT4:
    case OID_FLOAT8:
        return DB_COL_FLOAT;
    case OID_NUMERIC:
        return DB_COL_DECIMAL;
    case OID_BOOL:
        return DB_COL_BOOL;
    case OID_TEXT:
    case OID_VARCHAR:
    case OID_BPCHAR:
    case OID_NAME:
        return DB_COL_TEXT;
    case OID_JSON:
    case OID_JSONB:
        return DB_COL_JSON;
    case OID_DATE:
        return DB_COL_DATE;
    case OID_TIME:
    case OID_TIMETZ:
        return DB_COL_TIME;
    case OID_TIMESTAMP:
        return DB_COL_DATETIME;
    case OID_TIMESTAMPTZ:
        return DB_COL_TIMESTAMP;
    case OID_UUID:
        return DB_COL_UUID;
    case OID_BYTEA:
        return DB_COL_BLOB;
    default:
        return DB_COL_UNKNOWN;
    }
}


/* bytea's text form: "\x4142" (bytea_output = hex, the default) or the old escape format. */
static str_t decode_bytea(arena_t *a, const char *v, size_t n)
{
    if (n >= 2 && v[0] == '\\' && v[1] == 'x') {
        size_t m = (n - 2) / 2;
        unsigned char *d = arena_alloc(a, m + 1);
        for (size_t i = 0; i < m; i++)
            d[i] = (unsigned char)(str_hexval(v[2 + 2 * i]) << 4 | str_hexval(v[3 + 2 * i]));
        d[m] = 0;
        return (str_t){(const char *)d, m};
    }
    size_t m = 0;
    unsigned char *raw = PQunescapeBytea((const unsigned char *)v, &m);
    char *d = arena_alloc(a, m + 1);
    if (raw)
        memcpy(d, raw, m);
    d[raw ? m : 0] = '\0';
    PQfreemem(raw);
    return (str_t){d, raw ? m : 0};
}

/* An int2/int4/int8/oid cell's text, which PostgreSQL prints canonically ("-12"): strtoll's
 * locale and base handling cost more than the digits themselves on a hot path. */
static int64_t int_text(const char *s)
{
    bool neg = *s == '-';
    uint64_t v = 0;
    for (s += neg; *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (uint64_t)(*s - '0');
    return neg ? (int64_t)(0 - v) : (int64_t)v;
}

/* How a column's text becomes a db_value_t, decided once per column from its type OID. */
typedef enum { CELL_INT, CELL_FLOAT, CELL_BOOL, CELL_BYTEA, CELL_TEXT } cell_kind_t;

static cell_kind_t cell_kind(Oid oid)
{
    switch (oid) {
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
    case OID_OID:
        return CELL_INT;
    case OID_FLOAT4:
    case OID_FLOAT8:
        return CELL_FLOAT;
    case OID_BOOL:
        return CELL_BOOL;
    case OID_BYTEA:
        return CELL_BYTEA;
    default:
        return CELL_TEXT;
    }
}

/* Every member of *v is written (the unused ones zero), so the cells need no memset first. */
static void read_cell(arena_t *a, const PGresult *r, int row, int col, cell_kind_t kind,
                      db_value_t *v)
{
    if (PQgetisnull(r, row, col)) {
        *v = (db_value_t){.type = DB_NULL};
        return;
    }
    const char *s = PQgetvalue(r, row, col);
    switch (kind) {
    case CELL_INT:
        *v = (db_value_t){.type = DB_INT, .i = int_text(s)};
        return;
    case CELL_FLOAT:
        /* strtod reads NaN, Infinity and -Infinity too */
        *v = (db_value_t){.type = DB_FLOAT, .f = strtod(s, NULL)};
        return;
    case CELL_BOOL:
        *v = (db_value_t){.type = DB_BOOL, .i = s[0] == 't'};
        return;
    case CELL_BYTEA:
        *v = (db_value_t){.type = DB_BLOB,
                          .s = decode_bytea(a, s, (size_t)PQgetlength(r, row, col))};
        return;
    case CELL_TEXT:
        /* points into the PGresult, which the arena keeps alive */
        *v = (db_value_t){.type = DB_TEXT, .s = {s, (size_t)PQgetlength(r, row, col)}};
        return;
    }
}

static void read_rows(arena_t *a, const PGresult *r, db_result_t *out)
{
    int nf = PQnfields(r), nt = PQntuples(r);
    db_column_t *cols = db_cols_new(a, out, (size_t)nf);
    cell_kind_t *kinds = arena_alloc(a, sizeof(*kinds) * (size_t)(nf ? nf : 1));
    for (int i = 0; i < nf; i++) {
        Oid oid = PQftype(r, i);
        cols[i].name = PQfname(r, i);
        cols[i].type = coltype(oid);
        kinds[i] = cell_kind(oid);
    }
    db_value_t *cells = arena_alloc(a, sizeof(*cells) * ((size_t)nt * (size_t)nf + 1));
    db_value_t *v = cells;
    for (int row = 0; row < nt; row++)
        for (int col = 0; col < nf; col++)
            read_cell(a, r, row, col, kinds[col], v++);
    out->cells = cells;
    out->nrows = (size_t)nt;
}

/* Rows changed: PQcmdTuples also counts SELECT rows, which are not changes. */
static int64_t affected(const PGresult *r)
{
    if (!strncmp(PQcmdStatus((PGresult *)r), "SELECT", 6))
        return 0;
    return strtoll(PQcmdTuples((PGresult *)r), NULL, 10);
}

/* A cached statement the server no longer accepts: its result type changed under it (ALTER
 * TABLE), or it was deallocated behind our back (DISCARD ALL, a pooler). Nothing ran. */
static bool stale(const PGresult *r)
{
    const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    return state_is(s, "26000") ||
           (state_is(s, "0A000") && m && strstr(m, "cached plan must not change result type"));
}

static db_drv_status_t result(db_conn_t *c, arena_t *a, err_t *e, db_stmt_t *s, const PGresult *r,
                              const char *sql, db_result_t *out)
{
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        read_rows(a, r, out);
        out->affected = affected(r);
        return DB_DRV_OK;
    }
    if (gone(handle(c), r))
        return DB_DRV_LOST;
    if (stale(r)) {
        db_cache_drop(c, s);
        return DB_DRV_STALE;
    }
    return map_error(c, a, e, r, sql);
}

static db_drv_status_t pg_exec(db_conn_t *c, arena_t *a, err_t *e, const char *sql,
                               const db_value_t *params, size_t n, db_result_t *out)
{
    if (!alive(handle(c)))
        return DB_DRV_LOST_UNSENT;
    pg_params_t p = {0};
    db_stmt_t *s = NULL;
    db_drv_status_t st = encode(c, a, e, sql, params, n, &p);
    if (st == DB_DRV_OK)
        st = prepare(c, a, e, sql, &p, (int)n, &s);
    if (st != DB_DRV_OK)
        return st;
    PGresult *r =
        own(a, PQexecPrepared(handle(c), s->h, (int)n, p.values, p.lengths, p.formats, 0));
    return result(c, a, e, s, r, sql, out);
}

/* Reads what the pipeline returns for one statement: its result, then the NULL that ends it.
 * NULL when the connection broke (nothing more will come). */
static PGresult *pipeline_result(PGconn *pg, arena_t *a)
{
    PGresult *r = own(a, PQgetResult(pg));
    if (r)
        while (own(a, PQgetResult(pg)))
            ; /* a statement has one result here; nothing else is expected before the NULL */
    return r;
}

/* Every statement prepared (on a miss with its own round trip, once per connection), then all
 * sent with one Sync and their results read in order. After a failed statement the server skips
 * the rest (PGRES_PIPELINE_ABORTED); they are read and dropped. A broken connection mid-way is
 * DB_DRV_LOST: db.c closes it, so the pipeline state dies with it. */
static db_drv_status_t pg_exec_many(db_conn_t *c, arena_t *a, err_t *e, const db_query_t *q,
                                    size_t n, db_result_t *outs)
{
    PGconn *pg = handle(c);
    if (!alive(pg))
        return DB_DRV_LOST_UNSENT;
    pg_params_t *p = arena_calloc(a, n ? n : 1, sizeof *p);
    db_stmt_t **s = arena_calloc(a, n ? n : 1, sizeof *s);
    for (size_t i = 0; i < n; i++) {
        db_drv_status_t st = encode(c, a, e, q[i].sql, q[i].params, q[i].nparams, &p[i]);
        if (st == DB_DRV_OK)
            st = prepare(c, a, e, q[i].sql, &p[i], (int)q[i].nparams, &s[i]);
        if (st != DB_DRV_OK)
            return st;
    }
    if (!PQenterPipelineMode(pg))
        return DB_DRV_LOST_UNSENT;
    for (size_t i = 0; i < n; i++)
        if (!PQsendQueryPrepared(pg, s[i]->h, (int)q[i].nparams, p[i].values, p[i].lengths,
                                 p[i].formats, 0))
            return DB_DRV_LOST;
    if (!PQpipelineSync(pg))
        return DB_DRV_LOST;
    db_drv_status_t st = DB_DRV_OK;
    db_stmt_t *stale_stmt = NULL;
    for (size_t i = 0; i < n; i++) {
        PGresult *r = pipeline_result(pg, a);
        if (!r)
            return DB_DRV_LOST;
        if (st != DB_DRV_OK)
            continue;
        if (stale(r)) { /* dropped below: DEALLOCATE cannot run inside the pipeline */
            stale_stmt = s[i];
            st = DB_DRV_STALE;
        } else {
            st = result(c, a, e, s[i], r, q[i].sql, &outs[i]);
        }
    }
    PGresult *sync = own(a, PQgetResult(pg));
    if (!sync || PQresultStatus(sync) != PGRES_PIPELINE_SYNC || !PQexitPipelineMode(pg))
        return DB_DRV_LOST;
    if (stale_stmt)
        db_cache_drop(c, stale_stmt);
    return st;
}

/* COMMIT of a transaction that already failed succeeds with the tag ROLLBACK: report it. */
static db_drv_status_t pg_run(db_conn_t *c, arena_t *a, err_t *e, const char *sql)
{
    if (!alive(handle(c)))
        return DB_DRV_LOST_UNSENT;
    PGresult *r = own(a, PQexec(handle(c), sql));
    if (r && PQresultStatus(r) == PGRES_COMMAND_OK) {
        if (!strcmp(sql, "COMMIT") && !strcmp(PQcmdStatus(r), "ROLLBACK"))
            return db_fail_internal(c, e, a, NULL, "COMMIT of a failed transaction rolled back",
                                    sql);
        return DB_DRV_OK;
    }
    if (gone(handle(c), r))
        return DB_DRV_LOST;
    return map_error(c, a, e, r, sql);
}

const db_driver_t db_pg_driver = {
    .name = "pg",
    .dialect = DB_PG,
    .begin_sql = "BEGIN",
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .exec_many = pg_exec_many,
    .run = pg_run,
    .stmt_free = pg_stmt_free,
};
