/*
 * test_sync.c - the sync module through its API: remotes, join, member add,
 * sync through a local hub (push, fast-forward, merge), refusal of incoming
 * history that does not verify (and no local change then), the
 * compare-and-swap on local-path remotes, and unreachable remotes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "store/store_private.h"
#include "sync/sync_private.h"
#include "tests/support/store_support.h"
#include "tests/support/tmpdir.h"

static char base[700];

static int setup(void **state)
{
    (void)state;
    ccm_test_mkdtemp(base, sizeof(base), "sync");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return ccm_test_rmdir(base);
}

static void path_of(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", base, name);
}

static ccm_store *open_store(const char *name)
{
    char dir[800];
    path_of(dir, sizeof(dir), name);
    return ccm_test_open_unlocked(dir);
}

/* A group founded by Peru with a hub remote "origin", already synced. */
static ccm_store *found_group(void)
{
    char dir[800], hub[800];
    ccm_store *s;
    ccm_sync_result r;

    path_of(dir, sizeof(dir), "peru");
    path_of(hub, sizeof(hub), "hub.git");
    assert_int_equal(ccm_store_init(dir, "Peru", NULL, 0), CCM_OK);
    s = open_store("peru");
    assert_int_equal(ccm_sync_remote_add(s, "origin", hub), CCM_OK);
    assert_int_equal(ccm_sync_run(&r, s, "origin", NULL, NULL), CCM_OK);
    assert_true(r.pushed);
    ccm_sync_result_free(&r);
    return s;
}

/* `name` joins through the hub and is admitted by `admin`; both synced. */
static ccm_store *join_group(ccm_store *admin, const char *name, const char *member,
                             const char *role)
{
    char dir[800], hub[800], *req = NULL;
    ccm_store *s;
    ccm_sync_result r;

    path_of(dir, sizeof(dir), name);
    path_of(hub, sizeof(hub), "hub.git");
    assert_int_equal(ccm_sync_join(&req, dir, hub, member, NULL, 0, NULL), CCM_OK);
    assert_non_null(strstr(req, member));
    assert_int_equal(ccm_store_member_add(admin, req, role), CCM_OK);
    free(req);
    assert_int_equal(ccm_sync_run(&r, admin, "origin", NULL, NULL), CCM_OK);
    ccm_sync_result_free(&r);
    s = open_store(name);
    assert_int_equal(ccm_sync_run(&r, s, "origin", NULL, NULL), CCM_OK);
    assert_true(r.fast_forward);
    ccm_sync_result_free(&r);
    assert_int_equal(ccm_store_refresh(s), CCM_OK);
    return s;
}

static char *field_of(ccm_store *s, const char *id, const char *field)
{
    json_t *rec = NULL, *v;
    char *out;
    assert_int_equal(ccm_store_get(&rec, s, "state", id), CCM_OK);
    v = ccm_record_field_value(rec, field);
    out = v ? strdup(json_string_value(v)) : NULL;
    json_decref(v);
    json_decref(rec);
    return out;
}

static void sync_ok(ccm_store *s)
{
    ccm_sync_result r;
    assert_int_equal(ccm_sync_run(&r, s, "origin", NULL, NULL), CCM_OK);
    ccm_sync_result_free(&r);
}

static void test_sync_remote__rejects_bad_names_and_duplicates(void **state)
{
    ccm_store *s = found_group();
    ccm_remote_info *list = NULL;
    size_t n = 0;
    (void)state;
    assert_int_equal(ccm_sync_remote_add(s, "origin", "/elsewhere"), CCM_EINVALID);
    assert_int_equal(ccm_sync_remote_add(s, "bad name", "/x"), CCM_EINVALID);
    assert_int_equal(ccm_sync_remote_add(s, "-x", "/x"), CCM_EINVALID);
    assert_int_equal(ccm_sync_remote_add(s, "usb", "relative/usb.git"), CCM_OK);
    assert_int_equal(ccm_sync_remote_list(&list, &n, s), CCM_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].name, "origin");
    assert_non_null(list[0].last_sync);
    assert_int_equal(list[0].unsynced, 0);
    assert_true(list[1].url[0] == '/'); /* relative paths are made absolute */
    ccm_sync_remote_list_free(list, n);
    assert_int_equal(ccm_sync_remote_remove(s, "usb"), CCM_OK);
    assert_int_equal(ccm_sync_remote_remove(s, "usb"), CCM_EINVALID);
    ccm_store_free(s);
}

