/*
 * Parse to a small tree, then match by backtracking with explicit continuations: every node is
 * matched with "what comes after" as a frame on the C stack, so alternation, quantified groups
 * and lookaheads backtrack the way ECMAScript's RepeatMatcher does. Runs of a single-character
 * atom (`.*`, `[a-z]{8,}`) are scanned iteratively and backtracked by count, so `.*` over a long
 * password costs steps, not stack.
 */
#include "lib/auth/jsregex.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "lib/core/str.h"

enum { N_CHAR, N_ANY, N_CLASS, N_BOL, N_EOL, N_WORDB, N_NWORDB, N_GROUP, N_LOOK, N_BACKREF };

typedef struct {
    uint32_t lo, hi;
} range_t;

typedef struct node node_t;
typedef struct {
    node_t *v;
    int n;
} seq_t;

struct node {
    int kind;
    int min, max; /* max INT_MAX: unbounded */
    bool greedy;
    uint32_t ch;     /* N_CHAR */
    range_t *ranges; /* N_CLASS */
    int nranges;
    bool neg; /* N_CLASS: [^...]; N_LOOK: (?!...) */
    int cap;  /* N_GROUP: capture number (0 = none); N_BACKREF: referenced group */
    seq_t *alts;
    int nalts;
};

/* ------------------------------------------------------------------ text as UTF-16 units */

static uint16_t *to_utf16(arena_t *a, str_t s, int *len)
{
    uint16_t *out = arena_alloc(a, (s.n + 1) * 2 * sizeof *out);
    int n = 0;
    for (size_t i = 0; i < s.n;) {
        const unsigned char *p = (const unsigned char *)s.p + i;
        size_t left = s.n - i, l = p[0] < 0x80 ? 1 : p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
        uint32_t cp = l == 1 ? p[0] : l == 2 ? p[0] & 0x1fu : l == 3 ? p[0] & 0x0fu : p[0] & 0x07u;
        bool ok = (p[0] < 0x80 || (p[0] >= 0xc2 && p[0] <= 0xf4)) && left >= l;
        for (size_t k = 1; ok && k < l; k++) {
            ok = (p[k] & 0xc0) == 0x80;
            cp = cp << 6 | (p[k] & 0x3fu);
        }
        if (ok && ((l == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
                   (l == 4 && (cp < 0x10000 || cp > 0x10ffff))))
            ok = false;
        if (!ok) {
            out[n++] = 0xfffd;
            i++;
            continue;
        }
        i += l;
        if (cp >= 0x10000) {
            out[n++] = (uint16_t)(0xd800 + ((cp - 0x10000) >> 10));
            out[n++] = (uint16_t)(0xdc00 + ((cp - 0x10000) & 0x3ff));
        } else {
            out[n++] = (uint16_t)cp;
        }
    }
    *len = n;
    return out;
}

/* ------------------------------------------------------------------ parsing */

typedef struct {
    const uint16_t *p; /* a group name inside the pattern; n 0 for unnamed groups */
    int n;
} name_t;

typedef struct {
    arena_t *a;
    const uint16_t *p;
    int n, i;
    int ncaps, total_caps;
    name_t *names; /* names[i]: name of capture i + 1, from the prescan */
    int err;       /* 0, JSREGEX_SYNTAX or JSREGEX_LIMIT */
} parser_t;

static const range_t digit_ranges[] = {{'0', '9'}};
static const range_t word_ranges[] = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
static const range_t space_ranges[] = {
    {0x09, 0x0d},     {0x20, 0x20},     {0xa0, 0xa0},     {0x1680, 0x1680}, {0x2000, 0x200a},
    {0x2028, 0x2029}, {0x202f, 0x202f}, {0x205f, 0x205f}, {0x3000, 0x3000}, {0xfeff, 0xfeff}};

typedef struct {
    range_t *r;
    int n, cap;
} rset_t;

static void rset_add(parser_t *ps, rset_t *s, uint32_t lo, uint32_t hi)
{
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 8;
        s->r =
            arena_realloc(ps->a, s->r, (size_t)s->cap * sizeof *s->r, (size_t)cap * sizeof *s->r);
        s->cap = cap;
    }
    s->r[s->n++] = (range_t){lo, hi};
}

