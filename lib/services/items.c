/*
 * Items read: execution and assembly. The root statement runs first; then each to-many node,
 * parents before children, with the distinct keys its parents' rows hold; the rows of a to-many
 * node are grouped by their foreign key in a hash table so rendering a parent finds its children
 * in constant time. Rendering walks the plan: to-one nodes read the same row as their parent
 * (they were joined), to-many nodes read their group.
 */
#include "lib/services/items.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib/core/json.h"
#include "lib/core/log.h"
#include "lib/services/items_json.h"
#include "lib/sql/compile.h"

/* Parent keys per statement: beyond this the IN list is split (a page of more than this many
 * parents is rare; every statement still covers a whole batch of parents). */
#define KEYS_PER_STATEMENT 20000

static size_t last_statements;

size_t items_last_statements(void)
{
    return last_statements;
}

/* ---- key hashing -------------------------------------------------------------------------- */

/* Room for an integer key's text: 20 digits and a sign. */
typedef struct {
    char d[24];
} keybuf_t;

/* A cell as text, the same for 1 (integer) and "1" (text): keys from a pk and an fk match. An
 * integer's text is written into kb (no allocation: most keys are only looked up); text keys
 * point into the result, a double's text into the arena. */
static str_t key_text(arena_t *a, const db_value_t *v, keybuf_t *kb)
{
    switch (v->type) {
    case DB_INT:
    case DB_BOOL: {
        /* kb holds any integer's text with its NUL, so this buffer never grows (no arena) */
        buf_t t = {.p = kb->d, .cap = sizeof kb->d};
        buf_int(&t, v->i);
        return buf_slice(&t);
    }
    case DB_FLOAT:
        return str_c(arena_printf(a, "%.17g", v->f));
    case DB_TEXT:
    case DB_BLOB:
        return v->s;
    default:
        return STR_NULL;
    }
}

static uint64_t hash(str_t s)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < s.n; i++)
        h = (h ^ (unsigned char)s.p[i]) * 1099511628211ULL;
    return h;
}

typedef struct {
    str_t key;
    const db_value_t **rows; /* the rows of this parent, database order, then sliced/sorted */
    size_t n, cap;
    bool used;
} group_t;

typedef struct {
    group_t *slots;
    size_t cap; /* power of two */
    size_t n;
} groups_t;

static void groups_init(arena_t *a, groups_t *g, size_t expect)
{
    g->cap = 16;
    while (g->cap < expect * 2)
        g->cap *= 2;
    g->slots = arena_calloc(a, g->cap, sizeof *g->slots);
    g->n = 0;
}

/* The slot of key: its group, or the empty slot where it belongs. */
static group_t *groups_slot(const groups_t *g, str_t key)
{
    size_t i = hash(key) & (g->cap - 1);
    while (g->slots[i].used && !str_eq(g->slots[i].key, key))
        i = (i + 1) & (g->cap - 1);
    return &g->slots[i];
}

/* The group of the key cell v, or NULL. */
static group_t *groups_find(const groups_t *g, arena_t *a, const db_value_t *v)
{
    if (!g->cap)
        return NULL;
    keybuf_t kb;
    group_t *s = groups_slot(g, key_text(a, v, &kb));
    return s->used ? s : NULL;
}

/* The group of the key cell v, created (with a copy of an integer key's text) if new. */
static group_t *groups_add(groups_t *g, arena_t *a, const db_value_t *v)
{
    keybuf_t kb;
    str_t key = key_text(a, v, &kb);
    group_t *s = groups_slot(g, key);
    if (s->used)
        return s;
    s->used = true;
    s->key = key.p == kb.d ? (str_t){arena_strndup(a, key.p, key.n), key.n} : key;
    g->n++;
    return s;
}

/* Whether the key cell v was seen before; it is from now on. */
static bool seen_before(groups_t *seen, arena_t *a, const db_value_t *v)
{
    size_t n = seen->n;
    groups_add(seen, a, v);
    return seen->n == n;
}

static void group_push(arena_t *a, group_t *gr, const db_value_t *row)
{
    if (gr->n == gr->cap) {
        size_t cap = gr->cap ? gr->cap * 2 : 4;
        gr->rows = arena_realloc(a, gr->rows, gr->cap * sizeof *gr->rows, cap * sizeof *gr->rows);
        gr->cap = cap;
    }
    gr->rows[gr->n++] = row;
}

