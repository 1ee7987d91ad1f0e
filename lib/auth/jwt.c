/*
 * JWTs with jsonwebtoken's bytes and jsonwebtoken's checks. The order of the checks in
 * jwt_hs_verify() is the order jsonwebtoken's verify.js runs them in, because the first failing
 * check names the error (and decides TOKEN_EXPIRED versus INVALID_TOKEN for access tokens).
 */
#include "lib/auth/jwt.h"

#include <jwt.h>
#include <math.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "lib/core/buf.h"
#include "lib/core/json.h"
#include "lib/core/jsonparse.h"

/* base64url('{"alg":"HS256","typ":"JWT"}'): jsonwebtoken's header for every token it signs. */
static const char hs256_header[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/* Nesting allowed in a token's JSON; Directus's tokens are flat. */
#define JWT_MAX_DEPTH 64

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *jwt_b64url_encode(arena_t *a, const void *p, size_t n)
{
    const unsigned char *s = p;
    char *out = arena_alloc(a, (n + 2) / 3 * 4 + 1);
    size_t o = 0, i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        out[o++] = b64url[v >> 18];
        out[o++] = b64url[(v >> 12) & 63];
        out[o++] = b64url[(v >> 6) & 63];
        out[o++] = b64url[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0);
        out[o++] = b64url[v >> 18];
        out[o++] = b64url[(v >> 12) & 63];
        if (i + 1 < n)
            out[o++] = b64url[(v >> 6) & 63];
    }
    out[o] = '\0';
    return out;
}

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-' || c == '+')
        return 62;
    if (c == '_' || c == '/')
        return 63;
    return -1;
}

unsigned char *jwt_b64url_decode(arena_t *a, str_t s, size_t *n)
{
    unsigned char *out = arena_alloc(a, s.n * 3 / 4 + 2);
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < s.n && s.p[i] != '='; i++) {
        int v = b64_value((unsigned char)s.p[i]);
        if (v < 0)
            continue;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    out[o] = '\0';
    *n = o;
    return out;
}

/* ------------------------------------------------------------------ shape and decoding */

static bool b64url_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* jws's JWS_REGEX: /^[A-Za-z0-9\-_]+?\.[A-Za-z0-9\-_]+?\.([A-Za-z0-9\-_]+)?$/. Splits the parts. */
static bool jws_shape(str_t t, str_t parts[3])
{
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= t.n; i++) {
        if (i < t.n && t.p[i] != '.') {
            if (!b64url_char(t.p[i]))
                return false;
            continue;
        }
        if (k == 3)
            return false;
        parts[k++] = (str_t){t.p + start, i - start};
        start = i + 1;
    }
    return k == 3 && parts[0].n && parts[1].n;
}

/* jws's headerFromJWS: base64-decoded, JSON-parsed, undefined when it does not parse. */
static bool decode_header(arena_t *a, str_t part, struct json_object **out)
{
    size_t n;
    unsigned char *raw = jwt_b64url_decode(a, part, &n);
    return jsonparse(a, (const char *)raw, n, 0, JWT_MAX_DEPTH, out, NULL) == 0;
}

static const char *get_string(struct json_object *o, const char *key)
{
    struct json_object *v;
    if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

bool jwt_is_directus(arena_t *a, str_t token)
{
    str_t parts[3];
    struct json_object *header, *payload;
    if (!jws_shape(token, parts) || !decode_header(a, parts[0], &header) || !json_truthy(header))
        return false;
    size_t n;
    unsigned char *raw = jwt_b64url_decode(a, parts[1], &n);
    if (jsonparse(a, (const char *)raw, n, 0, JWT_MAX_DEPTH, &payload, NULL) < 0)
        return false;
    const char *iss = get_string(payload, "iss");
    return iss && strcmp(iss, "directus") == 0;
}

/* ------------------------------------------------------------------ signing */

static int64_t floor_div(int64_t x, int64_t d)
{
    return x >= 0 ? x / d : -((-x + d - 1) / d);
}

char *jwt_hs_sign(arena_t *a, const char *secret, struct json_object *claims, int64_t now_ms,
                  int64_t ttl_ms)
{
    int64_t iat = floor_div(now_ms, 1000);
    json_object_object_add(claims, "iat", json_object_new_int64(iat));
    json_object_object_add(claims, "exp",
                           json_object_new_int64((int64_t)floor((double)iat + ttl_ms / 1000.0)));
    json_object_object_add(claims, "iss", json_object_new_string("directus"));
    buf_t body;
    buf_init(&body, a, 256);
    json_write(&body, claims);
    buf_t out;
    buf_init(&out, a, 512);
    buf_puts(&out, hs256_header);
    buf_putc(&out, '.');
    buf_puts(&out, jwt_b64url_encode(a, body.p, body.n));
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)out.p, out.n, mac,
         &maclen);
    buf_putc(&out, '.');
    buf_puts(&out, jwt_b64url_encode(a, mac, maclen));
    return out.p;
}

