/*
 * roster.c - the group's members, roles and public keys (roster.json).
 *
 * The roster is public by design: names, roles and public keys are what the
 * remote may see. It is canonical (members sorted by name, keys sorted) so
 * that two replicas that merge the same rosters write the same blob, and a
 * merge commit's roster can be checked by recomputing it.
 *
 * The roster: {"format": 2, "epoch": E, "commitments": {"1": C1, ..., "E": CE},
 * "members": [ENTRY...]}, where Ck is the public commitment to the group key
 * of epoch k (crypto.h). A member entry: {"name","role","sign_key","box_key",
 * "since","added_by"} plus, once removed, "removed" (the time) and
 * "removed_by". Nothing else.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "store_private.h"

/* 1 if every key of `obj` is one of the NULL-terminated `keys`. */
static int keys_within(const json_t *obj, const char *const *keys)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)obj, key, v)
    {
        size_t k = 0;
        while (keys[k] && strcmp(keys[k], key) != 0) {
            k++;
        }
        if (!keys[k]) {
            return 0;
        }
    }
    return 1;
}

/* "commitments": exactly epochs 1..epoch, each 32 bytes in base64. */
static int commitments_ok(const json_t *c, json_int_t epoch)
{
    const char *key;
    json_t *v;

    if (!json_is_object(c) || (json_int_t)json_object_size(c) != epoch) {
        return 0;
    }
    json_object_foreach((json_t *)c, key, v)
    {
        uint8_t raw[CCM_KEY_COMMITMENT_BYTES + 1];
        char *end = NULL;
        long e = strtol(key, &end, 10);
        const char *b64 = json_string_value(v);
        if (*end || key[0] == '0' || e < 1 || e > epoch || !b64 ||
            ccm_base64_decode(raw, sizeof(raw), b64, strlen(b64)) != CCM_KEY_COMMITMENT_BYTES) {
            return 0;
        }
    }
    return 1;
}

int ccm_roster_validate(const json_t *roster)
{
    static const char *const top[] = {"format", "epoch", "commitments", "members", NULL};
    static const char *const fields[] = {"name",     "role",    "sign_key",   "box_key", "since",
                                         "added_by", "removed", "removed_by", NULL};
    const json_t *members = json_object_get(roster, "members"), *m;
    json_int_t epoch = json_integer_value(json_object_get(roster, "epoch"));
    size_t i;

    if (!json_is_object(roster)) {
        return ccm_error_set(CCM_EVERIFY, "malformed roster");
    }
    if (json_integer_value(json_object_get(roster, "format")) != CCM_HISTORY_FORMAT) {
        return ccm_error_set(CCM_EVERIFY,
                             "roster of history format %lld, not %d (a group made by an earlier "
                             "ccmsync: export it with that version and import it into a new group)",
                             (long long)json_integer_value(json_object_get(roster, "format")),
                             CCM_HISTORY_FORMAT);
    }
    if (!keys_within(roster, top) || !json_is_integer(json_object_get(roster, "epoch")) ||
        epoch < 1 || epoch >= CCM_MAX_EPOCHS ||
        !commitments_ok(json_object_get(roster, "commitments"), epoch) || !json_is_array(members) ||
        json_array_size(members) == 0 || json_array_size(members) > CCM_MAX_MEMBERS) {
        return ccm_error_set(CCM_EVERIFY, "malformed roster");
    }
    json_array_foreach(members, i, m)
    {
        const char *name = json_string_value(json_object_get(m, "name"));
        const char *role = json_string_value(json_object_get(m, "role"));
        const char *box = json_string_value(json_object_get(m, "box_key"));
        const char *by = json_string_value(json_object_get(m, "added_by"));
        const json_t *removed = json_object_get(m, "removed");
        const char *removed_by = json_string_value(json_object_get(m, "removed_by"));
        uint8_t k[32];
        if (!json_is_object(m) || !keys_within(m, fields) || !name ||
            ccm_schema_check_member_name(name) < 0 || !role ||
            (strcmp(role, "admin") != 0 && strcmp(role, "editor") != 0 &&
             strcmp(role, "reader") != 0) ||
            ccm_ssh_pubkey_parse(k, json_string_value(json_object_get(m, "sign_key"))) < 0 ||
            !box || ccm_base64_decode(k, 32, box, strlen(box)) != 32 ||
            !json_is_string(json_object_get(m, "since")) || !by ||
            ccm_schema_check_member_name(by) < 0 || (removed && !json_is_string(removed)) ||
            (!removed != !removed_by) || (removed_by && ccm_schema_check_member_name(removed_by))) {
            ccm_error_clear();
            return ccm_error_set(CCM_EVERIFY, "malformed roster member %zu", i);
        }
        for (size_t j = 0; j < i; j++) {
            const char *other =
                json_string_value(json_object_get(json_array_get(members, j), "name"));
            if (strcmp(other, name) == 0) {
                return ccm_error_set(CCM_EVERIFY, "roster names '%s' twice", name);
            }
        }
    }
    return CCM_OK;
}