/* Adds a predefined set, or its complement over the 16-bit code units (\D \W \S). */
static void rset_add_set(parser_t *ps, rset_t *s, const range_t *r, int n, bool complement)
{
    if (!complement) {
        for (int i = 0; i < n; i++)
            rset_add(ps, s, r[i].lo, r[i].hi);
        return;
    }
    uint32_t from = 0;
    for (int i = 0; i < n; i++) {
        if (r[i].lo > from)
            rset_add(ps, s, from, r[i].lo - 1);
        from = r[i].hi + 1;
    }
    if (from <= 0xffff)
        rset_add(ps, s, from, 0xffff);
}

static bool at_end(const parser_t *ps)
{
    return ps->i >= ps->n;
}

static int peek(const parser_t *ps, int off)
{
    return ps->i + off < ps->n ? ps->p[ps->i + off] : -1;
}


/* \xHH / \uHHHH: the value, or -1 when the digits are missing (then it is an identity escape). */
static long hex_escape(parser_t *ps, int digits)
{
    long v = 0;
    for (int k = 0; k < digits; k++) {
        int d = str_hexval(peek(ps, k));
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    ps->i += digits;
    return v;
}

/* A character escape after '\' (already consumed), as a code unit. Class escapes are handled
 * by the callers. */
static uint32_t char_escape(parser_t *ps, bool in_class)
{
    int c = ps->p[ps->i++];
    long v;
    switch (c) {
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    case 'v':
        return '\v';
    case 'f':
        return '\f';
    case 'b':
        return in_class ? 8 : 'b';
    case 'x':
        return (v = hex_escape(ps, 2)) >= 0 ? (uint32_t)v : 'x';
    case 'u':
        return (v = hex_escape(ps, 4)) >= 0 ? (uint32_t)v : 'u';
    case 'c': {
        int l = peek(ps, 0);
        if ((l >= 'a' && l <= 'z') || (l >= 'A' && l <= 'Z')) {
            ps->i++;
            return (uint32_t)(l % 32);
        }
        ps->i--; /* Annex B: "\c" stays a backslash followed by c */
        return '\\';
    }
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7': {
        /* Annex B legacy octal (backreferences were taken care of before). */
        uint32_t o = (uint32_t)(c - '0');
        for (int k = 0; k < 2 && peek(ps, 0) >= '0' && peek(ps, 0) <= '7' && o * 8 < 256; k++)
            o = o * 8 + (uint32_t)(ps->p[ps->i++] - '0');
        return o;
    }
    default:
        return (uint32_t)c; /* identity escape */
    }
}

/* \d \D \w \W \s \S into s; false when the escape is not one of them (nothing consumed). */
static bool class_escape(parser_t *ps, rset_t *s)
{
    int c = peek(ps, 0);
    const range_t *r;
    int n;
    switch (c | 0x20) {
    case 'd':
        r = digit_ranges, n = 1;
        break;
    case 'w':
        r = word_ranges, n = 4;
        break;
    case 's':
        r = space_ranges, n = 10;
        break;
    default:
        return false;
    }
    ps->i++;
    rset_add_set(ps, s, r, n, c >= 'A' && c <= 'Z');
    return true;
}

static void parse_class(parser_t *ps, node_t *nd)
{
    rset_t s = {0};
    nd->kind = N_CLASS;
    nd->neg = peek(ps, 0) == '^';
    ps->i += nd->neg;
    while (!at_end(ps) && peek(ps, 0) != ']') {
        uint32_t lo, hi;
        bool set = false;
        if (peek(ps, 0) == '\\' && ps->i + 1 < ps->n) {
            ps->i++;
            set = class_escape(ps, &s);
            lo = set ? 0 : char_escape(ps, true);
        } else {
            lo = ps->p[ps->i++];
        }
        if (set || peek(ps, 0) != '-' || peek(ps, 1) == ']' || peek(ps, 1) < 0) {
            if (!set)
                rset_add(ps, &s, lo, lo);
            continue;
        }
        ps->i++; /* '-' */
        bool set2 = false;
        if (peek(ps, 0) == '\\' && ps->i + 1 < ps->n) {
            ps->i++;
            set2 = class_escape(ps, &s);
            hi = set2 ? 0 : char_escape(ps, true);
        } else {
            hi = ps->p[ps->i++];
        }
        if (set2) { /* Annex B: [a-\d] is a, '-', digits */
            rset_add(ps, &s, lo, lo);
            rset_add(ps, &s, '-', '-');
            continue;
        }
        if (lo > hi) {
            ps->err = JSREGEX_SYNTAX;
            return;
        }
        rset_add(ps, &s, lo, hi);
    }
    if (at_end(ps)) {
        ps->err = JSREGEX_SYNTAX; /* unterminated character class */
        return;
    }
    ps->i++;
    nd->ranges = s.r;
    nd->nranges = s.n;
}

