#include "cli.h"
int ccm_cmd_seed(ccm_cli *cli, int argc, char **argv)
{
    (void)cli;
    (void)argc;
    (void)argv;
    return ccm_error_set(CCM_ERROR, "todo");
}
