/*
 * celer-fcgi bootstrap: Creates Directus 11.3.5's system tables and the administrator in an empty database; a no-op on
 * a database Directus already manages.
 */
#ifndef FCGI_APP_CMD_BOOTSTRAP_H
#define FCGI_APP_CMD_BOOTSTRAP_H

#include "lib/core/conf.h"

/* Runs the subcommand with its own arguments (argv[0] is the first argument after "bootstrap").
 * Returns the process exit status. */
int cmd_bootstrap(const conf_t *conf, int argc, char **argv);

#endif
