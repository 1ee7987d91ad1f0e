/*
 * lib/schema against a copy of the SQLite fixture (made by real Directus 11.3.5), extended with
 * what the fixture lacks: a table created by hand with a foreign key and columns of types
 * Directus does not know, a view, a composite-key table, a table with a space in its name and
 * an m2a (pages.blocks through pages_blocks to headings / paragraphs). Checks the type mapping,
 * every relation kind, alias fields, singletons, system collections, the lookups, exclusion and
 * the version. The shared fixture file is never opened for writing: each run works on a copy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/core/arena.h"
#include "lib/core/buf.h"
#include "lib/core/err.h"
#include "lib/core/json.h"
#include "lib/core/log.h"
#include "lib/db/db.h"
#include "lib/schema/schema.h"
#include "lib/schema/snapshot.h"

#ifndef SOURCE_ROOT
#define SOURCE_ROOT "."
#endif

/* What the fixture lacks, added to the copy before loading. */
static const char extend_sql[] =
    "CREATE TABLE handmade (id integer PRIMARY KEY, label varchar(40) NOT NULL DEFAULT 'x', "
    "  author integer REFERENCES authors (id) ON DELETE CASCADE, shape POINTZ, anything, "
    "  amount decimal(10,2) DEFAULT '1.50', flag boolean DEFAULT 'true', ratio float DEFAULT "
    "'abc');"
    "CREATE INDEX handmade_label ON handmade (label);"
    "CREATE VIEW published AS SELECT id, title FROM articles WHERE status = 'published';"
    "CREATE TABLE pairs (a integer NOT NULL, b integer NOT NULL, note text, PRIMARY KEY (a, b));"
    "CREATE TABLE \"with space\" (id integer PRIMARY KEY);"
    "CREATE TABLE pages (id integer PRIMARY KEY AUTOINCREMENT NOT NULL, title varchar(255));"
    "CREATE TABLE headings (id integer PRIMARY KEY AUTOINCREMENT NOT NULL, text varchar(255));"
    "CREATE TABLE paragraphs (id integer PRIMARY KEY AUTOINCREMENT NOT NULL, body text);"
    "CREATE TABLE pages_blocks (id integer PRIMARY KEY AUTOINCREMENT NOT NULL, "
    "  pages_id integer REFERENCES pages (id) ON DELETE SET NULL, item varchar(255), "
    "  collection varchar(255));"
    "INSERT INTO directus_collections (collection, accountability, sort_field) VALUES "
    "  ('pages', 'activity', 'title'), ('headings', 'all', NULL), ('paragraphs', 'all', NULL),"
    "  ('pages_blocks', 'all', NULL), ('folder_only', NULL, NULL);"
    "INSERT INTO directus_fields (collection, field, special, interface, sort) VALUES "
    "  ('pages', 'blocks', 'm2a', 'list-m2a', 3), ('pages', 'divider', 'alias,no-data', NULL, 4),"
    "  ('pages_blocks', 'pages_id', NULL, NULL, 1), ('pages_blocks', 'item', NULL, NULL, 2),"
    "  ('pages_blocks', 'collection', NULL, NULL, 3), ('pages', 'ghost', NULL, NULL, 5);"
    "INSERT INTO directus_relations (many_collection, many_field, one_collection, one_field, "
    "  one_collection_field, one_allowed_collections, junction_field) VALUES "
    "  ('pages_blocks', 'item', NULL, NULL, 'collection', 'headings,paragraphs', 'pages_id'),"
    "  ('pages_blocks', 'pages_id', 'pages', 'blocks', NULL, NULL, 'item');";

typedef struct {
    char path[64];
    conf_t conf;
    db_conn_t *db;
    arena_t *a;
    schema_t *s;
} fx_t;

static const char *fixture_dir(arena_t *a)
{
    const char *dir = getenv("CELER_FIXTURE_DIR");
    if (dir && *dir)
        return dir;
    const char *shared = getenv("CELER_SHARED");
    if (shared && *shared)
        return arena_printf(a, "%s/fixture", shared);
    return SOURCE_ROOT "/../shared/fixture";
}

