/*
 * The SQL compiler. The conditions are those of Directus's applyFilterToQuery (including its
 * NULL handling: _neq/_nin/_ncontains drop NULL rows, _empty is "IS NULL OR = ''", LIKE values
 * unescaped); relational conditions go through a key subquery so rows never multiply; m2o and
 * a2o nodes are LEFT JOINs; sorting through an o2m takes the first related row in sort order,
 * as Directus's row_number() window does.
 */
#include "lib/sql/compile.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib/core/buf.h"
#include "lib/query/jsval.h"
#include "lib/sql/dialect.h"

typedef struct {
    arena_t *a;
    err_t *e;
    const plan_t *p;
    const sql_dialect_t *d;
    unsigned sub; /* subquery alias counter */
    bool failed;
} cc_t;

/* A table reference: alias prefix + number, and the collection it holds. */
typedef struct {
    char prefix;
    unsigned id;
    const schema_collection_t *coll;
} ref_t;

static int fail(cc_t *c, const char *reason)
{
    c->failed = true;
    return err_invalid_query(c->e, c->a, reason);
}

/* A value PostgreSQL refuses for its column (a uuid that is none, "abc" or 1.5 for an integer, an
 * unparsable date): Directus binds it as it is, the query fails, and it answers 500 (the SQL text
 * for admins, which is not reproduced here). */
static void pg_refuses(cc_t *c)
{
    c->failed = true;
    err_set(c->e, c->a, ERR_INTERNAL_SERVER_ERROR, NULL);
}

static void col(sqlbuf_t *b, ref_t r, const schema_field_t *f)
{
    sqlbuf_col(b, r.prefix, r.id, f->name);
}

static ref_t join_ref(const plan_join_t *j)
{
    return (ref_t){'j', j->id, j->coll};
}

/* ---- expressions ------------------------------------------------------------------------- */

static bool filter(cc_t *c, sqlbuf_t *b, const plan_filter_t *f, ref_t base);

static void count_related(cc_t *c, sqlbuf_t *b, const plan_expr_t *x, ref_t r)
{
    const schema_relation_t *rel = x->count_rel;
    const schema_collection_t *child = schema_collection(c->p->schema, str_c(rel->collection));
    unsigned k = ++c->sub;
    sqlbuf_kw(b, "(SELECT COUNT(*) FROM ");
    sqlbuf_table(b, child ? child->name : rel->collection);
    sqlbuf_kw(b, " AS ");
    sqlbuf_alias(b, 'c', k);
    sqlbuf_kw(b, " WHERE ");
    sqlbuf_col(b, 'c', k, rel->field);
    sqlbuf_kw(b, " = ");
    col(b, r, r.coll->primary);
    sqlbuf_t *w = sqlbuf_new(c->a);
    if (child && x->count_rule && filter(c, w, x->count_rule, (ref_t){'c', k, child})) {
        /* Only the related rows the caller may read are counted (the function field's cases). */
        sqlbuf_kw(b, " AND ");
        sqlbuf_append(b, w);
    }
    sqlbuf_kw(b, ")");
}

/* A value expression on table r (or on the join it names). */
static void expr(cc_t *c, sqlbuf_t *b, const plan_expr_t *x, ref_t base)
{
    ref_t r = x->join ? join_ref(x->join) : base;
    if (x->fn == PLAN_FN_NONE) {
        col(b, r, x->field);
        return;
    }
    if (x->fn == PLAN_FN_COUNT && x->count_rel) {
        count_related(c, b, x, r);
        return;
    }
    sqlbuf_t *cb = sqlbuf_new(c->a);
    col(cb, r, x->field);
    if (x->fn == PLAN_FN_COUNT)
        c->d->json_length(b, x->field->db_type, cb);
    else
        c->d->date_part(b, x->fn, x->field->type, cb);
}

/* ---- values ------------------------------------------------------------------------------ */

static bool valid_utf8(str_t s)
{
    size_t i = 0;
    while (i < s.n) {
        unsigned char ch = (unsigned char)s.p[i];
        if (ch == 0)
            return false;
        if (ch < 0x80) {
            i++;
            continue;
        }
        size_t len = (ch & 0xE0) == 0xC0 ? 2 : (ch & 0xF0) == 0xE0 ? 3 : (ch & 0xF8) == 0xF0 ? 4 : 0;
        if (!len || i + len > s.n || ch == 0xC0 || ch == 0xC1 || ch > 0xF4)
            return false;
        for (size_t k = 1; k < len; k++)
            if (((unsigned char)s.p[i + k] & 0xC0) != 0x80)
                return false;
        i += len;
    }
    return true;
}

static bool valid_time(str_t s)
{
    /* HH:MM[:SS[.fraction]] */
    if (s.n < 5 || s.p[2] != ':')
        return false;
    for (size_t i = 0; i < s.n; i++) {
        char ch = s.p[i];
        if (!((ch >= '0' && ch <= '9') || ch == ':' || ch == '.'))
            return false;
    }
    return true;
}

static str_t iso_date(cc_t *c, int64_t ms, bool mysql)
{
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rest = ms - days * 86400000;
    /* civil from days */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    unsigned h = (unsigned)(rest / 3600000), mi = (unsigned)(rest / 60000 % 60),
             s = (unsigned)(rest / 1000 % 60), f = (unsigned)(rest % 1000);
    const char *txt =
        mysql ? arena_printf(c->a, "%04lld-%02u-%02u %02u:%02u:%02u.%03u", (long long)y, m, d, h,
                             mi, s, f)
              : arena_printf(c->a, "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ", (long long)y, m, d, h,
                             mi, s, f);
    return str_c(txt);
}

static bool is_date_type(schema_type_t t)
{
    return t == SCHEMA_TYPE_DATE || t == SCHEMA_TYPE_DATETIME || t == SCHEMA_TYPE_TIMESTAMP;
}

/* A MySQL FLOAT (single precision) column, as opposed to DOUBLE. */
static bool mysql_single(const pfilter_t *cond)
{
    const char *t = cond->expr.field->db_type;
    return t && strncmp(t, "float", 5) == 0;
}

/* helpers.date.parse on SQLite: dates are compared as epoch milliseconds (as text), times as
 * they are; the other databases take the text (and a $NOW as an ISO date). */
static qval_t sqlite_date(cc_t *c, qval_t v)
{
    switch (v.kind) {
    case QV_NULL:
    case QV_UNDEFINED:
        return v;
    case QV_BOOL:
        if (!v.b)
            return v;
        return (qval_t){.kind = QV_STRING, .s = STR("1")};
    case QV_NUMBER:
        if (v.num == 0 || isnan(v.num))
            return v;
        break;
    case QV_STRING:
        if (v.s.n == 0 || (v.s.n <= 8 && str_index(v.s, ':') >= 0))
            return v;
        break;
    default:
        break;
    }
    double ms = v.kind == QV_DATE     ? (double)v.ms
                : v.kind == QV_STRING ? jsval_date_parse(v.s)
                : v.kind == QV_NUMBER ? (fabs(v.num) <= 8.64e15 ? trunc(v.num) : NAN)
                                      : NAN;
    buf_t b;
    buf_init(&b, c->a, 24);
    jsval_number_str(&b, ms);
    return (qval_t){.kind = QV_STRING, .s = buf_slice(&b)};
}

static bool is_date_or_time(schema_type_t t)
{
    return t == SCHEMA_TYPE_DATE || t == SCHEMA_TYPE_DATETIME || t == SCHEMA_TYPE_TIMESTAMP ||
           t == SCHEMA_TYPE_TIME;
}

