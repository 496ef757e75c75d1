/*
 * sync.c - one sync with one remote: fetch, verify, merge, push, and go
 * round again (at most CCM_SYNC_ROUNDS times) if the remote moved meanwhile.
 *
 * The store's write lock is held throughout, so local writers wait. Incoming
 * history is fetched into a quarantine ref and verified before anything the
 * store reads moves; a failed verification drops the quarantine ref and
 * leaves the store as it was. The local record of syncs is sync_state.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sync_private.h"

void ccm_sync_result_free(ccm_sync_result *r)
{
    for (size_t i = 0; r && i < r->nwarnings; i++) {
        free(r->warnings[i]);
    }
    if (r) {
        free(r->warnings);
        free(r->left_out);
        r->warnings = NULL;
        r->nwarnings = 0;
        r->left_out = NULL;
        r->nleft_out = 0;
    }
}

static int set_ref(ccm_store *s, const char *name, const git_oid *oid)
{
    git_reference *r = NULL;
    int err = git_reference_create(&r, ccm_store_repo(s), name, oid, 1, "ccmsync");
    git_reference_free(r);
    return err < 0 ? ccm_git_error("cannot update ref") : CCM_OK;
}

static int add_warnings(ccm_sync_result *out, json_t *warnings)
{
    size_t i;
    json_t *w;

    json_array_foreach(warnings, i, w)
    {
        char **n = realloc(out->warnings, (out->nwarnings + 1) * sizeof(*n));
        if (!n) {
            return ccm_error_set(CCM_ERROR, "out of memory");
        }
        out->warnings = n;
        if (!(n[out->nwarnings] = strdup(json_string_value(w)))) {
            return ccm_error_set(CCM_ERROR, "out of memory");
        }
        out->nwarnings++;
    }
    return CCM_OK;
}

/* Adds a merge's left-out counts to the result. */
static int add_left_out(ccm_sync_result *out, const ccm_merge_info *info)
{
    const char *member;
    json_t *n;

    json_object_foreach(info->left_out, member, n)
    {
        size_t k = 0;
        while (k < out->nleft_out && strcmp(out->left_out[k].member, member) != 0) {
            k++;
        }
        if (k == out->nleft_out) {
            ccm_left_out *l = realloc(out->left_out, (k + 1) * sizeof(*l));
            if (!l) {
                return ccm_error_set(CCM_ERROR, "out of memory");
            }
            out->left_out = l;
            memset(&l[k], 0, sizeof(l[k]));
            snprintf(l[k].member, sizeof(l[k].member), "%s", member);
            out->nleft_out++;
        }
        out->left_out[k].commits += (size_t)json_integer_value(n);
    }
    return CCM_OK;
}

/* CCM_EDENIED: this member (roster entry `me`, or NULL) is removed in the
 * history `where` names, so it neither merges nor pushes. */
static int removed_in(ccm_store *s, const json_t *me, const char *where)
{
    const char *by = json_string_value(json_object_get(me, "removed_by"));
    return ccm_error_set(CCM_EDENIED,
                         "'%s' is removed from the group (by %s) in %s: not merged, nothing pushed",
                         ccm_store_member(s), by ? by : "?", where);
}

/* CCM_EDENIED unless this member is active in the roster of `merged` (a
 * merge it just wrote): a merge whose history removes its own signer is
 * refused by every member, so it must not be kept, nor pushed. */
static int still_member(ccm_store *s, const git_oid *merged)
{
    git_commit *c = NULL;
    git_tree *t = NULL;
    json_t *r = NULL;
    const json_t *me;
    int rc;

    if (git_commit_lookup(&c, ccm_store_repo(s), merged) < 0 || git_commit_tree(&t, c) < 0) {
        rc = ccm_git_error("cannot read the merge");
    } else if ((rc = ccm_store_read_roster(&r, ccm_store_repo(s), t)) == CCM_OK &&
               !ccm_roster_is_active(me = ccm_roster_member(r, ccm_store_member(s)))) {
        rc = removed_in(s, me, "the history this merge brings together");
    }
    json_decref(r);
    git_tree_free(t);
    git_commit_free(c);
    return rc;
}

