/*
 * test_trust_regress.c - histories found by the trust property test
 * (test_trust_property.c), replayed step by step, each pinned to the
 * behaviour it broke:
 *   - a reader (or a removed member) never signs a merge that every
 *     replica, its own included, would refuse;
 *   - a member who was never given the key of a rotation that a merge
 *     drops (a removed admin's concurrent removal of that member) still
 *     accepts the honest merge, and reads what it holds;
 *   - when a removal turns out void, the edits of its target that an
 *     earlier merge left out (because the removal stood there) come back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "store/store_private.h"
#include "sync/sync_private.h"
#include "tests/support/store_support.h"
#include "tests/support/tmpdir.h"

static char base[700];

static int setup(void **state)
{
    (void)state;
    ccm_test_mkdtemp(base, sizeof(base), "trustreg");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return ccm_test_rmdir(base);
}

static ccm_store *open_store(const char *name)
{
    char dir[800];

    snprintf(dir, sizeof(dir), "%s/%s", base, name);
    return ccm_test_open_any(dir);
}

static int sync_with(ccm_store *s, const char *remote)
{
    ccm_sync_result r;
    int rc = ccm_sync_run(&r, s, remote, NULL, NULL);

    ccm_sync_result_free(&r);
    return rc;
}

static void must_sync(ccm_store *s, const char *remote)
{
    int rc = sync_with(s, remote);

    if (rc != CCM_OK) {
        fail_msg("%s's sync with %s: %d %s", ccm_store_member(s), remote, rc, ccm_error_last());
    }
}

static void hub_path(char *out, size_t cap, const char *hub)
{
    snprintf(out, cap, "%s/%s.git", base, hub);
}

/* Peru founds the group on hub "h1"; each of the others joins as `roles[i]`;
 * everyone also gets remote "h2"; everyone synced with h1. */
static void group(ccm_store **out, const char *const *names, const char *const *roles, size_t n)
{
    char dir[800], h1[800], h2[800], *req = NULL;

    hub_path(h1, sizeof(h1), "h1");
    hub_path(h2, sizeof(h2), "h2");
    snprintf(dir, sizeof(dir), "%s/%s", base, names[0]);
    assert_int_equal(ccm_store_init(dir, names[0], NULL, 0), CCM_OK);
    out[0] = open_store(names[0]);
    assert_int_equal(ccm_sync_remote_add(out[0], "origin", h1), CCM_OK);
    assert_int_equal(ccm_sync_remote_add(out[0], "h2", h2), CCM_OK);
    must_sync(out[0], "origin");
    for (size_t i = 1; i < n; i++) {
        snprintf(dir, sizeof(dir), "%s/%s", base, names[i]);
        assert_int_equal(ccm_sync_join(&req, dir, h1, names[i], NULL, 0, NULL), CCM_OK);
        assert_int_equal(ccm_store_member_add(out[0], req, roles[i]), CCM_OK);
        free(req);
        must_sync(out[0], "origin");
        out[i] = open_store(names[i]);
        assert_int_equal(ccm_sync_remote_add(out[i], "h2", h2), CCM_OK);
        must_sync(out[i], "origin");
    }
    for (size_t i = 0; i < n; i++) {
        must_sync(out[i], "origin");
        assert_int_equal(ccm_store_refresh(out[i]), CCM_OK);
    }
}

static void free_all(ccm_store **s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ccm_store_free(s[i]);
    }
}

static void head_of(git_oid *out, git_repository *repo)
{
    assert_int_equal(git_reference_name_to_id(out, repo, CCM_BRANCH), 0);
}

static void hub_head(git_oid *out, const char *hub)
{
    char path[800];
    git_repository *r = NULL;

    hub_path(path, sizeof(path), hub);
    assert_int_equal(git_repository_open_bare(&r, path), 0);
    head_of(out, r);
    git_repository_free(r);
}

/* The value of state `id`'s field at a store's head (caller frees), or
 * NULL. */
static char *field_of(ccm_store *s, const char *id, const char *field)
{
    json_t *rec = NULL, *v;
    char *out = NULL;

    assert_int_equal(ccm_store_refresh(s), CCM_OK);
    if (ccm_store_get(&rec, s, "state", id) == CCM_OK &&
        (v = ccm_record_field_value(rec, field)) != NULL) {
        out = strdup(json_string_value(v));
        json_decref(v);
    }
    ccm_error_clear();
    json_decref(rec);
    return out;
}

/* A reader who syncs with two remotes that diverged cannot sign the merge
 * (readers may not write, and verification refuses a merge signed by one):
 * the sync says so and writes nothing, on either side. Before, it signed
 * the merge, pushed it, and every other replica refused it and gave the
 * remote its own history back. */
