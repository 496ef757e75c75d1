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

#include <limits.h>
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

/* ---- many objects as one pack (pack.c) ----------------------------------- */

/* Objects written to `repo` go to memory until ccm_pack_flush writes them
 * (and only them) as one pack file. Commits used as parents must be looked
 * up through `repo` (libgit2 drops parents owned by another handle). */
typedef struct ccm_pack {
    git_repository *repo;
    git_odb *odb;
    git_odb_backend *mem; /* owned by odb */
    git_odb *main_odb;    /* the caller's; owned by odb */
} ccm_pack;
int ccm_pack_start(ccm_pack *p, git_repository *main); /* a second handle on main */
size_t ccm_pack_count(const ccm_pack *p);              /* objects held in memory */
/* Adds an object whose id the caller computed (ccm_object_id), with none of
 * libgit2's hashing: nothing if the repository already has it. */
int ccm_pack_put(ccm_pack *p, const git_oid *id, git_object_t type, const void *data, size_t len);
int ccm_pack_flush(ccm_pack *p);
void ccm_pack_end(ccm_pack *p); /* NULL-safe on a zeroed ccm_pack */

/* ---- pack files (packwrite.c, sha1.c, crc32.c) ---------------------------
 * Pack files of whole objects and their index, written straight into a
 * repository's objects/pack: start with the exact object count, add each
 * object with the id libgit2 computed for it, commit. Objects are stored
 * uncompressed inside zlib streams: ciphertext does not compress. */

typedef struct {
    uint32_t h[5];
    uint64_t len;
    uint8_t buf[64];
    int ni; /* 1: the processor's SHA instructions (set by init; 0 forces C) */
} ccm_sha1;
void ccm_sha1_init(ccm_sha1 *c);
void ccm_sha1_update(ccm_sha1 *c, const void *data, size_t n);
void ccm_sha1_final(ccm_sha1 *c, uint8_t out[20]);
/* The id git gives an object: SHA-1 of "<type> <len>\0" and the data. */
void ccm_object_id(git_oid *out, git_object_t type, const void *data, size_t len);
uint32_t ccm_adler32(const void *data, size_t n);
uint32_t ccm_crc32(uint32_t crc, const void *data, size_t n); /* crc: 0 to start */

typedef struct {
    git_repository *repo;
    char dir[PATH_MAX], tmp_pack[PATH_MAX], tmp_idx[PATH_MAX]; /* "" where none */
    int fd;
    ccm_sha1 sha;
    uint8_t *buf;
    size_t len;
    uint64_t offset;
    uint32_t crc, left;
    void *entries; /* id, offset and CRC of each object added */
    size_t n;
} ccm_packw;
int ccm_packw_start(ccm_packw *w, git_repository *repo, uint32_t count);
int ccm_packw_add(ccm_packw *w, const git_oid *id, git_object_t type, const void *data, size_t n);
int ccm_packw_commit(ccm_packw *w);
void ccm_packw_free(ccm_packw *w); /* also after a failed start; removes temporary files */

/* ---- the copy of a history (copy.c) -------------------------------------- */

/* Progress of a copy: `phase` as given, `done` of `total` objects written,
 * `bytes` their size so far. */
typedef void (*ccm_odb_progress_fn)(const char *phase, size_t done, size_t total, size_t bytes,
                                    void *payload);

/* Copies into `to` every object reachable from commit `tip` in `from` that
 * `to` lacks, as one pack. `what` names `from` in errors ("remote",
 * "store"): a missing or unreadable object there is CCM_EVERIFY, and
 * nothing is written. `progress` (may be NULL) gets `phase` ("fetch",
 * "push") every 256 objects and at the end. */
int ccm_odb_copy_reachable(git_repository *from, git_repository *to, const git_oid *tip,
                           const char *what, const char *phase, ccm_odb_progress_fn progress,
                           void *payload);

#endif