/* Brings one verified commit of theirs into ours: fast-forward or merge.
 * *ours follows. *foreign is set if the merge needs a key this member never
 * held (another member must make it). */
static int integrate(ccm_sync_result *out, ccm_store *s, git_oid *ours, const git_oid *theirs,
                     int *foreign)
{
    ccm_merge_info info = {NULL, 0, 0, NULL};
    git_oid merged;
    int rc;

    if (git_oid_equal(ours, theirs) ||
        git_graph_descendant_of(ccm_store_repo(s), ours, theirs) == 1) {
        return CCM_OK; /* we already have everything they have */
    }
    if (git_graph_descendant_of(ccm_store_repo(s), theirs, ours) == 1) {
        if ((rc = ccm_store_move_branch(s, ours, theirs)) == CCM_OK) {
            out->fast_forward = 1;
            *ours = *theirs;
        }
        return rc;
    }
    if ((rc = ccm_store_merge_commit(&merged, s, ours, theirs, &info)) == CCM_OK &&
        (rc = still_member(s, &merged)) == CCM_OK && (rc = add_left_out(out, &info)) == CCM_OK &&
        (rc = ccm_store_move_branch(s, ours, &merged)) == CCM_OK) {
        out->merged = 1;
        *ours = merged;
    }
    *foreign = rc < 0 && info.foreign;
    json_decref(info.left_out);
    json_decref(info.excluded);
    return rc;
}

/* The remote's tip is held back (records this member cannot check, see
 * incoming.c): what of it this member can take. Below the tip, the newest
 * kept commits a fast-forward reaches. Beside it, nothing is merged: if the
 * membership a merge with the tip resolves leaves out every commit held
 * back (a removed member's late work, say), the remote's tip is replaced by
 * this member's history instead (*replace), those commits not applied
 * (reported as left out). Merging them in would build on what this member
 * could not check: a member who can may find one that breaks a rule and
 * refuse it with every merge built on it, and the two would replace each
 * other's history on the hub for ever. A member who can read both sides
 * merges them later, and this member takes that merge in (incoming.c).
 * Else (a held commit would stand) nothing is taken: round_trip leaves this
 * history for another member. */
static int integrate_held(ccm_sync_result *out, ccm_store *s, git_oid *ours, const git_oid *theirs,
                          const ccm_incoming *in, int *replace)
{
    ccm_merge_info info = {NULL, 0, 0, NULL};
    git_commit *a = NULL, *b = NULL;
    json_t *me = NULL;
    int rc;

    *replace = 0;
    if (git_graph_descendant_of(ccm_store_repo(s), theirs, ours) == 1) {
        for (size_t i = in->nheads; i-- > 0;) {
            if (git_graph_descendant_of(ccm_store_repo(s), &in->heads[i], ours) != 1) {
                continue;
            }
            if ((rc = ccm_store_move_branch(s, ours, &in->heads[i])) < 0) {
                return rc;
            }
            out->fast_forward = 1;
            *ours = in->heads[i];
        }
        return CCM_OK;
    }
    /* What a merge would leave out, from the membership alone: no merge is
     * made, so none is signed only to be dropped. */
    if (git_commit_lookup(&a, ccm_store_repo(s), ours) < 0 ||
        git_commit_lookup(&b, ccm_store_repo(s), theirs) < 0) {
        rc = ccm_git_error("cannot read history");
    } else if ((rc = ccm_history_member_info(&me, &info, s, a, b, ccm_store_member(s))) == CCM_OK &&
               !ccm_roster_is_active(me)) {
        rc = removed_in(s, me, "the history this merge brings together");
    }
    if (rc == CCM_OK) {
        size_t i = 0;
        char hex[GIT_OID_HEXSZ + 1];
        for (; i < in->held; i++) {
            git_oid_tostr(hex, sizeof(hex), &in->held_ids[i]);
            if (!json_object_get(info.excluded, hex)) {
                break; /* it would stand */
            }
        }
        if (i == in->held && (rc = add_left_out(out, &info)) == CCM_OK) {
            *replace = 1;
        }
    }
    json_decref(me);
    git_commit_free(a);
    git_commit_free(b);
    json_decref(info.left_out);
    json_decref(info.excluded);
    return rc;
}

