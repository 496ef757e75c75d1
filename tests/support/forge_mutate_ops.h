/*
 * forge_mutate_ops.h - the changes of forge_mutate.c (included by it once,
 * after its helpers): legal ones first, then record changes that break a
 * rule, then tree changes (all breaking). Each reads its argument bytes,
 * and does nothing when they name something that is not there.
 */
#ifndef CCM_TEST_FORGE_MUTATE_OPS_H
#define CCM_TEST_FORGE_MUTATE_OPS_H

#define DATE "2025-06-01T00:00:00.000Z"

/* ---- legal ----------------------------------------------------------------- */

static void op_assign(run *r)
{
    slot *sl = pick_record(r, next(r));
    const fdef *fd = field_of(sl ? sl->kind : "state", next(r), 0);
    unsigned v = next(r);
    json_t *rec = sl ? current(r, sl, strcmp(sl->kind, "state") == 0) : NULL;

    if (!rec) {
        return;
    }
    if (ccm_record_assign(rec, fd->field, fd->values[v % fd->n], r->stamp, r->signer) < 0) {
        json_decref(rec);
        ccm_error_clear();
        return;
    }
    put(r, sl, rec, 0, NULL);
}

static void op_set(run *r, int add)
{
    slot *sl = pick_record(r, next(r));
    const fdef *fd = field_of(sl ? sl->kind : "state", next(r), 1);
    unsigned v = next(r);
    json_t *rec = sl ? current(r, sl, strcmp(sl->kind, "state") == 0) : NULL;
    int rc;

    if (!rec) {
        return;
    }
    rc = add ? ccm_record_set_add(rec, fd->field, fd->values[v % fd->n], r->stamp, r->signer)
             : ccm_record_set_remove(rec, fd->field, fd->values[v % fd->n], r->stamp, r->signer);
    if (rc < 0) {
        json_decref(rec);
        ccm_error_clear();
        return;
    }
    put(r, sl, rec, 0, NULL);
}

/* A new activity with its type and date (legal), or without its date. */
static void op_new_act(run *r, int legal)
{
    char id[24];
    unsigned a = next(r), b = next(r), c = next(r);
    slot *sl;
    json_t *rec;
    git_oid oid;
    int rc;

    snprintf(id, sizeof(id), "%02x%02x%02x70aa55cc33", a, b, c);
    if (!(sl = slot_of(r, "activity", id))) {
        return;
    }
    if (!legal && ccm_forge_blob(&oid, r->f, sl->path) == CCM_OK) {
        return; /* there already: an edit, not a creation */
    }
    if (!(rec = current(r, sl, 1))) {
        return;
    }
    rc = ccm_record_assign(rec, "type", kTypes[a % N(kTypes)], r->stamp, r->signer);
    if (rc == CCM_OK && legal) {
        rc = ccm_record_assign(rec, "date", kDates[b % N(kDates)], r->stamp, r->signer);
    }
    if (rc == CCM_OK && (c & 1)) {
        rc = ccm_record_assign(rec, "summary", kText[c % N(kText)], r->stamp, r->signer);
    }
    if (rc < 0) {
        json_decref(rec);
        ccm_error_clear();
        return;
    }
    put(r, sl, rec, !legal, "a new activity without its date");
}

static void op_delete(run *r)
{
    slot *sl = pick_record(r, next(r));
    json_t *rec = current(r, sl, 0);

    if (!rec) {
        return;
    }
    if (ccm_record_delete(rec, r->stamp, r->signer) < 0) {
        json_decref(rec);
        ccm_error_clear();
        return;
    }
    put(r, sl, rec, 0, NULL);
}

static void op_clear(run *r)
{
    slot *sl = pick_record(r, next(r));
    const fdef *fd = field_of(sl ? sl->kind : "state", next(r), 0);
    json_t *rec;

    if (!sl || ccm_schema_is_required(sl->kind, fd->field) || !(rec = current(r, sl, 0))) {
        return;
    }
    if (ccm_record_assign(rec, fd->field, NULL, r->stamp, r->signer) < 0) {
        json_decref(rec);
        ccm_error_clear();
        return;
    }
    put(r, sl, rec, 0, NULL);
}

static void op_new_state(run *r)
{
    slot *sl = slot_of(r, "state", kNewStates[next(r) % N(kNewStates)]);
    const fdef *fd = field_of("state", next(r), 0);
    unsigned v = next(r);
    json_t *rec = current(r, sl, 1);

    if (!rec) {
        return;
    }
    if (ccm_record_assign(rec, fd->field, fd->values[v % fd->n], r->stamp, r->signer) < 0) {
        json_decref(rec);
        ccm_error_clear();
        return;
    }
    put(r, sl, rec, 0, NULL);
}

