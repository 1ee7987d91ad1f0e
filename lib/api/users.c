/*
 * GET and PATCH /users/me as Directus's users controller answers them. GET: UsersService.readOne
 * of the caller's own id with the request's query, a ForbiddenError turned into
 * {"data":{"id":…}}. PATCH: UsersService.updateOne through the write service (the caller's
 * update permissions on directus_users, validation, activity and revisions), then readOne.
 * directus_users is reached here, never through /items, with the caller's permissions: for app
 * users reading is Directus's app access minimal rule (own row, a fixed field list).
 */
#include "lib/api/users.h"

#include <string.h>

#include "lib/api/items.h"
#include "lib/api/items_write.h"
#include "lib/api/respond.h"
#include "lib/api/schema_cache.h"
#include "lib/auth/authdb.h"
#include "lib/auth/email.h"
#include "lib/auth/reset.h"
#include "lib/core/json.h"
#include "lib/query/jsval.h"
#include "lib/services/items.h"
#include "lib/sql/plan.h"

/* readOne of the caller's row into body; -1 with e set (403 when it may not be read). */
static int read_self(ctx_t *ctx, err_t *e, const query_t *q, int64_t limit_default, buf_t *body)
{
    const schema_t *s = schema_cache_get(ctx);
    if (!s)
        return -1;
    const schema_collection_t *c = schema_collection(s, STR("directus_users"));
    if (!c)
        return err_set(e, ctx->arena, ERR_FORBIDDEN, NULL);
    plan_opts_t opts = {
        .limit_default = limit_default, .by_key = true, .key = str_c(ctx->acc.user)};
    if (items_perm_for(ctx, &opts.perm) < 0)
        return -1;
    plan_t *p = plan_read(ctx->arena, e, s, c, q, &opts);
    if (!p)
        return -1;
    return items_read(ctx->arena, e, ctx->db, p, ITEMS_ONE, body);
}

int users_me(ctx_t *ctx)
{
    buf_t body;
    buf_init(&body, ctx->arena, 1024);
    if (ctx->acc.share) {
        buf_puts(&body, "{\"data\":{\"share\":");
        json_write_str(&body, str_c(ctx->acc.share));
        buf_puts(&body, "}}");
        return respond_json_text(ctx, buf_slice(&body));
    }
    if (!ctx->acc.user)
        return err_set(&ctx->err, ctx->arena, ERR_INVALID_CREDENTIALS, NULL);
    err_t e = {0};
    if (read_self(ctx, &e, ctx->sanitized, ctx->conf->query_limit_default, &body) < 0) {
        if (e.code != ERR_FORBIDDEN) {
            if (e.code != ERR_NONE)
                ctx->err = e; /* else ctx->err holds it (schema or permission loading) */
            return -1;
        }
        buf_clear(&body);
        buf_puts(&body, "{\"data\":{\"id\":");
        json_write_str(&body, str_c(ctx->acc.user));
        buf_puts(&body, "}}");
    }
    return respond_json_text(ctx, buf_slice(&body));
}

/* ---- UsersService's own checks -------------------------------------------------------------- */

/* A RecordNotUniqueError on email. */
static void email_not_unique(ctx_t *ctx, err_t *pre)
{
    err_set(pre, ctx->arena, ERR_RECORD_NOT_UNIQUE,
            "Value for field \"email\" in collection \"directus_users\" has to be unique.");
    err_ext_str(pre, ctx->arena, "collection", "directus_users");
    err_ext_str(pre, ctx->arena, "field", "email");
}