/* Histories other members left on the remote (pending.c): each is verified
 * like incoming history and merged if this member can; one it cannot merge
 * is left for another, with a warning. *own is set if this member's own is
 * there (the caller deletes it once the remote's branch holds it). */
static int take_pending(ccm_sync_result *out, ccm_store *s, const char *name, git_oid *ours,
                        json_t *warnings, git_oid *own, int *has_own)
{
    ccm_pending *list = NULL;
    size_t n = 0;
    char msg[600];
    git_commit *c = NULL;
    git_tree *t = NULL;
    json_t *roster = NULL;
    int rc;

    *has_own = 0;
    if (git_commit_lookup(&c, ccm_store_repo(s), ours) < 0 || git_commit_tree(&t, c) < 0) {
        rc = ccm_git_error("cannot read the branch");
    } else if ((rc = ccm_store_read_roster(&roster, ccm_store_repo(s), t)) == CCM_OK) {
        rc = ccm_pending_list(&list, &n, s, name, roster);
    }
    json_decref(roster);
    git_tree_free(t);
    git_commit_free(c);
    if (rc < 0) {
        return rc;
    }
    for (size_t i = 0; rc == CCM_OK && i < n; i++) {
        const ccm_pending *p = &list[i];
        ccm_incoming in = {0};
        int foreign = 0, failed = 0;
        if (strcmp(p->member, ccm_store_member(s)) == 0) {
            *own = p->tip;
            *has_own = 1;
            continue;
        }
        if (git_oid_equal(ours, &p->tip) ||
            git_graph_descendant_of(ccm_store_repo(s), ours, &p->tip) == 1) {
            continue; /* merged already */
        }
        if ((rc = ccm_sync_verify_incoming(&in, s, &p->tip, ours, warnings)) < 0) {
            break;
        }
        if (in.refused) {
            snprintf(msg, sizeof(msg),
                     "the history '%s' left on remote '%s' holds commit %s by %s, refused (%s): "
                     "what it builds on that is not taken",
                     p->member, name, in.first, in.by[0] ? in.by : "?", in.reason);
            json_array_append_new(warnings, json_string(msg));
        }
        if (in.held) {
            snprintf(msg, sizeof(msg),
                     "the history '%s' left on remote '%s' changes records sealed under a key "
                     "this member never held; it stays there for another member",
                     p->member, name);
            json_array_append_new(warnings, json_string(msg));
            failed = 1;
        }
        for (size_t k = in.nheads; !failed && k-- > 0;) {
            if (integrate(out, s, ours, &in.heads[k], &foreign) < 0) {
                snprintf(msg, sizeof(msg),
                         "the history '%s' left on remote '%s' cannot be merged here (%s); it "
                         "stays there for another member",
                         p->member, name, ccm_error_last());
                json_array_append_new(warnings, json_string(msg));
                ccm_error_clear();
                failed = 1;
            }
        }
        if (!failed && in.kept && out->npending_merged < 16) {
            snprintf(out->pending_merged[out->npending_merged++], 65, "%s", p->member);
        }
        ccm_incoming_free(&in);
    }
    free(list);
    return rc;
}

/* Says why commits were held back: the remote's history (at `tip`) removes
 * this member, or they need a key it never held. */
