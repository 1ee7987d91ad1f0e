#include "lib/api/files.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <json-c/json.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/api/items.h"
#include "lib/api/items_write.h"
#include "lib/api/respond.h"
#include "lib/api/schema_cache.h"
#include "lib/core/json.h"
#include "lib/core/jsonparse.h"
#include "lib/perm/perm.h"
#include "lib/http/multipart.h"
#include "lib/services/files.h"
#include "lib/services/files_import.h"
#include "lib/services/files_meta.h"
#include "lib/services/items.h"
#include "lib/services/mime.h"
#include "lib/services/settings.h"
#include "lib/services/write.h"
#include "lib/sql/plan.h"

/* A file written to a location during the request. */
typedef struct {
    const char *root, *name;
} stored_t;

/* What is left to the disk after COMMIT: a replaced file's old copies go, its new content
 * (written as temp_<name>) takes the name. */
typedef struct {
    const char *root, *prefix, *from, *to;
} after_t;

typedef struct {
    ctx_t *ctx;
    items_writer_t iw;
    const schema_t *s;
    const schema_collection_t *c;
    const char *body; /* the multipart body */
    size_t n;
    str_t boundary;
    struct json_object *existing_key; /* PATCH /files/:id: the file being replaced */
    stored_t *written;
    size_t nwritten, wcap;
    after_t *after;
    size_t nafter, acap;
    write_keys_t keys;
    size_t kcap;
} upload_t;

static void *grow(arena_t *a, void *v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return v;
    size_t c = *cap * 2 + 4;
    v = arena_realloc(a, v, *cap * size, c * size);
    *cap = c;
    return v;
}

static const schema_collection_t *files_collection(ctx_t *ctx, const schema_t **s)
{
    if (!(*s = schema_cache_get(ctx)))
        return NULL;
    const schema_collection_t *c = schema_collection(*s, STR("directus_files"));
    if (!c)
        err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    return c;
}

/* type-is's hasBody: a Content-Length or a Transfer-Encoding was sent. */
static bool has_body(const request_t *req)
{
    str_t len = request_header(req, "content-length");
    return (len.p && len.n) || request_header(req, "transfer-encoding").p;
}

/* Date.prototype.toISOString of now. */
static const char *iso_now(arena_t *a)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    return arena_printf(a, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                        tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ts.tv_nsec / 1000000));
}

/* `${value}` of a JSON value. */
static const char *js_text(arena_t *a, struct json_object *v)
{
    if (!v)
        return "null";
    if (json_object_get_type(v) == json_type_string)
        return arena_strndup(a, json_object_get_string(v), (size_t)json_object_get_string_len(v));
    return arena_strdup(a, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
}

static struct json_object *get(struct json_object *o, const char *k)
{
    struct json_object *v = NULL;
    json_object_object_get_ex(o, k, &v);
    return v;
}

static void put(struct json_object *o, const char *k, struct json_object *v)
{
    json_object_object_add(o, k, v);
}

static void put_text(struct json_object *o, const char *k, const char *v)
{
    put(o, k, json_object_new_string(v));
}

/* ------------------------------------------------------------------ the multipart body */

typedef struct {
    const char *p;
    size_t n;
    void *map;
    size_t maplen;
} body_t;

static int map_file(ctx_t *ctx, const char *path, body_t *b);

/* The body where nginx (or the worker) spooled it, mapped; else the one read into memory. */
static int body_open(ctx_t *ctx, body_t *b)
{
    request_t *req = ctx->req;
    *b = (body_t){.p = req->body.p ? req->body.p : "", .n = req->body.n};
    if (!req->body_file || req->body_state != BODY_OK) {
        if (req->body_state == BODY_TOO_LARGE)
            return err_invalid_payload(&ctx->err, ctx->arena, "request entity too large");
        if (req->body_state == BODY_ABORTED)
            return err_invalid_payload(&ctx->err, ctx->arena, "request aborted");
        return 0;
    }
    return map_file(ctx, req->body_file, b);
}

/* A whole file mapped read-only (an empty one is an empty body). */
static int map_file(ctx_t *ctx, const char *path, body_t *b)
{
    *b = (body_t){.p = "", .n = 0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        if (fd >= 0)
            close(fd);
        return err_invalid_payload(&ctx->err, ctx->arena, "request aborted");
    }
    if (st.st_size > 0) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            close(fd);
            return err_set(&ctx->err, ctx->arena, ERR_INTERNAL_SERVER_ERROR, NULL);
        }
        madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
        *b = (body_t){.p = m, .n = (size_t)st.st_size, .map = m, .maplen = (size_t)st.st_size};
    }
    close(fd);
    return 0;
}

