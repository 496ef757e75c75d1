/*
 * verify.c - checking history, ours (`ccmsync verify`) or incoming (sync).
 *
 * Trust by effect: a commit is accepted only if its effect is one its signer
 * may make, decided from the history alone (no local clock, no local
 * state), so every replica decides the same.
 *   - The first commit founds the group: its roster names its signer alone,
 *     as admin, and it holds nothing else (effect.c).
 *   - A commit with one parent is signed (SSHSIG, namespace git) by a member
 *     active in the parent's roster who may write, authored under that
 *     member's name, and its change is one that member may make
 *     (effect.c: stamps, membership, sealed keys, records).
 *   - A merge commit (two parents) is exactly the deterministic merge of its
 *     parents (merge.c): recomputed here, its tree must be that tree, so it
 *     adds nothing of its own; its signer must be active in that merge's
 *     roster (a removed member's merges that saw the removal are refused).
 *     A member without the group key yet (not admitted), or without the
 *     key of a side's records (a rotation by a member whose removal that
 *     side had not seen, which was never sealed to this one), checks the
 *     roster, stamps and sealed keys of a merge, not its records.
 * A removed member's commits that their removal did not see are not
 * refused here: they are valid where they were made, and left out by the
 * merges that meet the removal (strong removal, resolve.c).
 * Changes stamped far in the future of the local clock are reported as
 * warnings (accepted: convergence first).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

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
    if (!(m = ccm_roster_member_by_key(roster, pk))) {
        rc = ccm_error_set(CCM_EVERIFY, "signed by a key that is not a member's");
        goto done;
    }
    if (strcmp(json_string_value(json_object_get(m, "name")), author) != 0) {
        rc = ccm_error_set(CCM_EVERIFY, "signed by '%s' but authored as '%s'",
                           json_string_value(json_object_get(m, "name")), author);
        goto done;
    }
    if (!ccm_roster_is_active(m)) {
        rc = ccm_error_set(CCM_EVERIFY, "signed by '%s' after their removal", author);
        goto done;
    }
    if (!ccm_roster_may_write(m)) {
        rc = ccm_error_set(CCM_EVERIFY, "signed by '%s', a %s, who may not write", author,
                           json_string_value(json_object_get(m, "role")));
        goto done;
    }
    *signer = m;
done:
    git_buf_dispose(&sig);
    git_buf_dispose(&data);
    return rc;
}

static int roster_of(json_t **out, git_repository *repo, const git_commit *c, git_tree **tree)
{
    if (git_commit_tree(tree, c) < 0) {
        return ccm_git_error("cannot read tree");
    }
    return ccm_store_read_roster(out, repo, *tree);
}

static const git_oid *entry_id(const git_tree *tree, const char *name)
{
    const git_tree_entry *e = tree ? git_tree_entry_byname(tree, name) : NULL;
    return e ? git_tree_entry_id(e) : NULL;
}

static int same_entry(const git_tree *a, const git_tree *b, const char *name)
{
    const git_oid *x = entry_id(a, name), *y = entry_id(b, name);
    return (!x && !y) || (x && y && git_oid_equal(x, y));
}

/* Why a merge's tree is not the merge of its parents: the first part that
 * differs. */
static int merge_mismatch(const git_tree *got, const git_tree *want)
{
    if (!same_entry(got, want, CCM_ROSTER_PATH)) {
        return ccm_error_set(CCM_EVERIFY, "merge changes the membership");
    }
    if (!same_entry(got, want, CCM_KEYS_DIR)) {
        return ccm_error_set(CCM_EVERIFY, "merge changes the sealed keys");
    }
    if (!same_entry(got, want, CCM_STAMPS_PATH)) {
        return ccm_error_set(CCM_EVERIFY, "merge's stamps are not its parents'");
    }
    if (!same_entry(got, want, CCM_RECORDS_DIR)) {
        return ccm_error_set(CCM_EVERIFY, "merge's records are not the merge of its parents'");
    }
    return ccm_error_set(CCM_EVERIFY, "merge holds something of its own");
}

/* 1 if this member holds, or finds sealed to it in the commit's tree, the
 * key of every epoch the commit's roster commits to: then it can open
 * every record of that commit. */
static int holds_keys(ccm_store *s, git_repository *repo, const git_commit *c)
{
    git_tree *t = NULL;
    json_t *r = NULL;
    const char *e;
    json_t *v;
    int ok = s->id != NULL;

    if (ok && roster_of(&r, repo, c, &t) == CCM_OK) {
        json_object_foreach(json_object_get(r, "commitments"), e, v)
        {
            uint32_t epoch = (uint32_t)strtoul(e, NULL, 10);
            (void)v;
            if (!ccm_store_key_for(s, epoch, r) && ccm_store_load_key_with(s, t, r, epoch) < 0) {
                ok = 0;
                break;
            }
        }
    } else {
        ok = 0;
    }
    ccm_error_clear();
    json_decref(r);
    git_tree_free(t);
    return ok;
}

