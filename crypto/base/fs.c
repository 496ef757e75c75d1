/*
 * fs.c - the few filesystem chores of the modules above: joining paths,
 * reading a whole file, writing one atomically, creating and removing
 * folders, and freeing plaintext without leaving it in the heap.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <ftw.h>

#include "base.h"

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

int ccm_stream_read(char **out, size_t *len, FILE *f, size_t max)
{
    size_t cap = 4096, n = 0, r;
    char *buf = malloc(cap);

    *out = NULL;
    *len = 0;
    if (!buf) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    /* one byte past max is enough to tell the caller "too long" */
    while (n <= max) {
        size_t want = cap - n - 1;
        if (want > max + 1 - n) {
            want = max + 1 - n;
        }
        if ((r = fread(buf + n, 1, want, f)) == 0) {
            break;
        }
        n += r;
        if (n + 1 == cap && n <= max) {
            char *g = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
            if (!g) {
                free(buf);
                return ccm_error_set(CCM_ERROR, "out of memory");
            }
            buf = g;
            cap *= 2;
        }
    }
    if (ferror(f)) {
        int e = errno;
        free(buf);
        return ccm_error_set(CCM_ERROR, "%s", e ? strerror(e) : "read error");
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return CCM_OK;
}

int ccm_file_map(const uint8_t **out, size_t *len, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    void *p;

    *out = NULL;
    *len = 0;
    if (fd < 0) {
        if (errno == ENOENT) {
            return ccm_error_set(CCM_ENOTFOUND, "'%s' does not exist", path);
        }
        return ccm_error_set(CCM_ERROR, "cannot open '%s': %s", path, strerror(errno));
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uintmax_t)st.st_size > SIZE_MAX) {
        close(fd);
        return ccm_error_set(CCM_ERROR, "cannot map '%s': not a non-empty regular file", path);
    }
    p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd); /* the mapping keeps the file */
    if (p == MAP_FAILED) {
        return ccm_error_set(CCM_ERROR, "cannot map '%s': %s", path, strerror(errno));
    }
    *out = p;
    *len = (size_t)st.st_size;
    return CCM_OK;
}

void ccm_file_unmap(const uint8_t *p, size_t len)
{
    if (p) {
        (void)munmap((void *)(uintptr_t)p, len); /* fails only on arguments map gave */
    }
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
        explicit_bzero(p, len); /* not optimised away, unlike memset */
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

int ccm_dir_is_empty_or_absent(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int empty = 1;

    if (!d) {
        return errno == ENOENT;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            empty = 0;
            break;
        }
    }
    closedir(d);
    return empty;
}

int ccm_mkdir_p(const char *dir)
{
    char *p = strdup(dir);
    int rc = CCM_OK;

    if (!p) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    for (char *c = p + 1; *c; c++) {
        if (*c == '/') {
            *c = 0;
            if (mkdir(p, 0700) < 0 && errno != EEXIST) {
                rc = ccm_error_set(CCM_ERROR, "cannot create '%s': %s", p, strerror(errno));
                goto done;
            }
            *c = '/';
        }
    }
    if (mkdir(p, 0700) < 0 && errno != EEXIST) {
        rc = ccm_error_set(CCM_ERROR, "cannot create '%s': %s", p, strerror(errno));
    }
done:
    free(p);
    return rc;
}