static void param_value(cc_t *c, sqlbuf_t *b, const qval_t *v, const pfilter_t *cond);

/* The parameter for one value compared with a condition's expression. */
static void param(cc_t *c, sqlbuf_t *b, const qval_t *v, const pfilter_t *cond)
{
    if (c->d->id == DB_SQLITE && cond && cond->expr.fn == PLAN_FN_NONE &&
        is_date_or_time(cond->type)) {
        qval_t x = sqlite_date(c, *v);
        param_value(c, b, &x, cond);
        return;
    }
    param_value(c, b, v, cond);
}

static void param_value(cc_t *c, sqlbuf_t *b, const qval_t *v, const pfilter_t *cond)
{
    bool pg = c->d->id == DB_PG;
    schema_type_t t = cond ? cond->type : SCHEMA_TYPE_UNKNOWN;
    bool plain = cond && cond->expr.fn == PLAN_FN_NONE;
    switch (v->kind) {
    case QV_NULL:
    case QV_UNDEFINED:
        sqlbuf_param(b, (db_value_t){.type = DB_NULL});
        return;
    case QV_BOOL:
        if (pg)
            sqlbuf_param_text(b, v->b ? STR("true") : STR("false"));
        else
            sqlbuf_param(b, (db_value_t){.type = DB_BOOL, .i = v->b});
        return;
    case QV_NUMBER: {
        double d = v->num;
        bool int_col = plain && (t == SCHEMA_TYPE_INTEGER || t == SCHEMA_TYPE_BIG_INTEGER);
        bool integral = isfinite(d) && floor(d) == d && fabs(d) < 9.2e18;
        bool out_of_range = t == SCHEMA_TYPE_INTEGER && (d > 2147483647.0 || d < -2147483648.0);
        /* node-pg sends String(number): "1.5", "NaN", "1795675347662" are no int4 */
        if (pg && ((int_col && (!integral || out_of_range)) || (plain && is_date_type(t)))) {
            pg_refuses(c);
            return;
        }
        if (!isfinite(d)) {
            sqlbuf_param(b, (db_value_t){.type = DB_NULL});
            return;
        }
        db_value_t pv = integral ? (db_value_t){.type = DB_INT, .i = (int64_t)d}
                                 : (db_value_t){.type = DB_FLOAT, .f = d};
        if (c->d->id == DB_MYSQL && plain && t == SCHEMA_TYPE_FLOAT && mysql_single(cond)) {
            /* A literal is stored into the column's type before MariaDB compares (4.8 becomes
             * the FLOAT(10,5) 4.8); a bound double is not, and 4.8 > FLOAT 4.8. */
            const schema_field_t *f = cond->expr.field;
            sqlbuf_kw(b, "CAST(");
            if (f->numeric_scale != SCHEMA_NONE && f->numeric_scale >= 0) {
                sqlbuf_kw(b, "ROUND(");
                sqlbuf_param(b, pv);
                sqlbuf_kw(b, ", ");
                sqlbuf_param_int(b, f->numeric_scale);
                sqlbuf_kw(b, ")");
            } else {
                sqlbuf_param(b, pv);
            }
            sqlbuf_kw(b, " AS FLOAT)");
            return;
        }
        sqlbuf_param(b, pv);
        return;
    }
    case QV_DATE:
        sqlbuf_param_text(b, iso_date(c, v->ms, c->d->id == DB_MYSQL));
        return;
    case QV_STRING:
        if (pg && !valid_utf8(v->s)) {
            fail(c, "The filter value has to be valid UTF-8 without NUL characters");
            return;
        }
        if (pg && plain &&
            ((is_date_type(t) && isnan(jsval_date_parse(v->s))) ||
             (t == SCHEMA_TYPE_TIME && !valid_time(v->s)) ||
             (t == SCHEMA_TYPE_BOOLEAN))) {
            if (t != SCHEMA_TYPE_BOOLEAN) {
                pg_refuses(c);
                return;
            }
            static const char *const bools[] = {"t", "f", "1", "0", "yes", "no", "on", "off",
                                                "y", "n", "true", "false"};
            bool ok = false;
            for (size_t i = 0; i < sizeof bools / sizeof bools[0] && !ok; i++)
                ok = str_ieq_c(v->s, bools[i]);
            if (!ok) {
                pg_refuses(c);
                return;
            }
        }
        sqlbuf_param_text(b, v->s);
        return;
    case QV_LIST:
    case QV_OBJECT: {
        str_t s = v->kind == QV_OBJECT ? jsval_str(c->a, v->json) : STR("");
        sqlbuf_param_text(b, s);
        return;
    }
    }
}

/* String(value) for LIKE patterns. */
static str_t js_string(cc_t *c, const qval_t *v)
{
    buf_t b;
    switch (v->kind) {
    case QV_STRING:
        return v->s;
    case QV_BOOL:
        return v->b ? STR("true") : STR("false");
    case QV_NULL:
        return STR("null");
    case QV_NUMBER:
        buf_init(&b, c->a, 24);
        jsval_number_str(&b, v->num);
        return buf_slice(&b);
    case QV_DATE:
        return iso_date(c, v->ms, false);
    case QV_OBJECT:
        return jsval_str(c->a, v->json);
    default:
        return STR("undefined");
    }
}

static void like(cc_t *c, sqlbuf_t *b, const pfilter_t *f, ref_t base, bool lower, bool neg,
                 const char *pre, const char *post)
{
    str_t s = js_string(c, &f->val);
    if (lower)
        s = jsval_lower(c->a, s);
    if (c->d->id == DB_PG && !valid_utf8(s)) {
        fail(c, "The filter value has to be valid UTF-8 without NUL characters");
        return;
    }
    if (neg && !lower)
        sqlbuf_kw(b, "NOT ");
    if (lower)
        sqlbuf_kw(b, "LOWER(");
    expr(c, b, &f->expr, base);
    if (lower)
        sqlbuf_kw(b, ")");
    if (neg && lower)
        sqlbuf_kw(b, " NOT LIKE ");
    else
        sqlbuf_kw(b, " LIKE ");
    /* Built by hand, not with printf: the value may hold NUL bytes (MySQL, SQLite keep them). */
    size_t n = strlen(pre) + s.n + strlen(post);
    char *pat = arena_alloc(c->a, n + 1);
    memcpy(pat, pre, strlen(pre));
    memcpy(pat + strlen(pre), s.p, s.n);
    memcpy(pat + strlen(pre) + s.n, post, strlen(post));
    pat[n] = '\0';
    sqlbuf_param_text(b, (str_t){pat, n});
}

/* PostgreSQL uuid columns compared with something that is not a uuid: Directus's query fails
 * (pg_refuses; returns true then). */
static bool uuid_as_text(cc_t *c, const pfilter_t *f)
{
    if (c->d->id != DB_PG || f->expr.fn != PLAN_FN_NONE || !f->expr.field->db_type ||
        strcmp(f->expr.field->db_type, "uuid") != 0)
        return false;
    const qval_t *v = &f->val;
    size_t n = v->kind == QV_LIST ? v->n : 1;
    for (size_t i = 0; i < n; i++) {
        const qval_t *x = v->kind == QV_LIST ? &v->items[i] : v;
        if (x->kind != QV_NULL && x->kind != QV_UNDEFINED &&
            !(x->kind == QV_STRING && str_is_uuid(x->s))) {
            pg_refuses(c);
            return true;
        }
    }
    return false;
}

