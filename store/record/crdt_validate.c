/*
 * crdt_validate.c - the shape rules of record documents (record.h), checked
 * on everything decrypted before any other code reads it: the data may have
 * been written by a buggy or hostile member, so nothing is assumed.
 *
 * A document that passes is not only well typed but canonical, which the
 * join and the views rely on: no unknown keys, strings without NUL, stamps
 * non-negative integers, names as the schema wants them, register entries
 * sorted by (s, m) descending with distinct keys, vv[m] == s and none
 * superseding another, tag arrays sorted ascending without duplicates and
 * the add and remove tags of an element disjoint.
 */
#include "crdt_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where a check is, for the error message. kind/id/field are only set once
 * they were found well formed, so printing them is safe. */
typedef struct {
    const char *kind;
    const char *id;
    const char *field;
} vctx;

static int fail(const vctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sets CCM_EVERIFY with a message naming the record, the field and the bad
 * part; returns CCM_EVERIFY. */
static int fail(const vctx *c, const char *fmt, ...)
{
    char msg[384];
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0) {
        msg[0] = '\0';
    }
    va_end(ap);
    if (c->id == NULL) {
        return ccm_error_set(CCM_EVERIFY, "malformed record: %s", msg);
    }
    if (c->field == NULL) {
        return ccm_error_set(CCM_EVERIFY, "malformed record '%s/%s': %s", c->kind, c->id, msg);
    }
    return ccm_error_set(CCM_EVERIFY, "malformed record '%s/%s': field '%s': %s", c->kind, c->id,
                         c->field, msg);
}

static int is_text(const json_t *j)
{
    return json_is_string(j) && strlen(json_string_value(j)) == json_string_length(j);
}

/* 1 if j is a stamp: an integer >= 0. */
static int is_stamp(const json_t *j)
{
    return json_is_integer(j) && json_integer_value(j) >= 0;
}

/* 1 if `name` (len bytes) is a valid member name. */
static int is_member_name(const char *name, size_t len)
{
    return strlen(name) == len && ccm_schema_check_member_name(name) == 0;
}

/* 1 if j is a string holding a valid member name. */
static int is_member(const json_t *j)
{
    return is_text(j) && is_member_name(json_string_value(j), json_string_length(j));
}

/* 1 if every key of the object `obj` is one of the NULL-terminated `keys`
 * (compared with their lengths: a key with a NUL inside matches none). */
static int keys_within(const json_t *obj, const char *const *keys)
{
    const char *key;
    size_t len, k;
    json_t *v;

    json_object_keylen_foreach(CCM_JSON_MUT(obj), key, len, v)
    {
        for (k = 0; keys[k] != NULL; k++) {
            if (strlen(keys[k]) == len && memcmp(keys[k], key, len) == 0) {
                break;
            }
        }
        if (keys[k] == NULL) {
            return 0;
        }
    }
    return 1;
}

/* A tag or "u": [STAMP, MEMBER]. */
static int check_tag(const vctx *c, const json_t *tag, const char *what)
{
    if (!json_is_array(tag) || json_array_size(tag) != 2 || !is_stamp(json_array_get(tag, 0)) ||
        !is_member(json_array_get(tag, 1))) {
        return fail(c, "%s: a tag is not [stamp, member]", what);
    }
    return 0;
}

/* A tag array: valid tags, strictly ascending. */
static int check_tags(const vctx *c, const json_t *tags, const char *what)
{
    size_t i;
    json_t *t;
    int rc;

    if (!json_is_array(tags)) {
        return fail(c, "%s: tags are not an array", what);
    }
    json_array_foreach(tags, i, t)
    {
        if ((rc = check_tag(c, t, what)) != 0) {
            return rc;
        }
        if (i > 0 && ccm_crdt_tag_cmp(json_array_get(tags, i - 1), t) >= 0) {
            return fail(c, "%s: tags not sorted or duplicated", what);
        }
    }
    return 0;
}

