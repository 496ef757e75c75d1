/*
 * effect.c - trust by effect: what a commit with one parent (or none)
 * changes, and whether its signer may change exactly that.
 *
 * Its signature and its signer's role were checked against the parent's
 * roster (verify.c). Here, against the parent's tree:
 *   - the tree holds roster.json, stamps.json, keys/ and r/ only, every
 *     file a regular file, every record at its fanned-out path;
 *   - stamps.json raises the signer's stamp, and only the signer's: that is
 *     the commit's one stamp S;
 *   - a roster change is an active admin's and one of: a member added (a
 *     name never seen before, with the keys of every epoch sealed to them),
 *     or a member removed (never the last admin; the next key epoch, its
 *     commitment, and its key sealed to every remaining member); nothing
 *     else changes with it;
 *   - keys/ only grows, by an admin, with exactly those sealed keys, each a
 *     regular blob of the sealed size; one sealed to us must open to the key
 *     the roster commits to;
 *   - every record it changes is still there, sealed under the parent's
 *     epoch, decrypts, and is what S and the signer may make of the parent's
 *     version (crdt_effect.c), within the limits.
 * Records are opened and checked on every core (parallel.c); the failure
 * reported is the first in name order, as with one thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

#define CHECK_BATCH 256

/* One record a commit changes. */
typedef struct {
    char name[CCM_NAME_LEN + 1];
    git_oid old_oid, new_oid;
    int has_old;
    git_blob *ob, *nb;
    const ccm_groupkey *ok, *nk;
    json_t *old_rec, *new_rec;
    int ok_done; /* the worker opened and checked it */
} rec_job;

typedef struct {
    ccm_store *s;
    git_repository *repo;
    const char *signer;
    uint64_t stamp;
    uint32_t epoch; /* the parent's: every changed record is sealed under it */
    int have_key;
    rec_job *jobs;
    size_t n, cap;
    json_t *warnings;
    const char *commit;
    json_t *members; /* {NAME: true} of everyone in the parent's roster */
} effect_ctx;

/* ---- layout ---------------------------------------------------------------- */

/* The root level: the four names, each of the right kind. */
static int check_root_layout(const git_tree *tree)
{
    for (size_t i = 0; i < git_tree_entrycount(tree); i++) {
        const git_tree_entry *e = git_tree_entry_byindex(tree, i);
        const char *n = git_tree_entry_name(e);
        int blob = strcmp(n, CCM_ROSTER_PATH) == 0 || strcmp(n, CCM_STAMPS_PATH) == 0;
        int dir = strcmp(n, CCM_KEYS_DIR) == 0 || strcmp(n, CCM_RECORDS_DIR) == 0;
        if (!blob && !dir) {
            return ccm_error_set(CCM_EVERIFY, "unexpected entry '%s' in the tree", n);
        }
        if (blob ? git_tree_entry_filemode(e) != GIT_FILEMODE_BLOB
                 : git_tree_entry_filemode(e) != GIT_FILEMODE_TREE) {
            return ccm_error_set(CCM_EVERIFY, "'%s' is not a regular %s", n,
                                 blob ? "file" : "folder");
        }
    }
    if (!git_tree_entry_byname(tree, CCM_ROSTER_PATH) ||
        !git_tree_entry_byname(tree, CCM_STAMPS_PATH)) {
        return ccm_error_set(CCM_EVERIFY, "the tree lacks %s or %s", CCM_ROSTER_PATH,
                             CCM_STAMPS_PATH);
    }
    return CCM_OK;
}

static int subtree(git_tree **out, git_repository *repo, const git_tree *root, const char *name)
{
    const git_tree_entry *e = root ? git_tree_entry_byname(root, name) : NULL;

    *out = NULL;
    if (!e) {
        return CCM_OK;
    }
    if (git_tree_entry_type(e) != GIT_OBJECT_TREE ||
        git_tree_lookup(out, repo, git_tree_entry_id(e)) < 0) {
        return ccm_error_set(CCM_EVERIFY, "'%s' is not a readable folder", name);
    }
    return CCM_OK;
}