static void lhs(cc_t *c, sqlbuf_t *b, const pfilter_t *f, ref_t base)
{
    if (uuid_as_text(c, f)) {
        sqlbuf_kw(b, "CAST(");
        expr(c, b, &f->expr, base);
        sqlbuf_kw(b, " AS TEXT)");
        return;
    }
    expr(c, b, &f->expr, base);
}

static void compare(cc_t *c, sqlbuf_t *b, const pfilter_t *f, ref_t base, qop_t op, bool neg)
{
    if (neg)
        sqlbuf_kw(b, "NOT ");
    lhs(c, b, f, base);
    switch (op) {
    case QOP_LT: sqlbuf_kw(b, " < "); break;
    case QOP_LTE: sqlbuf_kw(b, " <= "); break;
    case QOP_GT: sqlbuf_kw(b, " > "); break;
    case QOP_GTE: sqlbuf_kw(b, " >= "); break;
    default: sqlbuf_kw(b, " = "); break;
    }
    param(c, b, &f->val, f);
}

static void in_list(cc_t *c, sqlbuf_t *b, const pfilter_t *f, ref_t base, bool neg)
{
    const qval_t *v = &f->val;
    if (v->kind != QV_LIST) {
        compare(c, b, f, base, QOP_EQ, neg);
        return;
    }
    if (v->n == 0) {
        sqlbuf_kw_if(b, neg, "1 = 1", "1 = 0");
        return;
    }
    lhs(c, b, f, base);
    sqlbuf_kw_if(b, neg, " NOT IN (", " IN (");
    for (size_t i = 0; i < v->n; i++) {
        if (i)
            sqlbuf_kw(b, ", ");
        param(c, b, &v->items[i], f);
    }
    sqlbuf_kw(b, ")");
}

/* Returns false when the condition adds nothing (value undefined, _between without 2 values). */
static bool cond(cc_t *c, sqlbuf_t *b, const pfilter_t *f, ref_t base)
{
    qop_t op = f->op;
    const qval_t *raw = &f->raw;
    bool is_false = raw->kind == QV_BOOL && !raw->b;
    if ((op == QOP_NULL && !is_false) || (op == QOP_NNULL && is_false) ||
        (op == QOP_EQ && raw->kind == QV_NULL)) {
        expr(c, b, &f->expr, base);
        sqlbuf_kw(b, " IS NULL");
        return true;
    }
    if ((op == QOP_NNULL && !is_false) || (op == QOP_NULL && is_false) ||
        (op == QOP_NEQ && raw->kind == QV_NULL)) {
        expr(c, b, &f->expr, base);
        sqlbuf_kw(b, " IS NOT NULL");
        return true;
    }
    if (op == QOP_EMPTY || op == QOP_NEMPTY) {
        bool empty = (op == QOP_EMPTY) != is_false;
        sqlbuf_kw(b, "(");
        expr(c, b, &f->expr, base);
        sqlbuf_kw_if(b, empty, " IS NULL OR ", " IS NOT NULL AND ");
        expr(c, b, &f->expr, base);
        sqlbuf_kw_if(b, empty, " = ", " != ");
        sqlbuf_param_text(b, STR(""));
        sqlbuf_kw(b, ")");
        return true;
    }
    if (raw->kind == QV_UNDEFINED)
        return false;
    switch (op) {
    case QOP_EQ: compare(c, b, f, base, QOP_EQ, false); return true;
    case QOP_NEQ: compare(c, b, f, base, QOP_EQ, true); return true;
    case QOP_LT:
    case QOP_LTE:
    case QOP_GT:
    case QOP_GTE: compare(c, b, f, base, op, false); return true;
    case QOP_CONTAINS: like(c, b, f, base, false, false, "%", "%"); return true;
    case QOP_NCONTAINS: like(c, b, f, base, false, true, "%", "%"); return true;
    case QOP_ICONTAINS: like(c, b, f, base, true, false, "%", "%"); return true;
    case QOP_NICONTAINS: like(c, b, f, base, true, true, "%", "%"); return true;
    case QOP_STARTS_WITH: like(c, b, f, base, false, false, "", "%"); return true;
    case QOP_NSTARTS_WITH: like(c, b, f, base, false, true, "", "%"); return true;
    case QOP_ISTARTS_WITH: like(c, b, f, base, true, false, "", "%"); return true;
    case QOP_NISTARTS_WITH: like(c, b, f, base, true, true, "", "%"); return true;
    case QOP_ENDS_WITH: like(c, b, f, base, false, false, "%", ""); return true;
    case QOP_NENDS_WITH: like(c, b, f, base, false, true, "%", ""); return true;
    case QOP_IENDS_WITH: like(c, b, f, base, true, false, "%", ""); return true;
    case QOP_NIENDS_WITH: like(c, b, f, base, true, true, "%", ""); return true;
    case QOP_IN: in_list(c, b, f, base, false); return true;
    case QOP_NIN: in_list(c, b, f, base, true); return true;
    case QOP_BETWEEN:
    case QOP_NBETWEEN:
        if (f->val.kind != QV_LIST || f->val.n != 2)
            return false;
        lhs(c, b, f, base);
        sqlbuf_kw_if(b, op == QOP_BETWEEN, " BETWEEN ", " NOT BETWEEN ");
        param(c, b, &f->val.items[0], f);
        sqlbuf_kw(b, " AND ");
        param(c, b, &f->val.items[1], f);
        return true;
    default:
        fail(c, "Geometry filters are not supported");
        return false;
    }
}

/* ---- filters and joins ------------------------------------------------------------------- */

static void join_on(cc_t *c, sqlbuf_t *b, const plan_join_t *j, ref_t parent)
{
    ref_t me = join_ref(j);
    const schema_relation_t *r = j->rel;
    switch (j->kind) {
    case SCHEMA_REL_M2O:
        col(b, me, j->coll->primary);
        sqlbuf_kw(b, " = ");
        sqlbuf_col(b, parent.prefix, parent.id, r->field);
        break;
    case SCHEMA_REL_A2O:
        sqlbuf_col(b, parent.prefix, parent.id, r->one_collection_field);
        sqlbuf_kw(b, " = ");
        sqlbuf_param_text(b, str_c(j->coll->name));
        sqlbuf_kw(b, " AND ");
        sqlbuf_col(b, parent.prefix, parent.id, r->field);
        sqlbuf_kw(b, " = CAST(");
        col(b, me, j->coll->primary);
        sqlbuf_kw(b, " AS CHAR(255))");
        break;
    case SCHEMA_REL_NONE: /* o2a */
        sqlbuf_col(b, me.prefix, me.id, r->one_collection_field);
        sqlbuf_kw(b, " = ");
        sqlbuf_param_text(b, str_c(j->from->name));
        sqlbuf_kw(b, " AND ");
        sqlbuf_col(b, me.prefix, me.id, r->field);
        sqlbuf_kw(b, " = CAST(");
        col(b, parent, j->from->primary);
        sqlbuf_kw(b, " AS CHAR(255))");
        break;
    default: /* o2m */
        col(b, parent, j->from->primary);
        sqlbuf_kw(b, " = ");
        sqlbuf_col(b, me.prefix, me.id, r->field);
        break;
    }
    (void)c;
}

static bool to_many(const plan_join_t *j)
{
    return j->kind == SCHEMA_REL_O2M || j->kind == SCHEMA_REL_NONE;
}

static bool chain_to_many(const plan_join_t *j)
{
    for (; j; j = j->parent)
        if (to_many(j))
            return true;
    return false;
}

