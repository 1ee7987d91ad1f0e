/*
 * Plan: a parsed query (lib/query) resolved against the schema snapshot, as Directus's
 * getAstFromQuery + processAst do it. The result is a tree of nodes, one per collection level
 * (the root, every m2o / o2m / m2a relation a field path walks), each with the output keys it
 * renders in order, the columns it selects, and its resolved filter, sort and search. Nothing
 * here is SQL text: lib/sql/compile renders it, lib/services/items runs and assembles it.
 *
 * Checks happen here, with Directus's messages: every field named in fields, filter, sort,
 * aggregate, groupBy and deep must exist (403 FORBIDDEN "You don't have permission to access
 * field \"x\" in collection \"c\" or it does not exist. Queried in root." — reported in
 * Directus's order: filter and sort paths first, then fields), and then operators per field
 * type, functions per type, _some/_none placement (400 INVALID_QUERY).
 *
 * Statements: the root and each to-many node (o2m, m2m through its junction, m2a) are one SQL
 * statement each; to-one nodes (m2o, the targets of an a2o) are LEFT JOINed into the statement
 * of their parent. A read therefore costs 1 + (number of to-many nodes) statements, whatever
 * the number of rows.
 */
#ifndef LIB_SQL_PLAN_H
#define LIB_SQL_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/core/arena.h"
#include "lib/core/err.h"
#include "lib/query/query.h"
#include "lib/perm/perm.h"
#include "lib/schema/schema.h"

/* Date functions and count(), as field functions and filter keys. */
typedef enum {
    PLAN_FN_NONE,
    PLAN_FN_YEAR,
    PLAN_FN_MONTH,
    PLAN_FN_WEEK,
    PLAN_FN_DAY,
    PLAN_FN_WEEKDAY,
    PLAN_FN_HOUR,
    PLAN_FN_MINUTE,
    PLAN_FN_SECOND,
    PLAN_FN_COUNT,
} plan_fn_t;

typedef struct plan_join plan_join_t;
typedef struct plan_node plan_node_t;
typedef struct pfilter pfilter_t;

/* A value read from one row: a column, a function of a column, or count() of related rows. */
typedef struct {
    const plan_join_t *join;            /* filter/sort join it reads from; NULL: the base table */
    const schema_field_t *field;        /* the column (count(): the json column or o2m alias) */
    plan_fn_t fn;
    const schema_relation_t *count_rel; /* count() over an o2m alias: rows of rel->collection */
    const struct plan_filter *count_rule; /* count() as a field: the caller's row rule on the
                                           * related rows (NULL: none) */
} plan_expr_t;

/* A LEFT JOIN a filter or sort path needs (Directus's aliasMap entry). Paths share joins: the
 * same path in two conditions reads the same joined row. */
struct plan_join {
    unsigned id;                       /* unique in the plan: rendered as alias "j<id>" */
    const plan_join_t *parent;         /* NULL: joined to the scope's base table */
    schema_rel_kind_t kind;            /* M2O, A2O (scoped), O2M (also m2m/m2a junctions), or
                                        * SCHEMA_REL_NONE for an o2a ($FOLLOW with 3 names) */
    const schema_relation_t *rel;
    const schema_collection_t *coll;   /* the joined collection */
    const schema_collection_t *from;   /* the collection it is joined to */
    str_t path;                        /* "author.category": key for sharing */
};

/* Where conditions are evaluated: a base collection and the joins hanging off it. */
typedef struct {
    const schema_collection_t *base;
    plan_join_t **joins;
    size_t njoins;
    bool multi; /* an o2m/o2a join: rows multiply, so conditions go through a key subquery */
} plan_scope_t;

typedef enum { PF_AND, PF_OR, PF_COND, PF_SOME, PF_NONE } pf_kind_t;

struct pfilter {
    pf_kind_t kind;
    pfilter_t **kids; /* PF_AND, PF_OR */
    size_t nkids;
    /* PF_COND: expr op val, val already coerced the way Directus does per field type; raw is
     * the value before coercion (null tests look at it). */
    plan_expr_t expr;
    qop_t op;
    qval_t val;
    qval_t raw;
    schema_type_t type; /* the field's type, or integer for a function */
    /* PF_SOME / PF_NONE: base.pk [NOT] IN (SELECT rel->field FROM rel->collection WHERE ...) */
    const schema_relation_t *rel;
    bool o2a;
    const schema_collection_t *child;
    plan_scope_t *sub_scope;
    pfilter_t *sub;
    bool pg_fails; /* PF_AND/PF_OR: Directus's SQL for it fails on PostgreSQL (hoisted_deep) */
};

