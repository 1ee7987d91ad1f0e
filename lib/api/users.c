/*
 * GET and PATCH /users/me as Directus's users controller answers them. GET: UsersService.readOne
 * of the caller's own id with the request's query, a ForbiddenError turned into
 * {"data":{"id":…}}. PATCH: UsersService.updateOne through the write service (the caller's
 * update permissions on directus_users, validation, activity and revisions), then readOne.
 * directus_users is reached here, never through /items, with the caller's permissions: for app
 * users reading is Directus's app access minimal rule (own row, a fixed field list).
 */
#include "lib/api/users.h"

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

/* checkUniqueEmails for one address, the caller's own row excluded. */
static int email_taken(ctx_t *ctx, str_t email, bool *taken)
{
    char *lower = str_dup(ctx->arena, email);
    for (char *p = lower; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    db_value_t p[2] = {{.type = DB_TEXT, .s = str_c(lower)},
                       {.type = DB_TEXT, .s = str_c(ctx->acc.user)}};
    const char *sql = db_dialect(ctx->db) == DB_PG
                          ? "SELECT email FROM directus_users WHERE LOWER(email) = $1 AND id <> $2"
                          : "SELECT email FROM directus_users WHERE LOWER(email) = ? AND id <> ?";
    db_result_t r;
    if (db_exec(ctx->db, ctx->arena, &ctx->err, sql, p, 2, &r) < 0)
        return -1;
    *taken = r.nrows > 0;
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
static int self_update_checks(ctx_t *ctx, struct json_object *data, err_t *pre)
{
    struct json_object *v;
    if (json_object_object_get_ex(data, "email", &v) && jsval_truthy(v)) {
        if (!json_object_is_type(v, json_type_string) ||
            !email_is_valid(ctx->arena, jsval_string(v))) {
            err_set(pre, ctx->arena, ERR_FAILED_VALIDATION,
                    "Validation failed for field \"email\". Value has to be a valid email "
                    "address.");
            err_ext_str(pre, ctx->arena, "field", "email");
            err_ext_str(pre, ctx->arena, "type", "email");
            return 0;
        }
        bool taken;
        if (email_taken(ctx, jsval_string(v), &taken) < 0)
            return -1;
        if (taken) {
            err_set(pre, ctx->arena, ERR_RECORD_NOT_UNIQUE,
                    "Value for field \"email\" in collection \"directus_users\" has to be "
                    "unique.");
            err_ext_str(pre, ctx->arena, "collection", "directus_users");
            err_ext_str(pre, ctx->arena, "field", "email");
            return 0;
        }
    }
    if (json_object_object_get_ex(data, "password", &v) && jsval_truthy(v) &&
        json_object_is_type(v, json_type_string)) {
        if (reset_password_policy(ctx->arena, &ctx->err, ctx->db, jsval_string(v), pre) < 0)
            return -1;
        if (err_is_set(pre))
            return 0;
    }
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

typedef struct {
    items_writer_t iw;
    const schema_collection_t *users;
    struct json_object *key;
} self_update_t;

/* Active users with admin access: through a role whose own or an ancestor's policies grant it
 * (fetchAccessRoles walks the parents down to child roles), or through a policy attached to the
 * user directly (fetchUserCount with adminOnly). */
static const char admin_count_sql[] =
    "WITH RECURSIVE admin_roles(id) AS ("
    "SELECT a.role FROM directus_access a JOIN directus_policies p ON p.id = a.policy "
    "WHERE a.role IS NOT NULL AND p.admin_access = TRUE "
    "UNION SELECT r.id FROM directus_roles r JOIN admin_roles ar ON r.parent = ar.id) "
    "SELECT COUNT(*) FROM directus_users u WHERE u.status = ? AND ("
    "u.role IN (SELECT id FROM admin_roles) OR EXISTS (SELECT 1 FROM directus_access a "
    "JOIN directus_policies p ON p.id = a.policy "
    "WHERE a.\"user\" = u.id AND p.admin_access = TRUE))";

/* UsersService.updateMany asks for the remaining-admin check when the payload sets a role or a
 * status other than "active"; ItemsService runs it after the update, inside the transaction, and
 * refuses when no active admin is left (validateRemainingAdminCount). */
static int remaining_admin_check(ctx_t *ctx, struct json_object *data)
{
    struct json_object *st;
    bool wants = json_object_object_get_ex(data, "role", NULL);
    if (json_object_object_get_ex(data, "status", &st) &&
        !(json_object_is_type(st, json_type_string) && str_eq_c(jsval_string(st), "active")))
        wants = true;
    if (!wants)
        return 0;
    db_result_t r;
    db_value_t active = authdb_cstr("active");
    if (authdb_exec(ctx->arena, &ctx->err, ctx->db, admin_count_sql, &active, 1, &r) < 0)
        return -1;
    const db_value_t *n = r.nrows ? db_cell(&r, 0, 0) : NULL;
    /* COUNT(*) is a bigint: an integer on every driver, text only if one printed it */
    if (n && (n->type == DB_INT ? n->i > 0 : n->type == DB_TEXT && !str_eq_c(n->s, "0")))
        return 0;
    err_set(&ctx->err, ctx->arena, ERR_UNPROCESSABLE_CONTENT,
            "Can't process content. Cannot remove the last admin user from the system.");
    err_ext_str(&ctx->err, ctx->arena, "reason",
                "Cannot remove the last admin user from the system");
    return -1;
}

static int update_self(void *arg)
{
    self_update_t *u = arg;
    write_keys_t one = {.v = &u->key, .n = 1};
    if (write_update_many(&u->iw.w, u->users, &one, u->iw.ctx->body, NULL) < 0)
        return -1;
    return json_object_is_type(u->iw.ctx->body, json_type_object)
               ? remaining_admin_check(u->iw.ctx, u->iw.ctx->body)
               : 0;
}

int users_me_update(ctx_t *ctx)
{
    if (!ctx->acc.user)
        return err_set(&ctx->err, ctx->arena, ERR_INVALID_CREDENTIALS, NULL);
    const schema_t *s = schema_cache_get(ctx);
    if (!s)
        return -1;
    self_update_t u = {.users = schema_collection(s, STR("directus_users"))};
    if (!u.users)
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    err_t pre = {0};
    if (json_object_is_type(ctx->body, json_type_object) &&
        self_update_checks(ctx, ctx->body, &pre) < 0)
        return -1;
    items_writer_init(&u.iw, ctx, s);
    u.iw.w.pre_mutation = &pre;
    u.key = json_own(ctx->arena, json_object_new_string(ctx->acc.user));
    if (items_transaction(&u.iw, update_self, &u) < 0)
        return -1;
    buf_t body;
    buf_init(&body, ctx->arena, 1024);
    if (read_self(ctx, &ctx->err, ctx->sanitized, ctx->conf->query_limit_default, &body) < 0)
        return -1;
    return respond_json_text(ctx, buf_slice(&body));
}
