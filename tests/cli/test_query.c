/*
 * test_query.c - questions asked of the records (cli/query.c): --where
 * parsing, value checks and matching for every operator on text, enum,
 * date, computed and set fields, absent fields included; --sort order
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
        cmocka_unit_test(test_where__operators_on_each_type),
        cmocka_unit_test(test_where__bad_conditions_are_refused),
        cmocka_unit_test(test_where__activity_states_any_case_and_members_checked),
        cmocka_unit_test(test_sort__keys_then_defaults_then_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
