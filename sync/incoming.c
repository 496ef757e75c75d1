/*
 * incoming.c - verifying what a fetch brought, commit by commit, without
 * letting a refused commit block the honest ones.
 *
 * The new commits are checked oldest first (store/verify.c: trust by
 * effect). A commit that breaks a rule is refused, and so is every commit
 * built on it; the others are kept. What sync then integrates is the
 * frontier of what was kept: the kept commits none of whose kept children
 * came in. A remote whose tip was refused is then given our history in its
 * place (sync.c), so that nothing refused stays in the way of the group.
 *
 * A commit whose records this member could not check (sealed under a key
 * it never held: store/verify.c sets ccm_store_last_unchecked(s)) is held back: not
 * refused (others can check it) but not built on either, nor are the
 * non-merge commits on top of it, until a merge whose records this member
 * can read (one signed by an active member of the membership it resolves)
 * takes it in. Else a removed admin could forge a change under a key only
 * its own side holds, and a member on that side would build on it, and see
 * its own work refused by everyone else from then on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_private.h"

void ccm_incoming_free(ccm_incoming *in)
{
    if (in) {
        free(in->heads);
        free(in->held_ids);
        in->heads = in->held_ids = NULL;
        in->nheads = in->held = 0;
    }
}

/* After a successful verification: 1 if the commit is held back (see the
 * top of this file). */
static int held(ccm_store *s, ccm_oidmap *state, const git_commit *c)
{
    if (ccm_store_last_unchecked(s)) {
        return 1;
    }
    if (git_commit_parentcount(c) > 1) {
        return 0; /* a merge this member can read takes what it builds on in */
    }
    return git_commit_parentcount(c) == 1 &&
           (uintptr_t)ccm_oidmap_get(state, git_commit_parent_id(c, 0)) == 4;
}

int ccm_sync_verify_incoming(ccm_incoming *in, ccm_store *s, const git_oid *theirs,
                             const git_oid *ours, json_t *warnings)
{
    git_revwalk *walk = NULL;
    ccm_oidmap state = {0}; /* commit -> 1 kept, 2 refused, 3 kept with a kept child,
                               4 held back */
    git_oid *order = NULL;
    size_t n = 0, cap = 0;
    git_oid oid;
    int rc = CCM_OK;

    memset(in, 0, sizeof(*in));
    if (git_revwalk_new(&walk, ccm_store_repo(s)) < 0 ||
        git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
        git_revwalk_push(walk, theirs) < 0 || git_revwalk_hide(walk, ours) < 0) {
        git_revwalk_free(walk);
        return ccm_git_error("cannot walk history");
    }
    while (rc == CCM_OK && git_revwalk_next(&oid, walk) == 0) {
        git_commit *c = NULL;
        uintptr_t verdict = 1;
        if ((rc = ccm_grow(&order, &cap, n, sizeof(*order), 64)) < 0) {
            break;
        }
        order[n++] = oid;
        if (git_commit_lookup(&c, ccm_store_repo(s), &oid) < 0) {
            verdict = 2;
            snprintf(in->reason, sizeof(in->reason), "cannot be read");
        } else {
            for (unsigned i = 0; i < git_commit_parentcount(c) && verdict == 1; i++) {
                if ((uintptr_t)ccm_oidmap_get(&state, git_commit_parent_id(c, i)) == 2) {
                    verdict = 2; /* built on a refused commit */
                }
            }
            if (verdict == 1 && git_commit_parentcount(c) == 0) {
                verdict = 2;
                in->unrelated = 1;
                snprintf(in->reason, sizeof(in->reason), "unrelated history (another group's?)");
            } else if (verdict == 1 &&
                       ccm_store_verify_commit(s, ccm_store_repo(s), c, warnings) < 0) {
                verdict = 2;
                if (!in->refused) {
                    snprintf(in->reason, sizeof(in->reason), "%s", ccm_error_last());
                    git_oid_tostr(in->first, sizeof(in->first), &oid);
                    snprintf(in->by, sizeof(in->by), "%s", git_commit_author(c)->name);
                }
                ccm_error_clear();
            } else if (verdict == 1 && held(s, &state, c)) {
                verdict = 4;
            }
            if (verdict == 1) {
                for (unsigned i = 0; i < git_commit_parentcount(c); i++) {
                    if ((uintptr_t)ccm_oidmap_get(&state, git_commit_parent_id(c, i)) == 1) {
                        rc = ccm_oidmap_put(&state, git_commit_parent_id(c, i), (void *)3);
                    }
                }
            }
        }
        if (verdict == 2 && !in->refused && !in->first[0]) {
            git_oid_tostr(in->first, sizeof(in->first), &oid);
        }
        in->refused += verdict == 2;
        in->kept += verdict == 1;
        git_commit_free(c);
        if (rc == CCM_OK) {
            rc = ccm_oidmap_put(&state, &oid, (void *)verdict);
        }
    }
    for (size_t i = 0; rc == CCM_OK && i < n; i++) {
        uintptr_t v = (uintptr_t)ccm_oidmap_get(&state, &order[i]);
        if (v == 1 &&
            (rc = ccm_grow(&in->heads, &in->capheads, in->nheads, sizeof(*in->heads), 4)) == 0) {
            in->heads[in->nheads++] = order[i];
        } else if (v == 4 && (rc = ccm_grow(&in->held_ids, &in->capheld, in->held,
                                            sizeof(*in->held_ids), 4)) == 0) {
            in->held_ids[in->held++] = order[i];
        }
    }
    in->tip_held = (uintptr_t)ccm_oidmap_get(&state, theirs) == 4;
    free(order);
    ccm_oidmap_free(&state);
    git_revwalk_free(walk);
    return rc;
}
