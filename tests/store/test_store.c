/*
 * test_store.c - the git-backed store: init/open/unlock, one signed commit per
 * transaction, no commit when nothing changed, compare-and-swap on the
 * branch, the fanned-out keyed tree layout, bulk writes as one pack, the
 * incremental cache, history and verification.
 */
#define _GNU_SOURCE
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
#include <git2.h>

#include "store/store.h"
#include "store/store_private.h"
#include "tests/support/store_support.h"
#include "tests/support/tmpdir.h"

static char base_dir[640];
static char dir[700];

static int setup(void **state)
{
    (void)state;
    ccm_test_mkdtemp(base_dir, sizeof(base_dir), "store");
    snprintf(dir, sizeof(dir), "%s/s", base_dir);
    assert_int_equal(ccm_store_init(dir, "Peru", NULL, 0), CCM_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return ccm_test_rmdir(base_dir);
}

static ccm_store *open_unlocked(void)
{
    return ccm_test_open_unlocked(dir);
}

static int commit_count(ccm_store *s)
{
    git_revwalk *w = NULL;
    git_oid oid;
    int n = 0;
    assert_int_equal(git_revwalk_new(&w, s->repo), 0);
    assert_int_equal(git_revwalk_push_ref(w, CCM_BRANCH), 0);
    while (git_revwalk_next(&oid, w) == 0) {
        n++;
    }
    git_revwalk_free(w);
    return n;
}

static void test_store_init__refuses_a_non_empty_dir(void **state)
{
    (void)state;
    assert_int_equal(ccm_store_init(dir, "Peru", NULL, 0), CCM_EINVALID);
}

static void test_store_open__reports_a_missing_store(void **state)
{
    ccm_store *s = NULL;
    (void)state;
    assert_int_equal(ccm_store_open(&s, "/nonexistent/ccmsync"), CCM_ENOTFOUND);
    assert_null(s);
    assert_non_null(strstr(ccm_error_last(), "ccmsync init"));
}

static void test_store_unlock__wrong_passphrase_is_refused(void **state)
{
    char d2[800];
    ccm_store *s = NULL;
    (void)state;
    snprintf(d2, sizeof(d2), "%s-pass", dir);
    assert_int_equal(ccm_store_init(d2, "Norway", "right horse", 11), CCM_OK);
    assert_int_equal(ccm_store_open(&s, d2), CCM_OK);
    assert_true(ccm_store_needs_passphrase(s));
    assert_int_equal(ccm_store_unlock(s, "wrong horse", 11), CCM_EPASSPHRASE);
    assert_int_equal(ccm_store_unlock(s, "right horse", 11), CCM_OK);
    assert_string_equal(ccm_store_role(s), "admin");
    ccm_store_free(s);
}

static void test_txn__one_commit_per_transaction(void **state)
{
    ccm_store *s = open_unlocked();
    json_t *rec = NULL;
    (void)state;
    assert_int_equal(commit_count(s), 1);
    ccm_test_set_field(s, "LAO", "status", "party");
    ccm_test_set_field(s, "NOR", "status", "party");
    assert_int_equal(commit_count(s), 3);
    assert_int_equal(ccm_store_get(&rec, s, "state", "LAO"), CCM_OK);
    {
        json_t *v = ccm_record_field_value(rec, "status");
        assert_string_equal(json_string_value(v), "party");
        json_decref(v);
    }
    json_decref(rec);
    ccm_store_free(s);
}

static void test_txn__writes_nothing_when_nothing_changed(void **state)
{
    ccm_store *s = open_unlocked();
    ccm_txn *t = NULL;
    json_t *rec = NULL;
    (void)state;
    ccm_test_set_field(s, "LAO", "status", "party");
    assert_int_equal(commit_count(s), 2);
    /* Staging the record exactly as it is: the deterministic envelope gives
     * the same blob, so no commit. */
    assert_int_equal(ccm_txn_begin(&t, s), CCM_OK);
    assert_int_equal(ccm_txn_get(&rec, t, "state", "LAO"), CCM_OK);
    assert_int_equal(ccm_txn_put(t, rec), CCM_OK);
    assert_int_equal(ccm_txn_commit(t), CCM_OK);
    ccm_txn_free(t);
    json_decref(rec);
    assert_int_equal(commit_count(s), 2);
    ccm_store_free(s);
}

static void test_txn__branch_moves_by_compare_and_swap(void **state)
{
    ccm_store *s = open_unlocked();
    ccm_txn *t = NULL;
    json_t *rec = ccm_record_new("state", "LAO");
    git_oid head, other;
    git_commit *c = NULL;
    (void)state;
    ccm_test_set_field(s, "NOR", "status", "party");
    assert_int_equal(ccm_txn_begin(&t, s), CCM_OK);
    /* Someone outside ccmsync moves the branch after the lock was taken. */
    assert_int_equal(git_reference_name_to_id(&head, s->repo, CCM_BRANCH), 0);
    assert_int_equal(git_commit_lookup(&c, s->repo, &head), 0);
    other = *git_commit_parent_id(c, 0);
    git_commit_free(c);
    {
        git_reference *ref = NULL;
        assert_int_equal(git_reference_create(&ref, s->repo, CCM_BRANCH, &other, 1, "test"), 0);
        git_reference_free(ref);
    }
    assert_int_equal(ccm_record_assign(rec, "status", "party", ccm_txn_stamp(t), "Peru"), 0);
    assert_int_equal(ccm_txn_put(t, rec), CCM_OK);
    assert_int_equal(ccm_txn_commit(t), CCM_ELOCKED);
    ccm_txn_free(t);
    json_decref(rec);
    /* The branch was not overwritten. */
    assert_int_equal(git_reference_name_to_id(&head, s->repo, CCM_BRANCH), 0);
    assert_true(git_oid_equal(&head, &other));
    ccm_store_free(s);
}

static void test_tree__records_are_fanned_out_under_keyed_names(void **state)
{
    ccm_store *s = open_unlocked();
    git_commit *head = NULL;
    git_tree *tree = NULL;
    git_tree_entry *e = NULL;
    char name[65], path[CCM_PATH_MAX];
    (void)state;
    ccm_test_set_field(s, "LAO", "status", "party");
    ccm_record_name(name, s, "state", "LAO");
    assert_int_equal(strlen(name), 64);
    assert_null(strstr(name, "LAO"));
    ccm_record_path_of_name(path, name);
    assert_int_equal(strncmp(path, "r/", 2), 0);
    assert_int_equal(path[4], '/');
    assert_int_equal(path[7], '/');
    assert_int_equal(ccm_store_head_commit(&head, s), CCM_OK);
    assert_int_equal(git_commit_tree(&tree, head), 0);
    assert_int_equal(git_tree_entry_bypath(&e, tree, path), 0);
    git_tree_entry_free(e);
    git_tree_free(tree);
    git_commit_free(head);
    ccm_store_free(s);
}

/* Runs a shell command (the format's one %s is the store's folder); the
 * first number it prints. */
#define repo_count(fmt)                                                                            \
    __extension__({                                                                                \
        char cmd_[1200];                                                                           \
        snprintf(cmd_, sizeof(cmd_), fmt, dir);                                                    \
        first_number(cmd_);                                                                        \
    })

static long first_number(const char *cmd)
{
    long n = -1;
    FILE *p;
    assert_non_null(p = popen(cmd, "r"));
    assert_int_equal(fscanf(p, "%ld", &n), 1);
    pclose(p);
    return n;
}

static void bulk_activities(ccm_store *s, int from, int to)
{
    ccm_txn *t = NULL;
    char id[17];
    assert_int_equal(ccm_txn_begin(&t, s), CCM_OK);
    for (int i = from; i < to; i++) {
        json_t *rec;
        snprintf(id, sizeof(id), "%016x", i);
        rec = ccm_record_new("activity", id);
        assert_int_equal(ccm_record_assign(rec, "type", "survey", ccm_txn_stamp(t), "Peru"), 0);
        assert_int_equal(ccm_record_assign(rec, "date", "2025-03-01", ccm_txn_stamp(t), "Peru"), 0);
        assert_int_equal(ccm_txn_put(t, rec), CCM_OK);
        json_decref(rec);
    }
    assert_int_equal(ccm_txn_commit(t), CCM_OK);
    ccm_txn_free(t);
}

static void test_txn__bulk_write_is_one_pack(void **state)
{
    ccm_store *s = open_unlocked();
    json_t *list = NULL;
    long loose;
    (void)state;
    bulk_activities(s, 0, 600);
    loose =
        repo_count("find '%s/repo/objects' -type f -path '*/objects/[0-9a-f][0-9a-f]/*' | wc -l");
    assert_true(loose < 10); /* the first commit's few objects; not 600 */
    assert_int_equal(commit_count(s), 2);
    assert_int_equal(ccm_store_list(&list, s, "activity"), CCM_OK);
    assert_int_equal(json_array_size(list), 600);
    json_decref(list);
    ccm_store_free(s);
}

/* A second bulk write packs only what is new: no object is in two packs
 * (libgit2's mempack dump packed every commit's whole tree again). */
static void test_txn__bulk_pack_holds_only_new_objects(void **state)
{
    ccm_store *s = open_unlocked();
    long packed, distinct, packs;
    json_t *list = NULL;
    (void)state;
    bulk_activities(s, 0, 600);
    bulk_activities(s, 600, 900);
    packs = repo_count("ls '%s/repo/objects/pack/'*.idx | wc -l");
    assert_int_equal(packs, 2);
    packed = repo_count("for i in '%s'/repo/objects/pack/*.idx; do git verify-pack -v \"$i\" "
                        "| grep -cE '^[0-9a-f]{40} (blob|tree|commit)'; done | "
                        "awk '{n += $1} END {print n}'");
    distinct = repo_count("git --git-dir='%s/repo' cat-file --batch-all-objects --batch-check "
                          "| wc -l");
    assert_true(packed > 900); /* 900 records and their trees */
    assert_true(packed <= distinct);
    assert_int_equal(ccm_store_list(&list, s, "activity"), CCM_OK);
    assert_int_equal(json_array_size(list), 900);
    json_decref(list);
    assert_int_equal(ccm_store_verify(s, NULL), CCM_OK);
    ccm_store_free(s);
}

static void test_cache__follows_head_incrementally(void **state)
{
    ccm_store *s = open_unlocked();
    json_t *list = NULL;
    char *full = NULL;
    (void)state;
    ccm_test_set_field(s, "LAO", "status", "party");
    assert_int_equal(ccm_store_list(&list, s, "state"), CCM_OK);
    assert_int_equal(json_array_size(list), 1);
    json_decref(list);
    ccm_test_set_field(s, "NOR", "status", "party");
    ccm_test_set_field(s, "LAO", "status", "signatory");
    assert_int_equal(ccm_store_list(&list, s, "state"), CCM_OK);
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "id")), "LAO");
    {
        json_t *v = ccm_record_field_value(json_array_get(list, 0), "status");
        assert_string_equal(json_string_value(v), "signatory");
        json_decref(v);
    }
    json_decref(list);
    assert_int_equal(ccm_store_resolve(&full, s, "state", "NO"), CCM_OK);
    assert_string_equal(full, "NOR");
    free(full);
    assert_int_equal(ccm_store_resolve(&full, s, "state", "X"), CCM_ENOTFOUND);
    ccm_store_free(s);
}

