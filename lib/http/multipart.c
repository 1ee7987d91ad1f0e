#include "lib/http/multipart.h"

#include <string.h>
#include <strings.h>

#include "lib/core/buf.h"
#include "lib/core/str.h"

#define MP_MAX_HEADER 16384 /* busboy's MAX_HEADER_SIZE (Node's header limit) */

/* RFC 7230 tchar, busboy's TOKEN table. */
static bool is_token(unsigned char c)
{
    if (c >= 0x80 || c <= 0x20)
        return false;
    return !strchr("\"(),/:;<=>?@[\\]{}\x7f", c);
}

/* busboy's FIELD_VCHAR: tab, visible ASCII and every byte from 0x80. */
static bool is_vchar(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* busboy's QDTEXT: a quoted string's characters other than '"' and '\'. */
static bool is_qdtext(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f);
}

static bool is_charset_char(unsigned char c)
{
    return c < 0x80 && c > 0x20 && !strchr("\"'(),/:;<=>?@[\\]{}\x7f", c) && c != '*';
}


static str_t lower_dup(arena_t *a, str_t s)
{
    char *d = arena_alloc(a, s.n + 1);
    for (size_t i = 0; i < s.n; i++)
        d[i] = (s.p[i] >= 'A' && s.p[i] <= 'Z') ? (char)(s.p[i] + 32) : s.p[i];
    d[s.n] = 0;
    return (str_t){d, s.n};
}

/* ------------------------------------------------------------------ Content-Type */

bool mp_is_form_data(str_t ct)
{
    long semi = str_index(ct, ';');
    str_t type = str_trim(semi >= 0 ? (str_t){ct.p, (size_t)semi} : ct);
    return str_ieq_c(type, "multipart/form-data");
}

int mp_boundary(arena_t *a, str_t ct, str_t *boundary)
{
    for (size_t i = 0; i + 9 <= ct.n; i++) {
        if (strncasecmp(ct.p + i, "boundary=", 9) != 0)
            continue;
        if (i > 0 && ct.p[i - 1] != ';' && ct.p[i - 1] != ' ' && ct.p[i - 1] != '\t')
            continue;
        const char *v = ct.p + i + 9, *end = ct.p + ct.n;
        if (v < end && *v == '"') {
            buf_t b;
            buf_init(&b, a, 72);
            for (v++; v < end && *v != '"'; v++) {
                if (*v == '\\' && v + 1 < end)
                    v++;
                buf_append(&b, v, 1);
            }
            if (v >= end || !b.n)
                return -1;
            *boundary = buf_slice(&b);
            return 0;
        }
        const char *s = v;
        while (v < end && is_token((unsigned char)*v))
            v++;
        if (v == s)
            return -1;
        *boundary = (str_t){arena_strndup(a, s, (size_t)(v - s)), (size_t)(v - s)};
        return 0;
    }
    return -1;
}

/* busboy's parseContentType: "type/subtype" lower-cased, or STR_NULL when malformed. */
static str_t part_type(arena_t *a, str_t v)
{
    size_t i = 0;
    while (i < v.n && is_token((unsigned char)v.p[i]))
        i++;
    if (i == 0 || i >= v.n || v.p[i] != '/')
        return STR_NULL;
    size_t sub = ++i;
    while (i < v.n && is_token((unsigned char)v.p[i]))
        i++;
    if (i == sub)
        return STR_NULL;
    /* what follows must be parameters: whitespace then ';' */
    size_t j = i;
    while (j < v.n && (v.p[j] == ' ' || v.p[j] == '\t'))
        j++;
    if (j < v.n && v.p[j] != ';')
        return STR_NULL;
    return lower_dup(a, (str_t){v.p, i});
}

/* ------------------------------------------------------------------ Content-Disposition */

typedef struct {
    str_t name, filename, filename_ext;
    bool has_name, has_filename, has_filename_ext;
} disposition_t;

/* ISO-8859-1 bytes to UTF-8. */
static str_t latin1_to_utf8(arena_t *a, str_t s)
{
    buf_t b;
    buf_init(&b, a, s.n * 2 + 1);
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c < 0x80) {
            buf_append(&b, (const char *)&c, 1);
        } else {
            char two[2] = {(char)(0xc0 | (c >> 6)), (char)(0x80 | (c & 0x3f))};
            buf_append(&b, two, 2);
        }
    }
    return buf_slice(&b);
}

