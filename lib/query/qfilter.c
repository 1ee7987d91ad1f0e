/*
 * Filter parsing: json-c value → qfilter_t, then hoisting of logical operators, then Directus's
 * value checks. Each step mirrors one function of Directus 11.3.5 (parseFilterRecursive and
 * parseFilterEntry, shiftLogicalOperatorsUp, validateFilter), so the error that wins when a
 * filter has several faults is the one Directus reports.
 */
#include "lib/query/qfilter.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib/core/jsonparse.h"
#include "lib/core/json.h"
#include "lib/query/jsval.h"

static const struct {
    qop_t op;
    const char *text;
} op_table[] = {
#define X(name, text) {QOP_##name, text},
    QOP_MAP(X)
#undef X
};

const char *qop_name(qop_t op)
{
    for (size_t i = 0; i < sizeof op_table / sizeof op_table[0]; i++)
        if (op_table[i].op == op)
            return op_table[i].text + 1;
    return NULL;
}

static qop_t op_lookup(str_t key)
{
    for (size_t i = 0; i < sizeof op_table / sizeof op_table[0]; i++)
        if (str_eq_c(key, op_table[i].text))
            return op_table[i].op;
    return QOP_UNKNOWN;
}

typedef struct {
    arena_t *a;
    err_t *e;
    const qfilter_env_t *env;
    int max_depth;
    bool failed;
} pctx_t;

static int invalid_filter(pctx_t *p)
{
    p->failed = true;
    return err_invalid_query(p->e, p->a, "Invalid filter object");
}

static qfilter_t *node(pctx_t *p, qf_kind_t kind)
{
    qfilter_t *f = arena_calloc(p->a, 1, sizeof *f);
    f->kind = kind;
    return f;
}

/* ---- $NOW arithmetic (date-fns add*, sub* in UTC) ----------------------------------------- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* date-fns addMonths: the same day of the target month, clamped to its last day. */
static int64_t add_months(int64_t ms, int64_t months)
{
    int64_t day = floor_div(ms, 86400000), rest = ms - day * 86400000;
    int64_t y;
    unsigned m, d;
    civil_from_days(day, &y, &m, &d);
    int64_t total = y * 12 + (m - 1) + months;
    int64_t ny = floor_div(total, 12);
    unsigned nm = (unsigned)(total - ny * 12) + 1;
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned last = mdays[nm - 1];
    if (nm == 2 && ((ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0))
        last = 29;
    if (d > last)
        d = last;
    return days_from_civil(ny, nm, d) * 86400000 + rest;
}

static bool unit_is(str_t u, const char *const *names)
{
    for (; *names; names++)
        if (str_ieq_c(u, *names))
            return true;
    return false;
}

/* @directus/utils adjustDate: "[+-]<number> [unit]" (default unit days). false when invalid. */
static bool adjust_date(str_t adj, int64_t now, int64_t *out)
{
    bool sub = adj.n && adj.p[0] == '-';
    if (adj.n && (adj.p[0] == '-' || adj.p[0] == '+'))
        adj = (str_t){adj.p + 1, adj.n - 1};
    size_t i = 0;
    if (i < adj.n && adj.p[i] == '-')
        i++;
    size_t start = i, digits_before = 0, digits_after = 0;
    while (i < adj.n && adj.p[i] >= '0' && adj.p[i] <= '9')
        i++, digits_before++;
    if (i < adj.n && adj.p[i] == '.') {
        i++;
        while (i < adj.n && adj.p[i] >= '0' && adj.p[i] <= '9')
            i++, digits_after++;
        if (!digits_after)
            return false;
    } else if (!digits_before) {
        return false;
    }
    char num[64];
    if (i - start + (start ? 1 : 0) >= sizeof num)
        return false;
    size_t nn = 0;
    if (start)
        num[nn++] = '-';
    memcpy(num + nn, adj.p + start, i - start);
    num[nn + i - start] = '\0';
    double amount = jsval_str_number(str_c(num));
    while (i < adj.n && adj.p[i] == ' ')
        i++;
    str_t unit = {adj.p + i, adj.n - i};
    if (sub)
        amount = -amount;
    static const char *const years[] = {"years", "year", "yrs", "yr", "y", NULL};
    static const char *const months[] = {"months", "month", "mth", "mo", NULL};
    static const char *const weeks[] = {"weeks", "week", "w", NULL};
    static const char *const days[] = {"days", "day", "d", NULL};
    static const char *const hours[] = {"hours", "hour", "hrs", "hr", "h", NULL};
    static const char *const mins[] = {"minutes", "minute", "mins", "min", "m", NULL};
    static const char *const secs[] = {"seconds", "second", "secs", "sec", "s", NULL};
    static const char *const msecs[] = {"milliseconds", "millisecond", "msecs", "msec", "ms",
                                        NULL};
    if (!isfinite(amount) || fabs(amount) > 1e12)
        return false;
    if (unit.n == 0 || unit_is(unit, days))
        *out = now + (int64_t)trunc(amount) * 86400000;
    else if (unit_is(unit, years))
        *out = add_months(now, (int64_t)trunc(amount * 12));
    else if (unit_is(unit, months))
        *out = add_months(now, (int64_t)trunc(amount));
    else if (unit_is(unit, weeks))
        *out = now + (int64_t)trunc(amount * 7) * 86400000;
    else if (unit_is(unit, hours))
        *out = now + (int64_t)trunc(amount * 3600000);
    else if (unit_is(unit, mins))
        *out = now + (int64_t)trunc(amount * 60000);
    else if (unit_is(unit, secs))
        *out = now + (int64_t)trunc(amount * 1000);
    else if (unit_is(unit, msecs))
        *out = now + (int64_t)trunc(amount);
    else
        return false;
    return true;
}

/* ---- values ------------------------------------------------------------------------------- */

static bool starts(str_t s, const char *prefix)
{
    return str_starts_with(s, str_c(prefix));
}

/* A JSON value as a filter value (objects and arrays stay JSON). */
static qval_t json_leaf(const struct json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_string:
        return (qval_t){.kind = QV_STRING,
                        .s = {json_object_get_string((struct json_object *)o),
                              (size_t)json_object_get_string_len(o)}};
    case json_type_int:
    case json_type_double:
        return (qval_t){.kind = QV_NUMBER, .num = json_object_get_double(o)};
    case json_type_boolean:
        return (qval_t){.kind = QV_BOOL, .b = json_object_get_boolean(o)};
    case json_type_null:
        return (qval_t){.kind = QV_NULL};
    default:
        return (qval_t){.kind = QV_OBJECT, .json = o};
    }
}

