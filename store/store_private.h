/*
 * store_private.h - what the files of the store module share with each other
 * and with sync/ (the two modules that own libgit2): the store structure, the
 * tree layout, roster rules, verification, and small libgit2 helpers.
 *
 * Layout of the store folder:
 *   repo/      bare git repository (branch refs/heads/main)
 *   local.json member name and format (local only, never committed)
 *   identity   the member's secret keys, under the passphrase (0600)
 *   clock      the last HLC stamp this member issued
 *   cache      encrypted cache of decrypted records, keyed by commit id
 *   lock       flock(2) file serialising writers
 *
 * Layout of a commit's tree (history format 2), nothing else:
 *   roster.json            members, roles and public keys, the key epoch and
 *                          each epoch's key commitment (public by design)
 *   stamps.json            each member's latest stamp in this history
 *   keys/<epoch>/<member>  the group key of that epoch sealed to the member
 *   r/ab/cd/<60 hex>       one envelope per record; the name is a keyed hash
 *                          of (kind, id), fanned out 256 x 256
 * Every entry is a regular file (mode 100644) or a tree.
 */
#ifndef CCM_STORE_PRIVATE_H
#define CCM_STORE_PRIVATE_H

#include <git2.h>
#include <time.h>

#include "store.h"
#include "odb/odb.h"
#include "store_git.h"

#define CCM_ROSTER_PATH "roster.json"
#define CCM_STAMPS_PATH "stamps.json"
#define CCM_HISTORY_FORMAT 2
/* Records a single commit may change: an import of every activity of a
 * large group fits many times over. */
#define CCM_COMMIT_RECORDS_MAX 1000000
#define CCM_KEYS_DIR "keys"
#define CCM_SIG_NAMESPACE "git"
#define CCM_COMMIT_MESSAGE "ccmsync\n"
#define CCM_MAX_EPOCHS 4096
#define CCM_FUTURE_MS (60 * 60 * 1000) /* "far in the future": an hour ahead */

struct ccm_store {
    char *dir;
    char *git_dir;
    char *member;
    git_repository *repo;
    uint8_t *identity_file; /* serialised, locked identity */
    size_t identity_len;
    ccm_identity *id;                          /* after unlock */
    ccm_groupkey **keys;                       /* keys[epoch], after unlock; NULL where unknown */
    uint8_t (*cmts)[CCM_KEY_COMMITMENT_BYTES]; /* commitment of each keys[epoch] */
    uint32_t nkeys;                            /* capacity of keys and cmts */
    ccm_groupkey **alts;                       /* other keys of an epoch (concurrent rotations) */
    size_t nalts;
    uint32_t epoch;                /* current epoch (roster at HEAD) */
    json_t *roster;                /* roster at HEAD */
    struct ccm_memo *memo;         /* during sync: records already decrypted (memo.c) */
    struct ccm_memo *memo_retired; /* a finished sync's, freed later (memo.c) */
    uint8_t *local_key;            /* cache key, sodium_malloc'ed */
    char head[41];                 /* commit id at HEAD when opened/unlocked */
    char view[41];                 /* the commit reads are viewing, "" for HEAD (view.c) */
    int unchecked; /* the last commit verified changes records this member holds no key to
                      check (a non-merge commit: only its signature, stamps and membership were) */
};

/* ---- stamps (stamps.c) ---- */

int ccm_stamps_validate(const json_t *stamps);
/* A member's stamp (0 if none). */
uint64_t ccm_stamps_get(const json_t *stamps, const char *member);
/* The greatest stamp below `below` (0 if none). */
uint64_t ccm_stamps_max(const json_t *stamps, uint64_t below);
/* Reads and validates stamps.json of a tree (new reference). */
int ccm_stamps_read(json_t **out, git_repository *repo, const git_tree *tree);
int ccm_stamps_write(git_oid *oid, git_repository *repo, const json_t *stamps);
/* A copy of `stamps` (NULL: none) with member's stamp set (new reference). */
int ccm_stamps_with(json_t **out, const json_t *stamps, const char *member, uint64_t stamp);
/* The pointwise maximum (new reference). */
int ccm_stamps_merge(json_t **out, const json_t *a, const json_t *b);

