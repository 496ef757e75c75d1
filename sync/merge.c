/*
 * merge.c - the merge layer: two histories into one tree, without a working
 * tree and without conflicts.
 *
 * Starting from our tree, the walk compares base, ours and theirs level by
 * level and descends only where ours and theirs differ:
 *   - a record changed on their side only is taken as it is (its blob id);
 *   - a record changed on both sides is decrypted on each side, joined
 *     (store/crdt_join.c: commutative, associative, idempotent) and
 *     re-encrypted; the envelope is deterministic, so replicas that join the
 *     same versions write the same blob;
 *   - records are never deleted, so absence on one side means "not there yet";
 *   - the roster is the merge of both rosters (store/roster.c), which is what
 *     verification recomputes; sealed keys are the union of both sides'.
 * The result is committed as a signed merge commit with parents (ours, theirs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_private.h"

typedef struct {
    ccm_store *s;
    git_repository *w; /* where new objects go: the store, or a pack */
    ccm_pack *pk;      /* the pack, if any */
    git_tree_update *up;
    char **paths;
    size_t n, cap;
    json_t *done;     /* record names already updated */
    ccm_joins *joins; /* records changed on both sides (joins.c) */
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

static int upsert(merge_ctx *m, const char *path, const git_oid *oid)
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
    m->up[m->n] =
        (git_tree_update){GIT_TREE_UPDATE_UPSERT, *oid, GIT_FILEMODE_BLOB, m->paths[m->n]};
    m->n++;
    return CCM_OK;
}

/* Upserts a record blob under its name's path and remembers the name. */
static int upsert_record(merge_ctx *m, const char *name, const git_oid *oid)
{
    char path[CCM_PATH_MAX];

    ccm_record_path_of_name(path, name);
    json_object_set_new(m->done, name, json_true());
    return upsert(m, path, oid);
}

/* A record blob kept as it is, unless it was written under an older key
 * epoch than the merge's: then it is re-encrypted under the current one, so
 * that a member removed meanwhile cannot read edits made concurrently with
 * the removal. */
