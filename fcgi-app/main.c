/*
 * celer-fcgi: the Directus API as a pool of FastCGI workers.
 *
 *   celer-fcgi [serve]          master + WORKERS workers on FCGI_LISTEN
 *   celer-fcgi bootstrap        Directus system tables and the admin in an empty database
 *   celer-fcgi schema snapshot  the schema as Directus's /schema/snapshot prints it
 *   celer-fcgi --version
 *
 * Spawned by a web server with the listening socket on stdin (mod_fcgid, spawn-fcgi), it serves
 * as a single worker on that socket: the web server manages the process count.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <fcntl.h>

#include "fcgi-app/cmd_bootstrap.h"
#include "fcgi-app/cmd_schema.h"
#include "fcgi-app/pool.h"
#include "fcgi-app/worker.h"
#include "lib/cache/bus.h"
#include "lib/cache/generation.h"
#include "lib/cache/ratelimit.h"
#include "lib/core/conf.h"
#include "lib/core/log.h"

#define CELER_VERSION "0.1.0"

/* FastCGI's convention: a web server passes the listening socket as fd 0. */
static int stdin_is_listener(void)
{
    int listening = 0;
    socklen_t len = sizeof listening;
    return getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening;
}

static int usage(FILE *f)
{
    fprintf(f, "usage: celer-fcgi [serve] | bootstrap | schema snapshot | --version | --help\n"
               "Configuration comes from the environment and CONFIG_PATH (default ./.env);\n"
               "see conf/celer.env for every setting.\n");
    return f == stdout ? 0 : 2;
}

/* Serves until stopped. The pool takes ownership of the configuration's arena (it replaces it on
 * reload); the stdin mode leaves it to the caller. */
static int serve(conf_t *conf, arena_t *a)
{
    if (conf->secret_generated)
        log_warn("SECRET is not set: using a random one; tokens will not survive a restart");
    /* Before any fork: the memory rate limiter's table is shared by every worker of the pool. */
    ratelimit_shm_init();
    gen_shm_init();
    bus_init();
    if (stdin_is_listener()) {
        fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
        int rc = worker_run(conf, 0);
        arena_free(a);
        return rc;
    }
    return pool_run(conf, a);
}

static int run_command(const char *cmd, conf_t *conf, arena_t *a, int argc, char **argv)
{
    int rc = strcmp(cmd, "bootstrap") == 0 ? cmd_bootstrap(conf, argc, argv)
                                           : cmd_schema(conf, argc, argv);
    arena_free(a);
    return rc;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "serve";
    if (strcmp(cmd, "--version") == 0) {
        printf("celer-fcgi %s (Directus 11.3.5 API)\n", CELER_VERSION);
        return 0;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0)
        return usage(stdout);
    if (strcmp(cmd, "serve") != 0 && strcmp(cmd, "bootstrap") != 0 && strcmp(cmd, "schema") != 0)
        return usage(stderr);

    /* `<command> --help` needs no configuration: scripts probe for a subcommand with it. */
    if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
        if (strcmp(cmd, "bootstrap") == 0)
            return cmd_bootstrap(NULL, argc - 2, argv + 2);
        if (strcmp(cmd, "schema") == 0)
            return cmd_schema(NULL, argc - 2, argv + 2);
    }
    arena_t *a = arena_new();
    conf_t *conf = arena_alloc(a, sizeof *conf);
    char err[512];
    if (conf_load(conf, a, err, sizeof err) < 0) {
        fprintf(stderr, "celer-fcgi: configuration error: %s\n", err);
        arena_free(a);
        return 78; /* EX_CONFIG */
    }
    log_threshold = (log_level_t)conf->log_level;
    if (strcmp(cmd, "serve") != 0)
        return run_command(cmd, conf, a, argc - 2, argv + 2);
    return serve(conf, a);
}