static int held_warning(ccm_sync_result *out, ccm_store *s, const char *name, const git_oid *tip,
                        size_t held)
{
    git_commit *c = NULL;
    git_tree *t = NULL;
    json_t *r = NULL, *w = json_array();
    const json_t *me = NULL;
    char msg[400];
    int known = 0, rc;

    if (git_commit_lookup(&c, ccm_store_repo(s), tip) == 0 && git_commit_tree(&t, c) == 0 &&
        ccm_store_read_roster(&r, ccm_store_repo(s), t) == CCM_OK) {
        me = ccm_roster_member(r, ccm_store_member(s));
        known = 1;
    }
    ccm_error_clear();
    if (known && !me) {
        snprintf(msg, sizeof(msg),
                 "'%s' is not a member of the group in the remote's history (its admission did "
                 "not stand): the %zu newer commit%s on remote '%s' %s not readable here",
                 ccm_store_member(s), held, held == 1 ? "" : "s", name, held == 1 ? "is" : "are");
    } else if (me && !ccm_roster_is_active(me)) {
        const char *by = json_string_value(json_object_get(me, "removed_by"));
        snprintf(msg, sizeof(msg),
                 "'%s' is removed from the group (by %s): the %zu newer commit%s on remote '%s' "
                 "%s not readable here",
                 ccm_store_member(s), by ? by : "?", held, held == 1 ? "" : "s", name,
                 held == 1 ? "is" : "are");
    } else {
        snprintf(msg, sizeof(msg),
                 "%zu commit%s on remote '%s' change%s records sealed under a key this member "
                 "never held: held back until a member who holds it merges them",
                 held, held == 1 ? "" : "s", name, held == 1 ? "s" : "");
    }
    rc = w && json_array_append_new(w, json_string(msg)) == 0
             ? add_warnings(out, w)
             : ccm_error_set(CCM_ERROR, "out of memory");
    json_decref(w);
    json_decref(r);
    git_tree_free(t);
    git_commit_free(c);
    return rc;
}

/* This member cannot make the merge the remote's history needs: its own
 * history is left on the remote for a member who can, and the sync fails
 * with CCM_EDENIED saying so. */
static int leave_pending(ccm_sync_result *out, ccm_store *s, const char *name, git_remote *remote,
                         const git_oid *ours, const git_oid *theirs, ccm_transfer *t)
{
    char why[512];
    git_commit *a = NULL, *b = NULL;
    json_t *me = NULL;
    int rc;

    snprintf(why, sizeof(why), "%s", ccm_error_last());
    /* Unless the membership both histories resolve to removes this member:
     * then there is nothing of its own the group would take. */
    if (git_commit_lookup(&a, ccm_store_repo(s), ours) < 0 ||
        git_commit_lookup(&b, ccm_store_repo(s), theirs) < 0) {
        rc = ccm_git_error("cannot read history");
    } else if ((rc = ccm_history_member(&me, s, a, b, ccm_store_member(s))) == CCM_OK &&
               !ccm_roster_is_active(me)) {
        rc = removed_in(s, me, "the remote's history");
    }
    json_decref(me);
    git_commit_free(a);
    git_commit_free(b);
    if (rc < 0 || (rc = ccm_pending_leave(s, remote, ours, t)) < 0) {
        return rc;
    }
    out->left_pending = 1;
    return ccm_error_set(CCM_EDENIED,
                         "%s: this replica's history is left on remote '%s' for them; sync "
                         "again once another member has synced",
                         why, name);
}

/* The roster epoch of a commit (0 if unreadable). */
static uint32_t epoch_of(ccm_store *s, const git_oid *commit)
{
    git_commit *c = NULL;
    git_tree *t = NULL;
    json_t *r = NULL;
    uint32_t e = 0;

    if (git_commit_lookup(&c, ccm_store_repo(s), commit) == 0 && git_commit_tree(&t, c) == 0 &&
        ccm_store_read_roster(&r, ccm_store_repo(s), t) == CCM_OK) {
        e = (uint32_t)json_integer_value(json_object_get(r, "epoch"));
    }
    ccm_error_clear();
    json_decref(r);
    git_tree_free(t);
    git_commit_free(c);
    return e;
}

/* Freshness: a remote that no longer holds what it held at our last sync
 * (rewound, or withholding) is worth a warning, and more so when it went
 * back to an older key epoch. */
static void check_fresh(ccm_store *s, const char *name, const char *tracking, const git_oid *theirs,
                        int newcomer, json_t *warnings)
{
    git_oid seen;
    char msg[320];

    if (git_reference_name_to_id(&seen, ccm_store_repo(s), tracking) < 0 ||
        git_oid_equal(&seen, theirs) ||
        git_graph_descendant_of(ccm_store_repo(s), theirs, &seen) == 1) {
        git_error_clear();
        return;
    }
    if (epoch_of(s, theirs) < epoch_of(s, &seen)) {
        snprintf(msg, sizeof(msg),
                 "remote '%s' went back to key epoch %u after holding epoch %u at the last sync: "
                 "it may be withholding a membership change from others",
                 name, (unsigned)epoch_of(s, theirs), (unsigned)epoch_of(s, &seen));
    } else {
        snprintf(msg, sizeof(msg),
                 "remote '%s' no longer holds what it held at the last sync (rewound or "
                 "withholding)%s",
                 name, newcomer ? "" : "; this sync gives it our history again");
    }
    json_array_append_new(warnings, json_string(msg));
}

