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
#include <time.h>
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
 * them at no cost (freeing a large merge's one by one is a visible share
 * of a sync's time).
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
 * local cache keeps following HEAD. CCM_EINVALID naming the accepted forms if it is
 * malformed, ambiguous, or names no commit of the history. */
int ccm_store_view_at(ccm_store *s, const char *spec);

/* The commit the reads are viewing (41 bytes with NUL) and its committer
 * time in unix seconds; "" and 0 when no view is set (reads are at HEAD). */
int ccm_store_view(char commit[41], int64_t *time, ccm_store *s);

/* The roster as of the viewed commit (HEAD's without a view): who was a
 * member then. *out is a copy the caller owns. */
int ccm_store_view_roster(json_t **out, ccm_store *s);

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
/* How many active admins `roster` has. */
size_t ccm_roster_active_admins(const json_t *roster);

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

/* ===== field operations (store/fields.c) ================================= */

/* What people write to change a record, on the command line and in an
 * import: field=value sets a scalar or, for a set field, replaces the set
 * (comma-separated elements); field= clears (a scalar) or empties (a set);
 * field+=item adds to a set; field-=item removes from it. */
typedef enum { CCM_FIELD_SET, CCM_FIELD_CLEAR, CCM_FIELD_ADD, CCM_FIELD_REMOVE } ccm_field_op_kind;

typedef struct {
    ccm_field_op_kind op;
    char *field;
    char *value; /* NULL for CCM_FIELD_CLEAR */
} ccm_field_op;

typedef struct {
    ccm_field_op *ops;
    size_t n;
} ccm_field_ops;

/* Parses and validates field arguments for `kind` (nothing is written):
 * values against the schema, date forms (ccm_date_day) stored as the day
 * they name, an activity's states in any case stored upper case. One bad
 * argument refuses them all: CCM_EINVALID naming it, *out left empty. */
int ccm_field_ops_parse(ccm_field_ops *out, const char *kind, int argc, char **argv);
void ccm_field_ops_free(ccm_field_ops *ops); /* NULL-safe, twice too */

/* Checks parsed operations before anything is written: a field name that
 * is a typo of a known field is refused ("did you mean ...?") unless it is
 * in `in_use` (an object keyed by field names, or NULL); the members named
 * by lead/by assignments and additions are looked up in `roster` (NULL: not
 * checked): an unknown name is refused listing the members (`strict`) or
 * accepted with a warning; a removed member is accepted with a warning.
 * Warnings ("'NAME' is not a member of the group") are appended to
 * `warnings` (an array, or NULL), each once, whatever the result. */
int ccm_field_ops_check(const ccm_field_ops *ops, const char *kind, const json_t *in_use,
                        const json_t *roster, int strict, json_t *warnings);

/* Applies parsed operations to a record document, stamped by the
 * transaction, by `member`. Removing an absent element and assigning a set
 * what it holds change nothing. */
int ccm_field_ops_apply(json_t *rec, const ccm_field_ops *ops, ccm_txn *txn, const char *member);

/* ===== typos and member names (store/suggest.c) ========================== */

/* The optimal string alignment distance (Levenshtein with transpositions of
 * adjacent characters) between a and b. */
size_t ccm_edit_distance(const char *a, const char *b);

/* The entry of the NULL-terminated `known` closest to `word` if it is near
 * enough to be a typo of it (1 edit for names of up to 4 characters, 2 for
 * longer ones) and not `word` itself; else NULL. */
const char *ccm_suggest(const char *word, const char *const *known);

/* The fields the schema defines for a kind, computed ones included
 * (NULL-terminated, static). */
const char *const *ccm_known_fields(const char *kind);

/* 1 if `field` is computed from other records (last_activity of a state). */
int ccm_field_is_computed(const char *kind, const char *field);

/* Refuses (CCM_EINVALID, "did you mean ...?") a field name that is not one
 * of the kind's known fields (or "id" when `with_id`) but is a typo of one.
 * Names in `in_use` (an object whose keys are field names, or NULL) are
 * accepted as they are. */
int ccm_check_field_typo(const char *kind, const char *field, const json_t *in_use, int with_id);

/* Checks a member name against the roster: CCM_OK for an active member;
 * for a removed one CCM_OK with *past set (when past is non-NULL);
 * CCM_EINVALID naming the members (and the closest one) otherwise. */
int ccm_check_member(const json_t *roster, const char *name, int *past);

/* ===== date forms (store/dates.c) ========================================= */

/* A day or a span of days, YYYY-MM-DD each (lo == hi for one day). */
typedef struct {
    char lo[11], hi[11];
} ccm_days;

/* Today (UTC) as YYYY-MM-DD, or $CCMSYNC_TODAY when set (CCM_EINVALID if
 * that is not a YYYY-MM-DD date). */
int ccm_date_today(char out[11]);

/* A date argument: YYYY-MM-DD; YYYY-MM (the month: lo its first day, hi its
 * last); "today"; -Nd or +Nd (N days before or after today). CCM_EINVALID
 * naming `what` and the accepted forms. */
int ccm_date_parse(ccm_days *out, const char *arg, const char *what);

/* One day: a form of ccm_date_parse that is not a month. */
int ccm_date_day(char out[11], const char *arg, const char *what);

/* N days after (negative: before) YYYY-MM-DD `day`, into out; CCM_EINVALID
 * when the result leaves the years 1900-2999. */
int ccm_date_add(char out[11], const char *day, long n);

/* ===== CSV reader (store/csv.c) =========================================== */

typedef struct {
    const char *p, *end;
} ccm_csv;

/* Starts reading `len` bytes of `text` (borrowed while reading). */
void ccm_csv_init(ccm_csv *csv, const char *text, size_t len);

/* Reads the next row into *cells (n cells, each malloc'ed; free with
 * ccm_csv_row_free). Returns 1 for a row, 0 at the end, CCM_EINVALID on a
 * malformed row (unterminated quote, text after a closing quote). Blank
 * lines are skipped. */
int ccm_csv_row(ccm_csv *csv, char ***cells, size_t *n);

void ccm_csv_row_free(char **cells, size_t n); /* NULL-safe */

/* ===== import (store/import.c) ============================================ */

/* One record of an import, validated: its kind ("state" or "activity",
 * static), its id, the field operations to apply to it, and whether it is a
 * new activity (given no id: a fresh one, which needs a type and a date). */
typedef struct {
    const char *kind;
    char id[CCM_RECORD_HEX_ID_LEN + 1];
    ccm_field_ops ops;
    int is_new;
} ccm_import_record;

/* The records of an import document, in its order. */
typedef struct {
    ccm_import_record *records;
    size_t n, cap;
} ccm_import;

/* Reads and validates an import document in full (nothing is written):
 * JSON {"states": [{"id", "fields"}], "activities": [{"id"?, "fields"}]}
 * (other keys ignored, so an export imports) or CSV (a header row of field
 * names, `id` first for states; an `id` column elsewhere for activities;
 * set cells separated by ';'), told apart by `name` (ending in .csv or
 * .json; NULL or anything else: by the text, JSON starting with '{').
 * Values are checked as field operations (ccm_field_ops_parse); a state's
 * id is an ISO 3166-1 alpha-3 code, an activity's 16 hex digits or absent
 * (a new one: it needs a type and a date); computed fields are skipped.
 * CCM_EINVALID with a one-line message "import: WHERE: WHAT" naming the
 * record (states[5], line 3, header column 2) and the bad part; *out is
 * left empty on failure. */
int ccm_import_parse(ccm_import *out, const char *name, const char *text, size_t len);

/* The same for a JSON document already loaded. */
int ccm_import_doc(ccm_import *out, const json_t *doc);

/* Checks a parsed import against the group: field names that are typos of
 * known ones are refused; names in lead/by outside `roster` are accepted,
 * with a warning appended to `warnings` (an array, or NULL) once per name,
 * as are past members (ccm_field_ops_check, not strict). */
int ccm_import_check(const ccm_import *imp, const json_t *roster, json_t *warnings);

/* Fill only: set a field only where it holds no value, add only the set
 * elements that are missing, leave every existing activity and every
 * removed record alone. */
#define CCM_IMPORT_FILL 0x1

/* Writes a parsed import as one signed commit by this store's member
 * (flags: 0 or CCM_IMPORT_FILL): missing records are created, an activity
 * id the store does not know is a new activity (CCM_EINVALID without type
 * and date, nothing written). *nstates and *nacts count the records it
 * changed (nothing changed: no commit). */
int ccm_import_write(size_t *nstates, size_t *nacts, ccm_store *s, const ccm_import *imp,
                     int flags);

void ccm_import_free(ccm_import *imp); /* NULL-safe; leaves *imp empty */

/* ===== notes (store/note.c) ================================================ */

/*
 * A note is a record of kind "note" attached to a state or an activity
 * ("on": "state:LAO" or "activity:<id>"), with an "author", its recipients
 * "to" (the author always among them), "keys" (the note key sealed to each
 * recipient, "NAME:capsule") and "sealed" (title and body under the note
 * key). Only recipients read the title and body; the others see that the
 * note exists, what it is attached to, its author and recipients.
 * Recipients are active members when added and are never taken off.
 */

/* Checks a new note by `author` before its body is asked for: the title
 * (one line, not empty) and the recipients `to` (nto member names; the
 * author is added), each an active member of `roster`. CCM_EINVALID naming
 * the title or the name. */
int ccm_note_check(const char *author, const char *const *to, size_t nto, const char *title,
                   const json_t *roster);

/* The record of a new note `id` attached to `on` (new reference in *out):
 * checked as ccm_note_check, the body multi-line and not blank; title and
 * body sealed under a fresh note key, the key sealed to every recipient's
 * box key in `roster`; every entry stamped `stamp` by `author`. */
int ccm_note_create(json_t **out, const char *id, const char *on, const char *author,
                    const char *const *to, size_t nto, const char *title, const char *body,
                    const json_t *roster, uint64_t stamp);

/* What every member sees of a note (new reference, NULL on OOM): its
 * record view (ccm_record_view) with "on", "author" and "to", nothing of
 * its keys or sealed content. */
json_t *ccm_note_public_view(const json_t *note);

/* The view of a note for `member` holding identity `id`: the public view
 * plus "title" and, with `with_body`, "body" (new reference in *out).
 * CCM_EDENIED if the member is not a recipient, CCM_EVERIFY if the note does
 * not open. */
int ccm_note_view(json_t **out, const json_t *note, const char *member, const ccm_identity *id,
                  int with_body);

/* Shares `note` (changed in place) with the active member `to`: `member`, a
 * recipient holding identity `id`, seals the note key to them; stamped
 * `stamp`. CCM_EDENIED if `member` is not a recipient, CCM_EINVALID if `to`
 * is not an active member or is a recipient already. */
int ccm_note_share(json_t *note, const char *member, const ccm_identity *id, const char *to,
                   const json_t *roster, uint64_t stamp);

/* The checks of ccm_store_note_add that need no body (so that a caller asks
 * for the body only when the rest is right): ccm_note_check by this store's
 * member, and the attachment: `kind` "state" with a valid code (a record
 * need not exist) or "activity" with the id of one that exists and was not
 * removed. */
int ccm_store_note_check(ccm_store *s, const char *kind, const char *target, const char *const *to,
                         size_t nto, const char *title);

/* Writes a new note by this store's member in one commit; its new id in
 * `id`. Checked as ccm_store_note_check and ccm_note_create. */
int ccm_store_note_add(char id[CCM_RECORD_HEX_ID_LEN + 1], ccm_store *s, const char *kind,
                       const char *target, const char *const *to, size_t nto, const char *title,
                       const char *body);

/* The view of note `id` for this store's member (ccm_note_view; new
 * reference). CCM_ENOTFOUND if there is no such note. */
int ccm_store_note_get(json_t **out, ccm_store *s, const char *id, int with_body);

/* Shares note `id` with `to` in one commit (ccm_note_share). */
int ccm_store_note_share(ccm_store *s, const char *id, const char *to);

/* The notes attached to record `kind`/`id` (kind NULL: every note) that
 * this member can read, as views with titles (and bodies, `with_body`) in
 * note id order (a new array in *readable), and how many others there are
 * (*hidden). */
int ccm_store_notes(json_t **readable, size_t *hidden, ccm_store *s, const char *kind,
                    const char *id, int with_body);

#endif