/* A resolved filter: conditions plus the joins they need. root NULL: no condition. */
typedef struct plan_filter {
    plan_scope_t scope;
    pfilter_t *root;
} plan_filter_t;

typedef enum {
    PLAN_SORT_EXPR,  /* a column or function, possibly through m2o joins */
    PLAN_SORT_COL,   /* aggregate plans: one of the node's own columns (count, sum->views, ...) */
} plan_sort_kind_t;

typedef struct {
    plan_sort_kind_t kind;
    plan_expr_t expr; /* PLAN_SORT_EXPR, joins in the node's sort scope */
    int col;          /* PLAN_SORT_COL */
    bool desc;
} plan_sort_t;

/* A selected column of a node. */
typedef struct {
    plan_expr_t expr;        /* on the node's own table (join NULL) */
    const char *key;         /* the key Directus's raw item has for it (fieldKey, pk name, ...) */
    bool raw;                /* rendered as the driver hands it (alias keys, aggregates) */
    query_agg_op_t agg;      /* aggregate plans: the operation; QUERY_AGG_UNKNOWN otherwise */
    bool agg_star;           /* count(*) */
    bool agg_distinct_pk;    /* countDistinct of the primary key without joins: plain COUNT */
    /* Per-row field permission (Directus's whenCase): the value only on rows matching this
     * filter, NULL elsewhere (CASE WHEN). NULL: never masked. */
    plan_filter_t *mask;
} plan_col_t;

typedef enum {
    PLAN_OUT_COL,  /* a column of the node's row */
    PLAN_OUT_NODE, /* a nested node (object, array, or key array) */
    PLAN_OUT_AGG,  /* {op: {field: value, ...}} or {count: value} */
} plan_out_kind_t;

typedef struct {
    const char *key;
    int col;
} plan_agg_entry_t;

typedef struct {
    plan_out_kind_t kind;
    const char *key;         /* output key (functions applied: "published_date_year") */
    str_t json_key;          /* the key as rendered, "key": (escaped once, written per row) */
    int col;                 /* PLAN_OUT_COL; PLAN_OUT_AGG: the bare count(*) column or -1 */
    plan_node_t *node;       /* PLAN_OUT_NODE */
    plan_agg_entry_t *sub;   /* PLAN_OUT_AGG */
    size_t nsub;
} plan_out_t;

typedef enum {
    PLAN_ROOT,
    PLAN_M2O, /* to-one: joined into the parent's statement */
    PLAN_O2M, /* to-many: a statement of its own (also m2m and m2a through the junction) */
    PLAN_A2O, /* many-to-any item: one joined target node per allowed collection */
} plan_kind_t;

/* How applyParentFilters' restriction survives a deep _filter (PLAN_O2M and PLAN_M2O nodes).
 * Directus lodash-merges {fk: {_in: parent keys}} (m2o: {pk: {_in: the parents' foreign keys}})
 * into the node's parsed _filter; when that filter's only key is that same field, the merged
 * object keeps the user's operator first and applyFilter reads only the first one. For an m2o
 * node the rows of other parents make mergeWithParentItems throw a TypeError instead. */
typedef enum {
    PLAN_MERGE_NONE,    /* the restriction applies as an AND */
    PLAN_MERGE_ORPHANS, /* the restriction is lost: rows of other parents come back and
                         * mergeWithParentItems throws "Missing parentItem" */
    PLAN_MERGE_TAIL,    /* the user's operator was _in: the lists merged index-wise, parent keys
                         * first, so only the user's values past the number of parents remain
                         * (merge_tail), and the user's own condition is gone */
} plan_merge_t;

struct plan_node {
    plan_kind_t kind;
    unsigned id;                      /* unique in the plan: table alias "t<id>" */
    const schema_collection_t *coll;  /* NULL for PLAN_A2O */
    const schema_relation_t *rel;     /* the relation to the parent */
    const char *key;                  /* key in the parent's output */
    plan_node_t *parent;
    const query_t *q;                 /* root query or deep sub-query (never NULL) */

    plan_out_t *outs;                 /* what an item renders, in order */
    size_t nouts;
    plan_col_t *cols;                 /* what the node selects */
    size_t ncols;
    int pk_col;                       /* -1 in aggregate plans */
    int link_col;   /* M2O: parent's FK column; O2M: this node's FK column; A2O: parent's item
                     * column */
    int a2o_coll_col;                 /* PLAN_A2O: the parent's collection-name column */
    int sort_key_col;                 /* PLAN_O2M: column of the first sort key, or -1 */
    bool sort_key_desc;

