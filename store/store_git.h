/*
 * store_git.h - the store's interface for the layer above it that speaks git
 * (sync/): the repository, verifying commits one by one, moving the branch,
 * the signed merge commit, and the few helpers a transfer needs. It exposes
 * no field of ccm_store: the layers above reach the store through
 * store.h and this header only (scripts/check-layers).
 */
#ifndef CCM_STORE_GIT_H
#define CCM_STORE_GIT_H

#include <git2.h>

#include "store.h"
#include "odb/odb.h" /* the object layer below: copies, the record tree, ccm_git_error */
#include "../crypto/base/base.h" /* files, arrays, errors */

/* The group's branch, in the store and on every remote. */
#define CCM_BRANCH "refs/heads/main"

/* ---- the store's state -------------------------------------------------- */

/* The store's repository (borrowed), its folder, the roster at the branch
 * tip (borrowed; changes at the next refresh) and its key epoch. */
git_repository *ccm_store_repo(ccm_store *s);
const char *ccm_store_dir(const ccm_store *s);
const json_t *ccm_store_tip_roster(const ccm_store *s);
uint32_t ccm_store_epoch(const ccm_store *s);

/* 1 if the store is unlocked and holds the group key of its epoch: it can
 * read and check records. */
int ccm_store_can_read(ccm_store *s);

/* Checks one commit (see verify.c for the rules). Warnings (future stamps)
 * are appended to `warnings` as strings when it is non-NULL. See also
 * ccm_store_last_unchecked. */
int ccm_store_verify_commit(ccm_store *s, git_repository *repo, git_commit *commit,
                            json_t *warnings);
/* The same for commits this replica made (own = 1): the effect is checked
 * in full, this member's signatures are not verified again. */
int ccm_store_verify_commit_as(ccm_store *s, git_repository *repo, git_commit *commit,
                               json_t *warnings, int own);

/* Reads the roster blob of a tree, validated (a new reference to a shared
 * document: callers must not change it; ccm_roster_merge and
 * json_deep_copy give one to change). */
int ccm_store_read_roster(json_t **out, git_repository *repo, const git_tree *tree);

/* Moves the branch from `old` (NULL: must not exist) to `new` atomically. */
int ccm_store_move_branch(ccm_store *s, const git_oid *old, const git_oid *new_id);

/* libgit2 and libsodium set-up (idempotent). */
int ccm_store_global_init(void);

/* Takes the store's write lock (flock on <dir>/lock), waiting up to
 * CCMSYNC_LOCK_TIMEOUT seconds; *out is the descriptor to close to release. */
int ccm_store_lock_take(int *out, const char *dir);

/* Re-reads the branch tip, the roster and the current group key. Every
 * writer calls it first, under the lock: it fails while a view is set. */
int ccm_store_refresh(ccm_store *s);

/* 1 if the last commit ccm_store_verify_commit checked changes records this
 * member holds no key to check: only its signature, stamps and membership
 * were (sync holds such commits back). */
int ccm_store_last_unchecked(const ccm_store *s);

/* The memo of decrypted records for one sync (memo.c): begin, then retire
 * (the records are freed at the next begin, or with the store). */
void ccm_store_memo_begin(ccm_store *s);
void ccm_store_memo_retire(ccm_store *s);

/* ---- a newcomer (newcomer.c) --------------------------------------------------- */

/* Makes the store of a new member in `dir`, whose repo/ holds the group's
 * history cloned from `url` (named in errors): a new identity (protected by
 * `pass`), the local settings, and the whole history verified; with
 * `expect` (an SSH fingerprint), the founder must have that key. *request
 * is the join request line to hand to an admin (caller frees). The caller
 * removes `dir` on failure. */
int ccm_store_init_newcomer(char **request, const char *dir, const char *member, const char *pass,
                            size_t pass_len, const char *expect, const char *url);

/* ---- merging (merge.c, merge_commit.c, resolve.c) ------------------------- */

/* What a merge left out: {MEMBER: number of their commits whose effects it
 * did not apply} (strong removal), or NULL. The caller frees it. */
typedef struct {
    json_t *left_out;
    int rotate;       /* the group key is held by a removed member: an admin must rotate it */
    int foreign;      /* failed (CCM_EDENIED): a record version is sealed under a key this
                         member never held; a member who holds it must make this merge */
    json_t *excluded; /* {"HEX": true} of every commit left out, or NULL */
} ccm_merge_info;

/* Merges commit `theirs` into `ours` (neither an ancestor of the other):
 * the deterministic merge every replica computes, committed as a merge
 * commit signed by this member (not on any ref) whose id is *out. `info`
 * (may be NULL) tells what the merge left out. CCM_EDENIED, with
 * info->foreign set, if a record version is sealed under a key this member
 * never held. */
int ccm_store_merge_commit(git_oid *out, ccm_store *s, const git_oid *ours, const git_oid *theirs,
                           ccm_merge_info *info);

/* `member`'s roster entry in the membership the history below a and b
 * resolves to (new reference), NULL (with CCM_OK) if not a member. Reads
 * no record. */
int ccm_history_member(json_t **out, ccm_store *s, const git_commit *a, const git_commit *b,
                       const char *member);

/* The same, and what the merge of a and b would leave out (info->left_out,
 * info->excluded, as ccm_store_merge_commit tells them), without merging:
 * no record is read and nothing is written. `info` may be NULL. */
int ccm_history_member_info(json_t **out, ccm_merge_info *info, ccm_store *s, const git_commit *a,
                            const git_commit *b, const char *member);

#endif