/* ---- execution ---------------------------------------------------------------------------- */

/* What a statement node's rows are: in a union statement only the rows of its branch, each
 * pointer at the start of its columns. */
typedef struct {
    const db_value_t **rows;
    size_t nrows;
    const db_column_t *cols;
    groups_t groups; /* to-many nodes: rows per parent key */
} state_t;

typedef struct guess guess_t;

typedef struct {
    arena_t *a;
    err_t *e;
    db_conn_t *db;
    const plan_t *p;
    state_t *st;    /* per statement node */
    guess_t *guess; /* the first level's rows fetched with the root's, or NULL */
} exec_t;

static int run(exec_t *x, const sqlbuf_t *b, db_result_t *out);

static void state_rows(exec_t *x, state_t *st, const db_result_t *r)
{
    st->rows = arena_alloc(x->a, (r->nrows ? r->nrows : 1) * sizeof *st->rows);
    st->nrows = r->nrows;
    st->cols = r->cols;
    for (size_t i = 0; i < r->nrows; i++)
        st->rows[i] = &r->cells[i * r->ncols];
}

static int run(exec_t *x, const sqlbuf_t *b, db_result_t *out)
{
    sqlbuf_out_t r;
    if (compile_render(x->a, x->e, x->p, b, &r) < 0)
        return -1;
    last_statements++;
    log_debug("items sql: %s", r.sql);
    return db_exec(x->db, x->a, x->e, r.sql, r.params, r.nparams, out);
}

/* The statement node whose rows hold node n (n itself, or the node n is joined into). */
static const plan_node_t *statement_of(const plan_node_t *n)
{
    while (n->kind != PLAN_ROOT && n->kind != PLAN_O2M)
        n = n->parent;
    return n;
}

/* Distinct non-null values of the parent's primary key over the rows it appears in. */
static db_value_t *parent_keys(exec_t *x, const plan_node_t *parent, size_t *n)
{
    const plan_node_t *s = statement_of(parent);
    const state_t *r = &x->st[s->stmt];
    groups_t seen;
    groups_init(x->a, &seen, r->nrows);
    db_value_t *keys = arena_alloc(x->a, (r->nrows ? r->nrows : 1) * sizeof *keys);
    *n = 0;
    int col = parent->col_base + parent->pk_col;
    for (size_t i = 0; i < r->nrows; i++) {
        const db_value_t *v = &r->rows[i][col];
        if (v->type == DB_NULL || seen_before(&seen, x->a, v))
            continue;
        keys[(*n)++] = *v;
    }
    return keys;
}

/* JavaScript's Array.prototype.slice bounds. */
static size_t js_index(double v, size_t len)
{
    if (isnan(v))
        return 0;
    v = trunc(v);
    if (v < 0)
        return v + (double)len < 0 ? 0 : (size_t)(v + (double)len);
    return v > (double)len ? len : (size_t)v;
}

static void slice(group_t *g, double start, double end, bool has_end)
{
    size_t from = js_index(start, g->n);
    size_t to = has_end ? js_index(end, g->n) : g->n;
    if (to < from)
        to = from;
    g->rows += from;
    g->n = to - from;
    g->cap = 0; /* rows no longer own their allocation */
}

typedef struct {
    db_dialect_t d;
    const plan_col_t *col;
    int idx;
    bool desc;
} sortkey_t;

/* Stable merge sort (Array.prototype.sort is stable in V8). */
static void merge_sort(arena_t *a, const db_value_t **v, size_t n, const sortkey_t *k)
{
    if (n < 2)
        return;
    const db_value_t **tmp = arena_alloc(a, n * sizeof *tmp);
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, o = lo;
            while (i < mid && j < hi) {
                int c = items_json_compare(k->d, k->col, &v[j][k->idx], &v[i][k->idx], k->desc);
                tmp[o++] = c < 0 ? v[j++] : v[i++];
            }
            while (i < mid)
                tmp[o++] = v[i++];
            while (j < hi)
                tmp[o++] = v[j++];
        }
        memcpy(v, tmp, n * sizeof *v);
    }
}

