/*
 * The system write routes: each prefix's collection and service, the services' own rules
 * (Directus 11.3.5's RolesService, PoliciesService, AccessService, TranslationsService,
 * FlowsService, SharesService, CommentsService; UsersService lives in lib/api/users.c), then
 * /items's controller bodies.
 */
#include "lib/api/system_write.h"

#include <json-c/json.h>
#include <string.h>

#include "lib/api/items.h"
#include "lib/api/items_write.h"
#include "lib/api/respond.h"
#include "lib/api/schema_cache.h"
#include "lib/api/system.h"
#include "lib/auth/accountability.h"
#include "lib/auth/authdb.h"
#include "lib/auth/ipmatch.h"
#include "lib/auth/reset.h"
#include "lib/core/log.h"
#include "lib/services/items.h"
#include "lib/sql/plan.h"
#include "lib/core/json.h"
#include "lib/query/jsval.h"

/* ---- helpers ---------------------------------------------------------------------------------- */

/* getKeysByQuery of {filter: {field: {_in: keys}}} on the collection called name (default limit,
 * read as an admin, as Directus's cascades read). NULL c: the collection is not in the schema. */
static int keys_where_in(items_writer_t *iw, const char *name, const char *field,
                         const write_keys_t *keys, const schema_collection_t **c,
                         write_keys_t *out)
{
    ctx_t *ctx = iw->ctx;
    *out = (write_keys_t){0};
    /* an _in of nothing matches nothing (the query is the service's own: never sanitized) */
    if (!(*c = schema_collection(iw->w.s, str_c(name))) || !keys->n)
        return 0;
    struct json_object *in = json_object_new_array(), *q = json_object_new_object();
    for (size_t i = 0; i < keys->n; i++)
        json_object_array_add(in, json_object_get(keys->v[i]));
    struct json_object *op = json_object_new_object(), *f = json_object_new_object();
    json_object_object_add(op, "_in", in);
    json_object_object_add(f, field, op);
    json_object_object_add(q, "filter", f);
    json_own(ctx->arena, q);
    query_t query;
    if (query_parse(ctx->arena, &ctx->err, &iw->env, q, false, &query) < 0)
        return -1;
    return write_keys_by_query(&iw->w, *c, &query, out);
}

/* ---- RolesService ------------------------------------------------------------------------------ */

static int role_nesting_error(ctx_t *ctx, const char *reason)
{
    return err_invalid_payload(&ctx->err, ctx->arena, reason);
}

/* validateRoleNesting: not its own parent, nor a parent whose chain up holds one of the roles. */
static int validate_role_nesting(ctx_t *ctx, const write_keys_t *keys, struct json_object *parent)
{
    bool text = json_object_is_type(parent, json_type_string);
    for (size_t i = 0; text && i < keys->n; i++)
        if (!strcmp(write_key_text(ctx->arena, keys->v[i]), json_object_get_string(parent)))
            return role_nesting_error(ctx, "A role cannot be a parent of itself");
    if (!jsval_truthy(parent))
        return 0; /* fetchRolesTree(falsy) is [] */
    /* any other value is looked up as it is (PostgreSQL refuses a non-uuid: 500) */
    const char *p = text ? json_object_get_string(parent)
                         : json_object_to_json_string_ext(parent, JSON_C_TO_STRING_PLAIN);
    const char **tree;
    size_t n;
    if (accountability_roles(ctx->arena, &ctx->err, ctx->db, p, &tree, &n) < 0)
        return -1;
    for (size_t i = 0; i < keys->n; i++)
        for (size_t j = 0; j < n; j++)
            if (!strcmp(write_key_text(ctx->arena, keys->v[i]), tree[j]))
                return role_nesting_error(
                    ctx, "A role cannot have a parent that is already a descendant of itself");
    return 0;
}

static int roles_update_many(items_writer_t *iw, const schema_collection_t *c, write_keys_t *keys,
                             struct json_object *data)
{
    struct json_object *parent;
    if (json_object_is_type(data, json_type_object) &&
        json_object_object_get_ex(data, "parent", &parent)) {
        iw->checks |= ITEMS_CHECK_REMAINING_ADMINS;
        if (validate_role_nesting(iw->ctx, keys, parent) < 0)
            return -1;
    }
    return write_update_many(&iw->w, c, keys, data, NULL);
}

