/*
 * The worker loop. Connections are accepted here rather than inside libfcgi so that the wait is
 * the only place a stop signal can interrupt: SIGTERM stays blocked while a request is read,
 * served and written (no EINTR in the middle of a response) and is let through only inside
 * ppoll(). libfcgi then parses the records of a connection we hand it through FCGX_Request.ipcFd.
 *
 * A worker may hold several connections at once: with `fastcgi_keep_conn on` nginx keeps idle
 * connections open, and a worker that blocked on one of them would starve requests sent on the
 * others. Polling the listener and every held connection together avoids that: whichever
 * connection has a request is served next.
 */
#include "fcgi-app/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <fcgiapp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/api/app.h"
#include "lib/cache/bus.h"
#include "lib/cache/ratelimit.h"
#include "lib/cache/redis.h"
#include "lib/core/arena.h"
#include "lib/core/log.h"
#include "lib/db/db.h"
#include "lib/http/request.h"
#include "lib/http/response.h"

/* Connections one worker keeps open at most (nginx upstream keepalive spreads over workers). */
#define MAX_CONNS 64

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

typedef struct {
    FCGX_Request req;
    bool used;
} conn_t;

typedef struct {
    const conf_t *conf;
    app_t app;
    arena_t *arena;
    int listen_fd;
    conn_t conns[MAX_CONNS];
    unsigned long served;
    sigset_t wait_mask; /* the mask inside ppoll: stop signals let through */
} worker_t;

static void install_signals(worker_t *w)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, &w->wait_mask);
    sigdelset(&w->wait_mask, SIGTERM);
    sigdelset(&w->wait_mask, SIGINT);
}

/* ------------------------------------------------------------------ FastCGI → request_t */

/* HTTP_ACCEPT_ENCODING → accept-encoding; CONTENT_TYPE and CONTENT_LENGTH are headers too. */
static void add_headers(request_t *r, char **envp)
{
    for (char **e = envp; *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq)
            continue;
        str_t name = {*e, (size_t)(eq - *e)}, value = str_c(eq + 1);
        if (str_starts_with(name, STR("HTTP_")))
            request_add_header(r, (str_t){name.p + 5, name.n - 5}, value);
        else if (str_eq_c(name, "CONTENT_TYPE") || str_eq_c(name, "CONTENT_LENGTH"))
            request_add_header(r, name, value);
    }
}

/* Reads the body, keeping at most max bytes; a longer one is drained and marked too large. */
static void read_body(request_t *r, FCGX_Stream *in, long long declared, int64_t max)
{
    buf_t b;
    buf_init(&b, r->arena, declared > 0 && declared <= max ? (size_t)declared + 1 : 4096);
    char chunk[16384];
    int n;
    r->body_state = declared > max ? BODY_TOO_LARGE : BODY_OK;
    while ((n = FCGX_GetStr(chunk, sizeof chunk, in)) > 0) {
        if (r->body_state == BODY_OK && (int64_t)(b.n + (size_t)n) > max)
            r->body_state = BODY_TOO_LARGE;
        if (r->body_state == BODY_OK)
            buf_append(&b, chunk, (size_t)n);
    }
    if (r->body_state == BODY_OK && declared > 0 && (long long)b.n < declared)
        r->body_state = BODY_ABORTED;
    r->body = r->body_state == BODY_OK ? buf_slice(&b) : STR_NULL;
}

static void unlink_file(void *path)
{
    unlink(path);
}

/* A multipart body of the /files routes: the uploads, read from a file rather than memory. */
static bool is_multipart(const request_t *r)
{
    if (!str_starts_with(r->path, STR("/files")))
        return false;
    str_t ct = request_header(r, "content-type");
    return ct.p && ct.n >= 19 && strncasecmp(ct.p, "multipart/form-data", 19) == 0;
}

/* A body nginx spooled to a file: a multipart one is left there for lib/http/multipart (a
 * large upload never enters the worker's memory); anything else is read like a streamed one. */
