/*
 * The Directus query (?fields=…&filter=…&sort=… or a SEARCH body's "query") → query_t, as
 * Directus 11.3.5's sanitizeQuery and validateQuery leave it: fields, groupBy and sort as string
 * lists, the filter parsed (lib/query/qfilter.h), limit/offset/page through JavaScript's Number(),
 * meta as a list, aggregate, deep (sub-queries per relational key, sanitized but, as in Directus,
 * not validated), alias and export. Errors carry Directus's exact texts (Joi's for the scalar
 * parameters). No schema here: lib/sql/plan resolves the names.
 */
#ifndef LIB_QUERY_QUERY_H
#define LIB_QUERY_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "lib/core/arena.h"
#include "lib/core/conf.h"
#include "lib/core/err.h"
#include "lib/core/str.h"
#include "lib/query/qfilter.h"

typedef struct {
    str_t *v;
    size_t n;
} query_list_t;

typedef enum { QUERY_META_TOTAL_COUNT, QUERY_META_FILTER_COUNT } query_meta_t;

typedef enum {
    QUERY_EXPORT_NONE,
    QUERY_EXPORT_JSON,
    QUERY_EXPORT_CSV,
    QUERY_EXPORT_XML,
    QUERY_EXPORT_YAML,
} query_export_t;

typedef enum {
    QUERY_AGG_COUNT,
    QUERY_AGG_COUNT_DISTINCT,
    QUERY_AGG_COUNT_ALL,
    QUERY_AGG_SUM,
    QUERY_AGG_SUM_DISTINCT,
    QUERY_AGG_AVG,
    QUERY_AGG_AVG_DISTINCT,
    QUERY_AGG_MIN,
    QUERY_AGG_MAX,
    QUERY_AGG_UNKNOWN, /* Directus ignores operations it does not know (no column, no key) */
} query_agg_op_t;

typedef struct {
    str_t name; /* the operation as written ("countDistinct") */
    query_agg_op_t op;
    query_list_t fields;
} query_agg_t;

typedef struct {
    str_t name;  /* the new key */
    str_t field; /* the field it shows */
} query_alias_t;

typedef struct query query_t;
typedef struct query_deep query_deep_t;

/* deep: one node per relational key ("comments", "item:headings"), holding the sanitized
 * sub-query of its "_" keys (NULL when it had none) and the nodes below it. */
struct query_deep {
    str_t key;
    query_t *q;
    query_deep_t *kids;
    size_t nkids;
};

struct query {
    bool has_fields;
    query_list_t fields;
    bool has_group;
    query_list_t group;
    bool has_sort;
    query_list_t sort;
    qfilter_t *filter; /* NULL: none */
    /* limit, offset and page as Number() made them; validated (integers in range) at the top
     * level only, so a deep query may hold NaN or fractions, which Directus slices with. */
    bool has_limit;
    double limit;
    bool has_offset;
    double offset;
    bool has_page;
    double page;
    query_meta_t *meta; /* in request order, may repeat */
    size_t nmeta;
    bool has_search;
    str_t search;
    query_export_t export_format;
    bool has_aggregate; /* aggregate given (possibly with no operation) */
    query_agg_t *aggregate;
    size_t naggregate;
    query_deep_t *deep; /* NULL: none */
    bool has_alias;
    query_alias_t *alias;
    size_t nalias;
    bool has_version;
    str_t version;
};

/* Settings and caller facts the parser needs. */
typedef struct {
    int64_t limit_default; /* QUERY_LIMIT_DEFAULT */
    int64_t limit_max;     /* QUERY_LIMIT_MAX, CONF_UNLIMITED when unset */
    int max_relational_depth;
    qfilter_env_t vars; /* $CURRENT_*, $NOW */
} query_env_t;

/* The query_env_t for a configuration (clock and caller left for the caller to fill). */
query_env_t query_env(const conf_t *conf);

/*
 * sanitizeQuery + validateQuery over raw (a json-c object as qs parses the URL, or a SEARCH
 * body's "query" value). url_defaults: the URL's rule that a missing `fields` means "*". Fills
 * out (allocated in a: valid until the arena is reset); returns 0, or -1 with e set: 400
 * INVALID_QUERY with Directus's reason ("Invalid JSON for filter object", "\"limit\" must be a
 * number", "\"meta[0]\" must be one of [total_count, filter_count]", "Max relational depth
 * exceeded", ...). Hostile input (deep nesting, huge lists, NUL bytes) is refused or carried as
 * data, never executed or unbounded.
 */
int query_parse(arena_t *a, err_t *e, const query_env_t *env, const struct json_object *raw,
                bool url_defaults, query_t *out);

/* The deep node for key below d (NULL: none). */
const query_deep_t *query_deep_get(const query_deep_t *d, str_t key);

/* The field an alias names (alias[new]=field), or STR_NULL. */
str_t query_alias_target(const query_t *q, str_t name);

#endif