static void test_sync_join__member_reads_only_after_admission(void **state)
{
    ccm_store *peru = found_group(), *nor;
    char dir[800], hub[800], *req = NULL;
    json_t *rec = NULL;
    ccm_sync_result r;
    (void)state;
    ccm_test_set_field(peru, "LAO", "status", "party");
    sync_ok(peru);
    path_of(dir, sizeof(dir), "norway");
    path_of(hub, sizeof(hub), "hub.git");
    assert_int_equal(ccm_sync_join(&req, dir, hub, "Norway", NULL, 0, NULL), CCM_OK);
    nor = open_store("norway");
    assert_int_equal(ccm_store_get(&rec, nor, "state", "LAO"), CCM_EDENIED);
    assert_int_equal(ccm_sync_run(&r, nor, "origin", NULL, NULL), CCM_OK); /* still no key */
    ccm_sync_result_free(&r);
    assert_int_equal(ccm_store_get(&rec, nor, "state", "LAO"), CCM_EDENIED);
    assert_int_equal(ccm_store_member_add(peru, req, "editor"), CCM_OK);
    assert_int_equal(ccm_store_member_add(peru, req, "editor"), CCM_EINVALID); /* twice */
    free(req);
    sync_ok(peru);
    sync_ok(nor);
    assert_int_equal(ccm_store_refresh(nor), CCM_OK);
    assert_int_equal(ccm_store_get(&rec, nor, "state", "LAO"), CCM_OK);
    json_decref(rec);
    assert_string_equal(ccm_store_role(nor), "editor");
    ccm_store_free(nor);
    ccm_store_free(peru);
}

static void test_sync_join__refuses_a_taken_name_and_an_empty_hub(void **state)
{
    ccm_store *peru = found_group();
    char dir[800], hub[800], empty[800], *req = NULL;
    (void)state;
    path_of(dir, sizeof(dir), "other");
    path_of(hub, sizeof(hub), "hub.git");
    assert_int_equal(ccm_sync_join(&req, dir, hub, "Peru", NULL, 0, NULL), CCM_EINVALID);
    assert_null(req);
    path_of(empty, sizeof(empty), "empty.git");
    {
        git_repository *r = NULL;
        assert_int_equal(git_repository_init(&r, empty, 1), 0);
        git_repository_free(r);
    }
    assert_int_not_equal(ccm_sync_join(&req, dir, empty, "Norway", NULL, 0, NULL), CCM_OK);
    ccm_store_free(peru);
}

static void test_sync_member_add__is_for_admins_with_known_roles(void **state)
{
    ccm_store *peru = found_group(), *nor = join_group(peru, "norway", "Norway", "editor");
    char *req = NULL, dir[800], hub[800];
    (void)state;
    path_of(dir, sizeof(dir), "malawi");
    path_of(hub, sizeof(hub), "hub.git");
    assert_int_equal(ccm_sync_join(&req, dir, hub, "Malawi", NULL, 0, NULL), CCM_OK);
    assert_int_equal(ccm_store_member_add(nor, req, "editor"), CCM_EDENIED);
    assert_int_equal(ccm_store_member_add(peru, req, "boss"), CCM_EINVALID);
    req[strlen(req) - 3] ^= 1; /* a tampered request */
    assert_int_equal(ccm_store_member_add(peru, req, "editor"), CCM_EINVALID);
    free(req);
    ccm_store_free(nor);
    ccm_store_free(peru);
}

