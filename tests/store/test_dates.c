/*
 * test_dates.c - the date forms people type (store/dates.c): a day, a month
 * (its first and last days, leap years included), today and days relative
 * to it with a fixed today ($CCMSYNC_TODAY), and every malformed or
 * out-of-range form refused naming the accepted ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "store/store.h"

/* ---- dates --------------------------------------------------------------------- */

static void expect_days(const char *arg, const char *lo, const char *hi)
{
    ccm_days d;
    assert_int_equal(ccm_date_parse(&d, arg, "test"), CCM_OK);
    assert_string_equal(d.lo, lo);
    assert_string_equal(d.hi, hi);
}

static void test_dates__forms(void **state)
{
    char day[11];
    (void)state;
    setenv("CCMSYNC_TODAY", "2025-03-01", 1);
    expect_days("2025-03-12", "2025-03-12", "2025-03-12");
    expect_days("2025-02", "2025-02-01", "2025-02-28");
    expect_days("2024-02", "2024-02-01", "2024-02-29");
    expect_days("2025-12", "2025-12-01", "2025-12-31");
    expect_days("2025-04", "2025-04-01", "2025-04-30");
    expect_days("today", "2025-03-01", "2025-03-01");
    expect_days("-1d", "2025-02-28", "2025-02-28");
    expect_days("+30d", "2025-03-31", "2025-03-31");
    expect_days("-180d", "2024-09-02", "2024-09-02");
    expect_days("+0d", "2025-03-01", "2025-03-01");
    setenv("CCMSYNC_TODAY", "2024-02-29", 1);
    expect_days("+365d", "2025-02-28", "2025-02-28");
    expect_days("-366d", "2023-02-28", "2023-02-28");
    assert_int_equal(ccm_date_day(day, "2025-03", "--date"), CCM_EINVALID);
    assert_non_null(strstr(ccm_error_last(), "month"));
    assert_int_equal(ccm_date_day(day, "+2d", "--date"), CCM_OK);
    assert_string_equal(day, "2024-03-02");
    unsetenv("CCMSYNC_TODAY");
}

static void test_dates__bad_forms_are_refused(void **state)
{
    const char *bad[] = {"",           "2025-02-30", "2025-13",    "2025-1", "25-03-01",
                         "tomorrow",   "-d",         "-5",         "5d",     "+1.5d",
                         "-99999999d", "1899-12",    "3000-01-01", "today "};
    ccm_days d;
    (void)state;
    setenv("CCMSYNC_TODAY", "2025-03-01", 1);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (ccm_date_parse(&d, bad[i], "--since") != CCM_EINVALID) {
            fail_msg("'%s' was accepted as a date", bad[i]);
        }
        assert_non_null(strstr(ccm_error_last(), "YYYY-MM"));
    }
    setenv("CCMSYNC_TODAY", "2025-02-30", 1);
    assert_int_equal(ccm_date_parse(&d, "today", "--since"), CCM_EINVALID);
    assert_non_null(strstr(ccm_error_last(), "CCMSYNC_TODAY"));
    unsetenv("CCMSYNC_TODAY");
    /* Without CCMSYNC_TODAY, today is a real date. */
    assert_int_equal(ccm_date_parse(&d, "today", "--since"), CCM_OK);
    assert_int_equal(strlen(d.lo), 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates__forms),
        cmocka_unit_test(test_dates__bad_forms_are_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