/* mergeWithParentItems for one parent: page, offset, limit, then the first sort key. */
static void shape_group(exec_t *x, const plan_node_t *n, group_t *g)
{
    double limit = n->slice_limit;
    if (n->has_slice_page && n->slice_page > 1)
        slice(g, limit * (n->slice_page - 1), 0, false);
    if (n->has_slice_offset && n->slice_offset > 0)
        slice(g, n->slice_offset, 0, false);
    if (limit != -1)
        slice(g, 0, limit, true);
    if (n->sort_key_col >= 0) {
        sortkey_t k = {x->p->dialect, &n->cols[n->sort_key_col], n->col_base + n->sort_key_col,
                       n->sort_key_desc};
        merge_sort(x->a, g->rows, g->n, &k);
    }
}

static void add_row(exec_t *x, const plan_node_t *n, state_t *st, const db_value_t *row)
{
    st->rows[st->nrows++] = row;
    const db_value_t *fk = &row[n->col_base + n->link_col];
    if (fk->type == DB_NULL)
        return;
    group_push(x->a, groups_add(&st->groups, x->a, fk), row);
}

static void shape_groups(exec_t *x, const plan_node_t *n, state_t *st)
{
    for (size_t i = 0; i < st->groups.cap; i++)
        if (st->groups.slots[i].used)
            shape_group(x, n, &st->groups.slots[i]);
}

/* The rows of one statement of to-many node n, added to what earlier statements gave it. */
static void absorb_nested(exec_t *x, const plan_node_t *n, const db_result_t *r)
{
    state_t *st = &x->st[n->stmt];
    st->cols = r->cols;
    st->rows = arena_realloc(x->a, st->rows, st->nrows * sizeof *st->rows,
                             (st->nrows + r->nrows + 1) * sizeof *st->rows);
    for (size_t i = 0; i < r->nrows; i++)
        add_row(x, n, st, &r->cells[i * r->ncols]);
}

/* One to-many node on its own (a level with one node, or keys beyond one statement). */
static int run_nested(exec_t *x, const plan_node_t *n, db_value_t *keys, size_t nkeys)
{
    for (size_t off = 0; off < nkeys; off += KEYS_PER_STATEMENT) {
        size_t cnt = nkeys - off < KEYS_PER_STATEMENT ? nkeys - off : KEYS_PER_STATEMENT;
        sqlbuf_t *b = compile_statement(x->a, x->e, x->p, n, keys + off, cnt);
        db_result_t r;
        if (!b || run(x, b, &r) < 0)
            return -1;
        absorb_nested(x, n, &r);
    }
    return 0;
}

/* A UNION ALL statement of m to-many nodes: each row to the node its first column names. */
static void absorb_batch(exec_t *x, const plan_node_t **nodes, size_t m, const size_t *regions,
                         const db_result_t *r)
{
    for (size_t i = 0; i < m; i++) {
        state_t *st = &x->st[nodes[i]->stmt];
        st->rows = arena_alloc(x->a, (r->nrows ? r->nrows : 1) * sizeof *st->rows);
        st->cols = r->cols + regions[i];
    }
    for (size_t k = 0; k < r->nrows; k++) {
        const db_value_t *row = &r->cells[k * r->ncols];
        int64_t branch = row[0].type == DB_INT    ? row[0].i
                         : row[0].type == DB_TEXT ? strtoll(str_dup(x->a, row[0].s), NULL, 10)
                                                  : -1;
        if (branch < 0 || (size_t)branch >= m)
            continue;
        add_row(x, nodes[branch], &x->st[nodes[branch]->stmt], row + regions[branch]);
    }
}

/* Several to-many nodes of one depth in one UNION ALL statement. */
static int run_batch(exec_t *x, const plan_node_t **nodes, db_value_t **keys, size_t *nkeys,
                     size_t m)
{
    size_t *regions = arena_alloc(x->a, m * sizeof *regions), width;
    sqlbuf_t *b = compile_batch(x->a, x->e, x->p, nodes, (const db_value_t *const *)keys, nkeys,
                                m, regions, &width);
    db_result_t r;
    if (!b || run(x, b, &r) < 0)
        return -1;
    absorb_batch(x, nodes, m, regions, &r);
    return 0;
}

static int depth_of(const plan_node_t *n)
{
    int d = 0;
    for (; n; n = n->parent)
        d += n->kind == PLAN_O2M;
    return d;
}

/* The first deep _filter error among the nested nodes below n, depth first: Directus runs them
 * right after n's own query, before it merges n's rows into their parents. (Below a to-many
 * child they surface only if that child has rows; taken as given here.) */
