/*
 * roster_read.c - the roster of a commit's tree, parsed and validated, with
 * the few most recent kept (shared, read-only) across threads.
 */
#include <pthread.h>

#include "store_private.h"

/* Parsed, validated rosters by blob id: verification reads the roster of
 * every commit and of its parent, and a group's roster changes a handful of
 * times in its life (parsing and validating it was a seventh of a sync of
 * many small commits). Entries are shared, read-only documents. */
#define ROSTER_CACHE 8
static struct {
    git_oid id;
    json_t *roster;
} roster_cache[ROSTER_CACHE];
static unsigned roster_next;
static pthread_mutex_t roster_lock = PTHREAD_MUTEX_INITIALIZER;

static json_t *roster_cached(const git_oid *id)
{
    json_t *r = NULL;

    pthread_mutex_lock(&roster_lock);
    for (unsigned i = 0; i < ROSTER_CACHE && !r; i++) {
        if (roster_cache[i].roster && git_oid_equal(&roster_cache[i].id, id)) {
            r = json_incref(roster_cache[i].roster);
        }
    }
    pthread_mutex_unlock(&roster_lock);
    return r;
}

static void roster_keep(const git_oid *id, json_t *roster)
{
    pthread_mutex_lock(&roster_lock);
    json_decref(roster_cache[roster_next].roster);
    roster_cache[roster_next].id = *id;
    roster_cache[roster_next].roster = json_incref(roster);
    roster_next = (roster_next + 1) % ROSTER_CACHE;
    pthread_mutex_unlock(&roster_lock);
}

void ccm_store_roster_cache_clear(void)
{
    pthread_mutex_lock(&roster_lock);
    for (unsigned i = 0; i < ROSTER_CACHE; i++) {
        json_decref(roster_cache[i].roster);
        roster_cache[i].roster = NULL;
    }
    pthread_mutex_unlock(&roster_lock);
}

int ccm_store_read_roster(json_t **out, git_repository *repo, const git_tree *tree)
{
    const git_tree_entry *entry = git_tree_entry_byname(tree, CCM_ROSTER_PATH);
    git_blob *blob = NULL;
    json_error_t jerr;
    int rc = CCM_OK;

    *out = NULL;
    if (!entry || git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
        return ccm_error_set(CCM_EVERIFY, "commit has no roster");
    }
    if ((*out = roster_cached(git_tree_entry_id(entry)))) {
        return CCM_OK;
    }
    if (git_blob_lookup(&blob, repo, git_tree_entry_id(entry)) < 0) {
        rc = ccm_git_error("cannot read roster");
        goto done;
    }
    *out = json_loadb(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
                      JSON_REJECT_DUPLICATES, &jerr);
    if (!*out) {
        rc = ccm_error_set(CCM_EVERIFY, "malformed roster");
    } else if ((rc = ccm_roster_validate(*out)) < 0) {
        rc = ccm_error_wrap(CCM_EVERIFY, "malformed roster");
    } else {
        roster_keep(git_tree_entry_id(entry), *out);
    }
    if (rc < 0) {
        json_decref(*out);
        *out = NULL;
    }
done:
    git_blob_free(blob);
    return rc;
}
