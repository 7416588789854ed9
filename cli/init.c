/* init.c — stub */
#include "cli.h"
int cmd_init(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return CLI_USAGE;
}