static void test_trust_regress__a_reader_does_not_sign_a_merge(void **state)
{
    static const char *const names[] = {"Peru", "Norway", "Malawi"};
    static const char *const roles[] = {"admin", "editor", "reader"};
    ccm_store *s[3];
    git_oid before, after, h2_before, h2_after;
    (void)state;

    group(s, names, roles, 3);
    ccm_test_set_field(s[0], "LAO", "next_step", "by Peru, on h1");
    must_sync(s[0], "origin");
    ccm_test_set_field(s[1], "NOR", "next_step", "by Norway, on h2");
    must_sync(s[1], "h2");
    must_sync(s[2], "origin");
    head_of(&before, s[2]->repo);
    hub_head(&h2_before, "h2");
    assert_int_equal(sync_with(s[2], "h2"), CCM_EDENIED);
    assert_non_null(strstr(ccm_error_last(), "reader"));
    head_of(&after, s[2]->repo);
    hub_head(&h2_after, "h2");
    assert_true(git_oid_equal(&before, &after));
    assert_true(git_oid_equal(&h2_before, &h2_after));
    /* Nothing in the way: Norway syncs h2, everyone converges on h1. */
    must_sync(s[1], "h2");
    must_sync(s[1], "origin");
    must_sync(s[2], "origin");
    assert_int_equal(ccm_store_verify(s[2], NULL), CCM_OK);
    free_all(s, 3);
}

/* Trudy (admin) is removed by Peru; before she learns of it, she removes
 * Malawi: a new key epoch that Malawi is never given. Norway takes that
 * removal in and writes under Trudy's key. Peru's merge voids Trudy's
 * removal of Malawi and seals everything under his own key again. Malawi
 * cannot open what Norway wrote under Trudy's key, so she cannot recompute
 * Peru's merge: she checks its membership, as a member not admitted yet
 * would, and takes it. Before, she refused Peru's honest merge as tampered
 * and gave the hub her own history in its place, for good. */
static void test_trust_regress__the_target_of_a_void_removal_takes_the_honest_merge(void **state)
{
    static const char *const names[] = {"Peru", "Trudy", "Norway", "Malawi"};
    static const char *const roles[] = {"admin", "admin", "editor", "editor"};
    ccm_store *s[4];
    char *v;
    (void)state;

    group(s, names, roles, 4);
    assert_int_equal(ccm_store_member_remove(s[0], "Trudy"), CCM_OK);
    assert_int_equal(ccm_store_member_remove(s[1], "Malawi"), CCM_OK);
    must_sync(s[1], "origin");
    must_sync(s[2], "origin");
    ccm_test_set_field(s[2], "NOR", "next_step", "under Trudy's key");
    must_sync(s[2], "origin");
    must_sync(s[0], "origin"); /* the merge that voids Trudy's removal of Malawi */
    assert_int_equal(sync_with(s[3], "origin"), CCM_OK);
    v = field_of(s[3], "NOR", "next_step");
    assert_non_null(v);
    assert_string_equal(v, "under Trudy's key");
    free(v);
    assert_int_equal(ccm_store_verify(s[3], NULL), CCM_OK);
    free_all(s, 4);
}

/* Norway's edit reaches the hub before Trudy's removal of Norway, which
 * Trudy's merge applies (strong removal: Norway's edit, unseen by it, is
 * left out). But Peru had removed Trudy first: Peru's merge voids her
 * removal of Norway, and Norway's edit must come back although no commit
 * left out by Peru's merge touched that record. Before, the record kept the
 * version Trudy's merge had made, without Norway's edit. */
static void test_trust_regress__edits_left_out_by_a_removal_that_turns_void_come_back(void **state)
{
    static const char *const names[] = {"Peru", "Trudy", "Norway", "Malawi"};
    static const char *const roles[] = {"admin", "admin", "editor", "editor"};
    ccm_store *s[4];
    char *v;
    (void)state;

    group(s, names, roles, 4);
    assert_int_equal(ccm_store_member_remove(s[0], "Trudy"), CCM_OK);
    assert_int_equal(ccm_store_member_remove(s[1], "Norway"), CCM_OK);
    ccm_test_set_field(s[2], "LAO", "next_step", "Norway's edit");
    must_sync(s[2], "origin");
    must_sync(s[1], "origin"); /* Trudy's merge: Norway's edit left out */
    v = field_of(s[1], "LAO", "next_step");
    assert_null(v);
    must_sync(s[3], "origin");
    must_sync(s[0], "origin"); /* Peru's merge: Trudy's removal of Norway is void */
    v = field_of(s[0], "LAO", "next_step");
    assert_non_null(v);
    assert_string_equal(v, "Norway's edit");
    free(v);
    must_sync(s[3], "origin");
    v = field_of(s[3], "LAO", "next_step");
    assert_non_null(v);
    assert_string_equal(v, "Norway's edit");
    free(v);
    free_all(s, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_trust_regress__a_reader_does_not_sign_a_merge, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_trust_regress__the_target_of_a_void_removal_takes_the_honest_merge, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_trust_regress__edits_left_out_by_a_removal_that_turns_void_come_back, setup,
            teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
