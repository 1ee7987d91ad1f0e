/*
 * Read permissions: loading the caller's directus_permissions rows, merging them per collection
 * and answering the planner's questions (readable? field granted? row rule? per-row field rule?).
 * See perm.h for the Directus functions this mirrors.
 */
#include "lib/perm/perm.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/core/buf.h"
#include "lib/core/json.h"
#include "lib/core/jsonparse.h"
#include "lib/core/log.h"
#include "lib/perm/cache.h"

/* Nesting allowed in a stored rule: the same bound as a request filter's. */
#define PERM_RULE_DEPTH 64

/* Directus's appAccessMinimalPermissions (packages/system-data), in its order: fields default to
 * "*", permissions to {} (no condition), validation and presets to none. */
static const perm_app_row_t app_minimal[] = {
    {"directus_collections", "read", NULL, NULL, "*"},
    {"directus_fields", "read", NULL, NULL, "*"},
    {"directus_relations", "read", NULL, NULL, "*"},
    {"directus_translations", "read", NULL, NULL, "*"},
    {"directus_activity", "read", "{\"user\":{\"_eq\":\"$CURRENT_USER\"}}", NULL, "*"},
    {"directus_comments", "read", "{\"user_created\":{\"_eq\":\"$CURRENT_USER\"}}", NULL, "*"},
    {"directus_comments", "create", NULL, "{\"comment\":{\"_nnull\":true}}", "*"},
    {"directus_comments", "update", "{\"user_created\":{\"_eq\":\"$CURRENT_USER\"}}", NULL,
     "comment"},
    {"directus_comments", "delete", "{\"user_created\":{\"_eq\":\"$CURRENT_USER\"}}", NULL, "*"},
    {"directus_presets", "read",
     "{\"_or\":[{\"user\":{\"_eq\":\"$CURRENT_USER\"}},{\"_and\":[{\"user\":{\"_null\":true}},"
     "{\"role\":{\"_eq\":\"$CURRENT_ROLE\"}}]},{\"_and\":[{\"user\":{\"_null\":true}},"
     "{\"role\":{\"_null\":true}}]}]}",
     NULL, "*"},
    {"directus_presets", "create", NULL, "{\"user\":{\"_eq\":\"$CURRENT_USER\"}}", "*"},
    {"directus_presets", "update", "{\"user\":{\"_eq\":\"$CURRENT_USER\"}}",
     "{\"user\":{\"_eq\":\"$CURRENT_USER\"}}", "*"},
    {"directus_presets", "delete", "{\"user\":{\"_eq\":\"$CURRENT_USER\"}}", NULL, "*"},
    {"directus_roles", "read", "{\"id\":{\"_in\":\"$CURRENT_ROLES\"}}", NULL, "*"},
    {"directus_settings", "read", NULL, NULL, "*"},
    {"directus_translations", "read", NULL, NULL, "*"},
    {"directus_notifications", "read", "{\"recipient\":{\"_eq\":\"$CURRENT_USER\"}}", NULL, "*"},
    {"directus_notifications", "update", "{\"recipient\":{\"_eq\":\"$CURRENT_USER\"}}", NULL,
     "status"},
    {"directus_shares", "read", "{\"user_created\":{\"_eq\":\"$CURRENT_USER\"}}", NULL, "*"},
    {"directus_users", "read", "{\"id\":{\"_eq\":\"$CURRENT_USER\"}}", NULL,
     "id,first_name,last_name,last_page,email,password,location,title,description,tags,"
     "preferences_divider,avatar,language,appearance,theme_light,theme_dark,tfa_secret,status,"
     "role"},
};

size_t perm_app_minimal_count(void)
{
    return sizeof app_minimal / sizeof *app_minimal;
}

const perm_app_row_t *perm_app_minimal_at(size_t i)
{
    return i < perm_app_minimal_count() ? &app_minimal[i] : NULL;
}

static perm_coll_t *coll_get(arena_t *a, perm_set_t *ps, const char *name)
{
    for (size_t i = 0; i < ps->ncolls; i++)
        if (strcmp(ps->colls[i].collection, name) == 0)
            return &ps->colls[i];
    ps->colls = arena_realloc(a, ps->colls, ps->ncolls * sizeof *ps->colls,
                              (ps->ncolls + 1) * sizeof *ps->colls);
    perm_coll_t *c = &ps->colls[ps->ncolls++];
    *c = (perm_coll_t){.collection = arena_strndup(a, name, strlen(name))};
    return c;
}