static size_t active_admins(const json_t *roster)
{
    size_t i, n = 0;
    const json_t *m;

    json_array_foreach(json_object_get(roster, "members"), i, m)
    {
        n += ccm_roster_is_admin(m) ? 1 : 0;
    }
    return n;
}

/* A member removed as an admin does it: the next key epoch, sealed to the
 * remaining members, and its commitment. */
static void op_remove(run *r)
{
    const char *target = kMembers[next(r) % N(kMembers)];
    json_t *roster = NULL, *m;
    char *cmt = NULL, e[24];
    json_int_t epoch;
    int was_admin, legal;

    if (r->roster_done || r->keys_done || strcmp(target, r->signer) == 0 ||
        ccm_forge_roster(&roster, r->f) < 0) {
        ccm_error_clear();
        return;
    }
    m = (json_t *)ccm_roster_member(roster, target);
    if (!ccm_roster_is_active(m)) {
        json_decref(roster);
        return;
    }
    was_admin = ccm_roster_is_admin(m);
    epoch = json_integer_value(json_object_get(roster, "epoch"));
    json_object_set_new(m, "removed", json_string(DATE));
    json_object_set_new(m, "removed_by", json_string(r->signer));
    json_object_set_new(roster, "epoch", json_integer(epoch + 1));
    if (ccm_forge_own_key(r->f, roster, (uint32_t)epoch + 1, 0, &cmt) < 0) {
        ccm_error_clear();
        json_decref(roster);
        return; /* the signer holds no key of the epoch before */
    }
    snprintf(e, sizeof(e), "%lld", (long long)epoch + 1);
    json_object_set_new(json_object_get(roster, "commitments"), e, json_string(cmt));
    free(cmt);
    legal = r->admin && !r->membership && !(was_admin && active_admins(roster) == 0);
    if (ccm_forge_set_roster(r->f, roster) == CCM_OK) {
        changed(r, !legal,
                !r->admin       ? "a removal by a non-admin"
                : r->membership ? "two membership changes"
                                : "the last admin removed");
        r->membership = r->roster_done = r->keys_done = 1;
    }
    json_decref(roster);
}

/* Ghost added as an admin does it: every epoch's key sealed to them. */
static void op_add_ghost(run *r)
{
    const char *role = kRoles[next(r) % N(kRoles)];
    const ccm_identity *id = ccm_store_identity(ccm_forge_store(r->w->forge[4]));
    json_t *roster = NULL, *entry = NULL;
    git_commit *c = NULL;
    git_tree *t = NULL;
    uint8_t *sealed[64] = {NULL};
    size_t len[64] = {0};
    char *sign = NULL, *box = NULL, path[64];
    uint32_t epoch = 0, e;
    int ok = 0;

    if (r->roster_done || r->keys_done || !id || ccm_forge_roster(&roster, r->f) < 0 ||
        ccm_roster_member(roster, "Ghost") ||
        (epoch = (uint32_t)json_integer_value(json_object_get(roster, "epoch"))) >= 64 ||
        git_commit_lookup(&c, ccm_forge_store(r->f)->repo, &r->p1) < 0 ||
        git_commit_tree(&t, c) < 0) {
        goto done;
    }
    for (e = 1; e <= epoch; e++) {
        ccm_store *s = ccm_forge_store(r->f);
        const ccm_groupkey *gk = ccm_store_key_for(s, e, roster);
        if (!gk && ccm_store_load_key_with(s, t, roster, e) == CCM_OK) {
            gk = ccm_store_key_for(s, e, roster);
        }
        if (!gk || ccm_groupkey_seal(&sealed[e], &len[e], gk, ccm_identity_box_pk(id)) < 0) {
            goto done;
        }
    }
    sign = ccm_ssh_pubkey_format(ccm_identity_sign_pk(id));
    box = ccm_base64_encode(ccm_identity_box_pk(id), 32);
    if (!sign || !box ||
        !(entry =
              json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name", "Ghost", "role", role, "sign_key",
                        sign, "box_key", box, "since", DATE, "added_by", r->signer)) ||
        json_array_append_new(json_object_get(roster, "members"), entry) < 0 ||
        ccm_roster_canonicalise(roster) < 0 || ccm_forge_set_roster(r->f, roster) < 0) {
        goto done;
    }
    for (e = 1; e <= epoch; e++) {
        snprintf(path, sizeof(path), "keys/%u/Ghost", (unsigned)e);
        ccm_forge_put_raw(r->f, path, sealed[e], len[e], GIT_FILEMODE_BLOB);
    }
    ok = 1;
