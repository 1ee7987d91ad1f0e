/*
 * Filter, sort and column resolution. Each function follows one piece of Directus 11.3.5:
 * getFilterPath/getOperation (the shape of a condition), addJoin/getColumnPath (joins and the
 * pk appended to a relational alias), getFilterType/validateFilterOperator (400s per type),
 * applyFilterToQuery (value coercion per field type), applySort and getColumn.
 */
#include "lib/sql/resolve.h"

#include <math.h>
#include <string.h>

#include "lib/query/jsval.h"

static const struct {
    const char *name;
    plan_fn_t fn;
} fns[] = {
    {"year", PLAN_FN_YEAR},     {"month", PLAN_FN_MONTH},   {"week", PLAN_FN_WEEK},
    {"day", PLAN_FN_DAY},       {"weekday", PLAN_FN_WEEKDAY}, {"hour", PLAN_FN_HOUR},
    {"minute", PLAN_FN_MINUTE}, {"second", PLAN_FN_SECOND}, {"count", PLAN_FN_COUNT},
};

void resolve_fn_key(str_t key, plan_fn_t *fn, str_t *field, str_t *fn_name, bool *has_call)
{
    *fn = PLAN_FN_NONE;
    *fn_name = STR_NULL;
    *field = jsval_trim(key);
    long open = str_index(key, '('), close = str_index(key, ')');
    *has_call = open >= 0 && close >= 0;
    if (!*has_call || open == 0)
        return;
    /* REGEX_BETWEEN_PARENS: after the first '(' up to the next ')', at least one character. */
    str_t rest = {key.p + open + 1, key.n - (size_t)open - 1};
    long end = str_index(rest, ')');
    if (end <= 0)
        return;
    *field = jsval_trim((str_t){rest.p, (size_t)end});
    *fn_name = jsval_trim((str_t){key.p, (size_t)open});
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        if (str_eq_c(*fn_name, fns[i].name))
            *fn = fns[i].fn;
}

bool resolve_fn_allowed(plan_fn_t fn, schema_type_t type)
{
    switch (type) {
    case SCHEMA_TYPE_DATETIME:
    case SCHEMA_TYPE_TIMESTAMP:
        return fn >= PLAN_FN_YEAR && fn <= PLAN_FN_SECOND;
    case SCHEMA_TYPE_DATE:
        return fn >= PLAN_FN_YEAR && fn <= PLAN_FN_WEEKDAY;
    case SCHEMA_TYPE_TIME:
        return fn >= PLAN_FN_HOUR && fn <= PLAN_FN_SECOND;
    case SCHEMA_TYPE_JSON:
    case SCHEMA_TYPE_ALIAS:
        return fn == PLAN_FN_COUNT;
    default:
        return false;
    }
}

static int invalid(resolve_t *r, const char *reason)
{
    return err_invalid_query(r->e, r->a, reason);
}

/* ---- operators per type (getFilterOperatorsForType) --------------------------------------- */

static bool op_in(qop_t op, const qop_t *list)
{
    for (; *list != QOP_UNKNOWN; list++)
        if (*list == op)
            return true;
    return false;
}

