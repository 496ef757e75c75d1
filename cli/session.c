/*
 * session.c - getting the passphrase (environment, file, terminal prompt)
 * into guarded memory, and opening/unlocking the store for a command.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

#define PASS_MAX 1024

/* Reads one line from fd into buf (without the newline); -1 on error. */
static long read_line(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    char c;
    ssize_t r;

    while (n + 1 < cap && (r = read(fd, &c, 1)) != 0) {
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        if (c == '\n') {
            break;
        }
        buf[n++] = c;
    }
    if (n > 0 && buf[n - 1] == '\r') {
        n--;
    }
    buf[n] = 0;
    return (long)n;
}

static long prompt(char *buf, size_t cap, const char *question)
{
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    struct termios old, quiet;
    long n;

    if (fd < 0) {
        return -1;
    }
    if (write(fd, question, strlen(question)) < 0 || tcgetattr(fd, &old) < 0) {
        close(fd);
        return -1;
    }
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(fd, TCSAFLUSH, &quiet);
    n = read_line(fd, buf, cap);
    tcsetattr(fd, TCSAFLUSH, &old);
    if (write(fd, "\n", 1) < 0) {
        n = -1;
    }
    close(fd);
    return n;
}

long ccm_cli_prompt_secret(char *buf, size_t cap, const char *question)
{
    return prompt(buf, cap, question);
}

int ccm_passphrase_get(char **out, size_t *len, ccm_cli *cli, int confirm)
{
    char *buf = ccm_secret_alloc(PASS_MAX), *again = NULL;
    const char *env = getenv("CCMSYNC_PASSPHRASE");
    long n;
    int rc = CCM_OK;

    *out = NULL;
    *len = 0;
    if (!buf) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if (env && *env) {
        if (strlen(env) >= PASS_MAX) {
            rc = ccm_error_set(CCM_EINVALID, "passphrase is too long (at most %d bytes)",
                               PASS_MAX - 1);
            goto done;
        }
        strcpy(buf, env);
        n = (long)strlen(buf);
    } else if (cli->pass_file) {
        int fd = open(cli->pass_file, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            rc = ccm_error_set(CCM_EINVALID, "cannot read passphrase file '%s': %s", cli->pass_file,
                               strerror(errno));
            goto done;
        }
        n = read_line(fd, buf, PASS_MAX);
        close(fd);
    } else {
        n = prompt(buf, PASS_MAX, "Passphrase: ");
        if (n < 0) {
            rc = ccm_error_set(CCM_EINVALID,
                               "no passphrase: set CCMSYNC_PASSPHRASE, give --passphrase-file F, "
                               "or run on a terminal");
            goto done;
        }
        if (confirm) {
            if (!(again = ccm_secret_alloc(PASS_MAX)) ||
                prompt(again, PASS_MAX, "Passphrase again: ") < 0 || strcmp(buf, again) != 0) {
                rc = ccm_error_set(CCM_EINVALID, "passphrases do not match");
                goto done;
            }
        }
    }
    if (n <= 0) {
        rc = ccm_error_set(CCM_EINVALID, "empty passphrase (use --no-passphrase for a store "
                                         "protected by other means)");
        goto done;
    }
    *out = buf;
    *len = (size_t)n;
    buf = NULL;
done:
    ccm_secret_free(buf);
    ccm_secret_free(again);
    return rc;
}

int ccm_cli_open_store(ccm_cli *cli, int unlock)
{
    char *pass = NULL;
    size_t len = 0;
    int rc;

    if ((rc = ccm_store_open(&cli->store, cli->store_dir)) < 0 || !unlock) {
        return rc;
    }
    if (ccm_store_needs_passphrase(cli->store) &&
        (rc = ccm_passphrase_get(&pass, &len, cli, 0)) < 0) {
        return rc;
    }
    rc = ccm_store_unlock(cli->store, pass, len);
    ccm_secret_free(pass);
    return rc;
}

int ccm_cli_check_write(ccm_cli *cli)
{
    const char *role = ccm_store_role(cli->store);

    if (!role) {
        return ccm_error_set(CCM_EDENIED,
                             "member '%s' is not in the group (hand 'ccmsync whoami --request' "
                             "to an admin, then sync)",
                             ccm_store_member(cli->store));
    }
    if (strcmp(role, "reader") == 0) {
        return ccm_error_set(CCM_EDENIED, "member '%s' is a reader and cannot change records",
                             ccm_store_member(cli->store));
    }
    return CCM_OK;
}
