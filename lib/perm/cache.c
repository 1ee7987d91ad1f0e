/* The per-worker permission cache: see cache.h. */
#include "lib/perm/cache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cache/generation.h"
#include "lib/core/buf.h"

typedef struct {
    char *key; /* the policy ids joined by '\n' (ids never hold one) */
    perm_row_t *rows;
    size_t nrows;
    bool enforce_tfa;
    uint64_t gen, built_ms, used;
} entry_t;

static entry_t entries[PERM_CACHE_ENTRIES];
static size_t nentries;
static uint64_t tick;
static unsigned long hits;

static void entry_free(entry_t *x)
{
    for (size_t i = 0; i < x->nrows; i++) {
        free((char *)x->rows[i].collection);
        free((char *)x->rows[i].action);
        free((char *)x->rows[i].fields);
        free((char *)x->rows[i].permissions);
        free((char *)x->rows[i].validation);
        free((char *)x->rows[i].presets);
    }
    free(x->rows);
    free(x->key);
    *x = (entry_t){0};
}

void perm_cache_clear(void)
{
    for (size_t i = 0; i < nentries; i++)
        entry_free(&entries[i]);
    nentries = 0;
}

size_t perm_cache_size(void)
{
    return nentries;
}

unsigned long perm_cache_hits(void)
{
    return hits;
}

/* The policies without repeats, in first-seen order. */
static size_t unique_policies(arena_t *a, const char *const *policies, size_t n, const char ***out)
{
    const char **u = arena_alloc(a, (n ? n : 1) * sizeof *u);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t j = 0; j < k && !seen; j++)
            seen = strcmp(u[j], policies[i]) == 0;
        if (!seen)
            u[k++] = policies[i];
    }
    *out = u;
    return k;
}

static char *key_of(arena_t *a, const char *const *policies, size_t n)
{
    buf_t b;
    buf_init(&b, a, 64);
    for (size_t i = 0; i < n; i++) {
        buf_puts(&b, policies[i]);
        buf_putc(&b, '\n');
    }
    buf_putc(&b, 0);
    return b.p;
}

/* "IN (…)" placeholders for the policies, and their bound values. */
static db_value_t *policy_params(arena_t *a, db_dialect_t d, const char *const *policies, size_t n,
                                 buf_t *sql)
{
    db_value_t *params = arena_alloc(a, (n ? n : 1) * sizeof *params);
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_puts(sql, ", ");
        if (d == DB_PG)
            buf_printf(sql, "$%zu", i + 1);
        else if (d == DB_SQLITE)
            buf_printf(sql, "?%zu", i + 1);
        else
            buf_putc(sql, '?');
        params[i] = (db_value_t){.type = DB_TEXT, .s = str_c(policies[i])};
    }
    return params;
}

static char *dup_cell(const db_value_t *v, bool *oom)
{
    if (v->type == DB_NULL)
        return NULL;
    char *s = malloc(v->s.n + 1);
    if (!s) {
        *oom = true;
        return NULL;
    }
    memcpy(s, v->s.p, v->s.n);
    s[v->s.n] = 0;
    return s;
}

static bool truthy_cell(const db_value_t *v)
{
    return ((v->type == DB_INT || v->type == DB_BOOL) && v->i) ||
           (v->type == DB_TEXT &&
            (str_eq_c(v->s, "t") || str_eq_c(v->s, "true") || str_eq_c(v->s, "1")));
}