done:
    if (ok) {
        changed(r, !r->admin || r->membership,
                !r->admin ? "an addition by a non-admin" : "two membership changes");
        r->membership = r->roster_done = r->keys_done = 1;
    }
    for (e = 0; e < 64; e++) {
        free(sealed[e]);
    }
    free(sign);
    free(box);
    git_tree_free(t);
    git_commit_free(c);
    json_decref(roster);
    ccm_error_clear();
}

/* ---- record changes that break a rule ------------------------------------------ */

/* An entry or tag attributed to another member. */
static void op_attribute(run *r)
{
    slot *sl = pick_record(r, next(r));
    unsigned b = next(r), v = next(r);
    const fdef *fd = field_of(sl ? sl->kind : "state", b >> 1, (int)(b & 1));
    const char *other = other_member(r, v);
    json_t *rec = sl ? current(r, sl, strcmp(sl->kind, "state") == 0) : NULL;
    int rc;

    if (!rec) {
        return;
    }
    rc = fd->set ? ccm_record_set_add(rec, fd->field, fd->values[v % fd->n], r->stamp, other)
                 : ccm_record_assign(rec, fd->field, fd->values[v % fd->n], r->stamp, other);
    if (rc < 0) {
        json_decref(rec);
        ccm_error_clear();
        return;
    }
    put(r, sl, rec, 1, "an entry attributed to another member");
}

/* An assignment stamped off the commit's stamp. */
static void op_off_stamp(run *r)
{
    slot *sl = pick_record(r, next(r));
    const fdef *fd = field_of(sl ? sl->kind : "state", next(r), 0);
    unsigned d = next(r);
    uint64_t s = (d & 1) ? r->stamp + 1 + (d >> 1) : r->stamp - 1 - (d >> 1);
    json_t *rec = sl ? current(r, sl, strcmp(sl->kind, "state") == 0) : NULL;

    if (!rec) {
        return;
    }
    if (ccm_record_assign(rec, fd->field, fd->values[d % fd->n], s, r->signer) < 0) {
        json_decref(rec);
        ccm_error_clear();
        return;
    }
    put(r, sl, rec, 1, "an entry stamped off the commit's stamp");
}

static void op_drop_field(run *r)
{
    slot *sl = pick_record(r, next(r));
    unsigned b = next(r);
    const char *name;
    json_t *rec;

    if (!sl || !sl->base || !(rec = current(r, sl, 0))) {
        return;
    }
    if ((b & 0x80) && json_object_get(sl->base, "rm") && json_object_get(rec, "rm")) {
        json_object_del(rec, "rm");
    } else if ((name = nth_field(sl->base, b)) &&
               json_object_get(json_object_get(rec, "fields"), name)) {
        json_object_del(json_object_get(rec, "fields"), name);
    } else {
        json_decref(rec);
        return;
    }
    put(r, sl, rec, 1, "a field dropped");
}

/* The i-th (set field, element) of a record's base version. */
static int nth_elem(const json_t *base, unsigned i, const char **field, const char **elem)
{
    const char *fname, *ename;
    json_t *f, *e;
    size_t n = 0, k = 0;

    json_object_foreach(json_object_get((json_t *)base, "fields"), fname, f)
    {
        n += json_object_size(json_object_get(f, "set"));
    }
    if (n == 0) {
        return 0;
    }
    json_object_foreach(json_object_get((json_t *)base, "fields"), fname, f)
    {
        json_object_foreach(json_object_get(f, "set"), ename, e)
        {
            if (k++ == i % n) {
                *field = fname;
                *elem = ename;
                return 1;
            }
        }
    }
    return 0;
}

static json_t *elem_in(json_t *rec, const char *field, const char *elem)
{
    return json_object_get(
        json_object_get(json_object_get(json_object_get(rec, "fields"), field), "set"), elem);
}

static void op_drop_elem(run *r)
{
    slot *sl = pick_record(r, next(r));
    unsigned b = next(r);
    const char *field, *elem;
    json_t *rec;

    if (!sl || !sl->base || !nth_elem(sl->base, b, &field, &elem) || !(rec = current(r, sl, 0))) {
        return;
    }
    if (!elem_in(rec, field, elem)) {
        json_decref(rec);
        return;
    }
    json_object_del(json_object_get(json_object_get(json_object_get(rec, "fields"), field), "set"),
                    elem);
    put(r, sl, rec, 1, "a set element dropped");
}