static bool op_allowed(schema_type_t t, qop_t op)
{
    static const qop_t text[] = {
        QOP_CONTAINS,  QOP_NCONTAINS,     QOP_ICONTAINS,  QOP_STARTS_WITH, QOP_NSTARTS_WITH,
        QOP_ISTARTS_WITH, QOP_NISTARTS_WITH, QOP_ENDS_WITH, QOP_NENDS_WITH, QOP_IENDS_WITH,
        QOP_NIENDS_WITH, QOP_EQ,           QOP_NEQ,        QOP_EMPTY,       QOP_NEMPTY,
        QOP_NULL,      QOP_NNULL,         QOP_IN,         QOP_NIN,         QOP_UNKNOWN};
    static const qop_t hash[] = {QOP_EMPTY, QOP_NEMPTY, QOP_NULL, QOP_NNULL, QOP_UNKNOWN};
    static const qop_t uuid[] = {QOP_EQ, QOP_NEQ, QOP_NULL, QOP_NNULL, QOP_IN, QOP_NIN,
                                 QOP_UNKNOWN};
    static const qop_t json[] = {QOP_NULL, QOP_NNULL, QOP_UNKNOWN};
    static const qop_t boolean[] = {QOP_EQ, QOP_NEQ, QOP_NULL, QOP_NNULL, QOP_UNKNOWN};
    static const qop_t number[] = {QOP_EQ,      QOP_NEQ,      QOP_LT,   QOP_LTE,
                                   QOP_GT,      QOP_GTE,      QOP_BETWEEN, QOP_NBETWEEN,
                                   QOP_NULL,    QOP_NNULL,    QOP_IN,   QOP_NIN, QOP_UNKNOWN};
    static const qop_t geometry[] = {QOP_EQ,         QOP_NEQ,         QOP_NULL,
                                     QOP_NNULL,      QOP_INTERSECTS,  QOP_NINTERSECTS,
                                     QOP_INTERSECTS_BBOX, QOP_NINTERSECTS_BBOX, QOP_UNKNOWN};
    static const qop_t other[] = {QOP_CONTAINS, QOP_NCONTAINS, QOP_EQ,     QOP_NEQ,
                                  QOP_LT,       QOP_LTE,       QOP_GT,     QOP_GTE,
                                  QOP_BETWEEN,  QOP_NBETWEEN,  QOP_EMPTY,  QOP_NEMPTY,
                                  QOP_NULL,     QOP_NNULL,     QOP_IN,     QOP_NIN, QOP_UNKNOWN};
    if (op == QOP_UNKNOWN)
        return false;
    switch (t) {
    case SCHEMA_TYPE_BINARY:
    case SCHEMA_TYPE_STRING:
    case SCHEMA_TYPE_TEXT:
    case SCHEMA_TYPE_CSV:
        return op_in(op, text);
    case SCHEMA_TYPE_HASH:
        return op_in(op, hash);
    case SCHEMA_TYPE_UUID:
        return op_in(op, uuid);
    case SCHEMA_TYPE_JSON:
        return op_in(op, json);
    case SCHEMA_TYPE_BOOLEAN:
        return op_in(op, boolean);
    case SCHEMA_TYPE_BIG_INTEGER:
    case SCHEMA_TYPE_INTEGER:
    case SCHEMA_TYPE_DECIMAL:
    case SCHEMA_TYPE_FLOAT:
    case SCHEMA_TYPE_DATETIME:
    case SCHEMA_TYPE_DATE:
    case SCHEMA_TYPE_TIME:
        return op_in(op, number);
    case SCHEMA_TYPE_GEOMETRY:
        return op_in(op, geometry);
    default:
        return op_in(op, other);
    }
}

/* validateFilterOperator */
static int check_operator(resolve_t *r, schema_type_t t, const qfilter_t *opnode,
                          const schema_field_t *f)
{
    str_t name = opnode->key;
    str_t bare = name.n && name.p[0] == '_' ? (str_t){name.p + 1, name.n - 1} : name;
    if (!op_allowed(t, opnode->op))
        return invalid(r, arena_printf(r->a, "\"%s\" field type does not contain the \"_%.*s\" "
                                             "filter operator",
                                       schema_type_name(t), (int)bare.n, bare.p));
    if (f && (f->special & SCHEMA_SPECIAL_CONCEAL) && !op_allowed(SCHEMA_TYPE_HASH, opnode->op))
        return invalid(r, arena_printf(r->a, "Field with \"conceal\" special does not allow the "
                                             "\"_%.*s\" filter operator",
                                       (int)bare.n, bare.p));
    return 0;
}

/* ---- value coercion (applyFilterToQuery) ------------------------------------------------- */

