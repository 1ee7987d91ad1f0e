#include "lib/api/assets.h"

#include <ctype.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/api/cache.h"
#include "lib/api/items.h"
#include "lib/api/schema_cache.h"
#include "lib/core/buf.h"
#include "lib/core/json.h"
#include "lib/core/jsonparse.h"
#include "lib/services/files.h"
#include "lib/services/items.h"
#include "lib/services/settings.h"
#include "lib/sql/plan.h"

static const char *const transform_keys[] = {
    "key",     "transforms",         "width",         "height",        "format", "fit",
    "quality", "withoutEnlargement", "focal_point_x", "focal_point_y",
};

/* SYSTEM_ASSET_ALLOW_LIST's keys: every one of them has a resize transform. */
static const char *const system_keys[] = {
    "system-small-cover",    "system-small-contain", "system-medium-cover",
    "system-medium-contain", "system-large-cover",   "system-large-contain",
};

/* types/assets.ts TransformationMethods: the sharp methods `transforms` may name. */
static const char *const methods[] = {
    "toFormat",     "jpeg",          "png",         "tiff",        "webp",           "avif",
    "resize",       "extend",        "extract",     "trim",        "rotate",         "flip",
    "flop",         "sharpen",       "median",      "blur",        "flatten",        "gamma",
    "negate",       "normalise",     "normalize",   "clahe",       "convolve",       "threshold",
    "linear",       "recomb",        "modulate",    "tint",        "greyscale",      "grayscale",
    "toColorspace", "toColourspace", "removeAlpha", "ensureAlpha", "extractChannel", "bandbool",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool in_list(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; s && i < n; i++)
        if (!strcmp(list[i], s))
            return true;
    return false;
}

static struct json_object *get(struct json_object *o, const char *k)
{
    struct json_object *v = NULL;
    json_object_object_get_ex(o, k, &v);
    return v;
}

static const char *text_of(struct json_object *v)
{
    return json_object_get_type(v) == json_type_string ? json_object_get_string(v) : NULL;
}

/* ------------------------------------------------------------------ settings */

typedef struct {
    struct json_object *presets; /* storage_asset_presets: an array, or NULL */
    const char *transform;       /* storage_asset_transform: "all", "presets", other or NULL */
    const char *public_keys[4];  /* project_logo, public_background/foreground/favicon */
} asset_settings_t;

static str_t cell_text(const db_result_t *r, size_t col)
{
    const db_value_t *v = db_cell(r, 0, col);
    return v->type == DB_TEXT ? v->s : STR_NULL;
}

static int read_settings(ctx_t *ctx, asset_settings_t *st)
{
    static const char *const cols[] = {"storage_asset_presets", "storage_asset_transform",
                                       "project_logo",          "public_background",
                                       "public_foreground",     "public_favicon"};
    *st = (asset_settings_t){.transform = "all"};
    db_result_t res;
    if (settings_columns(ctx->arena, &ctx->err, ctx->db, cols, COUNT(cols), &res) < 0)
        return -1;
    if (!res.nrows)
        return 0;
    str_t presets = cell_text(&res, 0);
    struct json_object *pv;
    const char *msg;
    if (presets.p && jsonparse(ctx->arena, presets.p, presets.n, 0, 64, &pv, &msg) == 0 &&
        json_object_get_type(pv) == json_type_array)
        st->presets = pv;
    str_t t = cell_text(&res, 1);
    st->transform = t.p ? str_dup(ctx->arena, t) : NULL;
    for (size_t i = 0; i < 4; i++) {
        str_t k = cell_text(&res, 2 + i);
        st->public_keys[i] = k.p ? str_dup(ctx->arena, k) : NULL;
    }
    return 0;
}

/* ------------------------------------------------------------------ the transformation query */

typedef struct {
    struct json_object *params; /* the query's transformation keys (Directus's `pick`) */
    size_t nparams;
    struct json_object *transforms; /* the parsed `transforms`, or NULL */
    const char *key;
    struct json_object *preset; /* the preset the key names (system or settings), or NULL */
} transformation_t;

