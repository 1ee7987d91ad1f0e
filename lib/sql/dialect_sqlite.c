/*
 * SQLite (FnHelperSQLite): dates are stored as epoch milliseconds, so a date part is
 * strftime(<format>, col / 1000, 'unixepoch') cast to an integer (%W week, %w weekday 0-6). Directus adds
 * 'localtime' for non-timestamp types, which is a no-op under TZ=UTC, the zone Celer behaves as
 * whatever the host's; json_array_length(col, '$'); "no limit" with an offset is LIMIT -1.
 */
#include "lib/sql/dialect_sqlite.h"

static void date_part(sqlbuf_t *b, plan_fn_t fn, schema_type_t type, const sqlbuf_t *col)
{
    (void)type;
    switch (fn) {
    case PLAN_FN_YEAR: sqlbuf_kw(b, "CAST(strftime('%Y', "); break;
    case PLAN_FN_MONTH: sqlbuf_kw(b, "CAST(strftime('%m', "); break;
    case PLAN_FN_WEEK: sqlbuf_kw(b, "CAST(strftime('%W', "); break;
    case PLAN_FN_DAY: sqlbuf_kw(b, "CAST(strftime('%d', "); break;
    case PLAN_FN_WEEKDAY: sqlbuf_kw(b, "CAST(strftime('%w', "); break;
    case PLAN_FN_HOUR: sqlbuf_kw(b, "CAST(strftime('%H', "); break;
    case PLAN_FN_MINUTE: sqlbuf_kw(b, "CAST(strftime('%M', "); break;
    default: sqlbuf_kw(b, "CAST(strftime('%S', "); break;
    }
    sqlbuf_append(b, col);
    sqlbuf_kw(b, " / 1000, 'unixepoch') AS INTEGER)");
}

static void json_length(sqlbuf_t *b, const char *db_type, const sqlbuf_t *col)
{
    (void)db_type;
    sqlbuf_kw(b, "json_array_length(");
    sqlbuf_append(b, col);
    sqlbuf_kw(b, ", '$')");
}

static void limit_offset(sqlbuf_t *b, int64_t limit, bool has_offset, int64_t offset)
{
    if (limit >= 0) {
        sqlbuf_kw(b, " LIMIT ");
        sqlbuf_param_int(b, limit);
    } else if (has_offset) {
        sqlbuf_kw(b, " LIMIT -1");
    }
    if (has_offset) {
        sqlbuf_kw(b, " OFFSET ");
        sqlbuf_param_int(b, offset);
    }
}

const sql_dialect_t sql_dialect_sqlite = {
    .id = DB_SQLITE,
    .date_part = date_part,
    .json_length = json_length,
    .limit_offset = limit_offset,
    .strict_types = false,
};
