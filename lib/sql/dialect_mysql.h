/* The mysql entries of lib/sql/dialect.h. */
#ifndef LIB_SQL_DIALECT_MYSQL_H
#define LIB_SQL_DIALECT_MYSQL_H

#include "lib/sql/dialect.h"

extern const sql_dialect_t sql_dialect_mysql;

#endif