/* A step of the walk: one JSON value, or the array that arrays make (a JSON array's elements,
 * or the values picked out of an array's entries). */
typedef struct {
    const struct json_object **v; /* list */
    size_t n;
    bool list;
    const struct json_object *one; /* NULL: undefined or null */
} walk_t;

static void walk_push(arena_t *a, walk_t *w, size_t *cap, const struct json_object *o)
{
    if (w->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        w->v = arena_realloc(a, w->v, *cap * sizeof *w->v, ncap * sizeof *w->v);
        *cap = ncap;
    }
    w->v[w->n++] = o;
}

/* A value as the walk sees it: a JSON array becomes a list of its elements. */
static walk_t walk_of(arena_t *a, const struct json_object *o)
{
    if (json_object_get_type(o) != json_type_array)
        return (walk_t){.one = o};
    walk_t w = {.list = true};
    size_t cap = 0;
    for (size_t i = 0; i < json_object_array_length(o); i++)
        walk_push(a, &w, &cap, json_object_array_get_idx(o, i));
    return w;
}

static const struct json_object *member(arena_t *a, const struct json_object *o, str_t key)
{
    struct json_object *v = NULL;
    if (json_object_get_type(o) == json_type_object)
        json_object_object_get_ex(o, str_dup(a, key), &v);
    return v;
}

/* @directus/utils get (get-with-arrays) over json-c values: a path walks objects by key (a
 * "key:collection" segment by its key), and through an array it picks the key out of every
 * entry, keeps the truthy values and flattens them one level; null when the path leads nowhere. */
