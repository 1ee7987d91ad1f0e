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

static const char *vformat(arena_t *a, err_code_t code, const char *fmt, va_list ap)
{
    if (!fmt)
        return table[code].message;
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *m = arena_alloc(a, (size_t)(n < 0 ? 0 : n) + 1);
    vsnprintf(m, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
    return m;
}

int err_set(err_t *e, arena_t *a, err_code_t code, const char *fmt, ...)
{
    if (err_is_set(e))
        return -1;
    va_list ap;
    va_start(ap, fmt);
    e->message = vformat(a, code, fmt, ap);
    va_end(ap);
    e->code = code;
    e->ext = NULL;
    e->more = NULL;
    e->nmore = 0;
    return -1;
}

int err_add(err_t *e, arena_t *a, err_code_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *m = vformat(a, code, fmt, ap);
    va_end(ap);
    if (!err_is_set(e)) {
        *e = (err_t){.code = code, .message = m};
        return -1;
    }
    e->more =
        arena_realloc(a, e->more, e->nmore * sizeof *e->more, (e->nmore + 1) * sizeof *e->more);
    e->more[e->nmore++] = (err_entry_t){.code = code, .message = m};
    return -1;
}

int err_http_status(const err_t *e)
{
    int s = err_status(e->code == ERR_NONE ? ERR_INTERNAL_SERVER_ERROR : e->code);
    for (size_t i = 0; i < e->nmore; i++)
        if (err_status(e->more[i].code) != s)
            return 500;
    return s;
}

/* The extensions object of the last entry, created on first use. */
static struct json_object *last_ext(err_t *e, arena_t *a)
{
    struct json_object **x = e->nmore ? &e->more[e->nmore - 1].ext : &e->ext;
    if (!*x)
        *x = json_own(a, json_object_new_object());
    return *x;
}

void err_ext_json(err_t *e, arena_t *a, const char *key, struct json_object *value)
{
    struct json_object *x = last_ext(e, a);
    if (json_object_object_get_ex(x, key, NULL)) {
        json_object_put(value);
        return;
    }
    json_object_object_add(x, key, value);
}

void err_ext_str(err_t *e, arena_t *a, const char *key, const char *value)
{
    err_ext_json(e, a, key, value ? json_object_new_string(value) : NULL);
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

static void render_entry(buf_t *b, err_code_t code, const char *message, struct json_object *ext)
{
    if (code == ERR_NONE)
        code = ERR_INTERNAL_SERVER_ERROR;
    buf_puts(b, "{\"message\":");
    json_write_str(b, str_c(message ? message : table[code].message));
    buf_puts(b, ",\"extensions\":{");
    if (ext) {
        json_object_object_foreach(ext, key, val)
        {
            json_write_str(b, str_c(key));
            buf_putc(b, ':');
            json_write(b, val);
            buf_putc(b, ',');
        }
    }
    buf_puts(b, "\"code\":");
    json_write_str(b, str_c(table[code].name));
    buf_puts(b, "}}");
}

void err_render(const err_t *e, buf_t *b)
{
    buf_puts(b, "{\"errors\":[");
    render_entry(b, e->code, e->message, e->ext);
    for (size_t i = 0; i < e->nmore; i++) {
        buf_putc(b, ',');
        render_entry(b, e->more[i].code, e->more[i].message, e->more[i].ext);
    }
    buf_puts(b, "]}");
}