static int invalid(ctx_t *ctx, const char *fmt, const char *arg)
{
    return err_invalid_query(&ctx->err, ctx->arena, arena_printf(ctx->arena, fmt, arg));
}

static int check_transforms(ctx_t *ctx, transformation_t *t, struct json_object *raw)
{
    static const char *need = "\"transforms\" Parameter needs to be a JSON array of allowed "
                              "transformations";
    const char *s = text_of(raw);
    struct json_object *v;
    const char *msg;
    if (!s || jsonparse(ctx->arena, s, strlen(s), 0, 64, &v, &msg) < 0 ||
        json_object_get_type(v) != json_type_array)
        return err_invalid_query(&ctx->err, ctx->arena, need);
    size_t n = json_object_array_length(v);
    if ((long)n > ctx->conf->assets_transform_max_operations)
        return err_invalid_query(
            &ctx->err, ctx->arena,
            arena_printf(ctx->arena, "\"transforms\" Parameter is only allowed %d transformations",
                         ctx->conf->assets_transform_max_operations));
    for (size_t i = 0; i < n; i++) {
        struct json_object *tr = json_object_array_get_idx(v, i);
        const char *name = "undefined";
        if (json_object_get_type(tr) == json_type_array && json_object_array_length(tr))
            name = json_object_get_string(json_object_array_get_idx(tr, 0));
        else if (json_object_get_type(tr) == json_type_string && json_object_get_string_len(tr))
            name = arena_strndup(ctx->arena, json_object_get_string(tr), 1);
        if (!in_list(methods, COUNT(methods), name))
            return invalid(
                ctx, "\"transforms\" Parameter does not allow \"%s\" as a transformation", name);
    }
    t->transforms = v;
    return 0;
}

static struct json_object *preset_of(const asset_settings_t *st, const char *key)
{
    size_t n = st->presets ? json_object_array_length(st->presets) : 0;
    for (size_t i = 0; key && i < n; i++) {
        struct json_object *p = json_object_array_get_idx(st->presets, i);
        const char *k = text_of(get(p, "key"));
        if (k && !strcmp(k, key))
            return p;
    }
    return NULL;
}

/* The first middleware of the assets route: the query's transformation against the project's
 * settings (storage_asset_transform: all, presets, or only the system presets). */
static int check_transformation(ctx_t *ctx, const asset_settings_t *st, transformation_t *t)
{
    *t = (transformation_t){.params = json_own(ctx->arena, json_object_new_object())};
    for (size_t i = 0; i < COUNT(transform_keys); i++) {
        struct json_object *v;
        if (json_object_object_get_ex(ctx->query, transform_keys[i], &v)) {
            json_object_object_add(t->params, transform_keys[i], json_object_get(v));
            t->nparams++;
        }
    }
    struct json_object *raw;
    if (json_object_object_get_ex(t->params, "transforms", &raw) &&
        check_transforms(ctx, t, raw) < 0)
        return -1;
    struct json_object *key = get(t->params, "key");
    t->key = json_truthy(key) ? json_object_get_string(key) : NULL;
    bool system = in_list(system_keys, COUNT(system_keys), t->key);
    t->preset = preset_of(st, t->key);
    if (!t->nparams || (t->transforms && !json_object_array_length(t->transforms)))
        return 0;
    bool known = system || t->preset;
    if (st->transform && !strcmp(st->transform, "all")) {
        if (t->key && !known)
            return invalid(ctx, "Key \"%s\" isn't configured", t->key);
        return 0;
    }
    if (st->transform && !strcmp(st->transform, "presets")) {
        if (known && t->nparams == 1)
            return 0;
        return err_invalid_query(&ctx->err, ctx->arena,
                                 "Only configured presets can be used in asset generation");
    }
    if (system && t->nparams == 1)
        return 0;
    return err_invalid_query(&ctx->err, ctx->arena,
                             "Dynamic asset generation has been disabled for this project");
}

/* resolvePreset would give sharp something to do: transforms, a format or quality, or a size
 * for an image whose dimensions are known. */
