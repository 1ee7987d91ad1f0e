/*
 * Items writes, in the order Directus 11.3.5's ItemsService and PayloadService do them:
 *
 *   create: m2o → a2o → columns (specials, dates, JSON) → INSERT → o2m → activity → revision
 *   update: m2o → a2o → columns → UPDATE … WHERE pk IN → o2m per key → activity → revisions
 *   delete: DELETE … WHERE pk IN → activity
 *
 * Nested writes recurse through the same functions on the related collection; their revision
 * ids bubble up in a write_revs_t so the parent revision can adopt them (`parent`).
 */
#include "lib/services/write.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "lib/auth/password.h"
#include "lib/core/json.h"
#include "lib/core/jsonparse.h"
#include "lib/query/jsval.h"
#include "lib/services/activity.h"
#include "lib/services/items.h"
#include "lib/sql/plan.h"
#include "lib/sql/sqlbuf.h"

/* ---- small helpers ------------------------------------------------------------------------ */

static struct json_object *own(write_t *w, struct json_object *o)
{
    return o ? json_own(w->a, o) : NULL;
}

static struct json_object *get(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;
    json_object_object_get_ex(o, key, &v);
    return v;
}

static bool has(struct json_object *o, const char *key)
{
    return json_object_object_get_ex(o, key, NULL);
}

/* obj[key] = v (v is shared, not moved). */
static void put(struct json_object *obj, const char *key, struct json_object *v)
{
    json_object_object_add(obj, key, v ? json_object_get(v) : NULL);
}

static bool is_object(const struct json_object *v)
{
    return json_object_get_type(v) == json_type_object;
}

/* A shallow copy of an object (lodash clone / spread). */
static struct json_object *copy_object(write_t *w, struct json_object *src)
{
    struct json_object *o = own(w, json_object_new_object());
    if (is_object(src)) {
        json_object_object_foreach(src, k, v) put(o, k, v);
    }
    return o;
}

const char *write_key_text(arena_t *a, const struct json_object *key)
{
    switch (json_object_get_type(key)) {
    case json_type_string:
        return json_object_get_string((struct json_object *)key);
    case json_type_null:
        return "null";
    default: {
        str_t s = jsval_str(a, key);
        return str_dup(a, s);
    }
    }
}

static db_value_t key_value(const struct json_object *key)
{
    switch (json_object_get_type(key)) {
    case json_type_int:
        return (db_value_t){.type = DB_INT, .i = json_object_get_int64(key)};
    case json_type_double:
        return (db_value_t){.type = DB_FLOAT, .f = json_object_get_double(key)};
    case json_type_boolean:
        return (db_value_t){.type = DB_BOOL, .i = json_object_get_boolean(key)};
    case json_type_string:
        return (db_value_t){.type = DB_TEXT, .s = jsval_string(key)};
    default:
        return (db_value_t){.type = DB_NULL};
    }
}

/* A result cell as a key value (numbers stay numbers, like the drivers hand them to knex). */
static struct json_object *cell_key(write_t *w, const db_value_t *v)
{
    switch (v->type) {
    case DB_INT:
    case DB_BOOL:
        return own(w, json_object_new_int64(v->i));
    case DB_FLOAT:
        return own(w, json_object_new_double(v->f));
    case DB_TEXT:
    case DB_BLOB:
        return own(w, json_object_new_string_len(v->s.p, (int)v->s.n));
    default:
        return NULL;
    }
}

static bool uuid_text_valid(str_t s)
{
    if (s.n != 36)
        return false;
    for (size_t i = 0; i < 36; i++) {
        char ch = s.p[i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? ch != '-'
                 : !((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
                     (ch >= 'A' && ch <= 'F')))
            return false;
    }
    return true;
}

bool write_key_text_valid(const schema_collection_t *c, str_t key)
{
    schema_type_t t = c->primary->type;
    if (t == SCHEMA_TYPE_INTEGER)
        return jsval_is_integer(jsval_str_number(key));
    return t != SCHEMA_TYPE_UUID || uuid_text_valid(key);
}

bool write_key_valid(const schema_collection_t *c, const struct json_object *key)
{
    schema_type_t t = c->primary->type;
    if (json_object_get_type(key) == json_type_string)
        return write_key_text_valid(c, jsval_string(key));
    if (t == SCHEMA_TYPE_INTEGER) {
        if (json_object_get_type(key) == json_type_int)
            return true;
        if (json_object_get_type(key) == json_type_double)
            return jsval_is_integer(json_object_get_double(key));
        if (json_object_get_type(key) == json_type_boolean)
            return true;
        return json_object_get_type(key) == json_type_null; /* Number(null) is 0 */
    }
    return t != SCHEMA_TYPE_UUID;
}

static int keys_valid(write_t *w, const schema_collection_t *c, const write_keys_t *keys)
{
    for (size_t i = 0; i < keys->n; i++)
        if (!write_key_valid(c, keys->v[i]))
            return err_set(w->e, w->a, ERR_FORBIDDEN, NULL);
    return 0;
}

/* The mutation tracker: MAX_BATCH_MUTATION counts every row a request touches. */
static int track(write_t *w, size_t n)
{
    w->mutations += n;
    if (w->max_batch && w->mutations > w->max_batch)
        return err_invalid_payload(
            w->e, w->a,
            arena_printf(w->a, "Exceeded max batch mutation limit of %zu", w->max_batch));
    return 0;
}

static int64_t limit_default(const write_t *w)
{
    return w->env ? w->env->limit_default : 100;
}

static void revs_push(write_t *w, write_revs_t *r, int64_t id)
{
    if (!r)
        return;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        r->ids = arena_realloc(w->a, r->ids, r->cap * sizeof *r->ids, cap * sizeof *r->ids);
        r->cap = cap;
    }
    r->ids[r->n++] = id;
}

static void keys_push(write_t *w, write_keys_t *k, size_t *cap, struct json_object *key)
{
    if (k->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        k->v = arena_realloc(w->a, k->v, *cap * sizeof *k->v, ncap * sizeof *k->v);
        *cap = ncap;
    }
    k->v[k->n++] = key;
}

write_keys_t write_keys_of(arena_t *a, struct json_object *arr)
{
    size_t n = json_object_array_length(arr);
    write_keys_t k = {.v = arena_calloc(a, n ? n : 1, sizeof(struct json_object *)), .n = n};
    for (size_t i = 0; i < n; i++)
        k.v[i] = json_object_array_get_idx(arr, i);
    return k;
}

qval_t *write_keys_qvals(arena_t *a, const write_keys_t *keys)
{
    qval_t *kv = arena_calloc(a, keys->n ? keys->n : 1, sizeof *kv);
    for (size_t i = 0; i < keys->n; i++) {
        struct json_object *k = keys->v[i];
        if (json_object_get_type(k) == json_type_string)
            kv[i] = (qval_t){.kind = QV_STRING, .s = jsval_string(k)};
        else
            kv[i] = (qval_t){.kind = QV_NUMBER, .num = jsval_number(a, k)};
    }
    return kv;
}

/* Remembers which pool-wide caches a write to c makes stale. */
static void note_write(write_t *w, const schema_collection_t *c)
{
    static const struct {
        const char *name;
        gen_kind_t kind;
    } map[] = {
        {"directus_collections", GEN_SCHEMA},   {"directus_fields", GEN_SCHEMA},
        {"directus_relations", GEN_SCHEMA},     {"directus_permissions", GEN_PERMISSIONS},
        {"directus_policies", GEN_PERMISSIONS}, {"directus_access", GEN_PERMISSIONS},
        {"directus_roles", GEN_PERMISSIONS},    {"directus_users", GEN_USERS},
    };
    if (!c->system)
        return;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i].name, c->name))
            w->stale |= 1u << map[i].kind;
}

static int run(write_t *w, const sqlbuf_t *b, db_result_t *out)
{
    sqlbuf_out_t r;
    const char *why = NULL;
    if (sqlbuf_render(b, w->a, db_dialect(w->db), &r, &why) < 0)
        return err_invalid_payload(w->e, w->a, why ? why : "Too many values");
    return db_exec(w->db, w->a, w->e, r.sql, r.params, r.nparams, out);
}

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
static const char *iso(arena_t *a, int64_t ms)
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
        return iso(a, ms);
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
        s = iso(a, ms);
    return (db_value_t){.type = DB_TEXT, .s = str_c(s)};
}

/* ---- date-fns parseISO (TZ=UTC) ----------------------------------------------------------- */

static bool digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

static int num(const char *p, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The calendar part: YYYY, YYYY-MM, YYYY-MM-DD, YYYYMMDD (week and ordinal dates: not taken). */
static bool iso_date(const char *p, size_t n, int64_t *days)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (n < 4 || !digits(p, 4))
        return false;
    int y = num(p, 4), m = 1, d = 1;
    const char *r = p + 4;
    size_t rn = n - 4;
    if (rn && *r == '-') {
        r++;
        rn--;
    }
    if (rn == 2 || rn == 4 || rn == 5) {
        if (!digits(r, 2))
            return false;
        m = num(r, 2);
        r += 2;
        rn -= 2;
        if (rn && *r == '-') {
            r++;
            rn--;
        }
        if (rn != 0 && (rn != 2 || !digits(r, 2)))
            return false;
        if (rn == 2)
            d = num(r, 2);
    } else if (rn) {
        return false;
    }
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap(y)))
        return false;
    *days = days_from_civil(y, m, d);
    return true;
}