static double qval_number(arena_t *a, const qval_t *v)
{
    switch (v->kind) {
    case QV_NULL:
        return 0;
    case QV_BOOL:
        return v->b ? 1 : 0;
    case QV_NUMBER:
        return v->num;
    case QV_DATE:
        return (double)v->ms;
    case QV_STRING:
        return jsval_str_number(v->s);
    case QV_OBJECT:
        return jsval_number(a, v->json);
    default:
        return NAN;
    }
}

static qval_t num_val(double d)
{
    return (qval_t){.kind = QV_NUMBER, .num = d};
}

static bool is_date_type(schema_type_t t)
{
    return t == SCHEMA_TYPE_DATE || t == SCHEMA_TYPE_DATETIME || t == SCHEMA_TYPE_TIME ||
           t == SCHEMA_TYPE_TIMESTAMP;
}

static bool is_num_type(schema_type_t t)
{
    return t == SCHEMA_TYPE_INTEGER || t == SCHEMA_TYPE_FLOAT || t == SCHEMA_TYPE_DECIMAL;
}

static qval_t coerce_one(resolve_t *r, const plan_expr_t *x, qval_t v)
{
    if (x->fn != PLAN_FN_NONE)
        return num_val(qval_number(r->a, &v));
    schema_type_t t = x->field->type;
    if (is_date_type(t))
        return v; /* helpers.date.parse is dialect work: lib/sql/compile */
    if (is_num_type(t))
        return num_val(qval_number(r->a, &v));
    return v;
}

static qval_t coerce(resolve_t *r, const plan_expr_t *x, const qval_t *v)
{
    if (v->kind != QV_LIST)
        return coerce_one(r, x, *v);
    qval_t out = {.kind = QV_LIST};
    out.items = arena_alloc(r->a, (v->n ? v->n : 1) * sizeof *out.items);
    for (size_t i = 0; i < v->n; i++)
        if (v->items[i].kind != QV_UNDEFINED)
            out.items[out.n++] = coerce_one(r, x, v->items[i]);
    return out;
}

/* ---- paths and joins --------------------------------------------------------------------- */

typedef struct {
    schema_rel_kind_t kind; /* M2O, A2O, O2M (also m2m, m2a), NONE for o2a */
    const schema_relation_t *rel;
    const schema_collection_t *to;
    bool relational;
} hop_t;

static bool follow_args(resolve_t *r, str_t part, str_t *args, size_t *nargs)
{
    if (!str_starts_with(part, STR("$FOLLOW(")) || part.p[part.n - 1] != ')')
        return false;
    str_t in = {part.p + 8, part.n - 9};
    *nargs = 0;
    size_t start = 0;
    for (size_t i = 0; i <= in.n && *nargs < 4; i++)
        if (i == in.n || in.p[i] == ',') {
            args[(*nargs)++] = jsval_trim((str_t){in.p + start, i - start});
            start = i + 1;
        }
    (void)r;
    return true;
}

/* getRelationInfo + the collection a hop lands in. part may carry an a2o scope (item:headings)
 * or be $FOLLOW(collection, field[, collection_field]). */
