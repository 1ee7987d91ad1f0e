/*
 * Items writes, in the order Directus 11.3.5's ItemsService does them:
 *
 *   create: processPayload → m2o → a2o → columns → INSERT → o2m → activity → revision
 *   update: validateAccess → processPayload → m2o → a2o → columns → UPDATE … WHERE pk IN →
 *           o2m per key → activity → revisions
 *   delete: validateAccess → DELETE … WHERE pk IN → activity
 *
 * Nested writes (write_nested.c) recurse through the same functions on the related collection;
 * their revision ids bubble up in a write_revs_t so the parent revision can adopt them
 * (`parent`). Column values are PayloadService's (write_payload.c).
 */
#include "lib/services/write.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/json.h"
#include "lib/core/jsonparse.h"
#include "lib/query/jsval.h"
#include "lib/services/activity.h"
#include "lib/services/items.h"
#include "lib/services/write_int.h"
#include "lib/sql/plan.h"
#include "lib/sql/sqlbuf.h"

/* ---- small helpers ------------------------------------------------------------------------ */

struct json_object *wr_own(write_t *w, struct json_object *o)
{
    return o ? json_own(w->a, o) : NULL;
}

struct json_object *wr_get(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;
    json_object_object_get_ex(o, key, &v);
    return v;
}

bool wr_has(struct json_object *o, const char *key)
{
    return json_object_object_get_ex(o, key, NULL);
}

/* obj[key] = v (v is shared, not moved). */
void wr_put(struct json_object *obj, const char *key, struct json_object *v)
{
    json_object_object_add(obj, key, v ? json_object_get(v) : NULL);
}

bool wr_is_object(const struct json_object *v)
{
    return json_object_get_type(v) == json_type_object;
}

/* A shallow copy of an object (lodash clone / spread). */
struct json_object *wr_copy(write_t *w, struct json_object *src)
{
    struct json_object *o = wr_own(w, json_object_new_object());
    if (wr_is_object(src)) {
        json_object_object_foreach(src, k, v) wr_put(o, k, v);
    }
    return o;
}

const char *write_key_text(arena_t *a, const struct json_object *key)
{
    switch (json_object_get_type(key)) {
    case json_type_string:
        return json_object_get_string((struct json_object *)key);
    case json_type_null:
        return "null";
    default: {
        str_t s = jsval_str(a, key);
        return str_dup(a, s);
    }
    }
}

db_value_t wr_key_value(const struct json_object *key)
{
    switch (json_object_get_type(key)) {
    case json_type_int:
        return (db_value_t){.type = DB_INT, .i = json_object_get_int64(key)};
    case json_type_double:
        return (db_value_t){.type = DB_FLOAT, .f = json_object_get_double(key)};
    case json_type_boolean:
        return (db_value_t){.type = DB_BOOL, .i = json_object_get_boolean(key)};
    case json_type_string:
        return (db_value_t){.type = DB_TEXT, .s = jsval_string(key)};
    default:
        return (db_value_t){.type = DB_NULL};
    }
}

/* A result cell as a key value (numbers stay numbers, like the drivers hand them to knex). */
struct json_object *wr_cell_key(write_t *w, const db_value_t *v)
{
    switch (v->type) {
    case DB_INT:
    case DB_BOOL:
        return wr_own(w, json_object_new_int64(v->i));
    case DB_FLOAT:
        return wr_own(w, json_object_new_double(v->f));
    case DB_TEXT:
    case DB_BLOB:
        return wr_own(w, json_object_new_string_len(v->s.p, (int)v->s.n));
    default:
        return NULL;
    }
}

bool write_key_text_valid(const schema_collection_t *c, str_t key)
{
    schema_type_t t = c->primary->type;
    if (t == SCHEMA_TYPE_INTEGER)
        return jsval_is_integer(jsval_str_number(key));
    return t != SCHEMA_TYPE_UUID || str_is_uuid(key);
}

bool write_key_valid(const schema_collection_t *c, const struct json_object *key)
{
    schema_type_t t = c->primary->type;
    if (json_object_get_type(key) == json_type_string)
        return write_key_text_valid(c, jsval_string(key));
    if (t == SCHEMA_TYPE_INTEGER) {
        if (json_object_get_type(key) == json_type_int)
            return true;
        if (json_object_get_type(key) == json_type_double)
            return jsval_is_integer(json_object_get_double(key));
        if (json_object_get_type(key) == json_type_boolean)
            return true;
        return json_object_get_type(key) == json_type_null; /* Number(null) is 0 */
    }
    return t != SCHEMA_TYPE_UUID;
}

int wr_keys_valid(write_t *w, const schema_collection_t *c, const write_keys_t *keys)
{
    for (size_t i = 0; i < keys->n; i++)
        if (!write_key_valid(c, keys->v[i]))
            return err_set(w->e, w->a, ERR_FORBIDDEN, NULL);
    return 0;
}

/* The mutation tracker: MAX_BATCH_MUTATION counts every row a request touches. */
static int wr_track(write_t *w, size_t n)
{
    w->mutations += n;
    if (w->max_batch && w->mutations > w->max_batch)
        return err_invalid_payload(
            w->e, w->a,
            arena_printf(w->a, "Exceeded max batch mutation limit of %zu", w->max_batch));
    return 0;
}

int64_t wr_limit_default(const write_t *w)
{
    return w->env ? w->env->limit_default : 100;
}

static void wr_revs_push(write_t *w, write_revs_t *r, int64_t id)
{
    if (!r)
        return;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        r->ids = arena_realloc(w->a, r->ids, r->cap * sizeof *r->ids, cap * sizeof *r->ids);
        r->cap = cap;
    }
    r->ids[r->n++] = id;
}

