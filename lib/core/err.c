/* The Directus error table and the error envelope. */
#include "lib/core/err.h"

#include <stdarg.h>
#include <stdio.h>

#include "lib/core/json.h"

static const struct {
    const char *name;
    int status;
    const char *message;
} table[] = {
    [ERR_NONE] = {"", 200, ""},
#define X(n, s, m) [ERR_##n] = {#n, s, m},
    ERR_MAP(X)
#undef X
};

int err_status(err_code_t code)
{
    return table[code].status;
}

const char *err_name(err_code_t code)
{
    return table[code].name;
}

bool err_is_set(const err_t *e)
{
    return e->code != ERR_NONE;
}

int err_set(err_t *e, arena_t *a, err_code_t code, const char *fmt, ...)
{
    if (err_is_set(e))
        return -1;
    e->code = code;
    e->ext = NULL;
    if (!fmt) {
        e->message = table[code].message;
        return -1;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *m = arena_alloc(a, (size_t)(n < 0 ? 0 : n) + 1);
    va_start(ap, fmt);
    vsnprintf(m, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
    va_end(ap);
    e->message = m;
    return -1;
}

void err_ext_str(err_t *e, arena_t *a, const char *key, const char *value)
{
    if (!e->ext)
        e->ext = json_own(a, json_object_new_object());
    if (json_object_object_get_ex(e->ext, key, NULL))
        return;
    json_object_object_add(e->ext, key, value ? json_object_new_string(value) : NULL);
}

static int with_reason(err_t *e, arena_t *a, err_code_t code, const char *prefix,
                       const char *reason)
{
    if (err_is_set(e))
        return -1;
    err_set(e, a, code, "%s %s.", prefix, reason);
    err_ext_str(e, a, "reason", reason);
    return -1;
}

int err_invalid_payload(err_t *e, arena_t *a, const char *reason)
{
    return with_reason(e, a, ERR_INVALID_PAYLOAD, "Invalid payload.", reason);
}

int err_invalid_query(err_t *e, arena_t *a, const char *reason)
{
    return with_reason(e, a, ERR_INVALID_QUERY, "Invalid query.", reason);
}

int err_service_unavailable(err_t *e, arena_t *a, const char *service, const char *reason)
{
    if (err_is_set(e))
        return -1;
    err_set(e, a, ERR_SERVICE_UNAVAILABLE, "Service \"%s\" is unavailable. %s.", service, reason);
    err_ext_str(e, a, "service", service);
    err_ext_str(e, a, "reason", reason);
    return -1;
}

void err_render(const err_t *e, buf_t *b)
{
    err_code_t code = e->code == ERR_NONE ? ERR_INTERNAL_SERVER_ERROR : e->code;
    buf_puts(b, "{\"errors\":[{\"message\":");
    json_write_str(b, str_c(e->message ? e->message : table[code].message));
    buf_puts(b, ",\"extensions\":{");
    if (e->ext) {
        json_object_object_foreach(e->ext, key, val)
        {
            json_write_str(b, str_c(key));
            buf_putc(b, ':');
            json_write(b, val);
            buf_putc(b, ',');
        }
    }
    buf_puts(b, "\"code\":");
    json_write_str(b, str_c(table[code].name));
    buf_puts(b, "}}]}");
}
