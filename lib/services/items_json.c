/*
 * Cell → JSON. The rules are Directus's three layers collapsed: what the Node driver returns
 * for the server's type, the read transformers of the field's specials, and processDates. The
 * db layer hands over text for decimals, dates and JSON, so every format decision is made here
 * from the field type and the column type the server reported.
 */
#include "lib/services/items_json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/json.h"
#include "lib/core/jsonparse.h"
#include "lib/query/jsval.h"

static void str_out(buf_t *b, str_t s)
{
    json_write_str(b, s);
}

static void int_out(buf_t *b, int64_t i, bool as_string)
{
    if (as_string) {
        buf_putc(b, '"');
        buf_int(b, i);
        buf_putc(b, '"');
        return;
    }
    /* A JavaScript number: beyond 2^53 it is the nearest double. */
    if (i > 9007199254740992LL || i < -9007199254740992LL)
        json_write_double(b, (double)i);
    else
        buf_int(b, i);
}

static void int_text_out(buf_t *b, arena_t *a, const db_value_t *v)
{
    if (v->type == DB_INT)
        int_out(b, v->i, true);
    else if (v->type == DB_TEXT)
        str_out(b, v->s);
    else if (v->type == DB_FLOAT)
        json_write_double(b, v->f);
    else
        buf_puts(b, "null");
    (void)a;
}

/* JSON text as JSON.parse then JSON.stringify print it; not JSON: the text as a string. */
static void json_text_out(buf_t *b, arena_t *a, str_t s)
{
    if (json_is_canonical(s)) {
        buf_str(b, s); /* what Directus stored with JSON.stringify: the same bytes come back */
        return;
    }
    struct json_object *o;
    if (jsonparse(a, s.p, s.n, 0, 512, &o, NULL) < 0) {
        str_out(b, s);
        return;
    }
    json_write(b, o);
}

/* node-pg / mysql2 Buffer: {"type":"Buffer","data":[…]} */
static void blob_out(buf_t *b, str_t s)
{
    buf_puts(b, "{\"type\":\"Buffer\",\"data\":[");
    for (size_t i = 0; i < s.n; i++)
        buf_printf(b, i ? ",%u" : "%u", (unsigned char)s.p[i]);
    buf_puts(b, "]}");
}

/* ---- dates -------------------------------------------------------------------------------- */

static void civil(int64_t ms, int64_t *y, unsigned *mo, unsigned *d, unsigned *h, unsigned *mi,
                  unsigned *s, unsigned *f)
{
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rest = ms - days * 86400000;
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *mo = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*mo <= 2);
    *h = (unsigned)(rest / 3600000);
    *mi = (unsigned)(rest / 60000 % 60);
    *s = (unsigned)(rest / 1000 % 60);
    *f = (unsigned)(rest % 1000);
}

/* Date.prototype.toISOString (years outside 0..9999 as ±YYYYYY). */
static void iso_out(buf_t *b, double ms)
{
    if (isnan(ms) || fabs(ms) > 8.64e15) {
        buf_puts(b, "null");
        return;
    }
    int64_t y;
    unsigned mo, d, h, mi, s, f;
    civil((int64_t)ms, &y, &mo, &d, &h, &mi, &s, &f);
    buf_putc(b, '"');
    if (y >= 0 && y <= 9999) {
        buf_uint_pad(b, (unsigned long long)y, 4);
    } else {
        buf_putc(b, y < 0 ? '-' : '+');
        buf_uint_pad(b, (unsigned long long)(y < 0 ? -y : y), 6);
    }
    /* -MM-DDTHH:mm:ss.sssZ" */
    const unsigned parts[] = {mo, d, h, mi, s};
    const char seps[] = "--T::";
    for (int k = 0; k < 5; k++) {
        buf_putc(b, seps[k]);
        buf_uint_pad(b, parts[k], 2);
    }
    buf_putc(b, '.');
    buf_uint_pad(b, f, 3);
    buf_puts(b, "Z\"");
}

