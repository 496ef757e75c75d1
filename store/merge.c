/*
 * merge.c - the deterministic merge of two commits: the one tree every
 * replica computes for them, whoever merges and in whichever order. Sync
 * commits it as a merge commit; verification recomputes it and refuses a
 * merge commit whose tree is anything else (trust by effect: a merge adds
 * nothing of its own).
 *
 * Starting from a's tree, the walk compares base, a and b level by level and
 * descends only where a and b differ:
 *   - a record changed on b's side only is taken as it is (its blob id);
 *   - a record changed on both sides is decrypted on each side, joined
 *     (crdt_join.c: commutative, associative, idempotent) and sealed again;
 *     the envelope is deterministic, so replicas that join the same versions
 *     write the same blob;
 *   - records are never deleted, so absence on one side means "not there
 *     yet";
 *   - a record changed on one side only and sealed under an older key epoch
 *     than the merge's is sealed again under the merge's epoch, so that a
 *     member removed meanwhile cannot read edits made concurrently with the
 *     removal (only done when the merge base is of an older epoch: after
 *     it, every change is sealed under the newest epoch already);
 *   - the stamps are the pointwise maximum of both sides'.
 * The roster is the merge of both rosters (roster.c) and the sealed keys the
 * union of both sides', unless the two sides disagree about a removal: then
 * the membership is resolved from the whole history (membership.c: strong
 * removal), the effects of commits it leaves out are taken out of the
 * records they touched (replay.c), and roster and keys are rebuilt from the
 * membership changes it keeps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

typedef struct {
    ccm_store *s;
    git_repository *w; /* where new objects go: the store, or a pack */
    ccm_odb_batch *pk; /* the pack, if any */
    uint32_t epoch;    /* the merge's key epoch */
    const ccm_groupkey *key;
    int old_base; /* the base is of an older epoch: re-seal one-sided records */
    git_tree_update *up;
    char **paths;
    size_t n, cap;
    json_t *done;      /* record names already updated */
    ccm_joins *joins;  /* records changed on both sides (merge_parallel.c) */
    ccm_history *hist; /* the resolved membership, when the sides disagree */
    int unopenable;    /* a record version could not be opened */
} merge_ctx;

static void ctx_free(merge_ctx *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->paths[i]);
    }
    free(m->paths);
    free(m->up);
    json_decref(m->done);
    ccm_joins_free(m->joins);
}

static int upsert_mode(merge_ctx *m, const char *path, const git_oid *oid, int remove)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        git_tree_update *u = realloc(m->up, cap * sizeof(*u));
        char **p;
        if (!u) {
            return ccm_error_set(CCM_ERROR, "out of memory");
        }
        m->up = u;
        if (!(p = realloc(m->paths, cap * sizeof(*p)))) {
            return ccm_error_set(CCM_ERROR, "out of memory");
        }
        m->paths = p;
        m->cap = cap;
    }
    if (!(m->paths[m->n] = strdup(path))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    m->up[m->n] = (git_tree_update){remove ? GIT_TREE_UPDATE_REMOVE : GIT_TREE_UPDATE_UPSERT, *oid,
                                    GIT_FILEMODE_BLOB, m->paths[m->n]};
    m->n++;
    return CCM_OK;
}

static int upsert(merge_ctx *m, const char *path, const git_oid *oid)
{
    return upsert_mode(m, path, oid, 0);
}

/* Upserts a record blob under its name's path and remembers the name. */
static int upsert_record(merge_ctx *m, const char *name, const git_oid *oid)
{
    char path[CCM_PATH_MAX];

    ccm_record_path_of_name(path, name);
    if (json_object_set_new(m->done, name, json_true()) < 0) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    return upsert(m, path, oid);
}

/* Opens a record version. Every version the merge meets came in verified,
 * so one that does not open is sealed under a key this member never held
 * (its commit could only be checked for membership): noted, see
 * foreign_key. */
static int open_version(merge_ctx *m, json_t **out, const char *name, const git_oid *oid)
{
    int rc = ccm_store_decrypt_blob(out, m->s, m->s->repo, name, oid);

    if (rc == CCM_EVERIFY || rc == CCM_EDENIED) {
        m->unopenable = 1;
    }
    return rc;
}

