/*
 * crdt_join.c - the merge of two versions of a record: a join-semilattice,
 * so replicas that have seen the same versions agree byte for byte whatever
 * the order and grouping of their merges.
 *
 * Field by field: two registers give the union of their entries minus the
 * superseded ones; two sets give, per element, the union of the remove tags
 * and the union of the add tags minus the removed ones, and the greater "u";
 * a field present on one side only is copied. Two things only corrupt or
 * hostile data can cause are settled by a fixed rule so that the laws still
 * hold: register entries with the same (s, m) but different contents are
 * merged as a lattice (the greater value, null lowest, and the pointwise
 * maximum of the version vectors); a field that is a register on one side
 * and a set on the other becomes the set (an ordinal sum of the two
 * lattices). The number of fields and of set elements is bounded (below).
 *
 * The join shares what it does not change with its inputs (a field present
 * on one side only, set elements, tags, register entries) instead of
 * copying it: copies were a third of a large merge's time. Nothing here
 * modifies a value once it is built, and the merge only serialises the
 * result. ccm_record_join, for every other caller, returns a copy that
 * shares nothing.
 */
#include "crdt_private.h"

#include <stdlib.h>
#include <string.h>

/* The tags of the sorted array `x` that are not in the sorted array `r`
 * (new reference, sharing the tags), NULL on OOM. */