/* processDates: `${getFullYear()}-MM-DD[THH:mm:ss]` with the process in UTC. */
static void local_out(buf_t *b, double ms, bool with_time)
{
    if (isnan(ms) || fabs(ms) > 8.64e15) {
        buf_puts(b, with_time ? "\"NaN-NaN-NaNTNaN:NaN:NaN\"" : "\"NaN-NaN-NaN\"");
        return;
    }
    int64_t y;
    unsigned mo, d, h, mi, s, f;
    civil((int64_t)ms, &y, &mo, &d, &h, &mi, &s, &f);
    /* "%lld-%02u-%02u" by hand: a list renders one per date cell, printf cost 1.7k
     * instructions each */
    buf_putc(b, '"');
    buf_int(b, (long long)y);
    const unsigned parts[] = {mo, d, h, mi, s};
    const char seps[] = "--T::";
    for (int k = 0; k < (with_time ? 5 : 2); k++) {
        buf_putc(b, seps[k]);
        buf_uint_pad(b, parts[k], 2);
    }
    buf_putc(b, '"');
}

static bool zero_date(str_t s)
{
    if (s.n < 10)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i]; /* strchr(".0 :-", c) without the call (it matched NUL too) */
        if (c != '.' && c != '0' && c != ' ' && c != ':' && c != '-' && c != '\0')
            return false;
    }
    return true;
}

/* The number in s[at .. at + n) of decimal digits, or -1. */
static int fixed_digits(str_t s, size_t at, size_t n)
{
    int v = 0;
    for (size_t i = at; i < at + n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return -1;
        v = v * 10 + (s.p[i] - '0');
    }
    return v;
}

/* "YYYY-MM-DD" (date_only) or "YYYY-MM-DD HH:mm:ss" ('T' too) at the start of s naming a real
 * day and time of the years 1000..9999: the text processDates and toISOString print back field
 * for field (jsval_date_parse would roll Feb 30 over; such text takes the long way). */
static bool plain_date_text(str_t s, bool date_only)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (s.n < (date_only ? 10 : 19) || s.p[4] != '-' || s.p[7] != '-')
        return false;
    int y = fixed_digits(s, 0, 4), mo = fixed_digits(s, 5, 2), d = fixed_digits(s, 8, 2);
    bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
        return false;
    if (date_only)
        return true;
    if ((s.p[10] != ' ' && s.p[10] != 'T') || s.p[13] != ':' || s.p[16] != ':')
        return false;
    int h = fixed_digits(s, 11, 2), mi = fixed_digits(s, 14, 2), sec = fixed_digits(s, 17, 2);
    return h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && sec >= 0 && sec <= 59;
}

/* The common database texts of a date field without parsing them into an instant and printing
 * that back: "2024-01-15 10:30:00" for a dateTime, "2024-01-15" for a date (both read as UTC),
 * "2024-01-15 10:30:00+00" for a timestamp (toISOString adds ".000Z"). Returns false for any
 * other text. */
static bool plain_date_out(buf_t *b, schema_type_t type, str_t s)
{
    bool date_only = type == SCHEMA_TYPE_DATE, stamp = type == SCHEMA_TYPE_TIMESTAMP;
    size_t n = date_only ? 10 : 19;
    if (s.n != (stamp ? n + 3 : n) || !plain_date_text(s, date_only))
        return false;
    if (stamp && !(s.p[19] == '+' && s.p[20] == '0' && s.p[21] == '0'))
        return false;
    buf_reserve(b, n + 7);
    buf_putc(b, '"');
    buf_append(b, s.p, 10);
    if (!date_only) {
        buf_putc(b, 'T');
        buf_append(b, s.p + 11, 8);
    }
    buf_puts(b, stamp ? ".000Z\"" : "\"");
    return true;
}

/* new Date(value) for what the drivers hand Directus: epoch numbers, or date text. */
static double date_ms(const db_value_t *v)
{
    switch (v->type) {
    case DB_INT:
        return (double)v->i;
    case DB_FLOAT:
        return trunc(v->f);
    case DB_TEXT:
        return jsval_date_parse(v->s);
    default:
        return NAN;
    }
}

static bool is_date_col(db_coltype_t t)
{
    return t == DB_COL_DATE || t == DB_COL_DATETIME || t == DB_COL_TIMESTAMP;
}

