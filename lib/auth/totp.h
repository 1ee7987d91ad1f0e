/*
 * One-time passwords for two-factor login, as Directus checks them with otplib 12's
 * `authenticator`: TOTP (RFC 6238) over HMAC-SHA1, 30-second steps, 6 digits, no window (only
 * the current step is accepted), the secret stored in directus_users.tfa_secret as base32.
 */
#ifndef LIB_AUTH_TOTP_H
#define LIB_AUTH_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/core/str.h"

/* Decodes base32 as the thirty-two package does (otplib's key decoder): case-insensitive,
 * stops at '=', and fails (-1) on a character outside '0'..'z'. Writes at most cap bytes to out
 * and returns how many. Digits 0, 1, 8 and 9 are not base32; like thirty-two they decode as the
 * value 0xff rather than failing. */
int totp_base32_decode(str_t s, unsigned char *out, size_t cap);

/* The HOTP value (RFC 4226) of key at counter, as `digits` decimal digits (digits <= 9) written
 * into out (digits + 1 bytes). */
void totp_hotp(const unsigned char *key, size_t keylen, uint64_t counter, int digits, char *out);

/* otplib authenticator.check(otp, secret) at now_ms: otp must be all ASCII digits and equal the
 * 6-digit code of the current 30-second step. A secret that does not decode never matches. */
bool totp_check(str_t secret, str_t otp, int64_t now_ms);

#endif