static void body_close(body_t *b)
{
    if (b->map)
        munmap(b->map, b->maplen);
}

/* FILES_MIME_TYPE_ALLOW_LIST: minimatch of the part's type against any pattern. */
static bool mime_allowed(arena_t *a, const conf_t *conf, str_t type)
{
    const char *list = conf->files_mime_type_allow_list ? conf->files_mime_type_allow_list : "*/*";
    const char *t = str_dup(a, type);
    for (const char *p = list; p;) {
        const char *e = strchr(p, ',');
        char *pat = e ? arena_strndup(a, p, (size_t)(e - p)) : arena_strdup(a, p);
        p = e ? e + 1 : NULL;
        if (fnmatch(pat, t, FNM_PATHNAME | FNM_PERIOD) == 0)
            return true;
    }
    return false;
}

/* A form field's value: "null", "true", "false" (trimmed) become those values. */
static struct json_object *field_value(str_t v)
{
    str_t t = str_trim(v);
    if (str_eq_c(t, "null"))
        return NULL;
    if (str_eq_c(t, "true") || str_eq_c(t, "false"))
        return json_object_new_boolean(str_eq_c(t, "true"));
    return json_str(v);
}

/* ------------------------------------------------------------------ uploadOne */

/* The replaced file's folder, filename_download, filename_disk, title, description and
 * metadata (read as an admin), or NULL when there is no such row. */
