/*
 * test_view.c - reading the past (store/view.c): a view by commit prefix or
 * by date makes get, list, foreach and resolve read that commit; writes are
 * refused while it is set; the cache file keeps following HEAD; malformed,
 * unknown, ambiguous and too-early specs are refused.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <time.h>
#include <cmocka.h>
#include <git2.h>

#include "store/store.h"
#include "store/store_private.h"
#include "store/cache.h"
#include "tests/support/store_support.h"
#include "tests/support/tmpdir.h"

#define DAY 86400

static char base_dir[640];
static char dir[700];

static int setup(void **state)
{
    (void)state;
    unsetenv("CCMSYNC_CLOCK_OFFSET");
    ccm_test_mkdtemp(base_dir, sizeof(base_dir), "view");
    snprintf(dir, sizeof(dir), "%s/s", base_dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unsetenv("CCMSYNC_CLOCK_OFFSET");
    return ccm_test_rmdir(base_dir);
}

/* Sets the wall clock of the store's writes `days` days from now. */
static void clock_days(long days)
{
    char v[32];
    snprintf(v, sizeof(v), "%ld", days * DAY);
    setenv("CCMSYNC_CLOCK_OFFSET", v, 1);
}

static ccm_store *init_open(void)
{
    return ccm_test_init_open(dir, "Peru");
}

/* The status of a state as the store reads it now (get and list agree). */
static void expect_status(ccm_store *s, const char *id, const char *want)
{
    json_t *rec = NULL, *list = NULL, *v, *item;
    size_t i;
    int seen = 0;

    assert_int_equal(ccm_store_get(&rec, s, "state", id), CCM_OK);
    v = ccm_record_field_value(rec, "status");
    assert_string_equal(json_string_value(v), want);
    json_decref(v);
    json_decref(rec);
    assert_int_equal(ccm_store_list(&list, s, "state"), CCM_OK);
    json_array_foreach(list, i, item)
    {
        if (strcmp(json_string_value(json_object_get(item, "id")), id) == 0) {
            v = ccm_record_field_value(item, "status");
            assert_string_equal(json_string_value(v), want);
            json_decref(v);
            seen = 1;
        }
    }
    assert_true(seen);
    json_decref(list);
}

static size_t count_states(ccm_store *s)
{
    json_t *list = NULL;
    size_t n;
    assert_int_equal(ccm_store_list(&list, s, "state"), CCM_OK);
    n = json_array_size(list);
    json_decref(list);
    return n;
}

static void test_view__by_commit_prefix_reads_the_past(void **state)
{
    ccm_store *s = init_open();
    char c1[41], c2[41], seen[41], prefix[8], *full = NULL;
    int64_t t = 0;
    json_t *rec = NULL;
    (void)state;

    ccm_test_set_field(s, "LAO", "status", "signatory");
    ccm_store_head(c1, s);
    ccm_test_set_field(s, "LAO", "status", "party");
    ccm_test_set_field(s, "NOR", "status", "party");
    ccm_store_head(c2, s);
    expect_status(s, "LAO", "party");

    snprintf(prefix, sizeof(prefix), "%.7s", c1);
    assert_int_equal(ccm_store_view_at(s, prefix), CCM_OK);
    assert_int_equal(ccm_store_view(seen, &t, s), CCM_OK);
    assert_string_equal(seen, c1);
    assert_true(t > 0);
    expect_status(s, "LAO", "signatory");
    assert_int_equal(count_states(s), 1);
    assert_int_equal(ccm_store_get(&rec, s, "state", "NOR"), CCM_ENOTFOUND);
    assert_int_equal(ccm_store_resolve(&full, s, "state", "NO"), CCM_ENOTFOUND);
    assert_int_equal(ccm_store_resolve(&full, s, "state", "LA"), CCM_OK);
    assert_string_equal(full, "LAO");
    free(full);

    /* Upper case names the same commit; the full id too. */
    for (char *p = prefix; *p; p++) {
        *p = (char)toupper((unsigned char)*p);
    }
    assert_int_equal(ccm_store_view_at(s, prefix), CCM_OK);
    assert_int_equal(ccm_store_view(seen, &t, s), CCM_OK);
    assert_string_equal(seen, c1);
    assert_int_equal(ccm_store_view_at(s, c2), CCM_OK);
    expect_status(s, "LAO", "party");
    assert_int_equal(count_states(s), 2);

    assert_int_equal(ccm_store_view_at(s, NULL), CCM_OK);
    assert_int_equal(ccm_store_view(seen, &t, s), CCM_OK);
    assert_string_equal(seen, "");
    expect_status(s, "LAO", "party");
    ccm_store_free(s);
}

static void test_view__writes_are_refused_and_the_cache_follows_head(void **state)
{
    ccm_store *s = init_open(), *again = NULL;
    ccm_txn *t = NULL;
    ccm_cache c;
    char c1[41], head[41];
    (void)state;

    ccm_test_set_field(s, "LAO", "status", "signatory");
    ccm_store_head(c1, s);
    ccm_test_set_field(s, "LAO", "status", "party");
    expect_status(s, "LAO", "party"); /* the cache file is at HEAD */

    assert_int_equal(ccm_store_view_at(s, c1), CCM_OK);
    expect_status(s, "LAO", "signatory");
    assert_int_equal(ccm_txn_begin(&t, s), CCM_EINVALID);
    assert_null(t);
    assert_non_null(strstr(ccm_error_last(), "--at"));
    assert_int_equal(ccm_store_refresh(s), CCM_EINVALID);

    /* The cache file still reflects HEAD, for this handle and a new one. */
    ccm_store_head(head, s);
    ccm_cache_read(&c, s, 0);
    assert_string_equal(c.head, head);
    ccm_cache_clear(&c);
    again = ccm_test_open_unlocked(dir);
    expect_status(again, "LAO", "party");
    ccm_store_free(again);

    assert_int_equal(ccm_store_view_at(s, NULL), CCM_OK);
    expect_status(s, "LAO", "party");
    assert_int_equal(ccm_txn_begin(&t, s), CCM_OK);
    ccm_txn_free(t);
    ccm_store_free(s);
}

