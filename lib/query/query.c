/*
 * sanitizeQuery and validateQuery of Directus 11.3.5 over json-c values. Sanitizing may fail
 * at once (a filter that is not JSON); validation collects Joi's first error, runs the filter,
 * alias and depth checks, and only then reports Joi's error, as validateQuery does. Where
 * Directus would crash with a TypeError on a malformed parameter (`fields[0][x]=1`, `meta[a]=b`)
 * the answer here is the 400 Joi would have given, never a 500. The one exception is an aggregate
 * string that is not a JSON object: every caller gets Directus's 500 there (err_js), since
 * sanitizeAggregate itself throws before any validation runs.
 */
#include "lib/query/query.h"

#include <math.h>
#include <string.h>

#include "lib/core/buf.h"
#include "lib/core/json.h"
#include "lib/core/jsonparse.h"
#include "lib/query/jsval.h"

/* JSON nesting accepted in filter/deep/alias/aggregate strings (V8 has no limit, but nothing
 * Directus accepts comes near it). */
#define JSON_MAX_DEPTH 256
/* Filter nesting (objects and logical operators) accepted. */
#define FILTER_MAX_DEPTH 200

typedef struct {
    arena_t *a;
    err_t *e;
    const query_env_t *env;
    bool failed;
    /* Joi's first error (reported after the other checks) and the position of its key in Joi's
     * schema, which decides between errors of several keys. */
    const char *joi;
    int joi_pos;
    bool filter_null; /* filter parsed to null: Joi's "filter" must be of type object */
} qctx_t;

query_env_t query_env(const conf_t *conf)
{
    query_env_t env = {
        .limit_default = conf ? conf->query_limit_default : 100,
        .limit_max = conf ? conf->query_limit_max : CONF_UNLIMITED,
        .max_relational_depth = conf ? conf->max_relational_depth : 10,
    };
    return env;
}

static const struct json_object *get(const struct json_object *o, const char *key, bool *present)
{
    struct json_object *v = NULL;
    bool has = json_object_get_type((struct json_object *)o) == json_type_object &&
               json_object_object_get_ex((struct json_object *)o, key, &v);
    if (present)
        *present = has;
    return has ? v : NULL;
}

static int fail_reason(qctx_t *c, const char *reason)
{
    c->failed = true;
    return err_invalid_query(c->e, c->a, reason);
}

/* Keys in the order of validate-query's Joi schema. */
enum { J_FIELDS = 1, J_GROUP, J_SORT, J_FILTER, J_LIMIT, J_OFFSET, J_PAGE, J_META, J_SEARCH,
       J_EXPORT, J_VERSION, J_AGGREGATE = 13 };

static void joi(qctx_t *c, int pos, const char *msg)
{
    if (!c->joi || pos < c->joi_pos) {
        c->joi = msg;
        c->joi_pos = pos;
    }
}

/* ---- string lists ------------------------------------------------------------------------- */

typedef struct {
    str_t *v;
    size_t n, cap;
} vec_t;

static void vec_push(arena_t *a, vec_t *v, str_t s)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        v->v = arena_realloc(a, v->v, v->cap * sizeof *v->v, cap * sizeof *v->v);
        v->cap = cap;
    }
    v->v[v->n++] = s;
}

static void split_push(arena_t *a, vec_t *v, str_t s)
{
    size_t start = 0;
    for (size_t i = 0; i <= s.n; i++) {
        if (i == s.n || s.p[i] == ',') {
            vec_push(a, v, jsval_trim((str_t){s.p + start, i - start}));
            start = i + 1;
        }
    }
}

static bool has_comma(str_t s)
{
    return str_index(s, ',') >= 0;
}

/*
 * sanitizeFields (split_items: array items holding commas are split too) and sanitizeSort. A
 * string splits on ','; an array is taken item by item; anything else gives an empty list. An
 * item that is not a string makes Directus throw; here it is Joi's "must be a string".
 */
