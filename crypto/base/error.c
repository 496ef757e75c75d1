/*
 * error.c - the last error of the calling thread: a code and a one-line
 * message, kept in thread-local storage so that concurrent callers do not
 * see each other's failures. Every module reports through ccm_error_set and
 * returns the code (ccm_error_wrap puts what it was doing in front); the
 * command line reads ccm_error_last to print it.
 */
#include "base.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define CCM_ERROR_MAX 1024

static _Thread_local char error_msg[CCM_ERROR_MAX];
static _Thread_local int error_code;

int ccm_error_set(int code, const char *fmt, ...)
{
    /* Format into a scratch buffer first: callers may pass ccm_error_last()
     * as an argument, and vsnprintf must not read the buffer it writes. */
    char tmp[CCM_ERROR_MAX];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0) {
        tmp[0] = '\0';
    }
    /* One line, always: a control character that came from user input (a
     * newline in an argument, say) is shown as a space. */
    for (char *p = tmp; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            *p = ' ';
        }
    }
    memcpy(error_msg, tmp, sizeof(error_msg));
    error_code = code;
    return code;
}

const char *ccm_error_last(void)
{
    return error_msg;
}

int ccm_error_code(void)
{
    return error_code;
}

void ccm_error_clear(void)
{
    error_msg[0] = '\0';
    error_code = CCM_OK;
}

int ccm_error_wrap(int code, const char *prefix)
{
    /* ccm_error_set formats before it writes: the last message may be an
     * argument. */
    return ccm_error_set(code, "%s: %s", prefix, ccm_error_last());
}
