/*
 * fcgi-ceiling: the smallest FastCGI responder, as a pre-fork pool, for `make bench`.
 *
 *   fcgi-ceiling SOCKET [WORKERS]                   SOCKET: /abs/path.sock, unix:/path or :PORT
 *   fcgi-ceiling SOCKET WORKERS CONNINFO SQLDIR     the same, answering with the database
 *
 * Every request gets "pong" as text/html, the body and type of Celer's GET /server/ping (Celer
 * adds Directus's headers), so both go through the same nginx for the same work. Each worker runs a
 * plain blocking FCGX_Accept_r loop on the shared listener: this is the reference the goal is
 * stated against ("a one-line libfcgi responder"), so it does nothing clever. WORKERS comes
 * from argv, else the environment, else the number of online cores.
 *
 * With CONNINFO and SQLDIR it is the whole path's ceiling for the read benchmark: each worker
 * opens one PostgreSQL connection and prepares the hand-written statements of every
 * SQLDIR/<letter>-<case>.sql (the files pgbench runs for the database's ceiling); a request for
 * /<case> runs that case's statements and answers their rows as JSON arrays of strings, no
 * permissions, no types, no nesting. Whatever an application does per request, it cannot be
 * cheaper than this on the same nginx, FastCGI and SQL.
 *
 * The master only forks, respawns a worker that dies, and on SIGTERM/SIGINT stops the workers
 * and removes the socket. Workers die with the master (PR_SET_PDEATHSIG), so a bench run that
 * is killed hard leaves no stray processes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcgiapp.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WORKERS 256
#define MAX_CASES 16
#define MAX_STATEMENTS 8

static const char reply[] = "Status: 200 OK\r\n"
                            "Content-Type: text/html; charset=utf-8\r\n"
                            "Content-Length: 4\r\n"
                            "\r\n"
                            "pong";

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
    (void)sig;
    stopping = 1;
}

/* SIGCHLD must have a handler: ignored by default, it would not end sigsuspend(). */
static void on_child(int sig)
{
    (void)sig;
}

/* ---- SQL mode ------------------------------------------------------------------------------ */

static const char *sql_conninfo, *sql_dir;

typedef struct {
    char name[64];
    int nstmt;
} sql_case_t;

static sql_case_t cases[MAX_CASES];
static int ncases;
static PGconn *db;

typedef struct {
    char *p;
    size_t n, cap;
} out_t;

static void out_put(out_t *o, const char *s, size_t n)
{
    if (o->n + n > o->cap) {
        o->cap = (o->n + n) * 2;
        o->p = realloc(o->p, o->cap);
        if (!o->p)
            _exit(1);
    }
    memcpy(o->p + o->n, s, n);
    o->n += n;
}

static void out_str(out_t *o, const char *s)
{
    out_put(o, s, strlen(s));
}

/* A JSON string: quote, backslash and control characters escaped, runs copied whole. */
static void out_json(out_t *o, const char *s)
{
    out_put(o, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c != '"' && c != '\\' && c >= 0x20)
            continue;
        out_put(o, run, (size_t)(s - run));
        char esc[7];
        snprintf(esc, sizeof esc, "\\u%04x", c);
        out_str(o, esc);
        run = s + 1;
    }
    out_put(o, run, (size_t)(s - run));
    out_put(o, "\"", 1);
}

/* The statements of one file: `--` comments dropped, split at each `;`. */
static int prepare_file(const char *path, const char *name)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[4096], sql[65536];
    size_t n = 0;
    int k = 0;
    while (fgets(line, sizeof line, f)) {
        char *dash = strstr(line, "--");
        if (dash)
            *dash = '\0';
        for (char *p = line; *p; p++) {
            if (*p != ';') {
                if (n + 1 < sizeof sql)
                    sql[n++] = *p;
                continue;
            }
            sql[n] = '\0';
            char stmt[80];
            snprintf(stmt, sizeof stmt, "%s_%d", name, k++);
            PGresult *r = PQprepare(db, stmt, sql, 0, NULL);
            int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
            if (!ok)
                fprintf(stderr, "fcgi-ceiling: %s: %s", path, PQresultErrorMessage(r));
            PQclear(r);
            if (!ok || k > MAX_STATEMENTS) {
                fclose(f);
                return -1;
            }
            n = 0;
        }
    }
    fclose(f);
    return k;
}

/* Connects and prepares every SQLDIR/<letter>-<case>.sql; exits the worker on any failure. */
static void sql_open(void)
{
    db = PQconnectdb(sql_conninfo);
    if (PQstatus(db) != CONNECTION_OK) {
        fprintf(stderr, "fcgi-ceiling: %s", PQerrorMessage(db));
        _exit(1);
    }
    DIR *d = opendir(sql_dir);
    struct dirent *e;
    while (d && (e = readdir(d)) && ncases < MAX_CASES) {
        const char *dash = strchr(e->d_name, '-'), *dot = strrchr(e->d_name, '.');
        if (!dash || !dot || strcmp(dot, ".sql") || dot - dash - 1 >= (long)sizeof cases[0].name)
            continue;
        sql_case_t *c = &cases[ncases];
        snprintf(c->name, sizeof c->name, "%.*s", (int)(dot - dash - 1), dash + 1);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", sql_dir, e->d_name);
        if ((c->nstmt = prepare_file(path, c->name)) < 0)
            _exit(1);
        ncases++;
    }
    if (d)
        closedir(d);
}