static query_list_t string_list(qctx_t *c, const struct json_object *raw, bool split_items,
                                const char *label, int pos)
{
    vec_t v = {0};
    struct json_object *o = (struct json_object *)raw;
    if (jsval_is_string(o)) {
        split_push(c->a, &v, jsval_string(o));
    } else if (json_object_get_type(o) == json_type_array) {
        size_t n = json_object_array_length(o);
        for (size_t i = 0; i < n; i++) {
            struct json_object *el = json_object_array_get_idx(o, i);
            if (!jsval_is_string(el)) {
                joi(c, pos, arena_printf(c->a, "\"%s[%zu]\" must be a string", label, i));
                continue;
            }
            str_t s = jsval_string(el);
            if (split_items && has_comma(s))
                split_push(c->a, &v, s);
            else
                vec_push(c->a, &v, jsval_trim(s));
        }
    }
    return (query_list_t){v.v, v.n};
}

/* ---- aggregate ---------------------------------------------------------------------------- */

static const struct {
    const char *name;
    query_agg_op_t op;
} agg_ops[] = {
    {"count", QUERY_AGG_COUNT},
    {"countDistinct", QUERY_AGG_COUNT_DISTINCT},
    {"countAll", QUERY_AGG_COUNT_ALL},
    {"sum", QUERY_AGG_SUM},
    {"sumDistinct", QUERY_AGG_SUM_DISTINCT},
    {"avg", QUERY_AGG_AVG},
    {"avgDistinct", QUERY_AGG_AVG_DISTINCT},
    {"min", QUERY_AGG_MIN},
    {"max", QUERY_AGG_MAX},
};

static query_agg_op_t agg_op(const char *name)
{
    for (size_t i = 0; i < sizeof agg_ops / sizeof agg_ops[0]; i++)
        if (strcmp(agg_ops[i].name, name) == 0)
            return agg_ops[i].op;
    return QUERY_AGG_UNKNOWN;
}

/* A JSON text parameter (aggregate, deep, alias): parsed when it is JSON, else kept as is
 * (Directus logs a warning and carries on with the string). */
static const struct json_object *maybe_json(qctx_t *c, const struct json_object *raw)
{
    if (!jsval_is_string(raw))
        return raw;
    str_t s = jsval_string(raw);
    struct json_object *v;
    if (jsonparse(c->a, s.p, s.n, 0, JSON_MAX_DEPTH, &v, NULL) < 0)
        return raw;
    return v;
}

static void sanitize_aggregate(qctx_t *c, const struct json_object *raw, query_t *q)
{
    const struct json_object *agg = maybe_json(c, raw);
    q->has_aggregate = true;
    if (jsval_is_string(agg) && jsval_string(agg).n) {
        /* sanitizeAggregate walks Object.entries of the string (not JSON, or a JSON string) and
         * assigns to its first index: a TypeError in strict mode. */
        str_t s = jsval_string(agg);
        c->failed = true;
        err_js(c->e, c->a, "Cannot assign to read only property '0' of string '%.*s'", (int)s.n,
               s.p);
        return;
    }
    if (json_object_get_type((struct json_object *)agg) != json_type_object) {
        joi(c, J_AGGREGATE, "\"aggregate\" must be of type object");
        return;
    }
    size_t n = (size_t)json_object_object_length((struct json_object *)agg), i = 0;
    q->aggregate = arena_calloc(c->a, n ? n : 1, sizeof *q->aggregate);
    json_object_object_foreach((struct json_object *)agg, key, val)
    {
        query_agg_t *g = &q->aggregate[i++];
        g->name = str_c(key);
        g->op = agg_op(key);
        vec_t v = {0};
        if (jsval_is_string(val)) {
            /* split(',') without trimming */
            str_t s = jsval_string(val);
            size_t start = 0;
            for (size_t k = 0; k <= s.n; k++)
                if (k == s.n || s.p[k] == ',') {
                    vec_push(c->a, &v, (str_t){s.p + start, k - start});
                    start = k + 1;
                }
        } else if (json_object_get_type(val) == json_type_array) {
            size_t m = json_object_array_length(val);
            for (size_t k = 0; k < m; k++)
                vec_push(c->a, &v, jsval_str(c->a, json_object_array_get_idx(val, k)));
        }
        g->fields = (query_list_t){v.v, v.n};
    }
    q->naggregate = i;
}

