/*
 * test_trust.c - the rules every replica enforces on incoming history, shown
 * failing for forged commits that the command line would never write: a
 * reader's edit, an editor's roster change, a removed member's commit dated
 * after the removal. Also: removal rotates the key (the removed member's
 * store syncs but cannot read new data), and concurrent edits are
 * re-encrypted under the new epoch by the merge.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "store/store_private.h"
#include "sync/sync_private.h"
#include "tests/support/store_support.h"
#include "tests/support/tmpdir.h"

static char base[700];

static int setup(void **state)
{
    (void)state;
    ccm_test_mkdtemp(base, sizeof(base), "trust");
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
    return ccm_test_open_unlocked(dir);
}

static int sync_rc(ccm_store *s)
{
    ccm_sync_result r;
    int rc = ccm_sync_run(&r, s, "origin", NULL, NULL);
    ccm_sync_result_free(&r);
    return rc;
}

/* Peru (admin) and Norway with `role`, through a hub, both synced. */
static void group(ccm_store **peru, ccm_store **nor, const char *role)
{
    char dir[800], hub[800], *req = NULL;

    snprintf(dir, sizeof(dir), "%s/peru", base);
    snprintf(hub, sizeof(hub), "%s/hub.git", base);
    assert_int_equal(ccm_store_init(dir, "Peru", NULL, 0), CCM_OK);
    *peru = open_store("peru");
    assert_int_equal(ccm_sync_remote_add(*peru, "origin", hub), CCM_OK);
    assert_int_equal(sync_rc(*peru), CCM_OK);
    snprintf(dir, sizeof(dir), "%s/norway", base);
    assert_int_equal(ccm_sync_join(&req, dir, hub, "Norway", NULL, 0, NULL), CCM_OK);
    assert_int_equal(ccm_store_member_add(*peru, req, role), CCM_OK);
    free(req);
    assert_int_equal(sync_rc(*peru), CCM_OK);
    *nor = open_store("norway");
    assert_int_equal(sync_rc(*nor), CCM_OK);
    assert_int_equal(ccm_store_refresh(*nor), CCM_OK);
}

static void head_of(git_oid *out, ccm_store *s)
{
    assert_int_equal(git_reference_name_to_id(out, s->repo, CCM_BRANCH), 0);
}

/* The forger's own sync refuses to push its forged commit (sync never
 * pushes what it would itself refuse); the forger then pushes by hand, as
 * plain git would, to the hub, which checks nothing. */
static void forge_push(ccm_store *s)
{
    git_remote *remote = NULL;
    git_repository *hub = NULL;
    git_oid ours, hub_head;
    char path[800];
    ccm_transfer t = {NULL, NULL, "", NULL};

    assert_int_equal(sync_rc(s), CCM_EVERIFY);
    assert_non_null(strstr(ccm_error_last(), "not pushed"));
    snprintf(path, sizeof(path), "%s/hub.git", base);
    assert_int_equal(git_repository_open_bare(&hub, path), 0);
    assert_int_equal(git_reference_name_to_id(&hub_head, hub, CCM_BRANCH), 0);
    git_repository_free(hub);
    head_of(&ours, s);
    assert_int_equal(git_remote_create_anonymous(&remote, s->repo, path), 0);
    assert_int_equal(ccm_sync_push(s, remote, &ours, &hub_head, 0, &t), CCM_OK);
    git_remote_free(remote);
}

static void test_trust__a_readers_forged_edit_is_refused_on_sync(void **state)
{
    ccm_store *peru, *nor;
    git_oid before, after;
    (void)state;
    group(&peru, &nor, "reader");
    assert_string_equal(ccm_store_role(nor), "reader");
    ccm_test_set_field(nor, "LAO", "next_step", "written by a reader");
    forge_push(nor);
    head_of(&before, peru);
    assert_int_equal(sync_rc(peru), CCM_EVERIFY);
    assert_non_null(strstr(ccm_error_last(), "reader"));
    head_of(&after, peru);
    assert_true(git_oid_equal(&before, &after));
    ccm_store_free(nor);
    ccm_store_free(peru);
}