static const err_t *subtree_err(const plan_node_t *n)
{
    for (size_t i = 0; i < n->nkids; i++) {
        const plan_node_t *k = n->kids[i];
        if (k->kind != PLAN_M2O && k->kind != PLAN_O2M)
            continue;
        if (k->deferred_err)
            return k->deferred_err;
        const err_t *d = subtree_err(k);
        if (d)
            return d;
    }
    return NULL;
}

/* A probe found rows: the node's query returned some, so its nested nodes ran before the merge
 * that throws. */
static int merge_fails(exec_t *x, const plan_node_t *n)
{
    const err_t *d = subtree_err(n);
    if (!d)
        return 0;
    *x->e = *d;
    return -1;
}

/* mergeWithParentItems on a node whose deep _filter lost the parent restriction (plan_merge_t):
 * Directus throws on the first nested row that belongs to none of the parents. Its text shows
 * the row's foreign key, or "[object Object]" when the key is itself expanded in the node. */
static int orphan_check(exec_t *x, const plan_node_t *n, const db_value_t *keys, size_t nkeys)
{
    bool none;
    sqlbuf_t *b = compile_orphan_probe(x->a, x->e, x->p, n, keys, nkeys, &none);
    if (none)
        return 0;
    db_result_t r;
    if (!b || run(x, b, &r) < 0)
        return -1;
    if (!r.nrows)
        return 0;
    if (merge_fails(x, n) < 0)
        return -1;
    const db_value_t *fk = &r.cells[0];
    bool object = false;
    for (size_t i = 0; i < n->nkids; i++)
        object |= n->kids[i]->kind == PLAN_M2O && n->kids[i]->rel == n->rel;
    keybuf_t kb;
    str_t shown = fk->type == DB_NULL ? str_c("null")
                  : object            ? str_c("[object Object]")
                                      : key_text(x->a, fk, &kb);
    return err_js(x->e, x->a, "Missing parentItem '%.*s' of '%s' when merging o2m nested items",
                  (int)shown.n, shown.p, n->rel->related_collection);
}

/* The distinct non-null foreign keys of m2o node k over the rows of statement node s. */
static db_value_t *m2o_keys(exec_t *x, const plan_node_t *k, const state_t *st, size_t *n)
{
    groups_t seen;
    groups_init(x->a, &seen, st->nrows);
    db_value_t *keys = arena_alloc(x->a, (st->nrows ? st->nrows : 1) * sizeof *keys);
    *n = 0;
    int col = k->parent->col_base + k->link_col;
    for (size_t i = 0; k->link_col >= 0 && i < st->nrows; i++) {
        const db_value_t *v = &st->rows[i][col];
        if (v->type == DB_NULL || seen_before(&seen, x->a, v))
            continue;
        keys[(*n)++] = *v;
    }
    return keys;
}

/* What Directus finds while it fetches and merges the nested nodes of statement node n's items
 * (st), in the order of the nodes: a deep _filter error (deferred_err), or a deep _filter that
 * lost the parent restriction (plan_merge_t): o2m rows of no parent ("Missing parentItem"), m2o
 * rows no parent points to (parentsByForeignKey.get(...) is undefined). Joined m2o nodes carry
 * their own nested nodes along. */
/* mergeWithParentItems of an m2o node first sets the parents' <fieldKey> to null, then to the
 * related item: after the node under the field's own name, the parents' foreign key is an object,
 * and a later alias of the same relation finds no parents for its rows (a TypeError, as soon as
 * it has a row). */
static bool m2o_after_own_field(const plan_node_t *n, size_t i, const state_t *st)
{
    const plan_node_t *k = n->kids[i];
    if (k->kind != PLAN_M2O || k->pk_col < 0 || !k->rel || strcmp(k->key, k->rel->field) == 0)
        return false;
    bool replaced = false;
    for (size_t j = 0; j < i && !replaced; j++)
        replaced = n->kids[j]->kind == PLAN_M2O && n->kids[j]->rel == k->rel &&
                   strcmp(n->kids[j]->key, k->rel->field) == 0;
    for (size_t r = 0; replaced && r < st->nrows; r++)
        if (st->rows[r][k->col_base + k->pk_col].type != DB_NULL)
            return true;
    return false;
}

