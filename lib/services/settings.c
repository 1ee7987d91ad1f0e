/*
 * Project settings. The field list and the field types are Directus's system data (it does not
 * introspect them either); the defaults used when no settings row exists come from the database
 * catalog, because that is where Directus takes them from.
 *
 * The catalog read here is a stopgap until lib/schema provides column defaults for every table;
 * then settings_project() reads them from the snapshot instead.
 */
#include "lib/services/settings.h"

#include <stdlib.h>
#include <string.h>

#include "lib/core/json.h"
#include "lib/core/jsonparse.h"
#include "lib/core/str.h"

typedef enum { F_STRING, F_JSON, F_BOOL, F_FILE } field_type_t;

static const struct {
    const char *name;
    field_type_t type;
} project_fields[] = {
    {"project_name", F_STRING},        {"project_descriptor", F_STRING},
    {"project_logo", F_STRING},        {"project_color", F_STRING},
    {"default_appearance", F_STRING},  {"default_theme_light", F_STRING},
    {"default_theme_dark", F_STRING},  {"theme_light_overrides", F_JSON},
    {"theme_dark_overrides", F_JSON},  {"default_language", F_STRING},
    {"public_foreground", F_STRING},   {"public_background", F_FILE},
    {"public_favicon", F_STRING},      {"public_note", F_STRING},
    {"custom_css", F_STRING},          {"public_registration", F_BOOL},
    {"public_registration_verify_email", F_BOOL},
};
#define NFIELDS (sizeof project_fields / sizeof project_fields[0])

static const char row_sql[] =
    "SELECT s.project_name, s.project_descriptor, s.project_logo, s.project_color, "
    "s.default_appearance, s.default_theme_light, s.default_theme_dark, "
    "s.theme_light_overrides, s.theme_dark_overrides, s.default_language, s.public_foreground, "
    "s.public_background, s.public_favicon, s.public_note, s.custom_css, s.public_registration, "
    "s.public_registration_verify_email, f.id, f.type "
    "FROM directus_settings s LEFT JOIN directus_files f ON f.id = s.public_background "
    "ORDER BY s.id LIMIT 1";

static struct json_object *text_value(const db_value_t *v)
{
    switch (v->type) {
    case DB_NULL: return NULL;
    case DB_INT: return json_object_new_int64(v->i);
    case DB_FLOAT: return json_object_new_double(v->f);
    case DB_BOOL: return json_object_new_boolean((int)v->i);
    default: return json_str(v->s);
    }
}

static bool truthy_text(str_t s)
{
    return str_eq_c(s, "1") || str_ieq_c(s, "true") || str_ieq_c(s, "t");
}

static struct json_object *bool_value(const db_value_t *v)
{
    if (v->type == DB_NULL)
        return NULL;
    if (v->type == DB_TEXT)
        return json_object_new_boolean(truthy_text(v->s));
    return json_object_new_boolean(v->type == DB_FLOAT ? v->f != 0 : v->i != 0);
}

/* A JSON column: parsed when it holds valid JSON, kept as text otherwise (as cast-json does). */
static struct json_object *json_value(arena_t *a, const db_value_t *v)
{
    if (v->type != DB_TEXT)
        return text_value(v);
    struct json_object *o;
    const char *msg;
    if (jsonparse(a, v->s.p, v->s.n, 0, 512, &o, &msg) < 0)
        return json_str(v->s);
    return json_object_get(o); /* the arena keeps its own reference */
}

static struct json_object *typed_value(arena_t *a, field_type_t type, const db_value_t *v)
{
    switch (type) {
    case F_BOOL: return bool_value(v);
    case F_JSON: return json_value(a, v);
    default: return text_value(v);
    }
}