static struct json_object *object_of(ctx_t *ctx, const char *json)
{
    return json_own(ctx->arena, json_tokener_parse(json));
}

/* One cascade step of a role delete: keys of name where field is in keys, through the service
 * (update with data, or delete when data is NULL). bypass: not counted by the mutation tracker
 * (bypassLimits). */
static int role_cascade(items_writer_t *iw, const items_service_t *svc, const char *name,
                        const char *field, const write_keys_t *keys, const char *data,
                        bool bypass)
{
    const schema_collection_t *c;
    write_keys_t found;
    size_t mutations = iw->w.mutations;
    if (keys_where_in(iw, name, field, keys, &c, &found) < 0)
        return -1;
    if (!c || !found.n)
        return 0;
    const items_service_t *keep = iw->svc;
    iw->svc = svc;
    int rc = data ? items_svc_update_many(iw, c, &found, object_of(iw->ctx, data))
                  : items_svc_delete_many(iw, c, &found);
    iw->svc = keep;
    if (bypass)
        iw->w.mutations = mutations;
    return rc;
}

static const items_service_t access_service;
static const items_service_t roles_service;

/* deleteMany: the roles' access rows and presets go, their users are suspended without a role,
 * their children lose their parent, then the roles. */
static int roles_delete_many(items_writer_t *iw, const schema_collection_t *c,
                             const write_keys_t *keys)
{
    iw->checks |= ITEMS_CHECK_REMAINING_ADMINS;
    if (role_cascade(iw, &access_service, "directus_access", "role", keys, NULL, true) < 0 ||
        role_cascade(iw, NULL, "directus_presets", "role", keys, NULL, true) < 0 ||
        role_cascade(iw, &users_service, "directus_users", "role", keys,
                     "{\"status\":\"suspended\",\"role\":null}", true) < 0 ||
        role_cascade(iw, &roles_service, "directus_roles", "parent", keys, "{\"parent\":null}",
                     false) < 0)
        return -1;
    return write_delete_many(&iw->w, c, keys);
}

static const items_service_t roles_service = {
    .update_many = roles_update_many,
    .delete_many = roles_delete_many,
    .finish = users_integrity_finish,
};

/* ---- PoliciesService --------------------------------------------------------------------------- */

/* getMatch(ip) as PoliciesService accepts it: no wildcard, not a mask, not a throw. */
static bool ip_entry_valid(const char *s)
{
    ipmatch_kind_t k = ipmatch_kind(str_c(s));
    return !strchr(s, '*') && k != IPMATCH_INVALID && k != IPMATCH_MASK;
}

/* isIpAccessValid: null or an array of valid entries; a string is iterated by character (so
 * only "" passes). Anything else is not iterable: *thrown. */
static bool ip_access_valid(struct json_object *v, bool *thrown)
{
    *thrown = false;
    if (!v)
        return true;
    if (json_object_is_type(v, json_type_string))
        return json_object_get_string_len(v) == 0;
    if (!json_object_is_type(v, json_type_array))
        return !(*thrown = true);
    for (size_t i = 0; i < json_object_array_length(v); i++) {
        struct json_object *e = json_object_array_get_idx(v, i);
        if (!json_object_is_type(e, json_type_string) || !ip_entry_valid(json_object_get_string(e)))
            return false;
    }
    return true;
}

static int assert_valid_ip_access(ctx_t *ctx, struct json_object *data)
{
    struct json_object *v;
    bool thrown;
    if (!json_object_is_type(data, json_type_object) ||
        !json_object_object_get_ex(data, "ip_access", &v) || ip_access_valid(v, &thrown))
        return 0;
    if (thrown)
        return err_js(&ctx->err, ctx->arena, "value is not iterable");
    return err_invalid_payload(&ctx->err, ctx->arena,
                               "IP Access contains an incorrect value. Valid values are: IP "
                               "addresses, IP ranges and CIDR blocks");
}

static int policies_create_one(items_writer_t *iw, const schema_collection_t *c,
                               struct json_object *data, struct json_object **key)
{
    if (assert_valid_ip_access(iw->ctx, data) < 0)
        return -1;
    return write_create_one(&iw->w, c, data, NULL, key);
}

