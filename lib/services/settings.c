/*
 * Project settings. The field list and the field types are Directus's system data (it does not
 * introspect them either); the defaults used when no settings row exists are the columns'
 * defaults as the schema snapshot holds them, already cast to the field type, as Directus's
 * readSingleton takes them from its schema overview.
 */
#include "lib/services/settings.h"

#include <string.h>

#include "lib/core/json.h"
#include "lib/core/jsonparse.h"
#include "lib/core/str.h"
#include "lib/sql/sqlbuf.h"

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

/* No settings row: the fields whose column has a non-null default, with that default. */
static void read_defaults(const schema_t *schema, struct json_object *out)
{
    const schema_collection_t *c = schema_collection(schema, STR("directus_settings"));
    for (size_t i = 0; c && i < NFIELDS; i++) {
        const schema_field_t *f = schema_field(c, str_c(project_fields[i].name));
        if (f && f->default_value)
            json_object_object_add(out, project_fields[i].name, json_object_get(f->default_value));
    }
}

int settings_project(arena_t *a, err_t *e, db_conn_t *db, const schema_t *schema,
                     struct json_object **out)
{
    struct json_object *project = json_own(a, json_object_new_object());
    bool found;
    if (read_row(a, e, db, project, &found) < 0)
        return -1;
    if (!found)
        read_defaults(schema, project);
    *out = project;
    return 0;
}

int settings_columns(arena_t *a, err_t *e, db_conn_t *db, const char *const *cols, size_t ncols,
                     db_result_t *out)
{
    sqlbuf_t *b = sqlbuf_new(a);
    sqlbuf_kw(b, "SELECT ");
    for (size_t i = 0; i < ncols; i++) {
        if (i)
            sqlbuf_kw(b, ", ");
        sqlbuf_ident(b, cols[i]);
    }
    sqlbuf_kw(b, " FROM ");
    sqlbuf_ident(b, "directus_settings");
    sqlbuf_kw(b, " LIMIT 1");
    sqlbuf_out_t r;
    const char *why = NULL;
    if (sqlbuf_render(b, a, db_dialect(db), &r, &why) < 0)
        return err_set(e, a, ERR_INTERNAL_SERVER_ERROR, NULL);
    return db_exec(db, a, e, r.sql, r.params, r.nparams, out);
}
