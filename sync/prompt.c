/*
 * prompt.c - what the credential code of ssh_auth.c and https_auth.c shares
 * with connect.c: asking the user (through the hook the command line sets,
 * and only on a terminal) and the one-line reason a connection failed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "sync_private.h"

static ccm_prompt_fn prompt_hook;

void ccm_sync_set_prompt(ccm_prompt_fn fn)
{
    prompt_hook = fn;
}

long ccm_sync_prompt(char *buf, size_t cap, const char *question)
{
    if (!prompt_hook || !isatty(0)) {
        return -1;
    }
    return prompt_hook(buf, cap, question);
}

void ccm_auth_reason(ccm_auth *a, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(a->reason, sizeof(a->reason), fmt, ap);
    va_end(ap);
}
