/*
 * qs 6.13.1's parse() in C, step for step, because Directus reads filter, deep, fields and
 * aggregate out of whatever shape qs builds and clients rely on its corner cases. The JavaScript
 * runs in two phases and so does this file: parse_values() splits the string into decoded
 * key/value pairs (duplicates combined into arrays), then parse_keys() turns each bracketed key
 * into a chain of nested objects and arrays that merge() folds into the result. JavaScript
 * semantics that qs leans on are modelled explicitly: arrays may have holes until the final
 * compaction, and object keys that are array indexes ("0", "17") are enumerated first, in
 * numeric order, as in every JS engine.
 *
 * Every intermediate value lives in a private arena that is freed before returning; only the
 * final conversion allocates json-c objects.
 */
#include "lib/http/qs.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/core/arena.h"
#include "lib/core/str.h"

/* qs's defaults (lib/parse.js) with Directus's depth. */
enum { PARAM_LIMIT = 1000, ARRAY_LIMIT = 20, DEPTH = 10 };

#define NOT_INDEX UINT32_MAX

typedef struct qv qv_t;

typedef struct {
    str_t key;
    uint64_t hash;
    uint32_t index; /* the key as an array index, or NOT_INDEX */
    qv_t *val;
} qent_t;

/* A JavaScript value as qs produces it: a string, true (from merge), an array or an object. */
struct qv {
    enum { QV_STR, QV_TRUE, QV_ARR, QV_OBJ } type;
    str_t s;       /* QV_STR */
    qv_t **items;  /* QV_ARR: NULL slots are holes */
    qent_t *ents;  /* QV_OBJ: index keys first (ascending), then insertion order */
    size_t n, cap; /* QV_ARR: length; QV_OBJ: entries */
    size_t nindex; /* QV_OBJ: how many leading entries have index keys */
};

typedef struct {
    arena_t *a;
} qs_t;

/* --- values ---------------------------------------------------------------------------------- */

static qv_t *qv_new(qs_t *q, int type)
{
    qv_t *v = arena_calloc(q->a, 1, sizeof(*v));
    v->type = type;
    return v;
}

static qv_t *qv_str(qs_t *q, str_t s)
{
    qv_t *v = qv_new(q, QV_STR);
    v->s = s;
    return v;
}

static bool qv_is_object(const qv_t *v)
{
    return v->type == QV_ARR || v->type == QV_OBJ;
}

static uint64_t hash_key(str_t k)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < k.n; i++)
        h = (h ^ (unsigned char)k.p[i]) * 1099511628211ull;
    return h ^ k.n;
}

/* A canonical array index, "0" to "4294967294": the keys a JS object enumerates first. */
static uint32_t key_index(str_t k)
{
    if (k.n == 0 || k.n > 10 || (k.n > 1 && k.p[0] == '0'))
        return NOT_INDEX;
    uint64_t v = 0;
    for (size_t i = 0; i < k.n; i++) {
        if (k.p[i] < '0' || k.p[i] > '9')
            return NOT_INDEX;
        v = v * 10 + (uint64_t)(k.p[i] - '0');
    }
    return v < UINT32_MAX ? (uint32_t)v : NOT_INDEX;
}

static qent_t *obj_find(qv_t *o, str_t k, uint64_t h)
{
    for (size_t i = 0; i < o->n; i++) {
        qent_t *e = &o->ents[i];
        if (e->hash == h && e->key.n == k.n && memcmp(e->key.p, k.p, k.n) == 0)
            return e;
    }
    return NULL;
}

/* o[k] = v with JavaScript's property order: an existing key keeps its place, a new index key
 * goes among the index keys in numeric order, any other new key goes last. */
static void obj_set(qs_t *q, qv_t *o, str_t k, qv_t *v)
{
    uint64_t h = hash_key(k);
    qent_t *e = obj_find(o, k, h);
    if (e) {
        e->val = v;
        return;
    }
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 4;
        o->ents = arena_realloc(q->a, o->ents, o->cap * sizeof(qent_t), cap * sizeof(qent_t));
        o->cap = cap;
    }
    uint32_t idx = key_index(k);
    size_t at = o->n;
    if (idx != NOT_INDEX) {
        at = 0;
        while (at < o->nindex && o->ents[at].index < idx)
            at++;
        memmove(&o->ents[at + 1], &o->ents[at], (o->n - at) * sizeof(qent_t));
        o->nindex++;
    }
    o->ents[at] = (qent_t){k, h, idx, v};
    o->n++;
}