/* 1 if both trees hold the same entry `name` (or neither does). */
static int same_subtree(const git_tree *a, const git_tree *b, const char *name)
{
    const git_tree_entry *x = git_tree_entry_byname(a, name), *y = git_tree_entry_byname(b, name);

    return (!x && !y) || (x && y && git_oid_equal(git_tree_entry_id(x), git_tree_entry_id(y)));
}

/* ---- keys/ ------------------------------------------------------------------- */

/* The sealed keys a commit adds: {"E/NAME": blob id} (new reference).
 * Anything removed, replaced or malformed is refused. */
static int keys_added(json_t **out, git_repository *repo, const git_tree *tree,
                      const git_tree *ptree)
{
    git_tree *k = NULL, *pk = NULL;
    json_t *added = json_object();
    int rc;

    *out = NULL;
    if (!added) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if ((rc = subtree(&k, repo, tree, CCM_KEYS_DIR)) < 0 ||
        (rc = subtree(&pk, repo, ptree, CCM_KEYS_DIR)) < 0) {
        goto done;
    }
    /* Nothing of the parent's goes away or changes. */
    for (size_t i = 0; pk && i < git_tree_entrycount(pk) && rc == CCM_OK; i++) {
        const git_tree_entry *pe = git_tree_entry_byindex(pk, i);
        const git_tree_entry *e = k ? git_tree_entry_byname(k, git_tree_entry_name(pe)) : NULL;
        git_tree *pt = NULL, *t = NULL;
        if (!e) {
            rc = ccm_error_set(CCM_EVERIFY, "sealed keys of epoch %s removed",
                               git_tree_entry_name(pe));
            break;
        }
        if (git_oid_equal(git_tree_entry_id(e), git_tree_entry_id(pe))) {
            continue;
        }
        if (git_tree_entry_type(e) != GIT_OBJECT_TREE ||
            git_tree_lookup(&t, repo, git_tree_entry_id(e)) < 0 ||
            git_tree_lookup(&pt, repo, git_tree_entry_id(pe)) < 0) {
            rc = ccm_error_set(CCM_EVERIFY, "keys/%s is not a folder", git_tree_entry_name(pe));
        }
        for (size_t j = 0; rc == CCM_OK && j < git_tree_entrycount(pt); j++) {
            const git_tree_entry *pm = git_tree_entry_byindex(pt, j);
            const git_tree_entry *m = git_tree_entry_byname(t, git_tree_entry_name(pm));
            if (!m || !git_oid_equal(git_tree_entry_id(m), git_tree_entry_id(pm)) ||
                git_tree_entry_filemode(m) != git_tree_entry_filemode(pm)) {
                rc = ccm_error_set(CCM_EVERIFY, "the sealed key keys/%s/%s was replaced or removed",
                                   git_tree_entry_name(pe), git_tree_entry_name(pm));
            }
        }
        git_tree_free(t);
        git_tree_free(pt);
    }
    /* What is new, of the right shape. */
    for (size_t i = 0; k && i < git_tree_entrycount(k) && rc == CCM_OK; i++) {
        const git_tree_entry *e = git_tree_entry_byindex(k, i);
        const char *ename = git_tree_entry_name(e);
        const git_tree_entry *pe = pk ? git_tree_entry_byname(pk, ename) : NULL;
        git_tree *t = NULL, *pt = NULL;
        char *end = NULL;
        long epoch = strtol(ename, &end, 10);
        if (*end || ename[0] == '0' || epoch < 1 || epoch >= CCM_MAX_EPOCHS ||
            git_tree_entry_filemode(e) != GIT_FILEMODE_TREE ||
            git_tree_lookup(&t, repo, git_tree_entry_id(e)) < 0) {
            rc = ccm_error_set(CCM_EVERIFY, "unexpected entry keys/%s", ename);
            break;
        }
        if (pe && git_tree_lookup(&pt, repo, git_tree_entry_id(pe)) < 0) {
            rc = ccm_git_error("cannot read keys");
        }
        for (size_t j = 0; rc == CCM_OK && j < git_tree_entrycount(t); j++) {
            const git_tree_entry *m = git_tree_entry_byindex(t, j);
            const char *member = git_tree_entry_name(m);
            char path[128], hex[GIT_OID_HEXSZ + 1];
            git_odb *odb = NULL;
            size_t len = 0;
            git_object_t type;
            if (pt && git_tree_entry_byname(pt, member)) {
                continue;
            }
            snprintf(path, sizeof(path), "%ld/%s", epoch, member);
            if (ccm_schema_check_member_name(member) < 0 ||
                git_tree_entry_filemode(m) != GIT_FILEMODE_BLOB) {
                ccm_error_clear();
                rc = ccm_error_set(CCM_EVERIFY, "unexpected entry keys/%s", path);
                break;
            }
            if (git_repository_odb(&odb, repo) < 0 ||
                git_odb_read_header(&len, &type, odb, git_tree_entry_id(m)) < 0 ||
                type != GIT_OBJECT_BLOB || len != ccm_groupkey_sealed_size()) {
                rc = ccm_error_set(CCM_EVERIFY, "keys/%s is not a sealed key", path);
            }
            git_odb_free(odb);
            git_oid_tostr(hex, sizeof(hex), git_tree_entry_id(m));
            if (rc == CCM_OK && json_object_set_new(added, path, json_string(hex)) < 0) {
                rc = ccm_error_set(CCM_ERROR, "out of memory");
            }
        }
        git_tree_free(pt);
        git_tree_free(t);
    }
done:
    git_tree_free(k);
    git_tree_free(pk);
    if (rc < 0) {
        json_decref(added);
    } else {
        *out = added;
    }
    return rc;
}