void wr_keys_push(write_t *w, write_keys_t *k, size_t *cap, struct json_object *key)
{
    if (k->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        k->v = arena_realloc(w->a, k->v, *cap * sizeof *k->v, ncap * sizeof *k->v);
        *cap = ncap;
    }
    k->v[k->n++] = key;
}

write_keys_t write_keys_of(arena_t *a, struct json_object *arr)
{
    size_t n = json_object_array_length(arr);
    write_keys_t k = {.v = arena_calloc(a, n ? n : 1, sizeof(struct json_object *)), .n = n};
    for (size_t i = 0; i < n; i++)
        k.v[i] = json_object_array_get_idx(arr, i);
    return k;
}

qval_t *write_keys_qvals(arena_t *a, const write_keys_t *keys)
{
    qval_t *kv = arena_calloc(a, keys->n ? keys->n : 1, sizeof *kv);
    for (size_t i = 0; i < keys->n; i++) {
        struct json_object *k = keys->v[i];
        if (json_object_get_type(k) == json_type_string)
            kv[i] = (qval_t){.kind = QV_STRING, .s = jsval_string(k)};
        else
            kv[i] = (qval_t){.kind = QV_NUMBER, .num = jsval_number(a, k)};
    }
    return kv;
}

/* Remembers which pool-wide caches a write to c makes stale. */
/* Records a change of n items of c for the caller to announce after COMMIT. */
static void wr_event(write_t *w, const char *action, const schema_collection_t *c,
                     struct json_object *const *keys, size_t n)
{
    if (!n)
        return;
    buf_t b;
    buf_init(&b, w->a, 16 * n + 2);
    buf_putc(&b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(&b, ',');
        json_write(&b, keys[i]);
    }
    buf_putc(&b, ']');
    write_events_t *ev = &w->events;
    if (ev->n == ev->cap) {
        size_t cap = ev->cap * 2 + 4;
        ev->v = arena_realloc(w->a, ev->v, ev->cap * sizeof *ev->v, cap * sizeof *ev->v);
        ev->cap = cap;
    }
    ev->v[ev->n++] = (write_event_t){action, c->name, b.p};
}

void wr_note_write(write_t *w, const schema_collection_t *c)
{
    static const struct {
        const char *name;
        gen_kind_t kind;
    } map[] = {
        {"directus_collections", GEN_SCHEMA},   {"directus_fields", GEN_SCHEMA},
        {"directus_relations", GEN_SCHEMA},     {"directus_permissions", GEN_PERMISSIONS},
        {"directus_policies", GEN_PERMISSIONS}, {"directus_access", GEN_PERMISSIONS},
        {"directus_roles", GEN_PERMISSIONS},    {"directus_users", GEN_USERS},
    };
    bool known = false;
    for (size_t i = 0; i < w->nwritten && !known; i++)
        known = !strcmp(w->written[i], c->name);
    if (!known) {
        w->written = arena_realloc(w->a, w->written, w->nwritten * sizeof *w->written,
                                   (w->nwritten + 1) * sizeof *w->written);
        /* copied: the schema may be reloaded (and this one freed) before the purge */
        w->written[w->nwritten++] = arena_strndup(w->a, c->name, strlen(c->name));
    }
    if (!c->system)
        return;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i].name, c->name))
            w->stale |= 1u << map[i].kind;
}

int wr_run(write_t *w, const sqlbuf_t *b, db_result_t *out)
{
    sqlbuf_out_t r;
    const char *why = NULL;
    if (sqlbuf_render(b, w->a, db_dialect(w->db), &r, &why) < 0)
        return err_invalid_payload(w->e, w->a, why ? why : "Too many values");
    return db_exec(w->db, w->a, w->e, r.sql, r.params, r.nparams, out);
}

/* ---- statements --------------------------------------------------------------------------- */

/* SELECT cols FROM c WHERE pk = key LIMIT 1 */
int wr_select_by_key(write_t *w, const schema_collection_t *c, const char *const *cols,
                     size_t ncols, struct json_object *key, db_result_t *r)
{
    sqlbuf_t *b = sqlbuf_new(w->a);
    sqlbuf_kw(b, "SELECT ");
    for (size_t i = 0; i < ncols; i++) {
        if (i)
            sqlbuf_kw(b, ", ");
        sqlbuf_ident(b, cols[i]);
    }
    sqlbuf_kw(b, " FROM ");
    sqlbuf_ident(b, c->name);
    sqlbuf_kw(b, " WHERE ");
    sqlbuf_ident(b, c->primary->name);
    sqlbuf_kw(b, " = ");
    sqlbuf_param(b, wr_key_value(key));
    sqlbuf_kw(b, " LIMIT 1");
    return wr_run(w, b, r);
}

/* Whether the row with key exists. */
int wr_row_exists(write_t *w, const schema_collection_t *c, struct json_object *key, bool *out)
{
    db_result_t r;
    if (wr_select_by_key(w, c, &c->primary->name, 1, key, &r) < 0)
        return -1;
    *out = r.nrows > 0;
    return 0;
}

void wr_in_list(sqlbuf_t *b, const write_keys_t *keys)
{
    sqlbuf_kw(b, "(");
    for (size_t i = 0; i < keys->n; i++) {
        if (i)
            sqlbuf_kw(b, ", ");
        sqlbuf_param(b, wr_key_value(keys->v[i]));
    }
    sqlbuf_kw(b, ")");
}