static ref_t parent_ref(const plan_join_t *j, ref_t base)
{
    return j->parent ? join_ref(j->parent) : base;
}

static void left_join(cc_t *c, sqlbuf_t *b, const plan_join_t *j, ref_t base)
{
    sqlbuf_kw(b, " LEFT JOIN ");
    sqlbuf_table(b, j->coll->name);
    sqlbuf_kw(b, " AS ");
    sqlbuf_alias(b, 'j', j->id);
    sqlbuf_kw(b, " ON ");
    join_on(c, b, j, parent_ref(j, base));
}

static bool tree(cc_t *c, sqlbuf_t *b, const pfilter_t *f, ref_t base);

static bool some_none(cc_t *c, sqlbuf_t *b, const pfilter_t *f, ref_t base)
{
    const schema_relation_t *r = f->rel;
    unsigned k = ++c->sub;
    ref_t sub = {'s', k, f->child};
    if (f->o2a) {
        sqlbuf_kw(b, "CAST(");
        col(b, base, base.coll->primary);
        sqlbuf_kw(b, " AS CHAR(255))");
    } else {
        col(b, base, base.coll->primary);
    }
    sqlbuf_kw_if(b, f->kind == PF_NONE, " NOT IN (SELECT ", " IN (SELECT ");
    sqlbuf_col(b, 's', k, r->field);
    sqlbuf_kw(b, " FROM ");
    sqlbuf_table(b, f->child->name);
    sqlbuf_kw(b, " AS ");
    sqlbuf_alias(b, 's', k);
    for (size_t i = 0; i < f->sub_scope->njoins; i++)
        left_join(c, b, f->sub_scope->joins[i], sub);
    sqlbuf_kw(b, " WHERE ");
    sqlbuf_col(b, 's', k, r->field);
    sqlbuf_kw(b, " IS NOT NULL");
    if (f->sub) {
        sqlbuf_kw(b, " AND ");
        if (!tree(c, b, f->sub, sub))
            sqlbuf_kw(b, "1 = 1");
    }
    sqlbuf_kw(b, ")");
    return true;
}

/* Renders f into b; returns false (and appends nothing) when it adds no condition. */
static bool tree(cc_t *c, sqlbuf_t *b, const pfilter_t *f, ref_t base)
{
    if (f->pg_fails) {
        pg_refuses(c);
        return false;
    }
    switch (f->kind) {
    case PF_COND: {
        sqlbuf_t *x = sqlbuf_new(c->a);
        if (!cond(c, x, f, base))
            return false;
        sqlbuf_append(b, x);
        return true;
    }
    case PF_SOME:
    case PF_NONE:
        return some_none(c, b, f, base);
    case PF_AND:
    case PF_OR: {
        sqlbuf_t *x = sqlbuf_new(c->a);
        size_t n = 0;
        for (size_t i = 0; i < f->nkids; i++) {
            sqlbuf_t *k = sqlbuf_new(c->a);
            if (!tree(c, k, f->kids[i], base))
                continue;
            if (n++)
                sqlbuf_kw_if(x, f->kind == PF_AND, " AND ", " OR ");
            sqlbuf_append(x, k);
        }
        if (!n)
            return false;
        sqlbuf_kw(b, "(");
        sqlbuf_append(b, x);
        sqlbuf_kw(b, ")");
        return true;
    }
    }
    return false;
}

/* A resolved filter on base: plain conditions, or, when it needs joins, a key subquery so the
 * rows of base are never multiplied. Returns false when there is no condition. */
static bool filter(cc_t *c, sqlbuf_t *b, const plan_filter_t *f, ref_t base)
{
    if (!f->root)
        return false;
    if (!f->scope.njoins)
        return tree(c, b, f->root, base);
    unsigned k = ++c->sub;
    ref_t sub = {'s', k, base.coll};
    sqlbuf_t *w = sqlbuf_new(c->a);
    if (!tree(c, w, f->root, sub))
        return false;
    col(b, base, base.coll->primary);
    sqlbuf_kw(b, " IN (SELECT ");
    col(b, sub, base.coll->primary);
    sqlbuf_kw(b, " FROM ");
    sqlbuf_table(b, base.coll->name);
    sqlbuf_kw(b, " AS ");
    sqlbuf_alias(b, 's', k);
    for (size_t i = 0; i < f->scope.njoins; i++)
        left_join(c, b, f->scope.joins[i], sub);
    sqlbuf_kw(b, " WHERE ");
    sqlbuf_append(b, w);
    sqlbuf_kw(b, ")");
    return true;
}

/* ---- search (applySearch) ---------------------------------------------------------------- */

static bool numeric_type(schema_type_t t)
{
    return t == SCHEMA_TYPE_INTEGER || t == SCHEMA_TYPE_BIG_INTEGER || t == SCHEMA_TYPE_FLOAT ||
           t == SCHEMA_TYPE_DECIMAL;
}

/* parseNumericString: the number only when String(Number(s)) gives s back. */
static bool numeric_string(cc_t *c, str_t s, db_value_t *out, double *d)
{
    double v = jsval_str_number(s);
    if (isnan(v) || !isfinite(v))
        return false;
    buf_t b;
    buf_init(&b, c->a, 32);
    if (!jsval_is_safe(v)) {
        /* BigInt(s): an integer literal; String(BigInt) gives its canonical digits. */
        size_t i = s.n && s.p[0] == '-' ? 1 : 0;
        if (i == s.n || (s.p[i] == '0' && s.n > i + 1))
            return false;
        for (size_t k = i; k < s.n; k++)
            if (s.p[k] < '0' || s.p[k] > '9')
                return false;
        if (s.n - i > 19)
            return false;
        *d = v;
        *out = (db_value_t){.type = DB_INT, .i = strtoll(str_dup(c->a, s), NULL, 10)};
        return true;
    }
    jsval_number_str(&b, v);
    if (!str_eq(buf_slice(&b), s))
        return false;
    *d = v;
    *out = jsval_is_integer(v) ? (db_value_t){.type = DB_INT, .i = (int64_t)v}
                               : (db_value_t){.type = DB_FLOAT, .f = v};
    return true;
}

/* number helper isNumberValid: PostgreSQL checks the column's range. */
static bool number_valid(cc_t *c, const schema_field_t *f, double v)
{
    if (c->d->id != DB_PG)
        return true;
    switch (f->type) {
    case SCHEMA_TYPE_INTEGER:
        return v >= -2147483648.0 && v <= 2147483647.0 && floor(v) == v;
    case SCHEMA_TYPE_BIG_INTEGER:
        return v >= -9223372036854775808.0 && v <= 9223372036854775807.0 && floor(v) == v;
    case SCHEMA_TYPE_DECIMAL: {
        int64_t p = f->numeric_precision, s = f->numeric_scale;
        if (p == SCHEMA_NONE || s == SCHEMA_NONE) {
            p = 10;
            s = 5;
        }
        double max = pow(10, (double)(p - s)) - pow(10, (double)-s);
        return v >= -max && v <= max;
    }
    default:
        return true;
    }
}

