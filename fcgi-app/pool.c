/*
 * Master process. It never touches a request or the database: it forks workers that inherit the
 * listening socket and the configuration, and reacts to signals.
 *
 * - A worker that dies is replaced (with a pause when workers die right after starting, so a
 *   broken configuration does not become a fork loop).
 * - SIGHUP reloads the configuration. A bad file keeps the old one. New workers start first,
 *   then the old generation gets SIGTERM and finishes what it is serving, so no request fails.
 * - SIGTERM/SIGINT stop accepting, let every worker finish its request, then exit.
 */
#include "fcgi-app/pool.h"

#include <errno.h>
#include <poll.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fcgi-app/worker.h"
#include "lib/cache/bus.h"
#include "lib/core/log.h"

/* How long draining workers may take before they are killed. */
#define DRAIN_TIMEOUT_S 30
/* A worker living shorter than this counts as a crash loop. */
#define QUICK_DEATH_S 1

typedef struct {
    pid_t pid;
    unsigned generation;
    time_t started;
} child_t;

typedef struct {
    conf_t *conf;
    arena_t *conf_arena;
    int listen_fd;
    unsigned generation;
    child_t *children;
    size_t nchildren, cap;
} pool_t;

static volatile sig_atomic_t got_chld, got_hup, got_stop;

static void on_signal(int sig)
{
    if (sig == SIGCHLD)
        got_chld = 1;
    else if (sig == SIGHUP)
        got_hup = 1;
    else
        got_stop = 1;
}

int pool_listen(const conf_t *conf)
{
    const char *addr = conf->fcgi_listen;
    int fd;
    if (strncmp(addr, "unix:", 5) == 0) {
        const char *path = addr + 5;
        unlink(path); /* a stale socket of a previous run */
        mode_t old = umask(0777 & ~(mode_t)conf->fcgi_socket_mode);
        fd = FCGX_OpenSocket(path, 1024);
        umask(old);
        if (fd >= 0)
            chmod(path, (mode_t)conf->fcgi_socket_mode);
    } else {
        fd = FCGX_OpenSocket(addr, 1024);
    }
    if (fd < 0) {
        log_error("FCGI_LISTEN: cannot listen on %s: %s", addr, strerror(errno));
        return -1;
    }
    /* Workers race for each connection; the losers must get EAGAIN, not block in accept(). */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

static void add_child(pool_t *p, pid_t pid)
{
    if (p->nchildren == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->children = realloc(p->children, p->cap * sizeof *p->children);
        if (!p->children)
            abort();
    }
    p->children[p->nchildren++] = (child_t){pid, p->generation, time(NULL)};
}

static void spawn(pool_t *p)
{
    pid_t pid = fork();
    if (pid < 0) {
        log_error("fork: %s", strerror(errno));
        return;
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGCHLD, SIG_DFL);
        _exit(worker_run(p->conf, p->listen_fd));
    }
    add_child(p, pid);
}

static size_t count_generation(const pool_t *p, unsigned gen)
{
    size_t n = 0;
    for (size_t i = 0; i < p->nchildren; i++)
        n += p->children[i].generation == gen;
    return n;
}

static void signal_generation(pool_t *p, unsigned gen, int sig, bool older_only)
{
    for (size_t i = 0; i < p->nchildren; i++)
        if (older_only ? p->children[i].generation < gen : true)
            kill(p->children[i].pid, sig);
}

/* Reaps dead workers; returns true when a worker of the current generation died quickly. */
static bool reap(pool_t *p)
{
    bool quick = false;
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (size_t i = 0; i < p->nchildren; i++) {
            if (p->children[i].pid != pid)
                continue;
            child_t c = p->children[i];
            p->children[i] = p->children[--p->nchildren];
            if (c.generation != p->generation || got_stop)
                break;
            if (WIFSIGNALED(status))
                log_warn("worker %d killed by signal %d; respawning", (int)pid, WTERMSIG(status));
            else
                log_warn("worker %d exited with status %d; respawning", (int)pid,
                         WEXITSTATUS(status));
            quick = quick || time(NULL) - c.started < QUICK_DEATH_S;
            break;
        }
    }
    return quick;
}

static void fill(pool_t *p)
{
    while (!got_stop && count_generation(p, p->generation) < (size_t)p->conf->workers)
        spawn(p);
}

