/*
 * merge_parallel.c - the records changed on both sides of a merge, joined on every
 * core.
 *
 * Each join is independent: open both versions, join them, serialise and
 * seal the result. That is nearly all of a large merge's time, and none of
 * it touches git or the store, so it runs on worker threads. Everything that
 * does touch git stays on the calling thread, in a fixed order:
 *   1. prepare (caller): look up both blobs, or the incoming version in the
 *      memo of records verified a moment ago; find each envelope's key;
 *   2. join (workers): pure work on bytes and documents (jansson's reference
 *      counts are atomic; nothing shared is changed);
 *   3. emit (caller): in job order, write each sealed result as a blob (its
 *      id computed on the worker, so a merge written as a pack hashes
 *      nothing on the calling thread).
 * The envelope is deterministic, so the result does not depend on the
 * number of threads. A job that fails on a worker, or whose key is not
 * loaded yet, is done again on the calling thread by `redo`, which gives
 * the error its full message.
 * The threads come from parallel.c (CCMSYNC_THREADS).
 */
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

#define JOIN_BATCH 256

typedef struct {
    char name[CCM_NAME_LEN + 1];
    git_oid o, t;
    git_blob *bo, *bt;           /* NULL where the memo had the document */
    json_t *ro, *rt;             /* documents from the memo */
    const ccm_groupkey *ko, *kt; /* keys of the two envelopes */
    uint8_t *env;                /* the sealed join */
    size_t env_len;
    git_oid id; /* its blob id */
    int redo;
} join_job;

struct ccm_joins {
    join_job *jobs;
    size_t n, cap;
};

typedef struct {
    ccm_store *s;
    const ccm_groupkey *kw; /* the key joins are sealed with */
    join_job *jobs;
} join_pool;

int ccm_joins_add(ccm_joins **js, const char *name, const git_oid *o, const git_oid *t)
{
    ccm_joins *j = *js;
    join_job *job;
    int rc;

    if (!j && !(j = *js = calloc(1, sizeof(*j)))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if ((rc = ccm_grow(&j->jobs, &j->cap, j->n, sizeof(*j->jobs), 64)) < 0) {
        return rc;
    }
    job = &j->jobs[j->n++];
    memset(job, 0, sizeof(*job));
    memcpy(job->name, name, CCM_NAME_LEN);
    job->name[CCM_NAME_LEN] = 0;
    job->o = *o;
    job->t = *t;
    return CCM_OK;
}

static void job_clear(join_job *job)
{
    git_blob_free(job->bo);
    git_blob_free(job->bt);
    json_decref(job->ro);
    json_decref(job->rt);
    free(job->env);
    job->bo = job->bt = NULL;
    job->ro = job->rt = NULL;
    job->env = NULL;
}

void ccm_joins_free(ccm_joins *js)
{
    for (size_t i = 0; js && i < js->n; i++) {
        job_clear(&js->jobs[i]);
    }
    if (js) {
        free(js->jobs);
        free(js);
    }
}

/* The key of a record blob, if loaded (no loading here: see redo). */
static const ccm_groupkey *blob_key(const ccm_store *s, const git_blob *b)
{
    return ccm_store_key_loaded(s, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
}

static void prepare(ccm_store *s, join_job *job)
{
    if (!(job->ro = ccm_store_memo_get(s, job->name, &job->o)) &&
        (git_blob_lookup(&job->bo, s->repo, &job->o) < 0 || !(job->ko = blob_key(s, job->bo)))) {
        job->redo = 1;
    }
    if (!(job->rt = ccm_store_memo_get(s, job->name, &job->t)) &&
        (git_blob_lookup(&job->bt, s->repo, &job->t) < 0 || !(job->kt = blob_key(s, job->bt)))) {
        job->redo = 1;
    }
    git_error_clear();
}

static json_t *open_side(const ccm_store *s, const join_job *job, json_t *memo, const git_blob *b,
                         const ccm_groupkey *k)
{
    json_t *rec = NULL;

    if (memo) {
        return json_incref(memo);
    }
    if (ccm_store_decrypt_record_key(&rec, s, k, job->name, git_blob_rawcontent(b),
                                     (size_t)git_blob_rawsize(b)) < 0) {
        return NULL;
    }
    return rec;
}

/* Worker side: touches only its job, the keys and libsodium/jansson. */
static void join_one(void *ctx, size_t i)
{
    join_pool *p = ctx;
    join_job *job = &p->jobs[i];
    json_t *a = NULL, *b = NULL, *j = NULL;
    char *text = NULL;
    size_t len = 0;

    if (job->redo) {
        return;
    }
    job->redo = 1;
    if (!(a = open_side(p->s, job, job->ro, job->bo, job->ko)) ||
        !(b = open_side(p->s, job, job->rt, job->bt, job->kt)) ||
        ccm_record_join_shared(&j, a, b) < 0 || !(text = ccm_json_canon(j, &len))) {
        goto done;
    }
    if (ccm_envelope_seal(&job->env, &job->env_len, p->kw, (const uint8_t *)job->name, CCM_NAME_LEN,
                          (const uint8_t *)text, len) == CCM_OK) {
        /* if libgit2 cannot hash it, the calling thread redoes the job and
         * reports why */
        job->redo = git_odb_hash(&job->id, job->env, job->env_len, GIT_OBJECT_BLOB) < 0;
    }
done:
    if (text) {
        ccm_wipe_free(text, len);
    }
    json_decref(a);
    json_decref(b);
    json_decref(j);
    ccm_error_clear();
}

int ccm_joins_run(ccm_joins *js, ccm_store *s, const ccm_groupkey *kw, ccm_joins_emit_fn emit,
                  ccm_joins_redo_fn redo, void *ctx)
{
    int rc = CCM_OK;

    if (!js || js->n == 0) {
        return CCM_OK;
    }
    if (!kw) {
        return ccm_error_set(CCM_EDENIED, "no key to write merged records");
    }
    for (size_t at = 0; at < js->n && rc == CCM_OK; at += JOIN_BATCH) {
        size_t n = js->n - at < JOIN_BATCH ? js->n - at : JOIN_BATCH;
        join_pool pool = {s, kw, js->jobs + at};

        for (size_t i = 0; i < n; i++) {
            prepare(s, &pool.jobs[i]);
        }
        ccm_parallel_for(n, join_one, &pool);
        for (size_t i = 0; i < n; i++) {
            join_job *job = &pool.jobs[i];
            if (rc == CCM_OK) {
                rc = job->redo ? redo(ctx, job->name, &job->o, &job->t)
                               : emit(ctx, job->name, &job->id, job->env, job->env_len);
            }
            job_clear(job);
        }
    }
    return rc;
}