static qval_t context_get(pctx_t *p, const struct json_object *rec, str_t path)
{
    walk_t w = walk_of(p->a, rec);
    while (path.n && (w.list || w.one)) {
        long dot = str_index(path, '.');
        str_t key = dot >= 0 ? (str_t){path.p, (size_t)dot} : path;
        path = dot >= 0 ? (str_t){path.p + dot + 1, path.n - (size_t)dot - 1} : STR_NULL;
        long colon = str_index(key, ':');
        if (colon >= 0)
            key.n = (size_t)colon;
        if (!w.list) {
            w = walk_of(p->a, member(p->a, w.one, key));
            continue;
        }
        walk_t next = {.list = true};
        size_t cap = 0;
        for (size_t i = 0; i < w.n; i++) {
            const struct json_object *v = member(p->a, w.v[i], key);
            if (!jsval_truthy(v))
                continue;
            walk_t flat = walk_of(p->a, v);
            for (size_t k = 0; flat.list && k < flat.n; k++)
                walk_push(p->a, &next, &cap, flat.v[k]);
            if (!flat.list)
                walk_push(p->a, &next, &cap, v);
        }
        w = next.n ? next : (walk_t){0};
    }
    if (!w.list)
        return json_leaf(w.one);
    qval_t v = {.kind = QV_LIST, .n = w.n};
    v.items = arena_calloc(p->a, w.n ? w.n : 1, sizeof *v.items);
    for (size_t i = 0; i < w.n; i++)
        v.items[i] = json_leaf(w.v[i]);
    return v;
}

static qval_t dynamic_var(pctx_t *p, str_t s)
{
    qval_t v = {.kind = QV_NULL};
    const qfilter_env_t *env = p->env;
    if (starts(s, "$NOW")) {
        v.kind = QV_DATE;
        v.ms = env->now_ms;
        long open = str_index(s, '('), close = str_index(s, ')');
        if (open < 0 || close < 0)
            return v;
        /* REGEX_BETWEEN_PARENS: the text after the first '(' up to the next ')', non-empty. */
        str_t rest = {s.p + open + 1, s.n - (size_t)open - 1};
        long end = str_index(rest, ')');
        if (end <= 0)
            return v;
        int64_t ms;
        if (!adjust_date((str_t){rest.p, (size_t)end}, env->now_ms, &ms))
            return (qval_t){.kind = QV_UNDEFINED};
        v.ms = ms;
        return v;
    }
    if (starts(s, "$CURRENT_USER")) {
        if (str_eq_c(s, "$CURRENT_USER") && env->user)
            return (qval_t){.kind = QV_STRING, .s = str_c(env->user)};
        if (env->user_ctx && starts(s, "$CURRENT_USER."))
            return context_get(p, env->user_ctx, (str_t){s.p + 14, s.n - 14});
        return v;
    }
    if (starts(s, "$CURRENT_POLICIES")) {
        if (env->policies_ctx && starts(s, "$CURRENT_POLICIES."))
            return context_get(p, env->policies_ctx, (str_t){s.p + 18, s.n - 18});
        if (str_eq_c(s, "$CURRENT_POLICIES") && env->policies && env->npolicies) {
            v.kind = QV_LIST;
            v.n = env->npolicies;
            v.items = arena_calloc(p->a, env->npolicies ? env->npolicies : 1, sizeof *v.items);
            for (size_t i = 0; i < env->npolicies; i++)
                v.items[i] = (qval_t){.kind = QV_STRING, .s = str_c(env->policies[i])};
        }
        return v;
    }
    if (starts(s, "$CURRENT_ROLES")) {
        if (env->roles_ctx && starts(s, "$CURRENT_ROLES."))
            return context_get(p, env->roles_ctx, (str_t){s.p + 15, s.n - 15});
        if (str_eq_c(s, "$CURRENT_ROLES") && env->roles) {
            v.kind = QV_LIST;
            v.n = env->nroles;
            v.items = arena_calloc(p->a, env->nroles ? env->nroles : 1, sizeof *v.items);
            for (size_t i = 0; i < env->nroles; i++)
                v.items[i] = (qval_t){.kind = QV_STRING, .s = str_c(env->roles[i])};
        }
        return v;
    }
    if (starts(s, "$CURRENT_ROLE")) {
        if (str_eq_c(s, "$CURRENT_ROLE") && env->role)
            return (qval_t){.kind = QV_STRING, .s = str_c(env->role)};
        if (env->role_ctx && starts(s, "$CURRENT_ROLE."))
            return context_get(p, env->role_ctx, (str_t){s.p + 14, s.n - 14});
        return v;
    }
    /* Without a context (request filters in 11.3.5) the rest is null. */
    return v;
}