/* {n}, {n,}, {n,m} at ps->i: true and the bounds when it is a quantifier (nothing consumed
 * unless consume). */
static bool brace_quantifier(parser_t *ps, bool consume, int *min, int *max)
{
    int j = ps->i + 1;
    long lo = 0, hi;
    int digits = 0;
    while (j < ps->n && ps->p[j] >= '0' && ps->p[j] <= '9' && digits < 10)
        lo = lo * 10 + (ps->p[j++] - '0'), digits++;
    if (!digits)
        return false;
    hi = lo;
    if (j < ps->n && ps->p[j] == ',') {
        j++;
        digits = 0;
        hi = INT_MAX;
        long h = 0;
        while (j < ps->n && ps->p[j] >= '0' && ps->p[j] <= '9' && digits < 10)
            h = h * 10 + (ps->p[j++] - '0'), digits++;
        if (digits)
            hi = h;
    }
    if (j >= ps->n || ps->p[j] != '}')
        return false;
    if (consume) {
        ps->i = j + 1;
        *min = lo > INT_MAX ? INT_MAX : (int)lo;
        *max = hi > INT_MAX ? INT_MAX : (int)hi;
    }
    return true;
}

static seq_t *parse_disjunction(parser_t *ps, int *nalts);

/* Group or lookaround after '(' (consumed). */
static void parse_group(parser_t *ps, node_t *nd)
{
    nd->kind = N_GROUP;
    if (peek(ps, 0) == '?') {
        int c = peek(ps, 1);
        if (c == ':') {
            ps->i += 2;
        } else if (c == '=' || c == '!') {
            nd->kind = N_LOOK;
            nd->neg = c == '!';
            ps->i += 2;
        } else if (c == '<' && (peek(ps, 2) == '=' || peek(ps, 2) == '!')) {
            ps->err = JSREGEX_LIMIT; /* lookbehind: not supported here */
            return;
        } else if (c == '<') {
            ps->i += 2;
            while (!at_end(ps) && peek(ps, 0) != '>')
                ps->i++;
            if (at_end(ps)) {
                ps->err = JSREGEX_SYNTAX;
                return;
            }
            ps->i++;
            nd->cap = ++ps->ncaps;
        } else {
            ps->err = JSREGEX_SYNTAX; /* invalid group */
            return;
        }
    } else {
        nd->cap = ++ps->ncaps;
    }
    nd->alts = parse_disjunction(ps, &nd->nalts);
    if (ps->err)
        return;
    if (peek(ps, 0) != ')') {
        ps->err = JSREGEX_SYNTAX; /* unterminated group */
        return;
    }
    ps->i++;
}

/* An atom or assertion into nd; returns false when nd is an assertion that takes no
 * quantifier. */