static int hop_of(resolve_t *r, const schema_collection_t *from, str_t part, hop_t *h)
{
    memset(h, 0, sizeof *h);
    str_t args[4];
    size_t nargs;
    if (follow_args(r, part, args, &nargs)) {
        if (part.n > 508)
            return invalid(r, "Implicit $FOLLOW statement is too big to parse");
        const schema_collection_t *c = schema_collection(r->s, args[0]);
        if (!c || nargs < 2 || !schema_field(c, args[1]))
            return 0; /* resolves to nothing: the existence check reported it, or no join */
        schema_relation_t *rel = arena_calloc(r->a, 1, sizeof *rel);
        rel->collection = c->name;
        rel->field = schema_field(c, args[1])->name;
        rel->related_collection = from->name;
        if (nargs >= 3) {
            const schema_field_t *cf = schema_field(c, args[2]);
            if (!cf)
                return 0;
            rel->one_collection_field = cf->name;
            h->kind = SCHEMA_REL_NONE; /* o2a */
        } else {
            h->kind = SCHEMA_REL_O2M;
        }
        h->rel = rel;
        h->to = c;
        h->relational = true;
        return 0;
    }
    long colon = str_index(part, ':');
    str_t name = colon >= 0 ? (str_t){part.p, (size_t)colon} : part;
    const schema_field_t *f = schema_field(from, name);
    if (!f || f->rel_kind == SCHEMA_REL_NONE || !f->relation)
        return 0;
    h->rel = f->relation;
    h->relational = true;
    switch (f->rel_kind) {
    case SCHEMA_REL_M2O:
        h->kind = SCHEMA_REL_M2O;
        h->to = schema_collection(r->s, str_c(f->relation->related_collection));
        break;
    case SCHEMA_REL_A2O: {
        h->kind = SCHEMA_REL_A2O;
        if (colon < 0)
            return invalid(r, "You have to provide a collection scope when sorting or filtering "
                              "on a many-to-any item");
        h->to = schema_collection(r->s, (str_t){part.p + colon + 1, part.n - (size_t)colon - 1});
        break;
    }
    default:
        h->kind = SCHEMA_REL_O2M;
        h->to = schema_collection(r->s, str_c(f->relation->collection));
        break;
    }
    if (!h->to)
        h->relational = false;
    return 0;
}

static plan_join_t *join_for(resolve_t *r, plan_scope_t *scope, const plan_join_t *parent,
                             const schema_collection_t *from, const hop_t *h, str_t path)
{
    for (size_t i = 0; i < scope->njoins; i++)
        if (str_eq(scope->joins[i]->path, path))
            return scope->joins[i];
    plan_join_t *j = arena_calloc(r->a, 1, sizeof *j);
    j->id = r->plan->next_id++;
    j->parent = parent;
    j->kind = h->kind;
    j->rel = h->rel;
    j->coll = h->to;
    j->from = from;
    j->path = path;
    scope->joins = arena_realloc(r->a, scope->joins, scope->njoins * sizeof *scope->joins,
                                 (scope->njoins + 1) * sizeof *scope->joins);
    scope->joins[scope->njoins++] = j;
    if (h->kind == SCHEMA_REL_O2M || h->kind == SCHEMA_REL_NONE)
        scope->multi = true;
    return j;
}

static str_t path_join(arena_t *a, str_t prefix, str_t part)
{
    if (!prefix.n)
        return part;
    char *p = arena_printf(a, "%.*s.%.*s", (int)prefix.n, prefix.p, (int)part.n, part.p);
    return str_c(p);
}

/*
 * Walks parts[0..n-1] from the scope's base: every part but the last must be relational (else
 * 400 "\"c.f\" is not a relational field"), the last is the target field, possibly a function;
 * a last part that is an o2m alias targets the related primary key (getColumnPath's
 * addNestedPkField). Joins are added to the scope.
 */
