/*
 * argon2 password hashes in the PHC string format node's `argon2` package writes and reads, so
 * that directus_users.password means the same thing to Celer and to Directus. libargon2 does the
 * hashing; the PHC string is encoded and parsed here rather than by libargon2's own
 * encoder, because node argon2 adds a data= parameter for associated data and reads a missing
 * v= as version 0x10, which libargon2's decoder does not.
 */
#include "lib/auth/password.h"

#include <argon2.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/random.h>

#include "lib/core/buf.h"
#include "lib/core/log.h"

/* node argon2 0.41's limits for hashing (its `limits` table). */
#define MIN_MEMORY 1024u
#define MIN_TIME 2u
#define MIN_HASH 4u

static const char *const type_names[] = {"argon2d", "argon2i", "argon2id"};

static const char b64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Fills n bytes from the kernel's CSPRNG. 0, or -1 after logging. */
static int random_bytes(void *p, size_t n)
{
    unsigned char *u = p;
    while (n > 0) {
        ssize_t got = getrandom(u, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            log_error("getrandom failed: %s", strerror(errno));
            return -1;
        }
        u += got;
        n -= (size_t)got;
    }
    return 0;
}

/* Standard base64 without padding, as Buffer#toString('base64') minus the '='. */
static void b64_append(buf_t *b, const unsigned char *p, size_t n)
{
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        char q[4] = {b64_chars[v >> 18], b64_chars[(v >> 12) & 63], b64_chars[(v >> 6) & 63],
                     b64_chars[v & 63]};
        buf_append(b, q, 4);
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        char q[2] = {b64_chars[v >> 18], b64_chars[(v >> 12) & 63]};
        buf_append(b, q, 2);
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        char q[3] = {b64_chars[v >> 18], b64_chars[(v >> 12) & 63], b64_chars[(v >> 6) & 63]};
        buf_append(b, q, 3);
    }
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Decodes unpadded standard base64 into out (cap bytes). The decoded length, or -1 when s holds
 * another character, has an impossible length (4k+1) or decodes to more than cap bytes. Bits
 * left over in the last character are ignored, as Node's decoder ignores them. */
