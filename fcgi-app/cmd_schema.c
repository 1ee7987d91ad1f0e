/*
 * celer-fcgi schema — not implemented yet (issue 3, databases).
 */
#include "fcgi-app/cmd_schema.h"

#include <stdio.h>

int cmd_schema(const conf_t *conf, int argc, char **argv)
{
    (void)conf;
    (void)argc;
    (void)argv;
    fprintf(stderr, "celer-fcgi schema: not implemented yet\n");
    return 2;
}
