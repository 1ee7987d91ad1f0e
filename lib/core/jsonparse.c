/*
 * JSON.parse as V8 11.3 (Node 20) implements it in src/json/json-parser.cc, including the exact
 * text of its SyntaxError messages, because Directus answers a malformed body with that text.
 * The structure follows V8's: one loop that produces a value, then hands it to the innermost open
 * array or object (a continuation stack, never C recursion), and the first error ends the parse.
 *
 * V8 works on the decoded JavaScript string, we work on UTF-8 bytes. Grammar decisions only ever
 * look at ASCII bytes, so they agree; error positions and the source excerpts quoted in messages
 * are converted to UTF-16 code units when a message is built, decoding the bytes the way Node
 * does (invalid sequences become U+FFFD, one per maximal invalid subpart). Strings are the one
 * place where the two views part: bytes that are not UTF-8 inside a string are kept as they are,
 * where Node would already hold U+FFFD for them.
 */
#include "lib/core/jsonparse.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/buf.h"
#include "lib/core/json.h"
#include "lib/core/str.h"

#define NOT_INDEX UINT32_MAX
#define MAX_SAFE 9007199254740992.0 /* 2^53 */

typedef struct {
    struct json_object *arr; /* array frame: the array being filled; NULL for an object frame */
    size_t prop_base;        /* object frame: its first entry on the property stack */
} frame_t;

typedef struct {
    const char *key; /* arena copy, NUL-terminated */
    size_t kn;
    struct json_object *val;
} prop_t;

typedef struct {
    arena_t *a;
    const unsigned char *s;
    size_t n;
    size_t i; /* the cursor */
    int max_depth;
    const char *err;
    frame_t *frames;
    size_t nframes, frames_cap;
    prop_t *props;
    size_t nprops, props_cap;
} jp_t;

/* --- UTF-8 as Node decodes it ---------------------------------------------------------------- */

/* Decodes the character at s[i]: sets *cp and returns its length in bytes. An invalid sequence
 * gives U+FFFD for its maximal valid prefix (WHATWG, as Buffer#toString and iconv-lite do). */
static size_t u8_decode(const unsigned char *s, size_t n, size_t i, uint32_t *cp)
{
    unsigned c = s[i], need, lo = 0x80, hi = 0xBF;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        need = 1, v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2, v = c & 0x0F;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3, v = c & 0x07;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    size_t k;
    for (k = 1; k <= need; k++) {
        if (i + k >= n || s[i + k] < lo || s[i + k] > hi) {
            *cp = 0xFFFD;
            return k;
        }
        v = v << 6 | (s[i + k] & 0x3F);
        lo = 0x80, hi = 0xBF;
    }
    *cp = v;
    return k;
}

/* UTF-8, or for a surrogate code point its 3-byte WTF-8 form. */
static void put_wtf8(buf_t *b, uint32_t cp)
{
    char u[4];
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
        return;
    }
    if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F));
        buf_append(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        buf_append(b, u, 3);
    } else {
        u[0] = (char)(0xF0 | cp >> 18), u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        u[2] = (char)(0x80 | (cp >> 6 & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F));
        buf_append(b, u, 4);
    }
}

static uint32_t high_surrogate(uint32_t cp)
{
    return 0xD800 + ((cp - 0x10000) >> 10);
}

static uint32_t low_surrogate(uint32_t cp)
{
    return 0xDC00 + ((cp - 0x10000) & 0x3FF);
}

/* The position of byte offset off in UTF-16 code units. */
static size_t u16_pos(const jp_t *p, size_t off)
{
    size_t u = 0;
    uint32_t cp;
    for (size_t i = 0; i < off && i < p->n; u += 1 + (cp > 0xFFFF))
        i += u8_decode(p->s, p->n, i, &cp);
    return u;
}

/* Appends the UTF-16 code units [from, to) of the source, as String#substring would cut them:
 * half of a surrogate pair comes out as a lone surrogate. */
static void put_u16_range(buf_t *b, const jp_t *p, size_t from, size_t to)
{
    size_t u = 0, len;
    uint32_t cp;
    for (size_t i = 0; i < p->n && u < to; i += len) {
        len = u8_decode(p->s, p->n, i, &cp);
        if (cp <= 0xFFFF) {
            if (u >= from)
                put_wtf8(b, cp);
            u++;
            continue;
        }
        if (u >= from && u + 1 < to)
            put_wtf8(b, cp);
        else if (u >= from)
            put_wtf8(b, high_surrogate(cp));
        else if (u + 1 >= from && u + 1 < to)
            put_wtf8(b, low_surrogate(cp));
        u += 2;
    }
}

