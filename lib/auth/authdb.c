/*
 * Dialect glue for authentication's fixed statements. The statements are short and few, so they
 * are rendered per call into the request arena; the database's own statement cache (keyed by
 * the rendered text) makes the second run of each one a cache hit.
 */
#include "lib/auth/authdb.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lib/core/buf.h"

const char *authdb_sql(arena_t *a, const db_conn_t *db, const char *tmpl)
{
    db_dialect_t d = db_dialect(db);
    buf_t b;
    buf_init(&b, a, strlen(tmpl) + 32);
    int n = 0;
    for (const char *p = tmpl; *p; p++) {
        if (*p == '?') {
            n++;
            if (d == DB_PG)
                buf_printf(&b, "$%d", n);
            else if (d == DB_SQLITE)
                buf_printf(&b, "?%d", n);
            else
                buf_putc(&b, '?');
        } else if (*p == '"' && d == DB_MYSQL) {
            buf_putc(&b, '`');
        } else {
            buf_putc(&b, *p);
        }
    }
    return b.p;
}

int authdb_exec(arena_t *a, err_t *e, db_conn_t *db, const char *tmpl, const db_value_t *params,
                size_t n, db_result_t *out)
{
    if (db_connect(db, a, e) < 0)
        return -1;
    return db_exec(db, a, e, authdb_sql(a, db, tmpl), params, n, out);
}

db_value_t authdb_str(str_t s)
{
    if (!s.p)
        return (db_value_t){.type = DB_NULL};
    return (db_value_t){.type = DB_TEXT, .s = s};
}

db_value_t authdb_cstr(const char *s)
{
    return s ? authdb_str(str_c(s)) : (db_value_t){.type = DB_NULL};
}

db_value_t authdb_int(int64_t i)
{
    return (db_value_t){.type = DB_INT, .i = i};
}

db_value_t authdb_time(arena_t *a, const db_conn_t *db, int64_t ms)
{
    db_dialect_t d = db_dialect(db);
    /* Directus on SQLite (knex + node-sqlite3) stores a JS Date as its epoch milliseconds. */
    if (d == DB_SQLITE)
        return authdb_int(ms);
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char date[32];
    strftime(date, sizeof date, d == DB_PG ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &tm);
    /* PostgreSQL reads the zone from the text; MySQL's connection works in UTC, as Directus
     * does when the server runs with TZ=UTC. */
    char *s = arena_printf(a, "%s.%03d%s", date, (int)(ms % 1000), d == DB_PG ? "Z" : "");
    return authdb_cstr(s);
}

int64_t authdb_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double authdb_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void authdb_stall(double start, int stall_ms)
{
    double left = (double)stall_ms - (authdb_mono_ms() - start);
    if (left <= 0)
        return;
    struct timespec ts = {(time_t)(left / 1000), (long)(fmod(left, 1000.0) * 1e6)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

bool authdb_bool(const db_value_t *v)
{
    if (!v)
        return false;
    switch (v->type) {
    case DB_INT:
    case DB_BOOL:
        return v->i == 1;
    case DB_FLOAT:
        return v->f == 1;
    case DB_TEXT:
        return str_eq_c(v->s, "1") || str_eq_c(v->s, "true");
    default:
        return false;
    }
}

const char *authdb_text(arena_t *a, const db_value_t *v)
{
    if (!v)
        return NULL;
    switch (v->type) {
    case DB_NULL:
        return NULL;
    case DB_INT:
    case DB_BOOL:
        return arena_printf(a, "%" PRId64, v->i);
    case DB_FLOAT:
        return arena_printf(a, "%.17g", v->f);
    default:
        return arena_strndup(a, v->s.p ? v->s.p : "", v->s.n);
    }
}

int64_t authdb_int_or(const db_value_t *v, int64_t dflt)
{
    if (!v || v->type == DB_NULL)
        return dflt;
    if (v->type == DB_INT || v->type == DB_BOOL)
        return v->i;
    if (v->type == DB_FLOAT)
        return (int64_t)v->f;
    char tmp[32];
    size_t n = v->s.n < sizeof tmp - 1 ? v->s.n : sizeof tmp - 1;
    memcpy(tmp, v->s.p, n);
    tmp[n] = '\0';
    char *end;
    long long x = strtoll(tmp, &end, 10);
    return end == tmp ? dflt : (int64_t)x;
}