/* knex's resetAutoIncrementSequence on PostgreSQL after an explicit integer key. */
static int wr_reset_sequence(write_t *w, const schema_collection_t *c)
{
    if (db_dialect(w->db) != DB_PG)
        return 0;
    sqlbuf_t *b = sqlbuf_new(w->a);
    sqlbuf_kw(b, "SELECT setval(pg_get_serial_sequence(");
    sqlbuf_param_text(b, str_c(c->name));
    sqlbuf_kw(b, ", ");
    sqlbuf_param_text(b, str_c(c->primary->name));
    sqlbuf_kw(b, "), (SELECT MAX(");
    sqlbuf_ident(b, c->primary->name);
    sqlbuf_kw(b, ") FROM ");
    sqlbuf_ident(b, c->name);
    sqlbuf_kw(b, "))");
    return wr_run(w, b, NULL);
}

/* createOne's catch: MySQL names no field for a duplicate primary key; Directus fills in the
 * primary key's name and drops the primaryKey flag (the message stays as built). */
static int wr_insert_failed(write_t *w, const schema_collection_t *c)
{
    struct json_object *flag;
    if (w->e->code == ERR_RECORD_NOT_UNIQUE && w->e->ext &&
        json_object_object_get_ex(w->e->ext, "primaryKey", &flag) &&
        json_object_get_boolean(flag)) {
        json_object_object_add(w->e->ext, "field", json_object_new_string(c->primary->name));
        json_object_object_del(w->e->ext, "primaryKey");
    }
    return -1;
}

static int wr_insert_row(write_t *w, const schema_collection_t *c, wr_cols_t *cols,
                         struct json_object **key)
{
    db_dialect_t d = db_dialect(w->db);
    wr_note_write(w, c);
    qsort(cols->v, cols->n, sizeof *cols->v, wr_cmp_cols); /* knex lists insert columns sorted */
    sqlbuf_t *b = sqlbuf_new(w->a);
    sqlbuf_kw(b, "INSERT INTO ");
    sqlbuf_ident(b, c->name);
    if (!cols->n) {
        sqlbuf_kw_if(b, d == DB_MYSQL, " () VALUES ()", " DEFAULT VALUES");
    } else {
        sqlbuf_kw(b, " (");
        for (size_t i = 0; i < cols->n; i++) {
            if (i)
                sqlbuf_kw(b, ", ");
            sqlbuf_ident(b, cols->v[i].f->name);
        }
        sqlbuf_kw(b, ") VALUES (");
        for (size_t i = 0; i < cols->n; i++) {
            if (i)
                sqlbuf_kw(b, ", ");
            sqlbuf_param(b, wr_col_bind(w, &cols->v[i]));
        }
        sqlbuf_kw(b, ")");
    }
    if (d == DB_PG) {
        sqlbuf_kw(b, " RETURNING ");
        sqlbuf_ident(b, c->primary->name);
    }
    db_result_t r;
    if (wr_run(w, b, &r) < 0)
        return wr_insert_failed(w, c);
    *key = NULL;
    if (d == DB_PG && r.nrows && r.ncols)
        *key = wr_cell_key(w, db_cell(&r, 0, 0));
    else if (d != DB_PG && r.last_insert_id)
        *key = wr_own(w, json_object_new_int64(r.last_insert_id));
    return 0;
}

/* readByQuery / readMany as an admin (Directus's services without accountability): the "data"
 * array of q on c, by keys when given. */
static int read_admin(write_t *w, const schema_collection_t *c, const query_t *q,
                      const write_keys_t *keys, int64_t limit, struct json_object **data)
{
    plan_opts_t opts = {.limit_default = limit};
    if (keys) {
        opts.keys = write_keys_qvals(w->a, keys);
        opts.nkeys = keys->n;
    }
    plan_t *p = plan_read(w->a, w->e, w->s, c, q, &opts);
    if (!p)
        return -1;
    buf_t b;
    buf_init(&b, w->a, 1024);
    if (items_read(w->a, w->e, w->db, p, ITEMS_LIST, &b) < 0)
        return -1;
    struct json_object *all;
    if (jsonparse(w->a, b.p, b.n, 0, 4096, &all, NULL) < 0)
        return err_set(w->e, w->a, ERR_INTERNAL_SERVER_ERROR, NULL);
    *data = wr_get(all, "data");
    return 0;
}

/* ---- permissions ------------------------------------------------------------------------- */

static int perm_rows(write_t *w, perm_action_t act, const perm_set_t **ps)
{
    *ps = NULL;
    return w->perm ? w->perm(w->perm_ud, act, ps) : 0;
}

/* processPayload: validation, permissions, presets. Without an actor the payload is used as it
 * is (Directus's services without accountability). */
static int process_payload(write_t *w, const schema_collection_t *c, perm_action_t act,
                           struct json_object *payload, struct json_object **out)
{
    *out = payload;
    if (!w->actor)
        return 0;
    const perm_set_t *ps;
    if (perm_rows(w, act, &ps) < 0)
        return -1;
    return perm_process_payload(w->a, w->e, c, ps, act, w->env ? &w->env->vars : NULL, payload,
                                out);
}

/* createFieldsForbiddenError for the root path. */
static int fields_forbidden(write_t *w, const schema_collection_t *c, const char **f, size_t n)
{
    buf_t b;
    buf_init(&b, w->a, 128);
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s\"%s\"", i ? ", " : "", f[i]);
    const char *reason =
        n == 1 ? arena_printf(w->a,
                              "You don't have permission to access field %s in collection "
                              "\"%s\" or it does not exist. Queried in root.",
                              b.p, c->name)
               : arena_printf(w->a,
                              "You don't have permission to access fields %s in collection "
                              "\"%s\" or they do not exist. Queried in root.",
                              b.p, c->name);
    err_set(w->e, w->a, ERR_FORBIDDEN, "%s", reason);
    err_ext_str(w->e, w->a, "reason", reason);
    return -1;
}

