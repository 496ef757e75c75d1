/*
 * usage.c - what the commands say about how to run them: the usage error
 * naming the running command's usage line (set by the dispatcher, run.c),
 * the default store, and the next command to run, written the way the user
 * would type it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int ccm_usage(ccm_cli *cli, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return ccm_error_set(CCM_EINVALID, "%s (usage: ccmsync %s)", msg,
                         cli->cmd_usage ? cli->cmd_usage : cli->cmd_name);
}

const char *ccm_cli_default_store(char *buf, size_t cap)
{
    const char *v;

    if ((v = getenv("CCMSYNC_STORE")) && *v) {
        return v;
    }
    if ((v = getenv("XDG_DATA_HOME")) && *v) {
        snprintf(buf, cap, "%s/ccmsync", v);
        return buf;
    }
    if ((v = getenv("HOME")) && *v) {
        snprintf(buf, cap, "%s/.local/share/ccmsync", v);
        return buf;
    }
    return NULL;
}

void ccm_cli_next_command(char *out, size_t cap, const ccm_cli *cli, const char *command)
{
    char buf[4096];
    const char *dflt = ccm_cli_default_store(buf, sizeof(buf));
    const char *dir = cli->store_dir ? cli->store_dir : "";

    if (dflt && strcmp(dflt, dir) == 0) {
        snprintf(out, cap, "ccmsync %s", command);
    } else if (dir[strspn(dir, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                               "/._-~+,:@")] == 0) {
        snprintf(out, cap, "ccmsync -C %s %s", dir, command);
    } else {
        snprintf(out, cap, "ccmsync -C '%s' %s", dir, command);
    }
}