/* ---- filter ------------------------------------------------------------------------------- */

static int sanitize_filter(qctx_t *c, const struct json_object *raw, qfilter_t **out)
{
    const struct json_object *f = raw;
    if (jsval_is_string(raw)) {
        str_t s = jsval_string(raw);
        struct json_object *v;
        if (jsonparse(c->a, s.p, s.n, 0, JSON_MAX_DEPTH, &v, NULL) < 0)
            return fail_reason(c, "Invalid JSON for filter object");
        f = v;
    }
    if (qfilter_parse(c->a, c->e, &c->env->vars, f, FILTER_MAX_DEPTH, out) < 0) {
        c->failed = true;
        return -1;
    }
    return 0;
}

/* ---- meta --------------------------------------------------------------------------------- */

static void meta_push(qctx_t *c, query_t *q, size_t *cap, str_t s, size_t idx)
{
    query_meta_t m;
    if (str_eq_c(s, "total_count")) {
        m = QUERY_META_TOTAL_COUNT;
    } else if (str_eq_c(s, "filter_count")) {
        m = QUERY_META_FILTER_COUNT;
    } else {
        joi(c, J_META,
            arena_printf(c->a, "\"meta[%zu]\" must be one of [total_count, filter_count]", idx));
        return;
    }
    if (q->nmeta == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        q->meta = arena_realloc(c->a, q->meta, *cap * sizeof *q->meta, ncap * sizeof *q->meta);
        *cap = ncap;
    }
    q->meta[q->nmeta++] = m;
}

static void sanitize_meta(qctx_t *c, const struct json_object *raw, query_t *q)
{
    size_t cap = 0;
    struct json_object *o = (struct json_object *)raw;
    if (jsval_is_string(o)) {
        str_t s = jsval_string(o);
        if (str_eq_c(s, "*")) {
            meta_push(c, q, &cap, STR("total_count"), 0);
            meta_push(c, q, &cap, STR("filter_count"), 1);
            return;
        }
        size_t start = 0, idx = 0;
        for (size_t i = 0; i <= s.n; i++)
            if (i == s.n || s.p[i] == ',') {
                meta_push(c, q, &cap, (str_t){s.p + start, i - start}, idx++);
                start = i + 1;
            }
        return;
    }
    if (json_object_get_type(o) != json_type_array) {
        joi(c, J_META, "\"meta\" must be an array");
        return;
    }
    size_t n = json_object_array_length(o);
    for (size_t i = 0; i < n; i++) {
        struct json_object *el = json_object_array_get_idx(o, i);
        meta_push(c, q, &cap, jsval_is_string(el) ? jsval_string(el) : STR(""), i);
    }
}

/* ---- deep --------------------------------------------------------------------------------- */

static int sanitize(qctx_t *c, const struct json_object *raw, bool url_defaults, query_t *q);

static query_deep_t *deep_child(arena_t *a, query_deep_t *d, str_t key)
{
    for (size_t i = 0; i < d->nkids; i++)
        if (str_eq(d->kids[i].key, key))
            return &d->kids[i];
    /* Children are few; grow one by one (pointers into kids are not kept across calls). */
    d->kids = arena_realloc(a, d->kids, d->nkids * sizeof *d->kids, (d->nkids + 1) * sizeof *d->kids);
    query_deep_t *k = &d->kids[d->nkids++];
    memset(k, 0, sizeof *k);
    k->key = key;
    return k;
}

static query_deep_t *deep_at(arena_t *a, query_deep_t *root, const str_t *path, size_t n)
{
    query_deep_t *d = root;
    for (size_t i = 0; i < n; i++)
        d = deep_child(a, d, path[i]);
    return d;
}