static long b64_decode(str_t s, unsigned char *out, size_t cap)
{
    if (s.n % 4 == 1 || s.n / 4 * 3 + (s.n % 4 ? s.n % 4 - 1 : 0) > cap)
        return -1;
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;
    for (size_t i = 0; i < s.n; i++) {
        int v = b64_value(s.p[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return (long)n;
}

/* Runs argon2 into out (outlen bytes). libargon2's return code. */
static int run_argon2(password_type_t type, uint32_t version, uint32_t m, uint32_t t, uint32_t p,
                      str_t password, const unsigned char *salt, size_t saltlen, str_t ad,
                      unsigned char *out, size_t outlen)
{
    if (password.n > ARGON2_MAX_PWD_LENGTH)
        return ARGON2_PWD_TOO_LONG;
    /* argon2_context is not const-correct: without ARGON2_FLAG_CLEAR_PASSWORD it only reads pwd,
     * salt and ad. */
    argon2_context ctx = {
        .out = out,
        .outlen = (uint32_t)outlen,
        .pwd = (uint8_t *)(uintptr_t)(password.p ? password.p : ""),
        .pwdlen = (uint32_t)password.n,
        .salt = (uint8_t *)(uintptr_t)salt,
        .saltlen = (uint32_t)saltlen,
        .ad = ad.n ? (uint8_t *)(uintptr_t)ad.p : NULL,
        .adlen = (uint32_t)ad.n,
        .t_cost = t,
        .m_cost = m,
        .lanes = p,
        .threads = p,
        .version = version,
        .flags = ARGON2_DEFAULT_FLAGS,
    };
    return argon2_ctx(&ctx, (argon2_type)type);
}

/* node argon2's lower limits, and the upper bounds password_verify accepts: a hash made here must
 * verify here too. */
static bool params_ok(const password_params_t *p)
{
    return p->type <= PASSWORD_ARGON2ID && p->memory_cost >= MIN_MEMORY &&
           p->memory_cost <= PASSWORD_VERIFY_MAX_MEMORY && p->time_cost >= MIN_TIME &&
           p->time_cost <= PASSWORD_VERIFY_MAX_TIME && p->parallelism >= 1 &&
           p->parallelism <= PASSWORD_VERIFY_MAX_LANES && p->memory_cost >= 8 * p->parallelism &&
           p->hash_length >= MIN_HASH && p->hash_length <= PASSWORD_VERIFY_MAX_BYTES &&
           p->associated_data.n <= PASSWORD_VERIFY_MAX_BYTES;
}

password_params_t password_params(const conf_t *c)
{
    return (password_params_t){
        .type = (password_type_t)c->hash_type,
        .memory_cost = (uint32_t)c->hash_memory_cost,
        .time_cost = (uint32_t)c->hash_time_cost,
        .parallelism = (uint32_t)c->hash_parallelism,
        .hash_length = (uint32_t)c->hash_hash_length,
        .associated_data = c->hash_associated_data ? str_c(c->hash_associated_data) : STR_NULL,
    };
}

char *password_hash(arena_t *a, str_t password, const password_params_t *params)
{
    password_params_t p = params ? *params : PASSWORD_PARAMS_DEFAULT;
    if (!params_ok(&p)) {
        log_error("password hashing: argon2 parameters out of range (m=%u t=%u p=%u len=%u)",
                  p.memory_cost, p.time_cost, p.parallelism, p.hash_length);
        return NULL;
    }
    unsigned char salt[PASSWORD_SALT_LENGTH];
    if (random_bytes(salt, sizeof salt) < 0)
        return NULL;
    unsigned char *out = arena_alloc(a, p.hash_length);
    int rc = run_argon2(p.type, ARGON2_VERSION_13, p.memory_cost, p.time_cost, p.parallelism,
                        password, salt, sizeof salt, p.associated_data, out, p.hash_length);
    if (rc != ARGON2_OK) {
        log_error("password hashing: argon2 failed: %s", argon2_error_message(rc));
        return NULL;
    }
    buf_t b;
    buf_init(&b, a, 128 + p.hash_length * 2 + p.associated_data.n * 2);
    buf_printf(&b, "$%s$v=%d$m=%u,t=%u,p=%u", type_names[p.type], ARGON2_VERSION_13, p.memory_cost,
               p.time_cost, p.parallelism);
    if (p.associated_data.n) {
        buf_puts(&b, ",data=");
        b64_append(&b, (const unsigned char *)p.associated_data.p, p.associated_data.n);
    }
    buf_putc(&b, '$');
    b64_append(&b, salt, sizeof salt);
    buf_putc(&b, '$');
    b64_append(&b, out, p.hash_length);
    return b.p;
}

/* ------------------------------------------------------------------ parsing a PHC string */

typedef struct {
    password_type_t type;
    uint32_t version;
    uint32_t m, t, p;
    bool has_m, has_t, has_p;
    unsigned char salt[PASSWORD_VERIFY_MAX_BYTES], hash[PASSWORD_VERIFY_MAX_BYTES];
    unsigned char ad[PASSWORD_VERIFY_MAX_BYTES];
    size_t saltlen, hashlen, adlen;
} phc_t;

/* Splits s at the first c: *head gets what comes before, s what follows. false without c. */
static bool cut(str_t *s, char c, str_t *head)
{
    long i = str_index(*s, c);
    if (i < 0)
        return false;
    *head = (str_t){s->p, (size_t)i};
    s->p += i + 1;
    s->n -= (size_t)i + 1;
    return true;
}

/* A decimal without sign or leading zeros, at most max. */
static bool parse_u32(str_t s, uint32_t max, uint32_t *out)
{
    if (s.n == 0 || s.n > 10 || (s.n > 1 && s.p[0] == '0'))
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s.p[i] - '0');
    }
    if (v > max)
        return false;
    *out = (uint32_t)v;
    return true;
}

static bool parse_type(str_t s, password_type_t *out)
{
    for (int i = 0; i <= PASSWORD_ARGON2ID; i++) {
        if (str_eq_c(s, type_names[i])) {
            *out = (password_type_t)i;
            return true;
        }
    }
    return false;
}

/* One name=value of the parameter list. Unknown names are ignored, as node argon2 ignores them. */
static bool parse_param(phc_t *h, str_t kv)
{
    str_t name;
    if (!cut(&kv, '=', &name) || name.n == 0)
        return false;
    if (str_eq_c(name, "m")) {
        h->has_m = parse_u32(kv, PASSWORD_VERIFY_MAX_MEMORY, &h->m);
        return h->has_m;
    }
    if (str_eq_c(name, "t")) {
        h->has_t = parse_u32(kv, PASSWORD_VERIFY_MAX_TIME, &h->t);
        return h->has_t;
    }
    if (str_eq_c(name, "p")) {
        h->has_p = parse_u32(kv, PASSWORD_VERIFY_MAX_LANES, &h->p);
        return h->has_p;
    }
    if (str_eq_c(name, "data")) {
        long n = b64_decode(kv, h->ad, sizeof h->ad);
        h->adlen = n < 0 ? 0 : (size_t)n;
        return n >= 0;
    }
    return kv.n > 0;
}

static bool parse_params(phc_t *h, str_t s)
{
    str_t kv;
    while (cut(&s, ',', &kv)) {
        if (!parse_param(h, kv))
            return false;
    }
    return parse_param(h, s) && h->has_m && h->has_t && h->has_p;
}

/* $<type>[$v=<version>]$<params>$<salt>$<hash>; every part must be there and well formed. */
static bool phc_parse(phc_t *h, str_t s)
{
    str_t part;
    if (s.n == 0 || s.p[0] != '$' || memchr(s.p, '\0', s.n))
        return false;
    s.p++, s.n--;
    if (!cut(&s, '$', &part) || !parse_type(part, &h->type))
        return false;
    if (!cut(&s, '$', &part))
        return false;
    h->version = ARGON2_VERSION_10;
    if (str_starts_with(part, STR("v="))) {
        if (!parse_u32((str_t){part.p + 2, part.n - 2}, UINT32_MAX, &h->version))
            return false;
        if (!cut(&s, '$', &part))
            return false;
    }
    if (h->version != ARGON2_VERSION_10 && h->version != ARGON2_VERSION_13)
        return false;
    if (!parse_params(h, part) || h->p == 0 || h->m < 8 * h->p || h->t == 0)
        return false;
    if (!cut(&s, '$', &part) || str_index(s, '$') >= 0)
        return false;
    long n = b64_decode(part, h->salt, sizeof h->salt);
    if (n < ARGON2_MIN_SALT_LENGTH)
        return false;
    h->saltlen = (size_t)n;
    n = b64_decode(s, h->hash, sizeof h->hash);
    if (n < (long)ARGON2_MIN_OUTLEN)
        return false;
    h->hashlen = (size_t)n;
    return true;
}

/* Compares without an early exit, so the time does not tell how many bytes matched. */
static bool same_bytes(const unsigned char *x, const unsigned char *y, size_t n)
{
    volatile unsigned char d = 0;
    for (size_t i = 0; i < n; i++)
        d |= x[i] ^ y[i];
    return d == 0;
}

int password_verify(str_t encoded, str_t password)
{
    phc_t h = {0};
    if (!phc_parse(&h, encoded))
        return -1;
    unsigned char out[PASSWORD_VERIFY_MAX_BYTES];
    int rc = run_argon2(h.type, h.version, h.m, h.t, h.p, password, h.salt, h.saltlen,
                        (str_t){(const char *)h.ad, h.adlen}, out, h.hashlen);
    if (rc != ARGON2_OK) {
        log_warn("password check: argon2 failed: %s", argon2_error_message(rc));
        return -1;
    }
    return same_bytes(out, h.hash, h.hashlen) ? 1 : 0;
}

char *password_random(arena_t *a, size_t n)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    unsigned char r[128];
    if (n >= sizeof r || random_bytes(r, n) < 0)
        return NULL;
    char *s = arena_alloc(a, n + 1);
    /* 64 symbols: the low six bits of a uniform byte pick one uniformly, as nanoid does. */
    for (size_t i = 0; i < n; i++)
        s[i] = alphabet[r[i] & 63];
    s[n] = '\0';
    return s;
}