static qv_t *obj_get(qv_t *o, str_t k)
{
    qent_t *e = obj_find(o, k, hash_key(k));
    return e ? e->val : NULL;
}

/* arr[i] = v, growing the length (with holes) as JavaScript does. */
static void arr_set(qs_t *q, qv_t *arr, size_t i, qv_t *v)
{
    if (i >= arr->cap) {
        size_t cap = arr->cap ? arr->cap * 2 : 4;
        while (cap <= i)
            cap *= 2;
        arr->items =
            arena_realloc(q->a, arr->items, arr->cap * sizeof(qv_t *), cap * sizeof(qv_t *));
        memset(arr->items + arr->cap, 0, (cap - arr->cap) * sizeof(qv_t *));
        arr->cap = cap;
    }
    arr->items[i] = v;
    if (i >= arr->n)
        arr->n = i + 1;
}

static void arr_push(qs_t *q, qv_t *arr, qv_t *v)
{
    arr_set(q, arr, arr->n, v);
}

/* Appends v the way Array.prototype.concat does: an array's slots (holes kept), else v. */
static void arr_concat(qs_t *q, qv_t *arr, qv_t *v)
{
    if (v->type != QV_ARR) {
        arr_push(q, arr, v);
        return;
    }
    size_t base = arr->n;
    for (size_t i = 0; i < v->n; i++)
        if (v->items[i])
            arr_set(q, arr, base + i, v->items[i]);
    arr->n = base + v->n;
}

/* [].concat(a, b) */
static qv_t *concat2(qs_t *q, qv_t *a, qv_t *b)
{
    qv_t *arr = qv_new(q, QV_ARR);
    arr_concat(q, arr, a);
    arr_concat(q, arr, b);
    return arr;
}

static str_t index_key(qs_t *q, size_t i)
{
    char *p = arena_printf(q->a, "%zu", i);
    return (str_t){p, strlen(p)};
}

/* --- Object.prototype ------------------------------------------------------------------------ */

/* Object.getOwnPropertyNames(Object.prototype) in Node 20: qs drops keys with these names
 * (allowPrototypes: false), and merge() will not set them to true. */
static const char *const proto_names[] = {
    "constructor",      "__defineGetter__", "__defineSetter__", "hasOwnProperty",
    "__lookupGetter__", "__lookupSetter__", "isPrototypeOf",    "propertyIsEnumerable",
    "toString",         "valueOf",          "__proto__",        "toLocaleString",
};

static bool is_proto_name(str_t s)
{
    for (size_t i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++)
        if (str_eq_c(s, proto_names[i]))
            return true;
    return false;
}

/* --- decoding -------------------------------------------------------------------------------- */


static int pct_byte(str_t s, size_t i)
{
    if (i + 2 >= s.n || s.p[i] != '%')
        return -1;
    int h = str_hexval((unsigned char)s.p[i + 1]), l = str_hexval((unsigned char)s.p[i + 2]);
    return h < 0 || l < 0 ? -1 : h * 16 + l;
}

/* Whether the n octets form one UTF-8 sequence that decodeURIComponent accepts: the shortest
 * form, no surrogates, at most U+10FFFF. */
static bool utf8_valid_seq(const unsigned char *o, int n)
{
    for (int i = 1; i < n; i++)
        if ((o[i] & 0xC0) != 0x80)
            return false;
    uint32_t cp;
    switch (n) {
    case 2:
        cp = (uint32_t)(o[0] & 0x1F) << 6 | (o[1] & 0x3F);
        return cp >= 0x80;
    case 3:
        cp = (uint32_t)(o[0] & 0x0F) << 12 | (uint32_t)(o[1] & 0x3F) << 6 | (o[2] & 0x3F);
        return cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF);
    case 4:
        cp = (uint32_t)(o[0] & 0x07) << 18 | (uint32_t)(o[1] & 0x3F) << 12 |
             (uint32_t)(o[2] & 0x3F) << 6 | (o[3] & 0x3F);
        return cp >= 0x10000 && cp <= 0x10FFFF;
    default:
        return false;
    }
}

