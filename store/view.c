/*
 * view.c - reading the records as they stood at a past commit ("--at").
 *
 * A view names one commit of the branch's history. While it is set, the
 * reads of store.h (ccm_store_get, ccm_store_list, ccm_store_foreach,
 * ccm_store_list_matching, ccm_store_resolve) read that commit's tree instead
 * of HEAD's, and every write is refused: ccm_store_refresh, which each writer
 * (transactions, membership changes, sync) calls first under the lock, fails.
 *
 * The local cache stays keyed by the commit it reflects: a listing under a
 * view brings an in-memory copy of the cache from its commit to the view's
 * (only the records that differ are decrypted) and does not save it, so the
 * cache file keeps following HEAD. Keys come from HEAD as usual: every epoch's
 * key a member ever had is sealed to it there.
 *
 * A date means the end of that day (23:59:59 UTC): the view is the first
 * commit, walking the branch's first-parent chain back from HEAD, whose
 * committer time is at or before it. That chain is this replica's own
 * succession of states (a sync's merge commit has the replica's previous tip
 * as its first parent), so the answer is "what this copy held then".
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store_private.h"

/* Seconds since the epoch of 23:59:59 UTC on YYYY-MM-DD; CCM_EINVALID if
 * the text is not such a calendar date. */
static int day_end(int64_t *out, const char *spec)
{
    struct tm tm = {0};

    if (ccm_schema_check_value("activity", "date", spec) < 0) {
        return ccm_error_set(CCM_EINVALID,
                             "invalid time '%s' (a date YYYY-MM-DD or a commit id of at least 4 "
                             "hex digits)",
                             spec);
    }
    sscanf(spec, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_hour = 23;
    tm.tm_min = 59;
    tm.tm_sec = 59;
    *out = (int64_t)timegm(&tm);
    return CCM_OK;
}

/* The first commit of the first-parent chain from HEAD dated at or before
 * `limit` (seconds). */
static int find_by_date(git_oid *out, ccm_store *s, int64_t limit, const char *spec)
{
    git_commit *c = NULL, *parent = NULL;
    char first[32] = "";
    int rc;

    if ((rc = ccm_store_head_commit(&c, s)) < 0) {
        return rc;
    }
    while (c) {
        if ((int64_t)git_commit_time(c) <= limit) {
            git_oid_cpy(out, git_commit_id(c));
            git_commit_free(c);
            return CCM_OK;
        }
        if (git_commit_parentcount(c) == 0) {
            time_t t = (time_t)git_commit_time(c);
            struct tm tm;
            strftime(first, sizeof(first), "%Y-%m-%d", gmtime_r(&t, &tm));
            break;
        }
        if (git_commit_parent(&parent, c, 0) < 0) {
            git_commit_free(c);
            return ccm_git_error("cannot read history");
        }
        git_commit_free(c);
        c = parent;
        parent = NULL;
    }
    git_commit_free(c);
    return ccm_error_set(CCM_EINVALID, "no commit on or before %s (the history starts on %s)", spec,
                         *first ? first : "no date");
}

/* The commit of the branch's history (any ancestor of HEAD, HEAD included)
 * whose id starts with `spec` (4 to 40 hex digits, any case). */
static int find_by_prefix(git_oid *out, ccm_store *s, const char *spec)
{
    char want[GIT_OID_HEXSZ + 1], hex[GIT_OID_HEXSZ + 1];
    size_t len = strlen(spec), matches = 0;
    git_revwalk *walk = NULL;
    git_oid oid;
    int rc = CCM_OK;

    for (size_t i = 0; i < len; i++) {
        want[i] = (char)tolower((unsigned char)spec[i]);
    }
    want[len] = 0;
    if (git_revwalk_new(&walk, s->repo) < 0) {
        return ccm_git_error("cannot read history");
    }
    if (git_revwalk_push_ref(walk, CCM_BRANCH) < 0) {
        git_revwalk_free(walk);
        return ccm_error_set(CCM_EINVALID, "no commit '%s': the store has no history", spec);
    }
    while (git_revwalk_next(&oid, walk) == 0) {
        git_oid_tostr(hex, sizeof(hex), &oid);
        if (strncmp(hex, want, len) == 0 && matches++ == 0) {
            git_oid_cpy(out, &oid);
        }
        if (matches > 1) {
            break;
        }
    }
    git_revwalk_free(walk);
    if (matches == 0) {
        rc = ccm_error_set(CCM_EINVALID, "no commit '%s' in this store's history", spec);
    } else if (matches > 1) {
        rc = ccm_error_set(CCM_EINVALID,
                           "commit '%s' is ambiguous in this store's history (give more digits)",
                           spec);
    }
    return rc;
}

int ccm_store_view_at(ccm_store *s, const char *spec)
{
    git_oid oid;
    size_t len;
    int64_t limit = 0;
    int rc;

    if (!spec) {
        s->view[0] = 0;
        return CCM_OK;
    }
    len = strlen(spec);
    if (len >= 4 && len <= GIT_OID_HEXSZ && strspn(spec, "0123456789abcdefABCDEF") == len) {
        rc = find_by_prefix(&oid, s, spec);
    } else if ((rc = day_end(&limit, spec)) == CCM_OK) {
        rc = find_by_date(&oid, s, limit, spec);
    }
    if (rc == CCM_OK) {
        git_oid_tostr(s->view, sizeof(s->view), &oid);
    }
    return rc;
}

int ccm_store_view(char commit[41], int64_t *time, ccm_store *s)
{
    git_commit *c = NULL;
    int rc;

    commit[0] = 0;
    *time = 0;
    if (!s->view[0]) {
        return CCM_OK;
    }
    if ((rc = ccm_store_read_commit(&c, s)) < 0) {
        return rc;
    }
    memcpy(commit, s->view, 41);
    *time = (int64_t)git_commit_time(c);
    git_commit_free(c);
    return CCM_OK;
}

const char *ccm_store_read_head(const ccm_store *s)
{
    return s->view[0] ? s->view : s->head;
}

int ccm_store_read_commit(git_commit **out, ccm_store *s)
{
    git_oid oid;

    *out = NULL;
    if (!s->view[0]) {
        return ccm_store_head_commit(out, s);
    }
    if (git_oid_fromstr(&oid, s->view) < 0 || git_commit_lookup(out, s->repo, &oid) < 0) {
        return ccm_git_error("cannot read the viewed commit");
    }
    return CCM_OK;
}

int ccm_store_view_roster(json_t **out, ccm_store *s)
{
    git_commit *c = NULL;
    git_tree *tree = NULL;
    json_t *r = NULL;
    int rc;

    *out = NULL;
    if ((rc = ccm_store_read_commit(&c, s)) == CCM_OK) { /* the view's, else HEAD */
        if (git_commit_tree(&tree, c) < 0) {
            rc = ccm_git_error("cannot read the viewed commit's tree");
        } else if ((rc = ccm_store_read_roster(&r, s->repo, tree)) == CCM_OK &&
                   !(*out = json_deep_copy(r))) {
            rc = ccm_error_set(CCM_ERROR, "out of memory");
        }
    }
    json_decref(r);
    git_tree_free(tree);
    git_commit_free(c);
    return rc;
}

int ccm_store_view_refuse_write(const ccm_store *s)
{
    if (!s->view[0]) {
        return CCM_OK;
    }
    return ccm_error_set(CCM_EINVALID,
                         "the store is being read as of commit %.10s (--at): nothing can be "
                         "written",
                         s->view);
}