static bool has_field(const perm_rule_t *r, str_t f)
{
    for (size_t i = 0; i < r->nfields; i++)
        if (str_eq(r->fields[i], f))
            return true;
    return false;
}

/* Splits a `fields` CSV into r (trimmed, empty parts dropped, duplicates skipped). */
static void add_fields(arena_t *a, perm_rule_t *r, str_t csv)
{
    size_t start = 0;
    for (size_t i = 0; i <= csv.n; i++) {
        if (i < csv.n && csv.p[i] != ',')
            continue;
        str_t f = str_trim((str_t){csv.p + start, i - start});
        start = i + 1;
        if (!f.n)
            continue;
        if (str_eq_c(f, "*"))
            r->all_fields = true;
        if (has_field(r, f))
            continue;
        r->fields = arena_realloc(a, r->fields, r->nfields * sizeof *r->fields,
                                  (r->nfields + 1) * sizeof *r->fields);
        r->fields[r->nfields++] = str_c(str_dup(a, f));
    }
}

/* Parses a stored rule; null, "" and {} mean no condition (*out NULL). */
static int parse_rule(arena_t *a, err_t *e, const qfilter_env_t *env, str_t json, qfilter_t **out)
{
    *out = NULL;
    if (!json.p || !json.n)
        return 0;
    struct json_object *o;
    if (jsonparse(a, json.p, json.n, 0, PERM_RULE_DEPTH, &o, NULL) < 0)
        return err_set(e, a, ERR_INTERNAL_SERVER_ERROR, NULL);
    if (!o || (json_object_get_type(o) == json_type_object && !json_object_object_length(o)))
        return 0;
    if (qfilter_parse(a, e, env, o, PERM_RULE_DEPTH, out) < 0)
        return -1;
    return 0;
}

int perm_set_add(arena_t *a, err_t *e, perm_set_t *ps, const qfilter_env_t *env,
                 const char *collection, str_t fields, str_t rule_json)
{
    qfilter_t *rule;
    if (parse_rule(a, e, env, rule_json, &rule) < 0)
        return -1;
    const char *text = rule ? arena_strndup(a, rule_json.p, rule_json.n) : NULL;
    perm_coll_t *c = coll_get(a, ps, collection);
    perm_rule_t *r = NULL;
    for (size_t i = 0; i < c->nrules && !r; i++) {
        const char *t = c->rules[i].rule_text;
        if ((!t && !text) || (t && text && strcmp(t, text) == 0))
            r = &c->rules[i];
    }
    if (!r) {
        c->rules = arena_realloc(a, c->rules, c->nrules * sizeof *c->rules,
                                 (c->nrules + 1) * sizeof *c->rules);
        r = &c->rules[c->nrules++];
        *r = (perm_rule_t){.rule_text = text, .rule = rule};
    }
    if (fields.p)
        add_fields(a, r, fields);
    return 0;
}

static const char *const action_names[] = {"read", "create", "update", "delete", "share"};

const char *perm_action_name(perm_action_t action)
{
    return action_names[action];
}

/* Parses stored JSON text (NULL / "" / "null": *out NULL). -1 with 500 when it is not JSON. */
static int parse_json(arena_t *a, err_t *e, str_t text, struct json_object **out)
{
    *out = NULL;
    if (!text.p || !text.n)
        return 0;
    if (jsonparse(a, text.p, text.n, 0, PERM_RULE_DEPTH, out, NULL) < 0)
        return err_set(e, a, ERR_INTERNAL_SERVER_ERROR, NULL);
    return 0;
}

/* A parseFilter'd value as JSON, the way Directus holds it afterwards ($NOW's Date as its ISO
 * string, an unresolved variable as null). */