/* 1 if `added` holds exactly the paths "E/NAME" the change needs: every
 * epoch 1..E to one newcomer, or epoch E to every active member. */
static int keys_as_needed(const json_t *added, const json_t *roster, const char *newcomer,
                          uint32_t new_epoch)
{
    char path[128];
    size_t want = 0, i;
    const json_t *m;

    if (newcomer) {
        for (uint32_t e = 1; e <= new_epoch; e++) {
            snprintf(path, sizeof(path), "%u/%s", (unsigned)e, newcomer);
            if (!json_object_get(added, path)) {
                return 0;
            }
            want++;
        }
        return json_object_size(added) == want;
    }
    json_array_foreach(json_object_get(roster, "members"), i, m)
    {
        if (!ccm_roster_is_active(m)) {
            continue;
        }
        snprintf(path, sizeof(path), "%u/%s", (unsigned)new_epoch,
                 json_string_value(json_object_get(m, "name")));
        if (!json_object_get(added, path)) {
            return 0;
        }
        want++;
    }
    return json_object_size(added) == want;
}

/* ---- roster ------------------------------------------------------------------ */

/* A member entry without the given keys, for comparing the rest. */
static json_t *entry_without(const json_t *m, const char *k1, const char *k2)
{
    json_t *c = json_copy((json_t *)m);

    if (c) {
        json_object_del(c, k1);
        json_object_del(c, k2);
    }
    return c;
}

/* The one membership change from `old` to `neu`: an addition (*newcomer set)
 * or a removal (*removed set), by `signer`. */
