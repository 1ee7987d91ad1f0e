/*
 * The planner: Directus 11.3.5's getAstFromQuery (parseFields, convertWildcards,
 * getAllowedSort), processAst's existence checks (fieldMapFromAst, validatePathExistence) and
 * runAst's parseCurrentLevel / applyParentFilters / removeTemporaryFields, folded into one pass
 * that produces a plan_t. The order of everything that is visible (output keys, which error wins)
 * follows Directus; the shape of the SQL does not have to, and is decided in compile.c.
 */
#include "lib/sql/plan.h"

#include <math.h>
#include <string.h>

#include "lib/core/json.h"
#include "lib/query/jsval.h"
#include "lib/sql/resolve.h"

/* Nodes a single read may plan: wildcards like *.*.*.* multiply quickly. */
#define PLAN_MAX_NODES 2000

typedef enum { CH_FIELD, CH_FUNC, CH_NODE } child_kind_t;

typedef struct {
    child_kind_t kind;
    str_t name;      /* the field (alias resolved), possibly with a function */
    str_t field_key; /* as requested: the key of the output */
    plan_node_t *node;
} child_t;

/* plan_node_t plus what only the planner needs. */
typedef struct xnode {
    plan_node_t n; /* first: a plan_node_t * is an xnode_t * */
    child_t *ch;
    size_t nch;
    const query_deep_t *deep;      /* deep node of this level (children looked up by key) */
    const query_alias_t *alias;    /* aliases in force at this level */
    size_t nalias;
    query_t *qcopy;                /* the node's query, owned copy */
    str_t *target_names;           /* PLAN_A2O: allowed collections, parallel to n.targets */
} xnode_t;

typedef struct {
    arena_t *a;
    err_t *e;
    const schema_t *s;
    plan_t *p;
    const plan_opts_t *opts;
    size_t nnodes;
    resolve_t r;
} pctx_t;

static const query_t empty_query;

static xnode_t *X(plan_node_t *n)
{
    return (xnode_t *)n;
}

/* ---- small vectors ------------------------------------------------------------------------ */

typedef struct {
    str_t *v;
    size_t n, cap;
} strvec_t;

static void sv_push(arena_t *a, strvec_t *v, str_t s)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        v->v = arena_realloc(a, v->v, v->cap * sizeof *v->v, cap * sizeof *v->v);
        v->cap = cap;
    }
    v->v[v->n++] = s;
}

static bool sv_has(const strvec_t *v, str_t s)
{
    for (size_t i = 0; i < v->n; i++)
        if (str_eq(v->v[i], s))
            return true;
    return false;
}

static void sv_insert(arena_t *a, strvec_t *v, size_t at, const str_t *items, size_t n)
{
    /* replaces v[at] by items[0..n) */
    size_t total = v->n - 1 + n;
    str_t *nv = arena_alloc(a, (total ? total : 1) * sizeof *nv);
    memcpy(nv, v->v, at * sizeof *nv);
    memcpy(nv + at, items, n * sizeof *nv);
    memcpy(nv + at + n, v->v + at + 1, (v->n - at - 1) * sizeof *nv);
    v->v = nv;
    v->n = v->cap = total;
}

static str_t cat3(arena_t *a, str_t x, const char *sep, str_t y)
{
    return str_c(arena_printf(a, "%.*s%s%.*s", (int)x.n, x.p, sep, (int)y.n, y.p));
}

/* ---- helpers ------------------------------------------------------------------------------ */

const char *plan_fn_key(arena_t *a, str_t key)
{
    long open = str_index(key, '('), close = str_index(key, ')');
    if (open < 0 || close < 0)
        return str_dup(a, key);
    str_t rest = {key.p + open + 1, key.n - (size_t)open - 1};
    long end = str_index(rest, ')');
    if (end <= 0)
        return str_dup(a, key);
    return arena_printf(a, "%.*s_%.*s", (int)end, rest.p, (int)open, key.p);
}

schema_type_t plan_expr_type(const plan_expr_t *x)
{
    if (x->fn != PLAN_FN_NONE)
        return SCHEMA_TYPE_INTEGER;
    return x->field ? x->field->type : SCHEMA_TYPE_UNKNOWN;
}

static bool field_is_data(const schema_field_t *f)
{
    return !(f->special & SCHEMA_SPECIAL_NO_DATA);
}

static str_t alias_target(const xnode_t *x, str_t key, bool *found)
{
    for (size_t i = 0; i < x->nalias; i++)
        if (str_eq(x->alias[i].name, key)) {
            *found = true;
            return x->alias[i].field;
        }
    *found = false;
    return key;
}

/* The o2m relation whose alias (one_field) is name on coll. */
static const schema_relation_t *o2m_alias(const schema_collection_t *coll, str_t name)
{
    const schema_field_t *f = schema_field(coll, name);
    if (!f || !f->relation)
        return NULL;
    if (f->rel_kind == SCHEMA_REL_O2M || f->rel_kind == SCHEMA_REL_M2M ||
        f->rel_kind == SCHEMA_REL_M2A)
        return f->relation;
    return NULL;
}

static int forbidden(pctx_t *c, const char *reason)
{
    err_set(c->e, c->a, ERR_FORBIDDEN, "%s", reason);
    err_ext_str(c->e, c->a, "reason", reason);
    return -1;
}

/* ---- convertWildcards ---------------------------------------------------------------------- */

static strvec_t convert_wildcards(pctx_t *c, const xnode_t *x, const schema_collection_t *coll,
                                  const str_t *in, size_t nin)
{
    strvec_t fields = {0};
    for (size_t i = 0; i < nin; i++)
        sv_push(c->a, &fields, in[i]);
    strvec_t allowed = {0};
    const perm_coll_t *pc = c->opts->perm ? perm_coll(c->opts->perm, str_c(coll->name)) : NULL;
    if (c->opts->perm && !pc)
        return (strvec_t){0}; /* no permission at all: Directus returns no fields */
    if (pc && !perm_all_fields(pc)) {
        str_t *pf;
        size_t npf = perm_fields(c->a, pc, &pf);
        for (size_t i = 0; i < npf; i++) {
            const schema_field_t *f = schema_field(coll, pf[i]);
            if (f && field_is_data(f))
                sv_push(c->a, &allowed, pf[i]);
        }
    } else {
        for (size_t i = 0; i < coll->nfields; i++)
            if (field_is_data(&coll->fields[i]))
                sv_push(c->a, &allowed, str_c(coll->fields[i].name));
    }
    for (size_t idx = 0; idx < fields.n; idx++) {
        str_t key = fields.v[idx];
        if (str_index(key, '*') < 0)
            continue;
        if (str_eq_c(key, "*")) {
            strvec_t rep = {0};
            for (size_t i = 0; i < allowed.n; i++)
                sv_push(c->a, &rep, allowed.v[i]);
            for (size_t i = 0; i < x->nalias; i++)
                if (sv_has(&allowed, x->alias[i].field))
                    sv_push(c->a, &rep, x->alias[i].name);
            sv_insert(c->a, &fields, idx, rep.v, rep.n);
            continue;
        }
        long dot = str_index(key, '.');
        if (dot < 0 || !(dot == 1 && key.p[0] == '*'))
            continue;
        str_t rest = {key.p + dot + 1, key.n - (size_t)dot - 1};
        strvec_t rel = {0}, plain = {0}, rep = {0};
        for (size_t i = 0; i < allowed.n; i++) {
            const schema_field_t *f = schema_field(coll, allowed.v[i]);
            if (f && f->relation)
                sv_push(c->a, &rel, allowed.v[i]);
            else
                sv_push(c->a, &plain, allowed.v[i]);
        }
        for (size_t i = 0; i < rel.n; i++)
            sv_push(c->a, &rep, cat3(c->a, rel.v[i], ".", rest));
        for (size_t i = 0; i < plain.n; i++)
            sv_push(c->a, &rep, plain.v[i]);
        for (size_t i = 0; i < x->nalias; i++)
            sv_push(c->a, &rep, sv_has(&rel, x->alias[i].field)
                                    ? cat3(c->a, x->alias[i].name, ".", rest)
                                    : x->alias[i].name);
        sv_insert(c->a, &fields, idx, rep.v, rep.n);
    }
    return fields;
}