static int nested_checks(exec_t *x, const plan_node_t *n, const state_t *st)
{
    for (size_t i = 0; st->nrows && i < n->nkids; i++) {
        const plan_node_t *k = n->kids[i];
        if (k->kind != PLAN_M2O && k->kind != PLAN_O2M)
            continue;
        if (k->deferred_err) {
            *x->e = *k->deferred_err;
            return -1;
        }
        if (m2o_after_own_field(n, i, st))
            return err_js(x->e, x->a, "parentsByForeignKey.get is not a function or its return "
                                      "value is not iterable");
        size_t nk;
        db_value_t *keys = k->merge == PLAN_MERGE_NONE ? NULL
                           : k->kind == PLAN_M2O       ? m2o_keys(x, k, st, &nk)
                                                       : parent_keys(x, n, &nk);
        if (k->kind == PLAN_O2M) {
            if (keys && nk && orphan_check(x, k, keys, nk) < 0)
                return -1;
            continue;
        }
        if (keys) {
            bool none;
            sqlbuf_t *b = compile_orphan_probe(x->a, x->e, x->p, k, keys, nk, &none);
            db_result_t r;
            if (!none && (!b || run(x, b, &r) < 0))
                return -1;
            if (!none && r.nrows && merge_fails(x, k) < 0)
                return -1;
            if (!none && r.nrows)
                return err_js(x->e, x->a, "parentsByForeignKey.get is not a function or its "
                                          "return value is not iterable");
        }
        if (nested_checks(x, k, st) < 0)
            return -1;
    }
    return 0;
}

/* ---- one round trip for a read by key ---------------------------------------------------- */

/* A read by key knows its root's key before the root runs, so the statement of the first level
 * of to-many nodes, when every node of it hangs off the root itself, can go to the server with
 * the root's in one round trip (db_exec_many), keyed by the requested key. It is a guess: the
 * level takes its rows only when the root's rows have exactly that key; otherwise (no row, the
 * key written another way) they are dropped and the level runs as always. Integer keys only: a
 * malformed key of another type could fail the guessed statement where the root alone answers
 * 403. */
struct guess {
    db_value_t key;
    const plan_node_t **nodes; /* the level's nodes, in run_levels' order */
    size_t m;
    size_t *regions; /* m > 1: where each node's columns start in the UNION ALL */
    db_result_t r;
};

/* A decimal integer as a key can be written; false for anything else (or too long to be sure
 * it fits). */
static bool integer_key(str_t s, int64_t *out)
{
    size_t i = s.n && s.p[0] == '-';
    if (s.n == i || s.n > 18)
        return false;
    int64_t v = 0;
    for (; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
        v = v * 10 + (s.p[i] - '0');
    }
    *out = s.p[0] == '-' ? -v : v;
    return true;
}

/* The first level's statement keyed by the requested key, or NULL when this read makes no guess
 * (g->m is then 0). */
static sqlbuf_t *guess_level(exec_t *x, guess_t *g)
{
    const plan_t *p = x->p;
    const schema_field_t *pk = p->root->coll ? p->root->coll->primary : NULL;
    if (!p->by_key || p->root->aggregate || !db_pipelines(x->db) || !pk ||
        (pk->type != SCHEMA_TYPE_INTEGER && pk->type != SCHEMA_TYPE_BIG_INTEGER) ||
        !integer_key(p->key, &g->key.i))
        return NULL;
    g->key.type = DB_INT;
    g->nodes = arena_alloc(x->a, (p->nstmts + 1) * sizeof *g->nodes);
    for (size_t i = 1; i < p->nstmts; i++) {
        const plan_node_t *n = p->stmts[i];
        if (depth_of(n) != 1)
            continue;
        if (n->parent != p->root || n->merge != PLAN_MERGE_NONE || n->deferred_err) {
            g->m = 0;
            return NULL;
        }
        g->nodes[g->m++] = n;
    }
    if (g->m == 1)
        return compile_statement(x->a, x->e, p, g->nodes[0], &g->key, 1);
    if (!g->m)
        return NULL;
    const db_value_t **keys = arena_alloc(x->a, g->m * sizeof *keys);
    size_t *nkeys = arena_alloc(x->a, g->m * sizeof *nkeys), width;
    for (size_t i = 0; i < g->m; i++) {
        keys[i] = &g->key;
        nkeys[i] = 1;
    }
    g->regions = arena_alloc(x->a, g->m * sizeof *g->regions);
    return compile_batch(x->a, x->e, p, g->nodes, keys, nkeys, g->m, g->regions, &width);
}

/* The root statement, with the guessed first level when there is one. A failed pair is run
 * again as the root alone, so that the guess never changes an answer (its statement would
 * fail the same way later if the root has the row). */