static bool transforms_image(const transformation_t *t, struct json_object *file)
{
    struct json_object *tr = t->transforms;
    if (!tr && t->preset)
        tr = get(t->preset, "transforms");
    if (!tr && t->key && in_list(system_keys, COUNT(system_keys), t->key))
        return true;
    if (json_object_get_type(tr) == json_type_array && json_object_array_length(tr))
        return true;
    struct json_object *src = t->preset ? t->preset : t->params;
    for (int pass = 0; pass < 2; pass++, src = t->params) {
        if (json_truthy(get(src, "format")) || json_truthy(get(src, "quality")))
            return true;
        if ((json_truthy(get(src, "width")) || json_truthy(get(src, "height"))) &&
            json_truthy(get(file, "width")) && json_truthy(get(file, "height")))
            return true;
    }
    return false;
}

/* ------------------------------------------------------------------ the file */

/* Reads file rows by key with fields, as perm allows (NULL: as an admin); *rows is the data
 * array. */
static int read_rows(ctx_t *ctx, const schema_t *s, const schema_collection_t *c, str_t id,
                     const char *fields, const perm_set_t *perm, struct json_object **rows)
{
    query_env_t env = items_env(ctx);
    struct json_object *raw = json_own(ctx->arena, json_object_new_object());
    json_object_object_add(raw, "fields", json_object_new_string(fields));
    json_object_object_add(raw, "limit", json_object_new_int(1));
    query_t q;
    if (query_parse(ctx->arena, &ctx->err, &env, raw, false, &q) < 0)
        return -1;
    qval_t *key = arena_calloc(ctx->arena, 1, sizeof *key);
    key->kind = QV_STRING;
    key->s = id;
    plan_opts_t opts = {.limit_default = env.limit_default, .keys = key, .nkeys = 1, .perm = perm};
    plan_t *p = plan_read(ctx->arena, &ctx->err, s, c, &q, &opts);
    if (!p)
        return -1;
    buf_t b;
    buf_init(&b, ctx->arena, 1024);
    if (items_read(ctx->arena, &ctx->err, ctx->db, p, ITEMS_LIST, &b) < 0)
        return -1;
    struct json_object *doc;
    const char *msg;
    if (jsonparse(ctx->arena, b.p, b.n, 0, 64, &doc, &msg) < 0)
        return err_set(&ctx->err, ctx->arena, ERR_INTERNAL_SERVER_ERROR, NULL);
    *rows = get(doc, "data");
    return 0;
}