/* Reads the rows (ordered by the policy's position, then id) and enforce_tfa into x. */
static int load(arena_t *a, err_t *e, db_conn_t *db, const char *key, const char *const *policies,
                size_t n, entry_t *x)
{
    db_dialect_t d = db_dialect(db);
    buf_t sql;
    buf_init(&sql, a, 256);
    buf_puts(&sql, "SELECT collection, action, fields, permissions, validation, presets, policy "
                   "FROM directus_permissions WHERE policy IN (");
    db_value_t *params = policy_params(a, d, policies, n, &sql);
    buf_puts(&sql, ") ORDER BY id");
    db_result_t r;
    if (db_connect(db, a, e) < 0 || db_exec(db, a, e, sql.p, params, n, &r) < 0)
        return -1;
    buf_t tfa;
    buf_init(&tfa, a, 128);
    buf_puts(&tfa, "SELECT enforce_tfa FROM directus_policies WHERE id IN (");
    params = policy_params(a, d, policies, n, &tfa);
    buf_putc(&tfa, ')');
    db_result_t t;
    if (db_exec(db, a, e, tfa.p, params, n, &t) < 0)
        return -1;
    for (size_t i = 0; i < t.nrows; i++)
        x->enforce_tfa = x->enforce_tfa || truthy_cell(db_cell(&t, i, 0));
    bool oom = false;
    x->rows = calloc(r.nrows ? r.nrows : 1, sizeof *x->rows);
    if (!x->rows)
        return err_set(e, a, ERR_INTERNAL_SERVER_ERROR, NULL);
    for (size_t p = 0; p < n; p++)
        for (size_t i = 0; i < r.nrows; i++) {
            const db_value_t *pol = db_cell(&r, i, 6);
            if (pol->type == DB_NULL || !str_eq_c(pol->s, policies[p]))
                continue;
            perm_row_t *row = &x->rows[x->nrows++];
            row->collection = dup_cell(db_cell(&r, i, 0), &oom);
            row->action = dup_cell(db_cell(&r, i, 1), &oom);
            row->fields = dup_cell(db_cell(&r, i, 2), &oom);
            row->permissions = dup_cell(db_cell(&r, i, 3), &oom);
            row->validation = dup_cell(db_cell(&r, i, 4), &oom);
            row->presets = dup_cell(db_cell(&r, i, 5), &oom);
        }
    x->key = strdup(key);
    return oom || !x->key ? err_set(e, a, ERR_INTERNAL_SERVER_ERROR, NULL) : 0;
}

static entry_t *find(const char *key)
{
    for (size_t i = 0; i < nentries; i++)
        if (strcmp(entries[i].key, key) == 0)
            return &entries[i];
    return NULL;
}

/* A free slot: a new one, or the least recently used entry's. */
static entry_t *slot(void)
{
    if (nentries < PERM_CACHE_ENTRIES)
        return &entries[nentries++];
    entry_t *lru = &entries[0];
    for (size_t i = 1; i < nentries; i++)
        if (entries[i].used < lru->used)
            lru = &entries[i];
    entry_free(lru);
    return lru;
}

static const char *adup(arena_t *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

static void copy_out(arena_t *a, const entry_t *x, perm_rows_t *out)
{
    perm_row_t *rows = arena_alloc(a, (x->nrows ? x->nrows : 1) * sizeof *rows);
    for (size_t i = 0; i < x->nrows; i++)
        rows[i] = (perm_row_t){adup(a, x->rows[i].collection), adup(a, x->rows[i].action),
                               adup(a, x->rows[i].fields),     adup(a, x->rows[i].permissions),
                               adup(a, x->rows[i].validation), adup(a, x->rows[i].presets)};
    *out = (perm_rows_t){.rows = rows, .nrows = x->nrows, .enforce_tfa = x->enforce_tfa};
}

int perm_cache_rows(arena_t *a, err_t *e, db_conn_t *db, const char *const *policies, size_t n,
                    perm_rows_t *out)
{
    *out = (perm_rows_t){0};
    const char **uniq;
    n = unique_policies(a, policies, n, &uniq);
    if (!n)
        return 0;
    char *key = key_of(a, uniq, n);
    entry_t *x = find(key);
    if (x && gen_fresh(GEN_PERMISSIONS, x->gen, x->built_ms)) {
        x->used = ++tick;
        hits++;
        copy_out(a, x, out);
        return 0;
    }
    /* The generation is read before the rows: a bump during the load marks them stale. */
    entry_t fresh = {.gen = gen_get(GEN_PERMISSIONS), .built_ms = gen_now_ms()};
    if (load(a, e, db, key, uniq, n, &fresh) < 0) {
        entry_free(&fresh);
        return -1;
    }
    if (x)
        entry_free(x);
    else
        x = slot();
    *x = fresh;
    x->used = ++tick;
    copy_out(a, x, out);
    return 0;
}