static void test_trust__an_editors_roster_change_is_refused(void **state)
{
    ccm_store *peru, *nor;
    git_commit *head = NULL;
    git_tree *tree = NULL, *nt = NULL;
    json_t *roster;
    git_oid roster_oid, tree_oid, commit_oid, before, after;
    git_tree_update up;
    const git_commit *parents[1];
    (void)state;
    group(&peru, &nor, "editor");
    /* Norway makes itself admin, by hand. */
    roster = json_deep_copy(nor->roster);
    json_object_set_new((json_t *)ccm_roster_member(roster, "Norway"), "role",
                        json_string("admin"));
    assert_int_equal(ccm_roster_write(&roster_oid, nor->repo, roster), CCM_OK);
    json_decref(roster);
    assert_int_equal(ccm_store_head_commit(&head, nor), CCM_OK);
    assert_int_equal(git_commit_tree(&tree, head), 0);
    up = (git_tree_update){GIT_TREE_UPDATE_UPSERT, roster_oid, GIT_FILEMODE_BLOB, CCM_ROSTER_PATH};
    assert_int_equal(git_tree_create_updated(&tree_oid, nor->repo, tree, 1, &up), 0);
    assert_int_equal(git_tree_lookup(&nt, nor->repo, &tree_oid), 0);
    parents[0] = head;
    assert_int_equal(ccm_store_commit_signed(&commit_oid, nor, nor->repo, nt, parents, 1), 0);
    assert_int_equal(ccm_store_move_branch(nor, git_commit_id(head), &commit_oid), CCM_OK);
    git_tree_free(nt);
    git_tree_free(tree);
    git_commit_free(head);
    forge_push(nor);
    head_of(&before, peru);
    assert_int_equal(sync_rc(peru), CCM_EVERIFY);
    assert_non_null(strstr(ccm_error_last(), "without being an admin"));
    head_of(&after, peru);
    assert_true(git_oid_equal(&before, &after));
    /* Norway's own store refuses its history too. */
    assert_int_equal(ccm_store_verify(nor, NULL), CCM_EVERIFY);
    ccm_store_free(nor);
    ccm_store_free(peru);
}

static void test_trust__removal_rotates_the_key(void **state)
{
    ccm_store *peru, *nor;
    json_t *rec = NULL;
    char path[800], cmd[2000];
    (void)state;
    group(&peru, &nor, "editor");
    ccm_test_set_field(peru, "LAO", "next_step", "before removal");
    assert_int_equal(sync_rc(peru), CCM_OK);
    assert_int_equal(sync_rc(nor), CCM_OK);
    assert_int_equal(ccm_store_member_remove(nor, "Peru"), CCM_EDENIED);   /* not an admin */
    assert_int_equal(ccm_store_member_remove(peru, "Peru"), CCM_EINVALID); /* last admin */
    assert_int_equal(ccm_store_member_remove(peru, "Norway"), CCM_OK);
    assert_int_equal(peru->epoch, 2);
    ccm_test_set_field(peru, "LAO", "next_step", "MARKER-after-removal-4242");
    assert_int_equal(sync_rc(peru), CCM_OK);
    /* Norway's store still syncs (fast-forward) but cannot read new data. */
    assert_int_equal(sync_rc(nor), CCM_OK);
    assert_int_equal(ccm_store_refresh(nor), CCM_OK);
    assert_int_equal(ccm_store_get(&rec, nor, "state", "LAO"), CCM_EDENIED);
    assert_null(rec);
    snprintf(path, sizeof(path), "%s/norway", base);
    snprintf(cmd, sizeof(cmd),
             "grep -ra MARKER-after-removal '%s' >/dev/null || git --git-dir='%s/repo' cat-file "
             "--batch-all-objects --batch | grep -aq MARKER-after-removal",
             path, path);
    assert_int_not_equal(system(cmd), 0);
    assert_int_equal(ccm_store_verify(peru, NULL), CCM_OK);
    ccm_store_free(nor);
    ccm_store_free(peru);
}

/* Strong removal: a removed member's commit that the removal did not see is
 * not applied, whatever its date, by whoever meets both. */
