/*
 * Golden SQL: each tests/unit/sql/golden/<name>.case holds a collection and a Directus query
 * string; the test plans it against the SQLite fixture's schema and compiles every statement
 * (root, to-many children fetched for parent keys 1 and 2, meta counts) for PostgreSQL, MySQL
 * and SQLite, then compares text and parameters with the sections of the file. Compiler changes
 * are reviewed as diffs of these files: GOLDEN_UPDATE=1 rewrites them. An optional `perm:` line
 * (a JSON array of [collection, fields, rule] read permission rows) plans the query as a caller
 * with those permissions instead of an admin.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <json-c/json.h>

#include "lib/core/buf.h"
#include "lib/core/json.h"
#include "lib/http/qs.h"
#include "lib/query/query.h"
#include "lib/sql/compile.h"
#include "lib/sql/plan.h"
#include "tests/unit/sql/fixture.h"

#define GOLDEN_DIR SOURCE_ROOT "/tests/unit/sql/golden"

static fixture_t fx;

static void param_text(buf_t *b, const db_value_t *v)
{
    switch (v->type) {
    case DB_NULL: buf_puts(b, "NULL"); break;
    case DB_INT: buf_printf(b, "%lld", (long long)v->i); break;
    case DB_FLOAT: buf_printf(b, "%.17g", v->f); break;
    case DB_BOOL: buf_puts(b, v->i ? "true" : "false"); break;
    default:
        buf_putc(b, '\'');
        for (size_t i = 0; i < v->s.n; i++) {
            if (v->s.p[i] == '\'')
                buf_putc(b, '\'');
            if ((unsigned char)v->s.p[i] < 0x20)
                buf_printf(b, "\\x%02x", (unsigned char)v->s.p[i]);
            else
                buf_putc(b, v->s.p[i]);
        }
        buf_putc(b, '\'');
    }
}

static void emit(buf_t *out, arena_t *a, const plan_t *p, const sqlbuf_t *b, err_t *ce)
{
    err_t e = {0};
    sqlbuf_out_t r;
    if (!b) {
        buf_printf(out, "error: %s\n", ce->message ? ce->message : "?");
        *ce = (err_t){0};
        return;
    }
    if (compile_render(a, &e, p, b, &r) < 0) {
        buf_printf(out, "error: %s\n", e.message ? e.message : "?");
        return;
    }
    buf_printf(out, "%s\n-- params:", r.sql);
    for (size_t i = 0; i < r.nparams; i++) {
        buf_puts(out, i ? ", " : " ");
        param_text(out, &r.params[i]);
    }
    buf_putc(out, '\n');
    assert_int_equal(r.nparams, sqlbuf_nparams(b));
}

/* Everything the case compiles to, for one dialect. */
/* The `perm:` rows as a permission set ($CURRENT_USER is the editor). */
static const perm_set_t *perm_rows(arena_t *a, const char *json, const qfilter_env_t *vars)
{
    if (!json)
        return NULL;
    perm_set_t *ps = arena_calloc(a, 1, sizeof *ps);
    struct json_object *rows = json_own(a, json_tokener_parse(json));
    assert_non_null(rows);
    for (size_t i = 0; i < json_object_array_length(rows); i++) {
        struct json_object *r = json_object_array_get_idx(rows, i);
        const char *fields = json_object_get_string(json_object_array_get_idx(r, 1));
        const char *rule = json_object_get_string(json_object_array_get_idx(r, 2));
        err_t e = {0};
        assert_int_equal(perm_set_add(a, &e, ps, vars,
                                      json_object_get_string(json_object_array_get_idx(r, 0)),
                                      fields ? str_c(fields) : STR_NULL,
                                      rule ? str_c(rule) : STR_NULL),
                         0);
    }
    return ps;
}