/* ---- parseFields ---------------------------------------------------------------------------- */

/* relationalStructure: a key, its unscoped sub-fields, and per-scope sub-fields. */
typedef struct {
    str_t key;
    bool unscoped;
    strvec_t fields;
    strvec_t scopes;
    strvec_t *scoped; /* parallel to scopes */
} rs_t;

typedef struct {
    rs_t *v;
    size_t n;
} rsvec_t;

static rs_t *rs_get(pctx_t *c, rsvec_t *v, str_t key, bool scoped)
{
    for (size_t i = 0; i < v->n; i++)
        if (str_eq(v->v[i].key, key))
            return &v->v[i];
    v->v = arena_realloc(c->a, v->v, v->n * sizeof *v->v, (v->n + 1) * sizeof *v->v);
    rs_t *r = &v->v[v->n++];
    memset(r, 0, sizeof *r);
    r->key = key;
    r->unscoped = !scoped;
    return r;
}

static strvec_t *rs_scope(pctx_t *c, rs_t *r, str_t scope)
{
    for (size_t i = 0; i < r->scopes.n; i++)
        if (str_eq(r->scopes.v[i], scope))
            return &r->scoped[i];
    sv_push(c->a, &r->scopes, scope);
    r->scoped = arena_realloc(c->a, r->scoped, (r->scopes.n - 1) * sizeof *r->scoped,
                              r->scopes.n * sizeof *r->scoped);
    memset(&r->scoped[r->scopes.n - 1], 0, sizeof *r->scoped);
    return &r->scoped[r->scopes.n - 1];
}

static void add_child(pctx_t *c, xnode_t *x, child_t ch)
{
    x->ch = arena_realloc(c->a, x->ch, x->nch * sizeof *x->ch, (x->nch + 1) * sizeof *x->ch);
    x->ch[x->nch++] = ch;
}

static int build_level(pctx_t *c, xnode_t *x, const str_t *fields, size_t nfields);

static xnode_t *new_node(pctx_t *c, plan_kind_t kind, const schema_collection_t *coll,
                         xnode_t *parent)
{
    xnode_t *x = arena_calloc(c->a, 1, sizeof *x);
    x->n.kind = kind;
    x->n.coll = coll;
    x->n.id = c->p->next_id++;
    x->n.parent = parent ? &parent->n : NULL;
    x->n.pk_col = x->n.link_col = x->n.a2o_coll_col = x->n.sort_key_col = -1;
    x->n.stmt = -1;
    if (parent) {
        x->alias = parent->alias;
        x->nalias = parent->nalias;
    }
    c->nnodes++;
    return x;
}

/* The node's query: a copy (so defaults can be filled in) of its deep sub-query, or empty. */
static query_t *node_query(pctx_t *c, const query_deep_t *d)
{
    query_t *q = arena_alloc(c->a, sizeof *q);
    *q = d && d->q ? *d->q : empty_query;
    return q;
}

/* getAllowedSort for an o2m child: relation sort_field, else collection sort_field, else pk. */
static void default_sort(pctx_t *c, query_t *q, const schema_collection_t *coll,
                         const schema_relation_t *rel)
{
    if (q->has_sort)
        return;
    const char *f = coll->primary ? coll->primary->name : NULL;
    if (coll->sort_field)
        f = coll->sort_field;
    if (rel && rel->sort_field)
        f = rel->sort_field;
    const perm_coll_t *pc = c->opts->perm ? perm_coll(c->opts->perm, str_c(coll->name)) : NULL;
    if (c->opts->perm && !pc)
        f = NULL;
    if (pc && f && !perm_all_fields(pc) && !perm_can_read_field(pc, str_c(f))) {
        /* getAllowedSort: the first allowed field instead of one the caller may not read. */
        str_t *pf;
        size_t npf = perm_fields(c->a, pc, &pf);
        f = NULL;
        for (size_t i = 0; i < npf && !f; i++)
            if (schema_field(coll, pf[i]))
                f = str_dup(c->a, pf[i]);
    }
    if (!f)
        return;
    q->has_sort = true;
    q->sort.v = arena_alloc(c->a, sizeof *q->sort.v);
    q->sort.v[0] = str_c(f);
    q->sort.n = 1;
}

/* Whether the caller may read coll at all (always without a permission set). */
static bool readable(const pctx_t *c, const schema_collection_t *coll)
{
    return !c->opts->perm || perm_coll(c->opts->perm, str_c(coll->name));
}

/* The query filter of a level AND the caller's row rule for its collection. */
static qfilter_t *with_rule(pctx_t *c, const schema_collection_t *coll, qfilter_t *f)
{
    const perm_coll_t *pc = c->opts->perm ? perm_coll(c->opts->perm, str_c(coll->name)) : NULL;
    return pc ? perm_and(c->a, f, perm_row_rule(c->a, pc)) : f;
}

static int nested_node(pctx_t *c, xnode_t *x, const rs_t *rs)
{
    bool aliased;
    str_t field_name = alias_target(x, rs->key, &aliased);
    const schema_field_t *f = schema_field(x->n.coll, field_name);
    if (!f || !f->relation || f->rel_kind == SCHEMA_REL_NONE)
        return 0; /* `if (!relation) continue;` */
    const schema_relation_t *rel = f->relation;
    const char *key = str_dup(c->a, rs->key);
    if (c->nnodes > PLAN_MAX_NODES)
        return err_invalid_query(c->e, c->a, "Too many relational fields requested");
    if (f->rel_kind == SCHEMA_REL_A2O) {
        xnode_t *n = new_node(c, PLAN_A2O, NULL, x);
        n->n.rel = rel;
        n->n.key = key;
        n->n.q = &empty_query;
        for (size_t i = 0; i < rel->n_one_allowed; i++) {
            const schema_collection_t *tc =
                schema_collection(c->s, str_c(rel->one_allowed_collections[i]));
            if (!tc || !readable(c, tc))
                continue;
            xnode_t *t = new_node(c, PLAN_M2O, tc, x);
            t->n.rel = rel;
            t->n.key = key;
            str_t dkey = str_c(arena_printf(c->a, "%s:%s", key, tc->name));
            t->deep = x->deep ? query_deep_get(x->deep, dkey) : NULL;
            t->qcopy = node_query(c, t->deep);
            t->n.q = t->qcopy;
            strvec_t *sub = NULL;
            if (rs->unscoped) {
                sub = (strvec_t *)&rs->fields;
            } else {
                for (size_t k = 0; k < rs->scopes.n; k++)
                    if (str_eq_c(rs->scopes.v[k], tc->name))
                        sub = &rs->scoped[k];
            }
            if (build_level(c, t, sub ? sub->v : NULL, sub ? sub->n : 0) < 0)
                return -1;
            n->n.targets = arena_realloc(c->a, n->n.targets, n->n.ntargets * sizeof(void *),
                                         (n->n.ntargets + 1) * sizeof(void *));
            n->n.targets[n->n.ntargets++] = &t->n;
            t->n.parent = &n->n;
        }
        add_child(c, x, (child_t){.kind = CH_NODE, .field_key = rs->key, .node = &n->n});
        return 0;
    }
    bool m2o = f->rel_kind == SCHEMA_REL_M2O;
    const schema_collection_t *rc =
        schema_collection(c->s, str_c(m2o ? rel->related_collection : rel->collection));
    if (!rc || !readable(c, rc))
        return 0; /* parseFields: "Skip related collection if no permissions" */
    xnode_t *n = new_node(c, m2o ? PLAN_M2O : PLAN_O2M, rc, x);
    n->n.rel = rel;
    n->n.key = key;
    n->deep = x->deep ? query_deep_get(x->deep, rs->key) : NULL;
    n->qcopy = node_query(c, n->deep);
    n->n.q = n->qcopy;
    if (n->qcopy->has_alias) {
        n->alias = n->qcopy->alias;
        n->nalias = n->qcopy->nalias;
    }
    if (!m2o)
        default_sort(c, n->qcopy, rc, rel);
    /* A scoped spelling on a non-a2o relation leaves no sub-fields (Directus reads the scope
     * map as a list and finds nothing). */
    const strvec_t *sub = rs->unscoped ? &rs->fields : NULL;
    if (build_level(c, n, sub ? sub->v : NULL, sub ? sub->n : 0) < 0)
        return -1;
    add_child(c, x, (child_t){.kind = CH_NODE, .field_key = rs->key, .node = &n->n});
    return 0;
}