static void read_body_file(request_t *r, const char *path, int64_t max)
{
    r->body_file = arena_strdup(r->arena, path);
    r->body_state = BODY_OK;
    if (is_multipart(r))
        return;
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0) {
        if (fd >= 0)
            close(fd);
        r->body_state = BODY_ABORTED;
        return;
    }
    if ((int64_t)st.st_size > max) {
        close(fd);
        r->body_state = BODY_TOO_LARGE;
        return;
    }
    char *p = arena_alloc(r->arena, (size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, p + got, (size_t)st.st_size - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    p[got] = 0;
    r->body = (str_t){p, got};
}

/* A multipart body nginx passed along (no spooled file: a pool in another container): streamed
 * into a temporary file of our own, removed with the request, so an upload still never sits in
 * memory. Falls back to read_body when no file can be made. */
static bool spool_body(request_t *r, FCGX_Stream *in, long long declared)
{
    const char *dir = getenv("TMPDIR");
    char *path = arena_printf(r->arena, "%s/celer-upload-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return false;
    arena_defer(r->arena, unlink_file, path);
    char chunk[65536];
    int n;
    long long total = 0;
    bool failed = false;
    while ((n = FCGX_GetStr(chunk, sizeof chunk, in)) > 0) {
        total += n;
        for (int off = 0; !failed && off < n;) {
            ssize_t k = write(fd, chunk + off, (size_t)(n - off));
            if (k <= 0)
                failed = true;
            else
                off += (int)k;
        }
    }
    close(fd);
    r->body_file = path;
    r->body_state = failed || (declared > 0 && total < declared) ? BODY_ABORTED : BODY_OK;
    return true;
}

static void build_request(worker_t *w, FCGX_Request *fr, request_t *r)
{
    memset(r, 0, sizeof *r);
    r->arena = w->arena;
    r->id = ++w->served;
    r->method_name = str_c(FCGX_GetParam("REQUEST_METHOD", fr->envp));
    r->method = request_method_parse(r->method_name);
    str_t uri = str_c(FCGX_GetParam("REQUEST_URI", fr->envp));
    long q = str_index(uri, '?');
    r->path = q >= 0 ? (str_t){uri.p, (size_t)q} : uri;
    r->query = q >= 0 ? (str_t){uri.p + q + 1, uri.n - (size_t)q - 1} : STR_NULL;
    if (!r->path.n)
        r->path = STR("/");
    r->remote_addr = str_c(FCGX_GetParam("REMOTE_ADDR", fr->envp));
    const char *https = FCGX_GetParam("HTTPS", fr->envp);
    r->https = https && strcmp(https, "on") == 0;
    add_headers(r, fr->envp);
    const char *len = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
    long long declared = len && *len ? atoll(len) : -1;
    const char *file = FCGX_GetParam("REQUEST_BODY_FILE", fr->envp);
    if (file && *file)
        read_body_file(r, file, w->conf->max_payload_size);
    else if (!is_multipart(r) || !spool_body(r, fr->in, declared))
        read_body(r, fr->in, declared, w->conf->max_payload_size);
}

/* ------------------------------------------------------------------ response_t → FastCGI */

static const char *reason_phrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 503: return "Service Unavailable";
    default: return status >= 500 ? "Internal Server Error" : "OK";
    }
}

static void write_response(FCGX_Stream *out, const response_t *res)
{
    FCGX_FPrintF(out, "Status: %d %s\r\n", res->status, reason_phrase(res->status));
    for (size_t i = 0; i < res->nheaders; i++) {
        const http_header_t *h = &res->headers[i];
        FCGX_PutStr(h->name.p, (int)h->name.n, out);
        FCGX_PutStr(": ", 2, out);
        FCGX_PutStr(h->value.p, (int)h->value.n, out);
        FCGX_PutStr("\r\n", 2, out);
    }
    FCGX_PutStr("\r\n", 2, out);
    if (res->send_body && res->body.n)
        FCGX_PutStr(res->body.p, (int)res->body.n, out);
}

/* ------------------------------------------------------------------ the loop */