static int policies_update_many(items_writer_t *iw, const schema_collection_t *c,
                                write_keys_t *keys, struct json_object *data)
{
    if (assert_valid_ip_access(iw->ctx, data) < 0)
        return -1;
    if (json_object_is_type(data, json_type_object) &&
        json_object_object_get_ex(data, "admin_access", NULL))
        iw->checks |= ITEMS_CHECK_REMAINING_ADMINS;
    return write_update_many(&iw->w, c, keys, data, NULL);
}

/* deleteMany: the access rows go with the policies (their foreign key cascades), then the
 * remaining-admin check. */
static int admin_checked_delete(items_writer_t *iw, const schema_collection_t *c,
                                const write_keys_t *keys)
{
    iw->checks |= ITEMS_CHECK_REMAINING_ADMINS;
    return write_delete_many(&iw->w, c, keys);
}

static const items_service_t policies_service = {
    .create_one = policies_create_one,
    .update_many = policies_update_many,
    .delete_many = admin_checked_delete,
    .finish = users_integrity_finish,
};

/* ---- AccessService ------------------------------------------------------------------------------ */

static int access_update_many(items_writer_t *iw, const schema_collection_t *c, write_keys_t *keys,
                              struct json_object *data)
{
    iw->checks |= ITEMS_CHECK_REMAINING_ADMINS;
    return write_update_many(&iw->w, c, keys, data, NULL);
}

/* createOne asks for the user limits only (unlimited here). */
static const items_service_t access_service = {
    .update_many = access_update_many,
    .delete_many = admin_checked_delete,
    .finish = users_integrity_finish,
};

/* ---- TranslationsService ------------------------------------------------------------------------ */

static int duplicate_translation(ctx_t *ctx)
{
    return err_invalid_payload(&ctx->err, ctx->arena, "Duplicate key and language combination");
}

/* translationKeyExists: a row with this key and language (undefined / null match nothing). */
static int translation_exists(ctx_t *ctx, struct json_object *key, struct json_object *lang,
                              bool *exists)
{
    *exists = false;
    if (!key || !lang || json_object_is_type(key, json_type_null) ||
        json_object_is_type(lang, json_type_null))
        return 0;
    db_value_t p[2] = {authdb_cstr(json_object_get_string(key)),
                       authdb_cstr(json_object_get_string(lang))};
    db_result_t r;
    if (authdb_exec(ctx->arena, &ctx->err, ctx->db,
                    "SELECT id FROM directus_translations WHERE \"key\" = ? AND language = ?", p,
                    2, &r) < 0)
        return -1;
    *exists = r.nrows > 0;
    return 0;
}

static struct json_object *field_of(struct json_object *data, const char *name)
{
    struct json_object *v = NULL;
    if (json_object_is_type(data, json_type_object))
        json_object_object_get_ex(data, name, &v);
    return v;
}

static int translations_create_one(items_writer_t *iw, const schema_collection_t *c,
                                   struct json_object *data, struct json_object **key)
{
    bool exists;
    if (translation_exists(iw->ctx, field_of(data, "key"), field_of(data, "language"), &exists) <
        0)
        return -1;
    if (exists)
        return duplicate_translation(iw->ctx);
    return write_create_one(&iw->w, c, data, NULL, key);
}

/* updateMany: key and language together are refused outright; one of them is checked against
 * every row it would change (read as stored). */
static int translations_update_many(items_writer_t *iw, const schema_collection_t *c,
                                    write_keys_t *keys, struct json_object *data)
{
    ctx_t *ctx = iw->ctx;
    struct json_object *k = field_of(data, "key"), *l = field_of(data, "language");
    bool has_k = json_object_is_type(data, json_type_object) &&
                 json_object_object_get_ex(data, "key", NULL);
    bool has_l = json_object_is_type(data, json_type_object) &&
                 json_object_object_get_ex(data, "language", NULL);
    if (keys->n && has_k && has_l)
        return duplicate_translation(ctx);
    for (size_t i = 0; (has_k || has_l) && i < keys->n; i++) {
        db_value_t p = authdb_cstr(write_key_text(ctx->arena, keys->v[i]));
        db_result_t r;
        if (authdb_exec(ctx->arena, &ctx->err, ctx->db,
                        "SELECT \"key\", language FROM directus_translations WHERE id = ?", &p, 1,
                        &r) < 0)
            return -1;
        if (!r.nrows)
            continue;
        const db_value_t *rk = db_cell(&r, 0, 0), *rl = db_cell(&r, 0, 1);
        struct json_object *sk = has_k ? k : json_own(ctx->arena, json_str(rk->s));
        struct json_object *sl = has_l ? l : json_own(ctx->arena, json_str(rl->s));
        bool exists;
        if (translation_exists(ctx, sk, sl, &exists) < 0)
            return -1;
        if (exists)
            return duplicate_translation(ctx);
    }
    return write_update_many(&iw->w, c, keys, data, NULL);
}