/* Why a merge that met a version it cannot open fails: another member, who
 * holds the key, can make it (sync leaves this replica's history on the
 * remote for them). */
static int foreign_key(ccm_merge_info *info)
{
    char why[256];

    snprintf(why, sizeof(why), "%s", ccm_error_last());
    if (info) {
        info->foreign = 1;
    }
    return ccm_error_set(CCM_EDENIED,
                         "cannot merge: the other side holds records sealed under a key this "
                         "member never held (%s); a member who holds it must merge",
                         why);
}

/* Seals a record under the merge's key and upserts it. */
static int write_record(merge_ctx *m, const char *name, const json_t *rec)
{
    char *pt;
    size_t len;
    uint8_t *env = NULL;
    size_t env_len = 0;
    git_oid out;
    int rc;

    if (!m->key) {
        return ccm_error_set(CCM_EDENIED, "no key of epoch %u to write merged records",
                             (unsigned)m->epoch);
    }
    if (!(pt = ccm_json_canon(rec, &len))) {
        return ccm_error_set(CCM_ERROR, "cannot serialise record");
    }
    rc = ccm_envelope_seal(&env, &env_len, m->key, (const uint8_t *)name, CCM_NAME_LEN,
                           (const uint8_t *)pt, len);
    ccm_wipe_free(pt, len);
    if (rc < 0) {
        return rc;
    }
    if (m->pk) {
        rc = git_odb_hash(&out, env, env_len, GIT_OBJECT_BLOB) < 0
                 ? ccm_git_error("cannot write record")
                 : ccm_odb_batch_put(m->pk, &out, GIT_OBJECT_BLOB, env, env_len);
    } else if (git_blob_create_from_buffer(&out, m->w, env, env_len) < 0) {
        rc = ccm_git_error("cannot write record");
    }
    free(env);
    return rc < 0 ? rc : upsert_record(m, name, &out);
}

/* A record blob changed on one side only: kept as it is, unless it is
 * sealed under an older epoch than the merge's (or a key the resolved
 * membership dropped); then sealed again under the merge's key. */
