/*
 * celer-fcgi bootstrap — not implemented yet (issue 3, databases).
 */
#include "fcgi-app/cmd_bootstrap.h"

#include <stdio.h>

int cmd_bootstrap(const conf_t *conf, int argc, char **argv)
{
    (void)conf;
    (void)argc;
    (void)argv;
    fprintf(stderr, "celer-fcgi bootstrap: not implemented yet\n");
    return 2;
}