/* decodeURIComponent(in) into out (room for in.n bytes); false where JavaScript throws a
 * URIError: a '%' without two hex digits, or escapes that are not well-formed UTF-8. */
static bool uri_decode(str_t in, char *out, size_t *outn)
{
    size_t o = 0;
    for (size_t k = 0; k < in.n; k++) {
        if (in.p[k] != '%') {
            out[o++] = in.p[k];
            continue;
        }
        int b = pct_byte(in, k);
        if (b < 0)
            return false;
        k += 2;
        if (b < 0x80) {
            out[o++] = (char)b;
            continue;
        }
        /* The lead byte's high bits give the sequence length; each continuation is another
         * %XX escape (V8's IntoTwoByte). */
        unsigned char oct[4] = {(unsigned char)b};
        int len = 1;
        while ((b << len) & 0x80) {
            if (len > 3)
                return false;
            int c = pct_byte(in, k + 1);
            if (c < 0)
                return false;
            oct[len++] = (unsigned char)c;
            k += 3;
        }
        if (!utf8_valid_seq(oct, len))
            return false;
        memcpy(out + o, oct, (size_t)len);
        o += (size_t)len;
    }
    *outn = o;
    return true;
}

/* qs's utils.decode for utf-8: '+' becomes a space, then decodeURIComponent; when that throws,
 * the text with only the '+' replaced. */
static str_t qs_decode(qs_t *q, str_t in)
{
    if (!memchr(in.p, '%', in.n) && !memchr(in.p, '+', in.n))
        return in;
    char *plus = arena_alloc(q->a, in.n + 1);
    for (size_t i = 0; i < in.n; i++)
        plus[i] = in.p[i] == '+' ? ' ' : in.p[i];
    str_t s = {plus, in.n};
    if (!memchr(in.p, '%', in.n))
        return s;
    char *out = arena_alloc(q->a, in.n + 1);
    size_t n;
    if (!uri_decode(s, out, &n))
        return s;
    return (str_t){out, n};
}

/* cleanStr.replace(/%5B/gi, '[').replace(/%5D/gi, ']') in one pass: the two patterns cannot
 * overlap, nor can a replacement create a new match. */
static str_t unescape_brackets(qs_t *q, const char *s, size_t n)
{
    char *out = arena_alloc(q->a, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && s[i + 1] == '5') {
            char c = (char)(s[i + 2] | 0x20);
            if (c == 'b' || c == 'd') {
                out[o++] = c == 'b' ? '[' : ']';
                i += 2;
                continue;
            }
        }
        out[o++] = s[i];
    }
    return (str_t){out, o};
}

/* --- phase 1: key/value pairs ---------------------------------------------------------------- */

static long find_sub(str_t s, const char *pat, size_t pn)
{
    if (s.n < pn)
        return -1;
    for (size_t i = 0; i + pn <= s.n; i++)
        if (memcmp(s.p + i, pat, pn) == 0)
            return (long)i;
    return -1;
}

/* One part between '&'s: "key]=value" splits after the "]", else at the first '='. */
static void parse_part(qs_t *q, qv_t *tmp, str_t part)
{
    long pos = find_sub(part, "]=", 2);
    pos = pos < 0 ? str_index(part, '=') : pos + 1;
    str_t key, val;
    if (pos < 0) {
        key = qs_decode(q, part);
        val = (str_t){"", 0};
    } else {
        key = qs_decode(q, (str_t){part.p, (size_t)pos});
        val = qs_decode(q, (str_t){part.p + pos + 1, part.n - (size_t)pos - 1});
    }
    qv_t *v = qv_str(q, val);
    qv_t *old = obj_get(tmp, key);
    obj_set(q, tmp, key, old ? concat2(q, old, v) : v);
}

/* parseValues: split on '&' (only the first PARAM_LIMIT parts count, empty ones included) and
 * collect decoded keys in a JS-ordered object; a repeated key combines into an array. */
