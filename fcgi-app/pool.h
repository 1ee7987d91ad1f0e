/*
 * The pre-fork master: opens the listening socket, keeps WORKERS workers alive, drains them on
 * SIGTERM/SIGINT and replaces them with a fresh configuration on SIGHUP.
 */
#ifndef FCGI_APP_POOL_H
#define FCGI_APP_POOL_H

#include "lib/core/arena.h"
#include "lib/core/conf.h"

/* Runs the master until it is told to stop; conf (allocated in conf_arena, which the pool then
 * owns and replaces on reload) is the configuration already loaded. Returns the exit status. */
int pool_run(conf_t *conf, arena_t *conf_arena);

/* Opens the FastCGI listening socket described by FCGI_LISTEN (unix:/path or host:port),
 * non-blocking, with FCGI_SOCKET_MODE for unix sockets. -1 with a log line on failure. */
int pool_listen(const conf_t *conf);

#endif
