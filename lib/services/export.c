/*
 * Three renderers over json-c values. Strings are handled the way JavaScript sees them where the
 * libraries measure or test characters: YAML's scalar style choice and folding work on UTF-16
 * code units (a lone surrogate from a \uD800 escape included), XML's validation on code points.
 */
#include "lib/services/export.h"

#include <json-c/json.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "lib/core/json.h"
#include "lib/core/str.h"

/* ---- shared helpers -------------------------------------------------------------------------- */

/* String(n) for a JSON number. */
static void js_number(buf_t *b, const struct json_object *v)
{
    if (json_object_get_type(v) == json_type_int)
        buf_printf(b, "%lld", (long long)json_object_get_int64(v));
    else
        json_write_double(b, json_object_get_double(v));
}

typedef struct {
    uint16_t *u;
    size_t n;
} u16_t;

/* UTF-8 (WTF-8 for lone surrogates) to UTF-16; a byte that starts no valid sequence becomes
 * U+FFFD, as Node's decoder makes it. */
static u16_t to_u16(arena_t *a, str_t s)
{
    u16_t r = {arena_alloc(a, (s.n + 1) * sizeof(uint16_t)), 0};
    const unsigned char *p = (const unsigned char *)s.p;
    for (size_t i = 0; i < s.n;) {
        uint32_t c = p[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len > 1 && i + len <= s.n) {
            c &= 0x7f >> len;
            for (size_t k = 1; k < len; k++) {
                if ((p[i + k] & 0xc0) != 0x80) {
                    len = 0;
                    break;
                }
                c = (c << 6) | (p[i + k] & 0x3f);
            }
        } else if (len > 1) {
            len = 0;
        }
        if (!len) {
            c = 0xfffd;
            len = 1;
        }
        i += len;
        if (c >= 0x10000) {
            c -= 0x10000;
            r.u[r.n++] = (uint16_t)(0xd800 + (c >> 10));
            r.u[r.n++] = (uint16_t)(0xdc00 + (c & 0x3ff));
        } else {
            r.u[r.n++] = (uint16_t)c;
        }
    }
    return r;
}

static void put_cp(buf_t *b, uint32_t c)
{
    char t[4];
    size_t n;
    if (c < 0x80) {
        t[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        t[0] = (char)(0xc0 | (c >> 6));
        t[1] = (char)(0x80 | (c & 0x3f));
        n = 2;
    } else if (c < 0x10000) {
        t[0] = (char)(0xe0 | (c >> 12));
        t[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        t[2] = (char)(0x80 | (c & 0x3f));
        n = 3;
    } else {
        t[0] = (char)(0xf0 | (c >> 18));
        t[1] = (char)(0x80 | ((c >> 12) & 0x3f));
        t[2] = (char)(0x80 | ((c >> 6) & 0x3f));
        t[3] = (char)(0x80 | (c & 0x3f));
        n = 4;
    }
    buf_append(b, t, n);
}

/* The code point at i (a surrogate pair joined), as String.prototype.codePointAt. */
static uint32_t cp_at(const uint16_t *u, size_t n, size_t i)
{
    uint32_t c = u[i];
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && u[i + 1] >= 0xdc00 && u[i + 1] <= 0xdfff)
        return 0x10000 + ((c - 0xd800) << 10) + (u[i + 1] - 0xdc00);
    return c;
}

static void put_u16(buf_t *b, const uint16_t *u, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t c = cp_at(u, n, i);
        put_cp(b, c);
        i += c >= 0x10000 ? 2 : 1;
    }
}

static int thrown(err_t *e, arena_t *a)
{
    return err_set(e, a, ERR_INTERNAL_SERVER_ERROR, NULL);
}

/* ---- CSV: json2csv 5.0.7, flatten transform ----------------------------------------------------
 */

typedef struct {
    const char **keys;
    struct json_object **vals;
    size_t n, cap;
} flat_t;

static void flat_set(arena_t *a, flat_t *f, const char *key, struct json_object *v)
{
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->keys[i], key)) {
            f->vals[i] = v; /* an assignment keeps the key's first position */
            return;
        }
    if (f->n == f->cap) {
        size_t cap = f->cap * 2 + 8;
        f->keys = arena_realloc(a, f->keys, f->cap * sizeof *f->keys, cap * sizeof *f->keys);
        f->vals = arena_realloc(a, f->vals, f->cap * sizeof *f->vals, cap * sizeof *f->vals);
        f->cap = cap;
    }
    f->keys[f->n] = key;
    f->vals[f->n++] = v;
}

