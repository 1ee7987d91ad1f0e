/* json_write_str skips plain text 8 bytes at a time: a byte that needs escaping must be found at
 * every position of a word, in strings of every length around the word size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/core/json.h"

/* JSON.stringify's text for one byte of the string (the ones these tests put in). */
static const char *escaped(unsigned char c, char u[8])
{
    switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\n': return "\\n";
    case '\t': return "\\t";
    default:
        if (c < 0x20) {
            snprintf(u, 8, "\\u%04x", c);
            return u;
        }
        u[0] = (char)c, u[1] = '\0';
        return u;
    }
}

static void test_every_position_of_every_length(void **state)
{
    (void)state;
    const unsigned char bytes[] = {0x00, 0x01, '\t', '\n', 0x1f, '"', '\\', ' ', 0x7f, 0xC3, 0xEC, 0xEE};
    arena_t *a = arena_new();
    char text[40], want[64], u[8];
    for (size_t len = 1; len <= 33; len++)
        for (size_t at = 0; at < len; at++)
            for (size_t k = 0; k < sizeof bytes; k++) {
                memset(text, 'x', len);
                text[at] = (char)bytes[k];
                snprintf(want, sizeof want, "\"%.*s%s%.*s\"", (int)at, text,
                         escaped(bytes[k], u), (int)(len - at - 1), text + at + 1);
                buf_t b;
                buf_init(&b, a, 8);
                json_write_str(&b, (str_t){text, len});
                assert_int_equal(b.n, strlen(want));
                assert_memory_equal(b.p, want, b.n);
                arena_reset(a);
            }
    /* a lone surrogate (WTF-8 ED A0 BD) anywhere: escaped as \ud83d */
    for (size_t len = 3; len <= 24; len++)
        for (size_t at = 0; at + 3 <= len; at++) {
            memset(text, 'y', len);
            memcpy(text + at, "\xed\xa0\xbd", 3);
            snprintf(want, sizeof want, "\"%.*s\\ud83d%.*s\"", (int)at, text,
                     (int)(len - at - 3), text + at + 3);
            buf_t b;
            buf_init(&b, a, 8);
            json_write_str(&b, (str_t){text, len});
            assert_string_equal(b.p, want);
            arena_reset(a);
        }
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_position_of_every_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