/* Copies the fixture to a fresh temporary file (never touching the shared one). */
static void copy_fixture(arena_t *a, char *path)
{
    const char *src = arena_printf(a, "%s/directus-11.3.5-sqlite.db", fixture_dir(a));
    FILE *in = fopen(src, "rb");
    if (!in)
        fail_msg("cannot open %s (set CELER_FIXTURE_DIR)", src);
    strcpy(path, "/tmp/celer-schema-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *out = fdopen(fd, "wb");
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

static void exec_sql(const char *path, const char *sql)
{
    sqlite3 *db;
    char *msg = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s", msg);
    sqlite3_close(db);
}

static schema_t *load(fx_t *f)
{
    err_t e = {0};
    schema_t *s = schema_load(f->db, &f->conf, f->a, &e);
    if (!s)
        fail_msg("schema_load: %s", e.message);
    return s;
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    log_threshold = LOG_ERROR;
    f->a = arena_new();
    copy_fixture(f->a, f->path);
    exec_sql(f->path, extend_sql);
    f->conf.db_client = "sqlite3";
    f->conf.db_filename = f->path;
    f->conf.db_exclude_tables = "spatial_ref_sys,sysdiagrams";
    f->db = db_new(&f->conf);
    f->s = load(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    schema_free(f->s);
    db_free(f->db);
    arena_free(f->a);
    unlink(f->path);
    free(f);
    return 0;
}

static const schema_collection_t *coll(fx_t *f, const char *name)
{
    const schema_collection_t *c = schema_collection(f->s, str_c(name));
    if (!c)
        fail_msg("no collection %s", name);
    return c;
}

static const schema_field_t *field(fx_t *f, const char *collection, const char *name)
{
    const schema_field_t *x = schema_field(coll(f, collection), str_c(name));
    if (!x)
        fail_msg("no field %s.%s", collection, name);
    return x;
}

/* The listed collection name, queryable or not. */
static const schema_collection_t *listed(const schema_t *s, const char *name)
{
    for (size_t i = 0; i < schema_collection_count(s); i++)
        if (!strcmp(schema_collection_at(s, i)->name, name))
            return schema_collection_at(s, i);
    return NULL;
}

static void test_types(void **state)
{
    fx_t *f = *state;
    static const struct {
        const char *collection, *field;
        schema_type_t type;
        const char *db_type;
    } cases[] = {
        {"articles", "id", SCHEMA_TYPE_INTEGER, "integer"},
        {"articles", "status", SCHEMA_TYPE_STRING, "varchar"},
        {"articles", "body", SCHEMA_TYPE_TEXT, "text"},
        {"articles", "published_date", SCHEMA_TYPE_DATETIME, "datetime"},
        {"articles", "rating", SCHEMA_TYPE_FLOAT, "float"},
        {"articles", "metadata", SCHEMA_TYPE_JSON, "json"},
        {"articles", "user_created", SCHEMA_TYPE_STRING, "char"},
        {"authors", "date_created", SCHEMA_TYPE_TIMESTAMP, "datetime"}, /* cast-timestamp */
        {"site_settings", "maintenance", SCHEMA_TYPE_BOOLEAN, "boolean"},
        {"handmade", "shape", SCHEMA_TYPE_UNKNOWN, "pointz"},
        {"handmade", "anything", SCHEMA_TYPE_UNKNOWN, ""},
        {"handmade", "amount", SCHEMA_TYPE_DECIMAL, "decimal"},
        {"directus_users", "password", SCHEMA_TYPE_HASH, "varchar"},
        {"directus_users", "tags", SCHEMA_TYPE_JSON, "json"},
        {"directus_users", "id", SCHEMA_TYPE_UUID, "char"},
        {"directus_permissions", "fields", SCHEMA_TYPE_CSV, "text"},
        {"directus_activity", "timestamp", SCHEMA_TYPE_TIMESTAMP, "datetime"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const schema_field_t *x = field(f, cases[i].collection, cases[i].field);
        if (x->type != cases[i].type || strcmp(x->db_type, cases[i].db_type) != 0)
            fail_msg("%s.%s: %s (%s)", cases[i].collection, cases[i].field,
                     schema_type_name(x->type), x->db_type);
    }
    const schema_field_t *label = field(f, "handmade", "label");
    assert_int_equal(label->max_length, 40);
    assert_false(label->nullable);
    assert_true(label->indexed);
    assert_false(label->unique);
    assert_string_equal(json_object_get_string(label->default_value), "x");
    assert_int_equal(field(f, "articles", "slug")->unique, true);
    assert_int_equal(field(f, "handmade", "amount")->max_length, SCHEMA_NONE); /* Number("10,2") */
    assert_true(
        json_object_is_type(field(f, "handmade", "amount")->default_value, json_type_double));
    assert_true(json_object_get_boolean(field(f, "handmade", "flag")->default_value));
    assert_string_equal(json_object_get_string(field(f, "handmade", "ratio")->default_value),
                        "abc");
    assert_int_equal(json_object_get_int(field(f, "articles", "views")->default_value), 0);
    assert_false(json_object_get_boolean(field(f, "site_settings", "maintenance")->default_value));
}

static void test_keys(void **state)
{
    fx_t *f = *state;
    const schema_collection_t *articles = coll(f, "articles");
    assert_non_null(articles->primary);
    assert_string_equal(articles->primary->name, "id");
    assert_true(articles->primary->auto_increment);
    assert_true(articles->primary->primary_key);
    assert_string_equal(coll(f, "directus_sessions")->primary->name, "token");
    assert_false(coll(f, "handmade")->primary->auto_increment); /* no AUTOINCREMENT keyword */
    assert_ptr_equal(articles->fields[articles->primary->index].name, articles->primary->name);
}

static void test_relations(void **state)
{
    fx_t *f = *state;
    static const struct {
        const char *collection, *field;
        schema_rel_kind_t kind;
        const char *rel_collection, *rel_field;
    } cases[] = {
        {"articles", "author", SCHEMA_REL_M2O, "articles", "author"},
        {"articles", "category", SCHEMA_REL_M2O, "articles", "category"},
        {"articles", "user_created", SCHEMA_REL_M2O, "articles", "user_created"},
        {"articles", "comments", SCHEMA_REL_O2M, "comments", "article"},
        {"articles", "tags", SCHEMA_REL_M2M, "articles_tags", "articles_id"},
        {"articles_tags", "tags_id", SCHEMA_REL_M2O, "articles_tags", "tags_id"},
        {"categories", "parent", SCHEMA_REL_M2O, "categories", "parent"},
        {"categories", "children", SCHEMA_REL_O2M, "categories", "parent"},
        {"pages", "blocks", SCHEMA_REL_M2A, "pages_blocks", "pages_id"},
        {"pages_blocks", "item", SCHEMA_REL_A2O, "pages_blocks", "item"},
        {"pages_blocks", "pages_id", SCHEMA_REL_M2O, "pages_blocks", "pages_id"},
        {"handmade", "author", SCHEMA_REL_M2O, "handmade", "author"},
        {"directus_users", "role", SCHEMA_REL_M2O, "directus_users", "role"},
        {"directus_roles", "users", SCHEMA_REL_O2M, "directus_users", "role"},
        {"directus_users", "policies", SCHEMA_REL_M2M, "directus_access", "user"},
        {"articles", "title", SCHEMA_REL_NONE, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const schema_field_t *x = field(f, cases[i].collection, cases[i].field);
        if (x->rel_kind != cases[i].kind)
            fail_msg("%s.%s: kind %d", cases[i].collection, cases[i].field, x->rel_kind);
        if (!cases[i].rel_collection) {
            assert_null(x->relation);
            continue;
        }
        assert_non_null(x->relation);
        assert_string_equal(x->relation->collection, cases[i].rel_collection);
        assert_string_equal(x->relation->field, cases[i].rel_field);
    }

    /* m2m: the junction's other side is an m2o to tags. */
    const schema_relation_t *tags = field(f, "articles", "tags")->relation;
    assert_string_equal(tags->junction_field, "tags_id");
    assert_string_equal(tags->one_field, "tags");
    const schema_relation_t *j = schema_relation_junction(f->s, tags);
    assert_non_null(j);
    assert_string_equal(j->related_collection, "tags");
    assert_true(j->has_fk);
    assert_string_equal(j->on_delete, "CASCADE");

    /* m2a: the junction's item is an a2o over the allowed collections. */
    const schema_relation_t *item = field(f, "pages_blocks", "item")->relation;
    assert_null(item->related_collection);
    assert_false(item->has_fk);
    assert_string_equal(item->one_collection_field, "collection");
    assert_int_equal(item->n_one_allowed, 2);
    assert_string_equal(item->one_allowed_collections[1], "paragraphs");

    /* A table created by hand: its foreign key is an m2o with no directus_relations row. */
    const schema_relation_t *hm = field(f, "handmade", "author")->relation;
    assert_false(hm->has_meta);
    assert_null(hm->meta);
    assert_string_equal(hm->related_collection, "authors");
    assert_string_equal(hm->fk_column, "id");
    assert_null(hm->constraint_name); /* SQLite has no constraint names here */
    assert_string_equal(field(f, "handmade", "author")->fk_table, "authors");

    /* Deselect actions and built-in relations. */
    assert_true(field(f, "articles", "comments")->relation->one_deselect_delete);
    assert_false(field(f, "articles", "tags")->relation->one_deselect_delete);
    assert_true(field(f, "directus_users", "role")->relation->system);
}

static void test_alias_fields(void **state)
{
    fx_t *f = *state;
    const schema_field_t *tags = field(f, "articles", "tags");
    assert_true(tags->alias);
    assert_int_equal(tags->type, SCHEMA_TYPE_ALIAS);
    assert_null(tags->db_type);
    assert_true(tags->special & SCHEMA_SPECIAL_M2M);
    assert_non_null(tags->meta);
    assert_true(schema_field_is_relational(tags));
    /* Aliases follow the columns. */
    const schema_collection_t *articles = coll(f, "articles");
    assert_true(tags->index >= 15);
    assert_false(articles->fields[14].alias);

    /* A presentation-only field is listed but not found; a row without column or alias
     * special is dropped. */
    const schema_collection_t *pages = coll(f, "pages");
    assert_null(schema_field(pages, STR("divider")));
    assert_null(schema_field(pages, STR("ghost")));
    bool listed_divider = false;
    for (size_t i = 0; i < pages->nfields; i++)
        listed_divider |= !strcmp(pages->fields[i].name, "divider");
    assert_true(listed_divider);
    assert_null(schema_field(coll(f, "directus_collections"), STR("collection_divider")));
    assert_true(field(f, "directus_users", "policies")->alias);

    /* Specials and meta of ordinary fields. */
    const schema_field_t *status = field(f, "articles", "status");
    assert_non_null(status->validation);
    assert_int_equal(status->nspecials, 0);
    assert_false(status->system);
    const schema_field_t *metadata = field(f, "articles", "metadata");
    assert_int_equal(metadata->nspecials, 1);
    assert_string_equal(metadata->specials[0], "cast-json");
    assert_true(field(f, "directus_users", "password")->special & SCHEMA_SPECIAL_CONCEAL);
    assert_true(field(f, "directus_users", "password")->system);
    assert_null(field(f, "handmade", "label")->meta);
}

static void test_collections(void **state)
{
    fx_t *f = *state;
    assert_true(coll(f, "site_settings")->singleton);
    assert_false(coll(f, "articles")->singleton);
    assert_true(coll(f, "directus_settings")->singleton);
    assert_true(coll(f, "directus_settings")->system);
    assert_true(coll(f, "directus_settings")->meta_builtin);
    assert_string_equal(coll(f, "articles")->note, "Blog articles");
    assert_string_equal(coll(f, "pages")->sort_field, "title");
    assert_string_equal(coll(f, "directus_access")->sort_field, "sort");
    assert_int_equal(coll(f, "pages")->accountability, SCHEMA_ACCOUNTABILITY_ACTIVITY);
    assert_int_equal(coll(f, "articles")->accountability, SCHEMA_ACCOUNTABILITY_ALL);
    assert_int_equal(coll(f, "handmade")->accountability, SCHEMA_ACCOUNTABILITY_ALL);
    assert_int_equal(coll(f, "directus_activity")->accountability, SCHEMA_ACCOUNTABILITY_NONE);
    assert_null(coll(f, "handmade")->meta);
    assert_string_equal(
        json_object_get_string(json_object_object_get(coll(f, "handmade")->table, "name")),
        "handmade");

    /* Not queryable: a view is no collection at all; a composite key or a space in the name
     * lists the table but hides it from lookups; a folder has meta but no table. */
    assert_null(listed(f->s, "published"));
    assert_null(schema_collection(f->s, STR("published")));
    const schema_collection_t *pairs = listed(f->s, "pairs");
    assert_non_null(pairs);
    assert_true(pairs->has_table);
    assert_false(pairs->queryable);
    assert_null(pairs->primary);
    assert_int_equal(pairs->nfields, 0);
    assert_null(schema_collection(f->s, STR("pairs")));
    assert_non_null(listed(f->s, "with space"));
    assert_null(schema_collection(f->s, STR("with space")));
    const schema_collection_t *folder = listed(f->s, "folder_only");
    assert_non_null(folder);
    assert_false(folder->has_table);
    assert_non_null(folder->meta);
    assert_null(schema_collection(f->s, STR("folder_only")));
    assert_null(listed(f->s, "sqlite_sequence"));

    /* Listed in name order. */
    for (size_t i = 1; i < schema_collection_count(f->s); i++)
        assert_true(strcmp(schema_collection_at(f->s, i - 1)->name,
                           schema_collection_at(f->s, i)->name) < 0);
}

static void test_or_fail(void **state)
{
    fx_t *f = *state;
    err_t e = {0};
    assert_null(schema_collection_or_fail(f->a, &e, f->s, STR("nope")));
    assert_int_equal(e.code, ERR_FORBIDDEN);
    e = (err_t){0};
    assert_null(schema_field_or_fail(f->a, &e, coll(f, "articles"), STR("nope")));
    assert_int_equal(e.code, ERR_FORBIDDEN);
    e = (err_t){0};
    assert_non_null(schema_field_or_fail(f->a, &e, coll(f, "articles"), STR("title")));
    assert_int_equal(e.code, ERR_NONE);
    /* Lookups take slices: no NUL needed. */
    assert_non_null(schema_collection(f->s, (str_t){"articlesXYZ", 8}));
    assert_null(schema_field(NULL, STR("id")));
}

static void test_exclude_and_version(void **state)
{
    fx_t *f = *state;
    /* The same database gives the same version; few statements whatever the table count. */
    schema_t *again = load(f);
    assert_true(schema_version(again) == schema_version(f->s));
    assert_true(schema_load_queries(again) <= 8);
    schema_free(again);

    conf_t conf = f->conf;
    conf.db_exclude_tables = "tags, handmade";
    err_t e = {0};
    schema_t *s = schema_load(f->db, &conf, f->a, &e);
    assert_non_null(s);
    assert_null(schema_collection(s, STR("tags")));
    assert_null(listed(s, "handmade"));
    assert_non_null(schema_collection(s, STR("articles")));
    assert_true(schema_version(s) != schema_version(f->s));
    schema_free(s);

    exec_sql(f->path, "ALTER TABLE pages ADD COLUMN subtitle varchar(80)");
    s = load(f);
    assert_true(schema_version(s) != schema_version(f->s));
    assert_non_null(schema_field(schema_collection(s, STR("pages")), STR("subtitle")));
    schema_free(s);
}

/* The snapshot of the extended copy still renders; the system rows stay out of it, the new
 * hand-made table and its foreign key are in it. */
static void test_snapshot(void **state)
{
    fx_t *f = *state;
    buf_t b;
    buf_init(&b, f->a, 1 << 16);
    json_write(&b, schema_snapshot(f->a, f->s));
    assert_non_null(strstr(b.p, "\"vendor\":\"sqlite\""));
    assert_null(strstr(b.p, "\"collection\":\"directus_users\""));
    assert_non_null(strstr(b.p, "\"collection\":\"handmade\",\"meta\":null"));
    assert_non_null(strstr(b.p, "\"related_collection\":\"authors\",\"schema\":{\"column\":"
                                "\"author\",\"constraint_name\":null"));
    assert_non_null(strstr(b.p, "\"collection\":\"pairs\",\"meta\":null,\"schema\""));
}

static char *info_text(fx_t *f, struct json_object *o)
{
    buf_t b;
    buf_init(&b, f->a, 4096);
    json_write(&b, json_own(f->a, o));
    return b.p;
}

/* The entries of GET /fields, /relations and /collections: the column in the SQLite
 * inspector's key order, a system field with Directus's built-in row, the foreign key in
 * foreignKeys()'s order, a folder without schema. */
static void test_info(void **state)
{
    fx_t *f = *state;
    const schema_collection_t *articles = schema_collection(f->s, STR("articles"));
    const schema_field_t *status = schema_field(articles, STR("status"));
    char *t = info_text(f, schema_field_info(status, false));
    assert_non_null(strstr(t, "{\"collection\":\"articles\",\"field\":\"status\",\"type\":"
                              "\"string\",\"schema\":{\"name\":\"status\",\"table\":\"articles\","
                              "\"data_type\":\"varchar\",\"default_value\":\"draft\",\"max_length\":255,"
                              "\"numeric_precision\":null,\"numeric_scale\":null,\"is_generated\":false,"
                              "\"generation_expression\":null,\"is_nullable\":false,"));
    assert_null(strstr(t, "\"comment\""));
    assert_non_null(strstr(t, "\"foreign_key_table\":null},\"meta\":{"));
    t = info_text(f, schema_field_info(status, true));
    assert_non_null(strstr(t, "\"type\":\"string\",\"meta\":{"));

    const schema_collection_t *users = schema_collection(f->s, STR("directus_users"));
    t = info_text(f, schema_field_info(schema_field(users, STR("password")), true));
    assert_non_null(strstr(t, "\"meta\":{\"system\":true,\"collection\":\"directus_users\","
                              "\"field\":\"password\",\"special\":[\"hash\",\"conceal\"]"));

    const schema_relation_t *r = schema_field(schema_collection(f->s, STR("handmade")),
                                              STR("author"))->relation;
    t = info_text(f, schema_relation_info(f->s, r));
    assert_string_equal(t, "{\"collection\":\"handmade\",\"field\":\"author\","
                           "\"related_collection\":\"authors\",\"schema\":{\"table\":\"handmade\","
                           "\"column\":\"author\",\"foreign_key_table\":\"authors\","
                           "\"foreign_key_column\":\"id\",\"on_update\":\"NO ACTION\","
                           "\"on_delete\":\"CASCADE\",\"constraint_name\":null},\"meta\":null}");

    t = info_text(f, schema_collection_info(listed(f->s, "folder_only")));
    assert_non_null(strstr(t, "{\"collection\":\"folder_only\",\"meta\":{"));
    assert_non_null(strstr(t, "},\"schema\":null}"));
}

/* A database that is not reachable fails cleanly. */
static void test_unreachable(void **state)
{
    fx_t *f = *state;
    conf_t conf = f->conf;
    conf.db_filename = "/nonexistent/dir/x.db";
    db_conn_t *db = db_new(&conf);
    err_t e = {0};
    log_threshold = LOG_SILENT; /* the failure is logged; keep the test output clean */
    assert_null(schema_load(db, &conf, f->a, &e));
    log_threshold = LOG_ERROR;
    assert_true(e.code == ERR_SERVICE_UNAVAILABLE || e.code == ERR_INTERNAL_SERVER_ERROR);
    db_free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_info),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_relations),
        cmocka_unit_test(test_alias_fields),
        cmocka_unit_test(test_collections),
        cmocka_unit_test(test_or_fail),
        cmocka_unit_test(test_snapshot),
        cmocka_unit_test(test_unreachable),
        cmocka_unit_test(test_exclude_and_version),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