static qv_t *parse_values(qs_t *q, str_t s)
{
    qv_t *tmp = qv_new(q, QV_OBJ);
    size_t start = 0;
    for (int parts = 0; parts < PARAM_LIMIT; parts++) {
        const char *amp = memchr(s.p + start, '&', s.n - start);
        size_t end = amp ? (size_t)(amp - s.p) : s.n;
        parse_part(q, tmp, (str_t){s.p + start, end - start});
        if (!amp)
            break;
        start = end + 1;
    }
    return tmp;
}

/* --- phase 2: bracketed keys ----------------------------------------------------------------- */

/* The next match of /\[[^[\]]*]/ in k at or after from: sets [*b, *e) and returns true. Each
 * byte is looked at a bounded number of times, so a key of thousands of '[' stays linear. */
static bool next_segment(str_t k, size_t from, size_t *b, size_t *e)
{
    size_t i = from;
    while (i < k.n) {
        const char *open = memchr(k.p + i, '[', k.n - i);
        if (!open)
            return false;
        size_t j = (size_t)(open - k.p) + 1;
        while (j < k.n && k.p[j] != '[' && k.p[j] != ']')
            j++;
        if (j < k.n && k.p[j] == ']') {
            *b = (size_t)(open - k.p);
            *e = j + 1;
            return true;
        }
        i = j; /* at the next '[' or the end: no match can start in between */
    }
    return false;
}

/* parseObject: builds the value for one key chain from the innermost segment outwards. */
static qv_t *parse_object(qs_t *q, const str_t *chain, int nchain, qv_t *val)
{
    qv_t *leaf = val;
    for (int i = nchain - 1; i >= 0; i--) {
        str_t root = chain[i];
        qv_t *obj;
        if (str_eq_c(root, "[]")) {
            obj = qv_new(q, QV_ARR);
            arr_concat(q, obj, leaf);
        } else {
            obj = qv_new(q, QV_OBJ);
            str_t clean = root;
            bool bracketed = root.n >= 2 && root.p[0] == '[' && root.p[root.n - 1] == ']';
            if (bracketed)
                clean = (str_t){root.p + 1, root.n - 2};
            uint32_t idx = key_index(clean);
            /* parseInt(clean) round-trips and is <= arrayLimit, and the root had brackets */
            if (bracketed && idx != NOT_INDEX && idx <= ARRAY_LIMIT) {
                obj->type = QV_ARR;
                arr_set(q, obj, idx, leaf);
            } else if (!str_eq_c(clean, "__proto__")) {
                obj_set(q, obj, clean, leaf);
            }
        }
        leaf = obj;
    }
    return leaf;
}

/* parseKeys: the parent before the first segment, up to DEPTH segments, then the rest of the key
 * as one literal segment. NULL when the key is empty or names an Object.prototype property. */
static qv_t *parse_keys(qs_t *q, str_t key, qv_t *val)
{
    if (key.n == 0)
        return NULL;
    str_t chain[DEPTH + 2];
    int n = 0;
    size_t b, e;
    bool seg = next_segment(key, 0, &b, &e);
    str_t parent = seg ? (str_t){key.p, b} : key;
    if (parent.n) {
        if (is_proto_name(parent))
            return NULL;
        chain[n++] = parent;
    }
    /* The JS loop runs the regex before testing the depth, so after DEPTH segments one more
     * match decides whether a remainder exists. */
    size_t from = 0;
    int depth = 0;
    while ((seg = next_segment(key, from, &b, &e)) && depth < DEPTH) {
        depth++;
        str_t s = {key.p + b, e - b};
        if (is_proto_name((str_t){s.p + 1, s.n - 2}))
            return NULL;
        chain[n++] = s;
        from = e;
    }
    if (seg) {
        char *r = arena_alloc(q->a, key.n - b + 2);
        r[0] = '[';
        memcpy(r + 1, key.p + b, key.n - b);
        r[key.n - b + 1] = ']';
        chain[n++] = (str_t){r, key.n - b + 2};
    }
    return parse_object(q, chain, n, val);
}

static qv_t *merge(qs_t *q, qv_t *target, qv_t *source);