/* Sync never pushes what it would itself refuse: our commits the remote
 * lacks are checked like incoming ones (their effects in full; this
 * member's own signatures are not verified again), but for the merge just
 * computed here, which is the deterministic merge by construction. A bug
 * that wrote a commit the others refuse stops here, with a message, instead
 * of making every replica replace the hub's tip in turn. */
static int check_own(ccm_store *s, const git_oid *head, const git_oid *theirs, const git_oid *skip)
{
    git_revwalk *walk = NULL;
    git_oid oid;
    int rc = CCM_OK;

    if (git_revwalk_new(&walk, ccm_store_repo(s)) < 0 ||
        git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
        git_revwalk_push(walk, head) < 0 || (theirs && git_revwalk_hide(walk, theirs) < 0)) {
        git_revwalk_free(walk);
        return ccm_git_error("cannot walk history");
    }
    while (rc == CCM_OK && git_revwalk_next(&oid, walk) == 0) {
        git_commit *c = NULL;
        if ((skip && git_oid_equal(&oid, skip)) || !theirs) {
            continue; /* a first push: the whole history was checked when made */
        }
        if (git_commit_lookup(&c, ccm_store_repo(s), &oid) < 0) {
            rc = ccm_git_error("cannot read history");
        } else if (ccm_store_verify_commit_as(s, ccm_store_repo(s), c, NULL, 1) < 0) {
            char hex[41];
            git_oid_tostr(hex, sizeof(hex), &oid);
            rc = ccm_error_set(CCM_EVERIFY,
                               "this replica's own commit %s breaks a rule (%s): not pushed "
                               "(run 'ccmsync verify')",
                               hex, ccm_error_last());
        }
        git_commit_free(c);
    }
    git_revwalk_free(walk);
    return rc;
}

/* A newcomer (not admitted yet) has nothing of its own on its branch (it
 * cannot write) and cannot check a merge's records, so it never merges nor
 * pushes: its branch is what it kept of the remote, and is verified in full
 * once admitted. What the remote no longer holds (a refused tip the members
 * replaced, say) is left behind: else the newcomer would carry a commit the
 * members refuse back to the remote at every sync, and keep it once
 * admitted. */
static int follow(ccm_sync_result *out, ccm_store *s, git_oid *ours, const git_oid *theirs,
                  const ccm_incoming *in)
{
    const git_oid *target = theirs;
    int rc;

    if (in->refused) {
        target = in->nheads == 1 ? &in->heads[0] : NULL; /* several: only a merge joins them */
    }
    if (!target || git_oid_equal(ours, target)) {
        return CCM_OK;
    }
    out->fast_forward = git_graph_descendant_of(ccm_store_repo(s), target, ours) == 1;
    if ((rc = ccm_store_move_branch(s, ours, target)) == CCM_OK) {
        *ours = *target;
    }
    return rc;
}

/* One round: fetch, verify, integrate, push. CCM_ELOCKED if the remote
 * moved before our push landed. A newcomer only follows (see follow). */
