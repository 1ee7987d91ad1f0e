/*
 * libFuzzer target: a query string → qs → lib/query → lib/sql/plan (against the fixture's
 * schema, on a few collections) → compile every statement for PostgreSQL, MySQL and SQLite.
 * The arena is reset after each input (h2o fuzz/driver_url.cc). Invariants checked in the
 * manner of SQLite's test/fuzzinvariants.c:
 *  - the number of placeholders in the text equals the number of parameters;
 *  - rendering twice gives the same bytes;
 *  - no input byte reaches the SQL text except through a schema identifier: every quoted
 *    identifier is a collection or field of the schema or a generated alias, every string
 *    literal is one of the compiler's own, and everything else is the compiler's alphabet.
 * Errors are fine (they are the envelope); crashes, leaks and broken invariants are not.
 *
 *   make fuzz            (clang, -fsanitize=fuzzer,address,undefined; corpus/query)
 *   build-fuzz/tests/fuzz/fuzz_query -dict=tests/fuzz/query.dict tests/fuzz/corpus/query
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/core/json.h"
#include "lib/http/qs.h"
#include "lib/query/query.h"
#include "lib/sql/compile.h"
#include "lib/sql/plan.h"
#include "tests/unit/sql/fixture.h"

static fixture_t fx;
static arena_t *A;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fixture is opened on the first input (tests/fuzz/replay.c calls no initializer). */
static void init_once(void)
{
    if (A)
        return;
    if (fixture_open(&fx) < 0)
        abort();
    A = arena_new();
}

static bool schema_name(const char *s, size_t n)
{
    if (n == 1 && s[0] == 'b')
        return true;
    /* generated aliases: one lower-case letter and digits */
    if (n >= 2 && s[0] >= 'a' && s[0] <= 'z') {
        bool digits = true;
        for (size_t i = 1; i < n; i++)
            digits = digits && s[i] >= '0' && s[i] <= '9';
        if (digits)
            return true;
    }
    char name[256];
    if (n >= sizeof name)
        return false;
    memcpy(name, s, n);
    name[n] = '\0';
    for (size_t i = 0; i < schema_collection_count(fx.schema); i++) {
        const schema_collection_t *c = schema_collection_at(fx.schema, i);
        if (strcmp(c->name, name) == 0)
            return true;
        for (size_t k = 0; k < c->nfields; k++)
            if (strcmp(c->fields[k].name, name) == 0)
                return true;
    }
    return false;
}

static bool compiler_literal(const char *s, size_t n)
{
    static const char *const ok[] = {"UTC", "%Y", "%m", "%W", "%d", "%w", "%H", "%M", "%S",
                                     "unixepoch", "$"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strlen(ok[i]) == n && memcmp(ok[i], s, n) == 0)
            return true;
    return false;
}

/* Walks the text: identifiers and literals checked, placeholders counted. */
static size_t check_text(const char *sql, size_t len, db_dialect_t d)
{
    char q = d == DB_MYSQL ? '`' : '"';
    size_t placeholders = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = sql[i];
        if (ch == q || ch == '\'') {
            size_t start = ++i;
            for (; i < len; i++) {
                if (sql[i] == ch) {
                    if (i + 1 < len && sql[i + 1] == ch) {
                        i++;
                        continue;
                    }
                    break;
                }
            }
            if (i >= len)
                abort(); /* unterminated quote */
            bool fine = ch == '\'' ? compiler_literal(sql + start, i - start)
                                   : schema_name(sql + start, i - start);
            if (!fine) {
                fprintf(stderr, "foreign text in SQL: %.*s\n%s\n", (int)(i - start), sql + start,
                        sql);
                abort();
            }
            continue;
        }
        if ((d == DB_PG && ch == '$') || (d != DB_PG && ch == '?')) {
            placeholders++;
            while (i + 1 < len && sql[i + 1] >= '0' && sql[i + 1] <= '9')
                i++;
            continue;
        }
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              strchr(" (),.*=<>!+-_/", ch))) {
            fprintf(stderr, "unexpected character %02x in SQL:\n%s\n", (unsigned char)ch, sql);
            abort();
        }
    }
    return placeholders;
}

static void check(const plan_t *p, const sqlbuf_t *b)
{
    if (!b)
        return;
    err_t e = {0};
    sqlbuf_out_t o1, o2;
    if (compile_render(A, &e, p, b, &o1) < 0)
        return;
    if (compile_render(A, &e, p, b, &o2) < 0 || o1.len != o2.len ||
        memcmp(o1.sql, o2.sql, o1.len) != 0)
        abort();
    if (check_text(o1.sql, o1.len, p->dialect) != o1.nparams)
        abort();
}

static void compile_all(plan_t *p)
{
    static const db_dialect_t ds[] = {DB_PG, DB_MYSQL, DB_SQLITE};
    db_value_t keys[2] = {{.type = DB_INT, .i = 1}, {.type = DB_TEXT, .s = {"x'\"`?$1", 7}}};
    for (size_t k = 0; k < 3; k++) {
        err_t e = {0};
        p->dialect = ds[k];
        check(p, compile_statement(A, &e, p, p->root, NULL, 0));
        for (size_t i = 1; i < p->nstmts; i++)
            check(p, compile_statement(A, &e, p, p->stmts[i], keys, 2));
        if (p->nstmts > 2) {
            const plan_node_t *nodes[2] = {p->stmts[1], p->stmts[2]};
            const db_value_t *k2[2] = {keys, keys};
            size_t nk[2] = {2, 2}, regions[2], width;
            check(p, compile_batch(A, &e, p, nodes, k2, nk, 2, regions, &width));
        }
        check(p, compile_total_count(A, &e, p));
        check(p, compile_filter_count(A, &e, p));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const colls[] = {"articles", "categories", "comments", "site_settings"};
    if (size > 1 << 16)
        return 0;
    init_once();
    const char *coll = colls[size ? data[0] % 4 : 0];
    struct json_object *raw = json_own(A, qs_parse((const char *)data, size));
    query_env_t env = query_env(&fx.conf);
    env.vars.now_ms = 1764115200000;
    env.vars.user = "c0000000-0000-4000-8000-00000000e001";
    err_t e = {0};
    query_t q;
    if (query_parse(A, &e, &env, raw, true, &q) == 0) {
        const schema_collection_t *c = schema_collection(fx.schema, str_c(coll));
        plan_opts_t opts = {.limit_default = 100, .singleton = c->singleton};
        plan_t *p = plan_read(A, &e, fx.schema, c, &q, &opts);
        if (p)
            compile_all(p);
    }
    arena_reset(A);
    return 0;
}