static bool is_dynamic(str_t s)
{
    return starts(s, "$NOW") || starts(s, "$CURRENT_USER") || starts(s, "$CURRENT_ROLE") ||
           starts(s, "$CURRENT_ROLES") || starts(s, "$CURRENT_POLICIES");
}

/* parseFilterValue for a string: "true", "false", "null", dynamic variables. */
static qval_t parse_string(pctx_t *p, str_t s)
{
    if (str_eq_c(s, "true"))
        return (qval_t){.kind = QV_BOOL, .b = true};
    if (str_eq_c(s, "false"))
        return (qval_t){.kind = QV_BOOL, .b = false};
    if (str_eq_c(s, "null") || str_eq_c(s, "NULL"))
        return (qval_t){.kind = QV_NULL};
    if (is_dynamic(s))
        return dynamic_var(p, s);
    return (qval_t){.kind = QV_STRING, .s = s};
}

/* parseFilterValue: JSON value → qval (strings coerced, dynamic variables resolved). */
static qval_t parse_value(pctx_t *p, const struct json_object *j)
{
    struct json_object *o = (struct json_object *)j;
    switch (json_object_get_type(o)) {
    case json_type_null:
        return (qval_t){.kind = QV_NULL};
    case json_type_boolean:
        return (qval_t){.kind = QV_BOOL, .b = json_object_get_boolean(o)};
    case json_type_int:
        return (qval_t){.kind = QV_NUMBER, .num = (double)json_object_get_int64(o)};
    case json_type_double:
        return (qval_t){.kind = QV_NUMBER, .num = json_object_get_double(o)};
    case json_type_string:
        return parse_string(p, jsval_string(o));
    case json_type_array:
    case json_type_object:
        return (qval_t){.kind = QV_OBJECT, .json = j};
    }
    return (qval_t){.kind = QV_NULL};
}

static void list_push(pctx_t *p, qval_t *list, size_t *cap, qval_t v)
{
    if (list->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        list->items = arena_realloc(p->a, list->items, *cap * sizeof *list->items,
                                    ncap * sizeof *list->items);
        *cap = ncap;
    }
    list->items[list->n++] = v;
}

/* toArray(val).flatMap(parseFilterValue): a string splits on ',', an array is taken as is, any
 * other value is one element; values that come out as arrays are flattened one level. */
static qval_t parse_list(pctx_t *p, const struct json_object *j)
{
    qval_t list = {.kind = QV_LIST};
    size_t cap = 0;
    struct json_object *o = (struct json_object *)j;
    json_type t = json_object_get_type(o);
    if (t == json_type_string) {
        str_t s = jsval_string(o);
        size_t start = 0;
        for (size_t i = 0; i <= s.n; i++) {
            if (i == s.n || s.p[i] == ',') {
                qval_t v = parse_string(p, (str_t){s.p + start, i - start});
                if (v.kind == QV_LIST)
                    for (size_t k = 0; k < v.n; k++)
                        list_push(p, &list, &cap, v.items[k]);
                else
                    list_push(p, &list, &cap, v);
                start = i + 1;
            }
        }
        return list;
    }
    size_t n = t == json_type_array ? json_object_array_length(o) : 1;
    for (size_t i = 0; i < n; i++) {
        const struct json_object *el = t == json_type_array ? json_object_array_get_idx(o, i) : j;
        qval_t v = parse_value(p, el);
        if (v.kind == QV_LIST) {
            for (size_t k = 0; k < v.n; k++)
                list_push(p, &list, &cap, v.items[k]);
        } else if (v.kind == QV_OBJECT &&
                   json_object_get_type((struct json_object *)el) == json_type_array) {
            /* flatMap flattens an element that is itself an array. */
            size_t m = json_object_array_length((struct json_object *)el);
            for (size_t k = 0; k < m; k++)
                list_push(p, &list, &cap,
                          parse_value(p, json_object_array_get_idx((struct json_object *)el, k)));
        } else {
            list_push(p, &list, &cap, v);
        }
    }
    return list;
}