/* An RFC 5987 value (charset'lang'pct-encoded) at *i. -1 when malformed. */
static int ext_value(arena_t *a, str_t v, size_t *i, str_t *out)
{
    size_t cs = *i;
    while (*i < v.n && is_charset_char((unsigned char)v.p[*i]))
        (*i)++;
    if (*i >= v.n || v.p[*i] != '\'')
        return -1;
    str_t charset = {v.p + cs, *i - cs};
    (*i)++;
    while (*i < v.n && v.p[*i] != '\'')
        (*i)++;
    if (*i >= v.n)
        return -1;
    (*i)++;
    if (*i >= v.n)
        return -1;
    buf_t b;
    buf_init(&b, a, v.n - *i + 1);
    for (; *i < v.n; (*i)++) {
        unsigned char c = (unsigned char)v.p[*i];
        if (c == '%') {
            int hi, lo;
            if (*i + 2 < v.n && (hi = str_hexval((unsigned char)v.p[*i + 1])) >= 0 &&
                (lo = str_hexval((unsigned char)v.p[*i + 2])) >= 0) {
                char byte = (char)((hi << 4) | lo);
                buf_append(&b, &byte, 1);
                *i += 2;
                continue;
            }
            return -1;
        }
        if (!is_token(c) || c == '*' || c == '\'')
            break;
        buf_append(&b, (const char *)&c, 1);
    }
    str_t raw = buf_slice(&b);
    bool latin1 = str_ieq_c(charset, "iso-8859-1") || str_ieq_c(charset, "latin1") ||
                  str_ieq_c(charset, "iso8859-1");
    *out = latin1 ? latin1_to_utf8(a, raw) : raw;
    return 0;
}

/* A plain value at *i (after '='): quoted (only \" and \\ unescape) or a token. */
static int plain_value(arena_t *a, str_t v, size_t *i, str_t *out)
{
    if (*i >= v.n)
        return -1;
    if (v.p[*i] != '"') {
        size_t s = *i;
        while (*i < v.n && is_token((unsigned char)v.p[*i]))
            (*i)++;
        if (*i == s)
            return -1;
        *out = (str_t){v.p + s, *i - s};
        return 0;
    }
    buf_t b;
    buf_init(&b, a, 64);
    for ((*i)++; *i < v.n; (*i)++) {
        unsigned char c = (unsigned char)v.p[*i];
        if (c == '"') {
            (*i)++;
            *out = buf_slice(&b);
            return 0;
        }
        if (c == '\\' && *i + 1 < v.n && (v.p[*i + 1] == '"' || v.p[*i + 1] == '\\')) {
            (*i)++;
            buf_append(&b, v.p + *i, 1);
            continue;
        }
        if (c != '\\' && !is_qdtext(c))
            return -1;
        buf_append(&b, (const char *)&c, 1);
    }
    return -1; /* no closing quote */
}

/* busboy's parseDisposition: -1 when the header is malformed (the part is skipped). */
static int parse_disposition(arena_t *a, str_t v, disposition_t *d)
{
    size_t i = 0;
    while (i < v.n && is_token((unsigned char)v.p[i]))
        i++;
    if (!str_ieq_c((str_t){v.p, i}, "form-data"))
        return -1;
    while (i < v.n) {
        while (i < v.n && (v.p[i] == ' ' || v.p[i] == '\t'))
            i++;
        if (i == v.n)
            break;
        if (v.p[i++] != ';')
            return -1;
        while (i < v.n && (v.p[i] == ' ' || v.p[i] == '\t'))
            i++;
        size_t ns = i;
        while (i < v.n && is_token((unsigned char)v.p[i]))
            i++;
        if (i >= v.n || v.p[i] != '=' || i == ns)
            return -1;
        str_t name = {v.p + ns, i - ns}, val;
        i++;
        bool ext = v.p[i - 2] == '*';
        if ((ext ? ext_value(a, v, &i, &val) : plain_value(a, v, &i, &val)) < 0)
            return -1;
        /* The first occurrence of a parameter wins. */
        if (str_ieq_c(name, "name") && !d->has_name)
            d->name = val, d->has_name = true;
        else if (str_ieq_c(name, "filename") && !d->has_filename)
            d->filename = val, d->has_filename = true;
        else if (str_ieq_c(name, "filename*") && !d->has_filename_ext)
            d->filename_ext = val, d->has_filename_ext = true;
    }
    return 0;
}

/* busboy's basename: after the last '/' or '\'; "." and ".." become "". */
static str_t base_name(str_t s)
{
    for (size_t i = s.n; i > 0; i--) {
        if (s.p[i - 1] == '/' || s.p[i - 1] == '\\') {
            s = (str_t){s.p + i, s.n - i};
            break;
        }
    }
    if (str_eq_c(s, ".") || str_eq_c(s, ".."))
        return (str_t){s.p, 0};
    return s;
}

/* ------------------------------------------------------------------ headers */

typedef struct {
    str_t disposition, type;
    bool has_disposition, has_type;
} part_headers_t;

static void keep_header(arena_t *a, part_headers_t *h, str_t name, str_t value)
{
    if (str_ieq_c(name, "content-disposition") && !h->has_disposition)
        h->disposition = value, h->has_disposition = true;
    else if (str_ieq_c(name, "content-type") && !h->has_type)
        h->type = value, h->has_type = true;
    (void)a;
}