static int forbidden_reason(write_t *w, const char *reason)
{
    err_set(w->e, w->a, ERR_FORBIDDEN, "%s", reason);
    err_ext_str(w->e, w->a, "reason", reason);
    return -1;
}

/* How many of keys exist and match rule (NULL: any), read as an admin. */
static int count_matching(write_t *w, const schema_collection_t *c, const write_keys_t *keys,
                          qfilter_t *rule, size_t *out)
{
    str_t pkname = str_c(c->primary->name);
    query_t q = {.has_fields = true, .fields = {&pkname, 1}, .filter = rule};
    struct json_object *data;
    if (read_admin(w, c, &q, keys, (int64_t)keys->n, &data) < 0)
        return -1;
    *out = json_object_array_length(data);
    return 0;
}

/* Object.keys(payload): an object's names; an array's indexes ("0", "1", …), which a single
 * item's PATCH with an array body then asks permission for as fields. */
static const char **payload_keys(arena_t *a, struct json_object *payload, size_t *n)
{
    bool array = json_object_is_type(payload, json_type_array);
    size_t cap = array ? json_object_array_length(payload)
                 : json_object_is_type(payload, json_type_object)
                     ? (size_t)json_object_object_length(payload)
                     : 0;
    const char **keys = arena_calloc(a, cap ? cap : 1, sizeof *keys);
    *n = 0;
    if (array) {
        for (size_t i = 0; i < cap; i++)
            keys[(*n)++] = arena_printf(a, "%zu", i);
    } else if (cap) {
        json_object_object_foreach(payload, k, v)
        {
            (void)v;
            keys[(*n)++] = k;
        }
    }
    return keys;
}

/*
 * validateAccess for update / delete keys (Directus's validateItemAccess): the payload fields
 * must exist and be allowed for the action (processAst), every key must be a row the action's
 * rules reach, and every field must be granted on every one of those rows.
 */
static int validate_access(write_t *w, const schema_collection_t *c, perm_action_t act,
                           const write_keys_t *keys, struct json_object *payload)
{
    if (!w->actor || !w->perm)
        return 0;
    const perm_set_t *ps;
    if (perm_rows(w, act, &ps) < 0)
        return -1;
    if (!ps)
        return 0;
    size_t nf = 0, nbad = 0;
    const char **fields = payload_keys(w->a, payload, &nf);
    const char **bad = arena_calloc(w->a, nf ? nf : 1, sizeof *bad);
    for (size_t i = 0; i < nf; i++)
        if (!schema_field(c, str_c(fields[i])))
            bad[nbad++] = fields[i];
    if (nbad)
        return fields_forbidden(w, c, bad, nbad);
    const perm_coll_t *pc = perm_coll(ps, str_c(c->name));
    if (!pc)
        return forbidden_reason(
            w, arena_printf(w->a,
                            "You don't have permission to access collection \"%s\" or it does "
                            "not exist. Queried in root.",
                            c->name));
    for (size_t i = 0; i < nf; i++)
        if (!perm_can_read_field(pc, str_c(fields[i])))
            bad[nbad++] = fields[i];
    if (nbad)
        return fields_forbidden(w, c, bad, nbad);
    qfilter_t *rows = perm_row_rule(w->a, pc);
    size_t got;
    bool ok = count_matching(w, c, keys, rows, &got) == 0 && got == keys->n;
    for (size_t i = 0; ok && i < nf; i++) {
        bool denied = false;
        qfilter_t *rule = perm_field_rule(w->a, pc, str_c(fields[i]), &denied);
        if (rule && count_matching(w, c, keys, perm_and(w->a, rows, rule), &got) == 0)
            ok = got == keys->n;
    }
    if (err_is_set(w->e))
        return -1;
    if (ok)
        return 0;
    const char *action = perm_action_name(act);
    if (nf) {
        buf_t b;
        buf_init(&b, w->a, 128);
        for (size_t i = 0; i < nf; i++)
            buf_printf(&b, "%s\"%s\"", i ? ", " : "", fields[i]);
        return forbidden_reason(
            w, arena_printf(w->a,
                            "You don't have permissions to perform \"%s\" for the field(s) %s in "
                            "collection \"%s\" or it does not exist.",
                            action, b.p, c->name));
    }
    return forbidden_reason(w, arena_printf(w->a,
                                            "You don't have permission to perform \"%s\" for "
                                            "collection \"%s\" or it does not exist.",
                                            action, c->name));
}

int write_validate_access(write_t *w, const schema_collection_t *c, perm_action_t act,
                          const write_keys_t *keys)
{
    return validate_access(w, c, act, keys, NULL);
}

/* ---- the service -------------------------------------------------------------------------- */

static bool wr_tracked(const write_t *w, const schema_collection_t *c)
{
    return w->actor && c->accountability != SCHEMA_ACCOUNTABILITY_NONE;
}

static int adopt(write_t *w, int64_t parent, const write_revs_t *kids)
{
    return kids->n ? activity_revisions_parent(w->a, w->e, w->db, parent, kids->ids, kids->n) : 0;
}

/* The activity row of n created items (and their revisions when the collection keeps them);
 * kids (nested revisions of a single item) become children of its revision. */
