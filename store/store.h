/*
 * store.h - the encrypted, signed object store in git, holding the record
 * documents of store/record/record.h (which this header includes).
 *
 * store owns jansson: records cross this header as json_t. It owns libgit2 for
 * the local repository too, but no git type appears here. Nothing here prints
 * or exits; errors are reported through ccm_error_set (crypto/base/base.h).
 */
#ifndef CCM_STORE_H
#define CCM_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "../crypto/crypto.h"
#include "record/record.h" /* records, schema, stamps, canonical text */

_Static_assert(CCM_SCHEMA_CAPSULE_BYTES == CCM_NOTEKEY_CAPSULE_BYTES,
               "a note's sealed keys are crypto's capsules");

/* ===== wall clock (clock.c) ============================================== */

/* Current wall clock in unix milliseconds (CCMSYNC_CLOCK_OFFSET applied). */
uint64_t ccm_clock_now_ms(void);

/* ===== the store =========================================================== */

typedef struct ccm_store ccm_store;

/* Creates a new store in `dir` (must not exist or be empty) and a new group
 * whose first admin is `member`: identity, group key epoch 1, roster, first
 * signed commit. pass == NULL means --no-passphrase. */
int ccm_store_init(const char *dir, const char *member, const char *pass, size_t pass_len);

/* Opens an existing store (CCM_ENOTFOUND if there is none). Keys stay locked
 * until ccm_store_unlock. */
int ccm_store_open(ccm_store **out, const char *dir);
void ccm_store_free(ccm_store *s); /* NULL-safe */
/* ccm_store_free for a process about to exit: every secret is wiped and
 * freed, but the records a sync decrypted are left to the exit, which frees
 * them at no cost (a large merge's take about 10 ms to free one by one).
 * Builds with a leak checker free everything. NULL-safe. */
void ccm_store_free_at_exit(ccm_store *s);

/* 1 if unlocking needs a passphrase. */
int ccm_store_needs_passphrase(const ccm_store *s);

/* Unlocks the member's identity and opens the current group key.
 * CCM_EPASSPHRASE on a wrong passphrase, CCM_EDENIED if no group key is
 * sealed to this member. */
int ccm_store_unlock(ccm_store *s, const char *pass, size_t pass_len);

/* The member name of this store (borrowed). */
const char *ccm_store_member(const ccm_store *s);

/* This member's role in the roster at HEAD ("admin", "editor", "reader") or
 * NULL if the member is not in the roster (borrowed). */
const char *ccm_store_role(const ccm_store *s);

/* Borrowed identity (after unlock), NULL before. */
const ccm_identity *ccm_store_identity(const ccm_store *s);

/* The roster at HEAD as JSON (new reference):
 *   {"epoch": N, "members": [{"name","role","sign_key","box_key","since"}...]} */
int ccm_store_roster(json_t **out, ccm_store *s);

/* The group's identity, to compare out of band (new reference):
 *   {"group": ID, "admins": [{"name", "fingerprint"}], "founder": NAME}
 * ID names the group for good: a hash of its founder's name, signing key and
 * founding time, which every roster of the group carries. */
int ccm_store_group(json_t **out, ccm_store *s);

/* How fresh this replica's view is (new reference): the key epoch at HEAD
 * and, per member of the roster, their role, whether they were removed, and
 * the time of their newest commit this replica holds:
 *   {"epoch": E, "members": {NAME: {"role", "removed", "last_commit"}}} */
int ccm_store_freshness(json_t **out, ccm_store *s);

/* Reads one record at HEAD (new reference). CCM_ENOTFOUND if absent. */
int ccm_store_get(json_t **out, ccm_store *s, const char *kind, const char *id);

/* Every record of `kind` at HEAD, sorted by id (new reference: an array of
 * record documents, tombstoned ones included). Served from the local cache,
 * brought up to date incrementally when HEAD moved. */
int ccm_store_list(json_t **out, ccm_store *s, const char *kind);

/* Calls fn for every record of `kind` at HEAD in id order, one document at
 * a time (borrowed for the call), so listings of any size need memory for
 * one record. `needle` (or NULL) pre-filters on the canonical text. Stops
 * at, and returns, the first error fn returns. */
typedef int (*ccm_record_fn)(const json_t *rec, void *payload);
int ccm_store_foreach(ccm_store *s, const char *kind, const char *needle, ccm_record_fn fn,
                      void *payload);

