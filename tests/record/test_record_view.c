/*
 * test_record_view.c - what a record looks like from outside: the shape
 * `show` prints with --json (fields, meta, conflicts), blame, the effective value of
 * one field, and the stamps underneath "at": the HLC step and the RFC 3339
 * formatting of stamps (store/record/record_view.c, hlc.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "store/record/record.h"

/* A stamp at `ms` milliseconds with logical counter `n`. */
#define ST(ms, n) (((uint64_t)(ms) << 16) | (uint64_t)(n))

/* 2025-03-06T10:00:00Z in unix milliseconds. */
#define T0 1741255200000ull

/* Asserts that j serialises canonically to `want`, written with ' for ". */
static void assert_doc(const json_t *j, const char *want)
{
    char *got = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
    char *w = strdup(want), *p;

    assert_non_null(got);
    for (p = w; *p; p++) {
        if (*p == '\'') {
            *p = '"';
        }
    }
    assert_string_equal(got, w);
    free(got);
    free(w);
}

static json_t *join(const json_t *a, const json_t *b)
{
    json_t *out = NULL;

    assert_int_equal(ccm_record_join(&out, a, b), 0);
    return out;
}

static void test_hlc_next__follows_the_wall_clock(void **state)
{
    (void)state;
    assert_int_equal(ccm_hlc_next(0, 1000), ST(1000, 0));
    assert_int_equal(ccm_hlc_next(ST(999, 5), 1000), ST(1000, 0));
    assert_int_equal(CCM_STAMP_MS(ccm_hlc_next(ST(999, 5), 1000)), 1000);
}

static void test_hlc_next__increases_when_the_clock_stalls_or_goes_back(void **state)
{
    (void)state;
    assert_int_equal(ccm_hlc_next(ST(1000, 0), 1000), ST(1000, 1));
    assert_int_equal(ccm_hlc_next(ST(2000, 7), 1000), ST(2000, 8));
    assert_int_equal(ccm_hlc_next(ST(2000, 0xffff), 1000), ST(2001, 0));
}

static void test_stamp_format__is_rfc3339_utc_with_milliseconds(void **state)
{
    char out[32];

    (void)state;
    ccm_stamp_format(out, ST(T0 + 123, 42));
    assert_string_equal(out, "2025-03-06T10:00:00.123Z");
    ccm_stamp_format(out, 0);
    assert_string_equal(out, "1970-01-01T00:00:00.000Z");
    ccm_stamp_format(out, ST(1709251199000ull + 7, 0));
    assert_string_equal(out, "2024-02-29T23:59:59.007Z");
    ccm_stamp_format(out, UINT64_MAX);
    assert_string_equal(out, "9999-12-31T23:59:59.999Z");
}

static void test_record_view__of_a_new_record_is_empty(void **state)
{
    json_t *rec = ccm_record_new("activity", "a1"), *view;

    (void)state;
    view = ccm_record_view(rec);
    assert_doc(view, "{'conflicts':{},'fields':{},'id':'a1','kind':'activity','meta':{}}");
    json_decref(view);
    json_decref(rec);
}

static void test_record_view__shows_values_sorted_sets_and_meta(void **state)
{
    json_t *rec = ccm_record_new("state", "LAO"), *view;

    (void)state;
    assert_int_equal(ccm_record_assign(rec, "status", "signatory", ST(T0, 0), "alice"), 0);
    assert_int_equal(ccm_record_set_add(rec, "targets", "signatory", ST(T0 + 1, 0), "alice"), 0);
    assert_int_equal(ccm_record_set_add(rec, "targets", "apmbc", ST(T0 + 2, 0), "alice"), 0);
    assert_int_equal(ccm_record_set_add(rec, "targets", "ccw", ST(T0 + 3, 0), "alice"), 0);
    assert_int_equal(ccm_record_set_remove(rec, "targets", "ccw", ST(T0 + 4, 0), "bob"), 0);
    view = ccm_record_view(rec);
    assert_doc(view, "{'conflicts':{},'fields':{'status':'signatory',"
                     "'targets':['apmbc','signatory']},'id':'LAO','kind':'state','meta':{"
                     "'status':{'at':'2025-03-06T10:00:00.000Z','by':'alice'},"
                     "'targets':{'at':'2025-03-06T10:00:00.004Z','by':'bob'}}}");
    json_decref(view);
    json_decref(rec);
}

