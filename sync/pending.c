/*
 * pending.c - histories left on a remote for another member to merge.
 *
 * A merge needs every record version it meets opened. After a contested
 * removal, a side may hold records sealed under a key the member syncing
 * never held (a rotation made by the admin whose removal of that member
 * turns out void): that member cannot merge, though the removal it made
 * stands. Its sync then leaves its history on the remote under
 * refs/ccmsync/pending/<member>; every member's sync fetches those refs
 * (into refs/ccmsync/pending-in/<remote>/<member>), verifies them like any
 * incoming history and merges those it can, and the member who left one
 * deletes it once the remote's branch holds it.
 *
 * A pending ref is only an offer: nothing in it is taken unverified, a
 * member it does not name is ignored, and one that cannot be merged here is
 * left for another member, with a warning.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_private.h"

/* The local quarantine of one remote's pending refs, or of one of them. */
static void in_ref(char *out, size_t cap, const char *remote, const char *member)
{
    snprintf(out, cap, CCM_PENDING_IN_PREFIX "%s/%s", remote, member ? member : "");
}

int ccm_pending_name_ok(const char *member)
{
    char ref[200];
    int valid = 0;

    if (ccm_schema_check_member_name(member) < 0) {
        ccm_error_clear();
        return 0;
    }
    snprintf(ref, sizeof(ref), CCM_PENDING_PREFIX "%s", member);
    return git_reference_name_is_valid(&valid, ref) == 0 && valid;
}

void ccm_pending_drop(ccm_store *s, const char *remote)
{
    git_reference_iterator *it = NULL;
    git_reference *r = NULL;
    char glob[200];

    in_ref(glob, sizeof(glob), remote, "*");
    if (git_reference_iterator_glob_new(&it, ccm_store_repo(s), glob) < 0) {
        git_error_clear();
        return;
    }
    while (git_reference_next(&r, it) == 0) {
        git_reference_delete(r);
        git_reference_free(r);
    }
    git_reference_iterator_free(it);
    git_error_clear();
}

int ccm_pending_fetch_local(ccm_store *s, git_repository *from, const char *remote, ccm_transfer *t)
{
    git_reference_iterator *it = NULL;
    git_reference *r = NULL;
    size_t n = 0;
    int rc = CCM_OK;

    if (git_reference_iterator_glob_new(&it, from, CCM_PENDING_PREFIX "*") < 0) {
        git_error_clear();
        return CCM_OK;
    }
    while (rc == CCM_OK && n < CCM_PENDING_MAX && git_reference_next(&r, it) == 0) {
        const char *member = git_reference_name(r) + strlen(CCM_PENDING_PREFIX);
        const git_oid *tip = git_reference_target(r);
        git_reference *local = NULL;
        char ref[200];
        if (tip && ccm_pending_name_ok(member) &&
            ccm_odb_copy_reachable(from, ccm_store_repo(s), tip, "remote", "fetch", t->fn,
                                   t->payload) == CCM_OK) {
            in_ref(ref, sizeof(ref), remote, member);
            if (git_reference_create(&local, ccm_store_repo(s), ref, tip, 1, "ccmsync: pending") <
                0) {
                rc = ccm_git_error("cannot record a pending history");
            }
            git_reference_free(local);
            n++;
        }
        ccm_error_clear(); /* a pending history that cannot be copied is skipped */
        git_reference_free(r);
    }
    git_reference_iterator_free(it);
    return rc;
}

