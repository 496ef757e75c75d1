/*
 * store.h - records as CRDT documents, the schema of spec section 2, and the
 * encrypted, signed object store in git.
 *
 * store owns jansson: records cross this header as json_t. It owns libgit2 for
 * the local repository too, but no git type appears here. Nothing here prints
 * or exits; errors are reported through ccm_error_set (crypto/crypto.h).
 */
#ifndef CCM_STORE_H
#define CCM_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <jansson.h>

#include "../crypto/crypto.h"

/* ===== hybrid logical clock ================================================ */

/* A stamp is (unix milliseconds << 16) | logical counter. Per member, stamps
 * are strictly increasing. */
#define CCM_STAMP_MS(s) ((s) >> 16)

/* The next stamp after `last` at wall-clock time `now_ms`:
 * max(now_ms << 16, last + 1). */
uint64_t ccm_hlc_next(uint64_t last, uint64_t now_ms);

/* Current wall clock in unix milliseconds. */
uint64_t ccm_clock_now_ms(void);

/* RFC 3339 UTC with milliseconds ("2025-03-06T10:00:00.123Z"); out >= 32 bytes. */
void ccm_stamp_format(char out[32], uint64_t stamp);

/* ===== records (store/crdt.c: pure, no I/O, no clock, no keys) ============= */

/*
 * A record document, the plaintext inside one envelope:
 *
 *   {"v": 1, "kind": "state"|"activity"|"note", "id": ID,
 *    "fields": {NAME: ENTRY, ...},
 *    "rm": REGISTER}                       (optional: tombstone register)
 *
 * A scalar field is a multi-value register:
 *   {"r": [{"v": STRING|null, "s": STAMP, "m": MEMBER, "vv": {MEMBER: STAMP}}, ...]}
 * An assignment made by MEMBER at STAMP carries a version vector `vv`: the
 * pointwise maximum of the vectors of every entry it replaced, with
 * vv[MEMBER] = STAMP. Entry e is superseded by entry f (f != e) when
 * f.vv[e.m] >= e.s. The join keeps the union of both sides' entries minus
 * the superseded ones; the winner is the greatest (s, m); the others are the
 * concurrent losers shown under "conflicts". `null` is a cleared field.
 * Entries are kept sorted by (s, m) descending.
 *
 * A set field is an add-wins observed-remove set:
 *   {"set": {ELEM: {"a": [[S, M], ...], "r": [[S, M], ...]}}, "u": [S, M]}
 * ELEM is present when some add tag in "a" is not in "r". Removing moves the
 * observed add tags into "r". "u" is the greatest (S, M) of any operation on
 * the set (for meta/blame). Tag arrays are sorted ascending and duplicate-free.
 *
 * Every document this module returns is canonical: serialised with
 * JSON_SORT_KEYS | JSON_COMPACT, equal documents are equal bytes.
 */

/* Limits, far above real use (a group of a dozen members, a few hundred
 * states, thousands of activities), documented in docs/security.md:
 *   - on what one commit may add to a record (ccm_record_check_effect): a
 *     new value is at most 64 KiB (the schema's), new fields and new set
 *     elements per commit are bounded, so no member can stall the others
 *     with one huge change;
 *   - on what a record may hold at all (ccm_record_validate, on every record
 *     decrypted): much higher, since merges add up what commits added; a
 *     single-value field holds at most one value per member (a member's later
 *     value supersedes their earlier ones, forks included), and the join
 *     keeps at most the maximum number of fields and set elements (forks
 *     merged cannot make a record no one can open). */
#define CCM_RECORD_BYTES_MAX (16 * 1024 * 1024)  /* plaintext of one record */
#define CCM_RECORD_FIELDS_MAX 4096               /* fields of one record */
#define CCM_MAX_MEMBERS 1000                     /* members ever in a group */
#define CCM_REGISTER_ENTRIES_MAX CCM_MAX_MEMBERS /* concurrent values of one field */
#define CCM_SET_ELEMS_MAX 4096                   /* elements of one set field */
#define CCM_ELEM_TAGS_MAX 65536                  /* add and remove tags of one element */
#define CCM_COMMIT_NEW_FIELDS_MAX 64             /* fields one commit adds to a record */
#define CCM_COMMIT_NEW_ELEMS_MAX 1024            /* set elements one commit adds to a field */

/* A new empty record (new reference). NULL on OOM. */
json_t *ccm_record_new(const char *kind, const char *id);