static const items_service_t translations_service = {
    .create_one = translations_create_one,
    .update_many = translations_update_many,
};

/* ---- FlowsService ------------------------------------------------------------------------------- */

/* deleteMany: the flows' operations lose their resolve / reject first, so the cascade of the
 * operations does not trip over their foreign keys. */
static int flows_delete_many(items_writer_t *iw, const schema_collection_t *c,
                             const write_keys_t *keys)
{
    if (items_exec_in(iw->ctx,
                      "UPDATE directus_operations SET resolve = NULL, reject = NULL WHERE flow IN",
                      keys) < 0)
        return -1;
    return write_delete_many(&iw->w, c, keys);
}

static const items_service_t flows_service = {.delete_many = flows_delete_many};

/* ---- CommentsService --------------------------------------------------------------------------- */

/* A ForbiddenError with validateAccess's reason for a collection that does not exist. */
static int no_such_collection(ctx_t *ctx, const char *action, str_t name)
{
    const char *reason = arena_printf(
        ctx->arena,
        "You don't have permission to \"%s\" from collection \"%.*s\" or it does not exist.",
        action, (int)name.n, name.p);
    err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, "%s", reason);
    err_ext_str(&ctx->err, ctx->arena, "reason", reason);
    return -1;
}

/* validateAccess(action, collection, [item]) for w's caller: the collection must exist (for
 * admins too), and the caller's rules for the action must reach the item. *target: it. */
static int validate_item(write_t *w, ctx_t *ctx, perm_action_t action, struct json_object *coll,
                         bool has_coll, struct json_object *item,
                         const schema_collection_t **target)
{
    *target = json_object_is_type(coll, json_type_string)
                  ? schema_collection(w->s, str_c(json_object_get_string(coll)))
                  : NULL;
    if (!*target)
        return no_such_collection(ctx, perm_action_name(action),
                                  has_coll ? jsval_str(ctx->arena, coll) : STR("undefined"));
    if (!item)
        item = json_own(ctx->arena, json_object_new_null());
    write_keys_t one = {.v = &item, .n = 1};
    return write_validate_access(w, *target, action, &one);
}

/* The `@<uuid v4>` mentions of a comment (/@[0-9A-F]{8}-…-4…-[89AB]…/gi), each once, in order
 * of first appearance. */
static size_t comment_mentions(arena_t *a, str_t text, str_t **out)
{
    static const char shape[] = "@xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx";
    size_t len = sizeof shape - 1, n = 0;
    *out = arena_calloc(a, text.n / len + 1, sizeof **out);
    for (size_t i = 0; i + len <= text.n;) {
        bool ok = true;
        for (size_t k = 0; ok && k < len; k++) {
            char c = text.p[i + k], want = shape[k];
            bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            ok = want == 'x'   ? hex
                 : want == 'y' ? strchr("89abAB", c) != NULL && c
                               : c == want;
        }
        if (!ok) {
            i++;
            continue;
        }
        str_t m = {text.p + i, len};
        bool seen = false;
        for (size_t j = 0; j < n && !seen; j++)
            seen = str_eq((*out)[j], m);
        if (!seen)
            (*out)[n++] = m;
        i += len;
    }
    return n;
}

typedef struct {
    const char *id, *first_name, *last_name, *email, *role;
} comment_user_t;

/* usersService.readOne(id) without accountability; false when there is no such row. */
static int read_user(ctx_t *ctx, str_t id, comment_user_t *u, bool *found)
{
    db_value_t p = authdb_str(id);
    db_result_t r;
    if (authdb_exec(ctx->arena, &ctx->err, ctx->db,
                    "SELECT id, first_name, last_name, email, role FROM directus_users WHERE id = ?",
                    &p, 1, &r) < 0)
        return -1;
    *found = r.nrows > 0;
    if (*found)
        *u = (comment_user_t){authdb_text(ctx->arena, db_cell(&r, 0, 0)),
                              authdb_text(ctx->arena, db_cell(&r, 0, 1)),
                              authdb_text(ctx->arena, db_cell(&r, 0, 2)),
                              authdb_text(ctx->arena, db_cell(&r, 0, 3)),
                              authdb_text(ctx->arena, db_cell(&r, 0, 4))};
    return 0;
}