/* ---- structure ---------------------------------------------------------------------------- */

static qfilter_t *parse_recursive(pctx_t *p, const struct json_object *j, int depth);

/* The entries of an object, or of an array taken as an object with index keys. */
typedef struct {
    str_t key;
    const struct json_object *val;
    char idx[24];
} entry_t;

static size_t entries(pctx_t *p, const struct json_object *j, entry_t **out)
{
    struct json_object *o = (struct json_object *)j;
    if (json_object_get_type(o) == json_type_array) {
        size_t n = json_object_array_length(o);
        entry_t *e = arena_calloc(p->a, n ? n : 1, sizeof *e);
        for (size_t i = 0; i < n; i++) {
            int len = snprintf(e[i].idx, sizeof e[i].idx, "%zu", i);
            e[i].key = (str_t){arena_strndup(p->a, e[i].idx, (size_t)len), (size_t)len};
            e[i].val = json_object_array_get_idx(o, i);
        }
        *out = e;
        return n;
    }
    size_t n = (size_t)json_object_object_length(o), i = 0;
    entry_t *e = arena_calloc(p->a, n ? n : 1, sizeof *e);
    json_object_object_foreach(o, key, val)
    {
        /* parseJSON drops __proto__ keys (and qs never makes them). */
        if (strcmp(key, "__proto__") == 0)
            continue;
        e[i].key = str_c(key);
        e[i].val = val;
        i++;
    }
    *out = e;
    return i;
}

static bool is_list_op(qop_t op)
{
    return op == QOP_IN || op == QOP_NIN || op == QOP_BETWEEN || op == QOP_NBETWEEN;
}

static bool is_geo_op(qop_t op)
{
    return op == QOP_INTERSECTS || op == QOP_NINTERSECTS || op == QOP_INTERSECTS_BBOX ||
           op == QOP_NINTERSECTS_BBOX;
}

static qfilter_t *parse_logical(pctx_t *p, str_t key, const struct json_object *val, int depth)
{
    /* value.map(...) throws unless the value is an array: "Invalid filter object". */
    if (json_object_get_type((struct json_object *)val) != json_type_array) {
        invalid_filter(p);
        return NULL;
    }
    qfilter_t *f = node(p, str_eq_c(key, "_or") ? QF_OR : QF_AND);
    size_t n = json_object_array_length((struct json_object *)val);
    f->kids = arena_calloc(p->a, n ? n : 1, sizeof *f->kids);
    for (size_t i = 0; i < n; i++) {
        qfilter_t *k = parse_recursive(p, json_object_array_get_idx((struct json_object *)val, i),
                                       depth + 1);
        if (p->failed)
            return NULL;
        if (k)
            f->kids[f->nkids++] = k;
    }
    return f;
}

static qfilter_t *parse_op(pctx_t *p, str_t key, const struct json_object *val)
{
    qfilter_t *f = node(p, QF_OP);
    f->key = key;
    f->op = op_lookup(key);
    if (is_list_op(f->op)) {
        /* qs turns arrays with indexes above 20 into objects: their values, in order. */
        if (json_object_get_type((struct json_object *)val) == json_type_object) {
            struct json_object *arr = json_object_new_array();
            json_object_object_foreach((struct json_object *)val, k, v)
            {
                (void)k;
                json_object_array_add(arr, json_object_get(v));
            }
            f->val = parse_list(p, arr);
            json_own(p->a, arr);
        } else {
            f->val = parse_list(p, val);
        }
    } else if (is_geo_op(f->op) && jsval_is_string(val)) {
        str_t s = jsval_string(val);
        struct json_object *geo;
        if (jsonparse(p->a, s.p, s.n, 0, 64, &geo, NULL) < 0) {
            invalid_filter(p);
            return NULL;
        }
        f->val = parse_value(p, geo);
    } else {
        f->val = parse_value(p, val);
    }
    return f;
}

