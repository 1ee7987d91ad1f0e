/* Dialect lookup. */
#include "lib/sql/dialect.h"

#include "lib/sql/dialect_mysql.h"
#include "lib/sql/dialect_pg.h"
#include "lib/sql/dialect_sqlite.h"

const sql_dialect_t *sql_dialect(db_dialect_t d)
{
    switch (d) {
    case DB_PG:
        return &sql_dialect_pg;
    case DB_MYSQL:
        return &sql_dialect_mysql;
    case DB_SQLITE:
        return &sql_dialect_sqlite;
    }
    return &sql_dialect_sqlite;
}