static int run_root(exec_t *x, const sqlbuf_t *root, db_result_t *out)
{
    guess_t *g = arena_calloc(x->a, 1, sizeof *g);
    const sqlbuf_t *level = guess_level(x, g);
    sqlbuf_out_t q[2];
    if (!level || compile_render(x->a, x->e, x->p, root, &q[0]) < 0 ||
        compile_render(x->a, x->e, x->p, level, &q[1]) < 0) {
        memset(x->e, 0, sizeof *x->e); /* a guess that cannot be made is not an error */
        return run(x, root, out);
    }
    db_query_t dq[2];
    for (int i = 0; i < 2; i++) {
        dq[i] = (db_query_t){q[i].sql, q[i].params, q[i].nparams};
        log_debug("items sql: %s", q[i].sql);
    }
    db_result_t r[2];
    last_statements += 2;
    if (db_exec_many(x->db, x->a, x->e, dq, 2, r) < 0) {
        memset(x->e, 0, sizeof *x->e);
        return run(x, root, out);
    }
    *out = r[0];
    g->r = r[1];
    x->guess = g;
    return 0;
}

/* The guessed rows, when the level turned out to be the guessed one: the same nodes, each with
 * the guessed key as its only parent key. */
static bool guess_fits(const guess_t *g, const plan_node_t **nodes, db_value_t **keys,
                       const size_t *nkeys, size_t m)
{
    if (!g || g->m != m)
        return false;
    for (size_t i = 0; i < m; i++)
        if (nodes[i] != g->nodes[i] || nkeys[i] != 1 || keys[i][0].type != DB_INT ||
            keys[i][0].i != g->key.i)
            return false;
    return true;
}

/* The to-many nodes, level by level: each level is one statement (its parents' keys known from
 * the level above). */
static int run_levels(exec_t *x)
{
    const plan_t *p = x->p;
    int max = 0;
    for (size_t i = 1; i < p->nstmts; i++)
        max = depth_of(p->stmts[i]) > max ? depth_of(p->stmts[i]) : max;
    const plan_node_t **nodes = arena_alloc(x->a, (p->nstmts + 1) * sizeof *nodes);
    db_value_t **keys = arena_alloc(x->a, (p->nstmts + 1) * sizeof *keys);
    size_t *nkeys = arena_alloc(x->a, (p->nstmts + 1) * sizeof *nkeys);
    for (int d = 1; d <= max; d++) {
        size_t m = 0, total = 0;
        for (size_t i = 1; i < p->nstmts; i++) {
            const plan_node_t *n = p->stmts[i];
            if (depth_of(n) != d)
                continue;
            state_t *st = &x->st[n->stmt];
            size_t nk;
            db_value_t *k = parent_keys(x, n->parent, &nk);
            groups_init(x->a, &st->groups, nk);
            if (!nk)
                continue; /* no parent: no children, and no statement */
            nodes[m] = n;
            keys[m] = k;
            nkeys[m++] = nk;
            total += nk;
        }
        if (d == 1 && guess_fits(x->guess, nodes, keys, nkeys, m)) {
            if (m == 1)
                absorb_nested(x, nodes[0], &x->guess->r);
            else
                absorb_batch(x, nodes, m, x->guess->regions, &x->guess->r);
            for (size_t i = 0; i < m; i++)
                if (nested_checks(x, nodes[i], &x->st[nodes[i]->stmt]) < 0)
                    return -1;
        } else if (m == 1 || (m > 1 && total > KEYS_PER_STATEMENT)) {
            for (size_t i = 0; i < m; i++)
                if (run_nested(x, nodes[i], keys[i], nkeys[i]) < 0 ||
                    nested_checks(x, nodes[i], &x->st[nodes[i]->stmt]) < 0)
                    return -1;
        } else if (m > 1) {
            if (run_batch(x, nodes, keys, nkeys, m) < 0)
                return -1;
            for (size_t i = 0; i < m; i++)
                if (nested_checks(x, nodes[i], &x->st[nodes[i]->stmt]) < 0)
                    return -1;
        }
        for (size_t i = 0; i < m; i++)
            shape_groups(x, nodes[i], &x->st[nodes[i]->stmt]);
    }
    return 0;
}

/* ---- rendering ---------------------------------------------------------------------------- */

typedef struct {
    exec_t *x;
    buf_t *b;
} out_t;