static void search(cc_t *c, sqlbuf_t *b, str_t q, ref_t base)
{
    const schema_collection_t *coll = base.coll;
    size_t n = 0;
    str_t lower = jsval_lower(c->a, q);
    db_value_t num = {.type = DB_NULL};
    double d = 0;
    bool is_num = numeric_string(c, q, &num, &d);
    sqlbuf_kw(b, "(");
    for (size_t i = 0; i < coll->nfields; i++) {
        const schema_field_t *f = &coll->fields[i];
        if (f->special & SCHEMA_SPECIAL_NO_DATA)
            continue;
        if (f->type == SCHEMA_TYPE_STRING || f->type == SCHEMA_TYPE_TEXT) {
            if (n++)
                sqlbuf_kw(b, " OR ");
            sqlbuf_kw(b, "LOWER(");
            col(b, base, f);
            sqlbuf_kw(b, ") LIKE ");
            size_t len = lower.n + 2;
            char *pat = arena_alloc(c->a, len + 1);
            pat[0] = '%';
            memcpy(pat + 1, lower.p, lower.n);
            pat[len - 1] = '%';
            pat[len] = '\0';
            sqlbuf_param_text(b, (str_t){pat, len});
        } else if (numeric_type(f->type)) {
            if (!is_num || !number_valid(c, f, d))
                continue;
            if (n++)
                sqlbuf_kw(b, " OR ");
            col(b, base, f);
            sqlbuf_kw(b, " = ");
            sqlbuf_param(b, num);
        } else if (f->type == SCHEMA_TYPE_UUID && str_is_uuid(q)) {
            if (n++)
                sqlbuf_kw(b, " OR ");
            col(b, base, f);
            sqlbuf_kw(b, " = ");
            sqlbuf_param_text(b, q);
        }
    }
    if (!n)
        sqlbuf_kw(b, "1 = 0");
    sqlbuf_kw(b, ")");
    if (c->d->id == DB_PG && !valid_utf8(q))
        fail(c, "The search value has to be valid UTF-8 without NUL characters");
}

/* ---- select lists and to-one joins ------------------------------------------------------- */

static ref_t node_ref(const plan_node_t *n)
{
    return (ref_t){'t', n->id, n->coll};
}

static void agg_expr(cc_t *c, sqlbuf_t *b, const plan_col_t *k, ref_t r)
{
    if (k->agg_star) {
        sqlbuf_kw(b, "COUNT(*)");
        return;
    }
    switch (k->agg) {
    case QUERY_AGG_COUNT: sqlbuf_kw(b, "COUNT("); break;
    case QUERY_AGG_COUNT_DISTINCT: sqlbuf_kw_if(b, k->agg_distinct_pk, "COUNT(", "COUNT(DISTINCT "); break;
    case QUERY_AGG_COUNT_ALL: sqlbuf_kw(b, "COUNT("); break;
    case QUERY_AGG_SUM: sqlbuf_kw(b, "SUM("); break;
    case QUERY_AGG_SUM_DISTINCT: sqlbuf_kw(b, "SUM(DISTINCT "); break;
    case QUERY_AGG_AVG: sqlbuf_kw(b, "AVG("); break;
    case QUERY_AGG_AVG_DISTINCT: sqlbuf_kw(b, "AVG(DISTINCT "); break;
    case QUERY_AGG_MIN: sqlbuf_kw(b, "MIN("); break;
    case QUERY_AGG_MAX: sqlbuf_kw(b, "MAX("); break;
    default: sqlbuf_kw(b, "COUNT("); break;
    }
    expr(c, b, &k->expr, r);
    sqlbuf_kw(b, ")");
}

static void column(cc_t *c, sqlbuf_t *b, const plan_node_t *n, const plan_col_t *k)
{
    if (n->aggregate && k->agg != QUERY_AGG_UNKNOWN) {
        agg_expr(c, b, k, node_ref(n));
        return;
    }
    sqlbuf_t *when = k->mask ? sqlbuf_new(c->a) : NULL;
    if (when && filter(c, when, k->mask, node_ref(n))) {
        /* The per-row field rule: the value only where a permission granting it applies. */
        sqlbuf_kw(b, "CASE WHEN ");
        sqlbuf_append(b, when);
        sqlbuf_kw(b, " THEN ");
        expr(c, b, &k->expr, node_ref(n));
        sqlbuf_kw(b, " END");
        return;
    }
    expr(c, b, &k->expr, node_ref(n));
}

/* The columns of n and of the to-one nodes joined to it. alias_base >= 0 names each column
 * "c<alias_base + i>" (union branches need equal names and no duplicates). */
static size_t select_node(cc_t *c, sqlbuf_t *b, const plan_node_t *n, size_t count,
                          long alias_base)
{
    for (size_t i = 0; i < n->ncols; i++) {
        if (count++)
            sqlbuf_kw(b, ", ");
        column(c, b, n, &n->cols[i]);
        if (alias_base >= 0) {
            sqlbuf_kw(b, " AS ");
            sqlbuf_alias(b, 'c', (unsigned)(alias_base + n->col_base + (long)i));
        }
    }
    for (size_t i = 0; i < n->nkids; i++) {
        const plan_node_t *k = n->kids[i];
        if (k->kind == PLAN_M2O)
            count = select_node(c, b, k, count, alias_base);
        else if (k->kind == PLAN_A2O)
            for (size_t t = 0; t < k->ntargets; t++)
                count = select_node(c, b, k->targets[t], count, alias_base);
    }
    return count;
}

/* The deep filter and search of a to-one node, in its ON clause (a failing filter nulls the
 * nested object, as Directus's separate query would). */
static void on_extra(cc_t *c, sqlbuf_t *b, const plan_node_t *k)
{
    sqlbuf_t *x = sqlbuf_new(c->a);
    if (filter(c, x, &k->filter, node_ref(k))) {
        sqlbuf_kw(b, " AND ");
        sqlbuf_append(b, x);
    }
    if (k->has_search) {
        sqlbuf_kw(b, " AND ");
        search(c, b, k->search, node_ref(k));
    }
}

static void joins_node(cc_t *c, sqlbuf_t *b, const plan_node_t *n)
{
    ref_t me = node_ref(n);
    for (size_t i = 0; i < n->nkids; i++) {
        const plan_node_t *k = n->kids[i];
        if (k->kind == PLAN_M2O) {
            sqlbuf_kw(b, " LEFT JOIN ");
            sqlbuf_table(b, k->coll->name);
            sqlbuf_kw(b, " AS ");
            sqlbuf_alias(b, 't', k->id);
            sqlbuf_kw(b, " ON ");
            col(b, node_ref(k), k->coll->primary);
            sqlbuf_kw(b, " = ");
            sqlbuf_col(b, 't', n->id, k->rel->field);
            on_extra(c, b, k);
            joins_node(c, b, k);
        } else if (k->kind == PLAN_A2O) {
            for (size_t t = 0; t < k->ntargets; t++) {
                const plan_node_t *tg = k->targets[t];
                sqlbuf_kw(b, " LEFT JOIN ");
                sqlbuf_table(b, tg->coll->name);
                sqlbuf_kw(b, " AS ");
                sqlbuf_alias(b, 't', tg->id);
                sqlbuf_kw(b, " ON ");
                sqlbuf_col(b, 't', n->id, k->rel->one_collection_field);
                sqlbuf_kw(b, " = ");
                sqlbuf_param_text(b, str_c(tg->coll->name));
                sqlbuf_kw(b, " AND ");
                sqlbuf_col(b, 't', n->id, k->rel->field);
                sqlbuf_kw(b, " = CAST(");
                col(b, node_ref(tg), tg->coll->primary);
                sqlbuf_kw(b, " AS CHAR(255))");
                on_extra(c, b, tg);
                joins_node(c, b, tg);
            }
        }
    }
    (void)me;
}

/* ---- sorts ------------------------------------------------------------------------------- */

/* A sort through an o2m: the value of the first related row in that order (Directus ranks the
 * joined rows per parent with row_number() and keeps the first). */
