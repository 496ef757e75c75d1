/*
 * forge_mutate_tree.h - the tree changes of forge_mutate.c (included once,
 * by forge_mutate_ops.h): records deleted, rolled back, swapped, replaced
 * by garbage or given another mode; entries the layout does not have;
 * keys/, roster.json and stamps.json edited. All break a rule.
 */
#ifndef CCM_TEST_FORGE_MUTATE_TREE_H
#define CCM_TEST_FORGE_MUTATE_TREE_H

/* Bytes of the blob at a path of the tree being edited (caller frees). */
static uint8_t *blob_bytes(run *r, const git_oid *oid, size_t *len)
{
    git_blob *b = NULL;
    uint8_t *out = NULL;

    if (git_blob_lookup(&b, r->w->judge->repo, oid) == 0) {
        *len = (size_t)git_blob_rawsize(b);
        if ((out = malloc(*len ? *len : 1))) {
            memcpy(out, git_blob_rawcontent(b), *len);
        }
    }
    git_blob_free(b);
    git_error_clear();
    return out;
}

/* Puts raw bytes at a path; counts it as breaking if the tree changed. */
static int put_raw(run *r, const char *path, const void *data, size_t len, int mode,
                   const char *why)
{
    git_oid before, after;
    int had = ccm_forge_blob(&before, r->f, path) == CCM_OK, has;

    if (ccm_forge_put_raw(r->f, path, data, len, mode) < 0) {
        ccm_error_clear();
        return 0;
    }
    has = ccm_forge_blob(&after, r->f, path) == CCM_OK;
    if (had == has && (!had || git_oid_equal(&before, &after)) && mode == GIT_FILEMODE_BLOB) {
        return 0;
    }
    changed(r, 1, why);
    return 1;
}

/* Pseudo-random bytes from the input (garbage). */
static void fill(uint8_t *buf, size_t len, uint32_t seed)
{
    for (size_t i = 0; i < len; i++) {
        seed = seed * 1103515245u + 12345u;
        buf[i] = (uint8_t)(seed >> 16);
    }
}

static void op_delete_path(run *r)
{
    slot *sl = pick_record(r, next(r));
    git_oid oid, base;

    /* Only a record of the parent: one this commit created and deletes
     * again was never there (the forge drops both writes). */
    if (!sl || sl->frozen || ccm_forge_blob(&oid, r->f, sl->path) < 0 ||
        ccm_forge_blob_at(&base, r->f, &r->p1, sl->path) < 0) {
        ccm_error_clear();
        return;
    }
    if (put_raw(r, sl->path, NULL, 0, GIT_FILEMODE_BLOB, "a record deleted from the tree")) {
        sl->frozen = 1;
        r->records = 1;
    }
}

/* An older ciphertext of the record, from the history below the parent. */
static void op_rollback(run *r)
{
    slot *sl = pick_record(r, next(r));
    unsigned b = next(r);
    git_oid cur = r->p1, old;
    uint8_t *data;
    size_t len = 0;
    int found = 0;

    if (!sl || sl->frozen || !sl->has_blob) {
        return;
    }
    for (int depth = 0; depth < 64 && !found; depth++) {
        git_commit *c = NULL;
        int stop =
            git_commit_lookup(&c, r->w->judge->repo, &cur) < 0 || git_commit_parentcount(c) == 0;
        if (!stop) {
            cur = *git_commit_parent_id(c,
                                        (b >> (depth % 8)) & 1 ? git_commit_parentcount(c) - 1 : 0);
        }
        git_commit_free(c);
        if (stop) {
            break;
        }
        found = ccm_forge_blob_at(&old, r->f, &cur, sl->path) == CCM_OK &&
                !git_oid_equal(&old, &sl->blob);
    }
    git_error_clear();
    ccm_error_clear();
    if (!found || !(data = blob_bytes(r, &old, &len))) {
        return;
    }
    if (put_raw(r, sl->path, data, len, GIT_FILEMODE_BLOB, "a record rolled back")) {
        sl->frozen = 1;
        r->records = 1;
    }
    free(data);
}

