/*
 * crdt.c - record documents as state-based CRDTs: creating a record and the
 * local operations on it (assign or clear a scalar field, add to or remove
 * from a set field, the tombstone).
 *
 * Pure: no I/O, no clock, no keys. Every operation validates the record
 * first, builds the one field it changes on the side and swaps it in last,
 * so a failed operation leaves the record as it was and a successful one
 * leaves it valid and canonical (shapes in record.h, rules in crdt_validate.c,
 * the merge in crdt_join.c).
 */
#include "crdt_private.h"

#include <string.h>

/* ---- operations ----------------------------------------------------------- */

static int oom(void)
{
    return ccm_error_set(CCM_ERROR, "out of memory");
}

json_t *ccm_record_new(const char *kind, const char *id)
{
    json_t *rec;

    if (kind == NULL || !ccm_schema_is_kind(kind)) {
        ccm_error_set(CCM_EINVALID, "unknown record kind (state, activity, note)");
        return NULL;
    }
    if (id == NULL || !ccm_crdt_id_ok(id, strlen(id))) {
        ccm_error_set(CCM_EINVALID, "invalid record id (1 to %d of [A-Za-z0-9._-])",
                      CCM_RECORD_ID_MAX);
        return NULL;
    }
    rec = json_pack("{s:i, s:s, s:s, s:{}}", "v", CCM_RECORD_VERSION, "kind", kind, "id", id,
                    "fields");
    if (rec == NULL) {
        oom();
    }
    return rec;
}

/* Checks what every operation needs: a valid record, a member name, a stamp
 * that fits a JSON integer and, unless NULL, a field name. 0 or the error. */
static int check_op(const json_t *rec, const char *field, uint64_t stamp, const char *member)
{
    int rc;

    if ((rc = ccm_record_validate(rec)) != 0) {
        return rc;
    }
    if (field != NULL && (rc = ccm_schema_check_field_name(field)) != 0) {
        return rc;
    }
    if (member == NULL) {
        return ccm_error_set(CCM_EINVALID, "missing member name");
    }
    if ((rc = ccm_schema_check_member_name(member)) != 0) {
        return rc;
    }
    if (stamp > (uint64_t)INT64_MAX) {
        return ccm_error_set(CCM_EINVALID, "stamp out of range");
    }
    return 0;
}

/* Replaces the register `key` of `owner` (the record's "fields", or the
 * record itself for "rm") by one entry that supersedes every entry there:
 * its version vector is the pointwise maximum of theirs, with vv[member] =
 * stamp. `value` NULL stores null. CCM_EINVALID if `key` holds a set, if
 * `value` is not UTF-8, or if an entry there has already seen `stamp` (or a
 * later one) from `member`: a member's stamps must increase. */
static int register_put(json_t *owner, const char *key, const char *value, uint64_t stamp,
                        const char *member)
{
    const json_t *old = json_object_get(owner, key);
    json_t *vv = NULL, *v = NULL, *entry = NULL, *reg = NULL, *e;
    size_t i;
    int rc = 0;

    if (old != NULL && ccm_crdt_is_set(old)) {
        return ccm_error_set(CCM_EINVALID, "'%s' is a set, not a single value", key);
    }
    if ((vv = json_object()) == NULL) {
        return oom();
    }
    json_array_foreach(json_object_get(old, "r"), i, e)
    {
        const json_t *seen = json_object_get(json_object_get(e, "vv"), member);
        int own = json_array_size(json_object_get(old, "r")) == 1 &&
                  ccm_crdt_stamp(json_object_get(e, "s")) == stamp &&
                  strcmp(json_string_value(json_object_get(e, "m")), member) == 0;
        /* A commit assigns a field once: assigning it again at the same
         * stamp (one commit, one stamp) replaces that assignment. */
        if (seen != NULL && ccm_crdt_stamp(seen) >= stamp && !own) {
            rc = ccm_error_set(CCM_EINVALID,
                               "stamp of '%s' is not after its last change to '%s' (clock "
                               "went back?)",
                               member, key);
            goto done;
        }
        if (ccm_crdt_vv_merge(vv, json_object_get(e, "vv")) != 0) {
            rc = oom();
            goto done;
        }
    }
    v = value != NULL ? json_string(value) : json_null();
    if (v == NULL) {
        rc = ccm_error_set(CCM_EINVALID, "the value of '%s' is not valid UTF-8", key);
        goto done;
    }
    if ((entry = json_object()) == NULL || json_object_set_new(entry, "v", v) != 0 ||
        json_object_set_new(entry, "s", json_integer((json_int_t)stamp)) != 0 ||
        json_object_set_new(entry, "m", json_string(member)) != 0 ||
        json_object_set_new(vv, member, json_integer((json_int_t)stamp)) != 0 ||
        json_object_set(entry, "vv", vv) != 0) {
        if (entry == NULL) {
            json_decref(v);
        }
        rc = oom();
        goto done;
    }
    reg = json_pack("{s:[O]}", "r", entry);
    if (reg == NULL || json_object_set_new(owner, key, reg) != 0) {
        rc = oom();
    }
done:
    json_decref(entry);
    json_decref(vv);
    return rc;
}

