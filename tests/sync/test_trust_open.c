/*
 * test_trust_open.c - two histories found by the trust property test
 * (test_trust_property.c), replayed step by step. Both start the same way: Peru removes Trudy (an
 * admin); before she learns of it, Trudy removes another member, V. That removal is void (her own
 * removal did not see it) but, until Peru's removal reaches them, the others take it in: they write
 * under the key of Trudy's new epoch, which V was never given.
 *   - V, with work of her own, must merge the history once it holds
 *     Peru's removal, though the merge meets versions sealed under
 *     Trudy's key, which V never held (replayed only where a commit is
 *     judged differently).
 *   - Trudy forges a commit under her key on top of her removal of V: V
 *     cannot check its records (no key) and must not build on it
 *     (sync/incoming.c holds it back), so that V's later edits still
 *     reach the group.
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
#include "tests/support/forge.h"
#include "tests/support/store_support.h"
#include "tests/support/tmpdir.h"

static char base[700];

static int setup(void **state)
{
    (void)state;
    ccm_test_mkdtemp(base, sizeof(base), "trustopen");
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

static int sync_rc(ccm_store *s)
{
    ccm_sync_result r;
    int rc = ccm_sync_run(&r, s, "origin", NULL, NULL);

    ccm_sync_result_free(&r);
    return rc;
}

static void must_sync(ccm_store *s)
{
    int rc = sync_rc(s);

    if (rc != CCM_OK) {
        fail_msg("%s's sync: %d %s", ccm_store_member(s), rc, ccm_error_last());
    }
}

/* Peru (admin) founds the group; the others join with their roles; NOR
 * holds a next step; everyone synced. */
static void group(ccm_store **out, const char *const *names, const char *const *roles, size_t n)
{
    char dir[800], hub[800], *req = NULL;

    snprintf(dir, sizeof(dir), "%s/%s", base, names[0]);
    snprintf(hub, sizeof(hub), "%s/hub.git", base);
    assert_int_equal(ccm_store_init(dir, names[0], NULL, 0), CCM_OK);
    out[0] = open_store(names[0]);
    assert_int_equal(ccm_sync_remote_add(out[0], "origin", hub), CCM_OK);
    ccm_test_set_field(out[0], "NOR", "next_step", "call Oslo");
    must_sync(out[0]);
    for (size_t i = 1; i < n; i++) {
        snprintf(dir, sizeof(dir), "%s/%s", base, names[i]);
        assert_int_equal(ccm_sync_join(&req, dir, hub, names[i], NULL, 0, NULL), CCM_OK);
        assert_int_equal(ccm_store_member_add(out[0], req, roles[i]), CCM_OK);
        free(req);
        must_sync(out[0]);
        out[i] = open_store(names[i]);
        must_sync(out[i]);
    }
    for (size_t i = 0; i < n; i++) {
        must_sync(out[i]);
        assert_int_equal(ccm_store_refresh(out[i]), CCM_OK);
    }
}

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

static void assert_field(ccm_store *s, const char *id, const char *field, const char *want)
{
    char *v = field_of(s, id, field);

    if (!v || strcmp(v, want) != 0) {
        fail_msg("%s sees %s.%s = %s, not '%s'", ccm_store_member(s), id, field, v ? v : "(none)",
                 want);
    }
    free(v);
}

static void test_trust_open__the_target_of_a_void_removal_merges_its_own_work(void **state)
{
    static const char *const names[] = {"Peru", "Trudy", "Norway", "Chile"};
    static const char *const roles[] = {"admin", "admin", "editor", "editor"};
    ccm_store *s[4];
    int rc;
    (void)state;

    group(s, names, roles, 4);
    assert_int_equal(ccm_store_member_remove(s[0], "Trudy"), CCM_OK);
    assert_int_equal(ccm_store_member_remove(s[1], "Chile"), CCM_OK); /* void */
    must_sync(s[1]);
    must_sync(s[2]);
    ccm_test_set_field(s[2], "LAO", "next_step", "under Trudy's key");
    must_sync(s[2]);
    ccm_test_set_field(s[1], "LAO", "priority", "low"); /* late: left out */
    must_sync(s[1]);
    ccm_test_set_field(s[3], "PER", "next_step", "Chile's own work");
    must_sync(s[0]); /* Trudy's removal of Chile is void, her late edit left out */
    rc = sync_rc(s[3]);
    if (rc != CCM_OK) {
        fail_msg("Chile cannot merge the group's history with her own work: %d %s", rc,
                 ccm_error_last());
    }
    assert_field(s[3], "LAO", "next_step", "under Trudy's key");
    must_sync(s[0]);
    assert_field(s[0], "PER", "next_step", "Chile's own work");
    for (size_t i = 0; i < 4; i++) {
        ccm_store_free(s[i]);
    }
}