/* validateAccess(read, directus_files, [id]): the caller must read that row. */
static int validate_access(ctx_t *ctx, const schema_t *s, const schema_collection_t *c, str_t id)
{
    if (ctx->acc.admin)
        return 0;
    const perm_set_t *perm;
    struct json_object *rows;
    if (items_perm_for(ctx, &perm) < 0 || read_rows(ctx, s, c, id, "id", perm, &rows) < 0)
        return -1;
    if (json_object_array_length(rows) != 1) {
        static const char reason[] = "You don't have permission to perform \"read\" for "
                                     "collection \"directus_files\" or it does not exist.";
        err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, "%s", reason);
        err_ext_str(&ctx->err, ctx->arena, "reason", reason);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ Range */

typedef struct {
    bool asked;
    bool has_start, has_end;
    double start, end;
} range_t;

static double digits_value(const char *p, size_t n)
{
    double v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

/* The controller's /bytes=([0-9]*)-([0-9]*)/ on the Range header. */
static range_t parse_range(str_t h)
{
    range_t r = {0};
    for (size_t i = 0; h.p && i + 6 <= h.n; i++) {
        if (memcmp(h.p + i, "bytes=", 6))
            continue;
        size_t j = i + 6, a = j;
        while (j < h.n && h.p[j] >= '0' && h.p[j] <= '9')
            j++;
        if (j >= h.n || h.p[j] != '-')
            continue;
        size_t b = ++j;
        while (j < h.n && h.p[j] >= '0' && h.p[j] <= '9')
            j++;
        r.asked = true;
        if ((r.has_start = b - 1 > a))
            r.start = digits_value(h.p + a, b - 1 - a);
        if ((r.has_end = j > b))
            r.end = digits_value(h.p + b, j - b);
        return r;
    }
    return r;
}

/* AssetsService's RangeNotSatisfiableError cases (nginx answers every other range). */
static int check_range(ctx_t *ctx, const range_t *r, double size)
{
    bool missing = !r->has_start && !r->has_end;
    bool end_before = r->has_start && r->has_end && r->end <= r->start;
    bool overflow = r->has_start && r->start >= size;
    bool underflow = r->has_end && r->end <= 0;
    if (!(missing || end_before || overflow || underflow))
        return 0;
    arena_t *a = ctx->arena;
    const char *s = r->has_start ? arena_printf(a, "%.0f", r->start) : "";
    const char *e = r->has_end ? arena_printf(a, "%.0f", r->end) : "";
    err_set(&ctx->err, a, ERR_RANGE_NOT_SATISFIABLE,
            "Range \"%s-%s\" is invalid or the file's size doesn't match the requested range.", s,
            e);
    struct json_object *range = json_object_new_object();
    if (r->has_start)
        json_object_object_add(range, "start", json_object_new_double(r->start));
    if (r->has_end)
        json_object_object_add(range, "end", json_object_new_double(r->end));
    err_ext_json(&ctx->err, a, "range", range);
    return -1;
}

/* The Content-Range Directus computes for an accepted range (it sends it on HEAD too, with a
 * 200 and the whole length: nginx answers a HEAD from the whole-file location). */
static const char *content_range(arena_t *a, range_t r, double size)
{
    double last = size - 1;
    if (r.has_end && r.end) {
        if (!r.has_start) {
            r.start = size - r.end;
            r.has_start = true;
            r.end = last;
        }
        if (r.end >= size)
            r.end = last;
    }
    if (r.has_start && r.start) {
        if (!r.has_end) {
            r.end = last;
            r.has_end = true;
        }
        if (r.start < 0)
            r.start = 0;
    }
    return arena_printf(a, "bytes %.0f-%.0f/%.0f", r.start, r.has_end && r.end ? r.end : last,
                        size);
}

/* ------------------------------------------------------------------ headers */

/* One code point of UTF-8 at *i (U+FFFD for a bad sequence). */
static unsigned next_cp(str_t s, size_t *i)
{
    unsigned char c = (unsigned char)s.p[(*i)++];
    if (c < 0x80)
        return c;
    int n = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : -1;
    if (n < 0 || *i + (size_t)n > s.n)
        return 0xfffd;
    unsigned cp = c & (0x3f >> n);
    for (int k = 0; k < n; k++) {
        unsigned char d = (unsigned char)s.p[*i];
        if ((d & 0xc0) != 0x80)
            return 0xfffd;
        cp = cp << 6 | (d & 0x3f);
        (*i)++;
    }
    return cp;
}

/* encodeURIComponent plus the attr-char escapes of content-disposition's ustring. */
static void ustring(buf_t *b, str_t s)
{
    static const char keep[] = "!#$&+-.^_`|~";
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        bool plain = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c && strchr(keep, c));
        if (plain)
            buf_putc(b, (char)c);
        else
            buf_printf(b, "%%%02X", c);
    }
}

const char *assets_content_disposition(arena_t *a, const char *type, str_t name)
{
    /* path.basename */
    while (name.n > 1 && name.p[name.n - 1] == '/')
        name.n--;
    for (size_t i = name.n; i > 0; i--)
        if (name.p[i - 1] == '/') {
            name = (str_t){name.p + i, name.n - i};
            break;
        }
    bool quotable = name.n > 0, latin1 = true, hex = false;
    buf_t l1; /* the name as Latin-1 bytes, non-Latin-1 characters as '?' */
    buf_init(&l1, a, name.n + 1);
    for (size_t i = 0; i < name.n;) {
        unsigned cp = next_cp(name, &i);
        if (!((cp >= 0x20 && cp <= 0x7e) || (cp >= 0x80 && cp <= 0xff)))
            quotable = false;
        bool keeps = (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff);
        latin1 &= keeps;
        buf_putc(&l1, keeps ? (char)cp : '?');
    }
    for (size_t i = 0; i + 2 < name.n; i++)
        if (name.p[i] == '%' && isxdigit((unsigned char)name.p[i + 1]) &&
            isxdigit((unsigned char)name.p[i + 2]))
            hex = true;
    bool fallback = !latin1; /* getlatin1(name) !== name */
    buf_t b;
    buf_init(&b, a, name.n * 3 + 64);
    buf_puts(&b, type);
    if (quotable || fallback) {
        buf_puts(&b, "; filename=\"");
        for (size_t i = 0; i < l1.n; i++) {
            if (l1.p[i] == '"' || l1.p[i] == '\\')
                buf_putc(&b, '\\');
            buf_putc(&b, l1.p[i]);
        }
        buf_putc(&b, '"');
    }
    if (fallback || !quotable || hex) {
        buf_puts(&b, "; filename*=UTF-8''");
        ustring(&b, name);
    }
    return b.p;
}