int ccm_record_assign(json_t *rec, const char *field, const char *value, uint64_t stamp,
                      const char *member)
{
    int rc;

    if (field == NULL) {
        return ccm_error_set(CCM_EINVALID, "missing field name");
    }
    if ((rc = check_op(rec, field, stamp, member)) != 0) {
        return rc;
    }
    return register_put(json_object_get(rec, "fields"), field, value, stamp, member);
}

int ccm_record_delete(json_t *rec, uint64_t stamp, const char *member)
{
    int rc;

    if ((rc = check_op(rec, NULL, stamp, member)) != 0) {
        return rc;
    }
    return register_put(rec, "rm", "1", stamp, member);
}

int ccm_record_is_deleted(const json_t *rec)
{
    const json_t *win = json_array_get(json_object_get(json_object_get(rec, "rm"), "r"), 0);
    const char *v = json_string_value(json_object_get(win, "v"));

    return v != NULL && strcmp(v, "1") == 0;
}

/* Checks the arguments of a set operation and makes *out a copy of the set
 * field to change (new reference), an empty set if the field does not exist,
 * with "u" raised to (stamp, member). CCM_EINVALID if the field holds a
 * scalar or the element is malformed. */
static int set_begin(json_t **out, const json_t *rec, const char *field, const char *elem,
                     uint64_t stamp, const char *member)
{
    const json_t *old, *u;
    json_t *set;
    int rc;

    *out = NULL;
    if (field == NULL) {
        return ccm_error_set(CCM_EINVALID, "missing field name");
    }
    if ((rc = check_op(rec, field, stamp, member)) != 0) {
        return rc;
    }
    if (elem == NULL || !ccm_crdt_elem_ok(elem, strlen(elem))) {
        return ccm_error_set(CCM_EINVALID,
                             "invalid element of '%s' (1 to %d bytes, no control characters)",
                             field, CCM_RECORD_ELEM_MAX);
    }
    old = json_object_get(json_object_get(rec, "fields"), field);
    if (old != NULL && !ccm_crdt_is_set(old)) {
        return ccm_error_set(CCM_EINVALID, "'%s' is a single value, not a set", field);
    }
    if (old != NULL) {
        set = json_deep_copy(old);
    } else {
        set = json_pack("{s:{}, s:[I, s]}", "set", "u", (json_int_t)stamp, member);
    }
    if (set == NULL) {
        return oom();
    }
    u = json_object_get(set, "u");
    if (ccm_crdt_key_cmp(stamp, member, ccm_crdt_stamp(json_array_get(u, 0)),
                         json_string_value(json_array_get(u, 1))) > 0 &&
        json_object_set_new(set, "u", json_pack("[I, s]", (json_int_t)stamp, member)) != 0) {
        json_decref(set);
        return oom();
    }
    *out = set;
    return 0;
}

/* 1 if the sorted tag array `tags` holds `tag`. */
static int tags_have(const json_t *tags, const json_t *tag)
{
    size_t i;
    json_t *t;

    json_array_foreach(tags, i, t)
    {
        if (ccm_crdt_tag_cmp(t, tag) == 0) {
            return 1;
        }
    }
    return 0;
}