static void test_cache__is_encrypted_at_rest(void **state)
{
    ccm_store *s = open_unlocked();
    json_t *list = NULL;
    char path[800];
    uint8_t *buf = NULL;
    size_t len = 0;
    (void)state;
    ccm_test_set_field(s, "LAO", "next_step", "MARKER-cache-5150");
    assert_int_equal(ccm_store_list(&list, s, "state"), CCM_OK);
    json_decref(list);
    snprintf(path, sizeof(path), "%s/cache", dir);
    assert_int_equal(ccm_file_read(&buf, &len, path), CCM_OK);
    assert_true(len > 0);
    assert_null(memmem(buf, len, "MARKER", 6));
    assert_null(memmem(buf, len, "LAO", 3));
    assert_null(memmem(buf, len, "next_step", 9));
    free(buf);
    ccm_store_free(s);
}

static void test_cache__damaged_cache_is_rebuilt(void **state)
{
    ccm_store *s = open_unlocked();
    json_t *list = NULL;
    char path[800];
    FILE *f;
    (void)state;
    ccm_test_set_field(s, "LAO", "status", "party");
    assert_int_equal(ccm_store_list(&list, s, "state"), CCM_OK);
    json_decref(list);
    snprintf(path, sizeof(path), "%s/cache", dir);
    assert_non_null(f = fopen(path, "r+"));
    fseek(f, 40, SEEK_SET);
    fputc('X', f);
    fclose(f);
    assert_int_equal(ccm_store_list(&list, s, "state"), CCM_OK);
    assert_int_equal(json_array_size(list), 1);
    json_decref(list);
    ccm_store_free(s);
}

