/*
 * Helpers shared by the three catalog inspectors: running a query (and fingerprinting what it
 * returned), reading cells, and growing the table / column / foreign key lists.
 */
#include "lib/schema/inspect.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/core/log.h"

static uint64_t fnv64(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* Folds the cell's type and bytes into the hash, so "1" and 1 and NULL all differ. */
static uint64_t hash_cell(uint64_t h, const db_value_t *v)
{
    unsigned char t = (unsigned char)v->type;
    h = fnv64(h, &t, 1);
    switch (v->type) {
    case DB_INT:
    case DB_BOOL:
        return fnv64(h, &v->i, sizeof v->i);
    case DB_FLOAT:
        return fnv64(h, &v->f, sizeof v->f);
    case DB_TEXT:
    case DB_BLOB:
        return fnv64(fnv64(h, &v->s.n, sizeof v->s.n), v->s.p, v->s.n);
    case DB_NULL:
        break;
    }
    return h;
}

int inspect_query(inspect_t *in, const char *sql, const db_value_t *params, size_t n,
                  db_result_t *r)
{
    struct timespec t0, t1;
    in->nqueries++;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (db_exec(in->db, in->tmp, &in->err, sql, params, n, r) < 0)
        return -1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    log_debug("schema: query %u: %zu rows in %.2f ms", in->nqueries, r->nrows,
              (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    uint64_t h = fnv64(in->hash, sql, strlen(sql));
    for (size_t i = 0; i < r->nrows * r->ncols; i++)
        h = hash_cell(h, &r->cells[i]);
    in->hash = h;
    return 0;
}

const char *inspect_text(inspect_t *in, const db_result_t *r, size_t row, size_t col)
{
    const db_value_t *v = db_cell(r, row, col);
    if (!v || v->type == DB_NULL)
        return NULL;
    switch (v->type) {
    case DB_INT:
        return arena_printf(in->a, "%lld", (long long)v->i);
    case DB_BOOL:
        return v->i ? "true" : "false";
    case DB_FLOAT:
        return arena_printf(in->a, "%.17g", v->f);
    default:
        return arena_strndup(in->a, v->s.p, v->s.n);
    }
}

bool inspect_cell_is(const db_result_t *r, size_t row, size_t col, const char *text)
{
    const db_value_t *v = db_cell(r, row, col);
    return v && v->type == DB_TEXT && str_eq_c(v->s, text);
}

int64_t inspect_int(const db_result_t *r, size_t row, size_t col)
{
    const db_value_t *v = db_cell(r, row, col);
    if (!v)
        return SCHEMA_NONE;
    switch (v->type) {
    case DB_INT:
    case DB_BOOL:
        return v->i;
    case DB_FLOAT:
        return (int64_t)v->f;
    case DB_TEXT: {
        /* MySQL's information_schema hands some numbers over as text (unsigned bigints). */
        char tmp[32];
        size_t n = v->s.n < sizeof tmp - 1 ? v->s.n : sizeof tmp - 1;
        memcpy(tmp, v->s.p, n);
        tmp[n] = '\0';
        char *end;
        long long x = strtoll(tmp, &end, 10);
        return end == tmp ? SCHEMA_NONE : (int64_t)x;
    }
    default:
        return SCHEMA_NONE;
    }
}

bool inspect_bool(const db_result_t *r, size_t row, size_t col)
{
    const db_value_t *v = db_cell(r, row, col);
    if (!v)
        return false;
    switch (v->type) {
    case DB_INT:
    case DB_BOOL:
        return v->i != 0;
    case DB_TEXT:
        return str_ieq_c(v->s, "t") || str_ieq_c(v->s, "true") || str_eq_c(v->s, "1") ||
               str_ieq_c(v->s, "YES");
    default:
        return false;
    }
}

inspect_table_t *inspect_table_find(const inspect_t *in, const char *name)
{
    return namemap_get(&in->table_map, NULL, str_c(name));
}

inspect_table_t *inspect_table(inspect_t *in, const char *name)
{
    inspect_table_t *t = inspect_table_find(in, name);
    if (t)
        return t;
    if (in->ntables == in->tcap) {
        size_t cap = in->tcap ? in->tcap * 2 : 64;
        in->tables = arena_realloc(in->a, in->tables, in->tcap * sizeof *in->tables,
                                   cap * sizeof *in->tables);
        in->tcap = cap;
    }
    t = arena_calloc(in->a, 1, sizeof *t);
    t->name = name;
    in->tables[in->ntables++] = t;
    namemap_put(&in->table_map, NULL, t->name, t);
    return t;
}

size_t inspect_run(const db_result_t *r, size_t row, size_t col)
{
    const db_value_t *first = db_cell(r, row, col);
    size_t n = 1;
    while (row + n < r->nrows && db_cell(r, row + n, col)->type == DB_TEXT &&
           str_eq(db_cell(r, row + n, col)->s, first->s))
        n++;
    return n;
}

void inspect_reserve(inspect_t *in, inspect_table_t *t, size_t n)
{
    if (t->cap >= t->ncols + n)
        return;
    t->cols =
        arena_realloc(in->a, t->cols, t->cap * sizeof *t->cols, (t->ncols + n) * sizeof *t->cols);
    t->cap = t->ncols + n;
}

schema_field_t *inspect_column(inspect_t *in, inspect_table_t *t, const char *name)
{
    if (t->ncols == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        t->cols = arena_realloc(in->a, t->cols, t->cap * sizeof *t->cols, cap * sizeof *t->cols);
        t->cap = cap;
    }
    schema_field_t *f = memset(&t->cols[t->ncols++], 0, sizeof *f);
    f->name = name;
    f->max_length = f->numeric_precision = f->numeric_scale = SCHEMA_NONE;
    return f;
}

void inspect_index_columns(inspect_t *in)
{
    size_t n = 0;
    for (size_t i = 0; i < in->ntables; i++)
        n += in->tables[i]->ncols;
    namemap_init(&in->column_map, in->tmp, n);
    for (size_t i = 0; i < in->ntables; i++) {
        inspect_table_t *t = in->tables[i];
        for (size_t j = 0; j < t->ncols; j++)
            namemap_put(&in->column_map, t->name, t->cols[j].name, &t->cols[j]);
    }
}

schema_field_t *inspect_column_find(const inspect_t *in, const char *table, const char *column)
{
    return namemap_get(&in->column_map, table, str_c(column));
}

inspect_fk_t *inspect_fk(inspect_t *in)
{
    if (in->nfks == in->fcap) {
        size_t cap = in->fcap ? in->fcap * 2 : 64;
        in->fks = arena_realloc(in->a, in->fks, in->fcap * sizeof *in->fks, cap * sizeof *in->fks);
        in->fcap = cap;
    }
    return memset(&in->fks[in->nfks++], 0, sizeof *in->fks);
}

/* JavaScript's String.prototype.trim for the ASCII white space a catalog can hold. */
static str_t js_trim(str_t t)
{
    while (t.n && strchr(" \t\r\n\v\f", t.p[0]))
        t.p++, t.n--;
    while (t.n && strchr(" \t\r\n\v\f", t.p[t.n - 1]))
        t.n--;
    return t;
}

const char *inspect_strip_quotes(arena_t *a, const char *value)
{
    if (!value)
        return NULL;
    str_t t = js_trim(str_c(value));
    if (t.n >= 1 &&
        ((t.p[0] == '\'' && t.p[t.n - 1] == '\'') || (t.p[0] == '"' && t.p[t.n - 1] == '"')))
        return arena_strndup(a, t.p + 1, t.n >= 2 ? t.n - 2 : 0);
    return value;
}

const char *inspect_default(arena_t *a, const char *value)
{
    if (!value)
        return NULL;
    str_t t = js_trim(str_c(value));
    if (str_ieq_c(t, "null"))
        return NULL;
    return inspect_strip_quotes(a, value);
}

static bool all_digits(str_t s, int base)
{
    if (!s.n)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        int c = tolower((unsigned char)s.p[i]);
        int d = isdigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : 99;
        if (d >= base)
            return false;
    }
    return true;
}

bool inspect_js_number(const char *s, size_t n, double *out)
{
    str_t t = js_trim((str_t){s, n});
    char buf[128];
    if (t.n >= sizeof buf)
        return false;
    memcpy(buf, t.p, t.n);
    buf[t.n] = '\0';
    if (t.n == 0) {
        *out = 0;
        return true;
    }
    if (t.n > 2 && buf[0] == '0' && strchr("xXoObB", buf[1])) {
        int base = strchr("xX", buf[1]) ? 16 : strchr("oO", buf[1]) ? 8 : 2;
        if (!all_digits((str_t){buf + 2, t.n - 2}, base))
            return false;
        *out = (double)strtoull(buf + 2, NULL, base);
        return true;
    }
    const char *p = buf;
    if (*p == '+' || *p == '-')
        p++;
    if (strcmp(p, "Infinity") == 0) {
        *out = buf[0] == '-' ? -HUGE_VAL : HUGE_VAL;
        return true;
    }
    /* StrDecimalLiteral: digits [. digits] or . digits, then an optional exponent. */
    size_t int_digits = strspn(p, "0123456789");
    const char *q = p + int_digits, *frac = q;
    size_t frac_digits = 0;
    if (*q == '.') {
        frac = q + 1;
        frac_digits = strspn(frac, "0123456789");
        q = frac + frac_digits;
    }
    if (int_digits + frac_digits == 0)
        return false;
    if (*q == 'e' || *q == 'E') {
        const char *x = q + 1;
        if (*x == '+' || *x == '-')
            x++;
        size_t exp_digits = strspn(x, "0123456789");
        if (!exp_digits)
            return false;
        q = x + exp_digits;
    }
    if (*q)
        return false;
    *out = strtod(buf, NULL);
    return true;
}
