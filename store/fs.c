/*
 * fs.c - the few filesystem chores of the store: joining paths, reading a
 * whole file, writing one atomically.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <ftw.h>
#include <sodium.h>

#include "store_private.h"

int ccm_error_wrap(int code, const char *prefix)
{
    char msg[1024];

    snprintf(msg, sizeof(msg), "%s: %s", prefix, ccm_error_last());
    return ccm_error_set(code, "%s", msg);
}

char *ccm_path_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p) {
        return NULL;
    }
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, name, b + 1);
    return p;
}

int ccm_file_read(uint8_t **out, size_t *len, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    uint8_t *buf = NULL;
    size_t got = 0;

    *out = NULL;
    *len = 0;
    if (fd < 0) {
        if (errno == ENOENT) {
            return ccm_error_set(CCM_ENOTFOUND, "'%s' does not exist", path);
        }
        return ccm_error_set(CCM_ERROR, "cannot open '%s': %s", path, strerror(errno));
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ccm_error_set(CCM_ERROR, "cannot read '%s': not a regular file", path);
    }
    buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        close(fd);
        return ccm_error_set(CCM_ERROR, "out of memory reading '%s'", path);
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            free(buf);
            close(fd);
            return ccm_error_set(CCM_ERROR, "cannot read '%s': %s", path,
                                 n < 0 ? strerror(errno) : "short read");
        }
        got += (size_t)n;
    }
    close(fd);
    buf[got] = 0;
    *out = buf;
    *len = got;
    return CCM_OK;
}

int ccm_file_write(const char *path, const uint8_t *buf, size_t len, int mode)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    int fd = -1, rc = CCM_ERROR;
    size_t done = 0;

    if (!tmp) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    snprintf(tmp, plen + 16, "%s.tmp%ld", path, (long)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        rc = ccm_error_set(CCM_ERROR, "cannot write '%s': %s", tmp, strerror(errno));
        goto done;
    }
    while (done < len) {
        ssize_t n = write(fd, buf + done, len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            rc = ccm_error_set(CCM_ERROR, "cannot write '%s': %s", tmp, strerror(errno));
            goto done;
        }
        done += (size_t)n;
    }
    if (fsync(fd) < 0 || close(fd) < 0) {
        fd = -1;
        rc = ccm_error_set(CCM_ERROR, "cannot write '%s': %s", tmp, strerror(errno));
        goto done;
    }
    fd = -1;
    if (rename(tmp, path) < 0) {
        rc = ccm_error_set(CCM_ERROR, "cannot rename '%s': %s", tmp, strerror(errno));
        goto done;
    }
    rc = CCM_OK;
done:
    if (fd >= 0) {
        close(fd);
    }
    if (rc != CCM_OK) {
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

void ccm_wipe_free(void *p, size_t len)
{
    if (p) {
        sodium_memzero(p, len);
        free(p);
    }
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void ccm_remove_tree(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