/* flatten(): non-empty plain objects are walked, everything else is a cell. */
static void flatten(arena_t *a, flat_t *f, struct json_object *obj, const char *prefix)
{
    json_object_object_foreach(obj, key, v)
    {
        const char *path = prefix ? arena_printf(a, "%s.%s", prefix, key) : key;
        if (json_object_get_type(v) == json_type_object && json_object_object_length(v) > 0)
            flatten(a, f, v, path);
        else
            flat_set(a, f, path, v);
    }
}

static bool flat_get(const flat_t *f, const char *key, struct json_object **v)
{
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->keys[i], key)) {
            *v = f->vals[i];
            return true;
        }
    return false;
}

/* lodash.get(row, field) for a dotted field the row lacks as a key: walk the path. */
static bool flat_walk(arena_t *a, const flat_t *f, const char *field, struct json_object **v)
{
    char *path = arena_strdup(a, field), *save = NULL;
    char *seg = strtok_r(path, ".", &save);
    if (!seg || !flat_get(f, seg, v))
        return false;
    while ((seg = strtok_r(NULL, ".", &save))) {
        json_type t = json_object_get_type(*v);
        if (t == json_type_object) {
            if (!json_object_object_get_ex(*v, seg, v))
                return false;
        } else if (t == json_type_array) {
            char *end;
            long i = strtol(seg, &end, 10);
            if (*end || i < 0 || (size_t)i >= json_object_array_length(*v))
                return false;
            *v = json_object_array_get_idx(*v, (size_t)i);
        } else {
            return false;
        }
    }
    return true;
}

static void csv_quoted(buf_t *b, str_t s)
{
    buf_putc(b, '"');
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] == '"')
            buf_putc(b, '"');
        buf_putc(b, s.p[i]);
    }
    buf_putc(b, '"');
}

/* processValue: false for a cell that is undefined or null (an empty cell). */
static bool csv_cell(arena_t *a, buf_t *b, struct json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_null:
        return false;
    case json_type_boolean:
        buf_puts(b, json_object_get_boolean(v) ? "true" : "false");
        return true;
    case json_type_int:
    case json_type_double:
        js_number(b, v);
        return true;
    case json_type_string:
        csv_quoted(b, (str_t){json_object_get_string(v), (size_t)json_object_get_string_len(v)});
        return true;
    default: {
        buf_t j;
        buf_init(&j, a, 64);
        json_write(&j, v);
        csv_quoted(b, buf_slice(&j));
        return true;
    }
    }
}

static int render_csv(arena_t *a, err_t *e, const struct json_object *data, buf_t *out)
{
    bool list = json_object_get_type(data) == json_type_array;
    size_t nrows = list ? json_object_array_length(data) : 1;
    if (list && !nrows)
        return 0; /* Directus returns '' before json2csv would throw */
    flat_t *rows = arena_calloc(a, nrows, sizeof *rows);
    flat_t fields = {0};
    for (size_t r = 0; r < nrows; r++) {
        struct json_object *row = list ? json_object_array_get_idx(data, r) : (void *)data;
        if (json_object_get_type(row) != json_type_object)
            return thrown(e, a);
        flatten(a, &rows[r], row, NULL);
        for (size_t k = 0; k < rows[r].n; k++)
            flat_set(a, &fields, rows[r].keys[k], NULL);
    }
    for (size_t k = 0; k < fields.n; k++) {
        if (k)
            buf_putc(out, ',');
        csv_quoted(out, str_c(fields.keys[k]));
    }
    bool first = !fields.n;
    for (size_t r = 0; r < nrows; r++) {
        buf_t line;
        buf_init(&line, a, 256);
        bool any = false;
        for (size_t k = 0; k < fields.n; k++) {
            const char *key = fields.keys[k];
            struct json_object *v = NULL;
            bool found = flat_get(&rows[r], key, &v) ||
                         (strpbrk(key, ".[") && flat_walk(a, &rows[r], key, &v));
            if (k)
                buf_putc(&line, ',');
            any |= found && csv_cell(a, &line, v);
        }
        if (!any)
            continue; /* includeEmptyRows is off */
        if (!first)
            buf_putc(out, '\n');
        first = false;
        buf_str(out, buf_slice(&line));
    }
    return 0;
}

/* ---- XML: js2xmlparser 5.0.0 over xmlcreate ----------------------------------------------------
 */

typedef struct xnode xnode_t;
struct xnode {
    const char *name; /* NULL: a text node */
    str_t text;
    str_t *attr_names, *attr_values;
    size_t nattrs;
    xnode_t **kids;
    size_t nkids, cap;
};

static xnode_t *x_add(arena_t *a, xnode_t *parent, const char *name)
{
    xnode_t *n = arena_calloc(a, 1, sizeof *n);
    n->name = name;
    if (parent->nkids == parent->cap) {
        size_t cap = parent->cap * 2 + 4;
        parent->kids =
            arena_realloc(a, parent->kids, parent->cap * sizeof *parent->kids, cap * sizeof *n);
        parent->cap = cap;
    }
    parent->kids[parent->nkids++] = n;
    return n;
}