static void test_log__names_member_and_old_new_values(void **state)
{
    ccm_store *s = open_unlocked();
    json_t *log = NULL, *e;
    (void)state;
    ccm_test_set_field(s, "LAO", "status", "signatory");
    ccm_test_set_field(s, "LAO", "status", "party");
    assert_int_equal(ccm_store_log(&log, s, "state", "LAO", NULL, 0), CCM_OK);
    assert_int_equal(json_array_size(log), 2);
    e = json_array_get(log, 0); /* newest first */
    assert_string_equal(json_string_value(json_object_get(e, "member")), "Peru");
    assert_string_equal(json_string_value(json_object_get(e, "field")), "status");
    assert_string_equal(json_string_value(json_object_get(e, "old")), "signatory");
    assert_string_equal(json_string_value(json_object_get(e, "new")), "party");
    assert_true(json_is_null(json_object_get(json_array_get(log, 1), "old")));
    json_decref(log);
    assert_int_equal(ccm_store_log(&log, s, NULL, NULL, "Norway", 0), CCM_OK);
    assert_int_equal(json_array_size(log), 0);
    json_decref(log);
    ccm_store_free(s);
}

static void test_verify__accepts_own_history_and_names_an_unsigned_commit(void **state)
{
    ccm_store *s = open_unlocked();
    git_commit *head = NULL;
    git_tree *tree = NULL;
    git_signature *who = NULL;
    git_oid bad;
    char hex[41];
    const git_commit *parents[1];
    (void)state;
    ccm_test_set_field(s, "LAO", "status", "party");
    assert_int_equal(ccm_store_verify(s, NULL), CCM_OK);
    assert_int_equal(ccm_store_head_commit(&head, s), CCM_OK);
    assert_int_equal(git_commit_tree(&tree, head), 0);
    assert_int_equal(git_signature_now(&who, "Peru", "peru@ccmsync.invalid"), 0);
    parents[0] = head;
    assert_int_equal(
        git_commit_create(&bad, s->repo, CCM_BRANCH, who, who, NULL, "x", tree, 1, parents), 0);
    git_oid_tostr(hex, sizeof(hex), &bad);
    assert_int_equal(ccm_store_verify(s, NULL), CCM_EVERIFY);
    assert_non_null(strstr(ccm_error_last(), hex));
    assert_non_null(strstr(ccm_error_last(), "unsigned"));
    git_signature_free(who);
    git_tree_free(tree);
    git_commit_free(head);
    ccm_store_free(s);
}

