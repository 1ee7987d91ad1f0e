/*
 * Activity and revision rows: one INSERT each (the id comes back through RETURNING on
 * PostgreSQL, the driver's last insert id elsewhere), and one UPDATE that links nested
 * revisions to their parent.
 */
#include "lib/services/activity.h"

#include "lib/sql/sqlbuf.h"

static db_value_t text_or_null(const char *s)
{
    return s ? (db_value_t){.type = DB_TEXT, .s = str_c(s)} : (db_value_t){.type = DB_NULL};
}

/* INSERT INTO table (names...) VALUES (values...) and the new id. */
static int insert(arena_t *a, err_t *e, db_conn_t *db, const char *table,
                  const char *const *names, const db_value_t *vals, size_t n, int64_t *id)
{
    db_dialect_t d = db_dialect(db);
    sqlbuf_t *b = sqlbuf_new(a);
    sqlbuf_kw(b, "INSERT INTO ");
    sqlbuf_ident(b, table);
    sqlbuf_kw(b, " (");
    for (size_t i = 0; i < n; i++) {
        if (i)
            sqlbuf_kw(b, ", ");
        sqlbuf_ident(b, names[i]);
    }
    sqlbuf_kw(b, ") VALUES (");
    for (size_t i = 0; i < n; i++) {
        if (i)
            sqlbuf_kw(b, ", ");
        sqlbuf_param(b, vals[i]);
    }
    sqlbuf_kw(b, ")");
    if (d == DB_PG)
        sqlbuf_kw(b, " RETURNING \"id\"");
    sqlbuf_out_t out;
    if (sqlbuf_render(b, a, d, &out, NULL) < 0)
        return err_set(e, a, ERR_INTERNAL_SERVER_ERROR, NULL);
    db_result_t r;
    if (db_exec(db, a, e, out.sql, out.params, out.nparams, &r) < 0)
        return -1;
    const db_value_t *v = d == DB_PG ? db_cell(&r, 0, 0) : NULL;
    *id = v ? v->i : r.last_insert_id;
    return 0;
}

int activity_add(arena_t *a, err_t *e, db_conn_t *db, const write_actor_t *actor,
                 const char *action, const char *collection, const char *item, int64_t *id)
{
    static const char *const names[] = {"action", "user",       "collection", "ip",
                                        "user_agent", "origin", "item"};
    db_value_t vals[] = {
        text_or_null(action),
        text_or_null(actor ? actor->user : NULL),
        text_or_null(collection),
        text_or_null(actor ? actor->ip : NULL),
        text_or_null(actor ? actor->user_agent : NULL),
        text_or_null(actor ? actor->origin : NULL),
        text_or_null(item),
    };
    return insert(a, e, db, "directus_activity", names, vals, 7, id);
}

int activity_revision_add(arena_t *a, err_t *e, db_conn_t *db, int64_t activity,
                          const char *collection, const char *item, const char *data,
                          const char *delta, int64_t *id)
{
    static const char *const names[] = {"activity", "collection", "item", "data", "delta"};
    db_value_t vals[] = {
        {.type = DB_INT, .i = activity},
        text_or_null(collection),
        text_or_null(item),
        text_or_null(data),
        text_or_null(delta),
    };
    return insert(a, e, db, "directus_revisions", names, vals, 5, id);
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
