/*
 * Plan → SQL. One statement per statement node of the plan (the root; each to-many node with
 * the parent keys it is fetched for), plus the two meta counts. Every value is a parameter;
 * identifiers come from the schema; table aliases are generated ("t<n>" for plan nodes, "j<n>"
 * for filter and sort joins, "s<n>"/"c<n>" for subqueries). The statements return the columns of
 * plan_node_t.cols in the layout the plan records (col_base), so lib/services/items reads rows
 * by position.
 */
#ifndef LIB_SQL_COMPILE_H
#define LIB_SQL_COMPILE_H

#include <stddef.h>

#include "lib/core/arena.h"
#include "lib/core/err.h"
#include "lib/db/db.h"
#include "lib/sql/plan.h"
#include "lib/sql/sqlbuf.h"

/*
 * The statement of node n (the root, or a to-many node). For a to-many node keys are the parent
 * keys to fetch children for (nkeys > 0). Returns a builder allocated in a, or NULL with 400
 * INVALID_QUERY set in e when a value cannot be bound on this dialect (PostgreSQL text holding a
 * NUL or invalid UTF-8) or an operator is not supported (geometry).
 */
sqlbuf_t *compile_statement(arena_t *a, err_t *e, const plan_t *p, const plan_node_t *n,
                            const db_value_t *keys, size_t nkeys);

/*
 * Several to-many nodes of the same depth in one statement: one branch per node (its keys[i],
 * nkeys[i] > 0), each LEFT JOINed to a driving row of its branch number. Each row starts with
 * the branch number, then holds the columns of every branch side by side (regions[i]: where
 * branch i's columns start; *width: the row's width), the other branches' columns NULL; a branch
 * with no matching row yields one row whose columns are all NULL. Rows come ordered by branch,
 * then by the branch's own order. So a read with k levels of to-many relations costs at most
 * k + 1 statements however many relations each level has.
 */
sqlbuf_t *compile_batch(arena_t *a, err_t *e, const plan_t *p, const plan_node_t *const *nodes,
                        const db_value_t *const *keys, const size_t *nkeys, size_t m,
                        size_t *regions, size_t *width);

/*
 * For a nested node whose deep _filter breaks Directus's parent restriction (plan_merge_t): the
 * first row, in the node's order, that Directus's nested query returns for no parent among keys
 * (to-many: the parents' keys, the row's foreign key is selected; m2o: the parents' foreign
 * keys, the row's primary key is selected): WHERE that column is none of keys AND (the node's
 * conditions | the column IN the merged tail) LIMIT 1. NULL with e set as compile_statement;
 * *none when there is nothing to look for (a tail no longer than keys).
 */
sqlbuf_t *compile_orphan_probe(arena_t *a, err_t *e, const plan_t *p, const plan_node_t *n,
                               const db_value_t *keys, size_t nkeys, bool *none);

/* meta total_count: rows of the root collection the caller may read (the row rule). */
sqlbuf_t *compile_total_count(arena_t *a, err_t *e, const plan_t *p);

/* meta filter_count: rows matching the query's filter and search. */
sqlbuf_t *compile_filter_count(arena_t *a, err_t *e, const plan_t *p);

/* Renders b for the plan's dialect; on failure (too many parameters) sets 400 INVALID_QUERY. */
int compile_render(arena_t *a, err_t *e, const plan_t *p, const sqlbuf_t *b, sqlbuf_out_t *out);

#endif
