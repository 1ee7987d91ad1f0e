/*
 * Name resolution for lib/sql/plan: filter trees, sort keys and function keys against the schema,
 * as Directus's applyFilter / applySort / getColumnPath / getColumn resolve them. Paths through
 * relations become joins in a scope (shared by equal paths), values are coerced per field type,
 * and operators and functions are checked per type with Directus's 400 messages. Existence of
 * fields is checked before, by plan.c, in Directus's order; what is left here are the errors
 * Directus raises while building SQL.
 */
#ifndef LIB_SQL_RESOLVE_H
#define LIB_SQL_RESOLVE_H

#include <stdbool.h>

#include "lib/core/arena.h"
#include "lib/core/err.h"
#include "lib/query/qfilter.h"
#include "lib/sql/plan.h"

typedef struct {
    arena_t *a;
    err_t *e;
    const schema_t *s;
    plan_t *plan; /* for join ids */
    bool join_some; /* a flat aggregate's filter: _some/_none LEFT JOIN their relation too, as
                     * Directus's addJoin does (the joined rows are what count() sees) */
} resolve_t;

/* parseFilterKey plus the function test of getColumn: "year(date)" → fn YEAR and "date";
 * a key without parentheses → PLAN_FN_NONE and the key. *unknown_fn is set when the key has a
 * function call whose name is not one of Directus's (foo(x)), *fn_name to that name. */
void resolve_fn_key(str_t key, plan_fn_t *fn, str_t *field, str_t *fn_name, bool *has_call);

/* The functions Directus allows on a field type (getFunctionsForType). */
bool resolve_fn_allowed(plan_fn_t fn, schema_type_t type);

/* Resolves filter f over scope (joins are added to it). *out NULL: no condition. -1 with e set
 * on Directus's 400s. */
int resolve_filter(resolve_t *r, plan_scope_t *scope, const qfilter_t *f, pfilter_t **out);

/* Resolves one sort key ("-author.name", "year(date)") over scope. *skip is set for keys that
 * add no ORDER BY. -1 with e set on Directus's 400s. */
int resolve_sort(resolve_t *r, plan_scope_t *scope, str_t key, plan_sort_t *out, bool *skip);

/* A field key of coll (plain or function) as a selectable expression; -1 with 400 "Invalid
 * function specified" when the function does not apply to the field's type. */
int resolve_column(resolve_t *r, const schema_collection_t *coll, str_t key, plan_expr_t *out);

#endif