/* One element of a set: {"a": TAGS, "r": TAGS}, disjoint, not both empty. */
static int check_elem(const vctx *c, const char *name, size_t len, const json_t *e)
{
    static const char *const keys[] = {"a", "r", NULL};
    const json_t *a, *r;
    char what[CCM_RECORD_ELEM_MAX + 16];
    size_t i = 0, j = 0;
    int rc;

    if (!ccm_crdt_elem_ok(name, len)) {
        return fail(c, "malformed set element name");
    }
    snprintf(what, sizeof(what), "element '%s'", name);
    a = json_object_get(e, "a");
    r = json_object_get(e, "r");
    if (!json_is_object(e) || !keys_within(e, keys) || a == NULL || r == NULL) {
        return fail(c, "%s: not {\"a\", \"r\"}", what);
    }
    if ((rc = check_tags(c, a, what)) != 0 || (rc = check_tags(c, r, what)) != 0) {
        return rc;
    }
    if (json_array_size(a) == 0 && json_array_size(r) == 0) {
        return fail(c, "%s: no tags", what);
    }
    if (json_array_size(a) + json_array_size(r) > CCM_ELEM_TAGS_MAX) {
        return fail(c, "%s: more than %d tags", what, CCM_ELEM_TAGS_MAX);
    }
    while (i < json_array_size(a) && j < json_array_size(r)) {
        int cmp = ccm_crdt_tag_cmp(json_array_get(a, i), json_array_get(r, j));
        if (cmp == 0) {
            return fail(c, "%s: a tag both added and removed", what);
        }
        if (cmp < 0) {
            i++;
        } else {
            j++;
        }
    }
    return 0;
}

/* A set field: {"set": {ELEM: ...}, "u": TAG}. */
static int check_set(const vctx *c, const json_t *f)
{
    static const char *const keys[] = {"set", "u", NULL};
    const json_t *set = json_object_get(f, "set");
    const char *name;
    size_t len;
    json_t *e;
    int rc;

    if (!keys_within(f, keys) || !json_is_object(set) || json_object_get(f, "u") == NULL) {
        return fail(c, "a set is not {\"set\": {...}, \"u\": [stamp, member]}");
    }
    if ((rc = check_tag(c, json_object_get(f, "u"), "\"u\"")) != 0) {
        return rc;
    }
    if (json_object_size(set) > CCM_SET_ELEMS_MAX) {
        return fail(c, "more than %d elements", CCM_SET_ELEMS_MAX);
    }
    json_object_keylen_foreach(CCM_JSON_MUT(set), name, len, e)
    {
        if ((rc = check_elem(c, name, len, e)) != 0) {
            return rc;
        }
    }
    return 0;
}

/* A version vector: a non-empty object of MEMBER: STAMP. */
static int check_vv(const vctx *c, const json_t *vv, size_t n)
{
    const char *member;
    size_t len;
    json_t *s;

    if (!json_is_object(vv) || json_object_size(vv) == 0 ||
        json_object_size(vv) > CCM_MAX_MEMBERS) {
        return fail(c, "entry %zu: \"vv\" is not a version vector", n);
    }
    json_object_keylen_foreach(CCM_JSON_MUT(vv), member, len, s)
    {
        if (!is_member_name(member, len) || !is_stamp(s)) {
            return fail(c, "entry %zu: \"vv\" is not {member: stamp, ...}", n);
        }
    }
    return 0;
}

/* One register entry {"v", "s", "m", "vv"} with vv[m] == s; in the
 * tombstone register "v" is null, "0" or "1". */