static int deep_level(qctx_t *c, query_deep_t *root, const struct json_object *level, str_t *path,
                      size_t depth)
{
    if (depth > 64)
        return 0;
    struct json_object *sub = json_object_new_object();
    json_own(c->a, sub);
    json_object_object_foreach((struct json_object *)level, key, val)
    {
        if (!key[0])
            break; /* `if (!key) break;` */
        if (key[0] == '_') {
            json_object_object_add(sub, key + 1, json_object_get(val));
        } else if (json_object_get_type(val) == json_type_object) {
            path[depth] = str_c(key);
            if (deep_level(c, root, val, path, depth + 1) < 0)
                return -1;
        }
    }
    if (json_object_object_length(sub) == 0 || depth == 0)
        return 0; /* lodash set() with an empty path changes nothing */
    query_t *q = arena_calloc(c->a, 1, sizeof *q);
    qctx_t inner = {.a = c->a, .e = c->e, .env = c->env};
    if (sanitize(&inner, sub, false, q) < 0) {
        c->failed = true;
        return -1;
    }
    deep_at(c->a, root, path, depth)->q = q;
    return 0;
}

static void sanitize_deep(qctx_t *c, const struct json_object *raw, query_t *q)
{
    const struct json_object *deep = maybe_json(c, raw);
    if (json_object_get_type((struct json_object *)deep) != json_type_object)
        return;
    query_deep_t *root = arena_calloc(c->a, 1, sizeof *root);
    str_t path[65];
    if (deep_level(c, root, deep, path, 0) < 0)
        return;
    q->deep = root;
}

/* ---- alias -------------------------------------------------------------------------------- */

static void sanitize_alias(qctx_t *c, const struct json_object *raw, query_t *q,
                           const struct json_object **kept)
{
    const struct json_object *alias = maybe_json(c, raw);
    q->has_alias = true;
    *kept = alias;
    if (json_object_get_type((struct json_object *)alias) != json_type_object)
        return;
    size_t n = (size_t)json_object_object_length((struct json_object *)alias), i = 0;
    q->alias = arena_calloc(c->a, n ? n : 1, sizeof *q->alias);
    json_object_object_foreach((struct json_object *)alias, key, val)
    {
        if (!jsval_is_string(val))
            continue;
        q->alias[i].name = str_c(key);
        q->alias[i].field = jsval_string(val);
        i++;
    }
    q->nalias = i;
}

/* validateAlias (top level only). */
static int validate_alias(qctx_t *c, const struct json_object *alias)
{
    if (json_object_get_type((struct json_object *)alias) != json_type_object)
        return fail_reason(c, "\"alias\" has to be an object");
    json_object_object_foreach((struct json_object *)alias, key, val)
    {
        if (!jsval_is_string(val))
            return fail_reason(c, "\"alias\" value has to be a string. \"string\" given");
        if (strchr(key, '.') || str_index(jsval_string(val), '.') >= 0)
            return fail_reason(c, "\"alias\" key/value can't contain a period character `.`");
    }
    return 0;
}

/* ---- sanitizeQuery ------------------------------------------------------------------------ */

static bool has_max_limit(const query_env_t *env)
{
    return env->limit_max != CONF_UNLIMITED && env->limit_max >= 0;
}

static void sanitize_limit(qctx_t *c, const struct json_object *raw, query_t *q)
{
    bool present;
    const struct json_object *limit = get(raw, "limit", &present);
    if (present) {
        if (!limit) /* null: sanitizeLimit returns null, no limit is set */
            return;
        double d = jsval_number(c->a, limit);
        if (d == -1 && has_max_limit(c->env))
            d = (double)c->env->limit_max;
        q->has_limit = true;
        q->limit = d;
    } else if (has_max_limit(c->env)) {
        int64_t l = c->env->limit_default < c->env->limit_max ? c->env->limit_default
                                                                : c->env->limit_max;
        q->has_limit = true;
        q->limit = (double)l;
    }
}

