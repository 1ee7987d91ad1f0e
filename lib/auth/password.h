/*
 * Password hashing as Directus 11 does it: argon2 through node's `argon2` package (0.41), whose
 * output is a PHC string such as
 *
 *     $argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>
 *
 * (salt and hash in standard base64 without padding). Hashes made here verify in Directus and
 * hashes Directus made verify here, whatever argon2 variant and costs they were made with.
 */
#ifndef LIB_AUTH_PASSWORD_H
#define LIB_AUTH_PASSWORD_H

#include <stdint.h>

#include "lib/core/arena.h"
#include "lib/core/conf.h"
#include "lib/core/str.h"

/* Directus's HASH_TYPE numbering (node argon2's constants). */
typedef enum { PASSWORD_ARGON2D = 0, PASSWORD_ARGON2I = 1, PASSWORD_ARGON2ID = 2 } password_type_t;

/* The knobs Directus reads from HASH_* (HASH_MEMORY_COST, HASH_TIME_COST, HASH_PARALLELISM,
 * HASH_HASH_LENGTH, HASH_TYPE, HASH_ASSOCIATED_DATA). node argon2 0.41 always makes a 16-byte
 * salt (HASH_SALT_LENGTH has no effect there), so there is no salt length here either. */
typedef struct {
    password_type_t type;
    uint32_t memory_cost;  /* KiB */
    uint32_t time_cost;    /* passes */
    uint32_t parallelism;  /* lanes, and threads while hashing */
    uint32_t hash_length;  /* bytes */
    str_t associated_data; /* empty: none (the PHC string then has no data= parameter) */
} password_params_t;

/* node argon2's defaults, which Directus uses unless HASH_* says otherwise: argon2id, v=19,
 * m=65536, t=3, p=4, 32-byte hash. */
#define PASSWORD_PARAMS_DEFAULT ((password_params_t){PASSWORD_ARGON2ID, 65536, 3, 4, 32, STR_NULL})

/* The parameters the HASH_* settings of c describe (Directus's generateHash). Strings borrowed
 * from c. */
password_params_t password_params(const conf_t *c);

/* Length of the salt every new hash gets (node argon2 0.41: randomBytes(16)). */
#define PASSWORD_SALT_LENGTH 16

/* Upper bounds password_verify accepts in a stored hash, so that a corrupt or planted row cannot
 * make a worker allocate gigabytes or spin for minutes: 1 GiB of memory, 64 passes, 64 lanes,
 * 1 KiB of hash, salt and associated data each. Directus's own hashes are far below. */
#define PASSWORD_VERIFY_MAX_MEMORY (1u << 20)
#define PASSWORD_VERIFY_MAX_TIME 64u
#define PASSWORD_VERIFY_MAX_LANES 64u
#define PASSWORD_VERIFY_MAX_BYTES 1024u

/*
 * Hashes the n bytes of password (any bytes, NULs included: callers pass what the client sent,
 * UTF-8 as node's Buffer.from(string) gives) with a fresh random salt from the kernel. params
 * NULL means PASSWORD_PARAMS_DEFAULT. Returns the PHC string, NUL-terminated, in the arena a
 * (valid until its reset). NULL, after logging why, when params are below node argon2's limits
 * (memory_cost < 1024, time_cost < 2, parallelism 0, hash_length < 4) or above the
 * PASSWORD_VERIFY_MAX_* bounds (a hash password_verify would refuse), when no random bytes could
 * be had, or when argon2 itself fails (out of memory).
 */
char *password_hash(arena_t *a, str_t password, const password_params_t *params);

/*
 * Checks password against a stored PHC string as node argon2's verify() does: the variant
 * (argon2d, argon2i, argon2id), version (v= absent means 0x10), m, t, p, optional data= and the
 * hash length all come from the string. Comparison is constant-time.
 *
 * Returns 1 when the password matches, 0 when it does not, and -1 when the stored string is not
 * a usable argon2 PHC string (malformed, unknown variant, bad base64, costs beyond the
 * PASSWORD_VERIFY_MAX_* bounds, argon2 failure). Callers treat -1 as "no match"; it exists so
 * they can log a corrupt row. Allocates nothing the caller must free.
 */
int password_verify(str_t encoded, str_t password);

/* A random password of n characters (n < 128) from nanoid's URL-safe alphabet (A-Z a-z 0-9 _ -),
 * as Directus's bootstrap makes one (nanoid(12)) when ADMIN_PASSWORD is unset. In the arena a;
 * NULL when the kernel gave no random bytes. */
char *password_random(arena_t *a, size_t n);

#endif