static int walk(resolve_t *r, plan_scope_t *scope, const str_t *parts, size_t n, plan_expr_t *x,
                const schema_collection_t **target)
{
    const schema_collection_t *coll = scope->base;
    const plan_join_t *join = NULL;
    str_t path = STR_NULL;
    for (size_t i = 0; i < n; i++) {
        str_t part = parts[i];
        bool last = i + 1 == n;
        plan_fn_t fn;
        str_t fname, fn_name;
        bool call;
        resolve_fn_key(part, &fn, &fname, &fn_name, &call);
        if (last && call) {
            const schema_field_t *f = schema_field(coll, fname);
            if (!f)
                return invalid(r, arena_printf(r->a, "Invalid filter key \"%.*s\" on \"%s\"",
                                               (int)part.n, part.p, coll->name));
            x->join = join;
            x->field = f;
            x->fn = fn;
            if (fn == PLAN_FN_COUNT && f->type == SCHEMA_TYPE_ALIAS)
                x->count_rel = f->relation;
            *target = coll;
            if (fn == PLAN_FN_NONE || !resolve_fn_allowed(fn, f->type))
                return invalid(r, arena_printf(r->a, "Invalid filter key \"%.*s\" on \"%s\"",
                                               (int)part.n, part.p, coll->name));
            if (fn == PLAN_FN_COUNT && f->type == SCHEMA_TYPE_ALIAS &&
                (!f->relation || f->rel_kind == SCHEMA_REL_M2O || f->rel_kind == SCHEMA_REL_A2O))
                return invalid(r, arena_printf(r->a, "Invalid filter key \"%.*s\" on \"%s\"",
                                               (int)part.n, part.p, coll->name));
            return 0;
        }
        hop_t h;
        if (hop_of(r, coll, part, &h) < 0)
            return -1;
        const schema_field_t *f = h.relational ? NULL : schema_field(coll, part);
        if (last && !h.relational) {
            if (!f)
                return invalid(r, arena_printf(r->a, "Invalid filter key \"%.*s\" on \"%s\"",
                                               (int)part.n, part.p, coll->name));
            x->join = join;
            x->field = f;
            *target = coll;
            return 0;
        }
        if (last && (h.kind == SCHEMA_REL_M2O || h.kind == SCHEMA_REL_A2O) &&
            str_index(part, ':') < 0) {
            /* the m2o/a2o column itself */
            x->join = join;
            x->field = schema_field(coll, part);
            *target = coll;
            return 0;
        }
        if (!h.relational)
            return invalid(r, arena_printf(r->a, "\"%s.%.*s\" is not a relational field",
                                           coll->name, (int)part.n, part.p));
        path = path_join(r->a, path, part);
        join = join_for(r, scope, join, coll, &h, path);
        coll = h.to;
        if (last) {
            /* A relational alias (or scoped a2o) at the end: its primary key. */
            x->join = join;
            x->field = coll->primary;
            *target = coll;
            return 0;
        }
    }
    return invalid(r, "Invalid filter object");
}

/* ---- filters ----------------------------------------------------------------------------- */

static pfilter_t *pnode(resolve_t *r, pf_kind_t kind)
{
    pfilter_t *p = arena_calloc(r->a, 1, sizeof *p);
    p->kind = kind;
    return p;
}

/* The chain of FIELD keys down to an operator or _some/_none. */
static size_t chain(const qfilter_t *f, str_t *parts, size_t max, const qfilter_t **end)
{
    size_t n = 0;
    while (f && f->kind == QF_FIELD && n < max) {
        parts[n++] = f->key;
        f = f->child;
    }
    *end = f;
    return n;
}

static const char *op_or_name(const qfilter_t *f)
{
    return f->kind == QF_NONE ? "_none" : "_some";
}

static int resolve_some(resolve_t *r, plan_scope_t *scope, const str_t *parts, size_t n,
                        const qfilter_t *end, pfilter_t **out)
{
    *out = NULL;
    hop_t h;
    if (hop_of(r, scope->base, parts[0], &h) < 0)
        return -1;
    if (!h.relational)
        return 0; /* `if (!relation) continue;` */
    if (n > 1 || (h.kind != SCHEMA_REL_O2M && h.kind != SCHEMA_REL_NONE))
        return invalid(r, arena_printf(r->a, "\"%s\" can only be used with top level relational "
                                             "alias field",
                                       op_or_name(end)));
    if (r->join_some && h.kind == SCHEMA_REL_O2M && h.to->primary) {
        /* applyFilter's addJoin LEFT JOINs the relation of a _some/_none path too: a flat
         * aggregate counts every joined row (other reads go through a key subquery, where the
         * join would change nothing) */
        str_t jp[2] = {parts[0], str_c(h.to->primary->name)};
        plan_expr_t jx = {0};
        const schema_collection_t *jt;
        if (walk(r, scope, jp, 2, &jx, &jt) < 0)
            return -1;
    }
    pfilter_t *p = pnode(r, end->kind == QF_NONE ? PF_NONE : PF_SOME);
    p->rel = h.rel;
    p->o2a = h.kind == SCHEMA_REL_NONE;
    p->child = h.to;
    p->sub_scope = arena_calloc(r->a, 1, sizeof *p->sub_scope);
    p->sub_scope->base = h.to;
    if (resolve_filter(r, p->sub_scope, end->child, &p->sub) < 0)
        return -1;
    *out = p;
    return 0;
}