/* Assigns a scalar field: `value` is a string, or NULL to clear.
 * CCM_EINVALID if the field exists as a set. */
int ccm_record_assign(json_t *rec, const char *field, const char *value, uint64_t stamp,
                      const char *member);

/* Adds an element to a set field (a fresh tag (stamp, member)). */
int ccm_record_set_add(json_t *rec, const char *field, const char *elem, uint64_t stamp,
                       const char *member);

/* Removes an element: every add tag observed here moves to "r". Removing an
 * absent element is not an error (it only bumps "u"). */
int ccm_record_set_remove(json_t *rec, const char *field, const char *elem, uint64_t stamp,
                          const char *member);

/* Marks the record deleted (tombstone register "rm" = "1") or undeleted. */
int ccm_record_delete(json_t *rec, uint64_t stamp, const char *member);

/* 1 if the record's tombstone register currently holds "1". */
int ccm_record_is_deleted(const json_t *rec);

/* Brings a deleted record back: the tombstone register becomes "0" by an
 * assignment that supersedes the deletion, and the record shows the fields
 * it had (store/revive.c). Same arguments and errors as ccm_record_delete. */
int ccm_record_undelete(json_t *rec, uint64_t stamp, const char *member);

/* Checks that `rec` has the document shape above (untrusted input: this runs
 * on everything decrypted). CCM_EVERIFY with a message naming the bad part. */
int ccm_record_validate(const json_t *rec);

/* The join of two versions of the same record: commutative, associative and
 * idempotent. *out is a new reference. CCM_EVERIFY if either is malformed or
 * they name different records. */
int ccm_record_join(json_t **out, const json_t *a, const json_t *b);

/* The same join for records already validated (every record the store
 * opens is): faster, because *out shares the parts it does not change with
 * a and b, so none of the three may be modified afterwards. */
int ccm_record_join_shared(json_t **out, const json_t *a, const json_t *b);

/* Checks that `new_rec` is what one commit by `member` stamped `stamp` may
 * make of `old_rec` (NULL: a new record), both validated documents of one
 * record: every change is an operation of this member at this stamp on the
 * old version (nothing dropped, rolled back or attributed to another), the
 * values and elements it writes pass the schema, required fields stay, and
 * only a note's author (contents) or recipients (sharing) change a note;
 * with `members` ({NAME: ...} of everyone ever in the group; NULL: not
 * checked), the recipients it adds to a note are members. CCM_EVERIFY naming
 * the record and field. Pure (crdt_effect.c). */
int ccm_record_check_effect(const json_t *old_rec, const json_t *new_rec, const char *member,
                            uint64_t stamp, const json_t *members);

/* The part of `new_rec` that one commit added to `old_rec` (NULL: none):
 * the registers it assigned, the tags it added or removed, its tombstone,
 * as a record document whose join with the rest of history gives that
 * commit's contribution (new reference). For versions that passed
 * ccm_record_check_effect. */
int ccm_record_effect(json_t **out, const json_t *old_rec, const json_t *new_rec);

/* The greatest stamp found anywhere in the record (0 if none). */
uint64_t ccm_record_max_stamp(const json_t *rec);

/* The record as the spec's JSON shape (new reference):
 *   {"id", "kind", "fields": {NAME: STRING | [sorted STRING...]},
 *    "meta": {NAME: {"by", "at"}}, "conflicts": {NAME: [{"value","by","at"}]}}
 * Cleared scalars and empty sets are absent from fields and meta. */
json_t *ccm_record_view(const json_t *rec);

/* For blame: {NAME: {"value": V|null, "by", "at"}} for every field ever
 * assigned, including cleared ones (new reference). */
json_t *ccm_record_blame(const json_t *rec);

/* Effective value of one field: a string, a sorted array of strings, or NULL
 * when absent/cleared (new reference or NULL). */
json_t *ccm_record_field_value(const json_t *rec, const char *field);

/* ===== schema (store/schema.c) ============================================ */

typedef enum {
    CCM_FT_TEXT = 0,
    CCM_FT_ENUM,
    CCM_FT_DATE,
    CCM_FT_SET,
} ccm_field_type;

/* 1 if `kind` is "state", "activity" or "note". */
int ccm_schema_is_kind(const char *kind);

/* CCM_EINVALID unless `name` matches [a-z][a-z0-9_]{0,63}. */
int ccm_schema_check_field_name(const char *name);