static struct json_object *qval_json(arena_t *a, const qval_t *v)
{
    switch (v->kind) {
    case QV_BOOL:
        return json_object_new_boolean(v->b);
    case QV_NUMBER:
        if (v->num == (double)(int64_t)v->num && v->num < 9007199254740992.0 &&
            v->num > -9007199254740992.0)
            return json_object_new_int64((int64_t)v->num);
        return json_object_new_double(v->num);
    case QV_STRING:
        return json_object_new_string_len(v->s.p, (int)v->s.n);
    case QV_DATE: {
        time_t t = (time_t)(v->ms >= 0 ? v->ms / 1000 : (v->ms - 999) / 1000);
        struct tm tm;
        gmtime_r(&t, &tm);
        char iso[64];
        snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (int)(v->ms - (int64_t)t * 1000));
        return json_object_new_string(iso);
    }
    case QV_LIST: {
        struct json_object *arr = json_object_new_array();
        for (size_t i = 0; i < v->n; i++)
            json_object_array_add(arr, qval_json(a, &v->items[i]));
        return arr;
    }
    case QV_OBJECT:
        return json_object_get((struct json_object *)v->json);
    default:
        return NULL;
    }
}

/* The parsed filter tree as the JSON parseFilter returns (what validatePayload walks). */
static struct json_object *filter_json(arena_t *a, const qfilter_t *f)
{
    struct json_object *o = json_object_new_object();
    if (!f)
        return o;
    switch (f->kind) {
    case QF_AND:
    case QF_OR: {
        if (f->empty_object)
            return o;
        struct json_object *arr = json_object_new_array();
        for (size_t i = 0; i < f->nkids; i++)
            json_object_array_add(arr, filter_json(a, f->kids[i]));
        json_object_object_add(o, f->kind == QF_AND ? "_and" : "_or", arr);
        return o;
    }
    case QF_OP:
        json_object_object_add(o, str_dup(a, f->key), qval_json(a, &f->val));
        return o;
    default:
        json_object_object_add(o, str_dup(a, f->key), filter_json(a, f->child));
        return o;
    }
}

/* parseFilterValue for one preset leaf: "true"/"false"/"null" and dynamic variables. */
static struct json_object *preset_value(arena_t *a, const qfilter_env_t *env, struct json_object *v)
{
    if (!v || json_object_get_type(v) != json_type_string)
        return json_object_get(v);
    str_t s = {json_object_get_string(v), (size_t)json_object_get_string_len(v)};
    if (!str_eq_c(s, "true") && !str_eq_c(s, "false") && !str_eq_c(s, "null") &&
        !str_eq_c(s, "NULL") && !(s.n && s.p[0] == '$'))
        return json_object_get(v);
    /* the filter parser resolves values exactly so: borrow it on {"_eq": v} */
    struct json_object *wrap = json_own(a, json_object_new_object());
    json_object_object_add(wrap, "_eq", json_object_get(v));
    err_t e = {0};
    qfilter_t *f = NULL;
    if (qfilter_parse(a, &e, env, wrap, 4, &f) < 0 || !f || f->kind != QF_OP)
        return json_object_get(v);
    return qval_json(a, &f->val);
}

/* parsePreset: deepMap of parseFilterValue over the presets object. */
static struct json_object *preset_map(arena_t *a, const qfilter_env_t *env, struct json_object *v,
                                      int depth)
{
    json_type t = json_object_get_type(v);
    if (depth > PERM_RULE_DEPTH || (t != json_type_object && t != json_type_array))
        return preset_value(a, env, v);
    if (t == json_type_array) {
        struct json_object *arr = json_object_new_array();
        for (size_t i = 0; i < json_object_array_length(v); i++)
            json_object_array_add(arr,
                                  preset_map(a, env, json_object_array_get_idx(v, i), depth + 1));
        return arr;
    }
    struct json_object *o = json_object_new_object();
    json_object_object_foreach(v, key, val)
    {
        json_object_object_add(o, key, preset_map(a, env, val, depth + 1));
    }
    return o;
}

int perm_set_add_row(arena_t *a, err_t *e, perm_set_t *ps, const qfilter_env_t *env,
                     const char *collection, str_t fields, str_t rule_json, str_t validation,
                     str_t presets)
{
    perm_rule_t r = {0};
    if (parse_rule(a, e, env, rule_json, &r.rule) < 0)
        return -1;
    r.rule_text = r.rule ? arena_strndup(a, rule_json.p, rule_json.n) : NULL;
    struct json_object *v, *p;
    if (parse_json(a, e, validation, &v) < 0 || parse_json(a, e, presets, &p) < 0)
        return -1;
    if (v && json_object_get_type(v) == json_type_object) {
        if (qfilter_parse(a, e, env, v, PERM_RULE_DEPTH, &r.validation) < 0)
            return -1;
        r.validation_json = json_own(a, filter_json(a, r.validation));
    }
    if (p && json_object_get_type(p) == json_type_object)
        r.presets = json_own(a, preset_map(a, env, p, 0));
    if (fields.p)
        add_fields(a, &r, fields);
    perm_coll_t *c = coll_get(a, ps, collection);
    c->rules = arena_realloc(a, c->rules, c->nrules * sizeof *c->rules,
                             (c->nrules + 1) * sizeof *c->rules);
    c->rules[c->nrules++] = r;
    return 0;
}