static int resolve_cond(resolve_t *r, plan_scope_t *scope, const qfilter_t *f, pfilter_t **out)
{
    str_t parts[64];
    const qfilter_t *end;
    size_t n = chain(f, parts, 64, &end);
    *out = NULL;
    if (n == 64)
        return invalid(r, "Max relational depth exceeded");
    if (!end)
        return 0; /* {"f": {}}: no condition */
    if (end->kind == QF_SOME || end->kind == QF_NONE)
        return resolve_some(r, scope, parts, n, end, out);
    if (end->kind != QF_OP) {
        /* A logical operator deeper than the first field (hoisting leaves none); or a bare
         * operator at the root ({"_eq": 1}): Directus looks for a field named "_eq". */
        return invalid(r, "Invalid filter object");
    }
    if (n == 0)
        return invalid(r, arena_printf(r->a, "Invalid filter key \"%.*s\" on \"%s\"",
                                       (int)end->key.n, end->key.p, scope->base->name));
    if (n > 1) {
        /* applyFilter: a path whose first key is no relation adds nothing. */
        hop_t h;
        if (hop_of(r, scope->base, parts[0], &h) < 0)
            return -1;
        if (!h.relational)
            return 0;
    }
    plan_expr_t x = {0};
    const schema_collection_t *target = NULL;
    if (walk(r, scope, parts, n, &x, &target) < 0)
        return -1;
    schema_type_t t = plan_expr_type(&x);
    if (check_operator(r, t, end, x.fn == PLAN_FN_NONE ? x.field : NULL) < 0)
        return -1;
    pfilter_t *p = pnode(r, PF_COND);
    p->expr = x;
    p->op = end->op;
    p->type = t;
    p->raw = end->val;
    p->val = coerce(r, &x, &end->val);
    *out = p;
    return 0;
}

/* Directus's applyFilter builds _and/_or groups and _some/_none subqueries in knex callbacks,
 * which run only when the statement compiles: their errors come after those of the plain
 * conditions beside them, whatever the order of the keys. */
static bool deferred(const qfilter_t *f)
{
    return f->kind == QF_AND || f->kind == QF_OR ||
           (f->kind == QF_FIELD && f->child &&
            (f->child->kind == QF_SOME || f->child->kind == QF_NONE));
}

int resolve_filter(resolve_t *r, plan_scope_t *scope, const qfilter_t *f, pfilter_t **out)
{
    *out = NULL;
    if (!f)
        return 0;
    if ((f->kind == QF_AND || f->kind == QF_OR) && f->hoisted_deep &&
        r->plan->dialect == DB_PG) {
        /* `path = [objects]` in Directus: no operator of it is ever checked, the query fails */
        pfilter_t *p = pnode(r, f->kind == QF_AND ? PF_AND : PF_OR);
        p->pg_fails = true;
        *out = p;
        return 0;
    }
    if (f->kind == QF_AND || f->kind == QF_OR) {
        /* An _or holding {} matches everything: no condition at all. */
        if (f->kind == QF_OR)
            for (size_t i = 0; i < f->nkids; i++)
                if (f->kids[i]->kind == QF_AND && f->kids[i]->empty_object)
                    return 0;
        pfilter_t *p = pnode(r, f->kind == QF_AND ? PF_AND : PF_OR);
        p->kids = arena_alloc(r->a, (f->nkids ? f->nkids : 1) * sizeof *p->kids);
        pfilter_t **slot = arena_calloc(r->a, f->nkids ? f->nkids : 1, sizeof *slot);
        for (int pass = 0; pass < 2; pass++)
            for (size_t i = 0; i < f->nkids; i++)
                if (deferred(f->kids[i]) == (pass == 1) &&
                    resolve_filter(r, scope, f->kids[i], &slot[i]) < 0)
                    return -1;
        for (size_t i = 0; i < f->nkids; i++)
            if (slot[i])
                p->kids[p->nkids++] = slot[i];
        *out = p->nkids ? p : NULL;
        return 0;
    }
    if (f->kind == QF_OP)
        return resolve_cond(r, scope, f, out);
    if (f->kind == QF_SOME || f->kind == QF_NONE)
        return 0; /* _some at the root: no relational field before it */
    return resolve_cond(r, scope, f, out);
}