/* processDates for dateTime / date / timestamp fields (returns false: not a date value). */
static bool date_field_out(buf_t *b, schema_type_t type, const db_value_t *v)
{
    if (type != SCHEMA_TYPE_DATETIME && type != SCHEMA_TYPE_DATE && type != SCHEMA_TYPE_TIMESTAMP)
        return false;
    if (v->type == DB_TEXT && zero_date(v->s)) {
        buf_puts(b, "null");
        return true;
    }
    /* `if (!value) continue;`: 0 and "" stay as they are. */
    if ((v->type == DB_INT && v->i == 0) || (v->type == DB_FLOAT && v->f == 0) ||
        (v->type == DB_TEXT && v->s.n == 0))
        return false;
    if (v->type == DB_TEXT && plain_date_out(b, type, v->s))
        return true;
    double ms = date_ms(v);
    if (type == SCHEMA_TYPE_TIMESTAMP)
        iso_out(b, ms);
    else
        local_out(b, ms, type == SCHEMA_TYPE_DATETIME);
    return true;
}

/* ---- specials ----------------------------------------------------------------------------- */

static bool truthy(const db_value_t *v)
{
    switch (v->type) {
    case DB_NULL:
        return false;
    case DB_INT:
    case DB_BOOL:
        return v->i != 0;
    case DB_FLOAT:
        return v->f != 0 && !isnan(v->f);
    default:
        return v->s.n > 0;
    }
}

static bool special_out(buf_t *b, arena_t *a, const schema_field_t *f, const db_value_t *v)
{
    uint32_t sp = f->special;
    if (sp & SCHEMA_SPECIAL_CONCEAL) {
        buf_puts(b, truthy(v) ? "\"**********\"" : "null");
        return true;
    }
    if ((sp & SCHEMA_SPECIAL_CAST_JSON) && v->type == DB_TEXT) {
        json_text_out(b, a, v->s);
        return true;
    }
    if (sp & SCHEMA_SPECIAL_CAST_BOOLEAN) {
        if ((v->type == DB_INT || v->type == DB_BOOL) && (v->i == 0 || v->i == 1)) {
            buf_puts(b, v->i ? "true" : "false");
            return true;
        }
        if (v->type == DB_FLOAT && (v->f == 0 || v->f == 1)) {
            buf_puts(b, v->f != 0 ? "true" : "false");
            return true;
        }
        if (v->type == DB_TEXT && (str_eq_c(v->s, "1") || str_eq_c(v->s, "0"))) {
            buf_puts(b, v->s.p[0] == '1' ? "true" : "false");
            return true;
        }
        if (v->type == DB_TEXT && v->s.n == 0) {
            buf_puts(b, "null");
            return true;
        }
    }
    if ((sp & SCHEMA_SPECIAL_CAST_CSV) && v->type == DB_TEXT) {
        buf_putc(b, '[');
        size_t start = 0, n = 0;
        for (size_t i = 0; v->s.n && i <= v->s.n; i++)
            if (i == v->s.n || v->s.p[i] == ',') {
                if (n++)
                    buf_putc(b, ',');
                str_out(b, (str_t){v->s.p + start, i - start});
                start = i + 1;
            }
        buf_putc(b, ']');
        return true;
    }
    return false;
}

/* ---- MySQL doubles ------------------------------------------------------------------------ */

/* mysql2 reads the text protocol, where MariaDB prints a DOUBLE result with the decimals of its
 * column (FLOAT(10,5) → 5; AVG adds 4). The binary protocol gives the exact double: round the
 * same way. */
static double mysql_round(const plan_col_t *col, double d)
{
    const schema_field_t *f = col->expr.field;
    if (!f || f->numeric_scale == SCHEMA_NONE || f->type != SCHEMA_TYPE_FLOAT)
        return d;
    int64_t dec = f->numeric_scale;
    if (col->agg == QUERY_AGG_AVG || col->agg == QUERY_AGG_AVG_DISTINCT)
        dec += 4;
    if (dec < 0 || dec > 30)
        return d;
    char buf[64];
    snprintf(buf, sizeof buf, "%.*f", (int)dec, d);
    return strtod(buf, NULL);
}

