/* The pg entries of lib/sql/dialect.h. */
#ifndef LIB_SQL_DIALECT_PG_H
#define LIB_SQL_DIALECT_PG_H

#include "lib/sql/dialect.h"

extern const sql_dialect_t sql_dialect_pg;

#endif