static bool parse_atom(parser_t *ps, node_t *nd)
{
    int c = ps->p[ps->i++];
    int lo, hi;
    switch (c) {
    case '^':
        nd->kind = N_BOL;
        return false;
    case '$':
        nd->kind = N_EOL;
        return false;
    case '.':
        nd->kind = N_ANY;
        return true;
    case '(':
        parse_group(ps, nd);
        return true;
    case '[':
        parse_class(ps, nd);
        return true;
    case '*':
    case '+':
    case '?':
        ps->err = JSREGEX_SYNTAX; /* nothing to repeat */
        return true;
    case '{':
        ps->i--;
        if (brace_quantifier(ps, false, &lo, &hi))
            ps->err = JSREGEX_SYNTAX;
        ps->i++;
        nd->kind = N_CHAR;
        nd->ch = '{';
        return true;
    case '\\':
        break;
    default:
        nd->kind = N_CHAR;
        nd->ch = (uint32_t)c;
        return true;
    }
    if (at_end(ps)) {
        ps->err = JSREGEX_SYNTAX; /* \ at end of pattern */
        return true;
    }
    int e = peek(ps, 0);
    if (e == 'b' || e == 'B') {
        ps->i++;
        nd->kind = e == 'b' ? N_WORDB : N_NWORDB;
        return false;
    }
    if (e == 'k' && peek(ps, 1) == '<') {
        /* \k<name>: a named backreference when the pattern has named groups. */
        int j = ps->i + 2;
        while (j < ps->n && ps->p[j] != '>')
            j++;
        for (int g = 0; j < ps->n && g < ps->total_caps; g++) {
            name_t nm = ps->names[g];
            if (nm.n && nm.n == j - ps->i - 2 &&
                !memcmp(nm.p, ps->p + ps->i + 2, (size_t)nm.n * sizeof *ps->p)) {
                ps->i = j + 1;
                nd->kind = N_BACKREF;
                nd->cap = g + 1;
                return true;
            }
        }
    }
    if (e >= '1' && e <= '9') {
        int j = ps->i, n = 0;
        while (j < ps->n && ps->p[j] >= '0' && ps->p[j] <= '9' && n <= 1000)
            n = n * 10 + (ps->p[j++] - '0');
        if (n <= ps->total_caps) {
            ps->i = j;
            nd->kind = N_BACKREF;
            nd->cap = n;
            return true;
        }
    }
    rset_t s = {0};
    if (class_escape(ps, &s)) {
        nd->kind = N_CLASS;
        nd->ranges = s.r;
        nd->nranges = s.n;
        return true;
    }
    nd->kind = N_CHAR;
    nd->ch = char_escape(ps, false);
    return true;
}

static void parse_quantifier(parser_t *ps, node_t *nd, bool quantifiable)
{
    nd->min = nd->max = 1;
    nd->greedy = true;
    int c = peek(ps, 0);
    if (c == '*')
        nd->min = 0, nd->max = INT_MAX, ps->i++;
    else if (c == '+')
        nd->max = INT_MAX, ps->i++;
    else if (c == '?')
        nd->min = 0, ps->i++;
    else if (!(c == '{' && brace_quantifier(ps, true, &nd->min, &nd->max)))
        return;
    if (!quantifiable || nd->min > nd->max) {
        ps->err = JSREGEX_SYNTAX; /* nothing to repeat / numbers out of order */
        return;
    }
    if (peek(ps, 0) == '?') {
        nd->greedy = false;
        ps->i++;
    }
}

static void parse_alternative(parser_t *ps, seq_t *seq)
{
    int cap = 0;
    seq->v = NULL;
    seq->n = 0;
    while (!at_end(ps) && !ps->err && peek(ps, 0) != '|' && peek(ps, 0) != ')') {
        if (seq->n == cap) {
            int ncap = cap ? cap * 2 : 4;
            seq->v = arena_realloc(ps->a, seq->v, (size_t)cap * sizeof *seq->v,
                                   (size_t)ncap * sizeof *seq->v);
            cap = ncap;
        }
        node_t *nd = &seq->v[seq->n++];
        memset(nd, 0, sizeof *nd);
        bool quantifiable = parse_atom(ps, nd);
        if (!ps->err)
            parse_quantifier(ps, nd, quantifiable);
    }
}

static seq_t *parse_disjunction(parser_t *ps, int *nalts)
{
    int cap = 2, n = 0;
    seq_t *alts = arena_alloc(ps->a, (size_t)cap * sizeof *alts);
    for (;;) {
        if (n == cap) {
            alts = arena_realloc(ps->a, alts, (size_t)cap * sizeof *alts,
                                 (size_t)cap * 2 * sizeof *alts);
            cap *= 2;
        }
        parse_alternative(ps, &alts[n++]);
        if (ps->err || peek(ps, 0) != '|')
            break;
        ps->i++;
    }
    *nalts = n;
    return alts;
}

/* Capturing groups of the whole pattern, and their names (a backreference may point
 * forward). */
static int count_groups(parser_t *ps)
{
    const uint16_t *p = ps->p;
    int n = ps->n, caps = 0;
    ps->names = arena_calloc(ps->a, (size_t)n + 1, sizeof *ps->names);
    bool in_class = false;
    for (int i = 0; i < n; i++) {
        if (p[i] == '\\') {
            i++;
        } else if (in_class) {
            in_class = p[i] != ']';
        } else if (p[i] == '[') {
            in_class = true;
        } else if (p[i] == '(') {
            if (i + 1 >= n || p[i + 1] != '?') {
                caps++;
            } else if (i + 3 < n && p[i + 2] == '<' && p[i + 3] != '=' && p[i + 3] != '!') {
                int j = i + 3;
                while (j < n && p[j] != '>')
                    j++;
                ps->names[caps++] = (name_t){p + i + 3, j - i - 3};
            }
        }
    }
    return caps;
}