static qfilter_t *parse_entry(pctx_t *p, str_t key, const struct json_object *val, int depth)
{
    if (str_eq_c(key, "_or") || str_eq_c(key, "_and"))
        return parse_logical(p, key, val, depth);
    bool some = str_eq_c(key, "_some"), none = str_eq_c(key, "_none");
    if (key.n && key.p[0] == '_' && !some && !none)
        return parse_op(p, key, val);
    if (some || none) {
        qfilter_t *f = node(p, some ? QF_SOME : QF_NONE);
        f->key = key;
        f->child = parse_recursive(p, val, depth + 1);
        return p->failed ? NULL : f;
    }
    qfilter_t *f = node(p, QF_FIELD);
    json_type t = json_object_get_type((struct json_object *)val);
    bool objlike = t == json_type_object || t == json_type_array;
    if (starts(key, "item__") && objlike) {
        /* GraphQL spelling of an m2a scope: item__headings → item:headings. */
        char *k = arena_printf(p->a, "item:%.*s", (int)(key.n - 6), key.p + 6);
        key = str_c(k);
    }
    f->key = key;
    if (t == json_type_null) {
        /* {"f": null}: Directus crashes on it; take it as the shorthand for _eq null. */
        f->child = node(p, QF_OP);
        f->child->key = STR("_eq");
        f->child->op = QOP_EQ;
        f->child->val.kind = QV_NULL;
        return f;
    }
    f->child = parse_recursive(p, val, depth + 1);
    return p->failed ? NULL : f;
}

static qfilter_t *parse_recursive(pctx_t *p, const struct json_object *j, int depth)
{
    if (depth > p->max_depth) {
        invalid_filter(p);
        return NULL;
    }
    json_type t = json_object_get_type((struct json_object *)j);
    if (t == json_type_null)
        return NULL;
    if (t != json_type_object && t != json_type_array) {
        qfilter_t *f = node(p, QF_OP);
        f->key = STR("_eq");
        f->op = QOP_EQ;
        f->val = parse_value(p, j);
        return f;
    }
    entry_t *e;
    size_t n = entries(p, j, &e);
    if (n == 0) {
        qfilter_t *f = node(p, QF_AND);
        f->empty_object = true;
        return f;
    }
    qfilter_t **kids = arena_calloc(p->a, n, sizeof *kids);
    size_t nk = 0;
    for (size_t i = 0; i < n; i++) {
        qfilter_t *k = parse_entry(p, e[i].key, e[i].val, depth);
        if (p->failed)
            return NULL;
        if (k)
            kids[nk++] = k;
    }
    if (nk == 1)
        return kids[0];
    qfilter_t *f = node(p, QF_AND);
    f->kids = kids;
    f->nkids = nk;
    return f;
}

/* ---- hoisting ----------------------------------------------------------------------------- */

static bool is_logical(const qfilter_t *f)
{
    return f && (f->kind == QF_AND || f->kind == QF_OR);
}

/* {f: {_or: [a, b]}} → {_or: [{f: a}, {f: b}]}, at every level (Directus hoists the first level
 * only and fails on deeper ones; the meaning is the same). {f: {}} keeps f with no condition. */
static qfilter_t *hoist(pctx_t *p, qfilter_t *f, int depth, bool under_field)
{
    if (!f || depth > p->max_depth * 2)
        return f;
    switch (f->kind) {
    case QF_AND:
    case QF_OR:
        for (size_t i = 0; i < f->nkids; i++)
            f->kids[i] = hoist(p, f->kids[i], depth + 1, false);
        return f;
    case QF_SOME:
    case QF_NONE:
        f->child = hoist(p, f->child, depth + 1, false);
        return f;
    case QF_OP:
        return f;
    case QF_FIELD:
        break;
    }
    qfilter_t *c = hoist(p, f->child, depth + 1, true);
    if (is_logical(c) && c->empty_object) {
        f->child = NULL;
        return f;
    }
    if (!is_logical(c)) {
        f->child = c;
        return f;
    }
    qfilter_t *l = node(p, c->kind);
    l->hoisted_deep = c->hoisted_deep || under_field;
    l->kids = arena_calloc(p->a, c->nkids ? c->nkids : 1, sizeof *l->kids);
    for (size_t i = 0; i < c->nkids; i++) {
        qfilter_t *k = node(p, QF_FIELD);
        k->key = f->key;
        k->child = c->kids[i];
        l->kids[l->nkids++] = hoist(p, k, depth + 1, under_field);
    }
    return l;
}