/* A merge commit: recompute its tree (objects into memory only) and
 * compare. */
static int check_merge(ccm_store *s, git_repository *repo, const git_commit *commit,
                       const git_tree *tree, const json_t *roster)
{
    ccm_odb_batch pk = {0};
    git_commit *a = NULL, *b = NULL;
    git_tree *want = NULL;
    git_oid want_id;
    const json_t *signer = NULL;
    int rc, flags = 0;

    if (git_commit_parentcount(commit) != 2) {
        return ccm_error_set(CCM_EVERIFY, "a merge of %u parents (two expected)",
                             git_commit_parentcount(commit));
    }
    if ((rc = ccm_odb_batch_start(&pk, repo)) < 0) {
        return rc;
    }
    if (git_commit_lookup(&a, pk.repo, git_commit_parent_id(commit, 0)) < 0 ||
        git_commit_lookup(&b, pk.repo, git_commit_parent_id(commit, 1)) < 0) {
        rc = ccm_git_error("cannot read the merge's parents");
        goto done;
    }
    /* Without the group key (not admitted yet), or when a side's records
     * are sealed under a key this member was never given (a rotation the
     * merge does not keep, made by someone whose removal it had not seen),
     * only the membership part can be recomputed, as by a member not
     * admitted yet. Keys come from the parents, which were verified, never
     * from the merge's own tree. */
    flags = s->id ? 0 : CCM_MERGE_META_ONLY;
    if (!flags && (!holds_keys(s, repo, a) || !holds_keys(s, repo, b))) {
        flags = CCM_MERGE_META_ONLY;
    }
    rc = ccm_merge_trees(&want_id, s, pk.repo, &pk, a, b, NULL, flags);
    if (rc == CCM_EDENIED && !flags) {
        ccm_error_clear();
        flags = CCM_MERGE_META_ONLY;
        rc = ccm_merge_trees(&want_id, s, pk.repo, &pk, a, b, NULL, flags);
    }
    if (rc < 0) {
        goto done;
    }
    if (git_tree_lookup(&want, pk.repo, &want_id) < 0) {
        rc = ccm_git_error("cannot read the recomputed merge");
        goto done;
    }
    if (flags & CCM_MERGE_META_ONLY) {
        uint32_t epoch = (uint32_t)json_integer_value(json_object_get(roster, "epoch"));
        if (!same_entry(tree, want, CCM_ROSTER_PATH) || !same_entry(tree, want, CCM_KEYS_DIR) ||
            !same_entry(tree, want, CCM_STAMPS_PATH)) {
            rc = merge_mismatch(tree, want);
            goto done;
        }
        /* Its records were not checked. A member who holds the key of the
         * merge's epoch reads them, and builds on them (the merge is the
         * resolution signed by an active member of it); one who does not
         * holds back (s->unchecked). */
        s->unchecked = s->id && !ccm_store_key_for(s, epoch, roster) &&
                       ccm_store_load_key_with(s, tree, roster, epoch) < 0;
        ccm_error_clear();
    } else if (!git_oid_equal(&want_id, git_tree_id(tree))) {
        rc = merge_mismatch(tree, want);
        goto done;
    }
    rc = ccm_store_check_signature(s, repo, commit, roster, &signer);
done:
    git_tree_free(want);
    git_commit_free(a);
    git_commit_free(b);
    ccm_odb_batch_end(&pk);
    return rc;
}

/* For a commit this replica made itself: the author's rights in `roster`,
 * without the signature's arithmetic (this member's own key made it). */
static int check_author(const git_commit *commit, const json_t *roster, const json_t **signer)
{
    const char *author = git_commit_author(commit)->name;
    const json_t *m = ccm_roster_member(roster, author);

    *signer = NULL;
    if (!ccm_roster_may_write(m)) {
        return ccm_error_set(CCM_EVERIFY, "'%s' may not write", author);
    }
    *signer = m;
    return CCM_OK;
}

int ccm_store_verify_commit(ccm_store *s, git_repository *repo, git_commit *commit,
                            json_t *warnings)
{
    return ccm_store_verify_commit_as(s, repo, commit, warnings, 0);
}