static void reload(pool_t *p)
{
    char err[512];
    arena_t *a = arena_new();
    conf_t *next = arena_alloc(a, sizeof *next);
    if (conf_load(next, a, err, sizeof err) < 0) {
        log_error("reload refused, keeping the running configuration: %s", err);
        arena_free(a);
        return;
    }
    if (strcmp(next->fcgi_listen, p->conf->fcgi_listen) != 0)
        log_warn("FCGI_LISTEN changed; the new address is used after a restart");
    /* Keep the running SECRET when none is configured: tokens already issued stay valid. */
    if (next->secret_generated)
        next->secret = arena_strdup(a, p->conf->secret);
    arena_free(p->conf_arena);
    p->conf = next;
    p->conf_arena = a;
    log_threshold = (log_level_t)next->log_level;
    p->generation++;
    fill(p);
    signal_generation(p, p->generation, SIGTERM, true);
    log_info("configuration reloaded; %d workers started, the previous ones drain",
             p->conf->workers);
}

static void drain(pool_t *p)
{
    signal_generation(p, p->generation, SIGTERM, false);
    time_t deadline = time(NULL) + DRAIN_TIMEOUT_S;
    while (p->nchildren && time(NULL) < deadline) {
        reap(p);
        if (p->nchildren)
            usleep(20 * 1000);
    }
    if (p->nchildren) {
        log_warn("%zu workers still busy after %d s; killing them", p->nchildren, DRAIN_TIMEOUT_S);
        signal_generation(p, p->generation, SIGKILL, false);
        while (waitpid(-1, NULL, 0) > 0)
            ;
    }
}

static void install(sigset_t *wait_mask)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGCHLD, SIGHUP, SIGTERM, SIGINT};
    sigset_t block;
    sigemptyset(&block);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        sigaction(sigs[i], &sa, NULL);
        sigaddset(&block, sigs[i]);
    }
    signal(SIGPIPE, SIG_IGN);
    sigprocmask(SIG_BLOCK, &block, wait_mask);
}

static void write_pid(const char *path)
{
    if (!path)
        return;
    FILE *f = fopen(path, "w");
    if (!f) {
        log_warn("PID_FILE: cannot write %s: %s", path, strerror(errno));
        return;
    }
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
}

/* Sleeps until a signal arrives (they are unblocked only here) or the bus has a message,
 * which is then applied. */
static void wait_for_events(bus_sub_t *bus, const sigset_t *wait_mask)
{
    int timeout_ms = -1;
    struct pollfd pfd = {.fd = bus ? bus_sub_fd(bus, &timeout_ms) : -1, .events = POLLIN};
    struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000};
    int n = ppoll(&pfd, pfd.fd >= 0, timeout_ms >= 0 ? &ts : NULL, wait_mask);
    if (n > 0 && pfd.revents)
        bus_sub_service(bus);
}

int pool_run(conf_t *conf, arena_t *conf_arena)
{
    pool_t p = {.conf = conf, .conf_arena = conf_arena, .generation = 1};
    if ((p.listen_fd = pool_listen(conf)) < 0)
        return 1;
    sigset_t wait_mask;
    install(&wait_mask);
    write_pid(conf->pid_file);
    log_info("celer-fcgi master on %s with %d workers", conf->fcgi_listen, conf->workers);
    fill(&p);
    bus_sub_t *bus = bus_sub_new(conf);
    while (!got_stop) {
        wait_for_events(bus, &wait_mask);
        if (got_chld) {
            got_chld = 0;
            if (reap(&p))
                sleep(1);
            fill(&p);
        }
        if (got_hup) {
            got_hup = 0;
            reload(&p);
            bus_sub_free(bus); /* the Redis settings may have changed */
            bus = bus_sub_new(p.conf);
        }
    }
    bus_sub_free(bus);
    log_info("stopping: draining %zu workers", p.nchildren);
    close(p.listen_fd);
    drain(&p);
    if (strncmp(p.conf->fcgi_listen, "unix:", 5) == 0)
        unlink(p.conf->fcgi_listen + 5);
    if (p.conf->pid_file)
        unlink(p.conf->pid_file);
    free(p.children);
    arena_free(p.conf_arena);
    log_info("stopped");
    return 0;
}
