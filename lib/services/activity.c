/*
 * Activity and revision rows: multi-row INSERTs whose new ids come back through RETURNING
 * (PostgreSQL, SQLite, MariaDB), else one INSERT a row with the driver's last insert id; and one
 * UPDATE that links nested revisions to their parent.
 */
#include "lib/services/activity.h"

#include <stdbool.h>
#include <stdlib.h>

#include "lib/sql/sqlbuf.h"

static db_value_t text_or_null(const char *s)
{
    return s ? (db_value_t){.type = DB_TEXT, .s = str_c(s)} : (db_value_t){.type = DB_NULL};
}

static int cmp_id(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

/* INSERT INTO table (names) VALUES (row 0), (row 1), ... for rows [from, to) of vals (width
 * values a row); the new ids into ids[from..to). The ids of one statement are handed out in
 * increasing order, so sorting RETURNING's rows gives them in VALUES order. */
static int insert_rows(arena_t *a, err_t *e, db_conn_t *db, const char *table,
                       const char *const *names, size_t width, const db_value_t *vals, size_t from,
                       size_t to, bool returning, int64_t *ids)
{
    db_dialect_t d = db_dialect(db);
    sqlbuf_t *b = sqlbuf_new(a);
    sqlbuf_kw(b, "INSERT INTO ");
    sqlbuf_ident(b, table);
    sqlbuf_kw(b, " (");
    for (size_t i = 0; i < width; i++) {
        if (i)
            sqlbuf_kw(b, ", ");
        sqlbuf_ident(b, names[i]);
    }
    sqlbuf_kw(b, ") VALUES ");
    for (size_t r = from; r < to; r++) {
        sqlbuf_kw_if(b, r > from, ", (", "(");
        for (size_t i = 0; i < width; i++) {
            if (i)
                sqlbuf_kw(b, ", ");
            sqlbuf_param(b, vals[r * width + i]);
        }
        sqlbuf_kw(b, ")");
    }
    if (returning) {
        sqlbuf_kw(b, " RETURNING ");
        sqlbuf_ident(b, "id");
    }
    sqlbuf_out_t out;
    if (sqlbuf_render(b, a, d, &out, NULL) < 0)
        return err_set(e, a, ERR_INTERNAL_SERVER_ERROR, NULL);
    db_result_t res;
    if (db_exec(db, a, e, out.sql, out.params, out.nparams, &res) < 0)
        return -1;
    if (!returning) {
        ids[from] = res.last_insert_id;
        return 0;
    }
    for (size_t r = 0; r < res.nrows && from + r < to; r++)
        ids[from + r] = db_cell(&res, r, 0)->i;
    qsort(ids + from, res.nrows < to - from ? res.nrows : to - from, sizeof *ids, cmp_id);
    return 0;
}

/* All n rows: batched when RETURNING is available (as many rows a statement as the dialect
 * binds), else one statement a row. */
static int insert_all(arena_t *a, err_t *e, db_conn_t *db, const char *table,
                      const char *const *names, size_t width, const db_value_t *vals, size_t n,
                      int64_t *ids)
{
    bool returning = db_insert_returning(db);
    size_t per = returning ? sqlbuf_max_params(db_dialect(db)) / width : 1;
    for (size_t from = 0; from < n; from += per) {
        size_t to = from + per < n ? from + per : n;
        if (insert_rows(a, e, db, table, names, width, vals, from, to, returning, ids) < 0)
            return -1;
    }
    return 0;
}

int activity_add(arena_t *a, err_t *e, db_conn_t *db, const write_actor_t *actor,
                 const char *action, const char *collection, const char *const *items, size_t n,
                 int64_t *ids)
{
    static const char *const names[] = {"action",     "user",   "collection", "ip",
                                        "user_agent", "origin", "item"};
    db_value_t *vals = arena_alloc(a, (n ? n : 1) * 7 * sizeof *vals);
    for (size_t r = 0; r < n; r++) {
        db_value_t *v = vals + r * 7;
        v[0] = text_or_null(action);
        v[1] = text_or_null(actor ? actor->user : NULL);
        v[2] = text_or_null(collection);
        v[3] = text_or_null(actor ? actor->ip : NULL);
        v[4] = text_or_null(actor ? actor->user_agent : NULL);
        v[5] = text_or_null(actor ? actor->origin : NULL);
        v[6] = text_or_null(items[r]);
    }
    return insert_all(a, e, db, "directus_activity", names, 7, vals, n, ids);
}

int activity_revisions_add(arena_t *a, err_t *e, db_conn_t *db, const char *collection,
                           const activity_revision_t *revs, size_t n, int64_t *ids)
{
    static const char *const names[] = {"activity", "collection", "item", "data", "delta"};
    db_value_t *vals = arena_alloc(a, (n ? n : 1) * 5 * sizeof *vals);
    for (size_t r = 0; r < n; r++) {
        db_value_t *v = vals + r * 5;
        v[0] = (db_value_t){.type = DB_INT, .i = revs[r].activity};
        v[1] = text_or_null(collection);
        v[2] = text_or_null(revs[r].item);
        v[3] = text_or_null(revs[r].data);
        v[4] = text_or_null(revs[r].delta);
    }
    return insert_all(a, e, db, "directus_revisions", names, 5, vals, n, ids);
}

int activity_revisions_parent(arena_t *a, err_t *e, db_conn_t *db, int64_t parent,
                              const int64_t *ids, size_t n)
{
    if (!n)
        return 0;
    sqlbuf_t *b = sqlbuf_new(a);
    sqlbuf_kw(b, "UPDATE ");
    sqlbuf_ident(b, "directus_revisions");
    sqlbuf_kw(b, " SET ");
    sqlbuf_ident(b, "parent");
    sqlbuf_kw(b, " = ");
    sqlbuf_param_int(b, parent);
    sqlbuf_kw(b, " WHERE ");
    sqlbuf_ident(b, "id");
    sqlbuf_kw(b, " IN (");
    for (size_t i = 0; i < n; i++) {
        if (i)
            sqlbuf_kw(b, ", ");
        sqlbuf_param_int(b, ids[i]);
    }
    sqlbuf_kw(b, ")");
    sqlbuf_out_t out;
    if (sqlbuf_render(b, a, db_dialect(db), &out, NULL) < 0)
        return err_set(e, a, ERR_INTERNAL_SERVER_ERROR, NULL);
    return db_exec(db, a, e, out.sql, out.params, out.nparams, NULL);
}