/* The header block at [i, end): *body is where the content starts. -1 when malformed. */
static int parse_headers(arena_t *a, const char *p, size_t i, size_t end, part_headers_t *h,
                         size_t *body)
{
    size_t start = i;
    for (;;) {
        size_t ns = i;
        while (i < end && is_token((unsigned char)p[i]))
            i++;
        if (i >= end || p[i] != ':' || i == ns)
            return -1;
        str_t name = {p + ns, i - ns};
        i++;
        while (i < end && (p[i] == ' ' || p[i] == '\t'))
            i++;
        buf_t value;
        buf_init(&value, a, 64);
        for (;;) {
            size_t vs = i;
            while (i < end && is_vchar((unsigned char)p[i]))
                i++;
            buf_append(&value, p + vs, i - vs);
            if (i + 1 >= end || p[i] != '\r' || p[i + 1] != '\n')
                return -1;
            i += 2;
            if (i - start > MP_MAX_HEADER)
                return -1;
            if (i < end && (p[i] == ' ' || p[i] == '\t'))
                continue; /* a folded line: its whitespace is part of the value */
            break;
        }
        keep_header(a, h, name, buf_slice(&value));
        if (i < end && p[i] == '\r') {
            if (i + 1 >= end || p[i + 1] != '\n')
                return -1;
            *body = i + 2;
            return 0;
        }
        if (i >= end)
            return -1;
    }
}

/* ------------------------------------------------------------------ parts */

void mp_init(mp_parser_t *m, arena_t *a, str_t boundary, const char *body, size_t n)
{
    char *d = arena_alloc(a, boundary.n + 5);
    memcpy(d, "\r\n--", 4);
    memcpy(d + 4, boundary.p, boundary.n);
    d[boundary.n + 4] = 0;
    *m = (mp_parser_t){.p = body, .n = n, .delim = d, .dn = boundary.n + 4};
}

/* The offset of the next delimiter at or after from, or -1. */
static long find_delim(const mp_parser_t *m, size_t from)
{
    if (from >= m->n)
        return -1;
    const char *hit = memmem(m->p + from, m->n - from, m->delim, m->dn);
    return hit ? hit - m->p : -1;
}

/* Moves past the first delimiter: the body is read as if a CRLF came first. */
static int first_delim(mp_parser_t *m)
{
    m->started = true;
    if (m->n >= m->dn - 2 && !memcmp(m->p, m->delim + 2, m->dn - 2)) {
        m->pos = m->dn - 2;
        return 0;
    }
    long at = find_delim(m, 0);
    if (at < 0)
        return -1;
    m->pos = (size_t)at + m->dn;
    return 0;
}

/* Turns a part's headers into *part: 1 when it is a field or a file, 0 when it is skipped. */
static int classify(arena_t *a, const part_headers_t *h, mp_part_t *part)
{
    disposition_t d = {0};
    if (!h->has_disposition || parse_disposition(a, h->disposition, &d) < 0)
        return 0;
    part->name = d.has_name ? d.name : STR_NULL;
    /* busboy tests the parameters' truthiness: an empty one is no filename. */
    bool ext = d.has_filename_ext && d.filename_ext.n;
    part->has_filename = ext || (d.has_filename && d.filename.n);
    if (part->has_filename)
        part->filename = base_name(ext ? d.filename_ext : d.filename);
    part->type = STR("text/plain");
    if (h->has_type) {
        str_t t = part_type(a, h->type);
        if (t.p)
            part->type = t;
    }
    part->is_file = part->has_filename || str_eq_c(part->type, "application/octet-stream");
    return 1;
}

int mp_next(mp_parser_t *m, arena_t *a, mp_part_t *part, const char **msg)
{
    *msg = "Unexpected end of form";
    if (!m->started && first_delim(m) < 0)
        return -1;
    while (!m->done) {
        if (m->pos + 1 >= m->n)
            return -1;
        const char *p = m->p + m->pos;
        if (p[0] == '-' && p[1] == '-') {
            m->done = true;
            return 0;
        }
        if (p[0] != '\r' || p[1] != '\n') {
            /* Anything else after a delimiter is content of no part: skipped. */
            long next = find_delim(m, m->pos);
            if (next < 0)
                return -1;
            m->pos = (size_t)next + m->dn;
            continue;
        }
        size_t hs = m->pos + 2;
        long end = find_delim(m, hs);
        if (end < 0)
            return -1;
        part_headers_t h = {0};
        size_t body;
        if (parse_headers(a, m->p, hs, (size_t)end, &h, &body) < 0) {
            *msg = "Malformed part header";
            return -1;
        }
        m->pos = (size_t)end + m->dn;
        *part = (mp_part_t){.data = {m->p + body, (size_t)end - body}};
        if (classify(a, &h, part))
            return 1;
    }
    return 0;
}