/* Directus's app access minimal rows of the set's action for one collection, in their order. */
static int add_app_rows(arena_t *a, err_t *e, perm_set_t *ps, const qfilter_env_t *env,
                        const char *collection)
{
    for (size_t i = 0; i < sizeof app_minimal / sizeof *app_minimal; i++) {
        const perm_app_row_t *row = &app_minimal[i];
        if (strcmp(row->action, action_names[ps->action]) != 0 ||
            strcmp(row->collection, collection) != 0)
            continue;
        str_t rule = row->rule ? str_c(row->rule) : STR_NULL;
        int rc = ps->action == PERM_READ
                     ? perm_set_add(a, e, ps, env, row->collection, str_c(row->fields), rule)
                     : perm_set_add_row(a, e, ps, env, row->collection, str_c(row->fields), rule,
                                        row->validation ? str_c(row->validation) : STR_NULL,
                                        STR_NULL);
        if (rc < 0)
            return -1;
    }
    return 0;
}

void perm_set_add_app_minimal(arena_t *a, perm_set_t *ps, const qfilter_env_t *env)
{
    qfilter_env_t *copy = arena_alloc(a, sizeof *copy);
    *copy = *env;
    ps->app_arena = a;
    ps->app_env = copy;
    for (size_t i = 0; i < sizeof app_minimal / sizeof *app_minimal; i++)
        if (strcmp(app_minimal[i].action, action_names[ps->action]) == 0)
            coll_get(a, ps, app_minimal[i].collection)->app_pending = true;
}

int perm_enforce_tfa(arena_t *a, err_t *e, db_conn_t *db, const perm_subject_t *who, bool *out)
{
    perm_rows_t rows;
    *out = false;
    if (perm_cache_rows(a, e, db, who->policies, who->npolicies, &rows) < 0)
        return -1;
    *out = rows.enforce_tfa;
    return 0;
}

static str_t opt_str(const char *s)
{
    return s ? str_c(s) : STR_NULL;
}

/* extractRequiredDynamicVariableContext: the paths after every `prefix` ("$CURRENT_USER.") in
 * the rules, validations and presets of the rows of action (NULL: every action), unique. */
static size_t context_paths(arena_t *a, const perm_rows_t *rows, const char *action,
                            const char *prefix, str_t **out)
{
    size_t n = 0, cap = 0, plen = strlen(prefix);
    *out = NULL;
    for (size_t i = 0; i < rows->nrows * 3; i++) {
        const perm_row_t *row = &rows->rows[i / 3];
        if (!row->action || (action && strcmp(row->action, action) != 0))
            continue;
        const char *texts[] = {row->permissions, row->validation, row->presets};
        str_t t = opt_str(texts[i % 3]);
        for (size_t k = 0; t.n >= plen && k + plen <= t.n; k++) {
            if (memcmp(t.p + k, prefix, plen) != 0)
                continue;
            size_t end = k + plen;
            while (end < t.n && t.p[end] != '"' && t.p[end] != '\\')
                end++;
            str_t path = {t.p + k + plen, end - k - plen};
            bool dup = !path.n;
            for (size_t j = 0; j < n && !dup; j++)
                dup = str_eq((*out)[j], path);
            if (dup)
                continue;
            if (n == cap) {
                *out = arena_realloc(a, *out, cap * sizeof **out, (cap * 2 + 4) * sizeof **out);
                cap = cap * 2 + 4;
            }
            (*out)[n++] = path;
        }
    }
    return n;
}

