/*
 * MySQL / MariaDB (FnHelperMySQL): YEAR(), MONTH(), WEEK() (mode 0), DAYOFMONTH(), DAYOFWEEK()
 * (Sunday = 1), HOUR(), MINUTE(), SECOND(); JSON_LENGTH(); an OFFSET needs a LIMIT, so "no
 * limit" is the largest unsigned value, as knex writes it.
 */
#include "lib/sql/dialect_mysql.h"

static void date_part(sqlbuf_t *b, plan_fn_t fn, schema_type_t type, const sqlbuf_t *col)
{
    (void)type;
    switch (fn) {
    case PLAN_FN_YEAR: sqlbuf_kw(b, "YEAR("); break;
    case PLAN_FN_MONTH: sqlbuf_kw(b, "MONTH("); break;
    case PLAN_FN_WEEK: sqlbuf_kw(b, "WEEK("); break;
    case PLAN_FN_DAY: sqlbuf_kw(b, "DAYOFMONTH("); break;
    case PLAN_FN_WEEKDAY: sqlbuf_kw(b, "DAYOFWEEK("); break;
    case PLAN_FN_HOUR: sqlbuf_kw(b, "HOUR("); break;
    case PLAN_FN_MINUTE: sqlbuf_kw(b, "MINUTE("); break;
    default: sqlbuf_kw(b, "SECOND("); break;
    }
    sqlbuf_append(b, col);
    sqlbuf_kw(b, ")");
}

static void json_length(sqlbuf_t *b, const char *db_type, const sqlbuf_t *col)
{
    (void)db_type;
    sqlbuf_kw(b, "JSON_LENGTH(");
    sqlbuf_append(b, col);
    sqlbuf_kw(b, ")");
}

static void limit_offset(sqlbuf_t *b, int64_t limit, bool has_offset, int64_t offset)
{
    if (limit >= 0) {
        sqlbuf_kw(b, " LIMIT ");
        sqlbuf_param_int(b, limit);
    } else if (has_offset) {
        sqlbuf_kw(b, " LIMIT 18446744073709551615");
    }
    if (has_offset) {
        sqlbuf_kw(b, " OFFSET ");
        sqlbuf_param_int(b, offset);
    }
}

const sql_dialect_t sql_dialect_mysql = {
    .id = DB_MYSQL,
    .date_part = date_part,
    .json_length = json_length,
    .limit_offset = limit_offset,
    .strict_types = false,
};
