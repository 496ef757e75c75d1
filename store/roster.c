/*
 * roster.c - the group's members, roles and public keys (roster.json).
 *
 * The roster is public by design: names, roles and public keys are what the
 * remote may see. It is canonical (members sorted by name, keys sorted) so
 * that two replicas that merge the same rosters write the same blob, and a
 * merge commit's roster can be checked by recomputing it.
 *
 * A member entry: {"name","role","sign_key","box_key","since","added_by"}
 * plus, once removed, "removed" (the time) and "removed_by".
 */
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

int ccm_roster_validate(const json_t *roster)
{
    const json_t *members = json_object_get(roster, "members"), *m;
    json_int_t epoch = json_integer_value(json_object_get(roster, "epoch"));
    size_t i;

    if (!json_is_object(roster) || !json_is_integer(json_object_get(roster, "epoch")) ||
        epoch < 1 || epoch >= CCM_MAX_EPOCHS || !json_is_array(members) ||
        json_array_size(members) == 0 || json_array_size(members) > 10000) {
        return ccm_error_set(CCM_EVERIFY, "malformed roster");
    }
    json_array_foreach(members, i, m)
    {
        const char *name = json_string_value(json_object_get(m, "name"));
        const char *role = json_string_value(json_object_get(m, "role"));
        const char *box = json_string_value(json_object_get(m, "box_key"));
        const json_t *removed = json_object_get(m, "removed");
        uint8_t k[32];
        if (!json_is_object(m) || !name || ccm_schema_check_member_name(name) < 0 || !role ||
            (strcmp(role, "admin") != 0 && strcmp(role, "editor") != 0 &&
             strcmp(role, "reader") != 0) ||
            ccm_ssh_pubkey_parse(k, json_string_value(json_object_get(m, "sign_key"))) < 0 ||
            !box || ccm_base64_decode(k, 32, box, strlen(box)) != 32 ||
            (removed && !json_is_string(removed))) {
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
        json_array_append(sorted, v[i]);
    }
    free(v);
    json_object_set_new(roster, "members", sorted);
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

    *out = NULL;
    if (ccm_roster_validate(a) < 0 || ccm_roster_validate(b) < 0) {
        json_decref(r);
        return CCM_EVERIFY;
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
        int found = 0;
        json_array_foreach(members, k, mine)
        {
            if (name && strcmp(json_string_value(json_object_get(mine, "name")), name) == 0) {
                if (member_winner(mine, m) == m) {
                    json_array_set_new(members, k, json_deep_copy(m));
                }
                found = 1;
                break;
            }
        }
        if (!found) {
            json_array_append_new(members, json_deep_copy(m));
        }
    }
    json_object_set_new(r, "epoch", json_integer(ea > eb ? ea : eb));
    if (ccm_roster_canonicalise(r) < 0) {
        json_decref(r);
        return CCM_ERROR;
    }
    *out = r;
    return CCM_OK;
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
