/*
 * TOTP: the RFC 6238 SHA-1 vectors (Appendix B), and codes otplib 12's authenticator produced
 * at epoch 1700000000000 for secrets of various shapes (its base32 decoder's quirks and its
 * padding of keys shorter than 10 bytes included).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/auth/totp.h"

static const struct {
    uint64_t t;
    const char *code;
} rfc6238[] = {
    {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
    {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000ULL, "65353130"},
};

static void test_rfc6238_vectors(void **state)
{
    (void)state;
    const unsigned char *key = (const unsigned char *)"12345678901234567890";
    for (size_t i = 0; i < sizeof rfc6238 / sizeof rfc6238[0]; i++) {
        char code[10];
        totp_hotp(key, 20, rfc6238[i].t / 30, 8, code);
        assert_string_equal(code, rfc6238[i].code);
        /* The 6-digit code Directus checks is the same value modulo 10^6. */
        str_t otp = {rfc6238[i].code + 2, 6};
        assert_true(
            totp_check(STR("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), otp, (int64_t)rfc6238[i].t * 1000));
    }
}

static const struct {
    const char *secret, *code;
} otplib[] = {
    {"JBSWY3DPEHPK3PXP", "324550"},
    {"abc", "501315"},              /* lower case; 1 byte, padded by repetition */
    {"gezdgnbvgy3tqojq", "017492"}, /* 10 bytes: no padding */
    {"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "921300"},
    {"AB01", "428697"},     /* '0' and '1' are no base32 digits, decoded as 0xff anyway */
    {"ME======", "768539"}, /* padding ends the data */
};

static void test_otplib_codes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof otplib / sizeof otplib[0]; i++) {
        if (!totp_check(str_c(otplib[i].secret), str_c(otplib[i].code), 1700000000000LL))
            fail_msg("secret %s: %s not accepted", otplib[i].secret, otplib[i].code);
        /* Only the current 30-second step (otplib's window 0). */
        assert_false(
            totp_check(str_c(otplib[i].secret), str_c(otplib[i].code), 1700000000000LL + 30000));
    }
}

static void test_refused_input(void **state)
{
    (void)state;
    const int64_t now = 1700000000000LL;
    assert_false(totp_check(STR("JBSWY3DPEHPK3PXP"), STR(" 324550"), now));
    assert_false(totp_check(STR("JBSWY3DPEHPK3PXP"), STR("3245500"), now));
    assert_false(totp_check(STR("JBSWY3DPEHPK3PXP"), STR("32455"), now));
    assert_false(totp_check(STR("JBSWY3DPEHPK3PXP"), STR("32455a"), now));
    assert_false(totp_check(STR("JBSWY3DPEHPK3PXP"), STR(""), now));
    assert_false(totp_check(STR("JBSWY3DPEHPK3PXP"), (str_t){"324550\0", 7}, now));
    /* Characters below '0' or above 'z' make thirty-two throw: nothing matches. */
    assert_false(totp_check(STR("JBSW Y3DP"), STR("324550"), now));
    assert_false(totp_check(STR("JBSW~Y3DP"), STR("324550"), now));
    unsigned char out[8];
    assert_int_equal(totp_base32_decode(STR("MZXW6==="), out, sizeof out), 3);
    assert_memory_equal(out, "foo", 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6238_vectors),
        cmocka_unit_test(test_otplib_codes),
        cmocka_unit_test(test_refused_input),
    };
    return cmocka_run_group_tests_name("auth/totp", tests, NULL, NULL);
}
