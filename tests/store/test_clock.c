/*
 * test_clock.c - the wall clock the store stamps commits with
 * (store/clock.c): the current time, moved by CCMSYNC_CLOCK_OFFSET when it
 * is a number of seconds within a century, unmoved otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "store/store.h"

static void test_clock_now_ms__is_the_current_time(void **state)
{
    uint64_t a = ccm_clock_now_ms(), b = ccm_clock_now_ms();

    (void)state;
    assert_true(a > 1700000000000ull); /* after November 2023 */
    assert_true(b >= a);
}

static void test_clock_now_ms__honours_a_valid_offset_only(void **state)
{
    uint64_t base, moved;

    (void)state;
    assert_int_equal(unsetenv("CCMSYNC_CLOCK_OFFSET"), 0);
    base = ccm_clock_now_ms();
    assert_int_equal(setenv("CCMSYNC_CLOCK_OFFSET", "-86400", 1), 0);
    moved = ccm_clock_now_ms();
    assert_true(moved + 86400000ull >= base && moved + 86400000ull < base + 60000);
    assert_int_equal(setenv("CCMSYNC_CLOCK_OFFSET", "3600", 1), 0);
    moved = ccm_clock_now_ms();
    assert_true(moved >= base + 3600000ull && moved < base + 3600000ull + 60000);
    /* not a number, or beyond a century: no offset */
    assert_int_equal(setenv("CCMSYNC_CLOCK_OFFSET", "1h", 1), 0);
    moved = ccm_clock_now_ms();
    assert_true(moved >= base && moved < base + 60000);
    assert_int_equal(setenv("CCMSYNC_CLOCK_OFFSET", "9999999999", 1), 0);
    moved = ccm_clock_now_ms();
    assert_true(moved >= base && moved < base + 60000);
    assert_int_equal(unsetenv("CCMSYNC_CLOCK_OFFSET"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock_now_ms__is_the_current_time),
        cmocka_unit_test(test_clock_now_ms__honours_a_valid_offset_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
