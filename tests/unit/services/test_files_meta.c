/* What Directus derives from an upload: image dimensions from PNG, GIF, WebP and JPEG headers
 * (EXIF orientation swapping them), formatTitle (expected values from @directus/format-title
 * 11.3.5's package, run on the same names) and Node's path.extname / path.parse().name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "lib/services/files_meta.h"

static void expect_size(const unsigned char *p, size_t n, long w, long h)
{
    image_info_t ii;
    assert_true(image_info(p, n, &ii));
    assert_int_equal(ii.width, w);
    assert_int_equal(ii.height, h);
}

static void test_png_gif_webp(void **state)
{
    (void)state;
    static const unsigned char png[] = {0x89, 'P',  'N', 'G', '\r', '\n', 0x1a, '\n', 0,
                                        0,    0,    13,  'I', 'H',  'D',  'R',  0,    0,
                                        1,    0x2c, 0,   0,   0,    0xc8, 8,    2};
    expect_size(png, sizeof png, 300, 200);
    static const unsigned char gif[] = {'G', 'I', 'F', '8', '9', 'a', 0x40, 0x01, 0xf0, 0x00};
    expect_size(gif, sizeof gif, 320, 240);
    unsigned char webp[32] = "RIFF\0\0\0\0WEBPVP8X";
    webp[24] = 0x1f; /* canvas 800 × 600, stored minus one, 24-bit little-endian */
    webp[25] = 0x03;
    webp[27] = 0x57;
    webp[28] = 0x02;
    expect_size(webp, sizeof webp, 800, 600);
    unsigned char lossless[32] = "RIFF\0\0\0\0WEBPVP8L";
    lossless[20] = 0x2f;
    uint32_t bits = (uint32_t)(64 - 1) | (uint32_t)(48 - 1) << 14;
    lossless[21] = (unsigned char)bits;
    lossless[22] = (unsigned char)(bits >> 8);
    lossless[23] = (unsigned char)(bits >> 16);
    lossless[24] = (unsigned char)(bits >> 24);
    expect_size(lossless, sizeof lossless, 64, 48);
    unsigned char lossy[32] = "RIFF\0\0\0\0WEBPVP8 ";
    lossy[23] = 0x9d;
    lossy[24] = 0x01;
    lossy[25] = 0x2a;
    lossy[26] = 10;
    lossy[28] = 20;
    expect_size(lossy, sizeof lossy, 10, 20);
}

static void test_jpeg(void **state)
{
    (void)state;
    /* SOI, APP1 Exif (little-endian TIFF, IFD0 with Orientation 6), SOF0 3 × 2. */
    static const unsigned char jpeg[] = {
        0xff, 0xd8, 0xff, 0xe1, 0x00, 0x22, 'E',  'x',  'i',  'f',  0,    0,    'I',  'I',  0x2a,
        0x00, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00,
        0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x02,
        0x00, 0x03, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01};
    image_info_t ii;
    assert_true(image_info(jpeg, sizeof jpeg, &ii));
    assert_true(ii.has_exif);
    assert_int_equal(ii.orientation, 6);
    /* Orientation 5-8: Directus swaps width and height. */
    assert_int_equal(ii.width, 2);
    assert_int_equal(ii.height, 3);
    /* Without the EXIF block: as stored. */
    static const unsigned char plain[] = {0xff, 0xd8, 0xff, 0xc2, 0x00, 0x11, 0x08, 0x01,
                                          0x00, 0x02, 0x00, 0x03, 0x01, 0x22, 0x00};
    expect_size(plain, sizeof plain, 512, 256);
}

static void test_not_images(void **state)
{
    (void)state;
    image_info_t ii;
    assert_false(image_info((const unsigned char *)"hello world\n", 12, &ii));
    assert_false(image_info((const unsigned char *)"", 0, &ii));
    static const unsigned char cut_png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0};
    assert_false(image_info(cut_png, sizeof cut_png, &ii));
    static const unsigned char cut_jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F'};
    assert_false(image_info(cut_jpeg, sizeof cut_jpeg, &ii));
    static const unsigned char zero_len[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x00, 0xff, 0xc0};
    assert_false(image_info(zero_len, sizeof zero_len, &ii));
}