/* userName(user). */
static const char *user_name(arena_t *a, const char *first, const char *last, const char *email)
{
    if (first && *first && last && *last)
        return arena_printf(a, "%s %s", first, last);
    if (first && *first)
        return first;
    if (email && *email)
        return email;
    return "Unknown User";
}

/* The accountability Directus builds for a mentioned user: their role chain, global access and
 * policies, no IP. */
static int mention_accountability(ctx_t *ctx, const char *id, const comment_user_t *u,
                                  accountability_t *acc)
{
    accountability_init(acc, ctx->arena, NULL, STR_NULL, STR_NULL);
    acc->source = ACC_JWT;
    acc->user = id;
    acc->role = u->role;
    if (accountability_roles(ctx->arena, &ctx->err, ctx->db, u->role, &acc->roles, &acc->nroles) <
        0)
        return -1;
    return accountability_load_access(acc, ctx->arena, &ctx->err, ctx->db);
}

/* usersService.readByQuery({fields: [id, first_name, last_name, email], filter: {id: {_in:
 * mentioned}}}) with ctx's (swapped) accountability: the previews by id, as a JSON object of
 * `<em>name</em>` strings. */
static int mention_previews(ctx_t *ctx, const schema_t *s, str_t *mentions, size_t n,
                            struct json_object **out)
{
    struct json_object *in = json_object_new_array(), *q = json_object_new_object(), *f;
    for (size_t i = 0; i < n; i++)
        json_object_array_add(in, json_object_new_string_len(mentions[i].p + 1,
                                                             (int)mentions[i].n - 1));
    struct json_object *op = json_object_new_object(), *idf = json_object_new_object();
    json_object_object_add(op, "_in", in);
    json_object_object_add(idf, "id", op);
    json_object_object_add(q, "filter", idf);
    f = json_object_new_array();
    static const char *const fields[] = {"id", "first_name", "last_name", "email"};
    for (size_t i = 0; i < 4; i++)
        json_object_array_add(f, json_object_new_string(fields[i]));
    json_object_object_add(q, "fields", f);
    json_own(ctx->arena, q);
    query_env_t env = items_env(ctx);
    query_t query;
    if (query_parse(ctx->arena, &ctx->err, &env, q, false, &query) < 0)
        return -1;
    plan_opts_t opts = {.limit_default = env.limit_default};
    const schema_collection_t *users = schema_collection(s, STR("directus_users"));
    if (!users || items_perm_for(ctx, &opts.perm) < 0)
        return users ? -1 : err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    plan_t *p = plan_read(ctx->arena, &ctx->err, s, users, &query, &opts);
    buf_t body;
    buf_init(&body, ctx->arena, 512);
    if (!p || items_read(ctx->arena, &ctx->err, ctx->db, p, ITEMS_LIST, &body) < 0)
        return -1;
    struct json_object *rows = NULL;
    json_object_object_get_ex(json_own(ctx->arena, json_tokener_parse(body.p)), "data", &rows);
    *out = json_own(ctx->arena, json_object_new_object());
    for (size_t i = 0; i < json_object_array_length(rows); i++) {
        struct json_object *r = json_object_array_get_idx(rows, i);
        const char *name = user_name(ctx->arena, json_object_get_string(field_of(r, "first_name")),
                                     json_object_get_string(field_of(r, "last_name")),
                                     json_object_get_string(field_of(r, "email")));
        json_object_object_add(*out, json_object_get_string(field_of(r, "id")),
                               json_object_new_string(arena_printf(ctx->arena, "<em>%s</em>", name)));
    }
    return 0;
}