static void test_record_view__omits_cleared_fields_and_empty_sets(void **state)
{
    json_t *rec = ccm_record_new("state", "NOR"), *view;

    (void)state;
    assert_int_equal(ccm_record_assign(rec, "region", "Europe", ST(T0, 0), "alice"), 0);
    assert_int_equal(ccm_record_assign(rec, "region", NULL, ST(T0 + 1, 0), "alice"), 0);
    assert_int_equal(ccm_record_set_add(rec, "lead", "bob", ST(T0 + 2, 0), "alice"), 0);
    assert_int_equal(ccm_record_set_remove(rec, "lead", "bob", ST(T0 + 3, 0), "alice"), 0);
    assert_int_equal(ccm_record_set_remove(rec, "targets", "ccw", ST(T0 + 4, 0), "alice"), 0);
    view = ccm_record_view(rec);
    assert_doc(view, "{'conflicts':{},'fields':{},'id':'NOR','kind':'state','meta':{}}");
    json_decref(view);
    json_decref(rec);
}

static void test_record_view__lists_concurrent_losers_newest_first(void **state)
{
    json_t *base = ccm_record_new("state", "LAO"), *a, *b, *c, *ab, *abc, *view;

    (void)state;
    a = json_deep_copy(base);
    b = json_deep_copy(base);
    c = json_deep_copy(base);
    assert_int_equal(ccm_record_assign(a, "status", "party", ST(T0 + 10, 0), "alice"), 0);
    assert_int_equal(ccm_record_assign(b, "status", "signatory", ST(T0 + 30, 0), "bob"), 0);
    assert_int_equal(ccm_record_assign(c, "status", NULL, ST(T0 + 20, 0), "carol"), 0);
    assert_int_equal(ccm_record_assign(c, "region", "Asia", ST(T0 + 21, 0), "carol"), 0);
    ab = join(a, b);
    abc = join(ab, c);
    view = ccm_record_view(abc);
    assert_doc(view, "{'conflicts':{'status':["
                     "{'at':'2025-03-06T10:00:00.020Z','by':'carol','value':null},"
                     "{'at':'2025-03-06T10:00:00.010Z','by':'alice','value':'party'}]},"
                     "'fields':{'region':'Asia','status':'signatory'},'id':'LAO','kind':'state',"
                     "'meta':{'region':{'at':'2025-03-06T10:00:00.021Z','by':'carol'},"
                     "'status':{'at':'2025-03-06T10:00:00.030Z','by':'bob'}}}");
    json_decref(view);
    json_decref(abc);
    json_decref(ab);
    json_decref(a);
    json_decref(b);
    json_decref(c);
    json_decref(base);
}

static void test_record_view__keeps_losers_of_a_cleared_winner(void **state)
{
    json_t *base = ccm_record_new("state", "LAO"), *a, *b, *j, *view;

    (void)state;
    a = json_deep_copy(base);
    b = json_deep_copy(base);
    assert_int_equal(ccm_record_assign(a, "region", "Asia", ST(T0, 0), "alice"), 0);
    assert_int_equal(ccm_record_assign(b, "region", NULL, ST(T0 + 5, 0), "bob"), 0);
    j = join(b, a);
    view = ccm_record_view(j);
    assert_doc(view, "{'conflicts':{'region':[{'at':'2025-03-06T10:00:00.000Z','by':'alice',"
                     "'value':'Asia'}]},'fields':{},'id':'LAO','kind':'state','meta':{}}");
    json_decref(view);
    json_decref(j);
    json_decref(a);
    json_decref(b);
    json_decref(base);
}

static void test_record_blame__covers_every_field_ever_assigned(void **state)
{
    json_t *rec = ccm_record_new("state", "LAO"), *blame;

    (void)state;
    assert_int_equal(ccm_record_assign(rec, "name", "Laos", ST(T0, 0), "alice"), 0);
    assert_int_equal(ccm_record_assign(rec, "region", "Asia", ST(T0 + 1, 0), "alice"), 0);
    assert_int_equal(ccm_record_assign(rec, "region", NULL, ST(T0 + 2, 0), "bob"), 0);
    assert_int_equal(ccm_record_set_add(rec, "lead", "carol", ST(T0 + 3, 0), "carol"), 0);
    assert_int_equal(ccm_record_set_add(rec, "lead", "bob", ST(T0 + 4, 0), "carol"), 0);
    assert_int_equal(ccm_record_set_add(rec, "targets", "ccw", ST(T0 + 5, 0), "alice"), 0);
    assert_int_equal(ccm_record_set_remove(rec, "targets", "ccw", ST(T0 + 6, 0), "bob"), 0);
    blame = ccm_record_blame(rec);
    assert_doc(blame, "{'lead':{'at':'2025-03-06T10:00:00.004Z','by':'carol','value':['bob',"
                      "'carol']},"
                      "'name':{'at':'2025-03-06T10:00:00.000Z','by':'alice','value':'Laos'},"
                      "'region':{'at':'2025-03-06T10:00:00.002Z','by':'bob','value':null},"
                      "'targets':{'at':'2025-03-06T10:00:00.006Z','by':'bob','value':null}}");
    json_decref(blame);
    json_decref(rec);
}