static int roster_transition(const json_t *old, const json_t *neu, const char *signer,
                             const char **newcomer, const char **removed)
{
    const json_t *om = json_object_get(old, "members"), *nm = json_object_get(neu, "members"), *m;
    json_int_t oe = json_integer_value(json_object_get(old, "epoch"));
    json_int_t ne = json_integer_value(json_object_get(neu, "epoch"));
    size_t i, changes = 0;

    *newcomer = *removed = NULL;
    json_array_foreach(om, i, m)
    {
        const char *name = json_string_value(json_object_get(m, "name"));
        if (!ccm_roster_member(neu, name)) {
            return ccm_error_set(CCM_EVERIFY, "the membership change drops '%s'", name);
        }
    }
    json_array_foreach(nm, i, m)
    {
        const char *name = json_string_value(json_object_get(m, "name"));
        const json_t *was = ccm_roster_member(old, name);
        if (!was) {
            if (json_object_get(m, "removed") ||
                strcmp(json_string_value(json_object_get(m, "added_by")), signer) != 0) {
                return ccm_error_set(CCM_EVERIFY, "'%s' is added as removed or by another", name);
            }
            *newcomer = name;
            changes++;
        } else if (!json_equal(was, m)) {
            json_t *a = entry_without(was, "removed", "removed_by");
            json_t *b = entry_without(m, "removed", "removed_by");
            int same_rest = a && b && json_equal(a, b);
            json_decref(a);
            json_decref(b);
            if (!same_rest || json_object_get(was, "removed") || !json_object_get(m, "removed") ||
                strcmp(json_string_value(json_object_get(m, "removed_by")), signer) != 0) {
                return ccm_error_set(CCM_EVERIFY, "'%s' is changed other than by a removal", name);
            }
            *removed = name;
            changes++;
        }
    }
    if (changes != 1) {
        return ccm_error_set(CCM_EVERIFY, "%zu membership changes in one commit (one expected)",
                             changes);
    }
    if (*removed) {
        const json_t *was = ccm_roster_member(old, *removed);
        if (ne != oe + 1) {
            return ccm_error_set(CCM_EVERIFY, "a removal without a new key epoch");
        }
        if (ccm_roster_is_admin(was) && ccm_roster_active_admins(neu) == 0) {
            return ccm_error_set(CCM_EVERIFY, "the last admin removed");
        }
    } else if (ne != oe) {
        return ccm_error_set(CCM_EVERIFY, "a new key epoch without a removal");
    }
    {
        /* The commitments: the old ones, plus the new epoch's on a removal. */
        json_t *oc = json_object_get(old, "commitments"), *nc = json_object_get(neu, "commitments");
        const char *e;
        json_t *v;
        json_object_foreach(oc, e, v)
        {
            if (!json_equal(v, json_object_get(nc, e))) {
                return ccm_error_set(CCM_EVERIFY, "the commitment of key epoch %s changed", e);
            }
        }
    }
    return CCM_OK;
}

/* ---- records ----------------------------------------------------------------- */

static int collect(const char *name, const git_oid *old_oid, const git_oid *new_oid, void *payload)
{
    effect_ctx *v = payload;
    rec_job *j;
    int rc;

    if (!new_oid) {
        return ccm_error_set(CCM_EVERIFY, "record %.12s was deleted from the tree", name);
    }
    if (v->n >= CCM_COMMIT_RECORDS_MAX) {
        return ccm_error_set(CCM_EVERIFY, "more than %d records changed in one commit",
                             CCM_COMMIT_RECORDS_MAX);
    }
    if ((rc = ccm_grow(&v->jobs, &v->cap, v->n, sizeof(*v->jobs), 64)) < 0) {
        return rc;
    }
    j = &v->jobs[v->n++];
    memset(j, 0, sizeof(*j));
    memcpy(j->name, name, CCM_NAME_LEN + 1);
    j->new_oid = *new_oid;
    if (old_oid) {
        j->old_oid = *old_oid;
        j->has_old = 1;
    }
    return CCM_OK;
}

/* Worker side: open both versions and check the effect. */
static void check_one(void *ctx, size_t i)
{
    effect_ctx *v = ctx;
    rec_job *j = &v->jobs[i];

    if (!j->nk || (j->has_old && !j->ok && !j->old_rec)) {
        return;
    }
    if ((j->has_old && !j->old_rec &&
         ccm_store_decrypt_record_key(&j->old_rec, v->s, j->ok, j->name, git_blob_rawcontent(j->ob),
                                      (size_t)git_blob_rawsize(j->ob)) < 0) ||
        ccm_store_decrypt_record_key(&j->new_rec, v->s, j->nk, j->name, git_blob_rawcontent(j->nb),
                                     (size_t)git_blob_rawsize(j->nb)) < 0 ||
        ccm_record_check_effect(j->old_rec, j->new_rec, v->signer, v->stamp, v->members) < 0) {
        ccm_error_clear(); /* done again on the calling thread, with its message */
        return;
    }
    j->ok_done = 1;
}