/* ---- cells -------------------------------------------------------------------------------- */

static void number_out(buf_t *b, db_dialect_t d, const plan_col_t *col, double f)
{
    if (d == DB_MYSQL && col->agg != QUERY_AGG_UNKNOWN)
        f = mysql_round(col, f);
    json_write_double(b, f);
}

/* What the driver hands over, JSON.stringify'd (no processDates). */
static void driver_out(buf_t *b, arena_t *a, db_dialect_t d, const plan_col_t *col,
                       const db_column_t *meta, const db_value_t *v, bool int8_string)
{
    db_coltype_t ct = meta ? meta->type : DB_COL_UNKNOWN;
    switch (v->type) {
    case DB_NULL:
        buf_puts(b, "null");
        return;
    case DB_BOOL:
        buf_puts(b, v->i ? "true" : "false");
        return;
    case DB_INT:
        int_out(b, v->i, int8_string);
        return;
    case DB_FLOAT:
        number_out(b, d, col, v->f);
        return;
    case DB_BLOB:
        blob_out(b, v->s);
        return;
    case DB_TEXT:
        break;
    }
    if (d != DB_SQLITE && is_date_col(ct)) {
        /* node-pg and mysql2 give a Date: JSON has its ISO text. */
        iso_out(b, jsval_date_parse(v->s));
        return;
    }
    if (ct == DB_COL_JSON && d != DB_SQLITE) {
        json_text_out(b, a, v->s);
        return;
    }
    str_out(b, v->s);
}

static void aggregate_out(buf_t *b, arena_t *a, db_dialect_t d, const plan_col_t *col,
                          const db_column_t *meta, const db_value_t *v)
{
    bool pg = d == DB_PG;
    switch (col->agg) {
    case QUERY_AGG_COUNT:
    case QUERY_AGG_COUNT_DISTINCT:
    case QUERY_AGG_COUNT_ALL:
        if (v->type == DB_INT) {
            int_out(b, v->i, pg);
            return;
        }
        break;
    case QUERY_AGG_MIN:
    case QUERY_AGG_MAX:
        driver_out(b, a, d, col, meta, v,
                   pg && col->expr.field && col->expr.field->type == SCHEMA_TYPE_BIG_INTEGER);
        return;
    default:
        /* sum / avg: PostgreSQL int8 and numeric, MySQL DECIMAL come as text or int8. */
        if (v->type == DB_INT && pg) {
            int_text_out(b, a, v);
            return;
        }
        break;
    }
    driver_out(b, a, d, col, meta, v, false);
}

void items_json_cell(buf_t *b, arena_t *a, db_dialect_t d, const plan_col_t *col,
                     const db_column_t *meta, const db_value_t *v)
{
    if (v->type == DB_NULL) {
        buf_puts(b, "null");
        return;
    }
    if (col->agg != QUERY_AGG_UNKNOWN) {
        aggregate_out(b, a, d, col, meta, v);
        return;
    }
    const plan_expr_t *x = &col->expr;
    if (x->fn != PLAN_FN_NONE) {
        /* PostgreSQL: EXTRACT gives numeric (text), count() int8; both strings in node-pg. */
        bool int8 = d == DB_PG && x->fn == PLAN_FN_COUNT && x->count_rel;
        driver_out(b, a, d, col, meta, v, int8);
        return;
    }
    const schema_field_t *f = x->field;
    if (special_out(b, a, f, v))
        return;
    if (!col->raw && date_field_out(b, f->type, v))
        return;
    driver_out(b, a, d, col, meta, v, d == DB_PG && f->type == SCHEMA_TYPE_BIG_INTEGER);
}

/* ---- the nested re-sort ------------------------------------------------------------------- */

typedef enum { JS_NULL, JS_NUM, JS_STR, JS_OBJ } js_kind_t;