static void classify(pctx_t *c, xnode_t *x, rsvec_t *rs, str_t fk)
{
    bool aliased;
    str_t name = alias_target(x, fk, &aliased);
    const schema_collection_t *coll = x->n.coll;
    bool relational = str_index(name, '.') >= 0 || o2m_alias(coll, name);
    if (relational) {
        long dot = str_index(fk, '.');
        str_t root = dot >= 0 ? (str_t){fk.p, (size_t)dot} : fk;
        str_t scope = STR_NULL;
        long colon = str_index(root, ':');
        if (colon >= 0) {
            str_t after = {root.p + colon + 1, root.n - (size_t)colon - 1};
            long c2 = str_index(after, ':');
            scope = c2 >= 0 ? (str_t){after.p, (size_t)c2} : after;
            root = (str_t){root.p, (size_t)colon};
        }
        rs_t *r = rs_get(c, rs, root, scope.p != NULL);
        if (dot >= 0) {
            str_t child = {fk.p + dot + 1, fk.n - (size_t)dot - 1};
            if (scope.p)
                sv_push(c->a, rs_scope(c, r, scope), child);
            else
                sv_push(c->a, &r->fields, child);
        } else if (scope.p) {
            rs_scope(c, r, scope);
        }
        return;
    }
    long open = str_index(name, '('), close = str_index(name, ')');
    if (open >= 0 && close >= 0) {
        plan_fn_t fn;
        str_t field, fn_name;
        bool call;
        resolve_fn_key(name, &fn, &field, &fn_name, &call);
        const schema_field_t *f = schema_field(coll, field);
        if (f && f->type == SCHEMA_TYPE_ALIAS && o2m_alias(coll, field)) {
            add_child(c, x, (child_t){.kind = CH_FUNC, .name = name, .field_key = fk});
            return;
        }
    }
    long colon = str_index(name, ':');
    if (colon >= 0) {
        str_t key = {name.p, (size_t)colon};
        str_t after = {name.p + colon + 1, name.n - (size_t)colon - 1};
        long c2 = str_index(after, ':');
        str_t scope = c2 >= 0 ? (str_t){after.p, (size_t)c2} : after;
        rs_t *r = rs_get(c, rs, key, true);
        rs_scope(c, r, scope);
        return;
    }
    add_child(c, x, (child_t){.kind = CH_FIELD, .name = name, .field_key = fk});
}

static int build_level(pctx_t *c, xnode_t *x, const str_t *fields, size_t nfields)
{
    strvec_t list = convert_wildcards(c, x, x->n.coll, fields, nfields);
    rsvec_t rs = {0};
    for (size_t i = 0; i < list.n; i++)
        classify(c, x, &rs, list.v[i]);
    for (size_t i = 0; i < rs.n; i++)
        if (nested_node(c, x, &rs.v[i]) < 0)
            return -1;
    /* A field asked for plainly and as a nested object is output as the object. */
    size_t k = 0;
    for (size_t i = 0; i < x->nch; i++) {
        bool dup = false;
        if (x->ch[i].kind == CH_FIELD)
            for (size_t j = 0; j < x->nch && !dup; j++)
                dup = x->ch[j].kind == CH_NODE && str_eq(x->ch[j].field_key, x->ch[i].field_key);
        if (!dup)
            x->ch[k++] = x->ch[i];
    }
    x->nch = k;
    return 0;
}

/* ---- field map: processAst's existence check ------------------------------------------------ */

typedef struct {
    str_t path;
    const char *coll;
    strvec_t fields;
} fm_entry_t;

typedef struct {
    fm_entry_t *v;
    size_t n;
} fm_group_t;

typedef struct {
    fm_group_t read, other;
} fieldmap_t;

static fm_entry_t *fm_info(pctx_t *c, fm_group_t *g, str_t path, const char *coll)
{
    for (size_t i = 0; i < g->n; i++)
        if (str_eq(g->v[i].path, path))
            return &g->v[i];
    g->v = arena_realloc(c->a, g->v, g->n * sizeof *g->v, (g->n + 1) * sizeof *g->v);
    fm_entry_t *e = &g->v[g->n++];
    memset(e, 0, sizeof *e);
    e->path = path;
    e->coll = coll;
    return e;
}

static void fm_add(pctx_t *c, fm_entry_t *e, str_t field)
{
    if (!sv_has(&e->fields, field))
        sv_push(c->a, &e->fields, field);
}

/* parseFilterKey(key).fieldName */
static str_t filter_key_field(str_t key)
{
    plan_fn_t fn;
    str_t field, fn_name;
    bool call;
    resolve_fn_key(key, &fn, &field, &fn_name, &call);
    return field;
}

/* findRelatedCollection (getRelationInfo, $FOLLOW included). */
static const char *related_of(pctx_t *c, const char *coll, str_t part)
{
    if (str_starts_with(part, STR("$FOLLOW(")) && part.n && part.p[part.n - 1] == ')') {
        str_t in = {part.p + 8, part.n - 9};
        long comma = str_index(in, ',');
        str_t first = jsval_trim(comma >= 0 ? (str_t){in.p, (size_t)comma} : in);
        return str_dup(c->a, first);
    }
    const schema_collection_t *cc = schema_collection(c->s, str_c(coll));
    const schema_field_t *f = cc ? schema_field(cc, part) : NULL;
    if (!f || !f->relation)
        return NULL;
    const schema_relation_t *r = f->relation;
    if (r->related_collection && strcmp(r->related_collection, coll) == 0)
        return r->collection;
    return r->related_collection;
}

static str_t join_path(pctx_t *c, str_t prefix, const str_t *stack, size_t n)
{
    str_t p = prefix;
    for (size_t i = 0; i < n; i++)
        p = p.n ? cat3(c->a, p, ".", stack[i]) : stack[i];
    return p;
}

