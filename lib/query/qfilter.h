/*
 * Directus filters → a small tree, with the semantics of @directus/utils parseFilter and of
 * validate-query's validateFilter (11.3.5): several keys in one object are an _and, `{"f": v}`
 * is `{"f": {"_eq": v}}`, "true"/"false"/"null" strings become values, dynamic variables ($NOW
 * with offsets, $CURRENT_USER, $CURRENT_ROLE, $CURRENT_ROLES, $CURRENT_POLICIES) are resolved,
 * list operators take arrays, comma strings or qs objects, and logical operators below a field
 * are hoisted above it. No schema here: names stay strings until lib/sql/plan resolves them.
 *
 * Shape of the tree: _and/_or nodes hold children; a FIELD node is one path step (a field name,
 * a function key "year(f)", an m2a scope "item:headings" or "$FOLLOW(c,f)") with one child (NULL
 * when the object under it was empty); an OP node is an operator with its value; SOME/NONE sit
 * under a FIELD and hold the filter of the related collection.
 */
#ifndef LIB_QUERY_QFILTER_H
#define LIB_QUERY_QFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "lib/core/arena.h"
#include "lib/core/err.h"
#include "lib/core/str.h"

/* Filter operators (Directus's client operators plus the validation-only ones). */
#define QOP_MAP(X)                                                                                 \
    X(EQ, "_eq")                                                                                   \
    X(NEQ, "_neq")                                                                                 \
    X(LT, "_lt")                                                                                   \
    X(LTE, "_lte")                                                                                 \
    X(GT, "_gt")                                                                                   \
    X(GTE, "_gte")                                                                                 \
    X(IN, "_in")                                                                                   \
    X(NIN, "_nin")                                                                                 \
    X(NULL, "_null")                                                                               \
    X(NNULL, "_nnull")                                                                             \
    X(CONTAINS, "_contains")                                                                       \
    X(NCONTAINS, "_ncontains")                                                                     \
    X(ICONTAINS, "_icontains")                                                                     \
    X(NICONTAINS, "_nicontains")                                                                   \
    X(STARTS_WITH, "_starts_with")                                                                 \
    X(NSTARTS_WITH, "_nstarts_with")                                                               \
    X(ISTARTS_WITH, "_istarts_with")                                                               \
    X(NISTARTS_WITH, "_nistarts_with")                                                             \
    X(ENDS_WITH, "_ends_with")                                                                     \
    X(NENDS_WITH, "_nends_with")                                                                   \
    X(IENDS_WITH, "_iends_with")                                                                   \
    X(NIENDS_WITH, "_niends_with")                                                                 \
    X(BETWEEN, "_between")                                                                         \
    X(NBETWEEN, "_nbetween")                                                                       \
    X(EMPTY, "_empty")                                                                             \
    X(NEMPTY, "_nempty")                                                                           \
    X(INTERSECTS, "_intersects")                                                                   \
    X(NINTERSECTS, "_nintersects")                                                                 \
    X(INTERSECTS_BBOX, "_intersects_bbox")                                                         \
    X(NINTERSECTS_BBOX, "_nintersects_bbox")                                                       \
    X(IEQ, "_ieq")                                                                                 \
    X(NIEQ, "_nieq")                                                                               \
    X(REGEX, "_regex")                                                                             \
    X(SUBMITTED, "_submitted")

typedef enum {
#define X(name, text) QOP_##name,
    QOP_MAP(X)
#undef X
    QOP_UNKNOWN, /* any other "_x" key: kept by name, refused when the field type is known */
} qop_t;

/* The operator's name without the leading underscore ("eq"), or NULL for QOP_UNKNOWN. */
const char *qop_name(qop_t op);

/* A filter value after parseFilter: what JavaScript would hold. */
typedef enum {
    QV_UNDEFINED, /* a dynamic variable that resolved to nothing ($NOW(bogus)) */
    QV_NULL,
    QV_BOOL,
    QV_NUMBER,
    QV_STRING,
    QV_DATE, /* from $NOW: epoch milliseconds (UTC) */
    QV_LIST,
    QV_OBJECT, /* any other JSON object or nested array (json: the value) */
} qval_kind_t;