static int read_existing(upload_t *u, struct json_object **out)
{
    ctx_t *ctx = u->ctx;
    *out = NULL;
    struct json_object *raw = json_own(ctx->arena, json_object_new_object());
    struct json_object *fields = json_object_new_array();
    static const char *const names[] = {"folder", "filename_download", "filename_disk",
                                        "title",  "description",       "metadata"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        json_object_array_add(fields, json_object_new_string(names[i]));
    put(raw, "fields", fields);
    query_t q;
    if (query_parse(ctx->arena, &ctx->err, &u->iw.env, raw, false, &q) < 0)
        return -1;
    plan_opts_t opts = {.limit_default = u->iw.env.limit_default,
                        .by_key = true,
                        .key = str_c(write_key_text(ctx->arena, u->existing_key))};
    plan_t *p = plan_read(ctx->arena, &ctx->err, u->s, u->c, &q, &opts);
    if (!p)
        return -1;
    buf_t b;
    buf_init(&b, ctx->arena, 1024);
    if (items_read(ctx->arena, &ctx->err, ctx->db, p, ITEMS_ONE, &b) < 0) {
        if (ctx->err.code != ERR_FORBIDDEN)
            return -1;
        ctx->err = (err_t){0};
        return 0;
    }
    struct json_object *doc;
    const char *msg;
    if (jsonparse(ctx->arena, b.p, b.n, 0, 64, &doc, &msg) < 0)
        return err_set(&ctx->err, ctx->arena, ERR_INTERNAL_SERVER_ERROR, NULL);
    *out = get(doc, "data");
    return 0;
}

/* directus_settings.storage_default_folder, or NULL. */
static int default_folder(upload_t *u, struct json_object **out)
{
    ctx_t *ctx = u->ctx;
    static const char *const col = "storage_default_folder";
    db_result_t res;
    *out = NULL;
    if (settings_columns(ctx->arena, &ctx->err, ctx->db, &col, 1, &res) < 0)
        return -1;
    if (res.nrows) {
        const db_value_t *v = db_cell(&res, 0, 0);
        if (v->type == DB_TEXT && v->s.n)
            *out = json_str(v->s);
    }
    return 0;
}

static void remember_written(upload_t *u, const char *root, const char *name)
{
    u->written = grow(u->ctx->arena, u->written, &u->wcap, u->nwritten, sizeof *u->written);
    u->written[u->nwritten++] = (stored_t){root, name};
}

/* The extension Directus gives the stored file: the download name's, else the type's
 * ("." + extension(type), ".false" when mime-types knows none), else none. */
static const char *file_extension(arena_t *a, struct json_object *payload)
{
    str_t ext = path_extname(str_c(js_text(a, get(payload, "filename_download"))));
    if (ext.n)
        return str_dup(a, ext);
    struct json_object *type = get(payload, "type");
    if (!json_truthy(type))
        return "";
    const char *e = mime_extension(a, str_c(js_text(a, type)));
    return arena_printf(a, ".%s", e ? e : "false");
}

/* extractMetadata: sharp's width and height and the EXIF metadata (files_meta.h) for the image
 * types Directus reads, unless the payload has them. */
static void image_metadata(upload_t *u, struct json_object *payload, str_t data)
{
    static const char *const types[] = {"image/jpeg", "image/png",  "image/webp",
                                        "image/gif",  "image/tiff", "image/avif"};
    const char *type = js_text(u->ctx->arena, get(payload, "type"));
    bool supported = false;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        supported |= !strcmp(type, types[i]);
    image_info_t ii;
    if (!supported || !image_info((const unsigned char *)data.p, data.n, &ii))
        return;
    if (!json_truthy(get(payload, "height")))
        put(payload, "height", json_object_new_int64(ii.height));
    if (!json_truthy(get(payload, "width")))
        put(payload, "width", json_object_new_int64(ii.width));
    if (!json_truthy(get(payload, "metadata")))
        put(payload, "metadata",
            ii.exif ? exif_metadata(ii.exif, ii.exif_n) : json_object_new_object());
}

/* The files.upload action in place of the writes' own events: one create of the key. */
static void upload_event(upload_t *u, size_t keep, struct json_object *key)
{
    write_events_t *ev = &u->iw.w.events;
    ev->n = keep;
    ev->v = grow(u->ctx->arena, ev->v, &ev->cap, ev->n, sizeof *ev->v);
    buf_t b;
    buf_init(&b, u->ctx->arena, 48);
    buf_putc(&b, '[');
    json_write(&b, key);
    buf_putc(&b, ']');
    ev->v[ev->n++] = (write_event_t){"create", u->c->name, b.p};
}

/* The sudo ItemsService update: no accountability, so no permission check and no activity. */
static int sudo_update(upload_t *u, struct json_object *key, struct json_object *payload)
{
    write_t *w = &u->iw.w;
    const write_actor_t *actor = w->actor;
    write_perm_fn perm = w->perm;
    w->actor = NULL;
    w->perm = NULL;
    /* Directus's update runs after the upload: its date-updated specials read the clock then. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    w->now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    write_keys_t one = {.v = &key, .n = 1};
    int rc = write_update_many(w, u->c, &one, payload, NULL);
    w->actor = actor;
    w->perm = perm;
    return rc;
}

static struct json_object *copy(arena_t *a, struct json_object *o)
{
    struct json_object *c = NULL;
    json_object_deep_copy(o, &c, NULL);
    return json_own(a, c);
}

static int save_failed(upload_t *u, const char *name)
{
    return err_service_unavailable(&u->ctx->err, u->ctx->arena, "files",
                                   arena_printf(u->ctx->arena, "Couldn't save file %s", name));
}

/* The steps of uploadOne once the payload holds the stored name. */
static int store(upload_t *u, struct json_object *payload, struct json_object *key,
                 const char *root, bool replacement, str_t data)
{
    ctx_t *ctx = u->ctx;
    arena_t *a = ctx->arena;
    const char *disk_name = js_text(a, get(payload, "filename_disk"));
    const char *target = replacement ? arena_printf(a, "temp_%s", disk_name) : disk_name;
    if (!files_name_safe(disk_name))
        return save_failed(u, disk_name);
    if (files_write(a, root, target, data.p, data.n) < 0)
        return save_failed(u, disk_name);
    remember_written(u, root, target);
    /* busboy marks a file that reached FILES_MAX_UPLOAD_SIZE as truncated. */
    int64_t max = ctx->conf->files_max_upload_size;
    if (max > 0 && (int64_t)data.n >= max)
        return err_set(&ctx->err, a, ERR_CONTENT_TOO_LARGE, NULL);
    if (replacement) {
        write_keys_t one = {.v = &key, .n = 1};
        if (write_update_many(&u->iw.w, u->c, &one, copy(a, payload), NULL) < 0)
            return -1;
        u->after = grow(a, u->after, &u->acap, u->nafter, sizeof *u->after);
        u->after[u->nafter++] = (after_t){root, write_key_text(a, key), target, disk_name};
    }
    put(payload, "filesize", json_object_new_int64((int64_t)data.n));
    image_metadata(u, payload, data);
    put_text(payload, "uploaded_on", iso_now(a));
    return sudo_update(u, key, payload);
}

/* FilesService.uploadOne of one file part with its payload. */
static int upload_one(upload_t *u, struct json_object *data, str_t bytes)
{
    ctx_t *ctx = u->ctx;
    arena_t *a = ctx->arena;
    const char *storage = js_text(a, get(data, "storage"));
    const char *root = json_object_get_type(get(data, "storage")) == json_type_string
                           ? files_location_root(ctx->conf, storage)
                           : NULL;
    if (!root)
        return err_js(&ctx->err, a, "Location \"%s\" doesn't exist.", storage);
    struct json_object *existing = NULL;
    if (u->existing_key && read_existing(u, &existing) < 0)
        return -1;
    struct json_object *payload = json_own(a, json_object_new_object());
    if (existing) {
        json_object_object_foreach(existing, ek, ev) put(payload, ek, json_object_get(ev));
    }
    json_object_object_foreach(data, dk, dv) put(payload, dk, json_object_get(dv));
    if (!json_object_object_get_ex(payload, "folder", NULL)) {
        struct json_object *folder;
        if (default_folder(u, &folder) < 0)
            return -1;
        if (folder)
            put(payload, "folder", folder);
    }
    bool replacement = existing != NULL;
    size_t events = u->iw.w.events.n;
    struct json_object *key = u->existing_key;
    if (!replacement) {
        /* FilesService.createOne: a new file needs its type. */
        if (!json_truthy(get(payload, "type")))
            return err_invalid_payload(&ctx->err, a, "\"type\" is required");
        if (write_create_one(&u->iw.w, u->c, copy(a, payload), NULL, &key) < 0)
            return -1;
    }
    const char *id = write_key_text(a, key);
    const char *ext = file_extension(a, payload);
    if (!json_truthy(get(payload, "filename_disk")))
        put_text(payload, "filename_disk", arena_printf(a, "%s%s", id, ext));
    const char *disk_name = js_text(a, get(payload, "filename_disk"));
    if (replacement && !str_eq(path_extname(str_c(disk_name)), str_c(ext)))
        put_text(payload, "filename_disk", arena_printf(a, "%s%s", id, ext));
    if (!json_truthy(get(payload, "type")))
        put_text(payload, "type", "application/octet-stream");
    if (store(u, payload, key, root, replacement, bytes) < 0)
        return -1;
    upload_event(u, events, key);
    u->keys.v = grow(a, u->keys.v, &u->kcap, u->keys.n, sizeof *u->keys.v);
    u->keys.v[u->keys.n++] = key;
    return 0;
}

/* ------------------------------------------------------------------ the multipart handler */

/* The payload of a file part: the fields before it, its title (new files only), name, type
 * and storage location. */
static struct json_object *file_payload(upload_t *u, struct json_object *fields,
                                        const mp_part_t *part, const char *disk)
{
    arena_t *a = u->ctx->arena;
    if (!u->existing_key && !json_truthy(get(fields, "title")))
        put_text(fields, "title", format_title(a, path_stem(part->filename)));
    put(fields, "filename_download", json_str(part->filename));
    put(fields, "type", json_str(part->type));
    struct json_object *st = get(fields, "storage");
    put(fields, "storage", json_truthy(st) ? json_object_get(st) : json_object_new_string(disk));
    return fields;
}

/* busboy's events in order: fields collect into the payload, each file is uploaded with it. */
static int upload_parts(void *arg)
{
    upload_t *u = arg;
    ctx_t *ctx = u->ctx;
    arena_t *a = ctx->arena;
    mp_parser_t m;
    mp_init(&m, a, u->boundary, u->body, u->n);
    const char *disk = ctx->conf->nstorage ? ctx->conf->storage[0].name : "local";
    struct json_object *fields = json_own(a, json_object_new_object());
    size_t nfiles = 0;
    for (;;) {
        mp_part_t part;
        const char *msg;
        int r = mp_next(&m, a, &part, &msg);
        if (r < 0)
            return err_js(&ctx->err, a, "%s", msg);
        if (r == 0)
            break;
        const char *name = part.name.p ? str_dup(a, part.name) : "undefined";
        if (!part.is_file) {
            if (!strcmp(name, "storage"))
                disk = str_dup(a, part.data);
            put(fields, name, field_value(part.data));
            continue;
        }
        if (!part.has_filename || !part.filename.n)
            return err_invalid_payload(&ctx->err, a, "File is missing filename");
        if (!mime_allowed(a, ctx->conf, part.type))
            return err_invalid_payload(&ctx->err, a, "File is of invalid content type");
        nfiles++;
        struct json_object *payload = file_payload(u, fields, &part, disk);
        fields = json_own(a, json_object_new_object());
        if (upload_one(u, payload, part.data) < 0)
            return -1;
    }
    if (!nfiles)
        return err_invalid_payload(&ctx->err, a, "No files were included in the body");
    return 0;
}

/* After the transaction: a failure takes back every file written, a success finishes the
 * replacements. */
static void settle(upload_t *u, int rc)
{
    arena_t *a = u->ctx->arena;
    if (rc < 0) {
        for (size_t i = 0; i < u->nwritten; i++)
            files_remove(a, u->written[i].root, u->written[i].name);
        return;
    }
    for (size_t i = 0; i < u->nafter; i++) {
        const after_t *f = &u->after[i];
        files_remove_prefix(a, f->root, f->prefix);
        files_move(a, f->root, f->from, f->to);
    }
}

/* The multipart handler: busboy's refusals of the Content-Type first (Directus's 500s). */
static int multipart(ctx_t *ctx, upload_t *u)
{
    str_t ct = request_header(ctx->req, "content-type");
    if (!ct.n) /* nginx passes an absent header as an empty one */
        ct = STR("application/octet-stream");
    if (!mp_is_form_data(ct))
        return err_js(&ctx->err, ctx->arena, "Unsupported content type: %.*s", (int)ct.n, ct.p);
    if (mp_boundary(ctx->arena, ct, &u->boundary) < 0)
        return err_js(&ctx->err, ctx->arena, "Multipart: Boundary not found");
    body_t b;
    if (body_open(ctx, &b) < 0)
        return -1;
    u->body = b.p;
    u->n = b.n;
    int rc = items_transaction(&u->iw, upload_parts, u);
    settle(u, rc);
    body_close(&b);
    return rc;
}

static void upload_init(upload_t *u, ctx_t *ctx, const schema_t *s, const schema_collection_t *c)
{
    *u = (upload_t){.ctx = ctx, .s = s, .c = c};
    items_writer_init(&u->iw, ctx, s);
}

/* ------------------------------------------------------------------ routes */

int files_create(ctx_t *ctx)
{
    const schema_t *s;
    const schema_collection_t *c = files_collection(ctx, &s);
    if (!c)
        return -1;
    str_t ct = request_header(ctx->req, "content-type");
    if (has_body(ctx->req) && !(ct.p && mp_is_form_data(ct))) {
        /* FilesService.createOne: a file item needs its type. */
        if (!json_truthy(get(ctx->body, "type")))
            return err_invalid_payload(&ctx->err, ctx->arena, "\"type\" is required");
        return items_write_create(ctx, &(items_target_t){.s = s, .c = c});
    }
    upload_t u;
    upload_init(&u, ctx, s, c);
    if (multipart(ctx, &u) < 0)
        return -1;
    if (u.keys.n > 1)
        return items_write_reread_many(ctx, &(items_target_t){.s = s, .c = c}, &u.keys);
    return items_write_reread_one(ctx, &(items_target_t){.s = s, .c = c}, u.keys.v[0]);
}

int files_update(ctx_t *ctx)
{
    const schema_t *s;
    const schema_collection_t *c = files_collection(ctx, &s);
    return c ? items_write_update(ctx, &(items_target_t){.s = s, .c = c}) : -1;
}

int files_update_one(ctx_t *ctx)
{
    const schema_t *s;
    const schema_collection_t *c = files_collection(ctx, &s);
    if (!c)
        return -1;
    items_target_t t = {.s = s, .c = c};
    str_t id = router_param(&ctx->route, "id");
    str_t ct = request_header(ctx->req, "content-type");
    if (has_body(ctx->req) && !(ct.p && mp_is_form_data(ct)))
        return items_write_update_one(ctx, &t, id);
    if (!write_key_text_valid(c, id))
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    upload_t u;
    upload_init(&u, ctx, s, c);
    u.existing_key = json_own(ctx->arena, json_str(id));
    if (multipart(ctx, &u) < 0)
        return -1;
    /* Then the controller's updateOne(pk, req.body): a multipart request's body is {}. */
    ctx->body = json_own(ctx->arena, json_object_new_object());
    return items_write_update_one(ctx, &t, id);
}

/* ------------------------------------------------------------------ import */

/* Joi's importSchema {url: string required, data: object}: the first failure in its order. */
static int import_body(ctx_t *ctx)
{
    struct json_object *body = ctx->body, *v;
    arena_t *a = ctx->arena;
    if (json_object_get_type(body) != json_type_object)
        return err_invalid_payload(&ctx->err, a, "\"value\" must be of type object");
    if (!json_object_object_get_ex(body, "url", &v))
        return err_invalid_payload(&ctx->err, a, "\"url\" is required");
    if (json_object_get_type(v) != json_type_string)
        return err_invalid_payload(&ctx->err, a, "\"url\" must be a string");
    if (!json_object_get_string_len(v))
        return err_invalid_payload(&ctx->err, a, "\"url\" is not allowed to be empty");
    if (json_object_object_get_ex(body, "data", &v) && json_object_get_type(v) != json_type_object)
        return err_invalid_payload(&ctx->err, a, "\"data\" must be of type object");
    json_object_object_foreach(body, k, val)
    {
        (void)val;
        if (strcmp(k, "url") && strcmp(k, "data"))
            return err_invalid_payload(&ctx->err, a, arena_printf(a, "\"%s\" is not allowed", k));
    }
    return 0;
}

/* validateAccess(create, directus_files) without keys: a permission row is enough. */
static int import_access(ctx_t *ctx)
{
    const perm_set_t *ps;
    if (ctx->acc.admin)
        return 0;
    if (items_perm_load(ctx, PERM_CREATE, &ps) < 0)
        return -1;
    if (ps && perm_coll(ps, STR("directus_files")))
        return 0;
    static const char reason[] = "You don't have permission to perform \"create\" for collection "
                                 "\"directus_files\" or it does not exist.";
    err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, "%s", reason);
    err_ext_str(&ctx->err, ctx->arena, "reason", reason);
    return -1;
}

typedef struct {
    upload_t *u;
    struct json_object *payload;
    str_t bytes;
} import_t;

static int import_one(void *arg)
{
    import_t *im = arg;
    return upload_one(im->u, im->payload, im->bytes);
}

/* importOne's payload: the name, first location, type and title of the download, then data. */
static struct json_object *import_payload(ctx_t *ctx, const files_download_t *dl,
                                          const char *filename)
{
    arena_t *a = ctx->arena;
    struct json_object *p = json_own(a, json_object_new_object()), *data;
    put_text(p, "filename_download", filename);
    put_text(p, "storage", ctx->conf->nstorage ? ctx->conf->storage[0].name : "local");
    if (dl->content_type)
        put_text(p, "type", dl->content_type);
    put_text(p, "title", format_title(a, str_c(filename)));
    if (json_object_object_get_ex(ctx->body, "data", &data) &&
        json_object_get_type(data) == json_type_object) {
        json_object_object_foreach(data, k, v) put(p, k, json_object_get(v));
    }
    return p;
}

int files_import(ctx_t *ctx)
{
    const schema_t *s;
    const schema_collection_t *c = files_collection(ctx, &s);
    if (!c || import_body(ctx) < 0 || import_access(ctx) < 0)
        return -1;
    arena_t *a = ctx->arena;
    const char *url = json_object_get_string(get(ctx->body, "url"));
    files_download_t dl;
    if (files_download(a, url, ctx->conf->import_ip_deny_list, &dl) < 0)
        return err_service_unavailable(&ctx->err, a, "external-file",
                                       arena_printf(a, "Couldn't fetch file from URL \"%s\"", url));
    body_t b = {0};
    const char *filename = files_url_filename(a, dl.effective_url);
    int rc = -1;
    if (!filename) {
        err_js(&ctx->err, a, "URI malformed");
    } else if (map_file(ctx, dl.path, &b) == 0) {
        upload_t u;
        upload_init(&u, ctx, s, c);
        import_t im = {&u, import_payload(ctx, &dl, filename), {b.p, b.n}};
        struct json_object *id = get(im.payload, "id");
        if (id && !write_key_valid(c, id)) {
            err_set(&ctx->err, a, ERR_FORBIDDEN, NULL);
        } else {
            u.existing_key = id;
            rc = items_transaction(&u.iw, import_one, &im);
            settle(&u, rc);
        }
        body_close(&b);
        if (rc == 0)
            rc = items_write_reread_one(ctx, &(items_target_t){.s = s, .c = c}, u.keys.v[0]);
    }
    unlink(dl.path);
    return rc;
}

/* ------------------------------------------------------------------ deletes */

typedef struct {
    ctx_t *ctx;
    items_writer_t iw;
    const schema_t *s;
    const schema_collection_t *c;
    write_keys_t keys;
    const query_t *by_query;  /* deleteByQuery: the keys come from this query */
    struct json_object *rows; /* id, storage, filename_disk of the files read before */
} delete_t;

/* super.readMany(keys, {fields: [id, storage, filename_disk], limit: -1}) with the caller's
 * read permissions. */
static int read_stored(delete_t *d)
{
    ctx_t *ctx = d->ctx;
    arena_t *a = ctx->arena;
    struct json_object *raw = json_own(a, json_object_new_object());
    struct json_object *fields = json_object_new_array();
    json_object_array_add(fields, json_object_new_string("id"));
    json_object_array_add(fields, json_object_new_string("storage"));
    json_object_array_add(fields, json_object_new_string("filename_disk"));
    put(raw, "fields", fields);
    put(raw, "limit", json_object_new_int(-1));
    query_t q;
    if (query_parse(a, &ctx->err, &d->iw.env, raw, false, &q) < 0)
        return -1;
    plan_opts_t opts = {.limit_default = d->iw.env.limit_default,
                        .keys = write_keys_qvals(a, &d->keys),
                        .nkeys = d->keys.n};
    if (items_perm_for(ctx, &opts.perm) < 0)
        return -1;
    plan_t *p = plan_read(a, &ctx->err, d->s, d->c, &q, &opts);
    if (!p)
        return -1;
    buf_t b;
    buf_init(&b, a, 1024);
    if (items_read(a, &ctx->err, ctx->db, p, ITEMS_LIST, &b) < 0)
        return -1;
    struct json_object *doc;
    const char *msg;
    if (jsonparse(a, b.p, b.n, 0, 64, &doc, &msg) < 0)
        return err_set(&ctx->err, a, ERR_INTERNAL_SERVER_ERROR, NULL);
    d->rows = get(doc, "data");
    return 0;
}

/* FilesService.deleteMany inside the transaction: read what is stored, delete the rows. */
static int delete_rows(void *arg)
{
    delete_t *d = arg;
    if (d->by_query && write_keys_by_query(&d->iw.w, d->c, d->by_query, &d->keys) < 0)
        return -1;
    if (d->keys.n && read_stored(d) < 0)
        return -1;
    return write_delete_many(&d->iw.w, d->c, &d->keys);
}

/* After COMMIT: each file and its thumbnails leave the disk. Directus's errors here (a row
 * without filename_disk, an unknown location) come after the rows are gone, as 500s. */
static int delete_stored(delete_t *d)
{
    ctx_t *ctx = d->ctx;
    arena_t *a = ctx->arena;
    size_t n = d->rows ? json_object_array_length(d->rows) : 0;
    for (size_t i = 0; i < n; i++) {
        struct json_object *row = json_object_array_get_idx(d->rows, i);
        struct json_object *st = get(row, "storage"), *fd = get(row, "filename_disk");
        const char *root = json_object_get_type(st) == json_type_string
                               ? files_location_root(ctx->conf, json_object_get_string(st))
                               : NULL;
        if (!root)
            return err_js(&ctx->err, a, "Location \"%s\" doesn't exist.", js_text(a, st));
        if (json_object_get_type(fd) != json_type_string)
            return err_js(&ctx->err, a, "The \"path\" argument must be of type string. Received %s",
                          fd ? js_text(a, fd) : "null");
        const char *prefix = str_dup(a, path_stem(str_c(json_object_get_string(fd))));
        if (files_name_safe(prefix))
            files_remove_prefix(a, root, prefix);
    }
    return 0;
}

static int delete_run(delete_t *d)
{
    if (items_transaction(&d->iw, delete_rows, d) < 0)
        return -1;
    if (delete_stored(d) < 0)
        return -1;
    return respond_no_content(d->ctx);
}

static int delete_init(ctx_t *ctx, delete_t *d)
{
    *d = (delete_t){.ctx = ctx};
    if (!(d->c = files_collection(ctx, &d->s)))
        return -1;
    items_writer_init(&d->iw, ctx, d->s);
    return 0;
}

int files_delete(ctx_t *ctx)
{
    delete_t d;
    if (delete_init(ctx, &d) < 0)
        return -1;
    struct json_object *body = ctx->body, *v;
    if (json_object_get_type(body) == json_type_array) {
        d.keys = write_keys_of(ctx->arena, body);
        return delete_run(&d);
    }
    if (items_batch_body(ctx, false) < 0)
        return -1;
    if (json_object_object_get_ex(body, "keys", &v)) {
        d.keys = write_keys_of(ctx->arena, v);
        return delete_run(&d);
    }
    query_t *q = arena_alloc(ctx->arena, sizeof *q);
    if (query_parse(ctx->arena, &ctx->err, &d.iw.env, get(body, "query"), false, q) < 0)
        return -1;
    d.by_query = q;
    return delete_run(&d);
}

int files_delete_one(ctx_t *ctx)
{
    delete_t d;
    if (delete_init(ctx, &d) < 0)
        return -1;
    str_t id = router_param(&ctx->route, "id");
    if (!write_key_text_valid(d.c, id))
        return err_set(&ctx->err, ctx->arena, ERR_FORBIDDEN, NULL);
    struct json_object *key = json_own(ctx->arena, json_str(id));
    d.keys = (write_keys_t){.v = arena_alloc(ctx->arena, sizeof key), .n = 1};
    d.keys.v[0] = key;
    return delete_run(&d);
}