/* --- error messages -------------------------------------------------------------------------- */

static int fail_msg(jp_t *p, const char *msg)
{
    if (!p->err)
        p->err = msg;
    return -1;
}

/* "<what> at position N" (V8 11.3 prints no line and column). */
static int fail_at(jp_t *p, const char *what, size_t off)
{
    return fail_msg(p, arena_printf(p->a, "%s at position %zu", what, u16_pos(p, off)));
}

/* V8's IsSpecialString: the whole source is what String() makes of a common wrong argument. */
static bool is_special_source(const jp_t *p)
{
    static const char *const special[] = {"[object Object]", "undefined", "Infinity", "NaN"};
    for (size_t k = 0; k < sizeof(special) / sizeof(special[0]); k++)
        if (p->n == strlen(special[k]) && memcmp(p->s, special[k], p->n) == 0)
            return true;
    return false;
}

/* "Unexpected token 'c', "<source>" is not valid JSON": the source is quoted whole below 21 code
 * units, else 10 units either side of the token, with "..." where it was cut. */
static int fail_token_context(jp_t *p, size_t off)
{
    enum { CONTEXT = 10 };
    buf_t b;
    buf_init(&b, p->a, 96);
    uint32_t cp;
    u8_decode(p->s, p->n, off, &cp);
    size_t pos = u16_pos(p, off), len = u16_pos(p, p->n);
    buf_puts(&b, "Unexpected token '");
    put_wtf8(&b, cp > 0xFFFF ? high_surrogate(cp) : cp);
    buf_puts(&b, "', ");
    if (len < 2 * CONTEXT + 1) {
        buf_putc(&b, '"');
        put_u16_range(&b, p, 0, len);
        buf_putc(&b, '"');
    } else if (pos < CONTEXT) {
        buf_putc(&b, '"');
        put_u16_range(&b, p, 0, pos + CONTEXT);
        buf_puts(&b, "\"...");
    } else if (pos < len - CONTEXT) {
        buf_puts(&b, "...\"");
        put_u16_range(&b, p, pos - CONTEXT, pos + CONTEXT);
        buf_puts(&b, "\"...");
    } else {
        buf_puts(&b, "...\"");
        put_u16_range(&b, p, pos - CONTEXT, len);
        buf_putc(&b, '"');
    }
    buf_puts(&b, " is not valid JSON");
    return fail_msg(p, b.p);
}

/* V8's ReportUnexpectedCharacter: the message depends on what kind of token starts at off. */
static int fail_token(jp_t *p, size_t off)
{
    if (off >= p->n)
        return fail_msg(p, "Unexpected end of JSON input");
    unsigned c = p->s[off];
    if (c == '"')
        return fail_at(p, "Unexpected string in JSON", off);
    if (c == '-' || (c >= '0' && c <= '9'))
        return fail_at(p, "Unexpected number in JSON", off);
    if (is_special_source(p)) {
        return fail_msg(
            p, arena_printf(p->a, "\"%.*s\" is not valid JSON", (int)p->n, (const char *)p->s));
    }
    return fail_token_context(p, off);
}

/* --- scanning -------------------------------------------------------------------------------- */

static void skip_ws(jp_t *p)
{
    while (p->i < p->n) {
        unsigned c = p->s[p->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->i++;
    }
}

static int peek(const jp_t *p)
{
    return p->i < p->n ? p->s[p->i] : -1;
}


static uint32_t hex4(const unsigned char *s)
{
    return (uint32_t)(str_hexval(s[0]) << 12 | str_hexval(s[1]) << 8 | str_hexval(s[2]) << 4 | str_hexval(s[3]));
}

/* Validates one escape after the backslash at p->i; leaves the cursor on its last byte. */
static int check_escape(jp_t *p)
{
    size_t at = ++p->i;
    if (at >= p->n)
        return fail_msg(p, "Unexpected end of JSON input");
    switch (p->s[at]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
        return 0;
    case 'u':
        for (int k = 1; k <= 4; k++) {
            if (at + k >= p->n || str_hexval(p->s[at + k]) < 0)
                return fail_at(p, "Bad Unicode escape in JSON", at + k);
        }
        p->i = at + 4;
        return 0;
    default: {
        /* V8 looks the escape up for Latin-1 characters; anything wider is an unexpected token. */
        uint32_t cp;
        u8_decode(p->s, p->n, at, &cp);
        if (cp > 0xFF)
            return fail_token(p, at);
        return fail_at(p, "Bad escaped character in JSON", at);
    }
    }
}

/* Decodes the escaped string body [b, e) into the arena. Escapes never make the text longer. */
static str_t unescape(jp_t *p, size_t b, size_t e)
{
    buf_t out;
    buf_init(&out, p->a, e - b + 1);
    for (size_t i = b; i < e; i++) {
        unsigned c = p->s[i];
        if (c != '\\') {
            buf_putc(&out, (char)c);
            continue;
        }
        c = p->s[++i];
        switch (c) {
        case 'b':
            buf_putc(&out, '\b');
            break;
        case 'f':
            buf_putc(&out, '\f');
            break;
        case 'n':
            buf_putc(&out, '\n');
            break;
        case 'r':
            buf_putc(&out, '\r');
            break;
        case 't':
            buf_putc(&out, '\t');
            break;
        case 'u': {
            uint32_t cp = hex4(p->s + i + 1);
            i += 4;
            /* A high surrogate escape directly followed by a low one is one character. */
            if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < e && p->s[i + 1] == '\\' &&
                p->s[i + 2] == 'u') {
                uint32_t lo = hex4(p->s + i + 3);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
            }
            put_wtf8(&out, cp);
            break;
        }
        default:
            buf_putc(&out, (char)c);
            break; /* '"', '\\', '/' */
        }
    }
    return buf_slice(&out);
}