static void render_case(buf_t *out, arena_t *a, const char *coll, const char *query,
                        const char *perm, db_dialect_t d)
{
    err_t e = {0};
    query_env_t env = query_env(&fx.conf);
    env.vars.now_ms = 1764115200000; /* 2025-11-26T00:00:00Z */
    env.vars.user = "c0000000-0000-4000-8000-00000000e001";
    struct json_object *raw = json_own(a, qs_parse(query, strlen(query)));
    query_t q;
    if (query_parse(a, &e, &env, raw, true, &q) < 0) {
        buf_printf(out, "error: %d %s\n", err_status(e.code), e.message);
        return;
    }
    const schema_collection_t *c = schema_collection(fx.schema, str_c(coll));
    assert_non_null(c);
    plan_opts_t opts = {.limit_default = 100, .singleton = c->singleton};
    opts.perm = perm_rows(a, perm, &env.vars);
    plan_t *p = plan_read(a, &e, fx.schema, c, &q, &opts);
    if (!p) {
        buf_printf(out, "error: %d %s\n", err_status(e.code), e.message);
        return;
    }
    p->dialect = d;
    db_value_t keys[2] = {{.type = DB_INT, .i = 1}, {.type = DB_INT, .i = 2}};
    buf_puts(out, "-- statement 0\n");
    emit(out, a, p, compile_statement(a, &e, p, p->root, NULL, 0), &e);
    /* The to-many nodes level by level, as lib/services/items runs them. */
    for (int lvl = 1, more = 1; more; lvl++) {
        const plan_node_t *nodes[64];
        const db_value_t *k[64];
        size_t nk[64], m = 0, regions[64], width;
        more = 0;
        for (size_t i = 1; i < p->nstmts && m < 64; i++) {
            int depth = 0;
            for (const plan_node_t *x = p->stmts[i]; x; x = x->parent)
                depth += x->kind == PLAN_O2M;
            more |= depth > lvl;
            if (depth != lvl)
                continue;
            nodes[m] = p->stmts[i];
            k[m] = keys;
            nk[m++] = 2;
        }
        if (!m)
            continue;
        buf_printf(out, "-- level %d (parent keys 1, 2)\n", lvl);
        emit(out, a, p,
             m == 1 ? compile_statement(a, &e, p, nodes[0], keys, 2)
                    : compile_batch(a, &e, p, nodes, k, nk, m, regions, &width),
             &e);
    }
    if (q.nmeta) {
        buf_puts(out, "-- total_count\n");
        emit(out, a, p, compile_total_count(a, &e, p), &e);
        buf_puts(out, "-- filter_count\n");
        emit(out, a, p, compile_filter_count(a, &e, p), &e);
    }
}

static char *slurp(arena_t *a, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    buf_t b;
    buf_init(&b, a, 4096);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    return b.p;
}

static const char *header(arena_t *a, const char *text, const char *key)
{
    size_t kl = strlen(key);
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > kl + 1 && strncmp(line, key, kl) == 0 && line[kl] == ':')
            return arena_strndup(a, line + kl + 2, len - kl - 2);
        if (strncmp(line, "=== ", 4) == 0)
            break;
        line = end ? end + 1 : NULL;
    }
    return NULL;
}

static int run_file(arena_t *a, const char *path, bool update)
{
    char *text = slurp(a, path);
    assert_non_null(text);
    const char *coll = header(a, text, "collection"), *query = header(a, text, "query");
    const char *perm = header(a, text, "perm");
    if (!coll || !query)
        fail_msg("%s: needs collection: and query: lines", path);
    buf_t want;
    buf_init(&want, a, 4096);
    const char *sep = strstr(text, "\n=== ");
    buf_append(&want, text, sep ? (size_t)(sep - text) + 1 : strlen(text));
    static const struct {
        const char *name;
        db_dialect_t d;
    } dialects[] = {{"pg", DB_PG}, {"mysql", DB_MYSQL}, {"sqlite", DB_SQLITE}};
    for (size_t i = 0; i < 3; i++) {
        buf_printf(&want, "=== %s\n", dialects[i].name);
        render_case(&want, a, coll, query, perm, dialects[i].d);
    }
    if (strcmp(want.p, text) == 0)
        return 0;
    if (update) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fwrite(want.p, 1, want.n, f);
        fclose(f);
        printf("golden: updated %s\n", path);
        return 0;
    }
    printf("golden: %s differs; got:\n%s\n", path, want.p);
    return 1;
}

static int by_name(const struct dirent **x, const struct dirent **y)
{
    return strcmp((*x)->d_name, (*y)->d_name);
}

static void test_golden(void **state)
{
    (void)state;
    bool update = getenv("GOLDEN_UPDATE") && *getenv("GOLDEN_UPDATE") == '1';
    struct dirent **list;
    int n = scandir(GOLDEN_DIR, &list, NULL, by_name);
    assert_true(n > 0);
    int failures = 0, cases = 0;
    for (int i = 0; i < n; i++) {
        const char *name = list[i]->d_name;
        size_t len = strlen(name);
        if (len > 5 && strcmp(name + len - 5, ".case") == 0) {
            arena_t *a = arena_new();
            failures += run_file(a, arena_printf(a, "%s/%s", GOLDEN_DIR, name), update);
            arena_free(a);
            cases++;
        }
        free(list[i]);
    }
    free(list);
    printf("golden: %d cases\n", cases);
    assert_int_equal(failures, 0);
}

static int setup(void **state)
{
    (void)state;
    return fixture_open(&fx);
}

static int teardown(void **state)
{
    (void)state;
    fixture_close(&fx);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_golden)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
