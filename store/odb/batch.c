/*
 * batch.c - writing many objects as one pack: a second handle on the
 * repository whose writes go to an in-memory object database backend,
 * written out as one pack file at the end (packfile.c). Imports and large
 * merges use it: tens of thousands of loose files would cost more than the
 * encryption.
 *
 * The pack holds exactly the objects written through the handle, never the
 * ones already on disk (libgit2's mempack dump walks every commit's whole
 * tree, which made each bulk write cost the size of the store).
 *
 * The handle's object database has two backends only: the memory one, and
 * one that reads through the caller's repository without refreshing it.
 * libgit2 checks that each object it writes is not already stored, and on
 * a miss rescans objects/pack (a directory read per new object) before it
 * writes. With the default backends that rescan was most of the time of
 * building a merged tree.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>

#include "odb.h"
#include "../../crypto/base/base.h"

typedef struct memobj {
    struct memobj *next;
    git_oid id;
    git_object_t type;
    size_t len;
    unsigned char data[];
} memobj;

typedef struct {
    git_odb_backend parent;
    ccm_oidmap map;
    memobj *first, **last;
    uint32_t count;
} mem_backend;

static int mem_write(git_odb_backend *b, const git_oid *id, const void *data, size_t len,
                     git_object_t type)
{
    mem_backend *m = (mem_backend *)b;
    memobj *o;

    if (ccm_oidmap_get(&m->map, id)) {
        return 0;
    }
    if (m->count == UINT32_MAX) {
        git_error_set_str(GIT_ERROR_ODB, "too many objects for one pack");
        return -1;
    }
    if (len > SIZE_MAX - sizeof(*o) || !(o = malloc(sizeof(*o) + len))) {
        git_error_set_oom();
        return -1;
    }
    o->next = NULL;
    o->id = *id;
    o->type = type;
    o->len = len;
    memcpy(o->data, data, len);
    if (ccm_oidmap_put(&m->map, id, o) < 0) {
        free(o);
        git_error_set_oom();
        return -1;
    }
    *m->last = o;
    m->last = &o->next;
    m->count++;
    return 0;
}

static int mem_read(void **out, size_t *len, git_object_t *type, git_odb_backend *b,
                    const git_oid *id)
{
    memobj *o = ccm_oidmap_get(&((mem_backend *)b)->map, id);

    if (!o) {
        return GIT_ENOTFOUND;
    }
    if (!(*out = git_odb_backend_data_alloc(b, o->len ? o->len : 1))) {
        return -1; /* libgit2's allocator has set the error */
    }
    memcpy(*out, o->data, o->len);
    *len = o->len;
    *type = o->type;
    return 0;
}

static int mem_read_header(size_t *len, git_object_t *type, git_odb_backend *b, const git_oid *id)
{
    memobj *o = ccm_oidmap_get(&((mem_backend *)b)->map, id);

    if (!o) {
        return GIT_ENOTFOUND;
    }
    *len = o->len;
    *type = o->type;
    return 0;
}

static int mem_exists(git_odb_backend *b, const git_oid *id)
{
    return ccm_oidmap_get(&((mem_backend *)b)->map, id) != NULL;
}

/* ---- reads through the caller's repository --------------------------------- */

typedef struct {
    git_odb_backend parent;
    git_odb *main; /* the caller's, one reference */
} main_backend;

static int main_read(void **out, size_t *len, git_object_t *type, git_odb_backend *b,
                     const git_oid *id)
{
    git_odb_object *o = NULL;
    int err = git_odb_read(&o, ((main_backend *)b)->main, id);

    if (err < 0) {
        return err;
    }
    *len = git_odb_object_size(o);
    *type = git_odb_object_type(o);
    if ((*out = git_odb_backend_data_alloc(b, *len ? *len : 1))) {
        memcpy(*out, git_odb_object_data(o), *len);
    }
    git_odb_object_free(o);
    return *out ? 0 : -1; /* NULL: libgit2's allocator has set the error */
}

static int main_read_header(size_t *len, git_object_t *type, git_odb_backend *b, const git_oid *id)
{
    return git_odb_read_header(len, type, ((main_backend *)b)->main, id);
}

