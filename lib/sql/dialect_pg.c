/*
 * PostgreSQL (Directus's FnHelperPostgres): EXTRACT(<part> FROM col), with timestamptz
 * columns converted AT TIME ZONE 'UTC' first; json_array_length / jsonb_array_length; plain
 * LIMIT/OFFSET. PostgreSQL refuses rather than converts mismatched parameters, so the compiler
 * casts where Directus's answer would otherwise be a 500.
 */
#include "lib/sql/dialect_pg.h"

static void date_part(sqlbuf_t *b, plan_fn_t fn, schema_type_t type, const sqlbuf_t *col)
{
    switch (fn) {
    case PLAN_FN_YEAR: sqlbuf_kw(b, "EXTRACT(YEAR FROM "); break;
    case PLAN_FN_MONTH: sqlbuf_kw(b, "EXTRACT(MONTH FROM "); break;
    case PLAN_FN_WEEK: sqlbuf_kw(b, "EXTRACT(WEEK FROM "); break;
    case PLAN_FN_DAY: sqlbuf_kw(b, "EXTRACT(DAY FROM "); break;
    case PLAN_FN_WEEKDAY: sqlbuf_kw(b, "EXTRACT(DOW FROM "); break;
    case PLAN_FN_HOUR: sqlbuf_kw(b, "EXTRACT(HOUR FROM "); break;
    case PLAN_FN_MINUTE: sqlbuf_kw(b, "EXTRACT(MINUTE FROM "); break;
    default: sqlbuf_kw(b, "EXTRACT(SECOND FROM "); break;
    }
    sqlbuf_append(b, col);
    if (type == SCHEMA_TYPE_TIMESTAMP)
        sqlbuf_kw(b, " AT TIME ZONE 'UTC'");
    sqlbuf_kw(b, ")");
}

static void json_length(sqlbuf_t *b, const char *db_type, const sqlbuf_t *col)
{
    if (db_type && db_type[0] == 'j' && db_type[1] == 's' && db_type[2] == 'o' &&
        db_type[3] == 'n' && db_type[4] == 'b')
        sqlbuf_kw(b, "jsonb_array_length(");
    else
        sqlbuf_kw(b, "json_array_length(");
    sqlbuf_append(b, col);
    sqlbuf_kw(b, ")");
}

static void limit_offset(sqlbuf_t *b, int64_t limit, bool has_offset, int64_t offset)
{
    if (limit >= 0) {
        sqlbuf_kw(b, " LIMIT ");
        sqlbuf_param_int(b, limit);
    }
    if (has_offset) {
        sqlbuf_kw(b, " OFFSET ");
        sqlbuf_param_int(b, offset);
    }
}

const sql_dialect_t sql_dialect_pg = {
    .id = DB_PG,
    .date_part = date_part,
    .json_length = json_length,
    .limit_offset = limit_offset,
    .strict_types = true,
};