/* The notification's message: mentions replaced by their previews, the comment quoted. */
static const char *mention_message(ctx_t *ctx, str_t comment, str_t *mentions, size_t n,
                                   struct json_object *previews, const char *to, const char *from,
                                   const char *href)
{
    buf_t b;
    buf_init(&b, ctx->arena, comment.n + 256);
    buf_puts(&b, "> ");
    bool newline = false;
    for (size_t i = 0; i < comment.n;) {
        size_t k = 0;
        while (k < n && !(i + mentions[k].n <= comment.n &&
                          !memcmp(comment.p + i, mentions[k].p, mentions[k].n)))
            k++;
        if (k < n) {
            struct json_object *pv = NULL;
            char *id = arena_strndup(ctx->arena, mentions[k].p + 1, mentions[k].n - 1);
            json_object_object_get_ex(previews, id, &pv);
            buf_puts(&b, pv ? json_object_get_string(pv) : "@Unknown User");
            i += mentions[k].n;
            newline = false;
            continue;
        }
        if (comment.p[i] == '\n') {
            if (!newline)
                buf_puts(&b, "\n> ");
            newline = true;
        } else {
            buf_putc(&b, comment.p[i]);
            newline = false;
        }
        i++;
    }
    return arena_printf(ctx->arena,
                        "\nHello %s,\n\n%s has mentioned you in a comment:\n\n%s\n\n<a href=\"%s\">"
                        "Click here to view.</a>\n",
                        to, from, b.p, href);
}

/* One mention: the user must exist (else 403); a user who may not read the item, or the
 * mentioned users, gets nothing; the others a notification (no mail is sent). */
static int notify_mention(items_writer_t *iw, str_t mention, str_t *mentions, size_t n,
                          const comment_user_t *sender, struct json_object *data)
{
    ctx_t *ctx = iw->ctx;
    comment_user_t u;
    bool found;
    /* the mention's own text is the user id from here on (a database may store other case) */
    const char *id = arena_strndup(ctx->arena, mention.p + 1, mention.n - 1);
    if (read_user(ctx, str_c(id), &u, &found) < 0)
        return -1;
    if (!found)
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    accountability_t acc, keep = ctx->acc;
    if (mention_accountability(ctx, id, &u, &acc) < 0)
        return -1;
    ctx->acc = acc;
    items_writer_t as_user;
    items_writer_init(&as_user, ctx, iw->w.s);
    const schema_collection_t *target;
    struct json_object *coll = field_of(data, "collection"), *item = field_of(data, "item");
    struct json_object *previews = NULL;
    int rc = validate_item(&as_user.w, ctx, PERM_READ, coll, true, item, &target);
    if (rc == 0)
        rc = mention_previews(ctx, iw->w.s, mentions, n, &previews);
    ctx->acc = keep;
    if (rc < 0) {
        if (ctx->err.code != ERR_FORBIDDEN)
            return -1;
        log_warn("User %s doesn't have proper permissions to receive notification for this item.",
                 id);
        ctx->err = (err_t){0};
        return 0;
    }
    str_t cname = jsval_str(ctx->arena, coll), iname = jsval_str(ctx->arena, item);
    const char *href =
        reset_link(ctx->arena, str_c(ctx->conf->public_url),
                   arena_printf(ctx->arena, "admin/content/%.*s/%.*s", (int)cname.n, cname.p,
                                (int)iname.n, iname.p),
                   NULL);
    const char *message = mention_message(
        ctx, jsval_string(field_of(data, "comment")), mentions, n, previews,
        user_name(ctx->arena, u.first_name, u.last_name, u.email),
        user_name(ctx->arena, sender->first_name, sender->last_name, sender->email), href);
    struct json_object *note = json_own(ctx->arena, json_object_new_object());
    json_object_object_add(note, "recipient", json_object_new_string(id));
    json_object_object_add(note, "sender", json_object_new_string(sender->id));
    json_object_object_add(note, "subject",
                           json_object_new_string(arena_printf(ctx->arena,
                                                               "You were mentioned in %.*s",
                                                               (int)cname.n, cname.p)));
    json_object_object_add(note, "message", json_object_new_string(message));
    json_object_object_add(note, "collection", json_object_get(coll));
    json_object_object_add(note, "item", json_object_get(item));
    const schema_collection_t *notes = schema_collection(iw->w.s, STR("directus_notifications"));
    if (!notes)
        return 0;
    /* NotificationsService without accountability: no permission checks, no activity */
    write_t w = iw->w;
    w.actor = NULL;
    w.perm = NULL;
    w.pre_mutation = NULL;
    struct json_object *key;
    rc = write_create_one(&w, notes, note, NULL, &key);
    iw->w.events = w.events;
    iw->w.stale = w.stale;
    iw->w.mutations = w.mutations;
    return rc;
}