/* Checks a commit's SSHSIG against `roster`: valid, by an active member who
 * may write, authored under that member's name. *signer is borrowed from
 * roster. */
int ccm_store_check_signature(ccm_store *s, git_repository *repo, const git_commit *commit,
                              const json_t *roster, const json_t **signer);

/* Checks every commit reachable from tip and not from hide (NULL: all),
 * oldest first; with `hide`, a root commit is refused as unrelated history.
 * The error names the first bad commit; *count (if non-NULL) is increased by
 * the number of commits checked. */
int ccm_store_verify_range(ccm_store *s, git_repository *repo, const git_oid *tip,
                           const git_oid *hide, json_t *warnings, size_t *count);

/* Trust by effect for one commit with one parent (or none), whose
 * signature by `signer` was checked against the parent's roster `proster`
 * (effect.c). Warnings (future stamps) go to `warnings` (may be NULL). */
int ccm_effect_check(ccm_store *s, git_repository *repo, const git_commit *commit,
                     const git_tree *tree, const json_t *roster, const git_tree *ptree,
                     const json_t *proster, const char *signer, json_t *warnings);
int ccm_effect_check_root(ccm_store *s, git_repository *repo, const git_tree *tree,
                          const json_t *roster, const char *signer);

/* Checks only the signature of the branch tip (cheap: one SSHSIG), so that
 * nobody writes on top of a commit slipped in by hand. */
int ccm_store_check_tip(ccm_store *s);

/* ---- roster (roster.c) ---- */

/* CCM_EVERIFY unless the roster is well formed: an epoch, and members each
 * with a valid unique name, a known role, parseable keys. */
int ccm_roster_validate(const json_t *roster);

/* The group id (ccm_store_group). */
#define CCM_GROUP_ID_LEN 16
int ccm_roster_group_id(char out[CCM_GROUP_ID_LEN + 1], const json_t *roster);

/* Sorts the members by name (the canonical form). */
int ccm_roster_canonicalise(json_t *roster);

/* The merge of two rosters: union of members by name (a removal wins, then
 * the later "since"), the greater epoch. *out is canonical. */
int ccm_roster_merge(json_t **out, const json_t *a, const json_t *b);

/* Writes a roster blob (sorted keys, one-space indent). */
int ccm_roster_write(git_oid *oid, git_repository *repo, const json_t *roster);

/* A record's tree name is CCM_NAME_LEN (64) hex digits (ccm_groupkey_record_name); its path
 * is "r/ab/cd/<remaining 60>". The envelope's associated data is the name, so
 * a blob cannot be moved to another path; after decryption the name is
 * recomputed from the document's kind and id and must match. */
#define CCM_PATH_MAX 80

/* The record name and path of (kind, id); name >= 65, path >= 80 bytes. */
void ccm_record_name(char name[65], const ccm_store *s, const char *kind, const char *id);
void ccm_record_path_of_name(char path[80], const char *name);

/* Decrypts, parses and validates the envelope stored under `name`.
 * CCM_EVERIFY if it does not decrypt, is malformed or names another record.
 * *out new reference. */
int ccm_store_decrypt_record(json_t **out, ccm_store *s, const char *name, const uint8_t *env,
                             size_t len);

/* The key of an envelope's epoch if it is loaded, else NULL (no loading, no
 * error set: safe next to worker threads that only read the keys). */
const ccm_groupkey *ccm_store_key_loaded(const ccm_store *s, const uint8_t *env, size_t len);

/* The same with the envelope's key already at hand: touches neither git nor
 * the store, so worker threads may call it (merge_parallel.c). */
int ccm_store_decrypt_record_key(json_t **out, const ccm_store *s, const ccm_groupkey *gk,
                                 const char *name, const uint8_t *env, size_t len);

/* The same for a blob id. */
int ccm_store_decrypt_blob(json_t **out, ccm_store *s, git_repository *repo, const char *name,
                           const git_oid *blob);

/* Encrypts a record's canonical text, to be stored under `name`, into a new
 * blob of `repo`. */
int ccm_store_write_text(git_oid *oid, ccm_store *s, git_repository *repo, const char *name,
                         const char *text, size_t len);

/* Encrypts a record into a new blob in `repo`; *oid receives its id and
 * name (if non-NULL, 65 bytes) its tree name. */
