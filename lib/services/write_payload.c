/*
 * PayloadService's value processing for writes (processValues 'create' / 'update': the
 * special transformers, processDates with date-fns parseISO, JSON values) and for revision
 * deltas (processValues 'read' + JSON.stringify), as Directus 11.3.5 does it under TZ=UTC.
 */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "lib/auth/password.h"
#include "lib/core/isodate.h"
#include "lib/core/json.h"
#include "lib/core/jsonparse.h"
#include "lib/query/jsval.h"
#include "lib/services/write_int.h"

/* ---- dates -------------------------------------------------------------------------------- */

static void civil(int64_t ms, struct tm *tm, int *milli)
{
    int64_t s = ms / 1000, m = ms % 1000;
    if (m < 0) {
        m += 1000;
        s -= 1;
    }
    time_t t = (time_t)s;
    gmtime_r(&t, tm);
    *milli = (int)m;
}

/* Date.prototype.toISOString. */
static const char *wr_iso(arena_t *a, int64_t ms)
{
    struct tm tm;
    int milli;
    civil(ms, &tm, &milli);
    return arena_printf(a, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                        tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, milli);
}

/* processDates('read') of a Date: what a revision shows per field type (TZ=UTC). */
static const char *date_read_text(arena_t *a, schema_type_t t, int64_t ms)
{
    struct tm tm;
    int milli;
    civil(ms, &tm, &milli);
    if (t == SCHEMA_TYPE_TIMESTAMP)
        return wr_iso(a, ms);
    if (t == SCHEMA_TYPE_DATE)
        return arena_printf(a, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    return arena_printf(a, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                        tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* A Date as the drivers bind it: SQLite epoch milliseconds (knex binds Date.valueOf()), MySQL
 * 'YYYY-MM-DD HH:MM:SS.sss' (mysql2), PostgreSQL ISO text (node-pg); date columns by day. */
static db_value_t date_bind(arena_t *a, db_dialect_t d, schema_type_t t, int64_t ms)
{
    if (d == DB_SQLITE)
        return (db_value_t){.type = DB_INT, .i = ms};
    struct tm tm;
    int milli;
    civil(ms, &tm, &milli);
    const char *s;
    if (t == SCHEMA_TYPE_DATE)
        s = arena_printf(a, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    else if (d == DB_MYSQL)
        s = arena_printf(a, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1,
                         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, milli);
    else
        s = wr_iso(a, ms);
    return (db_value_t){.type = DB_TEXT, .s = str_c(s)};
}

static bool wr_is_date_type(schema_type_t t)
{
    return t == SCHEMA_TYPE_DATE || t == SCHEMA_TYPE_DATETIME || t == SCHEMA_TYPE_TIMESTAMP;
}

/* processDates' zero-date test: /^[.0 :-]{10,}$/ */
static bool wr_zero_date(str_t s)
{
    if (s.n < 10)
        return false;
    for (size_t i = 0; i < s.n; i++)
        if (!strchr(".0 :-", s.p[i]) || !s.p[i])
            return false;
    return true;
}

/* ---- column payloads (processValues 'create' / 'update') ---------------------------------- */

wr_col_t *wr_cols_find(wr_cols_t *cols, const schema_field_t *f)
{
    for (size_t i = 0; i < cols->n; i++)
        if (cols->v[i].f == f)
            return &cols->v[i];
    return NULL;
}

static wr_col_t *wr_cols_add(write_t *w, wr_cols_t *cols, const schema_field_t *f)
{
    wr_col_t *c = wr_cols_find(cols, f);
    if (c)
        return c;
    if (cols->n == cols->cap) {
        size_t cap = cols->cap ? cols->cap * 2 : 16;
        cols->v = arena_realloc(w->a, cols->v, cols->cap * sizeof *cols->v, cap * sizeof *cols->v);
        cols->cap = cap;
    }
    c = &cols->v[cols->n++];
    *c = (wr_col_t){.f = f};
    return c;
}

static void uuid_v4(char out[37])
{
    unsigned char b[16];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t r = getrandom(b + got, sizeof b - got, 0);
        if (r > 0)
            got += (size_t)r;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

/* One special transformer (PayloadService.transformers). *undef: the transformer returned
 * undefined (the record keeps its value). Dates come back in *ms with *date set. */
static int transform(write_t *w, uint32_t bit, wr_act_t act, struct json_object **v, bool *undef,
                     bool *date, int64_t *ms)
{
    const write_actor_t *who = w->actor;
    switch (bit) {
    case SCHEMA_SPECIAL_HASH:
        if (*undef || !jsval_truthy(*v)) {
            *undef = true;
            return 0;
        }
        {
            str_t plain = jsval_str(w->a, *v);
            char *h = password_hash(w->a, plain, w->hash);
            if (!h)
                return err_set(w->e, w->a, ERR_INTERNAL_SERVER_ERROR, NULL);
            *v = wr_own(w, json_object_new_string(h));
        }
        return 0;
    case SCHEMA_SPECIAL_UUID:
        if (act == WR_CREATE && (*undef || !jsval_truthy(*v))) {
            char u[37];
            uuid_v4(u);
            *v = wr_own(w, json_object_new_string(u));
            *undef = false;
        }
        return 0;
    case SCHEMA_SPECIAL_USER_CREATED:
    case SCHEMA_SPECIAL_USER_UPDATED:
    case SCHEMA_SPECIAL_ROLE_CREATED:
    case SCHEMA_SPECIAL_ROLE_UPDATED: {
        bool on_create = bit == SCHEMA_SPECIAL_USER_CREATED || bit == SCHEMA_SPECIAL_ROLE_CREATED;
        if ((act == WR_CREATE) != on_create)
            return 0;
        bool user = bit == SCHEMA_SPECIAL_USER_CREATED || bit == SCHEMA_SPECIAL_USER_UPDATED;
        const char *id = who ? (user ? who->user : who->role) : NULL;
        *v = id ? wr_own(w, json_object_new_string(id)) : NULL;
        *undef = false;
        *date = false;
        return 0;
    }
    case SCHEMA_SPECIAL_DATE_CREATED:
    case SCHEMA_SPECIAL_DATE_UPDATED:
        if ((act == WR_CREATE) != (bit == SCHEMA_SPECIAL_DATE_CREATED))
            return 0;
        *date = true;
        *ms = w->now_ms;
        *undef = false;
        return 0;
    case SCHEMA_SPECIAL_CAST_CSV:
        if (*undef || (json_object_get_type(*v) != json_type_array &&
                       json_object_get_type(*v) != json_type_string)) {
            *undef = true;
            return 0;
        }
        if (json_object_get_type(*v) == json_type_array) {
            str_t s = jsval_str(w->a, *v);
            *v = wr_own(w, json_object_new_string_len(s.p, (int)s.n));
        }
        return 0;
    default:
        return 0;
    }
}

/* processField for every field with specials, in field order. */
static int apply_specials(write_t *w, const schema_collection_t *c, wr_act_t act, wr_cols_t *cols)
{
    for (size_t i = 0; i < c->nfields; i++) {
        const schema_field_t *f = &c->fields[i];
        if (!f->nspecials || f->alias)
            continue;
        wr_col_t *have = wr_cols_find(cols, f);
        struct json_object *v = have && !have->date ? have->v : NULL;
        bool undef = !have, date = have && have->date;
        int64_t ms = have ? have->ms : 0;
        bool touched = false;
        for (size_t k = 0; k < f->nspecials; k++) {
            uint32_t bit = schema_special_bit(str_c(f->specials[k]));
            if (!bit)
                continue;
            if (transform(w, bit, act, &v, &undef, &date, &ms) < 0)
                return -1;
            touched = true;
        }
        if (!touched || undef)
            continue;
        wr_col_t *col = wr_cols_add(w, cols, f);
        col->v = v;
        col->date = date;
        col->ms = ms;
    }
    return 0;
}

/* processDates('create'/'update'): date strings become Dates, zero dates null. */
static int apply_dates(write_t *w, wr_cols_t *cols)
{
    for (size_t i = 0; i < cols->n; i++) {
        wr_col_t *col = &cols->v[i];
        schema_type_t t = col->f->type;
        if (col->date || !wr_is_date_type(t) || !jsval_is_string(col->v))
            continue;
        str_t s = jsval_string(col->v);
        if (wr_zero_date(s)) {
            col->v = NULL;
            continue;
        }
        if (!s.n)
            continue;
        int64_t ms;
        if (!isodate_parse(s, &ms)) {
            if (t == SCHEMA_TYPE_TIMESTAMP)
                continue; /* writeTimestamp gives an Invalid Date; the driver refuses it */
            return err_invalid_payload(w->e, w->a,
                                       arena_printf(w->a, "Invalid %s format in field \"%s\"",
                                                    t == SCHEMA_TYPE_DATE ? "Date" : "DateTime",
                                                    col->f->name));
        }
        col->date = true;
        col->ms = ms;
    }
    return 0;
}

/* pick(payload, fields without aliases [and the pk]) then processValues. */
int wr_build_cols(write_t *w, const schema_collection_t *c, struct json_object *payload,
                  wr_act_t act, wr_cols_t *cols)
{
    *cols = (wr_cols_t){0};
    for (size_t i = 0; i < c->nfields; i++) {
        const schema_field_t *f = &c->fields[i];
        if (f->alias || (act == WR_UPDATE && f == c->primary) || !wr_has(payload, f->name))
            continue;
        wr_cols_add(w, cols, f)->v = wr_get(payload, f->name);
    }
    if (apply_specials(w, c, act, cols) < 0 || apply_dates(w, cols) < 0)
        return -1;
    return 0;
}

db_value_t wr_col_bind(write_t *w, const wr_col_t *col)
{
    db_dialect_t d = db_dialect(w->db);
    if (col->date)
        return date_bind(w->a, d, col->f->type, col->ms);
    struct json_object *v = col->v;
    switch (json_object_get_type(v)) {
    case json_type_null:
        return (db_value_t){.type = DB_NULL};
    case json_type_boolean:
        return (db_value_t){.type = DB_BOOL, .i = json_object_get_boolean(v)};
    case json_type_int:
        return (db_value_t){.type = DB_INT, .i = json_object_get_int64(v)};
    case json_type_double:
        return (db_value_t){.type = DB_FLOAT, .f = json_object_get_double(v)};
    case json_type_string:
        return (db_value_t){.type = DB_TEXT, .s = jsval_string(v)};
    default: {
        buf_t b;
        buf_init(&b, w->a, 64);
        json_write(&b, v);
        return (db_value_t){.type = DB_TEXT, .s = buf_slice(&b)};
    }
    }
}

int wr_cmp_cols(const void *x, const void *y)
{
    return strcmp(((const wr_col_t *)x)->f->name, ((const wr_col_t *)y)->f->name);
}

/* ---- revision deltas (prepareDelta: processValues 'read' + JSON.stringify) ----------------- */

/* A value as processValues('read') leaves it for field f (specials, then dates). */
static struct json_object *wr_read_value(write_t *w, const schema_field_t *f, struct json_object *v)
{
    for (size_t k = 0; f && k < f->nspecials; k++) {
        uint32_t bit = schema_special_bit(str_c(f->specials[k]));
        json_type t = json_object_get_type(v);
        if (bit == SCHEMA_SPECIAL_CONCEAL) {
            v = jsval_truthy(v) ? wr_own(w, json_object_new_string("**********")) : NULL;
        } else if (bit == SCHEMA_SPECIAL_CAST_JSON && t == json_type_string) {
            struct json_object *p;
            str_t s = jsval_string(v);
            if (jsonparse(w->a, s.p, s.n, 0, 512, &p, NULL) == 0)
                v = p;
        } else if (bit == SCHEMA_SPECIAL_CAST_BOOLEAN) {
            if (t == json_type_boolean)
                continue;
            const char *s = t == json_type_string ? json_object_get_string(v) : NULL;
            if ((t == json_type_int && json_object_get_int64(v) == 1) || (s && !strcmp(s, "1")))
                v = wr_own(w, json_object_new_boolean(1));
            else if ((t == json_type_int && json_object_get_int64(v) == 0) ||
                     (s && !strcmp(s, "0")))
                v = wr_own(w, json_object_new_boolean(0));
            else if (t == json_type_null || (s && !*s))
                v = NULL;
        } else if (bit == SCHEMA_SPECIAL_CAST_CSV && t == json_type_string) {
            str_t s = jsval_string(v);
            struct json_object *arr = wr_own(w, json_object_new_array());
            size_t start = 0;
            for (size_t i = 0; s.n && i <= s.n; i++) {
                if (i == s.n || s.p[i] == ',') {
                    json_object_array_add(
                        arr, json_object_new_string_len(s.p + start, (int)(i - start)));
                    start = i + 1;
                }
            }
            v = arr;
        }
    }
    if (f && wr_is_date_type(f->type) && v) {
        json_type t = json_object_get_type(v);
        if (t == json_type_string && wr_zero_date(jsval_string(v)))
            return NULL;
        if (!jsval_truthy(v))
            return v;
        double ms =
            t == json_type_string ? jsval_date_parse(jsval_string(v)) : jsval_number(w->a, v);
        /* Outside JavaScript's Date range (±8.64e15 ms) there is no date to print (Directus
         * would throw on the Invalid Date): the value stays as sent. */
        if (!isnan(ms) && fabs(ms) <= 8.64e15)
            v = wr_own(w, json_object_new_string(date_read_text(w->a, f->type, (int64_t)ms)));
    }
    return v;
}

/* prepareDelta of a request payload: NULL when it has no keys. */
const char *wr_delta_payload(write_t *w, const schema_collection_t *c, struct json_object *payload)
{
    if (!wr_is_object(payload) || json_object_object_length(payload) == 0)
        return NULL;
    struct json_object *o = wr_own(w, json_object_new_object());
    json_object_object_foreach(payload, k, v)
    {
        const schema_field_t *f = schema_field(c, str_c(k));
        wr_put(o, k, (f && !f->alias) ? wr_read_value(w, f, v) : v);
    }
    buf_t b;
    buf_init(&b, w->a, 256);
    json_write(&b, o);
    return b.p;
}

/* prepareDelta of the processed columns of an update. */
const char *wr_delta_cols(write_t *w, const wr_cols_t *cols)
{
    if (!cols->n)
        return NULL;
    struct json_object *o = wr_own(w, json_object_new_object());
    for (size_t i = 0; i < cols->n; i++) {
        const wr_col_t *col = &cols->v[i];
        struct json_object *v = col->v;
        if (col->date)
            v = wr_own(w, json_object_new_string(date_read_text(w->a, col->f->type, col->ms)));
        else if (v && (json_object_get_type(v) == json_type_object ||
                       json_object_get_type(v) == json_type_array)) {
            buf_t b;
            buf_init(&b, w->a, 64);
            json_write(&b, v);
            v = wr_own(w, json_object_new_string_len(b.p, (int)b.n));
        }
        wr_put(o, col->f->name, wr_read_value(w, col->f, v));
    }
    buf_t b;
    buf_init(&b, w->a, 256);
    json_write(&b, o);
    return b.p;
}