static void render_item(out_t *o, const plan_node_t *n, const db_value_t *row,
                        const db_column_t *cols);

static void render_cell(out_t *o, const plan_node_t *n, int col, const db_value_t *row,
                        const db_column_t *cols)
{
    int at = n->col_base + col;
    items_json_cell(o->b, o->x->a, o->x->p->dialect, &n->cols[col], cols ? &cols[at] : NULL,
                    &row[at]);
}

static void render_many(out_t *o, const plan_node_t *parent, const plan_node_t *k,
                        const db_value_t *row)
{
    const state_t *st = &o->x->st[k->stmt];
    const db_value_t *pk = &row[parent->col_base + parent->pk_col];
    group_t *g = pk->type == DB_NULL ? NULL : groups_find(&st->groups, o->x->a, pk);
    buf_putc(o->b, '[');
    for (size_t i = 0; g && i < g->n; i++) {
        if (i)
            buf_putc(o->b, ',');
        render_item(o, k, g->rows[i], st->cols);
    }
    buf_putc(o->b, ']');
}

static void render_a2o(out_t *o, const plan_node_t *parent, const plan_node_t *k,
                       const db_value_t *row, const db_column_t *cols)
{
    const db_value_t *which = &row[parent->col_base + k->a2o_coll_col];
    if (k->a2o_coll_col >= 0 && which->type == DB_TEXT)
        for (size_t t = 0; t < k->ntargets; t++) {
            const plan_node_t *tg = k->targets[t];
            if (!str_eq_c(which->s, tg->coll->name))
                continue;
            if (row[tg->col_base + tg->pk_col].type == DB_NULL)
                break;
            render_item(o, tg, row, cols);
            return;
        }
    buf_puts(o->b, "null");
}

static void render_agg(out_t *o, const plan_node_t *n, const plan_out_t *po, const db_value_t *row,
                       const db_column_t *cols)
{
    if (!po->nsub) {
        render_cell(o, n, po->col, row, cols);
        return;
    }
    buf_putc(o->b, '{');
    for (size_t i = 0; i < po->nsub; i++) {
        if (i)
            buf_putc(o->b, ',');
        json_write_str(o->b, str_c(po->sub[i].key));
        buf_putc(o->b, ':');
        render_cell(o, n, po->sub[i].col, row, cols);
    }
    buf_putc(o->b, '}');
}

static void render_item(out_t *o, const plan_node_t *n, const db_value_t *row,
                        const db_column_t *cols)
{
    if (!n->nouts && !n->aggregate) {
        /* A relation asked for without sub-fields: its primary key. */
        render_cell(o, n, n->pk_col, row, cols);
        return;
    }
    buf_putc(o->b, '{');
    for (size_t i = 0; i < n->nouts; i++) {
        const plan_out_t *po = &n->outs[i];
        if (i)
            buf_putc(o->b, ',');
        buf_str(o->b, po->json_key);
        if (po->kind == PLAN_OUT_COL) {
            render_cell(o, n, po->col, row, cols);
            continue;
        }
        if (po->kind == PLAN_OUT_AGG) {
            render_agg(o, n, po, row, cols);
            continue;
        }
        const plan_node_t *k = po->node;
        if (k->kind == PLAN_O2M)
            render_many(o, n, k, row);
        else if (k->kind == PLAN_A2O)
            render_a2o(o, n, k, row, cols);
        else if (row[k->col_base + k->pk_col].type == DB_NULL)
            buf_puts(o->b, "null");
        else
            render_item(o, k, row, cols);
    }
    buf_putc(o->b, '}');
}

/* readSingleton with an empty table: pk null, then every field with a default (only those
 * named in `fields` unless it holds "*"). */
static void render_defaults(out_t *o, const plan_t *p)
{
    const query_t *q = p->q;
    const schema_collection_t *c = p->root->coll;
    bool star = !q->has_fields;
    for (size_t i = 0; q->has_fields && i < q->fields.n; i++)
        star = star || str_eq_c(q->fields.v[i], "*");
    buf_putc(o->b, '{');
    size_t n = 0;
    for (size_t i = 0; i < c->nfields; i++) {
        const schema_field_t *f = &c->fields[i];
        if (f->special & SCHEMA_SPECIAL_NO_DATA)
            continue;
        bool named = star;
        for (size_t k = 0; !named && k < q->fields.n; k++)
            named = str_eq_c(q->fields.v[k], f->name);
        if (!named)
            continue;
        bool pk = f == c->primary;
        if (!pk && !f->default_value)
            continue;
        if (n++)
            buf_putc(o->b, ',');
        json_write_str(o->b, str_c(f->name));
        buf_putc(o->b, ':');
        if (pk)
            buf_puts(o->b, "null");
        else
            items_json_default(o->b, f);
    }
    buf_putc(o->b, '}');
}