static void sanitize_export(qctx_t *c, const struct json_object *v, query_t *q)
{
    static const struct {
        const char *name;
        query_export_t fmt;
    } formats[] = {{"csv", QUERY_EXPORT_CSV},
                   {"json", QUERY_EXPORT_JSON},
                   {"xml", QUERY_EXPORT_XML},
                   {"yaml", QUERY_EXPORT_YAML}};
    str_t s = jsval_string(v);
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (s.p && str_eq_c(s, formats[i].name)) {
            q->export_format = formats[i].fmt;
            return;
        }
    joi(c, J_EXPORT, "\"export\" must be one of [csv, json, xml, yaml]");
}

static int sanitize(qctx_t *c, const struct json_object *raw, bool url_defaults, query_t *q)
{
    memset(q, 0, sizeof *q);
    const struct json_object *fields = get(raw, "fields", NULL);
    sanitize_limit(c, raw, q);
    if (url_defaults && !jsval_truthy(fields)) {
        struct json_object *star = json_object_new_string("*");
        json_own(c->a, star);
        fields = star;
    }
    if (jsval_truthy(fields)) {
        q->has_fields = true;
        q->fields = string_list(c, fields, true, "fields", J_FIELDS);
    }
    const struct json_object *v;
    if (jsval_truthy(v = get(raw, "groupBy", NULL))) {
        q->has_group = true;
        q->group = string_list(c, v, true, "group", J_GROUP);
    }
    if (jsval_truthy(v = get(raw, "aggregate", NULL))) {
        sanitize_aggregate(c, v, q);
        if (c->failed)
            return -1;
    }
    if (jsval_truthy(v = get(raw, "sort", NULL))) {
        q->has_sort = true;
        q->sort = string_list(c, v, false, "sort", J_SORT);
    }
    if (jsval_truthy(v = get(raw, "filter", NULL))) {
        if (sanitize_filter(c, v, &q->filter) < 0)
            return -1;
        c->filter_null = q->filter == NULL;
    }
    bool present;
    v = get(raw, "offset", &present);
    if (present) {
        q->has_offset = true;
        q->offset = jsval_number(c->a, v);
    }
    if (jsval_truthy(v = get(raw, "page", NULL))) {
        q->has_page = true;
        q->page = jsval_number(c->a, v);
    }
    if (jsval_truthy(v = get(raw, "meta", NULL)))
        sanitize_meta(c, v, q);
    if (jsval_truthy(v = get(raw, "search", NULL)) && jsval_is_string(v)) {
        q->has_search = true;
        q->search = jsval_string(v);
    }
    if (jsval_truthy(v = get(raw, "version", NULL))) {
        q->has_version = true;
        if (jsval_is_string(v))
            q->version = jsval_string(v);
        else
            joi(c, J_VERSION, "\"version\" must be a string");
    }
    if (jsval_truthy(v = get(raw, "export", NULL)))
        sanitize_export(c, v, q);
    if (jsval_truthy(v = get(raw, "deep", NULL))) {
        sanitize_deep(c, v, q);
        if (c->failed)
            return -1;
    }
    return 0;
}

/* ---- validateQuery ------------------------------------------------------------------------ */

/* Joi's number(): base and infinity checks, then safe range, integer, min, max. */
static void joi_number(qctx_t *c, int pos, const char *label, double d, double min, double max)
{
    const char *m = NULL;
    if (isinf(d))
        m = "cannot be infinity";
    else if (isnan(d))
        m = "must be a number";
    else if (!jsval_is_safe(d))
        m = "must be a safe number";
    else if (!jsval_is_integer(d))
        m = "must be an integer";
    if (m) {
        joi(c, pos, arena_printf(c->a, "\"%s\" %s", label, m));
        return;
    }
    if (d < min)
        joi(c, pos, arena_printf(c->a, "\"%s\" must be greater than or equal to %.0f", label, min));
    else if (!isnan(max) && d > max)
        joi(c, pos, arena_printf(c->a, "\"%s\" must be less than or equal to %.0f", label, max));
}