/* Another record's ciphertext at this record's path. */
static void op_swap(run *r)
{
    slot *a = pick_record(r, next(r)), *b = pick_record(r, next(r));
    uint8_t *data;
    size_t len = 0;

    if (!a || !b || a == b || a->frozen || !b->has_blob ||
        !(data = blob_bytes(r, &b->blob, &len))) {
        return;
    }
    if (put_raw(r, a->path, data, len, GIT_FILEMODE_BLOB, "a record's ciphertext moved")) {
        a->frozen = 1;
        r->records = 1;
    }
    free(data);
}

/* Garbage at a record's path, or at a new one. */
static void op_garbage(run *r)
{
    unsigned b = next(r), l = next(r), s = next(r);
    slot *sl = (b & 1) ? pick_record(r, b >> 1) : NULL;
    char path[CCM_PATH_MAX + 8], name[CCM_NAME_LEN + 1];
    uint8_t buf[1024];
    size_t len = 1 + (size_t)l * 4;

    if (sl && sl->frozen) {
        return;
    }
    if (sl) {
        snprintf(path, sizeof(path), "%s", sl->path);
    } else {
        fill(buf, CCM_NAME_LEN, b * 7919u + s);
        for (int i = 0; i < CCM_NAME_LEN; i++) {
            name[i] = "0123456789abcdef"[buf[i] & 15];
        }
        name[CCM_NAME_LEN] = 0;
        ccm_record_path_of_name(path, name);
    }
    fill(buf, len, l * 31u + s);
    if (put_raw(r, path, buf, len, GIT_FILEMODE_BLOB, "garbage where a record goes")) {
        r->records = 1;
        if (sl) {
            sl->frozen = 1;
        }
    }
}

/* A record's file as an executable or a symbolic link. */
static void op_mode(run *r)
{
    slot *sl = pick_record(r, next(r));
    unsigned b = next(r);
    git_oid oid;
    uint8_t *data;
    size_t len = 0;

    if (!sl || sl->frozen || ccm_forge_blob(&oid, r->f, sl->path) < 0 ||
        !(data = blob_bytes(r, &oid, &len))) {
        ccm_error_clear();
        return;
    }
    if (put_raw(r, sl->path, data, len, (b & 1) ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_LINK,
                "a record that is not a regular file")) {
        sl->frozen = 1;
        r->records = 1;
    }
    free(data);
}

/* An entry the layout does not have, or a file of the layout with another
 * mode. */
static void op_extra(run *r)
{
    unsigned v = next(r) % 8, s = next(r);
    const char *why = "an entry the tree layout does not have";
    char path[160], name[CCM_NAME_LEN + 1];
    uint8_t buf[CCM_NAME_LEN];
    git_oid oid;
    uint8_t *data;
    size_t len = 0;

    switch (v) {
    case 0:
        put_raw(r, "README", "hello", 5, GIT_FILEMODE_BLOB, why);
        break;
    case 1:
        put_raw(r, "r/zz", "x", 1, GIT_FILEMODE_BLOB, why);
        break;
    case 2:
        put_raw(r, "r/ab/cd/short", "x", 1, GIT_FILEMODE_BLOB, why);
        break;
    case 3:
        put_raw(r, "notes/x", "x", 1, GIT_FILEMODE_BLOB, why);
        break;
    case 4:
        fill(buf, sizeof(buf), s);
        for (int i = 0; i < CCM_NAME_LEN; i++) {
            name[i] = "0123456789abcdef"[buf[i] & 15];
        }
        name[CCM_NAME_LEN] = 0;
        ccm_record_path_of_name(path, name);
        strcat(path, "/x");
        put_raw(r, path, "x", 1, GIT_FILEMODE_BLOB, why);
        break;
    case 5:
    case 6: {
        const char *file = v == 5 ? CCM_ROSTER_PATH : CCM_STAMPS_PATH;
        if ((v == 5 ? r->roster_done : r->stamps_done) || ccm_forge_blob(&oid, r->f, file) < 0 ||
            !(data = blob_bytes(r, &oid, &len))) {
            ccm_error_clear();
            return;
        }
        if (put_raw(r, file, data, len, v == 5 ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_LINK,
                    "roster.json or stamps.json not a regular file")) {
            *(v == 5 ? &r->roster_done : &r->stamps_done) = 1;
        }
        free(data);
        break;
    }
    default:
        if (put_raw(r, "keys/README", "x", 1, GIT_FILEMODE_BLOB, why)) {
            r->keys_done = 1;
        }
        break;
    }
}

