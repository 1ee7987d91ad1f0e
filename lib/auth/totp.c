/*
 * TOTP with OpenSSL's HMAC-SHA1. The base32 decoder mirrors thirty-two's table lookup, quirks
 * included, because the codes must match what Directus computed from the same stored secret.
 */
#include "lib/auth/totp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

/* thirty-two's byteTable, indexed by character - '0' ('0'..'z'); 0xff where base32 has no
 * digit, used as a value all the same. */
static const unsigned char byte_table[] = {
    0xff, 0xff, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
    0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
    0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0xff, 0xff, 0xff, 0xff, 0xff,
};

int totp_base32_decode(str_t s, unsigned char *out, size_t cap)
{
    unsigned shift = 0, ch = 0;
    size_t o = 0;
    for (size_t i = 0; i < s.n && s.p[i] != '='; i++) {
        int idx = (unsigned char)s.p[i] - '0';
        if (idx < 0 || idx >= (int)sizeof byte_table)
            return -1;
        unsigned digit = byte_table[idx];
        if (shift <= 3) {
            shift = (shift + 5) % 8;
            if (shift == 0) {
                ch |= digit;
                if (o < cap)
                    out[o++] = (unsigned char)ch;
                ch = 0;
            } else {
                ch |= 0xff & (digit << (8 - shift));
            }
        } else {
            shift = (shift + 5) % 8;
            ch |= 0xff & (digit >> shift);
            if (o < cap)
                out[o++] = (unsigned char)ch;
            ch = 0xff & (digit << (8 - shift));
        }
    }
    return (int)o;
}

void totp_hotp(const unsigned char *key, size_t keylen, uint64_t counter, int digits, char *out)
{
    unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    for (int i = 7; i >= 0; i--, counter >>= 8)
        msg[i] = (unsigned char)(counter & 0xff);
    HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof msg, mac, &maclen);
    unsigned off = mac[maclen - 1] & 0xf;
    uint32_t bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
                   (uint32_t)mac[off + 2] << 8 | mac[off + 3];
    uint32_t mod = 1;
    for (int i = 0; i < digits; i++)
        mod *= 10;
    uint32_t code = bin % mod;
    for (int i = digits - 1; i >= 0; i--, code /= 10)
        out[i] = (char)('0' + code % 10);
    out[digits] = '\0';
}

bool totp_check(str_t secret, str_t otp, int64_t now_ms)
{
    if (otp.n == 0)
        return false;
    for (size_t i = 0; i < otp.n; i++)
        if (otp.p[i] < '0' || otp.p[i] > '9')
            return false;
    unsigned char key[512];
    int keylen = totp_base32_decode(secret, key, sizeof key);
    if (keylen < 0)
        return false;
    /* otplib's totpPadSecret compares the *hex* length with 20: a key under 10 bytes is repeated
     * (20 - hexlen) times and cut at 20 bytes. Directus's own secrets are 10 bytes: untouched. */
    if (keylen > 0 && keylen * 2 < 20) {
        size_t total = (size_t)(20 - keylen * 2) * (size_t)keylen;
        total = total < 20 ? total : 20;
        for (size_t i = (size_t)keylen; i < total; i++)
            key[i] = key[i % (size_t)keylen];
        keylen = (int)total;
    }
    char code[8];
    totp_hotp(key, (size_t)keylen, (uint64_t)(now_ms / 1000 / 30), 6, code);
    return otp.n == 6 && CRYPTO_memcmp(code, otp.p, 6) == 0;
}