/* ---- sorts and columns ------------------------------------------------------------------- */

int resolve_sort(resolve_t *r, plan_scope_t *scope, str_t key, plan_sort_t *out, bool *skip)
{
    memset(out, 0, sizeof *out);
    *skip = false;
    out->kind = PLAN_SORT_EXPR;
    out->desc = key.n && key.p[0] == '-';
    str_t parts[64];
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= key.n && n < 64; i++)
        if (i == key.n || key.p[i] == '.') {
            parts[n++] = (str_t){key.p + start, i - start};
            start = i + 1;
        }
    if (n && parts[0].n && parts[0].p[0] == '-')
        parts[0] = (str_t){parts[0].p + 1, parts[0].n - 1};
    if (n == 0 || n == 64) {
        *skip = true;
        return 0;
    }
    const schema_collection_t *target;
    if (n == 1) {
        hop_t h;
        if (hop_of(r, scope->base, parts[0], &h) < 0)
            return -1;
        if (!h.relational || h.kind == SCHEMA_REL_M2O || h.kind == SCHEMA_REL_A2O) {
            if (resolve_column(r, scope->base, parts[0], &out->expr) < 0)
                return -1;
            if (!out->expr.field)
                *skip = true;
            return 0;
        }
    }
    if (walk(r, scope, parts, n, &out->expr, &target) < 0) {
        /* getColumnPath's wording for sorts */
        return -1;
    }
    if (out->expr.fn != PLAN_FN_NONE && !resolve_fn_allowed(out->expr.fn, out->expr.field->type)) {
        str_t fname, fn_name;
        plan_fn_t fn;
        bool call;
        resolve_fn_key(parts[n - 1], &fn, &fname, &fn_name, &call);
        return invalid(r, arena_printf(r->a, "Invalid function specified \"%.*s\"",
                                       (int)fn_name.n, fn_name.p));
    }
    return 0;
}

int resolve_column(resolve_t *r, const schema_collection_t *coll, str_t key, plan_expr_t *out)
{
    memset(out, 0, sizeof *out);
    plan_fn_t fn;
    str_t fname, fn_name;
    bool call;
    resolve_fn_key(key, &fn, &fname, &fn_name, &call);
    const schema_field_t *f = schema_field(coll, call && fn_name.p ? fname : key);
    if (!f)
        return 0;
    out->field = f;
    if (!call || !fn_name.p)
        return 0;
    out->fn = fn;
    if (fn == PLAN_FN_NONE || !resolve_fn_allowed(fn, f->type) ||
        (fn == PLAN_FN_COUNT && f->type == SCHEMA_TYPE_ALIAS &&
         (!f->relation || f->rel_kind == SCHEMA_REL_M2O || f->rel_kind == SCHEMA_REL_A2O)))
        return invalid(r, arena_printf(r->a, "Invalid function specified \"%.*s\"",
                                       (int)fn_name.n, fn_name.p));
    if (fn == PLAN_FN_COUNT && f->type == SCHEMA_TYPE_ALIAS)
        out->count_rel = f->relation;
    return 0;
}
