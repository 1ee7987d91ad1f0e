/* The Content-Disposition of /assets answers: content-disposition 0.5.4 (Express's), expected
 * bytes from the package run on the same names (a Latin-1 name is sent as Latin-1 bytes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/api/assets.h"

static void test_content_disposition(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"f_red.png", "inline", "inline; filename=\"f_red.png\""},
        {"f_red.png", "attachment", "attachment; filename=\"f_red.png\""},
        {"other name.png", "inline", "inline; filename=\"other name.png\""},
        {"other name.png", "attachment", "attachment; filename=\"other name.png\""},
        {"caf\303\251.txt", "inline", "inline; filename=\"caf\351.txt\""},
        {"caf\303\251.txt", "attachment", "attachment; filename=\"caf\351.txt\""},
        {"\346\227\245\346\234\254.txt", "inline",
         "inline; filename=\"??.txt\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt"},
        {"\346\227\245\346\234\254.txt", "attachment",
         "attachment; filename=\"??.txt\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt"},
        {"a\"b\\c.txt", "inline", "inline; filename=\"a\\\"b\\\\c.txt\""},
        {"a\"b\\c.txt", "attachment", "attachment; filename=\"a\\\"b\\\\c.txt\""},
        {"100%41.txt", "inline", "inline; filename=\"100%41.txt\"; filename*=UTF-8''100%2541.txt"},
        {"100%41.txt", "attachment",
         "attachment; filename=\"100%41.txt\"; filename*=UTF-8''100%2541.txt"},
        {"dir/x.png", "inline", "inline; filename=\"x.png\""},
        {"dir/x.png", "attachment", "attachment; filename=\"x.png\""},
        {"\302\205x.txt", "inline", "inline; filename=\"?x.txt\"; filename*=UTF-8''%C2%85x.txt"},
        {"\302\205x.txt", "attachment",
         "attachment; filename=\"?x.txt\"; filename*=UTF-8''%C2%85x.txt"},
        {"tab\011here.txt", "inline",
         "inline; filename=\"tab?here.txt\"; filename*=UTF-8''tab%09here.txt"},
        {"tab\011here.txt", "attachment",
         "attachment; filename=\"tab?here.txt\"; filename*=UTF-8''tab%09here.txt"},
    };
    arena_t *a = arena_new();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(assets_content_disposition(a, cases[i][1], str_c(cases[i][0])),
                            cases[i][2]);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_disposition),
    };
    return cmocka_run_group_tests_name("api/assets", tests, NULL, NULL);
}