static void sort_subquery(cc_t *c, sqlbuf_t *b, const plan_sort_t *s, ref_t base)
{
    const plan_join_t *chain[64];
    size_t n = 0;
    for (const plan_join_t *j = s->expr.join; j && n < 64; j = j->parent)
        chain[n++] = j;
    /* chain[n-1] is nearest the base; find the first to-many from the base side. */
    size_t k = n;
    while (k > 0 && !to_many(chain[k - 1]))
        k--;
    const plan_join_t *first = chain[k - 1];
    sqlbuf_kw(b, "(SELECT ");
    expr(c, b, &s->expr, base);
    sqlbuf_kw(b, " FROM ");
    sqlbuf_table(b, first->coll->name);
    sqlbuf_kw(b, " AS ");
    sqlbuf_alias(b, 'j', first->id);
    for (size_t i = k - 1; i-- > 0;)
        left_join(c, b, chain[i], base);
    sqlbuf_kw(b, " WHERE ");
    join_on(c, b, first, parent_ref(first, base));
    sqlbuf_kw(b, " ORDER BY ");
    expr(c, b, &s->expr, base);
    sqlbuf_kw_if(b, s->desc, " DESC LIMIT 1)", " ASC LIMIT 1)");
}

static void sort_joins(cc_t *c, sqlbuf_t *b, const plan_node_t *n)
{
    for (size_t i = 0; i < n->sort_scope.njoins; i++) {
        const plan_join_t *j = n->sort_scope.joins[i];
        if (!chain_to_many(j))
            left_join(c, b, j, node_ref(n));
    }
}

/* The ORDER BY items of n, appended after `count` earlier items; returns the new count. */
static size_t order_items(cc_t *c, sqlbuf_t *b, const plan_node_t *n, size_t count)
{
    bool many = false;
    for (size_t i = 0; i < n->nsorts; i++) {
        const plan_sort_t *s = &n->sorts[i];
        if (count++)
            sqlbuf_kw(b, ", ");
        if (s->kind == PLAN_SORT_COL) {
            column(c, b, n, &n->cols[s->col]);
        } else if (s->expr.join && chain_to_many(s->expr.join)) {
            sort_subquery(c, b, s, node_ref(n));
            many = true;
        } else {
            expr(c, b, &s->expr, node_ref(n));
        }
        sqlbuf_kw_if(b, s->desc, " DESC", " ASC");
    }
    /* Directus ranks o2m sorts per primary key (row_number() over a partition by it), so ties
     * come back in key order there: keep that order. */
    if (many && !n->aggregate) {
        sqlbuf_kw(b, ", ");
        col(b, node_ref(n), n->coll->primary);
        sqlbuf_kw(b, " ASC");
    }
    return count;
}

static void order_by(cc_t *c, sqlbuf_t *b, const plan_node_t *n)
{
    if (!n->nsorts)
        return;
    sqlbuf_kw(b, " ORDER BY ");
    order_items(c, b, n, 0);
}

/* ---- statements -------------------------------------------------------------------------- */

static void where_and(sqlbuf_t *b, size_t *n)
{
    sqlbuf_kw_if(b, (*n)++, " AND ", " WHERE ");
}

static void conditions(cc_t *c, sqlbuf_t *b, const plan_node_t *n, const plan_filter_t *f,
                       bool with_search, size_t *nw)
{
    sqlbuf_t *x = sqlbuf_new(c->a);
    if (n->aggregate && f->root && f->scope.njoins) {
        /* Aggregates run over the joined rows, as Directus's flat aggregate query does (an o2m
         * condition multiplies what sum() and count() see). */
        if (tree(c, x, f->root, node_ref(n))) {
            where_and(b, nw);
            sqlbuf_append(b, x);
        }
    } else if (filter(c, x, f, node_ref(n))) {
        where_and(b, nw);
        sqlbuf_append(b, x);
    }
    if (with_search && n->has_search) {
        where_and(b, nw);
        search(c, b, n->search, node_ref(n));
    }
}

static void from(sqlbuf_t *b, const plan_node_t *n)
{
    sqlbuf_kw(b, " FROM ");
    sqlbuf_table(b, n->coll->name);
    sqlbuf_kw(b, " AS ");
    sqlbuf_alias(b, 't', n->id);
}

static sqlbuf_t *done(cc_t *c, sqlbuf_t *b)
{
    if (c->failed)
        return NULL;
    if (sqlbuf_error(b)) {
        fail(c, "Too many values in the query");
        return NULL;
    }
    return b;
}

/* keys[0], keys[1], ... as parameters, comma-separated. */
static void key_params(sqlbuf_t *b, const db_value_t *keys, size_t nkeys)
{
    for (size_t i = 0; i < nkeys; i++) {
        if (i)
            sqlbuf_kw(b, ", ");
        sqlbuf_param(b, keys[i]);
    }
}

/* The PostgreSQL array type a foreign key column's parent keys can be bound as, or PG_ARR_NONE
 * (anything else keeps the IN list: bpchar pads, numeric and the rest are rare as keys). */
typedef enum { PG_ARR_NONE, PG_ARR_INT2, PG_ARR_INT4, PG_ARR_INT8, PG_ARR_UUID, PG_ARR_TEXT } pg_arr_t;

static pg_arr_t pg_key_array_type(const schema_field_t *fk)
{
    static const struct {
        const char *db_type;
        pg_arr_t t;
    } map[] = {{"integer", PG_ARR_INT4},          {"bigint", PG_ARR_INT8},
               {"smallint", PG_ARR_INT2},         {"uuid", PG_ARR_UUID},
               {"character varying", PG_ARR_TEXT}, {"text", PG_ARR_TEXT}};
    for (size_t i = 0; fk && fk->db_type && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(fk->db_type, map[i].db_type) == 0)
            return map[i].t;
    return PG_ARR_NONE;
}

/* keys as the text of a PostgreSQL array ({1,2} or {"a","b\"c"}), or false when a key is
 * neither an integer nor text. Every text element is quoted, so none can read as NULL. */
static bool pg_array_literal(arena_t *a, const db_value_t *keys, size_t nkeys, str_t *out)
{
    buf_t b;
    buf_init(&b, a, 8 * nkeys + 2);
    buf_putc(&b, '{');
    for (size_t i = 0; i < nkeys; i++) {
        if (i)
            buf_putc(&b, ',');
        if (keys[i].type == DB_INT) {
            buf_int(&b, (long long)keys[i].i);
            continue;
        }
        if (keys[i].type != DB_TEXT)
            return false;
        buf_putc(&b, '"');
        for (size_t k = 0; k < keys[i].s.n; k++) {
            char ch = keys[i].s.p[k];
            if (ch == '"' || ch == '\\')
                buf_putc(&b, '\\');
            buf_putc(&b, ch);
        }
        buf_putc(&b, '"');
    }
    buf_putc(&b, '}');
    *out = buf_slice(&b);
    return true;
}

/* PostgreSQL: "IN (SELECT unnest(CAST($n AS _int4)))", the parent keys as one array parameter. An IN
 * list of n parameters is a new statement for every n and, its values being parameters, is
 * searched linearly per row by a generic plan, so PostgreSQL plans it afresh on every execution
 * (most of the statement's cost for 25 keys); the array form is one statement whose cached plan
 * is a hashed semi join. False (nothing appended) where the key type has no array here. */