static void serve(worker_t *w, conn_t *c)
{
    /* FCGX_Accept_r first "finishes" the previous request and would close the connection we
     * just handed it; the BEGIN_REQUEST record it reads next sets the real keep-alive flag. */
    c->req.keepConnection = 1;
    if (FCGX_Accept_r(&c->req) < 0) {
        /* Peer closed or sent garbage: libfcgi already dropped the connection. */
        c->used = false;
        return;
    }
    request_t req;
    response_t res;
    build_request(w, &c->req, &req);
    log_set_request(req.id);
    response_init(&res, w->arena);
    app_handle(&w->app, w->arena, &req, &res);
    write_response(c->req.out, &res);
    /* A connection nginx does not keep is closed without libfcgi's linger (shutdown, then
     * wait up to 2 s for nginx to close first), which only guards against a TCP reset when
     * unread input remains: the whole body was read above, and nginx sends nothing after it.
     * The linger blocked the worker for a round trip through nginx on every request. */
    if (!c->req.keepConnection && req.body_state != BODY_ABORTED)
        c->req.detached = 1;
    log_debug("%.*s %.*s %d", (int)req.method_name.n, req.method_name.p, (int)req.path.n,
              req.path.p, res.status);
    FCGX_Finish_r(&c->req);
    log_set_request(0);
    arena_reset(w->arena);
    /* Without FCGI_KEEP_CONN libfcgi closed the connection; with it we wait for the next one. */
    c->used = c->req.ipcFd >= 0;
}

/* True when the connection has bytes to read; false (and closes it) when nginx hung up. */
static bool conn_has_request(conn_t *c)
{
    char byte;
    ssize_t n = recv(c->req.ipcFd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0)
        return true;
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return false;
    FCGX_Free(&c->req, 1);
    c->used = false;
    return false;
}

static conn_t *free_slot(worker_t *w)
{
    for (int i = 0; i < MAX_CONNS; i++)
        if (!w->conns[i].used)
            return &w->conns[i];
    return NULL;
}

static void accept_one(worker_t *w)
{
    conn_t *c = free_slot(w);
    if (!c)
        return;
    int fd = accept4(w->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
            log_warn("accept: %s", strerror(errno));
        return;
    }
    /* listen_sock -1: libfcgi never accepts on its own, it only reads the fd we give it. */
    FCGX_InitRequest(&c->req, -1, 0);
    c->req.ipcFd = fd;
    c->used = true;
    serve(w, c);
}

static void loop(worker_t *w)
{
    struct pollfd pfd[MAX_CONNS + 1];
    conn_t *owner[MAX_CONNS + 1];
    while (!stop_requested) {
        nfds_t n = 0;
        if (free_slot(w))
            pfd[n++] = (struct pollfd){.fd = w->listen_fd, .events = POLLIN};
        for (int i = 0; i < MAX_CONNS; i++) {
            if (w->conns[i].used) {
                owner[n] = &w->conns[i];
                pfd[n++] = (struct pollfd){.fd = w->conns[i].req.ipcFd, .events = POLLIN};
            }
        }
        int ready = ppoll(pfd, n, NULL, &w->wait_mask);
        if (ready < 0) {
            if (errno != EINTR)
                log_error("ppoll: %s", strerror(errno));
            continue;
        }
        for (nfds_t i = 0; i < n && !stop_requested; i++) {
            if (!pfd[i].revents)
                continue;
            if (pfd[i].fd == w->listen_fd)
                accept_one(w);
            else if (conn_has_request(owner[i]))
                serve(w, owner[i]);
        }
    }
}

int worker_run(const conf_t *conf, int listen_fd)
{
    static worker_t w; /* static: MAX_CONNS requests are too big for the stack */
    memset(&w, 0, sizeof w);
    w.conf = conf;
    w.listen_fd = listen_fd;
    w.arena = arena_new();
    w.app.conf = conf;
    w.app.db = db_new(conf);
    w.app.redis = redis_new(conf);
    bus_install_publisher(conf, w.app.redis);
    w.app.ratelimit = ratelimit_new(conf, w.app.redis);
    log_threshold = (log_level_t)conf->log_level;
    if (FCGX_Init() != 0) {
        log_error("FCGX_Init failed");
        return 1;
    }
    install_signals(&w);
    log_debug("worker ready");
    loop(&w);
    for (int i = 0; i < MAX_CONNS; i++)
        if (w.conns[i].used)
            FCGX_Free(&w.conns[i].req, 1);
    ratelimit_free(w.app.ratelimit);
    redis_free(w.app.redis);
    db_free(w.app.db);
    arena_free(w.arena);
    return 0;
}