static json_t *tags_minus(const json_t *x, const json_t *r)
{
    json_t *out = json_array();
    size_t i, j = 0;

    for (i = 0; out != NULL && i < json_array_size(x); i++) {
        const json_t *t = json_array_get(x, i);
        int cmp = -1;
        while (j < json_array_size(r) && (cmp = ccm_crdt_tag_cmp(json_array_get(r, j), t)) < 0) {
            j++;
        }
        if (j < json_array_size(r) && cmp == 0) {
            continue;
        }
        if (json_array_append(out, CCM_JSON_MUT(t)) != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    return out;
}

/* The join of one element of two sets (new reference), NULL on OOM. */
static json_t *elem_join(const json_t *x, const json_t *y)
{
    json_t *r = ccm_crdt_tags_union(json_object_get(x, "r"), json_object_get(y, "r"));
    json_t *all = ccm_crdt_tags_union(json_object_get(x, "a"), json_object_get(y, "a"));
    json_t *a = r != NULL && all != NULL ? tags_minus(all, r) : NULL;
    json_t *out = a != NULL ? json_pack("{s:O, s:O}", "a", a, "r", r) : NULL;

    json_decref(all);
    json_decref(a);
    json_decref(r);
    return out;
}

/* ---- the bound ----------------------------------------------------------------
 * Every commit adds at most CCM_COMMIT_NEW_FIELDS_MAX fields to a record and
 * CCM_COMMIT_NEW_ELEMS_MAX elements to a set, far below the record's limits;
 * only the merge of many forks of one member's chain could pass them, and
 * then no one could open the record. So the join keeps at most
 * CCM_RECORD_FIELDS_MAX fields and CCM_SET_ELEMS_MAX elements of a set: the
 * schema's fields first, then the bytewise smallest names. The order is
 * fixed by the names alone, so the bound commutes with the join
 * (f(f(X + Y) + Z) = f(X + Y + Z)) and the laws still hold. Honest use never
 * comes near it. */

typedef struct {
    const char *name;
    int pinned;
} capped;

static int capped_cmp(const void *p, const void *q)
{
    const capped *a = p, *b = q;
    if (a->pinned != b->pinned) {
        return b->pinned - a->pinned;
    }
    return strcmp(a->name, b->name);
}

/* Drops from `obj` (this join's own result) all but `max` names; `kind`
 * (NULL for set elements) pins the schema's fields. -1 on OOM. */
static int cap_names(json_t *obj, size_t max, const char *kind)
{
    size_t n = json_object_size(obj), i = 0;
    capped *all;
    const char *name;
    json_t *v;
    char **drop;
    int rc = 0;

    if (n <= max) {
        return 0;
    }
    if (!(all = malloc(n * sizeof(*all)))) {
        return -1;
    }
    json_object_foreach(obj, name, v)
    {
        all[i].name = name;
        all[i++].pinned = kind && ccm_schema_is_defined(kind, name);
    }
    qsort(all, n, sizeof(*all), capped_cmp);
    /* Copy the names to drop: deleting frees the keys `all` points at. */
    if (!(drop = calloc(n - max, sizeof(*drop)))) {
        free(all);
        return -1;
    }
    for (i = max; i < n && rc == 0; i++) {
        if (!(drop[i - max] = strdup(all[i].name))) {
            rc = -1;
        }
    }
    for (i = 0; i < n - max; i++) {
        if (rc == 0 && drop[i]) {
            json_object_del(obj, drop[i]);
        }
        free(drop[i]);
    }
    free(drop);
    free(all);
    return rc;
}

/* The join of two set fields (new reference), NULL on OOM. */
static json_t *set_join(const json_t *x, const json_t *y)
{
    const json_t *ux = json_object_get(x, "u"), *uy = json_object_get(y, "u");
    const json_t *sx = json_object_get(x, "set"), *sy = json_object_get(y, "set");
    json_t *elems = json_object(), *out = NULL, *e;
    const char *name;

    if (elems == NULL) {
        return NULL;
    }
    json_object_foreach(CCM_JSON_MUT(sx), name, e)
    {
        const json_t *other = json_object_get(sy, name);
        if (other ? json_object_set_new(elems, name, elem_join(e, other))
                  : json_object_set(elems, name, e)) {
            goto done;
        }
    }
    json_object_foreach(CCM_JSON_MUT(sy), name, e)
    {
        if (json_object_get(sx, name) == NULL && json_object_set(elems, name, e) != 0) {
            goto done;
        }
    }
    if (cap_names(elems, CCM_SET_ELEMS_MAX, NULL) == 0) {
        out = json_pack("{s:O, s:O}", "set", elems, "u",
                        CCM_JSON_MUT(ccm_crdt_tag_cmp(ux, uy) >= 0 ? ux : uy));
    }
done:
    json_decref(elems);
    return out;
}

/* qsort order of register entries: (s, m) descending. */
static int entry_desc(const void *p, const void *q)
{
    return ccm_crdt_entry_cmp(*(const json_t *const *)q, *(const json_t *const *)p);
}

/* The lattice join of two entries with the same (s, m) (new reference):
 * the greater value (null lowest, then strcmp) and the pointwise maximum of
 * the version vectors. NULL on OOM. */
static json_t *entry_merge(const json_t *e, const json_t *f)
{
    const json_t *ve = json_object_get(e, "v"), *vf = json_object_get(f, "v");
    json_t *out = json_copy(CCM_JSON_MUT(e)), *vv = json_copy(json_object_get(e, "vv"));

    /* shallow copies: the vectors hold integers, which are replaced, never
     * changed in place */
    if (out == NULL || vv == NULL || json_object_set_new(out, "vv", vv) != 0 ||
        ccm_crdt_vv_merge(vv, json_object_get(f, "vv"))) {
        json_decref(out);
        return NULL;
    }
    if (json_is_string(vf) &&
        (json_is_null(ve) || strcmp(json_string_value(vf), json_string_value(ve)) > 0) &&
        json_object_set(out, "v", CCM_JSON_MUT(vf)) != 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* Appends to `kept` the entries of `merged` (sorted by (s, m) descending)
 * that no other entry has seen, each with the version vector it absorbed.
 *
 * "Has seen" is closed transitively: an entry absorbs the vectors of the
 * entries it has seen (all but its own member's component), to a fixpoint,
 * and keeps them, so a later merge still
 * knows what it saw even when the entries in between were dropped. Honest
 * vectors are already closed (each is the maximum of what it replaced), so
 * for them this is the plain rule of record.h. Forged ones could make two
 * entries see each other, which no honest history can: of such a cycle the
 * greatest (s, m) is kept. Either way the join stays associative and never
 * empties a register. 0, or -1 on OOM. */
/* Absorbs src into the vector dst of entry e, except e's own member: what
 * an entry knows of its own member is its own stamp (vv[m] == s), never a
 * later one. Sets *changed when dst grows. 0, or -1 on OOM. */
static int absorb(json_t *dst, const json_t *src, const json_t *e, int *changed)
{
    const char *own = json_string_value(json_object_get(e, "m")), *member;
    json_t *n;

    json_object_foreach(CCM_JSON_MUT(src), member, n)
    {
        const json_t *cur = json_object_get(dst, member);
        if (strcmp(member, own) == 0 || (cur != NULL && ccm_crdt_stamp(cur) >= ccm_crdt_stamp(n))) {
            continue;
        }
        if (json_object_set_new(dst, member, json_integer(json_integer_value(n))) != 0) {
            return -1;
        }
        *changed = 1;
    }
    return 0;
}

/* 1 if entry f is by the same member as e and later: a member's later
 * assignment supersedes their earlier one even when it did not see it
 * (forks of one member's chain): a register keeps one value per member,
 * so no member can grow it by forking. */
static int same_member_later(const json_t *f, const json_t *e)
{
    return strcmp(json_string_value(json_object_get(f, "m")),
                  json_string_value(json_object_get(e, "m"))) == 0 &&
           ccm_crdt_stamp(json_object_get(f, "s")) > ccm_crdt_stamp(json_object_get(e, "s"));
}

static int keep_unseen(json_t *kept, const json_t *merged)
{
    size_t n = json_array_size(merged), i, j;
    json_t **vv = calloc(n ? n : 1, sizeof(*vv));
    char *seen = calloc(n ? n * n : 1, 1);
    int rc = -1, changed = 1;

    if (!vv || !seen) {
        goto done;
    }
    for (i = 0; i < n; i++) {
        if (!(vv[i] = json_copy(json_object_get(json_array_get(merged, i), "vv")))) {
            goto done;
        }
    }
    while (changed) {
        changed = 0;
        for (i = 0; i < n; i++) {
            for (j = 0; j < n; j++) {
                if (i == j ||
                    !(seen[i * n + j] || ccm_crdt_has_seen(vv[i], json_array_get(merged, j)) ||
                      same_member_later(json_array_get(merged, i), json_array_get(merged, j)))) {
                    continue;
                }
                changed |= !seen[i * n + j];
                seen[i * n + j] = 1;
                if (absorb(vv[i], vv[j], json_array_get(merged, i), &changed) != 0) {
                    goto done;
                }
            }
        }
    }
    for (j = 0; j < n; j++) {
        int dropped = 0;
        json_t *e;
        for (i = 0; i < n && !dropped; i++) {
            /* seen by another that it has not seen, or the smaller of a cycle */
            dropped = i != j && seen[i * n + j] && (!seen[j * n + i] || i < j);
        }
        if (dropped) {
            continue;
        }
        if (!(e = json_copy(json_array_get(merged, j))) || json_object_set(e, "vv", vv[j]) != 0 ||
            json_array_append_new(kept, e) != 0) {
            json_decref(e);
            goto done;
        }
    }
    rc = 0;
done:
    for (i = 0; vv && i < n; i++) {
        json_decref(vv[i]);
    }
    free(vv);
    free(seen);
    return rc;
}

/* The join of two registers (new reference), NULL on OOM: entries of both
 * sorted by (s, m) descending, equal keys merged, entries a greater one has
 * seen dropped (keep_unseen). */
static json_t *register_join(const json_t *x, const json_t *y)
{
    const json_t *rx = json_object_get(x, "r"), *ry = json_object_get(y, "r");
    size_t nx = json_array_size(rx), n = nx + json_array_size(ry), i, j;
    const json_t **all = malloc((n ? n : 1) * sizeof(*all));
    json_t *merged = json_array(), *kept = json_array(), *out = NULL;

    if (all == NULL || merged == NULL || kept == NULL) {
        goto done;
    }
    for (i = 0; i < n; i++) {
        all[i] = i < nx ? json_array_get(rx, i) : json_array_get(ry, i - nx);
    }
    qsort(all, n, sizeof(*all), entry_desc);
    for (i = 0; i < n; i = j) {
        json_t *e = json_incref(CCM_JSON_MUT(all[i]));
        for (j = i + 1; e != NULL && j < n && ccm_crdt_entry_cmp(all[i], all[j]) == 0; j++) {
            json_t *m = entry_merge(e, all[j]);
            json_decref(e);
            e = m;
        }
        if (json_array_append_new(merged, e) != 0) {
            goto done;
        }
    }
    if (keep_unseen(kept, merged) != 0) {
        goto done;
    }
    out = json_pack("{s:O}", "r", kept);
done:
    json_decref(kept);
    json_decref(merged);
    free(all);
    return out;
}

/* The join of two values of one field (new reference), NULL on OOM. */
static json_t *field_join(const json_t *x, const json_t *y)
{
    int sx = ccm_crdt_is_set(x), sy = ccm_crdt_is_set(y);

    if (sx && sy) {
        return set_join(x, y);
    }
    if (!sx && !sy) {
        return register_join(x, y);
    }
    return json_incref(CCM_JSON_MUT(sx ? x : y));
}

/* The join of the fields objects of two records of `kind` (new reference),
 * NULL on OOM. */
static json_t *fields_join(const json_t *x, const json_t *y, const char *kind)
{
    json_t *out = json_object(), *f;
    const char *name;

    json_object_foreach(CCM_JSON_MUT(x), name, f)
    {
        const json_t *other = json_object_get(y, name);
        if (out != NULL && (other ? json_object_set_new(out, name, field_join(f, other))
                                  : json_object_set(out, name, f))) {
            json_decref(out);
            out = NULL;
        }
    }
    json_object_foreach(CCM_JSON_MUT(y), name, f)
    {
        if (out != NULL && json_object_get(x, name) == NULL && json_object_set(out, name, f) != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    if (out != NULL && cap_names(out, CCM_RECORD_FIELDS_MAX, kind) != 0) {
        json_decref(out);
        out = NULL;
    }
    return out;
}

int ccm_record_join_shared(json_t **out, const json_t *a, const json_t *b)
{
    const json_t *rma, *rmb;
    json_t *res = NULL, *rm = NULL;
    const char *kind, *id;

    *out = NULL;
    kind = json_string_value(json_object_get(a, "kind"));
    id = json_string_value(json_object_get(a, "id"));
    if (strcmp(kind, json_string_value(json_object_get(b, "kind"))) != 0 ||
        strcmp(id, json_string_value(json_object_get(b, "id"))) != 0) {
        return ccm_error_set(CCM_EVERIFY, "cannot merge record '%s/%s' with '%s/%s'", kind, id,
                             json_string_value(json_object_get(b, "kind")),
                             json_string_value(json_object_get(b, "id")));
    }
    res =
        json_pack("{s:i, s:s, s:s, s:o}", "v", CCM_RECORD_VERSION, "kind", kind, "id", id, "fields",
                  fields_join(json_object_get(a, "fields"), json_object_get(b, "fields"), kind));
    if (res == NULL) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    rma = json_object_get(a, "rm");
    rmb = json_object_get(b, "rm");
    if (rma != NULL || rmb != NULL) {
        rm = rma && rmb ? register_join(rma, rmb) : json_incref(CCM_JSON_MUT(rma ? rma : rmb));
        if (json_object_set_new(res, "rm", rm) != 0) {
            json_decref(res);
            return ccm_error_set(CCM_ERROR, "out of memory");
        }
    }
    *out = res;
    return 0;
}

int ccm_record_join(json_t **out, const json_t *a, const json_t *b)
{
    json_t *shared = NULL;
    int rc;

    *out = NULL;
    if ((rc = ccm_record_validate(a)) != 0 || (rc = ccm_record_validate(b)) != 0 ||
        (rc = ccm_record_join_shared(&shared, a, b)) != 0) {
        return rc;
    }
    *out = json_deep_copy(shared);
    json_decref(shared);
    return *out ? 0 : ccm_error_set(CCM_ERROR, "out of memory");
}
