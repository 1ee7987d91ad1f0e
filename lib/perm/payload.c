/*
 * perm_process_payload: Directus 11.3.5's processPayload — the write-permission gate of one
 * item's payload (see perm.h), built on perm_validate (lib/perm/validate.h).
 */
#include <string.h>

#include "lib/core/buf.h"
#include "lib/core/json.h"
#include "lib/perm/perm.h"
#include "lib/perm/validate.h"

/* isFieldNullable: nullable, generated, or filled by Directus (GENERATE_SPECIAL). */
static bool nullable(const schema_field_t *f)
{
    return f->nullable || f->generated ||
           (f->special & (SCHEMA_SPECIAL_UUID | SCHEMA_SPECIAL_DATE_CREATED |
                          SCHEMA_SPECIAL_ROLE_CREATED | SCHEMA_SPECIAL_USER_CREATED));
}

/* The schema overview's defaultValue is null: no default, and not an auto-increment key (which
 * Directus's inspector reports as the default "AUTO_INCREMENT"). */
static bool no_default(const schema_field_t *f)
{
    return !f->default_value && !f->auto_increment;
}

/* Whether some row grants key. */
static bool allowed(const perm_coll_t *pc, const char *key)
{
    return perm_can_read_field(pc, str_c(key));
}

/* The permission part: a row for (c, action), and every payload key among the rows' fields. */
static int check_access(arena_t *a, err_t *e, const schema_collection_t *c, const perm_coll_t *pc,
                        perm_action_t action, struct json_object *payload)
{
    if (!pc || !pc->nrules) {
        const char *reason =
            arena_printf(a,
                         "You don't have permission to \"%s\" from collection \"%s\" or it "
                         "does not exist.",
                         perm_action_name(action), c->name);
        err_set(e, a, ERR_FORBIDDEN, "%s", reason);
        err_ext_str(e, a, "reason", reason);
        return -1;
    }
    if (perm_all_fields(pc))
        return 0;
    buf_t list;
    buf_init(&list, a, 64);
    size_t n = 0;
    json_object_object_foreach(payload, key, val)
    {
        (void)val;
        if (allowed(pc, key))
            continue;
        buf_printf(&list, "%s\"%s\"", n++ ? ", " : "", key);
    }
    if (!n)
        return 0;
    const char *reason =
        n == 1 ? arena_printf(a,
                              "You don't have permission to access field %s in collection \"%s\" "
                              "or it does not exist.",
                              list.p, c->name)
               : arena_printf(a,
                              "You don't have permission to access fields %s in collection "
                              "\"%s\" or they do not exist.",
                              list.p, c->name);
    err_set(e, a, ERR_FORBIDDEN, "%s", reason);
    err_ext_str(e, a, "reason", reason);
    return -1;
}

/* {field: {op: true}} */
static struct json_object *field_op(const char *field, const char *op)
{
    struct json_object *inner = json_object_new_object();
    json_object_object_add(inner, op, json_object_new_boolean(1));
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, field, inner);
    return o;
}

/* A rule validationRules keeps: not null, not {}. */
static void push_rule(struct json_object *rules, struct json_object *rule)
{
    if (!rule || json_object_get_type(rule) != json_type_object || !json_object_object_length(rule))
        return;
    json_object_array_add(rules, json_object_get(rule));
}

/* fieldValidationRules then permissionValidationRules, as one array. */
static struct json_object *rules_of(arena_t *a, const schema_collection_t *c, const perm_coll_t *pc,
                                    perm_action_t action)
{
    struct json_object *rules = json_own(a, json_object_new_array());
    for (size_t i = 0; i < c->nfields; i++) {
        const schema_field_t *f = &c->fields[i];
        if (f->special & SCHEMA_SPECIAL_NO_DATA)
            continue;
        if (!nullable(f)) {
            if (action == PERM_CREATE && no_default(f))
                json_object_array_add(rules, field_op(f->name, "_submitted"));
            json_object_array_add(rules, field_op(f->name, "_nnull"));
        }
        push_rule(rules, f->validation);
    }
    for (size_t i = 0; pc && i < pc->nrules; i++)
        push_rule(rules, pc->rules[i].validation_json);
    return rules;
}

/* assign({}, ...presets, payload) */
static struct json_object *with_presets(arena_t *a, const perm_coll_t *pc,
                                        struct json_object *payload)
{
    struct json_object *o = json_own(a, json_object_new_object());
    for (size_t i = 0; pc && i < pc->nrules; i++) {
        if (!pc->rules[i].presets)
            continue;
        json_object_object_foreach(pc->rules[i].presets, key, val)
        {
            json_object_object_add(o, key, json_object_get(val));
        }
    }
    json_object_object_foreach(payload, key, val)
    {
        json_object_object_add(o, key, json_object_get(val));
    }
    return o;
}

int perm_process_payload(arena_t *a, err_t *e, const schema_collection_t *c, const perm_set_t *ps,
                         perm_action_t action, const qfilter_env_t *env,
                         struct json_object *payload, struct json_object **out)
{
    (void)env;
    *out = NULL;
    if (!payload || json_object_get_type(payload) != json_type_object)
        return err_invalid_payload(e, a, "Payload has to be an object");
    const perm_coll_t *pc = NULL;
    if (ps) {
        pc = perm_coll(ps, str_c(c->name));
        if (check_access(a, e, c, pc, action, payload) < 0)
            return -1;
    }
    struct json_object *merged = with_presets(a, pc, payload);
    struct json_object *rules = rules_of(a, c, pc, action);
    if (json_object_array_length(rules)) {
        struct json_object *all = json_own(a, json_object_new_object());
        json_object_object_add(all, "_and", json_object_get(rules));
        int n = perm_validate(a, e, all, merged);
        if (n != 0)
            return -1;
    }
    *out = merged;
    return 0;
}