/* The same on the calling thread, loading keys as needed: the error. */
static int check_here(effect_ctx *v, rec_job *j)
{
    int rc;

    json_decref(j->old_rec);
    json_decref(j->new_rec);
    j->old_rec = j->new_rec = NULL;
    if ((j->has_old &&
         (rc = ccm_store_decrypt_blob(&j->old_rec, v->s, v->repo, j->name, &j->old_oid)) < 0) ||
        (rc = ccm_store_decrypt_blob(&j->new_rec, v->s, v->repo, j->name, &j->new_oid)) < 0) {
        return rc;
    }
    return ccm_record_check_effect(j->old_rec, j->new_rec, v->signer, v->stamp, v->members);
}

static void job_clear(rec_job *j)
{
    json_decref(j->old_rec);
    json_decref(j->new_rec);
    git_blob_free(j->ob);
    git_blob_free(j->nb);
    j->old_rec = j->new_rec = NULL;
    j->ob = j->nb = NULL;
}

static int check_records(effect_ctx *v)
{
    int rc = CCM_OK;

    for (size_t at = 0; at < v->n && rc == CCM_OK; at += CHECK_BATCH) {
        size_t n = v->n - at < CHECK_BATCH ? v->n - at : CHECK_BATCH;
        effect_ctx batch = *v;
        rec_job *js = v->jobs + at;

        for (size_t i = 0; i < n && rc == CCM_OK; i++) {
            rec_job *j = &js[i];
            uint32_t epoch = 0;
            if (git_blob_lookup(&j->nb, v->repo, &j->new_oid) < 0) {
                rc = ccm_error_set(CCM_EVERIFY, "record %.12s cannot be read", j->name);
                break;
            }
            if (ccm_envelope_epoch(&epoch, git_blob_rawcontent(j->nb),
                                   (size_t)git_blob_rawsize(j->nb)) < 0 ||
                epoch != v->epoch) {
                ccm_error_clear();
                rc = ccm_error_set(CCM_EVERIFY,
                                   "record %.12s is not sealed under the current key epoch %u",
                                   j->name, (unsigned)v->epoch);
                break;
            }
            j->nk = ccm_store_key_loaded(v->s, git_blob_rawcontent(j->nb),
                                         (size_t)git_blob_rawsize(j->nb));
            if (j->has_old && !(j->old_rec = ccm_store_memo_get(v->s, j->name, &j->old_oid)) &&
                git_blob_lookup(&j->ob, v->repo, &j->old_oid) == 0) {
                j->ok = ccm_store_key_loaded(v->s, git_blob_rawcontent(j->ob),
                                             (size_t)git_blob_rawsize(j->ob));
            }
        }
        git_error_clear();
        batch.jobs = js;
        if (rc == CCM_OK) {
            ccm_parallel_for(n, check_one, &batch);
        }
        for (size_t i = 0; i < n; i++) {
            rec_job *j = &js[i];
            if (rc == CCM_OK && !j->ok_done) {
                rc = check_here(v, j);
            }
            if (rc == CCM_OK) {
                if (v->warnings && CCM_STAMP_MS(v->stamp) > ccm_clock_now_ms() + CCM_FUTURE_MS &&
                    i + at == 0) {
                    char when[32], msg[256];
                    ccm_stamp_format(when, v->stamp);
                    snprintf(msg, sizeof(msg),
                             "commit %.10s by %s is stamped %s, ahead of this machine's clock",
                             v->commit, v->signer, when);
                    json_array_append_new(v->warnings, json_string(msg));
                }
                ccm_store_memo_put(v->s, j->name, &j->new_oid, j->new_rec);
            }
            job_clear(j);
        }
    }
    return rc;
}

