/*
 * SQL builder: chunks in an arena, rendered per dialect at the end. Keeping chunks (rather than
 * text) lets a statement be assembled out of order (a WHERE built before the SELECT list) and
 * lets the placeholders be numbered once, at render, in the order they appear.
 */
#include "lib/sql/sqlbuf.h"

#include <stdio.h>
#include <string.h>

#include "lib/core/buf.h"

typedef enum { CH_KW, CH_IDENT, CH_ALIAS, CH_PARAM } chunk_kind_t;

typedef struct {
    chunk_kind_t kind;
    char prefix;     /* CH_ALIAS */
    unsigned num;    /* CH_ALIAS */
    const char *p;   /* CH_KW text, CH_IDENT name */
    size_t n;        /* CH_KW length */
    db_value_t v;    /* CH_PARAM */
} chunk_t;

struct sqlbuf {
    arena_t *arena;
    chunk_t *c;
    size_t n, cap;
    size_t nparams;
    const char *error;
};

sqlbuf_t *sqlbuf_new(arena_t *a)
{
    sqlbuf_t *b = arena_calloc(a, 1, sizeof *b);
    b->arena = a;
    return b;
}

/* Room for k more chunks. */
static void reserve(sqlbuf_t *b, size_t k)
{
    if (b->n + k <= b->cap)
        return;
    size_t cap = b->cap ? b->cap * 2 : 32;
    while (cap < b->n + k)
        cap *= 2;
    b->c = arena_realloc(b->arena, b->c, b->cap * sizeof *b->c, cap * sizeof *b->c);
    b->cap = cap;
}

static chunk_t *push(sqlbuf_t *b)
{
    reserve(b, 1);
    chunk_t *c = &b->c[b->n++];
    memset(c, 0, sizeof *c);
    return c;
}

void sqlbuf_kw_(sqlbuf_t *b, const char *lit, size_t n)
{
    if (b->error || n == 0)
        return;
    /* Consecutive keywords merge, which keeps long statements to few chunks. */
    if (b->n && b->c[b->n - 1].kind == CH_KW && b->c[b->n - 1].p + b->c[b->n - 1].n == lit) {
        b->c[b->n - 1].n += n;
        return;
    }
    chunk_t *c = push(b);
    c->kind = CH_KW;
    c->p = lit;
    c->n = n;
}

void sqlbuf_ident(sqlbuf_t *b, const char *name)
{
    if (b->error)
        return;
    if (!name || !*name) {
        sqlbuf_fail(b, "empty identifier");
        return;
    }
    chunk_t *c = push(b);
    c->kind = CH_IDENT;
    c->p = name;
}

static struct {
    bool on, overflow;
    size_t n;
    const char *v[SQLBUF_TABLES_MAX];
} tables;

void sqlbuf_table(sqlbuf_t *b, const char *name)
{
    sqlbuf_ident(b, name);
    if (!tables.on || !name)
        return;
    for (size_t i = 0; i < tables.n; i++)
        if (!strcmp(tables.v[i], name))
            return;
    if (tables.n == SQLBUF_TABLES_MAX)
        tables.overflow = true;
    else
        tables.v[tables.n++] = name;
}

void sqlbuf_tables_start(void)
{
    tables.on = true;
    tables.overflow = false;
    tables.n = 0;
}

void sqlbuf_tables_stop(void)
{
    tables.on = false;
    tables.n = 0;
}

bool sqlbuf_tables(const char *const **names, size_t *n)
{
    *names = tables.v;
    *n = tables.n;
    return tables.on && !tables.overflow;
}

void sqlbuf_alias(sqlbuf_t *b, char prefix, unsigned n)
{
    if (b->error)
        return;
    chunk_t *c = push(b);
    c->kind = CH_ALIAS;
    c->prefix = (prefix >= 'a' && prefix <= 'z') ? prefix : 'x';
    c->num = n;
}

void sqlbuf_col(sqlbuf_t *b, char prefix, unsigned n, const char *name)
{
    sqlbuf_alias(b, prefix, n);
    sqlbuf_kw(b, ".");
    sqlbuf_ident(b, name);
}