/* ------------------------------------------------------------------ matching */

typedef struct frame frame_t;
struct frame {
    const seq_t *seq; /* continue with seq from idx ... */
    int idx;
    const node_t *loop; /* ... or, for a group iteration that just ended, repeat this node */
    int count, start;
    const frame_t *next;
};

typedef struct {
    const uint16_t *s;
    int len;
    int *caps; /* 2 per group: start, end; -1 when unset */
    long steps;
    int depth;
    int ncaps;
    bool limit;
} matcher_t;

static bool match_seq(matcher_t *m, const seq_t *seq, int idx, int pos, const frame_t *k);

static bool is_word(const matcher_t *m, int pos)
{
    if (pos < 0 || pos >= m->len)
        return false;
    uint16_t c = m->s[pos];
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool one_char(const node_t *nd, uint16_t c)
{
    switch (nd->kind) {
    case N_CHAR:
        return c == nd->ch;
    case N_ANY:
        return c != '\n' && c != '\r' && c != 0x2028 && c != 0x2029;
    default:
        for (int i = 0; i < nd->nranges; i++)
            if (c >= nd->ranges[i].lo && c <= nd->ranges[i].hi)
                return !nd->neg;
        return nd->neg;
    }
}

static bool cont(matcher_t *m, const frame_t *k, int pos);

/* RepeatMatcher for a group: tries one more iteration and/or stopping, greedy or lazy. */
static bool repeat(matcher_t *m, const node_t *nd, int count, int pos, const frame_t *after)
{
    bool more = count < nd->max, stop = count >= nd->min;
    for (int turn = 0; turn < 2; turn++) {
        bool iterate = (turn == 0) == nd->greedy;
        if (iterate && more) {
            frame_t f = {.loop = nd, .count = count + 1, .start = pos, .next = after};
            for (int i = 0; i < nd->nalts; i++)
                if (match_seq(m, &nd->alts[i], 0, pos, &f))
                    return true;
        } else if (!iterate && stop && cont(m, after, pos)) {
            return true;
        }
        if (m->limit)
            return false;
    }
    return false;
}

/* A group iteration has ended at pos: record the capture, refuse empty extra iterations. */
static bool loop_next(matcher_t *m, const frame_t *f, int pos)
{
    const node_t *nd = f->loop;
    if (pos == f->start && f->count > nd->min)
        return false;
    int save[2] = {0, 0};
    if (nd->cap) {
        save[0] = m->caps[2 * nd->cap];
        save[1] = m->caps[2 * nd->cap + 1];
        m->caps[2 * nd->cap] = f->start;
        m->caps[2 * nd->cap + 1] = pos;
    }
    if (repeat(m, nd, f->count, pos, f->next))
        return true;
    if (nd->cap) {
        m->caps[2 * nd->cap] = save[0];
        m->caps[2 * nd->cap + 1] = save[1];
    }
    return false;
}

static bool cont(matcher_t *m, const frame_t *k, int pos)
{
    if (!k)
        return true;
    if (k->loop)
        return loop_next(m, k, pos);
    return match_seq(m, k->seq, k->idx, pos, k->next);
}

/* Greedy or lazy run of a one-character atom, backtracked by count. */
static bool match_run(matcher_t *m, const node_t *nd, const frame_t *after, int pos)
{
    int avail = 0;
    while (avail < nd->max && pos + avail < m->len && one_char(nd, m->s[pos + avail]))
        avail++;
    m->steps += avail;
    if (avail < nd->min)
        return false;
    for (int c = nd->greedy ? avail : nd->min; nd->greedy ? c >= nd->min : c <= avail;
         c += nd->greedy ? -1 : 1) {
        if (cont(m, after, pos + c))
            return true;
        if (m->limit || ++m->steps > JSREGEX_MAX_STEPS) {
            m->limit = true;
            return false;
        }
    }
    return false;
}

static bool match_backref(matcher_t *m, const node_t *nd, const frame_t *after, int pos)
{
    int s = m->caps[2 * nd->cap], e = m->caps[2 * nd->cap + 1];
    int len = s >= 0 && e >= s ? e - s : 0;
    int ends[64], n = 0, p = pos;
    ends[n++] = pos;
    while (n - 1 < nd->max && n < 64) {
        if (p + len > m->len || memcmp(m->s + s, m->s + p, (size_t)len * sizeof *m->s) != 0)
            break;
        p += len;
        ends[n++] = p;
        if (!len)
            break;
    }
    for (int i = nd->greedy ? n - 1 : nd->min; nd->greedy ? i >= nd->min : i < n;
         i += nd->greedy ? -1 : 1)
        if (i < n && cont(m, after, ends[i]))
            return true;
    return false;
}

static bool match_look(matcher_t *m, const node_t *nd, const frame_t *after, int pos)
{
    int ncaps = m->ncaps;
    int *save = __builtin_alloca((size_t)(2 * ncaps + 2) * sizeof(int));
    memcpy(save, m->caps, (size_t)(2 * ncaps + 2) * sizeof(int));
    bool found = false;
    for (int i = 0; i < nd->nalts && !found && !m->limit; i++)
        found = match_seq(m, &nd->alts[i], 0, pos, NULL);
    if (m->limit)
        return false;
    if (found == nd->neg || nd->min == 0) {
        memcpy(m->caps, save, (size_t)(2 * ncaps + 2) * sizeof(int));
        return nd->min == 0 ? cont(m, after, pos) : false;
    }
    if (nd->neg)
        memcpy(m->caps, save, (size_t)(2 * ncaps + 2) * sizeof(int));
    if (cont(m, after, pos))
        return true;
    memcpy(m->caps, save, (size_t)(2 * ncaps + 2) * sizeof(int));
    return false;
}

static bool match_seq(matcher_t *m, const seq_t *seq, int idx, int pos, const frame_t *k)
{
    if (m->limit || ++m->steps > JSREGEX_MAX_STEPS || m->depth >= JSREGEX_MAX_DEPTH) {
        m->limit = true;
        return false;
    }
    if (idx == seq->n)
        return cont(m, k, pos);
    const node_t *nd = &seq->v[idx];
    frame_t after = {.seq = seq, .idx = idx + 1, .next = k};
    bool r;
    m->depth++;
    switch (nd->kind) {
    case N_CHAR:
    case N_ANY:
    case N_CLASS:
        r = match_run(m, nd, &after, pos);
        break;
    case N_BOL:
        r = pos == 0 && cont(m, &after, pos);
        break;
    case N_EOL:
        r = pos == m->len && cont(m, &after, pos);
        break;
    case N_WORDB:
    case N_NWORDB:
        r = ((is_word(m, pos - 1) != is_word(m, pos)) == (nd->kind == N_WORDB)) &&
            cont(m, &after, pos);
        break;
    case N_BACKREF:
        r = match_backref(m, nd, &after, pos);
        break;
    case N_LOOK:
        r = match_look(m, nd, &after, pos);
        break;
    default:
        r = repeat(m, nd, 0, pos, &after);
    }
    m->depth--;
    return r;
}

int jsregex_test(arena_t *a, str_t pattern, str_t subject)
{
    parser_t ps = {.a = a};
    ps.p = to_utf16(a, pattern, &ps.n);
    ps.total_caps = count_groups(&ps);
    seq_t top = {0};
    int nalts;
    seq_t *alts = parse_disjunction(&ps, &nalts);
    if (!ps.err && !at_end(&ps))
        ps.err = JSREGEX_SYNTAX; /* unmatched ')' */
    if (ps.err)
        return ps.err;
    node_t root = {
        .kind = N_GROUP, .min = 1, .max = 1, .greedy = true, .alts = alts, .nalts = nalts};
    top.v = &root;
    top.n = 1;
    matcher_t m = {0};
    m.s = to_utf16(a, subject, &m.len);
    m.caps = arena_alloc(a, (size_t)(2 * ps.ncaps + 2) * sizeof(int));
    m.ncaps = ps.ncaps;
    for (int start = 0; start <= m.len; start++) {
        for (int i = 0; i < 2 * ps.ncaps + 2; i++)
            m.caps[i] = -1;
        if (match_seq(&m, &top, 0, start, NULL))
            return JSREGEX_MATCH;
        if (m.limit)
            return JSREGEX_LIMIT;
    }
    return JSREGEX_NO_MATCH;
}