/* ---- the commit --------------------------------------------------------------- */

/* Stamps: the signer's raised, nothing else changed. *stamp is the new one. */
static int check_stamps(uint64_t *stamp, const json_t *old, const json_t *neu, const char *signer)
{
    const char *name;
    json_t *v;

    *stamp = ccm_stamps_get(neu, signer);
    if (*stamp <= ccm_stamps_get(old, signer)) {
        return ccm_error_set(CCM_EVERIFY, "'%s' did not stamp the commit after their last one",
                             signer);
    }
    json_object_foreach((json_t *)old, name, v)
    {
        if (strcmp(name, signer) != 0 && !json_equal(v, json_object_get(neu, name))) {
            return ccm_error_set(CCM_EVERIFY, "the commit changes the stamp of '%s'", name);
        }
    }
    json_object_foreach((json_t *)neu, name, v)
    {
        if (strcmp(name, signer) != 0 && !json_object_get(old, name)) {
            return ccm_error_set(CCM_EVERIFY, "the commit adds a stamp for '%s'", name);
        }
    }
    return CCM_OK;
}

/* A key sealed to this member by the change opens to the committed key. */
static int check_own_key(ccm_store *s, const git_tree *tree, const json_t *roster,
                         const json_t *added)
{
    const char *path;
    json_t *v;
    int rc = CCM_OK;

    if (!s->id) {
        return CCM_OK;
    }
    json_object_foreach((json_t *)added, path, v)
    {
        const char *slash = strchr(path, '/');
        if (slash && strcmp(slash + 1, s->member) == 0) {
            rc = ccm_store_load_key_with(s, tree, roster, (uint32_t)strtoul(path, NULL, 10));
            if (rc < 0) {
                break;
            }
        }
    }
    return rc;
}