static void test_record__swapped_blobs_are_refused(void **state)
{
    ccm_store *s = open_unlocked();
    git_commit *head = NULL;
    git_tree *tree = NULL;
    git_tree_entry *a = NULL;
    char na[65], nb[65];
    json_t *rec = NULL;
    (void)state;
    ccm_test_set_field(s, "LAO", "status", "party");
    ccm_test_set_field(s, "NOR", "status", "party");
    ccm_record_name(na, s, "state", "LAO");
    ccm_record_name(nb, s, "state", "NOR");
    {
        char pa[CCM_PATH_MAX];
        ccm_record_path_of_name(pa, na);
        assert_int_equal(ccm_store_head_commit(&head, s), CCM_OK);
        assert_int_equal(git_commit_tree(&tree, head), 0);
        assert_int_equal(git_tree_entry_bypath(&a, tree, pa), 0);
    }
    /* LAO's envelope presented as NOR's: the associated data differs. */
    assert_int_equal(ccm_store_decrypt_blob(&rec, s, s->repo, nb, git_tree_entry_id(a)),
                     CCM_EVERIFY);
    assert_null(rec);
    assert_int_equal(ccm_store_decrypt_blob(&rec, s, s->repo, na, git_tree_entry_id(a)), CCM_OK);
    json_decref(rec);
    git_tree_entry_free(a);
    git_tree_free(tree);
    git_commit_free(head);
    ccm_store_free(s);
}

