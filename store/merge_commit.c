/*
 * merge_commit.c - a signed merge commit of two histories: the
 * deterministic merge of merge.c (the tree every replica computes, and
 * recomputes to verify), written as one pack when it carries many records,
 * and signed by this member.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_private.h"

static int count_change(const char *name, const git_oid *a, const git_oid *b, void *payload)
{
    (void)name;
    (void)a;
    (void)b;
    ++*(size_t *)payload;
    return CCM_OK;
}

/* A merge is signed by a member who may write in the merged roster (the
 * rule every verifier applies): a member whose removal the merged history
 * holds, or a reader, gets an error rather than a merge commit that every
 * replica, its own included, would refuse. */
static int check_signer(ccm_store *s, git_repository *w, const git_tree *tree)
{
    json_t *roster = NULL;
    const json_t *me;
    int rc;

    if ((rc = ccm_store_read_roster(&roster, w, tree)) < 0) {
        return rc;
    }
    me = ccm_roster_member(roster, s->member);
    if (!ccm_roster_may_write(me)) {
        const char *by = json_string_value(json_object_get(me, "removed_by"));
        rc = by ? ccm_error_set(CCM_EDENIED,
                                "cannot merge: the remote's history says '%s' was removed (by "
                                "'%s')",
                                s->member, by)
                : ccm_error_set(CCM_EDENIED,
                                "cannot merge: '%s' is a %s, who may not sign a merge (sync with "
                                "a remote that holds this replica's history)",
                                s->member,
                                me ? json_string_value(json_object_get(me, "role")) : "non-member");
    }
    json_decref(roster);
    return rc;
}

int ccm_store_merge_commit(git_oid *out, ccm_store *s, const git_oid *ours, const git_oid *theirs,
                           ccm_merge_info *info)
{
    git_oid base_id, tree_id;
    git_commit *cb = NULL, *co = NULL, *ct = NULL;
    git_tree *tb = NULL, *tt = NULL, *tree = NULL;
    const git_commit *parents[2];
    git_repository *w = s->repo;
    ccm_odb_batch pk = {0};
    size_t incoming = 0;
    int rc;
    struct timespec t0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (git_merge_base(&base_id, s->repo, ours, theirs) < 0) {
        return ccm_error_set(CCM_EVERIFY, "the remote's history is unrelated to ours");
    }
    if (git_commit_lookup(&cb, s->repo, &base_id) < 0 || git_commit_tree(&tb, cb) < 0 ||
        git_commit_lookup(&ct, s->repo, theirs) < 0 || git_commit_tree(&tt, ct) < 0) {
        rc = ccm_git_error("cannot read commits to merge");
        goto done;
    }
    if ((rc = ccm_tree_diff(s->repo, tb, tt, count_change, &incoming)) < 0) {
        goto done;
    }
    git_commit_free(ct);
    ct = NULL;
    if (incoming >= CCM_PACK_THRESHOLD) {
        if ((rc = ccm_odb_batch_start(&pk, s->repo)) < 0) {
            goto done;
        }
        w = pk.repo;
    }
    /* Parents through the handle that writes: libgit2 drops a parent owned
     * by another handle. */
    if (git_commit_lookup(&co, w, ours) < 0 || git_commit_lookup(&ct, w, theirs) < 0) {
        rc = ccm_git_error("cannot read commits to merge");
        goto done;
    }
    if ((rc = ccm_merge_trees(&tree_id, s, w, pk.repo ? &pk : NULL, co, ct, info, 0)) < 0) {
        goto done;
    }
    if (git_tree_lookup(&tree, w, &tree_id) < 0) {
        rc = ccm_git_error("cannot read the merged tree");
        goto done;
    }
    if ((rc = check_signer(s, w, tree)) < 0) {
        goto done;
    }
    parents[0] = co;
    parents[1] = ct;
    if ((rc = ccm_store_commit_signed(out, s, w, tree, parents, 2)) == CCM_OK && pk.repo) {
        ccm_trace("merge.sign", &t0);
        rc = ccm_odb_batch_flush(&pk);
        ccm_trace("merge.flush", &t0);
    }
done:
    git_tree_free(tree);
    git_tree_free(tb);
    git_tree_free(tt);
    git_commit_free(cb);
    git_commit_free(co);
    git_commit_free(ct);
    if (pk.repo) {
        ccm_odb_batch_end(&pk);
    }
    return rc;
}