static int tag_index(const json_t *tags, const json_t *tag)
{
    size_t i;
    json_t *t;

    json_array_foreach(tags, i, t)
    {
        if (json_equal(t, tag)) {
            return (int)i;
        }
    }
    return -1;
}

/* An add tag (or a removal tag) of the base dropped. */
static void op_drop_tag(run *r)
{
    slot *sl = pick_record(r, next(r));
    unsigned b = next(r), which = next(r) & 1;
    const char *field, *elem, *key = which ? "r" : "a";
    const json_t *tags;
    json_t *rec, *now;
    int at;

    if (!sl || !sl->base || !nth_elem(sl->base, b, &field, &elem)) {
        return;
    }
    tags = json_object_get(elem_in(sl->base, field, elem), key);
    if (json_array_size(tags) == 0 || !(rec = current(r, sl, 0))) {
        return;
    }
    now = json_object_get(elem_in(rec, field, elem), key);
    at = tag_index(now, json_array_get(tags, (b >> 4) % json_array_size(tags)));
    if (at < 0) {
        json_decref(rec);
        return;
    }
    json_array_remove(now, (size_t)at);
    put(r, sl, rec, 1, which ? "a removal undone" : "an addition dropped");
}

/* An assignment whose version vector claims what it did not replace. */
static void op_vv(run *r)
{
    slot *sl = pick_record(r, next(r));
    const fdef *fd = field_of(sl ? sl->kind : "state", next(r), 0);
    unsigned v = next(r);
    json_t *rec = sl ? current(r, sl, strcmp(sl->kind, "state") == 0) : NULL, *e;

    if (!rec) {
        return;
    }
    if (ccm_record_assign(rec, fd->field, fd->values[v % fd->n], r->stamp, r->signer) < 0) {
        json_decref(rec);
        ccm_error_clear();
        return;
    }
    e = json_array_get(
        json_object_get(json_object_get(json_object_get(rec, "fields"), fd->field), "r"), 0);
    json_object_set_new(json_object_get(e, "vv"), other_member(r, v),
                        json_integer((json_int_t)r->stamp));
    put(r, sl, rec, 1, "a version vector claiming what it did not replace");
}

static void op_bad_value(run *r)
{
    const badval *bv = &kBad[next(r) % N(kBad)];
    unsigned b = next(r);
    slot *sl = strcmp(bv->kind, "state") == 0 ? slot_of(r, "state", kIso[b % N(kIso)])
                                              : slot_of(r, "activity", r->w->acts[b % r->w->nacts]);
    json_t *rec = current(r, sl, strcmp(bv->kind, "state") == 0);
    int rc;

    if (!rec) {
        return;
    }
    rc = bv->set ? ccm_record_set_add(rec, bv->field, bv->value, r->stamp, r->signer)
                 : ccm_record_assign(rec, bv->field, bv->value, r->stamp, r->signer);
    if (rc < 0) {
        json_decref(rec);
        ccm_error_clear();
        return;
    }
    put(r, sl, rec, 1, "a value outside the schema");
}

/* A field of the base switched between value and set. */
static void op_switch(run *r)
{
    slot *sl = pick_record(r, next(r));
    const char *name = sl && sl->base ? nth_field(sl->base, next(r)) : NULL;
    json_t *rec, *f, *fields;

    if (!name || !(rec = current(r, sl, 0))) {
        return;
    }
    fields = json_object_get(rec, "fields");
    if (!(f = json_object_get(fields, name))) {
        json_decref(rec);
        return;
    }
    if (json_object_get(f, "r")) {
        json_object_set_new(fields, name,
                            json_pack("{s:{s:{s:[[I,s]], s:[]}}, s:[I,s]}", "set", "x", "a",
                                      (json_int_t)r->stamp, r->signer, "r", "u",
                                      (json_int_t)r->stamp, r->signer));
    } else {
        json_object_set_new(fields, name,
                            json_pack("{s:[{s:s, s:I, s:s, s:{s:I}}]}", "r", "v", "x", "s",
                                      (json_int_t)r->stamp, "m", r->signer, "vv", r->signer,
                                      (json_int_t)r->stamp));
    }
    put(r, sl, rec, 1, "a field switched between value and set");
}

