/*
 * celer-fcgi schema: schema commands. `snapshot` prints the schema as Directus's GET
 * /schema/snapshot does.
 */
#ifndef FCGI_APP_CMD_SCHEMA_H
#define FCGI_APP_CMD_SCHEMA_H

#include "lib/core/conf.h"

/* Runs the subcommand with its own arguments (argv[0] is the first argument after "schema").
 * Returns the process exit status. conf may be NULL when the arguments ask for --help (usage
 * needs no configuration); anything else then fails with the usage on stderr. */
int cmd_schema(const conf_t *conf, int argc, char **argv);

#endif
