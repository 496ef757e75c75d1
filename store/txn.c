/*
 * txn.c - a write: lock, read-modify-write of records, one signed commit.
 *
 * Writers of one store are serialised by flock(2) on <store>/lock, waited for
 * up to CCMSYNC_LOCK_TIMEOUT seconds (default 30). Inside the lock the branch
 * tip is read again, so a second process applies its edits on top of the
 * first one's commit instead of losing them; the branch still moves by
 * compare-and-swap in case something outside ccmsync wrote it.
 *
 * Records are written as loose objects, except for large transactions
 * (imports), whose objects go to an in-memory pack written out as one pack
 * file: 100,000 loose files would cost more than the encryption.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "store_private.h"
#include "cache.h"

struct ccm_txn {
    ccm_store *s;
    int lock_fd;
    git_commit *base; /* branch tip when the lock was taken */
    json_t *staged;   /* name -> {"k": kind, "i": id, "t": canonical text} */
    json_t *stamps;   /* the base tree's stamps */
    uint64_t last;    /* the greatest stamp seen so far (hybrid logical clock) */
    uint64_t stamp;   /* the commit's one stamp, once fixed; 0 before */
};

int ccm_store_lock_take(int *out, const char *dir)
{
    char *path = ccm_path_join(dir, "lock");
    const char *env = getenv("CCMSYNC_LOCK_TIMEOUT");
    long timeout_ms = (env && *env ? atol(env) : 30) * 1000;
    struct timespec pause = {0, 10 * 1000 * 1000};
    int fd;

    *out = -1;
    if (!path) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        int rc = ccm_error_set(CCM_ERROR, "cannot open '%s': %s", path, strerror(errno));
        free(path);
        return rc;
    }
    for (long waited = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; waited += 10) {
        if (errno != EWOULDBLOCK && errno != EINTR) {
            int rc = ccm_error_set(CCM_ERROR, "cannot lock '%s': %s", path, strerror(errno));
            close(fd);
            free(path);
            return rc;
        }
        if (waited >= timeout_ms) {
            close(fd);
            free(path);
            return ccm_error_set(CCM_ELOCKED,
                                 "store is busy: another ccmsync process held its lock for "
                                 "%ld s (CCMSYNC_LOCK_TIMEOUT)",
                                 timeout_ms / 1000);
        }
        nanosleep(&pause, NULL);
    }
    free(path);
    *out = fd;
    return CCM_OK;
}