static int keep_record(merge_ctx *m, const char *name, const git_oid *oid, int upsert_kept)
{
    git_blob *blob = NULL;
    json_t *rec = NULL;
    uint32_t epoch = 0;
    int rc;

    if (m->hist && ccm_history_touches(m->hist, name)) {
        return CCM_OK; /* replayed (see ccm_merge_trees) */
    }
    if (!m->old_base && !(m->hist && ccm_history_resealing(m->hist))) {
        return upsert_kept ? upsert_record(m, name, oid) : CCM_OK;
    }
    if (git_blob_lookup(&blob, m->s->repo, oid) < 0) {
        return ccm_git_error("cannot read record");
    }
    rc = ccm_envelope_epoch(&epoch, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
    if (rc == CCM_OK && epoch >= m->epoch && m->key &&
        (!m->hist || ccm_history_key_ok(m->hist, m->key, name, git_blob_rawcontent(blob),
                                        (size_t)git_blob_rawsize(blob)))) {
        git_blob_free(blob);
        return upsert_kept ? upsert_record(m, name, oid) : CCM_OK;
    }
    git_blob_free(blob);
    if (rc < 0) {
        return rc;
    }
    if ((rc = open_version(m, &rec, name, oid)) == CCM_OK) {
        rc = write_record(m, name, rec);
    }
    json_decref(rec);
    return rc;
}

/* Joins the two versions of one record into a new blob, on this thread. */
static int join_record(void *ctx, const char *name, const git_oid *o, const git_oid *t)
{
    merge_ctx *m = ctx;
    json_t *a = NULL, *b = NULL, *j = NULL;
    int rc;

    if ((rc = open_version(m, &a, name, o)) == CCM_OK &&
        (rc = open_version(m, &b, name, t)) == CCM_OK &&
        (rc = ccm_record_join_shared(&j, a, b)) == CCM_OK) {
        rc = write_record(m, name, j);
    }
    json_decref(a);
    json_decref(b);
    json_decref(j);
    return rc;
}

static int lookup_sub(git_tree **out, git_repository *repo, const git_tree_entry *e)
{
    *out = NULL;
    if (!e) {
        return CCM_OK;
    }
    if (git_tree_entry_type(e) != GIT_OBJECT_TREE) {
        return ccm_error_set(CCM_EVERIFY, "unexpected blob in the record tree");
    }
    if (git_tree_lookup(out, repo, git_tree_entry_id(e)) < 0) {
        return ccm_git_error("cannot read tree");
    }
    return CCM_OK;
}

static int walk3(merge_ctx *m, const git_tree *b, const git_tree *o, const git_tree *t, int depth,
                 char *name, size_t at);

/* One entry name present in a and/or b. */
static int merge_entry(merge_ctx *m, const git_tree *b, const git_tree_entry *eo,
                       const git_tree_entry *et, int depth, char *name, size_t at)
{
    const char *part = git_tree_entry_name(eo ? eo : et);
    const git_tree_entry *eb = b ? git_tree_entry_byname(b, part) : NULL;
    size_t len = strlen(part);
    git_tree *sb = NULL, *so = NULL, *st = NULL;
    int rc;

    if (!et || (eo && git_oid_equal(git_tree_entry_id(eo), git_tree_entry_id(et)))) {
        return CCM_OK; /* nothing new on b's side */
    }
    if (eo && eb && git_oid_equal(git_tree_entry_id(eb), git_tree_entry_id(et))) {
        return CCM_OK; /* only a changed */
    }
    if (at + len > CCM_NAME_LEN) {
        return ccm_error_set(CCM_EVERIFY, "unexpected entry '%s' in the record tree", part);
    }
    memcpy(name + at, part, len);
    name[at + len] = 0;
    if (depth < 2) {
        if ((rc = lookup_sub(&sb, m->s->repo, eb)) == CCM_OK &&
            (rc = lookup_sub(&so, m->s->repo, eo)) == CCM_OK &&
            (rc = lookup_sub(&st, m->s->repo, et)) == CCM_OK) {
            rc = walk3(m, sb, so, st, depth + 1, name, at + len);
        }
        git_tree_free(sb);
        git_tree_free(so);
        git_tree_free(st);
        return rc;
    }
    if (at + len != CCM_NAME_LEN || git_tree_entry_type(et) != GIT_OBJECT_BLOB) {
        return ccm_error_set(CCM_EVERIFY, "unexpected entry '%s' in the record tree", name);
    }
    if (!eo || (eb && git_oid_equal(git_tree_entry_id(eb), git_tree_entry_id(eo)))) {
        return keep_record(m, name, git_tree_entry_id(et), 1); /* b's side only */
    }
    if (m->hist && ccm_history_touches(m->hist, name)) {
        return CCM_OK; /* replayed */
    }
    return ccm_joins_add(&m->joins, name, git_tree_entry_id(eo), git_tree_entry_id(et));
}

/* A join sealed on a worker thread, written here. */
static int emit_join(void *ctx, const char *name, const git_oid *id, const uint8_t *env, size_t len)
{
    merge_ctx *m = ctx;
    git_oid out;
    int rc;

    if (m->pk) {
        if ((rc = ccm_odb_batch_put(m->pk, id, GIT_OBJECT_BLOB, env, len)) < 0) {
            return rc;
        }
        return upsert_record(m, name, id);
    }
    if (git_blob_create_from_buffer(&out, m->w, env, len) < 0) {
        return ccm_git_error("cannot write record");
    }
    return upsert_record(m, name, &out);
}

static int walk3(merge_ctx *m, const git_tree *b, const git_tree *o, const git_tree *t, int depth,
                 char *name, size_t at)
{
    size_t no = o ? git_tree_entrycount(o) : 0, nt = t ? git_tree_entrycount(t) : 0;
    size_t i = 0, j = 0;
    int rc = CCM_OK;

    while (rc == CCM_OK && (i < no || j < nt)) {
        const git_tree_entry *eo = i < no ? git_tree_entry_byindex(o, i) : NULL;
        const git_tree_entry *et = j < nt ? git_tree_entry_byindex(t, j) : NULL;
        int c = !eo ? 1 : !et ? -1 : strcmp(git_tree_entry_name(eo), git_tree_entry_name(et));
        if (c < 0) {
            i++; /* a only: kept */
            continue;
        }
        rc = merge_entry(m, b, c == 0 ? eo : NULL, et, depth, name, at);
        if (c == 0) {
            i++;
        }
        j++;
    }
    return rc;
}

/* Records changed on a's side only are sealed again when needed, as b's
 * are (see keep_record). */
static int reseal_a(const char *name, const git_oid *old_oid, const git_oid *new_oid, void *payload)
{
    merge_ctx *m = payload;

    (void)old_oid;
    if (!new_oid || json_object_get(m->done, name)) {
        return CCM_OK;
    }
    return keep_record(m, name, new_oid, 0);
}

static int subtree(git_tree **out, git_repository *repo, const git_tree *root, const char *dir)
{
    const git_tree_entry *e = root ? git_tree_entry_byname(root, dir) : NULL;
    return lookup_sub(out, repo, e);
}

/* Sealed keys present on b's side only are added (keys/<epoch>/<member>);
 * one path sealed differently on the two sides is a forged history (the
 * sides would disagree about a rotation, which takes the resolved path). */
static int merge_keys(merge_ctx *m, const git_tree *o, const git_tree *t)
{
    git_tree *kt = NULL, *ko = NULL;
    int rc;

    if ((rc = subtree(&kt, m->s->repo, t, CCM_KEYS_DIR)) < 0 || !kt ||
        (rc = subtree(&ko, m->s->repo, o, CCM_KEYS_DIR)) < 0) {
        git_tree_free(kt);
        return rc;
    }
    for (size_t i = 0; i < git_tree_entrycount(kt) && rc == CCM_OK; i++) {
        const git_tree_entry *ee = git_tree_entry_byindex(kt, i);
        const char *epoch = git_tree_entry_name(ee);
        git_tree *et = NULL, *eo = NULL;
        if ((rc = lookup_sub(&et, m->s->repo, ee)) == CCM_OK &&
            (rc = subtree(&eo, m->s->repo, ko, epoch)) == CCM_OK) {
            for (size_t k = 0; k < git_tree_entrycount(et) && rc == CCM_OK; k++) {
                const git_tree_entry *key = git_tree_entry_byindex(et, k);
                const git_tree_entry *mine =
                    eo ? git_tree_entry_byname(eo, git_tree_entry_name(key)) : NULL;
                char path[256];
                if (mine) {
                    if (!git_oid_equal(git_tree_entry_id(mine), git_tree_entry_id(key))) {
                        rc = ccm_error_set(CCM_EVERIFY, "two different keys sealed at %s/%s/%s",
                                           CCM_KEYS_DIR, epoch, git_tree_entry_name(key));
                    }
                    continue;
                }
                snprintf(path, sizeof(path), CCM_KEYS_DIR "/%s/%s", epoch,
                         git_tree_entry_name(key));
                rc = upsert(m, path, git_tree_entry_id(key));
            }
        }
        git_tree_free(et);
        git_tree_free(eo);
    }
    git_tree_free(ko);
    git_tree_free(kt);
    return rc;
}

/* Replaces keys/ by the resolved membership's sealed keys. */
static int rebuild_keys(merge_ctx *m, const git_tree *o)
{
    git_tree *ko = NULL;
    json_t *want = NULL;
    const char *path;
    json_t *v;
    int rc;

    if ((rc = ccm_history_keys(&want, m->hist)) < 0 ||
        (rc = subtree(&ko, m->s->repo, o, CCM_KEYS_DIR)) < 0) {
        json_decref(want);
        return rc;
    }
    /* Paths of a's that the resolution drops. */
    for (size_t i = 0; ko && i < git_tree_entrycount(ko) && rc == CCM_OK; i++) {
        const git_tree_entry *ee = git_tree_entry_byindex(ko, i);
        git_tree *et = NULL;
        if ((rc = lookup_sub(&et, m->s->repo, ee)) < 0) {
            break;
        }
        for (size_t k = 0; k < git_tree_entrycount(et) && rc == CCM_OK; k++) {
            char p[256];
            snprintf(p, sizeof(p), CCM_KEYS_DIR "/%s/%s", git_tree_entry_name(ee),
                     git_tree_entry_name(git_tree_entry_byindex(et, k)));
            if (!json_object_get(want, p)) {
                rc = upsert_mode(m, p, git_tree_entry_id(git_tree_entry_byindex(et, k)), 1);
            }
        }
        git_tree_free(et);
    }
    json_object_foreach(want, path, v)
    {
        git_oid oid;
        git_tree_entry *cur = NULL;
        int same = 0;
        if (rc < 0 || git_oid_fromstr(&oid, json_string_value(v)) < 0) {
            rc = rc < 0 ? rc : ccm_error_set(CCM_ERROR, "bad key id");
            break;
        }
        if (o && git_tree_entry_bypath(&cur, o, path) == 0) {
            same = git_oid_equal(git_tree_entry_id(cur), &oid);
            git_tree_entry_free(cur);
        }
        git_error_clear();
        if (!same) {
            rc = upsert(m, path, &oid);
        }
    }
    git_tree_free(ko);
    json_decref(want);
    return rc;
}

/* The merged roster and stamps, written; m->epoch and m->key set. */
static int merge_meta(merge_ctx *m, const git_tree *o, const git_tree *t, const git_tree *base,
                      json_t **roster_out)
{
    json_t *ro = NULL, *rt = NULL, *rb = NULL, *merged = NULL, *so = NULL, *st = NULL, *sm = NULL;
    git_oid oid;
    json_int_t epoch;
    int rc;

    if ((rc = ccm_store_read_roster(&ro, m->s->repo, o)) < 0 ||
        (rc = ccm_store_read_roster(&rt, m->s->repo, t)) < 0 ||
        (rc = ccm_store_read_roster(&rb, m->s->repo, base)) < 0 ||
        (rc = ccm_stamps_read(&so, m->s->repo, o)) < 0 ||
        (rc = ccm_stamps_read(&st, m->s->repo, t)) < 0 ||
        (rc = ccm_stamps_merge(&sm, so, st)) < 0) {
        goto done;
    }
    if (m->hist) {
        rc = ccm_history_roster(&merged, m->hist);
    } else {
        rc = ccm_roster_merge(&merged, ro, rt);
    }
    if (rc < 0 || (rc = ccm_roster_write(&oid, m->w, merged)) < 0 ||
        (rc = upsert(m, CCM_ROSTER_PATH, &oid)) < 0 ||
        (rc = ccm_stamps_write(&oid, m->w, sm)) < 0 ||
        (rc = upsert(m, CCM_STAMPS_PATH, &oid)) < 0) {
        goto done;
    }
    epoch = json_integer_value(json_object_get(merged, "epoch"));
    m->epoch = (uint32_t)epoch;
    m->old_base = json_integer_value(json_object_get(rb, "epoch")) < epoch;
    m->key = NULL;
    if (m->s->id) {
        /* The merge's key, from the side that has its epoch. */
        const git_tree *with = json_integer_value(json_object_get(ro, "epoch")) == epoch ? o : t;
        if (m->hist) {
            m->key = ccm_history_epoch_key(m->hist, m->s, (uint32_t)epoch);
        } else if (ccm_store_load_key_with(m->s, with, merged, (uint32_t)epoch) == CCM_OK) {
            m->key = ccm_store_key_for(m->s, (uint32_t)epoch, merged);
        }
        ccm_error_clear();
    }
    *roster_out = merged;
    merged = NULL;
done:
    json_decref(ro);
    json_decref(rt);
    json_decref(rb);
    json_decref(merged);
    json_decref(so);
    json_decref(st);
    json_decref(sm);
    return rc;
}

/* Records whose versions carry effects the resolution leaves out: their
 * state replayed from the effects it keeps; gone if none touched them. */
static int replay_records(merge_ctx *m, const git_tree *ta)
{
    const char *name;
    int rc = CCM_OK;

    for (size_t i = 0; rc == CCM_OK && (name = ccm_history_touched(m->hist, i)); i++) {
        json_t *rec = NULL;
        if ((rc = ccm_history_replay(&rec, m->hist, m->s, name)) < 0) {
            m->unopenable = rc == CCM_EVERIFY || rc == CCM_EDENIED;
            break;
        }
        if (rec) {
            rc = write_record(m, name, rec);
        } else {
            char path[CCM_PATH_MAX];
            git_tree_entry *e = NULL;
            ccm_record_path_of_name(path, name);
            if (git_tree_entry_bypath(&e, ta, path) == 0) {
                rc = upsert_mode(m, path, git_tree_entry_id(e), 1);
            }
            git_tree_entry_free(e);
            git_error_clear();
        }
        json_decref(rec);
    }
    return rc;
}

int ccm_merge_trees(git_oid *tree_out, ccm_store *s, git_repository *w, ccm_odb_batch *pk,
                    const git_commit *a, const git_commit *b, ccm_merge_info *info, int flags)
{
    merge_ctx m = {s, w, pk, 0, NULL, 0, NULL, NULL, 0, 0, json_object(), NULL, NULL, 0};
    git_oid base_id;
    git_commit *cb = NULL;
    git_tree *ta = NULL, *tb = NULL, *tbase = NULL, *ra = NULL, *rb = NULL, *rbase = NULL;
    json_t *roster = NULL;
    char name[CCM_NAME_LEN + 1];
    int rc;
    struct timespec t0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (!m.done) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if (git_merge_base(&base_id, s->repo, git_commit_id(a), git_commit_id(b)) < 0) {
        json_decref(m.done);
        return ccm_error_set(CCM_EVERIFY, "the two histories are unrelated");
    }
    if (git_commit_lookup(&cb, s->repo, &base_id) < 0 || git_commit_tree(&tbase, cb) < 0 ||
        git_commit_tree(&ta, a) < 0 || git_commit_tree(&tb, b) < 0) {
        rc = ccm_git_error("cannot read commits to merge");
        goto done;
    }
    if ((rc = ccm_history_needed(s, ta, tb)) < 0) {
        goto done;
    }
    if (rc == 1 && (rc = ccm_history_resolve(&m.hist, s, a, b)) < 0) {
        goto done;
    }
    if ((rc = merge_meta(&m, ta, tb, tbase, &roster)) < 0) {
        goto done;
    }
    if (m.hist ? (rc = rebuild_keys(&m, ta)) < 0 : (rc = merge_keys(&m, ta, tb)) < 0) {
        goto done;
    }
    if (flags & CCM_MERGE_META_ONLY) {
        goto write;
    }
    if ((rc = subtree(&rbase, s->repo, tbase, CCM_RECORDS_DIR)) < 0 ||
        (rc = subtree(&ra, s->repo, ta, CCM_RECORDS_DIR)) < 0 ||
        (rc = subtree(&rb, s->repo, tb, CCM_RECORDS_DIR)) < 0 ||
        (rc = walk3(&m, rbase, ra, rb, 0, name, 0)) < 0) {
        goto done;
    }
    ccm_trace("merge.walk", &t0);
    if ((rc = ccm_joins_run(m.joins, s, m.key, emit_join, join_record, &m)) < 0) {
        goto done;
    }
    ccm_trace("merge.joins", &t0);
    if ((m.old_base || (m.hist && ccm_history_resealing(m.hist))) &&
        (rc = ccm_tree_diff(s->repo, tbase, ta, reseal_a, &m)) < 0) {
        goto done;
    }
    if (m.hist && (rc = replay_records(&m, ta)) < 0) {
        goto done;
    }
write:
    if (git_tree_create_updated(tree_out, w, ta, m.n, m.up) < 0) {
        rc = ccm_git_error("cannot write the merged tree");
        goto done;
    }
    if (info && m.hist) {
        rc = ccm_history_info(m.hist, info);
    }
    ccm_trace("merge.tree", &t0);
done:
    if (info && (rc == CCM_EVERIFY || rc == CCM_EDENIED) && m.unopenable) {
        rc = foreign_key(info);
    }
    ctx_free(&m);
    ccm_history_free(m.hist);
    json_decref(roster);
    git_tree_free(ra);
    git_tree_free(rb);
    git_tree_free(rbase);
    git_tree_free(ta);
    git_tree_free(tb);
    git_tree_free(tbase);
    git_commit_free(cb);
    return rc;
}