static void test_trust__a_removed_members_concurrent_commit_is_not_applied(void **state)
{
    ccm_store *peru, *nor;
    ccm_sync_result r;
    json_t *rec = NULL, *v;
    (void)state;
    group(&peru, &nor, "editor");
    ccm_test_set_field(nor, "LAO", "next_step", "before");
    assert_int_equal(sync_rc(nor), CCM_OK);
    assert_int_equal(sync_rc(peru), CCM_OK);
    assert_int_equal(ccm_store_member_remove(peru, "Norway"), CCM_OK);
    assert_int_equal(sync_rc(peru), CCM_OK);
    /* Norway, not yet aware, writes on its old history, dated ten minutes
     * *before* the removal: the date changes nothing. */
    setenv("CCMSYNC_CLOCK_OFFSET", "-600", 1);
    ccm_test_set_field(nor, "LAO", "next_step", "late");
    ccm_test_set_field(nor, "KEN", "next_step", "only Norway");
    unsetenv("CCMSYNC_CLOCK_OFFSET");
    /* Norway's own sync cannot merge: it has no key of the new epoch. */
    assert_int_not_equal(sync_rc(nor), CCM_OK);
    /* The hub is forced back to Norway's history (a hostile hub). */
    {
        git_remote *remote = NULL;
        git_oid ours, hub_head;
        git_repository *hub = NULL;
        char path[800];
        ccm_transfer t = {NULL, NULL, "", NULL};
        snprintf(path, sizeof(path), "%s/hub.git", base);
        assert_int_equal(git_repository_open_bare(&hub, path), 0);
        assert_int_equal(git_reference_name_to_id(&hub_head, hub, CCM_BRANCH), 0);
        git_repository_free(hub);
        head_of(&ours, nor);
        assert_int_equal(git_remote_create_anonymous(&remote, nor->repo, path), 0);
        assert_int_equal(ccm_sync_push(nor, remote, &ours, &hub_head, 0, &t), CCM_OK);
        git_remote_free(remote);
    }
    /* Peru takes the history in, leaves Norway's two late commits out,
     * says so, and gives the hub its history back. */
    if (ccm_sync_run(&r, peru, "origin", NULL, NULL) != CCM_OK) {
        fail_msg("%s", ccm_error_last());
    }
    assert_int_equal(r.nleft_out, 1);
    assert_string_equal(r.left_out[0].member, "Norway");
    assert_int_equal(r.left_out[0].commits, 2);
    assert_true(r.merged && r.pushed);
    ccm_sync_result_free(&r);
    assert_int_equal(ccm_store_refresh(peru), CCM_OK);
    assert_int_equal(ccm_store_get(&rec, peru, "state", "LAO"), CCM_OK);
    v = ccm_record_field_value(rec, "next_step");
    assert_string_equal(json_string_value(v), "before");
    json_decref(v);
    json_decref(rec);
    assert_int_equal(ccm_store_get(&rec, peru, "state", "KEN"), CCM_ENOTFOUND);
    assert_int_equal(ccm_store_verify(peru, NULL), CCM_OK);
    ccm_store_free(nor);
    ccm_store_free(peru);
}

static void test_trust__concurrent_edits_are_reencrypted_under_the_new_epoch(void **state)
{
    ccm_store *peru, *nor, *mal;
    char dir[800], hub[800], *req = NULL, name[65], path[CCM_PATH_MAX];
    git_commit *head = NULL;
    git_tree *tree = NULL;
    git_tree_entry *e = NULL;
    git_blob *blob = NULL;
    uint32_t epoch = 0;
    (void)state;
    group(&peru, &nor, "editor");
    snprintf(dir, sizeof(dir), "%s/malawi", base);
    snprintf(hub, sizeof(hub), "%s/hub.git", base);
    assert_int_equal(ccm_sync_join(&req, dir, hub, "Malawi", NULL, 0, NULL), CCM_OK);
    assert_int_equal(ccm_store_member_add(peru, req, "editor"), CCM_OK);
    free(req);
    assert_int_equal(sync_rc(peru), CCM_OK);
    assert_int_equal(sync_rc(nor), CCM_OK);
    mal = open_store("malawi");
    assert_int_equal(sync_rc(mal), CCM_OK);
    /* Norway edits offline under epoch 1 while Peru removes Malawi. */
    ccm_test_set_field(nor, "KEN", "next_step", "concurrent");
    assert_int_equal(ccm_store_member_remove(peru, "Malawi"), CCM_OK);
    assert_int_equal(sync_rc(peru), CCM_OK);
    assert_int_equal(sync_rc(nor), CCM_OK); /* merges the removal */
    ccm_record_name(name, nor, "state", "KEN");
    ccm_record_path_of_name(path, name);
    assert_int_equal(ccm_store_head_commit(&head, nor), CCM_OK);
    assert_int_equal(git_commit_tree(&tree, head), 0);
    assert_int_equal(git_tree_entry_bypath(&e, tree, path), 0);
    assert_int_equal(git_blob_lookup(&blob, nor->repo, git_tree_entry_id(e)), 0);
    assert_int_equal(
        ccm_envelope_epoch(&epoch, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob)),
        CCM_OK);
    assert_int_equal(epoch, 2);
    git_blob_free(blob);
    git_tree_entry_free(e);
    git_tree_free(tree);
    git_commit_free(head);
    assert_int_equal(sync_rc(peru), CCM_OK);
    assert_int_equal(ccm_store_verify(peru, NULL), CCM_OK);
    ccm_store_free(mal);
    ccm_store_free(nor);
    ccm_store_free(peru);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_trust__a_readers_forged_edit_is_refused_on_sync, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_trust__an_editors_roster_change_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_trust__removal_rotates_the_key, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_trust__a_removed_members_concurrent_commit_is_not_applied, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_trust__concurrent_edits_are_reencrypted_under_the_new_epoch, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
