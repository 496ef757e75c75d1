/*
 * crdt_effect.c - what one commit may do to a record, and what it did.
 *
 * A commit by member M carries one stamp S (stamps.c). Of a record it may
 * only make what the operations of crdt.c make with (S, M), starting from
 * the version its parent holds:
 *   - a register it changes holds exactly one entry, (value, S, M), whose
 *     version vector is the pointwise maximum of the vectors it replaced
 *     with M's own component at S: nothing else is dropped, nothing is
 *     attributed to another member, no vector claims more than was seen;
 *   - a set it changes keeps every element; an element's new add tags are
 *     (S, M) only, its new remove tags are tags that were added (or (S, M)
 *     itself), no tag disappears, and "u" becomes max(old "u", (S, M));
 *   - no field disappears and none changes between register and set;
 *   - every value and element it writes passes the schema (schema.c),
 *     and required fields are never cleared;
 *   - notes: only the author writes a note's attachment, author and
 *     content; only a recipient adds recipients (sharing); recipients are
 *     never removed.
 * Pure: no I/O, no clock, no keys (records come decrypted and validated).
 *
 * ccm_record_effect gives the part of a version one commit added: the
 * record a history replays (replay.c) when some commits are left out.
 */
#include "crdt_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int refuse(const json_t *rec, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* CCM_EVERIFY "record KIND/ID: field F: <what>". */
static int refuse(const json_t *rec, const char *field, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0) {
        msg[0] = 0;
    }
    va_end(ap);
    return ccm_error_set(CCM_EVERIFY, "record %s/%s: %s%s%s%s",
                         json_string_value(json_object_get(rec, "kind")),
                         json_string_value(json_object_get(rec, "id")), field ? "field '" : "",
                         field ? field : "", field ? "': " : "", msg);
}

/* 1 if the tag [s, m] is in the sorted tag array (validated documents keep
 * tags sorted ascending: a binary search, so an element with many tags
 * costs n log n, not n squared). */
