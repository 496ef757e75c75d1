/*
 * crdt_parts.c - the small pieces every crdt file reads records with
 * (crdt_private.h): stamps and the (stamp, member) order of tags and
 * register entries, what a version vector has seen, the union of tag arrays,
 * and well-formed ids and set elements. The bottom of the record module:
 * it calls none of the other crdt files, which all call it.
 */
#include "crdt_private.h"

#include <string.h>

/* ---- orderings ------------------------------------------------------------ */

uint64_t ccm_crdt_stamp(const json_t *j)
{
    json_int_t v = json_integer_value(j);

    return v > 0 ? (uint64_t)v : 0;
}

int ccm_crdt_key_cmp(uint64_t s1, const char *m1, uint64_t s2, const char *m2)
{
    int c;

    if (s1 != s2) {
        return s1 < s2 ? -1 : 1;
    }
    c = strcmp(m1, m2);
    return (c > 0) - (c < 0);
}

int ccm_crdt_tag_cmp(const json_t *a, const json_t *b)
{
    return ccm_crdt_key_cmp(
        ccm_crdt_stamp(json_array_get(a, 0)), json_string_value(json_array_get(a, 1)),
        ccm_crdt_stamp(json_array_get(b, 0)), json_string_value(json_array_get(b, 1)));
}

int ccm_crdt_entry_cmp(const json_t *e, const json_t *f)
{
    return ccm_crdt_key_cmp(
        ccm_crdt_stamp(json_object_get(e, "s")), json_string_value(json_object_get(e, "m")),
        ccm_crdt_stamp(json_object_get(f, "s")), json_string_value(json_object_get(f, "m")));
}

int ccm_crdt_has_seen(const json_t *vv, const json_t *e)
{
    const json_t *seen = json_object_get(vv, json_string_value(json_object_get(e, "m")));

    return seen != NULL && ccm_crdt_stamp(seen) >= ccm_crdt_stamp(json_object_get(e, "s"));
}

int ccm_crdt_supersedes(const json_t *f, const json_t *e)
{
    return ccm_crdt_has_seen(json_object_get(f, "vv"), e);
}

int ccm_crdt_is_set(const json_t *field)
{
    return json_object_get(field, "set") != NULL;
}

int ccm_crdt_vv_merge(json_t *dst, const json_t *src)
{
    const char *member;
    json_t *n;

    json_object_foreach(CCM_JSON_MUT(src), member, n)
    {
        const json_t *cur = json_object_get(dst, member);
        if (cur == NULL || ccm_crdt_stamp(cur) < ccm_crdt_stamp(n)) {
            if (json_object_set_new(dst, member, json_integer(json_integer_value(n))) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

/* ---- tags ----------------------------------------------------------------- */

json_t *ccm_crdt_tags_union(const json_t *x, const json_t *y)
{
    json_t *out = json_array();
    size_t i = 0, j = 0, nx = json_array_size(x), ny = json_array_size(y);

    while (out != NULL && (i < nx || j < ny)) {
        const json_t *t;
        if (j == ny ||
            (i < nx && ccm_crdt_tag_cmp(json_array_get(x, i), json_array_get(y, j)) < 0)) {
            t = json_array_get(x, i++);
        } else if (i == nx || ccm_crdt_tag_cmp(json_array_get(x, i), json_array_get(y, j)) > 0) {
            t = json_array_get(y, j++);
        } else {
            t = json_array_get(x, i++);
            j++;
        }
        if (json_array_append(out, CCM_JSON_MUT(t)) != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    return out;
}

/* ---- names ---------------------------------------------------------------- */

int ccm_crdt_id_ok(const char *id, size_t len)
{
    size_t i;

    if (len == 0 || len > CCM_RECORD_ID_MAX || strlen(id) != len) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        char ch = id[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-')) {
            return 0;
        }
    }
    return 1;
}

int ccm_crdt_elem_ok(const char *elem, size_t len)
{
    size_t i;

    if (len == 0 || len > CCM_RECORD_ELEM_MAX || strlen(elem) != len) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)elem[i];
        if (ch < 0x20 || ch == 0x7f) {
            return 0;
        }
    }
    return 1;
}

/* 1 if j is a string without NUL bytes. */
