/*
 * record_view.c - what people and scripts see of a record document: the
 * shape `show` prints with --json (fields, who set each and when, the
 * concurrent values that lost), blame, and the effective value of one field.
 *
 * A register's effective value is its winner, the entry with the greatest
 * (s, m), which is the first one; the others are the losers, listed under
 * "conflicts" in the same (s, m) descending order. A set's value is its
 * elements that keep an add tag, sorted ascending, and its meta comes from
 * "u". Every function validates the record first and returns NULL (error
 * set) if it is malformed.
 */
#include "crdt_private.h"

#include <stdlib.h>
#include <string.h>

/* qsort order of C strings, ascending by bytes. */
static int str_asc(const void *p, const void *q)
{
    return strcmp(*(const char *const *)p, *(const char *const *)q);
}

/* The elements present in a set field, as a sorted array of strings (new
 * reference; empty if none), NULL on OOM. */
static json_t *set_value(const json_t *f)
{
    const json_t *set = json_object_get(f, "set");
    const char **names = malloc((json_object_size(set) + 1) * sizeof(*names));
    json_t *out = json_array(), *e;
    const char *name;
    size_t n = 0, i;

    if (names == NULL || out == NULL) {
        goto fail;
    }
    json_object_foreach(CCM_JSON_MUT(set), name, e)
    {
        if (json_array_size(json_object_get(e, "a")) > 0) {
            names[n++] = name;
        }
    }
    qsort(names, n, sizeof(*names), str_asc);
    for (i = 0; i < n; i++) {
        if (json_array_append_new(out, json_string(names[i])) != 0) {
            goto fail;
        }
    }
    free(names);
    return out;
fail:
    free(names);
    json_decref(out);
    return NULL;
}

/* The effective value of a field (new reference): the winner's string, or
 * the sorted elements of a set; JSON null when cleared or empty. NULL on OOM. */
static json_t *effective(const json_t *f)
{
    json_t *v;

    if (!ccm_crdt_is_set(f)) {
        return json_deep_copy(json_object_get(json_array_get(json_object_get(f, "r"), 0), "v"));
    }
    if ((v = set_value(f)) != NULL && json_array_size(v) == 0) {
        json_decref(v);
        return json_null();
    }
    return v;
}

/* {"by": member, "at": RFC 3339 of stamp} with `value` first when not NULL
 * (stolen). New reference, NULL on OOM. */
static json_t *by_at(json_t *value, const json_t *stamp, const json_t *member)
{
    char at[32];

    ccm_stamp_format(at, ccm_crdt_stamp(stamp));
    if (value != NULL) {
        return json_pack("{s:o, s:O, s:s}", "value", value, "by", member, "at", at);
    }
    return json_pack("{s:O, s:s}", "by", member, "at", at);
}

/* Who made the change that holds in a field: the winner of a register, "u"
 * of a set. New reference, value stolen as in by_at. */
static json_t *field_meta(json_t *value, const json_t *f)
{
    const json_t *u = json_object_get(f, "u"), *win;

    if (ccm_crdt_is_set(f)) {
        return by_at(value, json_array_get(u, 0), json_array_get(u, 1));
    }
    win = json_array_get(json_object_get(f, "r"), 0);
    return by_at(value, json_object_get(win, "s"), json_object_get(win, "m"));
}

/* The losers of a register as [{"value", "by", "at"}...] (new reference),
 * an empty array for a set or a register with one entry. NULL on OOM. */
static json_t *losers(const json_t *f)
{
    const json_t *r = json_object_get(f, "r");
    json_t *out = json_array();
    size_t i;

    for (i = 1; out != NULL && i < json_array_size(r); i++) {
        const json_t *e = json_array_get(r, i);
        json_t *c = by_at(json_deep_copy(json_object_get(e, "v")), json_object_get(e, "s"),
                          json_object_get(e, "m"));
        if (json_array_append_new(out, c) != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    return out;
}

/* Adds one field to the three objects of a view. 0, or -1 on OOM. */
static int view_field(json_t *fields, json_t *meta, json_t *conflicts, const char *name,
                      const json_t *f)
{
    json_t *v = effective(f), *lost = losers(f);
    int rc = -1;

    if (v == NULL || lost == NULL) {
        goto done;
    }
    if (!json_is_null(v) && (json_object_set(fields, name, v) != 0 ||
                             json_object_set_new(meta, name, field_meta(NULL, f)) != 0)) {
        goto done;
    }
    if (json_array_size(lost) > 0 && json_object_set(conflicts, name, lost) != 0) {
        goto done;
    }
    rc = 0;
done:
    json_decref(v);
    json_decref(lost);
    return rc;
}

json_t *ccm_record_view(const json_t *rec)
{
    json_t *view, *f;
    const char *name;

    if (ccm_record_validate(rec) != 0) {
        return NULL;
    }
    view = json_pack("{s:O, s:O, s:{}, s:{}, s:{}}", "id", json_object_get(rec, "id"), "kind",
                     json_object_get(rec, "kind"), "fields", "meta", "conflicts");
    if (view == NULL) {
        ccm_error_set(CCM_ERROR, "out of memory");
        return NULL;
    }
    json_object_foreach(json_object_get(rec, "fields"), name, f)
    {
        if (view_field(json_object_get(view, "fields"), json_object_get(view, "meta"),
                       json_object_get(view, "conflicts"), name, f) != 0) {
            json_decref(view);
            ccm_error_set(CCM_ERROR, "out of memory");
            return NULL;
        }
    }
    return view;
}

json_t *ccm_record_blame(const json_t *rec)
{
    json_t *out, *f;
    const char *name;

    if (ccm_record_validate(rec) != 0) {
        return NULL;
    }
    if ((out = json_object()) == NULL) {
        ccm_error_set(CCM_ERROR, "out of memory");
        return NULL;
    }
    json_object_foreach(json_object_get(rec, "fields"), name, f)
    {
        json_t *v = effective(f);
        if (v == NULL || json_object_set_new(out, name, field_meta(v, f)) != 0) {
            json_decref(out);
            ccm_error_set(CCM_ERROR, "out of memory");
            return NULL;
        }
    }
    return out;
}

json_t *ccm_record_field_value(const json_t *rec, const char *field)
{
    const json_t *f;
    json_t *v;

    if (field == NULL || ccm_record_validate(rec) != 0) {
        return NULL;
    }
    f = json_object_get(json_object_get(rec, "fields"), field);
    if (f == NULL) {
        return NULL;
    }
    v = effective(f);
    if (json_is_null(v)) {
        json_decref(v);
        return NULL;
    }
    return v;
}

int ccm_record_set_holds(const json_t *rec, const char *field, const char *elem)
{
    json_t *cur = ccm_record_field_value(rec, field), *e;
    size_t i;
    int found = 0;

    json_array_foreach(cur, i, e)
    {
        found |= strcmp(json_string_value(e), elem) == 0;
    }
    json_decref(cur);
    return found;
}