int ccm_store_write_record(git_oid *oid, char *name, ccm_store *s, git_repository *repo,
                           const json_t *rec);

/* The commit at the tip of the branch, or NULL with CCM_OK if the branch
 * does not exist yet. */
int ccm_store_head_commit(git_commit **out, ccm_store *s);

/* Frees the rosters read so far (leak-checked builds, at exit). */
void ccm_store_roster_cache_clear(void);

/* Loads the group key of `epoch` sealed to this member in `tree` and checks
 * it against the commitment that tree's roster publishes (CCM_EVERIFY if it
 * differs: an admin sealed a key that is not the group's). `roster` is the
 * tree's roster, or NULL to read it. A key of an epoch that is already
 * loaded with another commitment is kept as an alternate (two admins
 * rotated concurrently); CCM_EDENIED if nothing is sealed to this member. */
int ccm_store_load_key(ccm_store *s, const git_tree *tree, uint32_t epoch);
int ccm_store_load_key_with(ccm_store *s, const git_tree *tree, const json_t *roster,
                            uint32_t epoch);

/* Makes the loaded key of `epoch` that `roster` publishes the one
 * ccm_store_key returns (after concurrent rotations, each side has its own). */
void ccm_store_promote_key(ccm_store *s, uint32_t epoch, const json_t *roster);

/* The loaded key of `epoch` whose commitment `roster` publishes, or NULL. */
const ccm_groupkey *ccm_store_key_for(ccm_store *s, uint32_t epoch, const json_t *roster);

/* The commitment `roster` publishes for `epoch` (32 bytes), 0 if none. */
int ccm_roster_commitment(uint8_t out[CCM_KEY_COMMITMENT_BYTES], const json_t *roster,
                          uint32_t epoch);

/* The group key for `epoch`, or NULL (with a CCM_EDENIED error set). */
const ccm_groupkey *ccm_store_key(ccm_store *s, uint32_t epoch);

/* Creates a signed commit of `tree` with `parents` by this member and returns
 * its id (not moving any ref). */
int ccm_store_commit_signed(git_oid *out, ccm_store *s, git_repository *repo, const git_tree *tree,
                            const git_commit **parents, size_t nparents);

/* Store-folder helpers shared by init and join. */
int ccm_store_write_local(const char *dir, const char *member);
int ccm_store_write_identity(const char *dir, const ccm_identity *id, const char *pass,
                             size_t pass_len);

/* Reads under a view (view.c): the commit id reads are at (the view's, else
 * HEAD's), that commit, and CCM_EINVALID with a message while a view is set
 * (CCM_OK otherwise). */
const char *ccm_store_read_head(const ccm_store *s);
int ccm_store_read_commit(git_commit **out, ccm_store *s);
int ccm_store_view_refuse_write(const ccm_store *s);

/* The last HLC stamp this member issued (0 if none), and recording a new
 * one; both under the write lock. */
uint64_t ccm_store_clock_load(ccm_store *s);
int ccm_store_clock_save(ccm_store *s, uint64_t stamp);

/* Writes of this many records or more (a transaction, the records a merge
 * takes from the other side) go to one pack file; smaller ones write loose
 * objects rather than one more small pack. A loose object costs a file to
 * create and, later, one to open for every read. */
#define CCM_PACK_THRESHOLD 16

/* ---- the deterministic merge (merge.c, merge_parallel.c, resolve.c, replay.c) ---- */

/* Computes the tree of the merge of commits a and b and writes it (and the
 * objects it needs) through `w` (the store, or pk's handle when pk is not
 * NULL). The result depends on the two histories only: recomputing it is
 * how a merge commit is verified. */
#define CCM_MERGE_META_ONLY 0x1 /* roster, stamps and keys only; a's records as they are */
int ccm_merge_trees(git_oid *tree, ccm_store *s, git_repository *w, ccm_odb_batch *pk,
                    const git_commit *a, const git_commit *b, ccm_merge_info *info, int flags);

/* Records changed on both sides of a merge, joined on worker threads
 * (merge_parallel.c). Add the jobs, then run: for each job in the order added, either
 * emit gets the sealed join (to write as a blob), or redo is asked to do that
 * job on the calling thread (a key not loaded yet, or an error to report). */
