/*
 * validatePayload + generateJoi + joiValidationErrorItemToErrorExtensions, operator by operator.
 * The Joi behaviour each branch mirrors is noted where it is not obvious; the cases are pinned in
 * tests/unit/perm/test_validate.c from the real packages.
 */
#include "lib/perm/validate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/auth/jsregex.h"
#include "lib/core/buf.h"
#include "lib/core/isodate.h"
#include "lib/core/json.h"
#include "lib/query/jsval.h"

#define MAX_SAFE 9007199254740991.0
/* Nested field objects ({"rel":{"name":{…}}}) followed at most this deep. */
#define NEST_DEPTH 32

typedef struct {
    const char *message;
    struct json_object *ext; /* field, type, then valid / invalid / substring */
} vfail_t;

typedef struct {
    arena_t *a;
    vfail_t *v;
    size_t n;
    bool throws; /* Directus would throw a plain Error: the whole validation is a 500 */
} vlist_t;

/* ---- JavaScript values ------------------------------------------------------------------ */

static bool is_str(const struct json_object *v)
{
    return v && json_object_get_type(v) == json_type_string;
}

static str_t sval(const struct json_object *v)
{
    return (str_t){json_object_get_string((struct json_object *)v),
                   (size_t)json_object_get_string_len(v)};
}

static bool is_num(const struct json_object *v)
{
    return v && (json_object_get_type(v) == json_type_int ||
                 json_object_get_type(v) == json_type_double);
}

/* Joi's Values.has for the values JSON can hold: strict equality, deep for objects/arrays. */
static bool js_equal(const struct json_object *x, const struct json_object *y)
{
    if (!x || !y)
        return x == y;
    if (is_num(x) && is_num(y))
        return json_object_get_double(x) == json_object_get_double(y);
    json_type tx = json_object_get_type(x);
    if (tx != json_object_get_type(y))
        return false;
    switch (tx) {
    case json_type_boolean:
        return json_object_get_boolean(x) == json_object_get_boolean(y);
    case json_type_string:
        return str_eq(sval(x), sval(y));
    case json_type_array: {
        size_t n = json_object_array_length(x);
        if (n != json_object_array_length(y))
            return false;
        for (size_t i = 0; i < n; i++)
            if (!js_equal(json_object_array_get_idx(x, i), json_object_array_get_idx(y, i)))
                return false;
        return true;
    }
    case json_type_object: {
        if (json_object_object_length(x) != json_object_object_length(y))
            return false;
        json_object_object_foreach((struct json_object *)x, k, v)
        {
            struct json_object *w;
            if (!json_object_object_get_ex(y, k, &w) || !js_equal(v, w))
                return false;
        }
        return true;
    }
    default:
        return false;
    }
}

static struct json_object *num_json(double d)
{
    if (jsval_is_integer(d) && jsval_is_safe(d))
        return json_object_new_int64((int64_t)d);
    return json_object_new_double(d);
}

/* A copy of v for an error's extensions (json-c values are reference counted). */
static struct json_object *dup_json(const struct json_object *v)
{
    return v ? json_object_get((struct json_object *)v) : NULL;
}

/* `${v}` in a template literal. */
static const char *js_text(arena_t *a, const struct json_object *v)
{
    if (!v)
        return "null";
    str_t s = jsval_str(a, v);
    return arena_strndup(a, s.p ? s.p : "", s.n);
}

/* ---- dates (Joi.date(): new Date(...) semantics; Celer runs as Directus under TZ=UTC) ----- */

/* new Date(ms)'s TimeClip: beyond ±8.64e15 ms (±100,000,000 days) a Date is invalid. */
static double time_clip(double ms)
{
    return isfinite(ms) && fabs(ms) <= 8.64e15 ? ms : NAN;
}

/* Joi's date parse of a value; NaN when it is no date. */
static double joi_date(const struct json_object *v)
{
    if (is_num(v))
        return time_clip(json_object_get_double(v));
    if (!is_str(v))
        return NAN;
    str_t s = sval(v);
    size_t i = 0;
    while (i < s.n && (s.p[i] == ' ' || s.p[i] == '\t' || s.p[i] == '\n' || s.p[i] == '\r'))
        i++;
    if (i == s.n)
        return NAN;
    /* /^[+-]?\d+(\.\d+)?$/ → a timestamp in milliseconds */
    size_t k = 0;
    if (k < s.n && (s.p[k] == '+' || s.p[k] == '-'))
        k++;
    size_t digits = k;
    while (k < s.n && s.p[k] >= '0' && s.p[k] <= '9')
        k++;
    bool numeric = k > digits;
    if (numeric && k < s.n && s.p[k] == '.') {
        size_t f = ++k;
        while (k < s.n && s.p[k] >= '0' && s.p[k] <= '9')
            k++;
        numeric = k > f;
    }
    if (numeric && k == s.n)
        return time_clip(jsval_str_number(s));
    return time_clip(jsval_date_parse(s));
}