static bool pg_key_array(cc_t *c, sqlbuf_t *b, const plan_node_t *n, const db_value_t *keys,
                         size_t nkeys)
{
    if (c->d->id != DB_PG || nkeys < 2) /* one key: "IN ($n)" is "= $n", planned once */
        return false;
    pg_arr_t t = pg_key_array_type(schema_field(n->coll, str_c(n->rel->field)));
    str_t lit;
    if (t == PG_ARR_NONE || !pg_array_literal(c->a, keys, nkeys, &lit))
        return false;
    sqlbuf_kw(b, " IN (SELECT unnest(CAST(");
    sqlbuf_param_text(b, lit);
    /* _int4 is int4[] by its catalog name */
    switch (t) {
    case PG_ARR_INT2: sqlbuf_kw(b, " AS _int2"); break;
    case PG_ARR_INT4: sqlbuf_kw(b, " AS _int4"); break;
    case PG_ARR_INT8: sqlbuf_kw(b, " AS _int8"); break;
    case PG_ARR_UUID: sqlbuf_kw(b, " AS _uuid"); break;
    default: sqlbuf_kw(b, " AS _text"); break;
    }
    sqlbuf_kw(b, ")))");
    return true;
}

/* FROM, joins, WHERE of a statement node (and GROUP BY for aggregates). */
static void body(cc_t *c, sqlbuf_t *b, const plan_node_t *n, const db_value_t *keys, size_t nkeys)
{
    from(b, n);
    joins_node(c, b, n);
    sort_joins(c, b, n);
    if (n->aggregate)
        for (size_t i = 0; i < n->filter.scope.njoins; i++)
            left_join(c, b, n->filter.scope.joins[i], node_ref(n));
    size_t nw = 0;
    if (n->kind == PLAN_O2M) {
        where_and(b, &nw);
        sqlbuf_col(b, 't', n->id, n->rel->field);
        if (!pg_key_array(c, b, n, keys, nkeys)) {
            sqlbuf_kw(b, " IN (");
            key_params(b, keys, nkeys);
            sqlbuf_kw(b, ")");
        }
    }
    conditions(c, b, n, &n->filter, true, &nw);
    if (n->aggregate && n->ngroup) {
        sqlbuf_kw(b, " GROUP BY ");
        for (size_t i = 0; i < n->ngroup; i++) {
            if (i)
                sqlbuf_kw(b, ", ");
            column(c, b, n, &n->cols[n->group_cols[i]]);
        }
    }
}

/* Whether the root's page can be cut before its to-one joins (PostgreSQL; a LIMIT, to-one
 * nodes joined, no sort through a relation, and no field named like the rank column). */
static bool page_first(const cc_t *c, const plan_node_t *n)
{
    if (c->d->id != DB_PG || n->kind != PLAN_ROOT || n->aggregate || c->p->limit < 0 ||
        n->sort_scope.njoins || schema_field(n->coll, STR("r0")))
        return false;
    for (size_t i = 0; i < n->nkids; i++)
        if (n->kids[i]->kind == PLAN_M2O || n->kids[i]->kind == PLAN_A2O)
            return true;
    return false;
}

/*
 * The root's page as a derived table under its own alias, ranked in its order:
 *   FROM (SELECT "s0".*, ROW_NUMBER() OVER () AS "r0" FROM (SELECT "t0".* FROM coll AS "t0"
 *         WHERE … ORDER BY … LIMIT …) AS "s0") AS "t0" LEFT JOIN … ORDER BY "t0"."r0"
 * To-one LEFT JOINs never add or drop rows, so the page is the same; PostgreSQL otherwise joins
 * every matching row and sorts the joined rows before the LIMIT (editor25: 500 articles joined
 * for 25, half of the statement's cost). The rank keeps the page's own order, ties included,
 * which a second sort on the same keys would not promise.
 */
static void paged_root(cc_t *c, sqlbuf_t *b, const plan_node_t *n)
{
    sqlbuf_kw(b, " FROM (SELECT ");
    sqlbuf_alias(b, 's', 0);
    sqlbuf_kw(b, ".*, ROW_NUMBER() OVER () AS ");
    sqlbuf_alias(b, 'r', 0);
    sqlbuf_kw(b, " FROM (SELECT ");
    sqlbuf_alias(b, 't', n->id);
    sqlbuf_kw(b, ".*");
    from(b, n);
    size_t nw = 0;
    conditions(c, b, n, &n->filter, true, &nw);
    order_by(c, b, n);
    c->d->limit_offset(b, c->p->limit, c->p->has_offset, c->p->offset);
    sqlbuf_kw(b, ") AS ");
    sqlbuf_alias(b, 's', 0);
    sqlbuf_kw(b, ") AS ");
    sqlbuf_alias(b, 't', n->id);
    joins_node(c, b, n);
    sqlbuf_kw(b, " ORDER BY ");
    sqlbuf_col(b, 't', n->id, "r0");
}

sqlbuf_t *compile_statement(arena_t *a, err_t *e, const plan_t *p, const plan_node_t *n,
                            const db_value_t *keys, size_t nkeys)
{
    cc_t c = {.a = a, .e = e, .p = p, .d = sql_dialect(p->dialect)};
    sqlbuf_t *b = sqlbuf_new(a);
    sqlbuf_kw(b, "SELECT ");
    if (select_node(&c, b, n, 0, -1) == 0)
        sqlbuf_kw(b, "1");
    if (page_first(&c, n)) {
        paged_root(&c, b, n);
        return done(&c, b);
    }
    body(&c, b, n, keys, nkeys);
    order_by(&c, b, n);
    if (n->kind == PLAN_ROOT)
        c.d->limit_offset(b, p->limit, p->has_offset, p->offset);
    return done(&c, b);
}

sqlbuf_t *compile_orphan_probe(arena_t *a, err_t *e, const plan_t *p, const plan_node_t *n,
                               const db_value_t *keys, size_t nkeys, bool *none)
{
    cc_t c = {.a = a, .e = e, .p = p, .d = sql_dialect(p->dialect)};
    const schema_field_t *fk = n->kind == PLAN_M2O ? n->coll->primary
                                                   : schema_field(n->coll, str_c(n->rel->field));
    const char *name = fk ? fk->name : NULL;
    *none = !fk || (n->merge == PLAN_MERGE_TAIL && n->nmerge_tail <= nkeys);
    if (*none)
        return NULL;
    sqlbuf_t *b = sqlbuf_new(a);
    sqlbuf_kw(b, "SELECT ");
    sqlbuf_col(b, 't', n->id, name);
    from(b, n);
    sort_joins(&c, b, n);
    size_t nw = 0;
    if (nkeys) {
        where_and(b, &nw);
        sqlbuf_kw(b, "(");
        sqlbuf_col(b, 't', n->id, name);
        sqlbuf_kw(b, " IS NULL OR ");
        sqlbuf_col(b, 't', n->id, name);
        sqlbuf_kw(b, " NOT IN (");
        key_params(b, keys, nkeys);
        sqlbuf_kw(b, "))");
    }
    if (n->merge == PLAN_MERGE_TAIL) {
        /* lodash merge: index i < nkeys holds parent key i, the user's values follow */
        pfilter_t in = {.kind = PF_COND, .expr = {.field = fk}, .op = QOP_IN, .type = fk->type};
        in.val = (qval_t){.kind = QV_LIST, .items = (qval_t *)n->merge_tail + nkeys,
                          .n = n->nmerge_tail - nkeys};
        in.raw = in.val;
        where_and(b, &nw);
        cond(&c, b, &in, node_ref(n));
    }
    conditions(&c, b, n, &n->filter, true, &nw);
    order_by(&c, b, n);
    c.d->limit_offset(b, 1, false, 0);
    return done(&c, b);
}