static size_t count_parts(str_t s)
{
    size_t n = 1;
    for (size_t i = 0; i < s.n; i++)
        n += s.p[i] == '.';
    return n;
}

/* calculateFieldDepth over a sanitized deep tree (_sort counted by its dot paths). */
static int deep_depth(const query_deep_t *d)
{
    int best = 0;
    if (d->q) {
        int f = qfilter_depth(d->q->filter);
        best = f > best ? f : best;
        for (size_t i = 0; i < d->q->sort.n; i++) {
            int s = (int)count_parts(d->q->sort.v[i]);
            best = s > best ? s : best;
        }
        if (d->q->naggregate && best < 1)
            best = 1;
    }
    for (size_t i = 0; i < d->nkids; i++) {
        int k = deep_depth(&d->kids[i]) + 1;
        best = k > best ? k : best;
    }
    return best;
}

static int validate_depth(qctx_t *c, const query_t *q)
{
    size_t max = c->env->max_relational_depth > 2 ? (size_t)c->env->max_relational_depth : 2;
    query_list_t fields = q->has_fields ? q->fields : (query_list_t){0};
    bool agg_keys = q->has_aggregate && q->naggregate > 0;
    if (agg_keys)
        fields = (query_list_t){0};
    if (q->has_group)
        fields = q->group;
    for (size_t i = 0; i < fields.n; i++)
        if (count_parts(fields.v[i]) > max)
            return fail_reason(c, "Max relational depth exceeded");
    if (q->filter && (size_t)qfilter_depth(q->filter) > max)
        return fail_reason(c, "Max relational depth exceeded");
    for (size_t i = 0; i < q->sort.n; i++)
        if (count_parts(q->sort.v[i]) > max)
            return fail_reason(c, "Max relational depth exceeded");
    if (q->deep && (size_t)deep_depth(q->deep) > max)
        return fail_reason(c, "Max relational depth exceeded");
    return 0;
}

static void joi_scalars(qctx_t *c, const query_t *q)
{
    if (c->filter_null)
        joi(c, J_FILTER, "\"filter\" must be of type object");
    double max = has_max_limit(c->env) ? (double)c->env->limit_max : NAN;
    if (q->has_limit)
        joi_number(c, J_LIMIT, "limit", q->limit, -1, max);
    if (q->has_offset)
        joi_number(c, J_OFFSET, "offset", q->offset, 0, NAN);
    if (q->has_page)
        joi_number(c, J_PAGE, "page", q->page, 0, NAN);
}

int query_parse(arena_t *a, err_t *e, const query_env_t *env, const struct json_object *raw,
                bool url_defaults, query_t *out)
{
    qctx_t c = {.a = a, .e = e, .env = env};
    if (sanitize(&c, raw, url_defaults, out) < 0)
        return -1;
    const struct json_object *alias = NULL, *v;
    if (jsval_truthy(v = get(raw, "alias", NULL)))
        sanitize_alias(&c, v, out, &alias);
    /* Joi walks its schema in order (fields, group, sort, filter, limit, offset, page, meta,
     * search, export, version, aggregate, deep, alias); joi() keeps the earliest key's error. */
    joi_scalars(&c, out);
    if (qfilter_validate(a, e, out->filter) < 0)
        return -1;
    if (alias && validate_alias(&c, alias) < 0)
        return -1;
    if (validate_depth(&c, out) < 0)
        return -1;
    if (c.joi)
        return fail_reason(&c, c.joi);
    return 0;
}

const query_deep_t *query_deep_get(const query_deep_t *d, str_t key)
{
    if (!d)
        return NULL;
    for (size_t i = 0; i < d->nkids; i++)
        if (str_eq(d->kids[i].key, key))
            return &d->kids[i];
    return NULL;
}

str_t query_alias_target(const query_t *q, str_t name)
{
    for (size_t i = 0; q && i < q->nalias; i++)
        if (str_eq(q->alias[i].name, name))
            return q->alias[i].field;
    return STR_NULL;
}