static bool xml_char_ok(uint32_t c)
{
    return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
           (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

static bool xml_chars_ok(arena_t *a, str_t s)
{
    u16_t u = to_u16(a, s);
    for (size_t i = 0; i < u.n;) {
        uint32_t c = cp_at(u.u, u.n, i);
        if (!xml_char_ok(c))
            return false;
        i += c >= 0x10000 ? 2 : 1;
    }
    return true;
}

static bool name_start(uint32_t c)
{
    return c == ':' || c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= 0xc0 && c <= 0xd6) || (c >= 0xd8 && c <= 0xf6) || (c >= 0xf8 && c <= 0x2ff) ||
           (c >= 0x370 && c <= 0x37d) || (c >= 0x37f && c <= 0x1fff) ||
           (c >= 0x200c && c <= 0x200d) || (c >= 0x2070 && c <= 0x218f) ||
           (c >= 0x2c00 && c <= 0x2fef) || (c >= 0x3001 && c <= 0xd7ff) ||
           (c >= 0xf900 && c <= 0xfdcf) || (c >= 0xfdf0 && c <= 0xfffd) ||
           (c >= 0x10000 && c <= 0xeffff);
}

static bool name_char(uint32_t c)
{
    return name_start(c) || c == '-' || c == '.' || (c >= '0' && c <= '9') || c == 0xb7 ||
           (c >= 0x300 && c <= 0x36f) || (c >= 0x203f && c <= 0x2040);
}

static bool xml_name_ok(arena_t *a, const char *name)
{
    u16_t u = to_u16(a, str_c(name));
    if (!u.n)
        return false;
    for (size_t i = 0; i < u.n;) {
        uint32_t c = cp_at(u.u, u.n, i);
        if (!(i ? name_char(c) : name_start(c)))
            return false;
        i += c >= 0x10000 ? 2 : 1;
    }
    return true;
}

/* String(value) for a scalar, arrays joined with ',' as Array.prototype.toString does. */
static void js_string(buf_t *b, const struct json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_null:
        buf_puts(b, "null");
        break;
    case json_type_boolean:
        buf_puts(b, json_object_get_boolean(v) ? "true" : "false");
        break;
    case json_type_int:
    case json_type_double:
        js_number(b, v);
        break;
    case json_type_string:
        buf_append(b, json_object_get_string((struct json_object *)v),
                   (size_t)json_object_get_string_len(v));
        break;
    case json_type_object:
        buf_puts(b, "[object Object]");
        break;
    case json_type_array:
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            if (i)
                buf_putc(b, ',');
            const struct json_object *x = json_object_array_get_idx(v, i);
            if (json_object_get_type(x) != json_type_null)
                js_string(b, x);
        }
        break;
    }
}

static str_t js_string_of(arena_t *a, const struct json_object *v)
{
    buf_t b;
    buf_init(&b, a, 32);
    js_string(&b, v);
    return buf_slice(&b);
}

static int x_value(arena_t *a, err_t *e, const char *key, struct json_object *v, xnode_t *parent);

static int x_text(arena_t *a, err_t *e, xnode_t *parent, str_t s)
{
    if (!xml_chars_ok(a, s))
        return thrown(e, a);
    if (s.n)
        x_add(a, parent, NULL)->text = s;
    return 0;
}

static xnode_t *x_element(arena_t *a, err_t *e, xnode_t *parent, const char *name)
{
    if (!xml_name_ok(a, name)) {
        thrown(e, a);
        return NULL;
    }
    return x_add(a, parent, name);
}

static int x_attributes(arena_t *a, err_t *e, xnode_t *el, struct json_object *attrs)
{
    size_t n = (size_t)json_object_object_length(attrs);
    el->attr_names = arena_alloc(a, (n + 1) * sizeof(str_t));
    el->attr_values = arena_alloc(a, (n + 1) * sizeof(str_t));
    json_object_object_foreach(attrs, k, v)
    {
        str_t val = js_string_of(a, v);
        if (!xml_name_ok(a, k) || !xml_chars_ok(a, val))
            return thrown(e, a);
        el->attr_names[el->nattrs] = str_c(k);
        el->attr_values[el->nattrs++] = val;
    }
    return 0;
}