/* NULLs for the columns of the other branches of a union. */
static void pad(sqlbuf_t *b, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        sqlbuf_kw(b, ", NULL");
}

/* PostgreSQL: a UNION ALL of the branches. The first branch is typed and returns nothing (union
 * column types resolve pairwise there, and two NULLs would make text); each real branch ranks
 * its rows with row_number() in its own order. The LEFT JOIN form below makes PostgreSQL plan a
 * cross product and go parallel for a handful of rows. */
static sqlbuf_t *batch_union(cc_t *c, const plan_node_t *const *nodes, const db_value_t *const *keys,
                             const size_t *nkeys, size_t m, const size_t *regions, size_t w)
{
    sqlbuf_t *b = sqlbuf_new(c->a);
    sqlbuf_kw(b, "SELECT NULL AS ");
    sqlbuf_ident(b, "b");
    for (size_t i = 0; i < m; i++) {
        sqlbuf_kw(b, ", ");
        sqlbuf_alias(b, 'p', (unsigned)i);
        sqlbuf_kw(b, ".*");
    }
    sqlbuf_kw(b, ", NULL AS ");
    sqlbuf_alias(b, 'r', 0);
    sqlbuf_kw(b, " FROM ");
    for (size_t i = 0; i < m; i++) {
        if (i)
            sqlbuf_kw(b, " CROSS JOIN ");
        sqlbuf_kw(b, "(SELECT ");
        select_node(c, b, nodes[i], 0, (long)regions[i]);
        from(b, nodes[i]);
        joins_node(c, b, nodes[i]);
        sqlbuf_kw(b, " WHERE 1 = 0) AS ");
        sqlbuf_alias(b, 'p', (unsigned)i);
    }
    for (size_t i = 0; i < m; i++) {
        const plan_node_t *n = nodes[i];
        sqlbuf_kw(b, " UNION ALL SELECT ");
        sqlbuf_param_int(b, (int64_t)i);
        sqlbuf_kw(b, " + 0");
        pad(b, 1, regions[i]);
        select_node(c, b, n, 1, -1);
        pad(b, regions[i] + (size_t)n->stmt_ncols, w);
        sqlbuf_kw(b, ", ROW_NUMBER() OVER (");
        sqlbuf_t *o = sqlbuf_new(c->a);
        order_by(c, o, n);
        if (sqlbuf_is_empty(o))
            sqlbuf_kw(b, "ORDER BY 1");
        else
            sqlbuf_append(b, o);
        sqlbuf_kw(b, ")");
        body(c, b, n, keys[i], nkeys[i]);
    }
    sqlbuf_kw(b, " ORDER BY 1, ");
    sqlbuf_alias(b, 'r', 0);
    return done(c, b);
}

sqlbuf_t *compile_batch(arena_t *a, err_t *e, const plan_t *p, const plan_node_t *const *nodes,
                        const db_value_t *const *keys, const size_t *nkeys, size_t m,
                        size_t *regions, size_t *width)
{
    cc_t c = {.a = a, .e = e, .p = p, .d = sql_dialect(p->dialect)};
    size_t w = 1;
    for (size_t i = 0; i < m; i++) {
        regions[i] = w;
        w += (size_t)nodes[i]->stmt_ncols;
    }
    *width = w;
    if (c.d->id == DB_PG)
        return batch_union(&c, nodes, keys, nkeys, m, regions, w);
    sqlbuf_t *b = sqlbuf_new(a);
    sqlbuf_kw(b, "SELECT ");
    sqlbuf_col(b, 'u', 0, "b");
    for (size_t i = 0; i < m; i++)
        select_node(&c, b, nodes[i], 1, -1);
    /* One driving row per branch; each node is LEFT JOINed on its own branch number, so a row
     * carries one node's columns (the others NULL) with their real types: no UNION type
     * juggling, which PostgreSQL and MariaDB would resolve differently. */
    sqlbuf_kw(b, " FROM (");
    for (size_t i = 0; i < m; i++) {
        if (i)
            sqlbuf_kw(b, " UNION ALL ");
        sqlbuf_kw(b, "SELECT ");
        sqlbuf_param_int(b, (int64_t)i);
        sqlbuf_kw(b, " + 0 AS ");
        sqlbuf_ident(b, "b");
    }
    sqlbuf_kw(b, ") AS ");
    sqlbuf_alias(b, 'u', 0);
    for (size_t i = 0; i < m; i++) {
        const plan_node_t *n = nodes[i];
        sqlbuf_kw(b, " LEFT JOIN ");
        sqlbuf_table(b, n->coll->name);
        sqlbuf_kw(b, " AS ");
        sqlbuf_alias(b, 't', n->id);
        sqlbuf_kw(b, " ON ");
        sqlbuf_col(b, 'u', 0, "b");
        sqlbuf_kw(b, " = ");
        sqlbuf_param_int(b, (int64_t)i);
        sqlbuf_kw(b, " AND ");
        sqlbuf_col(b, 't', n->id, n->rel->field);
        sqlbuf_kw(b, " IN (");
        for (size_t k = 0; k < nkeys[i]; k++) {
            if (k)
                sqlbuf_kw(b, ", ");
            sqlbuf_param(b, keys[i][k]);
        }
        sqlbuf_kw(b, ")");
        sqlbuf_t *x = sqlbuf_new(a);
        if (filter(&c, x, &n->filter, node_ref(n))) {
            sqlbuf_kw(b, " AND ");
            sqlbuf_append(b, x);
        }
        if (n->has_search) {
            sqlbuf_kw(b, " AND ");
            search(&c, b, n->search, node_ref(n));
        }
        joins_node(&c, b, n);
        sort_joins(&c, b, n);
    }
    sqlbuf_kw(b, " ORDER BY ");
    sqlbuf_col(b, 'u', 0, "b");
    size_t count = 1;
    for (size_t i = 0; i < m; i++)
        count = order_items(&c, b, nodes[i], count);
    return done(&c, b);
}

/* SELECT COUNT(*) over the root under filter; `search` says whether the query's search applies
 * (filter_count) or not (total_count). */
static sqlbuf_t *count_rows(arena_t *a, err_t *e, const plan_t *p, const plan_filter_t *filter,
                            bool search)
{
    cc_t c = {.a = a, .e = e, .p = p, .d = sql_dialect(p->dialect)};
    sqlbuf_t *b = sqlbuf_new(a);
    sqlbuf_kw(b, "SELECT COUNT(*)");
    from(b, p->root);
    size_t nw = 0;
    /* Counted items, never joined rows: an aggregate root's flat joins are not in this FROM. */
    plan_node_t items = *p->root;
    items.aggregate = false;
    conditions(&c, b, &items, filter, search, &nw);
    return done(&c, b);
}

sqlbuf_t *compile_total_count(arena_t *a, err_t *e, const plan_t *p)
{
    return count_rows(a, e, p, &p->total_filter, false);
}

sqlbuf_t *compile_filter_count(arena_t *a, err_t *e, const plan_t *p)
{
    return count_rows(a, e, p, &p->meta_filter, true);
}

int compile_render(arena_t *a, err_t *e, const plan_t *p, const sqlbuf_t *b, sqlbuf_out_t *out)
{
    const char *why = NULL;
    if (sqlbuf_render(b, a, p->dialect, out, &why) < 0)
        return err_invalid_query(e, a, why && strcmp(why, "too many parameters") == 0
                                           ? "Too many values in the query"
                                           : "Invalid query");
    return 0;
}
