/*
 * editor.c - writing a note's body in the member's editor when `note add`
 * runs on a terminal with nothing piped in.
 *
 * The editor is $EDITOR, else $VISUAL, run as `sh -c '<editor> "$@"'` so
 * that an editor given with options ("code --wait") works. The body is
 * written in a file of the store's own folder (private to the member, mode
 * 0600), not in a shared temporary folder: it is a sensitive note in clear
 * text. The file is overwritten with zeros and removed afterwards, whatever
 * happens.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "editor.h"

const char *ccm_editor_name(void)
{
    const char *e = getenv("EDITOR");

    if (e && *e) {
        return e;
    }
    e = getenv("VISUAL");
    return e && *e ? e : NULL;
}

/* Runs the editor on path; CCM_OK if it exited with status 0. */
static int run_editor(const char *editor, const char *path)
{
    char *cmd = malloc(strlen(editor) + 8);
    pid_t pid;
    int status = 0;

    if (!cmd) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    sprintf(cmd, "%s \"$@\"", editor);
    fflush(stdout);
    fflush(stderr);
    if ((pid = fork()) < 0) {
        free(cmd);
        return ccm_error_set(CCM_ERROR, "cannot start the editor: %s", strerror(errno));
    }
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, "sh", path, (char *)NULL);
        _exit(127);
    }
    free(cmd);
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return ccm_error_set(CCM_ERROR, "cannot wait for the editor: %s", strerror(errno));
        }
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return ccm_error_set(CCM_ERROR, "the editor '%s' failed (exit status %d): nothing written",
                             editor, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    return CCM_OK;
}

/* Overwrites a file's bytes with zeros, then removes it. */
static void shred(const char *path)
{
    struct stat st;
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    char zeros[4096] = {0};

    if (fd >= 0 && fstat(fd, &st) == 0) {
        for (off_t left = st.st_size; left > 0;) {
            ssize_t w = write(fd, zeros, left < 4096 ? (size_t)left : 4096);
            if (w <= 0) {
                break;
            }
            left -= w;
        }
        fsync(fd);
    }
    if (fd >= 0) {
        close(fd);
    }
    unlink(path);
}

int ccm_editor_edit(char **out, const char *dir, size_t max)
{
    const char *editor = ccm_editor_name();
    char *path = NULL, *buf = NULL;
    size_t n = 0;
    FILE *f = NULL;
    int fd, rc;

    *out = NULL;
    if (!editor) {
        return ccm_error_set(CCM_EINVALID,
                             "no editor to write the note in: set EDITOR (or VISUAL), or give "
                             "the body on standard input (note add ... < body.txt)");
    }
    if (!(path = malloc(strlen(dir) + 32))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    sprintf(path, "%s/note-XXXXXX.txt", dir);
    if ((fd = mkstemps(path, 4)) < 0) {
        rc = ccm_error_set(CCM_ERROR, "cannot create a file for the note in '%s': %s", dir,
                           strerror(errno));
        free(path);
        return rc;
    }
    close(fd);
    if ((rc = run_editor(editor, path)) < 0) {
        goto done;
    }
    if (!(f = fopen(path, "rb")) || !(buf = malloc(max + 2))) {
        rc = ccm_error_set(CCM_ERROR, "cannot read the note back from '%s'", path);
        goto done;
    }
    n = fread(buf, 1, max + 1, f);
    buf[n] = 0;
    if (n > max) {
        rc = ccm_error_set(CCM_EINVALID, "note body is too long (at most %zu bytes)", max);
        goto done;
    }
    *out = buf;
    buf = NULL;
done:
    if (f) {
        fclose(f);
    }
    if (buf) {
        ccm_wipe_text(buf);
    }
    shred(path);
    free(path);
    return rc;
}