static int read_row(arena_t *a, err_t *e, db_conn_t *db, struct json_object *out, bool *found)
{
    db_result_t r;
    if (db_exec(db, a, e, row_sql, NULL, 0, &r) < 0)
        return -1;
    *found = r.nrows > 0;
    if (!*found)
        return 0;
    for (size_t i = 0; i < NFIELDS; i++) {
        const db_value_t *v = db_cell(&r, 0, i);
        struct json_object *val;
        if (project_fields[i].type == F_FILE) {
            const db_value_t *id = db_cell(&r, 0, NFIELDS), *type = db_cell(&r, 0, NFIELDS + 1);
            if (v->type == DB_NULL || id->type == DB_NULL) {
                val = NULL;
            } else {
                val = json_object_new_object();
                json_object_object_add(val, "id", text_value(id));
                json_object_object_add(val, "type", text_value(type));
            }
        } else {
            val = typed_value(a, project_fields[i].type, v);
        }
        json_object_object_add(out, project_fields[i].name, val);
    }
    return 0;
}

/* A catalog default as the database prints it: 'text'::cast (PG), 'text' (MariaDB, SQLite),
 * bare literals (true, 0, 1.5) or NULL. Sets *v; false when there is no usable default. */
static bool parse_default(arena_t *a, str_t d, db_value_t *v)
{
    d = str_trim(d);
    if (!d.n || str_starts_with(d, STR("NULL")) || str_starts_with(d, STR("nextval(")))
        return false;
    if (d.p[0] == '\'') {
        char *out = arena_alloc(a, d.n);
        size_t o = 0;
        for (size_t i = 1; i < d.n; i++) {
            if (d.p[i] == '\'') {
                if (i + 1 < d.n && d.p[i + 1] == '\'') {
                    out[o++] = '\'';
                    i++;
                    continue;
                }
                break;
            }
            out[o++] = d.p[i];
        }
        *v = (db_value_t){.type = DB_TEXT, .s = {out, o}};
        return true;
    }
    if (str_ieq_c(d, "true") || str_ieq_c(d, "false")) {
        *v = (db_value_t){.type = DB_BOOL, .i = str_ieq_c(d, "true")};
        return true;
    }
    char *end, *num = str_dup(a, d);
    double f = strtod(num, &end);
    if (end == num || *end)
        return false;
    *v = (db_value_t){.type = DB_FLOAT, .f = f};
    if (f == (double)(int64_t)f)
        *v = (db_value_t){.type = DB_INT, .i = (int64_t)f};
    return true;
}

static const char *defaults_sql(db_dialect_t d)
{
    switch (d) {
    case DB_PG:
        return "SELECT column_name, column_default FROM information_schema.columns "
               "WHERE table_name = 'directus_settings' AND table_schema = current_schema()";
    case DB_MYSQL:
        return "SELECT COLUMN_NAME, COLUMN_DEFAULT FROM information_schema.COLUMNS "
               "WHERE TABLE_NAME = 'directus_settings' AND TABLE_SCHEMA = DATABASE()";
    default:
        return "SELECT name, dflt_value FROM pragma_table_info('directus_settings')";
    }
}

static int read_defaults(arena_t *a, err_t *e, db_conn_t *db, struct json_object *out)
{
    db_result_t r;
    if (db_exec(db, a, e, defaults_sql(db_dialect(db)), NULL, 0, &r) < 0)
        return -1;
    for (size_t f = 0; f < NFIELDS; f++) {
        for (size_t row = 0; row < r.nrows; row++) {
            const db_value_t *name = db_cell(&r, row, 0), *def = db_cell(&r, row, 1);
            db_value_t v;
            if (name->type != DB_TEXT || !str_eq_c(name->s, project_fields[f].name) ||
                def->type != DB_TEXT || !parse_default(a, def->s, &v))
                continue;
            json_object_object_add(out, project_fields[f].name,
                                   typed_value(a, project_fields[f].type, &v));
        }
    }
    return 0;
}

int settings_project(arena_t *a, err_t *e, db_conn_t *db, struct json_object **out)
{
    struct json_object *project = json_own(a, json_object_new_object());
    bool found;
    if (read_row(a, e, db, project, &found) < 0)
        return -1;
    if (!found && read_defaults(a, e, db, project) < 0)
        return -1;
    *out = project;
    return 0;
}