int ccm_record_set_add(json_t *rec, const char *field, const char *elem, uint64_t stamp,
                       const char *member)
{
    json_t *set = NULL, *tag = NULL, *e, *adds, *t;
    size_t pos;
    int rc;

    if ((rc = set_begin(&set, rec, field, elem, stamp, member)) != 0) {
        return rc;
    }
    e = json_object_get(json_object_get(set, "set"), elem);
    if (e == NULL) {
        if ((e = json_pack("{s:[], s:[]}", "a", "r")) == NULL) {
            rc = oom();
            goto done;
        }
        if (json_object_set_new(json_object_get(set, "set"), elem, e) != 0) {
            rc = ccm_error_set(CCM_EINVALID, "the element of '%s' is not valid UTF-8", field);
            goto done;
        }
    }
    if ((tag = json_pack("[I, s]", (json_int_t)stamp, member)) == NULL) {
        rc = oom();
        goto done;
    }
    adds = json_object_get(e, "a");
    if (tags_have(adds, tag) || tags_have(json_object_get(e, "r"), tag)) {
        /* One commit (one stamp) may add an element again, or add back what
         * it removed itself: the set's last operation is then its own. */
        const json_t *u =
            json_object_get(json_object_get(json_object_get(rec, "fields"), field), "u");
        if (!u || ccm_crdt_tag_cmp(u, tag) != 0) {
            rc = ccm_error_set(CCM_EINVALID, "tag (%llu, '%s') already used in '%s'",
                               (unsigned long long)stamp, member, field);
            goto done;
        }
        if (tags_have(adds, tag)) {
            goto done; /* added already by this commit */
        }
        {
            json_t *r = json_object_get(e, "r"), *kept = json_array(), *x;
            size_t i;
            json_array_foreach(r, i, x)
            {
                if (kept && ccm_crdt_tag_cmp(x, tag) != 0 && json_array_append(kept, x) != 0) {
                    json_decref(kept);
                    kept = NULL;
                }
            }
            if (!kept || json_object_set_new(e, "r", kept) != 0) {
                rc = oom();
                goto done;
            }
        }
    }
    json_array_foreach(adds, pos, t)
    {
        if (ccm_crdt_tag_cmp(t, tag) > 0) {
            break;
        }
    }
    if (json_array_insert(adds, pos, tag) != 0 ||
        json_object_set(json_object_get(rec, "fields"), field, set) != 0) {
        rc = oom();
    }
done:
    json_decref(tag);
    json_decref(set);
    return rc;
}

int ccm_record_set_remove(json_t *rec, const char *field, const char *elem, uint64_t stamp,
                          const char *member)
{
    json_t *set = NULL, *e, *removed;
    int rc;

    if ((rc = set_begin(&set, rec, field, elem, stamp, member)) != 0) {
        return rc;
    }
    e = json_object_get(json_object_get(set, "set"), elem);
    if (e != NULL) {
        removed = ccm_crdt_tags_union(json_object_get(e, "r"), json_object_get(e, "a"));
        if (json_object_set_new(e, "r", removed) != 0 ||
            json_object_set_new(e, "a", json_array()) != 0) {
            rc = oom();
            goto done;
        }
    }
    if (json_object_set(json_object_get(rec, "fields"), field, set) != 0) {
        rc = oom();
    }
done:
    json_decref(set);
    return rc;
}

/* ---- stamps ------------------------------------------------------------- */

/* The greater of m and the stamp j, if j is one. */
static uint64_t max_with(uint64_t m, const json_t *j)
{
    uint64_t s = json_is_integer(j) ? ccm_crdt_stamp(j) : 0;

    return s > m ? s : m;
}

/* The greater of m and the greatest stamp of a tag array. */
static uint64_t tags_max(uint64_t m, const json_t *tags)
{
    size_t i;
    json_t *t;

    json_array_foreach(tags, i, t)
    {
        m = max_with(m, json_array_get(t, 0));
    }
    return m;
}

/* The greatest stamp of a field of either shape, or of "rm". Tolerates any
 * shape: ccm_record_max_stamp takes unvalidated documents. */
static uint64_t field_max(uint64_t m, const json_t *f)
{
    const char *key;
    size_t i;
    json_t *e, *n;

    json_array_foreach(json_object_get(f, "r"), i, e)
    {
        m = max_with(m, json_object_get(e, "s"));
        json_object_foreach(json_object_get(e, "vv"), key, n)
        {
            m = max_with(m, n);
        }
    }
    m = max_with(m, json_array_get(json_object_get(f, "u"), 0));
    json_object_foreach(json_object_get(f, "set"), key, e)
    {
        m = tags_max(m, json_object_get(e, "a"));
        m = tags_max(m, json_object_get(e, "r"));
    }
    return m;
}

uint64_t ccm_record_max_stamp(const json_t *rec)
{
    uint64_t m = field_max(0, json_object_get(rec, "rm"));
    const char *name;
    json_t *f;

    json_object_foreach(json_object_get(rec, "fields"), name, f)
    {
        m = field_max(m, f);
    }
    return m;
}
