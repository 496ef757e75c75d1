/*
 * crdt_private.h - what the record CRDT files share and nobody else sees:
 * the pieces of crdt_parts.c, which every other crdt file builds on.
 * Calls go one way, lowest first: crdt_parts.c; crdt_validate.c (the shape
 * rules); crdt.c (operations), crdt_join.c (the merge), record_view.c (the
 * views); crdt_effect.c (one commit's effect) and revive.c above them.
 *
 * Unless said otherwise these helpers take parts of documents that passed
 * ccm_record_validate: they do not check types again.
 */
#ifndef CCM_CRDT_PRIVATE_H
#define CCM_CRDT_PRIVATE_H

#include "record.h"

/* The only document version this module reads and writes ("v"). */
#define CCM_RECORD_VERSION 1

/* Record ids are 1 to CCM_RECORD_ID_MAX bytes of [A-Za-z0-9._-]. */
#define CCM_RECORD_ID_MAX 128

/* Set elements are 1 to CCM_RECORD_ELEM_MAX bytes without control characters. */
#define CCM_RECORD_ELEM_MAX 256

/* jansson's object iterators take non-const pointers although they only
 * read; this names the cast wherever a const document is iterated. */
#define CCM_JSON_MUT(j) ((json_t *)(j))

/* The value of a stamp (a non-negative JSON integer); 0 for anything else. */
uint64_t ccm_crdt_stamp(const json_t *j);

/* Orders (s1, m1) against (s2, m2): stamp first, then member name bytes.
 * Returns -1, 0 or 1. */
int ccm_crdt_key_cmp(uint64_t s1, const char *m1, uint64_t s2, const char *m2);

/* Orders two tags [S, M] (also "u") by (S, M). */
int ccm_crdt_tag_cmp(const json_t *a, const json_t *b);

/* Orders two register entries by (s, m). */
int ccm_crdt_entry_cmp(const json_t *e, const json_t *f);

/* 1 if the version vector vv has seen entry e (vv[e.m] >= e.s). */
int ccm_crdt_has_seen(const json_t *vv, const json_t *e);

/* 1 if entry f supersedes entry e (f.vv[e.m] >= e.s), 0 if not. */
int ccm_crdt_supersedes(const json_t *f, const json_t *e);

/* 1 if a field value is a set ({"set", "u"}), 0 if a register ({"r"}). */
int ccm_crdt_is_set(const json_t *field);

/* Raises every counter of version vector `dst` to the one of `src`
 * (pointwise maximum). 0, or -1 on OOM with dst partly raised. */
int ccm_crdt_vv_merge(json_t *dst, const json_t *src);

/* The sorted, duplicate-free union of two sorted tag arrays (new reference,
 * a new array holding the same tags), NULL on OOM. */
json_t *ccm_crdt_tags_union(const json_t *x, const json_t *y);

/* 1 if `id` (len bytes) is a well-formed record id, 0 if not. */
int ccm_crdt_id_ok(const char *id, size_t len);

/* 1 if `elem` (len bytes) is a well-formed set element, 0 if not. */
int ccm_crdt_elem_ok(const char *elem, size_t len);

#endif