static void date_parts(double ms, struct tm *tm, int *millis)
{
    double secs = floor(ms / 1000.0);
    *millis = (int)(ms - secs * 1000.0);
    time_t t = (time_t)secs;
    gmtime_r(&t, tm);
}

/* Date.prototype.toISOString (years 0…9999). */
static const char *date_iso(arena_t *a, double ms)
{
    struct tm tm;
    int millis;
    date_parts(ms, &tm, &millis);
    char *out = arena_alloc(a, 64);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    return out;
}

/* Date.prototype.toString in UTC, as a Date in a template literal prints. */
static const char *date_text(arena_t *a, double ms)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    int millis;
    date_parts(ms, &tm, &millis);
    char *out = arena_alloc(a, 128);
    snprintf(out, 128, "%s %s %02d %04d %02d:%02d:%02d GMT+0000 (Coordinated Universal Time)",
             days[tm.tm_wday], months[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900, tm.tm_hour,
             tm.tm_min, tm.tm_sec);
    return out;
}

/* ---- failures ---------------------------------------------------------------------------- */

/* messageConstructor of FailedValidationError. vtext: the `${}` form of the value under key. */
static const char *message_for(arena_t *a, const char *field, const char *type, const char *key,
                               const struct json_object *val, const char *vtext)
{
    buf_t b;
    buf_init(&b, a, 96);
    buf_printf(&b, "Validation failed for field \"%s\".", field);
    bool list = strcmp(type, "in") == 0 || strcmp(type, "nin") == 0;
    if (key && list) {
        buf_puts(&b,
                 strcmp(type, "in") == 0 ? " Value has to be one of " : " Value can't be one of ");
        size_t n = json_object_get_type(val) == json_type_array ? json_object_array_length(val) : 0;
        for (size_t i = 0; i < n; i++)
            buf_printf(&b, "%s\"%s\"", i ? ", " : "",
                       js_text(a, json_object_array_get_idx(val, i)));
        buf_putc(&b, '.');
    } else if (key) {
        static const struct {
            const char *key, *type, *text;
        } forms[] = {
            {"valid", "eq", " Value has to be \"%s\"."},
            {"valid", "lt", " Value has to be less than \"%s\"."},
            {"valid", "lte", " Value has to be less than or equal to \"%s\"."},
            {"valid", "gt", " Value has to be greater than \"%s\"."},
            {"valid", "gte", " Value has to be greater than or equal to \"%s\"."},
            {"invalid", "neq", " Value can't be \"%s\"."},
            {"substring", "contains", " Value has to contain \"%s\"."},
            {"substring", "icontains", " Value has to contain \"%s\"."},
            {"substring", "ncontains", " Value can't contain \"%s\"."},
        };
        for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
            if (strcmp(forms[i].key, key) == 0 && strcmp(forms[i].type, type) == 0)
                buf_printf(&b, forms[i].text, vtext ? vtext : js_text(a, val));
    }
    static const struct {
        const char *type, *text;
    } tails[] = {
        {"null", " Value has to be null."},
        {"nnull", " Value can't be null."},
        {"empty", " Value has to be empty."},
        {"nempty", " Value can't be empty."},
        {"required", " Value is required."},
        {"regex", " Value doesn't have the correct format."},
        {"email", " Value has to be a valid email address."},
    };
    for (size_t i = 0; i < sizeof tails / sizeof *tails; i++)
        if (strcmp(tails[i].type, type) == 0)
            buf_puts(&b, tails[i].text);
    return b.p;
}

