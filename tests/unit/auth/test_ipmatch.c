/*
 * Policy IP allow-lists: CIDR, masks, ranges, wildcards, IPv4 versus IPv6, compared with what
 * ip-matching 2.1.2 (Directus's matcher) answers. Patterns ip-matching refuses with an exception
 * (which becomes a 500 in Directus) match nothing here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "lib/auth/ipmatch.h"

static const struct {
    const char *ip, *pattern;
    bool want;
} cases[] = {
    {"10.1.2.3", "10.0.0.0/8", true},
    {"11.1.2.3", "10.0.0.0/8", false},
    {"127.0.0.1", "127.0.0.1", true},
    {"127.0.0.2", "127.0.0.1", false},
    {"10.0.5.7", "10.0.*.*", true},
    {"10.1.5.7", "10.0.*.*", false},
    {"10.0.0.50", "10.0.0.1-10.0.0.99", true},
    {"10.0.0.100", "10.0.0.1-10.0.0.99", false},
    {"10.0.1.5", "10.0.1.0/255.255.255.0", true},
    {"10.0.2.5", "10.0.1.0/255.255.255.0", false},
    {"::1", "::1", true},
    {"::1", "127.0.0.1", false},
    {"127.0.0.1", "::1", false},
    {"2001:db8::1", "2001:db8::/32", true},
    {"2001:db9::1", "2001:db8::/32", false},
    {"fe80::1", "fe80:*::1", true},
    {"fe80:0:0:0:0:0:0:1", "fe80::1", true},
    {"192.168.1.1", "0.0.0.0/0", true},
    {"192.168.1.1", "192.168.1.1/32", true},
    {"192.168.1.1", " 192.168.1.1", true},
    {"192.168.1.1", "192.168.1.1 ", true},
    {"10.0.0.1", "010.0.0.1", true},
    {"::ffff:10.0.0.1", "::ffff:10.0.0.0/120", true},
    {"10.0.0.1", "10.0.0.0/8/8", true},
    {"10.0.0.1", "*.*.*.*", true},
    {"2001:db8::5", "2001:db8::1-2001:db8::ff", true},
    /* ip-matching throws for these; nothing matches. */
    {"10.0.0.1", "10.0.0.1/33", false},
    {"10.0.0.1", "10.0.0.256", false},
    {"10.0.0.1", "garbage", false},
    {"10.0.0.1", "", false},
    {"10.0.0.1", "10.0.0.5-10.0.0.1", false},
    {"not an ip", "0.0.0.0/0", false},
};

static void test_patterns(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (ipmatch_one(str_c(cases[i].ip), str_c(cases[i].pattern)) != cases[i].want)
            fail_msg("case %zu: %s against \"%s\", want %d", i, cases[i].ip, cases[i].pattern,
                     cases[i].want);
}

/* getMatch's verdict on a pattern, as PoliciesService reads it (checked against Directus 11.3.5:
 * a mask or a throw refuses the policy). */
static void test_kinds(void **state)
{
    (void)state;
    static const struct {
        const char *pattern;
        ipmatch_kind_t want;
    } kinds[] = {
        {"01.2.3.4", IPMATCH_ADDRESS},         {" 1.2.3.4 ", IPMATCH_ADDRESS},
        {"::ffff:1.2.3.4", IPMATCH_ADDRESS},   {"10.0.*.*", IPMATCH_WILDCARD},
        {" 1.2.3.4 - 1.2.3.5 ", IPMATCH_RANGE}, {"1.2.3.4-1.2.3.1", IPMATCH_INVALID},
        {"1.2.3.4-::1", IPMATCH_INVALID},      {"1.2.3.256", IPMATCH_INVALID},
        {"1.2.3.4/", IPMATCH_SUBNET},          {"1.2.3.4/8.0", IPMATCH_SUBNET},
        {"1.2.3.4/0x10", IPMATCH_SUBNET},      {"1.2.3.4/8/9", IPMATCH_SUBNET},
        {"1.2.3.4/8.5", IPMATCH_INVALID},      {"1.2.3.4/-1", IPMATCH_INVALID},
        {"1.2.3.4/33", IPMATCH_INVALID},       {"fe80::/10", IPMATCH_SUBNET},
        {"10.0.0.0/255.0.0.0", IPMATCH_MASK},  {"5", IPMATCH_INVALID},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (ipmatch_kind(str_c(kinds[i].pattern)) != kinds[i].want)
            fail_msg("\"%s\": kind %d, want %d", kinds[i].pattern,
                     ipmatch_kind(str_c(kinds[i].pattern)), kinds[i].want);
    /* Number("8.0") is 8: the subnet matches as /8 */
    assert_true(ipmatch_one(STR("10.9.9.9"), STR("10.0.0.0/8.0")));
}

static void test_lists(void **state)
{
    (void)state;
    assert_true(ipmatch_list(STR("10.1.1.1"), STR("192.168.0.0/16,10.0.0.0/8")));
    assert_true(ipmatch_list(STR("::1"), STR("127.0.0.1,::1")));
    assert_false(ipmatch_list(STR("8.8.8.8"), STR("192.168.0.0/16,10.0.0.0/8")));
    assert_false(ipmatch_list(STR("8.8.8.8"), STR(",")));
    assert_true(ipmatch_list_is_empty(STR("")));
    assert_true(ipmatch_list_is_empty(STR_NULL));
    assert_false(ipmatch_list_is_empty(STR("10.0.0.1")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_lists),
    };
    return cmocka_run_group_tests_name("auth/ipmatch", tests, NULL, NULL);
}