static int tags_have_key(const json_t *tags, uint64_t s, const char *m)
{
    size_t lo = 0, hi = json_array_size(tags);

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const json_t *t = json_array_get(tags, mid);
        int c = ccm_crdt_key_cmp(ccm_crdt_stamp(json_array_get(t, 0)),
                                 json_string_value(json_array_get(t, 1)), s, m);
        if (c == 0) {
            return 1;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return 0;
}

static int tags_have(const json_t *tags, const json_t *tag)
{
    return tags_have_key(tags, ccm_crdt_stamp(json_array_get(tag, 0)),
                         json_string_value(json_array_get(tag, 1)));
}

/* A changed register: one entry (value, S, M) with the merged vector. */
static int check_register(const json_t *rec, const char *field, const json_t *old,
                          const json_t *neu, const char *member, uint64_t stamp)
{
    const json_t *r = json_object_get(neu, "r"), *e = json_array_get(r, 0), *v, *x;
    json_t *vv = json_object();
    const char *kind = json_string_value(json_object_get(rec, "kind"));
    size_t i;
    int rc = CCM_OK, is_rm = strcmp(field, "rm") == 0;

    if (!vv) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if (json_array_size(r) != 1) {
        rc = refuse(rec, field, "a change holds one assignment, not %zu", json_array_size(r));
        goto done;
    }
    if (strcmp(json_string_value(json_object_get(e, "m")), member) != 0 ||
        ccm_crdt_stamp(json_object_get(e, "s")) != stamp) {
        rc = refuse(rec, field, "assignment attributed to '%s' at another stamp than the commit's",
                    json_string_value(json_object_get(e, "m")));
        goto done;
    }
    json_array_foreach(json_object_get(old, "r"), i, x)
    {
        if (ccm_crdt_vv_merge(vv, json_object_get(x, "vv")) != 0) {
            rc = ccm_error_set(CCM_ERROR, "out of memory");
            goto done;
        }
    }
    if (json_object_set_new(vv, member, json_integer((json_int_t)stamp)) != 0) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    if (!json_equal(vv, json_object_get(e, "vv"))) {
        rc = refuse(rec, field, "the assignment's version vector is not what it replaced");
        goto done;
    }
    v = json_object_get(e, "v");
    if (is_rm) {
        if (json_is_string(v)
                ? strcmp(json_string_value(v), "1") != 0 && strcmp(json_string_value(v), "0") != 0
                : !json_is_null(v)) {
            rc = refuse(rec, field, "invalid tombstone");
        }
        goto done;
    }
    if (ccm_schema_check_value(kind, field, json_string_value(v)) < 0) {
        rc = refuse(rec, field, "%s", ccm_error_last());
    }
done:
    json_decref(vv);
    return rc;
}

/* A changed set: elements kept, new tags only (S, M), removals only of
 * added tags, "u" raised to (S, M). */
static int check_set(const json_t *rec, const char *field, const json_t *old, const json_t *neu,
                     const char *member, uint64_t stamp, const json_t *members)
{
    const json_t *os = json_object_get(old, "set"), *ns = json_object_get(neu, "set");
    const json_t *ou = json_object_get(old, "u"), *nu = json_object_get(neu, "u");
    const char *kind = json_string_value(json_object_get(rec, "kind")), *name;
    json_t *e;
    size_t i;

    json_object_foreach(CCM_JSON_MUT(os), name, e)
    {
        if (!json_object_get(ns, name)) {
            return refuse(rec, field, "an element disappeared");
        }
    }
    {
        size_t added = 0;
        json_object_foreach(CCM_JSON_MUT(ns), name, e)
        {
            added += json_object_get(os, name) == NULL;
        }
        if (added > CCM_COMMIT_NEW_ELEMS_MAX) {
            return refuse(rec, field, "more than %d elements added by one commit",
                          CCM_COMMIT_NEW_ELEMS_MAX);
        }
    }
    json_object_foreach(CCM_JSON_MUT(ns), name, e)
    {
        const json_t *oe = json_object_get(os, name), *t;
        const json_t *oa = json_object_get(oe, "a"), *orr = json_object_get(oe, "r");
        const json_t *na = json_object_get(e, "a"), *nr = json_object_get(e, "r");
        json_array_foreach(na, i, t)
        {
            if (!tags_have(oa, t) &&
                ccm_crdt_key_cmp(ccm_crdt_stamp(json_array_get(t, 0)),
                                 json_string_value(json_array_get(t, 1)), stamp, member) != 0) {
                return refuse(rec, field, "an element added by another member or stamp");
            }
        }
        json_array_foreach(nr, i, t)
        {
            if (!tags_have(orr, t) && !tags_have(oa, t) &&
                ccm_crdt_key_cmp(ccm_crdt_stamp(json_array_get(t, 0)),
                                 json_string_value(json_array_get(t, 1)), stamp, member) != 0) {
                return refuse(rec, field, "a removal of an element never added");
            }
        }
        json_array_foreach(orr, i, t)
        {
            if (!tags_have(nr, t)) {
                return refuse(rec, field, "a removal was undone");
            }
        }
        json_array_foreach(oa, i, t)
        {
            if (!tags_have(na, t) && !tags_have(nr, t)) {
                return refuse(rec, field, "an addition disappeared");
            }
        }
        if (tags_have_key(na, stamp, member)) {
            if (ccm_schema_check_elem(kind, field, name) < 0) {
                return refuse(rec, field, "%s", ccm_error_last());
            }
            /* A note's recipients hold its key: members only. (A lead or
             * an implementer may be a coordinator not in the group yet.) */
            if (members && strcmp(kind, "note") == 0 && strcmp(field, "to") == 0 &&
                !json_object_get(members, name)) {
                return refuse(rec, field, "'%s' was never a member of the group", name);
            }
        }
        if (strcmp(field, "to") == 0 && strcmp(kind, "note") == 0 && json_array_size(nr) > 0) {
            return refuse(rec, field, "recipients are never removed");
        }
    }
    if (!ou || ccm_crdt_key_cmp(stamp, member, ccm_crdt_stamp(json_array_get(ou, 0)),
                                json_string_value(json_array_get(ou, 1))) > 0) {
        if (ccm_crdt_stamp(json_array_get(nu, 0)) != stamp ||
            strcmp(json_string_value(json_array_get(nu, 1)), member) != 0) {
            return refuse(rec, field, "\"u\" is not the commit's stamp");
        }
    } else if (ccm_crdt_tag_cmp(ou, nu) != 0) {
        return refuse(rec, field, "\"u\" changed to another member's or stamp");
    }
    return CCM_OK;
}

/* The effective value of a note field as a string, or NULL. */
static const char *note_value(const json_t *rec, const char *field)
{
    const json_t *e = json_array_get(
        json_object_get(json_object_get(json_object_get(rec, "fields"), field), "r"), 0);
    return json_string_value(json_object_get(e, "v"));
}

/* 1 if `member` is among a note's recipients in `rec`. */
static int note_recipient(const json_t *rec, const char *member)
{
    const json_t *to =
        json_object_get(json_object_get(json_object_get(rec, "fields"), "to"), "set");
    const json_t *e = json_object_get(to, member);

    return e && json_array_size(json_object_get(e, "a")) > 0;
}

/* Who may change which part of a note. */
static int check_note(const json_t *old, const json_t *neu, const char *field, const char *member)
{
    int by_author =
        old ? (note_value(old, "author") && strcmp(note_value(old, "author"), member) == 0)
            : (note_value(neu, "author") && strcmp(note_value(neu, "author"), member) == 0);

    if (strcmp(field, "to") == 0 || strcmp(field, "keys") == 0) {
        if (old && !by_author && !note_recipient(old, member)) {
            return refuse(neu, field, "'%s' shared a note they are not a recipient of", member);
        }
        return CCM_OK;
    }
    if (!by_author) {
        return refuse(neu, field, "only the note's author may change it");
    }
    return CCM_OK;
}

/* 1 if two field values are the same. */
static int same(const json_t *a, const json_t *b)
{
    return a == b || json_equal(a, b);
}

static int check_field(const json_t *old_rec, const json_t *new_rec, const char *field,
                       const json_t *of, const json_t *nf, const char *member, uint64_t stamp,
                       const json_t *members)
{
    const char *kind = json_string_value(json_object_get(new_rec, "kind"));
    int is_rm = strcmp(field, "rm") == 0;
    int want_set = !is_rm && ccm_schema_field_type(kind, field) == CCM_FT_SET;
    int rc;

    if (of && !nf) {
        return refuse(new_rec, field, "dropped");
    }
    if (!nf || (of && same(of, nf))) {
        return CCM_OK;
    }
    if (ccm_crdt_is_set(nf) != want_set || (of && ccm_crdt_is_set(of) != want_set)) {
        return refuse(new_rec, field, "is a %s in the schema", want_set ? "set" : "single value");
    }
    if (strcmp(kind, "note") == 0 && (rc = check_note(old_rec, new_rec, field, member)) < 0) {
        return rc;
    }
    return want_set ? check_set(new_rec, field, of, nf, member, stamp, members)
                    : check_register(new_rec, field, of, nf, member, stamp);
}

int ccm_record_check_effect(const json_t *old_rec, const json_t *new_rec, const char *member,
                            uint64_t stamp, const json_t *members)
{
    const json_t *of = json_object_get(old_rec, "fields"), *nf = json_object_get(new_rec, "fields");
    const char *kind = json_string_value(json_object_get(new_rec, "kind"));
    const char *id = json_string_value(json_object_get(new_rec, "id"));
    const char *name;
    json_t *f;
    int rc;

    if (old_rec && (strcmp(kind, json_string_value(json_object_get(old_rec, "kind"))) != 0 ||
                    strcmp(id, json_string_value(json_object_get(old_rec, "id"))) != 0)) {
        return refuse(new_rec, NULL, "replaces another record");
    }
    if ((rc = ccm_schema_check_record_id(kind, id)) < 0) {
        return refuse(new_rec, NULL, "%s", ccm_error_last());
    }
    json_object_foreach(CCM_JSON_MUT(of), name, f)
    {
        if (!json_object_get(nf, name)) {
            return refuse(new_rec, name, "dropped");
        }
    }
    if (json_object_size(nf) > json_object_size(of) + CCM_COMMIT_NEW_FIELDS_MAX) {
        return refuse(new_rec, NULL, "more than %d fields added by one commit",
                      CCM_COMMIT_NEW_FIELDS_MAX);
    }
    json_object_foreach(CCM_JSON_MUT(nf), name, f)
    {
        if ((rc = check_field(old_rec, new_rec, name, json_object_get(of, name), f, member, stamp,
                              members)) < 0) {
            return rc;
        }
    }
    if ((rc = check_field(old_rec, new_rec, "rm", json_object_get(old_rec, "rm"),
                          json_object_get(new_rec, "rm"), member, stamp, members)) < 0) {
        return rc;
    }
    if (!old_rec) {
        /* A new record carries its required fields from the start. */
        for (const char *const *r = ccm_schema_required_fields(kind); r && *r; r++) {
            json_t *v = ccm_record_field_value(new_rec, *r);
            int present = v != NULL;
            json_decref(v);
            if (!present) {
                return refuse(new_rec, *r, "a new %s needs it", kind);
            }
        }
    }
    return CCM_OK;
}

/* ---- the part of a version one commit added ------------------------------ */

/* The tags of `x` not in `old` (new reference), NULL on OOM. */
static json_t *new_tags(const json_t *x, const json_t *old)
{
    json_t *out = json_array(), *t;
    size_t i;

    json_array_foreach(x, i, t)
    {
        if (out && !tags_have(old, t) && json_array_append(out, t) != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    return out;
}

/* The added part of one changed set field (new reference), NULL on OOM. */
static json_t *set_effect(const json_t *of, const json_t *nf)
{
    const json_t *os = json_object_get(of, "set");
    json_t *elems = json_object(), *e, *out = NULL;
    const char *name;

    if (!elems) {
        return NULL;
    }
    json_object_foreach(json_object_get(nf, "set"), name, e)
    {
        const json_t *oe = json_object_get(os, name);
        json_t *a = new_tags(json_object_get(e, "a"), json_object_get(oe, "a"));
        json_t *r = new_tags(json_object_get(e, "r"), json_object_get(oe, "r"));
        json_t *x = NULL;
        if (!a || !r) {
            json_decref(a);
            json_decref(r);
            goto done;
        }
        if (json_array_size(a) + json_array_size(r) > 0 &&
            (!(x = json_pack("{s:o, s:o}", "a", a, "r", r)) ||
             json_object_set_new(elems, name, x))) {
            goto done;
        }
        if (!x) {
            json_decref(a);
            json_decref(r);
        }
    }
    out = json_pack("{s:O, s:O}", "set", elems, "u", json_object_get(nf, "u"));
done:
    json_decref(elems);
    return out;
}

int ccm_record_effect(json_t **out, const json_t *old_rec, const json_t *new_rec)
{
    const json_t *of = json_object_get(old_rec, "fields");
    json_t *rec = NULL, *fields, *f;
    const json_t *orm = json_object_get(old_rec, "rm"), *nrm = json_object_get(new_rec, "rm");
    const char *name;

    *out = NULL;
    if (!(rec = ccm_record_new(json_string_value(json_object_get(new_rec, "kind")),
                               json_string_value(json_object_get(new_rec, "id"))))) {
        return CCM_ERROR;
    }
    fields = json_object_get(rec, "fields");
    json_object_foreach(json_object_get(new_rec, "fields"), name, f)
    {
        const json_t *o = json_object_get(of, name);
        json_t *part;
        if (o && same(o, f)) {
            continue;
        }
        part = ccm_crdt_is_set(f) ? set_effect(o, f) : json_incref(f);
        if (!part || json_object_set_new(fields, name, part) != 0) {
            json_decref(rec);
            return ccm_error_set(CCM_ERROR, "out of memory");
        }
    }
    if (nrm && !(orm && same(orm, nrm)) && json_object_set(rec, "rm", CCM_JSON_MUT(nrm)) != 0) {
        json_decref(rec);
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    *out = rec;
    return CCM_OK;
}
