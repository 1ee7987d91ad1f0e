/*
 * celer-fcgi bootstrap: creates Directus 11.3.5's system tables (schema.sql and data.sql of
 * sql/pg, sql/mysql or sql/sqlite) and the first administrator in an empty database, as
 * `directus bootstrap` does; a no-op on a database that already has Directus's tables.
 */
#ifndef FCGI_APP_CMD_BOOTSTRAP_H
#define FCGI_APP_CMD_BOOTSTRAP_H

#include "lib/core/conf.h"

/* Runs the subcommand with its own arguments (argv[0] is the first argument after "bootstrap").
 * conf may be NULL when the arguments ask for --help, which needs no configuration. Prints what
 * it did (the administrator's email and password included) on stdout, errors on stderr. Returns
 * the process exit status: 0 done or nothing to do, 1 failed, 2 bad arguments. */
int cmd_bootstrap(const conf_t *conf, int argc, char **argv);

#endif