int ccm_pending_list(ccm_pending **out, size_t *n, ccm_store *s, const char *remote,
                     const json_t *roster)
{
    git_reference_iterator *it = NULL;
    git_reference *r = NULL;
    char glob[200];
    ccm_pending *list = NULL;
    size_t cap = 0;
    int rc = CCM_OK;

    *out = NULL;
    *n = 0;
    in_ref(glob, sizeof(glob), remote, "*");
    if (git_reference_iterator_glob_new(&it, ccm_store_repo(s), glob) < 0) {
        return ccm_git_error("cannot list pending histories");
    }
    while (rc == CCM_OK && *n < CCM_PENDING_MAX && git_reference_next(&r, it) == 0) {
        const char *member = git_reference_name(r) + strlen(glob) - 1;
        if (git_reference_target(r) && ccm_pending_name_ok(member) &&
            ccm_roster_member(roster, member) &&
            (rc = ccm_grow(&list, &cap, *n, sizeof(*list), 4)) == CCM_OK) {
            snprintf(list[*n].member, sizeof(list[*n].member), "%s", member);
            list[(*n)++].tip = *git_reference_target(r);
        }
        git_reference_free(r);
    }
    git_reference_iterator_free(it);
    if (rc < 0) {
        free(list);
        *n = 0;
        return rc;
    }
    *out = list;
    return CCM_OK;
}

/* Sets (tip) or deletes (NULL) this member's pending ref on a local-path
 * remote. */
static int set_local(ccm_store *s, const char *url, const char *ref, const git_oid *tip,
                     ccm_transfer *t)
{
    git_repository *r = NULL;
    git_reference *out = NULL;
    int rc = CCM_OK;

    if (git_repository_open_ext(&r, ccm_sync_local_path(url), GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) <
        0) {
        return ccm_error_set(CCM_EUNREACHABLE, "cannot open the remote repository '%s'", url);
    }
    if (tip) {
        if ((rc = ccm_odb_copy_reachable(ccm_store_repo(s), r, tip, "store", "push", t->fn,
                                         t->payload)) == CCM_OK &&
            git_reference_create(&out, r, ref, tip, 1, "ccmsync: pending") < 0) {
            rc = ccm_error_set(CCM_EUNREACHABLE, "cannot update the remote: %s",
                               git_error_last() ? git_error_last()->message : "failed");
        }
        git_reference_free(out);
    } else {
        int err = git_reference_remove(r, ref);
        if (err < 0 && err != GIT_ENOTFOUND) {
            rc = ccm_error_set(CCM_EUNREACHABLE, "cannot update the remote: %s",
                               git_error_last() ? git_error_last()->message : "failed");
        }
        git_error_clear();
    }
    git_repository_free(r);
    return rc;
}

/* Pushes one refspec (no compare-and-swap: the ref is this member's own). */
static int push_spec(ccm_store *s, git_remote *remote, const char *spec, ccm_transfer *t)
{
    git_push_options opts;
    char *specs[1] = {(char *)spec};
    git_strarray refspecs = {specs, 1};
    int rc;

    git_push_options_init(&opts, GIT_PUSH_OPTIONS_VERSION);
    if ((rc = ccm_sync_connect_begin(t, ccm_store_repo(s), git_remote_url(remote), remote,
                                     &opts.callbacks, &opts.proxy_opts, NULL)) < 0) {
        return rc;
    }
    t->rejected[0] = 0;
    if (git_remote_push(remote, &refspecs, &opts) < 0) {
        return ccm_sync_connect_fail(t, "cannot push to '%s'", t->auth->configured);
    }
    ccm_sync_connect_ok(t);
    return CCM_OK;
}

int ccm_pending_leave(ccm_store *s, git_remote *remote, const git_oid *head, ccm_transfer *t)
{
    char ref[200], spec[300];
    const char *url = git_remote_url(remote);

    snprintf(ref, sizeof(ref), CCM_PENDING_PREFIX "%s", ccm_store_member(s));
    if (ccm_sync_is_local(url)) {
        return set_local(s, url, ref, head, t);
    }
    /* The branch is the head being left: the push names it as its source. */
    snprintf(spec, sizeof(spec), "+" CCM_BRANCH ":%s", ref);
    return push_spec(s, remote, spec, t);
}

int ccm_pending_clear(ccm_store *s, git_remote *remote, ccm_transfer *t)
{
    char ref[200], spec[300];
    const char *url = git_remote_url(remote);

    snprintf(ref, sizeof(ref), CCM_PENDING_PREFIX "%s", ccm_store_member(s));
    if (ccm_sync_is_local(url)) {
        return set_local(s, url, ref, NULL, t);
    }
    snprintf(spec, sizeof(spec), ":%s", ref);
    return push_spec(s, remote, spec, t);
}