int ccm_effect_check(ccm_store *s, git_repository *repo, const git_commit *commit,
                     const git_tree *tree, const json_t *roster, const git_tree *ptree,
                     const json_t *proster, const char *signer, json_t *warnings)
{
    effect_ctx v = {s, repo, signer, 0, 0, 0, NULL, 0, 0, warnings, NULL, NULL};
    json_t *stamps = NULL, *pstamps = NULL, *added = NULL;
    const json_t *who = ccm_roster_member(proster, signer);
    int roster_changed, rc;
    char hex[41];

    git_oid_tostr(hex, sizeof(hex), git_commit_id(commit));
    v.commit = hex;
    if ((rc = check_root_layout(tree)) < 0) {
        goto done;
    }
    roster_changed =
        !git_oid_equal(git_tree_entry_id(git_tree_entry_byname(tree, CCM_ROSTER_PATH)),
                       git_tree_entry_id(git_tree_entry_byname(ptree, CCM_ROSTER_PATH)));
    if ((roster_changed || !same_subtree(tree, ptree, CCM_KEYS_DIR)) && !ccm_roster_is_admin(who)) {
        rc = ccm_error_set(CCM_EVERIFY, "'%s' changed the membership without being an admin",
                           signer);
        goto done;
    }
    if ((rc = ccm_stamps_read(&stamps, repo, tree)) < 0 ||
        (rc = ccm_stamps_read(&pstamps, repo, ptree)) < 0 ||
        (rc = check_stamps(&v.stamp, pstamps, stamps, signer)) < 0 ||
        (rc = keys_added(&added, repo, tree, ptree)) < 0) {
        goto done;
    }
    if (roster_changed || json_object_size(added) > 0) {
        const char *newcomer = NULL, *removed = NULL;
        git_tree *r = NULL, *pr = NULL;
        int same_records;
        if (!roster_changed) {
            rc = ccm_error_set(CCM_EVERIFY, "sealed keys added without a membership change");
            goto done;
        }
        if ((rc = roster_transition(proster, roster, signer, &newcomer, &removed)) < 0) {
            goto done;
        }
        if (!keys_as_needed(added, roster, newcomer,
                            (uint32_t)json_integer_value(json_object_get(roster, "epoch")))) {
            rc = ccm_error_set(CCM_EVERIFY, "the sealed keys are not exactly those the %s needs",
                               newcomer ? "newcomer" : "new key epoch");
            goto done;
        }
        if ((rc = subtree(&r, repo, tree, CCM_RECORDS_DIR)) == CCM_OK &&
            (rc = subtree(&pr, repo, ptree, CCM_RECORDS_DIR)) == CCM_OK) {
            same_records =
                (!r && !pr) || (r && pr && git_oid_equal(git_tree_id(r), git_tree_id(pr)));
            if (!same_records) {
                rc = ccm_error_set(CCM_EVERIFY, "a membership change changes records too");
            }
        }
        git_tree_free(r);
        git_tree_free(pr);
        if (rc < 0 || (rc = check_own_key(s, tree, roster, added)) < 0) {
            goto done;
        }
        goto done;
    }
    v.epoch = (uint32_t)json_integer_value(json_object_get(proster, "epoch"));
    if (s->id) {
        v.have_key = ccm_store_load_key_with(s, ptree, proster, v.epoch) == CCM_OK;
        if (v.have_key) {
            ccm_store_promote_key(s, v.epoch, proster);
        }
        ccm_error_clear();
    }
    if ((rc = ccm_tree_diff(repo, ptree, tree, collect, &v)) < 0) {
        goto done;
    }
    s->unchecked = s->id && !v.have_key && v.n > 0;
    if (v.have_key) {
        const json_t *m;
        size_t i;
        if (!(v.members = json_object())) {
            rc = ccm_error_set(CCM_ERROR, "out of memory");
            goto done;
        }
        json_array_foreach(json_object_get(proster, "members"), i, m)
        {
            json_object_set(v.members, json_string_value(json_object_get(m, "name")), json_true());
        }
        rc = check_records(&v);
    } else if (warnings && CCM_STAMP_MS(v.stamp) > ccm_clock_now_ms() + CCM_FUTURE_MS) {
        char when[32], msg[256];
        ccm_stamp_format(when, v.stamp);
        snprintf(msg, sizeof(msg),
                 "commit %.10s by %s is stamped %s, ahead of this machine's clock", hex, signer,
                 when);
        json_array_append_new(warnings, json_string(msg));
    }
done:
    for (size_t i = 0; i < v.n; i++) {
        job_clear(&v.jobs[i]);
    }
    free(v.jobs);
    json_decref(v.members);
    json_decref(stamps);
    json_decref(pstamps);
    json_decref(added);
    return rc;
}

int ccm_effect_check_root(ccm_store *s, git_repository *repo, const git_tree *tree,
                          const json_t *roster, const char *signer)
{
    json_t *stamps = NULL, *added = NULL;
    const json_t *m = json_array_get(json_object_get(roster, "members"), 0);
    int rc;

    if ((rc = check_root_layout(tree)) < 0 || (rc = ccm_stamps_read(&stamps, repo, tree)) < 0 ||
        (rc = keys_added(&added, repo, tree, NULL)) < 0) {
        goto done;
    }
    if (json_array_size(json_object_get(roster, "members")) != 1 ||
        strcmp(json_string_value(json_object_get(m, "name")), signer) != 0 ||
        !ccm_roster_is_admin(m) || json_integer_value(json_object_get(roster, "epoch")) != 1 ||
        strcmp(json_string_value(json_object_get(m, "added_by")), signer) != 0) {
        rc = ccm_error_set(CCM_EVERIFY, "the first commit must name its signer, alone, as admin");
        goto done;
    }
    if (json_object_size(stamps) != 1 || !ccm_stamps_get(stamps, signer) ||
        !keys_as_needed(added, roster, signer, 1) || git_tree_entry_byname(tree, CCM_RECORDS_DIR)) {
        rc = ccm_error_set(CCM_EVERIFY, "the first commit holds more than the group's founding");
        goto done;
    }
    rc = check_own_key(s, tree, roster, added);
done:
    json_decref(stamps);
    json_decref(added);
    return rc;
}