void sqlbuf_param(sqlbuf_t *b, db_value_t v)
{
    if (b->error)
        return;
    chunk_t *c = push(b);
    c->kind = CH_PARAM;
    c->v = v;
    b->nparams++;
}

void sqlbuf_param_int(sqlbuf_t *b, int64_t i)
{
    sqlbuf_param(b, (db_value_t){.type = DB_INT, .i = i});
}

void sqlbuf_param_text(sqlbuf_t *b, str_t s)
{
    sqlbuf_param(b, (db_value_t){.type = DB_TEXT, .s = s});
}

void sqlbuf_append(sqlbuf_t *b, const sqlbuf_t *src)
{
    if (b->error)
        return;
    if (src->error) {
        sqlbuf_fail(b, src->error);
        return;
    }
    reserve(b, src->n);
    if (src->n)
        memcpy(b->c + b->n, src->c, src->n * sizeof *b->c);
    b->n += src->n;
    b->nparams += src->nparams;
}

bool sqlbuf_is_empty(const sqlbuf_t *b)
{
    return b->n == 0;
}

size_t sqlbuf_nparams(const sqlbuf_t *b)
{
    return b->nparams;
}

void sqlbuf_fail(sqlbuf_t *b, const char *reason)
{
    if (!b->error)
        b->error = reason;
}

const char *sqlbuf_error(const sqlbuf_t *b)
{
    return b->error;
}

size_t sqlbuf_max_params(db_dialect_t d)
{
    return d == DB_SQLITE ? 32766 : 65535;
}

/* "name" or `name`, the quote character doubled inside. */
static int quote_ident(buf_t *out, db_dialect_t d, const char *name)
{
    char q = d == DB_MYSQL ? '`' : '"';
    buf_putc(out, q);
    for (const char *p = name; *p; p++) {
        if (*p == q)
            buf_putc(out, q);
        buf_putc(out, *p);
    }
    buf_putc(out, q);
    return 0;
}

static void placeholder(buf_t *out, db_dialect_t d, size_t n)
{
    /* buf_int, not printf: a statement can hold hundreds of placeholders */
    switch (d) {
    case DB_PG:
        buf_putc(out, '$');
        buf_int(out, (long long)n);
        break;
    case DB_SQLITE:
        buf_putc(out, '?');
        buf_int(out, (long long)n);
        break;
    case DB_MYSQL:
        buf_putc(out, '?');
        break;
    }
}

int sqlbuf_render(const sqlbuf_t *b, arena_t *a, db_dialect_t d, sqlbuf_out_t *out,
                  const char **why)
{
    memset(out, 0, sizeof *out);
    const char *err = b->error;
    if (!err && b->nparams > sqlbuf_max_params(d))
        err = "too many parameters";
    if (err) {
        if (why)
            *why = err;
        return -1;
    }
    db_value_t *params = arena_alloc(a, (b->nparams ? b->nparams : 1) * sizeof *params);
    buf_t text; /* allocated last: the arena grows it in place */
    buf_init(&text, a, 256);
    size_t np = 0;
    for (size_t i = 0; i < b->n; i++) {
        const chunk_t *c = &b->c[i];
        switch (c->kind) {
        case CH_KW:
            buf_append(&text, c->p, c->n);
            break;
        case CH_IDENT:
            quote_ident(&text, d, c->p);
            break;
        case CH_ALIAS: {
            /* "t12": the letter, then the digits written backwards from the end */
            char name[24];
            char *p = name + sizeof name - 1;
            *p = '\0';
            unsigned v = c->num;
            do
                *--p = (char)('0' + v % 10);
            while ((v /= 10) != 0);
            *--p = c->prefix;
            quote_ident(&text, d, p);
            break;
        }
        case CH_PARAM:
            params[np++] = c->v;
            placeholder(&text, d, np);
            break;
        }
    }
    out->sql = text.p;
    out->len = text.n;
    out->params = params;
    out->nparams = np;
    return 0;
}
