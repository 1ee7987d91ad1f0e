/*
 * UtilsService.sort: rows without a sort value numbered after the last, duplicates renumbered,
 * then the item moved to the target's place and the rows between shifted by one.
 */
#include <string.h>

#include "lib/query/jsval.h"
#include "lib/services/write_int.h"

/* ---- utils/sort --------------------------------------------------------------------------- */

/* UPDATE c SET sort = v WHERE pk = key */
static int set_sort(write_t *w, const schema_collection_t *c, const char *sort, db_value_t v,
                    db_value_t key)
{
    sqlbuf_t *b = sqlbuf_new(w->a);
    sqlbuf_kw(b, "UPDATE ");
    sqlbuf_ident(b, c->name);
    sqlbuf_kw(b, " SET ");
    sqlbuf_ident(b, sort);
    sqlbuf_kw(b, " = ");
    sqlbuf_param(b, v);
    sqlbuf_kw(b, " WHERE ");
    sqlbuf_ident(b, c->primary->name);
    sqlbuf_kw(b, " = ");
    sqlbuf_param(b, key);
    wr_note_write(w, c);
    return wr_run(w, b, NULL);
}

/* SELECT pk [, sort] FROM c [WHERE sort IS NULL] [ORDER BY sort] */
static int sort_rows(write_t *w, const schema_collection_t *c, const char *sort, bool nulls,
                     db_result_t *r)
{
    sqlbuf_t *b = sqlbuf_new(w->a);
    sqlbuf_kw(b, "SELECT ");
    sqlbuf_ident(b, c->primary->name);
    sqlbuf_kw(b, " FROM ");
    sqlbuf_ident(b, c->name);
    if (nulls) {
        sqlbuf_kw(b, " WHERE ");
        sqlbuf_ident(b, sort);
        sqlbuf_kw(b, " IS NULL");
    } else {
        sqlbuf_kw(b, " ORDER BY ");
        sqlbuf_ident(b, sort);
    }
    return wr_run(w, b, r);
}

static double cell_number(const db_value_t *v)
{
    if (!v)
        return 0;
    switch (v->type) {
    case DB_INT:
    case DB_BOOL:
        return (double)v->i;
    case DB_FLOAT:
        return v->f;
    case DB_TEXT:
        return jsval_str_number(v->s);
    default:
        return 0;
    }
}

/* The sort value of the row with key, or -1 with Directus's TypeError (500) when there is none. */
static int sort_of(write_t *w, const schema_collection_t *c, const char *sort,
                   struct json_object *key, db_value_t *out)
{
    db_result_t r;
    if (wr_select_by_key(w, c, &sort, 1, key, &r) < 0)
        return -1;
    if (!r.nrows)
        return err_set(w->e, w->a, ERR_INTERNAL_SERVER_ERROR,
                       "Cannot read properties of undefined (reading '%s')", sort);
    *out = *db_cell(&r, 0, 0);
    return 0;
}

int write_sort(write_t *w, const schema_collection_t *c, const char *sort, struct json_object *item,
               struct json_object *to)
{
    /* Rows without a sort value go after the last one, in database order. */
    db_result_t r;
    if (sort_rows(w, c, sort, true, &r) < 0)
        return -1;
    if (r.nrows) {
        sqlbuf_t *b = sqlbuf_new(w->a);
        sqlbuf_kw(b, "SELECT MAX(");
        sqlbuf_ident(b, sort);
        sqlbuf_kw(b, ") FROM ");
        sqlbuf_ident(b, c->name);
        db_result_t m;
        if (wr_run(w, b, &m) < 0)
            return -1;
        double last = cell_number(db_cell(&m, 0, 0));
        for (size_t i = 0; i < r.nrows; i++)
            if (set_sort(w, c, sort, (db_value_t){.type = DB_FLOAT, .f = ++last},
                         *db_cell(&r, i, 0)) < 0)
                return -1;
    }
    /* Duplicate sort values: renumber everything 1..n in sort order first. */
    sqlbuf_t *b = sqlbuf_new(w->a);
    sqlbuf_kw(b, "SELECT ");
    sqlbuf_ident(b, sort);
    sqlbuf_kw(b, " FROM ");
    sqlbuf_ident(b, c->name);
    sqlbuf_kw(b, " GROUP BY ");
    sqlbuf_ident(b, sort);
    sqlbuf_kw(b, " HAVING COUNT(");
    sqlbuf_ident(b, sort);
    sqlbuf_kw(b, ") > 1");
    db_result_t dup;
    if (wr_run(w, b, &dup) < 0)
        return -1;
    if (dup.nrows) {
        if (sort_rows(w, c, sort, false, &r) < 0)
            return -1;
        for (size_t i = 0; i < r.nrows; i++)
            if (set_sort(w, c, sort, (db_value_t){.type = DB_INT, .i = (int64_t)i + 1},
                         *db_cell(&r, i, 0)) < 0)
                return -1;
    }
    db_value_t target, source;
    if (sort_of(w, c, sort, to, &target) < 0 || sort_of(w, c, sort, item, &source) < 0)
        return -1;
    if (set_sort(w, c, sort, target, wr_key_value(item)) < 0)
        return -1;
    bool down = cell_number(&source) < cell_number(&target);
    b = sqlbuf_new(w->a);
    sqlbuf_kw(b, "UPDATE ");
    sqlbuf_ident(b, c->name);
    sqlbuf_kw(b, " SET ");
    sqlbuf_ident(b, sort);
    sqlbuf_kw(b, " = ");
    sqlbuf_ident(b, sort);
    sqlbuf_kw_if(b, down, " - 1 WHERE ", " + 1 WHERE ");
    sqlbuf_ident(b, sort);
    sqlbuf_kw_if(b, down, " > ", " >= ");
    sqlbuf_param(b, down ? source : target);
    sqlbuf_kw(b, " AND ");
    sqlbuf_ident(b, sort);
    sqlbuf_kw(b, " <= ");
    sqlbuf_param(b, down ? target : source);
    sqlbuf_kw(b, " AND ");
    sqlbuf_ident(b, c->primary->name);
    sqlbuf_kw(b, " <> ");
    sqlbuf_param(b, wr_key_value(item));
    wr_note_write(w, c);
    return wr_run(w, b, NULL);
}