static int record_creates(write_t *w, const schema_collection_t *c, struct json_object **data,
                          struct json_object **keys, size_t n, const write_revs_t *kids,
                          write_revs_t *revs)
{
    const char **items = arena_alloc(w->a, (n ? n : 1) * sizeof *items);
    int64_t *acts = arena_alloc(w->a, (n ? n : 1) * sizeof *acts);
    for (size_t i = 0; i < n; i++)
        items[i] = write_key_text(w->a, keys[i]);
    if (activity_add(w->a, w->e, w->db, w->actor, "create", c->name, items, n, acts) < 0)
        return -1;
    if (c->accountability != SCHEMA_ACCOUNTABILITY_ALL)
        return 0;
    activity_revision_t *rv = arena_alloc(w->a, (n ? n : 1) * sizeof *rv);
    int64_t *ids = arena_alloc(w->a, (n ? n : 1) * sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        const char *delta = wr_delta_payload(w, c, data[i]);
        rv[i] = (activity_revision_t){acts[i], items[i], delta, delta};
    }
    if (activity_revisions_add(w->a, w->e, w->db, c->name, rv, n, ids) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        wr_revs_push(w, revs, ids[i]);
    return n == 1 && kids ? adopt(w, ids[0], kids) : 0;
}

static int record_create(write_t *w, const schema_collection_t *c, struct json_object *data,
                         struct json_object *key, const write_revs_t *kids, write_revs_t *revs)
{
    return record_creates(w, c, &data, &key, 1, kids, revs);
}

/* opts.preMutationError: the service's objection, raised once the permission checks passed. */
static int raise_pre_mutation(write_t *w)
{
    if (!w->pre_mutation || !err_is_set(w->pre_mutation))
        return 0;
    *w->e = *w->pre_mutation;
    return -1;
}

int write_create_one(write_t *w, const schema_collection_t *c, struct json_object *data,
                     write_revs_t *revs, struct json_object **key)
{
    if (wr_track(w, 1) < 0)
        return -1;
    if (!wr_is_object(data))
        data = wr_own(w, json_object_new_object());
    struct json_object *presets;
    if (process_payload(w, c, PERM_CREATE, data, &presets) < 0 || raise_pre_mutation(w) < 0)
        return -1;
    struct json_object *payload = wr_copy(w, presets);
    write_revs_t kids = {0};
    if (wr_process_m2o(w, c, payload, &kids) < 0 || wr_process_a2o(w, c, payload, &kids) < 0)
        return -1;
    wr_cols_t cols;
    if (wr_build_cols(w, c, payload, WR_CREATE, &cols) < 0)
        return -1;
    const schema_field_t *pkf = c->primary;
    wr_col_t *pkcol = wr_cols_find(&cols, pkf);
    struct json_object *pk = pkcol && !pkcol->date ? pkcol->v : NULL;
    if (jsval_truthy(pk) && !write_key_valid(c, pk))
        return err_set(w->e, w->a, ERR_FORBIDDEN, NULL);
    /* the INSERT sorts cols in place: pkcol points elsewhere after it */
    bool explicit_key = jsval_truthy(pk);
    struct json_object *returned;
    if (wr_insert_row(w, c, &cols, &returned) < 0)
        return -1;
    if (!jsval_truthy(pk))
        pk = returned;
    if (pkf->type == SCHEMA_TYPE_UUID && db_dialect(w->db) == DB_PG && jsval_is_string(pk)) {
        str_t s = jsval_lower(w->a, jsval_string(pk));
        pk = wr_own(w, json_object_new_string_len(s.p, (int)s.n));
    }
    /* Directus asks for MAX(pk) whenever the key it has is falsy: an explicit 0 too. */
    if (!jsval_truthy(pk)) {
        sqlbuf_t *b = sqlbuf_new(w->a);
        sqlbuf_kw(b, "SELECT MAX(");
        sqlbuf_ident(b, pkf->name);
        sqlbuf_kw(b, ") FROM ");
        sqlbuf_ident(b, c->name);
        db_result_t r;
        if (wr_run(w, b, &r) < 0)
            return -1;
        pk = r.nrows ? wr_cell_key(w, db_cell(&r, 0, 0)) : NULL;
    }
    if (wr_process_o2m(w, c, presets, pk, &kids) < 0)
        return -1;
    wr_event(w, "create", c, &pk, 1);
    if (wr_tracked(w, c) && record_create(w, c, data, pk, &kids, revs) < 0)
        return -1;
    if (explicit_key &&
        (pkf->type == SCHEMA_TYPE_INTEGER || pkf->type == SCHEMA_TYPE_BIG_INTEGER) &&
        pkf->auto_increment && wr_reset_sequence(w, c) < 0)
        return -1;
    *key = pk;
    return 0;
}

/* Whether createOne of item writes nothing but its own row: no nested relational value. */
static bool wr_flat_item(write_t *w, const schema_collection_t *c, struct json_object *item)
{
    if (!wr_is_object(item))
        return false;
    size_t n = schema_relation_count(w->s);
    for (size_t i = 0; i < n; i++) {
        const schema_relation_t *r = schema_relation_at(w->s, i);
        if (!strcmp(r->collection, c->name) && wr_is_object(wr_get(item, r->field)))
            return false;
        if (r->related_collection && !strcmp(r->related_collection, c->name) && r->one_field &&
            wr_has(item, r->one_field))
            return false;
    }
    return true;
}

static bool same_fields(const wr_cols_t *x, const wr_cols_t *y)
{
    if (x->n != y->n)
        return false;
    for (size_t i = 0; i < x->n; i++)
        if (x->v[i].f != y->v[i].f)
            return false;
    return true;
}

static int cmp_int_keys(const void *x, const void *y)
{
    int64_t a = json_object_get_int64(*(struct json_object *const *)x);
    int64_t b = json_object_get_int64(*(struct json_object *const *)y);
    return a < b ? -1 : a > b;
}

/* One multi-row INSERT ... RETURNING pk of rows [from, to), which share their columns. Keys the
 * rows did not carry come from RETURNING: one statement hands out increasing auto-increment
 * values, so the sorted keys are in VALUES order. */
static int insert_run(write_t *w, const schema_collection_t *c, wr_cols_t *cols, size_t from,
                      size_t to, struct json_object **keys)
{
    const wr_cols_t *head = &cols[from];
    wr_note_write(w, c);
    sqlbuf_t *b = sqlbuf_new(w->a);
    sqlbuf_kw(b, "INSERT INTO ");
    sqlbuf_ident(b, c->name);
    sqlbuf_kw(b, " (");
    for (size_t i = 0; i < head->n; i++) {
        if (i)
            sqlbuf_kw(b, ", ");
        sqlbuf_ident(b, head->v[i].f->name);
    }
    sqlbuf_kw(b, ") VALUES ");
    for (size_t r = from; r < to; r++) {
        sqlbuf_kw_if(b, r > from, ", (", "(");
        for (size_t i = 0; i < cols[r].n; i++) {
            if (i)
                sqlbuf_kw(b, ", ");
            sqlbuf_param(b, wr_col_bind(w, &cols[r].v[i]));
        }
        sqlbuf_kw(b, ")");
    }
    sqlbuf_kw(b, " RETURNING ");
    sqlbuf_ident(b, c->primary->name);
    db_result_t res;
    if (wr_run(w, b, &res) < 0)
        return wr_insert_failed(w, c);
    struct json_object **got = arena_calloc(w->a, res.nrows ? res.nrows : 1, sizeof *got);
    bool ints = true;
    for (size_t i = 0; i < res.nrows; i++) {
        got[i] = wr_cell_key(w, db_cell(&res, i, 0));
        ints &= json_object_get_type(got[i]) == json_type_int;
    }
    if (ints && !wr_cols_find((wr_cols_t *)head, c->primary))
        qsort(got, res.nrows, sizeof *got, cmp_int_keys);
    for (size_t r = from; r < to; r++) {
        wr_col_t *pkcol = wr_cols_find(&cols[r], c->primary);
        struct json_object *pk = pkcol && !pkcol->date ? pkcol->v : NULL;
        keys[r] = jsval_truthy(pk) ? pk : (r - from < res.nrows ? got[r - from] : NULL);
    }
    return 0;
}

/* Rows [0, n) in as few multi-row INSERTs as the dialect's parameter limit allows. */
static int insert_rows(write_t *w, const schema_collection_t *c, wr_cols_t *cols, size_t n,
                       struct json_object **keys)
{
    size_t max = sqlbuf_max_params(db_dialect(w->db));
    for (size_t from = 0; from < n;) {
        size_t to = from + 1;
        size_t per = cols[from].n ? max / cols[from].n : 1;
        while (to < n && to - from < per && same_fields(&cols[from], &cols[to]))
            to++;
        int rc = cols[from].n ? insert_run(w, c, cols, from, to, keys)
                              : wr_insert_row(w, c, &cols[from], &keys[from]);
        if (rc < 0)
            return -1;
        from = to;
    }
    return 0;
}

/* Item n of a batch was refused while being processed. Directus creates the items one by one, so
 * items [0, n) were inserted before (the transaction then rolls them back): their INSERTs take
 * auto-increment values a client sees as the gap before its next item's key, and an INSERT that
 * fails there is the error Directus reports, not item n's. A database error already aborted the
 * transaction: it stands. Returns -1. */
static int refused_at(write_t *w, const schema_collection_t *c, wr_cols_t *cols, size_t n,
                      struct json_object **keys)
{
    if (!n || w->e->code == ERR_INTERNAL_SERVER_ERROR || w->e->code == ERR_SERVICE_UNAVAILABLE)
        return -1;
    err_t refused = *w->e;
    *w->e = (err_t){0};
    if (insert_rows(w, c, cols, n, keys) == 0)
        *w->e = refused;
    return -1;
}

/* createMany of items that have no nested relational values: the rows in as few multi-row
 * INSERTs as the dialect's parameter limit allows, then one activity and one revision INSERT,
 * so a batch costs a constant number of statements. */
static int create_flat(write_t *w, const schema_collection_t *c, struct json_object **items,
                       size_t n, write_revs_t *revs, struct json_object **keys)
{
    wr_cols_t *cols = arena_calloc(w->a, n ? n : 1, sizeof *cols);
    bool reset = false;
    for (size_t i = 0; i < n; i++) {
        struct json_object *payload;
        if (wr_track(w, 1) < 0)
            return -1;
        if (process_payload(w, c, PERM_CREATE, items[i], &payload) < 0 ||
            raise_pre_mutation(w) < 0 || wr_build_cols(w, c, payload, WR_CREATE, &cols[i]) < 0)
            return refused_at(w, c, cols, i, keys);
        qsort(cols[i].v, cols[i].n, sizeof *cols[i].v, wr_cmp_cols);
        wr_col_t *pkcol = wr_cols_find(&cols[i], c->primary);
        struct json_object *pk = pkcol && !pkcol->date ? pkcol->v : NULL;
        if (jsval_truthy(pk) && !write_key_valid(c, pk)) {
            err_set(w->e, w->a, ERR_FORBIDDEN, NULL);
            return refused_at(w, c, cols, i, keys);
        }
        reset |= jsval_truthy(pk) && c->primary->auto_increment;
    }
    if (insert_rows(w, c, cols, n, keys) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (c->primary->type == SCHEMA_TYPE_UUID && db_dialect(w->db) == DB_PG &&
            jsval_is_string(keys[i])) {
            str_t s = jsval_lower(w->a, jsval_string(keys[i]));
            keys[i] = wr_own(w, json_object_new_string_len(s.p, (int)s.n));
        }
    }
    wr_event(w, "create", c, keys, n);
    if (wr_tracked(w, c) && record_creates(w, c, items, keys, n, NULL, revs) < 0)
        return -1;
    return reset ? wr_reset_sequence(w, c) : 0;
}

int write_create_many(write_t *w, const schema_collection_t *c, struct json_object *items,
                      write_revs_t *revs, write_keys_t *keys)
{
    size_t n = json_object_array_length(items);
    *keys = (write_keys_t){.v = arena_calloc(w->a, n ? n : 1, sizeof *keys->v), .n = n};
    struct json_object **list = arena_calloc(w->a, n ? n : 1, sizeof *list);
    bool flat = db_insert_returning(w->db);
    for (size_t i = 0; i < n; i++) {
        list[i] = json_object_array_get_idx(items, i);
        /* An explicit falsy key (0, "") takes createOne's MAX(pk) path: one by one. So does an
         * explicit auto-increment key: createOne resets the sequence right after its INSERT,
         * and the items after it take their keys from there. */
        struct json_object *pk = wr_get(list[i], c->primary->name);
        flat &= wr_flat_item(w, c, list[i]) && (!pk || jsval_truthy(pk)) &&
                !(jsval_truthy(pk) && c->primary->auto_increment);
    }
    if (flat)
        return create_flat(w, c, list, n, revs, keys->v);
    for (size_t i = 0; i < n; i++)
        if (write_create_one(w, c, list[i], revs, &keys->v[i]) < 0)
            return -1;
    return 0;
}

static int cmp_key_text(const void *x, const void *y)
{
    const char *const *a = x, *const *b = y;
    return strcmp(*a, *b);
}

/* keys.sort(): JavaScript compares the String() forms (UTF-16 order; byte order for the ASCII
 * keys primary keys are). */
static void sort_keys(write_t *w, write_keys_t *keys)
{
    if (keys->n < 2)
        return;
    const char **t = arena_alloc(w->a, keys->n * 2 * sizeof *t);
    for (size_t i = 0; i < keys->n; i++) {
        t[2 * i] = write_key_text(w->a, keys->v[i]);
        t[2 * i + 1] = (const char *)keys->v[i];
    }
    qsort(t, keys->n, 2 * sizeof *t, cmp_key_text);
    for (size_t i = 0; i < keys->n; i++)
        keys->v[i] = (struct json_object *)t[2 * i + 1];
}

/* The items as an admin's readMany(keys) renders them (fields *), for revision snapshots. */
static int snapshots(write_t *w, const schema_collection_t *c, const write_keys_t *keys,
                     struct json_object **out)
{
    str_t star = STR("*");
    query_t q = {.has_fields = true, .fields = {&star, 1}};
    return read_admin(w, c, &q, keys, wr_limit_default(w), out);
}

static int record_update(write_t *w, const schema_collection_t *c, const write_keys_t *keys,
                         const wr_cols_t *cols, const write_revs_t *kids, write_revs_t *revs)
{
    size_t n = keys->n;
    const char **items = arena_alloc(w->a, (n ? n : 1) * sizeof *items);
    int64_t *acts = arena_alloc(w->a, (n ? n : 1) * sizeof *acts);
    for (size_t i = 0; i < n; i++)
        items[i] = write_key_text(w->a, keys->v[i]);
    if (activity_add(w->a, w->e, w->db, w->actor, "update", c->name, items, n, acts) < 0)
        return -1;
    if (c->accountability != SCHEMA_ACCOUNTABILITY_ALL)
        return 0;
    const char *delta = wr_delta_cols(w, cols);
    if (!delta)
        return 0;
    struct json_object *snaps;
    if (snapshots(w, c, keys, &snaps) < 0)
        return -1;
    activity_revision_t *rv = arena_alloc(w->a, (n ? n : 1) * sizeof *rv);
    int64_t *ids = arena_alloc(w->a, (n ? n : 1) * sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        struct json_object *snap = json_object_array_get_idx(snaps, i);
        buf_t b;
        buf_init(&b, w->a, 256);
        if (snap)
            json_write(&b, snap);
        rv[i] = (activity_revision_t){acts[i], items[i], snap ? b.p : NULL, delta};
    }
    if (activity_revisions_add(w->a, w->e, w->db, c->name, rv, n, ids) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        wr_revs_push(w, revs, ids[i]);
    return n ? adopt(w, ids[0], kids) : 0;
}

int write_update_many(write_t *w, const schema_collection_t *c, write_keys_t *keys,
                      struct json_object *data, write_revs_t *revs)
{
    if (wr_track(w, keys->n) < 0 || wr_keys_valid(w, c, keys) < 0)
        return -1;
    /* validateAccess asks for Object.keys(data): an array body's indexes too */
    struct json_object *asked = json_object_is_type(data, json_type_array) ? data : NULL;
    if (!wr_is_object(data))
        data = wr_own(w, json_object_new_object());
    sort_keys(w, keys);
    struct json_object *presets;
    if (validate_access(w, c, PERM_UPDATE, keys, asked ? asked : data) < 0 ||
        process_payload(w, c, PERM_UPDATE, data, &presets) < 0)
        return -1;
    if (raise_pre_mutation(w) < 0)
        return -1;
    struct json_object *payload = wr_copy(w, presets);
    write_revs_t kids = {0};
    if (wr_process_m2o(w, c, payload, &kids) < 0 || wr_process_a2o(w, c, payload, &kids) < 0)
        return -1;
    wr_cols_t cols;
    if (wr_build_cols(w, c, payload, WR_UPDATE, &cols) < 0)
        return -1;
    if (cols.n && keys->n) {
        wr_note_write(w, c);
        sqlbuf_t *b = sqlbuf_new(w->a);
        sqlbuf_kw(b, "UPDATE ");
        sqlbuf_ident(b, c->name);
        sqlbuf_kw(b, " SET ");
        for (size_t i = 0; i < cols.n; i++) {
            if (i)
                sqlbuf_kw(b, ", ");
            sqlbuf_ident(b, cols.v[i].f->name);
            sqlbuf_kw(b, " = ");
            sqlbuf_param(b, wr_col_bind(w, &cols.v[i]));
        }
        sqlbuf_kw(b, " WHERE ");
        sqlbuf_ident(b, c->primary->name);
        sqlbuf_kw(b, " IN ");
        wr_in_list(b, keys);
        if (wr_run(w, b, NULL) < 0)
            return -1;
    }
    for (size_t i = 0; i < keys->n; i++)
        if (wr_process_o2m(w, c, payload, keys->v[i], &kids) < 0)
            return -1;
    wr_event(w, "update", c, keys->v, keys->n);
    if (wr_tracked(w, c) && record_update(w, c, keys, &cols, &kids, revs) < 0)
        return -1;
    return 0;
}

int write_update_batch(write_t *w, const schema_collection_t *c, struct json_object *items,
                       write_keys_t *keys, write_update_fn update, void *ud)
{
    *keys = (write_keys_t){0};
    size_t cap = 0, n = json_object_array_length(items);
    const char *pk = c->primary->name;
    for (size_t i = 0; i < n; i++) {
        struct json_object *item = json_object_array_get_idx(items, i);
        struct json_object *key = wr_is_object(item) ? wr_get(item, pk) : NULL;
        if (!jsval_truthy(key))
            return err_invalid_payload(w->e, w->a, "Item in update misses primary key");
        struct json_object *rest = wr_copy(w, item);
        json_object_object_del(rest, pk);
        write_keys_t one = {.v = &key, .n = 1};
        if ((update ? update(ud, c, &one, rest) : write_update_many(w, c, &one, rest, NULL)) < 0)
            return -1;
        wr_keys_push(w, keys, &cap, key);
    }
    return 0;
}

int write_keys_by_query(write_t *w, const schema_collection_t *c, const query_t *q,
                        write_keys_t *keys)
{
    *keys = (write_keys_t){0};
    query_t rq = *q;
    str_t pkname = str_c(c->primary->name);
    rq.has_fields = true;
    rq.fields = (query_list_t){&pkname, 1};
    rq.nmeta = 0;
    rq.meta = NULL;
    rq.has_aggregate = false;
    rq.has_group = false;
    struct json_object *data;
    if (read_admin(w, c, &rq, NULL, wr_limit_default(w), &data) < 0)
        return -1;
    size_t cap = 0;
    for (size_t i = 0; i < json_object_array_length(data); i++) {
        struct json_object *k = wr_get(json_object_array_get_idx(data, i), c->primary->name);
        if (jsval_truthy(k))
            wr_keys_push(w, keys, &cap, k);
    }
    return 0;
}

int write_update_by_query(write_t *w, const schema_collection_t *c, const query_t *q,
                          struct json_object *data, write_keys_t *keys)
{
    if (write_keys_by_query(w, c, q, keys) < 0)
        return -1;
    return keys->n ? write_update_many(w, c, keys, data, NULL) : 0;
}

int write_delete_many(write_t *w, const schema_collection_t *c, const write_keys_t *keys)
{
    if (wr_track(w, keys->n) < 0 || wr_keys_valid(w, c, keys) < 0 ||
        validate_access(w, c, PERM_DELETE, keys, NULL) < 0 || raise_pre_mutation(w) < 0)
        return -1;
    if (keys->n) {
        wr_note_write(w, c);
        sqlbuf_t *b = sqlbuf_new(w->a);
        sqlbuf_kw(b, "DELETE FROM ");
        sqlbuf_ident(b, c->name);
        sqlbuf_kw(b, " WHERE ");
        sqlbuf_ident(b, c->primary->name);
        sqlbuf_kw(b, " IN ");
        wr_in_list(b, keys);
        if (wr_run(w, b, NULL) < 0)
            return -1;
        wr_event(w, "delete", c, keys->v, keys->n);
    }
    if (!wr_tracked(w, c))
        return 0;
    const char **items = arena_alloc(w->a, (keys->n ? keys->n : 1) * sizeof *items);
    int64_t *acts = arena_alloc(w->a, (keys->n ? keys->n : 1) * sizeof *acts);
    for (size_t i = 0; i < keys->n; i++)
        items[i] = write_key_text(w->a, keys->v[i]);
    return activity_add(w->a, w->e, w->db, w->actor, "delete", c->name, items, keys->n, acts);
}

int write_delete_by_query(write_t *w, const schema_collection_t *c, const query_t *q)
{
    write_keys_t keys;
    if (write_keys_by_query(w, c, q, &keys) < 0)
        return -1;
    return keys.n ? write_delete_many(w, c, &keys) : 0;
}

int write_upsert_singleton(write_t *w, const schema_collection_t *c, struct json_object *data)
{
    sqlbuf_t *b = sqlbuf_new(w->a);
    sqlbuf_kw(b, "SELECT ");
    sqlbuf_ident(b, c->primary->name);
    sqlbuf_kw(b, " FROM ");
    sqlbuf_ident(b, c->name);
    sqlbuf_kw(b, " LIMIT 1");
    db_result_t r;
    if (wr_run(w, b, &r) < 0)
        return -1;
    if (r.nrows) {
        struct json_object *key = wr_cell_key(w, db_cell(&r, 0, 0));
        write_keys_t one = {.v = &key, .n = 1};
        return write_update_many(w, c, &one, data, NULL);
    }
    struct json_object *key;
    return write_create_one(w, c, data, NULL, &key);
}