static void test_record_field_value__is_a_string_a_sorted_array_or_null(void **state)
{
    json_t *rec = ccm_record_new("activity", "x1"), *v;

    (void)state;
    assert_int_equal(ccm_record_assign(rec, "summary", "met the minister", ST(T0, 0), "a"), 0);
    assert_int_equal(ccm_record_assign(rec, "outcome", NULL, ST(T0, 0), "a"), 0);
    assert_int_equal(ccm_record_set_add(rec, "states", "NOR", ST(T0, 0), "a"), 0);
    assert_int_equal(ccm_record_set_add(rec, "states", "LAO", ST(T0, 0), "b"), 0);
    v = ccm_record_field_value(rec, "summary");
    assert_doc(v, "'met the minister'");
    json_decref(v);
    v = ccm_record_field_value(rec, "states");
    assert_doc(v, "['LAO','NOR']");
    json_decref(v);
    assert_null(ccm_record_field_value(rec, "outcome"));
    assert_null(ccm_record_field_value(rec, "follow_up"));
    assert_null(ccm_record_field_value(rec, NULL));
    json_decref(rec);
}

static void test_record_set_holds__only_present_elements(void **state)
{
    json_t *rec = ccm_record_new("activity", "x1");

    (void)state;
    assert_int_equal(ccm_record_set_add(rec, "states", "NOR", ST(T0, 0), "a"), 0);
    assert_int_equal(ccm_record_set_add(rec, "states", "LAO", ST(T0, 0), "b"), 0);
    assert_int_equal(ccm_record_set_remove(rec, "states", "LAO", ST(T0, 1), "a"), 0);
    assert_int_equal(ccm_record_set_holds(rec, "states", "NOR"), 1);
    assert_int_equal(ccm_record_set_holds(rec, "states", "LAO"), 0); /* removed */
    assert_int_equal(ccm_record_set_holds(rec, "states", "KEN"), 0);
    assert_int_equal(ccm_record_set_holds(rec, "by", "NOR"), 0); /* absent field */
    json_decref(rec);
}

static void test_record_view__rejects_malformed_records(void **state)
{
    json_t *bad = json_pack("{s:i, s:s, s:s, s:{s:s}}", "v", 1, "kind", "state", "id", "LAO",
                            "fields", "name", "Laos");

    (void)state;
    assert_null(ccm_record_view(bad));
    assert_int_equal(ccm_error_code(), CCM_EVERIFY);
    assert_null(ccm_record_blame(bad));
    assert_null(ccm_record_field_value(bad, "name"));
    assert_null(ccm_record_view(NULL));
    json_decref(bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hlc_next__follows_the_wall_clock),
        cmocka_unit_test(test_hlc_next__increases_when_the_clock_stalls_or_goes_back),
        cmocka_unit_test(test_stamp_format__is_rfc3339_utc_with_milliseconds),
        cmocka_unit_test(test_record_view__of_a_new_record_is_empty),
        cmocka_unit_test(test_record_view__shows_values_sorted_sets_and_meta),
        cmocka_unit_test(test_record_view__omits_cleared_fields_and_empty_sets),
        cmocka_unit_test(test_record_view__lists_concurrent_losers_newest_first),
        cmocka_unit_test(test_record_view__keeps_losers_of_a_cleared_winner),
        cmocka_unit_test(test_record_blame__covers_every_field_ever_assigned),
        cmocka_unit_test(test_record_field_value__is_a_string_a_sorted_array_or_null),
        cmocka_unit_test(test_record_set_holds__only_present_elements),
        cmocka_unit_test(test_record_view__rejects_malformed_records),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