static int round_trip(ccm_sync_result *out, ccm_store *s, const char *name, git_remote *remote,
                      ccm_transfer *t, int newcomer)
{
    git_oid theirs, ours, head, own_pending;
    const git_oid *tip;
    int has_theirs = 0, has_own_pending = 0, foreign = 0, replace_held = 0, push, rc;
    char tracking[160];
    json_t *warnings = json_array();
    ccm_incoming in = {0};
    struct timespec t0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    ccm_store_memo_begin(s);
    snprintf(tracking, sizeof(tracking), CCM_TRACKING_PREFIX "%s/main", name);
    if ((rc = ccm_sync_fetch(&theirs, &has_theirs, s, name, remote, t)) < 0) {
        goto done;
    }
    ccm_trace("fetch", &t0);
    if (git_reference_name_to_id(&ours, ccm_store_repo(s), CCM_BRANCH) < 0) {
        rc = ccm_error_set(CCM_ERROR, "store has no history");
        goto done;
    }
    if (has_theirs) {
        check_fresh(s, name, tracking, &theirs, newcomer, warnings);
        if ((rc = ccm_sync_verify_incoming(&in, s, &theirs, &ours, warnings)) < 0) {
            goto done;
        }
        ccm_trace("verify", &t0);
        out->incoming += in.kept;
        if (in.refused) {
            out->refused += in.refused;
            snprintf(out->refused_commit, sizeof(out->refused_commit), "%s", in.first);
            snprintf(out->refused_by, sizeof(out->refused_by), "%s", in.by);
            snprintf(out->refused_reason, sizeof(out->refused_reason), "%s", in.reason);
            if (in.unrelated && in.kept == 0) {
                rc = ccm_error_set(CCM_EVERIFY, "commit %s: %s", in.first, in.reason);
                goto done;
            }
        }
        for (size_t i = in.nheads; !newcomer && !in.tip_held && i-- > 0;) {
            if ((rc = integrate(out, s, &ours, &in.heads[i], &foreign)) < 0) {
                break;
            }
        }
        if (!newcomer && in.tip_held) {
            rc = integrate_held(out, s, &ours, &theirs, &in, &replace_held);
            if (rc == CCM_OK && replace_held &&
                json_array_append_new(
                    warnings,
                    json_string("the remote's newest commits are by removed members after their "
                                "removal, under a key this member never held: not applied; the "
                                "remote's branch now holds this replica's history in their "
                                "place")) < 0) {
                rc = ccm_error_set(CCM_ERROR, "out of memory");
            }
        }
        if (rc < 0) {
            if (foreign) {
                rc = leave_pending(out, s, name, remote, &ours, &theirs, t);
            }
            goto done;
        }
        if (!newcomer && (rc = take_pending(out, s, name, &ours, warnings, &own_pending,
                                            &has_own_pending)) < 0) {
            goto done;
        }
        if ((newcomer && (rc = follow(out, s, &ours, &theirs, &in)) < 0) ||
            (rc = add_warnings(out, warnings)) < 0) {
            goto done;
        }
        if (!in.refused && (rc = set_ref(s, tracking, &theirs)) < 0) {
            goto done;
        }
        ccm_trace("merge", &t0);
    }
    if (newcomer) {
        goto done; /* nothing of its own to push */
    }
    if (git_reference_name_to_id(&head, ccm_store_repo(s), CCM_BRANCH) < 0) {
        rc = ccm_git_error("cannot read the branch");
        goto done;
    }
    push = !has_theirs || !git_oid_equal(&head, &theirs);
    if (push && has_theirs && in.tip_held && !replace_held) {
        if (git_graph_descendant_of(ccm_store_repo(s), &theirs, &head) == 1) {
            push = 0; /* held back below the remote's tip: nothing of ours to give */
            if ((rc = held_warning(out, s, name, &theirs, in.held)) < 0) {
                goto done;
            }
        } else if (git_graph_descendant_of(ccm_store_repo(s), &head, &theirs) != 1) {
            ccm_error_set(CCM_EDENIED,
                          "the remote's newest commits change records sealed under a key '%s' "
                          "never held: they cannot be checked here, and this member's own "
                          "work cannot go on top of them",
                          ccm_store_member(s));
            rc = leave_pending(out, s, name, remote, &head, &theirs, t);
            goto done;
        }
    }
    if (push &&
        (rc = check_own(s, &head, has_theirs ? &theirs : NULL, out->merged ? &head : NULL)) < 0) {
        goto done;
    }
    if (push) {
        /* Over a refused tip too: the push replaces it (compare-and-swap on
         * the tip we saw), so nothing refused stays in the group's way. */
        rc = ccm_sync_push(s, remote, &head, has_theirs ? &theirs : NULL,
                           in.refused || replace_held ? 1 : 0, t);
        ccm_trace("push", &t0);
        if (rc < 0) {
            goto done;
        }
        out->pushed = 1;
        out->replaced = in.refused > 0 || replace_held;
        if ((rc = set_ref(s, tracking, &head)) < 0) {
            goto done;
        }
    }
    /* A history this member left on the remote earlier, now on the remote's
     * branch (our head if we pushed, else theirs): its ref goes. */
    tip = push ? &head : has_theirs ? &theirs : NULL;
    if (has_own_pending && tip &&
        (git_oid_equal(tip, &own_pending) ||
         git_graph_descendant_of(ccm_store_repo(s), tip, &own_pending) == 1) &&
        ccm_pending_clear(s, remote, t) < 0) {
        ccm_error_clear(); /* left behind: deleted at the next sync */
    }
done:
    ccm_incoming_free(&in);
    ccm_store_memo_retire(s);
    ccm_sync_drop_incoming(s, name);
    ccm_pending_drop(s, name);
    json_decref(warnings);
    return rc;
}