static int x_entry(arena_t *a, err_t *e, const char *key, struct json_object *v, xnode_t *parent)
{
    json_type t = json_object_get_type(v);
    if (!strcmp(key, "=")) {
        parent->name = js_string_of(a, v).p;
        return xml_name_ok(a, parent->name) ? 0 : thrown(e, a);
    }
    if (key[0] == '@' && t == json_type_object)
        return x_attributes(a, e, parent, v);
    if (key[0] == '#')
        return x_value(a, e, key, v, parent);
    xnode_t *el = parent;
    if (t != json_type_array && !(el = x_element(a, e, parent, key)))
        return -1;
    return x_value(a, e, key, v, el);
}

static int x_value(arena_t *a, err_t *e, const char *key, struct json_object *v, xnode_t *parent)
{
    json_type t = json_object_get_type(v);
    if (t == json_type_object) {
        json_object_object_foreach(v, k, x)
        {
            if (x_entry(a, e, k, x, parent) < 0)
                return -1;
        }
        return 0;
    }
    if (t == json_type_array) {
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            struct json_object *item = json_object_array_get_idx(v, i);
            xnode_t *el = parent;
            if (json_object_get_type(item) != json_type_array &&
                !(el = x_element(a, e, parent, key)))
                return -1;
            if (x_value(a, e, key, item, el) < 0)
                return -1;
        }
        return 0;
    }
    return x_text(a, e, parent, js_string_of(a, v));
}

static void x_escaped(buf_t *b, str_t s, bool attr)
{
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (c == '&')
            buf_puts(b, "&amp;");
        else if (c == '<')
            buf_puts(b, "&lt;");
        else if (attr && c == '\'')
            buf_puts(b, "&apos;");
        else if (!attr && c == '>' && i >= 2 && s.p[i - 1] == ']' && s.p[i - 2] == ']')
            buf_puts(b, "&gt;");
        else
            buf_putc(b, c);
    }
}

static void x_indent(buf_t *b, int depth)
{
    buf_putc(b, '\n');
    for (int i = 0; i < depth; i++)
        buf_puts(b, "    ");
}

/* xmlcreate's pretty printing: only text inline, any element child puts every child on its own
 * line, no child self-closes. */
static void x_print(buf_t *b, const xnode_t *n, int depth)
{
    if (!n->name) {
        x_escaped(b, n->text, false);
        return;
    }
    buf_printf(b, "<%s", n->name);
    for (size_t i = 0; i < n->nattrs; i++) {
        buf_printf(b, " %.*s='", (int)n->attr_names[i].n, n->attr_names[i].p);
        x_escaped(b, n->attr_values[i], true);
        buf_putc(b, '\'');
    }
    if (!n->nkids) {
        buf_puts(b, "/>");
        return;
    }
    buf_putc(b, '>');
    bool block = false;
    for (size_t i = 0; i < n->nkids; i++)
        block |= n->kids[i]->name != NULL;
    for (size_t i = 0; i < n->nkids; i++) {
        if (block)
            x_indent(b, depth + 1);
        x_print(b, n->kids[i], depth + 1);
    }
    if (block)
        x_indent(b, depth);
    buf_printf(b, "</%s>", n->name);
}

static int render_xml(arena_t *a, err_t *e, const struct json_object *data, buf_t *out)
{
    xnode_t root = {.name = "data"};
    if (x_value(a, e, "data", (struct json_object *)data, &root) < 0)
        return -1;
    buf_puts(out, "<?xml version='1.0'?>\n");
    x_print(out, &root, 0);
    return 0;
}

/* ---- YAML: js-yaml 4.1.0 dump() -----------------------------------------------------------------
 */

enum { Y_INDENT = 2, Y_WIDTH = 80 };
enum { STYLE_PLAIN, STYLE_SINGLE, STYLE_LITERAL, STYLE_FOLDED, STYLE_DOUBLE };

static bool y_white(uint32_t c)
{
    return c == ' ' || c == '\t';
}

static bool y_printable(uint32_t c)
{
    return (c >= 0x20 && c <= 0x7e) || (c >= 0xa1 && c <= 0xd7ff && c != 0x2028 && c != 0x2029) ||
           (c >= 0xe000 && c <= 0xfffd && c != 0xfeff) || (c >= 0x10000 && c <= 0x10ffff);
}

static bool y_ns_or_white(uint32_t c)
{
    return y_printable(c) && c != 0xfeff && c != '\r' && c != '\n';
}

/* isPlainSafe in block context (the only one a JSON value reaches). prev UINT32_MAX: none. */
static bool y_plain_safe(uint32_t c, uint32_t prev)
{
    bool c_nsw = y_ns_or_white(c), c_ns = c_nsw && !y_white(c);
    bool prev_ok = prev != UINT32_MAX;
    return (c_nsw && c != '#' && !(prev_ok && prev == ':' && !c_ns)) ||
           (prev_ok && y_ns_or_white(prev) && !y_white(prev) && c == '#') ||
           (prev_ok && prev == ':' && c_ns);
}