/* A string at the opening quote under the cursor: its decoded text in *out, cursor past the
 * closing quote. The text is a slice of the input when there is nothing to unescape. */
static int scan_string(jp_t *p, str_t *out)
{
    size_t b = ++p->i;
    bool escaped = false;
    for (;; p->i++) {
        if (p->i >= p->n)
            return fail_at(p, "Unterminated string in JSON", p->n);
        unsigned c = p->s[p->i];
        if (c == '"')
            break;
        if (c == '\\') {
            escaped = true;
            if (check_escape(p))
                return -1;
        } else if (c < 0x20) {
            return fail_at(p, "Bad control character in string literal in JSON", p->i);
        }
    }
    size_t e = p->i++;
    *out = escaped ? unescape(p, b, e) : (str_t){(const char *)p->s + b, e - b};
    return 0;
}

static bool is_digit_at(const jp_t *p, size_t i)
{
    return i < p->n && p->s[i] >= '0' && p->s[i] <= '9';
}

/* A number at the cursor ('-' or a digit), checked in V8's order. */
static int scan_number(jp_t *p, struct json_object **out)
{
    size_t b = p->i;
    bool integral = true;
    if (p->s[p->i] == '-')
        p->i++;
    if (peek(p) == '0') {
        if (is_digit_at(p, ++p->i))
            return fail_at(p, "Unexpected number in JSON", p->i);
    } else if (is_digit_at(p, p->i)) {
        while (is_digit_at(p, p->i))
            p->i++;
    } else {
        return fail_at(p, "No number after minus sign in JSON", p->i);
    }
    if (peek(p) == '.') {
        integral = false;
        if (!is_digit_at(p, ++p->i))
            return fail_at(p, "Unterminated fractional number in JSON", p->i);
        while (is_digit_at(p, p->i))
            p->i++;
    }
    if (peek(p) == 'e' || peek(p) == 'E') {
        integral = false;
        p->i++;
        if (peek(p) == '+' || peek(p) == '-')
            p->i++;
        if (!is_digit_at(p, p->i))
            return fail_at(p, "Exponent part is missing a number in JSON", p->i);
        while (is_digit_at(p, p->i))
            p->i++;
    }
    size_t len = p->i - b;
    bool neg = p->s[b] == '-';
    /* Up to 15 digits fit an int64 exactly and stay below 2^53. "-0" is a double in JS. */
    if (integral && len - neg <= 15 && !(neg && p->s[b + 1] == '0')) {
        int64_t v = 0;
        for (size_t k = b + neg; k < p->i; k++)
            v = v * 10 + (p->s[k] - '0');
        *out = json_object_new_int64(neg ? -v : v);
        return 0;
    }
    /* strtod rounds correctly and overflows to infinity as JavaScript does; Celer never calls
     * setlocale(), so the decimal point is '.'. */
    double d = strtod(arena_strndup(p->a, (const char *)p->s + b, len), NULL);
    if (d >= -MAX_SAFE && d <= MAX_SAFE && d == (double)(int64_t)d && !(d == 0 && neg))
        *out = json_object_new_int64((int64_t)d);
    else
        *out = json_object_new_double(d);
    return 0;
}