/* Sealed keys replaced, removed, added without a membership change, or of
 * another shape. */
static void op_keys(run *r)
{
    const char *m = kMembers[next(r) % N(kMembers)], *o = kMembers[next(r) % N(kMembers)];
    unsigned v = next(r) % 8;
    size_t sealed = ccm_groupkey_sealed_size();
    uint8_t buf[512];
    char path[96], other[96];
    json_t *roster = NULL;
    unsigned epoch;
    git_oid oid;
    uint8_t *data = NULL;
    size_t len = 0;
    int done = 0;

    if (r->keys_done || r->membership || ccm_forge_roster(&roster, r->f) < 0) {
        ccm_error_clear();
        return;
    }
    epoch = (unsigned)json_integer_value(json_object_get(roster, "epoch"));
    json_decref(roster);
    fill(buf, sizeof(buf), v * 131u + (unsigned)m[0]);
    snprintf(path, sizeof(path), "keys/1/%s", m);
    switch (v) {
    case 0: /* replaced by garbage of the sealed size */
        done = ccm_forge_blob(&oid, r->f, path) == CCM_OK &&
               put_raw(r, path, buf, sealed, GIT_FILEMODE_BLOB, "a sealed key replaced");
        break;
    case 1:
        done = ccm_forge_blob(&oid, r->f, path) == CCM_OK &&
               put_raw(r, path, NULL, 0, GIT_FILEMODE_BLOB, "a sealed key removed");
        break;
    case 2:
        snprintf(path, sizeof(path), "keys/%u/Ghost", epoch);
        done = put_raw(r, path, buf, sealed, GIT_FILEMODE_BLOB, "a key sealed to a non-member");
        break;
    case 3:
        if (ccm_forge_blob(&oid, r->f, path) == CCM_OK && (data = blob_bytes(r, &oid, &len))) {
            done = put_raw(r, path, data, len, GIT_FILEMODE_LINK, "a sealed key as a link");
        }
        break;
    case 4:
        snprintf(path, sizeof(path), "keys/%u/%s", epoch, m);
        done = ccm_forge_blob(&oid, r->f, path) == CCM_OK &&
               put_raw(r, path, buf, sealed - 1, GIT_FILEMODE_BLOB, "a sealed key of another size");
        break;
    case 5:
        snprintf(path, sizeof(path), "keys/%u/Peru", epoch + 1);
        done = put_raw(r, path, buf, sealed, GIT_FILEMODE_BLOB, "a key epoch without a removal");
        break;
    case 6:
        done = put_raw(r, "keys/01/Peru", buf, sealed, GIT_FILEMODE_BLOB, "a malformed key epoch");
        break;
    default:
        snprintf(other, sizeof(other), "keys/1/%s", o);
        if (strcmp(m, o) != 0 && ccm_forge_blob(&oid, r->f, other) == CCM_OK &&
            ccm_forge_blob(&oid, r->f, path) == CCM_OK && (data = blob_bytes(r, &oid, &len))) {
            /* m's sealed key where o's is */
            done = put_raw(r, other, data, len, GIT_FILEMODE_BLOB, "sealed keys swapped");
        }
        break;
    }
    free(data);
    ccm_error_clear();
    if (done) {
        r->keys_done = 1;
    }
}