int ccm_store_verify_commit_as(ccm_store *s, git_repository *repo, git_commit *commit,
                               json_t *warnings, int own)
{
    git_commit *parent = NULL;
    git_tree *tree = NULL, *ptree = NULL;
    json_t *roster = NULL, *base = NULL;
    const json_t *signer;
    unsigned n = git_commit_parentcount(commit);
    int rc;

    s->unchecked = 0;
    if ((rc = roster_of(&roster, repo, commit, &tree)) < 0) {
        goto done;
    }
    if (n >= 2) {
        rc = check_merge(s, repo, commit, tree, roster);
        goto done;
    }
    if (n == 1) {
        if (git_commit_parent(&parent, commit, 0) < 0) {
            rc = ccm_git_error("cannot read parent");
            goto done;
        }
        if ((rc = roster_of(&base, repo, parent, &ptree)) < 0) {
            goto done;
        }
    }
    if (own && strcmp(git_commit_author(commit)->name, s->member) == 0) {
        rc = check_author(commit, base ? base : roster, &signer);
    } else {
        rc = ccm_store_check_signature(s, repo, commit, base ? base : roster, &signer);
    }
    if (rc < 0) {
        goto done;
    }
    if (n == 0) {
        rc = ccm_effect_check_root(s, repo, tree, roster,
                                   json_string_value(json_object_get(signer, "name")));
    } else {
        rc = ccm_effect_check(s, repo, commit, tree, roster, ptree, base,
                              json_string_value(json_object_get(signer, "name")), warnings);
    }
done:
    json_decref(base);
    json_decref(roster);
    git_tree_free(ptree);
    git_tree_free(tree);
    git_commit_free(parent);
    return rc;
}

int ccm_store_verify_range(ccm_store *s, git_repository *repo, const git_oid *tip,
                           const git_oid *hide, json_t *warnings, size_t *count)
{
    git_revwalk *walk = NULL;
    git_oid oid;
    int rc = CCM_OK;

    if (git_revwalk_new(&walk, repo) < 0 ||
        git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
        git_revwalk_push(walk, tip) < 0 || (hide && git_revwalk_hide(walk, hide) < 0)) {
        git_revwalk_free(walk);
        return ccm_git_error("cannot walk history");
    }
    while (git_revwalk_next(&oid, walk) == 0) {
        git_commit *commit = NULL;
        char prefix[64];
        git_oid_tostr(prefix + 7, sizeof(prefix) - 7, &oid);
        memcpy(prefix, "commit ", 7);
        if (git_commit_lookup(&commit, repo, &oid) < 0) {
            rc = ccm_error_set(CCM_EVERIFY, "%s: cannot be read", prefix);
            break; /* not wrapped below: the prefix is in already */
        }
        if (hide && git_commit_parentcount(commit) == 0) {
            rc = ccm_error_set(CCM_EVERIFY, "unrelated history (another group's?)");
        } else {
            rc = ccm_store_verify_commit(s, repo, commit, warnings);
        }
        git_commit_free(commit);
        if (rc < 0) {
            rc = ccm_error_wrap(rc == CCM_EDENIED ? CCM_EDENIED : CCM_EVERIFY, prefix);
            break;
        }
        if (count) {
            (*count)++;
        }
    }
    git_revwalk_free(walk);
    return rc;
}

int ccm_store_verify(ccm_store *s, json_t *warnings)
{
    git_oid head;
    int rc;

    if (git_reference_name_to_id(&head, s->repo, CCM_BRANCH) < 0) {
        return ccm_error_set(CCM_EVERIFY, "no history");
    }
    ccm_store_memo_begin(s);
    rc = ccm_store_verify_range(s, s->repo, &head, NULL, warnings, NULL);
    ccm_store_memo_end(s);
    if (ccm_store_refresh(s) < 0 && rc == CCM_OK) {
        ccm_error_clear();
    }
    return rc;
}

int ccm_store_check_tip(ccm_store *s)
{
    git_commit *head = NULL, *parent = NULL;
    git_tree *tree = NULL;
    json_t *roster = NULL;
    const json_t *signer;
    char hex[41];
    int rc;

    if ((rc = ccm_store_head_commit(&head, s)) < 0 || !head) {
        return rc;
    }
    git_oid_tostr(hex, sizeof(hex), git_commit_id(head));
    /* A merge is signed by a member of its own (merged) roster; any other
     * commit by a member of its parent's. */
    if (git_commit_parentcount(head) == 1 && git_commit_parent(&parent, head, 0) < 0) {
        rc = ccm_git_error("cannot read parent");
    } else if ((rc = roster_of(&roster, s->repo, parent ? parent : head, &tree)) == CCM_OK &&
               (rc = ccm_store_check_signature(s, s->repo, head, roster, &signer)) < 0) {
        char prefix[160];
        snprintf(prefix, sizeof(prefix),
                 "refusing to write on the branch tip %s (run 'ccmsync verify')", hex);
        rc = ccm_error_wrap(CCM_EVERIFY, prefix);
    }
    json_decref(roster);
    git_tree_free(tree);
    git_commit_free(parent);
    git_commit_free(head);
    return rc;
}
