/*
 * fcgi-ceiling: the smallest FastCGI responder, as a pre-fork pool, for `make bench`.
 *
 *   fcgi-ceiling SOCKET [WORKERS]      SOCKET: /abs/path.sock, unix:/abs/path.sock or :PORT
 *
 * Every request gets "pong" as text/html, the body and type of Celer's GET /server/ping (Celer
 * adds Directus's headers), so both go through the same nginx for the same work. Each worker runs a
 * plain blocking FCGX_Accept_r loop on the shared listener: this is the reference the goal is
 * stated against ("a one-line libfcgi responder"), so it does nothing clever. WORKERS comes
 * from argv, else the environment, else the number of online cores.
 *
 * The master only forks, respawns a worker that dies, and on SIGTERM/SIGINT stops the workers
 * and removes the socket. Workers die with the master (PR_SET_PDEATHSIG), so a bench run that
 * is killed hard leaves no stray processes.
 */
#include <errno.h>
#include <fcgiapp.h>
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
    while (FCGX_Accept_r(&req) >= 0) {
        FCGX_PutStr(reply, (int)(sizeof reply - 1), req.out);
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
    if (argc < 2 || argc > 3) {
        fprintf(stderr,
                "usage: fcgi-ceiling SOCKET [WORKERS]   (SOCKET: /path, unix:/path, :PORT)\n");
        return 2;
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