static char *lower_copy(arena_t *a, str_t s)
{
    char *lower = str_dup(a, s);
    for (char *p = lower; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return lower;
}

/* checkUniqueEmails: the addresses lower-cased must differ from each other and from every row's
 * (exclude's row aside). -1 only for a database error; a duplicate goes to pre. */
static int check_unique_emails(ctx_t *ctx, struct json_object **emails, size_t n,
                               const char *exclude, err_t *pre)
{
    db_value_t *p = arena_calloc(ctx->arena, n + 1, sizeof *p);
    buf_t sql;
    buf_init(&sql, ctx->arena, 256);
    buf_puts(&sql, "SELECT email FROM directus_users WHERE LOWER(email) IN (");
    for (size_t i = 0; i < n; i++) {
        const char *lower = lower_copy(ctx->arena, jsval_string(emails[i]));
        for (size_t j = 0; j < i; j++)
            if (!strcmp(lower, p[j].s.p)) {
                email_not_unique(ctx, pre);
                return 0;
            }
        p[i] = authdb_cstr(lower);
        buf_puts(&sql, i ? ", ?" : "?");
    }
    buf_putc(&sql, ')');
    if (exclude) {
        buf_puts(&sql, " AND id <> ?");
        p[n++] = authdb_cstr(exclude);
    }
    db_result_t r;
    if (authdb_exec(ctx->arena, &ctx->err, ctx->db, sql.p, p, n, &r) < 0)
        return -1;
    if (r.nrows)
        email_not_unique(ctx, pre);
    return 0;
}

/* validateEmail: Joi.string().email().required() on each. */
static bool emails_valid(ctx_t *ctx, struct json_object **emails, size_t n, err_t *pre)
{
    for (size_t i = 0; i < n; i++) {
        if (json_object_is_type(emails[i], json_type_string) &&
            email_is_valid(ctx->arena, jsval_string(emails[i])))
            continue;
        err_set(pre, ctx->arena, ERR_FAILED_VALIDATION,
                "Validation failed for field \"email\". Value has to be a valid email address.");
        err_ext_str(pre, ctx->arena, "field", "email");
        err_ext_str(pre, ctx->arena, "type", "email");
        return false;
    }
    return true;
}

/* validateEmail, checkUniqueEmails, then checkPasswordPolicy for every password: the first
 * objection goes to pre. -1 only for a database error. */
static int email_password_checks(ctx_t *ctx, struct json_object **emails, size_t ne,
                                 const char *exclude, struct json_object **pws, size_t np,
                                 err_t *pre)
{
    if (ne && (!emails_valid(ctx, emails, ne, pre) ||
               check_unique_emails(ctx, emails, ne, exclude, pre) < 0 || err_is_set(pre)))
        return err_is_set(pre) ? 0 : -1;
    for (size_t i = 0; i < np; i++) {
        /* regex.test(password) reads String(password): null is "null" */
        if (reset_password_policy(ctx->arena, &ctx->err, ctx->db, jsval_str(ctx->arena, pws[i]),
                                  pre) < 0)
            return -1;
        if (err_is_set(pre))
            return 0;
    }
    return 0;
}

static void refuse_manual(ctx_t *ctx, err_t *pre, const char *field)
{
    err_invalid_payload(
        pre, ctx->arena,
        arena_printf(ctx->arena, "You can't change the \"%s\" value manually", field));
}

/* UsersService.updateMany's own checks, in its order; the first objection goes to pre (raised
 * after the permission checks). -1 only for a database error. */
static int update_checks(ctx_t *ctx, const write_keys_t *keys, struct json_object *data,
                         err_t *pre)
{
    struct json_object *v, *pw = NULL;
    if (json_object_object_get_ex(data, "email", &v) && jsval_truthy(v)) {
        if (keys->n > 1) {
            email_not_unique(ctx, pre);
            return 0;
        }
        const char *exclude = keys->n ? write_key_text(ctx->arena, keys->v[0]) : NULL;
        if (json_object_object_get_ex(data, "password", &pw) && !jsval_truthy(pw))
            pw = NULL;
        if (email_password_checks(ctx, &v, 1, exclude, &pw, pw ? 1 : 0, pre) < 0)
            return -1;
    } else if (json_object_object_get_ex(data, "password", &pw) && jsval_truthy(pw)) {
        if (email_password_checks(ctx, NULL, 0, NULL, &pw, 1, pre) < 0)
            return -1;
    }
    if (err_is_set(pre))
        return 0;
    if (json_object_object_get_ex(data, "tfa_secret", &v)) {
        refuse_manual(ctx, pre, "tfa_secret");
        return 0;
    }
    static const char *const by_admin_only[] = {"provider", "external_identifier"};
    for (size_t i = 0; i < 2; i++) {
        if (!json_object_object_get_ex(data, by_admin_only[i], &v))
            continue;
        if (!ctx->acc.admin) {
            refuse_manual(ctx, pre, by_admin_only[i]);
            return 0;
        }
        json_object_object_add(data, "auth_data", NULL);
    }
    return 0;
}

/* ---- the remaining admins ------------------------------------------------------------------ */

/* Active users with admin access, exclude's ids aside: through a role whose own or an
 * ancestor's policies grant it (fetchAccessRoles walks the parents down to child roles), or
 * through a policy attached to the user directly (fetchUserCount with adminOnly). */
static const char admin_count_sql[] =
    "WITH RECURSIVE admin_roles(id) AS ("
    "SELECT a.role FROM directus_access a JOIN directus_policies p ON p.id = a.policy "
    "WHERE a.role IS NOT NULL AND p.admin_access = TRUE "
    "UNION SELECT r.id FROM directus_roles r JOIN admin_roles ar ON r.parent = ar.id) "
    "SELECT COUNT(*) FROM directus_users u WHERE u.status = ? AND ("
    "u.role IN (SELECT id FROM admin_roles) OR EXISTS (SELECT 1 FROM directus_access a "
    "JOIN directus_policies p ON p.id = a.policy "
    "WHERE a.\"user\" = u.id AND p.admin_access = TRUE))";

int users_remaining_admins(ctx_t *ctx, const write_keys_t *exclude, err_t *out)
{
    size_t n = exclude ? exclude->n : 0;
    db_value_t *p = arena_calloc(ctx->arena, n + 1, sizeof *p);
    p[0] = authdb_cstr("active");
    buf_t sql;
    buf_init(&sql, ctx->arena, sizeof admin_count_sql + 8 * n + 32);
    buf_puts(&sql, admin_count_sql);
    for (size_t i = 0; i < n; i++) {
        buf_puts(&sql, i ? ", ?" : " AND u.id NOT IN (?");
        p[i + 1] = authdb_cstr(write_key_text(ctx->arena, exclude->v[i]));
    }
    if (n)
        buf_putc(&sql, ')');
    db_result_t r;
    if (authdb_exec(ctx->arena, &ctx->err, ctx->db, sql.p, p, n + 1, &r) < 0)
        return -1;
    const db_value_t *c = r.nrows ? db_cell(&r, 0, 0) : NULL;
    /* COUNT(*) is a bigint: an integer on every driver, text only if one printed it */
    if (c && (c->type == DB_INT ? c->i > 0 : c->type == DB_TEXT && !str_eq_c(c->s, "0")))
        return 0;
    err_set(out, ctx->arena, ERR_UNPROCESSABLE_CONTENT,
            "Can't process content. Cannot remove the last admin user from the system.");
    err_ext_str(out, ctx->arena, "reason", "Cannot remove the last admin user from the system");
    return 0;
}

int users_integrity_finish(items_writer_t *iw)
{
    if (!(iw->checks & ITEMS_CHECK_REMAINING_ADMINS))
        return 0;
    ctx_t *ctx = iw->ctx;
    err_t e = {0};
    if (users_remaining_admins(ctx, NULL, &e) < 0)
        return -1;
    if (!err_is_set(&e))
        return 0;
    ctx->err = e;
    return -1;
}

/* ---- UsersService ---------------------------------------------------------------------------- */

static int users_create_one(items_writer_t *iw, const schema_collection_t *c,
                            struct json_object *data, struct json_object **key)
{
    ctx_t *ctx = iw->ctx;
    iw->pre = (err_t){0};
    struct json_object *email = NULL, *pw = NULL;
    if (json_object_is_type(data, json_type_object)) {
        json_object_object_get_ex(data, "email", &email);
        bool has_pw = json_object_object_get_ex(data, "password", &pw);
        /* 'email' in data && data.email !== undefined: a null is checked (and refused) too */
        if (email_password_checks(ctx, json_object_object_get_ex(data, "email", NULL) ? &email : NULL,
                                  json_object_object_get_ex(data, "email", NULL) ? 1 : 0, NULL,
                                  &pw, has_pw ? 1 : 0, &iw->pre) < 0)
            return -1;
    }
    return write_create_one(&iw->w, c, data, NULL, key);
}

/* The truthy values of field across the items, in the request arena. */
static struct json_object **truthy_values(arena_t *a, struct json_object *items, const char *field,
                                          size_t *n)
{
    size_t len = json_object_array_length(items);
    struct json_object **v = arena_calloc(a, len + 1, sizeof *v), *x;
    *n = 0;
    for (size_t i = 0; i < len; i++) {
        struct json_object *item = json_object_array_get_idx(items, i);
        if (json_object_is_type(item, json_type_object) &&
            json_object_object_get_ex(item, field, &x) && jsval_truthy(x))
            v[(*n)++] = x;
    }
    return v;
}

/* createMany: the checks over every item at once (data.map(p => p.email) trips over a null
 * item), then ItemsService.createMany. */
static int users_create_many(items_writer_t *iw, const schema_collection_t *c,
                             struct json_object *items, write_keys_t *keys)
{
    ctx_t *ctx = iw->ctx;
    iw->pre = (err_t){0};
    for (size_t i = 0; i < json_object_array_length(items); i++)
        if (json_object_is_type(json_object_array_get_idx(items, i), json_type_null))
            return err_js(&ctx->err, ctx->arena, "Cannot read properties of null (reading 'email')");
    size_t ne, np;
    struct json_object **emails = truthy_values(ctx->arena, items, "email", &ne);
    struct json_object **pws = truthy_values(ctx->arena, items, "password", &np);
    if (email_password_checks(ctx, emails, ne, NULL, pws, np, &iw->pre) < 0)
        return -1;
    return write_create_many(&iw->w, c, items, NULL, keys);
}

static int users_update_many(items_writer_t *iw, const schema_collection_t *c, write_keys_t *keys,
                             struct json_object *data)
{
    iw->pre = (err_t){0};
    if (json_object_is_type(data, json_type_object)) {
        if (update_checks(iw->ctx, keys, data, &iw->pre) < 0)
            return -1;
        struct json_object *st;
        if (json_object_object_get_ex(data, "role", NULL))
            iw->checks |= ITEMS_CHECK_REMAINING_ADMINS;
        if (json_object_object_get_ex(data, "status", &st) &&
            !(json_object_is_type(st, json_type_string) && str_eq_c(jsval_string(st), "active")))
            iw->checks |= ITEMS_CHECK_REMAINING_ADMINS;
    }
    return write_update_many(&iw->w, c, keys, data, NULL);
}

/* deleteMany: validateRemainingAdminUsers without the deleted users (its objection raised after
 * the permission checks), the manual constraints, then ItemsService.deleteMany (the sessions go
 * with the users: their foreign key cascades). */
static int users_delete_many(items_writer_t *iw, const schema_collection_t *c,
                             const write_keys_t *keys)
{
    iw->pre = (err_t){0};
    if (users_remaining_admins(iw->ctx, keys, &iw->pre) < 0)
        return -1;
    /* Directus's manual constraints (PR 19912): these references would block the delete */
    ctx_t *ctx = iw->ctx;
    if (items_exec_in(ctx, "UPDATE directus_comments SET user_updated = NULL WHERE user_updated IN",
                      keys) < 0 ||
        items_exec_in(ctx, "UPDATE directus_notifications SET sender = NULL WHERE sender IN",
                      keys) < 0 ||
        items_exec_in(ctx, "UPDATE directus_versions SET user_updated = NULL WHERE user_updated IN",
                      keys) < 0)
        return -1;
    return write_delete_many(&iw->w, c, keys);
}

const items_service_t users_service = {
    .create_one = users_create_one,
    .create_many = users_create_many,
    .update_many = users_update_many,
    .delete_many = users_delete_many,
    .finish = users_integrity_finish,
};

/* ---- PATCH /users/me --------------------------------------------------------------------------- */

typedef struct {
    items_writer_t iw;
    const schema_collection_t *users;
    struct json_object *key;
} self_update_t;

/* The writer over directus_users with the caller's own key. */
static int self_writer(ctx_t *ctx, self_update_t *u)
{
    const schema_t *s = schema_cache_get(ctx);
    if (!s)
        return -1;
    *u = (self_update_t){.users = schema_collection(s, STR("directus_users"))};
    if (!u->users)
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    items_writer_init(&u->iw, ctx, s);
    u->key = json_own(ctx->arena, json_object_new_string(ctx->acc.user));
    return 0;
}

static int update_self(void *arg)
{
    self_update_t *u = arg;
    write_keys_t one = {.v = &u->key, .n = 1};
    return items_svc_update_many(&u->iw, u->users, &one, u->iw.ctx->body);
}

int users_me_update(ctx_t *ctx)
{
    if (!ctx->acc.user)
        return err_set(&ctx->err, ctx->arena, ERR_INVALID_CREDENTIALS, NULL);
    self_update_t u;
    if (self_writer(ctx, &u) < 0)
        return -1;
    u.iw.svc = &users_service;
    if (items_transaction(&u.iw, update_self, &u) < 0)
        return -1;
    buf_t body;
    buf_init(&body, ctx->arena, 1024);
    if (read_self(ctx, &ctx->err, ctx->sanitized, ctx->conf->query_limit_default, &body) < 0)
        return -1;
    return respond_json_text(ctx, buf_slice(&body));
}

/* PATCH /users/me/track/page: UsersService without accountability (no permission checks, no
 * activity) sets last_page; 204. */
static int track_page(void *arg)
{
    self_update_t *u = arg;
    struct json_object *data = json_own(u->iw.ctx->arena, json_object_new_object());
    json_object_object_add(data, "last_page",
                           json_object_get(json_object_object_get(u->iw.ctx->body, "last_page")));
    write_keys_t one = {.v = &u->key, .n = 1};
    return write_update_many(&u->iw.w, u->users, &one, data, NULL);
}

int users_track_page(ctx_t *ctx)
{
    if (!ctx->acc.user)
        return err_set(&ctx->err, ctx->arena, ERR_INVALID_CREDENTIALS, NULL);
    struct json_object *v = NULL;
    if (!json_object_is_type(ctx->body, json_type_object) ||
        !json_object_object_get_ex(ctx->body, "last_page", &v) || !jsval_truthy(v))
        return err_invalid_payload(&ctx->err, ctx->arena, "\"last_page\" key is required");
    self_update_t u;
    if (self_writer(ctx, &u) < 0)
        return -1;
    u.iw.w.actor = NULL;
    u.iw.w.perm = NULL;
    if (items_transaction(&u.iw, track_page, &u) < 0)
        return -1;
    return respond_no_content(ctx);
}