int ccm_sync_run(ccm_sync_result *out, ccm_store *s, const char *remote_name,
                 ccm_progress_fn progress, void *payload)
{
    git_remote *named = NULL, *remote = NULL;
    ccm_transfer t = {progress, payload, "", NULL};
    int lock = -1, rc, had_key = 0, newcomer;
    struct timespec t0;

    memset(out, 0, sizeof(*out));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (git_remote_lookup(&remote, ccm_store_repo(s), remote_name) < 0) {
        return ccm_error_set(CCM_EINVALID,
                             "no remote '%s' (add one with 'ccmsync remote add NAME "
                             "URL')",
                             remote_name);
    }
    if ((rc = ccm_store_lock_take(&lock, ccm_store_dir(s))) < 0 ||
        (rc = ccm_store_refresh(s)) < 0) {
        goto done;
    }
    had_key = ccm_store_can_read(s);
    newcomer =
        ccm_store_tip_roster(s) && !ccm_roster_member(ccm_store_tip_roster(s), ccm_store_member(s));
    ccm_error_clear();
    ccm_trace("open", &t0);
    for (out->rounds = 1;; out->rounds++) {
        rc = round_trip(out, s, remote_name, remote, &t, newcomer);
        if (rc != CCM_ELOCKED) {
            break;
        }
        if (out->rounds == CCM_SYNC_ROUNDS) {
            rc = ccm_error_set(CCM_ERROR, "remote '%s' kept moving during %d rounds; sync again",
                               remote_name, CCM_SYNC_ROUNDS);
            break;
        }
        ccm_error_clear();
        usleep(50 * 1000 * (useconds_t)out->rounds);
    }
    if (rc == CCM_OK) {
        ccm_sync_record(s, remote_name);
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (rc < 0) {
        /* The refresh below must not lose why the sync failed. */
        char why[512];
        snprintf(why, sizeof(why), "%s", ccm_error_last());
        ccm_store_refresh(s);
        rc = *why ? ccm_error_set(rc, "%s", why) : rc;
    } else if (ccm_store_refresh(s) < 0) {
        /* Not admitted yet: the history is in, the key is not. */
        ccm_error_clear();
    }
    ccm_trace("refresh", &t0);
    ccm_store_head(out->head, s);
    if (rc == CCM_OK && !had_key && ccm_store_can_read(s)) {
        /* Just admitted: until now only signatures and membership could be
         * checked; now the records can, over the whole history. */
        out->admitted = 1;
        rc = ccm_store_verify(s, NULL);
    }
    if (rc == CCM_OK) {
        ccm_error_clear();
    }
    if (rc == CCM_OK && out->refused) {
        rc = ccm_error_set(CCM_EVERIFY, "commit %s by %s refused: %s; %s", out->refused_commit,
                           out->refused_by[0] ? out->refused_by : "?", out->refused_reason,
                           out->replaced ? "the remote's branch now holds this replica's "
                                           "history in its place"
                                         : "not taken");
    }
done:
    ccm_transfer_dispose(&t);
    if (lock >= 0) {
        close(lock);
    }
    git_remote_free(remote);
    git_remote_free(named);
    return rc;
}