static int keep_record(merge_ctx *m, const char *name, const git_oid *oid, int only_if_old)
{
    git_blob *blob = NULL;
    json_t *rec = NULL;
    uint32_t epoch = 0;
    git_oid out;
    int rc;

    if (git_blob_lookup(&blob, m->s->repo, oid) < 0) {
        return ccm_git_error("cannot read record");
    }
    rc = ccm_envelope_epoch(&epoch, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
    git_blob_free(blob);
    if (rc < 0) {
        return rc;
    }
    if (epoch >= m->s->epoch) {
        return only_if_old ? CCM_OK : upsert_record(m, name, oid);
    }
    if ((rc = ccm_store_open_blob(&rec, m->s, m->s->repo, name, oid)) == CCM_OK &&
        (rc = ccm_store_write_record(&out, NULL, m->s, m->w, rec)) == CCM_OK) {
        rc = upsert_record(m, name, &out);
    }
    json_decref(rec);
    return rc;
}

/* Joins the two versions of one record into a new blob, on this thread. */
static int join_record(void *ctx, const char *name, const git_oid *o, const git_oid *t)
{
    merge_ctx *m = ctx;
    json_t *a = NULL, *b = NULL, *j = NULL;
    git_oid out;
    int rc;

    if ((rc = ccm_store_open_blob(&a, m->s, m->s->repo, name, o)) < 0 ||
        (rc = ccm_store_open_blob(&b, m->s, m->s->repo, name, t)) < 0 ||
        (rc = ccm_record_join_shared(&j, a, b)) < 0 ||
        (rc = ccm_store_write_record(&out, NULL, m->s, m->w, j)) < 0) {
        goto done;
    }
    rc = upsert_record(m, name, &out);
done:
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

/* One entry name present in ours and/or theirs. */
static int merge_entry(merge_ctx *m, const git_tree *b, const git_tree_entry *eo,
                       const git_tree_entry *et, int depth, char *name, size_t at)
{
    const char *part = git_tree_entry_name(eo ? eo : et);
    const git_tree_entry *eb = b ? git_tree_entry_byname(b, part) : NULL;
    size_t len = strlen(part);
    git_tree *sb = NULL, *so = NULL, *st = NULL;
    int rc;

    if (!et || (eo && git_oid_equal(git_tree_entry_id(eo), git_tree_entry_id(et)))) {
        return CCM_OK; /* nothing new on their side */
    }
    if (eo && eb && git_oid_equal(git_tree_entry_id(eb), git_tree_entry_id(et))) {
        return CCM_OK; /* only ours changed */
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
        return keep_record(m, name, git_tree_entry_id(et), 0); /* their side only */
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
        if ((rc = ccm_pack_put(m->pk, id, GIT_OBJECT_BLOB, env, len)) < 0) {
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
            i++; /* ours only: kept */
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

/* Records changed on our side only, written under an older epoch than the
 * merge's, are re-encrypted too (see keep_record). */
static int reencrypt_ours(const char *name, const git_oid *old_oid, const git_oid *new_oid,
                          void *payload)
{
    merge_ctx *m = payload;

    (void)old_oid;
    if (!new_oid || json_object_get(m->done, name)) {
        return CCM_OK;
    }
    return keep_record(m, name, new_oid, 1);
}

static int subtree(git_tree **out, git_repository *repo, const git_tree *root, const char *dir)
{
    const git_tree_entry *e = root ? git_tree_entry_byname(root, dir) : NULL;
    return lookup_sub(out, repo, e);
}

/* Sealed keys present on their side only are added (keys/<epoch>/<member>). */
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
                char path[256];
                if (eo && git_tree_entry_byname(eo, git_tree_entry_name(key))) {
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

static int merge_roster(merge_ctx *m, const git_tree *o, const git_tree *t)
{
    json_t *ro = NULL, *rt = NULL, *merged = NULL;
    git_oid oid;
    int rc;

    if ((rc = ccm_store_read_roster(&ro, m->s->repo, o)) < 0 ||
        (rc = ccm_store_read_roster(&rt, m->s->repo, t)) < 0 ||
        (rc = ccm_roster_merge(&merged, ro, rt)) < 0 ||
        (rc = ccm_roster_write(&oid, m->w, merged)) < 0) {
        goto done;
    }
    rc = upsert(m, CCM_ROSTER_PATH, &oid);
    if (rc == CCM_OK) {
        /* Joined records are written under the newest epoch's key. */
        json_int_t epoch = json_integer_value(json_object_get(merged, "epoch"));
        if ((uint32_t)epoch > m->s->epoch) {
            if ((rc = ccm_store_load_key(m->s, t, (uint32_t)epoch)) == CCM_OK) {
                m->s->epoch = (uint32_t)epoch;
            }
        }
    }
done:
    json_decref(ro);
    json_decref(rt);
    json_decref(merged);
    return rc;
}

static int count_change(const char *name, const git_oid *a, const git_oid *b, void *payload)
{
    (void)name;
    (void)a;
    (void)b;
    ++*(size_t *)payload;
    return CCM_OK;
}

int ccm_sync_merge(git_oid *out, ccm_store *s, const git_oid *ours, const git_oid *theirs)
{
    merge_ctx m = {s, s->repo, NULL, NULL, NULL, 0, 0, json_object(), NULL};
    uint32_t epoch_ours = s->epoch;
    git_oid base_id, tree_id;
    git_commit *co = NULL, *ct = NULL, *cb = NULL;
    git_tree *to = NULL, *tt = NULL, *tb = NULL, *ro = NULL, *rt = NULL, *rb = NULL, *tree = NULL;
    const git_commit *parents[2];
    char name[CCM_NAME_LEN + 1];
    ccm_pack pk = {0};
    size_t incoming = 0;
    int rc;
    struct timespec t0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (git_merge_base(&base_id, s->repo, ours, theirs) < 0) {
        json_decref(m.done);
        return ccm_error_set(CCM_EVERIFY, "the remote's history is unrelated to ours");
    }
    if (git_commit_lookup(&cb, s->repo, &base_id) < 0 || git_commit_tree(&tb, cb) < 0 ||
        git_commit_lookup(&ct, s->repo, theirs) < 0 || git_commit_tree(&tt, ct) < 0) {
        rc = ccm_git_error("cannot read commits to merge");
        goto done;
    }
    if ((rc = ccm_tree_diff(s->repo, tb, tt, count_change, &incoming)) < 0) {
        goto done;
    }
    if (incoming >= CCM_PACK_THRESHOLD) {
        if ((rc = ccm_pack_start(&pk, s->repo)) < 0) {
            goto done;
        }
        m.w = pk.repo;
        m.pk = &pk;
    }
    /* Parents and the baseline tree through the handle that writes. */
    git_commit_free(ct);
    git_tree_free(tt);
    ct = NULL;
    tt = NULL;
    if (git_commit_lookup(&co, m.w, ours) < 0 || git_commit_lookup(&ct, m.w, theirs) < 0 ||
        git_commit_tree(&to, co) < 0 || git_commit_tree(&tt, ct) < 0) {
        rc = ccm_git_error("cannot read commits to merge");
        goto done;
    }
    if ((rc = merge_roster(&m, to, tt)) < 0 || (rc = merge_keys(&m, to, tt)) < 0 ||
        (rc = subtree(&rb, s->repo, tb, CCM_RECORDS_DIR)) < 0 ||
        (rc = subtree(&ro, s->repo, to, CCM_RECORDS_DIR)) < 0 ||
        (rc = subtree(&rt, s->repo, tt, CCM_RECORDS_DIR)) < 0 ||
        (rc = walk3(&m, rb, ro, rt, 0, name, 0)) < 0) {
        goto done;
    }
    ccm_sync_trace("merge.walk", &t0);
    if ((rc = ccm_joins_run(m.joins, s, emit_join, join_record, &m)) < 0) {
        goto done;
    }
    ccm_sync_trace("merge.joins", &t0);
    if (m.s->epoch > epoch_ours && (rc = ccm_tree_diff(s->repo, tb, to, reencrypt_ours, &m)) < 0) {
        goto done;
    }
    if (git_tree_create_updated(&tree_id, m.w, to, m.n, m.up) < 0 ||
        git_tree_lookup(&tree, m.w, &tree_id) < 0) {
        rc = ccm_git_error("cannot write the merged tree");
        goto done;
    }
    ccm_sync_trace("merge.tree", &t0);
    parents[0] = co;
    parents[1] = ct;
    if ((rc = ccm_store_commit_signed(out, s, m.w, tree, parents, 2)) == CCM_OK && pk.repo) {
        ccm_sync_trace("merge.sign", &t0);
        rc = ccm_pack_flush(&pk);
        ccm_sync_trace("merge.flush", &t0);
    }
done:
    ctx_free(&m);
    git_tree_free(tree);
    git_tree_free(ro);
    git_tree_free(rt);
    git_tree_free(rb);
    git_tree_free(to);
    git_tree_free(tt);
    git_tree_free(tb);
    git_commit_free(co);
    git_commit_free(ct);
    git_commit_free(cb);
    if (pk.repo) {
        ccm_pack_end(&pk);
    }
    return rc;
}
