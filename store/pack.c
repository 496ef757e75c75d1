/*
 * pack.c - writing many objects as one pack: a second handle on the
 * repository whose writes go to an in-memory pack (mempack), dumped into one
 * pack file at the end. Imports and large merges use it: tens of thousands
 * of loose files would cost more than the encryption.
 */
#include <string.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>

#include "store_private.h"

int ccm_pack_start(ccm_pack *p, const char *git_dir)
{
    memset(p, 0, sizeof(*p));
    if (git_repository_open_bare(&p->repo, git_dir) < 0 ||
        git_repository_odb(&p->odb, p->repo) < 0 || git_mempack_new(&p->mempack) < 0) {
        return ccm_git_error("cannot prepare pack");
    }
    if (git_odb_add_backend(p->odb, p->mempack, 1000) < 0) {
        git_odb_backend *b = p->mempack;
        p->mempack = NULL;
        b->free(b);
        return ccm_git_error("cannot prepare pack");
    }
    return CCM_OK;
}

/* Writes what the mempack holds to the repository as one pack file. */
int ccm_pack_flush(ccm_pack *p)
{
    git_buf pack = {0};
    git_odb_writepack *wp = NULL;
    git_indexer_progress stats = {0};
    int rc = CCM_OK;

    if (git_mempack_dump(&pack, p->repo, p->mempack) < 0 ||
        git_odb_write_pack(&wp, p->odb, NULL, NULL) < 0 ||
        wp->append(wp, pack.ptr, pack.size, &stats) < 0 || wp->commit(wp, &stats) < 0) {
        rc = ccm_git_error("cannot write pack");
    }
    if (wp) {
        wp->free(wp);
    }
    git_buf_dispose(&pack);
    return rc;
}

void ccm_pack_end(ccm_pack *p)
{
    /* The odb owns the backend once added. */
    git_odb_free(p->odb);
    git_repository_free(p->repo);
}