/* ---- meta --------------------------------------------------------------------------------- */

static int count(exec_t *x, sqlbuf_t *b, int64_t *out)
{
    db_result_t r;
    if (!b || run(x, b, &r) < 0)
        return -1;
    const db_value_t *v = r.nrows ? &r.cells[0] : NULL;
    *out = !v ? 0 : v->type == DB_INT ? v->i : v->type == DB_TEXT ? strtoll(str_dup(x->a, v->s), NULL, 10) : 0;
    return 0;
}

/* The meta counts a query asks for (-1: not asked), counted after the data statements. */
typedef struct {
    int64_t total, filtered;
} counts_t;

static int meta_counts(exec_t *x, counts_t *c)
{
    const query_t *q = x->p->q;
    c->total = c->filtered = -1;
    bool want_total = false, want_filter = false;
    for (size_t i = 0; i < q->nmeta; i++) {
        want_total = want_total || q->meta[i] == QUERY_META_TOTAL_COUNT;
        want_filter = want_filter || q->meta[i] == QUERY_META_FILTER_COUNT;
    }
    if (want_total && count(x, compile_total_count(x->a, x->e, x->p), &c->total) < 0)
        return -1;
    if (want_filter && count(x, compile_filter_count(x->a, x->e, x->p), &c->filtered) < 0)
        return -1;
    return 0;
}

static void meta_write(const query_t *q, const counts_t *c, buf_t *b)
{
    if (!q->nmeta)
        return;
    buf_puts(b, "\"meta\":{");
    bool first = true, done_total = false, done_filter = false;
    for (size_t i = 0; i < q->nmeta; i++) {
        bool is_total = q->meta[i] == QUERY_META_TOTAL_COUNT;
        if (is_total ? done_total : done_filter)
            continue;
        if (!first)
            buf_putc(b, ',');
        first = false;
        buf_printf(b, is_total ? "\"total_count\":%lld" : "\"filter_count\":%lld",
                   (long long)(is_total ? c->total : c->filtered));
        if (is_total)
            done_total = true;
        else
            done_filter = true;
    }
    buf_puts(b, "},");
}

int items_read(arena_t *a, err_t *e, db_conn_t *db, const plan_t *p, items_shape_t shape,
               buf_t *out)
{
    exec_t x = {.a = a, .e = e, .db = db, .p = p};
    x.st = arena_calloc(a, p->nstmts ? p->nstmts : 1, sizeof *x.st);
    last_statements = 0;
    const plan_node_t *root = p->root;
    sqlbuf_t *b = compile_statement(a, e, p, root, NULL, 0);
    db_result_t rr;
    if (!b || run_root(&x, b, &rr) < 0)
        return -1;
    state_rows(&x, &x.st[0], &rr);
    if (nested_checks(&x, p->root, &x.st[0]) < 0 || run_levels(&x) < 0)
        return -1;
    size_t data_statements = last_statements;
    const db_result_t *r = &rr;
    if (shape == ITEMS_ONE && r->nrows == 0)
        return err_set(e, a, ERR_FORBIDDEN, NULL);
    /* The counts run before rendering (which cannot fail), so the items are rendered straight
     * into out, after the meta that precedes them. */
    counts_t counts;
    if (shape != ITEMS_ONE && meta_counts(&x, &counts) < 0)
        return -1;
    buf_putc(out, '{');
    if (shape != ITEMS_ONE)
        meta_write(p->q, &counts, out);
    buf_puts(out, "\"data\":");
    out_t o = {&x, out};
    if (shape == ITEMS_LIST) {
        buf_putc(out, '[');
        for (size_t i = 0; i < r->nrows; i++) {
            if (i)
                buf_putc(out, ',');
            render_item(&o, root, &r->cells[i * r->ncols], r->cols);
        }
        buf_putc(out, ']');
    } else if (r->nrows) {
        render_item(&o, root, r->cells, r->cols);
    } else {
        render_defaults(&o, p);
    }
    buf_putc(out, '}');
    last_statements = data_statements;
    return 0;
}
