#include "lib/services/files_meta.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "lib/core/buf.h"

/* ------------------------------------------------------------------ image headers */

static unsigned be16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static unsigned long be32(const unsigned char *p)
{
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

static unsigned le16(const unsigned char *p)
{
    return (unsigned)p[1] << 8 | p[0];
}

static unsigned long le24(const unsigned char *p)
{
    return (unsigned long)p[2] << 16 | (unsigned long)p[1] << 8 | p[0];
}

static int exif_orientation(const unsigned char *t, size_t n);

/* An EXIF block found in a container: kept for exif_metadata, its orientation read. */
static void found_exif(image_info_t *o, const unsigned char *e, size_t n)
{
    if (o->exif)
        return;
    o->has_exif = true;
    o->exif = e;
    o->exif_n = n;
    if (n >= 6 && !memcmp(e, "Exif\0\0", 6))
        e += 6, n -= 6;
    o->orientation = exif_orientation(e, n);
}

static bool png_info(const unsigned char *p, size_t n, image_info_t *o)
{
    if (n < 24 || memcmp(p, "\x89PNG\r\n\x1a\n", 8) || memcmp(p + 12, "IHDR", 4))
        return false;
    o->width = (long)be32(p + 16);
    o->height = (long)be32(p + 20);
    /* The eXIf chunk, wherever it is before IEND. */
    for (size_t i = 8; i + 12 <= n;) {
        unsigned long len = be32(p + i);
        if (len > n - i - 12)
            break;
        if (!memcmp(p + i + 4, "eXIf", 4))
            found_exif(o, p + i + 8, len);
        if (!memcmp(p + i + 4, "IEND", 4))
            break;
        i += 12 + len;
    }
    return o->width > 0 && o->height > 0;
}

/* The EXIF chunk of an extended WebP. */
static void webp_exif(const unsigned char *p, size_t n, image_info_t *o)
{
    for (size_t i = 12; i + 8 <= n;) {
        unsigned long len = (unsigned long)p[i + 4] | (unsigned long)p[i + 5] << 8 |
                            (unsigned long)p[i + 6] << 16 | (unsigned long)p[i + 7] << 24;
        if (len > n - i - 8)
            break;
        if (!memcmp(p + i, "EXIF", 4)) {
            found_exif(o, p + i + 8, len);
            return;
        }
        i += 8 + len + (len & 1);
    }
}

static bool gif_info(const unsigned char *p, size_t n, image_info_t *o)
{
    if (n < 10 || (memcmp(p, "GIF87a", 6) && memcmp(p, "GIF89a", 6)))
        return false;
    o->width = le16(p + 6);
    o->height = le16(p + 8);
    return o->width > 0 && o->height > 0;
}

static bool webp_info(const unsigned char *p, size_t n, image_info_t *o)
{
    if (n < 30 || memcmp(p, "RIFF", 4) || memcmp(p + 8, "WEBP", 4))
        return false;
    if (!memcmp(p + 12, "VP8 ", 4)) {
        if (p[23] != 0x9d || p[24] != 0x01 || p[25] != 0x2a)
            return false;
        o->width = le16(p + 26) & 0x3fff;
        o->height = le16(p + 28) & 0x3fff;
    } else if (!memcmp(p + 12, "VP8L", 4)) {
        if (p[20] != 0x2f)
            return false;
        unsigned long bits = (unsigned long)p[21] | (unsigned long)p[22] << 8 |
                             (unsigned long)p[23] << 16 | (unsigned long)p[24] << 24;
        o->width = (long)(bits & 0x3fff) + 1;
        o->height = (long)((bits >> 14) & 0x3fff) + 1;
    } else if (!memcmp(p + 12, "VP8X", 4)) {
        o->width = (long)le24(p + 24) + 1;
        o->height = (long)le24(p + 27) + 1;
        if (p[20] & 0x08)
            webp_exif(p, n, o);
    } else {
        return false;
    }
    return o->width > 0 && o->height > 0;
}

/* The Orientation tag (0x0112) of IFD0 in a TIFF-structured EXIF block, 0 when absent. */
static int exif_orientation(const unsigned char *t, size_t n)
{
    if (n < 8)
        return 0;
    bool le = !memcmp(t, "II", 2);
    if (!le && memcmp(t, "MM", 2))
        return 0;
    unsigned long off = le ? (unsigned long)t[4] | (unsigned long)t[5] << 8 |
                                 (unsigned long)t[6] << 16 | (unsigned long)t[7] << 24
                           : be32(t + 4);
    if (off + 2 > n)
        return 0;
    unsigned count = le ? le16(t + off) : be16(t + off);
    for (unsigned i = 0; i < count; i++) {
        size_t e = off + 2 + (size_t)i * 12;
        if (e + 12 > n)
            return 0;
        unsigned tag = le ? le16(t + e) : be16(t + e);
        if (tag == 0x0112)
            return (int)(le ? le16(t + e + 8) : be16(t + e + 8));
    }
    return 0;
}

static bool is_sof(unsigned char m)
{
    return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

static bool jpeg_info(const unsigned char *p, size_t n, image_info_t *o)
{
    if (n < 4 || p[0] != 0xff || p[1] != 0xd8)
        return false;
    size_t i = 2;
    while (i + 4 <= n) {
        if (p[i] != 0xff)
            return false;
        unsigned char m = p[i + 1];
        if (m == 0xff) { /* fill byte */
            i++;
            continue;
        }
        if (m == 0xd8 || (m >= 0xd0 && m <= 0xd7) || m == 0x01) {
            i += 2;
            continue;
        }
        size_t len = be16(p + i + 2);
        if (len < 2)
            return false;
        const unsigned char *seg = p + i + 4;
        size_t avail = n - (i + 4) < len - 2 ? n - (i + 4) : len - 2;
        if (m == 0xe1 && avail >= 6 && !memcmp(seg, "Exif\0\0", 6)) {
            found_exif(o, seg, avail);
        } else if (is_sof(m)) {
            if (avail < 5)
                return false;
            o->height = be16(seg + 1);
            o->width = be16(seg + 3);
            return o->width > 0 && o->height > 0;
        }
        i += 2 + len;
    }
    return false;
}

bool image_info(const unsigned char *p, size_t n, image_info_t *out)
{
    *out = (image_info_t){0};
    bool ok =
        png_info(p, n, out) || gif_info(p, n, out) || webp_info(p, n, out) || jpeg_info(p, n, out);
    if (ok && out->orientation >= 5) {
        long w = out->width;
        out->width = out->height;
        out->height = w;
    }
    return ok;
}

/* ------------------------------------------------------------------ exif-reader */

typedef struct {
    const unsigned char *p;
    size_t n;
    bool be;
    size_t start; /* 6 when the block begins with "Exif\0\0" */
} exif_t;

static unsigned long ex16(const exif_t *x, size_t o)
{
    return x->be ? be16(x->p + o) : le16(x->p + o);
}

static unsigned long ex32(const exif_t *x, size_t o)
{
    return x->be ? be32(x->p + o)
                 : (unsigned long)x->p[o] | (unsigned long)x->p[o + 1] << 8 |
                       (unsigned long)x->p[o + 2] << 16 | (unsigned long)x->p[o + 3] << 24;
}

/* Buffer's toJSON: {"type":"Buffer","data":[…]} of the bytes [o, o + n) that exist. */
static struct json_object *ex_buffer(const exif_t *x, size_t o, size_t n)
{
    struct json_object *b = json_object_new_object(), *d = json_object_new_array();
    json_object_object_add(b, "type", json_object_new_string("Buffer"));
    for (size_t i = o; i < x->n && i - o < n; i++)
        json_object_array_add(d, json_object_new_int(x->p[i]));
    json_object_object_add(b, "data", d);
    return b;
}

/* JSON.stringify of a number: non-finite values are null. */
static struct json_object *ex_number(double v)
{
    if (v != v || v > 1.7976931348623157e308 || v < -1.7976931348623157e308)
        return NULL;
    if (v == (double)(long long)v && v < 9e15 && v > -9e15)
        return json_object_new_int64((long long)v);
    return json_object_new_double(v);
}

/* readValue; NULL (JSON null) past the end. */
static struct json_object *ex_value(const exif_t *x, size_t o, unsigned type)
{
    static const size_t size[] = {0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8};
    if (o + size[type] > x->n)
        return NULL;
    switch (type) {
    case 1:
        return json_object_new_int(x->p[o]);
    case 3:
        return json_object_new_int((int)ex16(x, o));
    case 4:
        return json_object_new_int64((int64_t)ex32(x, o));
    case 5:
        return ex_number((double)ex32(x, o) / (double)ex32(x, o + 4));
    case 6:
        return json_object_new_int((signed char)x->p[o]);
    case 8:
        return json_object_new_int((int16_t)ex16(x, o));
    case 9:
        return json_object_new_int((int32_t)ex32(x, o));
    case 10:
        return ex_number((double)(int32_t)ex32(x, o) / (double)(int32_t)ex32(x, o + 4));
    default:
        return NULL;
    }
}

/* readTag at o (the entry's type field). */
static struct json_object *ex_tag(const exif_t *x, size_t o)
{
    static const size_t size[] = {0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8};
    if (x->n < o + 7)
        return NULL;
    unsigned type = (unsigned)ex16(x, o);
    if (!type || type > 10)
        return NULL;
    unsigned long count = ex32(x, o + 2);
    size_t vo;
    if ((double)size[type] * (double)count <= 4) {
        vo = o + 6;
    } else {
        if (x->n < o + 10)
            return NULL;
        vo = ex32(x, o + 6) + x->start;
    }
    if (type == 2) {
        bool high = false;
        for (size_t i = vo; i < x->n && i - vo < count; i++)
            high |= x->p[i] >= 0x80;
        if (high)
            return ex_buffer(x, vo, count);
        size_t end = vo < x->n ? (count < x->n - vo ? vo + count : x->n) : vo;
        size_t len = end > vo ? end - vo : 0;
        if (len && x->p[vo + len - 1] == 0)
            len--;
        return json_object_new_string_len(len ? (const char *)x->p + vo : "", (int)len);
    }
    if (type == 7)
        return ex_buffer(x, vo, count);
    if (count == 1)
        return ex_value(x, vo, type);
    struct json_object *arr = json_object_new_array();
    for (unsigned long i = 0; i < count && vo < x->n; i++, vo += size[type])
        json_object_array_add(arr, ex_value(x, vo, type));
    return arr;
}

/* readTags of one IFD, keeping the tags asked for (by number, named); the last entry of a tag
 * wins. *ok is false when exif-reader's readTags answers null. */
static struct json_object *ex_ifd(const exif_t *x, size_t o, const unsigned *tags,
                                  const char *const *names, size_t ntags, bool *ok)
{
    *ok = false;
    if (x->n < o + 2)
        return NULL;
    unsigned long count = ex16(x, o);
    o += 2;
    struct json_object *res = json_object_new_object();
    for (unsigned long i = 0; i < count; i++, o += 12) {
        if (x->n < o + 2) {
            json_object_put(res);
            return NULL;
        }
        unsigned tag = (unsigned)ex16(x, o);
        for (size_t k = 0; k < ntags; k++)
            if (tags[k] == tag)
                json_object_object_add(res, names[k], ex_tag(x, o + 2));
    }
    *ok = true;
    return res;
}

/* lodash pick's section: the names the IFD has, in the allow list's order, strings trimmed as
 * Directus does after the pick. Takes ifd over; NULL when none of the names is there. */
static struct json_object *picked(struct json_object *ifd, const char *const *names, size_t n)
{
    struct json_object *out = json_object_new_object(), *v;
    for (size_t i = 0; i < n; i++)
        if (json_object_object_get_ex(ifd, names[i], &v))
            json_object_object_add(out, names[i], json_object_get(v));
    json_object_put(ifd);
    if (!json_object_object_length(out)) {
        json_object_put(out);
        return NULL;
    }
    return out;
}

static void trim_strings(struct json_object *section)
{
    json_object_object_foreach(section, k, v)
    {
        if (json_object_get_type(v) != json_type_string)
            continue;
        const char *s = json_object_get_string(v);
        size_t n = (size_t)json_object_get_string_len(v), b = 0;
        while (b < n && isspace((unsigned char)s[b]))
            b++;
        while (n > b && isspace((unsigned char)s[n - 1]))
            n--;
        json_object_object_add(section, k, json_object_new_string_len(s + b, (int)(n - b)));
    }
}

struct json_object *exif_metadata(const unsigned char *p, size_t n)
{
    struct json_object *out = json_object_new_object();
    exif_t x = {.p = p, .n = n};
    if (n >= 3 && memcmp(p, "MM\0", 3) && memcmp(p, "II\x2a", 3)) {
        if (n < 5 || memcmp(p, "Exif\0", 5))
            return out;
        x.start = 6;
    }
    if (n < x.start + 2)
        return out;
    if (!memcmp(p + x.start, "II", 2))
        x.be = false;
    else if (!memcmp(p + x.start, "MM", 2))
        x.be = true;
    else
        return out;
    if (n < x.start + 4 || ex16(&x, x.start + 2) != 0x2a || n <= x.start + 8)
        return out;
    size_t ifd = ex32(&x, x.start + 4) + x.start;
    if (ifd < 8)
        return out;
    static const unsigned image_tags[] = {0x010f, 0x0110, 0x8769};
    static const char *const image_names[] = {"Make", "Model", "ExifTag"};
    /* FILE_METADATA_ALLOW_LIST's default order. */
    static const unsigned photo_tags[] = {0x829d, 0x829a, 0x920a, 0x8827};
    static const char *const photo_names[] = {"FNumber", "ExposureTime", "FocalLength",
                                              "ISOSpeedRatings"};
    bool ok;
    struct json_object *image = ex_ifd(&x, ifd, image_tags, image_names, 3, &ok);
    if (!ok)
        return out;
    struct json_object *exif_tag = NULL, *photo = NULL;
    if (json_object_object_get_ex(image, "ExifTag", &exif_tag) &&
        json_object_get_type(exif_tag) == json_type_int && json_object_get_int64(exif_tag) > 0)
        photo = ex_ifd(&x, (size_t)json_object_get_int64(exif_tag) + x.start, photo_tags,
                       photo_names, 4, &ok);
    if ((image = picked(image, image_names, 2))) {
        trim_strings(image);
        json_object_object_add(out, "ifd0", image);
    }
    if (photo && (photo = picked(photo, photo_names, 4))) {
        trim_strings(photo);
        json_object_object_add(out, "exif", photo);
    }
    return out;
}

/* ------------------------------------------------------------------ formatTitle */

static const char *const acronyms[] = {
    "2D",     "3D",    "4WD",  "A2O",   "AI",    "API",  "BIOS",    "CC",  "CCTV", "CCV",  "CD",
    "CD-ROM", "CIA",   "CMS",  "COBOL", "CSS",   "CSV",  "CV",      "DB",  "DIY",  "DNA",  "DVD",
    "E3",     "EIN",   "ESPN", "FAQ",   "FAQs",  "FBI",  "FORTRAN", "FPS", "FTP",  "HTML", "HTTP",
    "HTTPS",  "ID",    "IP",   "ISO",   "JS",    "JSON", "LASER",   "M2A", "M2M",  "M2MM", "M2O",
    "MMORPG", "NAFTA", "NASA", "NDA",   "O2A",   "O2M",  "PDF",     "PHP", "POP",  "RAM",  "RNGR",
    "ROM",    "RPG",   "RTFM", "RTS",   "SCUBA", "SDK",  "SITCOM",  "SKU", "SMTP", "SQL",  "SSL",
    "SSN",    "SWAT",  "TBS",  "TLS",   "TNA",   "TS",   "TTL",     "TV",  "UI",   "URL",  "USB",
    "UWP",    "VIP",   "W3C",  "WWE",   "WWF",   "WWW",  "WYSIWYG",
};

static const char *const special_case[] = {
    "2FA",        "4K",     "5K",   "8K",   "AGI",      "BI",   "ChatGPT", "CTA",       "DateTime",
    "FMS",        "GitHub", "GPT",  "HD",   "IBMid",    "IDs",  "iMac",    "IMAX",      "iOS",
    "iPad",       "iPhone", "iPod", "LDAP", "LinkedIn", "LLM",  "macOS",   "McDonalds", "ML",
    "MySQL",      "NLG",    "NLP",  "NLU",  "OpenAI",   "PDFs", "PIM",     "PEFT",      "pH",
    "PostgreSQL", "SEO",    "TTS",  "UHD",  "UUID",     "XSS",  "YouTube",
};

/* The articles, conjunctions and prepositions of the package's lists that are shorter than 4
 * letters (longer words are kept as they are before the lists are looked at). */
static const char *const small_words[] = {
    "a",  "an", "the", "and", "but", "or",  "as", "if",  "so", "nor", "now",
    "at", "by", "for", "in",  "of",  "off", "on", "out", "to", "up",
};

static bool in_list(const char *const *list, size_t n, const char *w, bool icase)
{
    for (size_t i = 0; i < n; i++)
        if (icase ? !strcasecmp(list[i], w) : !strcmp(list[i], w))
            return true;
    return false;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool lower_digit(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

/* decamelize: "aB" → "a_B", "ABCd" → "AB_Cd", then lower case. */
static char *decamelize(arena_t *a, str_t s)
{
    buf_t one, two;
    buf_init(&one, a, s.n * 2 + 1);
    for (size_t i = 0; i < s.n; i++) {
        buf_append(&one, s.p + i, 1);
        if (lower_digit(s.p[i]) && i + 1 < s.n && upper(s.p[i + 1])) {
            buf_append(&one, "_", 1);
            buf_append(&one, s.p + ++i, 1);
        }
    }
    buf_init(&two, a, one.n * 2 + 1);
    for (size_t i = 0; i < one.n;) {
        size_t j = i;
        while (j < one.n && upper(one.p[j]))
            j++;
        if (j - i >= 2 && j < one.n && lower_digit(one.p[j])) {
            size_t k = j;
            while (k < one.n && lower_digit(one.p[k]))
                k++;
            buf_append(&two, one.p + i, j - 1 - i);
            buf_append(&two, "_", 1);
            buf_append(&two, one.p + j - 1, k - j + 1);
            i = k;
        } else {
            size_t end = j > i ? j : i + 1;
            buf_append(&two, one.p + i, end - i);
            i = end;
        }
    }
    char *out = arena_strndup(a, two.p ? two.p : "", two.n);
    for (char *c = out; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return out;
}

static bool separator(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' || c == '-' ||
           c == '_';
}

/* handleSpecialWords(word, index, words) on a capitalised word. */
static const char *special_word(arena_t *a, char *w, size_t index, size_t nwords)
{
    for (size_t i = 0; i < COUNT(special_case); i++)
        if (!strcasecmp(special_case[i], w))
            return special_case[i];
    char *up = arena_strdup(a, w);
    for (char *c = up; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    if (in_list(acronyms, COUNT(acronyms), up, false))
        return up;
    if (index == 0 || index == nwords - 1 || strlen(w) >= 4)
        return w;
    if (in_list(small_words, COUNT(small_words), w, true)) {
        for (char *c = w; *c; c++)
            *c = (char)tolower((unsigned char)*c);
    }
    return w;
}

char *format_title(arena_t *a, str_t s)
{
    char *d = decamelize(a, s);
    size_t nwords = 1;
    for (char *c = d; *c; c++)
        nwords += separator(*c);
    buf_t out;
    buf_init(&out, a, strlen(d) + 8);
    char *w = d;
    for (size_t index = 0; index < nwords; index++) {
        size_t len = 0;
        while (w[len] && !separator(w[len]))
            len++;
        char *word = arena_strndup(a, w, len);
        word[0] = (char)toupper((unsigned char)word[0]);
        if (index)
            buf_append(&out, " ", 1);
        buf_puts(&out, special_word(a, word, index, nwords));
        w += len + (w[len] ? 1 : 0);
    }
    return arena_strndup(a, out.p ? out.p : "", out.n);
}

/* ------------------------------------------------------------------ paths */

static str_t base(str_t name)
{
    while (name.n > 1 && name.p[name.n - 1] == '/')
        name.n--;
    for (size_t i = name.n; i > 0; i--)
        if (name.p[i - 1] == '/')
            return (str_t){name.p + i, name.n - i};
    return name;
}

str_t path_extname(str_t name)
{
    str_t b = base(name);
    size_t lead = 0;
    while (lead < b.n && b.p[lead] == '.')
        lead++;
    for (size_t i = b.n; i > lead; i--)
        if (b.p[i - 1] == '.')
            return (str_t){b.p + i - 1, b.n - i + 1};
    /* Only leading dots: "." and ".." have none; "..." ends in one. */
    if (lead == b.n && lead > 2)
        return (str_t){b.p + b.n - 1, 1};
    return (str_t){b.p + b.n, 0};
}

str_t path_stem(str_t name)
{
    str_t b = base(name);
    str_t e = path_extname(b);
    return (str_t){b.p, b.n - e.n};
}