/* The record(s) of one kind that the rules of action refer to with prefix.<path>, into *out. */
static int load_kind(const perm_rows_t *rows, const char *action, const char *prefix,
                     perm_ctx_kind_t kind, const char *const *keys, size_t nkeys,
                     perm_context_fn fetch, void *ud, arena_t *a, const struct json_object **out)
{
    str_t *paths;
    size_t n;
    if (!nkeys || !(n = context_paths(a, rows, action, prefix, &paths)))
        return 0;
    if (kind == PERM_CTX_POLICIES) { /* Directus always reads the policies' ids with them */
        paths = arena_realloc(a, paths, n * sizeof *paths, (n + 1) * sizeof *paths);
        paths[n++] = STR("id");
    }
    return fetch(ud, kind, keys, nkeys, paths, n, out);
}

/* fetchDynamicVariableContext: the user's, the role's, the roles' and the policies' records the
 * rules refer to. */
static int load_context(const perm_subject_t *who, const perm_rows_t *rows, const char *action,
                        perm_context_fn fetch, void *ud, arena_t *a, qfilter_env_t *env)
{
    if (!fetch)
        return 0;
    const char *const *user = who->user ? &who->user : NULL;
    const char *const *role = who->role ? &who->role : NULL;
    if (load_kind(rows, action, "$CURRENT_USER.", PERM_CTX_USER, user, user != NULL, fetch, ud,
                  a, &env->user_ctx) < 0 ||
        load_kind(rows, action, "$CURRENT_ROLE.", PERM_CTX_ROLE, role, role != NULL, fetch, ud,
                  a, &env->role_ctx) < 0 ||
        load_kind(rows, action, "$CURRENT_ROLES.", PERM_CTX_ROLES, env->roles,
                  env->roles ? env->nroles : 0, fetch, ud, a, &env->roles_ctx) < 0 ||
        load_kind(rows, action, "$CURRENT_POLICIES.", PERM_CTX_POLICIES, who->policies,
                  who->npolicies, fetch, ud, a, &env->policies_ctx) < 0)
        return -1;
    return 0;
}

/* who's stored rows (through the cache) and the environment their variables resolve in: env0
 * plus $CURRENT_POLICIES and the records $CURRENT_USER.<path>, $CURRENT_ROLE.<path>,
 * $CURRENT_ROLES.<path> and $CURRENT_POLICIES.<path> name in the rows of action (NULL: all). */
static int rows_and_env(arena_t *a, err_t *e, db_conn_t *db, const perm_subject_t *who,
                        const qfilter_env_t *env0, const char *action, perm_context_fn fetch,
                        void *ud, perm_rows_t *rows, qfilter_env_t *env)
{
    *env = *env0;
    env->policies = who->policies;
    env->npolicies = who->npolicies;
    if (perm_cache_rows(a, e, db, who->policies, who->npolicies, rows) < 0)
        return -1;
    return load_context(who, rows, action, fetch, ud, a, env);
}

int perm_load(arena_t *a, err_t *e, db_conn_t *db, const perm_subject_t *who,
              const qfilter_env_t *env0, perm_action_t action, perm_context_fn fetch, void *ud,
              perm_set_t *out)
{
    *out = (perm_set_t){.action = action};
    qfilter_env_t envv, *env = &envv;
    perm_rows_t rows;
    const char *name = action_names[action];
    if (rows_and_env(a, e, db, who, env0, name, fetch, ud, &rows, env) < 0)
        return -1;
    for (size_t i = 0; i < rows.nrows; i++) {
        const perm_row_t *r = &rows.rows[i];
        if (!r->collection || !r->action || strcmp(r->action, name) != 0)
            continue;
        int rc = action == PERM_READ
                     ? perm_set_add(a, e, out, env, r->collection, opt_str(r->fields),
                                    opt_str(r->permissions))
                     : perm_set_add_row(a, e, out, env, r->collection, opt_str(r->fields),
                                        opt_str(r->permissions), opt_str(r->validation),
                                        opt_str(r->presets));
        if (rc < 0)
            return -1;
    }
    if (who->app)
        perm_set_add_app_minimal(a, out, env);
    return 0;
}

int perm_load_read(arena_t *a, err_t *e, db_conn_t *db, const perm_subject_t *who,
                   const qfilter_env_t *env, perm_context_fn fetch, void *ud, perm_set_t *out)
{
    return perm_load(a, e, db, who, env, PERM_READ, fetch, ud, out);
}

/* ---- fetchAccountabilityCollectionAccess ------------------------------------------------------
 */