static void test_sync__concurrent_edits_merge_to_the_same_winner(void **state)
{
    ccm_store *peru = found_group(), *nor = join_group(peru, "norway", "Norway", "editor");
    char *a, *b;
    ccm_sync_result r;
    (void)state;
    ccm_test_set_field(peru, "IDN", "priority", "high");
    ccm_test_set_field(nor, "IDN", "priority", "low");
    ccm_test_set_field(nor, "IDN", "region", "Asia-Pacific");
    sync_ok(peru);
    assert_int_equal(ccm_sync_run(&r, nor, "origin", NULL, NULL), CCM_OK);
    assert_true(r.merged);
    assert_true(r.pushed);
    assert_true(r.incoming >= 1);
    ccm_sync_result_free(&r);
    if (ccm_sync_run(&r, peru, "origin", NULL, NULL) != CCM_OK) {
        fail_msg("%s", ccm_error_last());
    }
    assert_true(r.fast_forward);
    ccm_sync_result_free(&r);
    a = field_of(peru, "IDN", "priority");
    b = field_of(nor, "IDN", "priority");
    assert_string_equal(a, b);
    assert_string_equal(a, "low"); /* Norway's assignment carries the later stamp */
    free(a);
    free(b);
    a = field_of(peru, "IDN", "region");
    assert_string_equal(a, "Asia-Pacific");
    free(a);
    assert_int_equal(ccm_store_verify(peru, NULL), CCM_OK);
    ccm_store_free(nor);
    ccm_store_free(peru);
}

/* One transaction setting `field` on the first n states of a fixed list. */
static void set_many(ccm_store *s, size_t n, const char *field, const char *value)
{
    static const char *ids[] = {"AFG", "AGO", "ALB", "ARG", "ARM", "AZE", "BGD", "BHR",
                                "BLR", "BRA", "BTN", "CHN", "CUB", "EGY", "ETH", "FIN",
                                "GEO", "IND", "IDN", "IRN", "ISR", "KAZ", "KEN", "LAO",
                                "MAR", "MNG", "NGA", "PAK", "POL", "ROU", "SAU", "SRB",
                                "SYR", "THA", "TUR", "UKR", "USA", "UZB", "VNM", "ZWE"};
    ccm_txn *t = NULL;
    assert_true(n <= sizeof(ids) / sizeof(ids[0]));
    assert_int_equal(ccm_txn_begin(&t, s), CCM_OK);
    for (size_t i = 0; i < n; i++) {
        json_t *rec = NULL;
        if (ccm_txn_get(&rec, t, "state", ids[i]) == CCM_ENOTFOUND) {
            rec = ccm_record_new("state", ids[i]);
        }
        assert_non_null(rec);
        assert_int_equal(
            ccm_record_assign(rec, field, value, ccm_txn_stamp(t), ccm_store_member(s)), CCM_OK);
        assert_int_equal(ccm_txn_put(t, rec), CCM_OK);
        json_decref(rec);
    }
    assert_int_equal(ccm_txn_commit(t), CCM_OK);
    ccm_txn_free(t);
}

static void merged_tree(git_oid *tree, ccm_store *s, const git_oid *ours, const git_oid *theirs,
                        const char *threads)
{
    git_oid merged;
    git_commit *c = NULL;
    assert_int_equal(setenv("CCMSYNC_THREADS", threads, 1), 0);
    assert_int_equal(ccm_store_merge_commit(&merged, s, ours, theirs, NULL), CCM_OK);
    assert_int_equal(unsetenv("CCMSYNC_THREADS"), 0);
    assert_int_equal(git_commit_lookup(&c, s->repo, &merged), 0);
    *tree = *git_commit_tree_id(c);
    assert_int_equal(git_commit_parentcount(c), 2);
    git_commit_free(c);
}

