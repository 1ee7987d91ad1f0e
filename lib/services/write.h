/*
 * The items write service: Directus 11.3.5's ItemsService mutations (createOne, createMany,
 * updateMany, updateBatch, updateByQuery, upsertSingleton, deleteMany, deleteByQuery) with its
 * PayloadService (specials, dates, JSON values; nested m2o, a2o and o2m writes in Directus's
 * order) and the directus_activity / directus_revisions rows its ActivityService and
 * RevisionsService write.
 *
 * Everything runs on the caller's open transaction (lib/db db_begin): a function that fails
 * leaves e set and the caller rolls back, so a request is written whole or not at all. Payloads
 * are json-c objects as the request carried them; keys are json-c values (numbers or strings)
 * as Directus hands PrimaryKey values around. Allocation is in the request arena.
 *
 * With an actor, every item goes through lib/perm's processPayload (field validation for
 * everyone; for non-admins the collection and field permissions, the rows' validation and
 * presets), and update / delete keys through validateItemAccess (every key readable through the
 * action's row rules, every payload field allowed on every row), as Directus does at each level
 * of a nested write.
 */
#ifndef LIB_SERVICES_WRITE_H
#define LIB_SERVICES_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/core/arena.h"
#include "lib/core/err.h"
#include "lib/auth/password.h"
#include "lib/cache/generation.h"
#include "lib/db/db.h"
#include "lib/perm/perm.h"
#include "lib/query/query.h"
#include "lib/schema/schema.h"

struct json_object;

/* Who writes (the request's accountability): recorded in activity rows and in the
 * user-/role-created/-updated specials. NULL strings are SQL NULL. */
typedef struct {
    const char *user, *role, *ip, *user_agent, *origin;
} write_actor_t;

/* Revision ids written below a mutation, for the parent revision to adopt (onRevisionCreate). */
typedef struct {
    int64_t *ids;
    size_t n, cap;
} write_revs_t;

/* The caller's permission rows for an action (lib/perm perm_load), loaded on first use; *out
 * NULL for an admin. -1 with the error set. */
typedef int (*write_perm_fn)(void *ud, perm_action_t action, const perm_set_t **out);

/* A change of items, for the bus (websocket.event) and the response cache: what the caller
 * announces after COMMIT, as Directus emits items.create / items.update / items.delete (nested
 * writes included). */
typedef struct {
    const char *action;     /* "create", "update", "delete" */
    const char *collection;
    const char *keys_json;  /* the keys as a JSON array */
} write_event_t;

typedef struct {
    write_event_t *v;
    size_t n, cap;
} write_events_t;

/* One request's writing context. */
typedef struct {
    arena_t *a;
    err_t *e;
    db_conn_t *db;
    const schema_t *s;
    const write_actor_t *actor; /* NULL: no accountability: nothing recorded, nothing checked */
    write_perm_fn perm;         /* NULL: an admin (field validation still runs) */
    void *perm_ud;
    const query_env_t *env; /* limits for by-query reads (QUERY_LIMIT_DEFAULT) */
    int64_t now_ms;         /* one clock reading for the whole request */
    size_t max_batch;       /* MAX_BATCH_MUTATION; 0: unlimited */
    size_t mutations;       /* rows touched so far (the mutation tracker) */
    unsigned stale;         /* 1u << gen_kind_t of the pool caches the writes made stale
                             * (system collections such as directus_users reached through
                             * nested writes or a revert): bump them after COMMIT */
    write_events_t events;  /* every change made, in order: announce them after COMMIT */
    const char **written;   /* every collection a statement inserted, updated or deleted rows */
    size_t nwritten;        /* of (the response cache purges what read them after COMMIT) */
    const password_params_t *hash; /* argon2 parameters of `hash` fields; NULL: the defaults */
    /* A service's own objection to the payload (Directus's opts.preMutationError, e.g.
     * UsersService's email checks), raised by the next create, update or delete once its
     * permission checks passed, as Directus orders them. NULL or unset: none. */
    const err_t *pre_mutation;
} write_t;

/* A list of keys. */
typedef struct {
    struct json_object **v;
    size_t n;
} write_keys_t;

/* createOne: the new item's key in *key (a json-c value owned by the arena). */
int write_create_one(write_t *w, const schema_collection_t *c, struct json_object *data,
                     write_revs_t *revs, struct json_object **key);

/* createMany: items must be a JSON array. */
int write_create_many(write_t *w, const schema_collection_t *c, struct json_object *items,
                      write_revs_t *revs, write_keys_t *keys);

/* updateMany: the same data on every key. keys are sorted as JavaScript's default sort does
 * (by their string form), in place, as Directus does before writing. */
int write_update_many(write_t *w, const schema_collection_t *c, write_keys_t *keys,
                      struct json_object *data, write_revs_t *revs);

/* A service's updateMany (a subclass's override), for updateBatch to call per item. */
typedef int (*write_update_fn)(void *ud, const schema_collection_t *c, write_keys_t *keys,
                               struct json_object *data);

/* updateBatch: items is an array of objects, each with its primary key; each item's updateOne
 * goes through update(ud, …) (NULL: write_update_many). */
int write_update_batch(write_t *w, const schema_collection_t *c, struct json_object *items,
                       write_keys_t *keys, write_update_fn update, void *ud);

/* getKeysByQuery (read as an admin, the query's limit or QUERY_LIMIT_DEFAULT), then
 * updateMany / deleteMany of those keys. */
int write_keys_by_query(write_t *w, const schema_collection_t *c, const query_t *q,
                        write_keys_t *keys);
int write_update_by_query(write_t *w, const schema_collection_t *c, const query_t *q,
                          struct json_object *data, write_keys_t *keys);
int write_delete_by_query(write_t *w, const schema_collection_t *c, const query_t *q);

int write_delete_many(write_t *w, const schema_collection_t *c, const write_keys_t *keys);

/* upsertSingleton: update the first row, or create one. */
int write_upsert_singleton(write_t *w, const schema_collection_t *c, struct json_object *data);

/* UtilsService.sort: moves item to to's position in the collection's sort field (sort, from
 * directus_collections), first giving rows without a value the next ones and renumbering when
 * values repeat. A key that does not exist answers Directus's TypeError (500). */
int write_sort(write_t *w, const schema_collection_t *c, const char *sort, struct json_object *item,
               struct json_object *to);

/* validateAccess of an action on keys (validateItemAccess, no payload fields): every key must
 * be a row the caller's rules for act reach; 403 FORBIDDEN otherwise. Nothing for admins or
 * without an actor. */
int write_validate_access(write_t *w, const schema_collection_t *c, perm_action_t act,
                          const write_keys_t *keys);

/* validateKeys for one key: an integer primary key must be an integer, a uuid a uuid (403
 * FORBIDDEN otherwise). */
bool write_key_valid(const schema_collection_t *c, const struct json_object *key);

/* The same for a key as text (a URL's :id). */
bool write_key_text_valid(const schema_collection_t *c, str_t key);

/* The elements of a JSON array as a key list (borrowed from it), in a. */
write_keys_t write_keys_of(arena_t *a, struct json_object *arr);

/* keys as the read planner takes them (numbers and strings), in a. */
qval_t *write_keys_qvals(arena_t *a, const write_keys_t *keys);

/* A JSON key as Directus's String(key): "12", "abc". In a. */
const char *write_key_text(arena_t *a, const struct json_object *key);

#endif