typedef struct {
    const char *access; /* none | full | partial */
    bool star;
    str_t *fields;
    size_t nfields;
    bool has_fields;
    struct json_object *presets;
} access_t;

typedef struct {
    str_t collection;
    access_t act[5];
} coll_access_t;

static void access_row(arena_t *a, const qfilter_env_t *env, coll_access_t **v, size_t *n,
                       str_t coll, str_t action, str_t fields, str_t rule, str_t presets)
{
    coll_access_t *c = NULL;
    for (size_t i = 0; i < *n && !c; i++)
        if (str_eq((*v)[i].collection, coll))
            c = &(*v)[i];
    if (!c) {
        *v = arena_realloc(a, *v, *n * sizeof **v, (*n + 1) * sizeof **v);
        c = &(*v)[(*n)++];
        *c = (coll_access_t){.collection = coll};
        for (size_t k = 0; k < 5; k++)
            c->act[k].access = "none";
    }
    access_t *x = NULL;
    for (size_t k = 0; k < 5 && !x; k++)
        if (str_eq_c(action, action_names[k]))
            x = &c->act[k];
    if (!x)
        return;
    if (strcmp(x->access, "none") == 0)
        x->access = "full";
    struct json_object *o = NULL;
    if (rule.n && jsonparse(a, rule.p, rule.n, 0, PERM_RULE_DEPTH, &o, NULL) == 0 &&
        json_object_get_type(o) == json_type_object && json_object_object_length(o) > 0 &&
        strcmp(x->access, "full") == 0)
        x->access = "partial";
    if (fields.p && !x->star) {
        perm_rule_t tmp = {.fields = x->fields, .nfields = x->nfields};
        add_fields(a, &tmp, fields);
        x->fields = tmp.fields;
        x->nfields = tmp.nfields;
        x->has_fields = true;
        x->star = tmp.all_fields || has_field(&tmp, STR("*"));
    }
    struct json_object *p = NULL;
    if (presets.n && jsonparse(a, presets.p, presets.n, 0, PERM_RULE_DEPTH, &p, NULL) == 0 &&
        json_object_get_type(p) == json_type_object) {
        p = json_own(a, preset_map(a, env, p, 0)); /* processPermissions' parsePreset */
        if (!x->presets)
            x->presets = p;
        else {
            json_object_object_foreach(p, key, val)
            {
                json_object_object_add(x->presets, key, json_object_get(val));
            }
        }
    }
}

static void access_write(buf_t *b, const access_t *x)
{
    buf_puts(b, "{\"access\":");
    json_write_str(b, str_c(x->access));
    if (x->has_fields) {
        buf_puts(b, ",\"fields\":[");
        if (x->star) {
            buf_puts(b, "\"*\"");
        } else {
            for (size_t i = 0; i < x->nfields; i++) {
                if (i)
                    buf_putc(b, ',');
                json_write_str(b, x->fields[i]);
            }
        }
        buf_putc(b, ']');
    }
    if (x->presets) {
        buf_puts(b, ",\"presets\":");
        json_write(b, x->presets);
    }
    buf_putc(b, '}');
}

int perm_collection_access(arena_t *a, err_t *e, db_conn_t *db, const perm_subject_t *who,
                           const qfilter_env_t *env0, perm_context_fn fetch, void *ud, buf_t *out)
{
    coll_access_t *v = NULL;
    size_t n = 0;
    qfilter_env_t envv, *env = &envv;
    perm_rows_t rows;
    if (rows_and_env(a, e, db, who, env0, NULL, fetch, ud, &rows, env) < 0)
        return -1;
    for (size_t i = 0; i < rows.nrows; i++) {
        const perm_row_t *r = &rows.rows[i];
        if (r->collection && r->action)
            access_row(a, env, &v, &n, str_c(r->collection), str_c(r->action), opt_str(r->fields),
                       opt_str(r->permissions), opt_str(r->presets));
    }
    if (who->app)
        for (size_t i = 0; i < sizeof app_minimal / sizeof *app_minimal; i++)
            access_row(a, env, &v, &n, str_c(app_minimal[i].collection),
                       str_c(app_minimal[i].action), str_c(app_minimal[i].fields),
                       app_minimal[i].rule ? str_c(app_minimal[i].rule) : STR_NULL, STR_NULL);
    buf_putc(out, '{');
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(out, ',');
        json_write_str(out, v[i].collection);
        buf_putc(out, ':');
        buf_putc(out, '{');
        for (size_t k = 0; k < 5; k++) {
            if (k)
                buf_putc(out, ',');
            json_write_str(out, str_c(action_names[k]));
            buf_putc(out, ':');
            access_write(out, &v[i].act[k]);
        }
        buf_putc(out, '}');
    }
    buf_putc(out, '}');
    return 0;
}

