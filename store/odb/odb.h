/*
 * odb.h - the git object and pack layer under the store: packs of whole
 * objects written straight into a repository, a second repository handle
 * whose writes become one pack, the copy of a history between two
 * repositories on this machine, the diff of two record trees, and a map
 * keyed by object id. It knows git's formats and libgit2, and nothing of
 * records' contents, keys or members.
 *
 * Nothing here prints or exits: errors are set with ccm_error_set and
 * returned as codes (CCM_OK, CCM_ERROR, CCM_EVERIFY).
 */
#ifndef CCM_ODB_H
#define CCM_ODB_H

#include <stddef.h>
#include <stdint.h>
#include <git2.h>

/* Sets a ccm error from the last libgit2 error, as "<what>: <libgit2's
 * message>"; returns CCM_ERROR. */
int ccm_git_error(const char *what);

/* ---- the record tree (treediff.c) -------------------------------------------
 * A commit's records live under "r/": r/ab/cd/<60 hex>, two fan-out levels of
 * two lowercase hex digits, then the rest of a 64-digit name. */

#define CCM_RECORDS_DIR "r"
#define CCM_NAME_LEN 64

/* Called for each record that differs between two trees, in name order:
 * old/new is NULL where the record is absent on that side. */
typedef int (*ccm_tree_diff_cb)(const char *name, const git_oid *old_oid, const git_oid *new_oid,
                                void *payload);

/* Walks the record trees ("r/") of two commit trees (either may be NULL:
 * empty), descending only into subtrees that differ. CCM_EVERIFY if either
 * holds an entry that is not of the record tree's shape. */
int ccm_tree_diff(git_repository *repo, const git_tree *a, const git_tree *b, ccm_tree_diff_cb cb,
                  void *payload);

/* ---- object id -> pointer (oidmap.c) ------------------------------------- */

/* Zero-initialise; values are not owned. */
typedef struct {
    git_oid id;
    void *value;
    int used;
} ccm_oidmap_entry;
typedef struct {
    ccm_oidmap_entry *slots;
    size_t cap, n;
} ccm_oidmap;
void *ccm_oidmap_get(const ccm_oidmap *m, const git_oid *id);
int ccm_oidmap_put(ccm_oidmap *m, const git_oid *id, void *value);
void ccm_oidmap_free(ccm_oidmap *m);

/* ---- pack files (packfile.c, sha1.c) ------------------------------------- */

/* SHA-1 of any bytes, where libgit2 offers none: the checksums of the pack
 * files written here, HMAC-SHA1 for known_hosts. (Object ids: git_odb_hash.)
 * init, update any number of times, final. */
typedef struct {
    uint32_t h[5];
    uint64_t len;
    uint8_t buf[64];
} ccm_sha1;
void ccm_sha1_init(ccm_sha1 *c);
void ccm_sha1_update(ccm_sha1 *c, const void *data, size_t n);
void ccm_sha1_final(ccm_sha1 *c, uint8_t out[20]);

/* A pack file being written straight into a repository's objects/pack, with
 * its index: whole objects, each stored uncompressed inside its zlib stream
 * (ciphertext does not compress), each filed under the id the caller gives.
 * Nothing is visible to readers before ccm_packfile_commit. */
typedef struct ccm_packfile ccm_packfile;

/* Starts a pack of exactly `count` objects in repo's objects/pack
 * (temporary files until committed). *out is NULL on failure. */
int ccm_packfile_new(ccm_packfile **out, git_repository *repo, uint32_t count);

/* Adds an object under `id`, which must be git's id of (type, data): the
 * bytes are not hashed again. Commits, trees, blobs and tags only. */
int ccm_packfile_add(ccm_packfile *pf, const git_oid *id, git_object_t type, const void *data,
                     size_t len);

/* Writes the index and moves pack and index into place (the index last:
 * readers see a pack once its index is there); this process's handles on
 * the repository see the new objects at once. Refused if fewer objects were
 * added than announced, or one twice. */
int ccm_packfile_commit(ccm_packfile *pf);

/* Frees pf (NULL-safe), removing the temporary files of a pack that was not
 * committed. */
void ccm_packfile_free(ccm_packfile *pf);

/* ---- many objects as one pack (batch.c) ---------------------------------- */

/* A second handle on a repository whose object writes are held in memory,
 * then written by ccm_odb_batch_flush as one pack holding exactly those
 * objects. Write through `repo`; commits used as parents must be looked up
 * through `repo` too (libgit2 drops parents owned by another handle). The
 * other fields are the batch's own. */
typedef struct {
    git_repository *repo;
    git_odb *odb;         /* repo's: the memory backend, then a read-through one */
    git_odb_backend *mem; /* owned by odb */
    git_odb *main_odb;    /* the caller's, read without refreshing; owned by odb */
} ccm_odb_batch;

/* Starts a batch on `main`'s repository. On failure *b is zeroed. */
int ccm_odb_batch_start(ccm_odb_batch *b, git_repository *main);

/* The objects held in memory. */
size_t ccm_odb_batch_count(const ccm_odb_batch *b);

/* Adds an object under `id`, which must be git's id of (type, data)
 * (git_odb_hash; not hashed again): nothing if the repository already has
 * it. */
int ccm_odb_batch_put(ccm_odb_batch *b, const git_oid *id, git_object_t type, const void *data,
                      size_t len);

/* Writes the objects held as one pack (none: no pack); `main` sees them at
 * once. They stay readable through `repo`. */
int ccm_odb_batch_flush(ccm_odb_batch *b);

/* Frees the handle and every object not flushed; fine on a zeroed batch. */
void ccm_odb_batch_end(ccm_odb_batch *b);

/* ---- the copy of a history (copy.c) -------------------------------------- */

/* Progress of a copy: `phase` as given, `done` of `total` objects written,
 * `bytes` their size so far. */
typedef void (*ccm_odb_progress_fn)(const char *phase, size_t done, size_t total, size_t bytes,
                                    void *payload);

/* Copies into `to` every object reachable from commit `tip` in `from` that
 * `to` lacks, as one pack; the walk stops at the commits and trees `to`
 * has. `what` names `from` in errors ("remote", "store"): an object there
 * missing, unreadable or not matching its id, a tree entry that is neither
 * tree nor blob, or trees nested deeper than 64 are CCM_EVERIFY, and
 * nothing is written. `progress` (may be NULL) gets `phase` ("fetch",
 * "push") every 256 objects written and after the last. */
int ccm_odb_copy_reachable(git_repository *from, git_repository *to, const git_oid *tip,
                           const char *what, const char *phase, ccm_odb_progress_fn progress,
                           void *payload);

#endif
