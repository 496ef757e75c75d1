/*
 * test_suggest.c - typos caught before they are written (store/suggest.c):
 * the edit distance and "did you mean", field names that are typos of known
 * ones refused (names in use, known names extended by digits or '_' and "id"
 * accepted), member names against a roster (past members flagged).
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

/* ---- typos ----------------------------------------------------------------------- */

static void test_suggest__distance_and_did_you_mean(void **state)
{
    const char *const *state_fields = ccm_known_fields("state");
    (void)state;
    assert_int_equal(ccm_edit_distance("status", "status"), 0);
    assert_int_equal(ccm_edit_distance("statuss", "status"), 1);
    assert_int_equal(ccm_edit_distance("stauts", "status"), 1); /* transposition */
    assert_int_equal(ccm_edit_distance("satus", "status"), 1);
    assert_int_equal(ccm_edit_distance("stat", "status"), 2);
    assert_int_equal(ccm_edit_distance("", "abc"), 3);
    assert_string_equal(ccm_suggest("statuss", state_fields), "status");
    assert_string_equal(ccm_suggest("prority", state_fields), "priority");
    assert_string_equal(ccm_suggest("last_contat", state_fields), "last_contact");
    assert_string_equal(ccm_suggest("laed", state_fields), "lead");
    assert_null(ccm_suggest("status", state_fields));
    assert_null(ccm_suggest("meeting_room", state_fields));
    /* Short names allow one edit only. */
    assert_string_equal(ccm_suggest("byy", ccm_known_fields("activity")), "by");
    assert_null(ccm_suggest("xz", ccm_known_fields("activity")));
}

static void test_suggest__field_typos_are_refused(void **state)
{
    json_t *in_use = json_pack("{s:b}", "statu", 1);
    (void)state;
    assert_int_equal(ccm_check_field_typo("state", "statuss", NULL, 0), CCM_EINVALID);
    assert_non_null(strstr(ccm_error_last(), "did you mean 'status'?"));
    assert_int_equal(ccm_check_field_typo("activity", "dat", NULL, 0), CCM_EINVALID);
    assert_non_null(strstr(ccm_error_last(), "'date'"));
    assert_int_equal(ccm_check_field_typo("state", "status", NULL, 0), CCM_OK);
    assert_int_equal(ccm_check_field_typo("state", "meeting_room", NULL, 0), CCM_OK);
    assert_int_equal(ccm_check_field_typo("state", "last_activty", NULL, 0), CCM_EINVALID);
    /* A name already in use is not a typo; nor a known name extended by
     * digits or '_'; "id" only where ids are fields. */
    assert_int_equal(ccm_check_field_typo("state", "statu", in_use, 0), CCM_OK);
    assert_int_equal(ccm_check_field_typo("state", "region2", NULL, 0), CCM_OK);
    assert_int_equal(ccm_check_field_typo("state", "status_2024", NULL, 0), CCM_OK);
    assert_int_equal(ccm_check_field_typo("state", "id", NULL, 1), CCM_OK);
    assert_int_equal(ccm_check_field_typo("activity", "ids", NULL, 1), CCM_OK);
    json_decref(in_use);
}

static void test_suggest__member_names(void **state)
{
    json_t *roster = json_pack("{s:[{s:s},{s:s},{s:s, s:s}]}", "members", "name", "Peru", "name",
                               "Norway", "name", "Malawi", "removed", "2025-01-01T00:00:00Z");
    int past = -1;
    (void)state;
    assert_int_equal(ccm_check_member(roster, "Norway", &past), CCM_OK);
    assert_int_equal(past, 0);
    assert_int_equal(ccm_check_member(roster, "Malawi", &past), CCM_OK);
    assert_int_equal(past, 1);
    assert_int_equal(ccm_check_member(roster, "Nrway", &past), CCM_EINVALID);
    assert_non_null(strstr(ccm_error_last(), "did you mean 'Norway'?"));
    assert_non_null(strstr(ccm_error_last(), "Peru, Norway, Malawi"));
    assert_int_equal(ccm_check_member(roster, "ISU", NULL), CCM_EINVALID);
    assert_null(strstr(ccm_error_last(), "did you mean"));
    json_decref(roster);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suggest__distance_and_did_you_mean),
        cmocka_unit_test(test_suggest__field_typos_are_refused),
        cmocka_unit_test(test_suggest__member_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