static bool y_plain_first(uint32_t c)
{
    return y_printable(c) && c != 0xfeff && !y_white(c) &&
           !(c < 0x80 && strchr("-?:,[]{}#&*!|=>'\"%@`", (int)c));
}

static bool y_plain_last(uint32_t c)
{
    return !y_white(c) && c != ':';
}

static bool all_digits_us(const char *s, const char *end, int base)
{
    bool digits = false;
    char last = 0;
    for (; s < end; s++) {
        last = *s;
        if (*s == '_')
            continue;
        bool ok = base == 2    ? (*s == '0' || *s == '1')
                  : base == 8  ? (*s >= '0' && *s <= '7')
                  : base == 16 ? strchr("0123456789abcdefABCDEF", *s) != NULL
                               : (*s >= '0' && *s <= '9');
        if (!ok || !*s)
            return false;
        digits = true;
    }
    return digits && last != '_';
}

static bool y_is_int(const char *s, size_t n)
{
    const char *p = s, *end = s + n;
    if (p < end && (*p == '-' || *p == '+'))
        p++;
    if (p < end && *p == '0') {
        if (p + 1 == end)
            return true;
        char k = p[1];
        if (k == 'b' || k == 'x' || k == 'o')
            return all_digits_us(p + 2, end, k == 'b' ? 2 : k == 'x' ? 16 : 8);
        p++;
    }
    if (p < end && *p == '_')
        return false;
    return all_digits_us(p, end, 10);
}

/* ^(?:[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|
 *   [-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$, not ending in '_' */
static bool y_is_float(const char *s, size_t n)
{
    if (!n || s[n - 1] == '_')
        return false;
    const char *p = s, *end = s + n;
    str_t t = {s, n};
    if (str_eq(t, STR(".nan")) || str_eq(t, STR(".NaN")) || str_eq(t, STR(".NAN")))
        return true;
    if (p < end && (*p == '-' || *p == '+'))
        p++;
    str_t rest = {p, (size_t)(end - p)};
    if (str_eq(rest, STR(".inf")) || str_eq(rest, STR(".Inf")) || str_eq(rest, STR(".INF")))
        return true;
    if (p < end && *p >= '0' && *p <= '9') {
        while (p < end && ((*p >= '0' && *p <= '9') || *p == '_'))
            p++;
        if (p < end && *p == '.')
            for (p++; p < end && ((*p >= '0' && *p <= '9') || *p == '_');)
                p++;
    } else if (p == s && p < end && *p == '.') {
        const char *d = ++p;
        while (p < end && ((*p >= '0' && *p <= '9') || *p == '_'))
            p++;
        if (p == d)
            return false;
    } else {
        return false;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '-' || *p == '+'))
            p++;
        const char *d = p;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
        if (p == d)
            return false;
    }
    return p == end;
}

static bool digits_at(const char *p, const char *end, int min, int max, const char **out)
{
    int k = 0;
    while (p + k < end && k < max && p[k] >= '0' && p[k] <= '9')
        k++;
    if (k < min)
        return false;
    *out = p + k;
    return true;
}

/* The timestamp type: YYYY-MM-DD, or a date and time with optional fraction and zone. */
static bool y_is_timestamp(const char *s, size_t n)
{
    const char *p = s, *end = s + n, *q;
    if (n == 10 && digits_at(p, end, 4, 4, &q) && q == p + 4 && p[4] == '-' &&
        digits_at(p + 5, end, 2, 2, &q) && p[7] == '-' && digits_at(p + 8, end, 2, 2, &q))
        return true;
    if (!digits_at(p, end, 4, 4, &p) || p >= end || *p++ != '-' || !digits_at(p, end, 1, 2, &p) ||
        p >= end || *p++ != '-' || !digits_at(p, end, 1, 2, &p) || p >= end)
        return false;
    if (*p == 'T' || *p == 't')
        p++;
    else if (y_white((unsigned char)*p))
        while (p < end && y_white((unsigned char)*p))
            p++;
    else
        return false;
    if (!digits_at(p, end, 1, 2, &p) || p >= end || *p++ != ':' || !digits_at(p, end, 2, 2, &p) ||
        p >= end || *p++ != ':' || !digits_at(p, end, 2, 2, &p))
        return false;
    if (p < end && *p == '.')
        for (p++; p < end && *p >= '0' && *p <= '9';)
            p++;
    const char *zone = p;
    while (p < end && y_white((unsigned char)*p))
        p++;
    if (p == end)
        return true;
    if (*p == 'Z')
        return p + 1 == end;
    if (*p != '-' && *p != '+')
        return zone == end;
    if (!digits_at(p + 1, end, 1, 2, &p))
        return false;
    if (p < end && *p == ':' && !digits_at(p + 1, end, 2, 2, &p))
        return false;
    return p == end;
}