/* ---- validateFilter ----------------------------------------------------------------------- */

static int vfail(pctx_t *p, const char *fmt, str_t key)
{
    p->failed = true;
    char *reason = arena_printf(p->a, fmt, (int)key.n, key.p);
    return err_invalid_query(p->e, p->a, reason);
}

static int validate_primitive(pctx_t *p, const qval_t *v, str_t key)
{
    switch (v->kind) {
    case QV_NULL:
    case QV_BOOL:
    case QV_DATE:
        return 0;
    case QV_NUMBER:
        if (isnan(v->num) || v->num > 9007199254740991.0)
            return vfail(p, "The filter value for \"%.*s\" is not a valid number", key);
        return 0;
    case QV_STRING:
        if (v->s.n == 0)
            return vfail(p,
                         "You can't filter for an empty string in \"%.*s\". Use \"_empty\" or "
                         "\"_nempty\" instead",
                         key);
        return 0;
    default:
        return vfail(p, "The filter value for \"%.*s\" has to be a string, number, or boolean",
                     key);
    }
}

static bool geojson_like(const qval_t *v)
{
    if (v->kind != QV_OBJECT ||
        json_object_get_type((struct json_object *)v->json) != json_type_object)
        return false;
    struct json_object *type;
    return json_object_object_get_ex((struct json_object *)v->json, "type", &type) &&
           jsval_is_string(type);
}

static int validate_op(pctx_t *p, const qfilter_t *f)
{
    const qval_t *v = &f->val;
    if (is_list_op(f->op)) {
        if (v->kind != QV_LIST || v->n == 0)
            return vfail(p, "\"%.*s\" has to be an array of values", f->key);
        return 0;
    }
    switch (f->op) {
    case QOP_NULL:
    case QOP_NNULL:
    case QOP_EMPTY:
    case QOP_NEMPTY:
        if (v->kind == QV_NULL || v->kind == QV_BOOL || (v->kind == QV_STRING && v->s.n == 0))
            return 0;
        return vfail(p, "\"%.*s\" has to be a boolean", f->key);
    case QOP_INTERSECTS:
    case QOP_NINTERSECTS:
    case QOP_INTERSECTS_BBOX:
    case QOP_NINTERSECTS_BBOX:
        if (v->kind == QV_NULL || (v->kind == QV_STRING && v->s.n == 0) || geojson_like(v))
            return 0;
        return vfail(p, "\"%.*s\" has to be a valid GeoJSON object", f->key);
    default:
        return validate_primitive(p, v, f->key);
    }
}

static int validate(pctx_t *p, const qfilter_t *f)
{
    if (!f)
        return 0;
    switch (f->kind) {
    case QF_AND:
    case QF_OR:
        for (size_t i = 0; i < f->nkids; i++)
            if (validate(p, f->kids[i]) < 0)
                return -1;
        return 0;
    case QF_FIELD:
    case QF_SOME:
    case QF_NONE:
        return validate(p, f->child);
    case QF_OP:
        return validate_op(p, f);
    }
    return 0;
}

int qfilter_parse(arena_t *a, err_t *e, const qfilter_env_t *env, const struct json_object *raw,
                  int max_depth, qfilter_t **out)
{
    pctx_t p = {.a = a, .e = e, .env = env, .max_depth = max_depth};
    *out = NULL;
    qfilter_t *f = parse_recursive(&p, raw, 0);
    if (p.failed)
        return -1;
    *out = hoist(&p, f, 0, false);
    return 0;
}

int qfilter_validate(arena_t *a, err_t *e, const qfilter_t *f)
{
    pctx_t p = {.a = a, .e = e};
    /* validateQuery only looks at a filter with at least one key. */
    if (!f || (f->kind == QF_AND && f->empty_object))
        return 0;
    return validate(&p, f);
}

/* ---- depth and paths ---------------------------------------------------------------------- */