/* arrayToObject: the present slots under their index keys. */
static qv_t *array_to_object(qs_t *q, qv_t *arr)
{
    qv_t *o = qv_new(q, QV_OBJ);
    for (size_t i = 0; i < arr->n; i++)
        if (arr->items[i])
            obj_set(q, o, index_key(q, i), arr->items[i]);
    return o;
}

/* merge() of two arrays: a source element lands on a free index, merges into an object already
 * there, or is pushed. has(target, i) sees elements pushed by earlier iterations. */
static qv_t *merge_arrays(qs_t *q, qv_t *target, qv_t *source)
{
    for (size_t i = 0; i < source->n; i++) {
        qv_t *item = source->items[i];
        if (!item)
            continue; /* forEach skips holes */
        qv_t *cur = i < target->n ? target->items[i] : NULL;
        if (!cur)
            arr_set(q, target, i, item);
        else if (qv_is_object(cur) && qv_is_object(item))
            target->items[i] = merge(q, cur, item);
        else
            arr_push(q, target, item);
    }
    return target;
}

static void merge_entry(qs_t *q, qv_t *acc, str_t key, qv_t *value)
{
    qent_t *e = obj_find(acc, key, hash_key(key));
    if (e)
        e->val = merge(q, e->val, value);
    else
        obj_set(q, acc, key, value);
}

/* utils.merge, branch for branch. A falsy source (the empty string) leaves target alone. */
static qv_t *merge(qs_t *q, qv_t *target, qv_t *source)
{
    if (!source || (source->type == QV_STR && source->s.n == 0))
        return target;
    if (!qv_is_object(source)) {
        if (target->type == QV_ARR) {
            arr_push(q, target, source);
        } else if (target->type == QV_OBJ) {
            str_t k = source->type == QV_STR ? source->s : STR("true");
            if (!is_proto_name(k))
                obj_set(q, target, k, qv_new(q, QV_TRUE));
        } else {
            return concat2(q, target, source);
        }
        return target;
    }
    if (!qv_is_object(target))
        return concat2(q, target, source);
    if (target->type == QV_ARR && source->type == QV_ARR)
        return merge_arrays(q, target, source);
    qv_t *acc = target->type == QV_ARR ? array_to_object(q, target) : target;
    if (source->type == QV_ARR) {
        for (size_t i = 0; i < source->n; i++)
            if (source->items[i])
                merge_entry(q, acc, index_key(q, i), source->items[i]);
    } else {
        for (size_t i = 0; i < source->n; i++)
            merge_entry(q, acc, source->ents[i].key, source->ents[i].val);
    }
    return acc;
}

/* --- output ---------------------------------------------------------------------------------- */

/* The json-c value of v; arrays lose their holes (qs's utils.compact). */
static struct json_object *to_json(qs_t *q, const qv_t *v)
{
    switch (v->type) {
    case QV_STR:
        return json_object_new_string_len(v->s.n ? v->s.p : "", (int)v->s.n);
    case QV_TRUE:
        return json_object_new_boolean(1);
    case QV_ARR: {
        struct json_object *arr = json_object_new_array();
        for (size_t i = 0; i < v->n; i++)
            if (v->items[i])
                json_object_array_add(arr, to_json(q, v->items[i]));
        return arr;
    }
    case QV_OBJ:
    default: {
        struct json_object *obj = json_object_new_object();
        for (size_t i = 0; i < v->n; i++) {
            const qent_t *e = &v->ents[i];
            /* json-c keys end at the first NUL (documented in qs.h). */
            char *k = arena_strndup(q->a, e->key.p, e->key.n);
            json_object_object_add(obj, k, to_json(q, e->val));
        }
        return obj;
    }
    }
}

struct json_object *qs_parse(const char *s, size_t n)
{
    if (!s || n == 0)
        return json_object_new_object();
    qs_t q = {arena_new()};
    qv_t *tmp = parse_values(&q, unescape_brackets(&q, s, n));
    qv_t *obj = qv_new(&q, QV_OBJ);
    for (size_t i = 0; i < tmp->n; i++)
        obj = merge(&q, obj, parse_keys(&q, tmp->ents[i].key, tmp->ents[i].val));
    struct json_object *out = to_json(&q, obj);
    arena_free(q.a);
    return out;
}