/* A changed register with two assignments (the signer's and another's). */
static void op_two_entries(run *r)
{
    slot *sl = pick_record(r, next(r));
    const fdef *fd = field_of(sl ? sl->kind : "state", next(r), 0);
    unsigned v = next(r);
    const char *other = other_member(r, v), *hi, *lo;
    json_t *rec = sl ? current(r, sl, strcmp(sl->kind, "state") == 0) : NULL;

    if (!rec) {
        return;
    }
    hi = strcmp(r->signer, other) > 0 ? r->signer : other;
    lo = hi == r->signer ? other : r->signer;
    json_object_set_new(json_object_get(rec, "fields"), fd->field,
                        json_pack("{s:[{s:s, s:I, s:s, s:{s:I}}, {s:s, s:I, s:s, s:{s:I}}]}", "r",
                                  "v", fd->values[v % fd->n], "s", (json_int_t)r->stamp, "m", hi,
                                  "vv", hi, (json_int_t)r->stamp, "v", fd->values[(v + 1) % fd->n],
                                  "s", (json_int_t)r->stamp, "m", lo, "vv", lo,
                                  (json_int_t)r->stamp));
    put(r, sl, rec, 1, "a change with two assignments");
}

/* The value of an entry of the base changed in place. */
static void op_change_old(run *r)
{
    slot *sl = pick_record(r, next(r));
    const char *name = sl && sl->base ? nth_field(sl->base, next(r)) : NULL;
    const json_t *old;
    json_t *rec, *e;
    size_t i;

    if (!name ||
        !(old = json_array_get(
              json_object_get(json_object_get(json_object_get(sl->base, "fields"), name), "r"),
              0)) ||
        !(rec = current(r, sl, 0))) {
        return;
    }
    json_array_foreach(json_object_get(json_object_get(json_object_get(rec, "fields"), name), "r"),
                       i, e)
    {
        if (json_equal(json_object_get(e, "s"), json_object_get(old, "s")) &&
            json_equal(json_object_get(e, "m"), json_object_get(old, "m"))) {
            const char *v = json_string_value(json_object_get(e, "v"));
            json_object_set_new(e, "v",
                                json_string(v && strcmp(v, "changed") == 0 ? "other" : "changed"));
            put(r, sl, rec, 1, "an old entry's value changed");
            return;
        }
    }
    json_decref(rec);
}

static void op_clear_required(run *r)
{
    unsigned b = next(r);
    slot *sl = slot_of(r, "activity", r->w->acts[b % r->w->nacts]);
    json_t *rec = current(r, sl, 0);

    if (!rec) {
        return;
    }
    if (ccm_record_assign(rec, (b & 0x10) ? "date" : "type", NULL, r->stamp, r->signer) < 0) {
        json_decref(rec);
        ccm_error_clear();
        return;
    }
    put(r, sl, rec, 1, "a required field cleared");
}

/* An element added at another stamp than the commit's. */
static void op_foreign_tag(run *r)
{
    slot *sl = pick_record(r, next(r));
    const fdef *fd = field_of(sl ? sl->kind : "state", next(r), 1);
    unsigned v = next(r);
    json_t *rec = sl ? current(r, sl, strcmp(sl->kind, "state") == 0) : NULL;

    if (!rec) {
        return;
    }
    if (ccm_record_set_add(rec, fd->field, fd->values[v % fd->n], r->stamp + 1 + v, r->signer) <
        0) {
        json_decref(rec);
        ccm_error_clear();
        return;
    }
    put(r, sl, rec, 1, "an element added at another stamp");
}

/* A removal tag for an addition nobody made. */
static void op_fake_remove(run *r)
{
    slot *sl = pick_record(r, next(r));
    unsigned b = next(r), v = next(r);
    const char *field, *elem, *other = other_member(r, v);
    json_t *rec, *e, *rm, *t;
    size_t at;

    if (!sl || !sl->base || !nth_elem(sl->base, b, &field, &elem) || !(rec = current(r, sl, 0))) {
        return;
    }
    if (!(e = elem_in(rec, field, elem))) {
        json_decref(rec);
        return;
    }
    rm = json_object_get(e, "r");
    json_array_foreach(rm, at, t)
    {
        uint64_t s = (uint64_t)json_integer_value(json_array_get(t, 0));
        if (s > r->stamp ||
            (s == r->stamp && strcmp(json_string_value(json_array_get(t, 1)), other) > 0)) {
            break;
        }
    }
    json_array_insert_new(rm, at, json_pack("[I, s]", (json_int_t)r->stamp, other));
    json_object_set_new(json_object_get(json_object_get(rec, "fields"), field), "u",
                        json_pack("[I, s]", (json_int_t)r->stamp, r->signer));
    put(r, sl, rec, 1, "a removal of an addition nobody made");
}

#include "forge_mutate_tree.h"

#endif