/* Records changed on both sides are joined on worker threads (merge_parallel.c): the
 * merged tree is the same whatever the number of threads. */
static void test_sync_merge__same_tree_on_one_thread_and_many(void **state)
{
    ccm_store *peru = found_group(), *nor = join_group(peru, "norway", "Norway", "editor");
    git_remote *remote = NULL;
    git_oid ours, theirs, one, two, four, at_peru;
    ccm_transfer t = {NULL, NULL, "", NULL};
    int has = 0;
    ccm_sync_result r;
    (void)state;
    set_many(peru, 40, "priority", "high");
    set_many(peru, 20, "region", "Asia");
    set_many(nor, 40, "priority", "low");
    set_many(nor, 30, "next_step", "call Norway");
    sync_ok(peru);
    assert_int_equal(git_remote_lookup(&remote, nor->repo, "origin"), 0);
    assert_int_equal(ccm_sync_fetch(&theirs, &has, nor, "origin", remote, &t), CCM_OK);
    assert_true(has);
    assert_int_equal(git_reference_name_to_id(&ours, nor->repo, CCM_BRANCH), 0);
    merged_tree(&one, nor, &ours, &theirs, "1");
    merged_tree(&two, nor, &ours, &theirs, "2");
    merged_tree(&four, nor, &ours, &theirs, "4");
    assert_true(git_oid_equal(&one, &two));
    assert_true(git_oid_equal(&one, &four));
    /* Norway's own sync merges to that tree too; Peru fast-forwards to it
     * and verifies it. */
    ccm_sync_drop_incoming(nor, "origin");
    sync_ok(nor);
    if (ccm_sync_run(&r, peru, "origin", NULL, NULL) != CCM_OK) {
        fail_msg("%s", ccm_error_last());
    }
    assert_true(r.fast_forward);
    ccm_sync_result_free(&r);
    {
        git_commit *c = NULL;
        assert_int_equal(git_reference_name_to_id(&at_peru, peru->repo, CCM_BRANCH), 0);
        assert_int_equal(git_commit_lookup(&c, peru->repo, &at_peru), 0);
        assert_true(git_oid_equal(git_commit_tree_id(c), &one));
        git_commit_free(c);
    }
    assert_int_equal(ccm_store_verify(peru, NULL), CCM_OK);
    git_remote_free(remote);
    ccm_store_free(nor);
    ccm_store_free(peru);
}

static void test_sync__refuses_an_unsigned_commit_and_changes_nothing(void **state)
{
    ccm_store *peru = found_group(), *nor = join_group(peru, "norway", "Norway", "editor");
    git_repository *hub = NULL;
    git_commit *tip = NULL;
    git_tree *tree = NULL;
    git_signature *who = NULL;
    git_oid tip_id, bad, before, after, tracking_before, tracking_after;
    char path[800];
    const git_commit *parents[1];
    ccm_sync_result r;
    (void)state;
    path_of(path, sizeof(path), "hub.git");
    assert_int_equal(git_repository_open_bare(&hub, path), 0);
    assert_int_equal(git_reference_name_to_id(&tip_id, hub, CCM_BRANCH), 0);
    assert_int_equal(git_commit_lookup(&tip, hub, &tip_id), 0);
    assert_int_equal(git_commit_tree(&tree, tip), 0);
    assert_int_equal(git_signature_now(&who, "Norway", "norway@ccmsync.invalid"), 0);
    parents[0] = tip;
    assert_int_equal(
        git_commit_create(&bad, hub, CCM_BRANCH, who, who, NULL, "x", tree, 1, parents), 0);
    assert_int_equal(git_reference_name_to_id(&before, nor->repo, CCM_BRANCH), 0);
    assert_int_equal(
        git_reference_name_to_id(&tracking_before, nor->repo, "refs/remotes/origin/main"), 0);
    assert_int_equal(ccm_sync_run(&r, nor, "origin", NULL, NULL), CCM_EVERIFY);
    ccm_sync_result_free(&r);
    {
        char hex[41];
        git_oid_tostr(hex, sizeof(hex), &bad);
        assert_non_null(strstr(ccm_error_last(), hex));
    }
    assert_int_equal(git_reference_name_to_id(&after, nor->repo, CCM_BRANCH), 0);
    assert_true(git_oid_equal(&before, &after));
    assert_int_equal(
        git_reference_name_to_id(&tracking_after, nor->repo, "refs/remotes/origin/main"), 0);
    assert_true(git_oid_equal(&tracking_before, &tracking_after));
    assert_int_not_equal(
        git_reference_name_to_id(&after, nor->repo, "refs/ccmsync/incoming/origin"), 0);
    git_signature_free(who);
    git_tree_free(tree);
    git_commit_free(tip);
    git_repository_free(hub);
    ccm_store_free(nor);
    ccm_store_free(peru);
}