    plan_node_t **kids;               /* nested nodes, in output order */
    size_t nkids;
    plan_node_t **targets;            /* PLAN_A2O: one M2O-like node per allowed collection */
    size_t ntargets;

    plan_filter_t filter;             /* root filter, or deep _filter */
    bool has_search;
    str_t search;
    plan_sort_t *sorts;
    size_t nsorts;
    plan_scope_t sort_scope;          /* m2o joins the sorts need */

    bool aggregate;                   /* aggregate / groupBy plan (root only) */
    int *group_cols;                  /* aggregate plans: columns to GROUP BY */
    size_t ngroup;

    /* Nested nodes: the 400 INVALID_QUERY their deep _filter gives (a bad operator for a field's
     * type, ...). Directus finds it only when it runs the nested query, that is when the parent
     * level has items, and in the order of the nested nodes; NULL: none. */
    const err_t *deferred_err;
    plan_merge_t merge;               /* PLAN_O2M, PLAN_M2O: see plan_merge_t */
    const struct qval *merge_tail;    /* PLAN_MERGE_TAIL: the user's _in values */
    size_t nmerge_tail;

    /* Per-parent slice of an o2m node (Directus slices in memory after fetching all). */
    double slice_limit, slice_offset, slice_page;
    bool has_slice_offset, has_slice_page;

    int stmt; /* PLAN_ROOT / PLAN_O2M: statement number (0 for the root) */
    /* Row layout: a statement returns the columns of its node, then those of every to-one node
     * joined into it (depth first); col_base is where this node's columns start, stmt_ncols
     * (statement nodes only) how many columns a row has. */
    int col_base;
    int stmt_ncols;
};

typedef struct {
    const schema_t *schema;
    db_dialect_t dialect;
    const query_t *q;
    plan_node_t *root;
    plan_node_t **stmts; /* root and o2m nodes, parents before children */
    size_t nstmts;
    /* Root paging, resolved: limit -1 = none. */
    int64_t limit, offset;
    bool has_offset;
    /* meta filter_count: the query's own filter and search (never the key condition of a read
     * by key), resolved against the root collection. */
    plan_filter_t meta_filter;
    /* meta total_count: the caller's row rule on the root collection (no condition for admins). */
    plan_filter_t total_filter;
    /* A read by key (plan_opts_t.by_key) and the key as sent. */
    bool by_key;
    str_t key;
    unsigned next_id;
} plan_t;

/* What the caller asks for beyond the query. */
typedef struct {
    int64_t limit_default;    /* QUERY_LIMIT_DEFAULT */
    bool singleton;           /* readSingleton: limit 1 */
    /* readOne: the primary key value (as sent); the filter on it replaces a top-level filter on
     * the primary key, as Object.assign does in Directus. */
    bool by_key;
    str_t key;
    /* readMany (SEARCH with keys): pk _in keys AND the query's filter; limit defaults to the
     * number of keys. */
    const qval_t *keys;
    size_t nkeys;
    /* The caller's read permissions (lib/perm); NULL for admins, who read everything. With a
     * set: `*` expands to readable fields, relations into unreadable collections are dropped,
     * named unreadable fields and collections answer 403, row rules are AND-ed into every
     * level's filter and into the meta counts. */
    const perm_set_t *perm;
} plan_opts_t;

/*
 * Plans query q on collection coll. On success returns a plan allocated in a; on failure NULL
 * with e set (403 FORBIDDEN with Directus's reason for unknown or unreadable fields and
 * collections, 400 INVALID_QUERY for operators, functions and _some/_none misuse). Without
 * opts->perm every field is readable (admin semantics).
 */
plan_t *plan_read(arena_t *a, err_t *e, const schema_t *s, const schema_collection_t *coll,
                  const query_t *q, const plan_opts_t *opts);

/* Number of nodes with statements of their own (root + to-many): the most statements a read of
 * this plan runs (meta counts excepted). */
size_t plan_statement_count(const plan_t *p);

/* Directus's applyFunctionToColumnName: "year(date_created)" → "date_created_year". In a. */
const char *plan_fn_key(arena_t *a, str_t field_key);

/* The output type of a function (integer), or the field's type. */
schema_type_t plan_expr_type(const plan_expr_t *x);

#endif