/* true, false or null at the cursor: V8 reports the first byte that differs. */
static int scan_literal(jp_t *p, const char *lit)
{
    for (size_t k = 1; lit[k]; k++)
        if (p->i + k >= p->n || p->s[p->i + k] != (unsigned char)lit[k])
            return fail_token(p, p->i + k);
    p->i += strlen(lit);
    return 0;
}

/* --- containers ------------------------------------------------------------------------------ */

/* The key as a JavaScript array index ("0" to "4294967294"), or NOT_INDEX. */
static uint32_t key_index(const char *k, size_t n)
{
    if (n == 0 || n > 10 || (n > 1 && k[0] == '0'))
        return NOT_INDEX;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (k[i] < '0' || k[i] > '9')
            return NOT_INDEX;
        v = v * 10 + (uint64_t)(k[i] - '0');
    }
    return v < UINT32_MAX ? (uint32_t)v : NOT_INDEX;
}

typedef struct {
    uint32_t index;
    size_t at;
} order_t;

static int cmp_order(const void *x, const void *y)
{
    const order_t *a = x, *b = y;
    if (a->index != b->index)
        return a->index < b->index ? -1 : 1;
    return a->at < b->at ? -1 : a->at > b->at;
}

/* The object for props [base, nprops), in JavaScript's property order: index keys ascending,
 * then the others in source order. json_object_object_add() on a key already present replaces
 * the value in place, which is exactly "last wins, first position". */
static struct json_object *build_object(jp_t *p, size_t base)
{
    struct json_object *obj = json_object_new_object();
    prop_t *pr = p->props + base;
    size_t n = p->nprops - base, nidx = 0;
    order_t *idx = NULL;
    for (size_t k = 0; k < n; k++) {
        uint32_t v = key_index(pr[k].key, pr[k].kn);
        if (v == NOT_INDEX)
            continue;
        if (!idx)
            idx = arena_alloc(p->a, n * sizeof(*idx));
        idx[nidx++] = (order_t){v, k};
    }
    if (nidx) {
        qsort(idx, nidx, sizeof(*idx), cmp_order);
        for (size_t k = 0; k < nidx; k++)
            json_object_object_add(obj, pr[idx[k].at].key, pr[idx[k].at].val);
    }
    for (size_t k = 0; k < n; k++)
        if (!nidx || key_index(pr[k].key, pr[k].kn) == NOT_INDEX)
            json_object_object_add(obj, pr[k].key, pr[k].val);
    p->nprops = base;
    return obj;
}

static void push_frame(jp_t *p, struct json_object *arr)
{
    if (p->nframes == p->frames_cap) {
        size_t cap = p->frames_cap ? p->frames_cap * 2 : 16;
        p->frames =
            arena_realloc(p->a, p->frames, p->frames_cap * sizeof(frame_t), cap * sizeof(frame_t));
        p->frames_cap = cap;
    }
    p->frames[p->nframes++] = (frame_t){arr, p->nprops};
}

/* Scans "key" : at the cursor onto the property stack; the value comes next. V8 has a message
 * for a missing ':' only after an object's first key; after later keys it reports the token. */
static int scan_key(jp_t *p, const char *expected, bool first)
{
    skip_ws(p);
    if (peek(p) != '"')
        return fail_at(p, expected, p->i);
    str_t k;
    if (scan_string(p, &k))
        return -1;
    if (p->nprops == p->props_cap) {
        size_t cap = p->props_cap ? p->props_cap * 2 : 16;
        p->props =
            arena_realloc(p->a, p->props, p->props_cap * sizeof(prop_t), cap * sizeof(prop_t));
        p->props_cap = cap;
    }
    p->props[p->nprops++] = (prop_t){arena_strndup(p->a, k.p, k.n), k.n, NULL};
    skip_ws(p);
    if (peek(p) != ':') {
        if (!first)
            return fail_token(p, p->i);
        return fail_at(p, "Expected ':' after property name in JSON", p->i);
    }
    p->i++;
    return 0;
}

/* Opens '{' or '[' at the cursor. Returns 1 when it closed at once (*v is the empty value), 0
 * when a frame was pushed and its first value comes next, -1 on error. */
static int open_container(jp_t *p, struct json_object **v)
{
    bool obj = p->s[p->i] == '{';
    if (p->nframes >= (size_t)(p->max_depth > 0 ? p->max_depth : 0)) {
        return fail_msg(p, arena_printf(p->a, "Maximum nesting depth exceeded at position %zu",
                                        u16_pos(p, p->i)));
    }
    p->i++;
    skip_ws(p);
    if (peek(p) == (obj ? '}' : ']')) {
        p->i++;
        *v = obj ? json_object_new_object() : json_object_new_array();
        return 1;
    }
    push_frame(p, obj ? NULL : json_object_new_array());
    return obj ? scan_key(p, "Expected property name or '}' in JSON", true) : 0;
}