/* The mentions of a created comment: a notification for every mentioned user who may read the
 * item (a TypeError for a comment that is not a string, as data.comment.match). */
static int comment_notify(items_writer_t *iw, struct json_object *data)
{
    ctx_t *ctx = iw->ctx;
    struct json_object *comment = field_of(data, "comment");
    if (!json_object_is_type(comment, json_type_string))
        return err_js(&ctx->err, ctx->arena, "data.comment.match is not a function");
    str_t *mentions;
    size_t n = comment_mentions(ctx->arena, jsval_string(comment), &mentions);
    if (!n)
        return 0;
    comment_user_t sender;
    bool found;
    if (read_user(ctx, str_c(ctx->acc.user), &sender, &found) < 0)
        return -1;
    if (!found)
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    for (size_t i = 0; i < n; i++)
        if (notify_mention(iw, mentions[i], mentions, n, &sender, data) < 0)
            return -1;
    return 0;
}

/* createOne: a user only; comment, collection and item required; the item readable; then the
 * comment, then a notification for every mentioned user who may read the item. */
static int comments_create_one(items_writer_t *iw, const schema_collection_t *c,
                               struct json_object *data, struct json_object **key)
{
    ctx_t *ctx = iw->ctx;
    if (!ctx->acc.user)
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    static const char *const required[] = {"comment", "collection", "item"};
    for (size_t i = 0; i < 3; i++)
        if (!jsval_truthy(field_of(data, required[i])))
            return err_invalid_payload(&ctx->err, ctx->arena,
                                       arena_printf(ctx->arena, "\"%s\" is required", required[i]));
    const schema_collection_t *target;
    if (validate_item(&iw->w, ctx, PERM_READ, field_of(data, "collection"), true,
                      field_of(data, "item"), &target) < 0 ||
        write_create_one(&iw->w, c, data, NULL, key) < 0)
        return -1;
    /* Directus committed the comment by now: what fails from here on is answered after it. */
    if (comment_notify(iw, data) == 0 || !err_is_set(&ctx->err))
        return 0;
    if (ctx->err.code == ERR_INTERNAL_SERVER_ERROR && !ctx->err.js_error)
        return -1; /* the database failed: nothing is kept */
    iw->late = ctx->err;
    ctx->err = (err_t){0};
    return 0;
}

/* updateOne / deleteOne (PATCH and DELETE /comments/:pk only): a user only. */
static int comments_user_only(ctx_t *ctx)
{
    return ctx->acc.user ? 0 : err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
}

static const items_service_t comments_service = {.create_one = comments_create_one};

/* ---- SharesService ------------------------------------------------------------------------------ */

/* createOne: validateAccess('share', data.collection, [data.item]) first: the collection must
 * exist (for admins too), and the caller's share rules must reach the item. */
static int shares_create_one(items_writer_t *iw, const schema_collection_t *c,
                             struct json_object *data, struct json_object **key)
{
    struct json_object *coll = NULL;
    bool has_coll = json_object_is_type(data, json_type_object) &&
                    json_object_object_get_ex(data, "collection", &coll);
    const schema_collection_t *target;
    if (validate_item(&iw->w, iw->ctx, PERM_SHARE, coll, has_coll, field_of(data, "item"),
                      &target) < 0)
        return -1;
    return write_create_one(&iw->w, c, data, NULL, key);
}

/* updateMany / deleteMany clear the permissions cache (share sessions read through it). */
static int shares_update_many(items_writer_t *iw, const schema_collection_t *c, write_keys_t *keys,
                              struct json_object *data)
{
    iw->w.stale |= 1u << GEN_PERMISSIONS;
    return write_update_many(&iw->w, c, keys, data, NULL);
}

static int shares_delete_many(items_writer_t *iw, const schema_collection_t *c,
                              const write_keys_t *keys)
{
    iw->w.stale |= 1u << GEN_PERMISSIONS;
    return write_delete_many(&iw->w, c, keys);
}

static const items_service_t shares_service = {
    .create_one = shares_create_one,
    .update_many = shares_update_many,
    .delete_many = shares_delete_many,
};

/* ---- the routes ----------------------------------------------------------------------------------- */