static void fm_path(pctx_t *c, fm_group_t *g, const char *coll, str_t prefix, const str_t *parts,
                    size_t n)
{
    str_t stack[64];
    size_t sp = 0;
    const char *ctx = coll;
    for (size_t i = 0; i < n && sp < 64; i++) {
        str_t part = parts[i];
        fm_entry_t *info = fm_info(c, g, join_path(c, prefix, stack, sp), ctx);
        long colon = str_index(part, ':');
        if (colon >= 0) {
            str_t after = {part.p + colon + 1, part.n - (size_t)colon - 1};
            long c2 = str_index(after, ':');
            fm_add(c, info, (str_t){part.p, (size_t)colon});
            ctx = str_dup(c->a, c2 >= 0 ? (str_t){after.p, (size_t)c2} : after);
            stack[sp++] = part;
            continue;
        }
        bool follow = str_starts_with(part, STR("$FOLLOW(")) && part.p[part.n - 1] == ')';
        if (!follow)
            fm_add(c, info, filter_key_field(part));
        const char *rel = related_of(c, ctx, part);
        if (rel) {
            ctx = rel;
            stack[sp++] = part;
        }
    }
}

static size_t split_dots(pctx_t *c, str_t s, bool strip_minus, str_t **out)
{
    size_t n = 1;
    for (size_t i = 0; i < s.n; i++)
        n += s.p[i] == '.';
    str_t *parts = arena_alloc(c->a, n * sizeof *parts);
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= s.n; i++)
        if (i == s.n || s.p[i] == '.') {
            str_t p = {s.p + start, i - start};
            if (strip_minus && p.n && p.p[0] == '-')
                p = (str_t){p.p + 1, p.n - 1};
            parts[k++] = p;
            start = i + 1;
        }
    *out = parts;
    return k;
}

static bool agg_has_op(const query_t *q, str_t name)
{
    for (size_t i = 0; i < q->naggregate; i++)
        if (str_eq(q->aggregate[i].name, name))
            return true;
    return false;
}

typedef struct {
    str_t *parts;
    size_t n;
} path_t;