static int main_exists(git_odb_backend *b, const git_oid *id)
{
    return git_odb_exists_ext(((main_backend *)b)->main, id, GIT_ODB_LOOKUP_NO_REFRESH);
}

static void main_free(git_odb_backend *b)
{
    git_odb_free(((main_backend *)b)->main);
    free(b);
}

static int add_main_backend(git_odb **out, git_odb *odb, git_repository *main)
{
    main_backend *m = calloc(1, sizeof(*m));

    if (!m) {
        git_error_set_oom();
        return -1;
    }
    m->parent.version = GIT_ODB_BACKEND_VERSION;
    m->parent.read = main_read;
    m->parent.read_header = main_read_header;
    m->parent.exists = main_exists;
    m->parent.free = main_free;
    /* No refresh: libgit2 refreshes every backend after each miss. */
    if (git_repository_odb(&m->main, main) < 0 || git_odb_add_backend(odb, &m->parent, 1) < 0) {
        main_free(&m->parent);
        return -1;
    }
    *out = m->main;
    return 0;
}

static void mem_free(git_odb_backend *b)
{
    mem_backend *m = (mem_backend *)b;

    for (memobj *o = m->first, *next; o; o = next) {
        next = o->next;
        free(o);
    }
    ccm_oidmap_free(&m->map);
    free(m);
}

int ccm_odb_batch_start(ccm_odb_batch *b, git_repository *main)
{
    mem_backend *m = NULL;
    int rc;

    memset(b, 0, sizeof(*b));
    if (git_repository_open_bare(&b->repo, git_repository_path(main)) < 0 ||
        git_odb_new(&b->odb) < 0 || add_main_backend(&b->main_odb, b->odb, main) < 0 ||
        git_repository_set_odb(b->repo, b->odb) < 0) {
        goto fail;
    }
    if (!(m = calloc(1, sizeof(*m)))) {
        git_error_set_oom();
        goto fail;
    }
    m->parent.version = GIT_ODB_BACKEND_VERSION;
    m->parent.read = mem_read;
    m->parent.read_header = mem_read_header;
    m->parent.write = mem_write;
    m->parent.exists = mem_exists;
    m->parent.free = mem_free;
    m->last = &m->first;
    /* Highest priority: new objects go here, and are read back from here. */
    if (git_odb_add_backend(b->odb, &m->parent, 1000) < 0) {
        mem_free(&m->parent);
        goto fail;
    }
    b->mem = &m->parent;
    return CCM_OK;
fail:
    rc = ccm_git_error("cannot prepare pack");
    ccm_odb_batch_end(b);
    return rc;
}

int ccm_odb_batch_put(ccm_odb_batch *b, const git_oid *id, git_object_t type, const void *data,
                      size_t len)
{
    if (git_odb_exists_ext(b->main_odb, id, GIT_ODB_LOOKUP_NO_REFRESH)) {
        return CCM_OK;
    }
    return mem_write(b->mem, id, data, len, type) < 0 ? ccm_git_error("cannot write object")
                                                      : CCM_OK;
}

size_t ccm_odb_batch_count(const ccm_odb_batch *b)
{
    return b->mem ? ((const mem_backend *)b->mem)->count : 0;
}

int ccm_odb_batch_flush(ccm_odb_batch *b)
{
    mem_backend *m = (mem_backend *)b->mem;
    ccm_packfile *pf = NULL;
    int rc;

    if (!m || m->count == 0) {
        return CCM_OK;
    }
    rc = ccm_packfile_new(&pf, b->repo, m->count);
    for (memobj *o = m->first; o && rc == CCM_OK; o = o->next) {
        rc = ccm_packfile_add(pf, &o->id, o->type, o->data, o->len);
    }
    if (rc == CCM_OK) {
        rc = ccm_packfile_commit(pf);
    }
    if (rc == CCM_OK && git_odb_refresh(b->main_odb) < 0) {
        rc = ccm_git_error("cannot read the new pack");
    }
    ccm_packfile_free(pf);
    return rc;
}

void ccm_odb_batch_end(ccm_odb_batch *b)
{
    /* The odb owns the backends once added, and with them main_odb. */
    git_odb_free(b->odb);
    git_repository_free(b->repo);
    memset(b, 0, sizeof(*b));
}