int ccm_txn_begin(ccm_txn **out, ccm_store *s)
{
    ccm_txn *t = NULL;
    int rc;

    *out = NULL;
    if (!s->id) {
        return ccm_error_set(CCM_EDENIED, "store is locked");
    }
    if (!(t = calloc(1, sizeof(*t))) || !(t->staged = json_object())) {
        free(t);
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    t->s = s;
    t->lock_fd = -1;
    if ((rc = ccm_store_lock_take(&t->lock_fd, s->dir)) < 0 || (rc = ccm_store_refresh(s)) < 0 ||
        (rc = ccm_store_check_tip(s)) < 0 || (rc = ccm_store_head_commit(&t->base, s)) < 0) {
        ccm_txn_free(t);
        return rc;
    }
    if (!ccm_store_key(s, s->epoch)) {
        ccm_txn_free(t);
        return CCM_EDENIED;
    }
    if (t->base) {
        git_tree *tree = NULL;
        rc = git_commit_tree(&tree, t->base) < 0 ? ccm_git_error("cannot read tree")
                                                 : ccm_stamps_read(&t->stamps, s->repo, tree);
        git_tree_free(tree);
        if (rc < 0) {
            ccm_txn_free(t);
            return rc;
        }
    }
    /* Hybrid logical clock: after our own last stamp and every stamp of the
     * history we write on (those far ahead of our clock excepted: they are
     * reported on sync, and following them would date our edits in the
     * future too). */
    t->last = ccm_store_clock_load(s);
    {
        uint64_t own = ccm_stamps_get(t->stamps, s->member);
        uint64_t seen = ccm_stamps_max(t->stamps, (ccm_clock_now_ms() + CCM_FUTURE_MS + 1) << 16);
        t->last = own > t->last ? own : t->last;
        t->last = seen > t->last ? seen : t->last;
    }
    *out = t;
    return CCM_OK;
}

uint64_t ccm_txn_stamp(ccm_txn *t)
{
    if (!t->stamp) {
        t->stamp = ccm_hlc_next(t->last, ccm_clock_now_ms());
    }
    return t->stamp;
}

int ccm_txn_get(json_t **out, ccm_txn *t, const char *kind, const char *id)
{
    char name[65];
    json_t *staged;

    ccm_record_name(name, t->s, kind, id);
    int rc;

    if ((staged = json_object_get(t->staged, name)) != NULL) {
        /* Staged records are kept as text: a 100,000-record import holds
         * a few hundred bytes each, not a tree of JSON nodes. */
        *out = json_loads(json_string_value(json_object_get(staged, "t")), 0, NULL);
        return *out ? CCM_OK : ccm_error_set(CCM_ERROR, "out of memory");
    }
    if ((rc = ccm_store_get(out, t->s, kind, id)) == CCM_OK) {
        /* Hybrid logical clock: stamp after what this record has seen, so a
         * new assignment follows every earlier one even if this machine's
         * clock lags; a stamp far ahead of our clock is not followed (it is
         * reported on sync, and following it would stamp our own edits in
         * the future too). */
        uint64_t seen = ccm_record_max_stamp(*out);
        if (!t->stamp && CCM_STAMP_MS(seen) <= ccm_clock_now_ms() + CCM_FUTURE_MS &&
            seen > t->last) {
            t->last = seen;
        }
    }
    return rc;
}

int ccm_txn_put(ccm_txn *t, const json_t *rec)
{
    char name[65];
    const char *kind = json_string_value(json_object_get(rec, "kind"));
    const char *id = json_string_value(json_object_get(rec, "id"));
    char *text;

    if (!kind || !id) {
        return ccm_error_set(CCM_ERROR, "record without kind or id");
    }
    ccm_record_name(name, t->s, kind, id);
    if (!(text = ccm_json_canon(rec, NULL)) ||
        json_object_set_new(t->staged, name,
                            json_pack("{s:s, s:s, s:s}", "k", kind, "i", id, "t", text)) < 0) {
        free(text);
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    free(text);
    return CCM_OK;
}

size_t ccm_txn_count(const ccm_txn *t)
{
    return json_object_size(t->staged);
}

/* Encrypts the staged records into blobs of `repo` and collects the tree
 * updates; records whose blob is unchanged are dropped from *nup. */
static int write_records(git_tree_update *up, size_t *nup, char (*paths)[CCM_PATH_MAX],
                         git_oid *oids, ccm_txn *t, git_repository *repo, const git_tree *base_tree)
{
    const char *name;
    json_t *rec;
    size_t n = 0, k = 0;
    int rc;

    json_object_foreach(t->staged, name, rec)
    {
        git_oid oid;
        git_tree_entry *old = NULL;

        const char *text = json_string_value(json_object_get(rec, "t"));
        if ((rc = ccm_store_write_text(&oid, t->s, repo, name, text, strlen(text))) < 0) {
            return rc;
        }
        oids[k++] = oid;
        ccm_record_path_of_name(paths[n], name);
        if (base_tree && git_tree_entry_bypath(&old, base_tree, paths[n]) == 0 &&
            git_oid_equal(git_tree_entry_id(old), &oid)) {
            git_tree_entry_free(old);
            continue; /* deterministic envelopes: same blob, same record */
        }
        git_tree_entry_free(old);
        up[n] = (git_tree_update){GIT_TREE_UPDATE_UPSERT, oid, GIT_FILEMODE_BLOB, paths[n]};
        n++;
    }
    *nup = n;
    return CCM_OK;
}

int ccm_txn_commit(ccm_txn *t)
{
    size_t count = json_object_size(t->staged), nup = 0;
    git_tree_update *up = NULL;
    char(*paths)[CCM_PATH_MAX] = NULL;
    git_oid *oids = NULL;
    ccm_odb_batch pk = {0};
    git_repository *repo = t->s->repo;
    git_tree *base_tree = NULL, *tree = NULL;
    git_commit *base = NULL;
    git_oid tree_oid, commit_oid, stamps_oid;
    json_t *stamps = NULL;
    const git_commit *parents[1];
    int bulk = count >= CCM_PACK_THRESHOLD, rc;
    char old_head[41];

    if (count == 0) {
        return CCM_OK;
    }
    if (count > CCM_COMMIT_RECORDS_MAX) {
        return ccm_error_set(CCM_EINVALID, "more than %d records in one commit",
                             CCM_COMMIT_RECORDS_MAX);
    }
    if (!(up = calloc(count + 1, sizeof(*up))) || !(paths = calloc(count, sizeof(*paths))) ||
        !(oids = calloc(count, sizeof(*oids)))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    if (bulk) {
        if ((rc = ccm_odb_batch_start(&pk, t->s->repo)) < 0) {
            goto done;
        }
        repo = pk.repo;
    }
    /* libgit2 silently drops a parent owned by another repository handle,
     * so the bulk path looks the base up again in its own handle. */
    if (t->base && (git_commit_lookup(&base, repo, git_commit_id(t->base)) < 0 ||
                    git_commit_tree(&base_tree, base) < 0)) {
        rc = ccm_git_error("cannot read tree");
        goto done;
    }
    if ((rc = write_records(up, &nup, paths, oids, t, repo, base_tree)) < 0) {
        goto done;
    }
    if (nup == 0) {
        rc = CCM_OK; /* nothing changed: no commit */
        goto done;
    }
    /* The commit's one stamp, in stamps.json (room was left for it). */
    if ((rc = ccm_stamps_with(&stamps, t->stamps, t->s->member, ccm_txn_stamp(t))) < 0 ||
        (rc = ccm_stamps_write(&stamps_oid, repo, stamps)) < 0) {
        goto done;
    }
    up[nup++] =
        (git_tree_update){GIT_TREE_UPDATE_UPSERT, stamps_oid, GIT_FILEMODE_BLOB, CCM_STAMPS_PATH};
    if (git_tree_create_updated(&tree_oid, repo, base_tree, nup, up) < 0 ||
        git_tree_lookup(&tree, repo, &tree_oid) < 0) {
        rc = ccm_git_error("cannot write tree");
        goto done;
    }
    parents[0] = base;
    rc = ccm_store_commit_signed(&commit_oid, t->s, repo, tree, parents, base ? 1 : 0);
    if (rc < 0) {
        goto done;
    }
    if (bulk && (rc = ccm_odb_batch_flush(&pk)) < 0) {
        goto done;
    }
    memcpy(old_head, t->s->head, sizeof(old_head));
    rc = ccm_store_move_branch(t->s, t->base ? git_commit_id(t->base) : NULL, &commit_oid);
    if (rc < 0) {
        goto done;
    }
    if ((rc = ccm_store_clock_save(t->s, t->stamp)) < 0) {
        /* The commit is in: the next one still stamps after it (stamps.json). */
        ccm_error_clear();
        rc = CCM_OK;
    }
    if (bulk) {
        /* Large writes refresh the cache now, while the records are in hand;
         * small ones leave it to the next listing (an O(n) rewrite per small
         * commit would defeat the O(log n) write). */
        ccm_cache_after_commit(t->s, old_head, t->staged, oids);
    }
done:
    json_decref(stamps);
    git_tree_free(tree);
    git_tree_free(base_tree);
    git_commit_free(base);
    if (bulk) {
        ccm_odb_batch_end(&pk);
    }
    free(oids);
    free(paths);
    free(up);
    return rc;
}

void ccm_txn_free(ccm_txn *t)
{
    if (!t) {
        return;
    }
    if (t->lock_fd >= 0) {
        close(t->lock_fd); /* releases the flock */
    }
    git_commit_free(t->base);
    json_decref(t->staged);
    json_decref(t->stamps);
    free(t);
}
