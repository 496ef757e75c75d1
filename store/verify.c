/*
 * verify.c - checking a history: every commit signed (SSHSIG, namespace git)
 * by a member of the roster it builds on, under that member's name, and
 * every record it introduces an intact envelope of the record it claims to
 * be. The first failure is reported with the commit's id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_private.h"
#include "cache.h"

/* The roster member whose signing key is `pk`, or NULL (borrowed). */
static const json_t *member_by_key(const json_t *roster, const uint8_t pk[32])
{
    size_t i;
    const json_t *m;

    json_array_foreach(json_object_get(roster, "members"), i, m)
    {
        uint8_t k[32];
        const char *text = json_string_value(json_object_get(m, "sign_key"));
        if (text && ccm_ssh_pubkey_parse(k, text) == CCM_OK && memcmp(k, pk, 32) == 0) {
            return m;
        }
    }
    return NULL;
}

int ccm_store_check_signature(ccm_store *s, git_repository *repo, const git_commit *commit,
                              const json_t *roster, const json_t **signer)
{
    git_buf sig = {0}, data = {0};
    uint8_t pk[32];
    const json_t *m;
    const char *author = git_commit_author(commit)->name;
    int rc;

    (void)s;
    *signer = NULL;
    if (git_commit_extract_signature(&sig, &data, repo, (git_oid *)git_commit_id(commit), NULL) <
        0) {
        return ccm_error_set(CCM_EVERIFY, "unsigned");
    }
    rc = ccm_sshsig_verify(pk, sig.ptr, sig.size, CCM_SIG_NAMESPACE, (const uint8_t *)data.ptr,
                           data.size);
    if (rc < 0) {
        rc = ccm_error_wrap(CCM_EVERIFY, "bad signature");
        goto done;
    }
    if (!(m = member_by_key(roster, pk))) {
        rc = ccm_error_set(CCM_EVERIFY, "signed by a key that is not a member's");
        goto done;
    }
    if (strcmp(json_string_value(json_object_get(m, "name")), author) != 0) {
        rc = ccm_error_set(CCM_EVERIFY, "signed by '%s' but authored as '%s'",
                           json_string_value(json_object_get(m, "name")), author);
        goto done;
    }
    *signer = m;
done:
    git_buf_dispose(&sig);
    git_buf_dispose(&data);
    return rc;
}

static int check_record(const char *name, const git_oid *old_oid, const git_oid *new_oid,
                        void *payload)
{
    ccm_store *s = payload;
    json_t *rec = NULL;
    int rc;

    (void)old_oid;
    if (!new_oid) {
        return ccm_error_set(CCM_EVERIFY, "record %.12s was deleted from the tree", name);
    }
    rc = ccm_store_open_blob(&rec, s, s->repo, name, new_oid);
    json_decref(rec);
    return rc;
}

/* Checks one commit against the roster of its first parent (its own for the
 * root commit) and the records it changed. */
static int verify_commit(ccm_store *s, git_commit *commit)
{
    git_commit *parent = NULL;
    git_tree *tree = NULL, *ptree = NULL;
    json_t *roster = NULL;
    const json_t *signer;
    int rc;

    if (git_commit_tree(&tree, commit) < 0 ||
        (git_commit_parentcount(commit) > 0 &&
         (git_commit_parent(&parent, commit, 0) < 0 || git_commit_tree(&ptree, parent) < 0))) {
        rc = ccm_git_error("cannot read commit");
        goto done;
    }
    if ((rc = ccm_store_read_roster(&roster, s->repo, ptree ? ptree : tree)) < 0 ||
        (rc = ccm_store_check_signature(s, s->repo, commit, roster, &signer)) < 0) {
        goto done;
    }
    rc = ccm_tree_diff(s->repo, ptree, tree, check_record, s);
done:
    json_decref(roster);
    git_tree_free(ptree);
    git_tree_free(tree);
    git_commit_free(parent);
    return rc;
}

int ccm_store_verify(ccm_store *s)
{
    git_revwalk *walk = NULL;
    git_oid oid;
    int rc = CCM_OK;

    if (git_revwalk_new(&walk, s->repo) < 0 ||
        git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
        git_revwalk_push_ref(walk, CCM_BRANCH) < 0) {
        git_revwalk_free(walk);
        return ccm_git_error("cannot walk history");
    }
    while (git_revwalk_next(&oid, walk) == 0) {
        git_commit *commit = NULL;
        char hex[41];
        git_oid_tostr(hex, sizeof(hex), &oid);
        if (git_commit_lookup(&commit, s->repo, &oid) < 0) {
            rc = ccm_error_set(CCM_EVERIFY, "commit %s: cannot be read", hex);
            break;
        }
        rc = verify_commit(s, commit);
        git_commit_free(commit);
        if (rc < 0) {
            char prefix[64];
            snprintf(prefix, sizeof(prefix), "commit %s", hex);
            rc = ccm_error_wrap(rc == CCM_EDENIED ? CCM_EDENIED : CCM_EVERIFY, prefix);
            break;
        }
    }
    git_revwalk_free(walk);
    return rc;
}