const json_t *ccm_roster_member(const json_t *roster, const char *name)
{
    size_t i;
    const json_t *m;

    json_array_foreach(json_object_get(roster, "members"), i, m)
    {
        const char *n = json_string_value(json_object_get(m, "name"));
        if (n && strcmp(n, name) == 0) {
            return m;
        }
    }
    return NULL;
}

const json_t *ccm_roster_member_by_key(const json_t *roster, const uint8_t pk[32])
{
    size_t i;
    const json_t *m;

    json_array_foreach(json_object_get(roster, "members"), i, m)
    {
        uint8_t k[32];
        const char *text = json_string_value(json_object_get(m, "sign_key"));
        if (text && ccm_ssh_pubkey_parse(k, text) == CCM_OK && memcmp(k, pk, 32) == 0) {
            return m;
        }
    }
    return NULL;
}

int ccm_roster_is_active(const json_t *member)
{
    return member && !json_object_get(member, "removed");
}

int ccm_roster_may_write(const json_t *member)
{
    const char *role = json_string_value(json_object_get(member, "role"));
    return ccm_roster_is_active(member) && role &&
           (strcmp(role, "admin") == 0 || strcmp(role, "editor") == 0);
}

int ccm_roster_is_admin(const json_t *member)
{
    const char *role = json_string_value(json_object_get(member, "role"));
    return ccm_roster_is_active(member) && role && strcmp(role, "admin") == 0;
}

size_t ccm_roster_active_admins(const json_t *roster)
{
    size_t i, n = 0;
    const json_t *m;

    json_array_foreach(json_object_get(roster, "members"), i, m)
    {
        n += ccm_roster_is_admin(m) ? 1 : 0;
    }
    return n;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "name")),
                  json_string_value(json_object_get(*(json_t *const *)b, "name")));
}

int ccm_roster_canonicalise(json_t *roster)
{
    json_t *members = json_object_get(roster, "members");
    size_t n = json_array_size(members);
    json_t **v = calloc(n + 1, sizeof(*v)), *sorted = json_array();

    if (!v || !sorted) {
        free(v);
        json_decref(sorted);
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        v[i] = json_array_get(members, i);
        if (!json_is_string(json_object_get(v[i], "name"))) {
            free(v);
            json_decref(sorted);
            return ccm_error_set(CCM_EVERIFY, "malformed roster member");
        }
    }
    qsort(v, n, sizeof(*v), by_name);
    for (size_t i = 0; i < n; i++) {
        if (json_array_append(sorted, v[i]) < 0) {
            free(v);
            json_decref(sorted);
            return ccm_error_set(CCM_ERROR, "out of memory");
        }
    }
    free(v);
    if (json_object_set_new(roster, "members", sorted) < 0) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    return CCM_OK;
}

/* Of two versions of one member, the one that wins in a merge: a removal
 * wins (it is final), else the later "since", else the greater serialisation. */
static const json_t *member_winner(const json_t *a, const json_t *b)
{
    int ra = json_object_get(a, "removed") != NULL, rb = json_object_get(b, "removed") != NULL;
    const char *sa, *sb;
    char *da, *db;
    int c;

    if (ra != rb) {
        return ra ? a : b;
    }
    sa = json_string_value(json_object_get(a, "since"));
    sb = json_string_value(json_object_get(b, "since"));
    if (sa && sb && (c = strcmp(sa, sb)) != 0) {
        return c > 0 ? a : b;
    }
    da = json_dumps(a, JSON_SORT_KEYS | JSON_COMPACT);
    db = json_dumps(b, JSON_SORT_KEYS | JSON_COMPACT);
    c = da && db ? strcmp(da, db) : 0;
    free(da);
    free(db);
    return c >= 0 ? a : b;
}