/* One time unit: two digits, an optional fraction ("," or "."). */
static bool time_unit(const char **p, const char *end, double *out)
{
    if (end - *p < 2 || !digits(*p, 2))
        return false;
    double v = num(*p, 2);
    *p += 2;
    if (*p < end && (**p == '.' || **p == ',')) {
        double scale = 0.1;
        for ((*p)++; *p < end && **p >= '0' && **p <= '9'; (*p)++, scale /= 10)
            v += (**p - '0') * scale;
    }
    *out = v;
    return true;
}

/* hh[:mm[:ss]] (colons optional) then Z, ±hh, ±hh:mm or ±hhmm. */
static bool iso_time(const char *p, size_t n, double *ms)
{
    const char *end = p + n, *tz = NULL;
    for (const char *q = p; q < end; q++)
        if (*q == 'Z' || *q == 'z' || *q == '+' || *q == '-') {
            tz = q;
            break;
        }
    const char *tend = tz ? tz : end;
    double h = 0, mi = 0, s = 0;
    const char *q = p;
    if (!time_unit(&q, tend, &h))
        return false;
    if (q < tend && *q == ':')
        q++;
    if (q < tend && !time_unit(&q, tend, &mi))
        return false;
    if (q < tend && *q == ':')
        q++;
    if (q < tend && !time_unit(&q, tend, &s))
        return false;
    if (q != tend)
        return false;
    if (h == 24 ? (mi != 0 || s != 0)
                : !(s >= 0 && s < 60 && mi >= 0 && mi < 60 && h >= 0 && h < 25))
        return false;
    double offset = 0;
    if (tz && *tz != 'Z' && *tz != 'z') {
        size_t tn = (size_t)(end - tz);
        if (tn < 3 || !digits(tz + 1, 2))
            return false;
        int oh = num(tz + 1, 2), om = 0;
        const char *r = tz + 3;
        if (r < end && *r == ':')
            r++;
        if (r < end) {
            if (end - r != 2 || !digits(r, 2))
                return false;
            om = num(r, 2);
        }
        if (om > 59)
            return false;
        offset = (*tz == '-' ? -1 : 1) * (oh * 3600000.0 + om * 60000.0);
    } else if (tz && end - tz != 1) {
        return false;
    }
    *ms = h * 3600000 + mi * 60000 + s * 1000 - offset;
    return true;
}

/* date-fns parseISO as Directus's processDates calls it, in a process running with TZ=UTC:
 * false for what it calls an Invalid Date. */
static bool parse_iso(str_t s, int64_t *ms)
{
    const char *p = s.p;
    size_t n = s.n, cut = n;
    for (size_t i = 0; i < n; i++)
        if (p[i] == 'T' || p[i] == ' ') {
            cut = i;
            break;
        }
    int64_t days;
    if (memchr(p, ':', cut) || !iso_date(p, cut, &days))
        return false;
    double t = 0;
    if (cut < n && !iso_time(p + cut + 1, n - cut - 1, &t))
        return false;
    *ms = days * 86400000 + (int64_t)floor(t);
    return true;
}

static bool is_date_type(schema_type_t t)
{
    return t == SCHEMA_TYPE_DATE || t == SCHEMA_TYPE_DATETIME || t == SCHEMA_TYPE_TIMESTAMP;
}

/* processDates' zero-date test: /^[.0 :-]{10,}$/ */
static bool zero_date(str_t s)
{
    if (s.n < 10)
        return false;
    for (size_t i = 0; i < s.n; i++)
        if (!strchr(".0 :-", s.p[i]) || !s.p[i])
            return false;
    return true;
}

/* ---- column payloads (processValues 'create' / 'update') ---------------------------------- */

typedef struct {
    const schema_field_t *f;
    struct json_object *v; /* when !date */
    bool date;             /* a Date: ms */
    int64_t ms;
} wcol_t;

typedef struct {
    wcol_t *v;
    size_t n, cap;
} wcols_t;

static wcol_t *cols_find(wcols_t *cols, const schema_field_t *f)
{
    for (size_t i = 0; i < cols->n; i++)
        if (cols->v[i].f == f)
            return &cols->v[i];
    return NULL;
}

static wcol_t *cols_add(write_t *w, wcols_t *cols, const schema_field_t *f)
{
    wcol_t *c = cols_find(cols, f);
    if (c)
        return c;
    if (cols->n == cols->cap) {
        size_t cap = cols->cap ? cols->cap * 2 : 16;
        cols->v = arena_realloc(w->a, cols->v, cols->cap * sizeof *cols->v, cap * sizeof *cols->v);
        cols->cap = cap;
    }
    c = &cols->v[cols->n++];
    *c = (wcol_t){.f = f};
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

typedef enum { ACT_CREATE, ACT_UPDATE } wact_t;

/* One special transformer (PayloadService.transformers). *undef: the transformer returned
 * undefined (the record keeps its value). Dates come back in *ms with *date set. */
static int transform(write_t *w, uint32_t bit, wact_t act, struct json_object **v, bool *undef,
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
            char *h = password_hash(w->a, plain, NULL);
            if (!h)
                return err_set(w->e, w->a, ERR_INTERNAL_SERVER_ERROR, NULL);
            *v = own(w, json_object_new_string(h));
        }
        return 0;
    case SCHEMA_SPECIAL_UUID:
        if (act == ACT_CREATE && (*undef || !jsval_truthy(*v))) {
            char u[37];
            uuid_v4(u);
            *v = own(w, json_object_new_string(u));
            *undef = false;
        }
        return 0;
    case SCHEMA_SPECIAL_USER_CREATED:
    case SCHEMA_SPECIAL_USER_UPDATED:
    case SCHEMA_SPECIAL_ROLE_CREATED:
    case SCHEMA_SPECIAL_ROLE_UPDATED: {
        bool on_create = bit == SCHEMA_SPECIAL_USER_CREATED || bit == SCHEMA_SPECIAL_ROLE_CREATED;
        if ((act == ACT_CREATE) != on_create)
            return 0;
        bool user = bit == SCHEMA_SPECIAL_USER_CREATED || bit == SCHEMA_SPECIAL_USER_UPDATED;
        const char *id = who ? (user ? who->user : who->role) : NULL;
        *v = id ? own(w, json_object_new_string(id)) : NULL;
        *undef = false;
        *date = false;
        return 0;
    }
    case SCHEMA_SPECIAL_DATE_CREATED:
    case SCHEMA_SPECIAL_DATE_UPDATED:
        if ((act == ACT_CREATE) != (bit == SCHEMA_SPECIAL_DATE_CREATED))
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
            *v = own(w, json_object_new_string_len(s.p, (int)s.n));
        }
        return 0;
    default:
        return 0;
    }
}

/* processField for every field with specials, in field order. */
static int apply_specials(write_t *w, const schema_collection_t *c, wact_t act, wcols_t *cols)
{
    for (size_t i = 0; i < c->nfields; i++) {
        const schema_field_t *f = &c->fields[i];
        if (!f->nspecials || f->alias)
            continue;
        wcol_t *have = cols_find(cols, f);
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
        wcol_t *col = cols_add(w, cols, f);
        col->v = v;
        col->date = date;
        col->ms = ms;
    }
    return 0;
}