/* The type of a field of a kind; user-defined fields are text. */
ccm_field_type ccm_schema_field_type(const char *kind, const char *field);

/* Validates a scalar value (enum member, YYYY-MM-DD calendar date, text
 * without NUL of at most 64 KiB, one line unless ccm_schema_is_multiline);
 * NULL (clearing) is refused for required fields. CCM_EINVALID with a
 * message naming the field, the value and the accepted values. */
int ccm_schema_check_value(const char *kind, const char *field, const char *value);

/* Activities and notes are named by this many lowercase hex digits. */
#define CCM_RECORD_HEX_ID_LEN 16

/* CCM_EINVALID unless `id` names a record of `kind`: an ISO 3166-1 alpha-3
 * code for a state, CCM_RECORD_HEX_ID_LEN lowercase hex digits otherwise. */
int ccm_schema_check_record_id(const char *kind, const char *id);

/* The NULL-terminated names of the fields a new record of `kind` must carry
 * and no write may clear (static), or NULL if none. */
const char *const *ccm_schema_required_fields(const char *kind);

/* 1 if no write may clear the field (an activity's type and date; a note's
 * attachment, author and sealed content). */
int ccm_schema_is_required(const char *kind, const char *field);

/* 1 if the field's text may span lines (summaries, comments, user-defined
 * fields); other text is one line, without control characters or
 * bidirectional overrides. */
int ccm_schema_is_multiline(const char *kind, const char *field);

/* 1 if the elements of a set field name members (lead, by, a note's to). */
int ccm_schema_elem_is_member(const char *kind, const char *field);
/* 1 if the schema defines the field (not a field of the group's own). */
int ccm_schema_is_defined(const char *kind, const char *field);

/* Validates one element of a set field (an enum member, an ISO 3166-1
 * alpha-3 code for activity "states", a member name for "lead"/"by"). */
int ccm_schema_check_elem(const char *kind, const char *field, const char *elem);

/* CCM_EINVALID unless `name` is a valid member name: [A-Za-z0-9][A-Za-z0-9._-]{0,63}. */
int ccm_schema_check_member_name(const char *name);

/* CCM_EINVALID unless `code` is an ISO 3166-1 alpha-3 code (upper case). */
int ccm_schema_check_state_id(const char *code);

/* The ISO 3166-1 name of an alpha-3 code, or NULL. */
const char *ccm_schema_iso_name(const char *alpha3);

/* Comma-separated accepted values of an enum or enum-set field (static), or
 * NULL if the field is not an enum. */
const char *ccm_schema_accepted(const char *kind, const char *field);

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

/* ---- timing (trace.c) ------------------------------------------------------ */

/* The wall time of each phase of a sync or a merge, for developers: the
 * library reports each phase (its name and its milliseconds) to the
 * function set here, if any; ccm_trace reports the time since *t0 for
 * `phase`, then sets *t0 to now. */
typedef void (*ccm_trace_fn)(const char *phase, double ms, void *payload);
void ccm_trace_set(ccm_trace_fn fn, void *payload);
void ccm_trace(const char *phase, struct timespec *t0);

/* ---- rosters (roster.c): pure, on the roster document ---------------------- */

/* Member entries by name or signing key (borrowed), NULL if none. */
const json_t *ccm_roster_member(const json_t *roster, const char *name);
const json_t *ccm_roster_member_by_key(const json_t *roster, const uint8_t pk[32]);

/* Not removed; not removed and admin or editor; not removed and admin. */
int ccm_roster_is_active(const json_t *member);
int ccm_roster_may_write(const json_t *member);
int ccm_roster_is_admin(const json_t *member);

/* The founder's entry (the one member who added themself), or NULL. */
const json_t *ccm_roster_founder(const json_t *roster);

/* ---- membership (store/member.c) ----------------------------------------- */

/* Admits the member of a join request with `role` (admin, editor, reader):
 * records their keys and role in the roster and seals every group key epoch
 * to them, in one signed commit. Admins only (CCM_EDENIED otherwise);
 * CCM_EINVALID for a malformed request or a name taken by another key. */
int ccm_store_member_add(ccm_store *s, const char *request, const char *role);

/* Removes a member (admins only; not the last admin): marks them removed in
 * the roster and starts a new group key epoch sealed to the remaining
 * members only, so nothing written from then on can be read by the removed
 * member. What they already had stays theirs. One signed commit. */
int ccm_store_member_remove(ccm_store *s, const char *name);

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
