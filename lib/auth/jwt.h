/*
 * JSON Web Tokens as Directus makes and checks them with the `jsonwebtoken` package (9.0.2):
 * HS256 access, session and password-reset tokens signed with SECRET, issuer "directus".
 *
 * Signing writes exactly jsonwebtoken's bytes: the header {"alg":"HS256","typ":"JWT"}, the
 * caller's claims in their order followed by iat, exp and iss, each part base64url without
 * padding. (libjwt sorts claims alphabetically, which would make Celer's tokens differ from
 * Directus's byte for byte, so the signature is an HMAC computed here.) Verification follows
 * jsonwebtoken.verify() step by step, with its error messages, and lets libjwt check the
 * signature (HS256, HS384 and HS512, the algorithms jsonwebtoken allows for a shared secret).
 */
#ifndef LIB_AUTH_JWT_H
#define LIB_AUTH_JWT_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/core/arena.h"
#include "lib/core/str.h"

struct json_object;

typedef enum {
    JWT_OK = 0,
    JWT_INVALID = -1, /* jsonwebtoken's JsonWebTokenError (or a JSON SyntaxError) */
    JWT_EXPIRED = -2, /* TokenExpiredError */
} jwt_status_t;

/* Directus's isDirectusJWT(): the text has the shape of a JWS (three base64url parts, the last
 * may be empty), the header decodes to a truthy JSON value and the payload to JSON whose `iss`
 * is "directus". No signature is checked. Only a yes means "verify it as an access token"; a
 * no means "try it as a static token". */
bool jwt_is_directus(arena_t *a, str_t token);

/*
 * Signs claims (a JSON object, whose keys are kept in their order) as
 * jwt.sign(claims, secret, { expiresIn: ttl, issuer: 'directus' }) does at now_ms: appends
 * iat = floor(now / 1000), exp = floor(iat + ttl_ms / 1000) and iss = "directus" to claims
 * (the object is modified), then returns header.payload.signature, NUL-terminated, in a.
 */
char *jwt_hs_sign(arena_t *a, const char *secret, struct json_object *claims, int64_t now_ms,
                  int64_t ttl_ms);

/*
 * jwt.verify(token, secret, { issuer: 'directus' }) at now_ms. JWT_OK sets *payload to the
 * decoded payload (a json-c value owned by a: an object for every token Directus makes, but a
 * string or other value for odd tokens signed with the secret). Otherwise *msg (when msg is not
 * NULL) gets jsonwebtoken's message: "jwt malformed", "invalid token", "jwt signature is
 * required", "invalid algorithm", "invalid signature", "jwt not active", "invalid nbf value",
 * "jwt expired" (JWT_EXPIRED), "invalid exp value", "jwt issuer invalid. expected: directus", or
 * JSON.parse's SyntaxError text for a header typ "JWT" whose payload is not JSON.
 */
jwt_status_t jwt_hs_verify(arena_t *a, str_t token, const char *secret, int64_t now_ms,
                           struct json_object **payload, const char **msg);

/* Base64url without padding of n bytes, NUL-terminated, in a. */
char *jwt_b64url_encode(arena_t *a, const void *p, size_t n);

/* Node's Buffer.from(s, 'base64') for base64url or base64 text: characters outside both
 * alphabets are skipped, '=' ends the data, trailing bits that make no whole byte are dropped.
 * The bytes are NUL-terminated (not counted in *n) and live in a. */
unsigned char *jwt_b64url_decode(arena_t *a, str_t s, size_t *n);

#endif