typedef struct ccm_joins ccm_joins;
typedef int (*ccm_joins_emit_fn)(void *ctx, const char *name, const git_oid *id, const uint8_t *env,
                                 size_t len);
typedef int (*ccm_joins_redo_fn)(void *ctx, const char *name, const git_oid *ours,
                                 const git_oid *theirs);
int ccm_joins_add(ccm_joins **js, const char *name, const git_oid *ours, const git_oid *theirs);
int ccm_joins_run(ccm_joins *js, ccm_store *s, const ccm_groupkey *key, ccm_joins_emit_fn emit,
                  ccm_joins_redo_fn redo, void *ctx);
void ccm_joins_free(ccm_joins *js);

/* The membership of a merged history when its two sides disagree about a
 * removal (resolve.c): every membership change of the history, which ones
 * stand (strong removal: a removed member's commits that the removal did
 * not see are left out, whatever their dates; concurrent removals of admins
 * settled by seniority), and the records whose versions carry effects of
 * commits left out, replayed from the effects that stand (replay.c). */
typedef struct ccm_history ccm_history;
/* 1 if the two trees' rosters disagree about a removal or a key epoch (the
 * merge must resolve the membership), 0 if not. */
int ccm_history_needed(ccm_store *s, const git_tree *a, const git_tree *b);
int ccm_history_resolve(ccm_history **out, ccm_store *s, const git_commit *a, const git_commit *b);
void ccm_history_free(ccm_history *h); /* NULL-safe */
/* The resolved roster (new reference). */
int ccm_history_roster(json_t **out, ccm_history *h);
/* The sealed keys that stand: {"keys/E/NAME": "BLOB ID"} (new reference). */
int ccm_history_keys(json_t **out, ccm_history *h);
/* This member's key of the resolved `epoch`, or NULL. */
const ccm_groupkey *ccm_history_epoch_key(ccm_history *h, ccm_store *s, uint32_t epoch);
/* The i-th record name to replay, or NULL past the last. */
const char *ccm_history_touched(const ccm_history *h, size_t i);
int ccm_history_touches(const ccm_history *h, const char *name);
/* 1 if keys were dropped: one-sided records must be checked against the
 * merge's key (ccm_history_key_ok) and sealed again if they are not. */
int ccm_history_resealing(const ccm_history *h);
int ccm_history_key_ok(ccm_history *h, const ccm_groupkey *key, const char *name,
                       const uint8_t *env, size_t len);
/* The record `name` as the effects that stand make it (new reference), or
 * NULL (with CCM_OK) if none of them touched it. */
int ccm_history_replay(json_t **out, ccm_history *h, ccm_store *s, const char *name);
/* Fills what the merge left out. */
int ccm_history_info(ccm_history *h, ccm_merge_info *info);
/* The commits below `head` whose effects its resolved membership leaves out
 * (a removed member's commits the removal did not see): {"HEX": true}, new
 * reference, empty if none. */
int ccm_history_left_out(json_t **out, ccm_store *s, const git_commit *head);

/* Defined in builds with a leak checker: they free everything at exit too,
 * so that it reports real leaks only (ccm_store_free_at_exit). */
#if defined(__SANITIZE_ADDRESS__)
#define CCM_LEAK_CHECKED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define CCM_LEAK_CHECKED 1
#endif
#endif

/* The memo of decrypted records (memo.c), on between ccm_store_memo_begin
 * and end (or retire: store_git.h). get returns a new reference to a
 * shared record, or NULL; put keeps one. ccm_store_free_at_exit leaves a
 * retired memo's records to the exit. */
void ccm_store_memo_end(ccm_store *s);
json_t *ccm_store_memo_get(ccm_store *s, const char *name, const git_oid *oid);
void ccm_store_memo_put(ccm_store *s, const char *name, const git_oid *oid, json_t *rec);

/* fn(ctx, i) for every i < n, on up to ccm_parallel_threads() threads, the
 * calling one included (parallel.c); returns when all are done. */
unsigned ccm_parallel_threads(void);
void ccm_parallel_for(size_t n, void (*fn)(void *ctx, size_t i), void *ctx);

#endif