/* roster.json changed other than by one addition or removal done right. */
static void op_roster(run *r)
{
    const char *name = kMembers[next(r) % N(kMembers)];
    unsigned v = next(r) % 8;
    json_t *roster = NULL, *m, *c;
    char *text;
    int ok = 1;

    if (r->roster_done || r->membership || ccm_forge_roster(&roster, r->f) < 0) {
        ccm_error_clear();
        return;
    }
    m = (json_t *)ccm_roster_member(roster, name);
    if (!m && v != 3 && v != 4 && v != 5) {
        json_decref(roster);
        return;
    }
    switch (v) {
    case 0: {
        const char *role = json_string_value(json_object_get(m, "role"));
        json_object_set_new(m, "role",
                            json_string(strcmp(role, "admin") == 0    ? "editor"
                                        : strcmp(role, "editor") == 0 ? "reader"
                                                                      : "admin"));
        break;
    }
    case 1: {
        json_t *members = json_object_get(roster, "members");
        size_t i;
        json_t *x;
        json_array_foreach(members, i, x)
        {
            if (x == m) {
                json_array_remove(members, i);
                break;
            }
        }
        break;
    }
    case 2:
        ok = ccm_roster_is_active(m);
        json_object_set_new(m, "removed", json_string(DATE));
        json_object_set_new(m, "removed_by", json_string(r->signer));
        break;
    case 3: {
        json_int_t e = json_integer_value(json_object_get(roster, "epoch"));
        char key[24];
        snprintf(key, sizeof(key), "%lld", (long long)e + 1);
        c = json_object_get(roster, "commitments");
        json_object_set(c, key, json_object_get(c, "1"));
        json_object_set_new(roster, "epoch", json_integer(e + 1));
        break;
    }
    case 4: /* the same roster, written otherwise */
        text = json_dumps(roster, JSON_SORT_KEYS | JSON_COMPACT);
        if (text && put_raw(r, CCM_ROSTER_PATH, text, strlen(text), GIT_FILEMODE_BLOB,
                            "roster.json rewritten without a membership change")) {
            r->roster_done = 1;
        }
        free(text);
        json_decref(roster);
        return;
    case 5:
        json_object_set_new(roster, "note", json_string("x"));
        break;
    case 6: {
        json_t *p = json_deep_copy(m);
        json_object_set_new(p, "name", json_string("Puppet"));
        json_object_set_new(p, "role", json_string("admin"));
        json_object_set_new(p, "added_by", json_string(r->signer));
        json_object_del(p, "removed");
        json_object_del(p, "removed_by");
        json_array_append_new(json_object_get(roster, "members"), p);
        ccm_roster_canonicalise(roster);
        break;
    }
    default: {
        char *box = ccm_base64_encode(
            ccm_identity_box_pk(ccm_store_identity(ccm_forge_store(r->w->forge[4]))), 32);
        ok = box != NULL;
        json_object_set_new(m, "box_key", json_string(box ? box : "x"));
        free(box);
        break;
    }
    }
    if (ok && ccm_forge_set_roster(r->f, roster) == CCM_OK) {
        changed(r, 1, "roster.json changed otherwise than by one membership change");
        r->roster_done = 1;
    }
    ccm_error_clear();
    json_decref(roster);
}

/* stamps.json changed for another member, or malformed. */
static void op_stamps(run *r)
{
    unsigned v = next(r) % 5, b = next(r);
    json_t *st = NULL;
    const char *o = NULL, *name;
    json_t *x;
    char *before = NULL, *after = NULL;
    size_t k = 0, n;

    if (r->stamps_done || ccm_forge_stamps(&st, r->f) < 0) {
        ccm_error_clear();
        return;
    }
    n = json_object_size(st);
    json_object_foreach(st, name, x)
    {
        if (strcmp(name, r->signer) != 0 && (!o || k <= b % (n ? n : 1))) {
            o = name;
        }
        k++;
    }
    before = json_dumps(st, JSON_SORT_KEYS | JSON_COMPACT);
    if (v == 3) {
        if (put_raw(r, CCM_STAMPS_PATH, "{", 1, GIT_FILEMODE_BLOB, "malformed stamps.json")) {
            r->stamps_done = 1;
        }
        goto done;
    }
    if (v == 2) {
        json_object_set_new(st, "Puppet", json_integer((json_int_t)r->stamp));
    } else if (o && v == 0) {
        json_object_set_new(st, o, json_integer(json_integer_value(json_object_get(st, o)) + 1));
    } else if (o && v == 1) {
        json_object_del(st, o);
    } else if (o) {
        json_object_set_new(st, o, json_integer(0));
    }
    after = json_dumps(st, JSON_SORT_KEYS | JSON_COMPACT);
    if (before && after && strcmp(before, after) != 0 && ccm_forge_set_stamps(r->f, st) == CCM_OK) {
        changed(r, 1, "stamps.json changed for another member");
        r->stamps_done = 1;
    }
done:
    ccm_error_clear();
    free(before);
    free(after);
    json_decref(st);
}

#endif