static int json_depth(const struct json_object *j, int guard)
{
    struct json_object *o = (struct json_object *)j;
    json_type t = json_object_get_type(o);
    if (guard > 256 || (t != json_type_object && t != json_type_array))
        return 0;
    int best = 0;
    if (t == json_type_array) {
        size_t n = json_object_array_length(o);
        for (size_t i = 0; i < n; i++) {
            int d = json_depth(json_object_array_get_idx(o, i), guard + 1);
            best = d > best ? d : best;
        }
        return best;
    }
    json_object_object_foreach(o, key, val)
    {
        json_type vt = json_object_get_type(val);
        if (vt != json_type_object && vt != json_type_array)
            continue;
        int d = json_depth(val, guard + 1) + (key[0] != '_');
        best = d > best ? d : best;
    }
    return best;
}

int qfilter_depth(const qfilter_t *f)
{
    if (!f)
        return 0;
    int best = 0;
    switch (f->kind) {
    case QF_AND:
    case QF_OR:
        for (size_t i = 0; i < f->nkids; i++) {
            int d = qfilter_depth(f->kids[i]);
            best = d > best ? d : best;
        }
        return best;
    case QF_FIELD:
        /* A field key counts when a plain object or array sits below it. */
        return f->child ? qfilter_depth(f->child) + 1 : 1;
    case QF_SOME:
    case QF_NONE:
        return qfilter_depth(f->child);
    case QF_OP:
        return f->val.kind == QV_OBJECT ? json_depth(f->val.json, 0) : 0;
    }
    return 0;
}

typedef struct {
    const qfilter_t *f;
    str_t *path;
    size_t n;
} frame_t;

static bool same_path(const str_t *a, size_t na, const str_t *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (!str_eq(a[i], b[i]))
            return false;
    return true;
}

size_t qfilter_paths(arena_t *a, const qfilter_t *f, str_t ***paths, size_t **lens)
{
    size_t cap = 16, n = 0, scap = 16, sp = 0;
    str_t **out = arena_alloc(a, cap * sizeof *out);
    size_t *outn = arena_alloc(a, cap * sizeof *outn);
    frame_t *stack = arena_alloc(a, scap * sizeof *stack);
    if (f)
        stack[sp++] = (frame_t){f, NULL, 0};
    while (sp) {
        frame_t fr = stack[--sp];
        const qfilter_t *x = fr.f;
        size_t nkids = 0;
        const qfilter_t *const *kids = NULL;
        str_t step = STR_NULL;
        if (x->kind == QF_OP) {
            /* Record the path without its operator parts. */
            str_t *parts = arena_alloc(a, (fr.n ? fr.n : 1) * sizeof *parts);
            size_t m = 0;
            for (size_t i = 0; i < fr.n; i++)
                if (!(fr.path[i].n && fr.path[i].p[0] == '_'))
                    parts[m++] = fr.path[i];
            bool dup = m == 0;
            for (size_t i = 0; i < n && !dup; i++)
                dup = same_path(out[i], outn[i], parts, m);
            if (dup)
                continue;
            if (n == cap) {
                out = arena_realloc(a, out, cap * sizeof *out, cap * 2 * sizeof *out);
                outn = arena_realloc(a, outn, cap * sizeof *outn, cap * 2 * sizeof *outn);
                cap *= 2;
            }
            out[n] = parts;
            outn[n++] = m;
            continue;
        }
        if (x->kind == QF_AND || x->kind == QF_OR) {
            kids = (const qfilter_t *const *)x->kids;
            nkids = x->nkids;
            step = x->kind == QF_AND ? STR("_and") : STR("_or");
        } else {
            kids = (const qfilter_t *const *)&x->child;
            nkids = x->child ? 1 : 0;
            step = x->kind == QF_FIELD ? x->key : (x->kind == QF_SOME ? STR("_some") : STR("_none"));
        }
        if (!nkids)
            continue;
        str_t *path = arena_alloc(a, (fr.n + 1) * sizeof *path);
        if (fr.n)
            memcpy(path, fr.path, fr.n * sizeof *path);
        path[fr.n] = step;
        for (size_t i = 0; i < nkids; i++) {
            if (sp == scap) {
                stack = arena_realloc(a, stack, scap * sizeof *stack, scap * 2 * sizeof *stack);
                scap *= 2;
            }
            stack[sp++] = (frame_t){kids[i], path, fr.n + 1};
        }
    }
    *paths = out;
    *lens = outn;
    return n;
}