static void path_push_uniq(pctx_t *c, path_t **v, size_t *n, str_t *parts, size_t np)
{
    for (size_t i = 0; i < *n; i++) {
        if ((*v)[i].n != np)
            continue;
        bool same = true;
        for (size_t k = 0; k < np && same; k++)
            same = str_eq((*v)[i].parts[k], parts[k]);
        if (same)
            return;
    }
    *v = arena_realloc(c->a, *v, *n * sizeof **v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = (path_t){parts, np};
}

/* extractFieldsFromQuery */
static void fm_query(pctx_t *c, fieldmap_t *fm, const char *coll, const query_t *q, str_t prefix)
{
    if (!q)
        return;
    path_t *other = NULL, *read = NULL;
    size_t nother = 0, nread = 0;
    str_t **fp;
    size_t *fl;
    size_t nf = qfilter_paths(c->a, q->filter, &fp, &fl);
    for (size_t i = 0; i < nf; i++)
        path_push_uniq(c, &read, &nread, fp[i], fl[i]);
    for (size_t i = 0; i < q->sort.n; i++) {
        str_t *parts;
        size_t n = split_dots(c, q->sort.v[i], true, &parts);
        if (q->has_aggregate && n && agg_has_op(q, parts[0]))
            continue;
        path_push_uniq(c, &read, &nread, parts, n);
    }
    for (size_t i = 0; i < q->naggregate; i++)
        for (size_t k = 0; k < q->aggregate[i].fields.n; k++) {
            str_t f = q->aggregate[i].fields.v[k];
            if (str_eq_c(f, "*"))
                continue;
            str_t *parts;
            size_t n = split_dots(c, f, false, &parts);
            path_push_uniq(c, &other, &nother, parts, n);
        }
    for (size_t i = 0; i < q->group.n; i++) {
        str_t *parts;
        size_t n = split_dots(c, q->group.v[i], false, &parts);
        path_push_uniq(c, &other, &nother, parts, n);
    }
    for (size_t i = 0; i < nother; i++)
        fm_path(c, &fm->other, coll, prefix, other[i].parts, other[i].n);
    for (size_t i = 0; i < nread; i++)
        fm_path(c, &fm->read, coll, prefix, read[i].parts, read[i].n);
}

/* getUnaliasedFieldKey */
static str_t unaliased(const child_t *ch)
{
    if (ch->kind != CH_NODE)
        return filter_key_field(ch->name);
    const plan_node_t *n = ch->node;
    if (n->kind == PLAN_O2M)
        return str_c(n->rel->one_field);
    return str_c(n->rel->field);
}

static void fm_children(pctx_t *c, fieldmap_t *fm, const char *coll, const xnode_t *x, str_t path)
{
    /* By index: the recursive calls below add entries, which may move the array. */
    size_t info = (size_t)(fm_info(c, &fm->other, path, coll) - fm->other.v);
    for (size_t i = 0; x && i < x->nch; i++) {
        const child_t *ch = &x->ch[i];
        fm_add(c, &fm->other.v[info], unaliased(ch));
        if (ch->kind == CH_FUNC) {
            plan_fn_t fn;
            str_t field, fn_name;
            bool call;
            resolve_fn_key(ch->name, &fn, &field, &fn_name, &call);
            const schema_relation_t *r = o2m_alias(x->n.coll, field);
            if (r)
                fm_children(c, fm, r->collection, NULL, path.n ? cat3(c->a, path, ".", ch->field_key)
                                                              : ch->field_key);
            continue;
        }
        if (ch->kind != CH_NODE)
            continue;
        const plan_node_t *n = ch->node;
        if (n->kind == PLAN_A2O) {
            for (size_t t = 0; t < n->ntargets; t++) {
                str_t k = str_c(arena_printf(c->a, "%s:%s", n->key, n->targets[t]->coll->name));
                fm_children(c, fm, n->targets[t]->coll->name, X(n->targets[t]),
                            path.n ? cat3(c->a, path, ".", k) : k);
            }
            for (size_t t = 0; t < n->ntargets; t++) {
                str_t k = str_c(arena_printf(c->a, "%s:%s", n->key, n->targets[t]->coll->name));
                fm_query(c, fm, n->targets[t]->coll->name, n->targets[t]->q,
                         path.n ? cat3(c->a, path, ".", k) : k);
            }
            continue;
        }
        str_t sub = path.n ? cat3(c->a, path, ".", ch->field_key) : ch->field_key;
        fm_children(c, fm, n->coll->name, X((plan_node_t *)n), sub);
        fm_query(c, fm, n->coll->name, n->q, sub);
    }
}

/* "root" or "a.b" in quotes: where Directus says a path was queried. */
static const char *queried_in(pctx_t *c, const fm_entry_t *e)
{
    return e->path.n ? arena_printf(c->a, "\"%.*s\"", (int)e->path.n, e->path.p) : "root";
}

static int deny_collection(pctx_t *c, const fm_entry_t *e)
{
    return forbidden(c, arena_printf(c->a,
                                     "You don't have permission to access collection \"%s\" or "
                                     "it does not exist. Queried in %s.",
                                     e->coll, queried_in(c, e)));
}

/* Fails with Directus's message naming every field of e that ok() refuses ("field" or "fields"),
 * or returns 0 when it refuses none. The same text serves unknown and unreadable fields, so the
 * answer never tells which of the two it was. */
static int deny_fields(pctx_t *c, const fm_entry_t *e, bool (*ok)(const void *, str_t),
                       const void *arg)
{
    buf_t b;
    buf_init(&b, c->a, 64);
    size_t denied = 0;
    for (size_t k = 0; k < e->fields.n; k++) {
        if (ok(arg, e->fields.v[k]))
            continue;
        if (denied++)
            buf_puts(&b, ", ");
        buf_putc(&b, '"');
        buf_str(&b, e->fields.v[k]);
        buf_putc(&b, '"');
    }
    if (!denied)
        return 0;
    return forbidden(c, arena_printf(c->a,
                                     denied == 1 ? "You don't have permission to access field %s "
                                                   "in collection \"%s\" or it does not exist. "
                                                   "Queried in %s."
                                                 : "You don't have permission to access fields %s "
                                                   "in collection \"%s\" or they do not exist. "
                                                   "Queried in %s.",
                                     b.p, e->coll, queried_in(c, e)));
}

static bool field_exists(const void *coll, str_t name)
{
    return schema_field(coll, name) != NULL;
}

static bool field_readable(const void *pc, str_t name)
{
    return perm_can_read_field(pc, name);
}

static int fm_validate_group(pctx_t *c, const fm_group_t *g)
{
    for (size_t i = 0; i < g->n; i++) {
        const fm_entry_t *e = &g->v[i];
        const schema_collection_t *coll = schema_collection(c->s, str_c(e->coll));
        if (!coll)
            return deny_collection(c, e);
        if (deny_fields(c, e, field_exists, coll) < 0)
            return -1;
    }
    return 0;
}

/* validatePathPermissions over one group: the collection must have read rows, every field must
 * be granted by one of them. */
static int fm_permit_group(pctx_t *c, const fm_group_t *g)
{
    for (size_t i = 0; i < g->n; i++) {
        const fm_entry_t *e = &g->v[i];
        const perm_coll_t *pc = perm_coll(c->opts->perm, str_c(e->coll));
        if (!pc)
            return deny_collection(c, e);
        if (!perm_all_fields(pc) && deny_fields(c, e, field_readable, pc) < 0)
            return -1;
    }
    return 0;
}

/* ---- columns and outputs --------------------------------------------------------------------- */

static int col_find(const plan_node_t *n, const char *key)
{
    for (size_t i = 0; i < n->ncols; i++)
        if (n->cols[i].key && strcmp(n->cols[i].key, key) == 0)
            return (int)i;
    return -1;
}

static int col_add(pctx_t *c, plan_node_t *n, plan_col_t col)
{
    int at = col.key ? col_find(n, col.key) : -1;
    if (at >= 0)
        return at;
    n->cols = arena_realloc(c->a, n->cols, n->ncols * sizeof *n->cols,
                            (n->ncols + 1) * sizeof *n->cols);
    n->cols[n->ncols] = col;
    return (int)n->ncols++;
}

static int col_field(pctx_t *c, plan_node_t *n, const schema_field_t *f)
{
    plan_col_t col = {.key = f->name, .agg = QUERY_AGG_UNKNOWN};
    col.expr.field = f;
    return col_add(c, n, col);
}

static void out_add(pctx_t *c, plan_node_t *n, plan_out_t o)
{
    for (size_t i = 0; i < n->nouts; i++)
        if (strcmp(n->outs[i].key, o.key) == 0)
            return; /* lodash pick: the first occurrence decides the position */
    buf_t k;
    buf_init(&k, c->a, strlen(o.key) + 4);
    json_write_str(&k, str_c(o.key));
    buf_putc(&k, ':');
    o.json_key = buf_slice(&k);
    n->outs = arena_realloc(c->a, n->outs, n->nouts * sizeof *n->outs,
                            (n->nouts + 1) * sizeof *n->outs);
    n->outs[n->nouts++] = o;
}

static void kid_add(pctx_t *c, plan_node_t *n, plan_node_t *k)
{
    n->kids = arena_realloc(c->a, n->kids, n->nkids * sizeof *n->kids,
                            (n->nkids + 1) * sizeof *n->kids);
    n->kids[n->nkids++] = k;
}

/* Columns of the children's plain and function fields (parseCurrentLevel). */
/* The per-row rule of a requested column (injectCases). The primary key and foreign keys are
 * left unmasked: the planner reads them to assemble nested items. */
static int field_mask(pctx_t *c, plan_node_t *n, plan_col_t *col)
{
    const schema_field_t *f = col->expr.field;
    if (!c->opts->perm || f == n->coll->primary || f->relation)
        return 0;
    const perm_coll_t *pc = perm_coll(c->opts->perm, str_c(n->coll->name));
    bool denied;
    qfilter_t *rule = pc ? perm_field_rule(c->a, pc, str_c(f->name), &denied) : NULL;
    if (!rule)
        return 0;
    col->mask = arena_calloc(c->a, 1, sizeof *col->mask);
    col->mask->scope.base = n->coll;
    return resolve_filter(&c->r, &col->mask->scope, rule, &col->mask->root);
}

/* count(<o2m>) as a field counts only the related rows the caller may read. */
static int count_rule(pctx_t *c, plan_expr_t *x)
{
    if (!c->opts->perm || x->fn != PLAN_FN_COUNT || !x->count_rel)
        return 0;
    const schema_collection_t *child = schema_collection(c->s, str_c(x->count_rel->collection));
    const perm_coll_t *pc = child ? perm_coll(c->opts->perm, str_c(child->name)) : NULL;
    qfilter_t *rule = pc ? perm_row_rule(c->a, pc) : NULL;
    if (!rule)
        return 0;
    plan_filter_t *f = arena_calloc(c->a, 1, sizeof *f);
    f->scope.base = child;
    x->count_rule = f;
    return resolve_filter(&c->r, &f->scope, rule, &f->root);
}

static int field_columns(pctx_t *c, xnode_t *x)
{
    plan_node_t *n = &x->n;
    for (size_t i = 0; i < x->nch; i++) {
        child_t *ch = &x->ch[i];
        if (ch->kind == CH_NODE)
            continue;
        plan_col_t col = {.agg = QUERY_AGG_UNKNOWN};
        if (resolve_column(&c->r, n->coll, ch->name, &col.expr) < 0)
            return -1;
        if (!col.expr.field)
            continue;
        if (col.expr.field->type == SCHEMA_TYPE_ALIAS && col.expr.fn == PLAN_FN_NONE)
            continue; /* an alias with no relation has no column */
        if (count_rule(c, &col.expr) < 0)
            return -1;
        bool aliased;
        alias_target(x, ch->field_key, &aliased);
        col.key = str_dup(c->a, ch->field_key);
        col.raw = aliased;
        if (col_find(n, col.key) < 0 && field_mask(c, n, &col) < 0)
            return -1;
        col_add(c, n, col);
    }
    return 0;
}

static void relation_columns(pctx_t *c, xnode_t *x)
{
    plan_node_t *n = &x->n;
    for (size_t i = 0; i < x->nch; i++) {
        child_t *ch = &x->ch[i];
        if (ch->kind != CH_NODE)
            continue;
        plan_node_t *k = ch->node;
        if (k->kind == PLAN_M2O) {
            k->link_col = col_field(c, n, schema_field(n->coll, str_c(k->rel->field)));
        } else if (k->kind == PLAN_A2O) {
            k->link_col = col_field(c, n, schema_field(n->coll, str_c(k->rel->field)));
            const schema_field_t *cf = schema_field(n->coll, str_c(k->rel->one_collection_field));
            k->a2o_coll_col = cf ? col_field(c, n, cf) : -1;
            for (size_t t = 0; t < k->ntargets; t++) {
                k->targets[t]->link_col = k->link_col;
                k->targets[t]->a2o_coll_col = k->a2o_coll_col;
            }
        }
    }
}

static void outputs(pctx_t *c, xnode_t *x)
{
    plan_node_t *n = &x->n;
    for (size_t i = 0; i < x->nch; i++) {
        child_t *ch = &x->ch[i];
        plan_out_t o = {.key = plan_fn_key(c->a, ch->field_key), .col = -1};
        if (ch->kind == CH_NODE) {
            o.kind = PLAN_OUT_NODE;
            o.node = ch->node;
            kid_add(c, n, ch->node);
        } else {
            o.kind = PLAN_OUT_COL;
            o.col = col_find(n, str_dup(c->a, ch->field_key));
            if (o.col < 0)
                continue;
        }
        out_add(c, n, o);
    }
}

/* ---- filters, search, sorts ------------------------------------------------------------------ */

static int node_filter(pctx_t *c, plan_node_t *n, const qfilter_t *f)
{
    n->filter.scope.base = n->coll;
    return resolve_filter(&c->r, &n->filter.scope, f, &n->filter.root);
}

static int node_sorts(pctx_t *c, plan_node_t *n, const query_list_t *sorts)
{
    n->sort_scope.base = n->coll;
    n->sorts = arena_calloc(c->a, sorts->n ? sorts->n : 1, sizeof *n->sorts);
    for (size_t i = 0; i < sorts->n; i++) {
        bool skip;
        if (resolve_sort(&c->r, &n->sort_scope, sorts->v[i], &n->sorts[n->nsorts], &skip) < 0)
            return -1;
        if (!skip)
            n->nsorts++;
    }
    return 0;
}

/* ---- the nodes, finished ---------------------------------------------------------------------- */

static int finish_node(pctx_t *c, xnode_t *x);

/* plan_merge_t: a deep _filter whose only key is the foreign key, with an operator or a
 * relational path right under it (logical operators there were hoisted above it by parseFilter,
 * so they leave the merge alone). Returns the user filter the node keeps. */
static qfilter_t *parent_merge(plan_node_t *n, qfilter_t *f)
{
    /* o2m: {fk: {_in: parent keys}}; m2o: {pk: {_in: the parents' foreign keys}} */
    const char *key = n->kind == PLAN_M2O ? (n->coll->primary ? n->coll->primary->name : NULL)
                      : n->rel                ? n->rel->field
                                              : NULL;
    if (!f || f->kind != QF_FIELD || !f->child || !key || !str_eq_c(f->key, key))
        return f;
    const qfilter_t *under = f->child;
    if (under->kind == QF_OP && under->op == QOP_IN && under->val.kind == QV_LIST) {
        n->merge = PLAN_MERGE_TAIL;
        n->merge_tail = under->val.items;
        n->nmerge_tail = under->val.n;
        return NULL;
    }
    if (under->kind == QF_OP || under->kind == QF_FIELD)
        n->merge = PLAN_MERGE_ORPHANS;
    return f;
}

/* node_filter for a nested node: an INVALID_QUERY is kept on the node (deferred_err) for the
 * read to raise when it would run the node's query. */
static int nested_filter(pctx_t *c, plan_node_t *n, qfilter_t *f)
{
    if (node_filter(c, n, f) == 0)
        return 0;
    if (c->e->code != ERR_INVALID_QUERY)
        return -1;
    err_t *kept = arena_alloc(c->a, sizeof *kept);
    *kept = *c->e;
    *c->e = (err_t){0};
    n->deferred_err = kept;
    n->filter = (plan_filter_t){.scope.base = n->coll};
    return 0;
}

/* What every nested node does first: its filter (the parent's merged into the caller's row
 * rule), its search, its columns and its primary key. */
static int finish_nested(pctx_t *c, xnode_t *x)
{
    plan_node_t *n = &x->n;
    const query_t *q = n->q;
    if (nested_filter(c, n, with_rule(c, n->coll, parent_merge(n, q->filter))) < 0)
        return -1;
    n->has_search = q->has_search;
    n->search = q->search;
    if (field_columns(c, x) < 0)
        return -1;
    relation_columns(c, x);
    if (n->coll->primary)
        n->pk_col = col_field(c, n, n->coll->primary);
    return 0;
}

static int finish_o2m(pctx_t *c, xnode_t *x)
{
    if (finish_nested(c, x) < 0)
        return -1;
    plan_node_t *n = &x->n;
    const query_t *q = n->q;
    /* applyParentFilters: the foreign key and the relation's sort field come along. */
    const schema_field_t *fk = schema_field(n->coll, str_c(n->rel->field));
    if (fk)
        n->link_col = col_field(c, n, fk);
    const schema_field_t *sf =
        n->rel->sort_field ? schema_field(n->coll, str_c(n->rel->sort_field)) : NULL;
    if (sf)
        col_field(c, n, sf);
    if (node_sorts(c, n, &q->sort) < 0)
        return -1;
    if (q->sort.n) {
        str_t first = q->sort.v[0];
        n->sort_key_desc = first.n && first.p[0] == '-';
        if (n->sort_key_desc)
            first = (str_t){first.p + 1, first.n - 1};
        n->sort_key_col = col_find(n, str_dup(c->a, first));
    }
    n->slice_limit = q->has_limit ? q->limit : (double)c->opts->limit_default;
    n->has_slice_offset = q->has_offset;
    n->slice_offset = q->offset;
    n->has_slice_page = q->has_page;
    n->slice_page = q->page;
    outputs(c, x);
    return 0;
}

static int finish_m2o(pctx_t *c, xnode_t *x)
{
    if (finish_nested(c, x) < 0)
        return -1;
    outputs(c, x);
    return 0;
}

static int finish_node(pctx_t *c, xnode_t *x)
{
    plan_node_t *n = &x->n;
    int rc = 0;
    if (n->kind == PLAN_O2M)
        rc = finish_o2m(c, x);
    else if (n->kind == PLAN_M2O)
        rc = finish_m2o(c, x);
    if (rc < 0)
        return -1;
    if (n->kind == PLAN_O2M || n->kind == PLAN_ROOT) {
        n->stmt = (int)c->p->nstmts;
        c->p->stmts = arena_realloc(c->a, c->p->stmts, c->p->nstmts * sizeof(void *),
                                    (c->p->nstmts + 1) * sizeof(void *));
        c->p->stmts[c->p->nstmts++] = n;
    }
    for (size_t i = 0; i < x->nch; i++) {
        plan_node_t *k = x->ch[i].node;
        if (x->ch[i].kind != CH_NODE)
            continue;
        if (k->kind == PLAN_A2O) {
            for (size_t t = 0; t < k->ntargets; t++)
                if (finish_node(c, X(k->targets[t])) < 0)
                    return -1;
        } else if (finish_node(c, X(k)) < 0) {
            return -1;
        }
    }
    return 0;
}

/* ---- the root ---------------------------------------------------------------------------------- */

static qfilter_t *qf_node(pctx_t *c, qf_kind_t kind)
{
    qfilter_t *f = arena_calloc(c->a, 1, sizeof *f);
    f->kind = kind;
    return f;
}

static qfilter_t *pk_condition(pctx_t *c, const schema_collection_t *coll, qop_t op, str_t opname,
                               qval_t v)
{
    qfilter_t *fld = qf_node(c, QF_FIELD);
    fld->key = str_c(coll->primary->name);
    fld->child = qf_node(c, QF_OP);
    fld->child->op = op;
    fld->child->key = opname;
    fld->child->val = v;
    return fld;
}

/* readOne / readMany: the key conditions joined to the query's filter. */
static void key_filter(pctx_t *c, const schema_collection_t *coll, query_t *q)
{
    const plan_opts_t *o = c->opts;
    if (o->by_key) {
        qfilter_t *k = pk_condition(c, coll, QOP_EQ, STR("_eq"),
                                    (qval_t){.kind = QV_STRING, .s = o->key});
        qfilter_t *f = q->filter;
        /* Object.assign({}, filter, {[pk]: …}): a top-level condition on the pk is replaced. */
        if (!f || (f->kind == QF_FIELD && str_eq(f->key, k->key)) ||
            (f->kind == QF_AND && f->empty_object)) {
            q->filter = k;
            return;
        }
        qfilter_t *and = qf_node(c, QF_AND);
        and->kids = arena_alloc(c->a, 2 * sizeof *and->kids);
        and->kids[0] = f;
        and->kids[1] = k;
        and->nkids = 2;
        q->filter = and;
        return;
    }
    if (o->keys) {
        qval_t list = {.kind = QV_LIST, .items = (qval_t *)o->keys, .n = o->nkeys};
        qfilter_t *k = pk_condition(c, coll, QOP_IN, STR("_in"), list);
        qfilter_t *and = qf_node(c, QF_AND);
        and->kids = arena_alloc(c->a, 2 * sizeof *and->kids);
        and->kids[0] = k;
        and->nkids = 1;
        if (q->filter)
            and->kids[and->nkids++] = q->filter;
        q->filter = and;
    }
}

static void root_paging(pctx_t *c, const query_t *q)
{
    plan_t *p = c->p;
    double limit = q->has_limit ? q->limit : (double)c->opts->limit_default;
    if (c->opts->singleton)
        limit = 1;
    if (c->opts->keys && c->opts->nkeys && (!q->has_limit || q->limit == 0))
        limit = (double)c->opts->nkeys;
    p->limit = isfinite(limit) ? (int64_t)limit : -1;
    if (q->has_offset && q->offset && isfinite(q->offset)) {
        p->has_offset = true;
        p->offset = (int64_t)q->offset;
    }
    if (q->has_page && q->page && p->limit && p->limit != -1 && isfinite(q->page)) {
        p->has_offset = true;
        p->offset = p->limit * ((int64_t)q->page - 1);
    }
}

static int agg_column(pctx_t *c, plan_node_t *n, query_agg_op_t op, str_t field, bool *star)
{
    plan_col_t col = {.agg = op};
    *star = false;
    if (str_eq_c(field, "*")) {
        if (op != QUERY_AGG_COUNT && op != QUERY_AGG_COUNT_ALL)
            return err_invalid_query(c->e, c->a,
                                     arena_printf(c->a, "Invalid aggregate field \"*\" for "
                                                        "\"%s\"",
                                                  op == QUERY_AGG_SUM ? "sum" : "aggregate"));
        col.agg_star = true;
        *star = true;
        return col_add(c, n, col);
    }
    const schema_field_t *f = schema_field(n->coll, field);
    if (!f || f->type == SCHEMA_TYPE_ALIAS)
        return err_invalid_query(c->e, c->a,
                                 arena_printf(c->a, "Can't aggregate field \"%.*s\"", (int)field.n,
                                              field.p));
    col.expr.field = f;
    col.agg_distinct_pk =
        op == QUERY_AGG_COUNT_DISTINCT && f == n->coll->primary && !n->filter.scope.njoins;
    col.raw = true;
    return col_add(c, n, col);
}

static int aggregate_outputs(pctx_t *c, xnode_t *x, const query_t *q)
{
    plan_node_t *n = &x->n;
    for (size_t i = 0; i < q->naggregate; i++) {
        const query_agg_t *g = &q->aggregate[i];
        if (g->op == QUERY_AGG_UNKNOWN)
            continue;
        plan_out_t o = {.kind = PLAN_OUT_AGG, .key = str_dup(c->a, g->name), .col = -1};
        for (size_t k = 0; k < g->fields.n; k++) {
            bool star;
            int col = agg_column(c, n, g->op, g->fields.v[k], &star);
            if (col < 0)
                return -1;
            if (g->op == QUERY_AGG_COUNT_ALL)
                continue; /* countAll is selected, never output */
            if (star) {
                o.col = col;
                continue;
            }
            o.sub = arena_realloc(c->a, o.sub, o.nsub * sizeof *o.sub,
                                  (o.nsub + 1) * sizeof *o.sub);
            o.sub[o.nsub++] = (plan_agg_entry_t){str_dup(c->a, g->fields.v[k]), col};
        }
        if (o.col >= 0 || o.nsub)
            out_add(c, n, o);
    }
    return 0;
}

/* Aggregate plans sort by "count", "sum.views", … or by a group column. */
static int aggregate_sorts(pctx_t *c, plan_node_t *n, const query_t *q)
{
    n->sort_scope.base = n->coll;
    n->sorts = arena_calloc(c->a, q->sort.n ? q->sort.n : 1, sizeof *n->sorts);
    for (size_t i = 0; i < q->sort.n; i++) {
        str_t s = q->sort.v[i];
        bool desc = s.n && s.p[0] == '-';
        str_t *parts;
        size_t np = split_dots(c, s, true, &parts);
        if (np && agg_has_op(q, parts[0])) {
            /* Find the column: count(*) for "count", else op over parts[1]. */
            for (size_t k = 0; k < n->ncols; k++) {
                const plan_col_t *col = &n->cols[k];
                const char *opname = NULL;
                for (size_t g = 0; g < q->naggregate; g++)
                    if (q->aggregate[g].op == col->agg && str_eq(q->aggregate[g].name, parts[0]))
                        opname = "";
                if (!opname)
                    continue;
                bool want_star = np < 2 || str_eq_c(parts[1], "*");
                if (want_star ? col->agg_star
                              : (!col->agg_star && col->expr.field &&
                                 str_eq_c(parts[1], col->expr.field->name))) {
                    n->sorts[n->nsorts++] = (plan_sort_t){.kind = PLAN_SORT_COL, .col = (int)k,
                                                          .desc = desc};
                    break;
                }
            }
            continue;
        }
        bool skip;
        if (resolve_sort(&c->r, &n->sort_scope, s, &n->sorts[n->nsorts], &skip) < 0)
            return -1;
        if (!skip)
            n->nsorts++;
    }
    return 0;
}

/* A sort key PostgreSQL accepts beside the GROUP BY: an aggregate, or a group column as it is
 * grouped (Directus groups a column under per-row field permissions by its CASE WHEN, never by
 * the bare column the sort names). */
/* Directus's whenCase (injectCases): a field read under permissions has one unless a permission
 * row without a row rule grants it (or "*"), however the other rows overlap. (field_mask leaves
 * out the masks that change nothing; Directus's SQL still carries them.) */
static bool when_case(const pctx_t *c, const schema_collection_t *coll, const schema_field_t *f)
{
    const perm_coll_t *pc = c->opts->perm ? perm_coll(c->opts->perm, str_c(coll->name)) : NULL;
    if (!pc || !f)
        return false;
    for (size_t i = 0; i < pc->nrules; i++) {
        const perm_rule_t *r = &pc->rules[i];
        if (r->rule)
            continue;
        if (r->all_fields)
            return false;
        for (size_t k = 0; k < r->nfields; k++)
            if (str_eq_c(r->fields[k], f->name))
                return false;
    }
    return true;
}

static bool sort_grouped(const pctx_t *c, const plan_node_t *n, const plan_sort_t *s)
{
    if (s->kind != PLAN_SORT_EXPR)
        return true;
    for (size_t g = 0; g < n->ngroup; g++) {
        const plan_col_t *col = &n->cols[n->group_cols[g]];
        if (!when_case(c, n->coll, col->expr.field) && !s->expr.join &&
            col->expr.field == s->expr.field && col->expr.fn == s->expr.fn)
            return true;
    }
    return false;
}

/* getDBQuery with case/when on the group fields: applyQuery groups by CASE WHEN <rule> THEN
 * column END and orders by that expression only when the sort is exactly the first group field
 * (the sort getAllowedSort gives a grouped query); any other sort orders by the bare column,
 * which PostgreSQL refuses ("must appear in the GROUP BY clause"): a 500. */
static int masked_group_sort(pctx_t *c, const plan_node_t *n, const query_t *q)
{
    if (c->p->dialect != DB_PG || !q->has_group || !q->group.n || !q->sort.n ||
        (q->sort.n == 1 && str_eq(q->sort.v[0], q->group.v[0])))
        return 0;
    bool masked = false;
    for (size_t g = 0; g < n->ngroup; g++)
        masked |= when_case(c, n->coll, n->cols[n->group_cols[g]].expr.field);
    for (size_t i = 0; masked && i < n->nsorts; i++)
        if (!sort_grouped(c, n, &n->sorts[i]))
            return err_set(c->e, c->a, ERR_INTERNAL_SERVER_ERROR, NULL);
    return 0;
}

static int finish_aggregate(pctx_t *c, xnode_t *x, const query_t *q)
{
    plan_node_t *n = &x->n;
    n->aggregate = true;
    c->r.join_some = true;
    int rc = node_filter(c, n, q->filter);
    c->r.join_some = false;
    if (rc < 0)
        return -1;
    n->has_search = q->has_search;
    n->search = q->search;
    if (field_columns(c, x) < 0)
        return -1;
    n->group_cols = arena_alloc(c->a, (n->ncols ? n->ncols : 1) * sizeof *n->group_cols);
    if (q->has_group)
        for (size_t i = 0; i < n->ncols; i++)
            n->group_cols[n->ngroup++] = (int)i;
    /* The group columns keep their field names, so processValues formats them like any read
     * (a dateTime group is "2021-01-11T12:38:05", not the driver's Date). */
    outputs(c, x);
    if (aggregate_outputs(c, x, q) < 0)
        return -1;
    if (aggregate_sorts(c, n, q) < 0 || masked_group_sort(c, n, q) < 0)
        return -1;
    n->stmt = 0;
    c->p->stmts = arena_alloc(c->a, sizeof(void *));
    c->p->stmts[0] = n;
    c->p->nstmts = 1;
    return 0;
}

static void root_sort(pctx_t *c, query_t *q, const schema_collection_t *coll)
{
    bool agg_keys = q->has_aggregate && q->naggregate > 0;
    if (!q->has_sort) {
        if (q->has_group && q->group.n) {
            q->has_sort = true;
            q->sort.v = arena_alloc(c->a, sizeof *q->sort.v);
            q->sort.v[0] = q->group.v[0];
            q->sort.n = 1;
        } else {
            default_sort(c, q, coll, NULL);
        }
    }
    if (agg_keys && !(q->has_group && q->group.n)) {
        q->has_sort = false;
        q->sort = (query_list_t){0};
    }
}

static strvec_t unique(pctx_t *c, const query_list_t *l)
{
    strvec_t v = {0};
    for (size_t i = 0; i < l->n; i++)
        if (!sv_has(&v, l->v[i]))
            sv_push(c->a, &v, l->v[i]);
    return v;
}

/* Column offsets of the to-one nodes joined into a statement (see plan_node_t.col_base). */
static int layout(plan_node_t *n, int base)
{
    n->col_base = base;
    base += (int)n->ncols;
    for (size_t i = 0; i < n->nkids; i++) {
        plan_node_t *k = n->kids[i];
        if (k->kind == PLAN_M2O)
            base = layout(k, base);
        else if (k->kind == PLAN_A2O)
            for (size_t t = 0; t < k->ntargets; t++)
                base = layout(k->targets[t], base);
    }
    return base;
}

static void layouts(plan_t *p)
{
    for (size_t i = 0; i < p->nstmts; i++)
        p->stmts[i]->stmt_ncols = layout(p->stmts[i], 0);
}

/* filter_count counts with the query's filter, not with the key condition of a read by key. */
static int meta_filter(pctx_t *c, const query_t *q)
{
    /* readOne answers no meta: its filter is never checked for one. */
    if (!q->nmeta || c->opts->by_key)
        return 0;
    c->p->meta_filter.scope.base = c->p->root->coll;
    return resolve_filter(&c->r, &c->p->meta_filter.scope,
                          with_rule(c, c->p->root->coll, q->filter), &c->p->meta_filter.root);
}

/* The root collection itself, even when no field of it was asked for. */
static int fm_permit_root(pctx_t *c, const schema_collection_t *coll)
{
    if (readable(c, coll))
        return 0;
    return forbidden(c, arena_printf(c->a,
                                     "You don't have permission to access collection \"%s\" or "
                                     "it does not exist. Queried in root.",
                                     coll->name));
}

plan_t *plan_read(arena_t *a, err_t *e, const schema_t *s, const schema_collection_t *coll,
                  const query_t *q, const plan_opts_t *opts)
{
    plan_t *p = arena_calloc(a, 1, sizeof *p);
    p->schema = s;
    p->dialect = schema_dialect(s);
    p->by_key = opts->by_key;
    p->key = opts->key;
    pctx_t c = {.a = a, .e = e, .s = s, .p = p, .opts = opts};
    c.r = (resolve_t){.a = a, .e = e, .s = s, .plan = p};
    query_t *rq = arena_alloc(a, sizeof *rq);
    *rq = *q;
    p->q = rq;
    key_filter(&c, coll, rq);
    root_sort(&c, rq, coll);
    root_paging(&c, rq);

    xnode_t *root = new_node(&c, PLAN_ROOT, coll, NULL);
    root->n.q = rq;
    root->deep = rq->deep;
    root->alias = rq->alias;
    root->nalias = rq->nalias;
    p->root = &root->n;
    bool aggregate = (rq->has_aggregate && rq->naggregate > 0) || rq->has_group;
    query_list_t fields = {0};
    static str_t star = {"*", 1};
    if (rq->has_fields)
        fields = rq->fields;
    else
        fields = (query_list_t){&star, 1};
    if (rq->has_aggregate && rq->naggregate > 0)
        fields = (query_list_t){0};
    if (rq->has_group)
        fields = rq->group;
    strvec_t uf = unique(&c, &fields);
    if (build_level(&c, root, uf.v, uf.n) < 0)
        return NULL;

    fieldmap_t fm = {0};
    fm_children(&c, &fm, coll->name, root, STR(""));
    fm_query(&c, &fm, coll->name, rq, STR(""));
    if (fm_validate_group(&c, &fm.read) < 0 || fm_validate_group(&c, &fm.other) < 0)
        return NULL;
    if (opts->perm) {
        if (fm_permit_root(&c, coll) < 0 || fm_permit_group(&c, &fm.other) < 0 ||
            fm_permit_group(&c, &fm.read) < 0)
            return NULL;
        /* The rules themselves are not subject to field checks: added after them. */
        rq->filter = with_rule(&c, coll, rq->filter);
        const perm_coll_t *pc = perm_coll(opts->perm, str_c(coll->name));
        p->total_filter.scope.base = coll;
        if (resolve_filter(&c.r, &p->total_filter.scope, perm_row_rule(a, pc),
                           &p->total_filter.root) < 0)
            return NULL;
    }

    if (aggregate) {
        if (finish_aggregate(&c, root, rq) < 0)
            return NULL;
        return meta_filter(&c, q) < 0 ? NULL : (layouts(p), p);
    }
    plan_node_t *n = &root->n;
    if (node_filter(&c, n, rq->filter) < 0)
        return NULL;
    n->has_search = rq->has_search;
    n->search = rq->search;
    if (field_columns(&c, root) < 0)
        return NULL;
    if (node_sorts(&c, n, &rq->sort) < 0)
        return NULL;
    relation_columns(&c, root);
    n->pk_col = col_field(&c, n, coll->primary);
    outputs(&c, root);
    if (finish_node(&c, root) < 0)
        return NULL;
    if (meta_filter(&c, q) < 0)
        return NULL;
    layouts(p);
    return p;
}

size_t plan_statement_count(const plan_t *p)
{
    return p->nstmts;
}
