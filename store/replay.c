/*
 * replay.c - records as the effects that stand make them.
 *
 * When a merge leaves out some commits (resolve.c), the versions of the
 * records those commits touched carry their effects: their assignments, set
 * tags and removals, and, through the join, the older values their
 * assignments superseded are gone. Such a record is rebuilt from history:
 * the join of the effect of every commit that stands and touched it, where
 * a commit's effect is what it added to its parent's version
 * (ccm_record_effect: every commit adds only its own member's operations at
 * its own stamp, effect.c made sure). A value superseded only by a commit
 * left out comes back; one superseded by a commit that stands stays
 * superseded. Records that only commits left out touched disappear.
 *
 * The records replayed are those touched by a commit that the merge and one
 * of its sides judge differently (resolve.c: left out here but applied
 * there, or the other way round when a removal that stood there turns out
 * void): only their versions carry what the merge must change.
 *
 * This walks the whole history once per record, which a merge does only in
 * the rare case of a removal that one side had not seen.
 */
#include <stdlib.h>
#include <string.h>

#include "resolve.h"

static int touch(const char *name, const git_oid *old_oid, const git_oid *new_oid, void *payload)
{
    ccm_history *h = payload;

    (void)old_oid;
    (void)new_oid;
    if (json_object_get(h->touched, name)) {
        return CCM_OK;
    }
    if (json_object_set_new(h->touched, name, json_true()) < 0 ||
        json_array_append_new(h->touched_list, json_string(name)) < 0) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    return CCM_OK;
}

int ccm_history_collect_touched(ccm_history *h)
{
    int rc = CCM_OK;

    for (size_t i = 0; i < h->ncommits && rc == CCM_OK; i++) {
        const ccm_hcommit *c = &h->commits[i];
        git_commit *cc = NULL, *pc = NULL;
        git_tree *t = NULL, *pt = NULL;
        if (!c->contested || c->nparents > 1) {
            continue;
        }
        if (git_commit_lookup(&cc, h->repo, &c->id) < 0 || git_commit_tree(&t, cc) < 0 ||
            (c->nparents == 1 &&
             (git_commit_lookup(&pc, h->repo, &c->parent) < 0 || git_commit_tree(&pt, pc) < 0))) {
            rc = ccm_git_error("cannot read history");
        } else {
            rc = ccm_tree_diff(h->repo, pt, t, touch, h);
        }
        git_tree_free(t);
        git_tree_free(pt);
        git_commit_free(cc);
        git_commit_free(pc);
    }
    return rc;
}

const char *ccm_history_touched(const ccm_history *h, size_t i)
{
    return json_string_value(json_array_get(h->touched_list, i));
}

int ccm_history_touches(const ccm_history *h, const char *name)
{
    return json_object_get(h->touched, name) != NULL;
}

/* The blob of `path` in a commit's tree (0 if absent). */
static int blob_at(git_oid *out, git_repository *repo, const git_oid *commit, const char *path,
                   git_tree **tree)
{
    git_commit *c = NULL;
    git_tree_entry *e = NULL;
    int found = 0;

    *tree = NULL;
    if (git_commit_lookup(&c, repo, commit) == 0 && git_commit_tree(tree, c) == 0 &&
        git_tree_entry_bypath(&e, *tree, path) == 0) {
        *out = *git_tree_entry_id(e);
        found = 1;
    }
    git_tree_entry_free(e);
    git_commit_free(c);
    git_error_clear();
    return found;
}

/* Opens a record version, loading its epoch's key from the tree it is in
 * when this replica has not loaded it yet. */
static int open_in(json_t **out, ccm_store *s, const git_tree *tree, const char *name,
                   const git_oid *oid)
{
    int rc = ccm_store_decrypt_blob(out, s, s->repo, name, oid);

    if (rc == CCM_EDENIED || rc == CCM_EVERIFY) {
        git_blob *b = NULL;
        uint32_t epoch = 0;
        if (git_blob_lookup(&b, s->repo, oid) == 0 &&
            ccm_envelope_epoch(&epoch, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b)) == 0 &&
            ccm_store_load_key(s, tree, epoch) == CCM_OK) {
            ccm_error_clear();
            rc = ccm_store_decrypt_blob(out, s, s->repo, name, oid);
        }
        git_blob_free(b);
    }
    return rc;
}

int ccm_history_replay(json_t **out, ccm_history *h, ccm_store *s, const char *name)
{
    char path[CCM_PATH_MAX];
    json_t *state = NULL;
    int rc = CCM_OK;

    *out = NULL;
    ccm_record_path_of_name(path, name);
    for (size_t i = 0; i < h->ncommits && rc == CCM_OK; i++) {
        const ccm_hcommit *c = &h->commits[i];
        git_oid now, before;
        git_tree *t = NULL, *pt = NULL;
        json_t *old_rec = NULL, *new_rec = NULL, *effect = NULL, *joined = NULL;
        int has_now, has_before = 0;
        if (c->excluded || c->nparents > 1) {
            continue;
        }
        has_now = blob_at(&now, h->repo, &c->id, path, &t);
        if (c->nparents == 1) {
            has_before = blob_at(&before, h->repo, &c->parent, path, &pt);
        }
        if (!has_now || (has_before && git_oid_equal(&now, &before))) {
            git_tree_free(t);
            git_tree_free(pt);
            continue;
        }
        if ((has_before && (rc = open_in(&old_rec, s, pt, name, &before)) < 0) ||
            (rc = open_in(&new_rec, s, t, name, &now)) < 0 ||
            (rc = ccm_record_effect(&effect, old_rec, new_rec)) < 0) {
            goto next;
        }
        if (state) {
            if ((rc = ccm_record_join(&joined, state, effect)) == CCM_OK) {
                json_decref(state);
                state = joined;
            }
        } else {
            state = json_incref(effect);
        }
    next:
        json_decref(old_rec);
        json_decref(new_rec);
        json_decref(effect);
        git_tree_free(t);
        git_tree_free(pt);
    }
    if (rc < 0) {
        json_decref(state);
        return rc;
    }
    *out = state;
    return CCM_OK;
}
