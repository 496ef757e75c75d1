/*
 * fuzz_roster.c - the roster (store/roster.c) from untrusted bytes: rosters
 * arrive from remotes and from every parent of a merge commit. Only what
 * ccm_store_read_roster checks is assumed (JSON without duplicate keys, an
 * integer "epoch" and an array "members"); the lookups, canonicalisation
 * and merge must cope with anything else.
 *
 * The input is one roster, or two separated by a 0xff byte. Invariants:
 *   - lookups by name and by signing key find what is there;
 *   - canonicalise sorts the members by name and keeps them all;
 *   - for a roster whose members have unique string names,
 *     merge(x, x) == canonicalise(x), and merge(a, b) has the same members
 *     and epoch as merge(b, a).
 */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_private.h"

#define CANON (JSON_SORT_KEYS | JSON_COMPACT)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_setup();
    return 0;
}

/* What ccm_store_read_roster accepts. */
static json_t *load(const uint8_t *data, size_t size)
{
    json_t *r = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (r != NULL && (!json_is_integer(json_object_get(r, "epoch")) ||
                      !json_is_array(json_object_get(r, "members")))) {
        json_decref(r);
        r = NULL;
    }
    return r;
}

static int same(const json_t *a, const json_t *b)
{
    char *sa = json_dumps(a, CANON), *sb = json_dumps(b, CANON);
    int eq = sa != NULL && sb != NULL && strcmp(sa, sb) == 0;
    if (!eq && sa != NULL && sb != NULL) {
        fprintf(stderr, "fuzz: rosters differ:\n  %s\n  %s\n", sa, sb);
    }
    free(sa);
    free(sb);
    return eq;
}

/* 1 if the roster is one the store accepts (store/roster.c): then merging
 * must succeed and be idempotent and commutative. */
static int well_named(const json_t *roster)
{
    int ok = ccm_roster_validate(roster) == CCM_OK;
    ccm_error_clear();
    return ok;
}

static void check_lookups(const json_t *roster)
{
    size_t i;
    const json_t *m;

    (void)ccm_roster_member_by_key(roster, ccm_identity_sign_pk(fuzz_identity()));
    json_array_foreach(json_object_get(roster, "members"), i, m)
    {
        const char *name = json_string_value(json_object_get(m, "name"));
        const char *key = json_string_value(json_object_get(m, "sign_key"));
        uint8_t pk[32];

        (void)ccm_roster_is_active(m);
        (void)ccm_roster_may_write(m);
        (void)ccm_roster_is_admin(m);
        if (name != NULL) {
            const json_t *found = ccm_roster_member(roster, name);
            FUZZ_CHECK(found != NULL &&
                       strcmp(json_string_value(json_object_get(found, "name")), name) == 0);
        }
        if (key != NULL && ccm_ssh_pubkey_parse(pk, key) == CCM_OK) {
            const json_t *found = ccm_roster_member_by_key(roster, pk);
            uint8_t pk2[32];
            FUZZ_CHECK(found != NULL);
            FUZZ_CHECK(ccm_ssh_pubkey_parse(
                           pk2, json_string_value(json_object_get(found, "sign_key"))) == CCM_OK &&
                       memcmp(pk, pk2, 32) == 0);
        }
    }
}

/* Canonicalises a copy; returns it (new reference) or NULL if refused. */
static json_t *canonical(const json_t *roster)
{
    json_t *c = json_deep_copy(roster);
    int rc = ccm_roster_canonicalise(c);
    const json_t *members = json_object_get(c, "members");

    FUZZ_CHECK(rc == CCM_OK || rc == CCM_EVERIFY);
    if (rc != CCM_OK) {
        json_decref(c);
        return NULL;
    }
    FUZZ_CHECK(json_array_size(members) == json_array_size(json_object_get(roster, "members")));
    for (size_t i = 1; i < json_array_size(members); i++) {
        const char *p = json_string_value(json_object_get(json_array_get(members, i - 1), "name"));
        const char *q = json_string_value(json_object_get(json_array_get(members, i), "name"));
        FUZZ_CHECK(p != NULL && q != NULL && strcmp(p, q) <= 0);
    }
    return c;
}

static void check_one(const json_t *x)
{
    json_t *c, *m = NULL;
    int rc;

    check_lookups(x);
    c = canonical(x);
    /* A malformed roster makes the merge fail with CCM_EVERIFY: no crash. */
    rc = ccm_roster_merge(&m, x, x);
    FUZZ_CHECK(rc <= 0 && (rc == CCM_OK) == (m != NULL));
    if (rc == CCM_OK) {
        check_lookups(m);
    }
    if (well_named(x)) {
        FUZZ_CHECK(c != NULL && rc == CCM_OK);
        FUZZ_CHECK(same(m, c)); /* idempotent */
    }
    json_decref(m);
    json_decref(c);
}

static void check_two(const json_t *a, const json_t *b)
{
    json_t *ab = NULL, *ba = NULL;
    int ra = ccm_roster_merge(&ab, a, b), rb = ccm_roster_merge(&ba, b, a);

    FUZZ_CHECK(ra <= 0 && (ra == CCM_OK) == (ab != NULL));
    FUZZ_CHECK(rb <= 0 && (rb == CCM_OK) == (ba != NULL));
    if (well_named(a) && well_named(b)) {
        FUZZ_CHECK(ra == CCM_OK && rb == CCM_OK);
        FUZZ_CHECK(same(json_object_get(ab, "members"), json_object_get(ba, "members")));
        FUZZ_CHECK(json_equal(json_object_get(ab, "epoch"), json_object_get(ba, "epoch")));
    }
    json_decref(ab);
    json_decref(ba);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *sep = memchr(data, 0xff, size);
    size_t la = sep ? (size_t)(sep - data) : size;
    json_t *a = load(data, la);
    json_t *b = sep ? load(sep + 1, size - la - 1) : NULL;

    if (a != NULL) {
        check_one(a);
    }
    if (b != NULL) {
        check_one(b);
        if (a != NULL) {
            check_two(a, b);
        }
    }
    json_decref(a);
    json_decref(b);
    ccm_error_clear();
    return 0;
}