/* The memo of a sync (memo.c) never answers for a name the blob was not
 * opened under: the name is the envelope's associated data. */
static void test_record__memo_hit_needs_the_same_name(void **state)
{
    ccm_store *s = open_unlocked();
    git_commit *head = NULL;
    git_tree *tree = NULL;
    git_tree_entry *a = NULL;
    char na[65], nb[65], pa[CCM_PATH_MAX];
    json_t *rec = NULL, *again = NULL;
    (void)state;
    ccm_test_set_field(s, "LAO", "status", "party");
    ccm_test_set_field(s, "NOR", "status", "party");
    ccm_record_name(na, s, "state", "LAO");
    ccm_record_name(nb, s, "state", "NOR");
    ccm_record_path_of_name(pa, na);
    assert_int_equal(ccm_store_head_commit(&head, s), CCM_OK);
    assert_int_equal(git_commit_tree(&tree, head), 0);
    assert_int_equal(git_tree_entry_bypath(&a, tree, pa), 0);
    ccm_store_memo_begin(s);
    assert_int_equal(ccm_store_decrypt_blob(&rec, s, s->repo, na, git_tree_entry_id(a)), CCM_OK);
    /* A hit under the same name is the same document... */
    assert_int_equal(ccm_store_decrypt_blob(&again, s, s->repo, na, git_tree_entry_id(a)), CCM_OK);
    assert_ptr_equal(rec, again);
    json_decref(again);
    again = NULL;
    /* ...and the same blob under another name is still refused. */
    assert_int_equal(ccm_store_decrypt_blob(&again, s, s->repo, nb, git_tree_entry_id(a)),
                     CCM_EVERIFY);
    assert_null(again);
    ccm_store_memo_end(s);
    assert_null(s->memo);
    json_decref(rec);
    git_tree_entry_free(a);
    git_tree_free(tree);
    git_commit_free(head);
    ccm_store_free(s);
}

/* A retired memo answers nothing but keeps its records until the next
 * begin; ccm_store_free_at_exit leaves them to the exit except in builds
 * with a leak checker. */
static void test_record__retired_memo_is_off_and_freed_later(void **state)
{
    ccm_store *s = open_unlocked();
    json_t *rec = json_pack("{s:s}", "k", "v");
    git_oid id;
    char name[65];
    (void)state;
    memset(&id, 7, sizeof(id));
    memset(name, 'a', 64);
    name[64] = 0;
    assert_non_null(rec);

    ccm_store_memo_begin(s);
    ccm_store_memo_put(s, name, &id, rec);
    assert_int_equal(rec->refcount, 2);
    ccm_store_memo_retire(s);
    assert_null(s->memo);
    assert_null(ccm_store_memo_get(s, name, &id));
    assert_int_equal(rec->refcount, 2); /* kept */
    ccm_store_memo_begin(s);
    assert_int_equal(rec->refcount, 1); /* freed at the next begin */

    ccm_store_memo_put(s, name, &id, rec);
    ccm_store_memo_retire(s);
    json_incref(rec); /* so that rec outlives what the store frees */
    ccm_store_free_at_exit(s);
#ifdef CCM_LEAK_CHECKED
    assert_int_equal(rec->refcount, 2);
#else
    assert_int_equal(rec->refcount, 3); /* left to the exit */
    json_decref(rec);
#endif
    json_decref(rec);
    json_decref(rec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_store_init__refuses_a_non_empty_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_open__reports_a_missing_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_unlock__wrong_passphrase_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_txn__one_commit_per_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_txn__writes_nothing_when_nothing_changed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_txn__branch_moves_by_compare_and_swap, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tree__records_are_fanned_out_under_keyed_names, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_txn__bulk_write_is_one_pack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_txn__bulk_pack_holds_only_new_objects, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cache__follows_head_incrementally, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache__is_encrypted_at_rest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache__damaged_cache_is_rebuilt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log__names_member_and_old_new_values, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_verify__accepts_own_history_and_names_an_unsigned_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record__swapped_blobs_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record__memo_hit_needs_the_same_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record__retired_memo_is_off_and_freed_later, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