/* What JavaScript holds for the cell after processValues, as far as `<` cares. */
static js_kind_t js_kind(db_dialect_t d, const plan_col_t *col, const db_value_t *v, double *num)
{
    const schema_field_t *f = col->expr.field;
    switch (v->type) {
    case DB_NULL:
        return JS_NULL;
    case DB_BOOL:
        *num = (double)v->i;
        return JS_NUM;
    case DB_INT:
        if (d == DB_PG && f && f->type == SCHEMA_TYPE_BIG_INTEGER && col->expr.fn == PLAN_FN_NONE)
            return JS_STR;
        if (f && col->expr.fn == PLAN_FN_NONE &&
            (f->type == SCHEMA_TYPE_DATETIME || f->type == SCHEMA_TYPE_DATE ||
             f->type == SCHEMA_TYPE_TIMESTAMP))
            return JS_STR; /* formatted by processDates */
        *num = (double)v->i;
        return JS_NUM;
    case DB_FLOAT:
        *num = v->f;
        return JS_NUM;
    case DB_BLOB:
        return JS_OBJ;
    case DB_TEXT:
        if (f && (f->special & SCHEMA_SPECIAL_CAST_JSON))
            return JS_OBJ;
        return JS_STR;
    }
    return JS_OBJ;
}

/* JavaScript compares strings by UTF-16 code units: byte order, except that characters above
 * U+FFFF (4-byte UTF-8, surrogates in UTF-16) sort before U+E000..U+FFFF. */
static int js_strcmp(str_t x, str_t y)
{
    size_t n = x.n < y.n ? x.n : y.n;
    for (size_t i = 0; i < n; i++) {
        unsigned char a = (unsigned char)x.p[i], c = (unsigned char)y.p[i];
        if (a == c)
            continue;
        bool a4 = a >= 0xF0, c4 = c >= 0xF0, a_hi = a == 0xEE || a == 0xEF,
             c_hi = c == 0xEE || c == 0xEF;
        if (a4 && c_hi)
            return -1;
        if (c4 && a_hi)
            return 1;
        return a < c ? -1 : 1;
    }
    return x.n == y.n ? 0 : (x.n < y.n ? -1 : 1);
}

int items_json_compare(db_dialect_t d, const plan_col_t *col, const db_value_t *x,
                       const db_value_t *y, bool desc)
{
    double nx = 0, ny = 0;
    js_kind_t kx = js_kind(d, col, x, &nx), ky = js_kind(d, col, y, &ny);
    if (kx == JS_NULL && ky == JS_NULL)
        return 0;
    if (kx == JS_NULL)
        return 1;
    if (ky == JS_NULL)
        return -1;
    int less;
    if (kx == JS_NUM && ky == JS_NUM) {
        if (nx == ny)
            return 0;
        less = nx < ny;
    } else if (kx == JS_STR && ky == JS_STR && x->type == y->type && x->type == DB_TEXT) {
        int c = js_strcmp(x->s, y->s);
        if (c == 0)
            return 0;
        less = c < 0;
    } else if (kx == JS_STR && ky == JS_STR && x->type == DB_INT && y->type == DB_INT &&
               col->expr.field && col->expr.field->type == SCHEMA_TYPE_BIG_INTEGER) {
        /* node-pg's int8 strings compare as text: "10" < "9" */
        char xa[24], ya[24];
        int xn = snprintf(xa, sizeof xa, "%lld", (long long)x->i);
        int yn = snprintf(ya, sizeof ya, "%lld", (long long)y->i);
        int c = js_strcmp((str_t){xa, (size_t)xn}, (str_t){ya, (size_t)yn});
        if (c == 0)
            return 0;
        less = c < 0;
    } else if (kx == JS_STR && ky == JS_STR) {
        /* dates formatted by processDates: their order is the order of the instants */
        double a = x->type == DB_TEXT ? jsval_date_parse(x->s) : (double)x->i;
        double b = y->type == DB_TEXT ? jsval_date_parse(y->s) : (double)y->i;
        if (a == b || isnan(a) || isnan(b))
            return 0;
        less = a < b;
    } else {
        return 0; /* objects, or mixed kinds: kept in database order */
    }
    return desc ? (less ? 1 : -1) : (less ? -1 : 1);
}

void items_json_default(buf_t *b, const schema_field_t *f)
{
    json_write(b, f->default_value);
}