/* /<case>: that case's statements, each one's rows as arrays of strings (null for NULL). */
static void sql_answer(FCGX_Request *req, out_t *o)
{
    const char *uri = FCGX_GetParam("DOCUMENT_URI", req->envp);
    const char *name = uri ? strrchr(uri, '/') : NULL;
    const sql_case_t *c = NULL;
    for (int i = 0; name && i < ncases; i++)
        if (!strcmp(cases[i].name, name + 1))
            c = &cases[i];
    o->n = 0;
    if (!c) {
        out_str(o, "Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nno such case\n");
        return;
    }
    out_str(o, "Status: 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n\r\n{\"data\":[");
    for (int k = 0; k < c->nstmt; k++) {
        char stmt[80];
        snprintf(stmt, sizeof stmt, "%s_%d", c->name, k);
        PGresult *r = PQexecPrepared(db, stmt, 0, NULL, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            _exit(1); /* the supervisor starts a fresh worker; wrk counts the failure */
        out_str(o, k ? ",[" : "[");
        for (int row = 0; row < PQntuples(r); row++) {
            out_str(o, row ? ",[" : "[");
            for (int col = 0; col < PQnfields(r); col++) {
                if (col)
                    out_put(o, ",", 1);
                if (PQgetisnull(r, row, col))
                    out_str(o, "null");
                else
                    out_json(o, PQgetvalue(r, row, col));
            }
            out_put(o, "]", 1);
        }
        out_put(o, "]", 1);
        PQclear(r);
    }
    out_str(o, "]}");
}

/* The worker: accept, answer, finish, forever. The body is never read: a ping has none. */
static void worker(int fd)
{
    FCGX_Request req;
    sigset_t none;
    sigemptyset(&none);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, NULL); /* a respawn is forked with signals blocked */
    /* A client gone mid-reply is EPIPE, not a dead worker. */
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() == 1)
        _exit(0);
    if (FCGX_InitRequest(&req, fd, 0) != 0)
        _exit(1);
    out_t o = {0};
    if (sql_conninfo)
        sql_open();
    while (FCGX_Accept_r(&req) >= 0) {
        if (sql_conninfo) {
            sql_answer(&req, &o);
            FCGX_PutStr(o.p, (int)o.n, req.out);
            /* Close without libfcgi's linger (a round trip through nginx per request), as
             * Celer does: this mode is an upper bound, not the stock reference. */
            req.detached = !req.keepConnection;
        } else {
            FCGX_PutStr(reply, (int)(sizeof reply - 1), req.out);
        }
        FCGX_Finish_r(&req);
    }
    _exit(0);
}

static pid_t spawn(int fd)
{
    pid_t pid = fork();
    if (pid == 0)
        worker(fd);
    if (pid < 0)
        perror("fcgi-ceiling: fork");
    return pid;
}

static int worker_count(int argc, char **argv)
{
    const char *s = argc > 2 ? argv[2] : getenv("WORKERS");
    long n = s && *s ? strtol(s, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    return n > MAX_WORKERS ? MAX_WORKERS : (int)n;
}

/* Waits for a signal; reaps dead workers and starts their replacements until told to stop. */
static void supervise(int fd, pid_t *pids, int n)
{
    sigset_t block, empty;
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &block, NULL);
    while (!stopping) {
        pid_t pid;
        int status;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            for (int i = 0; i < n; i++)
                if (pids[i] == pid && !stopping)
                    pids[i] = spawn(fd);
        }
        if (!stopping)
            sigsuspend(&empty);
    }
    for (int i = 0; i < n; i++)
        if (pids[i] > 0)
            kill(pids[i], SIGTERM);
    while (wait(NULL) > 0 || errno == EINTR)
        ;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc == 4 || argc > 5) {
        fprintf(stderr, "usage: fcgi-ceiling SOCKET [WORKERS [CONNINFO SQLDIR]]"
                        "   (SOCKET: /path, unix:/path, :PORT)\n");
        return 2;
    }
    if (argc == 5) {
        sql_conninfo = argv[3];
        sql_dir = argv[4];
    }
    const char *path = argv[1];
    if (strncmp(path, "unix:", 5) == 0)
        path += 5;
    int n = worker_count(argc, argv);

    if (FCGX_Init() != 0) {
        fprintf(stderr, "fcgi-ceiling: FCGX_Init failed\n");
        return 1;
    }
    if (path[0] == '/')
        unlink(path); /* a socket left by a killed run */
    int fd = FCGX_OpenSocket(path, 1024);
    if (fd < 0) {
        fprintf(stderr, "fcgi-ceiling: cannot listen on %s\n", path);
        return 1;
    }
    if (path[0] == '/')
        chmod(path, 0660);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_child;
    sa.sa_flags = SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);

    pid_t pids[MAX_WORKERS];
    for (int i = 0; i < n; i++)
        pids[i] = spawn(fd);
    fprintf(stderr, "fcgi-ceiling: %d workers on %s\n", n, argv[1]);
    supervise(fd, pids, n);
    if (path[0] == '/')
        unlink(path);
    return 0;
}