/* Like ccm_store_list, but only records whose canonical serialisation
 * contains `needle` (a cheap pre-filter: callers still test each record). */
int ccm_store_list_matching(json_t **out, ccm_store *s, const char *kind, const char *needle);

/* For every state with a done activity, the date of the latest one
 * ({STATE: "YYYY-MM-DD"}, new reference), at HEAD or the view's commit:
 * kept up to date in the local cache, so it costs no more than reading the
 * cache's index. */
int ccm_store_last_activity(json_t **out, ccm_store *s);

/* Resolves a unique id prefix of `kind` into the full id (caller frees).
 * CCM_ENOTFOUND if none matches, CCM_EINVALID if several do. */
int ccm_store_resolve(char **full, ccm_store *s, const char *kind, const char *prefix);

/* ---- reading the past (store/view.c) ------------------------------------ */

/* Makes the reads above (ccm_store_get, ccm_store_list, ccm_store_foreach,
 * ccm_store_list_matching, ccm_store_resolve) read the records as they stood
 * at one commit of the branch's history, until called again; spec NULL goes
 * back to HEAD. `spec` is a date YYYY-MM-DD (the first commit of the
 * first-parent chain from HEAD whose committer time is at or before 23:59:59
 * UTC that day) or a commit id or unique prefix of 4 to 40 hex digits (an
 * ancestor of HEAD, or HEAD). While a view is set every write is refused
 * (ccm_txn_begin, membership changes and sync fail with CCM_EINVALID); the
 * local cache keeps following HEAD. CCM_EINVALID naming the spec if it is
 * malformed, ambiguous, or names no commit of the history. */
int ccm_store_view_at(ccm_store *s, const char *spec);

/* The commit the reads are viewing (41 bytes with NUL) and its committer
 * time in unix seconds; "" and 0 when no view is set (reads are at HEAD). */
int ccm_store_view(char commit[41], int64_t *time, ccm_store *s);

/* ---- writing: one transaction = one signed commit ------------------------ */

typedef struct ccm_txn ccm_txn;

/* Starts a write: takes the store's write lock (waiting up to
 * CCMSYNC_LOCK_TIMEOUT seconds, default 30; CCM_ELOCKED past that) and reads
 * HEAD. Requires an unlocked store. */
int ccm_txn_begin(ccm_txn **out, ccm_store *s);

/* The transaction's one stamp: every entry, tag and tombstone it writes
 * carries it (and the commit records it in stamps.json), so each names this
 * commit. Fixed at the first call: after this member's earlier stamps and
 * every stamp the history and the records read so far hold. */
uint64_t ccm_txn_stamp(ccm_txn *t);

/* The current version of a record, staged or at HEAD (new reference), or
 * CCM_ENOTFOUND. */
int ccm_txn_get(json_t **out, ccm_txn *t, const char *kind, const char *id);

/* Stages a record (takes a new reference of its own; the caller keeps rec). */
int ccm_txn_put(ccm_txn *t, const json_t *rec);

/* Number of staged records. */
size_t ccm_txn_count(const ccm_txn *t);

/* Encrypts the staged records, writes the tree and one signed commit, and
 * moves the branch by compare-and-swap. If nothing changed, writes nothing.
 * Large transactions are written as one pack. */
int ccm_txn_commit(ccm_txn *t);

/* Releases the lock; discards what was not committed. NULL-safe. */
void ccm_txn_free(ccm_txn *t);

/* ---- history ---------------------------------------------------------- */

/* Field-level history, newest first: an array of
 *   {"commit","member","at","record","field","old","new"}
 * (old/new are a string, a sorted array or null). `kind`/`id` restrict it to
 * one record (id NULL: all), `member` to changes made by that member,
 * `since_ms` to changes at or after that time (0: all). */
int ccm_store_log(json_t **out, ccm_store *s, const char *kind, const char *id, const char *member,
                  uint64_t since_ms);

/* Checks every commit reachable from HEAD: signatures by members allowed to
 * write, membership changes by admins, envelope integrity. CCM_EVERIFY
 * naming the first bad commit. Warnings (changes stamped far in the future)
 * are appended to `warnings` (an array; may be NULL). */
int ccm_store_verify(ccm_store *s, json_t *warnings);

/* The commit id at HEAD (41 bytes with NUL) or "" if none. */
void ccm_store_head(char out[41], ccm_store *s);

/* The path of the store's git repository (borrowed). */
const char *ccm_store_git_dir(const ccm_store *s);

#endif
