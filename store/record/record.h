/*
 * record.h - the records of ccmsync on their own: record documents as CRDTs
 * (operations, validation, the join, the effect of one commit, the views),
 * the schema of the three kinds, the stamps of the hybrid logical clock, and
 * the canonical text of a document (docs/record-format.md).
 *
 * Pure: jansson and the base layer only (crypto/base/base.h), no I/O, no
 * clock, no keys, no git, no threads, so that the rules every replica must
 * agree on are unit-tested alone. Records cross this header as json_t.
 * Nothing here prints or exits; errors are reported through ccm_error_set.
 */
#ifndef CCM_RECORD_H
#define CCM_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "../../crypto/base/base.h"

/* ===== hybrid logical clock ================================================ */

/* A stamp is (unix milliseconds << 16) | logical counter. Per member, stamps
 * are strictly increasing. */
#define CCM_STAMP_MS(s) ((s) >> 16)

/* The next stamp after `last` at wall-clock time `now_ms`:
 * max(now_ms << 16, last + 1). */
uint64_t ccm_hlc_next(uint64_t last, uint64_t now_ms);

/* RFC 3339 UTC with milliseconds ("2025-03-06T10:00:00.123Z"); out >= 32 bytes. */
void ccm_stamp_format(char out[32], uint64_t stamp);

/* ===== records (crdt*.c: pure, no I/O, no clock, no keys) =================== */

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
 * it had (revive.c). Same arguments and errors as ccm_record_delete. */
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

/* The record as `show` prints it with --json (new reference):
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

/* 1 if the set field currently holds `elem` (its effective value), else 0. */
int ccm_record_set_holds(const json_t *rec, const char *field, const char *elem);

/* ===== schema (schema.c, schema_iso.c) ====================================== */

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
 * alpha-3 code for activity "states", a member name for "lead"/"by", a
 * sealed note key "NAME:BASE64" for a note's "keys"). */
int ccm_schema_check_elem(const char *kind, const char *field, const char *elem);

/* The bytes of a note key sealed to a member, as a note's "keys" elements
 * carry it in base64: crypto.h's CCM_NOTEKEY_CAPSULE_BYTES, which store.h
 * checks it equals (the record module knows no crypto). */
#define CCM_SCHEMA_CAPSULE_BYTES 80

/* CCM_EINVALID unless `name` is a valid member name: [A-Za-z0-9][A-Za-z0-9._-]{0,63}. */
int ccm_schema_check_member_name(const char *name);

/* CCM_EINVALID unless `code` is an ISO 3166-1 alpha-3 code (upper case). */
int ccm_schema_check_state_id(const char *code);

/* The ISO 3166-1 name of an alpha-3 code, or NULL. */
const char *ccm_schema_iso_name(const char *alpha3);

/* Comma-separated accepted values of an enum or enum-set field (static), or
 * NULL if the field is not an enum. */
const char *ccm_schema_accepted(const char *kind, const char *field);

/* ===== canonical text (json_canon.c, json_load.c; docs/record-format.md) ==== */

/* Record documents are serialised canonically: keys sorted, no whitespace
 * (jansson's json_dumps with these flags writes the same text). */
#define CCM_JSON_CANON (JSON_SORT_KEYS | JSON_COMPACT)

/* The canonical text of an object or an array (docs/record-format.md); the
 * caller frees it, with ccm_wipe_free where it is a record's plaintext.
 * NULL with an error set if the document holds a string or a key that is
 * not UTF-8, contains itself, or on OOM. */
char *ccm_json_canon(const json_t *doc, size_t *len);

/* Reads a canonical text back (new reference): the document whose
 * ccm_json_canon text is exactly the `len` bytes at buf. NULL for any other
 * text (whitespace, keys out of order or twice, another escape or number
 * form, a real, bytes that are not UTF-8, containers nested more than 64
 * deep), with err (if non-NULL) saying what and where. */
json_t *ccm_json_load(const char *buf, size_t len, json_error_t *err);

#endif