/* ------------------------------------------------------------------ verification */

static jwt_status_t fail(const char **msg, const char *text, jwt_status_t st)
{
    if (msg)
        *msg = text;
    return st;
}

static bool is_number(struct json_object *v)
{
    return v && (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double));
}

/* The signature, by libjwt. jsonwebtoken already refused every algorithm but HS256/384/512. */
static bool signature_ok(arena_t *a, str_t token, const char *secret)
{
    jwt_t *j = NULL;
    int rc = jwt_decode(&j, str_dup(a, token), (const unsigned char *)secret, (int)strlen(secret));
    if (j)
        jwt_free(j);
    return rc == 0;
}

/* jsonwebtoken's decode(token, {complete: true}): the payload is JSON-parsed when the header says
 * typ "JWT" (a parse error is thrown), else parsed when it is a JSON object, else kept as text. */
static jwt_status_t decode_payload(arena_t *a, struct json_object *header, str_t part,
                                   struct json_object **payload, const char **msg)
{
    size_t n;
    unsigned char *raw = jwt_b64url_decode(a, part, &n);
    struct json_object *v;
    const char *perr = NULL;
    const char *typ = get_string(header, "typ");
    if (jsonparse(a, (const char *)raw, n, 0, JWT_MAX_DEPTH, &v, &perr) == 0) {
        if (typ && strcmp(typ, "JWT") == 0)
            *payload = v;
        else
            *payload = v && (json_object_is_type(v, json_type_object) ||
                             json_object_is_type(v, json_type_array))
                           ? v
                           : json_own(a, json_object_new_string_len((const char *)raw, (int)n));
        return JWT_OK;
    }
    if (typ && strcmp(typ, "JWT") == 0)
        return fail(msg, perr, JWT_INVALID);
    *payload = json_own(a, json_object_new_string_len((const char *)raw, (int)n));
    return JWT_OK;
}

/* The registered-claim checks after the signature, in jsonwebtoken's order. */
static jwt_status_t check_claims(struct json_object *payload, int64_t now_s, const char **msg)
{
    bool obj = json_object_is_type(payload, json_type_object);
    struct json_object *v;
    if (obj && json_object_object_get_ex(payload, "nbf", &v)) {
        if (!is_number(v))
            return fail(msg, "invalid nbf value", JWT_INVALID);
        if (json_object_get_double(v) > (double)now_s)
            return fail(msg, "jwt not active", JWT_INVALID);
    }
    if (obj && json_object_object_get_ex(payload, "exp", &v)) {
        if (!is_number(v))
            return fail(msg, "invalid exp value", JWT_INVALID);
        if ((double)now_s >= json_object_get_double(v))
            return fail(msg, "jwt expired", JWT_EXPIRED);
    }
    const char *iss = get_string(payload, "iss");
    if (!iss || strcmp(iss, "directus") != 0)
        return fail(msg, "jwt issuer invalid. expected: directus", JWT_INVALID);
    return JWT_OK;
}

jwt_status_t jwt_hs_verify(arena_t *a, str_t token, const char *secret, int64_t now_ms,
                           struct json_object **payload, const char **msg)
{
    *payload = NULL;
    size_t dots = 0;
    for (size_t i = 0; i < token.n; i++)
        dots += token.p[i] == '.';
    if (token.n == 0)
        return fail(msg, "jwt must be provided", JWT_INVALID);
    if (dots != 2)
        return fail(msg, "jwt malformed", JWT_INVALID);
    str_t parts[3];
    struct json_object *header;
    if (!jws_shape(token, parts) || !decode_header(a, parts[0], &header) || !json_truthy(header))
        return fail(msg, "invalid token", JWT_INVALID);
    struct json_object *body;
    jwt_status_t st = decode_payload(a, header, parts[1], &body, msg);
    if (st != JWT_OK)
        return st;
    if (parts[2].n == 0)
        return fail(msg, "jwt signature is required", JWT_INVALID);
    const char *alg = get_string(header, "alg");
    if (!alg || (strcmp(alg, "HS256") && strcmp(alg, "HS384") && strcmp(alg, "HS512")))
        return fail(msg, "invalid algorithm", JWT_INVALID);
    if (!signature_ok(a, token, secret))
        return fail(msg, "invalid signature", JWT_INVALID);
    if ((st = check_claims(body, floor_div(now_ms, 1000), msg)) != JWT_OK)
        return st;
    *payload = body;
    return JWT_OK;
}
