/*
 * Directus error codes in one table (Directus packages/errors/src/codes.ts), and err_t: the first
 * error of a request, which sticks. Lower layers fill it; lib/api renders it as the Directus
 * envelope {"errors":[{"message":…,"extensions":{…,"code":…}}]}. Directus can also throw an array
 * of errors (payload validation: one FailedValidationError per failure); err_add appends entries
 * after the first, and the envelope lists them all in order.
 */
#ifndef LIB_CORE_ERR_H
#define LIB_CORE_ERR_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/core/arena.h"
#include "lib/core/buf.h"

struct json_object;

/* X(name, HTTP status, default message) */
#define ERR_MAP(X)                                                                                 \
    X(FORBIDDEN, 403, "You don't have permission to access this.")                                 \
    X(INVALID_CREDENTIALS, 401, "Invalid user credentials.")                                       \
    X(INVALID_TOKEN, 403, "Invalid token.")                                                        \
    X(TOKEN_EXPIRED, 401, "Token expired.")                                                        \
    X(INVALID_OTP, 401, "Invalid user OTP.")                                                       \
    X(USER_SUSPENDED, 401, "User suspended.")                                                      \
    X(INVALID_IP, 401, "Invalid IP address.")                                                      \
    X(INVALID_PAYLOAD, 400, "Invalid payload.")                                                    \
    X(INVALID_QUERY, 400, "Invalid query.")                                                        \
    X(FAILED_VALIDATION, 400, "Validation failed.")                                                \
    X(RECORD_NOT_UNIQUE, 400, "Value has to be unique.")                                           \
    X(NOT_NULL_VIOLATION, 400, "Value can't be null.")                                             \
    X(VALUE_TOO_LONG, 400, "Value is too long.")                                                   \
    X(VALUE_OUT_OF_RANGE, 400, "Numeric value is out of range.")                                   \
    X(INVALID_FOREIGN_KEY, 400, "Invalid foreign key.")                                            \
    X(CONTAINS_NULL_VALUES, 400, "Field contains null values.")                                    \
    X(ILLEGAL_ASSET_TRANSFORMATION, 400, "Illegal asset transformation.")                          \
    X(ROUTE_NOT_FOUND, 404, "Route doesn't exist.")                                                \
    X(METHOD_NOT_ALLOWED, 405, "Method not allowed.")                                              \
    X(CONTENT_TOO_LARGE, 413, "Uploaded content is too large.")                                    \
    X(UNSUPPORTED_MEDIA_TYPE, 415, "Unsupported media type.")                                      \
    X(RANGE_NOT_SATISFIABLE, 416, "Range not satisfiable.")                                        \
    X(UNPROCESSABLE_CONTENT, 422, "Unprocessable content.")                                        \
    X(REQUESTS_EXCEEDED, 429, "Too many requests.")                                                \
    X(LIMIT_EXCEEDED, 403, "Limit exceeded.")                                                      \
    X(INVALID_PROVIDER, 403, "Invalid provider.")                                                  \
    X(INVALID_PROVIDER_CONFIG, 503, "Invalid config.")                                             \
    X(SERVICE_UNAVAILABLE, 503, "Service is unavailable.")                                         \
    X(INTERNAL_SERVER_ERROR, 500, "An unexpected error occurred.")

typedef enum {
    ERR_NONE = 0,
#define X(name, status, msg) ERR_##name,
    ERR_MAP(X)
#undef X
} err_code_t;

/* One further entry of a multi-error answer. */
typedef struct {
    err_code_t code;
    const char *message;
    struct json_object *ext;
} err_entry_t;

typedef struct {
    err_code_t code;         /* read-only: ERR_NONE while no error was set */
    const char *message;     /* read-only: arena string */
    struct json_object *ext; /* read-only: extension fields other than "code", or NULL */
    err_entry_t *more;       /* read-only: entries err_add appended after the first */
    size_t nmore;
} err_t;

/* HTTP status of a code, and its name as Directus spells it ("FORBIDDEN"). */
int err_status(err_code_t code);
const char *err_name(err_code_t code);

/* Sets the error unless one is already set (the first error sticks). fmt NULL uses the table's
 * default message. Always returns -1 so handlers can `return err_set(...)`. */
int err_set(err_t *e, arena_t *a, err_code_t code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Appends an entry to the answer: the first one when no error is set (as err_set), else one more
 * after the others. err_ext_* then apply to this entry. Always -1. */
int err_add(err_t *e, arena_t *a, err_code_t code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The answer's HTTP status: the entries' status when they agree, else 500 (Directus's
 * errorHandler). */
int err_http_status(const err_t *e);

/* Adds an extension with any JSON value (taken over: e keeps the reference; NULL is JSON null)
 * to the last entry. Does nothing when that entry already has the key. */
void err_ext_json(err_t *e, arena_t *a, const char *key, struct json_object *value);

/* Adds a string extension ("reason", "path", "field", …) to the last entry of the error set. NULL
 * value adds a JSON null. Does nothing when the error already has that key. */
void err_ext_str(err_t *e, arena_t *a, const char *key, const char *value);

/* The common Directus shapes: message "Invalid payload. <reason>." with extensions.reason. */
int err_invalid_payload(err_t *e, arena_t *a, const char *reason);
int err_invalid_query(err_t *e, arena_t *a, const char *reason);
/* SERVICE_UNAVAILABLE: `Service "<service>" is unavailable. <reason>.` */
int err_service_unavailable(err_t *e, arena_t *a, const char *service, const char *reason);

bool err_is_set(const err_t *e);

/* Appends the envelope {"errors":[{"message":…,"extensions":{…,"code":…}},…]} to b. */
void err_render(const err_t *e, buf_t *b);

#endif