int ccm_roster_merge(json_t **out, const json_t *a, const json_t *b)
{
    json_t *r = json_deep_copy(a), *members;
    json_int_t ea = json_integer_value(json_object_get(a, "epoch"));
    json_int_t eb = json_integer_value(json_object_get(b, "epoch"));
    size_t i;
    const json_t *m;
    int rc;

    *out = NULL;
    if ((rc = ccm_roster_validate(a)) < 0 || (rc = ccm_roster_validate(b)) < 0) {
        json_decref(r);
        return rc; /* with its message */
    }
    if (!r) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    members = json_object_get(r, "members");
    json_array_foreach(json_object_get(b, "members"), i, m)
    {
        const char *name = json_string_value(json_object_get(m, "name"));
        size_t k;
        json_t *mine;
        int found = 0, err = 0;
        json_array_foreach(members, k, mine)
        {
            if (name && strcmp(json_string_value(json_object_get(mine, "name")), name) == 0) {
                if (member_winner(mine, m) == m) {
                    err = json_array_set_new(members, k, json_deep_copy(m));
                }
                found = 1;
                break;
            }
        }
        if (!found) {
            err = json_array_append_new(members, json_deep_copy(m));
        }
        if (err) {
            goto oom; /* a member silently missing would be a membership change */
        }
    }
    if (json_object_set_new(r, "epoch", json_integer(ea > eb ? ea : eb)) < 0) {
        goto oom;
    }
    {
        /* Commitments: the union; of two for one epoch (only a forged or
         * concurrent rotation makes two; the merge resolves those first),
         * the greater text, so the result does not depend on the order. */
        json_t *c = json_object_get(r, "commitments"), *v;
        const char *e;
        json_object_foreach(json_object_get(b, "commitments"), e, v)
        {
            const char *mine = json_string_value(json_object_get(c, e));
            if ((!mine || strcmp(json_string_value(v), mine) > 0) && json_object_set(c, e, v) < 0) {
                goto oom;
            }
        }
    }
    if ((rc = ccm_roster_canonicalise(r)) < 0) {
        json_decref(r);
        return rc;
    }
    *out = r;
    return CCM_OK;
oom:
    json_decref(r);
    return ccm_error_set(CCM_ERROR, "out of memory");
}

int ccm_roster_write(git_oid *oid, git_repository *repo, const json_t *roster)
{
    char *text = json_dumps(roster, JSON_SORT_KEYS | JSON_INDENT(1));
    int rc = CCM_OK;

    if (!text) {
        return ccm_error_set(CCM_ERROR, "cannot serialise roster");
    }
    if (git_blob_create_from_buffer(oid, repo, text, strlen(text)) < 0) {
        rc = ccm_git_error("cannot write roster");
    }
    free(text);
    return rc;
}

const json_t *ccm_roster_founder(const json_t *roster)
{
    size_t i;
    const json_t *m;

    json_array_foreach(json_object_get(roster, "members"), i, m)
    {
        const char *name = json_string_value(json_object_get(m, "name"));
        const char *by = json_string_value(json_object_get(m, "added_by"));
        if (name && by && strcmp(name, by) == 0) {
            return m;
        }
    }
    return NULL;
}

int ccm_roster_group_id(char out[CCM_GROUP_ID_LEN + 1], const json_t *roster)
{
    const json_t *f = ccm_roster_founder(roster);
    const char *parts[3];
    uint8_t h[CCM_GROUP_ID_LEN / 2];
    crypto_generichash_state st;

    if (!f) {
        return ccm_error_set(CCM_EVERIFY, "the roster names no founder");
    }
    parts[0] = json_string_value(json_object_get(f, "name"));
    parts[1] = json_string_value(json_object_get(f, "sign_key"));
    parts[2] = json_string_value(json_object_get(f, "since"));
    crypto_generichash_init(&st, NULL, 0, sizeof(h));
    for (size_t i = 0; i < 3; i++) {
        crypto_generichash_update(&st, (const uint8_t *)parts[i], strlen(parts[i]) + 1);
    }
    crypto_generichash_final(&st, h, sizeof(h));
    ccm_hex_encode(out, h, sizeof(h));
    return CCM_OK;
}