/* Date.prototype.toUTCString of an ISO date, or NULL when it does not parse. */
static const char *utc_string(arena_t *a, const char *iso)
{
    struct tm tm = {0};
    if (!iso || sscanf(iso, "%4d-%2d-%2d%*[T ]%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                       &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return NULL;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    /* A written offset moves the instant (Directus's dates carry Z or none). */
    const char *tz = iso + 19;
    while (*tz == '.' || (*tz >= '0' && *tz <= '9'))
        tz++;
    int oh, om;
    if ((*tz == '+' || *tz == '-') && sscanf(tz + 1, "%2d:%2d", &oh, &om) == 2)
        t -= (*tz == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    struct tm g;
    gmtime_r(&t, &g);
    char out[64];
    strftime(out, sizeof out, "%a, %d %b %Y %H:%M:%S GMT", &g);
    return arena_strdup(a, out);
}

/* The X-Accel-Redirect target: nginx decodes %XX in it before mapping it to the folder. The
 * "-whole" twin of the location ignores Range (a HEAD, or a Range Directus would not read). */
static const char *accel_uri(arena_t *a, const conf_t *conf, const char *location, const char *name,
                             bool whole)
{
    buf_t b;
    buf_init(&b, a, 128);
    buf_puts(&b, conf->assets_accel_prefix);
    if (whole)
        buf_puts(&b, "-whole");
    buf_putc(&b, '/');
    ustring(&b, str_c(location));
    buf_putc(&b, '/');
    ustring(&b, str_c(name));
    return b.p;
}

/* getCacheControlHeader(req, ASSETS_CACHE_TTL, false, true). */
static const char *cache_control(ctx_t *ctx)
{
    if (api_cache_should_skip(ctx))
        return "no-store";
    int64_t ttl = ctx->conf->assets_cache_ttl_ms;
    if (ttl < 0)
        return "no-cache";
    return arena_printf(ctx->arena, "%s, max-age=%lld", ctx->acc.role ? "private" : "public",
                        (long long)((ttl + 500) / 1000));
}

/* ------------------------------------------------------------------ the route */

static bool is_public_key(const asset_settings_t *st, str_t id)
{
    for (size_t i = 0; i < 4; i++)
        if (st->public_keys[i] && str_eq_c(id, st->public_keys[i]))
            return true;
    return false;
}

/* getAsset up to the stream: access, the row, the stored file, the range, no transformation. */
static int locate(ctx_t *ctx, const asset_settings_t *st, const transformation_t *t, str_t id,
                  const range_t *range, struct json_object **file, const char **root)
{
    const schema_t *s = schema_cache_get(ctx);
    const schema_collection_t *c = s ? schema_collection(s, STR("directus_files")) : NULL;
    if (!c)
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    if (!str_is_uuid(id))
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    if (!is_public_key(st, id) && validate_access(ctx, s, c, id) < 0)
        return -1;
    struct json_object *rows;
    if (read_rows(ctx, s, c, id, "*", NULL, &rows) < 0)
        return -1;
    if (json_object_array_length(rows) != 1)
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    *file = json_object_array_get_idx(rows, 0);
    const char *disk = text_of(get(*file, "filename_disk"));
    *root = files_location_root(ctx->conf, text_of(get(*file, "storage")));
    int64_t size;
    if (!*root || !disk || !files_name_safe(disk) || !files_stat(ctx->arena, *root, disk, &size))
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    double filesize = json_object_get_double(get(*file, "filesize"));
    if (range->asked && check_range(ctx, range, filesize) < 0)
        return -1;
    static const char *const images[] = {"image/jpeg", "image/png", "image/webp", "image/tiff",
                                         "image/avif"};
    if (in_list(images, COUNT(images), text_of(get(*file, "type"))) && transforms_image(t, *file)) {
        double w = json_object_get_double(get(*file, "width"));
        double h = json_object_get_double(get(*file, "height"));
        double max = ctx->conf->assets_transform_image_max_dimension;
        if (!w || !h || w > max || h > max) {
            err_set(&ctx->err, ctx->arena, ERR_ILLEGAL_ASSET_TRANSFORMATION, NULL);
            struct json_object *inv = json_object_new_array();
            json_object_array_add(inv, json_object_new_string("width"));
            json_object_array_add(inv, json_object_new_string("height"));
            err_ext_json(&ctx->err, ctx->arena, "invalidTransformations", inv);
            return -1;
        }
        return err_service_unavailable(&ctx->err, ctx->arena, "assets",
                                       "Image transformations are not supported");
    }
    return 0;
}

int assets_get(ctx_t *ctx)
{
    asset_settings_t st;
    transformation_t t;
    if (read_settings(ctx, &st) < 0 || check_transformation(ctx, &st, &t) < 0)
        return -1;
    response_t *res = ctx->res;
    response_set_header_c(res, "Content-Security-Policy", "default-src 'none'");
    str_t pk = router_param(&ctx->route, "id");
    str_t id = pk.n > 36 ? (str_t){pk.p, 36} : pk;
    bool plain = !t.nparams; /* Directus's transformationParams is empty */
    range_t range = {0};
    if (plain)
        range = parse_range(request_header(ctx->req, "range"));
    struct json_object *file = NULL;
    const char *root = NULL;
    if (locate(ctx, &st, &t, id, &range, &file, &root) < 0)
        return -1;
    str_t fname = router_param(&ctx->route, "filename");
    str_t name = fname.p ? fname : str_c(text_of(get(file, "filename_download")));
    bool download = json_object_object_get_ex(ctx->query, "download", NULL);
    const char *type = text_of(get(file, "type"));
    response_set_header_c(res, "Content-Type", type ? type : "application/octet-stream");
    response_set_header_c(
        res, "Content-Disposition",
        assets_content_disposition(ctx->arena, download ? "attachment" : "inline", name));
    response_set_header_c(res, "Cache-Control", cache_control(ctx));
    /* nginx adds Accept-Ranges to a whole answer, not to a 206: Directus has it on both. */
    if (range.asked)
        response_set_header_c(res, "Accept-Ranges", "bytes");
    const char *fmt = text_of(get(t.params, "format"));
    bool accept =
        (fmt && !strcmp(fmt, "auto")) || (!fmt && t.preset && text_of(get(t.preset, "format")) &&
                                          !strcmp(text_of(get(t.preset, "format")), "auto"));
    response_set_header_c(res, "Vary",
                          accept ? "Origin, Cache-Control, Accept" : "Origin, Cache-Control");
    const char *lm = utc_string(ctx->arena, text_of(get(file, "modified_on")));
    if (lm)
        response_set_header_c(res, "Last-Modified", lm);
    bool head = ctx->req->method == HTTP_HEAD;
    /* A Range Directus does not read (malformed, or beside a transformation) is ignored: the
     * whole file, as from a HEAD, where nginx would answer 416 or a part. */
    bool whole = head || (request_header(ctx->req, "range").p && !range.asked);
    if (head && range.asked)
        response_set_header_c(
            res, "Content-Range",
            content_range(ctx->arena, range, json_object_get_double(get(file, "filesize"))));
    const char *location = text_of(get(file, "storage"));
    response_set_header_c(
        res, "X-Accel-Redirect",
        accel_uri(ctx->arena, ctx->conf, location, text_of(get(file, "filename_disk")), whole));
    (void)root;
    return 0;
}