static int check_entry(const vctx *c, const json_t *e, size_t n, int is_rm)
{
    static const char *const keys[] = {"v", "s", "m", "vv", NULL};
    const json_t *v = json_object_get(e, "v"), *s = json_object_get(e, "s"),
                 *m = json_object_get(e, "m"), *vv = json_object_get(e, "vv"), *own;
    int rc;

    if (!json_is_object(e) || !keys_within(e, keys) || v == NULL || s == NULL || m == NULL ||
        vv == NULL) {
        return fail(c, "entry %zu is not {\"v\", \"s\", \"m\", \"vv\"}", n);
    }
    if (!json_is_null(v) && !is_text(v)) {
        return fail(c, "entry %zu: the value is neither a string nor null", n);
    }
    if (is_rm && json_is_string(v) && strcmp(json_string_value(v), "0") != 0 &&
        strcmp(json_string_value(v), "1") != 0) {
        return fail(c, "entry %zu: the tombstone is not null, \"0\" or \"1\"", n);
    }
    if (!is_stamp(s)) {
        return fail(c, "entry %zu: the stamp is not an integer >= 0", n);
    }
    if (!is_member(m)) {
        return fail(c, "entry %zu: invalid member name", n);
    }
    if ((rc = check_vv(c, vv, n)) != 0) {
        return rc;
    }
    own = json_object_get(vv, json_string_value(m));
    if (own == NULL || json_integer_value(own) != json_integer_value(s)) {
        return fail(c, "entry %zu: \"vv\" does not hold its own stamp", n);
    }
    return 0;
}

/* One component of an entry's version vector, for the superseded check. */
typedef struct {
    const char *member;
    uint64_t seen;
    size_t entry;
} vv_item;

static int vv_item_cmp(const void *p, const void *q)
{
    const vv_item *a = p, *b = q;
    int c = strcmp(a->member, b->member);

    if (c != 0) {
        return c;
    }
    return a->seen < b->seen ? 1 : a->seen > b->seen ? -1 : 0; /* greatest first */
}

/* 1 if `member` is in the sorted items [lo, hi) with a `seen` >= s from an
 * entry other than `self`. The greatest two per member are enough. */