/* testImplicitResolving over the default schema: null, bool, int, float, timestamp, merge. */
static bool y_ambiguous(str_t s)
{
    static const char *const words[] = {"~",    "null",  "Null",  "NULL",  "true", "True",
                                        "TRUE", "false", "False", "FALSE", "<<"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (str_eq_c(s, words[i]))
            return true;
    return y_is_int(s.p, s.n) || y_is_float(s.p, s.n) || y_is_timestamp(s.p, s.n);
}

/* ^[-+]?[0-9_]+(?::[0-9_]+)+(?:\.[0-9_]*)?$ */
static bool y_base60(str_t s)
{
    const char *p = s.p, *end = s.p + s.n;
    if (p < end && (*p == '-' || *p == '+'))
        p++;
    int groups = 0;
    for (;;) {
        const char *d = p;
        while (p < end && ((*p >= '0' && *p <= '9') || *p == '_'))
            p++;
        if (p == d)
            return false;
        groups++;
        if (p < end && *p == ':') {
            p++;
            continue;
        }
        break;
    }
    if (groups < 2)
        return false;
    if (p < end && *p == '.')
        for (p++; p < end && ((*p >= '0' && *p <= '9') || *p == '_');)
            p++;
    return p == end;
}

static bool y_deprecated_bool(str_t s)
{
    static const char *const words[] = {"y", "Y", "yes", "Yes", "YES", "on",  "On",  "ON",
                                        "n", "N", "no",  "No",  "NO",  "off", "Off", "OFF"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (str_eq_c(s, words[i]))
            return true;
    return false;
}

static int y_choose_style(str_t raw, const u16_t *u, bool single_line, int width)
{
    uint32_t c = 0, prev = UINT32_MAX;
    bool line_break = false, foldable = false;
    long prev_break = -1;
    bool plain = y_plain_first(cp_at(u->u, u->n, 0)) && y_plain_last(cp_at(u->u, u->n, u->n - 1));
    size_t i;
    for (i = 0; i < u->n; i += c >= 0x10000 ? 2 : 1) {
        c = cp_at(u->u, u->n, i);
        if (!single_line && c == '\n') {
            line_break = true;
            foldable =
                foldable || ((long)i - prev_break - 1 > width && u->u[prev_break + 1] != ' ');
            prev_break = (long)i;
        } else if (!y_printable(c)) {
            return STYLE_DOUBLE;
        }
        plain = plain && y_plain_safe(c, prev);
        prev = c;
    }
    if (!single_line)
        foldable = foldable || ((long)i - prev_break - 1 > width && u->u[prev_break + 1] != ' ');
    if (!line_break && !foldable)
        return plain && !y_ambiguous(raw) ? STYLE_PLAIN : STYLE_SINGLE;
    return foldable ? STYLE_FOLDED : STYLE_LITERAL;
}

/* indentString: every line but empty ones gets the indentation. */
static void y_indented(buf_t *b, const uint16_t *u, size_t n, int indent)
{
    size_t pos = 0;
    while (pos < n) {
        size_t next = pos;
        while (next < n && u[next] != '\n')
            next++;
        size_t end = next < n ? next + 1 : n;
        if (!(end - pos == 1 && u[pos] == '\n'))
            for (int k = 0; k < indent; k++)
                buf_putc(b, ' ');
        put_u16(b, u + pos, end - pos);
        pos = end;
    }
}

static void y_block_header(buf_t *b, const u16_t *u)
{
    size_t k = 0;
    while (k < u->n && u->u[k] == '\n')
        k++;
    if (k < u->n && u->u[k] == ' ')
        buf_putc(b, '0' + Y_INDENT);
    bool clip = u->u[u->n - 1] == '\n';
    bool keep = clip && ((u->n >= 2 && u->u[u->n - 2] == '\n') || u->n == 1);
    buf_puts(b, keep ? "+" : clip ? "" : "-");
    buf_putc(b, '\n');
}

typedef struct {
    uint16_t *u;
    size_t n, cap;
} u16buf_t;

static void ub_put(arena_t *a, u16buf_t *o, const uint16_t *p, size_t n)
{
    if (o->n + n > o->cap) {
        size_t cap = (o->n + n) * 2 + 16;
        o->u = arena_realloc(a, o->u, o->cap * sizeof *o->u, cap * sizeof *o->u);
        o->cap = cap;
    }
    memcpy(o->u + o->n, p, n * sizeof *p);
    o->n += n;
}

static const uint16_t NL = '\n';

/* foldLine: greedy breaking at spaces followed by a non-space. */
static void y_fold_line(arena_t *a, u16buf_t *o, const uint16_t *line, size_t n, int width)
{
    if (!n || line[0] == ' ') {
        ub_put(a, o, line, n);
        return;
    }
    size_t start = 0, curr = 0, next = 0;
    bool first = true;
    for (size_t i = 0; i + 1 < n; i++) {
        if (line[i] != ' ' || line[i + 1] == ' ')
            continue;
        next = i;
        if (next - start > (size_t)width) {
            size_t end = curr > start ? curr : next;
            if (!first)
                ub_put(a, o, &NL, 1);
            first = false;
            ub_put(a, o, line + start, end - start);
            start = end + 1;
        }
        curr = next;
    }
    if (!first)
        ub_put(a, o, &NL, 1);
    if (n - start > (size_t)width && curr > start) {
        ub_put(a, o, line + start, curr - start);
        ub_put(a, o, &NL, 1);
        ub_put(a, o, line + curr + 1, n - curr - 1);
    } else {
        ub_put(a, o, line + start, n - start);
    }
}

/* foldString: k newlines between two ordinary lines become k+1 in folded style. */
static u16_t y_fold(arena_t *a, const u16_t *s, int width)
{
    u16buf_t o = {0};
    size_t i = 0;
    while (i < s->n && s->u[i] != '\n')
        i++;
    y_fold_line(a, &o, s->u, i, width);
    bool prev_more = s->u[0] == '\n' || s->u[0] == ' ';
    while (i < s->n) {
        size_t nl = i;
        while (i < s->n && s->u[i] == '\n')
            i++;
        size_t ls = i;
        while (i < s->n && s->u[i] != '\n')
            i++;
        bool more = ls < i && s->u[ls] == ' ';
        ub_put(a, &o, s->u + nl, ls - nl);
        if (!prev_more && !more && i > ls)
            ub_put(a, &o, &NL, 1);
        y_fold_line(a, &o, s->u + ls, i - ls, width);
        prev_more = more;
    }
    return (u16_t){o.u, o.n};
}

static void y_double_quoted(buf_t *b, const u16_t *u)
{
    buf_putc(b, '"');
    for (size_t i = 0; i < u->n;) {
        uint32_t c = cp_at(u->u, u->n, i);
        size_t w = c >= 0x10000 ? 2 : 1;
        const char *esc = NULL;
        switch (c) {
        case 0x00:
            esc = "\\0";
            break;
        case 0x07:
            esc = "\\a";
            break;
        case 0x08:
            esc = "\\b";
            break;
        case 0x09:
            esc = "\\t";
            break;
        case 0x0a:
            esc = "\\n";
            break;
        case 0x0b:
            esc = "\\v";
            break;
        case 0x0c:
            esc = "\\f";
            break;
        case 0x0d:
            esc = "\\r";
            break;
        case 0x1b:
            esc = "\\e";
            break;
        case 0x22:
            esc = "\\\"";
            break;
        case 0x5c:
            esc = "\\\\";
            break;
        case 0x85:
            esc = "\\N";
            break;
        case 0xa0:
            esc = "\\_";
            break;
        case 0x2028:
            esc = "\\L";
            break;
        case 0x2029:
            esc = "\\P";
            break;
        }
        if (esc)
            buf_puts(b, esc);
        else if (y_printable(c))
            put_u16(b, u->u + i, w);
        else
            buf_printf(b, c <= 0xff ? "\\x%02X" : c <= 0xffff ? "\\u%04X" : "\\U%08X", c);
        i += w;
    }
    buf_putc(b, '"');
}

/* writeScalar for a string at a nesting level. */
static void y_scalar(arena_t *a, buf_t *b, str_t s, int level, bool iskey)
{
    if (!s.n) {
        buf_puts(b, "''");
        return;
    }
    if (y_deprecated_bool(s) || y_base60(s)) {
        buf_printf(b, "'%.*s'", (int)s.n, s.p);
        return;
    }
    int indent = Y_INDENT * (level > 1 ? level : 1);
    int width = Y_WIDTH - indent > 40 ? Y_WIDTH - indent : 40;
    u16_t u = to_u16(a, s);
    int style = y_choose_style(s, &u, iskey, width);
    switch (style) {
    case STYLE_PLAIN:
        put_u16(b, u.u, u.n);
        return;
    case STYLE_SINGLE:
        buf_putc(b, '\'');
        for (size_t i = 0; i < s.n; i++) {
            if (s.p[i] == '\'')
                buf_putc(b, '\'');
            buf_putc(b, s.p[i]);
        }
        buf_putc(b, '\'');
        return;
    case STYLE_DOUBLE:
        y_double_quoted(b, &u);
        return;
    default: {
        bool folded = style == STYLE_FOLDED;
        buf_putc(b, folded ? '>' : '|');
        y_block_header(b, &u);
        u16_t body = folded ? y_fold(a, &u, width) : u;
        buf_t tmp;
        buf_init(&tmp, a, s.n * 2 + 16);
        y_indented(&tmp, body.u, body.n, indent);
        str_t t = buf_slice(&tmp);
        if (t.n && t.p[t.n - 1] == '\n')
            t.n--;
        buf_str(b, t);
    }
    }
}

static void y_number(buf_t *b, const struct json_object *v)
{
    if (json_object_get_type(v) == json_type_double) {
        double d = json_object_get_double(v);
        if (d == 0 && signbit(d)) {
            buf_puts(b, "-0.0");
            return;
        }
        if (d != floor(d)) { /* a float: "5e-7" needs its dot, as js-yaml writes "5.e-7" */
            buf_t t;
            buf_init(&t, b->arena, 32);
            json_write_double(&t, d);
            str_t s = buf_slice(&t);
            size_t k = s.n && (s.p[0] == '-' || s.p[0] == '+');
            size_t digits = k;
            while (digits < s.n && s.p[digits] >= '0' && s.p[digits] <= '9')
                digits++;
            if (digits > k && digits < s.n && s.p[digits] == 'e') {
                buf_append(b, s.p, digits);
                buf_putc(b, '.');
                buf_append(b, s.p + digits, s.n - digits);
            } else {
                buf_str(b, s);
            }
            return;
        }
    }
    js_number(b, v);
}

static void y_newline(buf_t *b, int level)
{
    buf_putc(b, '\n');
    for (int i = 0; i < Y_INDENT * level; i++)
        buf_putc(b, ' ');
}

static void y_node(arena_t *a, buf_t *b, const struct json_object *v, int level, bool compact);

static void y_mapping(arena_t *a, buf_t *b, const struct json_object *v, int level, bool compact)
{
    bool first = true;
    json_object_object_foreach((struct json_object *)v, key, val)
    {
        if (!compact || !first)
            y_newline(b, level);
        first = false;
        buf_t k;
        buf_init(&k, a, 32);
        y_scalar(a, &k, str_c(key), level + 1, true);
        bool explicit_pair = k.n > 1024;
        if (explicit_pair)
            buf_puts(b, "? ");
        buf_str(b, buf_slice(&k));
        if (explicit_pair)
            y_newline(b, level);
        buf_t d;
        buf_init(&d, a, 64);
        y_node(a, &d, val, level + 1, explicit_pair);
        buf_puts(b, d.n && d.p[0] == '\n' ? ":" : ": ");
        buf_str(b, buf_slice(&d));
    }
}

static void y_sequence(arena_t *a, buf_t *b, const struct json_object *v, int level, bool compact)
{
    for (size_t i = 0; i < json_object_array_length(v); i++) {
        if (!compact || i)
            y_newline(b, level);
        buf_t d;
        buf_init(&d, a, 64);
        y_node(a, &d, json_object_array_get_idx(v, i), level + 1, true);
        buf_puts(b, d.n && d.p[0] == '\n' ? "-" : "- ");
        buf_str(b, buf_slice(&d));
    }
}

static void y_node(arena_t *a, buf_t *b, const struct json_object *v, int level, bool compact)
{
    switch (json_object_get_type(v)) {
    case json_type_null:
        buf_puts(b, "null");
        break;
    case json_type_boolean:
        buf_puts(b, json_object_get_boolean(v) ? "true" : "false");
        break;
    case json_type_int:
    case json_type_double:
        y_number(b, v);
        break;
    case json_type_string:
        y_scalar(a, b,
                 (str_t){json_object_get_string((struct json_object *)v),
                         (size_t)json_object_get_string_len(v)},
                 level, false);
        break;
    case json_type_object:
        if (json_object_object_length(v))
            y_mapping(a, b, v, level, compact);
        else
            buf_puts(b, "{}");
        break;
    case json_type_array:
        if (json_object_array_length(v))
            y_sequence(a, b, v, level, compact);
        else
            buf_puts(b, "[]");
        break;
    }
}

static int render_yaml(arena_t *a, const struct json_object *data, buf_t *out)
{
    y_node(a, out, data, 0, true);
    buf_putc(out, '\n');
    return 0;
}

int export_render(arena_t *a, err_t *e, export_format_t f, const struct json_object *data,
                  buf_t *out)
{
    switch (f) {
    case EXPORT_CSV:
        return render_csv(a, e, data, out);
    case EXPORT_XML:
        return render_xml(a, e, data, out);
    case EXPORT_YAML:
        return render_yaml(a, data, out);
    }
    return thrown(e, a);
}