/* Records one failure; val (taken over) goes under key, vtext overrides its message form. */
static void fail(vlist_t *l, const char *field, const char *type, const char *key,
                 struct json_object *val, const char *vtext)
{
    struct json_object *ext = json_own(l->a, json_object_new_object());
    json_object_object_add(ext, "field", json_object_new_string(field));
    json_object_object_add(ext, "type", json_object_new_string(type));
    if (key)
        json_object_object_add(ext, key, val);
    l->v = arena_realloc(l->a, l->v, l->n * sizeof *l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = (vfail_t){message_for(l->a, field, type, key, val, vtext), ext};
}

static void fail_plain(vlist_t *l, const char *field, const char *type)
{
    fail(l, field, type, NULL, NULL, NULL);
}

/* ---- any().valid / invalid --------------------------------------------------------------- */

typedef struct {
    arena_t *a;
    const struct json_object **v;
    size_t n;
} values_t;

static void values_add(values_t *s, const struct json_object *v)
{
    for (size_t i = 0; i < s->n; i++)
        if (js_equal(s->v[i], v))
            return;
    s->v = arena_realloc(s->a, s->v, s->n * sizeof *s->v, (s->n + 1) * sizeof *s->v);
    s->v[s->n++] = v;
}

static bool values_has(const values_t *s, const struct json_object *v)
{
    for (size_t i = 0; i < s->n; i++)
        if (js_equal(s->v[i], v))
            return true;
    return false;
}

/* any.only / any.invalid mapped as joi-to-error does: one value null → null/nnull, '' →
 * empty/nempty, else eq/neq; several → in/nin with the list. */
static void fail_values(vlist_t *l, const char *field, bool only, const values_t *s)
{
    if (s->n > 1) {
        struct json_object *arr = json_object_new_array();
        for (size_t i = 0; i < s->n; i++)
            json_object_array_add(arr, dup_json(s->v[i]));
        fail(l, field, only ? "in" : "nin", only ? "valid" : "invalid", arr, NULL);
        return;
    }
    const struct json_object *v = s->v[0];
    if (!v)
        fail_plain(l, field, only ? "null" : "nnull");
    else if (is_str(v) && !sval(v).n)
        fail_plain(l, field, only ? "empty" : "nempty");
    else
        fail(l, field, only ? "eq" : "neq", only ? "valid" : "invalid", dup_json(v), NULL);
}

static void check_values(vlist_t *l, const char *field, bool only, const values_t *s,
                         const struct json_object *v)
{
    if (!s->n || values_has(s, v) == only)
        return;
    fail_values(l, field, only, s);
}

/* _eq/_neq: the value, plus Number(value) when that is a number (not for null, '', booleans). */
static int eq_values(vlist_t *l, const struct json_object *c, values_t *s, struct json_object **tmp)
{
    if (c && json_object_get_type(c) == json_type_array)
        return -1; /* Joi: "Method no longer accepts array arguments" */
    values_add(s, c);
    bool skip = !c || json_object_get_type(c) == json_type_boolean || (is_str(c) && !sval(c).n);
    double d = skip ? NAN : jsval_number(l->a, c);
    if (!isnan(d)) {
        *tmp = json_own(l->a, num_json(d));
        values_add(s, *tmp);
    }
    return 0;
}

/* _in/_nin: `...compareValue` — an array's items, a string's characters. */
static int list_values(vlist_t *l, const struct json_object *c, values_t *s)
{
    if (is_str(c)) {
        str_t t = sval(c);
        for (size_t i = 0; i < t.n; i++)
            values_add(s, json_own(l->a, json_object_new_string_len(t.p + i, 1)));
        return 0;
    }
    if (!c || json_object_get_type(c) != json_type_array)
        return -1;
    for (size_t i = 0; i < json_object_array_length(c); i++) {
        const struct json_object *x = json_object_array_get_idx(c, i);
        if (x && json_object_get_type(x) == json_type_array)
            return -1;
        values_add(s, x);
    }
    return 0;
}

/* ---- number() and date() with limits ------------------------------------------------------- */

/* Joi's normalizeDecimal, for its "unsafe" check of numeric strings. */
static const char *normalize_decimal(arena_t *a, str_t s)
{
    buf_t b;
    buf_init(&b, a, s.n + 2);
    size_t i = 0;
    if (i < s.n && s.p[i] == '+')
        i++;
    bool neg = i < s.n && s.p[i] == '-';
    if (neg) {
        buf_putc(&b, '-');
        i++;
    }
    if (i < s.n && s.p[i] == '.')
        buf_putc(&b, '0');
    while (i + 1 < s.n && s.p[i] == '0' && s.p[i + 1] >= '0' && s.p[i + 1] <= '9')
        i++;
    buf_append(&b, s.p + i, s.n - i);
    char *p = b.p;
    char *dot = strchr(p, '.');
    if (dot) {
        size_t n = strlen(p);
        while (n > (size_t)(dot - p) + 1 && p[n - 1] == '0')
            p[--n] = 0;
        if (p[n - 1] == '.')
            p[n - 1] = 0;
    }
    if (strcmp(p, "-0") == 0)
        return "0";
    return p;
}

/* Joi.number() with convert: 1 a number in *out, 0 not a number (number.base), -1 Joi's
 * number.unsafe (which joi-to-error cannot map). */
static int joi_number(arena_t *a, const struct json_object *v, double *out)
{
    if (is_num(v)) {
        *out = json_object_get_double(v);
        if (isnan(*out))
            return 0; /* an Invalid Date's year() */
        return fabs(*out) > MAX_SAFE ? -1 : 1;
    }
    if (!is_str(v))
        return 0;
    str_t s = jsval_trim(sval(v));
    /* /^\s*[+-]?(?:(?:\d+(?:\.\d*)?)|(?:\.\d+))(?:e([+-]?\d+))?\s*$/i */
    size_t i = 0, d0;
    if (i < s.n && (s.p[i] == '+' || s.p[i] == '-'))
        i++;
    d0 = i;
    while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9')
        i++;
    size_t intd = i - d0, frac = 0;
    if (i < s.n && s.p[i] == '.') {
        size_t f0 = ++i;
        while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9')
            i++;
        frac = i - f0;
    }
    if (!intd && !frac)
        return 0;
    bool exp = false;
    if (i < s.n && (s.p[i] == 'e' || s.p[i] == 'E')) {
        size_t e0 = ++i;
        if (i < s.n && (s.p[i] == '+' || s.p[i] == '-'))
            i++;
        size_t e1 = i;
        while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9')
            i++;
        if (i == e1 || e0 == e1 + 1)
            return 0;
        exp = true;
    }
    if (i != s.n)
        return 0;
    *out = jsval_str_number(s);
    if (*out == 0)
        *out = 0;
    if (fabs(*out) > MAX_SAFE)
        return -1;
    if (!exp) {
        buf_t b;
        buf_init(&b, a, 32);
        jsval_number_str(&b, *out);
        if (!strchr(b.p, 'e') && strcmp(b.p, normalize_decimal(a, s)) != 0)
            return -1;
    }
    return 1;
}

typedef enum { LIM_GT, LIM_GTE, LIM_LT, LIM_LTE } lim_t;

static const char *const lim_type[] = {"gt", "gte", "lt", "lte"};

static bool lim_ok(lim_t k, double v, double limit)
{
    switch (k) {
    case LIM_GT:
        return v > limit;
    case LIM_GTE:
        return v >= limit;
    case LIM_LT:
        return v < limit;
    default:
        return v <= limit;
    }
}

/* Joi.number() or Joi.date() with up to two limit rules, all reported (abortEarly: false). */
static int check_limits(vlist_t *l, const char *field, bool date, const lim_t *kinds,
                        const double *limits, size_t n, const struct json_object *v)
{
    double x;
    if (date) {
        x = joi_date(v);
        if (isnan(x)) {
            fail_plain(l, field, "required"); /* date.base */
            return 0;
        }
    } else {
        int r = joi_number(l->a, v, &x);
        if (r < 0)
            return -1;
        if (!r) {
            fail_plain(l, field, "required"); /* number.base */
            return 0;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (lim_ok(kinds[i], x, limits[i]))
            continue;
        if (date)
            fail(l, field, lim_type[kinds[i]], "valid",
                 json_object_new_string(date_iso(l->a, limits[i])), date_text(l->a, limits[i]));
        else
            fail(l, field, lim_type[kinds[i]], "valid", num_json(limits[i]), NULL);
    }
    return 0;
}

/* A compare value as a limit: Number(c) unless that is NaN (then a date; -1 when not one). */
static int limit_of(vlist_t *l, const struct json_object *c, bool *date, double *out)
{
    double d = jsval_number(l->a, c);
    *date = isnan(d);
    if (!*date) {
        *out = d;
        return 0;
    }
    *out = joi_date(c);
    return isnan(*out) ? -1 : 0;
}

/* _between / _nbetween: numbers when both bounds are safe numbers, else dates. */
static int between(vlist_t *l, const char *field, const struct json_object *c, bool negate,
                   const struct json_object *v, bool present)
{
    if (!c || json_object_get_type(c) != json_type_array)
        return -1;
    size_t n = json_object_array_length(c);
    bool numbers = true;
    for (size_t i = 0; i < n && numbers; i++) {
        double d = jsval_number(l->a, json_object_array_get_idx(c, i));
        numbers = !isnan(d) && fabs(d) <= MAX_SAFE;
    }
    if (n < 2)
        return -1; /* a missing bound: Joi's limit assertion throws */
    double lim[2];
    for (size_t i = 0; i < 2; i++) {
        const struct json_object *b = json_object_array_get_idx(c, i);
        lim[i] = numbers ? jsval_number(l->a, b) : joi_date(b);
        if (isnan(lim[i]))
            return -1;
    }
    lim_t kinds[2] = {negate ? LIM_LT : LIM_GTE, negate ? LIM_GT : LIM_LTE};
    return present ? check_limits(l, field, !numbers, kinds, lim, 2, v) : 0;
}

/* ---- string rules ------------------------------------------------------------------------ */

static bool has_sub(arena_t *a, str_t hay, str_t needle, bool icase)
{
    if (icase) {
        hay = jsval_lower(a, hay);
        needle = jsval_lower(a, needle);
    }
    if (needle.n > hay.n)
        return false;
    for (size_t i = 0; i + needle.n <= hay.n; i++)
        if (!memcmp(hay.p + i, needle.p, needle.n))
            return true;
    return false;
}

/* Joi.string() before its rules: 1 a non-empty string, 0 not a string (string.base →
 * "required"), -1 the empty string (string.empty, which joi-to-error cannot map). */
static int joi_string(const struct json_object *v)
{
    if (!is_str(v))
        return 0;
    return sval(v).n ? 1 : -1;
}

/* Joi.string()'s base check before a pattern rule: 1 go on with the rule, 0 failed as
 * "required" (recorded in l), -1 Directus throws. */
static int string_base(vlist_t *l, const char *field, const struct json_object *v)
{
    int s = joi_string(v);
    if (!s)
        fail_plain(l, field, "required");
    return s;
}

/* _contains / _icontains / _ncontains: a string rule, or for arrays an item rule; every way
 * of failing other than the string rule itself ends in an unmappable alternatives error. */
static int contains(vlist_t *l, const char *field, const char *op, str_t c,
                    const struct json_object *v)
{
    bool icase = strcmp(op, "_icontains") == 0, neg = strcmp(op, "_ncontains") == 0;
    if (joi_string(v) == 1) {
        if (has_sub(l->a, sval(v), c, icase) != neg)
            return 0;
        fail(l, field, neg ? "ncontains" : "contains", "substring",
             json_object_new_string_len(c.p, (int)c.n), NULL);
        return 0;
    }
    if (!v || json_object_get_type(v) != json_type_array)
        return -1;
    bool any = false;
    for (size_t i = 0; i < json_object_array_length(v) && !any; i++) {
        const struct json_object *x = json_object_array_get_idx(v, i);
        any = joi_string(x) == 1 && has_sub(l->a, sval(x), c, icase && !neg);
    }
    return any != neg ? 0 : -1;
}

/* lodash escapeRegExp, then as RegExp#source shows it ("/" escaped). */
static str_t regex_source(arena_t *a, str_t s)
{
    buf_t b;
    buf_init(&b, a, s.n * 2 + 1);
    for (size_t i = 0; i < s.n; i++) {
        if (strchr("\\^$.*+?()[]{}|/", s.p[i]) && s.p[i])
            buf_putc(&b, '\\');
        buf_putc(&b, s.p[i]);
    }
    return (str_t){b.p, b.n};
}

/* _starts_with … _niends_with: Joi pattern rules with a name, maybe inverted. */
static int affix(vlist_t *l, const char *field, const char *op, str_t c,
                 const struct json_object *v)
{
    const char *name = op + 1;
    bool neg = name[0] == 'n', icase = name[neg] == 'i';
    bool ends = strstr(name, "ends_with") != NULL;
    int s = string_base(l, field, v);
    if (s <= 0)
        return s;
    str_t x = sval(v), needle = c;
    if (icase) {
        x = jsval_lower(l->a, x);
        needle = jsval_lower(l->a, c);
    }
    bool match =
        needle.n <= x.n && memcmp(x.p + (ends ? x.n - needle.n : 0), needle.p, needle.n) == 0;
    if (match != neg)
        return 0;
    str_t src = regex_source(l->a, c);
    fail(l, field, name, "substring", json_object_new_string_len(src.p, (int)src.n), NULL);
    return 0;
}

static int regex(vlist_t *l, const char *field, const struct json_object *c,
                 const struct json_object *v, bool present)
{
    str_t pat = jsval_str(l->a, c);
    if (is_str(c) && pat.n >= 2 && pat.p[0] == '/' && pat.p[pat.n - 1] == '/')
        pat = (str_t){pat.p + 1, pat.n - 2};
    /* new RegExp(pattern) runs when the schema is built, whether or not the key is given. */
    if (jsregex_test(l->a, pat, STR("")) < 0)
        return -1;
    if (!present)
        return 0;
    int s = string_base(l, field, v);
    if (s <= 0)
        return s;
    int r = jsregex_test(l->a, pat, sval(v));
    if (r < 0)
        return -1;
    if (!r)
        fail(l, field, "regex", "invalid", dup_json(v), NULL);
    return 0;
}

/* Object.keys(o)[0] and its value (json-c keeps insertion order, as JavaScript does). */
static const char *first_key(const struct json_object *o, const struct json_object **val)
{
    struct json_object_iterator it = json_object_iter_begin((struct json_object *)o);
    *val = json_object_iter_peek_value(&it);
    return json_object_iter_peek_name(&it);
}

/* ---- generateJoi for one field ----------------------------------------------------------- */

/* The rule `op: c` on the payload value v (NULL with present false: the key is missing).
 * -1 where Directus would throw. */
static int apply_op(vlist_t *l, const char *field, const char *op, const struct json_object *c,
                    const struct json_object *v, bool present)
{
    bool str_c_ok = is_str(c);
    if (!strcmp(op, "_eq") || !strcmp(op, "_neq")) {
        values_t s = {.a = l->a};
        struct json_object *tmp = NULL;
        if (eq_values(l, c, &s, &tmp) < 0)
            return -1;
        if (present)
            check_values(l, field, op[1] == 'e', &s, v);
        return 0;
    }
    if (!strcmp(op, "_in") || !strcmp(op, "_nin")) {
        values_t s = {.a = l->a};
        if (list_values(l, c, &s) < 0)
            return -1;
        if (present)
            check_values(l, field, op[1] == 'i', &s, v);
        return 0;
    }
    if (!strcmp(op, "_null") || !strcmp(op, "_nnull") || !strcmp(op, "_empty") ||
        !strcmp(op, "_nempty")) {
        values_t s = {.a = l->a};
        bool empty = strstr(op, "empty") != NULL;
        values_add(&s, empty ? json_own(l->a, json_object_new_string("")) : NULL);
        if (present)
            check_values(l, field, !strcmp(op, "_null") || !strcmp(op, "_empty"), &s, v);
        return 0;
    }
    if (!strcmp(op, "_submitted")) {
        if (!present)
            fail_plain(l, field, "required");
        return 0;
    }
    static const struct {
        const char *op;
        lim_t kind;
    } lims[] = {{"_gt", LIM_GT}, {"_gte", LIM_GTE}, {"_lt", LIM_LT}, {"_lte", LIM_LTE}};
    for (size_t i = 0; i < sizeof lims / sizeof *lims; i++) {
        if (strcmp(op, lims[i].op) != 0)
            continue;
        bool date;
        double limit;
        if (limit_of(l, c, &date, &limit) < 0)
            return -1;
        return present ? check_limits(l, field, date, &lims[i].kind, &limit, 1, v) : 0;
    }
    if (!strcmp(op, "_between") || !strcmp(op, "_nbetween"))
        return between(l, field, c, op[1] == 'n', v, present);
    bool is_contains =
        !strcmp(op, "_contains") || !strcmp(op, "_icontains") || !strcmp(op, "_ncontains");
    static const char *const affixes[] = {"_starts_with",   "_nstarts_with", "_istarts_with",
                                          "_nistarts_with", "_ends_with",    "_nends_with",
                                          "_iends_with",    "_niends_with"};
    bool is_affix = false;
    for (size_t i = 0; i < sizeof affixes / sizeof *affixes; i++)
        is_affix = is_affix || !strcmp(op, affixes[i]);
    bool is_regex = !strcmp(op, "_regex");
    if (!is_contains && !is_affix && !is_regex)
        return 0; /* any other operator: Joi.any() */
    /* A compare value that is no string (null for _regex): Joi.any().equal(true). */
    if (is_regex ? !c : !str_c_ok) {
        values_t s = {.a = l->a};
        values_add(&s, json_own(l->a, json_object_new_boolean(1)));
        if (present)
            check_values(l, field, true, &s, v);
        return 0;
    }
    if (is_regex)
        return regex(l, field, c, v, present);
    if (!present)
        return 0;
    if (is_contains)
        return contains(l, field, op, sval(c), v);
    return affix(l, field, op, sval(c), v);
}

/* generateJoi(filter) validated against obj: the first key, its first operator or nested
 * field object. field: the top-level key errors are reported under (Joi's path[0]). */
static int field_rule(vlist_t *l, const struct json_object *filter, const struct json_object *obj,
                      const char *field, int depth)
{
    if (!filter || json_object_get_type(filter) != json_type_object ||
        !json_object_object_length(filter))
        return -1; /* "Filter doesn't contain field key" */
    const struct json_object *rule;
    const char *key = first_key(filter, &rule);
    if (!field)
        field = key;
    if (!jsval_truthy(rule))
        return -1; /* "Filter doesn't contain filter rule" */
    const struct json_object *v = NULL;
    bool present = obj && json_object_object_get_ex(obj, key, (struct json_object **)&v);
    json_type rt = json_object_get_type(rule);
    if (rt == json_type_string || rt == json_type_array || depth > NEST_DEPTH)
        return -1; /* Object.keys of a string recurses without end */
    if (rt != json_type_object || !json_object_object_length(rule))
        return 0; /* Joi.any() */
    const struct json_object *c;
    const char *op = first_key(rule, &c);
    if (op[0] != '_') {
        /* A nested field object: Joi.object({...}).unknown() under key. */
        if (present && (!v || json_object_get_type(v) != json_type_object)) {
            /* still build the nested schema (it may throw), then object.base */
            vlist_t scratch = {.a = l->a};
            if (field_rule(&scratch, rule, NULL, field, depth + 1) < 0)
                return -1;
            fail_plain(l, field, "required");
            return 0;
        }
        return field_rule(l, rule, present ? v : NULL, field, depth + 1);
    }
    return apply_op(l, field, op, c, v, present);
}

/* ---- injectFunctionResults ------------------------------------------------------------- */

/* A JavaScript number as JSON: integers as such, NaN kept (json-c holds it). */
static struct json_object *js_number(double d)
{
    if (d == floor(d) && fabs(d) <= MAX_SAFE)
        return json_object_new_int64((int64_t)d);
    return json_object_new_double(d);
}

/* date-fns getWeek (weeks from Sunday, week 1 holds 1 January) of a UTC day number. */
static int week_of(int64_t day)
{
    int64_t wday = ((day % 7) + 11) % 7; /* 1970-01-01 was a Thursday: (day + 4) mod 7 */
    int64_t sunday = day - wday;
    time_t t = (time_t)day * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    struct tm next = {.tm_year = tm.tm_year + 1, .tm_mday = 1};
    int64_t jan1_next = (int64_t)(timegm(&next) / 86400);
    int64_t sunday_next = jan1_next - ((jan1_next % 7) + 11) % 7;
    if (day >= sunday_next)
        return 1;
    struct tm cur = {.tm_year = tm.tm_year, .tm_mday = 1};
    int64_t jan1 = (int64_t)(timegm(&cur) / 86400);
    int64_t first = jan1 - ((jan1 % 7) + 11) % 7;
    return (int)((sunday - first) / 7) + 1;
}

/* @directus/utils functions[name](value) into *out; -1 where Directus throws (an unknown
 * function, a date function given something other than a string). */
static int apply_function(str_t name, const struct json_object *v, struct json_object **out)
{
    static const char *const names[] = {"year",    "month",  "week",   "day",  "weekday",
                                        "hour",    "minute", "second", "count"};
    size_t k = 0;
    while (k < 9 && !str_eq_c(name, names[k]))
        k++;
    if (k == 9)
        return -1;
    if (k == 8) {
        bool array = v && json_object_get_type(v) == json_type_array;
        *out = array ? json_object_new_int64((int64_t)json_object_array_length(v)) : NULL;
        return 0;
    }
    if (!is_str(v))
        return -1; /* parseISO's dateString.split */
    int64_t ms;
    if (!isodate_parse(sval(v), &ms)) {
        *out = json_object_new_double(NAN);
        return 0;
    }
    int64_t day = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
    struct tm tm;
    gmtime_r(&t, &tm);
    const double parts[] = {tm.tm_year + 1900.0, tm.tm_mon + 1.0, week_of(day), tm.tm_mday,
                            tm.tm_wday,          tm.tm_hour,      tm.tm_min,    tm.tm_sec};
    *out = js_number(parts[k]);
    return 0;
}

/* A path's segments as lodash reads a dotted string ("a.b" → a, b). */
static str_t next_segment(str_t *path)
{
    long dot = str_index(*path, '.');
    str_t seg = dot >= 0 ? (str_t){path->p, (size_t)dot} : *path;
    *path = dot >= 0 ? (str_t){path->p + dot + 1, path->n - (size_t)dot - 1} : STR_NULL;
    return seg;
}

/* lodash get(obj, path) over objects and arrays (by index). */
static const struct json_object *lodash_get(arena_t *a, const struct json_object *o, str_t path)
{
    while (o && path.p) {
        str_t seg = next_segment(&path);
        if (json_object_get_type(o) == json_type_object) {
            struct json_object *next = NULL;
            json_object_object_get_ex(o, str_dup(a, seg), &next);
            o = next;
        } else if (json_object_get_type(o) == json_type_array) {
            double i = jsval_str_number(seg);
            o = i >= 0 && i == floor(i) && i < (double)json_object_array_length(o)
                    ? json_object_array_get_idx(o, (size_t)i)
                    : NULL;
        } else {
            return NULL;
        }
    }
    return o;
}

/* lodash set(obj, path, v) for object paths: missing or non-object steps become objects. */
static void lodash_set(arena_t *a, struct json_object *o, str_t path, struct json_object *v)
{
    for (;;) {
        const char *key = str_dup(a, next_segment(&path));
        if (!path.p) {
            json_object_object_add(o, key, v);
            return;
        }
        struct json_object *next = NULL;
        if (!json_object_object_get_ex(o, key, &next) ||
            json_object_get_type(next) != json_type_object) {
            next = json_object_new_object();
            json_object_object_add(o, key, next);
        }
        o = next;
    }
}

/* processFilterLevel: every "fn(field)" key of filter (nested field objects too) set in
 * payload to fn of the field's value beside it. -1 where Directus throws. */
static int inject_level(arena_t *a, const struct json_object *filter, const char *parent,
                        struct json_object *payload, int depth)
{
    if (depth > NEST_DEPTH)
        return -1;
    json_object_object_foreach((struct json_object *)filter, key, value)
    {
        const char *path = parent ? arena_printf(a, "%s.%s", parent, key) : key;
        if (key[0] != '_' && json_object_get_type(value) == json_type_object &&
            inject_level(a, value, path, payload, depth + 1) < 0)
            return -1;
        const char *open = strchr(key, '('), *close = open ? strchr(open + 1, ')') : NULL;
        if (!open || !strchr(key, ')'))
            continue;
        /* REGEX_BETWEEN_PARENS: /\(([^)]+)\)/, and a function name before the '(' */
        if (open == key || !close || close == open + 1)
            continue;
        str_t field = {open + 1, (size_t)(close - open - 1)};
        const char *at = parent ? arena_printf(a, "%s.%.*s", parent, (int)field.n, field.p)
                                : str_dup(a, field);
        struct json_object *result;
        if (apply_function((str_t){key, (size_t)(open - key)}, lodash_get(a, payload, str_c(at)),
                           &result) < 0)
            return -1;
        lodash_set(a, payload, str_c(path), result);
    }
    return 0;
}

/* injectFunctionResults(payload, filter): payload itself when filter has no function key,
 * else a copy with the results set (in a). NULL where Directus throws. */
static const struct json_object *inject_functions(arena_t *a, const struct json_object *filter,
                                                  const struct json_object *payload)
{
    if (!filter || json_object_get_type(filter) != json_type_object ||
        !strchr(json_object_to_json_string_ext((struct json_object *)filter,
                                               JSON_C_TO_STRING_PLAIN),
                '('))
        return payload;
    struct json_object *copy = NULL;
    if (payload)
        json_object_deep_copy((struct json_object *)payload, &copy, NULL);
    if (!copy)
        copy = json_object_new_object();
    json_own(a, copy);
    return inject_level(a, filter, NULL, copy, 0) < 0 ? NULL : copy;
}

static int validate_rec(vlist_t *l, const struct json_object *filter,
                        const struct json_object *payload, int depth)
{
    if (depth > NEST_DEPTH)
        return -1;
    if (filter && json_object_get_type(filter) == json_type_object &&
        json_object_object_length(filter)) {
        const struct json_object *parts;
        const char *key = first_key(filter, &parts);
        bool and = !strcmp(key, "_and"), or = !strcmp(key, "_or");
        if (and || or) {
            if (!parts || json_object_get_type(parts) != json_type_array)
                return -1;
            size_t n = json_object_array_length(parts);
            vlist_t swallowed = {.a = l->a};
            for (size_t i = 0; i < n; i++) {
                vlist_t *into = and? l : &swallowed;
                size_t before = into->n;
                if (validate_rec(into, json_object_array_get_idx(parts, i), payload, depth + 1) < 0)
                    return -1;
                if (or &&into->n == before)
                    return 0; /* one part passed */
            }
            for (size_t i = 0; i < swallowed.n; i++) {
                l->v = arena_realloc(l->a, l->v, l->n * sizeof *l->v, (l->n + 1) * sizeof *l->v);
                l->v[l->n++] = swallowed.v[i];
            }
            return 0;
        }
    }
    const struct json_object *with_functions = inject_functions(l->a, filter, payload);
    if (!with_functions)
        return -1;
    return field_rule(l, filter, with_functions, NULL, 0);
}

int perm_validate(arena_t *a, err_t *e, const struct json_object *filter,
                  const struct json_object *payload)
{
    vlist_t l = {.a = a};
    if (validate_rec(&l, filter, payload, 0) < 0)
        return err_set(e, a, ERR_INTERNAL_SERVER_ERROR, NULL);
    for (size_t i = 0; i < l.n; i++) {
        err_add(e, a, ERR_FAILED_VALIDATION, "%s", l.v[i].message);
        json_object_object_foreach(l.v[i].ext, k, val)
        {
            err_ext_json(e, a, k, dup_json(val));
        }
    }
    return (int)l.n;
}
