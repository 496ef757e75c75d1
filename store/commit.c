/*
 * commit.c - signed commits and the branch they move.
 *
 * Every commit is signed by its member in git's SSH signature format
 * (SSHSIG, namespace "git") in the `gpgsig` header, so stock git verifies it
 * with an allowed-signers file. The branch moves only by compare-and-swap
 * (git_reference_create_matching), so a writer that lost a race fails rather
 * than overwriting another's commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

int ccm_store_head_commit(git_commit **out, ccm_store *s)
{
    git_oid oid;

    *out = NULL;
    if (git_reference_name_to_id(&oid, s->repo, CCM_BRANCH) < 0) {
        return CCM_OK; /* unborn branch */
    }
    if (git_commit_lookup(out, s->repo, &oid) < 0) {
        return ccm_git_error("cannot read the branch tip");
    }
    return CCM_OK;
}

/* The author/committer line: the member's name, a non-routable address
 * derived from it, and the current time in UTC. */
static int member_signature(git_signature **out, const char *member)
{
    char email[96];

    snprintf(email, sizeof(email), "%s@ccmsync.invalid", member);
    if (git_signature_new(out, member, email, (git_time_t)(ccm_clock_now_ms() / 1000), 0) < 0) {
        return ccm_git_error("cannot create signature");
    }
    return CCM_OK;
}

int ccm_store_commit_signed(git_oid *out, ccm_store *s, git_repository *repo, const git_tree *tree,
                            const git_commit **parents, size_t nparents)
{
    git_signature *who = NULL;
    git_buf buf = {0};
    char *armored = NULL;
    size_t alen;
    int rc;

    if (!s->id) {
        return ccm_error_set(CCM_EDENIED, "store is locked");
    }
    if ((rc = member_signature(&who, s->member)) < 0) {
        return rc;
    }
    if (git_commit_create_buffer(&buf, repo, who, who, NULL, CCM_COMMIT_MESSAGE, tree, nparents,
                                 parents) < 0) {
        rc = ccm_git_error("cannot create commit");
        goto done;
    }
    rc = ccm_sshsig_sign(&armored, s->id, CCM_SIG_NAMESPACE, (const uint8_t *)buf.ptr, buf.size);
    if (rc < 0) {
        goto done;
    }
    /* libgit2 indents every line after the first; a trailing newline would
     * leave a line holding a lone space, which git does not write. */
    alen = strlen(armored);
    while (alen > 0 && armored[alen - 1] == '\n') {
        armored[--alen] = 0;
    }
    if (git_commit_create_with_signature(out, repo, buf.ptr, armored, "gpgsig") < 0) {
        rc = ccm_git_error("cannot write commit");
    }
done:
    free(armored);
    git_buf_dispose(&buf);
    git_signature_free(who);
    return rc;
}

int ccm_store_move_branch(ccm_store *s, const git_oid *old, const git_oid *new_id)
{
    git_reference *ref = NULL;
    int err;

    if (old) {
        err = git_reference_create_matching(&ref, s->repo, CCM_BRANCH, new_id, 1, old, "ccmsync");
    } else {
        err = git_reference_create(&ref, s->repo, CCM_BRANCH, new_id, 0, "ccmsync");
    }
    git_reference_free(ref);
    if (err == GIT_EMODIFIED || err == GIT_EEXISTS || err == GIT_ELOCKED) {
        return ccm_error_set(CCM_ELOCKED, "branch moved during the write");
    }
    if (err < 0) {
        return ccm_git_error("cannot move branch");
    }
    git_oid_tostr(s->head, sizeof(s->head), new_id);
    return CCM_OK;
}

uint64_t ccm_store_clock_load(ccm_store *s)
{
    char *path = ccm_path_join(s->dir, "clock");
    uint8_t *buf = NULL;
    size_t len = 0;
    uint64_t last = 0;

    if (path && ccm_file_read(&buf, &len, path) == CCM_OK) {
        last = strtoull((const char *)buf, NULL, 10);
    }
    free(buf);
    free(path);
    return last;
}

int ccm_store_clock_save(ccm_store *s, uint64_t stamp)
{
    char *path = ccm_path_join(s->dir, "clock");
    char text[32];
    int rc;

    if (!path) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    snprintf(text, sizeof(text), "%llu\n", (unsigned long long)stamp);
    rc = ccm_file_write(path, (const uint8_t *)text, strlen(text), 0600);
    free(path);
    return rc;
}