/* processDates('create'/'update'): date strings become Dates, zero dates null. */
static int apply_dates(write_t *w, wcols_t *cols)
{
    for (size_t i = 0; i < cols->n; i++) {
        wcol_t *col = &cols->v[i];
        schema_type_t t = col->f->type;
        if (col->date || !is_date_type(t) || !jsval_is_string(col->v))
            continue;
        str_t s = jsval_string(col->v);
        if (zero_date(s)) {
            col->v = NULL;
            continue;
        }
        if (!s.n)
            continue;
        int64_t ms;
        if (!parse_iso(s, &ms)) {
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
static int build_cols(write_t *w, const schema_collection_t *c, struct json_object *payload,
                      wact_t act, wcols_t *cols)
{
    *cols = (wcols_t){0};
    for (size_t i = 0; i < c->nfields; i++) {
        const schema_field_t *f = &c->fields[i];
        if (f->alias || (act == ACT_UPDATE && f == c->primary) || !has(payload, f->name))
            continue;
        cols_add(w, cols, f)->v = get(payload, f->name);
    }
    if (apply_specials(w, c, act, cols) < 0 || apply_dates(w, cols) < 0)
        return -1;
    return 0;
}

static db_value_t col_bind(write_t *w, const wcol_t *col)
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

static int cmp_cols(const void *x, const void *y)
{
    return strcmp(((const wcol_t *)x)->f->name, ((const wcol_t *)y)->f->name);
}

/* ---- revision deltas (prepareDelta: processValues 'read' + JSON.stringify) ----------------- */

/* A value as processValues('read') leaves it for field f (specials, then dates). */
static struct json_object *read_value(write_t *w, const schema_field_t *f, struct json_object *v)
{
    for (size_t k = 0; f && k < f->nspecials; k++) {
        uint32_t bit = schema_special_bit(str_c(f->specials[k]));
        json_type t = json_object_get_type(v);
        if (bit == SCHEMA_SPECIAL_CONCEAL) {
            v = jsval_truthy(v) ? own(w, json_object_new_string("**********")) : NULL;
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
                v = own(w, json_object_new_boolean(1));
            else if ((t == json_type_int && json_object_get_int64(v) == 0) ||
                     (s && !strcmp(s, "0")))
                v = own(w, json_object_new_boolean(0));
            else if (t == json_type_null || (s && !*s))
                v = NULL;
        } else if (bit == SCHEMA_SPECIAL_CAST_CSV && t == json_type_string) {
            str_t s = jsval_string(v);
            struct json_object *arr = own(w, json_object_new_array());
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
    if (f && is_date_type(f->type) && v) {
        json_type t = json_object_get_type(v);
        if (t == json_type_string && zero_date(jsval_string(v)))
            return NULL;
        if (!jsval_truthy(v))
            return v;
        double ms =
            t == json_type_string ? jsval_date_parse(jsval_string(v)) : jsval_number(w->a, v);
        /* Outside JavaScript's Date range (±8.64e15 ms) there is no date to print (Directus
         * would throw on the Invalid Date): the value stays as sent. */
        if (!isnan(ms) && fabs(ms) <= 8.64e15)
            v = own(w, json_object_new_string(date_read_text(w->a, f->type, (int64_t)ms)));
    }
    return v;
}

/* prepareDelta of a request payload: NULL when it has no keys. */
static const char *delta_of_payload(write_t *w, const schema_collection_t *c,
                                    struct json_object *payload)
{
    if (!is_object(payload) || json_object_object_length(payload) == 0)
        return NULL;
    struct json_object *o = own(w, json_object_new_object());
    json_object_object_foreach(payload, k, v)
    {
        const schema_field_t *f = schema_field(c, str_c(k));
        put(o, k, (f && !f->alias) ? read_value(w, f, v) : v);
    }
    buf_t b;
    buf_init(&b, w->a, 256);
    json_write(&b, o);
    return b.p;
}

/* prepareDelta of the processed columns of an update. */
static const char *delta_of_cols(write_t *w, const wcols_t *cols)
{
    if (!cols->n)
        return NULL;
    struct json_object *o = own(w, json_object_new_object());
    for (size_t i = 0; i < cols->n; i++) {
        const wcol_t *col = &cols->v[i];
        struct json_object *v = col->v;
        if (col->date)
            v = own(w, json_object_new_string(date_read_text(w->a, col->f->type, col->ms)));
        else if (v && (json_object_get_type(v) == json_type_object ||
                       json_object_get_type(v) == json_type_array)) {
            buf_t b;
            buf_init(&b, w->a, 64);
            json_write(&b, v);
            v = own(w, json_object_new_string_len(b.p, (int)b.n));
        }
        put(o, col->f->name, read_value(w, col->f, v));
    }
    buf_t b;
    buf_init(&b, w->a, 256);
    json_write(&b, o);
    return b.p;
}

/* ---- statements --------------------------------------------------------------------------- */

/* SELECT cols FROM c WHERE pk = key LIMIT 1 */
static int select_by_key(write_t *w, const schema_collection_t *c, const char *const *cols,
                         size_t ncols, struct json_object *key, db_result_t *r)
{
    sqlbuf_t *b = sqlbuf_new(w->a);
    sqlbuf_kw(b, "SELECT ");
    for (size_t i = 0; i < ncols; i++) {
        if (i)
            sqlbuf_kw(b, ", ");
        sqlbuf_ident(b, cols[i]);
    }
    sqlbuf_kw(b, " FROM ");
    sqlbuf_ident(b, c->name);
    sqlbuf_kw(b, " WHERE ");
    sqlbuf_ident(b, c->primary->name);
    sqlbuf_kw(b, " = ");
    sqlbuf_param(b, key_value(key));
    sqlbuf_kw(b, " LIMIT 1");
    return run(w, b, r);
}

/* Whether the row with key exists. */
static int row_exists(write_t *w, const schema_collection_t *c, struct json_object *key, bool *out)
{
    db_result_t r;
    if (select_by_key(w, c, &c->primary->name, 1, key, &r) < 0)
        return -1;
    *out = r.nrows > 0;
    return 0;
}

static void in_list(sqlbuf_t *b, const write_keys_t *keys)
{
    sqlbuf_kw(b, "(");
    for (size_t i = 0; i < keys->n; i++) {
        if (i)
            sqlbuf_kw(b, ", ");
        sqlbuf_param(b, key_value(keys->v[i]));
    }
    sqlbuf_kw(b, ")");
}

/* knex's resetAutoIncrementSequence on PostgreSQL after an explicit integer key. */
static int reset_sequence(write_t *w, const schema_collection_t *c)
{
    if (db_dialect(w->db) != DB_PG)
        return 0;
    sqlbuf_t *b = sqlbuf_new(w->a);
    sqlbuf_kw(b, "SELECT setval(pg_get_serial_sequence(");
    sqlbuf_param_text(b, str_c(c->name));
    sqlbuf_kw(b, ", ");
    sqlbuf_param_text(b, str_c(c->primary->name));
    sqlbuf_kw(b, "), (SELECT MAX(");
    sqlbuf_ident(b, c->primary->name);
    sqlbuf_kw(b, ") FROM ");
    sqlbuf_ident(b, c->name);
    sqlbuf_kw(b, "))");
    return run(w, b, NULL);
}

/* createOne's catch: MySQL names no field for a duplicate primary key; Directus fills in the
 * primary key's name and drops the primaryKey flag (the message stays as built). */
static int insert_failed(write_t *w, const schema_collection_t *c)
{
    struct json_object *flag;
    if (w->e->code == ERR_RECORD_NOT_UNIQUE && w->e->ext &&
        json_object_object_get_ex(w->e->ext, "primaryKey", &flag) &&
        json_object_get_boolean(flag)) {
        json_object_object_add(w->e->ext, "field", json_object_new_string(c->primary->name));
        json_object_object_del(w->e->ext, "primaryKey");
    }
    return -1;
}

static int insert_row(write_t *w, const schema_collection_t *c, wcols_t *cols,
                      struct json_object **key)
{
    db_dialect_t d = db_dialect(w->db);
    note_write(w, c);
    qsort(cols->v, cols->n, sizeof *cols->v, cmp_cols); /* knex lists insert columns sorted */
    sqlbuf_t *b = sqlbuf_new(w->a);
    sqlbuf_kw(b, "INSERT INTO ");
    sqlbuf_ident(b, c->name);
    if (!cols->n) {
        sqlbuf_kw_if(b, d == DB_MYSQL, " () VALUES ()", " DEFAULT VALUES");
    } else {
        sqlbuf_kw(b, " (");
        for (size_t i = 0; i < cols->n; i++) {
            if (i)
                sqlbuf_kw(b, ", ");
            sqlbuf_ident(b, cols->v[i].f->name);
        }
        sqlbuf_kw(b, ") VALUES (");
        for (size_t i = 0; i < cols->n; i++) {
            if (i)
                sqlbuf_kw(b, ", ");
            sqlbuf_param(b, col_bind(w, &cols->v[i]));
        }
        sqlbuf_kw(b, ")");
    }
    if (d == DB_PG) {
        sqlbuf_kw(b, " RETURNING ");
        sqlbuf_ident(b, c->primary->name);
    }
    db_result_t r;
    if (run(w, b, &r) < 0)
        return insert_failed(w, c);
    *key = NULL;
    if (d == DB_PG && r.nrows && r.ncols)
        *key = cell_key(w, db_cell(&r, 0, 0));
    else if (d != DB_PG && r.last_insert_id)
        *key = own(w, json_object_new_int64(r.last_insert_id));
    return 0;
}

/* ---- nested relations (PayloadService) ---------------------------------------------------- */

static const schema_collection_t *coll_named(write_t *w, const char *name)
{
    return name ? schema_collection(w->s, str_c(name)) : NULL;
}

/* A related record of an m2o / a2o: update it when its key exists, else create it; the key
 * replaces the object in the payload. */
static int nested_to_one(write_t *w, const schema_collection_t *rc, struct json_object *payload,
                         const char *field, write_revs_t *revs)
{
    struct json_object *rec = get(payload, field);
    if (!rc || !rc->primary || !is_object(rec))
        return 0;
    const char *rpk = rc->primary->name;
    struct json_object *key = get(rec, rpk);
    bool exists = false;
    if (has(rec, rpk) && row_exists(w, rc, key, &exists) < 0)
        return -1;
    if (exists) {
        struct json_object *rest = copy_object(w, rec);
        json_object_object_del(rest, rpk);
        if (json_object_object_length(rest) > 0) {
            write_keys_t one = {.v = &key, .n = 1};
            if (!write_key_valid(rc, key))
                return err_set(w->e, w->a, ERR_FORBIDDEN, NULL);
            if (write_update_many(w, rc, &one, rest, revs) < 0)
                return -1;
        }
    } else if (write_create_one(w, rc, rec, revs, &key) < 0) {
        return -1;
    }
    put(payload, field, key);
    return 0;
}

/* processM2O: every m2o field of c holding an object (or array). */
static int process_m2o(write_t *w, const schema_collection_t *c, struct json_object *payload,
                       write_revs_t *revs)
{
    size_t n = schema_relation_count(w->s);
    for (size_t i = 0; i < n; i++) {
        const schema_relation_t *r = schema_relation_at(w->s, i);
        if (strcmp(r->collection, c->name) || !r->related_collection)
            continue;
        json_type t = json_object_get_type(get(payload, r->field));
        if (t != json_type_object)
            continue;
        if (nested_to_one(w, coll_named(w, r->related_collection), payload, r->field, revs) < 0)
            return -1;
    }
    return 0;
}

/* processA2O: the a2o field's object goes to the collection its sibling field names. */
static int process_a2o(write_t *w, const schema_collection_t *c, struct json_object *payload,
                       write_revs_t *revs)
{
    size_t n = schema_relation_count(w->s);
    for (size_t i = 0; i < n; i++) {
        const schema_relation_t *r = schema_relation_at(w->s, i);
        if (strcmp(r->collection, c->name) || !is_object(get(payload, r->field)))
            continue;
        if (!r->one_collection_field || !r->n_one_allowed)
            continue;
        struct json_object *rcname = get(payload, r->one_collection_field);
        if (!jsval_truthy(rcname))
            return err_invalid_payload(
                w->e, w->a,
                arena_printf(w->a,
                             "Can't update nested record \"%s.%s\" without field \"%s.%s\" "
                             "being set",
                             r->collection, r->field, r->collection, r->one_collection_field));
        const char *name = jsval_is_string(rcname) ? json_object_get_string(rcname) : NULL;
        bool allowed = false;
        for (size_t k = 0; name && k < r->n_one_allowed; k++)
            allowed |= !strcmp(r->one_allowed_collections[k], name);
        if (!allowed)
            return err_invalid_payload(
                w->e, w->a,
                arena_printf(w->a, "\"%s.%s\" can't be linked to collection \"%s\"", r->collection,
                             r->field, write_key_text(w->a, rcname)));
        const schema_collection_t *rc = coll_named(w, name);
        if (!rc)
            return err_set(w->e, w->a, ERR_FORBIDDEN, NULL);
        if (nested_to_one(w, rc, payload, r->field, revs) < 0)
            return -1;
    }
    return 0;
}

/* Keys of child rows linked to parent (and, when only is given, among those keys; when except
 * is given, not among them), as getKeysByQuery reads them: primary key order, the default
 * limit. */
static int linked_keys(write_t *w, const schema_collection_t *cc, const char *fk,
                       struct json_object *parent, const write_keys_t *only,
                       const write_keys_t *except, write_keys_t *out)
{
    *out = (write_keys_t){0};
    if (only && !only->n)
        return 0;
    sqlbuf_t *b = sqlbuf_new(w->a);
    sqlbuf_kw(b, "SELECT ");
    sqlbuf_ident(b, cc->primary->name);
    sqlbuf_kw(b, " FROM ");
    sqlbuf_ident(b, cc->name);
    sqlbuf_kw(b, " WHERE ");
    sqlbuf_ident(b, fk);
    sqlbuf_kw(b, " = ");
    sqlbuf_param(b, key_value(parent));
    if (only) {
        sqlbuf_kw(b, " AND ");
        sqlbuf_ident(b, cc->primary->name);
        sqlbuf_kw(b, " IN ");
        in_list(b, only);
    }
    if (except && except->n) {
        sqlbuf_kw(b, " AND ");
        sqlbuf_ident(b, cc->primary->name);
        sqlbuf_kw(b, " NOT IN ");
        in_list(b, except);
    }
    sqlbuf_kw(b, " ORDER BY ");
    sqlbuf_ident(b, cc->primary->name);
    int64_t limit = limit_default(w);
    if (limit >= 0) {
        sqlbuf_kw(b, " LIMIT ");
        sqlbuf_param_int(b, limit);
    }
    db_result_t r;
    if (run(w, b, &r) < 0)
        return -1;
    size_t cap = 0;
    for (size_t i = 0; i < r.nrows; i++) {
        struct json_object *k = cell_key(w, db_cell(&r, i, 0));
        if (jsval_truthy(k))
            keys_push(w, out, &cap, k);
    }
    return 0;
}

/* Deselected children: deleted or their foreign key nulled (one_deselect_action). */
static int deselect(write_t *w, const schema_relation_t *r, const schema_collection_t *cc,
                    write_keys_t *keys, write_revs_t *revs)
{
    if (!keys->n)
        return 0;
    if (r->one_deselect_delete)
        return write_delete_many(w, cc, keys);
    struct json_object *data = own(w, json_object_new_object());
    json_object_object_add(data, r->field, NULL);
    return write_update_many(w, cc, keys, data, revs);
}

/* upsertOne of a child record. */
static int upsert_one(write_t *w, const schema_collection_t *cc, struct json_object *rec,
                      write_revs_t *revs, struct json_object **key)
{
    const char *pk = cc->primary->name;
    *key = get(rec, pk);
    bool exists = false;
    if (jsval_truthy(*key)) {
        if (!write_key_valid(cc, *key))
            return err_set(w->e, w->a, ERR_FORBIDDEN, NULL);
        if (row_exists(w, cc, *key, &exists) < 0)
            return -1;
    }
    if (!exists)
        return write_create_one(w, cc, rec, revs, key);
    struct json_object *rest = copy_object(w, rec);
    json_object_object_del(rest, pk);
    write_keys_t one = {.v = key, .n = 1};
    return write_update_many(w, cc, &one, rest, revs);
}

static bool loose_eq(write_t *w, const db_value_t *cell, struct json_object *key)
{
    if (!key || cell->type == DB_NULL)
        return false;
    struct json_object *ck = cell_key(w, cell);
    return !strcmp(write_key_text(w->a, ck), write_key_text(w->a, key));
}

/* The array form: the list is the full new set of children. */
static int o2m_replace(write_t *w, const schema_relation_t *r, const schema_collection_t *cc,
                       struct json_object *payload, struct json_object *parent,
                       struct json_object *list, write_revs_t *revs)
{
    const char *cpk = cc->primary->name;
    const schema_collection_t *pc = coll_named(w, r->related_collection);
    struct json_object *own_pk = pc && pc->primary ? get(payload, pc->primary->name) : NULL;
    write_keys_t saved = {0};
    size_t saved_cap = 0;
    size_t n = json_object_get_type(list) == json_type_array ? json_object_array_length(list) : 0;
    struct json_object **recs = arena_calloc(w->a, n ? n : 1, sizeof *recs);
    size_t nrecs = 0;
    for (size_t i = 0; i < n; i++) {
        struct json_object *item = json_object_array_get_idx(list, i);
        json_type t = json_object_get_type(item);
        struct json_object *rec;
        if (t == json_type_string || t == json_type_int || t == json_type_double) {
            const char *cols[] = {cpk, r->field};
            db_result_t res;
            if (select_by_key(w, cc, cols, 2, item, &res) < 0)
                return -1;
            if (!res.nrows)
                return err_set(w->e, w->a, ERR_FORBIDDEN, NULL);
            const db_value_t *fkv = db_cell(&res, 0, 1);
            if (loose_eq(w, fkv, parent) || loose_eq(w, fkv, own_pk)) {
                keys_push(w, &saved, &saved_cap, cell_key(w, db_cell(&res, 0, 0)));
                continue;
            }
            rec = own(w, json_object_new_object());
            put(rec, cpk, item);
        } else {
            rec = copy_object(w, item);
        }
        put(rec, r->field, parent);
        recs[nrecs++] = rec;
    }
    for (size_t i = 0; i < nrecs; i++) {
        struct json_object *key;
        if (upsert_one(w, cc, recs[i], revs, &key) < 0)
            return -1;
        keys_push(w, &saved, &saved_cap, key);
    }
    write_keys_t stale;
    if (linked_keys(w, cc, r->field, parent, NULL, &saved, &stale) < 0)
        return -1;
    return deselect(w, r, cc, &stale, revs);
}

static int alter_shape_error(write_t *w, const char *msg)
{
    return err_invalid_payload(w->e, w->a,
                               arena_printf(w->a, "Invalid one-to-many update structure: %s", msg));
}

/* The nestedUpdateSchema Joi check of {create, update, delete}. */
static int alter_shape(write_t *w, struct json_object *alt)
{
    if (!is_object(alt))
        return alter_shape_error(w, "\"value\" must be of type object");
    static const char *const names[] = {"create", "update", "delete"};
    for (size_t k = 0; k < 3; k++) {
        struct json_object *v;
        if (!json_object_object_get_ex(alt, names[k], &v))
            continue;
        if (json_object_get_type(v) != json_type_array)
            return alter_shape_error(w, arena_printf(w->a, "\"%s\" must be an array", names[k]));
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            json_type t = json_object_get_type(json_object_array_get_idx(v, i));
            if (k < 2 && t != json_type_object)
                return alter_shape_error(
                    w, arena_printf(w->a, "\"%s[%zu]\" must be of type object", names[k], i));
            if (k == 2 && t != json_type_string && t != json_type_int && t != json_type_double)
                return alter_shape_error(
                    w, arena_printf(w->a, "\"delete[%zu]\" must be one of [string, number]", i));
        }
    }
    json_object_object_foreach(alt, key, val)
    {
        (void)val;
        if (strcmp(key, "create") && strcmp(key, "update") && strcmp(key, "delete"))
            return alter_shape_error(w, arena_printf(w->a, "\"%s\" is not allowed", key));
    }
    return 0;
}

/* The highest sort value of parent's children (sort_field of the relation), or 0. */
static int max_sort(write_t *w, const schema_relation_t *r, const schema_collection_t *cc,
                    struct json_object *parent, double *out)
{
    *out = 0;
    sqlbuf_t *b = sqlbuf_new(w->a);
    sqlbuf_kw(b, "SELECT MAX(");
    sqlbuf_ident(b, r->sort_field);
    sqlbuf_kw(b, ") FROM ");
    sqlbuf_ident(b, cc->name);
    sqlbuf_kw(b, " WHERE ");
    sqlbuf_ident(b, r->field);
    sqlbuf_kw(b, " = ");
    sqlbuf_param(b, key_value(parent));
    sqlbuf_kw(b, " AND ");
    sqlbuf_ident(b, r->sort_field);
    sqlbuf_kw(b, " IS NOT NULL");
    db_result_t res;
    if (run(w, b, &res) < 0)
        return -1;
    const db_value_t *v = db_cell(&res, 0, 0);
    if (v && v->type == DB_INT)
        *out = (double)v->i;
    else if (v && v->type == DB_FLOAT)
        *out = v->f;
    else if (v && v->type == DB_TEXT)
        *out = jsval_str_number(v->s);
    return 0;
}

/* The alterations form {create, update, delete}. */
static int o2m_alter(write_t *w, const schema_relation_t *r, const schema_collection_t *cc,
                     struct json_object *parent, struct json_object *alt, write_revs_t *revs)
{
    if (alter_shape(w, alt) < 0)
        return -1;
    struct json_object *list;
    if ((list = get(alt, "create"))) {
        double top = 0;
        if (r->sort_field && max_sort(w, r, cc, parent, &top) < 0)
            return -1;
        for (size_t i = 0; i < json_object_array_length(list); i++) {
            struct json_object *rec = copy_object(w, json_object_array_get_idx(list, i));
            if (r->sort_field && !has(rec, r->sort_field))
                json_object_object_add(
                    rec, r->sort_field,
                    json_object_new_double(top ? top + (double)i + 1 : (double)i + 1));
            put(rec, r->field, parent);
            struct json_object *key;
            if (write_create_one(w, cc, rec, revs, &key) < 0)
                return -1;
        }
    }
    if ((list = get(alt, "update"))) {
        for (size_t i = 0; i < json_object_array_length(list); i++) {
            struct json_object *rec = copy_object(w, json_object_array_get_idx(list, i));
            struct json_object *key = get(rec, cc->primary->name);
            json_object_object_del(rec, cc->primary->name);
            put(rec, r->field, parent);
            write_keys_t one = {.v = &key, .n = 1};
            if (keys_valid(w, cc, &one) < 0 || write_update_many(w, cc, &one, rec, revs) < 0)
                return -1;
        }
    }
    if ((list = get(alt, "delete"))) {
        write_keys_t only = write_keys_of(w->a, list), hit;
        if (linked_keys(w, cc, r->field, parent, &only, NULL, &hit) < 0 ||
            deselect(w, r, cc, &hit, revs) < 0)
            return -1;
    }
    return 0;
}

/* processO2M: every o2m alias of c in the payload, for the item with key parent. */
static int process_o2m(write_t *w, const schema_collection_t *c, struct json_object *payload,
                       struct json_object *parent, write_revs_t *revs)
{
    size_t n = schema_relation_count(w->s);
    for (size_t i = 0; i < n; i++) {
        const schema_relation_t *r = schema_relation_at(w->s, i);
        if (!r->related_collection || strcmp(r->related_collection, c->name) || !r->one_field ||
            !has(payload, r->one_field))
            continue;
        const schema_collection_t *cc = coll_named(w, r->collection);
        if (!cc || !cc->primary)
            continue;
        struct json_object *v = get(payload, r->one_field);
        int rc = !jsval_truthy(v) || json_object_get_type(v) == json_type_array
                     ? o2m_replace(w, r, cc, payload, parent, v, revs)
                     : o2m_alter(w, r, cc, parent, v, revs);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* readByQuery / readMany as an admin (Directus's services without accountability): the "data"
 * array of q on c, by keys when given. */
static int read_admin(write_t *w, const schema_collection_t *c, const query_t *q,
                      const write_keys_t *keys, int64_t limit, struct json_object **data)
{
    plan_opts_t opts = {.limit_default = limit};
    if (keys) {
        opts.keys = write_keys_qvals(w->a, keys);
        opts.nkeys = keys->n;
    }
    plan_t *p = plan_read(w->a, w->e, w->s, c, q, &opts);
    if (!p)
        return -1;
    buf_t b;
    buf_init(&b, w->a, 1024);
    if (items_read(w->a, w->e, w->db, p, ITEMS_LIST, &b) < 0)
        return -1;
    struct json_object *all;
    if (jsonparse(w->a, b.p, b.n, 0, 4096, &all, NULL) < 0)
        return err_set(w->e, w->a, ERR_INTERNAL_SERVER_ERROR, NULL);
    *data = get(all, "data");
    return 0;
}

/* ---- permissions ------------------------------------------------------------------------- */

static int perm_rows(write_t *w, perm_action_t act, const perm_set_t **ps)
{
    *ps = NULL;
    return w->perm ? w->perm(w->perm_ud, act, ps) : 0;
}

/* processPayload: validation, permissions, presets. Without an actor the payload is used as it
 * is (Directus's services without accountability). */
static int process_payload(write_t *w, const schema_collection_t *c, perm_action_t act,
                           struct json_object *payload, struct json_object **out)
{
    *out = payload;
    if (!w->actor)
        return 0;
    const perm_set_t *ps;
    if (perm_rows(w, act, &ps) < 0)
        return -1;
    return perm_process_payload(w->a, w->e, c, ps, act, w->env ? &w->env->vars : NULL, payload,
                                out);
}

/* createFieldsForbiddenError for the root path. */
static int fields_forbidden(write_t *w, const schema_collection_t *c, const char **f, size_t n)
{
    buf_t b;
    buf_init(&b, w->a, 128);
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s\"%s\"", i ? ", " : "", f[i]);
    const char *reason =
        n == 1 ? arena_printf(w->a,
                              "You don't have permission to access field %s in collection "
                              "\"%s\" or it does not exist. Queried in root.",
                              b.p, c->name)
               : arena_printf(w->a,
                              "You don't have permission to access fields %s in collection "
                              "\"%s\" or they do not exist. Queried in root.",
                              b.p, c->name);
    err_set(w->e, w->a, ERR_FORBIDDEN, "%s", reason);
    err_ext_str(w->e, w->a, "reason", reason);
    return -1;
}

static int forbidden_reason(write_t *w, const char *reason)
{
    err_set(w->e, w->a, ERR_FORBIDDEN, "%s", reason);
    err_ext_str(w->e, w->a, "reason", reason);
    return -1;
}

/* How many of keys exist and match rule (NULL: any), read as an admin. */
static int count_matching(write_t *w, const schema_collection_t *c, const write_keys_t *keys,
                          qfilter_t *rule, size_t *out)
{
    str_t pkname = str_c(c->primary->name);
    query_t q = {.has_fields = true, .fields = {&pkname, 1}, .filter = rule};
    struct json_object *data;
    if (read_admin(w, c, &q, keys, (int64_t)keys->n, &data) < 0)
        return -1;
    *out = json_object_array_length(data);
    return 0;
}

/*
 * validateAccess for update / delete keys (Directus's validateItemAccess): the payload fields
 * must exist and be allowed for the action (processAst), every key must be a row the action's
 * rules reach, and every field must be granted on every one of those rows.
 */
static int validate_access(write_t *w, const schema_collection_t *c, perm_action_t act,
                           const write_keys_t *keys, struct json_object *payload)
{
    if (!w->actor || !w->perm)
        return 0;
    const perm_set_t *ps;
    if (perm_rows(w, act, &ps) < 0)
        return -1;
    if (!ps)
        return 0;
    size_t nf = payload ? (size_t)json_object_object_length(payload) : 0, nbad = 0;
    const char **fields = arena_calloc(w->a, nf ? nf : 1, sizeof *fields);
    const char **bad = arena_calloc(w->a, nf ? nf : 1, sizeof *bad);
    nf = 0;
    if (payload) {
        json_object_object_foreach(payload, k, v)
        {
            (void)v;
            fields[nf++] = k;
            if (!schema_field(c, str_c(k)))
                bad[nbad++] = k;
        }
    }
    if (nbad)
        return fields_forbidden(w, c, bad, nbad);
    const perm_coll_t *pc = perm_coll(ps, str_c(c->name));
    if (!pc)
        return forbidden_reason(
            w, arena_printf(w->a,
                            "You don't have permission to access collection \"%s\" or it does "
                            "not exist. Queried in root.",
                            c->name));
    for (size_t i = 0; i < nf; i++)
        if (!perm_can_read_field(pc, str_c(fields[i])))
            bad[nbad++] = fields[i];
    if (nbad)
        return fields_forbidden(w, c, bad, nbad);
    qfilter_t *rows = perm_row_rule(w->a, pc);
    size_t got;
    bool ok = count_matching(w, c, keys, rows, &got) == 0 && got == keys->n;
    for (size_t i = 0; ok && i < nf; i++) {
        bool denied = false;
        qfilter_t *rule = perm_field_rule(w->a, pc, str_c(fields[i]), &denied);
        if (rule && count_matching(w, c, keys, perm_and(w->a, rows, rule), &got) == 0)
            ok = got == keys->n;
    }
    if (err_is_set(w->e))
        return -1;
    if (ok)
        return 0;
    const char *action = perm_action_name(act);
    if (nf) {
        buf_t b;
        buf_init(&b, w->a, 128);
        for (size_t i = 0; i < nf; i++)
            buf_printf(&b, "%s\"%s\"", i ? ", " : "", fields[i]);
        return forbidden_reason(
            w, arena_printf(w->a,
                            "You don't have permissions to perform \"%s\" for the field(s) %s in "
                            "collection \"%s\" or it does not exist.",
                            action, b.p, c->name));
    }
    return forbidden_reason(w, arena_printf(w->a,
                                            "You don't have permission to perform \"%s\" for "
                                            "collection \"%s\" or it does not exist.",
                                            action, c->name));
}

/* ---- the service -------------------------------------------------------------------------- */

static bool tracked(const write_t *w, const schema_collection_t *c)
{
    return w->actor && c->accountability != SCHEMA_ACCOUNTABILITY_NONE;
}

static int adopt(write_t *w, int64_t parent, const write_revs_t *kids)
{
    return kids->n ? activity_revisions_parent(w->a, w->e, w->db, parent, kids->ids, kids->n) : 0;
}

/* The activity row of n created items (and their revisions when the collection keeps them);
 * kids (nested revisions of a single item) become children of its revision. */
static int record_creates(write_t *w, const schema_collection_t *c, struct json_object **data,
                          struct json_object **keys, size_t n, const write_revs_t *kids,
                          write_revs_t *revs)
{
    const char **items = arena_alloc(w->a, (n ? n : 1) * sizeof *items);
    int64_t *acts = arena_alloc(w->a, (n ? n : 1) * sizeof *acts);
    for (size_t i = 0; i < n; i++)
        items[i] = write_key_text(w->a, keys[i]);
    if (activity_add(w->a, w->e, w->db, w->actor, "create", c->name, items, n, acts) < 0)
        return -1;
    if (c->accountability != SCHEMA_ACCOUNTABILITY_ALL)
        return 0;
    activity_revision_t *rv = arena_alloc(w->a, (n ? n : 1) * sizeof *rv);
    int64_t *ids = arena_alloc(w->a, (n ? n : 1) * sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        const char *delta = delta_of_payload(w, c, data[i]);
        rv[i] = (activity_revision_t){acts[i], items[i], delta, delta};
    }
    if (activity_revisions_add(w->a, w->e, w->db, c->name, rv, n, ids) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        revs_push(w, revs, ids[i]);
    return n == 1 && kids ? adopt(w, ids[0], kids) : 0;
}

static int record_create(write_t *w, const schema_collection_t *c, struct json_object *data,
                         struct json_object *key, const write_revs_t *kids, write_revs_t *revs)
{
    return record_creates(w, c, &data, &key, 1, kids, revs);
}

int write_create_one(write_t *w, const schema_collection_t *c, struct json_object *data,
                     write_revs_t *revs, struct json_object **key)
{
    if (track(w, 1) < 0)
        return -1;
    if (!is_object(data))
        data = own(w, json_object_new_object());
    struct json_object *presets;
    if (process_payload(w, c, PERM_CREATE, data, &presets) < 0)
        return -1;
    struct json_object *payload = copy_object(w, presets);
    write_revs_t kids = {0};
    if (process_m2o(w, c, payload, &kids) < 0 || process_a2o(w, c, payload, &kids) < 0)
        return -1;
    wcols_t cols;
    if (build_cols(w, c, payload, ACT_CREATE, &cols) < 0)
        return -1;
    const schema_field_t *pkf = c->primary;
    wcol_t *pkcol = cols_find(&cols, pkf);
    struct json_object *pk = pkcol && !pkcol->date ? pkcol->v : NULL;
    if (jsval_truthy(pk) && !write_key_valid(c, pk))
        return err_set(w->e, w->a, ERR_FORBIDDEN, NULL);
    struct json_object *returned;
    if (insert_row(w, c, &cols, &returned) < 0)
        return -1;
    if (!jsval_truthy(pk))
        pk = returned;
    if (pkf->type == SCHEMA_TYPE_UUID && db_dialect(w->db) == DB_PG && jsval_is_string(pk)) {
        str_t s = jsval_lower(w->a, jsval_string(pk));
        pk = own(w, json_object_new_string_len(s.p, (int)s.n));
    }
    if (!pk) {
        sqlbuf_t *b = sqlbuf_new(w->a);
        sqlbuf_kw(b, "SELECT MAX(");
        sqlbuf_ident(b, pkf->name);
        sqlbuf_kw(b, ") FROM ");
        sqlbuf_ident(b, c->name);
        db_result_t r;
        if (run(w, b, &r) < 0)
            return -1;
        pk = r.nrows ? cell_key(w, db_cell(&r, 0, 0)) : NULL;
    }
    if (process_o2m(w, c, presets, pk, &kids) < 0)
        return -1;
    if (tracked(w, c) && record_create(w, c, data, pk, &kids, revs) < 0)
        return -1;
    if (pkcol && jsval_truthy(pkcol->v) && !pkcol->date &&
        (pkf->type == SCHEMA_TYPE_INTEGER || pkf->type == SCHEMA_TYPE_BIG_INTEGER) &&
        pkf->auto_increment && reset_sequence(w, c) < 0)
        return -1;
    *key = pk;
    return 0;
}

/* Whether createOne of item writes nothing but its own row: no nested relational value. */
static bool flat_item(write_t *w, const schema_collection_t *c, struct json_object *item)
{
    if (!is_object(item))
        return false;
    size_t n = schema_relation_count(w->s);
    for (size_t i = 0; i < n; i++) {
        const schema_relation_t *r = schema_relation_at(w->s, i);
        if (!strcmp(r->collection, c->name) && is_object(get(item, r->field)))
            return false;
        if (r->related_collection && !strcmp(r->related_collection, c->name) && r->one_field &&
            has(item, r->one_field))
            return false;
    }
    return true;
}

static bool same_fields(const wcols_t *x, const wcols_t *y)
{
    if (x->n != y->n)
        return false;
    for (size_t i = 0; i < x->n; i++)
        if (x->v[i].f != y->v[i].f)
            return false;
    return true;
}

static int cmp_int_keys(const void *x, const void *y)
{
    int64_t a = json_object_get_int64(*(struct json_object *const *)x);
    int64_t b = json_object_get_int64(*(struct json_object *const *)y);
    return a < b ? -1 : a > b;
}

/* One multi-row INSERT ... RETURNING pk of rows [from, to), which share their columns. Keys the
 * rows did not carry come from RETURNING: one statement hands out increasing auto-increment
 * values, so the sorted keys are in VALUES order. */
static int insert_run(write_t *w, const schema_collection_t *c, wcols_t *cols, size_t from,
                      size_t to, struct json_object **keys)
{
    const wcols_t *head = &cols[from];
    note_write(w, c);
    sqlbuf_t *b = sqlbuf_new(w->a);
    sqlbuf_kw(b, "INSERT INTO ");
    sqlbuf_ident(b, c->name);
    sqlbuf_kw(b, " (");
    for (size_t i = 0; i < head->n; i++) {
        if (i)
            sqlbuf_kw(b, ", ");
        sqlbuf_ident(b, head->v[i].f->name);
    }
    sqlbuf_kw(b, ") VALUES ");
    for (size_t r = from; r < to; r++) {
        sqlbuf_kw_if(b, r > from, ", (", "(");
        for (size_t i = 0; i < cols[r].n; i++) {
            if (i)
                sqlbuf_kw(b, ", ");
            sqlbuf_param(b, col_bind(w, &cols[r].v[i]));
        }
        sqlbuf_kw(b, ")");
    }
    sqlbuf_kw(b, " RETURNING ");
    sqlbuf_ident(b, c->primary->name);
    db_result_t res;
    if (run(w, b, &res) < 0)
        return insert_failed(w, c);
    struct json_object **got = arena_calloc(w->a, res.nrows ? res.nrows : 1, sizeof *got);
    bool ints = true;
    for (size_t i = 0; i < res.nrows; i++) {
        got[i] = cell_key(w, db_cell(&res, i, 0));
        ints &= json_object_get_type(got[i]) == json_type_int;
    }
    if (ints && !cols_find((wcols_t *)head, c->primary))
        qsort(got, res.nrows, sizeof *got, cmp_int_keys);
    for (size_t r = from; r < to; r++) {
        wcol_t *pkcol = cols_find(&cols[r], c->primary);
        struct json_object *pk = pkcol && !pkcol->date ? pkcol->v : NULL;
        keys[r] = jsval_truthy(pk) ? pk : (r - from < res.nrows ? got[r - from] : NULL);
    }
    return 0;
}

/* createMany of items that have no nested relational values: the rows in as few multi-row
 * INSERTs as the dialect's parameter limit allows, then one activity and one revision INSERT,
 * so a batch costs a constant number of statements. */
static int create_flat(write_t *w, const schema_collection_t *c, struct json_object **items,
                       size_t n, write_revs_t *revs, struct json_object **keys)
{
    wcols_t *cols = arena_calloc(w->a, n ? n : 1, sizeof *cols);
    bool reset = false;
    for (size_t i = 0; i < n; i++) {
        struct json_object *payload;
        if (track(w, 1) < 0 || process_payload(w, c, PERM_CREATE, items[i], &payload) < 0 ||
            build_cols(w, c, payload, ACT_CREATE, &cols[i]) < 0)
            return -1;
        qsort(cols[i].v, cols[i].n, sizeof *cols[i].v, cmp_cols);
        wcol_t *pkcol = cols_find(&cols[i], c->primary);
        struct json_object *pk = pkcol && !pkcol->date ? pkcol->v : NULL;
        if (jsval_truthy(pk) && !write_key_valid(c, pk))
            return err_set(w->e, w->a, ERR_FORBIDDEN, NULL);
        reset |= jsval_truthy(pk) && c->primary->auto_increment;
    }
    size_t max = sqlbuf_max_params(db_dialect(w->db));
    for (size_t from = 0; from < n;) {
        size_t to = from + 1;
        size_t per = cols[from].n ? max / cols[from].n : 1;
        while (to < n && to - from < per && same_fields(&cols[from], &cols[to]))
            to++;
        int rc = cols[from].n ? insert_run(w, c, cols, from, to, keys)
                              : insert_row(w, c, &cols[from], &keys[from]);
        if (rc < 0)
            return -1;
        from = to;
    }
    for (size_t i = 0; i < n; i++) {
        if (c->primary->type == SCHEMA_TYPE_UUID && db_dialect(w->db) == DB_PG &&
            jsval_is_string(keys[i])) {
            str_t s = jsval_lower(w->a, jsval_string(keys[i]));
            keys[i] = own(w, json_object_new_string_len(s.p, (int)s.n));
        }
    }
    if (tracked(w, c) && record_creates(w, c, items, keys, n, NULL, revs) < 0)
        return -1;
    return reset ? reset_sequence(w, c) : 0;
}

int write_create_many(write_t *w, const schema_collection_t *c, struct json_object *items,
                      write_revs_t *revs, write_keys_t *keys)
{
    size_t n = json_object_array_length(items);
    *keys = (write_keys_t){.v = arena_calloc(w->a, n ? n : 1, sizeof *keys->v), .n = n};
    struct json_object **list = arena_calloc(w->a, n ? n : 1, sizeof *list);
    bool flat = db_insert_returning(w->db);
    for (size_t i = 0; i < n; i++) {
        list[i] = json_object_array_get_idx(items, i);
        flat &= flat_item(w, c, list[i]);
    }
    if (flat)
        return create_flat(w, c, list, n, revs, keys->v);
    for (size_t i = 0; i < n; i++)
        if (write_create_one(w, c, list[i], revs, &keys->v[i]) < 0)
            return -1;
    return 0;
}

static int cmp_key_text(const void *x, const void *y)
{
    const char *const *a = x, *const *b = y;
    return strcmp(*a, *b);
}

/* keys.sort(): JavaScript compares the String() forms (UTF-16 order; byte order for the ASCII
 * keys primary keys are). */
static void sort_keys(write_t *w, write_keys_t *keys)
{
    if (keys->n < 2)
        return;
    const char **t = arena_alloc(w->a, keys->n * 2 * sizeof *t);
    for (size_t i = 0; i < keys->n; i++) {
        t[2 * i] = write_key_text(w->a, keys->v[i]);
        t[2 * i + 1] = (const char *)keys->v[i];
    }
    qsort(t, keys->n, 2 * sizeof *t, cmp_key_text);
    for (size_t i = 0; i < keys->n; i++)
        keys->v[i] = (struct json_object *)t[2 * i + 1];
}

/* The items as an admin's readMany(keys) renders them (fields *), for revision snapshots. */
static int snapshots(write_t *w, const schema_collection_t *c, const write_keys_t *keys,
                     struct json_object **out)
{
    str_t star = STR("*");
    query_t q = {.has_fields = true, .fields = {&star, 1}};
    return read_admin(w, c, &q, keys, limit_default(w), out);
}

static int record_update(write_t *w, const schema_collection_t *c, const write_keys_t *keys,
                         const wcols_t *cols, const write_revs_t *kids, write_revs_t *revs)
{
    size_t n = keys->n;
    const char **items = arena_alloc(w->a, (n ? n : 1) * sizeof *items);
    int64_t *acts = arena_alloc(w->a, (n ? n : 1) * sizeof *acts);
    for (size_t i = 0; i < n; i++)
        items[i] = write_key_text(w->a, keys->v[i]);
    if (activity_add(w->a, w->e, w->db, w->actor, "update", c->name, items, n, acts) < 0)
        return -1;
    if (c->accountability != SCHEMA_ACCOUNTABILITY_ALL)
        return 0;
    const char *delta = delta_of_cols(w, cols);
    if (!delta)
        return 0;
    struct json_object *snaps;
    if (snapshots(w, c, keys, &snaps) < 0)
        return -1;
    activity_revision_t *rv = arena_alloc(w->a, (n ? n : 1) * sizeof *rv);
    int64_t *ids = arena_alloc(w->a, (n ? n : 1) * sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        struct json_object *snap = json_object_array_get_idx(snaps, i);
        buf_t b;
        buf_init(&b, w->a, 256);
        if (snap)
            json_write(&b, snap);
        rv[i] = (activity_revision_t){acts[i], items[i], snap ? b.p : NULL, delta};
    }
    if (activity_revisions_add(w->a, w->e, w->db, c->name, rv, n, ids) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        revs_push(w, revs, ids[i]);
    return n ? adopt(w, ids[0], kids) : 0;
}

int write_update_many(write_t *w, const schema_collection_t *c, write_keys_t *keys,
                      struct json_object *data, write_revs_t *revs)
{
    if (track(w, keys->n) < 0 || keys_valid(w, c, keys) < 0)
        return -1;
    if (!is_object(data))
        data = own(w, json_object_new_object());
    sort_keys(w, keys);
    struct json_object *presets;
    if (validate_access(w, c, PERM_UPDATE, keys, data) < 0 ||
        process_payload(w, c, PERM_UPDATE, data, &presets) < 0)
        return -1;
    struct json_object *payload = copy_object(w, presets);
    write_revs_t kids = {0};
    if (process_m2o(w, c, payload, &kids) < 0 || process_a2o(w, c, payload, &kids) < 0)
        return -1;
    wcols_t cols;
    if (build_cols(w, c, payload, ACT_UPDATE, &cols) < 0)
        return -1;
    if (cols.n && keys->n) {
        note_write(w, c);
        sqlbuf_t *b = sqlbuf_new(w->a);
        sqlbuf_kw(b, "UPDATE ");
        sqlbuf_ident(b, c->name);
        sqlbuf_kw(b, " SET ");
        for (size_t i = 0; i < cols.n; i++) {
            if (i)
                sqlbuf_kw(b, ", ");
            sqlbuf_ident(b, cols.v[i].f->name);
            sqlbuf_kw(b, " = ");
            sqlbuf_param(b, col_bind(w, &cols.v[i]));
        }
        sqlbuf_kw(b, " WHERE ");
        sqlbuf_ident(b, c->primary->name);
        sqlbuf_kw(b, " IN ");
        in_list(b, keys);
        if (run(w, b, NULL) < 0)
            return -1;
    }
    for (size_t i = 0; i < keys->n; i++)
        if (process_o2m(w, c, payload, keys->v[i], &kids) < 0)
            return -1;
    if (tracked(w, c) && record_update(w, c, keys, &cols, &kids, revs) < 0)
        return -1;
    return 0;
}

int write_update_batch(write_t *w, const schema_collection_t *c, struct json_object *items,
                       write_keys_t *keys)
{
    *keys = (write_keys_t){0};
    size_t cap = 0, n = json_object_array_length(items);
    const char *pk = c->primary->name;
    for (size_t i = 0; i < n; i++) {
        struct json_object *item = json_object_array_get_idx(items, i);
        struct json_object *key = is_object(item) ? get(item, pk) : NULL;
        if (!jsval_truthy(key))
            return err_invalid_payload(w->e, w->a, "Item in update misses primary key");
        struct json_object *rest = copy_object(w, item);
        json_object_object_del(rest, pk);
        write_keys_t one = {.v = &key, .n = 1};
        if (write_update_many(w, c, &one, rest, NULL) < 0)
            return -1;
        keys_push(w, keys, &cap, key);
    }
    return 0;
}

int write_keys_by_query(write_t *w, const schema_collection_t *c, const query_t *q,
                        write_keys_t *keys)
{
    *keys = (write_keys_t){0};
    query_t rq = *q;
    str_t pkname = str_c(c->primary->name);
    rq.has_fields = true;
    rq.fields = (query_list_t){&pkname, 1};
    rq.nmeta = 0;
    rq.meta = NULL;
    rq.has_aggregate = false;
    rq.has_group = false;
    struct json_object *data;
    if (read_admin(w, c, &rq, NULL, limit_default(w), &data) < 0)
        return -1;
    size_t cap = 0;
    for (size_t i = 0; i < json_object_array_length(data); i++) {
        struct json_object *k = get(json_object_array_get_idx(data, i), c->primary->name);
        if (jsval_truthy(k))
            keys_push(w, keys, &cap, k);
    }
    return 0;
}

int write_update_by_query(write_t *w, const schema_collection_t *c, const query_t *q,
                          struct json_object *data, write_keys_t *keys)
{
    if (write_keys_by_query(w, c, q, keys) < 0)
        return -1;
    return keys->n ? write_update_many(w, c, keys, data, NULL) : 0;
}

int write_delete_many(write_t *w, const schema_collection_t *c, const write_keys_t *keys)
{
    if (track(w, keys->n) < 0 || keys_valid(w, c, keys) < 0 ||
        validate_access(w, c, PERM_DELETE, keys, NULL) < 0)
        return -1;
    if (keys->n) {
        note_write(w, c);
        sqlbuf_t *b = sqlbuf_new(w->a);
        sqlbuf_kw(b, "DELETE FROM ");
        sqlbuf_ident(b, c->name);
        sqlbuf_kw(b, " WHERE ");
        sqlbuf_ident(b, c->primary->name);
        sqlbuf_kw(b, " IN ");
        in_list(b, keys);
        if (run(w, b, NULL) < 0)
            return -1;
    }
    if (!tracked(w, c))
        return 0;
    const char **items = arena_alloc(w->a, (keys->n ? keys->n : 1) * sizeof *items);
    int64_t *acts = arena_alloc(w->a, (keys->n ? keys->n : 1) * sizeof *acts);
    for (size_t i = 0; i < keys->n; i++)
        items[i] = write_key_text(w->a, keys->v[i]);
    return activity_add(w->a, w->e, w->db, w->actor, "delete", c->name, items, keys->n, acts);
}

int write_delete_by_query(write_t *w, const schema_collection_t *c, const query_t *q)
{
    write_keys_t keys;
    if (write_keys_by_query(w, c, q, &keys) < 0)
        return -1;
    return keys.n ? write_delete_many(w, c, &keys) : 0;
}

int write_upsert_singleton(write_t *w, const schema_collection_t *c, struct json_object *data)
{
    sqlbuf_t *b = sqlbuf_new(w->a);
    sqlbuf_kw(b, "SELECT ");
    sqlbuf_ident(b, c->primary->name);
    sqlbuf_kw(b, " FROM ");
    sqlbuf_ident(b, c->name);
    sqlbuf_kw(b, " LIMIT 1");
    db_result_t r;
    if (run(w, b, &r) < 0)
        return -1;
    if (r.nrows) {
        struct json_object *key = cell_key(w, db_cell(&r, 0, 0));
        write_keys_t one = {.v = &key, .n = 1};
        return write_update_many(w, c, &one, data, NULL);
    }
    struct json_object *key;
    return write_create_one(w, c, data, NULL, &key);
}

/* ---- utils/sort --------------------------------------------------------------------------- */

/* UPDATE c SET sort = v WHERE pk = key */
static int set_sort(write_t *w, const schema_collection_t *c, const char *sort, db_value_t v,
                    db_value_t key)
{
    sqlbuf_t *b = sqlbuf_new(w->a);
    sqlbuf_kw(b, "UPDATE ");
    sqlbuf_ident(b, c->name);
    sqlbuf_kw(b, " SET ");
    sqlbuf_ident(b, sort);
    sqlbuf_kw(b, " = ");
    sqlbuf_param(b, v);
    sqlbuf_kw(b, " WHERE ");
    sqlbuf_ident(b, c->primary->name);
    sqlbuf_kw(b, " = ");
    sqlbuf_param(b, key);
    return run(w, b, NULL);
}

/* SELECT pk [, sort] FROM c [WHERE sort IS NULL] [ORDER BY sort] */
static int sort_rows(write_t *w, const schema_collection_t *c, const char *sort, bool nulls,
                     db_result_t *r)
{
    sqlbuf_t *b = sqlbuf_new(w->a);
    sqlbuf_kw(b, "SELECT ");
    sqlbuf_ident(b, c->primary->name);
    sqlbuf_kw(b, " FROM ");
    sqlbuf_ident(b, c->name);
    if (nulls) {
        sqlbuf_kw(b, " WHERE ");
        sqlbuf_ident(b, sort);
        sqlbuf_kw(b, " IS NULL");
    } else {
        sqlbuf_kw(b, " ORDER BY ");
        sqlbuf_ident(b, sort);
    }
    return run(w, b, r);
}

static double cell_number(const db_value_t *v)
{
    if (!v)
        return 0;
    switch (v->type) {
    case DB_INT:
    case DB_BOOL:
        return (double)v->i;
    case DB_FLOAT:
        return v->f;
    case DB_TEXT:
        return jsval_str_number(v->s);
    default:
        return 0;
    }
}

/* The sort value of the row with key, or -1 with Directus's TypeError (500) when there is none. */
static int sort_of(write_t *w, const schema_collection_t *c, const char *sort,
                   struct json_object *key, db_value_t *out)
{
    db_result_t r;
    if (select_by_key(w, c, &sort, 1, key, &r) < 0)
        return -1;
    if (!r.nrows)
        return err_set(w->e, w->a, ERR_INTERNAL_SERVER_ERROR,
                       "Cannot read properties of undefined (reading '%s')", sort);
    *out = *db_cell(&r, 0, 0);
    return 0;
}

int write_sort(write_t *w, const schema_collection_t *c, const char *sort, struct json_object *item,
               struct json_object *to)
{
    /* Rows without a sort value go after the last one, in database order. */
    db_result_t r;
    if (sort_rows(w, c, sort, true, &r) < 0)
        return -1;
    if (r.nrows) {
        sqlbuf_t *b = sqlbuf_new(w->a);
        sqlbuf_kw(b, "SELECT MAX(");
        sqlbuf_ident(b, sort);
        sqlbuf_kw(b, ") FROM ");
        sqlbuf_ident(b, c->name);
        db_result_t m;
        if (run(w, b, &m) < 0)
            return -1;
        double last = cell_number(db_cell(&m, 0, 0));
        for (size_t i = 0; i < r.nrows; i++)
            if (set_sort(w, c, sort, (db_value_t){.type = DB_FLOAT, .f = ++last},
                         *db_cell(&r, i, 0)) < 0)
                return -1;
    }
    /* Duplicate sort values: renumber everything 1..n in sort order first. */
    sqlbuf_t *b = sqlbuf_new(w->a);
    sqlbuf_kw(b, "SELECT ");
    sqlbuf_ident(b, sort);
    sqlbuf_kw(b, " FROM ");
    sqlbuf_ident(b, c->name);
    sqlbuf_kw(b, " GROUP BY ");
    sqlbuf_ident(b, sort);
    sqlbuf_kw(b, " HAVING COUNT(");
    sqlbuf_ident(b, sort);
    sqlbuf_kw(b, ") > 1");
    db_result_t dup;
    if (run(w, b, &dup) < 0)
        return -1;
    if (dup.nrows) {
        if (sort_rows(w, c, sort, false, &r) < 0)
            return -1;
        for (size_t i = 0; i < r.nrows; i++)
            if (set_sort(w, c, sort, (db_value_t){.type = DB_INT, .i = (int64_t)i + 1},
                         *db_cell(&r, i, 0)) < 0)
                return -1;
    }
    db_value_t target, source;
    if (sort_of(w, c, sort, to, &target) < 0 || sort_of(w, c, sort, item, &source) < 0)
        return -1;
    if (set_sort(w, c, sort, target, key_value(item)) < 0)
        return -1;
    bool down = cell_number(&source) < cell_number(&target);
    b = sqlbuf_new(w->a);
    sqlbuf_kw(b, "UPDATE ");
    sqlbuf_ident(b, c->name);
    sqlbuf_kw(b, " SET ");
    sqlbuf_ident(b, sort);
    sqlbuf_kw(b, " = ");
    sqlbuf_ident(b, sort);
    sqlbuf_kw_if(b, down, " - 1 WHERE ", " + 1 WHERE ");
    sqlbuf_ident(b, sort);
    sqlbuf_kw_if(b, down, " > ", " >= ");
    sqlbuf_param(b, down ? source : target);
    sqlbuf_kw(b, " AND ");
    sqlbuf_ident(b, sort);
    sqlbuf_kw(b, " <= ");
    sqlbuf_param(b, down ? target : source);
    sqlbuf_kw(b, " AND ");
    sqlbuf_ident(b, c->primary->name);
    sqlbuf_kw(b, " <> ");
    sqlbuf_param(b, key_value(item));
    return run(w, b, NULL);
}
