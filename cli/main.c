/*
 * main.c - the ccmsync binary: hands the command line to ccm_cli_run.
 */
#include "cli.h"

int main(int argc, char **argv)
{
    return ccm_cli_run(argc, argv);
}