typedef struct qval {
    qval_kind_t kind;
    bool b;
    double num;         /* QV_NUMBER */
    int64_t ms;         /* QV_DATE */
    str_t s;            /* QV_STRING */
    struct qval *items; /* QV_LIST */
    size_t n;
    const struct json_object *json; /* QV_OBJECT */
} qval_t;

typedef enum { QF_AND, QF_OR, QF_FIELD, QF_OP, QF_SOME, QF_NONE } qf_kind_t;

typedef struct qfilter qfilter_t;
struct qfilter {
    qf_kind_t kind;
    str_t key;              /* QF_FIELD: the key; QF_OP: the operator as written ("_eq") */
    qop_t op;               /* QF_OP */
    qval_t val;             /* QF_OP */
    qfilter_t *child;       /* QF_FIELD (NULL: `{}` below it), QF_SOME, QF_NONE */
    qfilter_t **kids;       /* QF_AND, QF_OR */
    size_t nkids;
    bool empty_object;      /* QF_AND: it was `{}` (an _or holding one matches everything) */
    /* QF_AND/QF_OR hoisted from under the second or a later field of a path (several operators
     * in one object there, or a logical operator): shiftLogicalOperatorsUp moves it up one level
     * only, so Directus ends up comparing the column of the path's first fields with an array
     * of objects (_eq), which PostgreSQL refuses. The tree here has the intended meaning. */
    bool hoisted_deep;
};

/* Who is asking, for $CURRENT_*, and the request's clock for $NOW. */
typedef struct {
    const char *user;         /* NULL for the public */
    const char *role;         /* NULL without a role */
    const char *const *roles; /* role ids, NULL when unknown */
    size_t nroles;
    int64_t now_ms; /* epoch milliseconds */
    /* Permission rules only (lib/perm fills them; request filters leave them NULL, so there
     * these variables are null as in 11.3.5): $CURRENT_POLICIES, and the records that
     * $CURRENT_USER.<path>, $CURRENT_ROLE.<path> (objects), $CURRENT_ROLES.<path> and
     * $CURRENT_POLICIES.<path> (arrays of records) read from: the fields the rules name, as
     * the read engine returns them, relations nested. */
    const char *const *policies;
    size_t npolicies;
    const struct json_object *user_ctx;
    const struct json_object *role_ctx;
    const struct json_object *roles_ctx;
    const struct json_object *policies_ctx;
} qfilter_env_t;

/*
 * Parses a filter value (a json-c object, array or primitive as qs or JSON.parse made it; NULL
 * is JSON null) into *out, allocated in a. JSON null gives *out = NULL (no filter). Fails (-1,
 * with 400 INVALID_QUERY "Invalid filter object" set in e) where parseFilter would throw: an
 * _and/_or that is not an array, nesting deeper than max_depth.
 */
int qfilter_parse(arena_t *a, err_t *e, const qfilter_env_t *env, const struct json_object *raw,
                  int max_depth, qfilter_t **out);

/* validateFilter: 400 INVALID_QUERY with Directus's message for a bad operator value ("\"_in\"
 * has to be an array of values", "You can't filter for an empty string in \"_eq\". …"). Only the
 * top-level filter of a query is validated, as in Directus. */
int qfilter_validate(arena_t *a, err_t *e, const qfilter_t *f);

/* validate-query's calculateFieldDepth over the parsed filter: the longest chain of field keys. */
int qfilter_depth(const qfilter_t *f);

/*
 * The field paths a filter reads, in the order Directus's flattenFilter lists them (it walks a
 * stack, so later siblings come first), without duplicates. Each path is an array of keys
 * (operators and _and/_or/_some/_none left out). Allocated in a; returns the number of paths.
 */
size_t qfilter_paths(arena_t *a, const qfilter_t *f, str_t ***paths, size_t **lens);

#endif