/* YYYY-MM-DD of now + days (UTC). */
static void day_of(char out[11], long days)
{
    time_t t = time(NULL) + days * DAY;
    struct tm tm;
    strftime(out, 11, "%Y-%m-%d", gmtime_r(&t, &tm));
}

static void test_view__by_date_takes_the_last_commit_of_that_day(void **state)
{
    ccm_store *s = NULL;
    char root[41], c1[41], c2[41], c3[41], seen[41], day[11];
    int64_t t = 0;
    json_t *rec = NULL;
    (void)state;

    clock_days(-500);
    s = init_open();
    ccm_store_head(root, s);
    clock_days(-400);
    ccm_test_set_field(s, "LAO", "status", "signatory");
    ccm_store_head(c1, s);
    clock_days(-200);
    ccm_test_set_field(s, "LAO", "status", "non-party");
    ccm_store_head(c2, s);
    unsetenv("CCMSYNC_CLOCK_OFFSET");
    ccm_test_set_field(s, "LAO", "status", "party");
    ccm_store_head(c3, s);

    day_of(day, -300);
    assert_int_equal(ccm_store_view_at(s, day), CCM_OK);
    assert_int_equal(ccm_store_view(seen, &t, s), CCM_OK);
    assert_string_equal(seen, c1);
    expect_status(s, "LAO", "signatory");

    day_of(day, -400); /* the same day as c1: the end of the day counts */
    assert_int_equal(ccm_store_view_at(s, day), CCM_OK);
    assert_int_equal(ccm_store_view(seen, &t, s), CCM_OK);
    assert_string_equal(seen, c1);

    day_of(day, -200);
    assert_int_equal(ccm_store_view_at(s, day), CCM_OK);
    expect_status(s, "LAO", "non-party");

    day_of(day, -450); /* before any state: the first commit, no records */
    assert_int_equal(ccm_store_view_at(s, day), CCM_OK);
    assert_int_equal(ccm_store_view(seen, &t, s), CCM_OK);
    assert_string_equal(seen, root);
    assert_int_equal(count_states(s), 0);
    assert_int_equal(ccm_store_get(&rec, s, "state", "LAO"), CCM_ENOTFOUND);

    day_of(day, 1);
    assert_int_equal(ccm_store_view_at(s, day), CCM_OK);
    assert_int_equal(ccm_store_view(seen, &t, s), CCM_OK);
    assert_string_equal(seen, c3);
    expect_status(s, "LAO", "party");

    day_of(day, -600); /* before the history */
    assert_int_equal(ccm_store_view_at(s, day), CCM_EINVALID);
    assert_non_null(strstr(ccm_error_last(), "history starts on"));
    ccm_store_free(s);
}

static void test_view__bad_specs_are_refused(void **state)
{
    ccm_store *s = init_open();
    char head[41], seen[41];
    int64_t t;
    (void)state;

    ccm_test_set_field(s, "LAO", "status", "party");
    ccm_store_head(head, s);
    const char *bad[] = {"",
                         "abc",
                         "2025-02-30",
                         "2025-13-01",
                         "yesterday",
                         "12345g",
                         "0123456789012345678901234567890123456789a"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(ccm_store_view_at(s, bad[i]), CCM_EINVALID);
    }
    /* A commit id not in the history (the one before HEAD is; a flipped
     * digit of HEAD is not). */
    {
        char other[41];
        memcpy(other, head, 41);
        other[39] = other[39] == '0' ? '1' : '0';
        assert_int_equal(ccm_store_view_at(s, other), CCM_EINVALID);
        assert_non_null(strstr(ccm_error_last(), "no commit"));
    }
    /* A refused spec leaves the reads where they were. */
    assert_int_equal(ccm_store_view(seen, &t, s), CCM_OK);
    assert_string_equal(seen, "");
    ccm_store_free(s);
}

/* Commits until two share their first four hex digits (the birthday bound
 * of 65,536 values: a few hundred commits), then names them by it. */
static void test_view__ambiguous_prefix_is_refused(void **state)
{
    ccm_store *s = init_open();
    static char seen[4096][41];
    size_t n = 0;
    char value[32], clash[5] = "";
    (void)state;

    while (!*clash && n < 4096) {
        snprintf(value, sizeof(value), "v%zu", n);
        ccm_test_set_field(s, "LAO", "region", value);
        ccm_store_head(seen[n], s);
        for (size_t i = 0; i < n && !*clash; i++) {
            if (strncmp(seen[i], seen[n], 4) == 0) {
                memcpy(clash, seen[n], 4);
            }
        }
        n++;
    }
    assert_true(*clash);
    assert_int_equal(ccm_store_view_at(s, clash), CCM_EINVALID);
    assert_non_null(strstr(ccm_error_last(), "ambiguous"));
    assert_int_equal(ccm_store_view_at(s, seen[n - 1]), CCM_OK);
    ccm_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_view__by_commit_prefix_reads_the_past, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_view__writes_are_refused_and_the_cache_follows_head,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_view__by_date_takes_the_last_commit_of_that_day, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_view__bad_specs_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_view__ambiguous_prefix_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