typedef struct {
    const char *prefix, *collection;
    const items_service_t *svc;
    bool no_delete_check;
    void (*list_extra)(ctx_t *ctx, const query_t *q, buf_t *body);
} sysw_coll_t;

static const sysw_coll_t colls[] = {
    {"/users", "directus_users", &users_service, false, NULL},
    {"/roles", "directus_roles", &roles_service, false, NULL},
    {"/policies", "directus_policies", &policies_service, false, NULL},
    {"/permissions", "directus_permissions", NULL, false, system_app_rows_extra},
    {"/access", "directus_access", &access_service, false, NULL},
    {"/presets", "directus_presets", NULL, false, NULL},
    {"/folders", "directus_folders", NULL, false, NULL},
    {"/dashboards", "directus_dashboards", NULL, true, NULL},
    {"/panels", "directus_panels", NULL, true, NULL},
    {"/flows", "directus_flows", &flows_service, true, NULL},
    {"/operations", "directus_operations", NULL, true, NULL},
    {"/translations", "directus_translations", &translations_service, false, NULL},
    {"/webhooks", "directus_webhooks", NULL, true, NULL},
    {"/shares", "directus_shares", &shares_service, true, NULL},
    {"/comments", "directus_comments", &comments_service, false, NULL},
    {"/notifications", "directus_notifications", NULL, false, NULL},
};

/* The matched route's collection and service (the route's pattern starts with its prefix). */
static int target_of(ctx_t *ctx, items_target_t *t)
{
    const char *pattern = ctx->route.route->pattern;
    *t = (items_target_t){0};
    for (size_t i = 0; i < sizeof colls / sizeof colls[0]; i++) {
        size_t n = strlen(colls[i].prefix);
        if (strncmp(pattern, colls[i].prefix, n) || (pattern[n] && pattern[n] != '/'))
            continue;
        if (!(t->s = schema_cache_get(ctx)))
            return -1;
        if (!(t->c = schema_collection(t->s, str_c(colls[i].collection))))
            return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
        t->svc = colls[i].svc;
        t->no_delete_check = colls[i].no_delete_check;
        t->list_extra = colls[i].list_extra;
        return 0;
    }
    return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
}

int system_create(ctx_t *ctx)
{
    items_target_t t;
    return target_of(ctx, &t) < 0 ? -1 : items_write_create(ctx, &t);
}

int system_update(ctx_t *ctx)
{
    items_target_t t;
    return target_of(ctx, &t) < 0 ? -1 : items_write_update(ctx, &t);
}

/* The shares controller routes only uuid keys (`/:pk(${UUID_REGEX})`): others are a 404. */
static bool routed_key(ctx_t *ctx)
{
    return strncmp(ctx->route.route->pattern, "/shares/", 8) ||
           system_is_uuid(router_param(&ctx->route, "pk"));
}

int system_update_one(ctx_t *ctx)
{
    items_target_t t;
    if (!routed_key(ctx))
        return respond_not_found(ctx);
    if (target_of(ctx, &t) < 0 || (t.svc == &comments_service && comments_user_only(ctx) < 0))
        return -1;
    return items_write_update_one(ctx, &t, router_param(&ctx->route, "pk"));
}

int system_delete(ctx_t *ctx)
{
    items_target_t t;
    return target_of(ctx, &t) < 0 ? -1 : items_write_delete(ctx, &t);
}

int system_delete_one(ctx_t *ctx)
{
    items_target_t t;
    if (!routed_key(ctx))
        return respond_not_found(ctx);
    if (target_of(ctx, &t) < 0 || (t.svc == &comments_service && comments_user_only(ctx) < 0))
        return -1;
    return items_write_delete_one(ctx, &t, router_param(&ctx->route, "pk"));
}

/* WebhooksService's deprecation error is a 405 error class Directus's handler does not know: it
 * answers as an unexpected error, whatever the caller. PATCH / validates its batch first. */
int system_deprecated(ctx_t *ctx)
{
    bool batch = ctx->req->method == HTTP_PATCH && !strchr(ctx->route.route->pattern + 1, '/');
    if (batch && !json_object_is_type(ctx->body, json_type_array) &&
        items_batch_body(ctx, true) < 0)
        return -1;
    return err_set(&ctx->err, ctx->arena, ERR_INTERNAL_SERVER_ERROR, NULL);
}
