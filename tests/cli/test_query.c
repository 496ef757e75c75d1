/*
 * test_query.c - questions asked of the records (cli/dates.c, cli/query.c,
 * cli/suggest.c): date forms with a fixed today, month ends and leap years;
 * edit distance and "did you mean"; member names against a roster;
 * --where parsing, value checks and matching for every operator on text,
 * enum, date, computed and set fields, absent fields included; --sort order
 * (stable, ties by id, absent values); --columns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "cli/query.h"

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

/* ---- conditions ------------------------------------------------------------------- */

/* A state view: {"id", "fields"} from pairs; a value starting with '[' is
 * a set (comma-separated). */
static json_t *view(const char *id, ...)
{
    json_t *v = json_pack("{s:s, s:{}}", "id", id, "fields");
    const char *name, *value;
    va_list ap;

    va_start(ap, id);
    while ((name = va_arg(ap, const char *))) {
        value = va_arg(ap, const char *);
        if (value[0] == '[') {
            json_t *set = json_array();
            char *copy = strdup(value + 1), *save = NULL;
            for (char *e = strtok_r(copy, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
                json_array_append_new(set, json_string(e));
            }
            free(copy);
            json_object_set_new(json_object_get(v, "fields"), name, set);
        } else {
            json_object_set_new(json_object_get(v, "fields"), name, json_string(value));
        }
    }
    va_end(ap);
    return v;
}

/* The ids of views matching every condition, space-separated. */
static void expect_matches(const char *kind, const char *const *where, json_t **views, size_t n,
                           const char *want)
{
    ccm_query q = {.kind = kind};
    char got[256] = "";

    for (size_t i = 0; where[i]; i++) {
        if (ccm_query_where(&q, where[i], NULL) != CCM_OK) {
            fail_msg("--where %s refused: %s", where[i], ccm_error_last());
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (ccm_query_match(&q, views[i])) {
            strcat(strcat(got, *got ? " " : ""),
                   json_string_value(json_object_get(views[i], "id")));
        }
    }
    ccm_query_free(&q);
    if (strcmp(got, want) != 0) {
        fail_msg("--where %s%s: got '%s', want '%s'", where[0], where[1] ? " ..." : "", got, want);
    }
}

#define WHERE(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_where__operators_on_each_type(void **state)
{
    json_t *v[4];
    (void)state;
    setenv("CCMSYNC_TODAY", "2025-06-30", 1);
    v[0] = view("IDN", "status", "signatory", "priority", "high", "region", "Asia-Pacific",
                "targets", "[apmbc,signatory", "last_activity", "2025-06-01", NULL);
    v[1] = view("KEN", "status", "signatory", "priority", "low", "region", "Africa", "targets",
                "[signatory", "last_activity", "2024-11-15", "lead", "[Norway,Peru", NULL);
    v[2] = view("LAO", "status", "party", "region", "Asia", NULL);
    v[3] = view("NOR", "status", "party", "priority", "medium", "region", "Europe", "last_activity",
                "2025-03-31", NULL);

    expect_matches("state", WHERE("status=signatory"), v, 4, "IDN KEN");
    expect_matches("state", WHERE("status!=signatory"), v, 4, "LAO NOR");
    expect_matches("state", WHERE("region~ASIA"), v, 4, "IDN LAO");
    expect_matches("state", WHERE("region=Asia"), v, 4, "LAO");
    expect_matches("state", WHERE("region<Asia-"), v, 4, "KEN LAO");
    expect_matches("state", WHERE("region=>x"), v, 4, ""); /* the value is ">x" */
    expect_matches("state", WHERE("region>=Asia"), v, 4, "IDN LAO NOR");
    /* enums order as listed: high < medium < low; absent matches no order */
    expect_matches("state", WHERE("priority<=medium"), v, 4, "IDN NOR");
    expect_matches("state", WHERE("priority>high"), v, 4, "KEN NOR");
    expect_matches("state", WHERE("priority="), v, 4, "LAO");
    expect_matches("state", WHERE("priority!="), v, 4, "IDN KEN NOR");
    expect_matches("state", WHERE("priority!=low"), v, 4, "IDN LAO NOR");
    /* sets: membership, absence, contains */
    expect_matches("state", WHERE("targets=signatory"), v, 4, "IDN KEN");
    expect_matches("state", WHERE("targets!=apmbc"), v, 4, "KEN LAO NOR");
    expect_matches("state", WHERE("targets="), v, 4, "LAO NOR");
    expect_matches("state", WHERE("targets~MBC"), v, 4, "IDN");
    expect_matches("state", WHERE("lead=Norway"), v, 4, "KEN");
    /* dates, computed ones included: days, months, relative; absent = never */
    expect_matches("state", WHERE("last_activity<-180d"), v, 4, "KEN LAO");
    expect_matches("state", WHERE("last_activity>=2025-03"), v, 4, "IDN NOR");
    expect_matches("state", WHERE("last_activity=2025-03"), v, 4, "NOR");
    expect_matches("state", WHERE("last_activity<=2025-03"), v, 4, "KEN LAO NOR");
    expect_matches("state", WHERE("last_activity<2025-03"), v, 4, "KEN LAO");
    expect_matches("state", WHERE("last_activity>2025-03"), v, 4, "IDN");
    expect_matches("state", WHERE("last_activity!=2025-03"), v, 4, "IDN KEN LAO");
    expect_matches("state", WHERE("last_activity="), v, 4, "LAO");
    expect_matches("state", WHERE("last_activity>-30d"), v, 4, "IDN");
    expect_matches("state", WHERE("last_activity~2025-0"), v, 4, "IDN NOR");
    /* ids, and conditions combined (all must hold) */
    expect_matches("state", WHERE("id=ken"), v, 4, "KEN");
    expect_matches("state", WHERE("id~N"), v, 4, "IDN KEN NOR");
    expect_matches("state", WHERE("status=signatory", "last_activity<-180d"), v, 4, "KEN");
    expect_matches("state", WHERE("status=party", "region~a", "priority="), v, 4, "LAO");
    for (size_t i = 0; i < 4; i++) {
        json_decref(v[i]);
    }
    unsetenv("CCMSYNC_TODAY");
}

static void expect_refused(const char *kind, const char *arg, const char *frag)
{
    ccm_query q = {.kind = kind};
    if (ccm_query_where(&q, arg, NULL) != CCM_EINVALID) {
        fail_msg("--where %s was accepted", arg);
    }
    if (!strstr(ccm_error_last(), frag)) {
        fail_msg("--where %s: '%s' lacks '%s'", arg, ccm_error_last(), frag);
    }
    assert_int_equal(q.nconds, 0);
    ccm_query_free(&q);
}

static void test_where__bad_conditions_are_refused(void **state)
{
    (void)state;
    expect_refused("state", "region", "FIELD<op>VALUE");
    expect_refused("state", "=x", "FIELD<op>VALUE");
    expect_refused("state", "Region=x", "FIELD<op>VALUE");
    expect_refused("state", "status=partyy", "party, signatory");
    expect_refused("state", "priority<urgent", "high, medium, low");
    expect_refused("state", "targets<ccw", "is a set");
    expect_refused("state", "targets=bogus", "signatory, apmbc");
    expect_refused("state", "last_contact>=2025-02-30", "YYYY-MM");
    expect_refused("state", "last_activity<yesterday", "YYYY-MM");
    expect_refused("activity", "states=XXX", "XXX");
    expect_refused("activity", "date<2025-13", "YYYY-MM");
    expect_refused("activity", "type=meeting", "bilateral");
}

static void test_where__activity_states_any_case_and_members_checked(void **state)
{
    json_t *roster = json_pack("{s:[{s:s}]}", "members", "name", "Peru");
    json_t *a = view("a1", "states", "[IDN,LAO", "by", "[Peru", "date", "2025-03-12", NULL);
    ccm_query q = {.kind = "activity"};
    (void)state;
    assert_int_equal(ccm_query_where(&q, "states=lao", roster), CCM_OK);
    assert_int_equal(ccm_query_option(&q, "by", Q_EQ, "Peru", roster), CCM_OK);
    assert_int_equal(ccm_query_option(&q, "date", Q_GE, "2025-03", roster), CCM_OK);
    assert_int_equal(ccm_query_option(&q, "date", Q_LE, "2025-03", roster), CCM_OK);
    assert_true(ccm_query_match(&q, a));
    assert_int_equal(ccm_query_option(&q, "by", Q_EQ, "Nrway", roster), CCM_EINVALID);
    assert_non_null(strstr(ccm_error_last(), "not a member"));
    ccm_query_free(&q);
    json_decref(a);
    json_decref(roster);
}

/* ---- order and columns ---------------------------------------------------------------- */

static void expect_order(const char *kind, const char *const *keys, json_t **views, size_t n,
                         const char *want)
{
    ccm_query q = {.kind = kind};
    json_t *copy[8];
    char got[256] = "";

    for (size_t i = 0; keys[i]; i++) {
        assert_int_equal(ccm_query_sort(&q, keys[i]), CCM_OK);
    }
    memcpy(copy, views, n * sizeof(*copy));
    ccm_query_sort_views(&q, copy, n);
    for (size_t i = 0; i < n; i++) {
        strcat(strcat(got, *got ? " " : ""), json_string_value(json_object_get(copy[i], "id")));
    }
    ccm_query_free(&q);
    if (strcmp(got, want) != 0) {
        fail_msg("--sort %s: got '%s', want '%s'", keys[0] ? keys[0] : "(none)", got, want);
    }
}

#define KEYS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_sort__keys_then_defaults_then_id(void **state)
{
    json_t *s[4], *a[3];
    ccm_query q = {.kind = "state"};
    (void)state;
    s[0] = view("NOR", "priority", "medium", "last_activity", "2025-03-31", NULL);
    s[1] = view("KEN", "priority", "low", "last_activity", "2024-11-15", NULL);
    s[2] = view("LAO", "region", "Asia", NULL);
    s[3] = view("IDN", "priority", "high", "last_activity", "2025-03-31", NULL);
    expect_order("state", KEYS(NULL), s, 4, "IDN KEN LAO NOR");
    expect_order("state", KEYS("priority"), s, 4, "IDN NOR KEN LAO");
    expect_order("state", KEYS("priority:desc"), s, 4, "KEN NOR IDN LAO"); /* absent stays last */
    expect_order("state", KEYS("last_activity"), s, 4, "LAO KEN IDN NOR"); /* never first */
    expect_order("state", KEYS("last_activity:desc"), s, 4, "IDN NOR KEN LAO");
    expect_order("state", KEYS("last_activity:desc", "priority:desc"), s, 4, "NOR IDN KEN LAO");
    expect_order("state", KEYS("id:desc"), s, 4, "NOR LAO KEN IDN");
    a[0] = view("a3", "date", "2025-01-02", "type", "survey", NULL);
    a[1] = view("a1", "date", "2025-01-02", "type", "bilateral", NULL);
    a[2] = view("a2", "date", "2024-12-31", "type", "survey", NULL);
    expect_order("activity", KEYS(NULL), a, 3, "a2 a1 a3"); /* date, then id */
    expect_order("activity", KEYS("type"), a, 3, "a1 a2 a3");
    assert_int_equal(ccm_query_sort(&q, "priority:down"), CCM_EINVALID);
    assert_int_equal(ccm_query_sort(&q, "Priority"), CCM_EINVALID);
    assert_int_equal(ccm_query_columns(&q, "id,name,last_activity"), CCM_OK);
    assert_int_equal(q.ncolumns, 3);
    assert_string_equal(q.columns[2], "last_activity");
    assert_int_equal(ccm_query_columns(&q, "id,Bad"), CCM_EINVALID);
    ccm_query_free(&q);
    assert_int_equal(ccm_query_columns(&q, ","), CCM_EINVALID);
    assert_int_equal(ccm_query_columns(&q, "statuss"), CCM_OK); /* names checked with the data */
    assert_int_equal(ccm_query_check_fields(&q, NULL), CCM_EINVALID);
    assert_non_null(strstr(ccm_error_last(), "did you mean 'status'?"));
    ccm_query_free(&q);
    for (size_t i = 0; i < 4; i++) {
        json_decref(s[i]);
    }
    for (size_t i = 0; i < 3; i++) {
        json_decref(a[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates__forms),
        cmocka_unit_test(test_dates__bad_forms_are_refused),
        cmocka_unit_test(test_suggest__distance_and_did_you_mean),
        cmocka_unit_test(test_suggest__field_typos_are_refused),
        cmocka_unit_test(test_suggest__member_names),
        cmocka_unit_test(test_where__operators_on_each_type),
        cmocka_unit_test(test_where__bad_conditions_are_refused),
        cmocka_unit_test(test_where__activity_states_any_case_and_members_checked),
        cmocka_unit_test(test_sort__keys_then_defaults_then_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
