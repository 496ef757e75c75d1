/*
 * cli_capture.h - running the command line in-process (ccm_cli_run) with
 * stdout and stderr captured, for the cli tests. Include after <cmocka.h>
 * and "cli/cli.h". The captured text of the last run is in cli_out / cli_err.
 */
#ifndef CCM_TEST_CLI_CAPTURE_H
#define CCM_TEST_CLI_CAPTURE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *cli_out;
static char *cli_err;

static inline char *cli_slurp(FILE *f)
{
    long len;
    char *buf;

    fflush(f);
    if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        return NULL;
    }
    if (!(buf = malloc((size_t)len + 1))) {
        return NULL;
    }
    if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        return NULL;
    }
    buf[len] = 0;
    return buf;
}

/* Runs `ccmsync ARGS...` (NULL-terminated); returns the exit status. */
static inline int cli_run(const char *arg0, ...)
{
    char *argv[40], *copy[40];
    int argc = 0, status, saved_out, saved_err;
    FILE *fo = tmpfile(), *fe = tmpfile();
    const char *a;
    va_list ap;

    assert_non_null(fo);
    assert_non_null(fe);
    argv[argc++] = strdup("ccmsync");
    va_start(ap, arg0);
    for (a = arg0; a; a = va_arg(ap, const char *)) {
        assert_true(argc < 39);
        argv[argc++] = strdup(a);
    }
    va_end(ap);
    argv[argc] = NULL;
    memcpy(copy, argv, sizeof(argv)); /* ccm_cli_run may reorder argv */
    free(cli_out);
    free(cli_err);
    cli_out = cli_err = NULL;
    fflush(stdout);
    fflush(stderr);
    saved_out = dup(STDOUT_FILENO);
    saved_err = dup(STDERR_FILENO);
    assert_true(saved_out >= 0 && saved_err >= 0);
    assert_true(dup2(fileno(fo), STDOUT_FILENO) >= 0);
    assert_true(dup2(fileno(fe), STDERR_FILENO) >= 0);
    status = ccm_cli_run(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, STDOUT_FILENO);
    dup2(saved_err, STDERR_FILENO);
    close(saved_out);
    close(saved_err);
    cli_out = cli_slurp(fo);
    cli_err = cli_slurp(fe);
    fclose(fo);
    fclose(fe);
    for (int i = 0; i < argc; i++) {
        free(copy[i]);
    }
    assert_non_null(cli_out);
    assert_non_null(cli_err);
    return status;
}

static inline void cli_capture_free(void)
{
    free(cli_out);
    free(cli_err);
    cli_out = cli_err = NULL;
}

#endif