/* EXIF blocks and what Directus stores for them: expected texts from exif-reader 2.0.1 and
 * lodash's pick with the default FILE_METADATA_ALLOW_LIST, run on the same bytes. */
static void test_exif_metadata(void **state)
{
    (void)state;
    static const char be[] =
        "4d4d002a000000080003010f0002000000080000005a011000020000000341e90000876900040000000100"
        "0000320000000000028827000300000002006400c8829d00050000000100000064000000000000000000000000"
        "0000204e696b6f6e200000000000000000000000000000000000000000000000";
    static const char want[] = "{\"ifd0\":{\"Make\":\"Nikon\",\"Model\":{\"type\":\"Buffer\","
                               "\"data\":[65,233,0]}},\"exif\":{\"FNumber\":null,"
                               "\"ISOSpeedRatings\":[100,200]}}";
    unsigned char buf[6 + sizeof be / 2];
    memcpy(buf, "Exif\0\0", 6);
    size_t n = 0;
    for (size_t i = 0; be[i]; i += 2) {
        unsigned v;
        sscanf(be + i, "%2x", &v);
        buf[6 + n++] = (unsigned char)v;
    }
    struct {
        const unsigned char *p;
        size_t n;
        const char *want;
    } cases[] = {
        {buf + 6, n, want},  /* big-endian TIFF */
        {buf, n + 6, want},  /* as a JPEG's APP1 carries it */
        {buf + 6, 30, "{}"}, /* IFD0 cut short: exif-reader's readTags gives null */
        {(const unsigned char *)"MM\0\x2b\0\0\0\x08", 8, "{}"}, /* not TIFF */
        {(const unsigned char *)"JUNK", 4, "{}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct json_object *m = exif_metadata(cases[i].p, cases[i].n);
        assert_string_equal(json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN),
                            cases[i].want);
        json_object_put(m);
    }
}

static void test_format_title(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"f_red", "F Red"},
        {"my-red_image.v2", "My Red Image.v2"},
        {"helloWorld", "Hello World"},
        {"XMLHttpRequest", "Xml HTTP Request"},
        {"the_lord_of_the_rings", "The Lord of the Rings"},
        {"a__b", "A  B"},
        {"", ""},
        {"mysql-to-postgresql", "MySQL to PostgreSQL"},
        {"my json api", "My JSON API"},
        {"iphone-photo", "iPhone Photo"},
        {"ABCd", "Ab CD"},
        {"camelCaseID", "Camel Case ID"},
        {"report 2024 final", "Report 2024 Final"},
        {"in_the_end", "In the End"},
        {"of", "Of"},
        {"photo-of-a-cat", "Photo of a Cat"},
        {"user_ids", "User IDs"},
        {"faqs page", "Faqs Page"},
        {"a-cd-rom-guide", "A CD ROM Guide"},
        {"x-y-z", "X Y Z"},
        {"TEST_FILE", "Test File"},
        {"d\xc3\xa9j\xc3\xa0 vu", "D\xc3\xa9j\xc3\xa0 Vu"},
    };
    arena_t *a = arena_new();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(format_title(a, str_c(cases[i][0])), cases[i][1]);
    arena_free(a);
}

static void test_paths(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"a.txt", ".txt", "a"}, {".hidden", "", ".hidden"}, {"a.b.c", ".c", "a.b"},
        {"noext", "", "noext"}, {"a.", ".", "a"},           {"..", "", ".."},
        {"...", ".", ".."},     {"dir/x.png", ".png", "x"}, {".a.b", ".b", ".a"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        str_t e = path_extname(str_c(cases[i][0])), s = path_stem(str_c(cases[i][0]));
        assert_int_equal(e.n, strlen(cases[i][1]));
        assert_memory_equal(e.p, cases[i][1], e.n);
        assert_int_equal(s.n, strlen(cases[i][2]));
        assert_memory_equal(s.p, cases[i][2], s.n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_gif_webp), cmocka_unit_test(test_jpeg),
        cmocka_unit_test(test_not_images),   cmocka_unit_test(test_exif_metadata),
        cmocka_unit_test(test_format_title), cmocka_unit_test(test_paths),
    };
    return cmocka_run_group_tests_name("services/files_meta", tests, NULL, NULL);
}