/* Produces one scalar or opens a container. 1: *v is a complete value; 0: a container was opened
 * and its first member comes next; -1: error. */
static int produce(jp_t *p, struct json_object **v)
{
    skip_ws(p);
    switch (peek(p)) {
    case '"': {
        str_t s;
        if (scan_string(p, &s))
            return -1;
        *v = json_object_new_string_len(s.n ? s.p : "", (int)s.n);
        return 1;
    }
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        return scan_number(p, v) ? -1 : 1;
    case '{':
    case '[':
        return open_container(p, v);
    case 't':
    case 'f': {
        bool t = peek(p) == 't';
        if (scan_literal(p, t ? "true" : "false"))
            return -1;
        *v = json_object_new_boolean(t);
        return 1;
    }
    case 'n':
        *v = NULL; /* json-c's null */
        return scan_literal(p, "null") ? -1 : 1;
    default:
        return fail_token(p, p->i);
    }
}

/* Hands the finished value v to the innermost frame, closing frames as they end. 1: the whole
 * document is done (*v is the root); 0: the next member comes next; -1: error. */
static int consume(jp_t *p, struct json_object **v)
{
    while (p->nframes) {
        frame_t *f = &p->frames[p->nframes - 1];
        if (f->arr) {
            json_object_array_add(f->arr, *v);
            skip_ws(p);
            if (peek(p) == ',') {
                p->i++;
                return 0;
            }
            if (peek(p) != ']')
                return fail_at(p, "Expected ',' or ']' after array element in JSON", p->i);
            *v = f->arr;
        } else {
            p->props[p->nprops - 1].val = *v;
            skip_ws(p);
            if (peek(p) == ',') {
                p->i++;
                return scan_key(p, "Expected double-quoted property name in JSON", false);
            }
            if (peek(p) != '}')
                return fail_at(p, "Expected ',' or '}' after property value in JSON", p->i);
            *v = build_object(p, f->prop_base);
        }
        p->i++;
        p->nframes--;
    }
    return 1;
}

/* Releases what an aborted parse still holds: open arrays and the values of open objects. */
static void release(jp_t *p)
{
    for (size_t k = 0; k < p->nframes; k++)
        json_object_put(p->frames[k].arr);
    for (size_t k = 0; k < p->nprops; k++)
        json_object_put(p->props[k].val);
}

static int parse_value(jp_t *p, struct json_object **out)
{
    struct json_object *v = NULL;
    for (;;) {
        int r = produce(p, &v);
        if (r == 1)
            r = consume(p, &v);
        if (r < 0) {
            release(p);
            return -1;
        }
        if (r == 1)
            break;
    }
    skip_ws(p);
    if (p->i < p->n) {
        json_object_put(v);
        return fail_at(p, "Unexpected non-whitespace character after JSON", p->i);
    }
    *out = v;
    return 0;
}

/* body-parser's strict check. Its createStrictSyntaxError() re-parses a copy with everything from
 * the first character on replaced by '#' and puts the text back into V8's message, which makes
 * it V8's "Unexpected token" message for that character, whatever token it starts. */
static int strict_check(jp_t *p)
{
    skip_ws(p);
    if (p->i == p->n)
        return fail_msg(p, "Unexpected end of JSON input");
    if (p->s[p->i] != '{' && p->s[p->i] != '[')
        return fail_token_context(p, p->i);
    p->i = 0;
    return 0;
}

int jsonparse(arena_t *a, const char *s, size_t n, unsigned flags, int max_depth,
              struct json_object **out, const char **errmsg)
{
    jp_t p = {.a = a, .s = (const unsigned char *)s, .n = s ? n : 0, .max_depth = max_depth};
    struct json_object *v = NULL;
    int rc = 0;
    if (flags & JSONPARSE_STRICT_BODY) {
        /* iconv-lite drops one BOM while decoding the body; an empty body is {} by fiat. */
        if (p.n >= 3 && memcmp(p.s, "\xEF\xBB\xBF", 3) == 0)
            p.s += 3, p.n -= 3;
        if (p.n == 0)
            v = json_object_new_object();
        else
            rc = strict_check(&p);
    }
    if (rc == 0 && !v)
        rc = parse_value(&p, &v);
    *out = rc ? NULL : json_own(a, v);
    if (errmsg)
        *errmsg = rc ? p.err : NULL;
    return rc;
}