static int seen_by_other(const vv_item *items, size_t n, const char *member, uint64_t s,
                         size_t self)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(items[mid].member, member) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    for (size_t k = lo; k < n && k < lo + 2 && strcmp(items[k].member, member) == 0; k++) {
        if (items[k].entry != self) {
            return items[k].seen >= s;
        }
    }
    return 0;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* No entry of r is superseded by another: every vector component is
 * sorted once, then each entry looks up the greatest other vector's view of
 * its member (O(n log n) in the vectors' total size). */
static int check_unseen(const vctx *c, const json_t *r)
{
    size_t total = 0, n = 0, i;
    vv_item *items;
    json_t *e;
    int rc = 0;

    json_array_foreach(r, i, e)
    {
        total += json_object_size(json_object_get(e, "vv"));
    }
    if (!(items = malloc((total ? total : 1) * sizeof(*items)))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    json_array_foreach(r, i, e)
    {
        const char *member;
        json_t *s;
        json_object_foreach(json_object_get(e, "vv"), member, s)
        {
            items[n++] = (vv_item){member, ccm_crdt_stamp(s), i};
        }
    }
    qsort(items, n, sizeof(*items), vv_item_cmp);
    json_array_foreach(r, i, e)
    {
        if (seen_by_other(items, n, json_string_value(json_object_get(e, "m")),
                          ccm_crdt_stamp(json_object_get(e, "s")), i)) {
            rc = fail(c, "entry %zu is superseded by another", i);
            break;
        }
    }
    free(items);
    if (rc == 0) {
        /* One value per member: a member's later one supersedes the rest. */
        const char **members = malloc(json_array_size(r) * sizeof(*members));
        if (!members) {
            return ccm_error_set(CCM_ERROR, "out of memory");
        }
        json_array_foreach(r, i, e)
        {
            members[i] = json_string_value(json_object_get(e, "m"));
        }
        qsort(members, json_array_size(r), sizeof(*members), str_cmp);
        for (i = 1; i < json_array_size(r) && rc == 0; i++) {
            if (strcmp(members[i - 1], members[i]) == 0) {
                rc = fail(c, "two values by '%s'", members[i]);
            }
        }
        free(members);
    }
    return rc;
}

/* A register {"r": [ENTRY, ...]}: non-empty, at most CCM_REGISTER_ENTRIES_MAX
 * entries, (s, m) strictly descending, no entry superseded by another. */
static int check_register(const vctx *c, const json_t *f, int is_rm)
{
    static const char *const keys[] = {"r", NULL};
    const json_t *r = json_object_get(f, "r");
    size_t i;
    json_t *e;
    int rc;

    if (!keys_within(f, keys) || !json_is_array(r) || json_array_size(r) == 0) {
        return fail(c, "a register is not {\"r\": [entry, ...]}");
    }
    if (json_array_size(r) > CCM_REGISTER_ENTRIES_MAX) {
        return fail(c, "more than %d concurrent values", CCM_REGISTER_ENTRIES_MAX);
    }
    json_array_foreach(r, i, e)
    {
        if ((rc = check_entry(c, e, i, is_rm)) != 0) {
            return rc;
        }
        if (i > 0 && ccm_crdt_entry_cmp(json_array_get(r, i - 1), e) <= 0) {
            return fail(c, "entries not sorted by (stamp, member) descending or duplicated");
        }
    }
    return json_array_size(r) > 1 ? check_unseen(c, r) : 0;
}

/* One field NAME: REGISTER | SET. */
static int check_field(vctx *c, const char *name, size_t len, const json_t *f)
{
    if (strlen(name) != len || ccm_schema_check_field_name(name) != 0) {
        c->field = NULL;
        return fail(c, "invalid field name");
    }
    c->field = name;
    if (!json_is_object(f)) {
        return fail(c, "not an object");
    }
    if (json_object_get(f, "r") != NULL) {
        return check_register(c, f, 0);
    }
    if (json_object_get(f, "set") != NULL) {
        return check_set(c, f);
    }
    return fail(c, "neither a register nor a set");
}

int ccm_record_validate(const json_t *rec)
{
    static const char *const keys[] = {"v", "kind", "id", "fields", "rm", NULL};
    vctx c = {NULL, NULL, NULL};
    const json_t *kind, *id, *fields, *rm, *version;
    const char *name;
    size_t len;
    json_t *f;
    int rc;

    if (!json_is_object(rec)) {
        return fail(&c, "not an object");
    }
    if (!keys_within(rec, keys)) {
        return fail(&c, "unknown key (v, kind, id, fields, rm)");
    }
    version = json_object_get(rec, "v");
    if (!json_is_integer(version) || json_integer_value(version) != CCM_RECORD_VERSION) {
        return fail(&c, "\"v\" is not %d", CCM_RECORD_VERSION);
    }
    kind = json_object_get(rec, "kind");
    if (!is_text(kind) || !ccm_schema_is_kind(json_string_value(kind))) {
        return fail(&c, "\"kind\" is not state, activity or note");
    }
    id = json_object_get(rec, "id");
    if (!is_text(id) || !ccm_crdt_id_ok(json_string_value(id), json_string_length(id))) {
        return fail(&c, "\"id\" is not 1 to %d of [A-Za-z0-9._-]", CCM_RECORD_ID_MAX);
    }
    c.kind = json_string_value(kind);
    c.id = json_string_value(id);
    fields = json_object_get(rec, "fields");
    if (!json_is_object(fields)) {
        return fail(&c, "\"fields\" is not an object");
    }
    if (json_object_size(fields) > CCM_RECORD_FIELDS_MAX) {
        return fail(&c, "more than %d fields", CCM_RECORD_FIELDS_MAX);
    }
    json_object_keylen_foreach(CCM_JSON_MUT(fields), name, len, f)
    {
        if ((rc = check_field(&c, name, len, f)) != 0) {
            return rc;
        }
    }
    c.field = "rm";
    rm = json_object_get(rec, "rm");
    if (rm != NULL && !json_is_object(rm)) {
        return fail(&c, "not an object");
    }
    return rm != NULL ? check_register(&c, rm, 1) : 0;
}