static void test_sync_push__local_remote_is_compare_and_swap(void **state)
{
    ccm_store *peru = found_group();
    git_remote *remote = NULL;
    git_repository *hub = NULL;
    git_oid ours, hub_before, hub_after, stale;
    ccm_transfer t = {NULL, NULL, "", NULL};
    char path[800];
    (void)state;
    ccm_test_set_field(peru, "LAO", "status", "party");
    assert_int_equal(git_reference_name_to_id(&ours, peru->repo, CCM_BRANCH), 0);
    path_of(path, sizeof(path), "hub.git");
    assert_int_equal(git_repository_open_bare(&hub, path), 0);
    assert_int_equal(git_reference_name_to_id(&hub_before, hub, CCM_BRANCH), 0);
    memset(&stale, 0x11, sizeof(stale));
    assert_int_equal(git_remote_lookup(&remote, peru->repo, "origin"), 0);
    /* We claim the hub is at a commit it is not at: refused, hub untouched. */
    assert_int_equal(ccm_sync_push(peru, remote, &ours, &stale, 0, &t), CCM_ELOCKED);
    assert_int_equal(git_reference_name_to_id(&hub_after, hub, CCM_BRANCH), 0);
    assert_true(git_oid_equal(&hub_before, &hub_after));
    /* With the right expectation the push lands. */
    assert_int_equal(ccm_sync_push(peru, remote, &ours, &hub_before, 0, &t), CCM_OK);
    assert_int_equal(git_reference_name_to_id(&hub_after, hub, CCM_BRANCH), 0);
    assert_true(git_oid_equal(&ours, &hub_after));
    git_remote_free(remote);
    git_repository_free(hub);
    ccm_store_free(peru);
}

static void test_sync__unreachable_remote_is_reported(void **state)
{
    ccm_store *peru = found_group();
    ccm_sync_result r;
    (void)state;
    assert_int_equal(ccm_sync_remote_add(peru, "gone", "git://127.0.0.1:1/hub.git"), CCM_OK);
    assert_int_equal(ccm_sync_run(&r, peru, "gone", NULL, NULL), CCM_EUNREACHABLE);
    ccm_sync_result_free(&r);
    assert_int_equal(ccm_sync_run(&r, peru, "nosuch", NULL, NULL), CCM_EINVALID);
    ccm_sync_result_free(&r);
    ccm_store_free(peru);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sync_remote__rejects_bad_names_and_duplicates, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sync_join__member_reads_only_after_admission, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sync_join__refuses_a_taken_name_and_an_empty_hub,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_member_add__is_for_admins_with_known_roles, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sync__concurrent_edits_merge_to_the_same_winner, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sync_merge__same_tree_on_one_thread_and_many, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sync__refuses_an_unsigned_commit_and_changes_nothing,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_push__local_remote_is_compare_and_swap, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sync__unreachable_remote_is_reported, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
