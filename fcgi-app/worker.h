/*
 * A FastCGI worker: one process, one thread, serving requests one at a time from the shared
 * listening socket, with its own database connection and arenas.
 */
#ifndef FCGI_APP_WORKER_H
#define FCGI_APP_WORKER_H

#include "lib/core/conf.h"

/* Serves FastCGI connections accepted on listen_fd until SIGTERM (or SIGINT), finishing the
 * request in flight first. Returns the process exit status. listen_fd may also be a single
 * connected socket's listener inherited from a web server (FastCGI on stdin). */
int worker_run(const conf_t *conf, int listen_fd);

#endif