/* Trudy's forged commit, under her key, on her history, forced onto the hub. */
static void forge_on_hub(void)
{
    char dir[800], hub[800];
    ccm_forge *f = NULL;
    json_t *rec = NULL;
    git_oid head, id;
    git_repository *h = NULL;
    git_reference *ref = NULL;
    ccm_transfer t = {NULL, NULL, "", NULL};
    uint64_t stamp;

    snprintf(dir, sizeof(dir), "%s/Trudy", base);
    snprintf(hub, sizeof(hub), "%s/hub.git", base);
    assert_int_equal(ccm_forge_open(&f, dir), CCM_OK);
    assert_int_equal(git_reference_name_to_id(&head, ccm_forge_store(f)->repo, CCM_BRANCH), 0);
    assert_int_equal(ccm_forge_begin(f, &head, NULL), CCM_OK);
    stamp = ccm_forge_next_stamp(f);
    assert_int_equal(ccm_forge_record(&rec, f, "state", "NOR"), CCM_OK);
    json_object_del(json_object_get(rec, "fields"), "next_step"); /* dropped */
    assert_int_equal(ccm_record_assign(rec, "priority", "high", stamp, "Trudy"), CCM_OK);
    assert_int_equal(ccm_forge_put_record(f, rec, 0), CCM_OK);
    assert_int_equal(ccm_forge_bump(f, stamp), CCM_OK);
    assert_int_equal(ccm_forge_commit(&id, f, NULL), CCM_OK);
    json_decref(rec);
    assert_int_equal(git_repository_open_bare(&h, hub), 0);
    assert_int_equal(
        ccm_odb_copy_reachable(ccm_forge_store(f)->repo, h, &id, "store", "push", t.fn, t.payload),
        CCM_OK);
    assert_int_equal(git_reference_create(&ref, h, CCM_BRANCH, &id, 1, "forced"), 0);
    git_reference_free(ref);
    git_repository_free(h);
    ccm_forge_free(f);
}

static void test_trust_open__a_forged_commit_under_a_withheld_key_does_not_poison(void **state)
{
    static const char *const names[] = {"Peru", "Trudy", "Norway"};
    static const char *const roles[] = {"admin", "admin", "editor"};
    ccm_store *s[3];
    int rc;
    (void)state;

    group(s, names, roles, 3);
    assert_int_equal(ccm_store_member_remove(s[0], "Trudy"), CCM_OK);
    assert_int_equal(ccm_store_member_remove(s[1], "Norway"), CCM_OK); /* void */
    must_sync(s[1]);
    forge_on_hub();
    (void)sync_rc(s[2]);                          /* Norway cannot check it (no key) and takes it */
    assert_int_equal(sync_rc(s[0]), CCM_EVERIFY); /* Peru refuses it, gives the hub his history */
    (void)sync_rc(s[2]);
    ccm_test_set_field(s[2], "LAO", "next_step", "Norway's later work");
    (void)sync_rc(s[2]);
    rc = sync_rc(s[0]);
    if (rc != CCM_OK) {
        fail_msg("Peru's sync after Norway's: %d %s", rc, ccm_error_last());
    }
    assert_field(s[0], "LAO", "next_step", "Norway's later work");
    assert_field(s[0], "NOR", "next_step", "call Oslo");
    for (size_t i = 0; i < 3; i++) {
        ccm_store_free(s[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_trust_open__the_target_of_a_void_removal_merges_its_own_work, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_trust_open__a_forged_commit_under_a_withheld_key_does_not_poison, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
