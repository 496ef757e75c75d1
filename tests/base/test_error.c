/*
 * test_error.c - the per-thread last error: codes, formatting, truncation,
 * clearing, wrapping, and isolation between threads (crypto/base/error.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "crypto/base/base.h"

static void test_error__starts_empty(void **state)
{
    (void)state;
    assert_int_equal(ccm_error_code(), CCM_OK);
    assert_string_equal(ccm_error_last(), "");
}

static void test_error__set_returns_code_and_formats_message(void **state)
{
    (void)state;
    int rc = ccm_error_set(CCM_EINVALID, "unknown field '%s' (%d)", "bogus", 7);
    assert_int_equal(rc, CCM_EINVALID);
    assert_int_equal(ccm_error_code(), CCM_EINVALID);
    assert_string_equal(ccm_error_last(), "unknown field 'bogus' (7)");
}

static void test_error__clear_resets_code_and_message(void **state)
{
    (void)state;
    ccm_error_set(CCM_EVERIFY, "bad signature");
    ccm_error_clear();
    assert_int_equal(ccm_error_code(), CCM_OK);
    assert_string_equal(ccm_error_last(), "");
}

static void test_error__later_error_replaces_earlier(void **state)
{
    (void)state;
    ccm_error_set(CCM_EVERIFY, "first");
    ccm_error_set(CCM_ENOTFOUND, "second");
    assert_int_equal(ccm_error_code(), CCM_ENOTFOUND);
    assert_string_equal(ccm_error_last(), "second");
}

static void test_error__truncates_long_messages(void **state)
{
    (void)state;
    char big[4000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ccm_error_set(CCM_ERROR, "%s", big);
    size_t n = strlen(ccm_error_last());
    assert_true(n > 500);
    assert_true(n < sizeof(big) - 1);
    assert_int_equal(ccm_error_last()[0], 'x');
}

static void test_error__may_wrap_its_own_message(void **state)
{
    (void)state;
    ccm_error_set(CCM_EVERIFY, "bad signature");
    ccm_error_set(ccm_error_code(), "commit abc: %s", ccm_error_last());
    assert_string_equal(ccm_error_last(), "commit abc: bad signature");
    assert_int_equal(ccm_error_code(), CCM_EVERIFY);
}

static void test_error__wrap_prefixes_the_last_message_with_a_new_code(void **state)
{
    (void)state;
    ccm_error_set(CCM_ERROR, "cannot open 'x'");
    assert_int_equal(ccm_error_wrap(CCM_EVERIFY, "record abc"), CCM_EVERIFY);
    assert_int_equal(ccm_error_code(), CCM_EVERIFY);
    assert_string_equal(ccm_error_last(), "record abc: cannot open 'x'");
}

static void *other_thread(void *arg)
{
    int *seen = arg;
    seen[0] = ccm_error_code();
    seen[1] = ccm_error_last()[0] == '\0';
    ccm_error_set(CCM_ELOCKED, "store busy");
    return NULL;
}

static void test_error__is_private_to_each_thread(void **state)
{
    (void)state;
    int seen[2] = {42, 0};
    pthread_t t;
    ccm_error_set(CCM_EDENIED, "no key");
    assert_int_equal(pthread_create(&t, NULL, other_thread, seen), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(seen[0], CCM_OK);
    assert_true(seen[1]);
    assert_int_equal(ccm_error_code(), CCM_EDENIED);
    assert_string_equal(ccm_error_last(), "no key");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error__starts_empty),
        cmocka_unit_test(test_error__set_returns_code_and_formats_message),
        cmocka_unit_test(test_error__clear_resets_code_and_message),
        cmocka_unit_test(test_error__later_error_replaces_earlier),
        cmocka_unit_test(test_error__truncates_long_messages),
        cmocka_unit_test(test_error__may_wrap_its_own_message),
        cmocka_unit_test(test_error__wrap_prefixes_the_last_message_with_a_new_code),
        cmocka_unit_test(test_error__is_private_to_each_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