const perm_coll_t *perm_coll(const perm_set_t *ps, str_t collection)
{
    for (size_t i = 0; i < ps->ncolls; i++) {
        perm_coll_t *c = &ps->colls[i];
        if (!str_eq_c(collection, c->collection))
            continue;
        if (c->app_pending) {
            /* The set is the request's: filling it in on first use changes no answer. */
            c->app_pending = false;
            err_t e = {0};
            if (add_app_rows(ps->app_arena, &e, (perm_set_t *)ps, ps->app_env, c->collection) < 0)
                log_error("app access rows of %s: %s", c->collection,
                          e.message ? e.message : "?"); /* static rules: cannot happen */
        }
        return c;
    }
    return NULL;
}

bool perm_all_fields(const perm_coll_t *pc)
{
    for (size_t i = 0; i < pc->nrules; i++)
        if (pc->rules[i].all_fields)
            return true;
    return false;
}

bool perm_can_read_field(const perm_coll_t *pc, str_t field)
{
    for (size_t i = 0; i < pc->nrules; i++)
        if (pc->rules[i].all_fields || has_field(&pc->rules[i], field))
            return true;
    return false;
}

size_t perm_fields(arena_t *a, const perm_coll_t *pc, str_t **out)
{
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < pc->nrules; i++)
        cap += pc->rules[i].nfields;
    *out = arena_alloc(a, (cap ? cap : 1) * sizeof **out);
    for (size_t i = 0; i < pc->nrules; i++)
        for (size_t k = 0; k < pc->rules[i].nfields; k++) {
            str_t f = pc->rules[i].fields[k];
            bool dup = str_eq_c(f, "*");
            for (size_t j = 0; j < n && !dup; j++)
                dup = str_eq((*out)[j], f);
            if (!dup)
                (*out)[n++] = f;
        }
    return n;
}

static qfilter_t *or_of(arena_t *a, qfilter_t **kids, size_t n)
{
    if (n == 1)
        return kids[0];
    qfilter_t *o = arena_calloc(a, 1, sizeof *o);
    o->kind = QF_OR;
    o->key = STR("_or");
    o->kids = kids;
    o->nkids = n;
    return o;
}

qfilter_t *perm_row_rule(arena_t *a, const perm_coll_t *pc)
{
    qfilter_t **kids = arena_alloc(a, (pc->nrules ? pc->nrules : 1) * sizeof *kids);
    size_t n = 0;
    for (size_t i = 0; i < pc->nrules; i++) {
        if (!pc->rules[i].rule)
            return NULL;
        kids[n++] = pc->rules[i].rule;
    }
    return n ? or_of(a, kids, n) : NULL;
}

qfilter_t *perm_field_rule(arena_t *a, const perm_coll_t *pc, str_t field, bool *denied)
{
    qfilter_t **kids = arena_alloc(a, (pc->nrules ? pc->nrules : 1) * sizeof *kids);
    size_t n = 0;
    *denied = true;
    for (size_t i = 0; i < pc->nrules; i++) {
        const perm_rule_t *r = &pc->rules[i];
        if (!r->all_fields && !has_field(r, field))
            continue;
        *denied = false;
        if (!r->rule)
            return NULL;
        kids[n++] = r->rule;
    }
    /* Granted by every row: the row rule already keeps exactly those rows. */
    if (n == pc->nrules)
        return NULL;
    return n ? or_of(a, kids, n) : NULL;
}

qfilter_t *perm_and(arena_t *a, qfilter_t *x, qfilter_t *y)
{
    if (!x)
        return y;
    if (!y)
        return x;
    qfilter_t *o = arena_calloc(a, 1, sizeof *o);
    o->kind = QF_AND;
    o->key = STR("_and");
    o->kids = arena_alloc(a, 2 * sizeof *o->kids);
    o->kids[0] = x;
    o->kids[1] = y;
    o->nkids = 2;
    return o;
}
